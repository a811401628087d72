"""The array library of the `meta` device: arrays with a shape, a dtype and strides, and no data.

An op on meta tensors runs its ordinary code: NumPy's functions and ufuncs dispatch to
`ndarray.__array_function__` / `__array_ufunc__` here (as they do to CuPy's), which work out the
result's shape and dtype and hold no memory, whatever the shape. Elementwise ufuncs and matmul
answer from the shapes alone; other NumPy functions run on `_a`, a zero-strided NumPy view of one
zero (no memory either), and their result is kept as its shape and dtype. Writes (`out=`,
`a[i] = v`, `ufunc.at`) do nothing: a meta tensor has no values to change.
"""
import math
import types

import numpy as _np
from numpy.lib.mixins import NDArrayOperatorsMixin

_NO_DATA = 'Cannot copy out of meta tensor; no data!'


def _contiguous(shape, itemsize):
    st, acc = [], itemsize
    for n in reversed(shape):
        st.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(st))


class _Flags:
    __slots__ = ('c_contiguous', 'f_contiguous')
    writeable = True
    owndata = True

    def __init__(self, a):
        self.c_contiguous = _packed(a.shape, a.strides, a.itemsize)
        self.f_contiguous = _packed(a.shape[::-1], a.strides[::-1], a.itemsize)


def _packed(shape, strides, itemsize):
    """Do the elements lie packed in C order? (NumPy's test: a dim of size 1 has any stride.)"""
    if 0 in shape:
        return True
    acc = itemsize
    for n, s in zip(reversed(shape), reversed(strides)):
        if n != 1:
            if s != acc:
                return False
            acc *= n
    return True


class _Data:
    """A meta array's .data: torch's meta storage is at address 0, so a view's pointer is its offset."""
    __slots__ = ('ptr',)

    def __init__(self, ptr):
        self.ptr = ptr


