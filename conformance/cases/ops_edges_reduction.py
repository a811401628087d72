"""Reductions, scans and order statistics on edge input: torch's result, or its error, for each rule
faketorch once got wrong; one case per rule."""
from conformance import check


def _x(torch, *shape, dtype=None):
    n = 1
    for s in shape:
        n *= s
    return (torch.arange(n, dtype=torch.float32).reshape(shape) - 2).to(dtype or torch.float32)


# --- arguments of the wrong type: torch's parser words the error ---------------------------------
check('torch.sum', lambda torch: torch.sum(_x(torch, 2, 3), 'a'), name='str_dim_invalid_combination')
check('Tensor.sum', lambda torch: _x(torch, 2, 3).sum(1.0), name='float_dim_method_signatures')
check('torch.max', lambda torch: torch.max(_x(torch, 2, 3), (0, 1)), name='tuple_dim')
check('Tensor.max', lambda torch: _x(torch, 2, 3).max(dim=(0, 1)), name='tuple_dim_keyword')
check('torch.std', lambda torch: torch.std(_x(torch, 2, 3), 'a'), name='str_dim_marks_overload')
check('torch.argmax', lambda torch: torch.argmax(_x(torch, 2, 3), (0, 1)), name='tuple_dim_one_overload')
check('Tensor.argmax', lambda torch: _x(torch, 2, 3).argmax(dim=[1]), name='list_dim_keyword')
check('Tensor.argmax', lambda torch: _x(torch, 2, 3).argmax(0, True, 1), name='too_many_positionals')
check('torch.median', lambda torch: torch.median(_x(torch, 2, 3), 1.0), name='float_dim')
check('torch.cumsum', lambda torch: torch.cumsum(_x(torch, 2, 3), (0,)), name='tuple_dim')
check('torch.nanmean', lambda torch: torch.nanmean(_x(torch, 2, 3), 1.0), name='float_dim')
check('torch.prod', lambda torch: torch.prod(_x(torch, 2, 3), (0, 1)), name='tuple_dim_function')
check('torch.logsumexp', lambda torch: torch.logsumexp(_x(torch, 2, 3)), name='missing_dim')
check('torch.logsumexp', lambda torch: torch.logsumexp(_x(torch, 2, 3), None), name='none_dim')
check('torch.aminmax', lambda torch: torch.aminmax(_x(torch, 2, 3), 1), name='positional_dim')
check('torch.aminmax', lambda torch: torch.aminmax(_x(torch, 2, 3), dim=[1]), name='list_dim')
check('torch.count_nonzero', lambda torch: torch.count_nonzero(_x(torch, 2, 3), -1, keepdim=True),
      name='keepdim_invalid_combination')
check('torch.var_mean', lambda torch: torch.var_mean(_x(torch, 2, 3), 1.0), name='float_dim_no_out')
check('torch.sum', lambda torch: (torch.sum(_x(torch, 2, 3), torch.tensor(1)), _x(torch, 2, 3).argmax(torch.tensor(0))),
      name='int_tensor_dim')
check('torch.argmax', lambda torch: torch.argmax(_x(torch, 2, 3), True), name='bool_dim')
# the parser runs before the op's dtype checks
check('torch.mean', lambda torch: torch.mean(_x(torch, 2, 3, dtype=torch.int64), 1.0), name='int_input_float_dim')
check('torch.argmax', lambda torch: torch.argmax(_x(torch, 2, 3, dtype=torch.bool), (0,)), name='bool_input_tuple_dim')

# --- complex input: no kernel, each op's own words, after its dim checks -----------------------------
_C = lambda torch, *shape: _x(torch, *shape, dtype=torch.complex64)     # noqa: E731
check('torch.max', lambda torch: torch.max(_C(torch, 2, 3)), name='complex')
check('torch.max', lambda torch: torch.max(_C(torch, 0, 3), 1), name='complex_dim')
check('torch.amin', lambda torch: (torch.amin(_C(torch, 0, 3), 1), torch.amin(_C(torch, 2, 3), 1)), name='complex')
check('torch.argmax', lambda torch: torch.argmax(_C(torch, 0, 3)), name='complex_before_empty')
check('torch.aminmax', lambda torch: torch.aminmax(_C(torch, 0, 3), dim=1), name='complex')
check('torch.median', lambda torch: (torch.median(_C(torch, 0, 3)), torch.median(_C(torch, 2, 3), 0)),
      name='complex')
check('torch.mode', lambda torch: (torch.mode(_C(torch, 0, 3)), torch.mode(torch.tensor(1j)),
                                   torch.mode(_C(torch, 2, 3))),
      name='complex')
