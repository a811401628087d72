"""Special values through reductions and their gradients: NaN results, ties, non-differentiable ops
(found by an edge-value fuzz against torch)."""
import numpy as np

from conformance import case


def _nan_rows(torch):
    return torch.tensor([[1., float('nan'), 2.], [3., 1., 3.]], requires_grad=True)


@case('torch.amax')
def nan_row_grad(torch):        # a NaN result ties with nothing: 0/0 for its row
    x = _nan_rows(torch)
    torch.amax(x, 1).sum().backward()
    y = _nan_rows(torch)
    torch.amin(y).backward()
    return x.grad, y.grad


@case('torch.aminmax')
def nan_row_grad(torch):
    x = _nan_rows(torch)
    r = torch.aminmax(x, dim=1)
    (r.min.sum() + r.max.sum()).backward()
    return x.grad


@case('torch.max')
def nan_full_grad(torch):       # the full max gives the gradient to its NaN
    x = _nan_rows(torch)
    torch.max(x).backward()
    return x.grad


@case('torch.unique')
def backward_not_implemented(torch):
    x = torch.tensor([1., 2., 2.], requires_grad=True)
    names = [f().grad_fn.name() for f in (lambda: torch.unique(x), lambda: torch.unique(x, dim=0),
                                          lambda: torch.unique_consecutive(x))]
    torch.unique(x, return_counts=True)[0].sum().backward()
    return names


@case('torch.unique_consecutive')
def backward_not_implemented(torch):
    x = torch.tensor([1., 2., 2.], requires_grad=True)
    torch.unique_consecutive(x).sum().backward()


@case('torch.optim.SGD')
def lr_checks(torch):       # SGD tests lr < 0: a NaN passes; a string names its type first
    p = torch.nn.Parameter(torch.ones(2))
    torch.optim.SGD([p], lr=float('nan'))
    torch.optim.SGD([p], lr='a')


@case('torch.optim.SparseAdam')
def lr_checks(torch):
    p = torch.nn.Parameter(torch.ones(2))
    out = []
    for lr in (torch.tensor([0.1, 0.2]), 0.0, 'a'):
        try:
            torch.optim.SparseAdam([p], lr=lr)
        except (ValueError, TypeError) as e:
            out.append(f'{type(e).__name__}: {e}')
    return out


_SPECIAL = [-2.5, -1., -0.0, 0., 0.5, 1., 3., float('nan'), float('inf'), -float('inf')]


def _grad_of(torch, fn, g=(1., -1., 2., -2., 1., float('inf'), -1., float('nan'), 1., -3.)):
    x = torch.tensor(_SPECIAL, requires_grad=True)
    y = fn(x)
    y.backward(torch.tensor(g))
    return repr(y.detach()), repr(x.grad)       # repr: shows -0. where value comparison would not


for _name, _fn in [('sign', lambda t, x: t.sign(x)), ('floor', lambda t, x: t.floor(x)),
                   ('round', lambda t, x: t.round(x)), ('round_decimals', lambda t, x: t.round(x, decimals=1)),
                   ('trunc', lambda t, x: t.trunc(x)), ('angle', lambda t, x: t.angle(x)),
                   ('pow_0', lambda t, x: x ** 0), ('div_floor', lambda t, x: t.div(x, 2., rounding_mode='floor')),
                   ('copysign_other', lambda t, x: t.copysign(t.ones(10), x)),
                   ('nextafter_other', lambda t, x: t.nextafter(t.ones(10), x))]:
    @case('torch.' + _name.split('_')[0], name='zero_grad_' + _name)
    def _zero_grads(torch, fn=_fn):     # piecewise-constant ops: zeros, never g * 0 (-0., NaN)
        return _grad_of(torch, lambda x: fn(torch, x))


for _op in ('maximum', 'minimum', 'fmax', 'fmin', 'remainder', 'fmod', 'floor_divide'):
    @case('torch.' + _op, name='special_values_table')
    def _table(torch, op=_op):      # every pair of special values: the signs of zero, inf and NaN
        a = torch.tensor(_SPECIAL).view(-1, 1)
        b = torch.tensor(_SPECIAL).view(1, -1)
        return repr(getattr(torch, op)(a, b))


