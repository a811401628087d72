"""Forward-mode AD (torch.autograd.forward_ad): dual tensors, their tangents through ops, modules and
custom Functions, printing, and the API's errors."""
from conformance import case


def _fw(torch):
    import importlib
    return importlib.import_module(torch.__name__ + '.autograd.forward_ad')


def _x(torch, n=4):
    return torch.linspace(-1.5, 2.0, n)


def _t(torch, n=4):
    return torch.tensor([1.0, -0.5, 0.25, 2.0][:n])


def _jvp(torch, fn, *primals_tangents):
    """fn applied to dual tensors made of (primal, tangent) pairs: (primal, tangent) of the result."""
    fw = _fw(torch)
    with fw.dual_level():
        duals = [fw.make_dual(p, t) for p, t in primals_tangents]
        out = fn(*duals)
        u = fw.unpack_dual(out)
        return u.primal, u.tangent


def _errors(fns):
    out = []
    for f in fns:
        try:
            out.append(f())
        except (RuntimeError, TypeError, ValueError) as e:
            out.append(f'{type(e).__name__}: {e}')
    return out


# --- the API ---

@case('torch.autograd.forward_ad.make_dual')
def dual_is_a_view_without_autograd(torch):
    fw = _fw(torch)
    x, t = _x(torch), _t(torch)
    with fw.dual_level():
        d = fw.make_dual(x, t)
        u = fw.unpack_dual(d)
        return (d.requires_grad, d.grad_fn is None, d.is_leaf, d._base is x, u.tangent is t, u.primal is x,
                u.primal._base is x, type(u).__name__, u[1] is t)


@case('torch.autograd.forward_ad.make_dual')
def printing(torch):
    fw = _fw(torch)
    with fw.dual_level():
        d = fw.make_dual(_x(torch), _t(torch))
        s = fw.make_dual(torch.tensor(2.), torch.tensor(3.))
        w = fw.make_dual(torch.ones(2, 2, dtype=torch.float64), torch.eye(2, dtype=torch.float64))
        return repr(d), repr(s), repr(w), repr(d * s), str(fw.unpack_dual(d))


@case('torch.autograd.forward_ad.make_dual')
def errors(torch):
    fw = _fw(torch)
    x = _x(torch)
    out = _errors([lambda: fw.make_dual(x, _t(torch))])
    with fw.dual_level():
        d = fw.make_dual(x, _t(torch))
        out += _errors([lambda: fw.make_dual(x, torch.ones(3)),
                        lambda: fw.make_dual(torch.tensor([1, 2]), torch.tensor([1., 2.])),
                        lambda: fw.make_dual(torch.ones(2), torch.tensor([1, 2])),
                        lambda: fw.make_dual(d, _t(torch)),
                        lambda: fw.enter_dual_level()])
    out += _errors([lambda: fw.exit_dual_level()])
    return out


@case('torch.autograd.forward_ad.make_dual')
def tangent_keeps_its_dtype(torch):
    return _jvp(torch, lambda d: d, (_x(torch), _t(torch).double()))


@case('torch.autograd.forward_ad.unpack_dual')
def plain_tensor_has_no_tangent(torch):
    fw = _fw(torch)
    x = _x(torch)
    with fw.dual_level():
        u = fw.unpack_dual(x)
        return u.primal is x, u.tangent


@case('torch.autograd.forward_ad.unpack_dual')
def tangents_end_with_the_level(torch):
    fw = _fw(torch)
    with fw.dual_level():
        d = fw.make_dual(_x(torch), _t(torch))
        y = d.sin() * 2
    return fw.unpack_dual(y).tangent, fw.unpack_dual(d).tangent, repr(y), y.requires_grad


@case('torch.autograd.forward_ad.dual_level')
def level_numbers(torch):
    fw = _fw(torch)
    with fw.dual_level() as a:
        pass
    with fw.dual_level() as b:
        pass
    lvl = fw.enter_dual_level()
    fw.exit_dual_level(level=lvl)
    return a, b, lvl


# --- tangents through ops ---

@case('torch.autograd.forward_ad.unpack_dual')
def elementwise_chain(torch):
    return _jvp(torch, lambda d: (d.sin() * 2 + d.exp()).tanh() / (1 + d * d), (_x(torch), _t(torch)))


