"""Helpers shared by the distributions (same names as torch.distributions.utils)."""

import faketorch as ft

__all__ = ['broadcast_all', 'logits_to_probs', 'clamp_probs', 'probs_to_logits', 'lazy_property',
           'tril_matrix_to_vec', 'vec_to_tril_matrix']

euler_constant = 0.57721566490153286060
_Number = (int, float, bool)


def broadcast_all(*values):
    """Broadcast tensors and Python numbers together; numbers take the dtype/device of the first
    tensor, or the default dtype when there is none."""
    # torch.types._Number: not complex, numpy.float32 or Fraction
    if not all(isinstance(v, (ft.Tensor,) + _Number) for v in values):
        raise ValueError('Input arguments must all be instances of Number, torch.Tensor or objects '
                         'implementing __torch_function__.')
    first = next((v for v in values if isinstance(v, ft.Tensor)), None)
    opts = dict(dtype=ft.get_default_dtype()) if first is None else dict(dtype=first.dtype, device=first.device)
    return ft.broadcast_tensors(*[v if isinstance(v, ft.Tensor) else ft.tensor(v, **opts) for v in values])


def _standard_normal(shape, dtype, device):
    # torch draws eps with Tensor.normal_ on a fresh tensor (not randn): same stream, same numbers
    return ft.empty(shape, dtype=dtype, device=device).normal_()


def _sum_rightmost(value, dim):
    """Sum out the ``dim`` rightmost dimensions."""
    if dim == 0:
        return value
    return value.reshape(value.shape[:-dim] + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary=False):
    return ft.sigmoid(logits) if is_binary else ft.nn.functional.softmax(logits, dim=-1)


def clamp_probs(probs):
    eps = ft.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    p = clamp_probs(probs)
    return ft.log(p) - ft.log1p(-p) if is_binary else ft.log(p)


class lazy_property:
    """Computed on first access (with grad enabled, as torch does) and cached in the instance."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.__name__ = wrapped.__name__
        self.__doc__ = wrapped.__doc__

    def __get__(self, instance, owner=None):
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        with ft.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):
    """What the class attribute looks like: both a lazy_property and a property (for docs tools)."""

    def __init__(self, wrapped):
        property.__init__(self, wrapped)
        self.wrapped = wrapped


class _BinaryParams:
    """probs and logits of a distribution over a success probability, each computed on first use
    from the one given (held as `_param`), as torch's Bernoulli, Binomial, Geometric ... each spell
    out; param_shape and _new follow `_param`."""

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return self._param.size()

    def _new(self, *args, **kwargs):
        return self._param.new(*args, **kwargs)


def _tril_mask(n, diag, device):
    idx = ft.arange(n, device=device)
    return idx < idx.view(-1, 1) + (diag + 1)


def tril_matrix_to_vec(mat, diag=0):
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f'diag ({diag}) provided is outside [{-n}, {n - 1}].')
    return mat[..., _tril_mask(n, diag, mat.device)]


def vec_to_tril_matrix(vec, diag=0):
    b = 1 + 2 * diag
    n = (-b + (b ** 2 + 8 * vec.shape[-1] + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    if round(n) - n > ft.finfo(vec.dtype).eps:
        raise ValueError(f'The size of last dimension is {vec.shape[-1]} which cannot be expressed as '
                         'the lower triangular part of a square D x D matrix.')
    n = round(n)
    mat = vec.new_zeros(vec.shape[:-1] + ft.Size((n, n)))
    mat[..., _tril_mask(n, diag, vec.device)] = vec
    return mat
