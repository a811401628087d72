"""torch.nested: tensors whose components differ in size, in the strided and the jagged layout
(see _internal/nested_tensor.py for how faketorch holds them)."""
import warnings

import faketorch
from .. import _dtype as D
from .._tensor import Tensor
from ._internal.nested_tensor import _strided, _jagged, _offsets_of, _named, to_padded_tensor
from ._internal import ops as _ops  # noqa: F401  (installs the nested ops)

__all__ = ['to_padded_tensor', 'as_nested_tensor', 'nested_tensor', 'nested_tensor_from_jagged', 'narrow',
           'masked_select']

_warned = []


def _prototype_warning():
    if not _warned:        # torch warns once per process
        _warned.append(True)
        warnings.warn("The PyTorch API of nested tensors is in prototype stage and will change in the near "
                      "future. We recommend specifying layout=torch.jagged when constructing a nested tensor, as "
                      "this layout receives active development, has better operator coverage, and works with "
                      "torch.compile.", UserWarning, stacklevel=3)


def _from_list(ts, dtype, device, layout):
    """Pack tensors (in their graph) into a nested tensor; dtype and device default to the first's."""
    if ts:
        dtype = dtype or ts[0].dtype
        device = device or ts[0].device
    ts = [t.to(device=device, dtype=dtype) for t in ts]
    if layout is faketorch.jagged:
        if any(t.dim() < 1 or t.dim() != ts[0].dim() or t.shape[1:] != ts[0].shape[1:] for t in ts):
            raise RuntimeError("Cannot represent given tensor list as a nested tensor with the jagged layout. "
                               "Note that the jagged layout only allows for a single ragged dimension. For "
                               "example: (B, *, D_0, D_1, ..., D_N), with ragged * dim.")
        values = faketorch.cat(ts)
        return _jagged(values, _offsets_of([t.shape[0] for t in ts], values.device))
    for i, t in enumerate(ts):
        if t.dim() != ts[0].dim():
            raise RuntimeError(f"All Tensors given to nested_tensor must have the same dimension. Found dimension "
                               f"{t.dim()} for Tensor at index {i} and dimension {ts[0].dim()} for Tensor at index 0.")
    values = faketorch.cat([t.reshape(-1) for t in ts]) if ts else faketorch.tensor([], dtype=dtype or None)
    return _strided(values, [tuple(t.shape) for t in ts])


def _check_layout(layout, what='nested tensors'):
    if layout not in (faketorch.strided, faketorch.jagged):
        raise RuntimeError(f"Specified layout is unsupported for {what}: {layout}")


