"""bfloat16 tensors: creation, casts both ways, rounding of every result, promotion, reductions,
matmul/linear/conv, printing, sizes, bit views, save/load. faketorch keeps bfloat16 values in
float32 arrays; these cases check that nothing of that shows. Arithmetic between bfloat16 tensors
is compared exactly (torch computes it in float and rounds once, as faketorch does)."""
import io
import zipfile

import numpy as np

from conformance import case, check

# ties, thirds, the largest finite values, subnormals, overflow to inf, infinities, NaN
_EDGES = [1.1, 1 / 3, -2.5, 0.1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 3e38, 3.3895e38, 3.4e38, -3.4e38, 1e-38, 1e-40,
          -1e-41, 0.0, -0.0, float('inf'), -float('inf'), float('nan')]
_VALUES = [[1.1, -2.2, 1 / 3], [1000.5, 0.001, -7.0]]


def _bf(torch, v=_VALUES):
    return torch.tensor(v, dtype=torch.bfloat16)


def _set_params(torch, m):
    """Deterministic float32 weights (not the init's random stream, which differs on CUDA)."""
    with torch.no_grad():
        for k, p in enumerate(m.parameters()):
            p.copy_(torch.linspace(-1.3, 1.1 + k, p.numel()).reshape(p.shape))
    return m


# --- creation ------------------------------------------------------------------------------------------
check('torch.tensor', lambda torch: (torch.tensor(_EDGES, dtype=torch.bfloat16),
                                     repr(torch.tensor(_EDGES, dtype=torch.bfloat16))), name='bfloat16_edges', exact=True)
check('torch.tensor', lambda torch: torch.tensor(_EDGES, dtype=torch.bfloat16).view(torch.int16)[:-1],
      name='bfloat16_edge_bits')
check('torch.tensor', lambda torch: torch.tensor([1 + 2 ** -8 + 2 ** -30, 257, 2 ** 24 + 1], dtype=torch.bfloat16),
      name='bfloat16_double_rounding', exact=True)      # double -> float -> bfloat16, as torch converts
check('torch.tensor', lambda torch: torch.tensor(np.array([1.1, 2.5, -3.75], np.float64), dtype=torch.bfloat16),
      name='bfloat16_from_ndarray', exact=True)
check('torch.zeros', lambda torch: (torch.zeros(2, 3, dtype=torch.bfloat16), torch.ones(2, dtype=torch.bfloat16),
                                    torch.full((2,), 1.1, dtype=torch.bfloat16), torch.eye(2, dtype=torch.bfloat16),
                                    torch.zeros_like(_bf(torch)), torch.full_like(_bf(torch), 7.3)),
      name='bfloat16_factories', exact=True)
check('torch.arange', lambda torch: (torch.arange(300, dtype=torch.bfloat16), torch.arange(0, 1, 0.1, dtype=torch.bfloat16),
                                     torch.arange(-3, 3, 0.37, dtype=torch.bfloat16)), name='bfloat16', exact=True)
check('torch.linspace', lambda torch: [torch.linspace(a, b, n, dtype=torch.bfloat16)
                                        for a, b, n in ((0, 1, 7), (-3, 7.3, 50), (10, -250.5, 300), (0, 1, 1))],
      name='bfloat16', exact=True)    # torch computes step and values in bfloat16, rounding each op
check('torch.empty', lambda torch: torch.empty(2, 3, dtype=torch.bfloat16), name='bfloat16', values=False)
check('torch.rand', lambda torch: (torch.rand(3, 4, dtype=torch.bfloat16), torch.randn(20, dtype=torch.bfloat16),
                                   torch.randint(0, 300, (5,), dtype=torch.bfloat16),
                                   torch.empty(4, dtype=torch.bfloat16).uniform_(-2, 2),
                                   torch.empty(4, dtype=torch.bfloat16).normal_(1, 3)),
      name='bfloat16_seeded', exact=True)
check('torch.randint', lambda torch: (torch.randint(0, 300, (6,), dtype=torch.bfloat16),
                                      torch.empty(6, dtype=torch.bfloat16).random_(-1000, 999),
                                      torch.empty(6, dtype=torch.bfloat16).random_(),
                                      torch.empty(6, dtype=torch.bfloat16).random_(3, None),
                                      torch.randperm(20, dtype=torch.bfloat16)),
      name='bfloat16_wide_range', exact=True)   # bounds that bfloat16 rounds are moved as torch does
