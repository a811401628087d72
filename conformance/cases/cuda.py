"""torch.cuda / torch.amp / torch.backends / torch.accelerator, and tensors asked onto a CUDA device,
as a CPU-only torch 2.13 build behaves (the oracle here has no GPU). Warnings are part of the result."""
import pickle
import warnings

from conformance import case, check, warned



def _warned(fn):
    return warned(fn, catch=True)


# --- queries ---------------------------------------------------------------------------------------
check('torch.cuda.is_available', lambda torch: torch.cuda.is_available())
check('torch.cuda.device_count', lambda torch: torch.cuda.device_count())
check('torch.cuda.current_device', lambda torch: torch.cuda.current_device())
check('torch.cuda.get_device_name', lambda torch: torch.cuda.get_device_name())
check('torch.cuda.get_device_name', lambda torch: torch.cuda.get_device_name(0), name='index')
check('torch.cuda.get_device_properties', lambda torch: torch.cuda.get_device_properties(0))
check('torch.cuda.get_device_capability', lambda torch: torch.cuda.get_device_capability())
check('torch.cuda.synchronize', lambda torch: torch.cuda.synchronize())
check('torch.cuda.is_initialized', lambda torch: torch.cuda.is_initialized())
check('torch.cuda.init', lambda torch: torch.cuda.init())
check('torch.cuda.get_arch_list', lambda torch: torch.cuda.get_arch_list())
check('torch.cuda.get_gencode_flags', lambda torch: torch.cuda.get_gencode_flags())
check('torch.cuda._is_compiled', lambda torch: torch.cuda._is_compiled())
check('torch.cuda.is_bf16_supported', lambda torch: torch.cuda.is_bf16_supported())
check('torch.cuda.is_tf32_supported', lambda torch: torch.cuda.is_tf32_supported())
check('torch.cuda.mem_get_info', lambda torch: torch.cuda.mem_get_info())
check('torch.cuda.set_device', lambda torch: _warned(lambda: torch.cuda.set_device(0)), name='index')
check('torch.cuda.set_device', lambda torch: torch.cuda.set_device(-1), name='negative_noop')
check('torch.cuda.set_device', lambda torch: torch.cuda.set_device('cuda'), name='no_index')
check('torch.cuda.set_device', lambda torch: torch.cuda.set_device('cpu'), name='cpu')
check('torch.cuda.device', lambda torch: torch.cuda.device(0).__enter__(), name='enter')
check('torch.cuda.device', lambda torch: torch.cuda.device(-1).__enter__(), name='negative_noop')
check('torch.cuda.device_of', lambda torch: torch.cuda.device_of(torch.zeros(1)).__enter__())
check('torch.cuda.list_gpu_processes', lambda torch: torch.cuda.list_gpu_processes())
check('torch.cuda.utilization', lambda torch: _warned(torch.cuda.utilization))
check('torch.cuda.default_generators', lambda torch: torch.cuda.default_generators)
check('torch.cuda.has_half', lambda torch: (torch.cuda.has_half, torch.cuda.has_magma))
check('torch.cuda.CUDAGraph', lambda torch: torch.cuda.CUDAGraph())
check('torch.cuda.nvtx.range_push', lambda torch: torch.cuda.nvtx.range_push('step'))
check('torch.cuda.is_current_stream_capturing', lambda torch: torch.cuda.is_current_stream_capturing())
for _n in ('ipc_collect', 'current_blas_handle', 'get_sync_debug_mode'):
    check(f'torch.cuda.{_n}', lambda torch, n=_n: getattr(torch.cuda, n)())

# --- memory ----------------------------------------------------------------------------------------
check('torch.cuda.memory_allocated', lambda torch: (torch.cuda.memory_allocated(), torch.cuda.max_memory_allocated(),
                                                     torch.cuda.memory_reserved(), torch.cuda.max_memory_reserved()))
