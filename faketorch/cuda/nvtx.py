"""torch.cuda.nvtx: profiler ranges. The CPU-only build has no NVTX library; neither does faketorch."""
import contextlib

__all__ = ['range_push', 'range_pop', 'range_start', 'range_end', 'mark', 'range']


def _fail(*args, **kwargs):
    raise RuntimeError('NVTX functions not installed. Are you sure you have a CUDA build?')


range_push = range_pop = range_start = range_end = mark = _fail


@contextlib.contextmanager
def range(msg, *args, **kwargs):
    range_push(msg.format(*args, **kwargs))
    try:
        yield
    finally:
        range_pop()