check('torch.finfo', lambda torch: (torch.finfo(torch.bfloat16), torch.finfo(torch.bfloat16).eps,
                                    torch.finfo(torch.bfloat16).max, torch.finfo(torch.bfloat16).tiny),
      name='bfloat16', exact=True)


@case('torch.set_default_dtype', name='bfloat16', exact=True)
def default_bfloat16(torch):
    torch.set_default_dtype(torch.bfloat16)
    a = torch.tensor([1.1, 2.2])
    return (a, torch.arange(3.), torch.ones(2).dtype, torch.tensor(1.5) + 1, torch.get_default_dtype(),
            torch.tensor([1, 2]).dtype, torch.tensor([1, 2]) / 3, repr(a), repr(torch.zeros(2)))


# --- casts ----------------------------------------------------------------------------------------------
@case('Tensor.to', name='float32_to_bfloat16', exact=True)
def float32_to_bfloat16(torch):
    x = torch.tensor(_EDGES)
    return (x.to(torch.bfloat16), x.bfloat16(), x.type(torch.bfloat16), x.type('torch.BFloat16Tensor'),
            x.to(dtype=torch.bfloat16), torch.tensor(x, dtype=torch.bfloat16), x.to(torch.bfloat16).dtype)


@case('Tensor.to', name='bfloat16_cast_copies')
def bfloat16_cast_copies(torch):
    x = torch.tensor([1., 2., 0.5])     # exactly representable: the cast must still copy
    y = x.to(torch.bfloat16)
    z = y.float()
    x.add_(1)
    y.mul_(3)
    return x, y, z, y.to(torch.bfloat16) is y, z.to(torch.float32) is z


@case('Tensor.to', name='bfloat16_to_others', exact=True)
def bfloat16_to_others(torch):
    b = torch.tensor(_EDGES[:10] + [-7.7, 300.4], dtype=torch.bfloat16)
    fin = b[b.abs() < 1e30]
    return (b.float(), b.double(), b.half(), fin.long(), fin.int(), fin.to(torch.int16), b.bool(),
            fin.to(torch.uint8), b.to(torch.complex64))


check('Tensor.to', lambda torch: (torch.tensor([257, 2 ** 24 + 1, -513, 3], dtype=torch.int64).bfloat16(),
                                  torch.tensor([True, False]).bfloat16(),
                                  torch.tensor([65504., 1e-7], dtype=torch.float16).bfloat16(),
                                  torch.tensor([1 + 2 ** -8 + 2 ** -30, 1e300], dtype=torch.float64).bfloat16()),
      name='to_bfloat16_from_others', exact=True)


@case('nn.Module.to', name='bfloat16')
def module_to_bfloat16(torch):
    nn = torch.nn
    m = _set_params(torch, nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)))
    w = m[0].weight
    m.to(torch.bfloat16)
    m2 = _set_params(torch, nn.Linear(2, 2)).bfloat16()
    return (m[0].weight, m[0].weight.dtype, m[1].running_mean.dtype, m[1].num_batches_tracked.dtype,
            m[0].weight is w, m2.weight, m2.bias, repr(m2.weight))


# --- arithmetic: float math rounded once ---------------------------------------------------------------
@case('torch.add', name='bfloat16_rounding', exact=True)
def arith_rounding(torch):
    a = torch.tensor(_EDGES, dtype=torch.bfloat16)
    b = torch.tensor([1 / 3, 1.1, 0.7, 3.0, 2 ** -9, 2 ** -8, 3e38, 1.0, 2.0, 1.0, 0.5, 0.5, 1e-40, -0.0, 0.0,
                      float('inf'), float('inf'), 1.0], dtype=torch.bfloat16)
    return a + b, a - b, a * b, a / b, -a, a * a, torch.maximum(a, b), a.abs(), a.sign()


@case('torch.exp', name='bfloat16_unary', exact=True)
def unary(torch):
    a = torch.tensor([0.1, 1.1, 1 / 3, 2.5, 7.0, 80.0, 100.0], dtype=torch.bfloat16)
    return (a.exp(), a.log(), a.sqrt(), a.sin(), a.cos(), a.tanh(), a.sigmoid(), a.reciprocal(),
            a ** 2, a.floor(), a.round(), torch.relu(a - 1))


