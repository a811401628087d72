"""torch.ao.nn.intrinsic.qat: fused conv+bn(+relu), conv+relu and linear+relu for quantization-aware
training. ConvBn folds the batch norm's scale into the fake-quantized weight (torch's one-pass
approximation) and keeps the batch norm for its statistics."""
import math

import faketorch as torch
from faketorch import nn
import faketorch.nn.functional as F
from faketorch.nn import init

from ... import intrinsic as nni
from ...qat import Conv1d as _QatConv1d, Conv2d as _QatConv2d, Conv3d as _QatConv3d, Linear as _QatLinear

__all__ = ['ConvBn1d', 'ConvBn2d', 'ConvBn3d', 'ConvBnReLU1d', 'ConvBnReLU2d', 'ConvBnReLU3d', 'ConvReLU1d',
           'ConvReLU2d', 'ConvReLU3d', 'LinearReLU', 'update_bn_stats', 'freeze_bn_stats']

_BN = {1: nn.BatchNorm1d, 2: nn.BatchNorm2d, 3: nn.BatchNorm3d}
_CONV = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}


class _ConvBnNd(nn.modules.conv._Conv, nni._FusedModule):
    _version = 2
    _FUSED_BN = True        # convert folds the batch norm into the weight and bias
    _relu = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=None, padding_mode='zeros', eps=1e-05, momentum=0.1, freeze_bn=False, qconfig=None):
        nn.modules.conv._Conv.__init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                                       False, padding_mode)
        if not qconfig:
            raise AssertionError("qconfig must be provided for QAT module")
        self.qconfig = qconfig
        self.freeze_bn = freeze_bn if self.training else True
        self.bn = _BN[self._nd](out_channels, eps, momentum, True, True)
        self.weight_fake_quant = self.qconfig.weight()
        if bias:
            self.bias = nn.Parameter(torch.empty(out_channels))
        else:
            self.register_parameter('bias', None)
        self.reset_bn_parameters()
        if self.training and not freeze_bn:
            self.update_bn_stats()
        else:
            self.freeze_bn_stats()
        self._enable_slow_path_for_better_numerical_stability = False

    def reset_running_stats(self):
        self.bn.reset_running_stats()

    def reset_bn_parameters(self):
        self.bn.reset_running_stats()
        init.uniform_(self.bn.weight)
        init.zeros_(self.bn.bias)
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in)
            init.uniform_(self.bias, -bound, bound)

    def update_bn_stats(self):
        self.freeze_bn = False
        self.bn.training = True
        return self

    def freeze_bn_stats(self):
        self.freeze_bn = True
        self.bn.training = False
        return self

    def _forward(self, input):
        running_std = torch.sqrt(self.bn.running_var + self.bn.eps)
        scale_factor = self.bn.weight / running_std
        weight_shape = [1] * len(self.weight.shape)
        weight_shape[0] = -1
        bias_shape = [1] * len(self.weight.shape)
        bias_shape[1] = -1
        scaled_weight = self.weight_fake_quant(self.weight * scale_factor.reshape(weight_shape))
        zero_bias = torch.zeros(self.out_channels, dtype=input.dtype)
        conv = self._conv_forward(input, scaled_weight, zero_bias)
        conv_orig = conv / scale_factor.reshape(bias_shape)
        if self.bias is not None:
            conv_orig = conv_orig + self.bias.reshape(bias_shape)
        return self.bn(conv_orig)

    def forward(self, input):
        out = self._forward(input)
        return F.relu(out) if self._relu else out

    def train(self, mode=True):
        # a frozen batch norm stays in eval mode when the model goes back to training
        self.training = mode
        if not self.freeze_bn:
            for module in self.children():
                module.train(mode)
        return self

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        if type(mod) is not cls._FLOAT_MODULE:
            raise AssertionError(f"qat.{cls.__name__}.from_float only works for {cls._FLOAT_MODULE.__name__}")
        if not hasattr(mod, 'qconfig'):
            raise AssertionError("Input float module must have qconfig defined")
        if not mod.qconfig:
            raise AssertionError("Input float module must have a valid qconfig")
        conv, bn = mod[0], mod[1]
        qat = cls(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding, conv.dilation,
                  conv.groups, conv.bias is not None, conv.padding_mode, bn.eps, bn.momentum, False, mod.qconfig)
        qat.weight, qat.bias = conv.weight, conv.bias
        qat.bn.weight, qat.bn.bias = bn.weight, bn.bias
        qat.bn.running_mean, qat.bn.running_var = bn.running_mean, bn.running_var
        qat.bn.num_batches_tracked = bn.num_batches_tracked
        return qat

    def to_float(self):
        from faketorch.nn.utils.fusion import fuse_conv_bn_weights
        conv = _CONV[self._nd](self.in_channels, self.out_channels, self.kernel_size, self.stride, self.padding,
                               self.dilation, self.groups, self.bias is not None, self.padding_mode)
        conv.weight = nn.Parameter(self.weight.detach())
        if self.bias is not None:
            conv.bias = nn.Parameter(self.bias.detach())
        conv.weight, conv.bias = fuse_conv_bn_weights(conv.weight, conv.bias, self.bn.running_mean,
                                                      self.bn.running_var, self.bn.eps, self.bn.weight, self.bn.bias)
        if self._relu:
            return nni.__dict__[f'ConvReLU{self._nd}d'](conv, nn.ReLU())
        conv.train(self.training)
        return conv