@case('torch.div', name='floor_special_values_table')
def _div_floor_table(torch):     # Python's float floor division: -2.5 // inf is -1, inf // 2 is nan
    a = torch.tensor(_SPECIAL).view(-1, 1)
    return repr(torch.div(a, torch.tensor(_SPECIAL).view(1, -1), rounding_mode='floor'))


# reductions on empty, bool and integer inputs: torch's checks in its order
from conformance import check      # noqa: E402

for _i, (_api, _fn) in enumerate([
        ('Tensor.std', lambda t: t.arange(3).std(1)), ('torch.var_mean', lambda t: t.var_mean(t.arange(3), 1)),
        ('torch.std_mean', lambda t: t.std_mean(t.ones(3, dtype=t.bool))),
        ('torch.logsumexp', lambda t: t.logsumexp(t.ones(2, 3), ())),
        ('torch.logsumexp', lambda t: t.logsumexp(t.ones(2, 0), ())),
        ('torch.logsumexp', lambda t: t.logsumexp(t.ones(2, 3), (), keepdim=True)),
        ('torch.median', lambda t: t.median(t.ones(3, dtype=t.bool))),
        ('torch.median', lambda t: t.median(t.ones(0, dtype=t.long))),
        ('torch.median', lambda t: t.median(t.ones(0, 3, dtype=t.bool), 0)),
        ('torch.median', lambda t: t.median(t.ones(2, 3, dtype=t.bool), 0)),
        ('torch.kthvalue', lambda t: t.kthvalue(t.ones(2, 0), 2)), ('torch.kthvalue', lambda t: t.kthvalue(t.ones(3, dtype=t.bool), 2)),
        ('torch.topk', lambda t: t.topk(t.ones(3, dtype=t.bool), 2)), ('torch.topk', lambda t: t.topk(t.ones(3, dtype=t.bool), 5)),
        ('torch.quantile', lambda t: t.quantile(t.ones(0, 3, dtype=t.long), 0.5)),
        ('torch.quantile', lambda t: t.quantile(t.ones(0, 3), t.tensor([0.2, 0.8]), dim=1)),
        ('torch.bincount', lambda t: t.bincount(t.ones(3, dtype=t.bool))), ('torch.histc', lambda t: t.histc(t.ones(3, dtype=t.bool), 4)),
        ('torch.dist', lambda t: t.dist(t.ones(3, dtype=t.long), t.ones(3, dtype=t.long))),
        ('torch.dist', lambda t: t.dist(t.ones(3, dtype=t.long), t.ones(3))),
        ('torch.cov', lambda t: t.cov(t.ones(2, 3, dtype=t.bool))), ('torch.corrcoef', lambda t: t.corrcoef(t.ones(3, dtype=t.bool))),
        ('torch.linalg.vector_norm', lambda t: t.linalg.vector_norm(t.ones(2, 0), float('inf'), dim=(0, 1))),
        ('torch.linalg.vector_norm', lambda t: t.linalg.vector_norm(t.ones(2, 0), float('-inf')))]):
    check(_api, _fn, name=f'empty_bool_int_{_i}')


@case('torch.linalg.matrix_power')
def power_0_grad_is_zeros(torch):
    A = torch.ones(2, 2, requires_grad=True)
    torch.linalg.matrix_power(A, 0).backward(-torch.ones(2, 2))
    return repr(A.grad)


