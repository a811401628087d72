"""torch.distributed.fsdp: config names import; wrapping a model raises as torch does on a CPU-only machine."""
import dataclasses
import enum

from .._stubs import not_implemented

__all__ = ['BackwardPrefetch', 'CPUOffload', 'FullStateDictConfig', 'FullyShardedDataParallel',
           'LocalStateDictConfig', 'MixedPrecision', 'ShardedStateDictConfig', 'ShardingStrategy',
           'StateDictConfig', 'StateDictType', 'fully_shard', 'FSDPModule', 'MixedPrecisionPolicy',
           'CPUOffloadPolicy', 'OffloadPolicy']

ShardingStrategy = enum.Enum('ShardingStrategy', 'FULL_SHARD SHARD_GRAD_OP NO_SHARD HYBRID_SHARD _HYBRID_SHARD_ZERO2',
                             module=__name__)
BackwardPrefetch = enum.Enum('BackwardPrefetch', 'BACKWARD_PRE BACKWARD_POST', module=__name__)
StateDictType = enum.Enum('StateDictType', 'FULL_STATE_DICT LOCAL_STATE_DICT SHARDED_STATE_DICT',
                          module=__name__)


@dataclasses.dataclass
class MixedPrecision:
    param_dtype: object = None
    reduce_dtype: object = None
    buffer_dtype: object = None
    keep_low_precision_grads: bool = False
    cast_forward_inputs: bool = False
    cast_root_forward_inputs: bool = True


@dataclasses.dataclass
class CPUOffload:
    offload_params: bool = False


@dataclasses.dataclass
class StateDictConfig:
    offload_to_cpu: bool = False


@dataclasses.dataclass
class FullStateDictConfig(StateDictConfig):
    rank0_only: bool = False


@dataclasses.dataclass
class LocalStateDictConfig(StateDictConfig):
    pass


@dataclasses.dataclass
class ShardedStateDictConfig(StateDictConfig):
    pass


@dataclasses.dataclass
class MixedPrecisionPolicy:
    param_dtype: object = None
    reduce_dtype: object = None
    output_dtype: object = None
    cast_forward_inputs: bool = True


class OffloadPolicy:
    pass


@dataclasses.dataclass
class CPUOffloadPolicy(OffloadPolicy):
    pin_memory: bool = True


class FullyShardedDataParallel:
    def __init__(self, module, *args, **kwargs):
        # torch's message on a machine without an accelerator
        raise RuntimeError('FSDP needs a non-CPU accelerator device, but no accelerator device is detected.')


class FSDPModule:
    pass


fully_shard = not_implemented('fully_shard')
