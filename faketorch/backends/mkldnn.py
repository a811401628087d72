"""torch.backends.mkldnn (oneDNN): reported available, as on torch's x86 CPU wheels; faketorch
itself computes with NumPy whatever the flags say."""
import sys
import types

from . import _Flag, _flag_module, _restoring

VERBOSE_OFF, VERBOSE_ON, VERBOSE_ON_CREATION = 0, 1, 2


def is_available():
    return True


def is_acl_available():
    return False


class verbose:
    """On-demand oneDNN verbosing (nothing to print under NumPy)."""

    def __init__(self, level):
        self.level = level

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class MkldnnModule(types.ModuleType):
    enabled = _Flag(True, 'set_enabled_mkldnn')
    deterministic = _Flag(False, 'set_deterministic_mkldnn')


_flag_module(__name__, MkldnnModule)
allow_tf32 = None
fp32_precision = 'none'


def set_flags(_enabled=None, _deterministic=None, _allow_tf32=None, _fp32_precision='none'):
    m = sys.modules[__name__]
    orig = (m.enabled, m.deterministic, m.allow_tf32, m.fp32_precision)
    if _enabled is not None:
        m.enabled = _enabled
    if _deterministic is not None:
        m.deterministic = _deterministic
    return orig


def flags(enabled=False, deterministic=False, allow_tf32=True, fp32_precision='none'):
    return _restoring(sys.modules[__name__], enabled=enabled, deterministic=deterministic)
