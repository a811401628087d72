"""torch.utils: data loading, plus checkpoint, _pytree and benchmark on first use."""
from . import data

__all__ = ['data', 'checkpoint', 'swap_tensors']

# torch imports utils.checkpoint and utils._pytree with `import torch`; faketorch loads them when
# first touched, to keep `import faketorch` fast. `benchmark` needs an explicit import, as in torch.
_LAZY_SUBMODULES = ('checkpoint', '_pytree', 'dlpack', 'hooks')


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        import importlib
        return importlib.import_module('.' + name, __name__)
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")


def swap_tensors(t1, t2):
    """Exchange two tensors' contents in place, their class (Parameter or not) and attributes included:
    every reference to t1 then sees what t2 was, and the other way round."""
    from .._tensor import Tensor
    for t in (t1, t2):
        if not isinstance(t, Tensor):
            raise TypeError(f"Expected t1 and t2 to be Tensors, but got {type(t1).__name__} and {type(t2).__name__}")
    missing = object()
    for k in Tensor.__slots__:
        if k in ('__dict__', '__weakref__'):
            continue
        a, b = getattr(t1, k, missing), getattr(t2, k, missing)
        for t, v in ((t1, b), (t2, a)):
            if v is missing:
                if hasattr(t, k):
                    object.__delattr__(t, k)
            else:
                object.__setattr__(t, k, v)
    d1, d2 = dict(t1.__dict__), dict(t2.__dict__)
    t1.__dict__.clear(), t1.__dict__.update(d2)
    t2.__dict__.clear(), t2.__dict__.update(d1)
    t1.__class__, t2.__class__ = t2.__class__, t1.__class__
