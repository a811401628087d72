"""Which of torch's CPU kernels refuse the float8 types, and the name each refusal prints.

torch 2.13 computes very little on float8: casts, copies, views, indexing, cat/stack, `abs`, `==`/`!=`,
`isnan`, `any`/`all`, tensor * tensor, `mm`/`linear` and the factories fill. Everything else raises
NotImplementedError '"<kernel>" not implemented for 'Float8_e4m3fn''. The tables hold torch's kernel
names (recorded from torch 2.13 on the CPU); the ops look them up only for float8 inputs."""
from .. import _dtype as D
from ._core import kernel_error

F8 = frozenset(D.float8_types)

# unary ops, by the name unary() declares them with
UNARY = {
    'neg': 'neg_cpu', 'exp': 'exp_vml_cpu', 'exp2': 'exp2', 'expm1': 'expm1_vml_cpu', 'log': 'log_vml_cpu',
    'log2': 'log2_vml_cpu', 'log10': 'log10_vml_cpu', 'log1p': 'log1p_vml_cpu', 'sqrt': 'sqrt_vml_cpu',
    'rsqrt': 'rsqrt_cpu', 'sin': 'sin_vml_cpu', 'cos': 'cos_vml_cpu', 'tan': 'tan_vml_cpu',
    'asin': 'asin_vml_cpu', 'acos': 'acos_vml_cpu', 'atan': 'atan_vml_cpu', 'sinh': 'sinh_cpu',
    'cosh': 'cosh_cpu', 'tanh': 'tanh_vml_cpu', 'asinh': 'asinh_cpu', 'acosh': 'acosh_cpu',
    'atanh': 'atanh_cpu', 'sigmoid': 'sigmoid_cpu_reduced_float', 'reciprocal': 'reciprocal_cpu',
    'relu': 'clamp_min_scalar_cpu', 'sign': 'sign_cpu', 'sgn': 'sign_cpu', 'floor': 'floor_vml_cpu',
    'ceil': 'ceil_vml_cpu', 'trunc': 'trunc_vml_cpu', 'frac': 'frac_cpu', 'square': 'pow',
    'logical_not': 'logical_not_cpu', 'bitwise_not': 'bitwise_not_cpu', 'erf': 'erf_vml_cpu',
    'erfc': 'erfc_vml_cpu', 'erfinv': 'erfinv_vml_cpu', 'lgamma': 'lgamma_vml_cpu', 'digamma': 'digamma',
    'i0': 'i0_vml_cpu', 'sinc': 'sinc_cpu', 'deg2rad': 'mul_cpu_reduced_float',
    'rad2deg': 'mul_cpu_reduced_float', 'isinf': 'isinf', 'isposinf': 'isposinf_cpu',
    'isneginf': 'isneginf_cpu', 'isfinite': 'isfinite', 'signbit': 'signbit_cpu',
}

# binary ops, by the name binary() declares them with: (kernel for a tensor other, for a scalar other);
# None: torch computes it (float8 * float8 works, float8 * 2 does not)
BINARY = {
    '_add': ('add_stub', 'add_stub'), '_sub': ('add_stub', 'add_stub'), 'mul': (None, 'mul_cpu_reduced_float'),
    '_div': ('div_cpu', 'div_cpu_reduced_float'), 'floor_divide': ('div_floor_cpu', 'div_floor_cpu_reduced_float'),
    'remainder': ('remainder_cpu', 'remainder_cpu'), 'fmod': ('fmod_cpu', 'fmod_cpu'),
    'atan2': ('atan2_cpu', 'atan2_cpu'), 'maximum': ('maximum_cpu', 'maximum_cpu'),
    'minimum': ('minimum_cpu', 'minimum_cpu'), 'fmax': ('fmax_cpu', 'fmax_cpu'), 'fmin': ('fmin_cpu', 'fmin_cpu'),
    'lt': ('lt_cpu', 'lt_cpu'), 'le': ('le_cpu', 'le_cpu'), 'gt': ('gt_cpu', 'gt_cpu'), 'ge': ('ge_cpu', 'ge_cpu'),
    'logical_and': ('logical_and_cpu', 'logical_and_cpu'), 'logical_or': ('logical_or_cpu', 'logical_or_cpu'),
    'logical_xor': ('logical_xor_cpu', 'logical_xor_cpu'), 'bitwise_and': ('bitwise_and_cpu', 'bitwise_and_cpu'),
    'bitwise_or': ('bitwise_or_cpu', 'bitwise_or_cpu'), 'bitwise_xor': ('bitwise_xor_cpu', 'bitwise_xor_cpu'),
    'bitwise_left_shift': ('lshift_cpu', 'lshift_cpu'), 'bitwise_right_shift': ('rshift_cpu', 'rshift_cpu'),
    'hypot': ('hypot_cpu', 'hypot_cpu'), 'logaddexp': ('logaddexp_cpu', 'logaddexp_cpu'),
    'logaddexp2': ('logaddexp2_cpu', 'logaddexp2_cpu'), 'nextafter': ('nextafter_cpu', 'nextafter_cpu'),
    'copysign': ('copysign_cpu', 'copysign_cpu'), 'xlogy': ('xlogy_cpu', 'xlogy_cpu'),
    'gcd': ('gcd_cpu', 'gcd_cpu'), 'lcm': ('lcm_cpu', 'lcm_cpu'), 'igamma': ('igamma_cpu', 'igamma_cpu'),
    'igammac': ('igammac_cpu', 'igammac_cpu'), 'heaviside': ('heaviside_cpu', 'heaviside_cpu'),
}

