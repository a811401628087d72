"""The Tensor object's Python protocol and core API on edge input: operators with Python scalars and
foreign operands, in-place rules, conversions, autograd fields. One case per rule faketorch once got wrong."""
import operator

from conformance import case, check


def _ints(torch, dtype=None):
    return torch.tensor([-3, -1, 0, 2, 5], dtype=dtype or torch.int64)


# --- Python operators --------------------------------------------------------------------------------
check('Tensor.__rlshift__', lambda torch: (2 << _ints(torch).abs(), -3 << torch.tensor([1, 2], dtype=torch.uint8),
                                           True << torch.tensor([1, 2], dtype=torch.int8), 2 >> torch.tensor([True])),
      name='scalar_shifted_by_tensor')
check('Tensor.__rlshift__', lambda torch: 2.5 << torch.tensor([1, 2]), name='float_scalar_kernel_error')
check('Tensor.__ilshift__', lambda torch: (lambda x, y: (x.__ilshift__(1) is x, x, y.__irshift__(1) is y, y))(
    torch.tensor([1, 2, 3]), torch.tensor([4, 8])), name='in_place')
check('Tensor.__add__', lambda torch: torch.ones(2) + 'a', name='foreign_operand_not_implemented')
check('Tensor.__rpow__', lambda torch: None ** torch.ones(2), name='foreign_operand_not_implemented')
check('Tensor.__rmul__', lambda torch: (1, 2) * torch.tensor([1, 2]), name='sequence_repeat_reads_index')
check('Tensor.__iadd__', lambda torch: operator.iadd(torch.ones(2), [1.]), name='foreign_operand_not_implemented')
check('Tensor.__lt__', lambda torch: torch.ones(2) < None, name='foreign_operand_not_implemented')
check('Tensor.__matmul__', lambda torch: torch.ones(2) @ [1., 2.], name='foreign_operand_not_implemented')
check('Tensor.__rmatmul__', lambda torch: 2 @ torch.ones(2), name='foreign_operand_not_implemented')
check('Tensor.__array_wrap__', lambda torch: (torch.ones(2) + __import__('numpy').ones(2),
                                              torch.tensor([1, 2]) * __import__('numpy').arange(2.),
                                              __import__('numpy').ones(2) / torch.ones(2)),
      name='ndarray_operand_gives_tensor')
check('Tensor.__rpow__', lambda torch: ((-3) ** torch.tensor([1, 2, 3], dtype=torch.uint8),
                                        300 ** torch.tensor([1, 2], dtype=torch.uint8)),
      name='int_base_wraps_to_uint8')
check('Tensor.__pow__', lambda torch: torch.tensor([1, 2], dtype=torch.uint8) ** 300, name='exponent_overflows_uint8')
check('Tensor.__pow__', lambda torch: torch.tensor([1, 2], dtype=torch.int8) ** 200,
      name='exponent_overflow_before_sign')
check('Tensor.__pow__', lambda torch: torch.tensor([1, 2]) ** 2 ** 63, name='exponent_past_int64')
check('Tensor.__pow__', lambda torch: torch.tensor([1., 2.], dtype=torch.float16) ** 70000.,
      name='exponent_overflows_half')
check('Tensor.__add__', lambda torch: torch.ones(2) + 2 ** 64, name='int_too_big')
check('Tensor.__mul__', lambda torch: torch.tensor([1, 2], dtype=torch.uint8) * (-2 ** 63 - 1),
      name='negative_int_too_big')

# --- in-place ------------------------------------------------------------------------------------------
check('Tensor.floor_divide_', lambda torch: torch.tensor([True, False]).floor_divide_(torch.tensor([0, 0])),
      name='cast_error_before_zero_division')
check('Tensor.remainder_', lambda torch: torch.ones(2, dtype=torch.int64).remainder_(torch.ones(2) * 1j),
      name='cast_error_before_kernel_dtype')

# --- Python protocol ---------------------------------------------------------------------------------
check('Tensor.__contains__', lambda torch: (2 in torch.arange(3), 5 in torch.arange(3), 1.0 in torch.arange(3),
                                            torch.tensor(1) in torch.arange(3)), name='scalars')
check('Tensor.__contains__', lambda torch: 'a' in torch.arange(3), name='str_error')
check('Tensor.__contains__', lambda torch: [1] in torch.arange(3), name='list_error')
check('Tensor.__contains__', lambda torch: torch.tensor([1, 9]) in torch.arange(3), name='tensor_broadcast_error')
check('Tensor.__reversed__', lambda torch: (reversed(torch.arange(4)), reversed(torch.tensor(4)),
                                            reversed(torch.arange(4).reshape(2, 2))), name='flips_dim0')

# --- autograd fields -----------------------------------------------------------------------------------
check('Tensor.grad', lambda torch: setattr(torch.ones(3, requires_grad=True), 'grad',
                                           torch.ones(3, dtype=torch.complex64)), name='setter_complex_dtype_name')
