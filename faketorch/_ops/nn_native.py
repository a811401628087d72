"""torch's native nn entry points: native_layer_norm, native_batch_norm, _native_batch_norm_legit,
native_group_norm, constant_pad_nd, grid_sampler_2d/3d.

Thin wrappers over torch.nn.functional (imported on first call, so `import faketorch` stays lazy);
the norms add the statistics torch returns beside the output: mean and 1/sqrt(var + eps), with
the statistic's dims kept as torch keeps them.
"""
from .. import _xnp as np
from .. import _dtype as D

from .._tensor import _make
from ..autograd.graph import node_class
from ._core import attach, register


def _F():
    from ..nn import functional
    return functional


def _stats(x, axes, eps):
    """mean and rstd of array x over axes (dims kept), as F's norms compute them."""
    from ..nn._functional_spatial import _moments
    mean, var, _ = _moments(x, axes)
    return mean, 1 / np.sqrt(var + x.dtype.type(eps))


def _wrap(arr, like):
    return _make(np.ascontiguousarray(arr), like.dtype, like._device)


def _rename(out, name):
    """Give out's grad_fn torch's name for this entry point. The node was made by F's op a moment
    ago and nothing else holds it; every grad_fn class is a slot-less Node, so the swap is safe."""
    if out._grad_fn is not None:
        out._grad_fn.__class__ = node_class(name)
    return out


def native_layer_norm(input, normalized_shape, weight, bias, eps):
    from ..nn._functional_spatial import _layer_norm_moments
    out = _F().layer_norm(input, normalized_shape, weight, bias, eps)
    x = input._data
    mean, var, _ = _layer_norm_moments(x, len(normalized_shape))
    return out, _wrap(mean, input), _wrap(1 / np.sqrt(var + x.dtype.type(eps)), input)


def _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    x = input._data
    if training:
        from ..nn._functional_spatial import _batch_stats_cpu
        stats = _batch_stats_cpu(x, eps)
        mean, invstd = stats[:2] if stats is not None else _stats(x, (0,) + tuple(range(2, x.ndim)), eps)
        mean, invstd = mean.reshape(-1), invstd.reshape(-1)
    else:       # torch saves nothing in evaluation: empty statistics
        mean = invstd = np.zeros(0, x.dtype)
    out = _F().batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
    return out, _wrap(mean, input), _wrap(invstd, input)


def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    return _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


def _native_batch_norm_legit(input, weight, bias, *args, **kwargs):
    """Two overloads: (running_mean, running_var, training, momentum, eps) and, without running
    statistics, (training, momentum, eps); torch names their nodes ...Backward0 and ...Backward1."""
    if len(args) + len(kwargs) == 3:
        r = _batch_norm(input, weight, bias, None, None, *_bind(args, kwargs, _NO_STATS))
        return (_rename(r[0], 'NativeBatchNormLegitBackward1'),) + r[1:]
    r = _batch_norm(input, weight, bias, *_bind(args, kwargs, _WITH_STATS))
    return (_rename(r[0], 'NativeBatchNormLegitBackward0'),) + r[1:]


_NO_STATS = ('training', 'momentum', 'eps')
_WITH_STATS = ('running_mean', 'running_var') + _NO_STATS


def _bind(args, kwargs, names):
    return tuple(args) + tuple(kwargs[n] for n in names[len(args):])


def native_group_norm(input, weight, bias, N, C, HxW, group, eps):
    """One node with three differentiable outputs: unlike layer and batch norm, torch lets
    gradients flow back from group norm's mean and rstd."""
    x = input._data
    if x.size != N * C * HxW:
        raise RuntimeError("Expected X.numel() == N * C * HxW to be true, but got false.  (Could this "
                           "error message be improved?  If so, please report an enhancement request to "
                           "PyTorch.)")
    out = _F().group_norm(input, group, weight, bias, eps)
    M = C // group * HxW        # each group's elements (spelled out: N may be 0)
    mean, rstd = _stats(x.reshape(N, group, M), (2,), eps)
    mean_t, rstd_t = _wrap(mean.reshape(N, group), input), _wrap(rstd.reshape(N, group), input)
    inner = out._grad_fn
    if inner is None:
        return out, mean_t, rstd_t

    def bwd(node, g_out, g_mean, g_rstd):
        gi, gw, gb = inner._fn(inner, g_out) if g_out is not None else (None, None, None)
        if g_mean is None and g_rstd is None:
            return gi, gw, gb
        # d mean/dx = 1/M and d rstd/dx = -rstd^3 (x - mean) / M over each group's M elements
        xg = input.reshape(N, group, M)
        extra = 0
        if g_mean is not None:
            extra = g_mean.unsqueeze(-1) / M
        if g_rstd is not None:
            m, r = mean_t.unsqueeze(-1), rstd_t.unsqueeze(-1)
            extra = extra - (g_rstd.unsqueeze(-1) * r * r * r) * (xg - m) / M
        extra = extra.expand(xg.shape).reshape(input.shape)
        return (extra if gi is None else gi + extra), gw, gb
    attach('NativeGroupNormBackward0', bwd, (input, weight, bias), (out, mean_t, rstd_t))
    return out, mean_t, rstd_t


