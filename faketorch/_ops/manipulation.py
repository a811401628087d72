"""Shape ops beyond plain views: flip/roll/rot90, repeat/tile, tril/triu, diag family, stacking
helpers, tensor_split, atleast_*d, unfold, broadcast_tensors, the *_scatter and *_copy ops."""
import itertools

from .. import _xnp as np

from .. import _dtype as D
from .._tensor import Tensor, Size, _make, _wrap_dim
from ..autograd.graph import node_class
from ._core import attach, kernel_error, linear_grad, needs, register, requires_grad, warn_once, with_out
from ._float8_kernels import F8 as _F8
from . import shape as S
from .misc import cat, stack, flip, _seq_check, _uint_flip_refused


_grad_on = requires_grad      # any tensor requiring grad, with grad mode on


def _dims_list(dims):
    return [dims] if isinstance(dims, int) else list(dims)


# --- flips, rolls, rotations --------------------------------------------------------------------

def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


def _roll_dim(a, shift, dim):
    """One dim's roll as torch's kernel does it: an empty tensor is copied before dim is looked at."""
    if a.size == 0:
        return a.copy()
    if a.ndim == 0:
        raise S.no_dims_error(dim)
    return np.roll(a, shift, _wrap_dim(dim, a.ndim))


def roll(input, shifts, dims=None):
    a = input._data
    sh = _dims_list(shifts)
    ds = [] if dims is None else _dims_list(dims)
    if len(sh) == 1 and len(ds) == 1:
        data = _roll_dim(a, sh[0], ds[0])
    elif not sh:
        raise RuntimeError("`shifts` required")
    elif not ds and len(sh) == 1:
        data = np.roll(a.reshape(-1), sh[0]).reshape(a.shape)
    elif len(sh) != len(ds):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:{len(ds)}")
    else:
        data = a
        for s, d in zip(sh, ds):
            data = _roll_dim(data, s, d)
    r = _make(np.asarray(data, order='C'), input.dtype, input._device)
    if _grad_on(input):
        neg = [-s for s in sh]
        attach('RollBackward0', lambda node, g: roll(g, neg, dims), (input,), (r,))
    return r


def rot90(input, k=1, dims=(0, 1)):
    a = input._data
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.dtype in _F8 and k % 4:
        raise kernel_error('flip_cpu', input.dtype, input._device)
    if a.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {a.ndim}")
    d0, d1 = _wrap_dim(dims[0], a.ndim), _wrap_dim(dims[1], a.ndim)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    flips = ((), (d1,), (d0, d1), (d0,))[k % 4]        # torch flips, then transposes for an odd k
    if flips and input.dtype in D.BARE_UINTS and _uint_flip_refused(input, flips):
        raise kernel_error('flip_cpu', input.dtype, input._device)
    r = _make(np.ascontiguousarray(np.rot90(a, k, (d0, d1))), input.dtype, input._device)
    if _grad_on(input):
        attach('Rot90Backward0', lambda node, g: rot90(g, -k, (d0, d1)), (input,), (r,))
    return r


# --- repeat, tile, repeat_interleave ------------------------------------------------------------

def repeat(self, *repeats):     # (a method only: torch counts its positions without self)
    repeats = S._shape_arg(repeats)
    a = self._data
    if len(repeats) < a.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    lead = len(repeats) - a.ndim
    src = a.reshape((1,) * lead + a.shape)
    from .factory import _size
    _size(([n * k for n, k in zip(src.shape, repeats)],), 'repeat')     # torch's error for a negative result size
    # np.tile with every repeat 1 copies in the input's layout; torch's result is always contiguous
    data = np.tile(src, repeats)
    r = _make(data if data.flags.c_contiguous else data.copy(order='C'), self.dtype, self._device)
    if _grad_on(self):
        shape = src.shape

        def bwd(node, g):
            # split every dim into (repeat, size) and sum the repeats
            inter = []
            for rep, s in zip(repeats, shape):
                inter += [rep, s]
            gs = g.reshape(inter).sum(tuple(range(0, 2 * len(repeats), 2))) if inter else g
            return gs.reshape(a.shape)
        attach('RepeatBackward0', bwd, (self,), (r,))
    return r


def tile(input, dims):
    dims = tuple(dims) if not isinstance(dims, int) else (dims,)
    n = input._data.ndim
    if len(dims) < n:
        dims = (1,) * (n - len(dims)) + dims
    return repeat(input, dims)


