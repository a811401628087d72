"""Known differences collected by earlier sessions, one case per rule: to()'s argument parsing and memory
formats, max/min gradients at NaN, norm's out= and keepdim, bool/int arguments torch's parser refuses,
new_* keyword sizes, real-only ops on complex, the bare unsigned dtypes, sharing and subclasses."""
from conformance import case, check

NAN = float('nan')

# --- 1. to(memory_format=): torch's rank check ------------------------------------------------------
check('Tensor.to', lambda torch: torch.ones(2, 3).to(memory_format=torch.channels_last_3d),
      name='leftovers_channels_last_3d_rank')
check('Tensor.to', lambda torch: torch.ones(2, 3, 4, 5).to(memory_format=torch.channels_last_3d),
      name='leftovers_channels_last_3d_rank_4d')
check('Tensor.to', lambda torch: torch.ones(2, 3, 4, 5, 6).to(memory_format=torch.channels_last_3d).stride(),
      name='leftovers_channels_last_3d_strides')
check('Tensor.to', lambda torch: torch.ones(2, 3).to(torch.float64, memory_format=torch.channels_last),
      name='leftovers_channels_last_rank_with_dtype')


# --- 2. gradients of the binary max / min where an input is NaN, and at ties ------------------------
def _binary_grads(torch, op):
    a = torch.tensor([NAN, 1., 2., NAN, 3., -1.], requires_grad=True)
    b = torch.tensor([1., NAN, 2., NAN, 3.5, -2.], requires_grad=True)
    op(torch, a, b).backward(torch.arange(1., 7.))
    return a.grad, b.grad


for _name, _op in (('maximum', lambda torch, a, b: torch.maximum(a, b)),
                   ('minimum', lambda torch, a, b: torch.minimum(a, b)),
                   ('max', lambda torch, a, b: torch.max(a, b)), ('min', lambda torch, a, b: torch.min(a, b)),
                   ('fmax', lambda torch, a, b: torch.fmax(a, b)), ('fmin', lambda torch, a, b: torch.fmin(a, b)),
                   ('clamp_min', lambda torch, a, b: torch.clamp_min(a, b)),
                   ('clamp_max', lambda torch, a, b: torch.clamp_max(a, b)),
                   ('clamp', lambda torch, a, b: torch.clamp(a, min=b, max=b + 1))):
    check(f'torch.{_name}', lambda torch, _op=_op: _binary_grads(torch, _op), name='leftovers_grad_nan_and_ties')


check('torch.linalg.vector_norm', lambda torch: [
    (lambda x: (torch.linalg.vector_norm(x, o).backward(), x.grad)[1])(torch.tensor(v, requires_grad=True))
    for o in (float('inf'), -float('inf')) for v in ([NAN, 1., -3.], [2., -2., 1.], [NAN, NAN, 0.])],
      name='leftovers_inf_grad_nan_and_ties')


@case('torch.maximum')
def leftovers_grad_nan_double_backward(torch):
    a = torch.tensor([NAN, 1., 2.], requires_grad=True)
    b = torch.tensor([1., NAN, 2.], requires_grad=True)
    g, = torch.autograd.grad(torch.maximum(a * a, b).sum(), a, create_graph=True)
    g.sum().backward()
    return g, a.grad


# --- 3. norm / vector_norm: out= of another dtype, keepdim given as an int ----------------------------
_X = [[1., -2.], [3., 4.]]
for _dt in ('float64', 'int64', 'complex64', 'float16'):
    check('torch.linalg.vector_norm', lambda torch, _dt=_dt: torch.linalg.vector_norm(
        torch.tensor(_X), out=torch.empty(0, dtype=getattr(torch, _dt))), name=f'leftovers_out_dtype_{_dt}')
    check('torch.norm', lambda torch, _dt=_dt: torch.norm(
        torch.tensor(_X), out=torch.empty(0, dtype=getattr(torch, _dt))), name=f'leftovers_out_dtype_{_dt}')
check('torch.norm', lambda torch: torch.norm(torch.tensor(_X), dim=1, out=torch.empty(0, dtype=torch.float64)),
      name='leftovers_dim_out_dtype')
check('torch.norm', lambda torch: torch.norm(torch.tensor(_X), p=1, dim=1, out=torch.empty(0, dtype=torch.float64)),
      name='leftovers_p1_out_dtype')
check('torch.norm', lambda torch: torch.norm(torch.tensor(_X), p='fro', out=torch.empty(0, dtype=torch.float64)),
      name='leftovers_fro_out_dtype')
