"""Tensor factories: tensor, as_tensor, from_numpy, zeros/ones/empty/full (+_like), arange,
linspace, eye, new_*, and the legacy constructors (torch.Tensor(...), torch.FloatTensor ...)."""
import math
import numbers

from .. import _xnp as np

from .. import _dtype as D
from .._device import device as _device_cls, cpu as _cpu, default as _default, xp_of, to_device_array, check_device
from .._tensor import Tensor, Size, _make
from ._core import register, write_out


def _dev(device):
    if device is None:
        d = _default[0]
        return _cpu if d is None or d.type == 'cpu' else d
    d = _device_cls(device)
    if d.type != 'cpu':
        check_device(d)
        from .. import cuda
        if d.index is None:
            d = _device_cls('cuda', cuda.current_device())
    return d


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"zeros(): argument 'size' (position 1) must be tuple of ints, but found "
                            f"element of type {type(s).__name__} at pos {len(out)}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"[{', '.join(str(int(x)) for x in size)}]")
        out.append(int(s))
    return tuple(out)


def _finish(data, dtype, device, requires_grad):
    dev = _dev(device)
    if dev is not _cpu:
        data = to_device_array(data, dev)
    t = _make(data, dtype, dev)
    if requires_grad:
        if dtype._cat < 2:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._requires_grad = True
    return t


def _infer_dtype(data):
    """torch's dtype inference for nested Python data."""
    if isinstance(data, Tensor):
        return data.dtype
    if isinstance(data, np.ndarray):
        return D.from_numpy_dtype(data.dtype)
    if isinstance(data, (bool, np.bool_)):
        return D.bool
    if isinstance(data, (int, np.integer)):
        return D.int64 if isinstance(data, int) else D.from_numpy_dtype(type(data))
    if isinstance(data, (float, np.floating)):
        # np.float64 subclasses float, yet keeps its own dtype in torch
        return D.from_numpy_dtype(type(data)) if isinstance(data, np.floating) else D.get_default_dtype()
    if isinstance(data, (complex, np.complexfloating)):
        return D.default_complex()
    if isinstance(data, (list, tuple)):
        best = None
        for x in data:
            d = _infer_dtype(x)
            if best is None or d._cat > best._cat:
                best = d
            elif d._cat == best._cat and isinstance(x, Tensor) and d._rank > best._rank:
                best = d
        return best or D.get_default_dtype()
    if isinstance(data, str):      # a string inside a sequence (a bare one is refused earlier)
        raise ValueError("too many dimensions 'str'")
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


def _to_array(data, dtype):
    if isinstance(data, Tensor):
        return data._data.astype(D.np_dtype(dtype), copy=True) if not isinstance(data._data, np.ndarray) \
            else np.array(data._data, D.np_dtype(dtype))
    if isinstance(data, (list, tuple)):
        _check_ragged(data)
        if any(isinstance(x, Tensor) for x in _flat_iter(data)):
            data = _tensors_to_values(data)
    try:
        return np.array(data, dtype=D.np_dtype(dtype))
    except OverflowError:
        raise RuntimeError(f"value cannot be converted to type {dtype.name} without overflow") from None


def _flat_iter(data):
    for x in data:
        if isinstance(x, (list, tuple)):
            yield from _flat_iter(x)
        else:
            yield x


def _tensors_to_values(data):
    if isinstance(data, (list, tuple)):
        return [_tensors_to_values(x) for x in data]
    if isinstance(data, Tensor):
        if data._data.ndim == 0:
            return data.item()
        return _tensors_to_values(data.tolist())
    return data


def _check_ragged(data, dim=0):
    if not data or not isinstance(data[0], (list, tuple)):
        for x in data:
            if isinstance(x, (list, tuple)):      # a sequence after a scalar: torch's wording
                raise TypeError(f"'{type(x).__name__}' object cannot be interpreted as an integer")
            if isinstance(x, str):
                raise ValueError("too many dimensions 'str'")
            if not isinstance(x, (numbers.Number, Tensor, np.generic, np.ndarray)):
                raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
        return
    n = len(data[0])
    for x in data:
        if not isinstance(x, (list, tuple)):
            raise TypeError(f"not a sequence")
        if len(x) != n:
            raise ValueError(f"expected sequence of length {n} at dim {dim + 1} (got {len(x)})")
    for x in data:
        _check_ragged(x, dim + 1)


_KIND_DTYPE = {'b': lambda: D.bool, 'i': lambda: D.int64, 'u': lambda: D.int64,
               'f': D.get_default_dtype, 'c': D.default_complex}


