"""Spatial functional ops of torch.nn.functional: convolution, pooling, normalization, padding,
upsampling, fold/unfold, pixel shuffle, grid sampling.

Each op is one graph node with torch's grad_fn name. Forward and backward work on the arrays
directly (a backward that needs no double-backward may compute with arrays: noted where so).
Convolution is im2col (one strided view + one reshape copy) and one batched GEMM; pooling loops
only over kernel offsets, never over output positions.
"""
import functools
import itertools
import math
import operator
import sys
import warnings

from .. import _xnp as np
from .. import _autocast as _ac
from .._autocast import state as _acs

from .. import _dtype as D
from .. import _vecmath as V
from .._misc import get_num_threads
from .._tensor import Tensor, _dtype_c10, _make
from ..autograd.grad_mode import state as grad_state
from .._ops._core import attach, kernel_error, needs, requires_grad, same_device
from .._ops.misc import _suggest_memory_format

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

_warned = set()


def _apply_linear(f, f_adj, t, name, adj_name):
    """f(t) for a linear map f on arrays whose adjoint is f_adj. Its gradient is f_adj applied to
    the incoming gradient, recorded the same way, so gradients of any order stay in the graph."""
    y = _make(f(t._data), t.dtype, t._device)
    if _grad_on(t):
        attach(name, lambda node, g: (_apply_linear(f_adj, f, g, adj_name, name),), (t,), (y,))
    return y


def _record_linear(name, adj, lin, input, r, back=None):
    """Record r's node for an op whose derivative at this point is the linear array map `lin`
    (adjoint `adj`): pooling, padding, interpolation, fold/unfold, shuffles. Under create_graph the
    input gradient is itself a node differentiating through `lin`, named `back` (torch's
    ...BackwardBackward0, or the adjoint op's own node where torch's backward calls that op)."""
    back = back or name.replace('Backward0', 'BackwardBackward0')
    attach(name, lambda node, g: (_apply_linear(adj, lin, g, back, name),), (input,), (r,))


def _gather_flat(idx, nd):
    """The linear map v -> v at flat spatial positions idx (max pools' derivative), and its adjoint."""
    def lin(v):
        M = int(np.prod(v.shape[:-nd], dtype=np.int64))
        return np.take_along_axis(v.reshape(M, -1), idx.reshape(M, -1), axis=1).reshape(idx.shape)

    def adj(g, shape):
        M = int(np.prod(shape[:-nd], dtype=np.int64))
        gx = _zeros_like(g, (M, int(np.prod(shape[-nd:]))))
        np.ufunc_at(np.add, gx, (np.arange(M, like=idx)[:, None], idx.reshape(M, -1)), g.reshape(M, -1))
        return gx.reshape(shape)
    return lin, adj


def _record(name, bwd, inputs, outputs):
    """attach() for a node whose backward computes on arrays and is not linear in its input (grid
    sampling): its gradient has no graph of its own, so double backward through it contributes
    nothing; say so once instead of failing silently."""
    def wrapped(node, *grads):
        if grad_state.enabled and name not in _warned:
            _warned.add(name)
            warnings.warn(f"faketorch: {name} computes its gradient outside the autograd graph; "
                          "double backward through it is not supported and contributes zero", stacklevel=2)
        return bwd(node, *grads)
    return attach(name, wrapped, inputs, outputs)


def _tuple(x, n):
    if isinstance(x, (list, tuple)):
        if len(x) == 1 and n > 1:
            return tuple(int(x[0]) for _ in range(n))
        return tuple(int(v) for v in x)
    return (int(x),) * n


def _c_div(a, b):
    """C's integer division, rounding toward zero (torch's size checks are C++)."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _cuda_int(t):
    return t._device.type == 'cuda' and t.dtype._cat < 2


def _wrap(arr, like, dtype=None):
    """A tensor of `like`'s device and dtype (or `dtype`) around arr, cast when NumPy promoted it."""
    dtype = dtype or like.dtype
    if dtype._np is not None and getattr(arr, 'dtype', dtype._np) != dtype._np:
        arr = arr.astype(dtype._np)
    return _make(arr, dtype, like._device)


_grad_on = requires_grad      # any tensor requiring grad, with grad mode on


def _strided(a):
    """as_strided for the array's own library (np is faketorch._xnp: it follows the array)."""
    return np.lib.stride_tricks.as_strided


def _zeros_like(a, shape=None, dtype=None):
    # order='C': zeros_like keeps a's layout (order='K'), and the callers write these buffers through views
    # built from C-order strides (a permuted output gradient made conv1d's input gradient wrong)
    return np.zeros_like(a, shape=shape if shape is not None else a.shape, dtype=dtype or a.dtype, order='C')


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
    nd = len(k)
    if all(kk == ss for kk, ss in zip(k, s)) and all(dd == 1 for dd in d):
        # non-overlapping windows: one transposed copy instead of a loop
        perm = [0, 1]
        for i in range(nd):
            perm += [2 + nd + i, 2 + i]
        blk = cols.transpose(perm).reshape(cols.shape[:2] + tuple(o * kk for o, kk in zip(out, k)))
        res = _zeros_like(cols, cols.shape[:2] + tuple(shape))
        res[(slice(None), slice(None)) + tuple(slice(0, o * kk) for o, kk in zip(out, k))] = blk
        return res
    if out[-1] < 16:
        # short rows make strided adds slow: accumulate with (N, C) innermost instead
        ct = np.ascontiguousarray(cols.transpose(tuple(range(2, 2 + 2 * nd)) + (0, 1)))
        rt = _zeros_like(cols, tuple(shape) + cols.shape[:2])
        for idx, sl in _offset_slices(k, s, d, out, 0):
            rt[sl] += ct[idx]
        return rt.transpose((nd, nd + 1) + tuple(range(nd)))
    res = _zeros_like(cols, cols.shape[:2] + tuple(shape))
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
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {fname}, "
                           f"but got input of size: {list(input.shape)}")
    if input.dim() == nd + 1:
        return input.unsqueeze(0), True
    return input, False


# --- convolution ---------------------------------------------------------------------------------
# torch checks a convolution's arguments in layers: conv{n}d itself (the bias dtype, the input's
# rank), then aten::_convolution (groups, the argument lengths, then check_shape_forward's sign and
# shape rules), then the kernel it picks (oneDNN or a "slow" one, each with its own checks and
# messages). Each layer is one function below, called in that order.

_DIM_WORDS = {2: ('height', 'width'), 3: ('depth', 'height', 'width')}
_ONEDNN_FAILED = ("could not create a primitive descriptor for the {} forward propagation primitive. Run workload "
                  "with environment variable ONEDNN_VERBOSE=all to get additional diagnostic information.")


def _bias_dtype_error(input, bias):
    raise RuntimeError(f"Input type ({_dtype_c10(input.dtype)}) and bias type ({_dtype_c10(bias.dtype)}) should be "
                       "the same")


def _conv_param(v, name, n, nd):
    """stride/padding/dilation/output_padding as n ints: torch's argument parser makes an int nd of
    them (nd: the function's own dims), then aten::_convolution takes one or n."""
    t = [int(e) for e in v] if isinstance(v, (list, tuple)) else [int(v)] * nd
    if len(t) == n:
        return t
    if len(t) == 1:
        return t * n
    raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values to match the "
                       f"convolution dimensions, but got {name}={t}")


def _conv_same_padding(x, weight, stride, dilation, groups, nd):
    """padding='same': torch's checks of it, then each dim's (lo, hi) padding (any odd one extra on
    the right; C division, so a negative dilation gives negative padding)."""
    k = weight.dim()
    if k <= 2:
        raise RuntimeError("weight should have at least three dimensions")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if k != x.dim():
        raise RuntimeError(f"Expected {k}-dimensional input for {k}-dimensional weight{list(weight.shape)}, but got "
                           f"{x.dim()}-dimensional input of size {list(x.shape)} instead")
    s, d = ([int(e) for e in v] if isinstance(v, (list, tuple)) else [int(v)] * nd for v in (stride, dilation))
    for name, v in (('stride', s), ('dilation', d)):
        if len(v) not in (1, k - 2):
            raise RuntimeError(f"{name} cannot broadcast to {k - 2} dimensions")
    if any(v != 1 for v in s):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    pads = []
    for i, kk in enumerate(weight.shape[2:]):
        tot = d[0 if len(d) == 1 else i] * (kk - 1)
        pads.append((_c_div(tot, 2), tot - _c_div(tot, 2)))
    return pads


def _conv_args(x, weight, bias, stride, padding, dilation, groups, transposed, output_padding, nd):
    """aten::_convolution's checks of batched input x, in torch's order; returns the lists of
    strides, (lo, hi) paddings, dilations and output paddings, one per spatial dim."""
    pairs = None
    if isinstance(padding, str):            # only conv{n}d takes one
        if padding == 'same':
            pairs = _conv_same_padding(x, weight, stride, dilation, groups, nd)
        elif padding == 'valid':
            padding = [0]
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    xs, ws = x._data.shape, weight._data.shape
    if pairs:       # torch pads the input by any odd extra first: its messages show that shape
        xs = xs[:2] + tuple(n + hi - lo for n, (lo, hi) in zip(xs[2:], pairs))
    if len(ws) < 3:
        raise RuntimeError("weight should have at least three dimensions")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    n = len(ws) - 2
    s = _conv_param(stride, 'stride', n, nd)
    pads = pairs or [(p, p) for p in _conv_param(padding, 'padding', n, nd)]
    d = _conv_param(dilation, 'dilation', n, nd)
    op = _conv_param(output_padding, 'output_padding', n, nd)
    # check_shape_forward
    if min(map(min, pads)) < 0:
        raise RuntimeError("negative padding is not supported")
    if min(op) < 0:
        raise RuntimeError("negative output_padding is not supported")
    if min(s) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if min(d) < 0:
        raise RuntimeError("dilation should be greater than zero")
    w, g = list(ws), groups
    if len(ws) != len(xs):
        raise RuntimeError(f"Expected {len(w)}-dimensional input for {len(w)}-dimensional weight {w}, but got "
                           f"{len(xs)}-dimensional input of size {list(xs)} instead")
    if w[0] < g:
        raise RuntimeError(f"Given groups={g}, expected weight to be at least {g} at dimension 0, but got weight of "
                           f"size {w} instead")
    if w[0] % g:
        raise RuntimeError(f"Given groups={g}, expected weight to be divisible by {g} at dimension 0, but got weight "
                           f"of size [{w}] instead")
    channels, outs = (w[0], w[1] * g) if transposed else (w[1] * g, w[0])
    if xs[1] != channels:
        raise RuntimeError(f"Given {'transposed=1' if transposed else f'groups={g}'}, weight of size {w}, expected "
                           f"input{list(xs)} to have {channels} channels, but got {xs[1]} channels instead")
    if bias is not None and bias._data.shape != (outs,):
        raise RuntimeError(f"Given {'transposed=1, ' if transposed else ''}weight of size {w}, expected bias to be "
                           f"1-dimensional with {outs} elements, but got bias of size {list(bias.shape)} instead")
    if not transposed and any(i + lo + hi < dd * (kk - 1) + 1 for i, (lo, hi), dd, kk in zip(xs[2:], pads, d, ws[2:])):
        padded = [i + lo + hi for i, (lo, hi) in zip(xs[2:], pads)]
        eff = [dd * (kk - 1) + 1 for kk, dd in zip(ws[2:], d)]
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel "
                           f"size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than actual input size")
    return s, pads, d, op


def _mkldnn_conv(x, weight, groups, s, d):
    """Would torch's CPU convolution of this float32 batched input go to oneDNN? torch's size rule:
    grouped, kernels over 3x3, batches over 1, or inputs over 20480 elements (batch x channels x
    first two spatial sizes), unless the filter is 1x1, unstrided and undilated on one thread with
    a batch under 16."""
    shape, k = x._data.shape, weight._data.shape[-2:]
    if len(s) == 1:                 # a 1-d convolution runs as a 2-d one of height 1
        k = (1, k[-1])
    if k == (1, 1) and shape[0] < 16 and max(s) == min(s) == max(d) == min(d) == 1 and get_num_threads() == 1:
        return False
    return groups > 1 or (k[0] > 3 and k[1] > 3) or shape[0] > 1 or math.prod(shape[:4]) > 20480


def _conv_backend(x, weight, groups, s, d, op, transposed):
    """The kernel torch picks: 'empty' (no batch or no channels), on the CPU 'mkldnn' (oneDNN) or
    'slow' (its own), on a GPU 'cudnn'."""
    shape = x._data.shape
    if shape[0] == 0 or shape[1] == 0:
        return 'empty'
    if 0 in shape:
        shape = list(shape) if len(shape) > 3 else list(shape[:2]) + [1, shape[2]]
        raise RuntimeError(f"Only zero batch or zero channel inputs are supported, but got input shape: {shape}")
    if x._device.type == 'cuda':
        return 'cudnn'
    if x.dtype is D.float32 and not (transposed and any(o >= ss for o, ss in zip(op, s))) and \
            _mkldnn_conv(x, weight, groups, s, d):
        return 'mkldnn'
    return 'slow'


def _per_dim(name, vals, sep=' '):
    """torch's 'name_height: 1 name_width: 2' listing of a 2-d/3-d kernel's argument."""
    return sep.join(f'{name}_{w}: {v}' for w, v in zip(_DIM_WORDS[len(vals)], vals))


def _conv_kernel_checks(backend, x, weight, bias, s, pads, d, op, transposed, groups):
    """The checks of the kernel torch picked, then its dtype rules."""
    if backend == 'empty':
        return
    w, inn = list(weight._data.shape), list(x._data.shape[2:])
    if len(w) == 3:     # torch runs 1-d convolutions as 2-d ones of height 1: its messages show that
        s, d, op, w, inn, pads = [1] + s, [1] + d, [0] + op, w[:2] + [1] + w[2:], [1] + inn, [(0, 0)] + pads
    k = w[2:]
    out = transposed and [(i - 1) * ss - lo - hi + dd * (kk - 1) + 1 + o
                          for i, ss, (lo, hi), dd, kk, o in zip(inn, s, pads, d, k, op)]
    if backend == 'cudnn':      # torch checks the types, then cuDNN's arguments, then allocates the output
        _conv_dtype_checks(x, weight, bias, transposed, mkldnn=False)
        if min(d) <= 0:
            raise RuntimeError(f"Dilation must be greater than 0 but got {next(dd for dd in d if dd <= 0)}")
        if transposed:
            _output_padding_check(op, s, d)
            if min(out) < 0:
                full = [x.shape[0], w[1] * groups] + out
                raise RuntimeError(f"Trying to create tensor with negative dimension {min(out)}: {full}")
        return
    if backend == 'mkldnn':     # after its dtype checks, oneDNN's own errors
        _conv_dtype_checks(x, weight, bias, transposed, mkldnn=True)
        if not transposed and min(d) <= 0:
            raise RuntimeError("non-positive dilation is not supported")
        if transposed and min(out) < 0:
            raise RuntimeError("could not construct a memory descriptor using a format tag")
        if transposed and min(d) <= 0 and len(k) == 3:
            raise RuntimeError("dimensions are invalid")
        if min(k) <= 0 or min(d) <= 0:
            raise RuntimeError(_ONEDNN_FAILED.format('deconvolution' if transposed else 'convolution'))
        return
    if backend == 'slow' and not transposed:
        if max(d) != 1 or min(d) != 1:     # slow_conv_dilated{2,3}d
            if min(k) <= 0:
                raise RuntimeError(f"kernel size should be greater than zero, but got {k}")
            if min(d) <= 0:
                raise RuntimeError(f"dilation should be greater than zero, but got {d}")
        elif min(k) <= 0:
            raise RuntimeError("kernel size should be greater than zero, but got" +
                               (' ' + _per_dim('kernel', k) if len(k) == 2 else f": {' x '.join(map(str, k))} (TxHxW)"))
    elif backend == 'slow':     # slow_conv_transpose{2,3}d
        if len(k) == 2 and min(k) <= 0:
            raise RuntimeError(f"kernel size should be greater than zero, but got {_per_dim('kernel', k)}")
        if min(d) <= 0:
            raise RuntimeError(f"dilation should be greater than zero, but got {_per_dim('dilation', d, ', ')}")
        _output_padding_check(op, s, d)
        if weight.numel() == 0:
            what = ("non-empty 2D or 4D weight tensor expected" if len(k) == 2 else "non-empty 5D (n_output_plane x "
                    "n_input_plane x kernel_depth x kernel_height x kernel_width) tensor expected for weight")
            raise RuntimeError(f"{what}, but got: {w}")
    if transposed and min(out) <= 0:
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, inn))}). Calculated output "
                           f"size per channel: ({' x '.join(map(str, out))}). Output size is too small")
    dt = x.dtype
    if dt in D.float8_types:
        raise kernel_error(f'slow_conv_transpose{len(k)}d_out_cpu' if transposed else 'slow_conv2d_cpu'
                           if len(k) < 3 else 'compute_columns3d', dt)
    if dt._cat < 2 and dt is not D.int64:
        # torch's own CPU kernels, before they check the weight's dtype: the transposed and dilated ones
        # have no loops for integer types but int64, the others none for bool and uint16/32/64
        if transposed or max(d) != 1:
            raise kernel_error(f'slow_conv_transpose{len(k)}d_out_cpu' if transposed else 'slow_conv_dilated<>', dt)
        if dt is D.bool or dt in D.BARE_UINTS:
            raise kernel_error('slow_conv2d_cpu' if len(k) == 2 else 'compute_columns3d', dt)
    _conv_dtype_checks(x, weight, bias, transposed, mkldnn=False)


def _output_padding_check(op, s, d):
    if not all(o < ss or o < dd for o, ss, dd in zip(op, s, d)):
        raise RuntimeError("output padding must be smaller than either stride or dilation, but got "
                           f"{_per_dim('output_padding', op)} {_per_dim('stride', s)} {_per_dim('dilation', d)}")


def _conv_dtype_checks(x, weight, bias, transposed, mkldnn):
    if x._device.type == 'cuda':        # torch's check_input_same_type_as_parameters, for cuDNN
        for p, what in ((weight, 'weight'), (bias, 'bias')):
            if p is not None and p.dtype is not x.dtype:
                raise RuntimeError(f"Input type ({D.type_str(x.dtype, x._device)}) and {what} type "
                                   f"({D.type_str(p.dtype, p._device)}) should be the same")
        if _cuda_int(x):                # torch's CUDA convolutions are cuDNN's, floating point only
            raise RuntimeError(f"getCudnnDataTypeFromScalarType() not supported for {D.type_name(x.dtype)}")
        return
    if x.dtype is not weight.dtype:
        if mkldnn:
            raise RuntimeError(f"Input type (torch.{D.type_name(x.dtype)}Tensor) and weight type "
                               f"(torch.{D.type_name(weight.dtype)}Tensor) should be the same or input "
                               "should be a MKLDNN tensor and weight is a dense tensor")
        raise RuntimeError(f"expected scalar type {D.type_name(x.dtype)} but found {D.type_name(weight.dtype)}")
    if bias is not None and bias.dtype is not x.dtype:
        if mkldnn:
            raise RuntimeError(f"Input type (torch.FloatTensor) and bias type (torch.{D.type_name(bias.dtype)}Tensor) "
                               "should be the same or input should be a MKLDNN tensor and bias is a dense tensor")
        if transposed and weight.dim() == 5:        # torch's slow 3-d transposed kernel
            raise RuntimeError(f"expected scalar type {D.type_name(x.dtype)} but found {D.type_name(bias.dtype)}")
        if transposed and not D.can_cast(D.promote_types(x.dtype, bias.dtype), x.dtype):
            raise RuntimeError(f"result type {D.type_name(D.promote_types(x.dtype, bias.dtype))} can't be "
                               f"cast to the desired output type {D.type_name(x.dtype)}")


