"""torch.distributed.checkpoint.filesystem: a checkpoint is a directory with one `__<rank>_0.distcp`
file per rank (each item `torch.save`d one after another: objects first, then tensor chunks) and
a `.metadata` pickle naming, for each key, its shape, chunks and where each lies (torch's format)."""
import dataclasses
import io
import os
import pathlib
import pickle
import uuid
from typing import Any

__all__ = ['FileSystemWriter', 'FileSystemReader']

_METADATA_FN = '.metadata'


@dataclasses.dataclass
class _StorageInfo:
    relative_path: str
    offset: int
    length: int
    transform_descriptors: Any = None

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if v is not None}


class _TorchNamePickler:
    """A pickler writing faketorch's classes under torch's module names (faketorch.x -> torch.x)."""

    def __new__(cls, file, protocol):
        from ... import serialization

        class Pickler(serialization._Pickler):
            def save_global(self, obj, name=None):
                module = getattr(obj, '__module__', '') or ''
                if module.split('.')[0] == 'faketorch' and serialization._rebuild.torch_name_of(obj) is None:
                    self.write(pickle.GLOBAL + f'torch{module[9:]}\n{obj.__qualname__}\n'.encode('utf-8'))
                    self.memoize(obj)
                    return
                return super().save_global(obj, name)

            def reducer_override(self, obj):
                import faketorch
                if isinstance(obj, faketorch.layout):
                    # torch pickles a layout as torch.serialization._get_layout('torch.<name>')
                    return serialization._rebuild._get_layout, (f'torch.{obj.name}',)
                return super().reducer_override(obj)
        return Pickler(file, protocol)


def _dump_metadata(metadata, f):
    _TorchNamePickler(f, 4).dump(metadata)


def _load_metadata(f):
    from ... import serialization
    return serialization._full_unpickler(pickle)(f).load()


class FileSystemWriter:
    def __init__(self, path, single_file_per_rank=True, sync_files=True, thread_count=1,
                 per_thread_copy_ahead=10_000_000, cache_staged_state_dict=False, overwrite=True, **kwargs):
        self.path = pathlib.Path(path) if not isinstance(path, pathlib.Path) else path
        self.single_file_per_rank = single_file_per_rank
        self.overwrite = overwrite
        self.checkpoint_id = path

    def reset(self, checkpoint_id=None):
        if checkpoint_id is not None:
            self.path = pathlib.Path(checkpoint_id)
            self.checkpoint_id = checkpoint_id

    def storage_meta(self):
        return None

    def _write(self, rank, items):
        """items: [(MetadataIndex, value: bytes-io object or tensor)]; writes them, returns {index: info}."""
        import faketorch
        self.path.mkdir(parents=True, exist_ok=True)
        name = f'__{rank}_0.distcp'
        infos = {}
        with open(self.path / name, 'wb') as stream:
            for index, data in items:
                offset = stream.tell()
                if isinstance(data, io.BytesIO):
                    stream.write(data.getbuffer())
                else:
                    faketorch.save(data, stream)
                infos[index] = _StorageInfo(name, offset, stream.tell() - offset)
        return infos

    def _finish(self, metadata):
        tmp = self.path / (_METADATA_FN + '.tmp')
        with open(tmp, 'wb') as f:
            _dump_metadata(metadata, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path / _METADATA_FN)

    @classmethod
    def validate_checkpoint_id(cls, checkpoint_id):
        return True


class FileSystemReader:
    def __init__(self, path, _extension_registry=None):
        self.path = pathlib.Path(path) if not isinstance(path, pathlib.Path) else path
        self.checkpoint_id = path

    def reset(self, checkpoint_id=None):
        if checkpoint_id is not None:
            self.path = pathlib.Path(checkpoint_id)
            self.checkpoint_id = checkpoint_id

    def read_metadata(self):
        with open(self.path / _METADATA_FN, 'rb') as f:
            metadata = _load_metadata(f)
        if getattr(metadata, 'storage_meta', None) is None:
            from .metadata import StorageMeta
            metadata.storage_meta = StorageMeta()
        metadata.storage_meta.load_id = str(uuid.uuid4())
        return metadata

    def _read(self, info):
        with open(self.path / info.relative_path, 'rb') as f:
            f.seek(info.offset)
            return io.BytesIO(f.read(info.length))

    @classmethod
    def validate_checkpoint_id(cls, checkpoint_id):
        return True
