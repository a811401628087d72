"""torch.distributions: seeded sample/rsample streams, log_prob/entropy values and gradients,
moments, reprs, batch/event shapes, expand, argument/sample validation errors, kl_divergence."""
import importlib

from conformance import case, check


def D(torch):
    # torch.distributions is imported by `import torch`; reached this way so the cases do not
    # depend on faketorch/__init__ importing it
    return importlib.import_module(torch.__name__ + '.distributions')


def _params(torch):
    return dict(
        loc=torch.tensor([0.5, -1.0, 2.0], requires_grad=True),
        scale=torch.tensor([1.0, 0.5, 2.0], requires_grad=True),
        logits=torch.tensor([[0.1, -0.4, 1.2, 0.0], [2.0, 0.3, -1.0, 0.5]], requires_grad=True),
        probs=torch.tensor([0.2, 0.7, 0.05, 0.5], requires_grad=True),
    )


# -- seeded streams --------------------------------------------------------------------------

def _stream(make):
    def run(torch):
        torch.manual_seed(1234)
        return make(torch, D(torch))
    return run


_STREAMS = {
    'Normal': lambda t, d: (d.Normal(t.zeros(3), t.ones(3)).sample(), d.Normal(0., 2.).sample((5,)),
                            d.Normal(t.tensor([1., 2.]), t.tensor([.5, 3.])).sample((2, 3)),
                            d.Normal(t.zeros(20), 1.).sample((4,))),
    'Normal.rsample': lambda t, d: (d.Normal(t.zeros(3), t.ones(3)).rsample(), d.Normal(1., 2.).rsample((40,)),
                                    d.Normal(t.zeros(2, dtype=t.float64), 1.).rsample((3,))),
    'Categorical': lambda t, d: (d.Categorical(t.tensor([0.1, 0.2, 0.7])).sample((10,)),
                                 d.Categorical(logits=t.tensor([[0., 1., 2.], [2., 1., 0.]])).sample((2, 3)),
                                 d.Categorical(t.tensor([0.3, 0.7])).sample()),
    'Multinomial': lambda t, d: (d.Multinomial(10, t.tensor([0.1, 0.2, 0.7])).sample(),
                                 d.Multinomial(5, logits=t.tensor([[0., 1.], [1., 0.]])).sample((3,))),
    'OneHotCategorical': lambda t, d: (d.OneHotCategorical(t.tensor([0.1, 0.2, 0.7])).sample((4,)),
                                       d.OneHotCategorical(logits=t.zeros(2, 3)).sample()),
    'Bernoulli': lambda t, d: (d.Bernoulli(t.tensor([0.1, 0.5, 0.9])).sample((3,)), d.Bernoulli(0.3).sample((5,)),
                               d.Bernoulli(logits=t.tensor([-1., 1.])).sample()),
    'Uniform': lambda t, d: (d.Uniform(0., 1.).sample((4,)),
                             d.Uniform(t.tensor([0., 1.]), t.tensor([2., 5.])).rsample((3,)),
                             d.Uniform(t.zeros(2, dtype=t.float64), 1.).sample()),
    'MultivariateNormal': lambda t, d: (
        d.MultivariateNormal(t.zeros(2), t.tensor([[2., .5], [.5, 1.]])).sample((3,)),
        d.MultivariateNormal(t.ones(3), scale_tril=t.eye(3) * 2).rsample(),
        d.MultivariateNormal(t.zeros(2, 2), precision_matrix=t.eye(2)).sample((2,))),
    'Independent': lambda t, d: d.Independent(d.Normal(t.zeros(2, 3), t.ones(2, 3)), 1).sample((2,)),
    'Gamma': lambda t, d: (d.Gamma(t.tensor([0.5, 1.0, 3.0]), t.tensor([1., 2., .5])).sample((4,)),
                           d.Gamma(t.tensor([2.5], dtype=t.float64), 1.).sample((5,))),
    'Beta': lambda t, d: (d.Beta(t.tensor([0.5, 2.0]), t.tensor([0.5, 3.0])).sample((3,)), d.Beta(2., 2.).sample()),
    'Dirichlet': lambda t, d: d.Dirichlet(t.tensor([[0.5, 1.0, 2.0], [3.0, 3.0, 3.0]])).sample((2,)),
}
# The raw draws are bit-exact; MultivariateNormal's covariance goes through a float32 Cholesky, whose
# last bit differs between torch's LAPACK and NumPy's on some CPUs (seen on Intel, not on AMD).
_ULP = {'MultivariateNormal'}
for _name, _fn in _STREAMS.items():
    _api = _name if '.' in _name else _name + '.sample'
    check(f'distributions.{_api}', _stream(_fn), name='seeded', exact=_name not in _ULP)