class ndarray(NDArrayOperatorsMixin):      # (the mixin: operators through __array_ufunc__, as NumPy's)
    __slots__ = ('_shape', 'dtype', 'strides', 'base', 'offset', '__weakref__')
    __hash__ = None

    def __init__(self, shape, dtype=float, strides=None, base=None, offset=0):
        self._shape = tuple(int(n) for n in shape)
        self.dtype = _np.dtype(dtype)
        self.strides = _contiguous(self._shape, self.dtype.itemsize) if strides is None else tuple(strides)
        self.base = base
        self.offset = offset        # bytes into the storage

    def _view(self, shape, strides, offset=0, dtype=None):
        """A view of self, `offset` bytes further (its .base is self's owner, as NumPy's views have)."""
        return ndarray(shape, self.dtype if dtype is None else dtype, strides, self if self.base is None else self.base,
                       self.offset + offset)

    data = property(lambda self: _Data(self.offset))

    @property
    def shape(self):
        return self._shape

    @shape.setter
    def shape(self, shape):     # as NumPy's: in place, and only where no copy is needed
        shape = self._a.reshape(shape).shape
        st = _view_strides(self, shape)
        if st is None:
            raise AttributeError('Incompatible shape for in-place modification. Use `.reshape()` to make a copy '
                                 'with the desired shape.')
        self._shape, self.strides = shape, st

    # --- geometry ---
    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: math.prod(self.shape))
    itemsize = property(lambda self: self.dtype.itemsize)
    nbytes = property(lambda self: self.size * self.dtype.itemsize)
    flags = property(_Flags)
    T = property(lambda self: self.transpose())
    real = property(lambda self: ndarray(self.shape, _np.empty(0, self.dtype).real.dtype))
    imag = real

    @property
    def _a(self):
        """A NumPy stand-in of this shape and dtype: one zero, broadcast (no memory)."""
        return _np.broadcast_to(_np.zeros((), self.dtype), self.shape)

    def __len__(self):
        if not self.shape:
            raise TypeError('len() of unsized object')
        return self.shape[0]

    def __repr__(self):
        return f'meta.ndarray(shape={self.shape}, dtype={self.dtype})'

    # --- views: the strides follow, as NumPy's would ---
    def transpose(self, *axes):
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0]
        axes = tuple(range(self.ndim))[::-1] if not axes else tuple(a % self.ndim for a in axes)
        return self._view([self.shape[a] for a in axes], [self.strides[a] for a in axes])

    def swapaxes(self, a, b):
        axes = list(range(self.ndim))
        axes[a], axes[b] = axes[b], axes[a]
        return self.transpose(axes)

    def reshape(self, *shape, order='C', copy=None):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        new = self._a.reshape(shape).shape
        st = _view_strides(self, new) if copy is not True else None
        if st is None and copy is False:
            raise ValueError('Unable to avoid creating a copy while reshaping.')
        return ndarray(new, self.dtype) if st is None else self._view(new, st)

    def ravel(self, order='C'):
        return self.reshape(-1)

    def view(self, dtype=None, type=None):
        dtype = self.dtype if dtype is None else _np.dtype(dtype)
        if dtype.itemsize == self.itemsize:
            return self._view(self.shape, self.strides, dtype=dtype)
        if not self.shape or self.strides[-1] != self.itemsize:
            raise ValueError('To change to a dtype of a different size, the last axis must be contiguous')
        last = self.shape[-1] * self.itemsize
        if last % dtype.itemsize:
            raise ValueError('When changing to a larger dtype, its size must be a divisor of the total size in '
                             'bytes of the last axis of the array.')
        shape = self.shape[:-1] + (last // dtype.itemsize,)
        return self._view(shape, self.strides[:-1] + (dtype.itemsize,), dtype=dtype)

    def __getitem__(self, idx):
        if _has_mask(idx):
            raise NotImplementedError(_NONZERO)
        if not _basic(idx):
            return _wrap(self._a[_unwrap(idx)])
        return _geometry(self, lambda p: p[idx])

    def __setitem__(self, idx, value):
        pass

    def astype(self, dtype, order='K', casting='unsafe', subok=True, copy=True):
        if not copy and _np.dtype(dtype) == self.dtype:
            return self
        return ndarray(self.shape, dtype)

    def copy(self, order='C'):
        return ndarray(self.shape, self.dtype)

    # --- no data: writes do nothing, reads are refused as torch refuses them ---
    def fill(self, value):
        pass

    def item(self, *args):
        raise RuntimeError('Tensor.item() cannot be called on meta tensors')

    def tolist(self):
        raise NotImplementedError(_NO_DATA)

    def get(self, *args, **kwargs):
        raise NotImplementedError(_NO_DATA)

    def __array__(self, dtype=None, copy=None):
        raise NotImplementedError(_NO_DATA)

    # An op's own checks on values (an index in range, a mask not empty) find nothing on meta, as torch's
    # meta kernels skip them; a user's bool(t) / float(t) goes through Tensor.item and is refused.
    def __bool__(self):
        return False

    def __int__(self):
        return 0

    __index__ = __int__

    def __float__(self):
        return 0.0

    def __complex__(self):
        return 0j

    def __getattr__(self, name):
        """The other ndarray methods (sum, max, argmax, squeeze ...): NumPy's on the stand-in."""
        if name.startswith('__'):
            raise AttributeError(name)
        f = getattr(self._a, name)
        if not callable(f):
            return _wrap(f)
        return lambda *a, **k: _run(f, a, k)

    # --- NumPy's protocols ---
    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kw):
        if out is not None:             # an in-place update: nothing to write
            return out[0] if len(out) == 1 else out
        if method == 'at':
            return None
        if method == '__call__' and (ufunc.signature is None or ufunc is _np.matmul):
            probes = [_probe(x) for x in inputs]
            with _np.errstate(all='ignore'):
                r = ufunc(*probes, **kw)
            shape = _matmul_shape(*inputs) if ufunc is _np.matmul else \
                _np.broadcast_shapes(*(_shape(x) for x in inputs))
            st = _layout(inputs, shape)
            if isinstance(r, tuple):
                return tuple(ndarray(shape, v.dtype, st and _permuted(shape, st, v.itemsize)) for v in r)
            return ndarray(shape, r.dtype, st and _permuted(shape, st, r.itemsize))
        return _run(getattr(ufunc, method), inputs, kw)

    def __array_function__(self, func, types, args, kwargs):
        own = _FUNCS.get(func.__name__)
        if own is not None:
            return own(*args, **kwargs)
        if kwargs.get('out') is not None:
            return kwargs['out']
        return _run(func, args, kwargs)


