"""torch dtypes as objects, and torch's type-promotion rules (as tables)."""
import builtins as _b
import functools as _functools

import numpy as np

from . import _float8

_pybool = _b.bool

__all__ = ['dtype']

# category: 0 bool, 1 integer, 2 floating, 3 complex, 4 none (placeholders)
_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3
_OTHER = 4      # torch's placeholder dtypes (bits, sub-byte ints, quantized): no arithmetic category


class dtype:
    __slots__ = ('name', '_np', 'itemsize', 'is_floating_point', 'is_complex', '_signed',
                 '_cat', '_rank', '_fix', '__weakref__')

    def __init__(self, name, np_dtype, cat, rank, signed, itemsize=None):
        self.name = name
        self._np = np.dtype(np_dtype) if np_dtype is not None else None
        self.itemsize = itemsize or (self._np.itemsize if self._np is not None else 2)
        self.is_floating_point = cat == _FLOAT
        self.is_complex = cat == _COMPLEX
        self._signed = signed
        self._cat = cat
        self._rank = rank
        self._fix = None        # carried types (bfloat16, float8): makes an array hold only their values

    @property
    def is_signed(self):
        if self._signed.__class__ is str:     # torch refuses to say for bits and quantized types
            raise RuntimeError(self._signed)
        return self._signed

    def __repr__(self):
        return 'torch.' + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))

    def to_real(self):
        return {'complex64': float32, 'complex128': float64}.get(self.name, self)

    def to_complex(self):
        if self._cat != _FLOAT and self._cat != _COMPLEX or self.itemsize == 1 and self._cat == _FLOAT:
            raise RuntimeError(f"Unknown Complex ScalarType for {type_name(self)}")
        return {'float64': complex128, 'float16': complex32}.get(self.name, complex64) \
            if self.is_floating_point else self


bool = dtype('bool', np.bool_, _BOOL, 0, False)
uint8 = dtype('uint8', np.uint8, _INT, 1, False)
int8 = dtype('int8', np.int8, _INT, 1, True)
int16 = dtype('int16', np.int16, _INT, 2, True)
int32 = dtype('int32', np.int32, _INT, 3, True)
int64 = dtype('int64', np.int64, _INT, 4, True)
uint16 = dtype('uint16', np.uint16, _INT, 2, False)
uint32 = dtype('uint32', np.uint32, _INT, 3, False)
uint64 = dtype('uint64', np.uint64, _INT, 4, False)
float16 = dtype('float16', np.float16, _FLOAT, 1, True)
# NumPy has no bfloat16: a bfloat16 tensor's array is float32 holding only bfloat16 values (see
# round_bf16), which is also how torch's CPU kernels compute bfloat16 (in float, rounded once)
bfloat16 = dtype('bfloat16', np.float32, _FLOAT, 1, True, 2)
float32 = dtype('float32', np.float32, _FLOAT, 2, True)
float64 = dtype('float64', np.float64, _FLOAT, 3, True)
complex32 = dtype('complex32', None, _COMPLEX, 1, True, 4)
complex64 = dtype('complex64', np.complex64, _COMPLEX, 2, True)
complex128 = dtype('complex128', np.complex128, _COMPLEX, 3, True)

# torch's 8-bit floats: float32 arrays holding only their values (see _float8.py)
float8_e4m3fn = dtype('float8_e4m3fn', np.float32, _FLOAT, 1, True, 1)
float8_e5m2 = dtype('float8_e5m2', np.float32, _FLOAT, 1, True, 1)
float8_e4m3fnuz = dtype('float8_e4m3fnuz', np.float32, _FLOAT, 1, True, 1)
float8_e5m2fnuz = dtype('float8_e5m2fnuz', np.float32, _FLOAT, 1, True, 1)
float8_e8m0fnu = dtype('float8_e8m0fnu', np.float32, _FLOAT, 1, False, 1)
float8_types = (float8_e4m3fn, float8_e5m2, float8_e4m3fnuz, float8_e5m2fnuz, float8_e8m0fnu)
# torch casts the NaN of these (no IEEE NaN pattern) to integers as 0; e4m3fn/e5m2 NaN gives INT_MIN
float8_nan_int_zero = frozenset((float8_e4m3fnuz, float8_e5m2fnuz, float8_e8m0fnu))
# dtypes torch names but barely computes with: tensors of them cannot be made here (no array type)
float4_e2m1fn_x2 = dtype('float4_e2m1fn_x2', None, _FLOAT, 1, True, 1)
_BITS = "Bits types are undefined"
_QUANT = "isSignedType not supported for quantized types"
bits1x8, bits2x4, bits4x2, bits8 = (dtype(n, None, _OTHER, 0, _BITS, 1)
                                    for n in ('bits1x8', 'bits2x4', 'bits4x2', 'bits8'))
