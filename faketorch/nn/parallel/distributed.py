"""DistributedDataParallel on a gloo process group (torch.distributed).

At construction rank 0's parameters and buffers are broadcast; each forward with grad enabled
arms the reduction, and once every expected parameter's gradient has been accumulated its
gradients are averaged over the ranks as torch's Reducer does: laid out in buckets as torch
lays them (one bucket in the parameters' order for the first backward; then rebuilt in the order
the gradients became ready), each bucket multiplied by 1/world_size and all-reduced (gloo's ring
order), then copied back into .grad (bit for bit torch's with 2 and 3 ranks, as far as
faketorch's backward readies the gradients in torch's order)."""
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
        self._index = {id(p): i for i, p in enumerate(params)}
        self._buckets = self._initial_buckets(params)
        # torch rebuilds the buckets once (not with find_unused_parameters, unless static_graph)
        self._ready_order = [] if static_graph or not find_unused_parameters else None
        self._expected = None            # the parameters whose gradients this backward reduces
        self._ready = set()
        self._used = set()
        self._comm_hook = None
        from ...distributed.algorithms.join import _JoinConfig
        self._join_config = _JoinConfig(False, False, False)
        self._divide_by_initial_world_size = True
        self._active_ranks = None        # with join(): how many ranks took part in this iteration
        if init_sync:
            self._broadcast(list(module.parameters()) + list(module.buffers()))
        for p in params:
            p.register_post_accumulate_grad_hook(self._grad_ready)

    def _initial_buckets(self, params):
        """Torch's first layout: without find_unused_parameters (or with static_graph) one bucket
        per dtype; else buckets filled in the parameters' order, 1 MiB for each dtype's first.
        Inside a bucket the gradients lie in the parameters' order."""
        if self.static_graph or not self.find_unused_parameters:
            return _assign(params, [float('inf')])
        index = {id(p): i for i, p in enumerate(params)}
        return sorted(_assign(params, [_FIRST_BUCKET_BYTES, self.bucket_bytes_cap]),
                      key=lambda b: min(index[id(p)] for p in b))

    def _rebuild_buckets(self):
        """After the first synchronised backward torch rebuilds the buckets in the order the
        gradients became ready then (1 MiB first bucket, then bucket_cap_mb)."""
        self._buckets = _assign(self._ready_order, [_FIRST_BUCKET_BYTES, self.bucket_bytes_cap])
        self._ready_order = None

    def _broadcast(self, tensors, src=0):
        """Group rank src's values into these tensors, in one exchange as torch coalesces them."""
        from ...distributed._collectives import _broadcast_coalesced
        _broadcast_coalesced(tensors, src, self.process_group)

    def _common_rank(self, candidate):
        """The highest rank among the candidates (torch's _find_common_rank, an all-reduce MAX)."""
        from ... import tensor as _tensor
        dist = _dist()
        t = _tensor([dist.get_rank(self.process_group) if candidate else -1])
        dist.all_reduce(t, op=dist.ReduceOp.MAX, group=self.process_group)
        return t.item()

    def _requires_sync_flag(self, joined):
        from ... import ones, zeros
        dist = _dist()
        t = ones(1) if not joined and self.require_backward_grad_sync else zeros(1)
        dist.all_reduce(t, group=self.process_group)
        return t.item() != 0

    # ---- Joinable: uneven inputs
    def join(self, divide_by_initial_world_size=True, enable=True, throw_on_early_termination=False):
        from ...distributed.algorithms.join import Join
        return Join([self], enable, throw_on_early_termination,
                    divide_by_initial_world_size=divide_by_initial_world_size)

    def join_hook(self, **kwargs):
        return _DDPJoinHook(self, kwargs.get('divide_by_initial_world_size', True))

    @property
    def join_device(self):
        return next(self.module.parameters()).device

    @property
    def join_process_group(self):
        return self.process_group

    def forward(self, *inputs, **kwargs):
        """Torch's order: rebuild the buckets (once), broadcast rank 0's buffers (unless the last
        forward ran without gradient sync), run the module, then arm the gradient reduction; the
        unfinished-reduction error comes after the module ran, as torch's."""
        from ... import is_grad_enabled
        from ...distributed.algorithms.join import Join
        work = Join.notify_join_context(self)
        self._active_ranks = None if work is None else work.result()[0].item()
        if self._ready_order and is_grad_enabled():
            self._rebuild_buckets()
        buffers = list(self.module.buffers())
        if self.broadcast_buffers and self.require_forward_param_sync and buffers:
            # in join mode the highest active rank's buffers win, else rank 0's
            self._broadcast(buffers, self._common_rank(True) if self._join_config.enable else 0)
        if self._join_config.enable:        # tells the joined ranks whether a backward sync follows
            self._requires_sync_flag(False)
        out = self.module(*inputs, **kwargs)
        if not (is_grad_enabled() and self.require_backward_grad_sync):
            self.require_forward_param_sync = False
            return out
        self.require_forward_param_sync = True
        if self._expected is not None and self._ready != self._expected:
            missing = ' '.join(str(i) for i, p in enumerate(self._params) if id(p) not in self._ready)
            raise RuntimeError(f'{_NOT_FINISHED}\nParameter indices which did not receive grad for rank '
                               f'{_dist().get_rank(self.process_group)}: {missing}\n In addition, you can set the '
                               'environment variable TORCH_DISTRIBUTED_DEBUG to either INFO or DETAIL to print out '
                               'information about which particular parameters did not receive gradient on this '
                               'rank as part of this error')
        if self._ready_order == []:
            self._ready_order = [p for p in _torch_ready_order(out) if id(p) in self._index]
        self._ready = set()
        if self.find_unused_parameters and not self.static_graph:
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

    def _reduce(self, joined=False):
        """Average the gradients over the ranks, bucket by bucket. A joined rank (join()) takes
        part with zeros; without divide_by_initial_world_size the divisor is the active ranks."""
        from ... import no_grad, tensor as _tensor, zeros_like
        dist = _dist()
        group = self.process_group
        ws = dist.get_world_size(group)
        if not self._divide_by_initial_world_size and self._active_ranks:
            ws = int(self._active_ranks)
        used = np.array([not joined and id(p) in self._used for p in self._params], dtype=np.int32)
        if self.find_unused_parameters:         # torch all-reduces the locally-used map too
            t = _tensor(used)
            dist.all_reduce(t, group=group)
            used = t.numpy()
        with no_grad():
            for i, bucket in enumerate(self._buckets):
                grads = [p.grad if p.grad is not None and not joined else zeros_like(p) for p in bucket]
                flat = np.concatenate([g.detach().reshape(-1).numpy() for g in grads])
                if self._comm_hook is None:
                    t = _tensor(flat * flat.dtype.type(1.0 / ws))   # torch scales by the reciprocal
                    dist.all_reduce(t, group=group)
                else:
                    t = _tensor(flat)
                    offsets = np.cumsum([0] + [p.numel() for p in bucket])
                    views = [t[offsets[j]:offsets[j + 1]].view(p.shape) for j, p in enumerate(bucket)]
                    state, hook = self._comm_hook
                    t = hook(state, dist.GradBucket(i, t, views, list(bucket), i == len(self._buckets) - 1)).wait()
                offset = 0
                for p in bucket:
                    n = p.numel()
                    if used[self._index[id(p)]] and not joined:
                        value = t[offset:offset + n].view(p.shape)
                        if p.grad is None:
                            p.grad = value.clone()
                        else:
                            p.grad.copy_(value)
                    offset += n

    def register_comm_hook(self, state, hook):
        """hook(state, bucket) -> Future of the bucket's reduced buffer, used instead of the
        built-in averaging (which it must then do itself)."""
        import inspect
        if not callable(hook):
            raise TypeError('Communication hook must be callable.')
        annotation = inspect.signature(hook).parameters['bucket'].annotation    # torch's KeyError without it
        if annotation is not inspect.Parameter.empty and annotation is not _dist().GradBucket:
            raise ValueError('Communication hook: bucket annotation should be dist.GradBucket.')
        if getattr(hook, '__name__', '') in ('bf16_compress_hook', 'bf16_compress_wrapper_hook'):
            raise TypeError('BF16 all reduce communication hook required CUDA 11+ and NCCL 2.10+ or XPU and XCCL')
        if self._comm_hook is not None:
            raise RuntimeError('register_comm_hook or register_builtin_comm_hook can only be called once.')
        self._comm_hook = (state, hook)

    @contextlib.contextmanager
    def no_sync(self):
        """Gradients accumulate locally; the first backward after the block reduces them."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old


class _DDPJoinHook:
    """What a joined rank does while others still train: shadow their forward's buffer sync and
    sync flag, then their backward's bucket all-reduces with zeros; at the end take the model of
    the last rank to join."""

    def __init__(self, ddp, divide_by_initial_world_size):
        self.ddp = ddp
        ddp._divide_by_initial_world_size = divide_by_initial_world_size

    def main_hook(self):
        ddp = self.ddp
        if ddp._ready_order:
            ddp._rebuild_buckets()
        if ddp.broadcast_buffers and ddp.require_forward_param_sync and list(ddp.module.buffers()):
            ddp._broadcast(list(ddp.module.buffers()), ddp._common_rank(False))
        sync = ddp._requires_sync_flag(True)
        ddp.require_forward_param_sync = sync
        if sync:
            ddp._reduce(joined=True)

    def post_hook(self, is_last_joiner):
        ddp = self.ddp
        ddp._broadcast(list(ddp.module.parameters()) + list(ddp.module.buffers()), ddp._common_rank(is_last_joiner))


def _assign(params, limits):
    """torch's compute_bucket_assignment_by_size: params in the given order, one open bucket per
    dtype, closed once it holds at least its limit (each dtype walks the limits, keeping the last)."""
    buckets, open_, step = [], {}, {}
    for p in params:
        key = p.dtype
        bucket = open_.setdefault(key, [[], 0])
        bucket[0].append(p)
        bucket[1] += p.numel() * p.element_size()
        limit = limits[min(step.get(key, 0), len(limits) - 1)]
        if bucket[1] >= limit:
            buckets.append(bucket[0])
            del open_[key]
            step[key] = step.get(key, 0) + 1
    buckets.extend(b[0] for b in open_.values())
    return buckets


def _output_tensors(out):
    """The tensors in a forward's output (nested in lists, tuples and dicts)."""
    from ..._tensor import Tensor
    from ...utils._pytree import tree_leaves
    return [t for t in tree_leaves(out) if isinstance(t, Tensor)]


