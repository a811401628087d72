"""float8 dtypes (e4m3fn, e5m2, e4m3fnuz, e5m2fnuz, e8m0fnu) and the placeholder dtypes torch names
(float4_e2m1fn_x2, bits*, int1-7, uint1-7, quantized): attributes, finfo, casts with edge values
compared as bit patterns, printing, what torch computes on float8 and the errors of what it refuses,
save/load. faketorch keeps float8 values in float32 arrays; these cases check that nothing of that
shows."""
import io
import pickle
import sys
import zipfile

import numpy as np

from conformance import case, check

_F8 = ('float8_e4m3fn', 'float8_e5m2', 'float8_e4m3fnuz', 'float8_e5m2fnuz', 'float8_e8m0fnu')
_PLACEHOLDERS = ('float4_e2m1fn_x2', 'bits1x8', 'bits2x4', 'bits4x2', 'bits8', 'bits16', 'int1', 'int2', 'int3',
                 'int4', 'int5', 'int6', 'int7', 'uint1', 'uint2', 'uint3', 'uint4', 'uint5', 'uint6', 'uint7',
                 'quint8', 'qint8', 'qint32', 'quint4x2', 'quint2x4')
# ties, the largest finite values and just past them, subnormals and their ties, overflow, inf, NaN, -0
_EDGES = [0.0, -0.0, 1.0, 1.0625, 1.1875, -1.03125, 0.1, 1 / 3, 2.5, 3.5, 448.0, 464.0, 465.0, 479.0, 480.0, 500.0,
          240.0, 247.0, 248.0, 249.0, 57344.0, 61439.0, 61440.0, 65536.0, 1e6, -1e6, 2 ** -6, 2 ** -9, 2 ** -10,
          3 * 2 ** -11, 2 ** -16, 2 ** -17, 2 ** -18, 1.5 * 2 ** -17, 2 ** -126, 2 ** -127, 1.5 * 2 ** -127,
          1.5 * 2 ** 127, 1.5, 3.0, 6.0, -4.0, float('inf'), -float('inf'), float('nan'), -float('nan')]


def _each(fn):
    """fn(torch, dtype) over the five float8 dtypes, as a dict by name (exceptions included)."""
    def run(torch):
        out = {}
        for n in _F8:
            try:
                out[n] = fn(torch, getattr(torch, n))
            except Exception as e:      # noqa: BLE001 - the message is the result
                out[n] = (type(e).__name__, str(e))
        return out
    return run


def _bits(t):
    """A float8 tensor's bit patterns (uint8), the exact comparison."""
    return t.contiguous().view(sys.modules[type(t).__module__.split('.')[0]].uint8)


# --- dtype objects --------------------------------------------------------------------------------------
def _attrs(torch, n):
    d = getattr(torch, n)
    out = [repr(d), str(d), d.itemsize, d.is_floating_point, d.is_complex, repr(d.to_real()),
           pickle.loads(pickle.dumps(d)) is d]
    for f in (lambda: d.is_signed, d.to_complex, lambda: torch.finfo(d), lambda: torch.iinfo(d)):
        try:
            out.append(repr(f()))
        except Exception as e:      # noqa: BLE001
            out.append((type(e).__name__, str(e)))
    return out


check('torch.dtype', lambda torch: [_attrs(torch, n) for n in _F8], name='float8_attributes')
check('torch.dtype', lambda torch: [_attrs(torch, n) for n in _PLACEHOLDERS], name='placeholder_attributes')
check('torch.dtype', lambda torch: (torch.bit, sorted(k for k in dir(torch)
                                                     if isinstance(getattr(torch, k, None), torch.dtype))),
      name='dtype_names')
check('torch.finfo', lambda torch: [(repr(f), f.bits, f.eps, f.max, f.min, f.tiny, f.smallest_normal, f.resolution,
                                     f.dtype) for f in (torch.finfo(getattr(torch, n)) for n in _F8)], name='float8')
