"""torch.special. Functions that are also torch.X ops (erf, lgamma, digamma, sigmoid ...) call the
faketorch op at call time; the rest are declared here: forward on arrays (NumPy has no special
functions, so erf/erfc/lgamma come from the math module through frompyfunc, and the others are
series built on them), derivative in tensor ops."""
import math

from . import _xnp as np

from . import _dtype as D
from ._tensor import Tensor, _make
from .autograd.grad_mode import state as grad_state
from ._ops._core import attach, kernel_error, write_out

_EULER = 0.57721566490153286061


# --- array kernels ------------------------------------------------------------------------------

def _vec(f):
    u = np.frompyfunc(f, 1, 1)

    def g(a):
        if not a.size:
            return a.copy()
        return np.asarray_on(np.asarray(u(np.host(a).astype(np.float64)), np.float64), a).astype(a.dtype)
    return g


_erf = _vec(math.erf)
_erfc = _vec(math.erfc)


def _lgamma_scalar(v):
    try:
        return math.lgamma(v)
    except ValueError:          # poles: torch gives +inf
        return math.inf


_lgamma = _vec(_lgamma_scalar)


def _erfinv(a):
    y = a.astype(np.float64)
    # Giles' approximation, then two Newton steps on erf
    w = -np.log(np.maximum((1.0 - y) * (1.0 + y), 1e-300))
    small = w < 5
    ws = w - 2.5
    wl = np.sqrt(np.where(small, 5, w)) - 3
    p1 = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
              -0.00417768164, 0.246640727, 1.50140941):
        p1 = c + p1 * ws
    p2 = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
              0.00943887047, 1.00167406, 2.83297682):
        p2 = c + p2 * wl
    x = np.where(small, p1, p2) * y
    with np.errstate(all='ignore'):
        for _ in range(2):
            err = _erf(x) - y
            x = x - err / (2 / math.sqrt(math.pi) * np.exp(-x * x))
    x = np.where(y == 1, np.inf, np.where(y == -1, -np.inf, x))
    x = np.where(np.abs(y) > 1, np.nan, x)
    return x.astype(a.dtype)


def _digamma(a):
    x = a.astype(np.float64)
    with np.errstate(all='ignore'):
        neg = x < 0
        # reflection for negative arguments: psi(1 - x) - pi / tan(pi x)
        xr = np.where(neg, 1 - x, x)
        acc = np.zeros_like(xr)
        for _ in range(6):
            low = xr < 6
            acc = acc - np.where(low, 1 / np.where(low, xr, 1), 0)
            xr = np.where(low, xr + 1, xr)
        z = 1 / (xr * xr)
        series = np.log(xr) - 0.5 / xr - z * (1 / 12 - z * (1 / 120 - z * (1 / 252 - z * (
            1 / 240 - z * (1 / 132 - z * (691 / 32760 - z / 12))))))
        r = series + acc
        r = np.where(neg, r - np.pi / np.tan(np.pi * x), r)
        r = np.where(x == 0, np.copysign(np.inf, -x), r)
        r = np.where((x < 0) & (x == np.floor(x)), np.nan, r)
    return r.astype(a.dtype)


_B2 = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798,
       -174611 / 330, 854513 / 138, -236364091 / 2730)


def _zeta(s, q):
    """Hurwitz zeta by Euler-Maclaurin summation (s > 1, q > 0), as Cephes."""
    s = np.asarray(s, np.float64)
    q = np.asarray(q, np.float64)
    s, q = np.broadcast_arrays(s, q)
    with np.errstate(all='ignore'):
        N = 9
        acc = np.zeros(s.shape)
        for k in range(N):
            acc = acc + (q + k) ** -s
        a = q + N
        acc = acc + a ** (1 - s) / (s - 1) + 0.5 * a ** -s
        fac = s * a ** (-s - 1)
        fact = 1.0
        for j, b in enumerate(_B2):
            fact = fact * (2 * j + 1) * (2 * j + 2) if j else 2.0
            acc = acc + b / fact * fac
            fac = fac * (s + 2 * j + 1) * (s + 2 * j + 2) / (a * a)
        # Cephes' order of checks: s == 1, s < 1, then the poles of q
        bad_q = (q <= 0) & (q == np.floor(q))
        acc = np.where(bad_q, np.inf, acc)
        acc = np.where((q <= 0) & ~bad_q & (s != np.floor(s)), np.nan, acc)
        acc = np.where(s < 1, np.nan, acc)
        acc = np.where(s == 1, np.inf, acc)
    return acc