def _conv_setup(input, weight, bias, stride, padding, dilation, groups, nd, transposed, output_padding=0):
    """All of torch's checks of a convolution's arguments, in its order: returns the batched input,
    whether it was unbatched, the kernel torch would run ('empty' for no batch or no channels) and
    the per-dim strides, (lo, hi) paddings, dilations and output paddings."""
    fname = f'conv_transpose{nd}d' if transposed else f'conv{nd}d'
    same_device(input, weight, bias)
    if bias is not None and bias.dtype is not input.dtype and not transposed and not isinstance(padding, str):
        _bias_dtype_error(input, bias)
    if transposed:      # torch's argument parser, for a positional padding
        if isinstance(padding, str):
            raise TypeError(f"{fname}(): argument 'padding' (position 5) must be tuple of ints, not str")
        for i, e in enumerate(padding if isinstance(padding, (list, tuple)) else ()):
            if not hasattr(e, '__index__'):
                raise TypeError(f"{fname}(): argument 'padding' (position 5) must be tuple of ints, but found "
                                f"element of type {type(e).__name__} at pos {i}")
    x, unbatched = _batchify(input, nd, fname)
    s, pads, d, op = _conv_args(x, weight, bias, stride, padding, dilation, groups, transposed, output_padding, nd)
    backend = _conv_backend(x, weight, groups, s, d, op, transposed)
    _conv_kernel_checks(backend, x, weight, bias, s, pads, d, op, transposed, groups)
    return x, unbatched, backend, s, pads, d, op


class _FlatConv:
    """Stride-1 convolution as one GEMM per group over the flattened padded spatial axes.

    Every kernel tap reads one contiguous run of Lp flat positions of each (channel, image) plane,
    so the im2col copy moves long contiguous rows (short strided rows make NumPy's copy several times
    slower). The run also covers the positions just past each row's last output, which are computed
    and dropped (a W/out-wide row instead of an out-wide one). Columns are channel-major
    (C*K, N*Lp), so forward and both gradients are each one large GEMM."""

    def __init__(self, xp, w, k, s, d, out, G):
        xp = np.ascontiguousarray(xp)
        self.w, self.k, self.d, self.out, self.G = w, k, d, out, G
        N, C = xp.shape[:2]
        self.P = P = xp.shape[2:]
        self.S = S = tuple(int(np.prod(P[i + 1:])) for i in range(len(P)))    # element strides
        self.T = T = int(np.prod(P))
        self.Lp = Lp = sum((o - 1) * st for o, st in zip(out, S)) + 1
        isz = xp.itemsize
        view = _strided(xp)(xp, (C,) + k + (N, Lp), (T * isz,) + tuple(dd * st * isz for dd, st in zip(d, S)) +
                            (C * T * isz, isz), writeable=False)
        self.cols = view.reshape(G, C // G * int(np.prod(k)), N * Lp)          # the one im2col copy
        self.wm = w.reshape(G, w.shape[0] // G, -1)
        self.N, self.C = N, C

    def _outputs(self, a):
        """(N, O, *out) view of an (O, N, Lp) array: the valid positions of every run."""
        isz = a.itemsize
        return _strided(a)(a, (self.N, a.shape[0]) + self.out,
                           (self.Lp * isz, self.N * self.Lp * isz) + tuple(st * isz for st in self.S))

    def forward(self, bias):
        yf = np.matmul(self.wm, self.cols).reshape(-1, self.N, self.Lp)
        if bias is not None:    # on the contiguous GEMM result: one ufunc on the strided view and a broadcast is slower
            np.add(yf, bias.reshape(-1, 1, 1), out=yf)
        return np.ascontiguousarray(self._outputs(yf))

    def set_grad(self, go):
        gz = _zeros_like(go, (go.shape[1], self.N, self.Lp))     # dropped positions get no gradient
        self._outputs(gz)[...] = go
        self.gz = gz.reshape(self.G, -1, self.N * self.Lp)

    def weight_grad(self):
        # the GEMM's inner dimension N*Lp is long and its result small: OpenBLAS is several times
        # faster on a tiny result split into 8 partial sums, and on the orientation with more rows
        gz, cols = self.gz, self.cols
        G, Og, L = gz.shape
        CK = cols.shape[1]
        if Og * CK < 1024 and L % 8 == 0:
            part = np.matmul(gz.reshape(G, Og, 8, -1).transpose(0, 2, 1, 3),
                             cols.reshape(G, CK, 8, -1).transpose(0, 2, 3, 1))
            return part.sum(1).reshape(self.w.shape)
        if CK >= Og:
            return np.matmul(cols, gz.transpose(0, 2, 1)).transpose(0, 2, 1).reshape(self.w.shape)
        return np.matmul(gz, cols.transpose(0, 2, 1)).reshape(self.w.shape)

    def input_grad(self):
        """Padded input gradient: the column gradient summed back tap by tap (col2im on runs)."""
        N, C, Lp = self.N, self.C, self.Lp
        if Lp < 128 and self.gz.__class__ is np.ndarray:     # short runs: NumPy pays a loop call per run
            return self._input_grad_host()
        dcols = np.matmul(self.wm.transpose(0, 2, 1), self.gz).reshape((C,) + self.k + (N, Lp))
        pad = 3 - len(self.k)
        args = (dcols, N, Lp, self.T) + self.k + (1,) * pad + \
            tuple(dd * st for dd, st in zip(self.d, self.S)) + (0,) * pad + \
            (np.empty_like(dcols, shape=(C, N, self.T)),)
        return _col2im_runs(*args).reshape((C, N) + self.P).swapaxes(0, 1)


    def _input_grad_host(self):
        """input_grad with the batch innermost: the output gradient's columns taken position-major
        ((Lp, N), a column permutation: the GEMM gives each element the same bits), so every tap adds
        one contiguous (Lp, N) block per channel onto gx (C, T, N) rather than a short row per image
        and channel; each element sums its taps in the same order as _col2im_runs. The two transposes
        it adds cost more than they save on large planes (NumPy's transposing copies are slow)."""
        N, C, Lp, G = self.N, self.C, self.Lp, self.G
        gz = np.ascontiguousarray(self.gz.reshape(G, -1, N, Lp).swapaxes(2, 3)).reshape(G, -1, Lp * N)
        d = np.matmul(self.wm.transpose(0, 2, 1), gz).reshape(C, -1, Lp, N)
        gx = np.empty_like(d, shape=(C, self.T, N))
        gx[:, :Lp] = d[:, 0]       # the first tap's offset is 0
        gx[:, Lp:] = 0
        taps = np.ndindex(*self.k)
        next(taps)
        for i, idx in enumerate(taps, 1):
            off = sum(j * dd * st for j, dd, st in zip(idx, self.d, self.S))
            gx[:, off:off + Lp] += d[:, i]
        return np.moveaxis(gx.reshape((C,) + self.P + (N,)), -1, 0)


def _col2im_runs_host(dcols, N, Lp, T, K0, K1, K2, s0, s1, s2, gx):
    """gx (C, N, T) = the taps of dcols (C, K0, K1, K2, N, Lp) added at their offsets, tap by tap."""
    d = dcols.reshape(dcols.shape[0], K0, K1, K2, N, Lp)
    gx[:, :, :Lp] = d[:, 0, 0, 0]       # the first tap's offset is 0
    gx[:, :, Lp:] = 0
    for a, b, e in itertools.islice(np.ndindex(K0, K1, K2), 1, None):
        off = a * s0 + b * s1 + e * s2
        gx[:, :, off:off + Lp] += d[:, a, b, e]
    return gx


# on a GPU, one gathering kernel instead of a launch or three per tap (same order of additions)
_col2im_runs = np.Kernel(
    'col2im_runs', 'raw T d, int64 N, int64 Lp, int64 L, int64 K0, int64 K1, int64 K2, int64 s0, int64 s1, '
    'int64 s2', 'T gx', """
    const ptrdiff_t t = i % L, cn = i / L, n = cn % N, c = cn / N, K = K0 * K1 * K2;
    T acc = 0;
    ptrdiff_t k = 0;
    for (ptrdiff_t a = 0; a < K0; a++)
        for (ptrdiff_t b = 0; b < K1; b++)
            for (ptrdiff_t e = 0; e < K2; e++, k++) {
                const ptrdiff_t u = t - (a * s0 + b * s1 + e * s2);
                if (u >= 0 && u < Lp) acc += d[((c * K + k) * N + n) * Lp + u];
            }
    gx = acc;""", _col2im_runs_host)


class _BatchConv:
    """Strided convolution: im2col of each image's windows and one batched GEMM."""

    def __init__(self, xp, w, k, s, d, out, G):
        N, C = xp.shape[:2]
        self.xp_shape, self.w, self.k, self.s, self.d, self.out, self.G = xp.shape, w, k, s, d, out, G
        K, L = int(np.prod(k)), int(np.prod(out))
        self.cols = _windows(xp, k, s, d, out).reshape(N, G, C // G * K, L)   # the one im2col copy
        self.wm = w.reshape(G, w.shape[0] // G, C // G * K)
        self.N, self.C, self.L = N, C, L

    def forward(self, bias):
        y = np.matmul(self.wm, self.cols).reshape((self.N, -1) + self.out)
        if bias is not None:
            y += bias.reshape((-1,) + (1,) * len(self.out))
        return y

    def set_grad(self, go):
        self.go = go.reshape(self.N, self.G, -1, self.L)

    def weight_grad(self):
        # cols @ go^T summed over the batch is the faster of the two GEMM orientations
        return np.ascontiguousarray(np.matmul(self.cols, self.go.transpose(0, 1, 3, 2)).sum(0)
                                    .transpose(0, 2, 1)).reshape(self.w.shape)

    def input_grad(self):
        dcols = np.matmul(self.wm.transpose(0, 2, 1), self.go).reshape((self.N, self.C) + self.k + self.out)
        return _col2im(dcols, self.xp_shape[2:], self.k, self.s, self.d, self.out)


def _saves(node):
    """Mark a node whose backward closure holds its inputs' arrays as one that saved tensors, as torch's
    does: backward through it again after the graph was freed (no retain_graph) raises torch's error."""
    if node is not None:        # None: recorded nothing (inference mode)
        node._saved, node._had_saved = (), True


def _channels_last(y):
    """The 4-d array y laid out channels-last (NHWC in memory), same values."""
    return np.ascontiguousarray(y.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)


def _like_input_layout(y, x):
    """torch's batch/group norm, pooling, upsampling and constant pad write their 4-d output in
    the input's suggested memory format: channels-last in, channels-last out."""
    return _channels_last(y) if y.ndim == 4 and _suggest_memory_format(x) == 'channels_last' else y


def _conv_layout(y, x, w):
    """torch's 2-d convolutions (plain and transposed) write channels-last output when the input
    or the weight is channels-last (UNet scripts check is_contiguous(memory_format=channels_last))."""
    if y.ndim == 4 and 'channels_last' in (_suggest_memory_format(x), _suggest_memory_format(w)):
        return _channels_last(y)
    return y


def _complex_conv(conv, input, weight, bias):
    """A complex convolution as torch computes it, from three real ones (Gauss's trick): with
    a = conv(xr, wr, br), b = conv(xi, wi), c = conv(xr + xi, wr + wi, br + bi) it is a - b + i(c - a - b),
    so its values round and its history (AddBackward0 on top) reads as torch's."""
    xr, xi, wr, wi = input.real, input.imag, weight.real, weight.imag
    br = None if bias is None else bias.real
    a = conv(xr, wr, br)
    b = conv(xi, wi, None)
    c = conv(xr + xi, wr + wi, None if bias is None else br + bias.imag)
    return a - b + 1j * (c - a - b)


def _convnd(input, weight, bias, stride, padding, dilation, groups, nd):
    if _acs.cpu is not None:       # a fast-dtype op under CPU autocast
        return _ac.run(_convnd, _acs.cpu, (input, weight, bias, stride, padding, dilation, groups, nd))
    x_t, unb, backend, s, pads, d, _ = _conv_setup(input, weight, bias, stride, padding, dilation, groups, nd, False)
    if input.dtype.is_complex and backend != 'empty':
        r = _complex_conv(lambda x, w, b: _convnd(x, w, b, stride, padding, dilation, groups, nd), x_t, weight, bias)
        return r.squeeze(0) if unb else r
    k = tuple(weight.shape[2:])
    s, d, pads = tuple(s), tuple(d), tuple(pads)
    x, w = x_t._data, weight._data
    N, C = x.shape[:2]
    O = w.shape[0]
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads))
    out = tuple((p - dd * (kk - 1) - 1) // ss + 1 for p, kk, dd, ss in zip(padded, k, d, s))
    if backend == 'empty':      # torch's output for no input channels has no channels either
        return _empty_conv(input, x_t, weight, bias, (N, O if C else 0) + out, unb)
    G = groups
    if bias is not None and bias.dtype is not input.dtype:     # the slow kernels cast it
        bias = bias.to(input.dtype)
    xp = _pad_array(x, pads)
    # stride 1 runs flat, except for a weight gradient without an input gradient (a first layer): the
    # batch layout's weight gradient reads the output gradient as it is, where flat pads it first
    flat = all(ss == 1 for ss in s) and (input._requires_grad or not _grad_on(weight))
    conv = (_FlatConv if flat else _BatchConv)(xp, w, k, s, d, out, G)
    r = _make(_conv_layout(conv.forward(None if bias is None else bias._data), x, w), input.dtype, input._device)
    if _grad_on(input, weight, bias):
        # backward computes on arrays; under create_graph it is rebuilt from differentiable convolutions
        def bwd(node, g):
            if grad_state.enabled:
                return _conv_backward_graph(node, g, x_t, weight, bias, s, pads, d, G, nd)
            cx = input.dtype.is_complex     # W^H g = conj(W^T conj(g)), and likewise X^H g
            conv.set_grad(np.conj(g._data) if cx else g._data)
            gi = gw = gb = None
            if needs(node, 0):
                a = _crop(conv.input_grad(), pads)
                gi = _wrap(_conv_layout(np.ascontiguousarray(np.conj(a) + 0 if cx else a), x, w), input)  # + 0: no -0j
            if needs(node, 1):
                a = conv.weight_grad()
                gw = _wrap(np.conj(a) if cx else a, weight)
            if bias is not None and needs(node, 2):
                gb = _wrap(g._data.sum(axis=(0,) + tuple(range(2, 2 + nd))), bias)
            return gi, gw, gb
        _saves(attach('ConvolutionBackward0', bwd, (x_t, weight, bias), (r,)))
    return r.squeeze(0) if unb else r


def _conv_backward_graph(node, g, x, weight, bias, s, pads, d, G, nd):
    """Convolution gradients written with differentiable ops (for create_graph / double backward):
    the input gradient is a transposed convolution, the weight gradient a convolution that swaps the
    roles of batch and channels."""
    conv = (conv1d, conv2d, conv3d)[nd - 1]
    convT = (conv_transpose1d, conv_transpose2d, conv_transpose3d)[nd - 1]
    k = tuple(weight.shape[2:])
    out = tuple(g.shape[2:])
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads))
    flat_pads = [v for lo, hi in reversed(pads) for v in (lo, hi)]
    gi = gw = gb = None
    if needs(node, 0):
        op = tuple(p - ((o - 1) * ss + dd * (kk - 1) + 1) for p, o, ss, dd, kk in zip(padded, out, s, d, k))
        full = convT(g, weight.conj(), None, s, 0, op, G, d)     # conj: a no-op for real weights
        gi = pad(full, [-v for v in flat_pads]) if any(flat_pads) else full
    if needs(node, 1):
        xp = pad(x, flat_pads) if any(flat_pads) else x
        xp = xp.conj()
        Cg, Og = weight.shape[1], weight.shape[0] // G
        parts = []
        for gi_ in range(G):
            xs = xp[:, gi_ * Cg:(gi_ + 1) * Cg].transpose(0, 1)         # (Cg, N, *padded)
            gs = g[:, gi_ * Og:(gi_ + 1) * Og].transpose(0, 1)          # (Og, N, *out)
            r = conv(xs, gs, None, d, 0, s)                             # (Cg, Og, >= k)
            r = r[(slice(None), slice(None)) + tuple(slice(0, kk) for kk in k)]
            parts.append(r.transpose(0, 1))
        import faketorch
        gw = parts[0] if G == 1 else faketorch.cat(parts, 0)
    if bias is not None and needs(node, 2):
        gb = g.sum((0,) + tuple(range(2, 2 + nd)))
    return _as_double_backward_node((gi, gw, gb))


def _as_double_backward_node(grads):
    """Present graph-built gradients as torch does: outputs of one ConvolutionBackwardBackward0 node."""
    live = [t for t in grads if t is not None and t._requires_grad]
    if not live:
        return grads
    outs = [_make(t._data, t.dtype, t._device) for t in live]
    def bwd(node, *gs):     # an output nobody used arrives as None: pass zeros on
        return tuple(g if g is not None else _make(np.zeros_like(t._data), t.dtype, t._device)
                     for g, t in zip(gs, live))
    attach('ConvolutionBackwardBackward0', bwd, tuple(live), tuple(outs))
    it = iter(outs)
    return tuple(next(it) if t is not None and t._requires_grad else t for t in grads)


def _conv_transpose_backward_graph(node, g, x, weight, bias, s, p, d, G, nd):
    conv = (conv1d, conv2d, conv3d)[nd - 1]
    k = tuple(weight.shape[2:])
    gi = gw = gb = None
    if needs(node, 0):
        gi = conv(g, weight.conj(), None, s, p, d, G)      # conj: a no-op for real weights
        if tuple(gi.shape[2:]) != tuple(x.shape[2:]):       # output_padding's extra rows reach no input
            gi = gi[(slice(None), slice(None)) + tuple(slice(0, n) for n in x.shape[2:])]
    if needs(node, 1):
        gp = pad(g, [v for pp in reversed(p) for v in (pp, pp)]) if any(p) else g
        Cg, Og = weight.shape[0] // G, weight.shape[1]
        parts = []
        for gi_ in range(G):
            gs = gp[:, gi_ * Og:(gi_ + 1) * Og].transpose(0, 1)         # (Og, N, *full)
            xs = x[:, gi_ * Cg:(gi_ + 1) * Cg].transpose(0, 1).conj()   # (Cg, N, *in)
            r = conv(gs, xs, None, d, 0, s)                             # (Og, Cg, >= k)
            parts.append(r[(slice(None), slice(None)) + tuple(slice(0, kk) for kk in k)].transpose(0, 1))
        import faketorch
        gw = parts[0] if G == 1 else faketorch.cat(parts, 0)
    if bias is not None and needs(node, 2):
        gb = g.sum((0,) + tuple(range(2, 2 + nd)))
    return _as_double_backward_node((gi, gw, gb))


def _empty_conv(input, x, weight, bias, shape, unbatched):
    """torch's output for a convolution of no batch or no channels: empty, still a graph node."""
    for i, n in enumerate(shape):
        if n < 0:
            raise RuntimeError(f"invalid shape dimension {n} at index {i} of shape {list(shape)}")
    r = _make(np.zeros_like(x._data, shape=shape), input.dtype, input._device)
    if _grad_on(x, weight, bias):
        attach('ConvolutionBackward0', lambda node, g: (
            x.new_zeros(x.shape), weight.new_zeros(weight.shape), None if bias is None else bias.new_zeros(bias.shape)),
            (x, weight, bias), (r,))
    return r.squeeze(0) if unbatched else r


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 2)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 3)


