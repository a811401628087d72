"""Joining, selection and copy ops: cat, stack, where, clamp, masked_fill, clone, to, copy_ ..."""
import operator

from .. import _xnp as np

from .. import _dtype as D
from .._device import device as _device_cls, to_device_array, check_device, xp_of
from .._tensor import Tensor, _make, _wrap_dim, _dtype_c10
from ..autograd.grad_mode import state as grad_state
from ._core import (assert_no_overlap, attach, broadcast_shapes, guard, kernel_error, linear_grad, needs, register, same_device, with_out, commit_inplace,
                    check_inplace, write_into, write_out, zero_grad)
from .. import _float8
from ._float8_kernels import F8 as _F8, refuse as _f8_refuse
from .pointwise import _as_scalar, _broadcast_error, clamp, clamp_min, clamp_max  # noqa: F401 (elementwise, defined there)
from .pointwise import _2_63, _2_64, _int_overflow
from .reduction import _dims, _parse_args
from .._tensor import _CHANNELS_LAST_ORDER
from .factory import _dtype_arg, _fill_value, _format_strides, _to_device


def _seq_check(name, tensors):
    """torch's checks of a list-of-tensors argument: a sequence (not a tensor), of tensors only, not empty."""
    c = tensors.__class__
    if c is not list and c is not tuple and (isinstance(tensors, Tensor) or not hasattr(tensors, '__iter__')):
        from ..random import _tp_name
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not {_tp_name(tensors)}")
    tensors = list(tensors)
    if not tensors:
        if name == 'cat':
            raise ValueError("torch.cat(): expected a non-empty list of Tensors")
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    for t in tensors:
        if t.__class__ is not Tensor and not isinstance(t, Tensor):
            from ..random import _tp_name
            i = next(i for i, t in enumerate(tensors) if not isinstance(t, Tensor))
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {_tp_name(tensors[i])}")
    return tensors


def _cat_fast(tensors, dim):
    """cat of tensors of one dtype, device and rank >= 1 whose sizes match off `dim` (none a 1-D empty
    one): the common case; None where anything differs (the full checks then run)."""
    t0 = tensors[0]
    n = t0._data.ndim
    if not n or not -n <= dim < n:
        return None
    d = dim + n if dim < 0 else dim
    dt, dev = t0.dtype, t0._device
    grad = False
    arrays = []
    for t in tensors:
        a = t._data
        if t.dtype is not dt or t._device is not dev or (n == 1 and not a.shape[0]):
            return None
        grad = grad or t._requires_grad
        arrays.append(a)
    try:        # NumPy refuses what torch does here: another rank, another size off d
        data = np.concatenate(arrays, d)
    except ValueError:
        return None
    r = _make(data if data.flags.c_contiguous else _cat_layout(data, tensors), dt, dev)
    if grad and grad_state.enabled:
        _attach_cat(tensors, [t._data.shape[d] for t in tensors], d, r)
    return r


def _cat_layout(data, tensors):
    """torch's cat writes C order unless every input is laid out channels_last (NumPy's
    concatenate follows the first input's layout)."""
    if data.flags.c_contiguous or all(_suggest_memory_format(t._data) == 'channels_last' for t in tensors):
        return data
    return np.ascontiguousarray(data)


def _attach_cat(tensors, sizes, d, r):
    def bwd(node, g):
        out, start = [], 0
        for s in sizes:
            if s is None:       # a skipped 1-D empty input still gets its (empty) gradient
                out.append(g.new_zeros((0,)))
                continue
            out.append(g.narrow(d, start, s))
            start += s
        return tuple(out)
    attach('CatBackward0', bwd, tuple(tensors), (r,))


def cat(tensors, dim=0, *, out=None):
    r = _cat(tensors, dim)
    return r if out is None else _join_out(out, r, tensors, 'cat')


def _cat(tensors, dim):
    tensors = _seq_check('cat', tensors)
    if tensors and tensors[0].__class__ is not Tensor and tensors[0].is_quantized:       # (QTensor: a subclass)
        from .._quantized import cat as qcat
        return qcat(tensors, dim)
    r = _cat_fast(tensors, dim) if dim.__class__ is int else None
    if r is not None:
        return r
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    rt = D.result_type_of(tensors) if len({t.dtype for t in tensors}) > 1 else tensors[0].dtype
    # legacy: 1-D empty tensors are skipped
    parts = [t for t in tensors if not (t._data.ndim == 1 and t._data.shape[0] == 0)]
    if not parts:
        r = _make(np.zeros((0,), rt._np), rt, tensors[0]._device)
        if grad_state.enabled and any(t._requires_grad for t in tensors):
            attach('CatBackward0', lambda node, g: tuple(g.new_zeros((0,)) for _ in tensors),
                   tuple(tensors), (r,))
        return r
    ref = parts[0]._data
    d = _wrap_dim(dim, ref.ndim)
    for k, t in enumerate(parts):
        a = t._data
        if a.ndim != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} and {a.ndim}")
        for i in range(ref.ndim):
            if i != d and a.shape[i] != ref.shape[i]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{ref.shape[i]} but got size {a.shape[i]} for tensor number "
                                   f"{[id(x) for x in tensors].index(id(t))} in the list.")
        same_device(parts[0], t)
    data = np.concatenate([t._data for t in parts], axis=d, dtype=rt._np) \
        if ref.dtype != rt._np or any(t.dtype is not rt for t in parts) else np.concatenate([t._data for t in parts], axis=d)
    r = _make(_cat_layout(data, parts), rt, parts[0]._device)
    if grad_state.enabled and any(t._requires_grad for t in tensors):
        kept = {id(t) for t in parts}
        _attach_cat(tensors, [t._data.shape[d] if id(t) in kept else None for t in tensors], d, r)
    return r


