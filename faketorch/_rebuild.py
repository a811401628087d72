"""torch's pickle vocabulary: the `torch.*` globals a checkpoint names, and faketorch's stand-ins.

`torch.save` writes tensors as calls to `torch._utils._rebuild_tensor_v2(storage, offset, size,
stride, requires_grad, backward_hooks[, metadata])` (and siblings); these are faketorch's versions
of those functions. One table pairs each torch name with faketorch's object: the loader reads it
name -> object, the saver object -> name, so faketorch's pickles say `torch.*` and real torch
loads them.
"""

from . import _xnp as np

from . import _dtype as D
from ._device import device as _device_cls, xp_of, device_of_array
from ._tensor import Tensor, Size, _make
from . import storage as S


def _strided(arr, offset, size, stride, itemsize=None):
    """A (size, stride) view of the 1-D storage array `arr` from element `offset`, bounds-checked
    (a crafted file must not read outside the storage); itemsize: the dtype's, for the message."""
    size, stride = tuple(size), tuple(stride)
    if not all(type(v) is int and v >= 0 for v in size + stride) or type(offset) is not int or offset < 0 \
            or len(size) != len(stride):
        raise RuntimeError(f"invalid tensor geometry in checkpoint: size {list(size)}, stride {list(stride)}, "
                           f"storage offset {offset}")
    numel = 1
    for s in size:
        numel *= s
    if numel == 0:
        return xp_of(device_of_array(arr)).empty(size, arr.dtype)
    extent = offset + 1 + sum((s - 1) * st for s, st in zip(size, stride))
    if extent > arr.size:
        isz = itemsize or arr.itemsize
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, and "
                           f"itemsize {isz} requiring a storage size of {extent * isz} are out "
                           f"of bounds for storage of size {arr.size * isz}")
    expect, acc = [], 1
    for s in reversed(size):
        expect.append(acc)
        acc *= s
    if all(st == e or s == 1 for s, st, e in zip(size, stride, reversed(expect))):
        return arr[offset:offset + numel].reshape(size)
    xp = xp_of(device_of_array(arr))
    return xp.lib.stride_tricks.as_strided(arr[offset:], size, tuple(st * arr.itemsize for st in stride))


def _typed_array(storage, dtype=None):
    if isinstance(storage, S.TypedStorage):
        if dtype is None:
            dtype = storage.dtype
        storage = storage._untyped_storage
    if not isinstance(storage, S.UntypedStorage):
        raise RuntimeError(f"expected a storage to rebuild a tensor from, but got {type(storage).__name__}")
    if not isinstance(dtype, D.dtype):
        raise RuntimeError(f"faketorch cannot load tensors of dtype {dtype}")
    if dtype._fix is not None:
        return _carried_array(storage, dtype), dtype
    return storage._data.view(D.np_dtype(dtype)), dtype


def _carried_array(storage, dtype):
    """A bfloat16 / float8 storage's values as the float32 array its tensors hold: converted once per
    storage, so the tensors a checkpoint builds on one storage share memory as in torch."""
    arr = getattr(storage, '_bf16', None)
    if arr is None:
        arr = storage._bf16 = D.from_bits(dtype, storage._data)
    return arr


def _apply_metadata(arr, metadata):
    # torch stores conj/neg views as the underlying data plus a flag; faketorch has no lazy bits
    if metadata:
        if metadata.get('conj'):
            arr = np.conj(arr)
        if metadata.get('neg'):
            arr = np.negative(arr)
    return arr


def _finish(arr, dtype, requires_grad):
    t = _make(arr, dtype, device_of_array(arr))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_tensor(storage, storage_offset, size, stride):
    arr, dtype = _typed_array(storage)
    return _finish(_strided(arr, storage_offset, size, stride, dtype.itemsize), dtype, False)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    arr, dtype = _typed_array(storage)
    arr = _apply_metadata(_strided(arr, storage_offset, size, stride, dtype.itemsize), metadata)
    return _finish(arr, dtype, requires_grad)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype,
                       metadata=None):
    arr, dtype = _typed_array(storage.untyped() if isinstance(storage, S.TypedStorage) else storage, dtype)
    arr = _apply_metadata(_strided(arr, storage_offset, size, stride, dtype.itemsize), metadata)
    return _finish(arr, dtype, requires_grad)


