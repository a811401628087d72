"""torch.distributions edge rules found by fuzzing against torch: shapes of samples from
Python-number parameters, unvalidated out-of-range parameters reaching the samplers, and the
order in which constraint checks fail. One case per rule."""
from conformance import case, check, outcomes
from conformance.cases.distributions import D


@case('distributions.Gamma.sample')
def scalar_parameters_give_0dim_samples(torch):
    # Gamma and the distributions built on it (Chi2, StudentT, InverseGamma) from Python numbers
    torch.manual_seed(7)
    d = D(torch)
    xs = (d.Gamma(2., 3.).sample(), d.Chi2(3.).rsample(), d.StudentT(3.).sample(torch.Size()),
          d.InverseGamma(3., 2.).rsample(), torch._standard_gamma(torch.tensor(2.)),
          d.Gamma(2., 3.).expand(()).sample())
    return [(x.shape, x.dtype) for x in xs]     # the rule is the shape; CUDA streams differ


@case('distributions.Gamma.sample')
def negative_concentration_unvalidated(torch):
    # torch's sampler gives nan for alpha < 0 and clamps it to the smallest normal number
    torch.manual_seed(3)
    d = D(torch)
    return (torch._standard_gamma(torch.tensor([-2., -1., -0.5, 0., 2.])),
            torch._standard_gamma(torch.tensor([-2., 3.], dtype=torch.float64)),
            d.Beta(torch.tensor([-2., .5]), torch.tensor([3., 1.]), validate_args=False).sample(),
            d.Dirichlet(torch.tensor([-1., 2.]), validate_args=False).sample((2,)),
            d.NegativeBinomial(-3., torch.tensor([0.3]), validate_args=False).sample((3,)))


@case('distributions.Bernoulli.sample')
def out_of_range_parameters_unvalidated(torch):
    d = D(torch)
    return outcomes(lambda: d.Bernoulli(torch.tensor([0.3, 1.5]), validate_args=False).sample(),
                    lambda: d.Bernoulli(torch.tensor([0.3, float('nan')]), validate_args=False).sample(),
                    lambda: torch.bernoulli(torch.tensor([-0.1])),
                    lambda: torch.zeros(2).bernoulli_(torch.tensor([0.3, 1.5])),
                    lambda: d.Poisson(torch.tensor([-1.]), validate_args=False).sample(),
                    lambda: torch.poisson(torch.tensor([float('nan')])))


@case('distributions.constraints.lower_cholesky.check')
def lower_cholesky_check_of_a_vector(torch):
    c = D(torch).constraints
    return outcomes(lambda: c.lower_cholesky.check(torch.tensor([1., 2.])),
                    lambda: c.corr_cholesky.check(torch.tensor([1., 0.])),
                    lambda: c.lower_cholesky.check(torch.tensor([[1., 0.], [0.5, 1.]])))


@case('distributions.Binomial.sample')
def binomial_sampling(torch):
    # torch.binomial: inversion below count * p = 10, BTRS above, count - sample for p > 0.5
    torch.manual_seed(5)
    d = D(torch)
    counts = torch.tensor([5., 20., 100., 1000., 0., 7., 3., 50., 1e5, 13.])
    probs = torch.tensor([0.3, 0.3, 0.05, 0.7, 0.5, 1., 0., 0.9, 0.45, 0.999])
    return (torch.binomial(counts.repeat(3), probs.repeat(3)),
            torch.binomial(counts.double(), probs.double()),
            d.Binomial(10, torch.tensor([0.3, 0.6])).sample((4,)),
            d.Binomial(torch.tensor([[5.], [40.]]), logits=torch.tensor([0., 1., -2.])).sample((2,)),
            torch.binomial(torch.tensor([5., -1.]), torch.tensor([float('nan'), 0.3])),
            outcomes(lambda: torch.binomial(torch.tensor([5]), torch.tensor([0])),
                     lambda: torch.binomial(torch.tensor([5.]), torch.tensor([0.3], dtype=torch.float64)),
                     lambda: torch.binomial(torch.tensor([5., 3.]), torch.tensor([0.3, 0.2, 0.1]))))


@case('distributions.HalfNormal.log_prob')
def half_normal_log_prob_keeps_value_dtype(torch):
    # HalfNormal keeps the value's dtype; HalfCauchy converts the value to the parameters'
    d = D(torch).HalfNormal(1., validate_args=False)
    c = D(torch).HalfCauchy(1., validate_args=False)
    return (d.log_prob(torch.tensor([1., 0.5], dtype=torch.float64)),
            d.log_prob(torch.tensor([1., -0.5], dtype=torch.float16)),
            c.log_prob(torch.tensor([1., -0.5], dtype=torch.float64)), c.log_prob(0.5))


