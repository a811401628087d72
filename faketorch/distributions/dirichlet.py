import faketorch as ft
from . import constraints
from ._gamma_sampling import sample_dirichlet
from .exp_family import ExponentialFamily

__all__ = ['Dirichlet']


def _Dirichlet_backward(x, concentration, grad_output):
    """The gradient of Dirichlet samples x w.r.t. concentration, from Beta marginals."""
    total = concentration.sum(-1, True).expand_as(concentration)
    grad = ft._dirichlet_grad(x, concentration, total)
    return grad * (grad_output - (x * grad_output).sum(-1, True))


class _Dirichlet(ft.autograd.Function):
    @staticmethod
    def forward(ctx, concentration):
        x = sample_dirichlet(concentration)
        ctx.save_for_backward(x, concentration)
        return x

    @staticmethod
    @ft.autograd.function.once_differentiable
    def backward(ctx, grad_output):
        return _Dirichlet_backward(*ctx.saved_tensors, grad_output)


class Dirichlet(ExponentialFamily):
    """Dirichlet distribution over the simplex, parameterised by ``concentration``."""
    arg_constraints = {'concentration': constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError('`concentration` parameter must be at least one-dimensional.')
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(Dirichlet, batch_shape, _instance, ('concentration',))

    def rsample(self, sample_shape=()):
        return _Dirichlet.apply(self.concentration.expand(self._extended_shape(sample_shape)))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        a = self.concentration
        return ft.xlogy(a - 1.0, value).sum(-1) + ft.lgamma(a.sum(-1)) - ft.lgamma(a).sum(-1)

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self):
        am1 = (self.concentration - 1).clamp(min=0.0)
        mode = am1 / am1.sum(-1, True)
        # all concentrations < 1: the density peaks at a vertex
        corner = (self.concentration < 1).all(dim=-1)
        mode[corner] = ft.nn.functional.one_hot(mode[corner].argmax(dim=-1), am1.shape[-1]).to(mode)
        return mode

    @property
    def variance(self):
        a0 = self.concentration.sum(-1, True)
        return self.concentration * (a0 - self.concentration) / (a0.pow(2) * (a0 + 1))

    def entropy(self):
        a = self.concentration
        k = a.size(-1)
        a0 = a.sum(-1)
        return (ft.lgamma(a).sum(-1) - ft.lgamma(a0) - (k - a0) * ft.digamma(a0)
                - ((a - 1.0) * ft.digamma(a)).sum(-1))

    @property
    def _natural_params(self):
        return (self.concentration,)

    def _log_normalizer(self, x):
        return x.lgamma().sum(-1) - ft.lgamma(x.sum(-1))
