"""torch.distributed.tensor: the names import; DTensor and DeviceMesh are not implemented (the
process groups they would shard over are: see distributed_c10d)."""
from .._stubs import not_implemented

__all__ = ['DTensor', 'distribute_tensor', 'distribute_module', 'Shard', 'Replicate', 'Partial', 'Placement',
           'DeviceMesh', 'init_device_mesh']

_MSG = ('faketorch implements torch.distributed process groups (gloo, one machine) but not DTensor or '
        'DeviceMesh')


class DTensor:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError(_MSG)


class DeviceMesh:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError(_MSG)


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


distribute_tensor = not_implemented('distribute_tensor')
distribute_module = not_implemented('distribute_module')
init_device_mesh = not_implemented('init_device_mesh')
