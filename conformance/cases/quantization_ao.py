"""torch.ao.quantization (eager mode): observers, fake quantizers, qconfigs, fusion, the static (prepare,
calibrate, convert) and QAT flows on a small convnet, dynamic quantization, the quantized modules and their
integer kernels, the legacy aliases. The int8 results compare as their int_repr: exact."""
import importlib

from conformance import case, check


def _aq(torch):
    return torch.ao.quantization


def _grid(torch, m):
    # parameters on a 1/8 grid and inputs on a 1/4 grid keep a small model's float32 sums exact, so the
    # observed ranges do not depend on the matmul's summation order (which faketorch does not reproduce)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.round(p * 8) / 8)


def _gx(torch, *shape):
    return torch.round(torch.randn(*shape) * 4) / 4


def _net(torch, pool='max'):
    nn = torch.nn
    aq = _aq(torch)

    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.quant = aq.QuantStub()
            self.conv = nn.Conv2d(1, 4, 3)
            self.bn = nn.BatchNorm2d(4)
            self.relu = nn.ReLU()
            self.pool = nn.MaxPool2d(2) if pool == 'max' else nn.AdaptiveAvgPool2d(2)
            self.fc = nn.Linear(36 if pool == 'max' else 16, 10)
            self.relu2 = nn.ReLU()
            self.fc2 = nn.Linear(10, 3)
            self.dequant = aq.DeQuantStub()

        def forward(self, x):
            x = self.quant(x)
            x = self.pool(self.relu(self.bn(self.conv(x))))
            x = torch.flatten(x, 1)
            x = self.fc2(self.relu2(self.fc(x)))
            return self.dequant(x)
    return M()


def _static(torch, qconfig, pool='max', batches=4, inner=False):
    aq = _aq(torch)
    m = _net(torch, pool).eval()
    m.bn.running_mean.uniform_(-0.2, 0.2)       # a batch norm that is not the identity
    m.bn.running_var.uniform_(0.5, 2.0)
    m.qconfig = qconfig
    f = aq.fuse_modules(m, [['conv', 'bn', 'relu'], ['fc', 'relu2']])
    p = aq.prepare(f)
    for _ in range(batches):
        p(torch.randn(8, 1, 8, 8) * 2)
    c = aq.convert(p)
    x = torch.randn(5, 1, 8, 8)
    inner_q = c.quant(x)
    out = [repr(f), repr(p), repr(c), list(c.state_dict().keys()), c(x), inner_q, c.conv(inner_q),
           c.conv.weight(), c.conv.bias(), c.fc.weight(), c.conv.scale, c.conv.zero_point, c.fc.scale]
    return out


@case('torch.ao.quantization.convert')
def static_flow_x86(torch):
    return _static(torch, _aq(torch).get_default_qconfig('x86'))


@case('torch.ao.quantization.convert')
def static_flow_default_qconfig(torch):
    return _static(torch, _aq(torch).default_qconfig, pool='avg')


@case('torch.ao.quantization.convert')
def static_flow_qnnpack(torch):
    return _static(torch, _aq(torch).get_default_qconfig('qnnpack'), batches=2)


@case('torch.ao.quantization.convert')
def static_state_dict(torch):
    aq = _aq(torch)
    m = _net(torch).eval()
    m.qconfig = aq.default_qconfig
    p = aq.prepare(aq.fuse_modules(m, [['conv', 'bn', 'relu']]))
    p(torch.randn(4, 1, 8, 8))
    c = aq.convert(p)
    sd = c.state_dict()
    out = [(k, type(v).__name__) for k, v in sd.items()]
    return out, sd['fc._packed_params._packed_params'], sd['conv.weight'], sd['quant.scale'], repr(sd['fc.scale'])


@case('torch.ao.quantization.prepare_qat')
def qat_flow(torch):
    aq = _aq(torch)
    m = _net(torch, 'avg').train()
    m.qconfig = aq.get_default_qat_qconfig('x86')
    f = aq.fuse_modules_qat(m, [['conv', 'bn', 'relu'], ['fc', 'relu2']])
    p = aq.prepare_qat(f)
    opt = torch.optim.SGD(p.parameters(), lr=0.1)
    losses = []
    for i in range(5):
        y = p(torch.randn(8, 1, 8, 8))
        loss = y.pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss)
        if i == 2:
            p.apply(aq.disable_observer)
        if i == 3:
            p.apply(torch.ao.nn.intrinsic.qat.freeze_bn_stats)
    grads = [p.conv.weight.grad, p.conv.bn.weight.grad, p.fc.weight.grad]
    p.eval()
    c = aq.convert(p)
    x = torch.randn(2, 1, 8, 8)
    return (repr(f), repr(p), losses, grads, p.conv.weight_fake_quant.scale, p.fc.activation_post_process.scale,
            repr(c), list(c.state_dict().keys()), c(x), c.conv.weight(), c.fc2.weight())