@case('distributions.Normal.sample', exact=True)
def sample_n_and_interleaving(torch):
    d = D(torch)
    torch.manual_seed(3)
    n = d.Normal(torch.zeros(2), torch.ones(2))
    a = n.sample((3,))
    b = torch.rand(2)
    c = d.Categorical(logits=torch.zeros(4)).sample((5,))
    return a, b, c, torch.randn(3)


# -- log_prob / entropy / gradients ----------------------------------------------------------

@case('distributions.Normal.log_prob')
def normal_log_prob_grad(torch):
    p = _params(torch)
    n = D(torch).Normal(p['loc'], p['scale'])
    lp = n.log_prob(torch.tensor([[0., 1., 2.], [-1., 0.5, 3.]]))
    lp.sum().backward()
    return lp, p['loc'].grad, p['scale'].grad


@case('distributions.Normal.rsample')
def normal_rsample_grad(torch):
    p = _params(torch)
    x = D(torch).Normal(p['loc'], p['scale']).rsample((4,))
    (x ** 2).sum().backward()
    return x, p['loc'].grad, p['scale'].grad


@case('distributions.Normal.entropy')
def normal_entropy_moments(torch):
    p = _params(torch)
    n = D(torch).Normal(p['loc'], p['scale'])
    h = n.entropy()
    h.sum().backward()
    v = torch.tensor([0.1, 0.5, 0.9])
    return (h, p['scale'].grad, n.mean, n.mode, n.variance, n.stddev, n.cdf(v), n.icdf(v),
            n.perplexity(), n.has_rsample)


@case('distributions.Categorical.log_prob')
def categorical_log_prob_grad(torch):
    p = _params(torch)
    c = D(torch).Categorical(logits=p['logits'])
    lp = c.log_prob(torch.tensor([[0, 3], [2, 1], [1, 1]]))
    h = c.entropy()
    (lp.sum() + h.sum()).backward()
    return lp, h, p['logits'].grad, c.probs, c.logits, c.mode, c.mean, c.variance


@case('distributions.Categorical.log_prob')
def categorical_probs_param(torch):
    p = _params(torch)
    c = D(torch).Categorical(probs=p['probs'])
    lp = c.log_prob(torch.tensor([0, 1, 3]))
    h = c.entropy()
    (lp.sum() - h).backward()
    return lp, h, p['probs'].grad, c.probs, c.logits, c.enumerate_support(), c.param_shape


@case('distributions.Categorical.entropy')
def categorical_zero_prob(torch):
    c = D(torch).Categorical(torch.tensor([0.0, 0.3, 0.7]))
    return c.entropy(), c.logits, c.log_prob(torch.tensor(0))


@case('distributions.Multinomial.log_prob')
def multinomial_log_prob(torch):
    p = _params(torch)
    m = D(torch).Multinomial(6, logits=p['logits'])
    lp = m.log_prob(torch.tensor([[1., 2., 3., 0.], [0., 0., 6., 0.]]))
    lp.sum().backward()
    return lp, p['logits'].grad, m.mean, m.variance, m.entropy(), m.event_shape, m.batch_shape


@case('distributions.OneHotCategorical.log_prob')
def one_hot_categorical(torch):
    p = _params(torch)
    o = D(torch).OneHotCategorical(logits=p['logits'])
    lp = o.log_prob(torch.tensor([[0., 0., 1., 0.], [1., 0., 0., 0.]]))
    lp.sum().backward()
    return (lp, p['logits'].grad, o.entropy(), o.mean, o.mode, o.variance, o.enumerate_support(),
            o.event_shape, o.batch_shape)


@case('distributions.OneHotCategoricalStraightThrough.rsample')
def straight_through(torch):
    p = _params(torch)
    torch.manual_seed(5)
    o = D(torch).OneHotCategoricalStraightThrough(logits=p['logits'])
    s = o.rsample((3,))
    (s * torch.arange(4.)).sum().backward()
    return s, p['logits'].grad


