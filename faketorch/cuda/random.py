"""torch.cuda seeding on CuPy's generator.

torch's CUDA Philox streams are out of scope: a seeded CUDA run draws from CuPy's generator seeded
with the same seed, so CUDA random numbers differ from torch's (CPU streams are torch-exact).
On a CPU-only build seeding is queued by torch and never happens: a silent no-op, as here. Until
CuPy is loaded (no CUDA tensor yet), torch.manual_seed only records the seed; the first GPU draw
applies it. The RNG state is (seed, 0): setting it re-seeds, it does not resume mid-stream.
"""
import os
import random as _pyrandom

from .. import _xnp as np

from .._device import cuda_available, cupy_loaded, in_bad_fork, _cupy

_seeds = {}                 # device index -> last seed
_DEFAULT_SEED = 67280421310721
_pending = []               # a seed given before CuPy was loaded


def _seed_device(idx, seed):
    _seeds[idx] = seed
    if in_bad_fork():        # as torch in a forked DataLoader worker: remembered, not applied
        return
    cp = _cupy()
    with cp.cuda.Device(idx):
        cp.random.seed(seed)


def manual_seed(seed):
    seed = int(seed)
    if cuda_available():
        _seed_device(_cupy().cuda.runtime.getDevice(), seed)


def manual_seed_all(seed):
    seed = int(seed)
    if in_bad_fork():
        return
    if not cupy_loaded():      # torch.manual_seed in a CPU-only script must not load CuPy
        _pending[:] = [seed]
        return
    if cuda_available():
        for i in range(_cupy().cuda.runtime.getDeviceCount()):
            _seed_device(i, seed)


def seed():
    if cuda_available():
        manual_seed(_pyrandom.getrandbits(63))


def seed_all():
    if cuda_available():
        manual_seed_all(_pyrandom.getrandbits(63))


def _index(device):
    from . import _get_device_index, _lazy_init
    _lazy_init()
    idx = _get_device_index(device, optional=True) if device != 'cuda' else None
    return _cupy().cuda.runtime.getDevice() if idx is None else idx


def initial_seed():
    return _seeds.get(_index(None), _DEFAULT_SEED)


def get_rng_state(device='cuda'):
    from .._tensor import _make
    from .. import _dtype as D
    seed = _seeds.get(_index(device), _DEFAULT_SEED)
    state = np.array([seed, 0], dtype=np.uint64).view(np.uint8)
    return _make(state, D.uint8)


def get_rng_state_all():
    if not cuda_available():
        return []
    return [get_rng_state(i) for i in range(_cupy().cuda.runtime.getDeviceCount())]


def set_rng_state(new_state, device='cuda'):
    if not cuda_available():
        return          # torch queues the call until CUDA initialises, which never happens
    from ..random import _state_array
    data = np.ascontiguousarray(_state_array(new_state.clone()))     # torch's check: a CPU ByteTensor
    _seed_device(_index(device), int(data[:8].view(np.uint64)[0]))


def set_rng_state_all(new_states):
    for i, state in enumerate(new_states):
        set_rng_state(state, i)


# --- draws on the GPU (CuPy's generator) -------------------------------------------------------------
# Random ops on a CUDA tensor with the default generator draw here, so that dropout masks and randn
# never cross the bus; the numbers are CuPy's (torch's CUDA Philox streams are not reproduced). A
# torch.Generator passed explicitly is a CPU generator: its draws are made on the host and copied.

def _float(dtype):
    return dtype if dtype in (np.float32, np.float64) else np.float32   # CuPy draws float32/64 only


def _uniform(cp, shape, dtype, low=0.0, high=1.0):
    u = cp.random.random(shape, dtype=_float(dtype))
    return (u * (high - low) + low).astype(dtype, copy=False)


def _normal(cp, shape, dtype, mean=0.0, std=1.0, contiguous=True):
    return (cp.random.standard_normal(shape, dtype=_float(dtype)) * std + mean).astype(dtype, copy=False)


def _normal_tensor(cp, mean, std, dtype):
    shape = cp.broadcast_shapes(getattr(mean, 'shape', ()), getattr(std, 'shape', ()))
    return (cp.random.standard_normal(shape, dtype=_float(dtype)) * std + mean).astype(dtype, copy=False)


def _random(cp, shape):
    return cp.random.random(shape)


def _bernoulli(cp, p, shape, dtype):
    return (cp.random.random(shape) < p).astype(dtype)


def _bernoulli_tensor(cp, p, shape, dtype):
    return (cp.random.random(shape) < cp.asarray(p)).astype(dtype)


def _randint(cp, low, high, shape, dtype):
    return cp.random.randint(low, high, size=shape, dtype=np.int64).astype(dtype, copy=False)


def _randperm(cp, n, dtype):
    return cp.random.permutation(n).astype(dtype, copy=False)


def _exponential(cp, shape, dtype, lambd=1.0):
    return cp.random.exponential(1.0 / lambd, shape, dtype=_float(dtype)).astype(dtype, copy=False)


def _cauchy(cp, shape, dtype, median=0.0, sigma=1.0):
    return (cp.random.standard_cauchy(shape, dtype=_float(dtype)) * sigma + median).astype(dtype, copy=False)


def _log_normal(cp, shape, dtype, mean=1.0, std=2.0):
    return cp.random.lognormal(mean, std, shape, dtype=_float(dtype)).astype(dtype, copy=False)


def _geometric(cp, shape, dtype, p):
    return cp.random.geometric(p, shape).astype(dtype, copy=False)


_DRAWS = {'random': _random, 'uniform': _uniform, 'normal': _normal, 'normal_tensor': _normal_tensor,
          'bernoulli': _bernoulli, 'bernoulli_tensor': _bernoulli_tensor, 'randint': _randint, 'randperm': _randperm,
          'exponential': _exponential, 'cauchy': _cauchy, 'log_normal': _log_normal, 'geometric': _geometric}


def cpu_stream():
    """FAKETORCH_CUDA_RNG=cpu: CUDA tensors take their random numbers from torch's CPU stream (faketorch's
    CPU generator, drawn on the host and copied over), so a seeded run prints the same numbers on the GPU as
    on the CPU, faketorch's or torch's. Slower (host draws and copies); the emulated conformance run uses it."""
    return os.environ.get('FAKETORCH_CUDA_RNG') == 'cpu'


def draw(device, name, *args):
    """The CuPy counterpart of faketorch._rng.<name>(generator, *args), on `device`; None if there is
    none (random_ with its dtype-wide default bounds stays on the host)."""
    f = _DRAWS.get(name)
    if f is None:
        return None
    if cpu_stream():
        from .. import _rng
        from ..random import default_generator
        from .._device import to_device_array
        return to_device_array(getattr(_rng, name)(default_generator, *(np.host(a) for a in args)), device)
    if _pending:
        manual_seed_all(_pending.pop())
    cp = _cupy()
    # bfloat16 (named by a string: NumPy has none) is drawn as float32; its tensor rounds it
    args = tuple(np.float32 if a.__class__ is str and a == 'bfloat16' else a for a in args)
    with cp.cuda.Device(device.index or 0):
        return f(cp, *args)
