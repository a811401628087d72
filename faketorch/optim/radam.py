"""RAdam: rectified Adam."""
from .. import _xnp as np

from .optimizer import (Optimizer, _bump, _check_adam_args, _closure_loss, _decay_and_grad, _ema_sq_, _incr,
                        _lerp_, _real, _to_scalar)

__all__ = ['RAdam']


class RAdam(Optimizer):
    _setstate_defaults = (('foreach', None), ('maximize', False), ('differentiable', False),
                          ('decoupled_weight_decay', False), ('capturable', False))

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_adam_args(lr, eps, betas, weight_decay)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                                      foreach=foreach, capturable=capturable,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      differentiable=differentiable))

    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = _to_scalar(group['lr']), group['betas'], group['eps']
            for p in self._dense_params(group, ('exp_avg', 'exp_avg_sq')):
                state = self._lazy_state(p, ('exp_avg', 'exp_avg_sq'), group)
                step = _incr(state['step'])
                pa, g = _decay_and_grad(p, lr, group['weight_decay'], group['decoupled_weight_decay'],
                                        group['maximize'])
                f = pa.dtype.type
                m, v = _real(state['exp_avg']._data), _real(state['exp_avg_sq']._data)
                _lerp_(m, g, 1 - beta1)
                _ema_sq_(v, g, beta2)
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
