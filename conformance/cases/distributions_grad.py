"""torch.distributions: reparameterised gradients through gamma sampling (``_standard_gamma``'s
derivative, ``_standard_gamma_grad``, ``_dirichlet_grad``) for Gamma, Beta, Dirichlet, Chi2,
StudentT, FisherSnedecor and InverseGamma; and the Wishart and LKJCholesky distributions
(seeded samples, log_prob with gradients, entropy, moments, expand, reprs, errors)."""
import warnings

from conformance import case, check
from conformance.cases.distributions import D

_DTYPES = ('float32', 'float64')


def _p(torch, dtype, *vals):
    return torch.tensor(list(vals), dtype=getattr(torch, dtype), requires_grad=True)


# name -> make(torch, dtype) -> (distribution, [leaf parameters])
_RSAMPLE = {
    'Gamma': lambda t, dt: (lambda c, r: (D(t).Gamma(c, r), [c, r]))(_p(t, dt, 0.05, 0.7, 3., 12., 90.),
                                                                    _p(t, dt, 1., 2., .5, 1.5, 3.)),
    'Beta': lambda t, dt: (lambda a, b: (D(t).Beta(a, b), [a, b]))(_p(t, dt, 0.05, 0.7, 3., 12., 90.),
                                                                   _p(t, dt, 2., 0.3, 9., 15., 1.)),
    'Dirichlet': lambda t, dt: (lambda c: (D(t).Dirichlet(c), [c]))(_p(t, dt, 0.2, 1.5, 7., 30.)),
    'Chi2': lambda t, dt: (lambda df: (D(t).Chi2(df), [df]))(_p(t, dt, 0.3, 2., 7., 40.)),
    'StudentT': lambda t, dt: (lambda df, a, s: (D(t).StudentT(df, a, s), [df, a, s]))(
        _p(t, dt, 0.8, 3., 20.), _p(t, dt, 0., 1., -2.), _p(t, dt, 1., .5, 2.)),
    'FisherSnedecor': lambda t, dt: (lambda a, b: (D(t).FisherSnedecor(a, b), [a, b]))(
        _p(t, dt, 1., 3., 7.), _p(t, dt, 2.5, 5., 9.)),
    'InverseGamma': lambda t, dt: (lambda a, r: (D(t).InverseGamma(a, r), [a, r]))(
        _p(t, dt, 0.5, 2., 7.), _p(t, dt, 1., .5, 2.)),
}
# samples and concentration gradients are bit-exact; these chain float32 div/pow/rsqrt/log
# backward formulas on top (Gamma: the rate's), which in faketorch may differ from torch by an ulp
_LOOSE = {'Gamma', 'StudentT', 'FisherSnedecor', 'InverseGamma'}


def _rsample_grad(make, dtype):
    def run(torch):
        dist, params = make(torch, dtype)
        torch.manual_seed(11)
        x = dist.rsample((4,))
        (x * torch.linspace(-1, 2, x.shape[-1], dtype=x.dtype)).sum().backward()
        return x, [p.grad for p in params], type(x.grad_fn).__name__
    return run


for _name, _make in _RSAMPLE.items():
    for _dt in _DTYPES:
        check(f'distributions.{_name}.rsample', _rsample_grad(_make, _dt), name=f'concentration_grad_{_dt}',
              exact=_name not in _LOOSE)


def _geom(torch, lo, hi, n, dtype):
    # the grid is built in Python so both libraries get the same inputs (logspace may differ by an ulp)
    return torch.tensor([10 ** (lo + (hi - lo) * i / (n - 1)) for i in range(n)], dtype=getattr(torch, dtype))


def _grid(torch, dtype):
    a, x = _geom(torch, -3, 2.5, 45, dtype), _geom(torch, -6, 2.7, 50, dtype)
    return a[:, None].expand(45, 50), x[None, :].expand(45, 50)


for _dt in _DTYPES:
    check('torch._standard_gamma_grad', lambda torch, dt=_dt: torch._standard_gamma_grad(*_grid(torch, dt)),
          name=f'grid_{_dt}', exact=True)

    @case('torch._dirichlet_grad', name=f'grid_{_dt}', exact=True)
    def dirichlet_grad_grid(torch, dt=_dt):
        x = torch.tensor([0.001 + 0.998 * i / 39 for i in range(40)], dtype=getattr(torch, dt))
        a, b = _geom(torch, -1.5, 1.7, 25, dt), _geom(torch, -1, 2, 25, dt)
        x, a, b = x[:, None, None], a[None, :, None], b[None, None, :]
        return torch._dirichlet_grad(x.expand(40, 25, 25), a.expand(40, 25, 25), (a + b).expand(40, 25, 25))