check('torch.kthvalue', lambda torch: torch.kthvalue(_C(torch, 0, 3), 1, 1), name='complex')
check('torch.cummax', lambda torch: (torch.cummax(_C(torch, 0, 3), 0), torch.cummax(_C(torch, 2, 3), 0)),
      name='complex')
check('torch.nansum', lambda torch: torch.nansum(_C(torch, 2, 3), (0, 0)), name='complex_dims_checked_first')

# --- empty reductions: torch's messages ----------------------------------------------------------------
check('torch.nanmedian', lambda torch: torch.nanmedian(torch.zeros(0, 3), 0), name='empty_dim_says_median')
check('torch.aminmax', lambda torch: torch.aminmax(torch.zeros(0, 3), dim=0), name='empty_dim')
check('torch.kthvalue', lambda torch: torch.kthvalue(torch.tensor(True), 1), name='bool_0d')
check('torch.cummin', lambda torch: torch.cummin(torch.tensor(1 + 2j), 0), name='complex_0d')
check('torch.aminmax', lambda torch: torch.aminmax(torch.tensor(1j), dim=0), name='complex_0d_dim')
check('torch.logcumsumexp', lambda torch: torch.logcumsumexp(_x(torch, 2, 3) + 1j * _x(torch, 2, 3).flip(1), 1),
      name='complex')
check('torch.logcumsumexp', lambda torch: torch.logcumsumexp(torch.zeros(0, 3, dtype=torch.int64), 0), name='int')

# --- dtype= ----------------------------------------------------------------------------------------------
check('torch.cumsum', lambda torch: (torch.cumsum(torch.zeros(0), 0, dtype=torch.bool),
                                     torch.cumprod(_x(torch, 2, 3), 1, dtype=torch.bool)), name='bool_dtype')
check('torch.nansum', lambda torch: (torch.nansum(torch.zeros(0), dtype=torch.complex64),
                                     torch.nansum(_x(torch, 2, 3), dtype=torch.complex64)), name='complex_dtype')
check('torch.nanmean', lambda torch: torch.nanmean(_x(torch, 2, 3, dtype=torch.complex64), dtype=torch.int32),
      name='int_dtype')
check('torch.std_mean', lambda torch: torch.std_mean(_x(torch, 2, 3, dtype=torch.int64), 1, unbiased=True,
                                                     correction=1),
      name='unbiased_and_correction')

# --- empty input -----------------------------------------------------------------------------------------
check('torch.median', lambda torch: [torch.median(torch.zeros(0, dtype=dt)) for dt in
                                     (torch.int8, torch.uint8, torch.int16, torch.int32, torch.int64)],
      name='empty_int_values')

# --- quantile, histc, diff: the order of torch's checks, and their words ----------------------------
check('torch.nanquantile', lambda torch: torch.nanquantile(_x(torch, 2, 3), 1.5), name='errors_say_quantile')
check('torch.quantile', lambda torch: torch.quantile(torch.zeros(0), 0.5, interpolation='x'),
      name='interpolation_before_empty')
check('torch.quantile', lambda torch: torch.quantile(_x(torch, 2, 3, dtype=torch.int64), torch.tensor([[0.5]])),
      name='q_dims_before_dtype')
check('torch.histc', lambda torch: torch.histc(_x(torch, 2, 3, dtype=torch.int64), 0), name='bins_message')
check('torch.histc', lambda torch: torch.histc(_x(torch, 2, 3), 3, 2, 1), name='min_above_max')
check('torch.histc', lambda torch: torch.histc(_x(torch, 2, 3), 3, float('nan'), 1), name='not_finite')
check('torch.histc', lambda torch: torch.histc(_x(torch, 2, 3, dtype=torch.complex64)), name='complex_range')
check('torch.diff', lambda torch: torch.diff(_x(torch, 2, 3), -1), name='negative_order')
check('torch.cummax', lambda torch: torch.cummax(torch.tensor(1.), 1), name='scalar_dim_message')

# --- out= ------------------------------------------------------------------------------------------------
_O = lambda torch, dtype=None: torch.empty(0, dtype=dtype or torch.float32)      # noqa: E731
_L = lambda torch: torch.empty(0, dtype=torch.int64)                             # noqa: E731
check('torch.max', lambda torch: torch.max(_x(torch, 2, 3), 1, out=(_O(torch), _L(torch))), name='out_type_name')
check('torch.aminmax', lambda torch: torch.aminmax(_x(torch, 2, 3), dim=1, out=(_O(torch), _O(torch))), name='out')
check('Tensor.sum', lambda torch: _x(torch, 2, 3).sum(1, out=_O(torch)), name='method_takes_no_out')
check('Tensor.any', lambda torch: _x(torch, 2, 3).any(1, out=_O(torch)), name='method_takes_no_out')
check('Tensor.max', lambda torch: _x(torch, 2, 3).max(1, out=(_O(torch), _L(torch))), name='method_takes_no_out')
check('torch.sum', lambda torch: (lambda o: (torch.sum(_x(torch, 2, 3) / 3, 1, out=o), o))(_L(torch)),
      name='out_dtype_is_accumulation_dtype')
