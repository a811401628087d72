"""Tensor factories: tensor, as_tensor, from_numpy, zeros/ones/empty/full (+_like), arange,
linspace, eye, new_*, and the legacy constructors (torch.Tensor(...), torch.FloatTensor ...)."""
import collections.abc
import itertools
import math
import numbers
import operator

import numpy as _np

from .. import _xnp as np

from .. import _dtype as D
from .._device import device as _device_cls, cpu as _cpu, default as _default, xp_of, to_device_array, check_device, on
from .._tensor import Tensor, Size, _make, _CHANNELS_LAST_ORDER
from ._core import register, write_out, kernel_error, warn_once


def _to_device(dev):
    """dev as a torch.device, a CUDA one with its index (the current device's; 0 where CUDA is
    unavailable, for the caller's check_device to refuse)."""
    dev = _device_cls(dev)
    if dev.type == 'cuda' and dev.index is None:
        from .. import cuda
        dev = _device_cls('cuda', cuda.current_device() if cuda.is_available() else 0)
    return dev


def _dev(device):
    """A factory's device: the default device for None; checked as torch checks it."""
    if device is None:
        d = _default[0]
        return _cpu if d is None or d.type == 'cpu' else d
    d = _device_cls(device)
    if d.type != 'cpu':
        check_device(d)
        d = _to_device(d)
    return d


def _is_int(x):
    """torch's THPUtils_checkIndex: anything with __index__ but a bool."""
    if isinstance(x, (bool, np.bool_)):
        return False
    try:
        operator.index(x)
    except TypeError:
        return False
    return True


def _size(size, fname, arg='size', pos=1, check_negative=True):
    """A factory's `*size` as torch's argument parser reads it: ints (varargs), or one
    tuple/list/Size of ints; then torch's check for negative sizes."""
    flat = size[0] if len(size) == 1 and type(size[0]) in (tuple, Size) else size
    if size:        # the usual case, past the parser's checks (a loop: all() over a generator costs more)
        for s in flat:
            if type(s) is not int or s < 0:
                break
        else:
            return tuple(flat)
    from ..random import _tp_name
    if not size:
        raise TypeError(f'{fname}() missing 1 required positional arguments: "size"')
    if not _is_int(size[0]):
        if len(size) > 1:
            raise TypeError(f"{fname}() takes 1 positional argument but {len(size)} were given")
        size = size[0]
        if not isinstance(size, (tuple, list)):
            raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be tuple of ints, not "
                            f"{_tp_name(size)}")
        if size and not _is_int(size[0]):      # the parser looks at the first element only
            raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be tuple of ints, but found "
                            f"element of type {_tp_name(size[0])} at pos 0")
    for i, s in enumerate(size):
        if not _is_int(s):
            raise TypeError(f"{fname}(): argument '{arg}' failed to unpack the object at pos {i + 1} with error "
                            f"\"type must be tuple of ints,but got {_tp_name(s)}\"")
    out = tuple(operator.index(s) for s in size)
    if check_negative and any(s < 0 for s in out):
        if fname == 'zeros':        # torch's zeros checks before it allocates
            raise RuntimeError("zeros: Dimension size must be non-negative.")
        s = next(s for s in out if s < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {s}: [{', '.join(map(str, out))}]")
    return out


def _requires_grad_error(fname, requires_grad):
    from ..random import _tp_name
    return TypeError(f"{fname}(): argument 'requires_grad' must be bool, not {_tp_name(requires_grad)}")


def _finish(data, dtype, device, requires_grad, fname):
    """The tensor a factory named fname returns."""
    if requires_grad.__class__ is not bool:
        raise _requires_grad_error(fname, requires_grad)
    dev = device if device is _cpu else _dev(device)
    if dev is not _cpu and not np._gpu(data):      # (an array _built_on the GPU is there already)
        data = to_device_array(data, dev)
    t = _make(data, dtype, dev)
    if requires_grad:
        if dtype._cat < 2:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._requires_grad = True
    return t


_PY_NUMBERS = frozenset((bool, int, float, complex))
_MAX_DIMS = 64


def _np_dtype_of(arr):
    """The torch dtype of a NumPy array (torch.tensor / from_numpy's checks)."""
    if not arr.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte order. Conversion "
                         "between byte orders is currently not supported.")
    try:
        return D.from_numpy_dtype(arr.dtype)
    except TypeError:   # torch names the NumPy scalar type (numpy.str_), not the dtype (str32)
        raise TypeError(f"can't convert np.ndarray of type numpy.{arr.dtype.type.__name__}. The only supported "
                        "types are: float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
                        "uint64, uint32, uint16, uint8, and bool.") from None


def _is_sequence(x):
    """PySequence_Check, the test torch's parser applies to data: any type with item access that is
    not a mapping (deque, array.array, bytearray, UserList, a class defining __getitem__); a Tensor
    and a NumPy scalar only have mapping access."""
    if isinstance(x, (list, tuple, range, str, np.ndarray)):
        return True
    t = type(x)
    return hasattr(t, '__getitem__') and not issubclass(t, (Tensor, np.generic, dict, type)) \
        and not isinstance(x, collections.abc.Mapping)


