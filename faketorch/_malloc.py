"""glibc malloc tuning, applied once at import: large NumPy buffers come from the heap, and freed ones
stay there for the next step instead of going back to the kernel.

By default glibc serves large allocations with fresh mmaps and trims freed heap tops, so a training
loop page-faults every activation, column matrix and gradient in again each step (measured on the
CIFAR-like convnet benchmark: ~6,000 page faults and ~25 ms of kernel time per 70 ms step; with this
tuning, none). torch's caching of its own buffers has the same effect. The cost: freed memory (up to
the trim threshold) stays mapped in the process. FAKETORCH_MALLOC_TUNING=0 leaves malloc alone."""
import ctypes
import os
import sys

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def tune():
    if os.environ.get('FAKETORCH_MALLOC_TUNING', '1') == '0' or not sys.platform.startswith('linux'):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt     # the process's own C library
    except (OSError, AttributeError):        # not glibc (musl, ...): nothing to tune
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, 1 << 30) and mallopt(_M_TRIM_THRESHOLD, 1 << 30))
