"""torch.autocast / torch.amp.autocast and the autocast state functions (torch.is_autocast_enabled ...).

The state (enabled flag and target dtype per device type, cache flag, nesting depth) behaves exactly
as torch's. The casts themselves are faketorch._autocast's, for the CPU only: on other device types
ops still compute in their inputs' dtypes (listed in the README).
"""
import collections.abc
import functools
import warnings

from .. import _xnp as np

from .. import _dtype as D
from .._device import device as _device_cls, cuda_available
from .._ops._core import register
from .. import _autocast as _ac

__all__ = ['autocast', 'is_autocast_available', 'custom_fwd', 'custom_bwd']

# torch's default fast dtype per device type that autocast knows (a table: check it against
# torch.get_autocast_dtype(t) in one glance); 'hip' has a dtype but no autocast support.
_FAST_DTYPE = {'cpu': D.bfloat16, 'cuda': D.float16, 'ipu': D.float16, 'xpu': D.float16,
               'hip': D.float16, 'maia': D.bfloat16, 'xla': D.bfloat16, 'mps': D.float16,
               'hpu': D.bfloat16, 'mtia': D.float16, 'privateuseone': D.float16}
_AVAILABLE = frozenset(_FAST_DTYPE) - {'hip'}


class _State:
    enabled = {t: False for t in _AVAILABLE}
    dtype = dict(_FAST_DTYPE)
    cache_enabled = True
    nesting = 0


_state = _State


def _device_type(fname, device_type):
    if not isinstance(device_type, str):
        raise TypeError(f"{fname}(): argument 'device_type' (position 1) must be str, not "
                        f"{_type_name(device_type)}")
    return _device_cls(device_type).type        # validates the name with torch.device's message


def _type_name(x):
    return 'torch.device' if isinstance(x, _device_cls) else type(x).__name__


def _check_autocast_type(t):
    if t not in _AVAILABLE:
        raise RuntimeError('unknown device type for autocast in get_autocast_dispatch_key_from_device_type')


def is_autocast_available(device_type):
    """Whether autocast has kernels for this device type (torch's answer, not this machine's)."""
    return _device_type('is_autocast_available', device_type) in _AVAILABLE


def is_autocast_enabled(device_type=None):
    t = 'cuda' if device_type is None else _device_type('is_autocast_enabled', device_type)
    _check_autocast_type(t)
    return _state.enabled[t]


def set_autocast_enabled(*args):
    """set_autocast_enabled(enabled) (CUDA) or set_autocast_enabled(device_type, enabled)."""
    if len(args) == 1:
        t, enabled, pos = 'cuda', args[0], 1
    else:
        t, enabled, pos = _device_type('set_autocast_enabled', args[0]), args[1], 2
    if not isinstance(enabled, bool):
        raise TypeError(f"set_autocast_enabled(): argument 'enabled' (position {pos}) must be bool, not "
                        f"{type(enabled).__name__}")
    _check_autocast_type(t)
    _state.enabled[t] = enabled
    if t == 'cpu':
        _ac.update(enabled, _state.dtype['cpu'])


def get_autocast_dtype(device_type=None):
    if device_type is None:       # torch's C++ binding words this one its own way
        raise TypeError('get_autocast_dtype() missing 1 required positional arguments: "device_type"')
    t = _device_type('get_autocast_dtype', device_type)
    if t not in _state.dtype:
        raise RuntimeError('unsupported scalarType')
    return _state.dtype[t]


def set_autocast_dtype(device_type, dtype):
    t = _device_type('set_autocast_dtype', device_type)
    _check_autocast_type(t)
    _state.dtype[t] = dtype
    if t == 'cpu':
        _ac.update(_state.enabled['cpu'], dtype)


def _deprecated_getter(old, new, fn, line):
    def f():
        # torch warns from C++; the text (with its source location) is torch's
        warnings.warn(f'torch.{old}() is deprecated. Please use torch.{new} instead. (Triggered internally '
                      f'at /__w/pytorch/pytorch/torch/csrc/autograd/init.cpp:{line}.)', DeprecationWarning,
                      stacklevel=2)
        return fn()
    f.__name__ = old
    return f


get_autocast_cpu_dtype = _deprecated_getter('get_autocast_cpu_dtype', "get_autocast_dtype('cpu')",
                                            lambda: get_autocast_dtype('cpu'), 1016)
get_autocast_gpu_dtype = _deprecated_getter('get_autocast_gpu_dtype', "get_autocast_dtype('cuda')",
                                            lambda: get_autocast_dtype('cuda'), 1007)
is_autocast_cpu_enabled = _deprecated_getter('is_autocast_cpu_enabled', "is_autocast_enabled('cpu')",
                                             lambda: is_autocast_enabled('cpu'), 883)


def _deprecated_setter(old, new, fn, line):
    def f(value):
        warnings.warn(f'torch.{old}({"enabled" if "enabled" in old else "dtype"}) is deprecated. Please use '
                      f'torch.{new} instead. (Triggered internally at '
                      f'/__w/pytorch/pytorch/torch/csrc/autograd/init.cpp:{line}.)', DeprecationWarning, stacklevel=2)
        fn(value)
    f.__name__ = old
    return f


set_autocast_cpu_enabled = _deprecated_setter('set_autocast_cpu_enabled', "set_autocast_enabled('cpu', enabled)",
                                              lambda v: set_autocast_enabled('cpu', v), 874)
