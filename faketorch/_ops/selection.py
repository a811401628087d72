"""Index-driven selection and scatter ops: index_select, index_add/copy/fill/reduce, masked_scatter,
take, take_along_dim, put, scatter_reduce, argwhere, isin."""
from .. import _xnp as np

from .. import _dtype as D
from .._tensor import Tensor, _make, _wrap_dim
from ..autograd.grad_mode import state as grad_state
from ._core import attach, broadcast_shapes, guard, kernel_error, needs, register, requires_grad, with_out
from ._float8_kernels import F8 as _F8, refuse as _f8_refuse
from .manipulation import _check_storage
from .reduction import _at
from .misc import _scalar_to
from .shape import _text, no_dims_error


_grad_on = requires_grad      # any tensor requiring grad, with grad mode on


def _index_vector(index, cuda=False):
    """index_select's index as a flat int64 array, after torch's checks (its CUDA kernel's: the rank,
    then its dtype dispatch)."""
    if cuda and index._data.ndim > 1:
        raise RuntimeError("Index is supposed to be an empty tensor or a vector")
    if index.dtype is not D.int64 and index.dtype is not D.int32:
        if cuda:
            raise kernel_error('index_select_out_cuda_impl', index.dtype)
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if index._data.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    return index._data.reshape(-1).astype(np.int64, copy=False)


def _check_bounds(idx, size, error=None, wrap=False):
    """Indices in [0, size) (or [-size, size) with wrap, made non-negative). Out of range: error(first
    bad index), each op having torch's own wording; by default torch's IndexError for embeddings."""
    if not idx.size:
        return idx
    lo, hi = idx.min(), idx.max()       # two reductions instead of masks on the common, valid path
    if hi >= size or lo < (-size if wrap else 0):
        e = error and error(int(idx[(idx >= size) | (idx < (-size if wrap else 0))][0]))
        raise e or IndexError("index out of range in self")
    return np.where(idx < 0, idx + size, idx) if wrap and lo < 0 else idx


def _out_of_bounds(d, size, prefix='', kind=RuntimeError):
    return lambda v: kind(f"{prefix}index {v} is out of bounds for dimension {d} with size {size}")


def _along(d, idx, ndim):
    return (slice(None),) * d + (idx,) + (slice(None),) * (ndim - d - 1)


def index_select(input, dim, index):
    a = input._data
    d = _wrap_dim(dim, a.ndim)
    if a.ndim == 0 and index._data.ndim <= 1 and index._data.size != 1:       # checked before the index's dtype
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {index._data.size} value(s)")
    cuda = input._device.type == 'cuda'
    idx = _index_vector(index, cuda)
    if a.ndim <= 1 and input.dtype in D.BARE_UINTS:     # torch copies the rows of a larger self for any dtype
        raise kernel_error('index_select', input.dtype, input._device)
    if a.ndim == 0:
        if idx.size != 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)")
        idx = _check_bounds(idx, 1)
        data = a.copy()                 # a 0-dim input gives a 0-dim result
    else:
        n = a.shape[d]
        empty = a.ndim > 1 and idx.size and not a.size
        if empty and not n:
            raise RuntimeError("index_select(): self indexing axis dim should be positive")
        if empty and cuda:      # torch's CUDA kernel returns an empty self's result without reading an index
            data = np.empty_like(a, shape=a.shape[:d] + (idx.size,) + a.shape[d + 1:])
        else:
            # torch's dim-1 kernel and its kernel for an empty self have their own check and wording; the
            # others raise embedding's IndexError
            idx = _check_bounds(idx, n, lambda v: RuntimeError(f"INDICES element is out of DATA bounds, id={v} "
                                                                  f"axis_dim={n}") if d == 1 or empty else None)
            data = np.take(a, idx, axis=d)
    r = _make(np.asarray(data, order='C'), input.dtype, input._device)
    if _grad_on(input):
        shape = a.shape
        it = _make(idx, D.int64, input._device)

        def bwd(node, g):
            if len(shape) == 0:
                return g.sum().reshape(())
            return index_add(g.new_zeros(shape), d, it, g)
        attach('IndexSelectBackward0', guard(bwd, index), (input,), (r,))
    return r


def _index_func_checks(name, input, d, index, source):
    """torch's checks of index_add_/index_reduce_'s arguments, in its order."""
    a, s, i = input._data, source._data, index._data
    if i.ndim > 1:
        raise IndexError(f"{name}_(): Index is supposed to be a vector, but got dim: {i.ndim} with type: "
                         f"{D.type_name(index.dtype)} and size: {_text(i.shape)}")
    if index.dtype is not D.int64 and index.dtype is not D.int32:
        raise RuntimeError(f"{name}_(): Expected dtype int32/int64 for index but got: {D.type_name(index.dtype)}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"{name}_(): self ({D.type_name(input.dtype)}) and source ({D.type_name(source.dtype)}) "
                           f"must have the same scalar type")
    if d and d >= s.ndim:
        raise RuntimeError(f"{name}_(): Indexing dim {d} is out of bounds of the source tensor with dim {s.ndim}")
    if i.size != (s.shape[d] if s.ndim else 1):
        if not s.ndim:          # torch's message asks the 0-dim source for its size
            raise no_dims_error(d)
        raise RuntimeError(f"{name}_(): Number of indices ({i.size}) should be equal to source.size(dim): "
                           f"({s.shape[d]}), for dim: {d}")
    rest_a, rest_s = list(a.shape), list(s.shape)
    if a.ndim and s.ndim:
        del rest_a[d], rest_s[d]
    if rest_a != rest_s:
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {_text(a.shape)} source.shape = {_text(s.shape)}")
    return i.reshape(-1).astype(np.int64, copy=False)


