"""Sorting and order statistics: sort, argsort, topk, kthvalue, median, mode, quantile, unique,
searchsorted, bucketize, bincount, histc, histogram."""
import sys
import warnings

from .. import _xnp as np
from .. import _autocast as _ac

from .. import _dtype as D
from .. import return_types
from .._tensor import Tensor, _dtype_c10, _make, _wrap_dim
from ..autograd.grad_mode import state as grad_state
from ..autograd.graph import node_class
from . import _stl
from ._core import assert_no_overlap, attach, kernel_error, register, with_out, write_out
from ._float8_kernels import F8 as _F8, refuse as _f8_refuse
from .reduction import NO_DIM, _SIGS, _ArgError, _dim1, _int_arg, _parse_args, _register_public, _write_pair


def _grad_on(t):
    return t._requires_grad and grad_state.enabled


def _stable_argsort(a, axis, descending):
    """Stable order along axis; NaN counts as the largest value (last ascending, first descending)."""
    if not descending:
        return np.argsort(a, axis=axis, kind='stable')
    # descending and stable: sort the reversed array ascending, then reverse back
    n = a.shape[axis]
    rev = np.flip(a, axis)
    idx = np.argsort(rev, axis=axis, kind='stable')
    return np.flip(n - 1 - idx, axis)


def _scatter_back(shape, d, keepdim):
    """Backward of a value-selecting op: put g back at the selected indices."""
    def bwd(node, g):
        ind, = node.saved_tensors
        if len(shape) == 0:
            return g.reshape(())
        ig = g if keepdim else g.unsqueeze(d)
        ii = ind if keepdim else ind.unsqueeze(d)
        return g.new_zeros(shape).scatter(d, ii, ig)
    return bwd


def _values_indices(Ret, name, input, vals, idx, gname, d, keepdim, out=None):
    v = _make(np.asarray(vals, order='C'), input.dtype, input._device)
    i = _make(np.asarray(idx, np.int64, order='C'), D.int64, input._device)
    if _grad_on(input):
        attach(gname, _scatter_back(input._data.shape, d, keepdim), (input,), (v,), save=(i,))
    return _write_pair(name, out, v, i) if out is not None else Ret(v, i)


_TIE_EMULATION_LIMIT = 1 << 16      # elements; larger inputs keep the (equally valid) stable choice


def _replay_tied_rows(a, d, idx, replay, rows=None):
    """idx (positions along d) with the rows of `a` that have ties (or `rows`) replaced by
    replay(row) -> the positions libstdc++'s unstable algorithm leaves there."""
    if a.size > _TIE_EMULATION_LIMIT or not isinstance(a, np.ndarray):   # CUDA sorts are radix sorts:
        return idx                                                          # stable, as NumPy's
    x = np.moveaxis(a, d, -1)
    rows = _stl.has_ties(x) if rows is None else rows
    if not rows.any():
        return idx
    moved = np.moveaxis(idx, d, -1).copy()
    for pos in map(tuple, np.argwhere(rows)):        # argwhere: rows may be 0-d
        moved[pos] = replay(x[pos])
    return np.moveaxis(moved, -1, d)


def _std_sort_order(row, descending):
    el = list(zip(_stl.rank_keys(row, descending), range(row.shape[0])))
    _stl.sort(el)
    return [i for _, i in el]


def _unstable_argsort(a, d, descending):
    """torch's CPU sort with stable=False: std::sort over (value, index) pairs."""
    idx = _stable_argsort(a, d, descending)
    if a.strides[d] == 0:       # torch leaves the indices as they are along a zero stride
        return idx
    if a.ndim == 1 and not descending and a.dtype.kind in 'iu' and a.size >= 32768:
        return idx              # torch's (stable) radix sort for long 1-D integer inputs
    return _replay_tied_rows(a, d, idx, lambda row: _std_sort_order(row, descending))


def sort(input, dim=-1, descending=False, stable=None, *, out=None):
    if input.dtype in _F8:
        raise _f8_refuse('sort', input)
    a = input._data
    d = _wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        vals, idx = a.copy(), np.zeros((), np.int64)
    else:
        idx = _stable_argsort(a, d, descending) if stable else _unstable_argsort(a, d, descending)
        vals = np.take_along_axis(a, idx, d)
    gname = 'SortBackward1' if stable is not None else 'SortBackward0'
    if a.ndim == 0:
        return _values_indices(return_types.sort, 'sort', input, vals, idx, gname, 0, True, out)
    return _values_indices(return_types.sort, 'sort', input, vals, idx, gname, d, True, out)


def argsort(input, dim=-1, descending=False, stable=False):
    if input.dtype in _F8:
        raise _f8_refuse('sort', input)
    a = input._data
    d = _wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        idx = np.zeros((), np.int64)
    else:
        idx = _stable_argsort(a, d, descending) if stable else _unstable_argsort(a, d, descending)
    return _make(np.asarray(idx, np.int64, order='C'), D.int64, input._device)