def constant_pad_nd(input, pad, value=0):
    return _F().pad(input, pad, 'constant', value)


_INTERPOLATION = ('bilinear', 'nearest', 'bicubic')
_PADDING = ('zeros', 'border', 'reflection')


def _grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners):
    return _F().grid_sample(input, grid, _INTERPOLATION[interpolation_mode], _PADDING[padding_mode],
                            align_corners)


def grid_sampler_2d(input, grid, interpolation_mode, padding_mode, align_corners):
    return _grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def grid_sampler_3d(input, grid, interpolation_mode, padding_mode, align_corners):
    return _grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners):
    return _grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def affine_grid_generator(theta, size, align_corners):
    if not isinstance(align_corners, bool):
        raise TypeError("affine_grid_generator(): argument 'align_corners' (position 3) must be bool, not "
                        f"{type(align_corners).__name__}")
    return _F().affine_grid(theta, size, align_corners)


def conv_tbc(input, weight, bias, pad=0):
    """A 1-d convolution over (time, batch, channels) with a (kernel, in, out) weight: conv1d on the
    transposed operands, one node named as torch's."""
    for t, n, msg in ((input, 3, "Input must have 3 dims: time, batch, in_channel"),
                      (weight, 3, "Weight tensor must have 3 dims: kernel_width, in_channels, out_channels."),
                      (bias, 1, "Bias must be 1-D")):
        if t.dim() != n:
            raise RuntimeError(msg)
    if input.shape[2] != weight.shape[1]:
        raise RuntimeError("Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    if bias.shape[0] != weight.shape[2]:
        raise RuntimeError("Bias size must equal dim 2 in the weight tensor (output channels).")
    t_out = input.shape[0] + 2 * pad - weight.shape[0] + 1
    if t_out < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {t_out}: "
                           f"[{t_out}, {input.shape[1]}, {weight.shape[2]}]")
    out = _F().conv1d(input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, padding=pad)
    return _rename(out.permute(2, 0, 1).contiguous(), 'ConvTbcBackward0')


def _cuda_only(name, overload=None):
    """native_norm: torch has no CPU kernel for it."""
    from ._core import dispatcher_error

    def f(input, *args, **kwargs):
        raise dispatcher_error(name if overload is None or len(args) < 2 else f'{name}.{overload}', 'CPU')
    f.__name__ = f.__qualname__ = name
    return f


# --- SyncBatchNorm's kernels: CUDA only in torch (a CPU input gets its dispatcher error) ----------------------
# Written from the batch-norm formulas; no CUDA oracle checked them (they agree with F.batch_norm's values and
# gradients when put together as SyncBatchNorm does).

def _cuda_kernel(f):
    def g(*args):
        t = args[1] if f.__name__.startswith('batch_norm_backward') else args[0]
        if t._device.type != 'cuda':
            from ._core import dispatcher_error
            raise dispatcher_error(f.__name__, 'CPU')
        from ..autograd import no_grad
        with no_grad():
            return f(*args)
    g.__name__ = g.__qualname__ = f.__name__
    return g


def _per_channel(v, x):
    return v.reshape((1, -1) + (1,) * (x.dim() - 2))


def _reduce_dims(x):
    return (0,) + tuple(range(2, x.dim()))


def _acc(x):        # torch's CUDA kernels keep statistics of half inputs in float32
    return x.float() if x.dtype in (D.float16, D.bfloat16) else x


@_cuda_kernel
def batch_norm_stats(input, eps):
    x = _acc(input)
    mean = x.mean(_reduce_dims(x))
    return mean, (x.var(_reduce_dims(x), correction=0) + eps).rsqrt()


