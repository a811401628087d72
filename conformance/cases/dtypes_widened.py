"""Complex, half and small-integer dtypes: what the op_db driver found when widened past
float32/float64/int64/bool (values, result dtypes, histories, refusals)."""
from conformance import case, check


def _z(torch, dtype='complex64'):
    return torch.tensor([[0.3 + 3.1j, -1.2 + 0.7j, 1.1 - 2.5j], [0.5 - 3.0j, 2.0 + 0.1j, -0.4 + 0.9j]],
                        dtype=getattr(torch, dtype))


check('torch.sinc', lambda torch: torch.sinc(_z(torch, 'complex128')), name='complex')
check('torch.sinc', lambda torch: torch.sinc(torch.tensor([0j, 1 + 1j, 0.5 + 0j], dtype=torch.complex64)),
      name='complex64_zero')
# the imaginary part stays in (-pi, pi]: shifted by the largest real part
check('torch.logsumexp', lambda torch: torch.logsumexp(_z(torch, 'complex128') * 3, 1), name='complex_branch')
check('torch.logsumexp', lambda torch: torch.logsumexp(torch.tensor([2 + 30.1j], dtype=torch.complex128), 0),
      name='complex_single')
check('Tensor.abs_', lambda torch: _z(torch).abs_(), name='complex_refused')
check('Tensor.absolute_', lambda torch: _z(torch).absolute_(), name='complex_refused')
check('Tensor.float_power_', lambda torch: _z(torch).float_power_(2), name='complex64_refused')
check('Tensor.float_power_', lambda torch: torch.ones(2, dtype=torch.float64).float_power_(torch.tensor(2j)),
      name='complex_exponent_refused')
check('Tensor.float_power_', lambda torch: torch.ones(2).float_power_(2j), name='complex_scalar_refused')
check('torch.nn.functional.silu', lambda torch: torch.nn.functional.silu(_z(torch)), name='complex')
check('torch.nn.functional.silu', lambda torch: torch.nn.functional.silu(_z(torch).requires_grad_()),
      name='complex_autograd_refused')
check('torch.nn.functional.softmin',
      lambda torch: torch.nn.functional.softmin(torch.tensor([[1, 3, 250], [0, 7, 9]], dtype=torch.uint8), 1,
                                                dtype=torch.float64), name='uint8_wraps')
check('torch.linalg.lstsq', lambda torch: torch.linalg.lstsq(_z(torch).T, _z(torch).T[:, :1]), name='complex_dtypes')


@case('torch.real', name='complex_history')
def _real_history(torch):
    x = _z(torch).requires_grad_()
    r, i = x.real, torch.imag(x)
    (r * 2 + i * 3).sum().backward()
    return r.grad_fn.name(), r.grad_fn.next_functions[0][0].name(), i.grad_fn.name(), r._base is x, x.grad


@case('torch.ldexp', name='complex_grad')
def _ldexp_grad(torch):
    x = _z(torch, 'complex128').requires_grad_()
    e = (_z(torch, 'complex128') * 0.3).requires_grad_()
    y = torch.ldexp(x, e)
    y.backward(torch.full_like(y, 0.3 + 0.7j))
    return y, x.grad, e.grad


@case('torch.corrcoef', name='complex_history')
def _corrcoef_history(torch):
    x = torch.tensor([[1 + 2j, 0.5 - 1j, 2 + 0j, -1 + 1j], [0.3 + 0.1j, 2 - 1j, 1 + 1j, 0j]],
                     requires_grad=True)
    c = torch.corrcoef(x)
    c.real.sum().backward()
    return c, c.grad_fn.name(), x.grad


@case('torch.nn.functional.conv2d', name='complex_gauss')
def _conv2d_complex(torch):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 2, 5, 5, dtype=torch.complex64, generator=g, requires_grad=True)
    w = torch.randn(3, 2, 3, 3, dtype=torch.complex64, generator=g, requires_grad=True)
    b = torch.randn(3, dtype=torch.complex64, generator=g, requires_grad=True)
    y = torch.nn.functional.conv2d(x, w, b, padding=1)
    y.abs().sum().backward()
    u = torch.nn.functional.conv2d(x[0], w)
    return y, y.grad_fn.name(), u.grad_fn.name(), x.grad, w.grad, b.grad


@case('torch.nn.functional.conv_transpose1d', name='complex_gauss')
def _conv_transpose1d_complex(torch):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 2, 6, dtype=torch.complex128, generator=g, requires_grad=True)
    w = torch.randn(2, 3, 3, dtype=torch.complex128, generator=g, requires_grad=True)
    y = torch.nn.functional.conv_transpose1d(x, w, stride=2)
    y.abs().sum().backward()
    return y, y.grad_fn.name(), x.grad, w.grad


