"""Bugs found by running the scripts in examples/ under faketorch: one case per fix."""
import warnings

from conformance import case, check

# fft.rfft(...).abs() printed as complex
check('torch.abs', lambda torch: torch.tensor([3 + 4j, -1j]).abs(), name='complex_result_is_real')
check('torch.abs', lambda torch: torch.fft.rfft(torch.ones(4)).abs().dtype, name='complex64_to_float32')
# NumPy's det goes through exp(logdet): 17.999999999999996 where torch prints 18.0
check('torch.linalg.det', lambda torch: repr(torch.linalg.det(torch.tensor(
    [[4., 1., 0.], [1., 3., 1.], [0., 1., 2.]], dtype=torch.float64)).item()), name='lu_diagonal_product')
check('torch.linalg.det', lambda torch: (torch.linalg.det(torch.ones(0, 0)),
                                         torch.det(torch.tensor([[0., 1.], [1., 0.]]))), name='empty_and_swap')
# *_like kept C order; torch keeps a transposed input's strides and random fills follow memory
# order (dropout after batch_first attention drew a different mask)
check('torch.empty_like', lambda torch: torch.empty_like(torch.zeros(2, 3, 4).permute(2, 0, 1)).stride(),
      name='preserve_strides')
check('torch.zeros_like', lambda torch: torch.zeros_like(torch.zeros(2, 3).t(),
                                                         memory_format=torch.contiguous_format).stride(),
      name='contiguous_format')
check('torch.rand_like', lambda torch: torch.rand_like(torch.zeros(3, 4).t()), exact=True,
      name='transposed_memory_order')
check('torch.randn_like', lambda torch: torch.randn_like(torch.zeros(5, 4).t()), exact=True,
      name='transposed_memory_order')
check('torch.nn.functional.dropout', lambda torch: torch.nn.functional.dropout(torch.ones(3, 4).t(), 0.5),
      exact=True, name='transposed_memory_order')


@case('torch.nn.TransformerEncoderLayer')
def train_dropout_batch_first(torch):
    layer = torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.5, batch_first=True)
    out = layer(torch.randn(3, 5, 8))
    out.sum().backward()
    return out, layer.linear1.weight.grad


@case('torch.nn.Module.register_full_backward_hook')
def warns_when_no_input_requires_grad(torch):
    lin = torch.nn.Linear(3, 2)
    seen = []
    lin.register_full_backward_hook(lambda m, gin, gout: seen.append((gin, gout[0].shape)))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        lin(torch.randn(5, 3)).sum().backward()
    return seen, [(x.category.__name__, str(x.message)) for x in w]


# torch.autograd.functional was missing
@case('torch.autograd.functional.jacobian')
def jacobian_and_hessian(torch):
    F = torch.autograd.functional
    x = torch.tensor([1., 2.])
    return (F.jacobian(lambda v: v.sin() * v, x), F.jacobian(lambda a, b: (a * b, a.sum()), (x, x + 1)),
            F.hessian(lambda v: (v ** 3).sum(), x), F.jacobian(lambda v: v.exp(), x, create_graph=True))


check('torch.autograd.functional.vjp', lambda torch: torch.autograd.functional.vjp(
    lambda v: v ** 2, torch.tensor([1., 2.]), torch.ones(2)), name='basic')
check('torch.autograd.functional.jvp', lambda torch: torch.autograd.functional.jvp(
    lambda v: v ** 2, torch.tensor([1., 2.]), torch.tensor([1., -1.])), name='basic')
check('torch.autograd.functional.hvp', lambda torch: torch.autograd.functional.hvp(
    lambda v: (v ** 3).sum(), torch.tensor([1., 2.]), torch.ones(2)), name='basic')
