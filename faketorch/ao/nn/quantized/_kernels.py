"""torch's x86 (fbgemm) quantized kernels, to the last integer: int8 x uint8 products summed exactly (float32
GEMMs on chunks short enough to be exact, see _int_matmul), then fbgemm's requantization in float32:
out = nearbyint((float(acc) + bias / (x_scale * w_scale)) * (x_scale * w_scale / out_scale)) + out_zero_point,
clamped to the type's range (from the zero point up, with a fused ReLU)."""
import numpy as np

import faketorch as torch
from faketorch import _quantized as Q

_f32 = np.float32


def _ints(q):
    return Q._host(q._data.int).astype(np.float64)


def _centred(q):
    """(q's integers less its per-tensor zero point as float32 (exact), the largest magnitude those can
    have for q's dtype and zero point): the bounds on the products come from the types, not the data."""
    lo, hi = Q._INT[q.dtype.name][1:]
    z = q._data.zero_point
    X = Q._host(q._data.int).astype(_f32)
    X -= _f32(z)
    return X, max(z - lo, hi - z)


def _weight(w):
    """(the weight's integers less its zero points as float32, its scales as float32 per output channel,
    the largest |integer - zero point| its dtype and zero points allow)."""
    d = w._data
    W = Q._host(d.int).astype(_f32)
    lo, hi = Q._INT[w.dtype.name][1:]
    if d.axis is None:
        if d.zero_point:
            W -= _f32(d.zero_point)
        return W, np.full(W.shape[0], d.scale, _f32), max(d.zero_point - lo, hi - d.zero_point)
    z = np.asarray(d.zero_point)
    if z.any():             # (symmetric weights, the usual ones, have none)
        shape = [1] * W.ndim
        shape[d.axis] = -1
        W -= z.reshape(shape).astype(_f32)
    return W, d.scale.astype(_f32), int(max(z.max() - lo, hi - z.min())) if z.size else 0


# integers up to 2**24 in magnitude are exact in float32
_EXACT32 = 2 ** 24


