"""torch dtypes as objects, and torch's type-promotion rules (as tables)."""
import builtins as _b

import numpy as np

_pybool = _b.bool

__all__ = ['dtype']

# category: 0 bool, 1 integer, 2 floating, 3 complex
_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    __slots__ = ('name', '_np', 'itemsize', 'is_floating_point', 'is_complex', 'is_signed',
                 '_cat', '_rank', '__weakref__')

    def __init__(self, name, np_dtype, cat, rank, signed):
        self.name = name
        self._np = np.dtype(np_dtype) if np_dtype is not None else None
        self.itemsize = self._np.itemsize if self._np is not None and name != 'bfloat16' else 2
        self.is_floating_point = cat == _FLOAT
        self.is_complex = cat == _COMPLEX
        self.is_signed = signed
        self._cat = cat
        self._rank = rank

    def __repr__(self):
        return 'torch.' + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))

    def to_real(self):
        return {'complex64': float32, 'complex128': float64}.get(self.name, self)

    def to_complex(self):
        if self._cat < _FLOAT:
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
bfloat16 = dtype('bfloat16', np.float32, _FLOAT, 1, True)
float32 = dtype('float32', np.float32, _FLOAT, 2, True)
float64 = dtype('float64', np.float64, _FLOAT, 3, True)
complex32 = dtype('complex32', None, _COMPLEX, 1, True)
complex64 = dtype('complex64', np.complex64, _COMPLEX, 2, True)
complex128 = dtype('complex128', np.complex128, _COMPLEX, 3, True)

all_dtypes = [bool, uint8, int8, int16, int32, int64, uint16, uint32, uint64, float16, bfloat16,
              float32, float64, complex32, complex64, complex128]
# torch has only "barebones" kernels for these: many ops refuse them ("add_stub" not implemented for 'UInt32')
BARE_UINTS = frozenset((uint16, uint32, uint64))

# torch's aliases: torch.float is float32, torch.long is int64, ...
aliases = {'float': float32, 'double': float64, 'half': float16, 'long': int64, 'int': int32,
           'short': int16, 'cfloat': complex64, 'cdouble': complex128, 'chalf': complex32}

_BY_NAME = {d.name: d for d in all_dtypes}
_BY_NAME.update(aliases)
_FROM_NP = {d._np: d for d in all_dtypes if d._np is not None and d is not bfloat16}


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
             'complex32': 'ComplexHalf', 'complex64': 'ComplexFloat', 'complex128': 'ComplexDouble'}

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
