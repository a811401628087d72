"""torch.cpu.amp: the deprecated CPU-only spellings of torch.amp (each warns FutureWarning)."""
import warnings

from ...amp import autocast_mode as _am
from ...amp.grad_scaler import GradScaler as _GradScaler
from ... import _dtype as D

__all__ = ['autocast', 'GradScaler']


class autocast(_am.autocast):
    __module__ = 'torch.cpu.amp.autocast_mode'

    def __init__(self, enabled=True, dtype=D.bfloat16, cache_enabled=True):
        warnings.warn("`torch.cpu.amp.autocast(args...)` is deprecated. Please use `torch.amp.autocast('cpu', "
                      "args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__('cpu', enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)


class GradScaler(_GradScaler):
    __module__ = 'torch.cpu.amp.grad_scaler'

    def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000,
                 enabled=True):
        warnings.warn("`torch.cpu.amp.GradScaler(args...)` is deprecated. Please use `torch.amp.GradScaler('cpu', "
                      "args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__('cpu', init_scale=init_scale, growth_factor=growth_factor, backoff_factor=backoff_factor,
                         growth_interval=growth_interval, enabled=enabled)
