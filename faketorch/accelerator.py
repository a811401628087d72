"""torch.accelerator: the device-generic API newer scripts use instead of torch.cuda.

The only accelerator faketorch knows is CUDA through CuPy. Without it everything answers as torch
2.13 does on a CPU-only machine: nothing is available, and asking for a device index raises.
"""
import warnings

from ._device import cuda_available, device as _device_cls

__all__ = ['current_accelerator', 'current_device_idx', 'current_device_index', 'current_stream',
           'device_count', 'device_index', 'empty_cache', 'is_available', 'max_memory_allocated',
           'max_memory_reserved', 'memory_allocated', 'memory_reserved', 'memory_stats',
           'reset_accumulated_memory_stats', 'reset_peak_memory_stats', 'set_device_idx',
           'set_device_index', 'set_stream', 'synchronize', 'get_memory_info', 'get_device_capability']

_NONE = 'Cannot access accelerator device when none is available.'


def _cuda():
    """The accelerator's device module, or torch's error when there is none."""
    if not cuda_available():
        raise RuntimeError(_NONE)
    from . import cuda
    return cuda


def is_available():
    return cuda_available()


def current_accelerator(check_available=False):
    return _device_cls('cuda') if cuda_available() else None


def device_count():
    return _cuda().device_count() if cuda_available() else 0


def current_device_index():
    return _cuda().current_device()


def current_device_idx():
    warnings.warn('Use `current_device_index` instead.', FutureWarning, stacklevel=2)
    return current_device_index()


def _index(device):
    if device is None or isinstance(device, int):
        return device
    return _device_cls(device).index


def set_device_index(device):
    idx = _index(device)
    if idx is not None and idx < 0:
        return
    _cuda().set_device(idx)


def set_device_idx(device):
    warnings.warn('Use `set_device_index` instead.', FutureWarning, stacklevel=2)
    return set_device_index(device)


def synchronize(device=None):
    _cuda().synchronize(_index(device))


def current_stream(device=None):
    return _cuda().current_stream(_index(device))


def set_stream(stream):
    from .cuda.streams import Stream
    if not isinstance(stream, Stream):
        raise TypeError('_accelerator_setStream(): incompatible function arguments. The following argument '
                        'types are supported:\n    1. (arg0: torch.Stream) -> None\n\nInvoked with: '
                        f'{stream!r}')
    _cuda().set_stream(stream)


class device_index:
    """Make `device` the current accelerator index inside the block; None is a no-op."""
    __module__ = 'torch.accelerator'

    def __init__(self, device):
        self.idx = device
        self.prev_idx = -1

    def __enter__(self):
        if self.idx is None:
            return None
        cuda = _cuda()
        self.prev_idx = cuda.current_device()
        cuda.set_device(self.idx)

    def __exit__(self, *exc):
        if self.idx is not None and self.prev_idx >= 0:
            _cuda().set_device(self.prev_idx)
        return False


def _via_cuda(name):
    def f(*args, **kwargs):
        return getattr(_cuda(), name)(*args, **kwargs)
    f.__name__ = f.__qualname__ = name
    return f


empty_cache = _via_cuda('empty_cache')
memory_stats = _via_cuda('memory_stats')
memory_allocated = _via_cuda('memory_allocated')
max_memory_allocated = _via_cuda('max_memory_allocated')
memory_reserved = _via_cuda('memory_reserved')
max_memory_reserved = _via_cuda('max_memory_reserved')
reset_peak_memory_stats = _via_cuda('reset_peak_memory_stats')
reset_accumulated_memory_stats = _via_cuda('reset_accumulated_memory_stats')
get_memory_info = _via_cuda('mem_get_info')
get_device_capability = _via_cuda('get_device_capability')