def _polygamma(n, a):
    if n == 0:
        return _digamma(a)
    x = a.astype(np.float64)
    r = (-1) ** (n + 1) * math.factorial(n) * _zeta(n + 1.0, x)
    return r.astype(a.dtype)


def _bessel_i(order, a, scaled):
    """I0/I1 (optionally times exp(-|x|)): power series below 30, asymptotic expansion above."""
    x = np.abs(a.astype(np.float64))
    with np.errstate(all='ignore'):
        h = x / 2
        term = np.ones_like(x) if order == 0 else h.copy()
        total = term.copy()
        small = np.minimum(x, 30)
        hs = small / 2
        term = np.ones_like(x) if order == 0 else hs.copy()
        total = term.copy()
        for k in range(1, 120):
            term = term * hs * hs / (k * (k + order))
            total = total + term
        series = total * np.exp(-small) if scaled else total
        mu = 4 * order * order
        t = np.ones_like(x)
        s = np.ones_like(x)
        big = np.maximum(x, 30)
        for k in range(1, 30):
            t = -t * (mu - (2 * k - 1) ** 2) / (k * 8 * big)
            s = s + t
        asym = s / np.sqrt(2 * np.pi * big)
        if not scaled:
            asym = asym * np.exp(big)
        r = np.where(x <= 30, series, asym)
    if order == 1:
        r = np.copysign(r, a)
    return r.astype(a.dtype)


def _erfcx(a):
    x = a.astype(np.float64)
    with np.errstate(all='ignore'):
        direct = np.exp(x * x) * _erfc(x)
        big = np.maximum(x, 25)
        z = 1 / (2 * big * big)
        asym = (1 - z * (1 - 3 * z * (1 - 5 * z * (1 - 7 * z)))) / (big * math.sqrt(math.pi))
        r = np.where(x < 25, direct, asym)
    return r.astype(a.dtype)


def _log_ndtr(a):
    x = a.astype(np.float64)
    with np.errstate(all='ignore'):
        mid = np.log(0.5 * _erfc(-x / math.sqrt(2)))
        # far left tail: log of the asymptotic series of erfc
        t = np.minimum(x, -20)
        z = 1 / (t * t)
        tail = -0.5 * t * t - np.log(-t) - 0.5 * math.log(2 * math.pi) + np.log1p(-z * (1 - 3 * z * (1 - 5 * z)))
        r = np.where(x < -20, tail, mid)
        r = np.where(x > 6, -0.5 * _erfc(x / math.sqrt(2)), r)
    return r.astype(a.dtype)


# --- op declaration -----------------------------------------------------------------------------

def _float_input(x, kernel=None):
    if not isinstance(x, Tensor):
        raise TypeError(f"argument 'input' must be Tensor, not {type(x).__name__}")
    if kernel is not None and x.dtype in D.float8_types:     # torch has no float8 loop for these
        raise kernel_error(kernel, x.dtype, x._device)
    if x.dtype._cat < 2:
        dt = D.get_default_dtype()
        return x._data.astype(dt._np), dt
    return x._data, x.dtype


def _unary(fwd, gname, deriv, kernel=None):
    """special.f(input, *, out=None): fwd on float arrays, deriv(g, x, result) in tensor ops; kernel: torch's
    CPU kernel name (for its float8 error)."""
    def f(input, *, out=None):
        a, dt = _float_input(input, kernel)
        r = _make(np.asarray(np.on_host(fwd, a)).astype(dt._np, copy=False), dt, input._device)
        if input._requires_grad and grad_state.enabled:
            if deriv is None:
                raise NotImplementedError(f"the derivative for '{gname}' is not implemented.")
            attach(gname, lambda node, g: deriv(g, *node.saved_tensors), (input,), (r,), save=(input, r))
        return write_out(out, r, gname) if out is not None else r
    return f


