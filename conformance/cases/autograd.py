"""Autograd mechanics: grad_fn names, graph walking, backward options, grad, hooks, modes, Function."""
from conformance import case, check


@case('torch.autograd.backward')
def tutorial_walkthrough(torch):
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    out.backward()
    return (repr(y), repr(z), repr(out), y.grad_fn.name(), z.grad_fn.name(), out.grad_fn.name(),
            x.grad, x.is_leaf, y.is_leaf, x.grad_fn)


@case('torch.autograd.backward')
def vector_backward(torch):
    x = torch.tensor([1., 2., 3.], requires_grad=True)
    y = x * 2
    while y.data.norm() < 1000 if hasattr(y.data, 'norm') else False:
        y = y * 2
    v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
    y.backward(v)
    return x.grad


check('Tensor.backward', lambda torch: (torch.ones(3, requires_grad=True) * 2).backward(), name='non_scalar_error')
check('Tensor.backward', lambda torch: torch.ones(3).sum().backward(), name='no_grad_error')
check('Tensor.backward', lambda torch: (torch.ones(3, requires_grad=True) * 2).backward(torch.ones(2)),
      name='grad_shape_error')


@case('Tensor.backward')
def second_backward_error(torch):
    a = torch.ones(3, requires_grad=True)
    c = (a * a).sum()
    c.backward()
    c.backward()


@case('Tensor.backward')
def second_backward_without_saved_ok(torch):
    a = torch.ones(3, requires_grad=True)
    c = (a + 1).sum()
    c.backward()
    c.backward()
    return a.grad


@case('Tensor.backward')
def retain_graph_accumulates(torch):
    a = torch.tensor([1., 2.], requires_grad=True)
    c = (a * a).sum()
    c.backward(retain_graph=True)
    c.backward()
    return a.grad


@case('Tensor.backward')
def inputs_argument(torch):
    a = torch.tensor([1., 2.], requires_grad=True)
    b = torch.tensor([3., 4.], requires_grad=True)
    (a * b).sum().backward(inputs=[a])
    return a.grad, b.grad


@case('Tensor.backward')
def create_graph_double_backward(torch):
    x = torch.tensor([1., 2., 3.], requires_grad=True)
    y = (x ** 3).sum()
    g, = torch.autograd.grad(y, x, create_graph=True)
    g.sum().backward()
    return g, x.grad, g.grad_fn is not None


@case('torch.autograd.grad')
def grad_basic(torch):
    x = torch.tensor([0.5, -1.0], requires_grad=True)
    y = torch.tensor([2.0, 3.0], requires_grad=True)
    z = (x.exp() * y + x.sin() * x).sum()
    gx, gy = torch.autograd.grad(z, (x, y))
    return gx, gy, x.grad


@case('torch.autograd.grad')
def grad_second_order_chain(torch):
    x = torch.tensor(0.7, requires_grad=True)
    f = x.tanh() * x.sigmoid() + x.log() / (x + 1)
    d1, = torch.autograd.grad(f, x, create_graph=True)
    d2, = torch.autograd.grad(d1, x, create_graph=True)
    d3, = torch.autograd.grad(d2, x)
    return d1, d2, d3


@case('torch.autograd.grad')
def grad_unused(torch):
    x = torch.ones(2, requires_grad=True)
    y = torch.ones(2, requires_grad=True)
    return torch.autograd.grad((x * 2).sum(), [x, y], allow_unused=True)


check('torch.autograd.grad', lambda torch: torch.autograd.grad(
    (torch.ones(2, requires_grad=True) * 2).sum(), [torch.ones(2, requires_grad=True)]), name='unused_error')


@case('torch.autograd.grad')
def grad_of_intermediate(torch):
    x = torch.tensor([1., 2.], requires_grad=True)
    h = x * 3
    out = (h ** 2).sum()
    return torch.autograd.grad(out, h)


@case('Tensor.grad_fn')
def next_functions_walk(torch):
    x = torch.ones(2, requires_grad=True)
    w = torch.ones(2)
    y = (x * w + 1).sum()
    names = []
    fn = y.grad_fn
    while fn is not None:
        names.append(fn.name())
        nxt = [f for f, _ in fn.next_functions if f is not None]
        fn = nxt[0] if nxt else None
    acc = y.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0]
    return names, acc.variable is x, [n for _, n in y.grad_fn.next_functions]


