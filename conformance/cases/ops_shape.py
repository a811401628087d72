"""Shape ops beyond views: flip/roll/rot90, repeat/tile/repeat_interleave, tril/triu, diag family,
stacking/splitting helpers, atleast_*d, meshgrid, broadcast, unfold, *_scatter, *_copy; with grads."""
from conformance import case, check


def _a(torch, grad=False, dtype=None):
    return torch.arange(12., dtype=dtype).reshape(3, 4).requires_grad_(grad)


def _back(torch, fn, x=None):
    x = _a(torch, True) if x is None else x
    y = fn(x)
    ys = list(y) if isinstance(y, (tuple, list)) else [y]
    sum(((t * torch.arange(t.numel(), dtype=t.dtype).reshape(t.shape)).sum() for t in ys)).backward()
    return y, x.grad, [t.grad_fn.name() if t.grad_fn else None for t in ys]


check('torch.flip', lambda torch: _back(torch, lambda x: torch.flip(x, (0, 1))))
check('torch.flip', lambda torch: torch.flip(_a(torch), [-1]), name='negative_dim')
check('torch.fliplr', lambda torch: _back(torch, torch.fliplr))
check('torch.flipud', lambda torch: torch.flipud(torch.arange(4)))
check('torch.fliplr', lambda torch: torch.fliplr(torch.arange(4)), name='1d_error')
check('torch.roll', lambda torch: _back(torch, lambda x: torch.roll(x, 1)), name='flat')
check('torch.roll', lambda torch: _back(torch, lambda x: torch.roll(x, (1, -2), (0, 1))), name='dims')
check('torch.roll', lambda torch: torch.roll(_a(torch), 1, (0, 1)), name='mismatch')
check('Tensor.roll', lambda torch: _a(torch).roll(shifts=5, dims=1))
check('torch.rot90', lambda torch: _back(torch, lambda x: torch.rot90(x)))
check('torch.rot90', lambda torch: [torch.rot90(_a(torch), k, (1, 0)) for k in (-1, 2, 3, 4)], name='k')
check('torch.rot90', lambda torch: torch.rot90(_a(torch), 1, (0, 0)), name='same_dims')
check('Tensor.repeat', lambda torch: _back(torch, lambda x: x.repeat(2, 1, 3)))
check('Tensor.repeat', lambda torch: _a(torch).repeat(2), name='too_few')
check('Tensor.repeat', lambda torch: torch.tensor(3.).repeat(2, 2), name='scalar')
check('torch.tile', lambda torch: _back(torch, lambda x: torch.tile(x, (2,))))
check('torch.repeat_interleave', lambda torch: _back(torch, lambda x: torch.repeat_interleave(x, 2, dim=0)))
check('torch.repeat_interleave', lambda torch: _back(torch, lambda x: x.repeat_interleave(2)), name='flat')
check('torch.repeat_interleave', lambda torch: _back(torch, lambda x: x.repeat_interleave(torch.tensor([1, 0, 2]), 0)),
      name='tensor_repeats')
check('torch.repeat_interleave', lambda torch: torch.repeat_interleave(torch.tensor([2, 0, 1])), name='counts')
check('torch.repeat_interleave', lambda torch: _a(torch).repeat_interleave(torch.tensor([1, 2]), 0),
      name='bad_size')
