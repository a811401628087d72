"""Gradients through complex inputs: torch's convention is grad_input = grad_output * conj(f'(z)) for
holomorphic f (and its own formulas for the non-holomorphic ones: abs, sgn, angle, real, imag)."""
from conformance import case

_UNARY = ('exp', 'exp2', 'expm1', 'log', 'log2', 'log10', 'log1p', 'sqrt', 'rsqrt', 'reciprocal', 'square',
          'sin', 'cos', 'tan', 'sinh', 'cosh', 'tanh', 'asin', 'acos', 'atan', 'asinh', 'acosh', 'atanh',
          'sigmoid', 'sinc', 'neg', 'abs', 'sgn', 'angle')


def _z(torch):
    return torch.tensor([0.3 + 0.4j, -0.2 + 0.7j, 1.1 - 0.5j, 0j], dtype=torch.complex128)


def _unary(name):
    def f(torch):
        x = _z(torch)[:3].clone().requires_grad_()     # 0 is a singular point for most of these
        y = getattr(torch, name)(x)
        w = torch.tensor([1 + 2j, 0.5 - 1j, -0.3 + 0.2j], dtype=torch.complex128)
        ((y * w).real.sum() if y.is_complex() else (y * w.real).sum()).backward()
        return x.grad
    return f


for _name in _UNARY:
    case(f'torch.{_name}', name='complex_grad')(_unary(_name))


@case('torch.sgn')
def complex_grad_at_zero(torch):
    x = _z(torch).requires_grad_()
    (torch.sgn(x) * torch.tensor([1 + 2j, 1j, 2, 1 - 1j], dtype=torch.complex128)).real.sum().backward()
    return x.grad


def _pair(torch, n=4):
    a = torch.tensor([0.3 + 0.4j, -0.2 + 0.7j, 1.1 - 0.5j, 0.6 + 0.1j][:n], dtype=torch.complex128)
    b = torch.tensor([0.5 - 0.2j, 0.9 + 0.3j, -0.4 + 0.8j, 0.2 - 0.6j][:n], dtype=torch.complex128)
    return a.requires_grad_(), b.requires_grad_()


def _binary(fn):
    """Backward of Re(sum(fn(a, b) * w)) with complex a, b: both gradients."""
    def f(torch):
        a, b = _pair(torch)
        y = fn(torch, a, b)
        w = torch.arange(1, y.numel() + 1, dtype=torch.float64).reshape(y.shape) * (1 - 0.5j)
        (y * w).real.sum().backward()
        return a.grad, b.grad
    return f


def _m(t):
    return t.reshape(2, 2)


# products: torch takes conjugate transposes of the other factor (g @ b^H, a^H @ g)
_BINARY = {
    'torch.matmul': lambda torch, a, b: _m(a) @ _m(b),
    'torch.mm': lambda torch, a, b: torch.mm(_m(a), _m(b)),
    'torch.bmm': lambda torch, a, b: torch.bmm(a.reshape(1, 2, 2), b.reshape(1, 2, 2)),
    'torch.mv': lambda torch, a, b: torch.mv(_m(a), b[:2]),
    'torch.dot': lambda torch, a, b: torch.dot(a, b),
    'torch.addmm': lambda torch, a, b: torch.addmm(_m(a), _m(a), _m(b), beta=0.5 + 1j, alpha=2 - 1j),
    'torch.addmv': lambda torch, a, b: torch.addmv(b[:2], _m(a), b[2:], alpha=1j),
    'torch.addr': lambda torch, a, b: torch.addr(_m(a), a[:2], b[2:]),
    'torch.baddbmm': lambda torch, a, b: torch.baddbmm(a.reshape(1, 2, 2), a.reshape(1, 2, 2), b.reshape(1, 2, 2)),
    'torch.einsum': lambda torch, a, b: torch.einsum('ij,jk->ik', _m(a), _m(b)),
    'torch.tensordot': lambda torch, a, b: torch.tensordot(_m(a), _m(b), 1),
}

for _api, _fn in _BINARY.items():
    case(_api, name='complex_grad')(_binary(_fn))


def _unary_of(fn, real=False):
    """Backward of Re(sum(fn(x) * w)) for complex x (or float64 x where real)."""
    def f(torch):
        if real:
            x = torch.tensor([0.5, 1.5, 2.0, 0.7], dtype=torch.float64).requires_grad_()
        else:
            x, _ = _pair(torch)
        y = fn(torch, x)
        w = torch.arange(1, y.numel() + 1, dtype=torch.float64).reshape(y.shape) * (1 - 0.5j)
        (y * w).real.sum().backward()
        return x.grad
    return f


