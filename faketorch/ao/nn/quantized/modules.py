"""The quantized modules `convert` swaps in (torch.ao.nn.quantized): quantized Linear and Conv hold a
quantized weight and a float bias and run torch's integer kernels (see _kernels.py)."""
import faketorch as torch
from faketorch import nn
from faketorch.nn.modules.utils import _pair, _single, _triple

from . import _kernels

__all__ = ['Quantize', 'DeQuantize', 'Linear', 'LinearPackedParams', 'Conv1d', 'Conv2d', 'Conv3d', 'ReLU6',
           'Hardswish', 'ELU', 'LeakyReLU', 'Sigmoid', 'Softmax', 'Dropout', 'BatchNorm2d', 'BatchNorm3d',
           'FloatFunctional', 'FXFloatFunctional', 'QFunctional', 'LayerNorm', 'GroupNorm', 'InstanceNorm1d',
           'InstanceNorm2d', 'InstanceNorm3d']


def _float_module(mod):
    """The float module a swapped module came from, its fused ReLU set aside."""
    from ..intrinsic import _FusedModule
    return mod[0] if isinstance(mod, _FusedModule) else mod


def _quantize_weight(float_wt, observer):
    """The float weight quantized with the qparams its observer chose (per tensor or per channel)."""
    scale, zp = observer.calculate_qparams()
    name = observer.qscheme.name
    if name in ('per_tensor_symmetric', 'per_tensor_affine'):
        q = torch.quantize_per_tensor(float_wt, float(scale), int(zp), torch.qint8)
    elif name in ('per_channel_symmetric', 'per_channel_affine'):
        q = torch.quantize_per_channel(float_wt, scale.to(torch.double), zp.to(torch.int64), observer.ch_axis,
                                       torch.qint8)
    else:
        raise ValueError("Unexpected qscheme " + str(observer.qscheme))
    lo, hi = observer.quant_min, observer.quant_max
    if lo > -128 or hi < 127:       # a narrower weight range (e.g. -127..127): clamp the integers
        import numpy as np
        q._data.int = np.clip(q._data.int, lo, hi)
    return q


def _hide_packed_params_repr(self, params):
    """A module's repr without its packed-parameters child."""
    from faketorch.nn.modules.module import _addindent
    extra = self.extra_repr()
    extra_lines = extra.split('\n') if extra else []
    child_lines = ['(' + key + '): ' + _addindent(repr(m), 2) for key, m in self._modules.items()
                   if not isinstance(m, params)]
    lines = extra_lines + child_lines
    s = self._get_name() + '('
    if lines:
        s += extra_lines[0] if len(extra_lines) == 1 and not child_lines else '\n  ' + '\n  '.join(lines) + '\n'
    return s + ')'


class Quantize(nn.Module):
    def __init__(self, scale, zero_point, dtype, factory_kwargs=None):
        factory_kwargs = nn.factory_kwargs(factory_kwargs)
        super().__init__()
        self.register_buffer('scale', torch.tensor([scale], **factory_kwargs))
        self.register_buffer('zero_point', torch.tensor([zero_point], dtype=torch.long,
                                                        **{k: v for k, v in factory_kwargs.items() if k != 'dtype'}))
        self.dtype = dtype

    def forward(self, X):
        return torch.quantize_per_tensor(X, float(self.scale), int(self.zero_point), self.dtype)

    @staticmethod
    def from_float(mod, use_precomputed_fake_quant=False):
        if not hasattr(mod, 'activation_post_process'):
            raise AssertionError("Input float module must have activation_post_process")
        scale, zero_point = mod.activation_post_process.calculate_qparams()
        return Quantize(scale.float().item(), zero_point.long().item(), mod.activation_post_process.dtype)

    def extra_repr(self):
        return f"scale={self.scale}, zero_point={self.zero_point}, dtype={self.dtype}"


class DeQuantize(nn.Module):
    def forward(self, Xq):
        return Xq.dequantize()

    @staticmethod
    def from_float(mod, use_precomputed_fake_quant=False):
        return DeQuantize()


