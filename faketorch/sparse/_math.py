"""Arithmetic on sparse COO tensors with torch's result layouts, entry orders, coalesced flags and errors."""
from .. import _xnp as np
from .. import _dtype as D
from .._tensor import Tensor, _make, _wrap_dim
from .._device import xp_of
from ..autograd.grad_mode import state as grad_state
from .._ops._core import attach, needs, broadcast_shapes, check_inplace, commit_inplace
from ._coo import SparseTensor, _sparse, _keys, _coalesced, _mask_of, _scalar_of, _backend_error, _prod


def _is_sparse(t):
    return t.__class__ is SparseTensor


def _values_t(t):
    return _make(t._data.values, t.dtype, t._device)


def _grad_enabled(*ts):
    return grad_state.enabled and any(isinstance(t, Tensor) and t._requires_grad for t in ts)


# --- add -------------------------------------------------------------------------------------------------

def _walk(a, b):
    """torch's add_out_sparse_contiguous: walk both entry lists as a merge (taking the smaller key, both
    into one slot when equal) whether or not they are sorted. The output slot of each entry of a and b."""
    pa, pb = [], []
    i = j = r = 0
    na, nb = len(a), len(b)
    while i < na or j < nb:
        if i >= na:
            cmp = -1
        elif j >= nb:
            cmp = 1
        else:
            cmp = (a[i] < b[j]) - (a[i] > b[j])
        if cmp >= 0:
            pa.append(r)
            i += 1
        if cmp <= 0:
            pb.append(r)
            j += 1
        r += 1
    return pa, pb, r


def _add_sparse(t, src, alpha=1):
    """t + alpha * src, both sparse: (indices, values, coalesced) in their common dtype."""
    ta, sa = t._data, src._data
    if ta.shape != sa.shape:
        raise RuntimeError(f"add: expected sizes of 'self' and 'other' to match, but {list(ta.shape)} != "
                           f"{list(sa.shape)}")
    dtype = D.promote_types(t.dtype, src.dtype)
    npdt = D.np_dtype(dtype)
    alpha = np.asarray(alpha).astype(npdt)[()]
    if sa.indices.shape[1] == 0:
        return ta.indices.copy(), ta.values.astype(npdt), ta.coalesced, dtype
    if ta.indices.shape[1] == 0:
        return sa.indices.copy(), sa.values.astype(npdt) * alpha, sa.coalesced, dtype
    if ta.indices.shape[0] != sa.indices.shape[0]:
        raise RuntimeError(f"add: expected 'self' and 'other' to have same density, but 'self' has "
                           f"{ta.indices.shape[0]} sparse dimensions while 'other' has {sa.indices.shape[0]} "
                           "sparse dimensions")
    xp = xp_of(t._device)
    if not (ta.values.flags.c_contiguous and sa.values.flags.c_contiguous):
        # torch's add_out_sparse_non_contiguous: appended, coalesced once there are more entries than elements
        values = xp.concatenate([ta.values.astype(npdt), sa.values.astype(npdt) * alpha if alpha != 1
                                 else sa.values.astype(npdt)])
        r = _sparse(xp.concatenate([ta.indices, sa.indices], 1), values, ta.shape, dtype, t._device)
        if r._nnz() > _prod(ta.shape):
            idx, values = _coalesced(r._data)
            r = _sparse(idx, values, ta.shape, dtype, t._device)
        return r._data.indices, r._data.values, r._data.coalesced, dtype
    ka, kb = _keys(ta), _keys(sa)
    if ta.coalesced and sa.coalesced:       # sorted unique keys: the walk is their sorted union
        keys = np.union1d(ka, kb)
        pa, pb, n = np.searchsorted(keys, ka), np.searchsorted(keys, kb), len(keys)
    else:
        pa, pb, n = _walk(ka.tolist(), kb.tolist())
        pa, pb = xp.asarray(pa, np.int64), xp.asarray(pb, np.int64)
    indices = xp.empty((ta.indices.shape[0], n), np.int64)
    indices[:, pa] = ta.indices
    indices[:, pb] = sa.indices
    values = xp.zeros((n,) + ta.values.shape[1:], npdt)
    values[pa] = ta.values
    values[pb] += sa.values.astype(npdt) * alpha
    return indices, values, ta.coalesced and sa.coalesced, dtype


