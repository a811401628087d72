"""Foundation: creation, dtypes and promotion, attributes, conversions, views, indexing, errors."""
from conformance import case, check

# --- creation ---
check('torch.tensor', lambda torch: torch.tensor(3.5), name='core_scalar')
check('torch.tensor', lambda torch: torch.tensor([True, False]), name='core_bool')
check('torch.tensor', lambda torch: torch.tensor([1, 2.5]), name='core_mixed_int_float')
check('torch.tensor', lambda torch: torch.tensor([]), name='core_empty')
check('torch.tensor', lambda torch: torch.tensor([[1, 2], [3]]), name='core_ragged_error')
check('torch.tensor', lambda torch: torch.tensor([1, 2], dtype=torch.float64), name='core_dtype')
check('torch.tensor', lambda torch: torch.tensor([torch.tensor(1.), torch.tensor(2.)]), name='core_of_tensors')
check('torch.tensor', lambda torch: torch.tensor([1., 2.], requires_grad=True), name='core_requires_grad')
check('torch.tensor', lambda torch: torch.tensor([1, 2], requires_grad=True), name='core_int_requires_grad_error')
check('torch.zeros', lambda torch: torch.zeros((2, 3), dtype=torch.int32), name='core_tuple_size')
check('torch.ones', lambda torch: torch.ones(2, 2, dtype=torch.bool))
check('torch.empty', lambda torch: torch.empty(5, 3).shape)
check('torch.full', lambda torch: (torch.full((2, 2), 7), torch.full((2,), 1.5), torch.full((1,), True)))
check('torch.zeros_like', lambda torch: torch.zeros_like(torch.ones(2, 3, dtype=torch.int64)))
check('torch.ones_like', lambda torch: torch.ones_like(torch.ones(2), dtype=torch.float64))
check('torch.full_like', lambda torch: torch.full_like(torch.ones(2, 2), 3.0))
check('torch.arange', lambda torch: (torch.arange(5), torch.arange(1, 4), torch.arange(0, 1, 0.25),
                                     torch.arange(10, 0, -3), torch.arange(0., 5.)), name='core_forms')
check('torch.arange', lambda torch: torch.arange(0, 10, -1), name='core_bad_step')
check('torch.linspace', lambda torch: (torch.linspace(0, 1, 5), torch.linspace(-3, 7, 11),
                                       torch.linspace(0, 10, 4, dtype=torch.int64)))
check('torch.eye', lambda torch: (torch.eye(3), torch.eye(2, 3), torch.eye(2, dtype=torch.int64)))
check('torch.from_numpy', lambda torch: __import__('numpy').arange(3.0) is not None and
      torch.from_numpy(__import__('numpy').arange(6, dtype='float32').reshape(2, 3)))
check('Tensor.new_ones', lambda torch: torch.tensor([1.], dtype=torch.float64).new_ones((2, 2)))
check('Tensor.new_zeros', lambda torch: torch.tensor([1], dtype=torch.int32).new_zeros(3))
check('Tensor.new_full', lambda torch: torch.tensor([1.]).new_full((2,), 4))
check('Tensor.new_tensor', lambda torch: torch.tensor([1.], dtype=torch.float64).new_tensor([1, 2]))
check('torch.Tensor', lambda torch: (torch.Tensor(2, 3).shape, torch.Tensor([1, 2]), torch.Tensor()),
      name='core_legacy')
check('torch.FloatTensor', lambda torch: (torch.FloatTensor([1, 2]), torch.LongTensor([1, 2]),
                                          torch.DoubleTensor(2).shape, torch.BoolTensor([1, 0]),
                                          torch.IntTensor([3])))
check('torch.as_tensor', lambda torch: torch.as_tensor([1, 2, 3], dtype=torch.float32))


@case('torch.from_numpy')
def shares_memory(torch):
    import numpy as np
    a = np.ones(3, dtype=np.float32)
    t = torch.from_numpy(a)
    a[0] = 5
    t[1] = 7
    return t, a.tolist()


@case('Tensor.numpy')
def tutorial_numpy_bridge(torch):
    a = torch.ones(5)
    b = a.numpy()
    a.add_(1)
    return a, b.tolist(), str(b.dtype)