class LinearPackedParams(nn.Module):
    """The weight and bias of a quantized Linear (torch packs them for fbgemm; here they are kept as they are)."""
    _version = 3

    def __init__(self, dtype=torch.qint8):
        super().__init__()
        self.dtype = dtype
        self.set_weight_bias(torch._empty_affine_quantized([1, 1], scale=1.0, zero_point=0, dtype=torch.qint8)
                             if dtype is torch.qint8 else torch.zeros([1, 1]), None)

    def set_weight_bias(self, weight, bias):
        if self.dtype is torch.float16:      # fbgemm keeps a float16 copy of the weight
            weight = weight.detach().half().float()
        self._packed_params = (weight, bias)

    def _weight_bias(self):
        return self._packed_params

    def forward(self, x):
        return x

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        super()._save_to_state_dict(destination, prefix, keep_vars)
        destination[prefix + 'dtype'] = self.dtype
        destination[prefix + '_packed_params'] = self._weight_bias()

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        self.dtype = state_dict.pop(prefix + 'dtype')
        self.set_weight_bias(*state_dict.pop(prefix + '_packed_params'))
        super()._load_from_state_dict(state_dict, prefix, local_metadata, False, missing_keys, unexpected_keys,
                                      error_msgs)

    def __repr__(self):
        return repr(self._weight_bias())


class _WeightedQuantizedModule(nn.Module):
    """Output scale and zero point saved as tensors after the module's own entries, as torch saves them."""

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        super()._save_to_state_dict(destination, prefix, keep_vars)
        destination[prefix + 'scale'] = torch.tensor(self.scale)
        destination[prefix + 'zero_point'] = torch.tensor(self.zero_point)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        self.scale = float(state_dict.pop(prefix + 'scale'))
        self.zero_point = int(state_dict.pop(prefix + 'zero_point'))
        super()._load_from_state_dict(state_dict, prefix, local_metadata, False, missing_keys, unexpected_keys,
                                      error_msgs)


class Linear(_WeightedQuantizedModule):
    _version = 3
    _relu = False

    def __init__(self, in_features, out_features, bias_=True, dtype=torch.qint8):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bias = torch.zeros(out_features, dtype=torch.float) if bias_ else None
        if dtype is torch.qint8:
            qweight = torch._empty_affine_quantized([out_features, in_features], scale=1, zero_point=0,
                                                    dtype=torch.qint8)
        elif dtype is torch.float16:         # (dynamic quantization only)
            qweight = torch.zeros([out_features, in_features], dtype=torch.float)
        else:
            raise RuntimeError("Unsupported dtype specified for quantized Linear!")
        self._packed_params = LinearPackedParams(dtype)
        self._packed_params.set_weight_bias(qweight, bias)
        self.scale, self.zero_point = 1.0, 0

    def _get_name(self):
        return 'QuantizedLinear'

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, scale={self.scale}, "
                f"zero_point={self.zero_point}, qscheme={self.weight().qscheme()}")

    def __repr__(self):
        return _hide_packed_params_repr(self, LinearPackedParams)

    def forward(self, x):
        w, b = self._weight_bias()
        return _kernels.linear(x, w, b, self.scale, self.zero_point, self._relu)

    def _weight_bias(self):
        return self._packed_params._weight_bias()

    def weight(self):
        return self._weight_bias()[0]

    def bias(self):
        return self._weight_bias()[1]

    def set_weight_bias(self, w, b):
        self._packed_params.set_weight_bias(w, b)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        from ..intrinsic import LinearReLU
        if hasattr(mod, 'weight_fake_quant'):
            weight_post_process = mod.weight_fake_quant
        else:
            floats = cls._FLOAT_MODULE if isinstance(cls._FLOAT_MODULE, (list, tuple)) else [cls._FLOAT_MODULE]
            if type(mod) not in floats:
                raise AssertionError(f"nnq.{cls.__name__}.from_float only works for "
                                     f"{', '.join(f.__name__ for f in floats)}, but got: {type(mod)}")
            if not hasattr(mod, 'qconfig'):
                raise AssertionError("Input float module must have qconfig defined")
            weight_post_process = None
        activation_post_process = mod.activation_post_process
        if type(mod) is LinearReLU:
            mod = mod[0]
        if weight_post_process is None:
            weight_post_process = mod.qconfig.weight()
        if not use_precomputed_fake_quant:
            weight_post_process(mod.weight)
        if weight_post_process.dtype is not torch.qint8:
            raise AssertionError(f"Weight observer must have dtype torch.qint8, got {weight_post_process.dtype}")
        act_scale, act_zp = activation_post_process.calculate_qparams()
        q = cls(mod.in_features, mod.out_features, dtype=weight_post_process.dtype)
        q.set_weight_bias(_quantize_weight(mod.weight.float(), weight_post_process), mod.bias)
        q.scale, q.zero_point = float(act_scale), int(act_zp)
        return q