def msort(input):
    return sort(input, 0)[0]


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    if input.dtype in _F8:
        raise _f8_refuse('topk', input)
    k = _int_arg(k)
    if largest.__class__ is not bool or sorted.__class__ is not bool:
        raise _ArgError(largest)
    a = input._data
    d = _wrap_dim(dim, a.ndim)
    size = a.shape[d] if a.ndim else 1
    if k < 0 or k > size:
        raise RuntimeError("selected index k out of range")
    if input.dtype is D.bool:       # torch's CUDA build says "on CPU" too
        raise RuntimeError("topk does not support bool dtypes on CPU")
    if a.ndim and input.dtype in D.BARE_UINTS:
        raise kernel_error('topk_cpu', input.dtype, input._device)
    if a.ndim == 0:
        vals, idx = a.copy(), np.zeros((), np.int64)
    else:
        order = _stable_argsort(a, d, largest)
        idx = np.take(order, np.arange(k, like=order), axis=d)
        # torch's kernel: partial_sort when k * 64 <= n, else nth_element (+ sort of the first k - 1);
        # unsorted, nth_element's order shows even without ties
        n = a.shape[d]
        rows = None if sorted or k * 64 <= n else np.ones(a.shape[:d] + a.shape[d + 1:], bool)
        if k:
            idx = _replay_tied_rows(a, d, idx, lambda row: _std_topk(row, k, largest, sorted), rows)
        vals = np.take_along_axis(a, idx, d)
    return _values_indices(return_types.topk, 'topk', input, vals, idx, 'TopkBackward0', d, True, out)


def _std_topk(row, k, largest, sorted):
    el = list(zip(_stl.rank_keys(row, largest), range(row.shape[0])))
    if k * 64 <= len(el):
        _stl.partial_sort(el, k)
    else:
        _stl.nth_element(el, k - 1)
        if sorted:
            _stl.sort(el, 0, k - 1)     # torch sorts only the first k - 1; the k-th is already placed
    return [i for _, i in el[:k]]


