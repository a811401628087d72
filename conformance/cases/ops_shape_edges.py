"""Shape and indexing ops on edge input (0-dim and empty tensors, negative and out-of-range dims and
indices, wrong index dtypes): torch's error, or its result, for each rule; one case per rule."""
from conformance import case, check


def _back(torch, fn, x):
    """fn(x), x's gradient and the grad_fn names (the outputs weighted by their position)."""
    x.requires_grad_()
    y = fn(x)
    ys = list(y) if isinstance(y, (tuple, list)) else [y]
    sum(((t * torch.arange(t.numel(), dtype=t.dtype).reshape(t.shape)).sum() for t in ys)).backward()
    return y, x.grad, [t.grad_fn.name() if t.grad_fn else None for t in ys]


def _i(torch, *v):
    return torch.tensor(list(v))


# --- view / reshape: size inference -------------------------------------------------------------
check('Tensor.view', lambda torch: torch.ones(0).view(0, -1), name='empty_ambiguous_infer')
check('Tensor.reshape', lambda torch: torch.ones(2, 0).reshape(-1, 0), name='empty_ambiguous_infer')
check('Tensor.view', lambda torch: torch.ones(6).view(-1, -1, -2), name='second_infer_before_bad_size')
# view(dtype) of another element size
check('Tensor.view', lambda torch: torch.tensor(1.).view(torch.int16), name='dtype_0d')
check('Tensor.view', lambda torch: torch.ones(3).view(torch.int64), name='dtype_last_size')
check('Tensor.view', lambda torch: torch.ones(2, 3).t().view(torch.int16), name='dtype_last_stride')
check('Tensor.view', lambda torch: torch.ones(1, 3).t().view(torch.int16), name='dtype_last_stride_size1')
check('Tensor.view', lambda torch: torch.ones(2, 4)[:, 1:3].view(torch.int64), name='dtype_offset')
check('Tensor.view', lambda torch: torch.ones(3, 0).view(torch.complex128), name='dtype_stride')
check('Tensor.view', lambda torch: torch.arange(6, dtype=torch.int32)[2:].view(torch.int64), name='dtype_offset_ok')

# --- dims of 0-dim tensors -----------------------------------------------------------------------
check('Tensor.squeeze', lambda torch: torch.tensor(1.).squeeze(1), name='0d_dim_range')
check('Tensor.squeeze', lambda torch: torch.ones(1, 3).squeeze((0, -2)), name='repeated_dims')
check('Tensor.flatten', lambda torch: torch.tensor(1.).flatten(0, 2), name='0d_end_dim')
check('Tensor.unbind', lambda torch: torch.tensor(1.).unbind(1), name='0d_dim_range')
check('Tensor.unbind', lambda torch: torch.tensor(1.).unbind(-1), name='0d')
check('Tensor.movedim', lambda torch: _back(torch, lambda x: x.movedim(0, -1), torch.tensor(2.)), name='0d')
check('Tensor.mT', lambda torch: torch.tensor(1.).mT, name='0d_identity')
check('Tensor.mH', lambda torch: torch.ones(3).mH, name='1d')
check('Tensor.H', lambda torch: torch.ones(2, 3, 4).H, name='3d')
check('Tensor.adjoint', lambda torch: torch.ones(3).adjoint(), name='1d')
check('Tensor.roll', lambda torch: torch.tensor(1.).roll(1, 0), name='0d_dim')
check('torch.repeat_interleave', lambda torch: torch.tensor(1.).repeat_interleave(2, 0), name='0d_dim')
check('torch.repeat_interleave', lambda torch: torch.tensor(1.).repeat_interleave(torch.tensor([2]), -1),
      name='0d_dim_tensor_repeats')
check('torch.slice_scatter', lambda torch: torch.slice_scatter(torch.tensor(1.), torch.tensor(2.)), name='0d')