Linear._FLOAT_MODULE = (nn.Linear, nn.modules.linear.NonDynamicallyQuantizableLinear)


class _ConvNd(_WeightedQuantizedModule):
    _relu = False
    _nd = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode='zeros', device=None, dtype=None):
        super().__init__()
        tup = {1: _single, 2: _pair, 3: _triple}[self._nd]
        if out_channels <= 0:
            raise ValueError(f"out_channels must be greater than 0, got {out_channels}")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = tup(kernel_size), tup(stride)
        self.padding = padding if isinstance(padding, str) else tup(padding)
        self.dilation = tup(dilation)
        self.transposed, self.output_padding = False, tup(0)
        self.groups = groups
        if padding_mode not in ('zeros', 'reflect'):
            raise ValueError(f"'padding_mode' {padding_mode} is not supported by quantized convolution")
        self.padding_mode = padding_mode
        qweight = torch._empty_affine_quantized([out_channels, in_channels // groups, *self.kernel_size], scale=1,
                                                zero_point=0, dtype=torch.qint8)
        self.set_weight_bias(qweight, torch.zeros(out_channels, dtype=torch.float) if bias else None)
        self.scale, self.zero_point = 1.0, 0

    def _get_name(self):
        return f'Quantized{type(self).__name__}'

    def set_weight_bias(self, w, b):
        self._packed_params = (w, b)

    def _weight_bias(self):
        return self._packed_params

    def weight(self):
        return self._packed_params[0]

    def bias(self):
        return self._packed_params[1]

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}, "
             f"scale={self.scale}, zero_point={self.zero_point}")
        if self.padding != (0,) * len(self.padding):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias() is None:
            s += ", bias=False"
        return s

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        nn.Module._save_to_state_dict(self, destination, prefix, keep_vars)
        w, b = self._weight_bias()
        destination[prefix + 'weight'] = w
        destination[prefix + 'bias'] = b
        destination[prefix + 'scale'] = torch.tensor(self.scale)
        destination[prefix + 'zero_point'] = torch.tensor(self.zero_point)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        self.set_weight_bias(state_dict.pop(prefix + 'weight'), state_dict.pop(prefix + 'bias'))
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)

    def forward(self, input):
        if input.dim() != self._nd + 2:
            raise ValueError(f"Input shape must be `{('(N, C, L)', '(N, C, H, W)', '(N, C, D, H, W)')[self._nd - 1]}`!")
        w, b = self._packed_params
        return _kernels.conv(input, w, b, self.stride, self.padding, self.dilation, self.groups, self.scale,
                             self.zero_point, self._relu)

    @classmethod
    def get_qconv(cls, mod, activation_post_process, weight_post_process=None):
        if weight_post_process is None:
            weight_post_process = mod.qconfig.weight()
        weight_post_process(mod.weight)
        if weight_post_process.dtype is not torch.qint8:
            raise AssertionError("Weight observer must have a dtype of qint8")
        qconv = cls(mod.in_channels, mod.out_channels, mod.kernel_size, mod.stride, mod.padding, mod.dilation,
                    mod.groups, mod.bias is not None, mod.padding_mode)
        qconv.set_weight_bias(_quantize_weight(mod.weight.float(), weight_post_process), mod.bias)
        if activation_post_process is None or activation_post_process.dtype is torch.float:
            return qconv
        act_scale, act_zp = activation_post_process.calculate_qparams()
        qconv.scale, qconv.zero_point = float(act_scale), int(act_zp)
        return qconv

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        from ..intrinsic import _FusedModule
        if hasattr(mod, 'weight_fake_quant'):
            if getattr(type(mod), '_FUSED_BN', False):
                from faketorch.nn.utils.fusion import fuse_conv_bn_weights
                mod.weight, mod.bias = fuse_conv_bn_weights(
                    mod.weight, mod.bias, mod.bn.running_mean, mod.bn.running_var, mod.bn.eps, mod.bn.weight,
                    mod.bn.bias)
            if not hasattr(mod, 'activation_post_process'):
                raise AssertionError("Input QAT module must have observer attached")
            return cls.get_qconv(mod, mod.activation_post_process, mod.weight_fake_quant)
        if type(mod) is not cls._FLOAT_MODULE:
            raise AssertionError(f"nnq.{cls.__name__}.from_float only works for {cls._FLOAT_MODULE.__name__} but "
                                 f"got: {type(mod).__name__}")
        if not hasattr(mod, 'qconfig'):
            raise AssertionError("Input float module must have qconfig defined.")
        act = getattr(mod, 'activation_post_process', None)
        if isinstance(mod, _FusedModule):
            mod = mod[0]
        return cls.get_qconv(mod, act, mod.qconfig.weight())