check('torch.finfo', lambda torch: torch.finfo(torch.float4_e2m1fn_x2), name='float4_refused')
check('torch.promote_types', _each(lambda torch, d: [repr(torch.promote_types(d, d))] + [
    _try(lambda: torch.promote_types(d, o)) for o in (torch.float32, torch.int64, torch.bool, torch.float8_e5m2)]),
      name='float8')
check('torch.promote_types', lambda torch: [_try(lambda: torch.promote_types(a, b)) for a in (
    torch.int4, torch.uint4, torch.bits8, torch.quint8, torch.float4_e2m1fn_x2) for b in (torch.float32, torch.int64)],
      name='placeholders')
check('torch.can_cast', _each(lambda torch, d: [torch.can_cast(d, o) for o in (torch.float32, torch.int32, torch.bool)]
                               + [torch.can_cast(torch.float64, d), torch.can_cast(torch.int64, d)]), name='float8')


def _try(f):
    try:
        return repr(f())
    except Exception as e:      # noqa: BLE001
        return (type(e).__name__, str(e))


# --- casts, compared as bit patterns ----------------------------------------------------------------
check('Tensor.to', _each(lambda torch, d: _bits(torch.tensor(_EDGES).to(d))), name='float8_from_float32')
check('Tensor.to', _each(lambda torch, d: _bits(torch.tensor(_EDGES, dtype=torch.float64).to(d))),
      name='float8_from_float64')       # through float, as c10 converts (double rounding)
check('Tensor.to', _each(lambda torch, d: (_bits(torch.tensor(_EDGES).half().to(d)),
                                           _bits(torch.tensor(_EDGES[:-2]).bfloat16().to(d)))),
      name='float8_from_half')      # (no NaN through bfloat16: faketorch's is 0x7FC0, torch's 0xFFFF; see README)
check('Tensor.to', _each(lambda torch, d: _bits(torch.tensor([0, 1, -1, 3, 17, 255, 1000, 2 ** 24 + 1, -2 ** 62])
                                                 .to(d))), name='float8_from_int64')
check('Tensor.to', _each(lambda torch, d: [_bits(torch.tensor([True, False]).to(d)),
                                           _bits(torch.arange(256, dtype=torch.uint8).to(d))]),
      name='float8_from_uint8')
check('Tensor.view', _each(lambda torch, d: (torch.arange(256, dtype=torch.uint8).view(d).float().view(torch.int32)
                                             .masked_fill(torch.arange(256, dtype=torch.uint8).view(d).isnan(), 0),
                                             _bits(torch.arange(256, dtype=torch.uint8).view(d)),
                                             torch.arange(-128, 128, dtype=torch.int8).view(d).view(torch.int8))),
      name='float8_bit_views')
check('Tensor.to', _each(lambda torch, d: [torch.arange(256, dtype=torch.uint8).view(d).to(o).tolist()
                                           for o in (torch.float64, torch.float16, torch.bfloat16, torch.int32)]),
      name='float8_to_others')
check('Tensor.to', _each(lambda torch, d: [_bits(torch.arange(256, dtype=torch.uint8).view(d).to(getattr(torch, o)))
                                           for o in _F8]), name='float8_to_float8')
check('torch.tensor', _each(lambda torch, d: (_bits(torch.tensor(_EDGES[:10], dtype=d)),
                                              _bits(torch.tensor(1.5, dtype=d)),
                                              _bits(torch.tensor([[1, 2], [3, 4]], dtype=d)),
                                              _bits(torch.tensor(np.array([0.3, 7.7]), dtype=d)))), name='float8')
check('Tensor.tolist', _each(lambda torch, d: (torch.tensor([1.5, 0.1, 300.0]).to(d).tolist(),
                                               torch.tensor(2.5).to(d).item(), float(torch.tensor([3.0]).to(d)),
                                               int(torch.tensor([7.0]).to(d)[0]), bool(torch.tensor(1.0).to(d)))),
      name='float8')


