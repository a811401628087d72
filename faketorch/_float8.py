"""torch's 8-bit floats carried in float32 arrays, as bfloat16 is (see _dtype.round_bf16).

A float8 tensor's array is float32 holding exactly the values the type can represent, the float c10
decodes each bit pattern to (e8m0fnu's 0x00 is 2**-127; NaN patterns keep their sign and, for e5m2,
their mantissa, so a bit pattern survives the round trip through the carrier). torch's CPU kernels
compute float8 in float and round once when they store, so every write into a float8 tensor is
`round_f8`: float32 -> c10's bit pattern (`encode`) -> its carrier value (`decode`)."""
import numpy as np

_f32, _u32, _u8 = np.float32, np.uint32, np.uint8

# per type: (exponent bits, mantissa bits, bias); the fnuz types have bias 8 / 16
_LAYOUT = {'float8_e4m3fn': (4, 3, 7), 'float8_e5m2': (5, 2, 15),
           'float8_e4m3fnuz': (4, 3, 8), 'float8_e5m2fnuz': (5, 2, 16)}


# e5m2's three NaN mantissas as float NaNs: 0x7F (what every cast writes) is the default quiet NaN
# that float arithmetic makes; 0x7D and 0x7E are signalling NaNs, which no float arithmetic or cast
# makes, so any other NaN a kernel or a cast writes reads back as 0x7F, as in torch
_E5M2_NANS = {1: 0x7FA00000, 2: 0x7F900000, 3: 0x7FC00000}


def _decode_table(name):
    """The 256 float32 values (as uint32 patterns) the bit patterns of a float8 type stand for."""
    b = np.arange(256, dtype=_u32)
    if name == 'float8_e8m0fnu':      # exponent only: 2**(b - 127), 0x00 is 2**-127, 0xFF NaN
        t = b << 23
        t[0] = 0x00400000
        t[255] = 0x7F800001
        return t
    e_bits, m_bits, bias = _LAYOUT[name]
    sign = (b >> 7) << 31
    exp = (b >> m_bits) & ((1 << e_bits) - 1)
    man = b & ((1 << m_bits) - 1)
    val = np.where(exp == 0, man.astype(np.float64) * 2.0 ** (1 - bias - m_bits),
                   (1 + man / 2.0 ** m_bits) * 2.0 ** (exp.astype(np.float64) - bias))
    t = val.astype(_f32).view(_u32) | sign
    if name == 'float8_e4m3fn':        # S.1111.111 is NaN (no inf)
        nan = (b & 0x7F) == 0x7F
        t[nan] = 0x7FF00000 | sign[nan]
    elif name == 'float8_e5m2':        # S.11111.00 inf, S.11111.mm NaN: one float NaN per mantissa
        top = exp == 31
        t[top] = 0x7F800000 | sign[top]
        for m, nan in _E5M2_NANS.items():
            t[top & (man == m)] = nan | sign[top & (man == m)]
    else:                              # fnuz: 0x80 is the only NaN, there is no -0
        t[0x80] = 0x7F800001
    return t


# float32 tables: a lookup makes a float32 array that owns its memory (save/load and views look at the root)
_DECODE = {n: _decode_table(n).view(_f32) for n in (*_LAYOUT, 'float8_e8m0fnu')}


def encode(name, a):
    """float32 array -> the float8 bit patterns (uint8) c10 converts its values to: round to nearest
    even; e4m3fn saturates finite overflow and inf to +-448; e5m2 overflows to inf; the fnuz types
    turn overflow, inf and NaN into 0x80 and -0 into 0; e8m0fnu keeps the exponent, rounding the
    mantissa half-up (ties away) on normal floats and to even on subnormals, ignoring the sign."""
    u = np.ascontiguousarray(a, _f32).view(_u32)
    if name == 'float8_e8m0fnu':
        e = (u >> 23) & 0xFF
        g, r, s = (u >> 22) & 1, (u >> 21) & 1, (u & 0x1FFFFF) != 0
        up = (g == 1) & ((r == 1) | s | (e > 0)) & (e != 0xFF)
        return (e + up).astype(_u8)
    e_bits, m_bits, bias = _LAYOUT[name]
    sign = (u >> 24) & 0x80
    mag = u & 0x7FFFFFFF
    shift = 23 - m_bits
    min_normal = (127 - bias + 1) << 23
    # normal range: rebias the exponent and round the dropped mantissa bits to nearest even
    rnd = mag + (((bias - 127) << 23) & 0xFFFFFFFF) + ((1 << (shift - 1)) - 1) + ((mag >> shift) & 1)
    out = (rnd >> shift).astype(_u32)
    small = mag < min_normal
    if small.any():     # subnormal range: float addition of a magic number rounds to even for us
        magic = np.array(((127 - bias) + shift + 1) << 23, _u32).view(_f32)
        m = mag[small].view(_f32) + magic
        out[small] = m.view(_u32) - magic.view(_u32)
    nan = mag > 0x7F800000
    if name == 'float8_e4m3fn':
        out[(mag >= 0x43F00000) | (out == 0x7F)] = 0x7E
        out[nan] = 0x7F
    elif name == 'float8_e5m2':
        out[mag >= 0x47800000] = 0x7C
        out[nan] = 0x7F
    else:       # overflow, and rounding that carries past the largest finite value, give NaN
        nan = (mag >= (0x87 << 23 if e_bits == 4 else 0x8F << 23)) | (out >= 0x80)
        out |= sign
        out[out == 0x80] = 0
        out[nan] = 0x80
        return out.astype(_u8)
    return (out | sign).astype(_u8)


