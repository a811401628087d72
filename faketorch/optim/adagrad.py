"""Adagrad, with torch's separate step for a sparse gradient."""
from .. import _xnp as np

from ._sparse import adagrad_step as _sparse_adagrad
from .optimizer import (Optimizer, _bump, _check_fused, _check_lr, _check_nonnegative, _closure_loss,
                        _device_dtype_check_for_fused, _full_like, _grad_of, _incr, _params_with_grad, _real,
                        _to_scalar)

__all__ = ['Adagrad']


class Adagrad(Optimizer):
    _setstate_defaults = (('foreach', None), ('maximize', False), ('differentiable', False), ('fused', None))

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_lr(lr)
        _check_nonnegative(lr_decay=lr_decay, weight_decay=weight_decay,
                           initial_accumulator_value=initial_accumulator_value, eps=eps)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, fused=fused))
        _check_fused(fused, differentiable, foreach)
        self._need_device_dtype_check_for_fused = bool(fused)
        # torch fills the accumulator at construction
        for group in self.param_groups:
            for p in group['params']:
                state = self.state[p]
                state['step'] = self._scalar_state(p, group, 0.0, step=True)
                init = initial_accumulator_value
                state['sum'] = _full_like(p, complex(init, init) if p.is_complex() else init)

    def share_memory(self):
        pass

    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, lr_decay, eps = _to_scalar(group['lr']), group['lr_decay'], group['eps']
            params = _params_with_grad(group)
            if group['fused'] and params:
                if getattr(self, '_need_device_dtype_check_for_fused', True):
                    _device_dtype_check_for_fused(params[0])     # once, on the first parameter, as torch
                    self._need_device_dtype_check_for_fused = False
                if any(p._grad.is_sparse for p in params):
                    raise RuntimeError("`fused` does not support sparse grad or complex param")
            for p in params:
                state = self.state[p]
                step = _incr(state['step'])
                clr = lr / (1 + (step - 1) * lr_decay)
                if p._grad.is_sparse:
                    # the foreach path hands a device's tensors with a sparse gradient to this same loop
                    if group['weight_decay'] != 0:
                        raise RuntimeError("weight_decay option is not compatible with sparse gradients")
                    _sparse_adagrad(p, state['sum'], clr, eps, group['maximize'])
                    continue
                g = _grad_of(p, group['maximize'], group['weight_decay'])
                s, pa = _real(state['sum']._data), _real(p._data)
                f = pa.dtype.type
                s += g * g
                std = np.sqrt(s)
                std += f(eps)
                pa += (f(-clr) * g) / std
                _bump(p, state['sum'])
        return loss
