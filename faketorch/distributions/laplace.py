from numbers import Number

import faketorch as ft
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ['Laplace']


class Laplace(Distribution):
    """Laplace (double exponential) distribution with location ``loc`` and scale ``scale``."""
    arg_constraints = {'loc': constraints.real, 'scale': constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        scalar = isinstance(loc, Number) and isinstance(scale, Number)
        super().__init__(ft.Size() if scalar else self.loc.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(Laplace, batch_shape, _instance, ('loc', 'scale'))

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return 2 * self.scale.pow(2)

    @property
    def stddev(self):
        return (2 ** 0.5) * self.scale

    def rsample(self, sample_shape=ft.Size()):
        shape = self._extended_shape(sample_shape)
        # u in [eps - 1, 1): log1p(-|u|) stays finite
        u = ft.empty(shape, dtype=self.loc.dtype, device=self.loc.device).uniform_(ft.finfo(self.loc.dtype).eps - 1, 1)
        return self.loc - self.scale * u.sign() * ft.log1p(-u.abs())

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -ft.log(2 * self.scale) - ft.abs(value - self.loc) / self.scale

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = value - self.loc
        return 0.5 - 0.5 * z.sign() * ft.expm1(-z.abs() / self.scale)

    def icdf(self, value):
        term = value - 0.5
        return self.loc - self.scale * term.sign() * ft.log1p(-2 * term.abs())

    def entropy(self):
        return 1 + ft.log(2 * self.scale)