def _op(name, fallback):
    """Use faketorch.<name> when the torch-level op exists, else the local declaration."""
    def f(*args, **kwargs):
        import faketorch
        g = getattr(faketorch, name, None)
        return (g or fallback)(*args, **kwargs)
    f.__name__ = name
    return f


def _exp_neg_sq(x):
    return (-x * x).exp()


_erf_op = _unary(_erf, 'ErfBackward0', lambda g, x, r: g * (2 / math.sqrt(math.pi)) * _exp_neg_sq(x))
_erfc_op = _unary(_erfc, 'ErfcBackward0', lambda g, x, r: -g * (2 / math.sqrt(math.pi)) * _exp_neg_sq(x))
_erfinv_op = _unary(_erfinv, 'ErfinvBackward0',
                    lambda g, x, r: g * (math.sqrt(math.pi) / 2) * (r * r).exp())
_lgamma_op = _unary(_lgamma, 'LgammaBackward0', lambda g, x, r: g * _digamma_op(x))
_digamma_op = _unary(_digamma, 'DigammaBackward0', lambda g, x, r: g * _polygamma_impl(1, x))
_i0_op = _unary(lambda a: _bessel_i(0, a, False), 'I0Backward0', lambda g, x, r: g * i1(x))

erf = _op('erf', _erf_op)
erfc = _op('erfc', _erfc_op)
erfinv = _op('erfinv', _erfinv_op)
gammaln = _op('lgamma', _lgamma_op)
gammainc = _op('igamma', None)
gammaincc = _op('igammac', None)
digamma = psi = _op('digamma', _digamma_op)
i0 = _op('i0', _i0_op)

i0e = _unary(lambda a: _bessel_i(0, a, True), 'SpecialI0EBackward0',
             lambda g, x, r: g * (i1e(x) - x.sgn() * r), 'i0e_cpu')
i1 = _unary(lambda a: _bessel_i(1, a, False), 'SpecialI1Backward0',
            lambda g, x, r: g * (i0(x) - r / x).masked_fill(x == 0, 0.5), 'i1_cpu')
i1e = _unary(lambda a: _bessel_i(1, a, True), 'SpecialI1EBackward0',
             lambda g, x, r: g * (i0e(x) - r * (x.sgn() + x.reciprocal())).masked_fill(x == 0, 0.5),
             'i1e_cpu')
erfcx = _unary(_erfcx, 'SpecialErfcxBackward0',
               lambda g, x, r: g * (2 * x * r - 2 / math.sqrt(math.pi)), 'erfcx_cpu')
ndtri = _unary(lambda a: math.sqrt(2) * _erfinv(2 * a - 1), 'SpecialNdtriBackward0',
               lambda g, x, r: g * math.sqrt(2 * math.pi) * (r * r / 2).exp(), 'ndtri_cpu')
log_ndtr = _unary(_log_ndtr, 'SpecialLogNdtrBackward0',
                  lambda g, x, r: g / math.sqrt(2 * math.pi) * (r + x.pow(2) / 2).neg().exp(), 'log_ndtr_cpu')


def _entr(a):
    with np.errstate(all='ignore'):
        r = np.where(a > 0, -a * np.log(np.where(a > 0, a, 1)), np.where(a == 0, 0, -np.inf))
    return np.where(np.isnan(a), a, r)


entr = _unary(_entr, 'SpecialEntrBackward0', lambda g, x, r: g * -(x.log() + 1), 'entr_cpu')


def _sinc(a):
    with np.errstate(all='ignore'):
        px = np.pi * a
        return np.where(a == 0, 1, np.sin(px) / np.where(a == 0, 1, px))


