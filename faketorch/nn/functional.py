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
from .. import _autocast as _ac
from .._autocast import state as _acs

from .. import _dtype as D
from .. import _vecmath as V
from .._device import xp_of
from .._tensor import Tensor, _make, _wrap_dim, _dtype_c10 as _c10     # caffe2 TypeMeta names
from ..autograd.grad_mode import state as grad_state
from .._ops._core import (attach, broadcast_shapes, guard, kernel_error, linear_grad, needs, register, check_inplace, commit_inplace,
                          same_device)
from .._ops import blas as _blas
from .._ops.misc import where as _where
from .._ops.pointwise import _clamp_to, _select_zero, _zero_where
from .._ops.blas import matmul as _matmul
from ..overrides import _hand_dispatch as _tf_needed

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
    return kernel_error(kernel, t.dtype, t._device)


def _float_only(kernel, t):
    if t.dtype._cat != 2 or t.dtype in D.float8_types:      # no loop for float8 either
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


def _fused(gname, inputs, fn, value=None, zeros=False):
    """fn(*inputs) computed as ONE graph node named gname (torch has a fused kernel here; we compose).

    The composite runs on detached aliases; the node's backward differentiates that sub-graph. `value`,
    where given, is the node's result instead of the composite's (torch's kernel order, reproduced); a
    callable value is called after fn ran.
    zeros: an input fn does not read gets a zero gradient, not None (torch's formula is zeros_like)."""
    if not _grad_needed(*inputs):
        return fn(*inputs) if value is None else _make(value, inputs[0].dtype, inputs[0]._device)
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
    if callable(value):
        value = value()
    r = _make(sub._data if value is None else value, sub.dtype, sub._device)
    diff = [i for i, t in enumerate(inputs) if t is not None and t._requires_grad]

    def bwd(node, g):
        gs = _agrad(sub, [leaves[i] for i in diff], g, retain_graph=True, create_graph=grad_state.enabled,
                    allow_unused=True) if sub._requires_grad else [None] * len(diff)     # fn read none of them
        out = [None] * len(inputs)
        for i, gi in zip(diff, gs):
            out[i] = gi if gi is not None or not zeros else leaves[i].new_zeros(leaves[i].shape)
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
        a = input._data
        if a.dtype == np.float16:       # torch's kernels compute half in float and round once
            r = _make(fwd(a.astype(np.float32), *params).astype(np.float16), input.dtype, input._device)
        else:
            r = _make(fwd(a, *params), input.dtype, input._device)
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
    # torch's kernel: g * input_scale * (alpha * scale) * exp(x * input_scale), left to right, its
    # coefficients in the tensor's precision
    t = np.dtype(x.dtype._np).type if x.dtype._cat == 2 else float
    neg = g * float(t(input_scale)) * float(t(alpha) * t(scale)) * (x * input_scale).exp()
    return _where(x <= 0, neg, g * scale)


def _elu_bwd_result(g, r, alpha, scale, input_scale):
    _negative_slope_check(alpha, 'elu')
    return _where(r <= 0, g * input_scale * (r + alpha * scale), g * scale)


_elu = _act('EluBackward0', 'elu_cpu', _elu_fwd, _elu_bwd, inplace_deriv=_elu_bwd_result)
_celu = _act('CeluBackward0', 'elu_cpu', _elu_fwd, _elu_bwd, inplace_deriv=_elu_bwd_result)


# torch's orders that cost many times NumPy's (log_softmax and its gradients, SDPA's flash kernel, the nll
# cascade, GELU's tanh via SLEEF's and glibc's tanhf): followed only when exact float32 is asked
# (FAKETORCH_EXACT_FLOAT32=1), as they
# would slow every classifier step several-fold (cross_entropy 64x10: 0.1 -> 0.4 ms)
_COSTLY = 0


def _gelu_fwd(a, approximate):
    t = a.dtype.type
    if approximate == 'tanh':
        if a.dtype == _f32 and type(a) is np.ndarray and a.size and V.reproduces(a.size, _COSTLY):
            from .._misc import get_num_threads
            return V.gelu_tanh(a, get_num_threads())
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
        a, ga = x._data, g._data
        if not grad_state.enabled and a.dtype == _f32 and ga.dtype == _f32 and type(a) is np.ndarray \
                and type(ga) is np.ndarray and a.shape == ga.shape and a.flags.c_contiguous \
                and ga.flags.c_contiguous and a.size and V.reproduces(a.size, _COSTLY):
            from .._misc import get_num_threads
            return _make(V.gelu_tanh_backward(ga, a, get_num_threads()), g.dtype, g._device)
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


def _silu_check(input):
    if not input.dtype.is_complex:
        _float_only('silu_cpu', input)
    elif input._requires_grad and grad_state.enabled:      # torch has a complex kernel but no derivative for it
        raise RuntimeError("silu does not support automatic differentiation for outputs with complex dtype.")


_silu = _act('SiluBackward0', 'silu_cpu', _silu_fwd, _silu_bwd, double=False, check=_silu_check)
_softplus = _act('SoftplusBackward0', 'softplus_cpu', _softplus_fwd, _softplus_bwd)
_mish = _act('MishBackward0', 'mish_cpu', _mish_fwd, _mish_bwd, double=False)
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
_rrelu_eval = _act('RreluWithNoiseBackward0', 'leaky_relu_cpu', _leaky_fwd, _leaky_bwd,
                   inplace_deriv=_leaky_bwd_result)


def _hardtanh_check(t, lo, hi):
    # torch clamps any real dtype; scalar limits are cast (truncated) to the input's dtype
    c = t.dtype._cat
    if c == 0:
        raise RuntimeError('Bool inputs not supported for hardtanh')
    if c == 3:
        raise NotImplementedError('clamp is not supported for complex types')
    if t.dtype in D.BARE_UINTS or t.dtype in D.float8_types:     # torch clamps them with no loop for them
        raise _not_implemented('clamp_scalar_cpu', t)
    if c == 1 and t._data.dtype.kind == 'u' and (lo < 0 or hi < 0):
        raise RuntimeError('cannot do hardtanh on an unsigned type with negative limits')


def _threshold_check(t, th, v):
    if t.dtype._cat in (0, 3) or t.dtype in D.BARE_UINTS or t.dtype in D.float8_types:
        raise _not_implemented('threshold_cpu', t)


_ONE_SIXTH = float(np.float32(1 / 6))        # torch's hardsigmoid backward scales by the float 1/6, doubles too

_hardtanh = _act('HardtanhBackward0', 'hardtanh',
                 lambda a, lo, hi: _clamp_to(np.minimum, _clamp_to(np.maximum, a, a.dtype.type(lo)), a.dtype.type(hi)),
                 lambda g, x, lo, hi: _zero_where((x <= lo) | (x >= hi), g), check=_hardtanh_check)
_hardsigmoid = _act('HardsigmoidBackward0', 'hardsigmoid_cpu',
                    lambda a: np.clip(a + a.dtype.type(3), 0, 6) / a.dtype.type(6),
                    lambda g, x: _zero_where(~((x > -3) & (x < 3)), g * _ONE_SIXTH))
_hardswish = _act('HardswishBackward0', 'hardswish_cpu',
                  lambda a: a * np.clip(a + a.dtype.type(3), 0, 6) / a.dtype.type(6),
                  lambda g, x: _zero_where(x <= -3, _where(x < 3, g * (x / 3 + 0.5), g)))
def _softshrink_check(t, lambd):
    _float_only('softshrink_check', t)
    from .._misc import finfo
    top = finfo(t.dtype).max
    if not 0 <= lambd <= top:      # (NaN too)
        raise RuntimeError(f"lambda must be in range [0, {top:g}] for input dtype {D.type_name(t.dtype)}, "
                           f"but found {lambd:g}")


# torch's shrinks and threshold test `-l <= x <= l` / `x <= t`, so a NaN input passes through
_softshrink = _act('SoftshrinkBackward0', 'softshrink_check',
                   lambda a, l: np.where(a > l, a - a.dtype.type(l),
                                         np.where(a < -l, a + a.dtype.type(l), a * a.dtype.type(0))),
                   lambda g, x, l: _zero_where((x >= -l) & (x <= l), g), check=_softshrink_check)
_hardshrink = _act('HardshrinkBackward0', 'hardshrink_cpu',
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
    if input.is_quantized:
        return input.clamp(min_val, max_val)
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
    if input.is_quantized:
        return input.relu_() if inplace else input.relu()
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
    _float_only('glu_cpu', input)
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
    if _acs.cpu is not None:
        return _ac.run(prelu, _acs.cpu, (input, weight))
    if weight.dtype is not input.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {D.type_name(input.dtype)} and "
                           f"{D.type_name(weight.dtype)}")
    if weight.numel() != 1:
        if not input.dim():
            raise RuntimeError("Not allow zero-dim input tensor.")
        ch = input.shape[1] if input.dim() >= 2 else 1      # a 1-D input is one channel
        if weight.numel() != ch:
            raise RuntimeError(f'Mismatch of parameter numbers and input channel size. Found parameter '
                               f'numbers = {weight.numel()} and channel size = {ch}.')
    if weight.dim() > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.dim()}")
    _float_only('prelu_cpu', input)
    w = weight._data
    shape = [1] * input.dim()
    if input.dim() >= 2:
        shape[1] = weight.numel()
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
    if not lower <= upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if not training:
        return _rrelu_eval(input, (lower + upper) / 2, inplace=inplace)
    if input.dtype._cat != 2 or input.dtype is D.float16:     # its CPU kernel has no Half loop either
        raise _not_implemented('rrelu_with_noise_out_cpu', input)
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

# on a GPU, one kernel per call for the last-dim softmax / log_softmax and their backward, and for a 2-d
# nll_loss without weights (cross_entropy's usual case); a thread per row, the NumPy code's order
def _shifted_rows(x):
    """x less its row maxima (0 where a maximum is not finite), as the kernels below take them."""
    m = np.max(x, -1, keepdims=True)
    return x - np.where(np.isfinite(m), m, 0)


def _log_softmax_host(x, C, y):
    z = _shifted_rows(x)
    with np.errstate(divide='ignore', invalid='ignore'):     # a row of -inf: NaN, silently as torch
        y[...] = z - np.log(np.sum(np.exp(z), -1, keepdims=True))
    return y


def _softmax_host(x, C, y):
    e = np.exp(_shifted_rows(x))
    with np.errstate(divide='ignore', invalid='ignore'):
        y[...] = e * (1 / np.sum(e, -1, keepdims=True))
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


def _nll_reduce_host(losses, w, bad, mean, out, total, anybad):
    total = w.sum()
    cascade = type(losses) is np.ndarray and V.reproduces(losses.size, _COSTLY)     # torch's order (_vecmath)
    s = V.nll_cascade_sum(losses, w == 0) if cascade else losses.sum()
    return (s / total if mean else s), total, bad.any()


def _nll_bwd_host(w, s, total, mean, t, C, y):
    hit = (np.arange(C, like=t)[None, :] == t[:, None]) & (w != 0)[:, None]    # an ignored row stays +0
    with np.errstate(all='ignore'):     # every row ignored: total is 0
        y[...] = np.where(hit, -(w * (s / total if mean else s))[:, None], 0)
    return y


# a row's maximum m (0 where not finite) and the sum s of exp(x - m)
_ROW_MAX_SUM = """
    const ptrdiff_t o = i * C;
    T m = x[o];
    for (ptrdiff_t j = 1; j < C; j++) m = max(m, x[o + j]);
    if (!isfinite(m)) m = 0;
    T s = 0;
    for (ptrdiff_t j = 0; j < C; j++) s += exp(x[o + j] - m);"""
_log_softmax_rows = np.Kernel('log_softmax_rows', 'raw T x, int64 C', 'raw T y', _ROW_MAX_SUM + """
    const T ls = log(s);
    for (ptrdiff_t j = 0; j < C; j++) y[o + j] = (x[o + j] - m) - ls;""", _log_softmax_host)
_log_softmax_bwd_rows = np.Kernel('log_softmax_bwd_rows', 'raw T g, raw T x, int64 C', 'raw T y', """
    const ptrdiff_t o = i * C;
    T s = 0;
    for (ptrdiff_t j = 0; j < C; j++) s += g[o + j];
    for (ptrdiff_t j = 0; j < C; j++) y[o + j] = g[o + j] - exp(x[o + j]) * s;""", _log_softmax_bwd_host)


def _softmax_bwd_host(g, y, C, out):
    gy = g * y
    out[...] = (g - gy.sum(-1, keepdims=True)) * y
    return out


_softmax_rows = np.Kernel('softmax_rows', 'raw T x, int64 C', 'raw T y', _ROW_MAX_SUM + """
    const T r = 1 / s;
    for (ptrdiff_t j = 0; j < C; j++) y[o + j] = exp(x[o + j] - m) * r;""", _softmax_host)
_softmax_bwd_rows = np.Kernel('softmax_bwd_rows', 'raw T g, raw T y, int64 C', 'raw T out', """
    const ptrdiff_t o = i * C;
    T s = 0;
    for (ptrdiff_t j = 0; j < C; j++) s += g[o + j] * y[o + j];
    for (ptrdiff_t j = 0; j < C; j++) out[o + j] = (g[o + j] - s) * y[o + j];""", _softmax_bwd_host)
