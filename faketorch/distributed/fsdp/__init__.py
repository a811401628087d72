"""torch.distributed.fsdp: FullyShardedDataParallel (FSDP1, flat parameters) and fully_shard (FSDP2,
DTensor parameters) on a gloo process group of one machine, CPU only."""
from .api import (BackwardPrefetch, CPUOffload, FullOptimStateDictConfig, FullStateDictConfig,  # noqa: F401
                  LocalOptimStateDictConfig, LocalStateDictConfig, MixedPrecision, OptimStateDictConfig,
                  ShardedOptimStateDictConfig, ShardedStateDictConfig, ShardingStrategy, StateDictConfig,
                  StateDictSettings, StateDictType)
from .fully_sharded_data_parallel import FullyShardedDataParallel  # noqa: F401
from ._fully_shard import (CPUOffloadPolicy, FSDPModule, MixedPrecisionPolicy, OffloadPolicy,  # noqa: F401
                           fully_shard)

__all__ = ['BackwardPrefetch', 'CPUOffload', 'FullOptimStateDictConfig', 'FullStateDictConfig',
           'FullyShardedDataParallel', 'LocalOptimStateDictConfig', 'LocalStateDictConfig', 'MixedPrecision',
           'OptimStateDictConfig', 'ShardedOptimStateDictConfig', 'ShardedStateDictConfig', 'ShardingStrategy',
           'StateDictConfig', 'StateDictSettings', 'StateDictType', 'CPUOffloadPolicy', 'FSDPModule', 'fully_shard',
           'MixedPrecisionPolicy', 'OffloadPolicy']