def _sinc_grad(g, x, r):
    px = x * math.pi
    d = ((px.cos() * math.pi - r * math.pi) / px).masked_fill(x == 0, 0)
    return g * d


sinc = _op('sinc', _unary(_sinc, 'SincBackward0', _sinc_grad))


def ndtr(input, *, out=None):
    x = input if input.dtype._cat >= 2 else input.to(D.get_default_dtype())
    r = (1 + erf(x * (1 / math.sqrt(2)))) * 0.5
    from ._ops.linalg_ops import _named
    r = _named('MulBackward1', r)
    return write_out(out, r, 'special_ndtr') if out is not None else r


def expit(input, *, out=None):
    import faketorch
    return faketorch.sigmoid(input, out=out) if out is not None else faketorch.sigmoid(input)


def logit(input, eps=None, *, out=None):
    import faketorch
    g = getattr(faketorch, 'logit', None)
    if g is not None:
        return g(input, eps, out=out) if out is not None else g(input, eps)
    x = input if input.dtype._cat >= 2 else input.to(D.get_default_dtype())
    if eps is not None:
        x = x.clamp(eps, 1 - eps)
    r = (x / (1 - x)).log()
    return write_out(out, r, 'logit') if out is not None else r


def _polygamma_impl(n, input):
    a, dt = _float_input(input)
    r = _make(np.asarray(np.on_host(lambda x: _polygamma(n, x), a)).astype(dt._np, copy=False), dt,
                  input._device)
    if input._requires_grad and grad_state.enabled:
        attach('PolygammaBackward0', lambda node, g: g * _polygamma_impl(n + 1, node.saved_tensors[0]),
               (input,), (r,), save=(input,))
    return r


def polygamma(n, input, *, out=None):
    import faketorch
    g = getattr(faketorch, 'polygamma', None)
    r = g(n, input) if g is not None else _polygamma_impl(n, input)
    return write_out(out, r, 'polygamma') if out is not None else r


def multigammaln(input, p, *, out=None):
    import faketorch
    g = getattr(faketorch, 'mvlgamma', None)
    if g is not None:
        r = g(input, p)
    else:
        a = input._data
        if np.any(a <= (p - 1) / 2):
            raise RuntimeError("All elements must be greater than (p-1)/2")
        from . import stack
        terms = [gammaln(input - j / 2) for j in range(p)]
        r = stack(terms, 0).sum(0) + p * (p - 1) / 4 * math.log(math.pi)
        from ._ops.linalg_ops import _named
        r = _named('MvlgammaBackward0', r)
    return write_out(out, r, 'mvlgamma') if out is not None else r


def _binary_float(name, gname, fwd, da, db):
    """x op y with broadcasting and promotion to float; Python scalars allowed on either side."""
    def f(input, other, *, out=None):
        from ._ops.pointwise import _promote, _check_overloads
        swapped = not isinstance(input, Tensor)
        if swapped:
            _check_overloads(name, input, other)
            ta = _make(np.asarray(input), D.result_type_of((other,), (input,)), other._device)
            a, b, rt = _promote(name, ta, other)
        else:
            a, b, rt = _promote(name, input, other)
        dt = rt if rt._cat >= 2 else D.get_default_dtype()
        data = np.asarray(np.on_host(lambda x, y: fwd(x.astype(dt._np), np.asarray(y).astype(dt._np)), a, b)
                          ).astype(dt._np)
        ref = other if swapped else input
        r = _make(data, dt, ref._device)
        xs = (input if isinstance(input, Tensor) else None, other if isinstance(other, Tensor) else None)
        if grad_state.enabled and any(t is not None and t._requires_grad for t in xs):
            suffix = '0' if all(t is not None for t in xs) else ('1' if xs[0] is None else '2')
            av = input if isinstance(input, Tensor) else float(input)
            bv = other if isinstance(other, Tensor) else float(other)

            def bwd(node, g):
                return (da(g, av, bv) if xs[0] is not None and xs[0]._requires_grad else None,
                        db(g, av, bv) if xs[1] is not None and xs[1]._requires_grad else None)
            attach(gname + suffix, bwd, xs, (r,))
        return write_out(out, r, name) if out is not None else r
    f.__name__ = name
    return f


