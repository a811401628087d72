"""torch.distributed's model wrappers in one process: activation checkpointing
(algorithms._checkpoint.checkpoint_wrapper), the FSDP wrap policies (fsdp.wrap), FSDP on a
world-size-1 gloo group, DTensor and distributed checkpointing. Several ranks: tests/test_distributed_fsdp.py."""
import importlib

from conformance import case


def _mod(torch, name):
    return importlib.import_module(f'{torch.__name__}.distributed.{name}')


def _cw(torch):
    return _mod(torch, 'algorithms._checkpoint.checkpoint_wrapper')


def _net(torch):
    nn = torch.nn
    return nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Sequential(nn.Linear(5, 3), nn.Tanh()), nn.Linear(3, 2))


def _grads(torch, model, x):
    model(x).pow(2).sum().backward()
    return {n: p.grad for n, p in model.named_parameters()}


# ------------------------------------------------------------------ activation checkpointing
@case('torch.distributed.algorithms._checkpoint.checkpoint_wrapper.checkpoint_wrapper')
def checkpoint_wrapper_basics(torch):
    cw = _cw(torch)
    inner = _net(torch)
    w = cw.checkpoint_wrapper(inner)
    x = torch.randn(3, 4)
    return (repr(w), list(w.state_dict()), [n for n, _ in w.named_parameters()],
            [n for n, _ in w.named_modules()], w.checkpoint_impl, str(cw.CheckpointImpl.REENTRANT),
            w[0] is inner[0], w.training, type(w).__name__, _grads(torch, w, x), w(x))


@case('torch.distributed.algorithms._checkpoint.checkpoint_wrapper.checkpoint_wrapper', name='grads_equal_plain')
def checkpoint_wrapper_grads(torch):
    cw = _cw(torch)
    plain = _net(torch)
    wrapped = cw.checkpoint_wrapper(_net(torch), checkpoint_impl=cw.CheckpointImpl.REENTRANT)
    wrapped.load_state_dict(plain.state_dict())        # keys without the wrapper's prefix
    x = torch.randn(3, 4, requires_grad=True)
    g1, g2 = _grads(torch, plain, x), _grads(torch, wrapped, x)
    return g1, g2, [torch.equal(a, b) for a, b in zip(g1.values(), g2.values())], x.grad


@case('torch.distributed.algorithms._checkpoint.checkpoint_wrapper.checkpoint_wrapper', name='kwargs_reentrant')
def checkpoint_wrapper_kwargs(torch):
    cw = _cw(torch)

    class Scaled(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(3, 3)

        def forward(self, x, scale=1.0, shift=None):
            return self.lin(x) * scale + (0 if shift is None else shift)
    out = []
    for impl in (cw.CheckpointImpl.REENTRANT, cw.CheckpointImpl.NO_REENTRANT):
        torch.manual_seed(0)
        w = cw.checkpoint_wrapper(Scaled(), impl)
        x = torch.randn(2, 3, requires_grad=True)
        y = w(x, scale=2.0, shift=torch.ones(3))
        y.sum().backward()
        out.append((y, x.grad, w.lin.weight.grad, w.lin.in_features))
    return out


@case('torch.distributed.algorithms._checkpoint.checkpoint_wrapper.apply_activation_checkpointing')
def apply_ac_check_fn(torch):
    cw = _cw(torch)
    model = _net(torch)
    plain = _net(torch)
    plain.load_state_dict(model.state_dict())
    cw.apply_activation_checkpointing(model, check_fn=lambda m: isinstance(m, torch.nn.Linear))
    x = torch.randn(2, 4)
    return repr(model), list(model.state_dict()), _grads(torch, model, x), _grads(torch, plain, x)


@case('torch.distributed.algorithms._checkpoint.checkpoint_wrapper.apply_activation_checkpointing',
      name='module_wrap_policy')
def apply_ac_policy(torch):
    cw, wrap = _cw(torch), _mod(torch, 'fsdp.wrap')
    model = _net(torch)
    cw.apply_activation_checkpointing(model, auto_wrap_policy=wrap.ModuleWrapPolicy({torch.nn.Sequential}))
    model2 = _net(torch)
    cw.apply_activation_checkpointing(
        model2, checkpoint_wrapper_fn=lambda m: cw.checkpoint_wrapper(m, cw.CheckpointImpl.REENTRANT),
        auto_wrap_policy=wrap.CustomPolicy(lambda m: isinstance(m, torch.nn.Tanh)))
    return repr(model), list(model.state_dict()), repr(model2), [n for n, _ in model2.named_parameters()]


@case('torch.distributed.algorithms._checkpoint.checkpoint_wrapper.apply_activation_checkpointing',
      name='bad_policy')
def apply_ac_bad_policy(torch):
    _cw(torch).apply_activation_checkpointing(_net(torch), auto_wrap_policy=3)


# ------------------------------------------------------------------ wrap policies
def _wrapper(torch):
    class Wrapper(torch.nn.Module):
        def __init__(self, module, **kwargs):
            super().__init__()
            self.inner = module
            self.kw = sorted(kwargs.items())

        def extra_repr(self):
            return str(self.kw)
    return Wrapper


def _deep(torch):
    nn = torch.nn
    return nn.Sequential(nn.Linear(10, 10), nn.Sequential(nn.Linear(10, 20), nn.Linear(20, 2)),
                         nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 3)]), nn.Embedding(50, 4),
                         nn.MultiheadAttention(4, 2))


