"""torch's CPU random-number engine (mt19937) and every distribution, as functions on NumPy arrays.

Bit-identical to torch 2.13's CPU kernels as compiled for x86-64 (the AVX2 kernels, which
AVX-512 machines also run; GCC contracted ``a*b+c`` into fused multiply-adds there). The
specification is /work/shared/RNG.md; section numbers below refer to it.

Conventions:
- ``gen`` is a ``_State`` (``faketorch.random.Generator`` is one).
- ``dtype`` is a NumPy dtype or the string ``'bfloat16'``; bfloat16 results come back as float32
  arrays holding bfloat16 values (NumPy has no bfloat16).
- Every function returns a new C-ordered array whose flat order is torch's draw order, that is
  the output tensor's memory order (§9). A caller filling a non-contiguous tensor writes the
  result into memory order, and passes ``contiguous=False`` to ``normal``.
- Float64 transcendental steps go through Python's ``math`` (the C library torch calls);
  NumPy's own SIMD ``log``/``log1p`` differ from it in the last bit.
"""
import math
import warnings

import numpy as np

from ._dtype import round_bf16 as _bf16     # float32 -> bfloat16 values, kept in a float32 array

__all__ = ['BF16', 'DEFAULT_SEED', '_State', 'uniform', 'normal', 'normal_tensor', 'randint', 'random_',
           'randperm', 'bernoulli', 'bernoulli_tensor', 'multinomial', 'exponential', 'cauchy',
           'log_normal', 'geometric', 'poisson', 'random64_mod63']

BF16 = 'bfloat16'
DEFAULT_SEED = 67280421310721
_N = 624
_STATE_BYTES = 5056
_U64 = 0xFFFFFFFFFFFFFFFF
_f32, _f64, _u32, _u64 = np.float32, np.float64, np.uint32, np.uint64


def _invalid():
    return RuntimeError('Invalid mt19937 state')


def _temper(y):
    y = y.astype(_u64) & 0xFFFFFFFF
    y ^= y >> 11
    y ^= (y << 7) & 0x9D2C5680
    y ^= (y << 15) & 0xEFC60000
    y ^= y >> 18
    return y


class _State:
    """One mt19937 engine plus its normal caches, mirroring torch's CPUGeneratorImpl (§1).

    NumPy's MT19937 bit generator runs the bulk of the stream. torch's ``left``/``next`` pair is
    kept implicitly: it follows from NumPy's ``pos``, except right after seeding or
    ``set_state`` (``_idle_next``) and for hand-made states whose ``left + next != 625``
    (``_pre``: the words torch will hand out before its next twist).
    """
    __slots__ = ('_bg', '_seed', '_idle_next', '_pre', '_normal_d', '_normal_f', '__weakref__')

    def __init__(self, seed=DEFAULT_SEED):
        self._bg = np.random.MT19937()
        self._seed_engine(seed)

    def _seed_engine(self, seed):
        seed &= _U64
        # RandomState's integer seeding is textbook init_genrand, as torch's (§1)
        key = np.random.RandomState(seed & 0xFFFFFFFF).get_state()[1]
        self._set_key(key, _N)
        self._seed = seed
        self._idle_next = 0
        self._pre = None
        self._normal_d = None
        self._normal_f = None

    def _set_key(self, key, pos):
        self._bg.state = {'bit_generator': 'MT19937', 'state': {'key': key, 'pos': pos}}

    # -- draws -------------------------------------------------------------------------------
    def _raw32(self, n):
        """n engine outputs (torch's ``random()``), as uint64."""
        if n <= 0:
            return np.empty(0, _u64)
        pre = self._pre
        if pre is not None:
            head = pre[:n]
            self._pre = pre[n:] if len(pre) > n else None
            if n == len(head):
                return head.copy()
            n -= len(head)
            self._idle_next = _N
            return np.concatenate([head, self._bg.random_raw(n)])
        self._idle_next = _N
        return self._bg.random_raw(n)

    def _raw64(self, n):
        """n ``random64()`` values: two outputs each, the first one the high half."""
        r = self._raw32(2 * n)
        return (r[0::2] << 32) | r[1::2]

    # -- state bytes (§1.1) ---------------------------------------------------------------------
    def _left_next(self, pos):
        if self._pre is not None:
            k = len(self._pre)
            return k + 1, self._idle_next - k
        if pos == _N:
            return 1, self._idle_next
        return _N + 1 - pos, pos

    def _get_state_bytes(self):
        st = self._bg.state['state']
        left, nxt = self._left_next(int(st['pos']))
        buf = np.zeros(_STATE_BYTES, np.uint8)
        head = np.array([(self._seed, left, 1, nxt)], dtype=[('s', '<u8'), ('l', '<i4'), ('f', '<i4'), ('n', '<u8')])
        buf[:24] = head.view(np.uint8)
        buf[24:5016] = st['key'].astype('<u8').view(np.uint8)
        if self._normal_d is not None:
            buf[5024:5032] = np.array([self._normal_d], '<f8').view(np.uint8)
            buf[5040] = 1
        if self._normal_f is not None:
            buf[5048:5052] = np.array([self._normal_f], '<f4').view(np.uint8)
            buf[5052] = 1
        return buf

    def _set_state_bytes(self, buf):
        buf = np.ascontiguousarray(buf, dtype=np.uint8).reshape(-1)
        if buf.size != _STATE_BYTES:
            raise RuntimeError(f'Expected a CPUGeneratorImplState of size {_STATE_BYTES} but found the '
                               f'input RNG state size to be {buf.size}')
        seed = int(buf[0:8].view('<u8')[0])
        left = int(buf[8:12].view('<i4')[0])
        seeded = buf[12] != 0
        nxt = int(buf[16:24].view('<u8')[0])
        if not seeded or not 1 <= left <= _N or nxt > _N:
            raise _invalid()
        if left > 1 and nxt + left - 1 > _N:
            # torch would read past the end of its state array; nothing sensible to reproduce
            raise _invalid()
        key = (buf[24:5016].view('<u8') & 0xFFFFFFFF).astype(_u32)
        pre = None
        if left == 1:
            self._set_key(key, _N)
            idle = nxt
        elif left + nxt == _N + 1:
            self._set_key(key, nxt)
            idle = _N
        else:   # a hand-made state: left-1 words from `next`, then the twist
            pre = _temper(key[nxt:nxt + left - 1])
            self._set_key(key, _N)
            idle = nxt + left - 1
        self._seed = seed
        self._idle_next = idle
        self._pre = pre
        self._normal_d = float(buf[5024:5032].view('<f8')[0]) if buf[5040:5044].view('<i4')[0] else None
        self._normal_f = float(buf[5048:5052].view('<f4')[0]) if buf[5052] else None