def _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, nd):
    if _acs.cpu is not None:
        return _ac.run(_conv_transposend, _acs.cpu, (input, weight, bias, stride, padding, output_padding, groups,
                                                      dilation, nd))
    x_t, unb, backend, s, pads, d, op = _conv_setup(input, weight, bias, stride, padding, dilation, groups, nd, True,
                                                    output_padding)
    if input.dtype.is_complex and backend != 'empty':
        r = _complex_conv(lambda x, w, b: _conv_transposend(x, w, b, stride, padding, output_padding, groups,
                                                            dilation, nd), x_t, weight, bias)
        return r.squeeze(0) if unb else r
    k = tuple(weight.shape[2:])
    s, d, op, p = tuple(s), tuple(d), tuple(op), tuple(lo for lo, _ in pads)
    x, w = x_t._data, weight._data
    N, C = x.shape[:2]
    G = groups
    Og = w.shape[1]
    O = Og * G
    inn = x.shape[2:]
    full = tuple((i - 1) * ss + dd * (kk - 1) + 1 + o for i, ss, dd, kk, o in zip(inn, s, d, k, op))
    out = tuple(f - 2 * pp for f, pp in zip(full, p))
    if backend == 'empty' or min(out) == 0:     # an empty output: only cuDNN's path gets here with one
        return _empty_conv(input, x_t, weight, bias, (N, O) + out, unb)
    K = int(np.prod(k))
    Lin = int(np.prod(inn))
    xm = x.reshape(N, G, C // G, Lin)
    wm = w.reshape(G, C // G, Og * K)
    cols = np.matmul(wm.transpose(0, 2, 1), xm).reshape((N, O) + k + inn)
    pads = tuple((pp, pp) for pp in p)
    y = np.ascontiguousarray(_crop(_col2im(cols, full, k, s, d, inn), pads))
    if bias is not None:
        y += bias._data.reshape((O,) + (1,) * nd)
    r = _make(_conv_layout(y, x, w), input.dtype, input._device)
    if _grad_on(input, weight, bias):
        def bwd(node, g):   # on arrays, like conv's (differentiable ops under create_graph)
            if grad_state.enabled:
                return _conv_transpose_backward_graph(node, g, x_t, weight, bias, s, p, d, G, nd)
            # torch's slow 3-d transposed kernel sums in an order that depends on MKL's GEMM kernels;
            # summing in float64 and casting back leaves (nearly) only torch's own rounding error
            acc = np.float64 if nd == 3 and x.dtype == np.float32 else x.dtype
            gp = _pad_array(g._data, pads)
            gcols = _windows(gp, k, s, d, inn).reshape(N, G, Og * K, Lin).astype(acc, copy=False)
            gi = gw = gb = None
            cx = x.dtype.kind == 'c'        # conjugate transposes, as for any product
            if needs(node, 0):
                gi = np.matmul(np.conj(wm) if cx else wm.astype(acc, copy=False), gcols).reshape(x.shape)
                gi = _wrap(gi.astype(x.dtype, copy=False), input)
            if needs(node, 1):
                gw = np.matmul(np.conj(xm) if cx else xm.astype(acc, copy=False), gcols.transpose(0, 1, 3, 2)).sum(0)
                gw = _wrap(gw.reshape(w.shape).astype(x.dtype, copy=False), weight)
            if bias is not None and needs(node, 2):     # the bias may have another dtype: it was cast
                gb = g._data.sum(axis=(0,) + tuple(range(2, 2 + nd)))
                gb = _wrap(gb.astype(bias._data.dtype, copy=False), bias)
            return gi, gw, gb
        _saves(attach('ConvolutionBackward0', bwd, (x_t, weight, bias), (r,)))
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

def _pool_output_size(n, k, p, s, d, ceil_mode):
    """One dim's output size (torch's pooling_output_shape), after its three argument checks."""
    if s == 0:
        raise RuntimeError("stride should not be zero")
    if p < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
    if p > _c_div((k - 1) * d + 1, 2):
        raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                           f"kernel_size={k} and dilation={d}")
    o = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (o - 1) * s >= n + p:      # the last window must start inside the input
        o -= 1
    return o


def _no_stride(stride):
    return stride is None or (isinstance(stride, (list, tuple)) and not stride)


def _pool_args(fname, nd, kernel_size, stride, padding, dilation):
    """The 2-d/3-d pools' arguments as nd-tuples: each one int or nd ints (a stride None or empty
    is the kernel size), else torch's error naming the argument."""
    word, either = {2: 'two', 3: 'three'}[nd], '' if fname == 'avg_pool3d' else 'either '

    def expand(v, name, rule):
        t = tuple(v) if isinstance(v, (list, tuple)) else (v,)
        if len(t) not in (1, nd):
            raise RuntimeError(f"{fname}: {name} must {rule}, or a tuple of {word} ints")
        return tuple(int(x) for x in t) * (nd if len(t) == 1 else 1)
    k = expand(kernel_size, 'kernel_size', f'{either}be a single int')
    s = k if _no_stride(stride) else expand(stride, 'stride', f'{either}be omitted, a single int')
    return k, s, expand(padding, 'padding', f'{either}be a single int'), \
        expand(dilation, 'dilation', 'be either a single int')


_POOL_AXES = {2: 'HW', 3: 'THW'}


def _pool_shape_check(shape, nd, fname, k, s, p, d, out, device):
    """torch's pool2d_shape_check / pool3d_shape_check, run once every output size is known."""
    ax = _POOL_AXES[nd]
    got = lambda pre, vals: ' '.join(f'{pre}{a}: {v}' for a, v in zip(ax, vals))
    if min(k) <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got {got('k', k)}")
    if min(s) <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got {got('d', s)}")
    if min(d) <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got {got('dilation', d)}")
    if nd == 2:
        if 0 in shape[len(shape) - 3:] or len(shape) not in (3, 4):
            raise RuntimeError("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for "
                               f"input, but got:{list(shape)}")
    else:
        where = 'avg_pool3d()' if fname == 'avg_pool3d' else \
            f'max_pool3d_with_indices_out_{device.type}_template()'
        if 0 in shape[-4:]:
            raise RuntimeError(f"{where}: Expected input's non-batch dimensions to have positive length, but "
                               f"input has a shape of {list(shape)} and non-batch dimension 0 has length zero!")
        if fname == 'avg_pool3d' and any(n < kk for n, kk in zip(shape[-3:], k)):
            raise RuntimeError(f"input image ({got('', shape[-3:])}) smaller than kernel size ({got('k', k)})")
    if any(kk // 2 < pp for kk, pp in zip(k, p)):
        pairs = (f"padW = {p[1]}, padH = {p[0]}, kW = {k[1]}, kH = {k[0]}" if nd == 2 else
                 f"kT: {k[0]} kW: {k[2]} kH: {k[1]} padT: {p[0]} padW: {p[2]} padH: {p[1]}")
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got {pairs}")
    if min(out) < 1:
        plane = (shape[-nd - 1],)
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, plane + tuple(shape[-nd:])))}). Calculated "
                           f"output size: ({'x'.join(map(str, plane + out))}). Output size is too small")


def _pool_geometry(input, nd, fname, kernel_size, stride, padding, dilation, ceil_mode, divisor_override=None):
    """The 2-d/3-d max and avg pools' checks in torch's order; returns k, s, p, d, the output sizes
    and each dim's (lo, hi) padding that puts every window inside the padded input."""
    k, s, p, d = _pool_args(fname, nd, kernel_size, stride, padding, dilation)
    shape = tuple(input.shape)
    if fname != 'avg_pool2d' and len(shape) not in (nd + 1, nd + 2):
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if len(shape) < 3:          # avg_pool2d reads size(-3) first
        raise IndexError("Dimension specified as -3 but tensor has no dimensions" if not shape else
                         f"Dimension out of range (expected to be in range of [{-len(shape)}, {len(shape) - 1}], "
                         "but got -3)")
    inn = shape[-nd:]
    out = tuple(_pool_output_size(*a, ceil_mode) for a in zip(inn, k, p, s, d))
    _pool_shape_check(shape, nd, fname, k, s, p, d, out, input._device)
    _pool_dtype_check(input, fname)
    pads = tuple((pp, max(0, (o - 1) * ss + dd * (kk - 1) + 1 - i - pp))
                 for i, kk, ss, pp, dd, o in zip(inn, k, s, p, d, out))
    return k, s, p, d, out, pads


# each pool kernel's name in torch's "not implemented" error and the dtypes it has loops for; on
# CUDA they are floating point only
_POOL_KERNELS = {
    'max_pool1d': ('max_pool1d_impl', lambda dt: dt.is_floating_point),
    'max_pool2d': ('max_pool2d', lambda dt: not dt.is_complex and dt is not D.bool and dt not in D.BARE_UINTS),
    'max_pool3d': ('max_pool3d', lambda dt: not dt.is_complex and dt is not D.bool and dt not in D.BARE_UINTS),
    'avg_pool2d': ('avg_pool2d', lambda dt: dt.is_floating_point or dt is D.int64),
    'avg_pool3d': ('avg_pool3d_out_frame', lambda dt: dt in (D.float32, D.float64, D.int64)),
}
_CUDA_POOL = {'max_pool2d': 'max_pool2d_with_indices_out_cuda_frame', 'max_pool3d': 'max_pool3d_with_indices_out_frame',
              'avg_pool2d': 'avg_pool2d_out_cuda_frame', 'avg_pool3d': 'avg_pool3d_out_cuda'}


def _pool_dtype_check(input, fname):
    name, has_loop = _POOL_KERNELS[fname]
    if input._device.type == 'cuda':
        name, has_loop = _CUDA_POOL.get(fname, name), lambda dt: dt.is_floating_point
    if not has_loop(input.dtype) or input.dtype in D.float8_types:
        raise NotImplementedError(f'"{name}" not implemented for \'{D.type_name(input.dtype)}\'')


def _one(v):
    return int(v[0]) if isinstance(v, (list, tuple)) else int(v)


def _pool1d_args(input, fname, **args):
    """The checks of torch's 1-d pools that run as 2-d pools (checkDimRange, check1d)."""
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for argument "
                           f"#1 'self' (while checking arguments for {fname})")
    for name, v in args.items():
        n = len(v) if isinstance(v, (list, tuple)) else 1
        if n != 1:
            raise RuntimeError(f"{fname}() argument '{name}' should contain one int (got {n})")


# what max_pool1d says each argument must be (torch's commas differ between them)
_MAX_POOL1D_SIZE = {
    'kernel_size': 'an int, list of ints or tuple of ints',
    'stride': 'None, an int, list of ints, or tuple of ints',
    'padding': 'an int, list of ints, or tuple of ints',
    'dilation': 'an int, list of ints or tuple of ints',
}


def _check_max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode):
    """torch's own checks of max_pool1d without indices (it runs a 1-d kernel, not the 2-d one)."""
    shape = tuple(input.shape)
    if len(shape) not in (2, 3) or 0 in shape[-2:]:
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
                           f"for input, but got:{list(shape)}")
    args = dict(kernel_size=kernel_size, stride=kernel_size if _no_stride(stride) else stride, padding=padding,
                dilation=dilation)
    for name, v in args.items():
        n = len(v) if isinstance(v, (list, tuple)) else 1
        if n != 1:
            raise RuntimeError(f"max_pool1d() {name} must be {_MAX_POOL1D_SIZE[name]} of size 1 but got size {n}")
    k, s, p, d = (_one(v) for v in args.values())
    if k <= 0:
        raise RuntimeError(f"max_pool1d() kernel_size must be greater than zero, but got {k}")
    if s <= 0:
        raise RuntimeError(f"max_pool1d() stride must be greater than zero, but got {s}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got padding={p} and "
                           f"kernel_size={k}")
    if d <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d}")
    o = _pool_output_size(shape[-1], k, p, s, d, ceil_mode)
    if o <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {o}")


def _lowest(dt):
    return -np.inf if dt.kind in 'fc' else np.iinfo(dt).min


def _max_pool(input, nd, kernel_size, stride, padding, dilation, ceil_mode, with_indices=True):
    if input.is_quantized:      # the max of the integers is the integer of the max
        from .._quantized import on_ints
        return on_ints(_max_pool, input, nd, kernel_size, stride, padding, dilation, ceil_mode, with_indices)
    x = input._data
    k, s, p, d, out, pads = _pool_geometry(input, nd, f'max_pool{nd}d', kernel_size, stride, padding, dilation,
                                           ceil_mode)
    lead = x.ndim - nd
    xp = _pad_array(x, pads, _lowest(x.dtype))
    views = None if _is_2x2(x, k, s, d, pads) else [xp[sl] for _, sl in _offset_slices(k, s, d, out, lead)]
    if views is None:
        best = _max2x2_gpu(x, x.shape[-1], np.empty_like(x, shape=x.shape[:-2] + tuple(out))) \
            if _max2x2_gpu.ready(x) else _max2x2(x)
    else:
        best = views[0].copy()
        for v in views[1:]:
            np.maximum(best, v, out=best)       # NaN propagates, as in torch
    r = _make(_like_input_layout(best, x), input.dtype, input._device)
    need_grad = _grad_on(input)
    arg = None

    def argmax():
        """Window offset of each maximum: torch keeps the first maximum, or the last NaN."""
        nonlocal views
        if views is None:
            views = [xp[sl] for _, sl in _offset_slices(k, s, d, out, lead)]
        a = np.zeros_like(best, dtype=np.int16 if len(views) < 32000 else np.int64)
        for j in range(len(views) - 1, -1, -1):
            np.copyto(a, j, where=views[j] == best)
        if x.dtype.kind == 'f' and np.isnan(best).any():
            for j, v in enumerate(views):
                np.copyto(a, j, where=np.isnan(v))
        return a
    def flat_indices(a):
        kidx = np.unravel_index(a, k)
        flat = 0
        for i in range(nd):
            o = np.arange(out[i], like=a).reshape((-1,) + (1,) * (nd - 1 - i)) * s[i] - p[i]
            flat = flat * x.shape[lead + i] + (o + kidx[i] * d[i])
        return np.ascontiguousarray(np.broadcast_to(flat, a.shape), dtype=np.int64)
    indices = None
    if with_indices:
        arg = argmax()
        indices = _make(_like_input_layout(flat_indices(arg), x), D.int64, input._device)
    if need_grad:
        disjoint = all(kk <= ss for kk, ss in zip(k, s)) and all(dd == 1 for dd in d)

        tiled = disjoint and all(kk == ss for kk, ss in zip(k, s)) and not any(lo or hi for lo, hi in pads) \
            and all(o * kk == n for o, kk, n in zip(out, k, x.shape[lead:]))

        def adj(go):        # the gradient goes to each window's maximum
            if tiled and arg is None and (_max2x2_grad_gpu.ready(x) and tuple(k) == (2, 2) and x.dtype == go.dtype
                                          or not (x.dtype.kind == 'f' and np.isnan(best).any())):
                # (the GPU's 2x2 kernel finds NaN maxima itself: no isnan(best).any() sync)
                return _tiled_max_grad(x, best, go, k, out, lead)
            a = arg if arg is not None else argmax()
            gxp = _zeros_like(xp)
            for j, (idx, sl) in enumerate(_offset_slices(k, s, d, out, lead)):
                if disjoint:        # every input position lies in one window at most
                    np.multiply(go, a == j, out=gxp[sl])
                else:
                    gxp[sl] += go * (a == j)
            return np.ascontiguousarray(_crop(gxp, pads))

        def lin(v):         # double backward: each window's maximum position, read from v
            idx = indices._data if indices is not None else flat_indices(argmax())
            return _gather_flat(idx, nd)[0](v)
        _record_linear(f'MaxPool{nd}DWithIndicesBackward0', adj, lin, input, r)
    return r, indices


def _is_2x2(x, k, s, d, pads):
    """The common 2x2 / stride-2 pool over even rows and columns of a C-contiguous array, with its
    own fast kernels."""
    return tuple(k) == (2, 2) and tuple(s) == (2, 2) and tuple(d) == (1, 1) and \
        not any(lo or hi for lo, hi in pads) and x.shape[-1] % 2 == 0 and x.shape[-2] % 2 == 0 and \
        sys.byteorder == 'little' and (isinstance(x, np.ndarray) or _max2x2_gpu.ready(x) and x.flags.c_contiguous)


def _rep2(a):
    """a (..., n) -> (M, 2n) rows: each element twice, written as two long strided runs."""
    r = np.empty_like(a, shape=(a.size, 2))
    f = a.reshape(-1)
    r[:, 0] = f
    r[:, 1] = f
    return r.reshape(-1, 2 * a.shape[-1])