def _no_negative_repeats(reps):
    if reps.size and int(reps.min()) < 0:
        raise RuntimeError("repeats can not be negative")


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    if repeats is None:          # torch.repeat_interleave(repeats): indices repeated by their counts
        reps = input
        if reps._data.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if reps.dtype._cat != 1:
            raise RuntimeError("repeats has to be Long or Int tensor")
        if reps.dtype in D.BARE_UINTS:
            raise kernel_error('repeat_interleave_cpu', reps.dtype, reps._device)
        _no_negative_repeats(reps._data)
        return _make(np.repeat(np.arange(reps._data.shape[0], like=reps._data), reps._data), D.int64,
                     input._device)
    if dim is None:
        input = S.reshape(input, (-1,))
        d = 0
    else:
        d = _wrap_dim(dim, input._data.ndim)
        if input._data.ndim == 0:       # torch asks for its size along dim, or unsqueezes it after dim
            raise S.no_dims_error(dim) if isinstance(repeats, Tensor) else _wrap_dim(d + 1, 0)
    a = input._data
    size = a.shape[d]
    if isinstance(repeats, Tensor):
        if repeats._data.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if repeats._data.ndim == 1 and repeats._data.shape[0] not in (1, size):
            raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {repeats._data.shape[0]} and input.size(0) = {size}")
        if repeats.dtype in D.BARE_UINTS:     # torch's kernel reads any repeats tensor
            raise kernel_error('repeat_interleave_cpu', repeats.dtype, repeats._device)
        if repeats._data.ndim == 1 and repeats._data.shape[0] != 1:
            _no_negative_repeats(repeats._data)
            idx = np.repeat(np.arange(size, like=repeats._data), repeats._data)
            from .selection import index_select
            return index_select(input, d, _make(idx, D.int64, input._device))
        repeats = int(repeats._data.reshape(-1)[0])
        if repeats < 0:
            raise RuntimeError("repeats can not be negative")
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    r = _make(np.repeat(a, repeats, axis=d), input.dtype, input._device)
    if _grad_on(input):
        shape = a.shape

        def bwd(node, g):
            return g.reshape(shape[:d] + (size, repeats) + shape[d + 1:]).sum(d + 1)
        # torch expands and reshapes, so the node is a view's
        attach('ViewBackward0', bwd, (input,), (r,))
    return r


# --- triangles and diagonals --------------------------------------------------------------------

def _tri(name, npf, gname):
    def f(input, diagonal=0):
        a = input._data
        if a.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        if input.dtype in _F8 or a.size and input.dtype in D.BARE_UINTS:
            raise kernel_error(name, input.dtype, input._device)
        r = _make(npf(a, diagonal), input.dtype, input._device)
        if _grad_on(input):
            attach(gname, lambda node, g: f(g, diagonal), (input,), (r,))
        return r
    f.__name__ = name
    return f


tril = _tri('tril', np.tril, 'TrilBackward0')
triu = _tri('triu', np.triu, 'TriuBackward0')


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    a = input._data
    n = a.ndim + 1
    d1, d2 = _wrap_dim(dim1, n), _wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    k = a.shape[-1] if a.ndim else 1
    m = k + abs(offset)
    rest = a.shape[:-1]
    out = np.zeros(rest + (m, m), a.dtype, like=a)
    i = np.arange(k, like=a)
    out[..., i + max(-offset, 0), i + max(offset, 0)] = a
    # the two new dims sit at the end; move them to d1, d2
    order = [None] * n
    order[d1], order[d2] = n - 2, n - 1
    it = iter(range(n - 2))
    order = [o if o is not None else next(it) for o in order]
    data = np.ascontiguousarray(np.transpose(out, order))
    r = _make(data, input.dtype, input._device)
    if _grad_on(input):
        attach('DiagEmbedBackward0', lambda node, g: S.diagonal(g, offset, d1, d2), (input,), (r,))
    return r


def diag(input, diagonal=0):
    a = input._data
    if a.ndim == 1:
        return diag_embed(input, diagonal, 0, 1)
    if a.ndim != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {a.ndim}D")
    return _copy_of(S.diagonal, 'DiagonalBackward0')(input, diagonal)


def diagflat(input, offset=0):
    return diag_embed(S.reshape(input, (-1,)), offset, 0, 1)


