"""Elementwise ops: values, dtype promotion, derivatives (grad_fn names), integer/bool rules, errors."""
from conformance import case, check


def _x(torch, *vals, dtype=None, grad=False):
    return torch.tensor(list(vals) if vals else [0.5, -1.5, 2.0], dtype=dtype, requires_grad=grad)


def _grad(torch, fn, *vals):
    x = torch.tensor(list(vals) if vals else [0.3, 0.7, 1.9], requires_grad=True)
    y = fn(x)
    y.sum().backward()
    return y, x.grad, y.grad_fn.name()


# unary math with derivative, float and int inputs
_UNARY = ['abs', 'neg', 'exp', 'exp2', 'expm1', 'log', 'log2', 'log10', 'log1p', 'sqrt', 'rsqrt', 'sin',
          'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'atanh', 'sigmoid',
          'reciprocal', 'erf', 'erfc', 'erfinv', 'lgamma', 'digamma', 'i0', 'sinc', 'deg2rad', 'rad2deg',
          'square', 'frac', 'trunc', 'floor', 'ceil', 'round', 'sign', 'sgn', 'relu', 'logit',
          'nan_to_num', 'fix', 'negative', 'absolute', 'arcsin', 'arctan', 'positive']
for _n in _UNARY:
    check(f'torch.{_n}', lambda torch, n=_n: _grad(torch, getattr(torch, n)), name='grad')
    check(f'torch.{_n}', lambda torch, n=_n: getattr(torch, n)(torch.tensor([1, 2, 3])), name='int')
check('torch.acosh', lambda torch: _grad(torch, torch.acosh, 1.5, 2.0, 3.0), name='grad')
check('torch.abs', lambda torch: torch.abs(torch.tensor([True, False])), name='bool')
check('torch.neg', lambda torch: -torch.tensor([True]), name='bool')
check('torch.trunc', lambda torch: torch.trunc(torch.tensor([True])), name='bool')
check('torch.frac', lambda torch: torch.frac(torch.tensor([1, 2])), name='int_rejected')
check('torch.square', lambda torch: torch.square(torch.tensor([True, False])), name='bool')
check('torch.sign', lambda torch: torch.sign(torch.tensor([True, False])), name='bool')
check('torch.exp', lambda torch: torch.exp(torch.tensor([True, False])), name='bool')
check('torch.exp', lambda torch: torch.exp(torch.tensor([1., 2.], dtype=torch.float64)), name='float64')
check('torch.exp', lambda torch: torch.exp([1., 2.]), name='not_tensor')
check('Tensor.exp_', lambda torch: torch.tensor([1, 2]).exp_(), name='int_inplace')
check('Tensor.sqrt_', lambda torch: torch.tensor([4., 9.]).sqrt_())
check('Tensor.abs_', lambda torch: torch.tensor([-4., 9.]).abs_())
check('Tensor.neg_', lambda torch: torch.tensor([-4., 9.]).neg_())
check('Tensor.clamp_', lambda torch: torch.tensor([-4., 0.5, 9.]).clamp_(0, 1))
check('Tensor.clamp_', lambda torch: torch.tensor([-4., 0.5, 9.]).clamp_(min=0))
check('torch.sqrt', lambda torch: torch.sqrt(torch.tensor([-1., 0., 4.])), name='nan')
check('torch.log', lambda torch: torch.log(torch.tensor([0., -1., 1.])), name='inf_nan')
check('torch.erf', lambda torch: torch.erf(torch.linspace(-6, 6, 101, dtype=torch.float64)), name='range64')
check('torch.erfinv', lambda torch: torch.erfinv(torch.tensor([-1., -0.999, 0., 0.5, 0.999999, 1., 1.5])),
      name='edges')
check('torch.lgamma', lambda torch: torch.lgamma(torch.tensor([-2.5, -1., 0., 0.5, 1., 2., 10., 100., 1e10])),
      name='edges')
check('torch.digamma', lambda torch: torch.digamma(torch.tensor([-2.5, -1., 0., -0., 0.5, 1., 10., 1e5])),
      name='edges')
check('torch.polygamma', lambda torch: [torch.polygamma(n, torch.tensor([0.5, 1., 3.7, -1.5]))
                                        for n in range(4)])
