"""torch.distributed.checkpoint (DCP): save/load a state dict as a directory in torch's format (see
filesystem.py), with or without a process group; state_dict.py converts models and optimizers."""
from ._core import load, load_state_dict, save, save_state_dict  # noqa: F401
from .default_planner import DefaultLoadPlanner, DefaultSavePlanner  # noqa: F401
from .filesystem import FileSystemReader, FileSystemWriter  # noqa: F401
from .metadata import (BytesStorageMetadata, ChunkStorageMetadata, Metadata, MetadataIndex,  # noqa: F401
                       TensorStorageMetadata)
from .api import CheckpointException  # noqa: F401

__all__ = ['save', 'load', 'save_state_dict', 'load_state_dict', 'FileSystemReader', 'FileSystemWriter',
           'DefaultSavePlanner', 'DefaultLoadPlanner', 'Metadata', 'MetadataIndex', 'TensorStorageMetadata',
           'BytesStorageMetadata', 'ChunkStorageMetadata', 'CheckpointException']
