"""torch.cuda seeding on CuPy's generator.

torch's CUDA Philox streams are out of scope: a seeded CUDA run draws from CuPy's generator seeded
with the same seed, so CUDA random numbers differ from torch's (CPU streams are torch-exact).
On a CPU-only build seeding is queued by torch and never happens: a silent no-op, as here.
GPU path untested here. The RNG state is (seed, 0): setting it re-seeds, it does not resume mid-stream.
"""
import random as _pyrandom

from .. import _xnp as np

from .._device import cuda_available, in_bad_fork, _cupy

_seeds = {}                 # device index -> last seed
_DEFAULT_SEED = 67280421310721


def _seed_device(idx, seed):
    _seeds[idx] = seed
    if in_bad_fork():        # as torch in a forked DataLoader worker: remembered, not applied
        return
    cp = _cupy()
    with cp.cuda.Device(idx):
        cp.random.seed(seed)
    _seeds[idx] = seed


def manual_seed(seed):
    seed = int(seed)
    if cuda_available():
        _seed_device(_cupy().cuda.runtime.getDevice(), seed)


def manual_seed_all(seed):
    seed = int(seed)
    if in_bad_fork():
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
    data = np.ascontiguousarray(new_state._data)
    _seed_device(_index(device), int(data[:8].view(np.uint64)[0]))


def set_rng_state_all(new_states):
    for i, state in enumerate(new_states):
        set_rng_state(state, i)
