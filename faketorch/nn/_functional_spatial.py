"""Spatial functional ops of torch.nn.functional: convolution, pooling, normalization, padding,
upsampling, fold/unfold, pixel shuffle, grid sampling.

Each op is one graph node with torch's grad_fn name. Forward and backward work on the arrays
directly (a backward that needs no double-backward may compute with arrays: noted where so).
Convolution is im2col (one strided view + one reshape copy) and one batched GEMM; pooling loops
only over kernel offsets, never over output positions.
"""
import math
import numbers

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make
from ..autograd.grad_mode import state as grad_state
from .._ops._core import attach, needs

__all__ = ['conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d',
           'max_pool1d', 'max_pool2d', 'max_pool3d', 'max_pool1d_with_indices',
           'max_pool2d_with_indices', 'max_pool3d_with_indices', 'avg_pool1d', 'avg_pool2d',
           'avg_pool3d', 'adaptive_avg_pool1d', 'adaptive_avg_pool2d', 'adaptive_avg_pool3d',
           'adaptive_max_pool1d', 'adaptive_max_pool2d', 'adaptive_max_pool3d',
           'adaptive_max_pool1d_with_indices', 'adaptive_max_pool2d_with_indices',
           'adaptive_max_pool3d_with_indices', 'max_unpool1d', 'max_unpool2d', 'max_unpool3d',
           'lp_pool1d', 'lp_pool2d', 'lp_pool3d', 'batch_norm', 'layer_norm', 'group_norm',
           'instance_norm', 'rms_norm', 'local_response_norm', 'interpolate', 'upsample',
           'upsample_nearest', 'upsample_bilinear', 'pad', 'unfold', 'fold', 'pixel_shuffle',
           'pixel_unshuffle', 'channel_shuffle', 'native_channel_shuffle', 'grid_sample',
           'affine_grid']


# --- small helpers -------------------------------------------------------------------------------

def _tuple(x, n):
    if isinstance(x, (list, tuple)):
        if len(x) == 1 and n > 1:
            return tuple(int(x[0]) for _ in range(n))
        return tuple(int(v) for v in x)
    return (int(x),) * n


def _wrap(arr, like, dtype=None):
    return _make(arr, dtype or like.dtype, like._device)


def _grad_on(*ts):
    if not grad_state.enabled:
        return False
    return any(t is not None and t._requires_grad for t in ts)


def _strided(a):
    """The as_strided of the array's own library (numpy or cupy)."""
    if isinstance(a, np.ndarray):
        return np.lib.stride_tricks.as_strided
    import cupy
    return cupy.lib.stride_tricks.as_strided


def _zeros_like(a, shape=None, dtype=None):
    return np.zeros_like(a, shape=shape if shape is not None else a.shape, dtype=dtype or a.dtype)


def _windows(xp, k, s, d, out):
    """Read-only view (N, C, *k, *out) of the padded array xp: every kernel offset's window."""
    nd = len(k)
    st = xp.strides
    shape = xp.shape[:2] + tuple(k) + tuple(out)
    strides = st[:2] + tuple(st[2 + i] * d[i] for i in range(nd)) + \
        tuple(st[2 + i] * s[i] for i in range(nd))
    return _strided(xp)(xp, shape, strides, writeable=False)


def _offset_slices(k, s, d, out, lead=2):
    """For each kernel offset: the slice tuple of the padded input it reads (a strided view)."""
    for idx in np.ndindex(*k):
        yield idx, (slice(None),) * lead + tuple(
            slice(i * dd, i * dd + ss * (o - 1) + 1, ss) for i, dd, ss, o in zip(idx, d, s, out))


