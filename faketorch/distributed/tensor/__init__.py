"""torch.distributed.tensor: DTensor over a DeviceMesh (see _api.py for what faketorch's DTensor
does and does not dispatch)."""
from ..device_mesh import DeviceMesh, init_device_mesh  # noqa: F401
from ._api import DTensor, distribute_module, distribute_tensor  # noqa: F401
from .placement_types import Partial, Placement, Replicate, Shard  # noqa: F401

__all__ = ['DTensor', 'distribute_tensor', 'distribute_module', 'Shard', 'Replicate', 'Partial', 'Placement',
           'DeviceMesh', 'init_device_mesh']