check('Tensor.numpy', lambda torch: torch.ones(2, requires_grad=True).numpy(), name='core_requires_grad_error')

# --- dtypes and promotion ---
check('torch.dtype', lambda torch: [repr(d) for d in (torch.float, torch.double, torch.half, torch.long,
                                                        torch.int, torch.short, torch.cfloat, torch.bool)],
      name='core_aliases')
check('torch.dtype', lambda torch: [(d.is_floating_point, d.itemsize, d.is_complex, d.is_signed)
                                    for d in (torch.float32, torch.int64, torch.uint8, torch.complex64,
                                              torch.bool, torch.float16)], name='core_attributes')
check('torch.get_default_dtype', lambda torch: torch.get_default_dtype())
check('torch.promote_types', lambda torch: [torch.promote_types(a, b) for a, b in
                                            ((torch.uint8, torch.int8), (torch.int32, torch.float16),
                                             (torch.bool, torch.int16), (torch.float32, torch.float64),
                                             (torch.complex64, torch.float64), (torch.int64, torch.float32))])
check('torch.result_type', lambda torch: [
    torch.result_type(torch.tensor([1], dtype=torch.int32), 2.5),
    torch.result_type(torch.tensor([1.], dtype=torch.float16), torch.tensor(1.)),
    torch.result_type(torch.tensor([1], dtype=torch.uint8), 300),
    torch.result_type(torch.tensor(1, dtype=torch.int64), torch.tensor([1], dtype=torch.int8)),
    torch.result_type(torch.tensor(1.), torch.tensor([1], dtype=torch.int8)),
    torch.result_type(torch.tensor([True]), 1)])
check('torch.can_cast', lambda torch: [torch.can_cast(torch.float64, torch.int32),
                                       torch.can_cast(torch.int64, torch.float16),
                                       torch.can_cast(torch.int8, torch.bool)])
check('Tensor.__add__', lambda torch: [(a + b).dtype for a, b in (
    (torch.tensor([1], dtype=torch.int32), 2.5), (torch.tensor([1], dtype=torch.uint8),
                                                   torch.tensor([1], dtype=torch.int8)),
    (torch.tensor([1.]), torch.tensor(1., dtype=torch.float64)), (torch.tensor([1]), True),
    (torch.tensor([True]), torch.tensor([True])), (torch.tensor([1], dtype=torch.int16), 100000))],
      name='core_promotion')
check('Tensor.__truediv__', lambda torch: (torch.tensor([1, 2, 3]) / 2, torch.tensor([4]) / torch.tensor([3])),
      name='core_int_true_division')


@case('torch.set_default_dtype')
def default_dtype_float64(torch):
    torch.set_default_dtype(torch.float64)
    try:
        return torch.tensor([1.5]), torch.zeros(2), torch.tensor([1]) / 2, torch.get_default_dtype()
    finally:
        torch.set_default_dtype(torch.float32)


# --- attributes and conversions ---
check('Tensor.size', lambda torch: (torch.zeros(2, 3).size(), torch.zeros(2, 3).size(1),
                                    torch.zeros(2, 3).size(-1), torch.zeros(2, 3).shape))
check('Tensor.size', lambda torch: torch.zeros(2, 3).size(2), name='core_dim_error')
check('torch.Size', lambda torch: (repr(torch.Size([2, 3])), str(torch.zeros(4, 1).shape),
                                   torch.zeros(2, 3).shape[1:], torch.Size([2, 3]).numel()))
check('Tensor.dim', lambda torch: (torch.zeros(2, 3).dim(), torch.zeros(()).ndim, torch.zeros(4).numel()))
check('Tensor.stride', lambda torch: (torch.zeros(2, 3).stride(), torch.zeros(2, 3).t().stride(),
                                      torch.zeros(2, 3, 4)[:, 1].stride(), torch.zeros(2, 3).is_contiguous(),
                                      torch.zeros(2, 3).t().is_contiguous()))