@case('torch.ao.quantization.prepare_qat')
def qat_flow_v0_qnnpack(torch):
    aq = _aq(torch)
    m = _net(torch, 'avg').train()
    m.qconfig = aq.get_default_qat_qconfig('qnnpack', 0)
    p = aq.prepare_qat(aq.fuse_modules_qat(m, [['conv', 'bn', 'relu']]))
    before = repr(p)
    for _ in range(3):
        y = p(torch.randn(4, 1, 8, 8))
        y.sum().backward()
    p.eval()
    c = aq.convert(p)
    # the observed ranges can differ in the last bit (float32 matmul order), so the converted model is compared
    # by its structure and its float parameters, not its scales
    return before, p.conv.weight.grad, [type(m).__name__ for m in c.modules()], c.conv.bias()


check('torch.ao.quantization.prepare_qat', lambda torch: _aq(torch).prepare_qat(torch.nn.Linear(2, 2).eval()),
      name='eval_model')


@case('torch.ao.quantization.quantize_dynamic')
def dynamic_flow(torch):
    nn = torch.nn
    m = nn.Sequential(nn.Linear(20, 30), nn.ReLU(), nn.Linear(30, 5))
    q = _aq(torch).quantize_dynamic(m, {nn.Linear}, dtype=torch.qint8)
    outs = [q(torch.randn(7, 20) * (i + 1)) for i in range(3)]
    q2 = torch.quantization.quantize_dynamic(m)
    q3 = _aq(torch).quantize_dynamic(m, {'0'})
    return (repr(q), outs, q[0].weight(), q[0].bias(), list(q.state_dict().keys()), q2(torch.randn(3, 20)),
            repr(q3), q(torch.zeros(2, 20)))


# --- observers ---------------------------------------------------------------------------------------------

def _observe(obs, torch, batches):
    out = [repr(obs)]
    for b in batches:
        obs(b)
        out.append(repr(obs))
    out.append(obs.calculate_qparams())
    out.append(list(obs.state_dict().keys()))
    return out


@case('torch.ao.quantization.MinMaxObserver')
def minmax_observers(torch):
    aq = _aq(torch)
    xs = [torch.randn(50) * 2 + 0.3, torch.randn(30) * 3, torch.rand(10)]
    out = []
    for kw in ({}, {'dtype': torch.qint8}, {'qscheme': torch.per_tensor_symmetric, 'dtype': torch.qint8},
               {'reduce_range': True}, {'quant_min': 0, 'quant_max': 15}, {'qscheme': torch.per_tensor_symmetric}):
        out.append(_observe(aq.MinMaxObserver(**kw), torch, xs))
        out.append(_observe(aq.MovingAverageMinMaxObserver(**kw), torch, xs))
    return out


@case('torch.ao.quantization.MinMaxObserver')
def observer_before_data(torch):
    aq = _aq(torch)
    return (aq.MinMaxObserver().calculate_qparams(), aq.PerChannelMinMaxObserver().calculate_qparams(),
            aq.HistogramObserver().calculate_qparams())


check('torch.ao.quantization.MinMaxObserver', lambda torch: _aq(torch).MinMaxObserver(
    qscheme=torch.per_channel_affine), name='per_channel_scheme')
check('torch.ao.quantization.MinMaxObserver', lambda torch: _aq(torch).MinMaxObserver(
    quant_min=1, quant_max=10), name='range_without_zero')


@case('torch.ao.quantization.PerChannelMinMaxObserver')
def per_channel_observers(torch):
    aq = _aq(torch)
    xs = [torch.randn(4, 3, 5), torch.randn(4, 3, 5) * 2 - 1]
    out = []
    for kw in ({}, {'ch_axis': 1, 'dtype': torch.qint8, 'qscheme': torch.per_channel_symmetric},
               {'ch_axis': 2, 'reduce_range': True}):
        out.append(_observe(aq.PerChannelMinMaxObserver(**kw), torch, xs))
        out.append(_observe(aq.MovingAveragePerChannelMinMaxObserver(averaging_constant=0.3, **kw), torch, xs))
    return out


