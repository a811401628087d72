"""More tier-3 names faketorch lacked: torch._dynamo.utils.same (the accuracy check of compile tests),
torch._higher_order_ops.map, torch.distributed.rpc.api.RRef."""
import importlib

from conformance import case


def _mod(torch, name):
    return importlib.import_module(f'{torch.__name__}.{name}')


def _err(f):
    try:
        f()
    except Exception as e:
        return type(e).__name__, str(e)


# --- torch._dynamo.utils.same ------------------------------------------------------------------------

@case('torch._dynamo.utils.same')
def same_values(torch):
    same = _mod(torch, '_dynamo.utils').same
    logged = []

    def log(*a):
        logged.append(a[0] % a[1:] if len(a) > 1 else a[0])
    t = torch.tensor([1., 2., 3.])
    return ([same(t, t + 1e-6, log_error=log), same(t, t + 1e-3, log_error=log), same(t, t.double(), log_error=log),
             same(t, t.double(), exact_dtype=False, log_error=log), same(1.0, 1.00001, log_error=log),
             same([t, 1, 'a', None], (t, 1, 'a', None), log_error=log), same([t], [t, t], log_error=log),
             same({'a': t, 'b': 2}, {'b': 2, 'a': t + 1}, log_error=log), same({1, 2}, {2, 1}),
             same(torch.tensor([True, False]), torch.tensor([True, True]), log_error=log),
             same(torch.tensor([True, False]), torch.tensor([True, True]), ignore_non_fp=True),
             same(t, -t, cos_similarity=True), same(t, t * 1.001, cos_similarity=True),
             same(3, 4, log_error=log), same(3, 4, ignore_non_fp=True), same(torch.Size([2]), [2], log_error=log),
             same(t, t + 1e-3, tol=1e-2), same(t, t.int(), ignore_non_fp=True, log_error=log)],
            logged)


@case('torch._dynamo.utils.same')
def same_fp64_reference(torch):
    same = _mod(torch, '_dynamo.utils').same
    ref64 = torch.linspace(0, 1, 50, dtype=torch.float64)
    ref = ref64.float() + 1e-3
    return (same(ref, ref + 1e-3, fp64_ref=ref64, log_error=lambda *a: None),
            same(ref, ref64.float(), fp64_ref=ref64), same(ref, ref + 1e-1, fp64_ref=ref64, log_error=lambda *a: None),
            same(ref, ref + 3e-3, fp64_ref=ref64, use_larger_multiplier_for_smaller_tensor=True,
                 log_error=lambda *a: None),
            same(ref, ref + 3e-3, fp64_ref=ref64, force_max_multiplier=True))


@case('torch._dynamo.utils.same')
def same_errors(torch):
    same = _mod(torch, '_dynamo.utils').same
    t = torch.ones(2)
    return (_err(lambda: same([t], 1)), _err(lambda: same({'a': t}, {'b': t})), _err(lambda: same({'a': t}, [t])),
            _err(lambda: same({1}, {2})), _err(lambda: same(object(), object())))


# --- torch._higher_order_ops.map ---------------------------------------------------------------------------

@case('torch._higher_order_ops.map')
def hop_map(torch):
    hmap = _mod(torch, '_higher_order_ops').map
    xs = torch.arange(6.).view(3, 2)
    return (hmap(lambda x, y: x * y + 1, xs, torch.tensor(2.)),
            hmap(lambda d: d['a'] + d['b'].sum(), {'a': xs, 'b': torch.ones(3, 4)}),
            hmap(lambda x: (x.sum(), [x * 2]), xs),
            hmap(lambda pair, k: pair[0] @ pair[1] + k, (torch.ones(2, 3, 4), torch.ones(2, 4, 1)), 5),
            _err(lambda: hmap(lambda x: x, [xs, 1])), _err(lambda: hmap(lambda x: x, torch.ones(0, 2))),
            _err(lambda: hmap(lambda x, y: x, (xs, torch.ones(4, 2)))))


# --- torch.distributed.rpc.api.RRef ------------------------------------------------------------------------

@case('torch.distributed.rpc.api.RRef')
def rpc_api_names(torch):
    rpc = _mod(torch, 'distributed.rpc')
    api = _mod(torch, 'distributed.rpc.api')
    return (api.RRef is rpc.RRef, api.rpc_sync is rpc.rpc_sync, api.remote is rpc.remote,
            api.rpc_async is rpc.rpc_async, api.shutdown is rpc.shutdown, api.get_worker_info is rpc.get_worker_info,
            issubclass(api.RRef, rpc.PyRRef))


# --- torch.distributed.optim._apply_optimizer_in_backward ------------------------------------------------

@case('torch.distributed.optim._apply_optimizer_in_backward')
def optimizer_in_backward(torch):
    dopt = _mod(torch, 'distributed.optim')
    m = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    params = list(m.parameters())
    dopt._apply_optimizer_in_backward(torch.optim.SGD, params[:2], {'lr': 0.1})
    dopt._apply_optimizer_in_backward(torch.optim.Adam, params[2:], {'lr': 0.01})
    dopt._apply_optimizer_in_backward(torch.optim.SGD, params[3:], {'lr': 0.5, 'momentum': 0.9})
    x = torch.randn(5, 3)
    for _ in range(2):
        m(x).pow(2).sum().backward()
    opts = dopt._get_in_backward_optimizers(m)
    w = params[0]
    return ([p.grad for p in params], [p.detach() for p in params], len(opts), [type(o).__name__ for o in opts],
            [c.__name__ for c in params[3]._optimizer_classes], params[3]._optimizer_kwargs,
            repr(w._in_backward_optimizers[0]))


@case('torch.distributed.optim._apply_optimizer_in_backward')
def optimizer_in_backward_no_hook(torch):
    dopt = _mod(torch, 'distributed.optim')
    lin = torch.nn.Linear(2, 2)
    dopt._apply_optimizer_in_backward(torch.optim.SGD, lin.parameters(), {'lr': 0.1}, register_hook=False)
    lin(torch.ones(1, 2)).sum().backward()
    return lin.weight.grad, lin.weight.detach(), len(lin.weight._in_backward_optimizers)


# --- torch.library.get_ctx ------------------------------------------------------------------------------------

@case('torch.library.get_ctx')
def library_get_ctx(torch):
    # outside a fake implementation there is no context (faketorch never runs fake implementations)
    @torch.library.custom_op('tier3more::twice', mutates_args=())
    def twice(x: torch.Tensor) -> torch.Tensor:
        return x * 2

    @twice.register_fake
    def _(x):
        return torch.empty_like(x)
    return torch.library.get_ctx(), twice(torch.ones(2)), 'get_ctx' in dir(torch.library)