# ---------------------------------------------------------------------------------------------
# dtypes and exact arithmetic
# ---------------------------------------------------------------------------------------------

_KINDS = {np.dtype(_f64): 'd', np.dtype(_f32): 'f', np.dtype(np.float16): 'h'}
# C++ type names in torch's messages
_CNAME = {'int8': 'signed char', 'uint8': 'unsigned char', 'int16': 'short int', 'int32': 'int',
          'int64': 'long int', 'uint16': 'short unsigned int', 'uint32': 'unsigned int',
          'uint64': 'long unsigned int', 'bool': 'bool', 'float32': 'float', 'float64': 'double',
          'float16': 'c10::Half', BF16: 'c10::BFloat16'}
# float dtypes: significand digits (random_ upper end) and largest finite value
_DIGITS = {'d': 53, 'f': 24, 'h': 11, 'b': 8}
_FMAX = {'d': 1.7976931348623157e308, 'f': 3.4028234663852886e38, 'h': 65504.0, 'b': 3.3895313892515355e38}


def _kind(dtype):
    """'d' float64, 'f' float32, 'h' float16, 'b' bfloat16, 'i' integer or bool."""
    if isinstance(dtype, str) and dtype == BF16:
        return 'b'
    return _KINDS.get(np.dtype(dtype), 'i')


def _name(dtype):
    return BF16 if _kind(dtype) == 'b' else np.dtype(dtype).name


def _out_dtype(dtype):
    return _f32 if _kind(dtype) == 'b' else np.dtype(dtype)




def _from_f32(v, dtype):
    k = _kind(dtype)
    if k == 'f':
        return v
    if k == 'b':
        return _bf16(v)
    with np.errstate(over='ignore', invalid='ignore'):     # torch's casts overflow silently
        return v.astype(dtype)


def _from_f64(v, dtype):
    """double -> dtype as torch casts it: half and bfloat16 go through float."""
    k = _kind(dtype)
    if k == 'd':
        return v
    with np.errstate(over='ignore', invalid='ignore'):
        if k in 'hb':
            return _from_f32(v.astype(_f32), dtype)
        return v.astype(dtype)


def _from_i64(v, dtype):
    k = _kind(dtype)
    if k == 'b':
        return _bf16(v.astype(_f32))
    if k == 'h':   # int64 -> float -> half
        return v.astype(_f32).astype(np.float16)
    return v.astype(dtype)


def _libm(f, x):
    """Apply a C-library function elementwise (math calls libm, as torch does)."""
    x = np.asarray(x, _f64)
    return np.fromiter(map(f, x.ravel().tolist()), _f64, x.size).reshape(x.shape)


_SINCOS_OK = None


def _sin_cos(t):
    """libm sin and cos of a float64 array; NumPy's agree with glibc, checked once to be safe."""
    global _SINCOS_OK
    if _SINCOS_OK is None:
        s = np.linspace(0.0, 2 * math.pi, 4099)[1:]
        _SINCOS_OK = bool(np.array_equal(np.sin(s), _libm(math.sin, s))
                          and np.array_equal(np.cos(s), _libm(math.cos, s)))
    if _SINCOS_OK:
        return np.sin(t), np.cos(t)
    return _libm(math.sin, t), _libm(math.cos, t)


def _round_odd_fix(s, e):
    """Where the exact value s+e is not s, move s to the neighbour with an odd significand."""
    bad = (e != 0) & ((s.view(_u64) & 1) == 0)
    if bad.any():
        s[bad] = np.nextafter(s[bad], np.where(e[bad] > 0, np.inf, -np.inf))
    return s


def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _fma32(a, b, c):
    """float32 fused multiply-add a*b+c (one rounding), on float32 arrays or scalars.

    a*b is exact in float64; the float64 sum rounds once, and that second rounding to float32
    can only be wrong where the sum lands on a float32 half-way point or in the float32
    subnormal range; those few elements are redone with round-to-odd.
    """
    if a.__class__ is np.ndarray and a.ndim and a.shape == np.broadcast_shapes(a.shape, np.shape(b), np.shape(c)):
        # in place on one float64 copy of a: NumPy's float32 -> float64 casts inside a ufunc cost more
        # than the copy (and the other two operands are often short rows, cast once)
        s = a.astype(_f64)
        np.multiply(s, np.asarray(b, _f64), out=s)
        np.add(s, np.asarray(c, _f64), out=s)
    else:
        s = np.add(np.multiply(a, b, dtype=_f64), c, dtype=_f64)
    out = s.astype(_f32)
    bits = s.view(_u64) if s.__class__ is np.ndarray else np.asarray(s).view(_u64)
    hazard = np.bitwise_and(bits, 0x1FFFFFFF) == 0x10000000
    hazard |= np.bitwise_and(bits, 0x7FF0000000000000) < (897 << 52)
    if hazard.any():
        idx = np.nonzero(hazard)
        pp = np.multiply(np.broadcast_to(a, s.shape)[idx], np.broadcast_to(b, s.shape)[idx], dtype=_f64)
        cc = np.broadcast_to(np.asarray(c, _f64), s.shape)[idx]
        hs, he = _two_sum(pp, cc)
        out[idx] = _round_odd_fix(hs, he).astype(_f32)
    return out



_SPLIT = 134217729.0   # 2^27 + 1, Veltkamp's constant for doubles


def _two_prod(a, b):
    p = a * b
    t = _SPLIT * a
    a1 = t - (t - a)
    a2 = a - a1
    t = _SPLIT * b
    b1 = t - (t - b)
    b2 = b - b1
    return p, ((a1 * b1 - p) + a1 * b2 + a2 * b1) + a2 * b2


