"""torch.backends, as a CPU-only torch 2.13 build reports it. Flags are accepted and remembered
(scripts set cudnn.benchmark, cuda.matmul.allow_tf32 ...); NumPy/CuPy have no such knobs, so they
do not change results."""
import contextlib
import sys


class _Flag:
    """A module attribute that only takes bools, with torch's message naming its C++ setter."""

    def __init__(self, default, setter):
        self.default, self.setter = default, setter

    def __set_name__(self, owner, name):
        self.name = '_flag_' + name

    def __get__(self, obj, objtype=None):
        return obj.__dict__.get(self.name, self.default) if obj is not None else self

    def __set__(self, obj, value):
        if not isinstance(value, bool):
            raise RuntimeError(f'{self.setter} expects a bool, but got {type(value).__name__}')
        obj.__dict__[self.name] = value


def _flag_module(name, cls):
    """Turn the module `name` into an instance of the ModuleType subclass `cls` (keeps its globals)."""
    sys.modules[name].__class__ = cls


@contextlib.contextmanager
def _restoring(module, **values):
    """Set module attributes for the block, restore them after."""
    old = {k: getattr(module, k) for k in values}
    for k, v in values.items():
        setattr(module, k, v)
    try:
        yield
    finally:
        for k, v in old.items():
            setattr(module, k, v)


fp32_precision = 'none'

from . import cpu, cuda, cudnn, mha, mkl, mkldnn, mps, nnpack, openmp, opt_einsum, quantized  # noqa: E402,F401
