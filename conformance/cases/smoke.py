"""A few basic cases that exercise the conformance machinery itself."""
from conformance import case, check

check('torch.tensor', lambda torch: torch.tensor([[1, 2], [3, 4]]), name='ints')
check('torch.tensor', lambda torch: torch.tensor([1.5, -2.0]), name='floats')
check('torch.zeros', lambda torch: (torch.zeros(2, 3), torch.zeros(2, dtype=torch.int64)))
check('torch.arange', lambda torch: torch.arange(6).view(2, 3).shape, name='shape')
check('torch.exp', lambda torch: torch.exp(torch.tensor([0., 1., 2.])))
check('Tensor.__repr__', lambda torch: repr(torch.tensor([[1., 2.5], [3., 4.]])), name='float_matrix')
check('Tensor.__repr__', lambda torch: print(torch.arange(3)), name='print')
check('torch.matmul', lambda torch: torch.matmul(torch.ones(2, 3), torch.ones(2, 3)), name='shape_mismatch')
check('torch.rand', lambda torch: torch.rand(3), exact=True, name='smoke_seeded')
check('Tensor.dtype', lambda torch: (torch.tensor([1, 2]) / 2).dtype, name='int_true_division')


@case('Tensor.__add__')
def broadcast_backward(torch):
    a = torch.ones(2, 3, requires_grad=True)
    b = torch.tensor([1., 2., 3.], requires_grad=True)
    out = (a + b).sum()
    out.backward()
    return out, a.grad, b.grad, out.grad_fn.name()


@case('torch.autograd.backward')
def tutorial_mean(torch):
    x = torch.ones(2, 2, requires_grad=True)
    out = ((x + 2) ** 2 * 3).mean()
    out.backward()
    return out, x.grad, repr(x)