def _dense_add_sparse_data(out, s, alpha):
    """out += alpha * s on out's array, as torch's add_out_dense_sparse_cpu rounds: a hybrid tensor goes entry
    by entry, in order, through index_add_, whose dense add kernel rounds out + alpha * v once (a fused
    multiply-add); one without dense dims is coalesced first, then added with a fused multiply-add if it
    was not flagged coalesced and in a loop that rounds twice if it was."""
    coo = s._data
    hybrid = coo.values.ndim > 1
    indices, values = (coo.indices, coo.values) if hybrid or coo.coalesced else _coalesced(coo)
    fused = hybrid or not coo.coalesced
    if fused and alpha != 1 and out.dtype in (np.float32, np.float64) and indices.shape[0]:
        out[...] = np.on_host(_fma_add_at, out, _keys(coo, indices), indices, values, alpha)
        return
    np.ufunc_at(np.add, out, tuple(indices), values.astype(out.dtype) * np.asarray(alpha).astype(out.dtype)[()])


def _fma_add_at(out, keys, indices, values, alpha):
    """out[i] = fma(v, alpha, out[i]) for each entry in order (on NumPy arrays): a round per repeat of an
    index, each on unique indices."""
    from .._rng import _fma32, _fma64
    fma = _fma32 if out.dtype == np.float32 else _fma64
    order = np.argsort(keys, kind='stable')
    first = np.r_[True, keys[order][1:] != keys[order][:-1]]
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order)) - np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    values, alpha = values.astype(out.dtype), out.dtype.type(alpha)
    for r in range(int(rank.max()) + 1 if len(rank) else 0):
        sel = rank == r
        ix = tuple(i[sel] for i in indices)
        out[ix] = fma(values[sel], alpha, out[ix])
    return out


def _same_size_dense(d, s):
    if tuple(d.shape) != s._data.shape:
        raise RuntimeError(f"add: expected 'self' and 'other' to have same size, but self has size {list(d.shape)} "
                           f"while other has size {list(s._data.shape)} (FYI: dense-sparse addition does not "
                           "currently support broadcasting)")


def dense_add_sparse(d, s, *, alpha=1):
    """dense + alpha * sparse: a dense tensor."""
    _same_size_dense(d, s)
    dtype = D.promote_types(d.dtype, s.dtype)
    out = d._data.astype(D.np_dtype(dtype))
    _dense_add_sparse_data(out, s, alpha)
    r = _make(out, dtype, d._device)
    if _grad_enabled(d, s):
        attach('AddBackward0', lambda node, g: (g, g if alpha == 1 else g * alpha), (d, s), (r,))
    return r


def dense_add_sparse_(d, s, *, alpha=1):
    """d.add_(sparse): in place, entry by entry (SGD's `param.add_(grad, alpha=-lr)` on a sparse grad)."""
    check_inplace(d)
    if _grad_enabled(d, s):
        return commit_inplace(d, dense_add_sparse(d, s, alpha=alpha))
    _same_size_dense(d, s)
    _dense_add_sparse_data(d._data, s, alpha)
    d._vc[0] += 1
    return d


def add(self, other, *, alpha=1):
    if not _is_sparse(other):
        raise RuntimeError("add(sparse, dense) is not supported. Use add(dense, sparse) instead.")
    indices, values, coalesced, dtype = _add_sparse(self, other, alpha)
    r = _sparse(indices, values, self._data.shape, dtype, self._device, coalesced)
    if _grad_enabled(self, other):
        attach('AddBackward0' if alpha != -1 else 'SubBackward0',
               lambda node, g: (g, g if alpha == 1 else g * alpha), (self, other), (r,))
    return r