# --- unflatten, expand, repeat ----------------------------------------------------------------------
check('Tensor.unflatten', lambda torch: torch.ones(2, 3).unflatten(-1, (2, -1)), name='sizes_as_given')
check('Tensor.unflatten', lambda torch: torch.ones(3).unflatten(0, ()), name='empty_sizes')
check('Tensor.expand', lambda torch: torch.tensor(1.).expand(-1, 3), name='0d_negative_size')
check('Tensor.expand', lambda torch: torch.ones(2, 3).expand(3, 2), name='last_dim_checked_first')
check('Tensor.expand', lambda torch: torch.ones(3).expand(2, -1, 3), name='leading_infer_position')
check('Tensor.repeat', lambda torch: torch.ones(2, 3).repeat(-1, 2), name='negative')

# --- narrow, select, split, chunk ------------------------------------------------------------------
check('Tensor.narrow', lambda torch: torch.tensor(1.).narrow(5, 0, 1), name='0d')
check('Tensor.narrow', lambda torch: torch.ones(3).narrow(0, 4, 0), name='start_out_of_range')
check('Tensor.narrow', lambda torch: torch.ones(3).narrow(0, 0, -1), name='negative_length')
check('Tensor.narrow', lambda torch: torch.ones(3).narrow(0, torch.tensor([1]), 1), name='start_tensor_1d')
check('Tensor.narrow', lambda torch: _back(torch, lambda x: x.narrow(-1, -3, 2), torch.ones(2, 4)),
      name='negative_start')
check('Tensor.select', lambda torch: torch.ones(3).select(-1, -5), name='wrapped_dim_in_message')
check('Tensor.split', lambda torch: torch.tensor(1.).split(1, 5), name='0d')
check('Tensor.split', lambda torch: torch.ones(0).split(-1), name='negative_size')
check('Tensor.split', lambda torch: torch.ones(3).split([1, -1, 3]), name='negative_section')
check('Tensor.chunk', lambda torch: torch.tensor(1.).chunk(0), name='0d_first')
check('Tensor.chunk', lambda torch: _back(torch, lambda x: x.chunk(3, 1), torch.ones(2, 0)), name='empty_dim_count')

# --- movedim, permute, diagonal, flip, roll, cat ----------------------------------------------------
check('Tensor.movedim', lambda torch: torch.ones(2, 3).movedim((0, 1), (0,)), name='lengths_differ')
check('Tensor.movedim', lambda torch: torch.ones(2, 3).movedim((0, -2), (0, 1)), name='repeated_source')
check('Tensor.movedim', lambda torch: torch.ones(2, 3).movedim((0, 1), (1, 1)), name='repeated_destination')
check('Tensor.permute', lambda torch: torch.ones(2).permute(), name='no_dims')
check('Tensor.diagonal', lambda torch: torch.ones(2, 3).diagonal(0, 1, -1), name='identical_dims')
check('Tensor.flip', lambda torch: _back(torch, lambda x: x.flip(0, 1), torch.arange(6.).reshape(2, 3)),
      name='spread_dims')
check('torch.flip', lambda torch: torch.flip(torch.ones(3), (0, -1)), name='repeated_dims')
check('Tensor.flip', lambda torch: torch.tensor(1.).flip(0), name='0d')
check('Tensor.roll', lambda torch: torch.ones(0).roll(1, 3), name='empty_skips_dim')
check('Tensor.roll', lambda torch: torch.ones(3).roll((), ()), name='no_shifts')
check('Tensor.roll', lambda torch: torch.arange(6).reshape(2, 3).roll(1, ()), name='empty_dims_flat')
check('torch.cat', lambda torch: torch.cat([torch.ones(2, 3), torch.ones(3), torch.tensor(1.)]),
      name='zero_dim_position_first')
