"""torch.distributions beyond the core set: transforms, TransformedDistribution, biject_to /
transform_to, and the distributions built on them (Laplace, Cauchy, Exponential, LogNormal, ...).
Per distribution: seeded sample/rsample streams, log_prob/cdf/icdf/entropy/moments with
gradients, reprs, shapes, expand and validation errors; plus their kl_divergence pairs."""
import math

from conformance import case, check
from conformance.cases.distributions import D


def _p(torch, *vals, dtype=None):
    return torch.tensor(list(vals), requires_grad=True, dtype=dtype)


# name -> (make(torch) -> (distribution, [parameters]), log_prob values(torch), methods to call)
# The parameters are leaf tensors; gradients of log_prob (and entropy) flow back to them.
_ALL = ('mean', 'variance', 'stddev', 'mode', 'entropy')
_SPECS = {
    'Laplace': (lambda t: (lambda a, b: (D(t).Laplace(a, b), [a, b]))(_p(t, 0.5, -1., 2.), _p(t, 1., .5, 2.)),
                lambda t: t.tensor([[0., 1., 2.], [-3., 0.5, 2.5]]), _ALL + ('cdf', 'icdf')),
    'Cauchy': (lambda t: (lambda a, b: (D(t).Cauchy(a, b), [a, b]))(_p(t, 0.5, -1., 2.), _p(t, 1., .5, 2.)),
               lambda t: t.tensor([[0., 1., 2.], [-3., 0.5, 2.5]]), ('mean', 'variance', 'mode', 'entropy', 'cdf', 'icdf')),
    'Exponential': (lambda t: (lambda r: (D(t).Exponential(r), [r]))(_p(t, 0.5, 1., 3.)),
                    lambda t: t.tensor([[0., 1., 2.], [3., 0.5, 0.1]]), _ALL + ('cdf', 'icdf')),
    'LogNormal': (lambda t: (lambda a, b: (D(t).LogNormal(a, b), [a, b]))(_p(t, 0.5, -1., 0.), _p(t, 1., .5, .25)),
                  lambda t: t.tensor([[0.2, 1., 2.], [3., 0.5, 1.1]]), _ALL + ('cdf', 'icdf')),
    'HalfNormal': (lambda t: (lambda s: (D(t).HalfNormal(s), [s]))(_p(t, 1., .5, 2.)),
                   lambda t: t.tensor([[0., 1., 2.], [3., 0.5, 0.1]]), _ALL + ('cdf', 'icdf')),
    'HalfCauchy': (lambda t: (lambda s: (D(t).HalfCauchy(s), [s]))(_p(t, 1., .5, 2.)),
                   lambda t: t.tensor([[0., 1., 2.], [3., 0.5, 0.1]]), _ALL + ('cdf', 'icdf')),
    'Gumbel': (lambda t: (lambda a, b: (D(t).Gumbel(a, b), [a, b]))(_p(t, 0.5, -1., 2.), _p(t, 1., .5, 2.)),
               lambda t: t.tensor([[0., 1., 2.], [-3., 0.5, 2.5]]), _ALL + ('cdf', 'icdf')),
    'Weibull': (lambda t: (lambda s, k: (D(t).Weibull(s, k), [s, k]))(_p(t, 1., .5, 2.), _p(t, 0.7, 1.5, 3.)),
                lambda t: t.tensor([[0.2, 1., 2.], [3., 0.5, 1.1]]), _ALL + ('cdf', 'icdf')),
    'Pareto': (lambda t: (lambda s, a: (D(t).Pareto(s, a), [s, a]))(_p(t, 1., .5, 2.), _p(t, 0.7, 2.5, 3.)),
               lambda t: t.tensor([[1.2, 1., 2.], [3., 0.5, 2.1]]), _ALL + ('cdf', 'icdf')),
    'Poisson': (lambda t: (lambda r: (D(t).Poisson(r), [r]))(_p(t, 0.5, 1., 30.)),
                lambda t: t.tensor([[0., 1., 2.], [3., 0., 25.]]), ('mean', 'variance', 'stddev', 'mode')),
    'Geometric': (lambda t: (lambda p: (D(t).Geometric(p), [p]))(_p(t, 0.2, 0.5, 1.)),
                  lambda t: t.tensor([[0., 1., 0.], [3., 0., 0.]]), ('mean', 'variance', 'stddev', 'mode', 'entropy')),
    'StudentT': (lambda t: (lambda df, a, b: (D(t).StudentT(df, a, b), [a, b]))(
                     t.tensor([0.8, 1.5, 5.]), _p(t, 0.5, -1., 2.), _p(t, 1., .5, 2.)),
                 lambda t: t.tensor([[0., 1., 2.], [-3., 0.5, 2.5]]), _ALL),
    'Chi2': (lambda t: (lambda df: (D(t).Chi2(df), [df]))(_p(t, 0.5, 2., 7.)),
             lambda t: t.tensor([[0.2, 1., 2.], [3., 0.5, 9.]]), ('mean', 'variance', 'stddev', 'mode', 'entropy', 'cdf')),
    'NegativeBinomial': (lambda t: (lambda n, p: (D(t).NegativeBinomial(n, p), [n, p]))(_p(t, 3., 0.5, 10.),
                                                                                      _p(t, 0.2, 0.5, 0.9)),
                         lambda t: t.tensor([[0., 1., 2.], [3., 0., 25.]]), ('mean', 'variance', 'stddev', 'mode')),
    'FisherSnedecor': (lambda t: (lambda a, b: (D(t).FisherSnedecor(a, b), [a, b]))(_p(t, 1., 3., 7.), _p(t, 2.5, 5., 9.)),
                       lambda t: t.tensor([[0.2, 1., 2.], [3., 0.5, 9.]]), ('mean', 'variance', 'mode')),
    'InverseGamma': (lambda t: (lambda a, r: (D(t).InverseGamma(a, r), [a, r]))(_p(t, 0.5, 2., 7.), _p(t, 1., .5, 2.)),
                     lambda t: t.tensor([[0.2, 1., 2.], [3., 0.5, 9.]]), _ALL),
    'Kumaraswamy': (lambda t: (lambda a, b: (D(t).Kumaraswamy(a, b), [a, b]))(_p(t, 0.5, 2., 7.), _p(t, 1.5, .5, 2.)),
                    lambda t: t.tensor([[0.2, 0.7, 0.5], [0.9, 0.5, 0.01]]), _ALL + ('cdf', 'icdf')),
    'ContinuousBernoulli': (lambda t: (lambda p: (D(t).ContinuousBernoulli(p), [p]))(_p(t, 0.2, 0.5, 0.9)),
                            lambda t: t.tensor([[0.2, 0.7, 0.5], [0.9, 0.5, 0.01]]),
                            ('mean', 'variance', 'stddev', 'entropy', 'cdf', 'icdf')),
    'GeneralizedPareto': (lambda t: (lambda a, b, c: (D(t).GeneralizedPareto(a, b, c), [a, b, c]))(
                              _p(t, 0., 1., -1.), _p(t, 1., .5, 2.), _p(t, 0.3, 0., 0.2)),
                          lambda t: t.tensor([[0.2, 1.7, 0.5], [3., 1.5, 0.01]]),
                          ('mean', 'variance', 'stddev', 'mode', 'entropy', 'cdf', 'icdf')),
    'RelaxedBernoulli': (lambda t: (lambda p: (D(t).RelaxedBernoulli(t.tensor(0.5), p), [p]))(_p(t, 0.2, 0.5, 0.9)),
                         lambda t: t.tensor([[0.2, 0.7, 0.5], [0.9, 0.5, 0.01]]), ()),
    'RelaxedOneHotCategorical': (
        lambda t: (lambda lg: (D(t).RelaxedOneHotCategorical(t.tensor(0.7), logits=lg), [lg]))(_p(t, 0.1, -0.5, 1.)),
        lambda t: t.tensor([[0.2, 0.3, 0.5], [0.9, 0.05, 0.05]]), ()),
    'LogisticNormal': (lambda t: (lambda a, b: (D(t).LogisticNormal(a, b), [a, b]))(_p(t, 0.5, -1.), _p(t, 1., .5)),
                       lambda t: t.tensor([[0.2, 0.3, 0.5], [0.9, 0.05, 0.05]]), ()),
}