bits16 = dtype('bits16', None, _OTHER, 0, _BITS, 2)
int1, int2, int3, int4, int5, int6, int7 = (dtype(f'int{i}', None, _OTHER, 0, True, 1) for i in range(1, 8))
uint1, uint2, uint3, uint4, uint5, uint6, uint7 = (dtype(f'uint{i}', None, _OTHER, 0, False, 1)
                                                   for i in range(1, 8))
quint8, qint8, quint4x2, quint2x4 = (dtype(n, None, _OTHER, 0, _QUANT, 1)
                                     for n in ('quint8', 'qint8', 'quint4x2', 'quint2x4'))
qint32 = dtype('qint32', None, _OTHER, 0, _QUANT, 4)
placeholder_types = (float4_e2m1fn_x2, bits1x8, bits2x4, bits4x2, bits8, bits16, int1, int2, int3, int4,
                     int5, int6, int7, uint1, uint2, uint3, uint4, uint5, uint6, uint7, quint8, qint8,
                     qint32, quint4x2, quint2x4)

all_dtypes = [bool, uint8, int8, int16, int32, int64, uint16, uint32, uint64, float16, bfloat16,
              float32, float64, complex32, complex64, complex128, *float8_types, *placeholder_types]
# torch has only "barebones" kernels for these: many ops refuse them ("add_stub" not implemented for 'UInt32')
BARE_UINTS = frozenset((uint16, uint32, uint64))

# torch's aliases: torch.float is float32, torch.long is int64, ...
aliases = {'float': float32, 'double': float64, 'half': float16, 'long': int64, 'int': int32,
           'short': int16, 'cfloat': complex64, 'cdouble': complex128, 'chalf': complex32, 'bit': uint1}

_BY_NAME = {d.name: d for d in all_dtypes}
_BY_NAME.update(aliases)
_FROM_NP = {d._np: d for d in all_dtypes[:16] if d._np is not None and d is not bfloat16}


def _by_name(name):
    return _BY_NAME[name]


def from_numpy_dtype(npd):
    """The torch dtype of a NumPy dtype; raises torch's TypeError for unsupported ones."""
    try:
        return _FROM_NP[np.dtype(npd)]
    except KeyError:
        raise TypeError(f"can't convert np.ndarray of type numpy.{np.dtype(npd).name}. The only "
                        "supported types are: float64, float32, float16, complex64, complex128, "
                        "int64, int32, int16, int8, uint64, uint32, uint16, uint8, and bool.") from None


def np_dtype(d):
    """The NumPy dtype of d's arrays (float32 for bfloat16)."""
    if d._np is None:
        raise TypeError(f"faketorch: dtype {d} is not supported (NumPy has no {d.name} type)")
    return d._np


# --- bfloat16 values in float32 arrays ----------------------------------------------------------
_f32, _u32, _u16 = np.float32, np.uint32, np.uint16


def round_bf16(a):
    """float32 -> the nearest bfloat16 values (ties to even), as a new float32 array of a's layout;
    NaN becomes c10's quiet NaN 0x7FC0 (its carry would otherwise reach the sign bit). Works on
    NumPy and CuPy arrays; a Python number gives a NumPy float32 scalar."""
    if not hasattr(a, 'view'):     # Python numbers (or nested lists of them)
        return round_bf16(np.asarray(a, _f32))[()]
    if a.ndim == 0:         # NumPy's ufuncs turn 0-d arrays into scalars
        return round_bf16(a.reshape(1)).reshape(())
    a = a.astype(_f32, copy=False)
    u = a.view(_u32)
    out = np.empty_like(a)      # float32 from the start: its memory root is a float32 array
    r = out.view(_u32)
    np.right_shift(u, 16, out=r)
    r &= 1
    r += u
    r += 0x7FFF
    r &= 0xFFFF0000
    nan = a != a
    if nan.any():
        r[nan] = 0x7FC00000
    return out


def as_bf16(a):
    """The array of a bfloat16 tensor for `a`: a itself if its values are bfloat16 values already
    (a view stays a view), else a rounded copy (other dtypes go through float32, as torch's
    double -> bfloat16 and int -> bfloat16 casts do)."""
    if a.dtype != _f32:
        return round_bf16(a)
    c = a
    if 0 in a.strides and a.size:       # an expanded view: look at each element once
        c = a[tuple(slice(0, 1) if st == 0 else slice(None) for st in a.strides)]
    if (c.view(_u32) & 0xFFFF).any():
        return round_bf16(a)
    return a


bfloat16._fix = as_bf16
for _d in float8_types:
    _d._fix = _functools.partial(_float8.as_f8, _d.name)


