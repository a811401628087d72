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


# torch's refusals and its conversion of the function's result into the tensor's dtype
check('Tensor.apply_', lambda torch: torch.ones(3, requires_grad=True).apply_(lambda v: v), name='requires_grad')
check('Tensor.map_', lambda torch: torch.ones(3).map_(torch.ones(3, requires_grad=True), lambda a, b: a),
      name='other_requires_grad')
check('Tensor.map_', lambda torch: torch.ones(3).map_(torch.ones(3, dtype=torch.int32), lambda a, b: a),
      name='other_dtype')
check('Tensor.map_', lambda torch: torch.ones(3, dtype=torch.bool).map_(torch.ones(3, dtype=torch.half), lambda a, b: a),
      name='bool_other_half')
check('Tensor.map2_', lambda torch: torch.ones(3).map2_(torch.ones(3), torch.ones(3, dtype=torch.int64),
                                                        lambda a, b, c: a), name='y_dtype')
check('Tensor.apply_', lambda torch: torch.ones(2).apply_(lambda v: 'x'), name='returns_str')
check('Tensor.apply_', lambda torch: torch.ones(2).apply_(lambda v: None), name='returns_none')
check('Tensor.apply_', lambda torch: torch.ones(2, dtype=torch.int64).apply_(lambda v: 2 ** 70), name='int_overflow')
check('Tensor.apply_', lambda torch: torch.ones(2, dtype=torch.int32).apply_(lambda v: 2 ** 40), name='int32_overflow')
check('Tensor.apply_', lambda torch: torch.ones(2, dtype=torch.int8).apply_(lambda v: 2.9e30), name='float_into_int8')
check('Tensor.apply_', lambda torch: torch.ones(2, dtype=torch.int64).apply_(lambda v: '3'), name='str_into_int')


@case('Tensor.apply_')
def result_conversion(torch):
    def apply(dtype, value):
        return torch.ones(2, dtype=dtype).apply_(lambda v: value)
    return (apply(torch.int64, 2.7), apply(torch.int64, -2.7), apply(torch.bool, 0.5), apply(torch.bool, 5),
            apply(torch.uint8, -1), apply(torch.float32, 2 ** 200), apply(torch.float16, 1e6),
            apply(torch.bfloat16, 1.001), apply(torch.int64, torch.tensor(3)), apply(torch.float32, torch.tensor([2.5])),
            apply(torch.int64, True), apply(torch.complex64, 1j), apply(torch.float64, True))

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