check('torch.polygamma', lambda torch: _grad(torch, lambda x: torch.polygamma(1, x)), name='grad')
check('Tensor.polygamma', lambda torch: torch.tensor([0.5, 2.]).polygamma(2))
check('torch.mvlgamma', lambda torch: _grad(torch, lambda x: torch.mvlgamma(x + 2, 3)))
check('torch.mvlgamma', lambda torch: torch.mvlgamma(torch.tensor([0.4]), 2), name='domain')
check('torch.round', lambda torch: torch.round(torch.tensor([0.5, 1.5, 2.5, -0.5, 1.2345]), decimals=2),
      name='decimals')
check('torch.round', lambda torch: torch.round(torch.tensor([1234.5, 15.]), decimals=-1), name='neg_decimals')
check('torch.round', lambda torch: _grad(torch, lambda x: torch.round(x, decimals=1)), name='decimals_grad')
check('torch.round', lambda torch: torch.round(torch.tensor([1, 2]), decimals=1), name='int_decimals')
check('torch.nan_to_num', lambda torch: torch.nan_to_num(torch.tensor([float('nan'), float('inf'),
                                                                       -float('inf'), 1.])), name='defaults')
check('torch.nan_to_num', lambda torch: torch.nan_to_num(torch.tensor([float('nan'), float('inf'), 1.]),
                                                         nan=2., posinf=9.), name='values')
check('torch.logit', lambda torch: _grad(torch, lambda x: torch.logit(x, eps=0.35)), name='eps')
for _n in ('isnan', 'isinf', 'isfinite', 'isposinf', 'isneginf', 'signbit', 'isreal'):
    check(f'torch.{_n}', lambda torch, n=_n: getattr(torch, n)(
        torch.tensor([1., float('nan'), float('inf'), -float('inf'), -0.])))
    check(f'torch.{_n}', lambda torch, n=_n: getattr(torch, n)(torch.tensor([1, -2])), name='int')
check('torch.logical_not', lambda torch: torch.logical_not(torch.tensor([0., 1.5, -1.])))
check('torch.bitwise_not', lambda torch: torch.bitwise_not(torch.tensor([0, 5, -1])))
check('torch.bitwise_not', lambda torch: torch.bitwise_not(torch.tensor([0.5])), name='float')
check('Tensor.__invert__', lambda torch: ~torch.tensor([True, False]))

# binary ops: promotion, broadcasting, both derivative sides
_BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'atan2', 'hypot', 'fmod', 'remainder', 'maximum', 'minimum',
           'fmax', 'fmin', 'copysign', 'xlogy', 'logaddexp', 'logaddexp2', 'float_power', 'true_divide',
           'floor_divide', 'nextafter', 'ldexp']


@case('torch.add', name='binary_grads')
def binary_grads(torch):
    out = []
    for n in _BINARY:
        a = torch.tensor([[0.5, 1.5, 2.0]], requires_grad=True)
        b = torch.tensor([[1.2], [0.7]], requires_grad=True)
        try:
            y = getattr(torch, n)(a, b)
            if y.requires_grad:
                y.sum().backward()
            out.append((n, y, a.grad, b.grad, y.grad_fn.name() if y.grad_fn else None))
        except Exception as e:
            out.append((n, type(e).__name__, str(e)))
    return out


@case('torch.add', name='binary_int_bool')
def binary_int_bool(torch):
    out = []
    i, j = torch.tensor([7, -3, 4]), torch.tensor([2, 2, -3])
    b = torch.tensor([True, False, True])
    for n in _BINARY + ['bitwise_and', 'bitwise_or', 'bitwise_xor', 'gcd', 'lcm', 'bitwise_left_shift',
                        'bitwise_right_shift', 'logical_and', 'logical_or', 'logical_xor', 'eq', 'ne', 'lt',
                        'le', 'gt', 'ge', 'heaviside']:
        for x, y in ((i, j), (b, b), (i, 2.5), (b, 2)):
            try:
                r = getattr(torch, n)(x, y)
                out.append((n, r))
            except Exception as e:
                out.append((n, type(e).__name__, str(e)))
    return out


@case('torch.mul', name='scalar_grad_names')
def scalar_grad_names(torch):
    out = []
    for n in ('add', 'sub', 'mul', 'div', 'pow', 'fmod', 'remainder', 'copysign', 'xlogy', 'float_power'):
        a = torch.tensor([0.5, 1.5, 2.0], requires_grad=True)
        y = getattr(torch, n)(a, 2)
        y.sum().backward()
        out.append((n, y, a.grad, y.grad_fn.name()))
    return out