def _col2im(cols, shape, k, s, d, out):
    """Adjoint of _windows: sum cols (N, C, *k, *out) back onto an (N, C, *shape) array."""
    res = _zeros_like(cols, cols.shape[:2] + tuple(shape))
    nd = len(k)
    if all(kk == ss for kk, ss in zip(k, s)) and all(dd == 1 for dd in d):
        # non-overlapping windows: one transposed copy instead of a loop
        perm = [0, 1]
        for i in range(nd):
            perm += [2 + nd + i, 2 + i]
        blk = cols.transpose(perm).reshape(cols.shape[:2] + tuple(o * kk for o, kk in zip(out, k)))
        res[(slice(None), slice(None)) + tuple(slice(0, o * kk) for o, kk in zip(out, k))] = blk
        return res
    lead = (slice(None), slice(None))
    for idx, sl in _offset_slices(k, s, d, out):
        res[sl] += cols[lead + idx]
    return res


def _pad_array(x, pads, value=0):
    """Zero (or value) padding of the trailing dims; pads = ((lo, hi), ...) for each spatial dim."""
    if not any(lo or hi for lo, hi in pads):
        return x
    lead = x.ndim - len(pads)
    shape = x.shape[:lead] + tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[lead:], pads))
    r = np.full_like(x, value, shape=shape)
    r[(slice(None),) * lead + tuple(slice(lo, lo + n) for n, (lo, _) in zip(x.shape[lead:], pads))] = x
    return r


def _crop(x, pads):
    lead = x.ndim - len(pads)
    return x[(slice(None),) * lead + tuple(slice(lo, n - hi) for n, (lo, hi)
                                          in zip(x.shape[lead:], pads))]


def _batchify(input, nd, fname):
    """torch accepts unbatched input (one dim fewer); returns (batched input, was_unbatched)."""
    if input.dim() == nd + 1:
        return input.unsqueeze(0), True
    return input, False


# --- convolution ---------------------------------------------------------------------------------

_DTYPE_WORD = {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half',
               'int64': 'long int', 'int32': 'int'}


def _conv_checks(input, weight, bias, nd, groups, transposed, fname):
    dim = input.dim()
    if dim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {fname}, "
                           f"but got input of size: {list(input.shape)}")
    if input.dtype is not weight.dtype:
        if input.dtype is D.float64 or weight.dtype is not D.float64:
            raise RuntimeError(f"expected scalar type {D.type_name(input.dtype)} but found "
                               f"{D.type_name(weight.dtype)}")
        raise RuntimeError(f"Input type (torch.{D.type_name(input.dtype)}Tensor) and weight type "
                           f"(torch.{D.type_name(weight.dtype)}Tensor) should be the same or input "
                           "should be a MKLDNN tensor and weight is a dense tensor")
    if bias is not None and bias.dtype is not input.dtype:
        raise RuntimeError(f"Input type ({_DTYPE_WORD.get(input.dtype._np.name, input.dtype._np.name)}"
                           f") and bias type ({_DTYPE_WORD.get(bias.dtype._np.name, bias.dtype._np.name)})"
                           " should be the same")


