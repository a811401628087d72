"""SGD with momentum, dampening, Nesterov, weight decay and maximize (torch's update order)."""
from .. import _xnp as np
from .._tensor import _make
from .optimizer import (Optimizer, _bump, _check_fused, _check_lr, _closure_loss, _device_dtype_check_for_fused,
                        _axpy_, _grad_of, _params_with_grad, _real, _to_scalar)
from ._sparse import sgd_step as _sparse_sgd

__all__ = ['SGD']

# the momentum step and the plain step below each in one launch for all parameters on a GPU
def _momentum_host(g, m, alpha, nlr, buf, p):
    buf *= m
    _axpy_(buf, g, alpha)       # torch's add_(grad, alpha=1 - dampening), then add_(buf, alpha=-lr)
    _axpy_(p, buf, nlr)
    return buf, p


_momentum_step = np.Kernel('sgd_momentum', 'T g, T m, T alpha, T nlr', 'T buf, T p',
                           'buf = buf * m + g * alpha; p = p + buf * nlr', _momentum_host)


def _plain_host(g, nlr, p):
    _axpy_(p, g, nlr)
    return p


_plain_step = np.Kernel('sgd', 'T g, T nlr', 'T p', 'p = p + g * nlr', _plain_host)


def _fused_args(g, buf_t, p, momentum, dampening, lr):
    """The momentum update and the parameter step's arguments: _momentum_step.many runs them all (one
    kernel on a GPU)."""
    f = g.dtype.type
    _bump(buf_t, p)
    return g, f(momentum), f(1 - dampening), f(-lr), _real(buf_t._data), _real(p._data)


class SGD(Optimizer):
    _setstate_defaults = (('nesterov', False), ('maximize', False), ('foreach', None), ('differentiable', False),
                          ('fused', False))

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        _check_lr(lr, test='below_zero')
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        _check_fused(fused, differentiable, foreach)

    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group['lr'])
            momentum, dampening = group['momentum'], group['dampening']
            wd, nesterov, maximize = group['weight_decay'], group['nesterov'], group['maximize']
            params = _params_with_grad(group)
            if group['fused'] and params:
                if getattr(self, '_need_device_dtype_check_for_fused', True):
                    _device_dtype_check_for_fused(params[0])
                    self._need_device_dtype_check_for_fused = False
                if any(p._grad.is_sparse for p in params):
                    raise RuntimeError("`_fused_sgd` does not support sparse gradients")
            fused, plain = [], []
            for p in params:
                if p._grad.is_sparse:
                    _sparse_sgd(p, self.state, lr, momentum, dampening, wd, nesterov, maximize)
                    continue
                g = _grad_of(p, maximize, wd)
                if momentum != 0:
                    state = self.state[p]
                    buf_t = state.get('momentum_buffer')
                    if buf_t is None:
                        buf_t = _make(g.copy(), p._grad.dtype, p._device)
                    elif not nesterov:
                        fused.append(_fused_args(g, buf_t, p, momentum, dampening, lr))
                        continue
                    else:
                        buf = _real(buf_t._data)
                        buf *= buf.dtype.type(momentum)
                        alpha = 1 - dampening
                        _axpy_(buf, g, alpha)
                        _bump(buf_t)
                    state['momentum_buffer'] = buf_t
                    if nesterov:
                        buf = _real(buf_t._data)
                        if group['foreach'] and not maximize and wd == 0:
                            _axpy_(g, buf, momentum)    # torch's foreach path adds into p.grad
                            _bump(p._grad)
                        else:
                            g = _axpy_(g.copy(), buf, momentum)
                    else:
                        g = _real(buf_t._data)
                pa = _real(p._data)
                plain.append((g, pa.dtype.type(-lr), pa))
                _bump(p)
            _momentum_step.many(fused)
            _plain_step.many(plain)
        return loss
