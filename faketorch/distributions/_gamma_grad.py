"""Reparameterised gradients of gamma and Dirichlet samples, as torch's CPU kernels compute them
(``torch._standard_gamma_grad``, ``torch._dirichlet_grad``): Jankowiak & Obermeyer's
approximations, evaluated in double, with torch's mix of float32 ("scalar_t") and double
("accscalar_t") arithmetic kept where it changes the float32 bits.

Transcendentals go through the C library as torch's do: ``math`` for double, and glibc's own
``logf`` / ``powf`` for float32 (they are not always correctly rounded, and the float32 Beta
branches show it); without a loadable libm, the double result rounded to float32."""
import math

from .. import _xnp as np

_f64 = np.float64
_f32 = np.float32


def _libm(f, npf, *args):
    """Elementwise libm call; where ``math`` raises (log 0, overflow) C returns inf/NaN, as NumPy does."""
    args = np.broadcast_arrays(*[np.asarray(a, _f64) for a in args])

    def one(*v):
        try:
            return f(*v)
        except (ValueError, OverflowError):
            with np.errstate(all='ignore'):
                return float(npf(*v))
    shape = args[0].shape
    return np.fromiter(map(one, *[a.ravel().tolist() for a in args]), _f64, args[0].size).reshape(shape)


_FLOAT_FNS = []


def _float_fns():
    """glibc's (logf, powf) through ctypes, or None."""
    if not _FLOAT_FNS:
        try:
            import ctypes
            import ctypes.util
            lib = ctypes.CDLL(ctypes.util.find_library('m') or 'libm.so.6')
            lf, pf = lib.logf, lib.powf
            lf.restype, lf.argtypes = ctypes.c_float, [ctypes.c_float]
            pf.restype, pf.argtypes = ctypes.c_float, [ctypes.c_float, ctypes.c_float]
            _FLOAT_FNS.append((lf, pf))
        except (OSError, AttributeError):
            _FLOAT_FNS.append(None)
    return _FLOAT_FNS[0]


def _libmf(i, *args):
    args = np.broadcast_arrays(*[np.asarray(a, _f32) for a in args])
    vals = map(_float_fns()[i], *[a.ravel().tolist() for a in args])
    return np.fromiter(vals, _f32, args[0].size).reshape(args[0].shape)


def _log(x, S=_f64):
    """log of an S-typed value: libm log in double, logf in float32."""
    if S is _f32 and _float_fns():
        return _libmf(0, x)
    return _libm(math.log, np.log, x).astype(S)


def _pow(x, y, S=_f64):
    if S is _f32 and _float_fns():
        return _libmf(1, x, y)
    return _libm(math.pow, np.power, x, y).astype(S)


def _exp(x):
    return _libm(math.exp, np.exp, x)


_PSI_10 = 2.25175258906672110764
_DIGAMMA_A = (8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
              -4.16666666666666666667E-3, 3.96825396825396825397E-3, -8.33333333333333333333E-3,
              8.33333333333333333333E-2)


def _digamma(x, S=_f64):
    """ATen's digamma_one<S, double>: x stays in S (recurrence, x*x, logf), sums in double."""
    x = np.asarray(x, S).copy()
    with np.errstate(all='ignore'):
        pole = (x == 0) | ((x < 0) & (x == np.floor(x)))
        neg = x < 0
        add = np.zeros(x.shape)
        if neg.any():
            pi = S(math.pi)
            add[neg] = (-pi / _libm(math.tan, np.tan, (pi * x[neg]).astype(S)).astype(S)).astype(_f64)
            x[neg] = S(1) - x[neg]
        res = np.zeros(x.shape)
        for _ in range(10):           # x >= 1e-45 reaches 10 in at most ten steps
            m = x < 10
            if not m.any():
                break
            res[m] -= (S(1) / x[m]).astype(_f64)
            x[m] += S(1)
        z = S(1) / (x * x) if S is _f64 else 1.0 / (x * x).astype(_f64)
        poly = np.full(x.shape, _DIGAMMA_A[0])
        for a in _DIGAMMA_A[1:]:
            poly = poly * z + a
        y = np.where(x < float(_f32(1e17)), z * poly, 0.0)
        out = res + _log(x, S).astype(_f64) - (S(0.5) / x).astype(_f64) - y + add
        out = np.where(x == 10, res + _PSI_10 + add, out)
        return np.where(pole, np.inf, out).astype(S)


