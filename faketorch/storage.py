"""torch.UntypedStorage / TypedStorage and the legacy typed classes (FloatStorage ...).

faketorch has no storage objects inside tensors (a Tensor is one array); these exist for what
torch's file format and its users need: the objects `torch.save` pickles by persistent id, the
`storage` argument a `map_location` callable receives, and `Tensor.untyped_storage()`.
An UntypedStorage wraps a 1-D uint8 array over the storage's bytes (NumPy or CuPy).
"""
import warnings

from . import _xnp as np

from . import _dtype as D
from ._device import device as _device_cls, cpu as _cpu, device_of_array, to_device_array

__all__ = ['UntypedStorage', 'TypedStorage']


def _device_arg(device):
    return _cpu if device is None else _device_cls(device)


class UntypedStorage:
    """A flat run of bytes on a device."""
    is_sparse = False

    def __init__(self, *args, device=None):
        dev = _device_arg(device)
        if len(args) == 1 and isinstance(args[0], int):
            data = np.zeros(args[0], np.uint8)
        elif len(args) == 1:
            data = np.asarray(list(args[0]), np.uint8)
        elif not args:
            data = np.zeros(0, np.uint8)
        else:
            raise TypeError(f"UntypedStorage(): got {len(args)} positional arguments")
        self._data = to_device_array(data, dev)

    @classmethod
    def _wrap(cls, data):
        s = object.__new__(cls)
        s._data = data
        return s

    @property
    def device(self):
        return device_of_array(self._data)

    @property
    def is_cuda(self):
        return self.device.type == 'cuda'

    def nbytes(self):
        return int(self._data.size)

    def size(self):
        return self.nbytes()

    __len__ = size

    def element_size(self):
        return 1

    def data_ptr(self):
        d = self._data
        return d.__array_interface__['data'][0] if isinstance(d, np.ndarray) else d.data.ptr

    def tolist(self):
        return to_device_array(self._data, _cpu).tolist()

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return UntypedStorage._wrap(self._data[idx])
        return int(self._data[idx])

    def __setitem__(self, idx, value):
        self._data[idx] = value

    def to(self, *, device=None, non_blocking=False):
        dev = _device_arg(device)
        return self if dev == self.device else UntypedStorage._wrap(to_device_array(self._data, dev))

    def cpu(self):
        return self.to(device=_cpu)

    def cuda(self, device=None, non_blocking=False):
        idx = 0 if device is None else (device if isinstance(device, int) else _device_cls(device).index or 0)
        return self.to(device=_device_cls('cuda', idx))

    def clone(self):
        return UntypedStorage._wrap(self._data.copy())

    def untyped(self):
        return self

    def __repr__(self):
        body = '...' if self.device.type == 'meta' else '\n'.join(f' {v}' for v in self.tolist())   # no values
        return f"{body}\n[torch.storage.UntypedStorage(device={self.device}) of size {self.nbytes()}]".lstrip('\n')