def _fma64(a, b, c):
    """float64 fused multiply-add a*b+c (Boldo-Melquiond emulation with round-to-odd)."""
    a, b, c = np.broadcast_arrays(np.asarray(a, _f64), np.asarray(b, _f64), np.asarray(c, _f64))
    with np.errstate(over='ignore', invalid='ignore'):      # inf and overflow go the plain way below
        uh, ul = _two_prod(a, b)
        th, tl = _two_sum(c, uh)
        v, ve = _two_sum(tl, ul)
        v = _round_odd_fix(np.array(v, _f64), ve)
        out = th + v
    # products beyond ~2^995 overflow the split: those few are computed exactly (non-finite inputs
    # behave as the plain formula)
    big = ~np.isfinite(out) | ~np.isfinite(ul)
    if big.any():
        with np.errstate(over='ignore', invalid='ignore'):
            out = np.where(big, a * b + c, out)
        for i in zip(*np.nonzero(big & np.isfinite(a) & np.isfinite(b) & np.isfinite(c))):
            out[i] = _exact_fma(float(a[i]), float(b[i]), float(c[i]))
    return out


def _exact_fma(a, b, c):
    from fractions import Fraction
    x = Fraction(a) * Fraction(b) + Fraction(c)
    try:
        return float(x)        # correctly rounded
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def _affine64(v, std, mean):
    """fma(v, std, mean) in double, with the exact shortcuts for std == 1 or mean == 0."""
    if std == 1.0 and mean == 0.0:
        return v + mean
    with np.errstate(over='ignore', invalid='ignore'):      # overflows to inf silently, as torch's
        if std == 1.0:
            return v + mean
        if mean == 0.0:
            return v * std + 0.0
        return _fma64(v, std, mean)


def _affine32(v, std, mean):
    if std == 1.0 and mean == 0.0:
        return v + _f32(0)
    with np.errstate(over='ignore', invalid='ignore'):
        std, mean = _f32(std), _f32(mean)
        if std == 1:
            return v + mean
        if mean == 0:
            return v * std + _f32(0)
        return _fma32(v, std, mean)


# ---------------------------------------------------------------------------------------------
# uniforms, integers, permutations (§2, §3)
# ---------------------------------------------------------------------------------------------

def _numel(shape):
    return int(np.prod(shape, dtype=np.int64)) if len(shape) else 1


def _f24(r):
    """float uniform in [0, 1) from engine outputs."""
    return (r & 0xFFFFFF).astype(_f32) * _f32(2.0 ** -24)


def _f53(r):
    """double uniform in [0, 1) from random64 values."""
    return (r & 0x1FFFFFFFFFFFFF).astype(_f64) * (2.0 ** -53)


def _float_uniforms(gen, n):
    return _f24(gen._raw32(n))


def _double_uniforms(gen, n):
    return _f53(gen._raw64(n))


def uniform(gen, shape, dtype=_f32, low=0.0, high=1.0):
    """``torch.rand`` and ``Tensor.uniform_(low, high)`` for float64/float32/float16/bfloat16."""
    shape = tuple(shape)
    low, high = float(low), float(high)
    k = _kind(dtype)
    _check_uniform_bounds(low, high, k, dtype)
    n = _numel(shape)
    if k == 'd':
        x = _double_uniforms(gen, n)
        rng = high - low
        v = x if (rng == 1.0 and low == 0.0) else _fma64(x, rng, low)
        lo, hi = _f64(low), _f64(high)
    else:
        x = _float_uniforms(gen, n)
        lo32, hi32 = _f32(low), _f32(high)
        rng = hi32 - lo32
        v = x if (rng == 1 and lo32 == 0) else _fma32(x, rng, lo32)
        v = _from_f32(v, dtype)
        lo, hi = _from_f32(np.array([lo32, hi32]), dtype)
    v[v == hi] = lo   # rounding may reach `to`; torch maps it back to `from`
    return v.reshape(shape)


_LIMITS_NAME = {'d': 'Double', 'f': 'Float', 'h': 'Half', 'b': 'BFloat16'}


def _check_uniform_bounds(low, high, k, dtype):
    fmax = _FMAX[k]
    cname = _CNAME[_name(dtype)]
    if not -fmax <= low <= fmax:
        raise RuntimeError(f'from is out of bounds for {cname}')
    if not -fmax <= high <= fmax:
        raise RuntimeError(f'to is out of bounds for {cname}')
    if low > high:
        raise RuntimeError(f'uniform_ expects to return a [from, to) range, but found from={_g(low)} > to={_g(high)}')
    if high - low > fmax:
        raise RuntimeError(f'uniform_ expects to-from <= std::numeric_limits<{_LIMITS_NAME[k]}>::max(), but found '
                           f'to={_g(high)} and from={_g(low)} which result in to-from to exceed the limit')


def _g(x):
    """A double as torch's messages print it (C++ ostream: 6 significant digits)."""
    return '%g' % x


def _int_draws(gen, n, rng):
    """n values of random() or random64() reduced mod rng (uint64), torch's 2^28 switch (§3.1)."""
    if rng >= 1 << 28:
        v = gen._raw64(n)
    else:
        v = gen._raw32(n)
    return v % _u64(rng)


def randint(gen, low, high, shape, dtype=np.int64):
    """``torch.randint(low, high, shape)`` == ``empty(shape).random_(low, high)``."""
    return random_(gen, shape, dtype, low, high)


def _check_int_bounds(name, from_, to_inc, dtype):
    k = _kind(dtype)
    if k == 'i':
        info = np.iinfo(np.dtype(dtype)) if np.dtype(dtype) != np.bool_ else None
        lo, hi = (0, 1) if info is None else (info.min, info.max)
    else:
        lo, hi = -_FMAX[k], _FMAX[k]
    cname = _CNAME[_name(dtype)]
    if not lo <= from_ <= hi:
        raise RuntimeError(f'from is out of bounds for {cname}')
    if not lo <= to_inc <= hi:
        raise RuntimeError(f'{name} is out of bounds for {cname}')


