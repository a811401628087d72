"""torch.ao.nn.quantized: the quantized modules (see modules.py) and the dynamic ones."""
from .modules import *  # noqa: F401,F403
from .modules import __all__  # noqa: F401
from . import dynamic, functional  # noqa: F401,E402
