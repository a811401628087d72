"""torch.masked (mask= semantics, fully masked-out rows, gradients) and window functions."""
from conformance import case, check

_x = lambda torch: torch.tensor([[1., -2., 3., 0.5], [4., 5., -6., 2.]])            # noqa: E731
_m = lambda torch: torch.tensor([[True, False, True, True], [False, False, False, False]])  # noqa: E731
_row = lambda torch: torch.tensor([True, False, True, False])                         # noqa: E731


def _grad(torch, name, *args, **kwargs):
    x = _x(torch).requires_grad_()
    out = getattr(torch.masked, name)(x, *args, **kwargs)
    out.sum().backward()
    return out, x.grad


# reductions: a fully masked-out row gives the identity (sum 0, amax -inf) or nan (mean, var)
for _n in ('sum', 'prod', 'amax', 'amin', 'mean', 'logsumexp', 'norm', 'var', 'std'):
    check('torch.masked.' + _n, lambda torch, n=_n: getattr(torch.masked, n)(_x(torch), 1, mask=_m(torch)),
          name='dim1')
    check('torch.masked.' + _n, lambda torch, n=_n: getattr(torch.masked, n)(_x(torch), mask=_row(torch)),
          name='all_broadcast_mask')
for _n in ('sum', 'prod', 'amax', 'amin', 'mean', 'logsumexp'):
    check('torch.masked.' + _n, lambda torch, n=_n: _grad(torch, n, 0, keepdim=True, mask=_row(torch)),
          name='grad_keepdim')
for _n in ('softmax', 'log_softmax', 'softmin', 'cumsum', 'cumprod'):
    check('torch.masked.' + _n, lambda torch, n=_n: getattr(torch.masked, n)(_x(torch), 1, mask=_m(torch)),
          name='dim1')
    check('torch.masked.' + _n, lambda torch, n=_n: _grad(torch, n, -1, mask=_row(torch)), name='grad')
check('torch.masked.sum', lambda torch: torch.masked.sum(torch.tensor([[1, 2], [3, 4]], dtype=torch.int32),
                                                         mask=torch.tensor([True, False])), name='int32_to_long')
check('torch.masked.sum', lambda torch: torch.masked.sum(_x(torch), (0, 1), dtype=torch.float64), name='no_mask')
check('torch.masked.sum', lambda torch: torch.masked.sum(_x(torch), (1, 1), mask=_m(torch)), name='repeated_dim')
check('torch.masked.sum', lambda torch: torch.masked.sum(_x(torch), 2, mask=_m(torch)), name='dim_out_of_range')
check('torch.masked.sum', lambda torch: torch.masked.sum(_x(torch)[0], mask=_m(torch)), name='mask_too_many_dims')
check('torch.masked.amax', lambda torch: torch.masked.amax(torch.tensor([[1, 2], [3, 4]]), 1,
                                                           mask=torch.tensor([[True, False], [False, False]])),
      name='int_identity')
check('torch.masked.argmax', lambda torch: torch.masked.argmax(_x(torch), 1, mask=_m(torch)))
check('torch.masked.argmin', lambda torch: torch.masked.argmin(_x(torch), 1, keepdim=True, mask=_m(torch)))
check('torch.masked.median', lambda torch: _grad(torch, 'median', 1, mask=_m(torch)))
check('torch.masked.median', lambda torch: torch.masked.median(torch.tensor([[1, 2, 3], [4, 5, 6]]), 1,
                                                               mask=torch.tensor([True, False, True])), name='int')
check('torch.masked.median', lambda torch: torch.masked.median(torch.tensor([[1, 2, 3], [4, 5, 6]]), 1,
                                                               mask=torch.tensor([[True], [False]])),
      name='int_fully_masked')
check('torch.masked.mean', lambda torch: torch.masked.mean(torch.tensor([1, 2])), name='int_error')
check('torch.masked.mean', lambda torch: torch.masked.mean(torch.tensor([1, 2]), dtype=torch.int32),
      name='int_dtype_error')
check('torch.masked.var', lambda torch: _grad(torch, 'var', 1, correction=0, keepdim=True, mask=_row(torch)),
      name='grad_correction')
check('torch.masked.std', lambda torch: torch.masked.std(torch.tensor([[1, 2, 4], [3, 5, 9]]), 1, False,
                                                         mask=torch.tensor([True, True, False])), name='int_biased')
check('torch.masked.norm', lambda torch: _grad(torch, 'norm', 1.0, 1, mask=_m(torch)), name='grad_ord1')
check('torch.masked.norm', lambda torch: torch.masked.norm(_x(torch), float('-inf'), 1, mask=_m(torch)),
      name='ninf')
