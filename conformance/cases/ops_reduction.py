"""Reductions and scans: dims (negative, tuples, empty), keepdim, dtype=, out=, integer/bool results,
empty inputs, NaN, derivatives and their grad_fn names, errors."""
from conformance import case, check


def _m(torch, dtype=None, grad=False):
    return torch.tensor([[1., -2., 3.5], [0.5, 4., -1.]], dtype=dtype, requires_grad=grad)


def _back(torch, fn, x=None):
    x = _m(torch, grad=True) if x is None else x
    y = fn(x)
    (y[0] if isinstance(y, tuple) else y).sum().backward()
    return y, x.grad, (y[0] if isinstance(y, tuple) else y).grad_fn.name()


for _n in ('sum', 'mean', 'prod', 'amax', 'amin', 'logsumexp', 'nansum', 'nanmean', 'std', 'var'):
    _dims = (1,) if _n == 'logsumexp' else ()
    check(f'torch.{_n}', lambda torch, n=_n, d=_dims: _back(torch, lambda x: getattr(torch, n)(x, *d)),
          name='all_grad')
    check(f'torch.{_n}', lambda torch, n=_n: _back(torch, lambda x: getattr(torch, n)(x, -1, keepdim=True)),
          name='dim_keepdim_grad')
    if _n != 'prod':        # prod takes a single dim
        check(f'torch.{_n}', lambda torch, n=_n: getattr(torch, n)(torch.ones(2, 3, 4), (0, 2)), name='tuple_dims')
    check(f'Tensor.{_n}', lambda torch, n=_n: getattr(_m(torch), n)(dim=0))
    check(f'torch.{_n}', lambda torch, n=_n: getattr(torch, n)(_m(torch), 2), name='dim_out_of_range')
for _n in ('sum', 'prod', 'cumsum', 'cumprod', 'mean', 'nansum'):
    check(f'torch.{_n}', lambda torch, n=_n: getattr(torch, n)(torch.tensor([[1, 2], [3, 4]]), 0), name='int')
    check(f'torch.{_n}', lambda torch, n=_n: getattr(torch, n)(torch.tensor([[True, False], [True, True]]), 1),
          name='bool')
    check(f'torch.{_n}', lambda torch, n=_n: getattr(torch, n)(torch.tensor([[1, 2], [3, 4]]), 0,
                                                                dtype=torch.float64), name='dtype_kwarg')

check('torch.sum', lambda torch: torch.sum(torch.tensor([1, 2], dtype=torch.int8)).dtype, name='int8_to_int64')
check('torch.sum', lambda torch: torch.sum(torch.ones(2, 3), dim=[]), name='empty_dims_all')
check('torch.sum', lambda torch: torch.sum(torch.ones(3), (0, 0)), name='repeated_dim')
check('torch.sum', lambda torch: torch.sum(torch.tensor(5.), 0, keepdim=True), name='scalar_dim0')
check('torch.sum', lambda torch: torch.sum(torch.zeros(0, 3), 0), name='empty')
check('torch.sum', lambda torch: torch.sum(torch.ones(2), dtype=torch.int32), name='dtype_only')
check('Tensor.prod', lambda torch: torch.ones(2, 3).prod((0, 1)), name='tuple_dims_error')
check('torch.mean', lambda torch: torch.mean(torch.tensor([1, 2])), name='int_error')
check('torch.mean', lambda torch: torch.mean(torch.ones(2), dtype=torch.int64), name='int_dtype_error')
check('torch.mean', lambda torch: torch.mean(torch.zeros(0, 3), 0), name='empty_nan')
check('torch.mean', lambda torch: torch.mean(torch.tensor([1, 2]), dtype=torch.float32), name='int_with_dtype')
check('torch.prod', lambda torch: _back(torch, lambda x: x.prod(1),
                                        torch.tensor([[0., 2., 3.], [0., 0., 1.]], requires_grad=True)),
      name='zeros_grad')
check('torch.prod', lambda torch: _back(torch, lambda x: x.prod(),
                                        torch.tensor([[0., 2.], [3., 4.]], requires_grad=True)), name='one_zero')
check('torch.prod', lambda torch: torch.prod(torch.zeros(0, 3), 0), name='empty')
check('torch.std', lambda torch: torch.std(_m(torch), 1, correction=0), name='correction0')
check('torch.std', lambda torch: torch.std(_m(torch), 1, unbiased=False, keepdim=True), name='unbiased_kw')
check('torch.std', lambda torch: torch.std(_m(torch), False), name='positional_unbiased')
check('torch.var', lambda torch: torch.var(_m(torch), (0, 1), correction=2), name='correction2')
check('torch.var', lambda torch: _back(torch, lambda x: x.var(1, correction=0)), name='grad_correction0')
check('torch.var', lambda torch: torch.var(torch.tensor([1, 2])), name='int_error')
check('torch.var', lambda torch: torch.var(torch.tensor([1.])), name='single_nan')
check('torch.std', lambda torch: _back(torch, lambda x: x.std(), torch.ones(3, requires_grad=True)),
      name='zero_std_grad')
