"""Indexing ops: gather/scatter (with reduce), scatter_add/scatter_reduce, index_* ops, masked_* ops,
take/take_along_dim/put, nonzero/where/argwhere, isin; with grads and torch's errors."""
from conformance import case, check


def _a(torch, grad=False):
    return torch.arange(12.).reshape(3, 4).requires_grad_(grad)


def _back(torch, fn, *extra):
    x = _a(torch, True)
    y = fn(x, *extra)
    (y * torch.arange(y.numel(), dtype=y.dtype).reshape(y.shape)).sum().backward()
    return y, x.grad, y.grad_fn.name()


_I = [[0, 2, 1, 0], [2, 2, 0, 1]]
check('torch.gather', lambda torch: _back(torch, lambda x: torch.gather(x, 0, torch.tensor(_I))))
check('torch.gather', lambda torch: torch.gather(_a(torch), 1, torch.tensor([[3, 0, 0, 1, 2]])), name='wider_dim')
check('torch.gather', lambda torch: torch.gather(_a(torch), 1, torch.tensor([[0.]])), name='float_index')
check('torch.gather', lambda torch: torch.gather(_a(torch), 1, torch.tensor([[5]])), name='out_of_bounds')
check('torch.gather', lambda torch: torch.gather(_a(torch), 1, torch.tensor([0])), name='ndim_mismatch')
check('torch.gather', lambda torch: torch.gather(_a(torch), 1, torch.tensor([[0], [1], [2], [0]])),
      name='too_large')
check('torch.gather', lambda torch: torch.gather(_a(torch), -1, torch.tensor([[1], [0], [3]], dtype=torch.int32)),
      name='int32_index')
check('Tensor.gather', lambda torch: _a(torch).gather(dim=1, index=torch.tensor([[1, 1], [0, 0], [3, 2]])))
check('torch.scatter', lambda torch: _back(torch, lambda x: torch.scatter(x, 0, torch.tensor(_I), x[:2] * 2)))
check('torch.scatter', lambda torch: _back(torch, lambda x: x.scatter(1, torch.tensor([[0], [3], [1]]), 7.)),
      name='value')
check('torch.scatter', lambda torch: torch.scatter(torch.zeros(3, 4), 0, torch.tensor(_I), 2., reduce='add'),
      name='reduce_add')
check('torch.scatter', lambda torch: torch.scatter(torch.ones(3, 4), 0, torch.tensor(_I), torch.full((2, 4), 3.),
                                                   reduce='multiply'), name='reduce_multiply')
check('torch.scatter', lambda torch: torch.scatter(torch.ones(3, 4), 0, torch.tensor(_I), 2., reduce='mean'),
      name='bad_reduce')
check('torch.scatter', lambda torch: torch.scatter(torch.ones(3, 4), 0, torch.tensor(_I), torch.ones(2, 4,
                                                   dtype=torch.float64)), name='dtype_mismatch')
check('torch.scatter', lambda torch: torch.scatter(torch.ones(3, 4), 0, torch.tensor([[5]]), 1.), name='oob')
check('Tensor.scatter_', lambda torch: torch.zeros(2, 3).scatter_(1, torch.tensor([[2], [0]]), 5.))
check('torch.scatter_add', lambda torch: _back(torch, lambda x: torch.scatter_add(x, 0, torch.tensor(_I), x[:2])))
check('Tensor.scatter_add_', lambda torch: torch.zeros(5).scatter_add_(0, torch.tensor([0, 1, 1, 4]),
                                                                       torch.ones(4)))
for _r in ('sum', 'prod', 'mean', 'amax', 'amin'):
    for _inc in (True, False):
        check('torch.scatter_reduce', lambda torch, r=_r, inc=_inc: _back(
            torch, lambda x: torch.scatter_reduce(x, 0, torch.tensor(_I), x[:2] * 0.5 + 1, r, include_self=inc)),
            name=f'{_r}_{"self" if _inc else "noself"}')
