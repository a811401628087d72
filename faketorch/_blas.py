"""OpenBLAS's saxpy (y += alpha * x) from the library NumPy's wheel bundles, for add_/sub_ with alpha
on float32: torch's CPU loop is one fused multiply-add per element, and so is OpenBLAS's AVX-512
kernel, in one pass; NumPy has no fused multiply-add (faketorch's fallback is three float64 passes).
Used only where a self-test shows every element fused (OpenBLAS's Haswell kernel, which
OPENBLAS_CORETYPE=Haswell selects, leaves the tail unfused): `saxpy()` returns the function, or None."""
import numpy as np

_found = []


def _load():
    import ctypes
    import glob
    import os
    libs = glob.glob(os.path.join(os.path.dirname(os.path.dirname(np.__file__)), 'numpy.libs',
                                  'libscipy_openblas64_*.so*'))
    if len(libs) != 1:
        return None
    try:
        f = ctypes.CDLL(libs[0]).scipy_cblas_saxpy64_
    except (OSError, AttributeError):
        return None
    f.restype = None
    f.argtypes = [ctypes.c_int64, ctypes.c_float, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p, ctypes.c_int64]

    def axpy(y, x, alpha):
        """y += alpha * x, fused, for C-contiguous float32 NumPy arrays of one size that do not overlap;
        alpha a nonzero float32 value (OpenBLAS returns early on 0, where torch still propagates NaN)."""
        # one call: above ~10000 elements OpenBLAS splits it over its threads (as torch's own loop does),
        # which on a quiet machine is the fastest and on a loaded one costs a thread hand-off
        f(y.size, alpha, x.__array_interface__['data'][0], 1, y.__array_interface__['data'][0], 1)

    # 16777218 + (1 - 2**-18) * (1 + 2**-18) is 16777219 - 2**-36: fused, it rounds to 16777218;
    # a rounded product (1) or a float64 sum (16777219) ties to 16777220. Every length up to 80 (the
    # kernel's blocks and tails), a long one (split over OpenBLAS's threads), and unaligned starts.
    for n in list(range(1, 81)) + [1000, 20011]:
        for off in (0, 1, 3):
            y = np.full(n + off, 16777218, np.float32)[off:]
            x = np.full(n + off, 1 + 2 ** -18, np.float32)[off:]
            axpy(y, x, 1 - 2 ** -18)
            if not (y == 16777218).all():
                return None
    return axpy


def saxpy():
    """The fused y += alpha * x, loaded and checked on first use, or None."""
    if not _found:
        try:
            _found.append(_load())
        except Exception:       # any surprise in a foreign library: the NumPy path
            _found.append(None)
    return _found[0]