def _value(torch, v):
    # leaf copy so that value gradients (e.g. through inverse transforms) are compared too
    return v.clone().requires_grad_()


def _analyse(name):
    make, values, methods = _SPECS[name]

    def run(torch):
        dist, params = make(torch)
        v = _value(torch, values(torch))
        out = {'log_prob': dist.log_prob(v)}
        total = out['log_prob'].sum()
        for m in methods:
            if m == 'cdf':
                out[m] = dist.cdf(values(torch)[0])
            elif m == 'icdf':
                out[m] = dist.icdf(torch.tensor([0.05, 0.5, 0.9]))
            elif m == 'entropy':
                out[m] = dist.entropy()
                total = total + out[m].sum()
            else:
                out[m] = getattr(dist, m)
        total.backward()
        return (out, [p.grad for p in params], v.grad, repr(dist), repr(dist.support), dist.batch_shape,
                dist.event_shape, dist.has_rsample)
    return run


for _name in _SPECS:
    check(f'distributions.{_name}.log_prob', _analyse(_name), name='values_and_grads')


# -- seeded streams --------------------------------------------------------------------------

def _stream(make):
    def run(torch):
        torch.manual_seed(1234)
        return make(torch, D(torch))
    return run


_STREAMS = {
    'Laplace': lambda t, d: (d.Laplace(0., 1.).sample((5,)), d.Laplace(t.tensor([0., 2.]), t.tensor([1., .5])).sample((2, 3)),
                             d.Laplace(t.zeros(3, dtype=t.float64), 2.).rsample((4,))),
    'Cauchy': lambda t, d: (d.Cauchy(0., 1.).sample((5,)), d.Cauchy(t.tensor([0., 2.]), t.tensor([1., .5])).sample((2, 3)),
                            d.Cauchy(t.zeros(3, dtype=t.float64), 2.).rsample((4,)), d.Cauchy(t.zeros(20), 1.).sample()),
    'Exponential': lambda t, d: (d.Exponential(1.).sample((5,)), d.Exponential(t.tensor([0.5, 2.])).sample((2, 3)),
                                 d.Exponential(t.ones(3, dtype=t.float64)).rsample((4,)),
                                 d.Exponential(t.ones(20)).sample()),
    'LogNormal': lambda t, d: (d.LogNormal(0., 1.).sample((5,)), d.LogNormal(t.tensor([0., 2.]), .5).rsample((2, 3)),
                               d.LogNormal(t.zeros(20), 1.).sample()),
    'HalfNormal': lambda t, d: (d.HalfNormal(1.).sample((5,)), d.HalfNormal(t.tensor([0.5, 2.])).rsample((2, 3))),
    'HalfCauchy': lambda t, d: (d.HalfCauchy(1.).sample((5,)), d.HalfCauchy(t.tensor([0.5, 2.])).rsample((2, 3))),
    'Gumbel': lambda t, d: (d.Gumbel(0., 1.).sample((5,)), d.Gumbel(t.tensor([0., 2.]), t.tensor([1., .5])).sample((2, 3)),
                            d.Gumbel(t.zeros(3, dtype=t.float64), 2.).rsample((4,))),
    'Weibull': lambda t, d: (d.Weibull(1., 2.).sample((5,)), d.Weibull(t.tensor([1., 2.]), t.tensor([0.5, 3.])).sample((2, 3))),
    'Pareto': lambda t, d: (d.Pareto(1., 2.).sample((5,)), d.Pareto(t.tensor([1., 2.]), t.tensor([0.5, 3.])).rsample((2, 3))),
    'Poisson': lambda t, d: (d.Poisson(t.tensor([0.5, 4., 50.])).sample((4,)), d.Poisson(3.).sample((5,)),
                             d.Poisson(t.tensor([2.], dtype=t.float64)).sample((3,))),
    'Geometric': lambda t, d: (d.Geometric(t.tensor([0.1, 0.5, 0.9])).sample((4,)), d.Geometric(0.3).sample((5,)),
                               d.Geometric(logits=t.tensor([0., 1.])).sample()),
    'StudentT': lambda t, d: (d.StudentT(t.tensor([1., 3., 10.])).sample((3,)), d.StudentT(4., 1., 2.).rsample((4,))),
    'Chi2': lambda t, d: (d.Chi2(t.tensor([0.5, 3.])).sample((3,)), d.Chi2(4.).rsample((4,))),
    'NegativeBinomial': lambda t, d: (d.NegativeBinomial(t.tensor([1., 5.]), t.tensor([0.3, 0.8])).sample((3,)),
                                      d.NegativeBinomial(3., logits=t.tensor(0.5)).sample((4,))),
    'FisherSnedecor': lambda t, d: (d.FisherSnedecor(t.tensor([1., 5.]), t.tensor([3., 8.])).sample((3,)),
                                    d.FisherSnedecor(2., 3.).rsample((2,))),
    'InverseGamma': lambda t, d: (d.InverseGamma(t.tensor([1., 5.]), t.tensor([3., 8.])).sample((3,)),),
    'Kumaraswamy': lambda t, d: (d.Kumaraswamy(t.tensor([1., 5.]), t.tensor([3., 0.5])).sample((3,)),
                                 d.Kumaraswamy(2., 3.).rsample((4,))),
    'ContinuousBernoulli': lambda t, d: (d.ContinuousBernoulli(t.tensor([0.2, 0.5, 0.9])).sample((3,)),
                                         d.ContinuousBernoulli(logits=t.tensor([1., -2.])).rsample((2,))),
    'GeneralizedPareto': lambda t, d: (d.GeneralizedPareto(0., 1., t.tensor([0.3, 0., -0.2])).sample((3,)),
                                       d.GeneralizedPareto(1., 2., 0.5).rsample((4,))),
    'RelaxedBernoulli': lambda t, d: (d.RelaxedBernoulli(t.tensor(0.5), t.tensor([0.2, 0.7])).sample((3,)),
                                      d.RelaxedBernoulli(t.tensor([0.1, 2.]), logits=t.tensor([1., -1.])).rsample()),
    'RelaxedOneHotCategorical': lambda t, d: (
        d.RelaxedOneHotCategorical(t.tensor(0.5), t.tensor([0.2, 0.3, 0.5])).sample((3,)),
        d.RelaxedOneHotCategorical(t.tensor(2.), logits=t.zeros(2, 4)).rsample()),
    'LogisticNormal': lambda t, d: (d.LogisticNormal(t.zeros(3), t.ones(3)).sample((2,)),
                                    d.LogisticNormal(0., 1.).rsample((3,))),
}
# The raw draws are bit-exact; these pass them through float32 exp/log/log1p/pow, which in
# faketorch are NumPy's and differ from torch's vectorised kernels by an ulp now and then.
_ULP = {'Laplace', 'LogNormal', 'Gumbel', 'Weibull', 'Pareto', 'Kumaraswamy', 'ContinuousBernoulli',
        'GeneralizedPareto', 'RelaxedBernoulli', 'RelaxedOneHotCategorical', 'LogisticNormal'}
