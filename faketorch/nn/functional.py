"""torch.nn.functional: activations, linear, dropout, embedding, distances, attention and losses.

Fused ops (softmax, log_softmax, gelu, nll_loss, the BCE losses, mse ...) are single graph nodes
with torch's grad_fn names and formulas; torch's own composites are written as compositions so
their grad_fn chains match. Spatial ops (conv, pooling, norms, interpolate ...) live in
_functional_spatial and are re-exported at the end.
"""
import functools
import math
import warnings

from .. import _xnp as np

from .. import _dtype as D
from .._device import xp_of
from .._tensor import Tensor, _make, _wrap_dim
from ..autograd.grad_mode import state as grad_state
from .._ops._core import (attach, broadcast_shapes, guard, needs, register, check_inplace, commit_inplace,
                          same_device)
from .._ops import blas as _blas
from .._ops.misc import where as _where
from .._ops.pointwise import _clamp_to, _select_zero, _zero_where
from .._ops.blas import matmul as _matmul

_f32 = np.float32


# --- helpers ---------------------------------------------------------------------------------------

def _grad_needed(*ts):
    if not grad_state.enabled:
        return False
    for t in ts:
        if t is not None and t._requires_grad:
            return True
    return False


def _inplace(input, result):
    check_inplace(input)
    return commit_inplace(input, result)


def _not_implemented(kernel, t):
    return NotImplementedError(f'"{kernel}" not implemented for \'{D.type_name(t.dtype)}\'')


def _float_only(kernel, t):
    if t.dtype._cat != 2:
        raise _not_implemented(kernel, t)


_erf_impl = None


def _erf(a):
    """erf on an array, via faketorch.erf once that op is implemented (else a math.erf fallback)."""
    global _erf_impl
    if _erf_impl is None:
        try:
            from .._ops.pointwise import erf as _terf
            _terf(_make(np.zeros(1, _f32), D.float32))
            _erf_impl = lambda x: _terf(_make(x, D.from_numpy_dtype(x.dtype))).detach()._data  # noqa: E731
        except Exception:
            uf = np.frompyfunc(math.erf, 1, 1)
            _erf_impl = lambda x: uf(x.astype(np.float64)).astype(x.dtype)  # noqa: E731
    return _erf_impl(a)


def _fused(gname, inputs, fn):
    """fn(*inputs) computed as ONE graph node named gname (torch has a fused kernel here; we compose).

    The composite runs on detached aliases; the node's backward differentiates that sub-graph."""
    if not _grad_needed(*inputs):
        return fn(*inputs)
    from ..autograd import grad as _agrad
    leaves = []
    for t in inputs:
        if t is not None and t._requires_grad:
            a = t.detach()
            a._requires_grad = True
            leaves.append(a)
        else:
            leaves.append(t)
    prev = grad_state.enabled
    grad_state.enabled = True
    try:
        sub = fn(*leaves)
    finally:
        grad_state.enabled = prev
    r = _make(sub._data, sub.dtype, sub._device)
    diff = [i for i, t in enumerate(inputs) if t is not None and t._requires_grad]

    def bwd(node, g):
        gs = _agrad(sub, [leaves[i] for i in diff], g, retain_graph=True, create_graph=grad_state.enabled,
                    allow_unused=True)
        out = [None] * len(inputs)
        for i, gi in zip(diff, gs):
            out[i] = gi
        return tuple(out)
    attach(gname, bwd, tuple(inputs), (r,))
    return r


def _rename(t, gname):
    """Give t's grad_fn torch's name (C++ composites use Scalar overloads: DivBackward1 ...)."""
    if t._grad_fn is not None:
        from ..autograd.graph import node_class
        t._grad_fn.__class__ = node_class(gname)
    return t


class _no_grad:
    def __enter__(self):
        self.prev = grad_state.enabled
        grad_state.enabled = False

    def __exit__(self, *a):
        grad_state.enabled = self.prev


# --- pointwise activations: one node each ---------------------------------------------------------

# Backward kernels that select (`x <= t ? 0 : g`) are written as selects, not as g * mask: a product
# gives -0.0 for a negative g and NaN for an inf or NaN g where torch gives 0.

def _act(gname, kernel, fwd, deriv, save='x', double=True, check=None, inplace_deriv=None):
    """An activation `f(input, *params, inplace=False)`: fwd(array, *params) -> array; deriv(g, saved,
    *params). Under create_graph the derivative is itself one node, '<Name>BackwardBackward0', as
    torch's (double=False where torch's backward is a composite: silu, mish). inplace_deriv: where
    torch's in-place form (f_, f(inplace=True)) has a node of its own, '<Name>Backward1': 'x' for the
    same derivative, or a derivative (g, result, *params) taken from the result (the input is gone)."""
    gname2 = gname[:-1] + 'Backward0'

    def backward(d):
        def bwd(node, g):
            s, params = node.saved_tensors[0], node._args
            if double and grad_state.enabled:
                return _fused(gname2, (g, s), lambda g, s: d(g, s, *params))
            return d(g, s, *params)
        return bwd
    bwd = backward(deriv)
    bwd_inplace = backward(inplace_deriv) if callable(inplace_deriv) else bwd

    def op(input, *params, inplace=False):
        if check is None:
            _float_only(kernel, input)
        else:
            check(input, *params)
        r = _make(fwd(input._data, *params), input.dtype, input._device)
        if input._requires_grad and grad_state.enabled:
            saved = (input,) if save == 'x' else (r,)
            if not inplace or inplace_deriv is None:
                attach(gname, bwd, (input,), (r,), save=saved, args=params)
            else:
                attach(gname[:-1] + '1', bwd_inplace, (input,), (r,), args=params,
                       save=(r,) if callable(inplace_deriv) else saved)
        return _inplace(input, r) if inplace else r
    return op


def _negative_slope_check(slope, what):
    if slope < 0:
        raise RuntimeError(_NEGATIVE_SLOPE[what])


_NEGATIVE_SLOPE = {
    'elu': 'In-place elu backward calculation is triggered with a negative slope which is not supported. '
           'This is caused by calling in-place forward function with a negative slope, please call '
           'out-of-place version instead.',
    'leaky_relu': 'In-place leakyReLu backward calculation is triggered with a negative slope which is not '
                  'supported. This is caused by calling in-place forward function with a negative slope, '
                  'please call out-of-place version instead. File an issue at https://github.com/pytorch/pytorch '
                  'if you do require supporting in-place leakRelu backward calculation with negative slope',
}


def _elu_fwd(a, alpha, scale, input_scale):
    t = a.dtype.type
    neg = (np.expm1(a * t(input_scale)) * t(alpha * scale)).astype(a.dtype, copy=False)
    return np.where(a > 0, a * t(scale), neg)


def _elu_bwd(g, x, alpha, scale, input_scale):
    return _where(x <= 0, g * ((x * input_scale).exp() * (input_scale * scale * alpha)), g * scale)


def _elu_bwd_result(g, r, alpha, scale, input_scale):
    _negative_slope_check(alpha, 'elu')
    return _where(r <= 0, g * input_scale * (r + alpha * scale), g * scale)


_elu = _act('EluBackward0', 'elu', _elu_fwd, _elu_bwd, inplace_deriv=_elu_bwd_result)
_celu = _act('CeluBackward0', 'elu', _elu_fwd, _elu_bwd, inplace_deriv=_elu_bwd_result)


def _gelu_fwd(a, approximate):
    t = a.dtype.type
    if approximate == 'tanh':
        inner = t(math.sqrt(2.0 / math.pi)) * (a + t(0.044715) * a * a * a)
        return t(0.5) * a * (t(1) + np.tanh(inner))
    cdf2 = t(1) + _erf(a * t(1 / math.sqrt(2.0)))
    if a.dtype != _f32 or type(a) is not np.ndarray or a.size < 2 or not a.flags.c_contiguous:
        return a * t(0.5) * cdf2
    # torch's CPU float32 kernel takes a SIMD path for a contiguous tensor of 2 or more elements: it
    # halves last (inf above FLT_MAX / 2) and its erf(+inf) is NaN (a lone or strided element gets inf)
    np.copyto(cdf2, t(np.nan), where=a == t(np.inf))
    return a * cdf2 * t(0.5)


def _gelu_bwd(g, x, approximate):
    if approximate == 'tanh':
        beta = math.sqrt(2.0) * (2.0 / math.sqrt(math.pi)) * 0.5
        k = 0.044715
        xsq = x * x
        th = ((x + xsq * x * k) * beta).tanh()
        left_d = (th + 1) * 0.5
        right_d = x * 0.5 * (1 - th * th) * beta * (xsq * (3 * k) + 1)
        return g * (left_d + right_d)
    cdf = (_erf_t(x * (1 / math.sqrt(2.0))) + 1) * 0.5
    pdf = (x * x * -0.5).exp() * (1 / math.sqrt(2 * math.pi))
    return g * (cdf + x * pdf)


def _erf_t(x):
    from .. import erf
    try:
        return erf(x)
    except Exception:
        return _make(_erf(x._data), x.dtype, x._device)


_gelu = _act('GeluBackward0', 'GeluKernelImpl', _gelu_fwd, _gelu_bwd)


def _silu_fwd(a):
    return a / (a.dtype.type(1) + np.exp(-a))


def _silu_bwd(g, x):
    s = x.sigmoid()
    return g * s * (1 + x * (1 - s))


def _softplus_fwd(a, beta, threshold):
    t = a.dtype.type
    z = a * t(beta)
    with np.errstate(over='ignore'):
        return np.where(z > threshold, a, np.log1p(np.exp(z)) / t(beta))


def _softplus_bwd(g, x, beta, threshold):
    z = (x * beta).exp()
    return _where(x * beta > threshold, g, g * z / (z + 1))


def _mish_fwd(a):
    with np.errstate(over='ignore'):
        return a * np.tanh(np.log1p(np.exp(a)))


def _mish_bwd(g, x):
    sp = x.exp().log1p().tanh()
    return g * (sp + x * x.sigmoid() * (1 - sp * sp))


def _logsigmoid_fwd(a):
    return np.minimum(a, a.dtype.type(0)) - np.log1p(np.exp(-np.abs(a)))


def _logsigmoid_bwd(g, x):
    z = (-x.abs()).exp()
    neg = (x < 0).to(x.dtype)
    sign = neg * 2 - 1
    return g * (neg - sign * (z / (z + 1)))


_silu = _act('SiluBackward0', 'silu', _silu_fwd, _silu_bwd, double=False)
_softplus = _act('SoftplusBackward0', 'softplus', _softplus_fwd, _softplus_bwd)
_mish = _act('MishBackward0', 'mish', _mish_fwd, _mish_bwd, double=False)
_logsigmoid = _act('LogSigmoidBackward0', 'log_sigmoid_cpu', _logsigmoid_fwd, _logsigmoid_bwd)


def _slope_factor(a, s):
    """`a > 0 ? 1 : s` (s a number or an array that broadcasts, a's dtype): leaky_relu and prelu are a
    times it and their derivatives g times it, torch's selects exactly (x * 1 is x). Built as
    (a > 0) * (1 - s) + s where that sum rounds to 1 (every s in [0, 1]): np.where runs several
    times slower on an unpredictable condition."""
    t = a.dtype.type
    s = t(s) if isinstance(s, (int, float)) else s.astype(a.dtype, copy=False)
    one_minus = t(1) - s
    if (one_minus + s != 1).any() or np.signbit(s).any():
        return np.where(a > 0, t(1), s)
    f = (a > 0).astype(a.dtype)
    f *= one_minus
    f += s
    return f