# --- factories ------------------------------------------------------------------------------------------
check('torch.zeros', _each(lambda torch, d: [_bits(t) for t in (
    torch.zeros(2, 3, dtype=d), torch.ones(2, dtype=d), torch.full((2,), 2.0, dtype=d), torch.eye(2, dtype=d),
    torch.zeros_like(torch.ones(2, dtype=d)), torch.ones(2, dtype=d).new_full((3,), 4.0),
    torch.empty(3, dtype=d).fill_(1.0), torch.empty(0, dtype=d))]), name='float8_factories')
check('torch.full', _each(lambda torch, d: [_try(lambda: _bits(torch.full((2,), v, dtype=d)))
                                            for v in (300.0, 1000.0, 1e5, float('inf'), float('nan'), 0.0, -1.0)]),
      name='float8_range_checks')
check('torch.arange', _each(lambda torch, d: [_try(f) for f in (
    lambda: torch.arange(3, dtype=d), lambda: torch.linspace(0, 1, 3, dtype=d), lambda: torch.rand(2, dtype=d),
    lambda: torch.randn(2, dtype=d), lambda: torch.randint(0, 3, (2,), dtype=d))]), name='float8_refused')


# --- printing -----------------------------------------------------------------------------------------
@case('Tensor.__repr__', name='float8')
def printing(torch):
    nan, inf = float('nan'), float('inf')
    out = []
    for n in _F8:
        d = getattr(torch, n)
        for v in ([1.5, -2.0, 0.25, 3.0], [1e-3, 100.0], [nan, inf, -inf, 0.0, -0.0], [0.1, 0.2, 0.3], [1.0, 2.0],
                  [1e-5, 1e-4, 1.0], [20000.0, 1.0], [nan, 0.0, 1.0], [0.0, 0.0], [2.0 ** -126, 1.0]):
            out.append(repr(torch.tensor(v, dtype=d)))
        out += [repr(torch.tensor(2.5, dtype=d)), str(torch.tensor([[1.5, 2], [3, 4]]).to(d)),
                repr(torch.arange(3000.0).to(d)), repr(torch.zeros(2, 0, dtype=d)),
                repr(torch.ones(2, dtype=d, requires_grad=True))]
    return out


# --- what torch computes on float8 --------------------------------------------------------------------
def _x(torch, d):
    v = [1.0, 2.0, 0.25, 4.0] if d is torch.float8_e8m0fnu else [1.5, -2.0, 0.25, 3.0]
    return torch.tensor(v).to(d)


check('torch.abs', _each(lambda torch, d: _bits(_x(torch, d).abs())), name='float8')
check('torch.mul', _each(lambda torch, d: _bits(_x(torch, d) * torch.tensor([3.0, 0.1, -1.0, 7.0]).to(d))),
      name='float8')       # tensor * tensor has a float8 kernel (in float, rounded once); tensor * 2 does not
check('torch.eq', _each(lambda torch, d: (_x(torch, d) == _x(torch, d)[0], _x(torch, d) != 1,
                                          _x(torch, d).isnan(), _x(torch, d).any(), _x(torch, d).all())), name='float8')
check('torch.where', _each(lambda torch, d: _bits(torch.where(torch.tensor([True, False, True, False]),
                                                              _x(torch, d), torch.ones(4, dtype=d)))), name='float8')
check('torch.cat', _each(lambda torch, d: (_bits(torch.cat([_x(torch, d), _x(torch, d)[:2]])),
                                           _bits(torch.stack([_x(torch, d), _x(torch, d)])))), name='float8')
