"""Tensor indexing: __getitem__ (views for basic indexes, copies for advanced) and __setitem__."""
import re
import warnings

from .. import _xnp as np

from .. import _dtype as D
from .._tensor import Tensor, _make
from ..autograd.grad_mode import state as grad_state
from ._core import _OVERLAP, attach, check_inplace, commit_inplace, device_error, expanded, guard, kernel_error, needs
from .factory import _fill_value
from .selection import _scalar_to
from .shape import make_view

_BASIC = (int, slice, type(None), type(Ellipsis))
_EMPTY = object()       # _advanced_error: torch's kernel visits no element, so checks no index


def _convert(idx, t, tensors=False):
    """NumPy index for a torch index; also whether it is basic (a view) and the last view op.
    tensors: index_put_'s indices, where a 0-dim tensor is an index tensor, not a number."""
    fast = _convert_plain(idx, t._data.shape)
    if fast is not None:
        return fast
    whole = idx.__class__ is slice
    if _sequence_as_tuple(idx):
        warnings.warn(_SEQ_WARNING)
        idx = tuple(idx)
    elif not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    basic = True
    last = None
    ndim = t._data.ndim
    ellipses = sum(1 for i in idx if i is Ellipsis)
    specified = sum(_dims_used(i) for i in idx if i is not None and i is not Ellipsis) if ellipses else 0
    several = ellipses > 1
    dim = 0             # the dim of t the next item indexes
    for i in idx:
        if isinstance(i, Tensor) and not i._data.ndim and i.dtype in _SCALAR_INDEX and not tensors:
            # torch reads a 0-dim integer tensor as the Python int, a bool or uint8 one as the bool
            i = bool(i.item()) if i.dtype is D.bool or i.dtype is D.uint8 else i.item()
        c = i.__class__
        if c is int and not -2 ** 63 <= i < 2 ** 63:
            raise ValueError("Overflow when unpacking long long")
        if c is int or c is slice or i is None or i is Ellipsis:
            if c is slice:
                if i.step is not None and _int(i.step) <= 0:
                    _step_error(t, idx, out, i, whole)
                i = slice(_int(i.start), _int(i.stop), _int(i.step))
                # dim < 0: an Ellipsis with more items than dims (torch's too-many-indices error follows)
                if whole or not _keeps_dim(i, t._data.shape[dim] if 0 <= dim < ndim else None):
                    last = 'SliceBackward0'     # in a tuple, torch skips a slice that keeps the whole dim
                dim += 1
            elif c is int:
                last = 'SelectBackward0'
                dim += 1
            elif i is None:
                last = 'UnsqueezeBackward0'
            elif several:
                # torch allows several: each one skips the dims no other item names
                k = max(0, min(ndim - specified, ndim - dim))
                out.extend([slice(None)] * k)
                dim += k
                continue
            else:
                dim += ndim - specified
            out.append(i)
        elif c is bool:
            basic = False
            last = 'UnsqueezeBackward0'
            out.append(i)
        elif isinstance(i, Tensor):
            a = i._data
            dt = i.dtype        # torch's index dtypes, the common ones first
            dim += a.ndim if dt is D.bool or dt is D.uint8 else 1
            if dt is not D.bool and dt is not D.int64 and dt is not D.int32 and dt is not D.uint8:
                raise _bad_index(idx, t, IndexError("tensors used as indices must be long, int, byte or bool "
                                                    "tensors"))
            if dt is D.uint8:
                a = a.astype(bool)
            basic = False
            out.append(a)
        elif isinstance(i, (list, tuple, range, np.ndarray)):
            dim += 1
            a = np.asarray([x.item() if isinstance(x, Tensor) else x for x in i] if isinstance(i, list)
                           and any(isinstance(x, Tensor) for x in i) else i)
            if a.dtype == object:       # an int past int64
                raise _bad_index(idx, t, ValueError("Overflow when unpacking long long"))
            if a.size == 0 or a.dtype.kind == 'f':     # torch makes a list of numbers a long index
                a = a.astype(np.int64)
            basic = False
            out.append(a)
        elif isinstance(i, np.integer):
            out.append(int(i))
            last = 'SelectBackward0'
            dim += 1
        elif hasattr(i, '__index__'):
            out.append(i.__index__())
            last = 'SelectBackward0'
            dim += 1
        elif c is str:          # torch tries to make a tensor of it
            raise _bad_index(idx, t, TypeError("new(): invalid data type 'str'"))
        else:
            raise _bad_index(idx, t, IndexError("only integers, slices (`:`), ellipsis (`...`), None and long "
                                                "or byte Variables are valid indices (got " + type(i).__name__ + ")"))
    out = tuple(out)
    if not basic and any(x.__class__ is int for x in out):
        out = _split_ints(out)
    return out, basic, last


