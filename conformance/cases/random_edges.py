"""Random ops on edge and bad arguments: torch's values (same seed, exact) or its error, for each
rule faketorch once got wrong; one case per rule."""
from conformance import check


def _grad_fn(torch, fill):
    y = torch.ones(3, requires_grad=True)
    z = y * 1
    fill(z)
    z.sum().backward()
    return z.grad_fn.name(), y.grad


# --- generators and state ----------------------------------------------------------------------------
check('torch.Generator', lambda torch: torch.Generator().graphsafe_get_state(), name='graphsafe_get_state')
check('torch.Generator', lambda torch: (torch.Generator().graphsafe_set_state(3)), name='graphsafe_set_state_type')
for _d in ('mps', 'xpu', 'hpu', 'mtia', 'xla', 'privateuseone'):
    check('torch.Generator', lambda torch, d=_d: torch.Generator(d), name=f'{_d}_backend')
check('torch.Generator', lambda torch: torch.Generator('cpu', 3), name='two_positional')
check('torch.Generator', lambda torch: torch.Generator(seed=3), name='unexpected_keyword')
check('torch.Generator', lambda torch: torch.Generator('cpu', device='cpu'), name='device_twice')
check('torch.set_rng_state', lambda torch: torch.set_rng_state(torch.get_rng_state().view(2, -1).t()),
      name='non_contiguous_state')

# --- factories: torch's argument parser --------------------------------------------------------------
check('torch.rand', lambda torch: torch.rand(size=(2, 3)), exact=True, name='size_keyword')
check('torch.rand', lambda torch: torch.randn(), name='no_size')
check('torch.rand', lambda torch: torch.rand((2, 3), 4), name='tuple_then_int')
check('torch.rand', lambda torch: torch.rand(3, generator=3), name='generator_type')
check('torch.rand', lambda torch: torch.rand(2, 3, out=torch.empty(2, 3), dtype=torch.float64),
      name='dtype_out_mismatch')
check('torch.rand', lambda torch: torch.randn(2, out=torch.empty(2, dtype=torch.float64), requires_grad=True),
      exact=True, name='out_dtype_and_requires_grad')
check('torch.randint', lambda torch: (torch.randint(0, 5, 3), ), name='int_size_with_low')
check('torch.randint', lambda torch: torch.randint(0.5, 10, (5,)), name='float_low')
check('torch.randint', lambda torch: torch.randint(True, 10, (5,)), name='bool_low')
check('torch.randint', lambda torch: torch.randint(10), name='no_size')
check('torch.randint', lambda torch: torch.randint(10, 3), name='high_int_size')
check('torch.randint', lambda torch: torch.randint(2.5, (3,)), name='high_float')
check('torch.randint', lambda torch: torch.randint(high=3, size=2), name='size_keyword_int')
check('torch.randint', lambda torch: torch.randint(0, 10, (2.5,)), name='float_in_size')
check('torch.randint', lambda torch: (torch.randint(high=10, size=(3,)), torch.randint(low=2, high=10, size=(3,))),
      exact=True, name='keywords')
check('torch.randint', lambda torch: torch.randint(0, 10, (5,), out=torch.empty(5), dtype=torch.int64),
      name='dtype_out_mismatch')

# --- *_like ------------------------------------------------------------------------------------------
check('torch.rand_like', lambda torch: (torch.rand_like(torch.ones(3, dtype=torch.complex64)),
                                        torch.randn_like(torch.ones(20, dtype=torch.complex128))),
      exact=True, name='complex_real_view')
check('torch.rand_like', lambda torch: (torch.rand_like(torch.ones(3), generator=torch.Generator()),
                                        torch.randn_like(torch.ones(3), generator=torch.Generator().manual_seed(3)),
                                        torch.randint_like(torch.ones(3), 10, generator=torch.Generator())),
      exact=True, name='generator')
check('torch.rand_like', lambda torch: torch.rand_like(torch.ones(2), generator=1), name='generator_type')
check('torch.rand_like', lambda torch: torch.rand_like(3), name='not_tensor')
check('torch.randint_like', lambda torch: torch.randint_like(torch.ones(3)), name='no_high')
check('torch.randint_like', lambda torch: torch.randint_like(torch.ones(3), 2.5), name='float_high')
check('torch.randint_like', lambda torch: torch.randint_like(torch.ones(2, 3).t(), 10), exact=True,
      name='memory_order')
check('torch.randint_like', lambda torch: torch.randint_like(torch.ones(3, dtype=torch.int64), 10,
                                                             requires_grad=True), name='int_requires_grad')

