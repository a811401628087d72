"""Gradient clipping, computed as torch does: per-gradient norms (grouped by device and dtype, as
torch's foreach path), then the norm of those norms."""
import sys
import types
import warnings

from ... import _xnp as np
from ..._dtype import float32, float64
from ..._tensor import Tensor
from ..._ops._core import expanded
from ...autograd.grad_mode import no_grad
from ...sparse._coo import _backend_error

__all__ = ['clip_grad_norm', 'clip_grad_norm_', 'clip_grad_value_']


def _group_by_device_and_dtype(tensors):
    """torch.utils._foreach_utils._group_tensors_by_device_and_dtype on one list, with its C++ checks."""
    if not tensors:
        raise RuntimeError('Expected !nested_tensorlist[0].empty() to be true, but got false.  (Could this error '
                           'message be improved?  If so, please report an enhancement request to PyTorch.)')
    groups = {}
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError('Tensors of the first list of nested Tensor lists are supposed to be defined but the '
                               f'{i}-th Tensor is not.')
        groups.setdefault((t.device, t.dtype), []).append(t)
    return groups


def _norm(t, norm_type, foreach):
    from ...linalg import vector_norm
    if t.is_sparse:         # torch's vector_norm (and _foreach_norm's fallback to it) has no sparse kernel
        raise _backend_error(t._device, name='linalg_vector_norm')
    if foreach is not False and norm_type == float('inf') and t.numel() == 0:
        raise RuntimeError('_foreach_norm cannot compute the infinity norm on an empty tensor because the '
                           'operation does not have an identity')
    return vector_norm(t, norm_type)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    from ... import stack
    from ...linalg import vector_norm
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if len(tensors) == 0:
        from ... import tensor
        return tensor(0.0)
    dtensor = sys.modules.get('faketorch.distributed.tensor._api')
    if dtensor is not None and any(isinstance(t, dtensor.DTensor) for t in tensors):
        # sharded gradients (FSDP2): the norm over every rank's pieces, as a replicated DTensor
        with no_grad():
            return dtensor._total_norm(tensors, norm_type, lambda ts: get_total_norm(ts, norm_type))
    with no_grad():
        first_device = tensors[0].device
        norms = [_norm(t, norm_type, foreach) for group in _group_by_device_and_dtype(tensors).values()
                 for t in group]
        total = vector_norm(stack([n if n.device == first_device else n.to(first_device) for n in norms]),
                            norm_type)
    if error_if_nonfinite and (total.isnan() | total.isinf()):
        raise RuntimeError(f'The total norm of order {norm_type} for gradients from `parameters` is non-finite, so '
                           'it cannot be clipped. To disable this error and scale the gradients by the non-finite '
                           'norm anyway, set `error_if_nonfinite=False`')
    return total


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    from ... import _foreach_mul_, clamp
    grads = _grads(parameters)
    max_norm = float(max_norm)
    if not grads:
        return
    with no_grad():
        groups = _group_by_device_and_dtype(grads)
        coef = clamp(max_norm / (total_norm + 1e-6), max=1.0)
        for (device, _), group in groups.items():
            coef_on_device = coef.to(device)
            if foreach is False:
                for g in group:
                    g.mul_(coef_on_device)
            elif group[0].dtype is coef.dtype and coef.dtype in (float32, float64) and all(map(_owns_elements, group)):
                for g in group:     # _foreach_mul_'s products, written in place
                    np.multiply(g._data, coef_on_device._data, out=g._data)
                    g._vc[0] += 1
            else:
                _foreach_mul_(group, coef_on_device)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn('`parameters` is an empty generator, no gradient clipping will occur.', stacklevel=2)
    total = get_total_norm(_grads(parameters), norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    warnings.warn('`torch.nn.utils.clip_grad_norm` is now deprecated in favor of '
                  '`torch.nn.utils.clip_grad_norm_`.', FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    from ... import _foreach_clamp_max_, _foreach_clamp_min_
    clip_value = float(clip_value)
    with no_grad():
        for group in _group_by_device_and_dtype(_grads(parameters)).values():
            for g in group:
                if g.is_sparse:     # torch's clamp (and _foreach_clamp_min_'s fallback to it) has no sparse kernel
                    raise _backend_error(g._device, name='clamp_min_')
            if foreach is False:
                for g in group:
                    g.clamp_(min=-clip_value, max=clip_value)
            elif clip_value != 0 and group[0].dtype in (float32, float64) and all(map(_owns_elements, group)):
                for g in group:     # the two foreach ops' results, in one pass in place (a zero bound's
                    np.clip(g._data, -clip_value, clip_value, out=g._data)     # ties would decide a zero's sign)
                    g._vc[0] += 2
            else:
                _foreach_clamp_min_(group, -clip_value)
                _foreach_clamp_max_(group, clip_value)


def _owns_elements(t):
    """Can t's array be written in place (not a broadcast view whose elements repeat)?"""
    return getattr(t._data.flags, 'writeable', True) and not expanded(t._data)


_get_total_norm, _clip_grads_with_norm_ = get_total_norm, clip_grads_with_norm_     # torch's private names
