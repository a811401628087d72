"""Process groups and collectives with torch's gloo semantics, between the processes of one machine.

Rendezvous: rank 0 hosts a TCPStore (tcp:// and env:// init, or the store given); with a FileStore
or a HashStore rank 0 starts one on a free port and writes its address into the given store. Every
collective is an exchange of pickled arrays through that server (its keys are dropped once read),
after which each rank computes its result locally, in the order gloo's algorithms combine the
ranks' values, so that floating-point results are gloo's to the bit. Operations run when called:
``async_op=True`` returns an already completed Work (irecv's waits in ``wait()``).
"""
import datetime
import enum
import io
import os
import pickle
import time
import warnings
from urllib.parse import parse_qs, urlparse

import numpy as np

from ._store import (DistBackendError, DistError, DistNetworkError, DistStoreError, FileStore, HashStore,  # noqa: F401
                     PrefixStore, Store, TCPStore, _seconds)
from ._stubs import NO_GROUP

default_pg_timeout = datetime.timedelta(minutes=30)


# ------------------------------------------------------------------ names
class _RedOpType(enum.Enum):
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7
    PREMUL_SUM = 8

    def __int__(self):
        return self.value

    __index__ = __int__


_RedOpType.__name__ = _RedOpType.__qualname__ = 'RedOpType'   # torch prints <RedOpType.SUM: 0>


class ReduceOp:
    """Reduction operations: ``ReduceOp.SUM`` ... are ``ReduceOp.RedOpType`` members, as in torch."""
    RedOpType = _RedOpType

    def __init__(self, op):
        self.op = _RedOpType(op)

    def __eq__(self, other):
        return self.op == (other.op if isinstance(other, ReduceOp) else other)

    def __hash__(self):
        return hash(self.op)

    def __repr__(self):
        return repr(self.op)


for _m in _RedOpType:
    setattr(ReduceOp, _m.name, _m)


class Backend(str):
    """Backend names: ``Backend('GLOO') == 'gloo'``."""
    UNDEFINED = 'undefined'
    GLOO = 'gloo'
    NCCL = 'nccl'
    UCC = 'ucc'
    MPI = 'mpi'
    XCCL = 'xccl'
    FAKE = 'fake'

    def __new__(cls, name):
        if not isinstance(name, str):
            raise ValueError(f'Backend constructor parameter must be string-ish, but got: {type(name)}')
        value = getattr(Backend, name.upper(), Backend.UNDEFINED)
        if value == Backend.UNDEFINED:
            value = name.lower()
        return value


class _WorldProperty:
    """GroupMember.WORLD / group.WORLD: the default group, read when asked (None before init)."""

    def __get__(self, obj, owner):
        return _world.default


class GroupMember:
    WORLD = _WorldProperty()
    NON_GROUP_MEMBER = -100


class group:
    WORLD = _WorldProperty()


# ------------------------------------------------------------------ groups and work
class ProcessGroup:
    """The ranks of one group and the hub their collectives go through."""
    __module__ = 'torch.distributed.distributed_c10d'

    def __init__(self, ranks, rank, gid, hub, backend):
        self._ranks, self._rank, self._gid, self._hub, self._backend = list(ranks), rank, gid, hub, backend
        self._seq = 0
        self._p2p = {}           # (src, dst, tag) -> messages so far

    def rank(self):
        return self._rank

    def size(self):
        return len(self._ranks)

    def name(self):
        return str(self._gid)

    @property
    def group_name(self):
        return str(self._gid)

    def _next(self):
        self._seq += 1
        return self._seq

    def _post(self, seq, payload, dsts, tag=''):
        """`payload` for the group ranks in dsts (one read each); nothing travels to oneself."""
        readers = sum(1 for d in dsts if d != self._rank)
        if readers:
            self._hub._put(f'{self._gid}/{seq}/{self._rank}{tag}', pickle.dumps(payload, protocol=5), readers)

    def _fetch(self, seq, src, tag=''):
        return pickle.loads(self._hub._take(f'{self._gid}/{seq}/{src}{tag}'))


