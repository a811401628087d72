"""FSDP2 (fully_shard): see _fully_shard.py."""
from ._fsdp_api import CPUOffloadPolicy, MixedPrecisionPolicy, OffloadPolicy  # noqa: F401
from ._fully_shard import FSDPModule, fully_shard  # noqa: F401