@case('Tensor.grad_fn')
def grad_fn_names(torch):
    a = torch.ones(2, 3, requires_grad=True)
    fs = [a.t(), a.T, a.sum(0), a.sum(), a.mean(1), a.view(6), a.reshape(3, 2), a.expand(2, 2, 3), a ** 2,
          a ** a, 2 ** a, 2 - a, a - 2, 2 / a, a / 2, a.max(), a.max(0)[0], a.clamp(0, 1), torch.cat([a, a]),
          torch.stack([a, a]), a.to(torch.float64), a.clone(), a.t().contiguous(), torch.where(a > 0, a, 0.),
          a.masked_fill(a > 0, 1), a.relu(), a.sigmoid(), a @ a.t(), a[0] @ a[1], torch.addmm(a[0], a.t(), a),
          a.squeeze(), a.unsqueeze(0).squeeze(0), a.permute(1, 0), a.flatten(), a.abs(), -a, a.exp(), a.log(),
          a.tanh(), a.sqrt(), a.narrow(0, 0, 1), a.select(0, 1), a.unbind(0)[0], a.chunk(2, 1)[0],
          a.split(1)[0], a.split([1, 1])[0], a[0], a[:, 1], a[1:], a[None], a[[0, 1]], a[a > 0], a.min(),
          torch.ones(3, 4, 5) @ a.t()[:, :2].expand(5, 2) if False else a.sum(1, keepdim=True)]
    return [type(f.grad_fn).__name__ for f in fs]


@case('Tensor.register_hook')
def tensor_hooks(torch):
    x = torch.tensor([1., 2.], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.clone()))
    y = x * 3
    h = y.register_hook(lambda g: g * 10)
    (y * y).sum().backward()
    first = x.grad.clone()
    h.remove()
    x.grad = None
    (x * 3).sum().backward()
    return first, x.grad, seen


@case('Tensor.retain_grad')
def retain_grad(torch):
    x = torch.tensor([1., 2.], requires_grad=True)
    y = x * 2
    y.retain_grad()
    z = y * y
    z.sum().backward()
    return y.grad, y.retains_grad, x.grad, z.grad


@case('Tensor.requires_grad_')
def requires_grad_rules(torch):
    a = torch.ones(2)
    a.requires_grad_()
    b = a * 2
    out = [a.requires_grad, b.requires_grad, b.is_leaf]
    try:
        b.requires_grad = False
    except RuntimeError as e:
        out.append(str(e))
    c = b.detach()
    out += [c.requires_grad, c.is_leaf]
    return out


check('Tensor.requires_grad_', lambda torch: torch.ones(2, dtype=torch.int64).requires_grad_(), name='int_error')


@case('torch.no_grad')
def grad_modes(torch):
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        a = x * 2
        with torch.enable_grad():
            b = x * 2
    with torch.set_grad_enabled(False):
        c = x * 2
    torch.set_grad_enabled(False)
    d = x * 2
    torch.set_grad_enabled(True)
    with torch.inference_mode():
        e = x * 2

    @torch.no_grad()
    def f(t):
        return t * 2
    return (a.requires_grad, b.requires_grad, c.requires_grad, d.requires_grad, e.requires_grad,
            f(x).requires_grad, torch.is_grad_enabled())


@case('Tensor.add_')
def inplace_leaf_error(torch):
    x = torch.ones(2, requires_grad=True)
    x.add_(1)


@case('Tensor.add_')
def inplace_leaf_no_grad_ok(torch):
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        x.add_(1)
        x.mul_(3)
    return x, x.requires_grad, x.is_leaf


@case('Tensor.add_')
def inplace_saved_modified_error(torch):
    a = torch.ones(3, requires_grad=True)
    b = a.exp()
    b.add_(1)
    b.sum().backward()


@case('Tensor.mul_')
def inplace_input_modified_error(torch):
    a = torch.ones(3, requires_grad=True)
    b = a * 1
    c = b.sin()
    b.mul_(2)
    c.sum().backward()


@case('Tensor.mul_')
def inplace_chain_ok(torch):
    a = torch.tensor([1., 2.], requires_grad=True)
    b = a * 2
    b.add_(1)
    b.mul_(3)
    b.sum().backward()
    return b, a.grad, b.grad_fn.name(), b._version


@case('Tensor.data')
def data_attribute(torch):
    a = torch.ones(2, requires_grad=True)
    d = a.data
    d.add_(1)
    return a, d.requires_grad, a.requires_grad


