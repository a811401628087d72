"""Adamax: Adam with the infinity norm."""
import numpy as np

from .optimizer import (Optimizer, _bump, _check_lr, _closure_loss, _grad_of, _incr, _lerp_, _real,
                        _scalar_tensor, _to_scalar, _zeros_like)
from .adam import _check_betas

__all__ = ['Adamax']


class Adamax(Optimizer):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_betas(betas, capturable, foreach)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, capturable=capturable))

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, value in (('foreach', None), ('maximize', False), ('differentiable', False),
                               ('capturable', False)):
                group.setdefault(key, value)

    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = _to_scalar(group['lr']), group['betas'], group['eps']
            for p in group['params']:
                if p._grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _scalar_tensor(0.0)
                    state['exp_avg'] = _zeros_like(p)
                    state['exp_inf'] = _zeros_like(p)
                g = _grad_of(p, group['maximize'], group['weight_decay'])
                step = _incr(state['step'])
                m, u, pa = _real(state['exp_avg']._data), _real(state['exp_inf']._data), _real(p._data)
                f = pa.dtype.type
                _lerp_(m, g, 1 - beta1)
                u *= f(beta2)
                np.maximum(u, np.abs(g) + f(eps), out=u)
                clr = lr / (1 - beta1 ** step)
                pa += (f(-clr) * m) / u
                _bump(p, state['exp_avg'], state['exp_inf'])
        return loss