def add_(self, other, *, alpha=1):
    check_inplace(self)
    if not _is_sparse(other):
        raise RuntimeError("add(sparse, dense) is not supported. Use add(dense, sparse) instead.")
    indices, values, coalesced, _ = _add_sparse(self, other, alpha)
    return _replace(self, indices, values.astype(self._data.values.dtype), coalesced)


def _replace(self, indices, values, coalesced):
    coo = self._data
    coo.indices, coo.values, coo.coalesced = indices, values, coalesced
    self._vc[0] += 1
    return self


def sub(self, other, *, alpha=1):
    return add(self, other, alpha=-alpha)


def rsub(self, other):
    return dense_add_sparse(other, self, alpha=-1) if isinstance(other, Tensor) else add(self, other)


def radd(self, other):
    if isinstance(other, Tensor):
        return dense_add_sparse(other, self)
    return add(self, other)     # a number: torch's add(sparse, dense) error


# --- mul / div / neg -----------------------------------------------------------------------------------------

def _unary_values(self, values, name, bwd, other=None):
    coo = self._data
    r = _sparse(coo.indices, values._data, coo.shape, values.dtype, self._device, coo.coalesced)
    if _grad_enabled(self):
        attach(name, bwd, (self,), (r,))
    return r


def mul(self, other):
    s = _scalar_of(other)
    if s is not None:
        return _unary_values(self, _values_t(self) * s, 'MulBackward0', lambda node, g: g * other)
    if not isinstance(other, Tensor):
        raise TypeError(f"mul(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
    if _is_sparse(other):
        r = _mul_sparse(self, other)
    else:
        shape = broadcast_shapes(other._data.shape, self._data.shape)
        if shape != self._data.shape:
            raise NotImplementedError("sparse * dense where the dense tensor broadcasts the sparse one")
        od = _make(np.broadcast_to(other._data, shape)[tuple(self._data.indices)], other.dtype, other._device)
        coo = self._data
        v = _values_t(self) * od
        r = _sparse(coo.indices, v._data, coo.shape, v.dtype, self._device, coo.coalesced)
    if _grad_enabled(self, other):
        attach('MulBackward0', lambda node, g: (g * other if needs(node, 0) else None,
                                                g * self if needs(node, 1) else None), (self, other), (r,))
    return r


def _mul_sparse(x, y):
    """torch's sparse_binary_op_intersection: the entries of one operand (`source`) whose index the other
    (coalesced) has, in source's order; both uncoalesced: the one with more entries is coalesced."""
    if x._data.shape != y._data.shape or x.sparse_dim() != y.sparse_dim():
        raise RuntimeError("sparse_binary_op_intersection_cpu(): expects sparse inputs with equal dimensionality, "
                           "number of sparse dimensions, and shape of sparse dimensions")
    if x._data.coalesced:
        probe, source = x, y
    elif y._data.coalesced:
        probe, source = y, x
    else:
        probe, source = (x, y) if x._nnz() >= y._nnz() else (y, x)
    pidx, pval = _coalesced(probe._data)
    pk, sk = _keys(probe._data, pidx), _keys(source._data)
    pos = np.minimum(np.searchsorted(pk, sk), max(len(pk) - 1, 0))
    found = pk[pos] == sk if len(pk) else sk != sk
    pv = pval[pos] if len(pk) else xp_of(x._device).zeros_like(source._data.values, pval.dtype)
    if source._data.coalesced:      # both coalesced: the intersection
        keep = found
    else:                           # an uncoalesced source keeps every entry, 0 where the other has none
        keep = found | True
        pv = pv * found.reshape((-1,) + (1,) * (pv.ndim - 1))
    sv = _make(source._data.values[keep], source.dtype, source._device)
    v = sv * _make(pv[keep], probe.dtype, probe._device)
    return _sparse(source._data.indices[:, keep], v._data, x._data.shape, v.dtype, x._device,
                   source._data.coalesced)


def div(self, other, *, rounding_mode=None):
    s = _scalar_of(other)
    if s is None:
        raise _backend_error(self._device)
    return _unary_values(self, _values_t(self).div(s, rounding_mode=rounding_mode), 'DivBackward0',
                         lambda node, g: g / other)


def neg(self):
    return _unary_values(self, -_values_t(self), 'NegBackward0', lambda node, g: -g)


def mul_(self, other):
    check_inplace(self)
    r = mul(self.detach(), other)
    return _replace(self, r._data.indices, r._data.values.astype(self._data.values.dtype), r._data.coalesced)


def div_(self, other):
    check_inplace(self)
    r = div(self.detach(), other)
    return _replace(self, r._data.indices, r._data.values.astype(self._data.values.dtype), r._data.coalesced)


def zero_(self):
    coo = self._data
    xp = xp_of(self._device)
    return _replace(self, xp.zeros((coo.indices.shape[0], 0), np.int64),
                    xp.zeros((0,) + coo.values.shape[1:], coo.values.dtype), True)


# --- sums ---------------------------------------------------------------------------------------------------

def sum(self, dim=None, keepdim=False, *, dtype=None):
    if dim is None:         # a dense 0-dim result; torch's gradient is dense too
        r = _values_t(self).sum(dtype=dtype)
        if _grad_enabled(self):
            shape = self._data.shape
            attach('SumBackward0', lambda node, g: g.expand(shape), (self,), (r,))
        return r
    r = _sum_dims(self, dim, keepdim, dtype)
    if _grad_enabled(self):     # torch's backward expands the sparse result, which it cannot
        def bwd(node, g):
            raise RuntimeError("expand is unsupported for Sparse tensors")
        attach('SumBackward1', bwd, (self,), (r,))
    return r


def sparse_sum(input, dim=None, dtype=None):
    """torch.sparse.sum: the full sum is input.coalesce().values().sum(); over dims, a sparse result while
    a sparse dim is left, else a dense one."""
    if dim is None:
        return input.coalesce().values().sum(dtype=dtype)
    input.coalesce()        # torch's error for a dense input
    r = _sum_dims(input, dim, False, dtype)
    if _grad_enabled(input):
        idx, _ = _coalesced(input._data)
        dims = _dims(input, dim)
        keep = [d for d in range(input.sparse_dim()) if d not in dims]
        ddims = [d - input.sparse_dim() + 1 for d in dims if d >= input.sparse_dim()]
        shape, dt = input._data.shape, input.dtype

        def bwd(node, g):
            gd = g.to_dense() if g.is_sparse else g
            if keep:
                gd = gd[tuple(_make(idx[d], D.int64, g._device) for d in keep)]
            else:
                gd = gd.unsqueeze(0).expand((idx.shape[1],) + tuple(gd.shape))
            for d in ddims:
                gd = gd.unsqueeze(d)
            v = gd.expand((idx.shape[1],) + shape[input.sparse_dim():]).to(dt)
            return _sparse(idx, v._data.copy(), shape, dt, g._device, False)
        attach('SparseSumBackward0', bwd, (input,), (r,))
    return r


def _dims(self, dim):
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    return sorted({_wrap_dim(d, self.dim()) for d in dims})


def _sum_dims(self, dim, keepdim, dtype):
    dims, sd = _dims(self, dim), self.sparse_dim()
    coo = self._data
    idx, values = _coalesced(coo)
    v = _make(values, self.dtype, self._device)
    ddims = [d - sd + 1 for d in dims if d >= sd]
    if ddims:
        v = v.sum(ddims, keepdim=keepdim, dtype=dtype)
    elif dtype is not None:
        v = v.to(dtype)
    keep = [d for d in range(sd) if d not in dims or keepdim]
    if not [d for d in keep if d not in dims]:        # no sparse dim left: dense
        r = v.sum(0, dtype=dtype)
        return r.reshape((1,) * len(keep) + tuple(r.shape)) if keepdim else r
    new_idx = idx[keep]
    if keepdim:
        new_idx = new_idx.copy()
        new_idx[[i for i, d in enumerate(keep) if d in dims]] = 0
    shape = tuple(1 if d in dims else coo.shape[d] for d in keep) + tuple(v.shape[1:])
    tmp = _sparse(new_idx, v._data, shape, v.dtype, self._device, False)
    out_idx, out_vals = _coalesced(tmp._data)
    return _sparse(out_idx, out_vals, shape, v.dtype, self._device, True)


# --- products -----------------------------------------------------------------------------------------------

def _mm_checks(s, d):
    if s.dim() == 1:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got -2)")
    if s.sparse_dim() != 2 or s.dense_dim():
        raise RuntimeError(f"addmm: matrices expected, got {s.sparse_dim()}D tensor")
    if d.dim() == 1:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    if d.dim() != 2:
        raise RuntimeError(f"addmm: matrices expected, got {d.dim()}D tensor")
    if d.dtype is not s.dtype:
        raise RuntimeError(f"expected scalar type {D.type_name(s.dtype)} but found {D.type_name(d.dtype)}")
    if d.shape[0] != s.shape[1]:
        raise RuntimeError(f"addmm: Argument #3 (dense): Expected dim 0 size {s.shape[1]}, got {d.shape[0]}")