check('Tensor.item', lambda torch: (torch.tensor([2.5]).item(), torch.tensor(3).item(), torch.tensor(True).item()))
check('Tensor.item', lambda torch: torch.ones(2).item(), name='core_error')
check('Tensor.tolist', lambda torch: (torch.arange(6).view(2, 3).tolist(), torch.tensor(1.5).tolist()))
check('Tensor.type', lambda torch: (torch.zeros(2).type(), torch.zeros(2).type(torch.int64),
                                    torch.zeros(2).type('torch.DoubleTensor')))
check('Tensor.to', lambda torch: (torch.ones(2).to(torch.int64), torch.ones(2).to('cpu'),
                                  torch.ones(2).to(torch.ones(1, dtype=torch.float64)),
                                  torch.ones(2).to('cpu', torch.float16), torch.ones(2).to(dtype=torch.int8)))
check('Tensor.float', lambda torch: (torch.tensor([1.7, -1.7]).long(), torch.tensor([1, 0]).bool(),
                                     torch.tensor([1, 2]).double(), torch.tensor([1.5]).half(),
                                     torch.tensor([1.5]).int()))
check('Tensor.__bool__', lambda torch: (bool(torch.tensor([1])), bool(torch.tensor(0.))))
check('Tensor.__bool__', lambda torch: bool(torch.tensor([1, 2])), name='core_ambiguous')
check('Tensor.__float__', lambda torch: (float(torch.tensor([2])), int(torch.tensor(3.7)),
                                         [1, 2, 3][torch.tensor(1)]))
check('Tensor.__len__', lambda torch: (len(torch.zeros(4, 2)), [t for t in torch.arange(3)]))
check('Tensor.__len__', lambda torch: len(torch.tensor(1.)), name='core_zero_dim_error')
check('Tensor.clone', lambda torch: torch.arange(3).clone())
check('Tensor.detach', lambda torch: (torch.ones(2, requires_grad=True) * 2).detach())
check('Tensor.device', lambda torch: (torch.zeros(1).device, str(torch.zeros(1).device), torch.zeros(1).is_cuda,
                                      repr(torch.device('cuda:0')), torch.device('cpu') == torch.device('cpu')))
check('torch.device', lambda torch: torch.device('gpu'), name='core_bad')
check('Tensor.element_size', lambda torch: (torch.zeros(1).element_size(), torch.zeros(1, dtype=torch.int16).element_size()))


@case('copy.deepcopy')
def deepcopy_tensor(torch):
    import copy
    a = torch.tensor([1., 2.], requires_grad=True)
    b = copy.deepcopy(a)
    b.data[0] = 5
    return a, b, b.requires_grad


@case('pickle')
def pickle_tensor(torch):
    import pickle
    a = torch.arange(6.).view(2, 3)
    return pickle.loads(pickle.dumps(a))


# --- views share memory ---
@case('Tensor.view')
def view_shares_memory(torch):
    x = torch.zeros(4, 4)
    y = x.view(16)
    z = x.view(-1, 8)
    y[0] = 1
    z[1, 0] = 2
    return x, y.size(), z.size()


check('Tensor.view', lambda torch: torch.zeros(2, 3).t().view(6), name='core_non_contiguous_error')
check('Tensor.view', lambda torch: torch.zeros(2, 3).view(4), name='core_size_error')
check('Tensor.view', lambda torch: torch.zeros(2, 3).view(-1, -1), name='core_two_inferred_error')
check('Tensor.reshape', lambda torch: torch.arange(6).view(2, 3).t().reshape(6))


@case('Tensor.transpose')
def views_write_through(torch):
    x = torch.zeros(2, 3)
    x.t()[0, 1] = 1
    x.transpose(0, 1)[2].fill_(5)
    x[1].mul_(3)
    x.narrow(1, 0, 1).add_(1)
    x.unsqueeze(0)[0, 0, 0] = 9
    x.select(1, 1).zero_()
    e = x[0].expand(3, 3)
    return x, e, x.permute(1, 0).is_contiguous()


@case('Tensor.unbind')
def split_views(torch):
    x = torch.arange(6.).view(3, 2)
    a, b, c = x.unbind(0)
    p, q = x.chunk(2, dim=1)
    s = x.split([1, 2])
    a[0] = 10
    q[2, 0] = 20
    return x, a, b, c, p, q, s[1]