_NEW_AXIS = tuple((slice(None),) * d + (None,) for d in range(65))    # a[_NEW_AXIS[d]]: a new axis at d


def stack(tensors, dim=0, *, out=None):
    r = _stack(tensors, dim)
    return r if out is None else _join_out(out, r, tensors, 'stack')


def _stack(tensors, dim):
    tensors = _seq_check('stack', tensors)
    if tensors[0].__class__ is not Tensor and tensors[0].is_quantized:       # (QTensor: a subclass)
        from .._quantized import stack as qstack
        return qstack(tensors, dim)
    t0 = tensors[0]
    shape, dt, dev = t0._data.shape, t0.dtype, t0._device
    mixed = grad = False
    for t in tensors:
        if t._device is not dev:
            same_device(*tensors)       # raises torch's error
        mixed = mixed or t.dtype is not dt
        grad = grad or t._requires_grad
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} at entry "
                               f"0 and {list(t._data.shape)} at entry {i}")
    n = len(shape)
    d = dim if dim.__class__ is int and 0 <= dim <= n else _wrap_dim(dim, n + 1)
    key = _NEW_AXIS[d]      # np.stack's own checks cost more than this concatenate
    data = np.concatenate([t._data[key] for t in tensors], d)
    if not data.flags.c_contiguous:
        data = _cat_layout(data, tensors)
    rt = dt
    if mixed:
        rt = D.result_type_of(tensors)
        if data.dtype != rt._np:
            data = data.astype(rt._np)
    r = _make(data, rt, dev)
    if grad and grad_state.enabled:
        n = len(tensors)
        attach('StackBackward0', lambda node, g: tuple(g.select(d, i) for i in range(n)), tuple(tensors), (r,))
    return r


def hstack(tensors):
    tensors = [t if t.ndim else t.reshape(1) for t in _seq_check('hstack', tensors)]
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors):
    return cat([t.reshape(1, -1) if t.ndim < 2 else t for t in _seq_check('vstack', tensors)], 0)


def _scalar_or_tensor(v, like):
    if isinstance(v, Tensor):
        return v
    s = _as_scalar(v)
    return _make(np.asarray(s, D.result_type_of((), (s,))._np), D.result_type_of((), (s,)), like._device)


def where(condition, input=None, other=None):
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    if condition.dtype is not D.bool and condition.dtype is not D.uint8:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with "
                           f"dtype {D.type_name(condition.dtype)}")
    ts = [x for x in (input, other) if isinstance(x, Tensor)]
    ss = [_as_scalar(x) for x in (input, other) if not isinstance(x, Tensor)]
    rt = D.result_type_of(ts, ss) if ts else D.result_type_of((), ss)
    dev = (ts[0] if ts else condition)._device
    same_device(*(t for t in (condition, *ts) if t._data.ndim))     # 0-dim tensors mix, as scalars
    a = input._data if isinstance(input, Tensor) else input
    b = other._data if isinstance(other, Tensor) else other
    broadcast_shapes(condition._data.shape, *(np.shape(v) for v in (a, b)))
    data = np.where(condition._data.astype(bool, copy=False), a, b)
    r = _make(np.asarray(data).astype(rt._np, copy=False), rt, dev)
    if grad_state.enabled and any(t._requires_grad for t in ts):
        c = condition

        def bwd(node, g):
            z = g.new_zeros(())
            return (None, where(c, g, z) if needs(node, 1) else None,
                    where(c, z, g) if needs(node, 2) else None)
        attach('WhereBackward0', guard(bwd, condition), (None, input if isinstance(input, Tensor) else None,
                                       other if isinstance(other, Tensor) else None), (r,))
    return r


def _scalar_to(v, dt):
    """A Python number as torch's Scalar.to<T> converts it for a kernel (its errors name C++ types)."""
    if not isinstance(v, (bool, int, float, complex)):
        return v
    try:
        return _fill_value(v, dt)
    except RuntimeError as e:
        raise RuntimeError(str(e).replace('double', _HALF_NAMES.get(dt.name, 'double'))) from None


_HALF_NAMES = {'float16': 'c10::Half', 'bfloat16': 'c10::BFloat16'}


