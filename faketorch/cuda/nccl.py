"""torch.cuda.nccl: faketorch has no NCCL bindings, so this is torch built without NCCL (as its CPU
build is): is_available warns and says False, the rest fail where torch's missing bindings do."""
import collections.abc
import warnings

__all__ = ['all_reduce', 'reduce', 'broadcast', 'all_gather', 'reduce_scatter']

SUM = 0     # ncclRedOp_t


def _no_binding(name):
    return AttributeError(f"module 'torch._C' has no attribute '{name}'")


def is_available(tensors):
    warnings.warn('PyTorch is not compiled with NCCL support', stacklevel=2)
    return False


def version():
    raise _no_binding('_nccl_version')


def unique_id():
    raise _no_binding('_nccl_unique_id')


def init_rank(num_ranks, uid, rank):
    raise _no_binding('_nccl_init_rank')


def _check_sequence_type(inputs):
    from .._tensor import Tensor
    if not isinstance(inputs, collections.abc.Container) or isinstance(inputs, Tensor):
        raise TypeError('Inputs should be a collection of tensors')


def all_reduce(inputs, outputs=None, op=SUM, streams=None, comms=None):
    _check_sequence_type(inputs)
    _check_sequence_type(inputs if outputs is None else outputs)
    raise _no_binding('_nccl_all_reduce')


def reduce(inputs, output=None, root=0, op=SUM, streams=None, comms=None, *, outputs=None):
    _check_sequence_type(inputs)
    raise _no_binding('_nccl_reduce')


def broadcast(inputs, root=0, streams=None, comms=None):
    _check_sequence_type(inputs)
    raise _no_binding('_nccl_broadcast')


def all_gather(inputs, outputs, streams=None, comms=None):
    _check_sequence_type(inputs)
    _check_sequence_type(outputs)
    raise _no_binding('_nccl_all_gather')


def reduce_scatter(inputs, outputs, op=SUM, streams=None, comms=None):
    _check_sequence_type(inputs)
    _check_sequence_type(outputs)
    raise _no_binding('_nccl_reduce_scatter')