_nll_rows = np.Kernel('nll_rows', 'raw T x, int64 t, int64 C, int64 ignore', 'T loss, T w, bool bad', """
    const bool valid = t != ignore;
    bad = valid && (t < 0 || t >= C);
    w = valid ? 1 : 0;
    loss = valid && !bad ? -x[i * C + t] : 0;""", _nll_host)
# the reduction in one thread (a loop over the rows; nll_rows' outputs are one value a row)
_nll_reduce = np.Kernel('nll_reduce', 'raw T losses, raw T w, raw bool bad, int64 mean', 'T out, T total, bool anybad',
                        """
    const ptrdiff_t n = losses.size();
    T sl = 0, sw = 0;
    bool b = false;
    for (ptrdiff_t r = 0; r < n; r++) { sl += losses[r]; sw += w[r]; b = b || bad[r]; }
    total = sw;
    out = mean ? sl / sw : sl;
    anybad = b;""", _nll_reduce_host)
_nll_bwd_rows = np.Kernel('nll_bwd_rows', 'raw T w, T s, T total, int64 mean, raw int64 t, int64 C', 'T y', """
    const ptrdiff_t r = i / C;
    y = (i - r * C == t[r] && w[r] != 0) ? -(w[r] * (mean ? s / total : s)) : 0;""", _nll_bwd_host)


def _safe_softmax_host(x, C, y):
    dead = np.all(x == -np.inf, -1, keepdims=True)
    _softmax_host(np.where(dead, 0, x), C, y)
    y[...] = np.where(dead, 0, y)
    return y


# torch._safe_softmax: softmax_rows, but a row that is all -inf gives zeros, not NaN
_safe_softmax_rows = np.Kernel('safe_softmax_rows', 'raw T x, int64 C', 'raw T y', _ROW_MAX_SUM + """
    bool dead = true;
    for (ptrdiff_t j = 0; j < C; j++) dead = dead && !isfinite(x[o + j]) && x[o + j] < 0;
    const T r = 1 / s;
    for (ptrdiff_t j = 0; j < C; j++) y[o + j] = dead ? 0 : exp(x[o + j] - m) * r;""", _safe_softmax_host)


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
    a = input._data
    nd = a.ndim
    d = _wrap_dim(dim, nd)
    if (input.dtype._cat != 2 or input.dtype.itemsize == 1) and a.size:     # integers, float8 (not when empty)
        kern = f"{'log_' if log else ''}softmax_{'lastdim_' if d == max(nd, 1) - 1 else ''}kernel_impl"
        raise _not_implemented(kern, input)
    ax = d if nd else None
    if a.size == 0:
        out = a.copy()
    elif not log and d == nd - 1 and a.dtype == np.float32 and type(a) is np.ndarray and nd \
            and V.reproduces(a.size):
        out = V.softmax_lastdim(a)      # torch's kernel bit for bit (~5x NumPy's cost: small inputs, or asked)
    elif log and d == nd - 1 and a.dtype == np.float32 and type(a) is np.ndarray and nd \
            and V.reproduces(a.size, _COSTLY):
        out = V.log_softmax_lastdim(a)
    elif d == nd - 1 and _log_softmax_rows.ready(a):
        out = _rows(_log_softmax_rows if log else _softmax_rows, a)
    else:
        m = np.max(a, axis=ax, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)     # (always: asking whether to would be a GPU sync)
        z = a - m
        e = np.exp(z)
        s = np.sum(e, axis=ax, keepdims=True)
        with np.errstate(divide='ignore', invalid='ignore'):     # a row of -inf: NaN, silently as torch
            out = z - np.log(s) if log else e * (1 / s)
    # torch's CPU kernel writes C order whatever the input's layout (a channels-last logits map too)
    out = out if out.dtype == a.dtype else out.astype(a.dtype)
    r = _make(out if out.flags.c_contiguous else np.ascontiguousarray(out), input.dtype, input._device)
    if input._requires_grad and grad_state.enabled:
        if log:
            attach('LogSoftmaxBackward0', _log_softmax_bwd, (input,), (r,), save=(r,), args=ax)
        else:
            attach('SoftmaxBackward0', _softmax_bwd, (input,), (r,), save=(r,), args=ax)
    return r


def _exact_lastdim(ax, gd, yd):
    """Whether a softmax / log_softmax gradient takes torch's CPU kernel order (_vecmath): float32 NumPy arrays
    over the last dim, small enough (V.reproduces)."""
    return ax is not None and gd.ndim and ax == gd.ndim - 1 and gd.size and type(gd) is np.ndarray \
        and type(yd) is np.ndarray and gd.dtype == np.float32 and yd.dtype == np.float32 \
        and V.reproduces(gd.size, _COSTLY)


def _softmax_bwd(node, g):
    y, = node.saved_tensors
    ax = node._args
    if not grad_state.enabled:
        yd, gd = y._data, g._data
        if _exact_lastdim(ax, gd, yd):
            return _make(V.softmax_backward_lastdim(gd, yd), g.dtype, g._device)
        if ax is not None and ax == gd.ndim - 1 and gd.size and _softmax_bwd_rows.ready(gd) and gd.dtype == yd.dtype:
            return _make(_rows(_softmax_bwd_rows, gd, yd), g.dtype, g._device)
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
        if _exact_lastdim(ax, gd, y._data):
            return _make(V.log_softmax_backward_lastdim(gd, y._data), g.dtype, g._device)
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
    input = -input          # in the input's dtype, as torch (an unsigned input wraps around)
    if dtype is not None:
        input = input.to(dtype)
    return _softmax_core(input, dim, False)


def _torch_softmax(input, dim, dtype=None, *, _log=False):
    if dtype is not None:
        input = input.to(dtype)
    return _softmax_core(input, dim, _log)


def _t_softmax(input, dim, dtype=None):
    return _torch_softmax(input, dim, dtype)


def _t_log_softmax(input, dim, dtype=None):
    return _torch_softmax(input, dim, dtype, _log=True)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    if isinstance(p, str) or input.dtype.is_complex:
        norm = input.norm(p, dim, keepdim=True)
    else:       # input.norm(p, dim)'s checks, then its value as one node
        from ..linalg import _check_float
        _check_float('linalg.vector_norm', input)
        for d in (dim if isinstance(dim, (tuple, list)) else (dim,)):
            if not isinstance(d, Tensor):       # (vector_norm reads a one-element tensor as a list of ints)
                _wrap_dim(d, input.dim())
        norm = _norm(input, p, dim, True)
    denom = norm.clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    from .. import div
    return div(input, denom, out=out)


# --- linear ----------------------------------------------------------------------------------------

# torch records linear as addmm(bias, input, weight.t()) / mm(input, weight.t()): one node whose
# edges are (bias, input, TBackward0(weight)); we keep that edge layout so next_functions match.

def _linear_bwd(node, g):
    x, wt = node.saved_tensors       # each only where the other's gradient is needed (as torch saves)
    if g.dtype.is_complex:      # conjugate transposes, as matmul's backward
        x, wt = x.conj() if x is not None else None, wt.conj() if wt is not None else None
    bias_kind, nd = node._args
    has_b = bias_kind != _NO_BIAS
    o = 1 if has_b else 0
    need_x, need_w = needs(node, o), needs(node, o + 1)
    need_b = has_b and needs(node, 0)
    if not grad_state.enabled:
        gx, gwt, gb = _linear_bwd_arrays(g, x, wt, need_x, need_w, need_b, bias_kind, nd)
    else:
        gx = gwt = gb = None
        if need_x:
            gx = _matmul(g, wt.t())
        g2 = g.reshape(-1, g.shape[-1]) if nd != 2 else g
        if need_w:
            x2 = x.reshape(-1, x.shape[-1]) if nd != 2 else x
            gwt = _matmul(x2.t(), g2) if nd else (g2.t() * x).t()
        if need_b:
            gb = (g2.sum(0, keepdim=True).view(-1) if nd else g) if bias_kind == _VECTOR_BIAS else g2
    return (gb, gx, gwt) if has_b else (gx, gwt)


def _linear_bwd_arrays(g, x, wt, need_x, need_w, need_b, bias_kind, nd):
    # the common case (no create_graph): the two GEMMs straight on the arrays, no wrapper ops
    gd = g._data
    dt, dev = g.dtype, g._device
    gx = gwt = gb = None
    if need_x:
        gx = _make(_blas.fold_matmul(gd, wt._data.T), dt, dev)
    if nd == 0:
        xd = x._data if need_w else None
        return gx, (_make((gd[:, None] * xd).T, dt, dev) if need_w else None), (g if need_b else None)
    g2 = gd.reshape(-1, gd.shape[-1]) if gd.ndim != 2 else gd
    if need_w:
        xd = x._data
        x2 = xd.reshape(-1, xd.shape[-1]) if xd.ndim != 2 else xd
        gwt = _make((g2.T @ x2).T, dt, dev)
    if need_b:     # a bias other than a vector gets the (rows, out) gradient; the engine sums it to its shape
        gb = _make(g2.sum(0) if bias_kind == _VECTOR_BIAS else g2, dt, dev)
    return gx, gwt, gb


_NO_BIAS, _VECTOR_BIAS, _OTHER_BIAS = 0, 1, 2

def _linear_folds(input, bias):
    """torch runs linear with a bias as one addmm on the input viewed (rows, in_features) when the input is
    2-D, or contiguous with a bias that is a vector up to singleton dims; otherwise as matmul, then add_."""
    return input.is_contiguous() and (bias.dim() == 1 or sum(s != 1 for s in bias.shape) == 1)


def _addmm_check(bias, input, weight, rows):
    """torch.addmm(bias, input.view(rows, -1), weight.t())'s checks, in its order."""
    _blas.addmm_checks(bias, input, weight, mat1_dim=2)
    k, (out, k2) = input.shape[-1], weight.shape
    if k != k2:
        raise RuntimeError(f'mat1 and mat2 shapes cannot be multiplied ({rows}x{k} and {k2}x{out})')
    if bias.shape != (out,) and bias.shape != (rows, out):
        bias.expand(rows, out)      # raises expand's error where the bias does not broadcast


def _bool_blas_check(input, weight, folds, rows, out):
    """torch's CPU BLAS kernels have no Bool or uint16/32/64 loop (on CUDA cuda_blas_check covers it, integers
    too); an empty product returns early, except dot's."""
    if input._device.type == 'cuda':
        return
    nd, k = input.dim(), input.shape[-1]
    if weight.dim() == 1:
        kernel = 'dot' if nd == 1 else 'addmv_impl_cpu'
    else:
        kernel = 'addmm_impl_cpu_' if folds or nd <= 2 or input.is_contiguous() else 'bmm'
    if kernel == 'dot' or (rows and out and k):
        raise _not_implemented(kernel, input)
    if kernel == 'addmm_impl_cpu_' and folds and rows and out and input.dtype is D.bool:     # a Long beta for the bias
        raise RuntimeError("result type Long can't be cast to the desired output type Bool")


def linear(input, weight, bias=None):
    if _acs.cpu is not None:       # a fast-dtype op under CPU autocast
        return _ac.run(linear, _acs.cpu, (input, weight, bias))
    for i, (what, t) in enumerate((('input', input), ('weight', weight))):
        if not isinstance(t, Tensor):
            raise TypeError(f"linear(): argument '{what}' (position {i + 1}) must be Tensor, not {type(t).__name__}")
    same_device(input, weight, bias)
    nd, wd = input.dim(), weight.dim()
    if nd == 0 or wd == 0:
        raise RuntimeError(f'both arguments to linear need to be at least 1D, but they are {nd}D and {wd}D')
    if input.dtype is D.float8_e8m0fnu:     # the other float8 types have a CPU addmm; e8m0fnu has none
        raise _not_implemented('addmm_impl_cpu_', input)
    if wd > 2:
        raise RuntimeError(f't() expects a tensor with <= 2 dimensions, but self is {wd}D')
    folds = bias is not None and (nd == 2 or _linear_folds(input, bias))
    if bias is not None and not folds:
        return linear(input, weight).add_(bias)
    a, w = input._data, weight._data
    rows = a.size // a.shape[-1] if a.shape[-1] else math.prod(a.shape[:-1])
    if folds:
        _addmm_check(bias, input, weight, rows)
    elif input.dtype is not weight.dtype or a.shape[-1] != w.shape[-1]:
        _matmul(input, weight.t())      # raises matmul's error
    out_f = w.shape[0] if wd == 2 else 1
    if input.dtype is D.bool or input.dtype in D.BARE_UINTS:
        _bool_blas_check(input, weight, folds, rows, out_f)
    _blas.cuda_blas_check(_blas._cuda_kernel(a.ndim, wd), input, a, w)
    b = bias._data if bias is not None else None
    fma = V.fused(a) if b is not None and a.shape[-1] == 1 and rows > 1 and out_f > 1 else None
    if fma is not None and b.ndim == 1 and w.ndim == 2 and a.dtype == w.dtype == b.dtype:
        # one input feature: torch's CPU gemm rounds x*w + b once (one row or one output: its gemv
        # path, a plain product and sum)
        out = fma(a, w.T, b)
    elif b is not None:
        half = a.dtype == np.float16
        if half:        # torch adds the bias to the float product and rounds once (float16 arrays would twice)
            a, w, b = a.astype(np.float32), w.astype(np.float32), b.astype(np.float32)
        out = _blas.fold_matmul(a, w.T)
        if b.ndim > 1:      # a (rows, out)-broadcastable bias adds to the product viewed (rows, out)
            out.reshape(rows, out_f)[...] += b
        elif out.ndim:
            out += b
        else:
            out = out + b
        if half:
            out = out.astype(np.float16)
    else:
        out = _blas.fold_matmul(a, w.T)
    r = _make(out, input.dtype, input._device)
    if grad_state.enabled and (input._requires_grad or weight._requires_grad
                               or (bias is not None and bias._requires_grad)):
        if nd == 2:
            name = 'AddmmBackward0' if bias is not None else 'MmBackward0'
        elif bias is not None:
            name = 'ViewBackward0'
        else:
            name = 'SqueezeBackward4' if nd == 1 else 'UnsafeViewBackward0'
        wt = weight.t() if weight._requires_grad else weight
        edges = (bias, input, wt) if bias is not None else (input, wt)
        kind = _NO_BIAS if bias is None else _VECTOR_BIAS if bias.dim() == 1 else _OTHER_BIAS
        # torch's addmm saves mat1 (the input) for the weight's gradient, mat2 (weight.t()) for the input's
        mat2 = (wt if wt is not weight else weight.t()) if input._requires_grad else None
        attach(name, _linear_bwd, edges, (r,), save=(input if weight._requires_grad else None, mat2),
               args=(kind, nd))
    return r


