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
