"""Sparse compressed tensors: torch.sparse_csr / sparse_csc / sparse_bsr / sparse_bsc. A compressed tensor
is a Tensor (of a subclass that prints and compares as torch.Tensor) whose `_data` is a _Compressed: its
compressed indices (batch dims + (n + 1,)), plain indices (batch dims + (nnz,)) and values (batch dims +
(nnz,) + block dims + dense dims) arrays, its shape and its layout. Conversions go through one list of
entries (batch, compressed index, plain index, value or block), built with NumPy; a dense op reaching for
its array gets torch's "Could not run 'aten::<op>' with arguments from the 'SparseCsrCPU' backend"."""
import sys
import warnings

from ..overrides import _disabled_torch_function_impl

from .. import _xnp as np
from .. import _dtype as D
from .._tensor import Tensor, _make, _wrap_dim
from .._device import xp_of
from ..autograd.grad_mode import state as grad_state, no_grad
from .._ops._core import attach, needs, outermost_call
from ._coo import SparseTensor, _sparse, _coalesced, _backend_error, _prod, _scalar_of, _sparse_repr

# layout name: (compressed indices, plain indices, compressed dim is the row, blocked, torch's layout name)
_KINDS = {'sparse_csr': ('crow_indices', 'col_indices', True, False, 'SparseCsr'),
          'sparse_csc': ('ccol_indices', 'row_indices', False, False, 'SparseCsc'),
          'sparse_bsr': ('crow_indices', 'col_indices', True, True, 'SparseBsr'),
          'sparse_bsc': ('ccol_indices', 'row_indices', False, True, 'SparseBsc')}


def _layout(name):
    return getattr(sys.modules['faketorch'], name)


def layout_name(t):
    """torch's name of t's layout in its errors: Strided, Sparse, SparseCsr ..."""
    if t.__class__ is SparseCompressedTensor:
        return _KINDS[t._data.layout.name][4]
    return 'Sparse' if t.__class__ is SparseTensor else 'Strided'


def _csr_backend(device):
    return 'SparseCsrCUDA' if device.type == 'cuda' else 'SparseCsrCPU'


class _Compressed:
    __slots__ = ('compressed', 'plain', 'values', 'shape', 'layout', 'device')

    def __init__(self, compressed, plain, values, shape, layout, device):
        self.compressed, self.plain, self.values, self.shape = compressed, plain, values, tuple(shape)
        self.layout, self.device = layout, device

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: _prod(self.shape))
    dtype = property(lambda self: self.values.dtype)
    itemsize = property(lambda self: self.values.itemsize)
    n_batch = property(lambda self: self.compressed.ndim - 1)
    blocked = property(lambda self: _KINDS[self.layout.name][3])

    def __array__(self, *args, **kwargs):
        raise _refusal(self)

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        raise _refusal(self)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """np.matmul(compressed, dense array): how torch.mv and torch.addmm reach their product (routing them
        here costs their dense calls nothing)."""
        if ufunc is not np.matmul or method != '__call__' or inputs[0] is not self or kwargs:
            raise _refusal(self)
        b = inputs[1]
        dt = D.from_numpy_dtype(self.values.dtype)
        _mm_checks(_Shape(self, dt), _Shape(b, dt), 'Strided + Strided @ ' + _KINDS[self.layout.name][4])
        return _mm_data(self, b) if b.ndim == 2 else _mm_data(self, b[:, None])[:, 0]


class _Shape:
    """What _mm_checks reads of a tensor, from an array (the operands of np.matmul)."""
    def __init__(self, a, dtype):
        self._data, self.shape, self.dtype = a, a.shape if a.ndim == 2 else a.shape + (1,), dtype

    def dim(self):
        return 2


def _refusal(c):
    """torch's error for an op with no compressed kernel: TensorIterator's for pointwise ops, else the
    dispatcher's, named after the op the user called."""
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_globals.get('__name__') == 'faketorch._ops.pointwise':
            return RuntimeError(f"unsupported tensor layout: {_KINDS[c.layout.name][4]}")
        frame = frame.f_back
    return _backend_error(c.device, _csr_backend(c.device), outermost_call(sys._getframe(2)))


_warned = [False]


def _compressed(layout, compressed, plain, values, shape, dtype, device):
    """A new compressed leaf around the three arrays (values put on `device`)."""
    if not _warned[0]:          # torch warns once per process, when it makes its first one
        _warned[0] = True
        warnings.warn("Sparse CSR tensor support is in beta state. If you miss a functionality in the sparse tensor "
                      "support, please submit a feature request to https://github.com/pytorch/pytorch/issues. "
                      "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/SparseCsrTensorImpl.cpp:49.)",
                      stacklevel=3)
    t = _make(values, dtype, device)
    t._data = _Compressed(compressed, plain, t._data, shape, layout, t._device)
    t.__class__ = SparseCompressedTensor
    return t


def _like(self, values, dtype=None, layout=None, shape=None):
    """A compressed tensor with self's indices (shared) and other values."""
    c = self._data
    return _compressed(layout or c.layout, c.compressed, c.plain, values, shape or c.shape, dtype or self.dtype,
                       self._device)


# --- entries: the one path between layouts ------------------------------------------------------------

def _entries(c):
    """(batch, compressed index, plain index, values) of each stored element or block, batch-major, the
    batch flattened, values (nnz_total,) + block + dense dims."""
    nb, xp = c.n_batch, xp_of(c.device)
    nbatch, ncomp, nnz = _prod(c.shape[:nb]), c.compressed.shape[-1] - 1, c.plain.shape[-1]
    counts = np.diff(c.compressed.reshape(nbatch, ncomp + 1).astype(np.int64), axis=1).reshape(-1)
    ci = np.repeat(xp.tile(xp.arange(ncomp, dtype=np.int64), nbatch), counts)
    b = np.repeat(xp.arange(nbatch, dtype=np.int64), nnz)
    return b, ci, c.plain.reshape(-1).astype(np.int64), c.values.reshape((nbatch * nnz,) + c.values.shape[nb + 1:])


