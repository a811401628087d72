"""NAdam: Adam with Nesterov momentum and momentum decay."""
from .. import _xnp as np

from .optimizer import (Optimizer, _bump, _check_adam_args, _check_nonnegative, _closure_loss,
                        _decay_and_grad, _ema_sq_, _incr, _lerp_, _real, _to_scalar)

__all__ = ['NAdam']


class NAdam(Optimizer):
    _setstate_defaults = (('maximize', False), ('foreach', None), ('capturable', False),
                          ('differentiable', False), ('decoupled_weight_decay', False))
    _capturable_names = ('params, mu_products and state_steps', 'params, mu_products, and state_steps')
    _scalar_state_keys = ('mu_product',)

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_adam_args(lr, eps, betas, weight_decay)
        _check_nonnegative(momentum_decay=momentum_decay)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                                      foreach=foreach, capturable=capturable, differentiable=differentiable))

    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = _to_scalar(group['lr']), group['betas'], group['eps']
            wd, momentum_decay = group['weight_decay'], group['momentum_decay']
            for p in self._dense_params(group, ('exp_avg', 'exp_avg_sq'), mu_product=1.0):
                state = self._lazy_state(p, ('exp_avg', 'exp_avg_sq'), group, mu_product=1.0)
                step = _incr(state['step'])
                bias_correction2 = 1 - beta2 ** step
                pa, g = _decay_and_grad(p, lr, wd, group['decoupled_weight_decay'], group['maximize'])
                f = pa.dtype.type
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                mp = state['mu_product']._data
                mp *= mu                       # a 0-dim tensor in torch: rounded to its dtype
                mu_product = float(mp)
                m, v = _real(state['exp_avg']._data), _real(state['exp_avg_sq']._data)
                _lerp_(m, g, 1 - beta1)
                _ema_sq_(v, g, beta2)
                denom = np.sqrt(v / f(bias_correction2))
                mu_product_next = mu_product * mu_next
                denom += f(eps)
                pa += (f(-lr * (1.0 - mu) / (1.0 - mu_product)) * g) / denom
                pa += (f((-lr * mu_next) / (1.0 - mu_product_next)) * m) / denom
                _bump(p, state['exp_avg'], state['exp_avg_sq'], state['mu_product'])
        return loss