def _output_nodes(out):
    return [t.grad_fn for t in _output_tensors(out) if t.grad_fn is not None]


def _torch_ready_order(out):
    """The leaves in the order torch's engine accumulates their gradients: its ready queue runs
    AccumulateGrad nodes first, then the node created last. faketorch's nodes carry no creation
    number: a depth-first post-order over next_functions (later inputs created later, as in
    addmm(bias, input, weight.t())) stands in for it."""
    import heapq
    roots = _output_nodes(out)
    number, visited, stack = {}, set(), [(n, False) for n in reversed(roots)]
    while stack:
        node, done = stack.pop()
        if done:
            number[id(node)] = len(number)
        elif id(node) not in visited:
            visited.add(id(node))
            stack.append((node, True))
            stack.extend((nxt, False) for nxt, _ in reversed(node.next_functions) if nxt is not None)
    deps = {}
    for node in _walk(roots):
        for nxt, _ in node.next_functions:
            if nxt is not None:
                deps[id(nxt)] = deps.get(id(nxt), 0) + 1
    queue, order, seen = [], [], set()

    def push(node):
        leaf = getattr(node, 'variable', None)
        heapq.heappush(queue, (0 if leaf is not None else 1, -number[id(node)], id(node), node))
    for r in roots:
        if deps.get(id(r), 0) == 0 and id(r) not in seen:
            seen.add(id(r))
            push(r)
    while queue:
        node = heapq.heappop(queue)[3]
        leaf = getattr(node, 'variable', None)
        if leaf is not None:
            order.append(leaf)
        for nxt, _ in node.next_functions:
            if nxt is not None:
                deps[id(nxt)] -= 1
                if deps[id(nxt)] == 0:
                    push(nxt)
    return order


def _walk(roots):
    seen, stack = set(), list(roots)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(n for n, _ in node.next_functions if n is not None)


def _params_reached(out):
    """The leaf tensors whose AccumulateGrad the outputs' graph reaches."""
    seen, stack, leaves = set(), [], []
    for o in _output_tensors(out):
        if o.grad_fn is not None:
            stack.append(o.grad_fn)
        elif o.requires_grad:
            leaves.append(o)
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