def index_add(input, dim, index, source, *, alpha=1):
    if input.dtype in _F8:
        raise _f8_refuse('index_add', input)
    a = input._data
    d = _wrap_dim(dim, a.ndim)
    idx = _index_func_checks('index_add', input, d, index, source)
    if input.dtype in D.BARE_UINTS and (a.ndim <= 1 or idx.size and a.size):
        # torch's loops: its own for a vector, scatter_add's for a first or last dim, else add_ per index
        fast = d in (0, a.ndim - 1) and alpha == 1 and alpha.__class__ is not bool and index.dtype is D.int64
        raise kernel_error('index_add_' if a.ndim <= 1 else 'scatter_gather_tensor_cpu' if fast else 'add_stub',
                           input.dtype, input._device)
    if a.ndim <= 1:
        idx = _check_bounds(idx, a.size)
    elif idx.size and a.size:       # torch's kernel for a first or last dim is scatter_add's, with its wording
        fast = d in (0, a.ndim - 1) and alpha == 1 and alpha.__class__ is not bool and index.dtype is D.int64
        idx = _check_bounds(idx, a.shape[d], _out_of_bounds(d, a.shape[d]) if fast else None)
    rt = input.dtype
    data = a.copy()
    s = source._data.astype(rt._np, copy=False)
    if alpha != 1:
        s = s * np.cast(alpha, rt._np)
    if a.ndim == 0:
        data = data + s.sum()
    elif data.size and idx.size:
        np.ufunc_at(np.add, data, _along(d, idx, a.ndim), s)
    r = _make(np.asarray(data, rt._np), rt, input._device)
    if _grad_on(input, source):
        it = _make(idx, D.int64, input._device)

        def bwd(node, g):
            gs = None
            if needs(node, 1):
                gs = index_select(g, d, it) if g.ndim else g.expand(source.shape)
                gs = gs * alpha if alpha != 1 else gs
                gs = gs.reshape(source.shape)
            return (g if needs(node, 0) else None), gs
        # the index is saved (and version-checked) only when the source's gradient reads it
        attach('IndexAddBackward0', guard(bwd, index) if _grad_on(source) else bwd, (input, source), (r,))
    return r


def _restrided(input, d, n):
    """index_copy_/index_fill_ first view self with dim d's size made n (the index's length) and its stride
    0, which torch checks against self's storage. Whether that view has elements: else torch reads no index."""
    shape, stride = list(input._data.shape) or [1], list(input.stride()) or [1]
    shape[d], stride[d] = n, 0
    base = input._base if input._base is not None else input
    _check_storage(shape, stride, input.storage_offset(), input.dtype.itemsize, base._data.size)
    return 0 not in shape


def index_copy(input, dim, index, source):
    if input.dtype in _F8:
        raise _f8_refuse('index_copy', input)
    a, s, i = input._data, source._data, index._data
    d = _wrap_dim(dim, a.ndim)
    if i.ndim > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {i.ndim})")
    if not s.ndim and i.size != 1:
        raise IndexError(f"index_copy_(): When source is scalar, index should have one element (got {i.size})")
    if s.ndim != a.ndim and s.ndim and a.ndim:
        raise IndexError(f"index_copy_(): When source and destination are not scalars, their dimensionality must "
                         f"match. Source dimensionality ({s.ndim}), destination dimensionality ({a.ndim})")
    if index.dtype is not D.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got {D.type_name(index.dtype)}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got (self) "
                           f"{D.type_name(input.dtype)} and (source) {D.type_name(source.dtype)}")
    rest_a, rest_s = list(a.shape), list(s.shape)
    for rest in (rest_a, rest_s):
        if rest:
            del rest[d]
    if rest_a != rest_s:        # torch prints these sizes space-separated
        raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice shapes. Destination slice "
                           f"shape: {' '.join(map(str, rest_a))} at dimension {d} and source slice shape: "
                           f"{' '.join(map(str, rest_s))} at dimension 0.")
    if s.ndim and i.size != s.shape[d]:
        raise IndexError(f"index_copy_(): Number of indices ({i.size}) should be equal to source.size(dim) "
                         f"({s.shape[d]})")
    idx = i.reshape(-1)
    if input.dtype in D.BARE_UINTS:
        raise kernel_error('index_copy_cpu', input.dtype, input._device)
    data = a.copy()
    if _restrided(input, d, idx.size):
        n = a.shape[d] if a.ndim else 1
        idx = _check_bounds(idx, n, _out_of_bounds(d, n, 'index_copy_(): ', IndexError))
        if a.ndim == 0:
            data[...] = s.reshape(())
        else:
            data[_along(d, idx, a.ndim)] = s
    r = _make(data, input.dtype, input._device)
    if _grad_on(input, source):
        it = _make(idx, D.int64, input._device)

        def bwd(node, g):
            gi = index_fill(g, d, it, 0) if needs(node, 0) else None
            gs = index_select(g, d, it).reshape(source.shape) if needs(node, 1) else None
            return gi, gs
        attach('IndexCopyBackward0', guard(bwd, index), (input, source), (r,))
    return r


