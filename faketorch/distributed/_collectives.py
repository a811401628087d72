"""The collectives, point-to-point and object collectives of distributed_c10d (which re-exports
them). Each exchanges pickled arrays through the group's hub, then reduces locally in gloo's order
(_ring) so that floating-point results are gloo's bit for bit."""
import io
import pickle
import time
import warnings

import numpy as np

from .distributed_c10d import (GroupMember, ReduceOp, Work, _RedOpType, _not_member, _resolve,  # noqa: F401
                               _warn_not_in_group, _world, get_global_rank, get_group_rank, get_rank)


# ------------------------------------------------------------------ arrays
def _check_single_tensor(param, name):
    from .._tensor import Tensor
    if not isinstance(param, Tensor):
        raise TypeError(f"""Invalid function argument. Expected parameter `{name}` of type torch.Tensor
             but got {type(param)} instead.""")


def _check_tensor_list(param, name):
    from .._tensor import Tensor
    if not isinstance(param, list):
        raise TypeError(f"""Invalid function argument. Expected parameter `{name}` of type List[torch.Tensor]
             but got {type(param)} instead.""")
    if not all(isinstance(p, Tensor) for p in param):
        raise TypeError(f"""Invalid function argument. Expected parameter `{name}` of type List[torch.Tensor]
             but got {type(param)} with elements of type {[type(p) for p in param]}.""")


def _array(t):
    """The tensor's values as a contiguous host array (complex as float pairs, as torch views them)."""
    a = np.ascontiguousarray(t.detach().cpu()._data)
    return a.view(a.real.dtype) if np.iscomplexobj(a) else a


def _store_into(t, array):
    """Write into t's memory as gloo does: in place, without bumping the version counter."""
    from .._device import to_device_array
    array = np.asarray(array)
    if np.iscomplexobj(np.empty(0, t._data.dtype)):
        array = np.ascontiguousarray(array).view(t._data.dtype)
    array = array.reshape(t._data.shape)
    t._data[...] = array if t.device.type == 'cpu' else to_device_array(array, t.device)


_UFUNCS = {_RedOpType.SUM: np.add, _RedOpType.AVG: np.add, _RedOpType.PRODUCT: np.multiply,
           _RedOpType.MIN: np.minimum, _RedOpType.MAX: np.maximum, _RedOpType.BAND: np.bitwise_and,
           _RedOpType.BOR: np.bitwise_or, _RedOpType.BXOR: np.bitwise_xor}


def _op_of(op):
    op = op.op if isinstance(op, ReduceOp) else op
    if op is _RedOpType.PREMUL_SUM:
        raise TypeError('(): incompatible function arguments. The following argument types are supported:\n'
                        '    1. (self: torch._C._distributed_c10d.AllreduceOptions, arg0: '
                        'torch._C._distributed_c10d.ReduceOp) -> None\n')
    return _RedOpType(op)


def _combine(op, tensor):
    """The elementwise function gloo reduces with, for this tensor's dtype."""
    if op in (_RedOpType.BAND, _RedOpType.BOR, _RedOpType.BXOR) and (
            tensor.dtype.is_floating_point or tensor.dtype.is_complex):
        raise RuntimeError(f'Cannot use ReduceOp.{op.name} with non-integral dtype')
    fn = _UFUNCS[op]
    from .._dtype import as_bf16, bfloat16
    if tensor.dtype is bfloat16:
        return lambda a, b: as_bf16(fn(a, b))     # bfloat16 rounds after each step, as gloo's kernel
    return fn


