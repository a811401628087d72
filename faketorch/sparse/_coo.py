"""Sparse COO tensors. A sparse tensor is a Tensor (of a subclass that prints and compares as
torch.Tensor) whose `_data` is a _COO: its indices (int64, sparse_dim x nnz) and values (nnz x the
dense dims) arrays, its shape and torch's is_coalesced flag. The metadata Tensor's shared code reads
(shape, ndim, size) works on it; a dense op that reaches for its array gets torch's "Could not run
'aten::<op>' with arguments from the 'SparseCPU' backend" error instead of a NumPy one."""
import sys
import warnings

from ..overrides import _disabled_torch_function_impl

from .. import _xnp as np
from .. import _dtype as D
from .._tensor import Tensor, _make, _wrap_dim
from .._device import xp_of
from ..autograd.grad_mode import state as grad_state
from .._ops._core import attach, needs, broadcast_shapes, kernel_error, dispatcher_error, outermost_call

# --- the data ----------------------------------------------------------------------------------------------


def _backend_error(device, backend=None, name=None):
    """torch's dispatcher error, named after the op (by default the outermost faketorch function the user
    called)."""
    name = name or outermost_call(sys._getframe(1))
    return dispatcher_error(name, backend or ('SparseCUDA' if device.type == 'cuda' else 'SparseCPU'))


class _COO:
    __slots__ = ('indices', 'values', 'shape', 'coalesced', 'device')

    def __init__(self, indices, values, shape, coalesced, device):
        self.indices, self.values, self.shape = indices, values, tuple(shape)
        self.coalesced, self.device = coalesced, device

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: _prod(self.shape))
    dtype = property(lambda self: self.values.dtype)
    itemsize = property(lambda self: self.values.itemsize)

    def copy(self):
        return _COO(self.indices.copy(), self.values.copy(), self.shape, self.coalesced, self.device)

    def __array__(self, *args, **kwargs):
        raise _backend_error(self.device)

    def __setitem__(self, key, value):
        # `grad._data[...] = 0` (Optimizer.zero_grad(set_to_none=False)) is zero_(): no entries left
        if key is not Ellipsis or value != 0:
            raise TypeError("Cannot assign to a sparse tensor")
        xp = xp_of(self.device)
        self.indices = xp.zeros((self.indices.shape[0], 0), np.int64)
        self.values = xp.zeros((0,) + self.values.shape[1:], self.values.dtype)
        self.coalesced = True

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        raise _backend_error(self.device)


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _sparse(indices, values, shape, dtype, device, coalesced=None):
    """A new sparse leaf. Like torch's set_indices_and_values, fewer than 2 entries count as coalesced."""
    t = _make(values, dtype, device)          # the fields of a fresh leaf, its values on `device`
    if coalesced is None:
        coalesced = indices.shape[1] < 2
    t._data = _COO(indices, t._data, shape, coalesced, t._device)
    t.__class__ = SparseTensor
    return t


def _keys(coo, indices=None):
    """Each entry's row-major position over the sparse dims (orders entries as torch compares them)."""
    idx = coo.indices if indices is None else indices
    keys = xp_of(coo.device).zeros(idx.shape[1], np.int64)
    for d in range(idx.shape[0]):
        keys = keys * coo.shape[d] + idx[d]
    return keys


def _coalesced(coo):
    """(indices, values) with sorted unique indices; duplicates summed in their order."""
    if coo.coalesced:
        return coo.indices, coo.values
    keys = _keys(coo)
    uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    values = xp_of(coo.device).zeros((len(uniq),) + coo.values.shape[1:], coo.values.dtype)
    inverse, added = inverse.reshape(-1), coo.values
    if coo.device.type == 'cpu':
        # torch's CPU coalesce adds duplicates in the order of its (unstable) sort of the keys
        from .._ops.sorting import _unstable_argsort
        order = _unstable_argsort(keys, 0, False)
        inverse, added = inverse[order], added[order]
    np.ufunc_at(np.add, values, inverse, added)
    return coo.indices[:, first], values


def _dense_array(coo):
    out = xp_of(coo.device).zeros(coo.shape, coo.values.dtype)
    if not coo.indices.shape[0]:       # no sparse dim: the sum of the (0 or 1) entries
        out[...] = coo.values.sum(0)
        return out
    np.ufunc_at(np.add, out, tuple(coo.indices), coo.values)
    return out