def index_fill(input, dim, index, value):
    if input.dtype in _F8:
        raise _f8_refuse('index_fill', input)
    vt = value if isinstance(value, Tensor) else None
    if vt is not None and vt._data.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{vt._data.ndim} dimension(s).")
    if index.dtype is not D.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if not input.dtype.is_complex and (vt.dtype.is_complex if vt is not None else isinstance(value, complex)):
        raise RuntimeError("index_fill_(): Converting complex Scalar to non-complex type is not supported")
    a = input._data
    d = _wrap_dim(dim, a.ndim)
    if index._data.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    if input.dtype in D.BARE_UINTS:
        raise kernel_error('index_fill_cpu', input.dtype, input._device)
    idx = index._data.reshape(-1)
    data = a.copy()
    if _restrided(input, d, idx.size):
        n = a.shape[d] if a.ndim else 1
        idx = _check_bounds(idx, n, _out_of_bounds(d, n, kind=IndexError), wrap=True)
        v = vt._data if vt is not None else value
        if a.ndim == 0:
            data[...] = v
        else:
            data[_along(d, idx, a.ndim)] = v
    r = _make(data, input.dtype, input._device)
    if _grad_on(input, vt):
        it = _make(idx, D.int64, input._device)

        def bwd(node, g):
            gi = index_fill(g, d, it, 0) if needs(node, 0) else None
            # each filled position counts once, however often the index repeats it
            gv = index_select(g, d, _make(np.unique(idx), D.int64, g._device)).sum() if needs(node, 1) else None
            return gi, gv
        attach('IndexFillBackward1' if vt is not None else 'IndexFillBackward0', guard(bwd, index), (input, vt),
               (r,))
    return r


def index_put(input, indices, values, accumulate=False):
    return input.index_put(indices, values, accumulate)


# --- scatter_reduce / index_reduce ----------------------------------------------------------------

_REDUCES = ('sum', 'prod', 'mean', 'amax', 'amin')


def _scatter_reduce_np(a, d, idx, s, reduce, include_self):
    """The forward on arrays; returns (result, count of contributions per output element)."""
    pos = _scatter_pos(idx, d)
    out = a.copy()
    cnt = np.zeros_like(a, dtype=np.int64)
    np.ufunc_at(np.add, cnt, pos, 1)
    touched = cnt > 0
    if not include_self:
        ident = {'sum': 0, 'mean': 0, 'prod': 1}.get(reduce)
        if ident is None:
            ident = _extreme_identity(a.dtype, reduce)
        out[touched] = ident
    if reduce in ('sum', 'mean'):
        np.ufunc_at(np.add, out, pos, s)
    elif reduce == 'prod':
        np.ufunc_at(np.multiply, out, pos, s)
    elif reduce == 'amax':
        np.ufunc_at(np.maximum, out, pos, s)
    else:
        np.ufunc_at(np.minimum, out, pos, s)
    if reduce == 'mean':
        n = cnt + (1 if include_self else 0)
        n = np.maximum(n, 1)
        if out.dtype.kind in 'iub':
            out = np.floor_divide(out, n).astype(a.dtype)
        else:
            out = (out / n).astype(a.dtype)
    return out, cnt


def _extreme_identity(dt, reduce):
    if dt.kind in 'fc':
        return -np.inf if reduce == 'amax' else np.inf
    if dt == np.bool_:
        return reduce == 'amin'
    info = np.iinfo(dt)
    return info.min if reduce == 'amax' else info.max


def _scatter_pos(idx, d):
    grids = np.indices(idx.shape, sparse=True)
    grids = [np.asarray_on(g, idx) for g in grids] if np._gpu(idx) else list(grids)
    grids[d] = idx
    return tuple(grids)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    a = input._data
    d = _wrap_dim(dim, a.ndim)
    idx = _scatter_index(input, index, d, src)
    reduce = {'max': 'amax', 'min': 'amin'}.get(reduce, reduce)     # torch takes the old names too
    if reduce not in _REDUCES:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    if input._device.type == 'cuda' and input.dtype is D.bool and reduce in ('prod', 'amin', 'amax'):
        raise NotImplementedError("\"cuda_scatter_gather_base_kernel_func\" not implemented for 'Bool'")
    if input.dtype in D.BARE_UINTS and (idx.size or reduce == 'mean'):     # mean's last step is a masked_fill
        raise kernel_error(('scatter_reduce_exclude_input_init' if not include_self else _UINT_SCATTER_REDUCE[reduce])
                           if idx.size else 'masked_fill', input.dtype, input._device)
    # CPU kernels torch lacks (met before the bounds checks, or after them without self); the bool
    # mean's final division fails even with nothing scattered
    if (reduce == 'mean' and input.dtype is D.bool) or (reduce in ('amax', 'amin') and input.dtype.is_complex):
        if idx.size and not include_self:
            _gs_bounds(idx, a.shape[d] if a.ndim else 1, d)
        if idx.size:
            raise _not_implemented(f'scatter_gather_tensor_cpu_reduce_{reduce}', input.dtype)
        if reduce == 'mean':
            raise _not_implemented('div_floor_cpu', input.dtype)
    if idx.ndim == 0 and a.ndim:
        idx = idx.reshape(1)        # a 0-dim index counts as one element
    if a.ndim == 0:
        # a 0-dim self works as a one-element vector (its node keeps torch's name)
        r = scatter_reduce(input.reshape(1), 0, index.reshape(-1), src.reshape(-1), reduce,
                           include_self=include_self).reshape(())
        if r._grad_fn is not None:
            r._grad_fn.__class__ = _node('ScatterReduceBackward0')
        return r
    else:
        idx = _gs_bounds(idx, a.shape[d], d)
        if idx.size:
            out, cnt = _scatter_reduce_np(a, d, idx, _cut(src, idx), reduce, include_self)
        else:               # torch checks nothing more of an empty index
            out, cnt = a.copy(), np.zeros(a.shape, np.int64, like=a)
    r = _make(out, input.dtype, input._device)
    if _grad_on(input, src):
        c = _make(cnt, D.int64, input._device)
        attach('ScatterReduceBackward0', guard(_scatter_reduce_bwd(d, index, reduce, include_self, c), index),
               (input, src), (r,), save=(input, src, r))
    return r