@case('torch.ao.quantization.HistogramObserver')
def histogram_observer(torch):
    aq = _aq(torch)
    out = []
    # growing ranges: the histogram is re-binned (upsampled) onto each new range
    batches = [torch.randn(200), torch.randn(300) * 3 + 1, torch.rand(100) * 0.1, torch.randn(500) * 0.5 - 4,
               torch.randn(100) * 10]
    for kw in ({}, {'reduce_range': True}, {'dtype': torch.qint8, 'qscheme': torch.per_tensor_symmetric},
               {'bins': 256}):
        h = aq.HistogramObserver(**kw)
        for b in batches:
            h(b)
            out.append(h.calculate_qparams())
        out.append((repr(h), h.histogram, h.min_val, h.max_val, list(h.state_dict().keys())))
    return out


@case('torch.ao.quantization.HistogramObserver')
def histogram_observer_relu_like(torch):
    # non-negative activations (after ReLU), the calibration torch's tutorial does
    h = _aq(torch).HistogramObserver(reduce_range=True)
    for _ in range(6):
        h(torch.relu(torch.randn(8, 4, 6, 6)))
    return h.calculate_qparams(), h.histogram.sum()


@case('torch.ao.quantization.default_observer')
def default_objects(torch):
    aq = _aq(torch)
    names = ['default_observer', 'default_weight_observer', 'default_per_channel_weight_observer',
             'default_histogram_observer', 'default_dynamic_quant_observer',
             'default_fake_quant', 'default_weight_fake_quant', 'default_per_channel_weight_fake_quant',
             'default_fused_act_fake_quant', 'default_fused_wt_fake_quant', 'default_qconfig',
             'default_dynamic_qconfig', 'default_qat_qconfig', 'default_qat_qconfig_v2', 'default_per_channel_qconfig',
             'per_channel_dynamic_qconfig', 'default_debug_qconfig']
    out = [repr(getattr(aq, n)) for n in names]
    for b in ('x86', 'fbgemm', 'qnnpack', 'onednn'):
        out.append(repr(aq.get_default_qconfig(b)))
        out.append(repr(aq.get_default_qat_qconfig(b)))
        out.append(repr(aq.get_default_qat_qconfig(b, 0)))
    out += [repr(aq.default_observer()), repr(aq.default_weight_observer()), repr(aq.default_fake_quant()),
            repr(aq.default_per_channel_weight_fake_quant()), repr(aq.default_fused_act_fake_quant()),
            repr(aq.default_dynamic_quant_observer()), aq.QConfig, aq.default_placeholder_observer.__name__]
    return out


check('torch.ao.quantization.get_default_qconfig', lambda torch: _aq(torch).get_default_qconfig('arm'),
      name='bad_backend')
check('torch.ao.quantization.QConfig', lambda torch: _aq(torch).QConfig(
    activation=_aq(torch).MinMaxObserver(), weight=_aq(torch).default_weight_observer), name='instance')


@case('torch.ao.quantization.FakeQuantize')
def fake_quantize_module(torch):
    aq = _aq(torch)
    out = []
    for ctor in (aq.default_fake_quant, aq.default_weight_fake_quant, aq.default_per_channel_weight_fake_quant,
                 aq.default_fused_act_fake_quant, aq.default_fused_wt_fake_quant,
                 aq.default_fused_per_channel_wt_fake_quant):
        fq = ctor()
        x = (torch.randn(4, 6) * 2).requires_grad_()
        y1 = fq(x)
        y2 = fq(x * 3)
        g, = torch.autograd.grad((y2 * torch.arange(24.).reshape(4, 6)).sum(), x)
        fq.disable_observer()
        y3 = fq(x * 10)
        fq.disable_fake_quant()
        y4 = fq(x)
        fq.enable_fake_quant()
        fq.enable_observer()
        out.append((y1, y2, g, y3, y4, fq.scale, fq.zero_point, repr(fq), list(fq.state_dict().keys()),
                    fq.calculate_qparams()))
    return out


@case('torch.ao.quantization.enable_observer')
def enable_disable_apply(torch):
    aq = _aq(torch)
    m = torch.nn.Sequential(aq.default_fake_quant(), torch.nn.Linear(2, 2), aq.default_fused_act_fake_quant())
    m.apply(aq.disable_observer)
    m.apply(aq.disable_fake_quant)
    a = [(f.observer_enabled, f.fake_quant_enabled) for f in (m[0], m[2])]
    m.apply(aq.enable_observer)
    m.apply(aq.enable_fake_quant)
    return a, [(f.observer_enabled, f.fake_quant_enabled) for f in (m[0], m[2])]


# --- fusion -------------------------------------------------------------------------------------------------