def _geometry(a, view):
    """The view `view(x)` of `a` (a NumPy view function: indexing, diagonal), worked out by NumPy on a
    probe with a's shape and strides over one byte: a view only computes offsets, it never reads them."""
    probe = _np.lib.stride_tricks.as_strided(_np.zeros(1, _np.uint8), a.shape, a.strides, writeable=False)
    v = view(probe)
    return a._view(v.shape, v.strides, v.__array_interface__['data'][0] - probe.__array_interface__['data'][0])


def _layout(inputs, shape):
    """The dims of an elementwise result, outermost first, where its first full-shape input is laid out
    otherwise (NumPy's and torch's results follow it); None for C order."""
    for x in inputs:
        if isinstance(x, ndarray) and x.shape == shape:
            if x.flags.c_contiguous:
                return None
            return sorted(range(x.ndim), key=lambda d: -x.strides[d])
    return None


def _permuted(shape, order, itemsize):
    st, acc = [0] * len(shape), itemsize
    for d in reversed(order):
        st[d] = acc
        acc *= max(shape[d], 1)
    return st


def _has_mask(idx):
    return any(isinstance(i, (ndarray, _np.ndarray)) and i.dtype == bool for i in (idx if isinstance(idx, tuple)
                                                                                  else (idx,)))


def _refuse(msg):
    def f(*args, **kwargs):
        raise NotImplementedError(msg)
    return f


_NONZERO = ("The register_meta function for torch.nonzero() raises unimplemented by default, as a correct "
            "data-independent implementation does not exist. This implementation returns a fake value, assuming "
            "all elements of the tensor are non-zero. To enable this registration, please set "
            "'torch.fx.experimental._config.meta_nonzero_assume_all_nonzero' to True.")


def _no_kernel(op):
    return (f"aten::{op}: attempted to run this operator with Meta tensors, but there was no fake impl or Meta "
            "kernel registered. You may have run into this message while using an operator with PT2 compilation "
            "APIs (torch.compile/torch.export); in order to use this operator with those APIs you'll need to add a "
            "fake impl. Please see the following for next steps:  "
            "https://pytorch.org/tutorials/advanced/custom_ops_landing_page.html")


def _basic(idx):
    """Basic indexing (ints, slices, None, Ellipsis): a view."""
    if not isinstance(idx, tuple):
        idx = (idx,)
    return all(i is None or i is Ellipsis or isinstance(i, (slice, int, _np.integer)) and not isinstance(i, bool)
               for i in idx)


def _view_strides(a, shape):
    """The strides (bytes) of `a` viewed as `shape`, by torch's computeStride; None where it needs a copy."""
    old, ost = a.shape, a.strides
    if not old:
        return (a.itemsize,) * len(shape)
    if a.size == 0:
        return old == tuple(shape) and ost or _contiguous(shape, a.itemsize)
    new = [0] * len(shape)
    d = len(shape) - 1
    base, t_numel, v_numel = ost[-1], 1, 1
    for td in range(len(old) - 1, -1, -1):
        t_numel *= old[td]
        if td == 0 or (old[td - 1] != 1 and ost[td - 1] != t_numel * base):    # the end of a contiguous chunk
            while d >= 0 and (v_numel < t_numel or shape[d] == 1):
                new[d] = v_numel * base
                v_numel *= shape[d]
                d -= 1
            if v_numel != t_numel:
                return None
            if td > 0:
                base, t_numel, v_numel = ost[td - 1], 1, 1
    return tuple(new) if d == -1 else None


def _shape(x):
    return x.shape if isinstance(x, (ndarray, _np.ndarray)) else ()