check('Tensor.expand', lambda torch: torch.tensor([[1], [2]]).expand(2, 3))
check('Tensor.expand', lambda torch: torch.tensor([1, 2]).expand(3, 3), name='core_error')
check('Tensor.squeeze', lambda torch: (torch.zeros(1, 2, 1).squeeze().shape, torch.zeros(1, 2, 1).squeeze(0).shape,
                                       torch.zeros(1, 2, 1).squeeze(1).shape, torch.zeros(2, 1).unsqueeze(-1).shape,
                                       torch.zeros(2, 3, 4).flatten(1).shape, torch.zeros(2, 3).permute(1, 0).shape))
check('Tensor.permute', lambda torch: torch.zeros(2, 3).permute(0, 0), name='core_dup_error')
check('Tensor.T', lambda torch: (torch.arange(6).view(2, 3).T, torch.arange(6).view(1, 2, 3).mT.shape))


@case('Tensor._version')
def version_counter(torch):
    x = torch.ones(3)
    v0 = x._version
    x.add_(1)
    y = x.view(3)
    y.mul_(2)
    x[0] = 5
    return v0, x._version, y._version

# --- indexing ---
check('Tensor.__getitem__', lambda torch: (lambda x: (x[1], x[:, 1], x[1:, ::2], x[..., 0], x[None].shape,
                                                      x[-1, -2], x[[0, 2]], x[[0, 1], [1, 2]], x[x > 5],
                                                      x[torch.tensor([2, 0])], x[:, [True, False, True, False]],
                                                      x[1, None, 2:]))(torch.arange(12).view(3, 4)),
      name='core_forms')
check('Tensor.__getitem__', lambda torch: torch.arange(6).view(2, 3)[2], name='core_out_of_range')
check('Tensor.__getitem__', lambda torch: torch.arange(6).view(2, 3)[0, 0, 0], name='core_too_many')
check('Tensor.__getitem__', lambda torch: torch.arange(6)[torch.tensor([True, False])], name='core_mask_shape')
check('Tensor.__getitem__', lambda torch: torch.arange(6)[torch.tensor([1.])], name='core_float_index')


@case('Tensor.__setitem__')
def tutorial_setitem(torch):
    x = torch.arange(12).view(3, 4) * 100
    x[x > 300] = 2
    x[:, 0] = -1
    x[0] = torch.tensor([7, 8, 9, 10])
    x[1, 1:3] = torch.tensor([5])
    x[[2, 2], [1, 2]] = 0
    x[..., -1] += 1
    return x


check('Tensor.__setitem__', lambda torch: torch.zeros(2, 3).__setitem__(0, torch.ones(4)), name='core_shape_error')


@case('Tensor.__getitem__')
def index_backward(torch):
    x = torch.arange(12.).view(3, 4).requires_grad_()
    y = x[1:, ::2].sum() * 2 + x[[0, 0, 2]].sum() + x[x > 6].sum() + x[0, 1] * 3
    y.backward()
    return y, x.grad


@case('Tensor.__setitem__')
def setitem_backward(torch):
    a = torch.ones(2, 3, requires_grad=True)
    v = torch.tensor([2., 3.], requires_grad=True)
    b = a * 2
    b[:, 1] = v * 5
    b[0, 0] = 0
    loss = (b * torch.arange(6.).view(2, 3)).sum()
    loss.backward()
    return b, a.grad, v.grad, b.grad_fn.name()


@case('Tensor.__setitem__')
def setitem_mask_backward(torch):
    a = torch.tensor([1., -2., 3.], requires_grad=True)
    b = a.clone()
    b[b < 0] = 0
    (b * b).sum().backward()
    return b, a.grad, b.grad_fn.name()


@case('Tensor.mul_')
def inplace_through_view_backward(torch):
    a = torch.arange(6.).view(2, 3).requires_grad_()
    b = a * 1
    b[0].mul_(10)
    b.t()[2].add_(a[1])
    (b ** 2).sum().backward()
    return b, a.grad