check('torch.norm', lambda torch: torch.norm(torch.tensor(_X), p='nuc', out=torch.empty(0, dtype=torch.float64)),
      name='leftovers_nuc_out_dtype')
check('torch.norm', lambda torch: torch.norm(torch.tensor(_X), dim=0, out=torch.empty(0)),
      name='leftovers_out_same_dtype')
check('torch.linalg.vector_norm', lambda torch: torch.linalg.vector_norm(
    torch.tensor(_X), dtype=torch.float64, out=torch.empty(0)), name='leftovers_dtype_and_out_differ')
check('torch.linalg.norm', lambda torch: torch.linalg.norm(torch.tensor(_X), out=torch.empty(0, dtype=torch.float64)),
      name='leftovers_out_dtype')
check('torch.linalg.matrix_norm', lambda torch: torch.linalg.matrix_norm(
    torch.tensor(_X), out=torch.empty(0, dtype=torch.float64)), name='leftovers_out_dtype')
check('torch.norm', lambda torch: torch.norm(torch.tensor(_X), dim=1, keepdim=1), name='leftovers_keepdim_int')
check('torch.norm', lambda torch: torch.norm(torch.tensor(_X), keepdim=0), name='leftovers_keepdim_int_no_dim')
check('Tensor.norm', lambda torch: torch.tensor(_X).norm(dim=1, keepdim=1), name='leftovers_keepdim_int')
check('torch.linalg.vector_norm', lambda torch: torch.linalg.vector_norm(torch.tensor(_X), dim=1, keepdim=1),
      name='leftovers_keepdim_int')
check('torch.linalg.matrix_norm', lambda torch: torch.linalg.matrix_norm(torch.tensor(_X), keepdim=1),
      name='leftovers_keepdim_int')
check('torch.linalg.norm', lambda torch: torch.linalg.norm(torch.tensor(_X), keepdim=1), name='leftovers_keepdim_int')


# --- 4. to()'s overloads: torch's TypeError listing them ---------------------------------------------
_TO_ARGS = {
    'two_dtypes': lambda torch, x: ((torch.float32, torch.float64), {}),
    'two_devices': lambda torch, x: (('cpu', 'cpu'), {}),
    'dtype_then_device': lambda torch, x: ((torch.float64, 'cpu'), {}),
    'dtype_twice': lambda torch, x: ((torch.float64,), {'dtype': torch.float32}),
    'dtype_and_device_keyword': lambda torch, x: ((torch.float64,), {'device': 'cpu'}),
    'device_twice': lambda torch, x: (('cpu',), {'device': 'cpu'}),
    'tensor_and_dtype': lambda torch, x: ((x, torch.float64), {}),
    'tensor_and_dtype_keyword': lambda torch, x: ((x,), {'dtype': torch.float64}),
    'four_flags': lambda torch, x: ((torch.float64, True, True, True), {}),
    'five_positional': lambda torch, x: (('cpu', torch.float64, True, False, True), {}),
    'flag_not_bool': lambda torch, x: (('cpu', torch.float64, 1), {}),
    'non_blocking_int': lambda torch, x: ((torch.float64,), {'non_blocking': 1}),
    'copy_int': lambda torch, x: ((), {'copy': 1}),
    'non_blocking_none': lambda torch, x: ((), {'non_blocking': None}),
    'memory_format_int': lambda torch, x: ((), {'memory_format': 1}),
    'dtype_str': lambda torch, x: ((), {'dtype': 'cpu'}),
    'device_dtype': lambda torch, x: ((), {'device': torch.float64}),
    'unknown_keyword': lambda torch, x: ((), {'foo': 1}),
    'unknown_keyword_after_dtype': lambda torch, x: ((torch.float64,), {'foo': 1}),
    'keywords_listed_last_first': lambda torch, x: ((), {'dtype': torch.float64, 'foo': 2}),
    'list': lambda torch, x: (([1],), {}),
    'numpy_type': lambda torch, x: ((__import__('numpy').float64,), {}),
    'scalar_second': lambda torch, x: (('cpu', 1.5), {}),
    'bool_second': lambda torch, x: (('cpu', True), {}),
    'scalar_dtype_keyword': lambda torch, x: ((), {'dtype': 1.5, 'memory_format': torch.channels_last}),
    'python_types': lambda torch, x: ((float, float), {}),
}
for _n, _args in _TO_ARGS.items():
    check('Tensor.to', lambda torch, _args=_args: (lambda x: (lambda a, k: x.to(*a, **k))(*_args(torch, x)))(
        torch.ones(2)), name=f'leftovers_bad_args_{_n}')