# binary ops: a kernel's dtype refusal comes after the broadcast error; complex refusals
for _op, _da, _db, _sa, _sb in [('bitwise_and', 'float32', 'float32', (3,), (2,)), ('remainder', 'bool', 'bool', (2, 3), (3, 2)),
                                ('pow', 'bool', 'bool', (3,), (2,)), ('sub', 'bool', 'bool', (3,), (2,)),
                                ('maximum', 'complex64', 'float32', (3,), (2,)), ('fmax', 'complex64', 'float32', (3,), (3,)),
                                ('heaviside', 'complex64', 'float32', (3,), (3,)), ('atan2', 'complex64', 'float32', (3,), (3,)),
                                ('lt', 'float32', 'complex64', (3,), (3,)), ('eq', 'float32', 'complex64', (3,), (3,)),
                                ('remainder', 'complex64', 'float32', (3,), (3,)), ('floor_divide', 'complex64', 'float32', (), (2,)),
                                ('hypot', 'complex64', 'float32', (3,), (3,)), ('copysign', 'complex64', 'float32', (3,), (3,)),
                                ('xlogy', 'float32', 'complex64', (3,), (3,)), ('nextafter', 'complex64', 'float32', (3,), (3,)),
                                ('logaddexp2', 'complex64', 'float32', (3,), (3,)), ('igamma', 'complex64', 'float32', (3,), (3,))]:
    check('torch.' + _op, lambda torch, op=_op, da=_da, db=_db, sa=_sa, sb=_sb: getattr(torch, op)(
        torch.ones(sa, dtype=getattr(torch, da)), torch.ones(sb, dtype=getattr(torch, db))),
        name=f'refusal_{_da}_{_db}_{"x".join(map(str, _sa))}_{"x".join(map(str, _sb))}')


@case('Tensor.__getitem__')
def element_view_writes_through(torch):     # x[i] of a 1-d tensor is a 0-d view: in-place ops land in x
    y = torch.tensor([1., -2., 3.])
    y[0].fill_(2.)
    y[1].add_(10)
    y.select(0, 2).mul_(3)
    z = torch.arange(6.).reshape(2, 3)
    z[1, 2].neg_()
    z[0][1].zero_()
    return y, z


@case('Tensor.fill_')
def non_leaf_stays_in_graph(torch):      # FillBackward2/3, ZeroBackward0; views through CopySlices
    x = torch.tensor([1., -2.], requires_grad=True)
    v = torch.tensor(5., requires_grad=True)
    names = []
    for fill in (lambda y: y.fill_(3.), lambda y: y.fill_(v), lambda y: y.zero_(), lambda y: y[0].fill_(2.)):
        y = x * 1
        fill(y)
        names.append(y.grad_fn.name())
        (y * torch.tensor([1., 2.])).sum().backward()
    return names, y, x.grad, v.grad


@case('Tensor.unbind')
def element_views_write_through(torch):     # iteration, unbind and diagonal give writable views
    y = torch.tensor([1., 2., 3.])
    for v in y:
        v.mul_(2)
    y.unbind(0)[0].add_(100)
    d = torch.tensor([[1., 2.], [3., 4.]])
    d.diagonal().add_(1)
    d.diagonal()[0].fill_(9)
    f = torch.ones(3, 3)
    f.diagonal(1).zero_()
    return y, d, f


@case('Tensor.expand')
def in_place_on_expanded(torch):     # fills and non-overlapping expands are allowed; other writes raise
    out = [torch.ones(3).expand(2, 3).fill_(1), torch.ones(1, 3).expand(2, 3).zero_()]
    a = torch.ones(3)
    a.expand(1, 3).mul_(2)
    out.append(a)
    for bad in (lambda: torch.ones(3).expand(2, 3).add_(1), lambda: torch.ones(3).expand(2, 3).copy_(torch.zeros(2, 3))):
        try:
            bad()
        except RuntimeError as e:
            out.append(str(e))
    return out


check('Tensor.size', lambda torch: torch.tensor(1.).size(0), name='zero_dim')
check('torch.broadcast_shapes', lambda torch: torch.broadcast_shapes(torch.Size([3]), torch.Size([4])), name='size_shown')
check('torch.broadcast_shapes', lambda torch: torch.broadcast_shapes([3], [4]), name='list_shown')


