"""float32 math bit for bit as torch's CPU kernels compute it.

torch's float32 kernels vectorise through SLEEF (`Vectorized<float>::exp()` is
`Sleef_expf16_u10` and so on). SLEEF's algorithms use float32 arithmetic with fused
multiply-add; here each float32 add, multiply and divide is NumPy's own (IEEE, so the
same bits) and each fma is done in float64 and rounded once to float32 (the product of
two float32 is exact in float64; the sum rounds twice only when the float64 sum falls
exactly halfway between two float32, which the tests have not met).

Reproduced: SLEEF's expf_u10, expm1f_u10, log1pf_u10, tanhf_u10, and torch's sigmoid kernel (SLEEF
exp in the vector loop, glibc expf in the scalar tail); torch's cascade sum of a whole float32 or
float64 tensor (sum(), mean()), which NumPy's pairwise summation orders differently; the CPU
flash-attention forward (ATen's exp_u20, blocks of 512 keys, the online softmax); tanh-GELU and its
gradient (SLEEF tanhf in the vector lanes, glibc's fdlibm tanhf/expm1f in the scalar ones).
Not reproduced: torch.exp, log, tanh and the other transcendentals, which go through MKL's VML
(vmsExp/vmsLn/vmsTanh, closed source) on MKL builds; `rounded` gets most of their bits by rounding
the float64 result.
"""
import math
import os

import numpy as np

from ._rng import _fma32, _fma64     # (a function-level import costs ~9k instructions a call)

_f32, _f64 = np.float32, np.float64
_BLOCK = 1 << 14    # elements per pass: the temporaries stay in cache


def _c(v):
    return _f32(v)


def _fma(a, b, c):
    return (a.astype(_f64) * b + c).astype(_f32)


def _fmapn(a, b, c):
    """a*b - c, fused."""
    return (a.astype(_f64) * b - c).astype(_f32)


def _fmanp(a, b, c):
    """-(a*b) + c, fused."""
    return (c - a.astype(_f64) * b).astype(_f32)


def fused(a):
    """The single-rounding a*b + c for NumPy arrays of a's dtype where torch's compiled CPU kernels
    use an FMA instruction: a function for float32 and float64 NumPy arrays, None otherwise (and
    when torch's CPU orders are switched off)."""
    if type(a) is not np.ndarray or not orders[0]:
        return None
    return _fma32 if a.dtype == _f32 else _fma64 if a.dtype == _f64 else None


def _blockwise(kernel, x):
    """kernel on a flat float32 array, in cache-sized blocks."""
    flat = np.ascontiguousarray(x, dtype=_f32).reshape(-1)
    out = np.empty_like(flat)
    with np.errstate(all='ignore'):
        for i in range(0, flat.size, _BLOCK):
            out[i:i + _BLOCK] = kernel(flat[i:i + _BLOCK])
    return out.reshape(np.shape(x))


def _getexp(a):
    """floor(log2(|a|)) as float32 (AVX-512 getexp); +inf gives 128 as SLEEF then sets it."""
    e = (np.frexp(a)[1] - 1).astype(_f32)
    e[np.isinf(a)] = 128
    return e


def _pow2(q, lo=-126):
    """2**q as float32 for integer-valued float32 q in [-126, 127]."""
    return ((np.clip(q, lo, 127).astype(np.int32) + 127) << 23).view(_f32)


def _ldexp2(u, q):
    # SLEEF scales by 2**(q>>1) then 2**(q-(q>>1)): two float32 multiplies
    qi = np.clip(q, -300, 300).astype(np.int32)
    h = qi >> 1
    return u * _pow2(h.astype(_f32)) * _pow2((qi - h).astype(_f32))


# --- double-float (hi, lo) pairs of float32, SLEEF's df arithmetic with fma ---------------------

def _dfadd2_ff(x, y):
    rx = x + y
    v = rx - x
    return rx, (x - (rx - v)) + (y - v)


def _dfadd2_df_f(xx, xy, y):
    rx = xx + y
    v = rx - xx
    return rx, ((xx - (rx - v)) + (y - v)) + xy


def _dfadd2_df_df(xx, xy, yx, yy):
    rx = xx + yx
    v = rx - xx
    return rx, ((xx - (rx - v)) + (yx - v)) + (xy + yy)


def _dfadd_df_df(xx, xy, yx, yy):
    # |x| >= |y|
    rx = xx + yx
    return rx, (((xx - rx) + yx) + xy) + yy


def _dfadd_df_f(xx, xy, y):
    rx = xx + y
    return rx, ((xx - rx) + y) + xy


def _dfadd_f_df(x, yx, yy):
    rx = x + yx
    return rx, ((x - rx) + yx) + yy


def _dfmul_df_f(xx, xy, y):
    rx = xx * y
    return rx, _fma(xy, y, _fmapn(xx, y, rx))


def _dfmul_df_df(xx, xy, yx, yy):
    rx = xx * yx
    return rx, _fma(xx, yy, _fma(xy, yx, _fmapn(xx, yx, rx)))


def _dfsqu(xx, xy):
    rx = xx * xx
    return rx, _fma(xx + xx, xy, _fmapn(xx, xx, rx))