@case('distributions.Bernoulli.log_prob')
def bernoulli_log_prob(torch):
    p = _params(torch)
    b = D(torch).Bernoulli(probs=p['probs'])
    lp = b.log_prob(torch.tensor([1., 0., 1., 1.]))
    h = b.entropy()
    (lp.sum() + h.sum()).backward()
    return lp, h, p['probs'].grad, b.mean, b.mode, b.variance, b.logits, b.enumerate_support()


@case('distributions.Bernoulli.log_prob')
def bernoulli_logits(torch):
    lg = torch.tensor([-2., 0., 3.], requires_grad=True)
    b = D(torch).Bernoulli(logits=lg)
    lp = b.log_prob(torch.tensor([[1., 0., 1.], [0., 0., 0.]]))
    lp.sum().backward()
    return lp, lg.grad, b.probs, b.entropy(), b.mode


@case('distributions.Uniform.log_prob')
def uniform_log_prob(torch):
    lo = torch.tensor([0., -1.], requires_grad=True)
    hi = torch.tensor([2., 3.], requires_grad=True)
    u = D(torch).Uniform(lo, hi)
    lp = u.log_prob(torch.tensor([1., 0.]))
    h = u.entropy()
    (lp.sum() + h.sum()).backward()
    v = torch.tensor([0.5, 0.25])
    return (lp, h, lo.grad, hi.grad, u.mean, u.mode, u.variance, u.stddev, u.cdf(torch.tensor([1., 5.])),
            u.icdf(v), repr(u.support))


@case('distributions.Uniform.log_prob')
def uniform_outside_support_no_validation(torch):
    u = D(torch).Uniform(0., 1., validate_args=False)
    return u.log_prob(torch.tensor([-0.5, 0.5, 1.0, 1.5]))


@case('distributions.MultivariateNormal.log_prob')
def mvn_log_prob_grad(torch):
    loc = torch.tensor([0.5, -1.0, 0.0], requires_grad=True)
    a = torch.tensor([[2., 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 1.5]], requires_grad=True)
    m = D(torch).MultivariateNormal(loc, covariance_matrix=a)
    x = torch.tensor([[0., 0., 0.], [1., -1., 2.]])
    lp = m.log_prob(x)
    h = m.entropy()
    (lp.sum() + h).backward()
    return lp, h, loc.grad, a.grad, m.variance, m.scale_tril, m.precision_matrix, m.mean


@case('distributions.MultivariateNormal.log_prob')
def mvn_batched_scale_tril(torch):
    L = torch.tensor([[[1., 0.], [0.5, 2.]], [[0.3, 0.], [-0.2, 0.7]]], requires_grad=True)
    m = D(torch).MultivariateNormal(torch.zeros(2), scale_tril=L)
    x = torch.tensor([[[1., 2.], [0., 0.]], [[-1., 0.5], [0.2, 0.1]], [[0., 1.], [1., 0.]]])
    lp = m.log_prob(x)
    lp.sum().backward()
    return lp, L.grad, m.covariance_matrix, m.entropy(), m.batch_shape, m.event_shape


@case('distributions.MultivariateNormal.rsample')
def mvn_rsample_grad(torch):
    loc = torch.tensor([1., 2.], requires_grad=True)
    L = torch.tensor([[1., 0.], [0.5, 2.]], requires_grad=True)
    torch.manual_seed(11)
    x = D(torch).MultivariateNormal(loc, scale_tril=L).rsample((5,))
    (x ** 2).sum().backward()
    return x, loc.grad, L.grad


@case('distributions.Independent.log_prob')
def independent_normal(torch):
    p = _params(torch)
    d = D(torch)
    ind = d.Independent(d.Normal(p['loc'].expand(2, 3), p['scale']), 1)
    lp = ind.log_prob(torch.zeros(4, 2, 3))
    lp.sum().backward()
    return (lp, p['loc'].grad, ind.entropy(), ind.batch_shape, ind.event_shape, ind.mean, ind.variance,
            repr(ind), repr(ind.support), ind.has_rsample)


@case('distributions.Beta.log_prob')
def beta_log_prob(torch):
    a = torch.tensor([0.5, 2.0, 5.0], requires_grad=True)
    b = torch.tensor([0.5, 3.0, 1.0], requires_grad=True)
    beta = D(torch).Beta(a, b)
    lp = beta.log_prob(torch.tensor([0.3, 0.5, 0.9]))
    h = beta.entropy()
    (lp.sum() + h.sum()).backward()
    return lp, h, a.grad, b.grad, beta.mean, beta.variance, beta.mode, beta.concentration1