# matrix products: addmm checks dtypes before ranks; bool has no CPU kernel (each product names its own)
for _i, _fn in enumerate([
        lambda t: t.addmm(t.ones(2, 2, dtype=t.double), t.ones(2), t.ones(2, 2)),
        lambda t: t.addmm(t.ones(2), t.ones(2, 2), t.ones(2, 2, dtype=t.double)),
        lambda t: t.addmm(t.ones(2, 2), t.ones(2, 2, dtype=t.bool), t.ones(2, 2, dtype=t.bool)),
        lambda t: t.addmm(t.ones(2, 2, dtype=t.bool), t.ones(2, 2, dtype=t.bool), t.ones(2, 2, dtype=t.bool)),
        lambda t: t.addmm(t.ones(2, 2), t.ones(2), t.ones(2, 2)),
        lambda t: t.mm(t.ones(2, 2, dtype=t.bool), t.ones(2, 2, dtype=t.bool)),
        lambda t: t.bmm(t.ones(1, 2, 2, dtype=t.bool), t.ones(1, 2, 2, dtype=t.bool)),
        lambda t: t.mv(t.ones(2, 2, dtype=t.bool), t.ones(2, dtype=t.bool)),
        lambda t: t.dot(t.ones(2, dtype=t.bool), t.ones(2, dtype=t.bool)),
        lambda t: t.matmul(t.ones(3, 2, 2, dtype=t.bool), t.ones(2, 2, dtype=t.bool)),
        lambda t: t.matmul(t.ones(2, dtype=t.bool), t.ones(3, 2, 2, dtype=t.bool)),
        lambda t: t.matmul(t.ones(3, 2, 2, dtype=t.bool), t.ones(2, dtype=t.bool))]):
    check('torch.addmm' if _i < 5 else 'torch.matmul', _fn, name=f'product_checks_{_i}')


@case('torch.promote_types')
def big_unsigned_with_integers(torch):      # uint16/32/64 promote only with themselves and floats
    pairs = [(torch.uint16, torch.int64), (torch.uint64, torch.uint8), (torch.uint16, torch.bool),
             (torch.uint32, torch.uint16), (torch.uint32, torch.float32), (torch.uint16, torch.uint16)]
    from conformance import outcomes
    return outcomes(*[lambda a=a, b=b: torch.promote_types(a, b) for a, b in pairs],
                    lambda: torch.ones(2, dtype=torch.uint16) + torch.ones(2, dtype=torch.int64))


@case('torch.logaddexp')
def complex_values_and_grads(torch):        # NumPy's logaddexp has no complex loop
    a = torch.tensor([1 + 2j, -0.5 + 0.1j, 3 - 1j], requires_grad=True)
    b = torch.tensor([0.5 - 1j, 2 + 0.3j, -1 - 1j], requires_grad=True)
    r = torch.logaddexp(a, b)
    (r * torch.tensor([1 + 1j, 2, -1j])).real.sum().backward()
    return r, a.grad, b.grad


@case('torch.logit')
def grad_at_signed_zero(torch):             # -0.0 is 0: +inf (times the gradient's sign), not -inf
    x = torch.tensor([-0.0, 0.0, 1.0, 0.5], requires_grad=True)
    torch.logit(x).backward(torch.tensor([1., -1., 1., 1.]))
    return x.grad


@case('torch.ldexp')
def bool_exponent(torch):                   # the float kernel takes integer exponents only
    from conformance import outcomes
    return outcomes(lambda: torch.ldexp(torch.tensor([1., 2.]), torch.tensor([True, False])),
                    lambda: torch.ldexp(torch.tensor([1, 2]), torch.tensor([True, False])))


@case('torch.amax')
def empty_dims_in_order(torch):             # each dim is wrapped, then checked for size, in turn
    from conformance import outcomes
    e = torch.zeros(0, 3)
    return outcomes(lambda: torch.amax(e, dim=(0, 5)), lambda: torch.amin(e, dim=(1, 0)),
                    lambda: torch.amax(torch.zeros(2, 0), dim=(0, 3)))