check('Tensor.to', lambda torch: [torch.ones(2).to(*a, **k) for a, k in (
    ((None, torch.float64), {}), (('cpu', None, True), {}), ((torch.float64, True, True), {}),
    (('cpu',), {'dtype': torch.float64}), ((torch.ones(1, dtype=torch.int64),), {'copy': True}),
    ((torch.device('cpu'), int), {}), ((torch.float64,), {'copy': True}), ((), {'tensor': torch.ones(1).int()}),
    (('cpu', torch.float64, True, False), {}), ((None,), {}), ((complex,), {}))], name='leftovers_good_args')
check('nn.Module.to', lambda torch: torch.nn.Linear(1, 1).to(torch.float64, torch.float64),
      name='leftovers_bad_args_two_dtypes')
check('nn.Module.to', lambda torch: torch.nn.Linear(1, 1).to('cpu', 1.5), name='leftovers_bad_args_scalar_second')
check('nn.Module.to', lambda torch: torch.nn.Linear(1, 1).to(non_blocking=1),
      name='leftovers_bad_args_non_blocking_int')
check('nn.Module.to', lambda torch: torch.nn.Linear(1, 1).to('cpu', copy=False), name='leftovers_copy_refused')
check('nn.Module.to', lambda torch: torch.nn.Linear(1, 1).to(torch.float64, False, False),
      name='leftovers_copy_refused_positional')
check('nn.Module.to', lambda torch: torch.nn.Linear(1, 1).to(1.5).weight.dtype, name='leftovers_leading_scalar')

# --- 5. requires_grad given as an int ---------------------------------------------------------------
check('torch.ones', lambda torch: torch.ones(2, requires_grad=1), name='leftovers_requires_grad_int')
check('torch.zeros', lambda torch: torch.zeros(2, requires_grad=0), name='leftovers_requires_grad_int')
check('torch.tensor', lambda torch: torch.tensor([1., 2.], requires_grad=1), name='leftovers_requires_grad_int')
check('torch.full', lambda torch: torch.full((2,), 1., requires_grad=1), name='leftovers_requires_grad_int')
check('torch.empty', lambda torch: torch.empty(2, requires_grad=1), name='leftovers_requires_grad_int')
check('Tensor.new_empty_strided', lambda torch: torch.ones(2).new_empty_strided((2,), (1,), requires_grad=1),
      name='leftovers_requires_grad_int')
check('torch.frombuffer', lambda torch: torch.frombuffer(bytearray(8), dtype=torch.float32, requires_grad=1),
      name='leftovers_requires_grad_int')
check('torch.asarray', lambda torch: torch.asarray([1.], requires_grad=1), name='leftovers_requires_grad_int')
check('torch.tensor', lambda torch: torch.tensor([1.], requires_grad=None), name='leftovers_requires_grad_none')
check('nn.Parameter', lambda torch: torch.nn.Parameter(torch.ones(2), requires_grad=1), name='leftovers_requires_grad_int')
check('nn.Parameter', lambda torch: torch.nn.Parameter(torch.ones(2, dtype=torch.int64), 1),
      name='leftovers_requires_grad_int_of_int_tensor')
check('nn.Parameter', lambda torch: torch.nn.Parameter(torch.ones(2), None), name='leftovers_requires_grad_none')
check('torch.randn', lambda torch: torch.randn(2, requires_grad=1), name='leftovers_requires_grad_int')
check('torch.ones_like', lambda torch: torch.ones_like(torch.ones(2), requires_grad=1),
      name='leftovers_requires_grad_int')
check('Tensor.new_ones', lambda torch: torch.ones(2).new_ones(2, requires_grad=1), name='leftovers_requires_grad_int')
check('Tensor.new_tensor', lambda torch: torch.ones(2).new_tensor([1.], requires_grad=1),
      name='leftovers_requires_grad_int')

# --- 6. new_* with size= as a keyword ----------------------------------------------------------------
check('Tensor.new_ones', lambda torch: torch.ones(2, dtype=torch.int32).new_ones(size=(2, 3)),
      name='leftovers_size_keyword')
check('Tensor.new_zeros', lambda torch: torch.ones(2).new_zeros(size=(2, 3), dtype=torch.float64),
      name='leftovers_size_keyword')
