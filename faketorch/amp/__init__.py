"""torch.amp: autocast regions and gradient scaling (see autocast_mode for what faketorch casts)."""
from . import autocast_mode, grad_scaler
from .autocast_mode import autocast, is_autocast_available, custom_fwd, custom_bwd
from .grad_scaler import GradScaler
from .._ops._core import register as _register

__all__ = ['autocast', 'custom_bwd', 'custom_fwd', 'is_autocast_available', 'GradScaler']

_register(autocast, method=False)       # torch.autocast

