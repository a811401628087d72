"""torch.ao.nn.intrinsic.quantized: quantized conv/linear/bn with the ReLU fused into the kernel (the
output clamped from the zero point up)."""
from ... import intrinsic as nni
from ...quantized import modules as nnq

__all__ = ['ConvReLU1d', 'ConvReLU2d', 'ConvReLU3d', 'LinearReLU', 'BNReLU2d', 'BNReLU3d']


class ConvReLU1d(nnq.Conv1d):
    _FLOAT_MODULE = nni.ConvReLU1d
    _relu = True


class ConvReLU2d(nnq.Conv2d):
    _FLOAT_MODULE = nni.ConvReLU2d
    _relu = True


class ConvReLU3d(nnq.Conv3d):
    _FLOAT_MODULE = nni.ConvReLU3d
    _relu = True


class LinearReLU(nnq.Linear):
    _FLOAT_MODULE = nni.LinearReLU
    _relu = True

    def _get_name(self):
        return 'QuantizedLinearReLU'


class BNReLU2d(nnq.BatchNorm2d):
    _NNI_BN_RELU_MODULE = nni.BNReLU2d

    def _get_name(self):
        return 'QuantizedBNReLU2d'

    def forward(self, input):
        return super().forward(input).relu()


class BNReLU3d(nnq.BatchNorm3d):
    _NNI_BN_RELU_MODULE = nni.BNReLU3d

    def _get_name(self):
        return 'QuantizedBNReLU3d'

    def forward(self, input):
        return super().forward(input).relu()
