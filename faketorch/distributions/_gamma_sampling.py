"""torch's CPU gamma and Dirichlet samplers (``torch._standard_gamma``, ``torch._sample_dirichlet``),
drawing from faketorch's generator in torch's order so seeded samples are identical, and the ops
built on them: ``_standard_gamma`` with its derivative (StandardGammaBackward0), and the
reparameterised-gradient kernels ``_standard_gamma_grad`` / ``_dirichlet_grad``.

Marsaglia-Tsang rejection is sequential per element (each element consumes a data-dependent
number of draws from the shared stream), so this is a Python loop over elements by necessity.
The precision mix (float constants widened to double) is torch's and matters for bit-equality."""
import math

from .. import _xnp as np

import faketorch as ft
from .. import _dtype as D
from .. import _rng
from .._tensor import _make
from .._ops._core import attach, register, requires_grad
from .._ops.pointwise import _broadcast_error
from . import _gamma_grad

_F = np.float32
_THIRD = float(_F(1.0) / _F(3.0))


def _uniform(gen):
    return float(_rng._double_uniforms(gen, 1)[0])


def _normal(gen):
    return float(_rng._box_muller(gen, 1)[0])  # shares the generator's cached second value


def _gamma_one(gen, alpha, single):
    """One standard-gamma draw. ``single``: alpha is a float32 value and torch does the
    float-typed parts of the arithmetic in float32."""
    cast = _F if single else float
    scale = 1.0
    if alpha < 1.0:
        if alpha == 0.0:
            return 0.0
        scale *= (1.0 - _uniform(gen)) ** float(cast(1.0) / cast(alpha))
        alpha = cast(alpha) + cast(1.0)
    # 1.0f / 3.0f is a float32 third even for double alpha; float32 alpha subtracts in float32
    d = float(_F(alpha) - _F(_THIRD)) if single else alpha - _THIRD
    # alpha < 0 (unvalidated parameters) makes d negative: C's sqrt gives nan, the loop below
    # then ends at once and the nan sample is clamped to tiny, as torch
    c = 1.0 / math.sqrt(9.0 * d) if d >= 0 else math.nan
    k = float(_F(0.0331))  # a float literal in torch's kernel, widened to double
    while True:
        while True:
            x = _normal(gen)
            y = 1.0 + c * x
            if not y <= 0:
                break
        v = y * y * y
        u = 1.0 - _uniform(gen)
        xx = x * x
        if u < 1.0 - k * xx * xx:
            return scale * d * v
        if math.log(u) < 0.5 * xx + d * (1.0 - v + (math.log(v) if v > 0 else math.nan)):
            return scale * d * v


def _draw(alphas, single, gen=None):
    gen = ft.random.default_generator if gen is None else gen
    flat = np.ascontiguousarray(alphas).reshape(-1)
    return np.array([_gamma_one(gen, float(a), single) for a in flat], np.float64).reshape(alphas.shape)


def _check_float(t, kernel):
    if t.dtype not in (ft.float32, ft.float64):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{D.type_name(t.dtype)}\'')


def _not_implemented(name, inputs, r):
    """torch's NotImplemented node: the graph is recorded, backward through it raises."""
    def bwd(node, *g):
        raise RuntimeError(f'derivative for aten::{name} is not implemented')
    if requires_grad(*inputs):
        attach('NotImplemented', bwd, inputs, (r,))
    return r


@register(method=False)
def _standard_gamma(input, generator=None):
    """Gamma(input, 1) samples; differentiable through torch's reparameterised gradient."""
    _check_float(input, 'gamma_cpu')
    from .._ops.random_ops import _gen
    generator = _gen(generator, input._device)
    a = np.host(input._data)      # the samplers run on the host (torch-exact CPU streams)
    single = a.dtype != np.float64
    # fmax: a nan draw becomes tiny, as C's std::max(tiny, nan)
    g = np.fmax(_draw(a, single, generator).astype(a.dtype), np.finfo(a.dtype).tiny)
    r = _make(np.ascontiguousarray(g).reshape(g.shape), input.dtype, input._device)
    if requires_grad(input):
        def bwd(node, grad):
            x, out = node.saved_tensors
            return grad * _standard_gamma_grad(x, out)
        attach('StandardGammaBackward0', bwd, (input,), (r,), save=(input, r))
    return r


def _same_dtypes(*ts):
    for t in ts[1:]:
        if t.dtype is not ts[0].dtype:
            raise RuntimeError(f'Found dtype {D.type_name(t.dtype)} but expected {D.type_name(ts[0].dtype)}')
    for t in ts[1:]:
        try:
            np.broadcast_shapes(ts[0].shape, t.shape)
        except ValueError:
            raise _broadcast_error(ts[0], t) from None


@register(method=False)
def _standard_gamma_grad(self, output):
    """d output / d self for output ~ Gamma(self, 1) (Jankowiak & Obermeyer's approximation)."""
    _same_dtypes(self, output)
    _check_float(self, '_standard_gamma_grad_cpu')
    data = _gamma_grad.standard_gamma_grad(np.host(self._data), np.host(output._data))
    r = _make(np.ascontiguousarray(data).reshape(data.shape), self.dtype, self._device)
    if requires_grad(self, output):
        def bwd(node, g):
            raise NotImplementedError("the derivative for '_standard_gamma_grad' is not implemented.")
        attach('StandardGammaGradBackward0', bwd, (self, output), (r,))
    return r


@register(method=False)
def _sample_dirichlet(input, generator=None):
    """Dirichlet samples, as torch._sample_dirichlet on the CPU: gammas in double, normalised
    over the last dim, clamped into [tiny, nextafter(1, 0)] of the tensor's dtype."""
    _check_float(input, 'dirichlet')
    a = np.host(input._data)      # the samplers run on the host (torch-exact CPU streams)
    g = np.fmax(_draw(a.astype(np.float64), False, generator), np.finfo(np.float64).tiny)
    out = (g / g.sum(-1, keepdims=True)).astype(a.dtype)
    hi = np.nextafter(np.array(1, a.dtype), np.array(0, a.dtype))
    out = np.minimum(hi, np.maximum(np.finfo(a.dtype).tiny, out))
    return _not_implemented('_sample_dirichlet', (input,),
                            _make(np.ascontiguousarray(out), input.dtype, input._device))


@register(method=False)
def _dirichlet_grad(x, alpha, total):
    """The Beta(alpha, total - alpha) reparameterised gradient at x, scaled by 1 / (1 - x)."""
    _same_dtypes(x, alpha, total)
    _check_float(x, '_dirichlet_grad_cpu')
    data = _gamma_grad.dirichlet_grad(*(np.host(t._data) for t in (x, alpha, total)))
    return _not_implemented('_dirichlet_grad', (x, alpha, total),
                            _make(np.ascontiguousarray(data), x.dtype, x._device))


# the names the distributions use
standard_gamma = _standard_gamma
sample_dirichlet = _sample_dirichlet
