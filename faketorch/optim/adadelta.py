"""Adadelta."""
import numpy as np

from .optimizer import (Optimizer, _bump, _check_lr, _closure_loss, _grad_of, _incr, _real,
                        _scalar_tensor, _to_scalar, _zeros_like)

__all__ = ['Adadelta']


class Adadelta(Optimizer):
    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                                      capturable=capturable, foreach=foreach, differentiable=differentiable))

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, value in (('foreach', None), ('maximize', False), ('differentiable', False),
                               ('capturable', False)):
                group.setdefault(key, value)

    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, rho, eps = _to_scalar(group['lr']), group['rho'], group['eps']
            for p in group['params']:
                if p._grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _scalar_tensor(0.0)
                    state['square_avg'] = _zeros_like(p)
                    state['acc_delta'] = _zeros_like(p)
                _incr(state['step'])
                g = _grad_of(p, group['maximize'], group['weight_decay'])
                sq, acc, pa = _real(state['square_avg']._data), _real(state['acc_delta']._data), _real(p._data)
                f = pa.dtype.type
                sq *= f(rho)
                sq += (f(1 - rho) * g) * g
                std = np.sqrt(sq + f(eps))
                delta = np.sqrt(acc + f(eps))
                delta /= std
                delta *= g
                acc *= f(rho)
                acc += (f(1 - rho) * delta) * delta
                pa += delta * f(-lr)
                _bump(p, state['square_avg'], state['acc_delta'])
        return loss
