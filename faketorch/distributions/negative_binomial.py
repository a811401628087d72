import faketorch as ft
from . import constraints
from .distribution import Distribution
from .gamma import Gamma
from .utils import _BinaryParams, broadcast_all, lazy_property

__all__ = ['NegativeBinomial']


class NegativeBinomial(_BinaryParams, Distribution):
    """Number of successes before ``total_count`` failures, each trial succeeding with ``probs``;
    sampled as a Poisson-Gamma mixture, as torch does."""
    arg_constraints = {'total_count': constraints.greater_than_eq(0), 'probs': constraints.half_open_interval(0.0, 1.0),
                       'logits': constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, total_count, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError('Either `probs` or `logits` must be specified, but not both.')
        if probs is not None:
            self.total_count, self.probs = broadcast_all(total_count, probs)
            self._param = self.probs
        else:
            self.total_count, self.logits = broadcast_all(total_count, logits)
            self._param = self.logits
        self.total_count = self.total_count.type_as(self._param)
        super().__init__(self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expanded(NegativeBinomial, batch_shape, _instance, ('total_count', 'probs', 'logits'))
        new._param = new.__dict__['logits' if 'logits' in self.__dict__ else 'probs']
        return new

    @property
    def mean(self):
        return self.total_count * ft.exp(self.logits)

    @property
    def mode(self):
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self):
        return self.mean / ft.sigmoid(-self.logits)

    @lazy_property
    def _gamma(self):
        return Gamma(concentration=self.total_count, rate=ft.exp(-self.logits), validate_args=False)

    def sample(self, sample_shape=ft.Size()):
        with ft.no_grad():
            return ft.poisson(self._gamma.sample(sample_shape=sample_shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logsigmoid = ft.nn.functional.logsigmoid
        n = self.total_count
        unnormalized = n * logsigmoid(-self.logits) + value * logsigmoid(self.logits)
        normalization = -ft.lgamma(n + value) + ft.lgamma(1.0 + value) + ft.lgamma(n)
        # n + value == 0 is the point mass at 0 of NegativeBinomial(0, p): log 1
        normalization = normalization.masked_fill(n + value == 0.0, 0.0)
        return unnormalized - normalization