def block_diag(*tensors):
    for i, t in enumerate(tensors):
        if t._data.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} "
                               f"has {t._data.ndim} dimensions")
    if not tensors:
        from .factory import zeros
        return zeros(1, 0)
    ts = [t if t._data.ndim == 2 else S.reshape(t, (1, -1) if t._data.ndim == 1 else (1, 1)) for t in tensors]
    dev = tensors[0]._device
    rt = D.result_type_of(tensors)
    rows = sum(t._data.shape[0] for t in ts)
    cols = sum(t._data.shape[1] for t in ts)
    out = np.zeros((rows, cols), rt._np, like=tensors[0]._data)
    spans, r0, c0 = [], 0, 0
    for t in ts:
        h, w = t._data.shape
        out[r0:r0 + h, c0:c0 + w] = t._data
        spans.append((r0, c0, h, w))
        r0, c0 = r0 + h, c0 + w
    r = _make(out, rt, dev)
    if _grad_on(*tensors):
        shapes = [t._data.shape for t in tensors]

        def bwd(node, g):
            return tuple(g[r0:r0 + h, c0:c0 + w].reshape(shp) if needs(node, i) else None
                         for i, ((r0, c0, h, w), shp) in enumerate(zip(spans, shapes)))
        attach('BlockDiagBackward0', bwd, tuple(tensors), (r,))
    return r


# --- stacking and splitting ---------------------------------------------------------------------

def atleast_1d(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(atleast_1d(t) for t in tensors[0])
    if len(tensors) > 1:
        return tuple(atleast_1d(t) for t in tensors)
    t = tensors[0]
    return S.reshape(t, (1,)) if t._data.ndim == 0 else t


def atleast_2d(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(atleast_2d(t) for t in tensors[0])
    if len(tensors) > 1:
        return tuple(atleast_2d(t) for t in tensors)
    t = tensors[0]
    if t._data.ndim == 0:
        return S.reshape(t, (1, 1))
    return S.unsqueeze(t, 0) if t._data.ndim == 1 else t


def atleast_3d(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(atleast_3d(t) for t in tensors[0])
    if len(tensors) > 1:
        return tuple(atleast_3d(t) for t in tensors)
    t = tensors[0]
    n = t._data.ndim
    if n == 0:
        return S.reshape(t, (1, 1, 1))
    if n == 1:
        return S.unsqueeze(S.unsqueeze(t, 0), -1)
    if n == 2:
        return S.unsqueeze(t, -1)
    return t


def dstack(tensors):
    ts = _seq_check('dstack', tensors)
    return cat(atleast_3d(ts), 2)


def column_stack(tensors):
    ts = _seq_check('column_stack', tensors)
    return cat([S.reshape(t, (-1, 1)) if t._data.ndim <= 1 else t for t in ts], 1)


def row_stack(tensors):
    from .misc import vstack
    return vstack(tensors)


def tensor_split(input, indices_or_sections, dim=0):
    a = input._data
    if a.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor "
                           "with 0 dims")
    d = _wrap_dim(dim, a.ndim)
    size = a.shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios._device.type != 'cpu':
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be on cpu, but it's on "
                               f"{ios._device}")
        if ios.dtype is not D.int64:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have dtype of long, "
                               f"but got {ios.dtype.__repr__()[6:].capitalize() if False else D.type_name(ios.dtype)}")
        if ios._data.ndim > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a zero-dimensional "
                               f"or one-dimensional tensor, but got a tensor with {ios._data.ndim} dims")
        ios = int(ios._data) if ios._data.ndim == 0 else [int(v) for v in ios._data]
    if isinstance(ios, int):
        if ios <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {ios}")
        q, rem = divmod(size, ios)
        bounds, start = [], 0
        for k in range(ios):
            ln = q + (1 if k < rem else 0)
            bounds.append((start, start + ln))
            start += ln
    else:
        idx = [int(i) for i in ios]
        cuts = [0] + idx + [size]
        bounds = []
        for lo, hi in zip(cuts[:-1], cuts[1:]):
            lo = min(max(lo + size if lo < 0 else lo, 0), size)
            hi = min(max(hi + size if hi < 0 else hi, 0), size)
            bounds.append((lo, max(hi, lo)))
    return tuple(S.narrow(input, d, lo, hi - lo) for lo, hi in bounds)