check('torch.masked.normalize', lambda torch: _grad(torch, 'normalize', 2.0, 1, mask=_m(torch)))
check('torch.masked.logaddexp', lambda torch: torch.masked.logaddexp(
    torch.tensor([-100.0, -200, -300]), torch.tensor([-1.0, -2, -3]),
    input_mask=torch.tensor([True, False, True]), other_mask=torch.tensor([True, False, True])))
check('torch.masked._output_mask', lambda torch: torch.masked._output_mask(
    torch.masked.sum, _x(torch), 1, mask=_m(torch), keepdim=True))


# --- torch.signal.windows --------------------------------------------------------------------------
_W = ('bartlett', 'blackman', 'cosine', 'exponential', 'gaussian', 'hamming', 'hann', 'kaiser', 'nuttall')
for _n in _W:
    check('torch.signal.windows.' + _n, lambda torch, n=_n: [getattr(torch.signal.windows, n)(M, sym=s)
                                                            for M in (0, 1, 2, 7, 10) for s in (True, False)],
          name='lengths')
    check('torch.signal.windows.' + _n,
          lambda torch, n=_n: getattr(torch.signal.windows, n)(6, dtype=torch.float64, requires_grad=True),
          name='float64_requires_grad')
    check('torch.signal.windows.' + _n, lambda torch, n=_n: getattr(torch.signal.windows, n)(-1), name='negative')
    check('torch.signal.windows.' + _n, lambda torch, n=_n: getattr(torch.signal.windows, n)(3, dtype=torch.int64),
          name='int_dtype')
check('torch.signal.windows.gaussian', lambda torch: torch.signal.windows.gaussian(8, std=2.5, sym=False))
check('torch.signal.windows.gaussian', lambda torch: torch.signal.windows.gaussian(3, std=0), name='bad_std')
check('torch.signal.windows.exponential', lambda torch: torch.signal.windows.exponential(7, center=1., tau=2., sym=False))
check('torch.signal.windows.exponential', lambda torch: torch.signal.windows.exponential(7, center=1.), name='center_sym')
check('torch.signal.windows.exponential', lambda torch: torch.signal.windows.exponential(7, tau=0.), name='bad_tau')
check('torch.signal.windows.kaiser', lambda torch: torch.signal.windows.kaiser(9, beta=3.5, sym=False))
check('torch.signal.windows.kaiser', lambda torch: torch.signal.windows.kaiser(9, beta=-1.), name='bad_beta')
check('torch.signal.windows.general_hamming', lambda torch: torch.signal.windows.general_hamming(7, alpha=0.3))
check('torch.signal.windows.general_cosine', lambda torch: torch.signal.windows.general_cosine(
    9, a=[0.46, 0.23, 0.31], sym=False))
check('torch.signal.windows.general_cosine', lambda torch: torch.signal.windows.general_cosine(4, a=3),
      name='not_iterable')
check('torch.signal.windows.general_cosine', lambda torch: torch.signal.windows.general_cosine(4, a=[]),
      name='empty')


@case('torch.signal.windows.hann')
def window_gradient(torch):
    w = torch.signal.windows.hann(5, requires_grad=True)
    w.sum().backward()
    return w, w.grad_fn.name()


# --- torch.*_window --------------------------------------------------------------------------------
for _n in ('hann_window', 'hamming_window', 'blackman_window', 'bartlett_window', 'kaiser_window'):
    check('torch.' + _n, lambda torch, n=_n: [getattr(torch, n)(L, p) for L in (0, 1, 2, 5, 8) for p in (True, False)])
    check('torch.' + _n, lambda torch, n=_n: getattr(torch, n)(6, dtype=torch.float64, requires_grad=True),
          name='float64_requires_grad')
    check('torch.' + _n, lambda torch, n=_n: getattr(torch, n)(-2), name='negative')
    check('torch.' + _n, lambda torch, n=_n: getattr(torch, n)(4, dtype=torch.int64), name='int_dtype')
    check('torch.' + _n, lambda torch, n=_n: getattr(torch, n)(4.0), name='float_length')
check('torch.hamming_window', lambda torch: torch.hamming_window(9, False, 0.3, 0.2), name='alpha_beta')
check('torch.hamming_window', lambda torch: torch.hamming_window(9, alpha=0.3), name='alpha_without_periodic')
check('torch.kaiser_window', lambda torch: torch.kaiser_window(9, False, 4.0), name='beta')
check('torch.kaiser_window', lambda torch: torch.kaiser_window(9, beta=4.0), name='beta_without_periodic')
check('torch.hann_window', lambda torch: torch.hann_window(5)._base is None, name='not_a_view')
check('torch.hann_window', lambda torch: torch.hann_window(3, dtype=torch.complex64), name='complex')