def _leaky_fwd(a, s):
    return a * _slope_factor(a, s)


def _leaky_bwd(g, x, s):
    return g * _make(_slope_factor(x._data, s), x.dtype, x._device)


def _leaky_bwd_result(g, r, s):
    _negative_slope_check(s, 'leaky_relu')
    return _leaky_bwd(g, r, s)


_leaky = _act('LeakyReluBackward0', 'leaky_relu_cpu', _leaky_fwd, _leaky_bwd, inplace_deriv=_leaky_bwd_result)
# rrelu out of training is leaky_relu with the mean slope
_rrelu_eval = _act('RreluWithNoiseBackward0', 'rrelu_with_noise', _leaky_fwd, _leaky_bwd,
                   inplace_deriv=_leaky_bwd_result)


def _hardtanh_check(t, lo, hi):
    # torch clamps any real dtype; scalar limits are cast (truncated) to the input's dtype
    c = t.dtype._cat
    if c == 0:
        raise RuntimeError('Bool inputs not supported for hardtanh')
    if c == 3:
        raise NotImplementedError('clamp is not supported for complex types')
    if c == 1 and t._data.dtype.kind == 'u' and (lo < 0 or hi < 0):
        raise RuntimeError('cannot do hardtanh on an unsigned type with negative limits')


def _threshold_check(t, th, v):
    if t.dtype._cat in (0, 3):
        raise _not_implemented('threshold_cpu', t)


_ONE_SIXTH = float(np.float32(1 / 6))        # torch's hardsigmoid backward scales by the float 1/6, doubles too

_hardtanh = _act('HardtanhBackward0', 'hardtanh',
                 lambda a, lo, hi: _clamp_to(np.minimum, _clamp_to(np.maximum, a, a.dtype.type(lo)), a.dtype.type(hi)),
                 lambda g, x, lo, hi: _zero_where((x <= lo) | (x >= hi), g), check=_hardtanh_check)
_hardsigmoid = _act('HardsigmoidBackward0', 'hardsigmoid',
                    lambda a: np.clip(a + a.dtype.type(3), 0, 6) / a.dtype.type(6),
                    lambda g, x: _zero_where(~((x > -3) & (x < 3)), g * _ONE_SIXTH))
_hardswish = _act('HardswishBackward0', 'hardswish',
                  lambda a: a * np.clip(a + a.dtype.type(3), 0, 6) / a.dtype.type(6),
                  lambda g, x: _zero_where(x <= -3, _where(x < 3, g * (x / 3 + 0.5), g)))
# torch's shrinks and threshold test `-l <= x <= l` / `x <= t`, so a NaN input passes through
_softshrink = _act('SoftshrinkBackward0', 'softshrink',
                   lambda a, l: np.where(a > l, a - a.dtype.type(l),
                                         np.where(a < -l, a + a.dtype.type(l), a * a.dtype.type(0))),
                   lambda g, x, l: _zero_where((x >= -l) & (x <= l), g))
_hardshrink = _act('HardshrinkBackward0', 'hardshrink',
                   lambda a, l: _select_zero((a >= -l) & (a <= l), a),
                   lambda g, x, l: _zero_where((x >= -l) & (x <= l), g))
_threshold = _act('ThresholdBackward0', 'threshold',
                  lambda a, th, v: np.where(a <= a.dtype.type(th), a.dtype.type(v), a),
                  lambda g, x, th, v: _zero_where(x <= th, g), check=_threshold_check, inplace_deriv='x')


def elu(input, alpha=1.0, inplace=False):
    return _elu(input, alpha, 1.0, 1.0, inplace=inplace)


def selu(input, inplace=False):
    return _elu(input, 1.6732632423543772848170429916717, 1.0507009873554804934193349852946, 1.0, inplace=inplace)


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise RuntimeError('ZeroDivisionError')
    return _celu(input, alpha, 1.0, 1.0 / alpha, inplace=inplace)


def gelu(input, approximate='none'):
    if approximate not in ('none', 'tanh'):
        raise RuntimeError('approximate argument must be either none or tanh.')
    return _gelu(input, approximate)


def silu(input, inplace=False):
    return _silu(input, inplace=inplace)


def mish(input, inplace=False):
    return _mish(input, inplace=inplace)


def softplus(input, beta=1.0, threshold=20.0):
    return _softplus(input, beta, threshold)


def logsigmoid(input):
    return _logsigmoid(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _leaky(input, negative_slope, inplace=inplace)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError('min_val cannot be greater than max_val')
    return _hardtanh(input, min_val, max_val, inplace=inplace)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input, inplace=False):
    return _hardsigmoid(input, inplace=inplace)


def hardswish(input, inplace=False):
    return _hardswish(input, inplace=inplace)


def softshrink(input, lambd=0.5):
    return _softshrink(input, lambd)


def hardshrink(input, lambd=0.5):
    return _hardshrink(input, lambd)


def threshold(input, threshold, value, inplace=False):
    return _threshold(input, threshold, value, inplace=inplace)


def relu(input, inplace=False):
    from .. import relu as _relu
    r = _relu(input)
    return _inplace(input, r) if inplace else r


def relu_(input):
    return relu(input, inplace=True)


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def threshold_(input, threshold_, value):
    return threshold(input, threshold_, value, inplace=True)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, inplace=True)


def selu_(input):
    return selu(input, inplace=True)


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    from .. import empty_like, zeros_like
    if eps != 1e-10:
        warnings.warn('`eps` parameter is deprecated and has no effect.', stacklevel=2)
    gumbels = -empty_like(logits).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def tanhshrink(input):
    return input - input.tanh()


def softsign(input):
    return input / (input.abs() + 1)


def glu(input, dim=-1):
    if input.dim() == 0:
        raise RuntimeError('glu does not support scalars because halving size must be even')
    d = dim % input.dim()
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f'Halving dimension must be even, but dimension {d} is size {n}')
    a, b = np.split(input._data, 2, axis=d)
    sb = 1 / (1 + np.exp(-b))
    r = _make((a * sb).astype(input._data.dtype, copy=False), input.dtype, input._device)
    if input._requires_grad and grad_state.enabled:
        def bwd(node, g):
            x, = node.saved_tensors
            xa, xb = x.chunk(2, d)
            s = xb.sigmoid()
            from .. import cat
            return cat([g * s, g * xa * s * (1 - s)], d)
        attach('GluBackward0', bwd, (input,), (r,), save=(input,))
    return r


def prelu(input, weight):
    _float_only('prelu', input)
    w = weight._data
    if weight.numel() != 1:
        ch = input.shape[1] if input.dim() >= 2 else (input.shape[0] if input.dim() == 1 else 1)
        if weight.numel() != ch:
            raise RuntimeError(f'Mismatch of parameter numbers and input channel size. Found parameter '
                               f'numbers = {weight.numel()} and channel size = {ch}.')
    shape = [1] * input.dim()
    if input.dim() >= 2:
        shape[1] = weight.numel()
    elif input.dim() == 1 and weight.numel() != 1:
        shape[0] = weight.numel()
    wb = w.reshape(shape) if input.dim() else w.reshape(())
    a = input._data
    r = _make(a * _slope_factor(a, wb), input.dtype, input._device)
    if _grad_needed(input, weight):
        def bwd(node, g):
            x, wt = node.saved_tensors
            wv = wt.reshape(shape) if x.dim() else wt.reshape(())
            gx = None
            if needs(node, 0):      # under create_graph, differentiable in the weight too
                gx = _where(x > 0, g, g * wv) if grad_state.enabled else \
                    g * _make(_slope_factor(x._data, wv._data), x.dtype, x._device)
            gw = None
            if needs(node, 1):
                gfull = _zero_where(x > 0, g * x)
                gw = gfull.sum_to_size(wv.shape).reshape(wt.shape) if x.dim() else gfull.reshape(wt.shape)
            return gx, gw
        attach('PreluKernelBackward0', bwd, (input, weight), (r,), save=(input, weight))
    return r


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    if not training:
        return _rrelu_eval(input, (lower + upper) / 2, inplace=inplace)
    # torch draws one double uniform per non-positive element, in order
    neg = input._data <= 0
    from .._ops.factory import empty
    t = input._data.dtype.type          # the bounds pass through the input's precision first
    draws = empty(int(neg.sum()), dtype=D.float64).uniform_(float(t(lower)), float(t(upper)))
    draws = draws._data.astype(input._data.dtype)
    nd = xp_of(input._device).ones(input._data.shape, input._data.dtype)
    nd[neg] = draws
    r = _make((input._data * nd).astype(input._data.dtype, copy=False), input.dtype, input._device)
    if input._requires_grad and grad_state.enabled:
        nt = _make(nd, input.dtype, input._device)
        attach('RreluWithNoiseBackward1' if inplace else 'RreluWithNoiseBackward0', lambda node, g: g * nt,
               (input,), (r,))
    return _inplace(input, r) if inplace else r


# --- softmax family --------------------------------------------------------------------------------

