"""torch.functional: the Python-level tensor functions torch defines in one module (einsum, split, stft, norm,
unique ...). Scripts reach them as `torch.functional.X` (often meaning torch.nn.functional); here each name is
faketorch's own top-level function."""
import faketorch as torch
from faketorch import Tensor  # noqa: F401
from faketorch.nn import functional as F  # noqa: F401  (torch.functional imports nn.functional as F too)
from faketorch.overrides import (handle_torch_function, has_torch_function,  # noqa: F401
                                 has_torch_function_unary, has_torch_function_variadic)

__all__ = ['atleast_1d', 'atleast_2d', 'atleast_3d', 'broadcast_shapes', 'broadcast_tensors', 'cartesian_prod',
           'block_diag', 'cdist', 'chain_matmul', 'einsum', 'istft', 'lu', 'norm', 'meshgrid', 'pca_lowrank',
           'split', 'stft', 'svd_lowrank', 'tensordot', 'unique', 'unique_consecutive', 'unravel_index']

globals().update({_name: getattr(torch, _name) for _name in __all__})
