"""faketorch.distributions: torch.distributions on faketorch tensors.

Sampling draws from faketorch's generator with the same calls as torch (normal, normal_,
multinomial, bernoulli, rand, torch's CPU gamma sampler), so seeded samples are identical;
log_prob, entropy and rsample are built from faketorch ops and backpropagate."""
from . import constraints
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .categorical import Categorical
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .gamma import Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .multinomial import Multinomial
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from .uniform import Uniform
from . import kl, utils

__all__ = ['Bernoulli', 'Beta', 'Binomial', 'Categorical', 'Dirichlet', 'Distribution', 'ExponentialFamily',
           'Gamma', 'Independent', 'Multinomial', 'MultivariateNormal', 'Normal', 'OneHotCategorical',
           'OneHotCategoricalStraightThrough', 'Uniform', 'constraints', 'kl_divergence', 'register_kl']