def _dim_size(t, d):
    """t.size(d) with torch's errors (a 0-dim tensor has no dimension to name)."""
    if not t.dim():
        raise IndexError(f'Dimension specified as {d} but tensor has no dimensions')
    return t.shape[_wrap_dim(d, t.dim())]


def bilinear(input1, input2, weight, bias=None):
    from .. import einsum
    ts = (input1, input2, weight) if bias is None else (input1, input2, weight, bias)
    if any(t.dtype is not input1.dtype for t in ts):
        got = ', '.join(f'{n}: {_c10(t.dtype)}' for n, t in zip(('input1', 'input2', 'weight', 'bias'), ts))
        raise RuntimeError(f'All tensors must have the same dtype, got {got}')
    n1, n2 = input1.dim(), input2.dim()
    if n1 != n2:
        raise RuntimeError(f'bilinear(): input dimensions do not match: got {n1} and {n2}')
    for i in range(n1 - 1):
        if input1.shape[i] != input2.shape[i]:
            raise RuntimeError(f'bilinear(): input batch dimensions do not match at dim {i}: got '
                               f'{input1.shape[i]} and {input2.shape[i]}')
    for name, x, d in (('input1', input1, 1), ('input2', input2, 2)):
        got, want = _dim_size(x, -1), _dim_size(weight, d)
        if got != want:
            raise RuntimeError(f'bilinear(): {name} size does not match weight size: got {got} but expected {want}')
    if bias is not None and _dim_size(bias, 0) != weight.shape[0]:
        raise RuntimeError(f'bilinear(): bias size does not match weight size: got {bias.shape[0]} but expected '
                           f'{weight.shape[0]}')
    if weight.dim() != 3:
        raise RuntimeError('number of dimensions must match')
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
    if training and not inplace and input._device.type == 'cuda' and 0 < p < 1 and input.numel():
        return _native_dropout(input, p, True)[0]       # torch's fused CUDA kernel (NativeDropoutBackward0)
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
        if nd == 1 and inp_dim not in (2, 3):
            raise RuntimeError(f'dropout1d: Expected 2D or 3D input, but received a {inp_dim}D input. '
                               'Note that dropout1d exists to provide channel-wise dropout on inputs '
                               'with 1 spatial dimension, a channel dimension, and an optional batch '
                               'dimension (i.e. 2D or 3D inputs).')
        if nd > 1 and inp_dim not in (nd + 1, nd + 2):
            warnings.warn(f'{name}: Received a {inp_dim}-D input to {name}, which is deprecated and '
                          'will result in an error in a future release. To retain the behavior and silence '
                          f'this warning, please use dropout instead. Note that {name} exists to provide '
                          f'channel-wise dropout on inputs with {nd} spatial dimensions, a channel dimension, '
                          f'and an optional batch dimension (i.e. {nd + 1}D or {nd + 2}D inputs).', stacklevel=2)
        if nd == 2 and inp_dim == 3:
            warnings.warn('dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D '
                          'dropout behavior is desired - input is interpreted as shape (N, C, L), where C '
                          'is the channel dim. This behavior will change in a future release to interpret '
                          'the input as one without a batch dimension, i.e. shape (C, H, W). To maintain '
                          'the 1D channel-wise dropout behavior, please switch to using dropout1d instead.',
                          stacklevel=2)
        # torch's dropout2d hands every input to feature dropout as it is (a 2-D one as (N, C), so each
        # element is dropped alone); dropout1d/3d add a batch dimension to any input of another rank
        batched = nd == 2 or inp_dim == nd + 2
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

_INDEX_TYPES = ((D.int64, D.int32), 'Long, Int')
_BAG_WEIGHT_TYPES = ((D.float16, D.bfloat16, D.float32, D.float64), 'Half, BFloat16, Float, Double')


def _check_scalar_types(fname, arg, dtype, device, allowed):
    if dtype not in allowed[0]:
        raise RuntimeError(f"Expected tensor for argument {arg} to have one of the following scalar types: "
                           f"{allowed[1]}; but got {D.type_str(dtype, device)} instead (while checking arguments "
                           f"for {fname})")


def _int_arg(fname, name, pos, v):
    if not hasattr(type(v), '__index__'):
        raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be int, not {type(v).__name__}")


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    if padding_idx is not None:
        n = _dim_size(weight, 0)
        if padding_idx > 0:
            assert padding_idx < n, 'Padding_idx must be within num_embeddings'
        elif padding_idx < 0:
            assert padding_idx >= -n, 'Padding_idx must be within num_embeddings'
            padding_idx = n + padding_idx
    else:
        padding_idx = -1
    if max_norm is not None:
        _embedding_renorm(weight, input, max_norm, norm_type)
    _int_arg('embedding', 'padding_idx', 3, padding_idx)
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_scalar_types('embedding', "#1 'indices'", input.dtype, input._device, _INDEX_TYPES)
    n = weight.shape[0]
    idx = input._data
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= n):     # compared here: no comparison kernels
        raise IndexError('index out of range in self')
    r = _make(weight._data[idx], weight.dtype, weight._device)
    if weight._requires_grad and grad_state.enabled:
        def bwd(node, g):
            if sparse:
                from ..sparse._math import embedding_grad
                return embedding_grad(g, idx, n, padding_idx, scale_grad_by_freq)
            return _embedding_grad(g, idx, n, padding_idx, scale_grad_by_freq)
        attach('EmbeddingBackward0', guard(bwd, input), (weight,), (r,))
    return r


def _embedding_renorm(weight, input, max_norm, norm_type):
    """torch.embedding_renorm_: every row an index names, taken in ascending index order (select() wraps a
    negative one), scaled down to norm max_norm; the first index out of range stops it."""
    if weight.dim() != 2:
        raise RuntimeError(f"Expected 2-dimensional tensor, but got {weight.dim()}-dimensional tensor for argument "
                           "#1 'self' (while checking arguments for embedding_renorm_)")
    if weight._device.type == 'cuda':     # torch's CUDA kernel dispatches on the index, then the weight dtype
        for t in (input, weight):
            if t.dtype not in (_INDEX_TYPES[0] if t is input else _BAG_WEIGHT_TYPES[0]):
                raise kernel_error('embedding_renorm_cuda_', t.dtype)
    _check_scalar_types('embedding_renorm_', "#2 'indices'", input.dtype, input._device, _INDEX_TYPES)
    n = weight.shape[0]
    ids = np.unique(input._data.reshape(-1))
    bad = np.nonzero((ids < -n) | (ids >= n))[0]
    stop = int(bad[0]) if bad.size else ids.size
    if stop and weight.dtype._cat < 2:
        raise RuntimeError(f'norm(): input dtype should be either floating point or complex. Got '
                           f'{D.type_name(weight.dtype)} instead.')
    w = weight._data
    for rows in (ids[:stop][ids[:stop] < 0] + n, ids[:stop][ids[:stop] >= 0]):  # a wrapped row may come twice
        if rows.size:
            w[rows] = _renorm_rows(w[rows], max_norm, norm_type)
    weight._vc[0] += 1
    if stop < ids.size:
        raise IndexError(f'select(): index {int(ids[stop])} out of range for tensor of size {list(weight.shape)} '
                         'at dimension 0')


def _renorm_rows(sub, max_norm, p):
    a = np.abs(sub)
    if p == 0:
        norms = np.sum(a != 0, axis=1).astype(a.dtype)
    elif p == math.inf:
        norms = np.max(a, axis=1)
    elif p == -math.inf:
        norms = np.min(a, axis=1)
    else:
        with np.errstate(divide='ignore'):
            norms = np.sum(a ** a.dtype.type(p), axis=1) ** a.dtype.type(1.0 / p)
    norms = norms.astype(np.float64)        # torch reads each norm out as a double
    scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
    return sub * scale.astype(a.dtype)[:, None]


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
    gw = _make(out.reshape((n,) + g._data.shape[idx.ndim:]), g.dtype, g._device)

    def adjoint(gg):        # the rows picked again, with the same scales
        rows = gg[_make(idx, D.int64, g._device)]
        if not scale_grad_by_freq and padding_idx < 0:
            return rows
        c = np.ones(flat.size, gd.dtype, like=gd) if not scale_grad_by_freq else 1 / counts[flat].astype(gd.dtype)
        if padding_idx >= 0:
            c = np.where(flat != padding_idx, c, 0).astype(gd.dtype)
        return rows * _make(c.reshape(idx.shape + (1,) * (rows.dim() - idx.ndim)), g.dtype, g._device)
    return linear_grad('EmbeddingDenseBackwardBackward0', gw, g, adjoint)


