"""torch.distributed.checkpoint.metadata: what a checkpoint's `.metadata` file holds. The classes
carry torch's names and pickled state, so torch and faketorch read each other's files."""
import dataclasses
import enum
from typing import Any

__all__ = ['ChunkStorageMetadata', 'TensorStorageMetadata', 'BytesStorageMetadata', 'Metadata', 'MetadataIndex',
           'TensorProperties', 'StorageMeta']


def _torch():
    import faketorch
    return faketorch


@dataclasses.dataclass
class ChunkStorageMetadata:
    offsets: Any
    sizes: Any


class _MEM_FORMAT_ENCODING(enum.Enum):
    TORCH_CONTIGUOUS_FORMAT = 0
    TORCH_CHANNELS_LAST = 1
    TORCH_PRESERVE_FORMAT = 2


def _formats():
    torch = _torch()
    return {torch.contiguous_format: _MEM_FORMAT_ENCODING.TORCH_CONTIGUOUS_FORMAT,
            torch.channels_last: _MEM_FORMAT_ENCODING.TORCH_CHANNELS_LAST,
            torch.preserve_format: _MEM_FORMAT_ENCODING.TORCH_PRESERVE_FORMAT}


@dataclasses.dataclass
class TensorProperties:
    dtype: Any = dataclasses.field(default_factory=lambda: _torch().get_default_dtype())
    layout: Any = dataclasses.field(default_factory=lambda: _torch().strided)
    requires_grad: bool = False
    memory_format: Any = dataclasses.field(default_factory=lambda: _torch().contiguous_format)
    pin_memory: bool = False

    # torch pickles the memory format as its enum (memory_format objects do not pickle)
    def __getstate__(self):
        encoding = _formats().get(self.memory_format)
        if encoding is None:
            raise RuntimeError(f'Invalid torch.memory_format: {self.memory_format}')
        return self.dtype, self.layout, self.requires_grad, encoding, self.pin_memory

    def __setstate__(self, state):
        self.dtype, self.layout, self.requires_grad, encoding, self.pin_memory = state
        self.memory_format = {v: k for k, v in _formats().items()}[encoding]

    @staticmethod
    def create_from_tensor(tensor):
        return TensorProperties(dtype=tensor.dtype, layout=tensor.layout, requires_grad=tensor.requires_grad,
                                memory_format=_torch().contiguous_format, pin_memory=tensor.is_pinned())


@dataclasses.dataclass
class TensorStorageMetadata:
    properties: TensorProperties
    size: Any
    chunks: list


@dataclasses.dataclass
class BytesStorageMetadata:
    pass


@dataclasses.dataclass
class StorageMeta:
    checkpoint_id: Any = None
    save_id: Any = None
    load_id: Any = None
    modules: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Metadata:
    state_dict_metadata: dict
    planner_data: Any = None
    storage_data: Any = None
    storage_meta: Any = None
    version: Any = None


@dataclasses.dataclass(frozen=True)
class MetadataIndex:
    fqn: str
    offset: Any = None
    index: Any = dataclasses.field(hash=False, compare=False, default=None)

    def __init__(self, fqn, offset=None, index=None):
        object.__setattr__(self, 'fqn', fqn)
        object.__setattr__(self, 'index', index)
        if offset is not None:
            object.__setattr__(self, 'offset', _torch().Size(offset))
