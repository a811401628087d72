"""Indexing, setitem and the scatter/gather family on edge input: torch's result, or its error, for each
rule faketorch once got wrong; one case per rule."""
from conformance import case, check


def _x(torch, *shape, dtype=None):
    n = 1
    for s in shape:
        n *= s
    return (torch.arange(n, dtype=torch.float32).reshape(shape) - 2).to(dtype or torch.float32)


def _set(torch, x, idx, value):
    x[idx] = value
    return x


def _set_back(torch, idx, value, shape=(2, 3), dtype=None):
    """x * 1 written at idx with value (made to require grad): the result, x's and the value's grads."""
    x = _x(torch, *shape).requires_grad_()
    v = value.requires_grad_() if isinstance(value, torch.Tensor) else value
    y = (x * 1).to(dtype or x.dtype)
    y[idx] = v
    if y.requires_grad and y.is_floating_point():
        (y * torch.arange(y.numel()).reshape(y.shape)).sum().backward()
    return y, y.grad_fn.name() if y.grad_fn else None, x.grad, v.grad if isinstance(v, torch.Tensor) else None


# --- __getitem__: how torch reads an index ---------------------------------------------------------
check('Tensor.__getitem__', lambda torch: _x(torch, 2, 3)[..., 0, ...], name='several_ellipses')
check('Tensor.__getitem__', lambda torch: (_x(torch, 2, 3)[True, 0], _x(torch, 3)[torch.tensor(True), 0]),
      name='bool_is_new_dim_before_ints')
check('Tensor.__getitem__', lambda torch: _x(torch, 2, 3)[[[0, 1], [1, 0]]], name='nested_list_is_tuple')
check('Tensor.__getitem__', lambda torch: (lambda x: (x[torch.tensor(1, dtype=torch.int16)].grad_fn.name(),
                                                      x[torch.tensor(0)]))(_x(torch, 2, 3).requires_grad_()),
      name='0d_int_tensor_is_select')
check('Tensor.__getitem__', lambda torch: (lambda x: [x[i].grad_fn.name() for i in
                                                      [(1, slice(None)), (1, slice(0, 5)), (1, slice(-3, None)),
                                                       slice(None), (slice(None),)]])(_x(torch, 2, 3).requires_grad_()),
      name='whole_slice_skipped_in_tuple')

# --- __setitem__ -------------------------------------------------------------------------------------
check('Tensor.__setitem__', lambda torch: (_set(torch, _x(torch, 3), False, torch.ones(5)),
                                           _set(torch, _x(torch, 3), False, 1 + 2j)), name='false_writes_nothing')
check('Tensor.__setitem__', lambda torch: _set_back(torch, True, torch.tensor(5.)), name='true_is_new_dim')
check('Tensor.__setitem__', lambda torch: _set(torch, _x(torch, 3, dtype=torch.int64), 0, float('nan')),
      name='number_converted_checked')
check('Tensor.__setitem__', lambda torch: _set(torch, _x(torch, 2, 3), torch.tensor([0, 1]), torch.tensor([7])),
      name='advanced_value_dtype')
check('Tensor.__setitem__', lambda torch: _set(torch, _x(torch, 2, 3), torch.tensor([True, False]),
                                               torch.tensor([1 + 1j])), name='mask_one_value_masked_fill')
check('Tensor.__setitem__', lambda torch: _set(torch, _x(torch, 2, 3), torch.tensor([1, 0], dtype=torch.uint8), 5),
      name='byte_mask_one_value')
check('Tensor.__setitem__', lambda torch: _set(torch, _x(torch, 3), torch.tensor([5]), torch.ones(1, 3)),
      name='value_shape_before_bounds')
check('Tensor.__setitem__', lambda torch: _set(torch, _x(torch, 0, dtype=torch.complex64), (..., ...),
                                               torch.ones(2, dtype=torch.float64)), name='expand_error_value_type')
check('Tensor.__setitem__', lambda torch: (_set(torch, torch.zeros(3).expand(2, 3), 0, 1.), torch.zeros(3).expand(2, 3)
                                           .__setitem__(slice(None), 1.)), name='expanded')
check('Tensor.__setitem__', lambda torch: torch.zeros(3).expand(2, 3).__setitem__(3, 1.),
      name='expanded_index_error_first')
check('Tensor.__setitem__', lambda torch: torch.zeros(2, 3, requires_grad=True).__setitem__(3, 1.),
      name='leaf_index_error_first')
check('Tensor.__setitem__', lambda torch: (_set_back(torch, ..., torch.tensor(5.)),
                                           _set_back(torch, ..., torch.ones(3)), _set_back(torch, slice(None), 5.)),
      name='whole_tensor_copy_or_fill')
check('Tensor.__setitem__', lambda torch: _set_back(torch, 0, torch.ones(1, 1, 1)), name='value_grad_leading_ones')
check('Tensor.__setitem__', lambda torch: (_set_back(torch, 0, torch.tensor(5.), (3,), torch.int64),
                                           _set_back(torch, slice(None), torch.tensor(5.), (0,), torch.int64)),
      name='int_target_grad_through_fill')
