"""torch.save / torch.load in PyTorch's own file format.

The format (torch >= 1.6): a zip archive `<name>/` of uncompressed records, each record's data
aligned to 64 bytes by padding the local header's extra field (miniz/PyTorchStreamWriter style):
  data.pkl                protocol-2 pickle; tensors are `torch._utils._rebuild_tensor_v2(...)`
                          calls whose storage is a persistent id
                          ('storage', <torch.FloatStorage>, key, location, numel)
  .format_version, .storage_alignment, byteorder
  data/<key>              raw bytes of each storage, saved once however many views share it
  version, .data/serialization_id
faketorch writes these with `torch.*` global names so real torch loads them, and reads them by
mapping those names to faketorch's objects; torch itself is never imported. A faketorch tensor's
storage is the array that owns its memory (the end of the ndarray base chain), so views of one
array are saved as one storage and come back sharing memory.
"""
import io
import os
import pickle
import random
import struct
import sys
import types
import warnings
import zipfile
import zlib
from collections import OrderedDict
from enum import Enum

from . import _xnp as np

from . import _dtype as D
from . import _weights_only_unpickler
from . import _rebuild
from ._device import device as _device_cls, cpu as _cpu
from ._meta import ndarray as _meta_ndarray
from ._tensor import Tensor, _make
from .storage import UntypedStorage, TypedStorage, _legacy_classes

__all__ = ['save', 'load', 'add_safe_globals', 'get_safe_globals', 'clear_safe_globals', 'safe_globals',
           'get_unsafe_globals_in_checkpoint', 'register_package', 'location_tag', 'default_restore_location',
           'DEFAULT_PROTOCOL', 'SourceChangeWarning', 'StorageType', 'LoadEndianness',
           'get_default_load_endianness', 'set_default_load_endianness', 'get_crc32_options',
           'set_crc32_options', 'get_default_mmap_options', 'set_default_mmap_options']

DEFAULT_PROTOCOL = 2
LONG_SIZE = struct.Struct('=l').size
INT_SIZE = struct.Struct('=i').size
SHORT_SIZE = struct.Struct('=h').size
MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001
STORAGE_KEY_SEPARATOR = ','

UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will likely succeed, "
    "but it can result in arbitrary code execution. Do it only if you got the file from a "
    "trusted source.")
_DOCS_MESSAGE = ("\n\nCheck the documentation of torch.load to learn more about types accepted by default with "
                 "weights_only https://pytorch.org/docs/stable/generated/torch.load.html.")
_MINIZ_HINT = (". This is an internal miniz error. If you are seeing this error, there is a high likelihood "
               "that your checkpoint file is corrupted. This can happen if the checkpoint was not saved "
               "properly, was transferred incorrectly, or the file was modified after saving.")
_PRODUCED_VERSION = b'3\n'
_MAX_READ_VERSION = 10


class SourceChangeWarning(Warning):
    pass


class LoadEndianness(Enum):
    NATIVE = 1
    LITTLE = 2
    BIG = 3


_options = {'endianness': None, 'crc32': True, 'mmap_flags': None}


def get_default_load_endianness():
    return _options['endianness']


def set_default_load_endianness(endianness):
    if not isinstance(endianness, LoadEndianness) and endianness is not None:
        raise TypeError("Invalid argument type in function set_default_load_endianness")
    _options['endianness'] = endianness


def get_crc32_options():
    return _options['crc32']


def set_crc32_options(compute_crc32):
    _options['crc32'] = bool(compute_crc32)


def get_default_mmap_options():
    import mmap
    return _options['mmap_flags'] if _options['mmap_flags'] is not None else mmap.MAP_PRIVATE


class set_default_mmap_options:
    def __init__(self, flags):
        self.prev = _options['mmap_flags']
        _options['mmap_flags'] = flags

    def __enter__(self):
        return None

    def __exit__(self, *args):
        _options['mmap_flags'] = self.prev


# --- safe globals (the allow-list lives in _weights_only_unpickler) ------------------------------
def clear_safe_globals():
    _weights_only_unpickler._clear_safe_globals()


def get_safe_globals():
    return _weights_only_unpickler._get_safe_globals()


def add_safe_globals(safe_globals):
    _weights_only_unpickler._add_safe_globals(safe_globals)


class safe_globals(_weights_only_unpickler._safe_globals):
    """Context manager that allow-lists globals for `weights_only` loads."""


def get_unsafe_globals_in_checkpoint(f):
    """The GLOBALs a checkpoint's pickle names that `weights_only=True` would refuse."""
    safe = set(_weights_only_unpickler._get_allowed_globals()) | set(_weights_only_unpickler._get_user_allowed_globals())
    with _open_file_like(f, 'rb') as opened:
        if not _is_zipfile(opened):
            raise ValueError("Expected input to be a checkpoint returned by torch.save")
        reader = _ZipReader(opened)
        if reader.has_record('constants.pkl'):
            raise ValueError("Expected input to be a checkpoint returned by torch.save but got a torchscript checkpoint")
        found = _weights_only_unpickler.get_globals_in_pkl(io.BytesIO(reader.get_record('data.pkl')))
        return list(found.difference(safe))


# --- device locations: the registry torch.load consults -------------------------------------------
_package_registry = []


def register_package(priority, tagger, deserializer):
    """Register a (tagger, deserializer) pair for storage locations, as torch does."""
    _package_registry.append((priority, tagger, deserializer))
    _package_registry.sort(key=lambda x: x[0])


def _cpu_tag(obj):
    if obj.device.type == 'cpu':
        return 'cpu'


def _cuda_tag(obj):
    d = obj.device
    if d.type == 'cuda':
        return 'cuda' if d.index is None else f'cuda:{d.index}'


