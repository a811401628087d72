"""torch's top-level functions that are a Tensor method under another spelling: the in-place forms
(torch.sin_(x) is x.sin_()) and detach / get_device. Each calls the method."""
from .._tensor import Tensor
from ._core import register

_NAMES = ('abs_', 'acos_', 'acosh_', 'addmv_', 'arccos_', 'arccosh_', 'arcsin_', 'arcsinh_', 'arctan_',
          'arctanh_', 'asin_', 'asinh_', 'atan_', 'atanh_', 'ceil_', 'clamp_', 'clamp_max_', 'clamp_min_',
          'clip_', 'conj_physical_', 'cos_', 'cosh_', 'deg2rad_', 'detach', 'detach_', 'erf_', 'erfc_',
          'exp2_', 'exp_', 'expm1_', 'fill_', 'fix_', 'floor_', 'frac_', 'gcd_', 'get_device', 'i0_',
          'index_put_', 'lcm_', 'ldexp_', 'log10_', 'log1p_', 'log2_', 'log_', 'logit_', 'nan_to_num_',
          'neg_', 'negative_', 'rad2deg_', 'reciprocal_', 'round_', 'rsqrt_', 'sigmoid_', 'sin_', 'sinc_',
          'sinh_', 'sqrt_', 'square_', 'tan_', 'tanh_', 'trunc_', 'xlogy_', 'is_inference', 'is_same_size',
          'is_signed', 'is_distributed', 'as_strided_')


def _alias(name):
    def f(input, *args, **kwargs):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
        return getattr(input, name)(*args, **kwargs)
    f.__name__ = name
    return f


for _name in _NAMES:
    if hasattr(Tensor, _name):
        register(_alias(_name), name=_name, method=False)