class Work:
    """A collective's handle. Operations run when called, so a Work is complete when returned, but
    irecv's, which receives in wait()."""
    __module__ = 'torch.distributed.distributed_c10d'

    def __init__(self, result=(), run=None, source=None):
        self._result, self._run, self._source = list(result), run, source

    def wait(self, timeout=None):
        if self._run is not None:
            run, self._run = self._run, None
            self._source = run()
        return True

    def is_completed(self):
        return self._run is None

    def is_success(self):
        return self._run is None

    def exception(self):
        return None

    def source_rank(self):
        self.wait()
        return self._source

    def result(self):
        self.wait()
        return self._result

    def synchronize(self):
        self.wait()

    def get_future(self):
        from ..futures import Future
        self.wait()
        fut = Future()
        fut.set_result(self._result)
        return fut


class GradBucket:
    """What a DDP communication hook receives: one bucket's flat gradient buffer and its parameters."""
    __module__ = 'torch.distributed'

    def __init__(self, index, buffer, gradients, parameters, is_last):
        self._index, self._buffer, self._gradients = index, buffer, gradients
        self._parameters, self._is_last = parameters, is_last

    def index(self):
        return self._index

    def buffer(self):
        return self._buffer

    def set_buffer(self, buffer):
        self._buffer = buffer

    def gradients(self):
        return list(self._gradients)

    def parameters(self):
        return list(self._parameters)

    def is_last(self):
        return self._is_last


class _World:
    def __init__(self):
        self.default = None
        self.backend = None
        self.config = None
        self.store = None            # the store the user gave or init_method made
        self.hub = None              # the TCPStore the collectives use (None with world size 1)
        self.groups = {}             # ProcessGroup -> None (the live ones)
        self.ngroups = 0
        self.rank = None


_world = _World()


def _default_group():
    if _world.default is None:
        raise ValueError(NO_GROUP)
    return _world.default


def _resolve(group):
    return _default_group() if group is None else group


def _not_member(group):
    return isinstance(group, int) and group == GroupMember.NON_GROUP_MEMBER


def _warn_not_in_group(op_name):
    warnings.warn(f'Running {op_name} on global rank {_world.rank if _world.default is not None else -1} which '
                  f'does not belong to the given group.', stacklevel=3)


# ------------------------------------------------------------------ availability and init
def is_available():
    return True


def is_initialized():
    return _world.default is not None


def is_gloo_available():
    return True


def is_nccl_available():
    return False


def is_mpi_available():
    return False


def is_ucc_available():
    return False


def is_xccl_available():
    return False


def is_backend_available(backend):
    return backend.lower() == 'gloo'


def is_torchelastic_launched():
    return os.getenv('TORCHELASTIC_RUN_ID') is not None


def get_node_local_rank(fallback_rank=None):
    if 'LOCAL_RANK' in os.environ:
        return int(os.environ['LOCAL_RANK'])
    if fallback_rank is not None:
        return int(fallback_rank)
    raise RuntimeError('LOCAL_RANK is not in the environment. Consider passing fallback_rank to allow '
                       '`get_node_local_rank` to work, assuming you are not running in a multi-device '
                       'context and want the code to run locally instead.')


def _rendezvous_error(kind, msg):
    return ValueError(f'Error initializing torch.distributed using {kind}:// rendezvous: {msg}')


