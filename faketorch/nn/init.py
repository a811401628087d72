"""nn.init: in-place initialisers, drawing from the generator exactly as torch's own code does."""
import math
import warnings

from ..autograd.grad_mode import state as _grad_state

__all__ = ['calculate_gain', 'uniform_', 'normal_', 'trunc_normal_', 'constant_', 'ones_', 'zeros_',
           'eye_', 'dirac_', 'xavier_uniform_', 'xavier_normal_', 'kaiming_uniform_', 'kaiming_normal_',
           'orthogonal_', 'sparse_', 'uniform', 'normal', 'constant', 'eye', 'dirac', 'xavier_uniform',
           'xavier_normal', 'kaiming_uniform', 'kaiming_normal', 'orthogonal', 'sparse']


class _no_grad:
    def __enter__(self):
        self.prev = _grad_state.enabled
        _grad_state.enabled = False

    def __exit__(self, *a):
        _grad_state.enabled = self.prev


_LINEAR_FNS = ('linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d',
               'conv_transpose3d')


def calculate_gain(nonlinearity, param=None):
    if nonlinearity in _LINEAR_FNS or nonlinearity == 'sigmoid':
        return 1
    if nonlinearity == 'tanh':
        return 5.0 / 3
    if nonlinearity == 'relu':
        return math.sqrt(2.0)
    if nonlinearity == 'leaky_relu':
        if param is None:
            slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            slope = param
        else:
            raise ValueError(f'negative_slope {param} not a valid number')
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == 'selu':
        return 3.0 / 4
    raise ValueError(f'Unsupported nonlinearity {nonlinearity}')


def _calculate_fan_in_and_fan_out(tensor):
    if tensor.dim() < 2:
        raise ValueError('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions')
    rf = 1
    for s in tensor.shape[2:]:
        rf *= s
    return tensor.size(1) * rf, tensor.size(0) * rf


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    valid = ['fan_in', 'fan_out']
    if mode not in valid:
        raise ValueError(f'Mode {mode} not supported, please use one of {valid}')
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == 'fan_in' else fan_out


def _gen_kw(generator):
    return {} if generator is None else {'generator': generator}


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    with _no_grad():
        return tensor.uniform_(a, b, **_gen_kw(generator))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    with _no_grad():
        return tensor.normal_(mean, std, **_gen_kw(generator))


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Rejection sampling as torch 2.13 does: redraw normals outside [a, b] when most of the mass is
    inside; otherwise uniform proposals on [a, b] accepted against the normal's log-density."""
    if tensor.is_meta:
        return tensor
    def norm_cdf(x):
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn('mean is more than 2 std from [a, b] in nn.init.trunc_normal_. '
                      'The distribution of values may be incorrect.', stacklevel=2)
    from .. import where, empty_like
    kw = _gen_kw(generator)
    with _no_grad():
        if norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std) > 0.3:
            lo = tensor.new_tensor(a).item()
            hi = tensor.new_tensor(b).item()
            result = tensor.normal_(mean, std, **kw)
            while True:
                mask = (result < lo) | (result > hi)
                if not mask.any():
                    break
                result = where(mask, empty_like(result).normal_(mean, std, **kw), result)
            if tensor is not result:
                tensor.copy_(result)
            return tensor
        mode = max(a, min(mean, b))
        log_peak = -0.5 * ((mode - mean) / std) ** 2

        def log_ratio(c):
            return c.sub(mean).div(std).pow(2).mul(-0.5).sub(log_peak)
        accept = empty_like(tensor)
        tensor.uniform_(a, b, **kw)
        pending = accept.uniform_(**kw).log().gt(log_ratio(tensor))
        if pending.any():
            result = tensor
            cand = empty_like(tensor)
            while True:
                cand.uniform_(a, b, **kw)
                result = where(pending, cand, result)
                pending = where(pending, accept.uniform_(**kw).log().gt(log_ratio(cand)), pending)
                if not pending.any():
                    break
            tensor.copy_(result)
        return tensor


