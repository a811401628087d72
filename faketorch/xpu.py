"""torch.xpu as CPU-only torch 2.13 has it: no Intel GPU is ever available.

Scripts probe it next to torch.cuda (`torch.xpu.is_available()`) when choosing a device. The queries
answer "none", the seeding and cache calls do nothing, and what needs a device raises torch's error.
"""
import collections

__all__ = ['current_device', 'device_count', 'empty_cache', 'get_arch_list', 'get_device_capability',
           'get_device_name', 'get_device_properties', 'get_rng_state', 'get_rng_state_all', 'init',
           'initial_seed', 'is_available', 'is_bf16_supported', 'is_initialized', 'is_tf32_supported',
           'manual_seed', 'manual_seed_all', 'max_memory_allocated', 'max_memory_reserved',
           'mem_get_info', 'memory_allocated', 'memory_reserved', 'memory_stats', 'seed', 'seed_all',
           'set_device', 'synchronize']

_NOT_COMPILED = 'Torch not compiled with XPU enabled'


def _raise(*args, **kwargs):
    raise AssertionError(_NOT_COMPILED)


def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False


def is_bf16_supported(including_emulation=True):
    return False


def is_tf32_supported():
    return False


def get_arch_list():
    return []


def get_rng_state_all():
    return []


def manual_seed(seed):
    """torch queues the seed for when the device initialises, which never happens here."""


manual_seed_all = manual_seed


def seed():
    pass


seed_all = seed


def empty_cache():
    pass


def memory_allocated(device=None):
    return 0


max_memory_allocated = memory_reserved = max_memory_reserved = memory_allocated


def memory_stats(device=None):
    return collections.OrderedDict()


init = synchronize = current_device = set_device = get_device_name = get_device_capability = \
    get_device_properties = get_rng_state = initial_seed = mem_get_info = _raise

