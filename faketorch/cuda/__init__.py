"""torch.cuda on CuPy.

Without CuPy or without a GPU every function answers exactly as a CPU-only torch 2.13 build does
(that build is the oracle on CI machines): queries return False/0/[], seeding is a silent no-op,
anything that needs a device raises "Torch not compiled with CUDA enabled". Importing this module
never imports CuPy; the first question that needs the GPU does.

The CuPy paths (marked "GPU path") have not been run on a GPU by the author of this file; the CPU
behaviour is tested against torch in tests/test_cuda_api.py and conformance/cases/cuda.py.
"""
import warnings

import numpy as np

from .._device import cuda_available, _cupy, device as _device_cls
from .. import _dtype as D

NOT_COMPILED = 'Torch not compiled with CUDA enabled'

has_half = True
has_magma = False
default_generators = ()


def _lazy_init():
    """torch initialises CUDA on first real use; a CPU-only build fails right here."""
    if not cuda_available():
        raise AssertionError(NOT_COMPILED)


def _lazy_type_init():
    """What Tensor.type('torch.cuda.FloatTensor') raises on a build without the CUDA library."""
    if not cuda_available():
        from ..random import _CUDA_MISSING
        raise RuntimeError(_CUDA_MISSING.replace('Cannot get CUDA generator', 'Cannot initialize CUDA'))


def _is_compiled():
    return cuda_available()


def is_available():
    return cuda_available()


def is_initialized():
    return cuda_available() and _initialized[0]


_initialized = [False]


def init():
    _lazy_init()
    _initialized[0] = True


def device_count():
    if not cuda_available():
        return 0
    return _cupy().cuda.runtime.getDeviceCount()


def current_device():
    _lazy_init()
    return _cupy().cuda.runtime.getDevice()


def _get_device_index(device, optional=False, allow_cpu=False):
    """torch.cuda._utils._get_device_index: int, 'cuda:1', device, cuda.device or None -> int."""
    if isinstance(device, int):
        return device
    if isinstance(device, str):
        device = _device_cls(device)
    if isinstance(device, _device_cls):
        if allow_cpu:
            if device.type not in ('cuda', 'cpu'):
                raise ValueError(f"Expected a cuda or cpu device, but got: {device}")
            if device.type == 'cpu':
                return -1
        elif device.type != 'cuda':
            raise ValueError(f"Expected a cuda device, but got: {device}")
        if device.index is not None:
            return device.index
    if isinstance(device, _DeviceContext):
        return device.idx
    if optional:
        # torch asks the current accelerator; with none it gets None back (see device.__enter__)
        return current_device() if cuda_available() else None
    raise ValueError(f"Expected a torch.device with a specified index or an integer, but got:{device}")


def set_device(device):
    idx = _get_device_index(device)
    if idx < 0:
        return
    if not cuda_available():
        # a CPU-only torch has no binding for this; it fails on the attribute lookup (matched on purpose)
        raise AttributeError("module 'torch._C' has no attribute '_cuda_setDevice'")
    _cupy().cuda.runtime.setDevice(idx)       # GPU path


class _DeviceContext:
    """torch.cuda.device(idx): make idx the current device inside the block."""

    def __init__(self, device):
        self.idx = _get_device_index(device, optional=True)
        self.prev_idx = -1

    def __enter__(self):
        if self.idx is None:
            raise TypeError("'<' not supported between instances of 'NoneType' and 'int'")
        if self.idx == -1:
            return
        if not cuda_available():
            raise RuntimeError('PyTorch was compiled without CUDA support')
        rt = _cupy().cuda.runtime              # GPU path
        self.prev_idx = rt.getDevice()
        if self.prev_idx != self.idx:
            rt.setDevice(self.idx)

    def __exit__(self, *exc):
        if self.idx not in (None, -1) and self.prev_idx not in (-1, self.idx):
            _cupy().cuda.runtime.setDevice(self.prev_idx)
        return False


_DeviceContext.__name__ = _DeviceContext.__qualname__ = 'device'
_DeviceContext.__module__ = 'torch.cuda'
device = _DeviceContext


def device_of(obj):
    """The device context of a tensor: a no-op for CPU tensors."""
    return device(obj.get_device() if obj.is_cuda else -1)


class _CudaDeviceProperties:
    __module__ = 'torch._C'

    def __init__(self, props):
        name = props['name']
        self.name = name.decode() if isinstance(name, bytes) else name
        self.major, self.minor = props['major'], props['minor']
        self.total_memory = props['totalGlobalMem']
        self.multi_processor_count = props['multiProcessorCount']
        self.is_integrated = props.get('integrated', 0)
        self.is_multi_gpu_board = props.get('isMultiGpuBoard', 0)
        self.L2_cache_size = props.get('l2CacheSize', 0)
        self.warp_size = props.get('warpSize', 32)
        self.max_threads_per_multi_processor = props.get('maxThreadsPerMultiProcessor', 0)

    def __repr__(self):
        return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, minor={self.minor}, "
                f"total_memory={self.total_memory // (1024 * 1024)}MB, "
                f"multi_processor_count={self.multi_processor_count}, "
                f"L2_cache_size={self.L2_cache_size // (1024 * 1024)}MB)")