def _max2x2(x):
    """2x2 / stride-2 max pool: the maximum of each row pair, then of each column pair (a strided
    view's short rows cost NumPy a loop call each; this keeps the loops long)."""
    H, W = x.shape[-2:]
    x3 = x.reshape(-1, 2, W)
    rows = np.maximum(x3[:, 0], x3[:, 1]).reshape(-1, 2)
    return np.maximum(rows[:, 0], rows[:, 1]).reshape(x.shape[:-2] + (H // 2, W // 2))


# on a GPU, one kernel: np.maximum's order (row pairs, then column pairs; a NaN wins)
_max2x2_gpu = np.Kernel('max2x2', 'raw T x, int64 W', 'T y', """
    const ptrdiff_t r = i / (W / 2), c = i - r * (W / 2), base = 2 * r * W + 2 * c;
    const T a = x[base], b = x[base + 1], u = x[base + W], v = x[base + W + 1];
    const T c0 = (a >= u || a != a) ? a : u, c1 = (b >= v || b != b) ? b : v;
    y = (c0 >= c1 || c0 != c0) ? c0 : c1;""", lambda x, W, y: _max2x2(x))


def _max2x2_grad(x, best, go):
    """2x2/stride-2 max-pool gradient: compare each window row with the column-doubled maxima, keep
    the first maximum of each window (torch's scan order) with uint16 ops on column pairs, then
    multiply by the column-doubled gradient."""
    W = x.shape[-1]
    x3 = x.reshape(-1, 2, W)
    b = _rep2(best)
    top, bot = x3[:, 0] == b, x3[:, 1] == b
    t16, b16 = top.view(np.uint16), bot.view(np.uint16)     # a window row's two columns (little-endian)
    t16 &= ~((t16 & 1) << 8)        # first column has it: clear the second
    b16 &= ~((b16 & 1) << 8)
    b16 *= t16 == 0                 # top row has it: clear the bottom row
    g = _rep2(go)
    r = np.empty_like(x, shape=x3.shape)
    # products on contiguous rows, then one copy into each strided half (a ufunc writing the
    # strided half directly runs ~4x slower: NumPy's loop restarts every W elements)
    r[:, 0] = top.astype(x.dtype) * g
    r[:, 1] = bot.astype(x.dtype) * g
    return r.reshape(x.shape)


def _max2x2_grad_host(x, best, go, H, W, gx):
    """The kernel below in NumPy: _max2x2_grad, where a window's maximum is NaN its last NaN."""
    if not np.isnan(best).any():
        return _max2x2_grad(x, best, go)
    win = np.ascontiguousarray(x.reshape(-1, H // 2, 2, W // 2, 2).transpose(0, 1, 3, 2, 4)).reshape(-1, 4)
    b = best.reshape(-1)
    first = np.where(np.isnan(b), 3 - np.argmax(np.isnan(win[:, ::-1]), 1), np.argmax(win == b[:, None], 1))
    g = np.where(np.arange(4, like=first) == first[:, None], go.reshape(-1, 1), 0).astype(x.dtype)
    return np.ascontiguousarray(g.reshape(-1, H // 2, W // 2, 2, 2).transpose(0, 1, 3, 2, 4)).reshape(x.shape)


# on a GPU, one kernel: each element takes the gradient if it is its window's first maximum (or,
# where the maximum is NaN, its last NaN: torch's scan keeps a later NaN)
_max2x2_grad_gpu = np.Kernel('max2x2_grad', 'raw T x, raw T best, raw T go, int64 H, int64 W', 'T gx', """
    const ptrdiff_t w = i % W, hw = i / W, h = hw % H, p = hw / H, h0 = h - (h & 1), w0 = w - (w & 1);
    const ptrdiff_t o = (p * (H / 2) + h0 / 2) * (W / 2) + w0 / 2, base = (p * H + h0) * W + w0;
    const T b = best[o];
    const T x0 = x[base], x1 = x[base + 1], x2 = x[base + W], x3 = x[base + W + 1];
    const int first = b != b ? (x3 != x3 ? 3 : x2 != x2 ? 2 : x1 != x1 ? 1 : 0)
                             : (x0 == b ? 0 : x1 == b ? 1 : x2 == b ? 2 : x3 == b ? 3 : -1);
    gx = first == (h - h0) * 2 + (w - w0) ? go[o] : (T)0;""", _max2x2_grad_host)


def _tiled_max_grad(x, best, go, k, out, lead):
    """Max-pool gradient when windows tile the input exactly: work window-major so every mask op runs
    on contiguous arrays (strided views with short rows are several times slower)."""
    if tuple(k) == (2, 2) and x.shape[-1] % 2 == 0 and sys.byteorder == 'little':
        if _max2x2_grad_gpu.ready(x) and x.dtype == go.dtype:
            return _max2x2_grad_gpu(x, best, go, x.shape[-2], x.shape[-1], np.empty_like(x, order='C'))
        return _max2x2_grad(x, best, go)
    nd = len(k)
    split = x.shape[:lead] + tuple(v for o, kk in zip(out, k) for v in (o, kk))
    perm = tuple(lead + 2 * i + 1 for i in range(nd)) + tuple(range(lead)) + \
        tuple(lead + 2 * i for i in range(nd))
    K = int(np.prod(k))
    xw = np.ascontiguousarray(x.reshape(split).transpose(perm)).reshape((K,) + best.shape)
    gw = np.empty_like(xw)
    rem = None
    for j in range(K):          # the first maximum of each window takes the gradient
        m = xw[j] == best
        if rem is not None:
            m &= rem
        np.multiply(go, m, out=gw[j])
        if j < K - 1:
            rem = ~m if rem is None else rem & ~m
    return np.ascontiguousarray(gw.reshape(tuple(k) + best.shape).transpose(tuple(np.argsort(perm).tolist()))).reshape(x.shape)


def _pool1d_via_2d(fn, input, *args):
    """torch runs the 1-d pools as 2-d pools over an unsqueezed input (hence SqueezeBackward1)."""
    res = fn(input.unsqueeze(-2), *args)
    if isinstance(res, tuple):
        return tuple(t.squeeze(-2) for t in res)
    return res.squeeze(-2)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    stride = kernel_size if _no_stride(stride) else stride
    _pool1d_args(input, 'max_pool1d', kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation)
    return _pool1d_via_2d(lambda t, *a: _max_pool(t, 2, *a), input, (1, _one(kernel_size)), (1, _one(stride)),
                          (0, _one(padding)), (1, _one(dilation)), ceil_mode)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode)


def _max_pool_fn(with_indices, nd):
    def f(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
        if return_indices:
            return with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
        if nd == 1:     # torch's 1-d kernel, with its own checks; floating point only on the CPU
            _check_max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)
            if input._device.type != 'cuda' and not _grad_on(input):    # else torch runs the 2-d kernel
                _pool_dtype_check(input, 'max_pool1d')
            return with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)[0]
        return _max_pool(input, nd, kernel_size, stride, padding, dilation, ceil_mode, False)[0]
    f.__name__ = with_indices.__name__.replace('_with_indices', '')
    return f


max_pool1d = _max_pool_fn(max_pool1d_with_indices, 1)
max_pool2d = _max_pool_fn(max_pool2d_with_indices, 2)
max_pool3d = _max_pool_fn(max_pool3d_with_indices, 3)


def _avg_divisor(inn, k, s, p, out, count_include_pad, divisor_override, dtype):
    if divisor_override is not None:
        return np.dtype(dtype).type(divisor_override)
    div = 1
    for i, (n, kk, ss, pp, o) in enumerate(zip(inn, k, s, p, out)):
        start = np.arange(o) * ss - pp
        end = np.minimum(start + kk, n + pp)
        size = end - start
        if not count_include_pad:
            size = np.minimum(end, n) - np.maximum(start, 0)
        div = np.multiply.outer(div, size) if i else size
    return np.asarray(div, dtype=dtype)


def _trunc_div(a, b):
    # integer avg pools divide as C does: rounding toward zero, not floor
    q = a // b
    return q + ((a % b != 0) & ((a < 0) != (b < 0)))


def _avg_pool(input, nd, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    if input.is_quantized:
        from .._quantized import via_float
        return via_float(_avg_pool, input, nd, kernel_size, stride, padding, ceil_mode, count_include_pad,
                         divisor_override)
    x = input._data
    k, s, p, d, out, pads = _pool_geometry(input, nd, f'avg_pool{nd}d', kernel_size, stride, padding, 1, ceil_mode,
                                           divisor_override)
    lead = x.ndim - nd
    floating = x.dtype.kind == 'f'
    xc = x.astype(np.float32) if x.dtype == np.float16 else x     # torch sums half in float, rounds once
    div = _avg_divisor(x.shape[lead:], k, s, p, out, count_include_pad, divisor_override,
                       xc.dtype if floating else np.int64)
    div = np.asarray_on(div, x) if isinstance(div, np.ndarray) else div

    def window_sums(a):
        ap = _pad_array(a, pads)
        acc = None
        for idx, sl in _offset_slices(k, s, d, out, lead):
            acc = ap[sl].copy() if acc is None else np.add(acc, ap[sl], out=acc)
        return acc
    acc = window_sums(xc)
    y = acc / div if floating else _trunc_div(acc, div).astype(x.dtype)
    r = _make(_like_input_layout(np.asarray(y, dtype=x.dtype), x), input.dtype, input._device)
    if _grad_on(input):
        def adj(g):         # each window spreads its gradient evenly
            gq = g / div
            gxp = _zeros_like(g, g.shape[:lead] + tuple(n + lo + hi for n, (lo, hi) in
                                                        zip(x.shape[lead:], pads)))
            for idx, sl in _offset_slices(k, s, d, out, lead):
                gxp[sl] += gq
            return np.ascontiguousarray(_crop(gxp, pads))
        _record_linear(f'AvgPool{nd}DBackward0', adj, lambda v: window_sums(v) / div, input, r)
    return r


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    stride = kernel_size if _no_stride(stride) else stride
    _pool1d_args(input, 'avg_pool1d', kernel_size=kernel_size, stride=stride, padding=padding)
    return _pool1d_via_2d(lambda t, *a: _avg_pool(t, 2, *a), input, (1, _one(kernel_size)), (1, _one(stride)),
                          (0, _one(padding)), ceil_mode, count_include_pad, None)


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


def _list_with_default(out_size, defaults):
    """torch.nn.functional's own step for the 2-d/3-d adaptive pools: None entries of output_size
    take the input's size."""
    if isinstance(out_size, int):
        return out_size
    if len(defaults) <= len(out_size):
        raise ValueError(f"Input dimension should be at least {len(out_size) + 1}")
    return [d if v is None else v for v, d in zip(out_size, defaults[-len(out_size):])]


def _output_size_arg(fname, v, n):
    """torch's argument parser for output_size (an int list, an int standing for n of them)."""
    if not isinstance(v, (list, tuple)):
        try:
            return [operator.index(v)] * n
        except TypeError:
            raise TypeError(f"{fname}(): argument 'output_size' (position 2) must be tuple of ints, not "
                            f"{type(v).__name__}") from None
    for i, e in enumerate(v):
        if not hasattr(e, '__index__'):
            raise TypeError(f"{fname}(): argument 'output_size' (position 2) must be tuple of ints, but found element "
                            f"of type {type(e).__name__} at pos {i}")
    return [operator.index(e) for e in v]


def _adaptive_nonempty(input, name, first):
    """torch's check that the dims from `first` on are not empty (the avg 2-d pool allows empty channels)."""
    for i in range(first, input.dim()):
        if input.shape[i] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch dimensions, but "
                               f"input has sizes {list(input.shape)} with dimension {i} being empty")


# the adaptive pools' CPU kernels: the name in torch's "not implemented" error (floating point only)
_ADAPTIVE_KERNEL = {('avg', 2): 'adaptive_avg_pool2d', ('avg', 3): 'adaptive_avg_pool3d_cpu',
                    ('max', 2): 'adaptive_max_pool2d', ('max', 3): 'adaptive_max_pool3d_cpu'}


def _adaptive_dtype_check(input, kind, nd):
    if not input.dtype.is_floating_point:
        raise kernel_error(_ADAPTIVE_KERNEL[kind, nd], input.dtype, input._device)


def _negative_dim_check(shape):
    """The error of torch's allocation of an output of this shape."""
    for n in shape:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {list(shape)}")


def _empty_pool(input, shape, name, with_indices=False, backward=None):
    """A pool's output with no elements (an output size of 0): still a graph node. `backward`:
    torch's backward kernel, which refuses a gradient with an empty non-batch dim."""
    r = _make(np.zeros_like(input._data, shape=shape), input.dtype, input._device)

    def adj(g):
        if backward and 0 in g.shape[1:]:
            raise RuntimeError(f"{backward}(): Expected grad_output to have non-zero size for non-batch dimensions, "
                               f"but grad_output has sizes {list(g.shape)} with dimension "
                               f"{g.shape.index(0, 1)} being empty")
        return _zeros_like(input._data)
    if _grad_on(input):
        _record_linear(name, adj, lambda v: _zeros_like(v, shape), input, r)
    if with_indices:
        return r, _make(np.zeros_like(input._data, shape=shape, dtype=np.int64), D.int64, input._device)
    return r


def _adaptive_avg(input, output_size, nd):
    if input.is_quantized:
        from .._quantized import via_float
        return via_float(_adaptive_avg, input, output_size, nd)
    name = f'adaptive_avg_pool{nd}d'
    out = tuple(_output_size_arg(name, output_size, nd))
    if len(out) != nd:
        raise RuntimeError(f"{name}: output_size must be {nd}")
    if min(out) < 0:        # torch prints the 3-d one's third size without a space
        got = ', '.join(map(str, out[:2])) + ''.join(f',{o}' for o in out[2:])
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 but received {{{got}}}")
    if all(o == 1 for o in out):
        return input.mean(tuple(range(-nd, 0)), keepdim=True)     # torch takes the mean here too
    if nd == 3:
        _adaptive_nonempty(input, name + ('_cuda' if input._device.type == 'cuda' else ''), 1)
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got {list(input.shape)}")
    if nd == 2:
        _adaptive_nonempty(input, name, input.dim() - 2)
    if 0 in out or input.numel() == 0:
        return _empty_pool(input, tuple(input.shape[:-nd]) + out, f'AdaptiveAvgPool{nd}DBackward0',
                           backward=f'{name}_backward')
    _adaptive_dtype_check(input, 'avg', nd)
    x = input._data
    lead = x.ndim - nd
    plans = []
    for i in range(nd):
        ax = lead + i
        start, end = (np.asarray_on(b, x) for b in _adaptive_bounds(x.shape[ax], out[i]))
        shape = [1] * x.ndim
        shape[ax] = out[i]
        plans.append((ax, x.shape[ax], start, end - start, shape))

    def apply(y):
        # separable: average along each spatial dim in turn, gathering window offset by offset
        for ax, n, start, length, shape in plans:
            acc = None
            for j in range(int(length.max())):
                v = np.take(y, np.minimum(start + j, n - 1), axis=ax)
                v = np.where((j < length).reshape(shape), v, 0) if j >= length.min() else v
                acc = v if acc is None else acc + v
            y = acc / length.reshape(shape).astype(y.dtype)
        return y
    # half averaged in float and rounded once, as torch's kernel
    r = _make(_like_input_layout(np.asarray(apply(x.astype(np.float32) if x.dtype == np.float16 else x), dtype=x.dtype), x),
              input.dtype, input._device)
    if _grad_on(input):
        def adj(gy):        # the adjoint of each separable step, last dim first
            for ax, n, start, length, shape in reversed(plans):
                gq = gy / length.reshape(shape).astype(gy.dtype)
                gshape = list(gq.shape)
                gshape[ax] = n
                gx = _zeros_like(gq, tuple(gshape))
                gxm, gqm = np.moveaxis(gx, ax, 0), np.moveaxis(gq, ax, 0)
                for j in range(int(length.max())):
                    sel = j < length
                    np.ufunc_at(np.add, gxm, start[sel] + j, gqm[sel])
                gy = gx
            return gy
        _record_linear(f'AdaptiveAvgPool{nd}DBackward0', adj, apply, input, r)
    return r


def adaptive_avg_pool1d(input, output_size):
    out = _output_size_arg('adaptive_avg_pool1d', output_size, 1)
    _pool1d_args(input, 'adaptive_avg_pool1d', output_size=out)
    return _pool1d_via_2d(lambda t: _adaptive_avg(t, (1, out[0]), 2), input)


def adaptive_avg_pool2d(input, output_size):
    return _adaptive_avg(input, _list_with_default(output_size, input.shape), 2)


def adaptive_avg_pool3d(input, output_size):
    return _adaptive_avg(input, _list_with_default(output_size, input.shape), 3)


def _adaptive_max(input, output_size, nd):
    name = f'adaptive_max_pool{nd}d'
    out = tuple(_output_size_arg(name, output_size, nd))
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: {list(input.shape)}")
    _adaptive_nonempty(input, name, 1)
    if len(out) != nd:
        raise RuntimeError(f"{name}(): internal error: output_size.size() must be {nd}")
    shape = tuple(input.shape[:-nd]) + out
    _negative_dim_check(shape)
    _adaptive_dtype_check(input, 'max', nd)
    if 0 in out or input.numel() == 0:
        return _empty_pool(input, shape, f'AdaptiveMaxPool{nd}DBackward0', with_indices=True,
                           backward=f'{name}_backward')
    x = input._data
    lead = x.ndim - nd
    bounds = [tuple(np.asarray_on(b, x) for b in _adaptive_bounds(x.shape[lead + i], out[i]))
              for i in range(nd)]
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
    r = _make(_like_input_layout(best, x), input.dtype, input._device)
    indices = _make(_like_input_layout(arg.astype(np.int64), x), D.int64, input._device)
    if _grad_on(input):
        lin, adj = _gather_flat(indices._data, nd)     # the gradient goes to each maximum's position
        _record_linear(f'AdaptiveMaxPool{nd}DBackward0', lambda g: adj(g, x.shape), lin, input, r)
    return r, indices


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    out = _output_size_arg('adaptive_max_pool1d', output_size, 1)
    _pool1d_args(input, 'adaptive_max_pool1d', output_size=out)
    _adaptive_nonempty(input, 'adaptive_max_pool1d', 1)
    return _pool1d_via_2d(lambda t: _adaptive_max(t, (1, out[0]), 2), input)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(input, _list_with_default(output_size, input.shape), 2)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(input, _list_with_default(output_size, input.shape), 3)


def _adaptive_max_fn(with_indices):
    def f(input, output_size, return_indices=False):
        r = with_indices(input, output_size)
        return r if return_indices else r[0]
    f.__name__ = with_indices.__name__.replace('_with_indices', '')
    return f


adaptive_max_pool1d = _adaptive_max_fn(adaptive_max_pool1d_with_indices)
adaptive_max_pool2d = _adaptive_max_fn(adaptive_max_pool2d_with_indices)
adaptive_max_pool3d = _adaptive_max_fn(adaptive_max_pool3d_with_indices)


def _ntuple(x, n):
    """torch.nn.functional's _single/_pair/_triple: a sequence as it is, else n copies."""
    return tuple(x) if isinstance(x, (list, tuple)) else (x,) * n


def _unpool_output_size(input, k, s, p, output_size):
    """torch.nn.functional's own output size of max_unpool: the default one, or output_size (its
    last dims) when it lies within a stride of the default."""
    n = len(k)
    default = [(input.shape[-n + i] - 1) * s[i] + k[i] - 2 * p[i] for i in range(n)]
    ret = default
    if output_size is not None:
        if len(output_size) == n + 2:
            output_size = output_size[2:]
        if len(output_size) != n:
            raise ValueError(f"output_size should be a sequence containing {n} or {n + 2} elements, but it has a "
                             f"length of '{len(output_size)}'")
        for i in range(n):
            lo, hi = default[i] - s[i], default[i] + s[i]
            if not lo < output_size[i] < hi:
                raise ValueError(f'invalid output_size "{output_size}" (dim {i} must be between {lo} and {hi})')
        ret = output_size
    for i in range(n):
        if ret[i] < 0:
            raise ValueError("max_unpooling: output_size must contain non-negative spatial dimensions, but got "
                             f"output_size[{i}]={ret[i]}")
    return list(ret)


def _max_unpool(input, indices, nd, out, s=None, p=None):
    """torch's max_unpool2d / max_unpool3d (s, p: the 3-d one's stride and padding, only checked)."""
    name = f'max_unpooling{nd}d'
    cuda = input._device.type == 'cuda'
    if indices.dtype is not D.int64:
        raise RuntimeError("elements in indices should be type int64" +
                           (f" but got: {D.type_name(indices.dtype)}" if nd == 2 or cuda else ''))
    words = {2: 'two elements (height, width)', 3: 'three elements (depth, height, width)'}[nd]
    if nd == 2 and len(out) != 2:
        raise RuntimeError(f"There should be exactly {words} in output_size, but got {len(out)} elements.")
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Input to {name} should be a {nd + 1}d or {nd + 2}d Tensor, but got a tensor with "
                           f"{input.dim()} dimensions.")
    if nd == 3:
        for what, v in (('output_size', out), ('stride', s), ('padding', p)):
            if len(v) != 3:
                raise RuntimeError(f"There should be exactly {words} in {what}, but got{':' if v is not out else ''} "
                                   f"{len(v)} elements.")
    if tuple(input.shape) != tuple(indices.shape):
        if cuda and nd == 2:
            raise RuntimeError(f"Expected shape of indices to be: {list(input.shape)} but got: {list(indices.shape)}")
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({list(input.shape)}) "
                           f"but got indices tensor with shape: {list(indices.shape)}")
    for i in range(1, input.dim()):
        if input.shape[i] == 0:
            raise RuntimeError(f"{name}_forward_out_cpu(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but got {list(input.shape)} with dimension {i} being empty.")
    if nd == 3 and min(s) <= 0:
        raise RuntimeError(f"strides should be greater than zero, but got stride: {list(s)}")
    x, out = input._data, tuple(out)
    lead = x.shape[:-nd]
    L = math.prod(out)
    M = math.prod(lead)
    if M * L == 0:
        return _empty_pool(input, lead + out, f'MaxUnpool{nd}DBackward0')
    if not input.dtype.is_floating_point and not (cuda and input.dtype._cat == 1):    # CUDA's has integer loops
        raise NotImplementedError(f'"max_unpool{nd}d" not implemented for \'{D.type_name(input.dtype)}\'')
    idx = indices._data.reshape(M, -1)
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= L):
        # torch's threads race to record an invalid index; on one thread it is the last one
        bad = idx.reshape(-1)[np.flatnonzero((idx.reshape(-1) < 0) | (idx.reshape(-1) >= L))[-1]]
        raise RuntimeError(f"Found an invalid max index: {int(bad)} (output volumes are of size "
                           f"{'x'.join(map(str, out))})")

    def unpool(a):
        y = _zeros_like(a, (M, L))
        np.put_along_axis(y, idx, a.reshape(M, -1), axis=1)
        return y.reshape(lead + out)
    r = _make(unpool(x), input.dtype, input._device)
    if _grad_on(input):
        def adj(g):
            return np.take_along_axis(g.reshape(M, L), idx, axis=1).reshape(x.shape)
        _record_linear(f'MaxUnpool{nd}DBackward0', adj, unpool, input, r)
    return r


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    # torch runs the 2-d kernel on an unsqueezed view (so the grad_fn is SqueezeBackward1)
    k = _ntuple(kernel_size, 1)
    s = k if stride is None else _ntuple(stride, 1)
    out = _unpool_output_size(input, k, s, _ntuple(padding, 1), output_size)
    return _max_unpool(input.unsqueeze(-1), indices.unsqueeze(-1), 2, out + [1]).squeeze(-1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    k = _ntuple(kernel_size, 2)
    s = k if stride is None else _ntuple(stride, 2)
    return _max_unpool(input, indices, 2, _unpool_output_size(input, k, s, _ntuple(padding, 2), output_size))


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    k = _ntuple(kernel_size, 3)
    s, p = k if stride is None else _ntuple(stride, 3), _ntuple(padding, 3)
    return _max_unpool(input, indices, 3, _unpool_output_size(input, k, s, p, output_size), s, p)


def _lp_pool(input, nd, norm_type, kernel_size, stride, ceil_mode):
    import faketorch
    k = _tuple(kernel_size, nd)
    if norm_type in (math.inf, -math.inf):
        mp = {1: max_pool1d, 2: max_pool2d, 3: max_pool3d}[nd]
        if norm_type > 0:
            return mp(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        return -mp(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
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


# --- normalization -------------------------------------------------------------------------------

def _opmath(x):
    """torch computes half-precision normalizations in float32 and rounds the result once."""
    return x.astype(np.float32) if x.dtype == np.float16 else x


def _norm_dtypes(input, *params, any_device=False):
    """torch's CPU normalization dtype rules: the parameters have the input's dtype, or are all
    float32 for a half or bfloat16 input; each mismatch has its own wording. group_norm checks
    them on any device (any_device)."""
    ps = [p for p in params if p is not None]
    if not ps or (input._device.type != 'cpu' and not any_device):
        return
    first = ps[0].dtype
    mixed = first is D.float32 and input.dtype in (D.float16, D.bfloat16)
    if first is not input.dtype and not mixed:
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype." if first is D.float32
                           else "mixed dtype (CPU): expect parameter to have scalar type of Float")
    for p in ps[1:]:
        if p.dtype is not first:
            raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float" if mixed
                               else f"expected scalar type {D.type_name(first)} but found {D.type_name(p.dtype)}")


def _cuda_norm_dtypes(input, *params, float_ok=False):
    """torch's CUDA normalization kernels read each parameter as the input's dtype (batch norm's also
    as float32 for a half or bfloat16 input: float_ok)."""
    if input._device.type != 'cuda':
        return
    ok = (input.dtype, D.float32) if float_ok and input.dtype in (D.float16, D.bfloat16) else (input.dtype,)
    for p in params:
        if p is not None and p.dtype not in ok:
            raise RuntimeError(f"expected scalar type {D.type_name(input.dtype)} but found {D.type_name(p.dtype)}")


def _no_int_kernel(input, kernel, bool_ok=False):
    if not (input.dtype.is_floating_point or input.dtype.is_complex or bool_ok and input.dtype is D.bool):
        raise kernel_error(kernel, input.dtype, input._device)


def _moments(x, axes):
    mean = x.mean(axis=axes, keepdims=True)
    xc = x - mean
    var = np.mean(xc * xc, axis=axes, keepdims=True)
    return mean, var, xc


def _norm_backward_graph(node, g, x, weight, bias, stat_shape, axes, wshape, w_axes, eps, const=None):
    """Normalization gradients in differentiable tensor ops (used under create_graph). Statistics are
    taken over `axes` of x viewed as `stat_shape`; const=(mean, invstd) arrays for running statistics."""
    xv = x.reshape(stat_shape)
    if const is None:
        xc = xv - xv.mean(axes, keepdim=True)
        invstd = ((xc * xc).mean(axes, keepdim=True) + eps).rsqrt()
    else:
        xc = xv - _wrap(const[0], x)
        invstd = _wrap(const[1], x)
    xhat_v = xc * invstd
    xhat = xhat_v.reshape(x.shape)
    gxhat = g * weight.reshape(wshape) if weight is not None else g
    gi = gw = gb = None
    if needs(node, 0):
        gv = gxhat.reshape(stat_shape)
        if const is None:
            gi = invstd * (gv - gv.mean(axes, keepdim=True) - xhat_v * (gv * xhat_v).mean(axes, keepdim=True))
        else:
            gi = gv * invstd
        gi = gi.reshape(x.shape)
    def reduce(t):      # sum over no axes is no sum (a tensor's sum(()) would take them all)
        return t.sum(w_axes) if w_axes else t
    if weight is not None and needs(node, 1):
        gw = reduce(g * xhat)
    if bias is not None and needs(node, 2):
        gb = reduce(g)
    return gi, gw, gb


def _norm_input_grad(gxhat, xhat, invstd, axes, count):
    """d/dx of (x - mean) * invstd with batch statistics over `axes`."""
    dt = gxhat.dtype.type
    s1 = gxhat.sum(axis=axes, keepdims=True)
    s2 = (gxhat * xhat).sum(axis=axes, keepdims=True)
    return (invstd / dt(count)) * (dt(count) * gxhat - s1 - xhat * s2)


def _bshape(x):
    return (1, -1) + (1,) * (x.ndim - 2)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-05):
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    x = _opmath(input._data)
    C = x.shape[1] if x.ndim > 1 else 1
    if training:
        size = int(np.prod(x.shape, dtype=np.int64)) // max(C, 1)
        if size == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{input.shape}")
    elif running_mean is None:
        raise RuntimeError("running_mean must be defined in evaluation mode")
    if x.size == 0:     # torch skips every check and keeps the graph connected
        out = input.clone()
        if weight is not None:
            out = out * weight[0]
        return out + bias[0] if bias is not None else out
    if x.ndim == 1:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    for nm, t in (('running_mean', running_mean), ('running_var', running_var), ('weight', weight),
                  ('bias', bias)):
        if t is not None and t.numel() != C:
            raise RuntimeError(f"{nm} should contain {C} elements not {t.numel()}")
    _no_int_kernel(input, 'batch_norm')
    _norm_dtypes(input, weight, bias, running_mean, running_var)
    _cuda_norm_dtypes(input, weight, bias, running_mean, running_var, float_ok=True)
    axes = (0,) + tuple(range(2, x.ndim))
    bs = _bshape(x)
    dt = x.dtype.type
    stats = _batch_stats_cpu(x, eps) if training else None
    if stats is not None:
        mean, invstd, var_sum = stats
        xc = x - mean
        n = x.size // C
        m = dt(momentum)
        if running_mean is not None:    # torch: momentum * mean + (1 - momentum) * running, in x's dtype
            r = running_mean._data
            r[...] = (m * mean.reshape(C) + (dt(1) - m) * r.astype(x.dtype)).astype(r.dtype)
            running_mean._vc[0] += 1
        if running_var is not None:     # the unbiased variance in x's dtype, the sum in double
            r = running_var._data
            unbiased = (var_sum / dt(max(n - 1, 1))).astype(np.float64)
            r[...] = (float(m) * unbiased + ((dt(1) - m) * r.astype(x.dtype)).astype(np.float64)).astype(r.dtype)
            running_var._vc[0] += 1
    elif training:
        mean, var, xc = _moments(x, axes)
        invstd = 1 / np.sqrt(var + dt(eps))
        n = x.size // C
        if running_mean is not None:
            m = dt(momentum)
            running_mean._data[...] = (1 - m) * running_mean._data + m * mean.reshape(C).astype(
                running_mean._data.dtype)
            running_mean._vc[0] += 1
        if running_var is not None:
            m = dt(momentum)
            unbiased = var.reshape(C) * (n / max(n - 1, 1))
            running_var._data[...] = (1 - m) * running_var._data + m * unbiased.astype(running_var._data.dtype)
            running_var._vc[0] += 1
    else:
        mean = running_mean._data.reshape(bs).astype(x.dtype)
        invstd = 1 / np.sqrt(running_var._data.reshape(bs).astype(x.dtype) + dt(eps))
        xc = x - mean
    xhat = xc * invstd
    fma = V.fused(x) if _dense(x) else None
    if fma is not None and all(t is None or t._data.dtype == x.dtype for t in (weight, bias)):
        # torch's CPU kernel for a contiguous (or channels-last) input: alpha = invstd * weight,
        # beta = bias - mean * alpha, y = x * alpha + beta, the last two each one fused multiply-add;
        # other layouts take its TensorIterator fallback, the plain formula below
        alpha = invstd * weight._data.reshape(bs) if weight is not None else invstd
        beta = fma(-mean, alpha, bias._data.reshape(bs)) if bias is not None else -mean * alpha
        y = fma(x, alpha, beta)
    else:
        y = xhat * weight._data.reshape(bs) if weight is not None else xhat.copy()
        if bias is not None:
            y += bias._data.reshape(bs)
    r = _wrap(y, input)
    if _grad_on(input, weight, bias):
        def bwd(node, g):   # on arrays (torch's fused formula); tensor ops under create_graph
            if grad_state.enabled:
                return _norm_backward_graph(node, g, input, weight, bias, x.shape, axes, bs, axes, eps,
                                            None if training else (mean, invstd))
            go = g._data
            gxhat = go * weight._data.reshape(bs) if weight is not None else go
            gi = gw = gb = None
            if needs(node, 0):
                gi = _norm_input_grad(gxhat, xhat, invstd, axes, x.size // C) if training \
                    else gxhat * invstd
                gi = _wrap(gi, input)
            if weight is not None and needs(node, 1):
                gw = _wrap((go * xhat).sum(axis=axes), weight)
            if bias is not None and needs(node, 2):
                gb = _wrap(go.sum(axis=axes), bias)
            return gi, gw, gb
        _saves(attach('CudnnBatchNormBackward0' if _cudnn_batch_norm(input, running_mean, running_var, weight, bias,
                                                                     training, eps) else 'NativeBatchNormBackward0',
                      bwd, (input, weight, bias), (r,)))
    return r


# torch's layer_norm/batch_norm statistics are reproduced bit for bit on inputs up to 65,536 elements
# (V.reproduces; channels-last batch_norm up to _STATS_ROWS rows, summed one row at a time) or with
# FAKETORCH_EXACT_FLOAT32=1; larger inputs take NumPy's vectorised sums (last bits differ)
_STATS_ROWS = 2048


def _batch_stats_cpu(x, eps):
    """batch_norm's training statistics as torch's CPU kernels sum them, for a contiguous or
    channels-last float32/float64 NumPy input: (mean, invstd) shaped for broadcasting, and the
    per-channel sum of squared deviations; None where they do not apply.
    Contiguous: per channel, sums in double in memory order. Channels-last (and (N, C)): each
    thread sums its block of rows in x's dtype (the squared deviations one fused multiply-add a
    row), the blocks are added in double. The variance sum is rounded to x's dtype, divided by
    n there, and invstd = 1 / sqrt(var + eps) is taken in double."""
    fma = V.fused(x)
    if fma is None or not _dense(x) or not V.reproduces(x.size):
        return None
    C = x.shape[1]
    n = x.size // C
    dt = x.dtype.type
    f64 = np.float64
    if x.flags.c_contiguous and x.size // (x.shape[0] * C) > 1:      # NCHW: one channel at a time
        xc = np.moveaxis(x, 1, 0).reshape(C, n)
        mean = (np.cumsum(xc, 1, dtype=f64)[:, -1] / n).astype(x.dtype)
        d = xc - mean[:, None]
        var_sum = np.cumsum(d * d, 1, dtype=f64)[:, -1].astype(x.dtype)
    else:
        rows = np.moveaxis(x, 1, -1).reshape(n, C)
        nt = get_num_threads()
        if not V.reproduces(n, _STATS_ROWS):
            return None
        if n <= nt:     # torch's path for as few rows as threads: the mean summed in double, one block
            mean = (np.cumsum(rows, 0, dtype=f64)[-1] / n).astype(x.dtype)
            step = n
        else:
            step = -(-n // nt)      # at::parallel_for's blocks
            mean = sum((np.cumsum(rows[b:b + step], 0)[-1].astype(f64) for b in range(0, n, step)),
                       np.zeros(C, f64))
            mean = (mean / n).astype(x.dtype)
        d = rows - mean
        var_sum = np.zeros(C, f64)
        for b in range(0, n, step):
            acc = np.zeros(C, x.dtype)
            for r in d[b:b + step]:
                acc = fma(r, r, acc)
            var_sum += acc
        var_sum = var_sum.astype(x.dtype)
    invstd = (1 / np.sqrt((var_sum / dt(n)).astype(f64) + eps)).astype(x.dtype)
    bs = _bshape(x)
    return mean.reshape(bs), invstd.reshape(bs), var_sum


def _dense(x):
    """Whether an array is C-contiguous or channels-last (3-d or 4-d spatial) contiguous."""
    return x.flags.c_contiguous or (x.ndim in (4, 5) and np.moveaxis(x, 1, -1).flags.c_contiguous)


def _cudnn_batch_norm(input, running_mean, running_var, weight, bias, training, eps):
    """Whether torch's CUDA batch_norm picks cuDNN (its conditions on dtypes, rank, batch size and eps)."""
    from ..backends import cudnn
    stats = (running_mean is None) == (running_var is None) and (running_mean is not None or training)
    return (input._device.type == 'cuda' and cudnn.enabled and weight is not None and bias is not None and stats
            and input.dim() >= 3 and eps >= 1e-5 and D.bfloat16 not in (input.dtype, weight.dtype)
            and (input.dtype is not D.float16 or weight.dtype is D.float32)
            and input.shape[0] <= (880801 if training else 65535))


def _layer_norm_xhat(x, mean, invstd):
    """x-hat as torch's weight gradient forms it: fma(rstd, x, -rstd * mean) in float32, so that a
    row of one element gives torch's rounding residue rather than an exact zero."""
    if x.dtype != np.float32:
        return (x - mean) * invstd
    b = (-invstd * mean).astype(np.float64)
    return (invstd.astype(np.float64) * x + b).astype(np.float32)


def _layer_norm_host(x, w, b, D, eps, hasw, hasb, nk, y, mean, invstd):
    axes = tuple(range(x.ndim - nk, x.ndim))
    m, var, xc = _moments(x, axes)
    mean[...], invstd[...] = m, 1 / np.sqrt(var + eps)
    y[...] = xc * invstd * w if hasw else xc * invstd
    if hasb:
        y += b
    return y, mean, invstd


def _layer_norm_bwd_host(go, x, w, mean, invstd, D, hasw, nk, gi, xh):
    gxhat = go * w if hasw else go
    gi[...] = _norm_input_grad(gxhat, (x - mean) * invstd, invstd, tuple(range(x.ndim - nk, x.ndim)), D)
    xh[...] = _layer_norm_xhat(x, mean, invstd)
    return gi, xh


# on a GPU, a thread per row (the normalized elements, contiguous) for the forward and the input
# gradient, sums in double; the backward also writes x-hat as torch's weight gradient forms it
_layer_norm_rows = np.Kernel('layer_norm_rows', 'raw T x, raw T w, raw T b, int64 D, T eps, int64 hasw, int64 hasb, '
                             'int64 nk', 'raw T y, raw T mean, raw T invstd', """
    const ptrdiff_t o = i * D;
    double s = 0;
    for (ptrdiff_t j = 0; j < D; j++) s += x[o + j];
    const T mu = (T)(s / D);
    double v = 0;
    for (ptrdiff_t j = 0; j < D; j++) { const T c = x[o + j] - mu; v += c * c; }
    const T rs = (T)1 / sqrt((T)(v / D) + eps);
    mean[i] = mu;
    invstd[i] = rs;
    for (ptrdiff_t j = 0; j < D; j++) {
        T h = (x[o + j] - mu) * rs;
        if (hasw) h = h * w[j];
        if (hasb) h = h + b[j];
        y[o + j] = h;
    }""", _layer_norm_host)
_layer_norm_bwd_rows = np.Kernel('layer_norm_bwd_rows', 'raw T go, raw T x, raw T w, raw T mean, raw T invstd, '
                                 'int64 D, int64 hasw, int64 nk', 'raw T gi, raw T xh', """
    const ptrdiff_t o = i * D;
    const T mu = mean[i], rs = invstd[i];
    double s1 = 0, s2 = 0;
    for (ptrdiff_t j = 0; j < D; j++) {
        const T gh = hasw ? go[o + j] * w[j] : go[o + j];
        s1 += gh;
        s2 += gh * ((x[o + j] - mu) * rs);
    }
    const T n = (T)D, t1 = (T)s1, t2 = (T)s2;
    for (ptrdiff_t j = 0; j < D; j++) {
        const T gh = hasw ? go[o + j] * w[j] : go[o + j];
        gi[o + j] = (rs / n) * (n * gh - t1 - ((x[o + j] - mu) * rs) * t2);
        xh[o + j] = fma(rs, x[o + j], -rs * mu);
    }""", _layer_norm_bwd_host)


def _layer_norm_gpu(x, weight, bias, n, k, eps):
    """layer_norm's forward by the kernel above: (x as the kernel read it, C-contiguous; y, mean, invstd),
    or None where it does not apply (NumPy arrays, half precision, parameters of another dtype)."""
    params = [t._data for t in (weight, bias) if t is not None]
    if not (_layer_norm_rows.ready(x) and n and all(p.dtype == x.dtype for p in params)):
        return None
    x = np.ascontiguousarray(x)
    stat = np.empty_like(x, shape=x.shape[:x.ndim - k] + (1,) * k)
    w, b = (t._data if t is not None else x for t in (weight, bias))
    return (x, *_layer_norm_rows(x, w, b, n, x.dtype.type(eps), int(weight is not None), int(bias is not None), k,
                                 np.empty_like(x), stat, np.empty_like(stat), size=x.size // n))


def _layer_norm_moments(x, k):
    """mean, variance (dims kept) and x - mean over the last k dims of x, as layer_norm takes them:
    torch's RowwiseMoments bit for bit on small float32/float64 NumPy inputs (~10x NumPy's cost) or
    when asked (FAKETORCH_EXACT_FLOAT32=1), NumPy's two-pass sums otherwise."""
    n = math.prod(x.shape[x.ndim - k:])
    if V.fused(x) is None or not n or not x.size or not V.reproduces(x.size):
        return _moments(x, tuple(range(x.ndim - k, x.ndim)))
    mean, var = V.rowwise_moments(np.ascontiguousarray(x).reshape(-1, n))
    stat = x.shape[:x.ndim - k] + (1,) * k
    mean = mean.reshape(stat)
    return mean, var.reshape(stat), x - mean


def _norm_shape_checks(input, ns, params, star):
    """torch's checks of layer_norm's and rms_norm's normalized_shape against the affine parameters, then
    the input's trailing sizes (`star` opens the expected shape: rms_norm's message lacks the ', ')."""
    if not ns:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
                           "element, but got normalized_shape = []")
    for nm, t in params:
        if t is not None and tuple(t.shape) != ns:
            raise RuntimeError(f"Expected {nm} to be of same shape as normalized_shape, but got {nm} of shape "
                               f"{list(t.shape)} and normalized_shape = {list(ns)}")
    shape = tuple(input.shape)
    if len(ns) > len(shape) or shape[len(shape) - len(ns):] != ns:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"[{star}{', '.join(map(str, ns))}], but got input of size{list(shape)}")


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    ns = tuple(normalized_shape) if isinstance(normalized_shape, (list, tuple)) else (normalized_shape,)
    x = _opmath(input._data)
    k = len(ns)
    _norm_dtypes(input, weight, bias)
    _norm_shape_checks(input, ns, (('weight', weight), ('bias', bias)), '*, ')
    _no_int_kernel(input, 'LayerNormKernelImpl')
    _cuda_norm_dtypes(input, weight, bias)
    axes = tuple(range(x.ndim - k, x.ndim))
    dt = x.dtype.type
    n = math.prod(ns)
    fused = _layer_norm_gpu(x, weight, bias, n, k, eps)
    if fused is not None:
        x, y, mean, invstd = fused
    else:
        mean, var, xc = _layer_norm_moments(x, k)
        invstd = 1 / np.sqrt(var + dt(eps))
        xhat = xc * invstd
        fma = V.fused(x) if weight is not None and bias is not None else None
        if fma is not None and weight._data.dtype == bias._data.dtype == x.dtype:
            y = fma(xhat, weight._data, bias._data)     # torch's vector loop: fmadd(xhat, gamma, beta)
        else:
            y = xhat * weight._data if weight is not None else xhat.copy()
            if bias is not None:
                y += bias._data
    r = _wrap(y, input)
    if _grad_on(input, weight, bias):
        lead = tuple(range(x.ndim - k))

        def bwd(node, g):   # on arrays (torch's fused formula); tensor ops under create_graph
            if grad_state.enabled:
                return _norm_backward_graph(node, g, input, weight, bias, x.shape, axes, ns, lead, eps)
            go = g._data
            gi = gw = gb = None
            if fused is not None and go.dtype == x.dtype:
                w = weight._data if weight is not None else x
                gia, xh = _layer_norm_bwd_rows(np.ascontiguousarray(go), x, w, mean, invstd, n, int(weight is not None),
                                               k, np.empty_like(x), np.empty_like(x), size=x.size // n)
                gi = _wrap(gia, input) if needs(node, 0) else None
                gw = _wrap((go * xh).sum(axis=lead), weight) if weight is not None and needs(node, 1) else None
                gb = _wrap(go.sum(axis=lead), bias) if bias is not None and needs(node, 2) else None
                return gi, gw, gb
            xh = xhat if fused is None else (x - mean) * invstd
            gxhat = go * weight._data if weight is not None else go
            if needs(node, 0):
                gi = _wrap(_norm_input_grad(gxhat, xh, invstd, axes, n), input)
            if weight is not None and needs(node, 1):
                gw = _wrap((go * _layer_norm_xhat(x, mean, invstd)).sum(axis=lead), weight)
            if bias is not None and needs(node, 2):
                gb = _wrap(go.sum(axis=lead), bias)
            return gi, gw, gb
        _saves(attach('NativeLayerNormBackward0', bwd, (input, weight, bias), (r,)))
    return r


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    x = _opmath(input._data)
    if x.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {x.ndim}")
    N, C = x.shape[:2]
    per_channel = [N * C // num_groups, num_groups] + list(x.shape[2:])
    if math.prod(per_channel) // num_groups == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {per_channel}")
    if C % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got "
                           f"input of shape {list(input.shape)} and num_groups={num_groups}")
    for nm, t in (('weight', weight), ('bias', bias)):
        if t is not None and (t.dim() != 1 or t.numel() != C):
            # torch's bias message shows the weight's shape ([0] without one)
            shown = list(weight.shape) if weight is not None else [0]
            raise RuntimeError(f"Expected {nm} to be a vector of size equal to the number of channels in input, "
                               f"but got {nm} of shape {shown} and input of shape {list(input.shape)}")
    _norm_dtypes(input, weight, bias, any_device=True)
    _no_int_kernel(input, 'GroupNormKernelImpl')
    _cuda_norm_dtypes(input, weight, bias)
    per_group = C // num_groups * math.prod(x.shape[2:])     # explicit: -1 is ambiguous for N == 0
    xg = x.reshape(N, num_groups, per_group)
    dt = x.dtype.type
    mean, var, xc = _moments(xg, (2,))
    invstd = 1 / np.sqrt(var + dt(eps))
    xhat = (xc * invstd).reshape(x.shape)
    bs = _bshape(x)
    y = xhat * weight._data.reshape(bs) if weight is not None else xhat.copy()
    if bias is not None:
        y += bias._data.reshape(bs)
    r = _wrap(_like_input_layout(y, input._data), input)
    if _grad_on(input, weight, bias):
        axes = (0,) + tuple(range(2, x.ndim))

        def bwd(node, g):   # on arrays (torch's fused formula); tensor ops under create_graph
            if grad_state.enabled:
                return _norm_backward_graph(node, g, input, weight, bias, xg.shape, (2,), bs, axes, eps)
            go = g._data
            gxhat = go * weight._data.reshape(bs) if weight is not None else go
            gi = gw = gb = None
            if needs(node, 0):
                gi = _norm_input_grad(gxhat.reshape(N, num_groups, per_group), xhat.reshape(N, num_groups, per_group),
                                      invstd, (2,), xg.shape[2])
                gi = _wrap(gi.reshape(x.shape), input)
            if weight is not None and needs(node, 1):
                gw = _wrap((go * xhat).sum(axis=axes), weight)
            if bias is not None and needs(node, 2):
                gb = _wrap(go.sum(axis=axes), bias)
            return gi, gw, gb
        _saves(attach('NativeGroupNormBackward0', bwd, (input, weight, bias), (r,)))
    return r


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-05):
    if use_input_stats:
        sp = int(np.prod(input.shape[2:], dtype=np.int64))
        if sp == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                             f"{input.shape}")
    N, C = input.shape[:2]
    # torch runs batch_norm over a (1, N*C, ...) view, repeating weights and running stats
    x = input.reshape((1, N * C) + tuple(input.shape[2:]))

    def rep(t):
        return None if t is None else t.unsqueeze(0).expand(N, C).reshape(N * C)
    rm = rv = None
    if running_mean is not None:
        rm = _make(np.tile(running_mean._data, N), running_mean.dtype, running_mean._device)
    if running_var is not None:
        rv = _make(np.tile(running_var._data, N), running_var.dtype, running_var._device)
    out = batch_norm(x, rm, rv, rep(weight), rep(bias), use_input_stats, momentum, eps)
    if use_input_stats:
        if running_mean is not None:
            running_mean._data[...] = rm._data.reshape(N, C).mean(0)
            running_mean._vc[0] += 1
        if running_var is not None:
            running_var._data[...] = rv._data.reshape(N, C).mean(0)
            running_var._vc[0] += 1
    return out.view(input.shape)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    ns = tuple(normalized_shape) if isinstance(normalized_shape, (list, tuple)) else (normalized_shape,)
    _norm_shape_checks(input, ns, (('weight', weight),), '*')
    half = input.dtype in (D.float16, D.bfloat16)
    x = input.float() if half else input        # torch computes half in float and rounds once at the end
    if eps is None:
        eps = float(np.finfo(x.dtype._np).eps)
    dims = tuple(range(-len(ns), 0))
    r = x * (x.pow(2).mean(dims, keepdim=True) + eps).rsqrt()
    r = r * weight if weight is not None else r
    r = r.to(input.dtype) if half else r
    if input._device.type == 'cuda':       # torch's CUDA rms_norm is one fused kernel
        from .._ops.linalg_ops import _named
        r = _named('FusedRmsNormBackward0', r)
    return r


def local_response_norm(input, size, alpha=0.0001, beta=0.75, k=1.0):
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {dim}"
                         " dimensions)")
    if input.numel() == 0:
        return input
    div = input.mul(input)
    if dim == 3:
        div = div.unsqueeze(1)
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.shape
        div = div.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.view(sizes)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div


# --- padding -------------------------------------------------------------------------------------

_PAD_HELP = ("Supported combinations for non-constant padding:\n"
             "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
             "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
             "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
_NP_MODE = {'reflect': 'reflect', 'replicate': 'edge', 'circular': 'wrap'}
_PAD_NAME = {'reflect': 'ReflectionPad{}DBackward0', 'replicate': 'ReplicationPad{}DBackward0',
             'circular': 'CopySlices'}


def _pad_map(size, lo, hi, mode):
    """Source index of each output position along one dim. Negative pads crop: reflect and replicate
    map about the original edges; circular crops first, then wraps what is left (as torch)."""
    if size + lo + hi <= 0:
        return np.zeros(0, np.intp)
    idx = np.arange(-lo, size + hi)
    if mode == 'replicate':
        return np.clip(idx, 0, size - 1)
    if mode == 'reflect':
        idx = np.abs(idx)
        return np.where(idx >= size, 2 * (size - 1) - idx, idx)
    kept = np.arange(max(-lo, 0), size - max(-hi, 0))
    return np.pad(kept, (max(lo, 0), max(hi, 0)), mode=_NP_MODE[mode])


def _pad_size_checks(shape, lead, pads, mode, cuda=False):
    """torch's errors for negative pads that leave no output, each mode its own."""
    sizes = shape[lead:]
    out = [n + lo + hi for n, (lo, hi) in zip(sizes, pads)]
    if mode == 'circular':
        # past torch's own test (a negative output) torch reads uninitialized memory when the cut
        # leaves nothing to wrap: refuse that too
        if any(o < 0 or (o > 0 and n + min(lo, 0) + min(hi, 0) <= 0)
               for o, n, (lo, hi) in zip(out, sizes, pads)):
            raise RuntimeError("Negative padding value is resulting in an empty dimension")
        return
    if all(o < 1 for o in out):     # torch tests that every output dim is empty
        names = 'DHW'[3 - len(out):]
        given = [f'{c}: {n}' for c, n in zip(names, sizes)]
        given = ' '.join(given[:-2] + [', '.join(given[-2:])]) + (' ' if mode == 'replicate' and len(out) == 2 else '')
        two = '  ' if cuda and mode == 'reflect' and len(out) == 2 else ' '    # torch's CUDA text: two spaces
        raise RuntimeError(f"input ({given}) is too small.{two}Calculated output "
                           f"{' '.join(f'{c}: {o}' for c, o in zip(names, out))}")
    if any(o < 0 for o in out):
        if mode == 'reflect' and len(out) == 2:
            raise RuntimeError("numel: integer multiplication overflow")
        full = list(shape[:lead]) + out
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(out)}: {full}")


def pad(input, pad, mode='constant', value=None):
    pad = [int(p) for p in pad]
    if mode != 'constant' and mode not in _NP_MODE:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    n = len(pad) // 2
    x = input._data
    if n > x.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension {x.ndim}")
    if mode in _NP_MODE:
        if value is not None and value != 0:
            raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
        if n > 3 or x.ndim not in (n + 1, n + 2):
            raise NotImplementedError(f"Padding size {len(pad)} is not supported for {x.ndim}D input "
                                      f"tensor.\n{_PAD_HELP}")
    # pad lists the last dim first
    pads = tuple((pad[2 * i], pad[2 * i + 1]) for i in reversed(range(n)))
    lead = x.ndim - n
    if mode == 'constant':
        inner = tuple((max(lo, 0), max(hi, 0)) for lo, hi in pads)
        crop = tuple((max(-lo, 0), max(-hi, 0)) for lo, hi in pads)
        if any(s - c0 - c1 < 0 for s, (c0, c1) in zip(x.shape[lead:], crop)):     # torch narrows first
            raise RuntimeError("narrow(): length must be non-negative.")
        def padded(a, v=0):
            return _pad_array(np.ascontiguousarray(_crop(a, crop)), inner, v)
        if input.dtype in D.float8_types:      # torch fills with the value converted (checked) to the dtype
            from .._ops.factory import _fill_value
            _fill_value(value or 0, input.dtype)
        r = _make(_like_input_layout(padded(x, value or 0), x), input.dtype, input._device)
        if _grad_on(input):
            def adj(g):
                return _pad_array(np.ascontiguousarray(_crop(g, inner)), crop)
            _record_linear('ConstantPadNdBackward0', adj, padded, input, r, 'ConstantPadNdBackward0')
        return r
    if mode != 'circular' and 0 in x.shape[lead - 1:]:
        raise RuntimeError(f"Expected {n + 1}D or {n + 2}D (batch mode) tensor with possibly 0 batch size and other "
                           f"non-zero dimensions for input, but got: {list(x.shape)}")
    for i in reversed(range(n)):        # torch checks the last dim first
        lo, hi = pads[i]
        size = x.shape[lead + i]
        if mode == 'reflect' and (lo >= size or hi >= size):   # "Argument #": the pad pair's number (CPU)
            arg = '' if input._device.type == 'cuda' else f"Argument #{4 + 2 * (n - 1 - i)}: "
            raise RuntimeError(f"{arg}Padding size should be less than the corresponding input dimension, but got: "
                               f"padding ({lo}, {hi}) at dimension {lead + i} of input {list(x.shape)}")
        if mode == 'circular' and (lo > size or hi > size):
            raise RuntimeError("Padding value causes wrapping around more than once.")
    _pad_size_checks(x.shape, lead, pads, mode, input._device.type == 'cuda')
    if mode != 'circular' and (input.dtype in D.BARE_UINTS or input.dtype is D.bool and input._device.type == 'cpu'):
        raise kernel_error(f"{'reflection' if mode == 'reflect' else 'replication'}_pad{n}d", input.dtype,
                           input._device)       # torch's kernels have no loop for them
    maps = [np.asarray_on(_pad_map(x.shape[lead + i], lo, hi, mode), x) for i, (lo, hi) in enumerate(pads)]

    def padded(y):
        for i, m in enumerate(maps):
            y = np.take(y, m, axis=lead + i)
        return y
    y = padded(x)
    r = _make(y if mode == 'circular' else _like_input_layout(y, x), input.dtype, input._device)
    if _grad_on(input):
        def adj(gy):        # each padded position adds back to its source
            for i in reversed(range(n)):
                ax = lead + i
                lo, hi = pads[i]
                m = maps[i]
                size = x.shape[ax]
                gm = np.moveaxis(gy, ax, 0)
                gx = _zeros_like(gm, (size,) + gm.shape[1:])
                np.ufunc_at(np.add, gx, m, gm)
                gy = np.moveaxis(gx, 0, ax)
            return np.ascontiguousarray(gy)
        _record_linear(_PAD_NAME[mode].format(n), adj, padded, input, r,
                       'SliceBackwardBackward0' if mode == 'circular' else None)
    return r


# --- upsampling ----------------------------------------------------------------------------------

_INTERP_NAME = {'nearest': 'UpsampleNearest{}DBackward0', 'nearest-exact': 'UpsampleNearestExact{}DBackward0',
                'linear': 'UpsampleLinear1DBackward0', 'bilinear': 'UpsampleBilinear2DBackward0',
                'trilinear': 'UpsampleTrilinear3DBackward0', 'bicubic': 'UpsampleBicubic2DBackward0',
                'lanczos': 'UpsampleLanczos2DBackward0'}
_MODE_DIMS = {'linear': 1, 'bilinear': 2, 'trilinear': 3}
# the CPU kernels that refuse a dtype (float types pass; uint8 too, except in the linear kernels)
_INTERP_KERNEL = {'nearest': 'compute_indices_weights_nearest', 'nearest-exact': 'compute_indices_weights_nearest',
                  'linear': 'compute_indices_weights_linear', 'trilinear': 'compute_indices_weights_linear',
                  'bilinear': 'upsample_bilinear2d_channels_last', 'bicubic': 'compute_indices_weights_cubic'}


def _interp_dtype_check(input, mode, nd, antialias):
    dt = input.dtype
    if input._device.type != 'cpu' or dt is D.float32 or dt is D.float64:
        return
    if antialias:
        if dt is not D.uint8:
            raise kernel_error('compute_index_ranges_weights', dt)
    elif dt._cat != 2 and (dt is not D.uint8 or mode in ('linear', 'trilinear')):
        raise kernel_error('upsample_nearest2d_channels_last' if nd == 2 and mode.startswith('nearest')
                           else _INTERP_KERNEL.get(mode, mode), dt)


def _src_scale(n, o, align_corners, scale, ft=np.float32):
    if align_corners:
        return ft((n - 1) / (o - 1)) if o > 1 else ft(0)
    if scale is not None and scale > 0:
        return ft(1.0 / scale)
    return ft(n / o)


def _aa_filter(mode):
    """Antialiasing filters: (half width at scale 1, f(x)). Bicubic uses a = -0.5 here (PIL's)."""
    if mode == 'bilinear':
        return 1, lambda x: np.maximum(1 - np.abs(x), 0)
    if mode == 'bicubic':
        def cubic(x, a=-0.5):
            x = np.abs(x)
            near = ((a + 2) * x - (a + 3)) * x * x + 1
            far = ((x - 5) * x + 8) * x * a - 4 * a
            return np.where(x < 1, near, np.where(x < 2, far, 0))
        return 2, cubic
    return 3, lambda x: np.where(np.abs(x) < 3, np.sinc(x) * np.sinc(x / 3), 0)      # lanczos-3


def _aa_taps(mode, n, o, align_corners, scale, ft):
    """Antialiased taps along one dim: when downscaling the filter widens by the scale, and each output
    position's weights are normalised to sum to one."""
    sc = float(_src_scale(n, o, align_corners, scale, np.float64))
    half, f = _aa_filter(mode)
    support = half * sc if sc >= 1 else float(half)
    inv = 1 / sc if sc >= 1 else 1.0
    center = sc * (np.arange(o) + 0.5)
    lo = np.maximum(np.trunc(center - support + 0.5).astype(np.int64), 0)
    size = np.minimum(np.trunc(center + support + 0.5).astype(np.int64), n) - lo
    K = int(size.max()) if o else 0
    j = np.arange(K)[:, None]
    w = f((j + lo - center + 0.5) * inv) * (j < size)
    w = (w / np.where(w.sum(0) == 0, 1, w.sum(0))).astype(ft)
    return [(np.minimum(lo + jj, n - 1), w[jj]) for jj in range(K)]


def _cubic_weights(t):
    ft = t.dtype.type
    A = ft(-0.75)

    def c1(v):
        return ((A + 2) * v - (A + 3)) * v * v + 1

    def c2(v):
        return ((A * v - 5 * A) * v + 8 * A) * v - 4 * A
    return [c2(t + 1), c1(t), c1(1 - t), c2(2 - t)]


def _taps(mode, n, o, align_corners, scale, ft=np.float32):
    """Per output position along one dim: [(source index array, weight array or None), ...].
    ft: the precision of torch's index arithmetic (double for float64 inputs, else float; nearest
    modes always use float)."""
    if mode in ('nearest', 'nearest-exact'):
        sc = _src_scale(n, o, align_corners, scale)
        dst = np.arange(o, dtype=np.float32)
        if mode == 'nearest-exact':
            dst += np.float32(0.5)
        return [(np.minimum(np.floor(dst * sc).astype(np.int64), n - 1), None)]
    sc = _src_scale(n, o, align_corners, scale, ft)
    dst = np.arange(o, dtype=ft)
    src = sc * dst if align_corners else sc * (dst + ft(0.5)) - ft(0.5)
    if mode == 'bicubic':
        i0 = np.floor(src).astype(np.int64)
        t = (src - i0).astype(ft)
        return [(np.clip(i0 - 1 + j, 0, n - 1), w) for j, w in enumerate(_cubic_weights(t))]
    src = np.maximum(src, ft(0))
    i0 = src.astype(np.int64)
    i1 = i0 + (i0 < n - 1)
    l1 = np.clip(src - i0, 0, 1).astype(ft)
    return [(i0, ft(1) - l1), (i1, l1)]


def _is_integer(x):
    """An interpolate size entry torch accepts: a Python or NumPy integer, or an integer tensor."""
    import numbers
    return isinstance(x, numbers.Integral) or isinstance(x, Tensor) and not x.is_floating_point()


def interpolate(input, size=None, scale_factor=None, mode='nearest', align_corners=None,
                recompute_scale_factor=None, antialias=False):
    nd = input.dim() - 2
    if mode in ('nearest', 'area', 'nearest-exact'):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    sp = input.shape[2:]
    if size is not None:
        out = tuple(size) if isinstance(size, (list, tuple)) else (size,) * nd
        if len(out) != nd:      # the size as given: a tuple, list or Size prints as such
            raise ValueError(f"Input and output must have the same number of spatial dimensions, but got "
                             f"input with spatial dimensions of {list(sp)} and output size of {size}. "
                             "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size "
                             "in (o1, o2, ...,oK) format.")
        if isinstance(size, (list, tuple)) and not all(_is_integer(n) for n in size):
            raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] or Tuple[int, int, int], "
                            f"but got size with types {[type(n) for n in size]}")
        scales = (None,) * nd
    else:
        sf = tuple(scale_factor) if isinstance(scale_factor, (list, tuple)) else (scale_factor,) * nd
        if len(sf) != nd:
            raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got "
                             f"input with spatial dimensions of {list(sp)} and scale_factor of shape "
                             f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                             "scale_factor in (s1, s2, ...,sK) format.")
        out = tuple(int(math.floor(float(n) * float(f))) for n, f in zip(sp, sf))
        scales = (None,) * nd if recompute_scale_factor else tuple(float(f) for f in sf)
    if antialias and not (mode in ('bilinear', 'bicubic', 'lanczos') and nd == 2):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires "
                         "a 4-D tensor as input")
    if mode == 'lanczos' and nd == 2:
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
    if mode == 'area':
        return _adaptive_avg(input, out, nd) if nd > 1 else adaptive_avg_pool1d(input, out)
    if mode in _MODE_DIMS and _MODE_DIMS[mode] != nd:
        need = _MODE_DIMS[mode] + 2
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {need}D input")
    if mode not in _INTERP_NAME or (mode in ('lanczos', 'bicubic') and nd != 2):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                                  f"{input.dim()}D) for the modes: nearest | linear | bilinear | bicubic | "
                                  f"trilinear | lanczos | area | nearest-exact (got {mode})")
    _interp_dtype_check(input, mode, nd, antialias)
    x = input._data
    ft = np.float64 if x.dtype == np.float64 else np.float32
    taps = _aa_taps if antialias else _taps
    plan = [[(np.asarray_on(idx, x), None if w is None else np.asarray_on(w, x)) for idx, w in
             taps(mode, sp[i], out[i], align_corners, scales[i], ft)] for i in range(nd)]

    u8 = x.dtype == np.uint8 and mode not in ('nearest', 'nearest-exact')

    def apply(y):
        # separable: interpolate the last dim first, as torch's kernels nest their loops
        for i in reversed(range(nd)):
            ax = 2 + i
            acc = None
            for idx, w in plan[i]:
                v = np.take(y, idx, axis=ax)
                if w is not None:
                    shp = [1] * y.ndim
                    shp[ax] = -1
                    v = v * w.astype(np.float32 if u8 else y.dtype).reshape(shp)
                acc = v if acc is None else acc + v
            y = np.clip(np.floor(acc + 0.5), 0, 255).astype(np.uint8) if u8 else acc     # each pass rounds
        return np.ascontiguousarray(y)
    r = _make(_like_input_layout(apply(x), x), input.dtype, input._device)
    if _grad_on(input):
        def adj(gy):        # the transposed (out x in) interpolation matrix per dim
            for i in range(nd):
                ax = 2 + i
                A = np.zeros((out[i], sp[i]), dtype=x.dtype, like=x)
                rows = np.arange(out[i], like=x)
                for idx, w in plan[i]:
                    np.ufunc_at(np.add, A, (rows, idx), 1 if w is None else w.astype(x.dtype))
                gy = np.moveaxis(np.moveaxis(gy, ax, -1) @ A, -1, ax)
            return np.ascontiguousarray(gy)
        if antialias:       # torch's antialiased gradient has no graph of its own
            name = _INTERP_NAME[mode].replace('2DBackward0', '2DAaBackward0')
            attach(name, lambda node, g: (_wrap(adj(g._data), input),), (input,), (r,))
        else:
            _record_linear(_INTERP_NAME[mode].format(nd), adj, apply, input, r)
    return r