def _xlogy(a, b):
    with np.errstate(all='ignore'):
        r = a * np.log(b)
    return np.where((a == 0) & ~np.isnan(b), 0, r)


def _xlog1py(a, b):
    with np.errstate(all='ignore'):
        r = a * np.log1p(b)
    return np.where((a == 0) & ~np.isnan(b), 0, r)


def _xlogy_da(g, x, y):
    from . import where
    ly = y.log() if isinstance(y, Tensor) else math.log(y)
    res = g * ly
    return where(x == 0, res * 0, res) if isinstance(x, Tensor) else res


def _xlog1py_da(g, x, y):
    from . import where
    ly = y.log1p() if isinstance(y, Tensor) else math.log1p(y)
    res = g * ly
    return where(x == 0, res * 0, res) if isinstance(x, Tensor) else res


_xlogy_op = _binary_float('xlogy', 'XlogyBackward', _xlogy, _xlogy_da, lambda g, x, y: g * x / y)
xlog1py = _binary_float('special_xlog1py', 'SpecialXlog1PyBackward', _xlog1py, _xlog1py_da,
                        lambda g, x, y: g * x / (y + 1))
def xlogy(input, other, *, out=None):
    import faketorch
    from ._ops.pointwise import reworded
    try:
        return faketorch.xlogy(input, other, out=out)
    except TypeError as e:      # worded as torch's special_xlogy
        raise reworded(e, 'special_xlogy', (input, other), method=False) from None


def _zeta_fwd(a, b):
    return _zeta(a, b)


zeta = _binary_float('special_zeta', 'SpecialZetaBackward', _zeta_fwd, None,
                     lambda g, x, q: g * -x * zeta(x + 1, q))


# --- names shared with the torch namespace ------------------------------------------------------

def _alias(name):
    def f(*args, **kwargs):
        import faketorch
        return getattr(faketorch, name)(*args, **kwargs)
    f.__name__ = name
    return f


exp2 = _alias('exp2')
expm1 = _alias('expm1')
log1p = _alias('log1p')
round = _alias('round')
logsumexp = _alias('logsumexp')


def softmax(input, dim, *, dtype=None):
    from .nn import functional as F
    return F.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    from .nn import functional as F
    return F.log_softmax(input, dim, dtype=dtype)


# --- orthogonal polynomials (not differentiable in torch either) --------------------------------

def _fms(a, b, c):
    """a * b - c rounded once: torch's float32 kernel compiles to a fused multiply-add."""
    if a.dtype == np.float32:
        return (a.astype(np.float64) * b - c).astype(np.float32)
    return a * b - c


_HERMITE_LIMIT = {np.dtype(np.float32): 128, np.dtype(np.float64): 512}    # beyond: NaN, as torch


def _poly(name, step, first, shift=False, native=False):
    """p_n(x) by the three-term recurrence; n may be a tensor (per element) or a number.
    native: recur in the result dtype, as torch's kernel does (others are exact enough in double)."""
    def f(input, n, *, out=None):
        x_t = input if isinstance(input, Tensor) else None
        n_t = n if isinstance(n, Tensor) else None
        if x_t is None or n_t is None:
            from ._ops.pointwise import _check_overloads
            _check_overloads('special_' + name, input, n)
        ref = x_t if x_t is not None else n_t
        xa = np.host(input._data) if x_t is not None else np.asarray(input)
        na = np.host(n._data) if n_t is not None else np.asarray(n)
        ts = [t for t in (x_t, n_t) if t is not None]
        ss = [v for v in (input, n) if not isinstance(v, Tensor)]
        rt = D.result_type_of(ts, ss)
        dt = rt if rt._cat >= 2 else D.get_default_dtype()
        x = xa.astype(dt._np if native else np.float64)
        if shift:
            x = 2 * x - 1
        nn = np.broadcast_to(na, np.broadcast_shapes(np.shape(x), np.shape(na))).astype(np.int64)
        x = np.broadcast_to(x, nn.shape)
        top = int(nn.max()) if nn.size else 0
        p0, p1 = np.ones_like(x), first(x)
        res = np.where(nn == 0, p0, np.where(nn == 1, p1, x.dtype.type(0)))
        for k in range(2, top + 1):
            p0, p1 = p1, step(x, p1, p0, k)
            res = np.where(nn == k, p1, res)
        res = np.where(nn < 0, x.dtype.type(0), res)
        if native:
            res = np.where(nn > _HERMITE_LIMIT.get(x.dtype, 1024), x.dtype.type(np.nan), res)
        r = _make(np.asarray(res, dt._np), dt, ref._device)
        return write_out(out, r, name) if out is not None else r
    f.__name__ = name
    return f


