"""Adamax: Adam with the infinity norm."""
from .. import _xnp as np

from .optimizer import (Optimizer, _bump, _check_adam_args, _closure_loss, _grad_of, _incr, _lerp_,
                        _real, _to_scalar)

__all__ = ['Adamax']


class Adamax(Optimizer):
    _setstate_defaults = (('foreach', None), ('maximize', False), ('differentiable', False), ('capturable', False))

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        _check_adam_args(lr, eps, betas, weight_decay)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, capturable=capturable))

    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = _to_scalar(group['lr']), group['betas'], group['eps']
            for p in self._dense_params(group, ('exp_avg', 'exp_inf')):
                state = self._lazy_state(p, ('exp_avg', 'exp_inf'), group)
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
