"""torch.distributed on the CPU with gloo's semantics: process groups between the processes of one
machine (spawned by torch.multiprocessing.spawn or `python -m faketorch.distributed.run`), the
stores, collectives, point-to-point and object collectives. See distributed_c10d.py for how
they travel and why their floating-point results are gloo's. The subpackages build on them: fsdp
(FSDP1 and fully_shard), tensor (DTensor, DeviceMesh), checkpoint (DCP), rpc,
algorithms._checkpoint (activation checkpointing wrappers)."""
from ._store import (DistBackendError, DistError, DistNetworkError, DistStoreError, FileStore,  # noqa: F401
                     HashStore, PrefixStore, Store, TCPStore)
from .distributed_c10d import (Backend, GradBucket, GroupMember, ProcessGroup, ReduceOp, Work, all_gather,  # noqa: F401
                               all_gather_into_tensor, all_gather_object, all_gather_single, all_reduce,
                               all_reduce_coalesced, all_to_all, all_to_all_single, barrier, broadcast,
                               broadcast_object_list, destroy_process_group, gather, gather_object,
                               get_backend, get_backend_config, get_global_rank, get_group_rank,
                               get_node_local_rank, get_pg_count, get_process_group_ranks, get_rank,
                               get_world_size, group, init_process_group, irecv, is_available,
                               is_backend_available, is_gloo_available, is_initialized, is_mpi_available,
                               is_nccl_available, is_torchelastic_launched, is_ucc_available,
                               is_xccl_available, isend, monitored_barrier, new_group, recv, reduce,
                               reduce_scatter, reduce_scatter_single, reduce_scatter_tensor, scatter,
                               scatter_object_list, send, _all_gather_base, _reduce_scatter_base, P2POp,
                               batch_isend_irecv, send_object_list, recv_object_list, default_pg_timeout,
                               new_subgroups, new_subgroups_by_enumeration, get_default_backend_for_device,
                               supports_complex, all_gather_coalesced)
from .device_mesh import DeviceMesh, init_device_mesh  # noqa: F401

__all__ = ['is_available', 'is_initialized', 'is_nccl_available', 'is_gloo_available', 'is_mpi_available',
           'is_ucc_available', 'is_xccl_available', 'is_backend_available', 'is_torchelastic_launched',
           'init_process_group', 'destroy_process_group', 'new_group', 'get_rank', 'get_world_size',
           'get_backend', 'get_backend_config', 'get_group_rank', 'get_global_rank', 'get_process_group_ranks',
           'barrier', 'all_reduce', 'all_reduce_coalesced', 'all_gather', 'all_gather_object',
           'all_gather_into_tensor', 'all_gather_single', 'broadcast', 'broadcast_object_list', 'reduce',
           'reduce_scatter', 'reduce_scatter_tensor', 'reduce_scatter_single', 'gather', 'gather_object',
           'scatter', 'scatter_object_list', 'all_to_all', 'all_to_all_single', 'send', 'recv', 'isend',
           'irecv', 'P2POp', 'batch_isend_irecv', 'send_object_list', 'recv_object_list', 'monitored_barrier', 'get_node_local_rank', 'ReduceOp', 'Backend', 'GroupMember', 'group',
           'ProcessGroup', 'Work', 'GradBucket', 'Store', 'TCPStore', 'FileStore', 'HashStore', 'PrefixStore', 'DistError',
           'DistBackendError', 'DistNetworkError', 'DistStoreError', 'default_pg_timeout', 'new_subgroups',
           'new_subgroups_by_enumeration', 'get_default_backend_for_device', 'supports_complex',
           'all_gather_coalesced', 'DeviceMesh', 'init_device_mesh']


def __getattr__(name):
    # torch imports these with torch.distributed; here they load on first use
    if name in ('rpc', 'autograd'):
        import importlib
        return importlib.import_module('.' + name, __name__)
    raise AttributeError(f"module 'torch.distributed' has no attribute '{name}'")