class TypedStorage:
    """An UntypedStorage seen as elements of one dtype (torch keeps it for the file format)."""
    is_sparse = False
    _fixed_dtype = None

    def __init__(self, *args, dtype=None, device=None, wrap_storage=None, _internal=False):
        dt = self._fixed_dtype or dtype or D.get_default_dtype()
        if wrap_storage is None:
            n = (args[0] if isinstance(args[0], int) else len(args[0])) if args else 0
            wrap_storage = UntypedStorage(n * dt.itemsize, device=device)
            if args and not isinstance(args[0], int):
                wrap_storage._data[:] = _as_bytes(np.asarray(args[0], D.np_dtype(dt)), dt)
        self._untyped_storage = wrap_storage
        self.dtype = dt

    @property
    def device(self):
        return self._untyped_storage.device

    @property
    def is_cuda(self):
        return self.device.type == 'cuda'

    def _array(self):
        """The storage's elements as a 1-D array of its dtype (a view, no copy; for bfloat16 a
        float32 copy, as its tensors hold)."""
        if self.dtype._fix is not None:
            return D.from_bits(self.dtype, self._untyped_storage._data)
        return self._untyped_storage._data.view(D.np_dtype(self.dtype))

    def element_size(self):
        return self.dtype.itemsize

    def size(self):
        return self._untyped_storage.nbytes() // self.dtype.itemsize

    _size = size
    __len__ = size

    def nbytes(self):
        return self._untyped_storage.nbytes()

    def data_ptr(self):
        return self._untyped_storage.data_ptr()

    _data_ptr = data_ptr

    def untyped(self):
        return self._untyped_storage

    def tolist(self):
        return to_device_array(self._array(), _cpu).tolist()

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            raise RuntimeError("slices are only supported in UntypedStorage.__getitem__")
        n = self.size()
        if not -n <= idx < n:
            raise IndexError(f"index {idx} out of range for storage of size {n}")
        return self._array()[idx].item()

    def __setitem__(self, idx, value):
        if self.dtype._fix is not None:
            bits = D.carried_bits(self.dtype, self.dtype._fix(np.asarray(value, np.float32)))
            self._untyped_storage._data.view(bits.dtype)[idx] = bits
        else:
            self._array()[idx] = value

    def __iter__(self):
        return iter(self.tolist())

    def _new_wrapped(self, untyped):
        return TypedStorage(wrap_storage=untyped, dtype=self.dtype, _internal=True)

    def to(self, *, device=None, non_blocking=False):
        return self._new_wrapped(self._untyped_storage.to(device=device))

    def cpu(self):
        return self._new_wrapped(self._untyped_storage.cpu())

    def cuda(self, device=None, non_blocking=False):
        return self._new_wrapped(self._untyped_storage.cuda(device))

    def _pickle_storage_type(self):
        return _STORAGE_NAME[self.dtype]

    def __repr__(self):
        body = '...' if self.device.type == 'meta' else '\n'.join(f' {v}' for v in self.tolist())
        return (f"{body}\n[torch.storage.TypedStorage(dtype={self.dtype}, device={self.device}) "
                f"of size {self.size()}]").lstrip('\n')


# torch's legacy storage class of each dtype: the name `torch.save` writes into the pickle for
# the dtypes that predate UntypedStorage (uint16/32/64 and complex32 are written untyped + dtype)
_STORAGE_NAME = {
    D.float64: 'DoubleStorage', D.float32: 'FloatStorage', D.float16: 'HalfStorage',
    D.int64: 'LongStorage', D.int32: 'IntStorage', D.int16: 'ShortStorage', D.int8: 'CharStorage',
    D.uint8: 'ByteStorage', D.bool: 'BoolStorage', D.bfloat16: 'BFloat16Storage',
    D.complex128: 'ComplexDoubleStorage', D.complex64: 'ComplexFloatStorage',
}
_legacy_classes = {}
for _dt, _name in _STORAGE_NAME.items():
    _legacy_classes[_name] = type(_name, (TypedStorage,), {'_fixed_dtype': _dt, '__module__': 'faketorch'})
globals().update(_legacy_classes)
__all__ += list(_legacy_classes)


def _as_bytes(arr, dtype):
    """The storage bytes of an array of a dtype's values: bfloat16's float32 array becomes its
    16-bit patterns (a copy), others are viewed as they are."""
    if dtype._fix is not None:
        return D.carried_bits(dtype, dtype._fix(arr.reshape(-1))).view(np.uint8)
    return arr.view(np.uint8)


def _untyped_storage_of(tensor):
    """The UntypedStorage under a tensor: the bytes of the array that owns its memory (for a
    bfloat16 tensor a copy of them in torch's 2-byte layout: writes to it do not reach the tensor)."""
    from .serialization import _storage_root
    root, _ = _storage_root(tensor._data)
    return UntypedStorage._wrap(_as_bytes(root.reshape(-1), tensor.dtype))


def untyped_storage(self):
    return _untyped_storage_of(self)


_warned_typed = []


def _warn_typed():
    if not _warned_typed:
        _warned_typed.append(True)
        warnings.warn("TypedStorage is deprecated. It will be removed in the future and UntypedStorage will "
                      "be the only storage class. This should only matter to you if you are using storages "
                      "directly.  To access UntypedStorage directly, use tensor.untyped_storage() instead "
                      "of tensor.storage()", UserWarning, stacklevel=3)