def _quick_select(row, k):
    """The index that torch's CPU quick-select (median-of-three, Hoare partition, NaN largest) leaves
    at position k of one row. Only ties make it differ from a stable sort, so it runs on those rows."""
    arr = list(row)
    idx = list(range(len(arr)))

    def gt(a, b):
        return (a != a and b == b) or a > b

    def sw(i, j):
        arr[i], arr[j] = arr[j], arr[i]
        idx[i], idx[j] = idx[j], idx[i]
    lo, hi = 0, len(arr) - 1
    while hi > lo:
        if hi == lo + 1:
            if gt(arr[lo], arr[hi]):
                sw(lo, hi)
            break
        sw(lo + (hi - lo) // 2, lo + 1)
        if gt(arr[lo + 1], arr[hi]):
            sw(lo + 1, hi)
        if gt(arr[lo], arr[hi]):
            sw(lo, hi)
        if gt(arr[lo + 1], arr[lo]):
            sw(lo + 1, lo)
        i, j, piv = lo + 1, hi, arr[lo]
        while True:
            i += 1
            while gt(piv, arr[i]):
                i += 1
            j -= 1
            while gt(arr[j], piv):
                j -= 1
            if j < i:
                break
            sw(i, j)
        sw(lo, j)
        if j <= k:
            lo = i
        if j >= k:
            hi = j - 1
    return idx[k]


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    if input.dtype in _F8:
        raise _f8_refuse('kthvalue', input)
    k = _int_arg(k)
    if keepdim.__class__ is not bool:
        raise _ArgError(keepdim)
    a = input._data
    d = _dim1(dim, a.ndim)
    size = a.shape[d] if a.ndim else 1
    if size == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {d} to have non-zero size.")
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    if out is not None and isinstance(out, (tuple, list)) and out:
        assert_no_overlap(out[0], input)        # torch's kernel reads input while writing the values
    if a.ndim:
        _no_bool(input, 'kthvalue_cpu')
    if a.ndim == 0:
        vals, idx = a.copy(), np.zeros((), np.int64)
    else:
        idx = np.take(_stable_argsort(a, d, False), [k - 1], axis=d)
        if a.size <= _TIE_EMULATION_LIMIT:
            # among equal values torch's pick depends on its quick-select; replay it on rows with ties
            x = np.moveaxis(a, d, -1).reshape(-1, a.shape[d])
            srt = np.sort(x, axis=-1)
            ties = np.nonzero(np.any((srt[:, 1:] == srt[:, :-1]) |
                                     (np.isnan(srt[:, 1:]) if srt.dtype.kind == 'f' else False), axis=-1))[0]
            if ties.size:
                flat = np.moveaxis(idx, d, -1).reshape(-1).copy()
                for r in ties:
                    flat[r] = _quick_select(x[r].tolist(), k - 1)
                idx = np.moveaxis(flat.reshape(np.moveaxis(idx, d, -1).shape), -1, d)
        vals = np.take_along_axis(a, idx, d)
        if not keepdim:
            idx, vals = np.squeeze(idx, d), np.squeeze(vals, d)
    return _values_indices(return_types.kthvalue, 'kthvalue', input, vals, idx, 'KthvalueBackward0', d,
                           keepdim, out)


def _median_pos(a, d, ignore_nan):
    """Per-slice position, in stable sorted order, of the lower median (NaN: the first NaN)."""
    n = a.shape[d]
    if a.dtype.kind in 'fc':
        nans = np.isnan(a).sum(axis=d, keepdims=True)
    else:
        nans = np.zeros(a.shape[:d] + (1,) + a.shape[d + 1:], np.int64, like=a)
    if ignore_nan:
        valid = n - nans
        return np.where(valid > 0, (valid - 1) // 2, 0)
    return np.where(nans > 0, n - nans, (n - 1) // 2)


def _median_dim(name, ignore_nan):
    Ret = getattr(return_types, name)

    def f(input, dim=NO_DIM, keepdim=False, *, out=None):
        a = input._data
        if dim is None or (dim is NO_DIM and keepdim is not False):     # the dim-less overload has no keepdim
            raise _ArgError(dim)
        if dim is NO_DIM:
            if out is not None:     # the dim-less overload takes no out=
                raise _ArgError(out)
            return _median_all(input, name, ignore_nan)
        if keepdim.__class__ is not bool:
            raise _ArgError(keepdim)
        d = _dim1(dim, a.ndim)
        if a.ndim and a.shape[d] == 0:     # nanmedian's message says median too
            raise IndexError(f"median(): Expected reduction dim {d} to have non-zero size.")
        _no_bool(input, 'median_out')
        if a.ndim == 0:
            vals, idx = a.copy(), np.zeros((), np.int64)
        else:
            order = _stable_argsort(a, d, False)
            pos = _median_pos(a, d, ignore_nan)
            idx = np.take_along_axis(order, pos, d)
            vals = np.take_along_axis(a, idx, d)
            if not keepdim:
                idx, vals = np.squeeze(idx, d), np.squeeze(vals, d)
        gname = 'MedianBackward1' if name == 'median' else 'NanmedianBackward1'
        return _values_indices(Ret, name, input, vals, idx, gname, d, keepdim, out)
    f.__name__ = name
    return f


def _no_bool(input, kernel):
    """torch's order statistics have no bool, complex, float8 or uint16/32/64 kernels."""
    if input.dtype is D.bool or input.dtype.is_complex or input.dtype in _F8 or input.dtype in D.BARE_UINTS:
        raise kernel_error(kernel, input.dtype, input._device)


def _median_all(input, name, ignore_nan):
    a = input._data.reshape(-1)
    if a.size and not (input.dtype is D.bool and input._device.type == 'cuda'):   # CUDA's has a Bool loop
        _no_bool(input, 'median_cpu')
    if a.size == 0:     # torch: NaN cast to the dtype (via int32, or int64: 8-/16-bit types wrap to 0; bool True)
        wide = np.int64 if a.dtype.itemsize == 8 else np.int32
        val = np.asarray(np.nan if a.dtype.kind in 'fc' else True if a.dtype == bool else np.iinfo(wide).min,
                         wide if a.dtype.kind in 'iu' else input.dtype._np).astype(input.dtype._np)
    else:
        order = _stable_argsort(a, 0, False)
        pos = int(_median_pos(a, 0, ignore_nan).reshape(()))
        val = a[order[pos]]
    r = _make(np.asarray(val, input.dtype._np).reshape(()), input.dtype, input._device)
    if _grad_on(input):
        def bwd(node, g):
            x, res = node.saved_tensors
            # evenly among the elements equal to the result (NaN matches NaN)
            mask = (x == res) | (x.isnan() & res.isnan()) if x.dtype._cat >= 2 else (x == res)
            mask = mask.to(g.dtype)
            return mask * (g / mask.sum())
        attach('MedianBackward0' if name == 'median' else 'NanmedianBackward0', bwd, (input,), (r,),
               save=(input, r))
    return r


median = _median_dim('median', False)
nanmedian = _median_dim('nanmedian', True)


def _std_mode(row):
    el = list(zip(row.tolist(), range(row.shape[0])))
    _stl.sort(el)
    best, top, run = el[0], 0, 0
    for j, e in enumerate(el):
        run += 1
        if j == len(el) - 1 or e[0] != el[j + 1][0]:    # NaN != NaN: each NaN is a run of its own
            if run > top:
                best, top = e, run
            run = 0
    return best


def mode(input, dim=-1, keepdim=False, *, out=None):
    if input.dtype in _F8:
        raise _f8_refuse('mode', input)
    if keepdim.__class__ is not bool:
        raise _ArgError(keepdim)
    a = input._data
    d = _dim1(dim, a.ndim)
    if a.ndim == 0:
        vals, idx = a.copy(), np.zeros((), np.int64)
    else:
        if a.shape[d] == 0:
            raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
        if a.size and (input.dtype.is_complex or input.dtype in D.BARE_UINTS):
            raise kernel_error('mode_cpu', input.dtype)
        x = np.moveaxis(a, d, -1)
        n = x.shape[-1]
        order = np.argsort(x, axis=-1, kind='stable')
        s = np.take_along_axis(x, order, -1)
        # run lengths in sorted order; the mode is the smallest value with the longest run,
        # and its index is the last occurrence of that value
        new = np.ones_like(s, dtype=bool)
        new[..., 1:] = s[..., 1:] != s[..., :-1]
        if s.dtype.kind in 'fc':
            new[..., 1:] &= ~(np.isnan(s[..., 1:]) & np.isnan(s[..., :-1]))
        pos = np.arange(n, like=s)
        start = np.accumulate(np.maximum, np.where(new, pos, 0), -1)
        length = pos - start + 1
        # the end of a run is where the next element starts a new run
        end = np.ones_like(s, dtype=bool)
        end[..., :-1] = new[..., 1:]
        score = np.where(end, length, 0)
        best = np.argmax(score, axis=-1)[..., None]          # first (smallest) value among the longest
        vals = np.take_along_axis(s, best, -1)[..., 0]
        idx = np.take_along_axis(order, best, -1)[..., 0]
        # torch reports the last index of the mode value in the original order
        same = (x == vals[..., None]) | ((np.isnan(x) & np.isnan(vals[..., None])) if x.dtype.kind in 'fc'
                                          else False)
        idx = n - 1 - np.argmax(same[..., ::-1], axis=-1)
        # torch std::sorts (value, index) pairs by value with a bare `<` and takes the last pair of
        # the first longest run: with ties (or NaN, which `<` cannot order) replay that sort
        rows = _stl.has_ties(x)
        if x.dtype.kind in 'fc':
            rows |= np.isnan(x).any(-1)
        if rows.any() and a.size <= _TIE_EMULATION_LIMIT:
            vals, idx = np.array(vals), np.array(idx)      # 0-d results come back as scalars
            for pos in map(tuple, np.argwhere(rows)):
                vals[pos], idx[pos] = _std_mode(x[pos])
        if keepdim:
            vals, idx = np.expand_dims(vals, d), np.expand_dims(idx, d)
    return _values_indices(return_types.mode, 'mode', input, vals, idx, 'ModeBackward0', d, keepdim, out)


# --- quantile ----------------------------------------------------------------------------------

_INTERP = ('linear', 'lower', 'higher', 'midpoint', 'nearest')


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    name = 'quantile'       # nanquantile's errors say quantile too
    if not isinstance(q, (Tensor, int, float, np.integer, np.floating)):
        raise _ArgError(q)
    if not isinstance(q, Tensor) and not 0 <= q <= 1:
        raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
    if interpolation not in _INTERP:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest,"
                           f" but got {interpolation}")
    if input.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if isinstance(q, Tensor) and q._data.ndim > 1:
        raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
    if input.dtype not in (D.float32, D.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q.dtype is not input.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        qa = q._data.astype(np.float64)
        q_scalar = q._data.ndim == 0
    else:
        qa = np.asarray(q, np.float64)
        q_scalar = True
    if np.any((qa < 0) | (qa > 1)):
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    qv = np.asarray_on(qa, input._data).reshape(-1)
    a = input._data
    if dim is None:
        x = input.reshape(-1)
        d_out = None
    else:
        d_out = _dim1(dim, a.ndim)
        x = input.movedim(d_out, -1) if a.ndim else input.reshape(1)
    s = x.sort(-1)[0]                                       # NaN last
    n = s._data.shape[-1]
    sd = s._data
    nan_cnt = np.isnan(sd).sum(-1, keepdims=True)
    if ignore_nan:
        last = (n - nan_cnt - 1).astype(np.float64)
        ranks = qv * np.maximum(last, 0)                     # (..., nq)
        all_nan = nan_cnt == n
    else:
        ranks = qv * (n - 1) * np.ones_like(nan_cnt, np.float64)
        ranks = np.where(nan_cnt > 0, float(n - 1), ranks)
        all_nan = nan_cnt > 0
    if interpolation == 'lower':
        ranks = np.floor(ranks)
    elif interpolation == 'higher':
        ranks = np.ceil(ranks)
    elif interpolation == 'nearest':
        ranks = np.round(ranks)
    below = np.floor(ranks).astype(np.int64)
    above = np.ceil(ranks).astype(np.int64)
    lo = s.gather(-1, _make(below, D.int64, input._device))
    if interpolation in ('linear', 'midpoint'):
        hi = s.gather(-1, _make(above, D.int64, input._device))
        w = np.full(ranks.shape, 0.5) if interpolation == 'midpoint' else ranks - below
        w = _make(w.astype(input.dtype._np), input.dtype, input._device)
        if interpolation == 'linear' and isinstance(q, Tensor) and _grad_on(q):
            # torch's weights, rank - floor(rank) with rank = q * (n - 1), are differentiable in q: add
            # (q * scale) minus its own value, an exact zero with q's derivative
            scale = np.maximum(last, 0) if ignore_nan else np.full(nan_cnt.shape, float(n - 1))
            qs = q.reshape(-1) * _make(scale.astype(input.dtype._np), input.dtype, input._device)
            dw = qs - qs.detach()
            if not ignore_nan:      # a row with a NaN takes the last rank, a constant
                dw = dw.masked_fill(_make(np.broadcast_to(nan_cnt > 0, dw.shape).copy(), D.bool, input._device), 0)
            w = w + dw
        res = lo.lerp(hi, w)
    else:
        res = lo
    if ignore_nan and all_nan.any():
        res = res.masked_fill(_make(np.broadcast_to(all_nan, res.shape).copy(), D.bool, input._device),
                              float('nan'))
    # res: (..., nq) -> q dim first, then the reduced shape
    res = res.movedim(-1, 0)
    if dim is None:
        shape = (1,) * a.ndim if keepdim else ()
    else:
        shape = list(a.shape)
        if a.ndim and keepdim:
            shape[d_out] = 1
        elif a.ndim:
            shape.pop(d_out)
        shape = tuple(shape)
    res = res.reshape(((len(qv),) if not q_scalar else ()) + shape)
    if res._grad_fn is not None:
        res._grad_fn.__class__ = node_class('SqueezeBackward4')
    return res


def _quantile_out(input, out):
    if out is not None and isinstance(out, Tensor) and out.dtype is not input.dtype:
        raise RuntimeError("quantile() out tensor must be same dtype as the input tensor")


@_ac.float32_op      # CPU autocast runs it in float32
def quantile(input, q, dim=None, keepdim=False, *, interpolation='linear', out=None):
    _quantile_out(input, out)
    r = _quantile(input, q, dim, keepdim, interpolation, False)
    return write_out(out, r, 'quantile') if out is not None else r


@_ac.float32_op      # CPU autocast runs it in float32
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation='linear', out=None):
    _quantile_out(input, out)
    r = _quantile(input, q, dim, keepdim, interpolation, True)
    return write_out(out, r, 'nanquantile') if out is not None else r


# --- unique ------------------------------------------------------------------------------------

def _unique_result(input, vals, inverse, counts, return_inverse, return_counts, op):
    dev = input._device
    out = [_make(np.asarray(vals, order='C'), input.dtype, dev)]
    if _grad_on(input):     # torch records the op, and its backward is not implemented
        def bwd(node, g):
            raise NotImplementedError(f"the derivative for '{op}' is not implemented.")
        node = {'_unique2': 'Unique2Backward0', 'unique_consecutive': 'UniqueConsecutiveBackward0',
                'unique_dim': 'UniqueDimBackward0'}[op]
        attach(node, bwd, (input,), (out[0],))
    if return_inverse:
        out.append(_make(np.asarray(inverse, np.int64), D.int64, dev))
    if return_counts:
        out.append(_make(np.asarray(counts, np.int64), D.int64, dev))
    return out[0] if len(out) == 1 else tuple(out)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    if input.dtype in _F8:
        raise _f8_refuse('unique', input)
    a = input._data
    if dim is None:
        vals, inv, cnt = np.unique(a.reshape(-1), return_inverse=True, return_counts=True)
        return _unique_result(input, vals, inv.reshape(a.shape), cnt, return_inverse, return_counts, '_unique2')
    d = _unique_dim_check(a, dim)
    vals, inv, cnt = np.unique(a, return_inverse=True, return_counts=True, axis=d)
    return _unique_result(input, vals, inv.reshape(-1), cnt, return_inverse, return_counts, 'unique_dim')


def _unique_dim_check(a, dim):
    d = _wrap_dim(dim, a.ndim)
    if a.size == 0 and a.shape[d] != 0:
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied")
    if a.shape.count(0) > 1:
        raise RuntimeError("Number of zero sized dimensions is more than one, so unique cannot be applied ")
    return d


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    a = input._data
    if dim is None:
        flat = a.reshape(-1)
        if flat.size == 0:
            return _unique_result(input, flat, np.zeros(a.shape, np.int64), np.zeros(0, np.int64),
                                  return_inverse, return_counts, 'unique_consecutive')
        new = np.ones(flat.size, bool, like=flat)
        new[1:] = flat[1:] != flat[:-1]
        vals = flat[new]
        inv = (np.cumsum(new) - 1).reshape(a.shape)
    else:
        d = _unique_dim_check(a, dim)
        x = np.moveaxis(a, d, 0)
        n = x.shape[0]
        if n == 0:
            return _unique_result(input, a, np.zeros(0, np.int64), np.zeros(0, np.int64),
                                  return_inverse, return_counts, 'unique_consecutive')
        new = np.ones(n, bool, like=x)
        new[1:] = np.any((x[1:] != x[:-1]).reshape(n - 1, x[0].size), axis=1)
        vals = np.moveaxis(x[new], 0, d)
        inv = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    cnt = np.diff(np.append(starts, new.size))
    return _unique_result(input, vals, inv, cnt, return_inverse, return_counts, 'unique_consecutive')


# --- searching and counting -------------------------------------------------------------------------

_SS = 'torch.searchsorted(): '
_SS_OPTS = 'bool out_int32 = False, bool right = False'
_SS_SIGS = (f'(Tensor sorted_sequence, Tensor input, *, {_SS_OPTS}, str side = None, Tensor sorter = None, '
            'Tensor out = None)',
            f'(Tensor sorted_sequence, Number self, *, {_SS_OPTS}, str side = None, Tensor sorter = None, '
            'Tensor out = None)')
_BUCKETIZE_SIGS = (f'(Tensor input, Tensor boundaries, *, {_SS_OPTS}, Tensor out = None)',
                   f'(Number self, Tensor boundaries, *, {_SS_OPTS})')


def _ss_checks(seq, vals, scalar, right, side, sorter):
    """torch's argument checks for searchsorted, in torch's order; returns the side as 'left'/'right'."""
    if side is not None:
        if side not in ('left', 'right'):
            raise RuntimeError(f"{_SS}side can only be 'left' or 'right' but got {side}")
        if right and side == 'left':
            raise RuntimeError(f"{_SS}side and right can't be set to opposites, got side of left while "
                               "right was True")
        right = side == 'right'
    if sorter is not None:
        if sorter.shape != seq.shape:
            raise RuntimeError(f"{_SS}boundary and sorter must have the same size, but got boundary tensor "
                               f"{list(seq.shape)}and got sorter tensor {list(sorter.shape)}")
        if sorter.dtype is not D.int64:
            raise RuntimeError(f"{_SS}sorter must be a tensor of long dtype but got dtype "
                               f"{D.type_name(sorter.dtype)}")
        if seq.ndim == 0:       # torch reads the last size of a 0-d boundary here
            raise RuntimeError("ArrayRef: attempted to access back() of empty list")
        s = sorter._data
        if s.size and (int(s.min()) < 0 or int(s.max()) >= seq.shape[-1]):
            raise RuntimeError(f"{_SS}sorter index out of range")
    vshape = () if scalar else vals.shape
    if len(vshape) == 0 and seq.ndim != 1:
        raise RuntimeError(f"{_SS}input value can be a scalar only when boundaries tensor dimension is 1, but "
                           f"we got boundaries tensor dim({seq.ndim}) and input value's dim(0) numel(1)")
    if seq.ndim == 0:
        raise RuntimeError(f"{_SS}boundaries tensor should have positive dimension, but got 0 dimension")
    if seq.ndim > 1 and seq.shape[:-1] != vshape[:-1]:
        raise RuntimeError(f"{_SS}boundaries tensor should be 1 dimension or the first N-1 dimensions of "
                           f"boundaries tensor and input value tensor must match, but we got boundaries "
                           f"tensor {list(seq.shape)} and input value tensor {list(vshape)}")
    return 'right' if right else 'left'


def _plainly_sorted(s):
    """Sorted and NaN-free: there NumPy's searchsorted and torch's search agree (NaN values land last in both)."""
    return (s.dtype.kind not in 'fc' or not bool(np.isnan(s).any())) and bool((s[1:] >= s[:-1]).all())


def _bisect(seq, vals, side):
    """Binary search along the last axis of seq (B, n) for vals (B, m). Like torch, it tests
    `not (boundary >= v)` (`>` for side='right'), so NaN and unsorted rows land where torch's do."""
    n = seq.shape[-1]
    lo = np.zeros(vals.shape, np.int64, like=vals)
    hi = np.full(vals.shape, n, np.int64, like=vals)
    for _ in range(n.bit_length()):
        mid = (lo + hi) >> 1
        b = np.take_along_axis(seq, np.minimum(mid, n - 1), 1)
        up = ~(b > vals) if side == 'right' else ~(b >= vals)
        live = lo < hi
        lo = np.where(live & up, mid + 1, lo)
        hi = np.where(live & ~up, mid, hi)
    return lo


def searchsorted(*args, **kwargs):
    scalar, a = _parse_args('searchsorted', _SS_SIGS, args, kwargs)
    return _searchsorted(a['sorted_sequence'], a.get('input', a.get('self')), scalar, a['out_int32'],
                         a['right'], a['side'], a['sorter'], a['out'])


def bucketize(*args, **kwargs):
    scalar, a = _parse_args('bucketize', _BUCKETIZE_SIGS, args, kwargs)
    boundaries = a['boundaries']
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})")
    return _searchsorted(boundaries, a.get('input', a.get('self')), scalar, a['out_int32'], a['right'],
                         None, None, a.get('out'))


