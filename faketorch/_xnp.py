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


def _gpu(a):
    """Is `a` a CuPy array (an array other than NumPy's that speaks CUDA's array interface)?"""
    return a.__class__ is not _ndarray and hasattr(a, '__cuda_array_interface__')


def asarray(a, dtype=None, order=None, **kw):
    if not _gpu(a):
        return _np.asarray(a, dtype, order, **kw)
    return _module_of(a).asarray(a, dtype, order)


def cast(v, dtype):
    """v.astype(dtype) for an array; a NumPy scalar for a Python one (not a 0-d array: CuPy takes
    scalars but refuses 0-d NumPy arrays)."""
    if v.__class__ is _ndarray or _gpu(v):
        return v.astype(dtype)
    return _np.asarray(v).astype(dtype)[()]


def array(a, dtype=None, *, copy=True, order='K', ndmin=0, **kw):
    if not _gpu(a):
        return _np.array(a, dtype, copy=copy, order=order, ndmin=ndmin, **kw)
    return _module_of(a).array(a, dtype, copy=copy is not False, order=order, ndmin=ndmin)


def ascontiguousarray(a, dtype=None):
    if not _gpu(a):
        return _np.ascontiguousarray(a, dtype)
    return _module_of(a).ascontiguousarray(a, dtype)


def asfortranarray(a, dtype=None):
    if not _gpu(a):
        return _np.asfortranarray(a, dtype)
    return _module_of(a).asfortranarray(a, dtype)


def _as_strided(x, shape=None, strides=None, subok=False, writeable=True):
    if not _gpu(x):
        return _np.lib.stride_tricks.as_strided(x, shape, strides, subok, writeable)
    return _module_of(x).lib.stride_tricks.as_strided(x, shape, strides)   # always writeable


lib = _types.SimpleNamespace(**{k: getattr(_np.lib, k) for k in dir(_np.lib) if not k.startswith('__')})
lib.stride_tricks = _types.SimpleNamespace(as_strided=_as_strided,
                                           sliding_window_view=_np.lib.stride_tricks.sliding_window_view)


def host(a):
    """A NumPy array of `a`'s values (a copy from the GPU for a CuPy array): for code that only runs
    on the CPU, such as the torch-exact random generator."""
    if not _gpu(a):
        return a
    return a.get()


def asarray_on(data, like):
    """`data` as an array of `like`'s library (copied to the GPU when `like` is a CuPy array)."""
    if not _gpu(like):
        return _np.asarray(data)
    return _module_of(like).asarray(data)


def accumulate(ufunc, a, axis):
    """ufunc.accumulate(a, axis); CuPy has it for add and multiply only: the others run on the host."""
    if not _gpu(a):
        return ufunc.accumulate(a, axis=axis)
    return _module_of(a).asarray(ufunc.accumulate(a.get(), axis=axis))


def on_host(f, a, *rest):
    """f(a, *rest) computed with NumPy (GPU arrays copied to the host), the result back on a's
    device: for kernels written against NumPy constant tables or Python loops, rarely hot."""
    if not _gpu(a):
        return f(a, *rest)
    r = f(a.get(), *(host(x) for x in rest))
    return _module_of(a).asarray(r) if isinstance(r, (_ndarray, _np.generic)) else r


def ufunc_at(ufunc, a, indices, b=None):
    """ufunc.at(a, indices, b). CuPy's supports int32/int64/uint32/uint64/float16/32/64 targets only:
    other dtypes (bool, small ints, complex) go through a wider copy there."""
    args = () if b is None else (b,)
    if not _gpu(a) or a.dtype.kind == 'f' or a.dtype in (_np.int32, _np.int64, _np.uint32, _np.uint64):
        return ufunc.at(a, indices, *args)
    if a.dtype.kind == 'c':
        bb = b if b is not None and getattr(b, 'dtype', None) is not None else asarray_on(b, a)
        re, im = a.real.copy(), a.imag.copy()
        ufunc.at(re, indices, bb.real)
        ufunc.at(im, indices, bb.imag)
        a.real[...], a.imag[...] = re, im
        return None
    wide = a.astype(_np.int64)
    ufunc.at(wide, indices, *((x.astype(_np.int64) if hasattr(x, 'astype') else x) for x in args))
    a[...] = (wide != 0) if a.dtype == _np.bool_ else wide.astype(a.dtype)
