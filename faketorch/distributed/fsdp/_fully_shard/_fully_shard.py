"""fully_shard (FSDP2): each parameter becomes a DTensor sharded on dim 0 over a 1-D mesh (torch.chunk
pieces in rank order, the last ranks' possibly empty), and the module's class becomes FSDP<Class>.
A forward all-gathers the module's own parameters (those not under a nested fully_shard) into
whole leaves, cast to the policy's param_dtype, and registers them for the forward; after it the
DTensors come back. Once every gathered leaf of one forward has its gradient, the gradients are
reduced as torch's foreach_reduce does: each padded on dim 0 to a multiple of the world size,
laid out rank-major in one buffer, reduce-scattered with AVG (float32/bfloat16; SUM with a divide
before and after for float16) in gloo's order, and added to the DTensor parameters' .grad."""
import functools

from ... import distributed_c10d as c10d
from ...tensor._api import DTensor, _param
from ...tensor.placement_types import Shard
from ._fsdp_api import CPUOffloadPolicy, MixedPrecisionPolicy, OffloadPolicy

__all__ = ['FSDPModule', 'fully_shard']


def _torch():
    import faketorch
    return faketorch


class FSDPModule:
    """The mixin fully_shard puts in front of a module's class."""
    __module__ = 'faketorch.distributed.fsdp'

    def __new__(cls, *args, **kwargs):
        # torch: indexing into the class after FSDPModule (the original module class)
        orig_cls = cls.__mro__[2]
        self = orig_cls.__new__(orig_cls, *args, **kwargs)
        self.__init__(*args, **kwargs)
        return self

    def reshard(self):
        pass

    def unshard(self, async_op=False):
        return None

    def set_requires_gradient_sync(self, requires_gradient_sync, *, recurse=True):
        """False: backward passes keep their gradients unsharded and unreduced until a synced one."""
        for m in (self.modules() if recurse else [self]):
            state = m.__dict__.get('_fsdp_state')
            if state is not None:
                state.sync = requires_gradient_sync

    def set_reshard_after_forward(self, reshard_after_forward, recurse=True):
        pass

    def set_reshard_after_backward(self, reshard_after_backward, *, recurse=True):
        pass

    def set_is_last_backward(self, is_last_backward):
        pass


@functools.lru_cache(maxsize=None)
def _fsdp_class(cls):
    return type(f'FSDP{cls.__name__}', (FSDPModule, cls), {'__module__': __name__.rsplit('.', 1)[0] + '._fsdp_init'})


def _divide_factors(reduce_dtype, world_size):
    """(predivide, postdivide, op) as torch's _get_gradient_divide_factors on a CPU group."""
    torch = _torch()
    if reduce_dtype in (torch.float32, torch.bfloat16):
        return None, None, c10d.ReduceOp.SUM if world_size == 1 else c10d.ReduceOp.AVG
    pre = 1
    while world_size % pre == 0 and world_size / pre > pre:
        pre *= 2
    return pre, world_size / pre, c10d.ReduceOp.SUM