@case('torch.autograd.forward_ad.unpack_dual')
def two_duals(torch):
    return _jvp(torch, lambda a, b: a * b + a.pow(2) - b / (a.abs() + 1),
                (_x(torch), _t(torch)), (_t(torch).flip(0), _x(torch)))


@case('torch.autograd.forward_ad.unpack_dual')
def reductions(torch):
    fw = _fw(torch)
    with fw.dual_level():
        d = fw.make_dual(torch.arange(6.).view(2, 3) - 2, torch.linspace(-1, 1, 6).view(2, 3))
        outs = [d.sum(), d.mean(1), d.max(), d.amax(0), d.norm(), d.logsumexp(1), d.prod(1), d.std(), d.var(0)]
        return [fw.unpack_dual(o) for o in outs]


@case('torch.autograd.forward_ad.unpack_dual')
def matmul_and_views(torch):
    w = torch.linspace(-1, 1, 12).view(4, 3)
    return _jvp(torch, lambda d: (d.view(1, 4) @ w).t().squeeze(1)[1:].unsqueeze(0).expand(2, 2),
                (_x(torch), _t(torch)))


@case('torch.autograd.forward_ad.unpack_dual')
def indexing_and_joining(torch):
    fw = _fw(torch)
    x = _x(torch)
    with fw.dual_level():
        d = fw.make_dual(x, _t(torch))
        outs = [d[1], d[1:3], d[torch.tensor([3, 0, 0])], torch.stack([d, x]), torch.cat([x, d]),
                torch.where(x > 0, d, x), d.clamp(-1, 1), d.flip(0), d.reshape(2, 2).T.contiguous()]
        return [fw.unpack_dual(o) for o in outs]


@case('torch.autograd.forward_ad.unpack_dual')
def nondifferentiable_results(torch):
    fw = _fw(torch)
    with fw.dual_level():
        d = fw.make_dual(_x(torch), _t(torch))
        outs = [d.argmax(), d > 0, d.detach(), d.sign(), torch.zeros_like(d), d.round(), d.floor()]
        return [fw.unpack_dual(o).tangent for o in outs], d.tolist(), d.shape, d.dtype


@case('torch.autograd.forward_ad.unpack_dual')
def under_no_grad(torch):
    fw = _fw(torch)
    with fw.dual_level():
        d = fw.make_dual(_x(torch), _t(torch))
        with torch.no_grad():
            y = d * 3 + d.exp()
        return fw.unpack_dual(y), y.requires_grad


@case('torch.autograd.forward_ad.unpack_dual')
def in_place(torch):
    fw = _fw(torch)
    x = _x(torch)
    with fw.dual_level():
        d = fw.make_dual(x, _t(torch))
        e = d.clone()
        e.mul_(3).add_(1)
        z = torch.zeros(4)
        z.add_(d)
        z[1:3] = d[:2] * 2
        return fw.unpack_dual(e), fw.unpack_dual(z), repr(e)


@case('torch.autograd.forward_ad.unpack_dual')
def dtype_casts(torch):
    fw = _fw(torch)
    with fw.dual_level():
        d = fw.make_dual(_x(torch), _t(torch))
        return [fw.unpack_dual(o) for o in (d.double(), d.to(torch.float64), d.float(), d.half())]


@case('torch.autograd.forward_ad.unpack_dual')
def functional_ops(torch):
    F = torch.nn.functional
    fw = _fw(torch)
    x = torch.linspace(-2, 2, 12).view(3, 4)
    t = torch.linspace(1, -1, 12).view(3, 4) ** 2
    with fw.dual_level():
        d = fw.make_dual(x, t)
        outs = [F.relu(d), F.gelu(d), F.silu(d), F.softmax(d, 1), F.log_softmax(d, 1), F.sigmoid(d),
                F.layer_norm(d, (4,)), F.cross_entropy(d, torch.tensor([0, 3, 1])), F.mse_loss(d, x.flip(0)),
                F.dropout(d, 0.5, training=False), F.normalize(d), F.softplus(d), F.leaky_relu(d, 0.1)]
        return [fw.unpack_dual(o) for o in outs]


@case('torch.autograd.forward_ad.unpack_dual')
def mixed_with_backward(torch):
    fw = _fw(torch)
    q = torch.tensor([1., 2., 3., 4.], requires_grad=True)
    with fw.dual_level():
        d = fw.make_dual(_x(torch), _t(torch))
        r = (d * q).sum()
        r.backward()
        return r.detach(), fw.unpack_dual(r).tangent.detach(), q.grad, r.grad_fn.name()