def _dirsplit(name, dim, min_dims):
    def f(input, indices_or_sections):
        if not isinstance(indices_or_sections, Tensor):     # torch's two overloads
            from .reduction import _parse_args
            _parse_args(name, ('(Tensor input, int sections)', '(Tensor input, tuple of ints indices)'),
                        (input, indices_or_sections), {})
        n = input._data.ndim
        if n < min_dims:
            raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} dimension, but got "
                               f"a tensor with {n} dimensions!")
        d = 0 if name == 'hsplit' and n == 1 else dim
        if isinstance(indices_or_sections, int):
            size = input._data.shape[d]
            if indices_or_sections == 0 or size % indices_or_sections:
                raise RuntimeError(f"torch.{name} attempted to split along dimension {d}, but the size of the "
                                   f"dimension {size} is not divisible by the split_size {indices_or_sections}!")
        return tensor_split(input, indices_or_sections, d)
    f.__name__ = name
    return f


hsplit = _dirsplit('hsplit', 1, 1)
vsplit = _dirsplit('vsplit', 0, 2)
dsplit = _dirsplit('dsplit', 2, 3)


def split_with_sizes(input, split_sizes, dim=0):
    return S.split(input, list(split_sizes), dim)


def _rename(outs, name):
    """Give the node behind outs torch's name for the same computation under another op."""
    t = outs[0] if isinstance(outs, (tuple, list)) else outs
    if t._grad_fn is not None:
        t._grad_fn.__class__ = node_class(name)
    return outs


def _detach_views(outs):
    """Plain copies of view outputs, keeping their autograd history."""
    single = isinstance(outs, Tensor)
    res = []
    for v in ((outs,) if single else outs):
        c = _make(v._data.copy(), v.dtype, v._device)
        c._requires_grad, c._grad_fn, c._output_nr = v._requires_grad, v._grad_fn, v._output_nr
        res.append(c)
    return res[0] if single else tuple(res)


def unsafe_split(input, split_size, dim=0):
    return _rename(_detach_views(S.split(input, split_size, dim)), 'UnsafeSplitBackward0')


def unsafe_chunk(input, chunks, dim=0):
    return _rename(_detach_views(S.chunk(input, chunks, dim)), 'UnsafeSplitBackward0')


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    return _rename(_detach_views(S.split(input, list(split_sizes), dim)), 'UnsafeSplitWithSizesBackward0')


# --- meshgrid, broadcast ------------------------------------------------------------------------

def broadcast_shapes(*shapes):
    given = [(s,) if isinstance(s, int) else s for s in shapes]     # the message shows each as passed
    shapes = [tuple(s) for s in given]
    n = max((len(s) for s in shapes), default=0)
    out = [1] * n
    for k, s in enumerate(shapes):
        for i in range(len(s) - 1, -1, -1):     # torch walks each shape from its last dim
            v = s[i]
            j = n - len(s) + i
            if v < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {v}: [{v}]")
            if out[j] == 1:
                out[j] = v
            elif v != 1 and v != out[j]:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {v} at {j - n}! Mismatching "
                                   f"argument at index {k} had {given[k]!r}; but expected shape should be "
                                   f"broadcastable to {list(out)}")
    return Size(out)


def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    try:
        shape = np.broadcast_shapes(*[t._data.shape for t in tensors])
    except ValueError:
        from .pointwise import _broadcast_error
        raise _broadcast_error(tensors[0]._data, tensors[1]._data) from None
    return tuple(t if t._data.shape == shape else S.expand(t, shape) for t in tensors)


def meshgrid(*tensors, indexing=None):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warn_once("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument. "
                  "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4215.)")
        indexing = 'ij'
    if indexing not in ('ij', 'xy'):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
    ts = list(tensors)
    swap = indexing == 'xy' and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t._data.size for t in ts)
    n = len(ts)
    out = [S.expand(S.reshape(t, tuple(-1 if i == k else 1 for i in range(n))), shape) for k, t in enumerate(ts)]
    if swap:            # torch swaps the inputs and then the outputs back; no transpose
        out[0], out[1] = out[1], out[0]
    return tuple(out)