# the other ops that look their kernel up here (by the name they pass to refuse())
OTHER = {
    'sum': 'sum_cpu', 'mean': 'sum_cpu', 'nansum': 'nansum_cpu', 'nanmean': 'nansum_cpu', 'prod': 'prod_out_cpu',
    'max_all': 'max_all', 'min_all': 'min_all', 'max': 'max_cpu', 'min': 'min_cpu', 'amax': 'max_values_cpu',
    'amin': 'min_values_cpu', 'aminmax': 'aminmax_cpu', 'argmax': 'argmax_cpu', 'argmin': 'argmin_cpu',
    'sort': 'sorting_kernel_method_name', 'topk': 'topk_cpu', 'kthvalue': 'kthvalue_cpu', 'mode': 'mode_cpu',
    'std': 'std_cpu', 'equal': 'equal_notnan_cpu', 'isclose': 'mul_cpu_reduced_float',
    'nonzero': 'nonzero_count_cpu', 'count_nonzero': 'nonzero_count_cpu', 'unique': 'unique', 'flip': 'flip_cpu',
    'masked_fill': 'masked_fill', 'gather': 'gather_expanded_index', 'scatter': 'scatter_gather_tensor_cpu',
    'index_fill': 'index_fill_cpu', 'index_add': 'index_add_', 'index_copy': 'index_copy_cpu',
    'masked_scatter': 'masked_scatter', 'take': 'take_cpu', 'put': 'take_put_cpu', 'isin': 'isin_default_cpu',
    'lerp': 'lerp_kernel_scalar', 'lerp_tensor': 'lerp_kernel_tensor', 'addcmul': 'addcmul_cpu_out',
    'nan_to_num': 'nan_to_num', 'round': 'round_vml_cpu', 'round_decimals': 'round_cpu', 'angle': 'angle_cpu',
    'addcdiv': 'addcdiv_cpu_out', 'trace': 'trace', 'logit': 'logit_cpu', 'frexp': 'frexp_cpu',
    'polygamma0': 'digamma', 'polygamma1': 'trigamma', 'polygamma': 'polygamma', 'mvlgamma': 'arange_cpu',
}

# where one float8 type differs from the others: e5m2 has inf, e8m0fnu has fewer kernels still
BY_TYPE = {
    ('isinf', 'float8_e5m2'): None, ('isfinite', 'float8_e5m2'): None, ('isfinite', 'float8_e8m0fnu'): None,
    ('abs', 'float8_e8m0fnu'): 'abs_cpu', ('mm', 'float8_e8m0fnu'): 'addmm_impl_cpu_',
    ('index_put', 'float8_e8m0fnu'): 'index_put',
}


def unary_rejects(name):
    """{float8 dtype: torch's kernel name} for the unary op `name` (for unary()'s reject)."""
    out = {}
    for dt in D.float8_types:
        k = BY_TYPE.get((name, dt.name), UNARY.get(name))
        if k:
            out[dt] = k
    return out


def refuse(op, t):
    """torch's error for op on t, a float8 tensor (op: a key of OTHER)."""
    return kernel_error(OTHER[op], t.dtype, t._device)
