"""torch.distributed.optim: DistributedOptimizer, an optimizer per worker over the parameters it
owns, stepped with the gradients of a distributed autograd context."""
from .optimizer import DistributedOptimizer

__all__ = ['DistributedOptimizer']