check('Tensor.new_full', lambda torch: torch.ones(2).new_full(size=(2, 3), fill_value=4), name='leftovers_size_keyword')
check('Tensor.new_empty', lambda torch: torch.ones(2).new_empty(size=(2, 3)).shape, name='leftovers_size_keyword')
check('Tensor.new_ones', lambda torch: torch.ones(2).new_ones(size=[]), name='leftovers_size_keyword_empty')
check('Tensor.new_ones', lambda torch: torch.ones(2).new_ones(2, size=(2, 3)), name='leftovers_size_twice')
check('Tensor.new_zeros', lambda torch: torch.ones(2).new_zeros(sizes=(2,)), name='leftovers_sizes_keyword')
check('Tensor.new_ones', lambda torch: torch.ones(2).new_ones(size=2), name='leftovers_size_keyword_int')
check('Tensor.new_ones', lambda torch: torch.ones(2).new_ones(size=['a']), name='leftovers_size_keyword_list_of_str')
check('Tensor.new_ones', lambda torch: torch.ones(2).new_ones(size=2, foo=1),
      name='leftovers_size_keyword_checked_first')
check('Tensor.new_ones', lambda torch: torch.ones(2).new_ones(2, foo=1), name='leftovers_unknown_keyword')
check('Tensor.new_empty', lambda torch: torch.ones(2).new_empty(size=[2, 'a']), name='leftovers_size_keyword_bad_item')
check('Tensor.new_zeros', lambda torch: torch.ones(2).new_zeros(size=(2, -1)), name='leftovers_size_keyword_negative')
check('Tensor.new_ones', lambda torch: torch.ones(2).new_ones(size=torch.Size([2]), requires_grad=True),
      name='leftovers_size_keyword_torch_size')

# --- 7. real-only ops on complex tensors -------------------------------------------------------------
_Z = [1 + 2j, -3 - 1j]
_COMPLEX_REFUSED = (
    ('torch.clamp', lambda torch, z: torch.clamp(z, min=0)),
    ('torch.clamp', lambda torch, z: torch.clamp(z, 0, 1)),
    ('torch.clamp', lambda torch, z: torch.clamp(z, min=z)),
    ('torch.clamp', lambda torch, z: torch.clamp(torch.ones(2), min=z)),
    ('torch.clamp', lambda torch, z: torch.clamp(torch.ones(2), max=2j)),
    ('torch.clamp', lambda torch, z: torch.clamp(torch.ones(2, dtype=torch.int64), min=1j)),
    ('torch.clamp', lambda torch, z: torch.clamp(z, min=0, out=torch.empty(2, dtype=torch.complex64))),
    ('torch.clamp_min', lambda torch, z: torch.clamp_min(z, 0)),
    ('torch.clamp_min', lambda torch, z: torch.clamp_min(z, z)),
    ('torch.clamp_max', lambda torch, z: torch.clamp_max(z, 0)),
    ('torch.clamp_max', lambda torch, z: torch.clamp_max(z, z)),
    ('torch.clip', lambda torch, z: z.clip(0, 1)),
    ('torch.relu', lambda torch, z: torch.relu(z)),
    ('torch.sign', lambda torch, z: torch.sign(z)),
    ('torch.floor', lambda torch, z: torch.floor(z)),
    ('torch.ceil', lambda torch, z: torch.ceil(z)),
    ('torch.round', lambda torch, z: torch.round(z)),
    ('torch.round', lambda torch, z: torch.round(z, decimals=1)),
    ('torch.trunc', lambda torch, z: torch.trunc(z)),
    ('torch.fix', lambda torch, z: torch.fix(z)),
    ('torch.frac', lambda torch, z: torch.frac(z)),
    ('torch.signbit', lambda torch, z: torch.signbit(z)),
    ('torch.heaviside', lambda torch, z: torch.heaviside(z, z)),
    ('torch.fmod', lambda torch, z: torch.fmod(z, 2)),
    ('torch.remainder', lambda torch, z: torch.remainder(z, 2)),
    ('torch.floor_divide', lambda torch, z: torch.floor_divide(z, z)),
    ('Tensor.clamp_', lambda torch, z: z.clone().clamp_(min=0)),
    ('Tensor.clamp_min_', lambda torch, z: z.clone().clamp_min_(0)),
    ('Tensor.sign_', lambda torch, z: z.clone().sign_()),
    ('Tensor.floor_', lambda torch, z: z.clone().floor_()),
    ('Tensor.round_', lambda torch, z: z.clone().round_()),
    ('Tensor.frac_', lambda torch, z: z.clone().frac_()),
    ('Tensor.fix_', lambda torch, z: z.clone().fix_()),
)
for _i, (_api, _f) in enumerate(_COMPLEX_REFUSED):
    check(_api, lambda torch, _f=_f: _f(torch, torch.tensor(_Z)), name=f'leftovers_complex_refused_{_i}')
