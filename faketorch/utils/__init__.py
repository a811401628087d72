"""torch.utils: data loading, plus checkpoint, _pytree and benchmark on first use."""
from . import data

__all__ = ['data', 'checkpoint']

# torch imports utils.checkpoint and utils._pytree with `import torch`; faketorch loads them when
# first touched, to keep `import faketorch` fast. `benchmark` needs an explicit import, as in torch.
_LAZY_SUBMODULES = ('checkpoint', '_pytree', 'dlpack', 'hooks')


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        import importlib
        return importlib.import_module('.' + name, __name__)
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