def _infer_dtype(data):
    """torch's infer_scalar_type: each leaf's own dtype (a Python float the default one),
    combined over a sequence with promote_types."""
    if isinstance(data, Tensor):
        return data.dtype
    if isinstance(data, np.ndarray):
        return _np_dtype_of(data)
    if isinstance(data, np.generic):
        return _np_dtype_of(np.asarray(data))
    if isinstance(data, float):
        return D.get_default_dtype()
    if isinstance(data, bool):
        return D.bool
    if isinstance(data, int):
        return D.int64
    if isinstance(data, complex):
        return D.default_complex()
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if _is_sequence(data):
        best = None
        for x in data:
            best = _infer_dtype(x) if best is None else D.promote_types(best, _infer_dtype(x))
            if best is D.complex128:
                break
        return best or D.get_default_dtype()
    raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")


def _compute_sizes(data):
    """torch's compute_sizes: the lengths along the first element at each depth (a tensor is a leaf)."""
    sizes = []
    while _is_sequence(data):
        n = len(data)
        sizes.append(n)
        if len(sizes) > _MAX_DIMS:
            raise ValueError(f"too many dimensions '{type(data).__name__}'")
        if not n:
            break
        data = data[0]
    return sizes


def _leaves(data, sizes, dim, out):
    """torch's recursive_store walk: the leaves in order, each sequence checked against sizes."""
    if dim == len(sizes):
        out.append(data)
        return
    try:
        seq = data if isinstance(data, (list, tuple)) else list(data)
    except TypeError:
        raise TypeError("not a sequence") from None
    if len(seq) != sizes[dim]:
        raise ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} (got {len(seq)})")
    if any(type(x) is _np.ndarray for x in seq):        # torch's recursive_store warns once per process
        warn_once("Creating a tensor from a list of numpy.ndarrays is extremely slow. Please consider converting "
                  "the list to a single numpy.ndarray with numpy.array() before converting to a tensor. (Triggered "
                  "internally at /__w/pytorch/pytorch/torch/csrc/utils/tensor_new.cpp:252.)", None)
    for x in seq:
        _leaves(x, sizes, dim + 1, out)


def _unpack_long(x):
    v = operator.index(x)       # as PyLong_AsLongLong: a float tensor, a list ... raise TypeError
    if not -2 ** 63 <= v < 2 ** 63:
        raise ValueError("Overflow when unpacking long long")
    return v


def _as_double(x):
    """PyFloat_AsDouble: __float__, else __index__."""
    if not isinstance(x, float) and not hasattr(type(x), '__float__') and not hasattr(type(x), '__index__'):
        from ..random import _tp_name
        raise TypeError(f"must be real number, not {_tp_name(x)}")
    return float(x)


def _as_complex(x):
    return complex(x) if isinstance(x, complex) or hasattr(type(x), '__complex__') else complex(_as_double(x))


def _as_bool(x):
    if isinstance(x, (float, complex, np.bool_)):
        return bool(x)
    return bool(operator.index(x))      # an int out of int64's range is True, unchecked


def _as_uint64(x):
    if not isinstance(x, int):
        raise TypeError("an integer is required")
    if x < 0:
        raise OverflowError("can't convert negative int to unsigned")
    if x >= 2 ** 64:
        raise OverflowError("int too big to convert")
    return x


def _int_store(dt):
    """c10::checked_convert to an integer dtype: a float must lie in range (NaN never does); an
    unsigned type also takes negatives down to -max, wrapping them."""
    info = np.iinfo(D.np_dtype(dt))
    lo, hi = (info.min, info.max) if dt.is_signed else (-info.max, info.max)

    def store(x):
        if isinstance(x, float):
            if not float(info.min) <= x <= float(info.max):
                raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow")
            v = int(x)
            return v if v <= info.max else info.min     # 2.0**63 casts to int64's minimum (x86)
        v = _unpack_long(x)
        if not lo <= v <= hi:
            raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow")
        return v
    return store


def _store(dt):
    if dt is D.bool:
        return _as_bool
    if dt is D.uint64:
        return _as_uint64
    if dt._cat == 1:
        return _int_store(dt)
    return _as_double if dt._cat == 2 else _as_complex


def _fits(arr, dt):
    """Would every value of arr (from Python numbers) pass torch's checked conversion to dt?"""
    kind = arr.dtype.kind
    if not arr.size or dt is D.bool or dt._cat == 3 or (dt._cat == 2 and kind != 'c'):
        return True
    if dt._cat == 2 or kind == 'c':
        return False
    if kind == 'b':
        return True
    info = np.iinfo(D.np_dtype(dt))
    lo, hi = arr.min().item(), arr.max().item()
    if dt is D.uint64:          # takes Python ints only, none negative
        return kind == 'i' and lo >= 0
    if kind == 'f':
        return float(info.min) <= lo and hi <= float(info.max)     # False for NaN
    return lo >= (info.min if dt.is_signed else -info.max) and hi <= info.max


def _all_numbers(data, ndim):
    """Are data's leaves all Python numbers, nested in lists, tuples and ranges only?"""
    level = [data]
    for _ in range(ndim):
        if not set(map(type, level)) <= _SEQUENCES:
            return False
        level = list(itertools.chain.from_iterable(level))
    return set(map(type, level)) <= _PY_NUMBERS


_SEQUENCES = frozenset((list, tuple, range, Size))

_KIND_DTYPE = {'b': lambda: D.bool, 'i': lambda: D.int64, 'f': D.get_default_dtype, 'c': D.default_complex}