@case('torch.add')
def alpha_checks_and_graph(torch):          # torch's alpha_check; alpha * other inside the one node
    from conformance import outcomes
    i, f, b = torch.tensor([1, 2]), torch.tensor([1., 2.]), torch.tensor([True, False])
    x, y = torch.tensor([1., 2.], requires_grad=True), torch.tensor([3., 4.], requires_grad=True)
    r = torch.sub(x, y, alpha=2)
    r.sum().backward()
    return (outcomes(lambda: torch.add(i, i, alpha=0.5), lambda: torch.add(i, i, alpha=True),
                     lambda: torch.add(b, b, alpha=2), lambda: torch.add(f, f, alpha=1j),
                     lambda: torch.add(i, 2, alpha=0.5), lambda: torch.sub(b, b, alpha=2),
                     lambda: torch.rsub(i, i, alpha=0.5), lambda: i.clone().add_(i, alpha=0.5)),
            [type(n).__name__ if n is not None else None for n, _ in r.grad_fn.next_functions], x.grad, y.grad)


def _reduced_alpha(torch, dt):
    g = np.random.default_rng(0)
    x = torch.tensor(g.uniform(-10, 10, 512), dtype=torch.float32).to(dt)
    y = torch.tensor(g.uniform(-10, 10, 512), dtype=torch.float32).to(dt)
    return [op(x, y, alpha=a) for a in (0.3, 1.7, 3) for op in (torch.add, torch.sub)]


# half/bfloat16: x + alpha * y in float32 with alpha rounded to the dtype, rounded once (torch's
# vectorised loop; its scalar loop for a tail shorter than a vector rounds the product: not matched)
check('torch.add', lambda torch: _reduced_alpha(torch, torch.float16), name='float16_alpha', exact=True)
check('torch.add', lambda torch: _reduced_alpha(torch, torch.bfloat16), name='bfloat16_alpha', exact=True)
# float32: one fused multiply-add (alpha rounded to float32): x + alpha * y rounded once
check('torch.add', lambda torch: _reduced_alpha(torch, torch.float32), name='float32_alpha_fma', exact=True)


def _double_rounding_alpha(torch):
    # x + alpha * y within 2**-36 of a float32 tie: rounding the product first, or the sum in float64
    # first, lands on the tie and rounds it the wrong way (16777218 + (1 - 2**-18)(1 + 2**-18) is
    # 16777218 fused, 16777220 either way else); sizes around the kernels' vector tails, a 0-d one,
    # in place and not
    g = np.random.default_rng(1)
    out = []
    for n in (None, 1, 7, 33, 1000):
        size = () if n is None else (n,)
        x = torch.tensor(g.integers(2 ** 23, 2 ** 24, size) * 2.0, dtype=torch.float32)
        y = torch.tensor(1 + g.integers(-2 ** 10, 2 ** 10, size) * 2.0 ** -22, dtype=torch.float32)
        for a in (1 - 2 ** -18, -(1 - 2 ** -18), 0.5 + 2 ** -20):
            out += [torch.add(x, y, alpha=a), torch.sub(x, y, alpha=a), x.clone().add_(y, alpha=a),
                    x.clone().sub_(y, alpha=-a)]
    return out


check('torch.add', _double_rounding_alpha, name='float32_alpha_double_rounding', exact=True)


@case('torch.multinomial')
def empty_distribution(torch):              # no probabilities: torch's "sum <= 0" (NumPy's reshape error leaked)
    from conformance import outcomes
    return outcomes(lambda: torch.multinomial(torch.tensor([]), 2, True),
                    lambda: list(torch.utils.data.WeightedRandomSampler([], 2)))


@case('Tensor.expand')
def type_names_in_errors(torch):            # torch's type string: torch.HalfTensor, but CPUBoolType / CPUBFloat16Type
    from conformance import outcomes
    x = torch.ones(3, dtype=torch.bfloat16, requires_grad=True)
    y = x.exp()
    y.add_(1)
    return outcomes(*[lambda dt=dt: torch.zeros(2, 3, dtype=dt).expand(3)
                      for dt in (torch.bool, torch.bfloat16, torch.complex64, torch.float16, torch.uint16)],
                    lambda: y.sum().backward())