def _scatter_reduce_bwd(d, index, reduce, include_self, cnt):
    def bwd(node, g):
        x, s, res = node.saved_tensors
        sub = tuple(slice(0, n) for n in index.shape) if s.ndim else ()
        if reduce in ('prod', 'amax', 'amin') and s.ndim and index.numel() != s.numel():
            from .pointwise import _broadcast_error
            try:                # torch compares all of src with the result gathered at the index
                broadcast_shapes(s._data.shape, index._data.shape)
            except RuntimeError:
                raise _broadcast_error(s._data, index._data) from None
        gi = gs = None
        touched = cnt > 0
        if reduce == 'sum':
            gi = g if include_self else g.masked_fill(touched, 0)
            gs = g.gather(d, index)
        elif reduce == 'mean':
            n = (cnt + (1 if include_self else 0)).clamp(min=1).to(g.dtype)
            gi = g / n if include_self else g.masked_fill(touched, 0)
            gs = (g / n).gather(d, index)
        elif reduce == 'prod':
            # torch's formula: divide only by non-zero values; a single zero in a group gets the
            # product of the others (recomputed with that zero replaced by 1)
            xz = x == 0
            x1 = x.masked_fill(xz, 1)
            if include_self:
                gi = g * scatter_reduce(x1, d, index, s, 'prod', include_self=True) / x1
            else:
                gi = g.masked_fill(touched, 0)
            sel = s[sub]
            sz = sel == 0
            nz = x.new_zeros(x.shape).scatter_add(d, index, sz.to(x.dtype)).gather(d, index)
            single = sz & (nz == 1)
            src1 = s.clone()
            src1[sub] = sel.masked_fill(single, 1)
            alt = scatter_reduce(x, d, index, src1, 'prod', include_self=include_self)
            from .misc import where
            gs = where(single, (g * alt).gather(d, index), (g * res).gather(d, index) / sel.masked_fill(sz, 1))
        else:
            # ties share the gradient evenly, the input's own value included (torch counts it even
            # with include_self=False, though it then gets no gradient)
            sel = s[sub]
            hit_s = (sel == res.gather(d, index)).to(g.dtype)
            ties = g.new_zeros(g.shape).scatter_add(d, index, hit_s)
            hit_x = (x == res).to(g.dtype)
            ties = ties + hit_x
            share = g / ties.masked_fill(ties == 0, 1)
            gi = share * hit_x if include_self else g.masked_fill(touched, 0)
            gs = share.gather(d, index) * hit_s
        if gs is not None and tuple(gs.shape) != tuple(s.shape):
            gs = _src_grad(gs, s)
        return (gi if needs(node, 0) else None), (gs if needs(node, 1) else None)
    return bwd


# the kernels torch's index_reduce_ lacks, by (reduce, bool or else complex)
_INDEX_REDUCE_MISSING = {('mean', True): 'div_floor_cpu', ('amax', False): 'maximum_cpu',
                         ('amin', False): 'minimum_cpu'}


_not_implemented = kernel_error


# the kernels that refuse uint16/32/64 (scatter_reduce's sum and prod are scatter_add's and scatter's loops)
_UINT_SCATTER_REDUCE = {'sum': 'scatter_gather_tensor_cpu', 'prod': 'scatter_gather_tensor_cpu',
                        'mean': 'scatter_gather_tensor_cpu_reduce_mean', 'amax': 'scatter_gather_tensor_cpu_reduce_amax',
                        'amin': 'scatter_gather_tensor_cpu_reduce_amin'}
