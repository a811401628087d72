"""Autograd API edges found by a fuzz against torch: backward/grad argument checks, tensor hooks,
grad modes, inference tensors, custom Functions."""
from conformance import case


def _leaf(torch, n=3):
    return torch.ones(n, requires_grad=True)


def _errors(fns):
    out = []
    for f in fns:
        try:
            out.append(f())
        except (RuntimeError, TypeError, ValueError, AssertionError) as e:
            out.append(f'{type(e).__name__}: {e}')
    return out


# --- torch.autograd.grad / backward arguments ---

@case('torch.autograd.grad')
def materialize_with_allow_unused_false(torch):
    x = _leaf(torch)
    torch.autograd.grad((x * 2).sum(), x, materialize_grads=True, allow_unused=False)


@case('torch.autograd.grad')
def empty_inputs(torch):
    x = _leaf(torch)
    torch.autograd.grad((x * 2).sum(), [])


@case('torch.autograd.grad')
def non_tensor_input(torch):
    x = _leaf(torch)
    torch.autograd.grad((x * 2).sum(), [x, 1.0])


@case('torch.autograd.grad')
def inputs_dict(torch):     # 2.13: a dict of inputs gives a dict of gradients
    x, w = _leaf(torch), _leaf(torch, 2)
    return torch.autograd.grad((x * 2).sum() + (w * w).sum(), {'x': x, 'w': w})


@case('torch.autograd.grad')
def is_grads_batched(torch):
    x = torch.tensor([1., 2., 3.], requires_grad=True)
    y = x ** 2
    return torch.autograd.grad(y, x, torch.eye(3), is_grads_batched=True)


@case('torch.autograd.grad')
def is_grads_batched_shape(torch):      # torch prints the shape after dropping two dims (its bug)
    x = _leaf(torch)
    torch.autograd.grad(x * 2, x, torch.ones(2, 4), is_grads_batched=True)


@case('torch.autograd.grad')
def output_index_in_message(torch):
    x = _leaf(torch)
    torch.autograd.grad([(x * 2).sum(), torch.ones(())], x)


@case('torch.autograd.grad')
def fewer_grad_outputs(torch):
    x = _leaf(torch)
    torch.autograd.grad([(x * 2).sum(), (x * 3).sum()], x, grad_outputs=[torch.ones(())])


@case('torch.autograd.grad')
def non_tensor_grad_output(torch):
    x = _leaf(torch)
    torch.autograd.grad((x * 2).sum(), x, grad_outputs=[1.0])


@case('torch.autograd.backward')
def complex_grad_for_real_output(torch):
    x = _leaf(torch)
    (x * 2).backward(torch.ones(3, dtype=torch.complex64))


@case('torch.autograd.backward')
def complex_scalar_implicit_grad(torch):
    z = torch.tensor(1j, requires_grad=True)
    (z * 2).backward()


@case('torch.autograd.backward')
def grad_variables_and_grad_tensors(torch):
    x = _leaf(torch)
    y = (x * 2).sum()
    torch.autograd.backward(y, torch.ones(()), grad_variables=torch.ones(()))


@case('Tensor.requires_grad')
def setter_int_message(torch):      # the setter names complex too; requires_grad_() does not
    x = torch.ones(3, dtype=torch.int64)
    x.requires_grad = True


# --- hooks ---

@case('Tensor.register_hook')
def hook_result_checked(torch):
    def run(hook, nonleaf):
        x = _leaf(torch)
        y = x * 2 if nonleaf else x
        y.register_hook(hook)
        (y * 2).sum().backward()
        return x.grad

    def wrong_size(g):
        return torch.ones(2)
    return _errors([lambda: run(wrong_size, False), lambda: run(lambda g: g.reshape(1, 3), True),
                    lambda: run(lambda g: g.double(), True), lambda: run(lambda g: 1, False),
                    lambda: run(lambda g: g * 10, True)])