def masked_fill(input, mask, value, _inplace=False):
    if input.dtype in _F8:
        raise _f8_refuse('masked_fill', input)
    if not _inplace and isinstance(mask, Tensor):       # torch expands the two before masked_fill_
        try:
            broadcast_shapes(mask._data.shape, input._data.shape)
        except RuntimeError:
            raise _broadcast_error(mask._data, input._data) from None
    vt = value if isinstance(value, Tensor) else None
    if vt is not None and vt._data.ndim:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{vt._data.ndim} dimension(s).")
    if mask.dtype is not D.bool:
        if input._device.type == 'cuda':       # torch's CUDA kernel checks the mask itself
            raise RuntimeError(f"masked_fill only supports boolean masks, but got dtype {D.type_name(mask.dtype)}")
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_dtype_c10(mask.dtype)}")
    if _inplace:
        try:
            shape = tuple(broadcast_shapes(input._data.shape, mask._data.shape))
        except RuntimeError:
            raise _broadcast_error(input._data, mask._data) from None
        if shape != input._data.shape:
            raise RuntimeError(f"output with shape {list(input._data.shape)} doesn't match the broadcast shape "
                               f"{list(shape)}")
    if input.dtype in D.BARE_UINTS:
        raise kernel_error('masked_fill', input.dtype, input._device)
    # the value converted to self's dtype as torch's Scalar is, with its errors
    v = _scalar_to(value, input.dtype) if vt is None else vt._data
    if vt is not None and vt.dtype.is_complex and not input.dtype.is_complex:
        _scalar_to(vt.item(), input.dtype)
    try:
        data = np.where(mask._data, np.cast(v, input.dtype._np), input._data)
    except ValueError:
        raise _broadcast_error(mask._data, input._data) from None
    r = _make(data, input.dtype, input._device)      # out of place, the mask may broadcast the input
    if grad_state.enabled and (input._requires_grad or (vt is not None and vt._requires_grad)):
        def bwd(node, g):
            gi = g.masked_fill(mask, 0) if needs(node, 0) else None
            gv = g.masked_select(mask).sum() if needs(node, 2) else None
            return gi, None, gv
        attach('MaskedFillBackward1' if vt is not None else 'MaskedFillBackward0', guard(bwd, mask),
               (input, None, vt), (r,))
    return r


def masked_select(input, mask):
    if mask.dtype is not D.bool:
        raise RuntimeError('masked_select: expected BoolTensor for mask')
    m = np.broadcast_to(mask._data, broadcast_shapes(mask._data.shape, input._data.shape))
    a = np.broadcast_to(input._data, m.shape)
    if input.dtype in D.BARE_UINTS and m.size:
        raise kernel_error('masked_select', input.dtype, input._device)
    r = _make(a[m.astype(bool)], input.dtype, input._device)
    if grad_state.enabled and input._requires_grad:
        shape = input._data.shape

        def bwd(node, g):
            full = np.zeros(m.shape, g._data.dtype, like=g._data)
            full[m.astype(bool)] = g._data
            full = linear_grad('MaskedScatterBackward0', _make(full, g.dtype, g._device), g,
                               lambda gg: masked_select(gg, mask))
            return full.sum_to_size(shape)
        attach('MaskedSelectBackward0', guard(bwd, mask), (input,), (r,))
    return r


def nonzero(input, *, as_tuple=False):
    if input.dtype in _F8:
        raise _f8_refuse('nonzero', input)
    if input.dtype in D.BARE_UINTS:
        raise kernel_error('nonzero_count_cpu', input.dtype, input._device)
    idx = np.nonzero(input._data) if input._data.ndim else np.nonzero(input._data.reshape(1))
    if as_tuple:
        if input._data.ndim == 0:
            return (_make(idx[0].astype(np.int64), D.int64, input._device),)
        return tuple(_make(i.astype(np.int64), D.int64, input._device) for i in idx)
    data = np.stack(idx, axis=1).astype(np.int64) if input._data.ndim else \
        np.zeros((len(idx[0]), 0), np.int64)
    return _make(data, D.int64, input._device)


def clone(input, *, memory_format=None):
    return _clone(input, _format_name(memory_format, 'clone', input._data.ndim, 'preserve_format'))


def _clone(input, fmt):
    r = _make(_copy_as(input._data, fmt), input.dtype, input._device)
    if input._requires_grad and grad_state.enabled:
        attach('CloneBackward0', lambda node, g: g, (input,), (r,))
    return r


def contiguous(self, memory_format=None):
    fmt = _format_name(memory_format, 'contiguous', self._data.ndim, 'contiguous_format')
    if self.is_contiguous(memory_format=memory_format):
        return self
    if fmt == 'preserve_format':
        raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
    return _clone(self, fmt)


def _format_name(memory_format, fname, ndim, default):
    """A memory_format argument's name (default for None), after torch's type and rank checks."""
    if memory_format is None:
        return default
    name = getattr(memory_format, 'name', None)
    if type(memory_format).__name__ != 'memory_format' or name is None:
        raise TypeError(f"{fname}(): argument 'memory_format' must be torch.memory_format, not "
                        f"{type(memory_format).__name__}")
    order = _CHANNELS_LAST_ORDER.get(name)
    if order is not None and ndim != len(order):
        raise RuntimeError(f"required rank {len(order)} tensor to use {name} format")
    return name


def _copy_as(data, fmt):
    """A copy of data laid out in memory format fmt ('preserve_format': as torch lays out a copy)."""
    st = _format_strides(data, fmt)
    if st is None:
        return data.copy(order='C')
    buf = np.empty(max(data.size, 1), data.dtype, like=data)
    r = np.lib.stride_tricks.as_strided(buf, data.shape, tuple(s * data.itemsize for s in st))
    r[...] = data
    return r


