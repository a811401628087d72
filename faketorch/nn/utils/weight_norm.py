"""The classic hook-based weight_norm (torch.nn.utils.weight_norm, deprecated by torch)."""
import warnings

from ... import _dtype as D
from ..._ops._core import register
from .. import functional as F
from ..parameter import Parameter, UninitializedParameter

__all__ = ['WeightNorm', 'weight_norm', 'remove_weight_norm']


def norm_except_dim(v, pow=2, dim=0):
    """torch.norm_except_dim: the pow-norm of v over every dim but dim (all of v for dim=-1), keeping v's rank."""
    if not (v.is_floating_point() or v.is_complex()):      # the message of the C++ norm it calls
        raise RuntimeError(f'norm(): input dtype should be either floating point or complex. Got '
                           f'{D.type_name(v.dtype)} instead.')
    if dim == -1:
        return v.norm(pow)
    if dim == 0:
        return v.contiguous().view(v.size(0), -1).norm(pow, 1).view([v.size(0)] + [1] * (v.dim() - 1))
    if dim == v.dim() - 1:
        return v.contiguous().view(-1, v.size(-1)).norm(pow, 0).view([1] * (v.dim() - 1) + [v.size(-1)])
    return norm_except_dim(v.transpose(0, dim), pow, 0).transpose(0, dim)


def _weight_norm(v, g, dim=0):
    """torch._weight_norm: v * (g / ||v||); torch's fused kernel (one WeightNormInterfaceBackward0 node) only for
    dim 0 or the last dim, else the composite."""
    if v.device != g.device:
        raise RuntimeError('weight_norm: expected v_in and g_in to be on the same device, but v_in is on '
                           f'{v.device} and g_in is on {g.device}')
    v, g = v.contiguous(), g.contiguous()
    if dim in (0, v.dim() - 1):
        if not v.is_floating_point():
            raise NotImplementedError(f'"weight_norm_kernel" not implemented for \'{D.type_name(v.dtype)}\'')
        if g.dtype != v.dtype:
            raise RuntimeError(f'expected scalar type {D.type_name(v.dtype)} but found {D.type_name(g.dtype)}')
        return F._fused('WeightNormInterfaceBackward0', (v, g), lambda v, g: _fused_weight_norm(v, g, dim))
    return v * (g / norm_except_dim(v, 2, dim))


register(norm_except_dim, method=False)
register(_weight_norm, method=False)


def _fused_weight_norm(v, g, dim):
    if v.dtype in (D.float16, D.bfloat16):      # the kernel accumulates reduced floats in float32
        return _fused_weight_norm(v.float(), g.float(), dim).to(v.dtype)
    return v * (g / norm_except_dim(v, 2, dim))


class WeightNorm:
    def __init__(self, name, dim):
        if dim is None:
            dim = -1
        self.name, self.dim = name, dim

    def compute_weight(self, module):
        g = getattr(module, self.name + '_g')
        v = getattr(module, self.name + '_v')
        return _weight_norm(v, g, self.dim)

    @staticmethod
    def apply(module, name, dim):
        # torch deprecates WeightNorm.apply itself, so the warning points at apply's caller: inside
        # weight_norm() for the usual call, which the default filter then shows once per process
        warnings.warn('`torch.nn.utils.weight_norm` is deprecated in favor of '
                      '`torch.nn.utils.parametrizations.weight_norm`.', FutureWarning, stacklevel=2)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f'Cannot register two weight_norm hooks on the same parameter {name}')
        if dim is None:
            dim = -1
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        if isinstance(weight, UninitializedParameter):
            raise ValueError("The module passed to `WeightNorm` can't have uninitialized parameters. Make sure to "
                             'run the dummy forward before applying weight normalization')
        del module._parameters[name]
        module.register_parameter(name + '_g', Parameter(norm_except_dim(weight, 2, dim).data))
        module.register_parameter(name + '_v', Parameter(weight.data))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module):
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + '_g']
        del module._parameters[self.name + '_v']
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name='weight', dim=0):
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name='weight'):
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
