"""Tensor methods scripts reach for now and then: fill_diagonal_, apply_/map_/map2_, is_nonzero,
is_same_size, output_nr, dim_order, storage_type and the legacy attributes."""
from conformance import case, check


@case('Tensor.fill_diagonal_')
def fill_diagonal(torch):
    out = [torch.zeros(3, 4).fill_diagonal_(5.), torch.zeros(7, 3).fill_diagonal_(5., wrap=True),
           torch.zeros(7, 3).fill_diagonal_(5.), torch.zeros(4, 3).fill_diagonal_(2, wrap=True),
           torch.zeros(2, 2, 2).fill_diagonal_(1), torch.zeros(3, 5, dtype=torch.int64).fill_diagonal_(7),
           torch.zeros(4, 6)[:, ::2].fill_diagonal_(-1.), torch.zeros(6, 4).t().fill_diagonal_(3., wrap=True)]
    base = torch.zeros(5, 5)
    base[1:, 1:].fill_diagonal_(9.)
    return out, base


@case('Tensor.fill_diagonal_')
def fill_diagonal_autograd(torch):
    x = torch.ones(3, 3, requires_grad=True)
    y = (x * 2).fill_diagonal_(0.)
    y.sum().backward()
    return y, y.grad_fn.name(), x.grad


check('Tensor.fill_diagonal_', lambda torch: torch.zeros(2, 3, 2).fill_diagonal_(1), name='unequal_middle_dim')
check('Tensor.fill_diagonal_', lambda torch: torch.zeros(2).fill_diagonal_(1), name='one_dim_of_two')
check('Tensor.fill_diagonal_', lambda torch: torch.zeros(2, 2, requires_grad=True).fill_diagonal_(1), name='leaf')


@case('Tensor.apply_')
def python_elementwise(torch):
    t = torch.arange(6.).reshape(2, 3)
    tt = torch.arange(6).reshape(2, 3).t()
    return (torch.arange(4.).apply_(lambda x: x * 2), t.t().apply_(lambda x: x + 1), t, tt.apply_(lambda x: -x),
            torch.arange(4.).map_(torch.ones(4), lambda x, y: x + y),
            torch.arange(4.).map_(torch.tensor(3.), lambda x, y: x * y),
            torch.arange(4.).map2_(torch.ones(4), torch.ones(4), lambda x, y, z: x + y + z))


@case('Tensor.is_nonzero')
def small_predicates(torch):
    a = torch.zeros(3, 4)
    return (torch.tensor([0.]).is_nonzero(), torch.tensor(2).is_nonzero(), a.is_same_size(torch.ones(3, 4)),
            a.is_same_size(torch.ones(4, 3)), torch.ones(2, requires_grad=True).output_nr,
            [p.output_nr for p in torch.ones(4, requires_grad=True).split(2)], torch.ones(2).output_nr,
            torch.ones(2, 3, 4).dim_order(), torch.ones(2, 3, 4).transpose(0, 2).dim_order(),
            torch.ones(2, 3, 4, 5).permute(0, 2, 3, 1).contiguous().dim_order(),
            (lambda t: t.const_data_ptr() == t.data_ptr())(torch.ones(3)), torch.ones(2).name,
            torch.ones(2).is_xla, torch.ones(2).is_distributed(), torch.ones(2).storage_type().__name__,
            torch.ones(2, dtype=torch.bfloat16).storage_type().__name__)


check('Tensor.is_nonzero', lambda torch: torch.tensor([1, 2]).is_nonzero(), name='two_values')
check('Tensor.volatile', lambda torch: torch.ones(2).volatile)
check('Tensor.xpu', lambda torch: torch.ones(2).xpu())
check('Tensor.record_stream', lambda torch: torch.ones(2).record_stream(torch.cpu.current_stream()), name='cpu_tensor')