def _fast_array(data, dtype):
    """np.array of nested Python numbers and its dtype, when NumPy's conversion gives torch's
    result; None otherwise (the element-wise path then gives torch's result or error)."""
    try:
        arr = np.array(data)
    except (ValueError, TypeError, OverflowError, RuntimeError):
        return None
    if arr.dtype.kind not in 'bifc' or not _all_numbers(data, arr.ndim):
        return None
    if dtype is None:
        return arr, _KIND_DTYPE[arr.dtype.kind]()
    return (arr, dtype) if _fits(arr, dtype) else None


def _from_data(data, dtype):
    """torch's internal_new_from_data for Python data: sizes, then the dtype, then each leaf stored."""
    sizes = _compute_sizes(data)
    dt = dtype or _infer_dtype(data)
    leaves = []
    if math.prod(sizes):
        _leaves(data, sizes, 0, leaves)
    store = _store(dt)
    vals = [store(x) for x in leaves]
    npd = D.np_dtype(dt)
    if dt._cat == 1 and dt is not D.uint64:     # negatives for unsigned types wrap on the cast
        return np.array(vals, np.int64).astype(npd).reshape(sizes), dt
    return np.array(vals, npd if dt._cat != 2 else np.float64).astype(npd, copy=False).reshape(sizes), dt


def _dtype_arg(dtype, fname):
    """torch's parsing of a dtype= argument: a torch.dtype, or Python's float/int/bool/complex."""
    if dtype is None or isinstance(dtype, D.dtype):
        return dtype
    d = _PY_DTYPES.get(dtype) if isinstance(dtype, type) else None
    if d is None:
        raise TypeError(f"{fname}(): argument 'dtype' must be torch.dtype, not {type(dtype).__name__}")
    return d


_PY_DTYPES = {float: D.float64, int: D.int64, bool: D.bool, complex: D.complex128}


def _copy_construct(data, dtype, device, requires_grad, how):
    """torch.tensor(t) / x.new_tensor(t) on a Tensor: a detached copy, after torch's warning that names
    the call made (`how`)."""
    import warnings
    warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
                  f"sourceTensor.detach().clone().requires_grad_(True), rather than {how}(sourceTensor).",
                  UserWarning, stacklevel=3)
    dt = dtype or data.dtype
    dev = device if device is not None else data._device
    return _finish(data._data.astype(D.np_dtype(dt), copy=True), dt, dev, requires_grad, 'tensor')


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    dtype = _dtype_arg(dtype, 'tensor')
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if isinstance(data, Tensor):
        return _copy_construct(data, dtype, device, requires_grad, 'torch.tensor')
    if isinstance(data, np.ndarray):
        _no_negative_strides(data)
        dt = dtype or _np_dtype_of(data)
        return _finish(np.array(data, D.np_dtype(dt)), dt, device, requires_grad, 'tensor')
    fast = _fast_array(data, dtype)
    arr, dt = fast if fast is not None else _from_data(data, dtype)
    return _finish(arr.astype(D.np_dtype(dt), copy=False), dt, device, requires_grad, 'tensor')


def as_tensor(data, dtype=None, device=None):
    dtype = _dtype_arg(dtype, 'as_tensor')
    if isinstance(data, Tensor):
        return data.to(dtype=dtype, device=device) if dtype or device else data
    if isinstance(data, np.ndarray):
        t = from_numpy(data) if data.dtype.kind in 'biufc' and data.dtype.byteorder in '=|' else tensor(data)
        device = device or _default[0]       # torch's as_tensor honours set_default_device
        return t.to(dtype=dtype, device=device) if dtype or device else t
    return tensor(data, dtype=dtype, device=device)


def from_numpy(ndarray):
    if not isinstance(ndarray, np.ndarray):
        from ..random import _tp_name
        raise TypeError(f"expected np.ndarray (got {_tp_name(ndarray)})")
    _no_negative_strides(ndarray)
    if not ndarray.flags.writeable:
        warn_once("The given NumPy array is not writable, and PyTorch does not support non-writable tensors. This "
                  "means writing to this tensor will result in undefined behavior. You may want to copy the array to "
                  "protect its data or make it writable before converting it to a tensor. This type of warning will "
                  "be suppressed for the rest of this program. (Triggered internally at "
                  "/__w/pytorch/pytorch/torch/csrc/utils/tensor_numpy.cpp:213.)", None)
    return _make(ndarray, _np_dtype_of(ndarray))


def _no_negative_strides(a):
    if any(s < 0 for s in a.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with negative strides "
                         "are not currently supported. (You can probably work around this by making a copy of your "
                         "array  with array.copy().) ")


_warned_readonly = []


