"""torch._C's fuser switches that scripts flip at their top, torch.ops.aten's ops that torch publishes
only under nn.functional, and the small hub/_triton helpers scripts import."""
import importlib

from conformance import case, check


@case('torch._C._jit_set_profiling_executor')
def jit_switches(torch):
    C = torch._C
    got = [C._jit_set_profiling_executor(False), C._jit_set_profiling_executor(True),
           C._jit_set_profiling_mode(0), C._jit_set_profiling_mode(None), C._jit_set_profiling_mode(1.0),
           C._jit_override_can_fuse_on_cpu(True), C._jit_can_fuse_on_cpu(), C._jit_override_can_fuse_on_cpu(False),
           C._jit_can_fuse_on_cpu(), C._jit_override_can_fuse_on_gpu(True), C._jit_can_fuse_on_gpu(),
           C._jit_set_texpr_fuser_enabled(False), C._jit_texpr_fuser_enabled(), C._jit_set_texpr_fuser_enabled(True),
           C._jit_texpr_fuser_enabled(), C._jit_set_nvfuser_enabled(False), C._jit_set_nvfuser_guard_mode(True),
           C._get_tracing_state(), C._get_privateuse1_backend_name(), C._log_api_usage_once('faketorch'),
           C._profiler._set_cuda_sync_enabled_val(False), C.Generator is torch.Generator]
    importlib.import_module(torch.__name__ + '._C._profiler')
    return got


check('torch._C._jit_set_profiling_mode', lambda torch: torch._C._jit_set_profiling_mode('yes'), name='not_a_bool')
check('torch._C._jit_set_profiling_mode', lambda torch: torch._C._jit_set_profiling_mode(True, False), name='two_args')
check('torch._C._jit_set_nvfuser_enabled', lambda torch: torch._C._jit_set_nvfuser_enabled(x=1), name='keyword')
check('torch._C._get_tracing_state', lambda torch: torch._C._get_tracing_state(1), name='extra_arg')
check('torch._C._set_grad_enabled', lambda torch: (torch._C._set_grad_enabled(False), torch.is_grad_enabled(),
                                                   (torch.ones(1, requires_grad=True) * 2).requires_grad))


@case('torch.ops.aten.gelu')
def aten_functional_ops(torch):
    aten = torch.ops.aten
    x = torch.tensor([-1.5, -0.25, 0.5, 2.], requires_grad=True)
    outs = [aten.gelu(x), aten.gelu.default(x, approximate='tanh'), aten.silu(x), aten.mish(x), aten.hardswish(x),
            aten.hardsigmoid(x), aten.leaky_relu(x, 0.2), aten.softplus(x, 2, 1), aten.hardtanh(x, -0.5, 0.5),
            aten.log_sigmoid(x), aten.glu(x, 0), aten.softshrink(x, 0.3), aten.pad(x, [1, 2], 'constant', 3.),
            aten.one_hot(torch.tensor([0, 2]), 3), aten.linear(x[None], torch.ones(2, 4), torch.ones(2)),
            aten.avg_pool2d(x.reshape(1, 1, 2, 2), 2)]
    outs[0].sum().backward()
    return outs, x.grad, [o.grad_fn.name() if o.grad_fn else None for o in outs], str(aten.gelu)


@case('torch.hub._get_torch_home')
def hub_helpers(torch):
    return torch.hub._get_torch_home(), torch.hub.urlparse('https://host/a/b.pth?x=1').path


@case('torch.utils._triton.has_triton')
def triton_absent(torch):
    t = importlib.import_module(torch.__name__ + '.utils._triton')
    return t.has_triton(), t.has_triton_package()


check('torch.spmm', lambda torch: (torch.spmm(torch.sparse_coo_tensor([[0, 1], [1, 0]], [1., 2.], (2, 2)), torch.ones(2, 3)),
                                   torch.spmm(torch.eye(2), torch.ones(2, 3))))