set_autocast_cpu_dtype = _deprecated_setter('set_autocast_cpu_dtype', "set_autocast_dtype('cpu', dtype)",
                                            lambda v: set_autocast_dtype('cpu', v), 967)
set_autocast_gpu_dtype = _deprecated_setter('set_autocast_gpu_dtype', "set_autocast_dtype('cuda', dtype)",
                                            lambda v: set_autocast_dtype('cuda', v), 958)


def is_autocast_cache_enabled():
    return _state.cache_enabled


def set_autocast_cache_enabled(enabled):
    _state.cache_enabled = enabled


def clear_autocast_cache():
    pass        # faketorch keeps no cache of casted weights


def autocast_increment_nesting():
    _state.nesting += 1
    return _state.nesting


def autocast_decrement_nesting():
    _state.nesting -= 1
    return _state.nesting


for _f in (is_autocast_enabled, set_autocast_enabled, get_autocast_dtype, set_autocast_dtype,
           get_autocast_cpu_dtype, get_autocast_gpu_dtype, is_autocast_cpu_enabled, set_autocast_cpu_enabled,
           set_autocast_cpu_dtype, set_autocast_gpu_dtype,
           is_autocast_cache_enabled, set_autocast_cache_enabled, clear_autocast_cache,
           autocast_increment_nesting, autocast_decrement_nesting):
    register(_f, method=False)
del _f


class autocast:
    """Context manager / decorator for a mixed-precision region (state only in faketorch: see above)."""
    __module__ = 'torch.amp.autocast_mode'

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{_class_repr(device_type)}`")
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self.device = device_type
        if not is_autocast_available(device_type):
            raise RuntimeError(f"User specified an unsupported autocast device_type '{device_type}'")
        self.custom_backend_name = 'privateuseone'
        self._cache_enabled = is_autocast_cache_enabled() if cache_enabled is None else cache_enabled
        if enabled:
            if device_type == 'cuda':
                if not cuda_available():
                    warnings.warn('CUDA is not available or torch_xla is imported. Disabling autocast.',
                                  stacklevel=2)
                    enabled = False
                elif self.fast_dtype is D.bfloat16:
                    from .. import cuda
                    if not cuda.is_bf16_supported():
                        raise RuntimeError('Current CUDA Device does not support bfloat16. Please switch '
                                           'dtype to float16.')
            elif self.fast_dtype not in (D.bfloat16, D.float16):
                name = device_type if device_type == self.custom_backend_name else device_type.upper()
                warnings.warn(f'In {name} autocast, but the target dtype is not supported. Disabling '
                              f'autocast.\n{name} Autocast only supports dtypes of torch.bfloat16, '
                              f'torch.float16 currently.', stacklevel=2)
                enabled = False
        self._enabled = enabled

    def __enter__(self):
        self.prev_cache_enabled = is_autocast_cache_enabled()
        self.prev = is_autocast_enabled(self.device)
        self.prev_fastdtype = get_autocast_dtype(self.device)
        set_autocast_enabled(self.device, self._enabled)
        set_autocast_dtype(self.device, self.fast_dtype)
        autocast_increment_nesting()
        set_autocast_cache_enabled(self._cache_enabled)
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        if autocast_decrement_nesting() == 0:
            clear_autocast_cache()
        set_autocast_enabled(self.device, self.prev)
        set_autocast_dtype(self.device, self.prev_fastdtype)
        set_autocast_cache_enabled(self.prev_cache_enabled)
        return False

    def __call__(self, func):
        if not callable(func):
            raise TypeError(f'autocast()(func) requires a callable, but got {type(func).__name__}. Did you '
                            f'mean to use autocast as a context manager? For example:\n'
                            f'    with torch.autocast(device_type=...):\n        output = model(input)')

        @functools.wraps(func)
        def decorate_autocast(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return decorate_autocast


def _class_repr(x):
    return "<class 'torch.device'>" if isinstance(x, _device_cls) else repr(type(x))


def _cast(value, device_type, dtype):
    """Cast floating tensors (not float64) of `device_type` inside containers to `dtype`."""
    from .._tensor import Tensor
    if isinstance(value, Tensor):
        ok = value.is_floating_point() and value.device.type == device_type and value.dtype is not D.float64
        return value.to(dtype) if ok else value
    if isinstance(value, (str, bytes, np.ndarray)):
        return value
    if isinstance(value, collections.abc.Mapping):
        return {_cast(k, device_type, dtype): _cast(v, device_type, dtype) for k, v in value.items()}
    if isinstance(value, collections.abc.Iterable):
        it = (_cast(v, device_type, dtype) for v in value)
        return type(value)(it) if isinstance(value, (list, tuple)) else it
    return value


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Decorator for a custom Function's forward: record the autocast state for backward; with
    cast_inputs, run forward with autocast off on inputs cast to that dtype."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{_class_repr(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        ctx = args[0]
        ctx._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None:
            ctx._fwd_used_autocast = is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        ctx._fwd_used_autocast = False
        if not is_autocast_enabled(device_type):
            return fwd(*args, **kwargs)
        with autocast(device_type=device_type, enabled=False):
            return fwd(*_cast(args, device_type, cast_inputs), **_cast(kwargs, device_type, cast_inputs))
    return decorate_fwd


def custom_bwd(bwd=None, *, device_type):
    """Decorator for a custom Function's backward: run it under the autocast state forward saw."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{_class_repr(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        ctx = args[0]
        with autocast(device_type=device_type, enabled=ctx._fwd_used_autocast, dtype=ctx._dtype):
            return bwd(*args, **kwargs)
    return decorate_bwd