def get_device_properties(device=None):
    _lazy_init()
    idx = _get_device_index(device, optional=True)
    if idx < 0 or idx >= device_count():
        raise AssertionError('Invalid device id')
    return _CudaDeviceProperties(_cupy().cuda.runtime.getDeviceProperties(idx))   # GPU path


def get_device_name(device=None):
    return get_device_properties(device).name


def get_device_capability(device=None):
    p = get_device_properties(device)
    return p.major, p.minor


def synchronize(device=None):
    _lazy_init()
    idx = _get_device_index(device, optional=True)
    with _cupy().cuda.Device(idx):             # GPU path
        _cupy().cuda.runtime.deviceSynchronize()


def get_arch_list():
    if not cuda_available():
        return []
    major, minor = get_device_capability()     # GPU path: CuPy compiles for the device it finds
    return [f'sm_{major}{minor}']


def get_gencode_flags():
    arches = get_arch_list()
    return ' '.join(f'-gencode compute=compute_{a[3:]},code={a}' for a in arches)


def is_bf16_supported(including_emulation=True):
    # faketorch cannot hold bfloat16 arrays (NumPy/CuPy have no such type)
    return False


def is_tf32_supported():
    if not cuda_available():
        return False
    return get_device_capability()[0] >= 8      # GPU path


def mem_get_info(device=None):
    _lazy_init()
    with _cupy().cuda.Device(_get_device_index(device, optional=True)):   # GPU path
        return _cupy().cuda.runtime.memGetInfo()


def _needs_cuda(name):
    """Functions that exist only to talk to the CUDA runtime: on a CPU-only build they all fail in
    _lazy_init; faketorch has no CuPy equivalent for them (said in the message)."""
    def f(*args, **kwargs):
        _lazy_init()
        raise NotImplementedError(f'faketorch: torch.cuda.{name} has no CuPy equivalent')
    f.__name__ = f.__qualname__ = name
    return f


for _n in ('set_per_process_memory_fraction', 'get_per_process_memory_fraction', 'caching_allocator_alloc',
           'caching_allocator_delete', 'cudart', 'can_device_access_peer'):
    globals()[_n] = _needs_cuda(_n)
del _n


_SPIN = r"""
extern "C" __global__ void spin(long long cycles) {
    long long start = clock64();
    while (clock64() - start < cycles) {}
}
"""


def _sleep(cycles):
    """Keeps the GPU busy for about `cycles` clock cycles on the current stream (tests of stream
    ordering use it). A CPU-only torch has no such binding."""
    if not cuda_available():
        raise AttributeError("module 'torch._C' has no attribute '_cuda_sleep'")
    kernel = _cupy().RawKernel(_SPIN, 'spin')      # compiled once: CuPy caches it by source
    kernel((1,), (1,), (np.int64(cycles),))


def ipc_collect():
    """Frees CUDA memory other processes no longer use through IPC: faketorch shares none."""
    _lazy_init()


def current_blas_handle():
    _lazy_init()
    return _cupy().cuda.device.get_cublas_handle()      # GPU path


def current_solver_handle():
    _lazy_init()
    return _cupy().cuda.device.get_cusolver_handle()    # GPU path


_sync_debug_mode = [0]
_SYNC_MODES = {'default': 0, 'warn': 1, 'error': 2}


def set_sync_debug_mode(debug_mode):
    """Recorded; faketorch does not report synchronizing operations (said once by a warning)."""
    _lazy_init()
    if isinstance(debug_mode, str):
        if debug_mode not in _SYNC_MODES:
            raise RuntimeError('invalid value of debug_mode, expected one of `default`, `warn`, `error`')
        debug_mode = _SYNC_MODES[debug_mode]
    if debug_mode and not _sync_debug_mode[0]:
        warnings.warn('faketorch: set_sync_debug_mode is recorded, but synchronizing operations are not reported',
                      stacklevel=2)
    _sync_debug_mode[0] = int(debug_mode)


def get_sync_debug_mode():
    _lazy_init()
    return _sync_debug_mode[0]


def list_gpu_processes(device=None):
    return 'pynvml module not found, please install nvidia-ml-py'


def _no_nvml(device=None):
    raise ModuleNotFoundError("nvidia-ml-py does not seem to be installed or it can't be imported.")


utilization = memory_usage = temperature = power_draw = clock_rate = _no_nvml


class _DummyBase:
    """torch's CPU build binds these names to dummy classes that refuse to be instantiated."""

    def __new__(cls, *args, **kwargs):
        raise RuntimeError(f'Tried to instantiate dummy base class {cls._dummy_name}')