@case('torch.distributed.fsdp.wrap.size_based_auto_wrap_policy')
def size_based(torch):
    import functools
    wrap = _mod(torch, 'fsdp.wrap')
    out = []
    for n, leaf, exclude in ((100, None, None), (150, None, None), (10, None, None), (10, {torch.nn.Sequential}, None),
                             (5, None, {torch.nn.Linear})):
        model = _deep(torch)
        policy = functools.partial(wrap.size_based_auto_wrap_policy, min_num_params=n, force_leaf_modules=leaf,
                                   exclude_wrap_modules=exclude)
        got, numel = wrap._recursive_wrap(model, policy, _wrapper(torch), set(), set(), only_wrap_children=False, a=1)
        out.append((repr(got), numel))
    return (out, wrap.size_based_auto_wrap_policy(torch.nn.Linear(2, 2), False, 10 ** 8),
            wrap.size_based_auto_wrap_policy(torch.nn.Linear(2, 2), True, 10 ** 8 - 1),
            sorted(c.__name__ for c in wrap.size_based_auto_wrap_policy.EXCLUDE_WRAP_MODULES),
            sorted(c.__name__ for c in wrap.size_based_auto_wrap_policy.FORCE_LEAF_MODULES))


@case('torch.distributed.fsdp.wrap.transformer_auto_wrap_policy')
def transformer_policy(torch):
    import functools
    wrap = _mod(torch, 'fsdp.wrap')
    nn = torch.nn
    layer = nn.TransformerEncoderLayer
    model = nn.Sequential(nn.Embedding(10, 8), layer(8, 2, 16), layer(8, 2, 16), nn.Linear(8, 10))
    policy = functools.partial(wrap.transformer_auto_wrap_policy, transformer_layer_cls={nn.TransformerEncoderLayer})
    got, numel = wrap._recursive_wrap(model, policy, _wrapper(torch), set(), set())
    lam = functools.partial(wrap.lambda_auto_wrap_policy, lambda_fn=lambda m: isinstance(m, nn.Embedding))
    got2, numel2 = wrap._recursive_wrap(_deep(torch), lam, _wrapper(torch), set(), set(), only_wrap_children=True)
    return repr(got), numel, repr(got2), numel2, wrap.always_wrap_policy(1, x=2)


@case('torch.distributed.fsdp.wrap.ModuleWrapPolicy')
def module_wrap_policy(torch):
    wrap = _mod(torch, 'fsdp.wrap')
    nn = torch.nn
    p = wrap.ModuleWrapPolicy([nn.Linear])
    model = _deep(torch)
    targets = p._run_policy(model, {model[1]}, {'k': 1})
    names = {m: n for n, m in model.named_modules()}
    custom = wrap.CustomPolicy(lambda m: {'x': 2} if isinstance(m, nn.Embedding) else isinstance(m, nn.ModuleList))
    ctargets = custom._run_policy(model, set(), {'k': 1, 'x': 0})
    return (sorted((names[m], sorted(kw.items())) for m, kw in targets.items()),
            sorted((names[m], sorted(kw.items())) for m, kw in ctargets.items()),
            p(nn.Linear(1, 1), recurse=False), p(nn.ReLU(), recurse=False), p(nn.ReLU(), recurse=True),
            repr(p).split(' object at ')[0].rsplit('.', 1)[-1], repr(p).endswith("Linear'>})"),
            isinstance(p, wrap._Policy))


