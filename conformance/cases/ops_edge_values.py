"""Special values through reductions and their gradients: NaN results, ties, non-differentiable ops
(found by an edge-value fuzz against torch)."""
from conformance import case


def _nan_rows(torch):
    return torch.tensor([[1., float('nan'), 2.], [3., 1., 3.]], requires_grad=True)


@case('torch.amax')
def nan_row_grad(torch):        # a NaN result ties with nothing: 0/0 for its row
    x = _nan_rows(torch)
    torch.amax(x, 1).sum().backward()
    y = _nan_rows(torch)
    torch.amin(y).backward()
    return x.grad, y.grad


@case('torch.aminmax')
def nan_row_grad(torch):
    x = _nan_rows(torch)
    r = torch.aminmax(x, dim=1)
    (r.min.sum() + r.max.sum()).backward()
    return x.grad


@case('torch.max')
def nan_full_grad(torch):       # the full max gives the gradient to its NaN
    x = _nan_rows(torch)
    torch.max(x).backward()
    return x.grad


@case('torch.unique')
def backward_not_implemented(torch):
    x = torch.tensor([1., 2., 2.], requires_grad=True)
    names = [f().grad_fn.name() for f in (lambda: torch.unique(x), lambda: torch.unique(x, dim=0),
                                          lambda: torch.unique_consecutive(x))]
    torch.unique(x, return_counts=True)[0].sum().backward()
    return names


@case('torch.unique_consecutive')
def backward_not_implemented(torch):
    x = torch.tensor([1., 2., 2.], requires_grad=True)
    torch.unique_consecutive(x).sum().backward()


@case('torch.optim.SGD')
def lr_checks(torch):       # SGD tests lr < 0: a NaN passes; a string names its type first
    p = torch.nn.Parameter(torch.ones(2))
    torch.optim.SGD([p], lr=float('nan'))
    torch.optim.SGD([p], lr='a')


@case('torch.optim.SparseAdam')
def lr_checks(torch):
    p = torch.nn.Parameter(torch.ones(2))
    out = []
    for lr in (torch.tensor([0.1, 0.2]), 0.0, 'a'):
        try:
            torch.optim.SparseAdam([p], lr=lr)
        except (ValueError, TypeError) as e:
            out.append(f'{type(e).__name__}: {e}')
    return out