def _cpu_deserialize(obj, location):
    if location == 'cpu':
        return obj


def _cuda_deserialize(obj, location):
    if location == 'cuda' or (location.startswith('cuda') and location[4:5] in (':',) + tuple('0123456789')):
        from . import cuda
        dev = _device_cls(location)
        if not cuda.is_available():
            raise RuntimeError("Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
                               "is False. If you are running on a CPU-only machine, please use torch.load with "
                               "map_location=torch.device('cpu') to map your storages to the CPU.")
        index = dev.index if dev.index is not None else cuda.current_device()
        if index >= cuda.device_count():
            raise RuntimeError(f"Attempting to deserialize object on CUDA device {index} but "
                               f"torch.cuda.device_count() is {cuda.device_count()}. Please use torch.load with "
                               "map_location to map your storages to an existing device.")
        return obj.cuda(index)


def _meta_tag(obj):
    if obj.device.type == 'meta':
        return 'meta'


def _meta_deserialize(obj, location):
    if location == 'meta':
        return UntypedStorage(obj.nbytes(), device='meta')


def _host_bytes(data):
    """A storage's array on the host, to write; a meta storage's record is its size in zeros (torch writes
    what its copy to the CPU holds: no values)."""
    if isinstance(data, np.ndarray):
        return data
    if data.__class__ is _meta_ndarray:
        return np.zeros(data.nbytes, np.uint8)
    return data.get()


register_package(10, _cpu_tag, _cpu_deserialize)
register_package(20, _cuda_tag, _cuda_deserialize)
register_package(22, _meta_tag, _meta_deserialize)


def location_tag(storage):
    for _, tagger, _ in _package_registry:
        location = tagger(storage)
        if location:
            return location
    raise RuntimeError("don't know how to determine data location of " + _typename(storage))


def default_restore_location(storage, location):
    for _, _, fn in _package_registry:
        result = fn(storage, location)
        if result is not None:
            return result
    raise RuntimeError("don't know how to restore data location of " + _typename(storage) +
                       " (tagged with " + location + ")")


def _typename(storage):
    return 'torch.storage.' + type(storage).__name__ if type(storage) in (UntypedStorage, TypedStorage) \
        else 'torch.' + type(storage).__name__


def normalize_storage_type(storage_type):
    return storage_type


class StorageType:
    def __init__(self, name):
        cls = _legacy_classes[name]
        self._dtype = cls._fixed_dtype

    @property
    def dtype(self):
        return self._dtype

    def __str__(self):
        return f'StorageType(dtype={self.dtype})'


def _get_restore_location(map_location):
    if map_location is None:
        return default_restore_location
    if isinstance(map_location, dict):
        return lambda storage, location: default_restore_location(storage, map_location.get(location, location))
    if isinstance(map_location, (str, bytes)):
        loc = map_location.decode('ascii') if isinstance(map_location, bytes) else map_location
        return lambda storage, location: default_restore_location(storage, loc)
    if isinstance(map_location, _device_cls):
        return lambda storage, location: default_restore_location(storage, str(map_location))

    def restore_location(storage, location):
        result = map_location(storage, location)
        if result is None:
            result = default_restore_location(storage, location)
        return result
    return restore_location


# --- files ------------------------------------------------------------------------------------------
def _is_path(f):
    return isinstance(f, (str, os.PathLike))


class _opener:
    def __init__(self, file_like, close=False):
        self.file_like = file_like
        self._close = close

    def __enter__(self):
        return self.file_like

    def __exit__(self, *args):
        if self._close:
            self.file_like.close()


def _open_file_like(f, mode):
    if _is_path(f):
        return _opener(open(f, mode), close=True)
    if 'r' in mode:
        _check_seekable(f)
    return _opener(f)


def _check_seekable(f):
    try:
        f.seek(f.tell())
        return True
    except (io.UnsupportedOperation, AttributeError) as e:
        for p in ('seek', 'tell'):
            if p in str(e):
                raise type(e)(str(e) + ". You can only torch.load from a file that is seekable. Please pre-load "
                              "the data into a buffer like io.BytesIO and try to load from it instead.") from None
        raise


def _is_zipfile(f):
    start = f.tell()
    magic = f.read(4)
    f.seek(start)
    return magic == b'PK\x03\x04'


# --- finding a tensor's storage -------------------------------------------------------------------
def _ptr(a):
    return a.__array_interface__['data'][0] if isinstance(a, np.ndarray) else a.data.ptr


def _storage_root(arr):
    """(root, byte offset of arr in it): root is the array owning arr's memory, found by walking
    the base chain (through as_strided's DummyArray); arr itself when no flat owner is found."""
    root, a = arr, arr
    while True:
        b = getattr(a, 'base', None)
        if b is None:
            break
        if not hasattr(b, 'dtype') or not hasattr(b, 'shape'):
            b = getattr(b, 'base', None)   # as_strided's DummyArray keeps the real array as .base
            if b is None or not hasattr(b, 'dtype'):
                break
        a = root = b
    flags = root.flags
    if root.size and (flags.c_contiguous or flags.f_contiguous) and type(root).__module__.split('.')[0] in ('numpy', 'cupy'):
        off = _ptr(arr) - _ptr(root)
        if 0 <= off < root.nbytes or arr.size == 0:
            return root, off
    return arr, 0


def _flat_bytes(root):
    return root.ravel(order='K').view(np.uint8) if root.ndim else root.reshape(1).view(np.uint8)


_V3_DTYPES = (D.uint16, D.uint32, D.uint64, D.complex32, *D.float8_types)
_STORAGE_TAG = 'storage'
_locations = {}


