"""torch.cuda on CuPy. Everything answers sensibly when CuPy or a GPU is absent."""
from .._device import cuda_available, _cupy, device as _device_cls

_current = [0]


def is_available():
    return cuda_available()


def device_count():
    if not cuda_available():
        return 0
    return _cupy().cuda.runtime.getDeviceCount()


def current_device():
    return _current[0]


def set_device(device):
    idx = device if isinstance(device, int) else (_device_cls(device).index or 0)
    _current[0] = idx
    if cuda_available():
        _cupy().cuda.Device(idx).use()


def synchronize(device=None):
    if cuda_available():
        _cupy().cuda.Device().synchronize()


def manual_seed(seed):
    pass


def manual_seed_all(seed):
    pass


def is_initialized():
    return cuda_available()


def empty_cache():
    if cuda_available():
        _cupy().get_default_memory_pool().free_all_blocks()