def _mask_of(g, coo, coalesced=False):
    """g (dense or sparse) at the entries of coo's coalesced pattern (torch's sparse_mask)."""
    gd = g._data if not g.is_sparse else _dense_array(g._data)
    idx = _coalesced(coo)[0]
    return _sparse(idx, gd[tuple(idx)], coo.shape, g.dtype, g._device, coalesced)


# --- construction ------------------------------------------------------------------------------------------

_warned = [False]


def _warn_implicit_invariants():
    if not _warned[0]:           # torch warns once per process (set first: a filter may raise it)
        _warned[0] = True
        warnings.warn("Sparse invariant checks are implicitly disabled. Memory errors (e.g. SEGFAULT) will occur "
                      "when operating on a sparse tensor which violates the invariants, but checks incur "
                      "performance overhead. To silence this warning, explicitly opt in or out. See "
                      "`torch.sparse.check_sparse_tensor_invariants.__doc__` for guidance.  (Triggered internally "
                      "at /__w/pytorch/pytorch/aten/src/ATen/Context.cpp:816.)", stacklevel=3)


def sparse_coo_tensor(indices=None, values=None, size=None, *, dtype=None, device=None, pin_memory=False,
                      requires_grad=False, check_invariants=None, is_coalesced=None):
    from .. import as_tensor, zeros
    if indices is None and values is None and size is not None:      # an empty tensor of that size
        indices, values = zeros((len(size), 0), dtype=D.int64, device=device), zeros(0, dtype=dtype, device=device)
    indices = indices if isinstance(indices, Tensor) else as_tensor(indices, device=device)
    if not isinstance(values, Tensor):
        values = as_tensor(values, dtype=dtype, device=device)
    elif dtype is not None or device is not None:
        values = values.to(device=device, dtype=dtype)
    if indices.dim() != 2:
        raise RuntimeError(f"indices must be sparse_dim x nnz, but got: {list(indices.shape)}")
    sd, nnz = indices.shape
    if values.dim() == 0 or values.shape[0] != nnz:
        raise RuntimeError(f"indices and values must have same nnz, but got nnz from indices: {nnz}, nnz from "
                           f"values: {values.shape[0] if values.dim() else 1}")
    idx = indices._data.astype(np.int64)
    if size is None:
        size = tuple(int(m) + 1 for m in idx.max(1)) if nnz else (0,) * sd
        size += tuple(values.shape[1:])
    size = tuple(size)
    if len(size) != sd + values.dim() - 1:
        raise RuntimeError(f"'len(size) == sparse_dim + dense_dim' is not satisfied: len(size) = {len(size)}, "
                           f"sparse_dim = {sd}, dense_dim = {values.dim() - 1}")
    if tuple(values.shape[1:]) != size[sd:]:
        raise RuntimeError(f"values has incorrect size, expected {[nnz] + list(size[sd:])}, got "
                           f"{list(values.shape)}")
    if check_invariants is None:
        check_invariants = sys.modules['faketorch.sparse'].check_sparse_tensor_invariants._enabled
        if check_invariants is None:
            _warn_implicit_invariants()
    if check_invariants and nnz:
        for d in range(sd):
            lo, hi = int(idx[d].min()), int(idx[d].max())
            if lo < 0:
                raise RuntimeError(f"found negative index {lo} for dim {d}")
            if hi >= size[d]:
                raise RuntimeError(f"size is inconsistent with indices: for dim {d}, size is {size[d]} but found "
                                   f"index {hi}")
    if requires_grad and not (values.dtype.is_floating_point or values.dtype.is_complex):
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    r = _sparse(idx, values._data, size, values.dtype, values._device, is_coalesced or None)
    if values._requires_grad and grad_state.enabled:
        ix = tuple(_make(i, D.int64, r._device) for i in idx)
        attach('SparseCooTensorWithDimsAndTensorsBackward0',
               lambda node, g: (g.to_dense() if g.is_sparse else g)[ix], (values,), (r,))
    elif requires_grad:
        r._requires_grad = True
    return r