def _location_of(dev):
    s = str(dev)
    return _locations.setdefault(s, s)   # one string object per location, so the pickle memoizes it


class _Pickler(pickle._Pickler):
    """Pickles like torch's `torch.save`: tensors as torch's rebuild calls, storages as persistent
    ids, faketorch's dtype/device/Size/storage classes under their `torch.*` names."""

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = {}        # key -> (flat bytes array, device)
        self._keys = {}           # id(root) -> key
        self._roots = []          # keeps roots alive so ids stay unique
        self._dtypes = {}         # data_ptr -> dtype, to refuse saving one memory as two types
        self._bf16 = {}           # id(float32 root) -> (root, its bfloat16 bytes)

    def persistent_id(self, obj):
        if isinstance(obj, (TypedStorage, UntypedStorage)):
            return self._storage_pid(obj)
        return None

    def _storage_pid(self, obj):
        if isinstance(obj, TypedStorage) and obj.dtype.name in _rebuild.QSTORAGES:     # a quantized tensor's
            untyped, dtype = obj._untyped_storage, obj.dtype
            storage_type = _rebuild.QSTORAGES[dtype.name]
            numel = untyped.nbytes() // dtype.itemsize
        elif isinstance(obj, TypedStorage):
            untyped, dtype = obj._untyped_storage, obj.dtype
            storage_type = _legacy_classes[obj._pickle_storage_type()]
            numel = obj.size()
        else:
            untyped, dtype, storage_type, numel = obj, D.uint8, UntypedStorage, obj.nbytes()
        data = untyped._data
        root, _ = _storage_root(data)
        if data.size:
            ptr = _ptr(data)
            prev = self._dtypes.setdefault(ptr, dtype)
            if prev is not dtype:
                raise RuntimeError("Cannot save multiple tensors or storages that view the same data as different types")
        key = self._keys.get(id(root))
        if key is None:
            key = self._keys[id(root)] = str(len(self._keys))
            self._roots.append(root)
            self.storages[key] = data
        return (_STORAGE_TAG, storage_type, key, _location_of(untyped.device), numel)

    def reducer_override(self, obj):
        t = type(obj)
        if _rebuild.torch_name_of(obj) is not None:
            return 'torch'                        # save_global below writes its torch name
        if t is _device_cls:
            # a fresh string, as torch's device.type is: the pickle must not memo-share it with 'cpu' locations
            typ = obj.type[:1] + obj.type[1:]
            return (_device_cls, (typ,) if obj.index is None else (typ, obj.index))
        if isinstance(obj, Tensor):
            return _reduce_tensor(obj, self._bf16)
        return NotImplemented

    dispatch = dict(pickle._Pickler.dispatch)
    dispatch[types.FunctionType] = lambda self, obj: self.save_global(obj)   # base table bypasses our override

    def save_global(self, obj, name=None):
        path = _rebuild.torch_name_of(obj)
        if path is None:
            try:
                return super().save_global(obj, name)
            except pickle.PicklingError:
                pickle.dumps(obj, self.proto)    # raises the C pickler's error, the one torch.save gives
                raise
        self.write(pickle.GLOBAL + f'{path[0]}\n{path[1]}\n'.encode('utf-8'))
        self.memoize(obj)


_PRIVATE_STATE = ('_is_param', '_inference')


def _tensor_state(t):
    d = getattr(t, '__dict__', None)
    if not d:
        return None
    return {k: v for k, v in d.items() if k not in _PRIVATE_STATE} or None


def _carried_bytes(root, dtype, made):
    """The storage torch writes for a bfloat16 or float8 tensor: the bit patterns of its float32
    array's root, made once per root so that tensors sharing memory still share one storage."""
    hit = made.get(id(root))
    if hit is None:
        hit = made[id(root)] = (root, _flat_bytes(D.carried_bits(dtype, root.ravel(order='K'))))
    return hit[1]