@case('distributions.Gamma.log_prob')
def gamma_log_prob(torch):
    a = torch.tensor([0.5, 2.0, 5.0], requires_grad=True)
    r = torch.tensor([1.0, 3.0, 0.5], requires_grad=True)
    g = D(torch).Gamma(a, r)
    lp = g.log_prob(torch.tensor([0.3, 0.5, 9.0]))
    h = g.entropy()
    (lp.sum() + h.sum()).backward()
    return lp, h, a.grad, r.grad, g.mean, g.variance, g.mode


@case('distributions.Dirichlet.log_prob')
def dirichlet_log_prob(torch):
    a = torch.tensor([[0.5, 2.0, 5.0], [1., 1., 1.]], requires_grad=True)
    dd = D(torch).Dirichlet(a)
    lp = dd.log_prob(torch.tensor([0.2, 0.3, 0.5]))
    h = dd.entropy()
    (lp.sum() + h.sum()).backward()
    return lp, h, a.grad, dd.mean, dd.variance, dd.mode


@case('distributions.Binomial.log_prob')
def binomial_log_prob(torch):
    p = torch.tensor([0.2, 0.5, 0.9], requires_grad=True)
    b = D(torch).Binomial(10, p)
    lp = b.log_prob(torch.tensor([2., 5., 10.]))
    lp.sum().backward()
    return lp, p.grad, b.entropy(), b.mean, b.variance, b.mode


# -- exponential-family entropy through autograd.grad ----------------------------------------

@case('distributions.ExponentialFamily.entropy')
def expfamily_generic_entropy(torch):
    d = D(torch)
    scale = torch.tensor([0.5, 2.0], requires_grad=True)
    n = d.Normal(torch.tensor([0., 1.]), scale)
    h = d.ExponentialFamily.entropy(n)
    h.sum().backward()
    return h, scale.grad


# -- shapes, expand, reprs -------------------------------------------------------------------

@case('distributions.Distribution.batch_shape')
def shapes(torch):
    d = D(torch)
    out = []
    for dist in (d.Normal(0., 1.), d.Normal(torch.zeros(2, 3), 1.), d.Categorical(logits=torch.zeros(5, 4)),
                 d.Multinomial(3, torch.ones(2, 4)), d.OneHotCategorical(torch.ones(3)),
                 d.Bernoulli(torch.full((2,), 0.5)), d.Uniform(torch.zeros(3), 1.),
                 d.MultivariateNormal(torch.zeros(4, 2), torch.eye(2)), d.Beta(1., 2.),
                 d.Independent(d.Bernoulli(torch.full((2, 3), .5)), 2), d.Dirichlet(torch.ones(2, 3))):
        out.append((dist.batch_shape, dist.event_shape, dist._extended_shape((2, 3))))
    return out


@case('distributions.Distribution.sample')
def sample_shapes(torch):
    d = D(torch)
    return [tuple(x.shape) for x in (
        d.Normal(torch.zeros(2), 1.).sample((2, 3)), d.Categorical(torch.ones(4, 3)).sample((2, 5)),
        d.Multinomial(4, torch.ones(2, 3)).sample((6,)), d.OneHotCategorical(torch.ones(3)).sample((2, 2)),
        d.Bernoulli(0.5).sample(), d.Uniform(0., torch.ones(3)).sample((1,)),
        d.MultivariateNormal(torch.zeros(3), torch.eye(3)).sample((2,)))]


@case('distributions.Distribution.expand')
def expand(torch):
    d = D(torch)
    torch.manual_seed(2)
    n = d.Normal(torch.tensor(0.), torch.tensor(1.)).expand((2, 3))
    c = d.Categorical(logits=torch.tensor([0., 1., 2.])).expand((4,))
    b = d.Bernoulli(torch.tensor(0.3)).expand([3])
    m = d.MultivariateNormal(torch.zeros(2), torch.eye(2)).expand((3,))
    i = d.Independent(d.Normal(torch.zeros(3), 1.), 1).expand((2,))
    oh = d.OneHotCategorical(torch.ones(3)).expand((2,))
    mn = d.Multinomial(2, torch.ones(3)).expand((2,))
    u = d.Uniform(0., 1.).expand((2,))
    return (repr(n), n.batch_shape, n.sample(), repr(c), c.sample(), c.log_prob(torch.tensor(1)), repr(b),
            b.sample(), repr(m), m.batch_shape, m.log_prob(torch.zeros(2)), repr(i), i.batch_shape, i.event_shape,
            oh.batch_shape, mn.sample(), repr(u), u.sample(), n._validate_args)