check('Tensor.__setitem__', lambda torch: _set_back(torch, (True, 0), 5.), name='advanced_on_view_copyslices')

# --- index_select / index_add / index_fill / index_reduce ---------------------------------------------
check('torch.index_select', lambda torch: torch.tensor(1.).index_select(0, torch.tensor([[0, 1]])),
      name='0d_vector_first')
check('torch.index_select', lambda torch: torch.tensor(1.).index_select(0, torch.tensor([0., 1.])),
      name='0d_count_before_dtype')
check('Tensor.index_add_', lambda torch: torch.zeros(2, 3).index_add_(0, torch.tensor([5]), torch.ones(1, 3), alpha=2),
      name='alpha_kernel_wording')
check('Tensor.index_add_', lambda torch: torch.zeros(2, 3).index_add_(0, torch.tensor([5], dtype=torch.int32),
                                                                       torch.ones(1, 3)), name='int32_kernel_wording')
check('Tensor.index_fill_', lambda torch: torch.zeros(3).index_fill_(0, torch.tensor([5]), 1 + 1j),
      name='complex_value_first')
check('Tensor.index_reduce_', lambda torch: torch.zeros(2, 3, dtype=torch.bool).index_reduce_(
    0, torch.tensor([5]), torch.ones(1, 3, dtype=torch.bool), 'amax', include_self=False), name='bool_exclude_self')
check('Tensor.index_reduce_', lambda torch: torch.zeros(2, 3, dtype=torch.complex64).index_reduce_(
    0, torch.tensor([0, 5]), torch.ones(2, 3, dtype=torch.complex64), 'amax'), name='complex_amax_at_first_index')
check('Tensor.index_reduce_', lambda torch: torch.zeros(2, 3, dtype=torch.bool).index_reduce_(
    0, torch.tensor([0]), torch.ones(1, 3, dtype=torch.bool), 'mean'), name='bool_mean')
check('Tensor.index_reduce_', lambda torch: torch.zeros(3, dtype=torch.bool).index_reduce_(
    0, torch.tensor([0]), torch.ones(1, dtype=torch.bool), 'prod'), name='bool_1d')
check('Tensor.index_reduce_', lambda torch: [torch.zeros(2, 3).index_reduce_(0, torch.tensor([i]), torch.ones(1, 3),
                                                                             'prod', include_self=False)
                                             for i in (-1,)] + [torch.zeros(2, 3).index_reduce_(
                                                 0, torch.tensor([-3]), torch.ones(1, 3), 'prod', include_self=False)],
      name='exclude_self_bounds')

# --- scatter / scatter_add / scatter_reduce / gather / take_along_dim ----------------------------------
check('torch.scatter', lambda torch: (torch.zeros(2, 1, 3).scatter(0, torch.tensor([[]], dtype=torch.long),
                                                                   torch.ones(1, 1)),
                                      torch.zeros(3).scatter_add(-1, torch.zeros(1, 0, dtype=torch.long),
                                                                 torch.ones(2))), name='empty_index_unchecked')
check('torch.scatter', lambda torch: (torch.zeros(2, 3).scatter(0, torch.zeros(0, 1, dtype=torch.long), 1 + 1j),
                                      torch.zeros(1).scatter(0, torch.tensor([0, 1]), 1 + 1j)),
      name='value_converted_at_first_index')
check('torch.scatter', lambda torch: torch.zeros(2, 3).scatter(0, torch.tensor([[-1]]), 1 + 1j),
      name='bad_first_index_before_value')
check('torch.scatter_reduce', lambda torch: torch.zeros(3).scatter_reduce(0, torch.tensor(1), torch.ones(2), 'sum'),
      name='0d_index')
check('torch.scatter_reduce', lambda torch: [torch.zeros(2, 3, dtype=torch.bool).scatter_reduce(
    0, torch.tensor([[i]]), torch.ones(1, 1, dtype=torch.bool), 'mean', include_self=inc)
    for i, inc in ((5, True), (5, False))], name='bool_mean')
check('torch.scatter_reduce', lambda torch: torch.zeros(2, 3, dtype=torch.bool).scatter_reduce(
    0, torch.zeros(1, 0, dtype=torch.long), torch.ones(1, 1, dtype=torch.bool), 'mean'), name='bool_mean_empty')
check('torch.scatter_reduce', lambda torch: (torch.zeros(2, 3, dtype=torch.complex64).scatter_reduce(
    0, torch.zeros(1, 0, dtype=torch.long), torch.ones(1, 1, dtype=torch.complex64), 'amax', include_self=False),
    torch.zeros(2, 3, dtype=torch.complex64).scatter_reduce(0, torch.tensor([[-1]]),
                                                            torch.ones(1, 1, dtype=torch.complex64), 'amax',
                                                            include_self=False)), name='complex_amax')
check('torch.take_along_dim', lambda torch: (torch.arange(3.).take_along_dim(torch.tensor([[0, 1]], dtype=torch.int32)),
                                             torch.tensor(1.).take_along_dim(torch.tensor([[0.]]))),
      name='no_dim_is_flat_gather')