def _reduce_tensor(t, bf16_made):
    """torch's Tensor.__reduce_ex__: (rebuild function, args) for the file format."""
    from .nn.parameter import Parameter
    if t.is_quantized:
        return _reduce_qtensor(t)
    if isinstance(t, Parameter):
        data = _make(t._data, t.dtype, t._device)
        state = _tensor_state(t)
        if state is None:
            return (_rebuild._rebuild_parameter, (data, t._requires_grad, OrderedDict()))
        return (_rebuild._rebuild_parameter_with_state, (data, t._requires_grad, OrderedDict(), state))
    arr, dtype = t._data, t.dtype
    itemsize = arr.itemsize     # of the array: float32 for bfloat16 / float8
    root, off = _storage_root(arr)
    if off % itemsize or root.nbytes % itemsize or any(s < 0 or s % itemsize for s in arr.strides):
        root, off = np.ascontiguousarray(arr), 0      # memory torch could not describe: save a copy
        arr = root
    flat = _flat_bytes(root) if dtype._fix is None else _carried_bytes(root, dtype, bf16_made)
    size = tuple(arr.shape)
    stride = tuple(t.stride()) if arr is t._data else Tensor.stride(_make(arr, dtype))
    untyped = UntypedStorage._wrap(flat)
    if dtype in _V3_DTYPES:
        func, storage = _rebuild._rebuild_tensor_v3, untyped
    else:
        func, storage = _rebuild._rebuild_tensor_v2, TypedStorage(wrap_storage=untyped, dtype=dtype, _internal=True)
    args = (storage, off // itemsize, size, stride, t._requires_grad, OrderedDict())
    if dtype in _V3_DTYPES:
        args += (dtype,)
    state = _tensor_state(t)
    if type(t) is Tensor and state is None:
        return (func, args)
    return (_rebuild._rebuild_from_type_v2, (func, type(t), args, state or {}))


def _reduce_qtensor(t):
    """torch's: _rebuild_qtensor(storage of the integers, offset, size, stride, quantizer params, ...)."""
    d = t._data
    # the integers are saved as a plain tensor's storage would be (views share it), typed with the qdtype
    storage, offset, size, stride = _reduce_tensor(t._ints(), {})[1][:4]
    storage = TypedStorage(wrap_storage=storage._untyped_storage, dtype=t.dtype, _internal=True)
    if d.axis is None:
        params = (d.scheme, d.scale, d.zero_point)
    else:
        params = (d.scheme, t.q_per_channel_scales(), t.q_per_channel_zero_points(), d.axis)
    return (_rebuild._rebuild_qtensor, (storage, offset, size, stride, params, False, OrderedDict()))


# --- the zip container ------------------------------------------------------------------------------
_U32 = 0xFFFFFFFF


class _ZipWriter:
    """Writes records the way PyTorchStreamWriter (miniz) does: stored, data descriptors,
    64-byte-aligned data via an 'FB' padding extra field, zip64 end records."""

    def __init__(self, f, archive_name, alignment=64):
        self.f = f
        self.prefix = archive_name + '/'
        self.alignment = alignment
        self.pos = 0
        self.entries = []
        self.crc = _options['crc32']

    def _write(self, b):
        self.f.write(b)
        self.pos += len(b) if not isinstance(b, memoryview) else b.nbytes

    def write_record(self, name, data):
        """`data`: bytes or a contiguous array (NumPy or CuPy)."""
        if not isinstance(data, (bytes, bytearray)):
            data = _host_bytes(data)
            data = memoryview(np.ascontiguousarray(data).reshape(-1).view(np.uint8))
        size = len(data) if not isinstance(data, memoryview) else data.nbytes
        fname = (self.prefix + name).encode('utf-8')
        header_offset = self.pos
        pad = -(header_offset + 30 + len(fname) + 4) % self.alignment
        extra = b'FB' + struct.pack('<H', pad) + b'Z' * pad
        flags = 0x0808 if size else 0x0800    # utf-8 names; a data descriptor follows non-empty data
        self._write(struct.pack('<IHHHHHIIIHH', 0x04034b50, 0, flags, 0, 0, 0, 0, 0, 0, len(fname), len(extra)))
        self._write(fname)
        self._write(extra)
        crc = zlib.crc32(data) if self.crc else 0
        if size:
            self._write(data)
        zip64 = header_offset >= _U32 or size >= _U32
        if size:    # miniz writes no descriptor for empty records
            fmt = '<IIQQ' if zip64 else '<IIII'
            self._write(struct.pack(fmt, 0x08074b50, crc, size, size))
        self.entries.append((fname, crc, size, header_offset, flags))

    def finish(self):
        self.write_record('version', _PRODUCED_VERSION)
        sid = f'{random.getrandbits(63):020d}{random.getrandbits(63):020d}'.encode()
        self.write_record('.data/serialization_id', sid)
        cd_offset = self.pos
        for fname, crc, size, off, flags in self.entries:
            extra = b''
            big = [v for v in (size, size, off) if v >= _U32] if (size >= _U32 or off >= _U32) else []
            if big:
                fields = (struct.pack('<QQ', size, size) if size >= _U32 else b'') + \
                         (struct.pack('<Q', off) if off >= _U32 else b'')
                extra = struct.pack('<HH', 1, len(fields)) + fields
            self._write(struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 0, 45 if big else 0, flags, 0, 0, 0, crc,
                                    min(size, _U32), min(size, _U32), len(fname), len(extra), 0, 0, 0, 0,
                                    min(off, _U32)))
            self._write(fname)
            self._write(extra)
        cd_size = self.pos - cd_offset
        n = len(self.entries)
        eocd64 = self.pos
        self._write(struct.pack('<IQHHIIQQQQ', 0x06064b50, 44, 0x031e, 45, 0, 0, n, n, cd_size, cd_offset))
        self._write(struct.pack('<IIQI', 0x07064b50, 0, eocd64, 1))
        self._write(struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, min(n, 0xFFFF), min(n, 0xFFFF), min(cd_size, _U32),
                                min(cd_offset, _U32), 0))


def _archive_name(f):
    if not _is_path(f):
        return 'archive'
    base = os.path.basename(os.fspath(f))
    dot = base.rfind('.')
    return base[:dot] if dot > 0 else (base or 'archive')