def is_current_stream_capturing():
    if not cuda_available():
        raise RuntimeError('Tried to instantiate dummy base class _cuda_isCurrentStreamCapturing')
    return False


class CUDAGraph(_DummyBase):
    _dummy_name = 'CUDAGraph'


class OutOfMemoryError(RuntimeError):
    """torch.OutOfMemoryError (the same class as torch.cuda.OutOfMemoryError)."""
    __module__ = 'torch'


# --- legacy tensor and storage types: torch.cuda.FloatTensor ... -----------------------------------

class _CudaLegacyMeta(type):
    def __instancecheck__(cls, obj):
        from .._tensor import Tensor
        return isinstance(obj, Tensor) and obj.dtype is cls._legacy_dtype and obj._device.type == 'cuda'

    def __call__(cls, *args, device=None):
        if not cuda_available():
            raise TypeError(f'type torch.cuda.{cls.__name__} not available. Torch not compiled with CUDA '
                            f'enabled.')
        from .._ops.factory import _legacy_new           # GPU path
        from .._tensor import Tensor
        return _legacy_new(Tensor, cls._legacy_dtype, args, device=device or 'cuda')


def _legacy_tensor_class(dt):
    return _CudaLegacyMeta(D.legacy_names[dt.name], (), {
        '_legacy_dtype': dt, 'dtype': dt, 'is_cuda': True, 'is_sparse': False, '__module__': 'torch.cuda'})


_TENSOR_TYPES = ('float32', 'float64', 'float16', 'bfloat16', 'uint8', 'int8', 'int16', 'int32', 'int64',
                 'bool')
for _name in _TENSOR_TYPES:
    _dt = getattr(D, _name)
    globals()[D.legacy_names[_name]] = _legacy_tensor_class(_dt)


def _legacy_storage_class(name, dt):
    def __new__(cls, *args, **kwargs):
        from .. import storage
        if not storage._warned_typed:       # once per process, shared with Tensor.storage(), as torch
            storage._warned_typed.append(True)
            warnings.warn('TypedStorage is deprecated. It will be removed in the future and UntypedStorage will '
                          'be the only storage class. This should only matter to you if you are using storages '
                          'directly.  To access UntypedStorage directly, use tensor.untyped_storage() instead '
                          'of tensor.storage()', UserWarning, stacklevel=2)
        _lazy_init()
        from ..storage import TypedStorage                 # GPU path
        return TypedStorage(*args, dtype=dt, device='cuda')
    return type(name, (), {'__new__': __new__, 'dtype': dt, 'is_cuda': True, 'is_sparse': False,
                           '__module__': 'torch.cuda'})


for _name in _TENSOR_TYPES + ('complex64', 'complex128'):
    _dt = getattr(D, _name)
    _sname = D.legacy_names[_name].replace('Tensor', 'Storage')
    globals()[_sname] = _legacy_storage_class(_sname, _dt)
del _name, _dt, _sname


# --- Tensor.pin_memory / is_pinned: page-locked host memory needs an accelerator -----------------

def _pin_memory(self, device=None):
    if not cuda_available():
        raise RuntimeError('Cannot access accelerator device when none is available.')
    if self._device.type != 'cpu':
        from .._dtype import type_str
        raise RuntimeError(f"cannot pin '{type_str(self.dtype, self._device)}' only dense CPU tensors can be pinned")
    import cupyx
    from .._tensor import _make
    from .._ops._core import attach
    from ..autograd.grad_mode import state as grad_state
    pinned = cupyx.empty_pinned(self._data.shape, self._data.dtype)     # page-locked: faster copies to the GPU
    pinned[...] = self._data
    r = _make(pinned, self.dtype, self._device)
    if grad_state.enabled and self._requires_grad:
        attach('PinMemoryBackward0', lambda node, g: (g,), (self,), (r,))
    return r


def _is_pinned(self, device=None):
    root = self._data
    while isinstance(root.base, np.ndarray):
        root = root.base
    return type(root.base).__name__ == 'PinnedMemoryPointer'      # under cupyx.empty_pinned's arrays


from .._ops._core import register as _register  # noqa: E402
_register(_pin_memory, name='pin_memory', function=False)
_register(_is_pinned, name='is_pinned', function=False)

from .memory import (empty_cache, memory_allocated, max_memory_allocated, memory_reserved,  # noqa: E402
                     max_memory_reserved, memory_cached, max_memory_cached, reset_peak_memory_stats,
                     reset_max_memory_allocated, reset_max_memory_cached, reset_accumulated_memory_stats,
                     memory_stats, memory_stats_as_nested_dict, memory_summary, memory_snapshot)
from .random import (manual_seed, manual_seed_all, seed, seed_all, initial_seed, get_rng_state,  # noqa: E402
                     get_rng_state_all, set_rng_state, set_rng_state_all)
from .streams import (Stream, Event, ExternalStream, StreamContext, stream, current_stream,  # noqa: E402
                      default_stream, set_stream)
from . import amp, nvtx, nccl  # noqa: E402,F401
