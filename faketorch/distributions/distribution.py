"""Distribution: the base class (shapes, argument/sample validation, repr, sample via rsample)."""
import warnings

import faketorch as ft
from . import constraints
from .utils import lazy_property

__all__ = ['Distribution']


def _all_true(mask):
    return bool(mask.all())


class Distribution:
    """Abstract base class for probability distributions.

    ``batch_shape`` indexes independent, differently-parameterised distributions;
    ``event_shape`` is the shape of one sample of one of them."""
    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__  # torch: on unless python -O

    @staticmethod
    def set_default_validate_args(value):
        if value not in [True, False]:
            raise ValueError
        Distribution._validate_args = value

    def __init__(self, batch_shape=ft.Size(), event_shape=ft.Size(), validate_args=None):
        self._batch_shape = batch_shape
        self._event_shape = event_shape
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            self._check_args()
        super().__init__()

    def _check_args(self):
        try:
            arg_constraints = self.arg_constraints
        except NotImplementedError:
            arg_constraints = {}
            warnings.warn(f'{self.__class__} does not define `arg_constraints`. Please set '
                          '`arg_constraints = {}` or initialize the distribution with '
                          '`validate_args=False` to turn off validation.', stacklevel=3)
        for param, constraint in arg_constraints.items():
            if constraints.is_dependent(constraint):
                continue
            if param not in self.__dict__ and isinstance(getattr(type(self), param), lazy_property):
                continue  # the other parameterisation was given; this one is derived lazily
            value = getattr(self, param)
            if not _all_true(constraint.check(value)):
                raise ValueError(f'Expected parameter {param} ({type(value).__name__} of shape '
                                 f'{tuple(value.shape)}) of distribution {self!r} to satisfy the '
                                 f'constraint {constraint!r}, but found invalid values:\n{value}')

    def expand(self, batch_shape, _instance=None):
        raise NotImplementedError

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return self._event_shape

    @property
    def arg_constraints(self):
        raise NotImplementedError

    @property
    def support(self):
        raise NotImplementedError

    @property
    def mean(self):
        raise NotImplementedError

    @property
    def mode(self):
        raise NotImplementedError(f'{self.__class__} does not implement mode')

    @property
    def variance(self):
        raise NotImplementedError

    @property
    def stddev(self):
        return self.variance.sqrt()

    def sample(self, sample_shape=ft.Size()):
        with ft.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=ft.Size()):
        raise NotImplementedError

    def sample_n(self, n):
        warnings.warn('`sample_n(n)` will be deprecated. Use `sample((n,))` instead.', FutureWarning,
                      stacklevel=2)
        return self.sample(ft.Size((n,)))

    def log_prob(self, value):
        raise NotImplementedError

    def cdf(self, value):
        raise NotImplementedError

    def icdf(self, value):
        raise NotImplementedError

    def enumerate_support(self, expand=True):
        raise NotImplementedError

    def entropy(self):
        raise NotImplementedError

    def perplexity(self):
        return ft.exp(self.entropy())

    def _extended_shape(self, sample_shape=ft.Size()):
        """sample_shape + batch_shape + event_shape."""
        if not isinstance(sample_shape, ft.Size):
            sample_shape = ft.Size(sample_shape)
        return ft.Size(sample_shape + self._batch_shape + self._event_shape)

    def _validate_sample(self, value):
        """Check that ``value`` broadcasts with batch_shape + event_shape and lies in the support."""
        if not isinstance(value, ft.Tensor):
            raise ValueError('The value argument to log_prob must be a Tensor')
        start = len(value.size()) - len(self._event_shape)
        if value.size()[start:] != self._event_shape:
            raise ValueError('The right-most size of value must match event_shape: '
                             f'{value.size()} vs {self._event_shape}.')
        actual, expected = value.size(), self._batch_shape + self._event_shape
        for i, j in zip(reversed(actual), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                raise ValueError('Value is not broadcastable with batch_shape+event_shape: '
                                 f'{actual} vs {expected}.')
        try:
            support = self.support
        except NotImplementedError:
            warnings.warn(f'{self.__class__} does not define `support` to enable sample validation. '
                          'Please initialize the distribution with `validate_args=False` to turn off '
                          'validation.', stacklevel=3)
            return
        if support is None:
            raise AssertionError('support is unexpectedly None')
        if not _all_true(support.check(value)):
            raise ValueError(f'Expected value argument ({type(value).__name__} of shape '
                             f'{tuple(value.shape)}) to be within the support ({support!r}) of the '
                             f'distribution {self!r}, but found invalid values:\n{value}')

    def _get_checked_instance(self, cls, _instance=None):
        if _instance is None and type(self).__init__ != cls.__init__:
            raise NotImplementedError(f'Subclass {self.__class__.__name__} of {cls.__name__} that defines '
                                      'a custom __init__ method must also define a custom .expand() method.')
        return self.__new__(type(self)) if _instance is None else _instance

    def _expanded(self, cls, batch_shape, _instance, names, event_shape=None):
        """The common body of ``expand``: a new instance whose tensors ``names`` are expanded to
        batch_shape (+ their own trailing dims), without re-validating."""
        new = self._get_checked_instance(cls, _instance)
        batch_shape = ft.Size(batch_shape)
        for name in names:
            if name in self.__dict__:
                t = self.__dict__[name]
                extra = t.shape[len(self._batch_shape):]
                setattr(new, name, t.expand(batch_shape + extra))
        Distribution.__init__(new, batch_shape, self._event_shape if event_shape is None else event_shape,
                              validate_args=False)
        new._validate_args = self._validate_args
        return new

    def __repr__(self):
        shown = [k for k in self.arg_constraints if k in self.__dict__]
        # a one-element parameter prints its value (0-dim formats as a number), else its size
        args = ', '.join(f'{k}: {self.__dict__[k] if self.__dict__[k].numel() == 1 else self.__dict__[k].size()}'
                         for k in shown)
        return f'{type(self).__name__}({args})'