@case('distributions.Exponential.sample')
def integer_parameters_reach_float_only_samplers(torch):
    # integer parameter tensors make integer sample buffers, which torch's kernels refuse
    d = D(torch)
    return outcomes(lambda: d.Exponential(torch.tensor([1, 2])).sample(),
                    lambda: d.Cauchy(torch.tensor([0, 1]), 1.).sample(),
                    lambda: d.Poisson(torch.tensor([1, 2])).sample(),
                    lambda: d.Beta(torch.tensor([2, 3]), 3.).sample(),
                    lambda: torch.zeros(2, dtype=torch.uint8).cauchy_(),
                    lambda: torch.zeros(2, dtype=torch.int16).exponential_(),
                    lambda: torch.zeros(2, dtype=torch.int32).log_normal_(),
                    lambda: torch.zeros(2, dtype=torch.bool).geometric_(0.5),
                    lambda: torch.zeros(2, dtype=torch.int32).geometric_(0.5).dtype,
                    lambda: torch._sample_dirichlet(torch.ones(2, dtype=torch.float16)))


@case('distributions.transforms.CatTransform')
def cat_stack_transform_size_messages(torch):
    d = D(torch)
    cat = d.CatTransform([d.ExpTransform(), d.AbsTransform()], 0, [1, 1])
    stack = d.StackTransform([d.ExpTransform(), d.SigmoidTransform()], 0)
    x3 = torch.tensor([0.2, 0.3, 0.5])
    return outcomes(lambda: cat(x3), lambda: cat.inv(x3), lambda: cat.log_abs_det_jacobian(x3, x3),
                    lambda: stack(x3), lambda: stack.inv(x3), lambda: stack.log_abs_det_jacobian(x3, x3),
                    lambda: d.CatTransform([d.ExpTransform()], 1, [1])(torch.zeros(2)),
                    lambda: d.CatTransform([d.ExpTransform()], 1, [1]).log_abs_det_jacobian(torch.zeros(2, 1), torch.zeros(2)))


@case('distributions.MultivariateNormal.expand')
def mvn_expand_matrices_to_event_shape(torch):
    # a loc longer than the covariance passes the constructor; expand then fails as torch
    d = D(torch)
    cov = torch.tensor([[2., .5], [.5, 1.]])
    m = d.MultivariateNormal(torch.zeros(3, 2), cov).expand((4, 3))
    return outcomes(lambda: (m.covariance_matrix.shape, m.loc.shape, m.batch_shape),
                    lambda: d.MultivariateNormal(torch.tensor([0., 1., 2.]), cov).expand((2,)))


@case('distributions.utils.broadcast_all')
def broadcast_all_accepts_int_float_bool_only(torch):
    u = D(torch).utils
    return outcomes(lambda: u.broadcast_all(1 + 2j, 1.), lambda: D(torch).Normal(1j, 1.),
                    lambda: u.broadcast_all(True, 1.), lambda: u.broadcast_all(1, torch.tensor([1., 2.])))


@case('distributions.transforms.StickBreakingTransform')
def zero_dim_value_to_simplex_transforms(torch):
    # y[..., :-1] on a 0-dim value: torch's too-many-indices IndexError
    d = D(torch)
    x = torch.tensor(0.5)
    return outcomes(lambda: d.StickBreakingTransform().inv(x),
                    lambda: d.LogisticNormal(torch.zeros(2), 1.).log_prob(x),
                    lambda: d.LogisticNormal(torch.zeros(2), 1.).cdf(x),
                    lambda: x[..., None, :-1], lambda: torch.zeros(2)[..., 0, :-1])


@case('distributions.NegativeBinomial.variance', exact=True)     # the rule is one float16 ulp
def half_precision_sigmoid_in_float32(torch):
    # NegativeBinomial.variance divides by sigmoid(-logits): torch's float16 sigmoid is float32 math, rounded once
    d = D(torch).NegativeBinomial(torch.tensor([2., 3.], dtype=torch.float16),
                                  torch.tensor([3., 4.], dtype=torch.float16) / 10)
    x = torch.tensor([0.8477, 0.3, -2.5, 5.1, 0.1])
    return d.variance, torch.sigmoid(x.half()), torch.sigmoid(-x.half()), torch.sigmoid(x.bfloat16())
