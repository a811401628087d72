"""Tensor indexing: __getitem__ (views for basic indexes, copies for advanced) and __setitem__."""
import re

from .. import _xnp as np

from .. import _dtype as D
from .._tensor import Tensor, _make
from ..autograd.grad_mode import state as grad_state
from ._core import attach, check_inplace, commit_inplace, device_error, guard, needs
from .shape import make_view

_BASIC = (int, slice, type(None), type(Ellipsis))
_EMPTY = object()       # _advanced_error: torch's kernel visits no element, so checks no index


def _convert(idx, t):
    """NumPy index for a torch index; also whether it is basic (a view) and the last view op."""
    if not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    basic = True
    last = None
    for i in idx:
        c = i.__class__
        if c is int or c is slice or i is None or i is Ellipsis:
            if c is slice:
                if i.step is not None and _int(i.step) <= 0:
                    raise ValueError("step must be greater than zero" if _int(i.step) else "slice step cannot be zero")
                i = slice(_int(i.start), _int(i.stop), _int(i.step))
                last = 'SliceBackward0'
            elif c is int:
                last = 'SelectBackward0'
            elif i is None:
                last = 'UnsqueezeBackward0'
            out.append(i)
        elif c is bool:
            basic = False
            out.append(i)
        elif isinstance(i, Tensor):
            a = i._data
            dt = i.dtype        # torch's index dtypes, the common ones first
            if dt is not D.bool and dt is not D.int64 and dt is not D.int32 and dt is not D.uint8:
                raise _bad_index(idx, t, IndexError("tensors used as indices must be long, int, byte or bool "
                                                    "tensors"))
            if dt is D.uint8:
                a = a.astype(bool)
            basic = False
            out.append(a)
        elif isinstance(i, (list, np.ndarray)):
            a = np.asarray([x.item() if isinstance(x, Tensor) else x for x in i] if isinstance(i, list)
                           and any(isinstance(x, Tensor) for x in i) else i)
            if a.size == 0 or a.dtype.kind == 'f':     # torch makes a list of numbers a long index
                a = a.astype(np.int64)
            basic = False
            out.append(a)
        elif isinstance(i, np.integer):
            out.append(int(i))
            last = 'SelectBackward0'
        elif hasattr(i, '__index__'):
            out.append(i.__index__())
            last = 'SelectBackward0'
        elif c is str:          # torch tries to make a tensor of it
            raise _bad_index(idx, t, TypeError("new(): invalid data type 'str'"))
        else:
            raise _bad_index(idx, t, IndexError("only integers, slices (`:`), ellipsis (`...`), None and long "
                                                "or byte Variables are valid indices (got " + type(i).__name__ + ")"))
    out = tuple(out)
    if not basic and any(x.__class__ is int for x in out):
        out = _split_ints(out)
    return out, basic, last


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
    return v.__index__()


def _index_error(e, t, idx):
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
            cur.append(1)
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


def _refetch(t, np_idx, idx, basic, err):
    """After NumPy refused np_idx (err): torch's IndexError, or the empty result torch gives unchecked."""
    found = None if basic else _advanced_error(t._data, np_idx)
    if found is _EMPTY:
        return _get(t._data, _zeroed(np_idx))
    raise found or _index_error(err, t, idx)


def _torch_dim(idx, ndim, axis):
    """torch names the failing index by its position in the index tuple (an Ellipsis counts once)."""
    idx = idx if isinstance(idx, tuple) else (idx,)
    consumed = sum(1 for i in idx if i is not None and i is not Ellipsis)
    orig = 0
    for pos, i in enumerate(idx):
        if i is Ellipsis:
            orig += ndim - consumed
        elif i is not None:
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
    try:
        data = _get(self._data, np_idx)
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
    return setitem(self, tuple(indices), values, accumulate)


def setitem(self, idx, value, accumulate=False):
    np_idx, basic, _ = _convert(idx, self)
    vt = value if isinstance(value, Tensor) else None
    if vt is not None:
        if vt._device is not self._device and vt._data.ndim:
            raise device_error(self._device, vt._device)
        v = vt._data
    else:
        v = value
    bf16 = self.dtype is D.bfloat16
    if bf16 and (vt is None or vt.dtype is not D.bfloat16):
        v = D.round_bf16(v)
    grad = grad_state.enabled and (self._requires_grad or (vt is not None and vt._requires_grad)
                                   or (self._base is not None and self._base._requires_grad))
    if grad:
        if basic and self._requires_grad and self._grad_fn is None:
            view = self._data[np_idx]       # torch indexes first: only a no-op index keeps the leaf itself
            if view.shape != self._data.shape or view.strides != self._data.strides:
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
                        _put(gs._data, np_idx, 0)
                    except IndexError:      # nothing was written: torch checked no index (_advanced_error)
                        pass
            if needs(node, 1):
                gv = g[idx] if basic else _take(g, idx)
            return gs, gv
        attach('CopySlices' if basic else 'IndexPutBackward0', guard(bwd, *_index_tensors(idx)), (self, vt),
               (r,))
        return commit_inplace(self, r)
    check_inplace(self)         # an inference tensor outside inference mode
    _assign(self._data, np_idx, v, accumulate, self, idx, basic)
    if bf16 and accumulate:
        self._data[...] = D.as_bf16(self._data)
    self._vc[0] += 1
    return self


def _assign(data, np_idx, v, accumulate, t, idx, basic):
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