_UINT_INDEX_REDUCE = {'mean': 'add_stub', 'amax': 'maximum_cpu', 'amin': 'minimum_cpu'}
_SIGNED = {2: D.int16, 4: D.int32, 8: D.int64}


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    if reduce not in ('prod', 'mean', 'amax', 'amin'):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got "
                           f"{reduce}.")
    a = input._data
    d = _wrap_dim(dim, a.ndim)
    idx = _index_func_checks('index_reduce', input, d, index, source)
    if input.dtype in D.BARE_UINTS and (not include_self or a.ndim <= 1 or idx.size and reduce != 'prod'):
        raise kernel_error('index_reduce_func_exclude_input_init' if not include_self else 'index_func_'
                           if a.ndim <= 1 else _UINT_INDEX_REDUCE[reduce], input.dtype, input._device)
    n = a.shape[d] if a.ndim else 1
    missing = None
    if input.dtype is D.bool or input.dtype.is_complex:      # kernels torch lacks, each failing at its place
        missing = ('index_reduce_func_exclude_input_init' if not include_self else 'index_func_' if a.ndim <= 1
                   else _INDEX_REDUCE_MISSING.get((reduce, input.dtype is D.bool)))
        if missing and (not include_self or a.ndim <= 1):
            raise _not_implemented(missing, input.dtype)
    if not include_self and a.size:     # its first pass takes negative indices, with scatter's wording
        _check_bounds(idx, n, _out_of_bounds(d, n, kind=IndexError), wrap=True)
    if missing and reduce != 'mean' and idx.size and 0 <= idx[0] < n:
        raise _not_implemented(missing, input.dtype)       # at the first index, before the others' checks
    idx = _check_bounds(idx, n)
    if missing and idx.size:
        raise _not_implemented(missing, input.dtype)
    s = source._data
    if a.ndim == 0:
        full_idx = idx.reshape(s.shape) if s.ndim else idx.reshape(())
    else:
        shp = [1] * s.ndim
        shp[d] = idx.size
        full_idx = np.broadcast_to(idx.reshape(shp), s.shape)
    it = _make(np.ascontiguousarray(full_idx), D.int64, input._device)
    if input.dtype in D.BARE_UINTS:     # torch's prod has their loop (scatter_reduce's has not): same bits signed
        signed = _SIGNED[input.dtype.itemsize]
        return scatter_reduce(input.view(signed), d, it, source.view(signed), reduce).view(input.dtype)
    r = scatter_reduce(input, d, it, source, reduce, include_self=include_self)
    if r._grad_fn is not None:
        r._grad_fn.__class__ = _node('IndexReduceBackward0')
    return r


def _node(name):
    from ..autograd.graph import node_class
    return node_class(name)


# --- masked_scatter, take, put ------------------------------------------------------------------

def masked_scatter(input, mask, source):
    if input.dtype in _F8:
        raise _f8_refuse('masked_scatter', input)
    shape = broadcast_shapes(mask._data.shape, input._data.shape)     # torch expands the two first
    if source.dtype is not input.dtype:
        # torch's CPU message runs "got" into the dtype; its CUDA one names the in-place op
        cuda = input._device.type == 'cuda'
        raise RuntimeError(f"masked_scatter{'_' if cuda else ''}: expected self and source to have same dtypes but "
                           f"got{' ' if cuda else ''}{D.type_name(input.dtype)} and {D.type_name(source.dtype)}")
    if mask.dtype is not D.bool:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype "
                           f"{D.type_name(mask.dtype)}")
    if input.dtype in D.BARE_UINTS:
        raise kernel_error('masked_scatter', input.dtype, input._device)
    m = np.broadcast_to(mask._data, shape)
    a = np.broadcast_to(input._data, m.shape)
    k = int(m.sum())
    if k > source._data.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    data = a.copy()
    data[m] = source._data.reshape(-1)[:k]
    r = _make(data, input.dtype, input._device)
    if _grad_on(input, source):
        mt = _make(np.ascontiguousarray(m), D.bool, input._device)
        n = source._data.size
        sshape = source._data.shape

        def bwd(node, g):
            gi = gs = None
            if needs(node, 0):
                gi = g.masked_fill(mt, 0)
            if needs(node, 1):
                from .misc import cat
                sel = g.masked_select(mt)
                pad = sel.new_zeros((n - k,))
                gs = cat([sel, pad]).reshape(sshape)
            return gi, gs
        attach('MaskedScatterBackward0', guard(bwd, mask), (input, source), (r,))
    return r


def _long_index(name, index):
    if index.dtype is not D.int64:
        raise RuntimeError(f"{name}(): Expected a long tensor for index, but got {D.type_name(index.dtype)}")


def _flat_index(index, numel):
    """take/put's positions in the flattened tensor (negative ones from its end)."""
    idx = index._data.reshape(-1)
    return _check_bounds(idx, numel, lambda v: IndexError(f"out of range: tried to access index {v} on a tensor "
                                                          f"of {numel} elements."), wrap=True)


def take(input, index):
    if input.dtype in _F8:
        raise _f8_refuse('take', input)
    a = input._data
    _long_index('take', index)
    if not a.size and index._data.size:
        raise IndexError("take(): tried to take from an empty tensor")
    if input.dtype in D.BARE_UINTS and index._data.size:
        raise kernel_error('take_cpu', input.dtype, input._device)
    idx = _flat_index(index, a.size)
    data = a.reshape(-1)[idx].reshape(index._data.shape)
    r = _make(data, input.dtype, input._device)
    if _grad_on(input):
        shape = a.shape
        it = _make(idx, D.int64, input._device)

        def bwd(node, g):
            z = g.new_zeros((int(np.prod(shape, dtype=np.int64)),))
            return index_add(z, 0, it, g.reshape(-1)).reshape(shape)
        attach('TakeBackward0', guard(bwd, index), (input,), (r,))
    return r


def _long_indices(indices):
    if indices.dtype is not D.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{D.type_name(indices.dtype)}")