def _torch_type_repr(x):
    return str(type(x)).replace("'faketorch._tensor.", "'torch.").replace("'faketorch.", "'torch.")


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode='mean', sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    if weight.dtype is D.int64 and input.is_floating_point():
        warnings.warn('Argument order of nn.functional.embedding_bag was changed. Usage `embedding_bag(weight, '
                      'input, ...)` is deprecated, and should now be `embedding_bag(input, weight, ...)`.',
                      stacklevel=2)
        weight, input = input, weight
    psw = per_sample_weights
    if psw is not None and input.shape != psw.shape:
        raise ValueError(f'embedding_bag: If per_sample_weights ({psw.shape}) is not None, then it must have the '
                         f'same shape as the input ({input.shape})')
    if weight.dim() != 2:
        raise ValueError(f'weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}')
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError('if input is 2D, then offsets has to be None, as input is treated is a mini-batch '
                             'of fixed length sequences. However, found offsets of type '
                             f'{_torch_type_repr(offsets)}')
        from .. import arange
        offsets = arange(0, input.numel(), input.shape[1], dtype=input.dtype, device=input.device)
        include_last_offset = False
        input = input.reshape(-1)
        if psw is not None:
            psw = psw.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError('offsets has to be a 1D Tensor but got None')
        if offsets.dim() != 1:
            raise ValueError('offsets has to be a 1D Tensor')
    else:
        raise ValueError(f'input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}')
    if mode == 'max':
        if scale_grad_by_freq:
            raise ValueError('max mode does not support scaling the gradient by the frequency')
        if sparse:
            raise ValueError('max mode does not support sparse weights')
    elif mode not in ('sum', 'mean'):
        raise ValueError('mode has to be one of sum, mean or max')
    if max_norm is not None:
        _embedding_renorm(weight, input, max_norm, norm_type)
    if psw is not None and mode != 'sum':
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature "
                                  "request on GitHub.")
    n = weight.shape[0]
    padding_idx = _bag_padding_idx(padding_idx, n)
    offs_all = _bag_check(input, weight, offsets, psw, include_last_offset)
    idx = input._data
    w = weight._data
    fast = (mode != 'max' and weight.dtype in (D.float32, D.float16, D.bfloat16) and padding_idx < 0
            and w.strides[1] == w.itemsize)         # torch's CPU fast path (fbgemm)
    if offs_all is not None:        # the CPU kernels' errors for bad indices or offsets
        _bag_index_errors(np.host(idx), offs_all, n, mode, fast, include_last_offset)
    offs = offsets._data.astype(np.int64)
    last = None
    if include_last_offset:
        offs, last = offs[:-1], offs[-1]
    nbags, n_idx = offs.shape[0], idx.shape[0]
    # each index's bag: torch counts the offsets at each position and takes the running sum (offset2bag), which
    # is also what it does with offsets out of order
    bag_of = np.cumsum(np.bincount(offs, minlength=n_idx + 1)[:n_idx]) - 1
    keep = keep_grad = (idx != padding_idx) & (bag_of >= 0)    # CUDA: indices before offsets[0] are in no bag
    if last is not None and fast:     # indices past the last offset: in no bag (the other kernels take them in,
        keep = keep & (np.arange(idx.shape[0], like=offs) < last)   # and so does the fast mean's backward)
        if mode == 'sum':
            keep_grad = keep
    if not nbags:
        keep[...] = False
    rows = w[idx]
    if psw is not None:
        rows = rows * psw._data[:, None]
    D_ = w.shape[1]
    out = np.zeros((nbags, D_), w.dtype, like=w)
    counts = np.bincount(bag_of[keep], minlength=nbags).astype(w.dtype)
    if mode == 'mean':      # by the bag's size from the offsets (to the end for the last), less its padding
        sizes = np.diff(np.append(offs, n_idx))
        if padding_idx >= 0:
            sizes = sizes - np.bincount(bag_of[(idx == padding_idx) & (bag_of >= 0)], minlength=nbags)
        counts = sizes.astype(w.dtype)
    if mode == 'max':
        out[:] = -np.inf
        np.ufunc_at(np.maximum, out, bag_of[keep], rows[keep])
        out[counts == 0] = 0
    else:
        np.ufunc_at(np.add, out, bag_of[keep], rows[keep])
        if mode == 'mean':
            out = out / np.maximum(counts, 1)[:, None]
    r = _make(out.astype(w.dtype, copy=False), weight.dtype, weight._device)
    if _grad_needed(weight, psw):
        def bwd(node, g):
            gd = g._data
            if not nbags:       # no bags: nothing flows back
                return (_make(np.zeros_like(w), g.dtype, g._device),
                        None if psw is None else _make(np.zeros(idx.shape, w.dtype, like=w), g.dtype, g._device))
            gw = None
            if needs(node, 0):
                per_row = gd[bag_of]
                if mode == 'mean':
                    per_row = per_row / np.maximum(counts, 1)[bag_of][:, None]
                elif mode == 'max':
                    per_row = per_row * _first_max_mask(rows, out, bag_of, keep, nbags)
                if psw is not None:
                    per_row = per_row * psw._data[:, None]
                if sparse:      # one row per looked-up index, uncoalesced, as embedding(sparse=True)
                    from ..sparse._math import embedding_grad
                    gw = embedding_grad(_make(per_row[keep_grad], g.dtype, g._device), idx[keep_grad], n, -1,
                                        scale_grad_by_freq)
                else:
                    if scale_grad_by_freq:
                        c = np.bincount(idx, minlength=n)
                        if weight._device.type == 'cpu':
                            # torch's CPU kernel divides the k-th distinct index's rows by the count of
                            # sorted_indices[k], not of that index (counts[indices_data[i]] in its loop)
                            c = c[np.sort(idx)[np.searchsorted(np.unique(idx), idx)]]
                        else:
                            c = c[idx]
                        per_row = per_row / c[:, None]
                    acc = np.zeros_like(w)
                    np.ufunc_at(np.add, acc, idx[keep_grad], per_row[keep_grad])
                    gw = _make(acc.astype(w.dtype, copy=False), g.dtype, g._device)
            gp = None
            if psw is not None and needs(node, 1):
                gp = _make((np.sum(gd[bag_of] * w[idx], axis=1) * keep).astype(w.dtype), g.dtype, g._device)
            return gw, gp
        attach('EmbeddingBagBackward0', bwd, (weight, psw), (r,))
    return r


def _bag_padding_idx(padding_idx, n):
    if padding_idx is None:
        return -1
    _int_arg('embedding_bag', 'padding_idx', 9, padding_idx)
    if not -n <= padding_idx < n:
        raise RuntimeError(f'padding_idx must be within the number of embeddings, {-n} through {n - 1}, but got '
                           f'{padding_idx}')
    return padding_idx + n if padding_idx < 0 else padding_idx


def _bag_check(input, weight, offsets, psw, include_last_offset):
    """torch.embedding_bag's argument checks, in its order (indices and offsets are promoted to one type
    first). Returns the offsets on the host, or None on a CUDA device where all are in range."""
    dev = input._device
    itype = D.result_type_of((offsets, input))     # in torch's order: a refused promotion names offsets first
    _check_scalar_types('embedding_bag', "#1 'indices'", itype, dev, _INDEX_TYPES)
    if dev.type == 'cuda':      # torch's CUDA kernel: the bag count, its dtype dispatch, then the weights' dtype
        if include_last_offset and offsets.shape[0] < 1:
            raise RuntimeError('include_last_offset: numBags should be at least 1')
        if weight.dtype not in _BAG_WEIGHT_TYPES[0]:
            raise kernel_error('embedding_bag_cuda', weight.dtype)
        if psw is not None and psw.dtype is not weight.dtype:
            raise RuntimeError(f'expected scalar type {D.type_name(weight.dtype)} but found {D.type_name(psw.dtype)}')
        # torch's CUDA kernel asserts on an index or offset out of range; we raise the CPU's error (one sync)
        idx, offs, n = input._data, offsets._data, weight.shape[0]
        bad = ((idx < 0) | (idx >= n)).any()
        if offs.size:
            bad = bad | (offs < 0).any() | (offs > idx.shape[0]).any()
        if not bool(bad):
            return None
        return _bag_offsets(input, offsets, itype)
    _check_scalar_types('embedding_bag', "#1 'weight'", weight.dtype, weight._device, _BAG_WEIGHT_TYPES)
    offs = _bag_offsets(input, offsets, itype)
    if psw is not None and psw.dtype is not weight.dtype:
        raise RuntimeError("Expected tensor for argument #1 'weight' to have the same type as tensor for argument "
                           f"#1 'per_sample_weights'; but type {D.type_str(weight.dtype, weight._device)} does not "
                           f"equal {D.type_str(psw.dtype, psw._device)} (while checking arguments for embedding_bag)")
    if include_last_offset and offsets.shape[0] < 1:
        raise RuntimeError('include_last_offset: number of offset should be at least 1')
    return offs


def _bag_offsets(input, offsets, itype):
    """The offsets on the host, after the CPU kernel's checks of the first and the last."""
    offs = np.host(offsets._data).astype(np.int64)
    if offs.size and offs[0] != 0:
        raise RuntimeError('offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start '
                           f'from position 0. However, got {offs[0]}\n[ {D.type_str(itype, input._device)}{{}} ]')
    if offs.size and offs[-1] > input.shape[0]:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {input.shape[0]} but got "
                           f"offsets[-1] of {offs[-1]}")
    return offs


def _bag_index_errors(idx, offs, n, mode, fast, include_last_offset):
    bounds = offs if include_last_offset else np.append(offs, idx.shape[0])
    # building each index's bag (offset2bag; torch's fast sum skips it and reads past the buffer instead)
    if offs.size and (offs.min() < 0 or (mode != 'sum' or not fast) and offs.max() > idx.shape[0]):
        raise IndexError('index out of range in self')
    if fast:
        if idx.size and (idx.min() < 0 or idx.max() >= n) or (np.diff(bounds) < 0).any():
            from .._misc import get_num_threads
            _fbgemm_bag_errors(idx, bounds, n, get_num_threads())
        return
    bad = np.nonzero((idx < 0) | (idx >= n))[0]
    if bad.size:
        raise RuntimeError('embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be '
                           f'{idx[bad[0]]}')


_INDEX_SIZE_CHECK = ('Expected i < index_size to be true, but got false.  (Could this error message be improved?  '
                     'If so, please report an enhancement request to PyTorch.)')


def _fbgemm_bag_errors(idx, bounds, n, threads):
    """torch's CPU fast path (fbgemm) splits the bags into one chunk per thread. A chunk whose kernel fails is
    re-scanned to name the error, but that scan mixes chunk-relative and absolute positions, so what it
    reports (or whether it reports at all) depends on the thread count; this replays it. Where several
    chunks fail torch reports whichever thread gets there first, nearly always the last chunk's: so here."""
    B = len(bounds) - 1
    tasks = min(threads, B) if B > 1 else 1
    size = -(-B // tasks) if B else 1
    for start in reversed(range(0, B, size)):
        end = min(B, start + size)
        base, count = int(bounds[start]), int(bounds[end] - bounds[start])
        chunk = idx[base:base + max(count, 0)]
        cur, failed = 0, False
        for m in range(start, end):         # the kernel: each bag takes the next len indices of the chunk
            ln = int(bounds[m + 1] - bounds[m])
            if cur + ln > count or (ln > 0 and ((chunk[cur:cur + ln] < 0) | (chunk[cur:cur + ln] >= n)).any()):
                failed = True
                break
            cur += max(ln, 0)
        if not failed and cur == count:
            continue
        for m in range(start, end):         # the re-scan: absolute offsets into the chunk's indices
            for i in range(int(bounds[m]), int(bounds[m + 1])):
                if i >= count:
                    raise RuntimeError(_INDEX_SIZE_CHECK)
                v = chunk[i]
                if not 0 <= v < n:
                    raise RuntimeError(f'Index {i} of input takes value {v} which is not in the valid range '
                                       f'[0, {n})')
        if bounds[end] != count:
            raise RuntimeError('Your input appears to be incorrect: the last offset value should be the size of the '
                               'indices tensor, but it seems not to be the case.')


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
    _int_arg('one_hot', 'num_classes', 2, num_classes)
    if tensor.dtype is not D.int64:
        raise RuntimeError('one_hot is only applicable to index tensor of type LongTensor.')
    a = tensor._data
    if a.size == 0 and num_classes <= 0:
        raise RuntimeError('Can not infer total number of classes from empty tensor.')
    if num_classes == -1:
        num_classes = int(a.max()) + 1
    if a.size and a.min() < 0:
        raise RuntimeError('Class values must be non-negative.')
    if a.size and a.max() >= num_classes:
        raise RuntimeError('Class values must be smaller than num_classes.')
    out = (a[..., None] == xp_of(tensor._device).arange(num_classes)).astype(np.int64)
    return _make(out, D.int64, tensor._device)


# --- distances -------------------------------------------------------------------------------------

def _norm(x, p, dim, keepdim):
    """Vector p-norm over dim (an int, or a tuple of non-negative dims) as one node (torch's NormBackward1
    formula)."""
    if x.dtype.is_complex:      # the real fast path below would keep the dtype and square without conj
        from ..linalg import vector_norm
        from .._ops.reduction import _renamed
        return _renamed(vector_norm(x, p, dim, keepdim), 'NormBackward1')
    a = x._data
    if a.dtype == np.float16:       # torch's norm accumulates half in float (a half sum of squares overflows)
        a = a.astype(np.float32)
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
    r = _make(xp_of(x._device).asarray(out).astype(x._data.dtype, copy=False), x.dtype, x._device)
    if x._requires_grad and grad_state.enabled:
        def bwd(node, g):
            xv, res = node.saved_tensors
            if not keepdim:
                for d in sorted(dim) if isinstance(dim, tuple) else (dim,):
                    g, res = g.unsqueeze(d), res.unsqueeze(d)
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
    if not rt.is_floating_point:        # complex too
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
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if input.dtype._cat != 2:
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    n = input.shape[0]
    if (input.dtype is D.float16 or input.dtype is D.bfloat16) and n > 1 and input.shape[1]:
        raise _not_implemented('pdist', input)      # its kernel has float and double loops only
    i, j = np.triu_indices(n, 1)
    ii, jj = _make(i, D.int64, input._device), _make(j, D.int64, input._device)
    return _fused('PdistBackward0', (input,), lambda x: _norm(x[ii] - x[jj], p, 1, False))


# --- attention -------------------------------------------------------------------------------------

def _sdpa_check(query, key, value, attn_mask):
    """torch's validate_sdpa_input."""
    if not (query.dtype is key.dtype is value.dtype):
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{_c10(query.dtype)} key.dtype: {_c10(key.dtype)} and value.dtype: "
                           f"{_c10(value.dtype)} instead.")
    same_device(query, key, value)
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError(f"Expected query, key, and value to all be  at least 2 dimensional, but got "
                           f"query.dim: {query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} "
                           "instead.")
    if attn_mask is not None and attn_mask.dtype not in (D.bool, D.float32, query.dtype):
        raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {_c10(attn_mask.dtype)} and  query.dtype: "
                           f"{_c10(query.dtype)} instead.")