@case('torch._standard_gamma_grad', name='edges')
def standard_gamma_grad_edges(torch):
    a = torch.tensor([1e-30, 0.5, 1., 8., 8.5, 50., 50., 50., 3., 0.2], dtype=torch.float64)
    x = torch.tensor([0., 0.79, 0.8, 8., 8.5, 45., 50., 56., 1e4, 1e-300], dtype=torch.float64)
    return torch._standard_gamma_grad(a, x), torch._standard_gamma_grad(a.float(), x.float())


@case('torch._standard_gamma', name='derivative')
def standard_gamma_derivative(torch):
    a = torch.tensor([0.3, 2., 9.], requires_grad=True)
    torch.manual_seed(3)
    x = torch._standard_gamma(a)
    g, = torch.autograd.grad(x, a, torch.tensor([1., -2., 0.5]), create_graph=True)
    try:
        g.sum().backward()
        err = None
    except NotImplementedError as e:
        err = str(e)
    gen = torch.Generator().manual_seed(5)
    return x, g, type(x.grad_fn).__name__, err, torch._standard_gamma(torch.ones(3, dtype=torch.float64), generator=gen)


@case('torch._standard_gamma_grad', name='errors')
def gamma_grad_errors(torch):
    out = []
    for fn in (lambda: torch._standard_gamma_grad(torch.ones(2), torch.ones(2, dtype=torch.float64)),
               lambda: torch._standard_gamma_grad(torch.ones(2), torch.ones(3)),
               lambda: torch._standard_gamma_grad(torch.ones(2, dtype=torch.int64), torch.ones(2, dtype=torch.int64)),
               lambda: torch._dirichlet_grad(torch.ones(2, dtype=torch.float64), torch.ones(2), torch.ones(2)),
               lambda: torch._dirichlet_grad(torch.ones(2), torch.ones(2), torch.ones(3)),
               lambda: torch._standard_gamma(torch.ones(2, dtype=torch.int64)),
               lambda: torch._dirichlet_grad(torch.full((2,), .3), torch.ones(2, requires_grad=True),
                                             torch.full((2,), 2.)).sum().backward()):
        try:
            fn()
            out.append(None)
        except Exception as e:
            out.append((type(e).__name__, str(e)))
    return out


# -- Wishart ---------------------------------------------------------------------------------

def _cov(torch, dtype=None):
    return torch.tensor([[2., .5, .1], [.5, 1., -.3], [.1, -.3, 1.5]], dtype=dtype)


def _wisharts(torch):
    d = D(torch)
    cov = _cov(torch)
    L = torch.linalg.cholesky(cov)
    return [d.Wishart(torch.tensor(5.), covariance_matrix=cov),
            d.Wishart(4.5, scale_tril=L),
            d.Wishart(torch.tensor([3.5, 8.]), precision_matrix=torch.linalg.inv(cov)),
            d.Wishart(torch.tensor(6., dtype=torch.float64), covariance_matrix=_cov(torch, torch.float64))]


# torch's float32 sqrt (SLEEF on AVX-512) is not always correctly rounded, faketorch's is: the
# samples are compared to tolerance, and the generator's position after them exactly
def _wishart_draws(torch):
    torch.manual_seed(21)
    out = []
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        for dist in _wisharts(torch):
            out.append((dist.sample(), dist.sample((2,)), dist.rsample((2, 1), max_try_correction=1)))
    return out, sorted({str(x.message) for x in w})


check('distributions.Wishart.sample', _wishart_draws, name='seeded')
check('distributions.Wishart.sample', lambda torch: (_wishart_draws(torch), torch.randn(3))[1],
      name='stream_position', exact=True)


@case('distributions.Wishart.log_prob', name='values_and_grads')
def wishart_log_prob(torch):
    out = []
    for kind in ('covariance_matrix', 'scale_tril', 'precision_matrix'):
        cov = _cov(torch)
        param = {'covariance_matrix': cov, 'scale_tril': torch.linalg.cholesky(cov),
                 'precision_matrix': torch.linalg.inv(cov)}[kind].requires_grad_()
        df = torch.tensor([4., 7.5], requires_grad=True)
        dist = D(torch).Wishart(df, **{kind: param})
        value = (torch.eye(3) * 2 + 0.3).expand(2, 3, 3).clone().requires_grad_()
        lp = dist.log_prob(value)
        ent = dist.entropy()
        (lp.sum() + ent.sum()).backward()
        out.append((lp, ent, dist.mean, dist.mode, dist.variance, dist.covariance_matrix, dist.precision_matrix,
                    dist.scale_tril, df.grad, param.grad, value.grad, dist.batch_shape, dist.event_shape))
    return out