def _mm_data(s, d):
    """sparse @ dense as torch's CPU kernel adds it: row by row of the entries, in their order."""
    coo = s._data
    out = xp_of(s._device).zeros((coo.shape[0], d.shape[1]), coo.values.dtype)
    rows, cols = coo.indices
    np.ufunc_at(np.add, out, rows, coo.values[:, None] * d._data[cols])
    return _make(out, s.dtype, s._device)


def _mm_sparse_sparse(a, b):
    da, db = a.to_dense(), b.to_dense()
    r = da.detach().mm(db.detach())
    pattern = (a.detach().to_dense() != 0).double().mm((b.detach().to_dense() != 0).double())._data > 0
    idx = np.stack(np.nonzero(pattern)).astype(np.int64)
    return _sparse(idx, r._data[tuple(idx)], r._data.shape, r.dtype, r._device, True)


def mm(self, mat2, _sparse_grad=False):
    if _is_sparse(mat2):
        return _mm_sparse_sparse(self, mat2)
    _mm_checks(self, mat2)
    r = _mm_data(self, mat2)
    if _grad_enabled(self, mat2):
        def bwd(node, g):
            gs = gm = None
            if needs(node, 0):
                gs = g.mm(mat2.t())
                if _sparse_grad:
                    gs = _mask_of(gs, self._data)
            if needs(node, 1):
                gm = self.t().mm(g)
            return gs, gm
        attach('SparseAddmmBackward0' if _sparse_grad else 'MmBackward0', bwd, (self, mat2), (r,))
    return r