def _chunk_cat(tensors, dim, num_chunks, *, out=None):
    """Each tensor split into num_chunks along dim (zero-padded to a multiple), chunk i of every tensor
    flattened past dim and concatenated: (sizes before dim..., num_chunks, total)."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("_chunk_cat expects a non-empty input tensor list")
    if num_chunks < 1:
        raise RuntimeError("_chunk_cat expects positive num_chunks")
    ref = tensors[0]._data
    if dim < 0 and any(t._data.ndim != ref.ndim for t in tensors):     # a negative dim means nothing then
        raise RuntimeError("_chunk_cat expects non-negative dim when input tensors have different ndims")
    d = _wrap_dim(dim, ref.ndim)
    parts = []
    for t in tensors:
        a = t._data
        if t.dtype is not tensors[0].dtype:
            raise RuntimeError("_chunk_cat expects all input tensors with the same dtype")
        if d >= a.ndim:
            raise RuntimeError("_chunk_cat expects dim < ndim for all input tensors")
        if a.shape[:d] != ref.shape[:d]:
            raise RuntimeError("_chunk_cat expects same sizes of 0,...,dim-1 dimensions for all tensors")
        if a.size == 0:
            raise RuntimeError("_chunk_cat expects non-empty tensor")
        size = -(-a.shape[d] // num_chunks)
        pad = [(0, 0)] * a.ndim
        pad[d] = (0, size * num_chunks - a.shape[d])
        a = np.pad(a, pad)
        parts.append(a.reshape(a.shape[:d] + (num_chunks, size * int(np.prod(a.shape[d + 1:])))))
    r = _make(np.concatenate(parts, axis=d + 1), tensors[0].dtype, tensors[0]._device)
    if grad_state.enabled and any(t._requires_grad for t in tensors):
        def bwd(node, g):
            raise RuntimeError("derivative for aten::_chunk_cat is not implemented")
        attach('NotImplemented', bwd, tuple(tensors), (r,))
    return write_out(out, r, '_chunk_cat') if out is not None else r


def _suggest_memory_format(data):
    if data.ndim == 4 and not data.flags.c_contiguous and data.transpose(0, 2, 3, 1).flags.c_contiguous:
        return 'channels_last'
    return 'contiguous_format'


def _to_copy(self, dtype, device, copy=False, memory_format=None):
    data = self._data
    if device is not self._device:
        data = to_device_array(data, device)
    if dtype is not self.dtype:
        if dtype._cat == 1 and self.dtype in D.float8_nan_int_zero:
            data = np.where(data != data, np.float32(0), data)
        elif self.dtype in D.float8_types and dtype not in D.float8_types and type(data) is np.ndarray:
            # NaNs as torch widens them (on the host only: float8 on a GPU is rare)
            data = _float8.widen(self.dtype.name, data, dtype.name)
        data = data.astype(D.np_dtype(dtype))
    elif data is self._data:        # one copy, in the requested layout
        data, memory_format = _copy_as(data, memory_format or 'preserve_format'), None
    if memory_format is not None:
        data = _copy_as(data, memory_format)
    r = _make(data, dtype, device)
    if self._requires_grad and grad_state.enabled and (dtype._cat >= 2):
        src_dt, src_dev = self.dtype, self._device
        attach('ToCopyBackward0', lambda node, g: g.to(src_dev, src_dt), (self,), (r,))
    return r


# torch's overloads of Tensor.to (Module.to parses the same), as its messages list them
_TO_SIGS = ('(torch.device device = None, torch.dtype dtype = None, bool non_blocking = False, bool copy = False, '
            '*, torch.memory_format memory_format = None)',
            '(torch.dtype dtype, bool non_blocking = False, bool copy = False, *, '
            'torch.memory_format memory_format = None)',
            '(Tensor tensor, bool non_blocking = False, bool copy = False, *, '
            'torch.memory_format memory_format = None)')


def _to_args(args, kwargs):
    """(index of the overload, {name: value}) of to()'s arguments, or torch's TypeError."""
    if args and isinstance(args[0], (bool, float, complex)):
        args = (type(args[0]),) + args[1:]      # a leading Python scalar names its type's dtype, as torch reads it
    return _parse_args('to', _TO_SIGS, args, kwargs)


_DEVICE_DTYPE = frozenset(('device', 'dtype'))


def _parse_to(args, kwargs):
    """(dtype, device, copy, memory_format) of Tensor.to's arguments (None: unchanged)."""
    # the common forms, without the general parser: one positional argument, or a device and a dtype
    if len(args) == 1 and not kwargs:
        a = args[0]
        if isinstance(a, D.dtype):
            return a, None, False, None
        if isinstance(a, Tensor):
            return a.dtype, a._device, False, None
        if isinstance(a, (str, _device_cls)):
            return None, _to_device(a), False, None
    elif len(args) == 2 and not kwargs or not args and kwargs.keys() <= _DEVICE_DTYPE:
        dev, dtype = args if args else (kwargs.get('device'), kwargs.get('dtype'))
        if (dtype is None or isinstance(dtype, D.dtype)) and (dev is None or isinstance(dev, (str, _device_cls))):
            return dtype, None if dev is None else _to_device(dev), False, None
    v = _to_args(args, kwargs)[1]
    t = v.get('tensor')
    if t is not None:
        dtype, dev = t.dtype, t._device
    else:
        dtype, dev = _dtype_arg(v['dtype'], 'to'), v.get('device')
    return dtype, None if dev is None else _to_device(dev), v['copy'], v['memory_format']


