"""torch.ao.nn.intrinsic: fused module sequences (conv + bn + relu ...) that fuse_modules builds and that
prepare/convert swap for their QAT and quantized versions."""
from faketorch import nn

__all__ = ['ConvBn1d', 'ConvBn2d', 'ConvBn3d', 'ConvBnReLU1d', 'ConvBnReLU2d', 'ConvBnReLU3d', 'ConvReLU1d',
           'ConvReLU2d', 'ConvReLU3d', 'LinearReLU', 'BNReLU2d', 'BNReLU3d', 'LinearBn1d']


class _FusedModule(nn.Sequential):
    pass


def _fused(name, *types):
    """A fused Sequential of modules of exactly these types, refusing others with torch's message."""
    def __init__(self, *mods):
        if len(mods) != len(types) or any(type(m) is not t for m, t in zip(mods, types)):
            raise AssertionError("Incorrect types for input modules: " +
                                 ' and '.join(type(m).__name__ for m in mods))
        _FusedModule.__init__(self, *mods)
    return type(name, (_FusedModule,), {'__init__': __init__, '__module__': __name__})


ConvReLU1d = _fused('ConvReLU1d', nn.Conv1d, nn.ReLU)
ConvReLU2d = _fused('ConvReLU2d', nn.Conv2d, nn.ReLU)
ConvReLU3d = _fused('ConvReLU3d', nn.Conv3d, nn.ReLU)
LinearReLU = _fused('LinearReLU', nn.Linear, nn.ReLU)
ConvBn1d = _fused('ConvBn1d', nn.Conv1d, nn.BatchNorm1d)
ConvBn2d = _fused('ConvBn2d', nn.Conv2d, nn.BatchNorm2d)
ConvBn3d = _fused('ConvBn3d', nn.Conv3d, nn.BatchNorm3d)
ConvBnReLU1d = _fused('ConvBnReLU1d', nn.Conv1d, nn.BatchNorm1d, nn.ReLU)
ConvBnReLU2d = _fused('ConvBnReLU2d', nn.Conv2d, nn.BatchNorm2d, nn.ReLU)
ConvBnReLU3d = _fused('ConvBnReLU3d', nn.Conv3d, nn.BatchNorm3d, nn.ReLU)
BNReLU2d = _fused('BNReLU2d', nn.BatchNorm2d, nn.ReLU)
BNReLU3d = _fused('BNReLU3d', nn.BatchNorm3d, nn.ReLU)
LinearBn1d = _fused('LinearBn1d', nn.Linear, nn.BatchNorm1d)

from . import qat, quantized  # noqa: E402,F401
