"""Quantized tensors: quantize_per_tensor / per_channel / dynamic, the quantizer accessors, printing, the
ops torch runs on quantized tensors and the errors of those it refuses, fake quantization and its
gradient. Results that are quantized tensors compare as their int_repr (see compare.py) plus their repr."""
from conformance import case, check


def _x(torch, *shape, s=3.0):
    return torch.randn(*shape) * s


def _q(torch, dtype='quint8', scale=0.05, zp=None):
    dt = getattr(torch, dtype)
    if zp is None:
        zp = {'quint8': 120, 'qint8': 3, 'qint32': -7}[dtype]
    return torch.quantize_per_tensor(_x(torch, 4, 5), scale, zp, dt)


@case('torch.quantize_per_tensor')
def per_tensor_types(torch):
    out = []
    for dt in ('quint8', 'qint8', 'qint32'):
        q = _q(torch, dt)
        out.append((q, repr(q), q.int_repr(), q.dequantize(), q.q_scale(), q.q_zero_point(), q.qscheme(),
                    q.dtype, q.is_quantized, q.stride(), q.element_size(), type(q).__name__))
    return out


@case('torch.quantize_per_tensor')
def rounding_many_scales(torch):
    # ties and near-ties: torch rounds fma(x, 1/scale, zero_point) in float32
    x = torch.randn(20000) * 3
    out = []
    for scale, zp in ((0.1, 3), (0.03, -4), (0.0123456789, 0), (1 / 3, 7), (0.007772246170442807, -4),
                      (0.4512719430038181, 2), (0.3893002187239754, -5)):
        for dt in (torch.quint8, torch.qint8, torch.qint32):
            out.append(torch.quantize_per_tensor(x, scale, zp + (10 if dt is torch.quint8 else 0), dt).int_repr())
    return out


check('torch.quantize_per_tensor', lambda torch: torch.quantize_per_tensor(
    torch.tensor([[-1.0, 0.5, 2.3], [0.1, 0.2, 100.]]), torch.tensor(0.1), torch.tensor(10), torch.qint32),
    name='tensor_qparams')
check('torch.quantize_per_tensor', lambda torch: repr(torch.quantize_per_tensor(
    torch.tensor([[-1.0, 0.5, 2.3], [0.1, 0.2, 100.]]), torch.tensor(0.1), torch.tensor(10), torch.qint32)),
    name='tensor_qparams_repr')
check('torch.quantize_per_tensor', lambda torch: torch.quantize_per_tensor(torch.ones(2), 0.1, 0, torch.float32),
      name='float_dtype')
check('torch.quantize_per_tensor', lambda torch: torch.quantize_per_tensor(torch.ones(2).double(), 0.1, 0,
                                                                             torch.qint8), name='double_input')
check('torch.quantize_per_tensor', lambda torch: torch.quantize_per_tensor(torch.ones(2).long(), 0.1, 0,
                                                                             torch.qint8), name='long_input')
check('torch.quantize_per_tensor', lambda torch: repr(torch.quantize_per_tensor(torch.tensor(1.5), 0.5, 1,
                                                                                  torch.qint8)), name='zero_dim')
check('torch.quantize_per_tensor', lambda torch: repr(torch.quantize_per_tensor(torch.randn(30, 40), 0.02, 128,
                                                                                  torch.quint8)), name='summarized')


@case('torch.quantize_per_channel')
def per_channel(torch):
    x = _x(torch, 3, 4, 5)
    out = []
    for axis in (0, 1, 2):
        n = x.shape[axis]
        scales = torch.rand(n).double() * 0.1 + 0.01
        zps = torch.arange(n) - 1
        for dt in (torch.quint8, torch.qint8):
            q = torch.quantize_per_channel(x, scales, zps + (100 if dt is torch.quint8 else 0), axis, dt)
            out.append((q, q.dequantize(), q.q_per_channel_scales(), q.q_per_channel_zero_points(),
                        q.q_per_channel_axis(), q.qscheme()))
    return out