class _ZipReader:
    """Reads a torch zip checkpoint with zipfile's directory, but stored records straight from
    the file (no CRC check, as torch) into preallocated arrays."""

    def __init__(self, f):
        self.f = f
        start = f.tell()
        f.seek(0, 2)
        too_short = f.tell() - start < 22      # miniz: shorter than an end-of-central-directory record
        f.seek(start)
        if too_short:
            raise RuntimeError("PytorchStreamReader failed reading zip archive: not a ZIP archive" + _MINIZ_HINT)
        try:
            self.zf = zipfile.ZipFile(f)
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error):
            raise RuntimeError("PytorchStreamReader failed reading zip archive: failed finding central directory"
                               + _MINIZ_HINT) from None
        if not infos:
            raise RuntimeError("PytorchStreamReader failed reading zip archive: failed finding central directory"
                               + _MINIZ_HINT)
        first = infos[0].filename
        self.prefix = first.split('/', 1)[0] + '/'
        self.infos = {}
        for info in infos:
            if not info.filename.startswith(self.prefix):
                raise RuntimeError(f"[enforce fail at inline_container.cc:340] . file in archive is not in a "
                                   f"subdirectory {self.prefix}: {info.filename}")
            self.infos[info.filename[len(self.prefix):]] = info
        f.seek(0, 2)
        self.file_size = f.tell()
        vname = '.data/version' if self.has_record('.data/version') else 'version'
        if not self.has_record(vname):
            raise RuntimeError('Expected hasRecord("version") to be true, but got false.  (Could this error message '
                               'be improved?  If so, please report an enhancement request to PyTorch.)')
        try:
            version = int(self.get_record(vname).strip() or b'0')
        except ValueError:
            raise RuntimeError("PytorchStreamReader failed reading file version: invalid version record" +
                               _MINIZ_HINT) from None
        if version > _MAX_READ_VERSION:
            raise RuntimeError(f"[enforce fail at inline_container.cc:230] . Attempted to read a PyTorch file with "
                               f"version {version}, but the maximum supported version for reading is "
                               f"{_MAX_READ_VERSION}. The version of your PyTorch installation may be too old, "
                               f"please upgrade PyTorch to latest version to mitigate this issue.")

    def has_record(self, name):
        return name in self.infos

    def _info(self, name):
        info = self.infos.get(name)
        if info is None:
            raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not found" + _MINIZ_HINT)
        return info

    def record_size(self, name):
        return self._info(name).file_size

    def data_offset(self, name):
        """Where a stored record's bytes start in the file (after its local header)."""
        info = self._info(name)
        self.f.seek(info.header_offset)
        h = self.f.read(30)
        if len(h) != 30 or h[:4] != b'PK\x03\x04':
            raise RuntimeError(f"PytorchStreamReader failed reading file {name}: invalid header or archive is "
                               f"corrupted" + _MINIZ_HINT)
        n, m = struct.unpack('<HH', h[26:30])
        off = info.header_offset + 30 + n + m
        if info.compress_type != zipfile.ZIP_STORED or off + info.file_size > self.file_size:
            return None
        return off

    def read_into(self, name, out):
        """Fill the uint8 array `out` with the record's bytes."""
        info = self._info(name)
        off = self.data_offset(name)
        if off is None:
            if info.compress_type == zipfile.ZIP_STORED:
                raise RuntimeError(f"PytorchStreamReader failed reading file {name}: file read failed" + _MINIZ_HINT)
            try:
                out[:] = np.frombuffer(self.zf.read(info), np.uint8)
            except (zipfile.BadZipFile, zlib.error, ValueError, EOFError) as e:
                raise RuntimeError(f"PytorchStreamReader failed reading file {name}: {e}" + _MINIZ_HINT) from None
            return out
        self.f.seek(off)
        got = self.f.readinto(memoryview(out)) if out.nbytes else 0
        if got != out.nbytes:
            raise RuntimeError(f"PytorchStreamReader failed reading file {name}: file read failed" + _MINIZ_HINT)
        return out

    def get_record(self, name):
        out = np.empty(self.record_size(name), np.uint8)
        return self.read_into(name, out).tobytes()


# --- save -------------------------------------------------------------------------------------------
def _check_save_filelike(f):
    if not _is_path(f) and not hasattr(f, 'write'):
        raise AttributeError("expected 'f' to be string, path, or a file-like object with a 'write' attribute")