def upsample(input, size=None, scale_factor=None, mode='nearest', align_corners=None):
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode='nearest')


def upsample_bilinear(input, size=None, scale_factor=None):
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode='bilinear', align_corners=True)


# --- fold / unfold, shuffles ---------------------------------------------------------------------

_IM2COL_PARAM = {'kernel': ('kernel size', 'greater than zero', 'kernel'),
                 'dilation': ('dilation', 'greater than zero', 'dilation'),
                 'padding': ('padding', 'non-negative', 'pad'), 'stride': ('stride', 'greater than zero', 'stride')}


def _im2col_checks(input, order, values, dims, what, kernel):
    """torch's im2col/col2im argument checks: the parameters (in its order for each), the input's
    rank and non-empty dims, then the kernel's dtype."""
    for name in order:
        v = values[name]
        low = 0 if name == 'padding' else 1
        if any(x < low for x in v):
            word, rule, short = _IM2COL_PARAM[name]
            raise RuntimeError(f"{word} should be {rule}, but got {short}_height: {v[0]} {short}_width: {v[1]}")
    shape, nd = list(input.shape), input.dim()
    if kernel == 'im2col_out_cpu' and 0 < nd < 3:      # torch's unfold reads size(nd) of a short input
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {nd})")
    if input.dim() not in dims or any(n == 0 for n in shape[input.dim() - dims[0]:]):
        raise RuntimeError(f"Expected {dims[0]}D or {dims[1]}D (batch mode) tensor {what}, but got: {shape}")
    _no_int_kernel(input, kernel, bool_ok=True)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    k, d, p, s = (_tuple(v, 2) for v in (kernel_size, dilation, padding, stride))
    _im2col_checks(input, ('kernel', 'dilation', 'padding', 'stride'),
                   {'kernel': k, 'dilation': d, 'padding': p, 'stride': s}, (3, 4),
                   'with possibly 0 batch size and other non-zero dimensions for input', 'im2col_out_cpu')
    x_t, unb = (input.unsqueeze(0), True) if input.dim() == 3 else (input, False)
    x = x_t._data
    N, C = x.shape[:2]
    pads = tuple((pp, pp) for pp in p)
    padded = tuple(n + 2 * pp for n, pp in zip(x.shape[2:], p))
    out = tuple((pn - dd * (kk - 1) - 1) // ss + 1 for pn, dd, kk, ss in zip(padded, d, k, s))
    if any(o < 1 for o in out):
        raise RuntimeError(f"Given input with spatial size ({', '.join(map(str, x.shape[2:]))}), "
                           f"kernel_size=({', '.join(map(str, k))}), dilation=({', '.join(map(str, d))}), "
                           f"padding=({', '.join(map(str, p))}), calculated shape of the array of sliding "
                           f"blocks as ({', '.join(map(str, out))}), but its components must be at least one.")
    def im2col(a):
        return _windows(_pad_array(a, pads), k, s, d, out).reshape(N, C * k[0] * k[1], out[0] * out[1])

    def col2im(g):
        return np.ascontiguousarray(_crop(_col2im(g.reshape((N, C) + k + out), padded, k, s, d, out), pads))
    r = _make(im2col(x), input.dtype, input._device)
    if _grad_on(x_t):
        _record_linear('Im2ColBackward0', col2im, im2col, x_t, r, 'Col2ImBackward0')
    return r.squeeze(0) if unb else r


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    osz, k, d, p, s = (_tuple(v, 2) for v in (output_size, kernel_size, dilation, padding, stride))
    _im2col_checks(input, ('kernel', 'stride', 'dilation', 'padding'),
                   {'kernel': k, 'dilation': d, 'padding': p, 'stride': s}, (2, 3),
                   'for input with possibly 0 batch size and non-zero dimensions for input', 'col2im_out_cpu')
    x_t, unb = (input.unsqueeze(0), True) if input.dim() == 2 else (input, False)
    x = x_t._data
    N, CK, L = x.shape
    K = k[0] * k[1]
    padded = tuple(n + 2 * pp for n, pp in zip(osz, p))
    blocks = tuple((pn - dd * (kk - 1) - 1) // ss + 1 for pn, dd, kk, ss in zip(padded, d, k, s))
    if CK % K:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of "
                           f"kernel_size, but got input.size(1)={CK} and kernel_size=({k[0]}, {k[1]}).")
    if blocks[0] * blocks[1] != L:
        raise RuntimeError(f"Given output_size=({osz[0]}, {osz[1]}), kernel_size=({k[0]}, {k[1]}), "
                           f"dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), stride=({s[0]}, {s[1]}), "
                           f"expected size of input's dimension 2 to match the calculated number of "
                           f"sliding blocks {blocks[0]} * {blocks[1]} = {L if False else blocks[0] * blocks[1]}, "
                           f"but got input.size(2)={L}.")
    C = CK // K
    pads = tuple((pp, pp) for pp in p)
    def col2im(a):
        return np.ascontiguousarray(_crop(_col2im(a.reshape((N, C) + k + blocks), padded, k, s, d, blocks),
                                          pads))

    def im2col(g):
        return _windows(_pad_array(g, pads), k, s, d, blocks).reshape(N, CK, L)
    r = _make(col2im(x), input.dtype, input._device)
    if _grad_on(x_t):
        _record_linear('Col2ImBackward0', im2col, col2im, x_t, r, 'Im2ColBackward0')
    return r.squeeze(0) if unb else r


def _permuted(input, shape, perm, out_shape, name, inv_shape, back):
    """A reshape-permute-reshape op as one node (pixel/channel shuffles)."""
    x = input._data

    def permute(a):
        return np.ascontiguousarray(a.reshape(shape).transpose(perm)).reshape(out_shape)
    r = _make(permute(x), input.dtype, input._device)
    if _grad_on(input):
        inv = tuple(np.argsort(perm).tolist())

        def adj(g):
            return np.ascontiguousarray(g.reshape(inv_shape).transpose(inv)).reshape(x.shape)
        _record_linear(name, adj, permute, input, r, back)
    return r


def _bare_uint(input, kernel):
    """torch's shuffles copy through a kernel with no uint16/32/64 loop."""
    if input.dtype in D.BARE_UINTS:
        raise kernel_error(kernel, input.dtype, input._device)


def pixel_shuffle(input, upscale_factor):
    rr = int(upscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input "
                           f"with {input.dim()} dimension(s)")
    *b, C, H, W = input.shape
    if C % (rr * rr):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
                           f"square of upscale_factor, but input.size(-3)={C} is not divisible by {rr * rr}")
    _bare_uint(input, 'pixel_shuffle')
    b = tuple(b)
    nb = len(b)
    oc = C // (rr * rr)
    perm = tuple(range(nb)) + tuple(nb + i for i in (0, 3, 1, 4, 2))
    return _permuted(input, b + (oc, rr, rr, H, W), perm, b + (oc, H * rr, W * rr), 'PixelShuffleBackward0',
                     b + (oc, H, rr, W, rr), 'PixelUnshuffleBackward0')