# torch's bfloat16 rsqrt rounds the square root first: faketorch's last bit can differ
check('torch.rsqrt', lambda torch: torch.tensor([0.1, 1.1, 1 / 3, 2.5, 7.0], dtype=torch.bfloat16).rsqrt(),
      name='bfloat16')


@case('Tensor.add_', name='bfloat16_inplace', exact=True)
def inplace(torch):
    a = torch.tensor([1., 2., 3.], dtype=torch.bfloat16)
    a.add_(torch.tensor([0.1, 0.2, 0.3]))       # float32 result rounded into bfloat16
    b = a.clone().mul_(1.1)
    c = a.clone().fill_(1.1)
    d = torch.zeros(4, dtype=torch.bfloat16)
    d[1] = 2.2
    d[2:] = torch.tensor([3.3, 1 / 3])
    e = torch.zeros(3, dtype=torch.bfloat16).copy_(torch.tensor([1.1, 2.2, 3.3], dtype=torch.float64))
    f = torch.zeros(3, dtype=torch.bfloat16)
    f.index_put_((torch.tensor([0, 0, 1]),), torch.tensor([1.1, 1.1, 2.2], dtype=torch.bfloat16), accumulate=True)
    g = torch.empty(3, dtype=torch.bfloat16)
    torch.add(torch.tensor([1.1, 2., 3.]), torch.tensor([0.01, 0.02, 0.03]), out=g)
    h = torch.tensor([1., 2., 3.], dtype=torch.bfloat16)
    h.masked_fill_(torch.tensor([True, False, True]), 0.3)
    return a, b, c, d, e, f, g, h


@case('torch.add', name='bfloat16_scalars')
def scalars(torch):     # within bfloat16's tolerance: which ops round a Python scalar first differs
    a = _bf(torch)
    return a + 1.1, a * 1.1, a / 3, 2.5 - a, a + 1, a * 3, a ** 0.5, a + torch.tensor(0.1)


@case('torch.result_type', name='bfloat16')
def promotion(torch):
    b, h = torch.ones(2, dtype=torch.bfloat16), torch.ones(2, dtype=torch.float16)
    f, i = torch.ones(2), torch.ones(2, dtype=torch.int64)
    return ((b + f).dtype, (b + h).dtype, (b + i).dtype, (i + b).dtype, (b + 1.5).dtype, (b + 1).dtype,
            (b + torch.tensor(1.5)).dtype, (i + torch.tensor(1.5, dtype=torch.bfloat16)).dtype,
            (b + torch.tensor(1.5, dtype=torch.float64)).dtype, (b * 1j).dtype, (b > 0).dtype,
            torch.result_type(b, 1.0), torch.result_type(b, f), torch.promote_types(torch.bfloat16, torch.float16),
            torch.promote_types(torch.bfloat16, torch.int64), torch.can_cast(torch.bfloat16, torch.int32),
            torch.can_cast(torch.float64, torch.bfloat16), (i / torch.tensor(3, dtype=torch.int64)).dtype)


check('torch.add', lambda torch: (_bf(torch) + torch.tensor([[0.1, 0.2, 0.3]]), _bf(torch) + torch.tensor([3, 4, 5]),
                                  _bf(torch) * torch.tensor(2.5, dtype=torch.float64),
                                  _bf(torch) + torch.tensor([1., 2., 3.], dtype=torch.float16)),
      name='bfloat16_mixed', exact=True)


# --- reductions, matmul, nn ------------------------------------------------------------------------
_R = lambda torch: torch.linspace(-3, 5, 60, dtype=torch.float32).reshape(6, 10).sin().mul(7).bfloat16()


check('torch.sum', lambda torch: (_R(torch).sum(), _R(torch).sum(1), _R(torch).sum(0, keepdim=True),
                                  _R(torch).sum(dtype=torch.float32), torch.ones(1000, dtype=torch.bfloat16).sum(),
                                  torch.full((3000,), 1.1, dtype=torch.bfloat16).sum()),
      name='bfloat16', exact=True)
check('torch.mean', lambda torch: (_R(torch).mean(), _R(torch).mean(1), torch.full((3000,), 1.1, dtype=torch.bfloat16).mean()),
      name='bfloat16')