def _sdpa_uses_flash(query, key, value, attn_mask, dropout_p, enable_gqa):
    """torch's use_flash_attention_cpp: which inputs its fused CPU kernel takes (else: math)."""
    if not (query.dim() == key.dim() == value.dim() == 4) or dropout_p > 0.0 or query.dtype._cat != 2:
        return False
    (B, H, L, E), (Bk, Hk, S, Ek), (Bv, Hv, _, Ev) = query.shape, key.shape, value.shape
    heads = Hk == Hv and H % Hk == 0 if enable_gqa else H == Hk == Hv
    if not (B == Bk == Bv and heads and E == Ek == Ev) or L == 0 or S == 0:
        return False
    if attn_mask is not None:
        m = attn_mask.shape
        if attn_mask.requires_grad:
            return False
        if attn_mask.dim() < 2:     # torch's check reads the mask's size(-2)
            raise IndexError(f"Dimension out of range (expected to be in range of [-{max(attn_mask.dim(), 1)}, "
                             f"{max(attn_mask.dim(), 1) - 1}], but got -2)")
        if m[-2] not in (L, 1) or m[-1] not in (S, 1):
            return False
        return attn_mask.dim() == 2 or (attn_mask.dim() == 4 and m[0] in (1, B) and m[1] in (1, H))
    return True


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    if _acs.cpu is not None:
        return _ac.run(scaled_dot_product_attention, _acs.cpu, (query, key, value, attn_mask, dropout_p, is_causal,
                                                                 scale, enable_gqa))
    if attn_mask.__class__ is not Tensor and attn_mask is not None and _tf_needed(attn_mask):
        # a mask subclass (nn.attention.bias.CausalBias) decides how to attend; once dispatch is on (see
        # torch.overrides), it runs before this function
        return type(attn_mask).__torch_function__(scaled_dot_product_attention, (type(attn_mask),), (query, key, value),
                  dict(attn_mask=attn_mask, dropout_p=dropout_p, is_causal=is_causal, scale=scale,
                       enable_gqa=enable_gqa))
    _sdpa_check(query, key, value, attn_mask)
    if _sdpa_uses_flash(query, key, value, attn_mask, dropout_p, enable_gqa):
        if dropout_p != 0.0:
            raise RuntimeError("scaled_dot_product_attention_flash_attention: Currently do not support "
                               "dropout > 0")
        sf = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
        if enable_gqa and query.shape[1] != key.shape[1]:
            rep = query.shape[1] // key.shape[1]
            key, value = key.repeat_interleave(rep, 1), value.repeat_interleave(rep, 1)
        return _sdpa_flash(query, key, value, attn_mask, is_causal, sf)
    return _sdpa_math(query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa)


def _sdpa_math(query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa):
    """torch's _scaled_dot_product_attention_math, step by step."""
    out_dtype = query.dtype
    if query.dtype in (D.float16, D.bfloat16):      # torch keeps the math path in float32
        query, key, value = query.float(), key.float(), value.float()
    L, S = query.shape[-2], key.shape[-2]
    if attn_mask is not None and attn_mask.dtype is D.bool:
        attn_mask = _sdpa_bool_mask(attn_mask, query)
    # query and key are each scaled by sqrt(|scale|) before the product, query carrying the sign
    root = math.sqrt(abs(1 / math.sqrt(query.shape[-1]) if scale is None else scale))
    query = query * (-root if scale is not None and scale < 0 else root)
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                               "is_causal=True")
        xp = xp_of(query._device)
        attn_mask = _make(xp.triu(xp.full((L, S), -np.inf, query._data.dtype), 1), query.dtype, query._device)
    if enable_gqa:
        if min(query.dim(), key.dim(), value.dim()) < 3:
            d = min(t.dim() for t in (query, key, value) if t.dim() < 3)
            raise IndexError(f"Dimension out of range (expected to be in range of [-{d}, {d - 1}], but got -3)")
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        if not (hq == hk == hv) and (hq % hk or hq % hv):
            raise RuntimeError("Number of heads in key and value must divide the number of heads in ")
        if not hq == hk == hv:
            key, value = key.repeat_interleave(hq // hk, -3), value.repeat_interleave(hq // hv, -3)
    w = _matmul(query, key.transpose(-2, -1) * root)
    if attn_mask is not None:
        w = w + attn_mask
    w = _safe_softmax(w)
    if dropout_p > 0.0:
        if dropout_p > 1:
            raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
        w = dropout(w, dropout_p, True)
    return _matmul(w, value).to(out_dtype)


def _safe_softmax(input):
    """torch._safe_softmax over the last dim: a row masked out entirely gives zeros, not NaN. One
    SafeSoftmaxBackward0 node whose derivative is softmax's (on the result, so a dead row's is 0 * g)."""
    a = input._data
    if a.dtype == np.float32 and type(a) is np.ndarray and a.ndim and a.size and V.reproduces(a.size):
        # torch's _safe_softmax is its softmax kernel, then 0 where a whole row is -inf
        out = np.where(np.all(a == -np.inf, -1, keepdims=True), np.float32(0), V.softmax_lastdim(a))
    else:
        out = _rows(_safe_softmax_rows, a) if a.size else a.copy()
    r = _make(out, input.dtype, input._device)
    if input._requires_grad and grad_state.enabled:
        attach('SafeSoftmaxBackward0', _softmax_bwd, (input,), (r,), save=(r,), args=a.ndim - 1)
    return r


def _sdpa_bool_mask(mask, query):
    """torch's convert_boolean_attn_mask: True keeps, False is -inf."""
    return _make(np.where(mask._data, 0, -np.inf).astype(query._data.dtype), query.dtype, query._device)


def _sdpa_flash(query, key, value, attn_mask, is_causal, sf):
    """torch's CPU flash kernel (4-d inputs): scaled scores, max-shifted exp, the unnormalised
    product with value, divided by the row sum at the end; fully masked rows give 0. One node."""
    L, S = query.shape[-2], key.shape[-2]
    xp = xp_of(query._device)
    causal = xp.triu(xp.full((L, S), -np.inf, query._data.dtype), 1) if is_causal else None
    mask = None
    if attn_mask is not None:
        mask = (np.where(attn_mask._data, 0, -np.inf).astype(query._data.dtype) if attn_mask.dtype is D.bool
                else attn_mask.detach()._data)

    # a bfloat16/float16 kernel computes in float: scores, exponentials and their sums unrounded, the
    # exponentials rounded to the input type for their product with v, the output rounded once
    low = query.dtype is D.bfloat16 or query.dtype is D.float16
    wdt = D.float32 if low else query.dtype

    def parts(q, k):
        if low:
            q, k = q.float(), k.float()
        w = _matmul(q, k.transpose(-2, -1))
        if causal is not None:      # the kernel fills -inf before it scales: a negative scale makes +inf (NaN rows)
            w = w + _make(causal.astype(wdt._np), wdt, query._device)
        w = w * sf
        if mask is not None:
            w = w + _make(np.asarray(mask, dtype=wdt._np), wdt, query._device)
        m = w.amax(-1, keepdim=True).detach()
        m = m.masked_fill(m == -math.inf, 0.0)
        e = (w - m).exp()
        den = e.sum(-1, keepdim=True)
        return w, m, e, den, den == 0       # den == 0: a row of -inf, output 0

    def forward(e, v, den, dead):
        if low:
            return (_matmul(e.to(query.dtype).float(), v.float()) / den.masked_fill(dead, 1.0)).to(query.dtype)
        return _matmul(e, v) / den.masked_fill(dead, 1.0)

    def fn(q, k, v):
        w, m, e, den, dead = parts(q, k)
        if exact is None:
            result.append(forward(e.detach(), v.detach(), den.detach(), dead))
        # what the backward kernel differentiates: weights exp(w - lse) from the saved logsumexp. They
        # are the softmax, except in a row whose scores are all one huge negative (a float mask of
        # finfo.min over a padded query): lse rounds to the max there and every weight is 1, not 1/S
        lse = (m + den.masked_fill(dead, 1.0).log()).masked_fill(dead, math.inf)
        return _matmul((w - lse).exp(), v.float() if low else v).to(query.dtype)
    exact = None
    q = query._data
    half = query.dtype is D.float16
    if type(q) is np.ndarray and (q.dtype == np.float32 or half) and key.dtype is value.dtype is query.dtype \
            and V.reproduces(q.size // q.shape[-1] * S, _COSTLY):
        # bfloat16 (a float32 carrier) and float16: the kernel's float arithmetic, rounding the exponentials
        reduced = (lambda p: D.round_to(D.bfloat16, p)) if query.dtype is D.bfloat16 else \
            (lambda p: p.astype(np.float16).astype(np.float32)) if half else None
        f32 = (lambda a: a.astype(np.float32)) if half else (lambda a: a)
        exact = V.flash_attention(f32(q), f32(key._data), f32(value._data), np.float32(sf),
                                  None if mask is None else np.asarray(mask, np.float32), is_causal, reduced)
        if half:
            exact = exact.astype(np.float16)
    if exact is None and not _grad_needed(query, key, value):
        if not low and type(q) is np.ndarray and not V.exact[0]:
            return _make(_sdpa_flash_arrays(q, key._data, value._data, causal, mask, sf), query.dtype,
                         query._device)
        w, m, e, den, dead = parts(query, key)
        return forward(e, value, den, dead)
    result = []
    return _fused('ScaledDotProductFlashAttentionForCpuBackward0', (query, key, value), fn,
                  exact if exact is not None else lambda: result[0]._data)


def _sdpa_flash_arrays(q, k, v, causal, mask, sf):
    """_sdpa_flash's forward without a graph, on NumPy arrays: parts() and forward()'s arithmetic, each
    step the same ufunc, in place on the one (..., L, S) score array rather than a new tensor a step."""
    w = np.matmul(q, k.swapaxes(-1, -2))
    if causal is not None:
        np.add(w, causal.astype(w.dtype), out=w)
    np.multiply(w, w.dtype.type(sf), out=w)
    if mask is not None:
        mask = np.asarray(mask, dtype=w.dtype)
        if np.broadcast_shapes(w.shape, mask.shape) == w.shape:
            np.add(w, mask, out=w)
        else:
            w = w + mask
    last = (w.ndim - 1,)
    m = np.max(w, axis=last, keepdims=True)
    m[m == -np.inf] = 0
    np.subtract(w, m, out=w)
    np.exp(w, out=w)
    den = np.add.reduce(w, axis=last, keepdims=True, dtype=w.dtype)
    den[den == 0] = 1       # a row of -inf: output 0
    return np.true_divide(np.matmul(w, v), den)


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


def _in_projection(q, k, v, w_q, w_k, w_v, b_q=None, b_k=None, b_v=None):
    Eq, Ek, Ev = q.size(-1), k.size(-1), v.size(-1)
    for name, w, shape in (('query', w_q, (Eq, Eq)), ('key', w_k, (Eq, Ek)), ('value', w_v, (Eq, Ev))):
        if tuple(w.shape) != shape:
            raise AssertionError(f"expecting {name} weights shape of {shape}, but got {w.shape}")
    for name, b in (('query', b_q), ('key', b_k), ('value', b_v)):
        if b is not None and tuple(b.shape) != (Eq,):
            raise AssertionError(f"expecting {name} bias shape of {(Eq,)}, but got {b.shape}")
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """torch's own check, in its words: whether the input is batched."""
    if query.dim() not in (2, 3):
        raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D "
                             "query tensor")
    batched = query.dim() == 3
    kind = 'batched (3-D)' if batched else 'unbatched (2-D)'
    want = 3 if batched else 2
    if key.dim() != want or value.dim() != want:
        raise AssertionError(f"For {kind} `query`, expected `key` and `value` to be {want}-D but found "
                             f"{key.dim()}-D and {value.dim()}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.dim() != want - 1:
        raise AssertionError(f"For {kind} `query`, expected `key_padding_mask` to be `None` or {want - 1}-D but "
                             f"found {key_padding_mask.dim()}-D tensor instead")
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                                 f"{attn_mask.dim()}-D tensor instead")
        if not batched and attn_mask.dim() == 3:
            expected = (num_heads, query.shape[0], key.shape[0])
            if tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
    return batched


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A bool mask as a float one (-inf where True); warns where the two masks' dtypes differ."""
    if mask is None:
        return None
    if mask.dtype is not D.bool and not mask.is_floating_point():
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype is not other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for "
                      "both instead.", stacklevel=3)
    if mask.dtype is D.bool:
        mask = _make(np.where(mask._data, -np.inf, 0).astype(target_type._np), target_type, mask._device)
    return mask