def pixel_unshuffle(input, downscale_factor):
    rr = int(downscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input "
                           f"with {input.dim()} dimension(s)")
    *b, C, H, W = input.shape
    if H % rr or W % rr:
        which, v = ('height', H) if H % rr else ('width', W)
        raise RuntimeError(f"pixel_unshuffle expects {which} to be divisible by downscale_factor, but "
                           f"input.size({-2 if H % rr else -1})={v} is not divisible by {rr}")
    _bare_uint(input, 'pixel_unshuffle')
    b = tuple(b)
    nb = len(b)
    perm = tuple(range(nb)) + tuple(nb + i for i in (0, 2, 4, 1, 3))
    return _permuted(input, b + (C, H // rr, rr, W // rr, rr), perm, b + (C * rr * rr, H // rr, W // rr),
                     'PixelUnshuffleBackward0', b + (C, rr, rr, H // rr, W // rr), 'PixelShuffleBackward0')


def channel_shuffle(input, groups):
    N, C = input.shape[:2]
    rest = tuple(input.shape[2:])
    if C % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {C} channels and "
                           f"{groups} groups.")
    _bare_uint(input, 'channel_shuffle')
    return _permuted(input, (N, groups, C // groups) + rest, (0, 2, 1) + tuple(range(3, 3 + len(rest))),
                     tuple(input.shape), 'ChannelShuffleBackward0', (N, C // groups, groups) + rest,
                     'ChannelShuffleBackward0')


native_channel_shuffle = channel_shuffle


# --- affine_grid / grid_sample -------------------------------------------------------------------

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since "
                  "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
                  "documentation of grid_sample for details.")


def _linspace_from_neg_one(n, align_corners, dtype):
    """torch's base-grid axis, in theta's dtype (each op rounding to it), as a host array."""
    import faketorch
    if n <= 1:
        return faketorch.zeros(1, dtype=dtype, device='cpu')._data
    r = faketorch.linspace(-1, 1, n, dtype=dtype, device='cpu')     # (whatever the default device)
    if not align_corners:
        r = r * (n - 1) / n
    return r._data


def affine_grid(theta, size, align_corners=None):
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = list(size)
    if len(size) == 4:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. "
                             f"Got {theta.shape}.")
    elif len(size) == 5:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. "
                             f"Got {theta.shape}.")
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D affine "
                                  f"transforms, respectively. Got size {size}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    th = theta._data
    dt = th.dtype
    sp = size[2:]
    nd = len(sp)
    # base grid (*sp, nd + 1): x varies along the last spatial dim, then y, (z); then a column of ones
    axes = [_linspace_from_neg_one(n, align_corners, theta.dtype) for n in sp]
    base = np.ones(tuple(sp) + (nd + 1,), dt)
    for j in range(nd):
        ax = nd - 1 - j               # coordinate j (x, y, z) runs along spatial dim nd-1-j
        shp = [1] * nd
        shp[ax] = -1
        base[..., j] = axes[ax].reshape(shp)
    bflat = np.asarray_on(base.reshape(-1, nd + 1), th)
    N = size[0]
    # torch's CPU grid is a bmm of the base grid with theta^T (K = nd + 1 terms): below 400
    # multiply-adds per batch item its naive loop adds the products left to right; from 400, MKL
    # fuses each next product but the last into the sum. Written out, so grids are torch's bit for bit.
    # bfloat16/float16 accumulate in float32 and round once.
    fma, half = None, theta.dtype in (D.bfloat16, D.float16)
    if (nd + 1) * bflat.shape[0] * nd >= 400 and theta._device.type == 'cpu' and not half and V.orders[0]:
        from .._rng import _fma32, _fma64
        fma = _fma32 if dt == np.float32 else _fma64 if dt == np.float64 else None
    def grid(t):
        bf = bflat.astype(np.float32) if half else bflat
        t = t.astype(np.float32) if half else t
        out = bf[None, :, :1] * t[:, None, :, 0]
        for k in range(1, nd + 1):
            b, c = bf[None, :, k:k + 1], t[:, None, :, k]
            out = fma(b, c, out) if fma is not None and k < nd else out + b * c
        if half:
            out = D.round_bf16(out) if theta.dtype is D.bfloat16 else out.astype(dt)
        return out.reshape((N,) + tuple(sp) + (nd,))
    r = _make(grid(th), theta.dtype, theta._device)
    if _grad_on(theta):
        small = (nd + 1) * bflat.shape[0] * nd < 400

        def adj(g):
            g = g.reshape(N, -1, nd)
            if small:       # torch's naive bmm loop: the products added in order over the grid points
                out = g[:, 0, :, None] * bflat[None, 0, None, :]
                for k in range(1, bflat.shape[0]):
                    out = out + g[:, k, :, None] * bflat[None, k, None, :]
                return out
            return np.matmul(g.transpose(0, 2, 1), bflat)
        _record_linear('AffineGridGeneratorBackward0', adj, grid, theta, r, 'TransposeBackward0')
    return r


def _reflect(c, lo2, hi2):
    """torch's reflect_coordinates with the gradient multiplier; bounds are doubled."""
    if lo2 == hi2:
        return np.zeros_like(c), np.zeros_like(c)
    mn = lo2 / 2
    span = (hi2 - lo2) / 2
    c = c - mn
    sign = np.where(c < 0, -1, 1).astype(c.dtype)
    c = np.abs(c)
    extra = np.fmod(c, span)
    flips = np.floor(c / span)
    even = (flips % 2) == 0
    return np.where(even, extra + mn, span - extra + mn).astype(c.dtype), np.where(even, sign, -sign)


def _cpu_fma(a, device):
    """The one-rounding a*b+c of a's float type for torch's vectorised CPU kernels, whose
    `x * y + z` GCC compiles to FMA instructions; None where plain NumPy arithmetic is torch's."""
    if device.type != 'cpu' or not V.orders[0]:
        return None
    from .._rng import _fma32, _fma64
    return {np.dtype(np.float32): _fma32, np.dtype(np.float64): _fma64}.get(a.dtype)


def _grid_coords(coord, size, padding_mode, align_corners, fma=None):
    dt = coord.dtype.type
    if align_corners:
        c = (coord + 1) / dt(2) * dt(size - 1)
        mult = np.full_like(coord, (size - 1) / 2)
    else:
        # torch's 2-d kernel: (coord + 1) * (size / 2) - 0.5 in one fused step; 3-d (scalar) code:
        # ((coord + 1) * size - 1) / 2
        c = fma(coord + 1, dt(size / 2), dt(-0.5)) if fma else ((coord + 1) * dt(size) - 1) / dt(2)
        mult = np.full_like(coord, size / 2)
    if padding_mode == 'reflection':
        c, m = (_reflect(c, 0, 2 * (size - 1)) if align_corners else _reflect(c, -1, 2 * size - 1))
        mult = mult * m
    if padding_mode in ('border', 'reflection'):
        mult = mult * ((c > 0) & (c < size - 1))
        c = np.clip(c, 0, size - 1)
    return c, mult


def _grid_sample_checks(input, grid, mode):
    """torch's grid_sampler checks, in its order."""
    nd, shapes = input.dim(), f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got {shapes}")
    if grid.dim() and grid.shape[-1] != nd - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {nd - 2} in last dimension, but got grid "
                           f"with sizes {list(grid.shape)}")
    for i in range(2, nd):
        if input.shape[i] == 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial dimensions, but input "
                               f"has sizes {list(input.shape)} with dimension {i} being empty")
    if grid.dim() != nd or nd not in (4, 5):
        raise RuntimeError(f"grid_sampler(): expected {4 if nd == 4 else 5}D input and grid with same number of "
                           f"dimensions, but got {shapes}")
    if mode == 'bicubic' and nd != 4:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if input.shape[1] == 0 or grid.numel() == 0:     # an empty output: torch returns before its dtype checks
        return True
    if grid.dtype is not input.dtype:
        raise RuntimeError(f"expected scalar type {D.type_name(input.dtype)} but found {D.type_name(grid.dtype)}")
    _no_int_kernel(input, 'grid_sampler_2d_cpu_kernel_impl' if nd == 4 else 'grid_sampler3d_cpu')