def _warn_float_range(name, from_, to_inc, dtype):
    k = _kind(dtype)
    if k == 'i':
        return
    d = _DIGITS[k]
    for val, what in ((from_, 'from'), (to_inc, name)):
        if not -(1 << d) <= val <= 1 << d:
            warnings.warn(f'{what} is out of bounds [-(2^{d}), 2^{d}]. Due to precision limitations '
                          f'{_CNAME[_name(dtype)]} can support discrete uniform distribution only within this '
                          f'range. This warning will become an error in version 1.7 release, please fix the code '
                          f'in advance', UserWarning, stacklevel=3)


def _check_long(v):
    if not -2 ** 63 <= v < 2 ** 63:
        raise ValueError('Overflow when unpacking long long')


def random_(gen, shape, dtype, from_=None, to=None):
    """``Tensor.random_()``, ``random_(to)`` (pass from_=0), ``random_(from, to)`` and
    ``random_(from, None)`` (to=None: up to the dtype's largest value, inclusive) (§3)."""
    shape = tuple(shape)
    n = _numel(shape)
    k = _kind(dtype)
    name = _name(dtype)
    if from_ is None:   # no bounds (§3.2)
        if name in ('int64', 'float64'):
            v = gen._raw64(n) % _u64((1 << 63) if name == 'int64' else (1 << 53) + 1)
        elif name in ('uint16', 'uint32', 'uint64'):
            raise NotImplementedError(f'"random_kernel_cpu" not implemented for {_TNAME[name]!r}')
        elif name == 'bool':
            v = gen._raw32(n) & 1
        else:
            mod = {'int32': 1 << 31, 'int16': 1 << 15, 'int8': 1 << 7, 'uint8': 1 << 8, 'float32': (1 << 24) + 1,
                   'float16': (1 << 11) + 1, BF16: (1 << 8) + 1}[name]
            v = gen._raw32(n) % _u64(mod)
        return _from_i64(v.view(np.int64), dtype).reshape(shape)
    from_ = int(from_)
    _check_long(from_)
    if to is not None:
        to = int(to)
        _check_long(to)
        if from_ >= to:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={from_} >= to={to}")
        if k != 'i':
            from_, to = _update_from(from_, k), _update_to(to, k)
            if from_ >= to:
                raise RuntimeError(f"random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, "
                                   f"but got from={from_} >= to={to}")
        _check_int_bounds('to - 1', from_, to - 1, dtype)
        _warn_float_range('to - 1', from_, to - 1, dtype)
        rng = (to - from_) & _U64
    else:
        if k == 'i':
            to_inc = 1 if name == 'bool' else int(np.iinfo(np.dtype(dtype)).max)
            to_inc -= (to_inc >> 63) << 64        # torch holds it in an int64: uint64's is -1
        else:
            to_inc = 1 << _DIGITS[k]
        if from_ == -2 ** 63:       # the full 64-bit range
            if k == 'h' or name in _FULL_RANGE_MISSING:
                raise NotImplementedError(f'"random_full_64_bits_range_kernel_cpu" not implemented for '
                                          f'\'{_FULL_RANGE_MISSING.get(name, "Half")}\'')
            if k == 'i' and name != 'int64':
                raise RuntimeError('random_full_64_bits_range_kernel_cpu handles only int64, double, float and '
                                   'bfloat16')
            return _from_i64(gen._raw64(n).view(np.int64), dtype).reshape(shape)
        if k != 'i':
            from_ = _update_from(from_, k)
        _check_int_bounds('to - 1', from_, to_inc, dtype)
        if from_ > to_inc or k != 'i' and from_ == to_inc:       # a float dtype needs from < to_inc
            raise RuntimeError(f"random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' "
                               f"casted to dtype, but got from={from_} > to_inc={to_inc}")
        _warn_float_range('to_inc', from_, to_inc, dtype)
        rng = (to_inc - from_ + 1) & _U64
    v = _int_draws(gen, n, rng) + _u64(from_ & _U64)
    return _from_i64(v.view(np.int64), dtype).reshape(shape)


_TNAME = {'uint16': 'UInt16', 'uint32': 'UInt32', 'uint64': 'UInt64'}
_FULL_RANGE_MISSING = dict(_TNAME, bool='Bool')


def _through(v, k):
    """int64 v cast to float kind k and back, as torch's static_casts (half and bfloat16 via float)."""
    a = np.array(v, np.int64).astype(_f64 if k == 'd' else _f32)
    if k == 'h':
        a = a.astype(np.float16)
    elif k == 'b':
        a = _bf16(a)
    f = float(a)
    # out of int64's range (inf included) x86's conversion gives INT64_MIN
    return int(f) if -2.0 ** 63 <= f < 2.0 ** 63 else -2 ** 63


def _update_from(from_, k):
    """torch's update_from: a `from` that the float dtype rounds below itself is moved up."""
    up = _through(from_ + 1, k)
    if up < from_:
        n = max(abs(from_ + 1).bit_length() - 1, 0)
        from_ = up + (1 << (n - _DIGITS[k] + 1))
    return from_


def _update_to(to, k):
    """torch's update_to: a `to` whose to - 1 the float dtype rounds up to `to` is moved down, so
    that `to` stays out of the drawn range."""
    down = _through(to - 1, k)
    if down >= to:
        n = max(abs(to - 1).bit_length() - 1, 0)
        to = down - (1 << (n - _DIGITS[k] + 1))
    return to


def random64_mod63(gen):
    """One ``torch.empty((), dtype=torch.int64).random_().item()``: DataLoader's base seed and
    RandomSampler's seed (§8)."""
    return int(gen._raw64(1)[0] % (1 << 63))


_PERM_SWAP_LIMIT = 0xFFFFFFFF // 20   # 214748364: below it the swap shuffle with 32-bit draws
_PERM_LOOP = 1000                      # below this a Python loop beats the vectorised scheme


