"""torch's CPU gamma and Dirichlet samplers (``torch._standard_gamma``, ``torch._sample_dirichlet``),
drawing from faketorch's generator in torch's order so seeded samples are identical.

Marsaglia-Tsang rejection is sequential per element (each element consumes a data-dependent
number of draws from the shared stream), so this is a Python loop over elements by necessity.
The precision mix (float constants widened to double) is torch's and matters for bit-equality."""
import math

import numpy as np

import faketorch as ft
from .. import _rng

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
    c = 1.0 / math.sqrt(9.0 * d)
    k = float(_F(0.0331))  # a float literal in torch's kernel, widened to double
    while True:
        while True:
            x = _normal(gen)
            y = 1.0 + c * x
            if y > 0:
                break
        v = y * y * y
        u = 1.0 - _uniform(gen)
        xx = x * x
        if u < 1.0 - k * xx * xx:
            return scale * d * v
        if math.log(u) < 0.5 * xx + d * (1.0 - v + math.log(v)):
            return scale * d * v


def _draw(alphas, single):
    gen = ft.random.default_generator
    flat = np.ascontiguousarray(alphas).reshape(-1)
    return np.array([_gamma_one(gen, float(a), single) for a in flat], np.float64).reshape(alphas.shape)


def standard_gamma(concentration):
    """Gamma(concentration, 1) samples, as torch._standard_gamma on the CPU (no gradient)."""
    a = concentration.detach().numpy()
    single = a.dtype != np.float64
    g = _draw(a, single)
    if single:
        g = g.astype(a.dtype)
    g = np.maximum(g, np.finfo(g.dtype).tiny)
    return ft.from_numpy(np.ascontiguousarray(g)).to(concentration.dtype)


def sample_dirichlet(concentration):
    """Dirichlet samples, as torch._sample_dirichlet on the CPU: gammas in double, normalised
    over the last dim, clamped into [tiny, nextafter(1, 0)] of the tensor's dtype."""
    a = concentration.detach().numpy()
    g = np.maximum(_draw(a.astype(np.float64), False), np.finfo(np.float64).tiny)
    out = (g / g.sum(-1, keepdims=True)).astype(a.dtype)
    hi = np.nextafter(np.array(1, a.dtype), np.array(0, a.dtype))
    out = np.minimum(hi, np.maximum(np.finfo(a.dtype).tiny, out))
    return ft.from_numpy(np.ascontiguousarray(out)).to(concentration.dtype)