def to(self, *args, **kwargs):
    dtype, dev, copy, fmt = _parse_to(args, kwargs)
    dtype = dtype or self.dtype
    dev = dev or self._device
    if dev.type != 'cpu':
        check_device(dev)
    fmt = _format_name(fmt, 'to', self._data.ndim, 'preserve_format')
    # torch aliases when only the suggested memory format (not exact contiguity) already matches
    same_format = fmt == 'preserve_format' or _suggest_memory_format(self._data) == fmt
    if dtype is self.dtype and dev is self._device and not copy and same_format:
        return self
    return _to_copy(self, dtype, dev, memory_format=None if fmt == 'preserve_format' else fmt)


def _caster(dt):
    def f(self, memory_format=None):
        if memory_format is None:
            return to(self, dt)
        return to(self, dt, memory_format=memory_format)
    return f


def type_(self, dtype=None, non_blocking=False, **kwargs):
    if dtype is None:
        prefix = 'torch.' if self._device.type == 'cpu' else 'torch.cuda.'
        return prefix + D.type_name(self.dtype) + 'Tensor'     # also for dtypes without a legacy class
    if isinstance(dtype, str):
        module, _, name = dtype.rpartition('.')
        inv = {v: k for k, v in D.legacy_names.items()}
        if name not in inv or module not in ('torch', 'torch.cuda'):
            raise ValueError(f"invalid type: '{dtype}'")
        dt = D._by_name(inv[name])
        if '.cuda.' in dtype:
            from .. import cuda as _cuda
            _cuda._lazy_type_init()
            return to(self, 'cuda', dt)
        return to(self, 'cpu', dt)
    if isinstance(dtype, type) and hasattr(dtype, '_legacy_dtype'):
        if getattr(dtype, 'is_cuda', False):
            from .. import cuda as _cuda
            _cuda._lazy_type_init()
            return to(self, 'cuda', dtype._legacy_dtype)
        return to(self, dtype._legacy_dtype)
    if dtype is Tensor:             # the legacy class of the default dtype
        return to(self, D.get_default_dtype())
    if isinstance(dtype, type):     # unlike to(), type() takes no Python type for a dtype
        raise ValueError(f"invalid type: '{dtype.__name__}'")
    if not isinstance(dtype, D.dtype):
        raise TypeError("dtype must be a type, str, or dtype object")
    return to(self, dtype)


def cpu(self, memory_format=None):
    return to(self, 'cpu')


def cuda(self, device=None, non_blocking=False, memory_format=None):
    if isinstance(device, int) and device < 0:
        raise RuntimeError('Device index must not be negative')
    dev = _device_cls('cuda' if device is None else device)   # an int means the current accelerator's
    if dev.type != 'cuda':
        raise RuntimeError('Invalid device, must be cuda device')
    return to(self, dev)


def copy_(self, src, non_blocking=False):
    check_inplace(self)
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not {type(src).__name__}")
    try:
        data = np.broadcast_to(to_device_array(src._data, self._device), self._data.shape)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({self._data.shape[-1] if self._data.ndim else 1}) must "
                           f"match the size of tensor b ({src._data.shape[-1]}) at non-singleton dimension "
                           f"{self._data.ndim - 1}") from None
    r = _make(data.astype(self.dtype._np, copy=False), self.dtype, self._device)
    if grad_state.enabled and (src._requires_grad or self._requires_grad):
        sdt, sdev = src.dtype, src._device
        attach('CopyBackwards', lambda node, g: (g * 0, g.to(sdev, sdt)), (self if self._requires_grad else None, src), (r,))
    return commit_inplace(self, r)


def fill_(self, value, _node=None):
    check_inplace(self)
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value._data.ndim} dimensions.")
    v = value._data if isinstance(value, Tensor) else value
    if self.dtype._cat == 1 and (v.__class__ is int or v.__class__ is float):
        # torch's Scalar conversion: an int is read as int64 or uint64, then checked against the dtype
        # (negatives wrap into an unsigned one)
        if v.__class__ is int and not -_2_63 <= v < _2_64:
            raise _int_overflow(v)
        v = _fill_value(v, self.dtype)
    if self.dtype is D.bfloat16:
        v = D.round_bf16(v)
    elif self.dtype._fix is not None:       # float8: torch checks a number's range, then rounds it
        if not isinstance(value, Tensor) and _node != 'ZeroBackward0':
            _fill_value(value, self.dtype)
        v = self.dtype._fix(np.asarray(v, np.float32))
    if grad_state.enabled and (self._requires_grad or (self._view_fn is not None and self._base._requires_grad)
                               or getattr(value, '_requires_grad', False)):     # (a detached tensor is no view)
        r = _make(np.full(self._data.shape, v, self.dtype._np, like=self._data), self.dtype, self._device)
        vt = value if isinstance(value, Tensor) else None
        # the filled tensor stays in the graph: zeros flow back to its old values, the sum to a tensor value
        attach(_node or ('FillBackward3' if vt is not None else 'FillBackward2'),
               lambda node, g: (zero_grad(g) if needs(node, 0) else None,
                                g.sum() if needs(node, 1) else None), (self, vt), (r,))
        return commit_inplace(self, r)
    write_into(self._data, v, fill=True)
    self._vc[0] += 1
    return self


def zero_(self):
    return fill_(self, 0, 'ZeroBackward0')