@case('distributions.Wishart.rsample', name='bartlett_grads')
def wishart_bartlett_grad(torch):
    # rsample itself cannot be differentiated in torch: its singular-sample loop (which, by a torch
    # slip, redraws every positive-definite sample) edits a mask saved by index_put in place
    L = torch.linalg.cholesky(_cov(torch)).requires_grad_()
    df = torch.tensor([6., 9.], requires_grad=True)
    torch.manual_seed(4)
    x = D(torch).Wishart(df, scale_tril=L)._bartlett_sampling(torch.Size((3,)))
    (x * torch.arange(9.).view(3, 3)).sum().backward()
    return x, df.grad, L.grad


@case('distributions.Wishart.__init__', name='reprs_errors_expand')
def wishart_misc(torch):
    d = D(torch)
    out = [repr(w) for w in _wisharts(torch)]
    w = d.Wishart(torch.tensor(5.), covariance_matrix=_cov(torch))
    e = w.expand((2,))
    out += [repr(e), e.batch_shape, e.df, e.covariance_matrix, e.entropy(), repr(w.support),
            {k: repr(v) for k, v in w.arg_constraints.items()}, w._natural_params, w.has_rsample]
    for fn in (lambda: d.Wishart(5.), lambda: d.Wishart(5., covariance_matrix=torch.eye(3), scale_tril=torch.eye(3)),
               lambda: d.Wishart(5., covariance_matrix=torch.ones(3)),
               lambda: d.Wishart(torch.tensor([1., 5.]), covariance_matrix=torch.eye(3)),
               lambda: d.Wishart(5., covariance_matrix=-torch.eye(3), validate_args=True),
               lambda: d.Wishart(5., scale_tril=torch.eye(3), validate_args=True).log_prob(-torch.eye(3))):
        try:
            with warnings.catch_warnings(record=True) as ws:
                warnings.simplefilter('always')
                fn()
            out.append(('ok', [str(x.message) for x in ws]))
        except Exception as ex:
            out.append((type(ex).__name__, str(ex)))
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter('always')
        d.Wishart(torch.tensor(2.5), covariance_matrix=torch.eye(3))
    out.append([str(x.message) for x in ws])
    return out


# -- LKJCholesky -----------------------------------------------------------------------------

def _lkj_draws(torch):
    d = D(torch)
    torch.manual_seed(8)
    return (d.LKJCholesky(2).sample(), d.LKJCholesky(3, 0.5).sample((2,)),
            d.LKJCholesky(4, torch.tensor([0.3, 2., 10.])).sample(),
            d.LKJCholesky(3, torch.tensor(1.5, dtype=torch.float64)).sample((2,)),
            d.LKJCholesky(3, 2.).expand((2,)).sample())


check('distributions.LKJCholesky.sample', _lkj_draws, name='seeded')
check('distributions.LKJCholesky.sample', lambda torch: (_lkj_draws(torch), torch.randn(3))[1],
      name='stream_position', exact=True)


@case('distributions.LKJCholesky.log_prob', name='values_and_grads')
def lkj_log_prob(torch):
    d = D(torch)
    eta = torch.tensor([0.5, 1., 3.], requires_grad=True)
    dist = d.LKJCholesky(3, eta)
    torch.manual_seed(2)
    value = d.LKJCholesky(3, 1.).sample((2, 3)).requires_grad_()
    lp = dist.log_prob(value)
    lp.sum().backward()
    lp64 = d.LKJCholesky(4, torch.tensor(2., dtype=torch.float64)).log_prob(torch.eye(4, dtype=torch.float64))
    return lp, eta.grad, value.grad, lp64, dist.batch_shape, dist.event_shape


@case('distributions.LKJCholesky.__init__', name='reprs_errors_expand')
def lkj_misc(torch):
    d = D(torch)
    out = [repr(d.LKJCholesky(3, 0.5)), repr(d.LKJCholesky(2)), repr(d.LKJCholesky(3, torch.tensor([0.5, 2.]))),
           repr(d.LKJCholesky(3).support), d.LKJCholesky(3).has_rsample]
    e = d.LKJCholesky(3, torch.tensor(0.5)).expand((2, 2))
    out += [repr(e), e.batch_shape, e.concentration, e._beta.batch_shape]
    for fn in (lambda: d.LKJCholesky(1), lambda: d.LKJCholesky(3, -1., validate_args=True),
               lambda: d.LKJCholesky(3, validate_args=True).log_prob(torch.ones(3, 3)),
               lambda: d.LKJCholesky(3).rsample()):
        try:
            fn()
            out.append('ok')
        except Exception as ex:
            out.append((type(ex).__name__, str(ex)))
    return out
