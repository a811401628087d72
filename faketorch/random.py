"""torch.random: Generator, the default generator, manual_seed, get/set_rng_state, fork_rng.

The engine and the distributions live in faketorch._rng; see /work/shared/RNG.md.
"""
import contextlib
import os

from . import _xnp as np

from . import _rng
from ._device import device as _device

__all__ = ['set_rng_state', 'get_rng_state', 'manual_seed', 'seed', 'initial_seed', 'fork_rng',
           'thread_safe_generator']

_CUDA_MISSING = (
    'Cannot get CUDA generator without ATen_cuda library. PyTorch splits its backend into two shared '
    'libraries: a CPU library and a CUDA library; this error has occurred because you are trying to use '
    'some CUDA functionality, but the CUDA library has not been loaded by the dynamic linker for some '
    "reason.  The CUDA library MUST be loaded, EVEN IF you don't directly use any symbols from the CUDA "
    "library! One common culprit is a lack of -Wl,--no-as-needed in your link arguments; many dynamic "
    "linkers will delete dynamic library dependencies if you don't depend on any of their symbols.  You "
    'can check if this has occurred by using ldd on your binary to see if there is a dependency on '
    '*_cuda.so library.')


# what a CPU-only torch says when asked for another backend's generator
_NO_GENERATOR = {
    'mps': 'Cannot execute getNewGenerator() without MPS backend.',
    'mtia': 'Cannot execute getNewGenerator() without MTIA backend.',
    'xpu': 'Cannot get XPU generator without ATen_xpu library.',
    'hpu': 'Backend doesn`t support getNewGenerator()',
    'privateuseone': 'Please register PrivateUse1HooksInterface by `RegisterPrivateUse1HooksInterface` first.',
    'xla': 'Cannot get XLA generator without torch_xla library. This error has occurred because you are trying to use '
           'some XLA functionality, but the XLA library has not been loaded by the dynamic linker. You must load xla '
           'libraries by `import torch_xla`',
}


def _tp_name(x):
    """The C-level type name torch's messages print (numpy.float64, list, Tensor)."""
    t = type(x)
    if t is Generator:
        return 'torch._C.Generator'
    # a user's Python class (Py_TPFLAGS_HEAPTYPE, 1 << 9) and Tensor's subclasses print bare; faketorch's
    # stand-ins for torch's C types (memory_format, layout ...) print with their package
    from ._tensor import Tensor
    if t.__module__ in ('builtins',) or isinstance(x, Tensor) or \
            t.__flags__ & (1 << 9) and not t.__module__.startswith('faketorch'):
        return t.__name__
    pkg = t.__module__.split('.')[0]
    return f"{'torch' if pkg == 'faketorch' else pkg}.{t.__name__}"


def _check_seed(seed):
    """torch's unpacking of a seed for Generator.manual_seed: an int (not bool) in
    [-2^63, 2^64); negatives wrap to two's complement."""
    if isinstance(seed, np.integer):
        raise TypeError('an integer is required')
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise RuntimeError(f'manual_seed expected a long, but got {_tp_name(seed)}')
    if not -2 ** 63 <= seed < 2 ** 64:
        raise ValueError('Overflow when unpacking long long')
    return seed & 0xFFFFFFFFFFFFFFFF


def _urandom64():
    return int.from_bytes(os.urandom(8), 'little')


