"""Errors next to those of torch's OpInfo error inputs (the <api>::opinfo_errors ids): the same rules
on inputs those do not try. One case per rule."""
from conformance import check


def _t(torch, *shape):
    return torch.arange(float(torch.Size(shape).numel())).reshape(shape)


# --- binary ops given no tensor: torch's parser lists the overloads --------------------------------
check('torch.remainder', lambda torch: torch.remainder('a', _t(torch, 2)), name='str_input_marks_number_self')
check('torch.eq', lambda torch: torch.eq('a', _t(torch, 2)), name='str_input_invalid_combination')
check('torch.pow', lambda torch: torch.pow(2, 'a'), name='number_then_str')
check('torch.special.chebyshev_polynomial_t', lambda torch: torch.special.chebyshev_polynomial_t(2.5, 3),
      name='two_numbers')
check('torch.clamp_min', lambda torch: torch.clamp_min(2, _t(torch, 2)), name='number_input')
check('Tensor.__rmul__', lambda torch: torch.Tensor.__rmul__(2, _t(torch, 2)), name='unbound_non_tensor_self')

# --- out= that overlaps what the kernel reads ----------------------------------------------------------
check('torch.index_select', lambda torch: (lambda x: torch.index_select(x, 0, torch.tensor([0]), out=x[:1]))(
    _t(torch, 3)), name='out_aliases_input')
check('torch.cat', lambda torch: (lambda x: torch.cat([x, x], out=x))(_t(torch, 2)), name='out_is_input')
check('torch.gather', lambda torch: torch.gather(_t(torch, 3), 0, torch.tensor([0]), out=torch.zeros(1).expand(3)),
      name='expanded_out')

# --- argument checks ---------------------------------------------------------------------------------
check('torch.nn.functional.prelu', lambda torch: torch.nn.functional.prelu(_t(torch, 3), torch.ones(3)),
      name='one_d_input_is_one_channel')
check('torch.narrow_copy', lambda torch: torch.narrow_copy(_t(torch, 3), 0, 5, 1), name='start_out_of_range')
check('torch.arange', lambda torch: torch.arange(0, 6, 1.5, out=torch.empty(0, dtype=torch.int64)),
      name='computes_in_out_dtype')
check('torch.linspace', lambda torch: torch.linspace(0, 1, True), name='bool_steps')
check('torch.hsplit', lambda torch: torch.hsplit(_t(torch, 2, 2), [1.5]), name='float_indices')
check('torch.vstack', lambda torch: torch.vstack(_t(torch, 2)), name='tensor_not_list')
check('torch.column_stack', lambda torch: torch.column_stack([]), name='empty_list')
check('torch.histogramdd', lambda torch: torch.histogramdd(_t(torch, 5, 2), 2, range=[0., 1.]),
      name='range_length')
check('torch.cov', lambda torch: torch.cov(_t(torch, 5), fweights=torch.ones(5, dtype=torch.bool)),
      name='bool_fweights')
check('torch.polar', lambda torch: torch.polar(_t(torch, 2), _t(torch, 2), out=torch.empty(2, dtype=torch.complex128)),
      name='out_dtype')
check('torch.nn.functional.softshrink',
      lambda torch: torch.nn.functional.softshrink(_t(torch, 2).to(torch.bfloat16), float('nan')), name='nan_lambda')
check('torch.gradient', lambda torch: torch.gradient(_t(torch, 1, 3), dim=(0, 0)), name='dim_twice_before_sizes')
