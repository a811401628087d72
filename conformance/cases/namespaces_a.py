"""torch.jit, torch.testing, torch.profiler, torch.func, torch.utils.checkpoint / _pytree / benchmark."""
import collections
import importlib
import json
import os
import tempfile

from conformance import case, check, warned


def _sub(torch, name):
    return importlib.import_module(torch.__name__ + '.' + name)


_warned = warned


# --- torch.jit ------------------------------------------------------------------------------------
@case('torch.jit.script')
def jit_script_decorator(torch):
    @torch.jit.script
    def f(x):
        return x * 2 + 1
    m = torch.nn.Linear(2, 2)
    sm = torch.jit.script(m)
    return f(torch.ones(3)), sm(torch.ones(1, 2)), m.weight, isinstance(sm, torch.nn.Module)


@case('torch.jit.trace')
def jit_trace(torch):
    m = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU())
    x = torch.randn(4, 3)
    traced = torch.jit.trace(m, x)
    fn = torch.jit.trace(lambda a: a.sin(), (x,))
    return traced(x), fn(x)


@case('torch.jit.ignore')
def jit_decorators(torch):
    class M(torch.nn.Module):
        @torch.jit.ignore
        def helper(self, x):
            return x + 1

        @torch.jit.unused
        def unused(self, x):
            return x - 1

        @torch.jit.ignore(drop=False)
        def kept(self, x):
            return x * 3

        @torch.jit.export
        def exported(self, x):
            return x * 5

        def forward(self, x):
            return self.helper(x) + self.kept(x) + self.exported(x) + self.unused(x)
    return M()(torch.arange(3.))


check('torch.jit.is_scripting', lambda torch: (torch.jit.is_scripting(), torch.jit.is_tracing()))
check('torch.jit.annotate', lambda torch: torch.jit.annotate(list, [1, 2]))
check('torch.jit.load', lambda torch: torch.jit.load('/nonexistent/helperC_model.pt'), name='missing_file')
check('torch.jit.ScriptModule', lambda torch: (issubclass(torch.jit.ScriptModule, torch.nn.Module),
                                              isinstance(torch.nn.Linear(1, 1), torch.jit.ScriptModule),
                                              issubclass(torch.jit.TracerWarning, Warning)))


# --- torch.testing --------------------------------------------------------------------------------
def _close(a, b, **kw):
    return lambda torch: torch.testing.assert_close(a(torch), b(torch), **kw)


check('torch.testing.assert_close', _close(lambda t: t.tensor([1., 2., 3.]), lambda t: t.tensor([1., 2.5, 3.1])),
      name='mismatch_float')
check('torch.testing.assert_close', _close(lambda t: t.tensor([1., 2.]), lambda t: t.tensor([1., 2. + 1e-6])),
      name='within_tolerance')
check('torch.testing.assert_close', _close(lambda t: t.tensor([[1, 2], [3, 4]]), lambda t: t.tensor([[1, 2], [3, 5]])),
      name='mismatch_int')
check('torch.testing.assert_close', _close(lambda t: t.ones(2), lambda t: t.ones(2, dtype=t.float64)),
      name='dtype_mismatch')
check('torch.testing.assert_close', _close(lambda t: t.ones(2), lambda t: t.ones(2, dtype=t.float64), check_dtype=False),
      name='check_dtype_false')
check('torch.testing.assert_close', _close(lambda t: t.ones(2), lambda t: t.ones(3)), name='shape_mismatch')
check('torch.testing.assert_close', _close(lambda t: t.tensor([float('nan')]), lambda t: t.tensor([float('nan')])),
      name='nan_default')
check('torch.testing.assert_close', _close(lambda t: t.tensor([float('nan')]), lambda t: t.tensor([float('nan')]),
                                           equal_nan=True), name='nan_equal')
check('torch.testing.assert_close', _close(lambda t: 1.0, lambda t: 1.1), name='python_scalars')
check('torch.testing.assert_close', _close(lambda t: 1, lambda t: 1.0), name='scalar_type_mismatch')
check('torch.testing.assert_close', _close(lambda t: t.tensor(1.), lambda t: t.tensor(2.)), name='zero_dim')
check('torch.testing.assert_close', _close(lambda t: [t.ones(2), {'a': t.ones(2)}], lambda t: [t.ones(2), {'a': t.zeros(2)}]),
      name='nested_item')