def _none_or_dtype(input):
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """torch's Python function, step for step (its checks are assertions, in this order)."""
    from .. import cat, zeros
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, 'key_padding_mask', _none_or_dtype(attn_mask),
                                       'attn_mask', query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError('Need attn_mask if specifying the is_causal hint. You may use the Transformer '
                           'module method `generate_square_subsequent_mask` to create this mask.')
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, 'attn_mask', None, '', query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f'was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}')
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                                 f"{value.shape[:2]}")
    elif key.shape != value.shape:
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    else:
        for name, w in (('q', q_proj_weight), ('k', k_proj_weight), ('v', v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight is None")
        bq = bk = bv = None
        if in_proj_bias is not None:
            bq, bk, bv = in_proj_bias.chunk(3)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight, bq, bk, bv)
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
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")
    q = q.view(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    for name, st in (('static_k', static_k), ('static_v', static_v)):
        if st is not None:
            if st.size(0) != bsz * num_heads:
                raise AssertionError(f"expecting {name}.size(0) of {bsz * num_heads}, but got {st.size(0)}")
            if st.size(2) != head_dim:
                raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {st.size(2)}")
    k = k.view(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_k is None else static_k
    v = v.view(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_v is None else static_v
    if add_zero_attn:
        zs = (bsz * num_heads, 1, head_dim)
        k = cat([k, zeros(zs, dtype=k.dtype, device=k.device)], dim=1)
        v = cat([v, zeros(zs, dtype=v.dtype, device=v.device)], dim=1)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                                 f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        kpm = key_padding_mask.view(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1).reshape(
            bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0
    if need_weights:
        from .. import bmm, baddbmm     # torch's calls (the flop counter sees them)
        qs = q * math.sqrt(1.0 / float(q.shape[-1]))
        if attn_mask is not None:
            if attn_mask.dtype is not qs.dtype:     # torch.baddbmm's check
                raise RuntimeError(f"Input dtypes must be the same, got: input {_c10(attn_mask.dtype)}, "
                                   f"batch1: {_c10(qs.dtype)}, batch2: {_c10(k.dtype)}")
            w = baddbmm(attn_mask, qs, k.transpose(-2, -1))
        else:
            w = bmm(qs, k.transpose(-2, -1))
        w = softmax(w, dim=-1)
        if dropout_p > 0.0:
            w = dropout(w, p=dropout_p)
        out = bmm(w, v)
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

def _legacy_reduction(size_average, reduce, emit_warning=True, stacklevel=3):
    """torch's _Reduction.legacy_get_string; its warning names the function that took the legacy arguments
    (stacklevel 3 through _reduction/_legacy_or, 2 when called from that function itself)."""
    sa = True if size_average is None else size_average
    rd = True if reduce is None else reduce
    ret = 'mean' if sa and rd else ('sum' if rd else 'none')
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                      stacklevel=stacklevel)
    return ret


def _legacy_or(size_average, reduce, reduction):
    """The reduction the legacy arguments name, if given; not checked (a weighted loss checks it last)."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    return reduction


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


def _pointwise_loss(gname, input, target, fwd, deriv, reduction, out_dtype=None):
    """A loss with elementwise value fwd(a, b) and d/dinput deriv(x, y) (target gets the negative where
    differentiable); reduction fused into the node, as torch's MseLoss/SmoothL1Loss/HuberLoss kernels. The
    result has the promoted dtype, or out_dtype where torch writes into an output of that dtype."""
    same_device(input, target)
    rt = D.result_type_of((input, target))
    if out_dtype is not None:
        _inplace_result_check(input.shape, out_dtype, input.shape, rt)
    if rt._cat != 2:
        kernel = {'MseLossBackward0': 'mse', 'SmoothL1LossBackward0': 'smooth_l1', 'HuberLossBackward0': 'huber'}[gname]
        raise NotImplementedError(f'"{kernel}_{input._device.type}" not implemented for \'{D.type_name(rt)}\'')
    a, b = input._data.astype(rt._np, copy=False), target._data.astype(rt._np, copy=False)
    if a.shape != b.shape:
        a, b = np.broadcast_arrays(a, b)
    elem = fwd(a, b)
    out_dtype = out_dtype or rt
    if out_dtype is not rt:
        elem = elem.astype(out_dtype._np)
    r = _make(_reduce_arr(elem, reduction), out_dtype, input._device)
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
                      'Please ensure they have the same size.', stacklevel=_ac.stacklevel(3))
    broadcast_shapes(input._data.shape, target._data.shape)


def _loss_weight_check(input, weight):
    if weight.shape != input.shape:
        raise ValueError('Weights and input must have the same size.')


def _weighted_reduction(loss, weight, reduction, by_weight):
    """mse / l1 / huber with a weight: torch's Python path, which checks the reduction only here; mse and l1
    take the mean over the weights' sum."""
    loss = loss * weight
    if reduction == 'none':
        return loss
    if reduction == 'sum':
        return loss.sum()
    if reduction == 'mean':
        return loss.sum() / weight.sum() if by_weight else loss.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


@_ac.float32_op
def mse_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    _size_warning(input, target)
    if weight is not None:
        _loss_weight_check(input, weight)
        return _weighted_reduction((input - target) ** 2, weight, _legacy_or(size_average, reduce, reduction),
                                   True)
    reduction = _reduction(size_average, reduce, reduction)
    return _pointwise_loss('MseLossBackward0', input, target, _mse_bf16 if _bf16(input, target) else
                           lambda a, b: (a - b) * (a - b), lambda x, y: (x - y) * 2, reduction)


def _bf16(input, target):
    return isinstance(input, Tensor) and isinstance(target, Tensor) and D.bfloat16 in (input.dtype, target.dtype) \
        and D.result_type_of((input, target)) is D.bfloat16


def _mse_bf16(a, b):
    d = D.round_bf16(a - b)      # torch's bfloat16 kernel rounds the difference, then the square
    return D.round_bf16(d * d)


@_ac.float32_op
def l1_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    _size_warning(input, target)
    if weight is not None:
        _loss_weight_check(input, weight)
        return _weighted_reduction((input - target).abs(), weight, _legacy_or(size_average, reduce, reduction),
                                   True)
    reduction = _reduction(size_average, reduce, reduction)
    return _apply_reduction((input - target).abs(), reduction)


@_ac.float32_op
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


@_ac.float32_op
def huber_loss(input, target, reduction='mean', delta=1.0, weight=None):
    _size_warning(input, target)
    if weight is not None:
        _loss_weight_check(input, weight)
    else:
        reduction = _reduction(None, None, reduction)
    if delta <= 0:
        raise RuntimeError('huber_loss does not support non-positive values for delta.')
    rt = D.result_type_of((input, target))
    t = rt._np.type

    def fwd(a, b):
        # torch computes half in float, rounding once; bfloat16 in float from the rounded |a - b|
        a, b = (a.astype(np.float32), b.astype(np.float32)) if rt is D.float16 else (a, b)
        z = np.abs(a - b) if rt is not D.bfloat16 else D.round_bf16(np.abs(a - b))
        c = np.float32 if rt is D.float16 else t
        r = np.where(z < delta, c(0.5) * z * z, c(delta) * (z - c(0.5 * delta)))
        return r.astype(np.float16) if rt is D.float16 else D.round_bf16(r) if rt is D.bfloat16 else r

    def deriv(x, y):
        from .. import where
        d = x - y
        return where(d.abs() <= delta, d, d.sign() * delta)
    # torch's huber writes into an output of the input's dtype
    if weight is not None:
        loss = _pointwise_loss('HuberLossBackward0', input, target, fwd, deriv, 'none', out_dtype=input.dtype)
        return _weighted_reduction(loss, weight, reduction, False)
    return _pointwise_loss('HuberLossBackward0', input, target, fwd, deriv, reduction, out_dtype=input.dtype)


def _nll_check(input, target, weight, reduction):
    """torch's nll_loss_nd checks, in its order: inputs of up to 2 dims go to nll_loss, 4-dim ones to
    nll_loss2d, the others to nll_loss2d on a reshaped view (after their own target-size check)."""
    nd = input.dim()
    if nd < 1:
        raise ValueError(f'Expected 1 or more dimensions (got {nd})')
    if nd != 1:
        tb = target.shape[0] if target.dim() else 0     # torch reads a 0-dim target's batch size as 0
        if input.shape[0] != tb:
            raise ValueError(f'Expected input batch_size ({input.shape[0]}) to match target batch_size ({tb}).')
    C = input.shape[1] if nd >= 2 else input.shape[0]
    if nd <= 2:
        if target.dim() > 1:
            raise RuntimeError('0D or 1D target tensor expected, multi-target not supported')
        _nll_target_dtype(input, target, nd)
        if nd == 1 and target.dim() == 1 and target.shape[0] != 1:
            raise ValueError(f'For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}')
        if weight is not None and (weight.dim() != 1 or weight.shape[0] != C):
            raise RuntimeError(f'weight tensor should be defined either for all {C} classes or no classes but got '
                               f'weight tensor of shape: {list(weight.shape)}')
        kernel = 'nll_loss_out_frame'
    else:
        want = tuple(input.shape[:1]) + tuple(input.shape[2:])
        if nd != 4 and tuple(target.shape) != want:
            raise RuntimeError(f'Expected target size {list(want)}, got {list(target.shape)}')
        _nll_target_dtype(input, target, nd)
        if nd == 4 and target.dim() != 3:
            got = (f'size: : {list(target.shape)}' if input._device.type == 'cuda'
                   else f'dimension: {target.dim()}')
            raise RuntimeError(f'only batches of spatial targets supported (3D tensors) but got targets of {got}')
        if weight is not None and weight.numel() != C:
            raise RuntimeError('weight tensor should be defined either for all or no classes')
        if nd == 4 and tuple(target.shape) != want:
            raise RuntimeError(f'size mismatch (got input: {list(input.shape)} , target: {list(target.shape)}')
        kernel = 'nll_loss2d_forward_out_frame'
    wrong_weight = weight is not None and weight.dtype is not input.dtype
    if input._device.type == 'cuda':      # torch's CUDA nll_loss checks the weight first; its kernels by rank
        if wrong_weight:
            raise RuntimeError(f'expected scalar type {D.type_name(input.dtype)} but found {D.type_name(weight.dtype)}')
        if nd <= 2:
            kernel = ('nll_loss_forward_no_reduce_cuda_kernel' if nd == 2 and reduction == 'none'
                      else f'nll_loss_forward_reduce_cuda_kernel_{nd}d')
    if input.dtype._cat != 2:
        raise _not_implemented(kernel, input)
    if wrong_weight:
        raise RuntimeError(f'expected scalar type {D.type_name(input.dtype)} but found {D.type_name(weight.dtype)}')
    return C


def _nll_target_dtype(input, target, nd):
    if target.dtype is not D.int64 and target.dtype is not D.uint8:
        if input._device.type == 'cuda' and nd <= 2:      # torch's CUDA kernel has no such loop
            raise NotImplementedError('"nll_loss_forward_reduce_cuda_kernel_2d_index" not implemented for '
                                      f"'{D.type_name(target.dtype)}'")
        raise RuntimeError(f'expected target dtype to be Long or Byte, but got {D.type_name(target.dtype)}')


def _check_targets(t, bad):
    """torch's error for a class index out of range (`bad`: where, ignored targets excluded)."""
    if bad.any():
        raise IndexError(f'Target {int(t[bad].reshape(-1)[0])} is out of bounds.')


@_ac.float32_op
def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean'):
    reduction = _reduction(size_average, reduce, reduction)
    same_device(input, target, weight)
    return _nll_nd(input, target, weight, ignore_index, reduction)


def _nll_nd(input, target, weight, ignore_index, reduction):
    """torch's nll_loss_nd: 3-d and >4-d inputs go through nll_loss2d on an (N, C, 1, -1) view, and an
    unreduced loss is viewed back (so its grad_fn is ViewBackward0)."""
    _nll_check(input, target, weight, reduction)
    d = input.dim()
    if (d == 3 or d > 4) and input.numel() > 0:
        n, c = input.shape[:2]
        out = _nll_loss(input.contiguous().view(n, c, 1, -1), target.contiguous().view(n, 1, -1), weight,
                        ignore_index, reduction)
        return out.view((n,) + tuple(input.shape[2:])) if reduction == 'none' else out
    return _nll_loss(input, target, weight, ignore_index, reduction)


def _nll_loss(input, target, weight, ignore_index, reduction):
    a = input._data
    t = target._data
    t = t if t.dtype == np.int64 else t.astype(np.int64)
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
    # torch's 1-d/2-d kernel sums in a cascade (_vecmath.nll_cascade_sum), skipping ignored rows
    cascade = reduction != 'none' and a.ndim <= 2 and type(a) is np.ndarray and V.reproduces(a.size, _COSTLY) \
        and a.dtype in (np.float32, np.float64)
    if reduction == 'none':
        out = losses[0] if one_d else losses
    elif reduction == 'sum':
        out = V.nll_cascade_sum(losses, ~valid) if cascade else losses.sum()
    else:
        total = V.nll_cascade_sum(wt, ~valid) if cascade and weight is not None else wt.sum()
        s = V.nll_cascade_sum(losses, ~valid) if cascade else losses.sum()
        out = s / total if losses.size else losses.sum() * a.dtype.type(np.nan)
    r = _make(xp.asarray(out).astype(a.dtype, copy=False), input.dtype, input._device)
    if input._requires_grad and grad_state.enabled:
        def grad_input(g, _):
            from .. import zeros
            if not grad_state.enabled:
                with np.errstate(all='ignore'):     # every row ignored: total is 0
                    scale = g._data if reduction != 'mean' else g._data / total
                    gv = xp.where(valid, -wt * (scale.reshape(tc.shape) if reduction == 'none' else scale), 0)
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
            gv = gv.masked_fill(_make(~valid, D.bool, input._device), 0)      # torch leaves ignored rows
            idx = _make(tc[:, None], D.int64, input._device)
            gi = zeros(a2.shape, dtype=input.dtype, device=input._device).scatter(1, idx, gv.unsqueeze(1))
            return gi.reshape(a.shape) if one_d else gi

        def bwd(node, g):
            if grad_state.enabled:      # create_graph: torch's one node over (grad, self)
                return _fused('NllLoss2DBackwardBackward0' if a.ndim >= 3 else 'NllLossBackwardBackward0',
                              (g, input), grad_input, zeros=True)
            return grad_input(g, input)
        attach('NllLoss2DBackward0' if a.ndim >= 3 else 'NllLossBackward0', bwd, (input,), (r,))
    return r


def _nll_rows_loss(input, t, ignore_index, reduction):
    """_nll_loss's 2-d, unweighted, reduced case by the kernels above."""
    a = np.ascontiguousarray(input._data)
    n, C = a.shape
    losses, w, bad = _nll_rows(a, t, C, ignore_index)
    mean = reduction == 'mean'
    out, total, anybad = _nll_reduce(losses, w, bad, int(mean), *(np.empty_like(a, shape=()) for _ in range(2)),
                                     np.empty_like(bad, shape=()))
    if anybad:      # (one sync, for torch's CPU error where its CUDA kernel asserts)
        _check_targets(t, bad)
    r = _make(out, input.dtype, input._device)
    if input._requires_grad and grad_state.enabled:
        def bwd(node, g):
            if grad_state.enabled:
                def grad_input(g, _):
                    from .. import zeros
                    gv = g * _make(-w, input.dtype, input._device)
                    if reduction == 'mean':
                        gv = gv / _make(total, input.dtype, input._device)
                    gv = gv.masked_fill(_make(w == 0, D.bool, input._device), 0)     # torch leaves ignored rows
                    idx = _make(np.where(w > 0, t, 0)[:, None], D.int64, input._device)
                    return zeros((n, C), dtype=input.dtype, device=input._device).scatter(1, idx, gv.unsqueeze(1))
                return _fused('NllLossBackwardBackward0', (g, input), grad_input, zeros=True)
            return _make(_nll_bwd_rows(w, g._data, total, int(mean), t, C, np.empty_like(a)), input.dtype,
                         input._device)
        attach('NllLossBackward0', bwd, (input,), (r,))
    return r


@_ac.float32_op
def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction='mean', label_smoothing=0.0):
    reduction = _reduction(size_average, reduce, reduction)
    same_device(input, target, weight)
    if label_smoothing > 1.0:      # torch lets a negative one through (it smooths only above 0)
        raise RuntimeError(f'label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}')
    class_dim = 0 if input.dim() == 1 else 1
    if input.shape == target.shape:
        if target.dtype._cat != 2:
            raise RuntimeError('Expected floating point type for target with class probabilities, got '
                               f'{D.type_name(target.dtype)}')
        if ignore_index >= 0:
            raise RuntimeError('ignore_index is not supported for floating point target')
        C = _dim_size(input, class_dim)
        if weight is not None and (weight.dim() != 1 or weight.shape[0] != C):
            raise RuntimeError(f'cross_entropy: weight tensor should be defined either for all {C} classes or no '
                               f'classes but got weight tensor of shape: {list(weight.shape)}')
        return _cross_entropy_prob(input, target, weight, reduction, label_smoothing, class_dim, C)
    logp = log_softmax(input, class_dim)
    nll = _nll_nd(logp, target, weight, ignore_index, reduction)
    if label_smoothing <= 0.0:
        return nll
    C = input.shape[class_dim]
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


@_ac.float32_op
def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction='mean'):
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f'Using a target size ({target.shape}) that is different to the input size '
                         f'({input.shape}) is deprecated. Please ensure they have the same size.')
    if weight is not None:
        from .. import broadcast_shapes as _broadcast_sizes      # torch.broadcast_shapes' message
        wshape = _broadcast_sizes(target.shape, weight.shape)
    if target.dtype is not input.dtype:     # one TensorIterator over (loss, input, target), all one dtype
        raise RuntimeError(f'Found dtype {D.type_name(target.dtype)} but expected {D.type_name(input.dtype)}')
    if input.dtype._cat != 2:
        raise _not_implemented('binary_cross_entropy', input)
    a, y = input._data, target._data
    if a.size:      # the kernel checks each element's input, then its target
        bad_x = ~((a >= 0) & (a <= 1))
        bad = bad_x | ~((y >= 0) & (y <= 1))
        if bad.any():
            raise RuntimeError('all elements of %s should be between 0 and 1'
                               % ('input' if bad_x.reshape(-1)[np.argmax(bad.reshape(-1))] else 'target'))
    if weight is not None:
        _inplace_result_check(input.shape, input.dtype, wshape, input.dtype)       # loss.mul_(weight)
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


@_ac.float32_op
def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction='mean', pos_weight=None):
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f'Target size ({target.shape}) must be the same as input size ({input.shape})')
    # torch: log_sigmoid(input) [* (pos_weight - 1) * target + 1, in place]; (1 - target) * input - that, in
    # place (so the loss has the target's dtype); then loss *= weight, in place
    if input.dtype._cat != 2:
        raise _not_implemented('log_sigmoid_cpu', input)
    shape = input.shape
    if pos_weight is not None:
        _inplace_result_check(shape, input.dtype, broadcast_shapes(pos_weight.shape, target.shape),
                              D.result_type_of((input, pos_weight, target)))
    if target.dtype is D.bool or target.dtype in D.BARE_UINTS:
        target - target     # raises torch's error: its 1 - target subtracts from a tensor of target's dtype
    out_dt = target.dtype
    _inplace_result_check(shape, out_dt, shape, D.result_type_of((target, input)))
    if weight is not None:
        _inplace_result_check(shape, out_dt, broadcast_shapes(shape, weight.shape), D.result_type_of((target, weight)))
    x, y = input._data, target._data
    t = x.dtype.type
    logsig = np.minimum(x, t(0)) - np.log1p(np.exp(-np.abs(x)))
    if pos_weight is not None:
        lw = (pos_weight._data - t(1)) * y + t(1)
        logsig = (logsig * lw).astype(x.dtype, copy=False)
    elem = (t(1) - y) * x - logsig
    if weight is not None:
        elem = elem * weight._data
    elem = elem.astype(out_dt._np, copy=False)
    r = _make(_reduce_arr(elem, reduction), out_dt, input._device)
    if _grad_needed(input, target):
        shape, n = elem.shape, elem.size

        def bwd(node, g):
            xi, yy = node.saved_tensors
            gf = _grad_full(g, shape, reduction, n)
            gx = gy = None
            if needs(node, 0):
                if pos_weight is not None:
                    pt = pos_weight * yy
                    gx = (pt + 1 - yy) * xi.sigmoid() - pt
                else:
                    gx = xi.sigmoid() - yy
                gx = gx * (g.expand(shape) if reduction == 'mean' else gf)
                if weight is not None:
                    gx = gx * weight
                if reduction == 'mean':     # torch divides by numel as the last step
                    gx = gx / n
                    if grad_state.enabled:
                        gx = _rename(gx, 'DivBackward1')
            if needs(node, 1):      # torch's target_backward: log_sigmoid(-x) - log_sigmoid(x) * pos_weight
                if pos_weight is not None:
                    gy = _logsigmoid(-xi) - _logsigmoid(xi) * pos_weight
                else:
                    gy = -xi
                gy = gy * (g.expand(shape) if reduction == 'mean' else gf)
                if weight is not None:
                    gy = gy * weight
                if reduction == 'mean':
                    gy = gy / n
            return gx, gy
        attach('BinaryCrossEntropyWithLogitsBackward0', bwd, (input, target), (r,), save=(input, target))
    return r