_NON_CONTIGUOUS = {'input value': 32, 'boundary': 38, 'sorter': 44}     # BucketizationUtils.h's lines
_warned_non_contiguous = set()


def _warn_non_contiguous(**tensors):
    """torch copies a non-contiguous input, boundary or sorter tensor and says so, once a program for each."""
    for what, t in tensors.items():
        what = what.replace('_', ' ')
        if t is None or what in _warned_non_contiguous or t.is_contiguous():
            continue
        _warned_non_contiguous.add(what)
        level, f = 2, sys._getframe(1)       # point at the caller outside faketorch, as torch's C++ warning does
        while f is not None and f.f_globals.get('__name__', '').startswith('faketorch'):
            level, f = level + 1, f.f_back
        warnings.warn(f"torch.searchsorted(): {what} tensor is non-contiguous, this will lower the performance due "
                      f"to extra data copy when converting non-contiguous tensor to contiguous, please use "
                      f"contiguous {what} tensor if possible. This message will only appear once per program. "
                      f"(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/BucketizationUtils.h:"
                      f"{_NON_CONTIGUOUS[what]}.)", stacklevel=level)


def _searchsorted(sorted_sequence, input, scalar, out_int32, right, side, sorter, out):
    side = _ss_checks(sorted_sequence, input, scalar, right, side, sorter)
    dt = D.int32 if out_int32 else D.int64
    if out is not None and out.dtype is not dt:
        raise RuntimeError(f"{_SS}output tensor's dtype is wrong, it can only be Int(int32) or Long(int64) "
                           f"depending on whether out_int32 flag is True, but we got output tensor's dtype "
                           f"{D.type_name(out.dtype)} and out_int32 flag is {out_int32}")
    common = D.result_type_of((sorted_sequence,) if scalar else (sorted_sequence, input),
                              (input,) if scalar else ())
    if scalar or input._data.size:
        _warn_non_contiguous(input_value=None if scalar else input, boundary=sorted_sequence, sorter=sorter)
    if (common is D.bool or common._cat == 3 or common in _F8 or common in D.BARE_UINTS) and \
            (scalar or input._data.size):
        raise kernel_error('searchsorted_out_cpu', common, sorted_sequence._device)
    seq = sorted_sequence._data
    if sorter is not None:
        seq = np.take_along_axis(seq, sorter._data, -1)
    vals = np.asarray_on(input, seq) if scalar else input._data
    vshape = vals.shape
    with np.errstate(all='ignore'):     # a scalar outside the common dtype wraps as in torch
        seq, vals = seq.astype(common._np), vals.astype(common._np)
    rows = 1
    for s in seq.shape[:-1]:
        rows *= s
    m = vals.size // rows if seq.ndim == 1 else (vshape[-1] if vshape else 1)
    seq2 = seq.reshape(rows, seq.shape[-1])
    if rows == 1 and _plainly_sorted(seq2[0]):      # NumPy's own search finds the same index, faster
        res = np.searchsorted(seq2[0], vals.reshape(-1), side=side).reshape(vshape)
    else:
        res = _bisect(seq2, vals.reshape(rows, m), side).reshape(vshape)
    r = _make(res.astype(dt._np), dt, sorted_sequence._device)
    return write_out(out, r, 'searchsorted') if out is not None else r