@case('torch.distributed.fsdp.wrap.CustomPolicy', name='bad_return')
def custom_policy_bad(torch):
    wrap = _mod(torch, 'fsdp.wrap')
    wrap.CustomPolicy(lambda m: 1)._run_policy(torch.nn.Linear(1, 1), set(), {})


@case('torch.distributed.fsdp.wrap.enable_wrap')
def enable_wrap(torch):
    wrap = _mod(torch, 'fsdp.wrap')
    W = _wrapper(torch)
    outside = wrap.wrap(torch.nn.Linear(2, 2))
    with wrap.enable_wrap(wrapper_cls=W, a=1, b=2):
        inside = wrap.wrap(torch.nn.Linear(2, 2), b=3)
        lin = torch.nn.Linear(1, 1)
        lin._wrap_overrides = {'a': 9}
        over = wrap.wrap(lin, c=0)
    return repr(outside), repr(inside), repr(over), repr(wrap.wrap(torch.nn.ReLU()))


@case('torch.distributed.fsdp.wrap.enable_wrap', name='nested')
def enable_wrap_nested(torch):
    wrap = _mod(torch, 'fsdp.wrap')
    with wrap.enable_wrap(wrapper_cls=_wrapper(torch)):
        with wrap.enable_wrap(wrapper_cls=_wrapper(torch)):
            pass


@case('torch.distributed.fsdp.wrap._recursive_wrap', name='already_wrapped')
def already_wrapped(torch):
    wrap = _mod(torch, 'fsdp.wrap')
    W = _wrapper(torch)
    wrap._recursive_wrap(torch.nn.Sequential(W(torch.nn.Linear(1, 1))), wrap.always_wrap_policy, W, set(), set())


# ------------------------------------------------------------------ FSDP1 on a world-size-1 group
def _in_group(torch, body):
    import socket
    dist = _mod(torch, 'distributed_c10d')
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}', rank=0, world_size=1)
    try:
        return body()
    finally:
        dist.destroy_process_group()


def fsdp_case(api, name=None, **kw):
    def deco(fn):
        case(api, name=name or fn.__name__, **kw)(lambda torch: _in_group(torch, lambda: fn(torch)))
        return fn
    return deco


@fsdp_case('torch.distributed.fsdp.FullyShardedDataParallel', name='world_1_training')
def fsdp1_world_1(torch):
    import functools
    import warnings
    fsdp, wrap = _mod(torch, 'fsdp'), _mod(torch, 'fsdp.wrap')
    FSDP = fsdp.FullyShardedDataParallel
    plain = _net(torch)
    model = _net(torch)
    model.load_state_dict(plain.state_dict())
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        m = FSDP(model, device_id=torch.device('cpu'),
                 auto_wrap_policy=functools.partial(wrap.size_based_auto_wrap_policy, min_num_params=20))
    out = [repr(m), [str(x.message) for x in w], [(n, p.shape) for n, p in m.named_parameters()],
           m.sharding_strategy, m.check_is_root(), m.module is model, m[1]]
    opt, popt = torch.optim.Adam(m.parameters(), lr=0.1), torch.optim.Adam(plain.parameters(), lr=0.1)
    for step in range(2):
        x = torch.randn(3, 4)
        for mm, o in ((m, opt), (plain, popt)):
            o.zero_grad()
            loss = mm(x).pow(2).sum()
            loss.backward()
            o.step()
            out.append(loss)
    out.append(m.state_dict())
    out.append(plain.state_dict())
    with FSDP.summon_full_params(m):
        out.append([(n, p) for n, p in m.named_parameters()])
    out.append([p.grad for p in m.parameters()])
    out.append(m.clip_grad_norm_(0.5))
    out.append([p.grad for p in m.parameters()])
    return out


@fsdp_case('torch.distributed.fsdp.FullyShardedDataParallel', name='no_device_id')
def fsdp1_no_device(torch):
    _mod(torch, 'fsdp').FullyShardedDataParallel(_net(torch))