def _fast_array(data):
    """np.array of plain nested Python numbers, or None when torch's slower rules are needed."""
    if not isinstance(data, (list, tuple)):
        return None
    try:
        arr = np.array(data)
    except (ValueError, TypeError, RuntimeError):
        return None
    if arr.dtype.kind not in 'biufc' or arr.dtype.kind == 'u':
        return None
    return arr


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    if isinstance(data, str):
        raise TypeError("new(): invalid data type 'str'")
    arr = _fast_array(data) if isinstance(data, (list, tuple)) and \
        not (data and isinstance(data[0], (Tensor, np.generic, np.ndarray))) else None
    if arr is not None and (arr.size or arr.ndim == 1):
        dt = dtype or (_KIND_DTYPE[arr.dtype.kind]() if arr.size else D.get_default_dtype())
        return _finish(arr.astype(D.np_dtype(dt), copy=False), dt, device, requires_grad)
    dt = dtype or _infer_dtype(data)
    dev = device if device is not None else (data._device if isinstance(data, Tensor) else None)
    return _finish(_to_array(data, dt), dt, dev, requires_grad)


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor):
        return data.to(dtype=dtype, device=device) if dtype or device else data
    if isinstance(data, np.ndarray):
        t = from_numpy(data) if data.dtype.kind in 'biufc' and data.dtype.byteorder in '=|' else tensor(data)
        return t.to(dtype=dtype, device=device) if dtype or device else t
    return tensor(data, dtype=dtype, device=device)


def from_numpy(ndarray):
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    return _make(ndarray, D.from_numpy_dtype(ndarray.dtype))


_warned_readonly = []


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-d tensor over a Python buffer's memory (no copy), as torch.frombuffer."""
    n = memoryview(buffer).nbytes
    size = dtype.itemsize
    if n == 0 or count == 0:
        raise ValueError(f"both buffer length ({n}) and count ({count}) must not be 0")
    if not 0 <= offset < n:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than buffer length ({n} "
                         f"bytes) minus 1")
    if count < 0:
        if (n - offset) % size:
            raise ValueError(f"buffer length ({n - offset} bytes) after offset ({offset} bytes) must be a multiple "
                             f"of element size ({size})")
        count = (n - offset) // size
    elif offset + count * size > n:
        raise ValueError(f"requested buffer length ({count} * {size} bytes) after offset ({offset} bytes) must not "
                         f"be greater than actual buffer length ({n} bytes)")
    if dtype is D.bfloat16:     # its float32 array cannot be the buffer's memory: a converted copy
        arr = D.bf16_from_bits(np.frombuffer(buffer, np.uint16, count, offset))
    else:
        arr = np.frombuffer(buffer, D.np_dtype(dtype), count, offset)
    if not arr.flags.writeable:
        if not _warned_readonly:
            _warned_readonly.append(True)
            import warnings
            warnings.warn("The given buffer is not writable, and PyTorch does not support non-writable tensors. "
                          "This means you can write to the underlying (supposedly non-writable) buffer using the "
                          "tensor. You may want to copy the buffer to protect its data or make it writable before "
                          "converting it to a tensor. This type of warning will be suppressed for the rest of this "
                          "program.", UserWarning, stacklevel=2)
    t = _make(arr, dtype)
    return t.requires_grad_() if requires_grad else t


def _make_shared(arr):
    """A tensor around an array from elsewhere (DLPack), sharing its memory."""
    from .._device import device_of_array
    return _make(arr, D.from_numpy_dtype(arr.dtype), device_of_array(arr))


def _dlpack(self, *, stream=None, max_version=None, dl_device=None, copy=None):
    if self._requires_grad:
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    if self.dtype is D.bfloat16:
        raise BufferError("faketorch: bfloat16 tensors cannot be exported through DLPack (their array is "
                          "float32: NumPy has no bfloat16)")
    kw = {k: v for k, v in (('stream', stream), ('max_version', max_version), ('dl_device', dl_device),
                            ('copy', copy)) if v is not None}
    return self._data.__dlpack__(**kw)


def _dlpack_device(self):
    from ..utils.dlpack import DLDeviceType
    if self._device.type == 'cuda':
        return (DLDeviceType.kDLCUDA, self._device.index or 0)
    return (DLDeviceType.kDLCPU, 0)


Tensor.__dlpack__ = _dlpack
Tensor.__dlpack_device__ = _dlpack_device


def from_dlpack(ext_tensor):
    from ..utils.dlpack import from_dlpack as f
    return f(ext_tensor)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    t = as_tensor(obj, dtype=dtype, device=device)
    if copy:
        t = t.clone()
    if requires_grad:
        t.requires_grad_(True)
    return t