class Conv1d(_ConvNd):
    _FLOAT_MODULE = nn.Conv1d
    _nd = 1


class Conv2d(_ConvNd):
    _FLOAT_MODULE = nn.Conv2d


class Conv3d(_ConvNd):
    _FLOAT_MODULE = nn.Conv3d
    _nd = 3


class ReLU6(nn.ReLU):
    def __init__(self, inplace=False):
        super().__init__(inplace)

    def forward(self, input):
        return torch.nn.functional.hardtanh(input, 0.0, 6.0)

    def _get_name(self):
        return 'QuantizedReLU6'

    @staticmethod
    def from_float(mod, use_precomputed_fake_quant=False):
        return ReLU6(mod.inplace)


class _FloatOutput:
    """Quantized activations computed in float on the dequantized input, requantized to the module's own
    scale and zero point (torch's kernels use lookup tables or float math: within one step of these)."""

    def forward(self, input):
        return torch.quantize_per_tensor(self._float_fn(input.dequantize()), self.scale, self.zero_point,
                                         input.dtype)

    def _get_name(self):
        return 'Quantized' + type(self).__name__

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        scale, zp = mod.activation_post_process.calculate_qparams()
        return cls._make(mod, float(scale), int(zp))


class Hardswish(_FloatOutput, nn.Hardswish):
    def __init__(self, scale, zero_point, device=None, dtype=None):
        super().__init__()
        self.scale, self.zero_point = scale, zero_point

    def forward(self, input):
        return _kernels.hardswish(input, self.scale, self.zero_point)

    @staticmethod
    def _make(mod, scale, zp):
        return Hardswish(scale, zp)


class ELU(_FloatOutput, nn.ELU):
    def __init__(self, scale, zero_point, alpha=1.0):
        super().__init__(alpha)
        self.scale, self.zero_point = scale, zero_point

    def _float_fn(self, x):
        return torch.nn.functional.elu(x, self.alpha)

    @staticmethod
    def _make(mod, scale, zp):
        return ELU(scale, zp, mod.alpha)


class LeakyReLU(_FloatOutput, nn.LeakyReLU):
    def __init__(self, scale, zero_point, negative_slope=1e-2, inplace=False, device=None, dtype=None):
        super().__init__(negative_slope, inplace)
        self.scale, self.zero_point = scale, zero_point

    def forward(self, input):
        return _kernels.leaky_relu(input, self.negative_slope, self.scale, self.zero_point)

    @staticmethod
    def _make(mod, scale, zp):
        return LeakyReLU(scale, zp, mod.negative_slope, mod.inplace)


class Sigmoid(_FloatOutput, nn.Sigmoid):
    def __init__(self, output_scale, output_zero_point):
        super().__init__()
        self.scale, self.zero_point = output_scale, output_zero_point
        self.output_scale, self.output_zero_point = output_scale, output_zero_point

    def _float_fn(self, x):
        return torch.sigmoid(x)

    @staticmethod
    def _make(mod, scale, zp):
        return Sigmoid(scale, zp)