check('torch.quantize_per_channel', lambda torch: repr(torch.quantize_per_channel(
    torch.tensor([[-1.0, 0.5, 2.3], [0.1, 0.2, 100.]]), torch.tensor([0.1, 0.2]), torch.tensor([0, 1]), 0,
    torch.qint8)), name='repr')
check('torch.Tensor.q_per_channel_scales', lambda torch: _q(torch).q_per_channel_scales(), name='per_tensor')
check('torch.Tensor.q_scale', lambda torch: torch.quantize_per_channel(
    torch.ones(2, 2), torch.tensor([0.1, 0.2]), torch.tensor([0, 1]), 0, torch.qint8).q_scale(), name='per_channel')


@case('torch.quantize_per_tensor_dynamic')
def dynamic(torch):
    out = []
    for lo, hi in ((-1., 100.), (-0.3, 2.7), (0., 0.), (1., 2.), (-3.3, -1.), (-0.5, 0.25)):
        x = torch.cat([torch.tensor([lo, hi]), torch.rand(10) * (hi - lo) + lo])
        for dt in (torch.quint8, torch.qint8):
            for rr in (False, True):
                q = torch.quantize_per_tensor_dynamic(x, dt, rr)
                out.append((q, q.q_scale(), q.q_zero_point()))
    return out


@case('torch.Tensor.dequantize')
def dequantize_dense(torch):
    x = torch.ones(2)
    return x.dequantize() is x, torch.dequantize(x), torch.dequantize([_q(torch), _q(torch, 'qint8')])


def _first_paragraph(fn):
    def run(torch):
        try:
            return fn(torch)
        except NotImplementedError as e:
            # torch's dispatcher error goes on to list every backend's registration (paths of its build)
            return type(e).__name__, str(e).split(' possible resolutions.')[0]
    return run


check('torch.Tensor.int_repr', _first_paragraph(lambda torch: torch.ones(2).int_repr()), name='dense')
check('torch.Tensor.q_scale', _first_paragraph(lambda torch: torch.ones(2).q_scale()), name='dense')
check('torch.qscheme', lambda torch: [torch.per_tensor_affine, torch.per_channel_affine, torch.per_tensor_symmetric,
                                       torch.per_channel_symmetric, torch.per_channel_affine_float_qparams,
                                       repr(torch.per_tensor_affine)])


# --- ops on quantized tensors ---------------------------------------------------------------------------------

def _ops(torch, q):
    F = torch.nn.functional
    return [q[0], q[1:, ::2], q[[0, 2]], q.view(5, 4), q.reshape(-1), q.flatten(), torch.flatten(q), q.clone(),
            q.contiguous(), q.permute(1, 0), q.transpose(0, 1), q.T, q.t(), q.squeeze(), q.unsqueeze(1),
            q.detach(), q.select(0, 1), q.narrow(1, 1, 2), q.chunk(2), q.split(3), q.unbind(1),
            q.expand(2, 4, 5), q.repeat(2, 1), q.max(), q.min(), q.max(1), q.sort(), q.topk(2),
            F.relu(q), F.relu6(q), F.hardtanh(q, -0.5, 0.5), q.clamp(-1, 1), q.relu(), q.mean(), q.mean(1),
            torch.cat([q, q]), torch.cat([q, q], 1), torch.stack([q, q]), q == q, torch.equal(q, q),
            q.masked_fill(q.int_repr() > 100, 0.5), q.item() if False else q[0, 0].item()]


@case('torch.Tensor.view')
def quantized_ops(torch):
    out = []
    for dt in ('quint8', 'qint8'):
        q = _q(torch, dt)
        out.append(_ops(torch, q))
        out.append([repr(r) for r in _ops(torch, q)[:10]])
    return out