@_ac.float32_op
def kl_div(input, target, size_average=None, reduce=None, reduction='mean', log_target=False):
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, stacklevel=2)
    elif reduction == 'mean':
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      stacklevel=_ac.stacklevel(2))
    if reduction not in ('none', 'mean', 'sum', 'batchmean'):
        raise ValueError(f'{reduction} is not a valid value for reduction')
    if input.dtype.is_complex or target.dtype.is_complex:
        raise RuntimeError('kl_div: Complex inputs not supported.')
    if input.dtype._cat < 2 or target.dtype._cat < 2:
        raise RuntimeError('kl_div: Integral inputs not supported.')
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = _xlogy_self(target) - target * input
    if reduction == 'batchmean':
        r = loss.sum()
        return r / input.size(0) if input.dim() != 0 else r
    return _apply_reduction(loss, reduction)


def _inplace_result_check(shape, dtype, result_shape, result_dtype):
    """An in-place op's errors for a result of result_shape / result_dtype written into (shape, dtype), shape
    first: the rule of _ops._core.commit_inplace, for a fused kernel that checks before computing."""
    if tuple(result_shape) != tuple(shape):
        raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape {list(result_shape)}")
    if result_dtype is not dtype and not D.can_cast(result_dtype, dtype):
        raise RuntimeError(f"result type {D.type_name(result_dtype)} can't be cast to the desired output type "
                           f"{D.type_name(dtype)}")


def _xlogy_self(t):
    from .. import where
    return where(t == 0, t * 0, t * t.log()) if t.dtype._cat == 2 else t * 0


@_ac.float32_op
def soft_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    reduction = _reduction(size_average, reduce, reduction)
    # torch: neg(input).mul_(target).exp_().log1p_(), all in place on neg(input)
    if input.dtype is D.bool:
        input.neg()     # raises torch's error for negating a bool tensor
    _inplace_result_check(input.shape, input.dtype, broadcast_shapes(input.shape, target.shape),
                          D.result_type_of((input, target)))
    if input.dtype._cat < 2:
        from .._dtype import get_default_dtype
        _inplace_result_check(input.shape, input.dtype, input.shape, get_default_dtype())     # exp_
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
    reduction = _legacy_or(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    cd = input.dim() - 1
    loss = loss.sum(dim=cd) / input.size(cd)
    if reduction not in ('none', 'mean', 'sum'):       # torch checks it only here, in its own words
        raise ValueError(f'{reduction} is not valid')
    return _apply_reduction(loss, reduction)


@_ac.float32_op
def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction='mean'):
    from .. import full_like, where, zeros_like
    reduction = _reduction(size_average, reduce, reduction)
    z = zeros_like(input)
    m = full_like(input, margin).sub_(input).clamp_min_(0)      # torch's Scalar - Tensor: in the input's dtype
    out = where(target != 1, m, z) + where(target != -1, input, z)
    return _apply_reduction(out, reduction)


@_ac.float32_op
def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction='mean'):
    reduction = _reduction(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f'margin_ranking_loss : All input tensors should have same dimension but got sizes: '
                           f'input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ')
    d = input1 - input2         # before -target, as torch evaluates them (it shows in the errors)
    return _apply_reduction((-target * d + float(margin)).clamp_min(0), reduction)


@_ac.float32_op
def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction='mean'):
    from .. import where, zeros_like
    reduction = _reduction(size_average, reduce, reduction)
    d = target.dim()
    if d > 1:
        raise RuntimeError('0D or 1D target tensor expected, multi-target not supported')
    if input1.dim() != d + 1 or input2.dim() != d + 1:
        raise RuntimeError(f'{d}D target tensor expects {d + 1}D input tensors, but found inputs with sizes '
                           f'{list(input1.shape)} and {list(input2.shape)}.')
    prod = (input1 * input2).sum(d)
    m1 = (input1 * input1).sum(d) + 1e-12
    m2 = (input2 * input2).sum(d) + 1e-12
    cos = prod / (m1 * m2).sqrt()
    z = zeros_like(cos)
    out = where(target == 1, 1 - cos, z) + where(target == -1, (cos - margin).clamp_min(0), z)
    return _apply_reduction(out, reduction)


def _margin_positive(margin):
    if margin <= 0:
        raise ValueError(f'margin must be greater than 0, got {margin}')


def _triplet_dims(anchor, positive, negative):
    a_dim, p_dim, n_dim = anchor.dim(), positive.dim(), negative.dim()
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError(f'The anchor, positive, and negative tensors are expected to have the same number '
                           f'of dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D '
                           'inputs')


@_ac.float32_op
def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction='mean'):
    reduction = _reduction(size_average, reduce, reduction)
    _margin_positive(margin)        # F's own check; torch.triplet_margin_loss has none
    return _triplet_margin(anchor, positive, negative, margin, p, eps, swap, reduction)


def _triplet_margin(anchor, positive, negative, margin, p, eps, swap, reduction):
    _triplet_dims(anchor, positive, negative)
    dp = pairwise_distance(anchor, positive, p, eps)
    dn = pairwise_distance(anchor, negative, p, eps)
    if swap:
        from .. import minimum
        dn = minimum(dn, pairwise_distance(positive, negative, p, eps))
    return _apply_reduction((margin + dp - dn).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction='mean'):
    _reduction(None, None, reduction)
    _margin_positive(margin)
    _triplet_dims(anchor, positive, negative)
    dist = distance_function if distance_function is not None else pairwise_distance
    dp = dist(anchor, positive)
    dn = dist(anchor, negative)
    if swap:
        from .. import minimum
        dn = minimum(dn, dist(positive, negative))
    return _apply_reduction((margin + dp - dn).clamp_min(0), reduction)


@_ac.float32_op
def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction='mean'):
    reduction = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError('only p == 1 and p == 2 supported')
    if weight is not None and weight.dim() != 1:
        raise ValueError('weight must be one-dimensional')
    return _fused('MultiMarginLossBackward0', (input,),
                  lambda x: _multi_margin(x, target, p, margin, weight, reduction))


def _margin_input_check(input):
    """multi_margin_loss's and multilabel_margin_loss's input check; returns the number of classes."""
    nd = input.dim()
    if not (nd == 2 and input.shape[1] or nd == 1 and input.shape[0] or nd == 0):
        raise RuntimeError(f'Expected non-empty vector or matrix with optional 0-dim batch size, but got: '
                           f'{list(input.shape)}')
    return input.shape[-1] if nd else 1