# --- in-place samplers -------------------------------------------------------------------------------
check('Tensor.uniform_', lambda torch: (torch.empty(5, dtype=torch.complex64).uniform_(2, 3),
                                        torch.empty(20, dtype=torch.complex64).normal_(1, 2)),
      exact=True, name='complex_real_view')
check('Tensor.uniform_', lambda torch: torch.empty(5).uniform_(0, 'b'), name='float_arg_type')
check('Tensor.uniform_', lambda torch: torch.empty(5).uniform_(a=1), name='unexpected_keyword')
check('Tensor.geometric_', lambda torch: torch.empty(5).geometric_(), name='missing_p')
check('Tensor.normal_', lambda torch: torch.empty(5).normal_(0, float('nan')), name='nan_std')
check('Tensor.normal_', lambda torch: torch.empty(5, dtype=torch.int64).normal_(0, -1), name='std_before_dtype')
check('Tensor.exponential_', lambda torch: torch.empty(5).exponential_(generator=1), name='generator_type')
for _name, _fill in {'uniform_': lambda t: t.uniform_(), 'normal_': lambda t: t.normal_(),
                     'exponential_': lambda t: t.exponential_(), 'cauchy_': lambda t: t.cauchy_(),
                     'log_normal_': lambda t: t.log_normal_(), 'geometric_': lambda t: t.geometric_(0.5),
                     'random_': lambda t: (t.random_(), t.random_(5), t.random_(2, 5)),
                     'bernoulli_': lambda t: (t.bernoulli_(0.5), t.bernoulli_(t.new_full((3,), 0.5)))}.items():
    check(f'Tensor.{_name}', lambda torch, f=_fill: _grad_fn(torch, f), exact=True, name='grad_fn_zero_grad')
check('Tensor.random_', lambda torch: torch.empty(5).random_(2.5), name='float_to')
check('Tensor.random_', lambda torch: torch.empty(5).random_(0, 2.5), name='float_to_with_from')
check('Tensor.random_', lambda torch: torch.empty(5).random_(5, generator=1), name='generator_type_one_arg')
check('Tensor.random_', lambda torch: torch.empty(5).random_(0, 5, generator=1), name='generator_type_two_args')
check('Tensor.random_', lambda torch: torch.empty(5, dtype=torch.complex64).random_(), name='complex')
check('Tensor.random_', lambda torch: torch.empty(5, dtype=torch.complex64).random_(3), name='complex_bounds')
check('Tensor.random_', lambda torch: torch.empty(5, dtype=torch.float32).random_(2 ** 24, None),
      name='float_from_at_to_inc')
check('Tensor.bernoulli_', lambda torch: torch.empty(5).bernoulli_(0.5, generator=1), name='generator_type')
check('Tensor.bernoulli_', lambda torch: torch.empty(5).bernoulli_(None), name='p_none')
check('Tensor.bernoulli_', lambda torch: torch.empty(5).bernoulli_(torch.rand(3)), name='p_not_expandable')
check('Tensor.bernoulli_', lambda torch: torch.empty(5).bernoulli_(torch.ones(5, dtype=torch.int64)), name='int_p')
check('Tensor.bernoulli_', lambda torch: torch.empty(5, dtype=torch.complex64).bernoulli_(0.3), name='complex_self')
check('torch.bernoulli', lambda torch: torch.bernoulli(torch.ones(3, dtype=torch.bool)), name='bool_p')
check('torch.bernoulli', lambda torch: torch.bernoulli(3), name='not_tensor')
check('torch.bernoulli', lambda torch: torch.bernoulli(torch.rand(3), generator=1), name='generator_type')
check('torch.bernoulli', lambda torch: torch.bernoulli(torch.rand(3), out=torch.empty(3, dtype=torch.int64)),
      exact=True, name='out_other_dtype')