for _name, _fn in _STREAMS.items():
    check(f'distributions.{_name}.sample', _stream(_fn), name='seeded', exact=_name not in _ULP)


def _rsample_grad(make):
    def run(torch):
        dist, params = make(torch)
        torch.manual_seed(7)
        x = dist.rsample((4,))
        (x ** 2).sum().backward()
        return x, [p.grad for p in params]
    return run


for _name in ('Laplace', 'Cauchy', 'Exponential', 'LogNormal', 'HalfNormal', 'HalfCauchy', 'Gumbel', 'Weibull',
              'Pareto', 'Kumaraswamy', 'ContinuousBernoulli', 'GeneralizedPareto', 'RelaxedBernoulli',
              'RelaxedOneHotCategorical', 'LogisticNormal', 'StudentT'):
    check(f'distributions.{_name}.rsample', _rsample_grad(_SPECS[_name][0]), name='grads')


# -- reprs, shapes, expand -------------------------------------------------------------------

@case('distributions.Distribution.__repr__')
def reprs_more(torch):
    d = D(torch)
    z = torch.zeros(2)
    return [repr(x) for x in (
        d.Laplace(0., 1.), d.Laplace(torch.tensor([1.]), 2.), d.Cauchy(z, 1.), d.Exponential(2.),
        d.LogNormal(0., 1.), d.HalfNormal(1.), d.HalfCauchy(z + 1), d.Gumbel(0., 1.), d.Weibull(1., 2.),
        d.Pareto(1., 2.), d.Poisson(3.), d.Geometric(0.5), d.Geometric(logits=z), d.StudentT(3.), d.Chi2(z + 2),
        d.NegativeBinomial(3., 0.5), d.FisherSnedecor(2., 3.), d.InverseGamma(2., 1.), d.Kumaraswamy(1., 2.),
        d.ContinuousBernoulli(0.3), d.GeneralizedPareto(0., 1., 0.5), d.RelaxedBernoulli(torch.tensor(.5), 0.3),
        d.RelaxedOneHotCategorical(torch.tensor(.5), torch.ones(3)), d.LogisticNormal(z, 1.),
        d.TransformedDistribution(d.Normal(0., 1.), [d.ExpTransform()]))]


