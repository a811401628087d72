import math

import faketorch as ft
from . import constraints
from .distribution import Distribution
from .utils import _standard_normal, lazy_property

__all__ = ['MultivariateNormal']


def _batch_mv(bmat, bvec):
    """Batched matrix-vector product with broadcasting batch dims."""
    return ft.matmul(bmat, bvec.unsqueeze(-1)).squeeze(-1)


def _batch_mahalanobis(bL, bx):
    """x^T (L L^T)^{-1} x for a lower-triangular L whose batch shape broadcasts with x's.

    Like torch, x's batch dims are regrouped so that one triangular solve covers every
    (L, x) pair without materialising L expanded to x's batch shape."""
    n = bx.size(-1)
    x_batch = bx.shape[:-1]
    n_L = bL.dim() - 2
    n_outer = len(x_batch) - n_L
    # split each of x's dims matched with an L dim into (repeats, size-of-L-dim)
    new_shape = bx.shape[:n_outer]
    for sL, sx in zip(bL.shape[:-2], bx.shape[n_outer:-1]):
        new_shape += (sx // sL, sL)
    bx = bx.reshape(new_shape + (n,))
    n_new = n_outer + 2 * n_L
    perm = (list(range(n_outer)) + list(range(n_outer, n_new, 2)) + list(range(n_outer + 1, n_new, 2))
            + [n_new])
    bx = bx.permute(perm)
    flat_L = bL.reshape(-1, n, n)
    flat_x = bx.reshape(-1, flat_L.size(0), n).permute(1, 2, 0)  # (L batches, n, the rest)
    M = ft.linalg.solve_triangular(flat_L, flat_x, upper=False).pow(2).sum(-2).t()
    M = M.reshape(bx.shape[:-1])
    inv = list(range(n_outer))
    for i in range(n_L):
        inv += [n_outer + i, n_outer + n_L + i]
    return M.permute(inv).reshape(x_batch)


def _precision_to_scale_tril(P):
    # Cholesky of the flipped precision gives the inverse of the covariance's Cholesky factor
    Lf = ft.linalg.cholesky(ft.flip(P, (-2, -1)))
    L_inv = ft.transpose(ft.flip(Lf, (-2, -1)), -2, -1)
    Id = ft.eye(P.shape[-1], dtype=P.dtype, device=P.device)
    return ft.linalg.solve_triangular(L_inv, Id, upper=False)


class MultivariateNormal(Distribution):
    """Multivariate normal with mean ``loc`` and exactly one of ``covariance_matrix``,
    ``precision_matrix`` or ``scale_tril`` (lower Cholesky factor of the covariance)."""
    arg_constraints = {'loc': constraints.real_vector, 'covariance_matrix': constraints.positive_definite,
                       'precision_matrix': constraints.positive_definite,
                       'scale_tril': constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        if loc.dim() < 1:
            raise ValueError('loc must be at least one-dimensional.')
        if (covariance_matrix is not None) + (scale_tril is not None) + (precision_matrix is not None) != 1:
            raise ValueError('Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.')
        for name, mat in (('scale_tril', scale_tril), ('covariance_matrix', covariance_matrix),
                          ('precision_matrix', precision_matrix)):
            if mat is not None:
                if mat.dim() < 2:
                    what = 'scale_tril matrix' if name == 'scale_tril' else name
                    raise ValueError(f'{what} must be at least two-dimensional, with optional leading batch '
                                     'dimensions')
                batch_shape = ft.broadcast_shapes(mat.shape[:-2], loc.shape[:-1])
                setattr(self, name, mat.expand(batch_shape + (-1, -1)))
                break
        self.loc = loc.expand(batch_shape + (-1,))
        super().__init__(batch_shape, self.loc.shape[-1:], validate_args=validate_args)
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = ft.linalg.cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(precision_matrix)

    def expand(self, batch_shape, _instance=None):
        # the matrices expand to batch + event + event, as torch (so a loc longer than the
        # matrices, which the constructor lets through, fails here)
        new = self._get_checked_instance(MultivariateNormal, _instance)
        batch_shape = ft.Size(batch_shape)
        new.loc = self.loc.expand(batch_shape + self._event_shape)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        for name in ('covariance_matrix', 'scale_tril', 'precision_matrix'):
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(batch_shape + self._event_shape + self._event_shape))
        super(MultivariateNormal, new).__init__(batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _full(self, mat):
        return mat.expand(self._batch_shape + self._event_shape + self._event_shape)

    @lazy_property
    def scale_tril(self):
        return self._full(self._unbroadcasted_scale_tril)

    @lazy_property
    def covariance_matrix(self):
        L = self._unbroadcasted_scale_tril
        return self._full(ft.matmul(L, L.mT))

    @lazy_property
    def precision_matrix(self):
        return self._full(ft.cholesky_inverse(self._unbroadcasted_scale_tril))

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(self._batch_shape + self._event_shape)

    def rsample(self, sample_shape=ft.Size()):
        eps = _standard_normal(self._extended_shape(sample_shape), dtype=self.loc.dtype, device=self.loc.device)
        return self.loc + _batch_mv(self._unbroadcasted_scale_tril, eps)

    def _half_log_det(self):
        return self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        M = _batch_mahalanobis(self._unbroadcasted_scale_tril, value - self.loc)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + M) - self._half_log_det()

    def entropy(self):
        H = 0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        return H if len(self._batch_shape) == 0 else H.expand(self._batch_shape)