check('torch.var_mean', lambda torch: _back(torch, lambda x: torch.var_mean(x, 1)))
check('torch.std_mean', lambda torch: _back(torch, lambda x: torch.std_mean(x, 0, correction=0, keepdim=True)))
check('torch.std_mean', lambda torch: torch.std_mean(_m(torch)), name='all')
check('torch.logsumexp', lambda torch: torch.logsumexp(torch.tensor([[1000., 1000.], [-float('inf'), -float('inf')]]), 1),
      name='stable')
check('torch.logsumexp', lambda torch: torch.logsumexp(torch.tensor([1, 2, 3]), 0), name='int')

# max/min family
check('torch.max', lambda torch: _back(torch, lambda x: torch.max(x)), name='all')
check('torch.max', lambda torch: _back(torch, lambda x: torch.max(x, 1)), name='dim')
check('torch.max', lambda torch: torch.max(_m(torch), dim=0, keepdim=True), name='keepdim')
check('torch.max', lambda torch: torch.max(_m(torch), torch.zeros(3)), name='binary')
check('torch.max', lambda torch: _back(torch, lambda x: x.max(), torch.tensor([1., 3., 3.], requires_grad=True)),
      name='ties_grad')
check('torch.max', lambda torch: torch.max(torch.tensor([1., float('nan'), 3.]), 0), name='nan')
check('torch.max', lambda torch: torch.max(torch.zeros(0)), name='empty_error')
check('torch.max', lambda torch: torch.max(torch.zeros(0, 3), 0), name='empty_dim_error')
check('torch.max', lambda torch: torch.max(torch.tensor([[1, 5], [7, 2]]), 1), name='int')
check('torch.max', lambda torch: torch.max(torch.tensor(4.), 0), name='scalar')
check('torch.min', lambda torch: _back(torch, lambda x: torch.min(x, -1)), name='dim')
check('torch.min', lambda torch: torch.min(_m(torch)), name='all')
check('Tensor.max', lambda torch: _m(torch).max(1).indices)
check('torch.amax', lambda torch: _back(torch, lambda x: torch.amax(x, (0, 1)),
                                        torch.tensor([[1., 3.], [3., 2.]], requires_grad=True)), name='ties')
check('torch.amax', lambda torch: torch.amax(torch.zeros(0, 3), 0), name='empty_error')
check('torch.aminmax', lambda torch: torch.aminmax(_m(torch)))
check('torch.aminmax', lambda torch: _back(torch, lambda x: torch.aminmax(x, dim=1, keepdim=True)), name='dim')
check('torch.argmax', lambda torch: (torch.argmax(_m(torch)), torch.argmax(_m(torch), 1),
                                     torch.argmax(_m(torch), dim=0, keepdim=True)))
check('torch.argmax', lambda torch: torch.argmax(torch.tensor([1., float('nan'), 5.])), name='nan')
check('torch.argmax', lambda torch: torch.argmax(torch.tensor([3, 7, 7])), name='ties')
check('torch.argmin', lambda torch: (torch.argmin(_m(torch)), torch.argmin(_m(torch), -1, True)))
check('torch.argmax', lambda torch: torch.argmax(torch.zeros(0)), name='empty_error')

# all / any / count_nonzero
for _n in ('all', 'any'):
    check(f'torch.{_n}', lambda torch, n=_n: (getattr(torch, n)(torch.tensor([[True, False], [True, True]])),
                                            getattr(torch, n)(torch.tensor([[1, 0], [2, 3]]), 1),
                                            getattr(torch, n)(torch.tensor([[0.5, 0.], [1., 1.]]), dim=0,
                                                              keepdim=True)))
    check(f'torch.{_n}', lambda torch, n=_n: getattr(torch, n)(torch.tensor([1, 2], dtype=torch.uint8)),
          name='uint8')
    check(f'torch.{_n}', lambda torch, n=_n: getattr(torch, n)(torch.zeros(0)), name='empty')
    check(f'torch.{_n}', lambda torch, n=_n: getattr(torch, n)(torch.ones(2, 3), (0, 1)), name='tuple')
check('torch.count_nonzero', lambda torch: (torch.count_nonzero(torch.tensor([[0, 1], [2, 0]])),
                                            torch.count_nonzero(torch.tensor([[0., 1.], [2., 3.]]), dim=1)))

# scans
check('torch.cumsum', lambda torch: _back(torch, lambda x: torch.cumsum(x, 1)), name='grad')
check('torch.cumsum', lambda torch: torch.cumsum(torch.full((1000,), 0.1), 0)[-1], name='float32_accuracy')
check('Tensor.cumsum_', lambda torch: torch.tensor([1., 2., 3.]).cumsum_(0))
check('torch.cumprod', lambda torch: _back(torch, lambda x: torch.cumprod(x, 1),
                                           torch.tensor([[2., 0., 3.], [0., 0., 5.]], requires_grad=True)),
      name='zeros_grad')
