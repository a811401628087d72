"""torch.nn.grad: gradients of conv1d/2d/3d with respect to input and weight.

A convolution is linear in each argument, so each gradient is the autograd vector-Jacobian product of
the convolution evaluated at zeros of the requested size.
"""
from .. import autograd
from .._ops.factory import zeros
from . import functional as F

__all__ = ['conv1d_input', 'conv1d_weight', 'conv2d_input', 'conv2d_weight', 'conv3d_input', 'conv3d_weight']


def _vjp(conv, wrt_input, size, other, grad_output, stride, padding, dilation, groups):
    create_graph = autograd.is_grad_enabled() and (other.requires_grad or grad_output.requires_grad)
    with autograd.enable_grad():
        z = zeros(tuple(size), dtype=grad_output.dtype, device=grad_output.device, requires_grad=True)
        x, w = (z, other) if wrt_input else (other, z)
        out = conv(x, w, None, stride, padding, dilation, groups)
        return autograd.grad(out, z, grad_output, create_graph=create_graph)[0]


def _pair(conv):
    def grad_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
        return _vjp(conv, True, input_size, weight, grad_output, stride, padding, dilation, groups)

    def grad_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
        return _vjp(conv, False, weight_size, input, grad_output, stride, padding, dilation, groups)
    name = conv.__name__
    grad_input.__name__ = grad_input.__qualname__ = name + '_input'
    grad_weight.__name__ = grad_weight.__qualname__ = name + '_weight'
    grad_input.__doc__ = f'Gradient of {name} with respect to its input.'
    grad_weight.__doc__ = f'Gradient of {name} with respect to its weight.'
    return grad_input, grad_weight


conv1d_input, conv1d_weight = _pair(F.conv1d)
conv2d_input, conv2d_weight = _pair(F.conv2d)
conv3d_input, conv3d_weight = _pair(F.conv3d)