def _rendezvous(url, rank, world_size, timeout):
    """The store, rank and world size an init_method URL names (torch's three handlers)."""
    parsed = urlparse(url)
    query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
    if rank != -1:
        query.setdefault('rank', str(rank))
    if world_size != -1:
        query.setdefault('world_size', str(world_size))
    scheme = parsed.scheme
    if scheme == 'env':
        def env(var):
            if var not in os.environ:
                raise _rendezvous_error('env', f'environment variable {var} expected, but not set')
            return os.environ[var]
        rank = int(query['rank']) if 'rank' in query else int(env('RANK'))
        world_size = int(query['world_size']) if 'world_size' in query else int(env('WORLD_SIZE'))
        host, port = env('MASTER_ADDR'), int(env('MASTER_PORT'))
    elif scheme in ('tcp', 'file'):
        if scheme == 'tcp' and parsed.port is None:
            raise _rendezvous_error(scheme, 'port number missing')
        if scheme == 'file' and not parsed.path:
            raise _rendezvous_error(scheme, 'path missing')
        if 'rank' not in query:
            raise _rendezvous_error(scheme, 'rank parameter missing')
        if 'world_size' not in query:
            raise _rendezvous_error(scheme, 'world size parameter missing')
        rank, world_size = int(query['rank']), int(query['world_size'])
        if scheme == 'file':
            store = FileStore(parsed.path, world_size)
            store.set_timeout(timeout)
            return store, rank, world_size
        host, port = parsed.hostname, parsed.port
    else:
        raise RuntimeError(f'No rendezvous handler for {scheme}://')
    return TCPStore(host, port, world_size, rank == 0, timeout), rank, world_size


def _hub_for(store, rank, world_size, timeout):
    """The TCPStore collectives go through: the store itself, or one rank 0 starts and announces."""
    if world_size == 1:
        return None
    if isinstance(store, TCPStore):
        return store
    if rank == 0:
        hub = TCPStore(os.environ.get('MASTER_ADDR', '127.0.0.1'), 0, world_size, True, timeout)
        store.set('faketorch/hub', f'{hub.host}:{hub.port}')
        return hub
    host, _, port = store.get('faketorch/hub').decode().rpartition(':')
    return TCPStore(host, int(port), world_size, False, timeout)


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1, store=None,
                       group_name='', pg_options=None, device_id=None):
    if _world.default is not None:
        raise ValueError('trying to initialize the default process group twice!')
    if store is not None and init_method is not None:
        raise AssertionError('Cannot specify both init_method and store.')
    if store is not None:
        if not world_size > 0:
            raise AssertionError('world_size must be positive if using store')
        if not rank >= 0:
            raise AssertionError('rank must be non-negative if using store')
    elif init_method is None:
        init_method = 'env://'
    if isinstance(device_id, int):
        raise ValueError('device_id is an int, but no accelerator support is found from the current compilation. '
                         'Please use a different compiled version that supports your accelerator.')
    name = Backend(backend) if backend is not None else Backend.UNDEFINED
    if name not in (Backend.GLOO, Backend.UNDEFINED) and not (isinstance(backend, str) and backend.lower() in (
            'cpu:gloo', 'cpu:gloo,cuda:nccl', 'cpu:gloo,cuda:gloo')):
        if name == Backend.NCCL:
            warnings.warn('Attempted to get default timeout for nccl backend, but NCCL support is not compiled',
                          stacklevel=2)
        if name in (Backend.NCCL, Backend.MPI, Backend.UCC, Backend.XCCL):
            raise RuntimeError(f"Distributed package doesn't have {name.upper()} built in")
        raise RuntimeError(f'Invalid backend: {backend!r}')
    if timeout is None:
        timeout = default_pg_timeout
    if not isinstance(timeout, datetime.timedelta):
        raise TypeError(f'Expected timeout argument to be of type datetime.timedelta, got {timeout}')
    if store is None:
        store, rank, world_size = _rendezvous(init_method, rank, world_size, timeout)
    hub = _hub_for(store, rank, world_size, timeout)
    _world.store, _world.hub, _world.rank = store, hub, rank
    _world.backend = name
    _world.config = 'cpu:gloo' if backend is None else 'cpu:gloo,cuda:gloo' if name == Backend.GLOO else str(backend)
    _world.ngroups = 0
    pg = ProcessGroup(range(world_size), rank, '0', hub, name)     # torch names groups by a count
    _world.default = pg
    _world.groups[pg] = None
    if world_size > 1:
        _barrier(pg)    # gloo connects every pair before init returns


