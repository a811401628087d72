"""torch.special: values at ordinary points, edges (0, poles, infinities) and gradients."""
from conformance import check


def _grad_of(torch, f, x):
    x = x.clone().requires_grad_()
    out = f(x)
    out.sum().backward()
    return out, x.grad


_p = lambda torch: torch.tensor([0.1, 0.5, 1.0, 2.5, 7.0])     # noqa: E731
_u = lambda torch: torch.tensor([0.01, 0.25, 0.5, 0.9])         # noqa: E731
_r = lambda torch: torch.tensor([-3., -0.5, 0., 0.5, 3.])      # noqa: E731

for _n in ('erf', 'erfc', 'expit', 'ndtr', 'log_ndtr', 'i0', 'i0e', 'i1', 'i1e', 'sinc', 'erfcx', 'exp2',
           'expm1', 'log1p'):
    check('torch.special.' + _n, lambda torch, n=_n: getattr(torch.special, n)(_r(torch)))
    check('torch.special.' + _n, lambda torch, n=_n: _grad_of(torch, getattr(torch.special, n), _r(torch)),
          name='grad')
for _n in ('gammaln', 'digamma', 'psi', 'entr'):
    check('torch.special.' + _n, lambda torch, n=_n: _grad_of(torch, getattr(torch.special, n), _p(torch)))
for _n in ('erfinv', 'logit', 'ndtri'):
    check('torch.special.' + _n, lambda torch, n=_n: _grad_of(torch, getattr(torch.special, n), _u(torch)))
check('torch.special.polygamma', lambda torch: torch.special.polygamma(2, _p(torch)))
check('torch.special.multigammaln', lambda torch: torch.special.multigammaln(_p(torch) + 2, 3))
check('torch.special.xlogy', lambda torch: torch.special.xlogy(torch.tensor([0., 1., 2.]), torch.tensor([0., 2., 3.])))
check('torch.special.xlog1py', lambda torch: torch.special.xlog1py(torch.tensor([0., 1., 2.]), 3.))
check('torch.special.zeta', lambda torch: torch.special.zeta(torch.tensor([2., 3., 1., 0.5]), torch.tensor([1., 2., 1., 1.])))
check('torch.special.logsumexp', lambda torch: torch.special.logsumexp(_r(torch), 0))
check('torch.special.softmax', lambda torch: torch.special.softmax(_r(torch), 0))
check('torch.special.log_softmax', lambda torch: torch.special.log_softmax(_r(torch), 0))
check('torch.special.round', lambda torch: torch.special.round(_r(torch)))
check('torch.special.digamma', lambda torch: torch.special.digamma(torch.tensor([0., -0., -1., -1.5])), name='poles')
check('torch.special.chebyshev_polynomial_t',
      lambda torch: torch.special.chebyshev_polynomial_t(torch.linspace(-1, 1, 5), 3))
check('torch.special.hermite_polynomial_h', lambda torch: torch.special.hermite_polynomial_h(_r(torch), 4))


# Bessel J, Y, K and Airy Ai: values across the series / asymptotic switch points and the edges
_BX = [-30., -8., -2.5, -0., 0., 1e-3, 0.7, 1.9, 2.1, 4., 11.9, 12.1, 19., 26., 120., float('inf'), float('nan')]
for _n in ('airy_ai', 'bessel_j0', 'bessel_j1', 'bessel_y0', 'bessel_y1', 'modified_bessel_k0',
           'modified_bessel_k1', 'scaled_modified_bessel_k0', 'scaled_modified_bessel_k1'):
    check(f'torch.special.{_n}', lambda torch, n=_n: getattr(torch.special, n)(torch.tensor(_BX)), name='edges')

check('torch.special.hermite_polynomial_he', lambda torch: torch.special.hermite_polynomial_he(
    torch.linspace(-3, 3, 13), 11), name='float32_recurrence')
check('torch.special.hermite_polynomial_h', lambda torch: torch.special.hermite_polynomial_h(
    torch.linspace(-3, 3, 13), torch.tensor([0, 1, 5, 9, 130] * 2 + [3, 4, 200.])), name='limit_nan')
