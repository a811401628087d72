"""torch.compiler, torch._dynamo, torch._logging, torch.ops, torch.futures, torch.cond,
torch.backends.quantized, torch.__future__, torch.nn.parallel, torch.autograd.forward_ad."""
import importlib

from conformance import case, check


def _sub(torch, name):
    return importlib.import_module(torch.__name__ + '.' + name)


def _double(x):
    return x * 2


# --- torch.compiler -------------------------------------------------------------------------------
check('torch.compiler.is_compiling', lambda torch: (_sub(torch, 'compiler').is_compiling(),
                                                   _sub(torch, 'compiler').is_dynamo_compiling(),
                                                   _sub(torch, 'compiler').reset()))


@case('torch.compiler.disable')
def compiler_decorators(torch):
    c = _sub(torch, 'compiler')
    x = torch.arange(3.)
    return (c.disable(_double)(x), c.disable()(_double)(x), c.disable(recursive=False)(_double)(x),
            c.allow_in_graph(_double)(x), c.assume_constant_result(_double)(x))


@case('torch.compiler.set_stance')
def compiler_set_stance(torch):
    c = _sub(torch, 'compiler')
    x = torch.arange(3.)
    with c.set_stance('force_eager'):
        a = _double(x)
    with c.set_stance('eager_on_recompile'):
        b = _double(x)
    return a, b, c.set_stance('force_eager')(_double)(x)


check('torch.compiler.set_stance', lambda torch: _sub(torch, 'compiler').set_stance(
    'force_eager', force_backend='eager').__enter__(), name='force_backend_error')
check('torch.compiler.list_backends', lambda torch: _sub(torch, 'compiler').list_backends())


# --- torch._dynamo / torch._logging ---------------------------------------------------------------
@case('torch._dynamo.config')
def dynamo_config(torch):
    d = _sub(torch, '_dynamo')
    cfg = d.config
    names = ('suppress_errors', 'cache_size_limit', 'verbose', 'recompile_limit', 'accumulated_cache_size_limit',
             'capture_scalar_outputs', 'automatic_dynamic_shapes', 'assume_static_by_default', 'optimize_ddp',
             'capture_dynamic_output_shape_ops', 'specialize_int', 'dynamic_shapes')
    defaults = [getattr(cfg, n) for n in names]
    old = cfg.cache_size_limit, cfg.suppress_errors
    cfg.cache_size_limit, cfg.suppress_errors = 64, True
    changed = cfg.cache_size_limit, cfg.recompile_limit, cfg.suppress_errors
    cfg.cache_size_limit, cfg.suppress_errors = old
    with cfg.patch(verbose=True):
        patched = cfg.verbose
    return defaults, changed, patched, cfg.verbose, d.reset()


check('torch._dynamo.config', lambda torch: _sub(torch, '_dynamo').config.no_such_setting, name='unknown')


@case('torch._dynamo.optimize')
def dynamo_decorators(torch):
    d = _sub(torch, '_dynamo')
    x = torch.arange(3.)
    return (d.optimize('eager')(_double)(x), d.disable(_double)(x), d.allow_in_graph(_double)(x),
            d.is_compiling(), type(d.utils.counters).__name__, type(d.utils.counters['unused_key']).__name__)


check('torch._dynamo.optimize', lambda torch: _sub(torch, '_dynamo').optimize('no_such_backend'),
      name='invalid_backend')
check('torch._logging.set_logs', lambda torch: _sub(torch, '_logging').set_logs(dynamo=30, graph_breaks=False))
check('torch._logging.set_logs', lambda torch: _sub(torch, '_logging').set_logs(no_such_log=True),
      name='unknown_keyword')


# --- torch.ops (needs torch.ops published) --------------------------------------------------------
@case('torch.ops.aten')
def ops_aten_calls(torch):
    a, x = torch.ops.aten, torch.tensor([[1., -2.], [3., 4.]])
    return (a.add(x, 1), a.add.Tensor(x, x, alpha=2), a.mm.default(x, x), a.relu.default(x),
            a.sum.dim_IntList(x, [0]), a.sin.default(x), a.add_.Tensor(x.clone(), 1))


check('torch.ops.aten', lambda torch: (repr(torch.ops.aten.add), str(torch.ops.aten.add),
                                       repr(torch.ops.aten.add.Tensor), repr(torch.ops.aten.relu.default),
                                       torch.ops.aten.add.Tensor.__name__, torch.ops.aten.add.__name__,
                                       str(torch.ops.aten.add.default), torch.ops.aten.add.default.name(),
                                       torch.ops.aten.add.Tensor.name()), name='reprs')
check('torch.ops.aten', lambda torch: torch.ops.aten.no_such_op, name='unknown_op')


@case('torch.ops.aten._safe_softmax')
def ops_safe_softmax(torch):
    x = torch.tensor([[0., 1., 2.], [float('-inf')] * 3, [1., float('-inf'), 0.]], requires_grad=True)
    out = torch.ops.aten._safe_softmax.default(x, -1)
    (out * torch.arange(9.).view(3, 3)).sum().backward()
    return out, x.grad, torch.ops.aten._safe_softmax.default(x.detach(), 0, dtype=torch.float64)


# --- torch.futures --------------------------------------------------------------------------------
@case('torch.futures.Future')
def futures_basics(torch):
    F = _sub(torch, 'futures')
    f = F.Future()
    before = f.done()
    seen = []
    chained = f.then(lambda fut: fut.value() + 1)
    f.add_done_callback(lambda fut: seen.append(fut.value()))
    f.set_result(3)
    g = F.Future()
    g.set_exception(ValueError('boom'))
    late = []
    f.add_done_callback(lambda fut: late.append(fut.wait()))
    return before, f.done(), f.wait(), f.value(), chained.wait(), seen, late, g.done(), type(chained).__name__


