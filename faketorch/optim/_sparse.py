"""SGD's and Adagrad's steps on a sparse gradient: torch's for-loop algorithms, in tensor ops (sparse + sparse
merges, dense += sparse, sparse_mask), so SGD's momentum buffer is a sparse tensor as in torch."""
from ..autograd.grad_mode import no_grad
from ..sparse._coo import sparse_coo_tensor


def sgd_step(p, states, lr, momentum, dampening, weight_decay, nesterov, maximize):
    with no_grad():
        grad = p._grad if not maximize else -p._grad
        if weight_decay != 0:
            grad = grad.add(p, alpha=weight_decay)      # torch's add(sparse, dense) error
        if momentum != 0:
            buf = states[p].get('momentum_buffer')
            if buf is None:
                buf = states[p]['momentum_buffer'] = grad.detach().clone()
            else:
                buf.mul_(momentum).add_(grad, alpha=1 - dampening)
            grad = grad.add(buf, alpha=momentum) if nesterov else buf
        p.add_(grad, alpha=-lr)


def adagrad_step(p, state_sum, clr, eps, maximize):
    """torch's _single_tensor_adagrad on a sparse gradient (the update is non-linear: coalesced first)."""
    with no_grad():
        grad = (p._grad if not maximize else -p._grad).coalesce()
        indices, values = grad._indices(), grad._values()
        state_sum.add_(sparse_coo_tensor(indices, values.pow(2), grad.size()))
        std_values = state_sum.sparse_mask(grad)._values().sqrt_().add_(eps)
        p.add_(sparse_coo_tensor(indices, values / std_values, grad.size()), alpha=-clr)