@case('distributions.Distribution.expand')
def expand_more(torch):
    d = D(torch)
    torch.manual_seed(2)
    out = []
    for dist in (d.Laplace(torch.tensor(0.), 1.), d.Cauchy(0., torch.tensor(1.)), d.Exponential(torch.tensor(2.)),
                 d.LogNormal(torch.tensor(0.), 1.), d.HalfNormal(torch.tensor(1.)), d.Gumbel(torch.tensor(0.), 1.),
                 d.Weibull(torch.tensor(1.), 2.), d.Pareto(torch.tensor(1.), 2.), d.Poisson(torch.tensor(3.)),
                 d.Geometric(torch.tensor(0.5)), d.StudentT(torch.tensor(3.)), d.Chi2(torch.tensor(2.)),
                 d.NegativeBinomial(3., torch.tensor(0.5)), d.Kumaraswamy(torch.tensor(1.), 2.),
                 d.ContinuousBernoulli(torch.tensor(0.3)), d.LogisticNormal(torch.zeros(2), 1.),
                 d.RelaxedBernoulli(torch.tensor(.5), torch.tensor(0.3)), d.InverseGamma(torch.tensor(2.), 1.),
                 d.FisherSnedecor(torch.tensor(2.), 3.), d.GeneralizedPareto(torch.tensor(0.), 1., 0.5)):
        e = dist.expand((2, 3))
        out.append((repr(e), e.batch_shape, e.event_shape, e.sample().shape, e._validate_args,
                    type(e).__name__))
    return out


# -- validation ------------------------------------------------------------------------------