check('torch.testing.assert_close', _close(lambda t: [1, 2], lambda t: [1, 2, 3]), name='length_mismatch')
check('torch.testing.assert_close', _close(lambda t: {'a': 1}, lambda t: {'b': 1}), name='keys_mismatch')
check('torch.testing.assert_close', _close(lambda t: t.ones(2, 3), lambda t: t.zeros(2, 3), msg='custom'),
      name='msg_str')
check('torch.testing.assert_close', _close(lambda t: t.ones(2, 3), lambda t: t.zeros(2, 3), msg=lambda m: '>> ' + m),
      name='msg_callable')
check('torch.testing.assert_close', _close(lambda t: t.ones(2), lambda t: t.ones(2), rtol=0.1), name='rtol_only')
check('torch.testing.assert_close', _close(lambda t: t.ones(3), lambda t: t.ones(3) * 1.01, rtol=0, atol=1e-3),
      name='explicit_tolerances')
check('torch.testing.assert_close', _close(lambda t: t.ones(2), lambda t: [1., 1.]), name='tensor_vs_list')
check('torch.testing.assert_close', _close(lambda t: t.ones(2, 2), lambda t: t.ones(2, 2).t(), check_stride=True),
      name='stride')
check('torch.testing.assert_close', _close(lambda t: t.tensor([1, 2], dtype=t.uint8), lambda t: t.tensor([3, 0], dtype=t.uint8)),
      name='uint8')
check('torch.testing.assert_close', _close(lambda t: t.tensor([True, False]), lambda t: t.tensor([True, True])),
      name='bool_tensor')
check('torch.testing.assert_close', _close(lambda t: None, lambda t: 1), name='none')
check('torch.testing.assert_close', _close(lambda t: True, lambda t: False), name='booleans')
check('torch.testing.assert_close', _close(lambda t: t.tensor([1 + 1j]), lambda t: t.tensor([1 + 2j])), name='complex')
check('torch.testing.assert_close',
      _close(lambda t: t.arange(12.).reshape(3, 4), lambda t: t.arange(12.).reshape(3, 4) + t.eye(3, 4)),
      name='index_2d')
check('torch.testing.assert_allclose',
      lambda torch: _warned(lambda: torch.testing.assert_allclose(torch.ones(2), torch.ones(2) * 1.00005)))
check('torch.testing.assert_allclose', lambda torch: torch.testing.assert_allclose(torch.ones(2), [1., 1.1]),
      name='mismatch')


@case('torch.testing.make_tensor', exact=True)
def make_tensor_dtypes(torch):
    mt = torch.testing.make_tensor
    return [mt(2, 3, dtype=dt, device='cpu') for dt in
            (torch.float32, torch.float64, torch.int64, torch.uint8, torch.bool, torch.int8, torch.complex64)]


@case('torch.testing.make_tensor', exact=True)
def make_tensor_options(torch):
    mt = torch.testing.make_tensor
    nc = mt(3, 4, dtype=torch.float32, device='cpu', noncontiguous=True)
    return (mt((4,), dtype=torch.float32, device='cpu', low=-1, high=1, requires_grad=True),
            nc, nc.is_contiguous(), nc.stride(),
            mt(6, dtype=torch.int64, device='cpu', low=0, high=2, exclude_zero=True),
            mt([2, 2], dtype=torch.float64, device='cpu', low=-1e308, high=1e308).dtype)


check('torch.testing.make_tensor', lambda torch: torch.testing.make_tensor(2, dtype=torch.float32, device='cpu', low=3, high=1),
      name='low_ge_high')
check('torch.testing.make_tensor', lambda torch: torch.testing.make_tensor(2, dtype=torch.int32, device='cpu', requires_grad=True),
      name='int_requires_grad')


