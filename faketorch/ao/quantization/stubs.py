"""QuantStub / DeQuantStub mark where a model's tensors become quantized and float again; convert swaps
them for nnq.Quantize / nnq.DeQuantize. QuantWrapper puts a module between the two."""
from faketorch import nn

__all__ = ['QuantStub', 'DeQuantStub', 'QuantWrapper']


class _Stub(nn.Module):
    """An identity until convert swaps it (QuantStub and DeQuantStub are otherwise alike)."""

    def __init__(self, qconfig=None):
        super().__init__()
        if qconfig:
            self.qconfig = qconfig

    def forward(self, x):
        return x


class QuantStub(_Stub):
    pass


class DeQuantStub(_Stub):
    pass


class QuantWrapper(nn.Module):
    def __init__(self, module):
        super().__init__()
        qconfig = getattr(module, 'qconfig', None)
        self.add_module('quant', QuantStub(qconfig))
        self.add_module('dequant', DeQuantStub(qconfig))
        self.add_module('module', module)
        self.train(module.training)

    def forward(self, X):
        return self.dequant(self.module(self.quant(X)))
