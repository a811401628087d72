"""SparseAdam. faketorch has no sparse tensors, so every gradient it sees is dense, which torch
rejects with the error raised here."""
from .optimizer import Optimizer, _check_betas, _check_lr, _closure_loss

__all__ = ['SparseAdam']


class SparseAdam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        _check_lr(lr, test='positive')
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_betas(betas)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))
        complex_params = [[i, j] for i, group in enumerate(self.param_groups)
                          for j, p in enumerate(group['params']) if p.is_complex()]
        if complex_params:
            raise ValueError(f"Complex params at indices {complex_params}: SparseAdam does not support "
                             "complex parameters")

    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            for p in group['params']:
                if p._grad is not None:
                    raise RuntimeError("SparseAdam does not support dense gradients, please consider "
                                       "Adam instead")
        return loss