@case('torch.autograd.Variable')
def variable_legacy(torch):
    from_var = torch.autograd.Variable(torch.Tensor([2]), requires_grad=True)
    y = from_var * 3
    y.backward()
    return from_var, from_var.grad, isinstance(from_var, torch.Tensor)


@case('torch.autograd.Function')
def custom_function(torch):
    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, i):
            result = i.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            result, = ctx.saved_tensors
            return grad_output * result

    x = torch.tensor([0., 1.], requires_grad=True)
    y = Exp.apply(x)
    y.sum().backward()
    return y, x.grad, type(y.grad_fn).__name__


@case('torch.autograd.Function')
def custom_function_setup_context(torch):
    class MulConst(torch.autograd.Function):
        @staticmethod
        def forward(x, k):
            return x * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.k = inputs[1]

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    x = torch.tensor([1., 2.], requires_grad=True)
    y = MulConst.apply(x, 3.0)
    y.sum().backward()
    return y, x.grad


@case('torch.autograd.Function')
def custom_function_needs_input_grad(torch):
    class F(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.mark_non_differentiable
            ctx.flags = ctx.needs_input_grad
            return a + b

        @staticmethod
        def backward(ctx, g):
            return g, g

    a = torch.ones(2, requires_grad=True)
    b = torch.ones(2)
    y = F.apply(a, b)
    y.sum().backward()
    return y.grad_fn.flags, a.grad


@case('torch.autograd.gradcheck')
def gradcheck_ok(torch):
    x = torch.tensor([0.3, 0.7], dtype=torch.float64, requires_grad=True)
    return (torch.autograd.gradcheck(lambda t: (t.sin() * t).exp(), (x,)),
            torch.autograd.gradgradcheck(lambda t: (t ** 3).sum(), (x,)))


@case('torch.autograd.backward')
def broadcast_and_dtype_grads(torch):
    a = torch.ones(2, 3, requires_grad=True)
    b = torch.tensor([1., 2., 3.], dtype=torch.float64, requires_grad=True)
    c = torch.tensor(2., requires_grad=True)
    out = (a * b + c).sum()
    out.backward()
    return out, a.grad, b.grad, c.grad


@case('torch.autograd.backward')
def matmul_grads(torch):
    a = torch.arange(6.).view(2, 3).requires_grad_()
    b = torch.arange(12.).view(3, 4).requires_grad_()
    v = torch.tensor([1., -1., 2.], requires_grad=True)
    bt = torch.arange(24.).view(2, 3, 4).requires_grad_()
    out = (a @ b).sum() + (a @ v).sum() + (v @ b).sum() + (v @ v) + (a @ bt).pow(2).mean()
    out.backward()
    return out, a.grad, b.grad, v.grad, bt.grad


@case('torch.autograd.backward')
def reduction_grads(torch):
    x = torch.tensor([[1., 5., 3.], [4., 5., 6.]], requires_grad=True)
    out = x.max() + x.max(1)[0].sum() + x.min(0).values.sum() + x.std() + x.var(1).sum() + x.prod() + \
        x.mean(0).sum() + x.logsumexp(1).sum() + x.amax(1).sum() + x.cumsum(1).sum()
    out.backward()
    return out, x.grad


@case('torch.autograd.backward')
def shape_grads(torch):
    x = torch.arange(6.).view(2, 3).requires_grad_()
    w = torch.arange(12.).view(2, 2, 3)
    out = (x.t().reshape(3, 2).unsqueeze(0).expand(2, 3, 2).permute(0, 2, 1) * w).sum() + \
        torch.cat([x, x * 2], 1).pow(2).sum() + torch.stack([x, x]).sum(0).prod() + \
        sum(p.sum() * (i + 1) for i, p in enumerate(x.split(1, 1))) + x.flip(0)[0].sum()
    out.backward()
    return out, x.grad


@case('torch.autograd.backward')
def pointwise_grads(torch):
    x = torch.tensor([0.5, 1.5, 2.5], requires_grad=True)
    y = torch.tensor([1.5, -0.5, 2.0], requires_grad=True)
    out = (x.exp() + x.log() + x.sqrt() + x.sin() + x.cos() + x.tanh() + x.sigmoid() + x.relu() + x.abs() +
           x / y + x ** y + x ** 2.5 + 3 ** x + torch.where(x > 1, x, y) + x.clamp(1, 2) + torch.maximum(x, y) +
           x.masked_fill(x > 2, 0) + (x - y).neg() + x.reciprocal() + x.rsqrt()).sum()
    out.backward()
    return out, x.grad, y.grad


def _inplace_with_grad_other(op, double=False, through_view=False, then=None):
    """`y.<op>_(z)` on an intermediate y with z requiring grad: the gradient of z reads y's value
    from before the write (torch saves the original self)."""
    def f(torch):
        x = torch.tensor([0.5, 1.0, 1.5, 2.0], requires_grad=True)
        z = torch.tensor([1.0, 2.0, 3.0, 0.5], requires_grad=True)
        y = x * 2 + 1
        t = y[1:] if through_view else y
        getattr(t, op + '_')(z[1:] if through_view else z)
        if then:
            then(y)
        loss = (y * y).sum()
        if double:
            gz, = torch.autograd.grad(loss, z, create_graph=True)
            gz.sum().backward()
            return gz, x.grad, z.grad
        loss.backward()
        return y, x.grad, z.grad
    return f


for _op in ('mul', 'div', 'pow', 'atan2', 'hypot', 'copysign', 'fmod'):
    check('Tensor.' + _op + '_', _inplace_with_grad_other(_op), name='other_requires_grad')
check('Tensor.mul_', _inplace_with_grad_other('mul', double=True), name='other_requires_grad_double')
check('Tensor.mul_', _inplace_with_grad_other('mul', through_view=True), name='other_requires_grad_view')
check('Tensor.mul_', _inplace_with_grad_other('mul', then=lambda y: y.mul_(3)), name='twice')


def _saved_then_modified(torch):
    """An op that saved y, then an in-place write to y: torch's version-counter error."""
    x = torch.tensor([0.5, 1.0], requires_grad=True)
    y = x * 2
    w = y * y
    y.mul_(3)
    w.sum().backward()


check('Tensor.mul_', _saved_then_modified, name='saved_input_modified_error')


def _index_modified(kind):
    """An index tensor changed in place between forward and backward: torch's version error."""
    def f(torch):
        x = torch.zeros(3, requires_grad=True)
        v = torch.ones(2, requires_grad=True)
        y = x * 1
        i = torch.tensor([True, False, True]) if kind != 'long' else torch.tensor([0, 2])
        out = y.index_put((i,), v) if kind == 'put' else y[i]
        if kind == 'long':
            i.add_(0)
        else:
            i[1] = True
        out.sum().backward()
    return f


for _kind in ('mask', 'long', 'put'):
    check('torch.autograd.backward', _index_modified(_kind), name=f'index_tensor_modified_{_kind}')


_INDEX_OPS = {
    'gather': lambda torch, x, i: x.gather(0, i),
    'index_select': lambda torch, x, i: x.index_select(0, i),
    'scatter': lambda torch, x, i: x.scatter(0, i, 5.0),
    'scatter_add': lambda torch, x, i: x.scatter_add(0, i, torch.ones(2)),
    'embedding': lambda torch, x, i: torch.nn.functional.embedding(i, x.view(4, 1)),
}
for _name, _op in _INDEX_OPS.items():
    def _f(torch, op=_op):
        x = torch.ones(4, requires_grad=True)
        i = torch.tensor([0, 2])
        y = op(torch, x * 1, i)
        i.add_(0)
        y.sum().backward()
    check('torch.autograd.backward', _f, name=f'index_tensor_modified_{_name}')


_MASK_OPS = {
    'masked_fill': lambda torch, y, m: y.masked_fill(m, 0.0),
    'where': lambda torch, y, m: torch.where(m, y, 0.0),
    'masked_select': lambda torch, y, m: y.masked_select(m),
    'masked_scatter': lambda torch, y, m: y.masked_scatter(m, torch.ones(4)),
    'index_add_src': lambda torch, y, i: y.index_add(0, i, torch.ones(2, requires_grad=True)),
    'index_add_const': lambda torch, y, i: y.index_add(0, i, torch.ones(2)),
    'index_copy': lambda torch, y, i: y.index_copy(0, i, torch.ones(2)),
    'index_fill': lambda torch, y, i: y.index_fill(0, i, 2.0),
    'take': lambda torch, y, i: y.take(i),
    'Tensor.put': lambda torch, y, i: y.put(i, torch.ones(2)),
    'scatter_reduce': lambda torch, y, i: y.scatter_reduce(0, i, torch.ones(2, requires_grad=True), 'amax'),
}
for _name, _op in _MASK_OPS.items():
    def _f(torch, op=_op, mask=_name.startswith(('masked', 'where'))):
        y = torch.ones(4, requires_grad=True) * 1
        i = torch.tensor([True, False, True, False]) if mask else torch.tensor([0, 2])
        z = op(torch, y, i)
        if mask:
            i[1] = True
        else:
            i.add_(0)
        z.sum().backward()
    check('torch.autograd.backward', _f, name=f'index_tensor_modified_{_name}')


@case('Tensor.is_inference')
def inference_tensors(torch):
    n = torch.ones(2)
    with torch.inference_mode():
        x = torch.ones(2)
        v, y, nv, nn2 = x.view(2), x * 2, n.view(2), n + 1
        x.add_(1)                                   # in-place inside the mode is allowed
    with torch.inference_mode(False):
        z = torch.ones(1)
    c = x.clone()
    c.add_(1)
    w = torch.ones(2, requires_grad=True)
    ok = torch.exp(w) + x                           # exp saves w, not x: allowed
    return ([t.is_inference() for t in (x, v, y, nv, nn2, z, c, n)], x, c, ok,
            torch.is_inference_mode_enabled())


def _inference_tensor(torch):
    with torch.inference_mode():
        return torch.ones(2)


check('Tensor.is_inference', lambda torch: _inference_tensor(torch).requires_grad_(), name='requires_grad_outside')
check('Tensor.is_inference', lambda torch: _inference_tensor(torch).mul_(2), name='inplace_outside')
check('Tensor.is_inference', lambda torch: torch.ones(2, requires_grad=True) * _inference_tensor(torch),
      name='saved_for_backward')
check('Tensor.is_inference', lambda torch: __import__('copy').deepcopy(_inference_tensor(torch)).is_inference(),
      name='deepcopy_is_normal')


@case('torch.autograd.backward')
def grad_not_aliased(torch):
    """A leaf's .grad is its own memory whenever the gradient is held elsewhere (torch steals only an
    unshared gradient): changing one .grad in place changes nothing else."""
    x = torch.ones(3, requires_grad=True)
    y = torch.ones(3, requires_grad=True)
    (x + y).sum().backward()                # AddBackward0 passes one gradient to both leaves
    x.grad.add_(1)
    gt = torch.full((3,), 2.)
    w = torch.ones(3, requires_grad=True)
    w.backward(gt)                          # the caller's gradient tensor
    gt.add_(1)
    seen = []
    v = torch.ones(3, requires_grad=True)
    v.register_hook(lambda g: seen.append(g))
    (v * 3).sum().backward()
    v.grad.mul_(10)
    lin = torch.nn.Linear(3, 2)
    lin(torch.ones(4, 3)).sum().backward()
    gw = lin.weight.grad
    gw.add_(1)
    lin(torch.ones(4, 3)).sum().backward()  # accumulates into the same .grad
    return (x.grad, y.grad, w.grad, gt, seen, v.grad, gw is lin.weight.grad, lin.weight.grad,
            lin.weight.grad.is_contiguous(), lin.bias.grad)


@case('Tensor.backward')
def inputs_non_leaf_get_grad(torch):     # backward(inputs=[non-leaf]) fills its .grad, accumulating
    x = torch.ones(2, requires_grad=True)
    y = x * 3
    z = (y * 2).sum()
    z.backward(inputs=[y], retain_graph=True)
    first = y.grad.clone()
    z.backward(inputs=[y, x])
    return first, y.grad, x.grad


@case('Tensor.grad_dtype')
def grad_dtype_rules(torch):        # torch 2.13: a leaf's gradient dtype, settable
    x = torch.ones(2, requires_grad=True)
    out = [x.grad_dtype]
    x.grad_dtype = torch.double
    (x * 2).sum().backward()
    out += [x.grad, x.grad_dtype]
    x.grad_dtype = None
    x.grad = torch.ones(2, dtype=torch.long)
    out.append(x.grad)
    for bad in (lambda: setattr(x * 2, 'grad_dtype', torch.double), lambda: setattr(x, 'grad_dtype', 3)):
        try:
            bad()
        except RuntimeError as e:
            out.append(str(e))
    return out


check('Tensor.grad', lambda torch: setattr(torch.ones(2, requires_grad=True), 'grad', torch.ones(2, dtype=torch.double)),
      name='set_wrong_dtype')
check('Tensor.grad', lambda torch: setattr(torch.ones(2, requires_grad=True), 'grad', torch.ones(3)),
      name='set_wrong_size')


@case('Tensor.numpy')
def requires_grad_under_no_grad(torch):     # allowed when grad mode is off
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        a = x.numpy()
    return a.tolist()