chebyshev_polynomial_t = _poly('chebyshev_polynomial_t', lambda x, p, q, k: 2 * x * p - q, lambda x: x)
chebyshev_polynomial_u = _poly('chebyshev_polynomial_u', lambda x, p, q, k: 2 * x * p - q, lambda x: 2 * x)
chebyshev_polynomial_v = _poly('chebyshev_polynomial_v', lambda x, p, q, k: 2 * x * p - q, lambda x: 2 * x - 1)
chebyshev_polynomial_w = _poly('chebyshev_polynomial_w', lambda x, p, q, k: 2 * x * p - q, lambda x: 2 * x + 1)
shifted_chebyshev_polynomial_t = _poly('shifted_chebyshev_polynomial_t', lambda x, p, q, k: 2 * x * p - q,
                                       lambda x: x, shift=True)
shifted_chebyshev_polynomial_u = _poly('shifted_chebyshev_polynomial_u', lambda x, p, q, k: 2 * x * p - q,
                                       lambda x: 2 * x, shift=True)
shifted_chebyshev_polynomial_v = _poly('shifted_chebyshev_polynomial_v', lambda x, p, q, k: 2 * x * p - q,
                                       lambda x: 2 * x - 1, shift=True)
shifted_chebyshev_polynomial_w = _poly('shifted_chebyshev_polynomial_w', lambda x, p, q, k: 2 * x * p - q,
                                       lambda x: 2 * x + 1, shift=True)
hermite_polynomial_h = _poly('hermite_polynomial_h', lambda x, p, q, k: _fms(x + x, p, 2 * (k - 1) * q),
                             lambda x: 2 * x, native=True)
hermite_polynomial_he = _poly('hermite_polynomial_he', lambda x, p, q, k: _fms(x, p, (k - 1) * q), lambda x: x,
                              native=True)
laguerre_polynomial_l = _poly('laguerre_polynomial_l', lambda x, p, q, k: ((2 * k - 1 - x) * p - (k - 1) * q) / k,
                              lambda x: 1 - x)
legendre_polynomial_p = _poly('legendre_polynomial_p', lambda x, p, q, k: ((2 * k - 1) * x * p - (k - 1) * q) / k,
                              lambda x: x)


def _nograd(name, fwd):
    def f(input, *, out=None):
        a, dt = _float_input(input, name + '_cpu')
        r = _make(np.asarray(np.on_host(fwd, a)).astype(dt._np, copy=False), dt, input._device)
        return write_out(out, r, name) if out is not None else r
    f.__name__ = name
    return f


modified_bessel_i0 = _nograd('modified_bessel_i0', lambda a: _bessel_i(0, a, False))
modified_bessel_i1 = _nograd('modified_bessel_i1', lambda a: _bessel_i(1, a, False))


def _sph_j0(a):
    with np.errstate(all='ignore'):
        return np.where(a == 0, 1.0, np.sin(a) / np.where(a == 0, 1, a))


spherical_bessel_j0 = _nograd('spherical_bessel_j0', _sph_j0)