def _dfrec(dx, dy):
    qx = _c(1) / dx
    return qx, qx * _fmanp(dy, qx, _fmanp(dx, qx, _c(1)))


def _dfdiv(nx, ny, dx, dy):
    t = _c(1) / dx
    qx = nx * t
    u = _fmapn(t, nx, qx)
    qy = _fmanp(dy, t, _fmanp(dx, t, _c(1)))
    return qx, _fma(qx, qy, _fma(ny, t, u))


# --- constants -----------------------------------------------------------------------------------

_R_LN2 = _c(1.442695040888963407359924681001892137426645954152985934135449406931)
_L2U, _L2L = _c(0.693145751953125), _c(1.428606765330187045e-06)
_LN2_HI, _LN2_LO = _c(0.69314718246459960938), _c(-1.904654323148236017e-09)
_EXP_POLY = tuple(_c(v) for v in (0.000198527617612853646278381, 0.00139304355252534151077271,
                                  0.00833336077630519866943359, 0.0416664853692054748535156,
                                  0.166666671633720397949219, 0.5))
_EXPK2_POLY = tuple(_c(v) for v in (0.1980960224e-3, 0.1394256484e-2, 0.8333456703e-2,
                                    0.4166637361e-1))
_LOG1P_POLY = tuple(_c(v) for v in (0.3027294874, 0.3996108174, 0.6666694880))


def _horner(coefs, s):
    u = np.full_like(s, coefs[0])
    for c in coefs[1:]:
        u = _fma(u, s, c)
    return u


# --- kernels on flat float32 blocks --------------------------------------------------------------

def _exp_k(d):
    """SLEEF expf_u10."""
    q = np.rint(d * _R_LN2)
    s = _fma(q, -_L2U, d)
    s = _fma(q, -_L2L, s)
    u = _horner(_EXP_POLY, s)
    u = _c(1) + _fma(s * s, u, s)
    u = _ldexp2(u, q)
    u[d < -104] = 0
    u[d > 100] = np.inf
    return u


def _expk2(d):
    """SLEEF's expk2f on (d, 0): exp(d) as a double-float."""
    q = np.rint(d * _R_LN2)
    sx, sy = _dfadd2_ff(d, q * -_L2U)
    sx, sy = _dfadd2_df_f(sx, sy, q * -_L2L)
    u = _horner(_EXPK2_POLY, sx)
    tx, ty = _dfadd2_df_f(*_dfmul_df_f(sx, sy, u), _c(0.166666659414234244790680580464))
    tx, ty = _dfadd2_df_f(*_dfmul_df_df(sx, sy, tx, ty), _c(0.5))
    tx, ty = _dfadd2_df_df(sx, sy, *_dfmul_df_df(*_dfsqu(sx, sy), tx, ty))
    tx, ty = _dfadd_f_df(_c(1), tx, ty)
    tx, ty = _ldexp2(tx, q), _ldexp2(ty, q)
    under = d < -104
    tx[under] = 0
    ty[under] = 0
    return tx, ty


def _expm1_k(a):
    """SLEEF expm1f_u10."""
    dx, dy = _dfadd2_df_f(*_expk2(a), _c(-1))
    x = dx + dy
    x[a > _c(88.72283172607421875)] = np.inf
    x[a < _c(-16.635532333438687426013570)] = -1
    x[(a == 0) & np.signbit(a)] = -0.0
    return x


def _log1p_k(d):
    """SLEEF log1pf_u10 (AVX-512 variant: the exponent from getexp)."""
    dp1 = d + _c(1)
    e = _getexp(dp1 * _c(1.0 / 0.75))
    t = np.ldexp(_c(1), -e.astype(np.int32)).astype(_f32)
    m = _fma(d, t, t - _c(1))
    sx, sy = _dfmul_df_f(_LN2_HI, _LN2_LO, e)
    xx, xy = _dfdiv(m, np.zeros_like(m), *_dfadd2_ff_fast(_c(2), m))
    x2 = xx * xx
    t = _horner(_LOG1P_POLY, x2)
    sx, sy = _dfadd_df_df(sx, sy, xx * _c(2), xy * _c(2))
    sx, sy = _dfadd_df_f(sx, sy, x2 * xx * t)
    r = sx + sy
    r[d == np.inf] = np.inf
    r[d < -1] = np.nan
    r[d == -1] = -np.inf
    r[(d == 0) & np.signbit(d)] = -0.0
    return r


def _dfadd2_ff_fast(x, y):
    """SLEEF's dfadd_vf2_vf_vf (|x| >= |y|)."""
    rx = x + y
    return rx, (x - rx) + y


def _sigmoid_vec_k(d):
    # torch's vector loop: (0 - x).exp() + 1, then reciprocal, all float32
    return _c(1) / (_c(1) + _exp_k(_c(0) - d))


# glibc's expf (from Arm's optimized-routines): 2**(k/32) from a table, a cubic for the rest,
# in float64, rounded once to float32. It is not always correctly rounded, so it is redone here.
_EXPF_N = 32
_EXPF_T = np.array([np.float64(2.0 ** (i / _EXPF_N)).view(np.int64) - (i << 47)
                    for i in range(_EXPF_N)], np.int64)
