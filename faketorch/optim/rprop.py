"""Rprop: resilient backpropagation."""
from .. import _xnp as np

from .optimizer import (Optimizer, _bump, _check_lr, _closure_loss, _full_like, _grad_of, _incr,
                        _real, _to_scalar, _zeros_like)

__all__ = ['Rprop']


class Rprop(Optimizer):
    _setstate_defaults = (('foreach', None), ('maximize', False), ('differentiable', False), ('capturable', False))
    _capturable_xla = (True, True)

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False,
                 foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        super().__init__(params, dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable,
                                      capturable=capturable))

    def _init_state(self, p, group):
        state = self.state[p]
        if len(state) == 0:
            lr = _to_scalar(group['lr'])
            state['step'] = self._scalar_state(p, group, 0.0, step=True)
            state['prev'] = _zeros_like(p)
            state['step_size'] = _full_like(p, complex(lr, lr) if p.is_complex() else lr)
        return state

    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            (etaminus, etaplus), (step_size_min, step_size_max) = group['etas'], group['step_sizes']
            for p in self._dense_params(group, init=lambda q: self._init_state(q, group)):
                state = self._init_state(p, group)
                self._check_capturable(p, group)
                _incr(state['step'])
                g = _grad_of(p, group['maximize'])
                prev, ss, pa = _real(state['prev']._data), _real(state['step_size']._data), _real(p._data)
                f = pa.dtype.type
                sign = np.sign(g * prev, out=np.empty_like(prev))   # an array even for a 0-d parameter
                sign[sign > 0] = etaplus
                sign[sign < 0] = etaminus
                sign[sign == 0] = 1
                ss *= sign
                np.clip(ss, f(step_size_min), f(step_size_max), out=ss)
                g = np.where(sign == f(etaminus), f(0), g)
                pa += (f(-1) * np.sign(g)) * ss
                prev[...] = g
                _bump(p, state['prev'], state['step_size'])
        return loss