def _conv_bn(name, nd, relu, float_module):
    return type(name, (_ConvBnNd,), {'_nd': nd, '_relu': relu, '_FLOAT_MODULE': float_module,
                                     '__module__': __name__})


ConvBn1d = _conv_bn('ConvBn1d', 1, False, nni.ConvBn1d)
ConvBn2d = _conv_bn('ConvBn2d', 2, False, nni.ConvBn2d)
ConvBn3d = _conv_bn('ConvBn3d', 3, False, nni.ConvBn3d)
ConvBnReLU1d = _conv_bn('ConvBnReLU1d', 1, True, nni.ConvBnReLU1d)
ConvBnReLU2d = _conv_bn('ConvBnReLU2d', 2, True, nni.ConvBnReLU2d)
ConvBnReLU3d = _conv_bn('ConvBnReLU3d', 3, True, nni.ConvBnReLU3d)


def _conv_relu(name, base, float_module):
    def forward(self, input):
        return F.relu(self._conv_forward(input, self.weight_fake_quant(self.weight), self.bias))
    return type(name, (base, nni._FusedModule), {'forward': forward, '_FLOAT_MODULE': float_module,
                                                 '__module__': __name__})


ConvReLU1d = _conv_relu('ConvReLU1d', _QatConv1d, nni.ConvReLU1d)
ConvReLU2d = _conv_relu('ConvReLU2d', _QatConv2d, nni.ConvReLU2d)
ConvReLU3d = _conv_relu('ConvReLU3d', _QatConv3d, nni.ConvReLU3d)


class LinearReLU(_QatLinear, nni._FusedModule):
    _FLOAT_MODULE = nni.LinearReLU

    def forward(self, input):
        return F.relu(F.linear(input, self.weight_fake_quant(self.weight), self.bias))

    def to_float(self):
        return nni.LinearReLU(super().to_float(), nn.ReLU())


def update_bn_stats(mod):
    if type(mod) in {ConvBnReLU1d, ConvBnReLU2d, ConvBnReLU3d, ConvBn1d, ConvBn2d, ConvBn3d}:
        mod.update_bn_stats()


def freeze_bn_stats(mod):
    if type(mod) in {ConvBnReLU1d, ConvBnReLU2d, ConvBnReLU3d, ConvBn1d, ConvBn2d, ConvBn3d}:
        mod.freeze_bn_stats()