@case('torch.ao.quantization.fuse_modules')
def fuse_eval(torch):
    nn = torch.nn
    aq = _aq(torch)
    m = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.ReLU(), nn.Conv2d(3, 3, 1), nn.ReLU(),
                      nn.Flatten(), nn.Linear(3 * 4 * 4, 5), nn.ReLU(), nn.BatchNorm1d(5)).eval()
    m[1].running_mean.uniform_()
    m[1].running_var.uniform_(0.5, 2)
    f = aq.fuse_modules(m, [['0', '1', '2'], ['3', '4'], ['6', '7']])
    g = aq.fuse_modules(m, ['0', '1'])
    x = torch.randn(2, 2, 6, 6)
    return repr(f), repr(g), f(x), m(x), f[0][0].weight, g[0].bias


@case('torch.ao.quantization.fuse_modules_qat')
def fuse_qat(torch):
    nn = torch.nn
    aq = _aq(torch)
    m = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.ReLU(), nn.Conv2d(3, 3, 1), nn.BatchNorm2d(3),
                      nn.Linear(4, 4), nn.ReLU()).train()
    f = aq.fuse_modules_qat(m, [['0', '1', '2'], ['3', '4'], ['5', '6']])
    return repr(f), [type(x).__name__ for x in f]


check('torch.ao.quantization.fuse_modules', lambda torch: _aq(torch).fuse_modules(
    torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Sigmoid()), ['0', '1']), name='unknown_pair')
check('torch.ao.quantization.fuse_modules', lambda torch: _aq(torch).fuse_modules(
    torch.nn.Sequential(torch.nn.Conv2d(2, 2, 1), torch.nn.BatchNorm2d(2)).train(), ['0', '1']), name='train_mode')
check('torch.ao.nn.intrinsic.ConvReLU2d', lambda torch: torch.ao.nn.intrinsic.ConvReLU2d(
    torch.nn.Linear(1, 2), torch.nn.ReLU()), name='wrong_types')


# --- quantized modules and kernels ------------------------------------------------------------------------------

@case('torch.ao.nn.quantized.Linear')
def quantized_linear_kernel(torch):
    nnq = torch.ao.nn.quantized
    out = []
    for trial in range(12):
        inF, outF = 17 + trial, 5 + trial % 4
        lin = nnq.Linear(inF, outF, bias_=trial % 3 != 0)
        w = torch.randn(outF, inF) * 0.3
        if trial % 2:
            ws = (w.abs().amax(1) / 127).double()
            wq = torch.quantize_per_channel(w, ws, torch.zeros(outF, dtype=torch.long), 0, torch.qint8)
        else:
            wq = torch.quantize_per_tensor(w, float(w.abs().max() / 127), 0, torch.qint8)
        lin.set_weight_bias(wq, torch.randn(outF) if trial % 3 else None)
        lin.scale, lin.zero_point = 0.01 + 0.013 * trial, 3 * trial
        x = torch.quantize_per_tensor(torch.randn(9, inF), 0.02 + 0.003 * trial, 60 + trial, torch.quint8)
        out.append((lin(x), repr(lin)))
    relu = torch.ao.nn.intrinsic.quantized.LinearReLU(4, 3)
    relu.set_weight_bias(torch.quantize_per_tensor(torch.randn(3, 4), 0.02, 0, torch.qint8), torch.randn(3))
    relu.scale, relu.zero_point = 0.05, 10
    out.append((relu(torch.quantize_per_tensor(torch.randn(6, 4), 0.05, 64, torch.quint8)), repr(relu)))
    return out