check('Tensor.__getitem__', _each(lambda torch, d: [_bits(t) for t in (
    _x(torch, d)[1:3], _x(torch, d)[1], _x(torch, d)[[0, 2]], _x(torch, d)[torch.tensor([True, False, True, True])],
    _x(torch, d).view(2, 2).t().contiguous(), _x(torch, d).clone(), _x(torch, d).roll(1), _x(torch, d).repeat(2),
    _x(torch, d).index_select(0, torch.tensor([3, 0])), torch.nn.functional.pad(_x(torch, d), (1, 1), value=1.0))]),
      name='float8_structure')


@case('Tensor.__setitem__', name='float8')
def setitem(torch):
    out = {}
    for n in _F8:
        x = torch.ones(5, dtype=getattr(torch, n))
        x[0] = 100.0
        x[1:3] = torch.tensor([3.3, 0.07])
        x[torch.tensor([3])] = 0.3
        x[4:] = torch.tensor([2.0]).to(x.dtype)
        y = torch.zeros(3).to(x.dtype).copy_(torch.tensor([1.1, -5.0, 2 ** -8], dtype=torch.float64))
        out[n] = (_bits(x), _bits(y))
    return out


check('torch.mm', _each(lambda torch, d: _bits(torch.mm(torch.tensor([[1.5, -2.0, 0.3], [0.25, 3.0, 7.0]]).to(d),
                                                        torch.tensor([[1.0, 0.5], [-0.75, 2.0], [0.1, 3.5]]).to(d)))),
      name='float8')    # float accumulation, rounded once
check('torch.nn.functional.linear', _each(lambda torch, d: _bits(torch.nn.functional.linear(
    torch.tensor([[1.5, -2.0], [0.25, 3.0]]).to(d), torch.tensor([[1.5, -2.0], [0.25, 3.0]]).to(d),
    torch.tensor([1.5, -2.0]).to(d)))), name='float8_bias')

# --- refusals ----------------------------------------------------------------------------------------------
_REFUSED = ('x + x', 'x + 1', 'x - x', 'x * 2', 'x / x', 'x / 2', 'x ** 2', '-x', 'x.sum()', 'x.mean()', 'x.prod()',
            'x.max()', 'x.min()', 'x.max(0)', 'x.argmax()', 'x.amax()', 'x.sort()', 'x.topk(2)', 'x.cumsum(0)',
            'x < x', 'x >= 1', 'x.sqrt()', 'x.exp()', 'x.relu()', 'x.sigmoid()', 'x.floor()', 'x.clamp(0, 1)',
            'x.isinf()', 'x.isfinite()', 'x.sign()', 'x.std()', 'x.norm()', 'x.softmax(0)', 'x.unique()',
            'x.nonzero()', 'x.flip(0)', 'x.view(2, 2).triu()', 'x.masked_fill(x.isnan(), 1.0)', 'x @ x',
            'torch.equal(x, x)', 'torch.allclose(x, x)', 'torch.maximum(x, x)', 'x.lerp(x, 0.5)',
            'x + torch.ones(4)', 'torch.cat([x, torch.ones(4)])', 'x.fill_(1000)', 'x.abs()', 'x.mul_(2)')


@case('torch.add', name='float8_refusals')
def refusals(torch):
    out = {}
    for n in _F8:
        d = getattr(torch, n)
        out[n] = [_try(lambda: eval(e, {'torch': torch, 'x': _x(torch, d)})) for e in _REFUSED]
    return out


check('torch.sum', _each(lambda torch, d: (_x(torch, d).sum(dtype=torch.float32), _x(torch, d).float().mean(),
                                           torch.equal(_x(torch, d), _x(torch, d).clone()),
                                           torch.equal(_x(torch, d), torch.ones(4, dtype=d)))),
      name='float8_into_float32')

# --- save / load ----------------------------------------------------------------------------------------
_WRITTEN = {}


def _sample(torch):
    out = {n: torch.tensor(_EDGES).to(getattr(torch, n)) for n in _F8}
    out['view'] = out['float8_e4m3fn'][2:9]
    out['raw'] = torch.arange(256, dtype=torch.uint8).view(torch.float8_e5m2)
    out['f32'] = torch.tensor([1.1, 2.2])
    return out