# --- torch.normal's four overloads -------------------------------------------------------------------
check('torch.normal', lambda torch: torch.normal(torch.zeros(3), torch.ones(2)), name='broadcast_error')
check('torch.normal', lambda torch: torch.normal(2., 3., (4,), dtype=torch.int64), name='int_dtype')
check('torch.normal', lambda torch: torch.normal(2., 3.), name='no_size')
check('torch.normal', lambda torch: torch.normal(2., 3., 4), name='int_size')
check('torch.normal', lambda torch: torch.normal(torch.zeros(3), 'a'), name='str_std')
check('torch.normal', lambda torch: torch.normal(1., torch.ones(3), (3,)), name='tensor_std_with_size')
check('torch.normal', lambda torch: torch.normal(torch.tensor(1.), 1., (3,)), exact=True, name='0d_mean_is_float')
check('torch.normal', lambda torch: torch.normal(std=torch.ones(3)), name='missing_mean')
check('torch.normal', lambda torch: torch.normal(torch.zeros(3), 1., generator=1), name='generator_type')
check('torch.normal', lambda torch: torch.normal(torch.zeros(3), float('nan')), name='nan_std')
check('torch.normal', lambda torch: torch.normal(torch.zeros(3), torch.tensor([1., float('nan'), 1.])),
      name='nan_in_std_tensor')
check('torch.normal', lambda torch: torch.normal(torch.zeros(3), 1., out=torch.empty(3, dtype=torch.float64)),
      exact=True, name='drawn_in_out_dtype')
check('torch.normal', lambda torch: (torch.normal(torch.zeros(3, dtype=torch.complex64), torch.tensor([1., 2., 3.])),
                                     torch.normal(torch.ones(20, dtype=torch.complex128), 2.)),
      exact=True, name='complex_mean')

# --- multinomial, poisson, randperm ------------------------------------------------------------------
check('torch.multinomial', lambda torch: torch.multinomial(torch.zeros(0, 3), 2, True), name='no_rows_replacement')
check('torch.multinomial', lambda torch: torch.multinomial(torch.rand(4, 5).t(), 2), exact=True,
      name='transposed_noise_order')
check('torch.multinomial', lambda torch: torch.multinomial(torch.rand(5), 2.5), name='float_num_samples')
check('torch.multinomial', lambda torch: torch.multinomial(torch.rand(5), 2, 1), name='int_replacement')
check('torch.multinomial', lambda torch: torch.multinomial(torch.rand(5), 2, out=torch.empty(2, dtype=torch.int32)),
      name='out_not_long')
check('torch.multinomial', lambda torch: torch.multinomial(3, 1), name='not_tensor')
check('torch.poisson', lambda torch: torch.poisson(torch.tensor([float('inf')])), name='inf_rate')
check('torch.poisson', lambda torch: (lambda x: (torch.poisson(x).grad_fn.name(), torch.autograd.grad(
    torch.poisson(x).sum(), x)))(torch.rand(3, requires_grad=True)), name='grad_fn_zero_grad')
check('torch.poisson', lambda torch: torch.poisson(torch.rand(3), generator=1), name='generator_type')
check('torch.poisson', lambda torch: torch.poisson(3), name='not_tensor')
check('torch.randperm', lambda torch: torch.randperm(2050, dtype=torch.float16), name='half_too_large')
check('torch.randperm', lambda torch: torch.randperm(2 ** 24 + 2, dtype=torch.float32), name='float_too_large')
check('torch.randperm', lambda torch: torch.randperm(5, dtype=torch.uint16), name='uint16')
check('torch.randperm', lambda torch: torch.randperm(5, 3), name='two_positional')
check('torch.randperm', lambda torch: torch.randperm(n=5), exact=True, name='n_keyword')

# --- fork_rng ----------------------------------------------------------------------------------------
check('torch.random.fork_rng', lambda torch: torch.random.fork_rng(device_type='foo').__enter__(),
      name='bad_device_type')

# --- random_ bounds per dtype ------------------------------------------------------------------------
check('Tensor.random_', lambda torch: torch.empty(4, dtype=torch.int32).random_(-2 ** 63, None),
      name='full_range_int32')
check('Tensor.random_', lambda torch: torch.empty(4, dtype=torch.bool).random_(-2 ** 63, None), name='full_range_bool')
check('Tensor.random_', lambda torch: torch.empty(4, dtype=torch.uint32).random_(-2 ** 63, None),
      name='full_range_uint32')
check('Tensor.random_', lambda torch: torch.empty(4, dtype=torch.uint16).random_(-1, 2), name='uint16_type_name')
check('Tensor.random_', lambda torch: torch.empty(4, dtype=torch.uint64).random_(1, None), name='uint64_to_inc')
check('Tensor.random_', lambda torch: (torch.empty(4, dtype=torch.uint32).random_(1, None),
                                       torch.empty(4, dtype=torch.uint64).random_(5)), exact=True, name='unsigned')