class Softmax(_FloatOutput, nn.Softmax):
    def __init__(self, dim=None, scale=1.0, zero_point=0):
        super().__init__()
        self.dim, self.scale, self.zero_point = dim, scale, zero_point

    def _float_fn(self, x):
        dim = self.dim if self.dim is not None else nn.functional._get_softmax_dim('softmax', x.dim(), 3)
        return torch.softmax(x, dim)

    @staticmethod
    def _make(mod, scale, zp):
        return Softmax(mod.dim, scale, zp)


class Dropout(nn.Dropout):
    def forward(self, input):
        return input

    def _get_name(self):
        return 'QuantizedDropout'

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        return cls(mod.p, mod.inplace)


class _BatchNorm(nn.modules.batchnorm._BatchNorm):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, True, True)
        self.register_buffer('scale', torch.tensor(1.0))
        self.register_buffer('zero_point', torch.tensor(0))

    def _get_name(self):
        return 'Quantized' + type(self).__name__

    def forward(self, input):
        y = torch.nn.functional.batch_norm(input.dequantize(), self.running_mean, self.running_var, self.weight,
                                           self.bias, False, 0.0, self.eps)
        return torch.quantize_per_tensor(y, float(self.scale), int(self.zero_point), input.dtype)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        act = mod.activation_post_process
        if type(mod) is cls._NNI_BN_RELU_MODULE:
            mod = mod[0]
        scale, zp = act.calculate_qparams()
        new = cls(mod.num_features, mod.eps)
        new.weight, new.bias = mod.weight, mod.bias
        new.running_mean, new.running_var = mod.running_mean, mod.running_var
        new.scale, new.zero_point = scale, zp
        return new


class BatchNorm2d(_BatchNorm):
    _NNI_BN_RELU_MODULE = None

    def _check_input_dim(self, input):
        if input.dim() != 4:
            raise ValueError("Input shape must be `(N, C, H, W)`!")


class BatchNorm3d(_BatchNorm):
    _NNI_BN_RELU_MODULE = None


class FloatFunctional(nn.Module):
    """Float versions of add, cat, mul ...; prepare observes their outputs and convert turns them into
    QFunctional."""

    def __init__(self):
        super().__init__()
        self.activation_post_process = nn.Identity()

    def forward(self, x):
        raise RuntimeError("FloatFunctional is not intended to use the 'forward'. Please use the underlying operation")

    def add(self, x, y):
        return self.activation_post_process(torch.add(x, y))

    def add_scalar(self, x, y):
        return torch.add(x, y)

    def mul(self, x, y):
        return self.activation_post_process(torch.mul(x, y))

    def mul_scalar(self, x, y):
        return torch.mul(x, y)

    def cat(self, x, dim=0):
        return self.activation_post_process(torch.cat(x, dim=dim))

    def add_relu(self, x, y):
        return self.activation_post_process(torch.nn.functional.relu(torch.add(x, y)))

    def matmul(self, x, y):
        return self.activation_post_process(torch.matmul(x, y))


class FXFloatFunctional(FloatFunctional):
    def add(self, x, y):
        return torch.add(x, y)

    def mul(self, x, y):
        return torch.mul(x, y)

    def cat(self, x, dim=0):
        return torch.cat(x, dim=dim)

    def add_relu(self, x, y):
        return torch.nn.functional.relu(torch.add(x, y))

    def matmul(self, x, y):
        return torch.matmul(x, y)