def frombuffer(buffer, *, dtype=None, count=-1, offset=0, requires_grad=False):
    """A 1-d tensor over a Python buffer's memory (no copy), as torch.frombuffer."""
    if dtype is None:
        raise TypeError('frombuffer() missing 1 required positional arguments: "dtype"')
    if requires_grad.__class__ is not bool:
        raise _requires_grad_error('frombuffer', requires_grad)
    try:
        n = memoryview(buffer).nbytes
    except TypeError:
        raise ValueError("object does not implement Python buffer protocol.") from None
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


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=None):
    """torch.asarray: aliases a tensor, array or buffer where it can (copy=False insists on it)."""
    if requires_grad is not None and requires_grad.__class__ is not bool:
        raise _requires_grad_error('asarray', requires_grad)
    dtype = _dtype_arg(dtype, 'asarray')
    if isinstance(obj, (bytes, bytearray, memoryview)):
        obj = frombuffer(obj, dtype=dtype or D.get_default_dtype())
    elif isinstance(obj, np.ndarray):
        obj = from_numpy(obj)
    elif not isinstance(obj, Tensor):
        if copy is False:
            raise ValueError("can't alias arbitrary sequence into a tensor.")
        return tensor(obj, dtype=dtype, device=device, requires_grad=bool(requires_grad))
    if copy is False and dtype is not None and dtype is not obj.dtype:
        raise ValueError(f"can't alias tensor with dtype '{D.type_name(obj.dtype)}' into dtype "
                         f"'{D.type_name(dtype)}'.")
    t = obj.to(dtype=dtype, device=device)
    if copy and t is obj:
        t = t.clone()
    # unspecified, requires_grad follows obj's (torch 2.13)
    rg = obj.requires_grad if requires_grad is None else bool(requires_grad)
    if rg != t.requires_grad:
        t = t.detach()
        if rg:
            if t.dtype._cat < 2:
                raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
            t.requires_grad_()
    return t


def _out_dtype(dtype, out):
    """A factory's dtype given out=: an explicit one must be out's, none means out's."""
    if out is None:
        return dtype
    if dtype is not None and dtype is not out.dtype:
        raise RuntimeError(f"dtype {D.type_name(dtype)} does not match dtype of out parameter "
                           f"({D.type_name(out.dtype)})")
    return out.dtype


def _built_on(dev, npf, *args):
    """npf(*args) (a NumPy constructor) made by the device's own library (a GPU's array on the GPU: no
    host array, no copy, which from pageable host memory would also wait for the GPU's queue)."""
    if dev is _cpu:
        return npf(*args)
    with on(dev):
        return getattr(xp_of(dev), npf.__name__)(*args)


def _filler(name, npf):
    def f(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None, **kw):
        shape = _size(size, name) if not kw else _size_keyword(name, size, kw)
        if dtype is None and out is None and device is None and _default[0] is None \
                and requires_grad is False:     # the usual call, with its checks and lookups inline
            dt = D._default[0]
            return _make(npf(shape, dt._np if dt._np is not None else D.np_dtype(dt)), dt)
        dt = _out_dtype(_dtype_arg(dtype, name), out) or D.get_default_dtype()
        dev = _dev(device)
        npdt = D.np_dtype(dt)
        t = _finish(npf(shape, npdt) if dev is _cpu else _built_on(dev, npf, shape, npdt), dt, dev, requires_grad, name)
        return write_out(out, t, name) if out is not None else t
    f.__name__ = f.__qualname__ = name
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
    for arg, pos, v in (('size', 1, size), ('stride', 2, stride)):
        if _is_int(v):      # no varargs here: a bare int is refused
            raise TypeError(f"empty_strided(): argument '{arg}' (position {pos}) must be tuple of ints, not int")
    shape = _size((size,), 'empty_strided', check_negative=False)
    stride = _size((stride,), 'empty_strided', 'stride', 2, check_negative=False)
    if len(shape) != len(stride):
        raise RuntimeError(f"dimensionality of sizes ({len(shape)}) must match dimensionality of strides "
                           f"({len(stride)})")
    shape = _size((shape,), 'empty_strided')
    if any(st < 0 for st in stride):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)} and "
                           f"strides={list(stride)}")
    dt = dtype or D.get_default_dtype()
    return _finish(_strided_zeros(shape, stride, D.np_dtype(dt)), dt, device, requires_grad, 'empty_strided')


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None, requires_grad=False,
                   pin_memory=False):
    """A tensor of shape `size` whose memory runs over its dims in the order `physical_layout`."""
    shape, perm = _size((tuple(size),), 'empty_permuted'), tuple(physical_layout)
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
    return _finish(data, dt, device, requires_grad, 'empty_permuted')


# c10's names for checked_convert's overflow message
_C10_NAMES = {'uint8': 'uint8_t', 'int8': 'int8_t', 'int16': 'int16_t', 'int32': 'int', 'int64': 'int64_t',
              'uint16': 'uint16_t', 'uint32': 'uint32_t', 'uint64': 'uint64_t', 'float32': 'float',
              'complex32': 'c10::complex<c10::Half>', 'complex64': 'c10::complex<float>'}
_FILL_LIMIT = {'float32': 3.4028234663852886e38, 'complex64': 3.4028234663852886e38, 'complex32': 65504.0}