@case('Tensor.register_post_accumulate_grad_hook')
def post_accumulate(torch):
    x = _leaf(torch)
    seen = []
    h = x.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.clone()))
    (x * 2).sum().backward()
    torch.autograd.grad((x * 2).sum(), x)       # no AccumulateGrad runs: no call
    (x * 3).sum().backward(inputs=[x])
    h.remove()
    (x * 2).sum().backward()
    return seen, x.grad


@case('Tensor.register_post_accumulate_grad_hook')
def non_leaf(torch):
    (_leaf(torch) * 2).register_post_accumulate_grad_hook(lambda p: None)


@case('Tensor.__setitem__')
def leaf_view_message(torch):   # a no-op index (a[:], a[...]) keeps the leaf itself, as torch's indexing does
    out = []
    for idx in [0, slice(None), Ellipsis, [0], (None,), (), slice(0, 3), (slice(None), 0), (0, Ellipsis),
                slice(None, None, 2)]:
        a = torch.ones(3, 2, requires_grad=True)
        try:
            a[idx] = 5
        except RuntimeError as e:
            out.append(str(e))
    return out


# --- grad modes and inference tensors ---

@case('torch.inference_mode')
def false_enables_grad(torch):
    with torch.no_grad():
        with torch.inference_mode(False):
            a = torch.is_grad_enabled(), torch.is_inference_mode_enabled()
    with torch.inference_mode():
        with torch.inference_mode(False):
            b = torch.is_grad_enabled(), torch.ones(1).is_inference()
    return a, b


@case('torch.inference_mode')
def views_stay_inference(torch):
    with torch.inference_mode():
        x = torch.ones(3)
    return x[:2].is_inference(), x.view(3).is_inference(), x.detach().is_inference(), \
        x.unbind()[0].is_inference(), (x + 1).is_inference()


@case('torch.set_grad_enabled')
def non_bool(torch):
    torch.set_grad_enabled(1)


# --- custom Functions ---

def _fn(torch, forward, backward, setup=None):
    attrs = {'forward': staticmethod(forward), 'backward': staticmethod(backward)}
    return type('F', (torch.autograd.Function,), attrs)


@case('torch.autograd.Function')
def invalid_gradient_shape(torch):      # summed down when the input's shape expands to it, else an error
    ok = _fn(torch, lambda ctx, x: x * 2, lambda ctx, g: torch.ones(3, 2))
    bad = _fn(torch, lambda ctx, x: x * 2, lambda ctx, g: torch.ones(1))
    x = _leaf(torch, 2)
    ok.apply(x).sum().backward()
    return _errors([lambda: x.grad, lambda: bad.apply(x).sum().backward()])


@case('torch.autograd.Function')
def gradient_for_non_tensor_input(torch):
    F = _fn(torch, lambda ctx, x, k: x * k, lambda ctx, g: (g, g))
    F.apply(_leaf(torch, 2), 2).sum().backward()


@case('torch.autograd.Function')
def backward_returns_non_tensor(torch):
    F = _fn(torch, lambda ctx, x: x * 2, lambda ctx, g: 5)
    F.apply(_leaf(torch, 2)).sum().backward()


def _double_(ctx, x):
    x.mul_(2)
    ctx.mark_dirty(x)
    return x


@case('torch.autograd.Function')
def mark_dirty_bumps_version(torch):
    F = _fn(torch, _double_, lambda ctx, g: g * 2)
    a = _leaf(torch, 2)
    x = a.clone()
    y = F.apply(x)
    y.sum().backward()
    return y is x, x._version, a.grad


@case('torch.autograd.Function')
def mark_dirty_leaf(torch):
    _fn(torch, _double_, lambda ctx, g: g * 2).apply(_leaf(torch, 2))