@case('distributions.Distribution.__repr__')
def reprs(torch):
    d = D(torch)
    c = d.Categorical(torch.tensor([0.2, 0.8]))
    before = repr(c)
    c.logits
    return [before, repr(c)] + [repr(x) for x in (
        d.Normal(0., 1.), d.Normal(torch.tensor([1.]), 2.), d.Normal(torch.zeros(2, 2), 1.),
        d.Categorical(logits=torch.zeros(3)), d.Multinomial(5, torch.ones(3)), d.OneHotCategorical(torch.ones(2)),
        d.Bernoulli(0.5), d.Bernoulli(logits=torch.zeros(3)), d.Uniform(0., 2.),
        d.MultivariateNormal(torch.zeros(2), torch.eye(2)),
        d.MultivariateNormal(torch.zeros(2), scale_tril=torch.eye(2)),
        d.Beta(1., 1.), d.Gamma(2., 1.), d.Dirichlet(torch.ones(3)), d.Binomial(5, torch.tensor(0.5)),
        d.Independent(d.Normal(torch.zeros(3), 1.), 1))]


@case('distributions.constraints')
def constraint_reprs(torch):
    c = D(torch).constraints
    return [repr(x) for x in (c.real, c.positive, c.nonnegative, c.unit_interval, c.simplex, c.real_vector,
                              c.boolean, c.one_hot, c.lower_cholesky, c.positive_definite, c.integer_interval(0, 3),
                              c.greater_than(2), c.less_than(1.5), c.interval(-1, 1), c.half_open_interval(0, 1),
                              c.nonnegative_integer, c.positive_integer, c.greater_than_eq(1),
                              c.independent(c.positive, 2), c.dependent, c.lower_triangular, c.symmetric)]


@case('distributions.constraints')
def constraint_checks(torch):
    c = D(torch).constraints
    x = torch.tensor([[0.2, 0.8], [0.5, 0.6], [-1., 2.]])
    return (c.simplex.check(x), c.positive.check(x), c.unit_interval.check(x),
            c.real.check(torch.tensor([1., float('nan')])),
            c.real_vector.check(x), c.integer_interval(0, 3).check(torch.tensor([0., 1.5, 3., 4.])),
            c.lower_cholesky.check(torch.tensor([[1., 0.], [2., 3.]])), c.positive_definite.check(torch.eye(2)),
            c.positive_definite.check(torch.tensor([[1., 2.], [2., 1.]])), c.boolean.check(torch.tensor([0., 1., 2.])),
            c.one_hot.check(torch.tensor([[0., 1.], [1., 1.]])), c.is_dependent(c.dependent), c.positive.event_dim,
            c.simplex.event_dim, c.independent(c.real, 1).event_dim, c.boolean.is_discrete)


# -- validation ------------------------------------------------------------------------------

check('distributions.Normal', lambda t: D(t).Normal(t.zeros(3), -t.ones(3)), name='invalid_scale')
check('distributions.Normal', lambda t: D(t).Normal(t.tensor([0., float('nan')]), 1.), name='invalid_loc')
check('distributions.Normal', lambda t: D(t).Normal(0., -1.), name='invalid_scalar_scale')
check('distributions.Normal', lambda t: repr(D(t).Normal(0., -1., validate_args=False)), name='no_validation')
check('distributions.Normal', lambda t: D(t).Normal(t.zeros(2), t.ones(3)), name='broadcast_error')
check('distributions.Normal.log_prob', lambda t: D(t).Normal(t.zeros(3), 1.).log_prob(t.zeros(2)),
      name='not_broadcastable')
