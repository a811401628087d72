"""Views and shape ops. Views share the input's array and version counter, and know how to
replay themselves from their base (for in-place changes through a view)."""
import math

from .. import _xnp as np

from .. import _dtype as D
from .._tensor import Tensor, Size, _arg_error, _make, _tp_name, _wrap_dim
from ..autograd.grad_mode import state as grad_state
from ._core import attach, check_inplace, linear_grad, needs, no_dims_error, register, warn_once
from .reduction import _dims

# bound by misc (imported after this module): the backward of unbind and split joins their gradients
cat = stack = None


def _inference_like(r, input):
    if input._inference:        # a view is an inference tensor iff its base is
        r._inference = True
    elif r._inference:
        del r._inference


def make_view(input, data, gname, bwd, replay, args=None):
    r = _make(data, input.dtype, input._device)
    if input._inference:        # (_inference_like, inline)
        r._inference = True
    elif r._inference:
        del r._inference
    r._vc = input._vc
    base = input._base
    parent = input._view_fn
    if base is None:
        base = input
        r._view_fn = replay
    elif parent is not None:
        r._view_fn = lambda b: replay(parent(b))
    r._base, r._view_ver = base, r._vc[0]       # the version its history was recorded at
    if input._requires_grad and grad_state.enabled:
        attach(gname, bwd, (input,), (r,), args=args)
    elif input._requires_grad:
        r._requires_grad = False
    return r


def _shape_arg(shape):
    # (items, not shape rebound: an error names the op's parameter holding them, not this one)
    items = shape[0] if len(shape) == 1 and shape[0].__class__ in (tuple, list, Size) else shape
    for s in items:
        if s.__class__ is not int:
            return tuple(_size_item(items, i, s) for i, s in enumerate(items))
    return tuple(items)


def _size_item(shape, i, s):
    """An item of a list of ints that is no Python int, as torch's parser reads it: a NumPy int or a
    one-element integer tensor; else torch's "must be tuple of ints" TypeError."""
    if s.__class__ is int:
        return s
    if isinstance(s, np.integer) and not isinstance(s, np.bool_):
        return int(s)
    if isinstance(s, Tensor) and s._data.size == 1 and s.dtype._cat < 2:     # (0: bool, 1: integer)
        if s.dtype._cat == 1:
            return int(s._data.reshape(()))
        raise RuntimeError("Expected scalar.isIntegral( false) to be true, but got false.  (Could this error message "
                           "be improved?  If so, please report an enhancement request to PyTorch.)")
    raise _arg_error(shape, f"must be tuple of ints, but found element of type {_tp_name(s)} at pos {i}", 'size')


def _text(sizes):
    """A shape as torch prints it in messages: [2, 3]."""
    return '[' + ', '.join(map(str, sizes)) + ']'


def _infer(shape, numel):
    """shape with its -1 filled in for numel elements; torch's errors in torch's order (one pass)."""
    if -1 not in shape and math.prod(shape) == numel and (not shape or min(shape) >= 0):
        return shape
    infer, known = None, 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer is not None:
                raise RuntimeError("only one dimension can be inferred")
            infer = i
        elif s >= 0:
            known *= s
        else:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {_text(shape)}")
    if numel == known or (infer is not None and known > 0 and numel % known == 0):
        if infer is None:
            return shape
        if known == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {_text(shape)} because the "
                               f"unspecified dimension size -1 can be any value and is ambiguous")
        return shape[:infer] + (numel // known,) + shape[infer + 1:]
    raise RuntimeError(f"shape '{_text(shape)}' is invalid for input of size {numel}")


def _reshape_bwd(node, g):
    return g.reshape(node._args)


def view(self, *shape):
    if len(shape) == 1 and shape[0].__class__ is D.dtype:
        return _view_dtype(self, shape[0])
    a = self._data
    shape = _shape_arg(shape)
    try:        # NumPy infers a -1 and refuses the shapes torch refuses, but reads -2 as -1 too
        data = a.reshape(shape)
    except ValueError:
        data = None
    if data is None or data.shape != shape and -1 not in shape:
        data = a.reshape(_infer(shape, a.size))     # raises torch's error
    base = data.base
    if (base is None or base is not a and base is not a.base) and a.size:   # reshape had to copy
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least "
                           "one dimension spans across two contiguous subspaces). Use .reshape(...) "
                           "instead.") from None
    shape = data.shape
    return make_view(self, data, 'ViewBackward0', _reshape_bwd, lambda b: view(b, shape), a.shape)