check('torch._shape_as_tensor', lambda torch: torch._shape_as_tensor(torch.ones(2, 3, 0)))
check('torch.utils.model_zoo.tqdm', lambda torch: importlib.import_module(torch.__name__ + '.utils.model_zoo').tqdm.__name__)


@case('torch.utils.swap_tensors')
def swap_tensors(torch):
    x, y = torch.ones(2, requires_grad=True), torch.zeros(3)
    x.tag = 'x'
    torch.utils.swap_tensors(x, y)
    p, q = torch.nn.Parameter(torch.ones(2)), torch.zeros(2)
    torch.utils.swap_tensors(p, q)
    m = torch.nn.Linear(2, 2)
    w = m.weight
    torch.utils.swap_tensors(m.weight, torch.nn.Parameter(torch.zeros(2, 2)))
    return (x, y, y.tag, hasattr(x, 'tag'), type(p).__name__, type(q).__name__, p, q, m.weight is w, m.weight,
            list(m.state_dict().values()))


@case('torch.typename')
def small_toplevel(torch):
    x = torch.randn(2, 3)
    flags = (torch.is_warn_always_enabled(), torch.set_warn_always(True), torch.is_warn_always_enabled(),
             torch.set_warn_always(False))
    return (torch.is_inference(x), torch.is_same_size(x, x), torch.is_signed(x), torch.is_distributed(x),
            torch.typename(x), torch.typename(torch.ones(2, dtype=torch.int64)), torch.typename(3),
            torch.typename(torch.nn.Linear(2, 2)), torch.typename('s'), torch.typename(torch.ones(1, dtype=torch.half)),
            torch.typename(torch.nn.Linear), torch.typename(len), torch.typename(3.0), torch.typename(int),
            flags, (torch.has_mkl, torch.has_lapack, torch.has_openmp, torch.has_spectral),
            torch.compiled_with_cxx11_abi(), torch.is_vulkan_available(), torch.get_device_module('cpu').__name__.split('.')[-1],
            torch.get_device_module().__name__.split('.')[-1], torch.as_strided_(torch.arange(6.), (2, 2), (1, 2)))


@case('torch.sym_max')
def sym_functions(torch):
    return (torch.sym_max(2, 3), torch.sym_min(2, 3.), torch.sym_max(2.5, 1), torch.sym_float(2), torch.sym_int(2.7),
            torch.sym_int(-2.7), torch.sym_not(True), torch.sym_ite(True, 1, 2), torch.sym_sqrt(4), torch.sym_sum([1, 2]),
            isinstance(3, torch.SymInt), isinstance(3., torch.SymFloat), isinstance(True, torch.SymBool))


@case('torch.cpu.amp.autocast')
def cpu_device_module(torch):
    with torch.cpu.amp.autocast():
        inside = (torch.is_autocast_enabled('cpu'), torch.get_autocast_dtype('cpu'))
    torch.set_autocast_cpu_dtype(torch.float16)
    changed = torch.get_autocast_dtype('cpu')
    torch.set_autocast_cpu_dtype(torch.bfloat16)
    c = torch.cpu
    with c.stream(c.current_stream()):
        pass
    return (inside, changed, torch.is_autocast_enabled('cpu'), c.is_available(), c.is_initialized(),
            c.current_device(), c.device_count(), c.synchronize(), c.set_device('cpu'),
            type(torch.cpu.amp.GradScaler()).__name__, torch.cpu.amp.GradScaler().is_enabled())