# --- torch.profiler -------------------------------------------------------------------------------
@case('torch.profiler.schedule')
def profiler_schedule(torch):
    P = torch.profiler
    s = P.schedule(wait=1, warmup=1, active=2, repeat=2, skip_first=1)
    s2, w = _warned(lambda: P.schedule(wait=0, warmup=0, active=1, repeat=1))
    return [repr(s(i)) for i in range(14)], [repr(s2(i)) for i in range(3)], w


check('torch.profiler.ProfilerActivity', lambda torch: (repr(torch.profiler.ProfilerActivity.CPU),
                                                         repr(torch.profiler.ProfilerActivity.CUDA),
                                                         str(torch.profiler.ProfilerActivity.CPU)))


@case('torch.profiler.profile')
def profiler_trace_ready_steps(torch):
    P = torch.profiler
    calls = []
    with P.profile(activities=[P.ProfilerActivity.CPU], schedule=P.schedule(wait=1, warmup=1, active=2, repeat=1),
                   on_trace_ready=lambda p: calls.append(p.step_num), record_shapes=True) as prof:
        for i in range(6):
            with P.record_function('step'):
                torch.ones(2) * 2
            prof.step()
    return calls


@case('torch.profiler.profile')
def profiler_table_and_trace(torch):
    P = torch.profiler

    @P.record_function('decorated')
    def g(x):
        return x + 1

    with P.profile(activities=[P.ProfilerActivity.CPU], profile_memory=True, with_stack=True) as prof:
        with P.record_function('model_inference'):
            g(torch.ones(3, 3) @ torch.ones(3, 3))
    ka = prof.key_averages()
    names = sorted(e.key for e in ka if e.key in ('model_inference', 'decorated'))
    counts = {e.key: e.count for e in ka if e.key in names}
    table = ka.table(sort_by='cpu_time_total', row_limit=10)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'trace.json')
        prof.export_chrome_trace(path)
        with open(path) as f:
            trace = json.load(f)
    trace_names = sorted({e['name'] for e in trace['traceEvents'] if e.get('name') in names})
    return (names, counts, isinstance(ka, list), isinstance(table, str), table.splitlines()[1].split()[:4],
            'Self CPU time total' in table, isinstance(trace, dict), 'traceEvents' in trace, trace_names)


@case('torch.profiler.tensorboard_trace_handler')
def profiler_tensorboard_handler(torch):
    P = torch.profiler
    with tempfile.TemporaryDirectory() as d:
        with P.profile(schedule=P.schedule(wait=0, warmup=1, active=1, repeat=1),
                       on_trace_ready=P.tensorboard_trace_handler(d)) as prof:
            for _ in range(3):
                with P.record_function('work'):
                    pass
                prof.step()
        files = os.listdir(d)
        return len(files), all(f.endswith('.pt.trace.json') for f in files)


# --- torch.func -----------------------------------------------------------------------------------
@case('torch.func.grad')
def func_grad(torch):
    F = torch.func
    x = torch.tensor([0.5, -1.0, 2.0])
    f = lambda a: (a.sin() * a.exp()).sum()
    return (F.grad(f)(x), F.grad_and_value(f)(x),
            F.grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(x, x * 2),
            F.grad(lambda a: ((a ** 2).sum(), a.mean()), has_aux=True)(x),
            F.grad(F.grad(lambda a: a.sin() * a ** 2))(torch.tensor(0.7)),
            F.grad(lambda d: (d['w'] * d['b']).sum())({'w': x, 'b': x + 1}))


check('torch.func.grad', lambda torch: torch.func.grad(lambda a: a ** 2)(torch.tensor([1., 2.])), name='non_scalar')


@case('torch.func.vjp')
def func_vjp_jvp(torch):
    F = torch.func
    x = torch.tensor([0.3, 1.2], dtype=torch.float64)
    out, fn = F.vjp(lambda a: a.sin() * a, x)
    out2, fn2, aux = F.vjp(lambda a: (a ** 2, a.sum()), x, has_aux=True)
    return out, fn(torch.tensor([1., 2.], dtype=torch.float64)), out2, fn2(torch.ones(2, dtype=torch.float64)), aux, \
        F.jvp(lambda a: a.exp() * a, (x,), (torch.tensor([1., -1.], dtype=torch.float64),))


