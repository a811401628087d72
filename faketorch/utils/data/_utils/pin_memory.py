"""pin_memory(data): a batch with its tensors pinned, walked as default_collate walks samples.

A single-process DataLoader with pin_memory=True calls it on each batch when an accelerator is
available (as torch does; a CUDA tensor raises torch's error); with none torch leaves batches
unpinned (and warns), and so does faketorch. Called directly it pins as torch does, which without
an accelerator raises torch's error from Tensor.pin_memory.
"""
import collections.abc

from .collate import _rebuild_mapping, _rebuild_sequence


def pin_memory(data, device=None):
    if hasattr(data, 'pin_memory'):     # tensors, and batch types that pin themselves
        return data.pin_memory()
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {k: pin_memory(sample, device) for k, sample in data.items()})
    if isinstance(data, tuple):
        if hasattr(data, '_fields'):    # namedtuple
            return type(data)(*(pin_memory(sample, device) for sample in data))
        return type(data)(pin_memory(sample, device) for sample in data)
    if isinstance(data, collections.abc.Sequence):
        return _rebuild_sequence(data, [pin_memory(sample, device) for sample in data])
    return data