check('torch.max', lambda torch: (_R(torch).max(), _R(torch).max(1), _R(torch).argmin(), _R(torch).amax(0),
                                  _R(torch).sort(1), _R(torch).topk(3)), name='bfloat16', exact=True)
check('torch.matmul', lambda torch: (_R(torch) @ _R(torch).T, _R(torch).T.mm(_R(torch)), _R(torch) @ _R(torch)[0],
                                     torch.bmm(_R(torch).reshape(2, 3, 10), _R(torch).reshape(2, 10, 3))),
      name='bfloat16', exact=True)
check('torch.softmax', lambda torch: (_R(torch).softmax(1), _R(torch).log_softmax(0)), name='bfloat16')


@case('nn.Linear', name='bfloat16_forward_backward')
def linear(torch):
    nn = torch.nn
    model = _set_params(torch, nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))).to(torch.bfloat16)
    x = torch.linspace(-2, 2, 20).reshape(5, 4).to(torch.bfloat16).requires_grad_()
    y = model(x)
    loss = (y * y).sum()
    loss.backward()
    return (y, loss, x.grad, model[0].weight.grad, model[0].bias.grad, model[2].weight.grad, y.grad_fn.name(),
            repr(y))


@case('optim.Adam', name='bfloat16_steps')
def optim_steps(torch):
    # torch rounds after each op of the update (its scalar factors too), faketorch once per step:
    # within bfloat16's tolerance here, but SGD and weight decay drift further (README)
    nn = torch.nn
    out = []
    for name, kw in (('Adam', dict(lr=0.01)),):
        m = _set_params(torch, nn.Linear(3, 2)).to(torch.bfloat16)
        opt = getattr(torch.optim, name)(m.parameters(), **kw)
        for _ in range(3):
            opt.zero_grad()
            (m(torch.tensor([[1.1, -2.2, 3.3]], dtype=torch.bfloat16)) ** 2).sum().backward()
            opt.step()
        out.append((m.weight, m.bias, dict(opt.state[m.weight])))
    return out


@case('nn.Conv2d', name='bfloat16_forward')
def conv(torch):
    nn = torch.nn
    m = _set_params(torch, nn.Conv2d(2, 3, 3, padding=1)).bfloat16()
    x = torch.linspace(-1, 1, 2 * 2 * 5 * 5).reshape(2, 2, 5, 5).bfloat16()
    return m(x)


# --- what torch shows -----------------------------------------------------------------------------------
check('Tensor.__repr__', lambda torch: [repr(t) for t in (
    _bf(torch), torch.tensor(_EDGES, dtype=torch.bfloat16), torch.tensor(1.1, dtype=torch.bfloat16),
    torch.arange(12, dtype=torch.bfloat16).reshape(3, 4), torch.zeros(0, 2, dtype=torch.bfloat16),
    torch.tensor([1e-5, 1e5], dtype=torch.bfloat16), _bf(torch).requires_grad_(),
    _bf(torch).requires_grad_() * 2, torch.arange(1500, dtype=torch.bfloat16))] + [str(_bf(torch))],
    name='bfloat16')
check('Tensor.element_size', lambda torch: (_bf(torch).element_size(), _bf(torch).nbytes, _bf(torch).itemsize,
                                            _bf(torch).untyped_storage().nbytes(), _bf(torch)[1:].untyped_storage().nbytes(),
                                            _bf(torch)[:, 1:].stride(), _bf(torch)[1:, 1:].storage_offset(),
                                            _bf(torch).t().is_contiguous(), torch.bfloat16.itemsize,
                                            torch.bfloat16.is_floating_point, torch.bfloat16.is_signed,
                                            _bf(torch).is_floating_point(), _bf(torch).type()),
      name='bfloat16')
check('Tensor.numpy', lambda torch: _bf(torch).numpy(), name='bfloat16')
check('Tensor.numpy', lambda torch: _bf(torch).numpy(force=True), name='bfloat16_force')
check('Tensor.numpy', lambda torch: np.asarray(_bf(torch)), name='bfloat16_asarray')
check('Tensor.tolist', lambda torch: (_bf(torch).tolist(), _bf(torch)[0, 0].item(), float(_bf(torch)[1, 0]),
                                      int(_bf(torch)[1, 0]), _bf(torch)[0, 2].item()), name='bfloat16', exact=True)