check('torch.tril', lambda torch: _back(torch, lambda x: torch.tril(x, 1)))
check('torch.triu', lambda torch: _back(torch, lambda x: torch.triu(x, -1)))
check('torch.triu', lambda torch: torch.triu(torch.ones(2, 3, 3), 1), name='batched')
check('torch.tril', lambda torch: torch.tril(torch.ones(3)), name='1d_error')
check('Tensor.triu_', lambda torch: torch.ones(3, 3).triu_())
check('torch.diag', lambda torch: _back(torch, lambda x: torch.diag(x, 1)), name='matrix')
check('torch.diag', lambda torch: _back(torch, lambda x: torch.diag(x[0], -1)), name='vector')
check('torch.diag', lambda torch: torch.diag(torch.ones(2, 2, 2)), name='3d_error')
check('torch.diag_embed', lambda torch: _back(torch, lambda x: torch.diag_embed(x, 1, 0, 2)))
check('torch.diagflat', lambda torch: torch.diagflat(torch.tensor([[1, 2], [3, 4]]), -1))
check('torch.block_diag', lambda torch: _back(torch, lambda x: torch.block_diag(x[:2, :2], x[2], torch.tensor(7.))))
check('torch.diagonal', lambda torch: _back(torch, lambda x: torch.diagonal(x, -1)))
check('torch.dstack', lambda torch: _back(torch, lambda x: torch.dstack([x, x * 2])))
check('torch.dstack', lambda torch: torch.dstack([torch.tensor([1, 2]), torch.tensor([3, 4])]), name='1d')
check('torch.column_stack', lambda torch: torch.column_stack([torch.tensor([1, 2]), torch.tensor([[3, 4], [5, 6]]).T]))
check('torch.hstack', lambda torch: _back(torch, lambda x: torch.hstack([x, x[:, :1]])))
check('torch.vstack', lambda torch: torch.vstack([torch.tensor([1, 2]), torch.tensor([3, 4])]))
check('torch.row_stack', lambda torch: torch.row_stack([torch.tensor([1, 2]), torch.tensor([[3, 4]])]))
check('torch.tensor_split', lambda torch: _back(torch, lambda x: torch.tensor_split(x, 3, dim=1)))
check('torch.tensor_split', lambda torch: torch.tensor_split(torch.arange(7), [1, 5, 9]), name='indices')
check('torch.tensor_split', lambda torch: torch.tensor_split(torch.arange(7), torch.tensor(3)), name='tensor')
check('torch.hsplit', lambda torch: torch.hsplit(_a(torch), 2))
check('torch.vsplit', lambda torch: torch.vsplit(_a(torch), [1]))
check('torch.hsplit', lambda torch: torch.hsplit(_a(torch), 3), name='not_divisible')
check('torch.split', lambda torch: _back(torch, lambda x: torch.split(x, [1, 3], dim=1)), name='sizes')
check('torch.split', lambda torch: torch.split(_a(torch), [1, 1], 0), name='bad_sizes')
check('torch.chunk', lambda torch: _back(torch, lambda x: torch.chunk(x, 3, 1)))
check('torch.atleast_1d', lambda torch: (torch.atleast_1d(torch.tensor(1.)), torch.atleast_1d(torch.ones(2))))
check('torch.atleast_2d', lambda torch: [t.shape for t in torch.atleast_2d(torch.tensor(1.), torch.ones(2),
                                                                              torch.ones(2, 2, 2))])
check('torch.atleast_3d', lambda torch: [t.shape for t in torch.atleast_3d([torch.tensor(1.), torch.ones(2),
                                                                              torch.ones(2, 3)])])
check('torch.meshgrid', lambda torch: torch.meshgrid(torch.arange(3), torch.arange(2), indexing='ij'))
check('torch.meshgrid', lambda torch: torch.meshgrid(torch.arange(3), torch.arange(2), indexing='xy'), name='xy')
check('torch.meshgrid', lambda torch: _back(torch, lambda x: torch.meshgrid([x[0], x[1, :2]], indexing='ij')),
      name='grad')
check('torch.broadcast_tensors', lambda torch: _back(torch, lambda x: torch.broadcast_tensors(x, x[0], torch.ones(2, 1, 1))))
check('torch.broadcast_tensors', lambda torch: torch.broadcast_tensors(torch.ones(2), torch.ones(3)),
      name='mismatch')