def bincount(input, weights=None, minlength=0):
    minlength = _int_arg(minlength)
    a = input._data
    if input.dtype._cat != 1 or input.dtype in D.BARE_UINTS:
        raise kernel_error('bincount_cpu', input.dtype, input._device)
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if a.ndim == 1 and not a.size:      # torch's early return: int64 zeros whatever the weights
        return _make(np.zeros(minlength, np.int64, like=a), D.int64, input._device)
    if a.ndim != 1 or a.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return _make(np.bincount(a, minlength=minlength).astype(np.int64), D.int64, input._device)
    if weights._data.shape != a.shape:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    if weights.dtype is D.float32:      # torch adds float weights in float, one index after another
        data = np.zeros(max(int(a.max()) + 1, minlength), np.float32, like=a)
        np.ufunc_at(np.add, data, a, weights._data)
        return _make(data, D.float32, input._device)
    data = np.bincount(a, weights=weights._data.astype(np.float64), minlength=minlength)
    return _make(data, D.float64, input._device)


def histc(input, bins=100, min=0, max=0, *, out=None):
    if bins <= 0:       # torch's histc checks its arguments as histogram does, then the range, then the dtype
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    if min > max:
        raise RuntimeError("torch.histc: max must be larger than min")
    cuda = input._device.type == 'cuda'
    if input.dtype is D.bool or input.dtype.is_complex or input.dtype in _F8 or input.dtype in D.BARE_UINTS:
        # bool fails making the bin edges; complex finding the range; uint16/32/64 finding it, else the edges
        kernel = 'histc' if cuda else 'linspace_cpu' if input.dtype is D.bool else \
            'aminmax_cpu' if min == max and input.numel() else \
            'linspace_cpu' if input.dtype in D.BARE_UINTS else 'histogram_cpu'
        raise kernel_error(kernel, input.dtype)
    a = input._data
    integral = cuda and input.dtype._cat == 1       # torch's CUDA histc bins integers in integer arithmetic
    lo, hi = (int(min), int(max)) if integral else (float(min), float(max))
    if lo == hi and a.size:
        lo, hi = (int if integral else float)(np.min(a)), (int if integral else float)(np.max(a))
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    _histc_range_fits(input.dtype, lo, hi)
    if integral:
        x = a.reshape(-1).astype(np.int64)
        x = x[(x >= lo) & (x <= hi)]
        hist = np.bincount(np.minimum((x - lo) * bins // (hi - lo), bins - 1), minlength=bins)
    else:
        if input.dtype._cat != 2:
            raise kernel_error('histogram_cpu', input.dtype)
        if not (np.isfinite(lo) and np.isfinite(hi)):
            # a NaN range found in the data prints with its sign bit, as torch's min/max kernels leave it
            signed = min == max and input.dtype is not D.bfloat16
            spell = lambda v: '-nan' if v != v and signed else f'{v:g}'     # noqa: E731
            raise RuntimeError(f"torch.histc: range of [{spell(lo)}, {spell(hi)}] is not finite")
        hist = _histc_counts(a.reshape(-1), lo, hi, bins)
    r = _make(hist.astype(a.dtype), input.dtype, input._device)
    return write_out(out, r, 'histc') if out is not None else r


_C_INT = {'uint8': 'uint8_t', 'int8': 'int8_t', 'int16': 'int16_t', 'int32': 'int', 'int64': 'int64_t'}


def _histc_range_fits(dtype, lo, hi):
    """torch converts the range to the input's dtype first."""
    info = np.iinfo(dtype._np) if dtype._cat == 1 else np.finfo(np.float16) if dtype is D.float16 else \
        np.finfo(np.float32) if dtype is D.bfloat16 else None
    if info is not None and any(np.isfinite(v) and not info.min <= v <= info.max for v in (lo, hi)):
        name = _C_INT.get(dtype.name) or {'float16': 'c10::Half', 'bfloat16': 'c10::BFloat16'}[dtype.name]
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")


def _histc_counts(x, lo, hi, bins):
    """histc's counts: torch divides in the input's own precision, (x - lo) * bins / (hi - lo), with no
    search of the neighbouring edges (so a value close to an edge lands where float32 puts it)."""
    t = x.dtype.type if x.dtype in (np.float32, np.float64) else np.float32
    x = x.astype(t, copy=False)
    lo, hi = t(lo), t(hi)
    if not (x.size and lo <= float(x.min()) and float(x.max()) <= hi):     # a range around all the data: no gather
        x = x[(x >= lo) & (x <= hi)]
    with np.errstate(all='ignore'):
        pos = np.subtract(x, lo)
        pos *= t(bins)
        pos /= hi - lo
        # the last bin is closed: min before the truncation is min after it, for pos >= 0
        np.minimum(pos, bins - 1, out=pos)
    return np.bincount(pos.astype(np.intp), minlength=bins)


def _hist_counts(x, lo, hi, bins, w):
    """Counts in `bins` equal bins over [lo, hi] (the last bin closed), as torch bins them."""
    x = x.astype(np.float64)
    keep = (x >= lo) & (x <= hi)
    pos = ((x[keep] - lo) * bins / (hi - lo)).astype(np.int64)
    pos = np.minimum(pos, bins - 1)
    return np.bincount(pos, weights=None if w is None else w[keep], minlength=bins)


def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    if input._device.type == 'cuda':       # torch has no CUDA kernel for histogram
        from ..sparse._coo import _backend_error
        raise _backend_error(input._device, 'CUDA', 'histogram.bins_tensor' if isinstance(bins, Tensor)
                             else 'histogram.bin_ct')
    _histogramdd_checks(input, [bins] if isinstance(bins, Tensor) else (), weight)
    a = np.host(input._data).reshape(-1)       # binned on the host; the results go back to the device
    w = np.host(weight._data).reshape(-1).astype(np.float64) if weight is not None else None
    if isinstance(bins, Tensor):
        edges = bins._data.astype(np.float64)
        hist, _ = np.histogram(a.astype(np.float64), bins=np.host(edges), weights=w)
    else:
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
        elif a.size:
            lo, hi = float(np.min(a)), float(np.max(a))
        else:
            lo, hi = 0., 1.     # torch's range for no input, as NumPy's
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        # torch builds the edges with linspace in the input dtype
        edges = np.linspace(lo, hi, bins + 1).astype(input.dtype._np).astype(np.float64)
        hist, _ = np.histogram(a.astype(np.float64), bins=edges, weights=w)
    hist = hist.astype(np.float64)
    if density:
        widths = np.diff(edges)
        with np.errstate(invalid='ignore', divide='ignore'):    # an empty histogram is NaN in torch
            hist = hist / (hist.sum() * widths)
    dt = input.dtype
    Ret = return_types.histogram
    h = _make(hist.astype(dt._np), dt, input._device)
    e = _make(edges.astype(dt._np), dt, input._device)
    if out is not None:
        write_out(out[0], h, 'histogram')
        write_out(out[1], e, 'histogram')
        return Ret(out[0], out[1])
    return Ret(h, e)


_histogramdd_t = return_types._make_type('histogramdd', ('hist', 'bin_edges'))


def _histogramdd_checks(input, bins, weight):
    """torch's histogram and histogramdd share two kernels: with bin edge tensors (of the input's dtype)
    'histogram_cpu' (any float type), after the weight's dtype check; with bin counts 'histogramdd'
    (float and double only), before it."""
    edges = False
    for d, b in enumerate(bins):
        if isinstance(b, Tensor):
            edges = True
            if b.dtype is not input.dtype:
                raise RuntimeError(f"torch.histogramdd: input tensor and bins tensors should have the same dtype, but "
                                   f"got input with dtype {_dtype_c10(input.dtype)} and bins for dimension {d} with "
                                   f"dtype {_dtype_c10(b.dtype)}")
    if not edges and input.dtype is not D.float32 and input.dtype is not D.float64:
        raise kernel_error('histogramdd', input.dtype)
    _histogram_weight_check(input, weight)
    if edges and input.dtype._cat != 2:
        raise kernel_error('histogram_cpu', input.dtype)


def _histogram_weight_check(input, weight):
    if weight is not None and weight.dtype is not input.dtype:
        raise RuntimeError(f"torch.histogramdd: if weight tensor is provided, input tensor and weight tensor should "
                           f"have the same dtype, but got input({_dtype_c10(input.dtype)}), and "
                           f"weight({_dtype_c10(weight.dtype)})")


def histogramdd(input, bins, *, range=None, weight=None, density=False):
    _histogramdd_checks(input, bins if isinstance(bins, (list, tuple)) else (), weight)
    a = np.host(input._data)      # binned on the host, as histogram
    ndim = a.shape[-1]
    if isinstance(bins, (list, tuple)) and len(bins) != ndim:
        if bins and isinstance(bins[0], Tensor):
            raise RuntimeError(f"torch.histogramdd: expected {ndim} sequences of bin edges for a {ndim}-dimensional "
                               f"histogram but got {len(bins)}")
        raise RuntimeError("histogramdd: The size of bins must be equal to the innermost dimension of the input.")
    if range is not None and len(range) != 2 * ndim:
        raise RuntimeError(f"torch.histogramdd: for a {ndim}-dimensional histogram range should have {2 * ndim} "
                           f"elements, but got {len(range)}")
    x = a.reshape(-1, ndim).astype(np.float64)
    dt = input.dtype
    if isinstance(bins, int):
        bins = [bins] * ndim
    edges = []
    for d, b in enumerate(bins):
        if isinstance(b, Tensor):
            edges.append(np.host(b._data).astype(np.float64))
            continue
        if range is not None:
            lo, hi = float(range[2 * d]), float(range[2 * d + 1])
        elif x.shape[0]:
            lo, hi = float(np.min(x[:, d])), float(np.max(x[:, d]))
        else:
            lo, hi = 0., 1.     # torch's range for no input, as NumPy's
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        # torch builds the edges with linspace in the input dtype
        edges.append(np.linspace(lo, hi, int(b) + 1).astype(dt._np).astype(np.float64))
    nbins = tuple(e.size - 1 for e in edges)
    keep = np.ones(x.shape[0], bool)
    pos = []
    for d, e in enumerate(edges):
        col = x[:, d]
        keep &= (col >= e[0]) & (col <= e[-1])        # NaN fails both
        pos.append(np.minimum(np.searchsorted(e, col, side='right') - 1, e.size - 2))
    flat = np.ravel_multi_index(tuple(np.clip(p[keep], 0, None) for p in pos), nbins) if keep.any() \
        else np.zeros(0, np.int64)
    w = None if weight is None else np.host(weight._data).reshape(-1).astype(np.float64)[keep]
    hist = np.bincount(flat, weights=w, minlength=int(np.prod(nbins))).astype(np.float64).reshape(nbins)
    if density:
        with np.errstate(invalid='ignore', divide='ignore'):    # an empty histogram is NaN in torch
            hist = hist / hist.sum()
            for d, e in enumerate(edges):
                hist = hist / np.diff(e).reshape((-1,) + (1,) * (ndim - 1 - d))
    return _histogramdd_t(_make(hist.astype(dt._np), dt, input._device),
                          tuple(_make(e.astype(dt._np), dt, input._device) for e in edges))


register(histogramdd, method=False)
_MEDIAN = ('(Tensor input)', '(Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)')
_QUANTILE = tuple(f'(Tensor input, {q} q, int dim = None, bool keepdim = False, *, str interpolation = "linear", '
                  'Tensor out = None)' for q in ('Tensor', 'float'))
_SIGS.update(median=_MEDIAN, nanmedian=_MEDIAN, quantile=_QUANTILE, nanquantile=_QUANTILE,
             mode=('(Tensor input, int dim = -1, bool keepdim = False, *, tuple of Tensors out = None)',),
             kthvalue=('(Tensor input, int k, int dim = -1, bool keepdim = False, *, tuple of Tensors out = None)',),
             topk=('(Tensor input, int k, int dim = -1, bool largest = True, bool sorted = True, *, '
                   'tuple of Tensors out = None)',),
             bincount=('(Tensor input, Tensor weights = None, int minlength = 0)',))
for _f in (kthvalue, median, nanmedian, mode, quantile, nanquantile, topk):     # these take their own out=
    _register_public(_f, out=False)
for _f in (sort, histc, histogram):
    register(_f)
for _f in (argsort, msort):
    register(with_out(_f) if _f is msort else _f)
register(unique)
register(unique_consecutive)
register(searchsorted, method=False)
register(bucketize, method=False)
_register_public(bincount, out=False)
Tensor.sort = lambda self, dim=-1, descending=False, *, stable=None: sort(self, dim, descending, stable)
