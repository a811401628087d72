from numbers import Number

import faketorch as ft
from . import constraints
from .distribution import Distribution
from .utils import _BinaryParams, broadcast_all

__all__ = ['Geometric']


class Geometric(_BinaryParams, Distribution):
    """Number of failures before the first success in Bernoulli(probs) trials."""
    arg_constraints = {'probs': constraints.unit_interval, 'logits': constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError('Either `probs` or `logits` must be specified, but not both.')
        if probs is not None:
            self.probs, = broadcast_all(probs)
        else:
            self.logits, = broadcast_all(logits)
        given = probs if probs is not None else logits
        super().__init__(ft.Size() if isinstance(given, Number) else given.size(), validate_args=validate_args)
        if self._validate_args and probs is not None:
            valid = self.probs > 0
            if not valid.all():
                raise ValueError(f'Expected parameter probs ({type(self.probs).__name__} of shape '
                                 f'{tuple(self.probs.shape)}) of distribution {self!r} to be positive but found '
                                 f'invalid values:\n{self.probs.data[~valid]}')

    def expand(self, batch_shape, _instance=None):
        return self._expanded(Geometric, batch_shape, _instance, ('probs', 'logits'))

    @property
    def mean(self):
        return 1.0 / self.probs - 1.0

    @property
    def mode(self):
        return ft.zeros_like(self.probs)

    @property
    def variance(self):
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape=ft.Size()):
        shape = self._extended_shape(sample_shape)
        tiny = ft.finfo(self.probs.dtype).tiny
        with ft.no_grad():
            u = ft.empty(shape, dtype=self.probs.dtype, device=self.probs.device).uniform_(tiny, 1)
            return (u.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        probs = probs.clone(memory_format=ft.contiguous_format)
        probs[(probs == 1) & (value == 0)] = 0  # 0 * log(0) counts as 0 at the certain first success
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self):
        bce = ft.nn.functional.binary_cross_entropy_with_logits(self.logits, self.probs, reduction='none')
        return bce / self.probs