def storage(self):
    """The deprecated TypedStorage view of the tensor's memory (torch warns the first time)."""
    _warn_typed()
    return TypedStorage(wrap_storage=_untyped_storage_of(self), dtype=self.dtype, _internal=True)


def storage_type(self):
    """The legacy storage class of the tensor's dtype (torch.FloatStorage ...)."""
    _warn_typed()
    return _legacy_classes[_STORAGE_NAME[self.dtype]]


# Shared memory: as torch moves a storage into shared memory, share_memory_ moves a CPU tensor's array
# into an anonymous shared file (memfd) that a forked child maps as it is and that torch.multiprocessing
# hands to a spawned one by file descriptor (torch's file_descriptor strategy), so Hogwild-style
# training in several processes updates one set of weights. The mark rides on the version counter,
# which a tensor's views share as torch's share its storage (views taken before the move keep the old
# memory).
class _SharedFile:
    """The mapping behind a shared array, and its file descriptor for passing to other processes."""

    def __init__(self, fd, nbytes):
        import mmap
        self.fd, self.nbytes = fd, nbytes
        self.map = mmap.mmap(fd, nbytes)

    def array(self, dtype, shape, strides, offset):
        start = np.frombuffer(self.map, np.uint8)[offset:]
        return np.lib.stride_tricks.as_strided(start[:start.size // dtype.itemsize * dtype.itemsize].view(dtype),
                                               shape, strides)


def _to_shared_file(a):
    """A copy of the non-empty array a in a new shared file; a dense layout keeps its strides."""
    import os
    dense = all(st > 0 for st, n in zip(a.strides, a.shape) if n > 1) and \
        sum((n - 1) * st for n, st in zip(a.shape, a.strides)) + a.itemsize == a.nbytes
    fd = os.memfd_create('faketorch_shared')
    os.ftruncate(fd, a.nbytes)
    f = _SharedFile(fd, a.nbytes)
    out = f.array(a.dtype, a.shape, a.strides if dense else np.empty(a.shape, a.dtype).strides, 0)
    out[...] = a
    return f, out


def _shared_file(t):
    return t._vc[1] if len(t._vc) > 1 and isinstance(t._vc[1], _SharedFile) else None


def share_memory_(self):
    import os
    if len(self._vc) == 1:
        if self._device.type == 'cpu' and self._data.size and hasattr(os, 'memfd_create'):
            f, self._data = _to_shared_file(self._data)
            self._vc.append(f)
        else:
            self._vc.append('shared')
    return self


def is_shared(self):
    return self._device.type == 'cuda' or len(self._vc) > 1       # torch counts CUDA memory as shared


def from_file(filename, shared=None, size=0, *, dtype=None, layout=None, device=None, pin_memory=False):
    """size elements of dtype mapped from a file: shared writes go to the file (which grows to the size asked
    for), otherwise the mapping is private and the file must be long enough."""
    import mmap
    import os
    from ._tensor import _make
    dtype = dtype or D.get_default_dtype()
    nbytes = size * dtype.itemsize
    if not nbytes:
        return _make(np.zeros(0, dtype._np), dtype, _cpu).to(device or 'cpu')
    with open(filename, 'r+b' if shared else 'rb') as fh:
        have = os.fstat(fh.fileno()).st_size
        if have < nbytes:
            if not shared:
                raise RuntimeError(f"file <{filename}> size <{have}> is smaller than the required mapping size "
                                   f"<{nbytes}>")
            os.ftruncate(fh.fileno(), nbytes)
        m = mmap.mmap(fh.fileno(), nbytes, access=mmap.ACCESS_WRITE if shared else mmap.ACCESS_COPY)
    return _make(np.frombuffer(m, dtype._np), dtype, _cpu).to(device or 'cpu')


from ._ops._core import register as _register  # noqa: E402
for _f in (untyped_storage, storage, storage_type, share_memory_, is_shared):
    _register(_f, function=False)
_register(from_file, method=False)
