"""torch.distributed.optim: DistributedOptimizer, an optimizer per worker over the parameters it
owns, stepped with the gradients of a distributed autograd context."""
from .optimizer import DistributedOptimizer
from .apply_optimizer_in_backward import _apply_optimizer_in_backward, _get_in_backward_optimizers  # noqa: F401

__all__ = ['DistributedOptimizer']