# pow: grad * conj(y * x ** (y - 1)) and grad * conj(x ** y * log(x))
case('torch.pow', name='complex_grad_tensor_exponent')(_binary(lambda torch, a, b: a ** b))
case('Tensor.pow_', name='complex_grad')(_binary(lambda torch, a, b: (a * 1).pow_(b)))
case('torch.float_power', name='complex_grad')(_binary(lambda torch, a, b: torch.float_power(a, b)))
case('torch.pow', name='complex_grad_scalar_exponent')(_unary_of(lambda torch, x: x ** 2.5))
case('torch.pow', name='complex_grad_complex_exponent')(_unary_of(lambda torch, x: x ** (1.5 - 0.5j)))
case('torch.pow', name='complex_grad_real_base')(_unary_of(lambda torch, x: x ** (1.5 - 0.5j), real=True))
case('torch.pow', name='complex_grad_scalar_base')(_unary_of(lambda torch, x: (1 + 1j) ** x))


def _with_zero(torch, x):
    return torch.cat([x[:2], torch.zeros(1, dtype=x.dtype), x[2:]])


# reductions and scans of products: grad * conj(derivative), with and without zeros in the input
_UNARY_OF = {
    ('torch.prod', 'complex_grad'): lambda torch, x: x.prod(),
    ('torch.prod', 'complex_grad_dim'): lambda torch, x: x.reshape(2, 2).prod(1),
    ('torch.prod', 'complex_grad_zero'): lambda torch, x: _with_zero(torch, x).reshape(1, 5).prod(1),
    ('torch.cumprod', 'complex_grad'): lambda torch, x: x.cumprod(0),
    ('torch.cumprod', 'complex_grad_zero'): lambda torch, x: _with_zero(torch, x).cumprod(0),
    ('torch.logsumexp', 'complex_grad'): lambda torch, x: torch.logsumexp(x.reshape(2, 2), 1),
}
for (_api, _name), _fn in _UNARY_OF.items():
    case(_api, name=_name)(_unary_of(_fn))


# pointwise ternaries: each partial derivative conjugated, a complex scalar factor too
_BINARY_TERNARY = {
    ('torch.addcmul', 'complex_grad'): lambda torch, a, b: torch.addcmul(a, a, b, value=0.5),
    ('torch.addcmul', 'complex_grad_complex_value'): lambda torch, a, b: torch.addcmul(a.flip(0), a, b, value=0.5 - 1j),
    ('torch.addcdiv', 'complex_grad'): lambda torch, a, b: torch.addcdiv(a, a, b, value=0.5 - 1j),
    ('torch.lerp', 'complex_grad_tensor_weight'): lambda torch, a, b: torch.lerp(a, b, b),
    ('torch.lerp', 'complex_grad_complex_weight'): lambda torch, a, b: torch.lerp(a, b, 0.3 + 0.2j),
}
for (_api, _name), _fn in _BINARY_TERNARY.items():
    case(_api, name=_name)(_binary(_fn))


def _part(name):
    def f(torch):
        x, _ = _pair(torch)
        (getattr(x, name) * torch.tensor([1.0, -2.0, 0.5, -0.0], dtype=torch.float64)).sum().backward()
        return x.grad      # the other part of the gradient is +0 even where grad is negative
    return f


case('torch.real', name='complex_grad')(_part('real'))
case('torch.imag', name='complex_grad')(_part('imag'))


def _six(torch):
    a = torch.tensor([0.3 + 0.4j, -0.2 + 0.7j, 1.1 - 0.5j, 0.6 + 0.1j, 0.2 - 0.3j, -0.5 + 0.1j], dtype=torch.complex128)
    return a.requires_grad_()


def _of_six(fn):
    def f(torch):
        x = _six(torch)
        y = fn(torch, x)
        w = torch.arange(1, y.numel() + 1, dtype=torch.float64).reshape(y.shape) * (1 - 0.5j)
        (y * w).real.sum().backward()
        return x.grad
    return f


# decompositions: the gauge and the phase of complex factors
_SIX = {
    ('torch.linalg.qr', 'complex_grad'): lambda torch, x: torch.linalg.qr(x.reshape(3, 2))[1],
    ('torch.linalg.qr', 'complex_grad_q_and_r'):
        lambda torch, x: (lambda q, r: q.sum() * r)(*torch.linalg.qr(x.reshape(3, 2))),
    ('torch.linalg.qr', 'complex_grad_wide'):
        lambda torch, x: (lambda q, r: q.sum() * r)(*torch.linalg.qr(x.reshape(2, 3))),
    ('torch.linalg.slogdet', 'complex_grad_sign'): lambda torch, x: torch.linalg.slogdet(x[:4].reshape(2, 2))[0],
    ('torch.linalg.slogdet', 'complex_grad_both'):
        lambda torch, x: (lambda s, l: s * l)(*torch.linalg.slogdet(x[:4].reshape(2, 2))),
    ('torch.logdet', 'complex_grad'): lambda torch, x: torch.logdet(x[:4].reshape(2, 2)),
}
for (_api, _name), _fn in _SIX.items():
    case(_api, name=_name)(_of_six(_fn))