def _filler(name, npf):
    def f(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
        shape = _size(size)
        dt = dtype or (out.dtype if out is not None else D.get_default_dtype())
        t = _finish(npf(shape, D.np_dtype(dt)), dt, device, requires_grad)
        return write_out(out, t, name) if out is not None else t
    f.__name__ = name
    return f


zeros = _filler('zeros', np.zeros)
ones = _filler('ones', np.ones)
empty = _filler('empty', np.zeros)   # zero-filled: deterministic where torch's is garbage


def _strided_zeros(shape, stride, np_dtype):
    """Zeros with the given element strides, over a storage just large enough (as torch's)."""
    need = 1 + sum((n - 1) * st for n, st in zip(shape, stride)) if all(shape) else 0
    item = np.dtype(np_dtype).itemsize
    return np.lib.stride_tricks.as_strided(np.zeros(need, np_dtype), shape, tuple(st * item for st in stride))


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        raise RuntimeError(f"dimensionality of sizes ({len(size)}) must match dimensionality of strides "
                           f"({len(stride)})")
    shape = _size((size,))
    if any(st < 0 for st in stride):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)} and "
                           f"strides={list(stride)}")
    dt = dtype or D.get_default_dtype()
    return _finish(_strided_zeros(shape, stride, D.np_dtype(dt)), dt, device, requires_grad)


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None, requires_grad=False,
                   pin_memory=False):
    """A tensor of shape `size` whose memory runs over its dims in the order `physical_layout`."""
    shape, perm = _size((tuple(size),)), tuple(physical_layout)
    if len(shape) != len(perm):
        raise RuntimeError(f"Number of dimensions in size does not match the length of the physical_layout; "
                           f"i.e. len(size) = {len(shape)} is not equal to len(physical_layout) = {len(perm)}")
    seen = set()
    for i, p in enumerate(perm):
        if not 0 <= p < len(shape):
            raise RuntimeError(f"Dimension out of range (expected to be between 0 and {len(shape) - 1}, but got "
                               f"{p} at index {i}).  NB: negative dims not currently supported; file an issue "
                               f"if you want it.")
        if p in seen:
            raise RuntimeError("Duplicate dim not allowed")
        seen.add(p)
    dt = dtype or D.get_default_dtype()
    data = np.zeros(tuple(shape[p] for p in perm), D.np_dtype(dt)).transpose(np.argsort(perm))
    return _finish(data, dt, device, requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dt = dtype or D.result_type_of((), (fill_value,))
    t = _finish(np.full(_size((size,)), fill_value, D.np_dtype(dt)), dt, device, requires_grad)
    return write_out(out, t, 'full') if out is not None else t


def _dense_order(a):
    """Axes, slowest first, of a non-overlapping dense array that is not C-contiguous (a transpose,
    a permute); None otherwise. torch's *_like keep such strides (preserve_format), and random
    fills then draw in that memory order."""
    if a.ndim < 2 or a.flags.c_contiguous:
        return None
    order = sorted(range(a.ndim), key=lambda i: -a.strides[i])
    step = a.itemsize
    for i in reversed(order):
        if a.shape[i] != 1 and a.strides[i] != step:
            return None
        step *= a.shape[i]
    return order


def _like(f):
    def g(input, *args, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
          pin_memory=False):
        keep = getattr(memory_format, 'name', 'preserve_format') == 'preserve_format'
        order = _dense_order(input._data) if keep else None
        shape = input._data.shape if order is None else tuple(input._data.shape[i] for i in order)
        t = f(shape, *args, dtype=dtype or input.dtype,
              device=device if device is not None else input._device, requires_grad=requires_grad)
        if order is not None:
            t._data = t._data.transpose(tuple(np.argsort(order).tolist()))
        return t
    g.__name__ = f.__name__ + '_like'
    return g


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)
full_like = _like(full)


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        dtype = D.get_default_dtype() if any(isinstance(v, float) for v in vals) else D.int64
    for v in vals:
        if isinstance(v, float) and not math.isfinite(v):
            raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (step > 0 and start > end) or (step < 0 and start < end):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = math.ceil((end - start) / step)
    if dtype._cat >= 2:
        data = (start + np.arange(n, dtype=np.float64) * step).astype(D.np_dtype(dtype))
    else:
        data = (int(start) + np.arange(n, dtype=np.int64) * int(step) if all(isinstance(v, int) for v in vals)
                else np.floor(start + np.arange(n) * step)).astype(D.np_dtype(dtype))
    t = _finish(data, dtype, device, requires_grad)
    return write_out(out, t, 'arange') if out is not None else t


def range_(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False, out=None):
    if end is None:
        start, end = 0, start
    dtype = dtype or D.get_default_dtype()
    n = int(math.floor((end - start) / step)) + 1
    t = _finish((start + np.arange(n, dtype=np.float64) * step).astype(D.np_dtype(dtype)), dtype,
                device, requires_grad)
    return t


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    start = start.item() if isinstance(start, Tensor) else start
    end = end.item() if isinstance(end, Tensor) else end
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dtype = dtype or D.get_default_dtype()
    if steps == 1:
        data = np.array([start], np.float64)
    elif dtype is D.float16 or dtype is D.bfloat16:
        data = _linspace_16(start, end, steps, dtype)
    else:
        # torch fills the first half forward from start and the second half backward from end
        i = np.arange(steps, dtype=np.float64)
        step = (end - start) / (steps - 1)
        half = steps // 2
        data = np.where(i < half, start + i * step, end - (steps - 1 - i) * step)
    if dtype._cat < 2:
        data = np.trunc(data)
    t = _finish(data.astype(D.np_dtype(dtype)), dtype, device, requires_grad)
    return write_out(out, t, 'linspace') if out is not None else t