# --- operators and ops of the foundation ---
check('Tensor.__add__', lambda torch: (lambda a, b: (a + b, a - b, a * b, a / b, a // b, a % b, a ** 2,
                                                    2 ** a, 1 - a, 2 / a, -a, abs(-a), a @ b.t(),
                                                    a == b, a != b, a < b, a <= b, a > b, a >= b))(
    torch.tensor([[1., -2.], [3., 4.5]]), torch.tensor([[2., 2.], [-1., 3.]])), name='core_operators')
check('Tensor.__and__', lambda torch: (lambda a, b: (a & b, a | b, a ^ b, ~a, a << 1, a >> 1))(
    torch.tensor([5, 3]), torch.tensor([1, 6])), name='core_bitwise')
check('Tensor.__and__', lambda torch: (lambda a, b: (a & b, a | b, ~a))(
    torch.tensor([True, False]), torch.tensor([True, True])), name='core_bool')
check('Tensor.__neg__', lambda torch: -torch.tensor([True]), name='core_bool_error')
check('Tensor.__sub__', lambda torch: torch.tensor([True]) - torch.tensor([False]), name='core_bool_error')
check('Tensor.__floordiv__', lambda torch: (torch.tensor([-7, 7]) // 2, torch.tensor([-7., 7.]) // 2,
                                            torch.tensor([-7, 7]) % 3, torch.tensor([-7.5, 7.5]) % 2))
check('Tensor.__pow__', lambda torch: torch.tensor([2, 3]) ** -1, name='core_int_negative_error')


@case('Tensor.__iadd__')
def inplace_operators(torch):
    a = torch.ones(3)
    a += 1
    a *= torch.tensor([1., 2., 3.])
    a -= 0.5
    a /= 2
    b = torch.ones(3, dtype=torch.int64)
    b += 2
    return a, b


check('Tensor.add_', lambda torch: torch.ones(2, dtype=torch.int64).add_(1.5), name='core_cast_error')
check('Tensor.add_', lambda torch: torch.ones(2).add_(torch.ones(3, 2)), name='core_broadcast_error')
check('torch.add', lambda torch: (torch.add(torch.ones(2), torch.ones(2), alpha=3),
                                  torch.sub(torch.ones(2), 2, alpha=2)), name='core_tensor_alpha')
check('torch.add', lambda torch: torch.add(torch.ones(2), torch.ones(2), out=torch.empty(2)), name='core_out')
check('torch.exp', lambda torch: (torch.exp(torch.tensor([0, 1])), torch.sqrt(torch.tensor([4, 9])),
                                  torch.log(torch.tensor([1., 2.718281828])), torch.sin(torch.tensor([0.5])),
                                  torch.cos(torch.tensor([0.5])), torch.tanh(torch.tensor([-1., 1.])),
                                  torch.sigmoid(torch.tensor([-1., 0., 50.])), torch.relu(torch.tensor([-1, 2]))),
      name='core_unary')
check('torch.sum', lambda torch: (lambda x: (x.sum(), x.sum(0), x.sum(-1, keepdim=True), x.sum((0, 1)),
                                            torch.sum(x, dim=1), x.sum(dtype=torch.float64)))(
    torch.arange(6.).view(2, 3)))
check('torch.sum', lambda torch: (torch.tensor([True, True]).sum(), torch.tensor([1, 2], dtype=torch.int8).sum()),
      name='core_int_dtype')
check('torch.mean', lambda torch: (lambda x: (x.mean(), x.mean(0), x.mean(1, keepdim=True)))(
    torch.arange(6.).view(2, 3)))
check('torch.mean', lambda torch: torch.arange(3).mean(), name='core_int_arange_error')
check('torch.max', lambda torch: (lambda x: (x.max(), x.max(0), x.max(1, keepdim=True), x.min(), x.min(1),
                                            x.argmax(), x.argmax(1), x.argmin(0), torch.max(x, torch.zeros(2, 3))))(
    torch.tensor([[1., 5., 3.], [4., 2., 6.]])))
check('torch.max', lambda torch: torch.tensor([]).max(), name='core_empty_error')
check('torch.matmul', lambda torch: (lambda a: (a @ a.t(), torch.mm(a, a.t()), torch.bmm(a[None], a.t()[None]),
                                               a[0] @ a[1], a @ a[0].view(3, 1), a.t() @ a[0][:2],
                                               torch.addmm(torch.ones(2), a, a.t())))(
    torch.arange(6.).view(2, 3)), name='core_ranks')