check('distributions.Normal.log_prob', lambda t: D(t).Normal(0., 1.).log_prob(0.5), name='not_a_tensor')
check('distributions.Categorical', lambda t: D(t).Categorical(t.tensor([0.5, -0.1])), name='invalid_probs')
check('distributions.Categorical', lambda t: D(t).Categorical(), name='no_params')
check('distributions.Categorical', lambda t: D(t).Categorical(t.ones(2), t.ones(2)), name='both_params')
check('distributions.Categorical', lambda t: D(t).Categorical(t.tensor(1.)), name='zero_dim')
check('distributions.Categorical.log_prob', lambda t: D(t).Categorical(t.ones(3)).log_prob(t.tensor([0, 3])),
      name='outside_support')
check('distributions.Categorical.log_prob', lambda t: D(t).Categorical(t.ones(3)).log_prob(t.tensor([0.5])),
      name='non_integer')
check('distributions.Bernoulli', lambda t: D(t).Bernoulli(t.tensor([0.5, 1.5])), name='invalid_probs')
check('distributions.Bernoulli.log_prob', lambda t: D(t).Bernoulli(0.5).log_prob(t.tensor([0.5])),
      name='outside_support')
check('distributions.Uniform', lambda t: D(t).Uniform(t.tensor([1., 0.]), t.tensor([0., 1.])), name='low_ge_high')
check('distributions.Uniform.log_prob', lambda t: D(t).Uniform(0., 1.).log_prob(t.tensor([2.])),
      name='outside_support')
check('distributions.Multinomial', lambda t: D(t).Multinomial(t.tensor(3), t.ones(2)), name='tensor_count')
check('distributions.Multinomial.log_prob', lambda t: D(t).Multinomial(3, t.ones(2)).log_prob(t.tensor([2., 2.])),
      name='outside_support')
check('distributions.MultivariateNormal', lambda t: D(t).MultivariateNormal(t.zeros(2), t.tensor([[1., 2.], [2., 1.]])),
      name='not_positive_definite')
check('distributions.MultivariateNormal', lambda t: D(t).MultivariateNormal(t.zeros(2)), name='no_matrix')
check('distributions.MultivariateNormal', lambda t: D(t).MultivariateNormal(t.tensor(0.), t.eye(2)), name='scalar_loc')
check('distributions.MultivariateNormal', lambda t: D(t).MultivariateNormal(t.zeros(2), scale_tril=t.ones(2, 2)),
      name='invalid_scale_tril')
check('distributions.Independent', lambda t: D(t).Independent(D(t).Normal(t.zeros(2), 1.), 2), name='too_many_dims')
check('distributions.Beta', lambda t: D(t).Beta(t.tensor([1., -1.]), 1.), name='invalid_concentration')
check('distributions.Gamma', lambda t: D(t).Gamma(t.tensor([1., -1.]), 1.), name='invalid_concentration')


@case('distributions.Distribution.set_default_validate_args')
def set_default_validate_args(torch):
    d = D(torch)
    try:
        d.Distribution.set_default_validate_args(False)
        n = d.Normal(0., -1.)
        out = (repr(n), n._validate_args, d.Normal(0., 1.).log_prob(torch.tensor([1., 2.])))
    finally:
        d.Distribution.set_default_validate_args(True)
    return out + (d.Distribution._validate_args,)


check('distributions.Distribution.set_default_validate_args',
      lambda t: D(t).Distribution.set_default_validate_args(2), name='bad_value')


@case('distributions.Distribution.sample_n', exact=True)
def sample_n(torch):
    import warnings
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        torch.manual_seed(0)
        x = D(torch).Normal(torch.zeros(2), 1.).sample_n(3)
    return x, [(x.category.__name__, str(x.message)) for x in w]


# -- kl_divergence ---------------------------------------------------------------------------

