"""torch.distributed.rpc.api: where torch defines the RPC calls and RRef (the same objects as
torch.distributed.rpc's)."""
from . import RRef, get_worker_info, remote, rpc_async, rpc_sync, shutdown  # noqa: F401

__all__ = ['shutdown', 'get_worker_info', 'remote', 'rpc_sync', 'rpc_async', 'RRef']
