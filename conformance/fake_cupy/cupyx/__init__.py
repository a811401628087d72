"""The stand-in's cupyx: page-locked host arrays (NumPy arrays over a PinnedMemoryPointer, as CuPy's) and
the error-state switch."""
import numpy as _np


class PinnedMemoryPointer(bytearray):
    """CuPy's name for the buffer under a pinned array; here ordinary host memory."""


def empty_pinned(shape, dtype=float, order='C'):
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    nbytes = int(_np.prod(shape, dtype=_np.int64)) * _np.dtype(dtype).itemsize
    return _np.ndarray(shape, dtype, buffer=PinnedMemoryPointer(max(nbytes, 1)), order=order)


def seterr(**kwargs):
    return {}