def _int_matmul(a, b, bound):
    """a @ b of integer-valued float32 arrays, exactly (fbgemm's int32 sums), where no |a_ik * b_kj|
    exceeds `bound`. A float32 GEMM is exact, in any summation order, while the sum of the terms' magnitudes
    stays within 2**24; a longer inner dimension is split into chunks that do, their float32 results summed
    in float64 (exact below 2**53)."""
    K = a.shape[-1]
    step = max(_EXACT32 // max(bound, 1), 1)
    if K <= step:
        return np.matmul(a, b)
    acc = np.matmul(a[..., :step], b[..., :step, :]).astype(np.float64)
    for i in range(step, K, step):
        acc += np.matmul(a[..., i:i + step], b[..., i:i + step, :])
    return acc


def _requantize(acc, x_scale, w_scale, bias, scale, zero_point, relu, dtype, axis):
    """acc: the exact integer sums (float32 or float64; consumed), output channels on `axis`. fbgemm's
    float32 requantization: (float(acc) + bias / (x_scale * w_scale)) * (x_scale * w_scale / scale),
    rounded half to even, plus the zero point, clamped (from the zero point up with a fused ReLU)."""
    shape = [1] * acc.ndim
    shape[axis] = -1
    aws = (_f32(x_scale) * w_scale).reshape(shape)
    raw = acc if acc.dtype == _f32 else acc.astype(_f32)
    lo, hi = Q._INT[dtype.name][1:]
    if relu:
        lo = max(lo, zero_point)
    with np.errstate(all='ignore'):
        if bias is not None:
            raw += Q._host(bias.detach()._data).astype(_f32).reshape(shape) / aws
        raw *= aws / _f32(scale)
        np.rint(raw, out=raw)
        raw += _f32(zero_point)
        np.clip(raw, lo, hi, out=raw)
    return raw.astype(torch._dtype.np_dtype(Q._INT[dtype.name][0]))


def _check_input(x, name):
    if not getattr(x, 'is_quantized', False):
        raise NotImplementedError(
            f"Could not run 'quantized::{name}' with arguments from the 'CPU' backend. This could be because the "
            "operator doesn't exist for this backend, or was omitted during the selective/custom build process (if "
            "using custom build). If you are a Facebook employee using PyTorch on mobile, please visit "
            "https://fburl.com/ptmfixes for possible resolutions.")


def _result(ints, dtype, scale, zero_point):
    return Q._qtensor(ints, dtype, Q.per_tensor_affine, float(scale), int(zero_point))


def linear(x, w, bias, scale, zero_point, relu=False):
    _check_input(x, 'linear_relu' if relu else 'linear')
    W, ws, bw = _weight(w)
    X, bx = _centred(x)
    acc = _int_matmul(X, W.T, bx * bw)
    out = _requantize(acc, x._data.scale, ws, bias, scale, zero_point, relu, x.dtype, acc.ndim - 1)
    return _result(out, x.dtype, scale, zero_point)


def conv(x, w, bias, stride, padding, dilation, groups, scale, zero_point, relu=False):
    """Quantized convolution: the centred input zero-padded (fbgemm pads with the zero point), the
    float convolution's im2col (stride 1: its flat layout) and one exact integer GEMM per group."""
    _check_input(x, 'conv2d_relu.new' if relu else 'conv2d.new')
    from faketorch.nn._functional_spatial import _FlatConv, _BatchConv, _pad_array
    W, ws, bw = _weight(w)
    nd = W.ndim - 2
    k, N, C = W.shape[2:], x.shape[0], x.shape[1]
    if isinstance(padding, str) or x.dim() != nd + 2 or C != W.shape[1] * groups or W.shape[0] % groups:
        return _conv_checked(x, W, ws, bias, stride, padding, dilation, groups, scale, zero_point, relu)
    padded = tuple(n + 2 * p for n, p in zip(x.shape[2:], padding))
    out = tuple((p - dd * (kk - 1) - 1) // ss + 1 for p, kk, dd, ss in zip(padded, k, dilation, stride))
    if min(out) <= 0 or N == 0:
        return _conv_checked(x, W, ws, bias, stride, padding, dilation, groups, scale, zero_point, relu)
    X, bx = _centred(x)
    xp = _pad_array(X, tuple((p, p) for p in padding))
    flat = all(ss == 1 for ss in stride)
    fc = (_FlatConv if flat else _BatchConv)(xp, W, k, tuple(stride), tuple(dilation), out, groups)
    acc = _int_matmul(fc.wm, fc.cols, bx * bw)          # flat: (G, O/G, N*Lp); strided: (N, G, O/G, L)
    if flat:
        ints = _requantize(acc.reshape(W.shape[0], -1), x._data.scale, ws, bias, scale, zero_point, relu,
                           x.dtype, 0)
        ints = np.ascontiguousarray(fc._outputs(ints.reshape(W.shape[0], N, -1)))
    else:
        ints = _requantize(acc.reshape(N, W.shape[0], -1), x._data.scale, ws, bias, scale, zero_point, relu,
                           x.dtype, 1).reshape((N, -1) + out)
    return _result(ints, x.dtype, scale, zero_point)


def _conv_checked(x, W, ws, bias, stride, padding, dilation, groups, scale, zero_point, relu):
    """The float convolution's own path (its argument checks and errors, string paddings) on the exact
    integers, in float64."""
    X = _ints(x) - x._data.zero_point
    conv_fn = getattr(torch.nn.functional, f'conv{W.ndim - 2}d')
    acc = conv_fn(torch.from_numpy(X), torch.from_numpy(W.astype(np.float64)), None, stride, padding, dilation,
                  groups).numpy()
    out = _requantize(acc, x._data.scale, ws, bias, scale, zero_point, relu, x.dtype, 1)
    return _result(out, x.dtype, scale, zero_point)


def linear_dynamic(x, w, bias, reduce_range=True):
    """Dynamic quantized linear: x quantized per tensor to quint8 on its own range (7 bits with
    reduce_range), integer products, the float result x_scale * w_scale * acc + bias."""
    xs = Q._host(x.detach()._data)
    qmax = 127 if reduce_range else 255
    lo, hi = (float(xs.min()), float(xs.max())) if xs.size else (0.0, 0.0)
    x_scale, x_zp = Q._choose_qparams(lo, hi, 0, qmax)
    xq = Q.quantize_per_tensor(x.detach(), x_scale, x_zp, torch.quint8)
    W, ws, bw = _weight(w)
    X, bx = _centred(xq)
    acc = _int_matmul(X, W.T, bx * bw)
    aws = _f32(xq._data.scale) * ws
    out = acc.astype(_f32, copy=False) * aws
    if bias is not None:
        out = out + Q._host(bias.detach()._data).astype(_f32)
    return torch.from_numpy(out.astype(_f32, copy=False))


# torch's elementwise quantized kernels run 64 elements a step (AVX-512) and finish the rest one by one,
# and the two paths round differently
_VEC = 64


def _dequantize_fma(q):
    """torch's dequantize in an elementwise kernel (flattened): fma(scale, q, -scale * zero_point) in the
    vector loop, (q - zero_point) * scale in the scalar tail; float32."""
    s, z = _f32(q._data.scale), q._data.zero_point
    x = _ints(q).reshape(-1)
    cut = x.size // _VEC * _VEC
    premul = _f32(s * -_f32(z))
    return np.concatenate([(x[:cut] * np.float64(s) + np.float64(premul)).astype(_f32),
                           (x[cut:] - z).astype(_f32) * s]).reshape(q.shape)


def _quantize_vec(v, scale, zero_point, dtype):
    """torch's requantize in an elementwise kernel: nearbyint(v * (1/scale)) plus the zero point as an
    integer in the vector loop; nearbyint(fma(v, 1/scale, zero_point)) in the scalar tail."""
    lo, hi = Q._INT[dtype.name][1:]
    flat = v.reshape(-1)
    cut = flat.size // _VEC * _VEC
    inv = _f32(1) / _f32(scale)
    with np.errstate(all='ignore'):
        r = np.concatenate([np.rint((flat[:cut] * inv).astype(_f32)) + zero_point,
                            np.rint((flat[cut:].astype(np.float64) * np.float64(inv) + zero_point).astype(_f32))])
    r = np.clip(r, lo, hi).reshape(v.shape)
    return Q._qtensor(r.astype(torch._dtype.np_dtype(Q._INT[dtype.name][0])), dtype, Q.per_tensor_affine,
                      float(scale), int(zero_point))


def add(a, b, scale, zero_point, relu=False):
    """quantized::add(_relu): both dequantized (fma), added in float32, requantized."""
    v = _dequantize_fma(a) + _dequantize_fma(b)
    if relu:
        v = np.maximum(v, _f32(0))
    return _quantize_vec(v, scale, zero_point, a.dtype)


def mul(a, b, scale, zero_point):
    """quantized::mul: the integer product of the centred values times a float32 multiplier."""
    c = (_ints(a) - a._data.zero_point) * (_ints(b) - b._data.zero_point)
    mult = _f32(_f32(_f32(a._data.scale) * _f32(b._data.scale)) * (_f32(1) / _f32(scale)))
    lo, hi = Q._INT[a.dtype.name][1:]
    with np.errstate(all='ignore'):
        r = np.clip(np.rint((c.astype(_f32) * mult).astype(_f32)) + zero_point, lo, hi)
    return Q._qtensor(r.astype(torch._dtype.np_dtype(Q._INT[a.dtype.name][0])), a.dtype, Q.per_tensor_affine,
                      float(scale), int(zero_point))


def add_scalar(a, c):
    """quantized::add_scalar: the integers stay and the zero point moves by round(c / scale); when that
    leaves the type's range, the range is widened to [0, max + c] (or [min + c, 0]) and the values
    requantized."""
    s, z = a._data.scale, a._data.zero_point
    lo, hi = Q._INT[a.dtype.name][1:]
    c_q = int(np.rint(c / s))
    if lo <= z - c_q <= hi:
        return Q._qtensor(a._data.int.copy(), a.dtype, Q.per_tensor_affine, s, z - c_q)
    if c_q > 0:
        s2, z2 = (hi - z + c_q) * s / (hi - lo), lo
    else:
        s2, z2 = (z - lo - c_q) * s / (hi - lo), hi
    return Q.quantize_per_tensor(a.dequantize() + c, s2, z2, a.dtype)


def mul_scalar(a, c):
    """quantized::mul_scalar: the scale takes |c|; a negative c mirrors the integers and the zero point."""
    s, z = a._data.scale, a._data.zero_point
    lo, hi = Q._INT[a.dtype.name][1:]
    if c == 0:
        return Q._qtensor(np.zeros_like(a._data.int), a.dtype, Q.per_tensor_affine, 1.0, 0)
    if c > 0:
        return Q._qtensor(a._data.int.copy(), a.dtype, Q.per_tensor_affine, s * c, z)
    ints = (hi + lo - a._data.int.astype(np.int64)).astype(a._data.int.dtype)
    return Q._qtensor(ints, a.dtype, Q.per_tensor_affine, s * -c, hi + lo - z)


def leaky_relu(q, slope, scale, zero_point):
    """quantized::leaky_relu: dequantized (vector loop: fma), negatives times the slope in float32,
    requantized; the output scale kept as a float32."""
    v = _dequantize_fma(q)
    v = np.where(v > 0, v, (v * _f32(slope)).astype(_f32))
    return _quantize_vec(v, float(_f32(scale)), zero_point, q.dtype)


def hardswish(q, scale, zero_point):
    """quantized::hardswish: x * clamp(x + 3, 0, 6) / 6 in float32 on the dequantized values, requantized to
    a float32 output scale."""
    v = _dequantize_fma(q)
    v = (v * np.minimum(np.maximum(v + _f32(3), _f32(0)), _f32(6)) / _f32(6)).astype(_f32)
    return _quantize_vec(v, float(_f32(scale)), zero_point, q.dtype)