check('Tensor.__rsub__', lambda torch: _grad(torch, lambda x: 2 - x))
check('Tensor.__rpow__', lambda torch: _grad(torch, lambda x: 2 ** x))
check('Tensor.__rtruediv__', lambda torch: _grad(torch, lambda x: 2 / x))
check('Tensor.__rpow__', lambda torch: 2 ** torch.tensor([-1, 0, 3]), name='int_negative')
check('Tensor.__pow__', lambda torch: torch.tensor([2, 3]) ** -1, name='int_negative_scalar')
check('torch.rsub', lambda torch: torch.rsub(torch.tensor([1., 2.], requires_grad=True), torch.tensor([3., 5.]),
                                             alpha=2).grad_fn.name())
check('torch.div', lambda torch: torch.div(torch.tensor([7, -7, 7.5]), 2, rounding_mode='floor'), name='floor')
check('torch.div', lambda torch: torch.div(torch.tensor([7, -7, 7.5]), 2, rounding_mode='trunc'), name='trunc')
check('torch.div', lambda torch: torch.div(torch.tensor([7, -7]), torch.tensor([2, 2])), name='int_true')
check('torch.div', lambda torch: torch.div(torch.tensor([7.]), 2, rounding_mode='round'), name='bad_mode')
check('Tensor.div_', lambda torch: torch.tensor([7, -7]).div_(2), name='int_inplace')
check('Tensor.add_', lambda torch: torch.ones(2, 1).add_(torch.ones(2, 2)), name='broadcast_inplace')
check('torch.add', lambda torch: torch.add(torch.ones(3), torch.ones(2)), name='shape_mismatch')
check('torch.add', lambda torch: torch.add(torch.ones(3), torch.ones(3), alpha=2), name='alpha')
check('torch.sub', lambda torch: torch.tensor([True]) - torch.tensor([False]), name='bool')
check('torch.pow', lambda torch: torch.pow(torch.tensor([1, 2]), -1), name='int_negative')
check('torch.pow', lambda torch: _grad(torch, lambda x: torch.pow(x, x)), name='tensor_exponent')
check('torch.pow', lambda torch: _grad(torch, lambda x: torch.pow(2., x)), name='scalar_base')
check('torch.float_power', lambda torch: torch.float_power(torch.tensor([2, 3]), 2))
check('Tensor.float_power_', lambda torch: torch.tensor([2., 3.]).float_power_(2))
check('torch.atan2', lambda torch: torch.atan2(torch.tensor([1., -1.]), 2.), name='scalar_other')
check('torch.ldexp', lambda torch: torch.ldexp(torch.tensor([1., 3.]), torch.tensor([2, -1])))
check('torch.maximum', lambda torch: _grad(torch, lambda x: torch.maximum(x, torch.tensor([0.3, 1., 1.]))),
      name='ties')
check('torch.fmax', lambda torch: torch.fmax(torch.tensor([1., float('nan'), 2.]),
                                             torch.tensor([float('nan'), 0., 3.])))
