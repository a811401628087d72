"""DTensor: a tensor laid out over a DeviceMesh. faketorch's DTensor is a Tensor whose array is this
rank's local piece (so in-place optimizer steps and elementwise math act on the shard, as torch's do),
with the mesh, the placements and the global shape beside it: `shape`, `size()` and `numel()` report
the global tensor as torch does. faketorch ops do not dispatch on DTensor: an op on a DTensor
returns a plain Tensor of the local result, except the arithmetic operators and methods below,
which keep the placements as torch's elementwise rules do; optimizers give a DTensor parameter's
state its layout after each step (optim/optimizer.py), and clip_grad_norm_ combines the ranks'
norms (_total_norm)."""
from ... import _tensor
from ... import overrides as _tensor_overrides
from .. import distributed_c10d as c10d
from .placement_types import Partial, Replicate, Shard

__all__ = ['DTensor', 'distribute_tensor', 'distribute_module']

Tensor = _tensor.Tensor


def _torch():
    import faketorch
    return faketorch


def _local_piece(full, mesh, placements):
    """This rank's piece of the global tensor full."""
    local = full
    for dim, p in enumerate(placements):
        if isinstance(p, Shard):
            chunks = local.chunk(mesh.size(dim), p.dim)
            i = mesh.get_local_rank(dim)
            local = chunks[i] if i < len(chunks) else local.narrow(p.dim, 0, 0)
    return local


def _global_shape(local_shape, mesh, placements):
    shape = list(local_shape)
    for dim, p in enumerate(placements):
        if isinstance(p, Shard):
            shape[p.dim] *= mesh.size(dim)
    return shape