_F08, _F09, _F11 = (float(_f32(v)) for v in (0.8, 0.9, 1.1))
_COEF_UV = np.array([
    [0.16009398, -0.094634809, 0.025146376, -0.0030648343, 1, 0.32668115, 0.10406089, 0.0014179084],
    [0.53487893, 0.1298071, 0.065735949, -0.0015649758, 0.16639465, 0.020070113, -0.0035938915, -0.00058392623],
    [0.040121004, -0.0065914022, -0.0026286047, -0.0013441777, 0.017050642, -0.0021309326, 0.00085092367,
     -1.5247877e-07]])


def _gamma_small_x(a, x):
    """Taylor series in x of -(d cdf / d alpha) / pdf."""
    numer, denom = np.ones_like(x), a.copy()
    s1, s2 = numer / denom, numer / (denom * denom)
    for i in range(1, 6):
        numer = numer * (-x / i)
        denom = denom + 1
        s1 = s1 + numer / denom
        s2 = s2 + numer / (denom * denom)
    pxa = _pow(x, a)
    pdf = _pow(x, a - 1) * _exp(-x)
    dcdf = (_log(x) - _digamma(a)) * (pxa * s1) - pxa * s2
    r = -dcdf / pdf
    return np.where(np.isnan(r), 0.0, r)


def _gamma_large_alpha(a, x):
    """Rice saddle-point expansion; a polynomial near the mode where the expansion is singular."""
    near = (_F09 * a <= x) & (x <= _F11 * a)
    n1 = 1 + 24 * a * (1 + 12 * a)
    n2 = 1440 * (a * a) + 6 * x * (53 - 120 * x) - 65 * x * x / a + a * (107 + 3600 * x)
    poly = n1 * n2 / (1244160 * (a * a) * (a * a))
    denom = np.sqrt(8 * a)
    lr = _log(x / a)
    t2 = denom / (a - x)
    t3 = _pow(x - a - a * lr, -1.5)
    t1 = lr * np.where(x < a, t2 - t3, t2 + t3) - np.sqrt(2 / a) * (a + x) / ((a - x) * (a - x))
    stirling = 1 + 1 / (12 * a) * (1 + 1 / (24 * a))
    return np.where(near, poly, -stirling * (x * t1) / denom)


def _gamma_rational(a, x):
    """Bivariate rational approximation in u = log(x/alpha), v = log(alpha)."""
    u, v = _log(x / a)[..., None], _log(a)[..., None]
    c = _COEF_UV[0] + u * (_COEF_UV[1] + u * _COEF_UV[2])
    p = c[..., 0] + v[..., 0] * (c[..., 1] + v[..., 0] * (c[..., 2] + v[..., 0] * c[..., 3]))
    q = c[..., 4] + v[..., 0] * (c[..., 5] + v[..., 0] * (c[..., 6] + v[..., 0] * c[..., 7]))
    return _exp(p / q)


def _by_branch(branches, shape, *args):
    """Evaluate each (mask, fn) branch only where it applies (first matching branch wins)."""
    out = np.zeros(shape)
    left = np.ones(shape, bool)
    with np.errstate(all='ignore'):
        for mask, fn in branches:
            m = left & mask
            if m.any():
                out[m] = fn(*(v[m] for v in args))
            left &= ~m
    return out


def standard_gamma_grad(alpha, x):
    """d x / d alpha for x ~ Gamma(alpha, 1), arrays of one float dtype; result in that dtype."""
    dt = np.result_type(alpha, x)
    a, x = np.broadcast_arrays(np.asarray(alpha, _f64), np.asarray(x, _f64))
    out = _by_branch([(x < _F08, _gamma_small_x), (a > 8.0, _gamma_large_alpha),
                      (np.ones(a.shape, bool), _gamma_rational)], a.shape, a, x)
    return out.astype(dt)


# -- Dirichlet / Beta ----------------------------------------------------------------------------

def _beta_alpha_small(x, a, b, S):
    """Taylor expansion for x near 0 (all in S, as torch's scalar_t)."""
    one = S(1)
    factor = _digamma(a, S) - _digamma(a + b, S) - _log(x, S)
    numer = np.ones_like(x)
    series = numer / a * (factor + one / a)
    for i in range(1, 11):
        ci = S(i)
        numer = numer * ((ci - b) * x / ci)
        den = a + ci
        series = series + numer / den * (factor + one / den)
    r = x * _pow(one - x, -b, S) * series
    return np.where(np.isnan(r), S(0), r)


def _beta_beta_small(x, a, b, S):
    factor = _digamma(a + b, S) - _digamma(b, S)
    numer, betas, dbetas, series = np.ones_like(x), np.ones_like(x), np.zeros_like(x), factor / a
    for i in range(1, 9):
        ci = S(i)
        numer = numer * (-x / ci)
        dbetas = dbetas * (b - ci) + betas
        betas = betas * (b - ci)
        series = series + numer / (a + ci) * (dbetas + factor * betas)
    r = -_pow(S(1) - x, S(1) - b, S) * series
    return np.where(np.isnan(r), S(0), r)