check('distributions.Laplace', lambda t: D(t).Laplace(t.zeros(2), t.tensor([1., -1.])), name='invalid_scale')
check('distributions.Cauchy', lambda t: D(t).Cauchy(0., -1.), name='invalid_scale')
check('distributions.Exponential', lambda t: D(t).Exponential(t.tensor([1., 0.])), name='invalid_rate')
check('distributions.LogNormal', lambda t: D(t).LogNormal(0., t.tensor([-1.])), name='invalid_scale')
check('distributions.HalfNormal', lambda t: D(t).HalfNormal(t.tensor([-1.])), name='invalid_scale')
check('distributions.Gumbel', lambda t: D(t).Gumbel(0., t.tensor([-1.])), name='invalid_scale')
check('distributions.Weibull', lambda t: D(t).Weibull(1., t.tensor([-1.])), name='invalid_concentration')
check('distributions.Pareto', lambda t: D(t).Pareto(t.tensor([-1.]), 1.), name='invalid_scale')
check('distributions.Poisson', lambda t: D(t).Poisson(t.tensor([-1.])), name='invalid_rate')
check('distributions.Geometric', lambda t: D(t).Geometric(t.tensor([0., 0.5])), name='zero_probs')
check('distributions.Geometric', lambda t: D(t).Geometric(t.tensor([1.5])), name='invalid_probs')
check('distributions.StudentT', lambda t: D(t).StudentT(t.tensor([-1.])), name='invalid_df')
check('distributions.Chi2', lambda t: D(t).Chi2(t.tensor([-1.])), name='invalid_df')
check('distributions.NegativeBinomial', lambda t: D(t).NegativeBinomial(1., t.tensor([1.])), name='invalid_probs')
check('distributions.ContinuousBernoulli', lambda t: D(t).ContinuousBernoulli(t.tensor([1.5]), validate_args=True),
      name='invalid_probs')
check('distributions.Kumaraswamy', lambda t: D(t).Kumaraswamy(t.tensor([-1.]), 1.), name='invalid_concentration')
check('distributions.Exponential.log_prob', lambda t: D(t).Exponential(1.).log_prob(t.tensor([-1.])),
      name='outside_support')
check('distributions.Poisson.log_prob', lambda t: D(t).Poisson(1.).log_prob(t.tensor([1.5])), name='outside_support')
check('distributions.LogNormal.log_prob', lambda t: D(t).LogNormal(0., 1.).log_prob(t.tensor([-1.])),
      name='outside_support')
check('distributions.Pareto.log_prob', lambda t: D(t).Pareto(2., 1.).log_prob(t.tensor([1.])), name='outside_support')
check('distributions.TransformedDistribution', lambda t: D(t).TransformedDistribution(D(t).Normal(0., 1.), 3),
      name='bad_transforms')


# -- transforms ------------------------------------------------------------------------------

def _transforms(torch):
    d = D(torch)
    return [d.ExpTransform(), d.AffineTransform(1., 2.), d.AffineTransform(torch.tensor([1., -1., 0.]), -0.5),
            d.SigmoidTransform(), d.TanhTransform(), d.SoftplusTransform(), d.PowerTransform(torch.tensor(2.5)),
            d.AbsTransform(), d.ExpTransform().inv, d.ComposeTransform([d.ExpTransform(), d.AffineTransform(0., 3.)]),
            d.SoftmaxTransform(), d.StickBreakingTransform(), d.identity_transform,
            d.CumulativeDistributionTransform(d.Normal(0., 1.))]


@case('distributions.transforms')
def transforms_elementwise(torch):
    out = []
    for t in _transforms(torch):
        x = torch.tensor([0.3, -1.2, 2.0], requires_grad=True)
        xin = x.abs() + 0.1 if type(t).__name__ in ('PowerTransform', '_InverseTransform') else x
        y = t(xin)
        back = t.inv(y)
        row = [repr(t), y, back, repr(t.domain), repr(t.codomain), t.bijective]
        if t.bijective:
            ladj = t.log_abs_det_jacobian(xin, y)
            (ladj.sum() + y.sum()).backward()
            row += [ladj, x.grad, t.sign if not hasattr(t.sign, 'shape') else t.sign]
        out.append(row)
    return out


@case('distributions.transforms')
def transforms_matrix(torch):
    d = D(torch)
    x = torch.tensor([[0.3, -1.2, 0.4], [2.0, 0.1, -0.3], [0.5, 0.6, -0.7]], requires_grad=True)
    lc = d.LowerCholeskyTransform()(x)
    pd = d.PositiveDefiniteTransform()(x)
    v = torch.tensor([0.3, -1.2, 0.8], requires_grad=True)
    cc = d.CorrCholeskyTransform()
    L = cc(v)
    ladj = cc.log_abs_det_jacobian(v, L)
    (lc.sum() + pd.sum() + L.sum() + ladj).backward()
    return (lc, d.LowerCholeskyTransform().inv(lc), pd, d.PositiveDefiniteTransform().inv(pd), L, cc.inv(L), ladj,
            x.grad, v.grad, cc.forward_shape((4, 6)), cc.inverse_shape((4, 4)), repr(cc.codomain))