def _conv_padding(padding, k, d, s, nd):
    """padding -> ((lo, hi), ...) per spatial dim; handles 'same' (extra on the right) / 'valid'."""
    if isinstance(padding, str):
        if padding == 'valid':
            return ((0, 0),) * nd
        if padding == 'same':
            if any(ss != 1 for ss in s):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            res = []
            for kk, dd in zip(k, d):
                tot = dd * (kk - 1)
                res.append((tot // 2, tot - tot // 2))
            return tuple(res)
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    return tuple((p, p) for p in _tuple(padding, nd))


def _convnd(input, weight, bias, stride, padding, dilation, groups, nd):
    fname = f'conv{nd}d'
    _conv_checks(input, weight, bias, nd, groups, False, fname)
    x_t, unb = _batchify(input, nd, fname)
    k = tuple(weight.shape[2:])
    s, d = _tuple(stride, nd), _tuple(dilation, nd)
    pads = _conv_padding(padding, k, d, s, nd)
    x, w = x_t._data, weight._data
    N, C = x.shape[:2]
    O = w.shape[0]
    if C != w.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(w.shape)}, expected "
                           f"input{list(x.shape)} to have {w.shape[1] * groups} channels, but got "
                           f"{C} channels instead")
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads))
    eff = tuple(dd * (kk - 1) + 1 for kk, dd in zip(k, d))
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))})"
                           f". Kernel size: ({' x '.join(map(str, eff))}). Kernel size can't be greater "
                           "than actual input size")
    out = tuple((p - e) // ss + 1 for p, e, ss in zip(padded, eff, s))
    G = groups
    K = int(np.prod(k))
    L = int(np.prod(out))
    xp = _pad_array(x, pads)
    cols = _windows(xp, k, s, d, out).reshape(N, G, C // G * K, L)     # the one im2col copy
    wm = w.reshape(G, O // G, C // G * K)
    y = np.matmul(wm, cols).reshape((N, O) + out)
    if bias is not None:
        y += bias._data.reshape((O,) + (1,) * nd)
    r = _make(y, input.dtype, input._device)
    if _grad_on(input, weight, bias):
        # backward computes on arrays (no double backward through convolution)
        def bwd(node, g):
            go = g._data.reshape(N, G, O // G, L)
            gi = gw = gb = None
            if needs(node, 0):
                dcols = np.matmul(wm.transpose(0, 2, 1), go).reshape((N, C) + k + out)
                gi = _wrap(np.ascontiguousarray(_crop(_col2im(dcols, padded, k, s, d, out), pads)),
                           input)
            if needs(node, 1):
                gw = _wrap(np.matmul(go, cols.transpose(0, 1, 3, 2)).sum(0).reshape(w.shape), weight)
            if bias is not None and needs(node, 2):
                gb = _wrap(go.sum(axis=(0, 3)).reshape(O), bias)
            return gi, gw, gb
        attach('ConvolutionBackward0', bwd, (x_t, weight, bias), (r,))
    return r.squeeze(0) if unb else r


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 2)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 3)


def _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, nd):
    fname = f'conv_transpose{nd}d'
    _conv_checks(input, weight, bias, nd, groups, True, fname)
    x_t, unb = _batchify(input, nd, fname)
    k = tuple(weight.shape[2:])
    s, d = _tuple(stride, nd), _tuple(dilation, nd)
    p, op = _tuple(padding, nd), _tuple(output_padding, nd)
    x, w = x_t._data, weight._data
    N, C = x.shape[:2]
    G = groups
    if C != w.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {list(w.shape)}, expected input"
                           f"{list(x.shape)} to have {w.shape[0]} channels, but got {C} channels instead")
    Og = w.shape[1]
    O = Og * G
    inn = x.shape[2:]
    full = tuple((i - 1) * ss + dd * (kk - 1) + 1 + o for i, ss, dd, kk, o in zip(inn, s, d, k, op))
    out = tuple(f - 2 * pp for f, pp in zip(full, p))
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, inn))}). Calculated "
                           f"output size per channel: ({' x '.join(map(str, out))}). Output size is too small")
    K = int(np.prod(k))
    Lin = int(np.prod(inn))
    xm = x.reshape(N, G, C // G, Lin)
    wm = w.reshape(G, C // G, Og * K)
    cols = np.matmul(wm.transpose(0, 2, 1), xm).reshape((N, O) + k + inn)
    pads = tuple((pp, pp) for pp in p)
    y = np.ascontiguousarray(_crop(_col2im(cols, full, k, s, d, inn), pads))
    if bias is not None:
        y += bias._data.reshape((O,) + (1,) * nd)
    r = _make(y, input.dtype, input._device)
    if _grad_on(input, weight, bias):
        def bwd(node, g):   # on arrays, like conv's
            gp = _pad_array(g._data, pads)
            gcols = _windows(gp, k, s, d, inn).reshape(N, G, Og * K, Lin)
            gi = gw = gb = None
            if needs(node, 0):
                gi = _wrap(np.matmul(wm, gcols).reshape(x.shape), input)
            if needs(node, 1):
                gw = _wrap(np.matmul(xm, gcols.transpose(0, 1, 3, 2)).sum(0).reshape(w.shape), weight)
            if bias is not None and needs(node, 2):
                gb = _wrap(g._data.sum(axis=(0,) + tuple(range(2, 2 + nd))), bias)
            return gi, gw, gb
        attach('ConvolutionBackward0', bwd, (x_t, weight, bias), (r,))
    return r.squeeze(0) if unb else r


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 1)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 2)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 3)


