"""torch.nn.utils: gradient clipping, parameter <-> vector, weight_norm."""
from .clip_grad import clip_grad_norm_, clip_grad_norm, clip_grad_value_, get_total_norm, clip_grads_with_norm_
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .weight_norm import weight_norm, remove_weight_norm
from .spectral_norm import spectral_norm, remove_spectral_norm
from . import parametrize, prune, parametrizations  # noqa: F401
from .init import skip_init
from .fusion import fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval, fuse_linear_bn_weights
from .memory_format import convert_conv2d_weight_memory_format, convert_conv3d_weight_memory_format
from . import stateless  # noqa: F401

try:        # nn/utils/rnn.py belongs to the recurrent-layers work
    from . import rnn  # noqa: F401
except ImportError:
    pass

__all__ = ['clip_grad_norm', 'clip_grad_norm_', 'clip_grads_with_norm_', 'clip_grad_value_',
           'convert_conv2d_weight_memory_format', 'convert_conv3d_weight_memory_format', 'fuse_conv_bn_eval',
           'fuse_conv_bn_weights', 'fuse_linear_bn_eval', 'fuse_linear_bn_weights', 'get_total_norm',
           'parameters_to_vector', 'parametrizations', 'parametrize', 'remove_spectral_norm', 'remove_weight_norm',
           'rnn', 'skip_init', 'spectral_norm', 'stateless', 'vector_to_parameters', 'weight_norm']
