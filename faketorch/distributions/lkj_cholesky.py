import math

import faketorch as ft
from . import constraints
from .beta import Beta
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ['LKJCholesky']


class LKJCholesky(Distribution):
    """LKJ distribution over lower Cholesky factors L of correlation matrices: the density of
    L @ L.T is proportional to det(L @ L.T) ** (concentration - 1). Samples use the onion method
    (Lewandowski, Kurowicka & Joe, 2009), vectorised as torch does."""
    arg_constraints = {'concentration': constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim, concentration=1.0, validate_args=None):
        if dim < 2:
            raise ValueError(f'Expected dim to be an integer greater than or equal to 2. Found dim={dim}.')
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        # row i of the factor draws its squared off-diagonal norm from Beta(i / 2, eta + (dim - 2 - i) / 2)
        marginal_conc = self.concentration + 0.5 * (self.dim - 2)
        offset = ft.arange(self.dim - 1, dtype=self.concentration.dtype, device=self.concentration.device)
        offset = ft.cat([offset.new_zeros((1,)), offset])
        self._beta = Beta(offset + 0.5, marginal_conc.unsqueeze(-1) - 0.5 * offset)
        super().__init__(self.concentration.size(), ft.Size((dim, dim)), validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(LKJCholesky, _instance)
        batch_shape = ft.Size(batch_shape)
        new.dim = self.dim
        new.concentration = self.concentration.expand(batch_shape)
        new._beta = self._beta.expand(batch_shape + (self.dim,))
        super(LKJCholesky, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def sample(self, sample_shape=ft.Size()):
        y = self._beta.sample(sample_shape).unsqueeze(-1)
        u = ft.randn(self._extended_shape(sample_shape), dtype=y.dtype, device=y.device).tril(-1)
        u = u / u.norm(dim=-1, keepdim=True)
        u[..., 0, :].fill_(0.0)            # row 0 is 0/0 = NaN above
        w = ft.sqrt(y) * u
        diag = ft.clamp(1 - ft.sum(w ** 2, dim=-1), min=ft.finfo(w.dtype).tiny).sqrt()
        w += ft.diag_embed(diag)
        return w

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        # density of the factor: prod_i L_ii ** (2 (eta - 1) + dim - i), i = 2..dim (Jacobian of L -> L L^T)
        diag = value.diagonal(dim1=-1, dim2=-2)[..., 1:]
        order = ft.arange(2, self.dim + 1, device=self.concentration.device)
        order = 2 * (self.concentration - 1).unsqueeze(-1) + self.dim - order
        unnormalized = ft.sum(order * diag.log(), dim=-1)
        dm1 = self.dim - 1
        alpha = self.concentration + 0.5 * dm1
        normalizer = 0.5 * dm1 * math.log(math.pi) + ft.mvlgamma(alpha - 0.5, dm1) - ft.lgamma(alpha) * dm1
        return unnormalized - normalizer
