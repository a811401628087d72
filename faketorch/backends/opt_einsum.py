"""torch.backends.opt_einsum: torch reports it unavailable unless the opt_einsum package is
installed (it is not in torch's oracle environment); faketorch's einsum is NumPy's."""
import importlib.util
import sys

from . import _restoring


def is_available():
    return importlib.util.find_spec('opt_einsum') is not None


def get_opt_einsum():
    if not is_available():
        return None
    import opt_einsum
    return opt_einsum


enabled = is_available()
strategy = 'auto' if enabled else None


def set_flags(_enabled=None, _strategy=None):
    m = sys.modules[__name__]
    orig = (m.enabled, m.strategy)
    if _enabled is not None:
        m.enabled = _enabled
    if _strategy is not None:
        m.strategy = _strategy
    return orig


def flags(enabled=None, strategy=None):
    values = {k: v for k, v in (('enabled', enabled), ('strategy', strategy)) if v is not None}
    return _restoring(sys.modules[__name__], **values)
