"""Padding layers: constant/zero, reflection, replication and circular, in 1/2/3 dims."""
from .module import Module
from .. import _functional_spatial as F
from ..._tensor import Tensor

__all__ = ['CircularPad1d', 'CircularPad2d', 'CircularPad3d', 'ConstantPad1d', 'ConstantPad2d',
           'ConstantPad3d', 'ReflectionPad1d', 'ReflectionPad2d', 'ReflectionPad3d', 'ReplicationPad1d',
           'ReplicationPad2d', 'ReplicationPad3d', 'ZeroPad1d', 'ZeroPad2d', 'ZeroPad3d']


def _expand(padding, nd):
    """torch's _pair/_quadruple/_ntuple(6): an int is repeated, a sequence kept as a tuple."""
    if isinstance(padding, (list, tuple)):
        return tuple(padding)
    return (padding,) * (2 * nd)


class _PadNd(Module):
    __constants__ = ['padding']
    _mode = 'constant'
    _nd = 1

    def __init__(self, padding):
        super().__init__()
        self.padding = _expand(padding, self._nd)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _CircularPadNd(_PadNd):
    _mode = 'circular'

    def _check_input_dim(self, input):
        n = self._nd
        if input.dim() not in (n + 1, n + 2):
            raise ValueError(f"expected {n + 1}D or {n + 2}D input (got {input.dim()}D input)")

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        return super().forward(input)


class CircularPad1d(_CircularPadNd):
    _nd = 1


class CircularPad2d(_CircularPadNd):
    _nd = 2


class CircularPad3d(_CircularPadNd):
    _nd = 3


class _ConstantPadNd(Module):
    __constants__ = ['padding', 'value']
    _nd = 1

    def __init__(self, padding, value):
        super().__init__()
        self.value = value
        self.padding = _expand(padding, self._nd)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, 'constant', self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    _nd = 1


class ConstantPad2d(_ConstantPadNd):
    _nd = 2


class ConstantPad3d(_ConstantPadNd):
    _nd = 3


class _ZeroPadNd:
    """ZeroPad{1,2,3}d: a ConstantPad{1,2,3}d with value 0.0 that prints only the padding."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd, ConstantPad1d):
    pass


class ZeroPad2d(_ZeroPadNd, ConstantPad2d):
    pass


class ZeroPad3d(_ZeroPadNd, ConstantPad3d):
    pass


class ReflectionPad1d(_PadNd):
    _mode, _nd = 'reflect', 1


class ReflectionPad2d(_PadNd):
    _mode, _nd = 'reflect', 2


class ReflectionPad3d(_PadNd):
    _mode, _nd = 'reflect', 3


class ReplicationPad1d(_PadNd):
    _mode, _nd = 'replicate', 1


class ReplicationPad2d(_PadNd):
    _mode, _nd = 'replicate', 2


class ReplicationPad3d(_PadNd):
    _mode, _nd = 'replicate', 3
