"""torch.distributed._composable.fsdp: the older import path of FSDP2 (torch.distributed.fsdp)."""
from ...fsdp import CPUOffloadPolicy, FSDPModule, MixedPrecisionPolicy, OffloadPolicy, fully_shard  # noqa: F401

__all__ = ['CPUOffloadPolicy', 'FSDPModule', 'MixedPrecisionPolicy', 'OffloadPolicy', 'fully_shard']