def grid_sample(input, grid, mode='bilinear', padding_mode='zeros', align_corners=None):
    if mode not in ('bilinear', 'nearest', 'bicubic'):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
                         f"'bicubic', but got: '{mode}'")
    if padding_mode not in ('zeros', 'border', 'reflection'):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if _grid_sample_checks(input, grid, mode):
        return _make(np.zeros_like(input._data, shape=tuple(input.shape[:2]) + tuple(grid.shape[1:-1])),
                     input.dtype, input._device)
    nd = input.dim() - 2
    if mode == 'bicubic':
        return _grid_sample_bicubic(input, grid, padding_mode, align_corners)
    x, gr = input._data, grid._data
    N, C = x.shape[:2]
    sp = x.shape[2:]
    fma = _cpu_fma(x, input._device) if nd == 2 and input.dtype in (D.float32, D.float64) else None
    # the grid's last axis lists x, y(, z): coordinate j runs along spatial axis nd-1-j
    coords = [_grid_coords(gr[..., nd - 1 - a], sp[a], padding_mode, align_corners, fma) for a in range(nd)]
    n_idx = np.arange(N, like=x).reshape((N,) + (1,) * nd)
    xt = np.moveaxis(x, 1, -1)                      # (N, *sp, C): gathers give (N, *out, C)
    if mode == 'nearest':
        corners = [tuple(np.rint(c).astype(np.int64) for c, _ in coords)]
        wts, dws = [np.ones_like(coords[0][0])], [None]
    else:
        lo = [np.floor(c) for c, _ in coords]
        # weights of the low / high corner (torch's vectorised 2-d kernel: 1 - (c - floor(c)))
        w01 = [(1 - (c - l) if fma else (l + 1) - c, c - l) for l, (c, _) in zip(lo, coords)]
        corners, wts, dws = [], [], []
        for bits in itertools.product((0, 1), repeat=nd):       # torch's corner order: x fastest
            corners.append(tuple(l.astype(np.int64) + b for l, b in zip(lo, bits)))
            ws = [w01[a][bits[a]] for a in range(nd)]
            wts.append(functools.reduce(operator.mul, ws[::-1]))        # multiplied x first, as torch
            # d weight / d coordinate along axis a: +-1 times the other axes' weights (the 3-d
            # gradient follows torch's channel-by-channel order instead, from w01)
            dws.append(None if nd == 3 else [
                functools.reduce(operator.mul, [ws[o] for o in reversed(range(nd)) if o != a],
                                 np.float32(1) if bits[a] else np.float32(-1)) for a in range(nd)])
    valids, vals = [], []
    out = np.zeros((N,) + gr.shape[1:-1] + (C,), x.dtype, like=x)
    for k, (ids, w) in enumerate(zip(corners, wts)):
        valid = functools.reduce(operator.and_, [(i >= 0) & (i < n) for i, n in zip(ids, sp)])
        ids = tuple(np.clip(i, 0, n - 1) for i, n in zip(ids, sp))
        v = np.where(valid[..., None], xt[(n_idx,) + ids], 0)
        valids.append((ids, valid))
        vals.append(v)
        if fma is not None and k:
            out = fma(v, w[..., None], out)     # torch's 2-d kernel fuses each next corner's product
        else:
            out += v * w[..., None]
    r = _make(np.ascontiguousarray(np.moveaxis(out, -1, 1)), input.dtype, input._device)
    if _grad_on(input, grid):
        def bwd(node, g):   # on arrays: scatter to the sampled corners; coordinate derivative by corner
            if grad_state.enabled:      # create_graph: the same gradients in tensor ops
                return _grid_sample_backward_graph(node, g, input, grid, mode, padding_mode, align_corners)
            go = np.moveaxis(g._data, 1, -1)        # (N, *out, C)
            gi = gg = None
            if needs(node, 0) and mode == 'bilinear' and fma is not None and grid.is_contiguous():
                gi = _wrap(_grid_sample_2d_input_grad(xt, go, valids, wts), input)
            elif needs(node, 0):
                gx = np.zeros_like(xt)
                for (ids, valid), w in zip(valids, wts):
                    np.ufunc_at(np.add, gx, (np.broadcast_to(n_idx, valid.shape),) + ids, go * (w * valid)[..., None])
                gi = _wrap(np.ascontiguousarray(np.moveaxis(gx, -1, 1)), input)
            if needs(node, 1):
                ggrid = np.zeros_like(gr)
                if mode == 'bilinear' and fma is not None:
                    # torch's 2-d CPU kernel, channel by channel, its products fused: for x,
                    # gx += ((ne - nw) * s + (se - sw) * n) * gOut; then times the unnormalizing factor
                    (s_, n_), (e_, w_) = w01
                    nw, ne, sw, se = vals
                    gx = gy = np.zeros_like(go[..., 0])
                    for c in range(C):
                        gc = go[..., c]
                        gx = fma(fma(se[..., c] - sw[..., c], n_, (ne[..., c] - nw[..., c]) * s_), gc, gx)
                        gy = fma(fma(se[..., c] - ne[..., c], w_, (sw[..., c] - nw[..., c]) * e_), gc, gy)
                    ggrid[..., 0] = gx * coords[1][1]
                    ggrid[..., 1] = gy * coords[0][1]
                elif mode == 'bilinear' and nd == 2:
                    for dw, v in zip(dws, vals):
                        s = (go * v).sum(-1)
                        for a in range(nd):
                            ggrid[..., nd - 1 - a] += s * dw[a] * coords[a][1]
                elif mode == 'bilinear':
                    # torch's 3-d kernel sums channel by channel, corner by corner: float32 results
                    # depend on that order, so follow it (a loop over channels)
                    acc = [np.zeros_like(go[..., 0]) for _ in range(nd)]
                    for c in range(C):
                        gc = go[..., c]
                        for bits, v in zip(itertools.product((0, 1), repeat=nd), vals):
                            for a in range(nd):
                                t = v[..., c]
                                for o in reversed(range(nd)):
                                    if o != a:
                                        t = t * w01[o][bits[o]]
                                t = t * gc
                                acc[a] = acc[a] + t if bits[a] else acc[a] - t
                    for a in range(nd):
                        ggrid[..., nd - 1 - a] = coords[a][1] * acc[a]
                gg = _wrap(ggrid, grid)
            return gi, gg
        _record(f'GridSampler{nd}DBackward0', bwd, (input, grid), (r,))
    return r


