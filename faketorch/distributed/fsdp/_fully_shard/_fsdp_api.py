"""FSDP2's policies (torch.distributed.fsdp._fully_shard._fsdp_api)."""
import dataclasses

__all__ = ['MixedPrecisionPolicy', 'OffloadPolicy', 'CPUOffloadPolicy']


@dataclasses.dataclass(frozen=True)
class MixedPrecisionPolicy:
    param_dtype: object = None
    reduce_dtype: object = None
    output_dtype: object = None
    cast_forward_inputs: bool = True


@dataclasses.dataclass
class OffloadPolicy:
    pass


@dataclasses.dataclass
class CPUOffloadPolicy(OffloadPolicy):
    pin_memory: bool = True
