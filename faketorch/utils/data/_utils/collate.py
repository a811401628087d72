"""default_collate / default_convert: samples -> batched tensors, following torch's type rules.

Dispatch is a table from type to handler (``default_collate_fn_map``), as torch's, so users can
extend it via ``collate(batch, collate_fn_map=...)``.
"""
import collections.abc
import copy
import re

from .... import _xnp as np

import faketorch as torch
from ...._tensor import Tensor
from .worker import get_worker_info

np_str_obj_array_pattern = re.compile(r'[SaUO]')   # NumPy dtype kinds that hold strings or objects

default_collate_err_msg_format = ('default_collate: batch must contain tensors, numpy arrays, numbers, '
                                  'dicts or lists; found {}')


def _rebuild_mapping(elem, items):
    """A mapping like ``elem`` holding ``items``: keep its class (and extra attributes) if possible."""
    try:
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(items)
            return clone
        return type(elem)(items)
    except TypeError:
        return items


def _rebuild_sequence(elem, items):
    try:
        if isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            for i, x in enumerate(items):
                clone[i] = x
            return clone
        return type(elem)(items)
    except TypeError:       # e.g. range, or a sequence type with another constructor
        return items


def default_convert(data):
    """Convert NumPy arrays and scalars (also inside mappings and sequences) to tensors; no batching."""
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == 'numpy' and elem_type.__name__ not in ('str_', 'string_'):
        if elem_type.__name__ == 'ndarray' and np_str_obj_array_pattern.search(data.dtype.str) is not None:
            return data
        return torch.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, '_fields'):    # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]      # a list, for backward compatibility (torch)
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def collate(batch, *, collate_fn_map=None):
    """Collate a list of samples: handlers from ``collate_fn_map`` by exact type, then isinstance;
    mappings, namedtuples and sequences are collated field by field."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)

    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(elem, {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                                       for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, '_fields'):   # namedtuple
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(e) == elem_size for e in it):
            raise RuntimeError('each element in list of batch should be of equal size')
        columns = [collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)]
        if isinstance(elem, tuple):
            return columns      # a list, for backward compatibility (torch)
        return _rebuild_sequence(elem, columns)
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    elem = batch[0]
    if getattr(elem, 'is_nested', False):
        raise RuntimeError('Batches of nested tensors are not currently supported by the default collate_fn; '
                           'please provide a custom collate_fn to handle them appropriately.')
    if repr(getattr(elem, 'layout', 'torch.strided')) != 'torch.strided':
        raise RuntimeError('Batches of sparse tensors are not currently supported by the default collate_fn; '
                           'please provide a custom collate_fn to handle them appropriately.')
    if get_worker_info() is not None:
        # in a worker torch stacks into (shared) memory made like the first sample, sized by the
        # samples' numel: the batch takes its dtype, samples needing grad are refused as by any
        # out=, and a non-tensor sample fails on .numel()
        numel = sum(x.numel() for x in batch)
        return torch.stack(batch, 0, out=elem.new_empty(numel).resize_(len(batch), *elem.shape))
    return torch.stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([torch.as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    return torch.as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map=None):
    return torch.tensor(batch, dtype=torch.float64)     # Python floats are doubles: float64, not the default


def collate_int_fn(batch, *, collate_fn_map=None):
    return torch.tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,             # np.memmap too (a subclass)
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,   # not NumPy's string scalars
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Stack a list of samples into a batch: tensors are stacked on a new dim 0, numbers become
    tensors (int -> int64, float -> float64), mappings/sequences are collated per field."""
    return collate(batch, collate_fn_map=default_collate_fn_map)
