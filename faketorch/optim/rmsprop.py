"""RMSprop, optionally centered and with momentum."""
from .. import _xnp as np

from .optimizer import (Optimizer, _axpy_, _bump, _check_lr, _check_nonnegative, _closure_loss, _ema_sq_, _grad_of,
                        _incr, _lerp_, _real, _to_scalar)

__all__ = ['RMSprop']


class RMSprop(Optimizer):
    _setstate_defaults = (('momentum', 0), ('centered', False), ('foreach', None), ('maximize', False),
                          ('differentiable', False), ('capturable', False))
    _capturable_xla = (True, True)

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        _check_nonnegative(eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                                      weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable))

    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, alpha, eps = _to_scalar(group['lr']), group['alpha'], group['eps']
            momentum, centered = group['momentum'], group['centered']
            buffers = (('square_avg',) + (('momentum_buffer',) if momentum > 0 else ())
                       + (('grad_avg',) if centered else ()))
            for p in self._dense_params(group, buffers):
                state = self._lazy_state(p, buffers, group)
                _incr(state['step'])
                g = _grad_of(p, group['maximize'], group['weight_decay'])
                sq, pa = _real(state['square_avg']._data), _real(p._data)
                f = pa.dtype.type
                _ema_sq_(sq, g, alpha)
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
                    _axpy_(pa, buf, -lr)
                    _bump(state['momentum_buffer'])
                else:
                    pa += (f(-lr) * g) / avg
                _bump(p, state['square_avg'])
        return loss