@case('torch.ao.nn.quantized.Conv2d')
def quantized_conv_kernel(torch):
    nnq = torch.ao.nn.quantized
    out = []
    for trial, (kw, groups) in enumerate((({}, 1), ({'padding': 1}, 1), ({'stride': 2, 'dilation': 2}, 1),
                                          ({'padding': 1}, 2), ({'bias': False}, 1))):
        conv = nnq.Conv2d(4, 6, 3, groups=groups, **kw)
        w = torch.randn(6, 4 // groups, 3, 3) * 0.2
        ws = (w.abs().amax((1, 2, 3)) / 127).double()
        conv.set_weight_bias(torch.quantize_per_channel(w, ws, torch.zeros(6, dtype=torch.long), 0, torch.qint8),
                             None if kw.get('bias') is False else torch.randn(6) * 0.1)
        conv.scale, conv.zero_point = 0.03 + 0.01 * trial, 50 + trial
        x = torch.quantize_per_tensor(torch.randn(2, 4, 9, 9), 0.04, 70, torch.quint8)
        out.append((conv(x), repr(conv)))
    cr = torch.ao.nn.intrinsic.quantized.ConvReLU2d(2, 3, 3)
    cr.set_weight_bias(torch.quantize_per_tensor(torch.randn(3, 2, 3, 3), 0.02, 0, torch.qint8), torch.randn(3))
    cr.scale, cr.zero_point = 0.05, 20
    out.append((cr(torch.quantize_per_tensor(torch.randn(1, 2, 5, 5), 0.05, 64, torch.quint8)), repr(cr)))
    return out


check('torch.ao.nn.quantized.Conv2d', lambda torch: torch.ao.nn.quantized.Conv2d(2, 3, 3)(
    torch.quantize_per_tensor(torch.randn(2, 5, 5), 0.1, 0, torch.quint8)), name='bad_input_dim')


@case('torch.ao.nn.quantized.Quantize')
def quantize_dequantize_modules(torch):
    nnq = torch.ao.nn.quantized
    q = nnq.Quantize(0.1, 3, torch.quint8)
    x = torch.randn(3, 4)
    y = q(x)
    return (repr(q), y, repr(y), nnq.DeQuantize()(y), repr(nnq.DeQuantize()), list(q.state_dict().keys()),
            repr(nnq.ReLU6()), repr(nnq.ReLU6(inplace=True)), nnq.ReLU6()(y))


@case('torch.ao.nn.quantized.FloatFunctional')
def float_functional_flow(torch):
    nn = torch.nn
    aq = _aq(torch)

    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.quant = aq.QuantStub()
            self.a = nn.Linear(4, 4)
            self.b = nn.Linear(4, 4)
            self.add = torch.ao.nn.quantized.FloatFunctional()
            self.cat = torch.ao.nn.quantized.FloatFunctional()
            self.dequant = aq.DeQuantStub()

        def forward(self, x):
            x = self.quant(x)
            y = self.add.add(self.a(x), self.b(x))
            return self.dequant(self.cat.cat([y, x], 1))

    m = M().eval()
    _grid(torch, m)
    m.qconfig = aq.default_qconfig
    p = aq.prepare(m)
    for _ in range(3):
        p(_gx(torch, 6, 4))
    c = aq.convert(p)
    return repr(p), repr(c), list(c.state_dict().keys()), c(_gx(torch, 2, 4))


check('torch.ao.nn.quantized.FloatFunctional', lambda torch: repr(torch.ao.nn.quantized.FloatFunctional()),
      name='repr')
check('torch.ao.nn.quantized.FloatFunctional', lambda torch: torch.ao.nn.quantized.FloatFunctional()(
    torch.ones(1)), name='forward')


@case('torch.ao.nn.quantized.dynamic.Linear')
def dynamic_linear_kernel(torch):
    nnqd = torch.ao.nn.quantized.dynamic
    out = []
    for trial in range(8):
        lin = nnqd.Linear(13, 6)
        w = torch.randn(6, 13) * 0.4
        lin.set_weight_bias(torch.quantize_per_tensor(w, float(w.abs().max() / 127), 0, torch.qint8),
                            torch.randn(6))
        x = torch.randn(5, 13) * (trial + 1) + (trial - 4) * 0.3
        out.append(lin(x))
    out.append(repr(lin))
    return out


@case('torch.quantization')
def legacy_aliases(torch):
    tq = importlib.import_module(torch.__name__ + '.quantization')
    nq = importlib.import_module(torch.__name__ + '.nn.quantized')
    ni = importlib.import_module(torch.__name__ + '.nn.intrinsic')
    nqat = importlib.import_module(torch.__name__ + '.nn.qat')
    nqd = importlib.import_module(torch.__name__ + '.nn.quantized.dynamic')
    niqat = importlib.import_module(torch.__name__ + '.nn.intrinsic.qat')
    ao = torch.ao
    return [tq.QuantStub is ao.quantization.QuantStub, tq.prepare is ao.quantization.prepare,
            tq.default_qconfig is ao.quantization.default_qconfig, nq.Linear is ao.nn.quantized.Linear,
            ni.ConvReLU2d is ao.nn.intrinsic.ConvReLU2d, nqat.Linear is ao.nn.qat.Linear,
            nqd.Linear is ao.nn.quantized.dynamic.Linear, niqat.freeze_bn_stats is ao.nn.intrinsic.qat.freeze_bn_stats,
            repr(tq.QuantWrapper(torch.nn.Linear(2, 2)))]


@case('torch.ao.quantization.QuantWrapper')
def quant_wrapper_flow(torch):
    aq = _aq(torch)
    m = aq.QuantWrapper(torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.ReLU6(), torch.nn.Linear(4, 2))).eval()
    _grid(torch, m)
    m.qconfig = aq.default_qconfig
    aq.prepare(m, inplace=True)
    for _ in range(3):
        m(_gx(torch, 10, 5))
    aq.convert(m, inplace=True)
    return repr(m), m(_gx(torch, 3, 5))


