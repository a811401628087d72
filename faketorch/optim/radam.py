"""RAdam: rectified Adam."""
import numpy as np

from .optimizer import (Optimizer, _bump, _check_lr, _closure_loss, _grad_of, _incr, _lerp_, _real,
                        _scalar_tensor, _to_scalar, _zeros_like)
from .adam import _check_betas

__all__ = ['RAdam']


class RAdam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_betas(betas, capturable, foreach)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                                      foreach=foreach, capturable=capturable,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      differentiable=differentiable))

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, value in (('foreach', None), ('maximize', False), ('differentiable', False),
                               ('decoupled_weight_decay', False), ('capturable', False)):
                group.setdefault(key, value)

    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = _to_scalar(group['lr']), group['betas'], group['eps']
            wd, decoupled = group['weight_decay'], group['decoupled_weight_decay']
            for p in group['params']:
                if p._grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _scalar_tensor(0.0)
                    state['exp_avg'] = _zeros_like(p)
                    state['exp_avg_sq'] = _zeros_like(p)
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
                update = (m / f(bias_correction1)) * f(lr)
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
                if rho_t > 5.0:
                    # scalar / tensor is reciprocal(tensor) * scalar in torch
                    adaptive = np.reciprocal(np.sqrt(v) + f(eps)) * f(bias_correction2 ** 0.5)
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    update = (update * adaptive) * f(rect)
                pa -= update
                _bump(p, state['exp_avg'], state['exp_avg_sq'])
        return loss