@case('torch.nn.functional.pairwise_distance', name='complex_history')
def _pairwise_complex(torch):
    x = _z(torch).requires_grad_()
    d = torch.nn.functional.pairwise_distance(x, _z(torch) * 0.5)
    return d, d.grad_fn.name()


@case('torch.nn.functional.pairwise_distance')
def float16_no_overflow(torch):
    g = torch.Generator().manual_seed(0)
    x = (torch.randn(3, 10, generator=g) * 100).half()
    y = (torch.randn(3, 10, generator=g) * 100).half()
    return torch.nn.functional.pairwise_distance(x, y), torch.nn.functional.pairwise_distance(x, y, p=3)


@case('torch.svd_lowrank', name='complex')
def _svd_lowrank_complex(torch):
    g = torch.Generator().manual_seed(0)
    a = torch.randn(6, 5, dtype=torch.complex128, generator=g)
    U, S, V = torch.svd_lowrank(a, q=3)
    return S, U.dtype, V.dtype


@case('torch.sum')
def float16_accumulates_in_float(torch):
    x = torch.full((3000,), 0.1, dtype=torch.float16)
    return x.sum(), x.view(30, 100).sum(1), x.view(30, 100).sum_to_size(1, 100)


@case('torch.addmm')
def float16_rounds_once(torch):
    g = torch.Generator().manual_seed(0)
    a, b, c = (torch.randn(*s, generator=g).half() for s in ((4, 6), (6, 5), (4, 5)))
    return torch.addmm(c, a, b, beta=0.7, alpha=1.3), torch.baddbmm(c[None], a[None], b[None])


@case('torch.nn.functional.rms_norm')
def half_in_float(torch):
    g = torch.Generator().manual_seed(0)
    out = []
    for dt in (torch.float16, torch.bfloat16):
        x = torch.randn(4, 7, generator=g).to(dt).requires_grad_()
        w = torch.randn(7, generator=g).to(dt).requires_grad_()
        y = torch.nn.functional.rms_norm(x, (7,), w)
        y.backward(torch.ones_like(y))
        out += [y, y.grad_fn.name(), x.grad, w.grad, torch.nn.functional.rms_norm(x.detach(), (7,))]
    return out


@case('torch.addcmul', name='float16_rounds_once')
def _addc_float16(torch):
    g = torch.Generator().manual_seed(0)
    a, b, c = (torch.randn(20, 20, generator=g).half() for _ in range(3))
    w = torch.rand(20, 20, generator=g).half()
    return (torch.addcmul(a, b, c, value=0.3), torch.addcmul(a, b, c), torch.addcdiv(a, b, c, value=0.3),
            torch.lerp(a, b, 0.3), torch.lerp(a, b, 0.7), torch.lerp(a, b, w))


@case('torch.nn.functional.avg_pool2d', name='float16_rounds_once')
def _pool_float16(torch):
    g = torch.Generator().manual_seed(0)
    x = (torch.randn(2, 3, 17, 19, generator=g) * 3).half()
    F = torch.nn.functional
    return (F.avg_pool2d(x, 3, 2, 1), F.avg_pool2d(x, 4, 1, count_include_pad=False), F.avg_pool1d(x[0], 5, 2),
            F.adaptive_avg_pool2d(x, (5, 7)), F.adaptive_avg_pool1d(x[0], 6))


@case('torch.real', name='empty_grad')
def _real_empty(torch):
    x = torch.zeros(1, 0, 3, dtype=torch.complex64, requires_grad=True)
    (torch.real(x).sum() + torch.imag(x).sum()).backward()
    return x.grad, torch.view_as_complex(torch.zeros(1, 0, 2))


check('torch.logsumexp', lambda torch: torch.logsumexp(torch.tensor(8.46 + 3.74j, dtype=torch.complex128), 0),
      name='complex_0d')
check('torch.sinc', lambda torch: torch.sinc(torch.tensor([3e4 + 1.5j, -7e3 + 2j], dtype=torch.complex64)),
      name='complex64_large')


@case('torch.nn.functional.gelu', name='float16_rounds_once')
def _act_float16(torch):
    g = torch.Generator().manual_seed(0)
    x = (torch.randn(40, 30, generator=g) * 3).half()
    w, b = torch.randn(20, 30, generator=g).half(), torch.randn(20, generator=g).half()
    F = torch.nn.functional
    return (F.silu(x), F.mish(x), F.softplus(x), F.logsigmoid(x), F.hardswish(x), F.selu(x),
            F.linear(x, w, b), F.linear(x.view(4, 10, 30), w, b))