def _build(layout, shape, n_batch, b, ci, pi, values, dtype, device, index_dtype=np.int64):
    """A compressed tensor from entries sorted by (batch, compressed, plain)."""
    xp = xp_of(device)
    nbatch = _prod(shape[:n_batch])
    block = values.shape[1:3] if _KINDS[layout.name][3] else (1, 1)
    row = _KINDS[layout.name][2]
    ncomp = shape[n_batch] // block[0] if row else shape[n_batch + 1] // block[1]
    per = np.bincount(b, minlength=nbatch) if len(b) else xp.zeros(nbatch, np.int64)
    if nbatch and bool((per != per[0]).any()):
        raise RuntimeError("Expect the same number of specified elements per batch.")
    nnz = int(per[0]) if nbatch else 0
    counts = np.bincount(b * ncomp + ci, minlength=nbatch * ncomp) if len(b) else xp.zeros(nbatch * ncomp, np.int64)
    compressed = xp.zeros((nbatch, ncomp + 1), np.int64)
    compressed[:, 1:] = np.cumsum(counts.reshape(nbatch, ncomp), axis=1)
    batch = tuple(shape[:n_batch])
    return _compressed(layout, compressed.reshape(batch + (ncomp + 1,)).astype(index_dtype),
                       pi.reshape(batch + (nnz,)).astype(index_dtype),
                       values.reshape(batch + (nnz,) + values.shape[1:]), shape, dtype, device)


