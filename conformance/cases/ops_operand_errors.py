"""Binary ops given operands none of their signatures takes (a list, a string, None, a tuple): torch's argument
parser names the one bad operand, or, for an op it knows several overloads of (remainder, the bitwise ops, the
aliases multiply/divide/true_divide/subtract, pow, clamp_min ...), lists them with what did not match; the method
and in-place forms count from self and list the method's signatures. Also the silent successes this found
(clamp_min/clamp_max took a list)."""
from conformance import case, outcomes

_BAD = ([1, 2], 'a', None, (2,), [], [1, 2.5, True], (None,), {'a': 1})


def _errors(torch, names, namespace=None, forms=('fn', 'm', 'i')):
    """For each op name: each bad operand as other (and as input) of the function, and as the argument of the
    method and the in-place method."""
    ns = namespace or torch
    t = lambda: torch.ones(2)    # noqa: E731
    out = []
    for n in names:
        f = getattr(ns, n)
        thunks = []
        if 'fn' in forms:
            for b in _BAD:
                thunks += [lambda f=f, b=b: f(t(), b), lambda f=f, b=b: f(b, t()), lambda f=f, b=b: f(b, 3)]
        for form, suffix in (('m', ''), ('i', '_')):
            if form in forms and hasattr(torch.Tensor, n + suffix):
                thunks += [lambda b=b, m=n + suffix: getattr(t(), m)(b) for b in _BAD]
        out.append((n, outcomes(*thunks)))
    return out


@case('torch.add')
def operand_errors_arithmetic(torch):
    return _errors(torch, ('add', 'sub', 'mul', 'div', 'true_divide', 'divide', 'subtract', 'multiply',
                           'floor_divide', 'remainder', 'fmod', 'rsub'))


@case('torch.bitwise_and')
def operand_errors_bitwise(torch):
    return _errors(torch, ('bitwise_and', 'bitwise_or', 'bitwise_xor', 'bitwise_left_shift',
                           'bitwise_right_shift'))


@case('torch.pow')
def operand_errors_pow_clamp(torch):
    return _errors(torch, ('pow', 'float_power', 'clamp_min', 'clamp_max', 'copysign', 'xlogy', 'ldexp',
                           'isclose', 'dist', 'atan2', 'hypot', 'maximum', 'fmax', 'nextafter', 'logaddexp',
                           'gcd', 'heaviside', 'logical_and'))


@case('torch.special.xlogy')
def operand_errors_special(torch):
    return _errors(torch, ('xlogy', 'xlog1py', 'zeta', 'chebyshev_polynomial_t', 'hermite_polynomial_he',
                           'legendre_polynomial_p', 'laguerre_polynomial_l'), torch.special, forms=('fn',))


@case('torch.clamp_min')
def clamp_min_refuses_a_list(torch):
    x = torch.tensor([0.5, -1.0, 2.0])
    return outcomes(lambda: torch.clamp_min(x, [0, 1, 2]), lambda: x.clamp_max([1.0]), lambda: x.clamp_min_((0,)),
                    lambda: torch.clamp_min(x, 0), lambda: x.clamp_max(torch.tensor(1.0)),
                    lambda: torch.clamp(x, [0.0]))


@case('torch.clamp')
def clamp_bounds_mixed_or_bad(torch):
    """Bounds must be both tensors or both numbers (None fits either); a Parameter is not a Tensor to the
    message's matcher."""
    x, p = torch.tensor([0.5, -1.0, 2.0]), torch.nn.Parameter(torch.zeros(3))
    return outcomes(lambda: torch.clamp(x, torch.zeros(3), 1.0), lambda: torch.clamp(x, 0, torch.ones(3)),
                    lambda: x.clamp(p, 1.0), lambda: x.clamp(p, torch.ones(3)), lambda: torch.clip(x, [1.0]),
                    lambda: x.clip(None, [1.0]), lambda: x.clamp_([0.0]), lambda: torch.clamp(x, 'a', 2),
                    lambda: torch.remainder(p, 'a'), lambda: x.clamp(0, 1), lambda: x.clamp_(min=torch.zeros(1)))