def combinations(input, r=2, with_replacement=False):
    if input._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input._data.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _make(np.zeros((0,), input.dtype._np), input.dtype, input._device)
    n = input._data.shape[0]
    gen = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(gen(range(n), r)), np.int64).reshape(-1, r)
    if input.dtype in D.BARE_UINTS:     # torch picks them out of a meshgrid with masked_select
        if idx.size:
            raise kernel_error('masked_select', input.dtype, input._device)
        return _make(np.zeros((0, r), input.dtype._np, like=input._data), input.dtype, input._device)
    from .selection import index_select
    cols = [index_select(input, 0, _make(np.ascontiguousarray(idx[:, k]), D.int64, input._device))
            for k in range(r)]
    return stack(cols, 1)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    if any(p is not None and p._data.ndim != input._data.ndim for p in (prepend, append)):
        raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    d = _wrap_dim(dim, input._data.ndim)
    if n == 0:          # torch copies the input into a fresh tensor
        return _rename(input.clone(), 'CopyBackwards')
    parts = [p for p in (prepend, input, append) if p is not None]
    x = cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        size = x._data.shape[d]
        if size == 0:
            break
        a, b = S.narrow(x, d, 1, size - 1), S.narrow(x, d, 0, size - 1)
        x = (a ^ b) if x.dtype is D.bool else a - b
    return x


# --- unfold (a view) -----------------------------------------------------------------------------

def unfold(input, dimension, size, step):
    a = input._data
    n = a.ndim
    d = _wrap_dim(dimension, n)
    length = a.shape[d] if n else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {length} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if n == 0:
        data = a.reshape(1)
    else:
        count = (length - size) // step + 1
        shape = a.shape[:d] + (count,) + a.shape[d + 1:] + (size,)
        strides = a.strides[:d] + (a.strides[d] * step,) + a.strides[d + 1:] + (a.strides[d],)
        data = np.lib.stride_tricks.as_strided(a, shape, strides, writeable=getattr(a.flags, 'writeable', True))
    in_shape = a.shape

    def bwd(node, g):
        return _unfold_backward(g, in_shape, d, size, step)
    return S.make_view(input, data, 'UnfoldBackward0', bwd, lambda b: unfold(b, d, size, step))


def _unfold_backward(g, shape, d, size, step):
    if len(shape) == 0:
        return g.reshape(())
    count = g._data.shape[d]
    # position along d of every (window, offset) pair
    pos = (np.arange(count)[:, None] * step + np.arange(size)[None, :]).reshape(-1)
    gm = g.movedim(d, -2)                      # (..., count, size)
    flat = gm.reshape(gm.shape[:-2] + (count * size,))
    from .selection import index_add
    z = g.new_zeros(flat.shape[:-1] + (shape[d],))
    return index_add(z, -1, _make(pos, D.int64, g._device), flat).movedim(-1, d)


# --- *_scatter: the out-of-place inverse of a view ------------------------------------------------

def _scatter_into(name, view, input_grad_inside=False):
    """out-of-place `view(input) = src`: the positions come from the view of an index array, so any
    view works (NumPy's diagonal is read-only, a select of a 1-d array is a scalar)."""
    gname = ''.join(p.capitalize() for p in name.split('_')) + 'Backward0'

    def f(input, src, *args):
        a = input._data
        where_ = view(_make(np.arange(a.size, dtype=np.int64).reshape(a.shape), D.int64, input._device), *args)
        pos = np.asarray(where_._data).reshape(-1)
        if tuple(where_._data.shape) != tuple(src._data.shape):
            raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                               f"{list(src._data.shape)}, slice size = {list(where_._data.shape)}")
        out = a.copy().reshape(-1)
        out[pos] = src._data.reshape(-1)
        r = _make(out.reshape(a.shape), input.dtype, input._device)
        if _grad_on(input, src):
            pt = _make(pos.copy(), D.int64, input._device)
            mask = np.zeros(a.size, bool, like=a)
            mask[pos] = True
            mt = _make(mask.reshape(a.shape) ^ input_grad_inside, D.bool, input._device)
            sshape = src._data.shape

            def bwd(node, g):
                from .selection import take
                gi = g.masked_fill(mt, 0) if needs(node, 0) else None
                gs = take(g, pt).reshape(sshape) if needs(node, 1) else None
                return gi, gs
            attach(gname, bwd, (input, src), (r,))
        return r
    f.__name__ = name
    return f


def _slice_view(t, dim=0, start=None, end=None, step=1):
    if t._data.ndim == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, t._data.ndim)
    if step is not None and step <= 0:      # torch's slice op (not indexing's ValueError)
        raise RuntimeError("slice step must be positive")
    return t[(slice(None),) * d + (slice(start, end, step),)]


diagonal_scatter = _scatter_into('diagonal_scatter', lambda t, offset=0, dim1=0, dim2=1:
                                 S.diagonal(t, offset, dim1, dim2))
select_scatter = _scatter_into('select_scatter', lambda t, dim, index: S.select(t, dim, index))
slice_scatter = _scatter_into('slice_scatter', _slice_view)


