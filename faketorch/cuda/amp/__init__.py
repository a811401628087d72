"""torch.cuda.amp: the deprecated CUDA-only spellings of torch.amp (each warns FutureWarning)."""
import functools
import warnings

from ...amp import autocast_mode as _am
from ...amp.grad_scaler import GradScaler as _GradScaler, OptState  # noqa: F401
from ..._device import cuda_available
from ... import _dtype as D

__all__ = ['amp_definitely_not_available', 'autocast', 'custom_bwd', 'custom_fwd', 'GradScaler']


def amp_definitely_not_available():
    return not cuda_available()         # torch also accepts torch_xla; faketorch has none


def _deprecated(old, new):
    warnings.warn(f'`torch.cuda.amp.{old}(args...)` is deprecated. Please use `torch.amp.{new}` instead.',
                  FutureWarning, stacklevel=3)


class autocast(_am.autocast):
    __module__ = 'torch.cuda.amp.autocast_mode'

    def __init__(self, enabled=True, dtype=D.float16, cache_enabled=True):
        _deprecated('autocast', "autocast('cuda', args...)")
        super().__init__('cuda', enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)


class GradScaler(_GradScaler):

    def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000,
                 enabled=True):
        _deprecated('GradScaler', "GradScaler('cuda', args...)")
        super().__init__('cuda', init_scale=init_scale, growth_factor=growth_factor,
                         backoff_factor=backoff_factor, growth_interval=growth_interval, enabled=enabled)


def custom_fwd(fwd=None, *, cast_inputs=None):
    _deprecated('custom_fwd', "custom_fwd(args..., device_type='cuda')")
    return _am.custom_fwd(fwd, device_type='cuda', cast_inputs=cast_inputs)


def custom_bwd(bwd):
    _deprecated('custom_bwd', "custom_bwd(args..., device_type='cuda')")
    return functools.partial(_am.custom_bwd, device_type='cuda')(bwd)
