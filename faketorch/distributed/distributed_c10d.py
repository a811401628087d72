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
import os
import pickle
import warnings
from urllib.parse import parse_qs, urlparse

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


# the collectives live in _collectives.py (they need the names above)
from ._collectives import (  # noqa: E402, F401
                           all_reduce, all_reduce_coalesced, broadcast, reduce, all_gather,
                           all_gather_single, all_gather_into_tensor, gather, scatter, reduce_scatter,
                           reduce_scatter_single, reduce_scatter_tensor, all_to_all, all_to_all_single,
                           barrier, monitored_barrier, isend, send, irecv, recv, all_gather_object,
                           broadcast_object_list, gather_object, scatter_object_list, send_object_list,
                           recv_object_list, P2POp, batch_isend_irecv, _barrier, _all_gather_base,
                           _reduce_scatter_base, _check_single_tensor, _check_tensor_list)


# ------------------------------------------------------------------ subgroups and small helpers
def new_subgroups(group_size=None, group=None, timeout=None, backend=None, pg_options=None, group_desc=None):
    """The group cut into consecutive subgroups of group_size ranks: (this rank's, all of them)."""
    if group_size is None:
        from .. import cuda
        if not cuda.is_available():
            raise ValueError("Default group size only takes effect when CUDA is available.If your subgroup using a "
                             "backend that does not depend on CUDA,please pass in 'group_size' correctly.")
        group_size = cuda.device_count()
    if group_size <= 0:
        raise ValueError(f"The arg 'group_size' ({group_size}) must be positive")
    world_size = get_world_size(group=group)
    if world_size < group_size:
        raise ValueError(f"The arg 'group_size' ({group_size}) must not exceed the world size ({world_size})")
    if world_size % group_size != 0:
        raise ValueError(f"The world size ({world_size}) must be divisible by 'group_size={group_size}'")
    ranks = get_process_group_ranks(group)
    return new_subgroups_by_enumeration([ranks[i:i + group_size] for i in range(0, len(ranks), group_size)],
                                        timeout=timeout, backend=backend, pg_options=pg_options)


def new_subgroups_by_enumeration(ranks_per_subgroup_list, timeout=None, backend=None, pg_options=None,
                                 group_desc=None):
    if not ranks_per_subgroup_list:
        raise ValueError("The arg 'ranks_per_subgroup_list' cannot be empty")
    subgroups, mine, seen = [], None, {}
    for ranks in ranks_per_subgroup_list:
        subgroup = new_group(ranks=ranks, timeout=timeout, backend=backend, pg_options=pg_options)
        subgroups.append(subgroup)
        for r in ranks:
            if r in seen:
                raise ValueError(f'Rank {r} has appeared in both subgroup {seen[r]} and {ranks}')
            seen[r] = ranks
            if r == get_rank():
                mine = subgroup
    return mine, subgroups


_DEVICE_BACKENDS = {'cpu': 'gloo', 'cuda': 'nccl', 'xpu': 'xccl'}


def get_default_backend_for_device(device):
    from .._device import device as _device
    kind = device.type if isinstance(device, _device) else _device(device).type
    if kind not in _DEVICE_BACKENDS:
        raise ValueError(f'Default backend not registered for device : {device}')
    return _DEVICE_BACKENDS[kind]


def supports_complex(reduceOp):
    """Whether a reduction is defined on complex tensors (SUM and AVG, not the ordering ones)."""
    return reduceOp not in (ReduceOp.MAX, ReduceOp.MIN, ReduceOp.PRODUCT, ReduceOp.BAND, ReduceOp.BOR,
                            ReduceOp.BXOR)


def all_gather_coalesced(output_tensor_lists, input_tensor_list, group=None, async_op=False):
    """One all_gather per input tensor (torch warns that it is deprecated, as here)."""
    warnings.warn('`torch.distributed.all_gather_coalesced` will be deprecated. If you must use it, please revisit '
                  'our documentation later at https://pytorch.org/docs/main/distributed.html#collective-functions',
                  FutureWarning, stacklevel=2)
    for i, t in enumerate(input_tensor_list):
        all_gather([out[i] for out in output_tensor_lists], t, group=group)
    return Work(output_tensor_lists) if async_op else None
