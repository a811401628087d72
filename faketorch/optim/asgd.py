"""ASGD: averaged SGD."""
from .optimizer import (Optimizer, _bump, _check_lr, _check_nonnegative, _closure_loss, _grad_of, _incr,
                        _real, _to_scalar)

__all__ = ['ASGD']


class ASGD(Optimizer):
    _setstate_defaults = (('foreach', None), ('maximize', False), ('differentiable', False), ('capturable', False))
    _capturable_names = ('params, mus, etas, and state_steps', 'params, mus, etas, and state_steps')
    _scalar_state_device = 'param'       # torch puts step, eta and mu with the parameter, capturable or not
    _scalar_state_keys = ('eta', 'mu')

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        _check_nonnegative(weight_decay=weight_decay)
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize, differentiable=differentiable,
                                      capturable=capturable))

    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, lambd, alpha, t0 = _to_scalar(group['lr']), group['lambd'], group['alpha'], group['t0']
            for p in self._dense_params(group, ('ax',), eta=lr, mu=1.0):
                state = self._lazy_state(p, ('ax',), group, eta=lr, mu=1.0)
                g = _grad_of(p, group['maximize'])
                step = _incr(state['step'])
                pa, ax = _real(p._data), _real(state['ax']._data)
                f = pa.dtype.type
                if group['weight_decay'] != 0:
                    g = g + pa * f(group['weight_decay'])
                eta = float(state['eta']._data)
                pa *= f(1 - lambd * eta)
                pa += g * f(-eta)
                mu = float(state['mu']._data)
                if mu != 1:
                    ax += (pa - ax) * f(mu)
                else:
                    ax[...] = pa
                state['eta']._data[...] = lr / ((1 + lambd * lr * step) ** alpha)
                state['mu']._data[...] = 1 / max(1, step - t0)
                _bump(p, state['ax'], state['eta'], state['mu'])
        return loss