def save(obj, f, pickle_module=pickle, pickle_protocol=DEFAULT_PROTOCOL, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save `obj` to `f` (path or writable file object) in PyTorch's file format."""
    _check_save_filelike(f)
    if _is_path(f):
        f = os.fspath(f)
        if _use_new_zipfile_serialization:
            _check_writer_path(f)
        with _AtomicFile(f, _use_new_zipfile_serialization) as out:
            _save_to(obj, out, _archive_name(f), pickle_protocol, _use_new_zipfile_serialization,
                     _disable_byteorder_record)
        return
    if not callable(getattr(f, 'write', None)):
        raise TypeError(f"Buffer of {str(type(f)).strip('<>')} has no callable attribute 'write'")
    _save_to(obj, f, 'archive', pickle_protocol, _use_new_zipfile_serialization, _disable_byteorder_record)
    if hasattr(f, 'flush'):
        f.flush()


def _check_writer_path(name):
    """The checks torch's C++ zip writer makes on a path before opening it."""
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    if not name.isascii():
        return                      # torch writes non-ASCII names through Python's open()
    if not os.path.basename(name):
        raise RuntimeError(f"[enforce fail at inline_container.cc:720] . invalid file name: {name}")
    parent = name[:name.rfind('/')] if '/' in name else ''
    if parent and not os.path.isdir(parent):
        raise RuntimeError(f"Parent directory {parent} does not exist.")


def _save_to(obj, f, archive_name, protocol, zip_format, no_byteorder):
    if not zip_format:
        return _legacy_save(obj, f, protocol)
    buf = io.BytesIO()
    pickler = _Pickler(buf, protocol)
    pickler.dump(obj)
    writer = _ZipWriter(f, archive_name)
    writer.write_record('data.pkl', buf.getvalue())
    writer.write_record('.format_version', b'1')
    writer.write_record('.storage_alignment', str(writer.alignment).encode())
    if not no_byteorder:
        writer.write_record('byteorder', sys.byteorder.encode())
    for key, data in pickler.storages.items():
        writer.write_record(f'data/{key}', data)
    writer.finish()


class _AtomicFile:
    """Writes a path through a temporary file renamed over it at the end, so a failed save leaves
    no partial checkpoint (regular files only: a device or fifo is written in place)."""

    def __init__(self, path, zip_writer=True):
        self.path = path
        self.tmp = None
        try:
            if os.path.exists(path) and not os.path.isfile(path):
                self.file = open(path, 'wb')
                return
            d = os.path.dirname(os.path.abspath(path))
            self.tmp = os.path.join(d, f'.{os.path.basename(path)}.{os.getpid()}.{random.getrandbits(32):08x}.tmp')
            fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as e:
            if not zip_writer or not os.fsdecode(path).isascii():
                self.tmp, self.file = None, open(path, 'wb')   # torch opens these with Python's open()
                return
            raise RuntimeError("[enforce fail at inline_container.cc:747] . open file failed with strerror: "
                               + os.strerror(e.errno)) from None
        self.file = os.fdopen(fd, 'wb')

    def __enter__(self):
        return self.file

    def __exit__(self, exc_type, exc, tb):
        try:
            self.file.close()
        finally:
            if self.tmp is not None:
                if exc_type is None:
                    if os.path.exists(self.path):
                        os.chmod(self.tmp, os.stat(self.path).st_mode & 0o7777)
                    os.replace(self.tmp, self.path)
                else:
                    os.unlink(self.tmp)
        return False


def _legacy_save(obj, f, protocol):
    """The pre-1.6 format: magic number, protocol, sys info, the object, storage keys, raw storages."""
    sys_info = {'protocol_version': PROTOCOL_VERSION, 'little_endian': sys.byteorder == 'little',
                'type_sizes': {'short': SHORT_SIZE, 'int': INT_SIZE, 'long': LONG_SIZE}}
    for v in (MAGIC_NUMBER, PROTOCOL_VERSION, sys_info):
        pickle.dump(v, f, protocol=protocol)
    pickler = _LegacyPickler(f, protocol)
    pickler.dump(obj)
    keys = sorted(pickler.storages)
    pickle.dump(keys, f, protocol=protocol)
    for key in keys:
        data, itemsize = pickler.storages[key], pickler.itemsizes[key]
        f.write(struct.pack('<q', data.size // itemsize))
        host = _host_bytes(data)
        f.write(memoryview(np.ascontiguousarray(host).reshape(-1)))


class _LegacyPickler(_Pickler):
    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.itemsizes = {}

    def _storage_pid(self, obj):
        tag, storage_type, key, location, numel = super()._storage_pid(obj)
        self.itemsizes[key] = obj.dtype.itemsize if isinstance(obj, TypedStorage) else 1
        return (tag, storage_type, key, location, numel, None)


# --- load -------------------------------------------------------------------------------------------
def _get_wo_message(message):
    import re
    if re.search(r"GLOBAL (\S+) was not an allowed global by default.", message):
        return ("Weights only load failed. This file can still be loaded, to do so you have two options, "
                "\033[1mdo those steps only if you trust the source of the checkpoint\033[0m. "
                f"\n\t(1) {UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with `weights_only=True` please check "
                "the recommended steps in the following error message.\n\tWeightsUnpickler error: "
                + message + _DOCS_MESSAGE)
    if re.search(r"(\S+) must be (\S+) to load", message):
        return f"Weights only load failed. {message}\n {UNSAFE_MESSAGE}\n"
    updated = f"Weights only load failed. {UNSAFE_MESSAGE}\n"
    if not re.search(r"whose module (\S+) is blocked", message):
        updated += ("Please file an issue with the following so that we can make "
                    "`weights_only=True` compatible with your use case: WeightsUnpickler error: ")
    return updated + "\n\n" + message + _DOCS_MESSAGE


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Load an object saved with torch.save (by torch or faketorch) from a path or file object."""
    true_values = ('1', 'y', 'yes', 'true')
    force_wo = os.getenv('TORCH_FORCE_WEIGHTS_ONLY_LOAD', '0').lower() in true_values
    force_no_wo = os.getenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '0').lower() in true_values
    not_set = weights_only is None
    if not_set:
        weights_only = pickle_module is None
    if force_wo and force_no_wo:
        raise RuntimeError("Only one of `TORCH_FORCE_WEIGHTS_ONLY_LOAD` or `TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` "
                           "should be set, but both were set.")
    elif force_wo:
        weights_only = True
    elif force_no_wo and not_set:
        warnings.warn("Environment variable TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD detected, since the`weights_only` "
                      "argument was not explicitly passed to `torch.load`, forcing weights_only=False.",
                      UserWarning, stacklevel=2)
        weights_only = False
    if weights_only:
        if pickle_module is not None:
            raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    elif pickle_module is None:
        pickle_module = pickle
    if pickle_load_args and weights_only:
        warnings.warn("pickle_load_args only works if `weights_only=False`.")
    pickle_load_args.setdefault('encoding', 'utf-8')

    with _open_file_like(f, 'rb') as opened:
        if _is_zipfile(opened):
            reader = _ZipReader(opened)
            if reader.has_record('constants.pkl'):
                warnings.warn("'torch.load' received a zip file that looks like a TorchScript archive dispatching "
                              "to 'torch.jit.load' (call 'torch.jit.load' directly to silence this warning)",
                              UserWarning, stacklevel=2)
                if weights_only:
                    raise RuntimeError("Cannot use ``weights_only=True`` with TorchScript archives passed to "
                                       "``torch.load``. " + UNSAFE_MESSAGE)
                raise RuntimeError("faketorch cannot load TorchScript archives (torch.jit is not supported)")
            mapped = None
            if mmap:
                if not _is_path(f):
                    raise ValueError("f must be a file path in order to use the mmap argument")
                mapped = _mmap_file(f)
            if weights_only:
                try:
                    return _load(reader, map_location, None, mapped, **pickle_load_args)
                except pickle.UnpicklingError as e:
                    raise pickle.UnpicklingError(_get_wo_message(str(e))) from None
            return _load(reader, map_location, pickle_module, mapped, **pickle_load_args)
        if mmap:
            f_name = '' if not isinstance(f, str) else f'{f}, '
            raise RuntimeError("mmap can only be used with files saved with "
                               f"`torch.save({f_name}_use_new_zipfile_serialization=True), "
                               "please torch.save your checkpoint with this option in order to use mmap.")
        if weights_only:
            try:
                return _legacy_load(opened, map_location, None, **pickle_load_args)
            except pickle.UnpicklingError as e:
                raise pickle.UnpicklingError(_get_wo_message(str(e))) from None
        return _legacy_load(opened, map_location, pickle_module, **pickle_load_args)


def _mmap_file(path):
    import mmap as _mm
    with open(path, 'rb') as fh:
        size = os.fstat(fh.fileno()).st_size
        if not size:
            return None
        shared = get_default_mmap_options() == getattr(_mm, 'MAP_SHARED', None)
        # copy-on-write like torch's default MAP_PRIVATE: tensors are writable, the file is untouched
        return _mm.mmap(fh.fileno(), size, access=_mm.ACCESS_WRITE if shared else _mm.ACCESS_COPY)


def _storage_dtype(storage_type):
    if storage_type is UntypedStorage:
        return D.uint8
    dt = getattr(storage_type, '_fixed_dtype', None)
    if dt is None and isinstance(storage_type, StorageType):
        dt = storage_type.dtype
    if dt is None:
        raise RuntimeError(f"faketorch cannot load storages of type {storage_type}")
    return dt


def _swap_bytes(typed):
    arr = typed._untyped_storage._data
    item = typed.dtype.itemsize // (2 if typed.dtype.is_complex else 1)
    if item > 1:
        v = arr.view(np.dtype(f'u{item}'))
        v.byteswap(inplace=True)


# torch passes map_location's result to TypedStorage(wrap_storage=...): its argument parser's error
_TYPED_STORAGE_ARGS = ("TypedStorage.__init__ received an invalid combination of arguments. Expected one of:\n"
                       " * (*, torch.device device, torch.dtype dtype)\n"
                       " * (int size, *, torch.device device, torch.dtype dtype)\n"
                       " * (Sequence data, *, torch.device device, torch.dtype dtype)\n"
                       " * (*, UntypedStorage wrap_storage, torch.dtype dtype)\n")


def _wrap_restored(result, dtype):
    if not isinstance(result, UntypedStorage):
        t = type(result)
        mod, name = _rebuild.torch_name_of(t) or (t.__module__, t.__qualname__)
        raise TypeError(_TYPED_STORAGE_ARGS + f"Argument 'wrap_storage' must be UntypedStorage, but got "
                        f"<class '{name if mod == 'builtins' else mod + '.' + name}'>")
    return TypedStorage(wrap_storage=result, dtype=dtype, _internal=True)


def _load(reader, map_location, pickle_module, mapped=None, pickle_file='data.pkl', **pickle_load_args):
    restore_location = _get_restore_location(map_location)
    loaded = {}
    byteorder = reader.get_record('byteorder') if reader.has_record('byteorder') else None
    if byteorder is not None and byteorder not in (b'little', b'big'):
        raise ValueError("Unknown endianness type: " + byteorder.decode(errors='replace'))
    if byteorder is None:
        e = get_default_load_endianness()
        byteorder = b'little' if e in (None, LoadEndianness.LITTLE) else (b'big' if e is LoadEndianness.BIG else None)

    def load_storage(dtype, nbytes, key, location):
        name = f'data/{key}'
        actual = reader.record_size(name)
        if actual != nbytes:
            raise RuntimeError(f"record size ({actual} bytes) does not match expected size ({nbytes} bytes = "
                               f"{nbytes} elements * 1 bytes/element) for dtype Byte")
        off = reader.data_offset(name) if mapped is not None and nbytes else None
        if off is not None:
            data = np.frombuffer(mapped, np.uint8, count=nbytes, offset=off)
        else:
            data = reader.read_into(name, np.empty(nbytes, np.uint8))
        typed = TypedStorage(wrap_storage=UntypedStorage._wrap(data), dtype=dtype, _internal=True)
        if byteorder is not None and byteorder.decode() != sys.byteorder:
            _swap_bytes(typed)
        typed = _wrap_restored(restore_location(typed._untyped_storage, location), dtype)
        loaded[key] = typed
        return typed

    def persistent_load(saved_id):
        if not isinstance(saved_id, tuple) or len(saved_id) != 5:
            raise RuntimeError(f"invalid storage id in checkpoint: {saved_id!r}")
        typename = _decode_ascii(saved_id[0])
        if typename != 'storage':
            raise AssertionError(f"Unknown typename for persistent_load, expected 'storage' but got '{typename}'")
        storage_type, key, location, numel = saved_id[1:]
        dtype = _storage_dtype(storage_type)
        if key in loaded:
            return loaded[key]
        if type(key) is not str or type(numel) is not int or numel < 0:
            raise RuntimeError(f"invalid storage id in checkpoint: {saved_id!r}")
        return load_storage(dtype, numel * dtype.itemsize, key, _decode_ascii(location))

    data_file = io.BytesIO(reader.get_record(pickle_file))
    if pickle_module is None:
        unpickler = _weights_only_unpickler.Unpickler(data_file, **pickle_load_args)
    else:
        unpickler = _full_unpickler(pickle_module)(data_file, **pickle_load_args)
    unpickler.persistent_load = persistent_load
    return unpickler.load()


def _decode_ascii(s):
    return s.decode('ascii') if isinstance(s, bytes) else s


_MODULE_RENAMES = {'torch.tensor': 'torch._tensor'}


def _full_unpickler(pickle_module):
    """An Unpickler (weights_only=False) that resolves torch's names to faketorch's objects."""
    class UnpicklerWrapper(pickle_module.Unpickler):
        def find_class(self, mod_name, name):
            mod_name = _MODULE_RENAMES.get(mod_name, mod_name)
            if mod_name == 'torch' or mod_name.startswith('torch.'):
                return _find_torch_global(mod_name, name)
            return super().find_class(mod_name, name)
    return UnpicklerWrapper


def _find_torch_global(mod_name, name):
    full = f'{mod_name}.{name}'
    table = _weights_only_unpickler._get_allowed_globals()
    if full in table:
        return table[full]
    import importlib
    fake_mod = 'faketorch' + mod_name[len('torch'):]
    try:
        obj = importlib.import_module(fake_mod)
        for part in name.split('.'):
            obj = getattr(obj, part)
        return obj
    except (ImportError, AttributeError):
        raise pickle.UnpicklingError(f"Can't unpickle {full}: faketorch has no {fake_mod}.{name}, so this "
                                     f"checkpoint cannot be loaded in faketorch") from None


_EOF_MESSAGE = "unexpected EOF, expected {} more bytes. The file might be corrupted."


def _legacy_load(f, map_location, pickle_module, **pickle_load_args):
    """The pre-1.6 formats: the magic-number stream (and a clear refusal of the .tar one)."""
    restore_location = _get_restore_location(map_location)
    start = f.tell()
    head = f.read(262)
    f.seek(start)
    if len(head) >= 262 and head[257:262] == b'ustar':
        if pickle_module is None:
            raise RuntimeError("Cannot use ``weights_only=True`` with files saved in the legacy .tar format. "
                               + UNSAFE_MESSAGE)
        raise RuntimeError("faketorch cannot load checkpoints in the legacy .tar format (PyTorch < 0.4)")

    def one():
        return (pickle_module or _weights_only_unpickler).load(f, **pickle_load_args)

    if one() != MAGIC_NUMBER:
        raise RuntimeError("Invalid magic number; corrupt file?")
    protocol_version = one()
    if protocol_version != PROTOCOL_VERSION:
        raise RuntimeError(f"Invalid protocol version: {protocol_version}")
    one()   # sys_info
    storages = {}
    converted = []      # bfloat16 storages: their tensors hold float32 copies, made before the bytes come

    def persistent_load(saved_id):
        if not isinstance(saved_id, tuple):
            raise RuntimeError(f"invalid storage id in checkpoint: {saved_id!r}")
        typename = _decode_ascii(saved_id[0])
        if typename == 'module':
            return saved_id[1]
        if typename != 'storage' or len(saved_id) != 6:
            raise RuntimeError(f"Unknown saved id type: {saved_id[0]}")
        storage_type, root_key, location, numel, view_metadata = saved_id[1:]
        dtype = _storage_dtype(storage_type)
        if root_key not in storages:
            if type(numel) is not int or numel < 0:
                raise RuntimeError(f"invalid storage id in checkpoint: {saved_id!r}")
            storages[root_key] = [dtype, numel, _decode_ascii(location), None]
        entry = storages[root_key]
        if entry[3] is None:    # data follows the pickle: fill this array in place later
            entry[3] = TypedStorage(wrap_storage=UntypedStorage._wrap(np.zeros(entry[1] * dtype.itemsize, np.uint8)),
                                    dtype=dtype, _internal=True)
        typed = entry[3]
        if view_metadata is not None:
            view_key, offset, view_size = view_metadata
            b = dtype.itemsize
            typed = TypedStorage(wrap_storage=entry[3]._untyped_storage[offset * b:(offset + view_size) * b],
                                 dtype=dtype, _internal=True)
        if dtype._fix is not None:
            converted.append((typed._untyped_storage, dtype))
        return typed

    if pickle_module is None:
        unpickler = _weights_only_unpickler.Unpickler(f, **pickle_load_args)
    else:
        unpickler = _full_unpickler(pickle_module)(f, **pickle_load_args)
    unpickler.persistent_load = persistent_load
    result = unpickler.load()
    keys = one()
    for key in keys:
        if key not in storages:
            raise AssertionError(f"storage key {key!r} not found in deserialized_objects")
        dtype, numel, location, typed = storages[key]
        head = f.read(8)
        if len(head) != 8:
            raise RuntimeError(_EOF_MESSAGE.format(8 - len(head)))
        if struct.unpack('<q', head)[0] != numel:
            raise RuntimeError("storage has wrong byte size: corrupt file?")
        data = typed._untyped_storage._data
        got = f.readinto(memoryview(data))
        if got != data.nbytes:
            raise RuntimeError(_EOF_MESSAGE.format(data.nbytes - got))
    for untyped, dtype in converted:
        arr = getattr(untyped, '_bf16', None)
        if arr is not None:
            arr[...] = D.from_bits(dtype, untyped._data)
    # map_location applies after the data is in place (views above share the arrays filled here)
    if map_location is not None:
        for dtype, numel, location, typed in storages.values():
            moved = restore_location(typed._untyped_storage, location)
            if isinstance(moved, TypedStorage):
                moved = moved._untyped_storage
            if moved._data is not typed._untyped_storage._data and moved.device != _cpu:
                raise RuntimeError("faketorch: map_location to a device is not supported for legacy-format files")
    else:
        for dtype, numel, location, typed in storages.values():
            default_restore_location(typed._untyped_storage, location)
    return result


from ._ops._core import register as _register  # noqa: E402
_register(save, method=False)    # torch.save / torch.load live in the torch namespace too
_register(load, method=False)