@case('distributions.kl_divergence')
def kl_pairs(torch):
    d = D(torch)
    kl = d.kl_divergence
    p = _params(torch)
    out = [
        kl(d.Normal(p['loc'], p['scale']), d.Normal(torch.zeros(3), torch.tensor([1., 2., 3.]))),
        kl(d.Categorical(logits=p['logits']), d.Categorical(torch.tensor([0.1, 0.2, 0.3, 0.4]))),
        kl(d.Categorical(torch.tensor([0.5, 0.5, 0.])), d.Categorical(torch.tensor([0.2, 0., 0.8]))),
        kl(d.OneHotCategorical(logits=p['logits']), d.OneHotCategorical(logits=torch.zeros(4))),
        kl(d.Bernoulli(p['probs']), d.Bernoulli(torch.tensor([0.5, 0.5, 0., 1.]))),
        kl(d.Uniform(0., 1.), d.Uniform(torch.tensor([-1., 0.5]), 2.)),
        kl(d.MultivariateNormal(torch.zeros(2), torch.tensor([[2., .3], [.3, 1.]])),
           d.MultivariateNormal(torch.ones(3, 2), scale_tril=torch.eye(2) * 1.5)),
        kl(d.Beta(torch.tensor([0.5, 2.]), 1.), d.Beta(3., torch.tensor([1., 4.]))),
        kl(d.Gamma(torch.tensor([0.5, 2.]), 1.), d.Gamma(3., torch.tensor([1., 4.]))),
        kl(d.Dirichlet(torch.tensor([1., 2., 3.])), d.Dirichlet(torch.tensor([2., 2., 2.]))),
        kl(d.Independent(d.Normal(p['loc'], p['scale']), 1), d.Independent(d.Normal(torch.zeros(3), 1.), 1)),
        kl(d.Uniform(0.2, 0.8), d.Normal(0., 1.)), kl(d.Normal(0., 1.), d.Uniform(0., 1.)),
        kl(d.Beta(2., 3.), d.Normal(0., 1.)), kl(d.Uniform(0.2, 0.8), d.Beta(2., 3.)),
        kl(d.Binomial(5, torch.tensor([0.3, 0.6])), d.Binomial(5, torch.tensor([0.5, 0.5]))),
    ]
    total = out[0].sum() + out[1].sum() + out[4][:2].sum() + out[10]
    total.backward()
    return out, p['loc'].grad, p['scale'].grad, p['logits'].grad, p['probs'].grad


check('distributions.kl_divergence', lambda t: D(t).kl_divergence(D(t).Normal(0., 1.), D(t).Categorical(t.ones(2))),
      name='not_implemented')


@case('distributions.register_kl')
def register_kl_custom(torch):
    d = D(torch)

    class MyNormal(d.Normal):
        pass

    @d.register_kl(MyNormal, d.Normal)
    def _kl(p, q):
        return torch.tensor(42.)

    a = d.kl_divergence(MyNormal(0., 1.), d.Normal(0., 2.))
    b = d.kl_divergence(d.Normal(0., 1.), d.Normal(0., 2.))
    return a, b


@case('distributions.Gamma.rsample', exact=True)
def gamma_rsample_rate_grad(torch):
    rate = torch.tensor([1.0, 2.0, 0.5], requires_grad=True)
    torch.manual_seed(9)
    x = D(torch).Gamma(torch.tensor([0.3, 1.5, 4.0]), rate).rsample((2,))
    x.sum().backward()
    return x, rate.grad


@case('distributions.Beta.sample', exact=True)
def beta_sample_params_require_grad(torch):
    a = torch.tensor([0.5, 2.0], requires_grad=True)
    torch.manual_seed(4)
    s = D(torch).Beta(a, torch.tensor([1.0, 0.25])).sample((3,))
    return s, s.requires_grad


@case('distributions.Normal')
def int_and_mixed_args(torch):
    d = D(torch)
    n = d.Normal(0, 1)
    m = d.Normal(torch.zeros(2, dtype=torch.float64), 1)
    return (n.loc, n.scale, n.batch_shape, m.scale, n.log_prob(torch.tensor([0.5, 1.0], dtype=torch.float64)),
            m.log_prob(torch.tensor([1, 2])))


check('distributions.Uniform.cdf', lambda t: D(t).Uniform(0., 1.).cdf(t.tensor([1.5])), name='outside_support')


@case('distributions.MultivariateNormal.log_prob')
def mvn_precision_grad(torch):
    P = torch.tensor([[2., 0.5], [0.5, 1.]], requires_grad=True)
    m = D(torch).MultivariateNormal(torch.zeros(3, 2), precision_matrix=P)
    lp = m.log_prob(torch.tensor([[1., 0.], [0., 1.], [1., 1.]]))
    lp.sum().backward()
    return lp, P.grad, m.scale_tril, m.covariance_matrix, repr(m)


@case('distributions.Multinomial.log_prob')
def multinomial_zero_prob_category(torch):
    p = torch.tensor([0.0, 0.4, 0.6], requires_grad=True)
    m = D(torch).Multinomial(4, p)
    lp = m.log_prob(torch.tensor([0., 1., 3.]))
    lp.backward()
    return lp, p.grad, repr(m.support), repr(D(torch).Categorical(p).support)
