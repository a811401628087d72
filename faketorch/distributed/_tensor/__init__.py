"""torch.distributed._tensor: the older name of torch.distributed.tensor."""
from ..tensor import (DeviceMesh, DTensor, Partial, Placement, Replicate, Shard, distribute_module,  # noqa: F401
                      distribute_tensor, init_device_mesh)
from ..tensor import placement_types  # noqa: F401

__all__ = ['DTensor', 'distribute_tensor', 'distribute_module', 'Shard', 'Replicate', 'Partial', 'Placement',
           'DeviceMesh', 'init_device_mesh']