def _grid_sample_backward_graph(node, g, input, grid, mode, padding_mode, align_corners):
    """Bilinear / nearest grid_sample gradients in differentiable tensor ops (for create_graph). The
    coordinate map is piecewise linear: its value is taken on arrays and its slope `mult` joins the graph
    as c + mult * (grid - grid.detach())."""
    import faketorch
    nd = input.dim() - 2
    sp = tuple(input.shape[2:])
    N = input.shape[0]
    xt = input.movedim(1, -1)                        # (N, *sp, C)
    go = g.movedim(1, -1)                            # (N, *out, C)
    n_idx = faketorch.arange(N, device=input.device).reshape((N,) + (1,) * nd)
    cs, mults, los = [], [], []
    for a in range(nd):
        c, mult = _grid_coords(grid._data[..., nd - 1 - a], sp[a], padding_mode, align_corners)
        gc = grid[..., nd - 1 - a]
        mults.append(_wrap(mult, grid))
        cs.append(_wrap(c, grid) + mults[a] * (gc - gc.detach()))
        los.append(np.rint(c) if mode == 'nearest' else np.floor(c))
    gi = faketorch.zeros_like(xt) if needs(node, 0) else None
    dcs = [0] * nd
    for bits in (((0,) * nd,) if mode == 'nearest' else itertools.product((0, 1), repeat=nd)):
        ids = [lo.astype(np.int64) + b for lo, b in zip(los, bits)]
        valid = functools.reduce(operator.and_, [(i >= 0) & (i < n) for i, n in zip(ids, sp)])
        ids = tuple(_wrap(np.clip(i, 0, n - 1), grid, D.int64) for i, n in zip(ids, sp))
        valid = _wrap(valid, grid, D.bool)
        if mode == 'nearest':
            ws = [None] * nd
            w = _wrap(np.ones(valid.shape, grid._data.dtype), grid)
        else:       # the weight along axis a: c - lo for the high corner, lo + 1 - c for the low one
            ws = [cs[a] - _wrap(los[a], grid) if b else _wrap(los[a] + 1, grid) - cs[a] for a, b in enumerate(bits)]
            w = functools.reduce(operator.mul, ws)
        if gi is not None:
            gi = gi.index_put((n_idx.expand(valid.shape),) + ids, go * (w * valid).unsqueeze(-1), accumulate=True)
        if needs(node, 1) and mode != 'nearest':
            gv = (go * xt[(n_idx,) + ids]).sum(-1) * valid
            for a in range(nd):
                others = [ws[o] for o in range(nd) if o != a]
                dw = functools.reduce(operator.mul, others) if others else 1
                dcs[a] = dcs[a] + (gv * dw if bits[a] else -(gv * dw))
    gg = None
    if needs(node, 1):
        gg = faketorch.stack([dcs[nd - 1 - j] * mults[nd - 1 - j] if mode != 'nearest'
                              else faketorch.zeros_like(cs[0]) for j in range(nd)], -1)
    return (gi.movedim(-1, 1) if gi is not None else None), gg


def _grid_sample_2d_input_grad(xt, go, valids, wts):
    """The input gradient of 2-d bilinear grid_sample in the order torch's vectorised CPU kernel
    adds it: output positions in vectors of one SIMD register's width, and for each vector the
    nw, ne, sw, se corners' `weight * grad_output` in turn (float sums depend on that order)."""
    from ..backends.cpu import get_cpu_capability
    step = (64 if get_cpu_capability() == 'AVX512' else 32) // xt.itemsize
    N, C = xt.shape[0], xt.shape[-1]
    M = go[0, ..., 0].size
    chunks = -(-M // step)

    def ordered(a, pad):        # (N, M, 4, ...) -> flat, in (n, vector, corner, lane) order
        a = np.concatenate([a, np.full((N, chunks * step - M) + a.shape[2:], pad, a.dtype)], 1)
        a = a.reshape((N, chunks, step, 4) + a.shape[3:])
        return np.moveaxis(a, 3, 2).reshape((-1,) + a.shape[4:])
    ys = ordered(np.stack([ids[0].reshape(N, M) for ids, _ in valids], 2), 0)
    xs = ordered(np.stack([ids[1].reshape(N, M) for ids, _ in valids], 2), 0)
    ok = ordered(np.stack([valid.reshape(N, M) for _, valid in valids], 2), False)
    g = go.reshape(N, M, 1, C)
    vals = ordered(np.concatenate([g * w.reshape(N, M, 1, 1) for w in wts], 2), 0)
    ns = ordered(np.broadcast_to(np.arange(N)[:, None, None], (N, M, 4)), 0)
    gx = np.zeros_like(xt)
    np.add.at(gx, (ns[ok], ys[ok], xs[ok]), vals[ok])
    return np.ascontiguousarray(np.moveaxis(gx, -1, 1))


def _cubic_derivs(t):
    """d/dt of _cubic_weights(t): the four taps' cubic-convolution weights (A = -0.75)."""
    dt = t.dtype.type
    A = dt(-0.75)
    d_near = lambda x: (dt(3) * (A + dt(2)) * x - dt(2) * (A + dt(3))) * x           # |x| <= 1
    d_far = lambda x: (dt(3) * A * x - dt(10) * A) * x + dt(8) * A                  # 1 < |x| < 2
    return [d_far(t + dt(1)), d_near(t), -d_near(dt(1) - t), -d_far(dt(2) - t)]


def _bicubic_tap(c, size, padding_mode, align_corners):
    """Integer index of a bicubic tap and whether it reads the input: torch pads each tap, not the
    sampling point (border clips it, reflection folds it back; zeros reads nothing outside)."""
    if padding_mode == 'reflection':
        c = _reflect(c, 0, 2 * (size - 1))[0] if align_corners else _reflect(c, -1, 2 * size - 1)[0]
    if padding_mode != 'zeros':
        c = np.clip(c, 0, size - 1)
    i = c.astype(np.int64)
    valid = (i >= 0) & (i < size)
    return np.clip(i, 0, size - 1), valid


def _cubic_weights_vec(t, fma):
    """The grid sampler's vectorised cubic coefficients: as _cubic_weights, the near taps' two steps fused
    (fma(fma(A + 2, x, -(A + 3)) * x, x, 1), as GCC contracted them; the far taps' polynomial is not)."""
    ft = t.dtype.type
    A = ft(-0.75)

    def near(v):
        return fma(fma(A + 2, v, -(A + 3)) * v, v, ft(1))

    def far(v):
        return ((A * v - 5 * A) * v + 8 * A) * v - 4 * A
    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _cubic_sum(vs, ws, fma, along_y=False):
    """sum(w * v) over the 4 taps in the order torch's vectorised kernel adds them, as GCC contracted it:
    along x fma(w0, v0, w1 * v1) then the other two products added unfused; along y a chain of fmas
    onto w0 * v0."""
    ws = [w[..., None] for w in ws]
    if fma is None:
        return functools.reduce(operator.add, [v * w for v, w in zip(vs, ws)])
    if along_y:
        return fma(ws[3], vs[3], fma(ws[2], vs[2], fma(ws[1], vs[1], ws[0] * vs[0])))
    return (fma(ws[0], vs[0], ws[1] * vs[1]) + ws[2] * vs[2]) + ws[3] * vs[3]


def _grid_sample_bicubic(input, grid, padding_mode, align_corners):
    """4-d bicubic grid_sample: interpolate each of the 4 tap rows along x, then the rows along y."""
    x, gr = input._data, grid._data
    N, C, H, W = x.shape
    fma = _cpu_fma(x, input._device) if input.dtype in (D.float32, D.float64) else None
    (ix, mx), (iy, my) = (_grid_coords(gr[..., a], size, 'zeros', align_corners, fma)
                          for a, size in ((0, W), (1, H)))
    x0, y0 = np.floor(ix), np.floor(iy)
    weights = _cubic_weights if fma is None else functools.partial(_cubic_weights_vec, fma=fma)
    wx, dwx = weights(ix - x0), _cubic_derivs(ix - x0)
    wy, dwy = weights(iy - y0), _cubic_derivs(iy - y0)
    xt = np.moveaxis(x, 1, -1)                      # (N, H, W, C)
    n_idx = np.arange(N, like=x).reshape(N, 1, 1)
    cols = [_bicubic_tap(x0 + (j - 1), W, padding_mode, align_corners) for j in range(4)]
    rows = [_bicubic_tap(y0 + (i - 1), H, padding_mode, align_corners) for i in range(4)]
    taps = [[(rows[i][0], cols[j][0], rows[i][1] & cols[j][1]) for j in range(4)] for i in range(4)]
    vals = [[xt[n_idx, yi, xi] * valid[..., None] for yi, xi, valid in row] for row in taps]
    along_x = [_cubic_sum(vals[i], wx, fma) for i in range(4)]
    out = _cubic_sum(along_x, wy, fma, along_y=True)
    r = _make(np.ascontiguousarray(np.moveaxis(out, -1, 1)), input.dtype, input._device)
    if _grad_on(input, grid):
        def bwd(node, g):   # on arrays: scatter to the 16 taps; the coordinate derivative from the weights'
            go = np.moveaxis(g._data, 1, -1)        # (N, Ho, Wo, C)
            gi = gg = None
            if needs(node, 0):
                gx = np.zeros_like(xt)
                for i in range(4):
                    for j in range(4):
                        yi, xi, valid = taps[i][j]
                        np.ufunc_at(np.add, gx, (np.broadcast_to(n_idx, valid.shape), yi, xi),
                                    go * (wx[j] * wy[i] * valid)[..., None])
                gi = _wrap(np.ascontiguousarray(np.moveaxis(gx, -1, 1)), input)
            if needs(node, 1):
                gix = giy = 0
                for i in range(4):
                    for j in range(4):
                        s = (vals[i][j] * go).sum(-1)
                        gix = gix + s * dwx[j] * wy[i]
                        giy = giy + s * dwy[i] * wx[j]
                gg = _wrap(np.stack([gix * mx, giy * my], -1), grid)
            return gi, gg
        _record('GridSampler2DBackward0', bwd, (input, grid), (r,))
    return r


# --- fractional max pooling ------------------------------------------------------------------------

def _fractional_starts(samples, n_in, n_out, k):
    """torch's generate_intervals, in the input's float type, for every (batch, plane) sample."""
    dt = samples.dtype.type
    seq = np.empty(samples.shape + (n_out,), np.int64, like=samples)
    if n_out > 1:
        alpha = dt(n_in - k) / dt(n_out - 1)
        i = np.arange(n_out - 1, dtype=samples.dtype, like=samples)
        seq[..., :-1] = ((i + samples[..., None]) * alpha).astype(np.int64) - \
            (samples * alpha).astype(np.int64)[..., None]
    if n_out > 0:
        seq[..., -1] = n_in - k
    return seq


def _fractional_max_pool(input, nd, kernel_size, output_size, output_ratio, random_samples):
    """torch.nn.functional's fractional_max_pool{2,3}d, then the checks of torch's kernel in its order."""
    import faketorch
    name = f'fractional_max_pool{nd}d'
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        if nd == 2 and len(output_ratio) > 2:       # torch's own check, which a single float fails
            raise ValueError("fractional_max_pool2d requires output_ratio to either be a single Int or tuple of Ints.")
        ratio = _ntuple(output_ratio, nd)
        output_size = [int(input.size(i - nd) * ratio[i]) for i in range(nd)]
    if random_samples is None:
        random_samples = faketorch.rand(1 if input.dim() == nd + 1 else input.size(0), input.size(-nd - 1), nd,
                                        dtype=input.dtype, device=input.device)
    ints = '' if nd == 2 else 'three '
    k, out = (list(v) if isinstance(v, (list, tuple)) else [v] * nd for v in (kernel_size, output_size))
    for what, v in (('kernel_size', k), ('output_size', out)):
        if len(v) != nd:
            raise RuntimeError(f"{name}: {what} must either be a single Int or tuple of {ints}Ints")
    where = f'{name}()' if nd == 2 else f'{name}_out()'
    shape = tuple(input.shape)
    if len(shape) not in (nd + 1, nd + 2):
        raise RuntimeError(f"{where}: Expected {nd + 1}D or {nd + 2}D tensor, but got: {list(shape)}")
    for i in range(1, len(shape)):
        if shape[i] == 0:
            raise RuntimeError(f"{where}: Expected input to have non-zero size for non-batch dimensions, but "
                               f"got{list(shape)} with dimension {i} being empty.")
    sp = shape[-nd:]
    for w, n, o, kk in zip(('time', 'height', 'width')[3 - nd:], sp, out, k):
        # (as observed: the 3-d kernel also refuses a last window ending at the input's end, and any
        # kernel larger than the input)
        if o + kk - 1 > n if nd == 2 else (o + kk - 1 >= n or kk > n):
            raise RuntimeError(f"{where}: pool {w} {kk} too large relative to input {w} {n}")
    oshape = shape[:-nd] + tuple(out)
    _negative_dim_check(oshape)
    _fractional_samples_check(input, random_samples, nd)
    if 0 in oshape:
        return _empty_pool(input, oshape, f'FractionalMaxPool{nd}DBackward0', with_indices=True)
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{name}_out_frame" not implemented for \'{D.type_name(input.dtype)}\'')
    batched = len(shape) == nd + 2
    x = input._data if batched else input._data[None]
    N, C = x.shape[:2]
    rs = random_samples._data[:N]
    # the samples are stored W first in 2-d (w, h) and T first in 3-d (t, h, w)
    order = (1, 0) if nd == 2 else (0, 1, 2)
    starts = [_fractional_starts(rs[..., order[i]], sp[i], out[i], k[i]) for i in range(nd)]
    # torch starts each window's maximum at -inf and at the window's first position (kept by an
    # empty window: a kernel size of 0 or less)
    best = np.full_like(x, -np.inf, shape=(N, C) + tuple(out))
    arg = 0
    for i in range(nd):
        arg = arg * sp[i] + starts[i].reshape((N, C) + (1,) * i + (out[i],) + (1,) * (nd - 1 - i))
    arg = np.array(np.broadcast_to(arg, best.shape))
    for off in np.ndindex(*(max(kk, 0) for kk in k)):
        v = x
        flat = 0
        for i in range(nd):
            pos = starts[i] + off[i]                                # (N, C, o_i)
            shp = (N, C) + (1,) * i + (out[i],) + (1,) * (nd - 1 - i)
            idx = pos.reshape(shp)
            full = list(v.shape)
            full[2 + i] = out[i]
            v = np.take_along_axis(v, np.broadcast_to(idx, tuple(full[:2 + i + 1]) + tuple(
                v.shape[2 + i + 1:])), axis=2 + i)
            flat = flat * sp[i] + idx
        upd = (v > best) | np.isnan(v)
        np.copyto(best, v, where=upd)
        np.copyto(arg, np.broadcast_to(flat, v.shape), where=upd)
    if not batched:
        best, arg = best[0], arg[0]
    r = _make(np.ascontiguousarray(best), input.dtype, input._device)     # C order for any input, as torch
    indices = _make(arg.astype(np.int64), D.int64, input._device)
    if _grad_on(input):
        lin, adj = _gather_flat(indices._data, nd)     # the gradient goes to each window's maximum
        _record_linear(f'FractionalMaxPool{nd}DBackward0', lambda g: adj(g, tuple(input.shape)), lin,
                       input, r)
    return r, indices


def _fractional_samples_check(input, samples, nd):
    if samples.dtype is not input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if samples.dim() != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.dim()}")
    batch, channels = (1, input.shape[0]) if input.dim() == nd + 1 else input.shape[:2]
    if samples.shape[0] < batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != channels:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.shape[2] != nd:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {nd}; got {samples.shape[2]}.")


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    return _fractional_max_pool(input, 2, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    return _fractional_max_pool(input, 3, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    r = _fractional_max_pool(input, 2, kernel_size, output_size, output_ratio, _random_samples)
    return r if return_indices else r[0]


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    r = _fractional_max_pool(input, 3, kernel_size, output_size, output_ratio, _random_samples)
    return r if return_indices else r[0]


__all__ += ['fractional_max_pool2d', 'fractional_max_pool3d', 'fractional_max_pool2d_with_indices',
            'fractional_max_pool3d_with_indices']
