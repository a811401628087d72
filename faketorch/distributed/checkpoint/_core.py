"""save and load: each rank writes the items it owns (its DTensor chunks; rank 0 the plain tensors
and objects) to its own file, rank 0 gathers every rank's entries and writes `.metadata`. Loading
reads, for each tensor of the target state dict, the stored chunks overlapping the part this rank
holds, and replaces object items. Without a process group everything runs in this process."""
import io
import uuid
import warnings

from .. import distributed_c10d as c10d
from . import default_planner as _planner
from .filesystem import FileSystemReader, FileSystemWriter
from .metadata import (BytesStorageMetadata, ChunkStorageMetadata, Metadata, MetadataIndex, StorageMeta,
                       TensorProperties, TensorStorageMetadata)
from .stateful import Stateful

_NO_DIST = ('torch.distributed is disabled, unavailable or uninitialized, assuming the intent is to {} in a '
            'single process.')


def _torch():
    import faketorch
    return faketorch


def _distributed(no_dist, what):
    if no_dist:
        return False
    if not c10d.is_initialized():
        warnings.warn(_NO_DIST.format(what), stacklevel=3)
        return False
    return True


def _local_box(t):
    """(offsets, sizes, global size, local tensor) of the part of t this rank holds."""
    from ..tensor import DTensor
    if not isinstance(t, DTensor):
        return [0] * t.ndim, list(t.shape), list(t.shape), t
    offsets, sizes = [0] * t.ndim, list(t.shape)
    for mesh_dim, p in enumerate(t.placements):
        if p.is_shard():
            n, r = t.device_mesh.size(mesh_dim), t.device_mesh.get_local_rank(mesh_dim)
            step = -(-sizes[p.dim] // n)
            start = min(r * step, sizes[p.dim])
            offsets[p.dim] += start
            sizes[p.dim] = min(step, sizes[p.dim] - start)
    return offsets, sizes, list(t.shape), t.to_local()


def _resolve(storage, checkpoint_id, cls):
    if storage is None:
        if checkpoint_id is None:
            raise RuntimeError('`checkpoint_id` must be specificed if storage_writer/storage_reader is None.')
        return cls(checkpoint_id)
    if checkpoint_id is not None:
        storage.reset(checkpoint_id)
    return storage


def _states(state_dict):
    """Stateful values replaced by their state_dict() (torch calls it at the top level only)."""
    return {k: (v.state_dict() if isinstance(v, Stateful) and not isinstance(v, dict) else v)
            for k, v in state_dict.items()}


def save(state_dict, *, checkpoint_id=None, storage_writer=None, planner=None, process_group=None, no_dist=False):
    torch = _torch()
    dist = _distributed(no_dist, 'save')
    writer = _resolve(storage_writer, checkpoint_id, FileSystemWriter)
    rank = c10d.get_rank(process_group) if dist else 0
    flat, mappings = _planner.flatten_state_dict(_states(state_dict))
    entries, objects, tensors = {}, [], []
    for fqn, value in flat.items():
        if isinstance(value, torch.Tensor):
            offsets, sizes, size, local = _local_box(value)
            entries[fqn] = ('tensor', TensorProperties.create_from_tensor(local), size, offsets, sizes)
            if local is not value or rank == 0:
                tensors.append((MetadataIndex(fqn, offsets), local.detach()))
        else:
            entries[fqn] = ('bytes',)
            if rank == 0:
                buf = io.BytesIO()
                torch.save(value, buf)
                objects.append((MetadataIndex(fqn), buf))
    infos = writer._write(rank, objects + tensors)
    gathered = [(entries, infos)]
    if dist:
        gathered = [None] * c10d.get_world_size(process_group)
        c10d.all_gather_object(gathered, (entries, infos), group=process_group)
    if rank == 0:
        writer._finish(_metadata(gathered, mappings, writer))
    if dist:
        c10d.barrier(group=process_group)
    return Metadata(state_dict_metadata={})


def _metadata(gathered, mappings, writer):
    torch = _torch()
    md, storage = {}, {}
    for entries, _ in gathered:
        for fqn, e in entries.items():
            if e[0] == 'bytes':
                md.setdefault(fqn, BytesStorageMetadata())
                continue
            tmd = md.setdefault(fqn, TensorStorageMetadata(e[1], torch.Size(e[2]), []))
            chunk = ChunkStorageMetadata(torch.Size(e[3]), torch.Size(e[4]))
            if chunk not in tmd.chunks:
                tmd.chunks.append(chunk)
    for _, infos in gathered:
        for index, info in infos.items():
            if index.offset is not None:
                chunks = md[index.fqn].chunks
                index = MetadataIndex(index.fqn, index.offset,
                                      next(i for i, c in enumerate(chunks) if c.offsets == index.offset))
            storage[index] = info
    meta = StorageMeta(checkpoint_id=writer.path, save_id=str(uuid.uuid4()), load_id=None, modules=[])
    return Metadata(state_dict_metadata=md, planner_data=mappings, storage_data=storage, storage_meta=meta,
                    version='1.0.0')


def load(state_dict, *, checkpoint_id=None, storage_reader=None, planner=None, process_group=None, no_dist=False):
    torch = _torch()
    _distributed(no_dist, 'load')
    reader = _resolve(storage_reader, checkpoint_id, FileSystemReader)
    allow_partial = getattr(planner, 'allow_partial_load', False)
    metadata = reader.read_metadata()
    states = _states(state_dict)
    flat, mappings = _planner.flatten_state_dict(states)
    by_fqn = {}
    for index, info in metadata.storage_data.items():
        by_fqn.setdefault(index.fqn, []).append((index, info))
    for fqn, value in flat.items():
        if fqn not in metadata.state_dict_metadata:
            if allow_partial:
                continue
            _raise_on(0, RuntimeError(f'Missing key in checkpoint state_dict: {fqn}.'))
        md = metadata.state_dict_metadata[fqn]
        if isinstance(md, BytesStorageMetadata):
            (_, info), = by_fqn[fqn]
            _planner.set_element(states, mappings[fqn], torch.load(reader._read(info), weights_only=False))
            continue
        offsets, sizes, _, local = _local_box(value)
        chunks = md.chunks
        for index, info in by_fqn[fqn]:
            chunk = chunks[index.index] if index.index is not None and index.index < len(chunks) else \
                next(c for c in chunks if c.offsets == index.offset)
            src, dst = torch.load(reader._read(info), map_location='cpu', weights_only=True), local.detach()
            for d in range(len(offsets)):
                lo = max(offsets[d], chunk.offsets[d])
                hi = min(offsets[d] + sizes[d], chunk.offsets[d] + chunk.sizes[d])
                if hi <= lo:
                    break
                src = src.narrow(d, lo - chunk.offsets[d], hi - lo)
                dst = dst.narrow(d, lo - offsets[d], hi - lo)
            else:
                with torch.no_grad():
                    dst.copy_(src)
    for k, v in state_dict.items():
        if isinstance(v, Stateful) and not isinstance(v, dict):
            v.load_state_dict(states[k])
        else:
            state_dict[k] = states[k]        # a top-level object item was replaced


def _raise_on(rank, exc):
    """torch reports a rank's failure as a CheckpointException carrying it."""
    import traceback
    from .api import CheckpointException
    try:
        raise exc
    except Exception as e:
        frames = traceback.extract_tb(e.__traceback__)
        raise CheckpointException('', {rank: (e, frames)}) from None


def _deprecated(message, no_dist):
    """The old save_state_dict/load_state_dict: torch's warning, and a process group unless told no_dist."""
    warnings.warn(message, FutureWarning, stacklevel=3)
    if not no_dist and not c10d.is_initialized():
        from .._stubs import NO_GROUP
        raise ValueError(NO_GROUP)


def save_state_dict(state_dict, storage_writer, process_group=None, coordinator_rank=0, no_dist=False,
                    planner=None):
    _deprecated('`save_state_dict` is deprecated and will be removed in future versions.Please use `save` '
                'instead.', no_dist)
    return save(state_dict, storage_writer=storage_writer, process_group=process_group, no_dist=no_dist,
                planner=planner)


def load_state_dict(state_dict, storage_reader, process_group=None, coordinator_rank=0, no_dist=False,
                    planner=None):
    _deprecated('`load_state_dict` is deprecated and will be removed in future versions. Please use `load` '
                'instead.', no_dist)
    return load(state_dict, storage_reader=storage_reader, process_group=process_group, no_dist=no_dist,
                planner=planner)