def _parameter_cls():
    from .nn.parameter import Parameter
    return Parameter


def _rebuild_parameter(data, requires_grad, backward_hooks):
    return _parameter_cls()(data, requires_grad)


def _set_obj_state(obj, state):
    if isinstance(state, tuple):
        if not len(state) == 2:
            raise RuntimeError(f"Invalid serialized state: {state}")
        dict_state, slots_state = state
    else:
        dict_state, slots_state = state, None
    for k, v in (dict_state or {}).items():
        setattr(obj, k, v)
    for k, v in (slots_state or {}).items():
        setattr(obj, k, v)
    return obj


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _set_obj_state(_rebuild_parameter(data, requires_grad, backward_hooks), state)


def _rebuild_from_type_v2(func, new_type, args, state):
    ret = func(*args)
    if type(ret) is not new_type:
        ret = Tensor._make_subclass(new_type, ret, ret.requires_grad)
    if getattr(ret.__class__, '__setstate__', Tensor.__setstate__) is not Tensor.__setstate__:
        ret.__setstate__(state)
    else:
        ret = _set_obj_state(ret, state)
    return ret


def _rebuild_device_tensor_from_cpu_tensor(data, dtype, device, requires_grad):
    t = data.to(dtype=dtype, device=device)
    t.requires_grad = requires_grad
    return t


def _rebuild_device_tensor_from_numpy(data, dtype, device, requires_grad):
    t = _make(np.array(data), D.from_numpy_dtype(data.dtype)).to(dtype=dtype, device=device)
    t.requires_grad = requires_grad
    return t


def _get_layout(name):
    import faketorch
    for v in vars(faketorch).values():
        if isinstance(v, faketorch.layout) and repr(v) == name:
            return v
    raise KeyError(name)


class _Unsupported:
    """A torch global faketorch knows the name of but cannot build (quantized, sparse, fp8 ...):
    allowed like torch does, failing clearly when used."""

    def __init__(self, name):
        self.name = name

    def __call__(self, *args, **kwargs):
        raise RuntimeError(f"faketorch cannot load {self.name}: it is not supported by faketorch")

    def __repr__(self):
        return self.name


_NEW_INT_NAMES = ([f'uint{i}' for i in range(1, 8)] + [f'int{i}' for i in range(1, 8)] +
                  ['bits16', 'bits1x8', 'bits2x4', 'bits4x2', 'bits8', 'float4_e2m1fn_x2', 'float8_e4m3fn',
                   'float8_e4m3fnuz', 'float8_e5m2', 'float8_e5m2fnuz', 'float8_e8m0fnu',
                   'qint32', 'qint8', 'quint2x4', 'quint4x2', 'quint8',
                   'per_channel_affine', 'per_channel_affine_float_qparams', 'per_channel_symmetric',
                   'per_tensor_affine', 'per_tensor_symmetric'])
_UNSUPPORTED_UTILS = ('_rebuild_sparse_tensor', '_rebuild_nested_tensor',
                      '_rebuild_wrapper_subclass', '_rebuild_meta_tensor_no_storage')
_LEGACY_TENSORS = ('BFloat16', 'Bool', 'Byte', 'Char', 'Double', 'Float', 'Half', 'Int', 'Long', 'Short')


class _QStorageType:
    """torch.QInt8Storage & co: the storage types a checkpoint names for quantized tensors' integers."""

    def __init__(self, name, dtype):
        self.name, self._fixed_dtype = name, dtype

    def __call__(self, *args, **kwargs):
        raise RuntimeError(f"faketorch cannot build torch.{self.name} storages: they only carry quantized tensors")

    def __repr__(self):
        return f"<class 'torch.{self.name}'>"


QSTORAGES = {d.name: _QStorageType(n, d) for n, d in (('QInt8Storage', D.qint8), ('QUInt8Storage', D.quint8),
                                                       ('QInt32Storage', D.qint32))}