check('torch.broadcast_shapes', lambda torch: (torch.broadcast_shapes((2, 1), (3,), 4), torch.broadcast_shapes()))
check('torch.broadcast_shapes', lambda torch: torch.broadcast_shapes((2, 1), (3, 4)), name='mismatch')
check('torch.broadcast_to', lambda torch: _back(torch, lambda x: torch.broadcast_to(x[0], (2, 4))))
check('Tensor.unfold', lambda torch: _back(torch, lambda x: x.unfold(1, 2, 1)))
check('Tensor.unfold', lambda torch: _back(torch, lambda x: x.unfold(0, 2, 2)), name='step')
check('Tensor.unfold', lambda torch: _a(torch).unfold(1, 5, 1), name='too_big')
check('torch.movedim', lambda torch: _back(torch, lambda x: torch.movedim(x.reshape(3, 2, 2), (0, 1), (2, 0))))
check('torch.swapaxes', lambda torch: torch.swapaxes(_a(torch), 0, 1))
check('torch.unflatten', lambda torch: torch.unflatten(_a(torch), 1, (2, -1)))
check('Tensor.ravel', lambda torch: _back(torch, lambda x: x.t().ravel()))
check('torch.cartesian_prod', lambda torch: torch.cartesian_prod(torch.tensor([1, 2]), torch.tensor([3, 4, 5])))
check('torch.combinations', lambda torch: (torch.combinations(torch.arange(4)),
                                           torch.combinations(torch.arange(3), 3, with_replacement=True)))
check('torch.diff', lambda torch: _back(torch, lambda x: torch.diff(x, n=2, dim=1)))
check('torch.diff', lambda torch: torch.diff(torch.tensor([1, 3, 2]), prepend=torch.tensor([0]),
                                             append=torch.tensor([5])), name='pend')
check('torch.diff', lambda torch: torch.diff(torch.tensor([True, False, False])), name='bool')
check('torch.diagonal_scatter', lambda torch: _back(torch, lambda x: torch.diagonal_scatter(x, x[0, :3] * 10)))
check('torch.select_scatter', lambda torch: _back(torch, lambda x: torch.select_scatter(x, x[0] * 10, 0, 2)))
check('torch.slice_scatter', lambda torch: _back(torch, lambda x: torch.slice_scatter(x, x[:, :2] * 10, 1, 2)))
check('torch.slice_scatter', lambda torch: torch.slice_scatter(torch.zeros(4), torch.ones(3), 0, 1, None),
      name='shape_error')
check('torch.narrow_copy', lambda torch: _back(torch, lambda x: torch.narrow_copy(x, 1, 1, 2)))
check('torch.view_copy', lambda torch: _back(torch, lambda x: torch.view_copy(x, (4, 3))))
check('torch.transpose_copy', lambda torch: _back(torch, lambda x: torch.transpose_copy(x, 0, 1)))
check('Tensor.type_as', lambda torch: torch.tensor([1.5, 2.5]).type_as(torch.tensor([1])))


@case('torch.unfold_copy', name='not_a_view')
def unfold_copy(torch):
    x = torch.arange(6.)
    y = torch.unfold_copy(x, 0, 2, 2)
    v = x.unfold(0, 2, 2)
    x[0] = 100.
    return y, v


def _resize(torch, *sizes):
    """The deprecated non-inplace Tensor.resize: its warning, a view with ResizeBackward, its grad."""
    import warnings
    x = torch.arange(6.).requires_grad_()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try:
            y = x.resize(*sizes)
        except RuntimeError as e:
            return 'raised', str(e), [str(m.message) for m in w]
    (y * torch.arange(6.).reshape(y.shape)).sum().backward()
    return y, y._base is x, x.grad, [str(m.message) for m in w]


check('Tensor.resize', lambda torch: _resize(torch, 2, 3))
check('Tensor.resize', lambda torch: _resize(torch, 6, 1, 1), name='more_dims')
check('Tensor.resize', lambda torch: _resize(torch, 4), name='numel_error')
check('Tensor.resize', lambda torch: _resize(torch, (3, 2)), name='tuple_error')
