"""Adam (and the decoupled weight decay AdamW builds on), in torch's single-tensor order."""
from .. import _xnp as np

from .._tensor import Tensor
from .optimizer import (Optimizer, _bump, _check_adam_args, _check_fused, _closure_loss, _decay_and_grad,
                        _ema_sq_, _incr, _lerp_, _real, _to_scalar)

__all__ = ['Adam']

# the moment updates and the parameter step below, without amsgrad, in one launch on a GPU
def _adam_host(g, w, near, b2, omb2, bc2, eps, nss, dec, m, v, p):
    # torch's operations in its order, through two scratch arrays (fresh temporaries cost more here
    # than the arithmetic); dec: AdamW's decoupled weight decay, first
    if dec != 1:
        p *= dec
    # an array (out= below) even for a 0-d parameter, where NumPy would return a scalar
    t = np.subtract(g, m) if m.ndim else np.subtract(g, m, out=np.empty_like(m))
    if near:
        t *= w
        m += t
    else:
        t *= 1 - w
        np.subtract(g, t, out=m)
    v *= b2
    np.multiply(g, omb2, out=t)
    t *= g
    v += t
    d = np.sqrt(v)
    d /= bc2
    d += eps
    np.multiply(m, nss, out=t)
    t /= d
    p += t
    return m, v, p


_adam_step = np.Kernel('adam', 'T g, T w, int32 near, T b2, T omb2, T bc2, T eps, T nss, T dec', 'T m, T v, T p',
                       'p = p * dec; m = near ? m + w * (g - m) : g - (g - m) * (1 - w); '
                       'v = v * b2 + (omb2 * g) * g; p = p + (nss * m) / (sqrt(v) / bc2 + eps)', _adam_host)


def _fused_args(g, m, v, pa, beta1, beta2, bias_correction2_sqrt, eps, step_size, decay):
    """The decoupled decay factor, _lerp_, _ema_sq_ and the step's arguments: _adam_step.many runs them
    all (one kernel on a GPU)."""
    f = pa.dtype.type
    w = f(1 - beta1)
    return (g, w, int(abs(w) < 0.5), f(beta2), f(1 - beta2), f(bias_correction2_sqrt), f(eps), f(-step_size),
            f(decay), m, v, pa)


class Adam(Optimizer):
    _scalar_state_device = 'cpu'    # torch 2.13 hosts a plain step on the CPU: no launch per step
    _setstate_defaults = (('amsgrad', False), ('maximize', False), ('foreach', None), ('capturable', False),
                          ('differentiable', False), ('decoupled_weight_decay', False), ('fused', None))
    _sparse_error = "Adam does not support sparse gradients, please consider SparseAdam instead"     # AdamW's too

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")
        _check_adam_args(lr, eps, betas, weight_decay)
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        for i, b in enumerate(betas):
            if isinstance(b, Tensor):
                if not capturable and foreach:
                    raise ValueError(f"betas[{i}] as a Tensor is not supported for capturable=False and "
                                     "foreach=True")
                if b.numel() != 1:
                    raise ValueError(f"Tensor betas[{i}] must be 1-element")
        betas = tuple(b.squeeze() if isinstance(b, Tensor) and b.dim() != 0 else b for b in betas)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        _check_fused(fused, differentiable, foreach)

    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group['lr'])
            beta1, beta2 = (_to_scalar(b) for b in group['betas'])
            wd, eps, amsgrad = group['weight_decay'], group['eps'], group['amsgrad']
            buffers = ('exp_avg', 'exp_avg_sq') + (('max_exp_avg_sq',) if amsgrad else ())
            fused = []
            for p in self._dense_params(group, buffers):
                state = self._lazy_state(p, buffers)
                step = _incr(state['step'])
                decoupled = group['decoupled_weight_decay']     # (the fused step below applies its decay)
                pa, g = _decay_and_grad(p, lr, 0 if decoupled and not amsgrad else wd, decoupled, group['maximize'])
                f = pa.dtype.type
                m, v = _real(state['exp_avg']._data), _real(state['exp_avg_sq']._data)
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                step_size = lr / bias_correction1
                bias_correction2_sqrt = bias_correction2 ** 0.5
                if not amsgrad:
                    fused.append(_fused_args(g, m, v, pa, beta1, beta2, bias_correction2_sqrt, eps, step_size,
                                             1 - lr * wd if decoupled and wd != 0 else 1))
                    _bump(p, state['exp_avg'], state['exp_avg_sq'])
                    continue
                _lerp_(m, g, 1 - beta1)
                _ema_sq_(v, g, beta2)
                if amsgrad:
                    vmax = _real(state['max_exp_avg_sq']._data)
                    np.maximum(vmax, v, out=vmax)
                    _bump(state['max_exp_avg_sq'])
                    v = vmax
                denom = np.sqrt(v)
                denom /= f(bias_correction2_sqrt)
                denom += f(eps)
                pa += (f(-step_size) * m) / denom
                _bump(p, state['exp_avg'], state['exp_avg_sq'])
            _adam_step.many(fused)
        return loss