@case('torch.nn.functional.max_pool2d')
def quantized_pooling(torch):
    F = torch.nn.functional
    out = []
    x = _x(torch, 2, 3, 7, 9)
    for dt, zp in ((torch.quint8, 120), (torch.qint8, 3)):
        q = torch.quantize_per_tensor(x, 0.05, zp, dt)
        out += [F.max_pool2d(q, 2), F.max_pool2d(q, 3, 2, 1), torch.nn.MaxPool2d(2)(q),
                F.adaptive_avg_pool2d(q, (3, 4)), F.adaptive_avg_pool2d(q, 1), torch.nn.AdaptiveAvgPool2d(1)(q),
                F.avg_pool2d(q, 3, 2), F.avg_pool2d(q, 3, 2, 1), q.mean([2, 3]), q.mean([2, 3], keepdim=True),
                torch.nn.ReLU()(q), torch.nn.ReLU6()(q), torch.nn.Flatten()(q)]
    return out


@case('torch.cat')
def quantized_cat_requantizes(torch):
    a = _q(torch, scale=0.05)
    b = _q(torch, scale=0.1, zp=100)
    r = torch.cat([a, b])
    return r, r.q_scale(), r.q_zero_point()


@case('torch.Tensor.fill_')
def quantized_inplace(torch):
    q = _q(torch)
    q2 = q.clone()
    q2.fill_(1.23)
    q3 = q.clone()
    q3[0] = 2.0
    q3[1, 1:3] = torch.tensor([0.7, -0.2])
    q4 = q.clone()
    q4.relu_()
    q5 = q.clone()
    q5.copy_(q.relu())
    return q, q2, q3, q4, q5


# torch's errors for what it does not run on quantized tensors
check('torch.Tensor.numpy', lambda torch: _q(torch).numpy(), name='quantized')
check('torch.Tensor.tolist', lambda torch: _q(torch).tolist(), name='quantized')
check('torch.Tensor.item', lambda torch: _q(torch).item(), name='quantized')
check('torch.Tensor.float', lambda torch: _q(torch).float(), name='quantized')
check('torch.Tensor.to', lambda torch: _q(torch).to(torch.float32), name='quantized')
check('torch.Tensor.requires_grad_', lambda torch: _q(torch).requires_grad_(), name='quantized')
check('torch.Tensor.type', lambda torch: [_q(torch).type(), _q(torch, 'qint8').type(), _q(torch, 'qint32').type()],
      name='quantized')
check('torch.Tensor.is_quantized', lambda torch: [_q(torch).is_quantized, torch.ones(1).is_quantized,
                                                  _q(torch).requires_grad, _q(torch).is_contiguous()])
check('torch.Tensor.view', lambda torch: torch.quantize_per_channel(
    torch.ones(2, 2), torch.tensor([0.1, 0.2]), torch.tensor([0, 1]), 0, torch.qint8).view(4), name='per_channel')


def _describe_q(r):
    r = r[0] if isinstance(r, tuple) else r
    if 'channel' in repr(r.qscheme()):
        return r, r.qscheme(), r.q_per_channel_axis(), r.q_per_channel_scales(), r.q_per_channel_zero_points()
    return r, r.qscheme(), r.q_scale(), r.q_zero_point()


_PC_OPS = ['q.view(2, 12)', 'q.view(6, 4)', 'q.reshape(-1)', 'q.flatten()', 'torch.flatten(q, 1)', 'q.transpose(0, 1)',
           'q.permute(2, 0, 1)', 'q.mT', 'q[0]', 'q[:, 1]', 'q[..., 1]', 'q[None, 0]', 'q[:, 1:3]', 'q[:, 2:]',
           'q[[0, 1]]', 'q[1, :, None]', 'q.clone()', 'q.contiguous()', 'q.unsqueeze(0)', 'q.unsqueeze(-1)',
           'q.unsqueeze(0).squeeze(0)', 'q.select(0, 1)', 'q.select(1, 2)', 'q.narrow(2, 0, 2)', 'q.narrow(1, 1, 2)',
           'q.detach()', 'torch.relu(q)', 'torch.nn.functional.relu(q)', 'torch.cat([q, q])', 'torch.stack([q, q])',
           'q.mean()', 'torch.nn.functional.max_pool2d(q, 2)', 'q.expand(2, 2, 3, 4)', 'q.chunk(2)', 'q.chunk(2, 1)',
           'q.max()', 'q.min()', 'q.sort()', 'q.topk(1)', 'q.unbind(1)', 'q.unbind(0)', 'q.split(1, 1)',
           'torch.nn.functional.hardtanh(q)', 'q.int_repr()', 'q.dequantize()']


