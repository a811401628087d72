"""Namespaces scripts import: distributed (before init_process_group), multiprocessing, hub, export,
version, nn.attention, nn.grad, nn.utils fusion/stateless/memory_format/skip_init, torch._check & default
device.

Process groups themselves are in distributed.py. The hub download itself is tested in tests/test_hub.py
(local server).
"""
import importlib
import warnings

import numpy as np

from conformance import case, check


def _mod(torch, name):
    return importlib.import_module(f'{torch.__name__}.{name}')


# ------------------------------------------------------------------ torch.distributed
check('torch.distributed.is_available', lambda torch: _mod(torch, 'distributed').is_available())
check('torch.distributed.is_initialized', lambda torch: _mod(torch, 'distributed').is_initialized())
check('torch.distributed.is_nccl_available', lambda torch: _mod(torch, 'distributed').is_nccl_available())
check('torch.distributed.is_mpi_available', lambda torch: _mod(torch, 'distributed').is_mpi_available())
for _n in ('get_rank', 'get_world_size', 'barrier', 'new_group', 'get_backend', 'destroy_process_group'):
    check(f'torch.distributed.{_n}', lambda torch, n=_n: getattr(_mod(torch, 'distributed'), n)(),
          name='no_process_group')
check('torch.distributed.all_reduce', lambda torch: _mod(torch, 'distributed').all_reduce(torch.ones(2)),
      name='no_process_group')
check('torch.distributed.broadcast', lambda torch: _mod(torch, 'distributed').broadcast(torch.ones(2), 0),
      name='no_process_group')
check('torch.distributed.all_gather',
      lambda torch: _mod(torch, 'distributed').all_gather([torch.ones(2)], torch.ones(2)), name='no_process_group')
check('torch.distributed.is_torchelastic_launched',
      lambda torch: _mod(torch, 'distributed').is_torchelastic_launched())


@case('torch.distributed.ReduceOp')
def reduce_op_members(torch):
    R = _mod(torch, 'distributed').ReduceOp
    names = ['SUM', 'AVG', 'PRODUCT', 'MIN', 'MAX', 'BAND', 'BOR', 'BXOR', 'PREMUL_SUM']
    return ([repr(getattr(R, n)) for n in names], [str(getattr(R, n)) for n in names],
            [int(getattr(R, n)) for n in names], R.SUM == R.RedOpType.SUM, R.SUM == R.MAX, R.SUM.name)


@case('torch.distributed.Backend')
def backend_names(torch):
    B = _mod(torch, 'distributed').Backend
    return B('GLOO'), B.NCCL, B('gloo') == B.GLOO, B('custom'), type(B.GLOO).__name__


@case('torch.distributed.GroupMember')
def group_world(torch):
    dist = _mod(torch, 'distributed')
    return dist.GroupMember.WORLD, dist.group.WORLD


@case('torch.distributed.fsdp')
def fsdp_names(torch):
    fsdp = _mod(torch, 'distributed.fsdp')
    return ([repr(s) for s in fsdp.ShardingStrategy], [repr(s) for s in fsdp.BackwardPrefetch],
            [repr(s) for s in fsdp.StateDictType], fsdp.CPUOffload().offload_params,
            fsdp.MixedPrecision(param_dtype=torch.float16).param_dtype)


check('torch.distributed.fsdp.FullyShardedDataParallel',
      lambda torch: _mod(torch, 'distributed.fsdp').FullyShardedDataParallel(torch.nn.Linear(2, 2)),
      name='cpu_only')


@case('torch.distributed.tensor.parallel')
def tensor_parallel_names(torch):
    tp = _mod(torch, 'distributed.tensor.parallel')
    return sorted(n for n in ('ColwiseParallel', 'RowwiseParallel', 'SequenceParallel', 'parallelize_module')
                  if hasattr(tp, n))


# ------------------------------------------------------------------ torch.multiprocessing
@case('torch.multiprocessing.sharing_strategy')
def sharing_strategies(torch):
    mp = _mod(torch, 'multiprocessing')
    before = mp.get_sharing_strategy()
    mp.set_sharing_strategy('file_system')
    after = mp.get_sharing_strategy()
    mp.set_sharing_strategy(before)
    return sorted(mp.get_all_sharing_strategies()), before, after


check('torch.multiprocessing.set_sharing_strategy',
      lambda torch: _mod(torch, 'multiprocessing').set_sharing_strategy('bogus'), name='invalid')