check('torch.floor', lambda torch: torch.floor(torch.tensor(_Z, requires_grad=True)),
      name='leftovers_complex_refused_grad')
check('torch.sgn', lambda torch: torch.sgn(torch.tensor(_Z)), name='leftovers_complex_allowed')

# --- 8. topk(k=True) ----------------------------------------------------------------------------------
check('torch.topk', lambda torch: torch.topk(torch.tensor([1., 3., 2.]), True), name='leftovers_k_bool')
check('Tensor.topk', lambda torch: torch.tensor([1., 3., 2.]).topk(k=True), name='leftovers_k_bool')
check('Tensor.topk', lambda torch: torch.tensor([1., 3., 2.]).topk(2, largest=1), name='leftovers_largest_int')
check('torch.kthvalue', lambda torch: torch.kthvalue(torch.tensor([1., 3., 2.]), True), name='leftovers_k_bool')
check('Tensor.topk', lambda torch: torch.tensor([1., 3., 2.]).topk(2, 0, 1), name='leftovers_largest_int_positional')
check('Tensor.topk', lambda torch: torch.tensor([1., 3., 2.]).topk(2, sorted=None), name='leftovers_sorted_none')
check('Tensor.topk', lambda torch: torch.tensor([1., 3., 2.]).topk(2.0), name='leftovers_k_float')
check('Tensor.topk', lambda torch: torch.tensor([1., 3., 2.]).topk(torch.tensor(2)), name='leftovers_k_tensor')
check('Tensor.topk', lambda torch: torch.tensor([1., 3., 2.]).topk(2, dim=0.), name='leftovers_dim_float')
check('Tensor.topk', lambda torch: torch.tensor([1., 3., 2.]).topk(2, foo=1), name='leftovers_unknown_keyword')
check('torch.topk', lambda torch: torch.topk(torch.tensor([1., 3., 2.]), 2,
                                             out=(torch.empty(0), torch.empty(0).long())), name='leftovers_out')