check('torch.scatter_reduce', lambda torch: torch.scatter_reduce(torch.ones(3), 0, torch.tensor([0, 0]),
                                                                 torch.ones(2), 'max'), name='bad_reduce')
check('torch.scatter_reduce', lambda torch: torch.scatter_reduce(torch.tensor([1, 2, 3]), 0, torch.tensor([0, 0, 2]),
                                                                 torch.tensor([5, 7, 1]), 'mean'), name='int_mean')
check('torch.index_select', lambda torch: _back(torch, lambda x: torch.index_select(x, 1, torch.tensor([3, 0, 3]))))
check('torch.index_select', lambda torch: torch.index_select(_a(torch), 0, torch.tensor([0.])), name='float_index')
check('torch.index_select', lambda torch: torch.index_select(_a(torch), 0, torch.tensor([3])), name='oob')
check('torch.index_select', lambda torch: torch.index_select(_a(torch), 0, torch.tensor([[0]])), name='2d_index')
check('torch.index_add', lambda torch: _back(torch, lambda x: torch.index_add(x, 0, torch.tensor([0, 0]), x[1:] * 3,
                                                                                 alpha=2)))
check('Tensor.index_add_', lambda torch: torch.zeros(3, 2).index_add_(0, torch.tensor([2, 0, 2]), torch.ones(3, 2)))
check('Tensor.index_add_', lambda torch: torch.zeros(3, 2).index_add_(0, torch.tensor([2]), torch.ones(3, 2)),
      name='size_mismatch')
check('torch.index_copy', lambda torch: _back(torch, lambda x: torch.index_copy(x, 1, torch.tensor([3, 1]), x[:, :2] * 5)))
check('torch.index_fill', lambda torch: _back(torch, lambda x: torch.index_fill(x, 1, torch.tensor([0, 2]), -1.)))
check('torch.index_fill', lambda torch: torch.index_fill(_a(torch), 0, torch.tensor([1]), torch.tensor([1., 2.])),
      name='value_not_scalar')
check('Tensor.index_fill_', lambda torch: torch.zeros(2, 3).index_fill_(1, torch.tensor([1]), 4))
check('torch.index_put', lambda torch: torch.index_put(torch.zeros(3), (torch.tensor([0, 0, 2]),),
                                                       torch.tensor([1., 2., 3.]), accumulate=True))
check('Tensor.index_put_', lambda torch: torch.zeros(2, 2).index_put_((torch.tensor([1]), torch.tensor([0])),
                                                                       torch.tensor(5.)))
check('torch.index_reduce', lambda torch: _back(torch, lambda x: torch.index_reduce(x, 0, torch.tensor([0, 0]),
                                                                                       x[1:] + 1, 'prod')))
check('torch.masked_select', lambda torch: _back(torch, lambda x: torch.masked_select(x, x > 5)))
check('torch.masked_select', lambda torch: torch.masked_select(_a(torch), torch.tensor([True, False, True, False])),
      name='broadcast')
check('torch.masked_fill', lambda torch: _back(torch, lambda x: x.masked_fill(x > 5, 0.5)))
check('torch.masked_fill', lambda torch: _a(torch).masked_fill(_a(torch) > 5, torch.tensor([1., 2.])),
      name='value_not_scalar')
check('torch.masked_fill', lambda torch: _a(torch).masked_fill(torch.ones(3, 4, dtype=torch.int64), 0.),
      name='int_mask')
check('torch.masked_scatter', lambda torch: _back(torch, lambda x: x.masked_scatter(x > 8, x * 10)))
check('torch.masked_scatter', lambda torch: torch.zeros(4).masked_scatter(torch.tensor([True] * 4), torch.ones(2)),
      name='too_few')
