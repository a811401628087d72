"""Adafactor: factored second moments for matrices (torch.optim.Adafactor)."""
from .. import _xnp as np

from .optimizer import Optimizer, _bump, _check_lr, _closure_loss, _incr, _lerp_, _make, _to_scalar, _zeros_like

__all__ = ['Adafactor']


def _norm(a, axis=None):
    return np.sqrt(np.sum(a * a, axis=axis, keepdims=axis is not None))


class Adafactor(Optimizer):
    _setstate_defaults = (('foreach', None),)

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        _check_lr(lr, "Learning rate should be >= 0 but is: {}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        super().__init__(params, dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize))

    def _init_state(self, p, group):
        if p.is_complex():
            raise RuntimeError("Adafactor does not support complex parameters")
        state = self.state[p]
        if len(state) == 0:
            g = p._grad._data
            state['step'] = self._scalar_state(p, group, 0.0, step=True)
            if g.ndim > 1:
                shape = list(g.shape)
                state['row_var'] = _make(np.zeros(shape[:-1] + [1], g.dtype), p._grad.dtype, p._device)
                shape[-2] = 1
                state['col_var'] = _make(np.zeros(shape, g.dtype), p._grad.dtype, p._device)
            else:
                state['variance'] = _zeros_like(p._grad)
        return state

    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, beta2_decay, d, wd = _to_scalar(group['lr']), group['beta2_decay'], group['d'], group['weight_decay']
            eps1, eps2 = group['eps']
            for p in self._dense_params(group, init=lambda q: self._init_state(q, group)):
                state = self._init_state(p, group)
                g = p._grad._data
                if group['maximize']:
                    g = -g
                pa = p._data
                f = pa.dtype.type
                e1 = float(np.finfo(pa.dtype).eps) if eps1 is None else eps1
                step = _incr(state['step'])
                one_minus_beta2_t = step ** beta2_decay
                rho_t = min(lr, 1 / (step ** 0.5))
                alpha = max(eps2, float(_norm(pa)) / (pa.size ** 0.5)) * rho_t
                if wd != 0:
                    pa *= f(1 - lr * wd)
                if g.ndim > 1:
                    row_var, col_var = state['row_var']._data, state['col_var']._data
                    row_mean = _norm(g, -1) ** 2 / f(g.shape[-1])
                    _lerp_(row_var, row_mean, one_minus_beta2_t)
                    col_mean = _norm(g, -2) ** 2 / f(g.shape[-2])
                    _lerp_(col_var, col_mean, one_minus_beta2_t)
                    var_estimate = np.matmul(row_var, col_var)
                    var_estimate /= np.maximum(np.mean(row_var, axis=-2, keepdims=True), f(e1))
                    _bump(state['row_var'], state['col_var'])
                else:
                    variance = state['variance']._data
                    _lerp_(variance, g * g, one_minus_beta2_t)
                    var_estimate = variance.copy()
                    _bump(state['variance'])
                update = np.reciprocal(np.sqrt(np.maximum(var_estimate, f(e1 * e1))))
                update *= g
                denom = max(1.0, float(_norm(update)) / ((update.size ** 0.5) * d))
                pa += update * f(-alpha / denom)
                _bump(p)
        return loss
