"""Eager-mode quantization of the CIFAR-like convnet (see convnet.py), batch 64: int8 inference of the
statically quantized model (x86 qconfig), its calibration pass (HistogramObserver), and a dynamic int8
Linear stack."""
from benchmarks import Skip, inference as _inference


def _aq(torch):
    aq = getattr(getattr(torch, 'ao', None), 'quantization', None)
    if aq is None:
        raise Skip('needs torch.ao.quantization')
    return aq


def _float_model(torch):
    nn, aq = torch.nn, _aq(torch)
    return nn.Sequential(aq.QuantStub(), nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(64 * 8 * 8, 128), nn.ReLU(), nn.Linear(128, 10), aq.DeQuantStub()).eval()


def _prepared(torch):
    aq = _aq(torch)
    m = _float_model(torch)
    m.qconfig = aq.get_default_qconfig('x86')
    return aq.prepare(aq.fuse_modules(m, [['1', '2'], ['4', '5'], ['8', '9']]))


def int8_inference(torch):
    p = _prepared(torch)
    p(torch.randn(64, 3, 32, 32))
    return _inference(torch, _aq(torch).convert(p), torch.randn(64, 3, 32, 32))


def calibration(torch):
    p = _prepared(torch)
    x = torch.randn(64, 3, 32, 32)
    return lambda: p(x)


def dynamic_linear(torch):
    nn = torch.nn
    m = nn.Sequential(nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    return _inference(torch, _aq(torch).quantize_dynamic(m, {nn.Linear}), torch.randn(64, 512))


BENCHMARKS = {'int8_inference': int8_inference, 'calibration': calibration, 'dynamic_linear': dynamic_linear}
