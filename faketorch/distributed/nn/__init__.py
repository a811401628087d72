"""torch.distributed.nn: collectives that autograd differentiates (functional)."""
from .functional import *  # noqa: F401, F403