check('torch.take', lambda torch: _back(torch, lambda x: torch.take(x, torch.tensor([[0, 11], [-1, 5]]))))
check('torch.take', lambda torch: torch.take(_a(torch), torch.tensor([12])), name='oob')
check('torch.take_along_dim', lambda torch: _back(torch, lambda x: torch.take_along_dim(x, torch.tensor([[0], [3], [1]]), 1)))
check('torch.take_along_dim', lambda torch: torch.take_along_dim(_a(torch), torch.tensor([0, 11])), name='flat')
check('torch.take_along_dim', lambda torch: torch.take_along_dim(_a(torch), torch.argsort(_a(torch), 1), dim=1),
      name='argsort')
check('Tensor.put_', lambda torch: torch.zeros(2, 2).put_(torch.tensor([0, 3]), torch.tensor([1., 2.])))
check('Tensor.put_', lambda torch: torch.zeros(2, 2).put_(torch.tensor([0, 0]), torch.tensor([1., 2.]),
                                                          accumulate=True), name='accumulate')
check('torch.nonzero', lambda torch: (torch.nonzero(torch.tensor([[0, 1], [2, 0]])),
                                      torch.nonzero(torch.tensor([[0, 1], [2, 0]]), as_tuple=True)))
check('torch.nonzero', lambda torch: (torch.nonzero(torch.tensor(3)), torch.nonzero(torch.tensor(0), as_tuple=True)),
      name='scalar')
check('torch.argwhere', lambda torch: torch.argwhere(torch.tensor([[0., 1.], [2., 0.]])))
check('torch.where', lambda torch: torch.where(torch.tensor([[True, False], [False, True]])), name='cond_only')
check('torch.where', lambda torch: _back(torch, lambda x: torch.where(x > 4, x, x * 2)), name='grad')
check('torch.where', lambda torch: torch.where(torch.tensor([True, False]), 1, 0.5), name='scalars')
check('torch.where', lambda torch: torch.where(torch.tensor([1, 0]), 1., 0.), name='int_cond')
check('Tensor.where', lambda torch: _a(torch).where(_a(torch) > 3, torch.tensor(-1.)))
check('torch.isin', lambda torch: (torch.isin(torch.tensor([1, 2, 3, 4]), torch.tensor([2, 4])),
                                   torch.isin(torch.tensor([1, 2]), 2, invert=True)))


@case('Tensor.__getitem__', name='advanced_grads')
def advanced_grads(torch):
    x = _a(torch, True)
    y = x[torch.tensor([0, 0, 2]), 1:] + x[x > 6].sum() + x[..., [1, 1]].sum()
    y.sum().backward()
    return y, x.grad
check('torch.unravel_index', lambda torch: torch.unravel_index(torch.tensor([[5, 1], [0, 3]]), (2, 3)))
check('torch.unravel_index', lambda torch: torch.unravel_index(torch.tensor([1.]), (2, 3)), name='float_error')


# Out-of-range and negative indices: each op has torch's own rule (gather/scatter/index_select/
# index_add/index_copy reject negatives, index_fill and take_along_dim wrap them) and wording.
_BOUNDS = {
    'gather': lambda t, i: t.zeros(2, 8).gather(1, t.tensor([i, i])),
    'scatter': lambda t, i: t.zeros(2, 8).scatter(1, t.tensor([i, i]), 1.0),
    'scatter_add': lambda t, i: t.zeros(2, 8).scatter_add(1, t.tensor([i, i]), t.ones(2, len(i))),
    'index_select': lambda t, i: t.arange(16.).reshape(2, 8).index_select(1, t.tensor(i)),
    'index_select_dim0': lambda t, i: t.arange(16.).reshape(8, 2).index_select(0, t.tensor(i)),
    'index_select_dim2': lambda t, i: t.zeros(2, 1, 8).index_select(2, t.tensor(i)),
    'index_add': lambda t, i: t.zeros(2, 8).index_add(1, t.tensor(i), t.ones(2, len(i))),
    'index_copy': lambda t, i: t.zeros(2, 8).index_copy(1, t.tensor(i), t.ones(2, len(i))),
    'index_fill': lambda t, i: t.zeros(2, 8).index_fill(1, t.tensor(i), 1.0),
    'take_along_dim': lambda t, i: t.take_along_dim(t.arange(16.).reshape(2, 8), t.tensor([i, i]), 1),
}
for _name, _f in _BOUNDS.items():
    # take_along_dim reads past the row for an index >= size (undefined): only its wrapping is compared
    for _i in ([-1], [-8]) if _name == 'take_along_dim' else ([3, 9, -1], [3, -1, 9], [-1], [-8], [8]):
        check('torch.take_along_dim' if _name == 'take_along_dim' else 'Tensor.' + _name.split('_dim')[0],
              lambda torch, f=_f, i=_i: f(torch, i), name=f'index_bounds_{_name}_{_i}')