def rmm(d, s):
    """dense @ sparse, as torch computes it: (s.t() @ d.t()).t()."""
    if d.dim() == 2 and s.dim() == 2 and d.shape[1] != s.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({d.shape[0]}x{d.shape[1]} and "
                           f"{s.shape[0]}x{s.shape[1]})")
    return mm(s.t(), d.t()).t()


def matmul(self, other):
    if not _is_sparse(other) and other.dim() == 1:
        return mm(self, other.unsqueeze(1)).squeeze(1)
    if not _is_sparse(other) and other.dim() > 2:
        raise RuntimeError("expand is unsupported for Sparse tensors")
    return mm(self, other)


def sparse_mm(mat1, mat2):
    """torch.sparse.mm: the sparse argument's gradient is sparse, on its own (coalesced) pattern."""
    if _is_sparse(mat1) and not _is_sparse(mat2):
        return mm(mat1, mat2, _sparse_grad=True)
    if _is_sparse(mat1) or _is_sparse(mat2):
        return mm(mat1, mat2) if _is_sparse(mat1) else rmm(mat1, mat2)
    return mat1.mm(mat2)


# --- autograd: AccumulateGrad and embedding ----------------------------------------------------------

def accumulate_grad(var, g, create_graph):
    """torch's AccumulateGrad when a sparse gradient is involved."""
    old = var._grad
    if not (_is_sparse(g) or _is_sparse(old)):      # a compressed layout: torch steals it, or adds
        var._grad = g if create_graph else (g.detach() if old is None else old + g)
        return
    if old is None:
        if create_graph:
            var._grad = g
        elif _is_sparse(g):     # torch steals the gradient's arrays into a new sparse tensor
            coo = g._data
            var._grad = _sparse(coo.indices, coo.values, coo.shape, g.dtype, g._device)
        else:
            var._grad = _make(g._data.copy(), g.dtype, g._device)
    elif _is_sparse(old) and not _is_sparse(g):
        var._grad = g + old
    elif create_graph:
        var._grad = old + g
    elif _is_sparse(old):
        add_(old, g)
    else:
        dense_add_sparse_(old, g)