def take_along_dim(input, indices, dim=None):
    if dim is None:         # torch gathers from the flat input, with gather's checks
        return input.reshape(-1).gather(0, indices.reshape(-1))
    a, i = input._data, indices._data
    if i.ndim != a.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of "
                           f"dimensions, but got {a.ndim} dimensions for input, and {i.ndim} "
                           f"dimensions for indices")
    _long_indices(indices)
    d = _wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        raise no_dims_error(d)
    n = a.shape[d]
    ishape = list(a.shape)
    ishape[d] = i.shape[d]
    ishape = broadcast_shapes(ishape, i.shape)
    xshape = list(i.shape)
    xshape[d] = n
    xshape = broadcast_shapes(xshape, a.shape)
    if i.size and (i.min() < 0 or i.max() >= n):
        # torch takes the indices modulo the size along dim (an integer division, so 0 fails)
        if not n:
            raise RuntimeError("ZeroDivisionError")
        indices = _make(np.mod(i, n), D.int64, indices._device)
    x = input.expand(xshape) if tuple(xshape) != a.shape else input
    idx = indices.expand(ishape) if tuple(ishape) != i.shape else indices
    return x.gather(d, idx)


def put(input, index, source, accumulate=False):
    if input.dtype in _F8:
        raise _f8_refuse('put', input)
    a = input._data
    _long_index('put_', index)
    if source.dtype is not input.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got self.dtype = "
                           f"{D.type_name(input.dtype)} and source.dtype = {D.type_name(source.dtype)}")
    s = source._data.reshape(-1)
    if s.size != index._data.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {s.size}, index.numel() = {index._data.size}")
    if not a.size and s.size:
        raise IndexError("put_(): Tried to put elements into an empty tensor")
    if input.dtype in D.BARE_UINTS and s.size:
        raise kernel_error('take_put_cpu', input.dtype, input._device)
    idx = _flat_index(index, a.size)
    data = a.copy().reshape(-1)
    if accumulate:
        np.ufunc_at(np.add, data, idx, s.astype(a.dtype, copy=False))
    else:
        data[idx] = s
    r = _make(data.reshape(a.shape), input.dtype, input._device)
    if _grad_on(input, source):
        it = _make(idx, D.int64, input._device)
        shape = a.shape

        def bwd(node, g):
            gi = gs = None
            if needs(node, 0):
                gi = g if accumulate else put(g, it, g.new_zeros((idx.size,)))
            if needs(node, 1):
                gs = take(g, it).reshape(source.shape)
            return gi, gs
        attach('PutBackward0', guard(bwd, index), (input, source), (r,))
    return r


def argwhere(input):
    return input.nonzero()


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    if isinstance(elements, Tensor) and elements.dtype in _F8:
        raise _f8_refuse('isin', elements)
    et = elements if isinstance(elements, Tensor) else None
    tt = test_elements if isinstance(test_elements, Tensor) else None
    dev = (et if et is not None else tt)._device
    e = et._data if et is not None else np.asarray_on(elements, tt._data)
    t = tt._data if tt is not None else np.asarray_on(test_elements, et._data)
    if tt is not None and e.size:     # a scalar test element is compared with eq (which has their loops)
        common = D.promote_types(et.dtype, tt.dtype) if et is not None else tt.dtype
        if common in D.BARE_UINTS:
            raise kernel_error('isin_default_cpu', common, dev)
    data = np.isin(e, t, invert=invert)
    return _make(np.asarray(data, bool), D.bool, dev)


for _f in (index_select, take, take_along_dim, argwhere, isin):
    register(with_out(_f, overlap=_f in (index_select, take)), method=_f is not isin)
for _f in (index_add, index_copy, index_fill, scatter_reduce, index_reduce, masked_scatter, put):
    register(_f, inplace=True)


def _masked_scatter_(self, mask, source):
    from .shape import expand_mask
    expand_mask(mask, self._data.shape)
    from ._core import check_inplace, commit_inplace
    check_inplace(self)
    return commit_inplace(self, masked_scatter(self, mask, source))


Tensor.masked_scatter_ = _masked_scatter_
register(index_put, method=False)


# --- gather / scatter ----------------------------------------------------------------------------

def _gs_index(name, input, index, d):
    """gather's index as int64, after torch's checks (scatter's: _scatter_index)."""
    if index.dtype is not D.int64 and index.dtype is not D.int32 and index._data.size:
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    a, idx = input._data, index._data
    if idx.ndim != a.ndim and not (a.ndim == 0 and idx.ndim <= 1) and not (idx.ndim == 0 and a.ndim <= 1) \
            and idx.size:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    return idx if index.dtype is D.int64 else idx.astype(np.int64)


def _gs_bounds(idx, size, d):
    if not idx.size:
        return idx
    return _check_bounds(idx, size, _out_of_bounds(d, size))