@case('torch._unsafe_masked_index')
def masked_index_clamps(torch):
    x = torch.arange(20.).reshape(4, 5).requires_grad_()
    m = torch.tensor([[True], [False], [True]])
    i = torch.tensor([[-1], [7], [9]])
    j = torch.tensor([[1, 2]])
    y = torch._unsafe_masked_index(x, m, [i, j], 0.5)
    y.sum().backward()
    z = torch._unsafe_masked_index(x, m[:2], [torch.tensor([-9, 2])], -1.)
    return y, x.grad, z, y.grad_fn.name()


@case('torch._unsafe_masked_index_put_accumulate')
def masked_put_accumulate(torch):
    x = torch.zeros(4, 3, requires_grad=True)
    m = torch.tensor([[True], [False], [True], [True]])
    v = torch.arange(12.).reshape(4, 3).requires_grad_()
    r = torch._unsafe_masked_index_put_accumulate(x, m, [torch.tensor([0, 1, 0, 9])], v)
    r.sum().backward()
    return r, x.grad, v.grad, r.grad_fn.name()


check('torch._unsafe_masked_index', lambda torch: torch._unsafe_masked_index(
    torch.ones(3), torch.tensor([True]), [torch.tensor([0.])], 0.), name='float_index')


# Scatter-accumulates over every dtype: on CUDA these go through CuPy's ufunc.at, which takes only
# some target dtypes (the others go through a wider copy) and has no multiply.at (host fallback).
_ACC_DTYPES = ('int8', 'uint8', 'int16', 'int32', 'int64', 'bool', 'float16', 'float32', 'float64',
               'complex64')
for _dt in _ACC_DTYPES:
    check('Tensor.index_add_', lambda torch, dt=_dt: torch.ones(4, 2, dtype=getattr(torch, dt)).index_add_(
        0, torch.tensor([3, 0, 3]), torch.ones(3, 2, dtype=getattr(torch, dt))), name=f'dup_{_dt}')
    check('Tensor.index_put_', lambda torch, dt=_dt: torch.zeros(3, 3, dtype=getattr(torch, dt)).index_put_(
        (torch.tensor([0, 0, 2]), torch.tensor([1, 1, 0])), torch.ones(3, dtype=getattr(torch, dt)),
        accumulate=True), name=f'accumulate_{_dt}')
for _dt in ('int8', 'int16', 'int32', 'int64', 'float16', 'float32', 'float64'):
    for _red in ('sum', 'prod', 'amax', 'amin', 'mean'):
        check('torch.scatter_reduce', lambda torch, dt=_dt, red=_red: torch.scatter_reduce(
            torch.arange(6, dtype=getattr(torch, dt)).reshape(2, 3), 1, torch.tensor([[2, 2, 0], [1, 1, 1]]),
            torch.tensor([[5, -3, 2], [4, 7, -1]], dtype=getattr(torch, dt)), red), name=f'{_red}_{_dt}')
    check('torch.index_reduce', lambda torch, dt=_dt: torch.ones(3, 2, dtype=getattr(torch, dt)).index_reduce(
        0, torch.tensor([2, 2, 0]), torch.full((3, 2), 3, dtype=getattr(torch, dt)), 'prod'), name=f'prod_{_dt}')
