"""OpenBLAS's saxpy (y += alpha * x) from the library NumPy's wheel bundles, for add_/sub_ with alpha
on float32: torch's CPU loop is one fused multiply-add per element, and so is OpenBLAS's AVX-512
kernel, in one pass; NumPy has no fused multiply-add (faketorch's fallback is three float64 passes).
Used only where a self-test shows every element fused (OpenBLAS's Haswell kernel, which
OPENBLAS_CORETYPE=Haswell selects, leaves the tail unfused): `saxpy()` returns the function, or None."""
import numpy as np

_found = []


def _library():
    """The OpenBLAS NumPy's wheel bundles, or None."""
    import ctypes
    import glob
    import os
    libs = glob.glob(os.path.join(os.path.dirname(os.path.dirname(np.__file__)), 'numpy.libs',
                                  'libscipy_openblas64_*.so*'))
    return ctypes.CDLL(libs[0]) if len(libs) == 1 else None


def _loaded(cache, load):
    """load() once (None where it fails: any surprise in a foreign library means the NumPy path)."""
    if not cache:
        try:
            cache.append(load())
        except Exception:
            cache.append(None)
    return cache[0]


def _load():
    import ctypes
    lib = _library()
    f = lib.scipy_cblas_saxpy64_ if lib is not None else None
    if f is None:
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
    return _loaded(_found, _load)


_trsm_found = []


def _load_trsm():
    import ctypes
    lib = _library()
    if lib is None:
        return None
    i, i64, p = ctypes.c_int, ctypes.c_int64, ctypes.c_void_p
    fns = {}
    for code, dt, alpha in (('s', np.float32, ctypes.c_float), ('d', np.float64, ctypes.c_double),
                            ('c', np.complex64, p), ('z', np.complex128, p)):
        f = getattr(lib, f'scipy_cblas_{code}trsm64_')
        f.restype = None
        f.argtypes = [i, i, i, i, i, i64, i64, alpha, p, i64, p, i64]
        one = ctypes.c_double(1) if code == 'd' else ctypes.c_float(1) if code == 's' else \
            np.ones(1, dt).ctypes.data_as(p)
        fns[np.dtype(dt)] = (f, one)

    def trsm(a, x, upper):
        """x := A^-1 x in place for triangular matrices A (C-contiguous, ..., m, m) and C-contiguous x
        (..., m, n) of A's dtype (one of the four BLAS types) and batch shape: OpenBLAS's substitution, as
        torch's CPU kernel (BLAS trsm): a zero on the diagonal gives inf/nan, no error."""
        f, one = fns[a.dtype]
        m, n = x.shape[-2:]
        pa, px = a.ctypes.data, x.ctypes.data
        sa, sx = m * m * a.itemsize, m * n * x.itemsize
        for j in range(x.size // (m * n) if m * n else 0):
            # row-major (101), left side (141), upper 121 / lower 122, no transpose (111), non-unit (131)
            f(101, 141, 121 if upper else 122, 111, 131, m, n, one, pa + j * sa, max(m, 1), px + j * sx,
              max(n, 1))
    # checked on a system whose answer is exact: [[2, 0], [1, 4]] X = [[2], [9]] gives [[1], [2]]
    for dt in fns:
        x = np.array([[2], [9]], dt)
        trsm(np.array([[2, 0], [1, 4]], dt), x, False)
        if not (x == np.array([[1], [2]], dt)).all():
            return None
    return trsm


def trsm():
    """OpenBLAS's triangular solve (trsm), loaded and checked on first use, or None."""
    return _loaded(_trsm_found, _load_trsm)