@case('distributions.transforms')
def transforms_structural(torch):
    d = D(torch)
    x = torch.arange(12.).reshape(2, 6) / 10
    r = d.ReshapeTransform((6,), (2, 3))
    cat = d.CatTransform([d.ExpTransform(), d.AffineTransform(1., 2.)], dim=1, lengths=[2, 4])
    st = d.StackTransform([d.ExpTransform(), d.SigmoidTransform()], dim=0)
    ind = d.IndependentTransform(d.ExpTransform(), 1)
    comp = d.ComposeTransform([d.AffineTransform(0., 2.), d.StickBreakingTransform(), d.AffineTransform(1., 0.5)])
    out = []
    for t in (r, cat, st, ind, comp):
        y = t(x)
        out.append((y, t.inv(y), t.log_abs_det_jacobian(x, y), repr(t.domain), repr(t.codomain),
                    t.forward_shape(x.shape), t.inverse_shape(y.shape)))
    return out, repr(ind), repr(comp), r.event_dim


@case('distributions.transforms')
def transforms_cache_and_eq(torch):
    d = D(torch)
    t = d.ExpTransform(cache_size=1)
    x = torch.tensor([0.5, 1.0])
    y = t(x)
    tc = d.ComposeTransform([d.ExpTransform(), d.AffineTransform(1., 2.)], cache_size=1)
    yc = tc(x)
    return (t.inv(y) is x, d.ExpTransform()(x) is y, tc.inv(yc) is x, d.ExpTransform() == d.ExpTransform(),
            d.ExpTransform() == d.SigmoidTransform(), d.AffineTransform(0., 1.) == d.AffineTransform(0., 1.),
            d.AffineTransform(0., 1.) == d.AffineTransform(0., 2.), d.ExpTransform().inv == d.ExpTransform().inv,
            d.ExpTransform().inv.inv == d.ExpTransform(), repr(d.ExpTransform().with_cache()),
            d.PowerTransform(torch.tensor(2.)) == d.PowerTransform(torch.tensor(2.)),
            d.AffineTransform(1., -2.).sign, d.ComposeTransform([d.AffineTransform(0., -1.), d.ExpTransform()]).sign,
            d.ExpTransform().event_dim, d.StickBreakingTransform().event_dim)


check('distributions.transforms', lambda t: D(t).ExpTransform(cache_size=2), name='bad_cache_size')
check('distributions.transforms', lambda t: D(t).AbsTransform().sign, name='abs_sign')
check('distributions.transforms', lambda t: D(t).ReshapeTransform((2, 3), (5,)), name='reshape_mismatch')
check('distributions.transforms', lambda t: D(t).StickBreakingTransform().event_dim, name='stick_event_dim')
check('distributions.transforms', lambda t: D(t).SoftmaxTransform().event_dim, name='softmax_event_dim')


@case('distributions.constraint_registry')
def biject_and_transform_to(torch):
    d = D(torch)
    c = d.constraints
    x = torch.tensor([[0.3, -1.2, 2.0], [1.0, 0.0, -0.5]])
    out = []
    for con in (c.real, c.positive, c.nonnegative, c.greater_than(2.), c.greater_than_eq(-1.), c.less_than(3.),
                c.unit_interval, c.interval(-2., 5.), c.half_open_interval(0., 2.), c.simplex, c.real_vector,
                c.independent(c.positive, 1), c.cat([c.positive, c.real], dim=1, lengths=[1, 2]),
                c.stack([c.positive, c.unit_interval], dim=0)):
        for reg in (d.biject_to, d.transform_to):
            t = reg(con)
            y = t(x)
            out.append((repr(t), y, t.inv(y), bool(con.check(y).all())))
    m = torch.tensor([[0.3, -1.2], [2.0, 0.1]])
    for con in (c.lower_cholesky, c.positive_definite, c.positive_semidefinite):
        t = d.transform_to(con)
        out.append((repr(t), t(m)))
    t = d.biject_to(c.corr_cholesky)
    out.append((repr(t), t(torch.tensor([0.3, -1.2, 0.8]))))
    return out


check('distributions.constraint_registry', lambda t: D(t).biject_to(D(t).constraints.lower_cholesky),
      name='not_registered')
check('distributions.constraint_registry', lambda t: D(t).biject_to.register(3), name='register_bad')


# -- TransformedDistribution -----------------------------------------------------------------