def _beta_alpha_mid(x, a, b):
    """Rice saddle-point expansion for large alpha and beta (double)."""
    t = a + b
    mean = a / t
    std = np.sqrt(a * b / (t + 1)) / t
    near = (mean - 0.1 * std <= x) & (x <= mean + 0.1 * std)
    bb = b * b
    poly = 47 * x * bb * bb + a * ((43 + 20 * (16 + 27 * b) * x) * bb * b + a * (
        3 * (59 + 180 * b - 90 * x) * bb + a * ((453 + 1620 * b * (1 - x) - 455 * x) * b + a * (
            8 * (1 - x) * (135 * b - 11)))))
    pnum = (1 + 12 * a) * (1 + 12 * b) / (t * t)
    pden = 12960 * a * a * a * b * b * (1 + 12 * t)
    at_mean = pnum / (1 - x) * poly / pden
    prefactor = -x / np.sqrt(2 * a * b / t)
    stirling = ((1 + 1 / (12 * a) + 1 / (288 * a * a)) * (1 + 1 / (12 * b) + 1 / (288 * b * b))
                / (1 + 1 / (12 * t) + 1 / (288 * t * t)))
    axbx = a * (x - 1) + b * x
    t1 = ((2 * (a * a) * (x - 1) + a * b * (x - 1) - x * bb)
          / (np.sqrt(2 * a / b) * _pow(t, 1.5) * axbx * axbx))
    la = _log(a / (t * x))
    t2 = 0.5 * la
    t3 = np.sqrt(8 * a * b / t) / (b * x + a * (x - 1))
    t4 = _pow(b * _log(b / (t * (1 - x))) + a * la, -1.5)
    far = stirling * prefactor * (t1 + t2 * (t3 + np.where(x < mean, t4, -t4)))
    return np.where(near, at_mean, far)


_DIR_C = np.array([
    [[[1.003668233, -0.01061107488, -0.0657888334, 0.01201642863],
      [0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033],
      [-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013]],
     [[0.221950385, -0.3187676331, 0.01799915743, 0.01074823814],
      [-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057],
      [0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05]],
     [[-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565],
      [0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181],
      [0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05]]],
    [[[1, -0.02924021934, -0.04438342661, 0.007285809825],
      [0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521],
      [-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149]],
     [[0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273],
      [0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956],
      [-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05]],
     [[0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05],
      [0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05],
      [-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06]]]])


def _beta_rational(x, a, t, S):
    """A rational correction to an analytic approximation (double; digammas in S)."""
    x_, a_, t_ = (v.astype(_f64) for v in (x, a, t))
    u = _log(x_)
    aa = _log(a_) - u
    b = _log(t_) - aa
    pu, pa = (np.ones_like(u), u, u * u), (np.ones_like(u), aa, aa * aa)
    p = q = 0.0
    for i in range(3):
        for j in range(3):
            ua = pu[i] * pa[j]
            cp, cq = _DIR_C[0, i, j], _DIR_C[1, i, j]
            p = p + ua * (cp[0] + b * (cp[1] + b * (cp[2] + b * cp[3])))
            q = q + ua * (cq[0] + b * (cq[1] + b * (cq[2] + b * cq[3])))
    approx = x_ * (_digamma(t, S) - _digamma(a, S)).astype(_f64) / (t_ - a_)
    return p / q * approx


def dirichlet_grad(x, alpha, total):
    """torch._dirichlet_grad on arrays of one float dtype: the scaled reparameterised gradient
    -(d cdf / d alpha) / pdf / (1 - x) of x ~ Beta(alpha, total - alpha)."""
    S = np.result_type(x, alpha, total).type
    x, a, t = (v.astype(S) for v in np.broadcast_arrays(*(np.asarray(v, S) for v in (x, alpha, total))))
    with np.errstate(all='ignore'):
        b = t - a
        boundary = t * x * (S(1) - x)
    branches = [((x <= 0.5) & (boundary < S(2.5)), lambda x, a, t, b: _beta_alpha_small(x, a, b, S)),
                ((x >= 0.5) & (boundary < S(0.75)), lambda x, a, t, b: -_beta_beta_small(S(1) - x, b, a, S)),
                ((a > 6) & (b > 6), lambda x, a, t, b: _beta_alpha_mid(x.astype(_f64), a.astype(_f64),
                                                                      t.astype(_f64) - a.astype(_f64))),
                (np.ones(x.shape, bool), lambda x, a, t, b: _beta_rational(x, a, t, S))]
    return _by_branch(branches, x.shape, x, a, t, b).astype(S)