def _view_dtype_check(self, dtype):
    """torch's conditions for reinterpreting self's elements as dtype's of another size."""
    old, new = self.dtype.itemsize, dtype.itemsize
    if old == new:
        return
    what = f"to view {D.type_name(self.dtype)} as {D.type_name(dtype)} (different element sizes)"
    n = self._data.ndim
    if n == 0:
        raise RuntimeError(f"self.dim() cannot be 0 {what}")
    stride = self.stride()
    if old < new:
        ratio = new // old
        if self._data.shape[-1] % ratio:
            raise RuntimeError(f"self.size(-1) must be divisible by {ratio} {what}, but got {self._data.shape[-1]}")
        if self.storage_offset() % ratio:
            raise RuntimeError(f"self.storage_offset() must be divisible by {ratio} {what}, but got "
                               f"{self.storage_offset()}")
        for i in range(n - 1):
            if stride[i] % ratio:
                raise RuntimeError(f"self.stride({i}) must be divisible by {ratio} {what}, but got {stride[i]}")
    if stride[-1] != 1:
        raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {stride[-1]}")


def _view_dtype(self, dtype):
    _view_dtype_check(self, dtype)
    if dtype is not self.dtype and (dtype._fix is not None or self.dtype._fix is not None):
        return _view_carried(self, dtype)
    data = self._data.view(dtype._np)
    r = _make(data, dtype, self._device)
    r._vc = self._vc
    return r


def _view_carried(self, dtype):
    """A bfloat16 or float8 tensor's array is float32, not its 2- or 1-byte memory: reinterpret its
    bit patterns (or as them), in a copy that shares no memory with self."""
    a = D.carried_bits(self.dtype, self._data) if self.dtype._fix is not None else self._data
    return _make(D.from_bits(dtype, a), dtype, self._device)


def reshape(input, *shape):
    shape = _infer(_shape_arg(shape), input._data.size)
    data = input._data.view()
    try:
        data.shape = shape
    except AttributeError:      # not viewable: torch copies (and records a view of the copy)
        data = np.reshape(input._data, shape)
        r = _make(data, input.dtype, input._device)
        if input._requires_grad and grad_state.enabled:
            attach('UnsafeViewBackward0', _reshape_bwd, (input,), (r,), args=input._data.shape)
        return r
    return make_view(input, data, 'ViewBackward0' if True else '', _reshape_bwd,
                     lambda b: reshape(b, shape), input._data.shape)


def view_as(self, other):
    return view(self, other._data.shape)


def reshape_as(self, other):
    return reshape(self, other._data.shape)


def _transpose_bwd(node, g):
    d0, d1 = node._args
    return g.transpose(d0, d1)


def transpose(input, dim0, dim1):
    n = input._data.ndim
    d0, d1 = _wrap_dim(dim0, n), _wrap_dim(dim1, n)
    if n == 0:
        data = input._data.view()
    else:
        data = input._data.swapaxes(d0, d1)
    return make_view(input, data, 'TransposeBackward0', _transpose_bwd,
                     lambda b: transpose(b, d0, d1), (d0, d1))


def t(input):
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    data = input._data.T
    return make_view(input, data, 'TBackward0', _t_bwd, t)


def _t_bwd(node, g):
    if grad_state.enabled:
        return g.t()
    return _make(g._data.T, g.dtype, g._device)   # not a view of g: linear's weight gradient can then
                                                   # become .grad without a copy (graph._unshared)