def _convert_plain(idx, shape):
    """_convert's result (what its general loop gives) for the usual indexes: ints and slices with
    int bounds and a positive step, or one long/int/bool index tensor; None for anything else."""
    if idx.__class__ is Tensor:
        dt = idx.dtype
        return ((idx._data,), False, None) if idx._data.ndim and (dt is D.bool or dt is D.int64 or dt is D.int32) \
            else None
    items = idx if idx.__class__ is tuple else (idx,)
    last = None
    for d, i in enumerate(items):
        c = i.__class__
        if c is int:
            if not -2 ** 63 <= i < 2 ** 63:
                return None
            last = 'SelectBackward0'
        elif c is slice and (i.start is None or i.start.__class__ is int) and (i.stop is None or i.stop.__class__ is int) \
                and (i.step is None or i.step.__class__ is int and i.step > 0):
            if idx.__class__ is slice or not _keeps_dim(i, shape[d] if d < len(shape) else None):
                last = 'SliceBackward0'
        else:
            return None
    return items, True, last


_SCALAR_INDEX = (D.int64, D.int32, D.int16, D.int8, D.uint8, D.bool)
_SEQ_WARNING = ("Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed in "
                "pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted as tensor "
                "index, x[torch.tensor(seq)], which will result either in an error or a different result")


def _sequence_as_tuple(idx):
    """torch's (and old NumPy's) rule: a short list holding a sequence, slice, tensor, None or `...` is a
    tuple of indices, not one index."""
    if idx.__class__ is not list or len(idx) >= 32:
        return False
    return any(isinstance(i, (Tensor, list, tuple, slice, str, np.ndarray)) or i is None or i is Ellipsis
               for i in idx)


def _keeps_dim(s, n):
    """torch's test, on the slice as written, for a slice it skips: [0 or None : >= n or None : 1 or None]."""
    return n is not None and s.start in (None, 0) and s.step in (None, 1) and (s.stop is None or s.stop >= n)


def _step_error(t, idx, before, s, alone):
    """A slice's non-positive step: torch's error, after those of the basic items it applied before it
    (a tuple's dim count first; index tensors are applied last)."""
    if not alone:
        n = sum(_dims_used(i) for i in idx if i is not None and i is not Ellipsis)
        if n > t._data.ndim:
            raise IndexError(f"too many indices for tensor of dimension {t._data.ndim}")
        basic = []
        for i in before:
            if i.__class__ is bool:
                basic.append(None)
            elif i.__class__ in (int, slice) or i is None or i is Ellipsis:
                basic.append(i)
            else:
                basic.extend([slice(None)] * (i.ndim if _is_mask(i) else 1))
        try:
            t._data[tuple(basic)]
        except IndexError as e:
            raise _index_error(e, t, idx) from None
    raise ValueError("step must be greater than zero" if _int(s.step) else "slice step cannot be zero")


def _dims_used(i):
    if i.__class__ is bool:
        return 0
    if isinstance(i, Tensor):
        return i._data.ndim if i.dtype is D.bool or i.dtype is D.uint8 else 1
    return 1