@case('torch.save')
def quantized_state_dict_save_load(torch):
    import io
    aq = _aq(torch)
    m = torch.nn.Sequential(aq.QuantStub(), torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.Flatten(),
                            torch.nn.Linear(4 * 6 * 6, 10), aq.DeQuantStub()).eval()
    _grid(torch, m)
    m.qconfig = aq.get_default_qconfig('x86')
    p = aq.prepare(aq.fuse_modules(m, [['1', '2']]))
    p(_gx(torch, 4, 1, 8, 8))
    c = aq.convert(p)
    b = io.BytesIO()
    torch.save(c.state_dict(), b)
    size = len(b.getvalue())          # what the static quantization tutorial's print_size_of_model reports
    b.seek(0)
    sd = torch.load(b)
    fresh = aq.convert(aq.prepare(aq.fuse_modules(m, [['1', '2']])))     # uncalibrated: other qparams
    fresh.load_state_dict(sd)
    x = torch.randn(2, 1, 8, 8)
    return size, sd, fresh(x), c(x), repr(fresh)


@case('torch.save')
def quantized_tensor_save_load(torch):
    import io
    q = torch.quantize_per_tensor(torch.randn(3, 4), 0.1, 3, torch.qint8)
    qc = torch.quantize_per_channel(torch.randn(2, 5), torch.tensor([0.1, 0.2]), torch.tensor([0, 1]), 0,
                                    torch.quint8)
    b = io.BytesIO()
    torch.save({'a': q, 'b': qc, 'c': q[1:]}, b)
    b.seek(0)
    r = torch.load(b, weights_only=True)
    return len(b.getvalue()), r, [repr(v) for v in r.values()]


@case('torch.ao.nn.quantized.QFunctional')
def qfunctional_kernels(torch):
    nnq = torch.ao.nn.quantized
    out = []
    for trial in range(6):
        a = torch.quantize_per_tensor(torch.randn(30, 40) * 2, 0.02 + 0.001 * trial, 60 + trial, torch.quint8)
        b = torch.quantize_per_tensor(torch.randn(30, 40) * 3, 0.03 + 0.0007 * trial, 100 - trial, torch.quint8)
        f = nnq.QFunctional()
        f.scale, f.zero_point = 0.05 + 0.002 * trial, 50 + trial
        for r in (f.add(a, b), f.add_relu(a, b), f.mul(a, b), f.cat([a, b], 1), f.add_scalar(a, 0.37),
                  f.mul_scalar(a, 1.7), f.add_scalar(a, -0.5), f.mul_scalar(a, -2.0), f.mul_scalar(a, 0.0),
                  f.add_scalar(a, 0.03), f.add_scalar(a, -3.0)):
            out.append((r, r.q_scale(), r.q_zero_point()))
    return out, repr(f), list(f.state_dict().keys())


@case('torch.ao.nn.quantized.dynamic.LSTM')
def dynamic_lstm(torch):
    out = []
    for kw in (dict(num_layers=2), dict(bidirectional=True), dict(batch_first=True),
               dict(num_layers=2, bidirectional=True)):
        m = torch.nn.Sequential(torch.nn.LSTM(6, 5, **kw))
        q = _aq(torch).quantize_dynamic(m, {torch.nn.LSTM}, dtype=torch.qint8)
        x = torch.randn(4, 3, 6)
        y, (h, c) = q[0](x)
        y2, _ = q[0](x, (h, c))
        out.append((repr(q), y, h, c, y2, torch.randn(2)))        # the last: the random stream after convert
    q = _aq(torch).quantize_dynamic(torch.nn.LSTM(3, 4))
    out.append((q(torch.randn(5, 3)), list(q.state_dict().keys()), repr(q)))
    return out


@case('torch.ao.quantization.prepare')
def propagated_qconfig_repr(torch):
    import re
    aq = _aq(torch)
    m = torch.nn.Sequential(aq.QuantStub(), torch.nn.Linear(2, 2), aq.DeQuantStub()).eval()
    m.qconfig = aq.default_qconfig
    p = aq.prepare(m)
    # prepare hands each module a qconfig whose constructors build observers on its device (addresses vary)
    return [re.sub('0x[0-9a-f]+', '0x?', repr(q)) for q in (p[1].qconfig, p.qconfig, p[2].qconfig)]