check('Tensor.view', lambda torch: (_bf(torch).view(torch.int16), _bf(torch).view(torch.uint8), _bf(torch).view(torch.float16),
                                    torch.tensor(_EDGES[:-1], dtype=torch.bfloat16).view(torch.int16),
                                    torch.tensor([[16269, -16352], [32640, 1]], dtype=torch.int16).view(torch.bfloat16),
                                    torch.tensor([1.5, -2.25]).view(torch.bfloat16),
                                    torch.tensor([141, 63, 32, 192], dtype=torch.uint8).view(torch.bfloat16),
                                    _bf(torch).view(torch.bfloat16)),
      name='bfloat16_bits', exact=True)


@case('Tensor.view', name='bfloat16_views_share')
def views_share(torch):
    a = torch.arange(12, dtype=torch.bfloat16)
    v, s, t = a.view(3, 4), a[2:7], a.view(3, 4).t()
    a[3] = 1.1
    s.mul_(1.1)
    return a, v, s, t, v._version


# --- save / load ----------------------------------------------------------------------------------------
_WRITTEN = {}


def _sample(torch):
    nn = torch.nn
    base = torch.tensor(_EDGES, dtype=torch.bfloat16)
    lin = _set_params(torch, nn.Linear(3, 2)).to(torch.bfloat16)
    return {'edges': base, 'slice': base[3:9], 'step': base[::4], 't': _bf(torch).t(),
            'scalar': torch.tensor(1.1, dtype=torch.bfloat16), 'empty': torch.zeros(0, 2, dtype=torch.bfloat16),
            'param': nn.Parameter(torch.ones(2, dtype=torch.bfloat16)), 'model': lin.state_dict(),
            'f32': torch.tensor([1.1, 2.2])}


def _written_by_reference(torch, key, build, **kw):
    if torch.__name__ == 'torch' or key not in _WRITTEN:
        buf = io.BytesIO()
        torch.save(build(torch), buf, **kw)
        _WRITTEN[key] = buf.getvalue()
    return _WRITTEN[key]


@case('torch.load', name='from_torch_bfloat16', exact=True)
def load_from_torch(torch):
    d = torch.load(io.BytesIO(_written_by_reference(torch, 'bf16', _sample)))
    d['edges'][4] = 9.5                 # the views came back on one storage
    return d, d['step'].stride(), d['t'].stride()


@case('torch.load', name='from_torch_bfloat16_legacy', exact=True)
def load_legacy_from_torch(torch):
    return torch.load(io.BytesIO(_written_by_reference(torch, 'bf16_legacy', _sample,
                                                       _use_new_zipfile_serialization=False)), weights_only=False)


@case('torch.save', name='same_bytes_bfloat16')
def same_bytes(torch):
    buf = io.BytesIO()
    torch.save(_sample(torch), buf)
    z = zipfile.ZipFile(buf)
    return [(i.filename, i.header_offset, z.read(i)) for i in z.infolist() if 'serialization_id' not in i.filename]


@case('torch.save', name='bfloat16_roundtrip', exact=True)
def roundtrip(torch):
    buf = io.BytesIO()
    torch.save(_sample(torch), buf)
    buf.seek(0)
    d = torch.load(buf)
    d['edges'][4] = 9.5
    return d


def _reduced_scalar_ops(torch, dt):
    x = torch.tensor(np.random.default_rng(0).uniform(-10, 10, 400), dtype=torch.float32).to(dt)
    ops = (lambda s: x + s, lambda s: x - s, lambda s: s - x, lambda s: x * s, lambda s: x / s, lambda s: s / x,
           lambda s: x // s, lambda s: torch.div(x, s, rounding_mode='trunc'), lambda s: torch.fmod(x, s),
           lambda s: torch.remainder(x, s), lambda s: x.abs() ** s, lambda s: x > s, lambda s: x.clone().mul_(s))
    return [f(s) for s in (0.1, 1.7, -2.2) for f in ops]


# half and bfloat16 with a Python scalar: mul and div (floor/trunc too) take it unrounded in float32,
# the other kernels round it to the tensor's dtype first
check('torch.mul', lambda torch: _reduced_scalar_ops(torch, torch.bfloat16), name='bfloat16_scalar_rounding', exact=True)
check('torch.mul', lambda torch: _reduced_scalar_ops(torch, torch.float16), name='float16_scalar_rounding', exact=True)
