"""torch.distributed.nn: collectives that autograd differentiates (functional), and RemoteModule."""
from .functional import *  # noqa: F401, F403
from .api.remote_module import RemoteModule  # noqa: F401