def randperm(gen, n, dtype=np.int64):
    """``torch.randperm(n)`` (§3.4)."""
    n = int(n)
    if n < 0:
        raise RuntimeError(f'Trying to create tensor with negative dimension {n}: [{n}]')
    if n < _PERM_SWAP_LIMIT:
        z = gen._raw32(n - 1).astype(_u32) if n > 1 else np.empty(0, _u32)
        z = z % np.arange(n, 1, -1, dtype=_u32)
        perm = _swap_shuffle(z, n)
    else:
        perm = _inside_out(gen._raw64(n), n)
    return _from_i64(perm, dtype) if _kind(dtype) in 'hb' else perm.astype(dtype, copy=False)


def _groups(target, n, idx):
    """Steps grouped by target (0 <= target < n): for each step the previous step with the same
    target (-1 if none), and for each position the last step targeting it (-1 if none)."""
    order = _stable_argsort(target, n).astype(idx.dtype)
    ts = target[order]
    same = ts[1:] == ts[:-1]                 # sorted entry i+1 is in the group of entry i
    prev_same = np.full(target.size, -1, idx.dtype)
    prev_same[order[1:][same]] = order[:-1][same]
    ends = np.ones(target.size, bool)
    ends[:-1] = ~same
    last = np.full(n, -1, idx.dtype)
    last[ts[ends]] = order[ends]
    return prev_same, last


def _resolve(ptr, root, value):
    """Pointer jumping: for every node, `value` at the root its `ptr` chain ends in."""
    out = value.copy()
    ptr = ptr.copy()
    act = np.nonzero(~root)[0]
    while act.size:
        p = ptr[act]
        done = root[p]
        out[act[done]] = value[p[done]]
        act = act[~done]
        ptr[act] = ptr[p[~done]]
    return out


def _swap_shuffle(z, n):
    """Result of ``for i < n-1: swap(a[i], a[i + z[i]])`` on a = 0..n-1, without a Python loop
    for large n.

    Position k is final after step k, holding the value that position j_k = k + z_k had just
    before step k. A position p only changes when an earlier step m targets it, and then it
    receives A_m, the value position m held just before step m. So out[k] is A of the previous
    step with the same target (or j_k if none), and A_m is A of the last earlier step that
    targeted position m (or m itself): a forest of back-pointers, resolved by pointer jumping.
    int32 indices are enough below the 214748364 limit, and halve the memory traffic.
    """
    if n < _PERM_LOOP:
        a = list(range(n))
        for i, zi in enumerate(z.tolist()):
            j = i + zi
            a[i], a[j] = a[j], a[i]
        return np.array(a, np.int64)
    steps = np.arange(n - 1, dtype=np.int32)
    j = steps + z.astype(np.int32)
    prev_same, last = _groups(j, n, steps)
    selfhit = np.nonzero(last[:n - 1] == steps)[0]   # step p targeting p changes nothing
    last[selfhit] = prev_same[selfhit]
    A = _resolve(last, last < 0, np.arange(n, dtype=np.int32))
    out = np.empty(n, np.int64)
    out[:n - 1] = j
    has = np.nonzero(prev_same >= 0)[0]
    out[has] = A[prev_same[has]]
    out[n - 1] = A[n - 1]
    return out


def _stable_argsort(keys, n):
    """Stable argsort of non-negative integer keys below n, as 16-bit radix passes."""
    if n <= 1 << 16:
        return np.argsort(keys.astype(np.uint16), kind='stable')
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind='stable')
    hi = keys >> 16
    if n <= 1 << 32:
        return order[np.argsort(hi[order].astype(np.uint16), kind='stable')]
    return order[np.argsort(hi[order], kind='stable')]


def _inside_out(r64, n):
    """Result of ``for i < n: z = r64[i] % (i+1); a[i] = a[z]; a[z] = i`` (§3.4, huge n).

    That is ``swap(a[i], a[z_i])`` on a = 0..n-1. Read backwards in time, position p ends up
    holding the last step targeting it, if any; otherwise it took over what position z_p held
    before step p: the previous step with the same target as step p, or if none, again what
    z_{z_p} held before step z_p, and so on (the chain never reaches a self-targeting step).
    """
    steps = np.arange(n, dtype=np.int32 if n < 2 ** 31 else np.int64)
    z = (r64 % np.arange(1, n + 1, dtype=_u64)).astype(steps.dtype)
    prev_same, last = _groups(z, n, steps)
    root = (prev_same >= 0) | (z == steps)
    held = _resolve(z, root, prev_same)
    return np.where(last >= 0, last, held).astype(np.int64)


# ---------------------------------------------------------------------------------------------
# normal distribution (§4)
# ---------------------------------------------------------------------------------------------

_P = [_f32(c) for c in ('7.0376836292e-2', '-1.1514610310e-1', '1.1676998740e-1', '-1.2420140846e-1',
                        '1.4249322787e-1', '-1.6668057665e-1', '2.0000714765e-1', '-2.4999993993e-1',
                        '3.3333331174e-1')]
_Q1, _Q2 = _f32('-2.12194440e-4'), _f32('0.693359375')
_TWO_PI_F = _f32(2 * math.pi)
_FOUR_OVER_PI = _f32('1.2732395')
_DP = [_f32('-0.78515625'), _f32('-2.4187564849853515625e-4'), _f32('-3.77489497744594108e-8')]
_CP = [_f32('2.443315711809948e-5'), _f32('-1.388731625493765e-3'), _f32('4.166664568298827e-2')]
_SP = [_f32('-1.9515295891e-4'), _f32('8.3321608736e-3'), _f32('-1.6666654611e-1')]
_HALF, _ONE, _ZERO = _f32(0.5), _f32(1), _f32(0)

# The kernel's fused multiply-adds are done as "float64 product (exact) + float64 add, then round
# to float32". That double rounding could only err on an inexact sum landing on a float32
# half-way point; over all 2^24 possible inputs of each half no step of this kernel does, and the
# whole kernel equals the literal one built on the exact _fma32 (tests/test_rng.py, opt-in
# exhaustive test). The bit tricks below replace frexp, selects and sign flips.
_P64 = [float(p) for p in _P]
_DP64 = [float(d) for d in _DP]
_CP64 = [float(c) for c in _CP]
_SP64 = [float(s) for s in _SP]
_Q2_64 = float(_Q2)


