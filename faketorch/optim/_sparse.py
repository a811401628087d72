"""SGD's step on a sparse gradient: torch's for-loop algorithm, in tensor ops (sparse + sparse merges,
dense += sparse), so the momentum buffer is a sparse tensor as in torch."""
from ..autograd.grad_mode import no_grad


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
