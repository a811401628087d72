"""torch.ao.nn.quantized.functional: functional forms on quantized tensors."""
import faketorch as torch
import faketorch.nn.functional as F

from . import _kernels

__all__ = ['linear', 'conv2d', 'max_pool2d', 'adaptive_avg_pool2d', 'avg_pool2d', 'relu6', 'hardtanh']


def linear(input, weight, bias=None, scale=None, zero_point=None):
    scale = input.q_scale() if scale is None else scale
    zero_point = input.q_zero_point() if zero_point is None else zero_point
    return _kernels.linear(input, weight, bias, scale, zero_point)


def conv2d(input, weight, bias, stride=1, padding=0, dilation=1, groups=1, padding_mode='zeros', scale=1.0,
           zero_point=0, dtype=torch.quint8):
    from faketorch.nn.modules.utils import _pair
    return _kernels.conv(input, weight, bias, _pair(stride), _pair(padding), _pair(dilation), groups, scale,
                         zero_point)


max_pool2d = F.max_pool2d
adaptive_avg_pool2d = F.adaptive_avg_pool2d
avg_pool2d = F.avg_pool2d


def relu6(input, inplace=False):
    return F.hardtanh(input, 0.0, 6.0)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    return F.hardtanh(input, min_val, max_val)