case('torch.linalg.cross', name='complex_grad')(_binary(lambda torch, a, b: torch.linalg.cross(a[:3], b[1:])))
case('torch.nn.functional.linear', name='complex_grad')(
    _binary(lambda torch, a, b: torch.nn.functional.linear(_m(a), _m(b), b[:2])))
case('torch.nn.functional.linear', name='complex_grad_batched')(
    _binary(lambda torch, a, b: torch.nn.functional.linear(a.reshape(2, 1, 2), _m(b))))
case('torch.std_mean', name='complex_grad')(_of_six(lambda torch, x: (lambda s, m: s * m)(*torch.std_mean(x))))
case('torch.var_mean', name='complex_grad')(
    _of_six(lambda torch, x: (lambda v, m: v * m)(*torch.var_mean(x.reshape(2, 3), 1))))
case('torch.nn.functional.pairwise_distance', name='complex_grad')(
    _binary(lambda torch, a, b: torch.nn.functional.pairwise_distance(_m(a), _m(b)).to(torch.complex128)))
case('torch.nn.functional.normalize', name='complex_grad')(_of_six(
    lambda torch, x: torch.nn.functional.normalize(x.reshape(2, 3))))
case('torch.nn.functional.cosine_similarity', name='complex_rejected')(
    lambda torch: torch.nn.functional.cosine_similarity(*_pair(torch)))


def _conv(name, xs, ws, **kw):
    def fn(torch, a, b):
        f = getattr(torch.nn.functional, name)
        return f(torch.cat([a, b.flip(0)])[:_numel(xs)].reshape(xs), b[:_numel(ws)].reshape(ws), **kw)
    return _binary(fn)


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


# convolutions: conjugated weights for the input gradient, conjugated inputs for the weight gradient
case('torch.nn.functional.conv1d', name='complex_grad')(_conv('conv1d', (1, 1, 6), (1, 1, 3), padding=1))
case('torch.nn.functional.conv1d', name='complex_grad_strided')(
    _conv('conv1d', (1, 2, 3), (2, 1, 2), stride=2, groups=2))
case('torch.nn.functional.conv2d', name='complex_grad')(_conv('conv2d', (1, 1, 2, 3), (1, 1, 2, 2)))
case('torch.nn.functional.conv_transpose1d', name='complex_grad')(_conv('conv_transpose1d', (1, 1, 6), (1, 1, 3)))
case('torch.nn.functional.conv_transpose2d', name='complex_grad')(
    _conv('conv_transpose2d', (1, 1, 2, 3), (1, 1, 2, 2), stride=2))


@case('torch.nn.functional.conv1d', name='complex_double_grad')
def _conv_double(torch):
    a, b = _pair(torch)
    x = torch.cat([a, b]).reshape(1, 1, 8)
    out = torch.nn.functional.conv1d(x, b[:3].reshape(1, 1, 3))
    gx, = torch.autograd.grad((out.abs() ** 2).sum(), a, create_graph=True)
    (gx * b).real.sum().backward()
    return a.grad, b.grad


def _svd_loss(u, s, vh):
    return (u * s.to(u.dtype)) @ vh * (1 + 2j) + (u @ u.mH).sum() * s


case('torch.linalg.svd', name='complex_grad_tall')(_of_six(
    lambda torch, x: _svd_loss(*torch.linalg.svd(x.reshape(3, 2), full_matrices=False))))
case('torch.linalg.svd', name='complex_grad_wide')(_of_six(
    lambda torch, x: _svd_loss(*torch.linalg.svd(x.reshape(2, 3), full_matrices=False))))
case('torch.linalg.svd', name='complex_grad_phase_dependent')(_of_six(     # torch refuses an ill-defined loss
    lambda torch, x: torch.linalg.svd(x[:4].reshape(2, 2))[0].real))
case('torch.linalg.pinv', name='complex_grad')(_of_six(lambda torch, x: torch.linalg.pinv(x.reshape(3, 2))))
case('torch.nansum', name='complex_rejected')(lambda torch: torch.nansum(_pair(torch)[0].cpu()))     # CPU's error
case('torch.nanmean', name='complex_rejected')(lambda torch: torch.nanmean(_pair(torch)[0].cpu()))
case('torch.add', name='complex_grad_complex_alpha')(_binary(lambda torch, a, b: torch.add(a, b, alpha=2 - 1j)))
case('torch.sub', name='complex_grad_complex_alpha')(_binary(lambda torch, a, b: torch.sub(a, b, alpha=1j)))