# on a GPU, one kernel per call for the last-dim log_softmax and its backward, and for a 2-d
# nll_loss without weights (cross_entropy's usual case); a thread per row, the NumPy code's order
def _log_softmax_host(x, C, y):
    m = np.max(x, -1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    y[...] = (x - m) - np.log(np.sum(np.exp(x - m), -1, keepdims=True))
    return y


def _log_softmax_bwd_host(g, x, C, y):
    y[...] = g - np.exp(x) * g.sum(-1, keepdims=True)
    return y


def _nll_host(x, t, C, ignore):
    valid = t != ignore
    bad = valid & ((t < 0) | (t >= C))
    ok = valid & ~bad
    picked = np.take_along_axis(x, np.where(ok, t, 0)[:, None], axis=1)[:, 0]
    return np.where(ok, -picked, 0), valid.astype(x.dtype), bad


def _nll_bwd_host(w, s, t, ss, C, y):
    hit = np.arange(C, like=t)[None, :] == t[:, None]
    y[...] = np.where(hit, -(w * (s.reshape(-1) if ss else s))[:, None], 0)
    return y


_log_softmax_rows = np.Kernel('log_softmax_rows', 'raw T x, int64 C', 'raw T y', """
    const ptrdiff_t o = i * C;
    T m = x[o];
    for (ptrdiff_t j = 1; j < C; j++) m = max(m, x[o + j]);
    if (!isfinite(m)) m = 0;
    T s = 0;
    for (ptrdiff_t j = 0; j < C; j++) s += exp(x[o + j] - m);
    const T ls = log(s);
    for (ptrdiff_t j = 0; j < C; j++) y[o + j] = (x[o + j] - m) - ls;""", _log_softmax_host)
_log_softmax_bwd_rows = np.Kernel('log_softmax_bwd_rows', 'raw T g, raw T x, int64 C', 'raw T y', """
    const ptrdiff_t o = i * C;
    T s = 0;
    for (ptrdiff_t j = 0; j < C; j++) s += g[o + j];
    for (ptrdiff_t j = 0; j < C; j++) y[o + j] = g[o + j] - exp(x[o + j]) * s;""", _log_softmax_bwd_host)
_nll_rows = np.Kernel('nll_rows', 'raw T x, int64 t, int64 C, int64 ignore', 'T loss, T w, bool bad', """
    const bool valid = t != ignore;
    bad = valid && (t < 0 || t >= C);
    w = valid ? 1 : 0;
    loss = valid && !bad ? -x[i * C + t] : 0;""", _nll_host)
_nll_bwd_rows = np.Kernel('nll_bwd_rows', 'raw T w, raw T s, raw int64 t, int64 ss, int64 C', 'T y', """
    const ptrdiff_t r = i / C;
    y = (i - r * C == t[r]) ? -(w[r] * s[r * ss]) : 0;""", _nll_bwd_host)


def _rows(kernel, *arrays):
    """kernel(*arrays, C, out) over the rows of the last axis, C-contiguous."""
    arrays = [np.ascontiguousarray(a) for a in arrays]
    C = arrays[0].shape[-1]
    return kernel(*arrays, C, np.empty_like(arrays[0]), size=arrays[0].size // C)


def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(f'Implicit dimension choice for {name} has been deprecated. Change the call to include '
                  'dim=X as an argument.', stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_core(input, dim, log):
    kern = 'log_softmax_lastdim_kernel_impl' if log else 'softmax_lastdim_kernel_impl'
    if input.dtype._cat != 2:
        raise _not_implemented(kern, input)
    a = input._data
    nd = a.ndim
    d = dim + max(nd, 1) if dim < 0 else dim
    if not 0 <= d < max(nd, 1):
        n = max(nd, 1)
        raise IndexError(f'Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})')
    ax = d if nd else None
    if a.size == 0:
        out = a.copy()
    elif log and d == nd - 1 and _log_softmax_rows.ready(a):
        out = _rows(_log_softmax_rows, a)
    else:
        m = np.max(a, axis=ax, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)     # (always: asking whether to would be a GPU sync)
        z = a - m
        e = np.exp(z)
        s = np.sum(e, axis=ax, keepdims=True)
        out = z - np.log(s) if log else e * (1 / s)
    r = _make(out.astype(a.dtype, copy=False), input.dtype, input._device)
    if input._requires_grad and grad_state.enabled:
        if log:
            attach('LogSoftmaxBackward0', _log_softmax_bwd, (input,), (r,), save=(r,), args=ax)
        else:
            attach('SoftmaxBackward0', _softmax_bwd, (input,), (r,), save=(r,), args=ax)
    return r


def _softmax_bwd(node, g):
    y, = node.saved_tensors
    ax = node._args
    if not grad_state.enabled:
        yd, gd = y._data, g._data
        gy = gd * yd    # torch's kernel: (g - sum(g * y)) * y, the subtraction first
        return _make((gd - (gy if ax is None else gy.sum(ax, keepdims=True))) * yd, g.dtype, g._device)
    if ax is None:
        return _fused('SoftmaxBackwardDataBackward0', (g, y), lambda g, y: y * (g - g * y))
    return _fused('SoftmaxBackwardDataBackward0', (g, y), lambda g, y: y * (g - (g * y).sum(ax, keepdim=True)))


def _log_softmax_bwd(node, g):
    y, = node.saved_tensors
    ax = node._args
    if not grad_state.enabled:
        gd = g._data
        if ax is not None and ax == gd.ndim - 1 and gd.size and _log_softmax_bwd_rows.ready(gd):
            return _make(_rows(_log_softmax_bwd_rows, gd, y._data), g.dtype, g._device)
        return _make(gd - np.exp(y._data) * (gd if ax is None else gd.sum(ax, keepdims=True)), g.dtype, g._device)
    if ax is None:
        return _fused('LogSoftmaxBackwardDataBackward0', (g, y), lambda g, y: g - y.exp() * g)
    return _fused('LogSoftmaxBackwardDataBackward0', (g, y), lambda g, y: g - y.exp() * g.sum(ax, keepdim=True))


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _get_softmax_dim('softmax', input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return _softmax_core(input, dim, False)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _get_softmax_dim('log_softmax', input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return _softmax_core(input, dim, True)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _get_softmax_dim('softmin', input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return _softmax_core(-input, dim, False)


def _torch_softmax(input, dim, dtype=None, *, _log=False):
    if dtype is not None:
        input = input.to(dtype)
    return _softmax_core(input, dim, _log)


def _t_softmax(input, dim, dtype=None):
    return _torch_softmax(input, dim, dtype)


def _t_log_softmax(input, dim, dtype=None):
    return _torch_softmax(input, dim, dtype, _log=True)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    denom = _norm(input, p, dim, True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    from .. import div
    return div(input, denom, out=out)


# --- linear ----------------------------------------------------------------------------------------

# torch records linear as addmm(bias, input, weight.t()) / mm(input, weight.t()): one node whose
# edges are (bias, input, TBackward0(weight)); we keep that edge layout so next_functions match.

def _linear_bwd(node, g):
    x, w = node.saved_tensors
    has_b = node._args
    o = 1 if has_b else 0
    need_x, need_w = needs(node, o), needs(node, o + 1)
    need_b = has_b and needs(node, 0)
    if not grad_state.enabled:
        gx, gwt, gb = _linear_bwd_arrays(g, x, w, need_x, need_w, need_b)
    else:
        gx = gwt = gb = None
        nd = x.dim()
        if need_x:
            gx = _matmul(g, w)
        g2 = g.reshape(-1, g.shape[-1]) if nd != 2 else g
        if need_w:
            x2 = x.reshape(-1, x.shape[-1]) if nd != 2 else x
            gwt = _matmul(x2.t(), g2) if nd else (g2.t() * x).t()
        if need_b:
            gb = g2.sum(0, keepdim=True).view(-1) if nd else g
    return (gb, gx, gwt) if has_b else (gx, gwt)


def _linear_bwd_arrays(g, x, w, need_x, need_w, need_b):
    # the common case (no create_graph): the two GEMMs straight on the arrays, no wrapper ops
    gd, xd, wd = g._data, x._data, w._data
    dt, dev = g.dtype, g._device
    gx = gwt = gb = None
    if need_x:
        gx = _make(gd @ wd, dt, dev)
    if xd.ndim == 0:
        return gx, (_make((gd[:, None] * xd).T, dt, dev) if need_w else None), (g if need_b else None)
    g2 = gd.reshape(-1, gd.shape[-1]) if gd.ndim != 2 else gd
    if need_w:
        x2 = xd.reshape(-1, xd.shape[-1]) if xd.ndim != 2 else xd
        gwt = _make((g2.T @ x2).T, dt, dev)
    if need_b:
        gb = _make(g2.sum(0), dt, dev)
    return gx, gwt, gb


def linear(input, weight, bias=None):
    same_device(input, weight, bias)
    if input.dim() == 0 or weight.dim() == 0:
        raise RuntimeError(f'both arguments to linear need to be at least 1D, but they are {input.dim()}D and '
                           f'{weight.dim()}D')
    a, w = input._data, weight._data
    if input.dtype is not weight.dtype:
        raise RuntimeError(f'expected m1 and m2 to have the same dtype, but got: '
                           f'{_c10(input.dtype)} != {_c10(weight.dtype)}')
    if a.shape[-1:] != w.shape[-1:] and w.ndim == 2:
        rows = a.size // a.shape[-1] if a.ndim and a.shape[-1] else (a.shape[0] if a.ndim == 2 else 1)
        if a.ndim == 1:
            rows = 1
        raise RuntimeError(f'mat1 and mat2 shapes cannot be multiplied ({rows}x{a.shape[-1]} and '
                           f'{w.shape[1]}x{w.shape[0]})')
    _blas.cuda_blas_check(_blas._cuda_kernel(a.ndim, 2), input, a, w)
    out = a @ w.T
    if bias is not None:
        if bias.dtype is not input.dtype:
            raise RuntimeError(f'expected m1 and m2 to have the same dtype, but got: '
                               f'{_c10(bias.dtype)} != {_c10(input.dtype)}')
        if out.ndim:
            out += bias._data
        else:
            out = out + bias._data
    r = _make(out, input.dtype, input._device)
    if grad_state.enabled and (input._requires_grad or weight._requires_grad
                               or (bias is not None and bias._requires_grad)):
        nd = a.ndim
        if nd == 2:
            name = 'AddmmBackward0' if bias is not None else 'MmBackward0'
        elif bias is not None:
            name = 'ViewBackward0'
        else:
            name = 'SqueezeBackward4' if nd == 1 else 'UnsafeViewBackward0'
        wt = weight.t() if weight._requires_grad else weight
        edges = (bias, input, wt) if bias is not None else (input, wt)
        attach(name, _linear_bwd, edges, (r,), save=(input, weight), args=bias is not None)
    return r


def _c10(d):
    return {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half', 'int64': 'long int',
            'bfloat16': 'c10::BFloat16'}.get(d.name, d.name)


def bilinear(input1, input2, weight, bias=None):
    from .. import einsum
    y = einsum('...i,oij,...j->...o', input1, weight, input2)
    if bias is not None:
        y = y + bias
    return y


# --- dropout ---------------------------------------------------------------------------------------

def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f'dropout probability has to be between 0 and 1, but got {p}')


def _dropout_impl(input, p, train, feature=False, alpha=False, inplace=False):
    if p == 0 or not train or input.numel() == 0:
        return input
    if p == 1:
        from .. import zeros
        z = zeros((), dtype=input.dtype)
        r = input * z
        return _inplace(input, r) if inplace else r
    if feature:
        if input.dim() < 2:
            raise RuntimeError('Feature dropout requires at least 2 dimensions in the input')
        shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
    else:
        shape = None
    # torch's noise is empty_like(input): a transposed input (batch_first attention) keeps its
    # strides, so the mask is drawn in memory order
    from .. import empty_like
    noise = (input.new_empty(shape) if shape else empty_like(input)).bernoulli_(1 - p)
    if alpha:
        a_ = 1.7580993408473766
        a = 1.0 / math.sqrt((a_ * a_ * p + 1) * (1 - p))
        b = (noise - 1) * (a_ * a) + (a_ * a * p)
        noise = noise * a
        r = input * noise + b
    else:
        noise.div_(1 - p)
        r = input * noise
    return _inplace(input, r) if inplace else r


def dropout(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    return _dropout_impl(input, p, training, inplace=inplace)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    _check_p(p)
    return _dropout_impl(input, p, training, alpha=True, inplace=inplace)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    _check_p(p)
    return _dropout_impl(input, p, training, feature=True, alpha=True, inplace=inplace)


def _feature_dropout(name, nd):
    def f(input, p=0.5, training=True, inplace=False):
        _check_p(p)
        inp_dim = input.dim()
        if inp_dim not in (nd + 1, nd + 2):
            if nd == 1:
                raise RuntimeError(f'dropout1d: Expected 2D or 3D input, but received a {inp_dim}D input. '
                                   'Note that dropout1d exists to provide channel-wise dropout on inputs '
                                   'with 1 spatial dimension, a channel dimension, and an optional batch '
                                   'dimension (i.e. 2D or 3D inputs).')
            if nd == 3:
                raise RuntimeError(f'dropout3d: Expected 4D or 5D input, but received a {inp_dim}D input. '
                                   'Note that dropout3d exists to provide channel-wise dropout on inputs '
                                   'with 3 spatial dimensions, a channel dimension, and an optional batch '
                                   'dimension (i.e. 4D or 5D inputs).')
        if nd == 2 and inp_dim not in (3, 4):
            warnings.warn(f'dropout2d: Received a {inp_dim}-D input to dropout2d, which is deprecated and '
                          'will result in an error in a future release. To retain the behavior and silence '
                          'this warning, please use dropout instead. Note that dropout2d exists to provide '
                          'channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, '
                          'and an optional batch dimension (i.e. 3D or 4D inputs).', stacklevel=2)
        batched = inp_dim == nd + 2
        if nd == 2 and inp_dim == 3:
            warnings.warn('dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D '
                          'dropout behavior is desired - input is interpreted as shape (N, C, L), where C '
                          'is the channel dim. This behavior will change in a future release to interpret '
                          'the input as one without a batch dimension, i.e. shape (C, H, W). To maintain '
                          'the 1D channel-wise dropout behavior, please switch to using dropout1d instead.',
                          stacklevel=2)
            batched = True
        x = input if batched else input.unsqueeze(0)
        r = _dropout_impl(x, p, training, feature=True, inplace=inplace)
        if not batched:
            r = input if inplace else r.squeeze(0)
        return r
    f.__name__ = name
    return f


dropout1d = _feature_dropout('dropout1d', 1)
dropout2d = _feature_dropout('dropout2d', 2)
dropout3d = _feature_dropout('dropout3d', 3)


# --- embedding -------------------------------------------------------------------------------------

def _check_indices(t, fname):
    if t.dtype is not D.int64 and t.dtype is not D.int32:
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar "
                           f"types: Long, Int; but got torch.{D.type_name(t.dtype)}Tensor instead (while "
                           f"checking arguments for {fname})")


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    n = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < n, 'Padding_idx must be within num_embeddings'
        elif padding_idx < 0:
            assert padding_idx >= -n, 'Padding_idx must be within num_embeddings'
            padding_idx = n + padding_idx
    else:
        padding_idx = -1
    _check_indices(input, 'embedding')
    idx = input._data
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError('index out of range in self')
    if max_norm is not None:
        _embedding_renorm(weight, idx, max_norm, norm_type)
    r = _make(weight._data[idx], weight.dtype, weight._device)
    if weight._requires_grad and grad_state.enabled:
        def bwd(node, g):
            return _embedding_grad(g, idx, n, padding_idx, scale_grad_by_freq)
        attach('EmbeddingBackward0', guard(bwd, input), (weight,), (r,))
    return r


def _embedding_renorm(weight, idx, max_norm, norm_type):
    w = weight._data
    rows = np.unique(idx.reshape(-1))
    sub = w[rows]
    norms = np.sum(np.abs(sub) ** norm_type, axis=1) ** (1.0 / norm_type)
    scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
    w[rows] = sub * scale[:, None]
    weight._vc[0] += 1


def _embedding_grad(g, idx, n, padding_idx, scale_grad_by_freq):
    flat = idx.reshape(-1)
    gd = g._data.reshape(flat.size, -1)
    if scale_grad_by_freq:
        counts = np.bincount(flat, minlength=n)
        gd = gd / counts[flat][:, None].astype(gd.dtype)
    out = xp_of(g._device).zeros((n, gd.shape[1]), gd.dtype)
    if padding_idx >= 0:
        keep = flat != padding_idx
        np.ufunc_at(np.add, out, flat[keep], gd[keep])
    else:
        np.ufunc_at(np.add, out, flat, gd)
    return _make(out.reshape((n,) + g._data.shape[idx.ndim:]), g.dtype, g._device)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode='mean', sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    _check_indices(input, 'embedding_bag')
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError('if input is 2D, then offsets has to be None, as input is treated is a mini-batch '
                             'of fixed length sequences. However, found offsets of type '
                             f'{type(offsets).__name__}')
        b, l = input.shape
        offs = np.arange(0, b * l, l, dtype=np.int64, like=input._data)
        idx = input._data.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError('offsets has to be a 1D Tensor but got None')
        if offsets.dim() != 1:
            raise ValueError('offsets has to be a 1D Tensor')
        idx = input._data
        offs = offsets._data.astype(np.int64)
        if include_last_offset:
            offs = offs[:-1]
    else:
        raise ValueError(f'input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}')
    if mode not in ('sum', 'mean', 'max'):
        raise ValueError('mode has to be one of sum, mean or max')
    if per_sample_weights is not None and mode != 'sum':
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature "
                                  "request on GitHub.")
    n = weight.shape[0]
    if padding_idx is not None:
        if padding_idx < 0:
            padding_idx = n + padding_idx
    else:
        padding_idx = -1
    if max_norm is not None:
        _embedding_renorm(weight, idx, max_norm, norm_type)
    nbags = offs.shape[0]
    bag_of = np.searchsorted(offs, np.arange(idx.shape[0], like=offs), side='right') - 1    # bag of each index
    keep = idx != padding_idx
    w = weight._data
    rows = w[idx]
    if per_sample_weights is not None:
        rows = rows * per_sample_weights._data[:, None]
    D_ = w.shape[1]
    out = np.zeros((nbags, D_), w.dtype, like=w)
    counts = np.bincount(bag_of[keep], minlength=nbags).astype(w.dtype)
    if mode == 'max':
        out[:] = -np.inf
        np.ufunc_at(np.maximum, out, bag_of[keep], rows[keep])
        out[counts == 0] = 0
    else:
        np.ufunc_at(np.add, out, bag_of[keep], rows[keep])
        if mode == 'mean':
            out = out / np.maximum(counts, 1)[:, None]
    r = _make(out.astype(w.dtype, copy=False), weight.dtype, weight._device)
    if _grad_needed(weight, per_sample_weights):
        def bwd(node, g):
            gd = g._data
            gw = None
            if needs(node, 0):
                per_row = gd[bag_of]
                if mode == 'mean':
                    per_row = per_row / np.maximum(counts, 1)[bag_of][:, None]
                elif mode == 'max':
                    per_row = per_row * _first_max_mask(rows, out, bag_of, keep, nbags)
                if per_sample_weights is not None:
                    per_row = per_row * per_sample_weights._data[:, None]
                if scale_grad_by_freq:
                    c = np.bincount(idx, minlength=n)
                    per_row = per_row / c[idx][:, None]
                acc = np.zeros_like(w)
                np.ufunc_at(np.add, acc, idx[keep], per_row[keep])
                gw = _make(acc.astype(w.dtype, copy=False), g.dtype, g._device)
            gp = None
            if per_sample_weights is not None and needs(node, 1):
                gp = _make((np.sum(gd[bag_of] * w[idx], axis=1) * keep).astype(w.dtype), g.dtype, g._device)
            return gw, gp
        attach('EmbeddingBagBackward0', bwd, (weight, per_sample_weights), (r,))
    return r


def _first_max_mask(rows, out, bag_of, keep, nbags):
    """1 where a row holds its bag's max for a column, first occurrence only (torch's argmax)."""
    hit = (rows == out[bag_of]) & keep[:, None]
    n = rows.shape[0]
    ar = np.arange(n, like=rows)[:, None]
    pos = np.where(hit, ar, n)
    first = np.full(out.shape, n, like=rows)
    np.ufunc_at(np.minimum, first, bag_of, pos)
    return (ar == first[bag_of]).astype(rows.dtype)


def one_hot(tensor, num_classes=-1):
    if tensor.dtype is not D.int64:
        raise RuntimeError('one_hot is only applicable to index tensor of type LongTensor.')
    a = tensor._data
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError('Can not infer total number of classes from empty tensor.')
        num_classes = int(a.max()) + 1
    if a.size and a.min() < 0:
        raise RuntimeError('Class values must be non-negative.')
    if a.size and a.max() >= num_classes:
        raise RuntimeError('Class values must be smaller than num_classes.')
    out = (a[..., None] == xp_of(tensor._device).arange(num_classes)).astype(np.int64)
    return _make(out, D.int64, tensor._device)


# --- distances -------------------------------------------------------------------------------------

def _norm(x, p, dim, keepdim):
    """Vector p-norm over dim as one node (torch's NormBackward1 formula)."""
    a = x._data
    ax = dim if a.ndim else None       # CuPy refuses axis 0 of a 0-d array
    if p == 2:
        out = np.sqrt(np.sum(a * a, axis=ax, keepdims=keepdim))
    elif p == 1:
        out = np.sum(np.abs(a), axis=ax, keepdims=keepdim)
    elif p == math.inf:
        out = np.max(np.abs(a), axis=ax, keepdims=keepdim)
    elif p == 0:
        out = np.sum(a != 0, axis=ax, keepdims=keepdim).astype(a.dtype)
    else:
        out = np.sum(np.abs(a) ** p, axis=ax, keepdims=keepdim) ** (1.0 / p)
    r = _make(xp_of(x._device).asarray(out).astype(a.dtype, copy=False), x.dtype, x._device)
    if x._requires_grad and grad_state.enabled:
        def bwd(node, g):
            xv, res = node.saved_tensors
            if not keepdim:
                g = g.unsqueeze(dim)
                res = res.unsqueeze(dim)
            if p == 2:
                return g * xv / res.masked_fill(res == 0, math.inf)
            if p == 1:
                return g * xv.sgn()
            if p == 0:
                return g * 0 * xv
            if p == math.inf:
                m = (xv.abs() == res).to(xv.dtype)
                return g * xv.sgn() * m / m.sum(dim, keepdim=True)
            return g * xv * xv.abs().pow(p - 2) / res.pow(p - 1).masked_fill(res == 0, math.inf)
        attach('NormBackward1', bwd, (x,), (r,), save=(x, r))
    return r


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    nd = max(x1.dim(), x2.dim())
    return _norm(x1 - x2 + eps, p, nd - 1, keepdim) if nd else (x1 - x2 + eps).abs()


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    rt = D.result_type_of((x1, x2))
    if rt._cat < 2:
        raise RuntimeError(f'expected common dtype to be floating point, yet common dtype is {D.type_name(rt)}')
    a, b = x1, x2
    shape = broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    _wrap_dim(dim, len(shape))
    if x1.shape != x2.shape:
        a, b = x1.expand(shape), x2.expand(shape)
    na = _norm(a, 2, dim, True)
    nb = _norm(b, 2, dim, True)
    with _no_grad():
        na._data = np.maximum(na._data, na._data.dtype.type(eps))
        nb._data = np.maximum(nb._data, nb._data.dtype.type(eps))
    return ((a / na) * (b / nb)).sum(dim)


def pdist(input, p=2):
    n = input.shape[0]
    i, j = np.triu_indices(n, 1)
    ii, jj = _make(i, D.int64, input._device), _make(j, D.int64, input._device)
    return _fused('PdistBackward0', (input,), lambda x: _norm(x[ii] - x[jj], p, 1, False))


# --- attention -------------------------------------------------------------------------------------

def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    L, S = query.shape[-2], key.shape[-2]
    sf = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    if enable_gqa:
        rep = query.shape[-3] // key.shape[-3]
        key = key.repeat_interleave(rep, -3)
        value = value.repeat_interleave(rep, -3)
    elif (query.dim() == 4 and key.dim() == 4 and value.dim() == 4 and dropout_p == 0.0
          and query.dtype._cat == 2 and query.shape[-1] == value.shape[-1]):
        return _sdpa_flash(query, key, value, attn_mask, is_causal, sf)
    # torch's math path scales query and key by sqrt(scale) each, before the product
    root = math.sqrt(sf)
    w = _matmul(query * root, key.transpose(-2, -1) * root)
    bias = None
    if is_causal:
        xp = xp_of(query._device)
        bias = xp.triu(xp.full((L, S), -np.inf, query._data.dtype), 1)
    if attn_mask is not None:
        if attn_mask.dtype is D.bool:
            mb = np.where(attn_mask._data, 0, -np.inf).astype(query._data.dtype)
            bias = mb if bias is None else bias + mb
        else:
            w = w + attn_mask
    if bias is not None:
        w = w + _make(bias, query.dtype, query._device)
    w = softmax(w, -1)
    if dropout_p > 0.0:
        w = dropout(w, dropout_p, True)
    return _matmul(w, value)


def _sdpa_flash(query, key, value, attn_mask, is_causal, sf):
    """torch's CPU flash kernel (4-d inputs): scaled scores, max-shifted exp, the unnormalised
    product with value, divided by the row sum at the end; fully masked rows give 0. One node."""
    L, S = query.shape[-2], key.shape[-2]
    bias = None
    if is_causal:
        bias = xp_of(query._device).triu(xp_of(query._device).full((L, S), -np.inf, query._data.dtype), 1)
    if attn_mask is not None:
        if attn_mask.dtype is D.bool:
            mb = np.where(attn_mask._data, 0, -np.inf).astype(query._data.dtype)
        else:
            mb = attn_mask.detach()._data
        bias = mb if bias is None else bias + mb

    def fn(q, k, v):
        w = _matmul(q, k.transpose(-2, -1)) * sf
        if bias is not None:
            w = w + _make(np.asarray(bias, dtype=query._data.dtype), query.dtype, query._device)
        m = w.amax(-1, keepdim=True).detach()
        m = m.masked_fill(m == -math.inf, 0.0)
        e = (w - m).exp()
        den = e.sum(-1, keepdim=True)
        return _matmul(e, v) / den.masked_fill(den == 0, 1.0)
    return _fused('ScaledDotProductFlashAttentionForCpuBackward0', (query, key, value), fn)


def _in_projection_packed(q, k, v, w, b=None):
    E = q.size(-1)
    if k is v:
        if q is k:
            proj = linear(q, w, b)
            return tuple(proj.unflatten(-1, (3, E)).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous())
        w_q, w_kv = w.split([E, E * 2])
        b_q, b_kv = (None, None) if b is None else b.split([E, E * 2])
        q_proj = linear(q, w_q, b_q)
        kv = linear(k, w_kv, b_kv)
        kv = kv.unflatten(-1, (2, E)).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous()
        return q_proj, kv[0], kv[1]
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    from .. import cat, zeros
    is_batched = query.dim() == 3
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f'was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}')
    head_dim = embed_dim // num_heads
    if is_causal and attn_mask is None:
        raise RuntimeError('Need attn_mask if specifying the is_causal hint. You may use the Transformer '
                           'module method `generate_square_subsequent_mask` to create this mask.')
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        is_causal = False
    if not use_separate_proj_weight:
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    else:
        bq = bk = bv = None
        if in_proj_bias is not None:
            bq, bk, bv = in_proj_bias.chunk(3)
        q, k, v = linear(query, q_proj_weight, bq), linear(key, k_proj_weight, bk), linear(value, v_proj_weight, bv)
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f'The shape of the 2D attn_mask is {attn_mask.shape}, but should be '
                                   f'{(tgt_len, src_len)}.')
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f'The shape of the 3D attn_mask is {attn_mask.shape}, but should be '
                                   f'{(bsz * num_heads, tgt_len, src_len)}.')
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")
        if attn_mask.dtype is D.bool:
            attn_mask = _make(np.where(attn_mask._data, -np.inf, 0).astype(q._data.dtype), q.dtype, q._device)
    if key_padding_mask is not None and key_padding_mask.dtype is D.bool:
        key_padding_mask = _make(np.where(key_padding_mask._data, -np.inf, 0).astype(q._data.dtype),
                                 q.dtype, q._device)
    if bias_k is not None and bias_v is not None:
        k = cat([k, bias_k.expand(1, bsz, bias_k.shape[-1])])
        v = cat([v, bias_v.expand(1, bsz, bias_v.shape[-1])])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    q = q.view(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = (k.view(k.shape[0], bsz * num_heads, head_dim) if static_k is None else static_k).transpose(0, 1) \
        if static_k is None else static_k
    v = (v.view(v.shape[0], bsz * num_heads, head_dim)).transpose(0, 1) if static_v is None else static_v
    if add_zero_attn:
        zs = (bsz * num_heads, 1, head_dim)
        k = cat([k, zeros(zs, dtype=k.dtype)], dim=1)
        v = cat([v, zeros(zs, dtype=v.dtype)], dim=1)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    src_len = k.shape[1]
    if key_padding_mask is not None:
        kpm = key_padding_mask.view(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1).reshape(
            bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0
    if need_weights:
        qs = q * math.sqrt(1.0 / float(head_dim))
        if attn_mask is not None:
            w = attn_mask + _matmul(qs, k.transpose(-2, -1))
        else:
            w = _matmul(qs, k.transpose(-2, -1))
        w = softmax(w, dim=-1)
        if dropout_p > 0.0:
            w = dropout(w, p=dropout_p)
        out = _matmul(w, v)
        out = out.transpose(0, 1).contiguous().view(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias)
        out = out.view(tgt_len, bsz, out.shape[1])
        w = w.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            w = w.mean(dim=1)
        if not is_batched:
            out = out.squeeze(1)
            w = w.squeeze(0)
        return out, w
    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.view(bsz, num_heads, -1, src_len)
    q = q.view(bsz, num_heads, tgt_len, head_dim)
    k = k.view(bsz, num_heads, src_len, head_dim)
    v = v.view(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).contiguous().view(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias)
    out = out.view(tgt_len, bsz, out.shape[1])
    if not is_batched:
        out = out.squeeze(1)
    return out, None


def channel_shuffle(input, groups):
    if groups <= 0:
        raise RuntimeError(f'Number of groups to divide channels in must be positive. Value of groups:{groups}')
    b, c = input.shape[0], input.shape[1]
    if c % groups:
        raise RuntimeError(f'Number of channels must be divisible by groups. Got {c} channels and {groups} '
                           'groups.')
    rest = tuple(input.shape[2:])
    return input.reshape((b, groups, c // groups) + rest).transpose(1, 2).reshape((b, c) + rest)


native_channel_shuffle = channel_shuffle


# --- losses ----------------------------------------------------------------------------------------

def _legacy_reduction(size_average, reduce, emit_warning=True):
    sa = True if size_average is None else size_average
    rd = True if reduce is None else reduce
    ret = 'mean' if sa and rd else ('sum' if rd else 'none')
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                      stacklevel=3)
    return ret


def _reduction(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(f'{reduction} is not a valid value for reduction')
    return reduction


def _apply_reduction(loss, reduction):
    if reduction == 'mean':
        return loss.mean()
    if reduction == 'sum':
        return loss.sum()
    return loss


def _reduce_arr(a, reduction):
    # array methods keep NumPy / CuPy arrays on their device
    if reduction == 'mean':
        return (a.mean() if a.size else a.sum() * a.dtype.type(np.nan)).astype(a.dtype)
    if reduction == 'sum':
        return a.sum().astype(a.dtype)
    return a


def _grad_full(g, shape, reduction, n):
    """Upstream gradient of a reduced loss, as the elementwise gradient."""
    if reduction == 'none':
        return g
    if reduction == 'mean':
        g = g / n
    return g.expand(shape)


def _pointwise_loss(gname, input, target, fwd, deriv, reduction, extra=()):
    """A loss with elementwise value fwd(a, b) and d/dinput deriv(x, y) (target gets the negative where
    differentiable); reduction fused into the node, as torch's MseLoss/SmoothL1Loss/HuberLoss kernels."""
    same_device(input, target)
    rt = D.result_type_of((input, target))
    if rt._cat < 2:
        kernel = {'MseLossBackward0': 'mse', 'SmoothL1LossBackward0': 'smooth_l1', 'HuberLossBackward0': 'huber'}[gname]
        raise NotImplementedError(f'"{kernel}_{input._device.type}" not implemented for \'{D.type_name(rt)}\'')
    a, b = input._data.astype(rt._np, copy=False), target._data.astype(rt._np, copy=False)
    if a.shape != b.shape:
        a, b = np.broadcast_arrays(a, b)
    elem = fwd(a, b)
    r = _make(_reduce_arr(elem, reduction), rt, input._device)
    if _grad_needed(input, target):
        shape = elem.shape
        n = elem.size

        def bwd(node, g):
            x, y = node.saved_tensors
            if grad_state.enabled:      # create_graph: the derivative is one node, as torch's
                d = _fused(gname[:-1] + 'Backward0', (g, x, y),
                           lambda g, x, y: deriv(x, y) * _grad_full(g, shape, reduction, n))
            else:
                d = deriv(x, y) * _grad_full(g, shape, reduction, n)
            return (d if needs(node, 0) else None), (-d if needs(node, 1) else None)
        attach(gname, bwd, (input, target), (r,), save=(input, target))
    return r


def _size_warning(input, target):
    if target.shape != input.shape:
        warnings.warn(f'Using a target size ({target.shape}) that is different to the input size '
                      f'({input.shape}). This will likely lead to incorrect results due to broadcasting. '
                      'Please ensure they have the same size.', stacklevel=3)
    broadcast_shapes(input._data.shape, target._data.shape)


def mse_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    _size_warning(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if weight is not None:
        loss = (input - target) ** 2 * weight
        return _apply_reduction(loss, reduction)
    return _pointwise_loss('MseLossBackward0', input, target, lambda a, b: (a - b) * (a - b),
                           lambda x, y: (x - y) * 2, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    _size_warning(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    loss = (input - target).abs()
    if weight is not None:
        loss = loss * weight
    return _apply_reduction(loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction='mean', beta=1.0):
    _size_warning(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    if beta < 0:
        raise RuntimeError('smooth_l1_loss does not support negative values for beta.')
    t = D.result_type_of((input, target))._np.type

    def fwd(a, b):
        z = np.abs(a - b)
        return np.where(z < beta, t(0.5) * z * z / t(beta), z - t(0.5 * beta))

    def deriv(x, y):
        from .. import where
        d = x - y
        return where(d.abs() < beta, d / beta, d.sign())
    return _pointwise_loss('SmoothL1LossBackward0', input, target, fwd, deriv, reduction)


def huber_loss(input, target, reduction='mean', delta=1.0, weight=None):
    _size_warning(input, target)
    reduction = _reduction(None, None, reduction)
    rt = D.result_type_of((input, target))
    if rt._cat > input.dtype._cat:      # torch's huber writes into an output of the input's dtype
        raise RuntimeError(f"result type {D.type_name(rt)} can't be cast to the desired output type "
                           f"{D.type_name(input.dtype)}")
    t = rt._np.type

    def fwd(a, b):
        z = np.abs(a - b)
        return np.where(z < delta, t(0.5) * z * z, t(delta) * (z - t(0.5 * delta)))

    def deriv(x, y):
        from .. import where
        d = x - y
        return where(d.abs() <= delta, d, d.sign() * delta)
    if weight is not None:
        loss = _pointwise_loss('HuberLossBackward0', input, target, fwd, deriv, 'none') * weight
        return _apply_reduction(loss, reduction)
    return _pointwise_loss('HuberLossBackward0', input, target, fwd, deriv, reduction)


def _nll_check(input, target, weight, ignore_index):
    nd = input.dim()
    if nd < 1:
        raise ValueError(f'Expected 1 or more dimensions (got {nd})')
    tb = target.shape[0] if target.dim() else 1
    if nd >= 2 and input.shape[0] != tb:
        raise ValueError(f'Expected input batch_size ({input.shape[0]}) to match target batch_size ({tb}).')
    if target.dtype is not D.int64 and target.dtype is not D.uint8:
        if input._device.type == 'cuda' and nd <= 2:      # torch's CUDA kernel has no such loop
            raise NotImplementedError('"nll_loss_forward_reduce_cuda_kernel_2d_index" not implemented for '
                                      f"'{D.type_name(target.dtype)}'")
        raise RuntimeError(f'expected target dtype to be Long or Byte, but got {D.type_name(target.dtype)}')
    C = input.shape[1] if nd >= 2 else input.shape[0]
    if nd <= 2 and target.dim() > 1:
        raise RuntimeError('0D or 1D target tensor expected, multi-target not supported')
    want = tuple(input.shape[:1]) + tuple(input.shape[2:])
    if nd > 2 and tuple(target.shape) != want:
        if nd == 4:
            raise RuntimeError(f'size mismatch (got input: {list(input.shape)} , target: {list(target.shape)}')
        raise RuntimeError(f'Expected target size {list(want)}, got {list(target.shape)}')
    if weight is not None and weight.numel() != C:
        raise RuntimeError(f'weight tensor should be defined either for all {C} classes or no classes but got '
                           f'weight tensor of shape: {list(weight.shape)}')
    if weight is not None and weight.dtype is not input.dtype:
        raise RuntimeError(f'expected scalar type {D.type_name(input.dtype)} but found {D.type_name(weight.dtype)}')
    return C


def _check_targets(t, bad):
    """torch's error for a class index out of range (`bad`: where, ignored targets excluded)."""
    if bad.any():
        raise IndexError(f'Target {int(t[bad].reshape(-1)[0])} is out of bounds.')


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean'):
    reduction = _reduction(size_average, reduce, reduction)
    same_device(input, target, weight)
    return _nll_nd(input, target, weight, ignore_index, reduction)


def _nll_nd(input, target, weight, ignore_index, reduction):
    """torch's nll_loss_nd: 3-d and >4-d inputs go through nll_loss2d on an (N, C, 1, -1) view, and an
    unreduced loss is viewed back (so its grad_fn is ViewBackward0)."""
    _nll_check(input, target, weight, ignore_index)
    d = input.dim()
    if (d == 3 or d > 4) and input.numel() > 0:
        n, c = input.shape[:2]
        out = _nll_loss(input.contiguous().view(n, c, 1, -1), target.contiguous().view(n, 1, -1), weight,
                        ignore_index, reduction)
        return out.view((n,) + tuple(input.shape[2:])) if reduction == 'none' else out
    return _nll_loss(input, target, weight, ignore_index, reduction)


def _nll_loss(input, target, weight, ignore_index, reduction):
    a = input._data
    t = target._data.astype(np.int64, copy=False)
    if a.ndim == 2 and weight is None and reduction != 'none' and _nll_rows.ready(a):
        return _nll_rows_loss(input, t, ignore_index, reduction)
    one_d = a.ndim == 1
    a2, t2 = (a[None], t.reshape(1)) if one_d else (a, t)
    valid = t2 != ignore_index
    _check_targets(t2, valid & ((t2 < 0) | (t2 >= a2.shape[1])))
    tc = np.where(valid, t2, 0)
    picked = np.take_along_axis(a2, tc[:, None], axis=1)[:, 0]     # class axis is 1, any trailing dims
    xp = xp_of(input._device)
    wt = weight._data[tc].astype(a.dtype) if weight is not None else xp.ones(tc.shape, a.dtype)
    wt = wt * valid
    losses = -picked * wt
    total = None
    if reduction == 'none':
        out = losses[0] if one_d else losses
    elif reduction == 'sum':
        out = losses.sum()
    else:
        total = wt.sum()
        out = losses.sum() / total if losses.size else losses.sum() * a.dtype.type(np.nan)
    r = _make(xp.asarray(out).astype(a.dtype, copy=False), input.dtype, input._device)
    if input._requires_grad and grad_state.enabled:
        def bwd(node, g):
            from .. import zeros
            if not grad_state.enabled:
                scale = g._data if reduction != 'mean' else g._data / total
                gv = -wt * (scale.reshape(tc.shape) if reduction == 'none' else scale)
                gi = xp.zeros(a2.shape, a.dtype)
                xp.put_along_axis(gi, tc[:, None], gv[:, None].astype(a.dtype, copy=False), axis=1)
                return _make(gi.reshape(a.shape), input.dtype, input._device)
            gw = _make(-wt, input.dtype, input._device)
            if reduction == 'none':
                gv = g.reshape(tc.shape) * gw
            elif reduction == 'sum':
                gv = g * gw
            else:
                gv = g * gw / _make(xp.asarray(total, a.dtype), input.dtype, input._device)
            idx = _make(tc[:, None], D.int64, input._device)
            gi = zeros(a2.shape, dtype=input.dtype, device=input._device).scatter(1, idx, gv.unsqueeze(1))
            return gi.reshape(a.shape) if one_d else gi
        attach('NllLoss2DBackward0' if a.ndim >= 3 else 'NllLossBackward0', bwd, (input,), (r,))
    return r


def _nll_rows_loss(input, t, ignore_index, reduction):
    """_nll_loss's 2-d, unweighted, reduced case by the kernels above."""
    a = np.ascontiguousarray(input._data)
    n, C = a.shape
    losses, w, bad = _nll_rows(a, t, C, ignore_index)
    _check_targets(t, bad)
    total = w.sum()
    out = losses.sum() / total if reduction == 'mean' else losses.sum()
    r = _make(out, input.dtype, input._device)
    if input._requires_grad and grad_state.enabled:
        def bwd(node, g):
            if grad_state.enabled:
                from .. import zeros
                gv = g * _make(-w, input.dtype, input._device)
                if reduction == 'mean':
                    gv = gv / _make(total, input.dtype, input._device)
                idx = _make(np.where(w > 0, t, 0)[:, None], D.int64, input._device)
                return zeros((n, C), dtype=input.dtype, device=input._device).scatter(1, idx, gv.unsqueeze(1))
            s = g._data / total if reduction == 'mean' else g._data
            return _make(_nll_bwd_rows(w, s.reshape(1), t, 0, C, np.empty_like(a)), input.dtype, input._device)
        attach('NllLossBackward0', bwd, (input,), (r,))
    return r


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction='mean', label_smoothing=0.0):
    reduction = _reduction(size_average, reduce, reduction)
    same_device(input, target, weight)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f'label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}')
    class_dim = 0 if input.dim() == 1 else 1
    C = input.shape[class_dim]
    if input.shape == target.shape:
        if target.dtype._cat != 2:
            raise RuntimeError('Expected floating point type for target with class probabilities, got '
                               f'{D.type_name(target.dtype)}')
        if ignore_index >= 0:
            raise RuntimeError('ignore_index is not supported for floating point target')
        return _cross_entropy_prob(input, target, weight, reduction, label_smoothing, class_dim, C)
    logp = log_softmax(input, class_dim)
    nll = _nll_nd(logp, target, weight, ignore_index, reduction)
    if label_smoothing <= 0.0:
        return nll
    ignore = target == ignore_index
    if weight is not None:
        wshape = [1] * input.dim()
        wshape[class_dim] = C
        smooth = -(logp * weight.reshape(wshape)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    smooth = smooth.masked_fill(ignore, 0.0)
    if reduction == 'mean':
        if weight is not None:
            keep = target._data[~ignore._data].reshape(-1)
            wsum = weight._data[keep].sum()
            ret = smooth.sum() / float(wsum)
        else:
            ret = smooth.sum() / float((~ignore._data).sum())
    elif reduction == 'sum':
        ret = smooth.sum()
    else:
        ret = smooth
    return nll * (1 - label_smoothing) + ret * (label_smoothing / C)


def _cross_entropy_prob(input, target, weight, reduction, label_smoothing, class_dim, C):
    logp = log_softmax(input, class_dim)
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / C
    if weight is not None:
        wshape = [1] * input.dim()
        wshape[class_dim] = C
        logp = logp * weight.reshape(wshape)
    prod = logp * target
    if reduction == 'mean':
        if input.numel() == 0:
            return -prod.sum() * math.nan
        return _rename(-prod.sum() / (input.numel() / C), 'DivBackward1')
    if reduction == 'sum':
        return -prod.sum()
    return -prod.sum(class_dim)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction='mean'):
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f'Using a target size ({target.shape}) that is different to the input size '
                         f'({input.shape}) is deprecated. Please ensure they have the same size.')
    a, y = input._data, target._data
    if a.size and (np.any(a < 0) or np.any(a > 1) or np.any(np.isnan(a))):
        raise RuntimeError('all elements of input should be between 0 and 1')
    t = a.dtype.type
    with np.errstate(divide='ignore'):
        elem = (y - t(1)) * np.maximum(np.log1p(-a), t(-100)) - y * np.maximum(np.log(a), t(-100))
    wd = None
    if weight is not None:
        wd = np.broadcast_to(weight._data, a.shape)
        elem = elem * wd
    r = _make(_reduce_arr(elem.astype(a.dtype, copy=False), reduction), input.dtype, input._device)
    if _grad_needed(input, target):
        shape, n = a.shape, a.size

        def bwd(node, g):
            x, yy = node.saved_tensors
            gf = _grad_full(g, shape, reduction, n)
            gx = gy = None
            if needs(node, 0):
                gx = gf * (x - yy) / ((1 - x) * x).clamp_min(1e-12)
                if weight is not None:
                    gx = gx * weight
            if needs(node, 1):
                gy = gf * ((1 - x).log().clamp_min(-100) - x.log().clamp_min(-100))
                if weight is not None:
                    gy = gy * weight
            return gx, gy
        attach('BinaryCrossEntropyBackward0', bwd, (input, target), (r,), save=(input, target))
    return r


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction='mean', pos_weight=None):
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f'Target size ({target.shape}) must be the same as input size ({input.shape})')
    x, y = input._data, target._data
    t = x.dtype.type
    logsig = np.minimum(x, t(0)) - np.log1p(np.exp(-np.abs(x)))
    if pos_weight is not None:
        lw = (pos_weight._data - t(1)) * y + t(1)
        logsig = logsig * lw
    elem = (t(1) - y) * x - logsig
    if weight is not None:
        elem = elem * weight._data
    elem = elem.astype(x.dtype, copy=False)
    r = _make(_reduce_arr(elem, reduction), input.dtype, input._device)
    if _grad_needed(input, target):
        shape, n = elem.shape, elem.size

        def bwd(node, g):
            xi, yy = node.saved_tensors
            gf = _grad_full(g, shape, reduction, n)
            gx = gy = None
            if needs(node, 0):
                mean_last = reduction == 'mean' and grad_state.enabled
                if mean_last:       # torch divides by numel as the last step
                    gf = g.expand(shape)
                if pos_weight is not None:
                    pt = pos_weight * yy
                    gx = (pt + 1 - yy) * xi.sigmoid() - pt
                else:
                    gx = xi.sigmoid() - yy
                gx = gx * gf
                if weight is not None:
                    gx = gx * weight
                if mean_last:
                    gx = _rename(gx / n, 'DivBackward1')
                    gf = _grad_full(g, shape, reduction, n)
            if needs(node, 1):
                if pos_weight is not None:
                    gy = -xi - (pos_weight - 1) * _logsigmoid(xi)
                else:
                    gy = -xi
                gy = gy * gf
                if weight is not None:
                    gy = gy * weight
            return gx, gy
        attach('BinaryCrossEntropyWithLogitsBackward0', bwd, (input, target), (r,), save=(input, target))
    return r


def kl_div(input, target, size_average=None, reduce=None, reduction='mean', log_target=False):
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    elif reduction == 'mean':
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      stacklevel=2)
    if reduction not in ('none', 'mean', 'sum', 'batchmean'):
        raise ValueError(f'{reduction} is not a valid value for reduction')
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = _xlogy_self(target) - target * input
    if reduction == 'batchmean':
        r = loss.sum()
        return r / input.size(0) if input.dim() != 0 else r
    return _apply_reduction(loss, reduction)


def _xlogy_self(t):
    from .. import where
    return where(t == 0, t * 0, t * t.log()) if t.dtype._cat == 2 else t * 0


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    reduction = _reduction(size_average, reduce, reduction)
    x, y = input._data, target._data
    elem = np.log1p(np.exp(-y * x)).astype(x.dtype, copy=False)
    r = _make(_reduce_arr(elem, reduction), input.dtype, input._device)
    if _grad_needed(input):
        shape, n = elem.shape, elem.size

        def bwd(node, g):
            xi, yy = node.saved_tensors

            def d(g, xi, yy):
                z = (-yy * xi).exp()
                return -yy * z / (z + 1) * _grad_full(g, shape, reduction, n)
            return _fused('SoftMarginLossBackwardBackward0', (g, xi, yy), d) if grad_state.enabled else d(g, xi, yy)
        attach('SoftMarginLossBackward0', lambda node, g: (bwd(node, g),), (input,), (r,), save=(input, target))
    return r


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction='mean'):
    reduction = _reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    cd = input.dim() - 1
    loss = loss.sum(dim=cd) / input.size(cd)
    return _apply_reduction(loss, reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction='mean'):
    from .. import where, zeros_like
    reduction = _reduction(size_average, reduce, reduction)
    z = zeros_like(input)
    m = (margin - input).clamp_min(0)
    out = where(target != 1, m, z) + where(target != -1, input, z)
    return _apply_reduction(out, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction='mean'):
    reduction = _reduction(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f'margin_ranking_loss : All input tensors should have same dimension but got sizes: '
                           f'input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ')
    return _apply_reduction((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction='mean'):
    from .. import where, zeros_like
    reduction = _reduction(size_average, reduce, reduction)
    d = input1.dim() - 1
    prod = (input1 * input2).sum(d)
    m1 = (input1 * input1).sum(d) + 1e-12
    m2 = (input2 * input2).sum(d) + 1e-12
    cos = prod / (m1 * m2).sqrt()
    z = zeros_like(cos)
    out = where(target == 1, 1 - cos, z) + where(target == -1, (cos - margin).clamp_min(0), z)
    return _apply_reduction(out, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction='mean'):
    reduction = _reduction(size_average, reduce, reduction)
    a_dim, p_dim, n_dim = anchor.dim(), positive.dim(), negative.dim()
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError(f'The anchor, positive, and negative tensors are expected to have the same number '
                           f'of dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D '
                           'inputs')
    dp = pairwise_distance(anchor, positive, p, eps)
    dn = pairwise_distance(anchor, negative, p, eps)
    if swap:
        from .. import minimum
        dn = minimum(dn, pairwise_distance(positive, negative, p, eps))
    return _apply_reduction((margin + dp - dn).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction='mean'):
    dist = distance_function if distance_function is not None else pairwise_distance
    dp = dist(anchor, positive)
    dn = dist(anchor, negative)
    if swap:
        from .. import minimum
        dn = minimum(dn, dist(positive, negative))
    return _apply_reduction((margin + dp - dn).clamp_min(0), reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction='mean'):
    reduction = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError('only p == 1 and p == 2 supported')
    return _fused('MultiMarginLossBackward0', (input,),
                  lambda x: _multi_margin(x, target, p, margin, weight, reduction))


def _multi_margin(input, target, p, margin, weight, reduction):
    n = input.shape[0] if input.dim() == 2 else 1
    if target.dim() > 1 or target.numel() != n:
        raise RuntimeError('multi_margin_loss: target tensor should be 1-D with size equal to the number of input '
                           f'samples (batch size). Expected target size [{n}], but got {list(target.shape)}. Input '
                           f'has shape {list(input.shape)}.')
    C_ = input.shape[-1] if input.dim() else 1
    if target.numel() and (target._data.min() < 0 or target._data.max() >= C_):
        raise RuntimeError('target out of range')
    x = input if input.dim() == 2 else input.reshape(1, -1)
    t = target.reshape(-1)
    C = x.shape[1]
    tgt = x.gather(1, t.unsqueeze(1))
    z = (margin - tgt + x).clamp_min(0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight[t].unsqueeze(1)
    mask = _make(np.arange(C, like=t._data)[None, :] != t._data[:, None], D.bool, input._device)
    loss = (z * mask).sum(1) / C
    if input.dim() < 2:
        loss = loss.reshape(target.shape) if target.dim() else loss.reshape(())
    return _apply_reduction(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    reduction = _reduction(size_average, reduce, reduction)
    return _fused('MultilabelMarginLossBackward0', (input,), lambda x: _multilabel_margin(x, target, reduction))


def _multilabel_margin(input, target, reduction):
    x = input if input.dim() == 2 else input.reshape(1, -1)
    tg = target._data.reshape(x.shape)
    C = x.shape[1]
    # targets are the leading entries before the first -1
    valid = np.cumprod(tg >= 0, axis=1).astype(bool)
    is_tgt = np.zeros_like(tg, dtype=bool)
    rows = np.nonzero(valid)
    is_tgt[rows[0], tg[rows]] = True
    tsel = _make(np.where(valid, tg, 0), D.int64, input._device)
    xt = x.gather(1, tsel)                             # (N, C): x at each target slot
    diff = (1 - xt.unsqueeze(2) + x.unsqueeze(1)).clamp_min(0)   # (N, slot, C)
    pair = valid[:, :, None] & ~is_tgt[:, None, :]
    loss = (diff * _make(pair, D.bool, input._device)).sum((1, 2)) / C
    if input.dim() < 2:
        loss = loss.reshape(())
    return _apply_reduction(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction='mean'):
    reduction = _reduction(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        st = target * target.log() - target + (target * (2 * math.pi)).log() * 0.5
        loss = loss + st.masked_fill(target <= 1, 0)
    return _apply_reduction(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction='mean'):
    if isinstance(var, (int, float)):
        from .. import full_like
        var = full_like(input, var)
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.shape[-1] == 1:
            pass
        else:
            raise ValueError('var is of incorrect size')
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(reduction + ' is not valid')
    if np.any(var._data < 0):
        raise ValueError('var has negative entry/entries')
    var = var.clone()
    with _no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _apply_reduction(loss, reduction)


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None, reduction='mean',
                         ignore_index=None, label_smoothing=0.0, options=None):
    """The reference path computes the numbers; with `options` the result hangs off one node named as
    torch's chunked custom op (chunking itself only saves memory)."""
    if input.dim() < 1 or input.dim() > 2:
        raise RuntimeError(f'expected input with dimensionality 1 or 2, got {input.dim()}')
    if linear_weight.dim() < 2:
        raise RuntimeError(f'expected linear_weight with dimensionality at least 2, got {linear_weight.dim()}')
    batches = tuple(input.shape[:-1])
    in_features = input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError('expected equal input and linear_weight last dimensions (in_features), '
                           f'got {input.shape[-1]} and {linear_weight.shape[-1]}, respectively')
    C = linear_weight.shape[0]
    out_features = tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (C, *out_features):
        raise RuntimeError(f'expected linear_bias shape {(C, *out_features)}, got {tuple(linear_bias.shape)}')
    if out_features and not batches:
        raise RuntimeError(f'K-dimensional loss defined by linear_weight shape {tuple(linear_weight.shape)} '
                           f'requires batched input, (N, {in_features}), got unbatched input with shape '
                           f'{tuple(input.shape)}')
    logits_shape = (*batches, C, *out_features)
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise RuntimeError('ignore_index cannot be specified when target contains probabilities')
    ignore_index = ignore_index if ignore_index is not None else -100
    if options is not None:
        chunked = (reduction in ('mean', 'sum', 'none') and label_smoothing == 0.0
                   and target.dtype == D.int64 and not out_features)
        if not chunked:
            warnings.warn("linear_cross_entropy: ``options`` ignored; chunked path needs reduction in "
                          "{'mean','sum','none'}, label_smoothing == 0, target.dtype == int64, "
                          f"out_features == (). Got reduction={reduction!r}, label_smoothing={label_smoothing}"
                          f", target.dtype={target.dtype}, out_features={out_features}, tracing=False, "
                          "linear_bias.shape="
                          f"{tuple(linear_bias.shape) if linear_bias is not None else None}.", stacklevel=2)
        else:
            return _linear_cross_entropy_chunked(input, linear_weight, target, linear_bias, weight,
                                                 reduction, ignore_index)
    if out_features:
        n = math.prod(out_features) * C
        linear_weight = linear_weight.reshape(n, in_features)
        if linear_bias is not None:
            linear_bias = linear_bias.reshape(n)
    logits = linear(input, linear_weight, linear_bias).reshape(logits_shape)
    return cross_entropy(logits, target, weight=weight, reduction=reduction, ignore_index=ignore_index,
                         label_smoothing=label_smoothing)


def _linear_cross_entropy_chunked(input, linear_weight, target, linear_bias, weight, reduction,
                                  ignore_index):
    unbatched = input.dim() == 1
    if unbatched:
        input, target = input.unsqueeze(0), target.unsqueeze(0)
    op = 'no_reduction_' if reduction == 'none' else ''
    gname = f'GeneratedBackwardFor_torch_nn__linear_cross_entropy_batch_chunked_{op}defaultBackward'
    r = _fused(gname, (input, linear_weight, linear_bias),
               lambda x, w, b: cross_entropy(linear(x, w, b), target, weight=weight, reduction=reduction,
                                             ignore_index=ignore_index))
    return r.squeeze(0) if unbatched else r


def _exp(x):
    # exp/log rounded once from double, as glibc's expf/logf (torch's scalar CTC kernel) nearly always are
    return np.exp(x.astype(np.float64)).astype(x.dtype)


def _log(x):
    return np.log(x.astype(np.float64)).astype(x.dtype)


def _lse(*xs):
    m = functools.reduce(np.maximum, xs)
    ms = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide='ignore'):
        return _log(sum(_exp(x - ms) for x in xs)) + ms


def _ctc_alpha_beta(lp, ext, skip, il, tl, blank):
    """nll per sample and d nll / d log_probs: torch's formulas, in the input's precision (torch's CPU
    kernel runs in float32 for float32 inputs, and its rounding shows in the gradient)."""
    T, B, C = lp.shape
    dt = lp.dtype
    S = ext.shape[1]
    bi = np.arange(B)[:, None]
    em = lp[:, bi, ext]                                   # (T, B, S)
    ninf = np.full((B, S), -np.inf, dt)
    tl_a = np.asarray(tl)
    alpha = np.full((T, B, S), -np.inf, dt)
    a0 = ninf.copy()
    a0[:, 0] = em[0, :, 0]
    a0[:, 1] = np.where(tl_a > 0, em[0, :, 1], -np.inf) if S > 1 else a0[:, 0]
    alpha[0] = a0
    for t in range(1, T):
        prev = alpha[t - 1]
        p1 = np.concatenate([ninf[:, :1], prev[:, :-1]], 1)
        p2 = np.where(skip, np.concatenate([ninf[:, :2], prev[:, :-2]], 1), -np.inf)
        alpha[t] = _lse(prev, p1, p2) + em[t]
    beta = np.full((T, B, S), -np.inf, dt)
    nll = np.zeros(B, dt)
    for b in range(B):
        Tb, L = il[b], tl[b]
        if Tb == 0:
            nll[b] = 0 if L == 0 else np.inf
            continue
        beta[Tb - 1, b, 2 * L] = em[Tb - 1, b, 2 * L]
        if L > 0:
            beta[Tb - 1, b, 2 * L - 1] = em[Tb - 1, b, 2 * L - 1]
        ends = alpha[Tb - 1, b, 2 * L] if L == 0 else _lse(alpha[Tb - 1, b, 2 * L], alpha[Tb - 1, b, 2 * L - 1])
        nll[b] = -ends
    skip_next = np.zeros((B, S), bool)
    skip_next[:, :-2] = skip[:, 2:]
    for t in range(T - 2, -1, -1):
        nxt = beta[t + 1]
        n1 = np.concatenate([nxt[:, 1:], ninf[:, :1]], 1)
        n2 = np.where(skip_next, np.concatenate([nxt[:, 2:], ninf[:, :2]], 1), -np.inf)
        live = (t < np.asarray(il) - 1)[:, None]
        beta[t] = np.where(live, _lse(nxt, n1, n2) + em[t], beta[t])
    ab = alpha + beta                                     # (T, B, S)
    lcab = np.full((T, B, C), -np.inf, dt)
    for s in range(S - 1, -1, -1):        # gather alpha*beta onto classes, in torch's (descending) order
        cur = lcab[:, bi[:, 0], ext[:, s]]
        lcab[:, bi[:, 0], ext[:, s]] = _lse(cur, ab[:, :, s])
    with np.errstate(invalid='ignore', over='ignore'):
        grad = _exp(lp) - _exp(lcab + nll[None, :, None] - lp)
    tmask = np.arange(T)[:, None] < np.asarray(il)[None, :]
    grad = np.where(tmask[:, :, None], grad, 0)
    return nll, grad


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction='mean', zero_infinity=False):
    """CTC by torch's alpha/beta recursions in log space (vectorised over batch and extended target);
    one node, CtcLossBackward0, with torch's closed-form gradient."""
    def lens(x):
        return [int(v) for v in (x.tolist() if isinstance(x, Tensor) else x)]
    il, tl = lens(input_lengths), lens(target_lengths)
    unbatched = log_probs.dim() == 2
    lp_in = log_probs.unsqueeze(1) if unbatched else log_probs
    tg = np.host(targets._data)       # the recursions run on the host (Python loops over time)
    if unbatched:
        tg = tg.reshape(1, -1)
    B = lp_in.shape[1]
    if targets.dim() == 1 and not unbatched:    # concatenated targets
        offs = np.concatenate([[0], np.cumsum(tl)[:-1]]).astype(np.int64)
        rows = [tg.reshape(-1)[o:o + n] for o, n in zip(offs, tl)]
    else:
        rows = [tg[b, :tl[b]] for b in range(B)]
    Lmax = max(tl) if tl else 0
    S = 2 * Lmax + 1
    ext = np.full((B, S), blank, np.int64)
    for b, r in enumerate(rows):
        ext[b, 1:2 * len(r):2] = r
    # a transition s-2 -> s is allowed for labels differing from the label two back
    skip = np.zeros((B, S), bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    nll_arr, grad_arr = _ctc_alpha_beta(np.host(lp_in._data), ext, skip, il, tl, blank)
    nll = _make(nll_arr.astype(lp_in._data.dtype), lp_in.dtype, lp_in._device)
    if lp_in._requires_grad and grad_state.enabled:
        def bwd(node, g):
            gd = grad_arr
            if zero_infinity:
                gd = np.where(np.isinf(nll_arr)[None, :, None], 0, gd)
            return _make(gd.astype(lp_in._data.dtype), lp_in.dtype, lp_in._device) * g.reshape(1, B, 1)
        attach('CtcLossBackward0', bwd, (lp_in,), (nll,))
    if zero_infinity:
        from .. import where
        nll = where(nll == math.inf, nll.new_zeros(()), nll)     # torch's where(), not masked_fill
    if reduction == 'none' and unbatched:
        return nll[0]
    if reduction == 'mean':
        tlt = _make(np.maximum(np.asarray(tl), 1).astype(lp_in._data.dtype), lp_in.dtype, lp_in._device)
        return (nll / tlt).mean()
    if reduction == 'sum':
        return nll.sum()
    return nll


# --- publish what torch exposes outside nn -------------------------------------------------------

register(_t_softmax, name='softmax')
register(_t_log_softmax, name='log_softmax')
register(selu, name='selu', method=False)
register(celu, name='celu', method=False)
register(lambda input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None:
         rrelu(input, lower, upper, training), name='rrelu', method=False)
register(lambda input: selu(input, True), name='selu_', method=False)
register(lambda input, alpha=1.0: celu(input, alpha, True), name='celu_', method=False)
register(lambda input, threshold_, value: threshold(input, threshold_, value), name='threshold', method=False)
register(lambda input, threshold_, value: threshold(input, threshold_, value, True), name='threshold_',
         method=False)
register(hardshrink, name='hardshrink')
register(prelu, name='prelu')
register(lambda input, p, train: _dropout_impl(input, p, train), name='dropout', method=False)
register(lambda input, p, train: _dropout_impl(input, p, train, inplace=True), name='dropout_', method=False)
register(lambda input, p, train: _dropout_impl(input, p, train, alpha=True), name='alpha_dropout', method=False)
register(lambda input, p, train: _dropout_impl(input, p, train, feature=True), name='feature_dropout',
         method=False)
register(lambda input, p, train: _dropout_impl(input, p, train, feature=True, alpha=True),
         name='feature_alpha_dropout', method=False)
register(lambda weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False:
         embedding(indices, weight, padding_idx if padding_idx >= 0 else None,
                   scale_grad_by_freq=scale_grad_by_freq), name='embedding', method=False)
register(bilinear, name='bilinear', method=False)
register(cosine_similarity, name='cosine_similarity', method=False)
register(pairwise_distance, name='pairwise_distance', method=False)
register(pdist, name='pdist', method=False)
register(channel_shuffle, name='channel_shuffle', method=False)
register(channel_shuffle, name='native_channel_shuffle', method=False)
register(lambda input, target, weight=None, pos_weight=None, reduction=1:
         binary_cross_entropy_with_logits(input, target, weight, reduction=_enum_red(reduction),
                                          pos_weight=pos_weight),
         name='binary_cross_entropy_with_logits', method=False)


def _enum_red(r):
    return r if isinstance(r, str) else ('none', 'mean', 'sum')[r]


def _native_dropout(input, p, train):
    """torch.native_dropout: (output, bool mask), one NativeDropoutBackward0 node."""
    if train:
        noise = input.new_empty(input.shape).bernoulli_(1 - p)
        scale = 1.0 / (1 - p) if p < 1 else 0.0
    else:
        noise = _make(np.ones(input._data.shape, input._data.dtype), input.dtype, input._device)
        scale = 1.0
    mask = noise._data.astype(bool)
    out = _make((input._data * noise._data * input._data.dtype.type(scale)).astype(input._data.dtype, copy=False),
                input.dtype, input._device)
    if input._requires_grad and grad_state.enabled:
        m = _make(noise._data * input._data.dtype.type(scale), input.dtype, input._device)
        attach('NativeDropoutBackward0', lambda node, g: g * m, (input,), (out,))
    return out, _make(mask, D.bool, input._device)


# torch.<loss>(..., reduction: int) forms: 0 none, 1 mean, 2 sum (their Python default is 0)
register(lambda input1, input2, target, margin=0.0, reduction=0: cosine_embedding_loss(
    input1, input2, target, margin, reduction=_enum_red(reduction)), name='cosine_embedding_loss', method=False)
register(lambda input, target, margin=1.0, reduction=0: hinge_embedding_loss(
    input, target, margin, reduction=_enum_red(reduction)), name='hinge_embedding_loss', method=False)
def _t_kl_div(input, target, reduction=0, *, log_target=False):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return kl_div(input, target, reduction=_enum_red(reduction), log_target=log_target)


register(_t_kl_div, name='kl_div', method=False)
register(lambda input1, input2, target, margin=0.0, reduction=0: margin_ranking_loss(
    input1, input2, target, margin, reduction=_enum_red(reduction)), name='margin_ranking_loss', method=False)
register(lambda input, target, log_input, full, eps, reduction: poisson_nll_loss(
    input, target, log_input, full, eps=eps, reduction=_enum_red(reduction)), name='poisson_nll_loss', method=False)
register(lambda anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, reduction=0: triplet_margin_loss(
    anchor, positive, negative, margin, p, eps, swap, reduction=_enum_red(reduction)), name='triplet_margin_loss',
    method=False)
register(lambda log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0, zero_infinity=False:
         ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, _enum_red(reduction), zero_infinity),
         name='ctc_loss', method=False)
register(_native_dropout, name='native_dropout', method=False)
register(lambda input: relu(input, inplace=True), name='relu_', method=False)
register(lambda input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None:
         rrelu(input, lower, upper, training, inplace=True), name='rrelu_', method=False)


from ._functional_spatial import *  # noqa: F401,F403,E402