@case('torch.autograd.Function')
def materialized_grads(torch):      # an output that got no gradient is given zeros (set_materialize_grads)
    seen = []

    def backward(ctx, ga, gb):
        seen.append(gb)
        return ga * 2
    F = _fn(torch, lambda ctx, x: (x * 2, x * 3), backward)
    x = _leaf(torch, 2)
    a, b = F.apply(x)
    a.sum().backward()
    return seen, x.grad


@case('torch.autograd.Function')
def save_non_tensor(torch):
    def forward(ctx, x):
        ctx.save_for_backward(x, 3)
        return x * 2
    _fn(torch, forward, lambda ctx, g: g).apply(_leaf(torch, 2))


# --- torch.autograd.functional ---

def _F(torch):
    return torch.autograd.functional


@case('torch.autograd.functional.jacobian')
def strict_errors(torch):
    F, x = _F(torch), torch.ones(2)
    return _errors([lambda: F.jacobian(lambda x: torch.ones(2), x, strict=True),
                    lambda: F.jacobian(lambda x, y: x * 2, (x, x), strict=True),
                    lambda: F.jacobian(lambda x: x * 2, x, strict=True, vectorize=True),
                    lambda: F.jacobian(lambda x: x * 2, x, strict=True, create_graph=True),
                    lambda: F.jacobian(lambda x: x * 2, x, strict=True, strategy='forward-mode')])


@case('torch.autograd.functional.jacobian')
def strategy_errors(torch):
    F, x = _F(torch), torch.ones(2)
    return _errors([lambda: F.jacobian(lambda x: x ** 2, x, strategy='x'),
                    lambda: F.hessian(lambda x: x.sum(), x, outer_jacobian_strategy='x')]), \
        _errors([lambda: F.jacobian(lambda x: x ** 2, x, strategy='forward-mode')])[0]


@case('torch.autograd.functional.jacobian')
def vectorized(torch):
    x, y = torch.tensor([1., 2.]), torch.tensor([[3., 4., 5.]])
    return _F(torch).jacobian(lambda x, y: (x.sum() * y, (x ** 2).sum(), x * 0 + 1), (x, y), vectorize=True)


@case('torch.autograd.functional.vjp')
def v_checks(torch):
    F, x = _F(torch), torch.ones(2)
    return _errors([lambda: F.vjp(lambda x: x ** 2, x, torch.ones(3)),
                    lambda: F.vjp(lambda x: x ** 2, x, (torch.ones(2), torch.ones(2))),
                    lambda: F.jvp(lambda x, y: x * y, (x, x), (torch.ones(2),)),
                    lambda: F.jvp(lambda x, y: x * y, (x, x), (torch.ones(2), torch.ones(3))),
                    lambda: F.vjp(lambda x, y: x * 2, (x, x), torch.ones(2), strict=True)])


@case('torch.autograd.functional.hvp')
def output_checks(torch):
    F, x = _F(torch), torch.ones(2)
    return _errors([lambda: F.hvp(lambda x: x ** 3, x, x), lambda: F.vhp(lambda x: x ** 3, x, x),
                    lambda: F.hvp(lambda x: ((x ** 3).sum(),), x, x),
                    lambda: F.hvp(lambda x: x.sum(), x, x, strict=True)])


# --- node hooks, anomaly mode, gradcheck, warnings ---

@case('torch.autograd.graph.Node.register_hook')
def result_checked(torch):
    def run(hook, pre=False):
        x = _leaf(torch, 2)
        y = x * 2
        (y.grad_fn.register_prehook if pre else y.grad_fn.register_hook)(hook)
        y.sum().backward()
        return x.grad
    return _errors([lambda: run(lambda gi, go: (gi[0] * 5,)), lambda: run(lambda gi, go: (gi[0], gi[0])),
                    lambda: run(lambda gi, go: [gi[0], None]), lambda: run(lambda gi, go: (gi[0] * 5, None)),
                    lambda: run(lambda go: (go[0] * 3,), pre=True), lambda: run(lambda go: (), pre=True)])


