"""torch._dynamo without a tracer: functions run eagerly, the decorators hand them back, the config
is kept for scripts that set it."""
from . import config, exc, utils
from ..compiler import (allow_in_graph, assume_constant_result, disable, is_compiling, list_backends,  # noqa: F401
                        set_stance, substitute_in_graph)

_BACKENDS = ('aot_eager', 'aot_eager_decomp_partition', 'aot_eager_decomp_partition_crossref',
             'aot_eager_decomp_partition_with_mode', 'aot_inductor', 'cudagraphs', 'eager', 'inductor',
             'openxla', 'tvm')


def reset():
    for c in utils.counters.values():
        c.clear()


def _check_backend(backend):
    if isinstance(backend, str) and backend not in _BACKENDS:
        raise exc.InvalidBackend(backend)


def optimize(backend='inductor', *, nopython=False, guard_export_fn=None, guard_fail_fn=None,
             guard_filter_fn=None, disable=False, dynamic=None, **kwargs):
    """A decorator returning the function as it is (torch's compiles it on the first call)."""
    _check_backend(backend)
    return lambda fn: fn


def explain(f, *extra_args, **extra_kwargs):
    raise NotImplementedError('faketorch: torch._dynamo.explain needs TorchDynamo, which faketorch '
                              'does not have (torch.compile runs functions eagerly)')


def mark_dynamic(t, index, *, min=None, max=None, specialize_on=None):
    pass


def maybe_mark_dynamic(t, index):
    pass


def mark_static(t, index=None):
    pass


def graph_break(msg=''):
    pass

