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