check('torch.block_diag', lambda torch: torch.block_diag(torch.ones(2), torch.ones(2, 1, 3)), name='3d_input')
check('torch.diag_embed', lambda torch: _back(torch, lambda x: torch.diag_embed(x, 1, 0, -1),
                                              torch.arange(6.).reshape(2, 1, 3)), name='dims_first_and_last')
check('torch.select_scatter', lambda torch: torch.select_scatter(torch.ones(2, 3), torch.ones(2), 0, 0),
      name='src_size')

# --- __getitem__ / __setitem__ / index_put_ ---------------------------------------------------------
check('Tensor.__getitem__', lambda torch: torch.tensor(1.)[0], name='0d_int_zero')
check('Tensor.__getitem__', lambda torch: torch.tensor(1.)[-1], name='0d_int')
check('Tensor.__getitem__', lambda torch: torch.tensor(1.)[:1], name='0d_slice')
check('Tensor.__getitem__', lambda torch: torch.ones(3)[::0], name='zero_step')
check('Tensor.__getitem__', lambda torch: torch.ones(3)[torch.tensor([0], dtype=torch.int16)], name='int16_index')
check('Tensor.__getitem__', lambda torch: torch.ones(3)['a'], name='str')
check('Tensor.__getitem__', lambda torch: torch.tensor(1.)[1.5], name='0d_counts_first')
check('Tensor.__getitem__', lambda torch: torch.arange(6.).reshape(2, 3)[[0.5, 1]], name='float_list')
check('Tensor.__getitem__', lambda torch: torch.ones(2, 3)[:, torch.tensor([True, False])], name='mask_shape')
check('Tensor.__getitem__', lambda torch: torch.ones(2, 3)[None, torch.tensor([True, False, True])],
      name='mask_shape_after_none')
check('Tensor.__getitem__', lambda torch: torch.ones(2, 3)[:, torch.tensor([0, -4])], name='oob_index_ordinal')
check('Tensor.__getitem__', lambda torch: torch.ones(2, 3)[_i(torch, 0, 1), _i(torch, 1, 9)],
      name='oob_first_element')
check('Tensor.__getitem__', lambda torch: torch.ones(0)[torch.tensor([5])], name='index_into_size_0')
check('Tensor.__getitem__', lambda torch: _back(torch, lambda x: x[torch.tensor([5])], torch.ones(2, 0)),
      name='empty_result_unchecked')


@case('Tensor.__setitem__', name='0d_int')
def setitem_0d_int(torch):
    x = torch.tensor(1.)
    x[0] = 2.


@case('Tensor.__setitem__', name='empty_result_unchecked')
def setitem_empty_result(torch):
    x = torch.ones(2, 0)
    x[torch.tensor([5])] = 1.
    return x


check('Tensor.index_put_', lambda torch: torch.tensor(1.).index_put_((torch.tensor([0.]),), torch.tensor(1.)),
      name='too_many_counted_first')
check('Tensor.index_put_', lambda torch: torch.ones(3).index_put_((None, torch.tensor([0])), torch.tensor(1.)),
      name='none_index')
check('Tensor.index_put_', lambda torch: torch.ones(0).index_put_((torch.tensor([0]),), torch.ones(5)),
      name='size_0_before_value_shape')

# --- index_select / index_add / index_copy / index_fill / index_reduce -------------------------------
check('Tensor.index_select', lambda torch: torch.ones(2, 0).index_select(1, torch.tensor([0])),
      name='empty_self_zero_dim')
check('Tensor.index_select', lambda torch: torch.ones(2, 0, 3).index_select(2, torch.tensor([7, 5])),
      name='empty_self_bounds')
check('Tensor.index_add', lambda torch: torch.ones(2, 3).index_add(0, torch.tensor([[0.]]), torch.ones(1, 3)),
      name='index_2d_first')
check('Tensor.index_add', lambda torch: torch.ones(2, 3).index_add(0, torch.tensor([0.]), torch.ones(1, 3)),
      name='float_index')