def _ring(parts, fn, itemsize, holder=None):
    """gloo's ring reduction: the buffer is cut into one chunk per rank (each of two segments,
    rounded to whole elements); chunk k starts at rank k-1 and travels down the ring, each rank
    adding its own values to what it receives (own + incoming), until rank k holds it reduced.
    With `holder`, what that rank's buffer holds after the ring: gloo's reduce leaves every
    other chunk there partly reduced (reduce's non-root results, which torch calls undefined)."""
    ws, n = len(parts), parts[0].size
    seg = -(-(-(-n * itemsize // (2 * ws))) // itemsize)     # elements per segment
    chunk = 2 * seg
    out = np.empty_like(parts[0])
    for k in range(ws):
        lo, hi = min(k * chunk, n), min((k + 1) * chunk, n)
        if lo >= hi:
            continue
        steps = ws - 1 if holder is None else (k - 1 - holder) % ws
        acc = parts[(k - 1) % ws][lo:hi]
        for j in range(2, steps + 2):
            acc = fn(parts[(k - j) % ws][lo:hi], acc)
        out[lo:hi] = acc
    return out


def _itemsize(t):
    return t.dtype.itemsize // (2 if t.dtype.is_complex else 1)


def _done(async_op, *result):
    return Work(result) if async_op else None


def _gather_all(pg, payload):
    """Everyone's payload, in group rank order."""
    seq = pg._next()
    ranks = range(pg.size())
    pg._post(seq, payload, ranks)
    return [payload if r == pg.rank() else pg._fetch(seq, r) for r in ranks]


def _barrier(pg):
    _gather_all(pg, None)


# ------------------------------------------------------------------ collectives
def _enter(name, group):
    """The group a collective runs on, or None when this rank is not in it (torch warns)."""
    if _not_member(group):
        _warn_not_in_group(name)
        return None
    return _resolve(group)


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    _check_single_tensor(tensor, 'tensor')
    op = _op_of(op)
    if tensor.is_complex() and op not in (_RedOpType.SUM, _RedOpType.AVG):
        raise ValueError(f'all_reduce does not support {op} on complex tensors')
    pg = _enter('all_reduce', group)
    if pg is None:
        return None
    fn = _combine(op, tensor)
    parts = [p.ravel() for p in _gather_all(pg, _array(tensor))]
    result = parts[0] if len(parts) == 1 else _ring(parts, fn, _itemsize(tensor))
    _store_into(tensor, result.reshape(_array(tensor).shape))
    if op is _RedOpType.AVG:
        from .. import no_grad
        with no_grad():
            tensor.div_(pg.size())
    return _done(async_op, tensor)


def all_reduce_coalesced(tensors, op=ReduceOp.SUM, group=None, async_op=False):
    for t in tensors:
        all_reduce(t, op, group)
    return _done(async_op, *tensors)


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    _check_single_tensor(tensor, 'tensor')
    pg = _enter('broadcast', group)
    if pg is None:
        return None
    root = _group_rank(pg, src, group_src, 'src')
    if not 0 <= root < pg.size():
        raise RuntimeError(f'ProcessGroupGloo::broadcast: invalid root rank: {root}')
    seq = pg._next()
    if pg.rank() == root:
        pg._post(seq, _array(tensor), range(pg.size()))
    else:
        _store_into(tensor, pg._fetch(seq, root))
    return _done(async_op, tensor)


def _broadcast_coalesced(tensors, src=0, group=None):
    """Several tensors from group rank src in one exchange (DDP's state and buffer syncs)."""
    pg = _resolve(group)
    if pg.size() == 1 or not tensors:
        return
    seq = pg._next()
    if pg.rank() == src:
        pg._post(seq, [_array(t) for t in tensors], range(pg.size()))
    else:
        for t, a in zip(tensors, pg._fetch(seq, src)):
            _store_into(t, a)


def _group_rank(pg, global_rank, group_rank, what):
    if group_rank is not None:
        if global_rank is not None:
            raise ValueError(f"Can't specify both group_{what} and global {what}")
        return group_rank
    if global_rank is None:
        return 0
    return get_group_rank(pg if pg is not _world.default else None, global_rank)


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    _check_single_tensor(tensor, 'tensor')
    op = _op_of(op)
    pg = _enter('reduce', group)
    if pg is None:
        return None
    root = _group_rank(pg, dst, group_dst, 'dst')
    fn = _combine(op, tensor)
    parts = [p.ravel() for p in _gather_all(pg, _array(tensor))]
    if len(parts) > 1:
        _store_into(tensor, _ring(parts, fn, _itemsize(tensor), None if pg.rank() == root else pg.rank()))
    if op is _RedOpType.AVG:          # every rank divides what its buffer holds
        from .. import no_grad
        with no_grad():
            tensor.div_(pg.size())
    return _done(async_op, tensor)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    _check_tensor_list(tensor_list, 'tensor_list')
    _check_single_tensor(tensor, 'tensor')
    pg = _enter('all_gather', group)
    if pg is None:
        return None
    if len(tensor_list) != pg.size():
        raise RuntimeError(f'ProcessGroupGloo::allgather: invalid output tensor list at index 0 (expected length '
                           f'{pg.size()}, got {len(tensor_list)})')
    for i, t in enumerate(tensor_list):
        if t.shape != tensor.shape:
            raise RuntimeError(f'ProcessGroupGloo::allgather: invalid tensor size at index {i} (expected '
                               f'({", ".join(map(str, tensor.shape))}), got ({", ".join(map(str, t.shape))}))')
    parts = _gather_all(pg, _array(tensor))
    for t, p in zip(tensor_list, parts):
        _store_into(t, p)
    return _done(async_op, *tensor_list)


def all_gather_single(output_tensor, input_tensor, group=None, async_op=False):
    _check_single_tensor(output_tensor, 'output_tensor')
    _check_single_tensor(input_tensor, 'input_tensor')
    pg = _enter('all_gather_single', group)
    if pg is None:
        return None
    parts = _gather_all(pg, _array(input_tensor))
    if output_tensor.numel() != input_tensor.numel() * len(parts):
        raise ValueError('output tensor size must be equal to world_size times input tensor size')
    _store_into(output_tensor, np.concatenate([p.ravel() for p in parts]))
    return _done(async_op, output_tensor)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    warnings.warn('`torch.distributed.all_gather_into_tensor` is deprecated. Please use '
                  '`torch.distributed.all_gather_single` instead.', FutureWarning, stacklevel=2)
    return all_gather_single(output_tensor, input_tensor, group, async_op)


def _all_gather_base(output_tensor, input_tensor, group=None, async_op=False):
    return all_gather_single(output_tensor, input_tensor, group, async_op)


def _rooted(op, tensor, tensors, list_name, group, root, group_root, arg, role):
    """gather's and scatter's checks: (process group, the root's group rank, the list), the list given on
    the root rank only; a None group when this rank is not in it."""
    _check_single_tensor(tensor, 'tensor')
    if tensors:
        _check_tensor_list(tensors, list_name)
    else:
        tensors = []
    pg = _enter(op, group)
    if pg is None:
        return None, None, tensors
    root = _group_rank(pg, root, group_root, arg)
    if root == pg.rank() and not tensors:
        raise ValueError(f'Argument ``{list_name}`` must be specified on {role} rank.')
    if root != pg.rank() and tensors:
        raise ValueError(f'Argument ``{list_name}`` must NOT be specified on non-{role} ranks.')
    return pg, root, tensors


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    pg, root, gather_list = _rooted('gather', tensor, gather_list, 'gather_list', group, dst, group_dst, 'dst',
                                    'destination')
    if pg is None:
        return None
    seq = pg._next()
    if pg.rank() != root:
        pg._post(seq, _array(tensor), [root])
    else:
        for r, t in enumerate(gather_list):
            _store_into(t, _array(tensor) if r == root else pg._fetch(seq, r))
    return _done(async_op, *gather_list)


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    pg, root, scatter_list = _rooted('scatter', tensor, scatter_list, 'scatter_list', group, src, group_src, 'src',
                                     'source')
    if pg is None:
        return None
    seq = pg._next()
    if pg.rank() == root:
        for r, t in enumerate(scatter_list):
            if r != root:
                pg._post(seq, _array(t), [r], tag=f'>{r}')
        _store_into(tensor, _array(scatter_list[root]))
    else:
        _store_into(tensor, pg._fetch(seq, root, tag=f'>{pg.rank()}'))
    return _done(async_op, tensor)


def _reduce_chunk(pg, op, mine, sample):
    """Reduce each rank's `mine[r]` contribution to rank r: one exchange, gloo's order per chunk."""
    seq = pg._next()
    me, ws = pg.rank(), pg.size()
    for r in range(ws):
        if r != me:
            pg._post(seq, mine[r], [r], tag=f'>{r}')
    parts = [(mine[me] if r == me else pg._fetch(seq, r, tag=f'>{me}')).ravel() for r in range(ws)]
    fn = _combine(op, sample)
    if ws == 1:
        return parts[0]
    acc = parts[(me - 1) % ws]
    for j in range(2, ws + 1):
        acc = fn(parts[(me - j) % ws], acc)
    return acc


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    _check_single_tensor(output, 'output')
    _check_tensor_list(input_list, 'input_list')
    op = _op_of(op)
    pg = _enter('reduce_scatter', group)
    if pg is None:
        return None
    if len(input_list) != pg.size():
        raise RuntimeError('invalid input tensor list size, must be world size')
    _store_into(output, _reduce_chunk(pg, op, [_array(t) for t in input_list], output))
    if op is _RedOpType.AVG:
        from .. import no_grad
        with no_grad():
            output.div_(pg.size())
    return _done(async_op, output)


def reduce_scatter_single(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    _check_single_tensor(output, 'output')
    _check_single_tensor(input, 'input')
    op = _op_of(op)
    pg = _enter('reduce_scatter_single', group)
    if pg is None:
        return None
    if input.numel() != output.numel() * pg.size():
        raise ValueError('input tensor must be the same size as output size times world size')
    flat = _array(input).ravel()
    n = output.numel()
    _store_into(output, _reduce_chunk(pg, op, [flat[r * n:(r + 1) * n] for r in range(pg.size())], output))
    if op is _RedOpType.AVG:
        from .. import no_grad
        with no_grad():
            output.div_(pg.size())
    return _done(async_op, output)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    warnings.warn('`torch.distributed.reduce_scatter_tensor` is deprecated. Please use '
                  '`torch.distributed.reduce_scatter_single` instead.', FutureWarning, stacklevel=2)
    return reduce_scatter_single(output, input, op, group, async_op)


def _reduce_scatter_base(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    return reduce_scatter_single(output, input, op, group, async_op)


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    _check_tensor_list(output_tensor_list, 'output_tensor_list')
    _check_tensor_list(input_tensor_list, 'input_tensor_list')
    pg = _enter('all_to_all', group)
    if pg is None:
        return None
    got = _swap(pg, [_array(t) for t in input_tensor_list])
    for t, a in zip(output_tensor_list, got):
        _store_into(t, a)
    return _done(async_op, *output_tensor_list)


def _swap(pg, pieces):
    """pieces[r] goes to rank r; returns what each rank sent here."""
    seq = pg._next()
    me = pg.rank()
    for r, a in enumerate(pieces):
        if r != me:
            pg._post(seq, a, [r], tag=f'>{r}')
    return [pieces[me] if r == me else pg._fetch(seq, r, tag=f'>{me}') for r in range(pg.size())]


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None, group=None,
                      async_op=False):
    _check_single_tensor(output, 'output')
    _check_single_tensor(input, 'input')
    pg = _enter('all_to_all_single', group)
    if pg is None:
        return None
    ws = pg.size()
    a = _array(input)
    sizes = list(input_split_sizes) if input_split_sizes else [a.shape[0] // ws] * ws
    cuts = np.cumsum([0] + sizes)
    got = _swap(pg, [a[cuts[r]:cuts[r + 1]] for r in range(ws)])
    _store_into(output, np.concatenate(got, axis=0))
    return _done(async_op, output)


def barrier(group=None, async_op=False, device_ids=None):
    pg = _enter('barrier', group)
    if pg is None:
        return None
    _barrier(pg)
    return _done(async_op)


def monitored_barrier(group=None, timeout=None, wait_all_ranks=False):
    pg = _enter('monitored_barrier', group)
    if pg is None:
        return None
    _barrier(pg)


# ------------------------------------------------------------------ point to point
def _p2p_key(pg, src, dst, tag):
    n = pg._p2p.get((src, dst, tag), 0) + 1
    pg._p2p[(src, dst, tag)] = n
    return f'p2p{tag}/{n}>{dst}'


def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    _check_single_tensor(tensor, 'tensor')
    pg = _enter('isend', group)
    if pg is None:
        return None
    peer = _group_rank(pg, dst, group_dst, 'dst')
    if peer == pg.rank():
        raise ValueError('Invalid destination rank: destination rank should not be the same as the rank of '
                         'the current process.')
    key = _p2p_key(pg, pg.rank(), peer, tag)
    pg._post(key, _array(tensor), [peer])
    return Work([tensor])


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    work = isend(tensor, dst, group, tag, group_dst)
    if work is not None:
        work.wait()


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    _check_single_tensor(tensor, 'tensor')
    pg = _enter('irecv', group)
    if pg is None:
        return None
    if src is None and group_src is None:
        return Work([tensor], run=lambda: _recv_any(pg, tensor, tag))
    peer = _group_rank(pg, src, group_src, 'src')
    if peer == pg.rank():
        raise ValueError('Invalid source rank: source rank should not be the same as the rank of the '
                         'current process.')
    key = _p2p_key(pg, peer, pg.rank(), tag)

    def run():
        _store_into(tensor, pickle.loads(pg._hub._take(f'{pg._gid}/{key}/{peer}')))
        return get_global_rank(group, peer)
    return Work([tensor], run=run)


def _recv_any(pg, tensor, tag):
    while True:
        for peer in range(pg.size()):
            if peer == pg.rank():
                continue
            n = pg._p2p.get((peer, pg.rank(), tag), 0) + 1
            if pg._hub.check([f'{pg._gid}/p2p{tag}/{n}>{pg.rank()}/{peer}']):
                key = _p2p_key(pg, peer, pg.rank(), tag)
                _store_into(tensor, pickle.loads(pg._hub._take(f'{pg._gid}/{key}/{peer}')))
                return peer if pg is _world.default else pg._ranks[peer]
        time.sleep(0.001)


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    work = irecv(tensor, src, group, tag, group_src)
    if work is None:
        return -1
    return work.source_rank()


# ------------------------------------------------------------------ objects
def _dumps(obj):
    f = io.BytesIO()
    pickle.Pickler(f).dump(obj)
    return f.getvalue()


def all_gather_object(object_list, obj, group=None):
    pg = _enter('all_gather_object', group)
    if pg is None:
        return
    for i, data in enumerate(_gather_all(pg, _dumps(obj))):
        object_list[i] = pickle.loads(data)


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    pg = _enter('broadcast_object_list', group)
    if pg is None:
        return
    root = _group_rank(pg, src, group_src, 'src')
    seq = pg._next()
    if pg.rank() == root:
        pg._post(seq, [_dumps(o) for o in object_list], range(pg.size()))
    else:
        for i, data in enumerate(pg._fetch(seq, root)):
            object_list[i] = pickle.loads(data)


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None):
    pg = _enter('gather_object', group)
    if pg is None:
        return
    root = _group_rank(pg, dst, group_dst, 'dst')
    if pg.rank() == root and object_gather_list is None:
        raise AssertionError('Must provide object_gather_list on dst rank')
    seq = pg._next()
    if pg.rank() != root:
        pg._post(seq, _dumps(obj), [root])
        return
    for r in range(pg.size()):
        object_gather_list[r] = obj if r == root else pickle.loads(pg._fetch(seq, r))


def scatter_object_list(scatter_object_output_list, scatter_object_input_list=None, src=None, group=None,
                        group_src=None):
    pg = _enter('scatter_object_list', group)
    if pg is None:
        return
    if not isinstance(scatter_object_output_list, list) or len(scatter_object_output_list) < 1:
        raise ValueError('Expected argument scatter_object_output_list to be a list of size at least 1.')
    root = _group_rank(pg, src, group_src, 'src')
    seq = pg._next()
    if pg.rank() == root:
        for r, o in enumerate(scatter_object_input_list):
            if r != root:
                pg._post(seq, _dumps(o), [r], tag=f'>{r}')
        scatter_object_output_list[0] = pickle.loads(_dumps(scatter_object_input_list[root]))
    else:
        scatter_object_output_list[0] = pickle.loads(pg._fetch(seq, root, tag=f'>{pg.rank()}'))


def send_object_list(object_list, dst=None, group=None, device=None, group_dst=None):
    pg = _enter('send_object_list', group)
    if pg is None:
        return
    peer = _group_rank(pg, dst, group_dst, 'dst')
    if peer == pg.rank():
        raise ValueError('Invalid destination rank: destination rank should not be the same as the rank of '
                         'the current process.')
    pg._post(_p2p_key(pg, pg.rank(), peer, 'obj'), [_dumps(o) for o in object_list], [peer])


def recv_object_list(object_list, src=None, group=None, device=None, group_src=None):
    pg = _enter('recv_object_list', group)
    if pg is None:
        return -1
    if src is None and group_src is None:
        raise ValueError('faketorch: recv_object_list needs src (receiving from any rank is not supported)')
    peer = _group_rank(pg, src, group_src, 'src')
    if peer == pg.rank():
        raise ValueError('Invalid source rank: source rank should not be the same as the rank of the '
                         'current process.')
    key = _p2p_key(pg, peer, pg.rank(), 'obj')
    for i, data in enumerate(pickle.loads(pg._hub._take(f'{pg._gid}/{key}/{peer}'))):
        object_list[i] = pickle.loads(data)
    return get_global_rank(group, peer)


# ------------------------------------------------------------------ batched point to point
class P2POp:
    """One isend or irecv for batch_isend_irecv."""

    def __new__(cls, op, tensor, peer=None, group=None, tag=0, group_peer=None):
        if op not in (isend, irecv):
            raise ValueError('Invalid ``op``. Expected ``op`` to be of type ``torch.distributed.isend`` or '
                             '``torch.distributed.irecv``.')
        _check_single_tensor(tensor, 'tensor')
        return object.__new__(cls)

    def __init__(self, op, tensor, peer=None, group=None, tag=0, group_peer=None):
        self.op, self.tensor, self.tag = op, tensor, tag
        self.group = _resolve(group)
        if group_peer is None:
            self.peer = peer
            self.group_peer = get_group_rank(group, peer)
        else:
            self.group_peer = group_peer
            self.peer = get_global_rank(group, group_peer)

    def __repr__(self):
        me = get_rank(self.group)
        name = self.op.__name__
        s, d = (me, self.group_peer) if 'send' in name else (self.group_peer, me)
        return (f'P2POp({name} pg={self.group.group_name}, group_src={s}, group_dst={d},  '
                f'{self.tensor.shape}, {self.tensor.dtype})')


def batch_isend_irecv(p2p_op_list):
    """Sends are posted at once and receives wait in their Work's wait(), so any order of
    matching ops across ranks completes."""
    if not isinstance(p2p_op_list, list) or not all(isinstance(p, P2POp) for p in p2p_op_list):
        raise ValueError('Invalid ``p2p_op_list``. Each op is expected to to be of type '
                         '``torch.distributed.P2POp``.')
    group = p2p_op_list[0].group
    if not all(group == p.group for p in p2p_op_list):
        raise ValueError('All ops need to use the same group.')
    works = []
    for p in p2p_op_list:
        key = 'group_dst' if p.op is isend else 'group_src'
        works.append(p.op(p.tensor, group=None if p.group is _world.default else p.group, tag=p.tag,
                          **{key: p.group_peer}))
    return works