def _radius32(u1):
    """sqrt(-2 ln(1 - u1)) exactly as torch's AVX2 float kernel computes it (§4.1)."""
    b = (_ONE - u1).view(_u32)                # v = 1 - u1 in [2^-24, 1]: always a normal float
    mant = b & _u32(0x7FFFFF)
    small = (mant < _u32(0x3504F3)).view(np.uint8).astype(_u32)   # frexp mantissa < sqrt(1/2)
    e = (((b >> _u32(23)) - small).view(np.int32) - np.int32(126)).astype(_f32)
    x = (mant | (_u32(0x3F000000) + (small << _u32(23)))).view(_f32) - _ONE   # m-1 or 2m-1
    z = x * x
    x64 = x.astype(_f64)
    s = x64 * _P64[0]
    s += _P64[1]
    for p in _P64[2:]:
        s = s.astype(_f32).astype(_f64)
        s *= x64
        s += p
    y = s.astype(_f32) * x
    s = y.astype(_f64)
    s *= z
    s += e * _Q1
    y = s.astype(_f32) - _HALF * z
    s = (x + y).astype(_f64)
    s += e.astype(_f64) * _Q2_64
    return np.sqrt(_f32(-2) * s.astype(_f32))


def _sincos32(theta):
    """Cephes-style sincosf of theta >= 0, torch's AVX2 kernel bit for bit (§4.1)."""
    k = (theta * _FOUR_OVER_PI).astype(np.int32)
    k += 1
    k &= ~1
    kf = k.astype(_f64)
    s = kf * _DP64[0]
    s += theta
    for d in _DP64[1:]:
        s = s.astype(_f32).astype(_f64)
        s += kf * d
    x = s.astype(_f32)
    x64 = x.astype(_f64)
    z = x * x
    z64 = z.astype(_f64)
    s = z64 * _CP64[0]
    s += _CP64[1]
    s = s.astype(_f32).astype(_f64)
    s *= z64
    s += _CP64[2]
    s = (z * s.astype(_f32)).astype(_f64)
    s *= z64
    s -= 0.5 * z64
    c = s.astype(_f32) + _ONE
    s = z64 * _SP64[0]
    s += _SP64[1]
    s = s.astype(_f32).astype(_f64)
    s *= z64
    s += _SP64[2]
    s = (z * s.astype(_f32)).astype(_f64)
    s *= x64
    s += x64
    sn = s.astype(_f32)
    keep = ((k & 2) >> 1).view(_u32) - _u32(1)    # all ones without swap, 0 with swap
    S = (sn.view(_u32) & keep).view(_f32)
    C = (c.view(_u32) & ~keep).view(_f32)
    sin = C + S                                   # as torch's masked adds: -0 comes out +0
    cos = (sn - S) + (c - C)
    sin.view(_u32)[...] ^= ((k & 4) << 29).view(_u32)
    cos.view(_u32)[...] ^= ((((k - 2) & 4) ^ 4) << 29).view(_u32)
    return sin, cos


_BLOCK = 1 << 12   # 16-lane chunks per NumPy pass: keeps temporaries in cache


def _fill16_f32(u, mean, std):
    """The 16-wide float fill on u of shape (chunks, 16): lanes 0-7 give the radius, 8-15 the
    angle; returns float32 normals in the same shape."""
    out = np.empty(u.shape, _f32)
    for b in range(0, u.shape[0], _BLOCK):
        blk = u[b:b + _BLOCK]
        r = _radius32(blk[:, :8])
        sin, cos = _sincos32(_TWO_PI_F * blk[:, 8:])
        out[b:b + _BLOCK, :8] = _affine32(r * cos, std, mean)
        out[b:b + _BLOCK, 8:] = _affine32(r * sin, std, mean)
    return out


def _fill16_f64(u, mean, std):
    r = np.sqrt(-2.0 * _libm(math.log, 1.0 - u[:, :8]))
    sin, cos = _sin_cos((2 * math.pi) * u[:, 8:])
    out = np.empty(u.shape, _f64)
    out[:, :8] = _affine64(r * cos, std, mean)
    out[:, 8:] = _affine64(r * sin, std, mean)
    return out


def _normal_fill(gen, n, dtype, mean, std):
    """randn / normal_ on a contiguous tensor of n >= 16 elements (§4.1), flat."""
    k = _kind(dtype)
    full, tail = divmod(n, 16)
    if k in 'df':
        draw = _double_uniforms if k == 'd' else _float_uniforms
        fill = _fill16_f64 if k == 'd' else _fill16_f32
        u = draw(gen, n)
        out = np.empty(n, _f64 if k == 'd' else _f32)
        out[:16 * full] = fill(u[:16 * full].reshape(full, 16), mean, std).ravel()
        if tail:   # 16 fresh uniforms redo the last 16 slots
            out[n - 16:] = fill(draw(gen, 16).reshape(1, 16), mean, std).ravel()
        return out
    # half and bfloat16: each chunk draws its own 16 floats; the partial tail is never drawn first
    out = np.empty(n, _f32)
    out[:16 * full] = _fill16_f32(_float_uniforms(gen, 16 * full).reshape(full, 16), mean, std).ravel()
    if tail:
        out[n - 16:] = _fill16_f32(_float_uniforms(gen, 16).reshape(1, 16), mean, std).ravel()
    return _from_f32(out, dtype)


def _box_muller(gen, n):
    """n standard normals from the scalar path (§4.2), sharing the generator's cached value."""
    out = np.empty(n, _f64)
    i = 0
    if n and gen._normal_d is not None:
        out[0] = gen._normal_d
        gen._normal_d = None
        i = 1
    m = n - i
    if m <= 0:
        return out
    pairs = (m + 1) // 2
    u = _double_uniforms(gen, 2 * pairs).reshape(pairs, 2)
    r = np.sqrt(-2.0 * _libm(math.log1p, -u[:, 1]))
    sin, cos = _sin_cos((2 * math.pi) * u[:, 0])
    seq = np.empty((pairs, 2), _f64)
    seq[:, 0] = r * cos
    seq[:, 1] = r * sin
    seq = seq.ravel()
    out[i:] = seq[:m]
    if m % 2:
        gen._normal_d = float(seq[m])
    return out