def _rebuild_qtensor(storage, storage_offset, size, stride, quantizer_params, requires_grad, backward_hooks):
    """A quantized tensor from its integers' storage and (qscheme, scale, zero_point[, axis])."""
    from . import _quantized as Q
    from ._tensor import Tensor as _T
    dtype = storage.dtype if isinstance(storage, S.TypedStorage) else None
    if dtype is None or dtype.name not in Q._INT:
        raise RuntimeError(f"faketorch cannot load quantized tensors of dtype {dtype}")
    ints = storage._untyped_storage._data.view(D.np_dtype(Q._INT[dtype.name][0]))
    arr = _strided(ints, storage_offset, size, stride, dtype.itemsize)
    scheme = quantizer_params[0]
    if scheme is Q.per_tensor_affine or scheme is Q.per_tensor_symmetric:
        return Q._qtensor(arr, dtype, Q.per_tensor_affine, float(quantizer_params[1]), int(quantizer_params[2]))
    scales, zps, axis = quantizer_params[1:4]
    scales = scales._data.astype(np.float64) if isinstance(scales, _T) else np.asarray(scales, np.float64)
    zps = zps._data.astype(np.int64) if isinstance(zps, _T) else np.asarray(zps, np.int64)
    return Q._qtensor(arr, dtype, Q.per_channel_affine, scales, zps, int(axis))


def _torch_table():
    """[(torch module, torch name, faketorch object)]; the order decides the saver's choice when a
    faketorch object has several torch names (the first wins)."""
    from ._ops.factory import legacy_classes
    rows = [('torch._utils', f.__name__, f) for f in (
        _rebuild_tensor_v2, _rebuild_tensor_v3, _rebuild_tensor, _rebuild_parameter,
        _rebuild_parameter_with_state, _rebuild_device_tensor_from_cpu_tensor, _rebuild_device_tensor_from_numpy,
        _rebuild_qtensor)]
    rows += [('torch._utils', n, _Unsupported('torch._utils.' + n)) for n in _UNSUPPORTED_UTILS]
    rows += [('torch._tensor', '_rebuild_from_type_v2', _rebuild_from_type_v2),
             ('torch', 'Tensor', Tensor), ('torch', 'Size', Size), ('torch', 'device', _device_cls),
             ('torch.serialization', '_get_layout', _get_layout),
             ('torch.storage', 'UntypedStorage', S.UntypedStorage),
             ('torch.storage', 'TypedStorage', S.TypedStorage)]
    rows += [('torch', d.name, d) for d in D.all_dtypes]
    from . import _quantized as Q
    rows += [('torch', n, Q._SCHEMES[n]) for n in _NEW_INT_NAMES if n in Q._SCHEMES]
    rows += [('torch', n, _Unsupported('torch.' + n)) for n in _NEW_INT_NAMES
             if n not in D._BY_NAME and n not in Q._SCHEMES]
    for name, cls in S._legacy_classes.items():
        rows += [('torch', name, cls), ('torch.cuda', name, cls)]
    rows += [('torch', q.name, q) for q in QSTORAGES.values()]
    rows += [('torch', n, _Unsupported('torch.' + n)) for n in ('QUInt2x4Storage', 'QUInt4x2Storage')]
    for p in _LEGACY_TENSORS:
        name = p + 'Tensor'
        cls = legacy_classes.get(name) or _Unsupported('torch.' + name)
        rows += [('torch', name, cls), ('torch.cuda', name, cls),
                 ('torch.sparse', name, _Unsupported('torch.sparse.' + name)),
                 ('torch.cuda.sparse', name, _Unsupported('torch.cuda.sparse.' + name))]
    return rows


_by_object = {}


def torch_globals():
    """'torch.x.y' -> faketorch object, for the loaders (Parameter added lazily: nn imports late)."""
    table = {f'{m}.{n}': o for m, n, o in _torch_table()}
    table['torch.nn.parameter.Parameter'] = _parameter_cls()
    return table


def torch_name_of(obj):
    """(module, name) torch uses for a faketorch object, or None: what the saver writes."""
    if not _by_object:
        for m, n, o in reversed(_torch_table()):
            _by_object[id(o)] = (m, n, o)
        _by_object[id(_parameter_cls())] = ('torch.nn.parameter', 'Parameter', _parameter_cls())
    hit = _by_object.get(id(obj))
    return hit[:2] if hit is not None else None