# --- dtypes the kernels lack -------------------------------------------------------------------------
check('Tensor.bernoulli_', lambda torch: torch.empty(5, dtype=torch.uint16).bernoulli_(0.3), name='uint16_self')
check('Tensor.bernoulli_', lambda torch: torch.empty(5, dtype=torch.uint32).bernoulli_(torch.rand(5)),
      name='uint32_self_tensor_p')
check('torch.bernoulli', lambda torch: torch.bernoulli(torch.full((3,), 0.5, dtype=torch.complex64)),
      name='complex_self_first')
check('torch.multinomial', lambda torch: torch.multinomial(torch.ones(3, dtype=torch.uint16), 2),
      name='scalar_type_name')
check('torch.normal', lambda torch: torch.normal(0., torch.ones(3, dtype=torch.uint16)), name='uint16_std_min')
check('torch.normal', lambda torch: torch.normal(0., torch.ones(3, dtype=torch.complex64)), name='complex_std')
check('torch.normal', lambda torch: torch.normal(0., 1., (3,), dtype=torch.complex64), exact=True,
      name='complex_dtype_size')
check('Tensor.uniform_', lambda torch: torch.empty(1, 4).expand(3, 4).uniform_(), name='expanded_self')
check('Tensor.random_', lambda torch: torch.empty(1, 4).expand(3, 4).random_(5, 2), name='expanded_before_bounds')
check('Tensor.bernoulli_', lambda torch: torch.empty(1, 4).expand(3, 4).bernoulli_(torch.rand(3)),
      name='expanded_before_expand')
check('Tensor.uniform_', lambda torch: (lambda x: (x.uniform_(), x.requires_grad))(
    torch.ones(3, requires_grad=True).detach()), exact=True, name='detached_no_graph')
check('torch.multinomial', lambda torch: (torch.multinomial(torch.tensor([0., 1., 0., 2., 0., 0.]), 6),
                                          torch.multinomial(torch.tensor([[0., 1., 0., 2.], [1., 0., 0., 0.]]), 3)),
      exact=True, name='zero_probabilities_topk_ties')
check('torch.multinomial', lambda torch: torch.multinomial(torch.tensor([3e38, 3e38, 1.]), 5, True), exact=True,
      name='overflowing_sum_no_warning')

# --- extreme parameters: torch's values, no warnings ---------------------------------------------------
check('Tensor.normal_', lambda torch: (torch.empty(3, dtype=torch.float64).normal_(1e308, 1e308),
                                       torch.empty(20).normal_(1, 3e38)), exact=True, name='huge_fma_exact')
check('Tensor.log_normal_', lambda torch: (torch.empty(3).log_normal_(1e6, 1),
                                           torch.empty(3).log_normal_(float('inf'))), exact=True,
      name='exp_overflow_inf')
check('Tensor.geometric_', lambda torch: (torch.empty(3).geometric_(1e-300),
                                          torch.empty(3, dtype=torch.int32).geometric_(1e-12)), exact=True,
      name='overflowing_cast_silent')
check('Tensor.cauchy_', lambda torch: torch.empty(20, dtype=torch.float16).cauchy_(0, 1e308), exact=True,
      name='overflow_silent')
check('Tensor.random_', lambda torch: torch.empty(3).random_(2, 5, 3), name='three_positional')
check('torch.bernoulli', lambda torch: (lambda x: (lambda r: (r, r.grad_fn.name()))(torch.bernoulli(x, 0.5)))(
    torch.rand(3, requires_grad=True)), exact=True, name='float_p_not_implemented_node')
check('torch.bernoulli', lambda torch: (lambda x: torch.bernoulli(x, 0.5).sum().backward())(
    torch.rand(3, requires_grad=True)), name='float_p_no_derivative')
check('Tensor.bernoulli_', lambda torch: (lambda x: (lambda r: (r, r.grad_fn.name(), torch.autograd.grad(r.sum(), x)))(
    torch.empty(2, 3).bernoulli_(x)))(torch.rand(3, requires_grad=True)), exact=True, name='p_requires_grad')

# --- factory keywords of the wrong type: torch's "invalid combination" -----------------------------------
check('torch.rand', lambda torch: torch.rand(2, dtype=3), name='dtype_type')
check('torch.rand', lambda torch: torch.randn(2, 3, requires_grad=1), name='requires_grad_type')
check('torch.rand', lambda torch: torch.rand(2, out=3), name='out_type')
check('torch.rand', lambda torch: torch.randn(2, memory_format=torch.channels_last), name='names_torch_types')
check('torch.randint', lambda torch: torch.randint(1, 5, (2,), layout=3), name='layout_type')
check('torch.randperm', lambda torch: torch.randperm(3, pin_memory=1), name='pin_memory_type')
check('torch.normal', lambda torch: torch.normal(0., 1., (2,), requires_grad=1), name='requires_grad_type')
check('torch.rand_like', lambda torch: torch.rand_like(torch.ones(2), out=torch.empty(2)), name='no_out')
check('torch.randint_like', lambda torch: torch.randint_like(torch.ones(2), 4, memory_format=3),
      name='memory_format_type')

