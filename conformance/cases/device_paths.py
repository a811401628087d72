"""Ops whose CuPy path (the emulated CUDA run, conformance/fake_cupy) differed from their NumPy path:
each case runs on whichever device the run uses, so the CPU run checks the values and the emulated run
checks that the op stays on the device."""
from conformance import case, check


@case('torch.block_diag')
def empty_default_double(torch):
    torch.set_default_dtype(torch.float64)
    return torch.block_diag(), torch.block_diag(torch.ones(0)), torch.block_diag(torch.ones(0, 2), torch.ones(2))


@case('torch.block_diag')
def mixed_dtypes_grads(torch):
    a = torch.arange(4.).reshape(2, 2).requires_grad_()
    b = torch.tensor([1., 2., 3.], dtype=torch.float64, requires_grad=True)
    r = torch.block_diag(a, b, torch.tensor(7), torch.ones(1, 2, dtype=torch.int32))
    r.pow(2).sum().backward()
    return r, a.grad, b.grad


check('torch.native_dropout', lambda torch: torch.native_dropout(torch.ones(3, 4).t(), 0.5, True), exact=True,
      name='transposed_memory_order')

# out-of-range indices: CuPy wraps an index array around where NumPy raises (the stand-in does as CuPy), so the
# CUDA path checks them first and raises torch's CPU error (torch's CUDA kernels assert)
check('Tensor.__getitem__', lambda torch: torch.ones(3)[torch.tensor([5])], name='index_past_end')
check('Tensor.__getitem__', lambda torch: torch.arange(6.).reshape(2, 3)[[1, 0], [2, -4]], name='list_indices_negative')
check('Tensor.__getitem__', lambda torch: torch.ones(2, 0)[torch.tensor([5])], name='empty_result_no_bounds_check')
check('Tensor.__setitem__', lambda torch: torch.ones(3).__setitem__(torch.tensor([4]), 2.), name='index_past_end')
check('Tensor.index_put_',
      lambda torch: torch.ones(3).index_put_((torch.tensor([3]),), torch.tensor(1.), accumulate=True),
      name='accumulate_index_past_end')
check('torch.gather', lambda torch: torch.ones(2, 3).gather(1, torch.tensor([[1], [3]])), name='index_past_end_row_1')
check('torch.nn.functional.multilabel_margin_loss',
      lambda torch: torch.nn.functional.multilabel_margin_loss(torch.ones(2, 4),
                                                               torch.tensor([[0, 9, -1, 0], [1, -1, 7, 7]])),
      name='target_past_end')
check('torch.repeat_interleave', lambda torch: torch.repeat_interleave(torch.tensor([2, -1])), name='negative_counts')
check('torch.repeat_interleave', lambda torch: torch.repeat_interleave(torch.ones(2), torch.tensor([1, -1])),
      name='negative_repeats_tensor')
check('torch.repeat_interleave', lambda torch: torch.repeat_interleave(torch.ones(2), -2), name='negative_repeats_int')
check('torch.repeat_interleave', lambda torch: torch.repeat_interleave(torch.ones(2), torch.tensor([-1])),
      name='negative_repeats_one')