def _written_by_reference(torch, key, build):
    if torch.__name__ == 'torch' or key not in _WRITTEN:
        buf = io.BytesIO()
        torch.save(build(torch), buf)
        _WRITTEN[key] = buf.getvalue()
    return _WRITTEN[key]


@case('torch.load', name='from_torch_float8')
def load_from_torch(torch):
    d = torch.load(io.BytesIO(_written_by_reference(torch, 'f8', _sample)))
    return {k: (v.dtype, _bits(v) if v.dtype.itemsize == 1 else v, v.stride()) for k, v in d.items()}


@case('torch.save', name='same_bytes_float8')
def same_bytes(torch):
    buf = io.BytesIO()
    torch.save(_sample(torch), buf)
    z = zipfile.ZipFile(buf)
    return [(i.filename.split('/', 1)[1], z.read(i)) for i in z.infolist() if 'serialization_id' not in i.filename]


@case('torch.save', name='float8_roundtrip')
def roundtrip(torch):
    buf = io.BytesIO()
    torch.save(_sample(torch), buf)
    buf.seek(0)
    return {k: (v.dtype, _bits(v) if v.dtype.itemsize == 1 else v) for k, v in torch.load(buf).items()}


check('Tensor.untyped_storage', _each(lambda torch, d: (_x(torch, d).untyped_storage().nbytes(),
                                                        _x(torch, d).element_size(), _x(torch, d).nbytes,
                                                        _x(torch, d).type(), list(_x(torch, d).storage()))),
      name='float8')


def _scaled(torch, d, **kw):
    a = torch.tensor([[1.5, -2.0, 0.3], [0.25, 3.0, 7.0]]).to(d)
    b = torch.tensor([[1.0, 0.5], [-0.75, 2.0], [0.1, 3.5]]).to(d)
    return torch._scaled_mm(a, b, torch.tensor(3.0), torch.tensor(0.5), **kw)


check('torch._scaled_mm', _each(lambda torch, d: [_try(lambda: _bits(_scaled(torch, d))),
                                                  _try(lambda: _scaled(torch, d, out_dtype=torch.float32)),
                                                  _try(lambda: _scaled(torch, d, out_dtype=torch.bfloat16,
                                                                       bias=torch.ones(2, dtype=torch.bfloat16))),
                                                  _try(lambda: _scaled(torch, d, scale_result=torch.tensor(2.0)))]),
      name='float8')
check('torch._scaled_mm', lambda torch: [_try(f) for f in (
    lambda: torch._scaled_mm(torch.ones(2, 3), torch.ones(3, 2), torch.tensor(1.0), torch.tensor(1.0)),
    lambda: torch._scaled_mm(torch.ones(2, 3).to(torch.float8_e4m3fn), torch.ones(3, 2).to(torch.float8_e5m2),
                             torch.tensor([[2.0], [1.0]]), torch.tensor([[0.5, 4.0]]), out_dtype=torch.float32),
    lambda: torch._scaled_mm(torch.ones(2, 3).to(torch.float8_e4m3fn), torch.ones(3, 2).to(torch.float8_e4m3fn),
                             torch.tensor(1.0, dtype=torch.float64), torch.tensor(1.0)),
    lambda: torch._scaled_mm(torch.ones(1, 2, 3).to(torch.float8_e4m3fn), torch.ones(3, 2).to(torch.float8_e4m3fn),
                             torch.tensor(1.0), torch.tensor(1.0)))], name='scaling_and_errors')