def _mobilenet_like(torch):
    nn = torch.nn
    aq = _aq(torch)

    class ConvBNReLU(nn.Sequential):
        def __init__(self, i, o, k=3, s=1, g=1):
            super().__init__(nn.Conv2d(i, o, k, s, (k - 1) // 2, groups=g, bias=False), nn.BatchNorm2d(o), nn.ReLU())

    class InvertedResidual(nn.Module):
        def __init__(self, inp, oup, stride, expand_ratio):
            super().__init__()
            hidden = inp * expand_ratio
            self.use_res_connect = stride == 1 and inp == oup
            layers = [ConvBNReLU(inp, hidden, k=1)] if expand_ratio != 1 else []
            layers += [ConvBNReLU(hidden, hidden, s=stride, g=hidden), nn.Conv2d(hidden, oup, 1, 1, 0, bias=False),
                       nn.BatchNorm2d(oup)]
            self.conv = nn.Sequential(*layers)
            self.skip_add = nn.quantized.FloatFunctional()

        def forward(self, x):
            return self.skip_add.add(x, self.conv(x)) if self.use_res_connect else self.conv(x)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(ConvBNReLU(3, 8, s=2), InvertedResidual(8, 8, 1, 1),
                                          InvertedResidual(8, 16, 2, 6), InvertedResidual(16, 16, 1, 6))
            self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(16, 10))
            self.quant, self.dequant = aq.QuantStub(), aq.DeQuantStub()

        def forward(self, x):
            x = self.features(self.quant(x)).mean([2, 3])
            return self.dequant(self.classifier(x))

        def fuse_model(self, is_qat=False):
            fuse = aq.fuse_modules_qat if is_qat else aq.fuse_modules
            for m in self.modules():
                if type(m) is ConvBNReLU:
                    fuse(m, ['0', '1', '2'], inplace=True)
                if type(m) is InvertedResidual:
                    for idx in range(len(m.conv)):
                        if type(m.conv[idx]) is nn.Conv2d:
                            fuse(m.conv, [str(idx), str(idx + 1)], inplace=True)
    return Net


@case('torch.ao.quantization.convert', atol=0.05)
def mobilenet_like_tutorial_flow(torch):
    # the static quantization tutorial's model shape (fused ConvBNReLU, inverted residuals with a FloatFunctional
    # skip add, mean pooling): outputs compared within a few quantization steps, since observed float32 ranges
    # can differ in their last bit (faketorch's float conv order), moving a scale by one ulp
    import re
    aq = _aq(torch)
    Net = _mobilenet_like(torch)
    net = Net().eval()
    net.fuse_model()
    net.qconfig = aq.get_default_qconfig('x86')
    aq.prepare(net, inplace=True)
    for _ in range(3):
        net(torch.randn(4, 3, 16, 16))
    aq.convert(net, inplace=True)
    qat = Net()
    qat.fuse_model(is_qat=True)
    qat.qconfig = aq.get_default_qat_qconfig('x86')
    aq.prepare_qat(qat, inplace=True)
    opt = torch.optim.SGD(qat.parameters(), lr=0.01)
    for i in range(4):
        loss = torch.nn.functional.cross_entropy(qat(torch.randn(4, 3, 16, 16)), torch.randint(0, 10, (4,)))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i == 2:
            qat.apply(torch.ao.nn.intrinsic.qat.freeze_bn_stats)
    qat.eval()
    q = aq.convert(qat)
    x = torch.randn(2, 3, 16, 16)
    scrub = lambda m: re.sub(r'scale=[0-9.e-]+', 'scale=?', repr(m))     # noqa: E731
    return scrub(net), net(x), scrub(q), q(x), list(q.state_dict().keys())


@case('torch.histc')
def histc_float32_edges(torch):
    # histc bins by (x - min) * bins / (max - min) in float32: values next to an edge land where float32 puts
    # them (the HistogramObserver's re-binning depends on it)
    out = []
    for seed in range(3):
        torch.manual_seed(seed)
        x = torch.relu(torch.randn(8, 16, 16, 16))
        out.append(torch.histc(x, 2048, min=0., max=4.562695503234863))
        out.append(torch.histc(x.double(), 2048, min=0., max=4.562695503234863))
    h = _aq(torch).HistogramObserver(reduce_range=True)
    for _ in range(5):
        h(torch.relu(torch.randn(8, 16, 16, 16)))
    return out, h.histogram, h.calculate_qparams()


@case('torch.ao.nn.quantized.Hardswish')
def quantized_activation_modules(torch):
    nnq = torch.ao.nn.quantized
    out = []
    for seed, (dt, zp) in enumerate(((torch.quint8, 128), (torch.qint8, 0))):
        torch.manual_seed(seed)
        x = torch.quantize_per_tensor(torch.randn(4, 3, 20, 20) * 3, 0.05, zp, dt)
        for m in (nnq.Hardswish(0.03, zp // 6), nnq.LeakyReLU(0.04, zp // 2, 0.1), nnq.ELU(0.05, zp // 3, 1.0),
                  nnq.ReLU6()):
            r = m(x)
            out.append((r, r.q_scale(), r.q_zero_point(), repr(m)))
        bn = nnq.BatchNorm2d(3)
        bn.weight = torch.nn.Parameter(torch.rand(3) + 0.5)
        bn.bias = torch.nn.Parameter(torch.randn(3))
        bn.running_mean, bn.running_var = torch.randn(3), torch.rand(3) + 0.5
        bn.scale, bn.zero_point = torch.tensor(0.07), torch.tensor(zp // 2)
        r = bn(x)
        out.append((r, r.q_scale(), r.q_zero_point(), repr(bn), list(bn.state_dict().keys())))
    return out


@case('torch.ao.nn.quantized.dynamic.GRU')
def dynamic_gru(torch):
    out = []
    for kw in (dict(num_layers=2), dict(bidirectional=True), dict(batch_first=True)):
        m = torch.nn.Sequential(torch.nn.GRU(6, 5, **kw),
                                torch.nn.LSTM(5 * (2 if kw.get('bidirectional') else 1), 4,
                                              batch_first=kw.get('batch_first', False)))
        q = _aq(torch).quantize_dynamic(m, dtype=torch.qint8)
        x = torch.randn(4, 3, 6)
        y, h = q[0](x)
        y2, (h2, c2) = q[1](y)
        out.append((repr(q), y, h, y2, h2, c2, q[0](x, h)[0], torch.randn(2)))
    return out


check('torch.ao.nn.quantized.dynamic.GRU', lambda torch: _aq(torch).quantize_dynamic(
    torch.nn.Sequential(torch.nn.GRU(6, 5)))[0](torch.randn(4, 6)), name='unbatched')
check('torch.ao.nn.quantized.dynamic.LSTM', lambda torch: _aq(torch).quantize_dynamic(
    torch.nn.Sequential(torch.nn.LSTM(6, 5)))[0](torch.randn(4, 2, 7)), name='input_size')
check('torch.ao.nn.quantized.dynamic.LSTM', lambda torch: _aq(torch).quantize_dynamic(
    torch.nn.Sequential(torch.nn.LSTM(6, 5)))[0](torch.randn(4, 2, 6), (torch.zeros(1, 3, 5), torch.zeros(1, 2, 5))),
    name='hidden_size')


@case('torch.ao.nn.quantized.LayerNorm')
def quantized_norms(torch):
    nnq = torch.ao.nn.quantized
    P = torch.nn.Parameter
    x = torch.quantize_per_tensor(torch.randn(8, 10, 16) * 2, 0.03, 128, torch.quint8)
    ln = nnq.LayerNorm([16], P(torch.rand(16) + 0.5), P(torch.randn(16) * 0.1), 0.02, 120)
    gn = nnq.GroupNorm(2, 10, P(torch.rand(10) + 0.5), P(torch.randn(10) * 0.1), 0.02, 120)
    inn = nnq.InstanceNorm2d(10, P(torch.rand(10) + 0.5), P(torch.randn(10) * 0.1), 0.02, 120, affine=True)
    x4 = x.reshape(8, 10, 4, 4)
    out = [(m(v), repr(m), list(m.state_dict().keys())) for m, v in ((ln, x), (gn, x4), (inn, x4))]
    aq = _aq(torch)
    m = torch.nn.Sequential(aq.QuantStub(), torch.nn.Linear(16, 16), torch.nn.LayerNorm(16), aq.DeQuantStub()).eval()
    _grid(torch, m)
    m.qconfig = aq.default_qconfig
    p = aq.prepare(m)
    p(_gx(torch, 5, 16))
    c = aq.convert(p)
    return out, repr(c), c(_gx(torch, 2, 16))


@case('torch.ao.quantization.quantize_dynamic')
def dynamic_float16_linear(torch):
    nn = torch.nn
    m = nn.Sequential(nn.Linear(20, 30), nn.ReLU(), nn.Linear(30, 5))
    q = _aq(torch).quantize_dynamic(m, {nn.Linear}, dtype=torch.float16)
    x = torch.randn(4, 20)
    return repr(q), q[0].weight(), q[0]._packed_params.dtype, q(x), list(q.state_dict().keys())
