"""torch.distributed without process groups.

faketorch runs in one process: it behaves like a torch build without distributed support
(``is_available()`` is False) whose names still exist, so scripts that guard with
``dist.is_available() and dist.is_initialized()`` take their single-process path. Collectives
raise the error torch gives before ``init_process_group``; ``init_process_group`` itself cannot
create a group and says so.
"""
import enum
import os

__all__ = ['is_available', 'is_initialized', 'is_nccl_available', 'is_gloo_available', 'is_mpi_available',
           'is_ucc_available', 'is_xccl_available', 'is_torchelastic_launched', 'init_process_group',
           'destroy_process_group', 'new_group', 'get_rank', 'get_world_size', 'get_backend', 'barrier',
           'all_reduce', 'all_gather', 'all_gather_object', 'all_gather_into_tensor', 'broadcast',
           'broadcast_object_list', 'reduce', 'reduce_scatter', 'reduce_scatter_tensor', 'gather',
           'gather_object', 'scatter', 'scatter_object_list', 'all_to_all', 'all_to_all_single', 'send',
           'recv', 'isend', 'irecv', 'monitored_barrier', 'get_node_local_rank', 'ReduceOp', 'Backend',
           'GroupMember', 'group', 'ProcessGroup', 'DistError', 'DistBackendError']

from ._stubs import NO_GROUP as _NOT_INITIALIZED


def is_available():
    """False: faketorch is like a torch build without distributed support (no process groups)."""
    return False


def is_initialized():
    return False


def is_nccl_available():
    return False


def is_gloo_available():
    return False


def is_mpi_available():
    return False


def is_ucc_available():
    return False


def is_xccl_available():
    return False


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


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1, store=None,
                       group_name='', pg_options=None, device_id=None):
    raise RuntimeError('faketorch has no distributed backend (torch.distributed.is_available() is False): '
                       'init_process_group cannot create a process group. Run the script as a single '
                       'process.')


def destroy_process_group(group=None):
    raise AssertionError('Process group cannot be None')


def _needs_group(name):
    def fn(*args, **kwargs):
        raise ValueError(_NOT_INITIALIZED)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f'torch.distributed.{name}: raises, as no process group can exist in faketorch.'
    return fn


for _name in ('new_group', 'get_rank', 'get_world_size', 'get_backend', 'barrier', 'all_reduce', 'all_gather',
              'all_gather_object', 'all_gather_into_tensor', 'broadcast', 'broadcast_object_list', 'reduce',
              'reduce_scatter', 'reduce_scatter_tensor', 'gather', 'gather_object', 'scatter',
              'scatter_object_list', 'all_to_all', 'all_to_all_single', 'send', 'recv', 'isend', 'irecv',
              'monitored_barrier'):
    globals()[_name] = _needs_group(_name)
del _name


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


class GroupMember:
    WORLD = None
    NON_GROUP_MEMBER = -100


class group:
    WORLD = None


class ProcessGroup:
    def __init__(self, *args, **kwargs):
        raise RuntimeError('faketorch has no distributed backend: a ProcessGroup cannot be created.')


class DistError(RuntimeError):
    pass


class DistBackendError(DistError):
    pass