check('torch.cuda.memory_stats', lambda torch: dict(torch.cuda.memory_stats()))
check('torch.cuda.memory_summary', lambda torch: torch.cuda.memory_summary())
check('torch.cuda.empty_cache', lambda torch: torch.cuda.empty_cache())
check('torch.cuda.reset_peak_memory_stats', lambda torch: _warned(torch.cuda.reset_peak_memory_stats))
check('torch.cuda.memory_cached', lambda torch: _warned(torch.cuda.memory_cached))
check('torch.cuda.max_memory_cached', lambda torch: _warned(torch.cuda.max_memory_cached))
check('torch.cuda.reset_max_memory_allocated', lambda torch: _warned(torch.cuda.reset_max_memory_allocated))
check('torch.cuda.memory._record_memory_history',
      lambda torch: _warned(lambda: torch.cuda.memory._record_memory_history(max_entries=1000)))
check('torch.cuda.memory._snapshot', lambda torch: _warned(torch.cuda.memory._snapshot))

# --- seeding: silently queued on a CPU-only build; CPU streams unaffected ---------------------------
check('torch.cuda.manual_seed', lambda torch: (torch.cuda.manual_seed(1), torch.cuda.manual_seed_all(1),
                                               torch.cuda.seed(), torch.cuda.seed_all()))
check('torch.cuda.initial_seed', lambda torch: torch.cuda.initial_seed())
check('torch.cuda.get_rng_state', lambda torch: torch.cuda.get_rng_state())
check('torch.cuda.get_rng_state_all', lambda torch: torch.cuda.get_rng_state_all())
check('torch.cuda.set_rng_state', lambda torch: torch.cuda.set_rng_state(torch.zeros(16, dtype=torch.uint8)))


@case('torch.cuda.manual_seed', name='cpu_stream_unchanged', exact=True)
def cuda_seed_keeps_cpu_stream(torch):
    torch.manual_seed(3)
    torch.cuda.manual_seed(7)
    torch.cuda.manual_seed_all(7)
    return torch.rand(3)


# --- streams and events ----------------------------------------------------------------------------
check('torch.cuda.Stream', lambda torch: torch.cuda.Stream())
check('torch.cuda.Event', lambda torch: torch.cuda.Event(enable_timing=True))
check('torch.cuda.current_stream', lambda torch: torch.cuda.current_stream())
check('torch.cuda.default_stream', lambda torch: torch.cuda.default_stream())
check('torch.cuda.stream', lambda torch: (torch.cuda.stream(None).__enter__(), torch.cuda.set_stream(None)))

# --- legacy types ----------------------------------------------------------------------------------
check('torch.cuda.FloatTensor', lambda torch: torch.cuda.FloatTensor(2))
check('torch.cuda.LongTensor', lambda torch: torch.cuda.LongTensor([1, 2]))
check('torch.cuda.FloatTensor', lambda torch: (repr(torch.cuda.FloatTensor), torch.cuda.FloatTensor.dtype,
                                               torch.cuda.FloatTensor.is_cuda,
                                               isinstance(torch.zeros(1), torch.cuda.FloatTensor)), name='class')
# torch warns about TypedStorage once per process: the first call (here or in any earlier case) takes it
check('torch.cuda.FloatStorage', lambda torch: (_warned(lambda: torch.cuda.FloatStorage(2)),
                                                _warned(lambda: torch.cuda.FloatStorage(2)))[1])
check('Tensor.type', lambda torch: torch.zeros(1).type('torch.cuda.FloatTensor'), name='cuda_string')
check('Tensor.type', lambda torch: torch.zeros(1).type(torch.cuda.DoubleTensor), name='cuda_class')

