import math
from numbers import Number, Real

import faketorch as ft
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ['GeneralizedPareto']


class GeneralizedPareto(Distribution):
    """Generalized Pareto with ``loc``, ``scale`` and shape ``concentration`` (xi); xi = 0 is the
    exponential limit, handled with a safe-concentration ``where`` as torch does."""
    arg_constraints = {'loc': constraints.real, 'scale': constraints.positive, 'concentration': constraints.real}
    has_rsample = True

    def __init__(self, loc, scale, concentration, validate_args=None):
        self.loc, self.scale, self.concentration = broadcast_all(loc, scale, concentration)
        scalar = all(isinstance(v, Number) for v in (loc, scale, concentration))
        super().__init__(ft.Size() if scalar else self.loc.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(GeneralizedPareto, batch_shape, _instance, ('loc', 'scale', 'concentration'))

    def rsample(self, sample_shape=ft.Size()):
        u = ft.rand(self._extended_shape(sample_shape), dtype=self.loc.dtype, device=self.loc.device)
        return self.icdf(u)

    def _safe(self, zero_like):
        eq_zero = ft.isclose(self.concentration, zero_like)
        return eq_zero, ft.where(eq_zero, ft.ones_like(self.concentration), self.concentration)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = self._z(value)
        eq_zero, xi = self._safe(ft.tensor(0.0))
        y = 1 / xi + ft.ones_like(z)
        nonzero = ft.where(y == 0, y, y * ft.log1p(xi * z))
        log_scale = math.log(self.scale) if isinstance(self.scale, Real) else self.scale.log()
        return -log_scale - ft.where(eq_zero, z, nonzero)

    def log_survival_function(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = self._z(value)
        eq_zero, xi = self._safe(ft.tensor(0.0))
        return ft.where(eq_zero, -z, -ft.log1p(xi * z) / xi)

    def log_cdf(self, value):
        return ft.log1p(-ft.exp(self.log_survival_function(value)))

    def cdf(self, value):
        return ft.exp(self.log_cdf(value))

    def icdf(self, value):
        eq_zero, xi = self._safe(ft.zeros_like(self.concentration))
        logu = ft.log1p(-value)
        return ft.where(eq_zero, self.loc - self.scale * logu, self.loc + self.scale / xi * ft.expm1(-xi * logu))

    def _z(self, x):
        return (x - self.loc) / self.scale

    @property
    def mean(self):
        valid = self.concentration < 1
        xi = ft.where(valid, self.concentration, 0.5)
        return ft.where(valid, self.loc + self.scale / (1 - xi), math.nan)

    @property
    def variance(self):
        valid = self.concentration < 0.5
        xi = ft.where(valid, self.concentration, 0.25)
        return ft.where(valid, self.scale ** 2 / ((1 - xi) ** 2 * (1 - 2 * xi)), math.nan)

    def entropy(self):
        return ft.broadcast_to(ft.log(self.scale) + self.concentration + 1, self._batch_shape)

    @property
    def mode(self):
        return self.loc

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        upper = ft.where(self.concentration < 0, self.loc - self.scale / self.concentration, math.inf)
        return constraints.interval(self.loc, upper)