def gather(input, dim, index, *, sparse_grad=False):
    if input.dtype in _F8:
        raise _f8_refuse('gather', input)
    a = input._data
    n = a.ndim
    d = dim if dim.__class__ is int and 0 <= dim < n else _wrap_dim(dim, n)
    idx = _gs_index('gather', input, index, d)
    size = idx.size
    if size and input.dtype in D.BARE_UINTS and (n == 0 or idx.ndim == 0):
        raise kernel_error('scatter_gather_tensor_cpu', input.dtype, input._device)
    if size == 0 and idx.ndim != n:
        data = np.zeros(idx.shape, a.dtype, like=a)         # an empty index selects nothing, whatever its rank
    elif n == 0 or idx.ndim == 0:
        idx1 = _gs_bounds(idx.reshape(-1), a.size if n <= 1 else a.shape[d], d)
        data = a.reshape(-1)[idx1].reshape(idx.shape)
    else:
        ashape, ishape = a.shape, idx.shape
        if ishape != ashape:
            for i in range(n):
                if i != d and ishape[i] > ashape[i]:
                    raise RuntimeError(f"Size does not match at dimension {i} expected index {list(ishape)} to be "
                                       f"no larger than self {list(ashape)} apart from dimension {d}")
        if size and input.dtype in D.BARE_UINTS:
            raise kernel_error('scatter_gather_tensor_cpu', input.dtype, input._device)
        # one fancy index (each element's own position off d); NumPy's IndexError reports an index
        # past the end, a reduction the negative ones, then the full check words torch's error
        gpu = idx.__class__ is not np.ndarray and np._gpu(idx)
        if size and gpu:      # CuPy wraps an out-of-range index around: check them all (one sync)
            _gs_bounds(idx, a.shape[d], d)
        try:        # (NumPy's argmin costs a third of its min here)
            if size and not gpu and idx.flat[idx.argmin()] < 0:
                raise IndexError
            data = _at(a, idx, d)
        except IndexError:
            _gs_bounds(idx, a.shape[d], d)
            raise
    if not data.flags.c_contiguous:     # (a fancy index may follow its index's layout)
        data = np.ascontiguousarray(data)
    r = _make(data, input.dtype, input._device)
    if input._requires_grad and grad_state.enabled:
        shape = a.shape
        it = index if index.dtype is D.int64 else _make(idx, D.int64, index._device)

        def bwd(node, g):
            if it.numel() == 0:
                return g.new_zeros(shape)
            if len(shape) == 0 or g.ndim == 0:
                return scatter_add(g.new_zeros(shape).reshape(-1), 0, it.reshape(-1), g.reshape(-1)).reshape(shape)
            return scatter_add(g.new_zeros(shape), d, it, g)
        attach('GatherBackward0', guard(bwd, index), (input,), (r,))
    return r