def _fill_value(v, dt):
    """A Python scalar converted to dt as torch's Scalar.to<T> does (c10::checked_convert): a value
    out of range raises where NumPy would wrap or overflow; negatives wrap for unsigned types."""
    if dt is D.bool:
        return bool(v)
    if v.__class__ is float and (dt is D.float64 or dt is D.float32 and not abs(v) > _FILL_LIMIT['float32']):
        return v        # the usual case, in range

    def bad():
        name = _C10_NAMES.get(dt.name, 'double')
        return RuntimeError(f"value cannot be converted to type {name} without overflow")
    if isinstance(v, complex):
        if dt._cat < 3 and v.imag:
            raise bad()
        parts = (v.real, v.imag) if dt._cat == 3 else (v.real,)
    else:
        parts = (v,)
    if dt._cat == 1:
        info = np.iinfo(D.np_dtype(dt))
        x = parts[0]
        if isinstance(x, float):
            if not (0 if not dt.is_signed else info.min) <= x <= float(info.max):      # False for NaN
                raise bad()
        elif not (info.min if dt.is_signed else -info.max) <= x <= info.max:
            raise bad()
        x = int(x)
        return x + (1 << 8 * dt.itemsize) if x < 0 and not dt.is_signed else x
    limit = _FILL_LIMIT.get(dt.name)
    if limit and any(math.isfinite(x) and abs(x) > limit for x in parts):
        raise bad()
    if dt.itemsize == 1 and dt._cat == 2:       # float8: out of [lowest, max], inf where it has none
        lo, hi = _F8_RANGE[dt.name]
        x = parts[0]
        if not (lo <= x <= hi or x != x or math.isinf(x) and dt is D.float8_e5m2):
            raise RuntimeError(f"value cannot be converted to type c10::{D.type_name(dt)} without overflow")
    return v if dt._cat == 3 else parts[0]


_F8_RANGE = {'float8_e4m3fn': (-448.0, 448.0), 'float8_e5m2': (-57344.0, 57344.0),
             'float8_e4m3fnuz': (-240.0, 240.0), 'float8_e5m2fnuz': (-57344.0, 57344.0),
             'float8_e8m0fnu': (2.0 ** -127, 2.0 ** 127)}


def _full(fname, size, fill_value, dtype, device, requires_grad):
    from ..random import _tp_name
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"{fname}(): argument 'size' (position 1) must be tuple of ints, not {_tp_name(size)}")
    if isinstance(fill_value, Tensor) and fill_value.dim() == 0:
        fill_value = fill_value.item()
    if not isinstance(fill_value, numbers.Number):
        raise TypeError(f"{fname}(): argument 'fill_value' (position 2) must be Number, not {_tp_name(fill_value)}")
    dtype = _dtype_arg(dtype, fname)
    dt = dtype or D.result_type_of((), (fill_value,))
    dev = _dev(device)
    with np.errstate(over='ignore'):        # float16 / bfloat16 overflow to inf, unchecked
        data = _built_on(dev, np.full, _size((size,), fname), _fill_value(fill_value, dt), D.np_dtype(dt))
    return _finish(data, dt, dev, requires_grad, fname)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    t = _full('full', size, fill_value, dtype, device, requires_grad)
    return write_out(out, t, 'full') if out is not None else t


def _dense_strides(shape, strides):
    """Element strides of torch's preserve_format copy: the input's own when its elements are
    non-overlapping and dense, else its dims' order by stride, compacted (as torch's
    infer_dense_strides: an insertion sort in which stride-0 dims compare as ties and equal strides
    put the smaller size inside)."""
    n = len(shape)
    need = 1
    for i in sorted((i for i in range(n) if shape[i] > 1), key=lambda i: strides[i]):
        if strides[i] != need:
            break
        need *= shape[i]
    else:
        return tuple(strides)

    def cmp(a, b):
        sa, sb = strides[a], strides[b]
        if sa == 0 or sb == 0:
            return 0
        return -1 if sa < sb else 1 if sa > sb or shape[a] > shape[b] else 0
    perm = list(range(n - 1, -1, -1))      # innermost first
    for i in range(1, n):
        j = i
        for k in range(i - 1, -1, -1):
            c = cmp(perm[k], perm[j])
            if c > 0:
                perm[k], perm[j] = perm[j], perm[k]
                j = k
            elif c < 0:
                break
    out, step = [0] * n, 1
    for i in perm:
        out[i] = step
        if shape[i] > 1:
            step *= shape[i]
    return tuple(out)