_EXPF_C = tuple(float.fromhex(h) / _EXPF_N ** k for h, k in
                (('0x1.c6af84b912394p-5', 3), ('0x1.ebfce50fac4f3p-3', 2), ('0x1.62e42ff0c52d6p-1', 1)))
_EXPF_INVLN2N = float.fromhex('0x1.71547652b82fep+0') * _EXPF_N


def _glibc_expf(x):
    xd = x.astype(_f64)
    z = _EXPF_INVLN2N * xd
    kd = np.rint(np.nan_to_num(z, posinf=0, neginf=0))
    ki = kd.astype(np.int64)
    r = z - kd
    s = (_EXPF_T[ki & (_EXPF_N - 1)] + (ki << 47)).view(_f64)
    y = (_EXPF_C[0] * r + _EXPF_C[1]) * (r * r) + (_EXPF_C[2] * r + 1)
    y = (y * s).astype(_f32)
    y[x > _c(88.72283)] = np.inf
    y[x < _c(-103.97208)] = 0
    y[np.isnan(x)] = np.nan
    return y


def _sigmoid_scalar(d):
    # torch's scalar loop: 1 / (1 + std::exp(-x)), std::exp being glibc's expf
    return _c(1) / (_c(1) + _glibc_expf(-d))


_GRAIN = 32768      # at::internal::GRAIN_SIZE: below it TensorIterator runs on one thread
_VEC2 = 32          # cpu_kernel_vec steps two Vectorized<float> of 16 (AVX-512) at a time


