"""torch.nested: strided and jagged nested tensors — construction, printing, sizes and their errors,
unbind / indexing, to_padded_tensor, the elementwise ops, softmax, transpose, matmul / bmm / linear,
layer_norm, reductions, F.scaled_dot_product_attention on jagged inputs, and autograd through them.

The jagged dim prints as a nested int `j<n>` whose number counts every jagged tensor made in the
process, so cases that show it replace the number (`_j`)."""
import re
import warnings

from conformance import case


def _j(text):
    """A jagged size / repr with the process-wide nested-int number and node addresses taken out."""
    return re.sub(r' object at 0x[0-9a-f]+', '', re.sub(r'\bj\d+', 'j', str(text)))


def _parts(torch):
    return [torch.arange(6.).reshape(2, 3), torch.arange(3.).reshape(1, 3) - 1]


def _nt(torch, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return torch.nested.nested_tensor(_parts(torch), **kw)


def _seqs(torch, d=8):
    return [torch.randn(3, d), torch.randn(5, d), torch.randn(1, d)]


def _njt(torch, requires_grad=False, d=8):
    return torch.nested.nested_tensor(_seqs(torch, d), layout=torch.jagged, requires_grad=requires_grad)


# --- strided: construction and printing ---
@case('torch.nested.nested_tensor')
def nested_strided_print(torch):
    nt = _nt(torch)
    print(nt)
    return repr(nt), str(nt), nt.is_nested, nt.dim(), nt.layout, nt.dtype, nt.device, nt.requires_grad, \
        nt.is_leaf, nt.grad_fn, nt.numel(), nt.is_contiguous(), isinstance(nt, torch.Tensor)


@case('torch.nested.nested_tensor')
def nested_strided_print_requires_grad(torch):
    nt = _nt(torch, dtype=torch.float64, requires_grad=True)
    return repr(nt), nt.is_leaf, nt.requires_grad, nt.dtype


@case('torch.nested.nested_tensor')
def nested_strided_from_lists_and_scalars(torch):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        a = torch.nested.nested_tensor([[1, 2], [3]])
        b = torch.nested.nested_tensor([torch.tensor(1.), torch.tensor(2.)])
        c = torch.nested.nested_tensor([torch.ones(2, 3), torch.zeros(3, 2)])
        d = torch.nested.nested_tensor([])
        e = torch.nested.nested_tensor([torch.ones(2, dtype=torch.float64), torch.ones(3)])
    return repr(a), a.dtype, repr(b), b.dim(), repr(c), repr(d), d.dim(), d.size(0), repr(e), e.dtype


@case('torch.nested.nested_tensor')
def nested_strided_mixed_dims(torch):
    return torch.nested.nested_tensor([torch.ones(2, 3), torch.ones(3)])


@case('torch.nested.nested_tensor')
def nested_jagged_two_ragged_dims(torch):
    return torch.nested.nested_tensor([torch.ones(2, 3), torch.ones(3, 2)], layout=torch.jagged)


@case('torch.nested.nested_tensor')
def nested_bad_layout(torch):
    return torch.nested.nested_tensor([torch.ones(2)], layout=torch.sparse_coo)


@case('torch.nested.nested_tensor')
def nested_strided_prototype_warning(torch):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        torch.nested.nested_tensor([torch.ones(2)], layout=torch.jagged)
    return [str(x.message) for x in w]


# --- strided: sizes ---
@case('torch.Tensor.size')
def nested_size_all(torch):
    return _nt(torch).size()


@case('torch.Tensor.size')
def nested_shape(torch):
    return _nt(torch).shape


@case('torch.Tensor.size')
def nested_size_dims(torch):
    nt = _nt(torch)
    return nt.size(0), nt.size(2), nt.size(-1), nt.size(-3)


@case('torch.Tensor.size')
def nested_size_irregular_negative(torch):
    return _nt(torch).size(-2)


@case('torch.Tensor.stride')
def nested_jagged_stride(torch):
    nt = _njt(torch)
    return _j(nt.stride()), nt.stride(1), nt.stride(-1), _j(nt.transpose(1, 2).stride()), \
        _j(nt.unflatten(-1, (2, 4)).stride()), _j(nt.stride(0))


@case('torch.Tensor.size')
def nested_size_irregular(torch):
    return _nt(torch).size(1)


@case('torch.Tensor.size')
def nested_size_out_of_range(torch):
    return _nt(torch).size(3)


@case('torch.Tensor.stride')
def nested_stride(torch):
    return _nt(torch).stride()


# --- unbind and indexing ---
@case('torch.Tensor.unbind')
def nested_unbind(torch):
    nt = _nt(torch, requires_grad=True)
    u = nt.unbind()
    return u, [t.grad_fn.name() for t in u], torch.unbind(nt), list(nt)


@case('torch.Tensor.unbind')
def nested_unbind_dim1(torch):
    return _nt(torch).unbind(1)


@case('torch.Tensor.__getitem__')
def nested_select(torch):
    nt = _nt(torch, requires_grad=True)
    return nt[0], nt[-1], nt[1].grad_fn.name()


@case('torch.Tensor.__getitem__')
def nested_select_out_of_range(torch):
    return _nt(torch)[2]


# --- to_padded_tensor ---
@case('torch.nested.to_padded_tensor')
def nested_strided_padded(torch):
    nt = _nt(torch)
    return (torch.nested.to_padded_tensor(nt, 0.), torch.nested.to_padded_tensor(nt, -1., (2, 4, 5)),
            nt.to_padded_tensor(2.5), torch.nested.to_padded_tensor(nt, 0, output_size=[2, 2, 3]))


@case('torch.nested.to_padded_tensor')
def nested_padded_ragged_in_two_dims(torch):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        nt = torch.nested.nested_tensor([torch.ones(2, 3), torch.arange(6.).view(3, 2)])
    return torch.nested.to_padded_tensor(nt, -1.)


@case('torch.nested.to_padded_tensor')
def nested_padded_output_too_small(torch):
    return torch.nested.to_padded_tensor(_nt(torch), 0., (2, 1, 3))


@case('torch.nested.to_padded_tensor')
def nested_padded_output_wrong_dims(torch):
    return torch.nested.to_padded_tensor(_nt(torch), 0., (2, 2))


@case('torch.nested.to_padded_tensor')
def nested_padded_grad(torch):
    nt = _nt(torch, requires_grad=True)
    p = torch.nested.to_padded_tensor(nt, 0.)
    (p * torch.arange(12.).view(2, 2, 3)).sum().backward()
    return p, p.grad_fn.name(), repr(nt.grad)


# --- elementwise ---
@case('torch.nested.nested_tensor')
def nested_strided_unary(torch):
    nt = _nt(torch, requires_grad=True)
    F = torch.nn.functional
    outs = [nt.relu(), torch.relu(nt), F.relu(nt), nt.tanh(), torch.tanh(nt), nt.neg(), -nt, nt.abs(),
            F.silu(nt), (nt + 2).sqrt()]
    g = F.gelu(nt)      # torch's nested gelu kernel rounds differently from its dense one: values, not text
    return [repr(o) for o in outs], g.unbind(), g.grad_fn.name(), F.gelu(nt, approximate='tanh').unbind()


@case('torch.nested.nested_tensor')
def nested_strided_binary(torch):
    nt = _nt(torch, requires_grad=True)
    other = _nt(torch) * 0.5 + 1
    outs = [nt + nt, nt + other, nt - other, nt * other, nt / other, nt * 2, 2 * nt, nt + 1, nt - 1.5, nt / 4,
            torch.add(nt, other), torch.mul(nt, 3), nt.add(other), nt.mul(other)]
    return [repr(o) for o in outs]


@case('torch.nested.nested_tensor')
def nested_strided_binary_grad(torch):
    nt = _nt(torch, requires_grad=True)
    other = _nt(torch, requires_grad=True)
    y = (nt * other + nt.relu() * 3 - other / 2).abs()
    torch.nested.to_padded_tensor(y, 0.).sum().backward()
    return repr(nt.grad), repr(other.grad), y.grad_fn.name()


@case('torch.nested.nested_tensor')
def nested_strided_add_dense(torch):
    return _nt(torch) + torch.ones(3)


@case('torch.nested.nested_tensor')
def nested_strided_add_mismatch(torch):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return _nt(torch) + torch.nested.nested_tensor([torch.ones(2, 3), torch.ones(2, 3)])


# --- softmax, transpose, matmul, bmm, linear ---
@case('torch.nn.functional.softmax')
def nested_strided_softmax(torch):
    nt = _nt(torch, requires_grad=True)
    s1, s2 = torch.nn.functional.softmax(nt, -1), nt.softmax(1)
    torch.nested.to_padded_tensor(s1 * s2, 0.).pow(2).sum().backward()
    return repr(s1), repr(s2), repr(nt.grad)


@case('torch.Tensor.transpose')
def nested_strided_transpose(torch):
    nt = _nt(torch, requires_grad=True)
    t = nt.transpose(1, 2)
    c = t.contiguous()
    (torch.nested.to_padded_tensor(c, 0.) * torch.arange(18.).view(2, 3, 3)).sum().backward()
    return repr(t), t.is_contiguous(), c.is_contiguous(), repr(c), repr(nt.grad), repr(torch.transpose(nt, -1, -2))


@case('torch.nested.to_padded_tensor')
def nested_padded_not_contiguous(torch):
    return torch.nested.to_padded_tensor(_nt(torch).transpose(1, 2), 0.)



@case('torch.Tensor.transpose')
def nested_strided_transpose_batch(torch):
    return _nt(torch).transpose(0, 1)


@case('torch.matmul')
def nested_strided_matmul_bmm(torch):
    nt = _nt(torch, requires_grad=True)
    w = torch.randn(3, 2, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        other = torch.nested.as_nested_tensor([w, w * 2])
    m, b = torch.matmul(nt, other), torch.bmm(nt, other)
    torch.nested.to_padded_tensor(m + b + nt @ other, 0.).sum().backward()
    return repr(m), repr(b), repr(nt.grad), w.grad


@case('torch.matmul')
def nested_strided_matmul_dense(torch):
    return torch.matmul(_nt(torch), torch.ones(3, 2))


@case('torch.nn.functional.linear')
def nested_strided_linear(torch):
    nt = _nt(torch, requires_grad=True)
    lin = torch.nn.Linear(3, 4)
    y = lin(nt)
    torch.nested.to_padded_tensor(y, 0.).sum().backward()
    return repr(y), repr(nt.grad), lin.weight.grad, lin.bias.grad


@case('torch.nn.functional.layer_norm')
def nested_strided_layer_norm(torch):
    nt = _nt(torch, requires_grad=True)
    ln = torch.nn.LayerNorm(3)
    y = ln(nt)
    torch.nested.to_padded_tensor(y * 2, 0.).sum().backward()
    return repr(y), repr(nt.grad), ln.weight.grad


# --- strided: conversions and other constructors ---
@case('torch.nested.nested_tensor')
def nested_strided_conversions(torch):
    nt = _nt(torch, requires_grad=True)
    return repr(nt.to(torch.float64)), repr(nt.clone()), repr(nt.detach()), repr(nt.values()), \
        nt.double().dtype, nt._nested_tensor_size()


@case('torch.nested.as_nested_tensor')
def nested_as_nested_list_grad(torch):
    a = torch.arange(3.).requires_grad_()
    b = torch.arange(5.).requires_grad_()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        nt = torch.nested.as_nested_tensor([a, b])
        nt.backward(torch.nested.nested_tensor([torch.ones(3), torch.arange(5.)]))
    return repr(nt), nt.is_leaf, a.grad, b.grad


@case('torch.nested.as_nested_tensor')
def nested_as_nested_from_tensor(torch):
    x = torch.arange(12.).view(3, 2, 2)
    nt = torch.nested.as_nested_tensor(x)
    j = torch.nested.as_nested_tensor(x, layout=torch.jagged)
    return repr(nt), nt.unbind(), _j(repr(j)), _j(j.shape), j.unbind()


@case('torch.nested.as_nested_tensor')
def nested_as_nested_bad_input(torch):
    return torch.nested.as_nested_tensor([1, 2])


@case('torch.nested.as_nested_tensor')
def nested_as_nested_1d(torch):
    return torch.nested.as_nested_tensor(torch.ones(3))


@case('torch.nested.narrow')
def nested_strided_narrow(torch):
    x = torch.arange(24.).view(3, 2, 4)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return repr(torch.nested.narrow(x, 0, 1, 2))


@case('torch.nested.narrow')
def nested_strided_narrow_dim2(torch):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return torch.nested.narrow(torch.ones(2, 3, 4), 2, 1, 2)


@case('torch.Tensor.narrow')
def nested_strided_nt_narrow(torch):
    nt = _nt(torch)
    return repr(nt.narrow(0, 1, 1)), repr(nt.narrow(0, 0, 2))


@case('torch.nested.narrow')
def nested_narrow_tensor_start_strided(torch):
    return torch.nested.narrow(torch.ones(2, 3), 1, torch.tensor([0, 1]), 1)


# --- jagged ---
@case('torch.nested.nested_tensor')
def nested_jagged_basics(torch):
    nt = _njt(torch)
    return (_j(repr(nt)), _j(nt), _j(nt.shape), _j(nt.size()), _j(nt.size(1)), nt.size(0), nt.size(-1), nt.dim(),
            nt.layout, nt.values(), nt.offsets(), nt.lengths(), nt.is_contiguous(), nt.is_leaf, len(nt),
            nt.numel())


@case('torch.nested.nested_tensor')
def nested_jagged_requires_grad(torch):
    nt = _njt(torch, requires_grad=True)
    v = nt.values()
    return _j(repr(nt)), nt.is_leaf, v.grad_fn.name(), v


@case('torch.nested.nested_tensor')
def nested_jagged_same_offsets_same_j(torch):
    nt = _njt(torch)
    other = _njt(torch)
    return nt.shape[1] == nt.relu().shape[1], nt.shape[1] == other.shape[1], (nt * 2).shape == nt.shape


@case('torch.nested.nested_tensor_from_jagged')
def nested_from_jagged(torch):
    values = torch.arange(20.).view(10, 2)
    a = torch.nested.nested_tensor_from_jagged(values, torch.tensor([0, 2, 7, 10]))
    b = torch.nested.nested_tensor_from_jagged(values, lengths=torch.tensor([4, 6]))
    c = torch.nested.nested_tensor_from_jagged(values, torch.tensor([0, 3, 10]), lengths=torch.tensor([2, 5]))
    return (a.unbind(), _j(repr(a)), b.unbind(), b.offsets(), c.unbind(), c.is_contiguous(), c.lengths(),
            torch.equal(a.values(), values))


@case('torch.nested.nested_tensor_from_jagged')
def nested_from_jagged_dim2(torch):
    values = torch.arange(24.).view(2, 6, 2)
    nt = torch.nested.nested_tensor_from_jagged(values, torch.tensor([0, 2, 6]), jagged_dim=2)
    return _j(nt.shape), nt.unbind(), nt._ragged_idx, torch.equal(nt.values(), values)


@case('torch.nested.nested_tensor_from_jagged')
def nested_from_jagged_no_offsets(torch):
    return torch.nested.nested_tensor_from_jagged(torch.ones(3, 2))


@case('torch.nested.nested_tensor_from_jagged')
def nested_from_jagged_bad_dim(torch):
    return torch.nested.nested_tensor_from_jagged(torch.ones(3, 2), torch.tensor([0, 3]), jagged_dim=0)


@case('torch.nested.nested_tensor_from_jagged')
def nested_from_jagged_grad(torch):
    values = torch.randn(6, 3, requires_grad=True)
    nt = torch.nested.nested_tensor_from_jagged(values, torch.tensor([0, 2, 6]))
    torch.nested.to_padded_tensor(nt.relu() * 2, 0.).pow(2).sum().backward()
    return values.grad


@case('torch.nested.narrow')
def nested_jagged_narrow(torch):
    x = torch.arange(30.).view(3, 5, 2)
    nt = torch.nested.narrow(x, 1, torch.tensor([0, 1, 3]), torch.tensor([2, 4, 1]), layout=torch.jagged)
    return (nt.unbind(), nt.offsets(), nt.lengths(), nt.is_contiguous(), _j(repr(nt)),
            torch.nested.to_padded_tensor(nt, 0.), (nt * 2).unbind())


@case('torch.nested.narrow')
def nested_jagged_narrow_bad_dim(torch):
    return torch.nested.narrow(torch.ones(2, 3, 4), 2, 0, 1, layout=torch.jagged)


@case('torch.nested.to_padded_tensor')
def nested_jagged_padded_grad(torch):
    nt = _njt(torch, requires_grad=True)
    p = torch.nested.to_padded_tensor(nt, 0.)
    p2 = nt.to_padded_tensor(-1., output_size=(3, 6, 8))
    (p.sum() + (p2 * p2).sum()).backward()
    return p, p2, p.grad_fn.name(), nt.grad.unbind(), nt.grad.values()


@case('torch.Tensor.unbind')
def nested_jagged_unbind_grad(torch):
    nt = _njt(torch, requires_grad=True)
    u = nt.unbind()
    (u[0].sum() * 2 + u[2].pow(2).sum()).backward()
    return u, u[0].grad_fn.name(), nt[1], nt[1].grad_fn.name(), nt.grad.values()


@case('torch.nested.nested_tensor')
def nested_jagged_elementwise(torch):
    nt = _njt(torch, requires_grad=True)
    other = nt.detach() * 0.5
    ops = [nt.relu(), nt.exp(), nt.sigmoid(), torch.sigmoid(nt), nt.sin(), nt.abs(), nt + other, nt * other,
           nt - 1, 2 * nt, nt / 3, nt + torch.arange(8.), nt * torch.ones(1), torch.nn.functional.gelu(nt),
           torch.nn.functional.silu(nt), nt.pow(2), nt ** 2]
    loss = sum(torch.nested.to_padded_tensor(o, 0.).sum() for o in ops)
    loss.backward()
    return [o.values() for o in ops], [o.grad_fn.name() for o in ops], nt.grad.values()


@case('torch.nested.nested_tensor')
def nested_jagged_add_mismatch(torch):
    a, b = _njt(torch), _njt(torch)
    try:
        a + b
    except RuntimeError as e:
        return _j(e)


@case('torch.nested.nested_tensor')
def nested_jagged_add_dense_over_ragged(torch):
    nt = _njt(torch, requires_grad=True)
    d = torch.randn(3, 1, 8, requires_grad=True)
    y = nt + d
    z = d * nt + torch.ones(1, 1, 8) - torch.ones(8)
    torch.nested.to_padded_tensor(y * z, 0.).sum().backward()
    return y.values(), z.values(), d.grad, nt.grad.values(), _j(y.shape)


@case('torch.nested.nested_tensor')
def nested_jagged_add_dense_batch_mismatch(torch):
    try:
        _njt(torch) + torch.ones(2, 1, 8)
    except RuntimeError as e:
        return _j(e)


@case('torch.nested.nested_tensor')
def nested_jagged_add_dense_too_many_dims(torch):
    return _njt(torch) + torch.ones(1, 3, 1, 8)


@case('torch.nested.nested_tensor')
def nested_jagged_add_broadcast_nested(torch):
    nt = _njt(torch)
    return (nt * nt.sum(-1, keepdim=True)).values()


@case('torch.nn.functional.softmax')
def nested_jagged_softmax(torch):
    nt = _njt(torch, requires_grad=True)
    a, b = nt.softmax(-1), torch.nn.functional.softmax(nt, 1)
    torch.nested.to_padded_tensor(a * b, 0.).sum().backward()
    return a.values(), b.values(), a.grad_fn.name(), nt.grad.values(), nt.log_softmax(-1).values()


@case('torch.Tensor.transpose')
def nested_jagged_transpose(torch):
    nt = _njt(torch).unflatten(-1, (2, 4))
    t = nt.transpose(1, 2)
    return _j(nt.shape), _j(t.shape), t._ragged_idx, t.is_contiguous(), t.values().shape, t.unbind(), \
        _j(t.transpose(1, 2).shape), t.transpose(1, 2).unbind()


@case('torch.Tensor.transpose')
def nested_jagged_transpose_batch(torch):
    return _njt(torch).transpose(0, 1)


@case('torch.matmul')
def nested_jagged_matmul_linear(torch):
    nt = _njt(torch, requires_grad=True)
    lin = torch.nn.Linear(8, 3)
    w = torch.randn(8, 2, requires_grad=True)
    y, z = lin(nt), nt @ w
    (torch.nested.to_padded_tensor(y, 0.).sum() + torch.nested.to_padded_tensor(z, 0.).pow(2).sum()).backward()
    return y.values(), z.values(), y.grad_fn.name(), z.grad_fn.name(), _j(z.shape), lin.weight.grad, w.grad, \
        nt.grad.values()


@case('torch.matmul')
def nested_jagged_matmul_ragged_last(torch):
    nt = _njt(torch)
    try:
        nt @ nt.transpose(1, 2)
    except RuntimeError as e:
        return _j(e)


@case('torch.nn.functional.layer_norm')
def nested_jagged_layer_norm(torch):
    nt = _njt(torch, requires_grad=True)
    ln = torch.nn.LayerNorm(8)
    y = ln(nt)
    torch.nested.to_padded_tensor(y, 0.).pow(2).sum().backward()
    return y.values(), y.grad_fn.name(), ln.weight.grad, nt.grad.values()


@case('torch.Tensor.sum')
def nested_jagged_reductions(torch):
    nt = _njt(torch, requires_grad=True)
    s, m, r, t = nt.sum(-1), nt.mean(-1), nt.sum(1), nt.sum()
    (m.values().pow(2).sum() + t).backward()     # torch has no backward for s and r
    return s.values(), _j(s.shape), m.values(), r, t, r.grad_fn.name(), t.grad_fn.name(), nt.grad.values(), \
        nt.sum(-1, keepdim=True).values(), m.grad_fn.name(), s.grad_fn.name()


@case('torch.Tensor.sum')
def nested_jagged_sum_dim_backward(torch):
    nt = _njt(torch, requires_grad=True)
    return nt.sum(-1).values().sum().backward()


@case('torch.nn.functional.softmax')
def nested_jagged_softmax_positive_last_dim_backward(torch):
    nt = _njt(torch, requires_grad=True)
    return nt.softmax(2).values().sum().backward()


@case('torch.nn.functional.log_softmax')
def nested_jagged_log_softmax_backward(torch):
    nt = _njt(torch, requires_grad=True)
    return nt.log_softmax(-1).values().sum().backward()


@case('torch.Tensor.view')
def nested_jagged_view_reshape(torch):
    nt = _njt(torch)
    v = nt.view(3, -1, 2, 4)
    r = v.reshape(3, -1, 8)
    f = v.flatten(-2)
    return _j(v.shape), _j(r.shape), _j(f.shape), v.unbind()[1], torch.equal(r.values(), nt.values()), \
        f.unbind()[0]


@case('torch.nested.as_nested_tensor')
def nested_jagged_as_nested_list(torch):
    xs = [t.requires_grad_() for t in _seqs(torch, 4)]
    nt = torch.nested.as_nested_tensor(xs, layout=torch.jagged)
    torch.nested.to_padded_tensor(nt.sin(), 0.).sum().backward()
    return nt.values(), nt.is_leaf, [x.grad for x in xs]


@case('torch.nested.masked_select')
def nested_jagged_masked_select(torch):
    x = torch.arange(12.).view(3, 4)
    nt = torch.nested.masked_select(x, x.remainder(3) != 1)
    return nt.unbind(), nt.offsets(), _j(nt.shape)


# --- scaled_dot_product_attention on jagged tensors ---
def _heads(nt, h=2):
    return nt.unflatten(-1, (h, nt.size(-1) // h)).transpose(1, 2)


@case('torch.nn.functional.scaled_dot_product_attention')
def nested_jagged_sdpa(torch):
    F = torch.nn.functional
    x = _njt(torch, requires_grad=True)
    q, k, v = _heads(x), _heads(x * 2), _heads(x.relu())
    o = F.scaled_dot_product_attention(q, k, v)
    o2 = F.scaled_dot_product_attention(q, k, v, scale=0.3)
    out = o.transpose(1, 2).flatten(-2)
    (torch.nested.to_padded_tensor(out, 0.).pow(2).sum() + o2.values().sum()).backward()
    return _j(o.shape), o.is_contiguous(), o._ragged_idx, out.unbind(), o2.values(), x.grad.values()


@case('torch.nn.functional.scaled_dot_product_attention')
def nested_jagged_sdpa_matches_dense(torch):
    """Each sequence attended on its own gives what dense attention gives on it."""
    F = torch.nn.functional
    x = _njt(torch)
    q = _heads(x)
    out = F.scaled_dot_product_attention(q, q, q).unbind()
    dense = [F.scaled_dot_product_attention(c, c, c) for c in q.unbind()]
    return [torch.allclose(a, b, atol=1e-6) for a, b in zip(out, dense)], out


@case('torch.nn.functional.scaled_dot_product_attention')
def nested_jagged_sdpa_mask(torch):
    q = _heads(_njt(torch))
    return torch.nn.functional.scaled_dot_product_attention(q, q, q, attn_mask=torch.ones(3, 2, 5, 5))


@case('torch.nn.functional.scaled_dot_product_attention')
def nested_jagged_sdpa_not_contiguous(torch):
    x = _njt(torch)
    q = torch.nested.nested_tensor_from_jagged(x.values()[:, :4].contiguous().t().contiguous().t(), x.offsets())
    q = q.unflatten(-1, (2, 2)).transpose(1, 2)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return torch.nn.functional.scaled_dot_product_attention(q, q, q)


@case('torch.nn.functional.scaled_dot_product_attention')
def nested_jagged_sdpa_causal(torch):
    q = _heads(_njt(torch))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return torch.nn.functional.scaled_dot_product_attention(q, q, q, is_causal=True)


@case('torch.nn.functional.scaled_dot_product_attention')
def nested_jagged_attention_block(torch):
    """Variable-length sequences through a projection, multi-head attention, an output projection and
    a loss on the padded result; one optimizer step."""
    qp, kp, vp, proj = (torch.nn.Linear(8, 8) for _ in range(4))
    opt = torch.optim.SGD([p for m in (qp, kp, vp, proj) for p in m.parameters()], lr=0.1)
    x = _njt(torch)
    q, k, v = _heads(qp(x)), _heads(kp(x)), _heads(vp(x))
    o = torch.nn.functional.scaled_dot_product_attention(q, k, v).transpose(1, 2).flatten(-2)
    y = proj(o)
    loss = torch.nested.to_padded_tensor(y, 0.).pow(2).mean()
    loss.backward()
    opt.step()
    return loss, qp.weight.grad, vp.bias.grad, proj.bias.grad, kp.weight


@case('torch.nested.to_padded_tensor')
def nested_padded_with_holes(torch):
    x = torch.arange(12.).view(2, 3, 2)
    return torch.nested.to_padded_tensor(torch.nested.narrow(x, 1, 0, 2, layout=torch.jagged), 0.)


@case('torch.Tensor.chunk')
def nested_jagged_chunk_split(torch):
    nt = _njt(torch, d=6, requires_grad=True)
    c = nt.chunk(3, -1)
    s = nt.split(2, -1)
    w = torch.split(nt, [2, 4], -1)
    u = nt.unsqueeze(-1)
    # no backward here: real torch 2.13 crashed (segfault) in it after the other cases of a full run
    return ([t.values() for t in c], [t.grad_fn.name() for t in c], [_j(t.shape) for t in s + w],
            s[0].grad_fn.name(), _j(u.shape), u.unbind()[1], torch.chunk(nt, 2, -1)[1].values())


@case('torch.Tensor.chunk')
def nested_jagged_chunk_ragged(torch):
    return _njt(torch).chunk(2, 1)


@case('torch.Tensor.view')
def nested_strided_view(torch):
    nt = _nt(torch, requires_grad=True)
    v = nt.view(2, -1, 3)
    r = nt.reshape(2, -1, 3, 1)
    torch.nested.to_padded_tensor(r * 2, 0.).sum().backward()
    return repr(v), repr(r), repr(nt.grad)


@case('torch.Tensor.view')
def nested_strided_view_batch(torch):
    return _nt(torch).view(-1, 1, 3)


@case('torch.Tensor.reshape')
def nested_strided_reshape_invalid(torch):
    return _nt(torch).reshape(2, 3, -1)


@case('torch.Tensor.reshape')
def nested_strided_reshape_infer(torch):
    return _nt(torch).reshape(2, 3, 1, -1)


@case('torch.nn.functional.dropout')
def nested_jagged_dropout(torch):
    nt = torch.nested.nested_tensor([torch.ones(3, 4), torch.ones(2, 4)], layout=torch.jagged, requires_grad=True)
    d = torch.nn.functional.dropout(nt, 0.5)
    e = torch.nn.Dropout(0.3).eval()(nt)
    torch.nested.to_padded_tensor(d, 0.).sum().backward()
    return d.values(), e.values(), nt.grad.values()


@case('torch.Tensor.sum')
def nested_strided_sum_last(torch):
    nt = _nt(torch, requires_grad=True)
    s = nt.sum(-1, keepdim=True)
    torch.nested.to_padded_tensor(s * 3, 0.).sum().backward()
    return repr(s), repr(nt.grad)


@case('torch.Tensor.sum')
def nested_strided_sum_no_keepdim(torch):
    return _nt(torch).sum(-1)


@case('torch.Tensor.sum')
def nested_strided_sum_dim1(torch):
    return _nt(torch).sum(1, keepdim=True)


@case('torch.Tensor.unsqueeze')
def nested_strided_unsqueeze_squeeze(torch):
    nt = _nt(torch, requires_grad=True)
    u = nt.unsqueeze(1)
    s = u.squeeze(1)
    torch.nested.to_padded_tensor(s * 2 + 1, 0.).sum().backward()
    return repr(u), repr(nt.unsqueeze(-1)), repr(s), repr(nt.grad)


@case('torch.Tensor.unsqueeze')
def nested_strided_unsqueeze_0(torch):
    return _nt(torch).unsqueeze(0)


@case('torch.Tensor.squeeze')
def nested_strided_squeeze_0(torch):
    return _nt(torch).squeeze(0)


@case('torch.Tensor.masked_fill')
def nested_masked_fill(torch):
    nt = _nt(torch, requires_grad=True)
    m = nt.masked_fill(nt.detach() > 1, -1.)
    torch.nested.to_padded_tensor(m * 2, 0.).sum().backward()
    j = _njt(torch)
    return repr(m), repr(nt.grad), j.masked_fill(j > 0, 0.).values(), repr(nt > 1), repr(nt.eq(2.))


@case('torch.Tensor.masked_fill')
def nested_masked_fill_dense_mask(torch):
    return _nt(torch).masked_fill(torch.ones(3, dtype=torch.bool), 0.)


@case('torch.Tensor.eq')
def nested_strided_eq_nested(torch):
    nt = _nt(torch)
    return nt == nt


@case('torch.nn.functional.scaled_dot_product_attention')
def nested_strided_sdpa(torch):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        q = torch.nested.nested_tensor([torch.randn(2, 3, 4), torch.randn(2, 5, 4)], requires_grad=True)
        k = torch.nested.nested_tensor([torch.randn(2, 4, 4), torch.randn(2, 1, 4)], requires_grad=True)
    o = torch.nn.functional.scaled_dot_product_attention(q, k, k)
    torch.nested.to_padded_tensor(o, 0.).pow(2).sum().backward()
    return o.unbind(), o.grad_fn.name(), q.grad.unbind(), k.grad.unbind()


@case('torch.Tensor.add_')
def nested_inplace(torch):
    nt, j = _nt(torch), _njt(torch)
    nt.add_(1).mul_(2)
    nt.relu_()
    j.sub_(j, alpha=0.5)
    j.div_(2).relu_()
    z = _nt(torch).zero_()
    f = _njt(torch).fill_(3.)
    c = _nt(torch).copy_(nt)
    return repr(nt), j.values(), repr(z), f.values(), repr(c), repr(_nt(torch).abs_()), repr(_nt(torch).neg_())


@case('torch.Tensor.add_')
def nested_inplace_leaf(torch):
    return _njt(torch, requires_grad=True).add_(1)


@case('torch.Tensor.add_')
def nested_inplace_leaf_as_nested(torch):
    return torch.nested.as_nested_tensor(_seqs(torch), layout=torch.jagged).requires_grad_().mul_(2)


@case('torch.Tensor.add_')
def nested_inplace_strided_leaf(torch):
    return _nt(torch, requires_grad=True).relu_()


@case('torch.Tensor.abs_')
def nested_jagged_abs_(torch):
    return _njt(torch).abs_()


@case('torch.Tensor.tolist')
def nested_jagged_tolist(torch):
    return _njt(torch).tolist()


@case('torch.Tensor.tolist')
def nested_strided_tolist(torch):
    return _nt(torch).tolist()


@case('torch.Tensor.numpy')
def nested_jagged_numpy(torch):
    return _njt(torch).numpy()


@case('torch.Tensor.item')
def nested_item(torch):
    return _njt(torch).item()


@case('torch.Tensor.permute')
def nested_jagged_permute_mT(torch):
    nt = _njt(torch).unflatten(-1, (2, 4))
    p = nt.permute(0, 2, 1, 3)
    return (_j(p.shape), p._ragged_idx, p.unbind()[0], _j(nt.mT.shape), nt.mT.unbind()[1], _j(nt.nelement()),
            repr(_nt(torch).mT), _nt(torch).bool().dtype, _nt(torch).long().dtype)


@case('torch.Tensor.permute')
def nested_jagged_permute_batch(torch):
    return _njt(torch).permute(1, 0, 2)


@case('torch.cat')
def nested_jagged_cat_stack(torch):
    nt = _njt(torch, requires_grad=True)
    c = torch.cat([nt, nt * 2], -1)
    st = torch.stack([nt, nt], -1)
    torch.nested.to_padded_tensor(c, 0.).sum().backward()
    return c.values(), c.grad_fn.name(), _j(c.shape), _j(st.shape), st.unbind()[2], nt.grad.values()


@case('torch.cat')
def nested_jagged_cat_ragged(torch):
    nt = _njt(torch)
    return torch.cat([nt, nt], 1)


@case('torch.cat')
def nested_strided_cat(torch):
    nt = _nt(torch)
    return torch.cat([nt, nt])


@case('torch.stack')
def nested_jagged_stack_0(torch):
    nt = _njt(torch)
    return torch.stack([nt, nt])


@case('torch.nested.nested_tensor')
def nested_print_wide_and_summarized(torch):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        nt = torch.nested.nested_tensor([torch.randn(2, 12), torch.randn(1, 12)], requires_grad=True)
        print(nt)
        print(torch.nested.nested_tensor([torch.randn(30), torch.arange(1200.)]))
        print(torch.nested.nested_tensor([torch.randn(3, dtype=torch.float64), torch.randn(2, dtype=torch.float64)]))
        print(torch.nested.nested_tensor([torch.tensor([True, False]), torch.tensor([True])]))
        print(nt * 2)
        torch.set_printoptions(precision=2)
        print(nt)


def _raises(torch, f):
    """The error f raises, with nested-int numbers taken out (RuntimeError/ValueError only)."""
    try:
        f()
    except (RuntimeError, ValueError) as e:
        return type(e).__name__, _j(e)


@case('torch.nested.nested_tensor')
def nested_errors_jagged(torch):
    j = _njt(torch)
    F = torch.nn.functional
    return [_raises(torch, f) for f in (
        lambda: F.linear(j.transpose(1, 2), torch.ones(2, 3)), lambda: F.layer_norm(j, (5, 8)),
        lambda: j.view(3, -1, 8), lambda: j.view(3, 4, 8), lambda: j.squeeze(1), lambda: j.flatten(0, 1),
        lambda: j.flatten(1, 2), lambda: j.softmax(0), lambda: j.sum(0))]


@case('torch.nested.nested_tensor')
def nested_errors_strided(torch):
    s = _nt(torch)
    F = torch.nn.functional
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        three = torch.nested.nested_tensor([torch.randn(3, 2)] * 3)
    return [_raises(torch, f) for f in (
        lambda: torch.bmm(s, three), lambda: torch.matmul(s, three), lambda: s.softmax(0),
        lambda: F.linear(s, torch.ones(2, 7)))]


@case('torch.bmm')
def nested_strided_bmm_dense(torch):
    s = _nt(torch, requires_grad=True)
    w = torch.randn(2, 3, 4, requires_grad=True)
    out = torch.bmm(s, w)      # (torch 2.13's backward of this one is broken: forward only)
    return repr(out), out.grad_fn.name()