@case('torch.rms_norm')
def toplevel_aten_spellings(torch):
    torch.manual_seed(0)
    x = torch.randn(2, 3, requires_grad=True)
    with __import__('warnings').catch_warnings():
        __import__('warnings').simplefilter('ignore')
        norms = (torch.frobenius_norm(x, [0, 1]), torch.frobenius_norm(x, 1, True), torch.nuclear_norm(x),
                 torch.nuclear_norm(x, keepdim=True))
        (torch.frobenius_norm(x, [1, -2]) + torch.frobenius_norm(x, 1).sum()).backward()
    a, b = torch.ones(2, 3), torch.ones(2, 3)
    return (torch.rms_norm(x, [3], torch.ones(3), 1e-5), torch.rms_norm(x, (3,)), norms,
            torch.max_pool1d_with_indices(torch.randn(1, 2, 6), 2), torch.max_pool1d_with_indices(torch.randn(1, 7), 3, 2, 1),
            torch.segment_reduce(torch.arange(6.), 'sum', lengths=torch.tensor([2, 4])),
            torch.feature_dropout_(a, 0.5, True), a, torch.alpha_dropout_(b, 0.5, False), b,
            torch.feature_alpha_dropout_(torch.ones(2, 3), 0.2, True), type(torch.to_dlpack(torch.ones(2))).__name__,
            x.grad)


@case('torch.jit.set_fusion_strategy')
def jit_and_checkpoint_helpers(torch):
    cp = importlib.import_module(torch.__name__ + '.utils.checkpoint')
    g = importlib.import_module(torch.__name__ + '.autograd.graph')
    o = importlib.import_module(torch.__name__ + '.overrides')
    t = importlib.import_module(torch.__name__ + '.types')
    first = torch.jit.set_fusion_strategy([('STATIC', 20), ('DYNAMIC', 20)])
    back = torch.jit.set_fusion_strategy(first)
    x = torch.ones(2, requires_grad=True)
    g.increment_version([x, x])
    with g.disable_saved_tensors_hooks('no hooks here'):
        try:
            with g.saved_tensors_hooks(lambda v: v, lambda v: v):
                hooked = 'entered'
        except RuntimeError as e:
            hooked = str(e)
    with cp.set_checkpoint_early_stop(False), cp.set_checkpoint_debug_enabled(True):
        pass
    return (first, back, torch.jit.script_if_tracing(lambda v: v + 1)(torch.ones(1)), issubclass(torch.jit.Error, Exception),
            cp.detach_variable((x, 3)), cp.get_device_states(x), cp.check_backward_validity((x,)),
            issubclass(cp.CheckpointError, RuntimeError), x._version, hooked,
            o.has_torch_function((x,)), o.has_torch_function_unary(x), o.has_torch_function_variadic(x, x),
            o.is_tensor_like(x), o.is_tensor_like(3), t.Number == (int | float | bool) or str(t.Number))


check('torch.utils.checkpoint.detach_variable',
      lambda torch: importlib.import_module(torch.__name__ + '.utils.checkpoint').detach_variable(torch.ones(2)),
      name='not_a_tuple')


@case('torch.utils._pytree.tree_flatten_with_path')
def pytree_paths(torch):
    import collections
    p = importlib.import_module(torch.__name__ + '.utils._pytree')
    NT = collections.namedtuple('NT', 'a b')
    tree = {'x': [1, (2, 3)], 'y': NT(4, 5), 'z': collections.OrderedDict(k=6), 's': torch.Size([2, 3])}
    lp, _ = p.tree_flatten_with_path(tree)
    return ([(repr(kp), v) for kp, v in lp], [p.keystr(k) for k, _ in lp], len(p.tree_leaves_with_path(tree)),
            p.tree_map_with_path(lambda kp, v: (p.keystr(kp), v), tree), p.key_get(tree, lp[2][0]),
            p.tree_is_leaf(3), p.tree_is_leaf([1]), p.tree_is_leaf(None), p.is_namedtuple(NT), p.is_namedtuple(NT(1, 2)),
            p.is_namedtuple_class(NT), p.is_namedtuple_instance(NT(1, 2)), p.is_namedtuple((1, 2)),
            p.tree_all_only(int, lambda v: v > 0, tree), p.tree_any_only(str, lambda v: True, tree),
            p.tree_map_only_(int, lambda v: v, {'a': [1, 2]}), str(lp[0][0][0]), type(lp[0][0][1]).__name__)