# --- tensors asked onto CUDA -----------------------------------------------------------------------
check('torch.zeros', lambda torch: torch.zeros(2, device='cuda'), name='cuda')
check('torch.tensor', lambda torch: torch.tensor([1.], device='cuda:0'), name='cuda')
check('torch.randn', lambda torch: torch.randn(2, device=torch.device('cuda')), name='cuda')
check('torch.ones_like', lambda torch: torch.ones_like(torch.zeros(1), device='cuda'), name='cuda')
check('torch.zeros', lambda torch: torch.zeros(2, device=0), name='int_device')
check('torch.zeros', lambda torch: torch.zeros(2, device='xpu'), name='xpu')
check('torch.tensor', lambda torch: torch.tensor([1.], device='mps'), name='mps')
check('Tensor.cuda', lambda torch: torch.zeros(2).cuda())
check('Tensor.cuda', lambda torch: torch.zeros(2).cuda(0), name='index')
check('Tensor.cuda', lambda torch: torch.zeros(2).cuda(-1), name='negative')
check('Tensor.cuda', lambda torch: torch.zeros(2).cuda('cpu'), name='cpu_device')
check('Tensor.cuda', lambda torch: torch.zeros(2).cuda('cuda:1', non_blocking=True), name='string')
check('Tensor.to', lambda torch: torch.zeros(2).to('cuda'), name='cuda')
check('Tensor.to', lambda torch: torch.zeros(2).to('cuda', torch.float64), name='cuda_dtype')
check('Tensor.to', lambda torch: torch.zeros(2).to(device=torch.device('cuda', 0)), name='cuda_kw')
check('Tensor.to', lambda torch: torch.zeros(2).to(0), name='int_device')
check('Tensor.to', lambda torch: torch.zeros(2).to('xpu'), name='xpu')
check('Tensor.to', lambda torch: torch.zeros(2).to('mps'), name='mps')
check('Tensor.to', lambda torch: torch.zeros(2).to('cpu', non_blocking=True), name='cpu_non_blocking')
check('Tensor.is_cuda', lambda torch: (torch.zeros(1).is_cuda, torch.zeros(1).get_device(), torch.zeros(1).device))
check('Tensor.pin_memory', lambda torch: torch.zeros(1).pin_memory())
check('Tensor.is_pinned', lambda torch: torch.zeros(1).is_pinned())
check('Tensor.new_zeros', lambda torch: torch.zeros(1).new_zeros(2, device='cuda'), name='cuda')
check('torch.device', lambda torch: (torch.device('cuda'), torch.device('cuda', 1), str(torch.device('cuda:0'))),
      name='cuda')
check('torch.device', lambda torch: torch.device(0), name='int')
check('torch.device', lambda torch: torch.device(-1), name='negative_int')
check('torch.device', lambda torch: torch.device('cuda', -1), name='negative_index')
check('nn.Module.cuda', lambda torch: torch.nn.Linear(2, 2).cuda())
check('nn.Module.cuda', lambda torch: torch.nn.Linear(2, 2).cuda(0), name='index')
check('nn.Module.to', lambda torch: torch.nn.Linear(2, 2).to('cuda'), name='cuda')


@case('torch.cuda.is_available', name='device_selection_idiom')
def device_idiom(torch):
    dev = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    model = torch.nn.Linear(3, 1).to(dev)
    x = torch.ones(4, 3, device=dev)
    return dev, model(x).shape, next(model.parameters()).device


# --- torch.backends --------------------------------------------------------------------------------
check('torch.backends.cudnn.is_available', lambda torch: (torch.backends.cudnn.is_available(),
                                                          torch.backends.cudnn.version()))
check('torch.backends.cudnn.enabled', lambda torch: (torch.backends.cudnn.enabled, torch.backends.cudnn.benchmark,
                                                     torch.backends.cudnn.deterministic,
                                                     torch.backends.cudnn.allow_tf32))
check('torch.backends.cuda.is_built', lambda torch: torch.backends.cuda.is_built())
check('torch.backends.mps.is_available', lambda torch: (torch.backends.mps.is_available(),
                                                        torch.backends.mps.is_built()))
check('torch.backends.mkldnn.is_available', lambda torch: (torch.backends.mkldnn.is_available(),
                                                           torch.backends.mkldnn.enabled))