@case('torch.autograd.detect_anomaly')
def nan_in_backward(torch):
    x = torch.tensor([0., 1.], requires_grad=True)
    with torch.autograd.detect_anomaly():
        (x / x).sum().backward()


@case('torch.autograd.set_detect_anomaly')
def flags(torch):
    a = torch.is_anomaly_enabled()
    with torch.autograd.set_detect_anomaly(True, check_nan=False):
        b = torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled()
        x = torch.tensor([0., 1.], requires_grad=True)
        (x / x).sum().backward()
    return a, b, torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled(), x.grad


@case('torch.autograd.gradcheck')
def input_checks(torch):
    x = torch.ones(3, dtype=torch.float64)
    return _errors([lambda: torch.autograd.gradcheck(lambda x: x * 2, (x,), raise_exception=False),
                    lambda: torch.autograd.gradcheck(lambda x: x * 2, (x.expand(2, 3).requires_grad_(),))])


@case('Tensor.grad')
def non_leaf_warning(torch):
    import warnings
    x = _leaf(torch, 2)
    y, z = x * 2, x * 3
    z.retain_grad()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        y.grad, z.grad, x.grad
    return [str(m.message) for m in w]


@case('torch.no_grad')
def decorates_generator(torch):     # the mode holds inside the generator's body only
    @torch.no_grad()
    def gen():
        yield torch.is_grad_enabled()
        yield torch.is_grad_enabled()
    g = gen()
    return [next(g), torch.is_grad_enabled(), next(g)]


@case('torch.autograd.Function')
def vjp_instead_of_backward(torch):
    F = type('F', (torch.autograd.Function,), {'forward': staticmethod(lambda ctx, x: x * 2),
                                               'vjp': staticmethod(lambda ctx, g: g * 7)})
    x = _leaf(torch, 2)
    F.apply(x).sum().backward()
    return x.grad


@case('Tensor.__setitem__')
def inference_tensor_outside_mode(torch):
    with torch.inference_mode():
        x = torch.ones(3)
    x[0] = 2


@case('Tensor.__setitem__')
def double_backward_zeroes_the_written_part(torch):     # the self gradient's zeroing is differentiable
    out = []
    for idx in (slice(1, 3), torch.tensor([1, 2]), (Ellipsis, slice(0, 2)), 1):
        c = torch.tensor([[1., 2., 3., 4.]] * 3, requires_grad=True)
        q = c.clone()
        w = torch.ones_like(q[idx], requires_grad=True)
        q[idx] = w * 3
        u = torch.zeros(3, 4, requires_grad=True)
        gc, gw = torch.autograd.grad(q, [c, w], u, create_graph=True)
        out += [gc, gw, torch.autograd.grad((gc * 2).sum() + (gw * 5).sum(), u)]
    return out


@case('torch.nn.functional.grid_sample')
def double_backward_padding_modes(torch):       # a gradient penalty through a spatial transformer
    F = torch.nn.functional
    out = []
    for nd in (2, 3):
        shape = (2, 3) + (4,) * nd
        x = torch.linspace(-1, 1, int(torch.tensor(shape).prod())).reshape(shape).double().requires_grad_()
        grid = (torch.linspace(-1.3, 1.2, 2 * 3 ** nd * nd).reshape((2,) + (3,) * nd + (nd,)).double()
                .requires_grad_())
        for mode in ('bilinear', 'nearest'):
            for pad in ('zeros', 'border', 'reflection'):
                for ac in (False, True):
                    y = F.grid_sample(x * x, grid, mode=mode, padding_mode=pad, align_corners=ac)
                    gx, gg = torch.autograd.grad((y * y).sum(), (x, grid), create_graph=True)
                    out.append(torch.autograd.grad(gx.pow(2).sum() + gg.pow(2).sum(), (x, grid), allow_unused=True))
    return out
