"""The nn ops torch also exposes at top level (torch.conv2d, torch.layer_norm ...), with torch's
top-level signatures where they differ from nn.functional's."""
from .._ops._core import register
from . import functional as F

for _name in ('conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d',
              'avg_pool1d', 'pixel_shuffle', 'pixel_unshuffle', 'adaptive_avg_pool1d'):
    register(getattr(F, _name), name=_name, method=False)


def _pool(f):
    def pool(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
        return f(input, kernel_size, stride if stride != () and stride != [] else None, padding, dilation,
                 ceil_mode=ceil_mode)
    pool.__name__ = f.__name__
    return pool


for _name in ('max_pool1d', 'max_pool2d', 'max_pool3d'):
    register(_pool(getattr(F, _name)), name=_name, method=False)


def adaptive_max_pool1d(input, output_size):
    return F.adaptive_max_pool1d(input, output_size, return_indices=True)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled):
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    return F.group_norm(input, num_groups, weight, bias, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps,
                  cudnn_enabled):
    return F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """aten::convolution: conv{1,2,3}d or conv_transpose{1,2,3}d by the input's rank."""
    nd = input.dim() - 2
    if nd not in (1, 2, 3):
        raise RuntimeError(f'Expected 3D, 4D or 5D input to convolution, but got {input.dim()}D input')
    if transposed:
        return getattr(F, f'conv_transpose{nd}d')(input, weight, bias, stride, padding, output_padding, groups,
                                                  dilation)
    return getattr(F, f'conv{nd}d')(input, weight, bias, stride, padding, dilation, groups)


for _f in (adaptive_max_pool1d, layer_norm, batch_norm, group_norm, instance_norm, convolution):
    register(_f, method=False)
