import math
from numbers import Number

import faketorch as ft
from . import constraints
from .exp_family import ExponentialFamily
from .utils import broadcast_all, clamp_probs, lazy_property, logits_to_probs, probs_to_logits

__all__ = ['ContinuousBernoulli']


class ContinuousBernoulli(ExponentialFamily):
    """Density proportional to p^x (1-p)^(1-x) on [0, 1]. Near p = 1/2 (inside ``lims``) the
    normaliser and moments switch to Taylor expansions, as torch does."""
    arg_constraints = {'probs': constraints.unit_interval, 'logits': constraints.real}
    support = constraints.unit_interval
    _mean_carrier_measure = 0
    has_rsample = True

    def __init__(self, probs=None, logits=None, lims=(0.499, 0.501), validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError('Either `probs` or `logits` must be specified, but not both.')
        if probs is not None:
            is_scalar = isinstance(probs, Number)
            self.probs, = broadcast_all(probs)
            # torch checks here only when validate_args is passed explicitly, with its own message
            if validate_args is not None and not self.arg_constraints['probs'].check(self.probs).all():
                raise ValueError('The parameter probs has invalid values')
            self.probs = clamp_probs(self.probs)
            self._param = self.probs
        else:
            is_scalar = isinstance(logits, Number)
            self.logits, = broadcast_all(logits)
            self._param = self.logits
        self._lims = lims
        super().__init__(ft.Size() if is_scalar else self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expanded(ContinuousBernoulli, batch_shape, _instance, ('probs', 'logits'))
        new._lims = self._lims
        new._param = new.__dict__['logits' if 'logits' in self.__dict__ else 'probs']
        return new

    def _new(self, *args, **kwargs):
        return self._param.new(*args, **kwargs)

    def _outside_unstable_region(self):
        return ft.max(ft.le(self.probs, self._lims[0]), ft.gt(self.probs, self._lims[1]))

    def _cut_probs(self):
        return ft.where(self._outside_unstable_region(), self.probs, self._lims[0] * ft.ones_like(self.probs))

    def _cont_bern_log_norm(self):
        p = self._cut_probs()
        below = ft.where(ft.le(p, 0.5), p, ft.zeros_like(p))
        above = ft.where(ft.ge(p, 0.5), p, ft.ones_like(p))
        log_norm = ft.log(ft.abs(ft.log1p(-p) - ft.log(p))) - ft.where(
            ft.le(p, 0.5), ft.log1p(-2.0 * below), ft.log(2.0 * above - 1.0))
        x = ft.pow(self.probs - 0.5, 2)
        taylor = math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * x) * x
        return ft.where(self._outside_unstable_region(), log_norm, taylor)

    @property
    def mean(self):
        p = self._cut_probs()
        mus = p / (2.0 * p - 1.0) + 1.0 / (ft.log1p(-p) - ft.log(p))
        x = self.probs - 0.5
        taylor = 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * ft.pow(x, 2)) * x
        return ft.where(self._outside_unstable_region(), mus, taylor)

    @property
    def stddev(self):
        return ft.sqrt(self.variance)

    @property
    def variance(self):
        p = self._cut_probs()
        var = p * (p - 1.0) / ft.pow(1.0 - 2.0 * p, 2) + 1.0 / ft.pow(ft.log1p(-p) - ft.log(p), 2)
        x = ft.pow(self.probs - 0.5, 2)
        taylor = 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * x) * x
        return ft.where(self._outside_unstable_region(), var, taylor)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return clamp_probs(logits_to_probs(self.logits, is_binary=True))

    @property
    def param_shape(self):
        return self._param.size()

    def sample(self, sample_shape=ft.Size()):
        u = ft.rand(self._extended_shape(sample_shape), dtype=self.probs.dtype, device=self.probs.device)
        with ft.no_grad():
            return self.icdf(u)

    def rsample(self, sample_shape=ft.Size()):
        u = ft.rand(self._extended_shape(sample_shape), dtype=self.probs.dtype, device=self.probs.device)
        return self.icdf(u)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        bce = ft.nn.functional.binary_cross_entropy_with_logits(logits, value, reduction='none')
        return -bce + self._cont_bern_log_norm()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        p = self._cut_probs()
        cdfs = (ft.pow(p, value) * ft.pow(1.0 - p, 1.0 - value) + p - 1.0) / (2.0 * p - 1.0)
        inside = ft.where(self._outside_unstable_region(), cdfs, value)
        return ft.where(ft.le(value, 0.0), ft.zeros_like(value),
                        ft.where(ft.ge(value, 1.0), ft.ones_like(value), inside))

    def icdf(self, value):
        p = self._cut_probs()
        return ft.where(self._outside_unstable_region(),
                        (ft.log1p(-p + value * (2.0 * p - 1.0)) - ft.log1p(-p)) / (ft.log(p) - ft.log1p(-p)),
                        value)

    def entropy(self):
        log_p0, log_p1 = ft.log1p(-self.probs), ft.log(self.probs)
        return self.mean * (log_p0 - log_p1) - self._cont_bern_log_norm() - log_p0

    @property
    def _natural_params(self):
        return (self.logits,)

    def _log_normalizer(self, x):
        outside = ft.max(ft.le(x, self._lims[0] - 0.5), ft.gt(x, self._lims[1] - 0.5))
        cut = ft.where(outside, x, (self._lims[0] - 0.5) * ft.ones_like(x))
        log_norm = ft.log(ft.abs(ft.special.expm1(cut))) - ft.log(ft.abs(cut))
        taylor = 0.5 * x + ft.pow(x, 2) / 24.0 - ft.pow(x, 4) / 2880.0
        return ft.where(outside, log_norm, taylor)