def _kw_scatter(f, names):
    def g(input, src, *args, **kwargs):
        vals = list(args) + [kwargs[n] for n in names[len(args):] if n in kwargs]
        return f(input, src, *vals)
    g.__name__ = f.__name__
    return g


diagonal_scatter_kw = _kw_scatter(diagonal_scatter, ('offset', 'dim1', 'dim2'))
select_scatter_kw = _kw_scatter(select_scatter, ('dim', 'index'))


def slice_scatter_kw(input, src, dim=0, start=None, end=None, step=1):
    return slice_scatter(input, src, dim, start, end, step)


# --- *_copy: a view op's values as a fresh tensor, its node renamed '<name>_copy' ------------------

def _copy_of(view, node_name=None):
    def f(input, *args, **kwargs):
        outs = view(input, *args, **kwargs)
        res = _detach_views(outs)
        first = res[0] if isinstance(res, tuple) else res
        if first._grad_fn is not None:
            first._grad_fn.__class__ = node_class(type(first._grad_fn).__name__.replace('_copy', '') + '_copy')
        return res
    return f


def _check_storage(size, stride, offset, itemsize, storage_numel):
    """torch's error for a strided view that reaches past its storage's storage_numel elements."""
    need = offset + sum((n - 1) * st for n, st in zip(size, stride)) + 1 if all(size) else 0
    if need > storage_numel:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, and "
                           f"itemsize {itemsize} requiring a storage size of {need * itemsize} are out of bounds for "
                           f"storage of size {storage_numel * itemsize}")


def _as_strided(input, size, stride, storage_offset=None):
    a = input._data
    base = input._base if input._base is not None else input
    off = base.storage_offset() if storage_offset is None else storage_offset
    flat = base._data.reshape(-1) if base._data.flags.c_contiguous else np.ascontiguousarray(base._data).reshape(-1)
    item = flat.itemsize
    size, stride = tuple(size), tuple(stride)
    _check_storage(size, stride, off, input.dtype.itemsize, flat.size)   # torch's element size, not the array's
    data = np.lib.stride_tricks.as_strided(flat[off:], size, tuple(s * item for s in stride))
    in_shape = a.shape

    def bwd(node, g):
        acc = np.zeros(flat.size, g._data.dtype, like=g._data)
        idx = np.lib.stride_tricks.as_strided(np.arange(flat.size, like=g._data)[off:], size,
                                              tuple(s * 8 for s in stride))
        np.ufunc_at(np.add, acc, idx.reshape(-1), g._data.reshape(-1))
        gi = _make(acc[:a.size].reshape(in_shape) if base is input else acc.reshape(base._data.shape)
                   [tuple(slice(0, s) for s in in_shape)], g.dtype, g._device)
        if base is not input:
            return gi
        pad = flat.size - a.size        # storage beyond the input's elements: no gradient flows there

        def adjoint(gg):
            from .selection import take
            flat_gg = gg.reshape(-1) if not pad else cat([gg.reshape(-1), gg.new_zeros(pad)])
            return take(flat_gg, _make(idx, D.int64, g._device))
        return linear_grad('AsStridedBackward0', gi, g, adjoint)
    # a view of the same storage, as in torch
    return S.make_view(input, data, 'AsStridedBackward0', bwd,
                       lambda b: _as_strided(b, size, stride, storage_offset))


def _as_strided_(self, size, stride, storage_offset=None):
    v = _as_strided(self, size, stride, storage_offset)
    self._data = v._data
    if v._grad_fn is not None:
        self._grad_fn, self._output_nr = v._grad_fn, v._output_nr
    return self


def _alias(input):
    return S.make_view(input, input._data.view(), 'AliasBackward0', lambda node, g: g, lambda b: _alias(b))


def as_subclass(self, cls):
    """An alias of self (its data, its autograd history) whose class is cls."""
    if not (isinstance(cls, type) and issubclass(cls, Tensor)):
        raise TypeError("Creating a Tensor subclass from a class that does not inherit from Tensor is not possible. "
                        "Make sure your class inherits from Tensor.")
    r = _alias(self)
    r.__class__ = cls
    return r