class QFunctional(_WeightedQuantizedModule):
    """add, mul, cat ... of quantized tensors, requantized to this module's scale and zero point with torch's
    kernels (add and mul exactly; the scalar forms and matmul through float)."""

    def __init__(self):
        super().__init__()
        self.scale, self.zero_point = 1.0, 0
        self.activation_post_process = nn.Identity()

    def _get_name(self):
        return 'QFunctional'

    def extra_repr(self):
        return f"scale={self.scale}, zero_point={self.zero_point}"

    def forward(self, x):
        raise RuntimeError("Functional is not intended to use the 'forward'. Please use the underlying operation")

    def _out(self, y, like):
        return torch.quantize_per_tensor(y, self.scale, self.zero_point, like.dtype)

    def add(self, x, y):
        return _kernels.add(x, y, self.scale, self.zero_point)

    def add_scalar(self, x, y):
        return _kernels.add_scalar(x, y)

    def mul(self, x, y):
        return _kernels.mul(x, y, self.scale, self.zero_point)

    def mul_scalar(self, x, y):
        return _kernels.mul_scalar(x, y)

    def cat(self, x, dim=0):
        return self._out(torch.cat([t.dequantize() for t in x], dim=dim), x[0])

    def add_relu(self, x, y):
        return _kernels.add(x, y, self.scale, self.zero_point, relu=True)

    def matmul(self, x, y):
        return self._out(torch.matmul(x.dequantize(), y.dequantize()), x)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        if type(mod) is not FloatFunctional:
            raise AssertionError("QFunctional.from_float expects an instance of FloatFunctional")
        scale, zp = mod.activation_post_process.calculate_qparams()
        new = QFunctional()
        new.scale, new.zero_point = float(scale), int(zp)
        return new




class _NormOut:
    """Quantized normalizations: torch's kernels normalize the dequantized input in float and requantize to
    the module's scale and zero point (buffers: a float32 scale)."""

    def _register_qparams(self, scale, zero_point):
        self.register_buffer('scale', torch.tensor(scale))
        self.register_buffer('zero_point', torch.tensor(zero_point))

    def _get_name(self):
        return 'Quantized' + type(self).__name__

    def forward(self, input):
        return torch.quantize_per_tensor(self._float_norm(input.dequantize()), float(self.scale),
                                         int(self.zero_point), input.dtype)


class LayerNorm(_NormOut, nn.LayerNorm):
    def __init__(self, normalized_shape, weight, bias, scale, zero_point, eps=1e-5, elementwise_affine=True,
                 device=None, dtype=None):
        nn.LayerNorm.__init__(self, normalized_shape, eps=eps, elementwise_affine=elementwise_affine)
        self.weight, self.bias = weight, bias
        self._register_qparams(scale, zero_point)

    def _float_norm(self, x):
        return torch.nn.functional.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        scale, zp = mod.activation_post_process.calculate_qparams()
        return cls(mod.normalized_shape, mod.weight, mod.bias, float(scale), int(zp), mod.eps, mod.elementwise_affine)


class GroupNorm(_NormOut, nn.GroupNorm):
    def __init__(self, num_groups, num_channels, weight, bias, scale, zero_point, eps=1e-5, affine=True,
                 device=None, dtype=None):
        nn.GroupNorm.__init__(self, num_groups, num_channels, eps, affine)
        self.weight, self.bias = weight, bias
        self._register_qparams(scale, zero_point)

    def _float_norm(self, x):
        return torch.nn.functional.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        scale, zp = mod.activation_post_process.calculate_qparams()
        return cls(mod.num_groups, mod.num_channels, mod.weight, mod.bias, float(scale), int(zp), mod.eps, mod.affine)


def _instance_norm(name, base):
    def __init__(self, num_features, weight, bias, scale, zero_point, eps=1e-5, momentum=0.1, affine=False,
                 track_running_stats=False, device=None, dtype=None):
        base.__init__(self, num_features, eps, momentum, affine, track_running_stats)
        self.weight, self.bias = weight, bias
        self._register_qparams(scale, zero_point)

    def _float_norm(self, x):
        return torch.nn.functional.instance_norm(x, None, None, self.weight, self.bias, True, 0.0, self.eps)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        scale, zp = mod.activation_post_process.calculate_qparams()
        return cls(mod.num_features, mod.weight, mod.bias, float(scale), int(zp), mod.eps, mod.affine)
    return type(name, (_NormOut, base), {'__init__': __init__, '_float_norm': _float_norm, 'from_float': from_float,
                                         '__module__': __name__})


InstanceNorm1d = _instance_norm('InstanceNorm1d', nn.InstanceNorm1d)
InstanceNorm2d = _instance_norm('InstanceNorm2d', nn.InstanceNorm2d)
InstanceNorm3d = _instance_norm('InstanceNorm3d', nn.InstanceNorm3d)