check('Tensor.grad', lambda torch: setattr(torch.ones(3, requires_grad=True), 'grad',
                                           torch.ones(3, dtype=torch.uint8)), name='setter_byte_dtype_name')
check('Tensor.data', lambda torch: setattr(torch.ones(3, requires_grad=True), 'data', [1.]), name='setter_not_tensor')
check('Tensor.data', lambda torch: setattr(torch.ones(3, requires_grad=True), 'data', torch.zeros(2, dtype=torch.int64)),
      name='setter_int_on_requires_grad')
check('Tensor.detach_', lambda torch: torch.ones(3)[1:].detach_(), name='view_without_grad')
check('Tensor.detach_', lambda torch: (torch.ones(3).detach().detach_(), torch.ones(3).data.detach_()),
      name='detached_is_not_a_view')
check('Tensor.requires_grad', lambda torch: setattr(torch.ones(2), 'requires_grad', 1), name='setter_not_bool')
check('Tensor.requires_grad_', lambda torch: torch.ones(2).requires_grad_(None), name='not_bool')
check('Tensor.grad', lambda torch: (lambda x: setattr(x, 'grad', x))(torch.ones(2, requires_grad=True)),
      name='setter_own_grad')
check('Tensor.grad_fn', lambda torch: setattr(torch.ones(2), 'grad_fn', None), name='not_writable')
check('Tensor.shape', lambda torch: setattr(torch.ones(2), 'shape', (2,)), name='not_writable')
check('Tensor.mul_', lambda torch: (torch.ones(3, requires_grad=True) * 1).unbind()[1].mul_(2),
      name='multi_output_view_unbind')
check('Tensor.add_', lambda torch: (torch.ones(3, requires_grad=True) * 1).split([1, 2])[1].add_(2),
      name='multi_output_view_split_with_sizes')