def to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
    """Tensor.to_sparse on a dense tensor: the entries (or rows over the sparse dims) not all zero."""
    if layout is not None and layout.name != 'sparse_coo':
        raise NotImplementedError(f"to_sparse with layout={layout} (only torch.sparse_coo is implemented)")
    n = self._data.ndim
    sd = n if sparse_dim is None else sparse_dim
    if sparse_dim is not None and n > 0 and not 0 < sd <= n:
        raise RuntimeError(f"dense_to_sparse: sparse_dim argument must be in [0,{n}] range, but {sd} is given"
                           if sd > n or sd < 0 else "dense_to_sparse: sparse_dim argument must be in >0 when "
                           "self.dim()>0")
    a = self._data
    if self.dtype in D.BARE_UINTS:     # torch finds the entries with nonzero
        raise kernel_error('nonzero_count_cpu', self.dtype, self._device)
    nz = a != 0
    if sd < n:
        nz = nz.reshape(a.shape[:sd] + (-1,)).any(-1)
    idx = np.stack(np.nonzero(nz)).astype(np.int64) if sd else \
        xp_of(self._device).zeros((0, int(nz)), np.int64)
    values = a[tuple(idx)] if sd else a.reshape(1)[:int(nz)]
    r = _sparse(idx, values.copy(), a.shape, self.dtype, self._device, True)
    if self._requires_grad and grad_state.enabled:
        attach('ToSparseBackward1' if sparse_dim is None else 'ToSparseBackward0',
               lambda node, g: g.to_dense() if g.is_sparse else g, (self,), (r,))
    return r


def _sparse_repr(self, parts, shape, nnz, layout, force_newline):
    """torch's repr of a sparse tensor: its (name, array, dtype) parts, then the suffixes, wrapped at the
    line width; torch starts them on a new line for a COO tensor (force_newline)."""
    from .._tensor_str import _tensor_str, PRINT_OPTS
    indent = len('tensor(')
    texts = []
    for name, data, dtype in parts:
        prefix = name + '=tensor('
        text = prefix + _tensor_str(data, dtype, self._device, indent + len(prefix))
        texts.append(text + (f', size={tuple(data.shape)}' if data.size == 0 else '') + ')')
    suffixes = [f"device='{self._device}'"] if self._device.type != 'cpu' else []
    suffixes += [f'size={tuple(shape)}', f'nnz={nnz}']
    if self.dtype not in (D.get_default_dtype(), D.default_complex(), D.int64, D.bool):
        suffixes.append(f'dtype={self.dtype!r}')
    suffixes.append(layout)
    if self._grad_fn is not None:
        suffixes.append(f'grad_fn=<{type(self._grad_fn).__name__}>')
    elif self._requires_grad:
        suffixes.append('requires_grad=True')
    text = 'tensor(' + (',\n' + ' ' * indent).join(texts)
    line = len(text) - text.rfind('\n') + 1       # torch's count, one more than the last line's length
    for s in suffixes:
        if force_newline or line + len(s) + 2 > PRINT_OPTS.linewidth:
            text += ',\n' + ' ' * indent + s
            line, force_newline = indent + len(s), False
        else:
            text += ', ' + s
            line += len(s) + 2
    return text + ')'


# --- the tensor --------------------------------------------------------------------------------------------

def sparse_mask(self, mask):
    """Tensor.sparse_mask: self's values at the entries of the sparse `mask`, in its order."""
    if not mask.is_sparse:
        raise RuntimeError("sparse_mask expects mask to be sparse")
    if tuple(self.shape) != mask._data.shape:
        raise RuntimeError("sparse_mask(): operands have incompatible sizes; self has size "
                           f"{list(self.shape)} but mask has size {list(mask._data.shape)}")
    coo = mask._data
    src = self.to_dense() if self.is_sparse else self
    return _sparse(coo.indices, src._data[tuple(coo.indices)].copy(), coo.shape, self.dtype, self._device,
                   coo.coalesced)


def _need_coalesced(self, what):
    if not self._data.coalesced:
        raise RuntimeError(f"Cannot get {what} on an uncoalesced tensor, please call .coalesce() first")


def _scalar_of(other):
    """other as a Python/NumPy scalar if it is a number or a 0-dim dense tensor, else None."""
    if isinstance(other, (bool, int, float, complex)):
        return other
    if isinstance(other, Tensor) and not other.is_sparse and other._data.ndim == 0:
        return other
    return None