@case('torch.func.jacrev')
def func_jacobians(torch):
    F = torch.func
    x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
    f = lambda a: (a.sin() * a.exp()).sum() + a[0] * a[1] * a[2]
    g = lambda a, b: torch.stack([a * b, a.cos()]).sum(0)
    return (F.jacrev(torch.sin)(x), F.jacfwd(torch.sin)(x), F.hessian(f)(x), F.jacrev(F.jacrev(f))(x),
            F.jacfwd(g, argnums=(0, 1))(x, x * 2), F.jacrev(g, argnums=1)(x, x * 2),
            F.jacrev(lambda d: {'o': d['a'] * d['b']})({'a': x, 'b': x + 1}))


@case('torch.func.vmap')
def func_vmap(torch):
    F = torch.func
    x = torch.randn(2, 3)
    return (F.vmap(torch.sum)(x), F.vmap(lambda a, b: a * b, in_dims=(0, None))(x, torch.arange(3.)),
            F.vmap(lambda a: a.sum(0), in_dims=1)(x), F.vmap(lambda a: (a, a * 2), out_dims=(0, 1))(x),
            F.vmap(F.vmap(lambda a: a * 2))(x), F.vmap(lambda d: d['a'] * 2)({'a': x}),
            F.vmap(F.grad(lambda a: (a ** 2).sum()))(x), F.vmap(F.jacrev(torch.sin))(x),
            F.vmap(torch.outer)(x, x))


check('torch.func.vmap', lambda torch: torch.func.vmap(lambda a, b: a + b)(torch.ones(2), torch.ones(3)),
      name='size_mismatch')
check('torch.func.vmap', lambda torch: torch.func.vmap(lambda a: 3)(torch.ones(2)), name='non_tensor_output')
check('torch.func.vmap', lambda torch: torch.func.vmap(lambda a: a * 2, out_dims=None)(torch.randn(3)),
      name='out_dims_none_batched')


@case('torch.func.functional_call')
def func_functional_call(torch):
    F = torch.func
    m = torch.nn.Linear(3, 2)
    x = torch.randn(4, 3)
    w = torch.ones(2, 3)
    before = m.weight.clone()
    out_full = F.functional_call(m, {'weight': w, 'bias': torch.zeros(2)}, (x,))
    out_partial = F.functional_call(m, {'weight': w}, x)
    out_two = F.functional_call(m, ({'weight': w}, {'bias': torch.ones(2)}), (x,))
    params = {k: v.detach() for k, v in m.named_parameters()}
    per_sample = F.vmap(F.grad(lambda p, xx: F.functional_call(m, p, (xx,)).sum()), in_dims=(None, 0))(params, x)
    return (out_full, out_partial, out_two, torch.equal(before, m.weight), type(m.weight).__name__, per_sample)


check('torch.func.functional_call', lambda torch: torch.func.functional_call(
    torch.nn.Linear(3, 2), {'weight': torch.ones(2, 3), 'foo': torch.zeros(2)}, (torch.ones(1, 3),), strict=True),
      name='strict')


@case('torch.func.functional_call')
def func_functional_call_tied(torch):
    m = torch.nn.Sequential(torch.nn.Linear(2, 2, bias=False), torch.nn.Linear(2, 2, bias=False))
    m[1].weight = m[0].weight
    x = torch.ones(1, 2)
    tied = torch.func.functional_call(m, {'0.weight': torch.eye(2) * 2}, (x,))
    untied = torch.func.functional_call(m, {'0.weight': torch.eye(2) * 2}, (x,), tie_weights=False)
    return tied, untied


@case('torch.func.stack_module_state')
def func_stack_module_state(torch):
    models = [torch.nn.Linear(2, 2) for _ in range(3)]
    params, buffers = torch.func.stack_module_state(models)
    return {k: (v, v.requires_grad, v.is_leaf) for k, v in params.items()}, buffers