def _bad_index(idx, t, error):
    """error for an index item torch refuses; torch counts the indexed dims before it looks at any item."""
    n = 0
    for i in idx:
        if isinstance(i, Tensor):
            n += i._data.ndim if i.dtype is D.bool or i.dtype is D.uint8 else 1
        elif i is not None and i is not Ellipsis and i.__class__ is not bool:
            n += 1
    if n > t._data.ndim:
        return IndexError(f"too many indices for tensor of dimension {t._data.ndim}")
    return error


class _Pre:
    """An index whose integers torch applies first (as selects), before the advanced part: NumPy
    would treat them as advanced indices and lay the result out differently."""
    __slots__ = ('pre', 'rest')

    def __init__(self, pre, rest):
        self.pre, self.rest = pre, rest


def _split_ints(idx):
    pre, rest = [], []
    for i in idx:
        if i.__class__ is int:
            pre.append(i)
        elif i.__class__ is bool:      # torch: a new dim, indexed by [0] (True) or [] (False)
            pre.append(None)
            rest.append(np.arange(int(i)))
        elif i is None:
            rest.append(i)
        elif i is Ellipsis:
            pre.append(i)
            rest.append(i)
        else:
            n = i.ndim if isinstance(i, np.ndarray) and i.dtype == np.bool_ else 1
            pre.extend([slice(None)] * n)
            rest.append(i)
    return _Pre(tuple(pre), tuple(rest))


def _get(data, ix):
    return data[ix.pre][ix.rest] if ix.__class__ is _Pre else data[ix]


def _put(data, ix, v):
    if ix.__class__ is _Pre:
        data[ix.pre][ix.rest] = v       # data[pre] is a view: the write lands in data
    else:
        data[ix] = v


def _add_at(data, ix, v):
    if ix.__class__ is _Pre:
        np.ufunc_at(np.add, data[ix.pre], ix.rest, v)
    else:
        np.ufunc_at(np.add, data, ix, v)


def _int(v):
    if v is None or v.__class__ is int:
        return v
    if not hasattr(v, '__index__'):
        raise TypeError("slice indices must be integers or None or have an __index__ method")
    return v.__index__()