def fill_diagonal_(self, fill_value, wrap=False):
    """torch's: fill_ on an as_strided view of the main diagonal and, wrapping a tall matrix, on
    one of the diagonals restarting every width + 1 rows (so autograd sees CopySlices)."""
    if isinstance(fill_value, Tensor) and not fill_value._data.ndim:
        fill_value = fill_value.item()
    if isinstance(fill_value, Tensor) or not isinstance(fill_value, (int, float, complex)):
        raise TypeError(f"fill_diagonal_(): argument 'fill_value' (position 1) must be Number, not "
                        f"{type(fill_value).__name__}")
    shape = self._data.shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    height, width = shape[0], shape[1]
    if len(shape) > 2 and any(n != height for n in shape[1:]):
        raise RuntimeError("all dimensions of input must be of equal length")
    size, step = min(height, width), sum(self.stride())
    offset = self.storage_offset()
    self.as_strided((size,), (step,), offset).fill_(fill_value)
    if wrap and len(shape) == 2 and height > width + 1:
        n = (self.numel() + width) // (width + 1) - size
        self.as_strided((n,), (step,), offset + self.stride(0) * (width + 1)).fill_(fill_value)
    return self


def _storage_of(a):
    """(flat storage, offset in elements) of an array: the C-contiguous array owning its memory."""
    root = a
    while getattr(root, 'base', None) is not None:      # as_strided results hang off a non-array
        root = root.base
    if root is a or not isinstance(root, a.__class__) or root.dtype != a.dtype or not root.flags.c_contiguous:
        return (a.reshape(-1) if a.flags.c_contiguous else None), 0
    ptr = (lambda x: x.__array_interface__['data'][0]) if isinstance(a, np.ndarray) else (lambda x: x.data.ptr)
    return root.reshape(-1), (ptr(a) - ptr(root)) // a.itemsize


def resize_(self, *sizes, memory_format=None):
    """Keep the storage where it is large enough (the tensor stays a view of it), else grow it,
    keeping its contents; new elements are uninitialised in torch (zeros here)."""
    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    shape = tuple(int(n) for n in (sizes[0] if len(sizes) == 1 and isinstance(sizes[0], (tuple, list))
                                   else sizes))
    if any(n < 0 for n in shape):
        raise RuntimeError("numel: integer multiplication overflow")
    fmt = getattr(memory_format, 'name', 'contiguous_format')
    if fmt == 'channels_last' and len(shape) != 4:
        raise RuntimeError("required rank 4 tensor to use channels_last format")
    if shape == self._data.shape and fmt != 'channels_last':
        return self
    order = (0, 2, 3, 1) if fmt == 'channels_last' else tuple(range(len(shape)))
    stride, step = [0] * len(shape), 1
    for d in reversed(order):
        stride[d], step = step, step * shape[d]
    need = 1 + sum((n - 1) * st for n, st in zip(shape, stride)) if all(shape) else 0
    flat, off = _storage_of(self._data)
    if flat is None or off + need > flat.size:       # torch reallocates the storage, keeping its bytes
        old = flat[off:] if flat is not None else self._data.reshape(-1)
        flat, off = xp_of(self._device).zeros(need, self._data.dtype), 0
        k = min(need, old.size)
        flat[:k] = old[:k]
        self._base, self._view_fn = None, None
    item = flat.itemsize
    self._data = xp_of(self._device).lib.stride_tricks.as_strided(flat[off:], shape, tuple(st * item for st in stride))
    self._vc[0] += 1
    return self


def resize_as_(self, the_template, *, memory_format=None):
    return resize_(self, the_template._data.shape, memory_format=memory_format)


def nonzero_static(input, *, size, fill_value=-1):
    if size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    found = nonzero(input)._data[:size] if input._data.ndim else \
        np.zeros((int(input._data != 0), 0), np.int64, like=input._data)[:size]     # torch's 0-d path: no kernel
    data = np.full((size, input._data.ndim), fill_value, np.int64, like=found)
    data[:found.shape[0]] = found
    return _make(data, D.int64, input._device)