def _scalar_lanes(a, nthreads, grain=_GRAIN):
    """Indices (in memory order) of the elements torch's cpu_kernel_vec hands to its scalar op:
    the last len % 32 of each inner run, or all of them when the inner dimension is strided.
    The runs are rows (after TensorIterator coalesces contiguous dims) cut by parallel_for's
    chunks of ceil(n / threads) elements (threads: one below `grain` elements)."""
    n = a.size
    if a.ndim == 0 or (a.strides[-1] != a.itemsize and a.shape[-1] > 1):
        return np.arange(n)
    row = a.shape[-1]
    for k in range(a.ndim - 1, 0, -1):
        if a.strides[k - 1] != a.strides[k] * a.shape[k] and a.shape[k - 1] > 1:
            break
        row *= a.shape[k - 1]
    threads = 1 if n < grain else min(nthreads, -(-n // grain))
    chunk = -(-n // threads)
    starts = np.union1d(np.arange(0, n, row), np.arange(0, n, chunk))
    ends = np.append(starts[1:], n)
    tails = (ends - starts) % _VEC2
    keep = tails > 0
    ends, tails = ends[keep], tails[keep]
    if not tails.size:
        return np.empty(0, np.intp)
    # ranges [end - tail, end) concatenated
    offs = np.arange(tails.sum()) - np.repeat(np.cumsum(tails) - tails, tails)
    return np.repeat(ends - tails, tails) + offs


def _memory_order(a):
    """a with its axes sorted by decreasing stride (TensorIterator's order), and the inverse."""
    order = np.argsort([-abs(s) for s in a.strides], kind='stable')
    return a.transpose(order), np.argsort(order)


def _kernel_vec(x, vec_k, scalar_k, nthreads, grain=_GRAIN):
    """A float32 array through torch's cpu_kernel_vec: vec_k on the vector lanes, scalar_k on the rest."""
    a, back = _memory_order(np.asarray(x))
    flat = a.reshape(-1)
    tail = _scalar_lanes(a, nthreads, grain)
    if tail.size == flat.size:
        out = np.empty(flat.shape, _f32)
    else:
        out = _blockwise(vec_k, flat)
    with np.errstate(all='ignore'):
        out[tail] = scalar_k(flat[tail])
    return out.reshape(a.shape).transpose(back)


def sigmoid(x, nthreads=1):
    """torch.sigmoid for a float32 array, as torch computes it with `nthreads` threads."""
    return _kernel_vec(x, _sigmoid_vec_k, _sigmoid_scalar, nthreads)


def expm1(x):
    return _blockwise(_expm1_k, x)


def log1p(x):
    return _blockwise(_log1p_k, x)


# Off by default: these emulations cost 17-42x NumPy's own kernels (a few dozen NumPy passes for
# one SIMD loop), so bit-exactness is opt-in: FAKETORCH_EXACT_FLOAT32=1, or set exact[0] = True.
exact = [os.environ.get('FAKETORCH_EXACT_FLOAT32') == '1']
# torch's CPU kernel orders that are cheap enough to be on by default (FMAs, the normalizations' and
# softmax's statistics on small inputs); FAKETORCH_EXACT_FLOAT32=0 switches them off too, leaving
# plain NumPy arithmetic everywhere (what the CuPy path computes).
orders = [os.environ.get('FAKETORCH_EXACT_FLOAT32') != '0']


def reproduces(size, limit=1 << 16):
    """Whether a kernel whose torch order costs several NumPy passes follows it for an input of `size`
    (elements, or rows for a row-wise limit): always when asked, on small inputs by default."""
    return exact[0] or orders[0] and size <= limit


def float32(numpy_fn, fn):
    """A forward that runs `fn` on NumPy float32 arrays when exact float32 is on, and `numpy_fn`
    otherwise (and on float64 or CuPy arrays)."""
    def fwd(a):
        if exact[0] and type(a) in (np.ndarray, np.float32) and a.dtype == _f32:
            return fn(a)
        return numpy_fn(a)
    return fwd


def rounded(numpy_fn):
    """A float32 forward that, when exact float32 is on, computes in float64 and rounds once. torch's
    float32 exp, log, tanh, ... (MKL's VML, closed source) mostly give the correctly rounded value:
    this way 93-99.99% of results have torch's bits (tests/test_vecmath.py), against 52-91% for
    NumPy's float32 loops."""
    def fwd(a, *scalars):
        if exact[0] and type(a) is np.ndarray and a.dtype == _f32:
            return numpy_fn(a, *scalars, out=np.empty_like(a), dtype=_f64)
        return numpy_fn(a, *scalars)
    return fwd


# --- torch's cascade sum (SumKernel.cpp's order, reproduced from its results) --------------------

_VEC_WIDTH = {4: 8, 8: 4}     # torch's CPU sum: 32-byte vectors of float32 / float64


def _seq(a):
    """Left-to-right sum along axis 0: NumPy pairs terms only along the innermost axis, so a reduction
    over an outer axis adds row after row; a 1-D one goes through cumsum."""
    return np.add.reduce(a, axis=0) if a.ndim > 1 else np.cumsum(a)[-1]


def _level_sums(rows, step):
    """Sums of consecutive groups of `step` rows (each left to right), and the rest's sum."""
    g = rows.shape[0] // step
    full = np.add.reduce(rows[:g * step].reshape((g, step) + rows.shape[1:]), axis=1)
    rest = _seq(rows[g * step:]) if rows.shape[0] > g * step else np.zeros(rows.shape[1:], rows.dtype)
    return full, rest


def _row_sum(v, width):
    """torch's row_sum: v (n, *lanes) read as rows of four through the levels, the rows left over added
    to the first partial, then the other three partials."""
    n = v.shape[0]
    rows = n // 4
    if not rows:
        return _seq(v) if n else np.zeros(v.shape[1:], v.dtype)
    r = v[:rows * 4].reshape((rows, 4) + v.shape[1:])
    step = 1 << max(4, (rows - 1).bit_length() // 4)
    b, acc0 = _level_sums(r, step)
    l1, acc1 = _level_sums(b, step)
    l2, acc2 = _level_sums(l1, step)
    parts = ((acc0 + acc1) + acc2) + (_seq(l2) if l2.shape[0] else 0)
    return _seq(np.concatenate((parts[:1], v[rows * 4:], parts[1:])))


def _cascade_chunk(x, w):
    """torch's inner sum of a 1-D float array: from w elements on, vectors of w lanes through _row_sum,
    then the scalar tail and the lanes left to right; below w, the scalars through _row_sum."""
    n = x.size
    if n < w:
        return _row_sum(x, 1)
    nvec = n // w
    lanes = _row_sum(x[:nvec * w].reshape(nvec, w), w)
    return _seq(np.concatenate((x[nvec * w:], lanes)))


def _cascade_sum(a):
    """torch's CPU sum of a whole dense float32/float64 array, bit for bit: in memory order, split over
    the threads from 32768 elements (each chunk's sum added in order), each chunk summed as
    _cascade_chunk does."""
    x = a.ravel(order='K')
    n = x.size
    w = _VEC_WIDTH[x.dtype.itemsize]
    if n <= 32768:
        return _cascade_chunk(x, w) if n else x.dtype.type(0)
    from ._misc import get_num_threads
    threads = min(get_num_threads(), -(-n // 32768))
    chunk = -(-n // threads)
    return _seq(np.stack([_cascade_chunk(x[lo:lo + chunk], w) for lo in range(0, n, chunk)]))


def whole_sum(a):
    """torch's sum of every element of `a` when exact float32 is on and torch's order is reproduced here
    (a dense NumPy float32/float64 array); None otherwise."""
    if exact[0] and type(a) is np.ndarray and (a.dtype == _f32 or a.dtype == _f64) and a.ndim \
            and (a.flags.c_contiguous or a.flags.f_contiguous):
        return _cascade_sum(a)
    return None


# --- torch's RowwiseMoments (moments_utils.h): Welford over vector lanes, cascaded ---------------

def _ceil_log2(m):
    return 1 if m <= 2 else int(m - 1).bit_length()


def rowwise_moments(x):
    """(mean, biased variance) of each row of a C-contiguous (rows, N) float32/float64 NumPy array,
    as torch's CPU RowwiseMoments (layer_norm's statistics) computes them. torch runs that kernel
    with 32-byte vectors (its AVX2 build, also on AVX-512 machines): Welford's update per lane over
    chunks of 16 vectors, the chunks merged in a binary cascade (AddMomentsVec, one fma), the N % lanes
    tail element by element, then the lanes merged into it one at a time (AddMoments, fused where
    the compiler contracts it)."""
    fma = fused(x)
    dt = x.dtype.type
    lanes = 32 // x.dtype.itemsize
    R, N = x.shape
    n = N // lanes
    m = -(-n // 16)
    depth = _ceil_log2(m)
    zero = np.zeros((R, lanes), x.dtype)
    s0, s1, s2 = [0] * depth, [zero] * depth, [zero] * depth
    vecs = x[:, :n * lanes].reshape(R, n, lanes).transpose(1, 0, 2).copy()    # vecs[j]: (R, lanes)
    recip = [dt(1) / dt(j + 1) for j in range(16)]

    def merge(k, c0, c1, c2):          # AddMomentsVec: (c0, c1, c2) into stack entry k
        tot = s0[k] + c0
        c = dt(0) if tot == 0 else dt(c0) / dt(tot)
        delta = c1 - s1[k]
        m2 = s2[k] + c2
        cd = c * delta
        s1[k] = s1[k] + cd
        s2[k] = fma(delta * dt(s0[k]), cd, m2)
        s0[k] = tot

    with np.errstate(all='ignore'):
        for i in range(m):
            cnt = min(16, n - i * 16)
            m1 = m2 = zero
            for j in range(cnt):
                v = vecs[i * 16 + j]
                delta = v - m1
                m1 = fma(delta, recip[j], m1)
                m2 = fma(delta, v - m1, m2)
            merge(0, cnt, m1, m2)
            mask = i + 1
            j = 1
            while j < depth and (mask & 1) == 0:
                merge(j, s0[j - 1], s1[j - 1], s2[j - 1])
                s0[j - 1], s1[j - 1], s2[j - 1] = 0, zero, zero
                mask >>= 1
                j += 1
        for k in range(1, depth):
            merge(0, s0[k], s1[k], s2[k])
        c0 = 0
        m1 = m2 = np.zeros(R, x.dtype)
        for i in range(n * lanes, N):
            v = x[:, i]
            delta = v - m1
            c0 += 1
            m1 = m1 + delta / dt(c0)
            m2 = m2 + delta * (v - m1)
        for i in range(lanes):
            tot = c0 + n
            c = dt(0) if tot == 0 else dt(n) / dt(tot)
            delta = s1[0][:, i] - m1
            m1 = fma(c, delta, m1)
            m2 = m2 + fma(delta * delta * c, dt(c0), s2[0][:, i])
            c0 = tot
        return m1, m2 / dt(N)


def _lane_sum(e, lanes=16):
    """torch's vec::reduce_all(+) over the rows of a float32 (rows, N) array with `lanes`-wide vectors:
    whole vectors accumulated in order, the tail added into the first lanes, then a shuffle tree
    (lane i with lane i ^ h for h = lanes/2 ... 1); a row shorter than one vector is summed in order."""
    R, N = e.shape
    if N < lanes:
        acc = e[:, 0].copy()
        for i in range(1, N):
            acc += e[:, i]
        return acc
    full = N - N % lanes
    acc = e[:, :lanes].copy()
    for d in range(lanes, full, lanes):
        acc += e[:, d:d + lanes]
    if full < N:
        acc[:, :N - full] += e[:, full:]
    h = lanes
    while h > 1:
        h //= 2
        acc = acc + acc[:, np.arange(lanes) ^ h]
    return acc[:, 0]


def softmax_lastdim(a):
    """float32 softmax over the last dim of a NumPy array as torch's CPU kernel computes it: SLEEF's
    expf_u10 of x - max(x), the row sum by _lane_sum, times 1/sum."""
    rows = np.ascontiguousarray(a, dtype=_f32).reshape(-1, a.shape[-1])
    with np.errstate(all='ignore'):
        e = _blockwise(_exp_k, rows - rows.max(-1, keepdims=True))
        out = e * (_f32(1) / _lane_sum(e))[:, None]
    return out.reshape(a.shape)


# --- torch's CPU flash attention (FlashAttentionKernel.cpp), float32 -----------------------------

def _bits32(u):
    return np.array(u, np.uint32).view(_f32)


_U20_LO, _U20_HI = _bits32(0xc2aeac50), _bits32(0x42b17218)      # ln(FLT_MIN), ln(FLT_MAX)
_U20_LOG2E, _U20_LN2 = _bits32(0x3fb8aa3b), _bits32(0x3f317218)
_U20_POLY = tuple(_c(v) for v in (0.00828929059, 0.0418978221, 0.166676521, 0.499991506, 0.999999701, 1))


def _exp_u20(x):
    """ATen's Vectorized<float>::exp_u20 (AVX-512): 2**floor(x*log2e + 1/2) times a quintic in the rest,
    the power built as 2**(n-1) and doubled; below ln(FLT_MIN) it gives 0."""
    s = np.maximum(np.minimum(x, _U20_HI), _U20_LO)
    fx = np.floor(_fma32(s, _U20_LOG2E, _c(0.5)))
    r = _fma32(-fx, _U20_LN2, s)
    u = np.full_like(r, _U20_POLY[0])
    for c in _U20_POLY[1:]:
        u = _fma32(r, u, c)
    p = np.where(x < _U20_LO, 0, ((fx - _c(1)).astype(np.int32) + 127) << 23).astype(np.int32).view(_f32)
    return u * p * _c(2)


def _exp_reduce_sum(a, m):
    """exp(a - m) of each row of a float32 (rows, n) array and the row sums, as the flash kernel's
    _exp_reduce_sum_fusion_kernel: exp_u20 over 16-lane vectors summed lane-wise, the lanes reduced by
    the shuffle tree, then the n % 16 tail added in order (its unqualified exp() is C's double exp, so the
    float64 exp rounded to float32; std::exp(float) elsewhere is glibc's expf)."""
    n = a.shape[1]
    full = n - n % 16
    out = np.empty_like(a)
    acc = np.zeros((a.shape[0], 16), _f32)
    for i in range(0, full, 16):
        out[:, i:i + 16] = e = _exp_u20(a[:, i:i + 16] - m[:, None])
        acc += e
    h = 16
    while h > 1:
        h //= 2
        acc = acc + acc[:, np.arange(16) ^ h]
    s = acc[:, 0]
    for i in range(full, n):
        out[:, i] = e = np.exp((a[:, i] - m).astype(_f64)).astype(_f32)
        s = s + e
    return out, s


def flash_attention(q, k, v, scale, mask=None, is_causal=False, reduced=None):
    """torch's CPU flash-attention forward for float32 NumPy arrays q (B, H, L, E), k and v (B, H, S, E)
    and an optional additive float32 mask broadcastable to (B, H, L, S): keys in blocks of 512, each block's
    scores times `scale` (fused with the mask's add), an online softmax (running max, the sum rescaled by
    glibc's expf of the max's change, one fma), the output accumulated by block and divided at the end.
    The two products are NumPy's (torch's are MKL's, whose order this does not reproduce). For a
    bfloat16/float16 kernel, `reduced` rounds the exponentials to that type before their product with v
    (the kernel stores them so; the row sums add them unrounded)."""
    B, H, L, E = q.shape
    S = k.shape[2]
    qs = 256 if L >= 768 else 64 if L >= 192 else 32
    if mask is not None:
        mask = np.broadcast_to(mask, (B, H, L, S))
    # with is_causal a block of queries stops at the block of keys holding its last query's key
    rows = np.arange(L)
    num_keys = np.minimum((rows // qs) * qs + qs, min(L, S)) if is_causal else np.full(L, S)
    mx = np.full((B, H, L), -np.inf, _f32)
    sm = np.zeros((B, H, L), _f32)
    dst = np.zeros((B, H, L, E), _f32)
    with np.errstate(all='ignore'):
        for n in range(0, S, 512):
            qk = np.matmul(q, np.swapaxes(k[:, :, n:n + 512], -1, -2)).astype(_f32)
            blk = qk.shape[-1]
            if is_causal:       # -inf before the scale (a negative scale makes it +inf, as torch)
                qk = np.where(np.arange(n, n + blk) > rows[:, None], _f32(-np.inf), qk)
            if mask is not None:
                qk = _fma32(qk, scale, mask[..., n:n + blk])
            else:
                qk = qk * scale
            tm = np.maximum(qk.max(-1), mx)
            live = (tm != -np.inf) & (n < num_keys)     # rows whose max is still -inf are skipped
            p, ts = _exp_reduce_sum(qk.reshape(-1, blk), tm.reshape(-1))
            p, ts = np.where(live[..., None], p.reshape(qk.shape), 0), ts.reshape(tm.shape)
            et = _glibc_expf((mx - tm).reshape(-1)).reshape(tm.shape)
            sm = np.where(live, _fma32(et, sm, ts), sm)
            if n:
                dst = np.where(live[..., None], dst * et[..., None], dst)
            pv = np.matmul(p if reduced is None else reduced(p), v[:, :, n:n + blk]).astype(_f32)
            dst = dst + pv if n else pv
            mx = np.where(live, tm, mx)
        sm = np.where(sm == 0, _f32(1), sm)
        return dst * (_f32(1) / sm)[..., None]


# --- GELU with the tanh approximation (Activation.cpp's GeluKernelImpl), float32 ----------------

_I32 = np.int32
_EXPM1F_Q = tuple(_c(v) for v in (-3.3333335072e-02, 1.5873016091e-03, -7.9365076090e-05, 4.0082177293e-06,
                                  -2.0109921195e-07))
_EXPM1F_LN2_HI, _EXPM1F_LN2_LO = _c(6.9313812256e-01), _c(9.0580006145e-06)


def _glibc_expm1f(x):
    """glibc's expm1f (fdlibm's, in float32 arithmetic) for finite |x| < 88.7, every branch but overflow."""
    hx = x.view(np.uint32) & 0x7fffffff
    neg = np.signbit(x)
    big = hx > 0x3eb17218                       # |x| > ln2 / 2: reduce by k ln2
    one_k = big & (hx < 0x3F851592)             # |x| < 1.5 ln2: k = +-1
    kf = (_c(1.4426950216) * x + np.where(neg, _c(-0.5), _c(0.5))).astype(_I32)     # C's truncation
    k = np.where(one_k, np.where(neg, -1, 1), np.where(big, kf, 0)).astype(_I32)
    t = kf.astype(_f32)
    hi = np.where(one_k, np.where(neg, x + _EXPM1F_LN2_HI, x - _EXPM1F_LN2_HI), x - t * _EXPM1F_LN2_HI)
    lo = np.where(one_k, np.where(neg, -_EXPM1F_LN2_LO, _EXPM1F_LN2_LO), t * _EXPM1F_LN2_LO)
    r = np.where(big, hi - lo, x)
    c = np.where(big, (hi - r) - lo, _c(0))
    hfx = _c(0.5) * r
    hxs = r * hfx
    q = _EXPM1F_Q
    r1 = _c(1) + hxs * (q[0] + hxs * (q[1] + hxs * (q[2] + hxs * (q[3] + hxs * q[4]))))
    t = _c(3) - r1 * hfx
    e = hxs * ((r1 - t) / (_c(6) - r * t))
    k0 = r - (r * e - hxs)
    e = (r * (e - c) - c) - hxs
    km1 = _c(0.5) * (r - e) - _c(0.5)
    kp1 = np.where(r < _c(-0.25), -_c(2) * (e - (r + _c(0.5))), _c(1) + _c(2) * (r - e))
    shift = k << 23                              # adds k to a float's exponent

    def scaled(y):
        return (y.view(_I32) + shift).view(_f32)
    far = scaled(_c(1) - (e - r)) - _c(1)
    small_k = np.clip(k, 0, 22)
    lt23 = scaled((0x3f800000 - (0x1000000 >> small_k)).astype(_I32).view(_f32) - (e - r))
    ge23 = scaled((r - (e + ((0x7f - np.clip(k, 0, 127)) << 23).astype(_I32).view(_f32))) + _c(1))
    y = np.where((k <= -2) | (k > 56), far, np.where(k < 23, lt23, ge23))
    y = np.where(k == 0, k0, np.where(k == -1, km1, np.where(k == 1, kp1, y)))
    y = np.where((k == 0) & (hx < 0x33000000), x, y)       # |x| < 2**-25: x itself
    return np.where((hx >= 0x4195b844) & neg, _c(-1), y)


def _glibc_tanhf(x):
    """glibc's tanhf (fdlibm's, through expm1f): what std::tanh(float) gives in torch's scalar loops."""
    ix = x.view(np.uint32) & 0x7fffffff
    a = np.abs(x)
    z = np.where(ix >= 0x3f800000, _c(1) - _c(2) / (_glibc_expm1f(_c(2) * np.minimum(a, _c(22))) + _c(2)), 0)
    tn = _glibc_expm1f(-_c(2) * np.minimum(a, _c(1)))
    z = np.where(ix < 0x3f800000, -tn / (tn + _c(2)), z)
    z = np.where(ix < 0x24000000, a * (_c(1) + a), z)
    z = np.where(ix >= 0x41b00000, _c(1), z)
    z = np.where(np.signbit(x), -z, z)
    return np.where(np.isnan(x), x, z)


def _sleef_tanhf(x):
    """SLEEF tanhf_u10: (e**|x| - e**-|x|) / (e**|x| + e**-|x|) in double-float arithmetic."""
    dx, dy = _expk2(np.abs(x))
    ex, ey = _dfrec(dx, dy)
    qx, qy = _dfdiv(*_dfadd_df_df(dx, dy, -ex, -ey), *_dfadd_df_df(dx, dy, ex, ey))
    y = qx + qy
    y[(np.abs(x) > _c(8.664339742)) | np.isnan(y)] = 1
    y = np.copysign(y, x)
    y[np.isnan(x)] = np.nan
    return y


_GELU_BETA, _GELU_KAPPA = _c(math.sqrt(2) * (2 / math.sqrt(math.pi)) * 0.5), _c(0.044715)


def _gelu_tanh_k(tanh):
    def k(x):
        inner = _GELU_BETA * _fma32(_GELU_KAPPA, x * x * x, x)      # the compiler fuses x + kappa * x**3
        return _c(0.5) * x * (_c(1) + tanh(inner))
    return k


_gelu_tanh_vec, _gelu_tanh_scalar = _gelu_tanh_k(_sleef_tanhf), _gelu_tanh_k(_glibc_tanhf)


def gelu_tanh(x, nthreads=1):
    """F.gelu(approximate='tanh') of a float32 array as torch's CPU kernel computes it: SLEEF's tanhf in the
    vector lanes, glibc's in the scalar ones; over 16,384 elements the kernel splits over every thread."""
    n = np.size(x)
    return _kernel_vec(x, _gelu_tanh_vec, _gelu_tanh_scalar, nthreads, n // nthreads if n > 16384 else _GRAIN)


def _gelu_tanh_bwd_k(tanh):
    def k(x, g):
        t = tanh(_GELU_BETA * _fma32(_GELU_KAPPA, x * x * x, x))
        tanh_d = _fma32(-t, t, _c(1))
        inner_d = _GELU_BETA * _fma32(_c(3) * _GELU_KAPPA, x * x, _c(1))
        return g * (_c(0.5) * (_c(1) + t) + (_c(0.5) * x * tanh_d) * inner_d)
    return k


_gelu_tanh_bwd_vec, _gelu_tanh_bwd_scalar = _gelu_tanh_bwd_k(_sleef_tanhf), _gelu_tanh_bwd_k(_glibc_tanhf)


def gelu_tanh_backward(g, x, nthreads=1):
    """The gradient of F.gelu(approximate='tanh') for C-contiguous float32 arrays g and x of one shape, as
    torch's CPU kernel computes it (the tanh as in the forward; 1 - t*t and 1 + 3*kappa*x**2 fused)."""
    xf, gf = x.reshape(-1), g.reshape(-1)
    tail = _scalar_lanes(x, nthreads)
    out = np.empty_like(xf)
    with np.errstate(all='ignore'):
        if tail.size < xf.size:
            for i in range(0, xf.size, _BLOCK):
                out[i:i + _BLOCK] = _gelu_tanh_bwd_vec(xf[i:i + _BLOCK], gf[i:i + _BLOCK])
        out[tail] = _gelu_tanh_bwd_scalar(xf[tail], gf[tail])
    return out.reshape(x.shape)


# --- log_softmax over the last dim (SoftMaxKernel.cpp's _vec_log_softmax_lastdim), float32 -------

_LOG_POLY = (_c(0.3027294874), _c(0.3996108174), _c(0.6666694880))


def _log_k(d):
    """SLEEF logf_u10 (AVX-512 variant: exponent and mantissa from getexp/getmant) for positive finite d, the
    sums log_softmax takes the log of."""
    e = _getexp(d * _c(1.0 / 0.75))
    m = np.ldexp(d, -e.astype(np.int32)).astype(_f32)
    sx, sy = _dfmul_df_f(_LN2_HI, _LN2_LO, e)
    xx, xy = _dfdiv(*_dfadd2_ff(_c(-1), m), *_dfadd2_ff(_c(1), m))
    x2 = xx * xx
    t = _horner(_LOG_POLY, x2)
    sx, sy = _dfadd_df_df(sx, sy, xx * _c(2), xy * _c(2))
    sx, sy = _dfadd_df_f(sx, sy, x2 * xx * t)
    return sx + sy


def log_softmax_lastdim(a):
    """float32 log_softmax over the last dim of a NumPy array as torch's CPU kernel computes it: the row sum of
    SLEEF's expf_u10 of x - max(x) by _lane_sum, SLEEF's logf_u10 of it, then (x - max) - log(sum)."""
    rows = np.ascontiguousarray(a, dtype=_f32).reshape(-1, a.shape[-1])
    with np.errstate(all='ignore'):
        z = rows - rows.max(-1, keepdims=True)
        s = _lane_sum(_blockwise(_exp_k, z))
        ok = (s > 0) & (s < np.inf)         # not so for rows of -inf, +inf or NaN (NaN rows, as torch's)
        out = z - np.where(ok, _log_k(np.where(ok, s, _c(1))), np.log(s))[:, None]
    return out.reshape(a.shape)


# --- nll_loss's reduction (LossNLL.cpp's nll_loss_out_frame): a cascade of partial sums ----------

def _seq_rows(a):
    """Left-to-right sums of the rows of a 2-d array (cumsum: NumPy's reductions may pair terms up)."""
    return np.cumsum(a, axis=1)[:, -1] if a.size else np.zeros(a.shape[0], a.dtype)


def nll_cascade_sum(v, skipped=None):
    """torch's sum of the per-row terms of nll_loss (1-d, in batch order): eight partial sums, row b added to
    the first, which is carried up a level whenever b's next 4 bits are zero (b = 0 carries to the top), the
    levels added bottom to top at the end. `skipped`: rows torch skips (ignore_index), where no carry
    happens either; then the rows are walked one by one."""
    dt = v.dtype.type
    if skipped is not None and skipped[::16].any():
        parts = [dt(0)] * 8
        for b in range(v.size):
            if skipped[b]:
                continue
            parts[0] = parts[0] + v[b]
            for j in range(7):
                if b & (15 << (4 * j)):
                    break
                parts[j + 1], parts[j] = parts[j + 1] + parts[j], dt(0)
    else:
        if skipped is not None:
            v = np.where(skipped, dt(0), v)
        if not v.size:
            return dt(0)
        seq, parts = v[1:], []
        for _ in range(7):
            m = seq.size // 16
            tail = seq[m * 16:]
            parts.append(np.cumsum(tail)[-1] if tail.size else dt(0))
            seq = _seq_rows(seq[:m * 16].reshape(m, 16))
        parts.append(np.cumsum(np.concatenate((v[:1], seq)))[-1])
    total = dt(0)
    for p in parts:
        total = total + p
    return total


def _rows_of(a):
    return np.ascontiguousarray(a, dtype=_f32).reshape(-1, a.shape[-1])


def softmax_backward_lastdim(g, y):
    """The gradient of last-dim float32 softmax as torch's CPU kernel computes it: (g - sum(g * y)) * y, the
    sum of products by _lane_sum."""
    gr, yr = _rows_of(g), _rows_of(y)
    return ((gr - _lane_sum(gr * yr)[:, None]) * yr).reshape(g.shape)


def log_softmax_backward_lastdim(g, y):
    """The gradient of last-dim float32 log_softmax as torch's CPU kernel computes it: g - exp(y) * sum(g),
    SLEEF's expf_u10, the sum by _lane_sum, the product and difference one fused step."""
    gr, yr = _rows_of(g), _rows_of(y)
    with np.errstate(all='ignore'):
        e = _blockwise(_exp_k, yr)
        return _fma32(-e, np.broadcast_to(_lane_sum(gr)[:, None], e.shape), gr).reshape(g.shape)