check('torch.futures.Future', lambda torch: _sub(torch, 'futures').Future().set_exception('not an error'),
      name='set_exception_type')


@case('torch.futures.Future')
def future_errors(torch):
    F = _sub(torch, 'futures')
    g = F.Future()
    g.set_exception(ValueError('boom'))
    return g.wait()


@case('torch.futures.Future')
def future_set_twice(torch):
    f = _sub(torch, 'futures').Future()
    f.set_result(1)
    f.set_result(2)


@case('torch.futures.wait_all')
def futures_all(torch):
    F = _sub(torch, 'futures')
    fs = [F.Future() for _ in range(3)]
    collected = F.collect_all(fs)
    pending = collected.done()
    for i, f in enumerate(fs):
        f.set_result(torch.ones(2) * i)
    return pending, [f.value() for f in collected.wait()], F.wait_all(fs), F.wait_all([])


@case('torch.futures.wait_all')
def futures_wait_all_error(torch):
    F = _sub(torch, 'futures')
    ok, bad = F.Future(), F.Future()
    ok.set_result(1)
    bad.set_exception(ValueError('boom'))
    return F.wait_all([ok, bad])


# --- torch.cond (needs torch.cond published) ------------------------------------------------------
@case('torch.cond')
def cond_branches(torch):
    x = torch.arange(3.)
    return (torch.cond(True, lambda x: x + 1, lambda x: x - 1, (x,)),
            torch.cond(torch.tensor(False), lambda x: x + 1, lambda x: x - 1, (x,)),
            torch.cond(torch.tensor([[True]]), lambda x: x + 1, lambda x: x - 1, [x]),
            torch.cond(x.sum() > 2, lambda a, b: a * b, lambda a, b: a - b, (x, x)),
            torch.cond(0, lambda: x + 1, lambda: x - 1))


check('torch.cond', lambda torch: torch.cond(torch.tensor([True, False]), lambda x: x + 1, lambda x: x - 1,
                                             (torch.ones(1),)), name='pred_numel')
check('torch.cond', lambda torch: torch.cond(None, lambda x: x + 1, lambda x: x - 1, (torch.ones(1),)),
      name='pred_none')
check('torch.cond', lambda torch: torch.cond('yes', lambda x: x + 1, lambda x: x - 1, (torch.ones(1),)),
      name='pred_str')


# --- torch.backends.quantized, torch.__future__ ---------------------------------------------------
@case('torch.backends.quantized.engine')
def quantized_engine(torch):
    q = _sub(torch, 'backends.quantized')
    before = q.engine, q.supported_engines
    q.engine = 'fbgemm'
    after = q.engine
    q.engine = before[0]
    return before, after, q.engine


check('torch.backends.quantized.engine', lambda torch: setattr(_sub(torch, 'backends.quantized'), 'engine', 'bogus'),
      name='invalid')
check('torch.backends.quantized.engine', lambda torch: setattr(_sub(torch, 'backends.quantized'), 'engine', 'none'),
      name='none')


@case('torch.__future__.set_swap_module_params_on_conversion')
def future_flags(torch):
    fut = _sub(torch, '__future__')
    before = fut.get_swap_module_params_on_conversion(), fut.get_overwrite_module_params_on_conversion()
    fut.set_swap_module_params_on_conversion(True)
    during = fut.get_swap_module_params_on_conversion()
    fut.set_swap_module_params_on_conversion(False)
    return before, during, fut.get_swap_module_params_on_conversion()


# --- torch.nn.parallel (torch without CUDA) -------------------------------------------------------
def _lin(torch):
    return torch.nn.Linear(2, 2)


check('torch.nn.parallel.scatter', lambda torch: torch.nn.parallel.scatter(torch.ones(3, 2), ['cpu']),
      name='cpu_device')
check('torch.nn.parallel.scatter', lambda torch: torch.nn.parallel.scatter(('a', 1, None), [0, 1]),
      name='non_tensors')
check('torch.nn.parallel.gather', lambda torch: torch.nn.parallel.gather([torch.ones(2), torch.ones(2)], -1))
check('torch.nn.parallel.gather', lambda torch: torch.nn.parallel.gather([None, None], -1), name='none')
check('torch.nn.parallel.replicate', lambda torch: torch.nn.parallel.replicate(_lin(torch), ['cpu']))
check('torch.nn.parallel.replicate', lambda torch: torch.nn.parallel.replicate(_lin(torch), [0]), name='cpu_params')
check('torch.nn.parallel.parallel_apply', lambda torch: torch.nn.parallel.parallel_apply(
    [_lin(torch)], [(torch.ones(1, 2),)]))
check('torch.nn.parallel.parallel_apply', lambda torch: torch.nn.parallel.parallel_apply(
    [_lin(torch)], [(torch.ones(1, 2),)], devices=['cpu']), name='cpu_device')
check('torch.nn.parallel.parallel_apply', lambda torch: torch.nn.parallel.parallel_apply(
    [_lin(torch)], [torch.ones(1, 2), torch.ones(1, 2)]), name='length_mismatch')
check('torch.nn.parallel.data_parallel', lambda torch: torch.nn.parallel.data_parallel(_lin(torch), torch.ones(3, 2)))


@case('torch.nn.DataParallel')
def data_parallel_module(torch):
    m = torch.nn.DataParallel(_lin(torch), device_ids=[0])
    return repr(m), m.device_ids, m(torch.ones(3, 2))


# --- torch.autograd.forward_ad --------------------------------------------------------------------
check('torch.autograd.forward_ad.UnpackedDualTensor',
      lambda torch: _sub(torch, 'autograd.forward_ad').UnpackedDualTensor._fields)