def embedding_grad(g, idx, n, padding_idx, scale_grad_by_freq):
    """The sparse gradient of embedding(sparse=True): one entry per looked-up index, uncoalesced."""
    if scale_grad_by_freq:
        raise RuntimeError("embedding_backward: scale_grad_by_freq not supported with sparse gradients")
    flat = idx.reshape(-1)
    values = g._data.reshape(flat.size, -1)
    if padding_idx >= 0:
        keep = flat != padding_idx
        flat, values = flat[keep], values[keep]
    # values may be a view of an expanded gradient, as in torch (where it decides how sums of gradients add)
    return _sparse(flat.astype(np.int64)[None], values, (n, g._data.shape[-1]), g.dtype, g._device)


# --- the old sparse helpers: sspaddmm (saddmm, smm) and hspmm (hsmm), dsmm -----------------------------------

_NOT_SPARSE = RuntimeError('self.is_sparse() INTERNAL ASSERT FAILED at "/__w/pytorch/pytorch/aten/src/ATen/native/'
                           'SparseTensorUtils.h":28, please report a bug to PyTorch. _internal_get_SparseTensorImpl: '
                           'not a sparse tensor')


def _row_products(mat1, mat2):
    """(rows, products): the rows of sparse mat1 that hold entries, sorted, and those rows of mat1 @ mat2."""
    if not _is_sparse(mat1):
        raise RuntimeError(*_NOT_SPARSE.args)
    _mm_checks(mat1, mat2)
    rows = np.unique(mat1._data.indices[0])
    return rows, _mm_data(mat1, mat2)._data[rows]


def sspaddmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta * input + alpha * (mat1 @ mat2) as a sparse tensor, uncoalesced: input's entries, then one entry per
    column of every row of mat1 that holds an entry (torch's kernel keeps those rows whole)."""
    if not _is_sparse(input):       # torch's kernel reaches for the sparse fields of input unchecked
        raise RuntimeError(*_NOT_SPARSE.args)
    n, p = mat1.shape[0], mat2.shape[-1]
    for k, want in enumerate((n, p)):
        if input.shape[k] != want:
            raise RuntimeError(f"sspaddmm: Argument #1: Expected dim {k} size {want}, got {input.shape[k]}")
    rows, prod = _row_products(mat1, mat2)
    cols = np.arange(p, like=rows)
    idx = np.stack([np.repeat(rows, p), np.tile(cols, rows.shape[0])]).astype(np.int64)
    coo = input._data
    values = np.concatenate([coo.values * coo.values.dtype.type(beta), (prod * prod.dtype.type(alpha)).reshape(-1)])
    return _sparse(np.concatenate([coo.indices, idx], 1), values, (n, p), input.dtype, input._device)


def smm(input, mat2):
    if not _is_sparse(input):
        raise RuntimeError("tensor.sspaddmm(...) can only be called on sparse tensors")
    return sspaddmm(_sparse(np.zeros((2, 0), np.int64, like=input._data.indices),
                            np.zeros(0, input._data.values.dtype, like=input._data.values),
                            (input.shape[0], mat2.shape[-1]), input.dtype, input._device),
                    input, mat2, beta=0)


def hspmm(mat1, mat2):
    """mat1 @ mat2 as a hybrid sparse tensor: one sparse dim (the rows of mat1 with entries), dense rows."""
    if not _is_sparse(mat1):
        from .._ops._core import dispatcher_error
        raise dispatcher_error('hspmm', 'CPU' if mat1._device.type == 'cpu' else 'CUDA')
    rows, prod = _row_products(mat1, mat2)
    return _sparse(rows.astype(np.int64)[None], prod, (mat1.shape[0], mat2.shape[-1]), mat1.dtype, mat1._device, True)


def dsmm(input, mat2):
    return mm(input, mat2)


# --- resizing a sparse tensor in place ------------------------------------------------------------------------
_RESIZE_OPTIONS = (
    " on a non-empty sparse tensor is not supported.\nYou could try the following options:\n1. If you need an empty "
    "sparse tensor of this size, call `x = torch.sparse_coo_tensor(size)`.\n2. If you need to resize this tensor, "
    "you have the following options:\n    1. For both sparse and dense dimensions, keep the number of them constant "
    "and the size of them non-shrinking, and then try the same call again.\n    2. Or, create a new sparse tensor "
    "with the correct indices and values from this sparse tensor.")


def sparse_resize_(self, size, sparse_dim, dense_dim, _clear=False):
    """New sizes for a sparse tensor: with entries, only larger sizes for the same numbers of sparse and dense
    dims (new dense elements are uninitialised in torch, zeros here); an empty one takes any."""
    if not _is_sparse(self):
        from .._ops._core import dispatcher_error
        raise dispatcher_error('sparse_resize_and_clear_' if _clear else 'sparse_resize_',
                               'CPU' if self._device.type == 'cpu' else 'CUDA')
    coo, size = self._data, tuple(int(n) for n in size)
    xp = xp_of(coo.device)
    if coo.indices.shape[1] and not _clear:
        old = (coo.indices.shape[0], coo.values.ndim - 1)
        for kind, was, now in (('sparse', old[0], sparse_dim), ('dense', old[1], dense_dim)):
            if was != now:
                raise RuntimeError(f"changing the number of {kind} dimensions (from {was} to {now})" + _RESIZE_OPTIONS)
        for kind, was, now in (('sparse', coo.shape[:sparse_dim], size[:sparse_dim]),
                               ('dense', coo.shape[sparse_dim:], size[sparse_dim:])):
            if any(n < o for o, n in zip(was, now)):
                raise RuntimeError(f"shrinking the size of {kind} dimensions (from {list(was)} to {list(now)})"
                                   + _RESIZE_OPTIONS)
        if size[sparse_dim:] != coo.shape[sparse_dim:]:
            values = xp.zeros(coo.values.shape[:1] + size[sparse_dim:], coo.values.dtype)
            values[(slice(None),) + tuple(slice(0, n) for n in coo.shape[sparse_dim:])] = coo.values
            coo.values = values
    else:
        coo.indices = xp.zeros((sparse_dim, 0), np.int64)
        coo.values = xp.zeros((0,) + size[sparse_dim:], coo.values.dtype)
        coo.coalesced = True
    coo.shape = size
    return self


def sparse_resize_and_clear_(self, size, sparse_dim, dense_dim):
    return sparse_resize_(self, size, sparse_dim, dense_dim, _clear=True)


def resize_as_sparse_(self, the_template):
    if not _is_sparse(self):
        raise RuntimeError(*_NOT_SPARSE.args)
    return sparse_resize_(self, the_template.shape, the_template.sparse_dim(), the_template.dense_dim())