class SparseTensor(Tensor):
    """A sparse COO tensor; type(t).__name__ is 'Tensor' as in torch, where sparse tensors are Tensors."""
    __slots__ = ()
    __torch_function__ = _disabled_torch_function_impl     # faketorch routes its ops itself
    is_sparse = True

    @property
    def layout(self):
        from .. import sparse_coo
        return sparse_coo

    # --- COO accessors ---
    def sparse_dim(self):
        return self._data.indices.shape[0]

    def dense_dim(self):
        return self._data.values.ndim - 1

    def _nnz(self):
        return self._data.indices.shape[1]

    def is_coalesced(self):
        return self._data.coalesced

    def _indices(self):
        return _make(self._data.indices, D.int64, self._device)

    def _values(self):
        return _make(self._data.values, self.dtype, self._device)

    def indices(self):
        _need_coalesced(self, 'indices')
        return self._indices()

    def values(self):
        _need_coalesced(self, 'values')
        v = self._values()
        if self._requires_grad and grad_state.enabled:
            coo = self._data
            attach('ValuesBackward0', lambda node, g: _sparse(coo.indices, g._data, coo.shape, g.dtype, g._device),
                   (self,), (v,))
        return v

    def coalesce(self):
        coo = self._data
        if coo.coalesced:
            return self
        idx, values = _coalesced(coo)
        r = _sparse(idx, values, coo.shape, self.dtype, self._device, True)
        if self._requires_grad and grad_state.enabled:
            attach('CoalesceBackward0', lambda node, g: g, (self,), (r,))
        return r

    def to_dense(self, dtype=None, *, masked_grad=None):
        if dtype is not None:
            raise RuntimeError("dtype argument is not supported by sparse_to_dense")
        coo = self._data
        r = _make(_dense_array(coo), self.dtype, self._device)
        if self._requires_grad and grad_state.enabled:
            attach('ToDenseBackward0', lambda node, g: _mask_of(g, coo), (self,), (r,))
        return r

    def to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
        if sparse_dim is not None and sparse_dim != self.sparse_dim():
            raise RuntimeError("to_sparse: conversion from Sparse to Sparse with sparse_dim argument !=self.sparse_dim() "
                               "is not supported")
        return self

    def to_sparse_coo(self):
        return self

    # --- printing ---
    def __repr__(self, *, tensor_contents=None):
        coo = self._data
        return _sparse_repr(self, (('indices', coo.indices, D.int64), ('values', coo.values, self.dtype)), coo.shape,
                            self._nnz(), 'layout=torch.sparse_coo', True)

    __str__ = __repr__

    # --- copies and conversions ---
    def detach(self):
        coo = self._data
        return _sparse(coo.indices, coo.values, coo.shape, self.dtype, self._device, coo.coalesced)

    @property
    def data(self):
        return self.detach()

    def clone(self, *, memory_format=None):
        coo = self._data.copy()
        r = _sparse(coo.indices, coo.values, coo.shape, self.dtype, self._device, coo.coalesced)
        if self._requires_grad and grad_state.enabled:
            attach('CloneBackward0', lambda node, g: g, (self,), (r,))
        return r

    def to(self, *args, **kwargs):
        from .._ops.misc import _parse_to
        dtype, dev, copy, _ = _parse_to(args, dict(kwargs))
        dtype, dev = dtype or self.dtype, dev or self._device
        if dtype is self.dtype and dev == self._device and not copy:
            return self
        coo, src_dt, src_dev = self._data, self.dtype, self._device
        values = _make(coo.values, self.dtype, self._device).to(dev, dtype, copy=True)
        indices = _make(coo.indices, D.int64, self._device).to(dev, copy=True)
        r = _sparse(indices._data, values._data, coo.shape, dtype, values._device, coo.coalesced)
        if self._requires_grad and grad_state.enabled and dtype._cat >= 2:
            attach('ToCopyBackward0', lambda node, g: g.to(src_dev, src_dt), (self,), (r,))
        return r

    def cpu(self, memory_format=None):
        return self.to('cpu')

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        return self.to('cuda' if device is None else device)

    def type(self, dtype=None, non_blocking=False, **kwargs):
        if dtype is None:
            return ('torch.sparse.' if self._device.type == 'cpu' else 'torch.cuda.sparse.') + \
                D.legacy_names[self.dtype.name]
        return self.to(dtype)

    # --- shape ---
    def t(self):
        sd, dd = self.sparse_dim(), self.dense_dim()
        if sd > 2 or dd:
            raise RuntimeError(f"t() expects a tensor with <= 2 sparse and 0 dense dimensions, but got {sd} sparse "
                               f"and {dd} dense dimensions")
        return self.transpose(0, self.dim() - 1) if self.dim() == 2 else self

    def transpose(self, dim0, dim1):
        n = self.dim()
        d0, d1 = _wrap_dim(dim0, n), _wrap_dim(dim1, n)
        perm = list(range(n))
        perm[d0], perm[d1] = d1, d0
        return self._permute(perm, 'TBackward0' if n == 2 else 'TransposeBackward0',
                             lambda node, g: g.transpose(d0, d1))

    def permute(self, *dims):
        dims = dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
        perm = [_wrap_dim(d, self.dim()) for d in dims]
        inverse = [perm.index(i) for i in range(len(perm))]
        return self._permute(perm, 'PermuteBackward0', lambda node, g: g.permute(inverse))

    def _permute(self, perm, name, bwd):
        """A reordering of the sparse dims: the rows of the indices (no longer sorted, so uncoalesced)."""
        coo, sd = self._data, self.sparse_dim()
        if sorted(perm) != list(range(self.dim())) or perm[sd:] != list(range(sd, self.dim())):
            raise NotImplementedError("a permutation moving a sparse tensor's dense dimensions")
        r = _sparse(coo.indices[perm[:sd]], coo.values, tuple(coo.shape[p] for p in perm), self.dtype,
                    self._device, False)
        if self._requires_grad and grad_state.enabled:
            attach(name, bwd, (self,), (r,))
        return r

    @property
    def T(self):
        return self.t()

    def __getitem__(self, index):
        """Integers index the leading sparse dims (torch's select); other indices are not implemented."""
        if isinstance(index, tuple) and index and all(isinstance(i, int) for i in index):
            r = self
            for i in index:
                r = r[i]
            return r
        if not isinstance(index, int) or not self.sparse_dim():
            raise _backend_error(self._device, name='index.Tensor' if isinstance(index, Tensor) else 'as_strided')
        coo, n = self._data, self._data.shape[0]
        if not -n <= index < n:
            raise IndexError(f"index {index} is out of bounds for dimension 0 with size {n}")
        keep = coo.indices[0] == index % n
        if self.sparse_dim() == 1:      # no sparse dim left: a dense tensor of the rows' sum
            return _make(coo.values[keep].sum(0), self.dtype, self._device)
        return _sparse(coo.indices[1:, keep], coo.values[keep], coo.shape[1:], self.dtype, self._device,
                       coo.coalesced)

    def __setitem__(self, index, value):
        raise TypeError("Cannot assign to a sparse tensor")

    # --- what torch refuses on a sparse tensor ---
    def reshape(self, *shape):
        raise RuntimeError("reshape is not implemented for sparse tensors")

    def flatten(self, start_dim=0, end_dim=-1):
        raise RuntimeError("reshape is not implemented for sparse tensors")

    def expand(self, *sizes):
        raise RuntimeError("expand is unsupported for Sparse tensors")

    def numpy(self, *, force=False):
        raise TypeError("can't convert Sparse layout tensor to numpy. Use Tensor.to_dense() first.")

    def data_ptr(self):
        raise RuntimeError("Cannot access data pointer of Tensor that doesn't have storage")

    tolist = data_ptr

    def untyped_storage(self):
        raise NotImplementedError("Cannot access storage of SparseTensorImpl")

    storage = untyped_storage

    def contiguous(self, memory_format=None):
        raise RuntimeError("unsupported memory format option Contiguous")

    def is_contiguous(self, memory_format=None):
        return False


SparseTensor.__name__ = SparseTensor.__qualname__ = 'Tensor'
SparseTensor.__module__ = 'faketorch'
for _n, _dt in (('float', D.float32), ('double', D.float64), ('half', D.float16), ('long', D.int64),
                ('int', D.int32), ('short', D.int16), ('char', D.int8), ('byte', D.uint8), ('bool', D.bool)):
    setattr(SparseTensor, _n, lambda self, memory_format=None, _dt=_dt: self.to(_dt))
