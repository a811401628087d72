"""NAdam: Adam with Nesterov momentum and momentum decay."""
import numpy as np

from .optimizer import (Optimizer, _bump, _check_lr, _closure_loss, _grad_of, _incr, _lerp_, _real,
                        _scalar_tensor, _to_scalar, _zeros_like)
from .adam import _check_betas

__all__ = ['NAdam']


class NAdam(Optimizer):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_betas(betas, capturable, foreach)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                                      foreach=foreach, capturable=capturable, differentiable=differentiable))

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, value in (('maximize', False), ('foreach', None), ('capturable', False),
                               ('differentiable', False), ('decoupled_weight_decay', False)):
                group.setdefault(key, value)

    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = _to_scalar(group['lr']), group['betas'], group['eps']
            wd, momentum_decay = group['weight_decay'], group['momentum_decay']
            decoupled = group['decoupled_weight_decay']
            for p in group['params']:
                if p._grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _scalar_tensor(0.0)
                    state['mu_product'] = _scalar_tensor(1.0)
                    state['exp_avg'] = _zeros_like(p)
                    state['exp_avg_sq'] = _zeros_like(p)
                step = _incr(state['step'])
                pa = _real(p._data)
                f = pa.dtype.type
                bias_correction2 = 1 - beta2 ** step
                if wd != 0 and decoupled:
                    pa *= f(1 - lr * wd)
                g = _grad_of(p, group['maximize'], 0 if decoupled else wd)
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                mp = state['mu_product']._data
                mp *= mu                       # a 0-dim tensor in torch: rounded to its dtype
                mu_product = float(mp)
                m, v = _real(state['exp_avg']._data), _real(state['exp_avg_sq']._data)
                _lerp_(m, g, 1 - beta1)
                v *= f(beta2)
                v += (f(1 - beta2) * g) * g
                denom = np.sqrt(v / f(bias_correction2))
                mu_product_next = mu_product * mu_next
                denom += f(eps)
                pa += (f(-lr * (1.0 - mu) / (1.0 - mu_product)) * g) / denom
                pa += (f((-lr * mu_next) / (1.0 - mu_product_next)) * m) / denom
                _bump(p, state['exp_avg'], state['exp_avg_sq'], state['mu_product'])
        return loss
