"""torch's CPU binomial sampler (``torch.binomial``): inversion for count * p < 10, else BTRS
(Hormann's transformed rejection), drawing double uniforms from faketorch's generator in torch's
order so seeded samples are identical. Sequential per element (each consumes a data-dependent
number of draws), so a Python loop. For float32 the float-typed parts of torch's arithmetic are
done in float32; integer-valued parts are exact in either precision."""
import math

from .. import _xnp as np

from .. import _dtype as D
from .._tensor import _make
from .._ops._core import register
from ._gamma_sampling import _check_float, _not_implemented, _same_dtypes, _uniform

_TAIL = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
         0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
         0.00925546218271273, 0.00833056343336287)


def _stirling_tail(k):
    if k <= 9:
        return _TAIL[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)


def _inversion(gen, count, prob, cast):
    logprob = float(cast(math.log1p(-cast(prob))))
    geom_sum, num = 0.0, 0
    while True:
        u = _uniform(gen)
        geom_sum += math.ceil(math.log(u) / logprob) if u > 0 else math.inf
        if geom_sum > count:
            return num
        num += 1


def _btrs(gen, count, prob, cast):
    stddev = float(cast(math.sqrt(cast(cast(count * prob) * cast(1 - prob)))))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * prob
    c = float(cast(count * prob)) + 0.5
    v_r = 0.92 - 4.2 / b
    r = float(cast(cast(prob) / cast(1 - prob)))
    alpha = (2.83 + 5.1 / b) * stddev
    m = math.floor(float(cast((count + 1) * prob)))
    while True:
        u = _uniform(gen) - 0.5
        v = _uniform(gen)
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + c)
        if k < 0 or k > count:
            continue
        if us >= 0.07 and v <= v_r:
            return k
        v = math.log(v * alpha / (a / (us * us) + b))
        upper = ((m + 0.5) * math.log((m + 1) / (r * (count - m + 1)))
                 + (count + 1) * math.log((count - m + 1) / (count - k + 1))
                 + (k + 0.5) * math.log(r * (count - k + 1) / (k + 1))
                 + _stirling_tail(m) + _stirling_tail(count - m) - _stirling_tail(k) - _stirling_tail(count - k))
        if v <= upper:
            return k


def _binomial_one(gen, count, prob, cast):
    if count <= 0.0 or prob <= 0.0:
        return 0.0
    if prob >= 1.0:
        return count
    if prob <= 0.5:
        small = float(cast(count * prob)) < 10.0
        return (_inversion if small else _btrs)(gen, count, prob, cast)
    if prob > 0.5:
        q = float(cast(1.0 - prob))
        small = float(cast(count * q)) < 10.0
        return count - (_inversion if small else _btrs)(gen, count, q, cast)
    return math.nan


@register(method=False)
def binomial(count, prob, generator=None):
    """Binomial(count, prob) samples, as torch.binomial on the CPU."""
    from .._ops.random_ops import _gen
    if not count.dtype.is_floating_point:
        raise ValueError(f'binomial only supports floating-point dtypes for count, got: {D.type_name(count.dtype)}')
    if not prob.dtype.is_floating_point:
        raise ValueError(f'binomial only supports floating-point dtypes for prob, got: {D.type_name(prob.dtype)}')
    _same_dtypes(count, prob)
    _check_float(count, 'binomial_cpu')
    gen = _gen(generator, count._device)
    n, p = np.broadcast_arrays(np.host(count._data), np.host(prob._data))
    cast = np.float32 if count.dtype is D.float32 else float
    # a nan count never ends torch's loop; it is nan here
    out = np.array([math.nan if math.isnan(c) else _binomial_one(gen, float(c), float(q), cast)
                    for c, q in zip(n.reshape(-1), p.reshape(-1))], np.float64).astype(n.dtype).reshape(n.shape)
    return _not_implemented('binomial', (count, prob), _make(out, count.dtype, count._device))