# --- modules and the tutorial's patterns ---

def _mlp(torch):
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2))


@case('torch.autograd.forward_ad.unpack_dual')
def module_on_dual_input(torch):
    model = _mlp(torch)
    for p in model.parameters():
        p.requires_grad_(False)
    x = torch.linspace(-1, 1, 12).view(3, 4)
    return _jvp(torch, model, (x, torch.ones(3, 4)))


@case('torch.autograd.forward_ad.unpack_dual')
def module_tangent_values_with_trainable_weights(torch):
    model = _mlp(torch)
    x = torch.linspace(-1, 1, 12).view(3, 4)
    p, t = _jvp(torch, model, (x, torch.ones(3, 4)))
    return p.detach(), t.detach()


@case('torch.autograd.forward_ad.unpack_dual')
def functional_call_with_dual_parameters(torch):
    fw = _fw(torch)
    from importlib import import_module
    functional_call = import_module(torch.__name__ + '.func').functional_call
    model = _mlp(torch)
    params = {name: p.detach() for name, p in model.named_parameters()}
    tangents = {name: torch.full_like(p, 0.5) for name, p in params.items()}
    x = torch.linspace(-1, 1, 12).view(3, 4)
    with fw.dual_level():
        dual_params = {name: fw.make_dual(p, tangents[name]) for name, p in params.items()}
        out = functional_call(model, dual_params, (x,))
        return fw.unpack_dual(out)


@case('torch.autograd.forward_ad.unpack_dual')
def custom_function_jvp(torch):
    fw = _fw(torch)

    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            result = x.exp()
            ctx.result = result
            return result

        @staticmethod
        def backward(ctx, g):
            return g * ctx.result

        @staticmethod
        def jvp(ctx, t):
            return t * ctx.result * 10      # a wrong derivative on purpose: is jvp the one used?

    with fw.dual_level():
        d = fw.make_dual(_x(torch), _t(torch))
        return fw.unpack_dual(Exp.apply(d))


@case('torch.autograd.forward_ad.unpack_dual')
def custom_function_save_for_forward(torch):
    fw = _fw(torch)

    class Mul(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_forward(x, y)
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g, g

        @staticmethod
        def jvp(ctx, tx, ty):
            x, y = ctx.saved_tensors
            return tx * y + (ty * x if ty is not None else 0)

    x = _x(torch)
    with fw.dual_level():
        d = fw.make_dual(x, _t(torch))
        return fw.unpack_dual(Mul.apply(d, x.flip(0))), fw.unpack_dual(Mul.apply(d, d))


@case('torch.autograd.forward_ad.make_dual')
def tangent_of_another_layout_is_copied(torch):
    fw = _fw(torch)
    x = torch.linspace(-1, 1, 12).view(3, 4)
    t = torch.linspace(0, 2, 12).view(4, 3).T
    with fw.dual_level():
        d = fw.make_dual(x, t)
        u = fw.unpack_dual(d).tangent
        same = fw.unpack_dual(fw.make_dual(x.clone(), x)).tangent is x
        return u, u.stride(), u.is_contiguous(), u is t, same


@case('torch.autograd.gradcheck')
def check_forward_ad(torch):
    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.result = x.exp()
            return ctx.result

        @staticmethod
        def jvp(ctx, t):
            return t * ctx.result

    x = torch.linspace(-1, 1, 6, dtype=torch.float64).view(2, 3).requires_grad_()
    ok = torch.autograd.gradcheck(Exp.apply, (x,), check_forward_ad=True, check_backward_ad=False,
                                  check_undefined_grad=False, check_batched_grad=False)
    both = torch.autograd.gradcheck(lambda a: (a.sin() * a).sum(1), (x,), check_forward_ad=True)
    return ok, both


@case('torch.autograd.gradcheck')
def check_forward_ad_mismatch(torch):
    class Wrong(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

        @staticmethod
        def jvp(ctx, t):
            return t * 3

    x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    return torch.autograd.gradcheck(Wrong.apply, (x,), check_forward_ad=True, raise_exception=False)


@case('torch.autograd.Function')
def custom_backward_node_repr(torch):
    class Twice(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    return repr(Twice.apply(torch.ones(2, requires_grad=True)).grad_fn).split(' at 0x')[0]