@case('torch.Tensor.view')
def per_channel_views(torch):
    q = torch.quantize_per_channel(torch.randn(2, 3, 4), torch.tensor([0.1, 0.2, 0.3]), torch.tensor([0, 1, 2]), 1,
                                   torch.quint8)
    out = []
    for expr in _PC_OPS:
        try:
            r = eval(expr, {'q': q, 'torch': torch})
            out.append(_describe_q(r) if getattr(r[0] if isinstance(r, tuple) else r, 'is_quantized', False) else r)
        except RuntimeError as e:
            out.append(('RuntimeError', str(e)))
    return out


# --- fake quantization --------------------------------------------------------------------------------------

@case('torch.fake_quantize_per_tensor_affine')
def fake_quant_per_tensor(torch):
    x = (torch.randn(200) * 4).requires_grad_()
    out = []
    for scale, zp, lo, hi in ((0.1, 3, -128, 127), (0.05, 120, 0, 255), (0.3, 0, 0, 15)):
        y = torch.fake_quantize_per_tensor_affine(x, scale, zp, lo, hi)
        g, = torch.autograd.grad((y * torch.arange(200.)).sum(), x)
        out.append((y, g))
    y = torch.fake_quantize_per_tensor_affine(x, torch.tensor(0.1), torch.tensor(3), -128, 127)
    out.append(y)
    return out


@case('torch.fake_quantize_per_channel_affine')
def fake_quant_per_channel(torch):
    x = (torch.randn(3, 4, 5) * 2).requires_grad_()
    out = []
    for axis in (0, 1, 2):
        n = x.shape[axis]
        s = torch.rand(n) * 0.1 + 0.01
        z = torch.arange(n, dtype=torch.int32) - 1
        y = torch.fake_quantize_per_channel_affine(x, s, z, axis, -128, 127)
        g, = torch.autograd.grad((y * y).sum(), x)
        out.append((y, g))
    return out


check('torch.fake_quantize_per_tensor_affine',
      lambda torch: torch.fake_quantize_per_tensor_affine(torch.ones(2), 0.1, 0, 5, 2), name='min_gt_max')


@case('torch.Tensor.__eq__')
def quantized_comparisons(torch):
    q = torch.quantize_per_tensor(torch.tensor([-1., 0.5, 2.]), 0.1, 10, torch.quint8)
    q2 = torch.quantize_per_tensor(torch.tensor([-1., 0.6, 1.]), 0.2, 3, torch.quint8)
    return [q == 1.0, q == 0.5, q < q2, q >= q2, q != q2, q == q2, q > 0, q <= 0.5, q.eq(q2), q.gt(0.1)]


@case('torch.Tensor.sigmoid')
def quantized_sigmoid_tanh(torch):
    out = []
    for dt, zp in ((torch.quint8, 120), (torch.qint8, 3)):
        q = torch.quantize_per_tensor(torch.randn(200) * 3, 0.05, zp, dt)
        out += [q.sigmoid(), q.tanh(), repr(q.sigmoid()[:3]), repr(q.tanh()[:3])]
    return out