def normal(gen, shape, dtype=_f32, mean=0.0, std=1.0, contiguous=True):
    """``torch.randn``, ``Tensor.normal_(mean, std)``, ``torch.normal(float, float, size)``.

    Contiguous tensors of 16 or more elements take the 16-wide fill; smaller or non-contiguous
    ones (``contiguous=False``) take the scalar Box-Muller path with its cached value."""
    shape = tuple(shape)
    mean, std = float(mean), float(std)
    if std < 0:
        raise RuntimeError(f'normal expects std >= 0.0, but found std {_g(std)}')
    n = _numel(shape)
    if n >= 16 and contiguous:
        return _normal_fill(gen, n, dtype, mean, std).reshape(shape)
    return _from_f64(_affine64(_box_muller(gen, n), std, mean), dtype).reshape(shape)


def normal_tensor(gen, mean, std, dtype=_f32):
    """``torch.normal(mean, std)`` where mean and/or std are arrays (§4.3); the output has the
    broadcast shape. Array mean, float std: ``normal_(0, std)`` then ``+= mean``; array std:
    ``normal_(0, 1)``, then ``*= std``, then ``+= mean``, each rounded in dtype."""
    m_arr, s_arr = isinstance(mean, np.ndarray), isinstance(std, np.ndarray)
    shape = np.broadcast_shapes(*(a.shape for a in (mean, std) if isinstance(a, np.ndarray)))
    if s_arr and (std < 0).any():
        raise RuntimeError('normal expects all elements of std >= 0.0')
    od = _out_dtype(dtype)
    if not s_arr:
        out = normal(gen, shape, dtype, 0.0, std)
        return _round_to(out + np.asarray(mean, od), dtype)
    out = normal(gen, shape, dtype, 0.0, 1.0)
    out = _round_to(out * np.asarray(std, od), dtype)
    return _round_to(out + np.asarray(mean if m_arr else float(mean), od), dtype)


def _round_to(v, dtype):
    return _bf16(v.astype(_f32)) if _kind(dtype) == 'b' else v.astype(_out_dtype(dtype), copy=False)


# ---------------------------------------------------------------------------------------------
# Bernoulli, multinomial and the other distributions (§5, §6)
# ---------------------------------------------------------------------------------------------

def bernoulli(gen, p, shape, dtype=_f32):
    """``Tensor.bernoulli_(float p)``, dropout's mask (p = 1 - drop_p): u < p, u a double."""
    p = float(p)
    if not 0 <= p <= 1:
        raise RuntimeError(f'bernoulli_ expects p to be in [0, 1], but got p={_g(p)}')
    shape = tuple(shape)
    # u < p with u = k * 2^-53 is k < ceil(p * 2^53): integers, no conversion
    hit = (gen._raw64(_numel(shape)) & 0x1FFFFFFFFFFFFF) < _u64(math.ceil(p * 2.0 ** 53))
    return _from_i64(hit.astype(np.int64), dtype).reshape(shape)


def bernoulli_tensor(gen, p, shape=None, dtype=None):
    """``torch.bernoulli(p)`` / ``Tensor.bernoulli_(p_tensor)``: p broadcast to shape; float64 p
    compares against double uniforms, any other float p against float uniforms."""
    p = np.asarray(p)
    shape = p.shape if shape is None else tuple(shape)
    dtype = p.dtype if dtype is None else dtype
    pb = np.broadcast_to(p, shape)
    n = _numel(shape)
    if p.dtype == _f64:
        hit = _double_uniforms(gen, n) < pb.ravel()
    else:
        hit = _float_uniforms(gen, n) < pb.astype(_f32).ravel()
    return _from_i64(hit.astype(np.int64), dtype).reshape(shape)


def exponential(gen, shape, dtype=_f32, lambd=1.0):
    """``Tensor.exponential_(lambd)``: (-1/lambd) * log1p(-u)."""
    lambd = float(lambd)
    if not lambd > 0:
        raise RuntimeError(f'exponential_ expects lambda > 0.0, but found lambda={_g(lambd)}')
    shape = tuple(shape)
    u = _double_uniforms(gen, _numel(shape))
    return _from_f64((-1.0 / lambd) * _libm(math.log1p, -u), dtype).reshape(shape)


def cauchy(gen, shape, dtype=_f32, median=0.0, sigma=1.0):
    """``Tensor.cauchy_(median, sigma)``: fma(sigma, tan(pi * (u - 0.5)), median)."""
    median, sigma = float(median), float(sigma)
    if not sigma > 0:
        raise RuntimeError(f'cauchy_ expects sigma > 0.0, but found sigma={_g(sigma)}')
    shape = tuple(shape)
    u = _double_uniforms(gen, _numel(shape))
    t = _libm(math.tan, math.pi * (u - 0.5))
    return _from_f64(_affine64(t, sigma, median), dtype).reshape(shape)


def log_normal(gen, shape, dtype=_f32, mean=1.0, std=2.0):
    """``Tensor.log_normal_(mean, std)``: exp of the scalar-path normal, whatever the size."""
    mean, std = float(mean), float(std)
    if not std > 0:
        raise RuntimeError(f'log_normal_ expects std > 0.0, but found std={_g(std)}')
    shape = tuple(shape)
    v = _affine64(_box_muller(gen, _numel(shape)), std, mean)
    return _from_f64(_libm(_exp, v), dtype).reshape(shape)


def _exp(x):
    try:
        return math.exp(x)
    except OverflowError:       # C's exp gives inf
        return math.inf


def _log0(x):
    return math.log(x) if x > 0 else -math.inf


def geometric(gen, shape, dtype=_f32, p=0.5):
    """``Tensor.geometric_(p)``: ceil(log(u) / log1p(-p)), for float and integer dtypes."""
    p = float(p)
    if not 0 < p < 1:
        raise RuntimeError(f'geometric_ expects p to be in (0, 1), but got p={_g(p)}')
    shape = tuple(shape)
    u = _double_uniforms(gen, _numel(shape))
    v = np.ceil(_libm(_log0, u) / math.log1p(-p))
    return _from_f64(v, dtype).reshape(shape)