check('torch.take_along_dim', lambda torch: torch.ones(2, 0).take_along_dim(torch.tensor([[0], [1], [0]]), 1),
      name='broadcast_before_modulo')

# --- masked_fill / masked_scatter_ / slice_scatter ----------------------------------------------------
check('torch.masked_fill', lambda torch: torch.zeros(3).masked_fill(torch.zeros(3, dtype=torch.bool), 1 + 1j),
      name='value_converted_checked')
check('torch.masked_fill', lambda torch: torch.zeros(0).masked_fill(torch.zeros(3, dtype=torch.uint8),
                                                                     torch.tensor([1.])), name='broadcast_first')
check('Tensor.masked_fill_', lambda torch: [torch.zeros(0).masked_fill_(torch.zeros(3, dtype=dt), v)
                                            for dt, v in ((torch.uint8, torch.tensor([1.])),)],
      name='value_dim_first')
check('Tensor.masked_fill_', lambda torch: torch.zeros(3).masked_fill_(torch.zeros(3, dtype=torch.bool),
                                                                      torch.tensor(1 + 1j)),
      name='complex_tensor_value')
check('Tensor.masked_scatter_', lambda torch: torch.zeros(()).masked_scatter_(torch.zeros(3, dtype=torch.int64),
                                                                              torch.ones(6)), name='long_mask_expand')
check('torch.slice_scatter', lambda torch: torch.zeros(3).slice_scatter(torch.zeros(3), 0, 0, 3, 0),
      name='step_not_positive')


def _src_back(torch, reduce):
    """scatter-family gradients when src is larger than the index: torch does not pad src's gradient."""
    x, s = torch.ones(2, 3, requires_grad=True), torch.ones(2, 3, requires_grad=True)
    i = torch.tensor([[0, 0], [2, 1]])
    y = x.scatter_add(1, i, s) if reduce is None else x.scatter_reduce(1, i, s, reduce)
    return torch.autograd.grad(y.sum(), [x, s])


check('torch.scatter_add', lambda torch: _src_back(torch, None), name='larger_src_grad')
check('torch.scatter_reduce', lambda torch: _src_back(torch, 'amax'), name='larger_src_grad_amax')

# --- index order: slices, bools and steps as torch applies them ------------------------------------------
check('Tensor.__getitem__', lambda torch: (_x(torch, 2, 1, 3)[5, ::-1]), name='select_error_before_step')
check('Tensor.__getitem__', lambda torch: (_x(torch, 2, 1, 3)[torch.tensor([5]), ::-1]),
      name='step_error_before_index_tensor')
check('Tensor.__getitem__', lambda torch: (_x(torch, 3)[0, ::-1]), name='dim_count_before_step')
check('Tensor.__getitem__', lambda torch: (_x(torch, 2, 1, 3)[1:, torch.tensor([1, 0], dtype=torch.uint8)]),
      name='mask_shape_after_slice')
check('Tensor.__getitem__', lambda torch: (_x(torch, 2, 1, 3)[torch.tensor([5]), 1:]), name='empty_after_slice')
check('Tensor.__getitem__', lambda torch: (_x(torch, 2, 0)[False, [0, 1]]), name='false_broadcast')
check('Tensor.__getitem__', lambda torch: (_x(torch, 2, 1, 3)[True, torch.tensor([5])]), name='true_counts_as_index')
check('Tensor.__setitem__', lambda torch: _set(torch, _x(torch, 2, 1, 3),
                                               (True, torch.tensor([1, 0], dtype=torch.uint8)), torch.tensor(9.)),
      name='true_and_mask_not_masked_fill')
check('Tensor.index_put_', lambda torch: _x(torch, 2, 3).index_put_((torch.tensor(0), torch.tensor([5])),
                                                                    torch.tensor(1.)), name='0d_tensor_is_index')
check('Tensor.index_put_', lambda torch: _x(torch, 2, 3).index_put_((torch.tensor(0), torch.tensor(0)), torch.ones(1)),
      name='value_leading_ones_kept')
check('Tensor.index_put_', lambda torch: _x(torch, 2, 3).index_put_((torch.tensor([0, 1]),), torch.tensor(1.).double(),
                                                                    accumulate=True), name='accumulate_value_dtype')
check('Tensor.index_put_', lambda torch: _x(torch, 2, 3).index_put_((torch.tensor([5]),), torch.ones(2),
                                                                    accumulate=True), name='accumulate_shape_first')

# --- index item types ------------------------------------------------------------------------------------
check('Tensor.__getitem__', lambda torch: (_x(torch, 2, 3)[range(2)], _x(torch, 3)[[(0, 1)]]),
      name='range_and_tuple_items')
check('Tensor.__getitem__', lambda torch: _x(torch, 2, 3)[1.5:2], name='float_slice_bound')
check('Tensor.__getitem__', lambda torch: _x(torch, 2, 3)[10 ** 20], name='int_overflow')
check('Tensor.__getitem__', lambda torch: _x(torch, 2, 3)[[10 ** 20]], name='list_int_overflow')