def narrow_copy(input, dim, start, length):
    # torch's narrow_copy kernel checks on its own: a dim past the end fails an internal check, and the
    # length is checked with the start
    n = input.dim()
    if not n:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if dim >= n:
        raise RuntimeError("Expected dim < static_cast<int64_t>(self_sizes.size()) to be true, but got false.  "
                           "(Could this error message be improved?  If so, please report an enhancement request "
                           "to PyTorch.)")
    size = input.shape[_wrap_dim(dim, n)]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    begin = start + size if start < 0 else start
    if length < 0 or begin > size - length:
        raise RuntimeError(f"start ({begin}) + length ({length}) exceeds dimension size ({size}).")
    r = _detach_views(S.narrow(input, dim, start, length))
    return _rename(r, 'NarrowCopyBackward0')


_COPIES = {
    'view_copy': lambda input, size: S.view(input, *(size if isinstance(size, (tuple, list)) else (size,))),
    't_copy': S.t, 'transpose_copy': S.transpose, 'permute_copy': S.permute,
    'squeeze_copy': S.squeeze, 'unsqueeze_copy': S.unsqueeze, 'diagonal_copy': S.diagonal,
    'expand_copy': lambda input, size, implicit=False: S.expand(input, size),
    'unbind_copy': S.unbind, 'unfold_copy': unfold, 'alias_copy': _alias,
    'split_with_sizes_copy': split_with_sizes, 'split_copy': S.split,
    'select_copy': S.select, 'detach_copy': lambda input: input.detach(),
}


def _ravel(input):
    # torch: contiguous() then view(-1), so a copy shows as CloneBackward0 + ViewBackward0
    from .misc import contiguous
    return S.view(contiguous(input), -1)


def _type_as(self, other):
    return self.to(other.dtype)


for _f in (fliplr, flipud, roll, rot90, repeat_interleave, tile, tril, triu, diag_embed, diag, diagflat,
           tensor_split, hsplit, vsplit, dsplit, split_with_sizes, unsafe_split, unsafe_chunk,
           unsafe_split_with_sizes, diff, narrow_copy):
    register(_f)
for _f in (tril, triu):
    register(_f, inplace=True)
register(repeat, function=False)
register(unfold, function=False)
register(_ravel, name='ravel')
register(_type_as, name='type_as', function=False)
for _f in (atleast_1d, atleast_2d, atleast_3d, dstack, column_stack, row_stack, broadcast_tensors,
           broadcast_shapes, meshgrid, combinations, block_diag):
    register(_f, method=False)
for _f in (dstack, column_stack, row_stack):
    register(with_out(_f), method=False)
register(diagonal_scatter_kw, name='diagonal_scatter')
register(select_scatter_kw, name='select_scatter')
register(slice_scatter_kw, name='slice_scatter')
register(_as_strided, name='as_strided')
# torch's as_strided_scatter_backward gives `input` the gradient INSIDE the scattered region and zero
# elsewhere (the reverse of the other *_scatter ops); matched as it is
_as_strided_scatter = _scatter_into('as_strided_scatter', lambda t, size, stride, storage_offset=None:
                                    _as_strided(t, size, stride, storage_offset), input_grad_inside=True)


def _as_strided_scatter_checked(input, src, size, stride, storage_offset=None):
    # the view is taken of an int64 position array: its bounds are checked here in input's own bytes
    off = input.storage_offset() if storage_offset is None else storage_offset
    _check_storage(size, stride, off, input.element_size(), input.numel())
    return _as_strided_scatter(input, src, size, stride, storage_offset)


_as_strided_scatter_checked.__name__ = 'as_strided_scatter'
as_strided_scatter = _kw_scatter(_as_strided_scatter_checked, ('size', 'stride', 'storage_offset'))
register(as_strided_scatter)
Tensor.as_strided_ = _as_strided_
register(as_subclass, function=False)
register(_copy_of(_as_strided), name='as_strided_copy', method=False)
for _n, _v in _COPIES.items():
    register(_copy_of(_v), name=_n, method=False)


def _complex_views():
    from .complex_ops import view_as_real, view_as_complex
    return view_as_real, view_as_complex


def view_as_real_copy(input):
    return _copy_of(_complex_views()[0])(input)


def view_as_complex_copy(input):
    if requires_grad(input):
        # torch's generated *_copy kernel has no derivative for a complex output
        raise RuntimeError("view_as_complex_copy does not support automatic differentiation for outputs with "
                           "complex dtype.")
    return _copy_of(_complex_views()[1])(input)


