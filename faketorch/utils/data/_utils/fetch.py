"""Fetchers: turn what the sampler yields (an index, or a list of them) into a collated batch."""
from .... import _xnp as np

from ...._tensor import _make


class _BaseDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last

    def fetch(self, possibly_batched_index):
        raise NotImplementedError


class _IterableDatasetFetcher(_BaseDatasetFetcher):
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in possibly_batched_index:
                try:
                    data.append(next(self.dataset_iter))
                except StopIteration:
                    self.ended = True
                    break
            if len(data) == 0 or (self.drop_last and len(data) < len(possibly_batched_index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


class _MapDatasetFetcher(_BaseDatasetFetcher):
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        self._gather = auto_collation and _can_gather(dataset, collate_fn)

    def fetch(self, possibly_batched_index):
        if self.auto_collation:
            if self._gather:
                batch = _gather_rows(self.dataset.tensors, possibly_batched_index)
                if batch is not None:
                    return batch
            if hasattr(self.dataset, '__getitems__') and self.dataset.__getitems__:
                data = self.dataset.__getitems__(possibly_batched_index)
            else:
                data = [self.dataset[idx] for idx in possibly_batched_index]
        else:
            data = self.dataset[possibly_batched_index]
        return self.collate_fn(data)


# -- fast path ------------------------------------------------------------------------------------
# default_collate over TensorDataset rows is [stack(rows of t) for t in tensors]; one gather per
# tensor with the whole index list gives the same values, dtype and shape without len(batch)
# Python-level items. Taken only where the result cannot differ from the slow path.

def _can_gather(dataset, collate_fn):
    from ..dataset import TensorDataset
    from .collate import Tensor, collate_tensor_fn, default_collate, default_collate_fn_map
    return (collate_fn is default_collate and default_collate_fn_map.get(Tensor) is collate_tensor_fn
            and isinstance(dataset, TensorDataset)
            and type(dataset).__getitem__ is TensorDataset.__getitem__
            and getattr(type(dataset), '__getitems__', None) is None)


def _gather_rows(tensors, indices):
    """[t[indices] for t in tensors] as default_collate would build it, or None to fall back
    (tensors needing grad, empty or odd index lists, out-of-range indices: the slow path then
    raises torch's own errors)."""
    if type(indices) is not list or not indices:
        return None
    try:    # integers only: t[1.0] raises and t[True] adds a dim, on the slow path
        idx = np.asarray(indices)
    except (TypeError, ValueError, OverflowError):
        return None
    if idx.ndim != 1 or idx.dtype.kind not in 'iu':
        return None
    out = []
    for t in tensors:
        if t._requires_grad:
            return None
        data = t._data
        try:    # mode='raise' wraps negatives like t[i] does and rejects the rest
            rows = data.take(idx if isinstance(data, np.ndarray) else _on(t, idx), axis=0)
        except IndexError:
            return None
        out.append(_make(rows, t.dtype, t._device))
    return out


def _on(t, idx):
    from ...._device import xp_of
    return xp_of(t._device).asarray(idx)