@case('torch.multiprocessing')
def stdlib_names(torch):
    import multiprocessing
    mp = _mod(torch, 'multiprocessing')
    names = ['Process', 'Queue', 'Pool', 'get_context', 'set_start_method', 'get_start_method', 'cpu_count',
             'SimpleQueue', 'Event', 'Lock', 'Manager', 'Value', 'Array']
    return ([getattr(mp, n) is getattr(multiprocessing, n) or getattr(mp, n) == getattr(multiprocessing, n)
             for n in names], mp.cpu_count(), mp.get_all_start_methods(),
            sorted(n for n in ('spawn', 'start_processes', 'ProcessContext', 'ProcessRaisedException',
                               'ProcessExitedException') if hasattr(mp, n)))


# ------------------------------------------------------------------ torch.hub / model_zoo
@case('torch.hub.get_dir')
def hub_dir(torch):
    hub = _mod(torch, 'hub')
    default = hub.get_dir()
    hub.set_dir('~/somewhere/hub')
    chosen = hub.get_dir()
    hub.set_dir(default)
    return default, chosen, hub.get_dir()


@case('torch.hub.HASH_REGEX')
def hub_hash_regex(torch):
    r = _mod(torch, 'hub').HASH_REGEX
    return [m.group(1) if m else None for m in map(r.search, ['resnet18-f37072fd.pth', 'plain.pth', 'a-b.c.d'])]


@case('torch.utils.model_zoo.load_url')
def model_zoo_alias(torch):
    return _mod(torch, 'utils.model_zoo').load_url is _mod(torch, 'hub').load_state_dict_from_url


# ------------------------------------------------------------------ torch.version / torch.export
@case('torch.version')
def version_fields(torch):
    v = _mod(torch, 'version')
    return v.__version__.split('+')[0], v.cuda, v.hip, v.debug, isinstance(v.git_version, str)


@case('torch.export.Dim')
def export_dim(torch):
    ex = _mod(torch, 'export')
    d = ex.Dim('batch', min=1, max=64)
    return (repr(ex.Dim('batch')), repr(d), repr(ex.Dim('n', min=2, max=8)), repr(ex.Dim('n', min=3)),
            d.__name__, d.min, d.max, [repr(x) for x in ex.dims('a', 'b')], repr(ex.Dim.AUTO),
            repr(ex.Dim.STATIC), repr(ex.Dim.DYNAMIC))


check('torch.export.Dim', lambda torch: _mod(torch, 'export').Dim('x', min=5, max=3), name='inconsistent')
check('torch.export.Dim', lambda torch: _mod(torch, 'export').Dim('1x'), name='bad_name')


@case('torch.export')
def export_names(torch):
    ex = _mod(torch, 'export')
    return [hasattr(ex, n) for n in ('export', 'Dim', 'ExportedProgram', 'save', 'load', 'dims')]


# ------------------------------------------------------------------ torch.nn.attention
@case('torch.nn.attention.SDPBackend')
def sdp_backend_members(torch):
    B = torch.nn.attention.SDPBackend
    return ([(m.name, int(m), repr(m)) for m in (B.ERROR, B.MATH, B.FLASH_ATTENTION, B.EFFICIENT_ATTENTION,
                                                  B.CUDNN_ATTENTION, B.OVERRIDEABLE)],
            B is torch.backends.cuda.SDPBackend)


@case('torch.nn.attention.sdpa_kernel')
def sdpa_kernel_switches(torch):
    a, c = torch.nn.attention, torch.backends.cuda

    def flags():
        return (c.flash_sdp_enabled(), c.mem_efficient_sdp_enabled(), c.math_sdp_enabled(), c.cudnn_sdp_enabled())
    q = torch.randn(1, 2, 3, 4)
    with a.sdpa_kernel(a.SDPBackend.MATH) as r:
        inside = flags()
        out = torch.nn.functional.scaled_dot_product_attention(q, q, q)
    with a.sdpa_kernel([a.SDPBackend.FLASH_ATTENTION, a.SDPBackend.MATH], set_priority=True):
        inside2 = flags()
    return r, inside, inside2, flags(), out


check('torch.nn.attention.sdpa_kernel', lambda torch: torch.nn.attention.sdpa_kernel('math').__enter__(),
      name='bad_backend')