def _sparse_part_copy(name):
    """indices_copy / values_copy: torch has no sparse kernel for them; a strided input gets the accessor's error."""
    def f(input):
        if input.is_sparse:
            from ._core import dispatcher_error
            raise dispatcher_error(name, 'SparseCUDA' if input.is_cuda else 'SparseCPU')
        return getattr(input, name[:-len('_copy')])()
    f.__name__ = f.__qualname__ = name
    return f


def slice_inverse(input, src, dim=0, start=None, end=None, step=1):
    """A view of input's storage with src's sizes, strides and offset (the inverse of a slice under
    functionalization); torch's own backward for it is unusable, so only its forward and node name are matched."""
    r = _as_strided(input, src.shape, src.stride(), src.storage_offset())
    return _rename(r, 'SliceInverseBackward0')


def slice_copy(input, dim=0, start=None, end=None, step=1):
    # a whole-dim slice is an alias view here; torch's node is the slice's either way
    return _rename(_copy_of(_slice_view)(input, dim, start, end, step), 'SliceBackward0_copy')


register(slice_copy, method=False)
for _f in (view_as_real_copy, view_as_complex_copy):
    register(_f, method=False)
register(slice_inverse)
for _n in ('indices_copy', 'values_copy'):
    register(_sparse_part_copy(_n), method=False)


# --- gradient: central differences inside, one-sided at the edges (as numpy.gradient) ---------------

def gradient(input, *, spacing=1, dim=None, edge_order=1):
    n = input._data.ndim
    dims = list(range(n)) if dim is None else ([dim] if isinstance(dim, int) else list(dim))
    dims = [_wrap_dim(d, n) for d in dims]
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    if spacing is None:
        spacing = 1
    if isinstance(spacing, (list, tuple)):
        if len(spacing) != len(dims):
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
                               f"arguments to have the same length, but got a spacing argument of length "
                               f"{len(spacing)} and a dim argument of length {len(dims)}.")
        steps = list(spacing)
    else:
        steps = [spacing] * len(dims)
    for i, d in enumerate(dims):
        if d in dims[:i]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    for d in dims:
        if input._data.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    if input.dtype is D.bool or input.dtype in D.BARE_UINTS:
        input - input       # torch's error: it subtracts in the input's dtype before it divides
    f = input if input.dtype._cat >= 2 else input.to(D.get_default_dtype())
    return tuple(_gradient_1d(f, d, h, edge_order) for d, h in zip(dims, steps))


def _gradient_1d(f, d, h, edge_order):
    size = f._data.shape[d]

    def at(start, length=None):
        start = start + size if start < 0 else start
        return S.narrow(f, d, start, size - start if length is None else length)
    nd = f._data.ndim
    if isinstance(h, Tensor):                       # sample coordinates along d
        x = h.to(f.dtype)

        def shaped(t):
            return S.reshape(t, (-1,) + (1,) * (nd - 1 - d))
        dx = x[1:] - x[:-1]
        hl, hr = shaped(dx[:-1]), shaped(dx[1:])
        inner = (at(0, size - 2) * (-hr / (hl * (hl + hr))) + at(1, size - 2) * ((hr - hl) / (hl * hr))
                 + at(2) * (hl / (hr * (hl + hr))))
        if edge_order == 1:
            first = (at(1, 1) - at(0, 1)) / shaped(dx[:1])
            last = (at(-1) - at(-2, 1)) / shaped(dx[-1:])
        else:
            a1, a2 = shaped(dx[:1]), shaped(dx[1:2])
            first = (at(0, 1) * (-(2 * a1 + a2) / (a1 * (a1 + a2))) + at(1, 1) * ((a1 + a2) / (a1 * a2))
                     + at(2, 1) * (-a1 / (a2 * (a1 + a2))))
            b1, b2 = shaped(dx[-2:-1]), shaped(dx[-1:])
            last = (at(-3, 1) * (b2 / (b1 * (b1 + b2))) + at(-2, 1) * (-(b2 + b1) / (b1 * b2))
                    + at(-1) * ((2 * b2 + b1) / (b2 * (b1 + b2))))
    else:
        inner = (at(2) - at(0, size - 2)) / (2 * h)
        if edge_order == 1:
            first = (at(1, 1) - at(0, 1)) / h
            last = (at(-1) - at(-2, 1)) / h
        else:
            first = (at(0, 1) * -1.5 + at(1, 1) * 2 - at(2, 1) * 0.5) / h
            last = (at(-3, 1) * 0.5 - at(-2, 1) * 2 + at(-1) * 1.5) / h
    return cat([first, inner, last], d)


register(gradient, method=False)
