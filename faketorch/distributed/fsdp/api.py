"""torch.distributed.fsdp.api: FSDP's configuration enums and dataclasses (reprs as torch's)."""
import dataclasses
import enum

__all__ = ['ShardingStrategy', 'BackwardPrefetch', 'MixedPrecision', 'CPUOffload', 'StateDictType',
           'StateDictConfig', 'FullStateDictConfig', 'LocalStateDictConfig', 'ShardedStateDictConfig',
           'OptimStateDictConfig', 'FullOptimStateDictConfig', 'LocalOptimStateDictConfig',
           'ShardedOptimStateDictConfig', 'StateDictSettings']

ShardingStrategy = enum.Enum('ShardingStrategy', 'FULL_SHARD SHARD_GRAD_OP NO_SHARD HYBRID_SHARD _HYBRID_SHARD_ZERO2',
                             module=__name__)
BackwardPrefetch = enum.Enum('BackwardPrefetch', 'BACKWARD_PRE BACKWARD_POST', module=__name__)
StateDictType = enum.Enum('StateDictType', 'FULL_STATE_DICT LOCAL_STATE_DICT SHARDED_STATE_DICT',
                          module=__name__)


def _batch_norm():
    from ...nn.modules.batchnorm import _BatchNorm
    return (_BatchNorm,)


@dataclasses.dataclass
class MixedPrecision:
    param_dtype: object = None
    reduce_dtype: object = None
    buffer_dtype: object = None
    keep_low_precision_grads: bool = False
    cast_forward_inputs: bool = False
    cast_root_forward_inputs: bool = True
    _module_classes_to_ignore: tuple = dataclasses.field(default_factory=_batch_norm)


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
    _use_dtensor: bool = False


@dataclasses.dataclass
class OptimStateDictConfig:
    offload_to_cpu: bool = True


@dataclasses.dataclass
class FullOptimStateDictConfig(OptimStateDictConfig):
    rank0_only: bool = False


@dataclasses.dataclass
class LocalOptimStateDictConfig(OptimStateDictConfig):
    offload_to_cpu: bool = False


@dataclasses.dataclass
class ShardedOptimStateDictConfig(OptimStateDictConfig):
    _use_dtensor: bool = False


@dataclasses.dataclass
class StateDictSettings:
    state_dict_type: StateDictType
    state_dict_config: StateDictConfig
    optim_state_dict_config: OptimStateDictConfig