@fsdp_case('torch.distributed.fsdp.FullyShardedDataParallel', name='state_dict_type')
def fsdp1_state_dict_type(torch):
    fsdp = _mod(torch, 'fsdp')
    FSDP = fsdp.FullyShardedDataParallel
    m = FSDP(_net(torch), device_id=torch.device('cpu'))
    before = repr(FSDP.get_state_dict_type(m))
    prev = FSDP.set_state_dict_type(m, fsdp.StateDictType.FULL_STATE_DICT,
                                    fsdp.FullStateDictConfig(rank0_only=True))
    with FSDP.state_dict_type(m, fsdp.StateDictType.FULL_STATE_DICT):
        inside = repr(FSDP.get_state_dict_type(m))
    sd = m.state_dict()
    sd['0.weight'] = torch.zeros(5, 4)
    res = m.load_state_dict(sd)
    return before, repr(prev), inside, repr(FSDP.get_state_dict_type(m)), list(sd), repr(res), \
        [p for p in m.parameters()]


@fsdp_case('torch.distributed.fsdp.FullyShardedDataParallel', name='state_dict_config_mismatch')
def fsdp1_config_mismatch(torch):
    fsdp = _mod(torch, 'fsdp')
    m = fsdp.FullyShardedDataParallel(_net(torch), device_id=torch.device('cpu'))
    try:
        fsdp.FullyShardedDataParallel.set_state_dict_type(m, fsdp.StateDictType.FULL_STATE_DICT,
                                                          fsdp.ShardedStateDictConfig())
    except RuntimeError as e:     # the message names the config classes by module
        return str(e).replace('faketorch.', 'torch.')


@case('torch.distributed.fsdp.MixedPrecision')
def fsdp_configs(torch):
    fsdp = _mod(torch, 'fsdp')
    return [repr(x).replace('faketorch', 'torch') for x in (
        fsdp.MixedPrecision(param_dtype=torch.float16, reduce_dtype=torch.float32), fsdp.CPUOffload(True),
        fsdp.FullStateDictConfig(offload_to_cpu=True), fsdp.ShardedStateDictConfig(), fsdp.FullOptimStateDictConfig(),
        fsdp.ShardingStrategy.HYBRID_SHARD, fsdp.BackwardPrefetch.BACKWARD_PRE, fsdp.StateDictType.SHARDED_STATE_DICT,
        fsdp.MixedPrecisionPolicy(param_dtype=torch.bfloat16), fsdp.CPUOffloadPolicy())]


# ------------------------------------------------------------------ DTensor and FSDP2 on a world-size-1 group
@fsdp_case('torch.distributed.tensor.DTensor', name='world_1')
def dtensor_world_1(torch):
    dt = _mod(torch, 'tensor')
    mesh = dt.init_device_mesh('cpu', (1,), mesh_dim_names=('dp',))
    d = dt.distribute_tensor(torch.arange(6.).view(3, 2), mesh, [dt.Shard(0)])
    r = dt.DTensor.from_local(torch.ones(2), mesh, [dt.Replicate()])
    return (repr(mesh), repr(mesh['dp']), mesh.mesh, mesh.shape, mesh.size(0), mesh.get_local_rank(), repr(d),
            d.shape, d.size(0), d.numel(), d.to_local(), d.full_tensor(), repr(r), repr(d.sum()),
            [repr(p) for p in (dt.Shard(1), dt.Replicate(), dt.Partial(), dt.Partial('max'))],
            [str(p) for p in (dt.Shard(1), dt.Partial())], dt.Shard(0) == dt.Shard(0), dt.Shard(0) == dt.Shard(1),
            repr(torch.nn.Parameter(d)), d.placements, isinstance(d, torch.Tensor))


@fsdp_case('torch.distributed.init_device_mesh', name='too_big')
def device_mesh_too_big(torch):
    _mod(torch, 'tensor').init_device_mesh('cpu', (2,))


@fsdp_case('torch.distributed.fsdp.fully_shard', name='world_1_training')
def fully_shard_world_1(torch):
    fsdp = _mod(torch, 'fsdp')
    plain, model = _net(torch), _net(torch)
    model.load_state_dict(plain.state_dict())
    fsdp.fully_shard(model[0])
    fsdp.fully_shard(model[2])
    fsdp.fully_shard(model)
    out = [repr(model), type(model).__name__, type(model[0]).__name__, isinstance(model, fsdp.FSDPModule),
           [(n, p.shape, type(p).__name__, repr(p)) for n, p in model.named_parameters()]]
    opt, popt = torch.optim.SGD(model.parameters(), lr=0.1), torch.optim.SGD(plain.parameters(), lr=0.1)
    for step in range(2):
        x = torch.randn(3, 4)
        for mm, o in ((model, opt), (plain, popt)):
            o.zero_grad()
            loss = mm(x).pow(2).sum()
            loss.backward()
            o.step()
            out.append(loss)
        out.append([repr(p.grad) for p in model.parameters()])
    out.append({k: repr(v) for k, v in model.state_dict().items()})
    return out