class _FSDPState:
    def __init__(self, module, entries, mesh, mp_policy):
        self.entries = entries          # [(owner module, name, DTensor parameter)]
        self.mesh, self.group = mesh, mesh.get_group(0)
        self.mp = mp_policy
        self.sync = True
        self.accumulated = {}       # entry index -> unsharded gradient kept while sync is off

    def pre_forward(self, module, args, kwargs):
        torch = _torch()
        n, me = self.group.size(), self.group.rank()
        dtype = self.mp.param_dtype
        leaves = []
        for owner, name, p in self.entries:
            local = p.to_local().detach()
            if dtype is not None and local.dtype != dtype:
                local = local.to(dtype)
            d0 = p.shape[0] if p.ndim else 1
            padded = -(-d0 // n)
            if n > 1:
                piece = torch.zeros((padded,) + tuple(p.shape[1:]), dtype=local.dtype)
                piece[:local.shape[0]] = local
                full = torch.empty((padded * n,) + tuple(p.shape[1:]), dtype=local.dtype)
                c10d.all_gather_into_tensor(full, piece, group=self.group)
                full = full[:d0].clone()
            else:
                full = local.clone()
            full.requires_grad_(p.requires_grad and torch.is_grad_enabled())
            owner._parameters[name] = full
            leaves.append(full)
        waiting = [i for i, t in enumerate(leaves) if t.requires_grad]
        if waiting:
            grads = {}
            for i in waiting:
                leaves[i].register_hook(functools.partial(self._grad_ready, grads, len(waiting), i))
        if dtype is not None and self.mp.cast_forward_inputs:
            from ....utils._pytree import tree_map

            def cast(x):
                return x.to(dtype) if isinstance(x, torch.Tensor) and x.is_floating_point() else x
            args, kwargs = tree_map(cast, args), tree_map(cast, kwargs)
        return args, kwargs

    def post_forward(self, module, args, output):
        torch = _torch()
        for owner, name, p in self.entries:
            owner._parameters[name] = p
        if self.mp.output_dtype is not None:
            from ....utils._pytree import tree_map
            output = tree_map(lambda x: x.to(self.mp.output_dtype)
                              if isinstance(x, torch.Tensor) and x.is_floating_point() else x, output)
        return output

    def _grad_ready(self, grads, expected, i, grad):
        grads[i] = grad
        if len(grads) == expected:
            with _torch().no_grad():
                for j, g in self.accumulated.items():
                    grads[j] = g + grads[j] if j in grads else g
                self.accumulated = {}
                if self.sync:
                    self._reduce(dict(grads))
                else:
                    self.accumulated = {j: g.detach().clone() for j, g in grads.items()}
        return None

    def _reduce(self, grads):
        torch = _torch()
        n = self.group.size()
        order = sorted(grads)
        reduce_dtype = self.mp.reduce_dtype or self.mp.param_dtype or grads[order[0]].dtype
        pre, post, op = _divide_factors(reduce_dtype, n)
        rows = []
        for i in order:
            g = grads[i].to(reduce_dtype)
            g = g.reshape(1) if g.ndim == 0 else g
            padded = -(-g.shape[0] // n) * n
            if padded != g.shape[0]:
                g = torch.cat([g, torch.zeros((padded - g.shape[0],) + tuple(g.shape[1:]), dtype=g.dtype)])
            rows.append(g.reshape(n, -1))
        buffer = torch.cat(rows, 1).reshape(-1)     # rank r's pieces of every gradient, then rank r+1's
        if pre:
            buffer.div_(pre)
        out = torch.empty(buffer.numel() // n, dtype=buffer.dtype)
        if n > 1:
            c10d.reduce_scatter_single(out, buffer, op=op, group=self.group)
        else:
            out.copy_(buffer)
        if post:
            out.div_(post)
        offset = 0
        for i, row in zip(order, rows):
            p = self.entries[i][2]
            width = row.shape[1]
            local_shape = p.to_local().shape
            g = out[offset:offset + width].narrow(0, 0, local_shape.numel()).view(local_shape).to(p.dtype)
            offset += width
            if p.grad is None:
                p.grad = DTensor._wrap(g.clone(), p.device_mesh, p.placements, p.shape)
            else:
                p.grad.add_(g)


def fully_shard(module, *, mesh=None, reshard_after_forward=None, shard_placement_fn=None,
                mp_policy=MixedPrecisionPolicy(), offload_policy=OffloadPolicy(), ignored_params=None):
    from .... import nn
    from ...device_mesh import _default_mesh
    if isinstance(module, (nn.ModuleList, nn.ModuleDict)):
        raise ValueError(f'fully_shard does not support containers that do not implement forward: {module}')
    if isinstance(offload_policy, CPUOffloadPolicy):
        raise RuntimeError('Cannot access accelerator device when none is available.')     # torch, CPU only
    if shard_placement_fn is not None:
        raise NotImplementedError('faketorch: fully_shard(shard_placement_fn=...) is not implemented')
    mesh = mesh or _default_mesh()
    if mesh.ndim != 1:
        raise NotImplementedError('faketorch: fully_shard on a mesh of more than one dimension (HSDP) is not '
                                  'implemented')
    ignored = set(map(id, ignored_params or ()))
    entries, seen = [], set()
    for owner in module.modules():
        for name, p in list(owner._parameters.items()):
            if p is None or id(p) in seen or id(p) in ignored or isinstance(p, DTensor):
                continue        # DTensor: already sharded by a nested fully_shard
            seen.add(id(p))
            local = p.detach()
            if local.ndim:
                chunks = local.chunk(mesh.size(), 0)
                r = mesh.get_local_rank()
                local = chunks[r] if r < len(chunks) else local.narrow(0, 0, 0)
            dt = _param(DTensor._wrap(local.clone(), mesh, (Shard(0),), p.shape), p.requires_grad)
            owner._parameters[name] = dt
            entries.append((owner, name, dt))
    state = _FSDPState(module, entries, mesh, mp_policy)
    module.__dict__['_fsdp_state'] = state
    module.register_forward_pre_hook(state.pre_forward, with_kwargs=True)
    module.register_forward_hook(state.post_forward)
    module.__class__ = _fsdp_class(type(module))
    return module