def nested_tensor(tensor_list, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A leaf nested tensor holding copies of tensor_list's tensors (or nested lists)."""
    layout = layout or faketorch.strided
    _check_layout(layout)
    if layout is faketorch.strided:
        _prototype_warning()
    ts = [t.detach() if isinstance(t, Tensor) else faketorch.as_tensor(t) for t in tensor_list]
    with faketorch.no_grad():
        nt = _from_list(ts, dtype, device, layout)
    nt._no_grad_view = layout is faketorch.jagged
    return nt.requires_grad_(requires_grad)


def as_nested_tensor(ts, dtype=None, device=None, layout=None):
    """A nested tensor from a list of tensors or a (B, ...) tensor, in their graph (gradients flow back)."""
    tensor_list = isinstance(ts, (list, tuple)) and all(isinstance(t, Tensor) for t in ts)
    if not isinstance(ts, Tensor) and not tensor_list:
        raise TypeError("as_nested_tensor(): Expected first argument to be a tensor or a list / tuple of tensors ")
    if isinstance(ts, Tensor) and ts.dim() < 2:
        raise RuntimeError("as_nested_tensor(): Expected tensor argument to have dim() > 1")
    if isinstance(ts, Tensor) and ts.is_nested:
        if layout in (None, ts.layout):
            return ts.to(device=device, dtype=dtype)
        raise RuntimeError("as_nested_tensor(): Converting between nested tensor layouts is not supported")
    layout = layout or faketorch.strided
    _check_layout(layout)
    if isinstance(ts, Tensor):
        if layout is faketorch.jagged:
            b, n = ts.shape[0], ts.shape[1]
            values = ts.contiguous().flatten(0, 1).to(device=device, dtype=dtype)
            return _jagged(values, faketorch.arange(0, b * n + 1, n, device=values.device, dtype=D.int64))
        return _strided(ts.reshape(-1).to(device=device, dtype=dtype), [tuple(ts.shape[1:])] * ts.shape[0])
    if layout is faketorch.strided:
        _prototype_warning()
    nt = _from_list(list(ts), dtype, device, layout)
    name = 'NestedTensorFromTensorListBackward0' if layout is faketorch.strided else 'NestedViewFromJaggedBackward0'
    nt._values = _named(name, nt._values)
    return nt


def nested_tensor_from_jagged(values, offsets=None, lengths=None, jagged_dim=None, min_seqlen=None,
                              max_seqlen=None):
    """A jagged nested tensor viewing `values` (no copy), split by offsets and/or lengths."""
    if offsets is None:
        if lengths is None:
            raise RuntimeError("nested_tensor_from_jagged(): At least one of offsets or lengths is required.")
        offsets = faketorch.nn.functional.pad(lengths.cumsum(0), (1, 0))
        lengths = None
    if jagged_dim is None:
        jagged_dim = 1
    elif jagged_dim < 1:
        raise ValueError(f"Expected jagged_dim >=1, but got {jagged_dim}.")
    return _jagged(_named('NestedViewFromJaggedBackward0', values), offsets, lengths, jagged_dim)


def narrow(tensor, dim, start, length, layout=faketorch.strided):
    """Each batch element of `tensor` narrowed along dim: a view (jagged) or a copy (strided)."""
    if not isinstance(start, (int, Tensor)):
        raise RuntimeError("start must be an integer or a tensor")
    if not isinstance(length, (int, Tensor)):
        raise RuntimeError("length must be an integer or a tensor")
    if layout is faketorch.strided:
        if isinstance(start, Tensor) or isinstance(length, Tensor):
            raise RuntimeError("start and length must be integers for the strided layout NT impl")
        return as_nested_tensor(list(faketorch.unbind(tensor)), layout=faketorch.strided).narrow(dim, start, length)
    if layout is not faketorch.jagged:
        raise RuntimeError(f"Specified layout is unsupported for nested narrow: {layout}")
    if dim != 1:
        raise RuntimeError("jagged layout only supports dim=1")
    b, n = tensor.shape[0], tensor.shape[1]
    start = faketorch.as_tensor(start, dtype=D.int64, device=tensor.device).expand(b)
    length = faketorch.as_tensor(length, dtype=D.int64, device=tensor.device).expand(b)
    offsets = start + faketorch.arange(b, device=tensor.device) * n
    values = _named('NestedViewFromJaggedBackward0', tensor.flatten(0, 1))
    return _jagged(values, offsets, length.clone(), 1, contiguous=False)


def masked_select(tensor, mask):
    """The elements of a dense (B, N) tensor where mask is True, as a jagged tensor of B rows."""
    if tensor.layout is not faketorch.strided or tensor.is_nested:
        raise RuntimeError(f"torch.nested.masked_select requires a strided tensor, given {tensor.layout}")
    if mask.layout is not faketorch.strided or mask.is_nested:
        raise RuntimeError(f"torch.nested.masked_select requires a strided mask, given: {mask.layout}")
    values = tensor.masked_select(mask)
    lengths = mask.expand(tensor.shape).sum(dim=tensor.ndim - 1).view(-1)
    return _jagged(values, faketorch.nn.functional.pad(lengths.cumsum(dim=0), (1, 0)))