# more of what torch refuses on float8 (each raises its kernel's NotImplementedError, no value computed)
_REFUSED_MORE = ('x.view(2, 2).trace()', 'x.trace()', 'x.addcdiv(x, x)', 'x.addcdiv(x, x, value=2)', 'x.logit()',
                 'x.logit(0.1)', 'x.frexp()', 'torch.polygamma(0, x)', 'torch.polygamma(1, x)', 'torch.polygamma(3, x)',
                 'x.mvlgamma(2)', 'x.mvlgamma(0)', 'F.elu(x)', 'F.selu(x)', 'F.celu(x)', 'F.elu(x, inplace=True)',
                 'F.hardshrink(x)', 'F.softshrink(x)', 'F.hardtanh(x)', 'F.relu6(x)', 'F.leaky_relu(x)', 'F.gelu(x)',
                 'F.silu(x)', 'F.mish(x)', 'F.softplus(x)', 'F.hardswish(x)', 'F.hardsigmoid(x)', 'F.logsigmoid(x)',
                 'F.glu(x)', 'F.glu(x[:3])', 'F.threshold(x, 0.5, 0.)', 'F.rrelu(x)', 'F.prelu(x, x[:1])',
                 'torch.bincount(x)', 'x.repeat_interleave(2)', 'x.cummax(0)', 'x.cummin(0)',
                 'torch.special.entr(x)', 'torch.special.erfcx(x)', 'torch.special.ndtri(x)',
                 'torch.special.log_ndtr(x)',
                 'torch.special.i0e(x)', 'torch.special.i1(x)', 'torch.special.i1e(x)', 'torch.special.bessel_j0(x)',
                 'torch.special.bessel_y1(x)', 'torch.special.modified_bessel_k0(x)', 'torch.special.airy_ai(x)',
                 'torch.special.spherical_bessel_j0(x)', 'torch.special.scaled_modified_bessel_k1(x)')


@case('torch.nn.functional.elu', name='float8_refusals')
def refusals_more(torch):
    out = {}
    for n in _F8:
        d = getattr(torch, n)
        scope = {'torch': torch, 'F': torch.nn.functional, 'x': _x(torch, d)}
        out[n] = [_try(lambda: eval(e, scope)) for e in _REFUSED_MORE]
    return out


# every bit pattern (NaNs with their payloads) cast to the wider types and back, as bit patterns: torch
# reads e5m2's NaNs as float16's (quietened), float16 quietens any NaN, bfloat16 has one NaN
def _widened(torch, d):
    x = torch.arange(256, dtype=torch.uint8).view(d)
    out = [x.float().view(torch.int32), x.double().view(torch.int64), x.half().view(torch.int16),
           x.bfloat16().view(torch.int16)]
    out += [_bits(t.to(d)) for t in (x.float(), x.double(), x.half(), x.bfloat16())]
    return out + [_bits(x * x), x.isnan()]


check('Tensor.to', _each(_widened), name='float8_nan_payloads')
check('torch.isfinite', _each(lambda torch, d: torch.arange(256, dtype=torch.uint8).view(d).isfinite()),
      name='float8_every_pattern')

# the samplers and random factories on float8 (their parameter checks first), and the one-element other
# that torch's mul/div kernels take as a scalar
_REFUSED_RANDOM = ('x.random_()', 'x.random_(5)', 'x.random_(1, 5)', 'x.random_(5, 1)', 'x.exponential_()',
                   'x.exponential_(-1)', 'x.geometric_(0.5)', 'x.geometric_(2)', 'x.cauchy_()', 'x.cauchy_(0, -1)',
                   'x.log_normal_()', 'x.log_normal_(1, -1)', 'x.bernoulli()', 'x.bernoulli(0.5)', 'x.bernoulli_(0.5)',
                   'x.bernoulli_(torch.ones(4) / 2)', 'torch.bernoulli(torch.ones(4) / 2, out=x)',
                   'torch.bernoulli(torch.ones(4) / 2, out=torch.empty(4, dtype=torch.uint16))',
                   'torch.randint_like(x, 3)', 'torch.randint_like(x, 1, 3)', 'torch.randint_like(x, 0)',
                   'x.multinomial(1)', 'x.view(2, 2).multinomial(1)', 'x.view(1, 2, 2).multinomial(1)',
                   'F.dropout(x)', 'F.dropout(x, 1.)', 'F.dropout(x, 0.)', 'F.dropout(x, training=False)',
                   'torch.logspace(0, 1, 3, dtype=x.dtype)', 'torch.logspace(0, 1, 1, dtype=x.dtype)',
                   'torch.randperm(3, dtype=x.dtype)', 'x * x[:1]', 'x * x[0]', 'x[0] * x', 'x[0] * x[0]',
                   'x / x[:1]', 'x // x[:1]', 'x + x[0]')