# ------------------------------------------------------------------ torch.nn.grad
def _conv_grads(torch, d):
    rng = np.random.RandomState(d)
    g = torch.nn.grad
    x = torch.tensor(rng.randn(2, 4, *[7] * d).astype('float32'))
    w = torch.tensor(rng.randn(6, 2, *[3] * d).astype('float32'))
    conv = getattr(torch.nn.functional, f'conv{d}d')
    go = torch.tensor(rng.randn(*conv(x, w, None, 2, 1, 2, 2).shape).astype('float32'))
    gi = getattr(g, f'conv{d}d_input')(x.shape, w, go, stride=2, padding=1, dilation=2, groups=2)
    gw = getattr(g, f'conv{d}d_weight')(x, w.shape, go, stride=2, padding=1, dilation=2, groups=2)
    plain = getattr(g, f'conv{d}d_input')(x.shape, w, torch.ones_like(conv(x, w, groups=2)), groups=2)
    return gi, gw, plain


for _d in (1, 2, 3):
    check(f'torch.nn.grad.conv{_d}d_input', lambda torch, d=_d: _conv_grads(torch, d), name='and_weight')


@case('torch.nn.grad.conv2d_weight')
def conv2d_weight_matches_autograd(torch):
    x = torch.randn(1, 2, 5, 5)
    w = torch.randn(3, 2, 3, 3, requires_grad=True)
    out = torch.nn.functional.conv2d(x, w, padding=1)
    go = torch.randn(out.shape)
    out.backward(go)
    return torch.nn.grad.conv2d_weight(x, w.shape, go, padding=1), w.grad


# ------------------------------------------------------------------ torch.nn.utils
def _trained_bn(torch, bn):
    bn.train()
    for _ in range(3):
        bn(torch.randn(4, bn.num_features, *([5] * (0 if isinstance(bn, torch.nn.BatchNorm1d) else 2))))
    return bn.eval()


@case('torch.nn.utils.fuse_conv_bn_eval')
def fuse_conv_bn(torch):
    conv = torch.nn.Conv2d(3, 4, 3).eval()
    bn = _trained_bn(torch, torch.nn.BatchNorm2d(4))
    x = torch.randn(2, 3, 6, 6)
    fused = torch.nn.utils.fuse_conv_bn_eval(conv, bn)
    return fused(x), bn(conv(x)), type(fused).__name__, fused.weight.requires_grad, type(fused.weight).__name__


@case('torch.nn.utils.fuse_conv_bn_eval')
def fuse_conv_transpose_bn(torch):
    conv = torch.nn.ConvTranspose2d(3, 4, 3, bias=False).eval()
    bn = _trained_bn(torch, torch.nn.BatchNorm2d(4))
    x = torch.randn(2, 3, 5, 5)
    return torch.nn.utils.fuse_conv_bn_eval(conv, bn, transpose=True)(x), bn(conv(x))


check('torch.nn.utils.fuse_conv_bn_eval',
      lambda torch: torch.nn.utils.fuse_conv_bn_eval(torch.nn.Conv2d(1, 1, 1), torch.nn.BatchNorm2d(1)),
      name='training_error')


@case('torch.nn.utils.fuse_linear_bn_eval')
def fuse_linear_bn(torch):
    lin = torch.nn.Linear(3, 4).eval()
    bn = _trained_bn(torch, torch.nn.BatchNorm1d(4))
    x = torch.randn(5, 3)
    return torch.nn.utils.fuse_linear_bn_eval(lin, bn)(x), bn(lin(x))


check('torch.nn.utils.fuse_linear_bn_eval',
      lambda torch: torch.nn.utils.fuse_linear_bn_eval(torch.nn.Linear(2, 3).eval(), torch.nn.BatchNorm1d(2).eval()),
      name='features_error')


@case('torch.nn.utils.fuse_conv_bn_weights')
def fuse_weights_functions(torch):
    u = torch.nn.utils.fusion
    w, b = torch.randn(4, 2, 3), None
    rm, rv = torch.randn(4), torch.rand(4) + 0.5
    cw, cb = u.fuse_conv_bn_weights(w, b, rm, rv, 1e-5, None, None)
    lw, lb = u.fuse_linear_bn_weights(torch.randn(4, 3), torch.randn(4), rm, rv, 1e-3, torch.randn(4), torch.randn(4))
    return cw, cb, lw, lb


@case('torch.nn.utils.convert_conv2d_weight_memory_format')
def memory_format_convert(torch):
    m = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.ReLU(), torch.nn.Sequential(torch.nn.Conv2d(3, 2, 1)))
    before = [p.clone() for p in m.parameters()]
    r = torch.nn.utils.convert_conv2d_weight_memory_format(m, torch.channels_last)
    return r is m, [torch.equal(a, b) for a, b in zip(before, m.parameters())], m(torch.randn(1, 2, 5, 5))


