import math

import faketorch as ft
from . import constraints
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import AbsTransform

__all__ = ['HalfNormal']


class _Half(TransformedDistribution):
    """|X| for X symmetric about 0 (shared by HalfNormal and HalfCauchy)."""
    arg_constraints = {'scale': constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def expand(self, batch_shape, _instance=None):
        return TransformedDistribution.expand(self, batch_shape, self._get_checked_instance(type(self), _instance))

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mode(self):
        return ft.zeros_like(self.scale)

    _value_as_param_dtype = False

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        # torch's HalfCauchy converts value to the parameters' dtype; HalfNormal keeps value's
        # (a float64 value gives float64 log-probabilities, a Python number fails in where)
        if self._value_as_param_dtype:
            value = ft.as_tensor(value, dtype=self.scale.dtype, device=self.scale.device)
        return ft.where(value >= 0, self.base_dist.log_prob(value) + math.log(2), -math.inf)

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        return self.base_dist.entropy() - math.log(2)


class HalfNormal(_Half):
    """|X| for X ~ Normal(0, scale)."""

    def __init__(self, scale, validate_args=None):
        super().__init__(Normal(0, scale, validate_args=False), AbsTransform(), validate_args=validate_args)

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def variance(self):
        return self.scale.pow(2) * (1 - 2 / math.pi)