def bf16_bits(a):
    """A bfloat16 tensor's array -> its 16-bit patterns (uint16, a new array)."""
    if a.ndim == 0:
        return bf16_bits(a.reshape(1)).reshape(())
    return (a.view(_u32) >> 16).astype(_u16)


def bf16_from_bits(bits):
    """16-bit patterns (any 2-byte dtype) -> a bfloat16 tensor's float32 array (a new array)."""
    if bits.ndim == 0:
        return bf16_from_bits(bits.reshape(1)).reshape(())
    out = np.empty_like(bits, dtype=_f32)
    r = out.view(_u32)
    r[...] = bits.view(_u16)
    r <<= 16
    return out


def carried_bits(d, a):
    """A bfloat16 or float8 tensor's float32 array -> its bit patterns (uint16 / uint8, a new array)."""
    return bf16_bits(a) if d is bfloat16 else _float8.bits(d.name, a)


def round_to(d, a):
    """Values (array or number) rounded to the carried dtype d (bfloat16 or float8), as its float32 array."""
    return round_bf16(a) if d is bfloat16 else _float8.round_f8(d.name, a)


def from_bits(d, a):
    """An array's memory reinterpreted as dtype d's values (its array: float32 for bfloat16 / float8)."""
    if d is bfloat16:
        return bf16_from_bits(a.view(_u16))
    if d._fix is not None:
        return _float8.decode(d.name, a.view(np.uint8))
    return a.view(d._np)


# --- promotion --------------------------------------------------------------------------------
_default = [float32]


def get_default_dtype():
    return _default[0]


def set_default_dtype(d):
    if not isinstance(d, dtype) or d not in (float16, bfloat16, float32, float64):
        raise TypeError('only floating-point types are supported as the default type')
    _default[0] = d


def default_complex():
    return complex128 if _default[0] is float64 else complex64


_PROMOTE = {}


def _promote_slow(a, b):
    if a is b:
        return a
    if a in _NO_PROMOTION or b in _NO_PROMOTION:
        return _refuse_promotion(a, b)
    big_unsigned = (uint16, uint32, uint64)
    # only floats promote with them: integers, bool and complex are refused
    if (a in big_unsigned or b in big_unsigned) and a._cat != _FLOAT and b._cat != _FLOAT:
        raise RuntimeError(f"Promotion for uint16, uint32, uint64 types is not supported, "
                           f"attempted to promote {_MSG_NAME[a.name]} and {_MSG_NAME[b.name]}")
    if a._cat != b._cat:
        hi, lo = (a, b) if a._cat > b._cat else (b, a)
        # complex absorbs float precision: complex64 + float64 -> complex128
        if hi._cat == _COMPLEX and lo._cat == _FLOAT and lo._rank > hi._rank:
            return complex128
        if hi._cat == _COMPLEX and lo is float16 and hi is complex32:
            return complex32
        return hi
    if a._cat == _FLOAT and {a, b} == {float16, bfloat16}:
        return float32
    if a._cat == _INT and a.is_signed != b.is_signed:
        u, s = (a, b) if not a.is_signed else (b, a)
        if u is uint8:
            return s if s._rank > 1 else int16
    return a if a._rank >= b._rank else b


_UNSIGNED_LOW = (uint1, uint2, uint3, uint4, uint5, uint6, uint7)
_NO_PROMOTION = frozenset(float8_types + placeholder_types)


def _refuse_promotion(a, b):
    """c10's promoteTypes for the dtypes it has no table row for (float8, sub-byte, bits, quantized),
    checked in its order; uint1..uint7 + a float gives the float."""
    na, nb = _MSG_NAME[a.name], _MSG_NAME[b.name]
    if a.name[0] == 'q' or b.name[0] == 'q':
        raise RuntimeError("promoteTypes with quantized numbers is not handled yet; figure out what the correct "
                           f"rules should be, offending types: {na} {nb}")
    if a.name.startswith('bits') or b.name.startswith('bits'):
        raise RuntimeError(f"Promotion from {na} and {nb} is unsupported.")
    if a in float8_types or b in float8_types:
        raise RuntimeError(f"Promotion for Float8 Types is not supported, attempted to promote {na} and {nb}")
    if a in _UNSIGNED_LOW or b in _UNSIGNED_LOW or a in (uint16, uint32, uint64) or b in (uint16, uint32, uint64):
        for d in (a, b):
            if d._cat == _FLOAT and d._np is not None:
                return d
        raise RuntimeError(f"Promotion for uint16, uint32, uint64 types is not supported, attempted to promote "
                           f"{na} and {nb}")
    raise RuntimeError('ix_a != -1 INTERNAL ASSERT FAILED at "/__w/pytorch/pytorch/c10/core/ScalarType.cpp":103, '
                       'please report a bug to PyTorch. ')