def multinomial(gen, probs, num_samples, replacement=False, transposed=False, topk=None):
    """``torch.multinomial(probs, num_samples, replacement)`` for 1-D or 2-D float probs;
    returns int64 of shape (num_samples,) or (rows, num_samples).

    Without replacement, or with one sample: argmax / top-k of probs / Exp(1) noise drawn as
    ``empty_like(probs).exponential_(1)``. With replacement: per row, the float cumulative sum
    normalised by its total, then one double uniform per sample and a binary search. ``transposed``:
    2-D probs laid out column-major, whose noise is drawn in that memory order. ``topk(keys, k)``: the
    indices of each row's k largest keys in torch's order among ties (default: a stable sort)."""
    probs = np.asarray(probs)
    dtype = probs.dtype
    k = int(num_samples)
    _check_multinomial(probs, k, replacement)
    rows = probs.reshape(1, -1) if probs.ndim == 1 else probs
    if not replacement or k == 1:
        q = exponential(gen, rows.shape[::-1], dtype, 1.0).T if transposed else exponential(gen, rows.shape, dtype, 1.0)
        q = (rows / q).astype(dtype, copy=False)
        if k == 1:
            res = np.argmax(q, axis=1)[:, None]
        elif topk is not None:
            res = topk(q, k)
        else:   # ties (equal keys) may come out in another order than torch's top-k
            res = np.argsort(-q, axis=1, kind='stable')[:, :k]
    else:
        acc = _f32 if dtype == np.float16 else dtype
        with np.errstate(over='ignore', invalid='ignore'):
            cum = np.cumsum(rows.astype(acc), axis=1, dtype=acc)
            cum = (cum / cum[:, -1:]).astype(acc)
        cum[:, -1] = 1
        u = _double_uniforms(gen, rows.shape[0] * k).reshape(rows.shape[0], k)
        res = np.stack([np.searchsorted(c.astype(_f64), r, 'left') for c, r in zip(cum, u)]) if len(u) else u
    res = res.astype(np.int64)
    return res.reshape(k) if probs.ndim == 1 else res


_SCALAR_TYPE = {'int64': 'Long', 'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte', 'bool': 'Bool'}


def _check_multinomial(probs, k, replacement):
    if probs.ndim not in (1, 2):
        raise RuntimeError('prob_dist must be 1 or 2 dim')
    if probs.dtype.kind != 'f':
        raise RuntimeError(f'multinomial only supports floating-point dtypes for input, got: '
                           f'{_SCALAR_TYPE.get(probs.dtype.name, probs.dtype.name)}')
    if k <= 0:
        raise RuntimeError('cannot sample n_sample <= 0 samples')
    if not replacement and k > probs.shape[-1]:
        raise RuntimeError('cannot sample n_sample > prob_dist.size(-1) samples without replacement')
    if probs.shape[-1] > 2 ** 24:       # torch samples categories as float32 integers
        raise RuntimeError('number of categories cannot exceed 2^24')
    rows = probs.reshape(probs.shape[0] if probs.ndim == 2 else 1, probs.shape[-1]).astype(_f64)   # (0,) too
    if not replacement or k == 1:
        if not (np.all(rows >= 0) and np.all(rows < np.inf)):
            raise RuntimeError('probability tensor contains either `inf`, `nan` or element < 0')
        if (rows.sum(axis=1) == 0).any():
            raise RuntimeError('invalid multinomial distribution (sum of probabilities <= 0)')
        return
    for row in rows:   # the with-replacement kernel checks entry by entry, row by row
        neg = ~(row >= 0)
        bad = neg | ~np.isfinite(row)
        if bad.any():
            if neg[np.argmax(bad)]:
                raise RuntimeError('invalid multinomial distribution (encountering probability entry < 0)')
            raise RuntimeError('invalid multinomial distribution (encountering probability entry = infinity or NaN)')
        if not row.sum() > 0:
            raise RuntimeError('invalid multinomial distribution (sum of probabilities <= 0)')


def _lgamma_fn():
    """glibc's lgamma (torch's std::lgamma); CPython's math.lgamma is its own implementation."""
    try:
        import ctypes
        import ctypes.util
        lib = ctypes.CDLL(ctypes.util.find_library('m') or 'libm.so.6')
        f = lib.lgamma
        f.restype, f.argtypes = ctypes.c_double, [ctypes.c_double]
        return f
    except (OSError, AttributeError):
        return math.lgamma


_lgamma = None


def poisson(gen, rates, dtype=None):
    """``torch.poisson(rates)``: one sequential sampler per element (numpy's legacy algorithm:
    transformed rejection for rate >= 10, multiplication of uniforms below), double uniforms."""
    global _lgamma
    if _lgamma is None:
        _lgamma = _lgamma_fn()
    rates = np.asarray(rates)
    dtype = rates.dtype if dtype is None else dtype
    flat = rates.astype(_f64).ravel().tolist()
    out = np.empty(len(flat), _f64)

    def unif():
        r = gen._raw32(2)
        return float(((int(r[0]) << 32 | int(r[1])) & 0x1FFFFFFFFFFFFF) * (2.0 ** -53))

    for idx, lam in enumerate(flat):
        out[idx] = _poisson1(lam, unif)
    return _from_f64(out, dtype).reshape(rates.shape)


def _poisson1(lam, unif):
    log = math.log
    if lam >= 10:
        slam, loglam = math.sqrt(lam), log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            U = unif() - 0.5
            V = unif()
            us = 0.5 - abs(U)
            x = (2 * a / us + b) * U + lam + 0.43
            k = math.floor(x) if math.isfinite(x) else -2 ** 63      # torch's cast to int64
            if us >= 0.07 and V <= vr:
                return k
            if k < 0 or (us < 0.013 and V > us):
                continue
            if (_log0(V) + log(invalpha) - log(a / (us * us) + b)) <= (-lam + k * loglam - _lgamma(k + 1.0)):
                return k
    if lam == 0:
        return 0
    enlam = math.exp(-lam)
    x, prod = 0, 1.0
    while True:
        prod *= unif()
        if prod > enlam:
            x += 1
        else:
            return x