def _dense_array(c):
    nb, blocked, row = c.n_batch, c.blocked, _KINDS[c.layout.name][2]
    b, ci, pi, values = _entries(c)
    if not blocked:
        values = values.reshape((values.shape[0], 1, 1) + values.shape[1:])
    r, k = values.shape[1:3]
    m, n = c.shape[nb], c.shape[nb + 1]
    dense = values.shape[3:]
    nbatch = _prod(c.shape[:nb])
    out = xp_of(c.device).zeros((nbatch, m // r, n // k, r, k) + dense, c.values.dtype)
    rows, cols = (ci, pi) if row else (pi, ci)
    np.ufunc_at(np.add, out, (b, rows, cols), values)
    out = np.moveaxis(out, 3, 2)            # (batch, block row, row in block, block col, col in block)
    return out.reshape(c.shape)


def _from_dense(x, layout, blocksize=None, dense_dim=None):
    """Dense x (batch dims + 2 sparse dims + dense dims) in a compressed layout: the elements (blocks) not
    all zero."""
    name = layout.name
    blocked, row = _KINDS[name][3], _KINDS[name][2]
    dd = dense_dim or 0
    nb = x.dim() - 2 - dd
    if nb < 0:
        raise _select_error(x, dd)
    if blocked:
        r, k = blocksize
        if x.shape[nb] % r or x.shape[nb + 1] % k:
            raise RuntimeError(f"dense_to_sparse_{name[7:]}: tensor sparse size ({x.shape[nb]},{x.shape[nb + 1]}) "
                               f"must be divisible by given blocksize ({r},{k})")
    else:
        r = k = 1
    a, shape = x._data, tuple(x.shape)
    m, n, dense = shape[nb], shape[nb + 1], shape[nb + 2:]
    nbatch = _prod(shape[:nb])
    if nb and not nbatch:
        raise RuntimeError(f"to_sparse_{name[7:]}: Expected product of batch dimensions to be non-zero.")
    blocks = np.moveaxis(a.reshape((nbatch, m // r, r, n // k, k) + dense), 2, 3)
    if not row:
        blocks = np.swapaxes(blocks, 1, 2)
    nz = (blocks != 0).reshape(blocks.shape[:3] + (r * k * _prod(dense),)).any(-1)
    b, ci, pi = (i.astype(np.int64) for i in np.nonzero(nz))
    values = blocks[b, ci, pi]
    if not blocked:
        values = values.reshape((values.shape[0],) + dense)
    return _build(layout, shape, nb, b, ci, pi, values.copy(), x.dtype, x._device)


def _select_error(x, dd):
    """torch's error converting fewer than 2 sparse dims: its select of a column that is not there."""
    n = x.dim()
    shape = [x.shape[0] if n else 1, 1 if n else 0]
    return IndexError(f"select(): index 1 out of range for tensor of size {shape} at dimension 1")


def _from_coo(s, layout):
    """A sparse COO matrix (2 sparse dims) in CSR or CSC: its coalesced entries, in the layout's order."""
    if s.sparse_dim() != 2:
        raise RuntimeError(f"coo_to_sparse_{layout.name[7:]}: conversion from Sparse to {_KINDS[layout.name][4]} for "
                           "input tensors with sparse_dim()!=2 is not supported")
    idx, values = _coalesced(s._data)
    rows, cols = idx
    if not _KINDS[layout.name][2]:
        order = np.lexsort((rows, cols))
        rows, cols, values = rows[order], cols[order], values[order]
        rows, cols = cols, rows
    b = xp_of(s._device).zeros(len(rows), np.int64)
    return _build(layout, s._data.shape, 0, b, rows, cols, values, s.dtype, s._device)


def _to_coo(self):
    """self in COO, its stored elements in their order (a block's row by row); sorted only from CSR."""
    c = self._data
    b, ci, pi, values = _entries(c)
    row = _KINDS[c.layout.name][2]
    rows, cols = (ci, pi) if row else (pi, ci)
    r, k = (1, 1)
    if c.blocked:
        xp = xp_of(c.device)
        r, k = values.shape[1:3]
        n = len(b) * r * k
        rows = (rows[:, None, None] * r + xp.arange(r)[None, :, None] + xp.zeros(k, np.int64)).reshape(n)
        cols = (cols[:, None, None] * k + xp.arange(k)[None, None, :] + xp.zeros((r, 1), np.int64)).reshape(n)
        b = np.repeat(b, r * k)
        values = values.reshape((n,) + values.shape[3:])
    bidx = list(np.unravel_index(b, c.shape[:c.n_batch])) if c.n_batch else []
    idx = np.stack(bidx + [rows, cols]).astype(np.int64).reshape(c.n_batch + 2, -1)
    return _sparse(idx, values, c.shape, self.dtype, self._device, row and r == 1)


def _convert(self, layout, blocksize=None, dense_dim=None, grad_name=None):
    """self (dense, COO or compressed) in a compressed layout, with torch's errors and grad_fn."""
    name, blocked = layout.name, _KINDS[layout.name][3]
    if blocked:
        if blocksize is None:
            raise RuntimeError(f"dense_to_sparse: conversion from {layout_name(self)} to {_KINDS[name][4]} without "
                               "blocksize argument given is not supported")
        blocksize = (blocksize, blocksize) if isinstance(blocksize, int) else tuple(blocksize)
    elif blocksize is not None:
        raise RuntimeError(f"to_sparse: conversion from {layout_name(self)} to {_KINDS[name][4]} with blocksize "
                           "argument given is not supported")
    cls = self.__class__
    if cls is SparseCompressedTensor:
        c = self._data
        old = tuple(c.values.shape[c.n_batch + 1:c.n_batch + 3])
        if c.layout is layout and (not blocked or old == blocksize):
            return self
        if c.layout is layout:
            raise RuntimeError(f"to_sparse_{name[7:]}: conversion from {_KINDS[name][4]} to {_KINDS[name][4]} with "
                               f"blocksize changed from {list(old)} to {list(blocksize)} is not supported")
        if c.blocked and not blocked:
            raise RuntimeError(f"sparse_compressed_to_sparse_{name[7:]}: expected SparseCsr or SparseCsc layout but "
                               f"got {_KINDS[c.layout.name][4]}")
        if blocked:
            r = _from_dense(self.to_dense().detach(), layout, blocksize)
        else:
            r = _from_coo(_to_coo(self), layout) if not c.n_batch else \
                _from_dense(self.to_dense().detach(), layout)
    elif cls is SparseTensor:
        if blocked:
            r = _from_dense(self.to_dense().detach(), layout, blocksize)
        else:
            r = _from_coo(self, layout)
    else:
        r = _from_dense(self, layout, blocksize, dense_dim)
    if self._requires_grad and grad_state.enabled:
        attach(grad_name or 'ToSparse' + name[7:].capitalize() + 'Backward0', lambda node, g: g.to_dense(),
               (self,), (r,))
    return r


# --- factories --------------------------------------------------------------------------------------------

def sparse_compressed_tensor(compressed_indices, plain_indices, values, size=None, *, dtype=None, layout=None,
                             device=None, pin_memory=False, requires_grad=False, check_invariants=None):
    from .. import as_tensor
    if layout is None or layout.name not in _KINDS:
        raise RuntimeError("sparse_compressed_tensor expected sparse compressed tensor layout but got "
                           f"{'none' if layout is None else {'sparse_coo': 'Sparse'}.get(layout.name, 'Strided')}")
    cname, pname, row, blocked, lname = _KINDS[layout.name]
    ci = compressed_indices if isinstance(compressed_indices, Tensor) else as_tensor(compressed_indices, device=device)
    pi = plain_indices if isinstance(plain_indices, Tensor) else as_tensor(plain_indices, device=device)
    if not isinstance(values, Tensor):
        values = as_tensor(values, dtype=dtype, device=device)
    elif dtype is not None or device is not None:
        values = values.to(device=device, dtype=dtype)
    ci, pi = ci.to(values._device), pi.to(values._device)       # torch's are on the values' device
    if ci.dim() != pi.dim():
        raise RuntimeError(f"{cname} and {pname} dimensionalities must be equal but got {ci.dim()} and {pi.dim()}, "
                           "respectively")
    nb = ci.dim() - 1
    if values.dim() <= nb + 2 * blocked:
        raise RuntimeError(f"values must have dimensionality > sum of batch and block dimensionalities (={nb} + "
                           f"{2 * blocked}) but got {values.dim()}")
    block = tuple(values.shape[nb + 1:nb + 3]) if blocked else (1, 1)
    dense = tuple(values.shape[nb + 1 + 2 * blocked:])
    if size is None:        # the compressed dim from its indices, the plain one from the largest index
        ncomp = ci.shape[-1] - 1
        nplain = int(pi._data.max()) + 1 if pi.numel() else 0
        m, n = (ncomp, nplain) if row else (nplain, ncomp)
        size = tuple(ci.shape[:-1]) + (m * block[0], n * block[1]) + dense
    size = tuple(size)
    if check_invariants is None:
        check_invariants = sys.modules['faketorch.sparse'].check_sparse_tensor_invariants._enabled
    if check_invariants:
        _check(ci._data, pi._data, size, nb, block, row, cname, pname)
    if requires_grad and not (values.dtype.is_floating_point or values.dtype.is_complex):
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    r = _compressed(layout, ci._data, pi._data, values._data, size, values.dtype, values._device)
    if values._requires_grad and grad_state.enabled:
        attach('SparseCompressedTensorBackward0', lambda node, g: _values_at(g, r._data), (values,), (r,))
    elif requires_grad:
        r._requires_grad = True
    return r


def _check(ci, pi, size, nb, block, row, cname, pname):
    """torch's invariant checks (check_invariants=True) with its messages."""
    comp = 'row' if row else 'column'
    ncomp = size[nb] // block[0] if row else size[nb + 1] // block[1]
    nplain = size[nb + 1] // block[1] if row else size[nb] // block[0]
    nnz = pi.shape[-1]
    c, p = ci.reshape(-1, ci.shape[-1]).astype(np.int64), pi.reshape(-1, nnz).astype(np.int64)
    checks = ((bool((c[:, 0] == 0).all()) if c.size else True, f"`{cname}[..., 0] == 0` is not satisfied."),
              (bool((c[:, -1] == nnz).all()) if c.size else True, f"`{cname}[..., -1] == nnz` is not satisfied."),
              (bool((np.diff(c, axis=1) >= 0).all()),
               f"`0 <= {cname}[..., 1:] - {cname}[..., :-1] <= n{'cols' if row else 'rows'}` is not satisfied."),
              (not p.size or bool(((p >= 0) & (p < nplain)).all()),
               f"`0 <= {pname} < n{'cols' if row else 'rows'}` is not satisfied."))
    for ok, message in checks:
        if not ok:
            raise RuntimeError(message)
    for cb, pb in zip(c.tolist(), p.tolist()):
        for i in range(len(cb) - 1):
            seg = pb[cb[i]:cb[i + 1]]
            if any(x >= y for x, y in zip(seg, seg[1:])):
                raise RuntimeError(f"`{pname}[..., {cname}[..., i - 1]:{cname}[..., i]] for all i = 1, ..., "
                                   f"n{comp}s are sorted and distinct along the last dimension values` is not "
                                   "satisfied.")


def _factory(layout_attr):
    def factory(compressed_indices, plain_indices, values, size=None, *, dtype=None, device=None,
                pin_memory=False, requires_grad=False, check_invariants=None):
        return sparse_compressed_tensor(compressed_indices, plain_indices, values, size, dtype=dtype,
                                        layout=_layout(layout_attr), device=device, requires_grad=requires_grad,
                                        check_invariants=check_invariants)
    factory.__name__ = layout_attr + '_tensor'
    return factory


sparse_csr_tensor, sparse_csc_tensor, sparse_bsr_tensor, sparse_bsc_tensor = (
    _factory(n) for n in ('sparse_csr', 'sparse_csc', 'sparse_bsr', 'sparse_bsc'))


def _values_at(g, c):
    """g (dense or compressed, c's shape) at c's stored elements: a values-shaped dense tensor."""
    if g.__class__ is SparseCompressedTensor and g._data.plain is c.plain:
        return _make(g._data.values, g.dtype, g._device)
    gd = g.to_dense() if g.__class__ is not Tensor else g
    shell = _compressed(c.layout, c.compressed, c.plain, c.values, c.shape, g.dtype, g._device)
    b, ci, pi, _ = _entries(shell._data)
    return _make(_gather(gd._data, c, b, ci, pi).reshape(c.values.shape), g.dtype, g._device)


def _gather(a, c, b, ci, pi):
    """Dense array a at the entries (b, ci, pi) of c's pattern: values (nnz_total, block.., dense..)."""
    nb = c.n_batch
    row = _KINDS[c.layout.name][2]
    r, k = c.values.shape[nb + 1:nb + 3] if c.blocked else (1, 1)
    m, n = c.shape[nb], c.shape[nb + 1]
    blocks = np.moveaxis(a.reshape((_prod(c.shape[:nb]), m // r, r, n // k, k) + a.shape[nb + 2:]), 2, 3)
    rows, cols = (ci, pi) if row else (pi, ci)
    v = blocks[b, rows, cols]
    return v if c.blocked else v.reshape((v.shape[0],) + v.shape[3:])


def _mask_like(g, self):
    """g at self's pattern, in self's layout (torch's gradient of a compressed input to to_dense)."""
    return _like(self, _values_at(g, self._data)._data, g.dtype)


# --- the tensor --------------------------------------------------------------------------------------------

def _grad_enabled(*ts):
    return grad_state.enabled and any(isinstance(t, Tensor) and t._requires_grad for t in ts)


def _need(self, kind, what):
    """kind 'row': crow/col indices (CSR, BSR); 'column': ccol/row indices (CSC, BSC)."""
    if self.__class__ is not SparseCompressedTensor or _KINDS[self._data.layout.name][2] != (kind == 'row'):
        raise RuntimeError(f"{what} expected sparse {kind} compressed tensor layout but got {layout_name(self)}")


class SparseCompressedTensor(Tensor):
    """A sparse CSR/CSC/BSR/BSC tensor; type(t).__name__ is 'Tensor' as in torch."""
    __slots__ = ()
    __torch_function__ = _disabled_torch_function_impl     # faketorch routes its ops itself
    is_sparse = False
    _sparse_layout = True

    @property
    def layout(self):
        return self._data.layout

    @property
    def is_sparse_csr(self):
        return self._data.layout.name == 'sparse_csr'

    # --- accessors ---
    def crow_indices(self):
        _need(self, 'row', 'crow_indices')
        return _make(self._data.compressed, D.from_numpy_dtype(self._data.compressed.dtype), self._device)

    def col_indices(self):
        _need(self, 'row', 'col_indices')
        return _make(self._data.plain, D.from_numpy_dtype(self._data.plain.dtype), self._device)

    def ccol_indices(self):
        _need(self, 'column', 'ccol_indices')
        return _make(self._data.compressed, D.from_numpy_dtype(self._data.compressed.dtype), self._device)

    def row_indices(self):
        _need(self, 'column', 'row_indices')
        return _make(self._data.plain, D.from_numpy_dtype(self._data.plain.dtype), self._device)

    def values(self):
        c = self._data
        v = _make(c.values, self.dtype, self._device)
        if self._requires_grad and grad_state.enabled:
            attach('ValuesBackward0', lambda node, g: _like(self, g._data, g.dtype), (self,), (v,))
        return v

    def _nnz(self):
        return self._data.plain.shape[-1]

    def sparse_dim(self):
        return 2

    def dense_dim(self):
        c = self._data
        return c.values.ndim - 1 - c.n_batch - 2 * c.blocked

    def coalesce(self):
        raise RuntimeError(f"coalesce expected sparse coordinate tensor layout but got {layout_name(self)}")

    def is_coalesced(self):
        raise RuntimeError(f"is_coalesced expected sparse coordinate tensor layout but got {layout_name(self)}")

    def indices(self):
        raise RuntimeError(f"indices expected sparse coordinate tensor layout but got {layout_name(self)}")

    # --- conversions ---
    def to_dense(self, dtype=None, *, masked_grad=None):
        if dtype is not None:
            raise RuntimeError("dtype argument is not supported by sparse_csr_to_dense")
        r = _make(_dense_array(self._data), self.dtype, self._device)
        if self._requires_grad and grad_state.enabled:
            attach('ToDenseBackward0', lambda node, g: _mask_like(g, self), (self,), (r,))
        return r

    def to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
        if layout is None or layout.name == 'sparse_coo':
            r = _to_coo(self)
            if self._requires_grad and grad_state.enabled:
                attach('ToSparseBackward0', lambda node, g: _mask_like(g.to_dense(), self), (self,), (r,))
            return r
        return _convert(self, layout, blocksize)

    def to_sparse_coo(self):
        return self.to_sparse()

    # --- printing ---
    def __repr__(self, *, tensor_contents=None):
        c = self._data
        cname, pname = _KINDS[c.layout.name][:2]
        parts = ((cname, c.compressed, D.from_numpy_dtype(c.compressed.dtype)),
                 (pname, c.plain, D.from_numpy_dtype(c.plain.dtype)), ('values', c.values, self.dtype))
        return _sparse_repr(self, parts, c.shape, self._nnz(), f'layout=torch.{c.layout.name}', False)

    __str__ = __repr__

    # --- copies ---
    def detach(self):
        c = self._data
        return _compressed(c.layout, c.compressed, c.plain, c.values, c.shape, self.dtype, self._device)

    @property
    def data(self):
        return self.detach()

    def clone(self, *, memory_format=None):
        c = self._data
        r = _compressed(c.layout, c.compressed.copy(), c.plain.copy(), c.values.copy(), c.shape, self.dtype,
                        self._device)
        if self._requires_grad and grad_state.enabled:
            attach('CloneBackward0', lambda node, g: g, (self,), (r,))
        return r

    def to(self, *args, **kwargs):
        from .._ops.misc import _parse_to
        dtype, dev, copy, _ = _parse_to(args, dict(kwargs))
        dtype, dev = dtype or self.dtype, dev or self._device
        if dtype is self.dtype and dev == self._device and not copy:
            return self
        c, src_dt, src_dev = self._data, self.dtype, self._device
        values = _make(c.values, self.dtype, self._device).to(dev, dtype, copy=True)
        ci = _make(c.compressed, D.from_numpy_dtype(c.compressed.dtype), self._device).to(dev, copy=True)
        pi = _make(c.plain, D.from_numpy_dtype(c.plain.dtype), self._device).to(dev, copy=True)
        r = _compressed(c.layout, ci._data, pi._data, values._data, c.shape, dtype, values._device)
        if self._requires_grad and grad_state.enabled and dtype._cat >= 2:
            attach('ToCopyBackward0', lambda node, g: g.to(src_dev, src_dt), (self,), (r,))
        return r

    def cpu(self, memory_format=None):
        return self.to('cpu')

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        return self.to('cuda' if device is None else device)

    # --- arithmetic on the values ---
    def _values_op(self, values, name, bwd, other=None):
        r = _like(self, values._data, values.dtype)
        if _grad_enabled(self, other):
            attach(name, bwd, (self,) if other is None else (self, other), (r,))
        return r

    def mul(self, other):
        s = _scalar_of(other)
        if s is not None:
            return self._values_op(self.values().detach() * s, 'MulBackward0', lambda node, g: g * other)
        if not isinstance(other, Tensor):
            raise TypeError(f"mul(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
        r = _mul_tensor(self, other)
        if _grad_enabled(self, other):
            attach('MulBackward0', lambda node, g: (g * other if needs(node, 0) else None,
                                                    g * self if needs(node, 1) else None), (self, other), (r,))
        return r

    __mul__ = __rmul__ = mul

    def div(self, other, *, rounding_mode=None):
        raise RuntimeError(f"unsupported tensor layout: {layout_name(self)}")

    __truediv__ = div

    def neg(self):
        return self._values_op(-self.values().detach(), 'NegBackward0', lambda node, g: -g)

    __neg__ = negative = neg

    def add(self, other, *, alpha=1):
        if other.__class__ is not SparseCompressedTensor:
            if isinstance(other, Tensor) and other.__class__ is not SparseTensor:
                return _dense_add(other, self, alpha, swap=True)
            raise _backend_error(self._device, _csr_backend(self._device), 'add.out')
        a, b = self._data, other._data
        if not _KINDS[a.layout.name][2] or not _KINDS[b.layout.name][2]:
            raise RuntimeError(f"crow_indices expected sparse row compressed tensor layout but got "
                               f"{layout_name(other if _KINDS[a.layout.name][2] else self)}")
        if a.shape != b.shape:
            raise RuntimeError(f"torch.add: Expected input tensors to have the same shape, but got tensor `self` with "
                               f"shape {list(a.shape)} and tensor `other` with shape {list(b.shape)}")
        same = a.plain.shape == b.plain.shape and bool((a.compressed == b.compressed).all()) and \
            bool((a.plain == b.plain).all())
        if same:
            values = self.values().detach() + other.values().detach() * alpha
            r = _like(self, values._data, values.dtype)
        else:               # the union of the patterns, through the entries' COO form
            u = (_to_coo(self.detach()) + _to_coo(other.detach()) * alpha).coalesce()
            r = _from_coo(u, a.layout) if not a.blocked else _from_dense(u.to_dense(), a.layout,
                                                                           a.values.shape[1:3])
        if _grad_enabled(self, other):
            attach('AddBackward0', lambda node, g: (g, g if alpha == 1 else g * alpha), (self, other), (r,))
        return r

    __add__ = add

    def __radd__(self, other):
        return _dense_add(other, self, 1, swap=False) if isinstance(other, Tensor) else self.add(other)

    def sub(self, other, *, alpha=1):
        raise RuntimeError(f"unsupported tensor layout: {layout_name(self)}")

    __sub__ = __rsub__ = sub

    def sum(self, dim=None, keepdim=False, *, dtype=None):
        if dim is None:
            r = self.values().detach().sum(dtype=dtype)
            if _grad_enabled(self):
                shape = self._data.shape
                attach('SumBackward0', lambda node, g: g.expand(shape), (self,), (r,))
            return r
        if not keepdim:
            raise RuntimeError("reduction operations on CSR tensors with keepdim=False is unsupported")
        r = _sum_keepdim(self, dim, dtype)
        if _grad_enabled(self):     # torch's backward expands the compressed result, which it cannot
            def bwd(node, g):
                raise RuntimeError(f"expand is unsupported for {layout_name(self)} tensors")
            attach('SumBackward1', bwd, (self,), (r,))
        return r

    # --- shape ---
    def t(self):
        if self.dim() > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.dim()}D")
        if self.dim() != 2 or self.dense_dim():
            return self.transpose(0, 1)
        return self._transposed('TBackward0', lambda node, g: g.t())

    def transpose(self, dim0, dim1):
        n = self.dim()
        d0, d1 = sorted((_wrap_dim(dim0, n), _wrap_dim(dim1, n)))
        nb = self._data.n_batch
        if (d0, d1) != (nb, nb + 1):
            raise NotImplementedError("transpose of a sparse compressed tensor other than of its two sparse dims")
        return self._transposed('TransposeBackward0', lambda node, g: g.transpose(d0, d1))

    def _transposed(self, name, bwd):
        """The same indices read the other way: CSR <-> CSC, BSR <-> BSC (blocks transposed)."""
        c = self._data
        other = {'sparse_csr': 'sparse_csc', 'sparse_csc': 'sparse_csr', 'sparse_bsr': 'sparse_bsc',
                 'sparse_bsc': 'sparse_bsr'}[c.layout.name]
        nb = c.n_batch
        values = np.swapaxes(c.values, nb + 1, nb + 2) if c.blocked else c.values
        shape = c.shape[:nb] + (c.shape[nb + 1], c.shape[nb]) + c.shape[nb + 2:]
        r = _compressed(_layout(other), c.compressed, c.plain, values, shape, self.dtype, self._device)
        if _grad_enabled(self):
            attach(name, bwd, (self,), (r,))
        return r

    @property
    def T(self):
        raise _backend_error(self._device, _csr_backend(self._device), 'as_strided')

    # --- products ---
    def mm(self, mat2, _sparse_grad=False):
        if mat2.__class__ is not Tensor:
            return _mm_sparse(self, mat2)
        if mat2.dim() == 1:
            raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
        _mm_checks(self, mat2, 'Strided + ' + layout_name(self) + ' @ Strided')
        r = _make(_mm_data(self._data, mat2._data), self.dtype, self._device)
        if _grad_enabled(self, mat2):
            def bwd(node, g):
                gs = gm = None
                if needs(node, 0):
                    gs = g.mm(mat2.t())
                    if _sparse_grad:
                        gs = _mask_like(gs, self)
                if needs(node, 1):
                    gm = self.t().mm(g)
                return gs, gm
            attach('SparseAddmmBackward0' if _sparse_grad else 'MmBackward0', bwd, (self, mat2), (r,))
        return r

    def matmul(self, other):
        if other.__class__ is Tensor and other.dim() == 1:
            return self.mv(other)
        if other.__class__ is Tensor and other.dim() > 2:
            raise RuntimeError(f"expand is unsupported for {layout_name(self)} tensors")
        if self._data.n_batch:
            raise RuntimeError("Sparse CSR tensors do not have strides")
        return self.mm(other)

    __matmul__ = matmul

    def __rmatmul__(self, other):
        return rmm(other, self)

    def mv(self, vec):
        if vec.dim() != 1 or self.dim() != 2:
            raise RuntimeError(f"vector + matrix @ vector expected, got 1, {self.dim()}, {vec.dim()}")
        _mm_checks(self, vec.unsqueeze(1), 'Strided + ' + layout_name(self) + ' @ Strided')
        r = _make(_mm_data(self._data, vec._data[:, None])[:, 0], self.dtype, self._device)
        if _grad_enabled(self, vec):
            attach('MvBackward0', lambda node, g: (g.unsqueeze(1).mm(vec.unsqueeze(0)) if needs(node, 0) else None,
                                                   self.detach().t().mv(g) if needs(node, 1) else None),
                   (self, vec), (r,))
        return r

    def addmm(self, *args, **kwargs):
        raise _backend_error(self._device, _csr_backend(self._device), 'addmm')

    # --- what torch refuses on a compressed tensor ---
    def numpy(self, *, force=False):
        raise TypeError(f"can't convert {layout_name(self)} layout tensor to numpy. Use Tensor.to_dense() first.")

    def data_ptr(self):
        raise RuntimeError("Cannot access data pointer of Tensor that doesn't have storage")

    tolist = data_ptr

    def is_contiguous(self, memory_format=None):
        raise RuntimeError("Sparse CSR tensors do not have is_contiguous")

    def stride(self, dim=None):
        raise RuntimeError("Sparse CSR tensors do not have strides")

    def reshape(self, *shape):
        raise RuntimeError("Sparse CSR tensors do not have is_contiguous")

    def view(self, *shape):
        raise _backend_error(self._device, _csr_backend(self._device), 'view')

    def _values(self):
        raise _backend_error(self._device, _csr_backend(self._device), '_values')

    def _indices(self):
        raise _backend_error(self._device, _csr_backend(self._device), '_indices')

    def __getitem__(self, index):
        """An integer selects a batch (a compressed tensor) or a row (as torch, a COO tensor)."""
        c = self._data
        if c.n_batch and isinstance(index, int):
            n = c.shape[0]
            if not -n <= index < n:
                raise IndexError(f"index {index} is out of bounds for dimension 0 with size {n}")
            return _compressed(c.layout, c.compressed[index], c.plain[index], c.values[index], c.shape[1:],
                               self.dtype, self._device)
        return _to_coo(self.detach())[index]

    def __iter__(self):
        return iter([self[i] for i in range(self._data.shape[0])])

    def __setitem__(self, index, value):
        raise _backend_error(self._device, _csr_backend(self._device), 'copy_')


# torch's zero-preserving unary ops: on the values, the pattern kept (torch.sin(t) & co. are not routed here)
_ZERO_PRESERVING = ('abs', 'asin', 'asinh', 'atan', 'atanh', 'ceil', 'deg2rad', 'erf', 'erfinv', 'expm1', 'floor',
                    'frac', 'isinf', 'isnan', 'isneginf', 'isposinf', 'log1p', 'rad2deg', 'relu', 'round', 'sgn',
                    'sign', 'signbit', 'sin', 'sinh', 'sqrt', 'tan', 'tanh', 'trunc')


def _unary(name):
    def op(self):
        from ..autograd import grad as _grad
        x = _make(self._data.values, self.dtype, self._device)
        if not _grad_enabled(self):
            y = getattr(x, name)()
            return _like(self, y._data, y.dtype)
        x.requires_grad_()
        y = getattr(x, name)()
        r = _like(self, y.detach()._data, y.dtype)

        def bwd(node, g):       # the values' derivative, at self's pattern
            return _like(self, _grad(y, x, _values_at(g, self._data), retain_graph=True)[0]._data, g.dtype)
        attach(type(y.grad_fn).__name__, bwd, (self,), (r,))
        return r

    def op_(self):
        c = self._data
        c.values[...] = getattr(_make(c.values, self.dtype, self._device), name)()._data
        self._vc[0] += 1
        return self
    op.__name__, op_.__name__ = name, name + '_'
    return op, op_


for _n in _ZERO_PRESERVING:
    _f, _f_ = _unary(_n)
    setattr(SparseCompressedTensor, _n, _f)
    if _n not in ('isinf', 'isnan', 'isneginf', 'isposinf', 'signbit'):
        setattr(SparseCompressedTensor, _n + '_', _f_)
SparseCompressedTensor.__abs__ = SparseCompressedTensor.abs

SparseCompressedTensor.__name__ = SparseCompressedTensor.__qualname__ = 'Tensor'
SparseCompressedTensor.__module__ = 'faketorch'
for _n, _dt in (('float', D.float32), ('double', D.float64), ('half', D.float16), ('long', D.int64),
                ('int', D.int32), ('short', D.int16), ('char', D.int8), ('byte', D.uint8), ('bool', D.bool)):
    setattr(SparseCompressedTensor, _n, lambda self, memory_format=None, _dt=_dt: self.to(_dt))


# --- products and sums with dense tensors ------------------------------------------------------------

def _mm_checks(s, d, operands):
    if getattr(s._data, 'layout', None) is _layout('sparse_bsc'):
        raise RuntimeError(f"addmm: computation on CPU is not implemented for {operands}")
    if d.dim() != 2:
        raise RuntimeError(f"addmm: matrices expected, got {d.dim()}D tensor")
    if d.dtype is not s.dtype:
        raise RuntimeError(f"expected scalar type {D.type_name(s.dtype)} but found {D.type_name(d.dtype)}")
    if d.shape[0] != s.shape[1]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({s.shape[0]}x{s.shape[1]} and "
                           f"{d.shape[0]}x{d.shape[1]})")
    if not (s.dtype.is_floating_point or s.dtype.is_complex):
        raise NotImplementedError(f"\"addmm_out_sparse_csr_impl_mkl\" not implemented for '{D.type_name(s.dtype)}'")


def _mm_data(c, d):
    """compressed matrix @ dense array, adding each stored element's (block's) product in row order."""
    b, ci, pi, values = _entries(c)
    row = _KINDS[c.layout.name][2]
    rows, cols = (ci, pi) if row else (pi, ci)
    if not c.blocked:
        values = values.reshape(-1, 1, 1)
    r, k = values.shape[1:3]
    out = xp_of(c.device).zeros((c.shape[0] // r, r, d.shape[1]), c.values.dtype)
    db = d.reshape(c.shape[1] // k, k, d.shape[1])
    np.ufunc_at(np.add, out, rows, np.matmul(values, db[cols]))
    return out.reshape(c.shape[0], d.shape[1])


def _plain_2d(self, what):
    c = self._data
    if c.n_batch or c.blocked or c.values.ndim != 1:
        raise NotImplementedError(f"{what} of a batched, blocked or hybrid sparse compressed tensor")
    return c


def _mul_tensor(self, other):
    """self * a dense tensor of its shape or a compressed one: self's entries where the other has one."""
    c = _plain_2d(self, 'mul')
    if other.__class__ is Tensor and tuple(other.shape) != c.shape:
        raise RuntimeError(f"sparse_mask(): operands have incompatible sizes; self has size {list(other.shape)} but "
                           f"mask has size {list(c.shape)}")
    b, ci, pi, values = _entries(c)
    rows, cols = (ci, pi) if _KINDS[c.layout.name][2] else (pi, ci)
    od = other.detach().to_dense() if other.__class__ is not Tensor else other
    v = _make(values, self.dtype, self._device) * _make(od._data[rows, cols], other.dtype, other._device)
    keep = slice(None)
    if other.__class__ is not Tensor:           # the intersection of the two patterns
        present = xp_of(self._device).zeros(c.shape, bool)
        oc = other._data
        _, oci, opi, _ = _entries(oc)
        present[(oci, opi) if _KINDS[oc.layout.name][2] else (opi, oci)] = True
        keep = present[rows, cols]
    return _build(c.layout, c.shape, 0, b[keep], ci[keep], pi[keep], v._data[keep], v.dtype, self._device)


def _sum_keepdim(self, dim, dtype):
    """sum over dims of a compressed matrix, keeping them: one entry per row (column) that has any."""
    c = _plain_2d(self, 'sum')
    dims = {_wrap_dim(d, 2) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
    b, ci, pi, values = _entries(c)
    rows, cols = (ci, pi) if _KINDS[c.layout.name][2] else (pi, ci)
    rows, cols = (rows * 0 if 0 in dims else rows), (cols * 0 if 1 in dims else cols)
    shape = tuple(1 if d in dims else c.shape[d] for d in range(2))
    keys, inverse = np.unique(rows * shape[1] + cols, return_inverse=True)
    dt = dtype or (D.int64 if not (self.dtype.is_floating_point or self.dtype.is_complex) else self.dtype)
    out = xp_of(self._device).zeros(len(keys), D.np_dtype(dt))
    np.ufunc_at(np.add, out, inverse.reshape(-1), values.astype(out.dtype))
    r_rows, r_cols = keys // shape[1], keys % shape[1]
    if not _KINDS[c.layout.name][2]:
        order = np.lexsort((r_rows, r_cols))
        r_rows, r_cols, out = r_rows[order], r_cols[order], out[order]
        r_rows, r_cols = r_cols, r_rows
    return _build(c.layout, shape, 0, xp_of(self._device).zeros(len(keys), np.int64), r_rows, r_cols, out, dt,
                  self._device)


def _mm_sparse(a, b):
    """compressed @ compressed: the product's nonzeros, in a's layout (torch keeps a's pattern family)."""
    r = a.to_dense().detach().mm(b.to_dense().detach() if b.__class__ is not Tensor else b)
    return _from_dense(r, a._data.layout)


def rmm(d, s):
    """dense @ compressed: torch's one MmBackward0 node, computed as (s.t() @ d.t()).t()."""
    if d.dim() == 2 and s.dim() == 2 and d.shape[1] != s.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({d.shape[0]}x{d.shape[1]} and "
                           f"{s.shape[0]}x{s.shape[1]})")
    st = s.detach().t()
    _mm_checks(st, d.t(), 'Strided + Strided @ ' + layout_name(s))
    r = _make(_mm_data(st._data, d._data.T).T.copy(), s.dtype, s._device)
    if _grad_enabled(d, s):
        attach('MmBackward0', lambda node, g: (g.mm(s.t()) if needs(node, 0) else None,
                                               d.t().mm(g) if needs(node, 1) else None), (d, s), (r,))
    return r


def _dense_add(d, s, alpha, swap):
    """dense + alpha * compressed (or compressed + dense when swap): dense, torch's add for a strided result."""
    if tuple(d.shape) != s._data.shape:
        raise RuntimeError(f"The size of tensor a ({s._data.shape[-1] if swap else d.shape[-1]}) must match the size "
                           f"of tensor b ({d.shape[-1] if swap else s._data.shape[-1]}) at non-singleton dimension "
                           f"{len(d.shape) - 1}")
    sd = s.to_dense()
    return sd.add(d) if swap else d.add(sd, alpha=alpha)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """torch.addmm(input, compressed, dense): beta * input + alpha * mat1 @ mat2, one AddmmBackward0 node."""
    with no_grad():
        p = mat1.mm(mat2.detach() if mat2.__class__ is Tensor else mat2)
        r = input * beta + p * alpha if beta != 1 or alpha != 1 else input + p
    if _grad_enabled(input, mat1, mat2):
        def bwd(node, g):
            return (g * beta if needs(node, 0) else None,
                    g.mm(mat2.t()) * alpha if needs(node, 1) else None,
                    mat1.detach().t().mm(g) * alpha if needs(node, 2) else None)
        attach('AddmmBackward0', bwd, (input, mat1, mat2), (r,))
    return r
