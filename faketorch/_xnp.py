"""NumPy's namespace, except that the array constructors which do not dispatch on their argument
(asarray, array, ascontiguousarray, as_strided ...) follow it: given a CuPy array they return a CuPy
array. Ops import this as `np`, so one code path serves both libraries (STYLE.md section 3); on
NumPy arrays every function is NumPy's own."""
import types as _types

import numpy as _np

from ._device import module_of as _module_of

globals().update({k: v for k, v in vars(_np).items() if not k.startswith('__')})
_ndarray = _np.ndarray


def __getattr__(name):          # NumPy's lazily loaded submodules
    return getattr(_np, name)


def asarray(a, dtype=None, order=None, **kw):
    if a.__class__ is _ndarray or not hasattr(a, '__cuda_array_interface__'):
        return _np.asarray(a, dtype, order, **kw)
    return _module_of(a).asarray(a, dtype, order)


def cast(v, dtype):
    """v.astype(dtype) for an array; a NumPy scalar for a Python one (not a 0-d array: CuPy takes
    scalars but refuses 0-d NumPy arrays)."""
    if v.__class__ is _ndarray or hasattr(v, '__cuda_array_interface__'):
        return v.astype(dtype)
    return _np.asarray(v).astype(dtype)[()]


def array(a, dtype=None, *, copy=True, order='K', ndmin=0, **kw):
    if a.__class__ is _ndarray or not hasattr(a, '__cuda_array_interface__'):
        return _np.array(a, dtype, copy=copy, order=order, ndmin=ndmin, **kw)
    return _module_of(a).array(a, dtype, copy=copy is not False, order=order, ndmin=ndmin)


def ascontiguousarray(a, dtype=None):
    if a.__class__ is _ndarray or not hasattr(a, '__cuda_array_interface__'):
        return _np.ascontiguousarray(a, dtype)
    return _module_of(a).ascontiguousarray(a, dtype)


def asfortranarray(a, dtype=None):
    if a.__class__ is _ndarray or not hasattr(a, '__cuda_array_interface__'):
        return _np.asfortranarray(a, dtype)
    return _module_of(a).asfortranarray(a, dtype)


def _as_strided(x, shape=None, strides=None, subok=False, writeable=True):
    if x.__class__ is _ndarray or not hasattr(x, '__cuda_array_interface__'):
        return _np.lib.stride_tricks.as_strided(x, shape, strides, subok, writeable)
    return _module_of(x).lib.stride_tricks.as_strided(x, shape, strides)   # always writeable


lib = _types.SimpleNamespace(**{k: getattr(_np.lib, k) for k in dir(_np.lib) if not k.startswith('__')})
lib.stride_tricks = _types.SimpleNamespace(as_strided=_as_strided,
                                           sliding_window_view=_np.lib.stride_tricks.sliding_window_view)


def host(a):
    """A NumPy array of `a`'s values (a copy from the GPU for a CuPy array): for code that only runs
    on the CPU, such as the torch-exact random generator."""
    if a.__class__ is _ndarray or not hasattr(a, '__cuda_array_interface__'):
        return a
    return a.get()


def asarray_on(data, like):
    """`data` as an array of `like`'s library (copied to the GPU when `like` is a CuPy array)."""
    if like.__class__ is _ndarray or not hasattr(like, '__cuda_array_interface__'):
        return _np.asarray(data)
    return _module_of(like).asarray(data)


def accumulate(ufunc, a, axis):
    """ufunc.accumulate(a, axis); CuPy has it for add and multiply only: the others run on the host."""
    if a.__class__ is _ndarray or not hasattr(a, '__cuda_array_interface__'):
        return ufunc.accumulate(a, axis=axis)
    return _module_of(a).asarray(ufunc.accumulate(a.get(), axis=axis))