def _margin_dtypes(kernel, input, target):
    """The two margin kernels' loops: float and double inputs (half ones too on CUDA), int64 targets."""
    if input.dtype is not D.float32 and input.dtype is not D.float64 and not (
            input.dtype._cat == 2 and input._device.type == 'cuda'):
        raise _not_implemented(kernel, input)
    if target.dtype is not D.int64:
        raise RuntimeError(f'expected scalar type Long but found {D.type_name(target.dtype)}')


def _multi_margin(input, target, p, margin, weight, reduction):
    C_ = _margin_input_check(input)
    n = input.shape[0] if input.dim() == 2 else 1
    if target.dim() > 1 or target.numel() != n:
        raise RuntimeError('multi_margin_loss: target tensor should be 1-D with size equal to the number of input '
                           f'samples (batch size). Expected target size [{n}], but got {list(target.shape)}. Input '
                           f'has shape {list(input.shape)}.')
    if weight is not None and weight.numel() != C_:
        raise RuntimeError(f'inconsistent weight size, expected {C_} but got {list(weight.shape)}')
    _margin_dtypes('multi_margin_loss_cpu_kernel', input, target)
    if weight is not None and weight.dtype is not input.dtype:
        raise RuntimeError(f'expected scalar type {D.type_name(input.dtype)} but found {D.type_name(weight.dtype)}')
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


@_ac.float32_op
def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    reduction = _reduction(size_average, reduce, reduction)
    return _fused('MultilabelMarginLossBackward0', (input,), lambda x: _multilabel_margin(x, target, reduction))


def _multilabel_margin(input, target, reduction):
    C_ = _margin_input_check(input)
    if input.dim() <= 1:
        ok = target.dim() <= 1 and target.numel() == C_
    else:
        ok = target.dim() == 2 and tuple(target.shape) == tuple(input.shape)
    if not ok:
        raise RuntimeError(f'inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}')
    cuda = input._device.type == 'cuda'
    if cuda:        # torch's CUDA kernel checks dtypes first and reads targets up to the first negative one
        _margin_dtypes('multilabel_margin_loss_forward_out_frame', input, target)
    elif target.numel():      # torch reads the extremes as integers: every entry in [-1, C)
        tg = target._data
        if int(tg.min()) < -1 or int(tg.max()) >= C_:
            raise RuntimeError("argument #2 'target' is out of range")
    _margin_dtypes('multilabel_margin_loss_forward_out_frame', input, target)
    x = input if input.dim() == 2 else input.reshape(1, -1)
    tg = target._data.reshape(x.shape)
    C = x.shape[1]
    # targets are the leading entries before the first -1
    valid = np.cumprod(tg >= 0, axis=1).astype(bool)
    if cuda and bool(((tg >= C) & valid).any()):   # torch's CUDA kernel asserts: the CPU's error (one sync)
        raise RuntimeError("argument #2 'target' is out of range")
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


@_ac.float32_op
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
    from .. import any as _any, ones_like
    if isinstance(var, float):
        if var < 0:
            raise ValueError('var has negative entry/entries')
        var = var * ones_like(input)
    elif _any(var < 0):
        raise ValueError('var has negative entry/entries')
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        # otherwise var may differ from input in one dim, where it is 1 (torch sums var's mismatching sizes)
        elif input.dim() != var.dim() or sum(v for i, v in zip(input.shape, var.shape) if i != v) != 1:
            raise ValueError('var is of incorrect size')
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(reduction + ' is not valid')
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
    # torch reads log_probs[t][b][c] as flat memory, so a class out of [0, C) reads a neighbour's entry
    # (past the buffer's end it reads garbage: -inf here)
    flat = np.ascontiguousarray(lp).reshape(-1)
    pos = np.arange(T)[:, None, None] * (B * C) + (bi * C + ext)[None]
    inside = (pos >= 0) & (pos < flat.size)
    em = np.where(inside, flat[np.clip(pos, 0, max(flat.size - 1, 0))], dt.type(-np.inf))     # (T, B, S)
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
    if ((ext >= 0) & (ext < C)).all():
        for s in range(S - 1, -1, -1):        # gather alpha*beta onto classes, in torch's (descending) order
            cur = lcab[:, bi[:, 0], ext[:, s]]
            lcab[:, bi[:, 0], ext[:, s]] = _lse(cur, ab[:, :, s])
    else:       # through flat memory, as the reads: an out-of-range class adds into a neighbour's entry
        flat_l = lcab.reshape(-1)
        for s in range(S - 1, -1, -1):
            for b in range(B):
                ok = inside[:, b, s]
                at = pos[ok, b, s]
                flat_l[at] = _lse(flat_l[at], ab[ok, b, s])
    with np.errstate(invalid='ignore', over='ignore'):
        grad = _exp(lp) - _exp(lcab + nll[None, :, None] - lp)
    tmask = np.arange(T)[:, None] < np.asarray(il)[None, :]
    grad = np.where(tmask[:, :, None], grad, 0)
    return nll, grad


def _ctc_lengths(x, name):
    """A lengths argument as ints: a tensor (any shape, integral) or a sequence of ints."""
    if isinstance(x, Tensor):
        if x.dtype._cat != 1:
            raise RuntimeError(f'{name} must be integral')
        return [int(v) for v in np.host(x._data).reshape(-1)]
    return [int(v) for v in x]


_CTC_ARGS = ' (while checking arguments for ctc_loss_allocate_outputs)'


def _ctc_check(lp, targets, il, tl, blank):
    """torch's ctc_loss_allocate_outputs checks, in its order."""
    where = _CTC_ARGS if lp._device.type != 'cuda' else ' (while checking arguments for ctc_loss_gpu)'
    if lp.dim() != 3:
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {lp.dim()}-dimensional tensor for argument #1 "
                           f"'log_probs'{where}")
    if targets.dim() not in (1, 2):
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {targets.dim()}-dimensional tensor for argument "
                           f"#2 'targets'{where}")
    T, B, C = lp.shape
    if not 0 <= blank < C:
        raise RuntimeError('blank must be in label range')
    if len(il) != B:
        raise RuntimeError('input_lengths must be of size batch_size')
    if len(tl) != B:
        raise RuntimeError('target_lengths must be of size batch_size')
    for v in tl:
        if v < 0:
            raise RuntimeError(f'Expected target_lengths to have value at least 0, but got value {v}{where}')
    n0 = sum(tl) if targets.dim() == 1 else B
    if targets.shape[0] != n0:
        raise RuntimeError(f"Expected tensor to have size {n0} at dimension 0, but got size {targets.shape[0]} for "
                           f"argument #2 'targets'{where}")
    if targets.dim() == 2 and max(tl, default=0) > targets.shape[1]:
        raise RuntimeError(f'Expected tensor to have size at least {max(tl)} at dimension 1, but got size '
                           f"{targets.shape[1]} for argument #2 'targets'{where}")
    for v in il:
        if v < 0:
            raise RuntimeError(f'Expected input_lengths to have value at least 0, but got value {v}{where}')
        if v > T:
            raise RuntimeError(f'Expected input_lengths to have value at most {T}, but got value {v}{where}')


@_ac.float32_op
def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction='mean', zero_infinity=False):
    """CTC by torch's alpha/beta recursions in log space (vectorised over batch and extended target);
    one node, CtcLossBackward0, with torch's closed-form gradient."""
    reduction = _reduction(None, None, reduction)
    il = _ctc_lengths(input_lengths, 'input_lengths')
    tl = _ctc_lengths(target_lengths, 'target_lengths')
    if log_probs.dtype is not D.float32 and log_probs.dtype is not D.float64:
        raise _not_implemented('ctc_loss_cpu', log_probs)
    if not log_probs.numel():
        raise RuntimeError('log_probs tensor must not be empty')
    unbatched = log_probs.dim() != 3
    lp_in = log_probs.unsqueeze(1) if unbatched else log_probs
    _ctc_check(lp_in, targets, il, tl, blank)
    tg = np.host(targets._data).astype(np.int64)       # the recursions run on the host (Python loops over time)
    B = lp_in.shape[1]
    if targets.dim() == 1:      # concatenated targets
        offs = np.concatenate([[0], np.cumsum(tl)[:-1]]).astype(np.int64)
        rows = [tg[o:o + n] for o, n in zip(offs, tl)]
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
for _n, _kw in (('alpha_dropout_', dict(alpha=True)), ('feature_dropout_', dict(feature=True)),
                ('feature_alpha_dropout_', dict(feature=True, alpha=True))):
    register(lambda input, p, train, kw=_kw: _dropout_impl(input, p, train, inplace=True, **kw), name=_n,
             method=False)
register(lambda weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False:
         embedding(indices, weight, padding_idx if padding_idx >= 0 else None,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse), name='embedding', method=False)
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


def _dropout_arrays(x, noise, scale, grad=True):
    """native_dropout's output, its gradient's scale (when grad) and its bool mask, from the 0/1 noise."""
    return (x * noise * scale).astype(x.dtype, copy=False), noise * scale if grad else None, noise.astype(bool)


def _dropout_host(x, u, q, scale):
    return _dropout_arrays(x, (u < q).astype(x.dtype), scale)


# on a GPU, the mask, the output and the gradient's scale in one launch after the uniform draws
# (bernoulli_'s own draws: u < 1 - p keeps an element)
_dropout_gpu = np.Kernel('dropout', 'T x, float64 u, float64 q, T scale', 'T y, T m, bool keep',
                         'keep = u < q; m = keep ? scale : (T)0; y = x * m', _dropout_host)


def _cuda_cpu_stream():
    from ..cuda.random import cpu_stream
    return cpu_stream()


def _native_dropout(input, p, train):
    """torch.native_dropout: (output, bool mask), one NativeDropoutBackward0 node."""
    x = input._data
    scale = x.dtype.type((1.0 / (1 - p) if p < 1 else 0.0) if train else 1.0)
    grad = input._requires_grad and grad_state.enabled
    if train and _dropout_gpu.ready(x) and not _cuda_cpu_stream():
        from ..cuda.random import draw
        out, m, keep = _dropout_gpu(x, draw(input._device, 'random', x.shape), 1.0 - p, scale)
    else:
        from .. import empty_like       # torch's noise keeps the input's memory order (a transposed input)
        noise = empty_like(input).bernoulli_(1 - p)._data if train else np.ones(x.shape, x.dtype, like=x)
        out, m, keep = _dropout_arrays(x, noise, scale, grad)
    out = _make(out, input.dtype, input._device)
    if grad:
        mt = _make(m, input.dtype, input._device)
        attach('NativeDropoutBackward0', lambda node, g: g * mt, (input,), (out,))
    return out, _make(keep, D.bool, input._device)


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
register(lambda anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, reduction=0: _triplet_margin(
    anchor, positive, negative, margin, p, eps, swap, _enum_red(reduction)), name='triplet_margin_loss',
    method=False)
register(lambda log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0, zero_infinity=False:
         ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, _enum_red(reduction), zero_infinity),
         name='ctc_loss', method=False)
register(_native_dropout, name='native_dropout', method=False)
register(lambda input: relu(input, inplace=True), name='relu_', method=False)
register(lambda input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None:
         rrelu(input, lower, upper, training, inplace=True), name='rrelu_', method=False)


from ._functional_spatial import *  # noqa: F401,F403,E402

# torch's top-level spellings of these (aten ops torch publishes in both places)
register(rms_norm, name='rms_norm', method=False)  # noqa: F405
register(lambda input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False:
         max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode, return_indices=True),  # noqa: F405
         name='max_pool1d_with_indices', method=False)

from .._ops.nn_native import conv_tbc  # noqa: E402,F401  (torch.nn.functional publishes torch.conv_tbc too)
from . import grad  # noqa: E402,F401  (torch.nn.functional imports torch.nn.grad as grad)
from ..overrides import (handle_torch_function, has_torch_function, has_torch_function_unary,  # noqa: E402,F401
                         has_torch_function_variadic)

GRID_SAMPLE_INTERPOLATION_MODES = {'bilinear': 0, 'nearest': 1, 'bicubic': 2}
GRID_SAMPLE_PADDING_MODES = {'zeros': 0, 'border': 1, 'reflection': 2}


def assert_int_or_pair(arg, arg_name, message):
    if not (isinstance(arg, int) or len(arg) == 2):
        raise AssertionError(message.format(arg_name))


def boolean_dispatch(arg_name, arg_index, default, if_true, if_false, module_name, func_name):
    """One function that calls if_true or if_false by a boolean argument (given by keyword, at arg_index, or
    default): how torch publishes max_pool2d & co, whose return_indices changes what they return."""
    def fn(*args, **kwargs):
        flag = kwargs[arg_name] if arg_name in kwargs else args[arg_index] if arg_index < len(args) else default
        return (if_true if flag else if_false)(*args, **kwargs)
    fn.__doc__ = if_true.__doc__ or if_false.__doc__
    if module_name is not None:
        fn.__module__ = module_name
    if func_name is not None:
        fn.__name__ = fn.__qualname__ = func_name
    return fn