def promote_types(a, b):
    r = _PROMOTE.get((a, b))
    if r is None:
        r = _PROMOTE[(a, b)] = _promote_slow(a, b)
    return r


def _combine(higher, lower):
    """c10's combine_categories: a higher-priority class wins unless the lower one is of a
    higher category."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher._cat == _COMPLEX:
        return higher
    if lower._cat == _COMPLEX:
        return higher.to_complex() if higher._cat == _FLOAT else lower
    if higher._cat == _FLOAT:
        return higher
    if higher is bool or lower._cat == _FLOAT:
        return promote_types(higher, lower)
    return higher


def result_type_of(tensors=(), scalars=()):
    """torch.result_type over dimensioned tensors, 0-dim tensors and Python scalars."""
    dim = zero = wrapped = None
    for t in tensors:
        d = t.dtype
        if t._data.ndim:
            dim = d if dim is None else promote_types(dim, d)
        else:
            zero = d if zero is None else promote_types(zero, d)
    for s in scalars:
        d = _scalar_wrapped(s)
        wrapped = d if wrapped is None else promote_types(wrapped, d)
    return _combine(dim, _combine(zero, wrapped))


def _scalar_wrapped(s):
    t = type(s)
    if t is _pybool or isinstance(s, np.bool_):
        return bool
    if t is int or isinstance(s, np.integer):
        return int64
    if t is float or isinstance(s, np.floating):
        return _default[0]
    if t is complex or isinstance(s, np.complexfloating):
        return default_complex()
    raise TypeError(f"unsupported scalar type {t.__name__}")


_CAST_ORDER = {_BOOL: 0, _INT: 1, _FLOAT: 2, _COMPLEX: 3}


def can_cast(from_, to):
    """torch.can_cast: casting to a lower category is not allowed."""
    if from_._cat == _COMPLEX and to._cat != _COMPLEX:
        return False
    if from_._cat == _FLOAT and to._cat in (_INT, _BOOL):
        return False
    if from_._cat != _BOOL and to._cat == _BOOL:
        return False
    return True


def type_name(d):
    """The capitalized name torch uses in messages: Float, Long, ComplexFloat ..."""
    return _MSG_NAME[d.name]


_MSG_NAME = {'bool': 'Bool', 'uint8': 'Byte', 'int8': 'Char', 'int16': 'Short', 'int32': 'Int',
             'int64': 'Long', 'uint16': 'UInt16', 'uint32': 'UInt32', 'uint64': 'UInt64',
             'float16': 'Half', 'bfloat16': 'BFloat16', 'float32': 'Float', 'float64': 'Double',
             'complex32': 'ComplexHalf', 'complex64': 'ComplexFloat', 'complex128': 'ComplexDouble',
             'float8_e4m3fn': 'Float8_e4m3fn', 'float8_e5m2': 'Float8_e5m2', 'float8_e4m3fnuz': 'Float8_e4m3fnuz',
             'float8_e5m2fnuz': 'Float8_e5m2fnuz', 'float8_e8m0fnu': 'Float8_e8m0fnu',
             'float4_e2m1fn_x2': 'Float4_e2m1fn_x2', 'bits1x8': 'Bits1x8', 'bits2x4': 'Bits2x4', 'bits4x2': 'Bits4x2',
             'bits8': 'Bits8', 'bits16': 'Bits16', 'quint8': 'QUInt8', 'qint8': 'QInt8', 'qint32': 'QInt32',
             'quint4x2': 'QUInt4x2', 'quint2x4': 'QUInt2x4',
             **{f'int{i}': f'Int{i}' for i in range(1, 8)}, **{f'uint{i}': f'UInt{i}' for i in range(1, 8)}}

# legacy tensor type names: torch.FloatTensor ...
legacy_names = {'float32': 'FloatTensor', 'float64': 'DoubleTensor', 'float16': 'HalfTensor',
                'bfloat16': 'BFloat16Tensor', 'uint8': 'ByteTensor', 'int8': 'CharTensor',
                'int16': 'ShortTensor', 'int32': 'IntTensor', 'int64': 'LongTensor',
                'bool': 'BoolTensor', 'complex64': 'ComplexFloatTensor',
                'complex128': 'ComplexDoubleTensor'}


def type_str(dtype, device=None):
    """A tensor's type as torch's argument checks print it: the legacy 'torch.FloatTensor' /
    'torch.cuda.FloatTensor' name where one exists, else the backend type 'CPUBoolType' / 'CUDABoolType'."""
    n, cuda = _MSG_NAME[dtype.name], device is not None and device.type == 'cuda'
    if n in ('Byte', 'Char', 'Short', 'Int', 'Long', 'Half', 'Float', 'Double'):
        return f"torch.{'cuda.' if cuda else ''}{n}Tensor"
    return f"{'CUDA' if cuda else 'CPU'}{n}Type"