check('torch.cumsum', lambda torch: torch.cumsum(_x(torch, 2, 3), 1, dtype=torch.float64, out=_O(torch)),
      name='out_dtype_differs_from_dtype')
check('torch.sum', lambda torch: torch.sum(_x(torch, 2, 3), out=_O(torch)), name='out_without_dim')
check('torch.argmax', lambda torch: torch.argmax(_x(torch, 2, 3), 1, out=_O(torch, torch.int32)), name='out_not_long')
check('torch.amin', lambda torch: torch.amin(_x(torch, 2, 3), 1, out=_O(torch, torch.float64)), name='out_dtype')
check('torch.logsumexp', lambda torch: torch.logsumexp(_x(torch, 2, 3), 1, out=_L(torch)), name='out_int')
check('torch.all', lambda torch: (torch.all(_x(torch, 2, 3), 1, out=_O(torch, torch.uint8)),
                                  torch.all(_x(torch, 2, 3), out=_O(torch))), name='out_dtype')
check('torch.logcumsumexp', lambda torch: torch.logcumsumexp(_x(torch, 2, 3), 1, out=_O(torch, torch.float64)),
      name='out_dtype')
check('torch.count_nonzero', lambda torch: torch.count_nonzero(_x(torch, 2, 3), 1, out=_L(torch)), name='no_out')
check('torch.quantile', lambda torch: torch.quantile(_x(torch, 2, 3), 0.5, 1, out=_O(torch, torch.float64)),
      name='out_dtype')
check('torch.min', lambda torch: torch.min(_x(torch, 2, 3), 1, out=(_O(torch), _O(torch))), name='out_indices_float')
check('torch.median', lambda torch: torch.median(_x(torch, 2, 3), 1, out=(_L(torch), _L(torch))),
      name='out_values_long')
check('torch.mode', lambda torch: torch.mode(_x(torch, 2, 3), 1, out=(_O(torch), _O(torch))), name='out_indices_float')
check('torch.kthvalue', lambda torch: torch.kthvalue(_x(torch, 2, 3), 1, 1, out=(_L(torch), _L(torch))),
      name='out_values_long')
check('torch.cummin', lambda torch: torch.cummin(_x(torch, 2, 3), 1, out=(_O(torch), _O(torch))),
      name='out_indices_float')
check('torch.max', lambda torch: torch.max(_x(torch, 2, 3), 1, out=_O(torch)), name='out_not_tuple')
check('torch.nanmedian', lambda torch: torch.nanmedian(_x(torch, 2, 3), 1, out=_O(torch)), name='out_not_tuple')
check('torch.median', lambda torch: torch.median(_x(torch, 2, 3), out=_O(torch)), name='out_without_dim')

# --- values and gradients ------------------------------------------------------------------------------
check('torch.histc', lambda torch: torch.histc(torch.tensor([1., float('nan')])), name='nan_range_from_data')


def _lcse_complex_grad(torch):
    x = torch.tensor([1 + 1j, 0j, -2 + 3j, 5 - 1j], requires_grad=True)
    y = torch.logcumsumexp(x, 0)
    y.abs().sum().backward()
    return y, x.grad, torch.logcumsumexp(torch.tensor([complex(-float('inf'), 0), 1 + 1j]), 0)


check('torch.logcumsumexp', _lcse_complex_grad, name='complex_grad')

# --- more of torch's parser ------------------------------------------------------------------------------
check('torch.sum', lambda torch: (torch.sum(_x(torch, 2, 3), axis=1), _x(torch, 2, 3).amax(axis=0, keepdims=True),
                                  torch.max(_x(torch, 2, 3), axis=1, keepdims=True)), name='numpy_aliases')
check('torch.cumsum', lambda torch: torch.cumsum(_x(torch, 2, 3), 1, keepdims=True), name='alias_it_lacks')
check('torch.sum', lambda torch: torch.sum(_x(torch, 2, 3), dim=1, keepdim=1), name='keepdim_not_bool')
check('torch.std', lambda torch: torch.std(_x(torch, 2, 3), dim=1, keepdim=None), name='keepdim_none')
check('torch.amax', lambda torch: torch.amax([1., 2.], 0), name='input_not_tensor')
check('torch.count_nonzero', lambda torch: torch.count_nonzero([1., 2.], 0), name='marks_from_first_failure')
check('torch.sum', lambda torch: torch.sum(_x(torch, 2, 3), 0, dtype='float'), name='dtype_not_dtype')
check('torch.max', lambda torch: torch.max(_x(torch, 2, 3), dtype=torch.float64), name='dtype_type_name')
check('torch.any', lambda torch: (torch.sum(_x(torch, 2, 3), torch.tensor([1])),
                                  torch.any(_x(torch, 2, 3), torch.tensor([1]))),
      name='one_element_tensor_dim')