def permute(input, *dims):
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    dims = _shape_arg(dims)
    n = input._data.ndim
    if len(dims) != n:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not "
                           f"match the length of the desired ordering of dimensions i.e. input.dim() "
                           f"= {n} is not equal to len(dims) = {len(dims)}")
    dims = tuple(_wrap_dim(d, n) for d in dims)
    if len(set(dims)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    inv = tuple(np.argsort(dims))
    return make_view(input, input._data.transpose(dims), 'PermuteBackward0',
                     lambda node, g: g.permute(inv), lambda b: permute(b, dims))


def _squeeze_bwd(node, g):
    return g.reshape(node._args)


def squeeze(input, dim=None):
    shape = input._data.shape
    n = len(shape)
    if dim is None:
        dims = tuple(i for i, s in enumerate(shape) if s == 1)
        name = 'SqueezeBackward0'
    else:
        dims = tuple(d for d in sorted(_dims(dim, n, empty_is_all=False)) if shape[d] == 1)
        name = 'SqueezeBackward2' if isinstance(dim, (tuple, list)) else 'SqueezeBackward1'
    data = np.squeeze(input._data, dims) if dims else input._data.view()
    return make_view(input, data, name, _squeeze_bwd, lambda b: squeeze(b, dim), shape)


def unsqueeze(input, dim):
    a = input._data
    d = _wrap_dim(dim, a.ndim + 1)
    shape = a.shape
    data = a.reshape(shape[:d] + (1,) + shape[d:])     # never copies; np.expand_dims costs more
    return make_view(input, data, 'UnsqueezeBackward0', _unsqueeze_bwd, lambda b: unsqueeze(b, d), d)


def _unsqueeze_bwd(node, g):
    return g.squeeze(node._args)


def flatten(input, start_dim=0, end_dim=-1):
    if input.is_quantized:
        return input.flatten(start_dim, end_dim)
    n = input._data.ndim
    s, e = _wrap_dim(start_dim, n), _wrap_dim(end_dim, n)
    if n == 0:
        return reshape(input, (1,))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input._data.shape
    return reshape(input, shape[:s] + (-1 if 0 not in shape[s:e + 1] else 0,) + shape[e + 1:])


def unflatten(input, dim, sizes):
    if not len(sizes):
        raise RuntimeError("unflatten: sizes must be non-empty")
    n = input._data.ndim
    d = _wrap_dim(dim, n)
    sizes = _shape_arg((sizes,))
    shape = input._data.shape
    # torch words a failed size inference in its own terms and wraps any other error
    try:
        if n == 0:
            raise no_dims_error(d)
        sizes = _infer(sizes, shape[d])
    except (RuntimeError, IndexError) as e:
        if 'is invalid for input of size' in str(e):
            raise RuntimeError(f"unflatten: Provided sizes {_text(sizes)} don't multiply up to the size of "
                               f"dim {d} ({shape[d]}) in the input tensor") from None
        raise RuntimeError(f"unflatten got an unexpected error:\n{e}") from None
    return view(input, shape[:d] + sizes + shape[d + 1:])


def _expand_bwd(node, g):
    return g.sum_to_size(node._args)


def _expanded(shape, sizes):
    """The expanded shape, checked as torch does: from the last dim to the first. A 0-dim tensor takes
    the sizes as they are (-1 included)."""
    if not shape:
        target = sizes
    else:
        lead = len(sizes) - len(shape)
        target = list(sizes)
        for i in range(len(sizes) - 1, -1, -1):
            s, o = sizes[i], (shape[i - lead] if i >= lead else 1)
            if s == -1:
                if i < lead:
                    raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                                       f"non-existing dimension {i}")
                target[i] = o
            elif o != s and o != 1:
                raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({o}) at "
                                   f"non-singleton dimension {i}.  Target sizes: {_text(sizes)}.  Tensor sizes: "
                                   f"{_text(shape)}")
        target = tuple(target)
    if target and min(target) < 0:
        # torch multiplies the sizes as unsigned 64-bit numbers; it builds a tensor with a negative size
        # when a 0 hides the overflow, which an array cannot have
        raise RuntimeError("numel: integer multiplication overflow")
    return target


def expand(self, *size):       # (a method only: torch counts its positions without self)
    size = _shape_arg(size)
    shape = self._data.shape
    if len(size) < len(shape):
        raise RuntimeError(f"expand({D.type_str(self.dtype, self._device)}{{{_text(shape)}}}, "
                           f"size={_text(size)}): the number of sizes provided "
                           f"({len(size)}) must be greater or equal to the number of dimensions in "
                           f"the tensor ({len(shape)})")
    target = size if size == shape else _expanded(shape, size)
    data = np.broadcast_to(self._data, target)
    return make_view(self, data, 'ExpandBackward0', _expand_bwd, lambda b: expand(b, target), shape)


def expand_mask(mask, shape):
    """An in-place masked op's expand of its mask to self's shape (its errors are expand's)."""
    if mask._data.shape != shape:
        expand(mask, shape)


def expand_as(input, other):
    return expand(input, other._data.shape)


def broadcast_to(input, size):
    return expand(input, size)


def sum_to_size(input, *size):
    size = _shape_arg(size)
    shape = input._data.shape
    lead = len(shape) - len(size)
    if lead < 0 or any(s != 1 and s != o for s, o in zip(size, shape[lead:])):
        raise RuntimeError(f"size {{[{', '.join(map(str, size))}]}} is not expandable to size "
                           f"{{[{', '.join(map(str, shape))}]}}.")
    if not size:        # torch's sum_to: an empty target shape is a full sum, even of a 0-dim tensor
        return input.sum()
    if shape == size:
        return input
    dims = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(size) if s == 1 and shape[i + lead] != 1)
    r = input.sum(dims, keepdim=True) if dims else input
    if lead:
        r = r.reshape(size)
    return r


