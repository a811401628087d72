"""Adam (and the decoupled weight decay AdamW builds on), in torch's single-tensor order."""
import numpy as np

from .._tensor import Tensor
from .optimizer import (Optimizer, _bump, _check_lr, _closure_loss, _grad_of, _incr, _lerp_, _real,
                        _scalar_tensor, _to_scalar, _zeros_like)

__all__ = ['Adam']


def _check_betas(betas, capturable, foreach):
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")


class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_betas(betas, capturable, foreach)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
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
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, value in (('amsgrad', False), ('maximize', False), ('foreach', None),
                               ('capturable', False), ('differentiable', False),
                               ('decoupled_weight_decay', False), ('fused', None)):
                group.setdefault(key, value)

    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group['lr'])
            beta1, beta2 = (_to_scalar(b) for b in group['betas'])
            wd, eps, amsgrad = group['weight_decay'], group['eps'], group['amsgrad']
            decoupled = group['decoupled_weight_decay']
            for p in group['params']:
                if p._grad is None:
                    continue
                if getattr(p._grad, 'is_sparse', False):
                    raise RuntimeError("Adam does not support sparse gradients, please consider "
                                       "SparseAdam instead")
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _scalar_tensor(0.0)
                    state['exp_avg'] = _zeros_like(p)
                    state['exp_avg_sq'] = _zeros_like(p)
                    if amsgrad:
                        state['max_exp_avg_sq'] = _zeros_like(p)
                step = _incr(state['step'])
                pa = _real(p._data)
                f = pa.dtype.type
                if wd != 0 and decoupled:
                    pa *= f(1 - lr * wd)
                g = _grad_of(p, group['maximize'], 0 if decoupled else wd)
                m, v = _real(state['exp_avg']._data), _real(state['exp_avg_sq']._data)
                _lerp_(m, g, 1 - beta1)
                v *= f(beta2)
                v += (f(1 - beta2) * g) * g
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                step_size = lr / bias_correction1
                bias_correction2_sqrt = bias_correction2 ** 0.5
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
        return loss
