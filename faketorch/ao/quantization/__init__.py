"""torch.ao.quantization: eager-mode post-training (static and dynamic) quantization and
quantization-aware training."""
from .fake_quantize import *  # noqa: F401,F403
from .fuse_modules import fuse_modules, fuse_modules_qat, fuse_known_modules  # noqa: F401
from .observer import *  # noqa: F401,F403
from .observer import _PartialWrapper  # noqa: F401
from .qconfig import *  # noqa: F401,F403
from .quantization_mappings import *  # noqa: F401,F403
from .quantize import *  # noqa: F401,F403
from .quantize import _remove_qconfig  # noqa: F401
from .stubs import *  # noqa: F401,F403
from . import fake_quantize, observer, qconfig, quantization_mappings, stubs  # noqa: F401,E402
