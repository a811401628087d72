"""Adagrad (dense gradients; faketorch has no sparse tensors)."""
import numpy as np

from .optimizer import (Optimizer, _bump, _check_lr, _closure_loss, _full_like, _grad_of, _incr, _real,
                        _scalar_tensor, _to_scalar, _get_scalar_dtype)

__all__ = ['Adagrad']


class Adagrad(Optimizer):
    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_lr(lr)
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, fused=fused))
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        # torch fills the accumulator at construction
        for group in self.param_groups:
            for p in group['params']:
                state = self.state[p]
                state['step'] = _scalar_tensor(0.0, _get_scalar_dtype(is_fused=group['fused']))
                init = initial_accumulator_value
                state['sum'] = _full_like(p, complex(init, init) if p.is_complex() else init)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, value in (('foreach', None), ('maximize', False), ('differentiable', False),
                               ('fused', None)):
                group.setdefault(key, value)

    def share_memory(self):
        pass

    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, lr_decay, eps = _to_scalar(group['lr']), group['lr_decay'], group['eps']
            for p in group['params']:
                if p._grad is None:
                    continue
                state = self.state[p]
                step = _incr(state['step'])
                g = _grad_of(p, group['maximize'], group['weight_decay'])
                s, pa = _real(state['sum']._data), _real(p._data)
                f = pa.dtype.type
                clr = lr / (1 + (step - 1) * lr_decay)
                s += g * g
                std = np.sqrt(s)
                std += f(eps)
                pa += (f(-clr) * g) / std
                _bump(p, state['sum'])
        return loss
