"""torch.backends.cpu."""
from .. import _xnp as np


def get_cpu_capability():
    """The widest SIMD level NumPy dispatches to here, named as torch names it."""
    features = getattr(np, '__cpu_features__', {}) or {}
    if features.get('AVX512F'):
        return 'AVX512'
    if features.get('AVX2'):
        return 'AVX2'
    return 'DEFAULT'