check('Tensor.aminmax', lambda torch: _x(torch, 2, 3).aminmax(0), name='one_positional_was_given')


def _var_no_dof_grad(torch):
    x = torch.tensor([3., 1., 2.], requires_grad=True)
    torch.var(x, correction=3).backward()
    g_var = x.grad
    x.grad = None
    torch.std(x, 0, correction=5).backward()
    return g_var, x.grad


check('torch.var', _var_no_dof_grad, name='no_degrees_of_freedom_grad')
check('torch.quantile', lambda torch: torch.quantile(_x(torch, 2, 3), [0.5]), name='q_list')
check('torch.kthvalue', lambda torch: torch.kthvalue(_x(torch, 2, 3), 1.5), name='float_k')
check('torch.bincount', lambda torch: torch.bincount(torch.tensor([0, 3, 1]), minlength=2.5), name='float_minlength')
check('torch.diff', lambda torch: torch.diff(_x(torch, 2, 3), append=torch.zeros(2)), name='append_dims')


def _double_backward(torch, fn, x):
    x = x.double().requires_grad_()
    g, = torch.autograd.grad(fn(x).pow(2).sum(), x, create_graph=True)
    return g.detach(), torch.autograd.grad((g * g.detach().flip(-1)).sum(), x)[0]


check('torch.cumprod', lambda torch: _double_backward(torch, lambda x: torch.cumprod(x, 1),
                                                      torch.tensor([[1.5, 0., 3.], [0., 0., -1.25]])),
      name='zeros_double_backward')
check('torch.prod', lambda torch: _double_backward(torch, lambda x: torch.prod(x, 0),
                                                   torch.tensor([[1.5, 0., 3.], [0., 0., -1.25]])),
      name='zeros_double_backward')
check('torch.logcumsumexp', lambda torch: _double_backward(torch, lambda x: torch.logcumsumexp(x, 1),
                                                           torch.tensor([[1.5, -2., 3.], [0.5, 4., -1.25]])),
      name='double_backward')
check('torch.std', lambda torch: torch.std(_x(torch, 2, 3), unbiased=1), name='unbiased_not_bool')
check('torch.var', lambda torch: torch.var(_x(torch, 2, 3), True, keepdim=True), name='unbiased_overload_alone')
check('torch.std_mean', lambda torch: torch.std_mean(_x(torch, 2, 3), 1, True, True, True),
      name='int_is_no_tuple_in_marks')
check('torch.max', lambda torch: (torch.max(_x(torch, 2, 3), other=_x(torch, 2, 3).flip(1)),
                                  _x(torch, 2, 3).min(other=torch.tensor(0.))), name='other_keyword')


def _cumsum_inplace(torch):
    x = torch.tensor([[1.5, 0., 3.]], requires_grad=True)
    t = x * 1
    t.cumprod_(1)
    t.sum().backward()
    return t, t.grad_fn.name(), x.grad, torch.tensor([1, 2], dtype=torch.int32).cumsum_(0)


check('Tensor.cumprod_', _cumsum_inplace, name='grad_fn_and_dtype')
check('Tensor.cumsum_', lambda torch: torch.ones(3).cumsum_(0, dtype=torch.float64), name='dtype_must_match')
check('Tensor.cumsum_', lambda torch: torch.ones(3, dtype=torch.bool).cumsum_(0), name='bool')
check('torch.max', lambda torch: torch.max(_x(torch, 2, 3), None), name='explicit_none_dim')
check('Tensor.prod', lambda torch: _x(torch, 2, 3).prod(dim=None), name='explicit_none_dim')
check('torch.median', lambda torch: torch.median(_x(torch, 2, 3), keepdim=True), name='keepdim_without_dim')
check('torch.histc', lambda torch: torch.histc(torch.tensor([0, 0], dtype=torch.uint8)), name='range_overflows_dtype')
check('torch.histc', lambda torch: torch.histc(torch.tensor([1., 2.], dtype=torch.float16), 4, 0, 70000),
      name='range_overflows_half')
check('torch.var_mean', lambda torch: [torch.var_mean(torch.tensor(r))[1] for r in
                                       ([3., float('inf')], [float('inf'), 3.], [float('inf'), float('inf')])],
      name='mean_with_inf_is_welford')
