"""Adadelta."""
from .. import _xnp as np

from .optimizer import (Optimizer, _bump, _check_lr, _check_nonnegative, _closure_loss, _ema_sq_, _grad_of,
                        _incr, _real, _to_scalar)

__all__ = ['Adadelta']


class Adadelta(Optimizer):
    _setstate_defaults = (('foreach', None), ('maximize', False), ('differentiable', False), ('capturable', False))
    _capturable_xla = (False, False)

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_nonnegative(eps=eps, weight_decay=weight_decay)
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                                      capturable=capturable, foreach=foreach, differentiable=differentiable))

    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, rho, eps = _to_scalar(group['lr']), group['rho'], group['eps']
            for p in self._dense_params(group, ('square_avg', 'acc_delta')):
                state = self._lazy_state(p, ('square_avg', 'acc_delta'), group)
                _incr(state['step'])
                g = _grad_of(p, group['maximize'], group['weight_decay'])
                sq, acc, pa = _real(state['square_avg']._data), _real(state['acc_delta']._data), _real(p._data)
                f = pa.dtype.type
                _ema_sq_(sq, g, rho)
                std = np.sqrt(sq + f(eps))
                delta = np.sqrt(acc + f(eps))
                delta /= std
                delta *= g
                _ema_sq_(acc, delta, rho)
                pa += delta * f(-lr)
                _bump(p, state['square_avg'], state['acc_delta'])
        return loss