class DTensor(Tensor):
    __torch_function__ = _tensor_overrides._disabled_torch_function_impl     # torch's DTensor dispatches below it
    @staticmethod
    def _wrap(local, mesh, placements, shape, requires_grad=False):
        t = Tensor._make_subclass(DTensor, local.detach(), False)
        t._spec = (mesh, tuple(placements), _torch().Size(shape))
        if requires_grad:
            t.requires_grad_(True)
        return t

    @property
    def device_mesh(self):
        return self._spec[0]

    @property
    def placements(self):
        return self._spec[1]

    @property
    def shape(self):
        return self._spec[2]

    def size(self, dim=None):
        return self._spec[2] if dim is None else self._spec[2][dim]

    def numel(self):
        return self._spec[2].numel()

    def to_local(self, *, grad_placements=None):
        return Tensor._make_subclass(Tensor, self, False)

    def detach(self):
        return DTensor._wrap(self.to_local(), self.device_mesh, self.placements, self.shape)

    @property
    def _local_tensor(self):
        return self.to_local()

    def full_tensor(self, *, grad_placements=None):
        return self.redistribute(self.device_mesh, [Replicate()] * self.device_mesh.ndim).to_local()

    def redistribute(self, device_mesh=None, placements=None, *, async_op=False, forward_dtype=None,
                     backward_dtype=None):
        torch = _torch()
        mesh = device_mesh or self.device_mesh
        placements = tuple(placements) if placements is not None else self.placements
        full = self.to_local().clone()
        # gather every mesh dimension, last first, into the whole tensor (partial terms summed)
        for dim in reversed(range(mesh.ndim)):
            p, group = self.placements[dim], mesh.get_group(dim)
            if isinstance(p, Shard):
                n = group.size()
                size = self.shape[p.dim]
                padded = -(-size // n)
                pad = [0, 0] * (full.ndim - p.dim - 1) + [0, padded - full.shape[p.dim]]
                piece = torch.nn.functional.pad(full, pad) if padded != full.shape[p.dim] else full
                parts = [torch.empty_like(piece) for _ in range(n)]
                c10d.all_gather(parts, piece.contiguous(), group=group)
                full = torch.cat(parts, p.dim).narrow(p.dim, 0, size)
            elif isinstance(p, Partial) and not isinstance(placements[dim], Partial):
                op = {'sum': c10d.ReduceOp.SUM, 'avg': c10d.ReduceOp.AVG, 'max': c10d.ReduceOp.MAX,
                      'min': c10d.ReduceOp.MIN}[p.reduce_op]
                c10d.all_reduce(full, op=op, group=group)
        return DTensor._wrap(_local_piece(full, mesh, placements), mesh, placements, self.shape,
                             self.requires_grad)

    @staticmethod
    def from_local(local_tensor, device_mesh=None, placements=None, *, run_check=False, shape=None, stride=None):
        from ..device_mesh import _default_mesh
        mesh = device_mesh or _default_mesh()
        placements = tuple(placements) if placements is not None else (Replicate(),) * mesh.ndim
        shape = shape if shape is not None else _global_shape(local_tensor.shape, mesh, placements)
        return DTensor._wrap(local_tensor, mesh, placements, shape, local_tensor.requires_grad)

    def __repr__(self, *, tensor_contents=None):
        # torch formats the local tensor (a 0-dim one prints as its number)
        return (f'DTensor(local_tensor={self.to_local()}, device_mesh={self.device_mesh!r}, '
                f'placements={self.placements!r})')

    # elementwise operators keep the placements (a scalar or a same-placed DTensor operand)
    def _elementwise(self, other, fn):
        if isinstance(other, DTensor):
            other = other.to_local()
        out = fn(self.to_local(), other)
        return DTensor._wrap(out, self.device_mesh, self.placements, self.shape, out.requires_grad)

    def __add__(self, other):
        return self._elementwise(other, lambda a, b: a + b)

    def __radd__(self, other):
        return self._elementwise(other, lambda a, b: b + a)

    def __sub__(self, other):
        return self._elementwise(other, lambda a, b: a - b)

    def __rsub__(self, other):
        return self._elementwise(other, lambda a, b: b - a)

    def __mul__(self, other):
        return self._elementwise(other, lambda a, b: a * b)

    def __rmul__(self, other):
        return self._elementwise(other, lambda a, b: b * a)

    def __truediv__(self, other):
        return self._elementwise(other, lambda a, b: a / b)

    def __neg__(self):
        return self._elementwise(None, lambda a, b: -a)

    def sum(self, *args, **kwargs):
        """The whole sum of a sharded DTensor: each rank's local sum, Partial(sum) (torch's rule)."""
        if args or kwargs:
            return Tensor.sum(self.to_local(), *args, **kwargs)
        placements = tuple(Partial() if isinstance(p, Shard) else p for p in self.placements)
        return DTensor._wrap(self.to_local().sum(), self.device_mesh, placements, (), False)


def distribute_tensor(tensor, device_mesh=None, placements=None, *, src_data_rank=0):
    """tensor laid out on the mesh: rank src_data_rank's values (broadcast), each rank keeping its piece."""
    from ..device_mesh import _default_mesh
    mesh = device_mesh or _default_mesh()
    placements = tuple(placements) if placements is not None else (Replicate(),) * mesh.ndim
    full = tensor.detach().clone()
    if src_data_rank is not None:
        for dim in range(mesh.ndim):
            c10d.broadcast(full, c10d.get_global_rank(mesh.get_group(dim), src_data_rank) if
                           mesh.get_group(dim) is not c10d.group.WORLD else src_data_rank, group=mesh.get_group(dim))
    local = _local_piece(full, mesh, placements).clone()
    return DTensor._wrap(local, mesh, placements, tensor.shape, tensor.requires_grad)


def distribute_module(module, device_mesh=None, partition_fn=None, input_fn=None, output_fn=None):
    """Every parameter and buffer replicated on the mesh unless partition_fn(name, module, mesh) places them."""
    from ..device_mesh import _default_mesh
    mesh = device_mesh or _default_mesh()
    if partition_fn is not None:
        for name, sub in module.named_modules():
            partition_fn(name, sub, mesh)
    for sub in module.modules():
        for k, p in list(sub._parameters.items()):
            if p is not None and not isinstance(p, DTensor):
                sub._parameters[k] = _param(distribute_tensor(p.data, mesh, [Replicate()] * mesh.ndim),
                                            p.requires_grad)
        for k, b in list(sub._buffers.items()):
            if b is not None and not isinstance(b, DTensor):
                sub._buffers[k] = distribute_tensor(b, mesh, [Replicate()] * mesh.ndim)
    if input_fn is not None:
        module.register_forward_pre_hook(lambda mod, inputs: input_fn(mod, inputs, mesh))
    if output_fn is not None:
        module.register_forward_hook(lambda mod, inputs, outputs: output_fn(mod, outputs, mesh))
    return module


def _param(dtensor, requires_grad=True):
    from ...nn import Parameter
    return Parameter(dtensor, requires_grad=requires_grad)


def _total_norm(tensors, norm_type, local_norm):
    """torch's norm of sharded DTensors: each rank's norm of its pieces, combined across the mesh as a
    Partial norm is (p-th powers summed, then the p-th root; max for inf)."""
    first = next(t for t in tensors if isinstance(t, DTensor))
    mesh = first.device_mesh
    total = local_norm([t.to_local() if isinstance(t, DTensor) else t for t in tensors])
    if any(p.is_shard() for t in tensors if isinstance(t, DTensor) for p in t.placements):
        group = mesh.get_group(0)
        if norm_type == float('inf'):
            c10d.all_reduce(total, op=c10d.ReduceOp.MAX, group=group)
        else:
            total = total ** norm_type
            c10d.all_reduce(total, group=group)
            total = total ** (1.0 / norm_type)
    return DTensor._wrap(total, mesh, (Replicate(),) * mesh.ndim, ())