# --- pooling -------------------------------------------------------------------------------------

def _pool_geometry(x_shape, nd, kernel_size, stride, padding, dilation, ceil_mode, kind):
    k = _tuple(kernel_size, nd)
    s = k if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) \
        else _tuple(stride, nd)
    p, d = _tuple(padding, nd), _tuple(dilation, nd)
    if any(ss == 0 for ss in s):
        raise RuntimeError("stride should not be zero")
    for pp, kk, dd in zip(p, k, d):
        if kind == 'max' and pp > (dd * (kk - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pp}, "
                               f"kernel_size={kk} and dilation={dd}")
        if kind == 'avg' and pp > kk // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pp}, "
                               f"kernel_size={kk} and dilation=1")
    inn = x_shape[-nd:]
    out = []
    for i, kk, ss, pp, dd in zip(inn, k, s, p, d):
        num = i + 2 * pp - dd * (kk - 1) - 1 + (ss - 1 if ceil_mode else 0)
        o = num // ss + 1
        if ceil_mode and (o - 1) * ss >= i + pp:
            o -= 1
        out.append(o)
    if any(o < 1 for o in out):
        lead = x_shape[-nd - 1] if len(x_shape) > nd else 1
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (lead,) + tuple(inn)))}). Calculated "
                           f"output size: ({'x'.join(map(str, (lead,) + tuple(out)))}). Output size is too small")
    # padding of the input so every window lies inside the padded array
    pads = tuple((pp, max(0, (o - 1) * ss + dd * (kk - 1) + 1 - i - pp))
                 for i, kk, ss, pp, dd, o in zip(inn, k, s, p, d, out))
    return k, s, p, d, tuple(out), pads


def _check_pool_dim(input, nd, fname):
    dim = input.dim()
    if dim not in (nd + 1, nd + 2) or any(n == 0 for n in input.shape[1:]):
        if nd == 1:
            raise RuntimeError(f"{fname}: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch "
                               f"size for input, but got:{list(input.shape)}")
        raise RuntimeError(f"Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with optional 0 dim batch "
                           f"size for input, but got:{list(input.shape)}")


def _lowest(dt):
    return -np.inf if dt.kind in 'fc' else np.iinfo(dt).min


def _max_pool(input, nd, kernel_size, stride, padding, dilation, ceil_mode):
    _check_pool_dim(input, nd, f'max_pool{nd}d')
    x = input._data
    k, s, p, d, out, pads = _pool_geometry(x.shape, nd, kernel_size, stride, padding, dilation,
                                           ceil_mode, 'max')
    lead = x.ndim - nd
    xp = _pad_array(x, pads, _lowest(x.dtype))
    best = arg = None
    floating = x.dtype.kind == 'f'
    # torch's kernel: the first maximum in window order wins; NaN propagates
    for j, (idx, sl) in enumerate(_offset_slices(k, s, d, out, lead)):
        v = xp[sl]
        if best is None:
            best = v.copy()
            arg = np.zeros_like(v, dtype=np.int64)
            continue
        upd = v > best
        if floating:
            upd |= np.isnan(v)
        np.copyto(best, v, where=upd)
        np.copyto(arg, j, where=upd)
    # flat input index of each maximum, as torch returns it
    kidx = np.unravel_index(arg, k)
    flat = 0
    for i in range(nd):
        o = np.arange(out[i]).reshape((-1,) + (1,) * (nd - 1 - i)) * s[i] - p[i]
        flat = flat * x.shape[lead + i] + (o + kidx[i] * d[i])
    indices = _make(np.asarray(flat, dtype=np.int64), D.int64, input._device)
    r = _make(best, input.dtype, input._device)
    if _grad_on(input):
        def bwd(node, g):   # on arrays: the gradient goes to each window's maximum
            go = g._data
            gxp = _zeros_like(xp)
            zero = go.dtype.type(0)
            for j, (idx, sl) in enumerate(_offset_slices(k, s, d, out, lead)):
                gxp[sl] += np.where(arg == j, go, zero)
            return (_wrap(np.ascontiguousarray(_crop(gxp, pads)), input),)
        attach(f'MaxPool{nd}DWithIndicesBackward0', bwd, (input,), (r,))
    return r, indices


