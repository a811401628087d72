import math
import warnings
from numbers import Number

import faketorch as ft
from . import constraints
from .chi2 import Chi2
from .exp_family import ExponentialFamily
from .multivariate_normal import _precision_to_scale_tril
from .utils import lazy_property

__all__ = ['Wishart']

_log_2 = math.log(2)


def _mvdigamma(x, p):
    """Multivariate digamma: sum_j digamma(x - j / 2), j < p."""
    js = ft.arange(p, dtype=x.dtype, device=x.device).div(2)
    return ft.digamma(x.unsqueeze(-1) - js.expand(x.shape + (-1,))).sum(-1)


def _clamp_above_eps(x):
    return x.clamp(min=ft.finfo(x.dtype).eps)


class Wishart(ExponentialFamily):
    """Wishart distribution over positive-definite matrices, with ``df`` degrees of freedom and
    exactly one of ``covariance_matrix``, ``precision_matrix`` or ``scale_tril``. Samples use the
    Bartlett decomposition."""
    support = constraints.positive_definite
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def arg_constraints(self):
        return {'covariance_matrix': constraints.positive_definite,
                'precision_matrix': constraints.positive_definite,
                'scale_tril': constraints.lower_cholesky,
                'df': constraints.greater_than(self.event_shape[-1] - 1)}

    def __init__(self, df, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        given = [(n, m) for n, m in (('covariance_matrix', covariance_matrix),
                                     ('precision_matrix', precision_matrix), ('scale_tril', scale_tril))
                 if m is not None]
        if len(given) != 1:
            raise AssertionError('Exactly one of covariance_matrix or precision_matrix or scale_tril may be '
                                 'specified.')
        name, param = given[0]
        if param.dim() < 2:
            raise ValueError('scale_tril must be at least two-dimensional, with optional leading batch dimensions')
        if isinstance(df, Number):
            batch_shape = ft.Size(param.shape[:-2])
            self.df = ft.tensor(df, dtype=param.dtype, device=param.device)
        else:
            batch_shape = ft.broadcast_shapes(param.shape[:-2], df.shape)
            self.df = df.expand(batch_shape)
        event_shape = param.shape[-2:]
        if self.df.le(event_shape[-1] - 1).any():
            raise ValueError(f'Value of df={df} expected to be greater than ndim - 1 = {event_shape[-1] - 1}.')
        setattr(self, name, param.expand(batch_shape + (-1, -1)))
        if self.df.lt(event_shape[-1]).any():
            warnings.warn('Low df values detected. Singular samples are highly likely to occur for '
                          'ndim - 1 < df < ndim.', stacklevel=2)
        super().__init__(batch_shape, event_shape, validate_args=validate_args)
        self._batch_dims = [-(x + 1) for x in range(len(self._batch_shape))]
        if name == 'scale_tril':
            self._unbroadcasted_scale_tril = scale_tril
        elif name == 'covariance_matrix':
            self._unbroadcasted_scale_tril = ft.linalg.cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(precision_matrix)
        self._dist_chi2 = self._chi2(batch_shape)

    def _chi2(self, batch_shape):
        """Chi-squared degrees of freedom df - i for the Bartlett diagonal, i < p."""
        L = self._unbroadcasted_scale_tril
        steps = ft.arange(self._event_shape[-1], dtype=L.dtype, device=L.device).expand(batch_shape + (-1,))
        return Chi2(df=self.df.unsqueeze(-1) - steps)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Wishart, _instance)
        batch_shape = ft.Size(batch_shape)
        cov_shape = batch_shape + self.event_shape
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril.expand(cov_shape)
        new.df = self.df.expand(batch_shape)
        new._batch_dims = [-(x + 1) for x in range(len(batch_shape))]
        for name in ('covariance_matrix', 'scale_tril', 'precision_matrix'):
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(cov_shape))
        new._event_shape = self._event_shape     # _chi2 reads it before __init__ sets it
        new._dist_chi2 = new._chi2(batch_shape)
        super(Wishart, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @lazy_property
    def scale_tril(self):
        return self._unbroadcasted_scale_tril.expand(self._batch_shape + self._event_shape)

    @lazy_property
    def covariance_matrix(self):
        L = self._unbroadcasted_scale_tril
        return (L @ L.transpose(-2, -1)).expand(self._batch_shape + self._event_shape)

    @lazy_property
    def precision_matrix(self):
        L = self._unbroadcasted_scale_tril
        eye = ft.eye(self._event_shape[-1], device=L.device, dtype=L.dtype)
        return ft.cholesky_solve(eye, L).expand(self._batch_shape + self._event_shape)

    def _df_matrix(self, t):
        return t.view(self._batch_shape + (1, 1))

    @property
    def mean(self):
        return self._df_matrix(self.df) * self.covariance_matrix

    @property
    def mode(self):
        factor = self.df - self.covariance_matrix.shape[-1] - 1
        factor[factor <= 0] = math.nan
        return self._df_matrix(factor) * self.covariance_matrix

    @property
    def variance(self):
        V = self.covariance_matrix
        diag = V.diagonal(dim1=-2, dim2=-1)
        return self._df_matrix(self.df) * (V.pow(2) + ft.einsum('...i,...j->...ij', diag, diag))

    def _bartlett_sampling(self, sample_shape=ft.Size()):
        p = self._event_shape[-1]
        noise = _clamp_above_eps(self._dist_chi2.rsample(sample_shape).sqrt()).diag_embed(dim1=-2, dim2=-1)
        i, j = ft.tril_indices(p, p, offset=-1)
        noise[..., i, j] = ft.randn(ft.Size(sample_shape) + self._batch_shape + (p * (p - 1) // 2,),
                                    dtype=noise.dtype, device=noise.device)
        chol = self._unbroadcasted_scale_tril @ noise
        return chol @ chol.transpose(-2, -1)

    def _any_over_batch(self, mask):
        return mask.amax(self._batch_dims) if self._batch_shape else mask

    def rsample(self, sample_shape=ft.Size(), max_try_correction=None):
        if max_try_correction is None:
            max_try_correction = 10
        sample = self._bartlett_sampling(ft.Size(sample_shape))
        # torch's quirk, kept for its random stream: this flags the samples that ARE positive
        # definite, so the warning fires and they are all redrawn once (or more)
        is_singular = self._any_over_batch(self.support.check(sample))
        if is_singular.any():
            warnings.warn('Singular sample detected.', stacklevel=2)
            for _ in range(max_try_correction):
                sample_new = self._bartlett_sampling(is_singular[is_singular].shape)
                sample[is_singular] = sample_new
                is_singular_new = self._any_over_batch(~self.support.check(sample_new))
                is_singular[is_singular.clone()] = is_singular_new
                if not is_singular.any():
                    break
        return sample

    def _log_det_scale(self):
        """p log(2) / 2 + log|L|, the scale part of the normaliser."""
        p = self._event_shape[-1]
        return p * _log_2 / 2 + self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        nu, p = self.df, self._event_shape[-1]
        return (-nu * self._log_det_scale() - ft.mvlgamma(nu / 2, p=p)
                + (nu - p - 1) / 2 * ft.linalg.slogdet(value).logabsdet
                - ft.cholesky_solve(value, self._unbroadcasted_scale_tril).diagonal(dim1=-2, dim2=-1).sum(dim=-1)
                / 2)

    def entropy(self):
        nu, p = self.df, self._event_shape[-1]
        return ((p + 1) * self._log_det_scale() + ft.mvlgamma(nu / 2, p=p)
                - (nu - p - 1) / 2 * _mvdigamma(nu / 2, p=p) + nu * p / 2)

    @property
    def _natural_params(self):
        p = self._event_shape[-1]
        return -self.precision_matrix / 2, (self.df - p - 1) / 2

    def _log_normalizer(self, x, y):
        p = self._event_shape[-1]
        return ((y + (p + 1) / 2) * (-ft.linalg.slogdet(-2 * x).logabsdet + _log_2 * p)
                + ft.mvlgamma(y + (p + 1) / 2, p=p))