# --- 9. the bare unsigned dtypes (uint16, uint32, uint64): the unary ops torch has no kernel for -------
_UINT_REFUSED = (
    ('torch.abs', lambda torch, u: torch.abs(u)),
    ('torch.neg', lambda torch, u: torch.neg(u)),
    ('torch.bitwise_not', lambda torch, u: torch.bitwise_not(u)),
    ('torch.sign', lambda torch, u: torch.sign(u)),
    ('torch.sgn', lambda torch, u: torch.sgn(u)),
    ('torch.square', lambda torch, u: torch.square(u)),
    ('torch.logical_not', lambda torch, u: torch.logical_not(u)),
    ('torch.relu', lambda torch, u: torch.relu(u)),
    ('torch.clamp', lambda torch, u: torch.clamp(u, min=2)),
    ('torch.clamp', lambda torch, u: torch.clamp(u, 1, 2)),
    ('torch.clamp', lambda torch, u: torch.clamp(u, max=2)),
    ('torch.clamp', lambda torch, u: torch.clamp(u, min=u)),
    ('torch.clamp_min', lambda torch, u: torch.clamp_min(u, u)),
    ('Tensor.__invert__', lambda torch, u: ~u),
    ('Tensor.__neg__', lambda torch, u: -u),
    ('Tensor.__abs__', lambda torch, u: abs(u)),
    ('Tensor.abs_', lambda torch, u: u.abs_()),
    ('Tensor.neg_', lambda torch, u: u.neg_()),
    ('Tensor.bitwise_not_', lambda torch, u: u.bitwise_not_()),
    ('Tensor.relu_', lambda torch, u: u.relu_()),
    ('torch.floor_divide', lambda torch, u: torch.floor_divide(u, 2)),
    ('torch.remainder', lambda torch, u: u % u),
    ('torch.fmod', lambda torch, u: torch.fmod(u, 2)),
    ('torch.div', lambda torch, u: torch.div(u, u, rounding_mode='floor')),
    ('torch.div', lambda torch, u: torch.div(u, 2, rounding_mode='trunc')),
    ('torch.pow', lambda torch, u: u ** 2),
    ('torch.pow', lambda torch, u: u ** u),
    ('torch.pow', lambda torch, u: 2 ** u),
    ('torch.pow', lambda torch, u: u ** -1),
    ('torch.bitwise_left_shift', lambda torch, u: u << 1),
    ('torch.bitwise_right_shift', lambda torch, u: u >> u),
    ('torch.maximum', lambda torch, u: torch.maximum(u, u)),
    ('torch.minimum', lambda torch, u: torch.minimum(u, u)),
    ('torch.fmax', lambda torch, u: torch.fmax(u, u)),
    ('torch.fmin', lambda torch, u: torch.fmin(u, u)),
    ('torch.lt', lambda torch, u: u < 2),
    ('torch.le', lambda torch, u: u <= u),
    ('torch.gt', lambda torch, u: torch.gt(u, 2)),
    ('torch.ge', lambda torch, u: u.ge(u)),
    ('torch.logical_and', lambda torch, u: torch.logical_and(u, u)),
    ('torch.logical_or', lambda torch, u: torch.logical_or(u, u)),
    ('torch.logical_xor', lambda torch, u: torch.logical_xor(u, u)),
    ('torch.heaviside', lambda torch, u: torch.heaviside(u, u)),
    ('torch.gcd', lambda torch, u: torch.gcd(u, u)),
    ('torch.lcm', lambda torch, u: torch.lcm(u, u)),
)
for _dt in ('uint16', 'uint32', 'uint64'):
    for _i, (_api, _f) in enumerate(_UINT_REFUSED):
        check(_api, lambda torch, _f=_f, _dt=_dt: _f(torch, torch.tensor([1, 2, 3], dtype=getattr(torch, _dt))),
              name=f'leftovers_{_dt}_refused_{_i}')
    check('torch.floor', lambda torch, _dt=_dt: [f(torch.tensor([1, 2, 3], dtype=getattr(torch, _dt))) for f in (
        torch.floor, torch.ceil, torch.round, torch.trunc, torch.positive, torch.signbit, torch.isnan, torch.clone,
        torch.exp, torch.sqrt, lambda u: u.clamp(max=2.5), lambda u: u * 2, lambda u: u.sum(), lambda u: u == 2,
        lambda u: u != u, lambda u: u & u, lambda u: u | 1, lambda u: u ^ u, lambda u: u / 2, lambda u: u.float() ** u)],
        name=f'leftovers_{_dt}_allowed')


# --- 10. share_memory_, is_shared, as_subclass, Module.share_memory ----------------------------------
@case('Tensor.share_memory_')
def leftovers_share_memory(torch):
    x = torch.ones(2)
    before = x.is_shared()
    r = x.share_memory_()
    v = x[:1]
    return r is x, before, x.is_shared(), v.is_shared(), x.clone().is_shared(), x


@case('Tensor.is_shared')
def leftovers_is_shared_plain(torch):
    return torch.ones(2).is_shared(), torch.nn.Parameter(torch.ones(2)).is_shared()


@case('torch.nn.Module.share_memory')
def leftovers_module_share_memory(torch):
    m = torch.nn.Linear(2, 2)
    m.register_buffer('b', torch.ones(1))
    r = m.share_memory()
    return r is m, m.weight.is_shared(), m.bias.is_shared(), m.b.is_shared(), repr(r)


@case('Tensor.as_subclass')
def leftovers_as_subclass(torch):
    class Sub(torch.Tensor):
        pass
    x = torch.ones(2, requires_grad=True)
    s = x.as_subclass(Sub)
    s2 = torch.arange(3.).as_subclass(Sub)
    s2.add_(1)
    y = (s * 2).sum()
    y.backward()
    return (type(s).__name__, type(s2).__name__, s.requires_grad, s.is_leaf, s.grad_fn, repr(s2),
            x.grad, s.data_ptr() == x.data_ptr(), repr(s))


check('Tensor.as_subclass', lambda torch: torch.ones(2).as_subclass(int), name='leftovers_not_a_tensor_class')
check('Tensor.as_subclass', lambda torch: type(torch.ones(2).as_subclass(torch.Tensor)).__name__,
      name='leftovers_tensor_itself')
check('Tensor.as_subclass', lambda torch: (lambda x: (type(x).__name__, x))(
    torch.ones(2).as_subclass(torch.nn.Parameter)), name='leftovers_parameter')