# --- torch.utils.checkpoint -----------------------------------------------------------------------
@case('torch.utils.checkpoint.checkpoint')
def checkpoint_grads(torch):
    cp = torch.utils.checkpoint
    lin = torch.nn.Linear(3, 3)
    x = torch.randn(2, 3, requires_grad=True)

    def f(a):
        return torch.nn.functional.dropout(lin(a).tanh(), 0.5) * 2
    results = []
    for kw in ({}, {'use_reentrant': True}, {'use_reentrant': False}):
        x.grad = None
        lin.weight.grad = None
        torch.manual_seed(1)
        y, w = _warned(lambda: cp.checkpoint(f, x, **kw))
        y.sum().backward()
        results.append((y, y.grad_fn.name(), x.grad, lin.weight.grad, w))
    return results


check('torch.utils.checkpoint.checkpoint', lambda torch: _warned(lambda: torch.utils.checkpoint.checkpoint(
    lambda a: a * 2, torch.ones(2), use_reentrant=True)), name='no_input_requires_grad')
check('torch.utils.checkpoint.checkpoint', lambda torch: torch.utils.checkpoint.checkpoint(
    lambda a, b=1: a * b, torch.ones(2), use_reentrant=True, b=2), name='kwargs_reentrant_error')


@case('torch.utils.checkpoint.checkpoint_sequential')
def checkpoint_sequential(torch):
    seq = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1), torch.nn.Tanh())
    inp = torch.randn(3, 2, requires_grad=True)
    out, w = _warned(lambda: torch.utils.checkpoint.checkpoint_sequential(seq, 2, inp))
    out.sum().backward()
    return out, inp.grad, seq[0].weight.grad, w


# --- torch.utils._pytree --------------------------------------------------------------------------
@case('torch.utils._pytree.tree_flatten')
def pytree_flatten(torch):
    pt = torch.utils._pytree
    P = collections.namedtuple('P', 'x y')
    tree = {'a': [1, (2, 3)], 'b': None, 'c': torch.ones(1), 'd': P(4, [5])}
    leaves, spec = pt.tree_flatten(tree)
    od = pt.tree_flatten(collections.OrderedDict(b=1, a=2))
    return (leaves, repr(spec), spec.num_leaves, pt.tree_unflatten(leaves, spec) == tree or None,
            repr(od[1]), pt.tree_flatten(5)[0], repr(pt.tree_flatten(5)[1]), repr(pt.tree_structure([])),
            spec == pt.tree_structure(tree))


@case('torch.utils._pytree.tree_map')
def pytree_map(torch):
    pt = torch.utils._pytree
    tree = {'a': [1, (2, 3)], 'c': torch.ones(2)}
    return (pt.tree_map(lambda v: v * 2, tree), pt.tree_leaves(tree),
            pt.tree_map(lambda a, b: a + b, [1, (2, 3)], [10, (20, 30)]),
            pt.tree_unflatten([7, 8, 9], pt.tree_structure((1, [2, 3]))))


check('torch.utils._pytree.tree_unflatten', lambda torch: torch.utils._pytree.tree_unflatten(
    [1], torch.utils._pytree.tree_structure([1, (2, 3)])), name='wrong_length')


# --- torch.utils.benchmark ------------------------------------------------------------------------
@case('torch.utils.benchmark.Timer')
def benchmark_timer(torch):
    benchmark = _sub(torch, 'utils.benchmark')
    x = torch.ones(10)
    t = benchmark.Timer(stmt='x * 2', setup='y = 1', globals={'x': x}, label='mul', sub_label='10',
                        description='ones')
    m = t.timeit(100)
    b = t.blocked_autorange(min_run_time=0.01)
    a = t.adaptive_autorange(max_run_time=0.05)
    lines = repr(m).splitlines()
    # (a noisy blocked_autorange ends its repr with an IQR warning: look for the summary line anywhere)
    return (type(m).__name__, m.number_per_run, len(m.times), m.mean > 0, m.median > 0, m.title, lines[1:4],
            lines[-1].split(' ', 3)[1:], any('measurement' in line for line in repr(b).splitlines()), b.times[0] > 0, a.median > 0,
            isinstance(str(benchmark.Compare([m, b])), str))


check('torch.utils.benchmark.Timer', lambda torch: _sub(torch, 'utils.benchmark').Timer(stmt=lambda: 1),
      name='callable_stmt')
