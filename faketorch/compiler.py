"""torch.compiler: faketorch never compiles, so nothing is ever being compiled; the decorators
hand the function back and the stances are accepted and ignored."""
import functools

from ._misc import compile  # noqa: F401

__all__ = ['compile', 'assume_constant_result', 'reset', 'allow_in_graph', 'substitute_in_graph',
           'list_backends', 'disable', 'set_stance', 'cudagraph_mark_step_begin', 'wrap_numpy',
           'is_compiling', 'is_dynamo_compiling', 'is_exporting']


def _returns_fn(fn):
    return fn


allow_in_graph = assume_constant_result = _returns_fn


def reset():
    pass


def cudagraph_mark_step_begin():
    pass


def is_compiling():
    return False


is_dynamo_compiling = is_exporting = is_compiling


def list_backends(exclude_tags=('debug', 'experimental')):
    return ['cudagraphs', 'inductor', 'openxla', 'tvm']


def disable(fn=None, recursive=True, *, reason=None):
    """The function itself (torch wraps it so that dynamo skips it; there is no dynamo here)."""
    if fn is None:
        return _returns_fn
    return fn


def substitute_in_graph(original_fn, *, can_constant_fold_through=False, skip_signature_check=False):
    return _returns_fn


def wrap_numpy(fn):
    return fn


class set_stance:
    """Context manager and decorator; torch's stances only matter to a compiler, so none apply."""

    def __init__(self, stance='default', *, skip_guard_eval_unsafe=False, force_backend=None):
        self.stance, self.force_backend = stance, force_backend

    def __enter__(self):
        if self.force_backend is not None and self.stance != 'default':
            raise RuntimeError('non-default stance cannot have force_backend set')
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapper


def cond(pred, true_fn, false_fn, operands=()):
    """torch.cond, run eagerly: the branch that pred picks, called on the operands."""
    import faketorch
    if isinstance(pred, faketorch.Tensor):
        if pred.numel() != 1:
            raise RuntimeError(f'Expected pred to be bool or single-element tensor, but got {pred}.')
        pred = pred.item()
    elif not isinstance(pred, (bool, int, float)):
        raise RuntimeError(f'Expected pred to be bool or tensor, but got {pred}.')
    return (true_fn if pred else false_fn)(*operands)
