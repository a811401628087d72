"""torch.ao.nn.quantized.dynamic: Linear with an int8 weight whose input is quantized on the fly (each call
chooses the input's scale from its own range) and whose output is float."""
import faketorch as torch

from .. import _kernels
from ..modules import Linear as _QLinear, _hide_packed_params_repr, LinearPackedParams

__all__ = ['Linear']


class Linear(_QLinear):
    _version = 4

    def __init__(self, in_features, out_features, bias_=True, dtype=torch.qint8):
        super().__init__(in_features, out_features, bias_, dtype=dtype)
        self.version = 4

    def forward(self, x):
        w, b = self._weight_bias()
        return _kernels.linear_dynamic(x, w, b, reduce_range=True)

    def _get_name(self):
        return 'DynamicQuantizedLinear'

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"dtype={self._packed_params.dtype}, qscheme={self.weight().qscheme()}")

    def __repr__(self):
        return _hide_packed_params_repr(self, LinearPackedParams)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        from faketorch import nn
        from ...intrinsic import LinearReLU
        if type(mod) not in (nn.Linear, nn.modules.linear.NonDynamicallyQuantizableLinear, LinearReLU) and \
                not hasattr(mod, 'weight_fake_quant'):
            raise AssertionError("nn.quantized.dynamic.Linear.from_float only works for one of "
                                 "['Linear', 'NonDynamicallyQuantizableLinear', 'LinearReLU']")
        if not hasattr(mod, 'qconfig'):
            raise AssertionError("Input float module must have qconfig defined")
        if type(mod) is LinearReLU:
            mod = mod[0]
        weight_observer = mod.qconfig.weight() if mod.qconfig is not None else \
            __import__('faketorch.ao.quantization.qconfig', fromlist=['x']).default_dynamic_qconfig.weight()
        dtype = weight_observer.dtype
        if dtype is not torch.qint8:
            raise RuntimeError("Unsupported dtype specified for dynamic quantized Linear!")
        weight_observer(mod.weight)
        from ..modules import _quantize_weight
        q = cls(mod.in_features, mod.out_features, dtype=dtype)
        q.set_weight_bias(_quantize_weight(mod.weight.float(), weight_observer), mod.bias)
        return q