# --- out= of the right shape is filled where it lies (memory order, normal_'s non-contiguous path) ------
for _name, _call in {'rand': lambda torch, o: torch.rand(3, 2, out=o),
                     'randn': lambda torch, o: torch.randn(3, 2, out=o),
                     'randint': lambda torch, o: torch.randint(0, 9, (3, 2), out=o.to(torch.int64).t().t()),
                     'normal': lambda torch, o: torch.normal(torch.zeros(3, 2), torch.ones(3, 2) * 2, out=o),
                     'bernoulli': lambda torch, o: torch.bernoulli(torch.rand(3, 2), out=o)}.items():
    check(f'torch.{_name}', lambda torch, c=_call: c(torch, torch.empty(2, 3).t()), exact=True,
          name='transposed_out')
check('Tensor.bernoulli_', lambda torch: torch.empty(3, 4).t().bernoulli_(torch.rand(4, 3)), exact=True,
      name='transposed_self_tensor_p')

# --- integer arguments given as tensors ----------------------------------------------------------------
check('torch.randint_like', lambda torch: (torch.randint_like(torch.ones(3), torch.tensor(10.5)),
                                           torch.randint_like(torch.ones(3), torch.tensor(True))), exact=True,
      name='tensor_high')
check('torch.randint_like', lambda torch: torch.randint_like(torch.ones(3), torch.tensor([10])), name='tensor_high_1d')
check('torch.randint_like', lambda torch: torch.randint_like(torch.ones(3), torch.tensor(1 + 1j)),
      name='tensor_high_complex')
check('torch.randint_like', lambda torch: torch.randint_like(torch.ones(3), 2, high=10), exact=True,
      name='low_positional_high_keyword')
check('torch.randint', lambda torch: torch.randint(0, torch.tensor([5]), (3,)), exact=True, name='one_element_high')
check('torch.multinomial', lambda torch: torch.multinomial(torch.rand(4), torch.tensor([2])), exact=True,
      name='one_element_num_samples')

# --- the Tensor methods' own overloads -----------------------------------------------------------------
check('Tensor.bernoulli', lambda torch: torch.rand(3).bernoulli(torch.rand(3)), name='tensor_p')
check('Tensor.bernoulli', lambda torch: torch.rand(3).bernoulli(0.5, generator=1), name='generator_type')
check('Tensor.bernoulli', lambda torch: torch.rand(3).bernoulli(0.3, 0.2), name='two_positional')
check('Tensor.multinomial', lambda torch: torch.rand(3).multinomial(2, 1), name='replacement_position')
check('Tensor.multinomial', lambda torch: torch.rand(3).multinomial(2, True, 3), name='too_many_positional')
check('Tensor.multinomial', lambda torch: torch.multinomial(torch.rand(3)), name='missing_num_samples')
check('Tensor.multinomial', lambda torch: torch.multinomial(torch.rand(3), num_samples=2.5), name='keyword_type')
check('torch.poisson', lambda torch: torch.poisson(torch.rand(3), 3), name='generator_type_positional')
check('torch.poisson', lambda torch: torch.poisson(), name='missing_input')
check('torch.randint', lambda torch: torch.randint(0, 5, (3,), torch.Generator()), name='positional_generator')
check('torch.rand', lambda torch: torch.rand(3, torch.Generator()), name='positional_generator')
check('torch.rand_like', lambda torch: torch.rand_like(torch.ones(3), torch.Generator()), name='positional_generator')
check('Tensor.bernoulli_', lambda torch: torch.empty(3).bernoulli_(0.5, torch.Generator()), name='positional_generator')
check('torch.normal', lambda torch: torch.normal(0., 1., (2, 2.5)), name='size_later_element')
check('torch.normal', lambda torch: torch.normal(0., 1., (2.5,)), name='size_first_element')
check('torch.randperm', lambda torch: torch.randperm(2 ** 63), name='n_overflow')
check('torch.randperm', lambda torch: torch.randperm(-2 ** 63), name='n_int64_min')