check('torch.remainder', lambda torch: torch.remainder(torch.tensor([-3., 3., -3]), torch.tensor([2., -2., 2])))
check('torch.fmod', lambda torch: torch.fmod(torch.tensor([-3., 3., -3]), torch.tensor([2., -2., 2])))
check('torch.floor_divide', lambda torch: torch.floor_divide(torch.tensor([-7, 7]), 2))
check('Tensor.__floordiv__', lambda torch: torch.tensor([-7., 7.]) // 2)
check('Tensor.__mod__', lambda torch: torch.tensor([-7, 7]) % 3)
check('torch.heaviside', lambda torch: torch.heaviside(torch.tensor([-1., 0., 2.]), torch.tensor([0.5])))

# ternary
check('torch.lerp', lambda torch: _grad(torch, lambda x: torch.lerp(x, torch.tensor([1., 2., 3.]), 0.25)))
check('torch.lerp', lambda torch: _grad(torch, lambda x: torch.lerp(x, x * 3, x)), name='tensor_weight')
check('torch.lerp', lambda torch: torch.lerp(torch.tensor([1, 2]), torch.tensor([3, 4]), 0.5), name='int')
check('Tensor.lerp_', lambda torch: torch.zeros(3).lerp_(torch.ones(3), 0.3))
check('torch.addcmul', lambda torch: _grad(torch, lambda x: torch.addcmul(x, x, x * 2, value=0.5)))
check('torch.addcdiv', lambda torch: _grad(torch, lambda x: torch.addcdiv(x, x, x + 1, value=-2)))
check('torch.addcdiv', lambda torch: torch.addcdiv(torch.tensor([1]), torch.tensor([1]), torch.tensor([2])),
      name='int_error')
check('Tensor.addcmul_', lambda torch: torch.ones(3).addcmul_(torch.ones(3), torch.full((3,), 2.), value=3))
check('Tensor.addcdiv_', lambda torch: torch.ones(3).addcdiv_(torch.ones(3), torch.full((3,), 2.), value=3))

# clamp
check('torch.clamp', lambda torch: _grad(torch, lambda x: torch.clamp(x, 0.5, 1.0)))
check('torch.clamp', lambda torch: _grad(torch, lambda x: torch.clamp(x, min=torch.tensor([0.5, 0.8, 0.1]))),
      name='tensor_min')
check('torch.clamp', lambda torch: torch.clamp(torch.tensor([1, 5, 9]), 2.5, 7), name='int_float_bounds')
check('torch.clamp', lambda torch: torch.clamp(torch.tensor([1., 2.])), name='no_bounds')
check('torch.clamp', lambda torch: torch.clamp(torch.tensor([1., float('nan'), 3.]), 0, 2), name='nan')
check('torch.clamp', lambda torch: torch.clamp(torch.tensor([1., 2., 3.]), 2.5, 1.5), name='min_gt_max')
check('torch.clip', lambda torch: torch.clip(torch.tensor([-1., 2.]), -0.5, 0.5))
check('torch.clamp_min', lambda torch: _grad(torch, lambda x: torch.clamp_min(x, 0.5)))
check('torch.clamp_max', lambda torch: _grad(torch, lambda x: torch.clamp_max(x, torch.tensor(0.5))))

# closeness
check('torch.isclose', lambda torch: torch.isclose(torch.tensor([1., 1.00001, float('nan'), float('inf')]),
                                                   torch.tensor([1., 1., float('nan'), float('inf')])))
check('torch.isclose', lambda torch: torch.isclose(torch.tensor([1., float('nan')]), torch.tensor([1.1, float('nan')]),
                                                   rtol=0.2, equal_nan=True), name='kwargs')
check('torch.isclose', lambda torch: torch.isclose(torch.tensor([1, 2]), torch.tensor([1, 3])), name='int')
check('torch.allclose', lambda torch: (torch.allclose(torch.ones(3), torch.ones(3) + 1e-9),
                                       torch.allclose(torch.ones(3), torch.zeros(3)),
                                       torch.allclose(torch.ones(3), torch.ones(3) * 1.1, atol=0.2)))
check('torch.equal', lambda torch: (torch.equal(torch.ones(2), torch.ones(2)), torch.equal(torch.ones(2), torch.ones(3)),
                                    torch.equal(torch.tensor([1, 2]), torch.tensor([1, 3]))))
check('Tensor.equal', lambda torch: torch.tensor([1., 2.]).equal(torch.tensor([1., 2.])))


@case('torch.sigmoid', name='double_backward')
def double_backward(torch):
    out = []
    for n in ('sigmoid', 'tanh', 'exp', 'log', 'sin', 'erf', 'lgamma', 'atan', 'sqrt', 'reciprocal'):
        x = torch.tensor([0.3, 0.8], requires_grad=True)
        g, = torch.autograd.grad(getattr(torch, n)(x).sum(), x, create_graph=True)
        gg, = torch.autograd.grad(g.sum(), x)
        out.append((n, g.detach(), gg))
    return out
check('torch.frexp', lambda torch: _grad(torch, lambda x: torch.frexp(x * 10).mantissa))
check('torch.frexp', lambda torch: torch.frexp(torch.tensor([0., -3.5, 1024., float('inf')])), name='values')
check('torch.frexp', lambda torch: torch.frexp(torch.tensor([1, 2])), name='int_error')
check('torch.fill', lambda torch: _grad(torch, lambda x: torch.fill(x, 2.5)))
check('torch.zero_', lambda torch: torch.zero_(torch.ones(2, 2)))
check('Tensor.ldexp_', lambda torch: torch.tensor([1, 2]).ldexp_(torch.tensor([1, 2])), name='int_error')