def _refusal(expr):
    def run(torch):
        q = torch.quantize_per_tensor(torch.randn(2, 3), 0.1, 3, torch.quint8)
        try:
            return eval(expr, {'q': q, 'torch': torch})
        except (NotImplementedError, RuntimeError) as e:
            # torch's dispatcher error goes on to list every backend's registration (source paths and line
            # numbers of its build): compared up to the end of its first paragraph
            return type(e).__name__, str(e).split(' possible resolutions.')[0]
    return run


for _i, _expr in enumerate(('q + q', 'q - q', 'q * 2', 'q / 2', '2 + q', '1 - q', '2 * q', 'q * q', 'q / q', '-q',
                           'abs(q)',
              'q ** 2', 'q.add(q)', 'q.add_(q)', 'q.mul_(q)', 'q.sum()', 'q.prod()', 'q.abs()', 'q.neg()', 'q.exp()',
              'q.log()', 'q.sqrt()', 'q.sin()', 'q.round()', 'q.floor()', 'q.argmax()', 'q.argmin()', 'q.cumsum(0)',
              'q.var()', 'q.pow(2)', 'q.zero_()', 'q.softmax(0)', 'q.log_softmax(0)', 'q.any()', 'q.all()',
              'q.nonzero()', 'q.clamp_(0, 1)', '1 / q', 'q.new_zeros(2)', 'q.exp_()')):
    check('torch.Tensor.add', _refusal(_expr), name=f'quantized_refuses_{_i}')


for _i, _f in enumerate((lambda torch: torch.quantize_per_tensor(torch.randn(3), 0.1, 300, torch.quint8),
                         lambda torch: torch.quantize_per_tensor(torch.randn(3), 0.1, -1, torch.quint8),
                         lambda torch: torch.quantize_per_tensor(torch.randn(3), 0.1, 200, torch.qint8),
                         lambda torch: torch.quantize_per_tensor(torch.randn(3), 0., 0, torch.quint8),
                         lambda torch: torch.quantize_per_channel(torch.randn(3, 1), torch.tensor([0.1, 0.2]),
                                                                  torch.tensor([0, 0]), 0, torch.quint8),
                         lambda torch: torch.quantize_per_channel(torch.randn(3, 1), torch.tensor([0.1, 0.2, 0.3]),
                                                                  torch.tensor([0, 0]), 0, torch.quint8),
                         lambda torch: torch.quantize_per_channel(torch.randn(3, 1), torch.tensor([0.1, 0.2, 0.3]),
                                                                  torch.tensor([0, 0, 0]), 2, torch.quint8),
                         lambda torch: torch.quantize_per_tensor_dynamic(torch.randn(3), torch.qint32, False))):
    check('torch.quantize_per_tensor', _f, name=f'bad_qparams_{_i}')


@case('torch.relu')
def quantized_function_forms(torch):
    q = _q(torch)
    return [torch.relu(q), torch.clamp(q, -1, 1), torch.clip(q, min=0.5), torch.sigmoid(q), torch.tanh(q),
            torch.relu_(q.clone()), torch.flatten(q), torch.equal(q, q.clone())]


@case('torch.Tensor.new_empty')
def quantized_tensor_protocol(torch):
    q = torch.quantize_per_tensor(torch.tensor([[-1.0, 0.5, 2.3], [0.1, 0.2, 100.]]), 0.1, 10, torch.quint8)
    e, el = q.new_empty((2,)), torch.empty_like(q)      # uninitialised in torch: compared by kind only
    return [len(q), [r.int_repr() for r in q], q.nbytes, q.itemsize, bool(q[0, 0]), float(q[0, 0]), int(q[0, 1]),
            q.ndim, q.is_leaf, q.grad_fn, q.device, q.layout, (e.shape, e.dtype),
            (el.shape, el.dtype, el.q_zero_point()), f'{q[0, 0]}', f'{q[1, 2]:.2f}', str(q[0]),
            q.is_floating_point(), type(q.data_ptr()).__name__, 1 in q]