# --- Bessel J, Y, K of orders 0 and 1, Airy Ai (torch gives them no derivative) ------------------
# Computed in float64: power series where they do not cancel, the Hankel asymptotic expansions for
# large arguments, and for K between the two the trapezoid rule on K_v(x) = int exp(-x cosh t)
# cosh(v t) dt, which converges geometrically for this integrand.

def _hankel_coefs(nu, n):
    """a_k(nu) = prod_{j<=k} (4 nu^2 - (2j-1)^2) / (k! 8^k), k = 0..n-1."""
    c = [1.0]
    for k in range(1, n):
        c.append(c[-1] * (4 * nu * nu - (2 * k - 1) ** 2) / (k * 8))
    return c


def _j_y_asym(nu, x):
    """(J_nu, Y_nu) for large x > 0."""
    c = _hankel_coefs(nu, 24)
    p = np.zeros_like(x)
    q = np.zeros_like(x)
    for k in range(len(c) - 1, -1, -1):
        if k % 2 == 0:
            p = p + (-1) ** (k // 2) * c[k] / x ** k
        else:
            q = q + (-1) ** (k // 2) * c[k] / x ** k
    chi = x - (nu / 2 + 0.25) * math.pi
    s = np.sqrt(2 / (math.pi * x))
    return s * (p * np.cos(chi) - q * np.sin(chi)), s * (p * np.sin(chi) + q * np.cos(chi))


def _j_y_series(n, x, want_y):
    """(J_n, Y_n) for n in {0, 1} and moderate x > 0 (A&S 9.1.10, 9.1.11)."""
    z = -x * x / 4
    h = x / 2
    term = np.ones_like(x) / math.factorial(n)
    psi = -_EULER + (0 if n == 0 else 0)        # psi(k + 1) at k = 0
    psin = -_EULER + sum(1 / j for j in range(1, n + 1))    # psi(k + n + 1) at k = 0
    j = term.copy()
    s = term * (psi + psin)
    for k in range(1, 60):
        term = term * z / (k * (k + n))
        psi += 1 / k
        psin += 1 / (k + n)
        j = j + term
        s = s + term * (psi + psin)
    j = j * h ** n
    if not want_y:
        return j, None
    with np.errstate(all='ignore'):
        y = (2 / math.pi) * np.log(h) * j - (1 / math.pi) * h ** n * s
        if n == 1:
            y = y - 2 / (math.pi * x)
    return j, y


def _j_y(n, a, want_y):
    x = np.abs(a.astype(np.float64))
    with np.errstate(all='ignore'):
        small = np.minimum(x, 12)
        sj, sy = _j_y_series(n, np.where(small == 0, 1e-300, small) if want_y else small, want_y)
        big = np.maximum(x, 12)
        aj, ay = _j_y_asym(n, big)
        j = np.where(x < 12, sj, aj)
        if n == 1:
            j = np.where(a < 0, -j, j)
            j = np.where(a == 0, a, j)
        if not want_y:
            return j
        y = np.where(x < 12, sy, ay)
        y = np.where(a == 0, -np.inf, y)
        return np.where(a < 0, np.nan, y)


def _k_series(n, x):
    """K_n for 0 < x <= 2 (A&S 9.6.11)."""
    z = x * x / 4
    h = x / 2
    term = np.ones_like(x) / math.factorial(n)
    psi, psin = -_EULER, -_EULER + sum(1 / j for j in range(1, n + 1))
    i = term.copy()
    s = term * (psi + psin)
    for k in range(1, 40):
        term = term * z / (k * (k + n))
        psi += 1 / k
        psin += 1 / (k + n)
        i = i + term
        s = s + term * (psi + psin)
    i = i * h ** n
    if n == 0:
        return -np.log(h) * i + 0.5 * s
    return 1 / x + np.log(h) * i - 0.5 * h * s


_T = np.arange(0, 8.05, 0.1)
_TW = np.where(_T == 0, 0.5, 1.0) * 0.1     # trapezoid weights on [0, inf), the tail is negligible


def _k_scaled_mid(nu, x):
    """exp(x) K_nu(x) by the trapezoid rule, for x in about [1, 25]."""
    t = np.asarray_on(_T, x).reshape((1,) * x.ndim + (-1,))
    f = np.exp(-x[..., None] * (np.cosh(t) - 1)) * np.cosh(nu * t)
    return (f * np.asarray_on(_TW, x)).sum(-1)


def _k_scaled_asym(nu, x):
    c = _hankel_coefs(nu, 30)
    s = np.zeros_like(x)
    for k in range(len(c) - 1, -1, -1):
        s = s + c[k] / x ** k
    return np.sqrt(math.pi / (2 * x)) * s


def _k(n, a, scaled):
    x = a.astype(np.float64)
    with np.errstate(all='ignore'):
        lo = np.clip(x, 1e-300, 2)
        ser = _k_series(n, lo) * (np.exp(lo) if scaled else 1)
        mid = np.clip(x, 2, 25)
        hi = np.maximum(x, 25)
        r = np.where(x <= 25, _k_scaled_mid(n, mid), _k_scaled_asym(n, hi))
        if not scaled:
            r = r * np.exp(-np.where(x <= 25, mid, hi))
        r = np.where(x <= 2, ser, r)
        r = np.where(x == 0, np.inf, r)
        r = np.where(np.isposinf(x), 0.0, r)
        return np.where(x < 0, np.nan, r)


def _airy_ai(a):
    x = a.astype(np.float64)
    with np.errstate(all='ignore'):
        # Maclaurin series, -7 <= x <= 2: Ai = c1 f - c2 g
        c1, c2 = 0.355028053887817239, 0.258819403792806798
        m = np.clip(x, -7, 2)
        x3 = m ** 3
        tf = np.ones_like(m)
        tg = m.copy()
        f, g = tf.copy(), tg.copy()
        for k in range(1, 45):
            tf = tf * x3 / ((3 * k - 1) * (3 * k))
            tg = tg * x3 / ((3 * k) * (3 * k + 1))
            f, g = f + tf, g + tg
        r = c1 * f - c2 * g
        # x > 2: Ai = sqrt(x / 3) K_{1/3}(zeta) / pi
        p = np.maximum(x, 2)
        zeta = 2 / 3 * p ** 1.5
        kz = np.where(zeta <= 25, _k_scaled_mid(1 / 3, np.minimum(zeta, 25)),
                      _k_scaled_asym(1 / 3, np.maximum(zeta, 25))) * np.exp(-zeta)
        r = np.where(x > 2, np.sqrt(p / 3) * kz / math.pi, r)
        # x < -7: Ai(-y) = sqrt(y) / 3 (J_{1/3} + J_{-1/3})(zeta)
        y = np.maximum(-x, 7)
        zeta = 2 / 3 * y ** 1.5
        r = np.where(x < -7, np.sqrt(y) / 3 * (_j_y_asym(1 / 3, zeta)[0] + _j_y_asym(-1 / 3, zeta)[0]), r)
        return np.where(np.isinf(x), np.nan, r)


airy_ai = _nograd('airy_ai', _airy_ai)
bessel_j0 = _nograd('bessel_j0', lambda a: _j_y(0, a, False))
bessel_j1 = _nograd('bessel_j1', lambda a: _j_y(1, a, False))
bessel_y0 = _nograd('bessel_y0', lambda a: _j_y(0, a, True))
bessel_y1 = _nograd('bessel_y1', lambda a: _j_y(1, a, True))
modified_bessel_k0 = _nograd('modified_bessel_k0', lambda a: _k(0, a, False))
modified_bessel_k1 = _nograd('modified_bessel_k1', lambda a: _k(1, a, False))
scaled_modified_bessel_k0 = _nograd('scaled_modified_bessel_k0', lambda a: _k(0, a, True))
scaled_modified_bessel_k1 = _nograd('scaled_modified_bessel_k1', lambda a: _k(1, a, True))