check('torch.backends.openmp.is_available', lambda torch: torch.backends.openmp.is_available())
check('torch.backends.mkl.is_available', lambda torch: torch.backends.mkl.is_available())
check('torch.backends.opt_einsum.is_available', lambda torch: (torch.backends.opt_einsum.is_available(),
                                                               torch.backends.opt_einsum.enabled,
                                                               torch.backends.opt_einsum.strategy))
check('torch.backends.cuda.matmul', lambda torch: torch.backends.cuda.matmul.no_such_flag, name='unknown')
check('torch.backends.cuda.flash_sdp_enabled', lambda torch: (torch.backends.cuda.flash_sdp_enabled(),
                                                              torch.backends.cuda.math_sdp_enabled()))


def _mutable_backend_flags(fn):
    """torch's test utilities (imported with op_db) freeze backend flags with
    disable_global_flags(); these cases are about the default, unfrozen state."""
    def run(torch):
        frozen_fn = getattr(torch.backends, 'flags_frozen', None)
        frozen = frozen_fn is not None and frozen_fn()
        if frozen:      # the flag lives in the globals of torch.backends' functions
            frozen_fn.__globals__['__allow_nonbracketed_mutation_flag'] = True
        try:
            return fn(torch)
        finally:
            if frozen:
                frozen_fn.__globals__['__allow_nonbracketed_mutation_flag'] = False
    run.__name__ = fn.__name__
    return run


@case('torch.backends.cudnn.benchmark', name='set_and_restore')
@_mutable_backend_flags
def cudnn_flags(torch):
    cudnn = torch.backends.cudnn
    old = cudnn.benchmark, cudnn.deterministic
    try:
        cudnn.benchmark = True
        cudnn.deterministic = True
        seen = cudnn.benchmark, cudnn.deterministic
        with cudnn.flags(enabled=False, benchmark=False):
            inside = cudnn.enabled, cudnn.benchmark
        return seen, inside, cudnn.enabled, cudnn.benchmark
    finally:
        cudnn.benchmark, cudnn.deterministic = old


check('torch.backends.cudnn.benchmark',
      _mutable_backend_flags(lambda torch: setattr(torch.backends.cudnn, 'benchmark', 1)), name='not_bool')


@case('torch.backends.cuda.matmul.allow_tf32', name='float32_matmul_precision')
def tf32(torch):
    m = torch.backends.cuda.matmul
    out = [m.allow_tf32, torch.get_float32_matmul_precision()]
    try:
        m.allow_tf32 = True
        out += [m.allow_tf32, torch.get_float32_matmul_precision()]
        torch.set_float32_matmul_precision('medium')
        out += [m.allow_tf32, torch.get_float32_matmul_precision()]
        out.append(_warned(lambda: torch.set_float32_matmul_precision('fast')))
        out.append(_warned(lambda: setattr(m, 'allow_tf32', 1)))
    finally:
        torch.set_float32_matmul_precision('highest')
    return out + [m.allow_tf32]


# --- torch.accelerator -----------------------------------------------------------------------------
check('torch.accelerator.is_available', lambda torch: (torch.accelerator.is_available(),
                                                       torch.accelerator.current_accelerator(),
                                                       torch.accelerator.device_count()))
check('torch.accelerator.current_device_index', lambda torch: torch.accelerator.current_device_index())
check('torch.accelerator.current_device_idx', lambda torch: _warned(torch.accelerator.current_device_idx))
check('torch.accelerator.set_device_index', lambda torch: torch.accelerator.set_device_index(0))
check('torch.accelerator.set_device_index', lambda torch: torch.accelerator.set_device_index(-1), name='negative')
check('torch.accelerator.synchronize', lambda torch: torch.accelerator.synchronize())
check('torch.accelerator.device_index', lambda torch: (torch.accelerator.device_index(None).__enter__()))
check('torch.accelerator.device_index', lambda torch: torch.accelerator.device_index(0).__enter__(), name='enter')
check('torch.accelerator.memory_allocated', lambda torch: torch.accelerator.memory_allocated())