@_cuda_kernel
def batch_norm_elemt(input, weight, bias, mean, invstd, eps):
    out = (_acc(input) - _per_channel(mean, input)) * _per_channel(invstd, input)
    if weight is not None:
        out = out * _per_channel(weight, input)
    if bias is not None:
        out = out + _per_channel(bias, input)
    return out.to(input.dtype)


def _gather(mean, invstd, running_mean, running_var, momentum, eps, counts):
    """Every worker's (count, mean, invstd) merged into the whole batch's mean and invstd; the running
    statistics take the unbiased variance."""
    c = counts.to(mean.dtype).reshape(-1, 1)
    total = c.sum()
    mean_all = (c * mean).sum(0) / total
    var_all = (c * ((invstd * invstd).reciprocal() - eps + (mean - mean_all) ** 2)).sum(0) / total
    if running_mean is not None:
        running_mean.mul_(1 - momentum).add_(mean_all.to(running_mean.dtype), alpha=momentum)
    if running_var is not None:
        unbiased = var_all * total / (total - 1)
        running_var.mul_(1 - momentum).add_(unbiased.to(running_var.dtype), alpha=momentum)
    return mean_all, (var_all + eps).rsqrt()


@_cuda_kernel
def batch_norm_gather_stats_with_counts(input, mean, invstd, running_mean, running_var, momentum, eps, counts):
    return _gather(mean, invstd, running_mean, running_var, momentum, eps, counts)


@_cuda_kernel
def batch_norm_gather_stats(input, mean, invstd, running_mean, running_var, momentum, eps, count):
    from .factory import full
    counts = full((mean.shape[0],), count, dtype=mean.dtype, device=mean.device)
    return _gather(mean, invstd, running_mean, running_var, momentum, eps, counts)


@_cuda_kernel
def batch_norm_backward_reduce(grad_out, input, mean, invstd, weight, input_g, weight_g, bias_g):
    dims = _reduce_dims(input)
    g = _acc(grad_out)
    sum_dy = g.sum(dims)
    sum_dy_xmu = (g * (_acc(input) - _per_channel(mean, input))).sum(dims)
    grad_weight = (sum_dy_xmu * invstd).to(weight.dtype) if weight_g and weight is not None else None
    grad_bias = sum_dy.to(weight.dtype) if bias_g and weight is not None else None
    return (sum_dy if input_g else None), (sum_dy_xmu if input_g else None), grad_weight, grad_bias


@_cuda_kernel
def batch_norm_backward_elemt(grad_out, input, mean, invstd, weight, sum_dy, sum_dy_xmu, count):
    total = count.sum().to(sum_dy.dtype)
    m, r = _per_channel(mean, input), _per_channel(invstd, input)
    x, g = _acc(input), _acc(grad_out)
    gi = (g - _per_channel(sum_dy / total, input) - (x - m) * r * r * _per_channel(sum_dy_xmu / total, input)) * r
    if weight is not None:
        gi = gi * _per_channel(weight, input)
    return gi.to(input.dtype)


def batch_norm_update_stats(input, running_mean, running_var, momentum):
    """The batch's mean and (biased) variance per channel; the running statistics given take the mean and the
    unbiased variance."""
    dims = (0,) + tuple(range(2, input.dim()))
    from ..autograd import no_grad
    with no_grad():
        mean = input.mean(dims)
        var = input.var(dims, correction=0)
        if running_mean is not None:
            running_mean.mul_(1 - momentum).add_(mean.to(running_mean.dtype), alpha=momentum)
        if running_var is not None:
            n = input.numel() // max(input.shape[1], 1)
            running_var.mul_(1 - momentum).add_((var * (n / max(n - 1, 1))).to(running_var.dtype), alpha=momentum)
    return mean, var


for _f in (native_layer_norm, native_batch_norm, _native_batch_norm_legit, native_group_norm,
           constant_pad_nd, grid_sampler_2d, grid_sampler_3d, grid_sampler, affine_grid_generator, conv_tbc,
           batch_norm_update_stats):
    register(_f, method=False)
for _f in (batch_norm_stats, batch_norm_elemt, batch_norm_gather_stats, batch_norm_gather_stats_with_counts,
           batch_norm_backward_reduce, batch_norm_backward_elemt):
    register(_f, method=False)
register(_cuda_only('native_norm', 'ScalarOpt_dim_dtype'), method=False)
