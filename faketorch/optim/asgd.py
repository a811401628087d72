"""ASGD: averaged SGD."""
from .optimizer import (Optimizer, _bump, _check_lr, _closure_loss, _grad_of, _incr, _real,
                        _scalar_tensor, _to_scalar, _zeros_like)

__all__ = ['ASGD']


class ASGD(Optimizer):
    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize, differentiable=differentiable,
                                      capturable=capturable))

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, value in (('foreach', None), ('maximize', False), ('differentiable', False),
                               ('capturable', False)):
                group.setdefault(key, value)

    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, lambd, alpha, t0 = _to_scalar(group['lr']), group['lambd'], group['alpha'], group['t0']
            for p in group['params']:
                if p._grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _scalar_tensor(0.0)
                    state['eta'] = _scalar_tensor(lr)
                    state['mu'] = _scalar_tensor(1.0)
                    state['ax'] = _zeros_like(p)
                g = _grad_of(p, group['maximize'])
                step = _incr(state['step'])
                pa, ax = _real(p._data), _real(state['ax']._data)
                f = pa.dtype.type
                if group['weight_decay'] != 0:
                    g = g + pa * f(group['weight_decay'])
                eta = float(state['eta']._data)
                pa *= f(1 - lambd * eta)
                pa += g * f(-eta)
                mu = state['mu']._data
                if float(mu) != 1:
                    ax += (pa - ax) * f(mu)
                else:
                    ax[...] = pa
                state['eta']._data[...] = lr / ((1 + lambd * lr * step) ** alpha)
                state['mu']._data[...] = 1 / max(1, step - t0)
                _bump(p, state['ax'], state['eta'], state['mu'])
        return loss