@case('torch.nn.utils.skip_init')
def skip_init_module(torch):
    m = torch.nn.utils.skip_init(torch.nn.Linear, 5, 2, bias=True)
    return (type(m).__name__, m.weight.shape, m.bias.shape, m.weight.requires_grad, torch.rand(3),
            torch.nn.utils.init.skip_init is torch.nn.utils.skip_init)


check('torch.nn.utils.skip_init', lambda torch: torch.nn.utils.skip_init(int), name='not_module')
check('torch.nn.utils.skip_init', lambda torch: torch.nn.utils.skip_init(torch.nn.ReLU), name='no_device_arg')


@case('torch.nn.utils.stateless.functional_call')
def stateless_call(torch):
    m = torch.nn.Linear(3, 2)
    params = {'weight': torch.ones(2, 3), 'bias': torch.zeros(2)}
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        out = torch.nn.utils.stateless.functional_call(m, params, (torch.ones(1, 3),))
    return out, m.weight.sum() != 6, [x.category.__name__ for x in w]


@case('torch.nn')
def nn_namespace_attributes(torch):
    return [hasattr(torch.nn, n) for n in ('attention', 'grad')] + \
        [hasattr(torch.nn.utils, n) for n in ('fusion', 'stateless', 'memory_format', 'init', 'skip_init')]


# ------------------------------------------------------------------ torch._check & default device / tensor type
_DEF = 'Expected cond to be True'
for _n in ('_check', '_check_index', '_check_value', '_check_type', '_check_not_implemented'):
    check(f'torch.{_n}', lambda torch, n=_n: getattr(torch, n)(False), name='default_message')
    check(f'torch.{_n}', lambda torch, n=_n: getattr(torch, n)(False, lambda: 'custom'), name='message')
    check(f'torch.{_n}', lambda torch, n=_n: getattr(torch, n)(True, lambda: 'never'), name='passes')
check('torch._check', lambda torch: torch._check(1), name='not_bool')
check('torch._check', lambda torch: torch._check(torch.tensor(True)), name='tensor_cond')
check('torch._check', lambda torch: torch._check(False, 'not callable'), name='message_not_callable')
check('torch._check_with', lambda torch: torch._check_with(KeyError, False, lambda: 'k'), name='key_error')
check('torch._check_with', lambda torch: torch._check_with(UserWarning, False, None), name='warning_type')
check('torch._assert', lambda torch: torch._assert(False, 'boom'), name='raises')
check('torch._assert', lambda torch: torch._assert(torch.tensor(True), 'ok'), name='tensor_ok')


@case('torch.get_default_device')
def default_device_cpu(torch):
    try:
        first = torch.get_default_device()
        torch.set_default_device('cpu')
        second = torch.get_default_device()
        torch.set_default_device(torch.device('cpu', 0))
        third = torch.get_default_device()
        return first, second, third, torch.ones(2).device
    finally:
        torch.set_default_device(None)


@case('torch.set_default_device')
def default_device_cuda_unavailable(torch):
    # faketorch raises at set_default_device, torch at the next use: the same error either way
    try:
        torch.set_default_device('cuda')
        return torch.get_default_device()
    finally:
        torch.set_default_device(None)


check('torch.set_default_device', lambda torch: torch.set_default_device('nodevice'), name='bad_string')


@case('torch.set_default_tensor_type')
def default_tensor_type(torch):
    with warnings.catch_warnings():     # torch warns once per process: take that one first
        warnings.simplefilter('ignore')
        torch.set_default_tensor_type(torch.FloatTensor)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        torch.set_default_tensor_type(torch.DoubleTensor)
        a = (torch.get_default_dtype(), torch.ones(1).dtype, torch.tensor([1.5]).dtype)
        torch.set_default_tensor_type('torch.FloatTensor')
        b = torch.get_default_dtype()
    return a, b, sorted({x.category.__name__ for x in w})


for _i, _t in enumerate(('torch.IntTensor', 'torch.cuda.FloatTensor')):
    check('torch.set_default_tensor_type', lambda torch, t=_t: torch.set_default_tensor_type(t), name=f'error_{_i}')
check('torch.set_default_tensor_type', lambda torch: torch.set_default_tensor_type(torch.float64), name='dtype_error')
check('torch.set_default_tensor_type', lambda torch: torch.set_default_tensor_type(torch.LongTensor),
      name='int_class_error')