def _index_error(e, t, idx):
    if isinstance(idx, np.integer):
        idx = int(idx)
    if idx.__class__ is int and not -2 ** 63 <= idx < 2 ** 63:
        return ValueError("Overflow when unpacking long long")
    if t._data.ndim == 0 and (idx.__class__ is int or idx.__class__ is slice):
        if idx.__class__ is slice:
            return IndexError("slice() cannot be applied to a 0-dim tensor.")
        if idx == 0:
            return IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` "
                              "in C++ to convert a 0-dim tensor to a number")
        return IndexError(f"index {idx} is out of bounds for dimension 0 with size 0")
    msg = str(e)
    if 'out of bounds' in msg:
        m = re.match(r'index (-?\d+) is out of bounds for axis (\d+) with size (\d+)', msg)
        if m:       # torch counts dims as it applies the index: Nones add one, earlier ints remove one
            return IndexError(f"index {m.group(1)} is out of bounds for dimension "
                              f"{_torch_dim(idx, t._data.ndim, int(m.group(2)))} with size {m.group(3)}")
        return IndexError(msg.replace('axis', 'dimension'))
    if 'too many indices' in msg:
        return IndexError(f"too many indices for tensor of dimension {t._data.ndim}")
    if 'shape mismatch' in msg and 'indexing arrays' in msg:
        shapes = ', '.join('[' + ', '.join(x for x in sh.replace(' ', '').split(',') if x) + ']'
                           for sh in re.findall(r'\(([\d, ]*)\)', msg))
        return IndexError(f"shape mismatch: indexing tensors could not be broadcast together with shapes {shapes}")
    if 'shape mismatch' in msg:
        return IndexError(msg)
    return IndexError(msg)


def _is_mask(i):
    return getattr(i, 'dtype', None) == np.bool_


def _advanced_error(a, np_idx, bounds=True):
    """torch's IndexError for an advanced index NumPy refused, in torch's order: a mask whose shape does
    not fit, an index into a dim of size 0, then (bounds) the first element's out-of-range index, named
    by its place among the index tensors. _EMPTY where torch's kernel visits no element; None where the
    error is another (the caller words NumPy's)."""
    if np_idx.__class__ is _Pre:
        try:
            a = a[np_idx.pre]           # torch's selects come first: their errors are NumPy's
        except IndexError:
            return None
        np_idx = np_idx.rest
    shape = a.shape
    used = sum(i.ndim if _is_mask(i) else 1 for i in np_idx
               if i is not None and i is not Ellipsis and i.__class__ is not bool)
    if used > len(shape):
        return None
    cur, arrays, src = [], [], 0         # cur: the shape torch indexes (Nones, bool scalars as new dims)
    for i in np_idx:
        if i is None or i.__class__ is bool:
            if i is not None:       # torch: a new dim, indexed by [0] (True) or [] (False)
                arrays.append((np.asarray_on(np.arange(int(i)), a), len(cur)))
            cur.append(1)
            continue
        if i.__class__ is slice:    # torch slices before it indexes
            cur.append(len(range(*i.indices(shape[src]))))
            src += 1
            continue
        k = len(shape) - used if i is Ellipsis else i.ndim if _is_mask(i) else 1
        if i is not Ellipsis and i.__class__ is not slice:
            arrays.append((i, len(cur)))
        cur.extend(shape[src:src + k])
        src += k
    cur.extend(shape[src:])
    idx = []                # (index array, or None for a mask's always-valid one; its dim's size)
    for i, at in arrays:
        if _is_mask(i):
            for j, (m, s) in enumerate(zip(i.shape, cur[at:])):
                if m != s:
                    return IndexError(f"The shape of the mask {list(i.shape)} at index {j} does not match the "
                                      f"shape of the indexed tensor {list(cur)} at index {at + j}")
            idx.extend((None, s) for s in cur[at:at + i.ndim])
        else:
            idx.append((i, cur[at]))
    try:
        counts = [(int(i.sum()),) for i, _ in arrays if _is_mask(i)]
        out = np.broadcast_shapes(*[i.shape for i, _ in idx if i is not None], *counts)
    except ValueError:
        return None
    sizes = [s for _, s in idx]
    if 0 in sizes and 0 not in out:
        return IndexError("index is out of bounds for dimension with size 0")
    if not bounds:
        return None
    rest = [s for d, s in enumerate(cur) if not any(at <= d < at + (i.ndim if _is_mask(i) else 1)
                                                   for i, at in arrays)]
    if 0 in out or 0 in rest:
        return _EMPTY
    flat = [np.broadcast_to(i, out).reshape(-1) if i is not None else None for i, _ in idx]
    bad = None
    for f, s in zip(flat, sizes):
        if f is not None:
            b = (f >= s) | (f < -s)
            bad = b if bad is None else bad | b
    if bad is None or not bad.any():
        return None
    k = int(bad.nonzero()[0][0])
    for j, (f, s) in enumerate(zip(flat, sizes)):
        if f is not None and not -s <= int(f[k]) < s:
            return IndexError(f"index {int(f[k])} is out of bounds for dimension {j} with size {s}")
    return None


def _zeroed(np_idx):
    """np_idx with its integer index arrays made 0: for an empty result, whose indices torch never reads."""
    if np_idx.__class__ is _Pre:
        return _Pre(np_idx.pre, _zeroed(np_idx.rest))
    return tuple(np.zeros_like(i) if i is not None and i is not Ellipsis and i.__class__ not in (slice, bool)
                 and not _is_mask(i) else i for i in np_idx)


def _gpu_index_ok(data, np_idx, basic):
    """CuPy wraps an out-of-range index array around where NumPy raises (and torch's CUDA kernels assert): an
    advanced index into a CuPy array is checked first (one sync), raising torch's CPU error. False where the
    result is empty, torch then reading no index."""
    if basic or not np._gpu(data) or not _has_index_array(np_idx):
        return True
    found = _advanced_error(data, np_idx)
    if found is not None and found is not _EMPTY:
        raise found
    return found is None


def _has_index_array(np_idx):
    """Does the index hold an integer array (a mask cannot be out of range)?"""
    ix = np_idx.rest if np_idx.__class__ is _Pre else np_idx
    return any(getattr(i, 'dtype', None) is not None and i.dtype.kind in 'iu'
               for i in (ix if ix.__class__ is tuple else (ix,)))


def _refetch(t, np_idx, idx, basic, err):
    """After NumPy refused np_idx (err): torch's IndexError, or the empty result torch gives unchecked."""
    found = None if basic else _advanced_error(t._data, np_idx)
    if found is _EMPTY:
        return _get(t._data, _zeroed(np_idx))
    raise found or _index_error(err, t, idx)


def _is_bool_item(i):
    """A Python bool, or a 0-dim tensor torch reads as one: a new dim, not an indexed one."""
    return i.__class__ is bool or isinstance(i, Tensor) and not i._data.ndim and i.dtype in (D.bool, D.uint8)


def _torch_dim(idx, ndim, axis):
    """torch names the failing index by its position in the index tuple (an Ellipsis counts once)."""
    idx = idx if isinstance(idx, tuple) else (idx,)
    consumed = sum(1 for i in idx if i is not None and i is not Ellipsis and not _is_bool_item(i))
    orig = 0
    for pos, i in enumerate(idx):
        if i is Ellipsis:
            orig += ndim - consumed
        elif i is not None and not _is_bool_item(i):
            if orig == axis:
                return pos
            orig += 1
    return axis


def _scatter_grad(shape, idx, g, basic):
    """Zeros of `shape` with g added at idx (differentiable in g for double backward)."""
    data = np.zeros(shape, g._data.dtype, like=g._data)
    if basic:
        _put(data, idx, g._data)
    elif g._data.size:      # an empty result's indices were never checked (see _advanced_error)
        _add_at(data, idx, g._data)
    r = _make(data, g.dtype, g._device)
    if g._requires_grad and grad_state.enabled:
        attach('IndexPutBackward0', lambda node, gg: gg[idx] if basic else _take(gg, idx), (g,), (r,))
    return r


def _take(t, idx):
    if idx.__class__ is _Pre:
        return t.__getitem__(idx.pre).__getitem__(idx.rest)
    return t.__getitem__(idx)


def _index_put_grad(shape, idx, g):
    return _scatter_grad(shape, idx, g, True)


def _index_tensors(idx):
    """The tensors in an index (torch saves them for backward: see guard)."""
    return [t for t in (idx if idx.__class__ is tuple else (idx,)) if isinstance(t, Tensor)]


def getitem(self, idx):
    if idx.__class__ is int and self._data.ndim:     # the common x[i]: a select view
        try:
            data = self._data[idx, ...]         # `...` keeps a 0-d result a view (a[i] is a copied scalar)
        except IndexError as e:
            raise _index_error(e, self, idx) from None
        shape = self._data.shape
        return make_view(self, data, 'SelectBackward0',
                         lambda node, g: _scatter_grad(shape, (idx,), g, True), lambda b: getitem(b, idx))
    np_idx, basic, last = _convert(idx, self)
    ok = basic or not np._gpu(self._data) or _gpu_index_ok(self._data, np_idx, basic)    # (the CPU's hot path)
    try:
        data = _get(self._data, np_idx if ok else _zeroed(np_idx))
    except IndexError as e:
        data = _refetch(self, np_idx, idx, basic, e)
    shape = self._data.shape
    if basic:
        if not isinstance(data, self._data.__class__):     # every index an int: a scalar, not a view
            data = _get(self._data, np_idx + (Ellipsis,) if isinstance(np_idx, tuple) else (np_idx, Ellipsis))
        if last is None:
            last = 'AliasBackward0'
        return make_view(self, data, last, lambda node, g: _scatter_grad(shape, np_idx, g, True),
                         lambda b: getitem(b, idx))
    r = _make(np.asarray(data), self.dtype, self._device)
    if self._requires_grad and grad_state.enabled:
        attach('IndexBackward0', guard(lambda node, g: _scatter_grad(shape, np_idx, g, False),
                                       *_index_tensors(idx)), (self,), (r,))
    return r


def index_put_(self, indices, values, accumulate=False):
    for k, i in enumerate(indices):
        if not isinstance(i, Tensor):
            raise TypeError(f"expected Tensor as element {k} in argument 0, but got {type(i).__name__}")
    if len(indices) > self._data.ndim:
        raise IndexError(f"too many indices for tensor of dimension {self._data.ndim} (got {len(indices)})")
    return setitem(self, tuple(indices), values, accumulate, tensors=True)


def setitem(self, idx, value, accumulate=False, tensors=False):
    vt = value if isinstance(value, Tensor) else None
    if vt is None and isinstance(value, (bool, int, float, complex)):
        value = _fill_value(value, self.dtype)      # torch makes the number a tensor of self's dtype first
    if idx is False:        # torch writes nothing and checks nothing more
        return self
    if idx is True:         # alone, a new dim of size 1 (in a tuple, an index tensor [0])
        idx = None
    elif idx.__class__ is slice and self._data.ndim:
        idx = (idx,)        # unlike x[s], x[s] = v skips a slice that keeps the whole dim
    np_idx, basic, last = _convert(idx, self, tensors)
    whole = basic and last is None
    if vt is not None:
        if vt._device is not self._device and vt._data.ndim:
            raise device_error(self._device, vt._device)
        v = vt._data
    else:
        v = value
    if not basic:
        v = _index_put_checks(self, idx, np_idx, v, vt, accumulate, tensors)
    elif basic:
        try:
            shape = _get(self._data, np_idx).shape      # torch indexes before it writes or checks
        except IndexError as e:
            raise _index_error(e, self, idx) from None
        if vt is not None:
            _copy_checks(shape, vt)
    carried = self.dtype._fix is not None       # bfloat16, float8: float32 arrays of their values
    if carried and (vt is None or vt.dtype is not self.dtype):
        v = D.round_to(self.dtype, v)
    grad = grad_state.enabled and (self._requires_grad or (self._base is not None and self._base._requires_grad)
                                   or (vt is not None and vt._requires_grad and _grad_flows(self, vt, basic and shape)))
    if grad:
        if basic and self._requires_grad and self._grad_fn is None and not whole:
            # torch indexes first: only a no-op index keeps the leaf itself
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        check_inplace(self)
        data = self._data.copy()
        _assign(data, np_idx, v, accumulate, self, idx, basic)
        r = _make(data, self.dtype, self._device)     # accumulated bfloat16 sums: rounded here
        shape = data.shape

        def bwd(node, g):
            gs = gv = None
            if needs(node, 0):
                gs = g.clone()
                if not accumulate:
                    try:
                        if g._requires_grad:    # create_graph: the zeroing is part of the derivative
                            gs[idx] = 0
                        else:
                            _put(gs._data, np_idx, 0)
                    except IndexError:      # nothing was written: torch checked no index (_advanced_error)
                        pass
            if needs(node, 1):
                gv = g[idx] if basic else _take(g, idx)
                if gv._data.ndim < vt._data.ndim:      # the value's leading 1s, dropped to write it
                    gv = gv.reshape((1,) * (vt._data.ndim - gv._data.ndim) + tuple(gv.shape))
            return gs, gv
        if whole:       # torch copies into self itself, not into a view of it
            name = ('CopyBackwards' if vt is not None and vt._data.shape == data.shape
                    else 'FillBackward3' if vt is None or not vt._data.ndim else 'CopyBackwards')
        else:       # index_put_ on a view of self (a select, slice or new dim first) is CopySlices too
            name = 'CopySlices' if basic or last is not None else 'IndexPutBackward0'
        attach(name, guard(bwd, *_index_tensors(idx)), (self, vt), (r,))
        return commit_inplace(self, r)
    check_inplace(self)         # an inference tensor outside inference mode
    _assign(_writable(self._data, np_idx, basic), np_idx, v, accumulate, self, idx, basic)
    if carried and accumulate:
        self._data[...] = self.dtype._fix(self._data)
    self._vc[0] += 1
    return self


def _grad_flows(t, vt, shape):
    """Does a value's gradient reach t? torch's copy_ drops it for an integer t; its fill_ (a 0-dim value
    into a view of another shape), and index_put_, keep it."""
    return shape is False or t.dtype.is_floating_point or t.dtype.is_complex or (not vt._data.ndim and shape != ())


def _copy_checks(shape, vt):
    """torch's expand error for a value that does not fit a basic index's view (its leading 1s dropped)."""
    vs = _strip_ones(vt._data.shape)
    if not _expandable(vs, shape):
        from .shape import expand
        expand(_make(np.zeros(vs), vt.dtype), shape)


def _strip_ones(shape):
    vs = list(shape)
    while vs and vs[0] == 1:        # torch drops the value's leading 1s first
        vs.pop(0)
    return vs


def _expandable(vs, shape):
    return len(vs) <= len(shape) and all(a == 1 or a == b for a, b in zip(vs[::-1], shape[::-1]))


def _index_put_checks(t, idx, np_idx, v, vt, accumulate, tensors):
    """torch's index_put_ checks that come before its kernel reads an index: a one-element value
    through a single mask goes to masked_fill_ (bool masks only; it converts the value), else the
    value must broadcast to the indexed shape and have t's dtype. Returns the value to write."""
    try:
        shape = _get(t._data, _zeroed(np_idx)).shape
    except IndexError:
        if t.dtype in D.BARE_UINTS:
            raise kernel_error('index_put', t.dtype, t._device) from None
        return v            # _assign raises torch's error
    ix = np_idx.rest if np_idx.__class__ is _Pre else np_idx
    arrays = [i for i in ix if i is not None and i is not Ellipsis and i.__class__ is not slice]
    if not accumulate and np.size(v) == 1 and len(arrays) == 1 and _is_mask(arrays[0]):
        if any(isinstance(i, Tensor) and i.dtype is D.uint8 for i in (idx if idx.__class__ is tuple else (idx,))):
            raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype unsigned char")
        if t.dtype in D.float8_types or t.dtype in D.BARE_UINTS:
            raise kernel_error('masked_fill', t.dtype, t._device)
        if vt is None or vt.dtype is t.dtype:
            return v
        return _scalar_to(vt.item(), t.dtype)       # masked_fill_'s conversion
    if vt is None:
        return _no_put_kernel(t, v)
    # x[i] = v drops v's leading 1s first; index_put_ does not
    vs = list(vt._data.shape) if tensors else _strip_ones(vt._data.shape)
    if not _expandable(vs, shape):
        raise RuntimeError(f"shape mismatch: value tensor of shape {vs} cannot be broadcast to indexing result "
                           f"of shape {list(shape)}")
    if vt.dtype is not t.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{D.type_name(t.dtype)} for the destination and {D.type_name(vt.dtype)} for the source.")
    return _no_put_kernel(t, v)


def _no_put_kernel(t, v):
    """torch's index_put kernel has a loop for every float8 type but e8m0fnu, and none for uint16/32/64."""
    if t.dtype is D.float8_e8m0fnu or t.dtype in D.BARE_UINTS:
        raise kernel_error('index_put', t.dtype, t._device)
    return v


def _writable(data, np_idx, basic):
    """data, or a writable alias of an expanded tensor's read-only broadcast view. torch refuses a
    basic write whose target elements share memory, and warns for an advanced one."""
    shared = 0 in data.strides and any(st == 0 and n > 1 for st, n in zip(data.strides, data.shape))
    if not shared:
        return data
    if basic:
        try:
            view = _get(data, np_idx)
        except IndexError:
            view = data[:0]     # _assign raises torch's IndexError
        if expanded(view):
            raise RuntimeError(_OVERLAP)
    else:
        warnings.warn("Use of index_put_ on expanded tensors is deprecated. Please clone() the tensor before "
                      "performing this operation. This also applies to advanced indexing e.g. tensor[indices] "
                      "= tensor")
    if getattr(data.flags, 'writeable', True):
        return data
    alias = data.view()
    alias.flags.writeable = True        # allowed: the memory under NumPy's broadcast view is writable
    return alias


def _assign(data, np_idx, v, accumulate, t, idx, basic):
    if not _gpu_index_ok(data, np_idx, basic):
        return          # no element to write, and torch reads no index
    try:
        if isinstance(v, np.ndarray) and v.ndim and v.shape[0] == 1:
            # torch drops a value's leading size-1 dims before broadcasting it into the target
            tgt_ndim = np.ndim(_get(data, np_idx))
            while v.ndim > tgt_ndim and v.shape[0] == 1:
                v = v[0]
        if accumulate:
            _add_at(data, np_idx, v)
        else:
            _put(data, np_idx, v)
    except IndexError as e:
        err = e
    except ValueError as e:
        found = None if basic else _advanced_error(data, np_idx, bounds=False)
        if found is not None:
            raise found from None
        raise _value_error(e, v, data, np_idx, basic) from None
    else:
        return
    found = None if basic else _advanced_error(data, np_idx)
    if found is not _EMPTY:         # else: no element to write, and torch reads no index
        raise found or _index_error(err, t, idx)


def _value_error(e, v, data, np_idx, basic):
    """torch's error for a value that does not fit the indexed place (expand's is raised here)."""
    msg = str(e)
    m = re.search(r'cannot assign (\d+) input values to the (\d+) output values', msg)
    if m:
        return RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(v))} cannot be broadcast "
                           f"to indexing result of shape [{m.group(2)}]")
    if 'setting an array element with a sequence' in msg and isinstance(v, np.ndarray):
        from .shape import expand
        expand(_make(np.zeros(v.shape), D.float32), np.shape(_get(data, np_idx)))
    if 'could not broadcast' in msg or 'shape mismatch' in msg:
        shapes = re.findall(r'\(([\d, ]*)\)', msg)
        if len(shapes) >= 2 and basic:
            src = [int(s) for s in shapes[0].replace(' ', '').split(',') if s]
            dst = [int(s) for s in shapes[1].replace(' ', '').split(',') if s]
            from .shape import expand
            expand(_make(np.zeros(src), D.float32), dst)   # raises torch's expand error
        if len(shapes) >= 2:
            src = [int(s) for s in shapes[0].replace(' ', '').split(',') if s]
            dst = [int(s) for s in shapes[1].replace(' ', '').split(',') if s]
            return RuntimeError(f"shape mismatch: value tensor of shape {src} cannot be broadcast to "
                               f"indexing result of shape {dst}")
    return RuntimeError(msg)


Tensor.__getitem__ = getitem
Tensor.__setitem__ = lambda self, idx, value: (setitem(self, idx, value), None)[1]
Tensor.index_put_ = index_put_
Tensor.index_put = lambda self, indices, values, accumulate=False: index_put_(self.clone(), indices, values, accumulate)