def _select_bwd(node, g):
    shape, d, i = node._args
    gi = g.new_zeros(shape)
    idx = (slice(None),) * d + (i,)
    gi._data[idx] = g._data
    if g._requires_grad:   # double backward: route through a differentiable scatter
        from .indexing import _index_put_grad
        return _index_put_grad(shape, idx, g)
    return gi


def select(input, dim, index):
    n = input._data.ndim
    if n == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, n)
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{_text(input._data.shape)} at dimension {d}")
    i = index + size if index < 0 else index
    data = input._data[(slice(None),) * d + (i, ...)]     # `...`: a 0-d view, not a copied scalar
    return make_view(input, data, 'SelectBackward0', _select_bwd, lambda b: select(b, d, i),
                     (input._data.shape, d, i))


def _slice_bwd(node, g):
    shape, idx = node._args
    if g._requires_grad:
        from .indexing import _index_put_grad
        return _index_put_grad(shape, idx, g)
    gi = g.new_zeros(shape)
    gi._data[idx] = g._data
    return gi


def narrow(input, dim, start, length):
    if isinstance(start, Tensor):
        if start._data.ndim or start.dtype._cat != 1:
            raise RuntimeError("start must be an 0-dim integral Tensor.")
        start = int(start)
    n = input._data.ndim
    if n == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    d = _wrap_dim(dim, n)
    size = input._data.shape[d]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    idx = (slice(None),) * d + (slice(start, start + length),)
    return make_view(input, input._data[idx], 'SliceBackward0', _slice_bwd,
                     lambda b: narrow(b, d, start, length), (input._data.shape, idx))


def _multi_view(input, datas, gname, bwd, replays):
    """Several views of one input produced by one node (unbind, split)."""
    outs = []
    base = input._base if input._base is not None else input
    parent = input._view_fn if input._base is not None else None
    for data, replay in zip(datas, replays):
        r = _make(data, input.dtype, input._device)
        _inference_like(r, input)
        r._vc = input._vc
        r._base, r._view_ver = base, r._vc[0]
        r._view_fn = (lambda b, f=replay: f(parent(b))) if parent is not None else replay
        outs.append(r)
    if input._requires_grad and grad_state.enabled:
        attach(gname, bwd, (input,), tuple(outs))
    return tuple(outs)


def unbind(input, dim=0):
    n = input._data.ndim
    d = _wrap_dim(dim, n)
    if n == 0:
        raise no_dims_error(d)
    size = input._data.shape[d]
    datas = [input._data[(slice(None),) * d + (i, ...)] for i in range(size)]    # 0-d views, not scalars

    def bwd(node, *grads):
        shape = datas[0].shape
        return stack([g if g is not None else _make(np.zeros(shape, input.dtype._np), input.dtype,
                                                     input._device) for g in grads], d)
    return _multi_view(input, datas, 'UnbindBackward0', bwd,
                       [lambda b, i=i: select(b, d, i) for i in range(size)])


def split(tensor, split_size_or_sections, dim=0):
    n = tensor._data.ndim
    if n == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={step}")
        d = _wrap_dim(dim, n)
        size = tensor._data.shape[d]
        if step == 0 and size:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
        sizes = [min(step, size - s) for s in range(0, size, step)] if size else [0]
        name = 'SplitBackward0'
    else:
        d = _wrap_dim(dim, n)
        size = tensor._data.shape[d]
        sizes = list(split_size_or_sections)
        if min(sizes, default=0) < 0:
            raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, but got "
                               f"split_sizes={sizes}")
        if sum(sizes) != size:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input "
                               f"tensor's size at dimension {dim}), but got split_sizes={sizes}")
        name = 'SplitWithSizesBackward0'
    starts = [sum(sizes[:k]) for k in range(len(sizes))]
    idxs = [(slice(None),) * d + (slice(st, st + ln),) for st, ln in zip(starts, sizes)]
    datas = [tensor._data[i] for i in idxs]
    shape = tensor._data.shape

    def bwd(node, *grads):
        parts = [g if g is not None else _make(np.zeros(dt.shape, tensor.dtype._np), tensor.dtype,
                                               tensor._device) for g, dt in zip(grads, datas)]
        return cat(parts, d)
    return _multi_view(tensor, datas, name, bwd,
                       [lambda b, st=st, ln=ln: narrow(b, d, st, ln) for st, ln in zip(starts, sizes)])