def _scatter_index(input, index, d, src=None):
    """The index of scatter/scatter_add/scatter_reduce as int64, after torch's checks of the three
    (a 0-dim tensor counts as 1-dim with size 1); src: a tensor or None."""
    if index.dtype is not D.int64 and index.dtype is not D.int32 and index._data.size:
        raise RuntimeError("scatter(): Expected dtype int32/int64 for index")
    if src is not None and src.dtype is not input.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    a, idx = input._data, index._data
    if not idx.size:
        return idx.astype(np.int64, copy=False)
    n = max(a.ndim, 1)
    if n != max(idx.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    ishape, ashape = idx.shape or (1,), a.shape or (1,)
    wrong = any(ishape[i] > ashape[i] for i in range(n) if i != d)
    if src is None:
        if wrong:
            raise RuntimeError(f"Expected index {_text(idx.shape)} to be no larger than self {_text(a.shape)} apart "
                               f"from dimension {d}")
        return idx.astype(np.int64, copy=False)
    sdata = src._data
    if not wrong:
        wrong = any(ishape[i] > (sdata.shape[_wrap_dim(i, sdata.ndim)] if sdata.ndim else 1) for i in range(n))
    if max(sdata.ndim, 1) != n:
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    if wrong:
        raise RuntimeError(f"Expected index {_text(idx.shape)} to be no larger than self {_text(a.shape)} apart from "
                           f"dimension {d} and to be no larger size than src {_text(sdata.shape)}")
    return idx.astype(np.int64, copy=False)


def _scatter_np(a, d, idx, s, how):
    """Scatter s (already cut to idx's shape) into a copy of a along d."""
    out = a.copy()
    if not idx.size:            # torch checks nothing more of an empty index
        return out
    if a.ndim == 0 or idx.ndim == 0:
        flat = out.reshape(-1)
        pos = (idx.reshape(-1),)
        s = np.broadcast_to(s, idx.shape).reshape(-1)
    else:
        flat = out
        pos = _scatter_pos(idx, d)
    if how == 'add':
        np.ufunc_at(np.add, flat, pos, s)
    elif how == 'multiply':
        np.ufunc_at(np.multiply, flat, pos, s)
    else:
        flat[pos] = s
    return flat.reshape(a.shape)


def _cut(src, idx):
    s = src._data
    if not idx.size:            # nothing to scatter: src is not read (torch checks no shape then)
        return s.reshape(-1)[:0].reshape(idx.shape)
    if s.ndim == 0 or idx.ndim == 0:
        return s.reshape(-1)[:max(idx.size, 1)].reshape(idx.shape) if s.ndim else s
    return s[tuple(slice(0, n) for n in idx.shape)]


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    if input.dtype in _F8:
        raise _f8_refuse('scatter', input)
    if src is None:
        src = value
    a = input._data
    d = _wrap_dim(dim, a.ndim)
    st = src if isinstance(src, Tensor) else None
    idx = _scatter_index(input, index, d, st)
    if reduce is not None and reduce not in ('add', 'multiply'):
        raise RuntimeError("reduce argument must be either add or multiply.")
    if idx.size and input.dtype in D.BARE_UINTS:
        raise kernel_error('scatter_gather_tensor_cpu' if st is not None else 'scatter_gather_scalar_cpu',
                           input.dtype, input._device)
    n = a.shape[d] if a.ndim else 1
    if st is None and idx.size and 0 <= int(idx.reshape(-1)[0]) < n:
        src = _scalar_to(src, input.dtype)      # the kernel converts the value at the first (valid) index
    idx = _gs_bounds(idx, n, d)
    s = _cut(st, idx) if st is not None else np.full(idx.shape, src, a.dtype, like=a)
    r = _make(_scatter_np(a, d, idx, s.astype(a.dtype, copy=False), reduce), input.dtype, input._device)
    if _grad_on(input, st):
        it = index if index.dtype is D.int64 else _make(idx, D.int64, index._device)
        if reduce is not None:
            from .pointwise import _not_implemented
            attach('NotImplemented', _not_implemented('scatter with reduce'), (input, st), (r,))
        else:
            def bwd(node, g):
                gi = scatter(g, d, it, 0.) if needs(node, 0) else None
                gs = _src_grad(gather(g, d, it), st) if needs(node, 1) else None
                return gi, gs
            attach('ScatterBackward0' if st is not None else 'ScatterBackward1', guard(bwd, index), (input, st),
                   (r,))
    return r


def _src_grad(g, src):
    """src's gradient, the index's shape (a 0-dim one reshaped). torch does not pad it to a larger src:
    the engine then raises its invalid-gradient error, as torch's does."""
    if tuple(g.shape) == tuple(src.shape) or g.numel() != src.numel():
        return g
    return g.reshape(src.shape)


def scatter_add(input, dim, index, src):
    a = input._data
    d = _wrap_dim(dim, a.ndim)
    idx = _scatter_index(input, index, d, src)
    if idx.size and input.dtype in D.BARE_UINTS:
        raise kernel_error('scatter_gather_tensor_cpu', input.dtype, input._device)
    idx = _gs_bounds(idx, a.shape[d] if a.ndim else 1, d)
    r = _make(_scatter_np(a, d, idx, _cut(src, idx), 'add'), input.dtype, input._device)
    if _grad_on(input, src):
        it = index if index.dtype is D.int64 else _make(idx, D.int64, index._device)

        def bwd(node, g):
            return (g if needs(node, 0) else None), (_src_grad(gather(g, d, it), src) if needs(node, 1) else None)
        # the index is saved (and its version checked) only when src's gradient reads it
        attach('ScatterAddBackward0', guard(bwd, index) if _grad_on(src) else bwd, (input, src), (r,))
    return r


register(with_out(gather, overlap='resized', same_dtype=True))
for _f in (scatter, scatter_add):
    register(_f, inplace=True)


def unravel_index(indices, shape):
    if not isinstance(indices, Tensor):
        raise TypeError(f"expected 'indices' to be integer dtype, but got {type(indices).__name__}")
    if indices.dtype._cat != 1:
        raise TypeError(f"expected 'indices' to be integer dtype, but got torch.{indices.dtype.name}")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    for s in shape:
        if s < 0:
            raise ValueError("'shape' cannot have negative values, but got " + str(tuple(shape)))
    if indices.dtype in D.BARE_UINTS:
        D.promote_types(indices.dtype, D.int64)     # torch divides by an int64 tensor of the sizes
    idx = indices._data.astype(np.int64)
    out, div = [], 1
    for s in reversed(shape):
        # torch takes each coordinate modulo its size, so out-of-range indices wrap
        out.append(np.floor_divide(idx, div) % s if s else np.zeros_like(idx))
        div *= s
    return tuple(_make(np.asarray(o, np.int64), D.int64, indices._device) for o in reversed(out))


register(unravel_index, method=False)


def _masked_index_checks(name, indices):
    for i in indices:
        if i is not None and i.dtype not in (D.int64, D.int32):
            raise RuntimeError(f'{name} found unexpected index type {D.type_name(i.dtype)}')


def _clamped(input, indices):
    """The indices clamped into [-size, size - 1] of their dims (then wrapped as any index)."""
    return tuple(slice(None) if i is None else i.clamp(-input.shape[d], input.shape[d] - 1)
                 for d, i in enumerate(indices))


def _unsafe_masked_index(input, mask, indices, fill):
    """input[indices] where mask holds, else fill; out-of-range indices are clamped, not errors."""
    from .linalg_ops import _named
    _masked_index_checks('_unsafe_masked_index', indices)
    if input.numel() == 0:
        shape = np.broadcast_shapes(*(tuple(i.shape) for i in indices if i is not None))
        return input.new_full(shape + tuple(input.shape[len(indices):]), fill)
    return _named('UnsafeMaskedIndexBackward0', input[_clamped(input, indices)].masked_fill(~mask, fill))


def _unsafe_masked_index_put_accumulate(input, mask, indices, values):
    """input with values (zero where mask is False) added at indices, clamped as above."""
    from .linalg_ops import _named
    _masked_index_checks('_unsafe_masked_index_put_accumulate', indices)
    if input.numel() == 0:
        return input.clone()
    r = input.index_put(_clamped(input, indices), values.masked_fill(~mask, 0), accumulate=True)
    return _named('UnsafeMaskedIndexPutAccumulateBackward0', r)


register(_unsafe_masked_index, method=False)
register(_unsafe_masked_index_put_accumulate, method=False)