def _probe(x):
    """A one-element stand-in of x with its dtype, for a ufunc to find the result dtype on."""
    if isinstance(x, ndarray):
        return _np.ones((1, 1) if x.ndim >= 2 else (1,) * x.ndim, x.dtype)
    if isinstance(x, _np.ndarray):
        return _np.ones((), x.dtype)
    return x


def _matmul_shape(a, b):
    sa, sb = _shape(a), _shape(b)
    if not sa or not sb:
        raise ValueError('matmul: Input operand does not have enough dimensions')
    k_a = sa[-1]
    k_b = sb[0] if len(sb) == 1 else sb[-2]
    if k_a != k_b:
        raise ValueError(f'matmul: Input operand 1 has a mismatch in its core dimension 0 ({k_a} is different '
                         f'from {k_b})')
    batch = _np.broadcast_shapes(sa[:-2], sb[:-2])
    return batch + sa[-2:-1] + (sb[-1:] if len(sb) > 1 else ())


def _unwrap(x, stand_in=lambda a: a._a):
    if isinstance(x, ndarray):
        return stand_in(x)
    if x.__class__ in (list, tuple):
        return type(x)(_unwrap(v, stand_in) for v in x)
    if x.__class__ is dict:
        return {k: _unwrap(v, stand_in) for k, v in x.items()}
    return x


def _wrap(x):
    if isinstance(x, (_np.ndarray, _np.generic)):
        return ndarray(_np.shape(x), x.dtype)
    if isinstance(x, tuple):
        return type(x)(*(_wrap(v) for v in x)) if hasattr(x, '_fields') else tuple(_wrap(v) for v in x)
    if isinstance(x, list):
        return [_wrap(v) for v in x]
    return x


def _run(f, args, kwargs):
    """f on the zero-strided stand-ins, its arrays kept as their shapes and dtypes. A linear-algebra
    function that finds the zeros singular runs again on identity matrices (no value is checked on meta)."""
    with _np.errstate(all='ignore'):
        try:
            return _wrap(f(*_unwrap(args), **_unwrap(kwargs)))
        except _np.linalg.LinAlgError:
            return _wrap(f(*_unwrap(args, _eyes), **_unwrap(kwargs, _eyes)))


def _eyes(a):
    """A stand-in of identity matrices in the last two dims, broadcast over the others."""
    if a.ndim < 2:
        return a._a
    return _np.broadcast_to(_np.eye(*a.shape[-2:], dtype=a.dtype), a.shape)


def _like(shape_of):
    def f(a, dtype=None, order='K', subok=True, shape=None, **kw):
        return ndarray(_shape(a) if shape is None else shape, a.dtype if dtype is None else dtype)
    return f


def _transpose(a, axes=None):
    return a.transpose(axes)


def _broadcast_to(a, shape, subok=False):
    shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
    _np.broadcast_shapes(a.shape, shape)
    pad = len(shape) - a.ndim
    st = [0] * pad + [0 if n == 1 and m != 1 else s for n, m, s in zip(a.shape, shape[pad:], a.strides)]
    return a._view(shape, st)


def _expand_dims(a, axis):
    return a.reshape(_np.expand_dims(a._a, axis).shape)


def _squeeze(a, axis=None):
    return a.reshape(_np.squeeze(a._a, axis).shape)


def _noop(*args, **kwargs):
    return None


