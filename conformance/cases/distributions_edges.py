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