def new_tensor(self, data, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    from .factory import tensor, _requires_grad_error, _copy_construct
    if requires_grad.__class__ is not bool:
        raise _requires_grad_error('new_tensor', requires_grad)
    if isinstance(data, Tensor):
        return _copy_construct(data, dtype or self.dtype, device or self._device, requires_grad, 'tensor.new_tensor')
    return tensor(data, dtype=dtype or self.dtype, device=device or self._device, requires_grad=requires_grad)


def _uint_flip_refused(input, ds):
    """Whether torch's flip kernel meets a uint16/32/64 tensor: it has no loop for them, but its row-copy
    path (the innermost dim that has more than one element is contiguous and not flipped) needs none."""
    a = input._data
    eff = [d for d in range(a.ndim) if a.shape[d] > 1]
    if a.size <= 1 or not any(d in ds for d in eff):
        return False        # nothing to flip: a copy
    st = input.stride()
    inner = min(eff, key=lambda d: abs(st[d]))
    return inner in ds or st[inner] != 1


def flip(input, dims):
    if input.dtype in _F8:
        raise _f8_refuse('flip', input)
    ds = _dims(dims, input._data.ndim, empty_is_all=False)
    if input.dtype in D.BARE_UINTS and _uint_flip_refused(input, ds):
        raise kernel_error('flip_cpu', input.dtype, input._device)
    r = _make(np.flip(input._data, ds).copy(), input.dtype, input._device)
    if input._requires_grad and grad_state.enabled:
        attach('FlipBackward0', lambda node, g: g.flip(ds), (input,), (r,))
    return r


def _join_out(out, r, tensors, name):
    """The cat family's out=: torch refuses one it cannot cast the inputs to with a TypeError of its own."""
    if isinstance(out, Tensor) and r.dtype is not out.dtype and not D.can_cast(r.dtype, out.dtype):
        raise TypeError(f"torch.cat(): input types can't be cast to the desired output type {D.type_name(out.dtype)}")
    assert_no_overlap(out, *tensors)
    return write_out(out, r, name)


def _cat_out(f):
    def g(tensors, *args, out=None, **kwargs):
        r = f(tensors, *args, **kwargs)
        return r if out is None else _join_out(out, r, tensors, f.__name__)
    g.__name__ = f.__name__
    return g


register(cat, method=False)       # (cat and stack take out= themselves: a wrapper's *args cost their small calls 2k instructions)
register(stack, method=False)
for _f in (hstack, vstack):
    register(_cat_out(_f), method=False)
for _f in (where, masked_select, nonzero):
    register(with_out(_f, overlap=_f is masked_select))
register(cat, name='concat', method=False)
register(cat, name='concatenate', method=False)
for _f in (masked_fill,):
    register(_f, inplace=True)


def _flip_method(self, *args, dims=None):
    """Tensor.flip takes its dims as one sequence or spread out (torch.flip only the first)."""
    if dims is None:
        if not args:
            raise TypeError('flip() missing 1 required positional arguments: "dims"')
        dims = args[0] if len(args) == 1 else args
    return flip(self, dims)


register(clone)
register(flip, method=False)
Tensor.flip = _flip_method
for _f in (contiguous, to, cpu, cuda, copy_, fill_, zero_, fill_diagonal_, new_tensor, resize_):
    register(_f, function=False)
register(resize_as_)
register(nonzero_static)
register(_chunk_cat, method=False)
Tensor.type = type_
for _n, _dt in (('float', D.float32), ('double', D.float64), ('half', D.float16), ('long', D.int64),
                ('int', D.int32), ('short', D.int16), ('char', D.int8), ('byte', D.uint8),
                ('bool', D.bool), ('cfloat', D.complex64), ('cdouble', D.complex128), ('bfloat16', D.bfloat16)):
    setattr(Tensor, _n, _caster(_dt))


def _masked_fill_(self, mask, value):
    if self._device.type == 'cuda' and isinstance(mask, Tensor) and mask.dtype is D.bool:
        from .shape import expand_mask     # CUDA's kernel expands the mask (CPU's broadcasts the output)
        expand_mask(mask, self._data.shape)
    check_inplace(self)
    return commit_inplace(self, masked_fill(self, mask, value, _inplace=True))


Tensor.masked_fill_ = _masked_fill_
Tensor.where = lambda self, condition, y: where(condition, self, y)    # the method takes self as input

from ..autograd._functions.tensor import resize as _resize, resize_as as _resize_as  # noqa: E402
from . import shape as _shape  # noqa: E402
_shape.cat, _shape.stack = cat, stack

Tensor.resize = _resize
Tensor.resize_as = _resize_as


def set_(self, source=None, storage_offset=0, size=None, stride=None):
    """Make self a tensor over source's memory: another tensor's (its sizes and strides too), or a storage's
    from storage_offset with the size and stride given (contiguous by default, all of it by default); with no
    source, an empty tensor."""
    from ..storage import UntypedStorage, TypedStorage
    from .._rebuild import _typed_array, _strided
    check_inplace(self)
    if source is None:
        data = np.empty(0, self._data.dtype, like=self._data)
    elif isinstance(source, Tensor):
        if source.dtype is not self.dtype:
            raise RuntimeError(f"Could not set tensor of type {_dtype_c10(source.dtype)} to a tensor of type "
                               f"{_dtype_c10(self.dtype)}")
        data = source._data.view()
    elif isinstance(source, (UntypedStorage, TypedStorage)):
        arr, _ = _typed_array(source.untyped() if isinstance(source, TypedStorage) else source, self.dtype)
        if size is None:
            size = (arr.size - storage_offset,) if storage_offset is not None else (arr.size,)
        size = tuple(size)
        if stride is None:
            stride, acc = [], 1
            for n in reversed(size):
                stride.insert(0, acc)
                acc *= n
        data = _strided(arr, storage_offset, size, tuple(stride), self.dtype.itemsize)
    else:
        raise TypeError(f"set_(): argument 'source' must be Tensor or Storage, not {type(source).__name__}")
    self._data = data
    self._storage_offset = storage_offset if isinstance(source, (UntypedStorage, TypedStorage)) else \
        source.storage_offset() if source is not None else 0
    self._vc[0] += 1
    return self


def is_set_to(self, tensor):
    """True when both tensors view the same memory with the same sizes and strides."""
    return (self._data.shape == tensor._data.shape and self.stride() == tensor.stride()
            and self.dtype is tensor.dtype and self.data_ptr() == tensor.data_ptr())


Tensor.set_ = set_
Tensor.is_set_to = is_set_to


def module_load(self, other, assign=False):
    """How nn.Module.load_state_dict puts a state-dict value into a parameter or buffer."""
    return other.detach() if assign else self.copy_(other).detach()


def reinforce(self, reward):
    raise RuntimeError(
        "reinforce() was removed.\nUse torch.distributions instead.\nSee https://pytorch.org/docs/main/"
        "distributions.html\n\nInstead of:\n\nprobs = policy_network(state)\naction = probs.multinomial()\n"
        "next_state, reward = env.step(action)\naction.reinforce(reward)\naction.backward()\n\nUse:\n\n"
        "probs = policy_network(state)\n# NOTE: categorical is equivalent to what used to be called multinomial\n"
        "m = torch.distributions.Categorical(probs)\naction = m.sample()\nnext_state, reward = env.step(action)\n"
        "loss = -m.log_prob(action) * reward\nloss.backward()\n")


Tensor.module_load = module_load
Tensor.reinforce = reinforce


# --- smaller Tensor methods ----------------------------------------------------------------------------

def _python_scalar_store(dtype):
    """How apply_/map_ turn the function's return value into an element: as torch reads a Python
    number into a Scalar (ints through __index__, floats truncated), then converts it, with its
    overflow check for integer types (uint8 wraps around)."""
    if dtype.is_floating_point or dtype.is_complex:
        def store(v):
            if isinstance(v, Tensor):
                return v.item()
            if not (isinstance(v, complex) and dtype.is_complex) and not hasattr(type(v), '__float__') \
                    and not hasattr(type(v), '__index__'):
                raise TypeError(f"must be real number, not {type(v).__name__}")
            return v if isinstance(v, complex) else float(v)
        return store
    info = np.iinfo(dtype._np) if dtype is not D.bool else None

    def store(v):
        v = v.item() if isinstance(v, Tensor) else v
        if isinstance(v, float):
            if info is None:
                return v != 0
            v = int(v)
        else:
            v = operator.index(v)
            if not -2 ** 63 <= v < 2 ** 63:
                raise ValueError("Overflow when unpacking long long")
            if info is None:
                return v != 0
        lo, hi = (-256, 256) if dtype is D.uint8 else (info.min, info.max + 1)
        if not lo <= v < hi:
            raise RuntimeError(f"value cannot be converted to type {dtype.name} without overflow")
        return v % 256 if dtype is D.uint8 else v
    return store


def _elementwise_python(name):
    """apply_/map_/map2_: a Python function over every element (CPU tensors, as in torch), in place."""
    def method(self, *args):
        *others, fn = args
        if self._device.type != 'cpu':
            raise TypeError(f"{name} is only implemented on CPU tensors")
        if self._requires_grad or any(o._requires_grad for o in others):
            raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use var.detach().{name}() instead.")
        for o, arg in zip(others, ("'other'",) if len(others) == 1 else ("argument 'x'", "argument 'y'")):
            if o.dtype is not self.dtype:
                raise TypeError(f"{name}: expected {D.type_str(self.dtype)} for {arg} (got {D.type_str(o.dtype)})")
        flat = self._data.reshape(-1) if self._data.flags.c_contiguous else None
        values = [o.expand_as(self)._data.reshape(-1).tolist() for o in others]
        store = _python_scalar_store(self.dtype)
        out = [store(fn(*v)) for v in zip(self._data.reshape(-1).tolist(), *values)]
        with np.errstate(over='ignore'):     # a float beyond the dtype's range stores inf, as in torch
            new = np.asarray(out, dtype=self._data.dtype).reshape(self._data.shape)
        if self.dtype._fix is not None or self.dtype is D.bfloat16:
            new = D.round_to(self.dtype, new)
        if flat is not None:
            flat[...] = new.reshape(-1)
        else:
            self._data[...] = new
        self._vc[0] += 1
        return self
    method.__name__ = name
    return method


def is_nonzero(input):
    if input.numel() != 1:
        raise RuntimeError(f"Boolean value of Tensor with {'no values' if input.numel() == 0 else 'more than one value'} "
                           "is ambiguous")
    return input.item() != 0


register(is_nonzero)


def _dim_order(self, *, ambiguity_check=False):
    """The dims from outermost to innermost in memory (largest stride first; ties keep their order)."""
    strides = self.stride()
    return tuple(sorted(range(self.dim()), key=lambda d: -strides[d]))


def _volatile(self):
    import warnings
    warnings.warn("volatile was removed (Variable.volatile is always False)", stacklevel=2)
    return False


def _xpu(self, device=None, non_blocking=False, memory_format=None):
    raise AssertionError("Torch not compiled with XPU enabled")


Tensor.apply_ = _elementwise_python('apply_')
Tensor.map_ = _elementwise_python('map_')
Tensor.map2_ = _elementwise_python('map2_')
Tensor.is_same_size = lambda self, other: self.shape == other.shape
Tensor.output_nr = property(lambda self: self._output_nr)
Tensor.dim_order = _dim_order
Tensor.const_data_ptr = Tensor.data_ptr
Tensor.volatile = property(_volatile)
Tensor.name = property(lambda self: None)
Tensor.is_xla = property(lambda self: False)
Tensor.is_distributed = lambda self: False
Tensor.xpu = _xpu


def _record_stream(self, stream):
    """Mark a CUDA tensor as used on `stream`: faketorch queues all work on the current stream, whose
    memory pool frees nothing early, so there is nothing to record."""
    from ..cuda.streams import Stream
    if self._device.type == 'cuda' and isinstance(stream, Stream):
        return None
    raise RuntimeError("unknown parameter type")


Tensor.record_stream = _record_stream