def constant_(tensor, val):
    with _no_grad():
        return tensor.fill_(val)


def ones_(tensor):
    with _no_grad():
        return tensor.fill_(1.0)


def zeros_(tensor):
    with _no_grad():
        return tensor.zero_()


def eye_(tensor):
    if tensor.ndimension() != 2:
        raise ValueError('Only tensors with 2 dimensions are supported')
    from .._ops._core import write_into
    # torch.eye(out=tensor): zeros, ones on the diagonal, one write as the version counter sees it
    write_into(tensor._data, 0, fill=True)
    write_into(tensor.diagonal()._data, 1, fill=True)
    tensor._vc[0] += 1
    return tensor


def dirac_(tensor, groups=1):
    d = tensor.ndimension()
    if d not in (3, 4, 5):
        raise ValueError('Only tensors with 3, 4, or 5 dimensions are supported')
    sizes = tensor.size()
    if sizes[0] % groups != 0:
        raise ValueError('dim 0 must be divisible by groups')
    if tensor.is_meta:      # as torch: returned before its writes (the version counter does not move)
        return tensor
    out_per = sizes[0] // groups
    min_dim = min(out_per, sizes[1])
    centre = tuple(s // 2 for s in sizes[2:])
    with _no_grad():
        tensor.zero_()
        # one write per ones entry, as torch does (the version counter shows it)
        for g in range(groups):
            for i in range(min_dim):
                tensor[(g * out_per + i, i) + centre] = 1
    return tensor


def xavier_uniform_(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu', generator=None):
    if 0 in tensor.shape:
        warnings.warn('Initializing zero-element tensors is a no-op', stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    with _no_grad():
        return tensor.uniform_(-bound, bound, **_gen_kw(generator))


def kaiming_normal_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu', generator=None):
    if 0 in tensor.shape:
        warnings.warn('Initializing zero-element tensors is a no-op', stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    with _no_grad():
        return tensor.normal_(0, std, **_gen_kw(generator))


def orthogonal_(tensor, gain=1, generator=None):
    from .. import linalg, diag
    if tensor.ndimension() < 2:
        raise ValueError('Only tensors with 2 or more dimensions are supported')
    if tensor.numel() == 0 or tensor.is_meta:      # as torch: nothing to orthogonalize
        return tensor
    rows = tensor.size(0)
    cols = tensor.numel() // rows
    flat = tensor.new_empty((rows, cols)).normal_(0, 1, **_gen_kw(generator))
    if rows < cols:
        flat.t_()
    q, r = linalg.qr(flat)
    q *= diag(r, 0).sign()
    if rows < cols:
        q.t_()
    with _no_grad():
        tensor.view_as(q).copy_(q)
        tensor.mul_(gain)
    return tensor


def sparse_(tensor, sparsity, std=0.01, generator=None):
    from .. import randperm
    if tensor.ndimension() != 2:
        raise ValueError('Only tensors with 2 dimensions are supported')
    if tensor.is_meta:      # torch returns before its row permutations, drawn on the CPU
        return tensor
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    with _no_grad():
        tensor.normal_(0, std, **_gen_kw(generator))
        # torch draws the row permutations from the default generator, not from `generator`
        for c in range(cols):
            tensor[randperm(rows)[:num_zeros], c] = 0
    return tensor


def _deprecated(new):
    def f(*args, **kwargs):
        warnings.warn(f'`nn.init.{new.__name__[:-1]}` is now deprecated in favor of '
                      f'`nn.init.{new.__name__}`.', FutureWarning, stacklevel=2)
        return new(*args, **kwargs)
    f.__name__ = new.__name__[:-1]
    f.__doc__ = (f'\n    {f.__name__}(...)\n\n    .. warning::\n        This method is now deprecated in favor of '
                 f':func:`torch.nn.init.{new.__name__}`.\n\n    See :func:`~torch.nn.init.{new.__name__}` for details.')
    return f


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)

