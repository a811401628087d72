"""torch's x86 (fbgemm) quantized kernels, to the last integer: int8 x uint8 products summed exactly (in
float64, exact for these sizes), then fbgemm's requantization in float32:
out = nearbyint((float(acc) + bias / (x_scale * w_scale)) * (x_scale * w_scale / out_scale)) + out_zero_point,
clamped to the type's range (from the zero point up, with a fused ReLU)."""
import numpy as np

import faketorch as torch
from faketorch import _quantized as Q

_f32 = np.float32


def _ints(q):
    return Q._host(q._data.int).astype(np.float64)


def _weight(w):
    """(the weight's integers less its zero points, its scales as float32 per output channel)."""
    d = w._data
    W = _ints(w)
    if d.axis is None:
        return W - d.zero_point, np.full(W.shape[0], d.scale, _f32)
    shape = [1] * W.ndim
    shape[d.axis] = -1
    return W - d.zero_point.reshape(shape), d.scale.astype(_f32)


def _requantize(acc, x, w_scale, bias, scale, zero_point, relu, dtype, axis):
    """acc: the exact integer sums (float64), output channels on `axis`."""
    shape = [1] * acc.ndim
    shape[axis] = -1
    aws = (_f32(x._data.scale) * w_scale).reshape(shape)
    raw = acc.astype(_f32)
    if bias is not None:
        raw = raw + (Q._host(bias.detach()._data).astype(_f32).reshape(shape) / aws)
    mult = aws / _f32(scale)
    lo, hi = Q._INT[dtype.name][1:]
    if relu:
        lo = max(lo, zero_point)
    with np.errstate(all='ignore'):
        v = np.rint(raw * mult) + zero_point
    out = np.clip(v, lo, hi).astype(torch._dtype.np_dtype(Q._INT[dtype.name][0]))
    return Q._qtensor(out, dtype, Q.per_tensor_affine, float(scale), int(zero_point))


def _check_input(x, name):
    if not getattr(x, 'is_quantized', False):
        raise NotImplementedError(
            f"Could not run 'quantized::{name}' with arguments from the 'CPU' backend. This could be because the "
            "operator doesn't exist for this backend, or was omitted during the selective/custom build process (if "
            "using custom build). If you are a Facebook employee using PyTorch on mobile, please visit "
            "https://fburl.com/ptmfixes for possible resolutions.")


def linear(x, w, bias, scale, zero_point, relu=False):
    _check_input(x, 'linear_relu' if relu else 'linear')
    W, ws = _weight(w)
    X = _ints(x) - x._data.zero_point
    acc = X @ W.T
    return _requantize(acc, x, ws, bias, scale, zero_point, relu, x.dtype, acc.ndim - 1)


def conv(x, w, bias, stride, padding, dilation, groups, scale, zero_point, relu=False):
    _check_input(x, 'conv2d_relu.new' if relu else 'conv2d.new')
    W, ws = _weight(w)
    X = _ints(x) - x._data.zero_point
    nd = W.ndim - 2
    conv_fn = getattr(torch.nn.functional, f'conv{nd}d')
    acc = conv_fn(torch.from_numpy(X), torch.from_numpy(W), None, stride, padding, dilation, groups).numpy()
    return _requantize(acc, x, ws, bias, scale, zero_point, relu, x.dtype, 1)


def linear_dynamic(x, w, bias, reduce_range=True):
    """Dynamic quantized linear: x quantized per tensor to quint8 on its own range (7 bits with
    reduce_range), integer products, the float result x_scale * w_scale * acc + bias."""
    xs = Q._host(x.detach()._data)
    qmax = 127 if reduce_range else 255
    lo, hi = (float(xs.min()), float(xs.max())) if xs.size else (0.0, 0.0)
    x_scale, x_zp = Q._choose_qparams(lo, hi, 0, qmax)
    xq = Q.quantize_per_tensor(x.detach(), x_scale, x_zp, torch.quint8)
    W, ws = _weight(w)
    acc = (_ints(xq) - x_zp) @ W.T
    aws = _f32(xq._data.scale) * ws
    out = acc.astype(_f32) * aws
    if bias is not None:
        out = out + Q._host(bias.detach()._data).astype(_f32)
    return torch.from_numpy(out.astype(_f32))


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