@fsdp_case('torch.distributed.fsdp.fully_shard', name='module_list')
def fully_shard_module_list(torch):
    _mod(torch, 'fsdp').fully_shard(torch.nn.ModuleList([torch.nn.Linear(1, 1)]))


# ------------------------------------------------------------------ distributed checkpoint (no process group)
def _dcp(torch):
    return _mod(torch, 'checkpoint')


def _trained(torch):
    model = _net(torch)
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    model(torch.randn(3, 4)).sum().backward()
    opt.step()
    return model, opt


def _md_view(md):
    """The metadata without its random save id and the path it was written to."""
    return (md.state_dict_metadata, md.planner_data, md.version,
            [(k.fqn, k.offset, k.index, v.relative_path, v.offset, v.length) for k, v in md.storage_data.items()])


@case('torch.distributed.checkpoint.save')
def dcp_round_trip(torch):
    import os
    import tempfile
    import warnings
    dcp = _dcp(torch)
    model, opt = _trained(torch)
    sd = {'model': model.state_dict(), 'optim': opt.state_dict(), 'epoch': 3, 'name': 'run',
          'lists': [torch.arange(3), {'x': torch.ones(2)}], 'pair': (1, 2)}
    with tempfile.TemporaryDirectory() as d:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            dcp.save(sd, checkpoint_id=d)
        files = sorted(os.listdir(d))
        fresh_model, fresh_opt = _net(torch), torch.optim.Adam(_net(torch).parameters(), lr=0.5)
        fresh_model.zero_grad()
        target = {'model': fresh_model.state_dict(), 'optim': {'state': {}, 'param_groups': []}, 'epoch': 0,
                  'name': '', 'lists': [torch.zeros(3, dtype=torch.int64), {'x': torch.zeros(2)}], 'pair': None}
        target['optim'] = opt.state_dict()      # tensors the load fills in place
        with torch.no_grad():
            for s in target['optim']['state'].values():
                for v in s.values():
                    v.zero_()
        dcp.load(target, checkpoint_id=d)
        md = dcp.FileSystemReader(d).read_metadata()
    del fresh_opt
    return ([str(x.message) for x in w], files, target, fresh_model.state_dict(), _md_view(md),
            type(md).__name__, md.storage_meta.load_id is not None)


@case('torch.distributed.checkpoint.load', name='stateful_and_missing_key')
def dcp_stateful(torch):
    import tempfile
    import warnings
    dcp = _dcp(torch)
    warnings.simplefilter('ignore')

    class App:
        def __init__(self, model):
            self.model = model

        def state_dict(self):
            return {'model': self.model.state_dict(), 'tag': 'v1'}

        def load_state_dict(self, sd):
            self.model.load_state_dict(sd['model'])
            self.tag = sd['tag']
    model, _ = _trained(torch)
    with tempfile.TemporaryDirectory() as d:
        dcp.save({'app': App(model)}, storage_writer=dcp.FileSystemWriter(d))
        other = App(_net(torch))
        dcp.load({'app': other}, storage_reader=dcp.FileSystemReader(d))
        try:
            dcp.load({'absent': torch.zeros(1)}, checkpoint_id=d)
            missing = None
        except BaseException as e:     # a BaseException in torch
            missing = (type(e).__name__, isinstance(e, Exception), list(e.failures), repr(e.failures[0][0]),
                       str(e).splitlines()[:2])
        partial = {'app': {'tag': '', 'extra': 5}}
        dcp.load(partial, checkpoint_id=d, planner=dcp.DefaultLoadPlanner(allow_partial_load=True))
    stateful = _mod(torch, 'checkpoint.stateful').Stateful
    return other.model.state_dict(), other.tag, missing, partial, isinstance(other, stateful)