check('Tensor.index_add', lambda torch: torch.ones(2, 3).index_add(0, torch.tensor([0]), torch.ones(1, 3).double()),
      name='source_dtype')
check('Tensor.index_add', lambda torch: torch.ones(2, 3).index_add(1, torch.tensor([0]), torch.ones(1)),
      name='dim_beyond_source')
check('Tensor.index_add', lambda torch: torch.tensor(1.).index_add(0, torch.tensor([0, 0]), torch.tensor(1.)),
      name='0d_source_count')
check('Tensor.index_add', lambda torch: torch.ones(3).index_add(0, torch.tensor([0]), torch.tensor(1.)),
      name='source_shape')
check('Tensor.index_add', lambda torch: torch.ones(3).index_add(0, torch.tensor([-1]), torch.ones(1)),
      name='1d_negative_index')
check('Tensor.index_add', lambda torch: torch.ones(2, 3, 4).index_add(1, torch.tensor([5]), torch.ones(2, 1, 4)),
      name='middle_dim_oob')
check('Tensor.index_add', lambda torch: torch.ones(2, 3).index_add(-1, torch.tensor([3]), torch.ones(2, 1)),
      name='last_dim_oob')
check('Tensor.index_add', lambda torch: torch.ones(2, 0).index_add(0, torch.tensor([5]), torch.ones(1, 0)),
      name='empty_self_unchecked')
check('Tensor.index_add', lambda torch: _back(torch, lambda x: x.index_add(1, torch.tensor([2, 2], dtype=torch.int32),
                                                                           x[:, :2] * 2, alpha=3),
                                              torch.arange(24.).reshape(2, 3, 4)), name='int32_repeated')
check('Tensor.index_copy', lambda torch: torch.ones(3).index_copy(0, torch.tensor([[0]]), torch.ones(1)),
      name='index_2d')
check('Tensor.index_copy', lambda torch: torch.ones(3).index_copy(0, torch.tensor([0, 1]), torch.tensor(1.)),
      name='scalar_source_count')
check('Tensor.index_copy', lambda torch: torch.ones(2, 3).index_copy(0, torch.tensor([0]), torch.ones(3)),
      name='dimensionality')
check('Tensor.index_copy', lambda torch: torch.ones(3).index_copy(0, torch.tensor([0], dtype=torch.int32),
                                                                  torch.ones(1)), name='int32_index')
check('Tensor.index_copy', lambda torch: torch.ones(3).index_copy(0, torch.tensor([0]), torch.ones(1).double()),
      name='source_dtype')
check('Tensor.index_copy', lambda torch: torch.ones(2, 3, 4).index_copy(1, torch.tensor([0]), torch.ones(1, 1, 2)),
      name='slice_shapes')
check('Tensor.index_copy', lambda torch: torch.ones(2, 3).index_copy(0, torch.tensor([0, 1]), torch.ones(1, 3)),
      name='index_count')
check('Tensor.index_copy', lambda torch: torch.ones(0, 3).index_copy(0, torch.tensor([0]), torch.ones(1, 3)),
      name='empty_storage')
check('Tensor.index_copy', lambda torch: torch.ones(3, 0).index_copy(0, torch.tensor([5]), torch.ones(1, 0)),
      name='empty_unchecked')
check('Tensor.index_fill', lambda torch: torch.ones(3).index_fill(0, torch.tensor([0], dtype=torch.int32), 1),
      name='int32_index')
check('Tensor.index_fill', lambda torch: torch.ones(3).index_fill(0, torch.tensor([[0]]), 1), name='index_2d')
check('Tensor.index_fill', lambda torch: torch.ones(2, 0).index_fill(1, torch.tensor([-1]), 1), name='empty_storage')
check('Tensor.index_fill', lambda torch: torch.ones(2, 0).index_fill(0, torch.tensor([3]), 1), name='empty_unchecked')
check('Tensor.index_reduce', lambda torch: torch.tensor(1.).index_reduce(0, torch.tensor([0]), torch.ones(1), 'amax'),
      name='source_shape')