def _format_strides(a, fmt):
    """Element strides of a new tensor shaped as array a in memory format fmt (preserve_format: as
    torch lays out a copy of a); None for C order."""
    if fmt == 'preserve_format':
        if a.ndim < 2 or a.flags.c_contiguous and 1 not in a.shape:    # (NumPy's flag ignores size-1 dims)
            return None
        return _dense_strides(a.shape, tuple(s // a.itemsize for s in a.strides))
    order = _CHANNELS_LAST_ORDER.get(fmt)       # C innermost, then W, H(, D), N
    if order is None:
        return None
    st, step = [0] * a.ndim, 1
    for i in order:
        st[i] = step
        step *= a.shape[i]
    return tuple(st)


def _like(f):
    def g(input, *args, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
          pin_memory=False):
        if not isinstance(input, Tensor):
            from ..random import _tp_name
            raise TypeError(f"{g.__name__}(): argument 'input' (position 1) must be Tensor, not {_tp_name(input)}")
        if requires_grad.__class__ is not bool:
            raise _requires_grad_error(g.__name__, requires_grad)
        a = input._data
        st = _format_strides(a, getattr(memory_format, 'name', 'preserve_format'))
        # a layout other than C order: filled as a flat run (random fills draw in memory order, as torch's)
        t = f(a.shape if st is None else (a.size,), *args, dtype=dtype or input.dtype,
              device=device if device is not None else input._device, requires_grad=requires_grad)
        if st is not None:
            d = t._data
            t._data = np.lib.stride_tricks.as_strided(d, a.shape, tuple(s * d.itemsize for s in st))
        return t
    g.__name__ = f.__name__ + '_like'
    return g


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)
full_like = _like(full)


def _range_args(fname, names, vals):
    """start / end / step as Python numbers (a 0-d tensor gives its value), checked as torch's parser does."""
    from ..random import _tp_name
    out = []
    for name, pos, v in zip(names, range(1, 4), vals):
        if isinstance(v, Tensor) and v.dim() == 0:
            v = v.item()
        elif not isinstance(v, numbers.Number):
            raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be Number, not {_tp_name(v)}")
        out.append(v)
    if any(isinstance(v, complex) for v in out):
        raise RuntimeError("value cannot be converted to type double without overflow")
    return out


def _check_range_size(n):
    if n > 2 ** 63 - 1 or n != n:
        raise RuntimeError("invalid size, possible overflow?")


def _range_values(fname, dtype, start, step, n):
    """start + step * i in torch's accumulate type: int64 for integer dtypes (start and step truncated),
    float32 for half and bfloat16, double otherwise."""
    _check_range_size(n)
    if dtype._cat == 1:
        data = int(start) + np.arange(n, dtype=np.int64) * int(step)
    else:
        acc = np.float32 if dtype.itemsize == 2 else np.float64
        data = acc(start) + np.arange(n, dtype=acc) * acc(step)
    return data.astype(D.np_dtype(dtype))


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    args = (('end',), (start,)) if end is None and step == 1 else (('start', 'end', 'step'), (start, end, step))
    vals = _range_args('arange', *args)
    start, end, step = ([0] + vals + [1]) if end is None and len(vals) == 1 else vals
    dtype = _dtype_arg(dtype, 'arange')
    if dtype is None and isinstance(out, Tensor):        # torch computes in out's dtype
        dtype = out.dtype
    if dtype is None:
        floating = any(isinstance(v, (float, np.floating)) for v in (start, end, step))
        dtype = D.get_default_dtype() if floating else D.int64
    if dtype is D.bool or dtype._cat == 3 or dtype in D.float8_types or dtype in D.BARE_UINTS:
        raise kernel_error('arange_cpu', dtype)
    if out is not None and out.dtype in D.BARE_UINTS:       # torch computes in out's dtype
        raise kernel_error('arange_cpu', out.dtype)
    fstart, fend, fstep = float(start), float(end), float(step)
    if not (fstep > 0 or fstep < 0):
        raise RuntimeError("step must be nonzero")
    if dtype is D.int64 and not int(step):      # torch sizes an int64 arange from the truncated step
        raise ValueError("step must be nonzero")
    if not (math.isfinite(fstart) and math.isfinite(fend)):
        raise RuntimeError(f"unsupported range: {fstart:g} -> {fend:g}")
    if not ((fstep > 0 and fend >= fstart) or (fstep < 0 and fend <= fstart)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is D.int64:        # torch sizes an int64 arange in integers, from truncated bounds
        istart, iend, istep = int(start), int(end), int(step)
        n = abs(iend - istart + istep - (1 if istep > 0 else -1)) // abs(istep)
    else:
        n = math.ceil((fend - fstart) / fstep)
    if dtype is D.float32 or dtype is D.float64:
        _check_range_size(n)
        data = _arange_float(fstart, fstep, n, D.np_dtype(dtype))
    else:
        data = _range_values('arange', dtype, start, step, n)
    t = _finish(data, dtype, device, requires_grad, 'arange')
    return write_out(out, t, 'arange') if out is not None else t


def _fma(a, i, c):
    """a * i + c rounded once, as the FMA instructions torch's CPU kernels compile to: a a float, i a float64
    array of whole numbers (below 2**27), c a float or float64 array. Dekker's exact product (a split in
    26-bit halves) and Knuth's exact sum, then one rounding of the corrections."""
    a = float(a)
    t = a * 134217729.0
    ah = t - (t - a)
    al = a - ah
    with np.errstate(all='ignore'):
        p = a * i
        ep = (ah * i - p) + al * i
        s = p + c
        bb = s - p
        s += ((p - (s - bb)) + (c - bb)) + ep
    return s if math.isfinite(t) else a * i + c


def _arange_float(start, step, n, out):
    """torch's float32/float64 arange kernel: start + step * i in double with one rounding (FMA), through
    TensorIterator's vectorised loop: pairs of 32-byte vectors, each from its own base (rounded to the
    output type) stepped by step, and the last fewer-than-two vectors element by element. From 32768
    elements, at::parallel_for splits the range evenly over the threads and each chunk loops alone."""
    from .._misc import get_num_threads
    w = 32 // np.dtype(out).itemsize
    threads = min(get_num_threads(), -(-n // 32768)) if n > 32768 else 1
    chunk = -(-n // threads) if n else 1
    v = np.empty(n, out)
    lanes = np.arange(w, dtype=np.float64)
    for lo in range(0, n, chunk):
        hi = min(lo + chunk, n)
        m = lo + ((hi - lo) // (2 * w)) * 2 * w     # this chunk's vectorised part ends at m
        if m > lo:          # each vector from its base, the element-by-element value at its start
            base = _fma(step, np.arange(lo, m, w, dtype=np.float64), start).astype(out).astype(np.float64)
            v[lo:m] = _fma(step, lanes, base[:, None]).astype(out).reshape(-1)
        v[m:hi] = _fma(step, np.arange(m, hi, dtype=np.float64), start)      # element by element
    return v


def range_(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False, out=None):
    if end is None:
        raise TypeError('range() missing 1 required positional arguments: "end"')
    start, end, step = _range_args('range', ('start', 'end', 'step'), (start, end, step))
    dtype = _dtype_arg(dtype, 'range') or D.get_default_dtype()
    import warnings     # on every call, before the kernel's checks, as torch
    warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior is "
                  "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in "
                  "[start, end).", UserWarning, stacklevel=2)
    if dtype is D.bool or dtype._cat == 3 or dtype in D.BARE_UINTS:
        raise kernel_error('range_cpu', dtype)
    if out is not None and out.dtype in D.BARE_UINTS:       # torch computes in out's dtype
        raise kernel_error('range_cpu', out.dtype)
    if dtype._cat == 1:         # torch works in the accumulate type: integers, truncated
        start, end, step = int(start), int(end), int(step)
    if not (step > 0 or step < 0):
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {float(start):g} -> {float(end):g}")
    if not ((step > 0 and end >= start) or (step < 0 and end <= start)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = int((end - start) // step if dtype._cat == 1 else (end - start) / step) + 1
    t = _finish(_range_values('range', dtype, start, step, n), dtype, device, requires_grad, 'range')
    return write_out(out, t, 'range') if out is not None else t


_SPACE_OPTS = ('*, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, '
               'torch.device device = None, bool pin_memory = False, bool requires_grad = False')


def _space_args(fname, start, end, steps, dtype):
    if steps.__class__ is bool or steps.__class__ is not int and not hasattr(steps, '__index__'):
        # torch's overloads, as it lists them
        from .reduction import _invalid_combination
        extra = ', float base = 10.0' if fname == 'logspace' else ''
        sigs = [f'({a} start, {b} end, int steps{extra}, {_SPACE_OPTS})'
                for a, b in (('Tensor', 'Tensor'), ('Number', 'Tensor'), ('Tensor', 'Number'), ('Number', 'Number'))]
        raise TypeError(_invalid_combination(fname, sigs, (start, end, steps), {}))
    bad = [f'{name} with {v.dim()} dimension(s)' for name, v in (('start', start), ('end', end))
           if isinstance(v, Tensor)]
    if any(isinstance(v, Tensor) and v.dim() for v in (start, end)):
        raise RuntimeError(f"{fname} only supports 0-dimensional start and end tensors, but got {' and '.join(bad)}.")
    start = start.item() if isinstance(start, Tensor) else start
    end = end.item() if isinstance(end, Tensor) else end
    steps = operator.index(steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dtype = _dtype_arg(dtype, fname)
    if dtype is None:       # a complex bound makes the result complex
        dtype = D.default_complex() if isinstance(start, complex) or isinstance(end, complex) \
            else D.get_default_dtype()
    if dtype is D.bool:
        raise kernel_error(f'{fname}_cpu', dtype)
    return start, end, steps, dtype


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    start, end, steps, dtype = _space_args('linspace', start, end, steps, _out_dtype(_dtype_arg(dtype, 'linspace'), out))
    if dtype in D.float8_types or steps > 1 and dtype in D.BARE_UINTS:     # one uint step or none is a fill
        raise kernel_error('linspace_cpu', dtype)
    if dtype._cat == 3:
        start, end = complex(start), complex(end)
    if steps == 1:
        data = np.array([start], np.float64 if dtype._cat < 3 else np.complex128)
    elif dtype is D.float16 or dtype is D.bfloat16:
        data = _linspace_16(start, end, steps, dtype)
    elif dtype._cat < 3:
        data = _linspace_real(start, end, steps, dtype)
    else:
        # torch fills the first half forward from start and the second half backward from end
        i = np.arange(steps, dtype=np.complex128)
        step = (end - start) / (steps - 1)
        half = steps // 2
        data = np.where(i < half, start + i * step, end - (steps - 1 - i) * step)
    if dtype._cat < 2:
        data = np.trunc(data)
    t = _finish(data.astype(D.np_dtype(dtype)), dtype, device, requires_grad, 'linspace')
    return write_out(out, t, 'linspace') if out is not None else t


def _linspace_real(start, end, steps, dtype):
    """torch's linspace kernel: the first half start + step * i, the second end - step * (steps - 1 - i),
    each rounded once (FMA). Bounds are first converted to the output type (an integer dtype truncates
    them) and the step is computed in it (in double for integers)."""
    if dtype._cat < 2:
        start, end = np.float64(int(start)), np.float64(int(end))
        step = (end - start) / (steps - 1)
    else:
        t = D.np_dtype(dtype).type
        start, end = np.float64(t(start)), np.float64(t(end))
        step = np.float64(t(t(end - start) / t(steps - 1)))
    i = np.arange(steps, dtype=np.float64)
    half = steps // 2
    return np.concatenate([_fma(step, i[:half], start), _fma(-step, steps - 1 - i[half:], end)])


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
    start, end, steps, dtype = _space_args('logspace', start, end, steps, _out_dtype(_dtype_arg(dtype, 'logspace'), out))
    if steps > 1 and (dtype in D.BARE_UINTS or dtype in D.float8_types):     # one step or none is a fill
        raise kernel_error('logspace_cpu', dtype)
    if dtype._cat < 2 and not isinstance(start, complex) and not isinstance(end, complex):
        start, end = int(start), int(end)      # torch's integer kernel truncates the ends first
    lin = linspace(start, end, steps, dtype=D.complex128 if dtype._cat == 3 else D.float64,
                   device='cpu')    # _finish moves it to `device`
    t = _finish(np.power(base, lin._data).astype(D.np_dtype(dtype)), dtype, device, requires_grad, 'logspace')
    return write_out(out, t, 'logspace') if out is not None else t


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
        pin_memory=False):
    for name, pos, v in (('n', 1, n), ('m', 2, m)):
        if v is not None and not _is_int(v):
            from ..random import _tp_name
            raise TypeError(f"eye(): argument '{name}' (position {pos}) must be int, not {_tp_name(v)}")
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    dtype = _out_dtype(_dtype_arg(dtype, 'eye'), out) or D.get_default_dtype()
    if dtype in D.BARE_UINTS:
        raise kernel_error('eye', dtype)
    t = _finish(np.eye(n, m if m is not None else n, dtype=D.np_dtype(dtype)), dtype, device, requires_grad, 'eye')
    return write_out(out, t, 'eye') if out is not None else t


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    if isinstance(s, Tensor) and s.dim() == 0:
        s = s.item()
    if not isinstance(s, numbers.Number):
        from ..random import _tp_name
        raise TypeError(f"scalar_tensor(): argument 's' (position 1) must be Number, not {_tp_name(s)}")
    dtype = _dtype_arg(dtype, 'scalar_tensor') or D.get_default_dtype()
    return _finish(np.asarray(_fill_value(s, dtype), D.np_dtype(dtype)), dtype, device, requires_grad,
                   'scalar_tensor')


# --- new_* methods ---------------------------------------------------------------------------------
def _new(f):
    name = 'new_' + f.__name__

    def g(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False, **kwargs):
        if requires_grad.__class__ is not bool:
            raise _requires_grad_error(name, requires_grad)
        shape = _size(size, name) if not kwargs else _size_keyword(name, size, kwargs)
        return f(shape, dtype=dtype or self.dtype, device=device if device is not None else self._device,
                 requires_grad=requires_grad)
    return g


def _size_keyword(fname, size, kwargs):
    """A factory's or new_* method's size given as size= (Python cannot name a keyword `size` next to
    `*size`), with torch's parser's errors for the keywords."""
    if 'size' not in kwargs:
        if size:
            raise TypeError(f"{fname}() got an unexpected keyword argument '{next(iter(kwargs))}'")
        return _size(size, fname)           # torch reports the missing size first
    if size:
        raise TypeError(f"{fname}() got multiple values for argument 'size'")
    v = kwargs.pop('size')
    if not isinstance(v, (tuple, list)) or v and not _is_int(v[0]):     # by keyword an int is no size
        from ..random import _tp_name
        raise TypeError(f"{fname}(): argument 'size' must be tuple of ints, not {_tp_name(v)}")
    size = _size((v,), fname)
    if kwargs:
        raise TypeError(f"{fname}() got an unexpected keyword argument '{next(iter(kwargs))}'")
    return size


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False):
    return _full('new_full', size, fill_value, dtype or self.dtype, device if device is not None else self._device,
                 requires_grad)


Tensor.new = lambda self, *args, device=None: _legacy_new(Tensor, self.dtype, args, device or self._device)
Tensor.new_zeros = _new(zeros)
Tensor.new_ones = _new(ones)
Tensor.new_empty = _new(empty)
Tensor.new_full = _new_full


def _new_empty_strided(self, size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                       pin_memory=False):
    if requires_grad.__class__ is not bool:
        raise _requires_grad_error('new_empty_strided', requires_grad)
    return empty_strided(size, stride, dtype=dtype or self.dtype,
                         device=device if device is not None else self._device, requires_grad=requires_grad)


Tensor.new_empty_strided = _new_empty_strided


def _legacy_new(cls, dtype, args, device=None):
    """torch.Tensor(...) / torch.FloatTensor(...): sizes, a sequence, or nothing."""
    device = device or _cpu         # the legacy constructors ignore set_default_device
    if len(args) == 1 and isinstance(args[0], Tensor):
        src = args[0]
        if src.dtype is not dtype:
            raise TypeError(f"expected {D.legacy_names.get(dtype.name)} (got {D.legacy_names.get(src.dtype.name)})")
        t = src.detach()
    elif len(args) == 1 and _is_sequence(args[0]) and not isinstance(args[0], Size):
        t = tensor(args[0], dtype=dtype, device=device)
    elif not args:
        t = zeros(0, dtype=dtype, device=device)
    elif all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args) or \
            (len(args) == 1 and isinstance(args[0], Size)):
        t = zeros(_size(args, 'new'), dtype=dtype, device=device)
    else:
        raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")
    if cls is not Tensor:
        new = object.__new__(cls)
        for k in Tensor.__slots__:
            if k not in ('__dict__', '__weakref__', '_view_ver'):    # t is fresh: its _view_fn is None
                setattr(new, k, getattr(t, k))
        return new
    return t


class _LegacyMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls._legacy_dtype and obj._device.type == 'cpu' and \
            not obj.is_sparse       # a sparse one is a torch.sparse.FloatTensor ...


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