def chunk(input, chunks, dim=0):
    if input._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if size == 0:           # torch keeps the number of chunks: that many empty pieces
        return split(input, [0] * chunks, d)
    return split(input, -(-size // chunks), d)


def movedim(input, source, destination):
    n = input._data.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should contain the "
                           f"same number of dims as destination ({dst} dims)")
    wsrc = [_wrap_dim(s, n) for s in src]
    wdst = [_wrap_dim(s, n) for s in dst]
    if len(set(wsrc)) != len(wsrc):
        raise RuntimeError(f"movedim: repeated dim in `source` ({src})")
    if len(set(wdst)) != len(wdst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({dst})")
    if n == 0:
        from .manipulation import _alias
        return _alias(input)
    src, dst = wsrc, wdst
    order = [i for i in range(n) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


def diagonal(input, offset=0, dim1=0, dim2=1):
    n = input._data.ndim
    d1, d2 = _wrap_dim(dim1, n), _wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    data = np.diagonal(input._data, offset, d1, d2)
    if isinstance(data, np.ndarray) and not data.flags.writeable and input._data.flags.writeable:
        data.flags.writeable = True     # torch's diagonal is a writable view; NumPy's is read-only by policy

    def bwd(node, g):
        gi = np.zeros(node._args, g._data.dtype, like=g._data)
        k = np.arange(data.shape[-1], like=g._data)
        np.moveaxis(gi, (d1, d2), (-2, -1))[..., k + max(-offset, 0), k + max(offset, 0)] = g._data
        return linear_grad('DiagonalBackwardBackward0', _make(gi, g.dtype, g._device), g,
                           lambda gg: diagonal(gg, offset, d1, d2))
    return make_view(input, data, 'DiagonalBackward0', bwd, lambda b: diagonal(b, offset, d1, d2),
                     input._data.shape)


def _T(self):
    n = self._data.ndim
    if n == 0:      # ATen warns once per message; the property's caller is named
        warn_once("Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases. "
                  "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4321.)", 2)
    elif n != 2:
        warn_once("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it "
                  "will throw an error in a future release. Consider `x.mT` to transpose batches of matrices or "
                  "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor. (Triggered "
                  "internally at /__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4314.)", 2)
    return permute(self, tuple(range(n - 1, -1, -1)))


def _matrix_t(what, batches=True, conj=False):
    """Tensor.mT/.mH/.H/.adjoint(): the last two dims swapped (and conjugated); a 0-dim tensor is
    returned as it is (torch's deprecated identity, not conjugated)."""
    def f(self):
        n = self._data.ndim
        if n == 0:
            return self
        if batches and n == 1:
            raise RuntimeError(f"{what} is only supported on matrices or batches of matrices. Got 1-D tensor.")
        if not batches and n != 2:
            raise RuntimeError(f"{what} is only supported on matrices (2-D tensors). Got {n}-D tensor."
                               + (" For batches of matrices, consider using tensor.mH" if n > 2 else ""))
        r = transpose(self, -2, -1)
        return r.conj() if conj and r.dtype.is_complex else r
    return f


adjoint = _matrix_t('tensor.adjoint()', conj=True)
Tensor.T = property(_T)
Tensor.mT = property(_matrix_t('tensor.mT'))
Tensor.H = property(_matrix_t('tensor.H', batches=False, conj=True))
Tensor.mH = property(_matrix_t('tensor.mH', conj=True))

for _f in (reshape, transpose, t, permute, squeeze, unsqueeze, flatten, unflatten, narrow, select,
           unbind, split, chunk, movedim, diagonal, broadcast_to):
    register(_f)
register(adjoint, name='adjoint')
for _f in (view, view_as, reshape_as, expand, expand_as, sum_to_size):
    register(_f, function=False)
register(transpose, name='swapaxes')
register(transpose, name='swapdims')
register(movedim, name='moveaxis')
for _n in ('transpose', 'squeeze', 'unsqueeze', 't', 'swapaxes', 'swapdims'):
    pass


def _inplace_view(f):
    def g(self, *args, **kwargs):
        check_inplace(self)
        r = f(self, *args, **kwargs)
        self._data = r._data
        if r._grad_fn is not None:
            self._grad_fn = r._grad_fn
        return self
    return g


Tensor.transpose_ = _inplace_view(transpose)
Tensor.t_ = _inplace_view(t)
Tensor.squeeze_ = _inplace_view(squeeze)
Tensor.unsqueeze_ = _inplace_view(unsqueeze)
Tensor.swapaxes_ = Tensor.swapdims_ = Tensor.transpose_