# NumPy functions answered here: views (strides kept), allocation without memory, writes ignored
_FUNCS = {
    'transpose': _transpose, 'swapaxes': lambda a, x, y: a.swapaxes(x, y),
    'moveaxis': lambda a, s, d: a.transpose(_moveaxis_perm(a.ndim, s, d)),
    'reshape': lambda a, shape=None, order='C', *, newshape=None, copy=None: a.reshape(
        shape if shape is not None else newshape, copy=copy),
    'ravel': lambda a, order='C': a.ravel(), 'broadcast_to': _broadcast_to,
    'diagonal': lambda a, offset=0, axis1=0, axis2=1: _geometry(a, lambda p: _np.diagonal(p, offset, axis1, axis2)),
    'expand_dims': _expand_dims, 'squeeze': _squeeze,
    'zeros_like': _like(None), 'ones_like': _like(None), 'empty_like': _like(None),
    'full_like': lambda a, fill_value, dtype=None, **kw: _like(None)(a, dtype, **kw),
    'copyto': _noop, 'put': _noop, 'place': _noop, 'fill_diagonal': _noop, 'put_along_axis': _noop,
    # torch has no meta kernel for the ops whose result's shape depends on the values
    'nonzero': _refuse(_NONZERO), 'argwhere': _refuse(_NONZERO), 'flatnonzero': _refuse(_NONZERO),
    'unique': _refuse(_no_kernel('_unique2')), 'array_equal': _refuse(_no_kernel('equal')),
    'bincount': _refuse(_no_kernel('bincount')),
    'shape': lambda a: a.shape, 'ndim': lambda a: a.ndim, 'size': lambda a, axis=None: a.size if axis is None
    else a.shape[axis],
}


def _moveaxis_perm(ndim, source, destination):
    src = [s % ndim for s in (source if isinstance(source, (tuple, list)) else (source,))]
    dst = [d % ndim for d in (destination if isinstance(destination, (tuple, list)) else (destination,))]
    order = [n for n in range(ndim) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return order


def _alloc(shape, dtype=float, order='C', *, like=None, **kw):
    return ndarray(shape if isinstance(shape, (tuple, list)) else (shape,), dtype)


def _full(shape, fill_value, dtype=None, order='C', **kw):
    return _alloc(shape, _np.asarray(fill_value).dtype if dtype is None else dtype)


def _as_strided(x, shape=None, strides=None, subok=False, writeable=True):
    return x._view(x.shape if shape is None else shape, x.strides if strides is None else strides)


class _Namespace(types.ModuleType):
    """NumPy's namespace for meta arrays: what `xp_of(device('meta'))` gives ops."""

    def __getattr__(self, name):
        f = getattr(_np, name)
        if not callable(f) or isinstance(f, (type, _np.ufunc)):    # (ufuncs dispatch to meta arrays themselves)
            return f
        return lambda *a, **k: _run(f, a, k)


xp = _Namespace('faketorch.meta_xp')
xp.ndarray = ndarray
xp.zeros = xp.ones = xp.empty = _alloc
xp.full = _full
xp.asarray = xp.array = lambda a, dtype=None, *args, **kw: a.astype(dtype or a.dtype, copy=False) \
    if isinstance(a, ndarray) else _wrap(_np.asarray(a, dtype))
xp.ascontiguousarray = lambda a, dtype=None: ndarray(a.shape, a.dtype if dtype is None else dtype)


def _asfortranarray(a, dtype=None):
    dt = _np.dtype(a.dtype if dtype is None else dtype)
    return ndarray(a.shape, dt, _contiguous(a.shape[::-1], dt.itemsize)[::-1])


xp.asfortranarray = _asfortranarray
xp.lib = types.SimpleNamespace(stride_tricks=types.SimpleNamespace(as_strided=_as_strided))


def to_meta(arr):
    """An array's meta counterpart: its shape, dtype and memory order (empty_strided's, a copy's)."""
    if isinstance(arr, ndarray):
        return arr
    order = sorted(range(arr.ndim), key=lambda d: -arr.strides[d]) if all(arr.strides) else range(arr.ndim)
    return ndarray(arr.shape, arr.dtype, _permuted(arr.shape, order, arr.itemsize))


def draw(name, args):
    """faketorch._rng.<name>(generator, *args) on meta: the draw's shape and dtype, and no draw (torch's
    meta kernels leave the generator where it was)."""
    shape = next((a for a in args if isinstance(a, tuple)), None)
    if name == 'randperm':
        shape = (args[0],)
    elif shape is None:         # drawn per element of parameter arrays (normal_tensor, bernoulli_tensor)
        shape = _np.broadcast_shapes(*(a.shape for a in args if isinstance(a, (ndarray, _np.ndarray))))
    dt = next((a for a in args if isinstance(a, (type, _np.dtype, str))), _np.float64)
    return ndarray(shape, _np.float32 if dt == 'bfloat16' else dt)