def _on_host(fn):
    """fn on NumPy arrays, also given a CuPy array (done on the host and copied back): float8 is rare
    on a GPU, and torch's CUDA float8 kernels are as few as its CPU ones."""
    def f(name, a):
        if isinstance(a, np.ndarray) or not hasattr(a, 'get'):
            return fn(name, a)
        import cupy
        return cupy.asarray(fn(name, a.get()))
    f.__name__, f.__doc__ = fn.__name__, fn.__doc__
    return f


@_on_host
def decode(name, bits):
    """float8 bit patterns (any 1-byte array) -> the float32 carrier (a new array)."""
    return _DECODE[name][bits.view(_u8)]


@_on_host
def round_f8(name, a):
    """Any real array -> a float8 carrier (float32) of the same shape; other dtypes go through float32
    first, as c10's casts do (double rounding from float64 included)."""
    if not hasattr(a, 'view'):
        return round_f8(name, np.asarray(a, _f32))
    if a.ndim == 0:
        return round_f8(name, a.reshape(1)).reshape(())
    with np.errstate(all='ignore'):
        a32 = a.astype(_f32)
    return decode(name, encode(name, a32))


@_on_host
def bits(name, a):
    """A float8 tensor's float32 carrier -> its bit patterns (uint8, a new array of a's shape). NaN
    carriers keep their pattern (sign, e5m2's mantissa)."""
    if a.ndim == 0:
        return bits(name, a.reshape(1)).reshape(())
    a = np.ascontiguousarray(a, _f32)
    out = encode(name, a)
    u = a.view(_u32)
    nan = (u & 0x7FFFFFFF) > 0x7F800000
    if name == 'float8_e5m2' and nan.any():
        mag = u[nan] & 0x7FFFFFFF
        m = np.where(mag == _E5M2_NANS[1], 1, np.where(mag == _E5M2_NANS[2], 2, 3))
        out[nan] = ((u[nan] >> 24) & 0x80) | 0x7C | m
    return out


def as_f8(name, a):
    """The array of a float8 tensor for `a`: a itself when it holds carrier values already (a view
    stays a view), else a rounded copy."""
    if a.dtype != _f32 or a.size == 0:
        return round_f8(name, a) if a.dtype != _f32 else a
    host = a if isinstance(a, np.ndarray) else a.get()     # (a CuPy array: checked on the host)
    if np.array_equal(decode(name, bits(name, host)).view(_u32), np.ascontiguousarray(host).view(_u32)):
        return a
    return round_f8(name, a)



def widen(name, a, target):
    """A float8 tensor's carrier -> the float32 values torch's cast to the dtype named `target` starts from.
    Only NaNs differ from the carrier: e5m2's read as float16's do (the mantissa kept, quietened); a cast
    to float16 quietens any NaN (as F16C does), one to bfloat16 gives its single NaN 0x7FC0."""
    nan = a != a
    if not nan.any():
        return a
    u = a.view(_u32)
    sign = u & 0x80000000
    if name == 'float8_e5m2':
        mag = u & 0x7FFFFFFF
        m = np.where(mag == _E5M2_NANS[1], 1, np.where(mag == _E5M2_NANS[2], 2, 3)).astype(_u32)
        u = np.where(nan, sign | 0x7FC00000 | (m << 21), u)
    if target == 'float16':
        u = np.where(nan, u | 0x7FC00000, u)
    elif target == 'bfloat16':
        u = np.where(nan, _u32(0x7FC00000), u)
    return u.astype(_u32).view(_f32)