check('Tensor.__add__', lambda torch: (torch.tensor([1, 2]) + __import__('numpy').True_,
                                       __import__('numpy').bool_(True) // torch.tensor([1, 2])),
      name='numpy_bool_is_float')
check('Tensor.__pos__', lambda torch: +torch.tensor([True]), name='bool_error')
check('Tensor.__int__', lambda torch: int(torch.tensor(complex(float('nan'), 0))), name='complex_nan_overflows')


@case('torch.autograd.backward')
def version_error_names_in_place_node(torch):
    a = torch.ones(2, requires_grad=True)
    b = a * 1
    c = b * b
    b.fill_(2)
    c.sum().backward()


@case('torch.autograd.backward')
def version_error_names_copy_slices(torch):
    a = torch.ones(2, 2, requires_grad=True)
    b = a * 1
    c = b @ b
    b[0] = 2
    c.sum().backward()
check('Tensor.__truediv__', lambda torch: (torch.tensor(-3) / torch.tensor([253, 2], dtype=torch.uint8),
                                           torch.tensor(253, dtype=torch.uint8) / torch.tensor([-3, 2], dtype=torch.int8)),
      name='ints_read_as_they_are')


@case('Tensor.__deepcopy__')
def views_keep_one_storage(torch):
    import copy
    x = torch.ones(4)
    x2, a = copy.deepcopy([x, x[:2]])
    a.add_(5)
    t = copy.deepcopy(torch.ones(2, 3).t())
    return x2, a, t.stride(), copy.deepcopy(torch.ones(2))._version


@case('Tensor.__deepcopy__')
def attributes_deep_copied(torch):
    import copy
    x = torch.ones(2)
    x.foo = [1]
    return copy.deepcopy(x).foo is x.foo
check('Tensor.__ifloordiv__', lambda torch: operator.ifloordiv(torch.tensor([1, 2], dtype=torch.int32), 2 ** 40),
      name='scalar_wraps_to_zero')


@case('Tensor.mul_')
def view_history_as_strided(torch):
    x = torch.ones(2, 3, requires_grad=True)
    v = (x * 1)[0]
    v.mul_(2)
    v.sum().backward()
    return v.grad_fn.name(), x.grad


@case('Tensor.floor_divide_')
def not_implemented_names_in_place_op(torch):
    x = torch.ones(3, requires_grad=True) * 1
    x.floor_divide_(2)
    x.sum().backward()


@case('Tensor.mul_')
def view_sees_base_written_in_place(torch):
    x = torch.ones(3, requires_grad=True)
    y = x * 1
    v = y[:2]
    w = y[1:]
    y.mul_(2)
    w.mul_(3)
    v.sum().backward()
    return x.grad, v, v.grad_fn.name()


@case('Tensor.mul_')
def multi_output_view_base_written_in_place(torch):
    x = torch.ones(3, requires_grad=True) * 1
    v = x.unbind()[1]
    x.mul_(2)
    return v * 2
check('Tensor.__pow__', lambda torch: pow(torch.tensor([2]), 3, 5), name='three_argument_pow')
check('Tensor.__array__', lambda torch: __import__('numpy').array(torch.ones(2), copy=False), name='copy_false')
check('torch.atan2', lambda torch: torch.atan2(2, torch.tensor([1.5, 3.])), name='number_input_refused')
check('torch.eq', lambda torch: torch.eq(2, torch.tensor([1.5, 3.])), name='number_input_invalid_combination')
check('torch.rsub', lambda torch: torch.rsub(2, torch.tensor([1.5, 3.])), name='number_input_invalid_combination')
check('torch.add', lambda torch: torch.add(2, torch.tensor([1.5, 3.])), name='number_input_taken')


@case('Tensor.__rmod__')
def number_input_not_differentiable(torch):
    x = torch.tensor([1.5, -2.], requires_grad=True)
    y = 2 % x
    y.sum().backward()


@case('torch.pow')
def zero_base_gradients(torch):
    b = torch.tensor([0., 0., 0., 0., 2.], requires_grad=True)
    e = torch.tensor([-1., 0., 2., float('nan'), 0.], requires_grad=True)
    (b ** e).sum().backward()
    x = torch.tensor([-1., 0., 2.], requires_grad=True)
    (0 ** x).sum().backward()
    return b.grad, e.grad, x.grad
check('Tensor.__pow__', lambda torch: torch.tensor([1., 2.], dtype=torch.bfloat16) ** 1e300,
      name='exponent_overflows_bfloat16')


@case('Tensor.retain_grad')
def follows_in_place_writes(torch):
    x = torch.ones(3, requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.mul_(3)
    z = x * 2
    z.retain_grad()
    z[0] = 5
    w = x * 2
    v = w[:2]
    v.retain_grad()
    w.mul_(3)
    ((y * y).sum() + (z * z).sum() + (v * 1).sum()).backward()
    return y.grad, z.grad, v.grad, x.grad
check('Tensor.size', lambda torch: torch.ones(2, 3).size(1.0), name='float_dim')
check('Tensor.size', lambda torch: torch.ones(2, 3).size(True), name='bool_dim')
check('Tensor.stride', lambda torch: torch.tensor(1.).stride(0), name='zero_dim_tensor')
check('Tensor.is_contiguous', lambda torch: (torch.ones(2, 3, 4, 5).to(memory_format=torch.channels_last)
                                             .is_contiguous(memory_format=torch.channels_last),
                                             torch.ones(2, 3, 4, 5).is_contiguous(memory_format=torch.channels_last),
                                             torch.ones(2, 3, 4).is_contiguous(memory_format=torch.channels_last),
                                             torch.ones(1, 3, 1, 1).is_contiguous(memory_format=torch.channels_last)),
      name='channels_last')
check('Tensor.data_ptr', lambda torch: (torch.ones(0).data_ptr(), torch.ones(2, 0).data_ptr()), name='empty_is_null')
check('torch.Size', lambda torch: torch.Size([2, 3]) + [5], name='concatenate_list')
check('torch.Size', lambda torch: torch.Size(sizes=[1]), name='no_keywords')
check('torch.Size', lambda torch: (torch.Size([2 ** 40, 2 ** 40]).numel(), torch.Size([3, 2 ** 62]).numel()),
      name='numel_wraps_int64')


@case('Tensor.retain_grad')
def after_tensor_hooks(torch):
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 2)
    (y * 1).sum().backward()
    return y.grad, x.grad


@case('Tensor.register_post_accumulate_grad_hook')
def hook_must_return_none(torch):
    x = torch.ones(2, requires_grad=True)
    x.register_post_accumulate_grad_hook(lambda p: p.grad.mul_(0))
    (x * 2).sum().backward()
check('Tensor.numpy', lambda torch: torch.ones(2).numpy(True), name='force_is_keyword_only')
check('Tensor.add_', lambda torch: (lambda x: x[1:].add_(x[:-1]))(torch.arange(5.)), name='partial_overlap')
check('Tensor.mul_', lambda torch: (lambda x: (x.mul_(x), x.add_(x.view(4).view(2, 2)), x[0].add_(x[1])))(
    torch.arange(4.).reshape(2, 2)), name='full_or_no_overlap_allowed')
check('Tensor.__iadd__', lambda torch: (lambda x: operator.iadd(x, x.t()))(torch.arange(4.).reshape(2, 2)),
      name='same_memory_other_strides')
check('Tensor.t_', lambda torch: torch.ones(2, 3, requires_grad=True).t_(), name='leaf_requires_grad')
check('Tensor.unsqueeze_', lambda torch: torch.ones(4, requires_grad=True)[:3].unsqueeze_(0), name='view_of_leaf')
