"""Gradient clipping, computed as torch does: per-gradient norms, then the norm of those norms."""
import math
import warnings

from ... import _xnp as np

from ... import _dtype as D
from ..._tensor import Tensor, _make
from ...sparse._coo import _backend_error

__all__ = ['clip_grad_norm_', 'clip_grad_norm', 'clip_grad_value_', 'get_total_norm', 'clip_grads_with_norm_']


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _vec_norm(a, p):
    if p == math.inf:
        return np.max(np.abs(a)) if a.size else a.dtype.type(0)
    if p == -math.inf:
        return np.min(np.abs(a))
    if p == 0:
        return a.dtype.type(np.count_nonzero(a))
    if p == 1:
        return np.sum(np.abs(a))
    if p == 2:
        return np.sqrt(np.sum(a * a))
    return np.sum(np.abs(a) ** p) ** (1.0 / p)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    tensors = [t for t in tensors if t is not None] if not isinstance(tensors, list) else tensors
    norm_type = float(norm_type)
    if len(tensors) == 0:
        return _make(np.asarray(0.0, np.float32), D.float32)
    for t in tensors:
        if t.is_sparse:         # torch's vector_norm (and _foreach_norm's fallback to it) has no sparse kernel
            raise _backend_error(t._device, name='linalg_vector_norm')
    norms = [_vec_norm(t._data, norm_type) for t in tensors]
    dt = tensors[0]._data.dtype
    total = _vec_norm(np.stack(norms).astype(dt), norm_type).astype(dt)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f'The total norm of order {norm_type} for gradients from `parameters` is non-finite, so '
                           'it cannot be clipped. To disable this error and scale the gradients by the non-finite '
                           'norm anyway, set `error_if_nonfinite=False`')
    return _make(np.asarray(total, dt), tensors[0].dtype, tensors[0]._device)


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    grads = _grads(parameters)
    if not grads:
        return
    tn = total_norm._data
    coef = np.minimum(np.cast(float(max_norm), tn.dtype) / (tn + tn.dtype.type(1e-6)), tn.dtype.type(1.0))
    for g in grads:
        g._data *= coef.astype(g._data.dtype)
        g._vc[0] += 1


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        parameters = list(parameters)
    grads = _grads(parameters)
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    warnings.warn('`torch.nn.utils.clip_grad_norm` is now deprecated in favor of '
                  '`torch.nn.utils.clip_grad_norm_`.', FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    clip_value = float(clip_value)
    for g in _grads(parameters):
        if g.is_sparse:         # torch's clamp (and _foreach_clamp_min_'s fallback to it) has no sparse kernel
            raise _backend_error(g._device, name='clamp_min_')
        np.clip(g._data, -clip_value, clip_value, out=g._data)
        g._vc[0] += 1