def destroy_process_group(group=None):
    if _world.default is None:
        raise AssertionError('Process group cannot be None')
    if group is None or group is _world.default:
        hub, store = _world.hub, _world.store
        _world.default, _world.hub, _world.store, _world.backend = None, None, None, None
        _world.groups.clear()
        for s in {id(hub): hub, id(store): store}.values():
            if isinstance(s, TCPStore):
                s._shutdown()
        return
    if _not_member(group) or group not in _world.groups:
        raise ValueError('Invalid process group specified')
    del _world.groups[group]


def new_group(ranks=None, timeout=None, backend=None, pg_options=None, use_local_synchronization=False,
              group_desc=None, device_id=None):
    world = _default_group()
    size = world.size()
    _world.ngroups += 1          # every rank calls new_group in the same order: ids agree
    if ranks is None or len(ranks) == 0:
        ranks = list(range(size))
    else:
        ranks = sorted(ranks)
        if len(ranks) > size:
            raise ValueError("the new group's world size should be less or equal to the world size set by "
                             'init_process_group')
        for r in ranks:
            if r < 0 or r >= size:
                raise ValueError("The new group's rank should be within the world_size set by init_process_group")
    if world.rank() not in ranks:
        return GroupMember.NON_GROUP_MEMBER
    pg = ProcessGroup(ranks, ranks.index(world.rank()), str(_world.ngroups), world._hub, _world.backend)
    _world.groups[pg] = None
    return pg


def get_rank(group=None):
    if _not_member(group):
        return -1
    world = _default_group()
    if group is None or group is world:
        return world.rank()
    return get_group_rank(group, world.rank())


def get_world_size(group=None):
    if _not_member(group):
        return -1
    return _resolve(group).size()


def get_backend(group=None):
    pg = _resolve(group)
    if _not_member(pg):
        raise ValueError('Invalid process group specified')
    return _world.backend


def get_backend_config(group=None):
    _resolve(group)
    return _world.config


def get_group_rank(group, global_rank):
    if group is None or group is GroupMember.WORLD:
        return global_rank
    if global_rank not in group._ranks:
        raise ValueError(f'Global rank {global_rank} is not part of group {group}')
    return group._ranks.index(global_rank)


def get_global_rank(group, group_rank):
    if group is None or group is GroupMember.WORLD:
        return group_rank
    if 0 <= group_rank < len(group._ranks):
        return group._ranks[group_rank]
    raise ValueError(f'Group rank {group_rank} is not part of group {group}')


def get_process_group_ranks(group):
    return list(_resolve(group)._ranks)


def get_pg_count():
    return len(_world.groups)


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


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    _check_single_tensor(tensor, 'tensor')
    if gather_list:
        _check_tensor_list(gather_list, 'gather_list')
    else:
        gather_list = []
    pg = _enter('gather', group)
    if pg is None:
        return None
    root = _group_rank(pg, dst, group_dst, 'dst')
    if root == pg.rank() and not gather_list:
        raise ValueError('Argument ``gather_list`` must be specified on destination rank.')
    if root != pg.rank() and gather_list:
        raise ValueError('Argument ``gather_list`` must NOT be specified on non-destination ranks.')
    seq = pg._next()
    if pg.rank() != root:
        pg._post(seq, _array(tensor), [root])
    else:
        for r, t in enumerate(gather_list):
            _store_into(t, _array(tensor) if r == root else pg._fetch(seq, r))
    return _done(async_op, *gather_list)


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    _check_single_tensor(tensor, 'tensor')
    if scatter_list:
        _check_tensor_list(scatter_list, 'scatter_list')
    else:
        scatter_list = []
    pg = _enter('scatter', group)
    if pg is None:
        return None
    root = _group_rank(pg, src, group_src, 'src')
    if root == pg.rank() and not scatter_list:
        raise ValueError('Argument ``scatter_list`` must be specified on source rank.')
    if root != pg.rank() and scatter_list:
        raise ValueError('Argument ``scatter_list`` must NOT be specified on non-source ranks.')
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
