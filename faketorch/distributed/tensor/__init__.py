"""torch.distributed.tensor: the names import; building a DTensor needs a process group."""
from .._stubs import NO_GROUP, raising, unavailable

__all__ = ['DTensor', 'distribute_tensor', 'distribute_module', 'Shard', 'Replicate', 'Partial', 'Placement',
           'DeviceMesh', 'init_device_mesh']

_MSG = 'faketorch has no distributed backend: DTensor and DeviceMesh are not available.'
DTensor = unavailable('DTensor', _MSG)
DeviceMesh = unavailable('DeviceMesh', _MSG)


class Placement:
    pass


class Shard(Placement):
    def __init__(self, dim):
        self.dim = dim

    def __repr__(self):
        return f'Shard(dim={self.dim})'


class Replicate(Placement):
    def __repr__(self):
        return 'Replicate()'


class Partial(Placement):
    def __init__(self, reduce_op='sum'):
        self.reduce_op = reduce_op

    def __repr__(self):
        return f'Partial({self.reduce_op})'


distribute_tensor = raising('distribute_tensor', NO_GROUP, ValueError)
distribute_module = raising('distribute_module', NO_GROUP, ValueError)
init_device_mesh = raising('init_device_mesh', NO_GROUP, ValueError)
