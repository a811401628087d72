"""Packed sequences for the recurrent layers: PackedSequence, pack/pad utilities."""
from collections import namedtuple

from ... import _xnp as np

import faketorch
from ..._tensor import Tensor, _make
from ... import _dtype as D
from ...autograd.grad_mode import state as grad_state
from ..._ops._core import attach

__all__ = ['PackedSequence', 'invert_permutation', 'pack_padded_sequence', 'pad_packed_sequence',
           'pad_sequence', 'unpad_sequence', 'pack_sequence', 'unpack_sequence']

PackedSequence_ = namedtuple('PackedSequence_', ['data', 'batch_sizes', 'sorted_indices',
                                                 'unsorted_indices'])


class PackedSequence(PackedSequence_):
    """Sequences of different lengths, stored time step by time step (longest first)."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is not None:
            return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)
        return super().__new__(cls, *data, sorted_indices, unsorted_indices) if len(data) == 2 \
            else super().__new__(cls, *data)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        kw = {k: v for k, v in kwargs.items() if k == 'device'}
        si = None if self.sorted_indices is None else self.sorted_indices.to(**kw)
        ui = None if self.unsorted_indices is None else self.unsorted_indices.to(**kw)
        return type(self)(data, self.batch_sizes, si, ui)

    def cuda(self, *args, **kwargs):
        return self.to(*args, device='cuda', **kwargs)

    def cpu(self, *args, **kwargs):
        return self.to(*args, device='cpu', **kwargs)

    def double(self):
        return self.to(dtype=faketorch.double)

    def float(self):
        return self.to(dtype=faketorch.float)

    def half(self):
        return self.to(dtype=faketorch.half)

    def long(self):
        return self.to(dtype=faketorch.long)

    def int(self):
        return self.to(dtype=faketorch.int)

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def invert_permutation(permutation):
    if permutation is None:
        return None
    inv = np.empty_like(permutation._data)
    inv[permutation._data] = np.arange(permutation._data.size, like=inv)
    return _make(inv, D.int64, permutation._device)


def _index_select(t, dim, index):
    """t.index_select(dim, index) as torch records it (IndexSelectBackward0)."""
    idx = index._data
    r = _make(np.take(t._data, idx, axis=dim), t.dtype, t._device)
    if t._requires_grad and grad_state.enabled:
        def bwd(node, g):
            gx = np.zeros_like(t._data)
            np.ufunc_at(np.add, gx, (slice(None),) * dim + (idx,), g._data)
            return (_make(gx, g.dtype, g._device),)
        attach('IndexSelectBackward0', bwd, (t,), (r,))
    return r


def _lengths_array(lengths):
    if isinstance(lengths, Tensor):
        return np.asarray(np.host(lengths._data), dtype=np.int64).reshape(-1)
    return np.asarray(list(lengths), dtype=np.int64)


def _pack_index(batch_sizes):
    """(time, batch) of each packed row, time-major."""
    t = np.repeat(np.arange(len(batch_sizes)), batch_sizes)
    b = np.concatenate([np.arange(n) for n in batch_sizes]) if len(batch_sizes) else np.zeros(0, np.int64)
    return t, b


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    if isinstance(lengths, Tensor):
        lengths = lengths.to(dtype=faketorch.int64)
    else:
        lengths = faketorch.as_tensor(lengths, dtype=faketorch.int64, device='cpu')
    sorted_indices = None
    if not enforce_sorted:
        lengths, sorted_indices = faketorch.sort(lengths, descending=True, stable=True)
        sorted_indices = sorted_indices.to(input.device)
        input = _index_select(input, 0 if batch_first else 1, sorted_indices)
    # from here on, the checks of torch's _pack_padded_sequence kernel, in its order
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    if lengths.dim() != 1 or lengths._device.type != 'cpu':
        raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got {lengths.dim()}D "
                           f"{lengths._device} {D.type_name(lengths.dtype)} tensor")
    batch_size = input.size(0 if batch_first else 1)
    if lengths.size(0) != batch_size:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lengths.size(0)} "
                           f"(batch_size={batch_size})")
    lens = _lengths_array(lengths)
    if lens[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in "
                           "'lengths' that is <= 0")
    if np.any(lens[:-1] < lens[1:]):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                           "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                           "pack_sequence to sidestep this requirement if you do not need ONNX "
                           "exportability.")
    if batch_first:
        input = input.transpose(0, 1)
    T = int(lens[0]) if lens.size else 0
    if T > input.shape[0]:
        raise RuntimeError(f"Expected sequence length to be larger than or equal to {T}, but got "
                           f"{input.shape[0]}")     # torch reads past the input's end here
    batch_sizes = (np.host(lens)[None, :] > np.arange(T)[:, None]).sum(1).astype(np.int64)
    t, b = _pack_index(batch_sizes)
    x = input._data
    data = _make(x[t, b], input.dtype, input._device)
    if input._requires_grad and grad_state.enabled:
        def bwd(node, g):
            gx = np.zeros_like(x)
            gx[t, b] = g._data
            return (_make(gx, g.dtype, g._device),)
        attach('PackPaddedSequenceBackward0', bwd, (input,), (data,))
    bs = _make(batch_sizes, D.int64)
    return PackedSequence(data, bs, sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    data, batch_sizes = sequence.data, sequence.batch_sizes._data
    T = len(batch_sizes)
    B = int(batch_sizes[0]) if T else 0
    if total_length is not None:
        if total_length < T:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in "
                             f"input, but got total_length={total_length} and max sequence length being {T}")
        if not isinstance(total_length, int):
            raise TypeError("_pad_packed_sequence(): argument 'total_length' (position 5) must be int, not "
                            f"{type(total_length).__name__}")
        T_out = total_length
    else:
        T_out = T
    t, b = _pack_index(batch_sizes)
    x = data._data
    # torch.full's conversion of padding_value (its overflow error included)
    out = faketorch.full((T_out, B) + x.shape[1:], padding_value, dtype=data.dtype, device=data.device)._data
    out[t, b] = x
    r = _make(out, data.dtype, data._device)
    if data._requires_grad and grad_state.enabled:
        def bwd(node, g):
            return (_make(np.ascontiguousarray(g._data[t, b]), g.dtype, g._device),)
        attach('CopySlices', bwd, (data,), (r,))
    lengths = (batch_sizes[None, :] > np.arange(B)[:, None]).sum(1).astype(np.int64)
    if batch_first:
        r = r.transpose(0, 1)
    if sequence.unsorted_indices is not None:
        ui = sequence.unsorted_indices
        r = _index_select(r, 0 if batch_first else 1, ui)
        lengths = lengths[np.host(ui._data)]       # lengths stay on the CPU, as torch's
    return r, _make(lengths, D.int64)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side='right'):
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    # the checks of torch's pad_sequence kernel, in its order
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if sequences[0].dim() == 0:
        raise RuntimeError("ArrayRef: invalid slice, N = 1; size = 0")
    if padding_side not in ('left', 'right'):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    T = max(s.shape[0] for s in sequences)
    first = sequences[0]
    # one output written slice by slice, as torch does (hence CopySlices)
    B = len(sequences)
    shape = (B, T) if batch_first else (T, B)
    out = faketorch.full(shape + first._data.shape[1:], padding_value, dtype=first.dtype,
                         device=first.device)._data
    spans = []
    for i, s in enumerate(sequences):
        n = s.shape[0]
        span = slice(0, n) if padding_side == 'right' else slice(T - n, T)
        if s.shape[1:] != first.shape[1:]:
            faketorch.empty((n,) + tuple(first.shape[1:]), dtype=first.dtype).copy_(s)    # copy_'s error
        out[(i, span) if batch_first else (span, i)] = s._data
        spans.append(span)
    r = _make(out, first.dtype, first._device)
    if grad_state.enabled and any(s._requires_grad for s in sequences):
        def bwd(node, g):
            return tuple(_make(np.ascontiguousarray(g._data[(i, sp) if batch_first else (sp, i)]),
                               g.dtype, g._device) for i, sp in enumerate(spans))
        attach('CopySlices', bwd, tuple(sequences), (r,))
    return r


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    # torch's own steps: it transposes the caller's tensor in place, and cuts each row with a mask
    if not batch_first:
        padded_sequences.transpose_(0, 1)
    idx = faketorch.arange(padded_sequences.shape[1], device=lengths.device)
    return [seq[idx < length] for seq, length in zip(padded_sequences, lengths, strict=True)]


def pack_sequence(sequences, enforce_sorted=True):
    lengths = faketorch.tensor([v.size(0) for v in sequences])
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