@case('Tensor.random_', name='float8_refusals')
def refusals_random(torch):
    out = {}
    for n in _F8:
        d = getattr(torch, n)
        out[n] = [_try(lambda: eval(e, {'torch': torch, 'F': torch.nn.functional, 'x': _x(torch, d)}))
                  for e in _REFUSED_RANDOM]
    return out

_REFUSED_LINALG = ('torch.tensordot(x, x, 1)', 'torch.tensordot(m, m, 1)', 'torch.tensordot(m, m, 2)',
                   'torch.inner(m, m)', 'torch.dot(x, x)', 'torch.vdot(x, x)', 'torch.linalg.det(m)',
                   'torch.linalg.inv(m)', 'torch.linalg.inv_ex(m)', 'torch.linalg.solve(m, m)', 'torch.linalg.qr(m)',
                   'torch.linalg.svd(m)', 'torch.linalg.svdvals(m)', 'torch.linalg.eigh(m)', 'torch.linalg.eigvalsh(m)',
                   'torch.linalg.eig(m)', 'torch.linalg.eigvals(m)', 'torch.linalg.norm(m)',
                   'torch.linalg.matrix_norm(m)',
                   'torch.linalg.vector_norm(x)', 'torch.linalg.vector_norm(x, dtype=torch.float32)',
                   'torch.linalg.pinv(m)', 'torch.linalg.lstsq(m, m)', 'torch.linalg.matrix_rank(m)',
                   'torch.linalg.slogdet(m)', 'torch.linalg.lu_factor(m)', 'torch.linalg.tensorinv(m, 1)',
                   'torch.linalg.tensorsolve(m, x[:2])', 'torch.linalg.solve_triangular(m, m, upper=True)',
                   'torch.linalg.cond(m)', 'torch.linalg.matrix_power(m, 2)', 'torch.linalg.matrix_power(m, -1)')


@case('torch.linalg.det', name='float8_refusals')
def refusals_linalg(torch):
    out = {}
    for n in _F8:
        d = getattr(torch, n)
        x = _x(torch, d)
        out[n] = [_try(lambda: eval(e, {'torch': torch, 'x': x, 'm': x.view(2, 2)})) for e in _REFUSED_LINALG]
    return out

_REFUSED_NN = ('F.max_pool1d(x3, 2)', 'F.max_pool2d(x4, 2)', 'F.max_pool3d(x4.unsqueeze(0), 1)', 'F.avg_pool1d(x3, 2)',
               'F.avg_pool2d(x4, 2)', 'F.conv1d(x3, x3)', 'F.conv2d(x4, x4)', 'F.conv1d(x3, x3, dilation=2)',
               'F.conv_transpose1d(x3, x3)', 'F.conv_transpose2d(x4, x4)')


@case('torch.nn.functional.max_pool2d', name='float8_refusals')
def refusals_nn(torch):
    out = {}
    for n in _F8:
        x = _x(torch, getattr(torch, n))
        scope = {'torch': torch, 'F': torch.nn.functional, 'x3': x.view(1, 1, 4), 'x4': x.view(1, 1, 2, 2)}
        out[n] = [_try(lambda: eval(e, scope)) for e in _REFUSED_NN]
    return out
