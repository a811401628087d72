"""torch.mps as torch 2.13 has it off macOS: no Metal device is available.

The two queries answer "none" and `manual_seed` does nothing; the other calls raise torch's
"Cannot execute ...() without MPS backend." naming the backend routine torch would have called.
"""
__all__ = ['current_allocated_memory', 'device_count', 'driver_allocated_memory', 'empty_cache',
           'get_rng_state', 'is_available', 'manual_seed', 'recommended_max_memory', 'seed',
           'set_rng_state', 'synchronize']


def _unavailable(routine):
    def f(*args, **kwargs):
        raise RuntimeError(f'Cannot execute {routine}() without MPS backend.')
    return f


def is_available():
    return False


def device_count():
    return 0


def manual_seed(seed):
    """torch skips seeding when there is no MPS device."""


seed = get_rng_state = set_rng_state = _unavailable('getDefaultGenerator')
synchronize = _unavailable('deviceSynchronize')
empty_cache = _unavailable('emptyCache')
current_allocated_memory = _unavailable('getCurrentAllocatedMemory')
driver_allocated_memory = _unavailable('getDriverAllocatedMemory')
recommended_max_memory = _unavailable('getRecommendedMaxMemory')
