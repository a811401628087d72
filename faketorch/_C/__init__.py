"""torch._C: the few names of torch's compiled module that scripts call directly, mostly TorchScript
fuser switches set at the top of a script. faketorch compiles nothing, so they only record their
flag; their signatures and argument errors are pybind11's, as in torch."""
from .. import Generator      # noqa: F401  (torch._C.Generator is torch.Generator)


def _bind(name, sig, fn):
    """fn as a pybind11-bound function `name` with signature `sig`: positional arguments only, each
    converted as pybind11 converts a bool (None is False; an object without __bool__ is refused)."""
    nargs = fn.__code__.co_argcount

    def bound(*args, **kwargs):
        if len(args) != nargs or kwargs or not all(a is None or hasattr(type(a), '__bool__') for a in args):
            shown = ', '.join(map(repr, args))
            if kwargs:
                shown += ('; ' if args else '') + 'kwargs: ' + ', '.join(f'{k}={v!r}' for k, v in kwargs.items())
            raise TypeError(f"{name}(): incompatible function arguments. The following argument types are "
                            f"supported:\n    1. {sig}\n\nInvoked with: {shown}")
        return fn(*(bool(a) for a in args))
    bound.__name__ = bound.__qualname__ = name
    bound.__doc__ = f'{name}{sig}\n'
    return bound


_flags = {'profiling_executor': True, 'profiling_mode': True, 'fuse_cpu': False, 'fuse_gpu': False,
          'texpr': True}


def _swap(key):
    """Set a flag, returning its old value."""
    def swap(flag):
        old, _flags[key] = _flags[key], flag
        return old
    return swap


def _store(key):
    """Set a flag, returning None."""
    def store(flag):
        _flags[key] = flag
    return store


_jit_set_profiling_executor = _bind('_jit_set_profiling_executor', '(arg0: bool) -> bool', _swap('profiling_executor'))
_jit_set_profiling_mode = _bind('_jit_set_profiling_mode', '(arg0: bool) -> bool', _swap('profiling_mode'))
_jit_override_can_fuse_on_cpu = _bind('_jit_override_can_fuse_on_cpu', '(arg0: bool) -> None', _store('fuse_cpu'))
_jit_override_can_fuse_on_gpu = _bind('_jit_override_can_fuse_on_gpu', '(arg0: bool) -> None',
                                      lambda flag: None)      # a CPU build cannot fuse on a GPU
_jit_can_fuse_on_cpu = _bind('_jit_can_fuse_on_cpu', '() -> bool', lambda: _flags['fuse_cpu'])
_jit_can_fuse_on_gpu = _bind('_jit_can_fuse_on_gpu', '() -> bool', lambda: False)
_jit_set_texpr_fuser_enabled = _bind('_jit_set_texpr_fuser_enabled', '(arg0: bool) -> None', _store('texpr'))
_jit_texpr_fuser_enabled = _bind('_jit_texpr_fuser_enabled', '() -> bool', lambda: _flags['texpr'])
# deprecated no-ops in torch (it logs a C++ warning, not a Python one)
_jit_set_nvfuser_enabled = _bind('_jit_set_nvfuser_enabled', '(arg0: bool) -> None', lambda flag: None)
_jit_set_nvfuser_guard_mode = _bind('_jit_set_nvfuser_guard_mode', '(arg0: bool) -> None', lambda flag: None)
_get_tracing_state = _bind('_get_tracing_state', '() -> torch._C.TracingState', lambda: None)


def _get_privateuse1_backend_name():
    return 'privateuseone'


def _log_api_usage_once(event):
    """Usage logging, which torch sends nowhere by default."""


def _set_grad_enabled(mode):
    from ..autograd.grad_mode import set_grad_enabled
    set_grad_enabled(mode)


def _get_cudnn_enabled():
    from ..backends import cudnn
    return bool(cudnn.enabled)


from . import _profiler      # noqa: E402,F401  (it binds through _bind)
from ..overrides import (DisableTorchFunction, DisableTorchFunctionSubclass,  # noqa: E402,F401
                         _disabled_torch_function_impl, _is_torch_function_enabled,
                         _is_torch_function_mode_enabled, _get_function_stack_at, _len_torch_function_stack,
                         _pop_torch_function_stack, _push_on_torch_function_stack,
                         has_torch_function as _has_torch_function,
                         has_torch_function_unary as _has_torch_function_unary,
                         has_torch_function_variadic as _has_torch_function_variadic)
from ..autograd.graph import _current_graph_task_id, _will_engine_execute_node  # noqa: E402,F401