def _linspace_16(start, end, steps, dtype):
    """torch's linspace kernel for half and bfloat16: the step and every value are computed in
    that type (c10's Half/BFloat16 operators round each result; an int operand is converted
    to the type first)."""
    f = (lambda v: np.asarray(v, np.float32).astype(np.float16).astype(np.float32)) if dtype is D.float16 \
        else (lambda v: D.round_bf16(np.asarray(v, np.float32)))
    s, e = f(start), f(end)
    step = f(f(e - s) / f(steps - 1))
    i = np.arange(steps)
    return np.where(i < steps // 2, f(s + f(step * f(i))), f(e - f(step * f(steps - i - 1))))


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False, out=None):
    lin = linspace(start, end, steps, dtype=D.float64)
    dtype = dtype or D.get_default_dtype()
    return _finish(np.power(base, lin._data).astype(D.np_dtype(dtype)), dtype, device, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
        pin_memory=False):
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    dtype = dtype or D.get_default_dtype()
    t = _finish(np.eye(n, m if m is not None else n, dtype=D.np_dtype(dtype)), dtype, device, requires_grad)
    return write_out(out, t, 'eye') if out is not None else t


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    dtype = dtype or D.get_default_dtype()
    return _finish(np.asarray(s, D.np_dtype(dtype)), dtype, device, requires_grad)


# --- new_* methods ---------------------------------------------------------------------------------
def _new(f, with_value=False):
    def g(self, *args, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
        if with_value:
            size, value = args
            return f(size, value, dtype=dtype or self.dtype,
                     device=device if device is not None else self._device, requires_grad=requires_grad)
        return f(*args, dtype=dtype or self.dtype, device=device if device is not None else self._device,
                 requires_grad=requires_grad)
    return g


Tensor.new = lambda self, *args, device=None: _legacy_new(Tensor, self.dtype, args, device or self._device)
Tensor.new_zeros = _new(zeros)
Tensor.new_ones = _new(ones)
Tensor.new_empty = _new(empty)
Tensor.new_full = _new(full, with_value=True)


def _new_empty_strided(self, size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                       pin_memory=False):
    return empty_strided(size, stride, dtype=dtype or self.dtype,
                         device=device if device is not None else self._device, requires_grad=requires_grad)


Tensor.new_empty_strided = _new_empty_strided


def _legacy_new(cls, dtype, args, device=None):
    """torch.Tensor(...) / torch.FloatTensor(...): sizes, a sequence, or nothing."""
    if len(args) == 1 and isinstance(args[0], Tensor):
        src = args[0]
        if src.dtype is not dtype:
            raise TypeError(f"expected {D.legacy_names.get(dtype.name)} (got {D.legacy_names.get(src.dtype.name)})")
        t = src.detach()
    elif len(args) == 1 and isinstance(args[0], (list, tuple, np.ndarray)) and not isinstance(args[0], Size):
        t = tensor(args[0], dtype=dtype, device=device)
    elif not args:
        t = zeros(0, dtype=dtype, device=device)
    elif all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args) or \
            (len(args) == 1 and isinstance(args[0], Size)):
        t = zeros(_size(args), dtype=dtype, device=device)
    else:
        raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")
    if cls is not Tensor:
        new = object.__new__(cls)
        for k in Tensor.__slots__:
            if k not in ('__dict__', '__weakref__'):
                setattr(new, k, getattr(t, k))
        return new
    return t


class _LegacyMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls._legacy_dtype and obj._device.type == 'cpu'


def _legacy_class(dt):
    def __new__(cls, *args, device=None):
        return _legacy_new(Tensor, dt, args, device)
    return _LegacyMeta(D.legacy_names[dt.name], (), {'__new__': __new__, '_legacy_dtype': dt,
                                                      '__module__': 'torch'})


legacy_classes = {D.legacy_names[d.name]: _legacy_class(d) for d in D.all_dtypes if d.name in D.legacy_names}

for _f in (tensor, as_tensor, from_numpy, from_dlpack, frombuffer, asarray, zeros, ones, empty, full, zeros_like, ones_like,
           empty_like, full_like, arange, linspace, logspace, eye, scalar_tensor, empty_strided,
           empty_permuted):
    register(_f, method=False)
register(range_, name='range', method=False)