@case('distributions.TransformedDistribution')
def transformed_distribution(torch):
    d = D(torch)
    loc = _p(torch, 0.5, -1.)
    base = d.Normal(loc, torch.ones(2))
    td = d.TransformedDistribution(base, [d.AffineTransform(1., 2.), d.ExpTransform()])
    v = torch.tensor([[0.5, 2.0], [3.0, 0.1]])
    lp = td.log_prob(v)
    lp.sum().backward()
    torch.manual_seed(3)
    s = td.sample((3,))
    sb = d.TransformedDistribution(d.Normal(torch.zeros(3), 1.), d.StickBreakingTransform())
    neg = d.TransformedDistribution(d.Normal(0., 1.), d.AffineTransform(0., -1.))
    return (lp, loc.grad, s, td.batch_shape, td.event_shape, repr(td.support), td.cdf(v), td.icdf(torch.tensor(0.3)),
            sb.batch_shape, sb.event_shape, repr(sb.support), sb.log_prob(torch.tensor([0.2, 0.3, 0.1, 0.4])),
            sb.rsample((2,)), neg.cdf(torch.tensor([0.5])), neg.icdf(torch.tensor([0.2])), td.has_rsample,
            td.expand((4, 2)).batch_shape)


# -- kl_divergence ---------------------------------------------------------------------------

@case('distributions.kl_divergence')
def kl_more(torch):
    d = D(torch)
    kl = d.kl_divergence
    a, b = _p(torch, 0.5, -1., 2.), _p(torch, 1., .5, 2.)
    out = [
        kl(d.Laplace(a, b), d.Laplace(torch.zeros(3), 1.5)),
        kl(d.Exponential(b), d.Exponential(torch.tensor([2., 1., .5]))),
        kl(d.Poisson(b), d.Poisson(torch.tensor([2., 1., .5]))),
        kl(d.Geometric(torch.tensor([0.2, 0.6])), d.Geometric(torch.tensor([0.5, 0.5]))),
        kl(d.Cauchy(a, b), d.Cauchy(torch.zeros(3), 1.5)),
        kl(d.Gumbel(a, b), d.Gumbel(torch.zeros(3), 1.5)),
        kl(d.HalfNormal(b), d.HalfNormal(torch.tensor([2., 1., .5]))),
        kl(d.LogNormal(a, b), d.LogNormal(torch.zeros(3), 1.5)),
        kl(d.Pareto(b, 2.), d.Pareto(torch.tensor([0.5, 0.25, 1.]), 3.)),
        kl(d.Exponential(b), d.Gamma(2., 1.)), kl(d.Exponential(b), d.Normal(0., 1.)),
        kl(d.Exponential(b), d.Gumbel(0., 1.)), kl(d.Gamma(b, 1.), d.Exponential(2.)),
        kl(d.Normal(a, b), d.Laplace(0., 1.)), kl(d.Normal(a, b), d.Gumbel(0., 1.)),
        kl(d.Laplace(a, b), d.Normal(0., 1.)), kl(d.Uniform(0.1, 2.), d.Exponential(2.)),
        kl(d.Uniform(0.1, 2.), d.Gumbel(0., 1.)), kl(d.Uniform(0.1, 2.), d.Pareto(0.05, 2.)),
        kl(d.Beta(2., 3.), d.Exponential(2.)), kl(d.Gamma(b, 1.), d.Normal(0., 1.)),
        kl(d.Gamma(b, 1.), d.Gumbel(0., 1.)), kl(d.Beta(2., 3.), d.Uniform(0., 1.)),
        kl(d.Poisson(b), d.Poisson(torch.tensor([2., 1., .5]))),
        kl(d.ContinuousBernoulli(torch.tensor([0.2, 0.7])), d.ContinuousBernoulli(torch.tensor([0.5, 0.3]))),
        kl(d.Bernoulli(torch.tensor([0.2, 0.7])), d.Poisson(torch.tensor([0.5, 0.3]))),
        kl(d.Normal(a, b), d.Normal(0., 1.)),
    ]
    total = out[0].sum() + out[1].sum() + out[2].sum() + out[4].sum() + out[5].sum() + out[7].sum()
    total.backward()
    return out, a.grad, b.grad


@case('distributions.ExponentialFamily.entropy')
def expfamily_entropy_more(torch):
    d = D(torch)
    r = _p(torch, 0.5, 2.)
    h = d.ExponentialFamily.entropy(d.Exponential(r))
    h2 = d.ExponentialFamily.entropy(d.ContinuousBernoulli(torch.tensor([0.2, 0.7])))
    h.sum().backward()
    return h, r.grad, h2, d.kl_divergence(d.Poisson(torch.tensor([1., 2.])), d.Poisson(torch.tensor([2., 2.])))


# -- LowRankMultivariateNormal, MixtureSameFamily --------------------------------------------

def _lowrank(torch):
    loc = _p(torch, 0.5, -1., 0.)
    W = torch.tensor([[1., 0.2], [0.3, -0.5], [0.1, 0.4]], requires_grad=True)
    Dg = _p(torch, 1., 0.5, 2.)
    return D(torch).LowRankMultivariateNormal(loc, W, Dg), [loc, W, Dg]


