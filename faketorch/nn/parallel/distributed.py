"""DistributedDataParallel on a gloo process group (torch.distributed).

At construction rank 0's parameters and buffers are broadcast; each forward with grad enabled
arms the reduction, and once every expected parameter's gradient has been accumulated its
gradients are averaged over the ranks as torch's Reducer does: parameters in reverse order,
cut into buckets (1 MiB first, then bucket_cap_mb), each bucket multiplied by 1/world_size and
all-reduced (gloo's ring order), then copied back into .grad (bit for bit torch's with 2 and 3 ranks)."""
import contextlib

import numpy as np

from ..modules.module import Module

__all__ = ['DistributedDataParallel']

_FIRST_BUCKET_BYTES = 1024 * 1024

_NOT_FINISHED = (
    'Expected to have finished reduction in the prior iteration before starting a new one. This error '
    'indicates that your module has parameters that were not used in producing loss. You can enable unused '
    'parameter detection by passing the keyword argument `find_unused_parameters=True` to '
    '`torch.nn.parallel.DistributedDataParallel`, and by \nmaking sure all `forward` function outputs '
    'participate in calculating loss. \nIf you already have done the above, then the distributed data '
    'parallel module wasn\'t able to locate the output tensors in the return value of your module\'s '
    '`forward` function. Please include the loss function and the structure of the return value of '
    '`forward` of your module when reporting this issue (e.g. list, dict, iterable).')


def _dist():
    from ... import distributed
    return distributed


class DistributedDataParallel(Module):
    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 init_sync=True, process_group=None, bucket_cap_mb=None, find_unused_parameters=False,
                 check_reduction=False, gradient_as_bucket_view=False, static_graph=False,
                 delay_all_reduce_named_params=None, param_to_hook_all_reduce=None, mixed_precision=None,
                 device_mesh=None, skip_all_reduce_unused_params=False):
        super().__init__()
        dist = _dist()
        params = [p for p in module.parameters() if p.requires_grad]
        if not params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have any parameter "
                               'that requires a gradient.')
        devices = {p.device for p in module.parameters()}
        if device_ids is not None and all(d.type == 'cpu' for d in devices):
            raise ValueError('DistributedDataParallel device_ids and output_device arguments only work with '
                             'single-device/multiple-device GPU modules or CPU modules, but got device_ids '
                             f'{device_ids}, output_device {output_device}, and module parameters {devices}.')
        self.process_group = dist.distributed_c10d._default_group() if process_group is None else process_group
        self.module = module
        self.device_ids = None
        self.output_device = None
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * 1024 * 1024)
        self._params = params
        self._buckets = self._bucket_assignment(params)
        self._expected = None            # the parameters whose gradients this backward reduces
        self._ready = set()
        self._used = set()
        if init_sync:
            self._broadcast(list(module.parameters()) + list(module.buffers()))
        for p in params:
            p.register_post_accumulate_grad_hook(self._grad_ready)

    def _bucket_assignment(self, params):
        """Torch's first assignment: filled in reverse order, per dtype, the first bucket capped at
        1 MiB; inside a bucket the gradients lie in the parameters' order (checked against gloo's
        ring sums with 3 ranks)."""
        buckets, open_ = [], {}
        for p in reversed(params):
            cap = _FIRST_BUCKET_BYTES if not buckets and p.dtype not in open_ else self.bucket_bytes_cap
            entry = open_.setdefault(p.dtype, [[], 0, cap])
            entry[0].append(p)
            entry[1] += p.numel() * p.element_size()
            if entry[1] >= entry[2]:
                buckets.append(entry[0])
                del open_[p.dtype]
        buckets.extend(e[0] for e in open_.values())
        index = {id(p): i for i, p in enumerate(params)}
        return [sorted(b, key=lambda p: index[id(p)]) for b in buckets]

    def _broadcast(self, tensors):
        dist = _dist()
        if dist.get_world_size(self.process_group) > 1:
            src = dist.get_global_rank(self.process_group, 0) if self.process_group is not \
                dist.distributed_c10d._world.default else 0
            for t in tensors:
                dist.broadcast(t, src, group=self.process_group)

    def forward(self, *inputs, **kwargs):
        from ... import is_grad_enabled
        if self._expected is not None and self._ready != self._expected:
            missing = ' '.join(str(i) for i, p in enumerate(self._params) if id(p) not in self._ready)
            raise RuntimeError(f'{_NOT_FINISHED}\nParameter indices which did not receive grad for rank '
                               f'{_dist().get_rank(self.process_group)}: {missing}\n In addition, you can set the '
                               'environment variable TORCH_DISTRIBUTED_DEBUG to either INFO or DETAIL to print out '
                               'information about which particular parameters did not receive gradient on this '
                               'rank as part of this error')
        if self.broadcast_buffers and self.require_forward_param_sync:
            self._broadcast(list(self.module.buffers()))
        out = self.module(*inputs, **kwargs)
        self._expected = None
        if is_grad_enabled() and self.require_backward_grad_sync:
            self._ready = set()
            if self.find_unused_parameters:
                reached = _params_reached(out)
                self._used = {id(p) for p in self._params if p in reached}
            else:
                self._used = {id(p) for p in self._params}
            self._expected = self._used
        return out

    def _grad_ready(self, param):
        if self._expected is None or id(param) not in self._expected:
            return
        self._ready.add(id(param))
        if self._ready == self._expected:
            self._expected = None
            self._reduce()

    def _reduce(self):
        from ... import no_grad, tensor as _tensor, zeros_like
        dist = _dist()
        group = self.process_group
        ws = dist.get_world_size(group)
        used = np.array([id(p) in self._used for p in self._params], dtype=np.int32)
        if self.find_unused_parameters:         # torch all-reduces the locally-used map too
            t = _tensor(used)
            dist.all_reduce(t, group=group)
            used = t.numpy()
        with no_grad():
            for bucket in self._buckets:
                grads = [p.grad if p.grad is not None else zeros_like(p) for p in bucket]
                flat = np.concatenate([g.detach().reshape(-1).numpy() for g in grads])
                flat = flat * flat.dtype.type(1.0 / ws)
                t = _tensor(flat)
                dist.all_reduce(t, group=group)
                offset = 0
                for p, g in zip(bucket, grads):
                    n = p.numel()
                    index = next(i for i, q in enumerate(self._params) if q is p)
                    if used[index]:
                        value = t[offset:offset + n].view(p.shape)
                        if p.grad is None:
                            p.grad = value.clone()
                        else:
                            p.grad.copy_(value)
                    offset += n

    @contextlib.contextmanager
    def no_sync(self):
        """Gradients accumulate locally; the first backward after the block reduces them."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old


def _params_reached(out):
    """The leaf tensors whose AccumulateGrad the outputs' graph reaches."""
    from ..._tensor import Tensor
    seen, stack, leaves = set(), [], []

    def collect(o):
        if isinstance(o, Tensor):
            if o.grad_fn is not None:
                stack.append(o.grad_fn)
            elif o.requires_grad:
                leaves.append(o)
        elif isinstance(o, (list, tuple)):
            for v in o:
                collect(v)
        elif isinstance(o, dict):
            for v in o.values():
                collect(v)
    collect(out)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        var = getattr(node, 'variable', None)
        if var is not None:
            leaves.append(var)
        for nxt, _ in getattr(node, 'next_functions', ()):
            if nxt is not None:
                stack.append(nxt)
    return _IdSet(leaves)


class _IdSet:
    def __init__(self, items):
        self._ids = {id(x) for x in items}

    def __contains__(self, x):
        return id(x) in self._ids