check('torch.matmul', lambda torch: torch.ones(3) @ torch.ones(4), name='core_dot_error')
check('torch.mm', lambda torch: torch.mm(torch.ones(2, 3), torch.ones(2, 3)), name='core_shape_error')
check('torch.mm', lambda torch: torch.mm(torch.ones(2, 3), torch.ones(3, 2, dtype=torch.float64)), name='core_dtype_error')
check('torch.bmm', lambda torch: torch.bmm(torch.ones(2, 3, 4), torch.ones(2, 5, 4)), name='core_shape_error')
check('torch.where', lambda torch: (lambda x: (torch.where(x > 0, x, torch.zeros(3)), torch.where(x > 0, x, 0.),
                                              torch.where(x > 0, 1, 0), torch.where(x > 0)))(
    torch.tensor([-1., 2., 3.])))
check('torch.clamp', lambda torch: (lambda x: (x.clamp(-1, 1), x.clamp(min=0), x.clamp(max=0.5),
                                              torch.clamp(x, torch.zeros(3), torch.ones(3))))(
    torch.tensor([-2., 0.3, 4.])))
check('torch.clamp', lambda torch: torch.ones(2).clamp(), name='core_no_bounds_error')
check('torch.cat', lambda torch: (torch.cat([torch.ones(2, 2), torch.zeros(1, 2)]),
                                  torch.cat((torch.ones(2, 1), torch.zeros(2, 2)), dim=1),
                                  torch.cat([torch.ones(2), torch.tensor([])]),
                                  torch.cat([torch.ones(1, dtype=torch.int64), torch.ones(1)])))
check('torch.cat', lambda torch: torch.cat([torch.ones(2, 2), torch.zeros(2, 3)]), name='core_size_error')
check('torch.cat', lambda torch: torch.cat([]), name='core_empty_error')
check('torch.stack', lambda torch: (torch.stack([torch.ones(2), torch.zeros(2)]),
                                    torch.stack([torch.ones(2), torch.zeros(2)], dim=1)))
check('torch.stack', lambda torch: torch.stack([torch.ones(2), torch.zeros(3)]), name='core_size_error')
check('Tensor.masked_fill', lambda torch: (lambda x: (x.masked_fill(x > 1, 0), x.masked_fill_(x < 2, -1.5)))(
    torch.tensor([1., 2., 3.])))
check('Tensor.view', lambda torch: torch.arange(6.).view(-2, -3), name='core_negative_dim_error')
check('Tensor.reshape', lambda torch: torch.arange(6.).reshape(2, -2), name='core_negative_dim_error')
check('Tensor.__getitem__', lambda torch: (torch.arange(6.)[-1], torch.arange(6.).view(2, 3)[1]), name='core_int_fast_path')
check('torch.tensor', lambda torch: torch.tensor([1, [2, 3]]), name='core_scalar_then_list_error')
check('torch.tensor', lambda torch: torch.tensor([[1, 2], 3]), name='core_list_then_scalar_error')
check('torch.tensor', lambda torch: torch.tensor(['a']), name='core_str_error')
check('torch.tensor', lambda torch: torch.tensor([[1], [2, 3]]), name='core_ragged_longer_error')


def _storage(torch):
    import warnings
    t = torch.arange(6.).view(2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        s, s1 = t.storage(), t[1].storage()
    s[0] = 7.0
    return (type(s).__name__, s.size(), len(s), s.dtype, s.element_size(), s.nbytes(), s.tolist(), s[-1], list(s),
            s.data_ptr() == t.data_ptr(), s1.data_ptr() == t.data_ptr(), s1.size(), repr(s), t,
            repr(torch.tensor([True, False]).storage()))


check('Tensor.storage', _storage, name='typed_view')
check('Tensor.storage', lambda torch: torch.arange(3.).storage()[3], name='index_error')
check('Tensor.storage', lambda torch: torch.arange(3.).storage()[0:2], name='slice_error')
