"""SparseAdam: Adam's moments and step applied only where the (coalesced) sparse gradient has entries."""
import math

from .. import _xnp as np
from .._tensor import Tensor
from .optimizer import Optimizer, _check_betas, _check_lr, _closure_loss, _to_scalar, _zeros_like, _bump

__all__ = ['SparseAdam']


class SparseAdam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        _check_lr(lr, test='positive')
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_betas(betas)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))
        where = {'sparse': [], 'complex': []}
        for i, group in enumerate(self.param_groups):
            for j, p in enumerate(group['params']):
                if p.is_sparse:
                    where['sparse'].append([i, j])
                if p.is_complex():
                    where['complex'].append([i, j])
        if where['sparse']:
            raise ValueError(f"Sparse params at indices {where['sparse']}: SparseAdam requires dense parameter tensors")
        if where['complex']:
            raise ValueError(f"Complex params at indices {where['complex']}: SparseAdam does not support "
                             "complex parameters")

    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group['betas']
            work = []
            for p in group['params']:       # torch checks and counts every parameter before updating any
                if p._grad is None:
                    continue
                if not p._grad.is_sparse:
                    raise RuntimeError("SparseAdam does not support dense gradients, please consider Adam instead")
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = 0
                    state['exp_avg'] = _zeros_like(p)
                    state['exp_avg_sq'] = _zeros_like(p)
                state['step'] += 1
                work.append((p, state))
            for p, state in work:
                _sparse_adam(p, state, _to_scalar(group['lr']), beta1, beta2, group['eps'], group['maximize'])
        return loss


def _sparse_adam(p, state, lr, beta1, beta2, eps, maximize):
    """torch.optim._functional.sparse_adam for one parameter, on the arrays (same operations, same order)."""
    grad = (-p._grad if maximize else p._grad).coalesce()
    idx, values = tuple(grad._data.indices), grad._data.values
    if values.size == 0:
        return
    f = values.dtype.type
    exp_avg, exp_avg_sq = state['exp_avg'], state['exp_avg_sq']
    old_avg = exp_avg._data[idx]
    avg_update = (values - old_avg) * f(1 - beta1)
    np.ufunc_at(np.add, exp_avg._data, idx, avg_update)
    old_sq = exp_avg_sq._data[idx]
    sq_update = (values * values - old_sq) * f(1 - beta2)
    np.ufunc_at(np.add, exp_avg_sq._data, idx, sq_update)
    numer = avg_update + old_avg
    denom = np.sqrt(sq_update + old_sq) + f(eps)
    step = state['step']
    step_size = lr * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
    np.ufunc_at(np.add, p._data, idx, f(-step_size) * (numer / denom))
    _bump(exp_avg, exp_avg_sq, p)