@case('torch.distributed.checkpoint.state_dict.get_state_dict')
def dcp_state_dict_helpers(torch):
    sdm = _mod(torch, 'checkpoint.state_dict')
    cw = _cw(torch)
    model = _net(torch)
    cw.apply_activation_checkpointing(model, check_fn=lambda m: isinstance(m, torch.nn.Sequential))
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    before = sdm.get_optimizer_state_dict(model, opt)      # torch fills an unstepped optimizer's state
    model(torch.randn(3, 4)).sum().backward()
    opt.step()
    msd, osd = sdm.get_state_dict(model, opt)
    other = _net(torch)
    other_opt = torch.optim.Adam(other.parameters(), lr=0.3)
    res = sdm.set_state_dict(other, other_opt, model_state_dict=msd, optim_state_dict=osd)
    frozen = _net(torch)
    frozen[0].weight.requires_grad_(False)
    return (before, msd, osd, repr(res), other.state_dict(), other_opt.state_dict(),
            list(sdm.get_model_state_dict(frozen, options=sdm.StateDictOptions(ignore_frozen_params=True))),
            repr(sdm.StateDictOptions()), repr(sdm.set_model_state_dict(other, msd)),
            sdm.set_optimizer_state_dict(other, other_opt, osd))


@case('torch.distributed.checkpoint.save_state_dict')
def dcp_deprecated(torch):
    import tempfile
    import warnings
    dcp = _dcp(torch)
    model, _ = _trained(torch)
    with tempfile.TemporaryDirectory() as d, warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        dcp.save_state_dict(model.state_dict(), dcp.FileSystemWriter(d), no_dist=True)
        other = _net(torch).state_dict()
        dcp.load_state_dict(other, dcp.FileSystemReader(d), no_dist=True)
    return other, [str(x.message) for x in w if 'deprecated' in str(x.message)]


@case('torch.distributed.checkpoint.save_state_dict', name='needs_group')
def dcp_deprecated_no_group(torch):
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        _dcp(torch).save_state_dict({'a': torch.ones(1)}, _dcp(torch).FileSystemWriter(d))


@fsdp_case('torch.distributed.fsdp.MixedPrecision', name='batch_norm_and_buffers')
def fsdp1_mixed_precision_bn(torch):
    import warnings
    fsdp, wrap = _mod(torch, 'fsdp'), _mod(torch, 'fsdp.wrap')
    nn = torch.nn
    mp = fsdp.MixedPrecision(param_dtype=torch.float16, buffer_dtype=torch.float16)
    out = []
    for policy in (wrap.ModuleWrapPolicy({nn.Linear}), None):
        m = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
        with torch.no_grad():                   # half-precision matmuls exact in both libraries
            for p in m.parameters():
                p.copy_((p * 8).round() / 8)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            f = fsdp.FullyShardedDataParallel(m, device_id=torch.device('cpu'), mixed_precision=mp,
                                              auto_wrap_policy=policy)
        y = f(torch.randint(-2, 3, (5, 3)).float())
        y.float().sum().backward()
        if policy is not None:
            out.append((repr(f), len(w), y, m[1].running_mean.dtype, f.state_dict(),
                        [p.grad for p in f.parameters()]))
        else:       # batch norm in float16: faketorch's half-precision statistics round differently
            out.append((repr(f), len(w), y.dtype, m[1].running_mean.dtype,
                        {k: v.dtype for k, v in f.state_dict().items()}, [p.grad.shape for p in f.parameters()]))
    return out


@fsdp_case('torch.distributed.fsdp.CPUOffload', name='offload_params_cpu_only')
def fsdp_cpu_offload(torch):
    fsdp = _mod(torch, 'fsdp')
    f = fsdp.FullyShardedDataParallel(torch.nn.Linear(3, 4), device_id=torch.device('cpu'),
                                      cpu_offload=fsdp.CPUOffload(offload_params=True))
    f(torch.ones(2, 3))


@fsdp_case('torch.distributed.fsdp.CPUOffloadPolicy', name='cpu_only')
def fsdp2_cpu_offload(torch):
    fsdp = _mod(torch, 'fsdp')
    fsdp.fully_shard(torch.nn.Linear(3, 4), offload_policy=fsdp.CPUOffloadPolicy())


@case('torch.distributed._composable.fsdp.fully_shard')
def older_import_path(torch):
    old = importlib.import_module(torch.__name__ + '.distributed._composable.fsdp')
    new = importlib.import_module(torch.__name__ + '.distributed.fsdp')
    return (old.fully_shard is new.fully_shard, old.MixedPrecisionPolicy is new.MixedPrecisionPolicy,
            old.FSDPModule is new.FSDPModule, repr(old.MixedPrecisionPolicy()))
