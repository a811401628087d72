"""torch.distributed.device_mesh."""
from .tensor import DeviceMesh, init_device_mesh  # noqa: F401

__all__ = ['DeviceMesh', 'init_device_mesh']