check('torch.cumprod', lambda torch: _back(torch, lambda x: torch.cumprod(x, 0)), name='grad')
check('torch.cummax', lambda torch: _back(torch, lambda x: torch.cummax(x, 1),
                                          torch.tensor([[1., 3., 3., 2., 5.]], requires_grad=True)))
check('torch.cummin', lambda torch: torch.cummin(torch.tensor([3., 1., float('nan'), 0.]), 0), name='nan')
check('torch.cummax', lambda torch: torch.cummax(torch.tensor([2, 2, 1, 2]), 0), name='int_ties')
check('torch.logcumsumexp', lambda torch: _back(torch, lambda x: torch.logcumsumexp(x, 1)))
check('torch.logcumsumexp', lambda torch: torch.logcumsumexp(torch.tensor([-float('inf'), 0., 1000.]), 0),
      name='extremes')


@case('torch.sum', name='out_kwarg')
def out_kwarg(torch):
    out = torch.empty(3)
    r = torch.sum(torch.ones(2, 3), 0, out=out)
    o2 = torch.empty(0, dtype=torch.int64)
    torch.cumsum(torch.tensor([1, 2, 3]), 0, out=o2)
    return r is out, out, o2


@case('torch.max', name='out_kwarg')
def max_out(torch):
    v, i = torch.empty(2), torch.empty(2, dtype=torch.long)
    r = torch.max(torch.tensor([[1., 5.], [7., 2.]]), 1, out=(v, i))
    return tuple(r), v, i

# trapezoid rule, renorm
check('torch.trapezoid', lambda torch: _back(torch, lambda x: torch.trapezoid(x)))
check('torch.trapezoid', lambda torch: _back(torch, lambda x: torch.trapezoid(x, torch.tensor([0., 1., 3.]))),
      name='x')
check('torch.trapezoid', lambda torch: torch.trapezoid(torch.tensor([[1, 2], [3, 4]]), dx=0.5, dim=0), name='dx_int')
check('torch.trapz', lambda torch: torch.trapz(_m(torch), dx=2.))
check('torch.cumulative_trapezoid', lambda torch: _back(torch, lambda x: torch.cumulative_trapezoid(x, dim=0)))
check('torch.renorm', lambda torch: _back(torch, lambda x: torch.renorm(x, 2, 0, 3.)))
check('torch.renorm', lambda torch: torch.renorm(torch.ones(3), 2, 0, 1.), name='1d_error')


@case('torch.hash_tensor')
def hash_tensor_forms(torch):
    x = torch.tensor([[1.5, -2., 3.], [0., 4., -0.]])
    return (torch.hash_tensor(x), torch.hash_tensor(x, 1), torch.hash_tensor(x, [0, 1], keepdim=True),
            x.hash_tensor(0, keepdim=True), torch.hash_tensor(torch.tensor([1, -2, 3], dtype=torch.int8)),
            torch.hash_tensor(torch.tensor([True, False, True])), torch.hash_tensor(x.double(), 0))


@case('torch._segment_reduce')
def segment_reduce_forms(torch):
    out = []
    for r in ('sum', 'mean', 'max', 'min', 'prod'):
        for init in (None, 10.):
            d = torch.tensor([1., 3., 3., 0., 5., 2.], requires_grad=True)
            y = torch._segment_reduce(d, r, lengths=torch.tensor([2, 0, 3, 1]), initial=init)
            (y.nan_to_num(0., 0., 0.) * torch.tensor([1., 2., 3., 4.])).sum().backward()
            out.append((y, d.grad, y.grad_fn.name()))
    x = torch.arange(12.).reshape(2, 6)
    out.append(torch._segment_reduce(x, 'sum', lengths=torch.tensor([[2, 4], [3, 3]]), axis=1))
    out.append(torch._segment_reduce(x, 'amax', offsets=torch.tensor([[0, 1, 6], [0, 3, 6]]), axis=1))
    return out


check('torch._segment_reduce', lambda torch: torch._segment_reduce(
    torch.ones(2, 6), 'sum', lengths=torch.tensor([2, 4]), axis=1), name='axis_not_last')
check('torch._segment_reduce', lambda torch: torch._segment_reduce(
    torch.ones(6), 'sum', lengths=torch.tensor([[2, 4]])), name='lengths_rank')


check('torch._segment_reduce', lambda torch: torch._segment_reduce(torch.ones(6), 'sum'), name='no_lengths')
check('torch._segment_reduce', lambda torch: torch._segment_reduce(
    torch.ones(6), 'foo', lengths=torch.tensor([6])), name='bad_reduce')
check('torch._segment_reduce', lambda torch: torch._segment_reduce(
    torch.ones(6), 'sum', lengths=torch.tensor([2, 2])), name='lengths_short')
check('torch._segment_reduce', lambda torch: torch._segment_reduce(
    torch.ones(6), 'sum', lengths=torch.tensor([2, 2]), unsafe=True), name='unsafe')
check('torch._segment_reduce', lambda torch: torch._segment_reduce(
    torch.ones(3, dtype=torch.long), 'sum', lengths=torch.tensor([3])), name='long')