@case('torch.accelerator.current_accelerator', name='examples_idiom')
def accelerator_idiom(torch):
    # pytorch/examples: device = torch.accelerator.current_accelerator() if available else cpu
    acc = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else None
    dev = acc if acc is not None else torch.device('cpu')
    return dev, torch.ones(2, device=dev).device


# --- autocast --------------------------------------------------------------------------------------
check('torch.autocast', lambda torch: _warned(lambda: torch.autocast('cuda').__enter__()._enabled), name='cuda')
check('torch.autocast', lambda torch: torch.autocast(torch.device('cpu')), name='device_object')
check('torch.autocast', lambda torch: torch.autocast('foo'), name='bad_type')
check('torch.autocast', lambda torch: torch.autocast('meta'), name='meta')
check('torch.autocast', lambda torch: _warned(lambda: torch.autocast('cpu', dtype=torch.float32)._enabled),
      name='cpu_float32')
check('torch.cuda.amp.autocast', lambda torch: _warned(lambda: torch.cuda.amp.autocast()._enabled))
check('torch.cuda.amp.autocast', lambda torch: _warned(lambda: torch.cuda.amp.autocast(enabled=False)._enabled),
      name='disabled')
check('torch.amp.is_autocast_available', lambda torch: [torch.amp.is_autocast_available(t) for t in
                                                        ('cpu', 'cuda', 'mps', 'xpu', 'meta', 'hip')])
check('torch.get_autocast_dtype', lambda torch: [torch.get_autocast_dtype(t) for t in ('cpu', 'cuda', 'xpu', 'hpu')])
check('torch.get_autocast_dtype', lambda torch: torch.get_autocast_dtype('meta'), name='meta')
check('torch.get_autocast_gpu_dtype', lambda torch: _warned(torch.get_autocast_gpu_dtype))
check('torch.is_autocast_enabled', lambda torch: (torch.is_autocast_enabled(), torch.is_autocast_enabled('cpu')))
check('torch.is_autocast_enabled', lambda torch: torch.is_autocast_enabled(torch.device('cpu')), name='device_object')
check('torch.set_autocast_enabled', lambda torch: torch.set_autocast_enabled('cpu', 1), name='not_bool')


@case('torch.autocast', name='cpu_state')
def autocast_cpu_state(torch):
    out = []
    with torch.autocast('cpu'):
        out += [torch.is_autocast_enabled('cpu'), torch.is_autocast_enabled(), torch.get_autocast_dtype('cpu'),
                torch.is_autocast_cache_enabled()]
        with torch.autocast('cpu', enabled=False):
            out.append(torch.is_autocast_enabled('cpu'))
        with torch.autocast('cpu', dtype=torch.float16):
            out.append(torch.get_autocast_dtype('cpu'))
        out.append(torch.is_autocast_enabled('cpu'))
    out += [torch.is_autocast_enabled('cpu'), torch.get_autocast_dtype('cpu')]
    return out


@case('torch.autocast', name='float32_ops_unchanged')
def autocast_elementwise(torch):
    # ops autocast leaves alone (elementwise, reductions, losses) keep float32 in both libraries
    x = torch.randn(3, 4, requires_grad=True)
    with torch.autocast('cpu'):
        y = (x.relu() + 1).exp().sum()
        l = torch.nn.functional.mse_loss(x, torch.zeros(3, 4))
    (y + l).backward()
    return y, l, x.grad


@case('torch.autocast', name='decorator')
def autocast_decorator(torch):
    @torch.autocast('cpu', enabled=False)
    def f(a):
        return torch.is_autocast_enabled('cpu'), a + 1
    return f(torch.ones(2)), torch.autocast('cpu')(3)


@case('torch.amp.custom_fwd')
def custom_fwd_bwd(torch):
    class Double(torch.autograd.Function):
        @staticmethod
        @torch.amp.custom_fwd(device_type='cpu', cast_inputs=torch.float32)
        def forward(ctx, x):
            ctx.inside = torch.is_autocast_enabled('cpu')
            return x * 2

        @staticmethod
        @torch.amp.custom_bwd(device_type='cpu')
        def backward(ctx, g):
            return g * 2

    x = torch.ones(3, requires_grad=True)
    with torch.autocast('cpu'):
        y = Double.apply(x)
    y.sum().backward()
    return y, x.grad, torch.amp.custom_fwd(device_type=torch.device('cpu'))