@case('distributions.LowRankMultivariateNormal.log_prob')
def lowrank_mvn(torch):
    m, params = _lowrank(torch)
    lp = m.log_prob(torch.tensor([[0., 0., 0.], [1., -1., 2.]]))
    h = m.entropy()
    (lp.sum() + h).backward()
    return (lp, h, [p.grad for p in params], m.variance, m.scale_tril, m.covariance_matrix, m.precision_matrix,
            m.mean, repr(m), m.batch_shape, m.event_shape)


@case('distributions.LowRankMultivariateNormal.rsample')
def lowrank_mvn_rsample(torch):
    m, params = _lowrank(torch)
    torch.manual_seed(11)
    x = m.rsample((5,))
    (x ** 2).sum().backward()
    e = m.expand((2,))
    return x, [p.grad for p in params], e.batch_shape, e.sample().shape


@case('distributions.LowRankMultivariateNormal.sample', exact=True)
def lowrank_mvn_seeded(torch):
    torch.manual_seed(1234)
    m = D(torch).LowRankMultivariateNormal(torch.zeros(2, 3), torch.ones(3, 1), torch.ones(3))
    return m.sample((4,))


check('distributions.LowRankMultivariateNormal',
      lambda t: D(t).LowRankMultivariateNormal(t.zeros(3), t.ones(2, 1), t.ones(3)), name='bad_factor')
check('distributions.LowRankMultivariateNormal',
      lambda t: D(t).LowRankMultivariateNormal(t.zeros(3), t.ones(3, 1), -t.ones(3)), name='invalid_diag')


@case('distributions.kl_divergence')
def kl_lowrank(torch):
    d = D(torch)
    p, params = _lowrank(torch)
    q = d.LowRankMultivariateNormal(torch.ones(3), torch.tensor([[0.5], [0.1], [-0.2]]), torch.tensor([2., 1., .5]))
    mvn = d.MultivariateNormal(torch.zeros(3), torch.eye(3) * 2)
    out = [d.kl_divergence(p, q), d.kl_divergence(mvn, p), d.kl_divergence(p, mvn)]
    sum(out).backward()
    return out, [x.grad for x in params]


def _mixture(torch):
    d = D(torch)
    logits = _p(torch, 0.1, -0.5, 1.)
    loc = _p(torch, -1., 0., 2.)
    scale = _p(torch, 0.5, 1., 0.3)
    return d.MixtureSameFamily(d.Categorical(logits=logits), d.Normal(loc, scale)), [logits, loc, scale]


@case('distributions.MixtureSameFamily.log_prob')
def mixture_same_family(torch):
    m, params = _mixture(torch)
    lp = m.log_prob(torch.tensor([[0., 1.5], [-1., 2.]]))
    lp.sum().backward()
    return (lp, [p.grad for p in params], m.mean, m.variance, m.cdf(torch.tensor([0.5, 1.])), repr(m),
            repr(m.support), m.batch_shape, m.event_shape)


@case('distributions.MixtureSameFamily.sample', exact=True)
def mixture_same_family_seeded(torch):
    d = D(torch)
    torch.manual_seed(1234)
    m, _ = _mixture(torch)
    mv = d.MixtureSameFamily(d.Categorical(torch.ones(2, 3)),
                             d.Independent(d.Normal(torch.zeros(2, 3, 2), torch.ones(2, 3, 2)), 1))
    e = m.expand((2,))
    return m.sample((4,)), mv.sample((3,)), mv.log_prob(torch.zeros(2)), mv.mean, mv.variance, e.sample()


check('distributions.MixtureSameFamily', lambda t: D(t).MixtureSameFamily(D(t).Normal(0., 1.), D(t).Normal(0., 1.)),
      name='not_categorical')
check('distributions.MixtureSameFamily',
      lambda t: D(t).MixtureSameFamily(D(t).Categorical(t.ones(2)), D(t).Normal(t.zeros(3), 1.)),
      name='component_mismatch')


# -- VonMises --------------------------------------------------------------------------------

@case('distributions.VonMises.log_prob')
def von_mises(torch):
    loc = _p(torch, 0.5, -1., 2.)
    k = _p(torch, 0.5, 2., 10.)
    vm = D(torch).VonMises(loc, k)
    lp = vm.log_prob(torch.tensor([[0., 1., 2.], [-3., 0.5, 2.5]]))
    lp.sum().backward()
    return lp, loc.grad, k.grad, vm.mean, vm.mode, vm.variance, repr(vm), vm.expand((2, 3)).batch_shape


@case('distributions.VonMises.sample', exact=True)
def von_mises_seeded(torch):
    d = D(torch)
    torch.manual_seed(1234)
    return (d.VonMises(torch.tensor([0.5, -1., 2.]), torch.tensor([0.5, 2., 10.])).sample((4,)),
            d.VonMises(torch.tensor(0., dtype=torch.float64), torch.tensor(1e-6, dtype=torch.float64)).sample((3,)),
            torch.rand(2))


check('distributions.VonMises', lambda t: D(t).VonMises(0., t.tensor([-1.])), name='invalid_concentration')