# --- masked_scatter, take, put_, take_along_dim --------------------------------------------------
check('Tensor.masked_scatter', lambda torch: torch.ones(3).masked_scatter(torch.tensor([True, False]), torch.ones(3)),
      name='mask_is_tensor_a')
check('Tensor.masked_scatter', lambda torch: torch.ones(3).masked_scatter(torch.ones(3) > 0, torch.ones(3).double()),
      name='source_dtype')
check('Tensor.take', lambda torch: torch.ones(2, 0).take(torch.tensor([0])), name='empty_self')
check('Tensor.put_', lambda torch: torch.ones(3).put_(torch.tensor([0], dtype=torch.int32), torch.ones(1)),
      name='int32_index')
check('Tensor.put_', lambda torch: torch.ones(3).put_(torch.tensor([0]), torch.ones(1).double()), name='source_dtype')
check('Tensor.put_', lambda torch: torch.ones(3).put_(torch.tensor([0]), torch.ones(2)), name='count')
check('Tensor.put_', lambda torch: torch.ones(0).put_(torch.tensor([7]), torch.ones(1)), name='empty_self')
check('Tensor.take_along_dim', lambda torch: _back(torch, lambda x: x.take_along_dim(_i(torch, 7, 5, -4, -1, 3), 0),
                                                   torch.arange(3.)), name='indices_modulo_size')
check('Tensor.take_along_dim', lambda torch: torch.ones(0).take_along_dim(torch.tensor([0]), 0), name='size_0')
check('Tensor.take_along_dim', lambda torch: torch.tensor(1.).take_along_dim(torch.tensor(0), 0), name='0d')
check('Tensor.take_along_dim', lambda torch: torch.ones(3).take_along_dim(torch.tensor([[0]], dtype=torch.int32), 0),
      name='ndim_before_dtype')
check('Tensor.take_along_dim', lambda torch: torch.ones(2, 3).take_along_dim(torch.tensor([[0], [0], [0]]), 1),
      name='broadcast')

# --- scatter family ----------------------------------------------------------------------------
check('Tensor.scatter', lambda torch: torch.ones(3).scatter(0, torch.tensor([[0]]), 1.), name='self_ndim')
check('Tensor.scatter', lambda torch: torch.ones(3).scatter(0, torch.tensor([0]), torch.ones(1, 1)), name='src_ndim')
check('Tensor.scatter_add', lambda torch: torch.ones(2, 3).scatter_add(1, torch.tensor([[0, 0]]), torch.ones(3)),
      name='src_size_lookup')
check('Tensor.scatter_add', lambda torch: torch.ones(3).scatter_add(0, torch.tensor([0.]), torch.ones(1)),
      name='float_index')
check('Tensor.scatter', lambda torch: torch.ones(0).scatter(0, torch.zeros(0, dtype=torch.long),
                                                            torch.ones(1, 1, 1)), name='empty_index_src_unread')
check('Tensor.scatter_reduce', lambda torch: torch.ones(3).scatter_reduce(0, torch.tensor([[0]]), torch.ones(1), 'x'),
      name='shape_before_reduce')
check('Tensor.scatter_reduce', lambda torch: torch.ones(3).scatter_reduce(0, torch.tensor([-1]), torch.ones(1), 'sum'),
      name='negative_index')
check('Tensor.scatter_reduce', lambda torch: torch.ones(3).scatter_reduce(
    0, torch.tensor([0, 2], dtype=torch.int32), torch.ones(2), 'sum'), name='int32_index')
check('Tensor.scatter_reduce', lambda torch: _back(torch, lambda x: x.scatter_reduce(
    0, torch.tensor([0, 0, 2]), x.flip(0), 'amax', include_self=False), torch.tensor([2., 1., 2.])),
    name='amax_noself_ties_count_self')
