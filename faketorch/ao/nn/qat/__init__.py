"""torch.ao.nn.qat: Linear and Conv with their weight fake-quantized in forward (quantization-aware training)."""
from faketorch import nn
import faketorch.nn.functional as F

__all__ = ['Linear', 'Conv1d', 'Conv2d', 'Conv3d']


def _require_qconfig(qconfig):
    if not qconfig:
        raise AssertionError("qconfig must be provided for QAT module")
    return qconfig


def _float_qconfig(cls, mod):
    """The float module's qconfig, after torch's from_float checks."""
    if type(mod) is not cls._FLOAT_MODULE:
        raise AssertionError(f"qat.{cls.__name__}.from_float only works for {cls._FLOAT_MODULE.__name__}")
    if not hasattr(mod, 'qconfig') or not mod.qconfig:
        raise AssertionError("Input float module must have a valid qconfig")
    return mod.qconfig


def _copy_from_float(cls, mod, qat):
    qat.weight = mod.weight
    qat.bias = mod.bias
    return qat


class Linear(nn.Linear):
    _FLOAT_MODULE = nn.Linear

    def __init__(self, in_features, out_features, bias=True, qconfig=None, device=None, dtype=None):
        super().__init__(in_features, out_features, bias, device=device, dtype=dtype)
        self.qconfig = _require_qconfig(qconfig)
        self.weight_fake_quant = qconfig.weight()

    def forward(self, input):
        return F.linear(input, self.weight_fake_quant(self.weight), self.bias)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        from ..intrinsic import LinearReLU
        qconfig = _float_qconfig(cls, mod)
        if type(mod) is LinearReLU:
            mod = mod[0]
        qat = cls(mod.in_features, mod.out_features, bias=mod.bias is not None, qconfig=qconfig)
        return _copy_from_float(cls, mod, qat)

    def to_float(self):
        linear = nn.Linear(self.in_features, self.out_features, self.bias is not None)
        linear.weight = nn.Parameter(self.weight.detach())
        if self.bias is not None:
            linear.bias = nn.Parameter(self.bias.detach())
        linear.train(self.training)
        return linear


class _ConvNd:
    """Mixed into nn.ConvNd: the weight passes its fake quantizer on the way to the convolution."""

    def _qat_init(self, qconfig):
        self.qconfig = _require_qconfig(qconfig)
        self.weight_fake_quant = qconfig.weight()

    def forward(self, input):
        return self._conv_forward(input, self.weight_fake_quant(self.weight), self.bias)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        from ..intrinsic import _FusedModule
        qconfig = _float_qconfig(cls, mod)
        if isinstance(mod, _FusedModule):
            mod = mod[0]
        qat = cls(mod.in_channels, mod.out_channels, mod.kernel_size, stride=mod.stride, padding=mod.padding,
                  dilation=mod.dilation, groups=mod.groups, bias=mod.bias is not None, padding_mode=mod.padding_mode,
                  qconfig=qconfig)
        return _copy_from_float(cls, mod, qat)


def _qat_conv(name, base):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode='zeros', qconfig=None, device=None, dtype=None):
        base.__init__(self, in_channels, out_channels, kernel_size, stride=stride, padding=padding,
                      dilation=dilation, groups=groups, bias=bias, padding_mode=padding_mode, device=device,
                      dtype=dtype)
        self._qat_init(qconfig)
    return type(name, (_ConvNd, base), {'__init__': __init__, '_FLOAT_MODULE': base, '__module__': __name__})


Conv1d = _qat_conv('Conv1d', nn.Conv1d)
Conv2d = _qat_conv('Conv2d', nn.Conv2d)
Conv3d = _qat_conv('Conv3d', nn.Conv3d)
