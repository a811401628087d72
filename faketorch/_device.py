"""torch.device, and the one place that maps a device to its array module (numpy | cupy | meta)."""
import contextlib
import os

import numpy as np

from . import _meta

__all__ = ['device']


class device:
    __slots__ = ('type', 'index')

    def __new__(cls, type=None, index=None):
        if isinstance(type, device):
            return type
        if isinstance(type, int) and index is None:   # torch.device(0): index 0 of the current accelerator
            if type < 0:
                raise RuntimeError('Device index must not be negative')
            if not cuda_available():
                raise RuntimeError('Cannot access accelerator device when none is available.')
            type, index = 'cuda', type
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got ({_b_typename(type)})")
        if not type:
            raise RuntimeError("Device string must not be empty")
        if ':' in type:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was passed explicitly: {type}")
            type, _, idx = type.partition(':')
            if not idx.isdigit() or (len(idx) > 1 and idx[0] == '0'):    # torch refuses 'cuda:01'
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if index is not None and index < 0:
            raise RuntimeError('Device index must not be negative')
        if type not in _KNOWN:
            raise RuntimeError(f"Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, "
                               f"hip, ve, fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, "
                               f"privateuseone device type at start of device string: {type}")
        key = (type, index)
        d = _CACHE.get(key)
        if d is None:
            d = object.__new__(cls)
            object.__setattr__(d, 'type', type)
            object.__setattr__(d, 'index', index)
            _CACHE[key] = d
        return d

    def __setattr__(self, k, v):
        raise AttributeError(f"attribute '{k}' of 'torch.device' objects is not writable")

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f'{self.type}:{self.index}'

    def __eq__(self, other):     # a string never equals a device in torch (its __eq__ declines them)
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))

    def __enter__(self):        # `with torch.device(d):` factories make their tensors on d
        _entered.append(default[0])
        default[0] = self
        return self

    def __exit__(self, *a):
        default[0] = _entered.pop()
        return False


def _b_typename(x):
    return type(x).__name__


_KNOWN = ('cpu', 'cuda', 'meta', 'mps', 'xpu', 'xla', 'hip', 'ipu', 'mkldnn', 'opengl', 'opencl',
          'ideep', 've', 'fpga', 'maia', 'lazy', 'vulkan', 'hpu', 'mtia', 'privateuseone')
_CACHE = {}
cpu = device('cpu')
meta = device('meta')
default = [None]        # torch.set_default_device: where factories put tensors when not told
_entered = []           # the defaults that `with torch.device(...)` blocks replaced


def xp_of(dev):
    """The array module that holds tensors of this device."""
    if dev.type == 'cpu':
        return np
    if dev.type == 'cuda':
        return _cuda_xp()
    if dev.type == 'meta':
        return _meta.xp
    raise RuntimeError(f"faketorch: device type {dev.type} is not supported")


_cupy_mod = []


def _cupy():
    if not _cupy_mod:
        try:
            import cupy
        except ImportError:
            raise AssertionError("Torch not compiled with CUDA enabled") from None
        try:        # singular / not positive-definite matrices raise LinAlgError as NumPy's do, not NaNs
            import cupyx
            cupyx.seterr(linalg='raise')
        except (ImportError, AttributeError):
            pass
        _cupy_mod.append(cupy)
        _cupy_pid.append(os.getpid())
    return _cupy_mod[0]


_cupy_pid = []


def cupy_loaded():
    return bool(_cupy_mod)


BAD_FORK = ("Cannot re-initialize CUDA in forked subprocess. To use CUDA with multiprocessing, you must use the "
            "'spawn' start method")


def _cuda_xp():
    """CuPy, to hold arrays on a CUDA device: a process forked after CUDA was used (a DataLoader worker)
    refuses with torch's _lazy_init error, where CuPy would raise its own."""
    if in_bad_fork():
        raise RuntimeError(BAD_FORK)
    return _cupy()


def in_bad_fork():
    """A child forked after CuPy was loaded (a DataLoader worker): CUDA cannot be used there."""
    return bool(_cupy_pid) and _cupy_pid[0] != os.getpid()


_cuda_ok = []


def cuda_available():
    """CuPy importable and at least one GPU; asked once per process (torch caches it too)."""
    if not _cuda_ok:
        try:
            _cuda_ok.append(_cupy().cuda.runtime.getDeviceCount() > 0)
        except Exception:
            _cuda_ok.append(False)
    return _cuda_ok[0]


# What torch raises for a device type this build cannot use (a CPU-only torch 2.13 build).
_NOT_BUILT = {
    'cuda': (AssertionError, 'Torch not compiled with CUDA enabled'),
    'xpu': (AssertionError, 'Torch not compiled with XPU enabled'),
    'mps': (RuntimeError, 'PyTorch is not linked with support for mps devices'),
}


def check_device(dev):
    """Raise torch's error when `dev` names a device this machine cannot hold tensors on."""
    if dev.type == 'cpu' or dev.type == 'meta':
        return
    if dev.type == 'cuda' and cuda_available():
        _cuda_xp()
        return
    exc, msg = _NOT_BUILT.get(dev.type, (RuntimeError, f"faketorch: device type {dev.type} is not supported"))
    raise exc(msg)


def module_of(arr):
    """The array module an array belongs to (numpy for anything that is not a CuPy or a meta array)."""
    if arr.__class__ is np.ndarray:
        return np
    if arr.__class__ is _meta.ndarray:
        return _meta.xp
    if not hasattr(arr, '__cuda_array_interface__'):
        return np
    return _cupy()


def device_of_array(arr):
    """The device an array lives on (CuPy arrays carry .device.id; meta arrays are on meta)."""
    if isinstance(arr, np.ndarray) or np.isscalar(arr):
        return cpu
    if arr.__class__ is _meta.ndarray:
        return meta
    return device('cuda', int(arr.device.id))


def on(dev):
    """The context in which dev's library makes arrays on dev (a CUDA device's index; meta has one place)."""
    return _cuda_xp().cuda.Device(dev.index or 0) if dev.type == 'cuda' else contextlib.nullcontext()


def to_device_array(arr, dev):
    """Copy an array onto a device (no copy if it is already there)."""
    if dev.type == 'meta':
        return _meta.to_meta(arr)
    if dev.type == 'cpu':       # (a meta array's get() raises torch's error: it has no data)
        return arr.get() if hasattr(arr, 'get') and not isinstance(arr, np.ndarray) else arr
    cp = _cuda_xp()
    with cp.cuda.Device(dev.index or 0):
        return cp.asarray(arr)
