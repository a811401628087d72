"""torch.distributed.device_mesh: DeviceMesh, an n-dimensional grid of the world's ranks with one
process group per dimension (the ranks that differ only along it), and init_device_mesh."""
import itertools
import math

from . import distributed_c10d as c10d

__all__ = ['DeviceMesh', 'init_device_mesh']


def _torch():
    import faketorch
    return faketorch


class DeviceMesh:
    def __init__(self, device_type, mesh, *, mesh_dim_names=None, _init_backend=True, _groups=None):
        torch = _torch()
        self.device_type = device_type
        self.mesh = (mesh.detach().to(torch.int32) if isinstance(mesh, torch.Tensor)
                     else torch.tensor(mesh, dtype=torch.int32))
        self.mesh_dim_names = tuple(mesh_dim_names) if mesh_dim_names else None
        world = c10d._default_group()
        ranks = self.mesh.reshape(-1).tolist()
        if self.mesh.numel() > world.size():
            raise RuntimeError(f'Mesh should not be bigger than default world size {world.size()}, but found '
                               f'{self.mesh.numel()} ranks!')
        me = world.rank()
        self._coordinate = None
        for idx in itertools.product(*map(range, self.mesh.shape)):
            if self.mesh[idx].item() == me:
                self._coordinate = list(idx)
        self._groups = _groups if _groups is not None else [self._dim_group(d, ranks) for d in range(self.mesh.ndim)]

    def _dim_group(self, dim, ranks):
        """The group of this rank's line along dim; every rank creates every line's group, in one order."""
        world = c10d._default_group()
        moved = self.mesh.movedim(dim, -1).reshape(-1, self.mesh.shape[dim]).tolist()
        if len(moved) == 1 and sorted(moved[0]) == list(range(world.size())) and moved[0] == sorted(moved[0]):
            return world
        mine = None
        for line in moved:
            g = c10d.new_group(line)
            if world.rank() in line:
                mine = g
        return mine

    # --- queries ---
    @property
    def ndim(self):
        return self.mesh.ndim

    @property
    def shape(self):
        return tuple(self.mesh.shape)

    def size(self, mesh_dim=None):
        return self.mesh.numel() if mesh_dim is None else self.mesh.size(mesh_dim)

    def _dim(self, mesh_dim):
        if isinstance(mesh_dim, str):
            if not self.mesh_dim_names or mesh_dim not in self.mesh_dim_names:
                raise KeyError(f'Mesh dimension \'{mesh_dim}\' does not exist. Available mesh dimensions are: '
                               f'mesh_dim_names={self.mesh_dim_names}')
            return self.mesh_dim_names.index(mesh_dim)
        return mesh_dim

    def get_group(self, mesh_dim=None):
        if mesh_dim is None:
            if self.ndim > 1:
                raise RuntimeError(f'Found the DeviceMesh have {self.ndim} dimensions',
                                   'Optional kwarg `mesh_dim` needs to be specified when device_mesh.ndim > 1.',
                                   'If you want to get the list of all the ProcessGroups in the DeviceMesh,'
                                   'please use `get_all_groups()` instead.')
            mesh_dim = 0
        return self._groups[self._dim(mesh_dim)]

    def get_all_groups(self):
        return list(self._groups)

    def get_rank(self):
        return c10d.get_rank()

    def get_local_rank(self, mesh_dim=None):
        if mesh_dim is None and self.ndim > 1:
            raise RuntimeError(f'Found the DeviceMesh have {self.ndim} dimensions',
                               'Optional kwarg `mesh_dim` needs to be specified when device_mesh.ndim > 1.')
        return c10d.get_rank(self.get_group(mesh_dim))

    def get_coordinate(self):
        return self._coordinate

    def __getitem__(self, names):
        names = (names,) if isinstance(names, str) else tuple(names)
        dims = [self._dim(n) for n in names]
        index = [slice(None) if d in dims else self._coordinate[d] for d in range(self.ndim)]
        return DeviceMesh(self.device_type, self.mesh[tuple(index)], mesh_dim_names=names,
                          _groups=[self._groups[d] for d in dims])

    def __repr__(self):
        if self.mesh_dim_names:
            shape = '(' + ', '.join(f'{n}={s}' for n, s in zip(self.mesh_dim_names, self.shape)) + ')'
        else:
            shape = str(self.shape)
        # torch prints a layout stride per dimension, () for a dimension of size 1
        strides = [math.prod(self.shape[d + 1:]) for d in range(self.ndim)]
        stride = '(' + ', '.join('()' if s == 1 else str(st) for s, st in zip(self.shape, strides)) + \
            (',)' if self.ndim == 1 else ')')
        return f"DeviceMesh({shape}, '{self.device_type}', stride={stride})"

    def __eq__(self, other):
        return isinstance(other, DeviceMesh) and self.device_type == other.device_type and \
            self.mesh.tolist() == other.mesh.tolist() and self.mesh_dim_names == other.mesh_dim_names

    def __hash__(self):
        return hash((self.device_type, str(self.mesh.tolist()), self.mesh_dim_names))


def init_device_mesh(device_type, mesh_shape, *, mesh_dim_names=None, backend_override=None):
    torch = _torch()
    if mesh_dim_names is not None and len(set(mesh_dim_names)) != len(mesh_dim_names):
        raise RuntimeError('Each mesh_dim_name must be unique.',
                           f'Found repeated mesh_dim_name in mesh_dim_names {mesh_dim_names}')
    if mesh_dim_names is not None and len(mesh_shape) != len(mesh_dim_names):
        raise RuntimeError('mesh_shape and mesh_dim_names should have same length!',
                           f'Found len(mesh_dim_names): {len(mesh_dim_names)} and len(mesh_shape):{len(mesh_shape)}.')
    mesh = torch.arange(math.prod(mesh_shape), dtype=torch.int32).view(tuple(mesh_shape))
    return DeviceMesh(device_type, mesh, mesh_dim_names=mesh_dim_names)


def _default_mesh():
    """The mesh a DTensor call without one uses: the whole world, one dimension."""
    return init_device_mesh('cpu', (c10d.get_world_size(),))
