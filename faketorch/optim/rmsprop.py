"""RMSprop, optionally centered and with momentum."""
import numpy as np

from .optimizer import (Optimizer, _bump, _check_lr, _closure_loss, _grad_of, _incr, _lerp_, _real,
                        _scalar_tensor, _to_scalar, _zeros_like)

__all__ = ['RMSprop']


class RMSprop(Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                                      weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable))

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, value in (('momentum', 0), ('centered', False), ('foreach', None), ('maximize', False),
                               ('differentiable', False), ('capturable', False)):
                group.setdefault(key, value)

    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, alpha, eps = _to_scalar(group['lr']), group['alpha'], group['eps']
            momentum, centered = group['momentum'], group['centered']
            for p in group['params']:
                if p._grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _scalar_tensor(0.0)
                    state['square_avg'] = _zeros_like(p)
                    if momentum > 0:
                        state['momentum_buffer'] = _zeros_like(p)
                    if centered:
                        state['grad_avg'] = _zeros_like(p)
                _incr(state['step'])
                g = _grad_of(p, group['maximize'], group['weight_decay'])
                sq, pa = _real(state['square_avg']._data), _real(p._data)
                f = pa.dtype.type
                sq *= f(alpha)
                sq += (f(1 - alpha) * g) * g
                if centered:
                    ga = _real(state['grad_avg']._data)
                    _lerp_(ga, g, 1 - alpha)
                    avg = np.sqrt(sq + (f(-1) * ga) * ga)
                    _bump(state['grad_avg'])
                else:
                    avg = np.sqrt(sq)
                avg += f(eps)
                if momentum > 0:
                    buf = _real(state['momentum_buffer']._data)
                    buf *= f(momentum)
                    buf += g / avg
                    pa += buf * f(-lr)
                    _bump(state['momentum_buffer'])
                else:
                    pa += (f(-lr) * g) / avg
                _bump(p, state['square_avg'])
        return loss