# --- GradScaler ------------------------------------------------------------------------------------
check('torch.amp.GradScaler', lambda torch: _warned(lambda: torch.amp.GradScaler().is_enabled()), name='cuda_default')
check('torch.cuda.amp.GradScaler', lambda torch: _warned(lambda: torch.cuda.amp.GradScaler().is_enabled()))
check('torch.cuda.amp.GradScaler', lambda torch: _warned(lambda: torch.cuda.amp.GradScaler(enabled=False).state_dict()),
      name='disabled')
check('torch.amp.GradScaler', lambda torch: torch.amp.GradScaler('cpu', growth_factor=1.0), name='bad_growth')


@case('torch.amp.GradScaler', name='disabled_passthrough')
def scaler_passthrough(torch):
    # the training-loop idiom of GPU scripts, run on a machine without CUDA
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        scaler = torch.cuda.amp.GradScaler()
    model = torch.nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(4, 3), torch.randn(4, 1)
    for _ in range(2):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        scaled = scaler.scale(loss)
        scaled.backward()
        scaler.step(opt)
        scaler.update()
    return scaled is loss, scaler.get_scale(), model.weight, model.bias


@case('torch.amp.GradScaler', name='cpu_scaling')
def scaler_cpu(torch):
    scaler = torch.amp.GradScaler('cpu', init_scale=4.0, growth_interval=2)
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(5, 3), torch.randn(5, 2)
    out = []
    for i in range(5):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        scaled = scaler.scale(loss)
        scaled.backward()
        if i == 2:
            model.bias.grad[0] = float('inf')       # an overflowing step: skipped, scale backs off
        scaler.unscale_(opt)
        g = model.weight.grad.clone()
        r = scaler.step(opt)
        scaler.update()
        out.append((scaled, g, r, scaler.get_scale(), scaler._get_growth_tracker()))
    return out, model.weight, model.bias, scaler.state_dict()


@case('torch.amp.GradScaler', name='errors')
def scaler_errors(torch):
    scaler = torch.amp.GradScaler('cpu')
    p = torch.nn.Parameter(torch.ones(2))
    opt = torch.optim.SGD([p], lr=0.1)
    res = [_warned(lambda: scaler.step(opt))]
    scaler.scale(p.sum()).backward()
    scaler.unscale_(opt)
    res.append(_warned(lambda: scaler.unscale_(opt)))
    scaler.step(opt)
    res.append(_warned(lambda: scaler.step(opt)))
    res.append(_warned(lambda: scaler.step(opt, closure=None)))
    scaler.update(8.0)
    res.append(scaler.get_scale())
    res.append(_warned(lambda: torch.amp.GradScaler('cpu', enabled=False).load_state_dict({})))
    res.append(_warned(lambda: torch.amp.GradScaler('cpu').load_state_dict({})))
    return res


@case('torch.amp.GradScaler', name='scale_containers')
def scaler_containers(torch):
    scaler = torch.amp.GradScaler('cpu', init_scale=2.0)
    a, b = torch.ones(2), torch.full((1,), 3.0)
    s = scaler.scale([a, (b, a)])
    return s, list(scaler.scale(iter([a]))), _warned(lambda: scaler.scale([1.0]))


@case('torch.amp.GradScaler', name='state_dict_and_pickle')
def scaler_state(torch):
    s = torch.amp.GradScaler('cpu', init_scale=16.0, growth_interval=7)
    before = s.state_dict()
    s.scale(torch.ones(1))
    s2 = pickle.loads(pickle.dumps(s))
    t = torch.amp.GradScaler('cpu')
    t.load_state_dict(s.state_dict())
    return before, s2.state_dict(), t.state_dict(), t.get_scale(), s2.get_growth_interval()