def _pool1d_via_2d(fn, input, *args):
    """torch runs the 1-d pools as 2-d pools over an unsqueezed input (hence SqueezeBackward1)."""
    res = fn(input.unsqueeze(-2), *args)
    if isinstance(res, tuple):
        return tuple(t.squeeze(-2) for t in res)
    return res.squeeze(-2)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    _check_pool_dim(input, 1, 'max_pool1d')
    stride = kernel_size if stride is None or stride == [] else stride
    return _pool1d_via_2d(lambda t, *a: _max_pool(t, 2, *a), input, (1, _tuple(kernel_size, 1)[0]),
                          (1, _tuple(stride, 1)[0]), (0, _tuple(padding, 1)[0]),
                          (1, _tuple(dilation, 1)[0]), ceil_mode)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode)


def _max_pool_fn(with_indices):
    def f(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
        r = with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
        return r if return_indices else r[0]
    f.__name__ = with_indices.__name__.replace('_with_indices', '')
    return f


max_pool1d = _max_pool_fn(max_pool1d_with_indices)
max_pool2d = _max_pool_fn(max_pool2d_with_indices)
max_pool3d = _max_pool_fn(max_pool3d_with_indices)


def _avg_divisor(inn, k, s, p, out, count_include_pad, divisor_override, dtype):
    if divisor_override:
        return dtype.type(divisor_override)
    div = 1
    for i, (n, kk, ss, pp, o) in enumerate(zip(inn, k, s, p, out)):
        start = np.arange(o) * ss - pp
        end = np.minimum(start + kk, n + pp)
        size = end - start
        if not count_include_pad:
            size = np.minimum(end, n) - np.maximum(start, 0)
        div = np.multiply.outer(div, size) if i else size
    return np.asarray(div, dtype=dtype)


def _avg_pool(input, nd, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    x = input._data
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input")
    k, s, p, d, out, pads = _pool_geometry(x.shape, nd, kernel_size, stride, padding, 1, ceil_mode, 'avg')
    lead = x.ndim - nd
    xp = _pad_array(x, pads)
    acc = None
    for idx, sl in _offset_slices(k, s, d, out, lead):
        acc = xp[sl].copy() if acc is None else np.add(acc, xp[sl], out=acc)
    floating = x.dtype.kind == 'f'
    div = _avg_divisor(x.shape[lead:], k, s, p, out, count_include_pad, divisor_override,
                       x.dtype if floating else np.int64)
    y = acc / div if floating else (acc // div).astype(x.dtype)     # integer avg pools truncate
    r = _make(np.asarray(y, dtype=x.dtype), input.dtype, input._device)
    if _grad_on(input):
        def bwd(node, g):   # on arrays: each window spreads its gradient evenly
            gq = g._data / div
            gxp = _zeros_like(xp)
            for idx, sl in _offset_slices(k, s, d, out, lead):
                gxp[sl] += gq
            return (_wrap(np.ascontiguousarray(_crop(gxp, pads)), input),)
        attach(f'AvgPool{nd}DBackward0', bwd, (input,), (r,))
    return r


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    if input.dim() not in (2, 3):
        raise RuntimeError(f"avg_pool1d() Expected 2D or 3D input tensor, but got {list(input.shape)}")
    stride = kernel_size if stride is None or stride == [] else stride
    return _pool1d_via_2d(lambda t, *a: _avg_pool(t, 2, *a), input, (1, _tuple(kernel_size, 1)[0]),
                          (1, _tuple(stride, 1)[0]), (0, _tuple(padding, 1)[0]), ceil_mode,
                          count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    return _avg_pool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    return _avg_pool(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def _adaptive_bounds(n, o):
    i = np.arange(o)
    start = (i * n) // o
    end = -((-(i + 1) * n) // o)
    return start, end


def _adaptive_size(input, output_size, nd):
    if isinstance(output_size, (list, tuple)):
        sz = tuple(output_size)
    else:
        sz = (output_size,) * nd
    sp = input.shape[-nd:]
    return tuple(sp[i] if o is None else int(o) for i, o in enumerate(sz))


def _adaptive_avg(input, output_size, nd):
    out = _adaptive_size(input, output_size, nd)
    if all(o == 1 for o in out):
        return input.mean(tuple(range(-nd, 0)), keepdim=True)     # torch takes the mean here too
    x = input._data
    lead = x.ndim - nd
    plans = []
    y = x
    # separable: average along each spatial dim in turn, gathering window offset by offset
    for i in range(nd):
        ax = lead + i
        n, o = x.shape[ax], out[i]
        start, end = _adaptive_bounds(n, o)
        length = end - start
        shape = [1] * y.ndim
        shape[ax] = o
        acc = None
        for j in range(int(length.max())):
            idx = np.minimum(start + j, n - 1)
            v = np.take(y, idx, axis=ax)
            v = np.where((j < length).reshape(shape), v, 0) if j >= length.min() else v
            acc = v if acc is None else acc + v
        y = acc / length.reshape(shape).astype(x.dtype)
        plans.append((ax, n, start, length, shape))
    r = _make(np.asarray(y, dtype=x.dtype), input.dtype, input._device)
    if _grad_on(input):
        def bwd(node, g):   # on arrays: the adjoint of each separable step, last dim first
            gy = g._data
            for ax, n, start, length, shape in reversed(plans):
                gq = gy / length.reshape(shape).astype(gy.dtype)
                gshape = list(gq.shape)
                gshape[ax] = n
                gx = _zeros_like(gq, tuple(gshape))
                gxm, gqm = np.moveaxis(gx, ax, 0), np.moveaxis(gq, ax, 0)
                for j in range(int(length.max())):
                    sel = j < length
                    np.add.at(gxm, start[sel] + j, gqm[sel])
                gy = gx
            return (_wrap(gy, input),)
        attach(f'AdaptiveAvgPool{nd}DBackward0', bwd, (input,), (r,))
    return r


def adaptive_avg_pool1d(input, output_size):
    if input.dim() not in (2, 3):
        raise RuntimeError(f"adaptive_avg_pool1d(): Expected 2D or 3D tensor, but got {list(input.shape)}")
    return _pool1d_via_2d(lambda t: _adaptive_avg(t, (1, _tuple(output_size, 1)[0]), 2), input)


def adaptive_avg_pool2d(input, output_size):
    if input.dim() < 3:
        raise ValueError("Input dimension should be at least 3")
    return _adaptive_avg(input, output_size, 2)


def adaptive_avg_pool3d(input, output_size):
    if input.dim() < 4:
        raise ValueError("Input dimension should be at least 4")
    return _adaptive_avg(input, output_size, 3)


def _adaptive_max(input, output_size, nd):
    out = _adaptive_size(input, output_size, nd)
    x = input._data
    lead = x.ndim - nd
    bounds = [_adaptive_bounds(x.shape[lead + i], out[i]) for i in range(nd)]
    maxlen = tuple(int((e - s).max()) for s, e in bounds)
    best = arg = None
    floating = x.dtype.kind == 'f'
    for off in np.ndindex(*maxlen):
        v = x
        valid = True
        flat = 0
        for i in range(nd):
            s_, e_ = bounds[i]
            pos = np.minimum(s_ + off[i], x.shape[lead + i] - 1)
            v = np.take(v, pos, axis=lead + i)
            shp = (-1,) + (1,) * (nd - 1 - i)
            valid = valid & (s_ + off[i] < e_).reshape(shp)
            flat = flat * x.shape[lead + i] + pos.reshape(shp)
        if best is None:
            best, arg = v.copy(), np.broadcast_to(flat, v.shape).copy()
            continue
        upd = (v > best) & valid
        if floating:
            upd |= np.isnan(v) & valid
        np.copyto(best, v, where=upd)
        np.copyto(arg, np.broadcast_to(flat, v.shape), where=upd)
    r = _make(best, input.dtype, input._device)
    indices = _make(arg.astype(np.int64), D.int64, input._device)
    if _grad_on(input):
        def bwd(node, g):   # on arrays: scatter-add to each maximum's position
            L = int(np.prod(x.shape[lead:]))
            gx = _zeros_like(x, (int(np.prod(x.shape[:lead], dtype=np.int64)), L))
            go = g._data.reshape(gx.shape[0], -1)
            np.add.at(gx, (np.arange(gx.shape[0])[:, None], arg.reshape(gx.shape[0], -1)), go)
            return (_wrap(gx.reshape(x.shape), input),)
        attach(f'AdaptiveMaxPool{nd}DBackward0', bwd, (input,), (r,))
    return r, indices


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    if input.dim() not in (2, 3):
        raise RuntimeError(f"adaptive_max_pool1d(): Expected 2D or 3D tensor, but got {list(input.shape)}")
    return _pool1d_via_2d(lambda t: _adaptive_max(t, (1, _tuple(output_size, 1)[0]), 2), input)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(input, output_size, 2)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(input, output_size, 3)


def _adaptive_max_fn(with_indices):
    def f(input, output_size, return_indices=False):
        r = with_indices(input, output_size)
        return r if return_indices else r[0]
    f.__name__ = with_indices.__name__.replace('_with_indices', '')
    return f


adaptive_max_pool1d = _adaptive_max_fn(adaptive_max_pool1d_with_indices)
adaptive_max_pool2d = _adaptive_max_fn(adaptive_max_pool2d_with_indices)
adaptive_max_pool3d = _adaptive_max_fn(adaptive_max_pool3d_with_indices)


def _max_unpool(input, indices, nd, kernel_size, stride, padding, output_size):
    k = _tuple(kernel_size, nd)
    s = k if stride is None else _tuple(stride, nd)
    p = _tuple(padding, nd)
    inn = input.shape[-nd:]
    if output_size is None:
        out = tuple((i - 1) * ss - 2 * pp + kk for i, ss, pp, kk in zip(inn, s, p, k))
    else:
        out = tuple(output_size)[-nd:]
    x = input._data
    lead = x.shape[:-nd]
    L = int(np.prod(out))
    M = int(np.prod(lead, dtype=np.int64))
    xf = x.reshape(M, -1)
    idx = indices._data.reshape(M, -1)
    y = _zeros_like(x, (M, L))
    np.put_along_axis(y, idx, xf, axis=1)
    r = _make(y.reshape(lead + out), input.dtype, input._device)
    if _grad_on(input):
        def bwd(node, g):
            return (_wrap(np.take_along_axis(g._data.reshape(M, L), idx, axis=1).reshape(x.shape), input),)
        attach(f'MaxUnpool{nd}DBackward0', bwd, (input,), (r,))
    return r


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(input, indices, 1, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(input, indices, 2, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(input, indices, 3, kernel_size, stride, padding, output_size)


def _lp_pool(input, nd, norm_type, kernel_size, stride, ceil_mode):
    import faketorch
    k = _tuple(kernel_size, nd)
    pool = {1: avg_pool1d, 2: avg_pool2d, 3: avg_pool3d}[nd]
    out = pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (faketorch.sign(out) * faketorch.relu(faketorch.abs(out))).mul(int(np.prod(k))) \
        .pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(input, 1, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(input, 2, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(input, 3, norm_type, kernel_size, stride, ceil_mode)