class Generator(_rng._State):
    """A CPU random-number generator: torch's mt19937 with its own normal cache.

    A fresh Generator is seeded with 67280421310721, as torch's."""
    __slots__ = ('device',)

    def __init__(self, *args, **kwargs):
        if len(args) > 1:
            raise TypeError(f'Generator() takes from 0 to 1 positional arguments but {len(args)} were given')
        for k in kwargs:
            if k != 'device':
                raise TypeError(f"Generator() got an unexpected keyword argument '{k}'")
            if args:
                raise TypeError("Generator() got multiple values for argument 'device'")
        device = args[0] if args else kwargs.get('device', 'cpu')
        if device is None:
            device = 'cpu'
        if not isinstance(device, (str, _device)):
            raise RuntimeError('Cannot access accelerator device when none is available.')
        dev = _device(device)
        if dev.type == 'cuda':
            raise RuntimeError(_CUDA_MISSING)
        if dev.type != 'cpu':
            raise RuntimeError(_NO_GENERATOR.get(dev.type, f'{dev.type.upper()} device type not an accelerator.'))
        super().__init__(_rng.DEFAULT_SEED)
        self.device = _device('cpu')

    def __repr__(self):
        return f'<torch._C.Generator object at {id(self):#x}>'

    def manual_seed(self, seed):
        """Seed the generator (only the low 32 bits reach the engine); returns self."""
        self._seed_engine(_check_seed(seed))
        return self

    def seed(self):
        """Re-seed from a non-deterministic 64-bit value, and return it."""
        s = _urandom64()
        self._seed_engine(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The 5056-byte state as a uint8 tensor (torch's CPUGeneratorImplState layout)."""
        from faketorch._tensor import _wrap
        return _wrap(self._get_state_bytes())

    def set_state(self, new_state):
        self._set_state_bytes(_state_array(new_state))
        return self

    def clone_state(self):
        g = Generator()
        g._set_state_bytes(self._get_state_bytes())
        return g

    def graphsafe_get_state(self):
        raise NotImplementedError('graphsafe_get_state is not supported in this Generator')

    def graphsafe_set_state(self, state):
        if not isinstance(state, Generator):
            raise TypeError(f'expected a Generator, but got {_tp_name(state)}')
        raise NotImplementedError('graphsafe_set_state is not supported in this Generator')

    def get_offset(self):
        raise RuntimeError('CPU Generator does not use offset')

    def set_offset(self, offset):
        raise RuntimeError('CPU Generator does not use offset')

    def __reduce__(self):
        return (Generator, (self.device,), (self.initial_seed(), None, self.get_state()))

    def __setstate__(self, state):
        seed, offset, st = state
        self.manual_seed(seed)
        if offset is not None:
            self.set_offset(offset)
        self.set_state(st)


def _state_array(new_state):
    """The uint8 array of a state tensor (or, for tests, of a NumPy array)."""
    if isinstance(new_state, np.ndarray):
        if new_state.dtype != np.uint8:
            raise TypeError('RNG state must be a torch.ByteTensor')
        return new_state
    from faketorch._tensor import Tensor
    if isinstance(new_state, Tensor):
        if new_state.dtype.name != 'uint8' or new_state._device.type != 'cpu':     # a CPU one, for any generator
            raise TypeError('RNG state must be a torch.ByteTensor')
        if not new_state.is_contiguous():
            raise RuntimeError('RNG state must be contiguous')
        return np.asarray(new_state._data)
    raise TypeError(f'expected a torch.ByteTensor, but got {_tp_name(new_state)}')


# torch seeds its default CPU generator from /dev/urandom at start-up
default_generator = Generator()
default_generator.seed()


def _other_devices(fn, seed):
    try:
        from faketorch import cuda
        getattr(cuda, fn)(seed)
    except (ImportError, AttributeError):
        pass


def manual_seed(seed):
    """Seed every device's default generator; returns the CPU one."""
    seed = int(seed)
    _other_devices('manual_seed_all', seed)
    return default_generator.manual_seed(seed)


def seed():
    """Re-seed from a non-deterministic value; returns it."""
    s = default_generator.seed()
    _other_devices('manual_seed_all', s)
    return s


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller='fork_rng', _devices_kw='devices', device_type='cuda'):
    """Restore the CPU generator's state (and that of each forked `device_type` device) on exit."""
    if device_type == 'meta':
        yield
        return
    import faketorch
    device_type = _device(device_type).type
    device_mod = getattr(faketorch, device_type, None)
    if device_mod is None:
        raise RuntimeError(f'torch has no module of `{device_type}`, you should register a module by '
                           f'`torch._register_device_module`.')
    if not enabled:
        yield
        return
    devices = list(range(device_mod.device_count())) if devices is None else list(devices)
    cpu_state = get_rng_state()
    dev_states = [device_mod.get_rng_state(d) for d in devices]
    try:
        yield
    finally:
        set_rng_state(cpu_state)
        for d, st in zip(devices, dev_states):
            device_mod.set_rng_state(st, d)


def thread_safe_generator():
    """The DataLoader thread worker's generator, or None (use the default generator)."""
    try:
        from faketorch.utils.data import get_worker_info
    except ImportError:
        return None
    info = get_worker_info()
    if info is not None and getattr(info, 'worker_method', None) == 'thread' and getattr(info, 'rng', None):
        return info.rng.torch_generator
    return None
