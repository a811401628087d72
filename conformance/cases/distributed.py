"""torch.distributed in one process (world size 1, gloo): init through tcp://, file:// and a store,
the queries, every collective's result and the errors torch's gloo gives, the stores,
DistributedDataParallel and DistributedSampler on the group. Every case destroys its group.
Several ranks are tested against torch in tests/test_distributed.py."""
import importlib
import os
import socket
import tempfile
import warnings

from conformance import case, check


def _dist(torch):
    return importlib.import_module(f'{torch.__name__}.distributed')


def _port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _in_group(torch, body, **init):
    """body(dist) run in a world-size-1 gloo group, destroyed afterwards even when body raises."""
    dist = _dist(torch)
    dist.init_process_group(init.pop('backend', 'gloo'), **(init or dict(
        init_method=f'tcp://127.0.0.1:{_port()}', rank=0, world_size=1)))
    try:
        return body(dist)
    finally:
        dist.destroy_process_group()


def group_case(api, name=None, **kw):
    """@group_case('torch.distributed.x'): the case body receives (torch, dist) inside a group."""
    def deco(fn):
        case(api, name=name or fn.__name__, **kw)(lambda torch: _in_group(torch, lambda dist: fn(torch, dist)))
        return fn
    return deco


# ------------------------------------------------------------------ availability, init, queries
check('torch.distributed.is_available', lambda torch: _dist(torch).is_available())
check('torch.distributed.is_gloo_available', lambda torch: _dist(torch).is_gloo_available())
check('torch.distributed.is_backend_available',
      lambda torch: [_dist(torch).is_backend_available(b) for b in ('gloo', 'nccl', 'mpi')])
check('torch.distributed.get_rank', lambda torch: _dist(torch).get_rank(), name='before_init')


@case('torch.distributed.init_process_group', name='tcp_world_1')
def init_tcp(torch):
    dist = _dist(torch)
    before = dist.is_initialized()

    def body(dist):
        return (before, dist.is_initialized(), dist.get_rank(), dist.get_world_size(), dist.get_backend(),
                type(dist.get_backend()).__name__, dist.get_backend_config(), dist.get_process_group_ranks(None),
                dist.group.WORLD is dist.GroupMember.WORLD, dist.group.WORLD is not None,
                type(dist.group.WORLD).__name__, dist.get_rank(dist.group.WORLD))
    return _in_group(torch, body), dist.is_initialized(), dist.group.WORLD


@case('torch.distributed.init_process_group', name='backend_none')
def init_backend_none(torch):
    return _in_group(torch, lambda dist: (dist.get_backend(), dist.get_backend_config()), backend=None,
                     init_method=f'tcp://127.0.0.1:{_port()}', rank=0, world_size=1)


@case('torch.distributed.init_process_group', name='file_store')
def init_file(torch):
    with tempfile.TemporaryDirectory() as d:
        return _in_group(torch, lambda dist: (dist.get_rank(), dist.get_world_size()),
                         init_method='file://' + os.path.join(d, 'rendezvous'), rank=0, world_size=1)


@case('torch.distributed.init_process_group', name='hash_store')
def init_store(torch):
    return _in_group(torch, lambda dist: (dist.get_rank(), dist.get_world_size()),
                     store=_dist(torch).HashStore(), rank=0, world_size=1)


@case('torch.distributed.init_process_group', name='env')
def init_env(torch):
    keys = ('MASTER_ADDR', 'MASTER_PORT', 'RANK', 'WORLD_SIZE')
    saved = {k: os.environ.get(k) for k in keys}
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(_port()), RANK='0', WORLD_SIZE='1')
    try:
        return _in_group(torch, lambda dist: (dist.get_rank(), dist.get_world_size()), init_method='env://')
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@case('torch.distributed.init_process_group', name='env_missing')
def init_env_missing(torch):
    saved = os.environ.pop('MASTER_ADDR', None)
    try:
        return _dist(torch).init_process_group('gloo', init_method='env://', rank=0, world_size=1)
    finally:
        if saved is not None:
            os.environ['MASTER_ADDR'] = saved


check('torch.distributed.init_process_group',
      lambda torch: _dist(torch).init_process_group('gloo', init_method='tcp://127.0.0.1', rank=0, world_size=1),
      name='no_port')
check('torch.distributed.init_process_group',
      lambda torch: _dist(torch).init_process_group('gloo', init_method=f'tcp://127.0.0.1:{_port()}'),
      name='no_rank')
check('torch.distributed.init_process_group',
      lambda torch: _dist(torch).init_process_group('gloo', store=_dist(torch).HashStore(), world_size=1),
      name='store_without_rank')


@case('torch.distributed.init_process_group', name='nccl_without_cuda')
def init_nccl(torch):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return _dist(torch).init_process_group('nccl', init_method=f'tcp://127.0.0.1:{_port()}', rank=0,
                                               world_size=1)


group_case('torch.distributed.init_process_group', name='twice')(
    lambda torch, dist: dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{_port()}', rank=0,
                                                world_size=1))


@case('torch.distributed.destroy_process_group', name='then_queries')
def destroy_then(torch):
    _in_group(torch, lambda dist: None)
    dist = _dist(torch)
    return dist.is_initialized(), dist.get_rank()


@group_case('torch.distributed.new_group')
def new_group_sizes(torch, dist):
    g = dist.new_group([0])
    h = dist.new_group()
    return (dist.get_rank(g), dist.get_world_size(g), g is dist.group.WORLD, dist.get_process_group_ranks(g),
            dist.get_global_rank(g, 0), dist.get_group_rank(g, 0), dist.group.WORLD.group_name, g.group_name,
            h.group_name, g.size(), g.rank())


group_case('torch.distributed.new_group', name='too_many_ranks')(lambda torch, dist: dist.new_group([0, 1]))


# ------------------------------------------------------------------ collectives
@group_case('torch.distributed.all_reduce', name='ops')
def all_reduce_ops(torch, dist):
    out = []
    for op in ('SUM', 'AVG', 'PRODUCT', 'MIN', 'MAX'):
        for t in (torch.tensor([1.5, -2., 3.]), torch.tensor([4, 5, 6]), torch.tensor([1., 2.], dtype=torch.float64)):
            ret = dist.all_reduce(t, op=getattr(dist.ReduceOp, op))
            out.append((ret, t))
    t = torch.tensor([6, 3])
    dist.all_reduce(t, op=dist.ReduceOp.BAND)
    return out, t


group_case('torch.distributed.all_reduce', name='band_float')(
    lambda torch, dist: dist.all_reduce(torch.ones(2), op=dist.ReduceOp.BAND))
group_case('torch.distributed.all_reduce', name='not_a_tensor')(lambda torch, dist: dist.all_reduce([1.]))


@group_case('torch.distributed.all_reduce', name='complex_max')
def all_reduce_complex(torch, dist):
    c = torch.tensor([1 + 2j])
    dist.all_reduce(c)
    return c, dist.all_reduce(c, op=dist.ReduceOp.MAX)


@group_case('torch.distributed.all_reduce', name='async_work')
def all_reduce_async(torch, dist):
    t = torch.ones(2)
    w = dist.all_reduce(t, async_op=True)
    return type(w).__name__, w.wait(), w.is_completed(), w.result(), t


@group_case('torch.distributed.all_reduce', name='keeps_autograd')
def all_reduce_grad(torch, dist):
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    dist.all_reduce(y)
    return y, y.grad_fn.name(), y._version


@group_case('torch.distributed.broadcast')
def broadcast_root0(torch, dist):
    t = torch.arange(4.)
    return dist.broadcast(t, 0), t


group_case('torch.distributed.broadcast', name='bad_root')(lambda torch, dist: dist.broadcast(torch.ones(2), 1))


@group_case('torch.distributed.reduce')
def reduce_root(torch, dist):
    t = torch.arange(3.)
    return dist.reduce(t, 0, op=dist.ReduceOp.MAX), t


@group_case('torch.distributed.all_gather')
def all_gather_one(torch, dist):
    out = [torch.zeros(2, 2)]
    return dist.all_gather(out, torch.eye(2)), out


@group_case('torch.distributed.all_gather_into_tensor')
def all_gather_into(torch, dist):
    out = torch.zeros(2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        dist.all_gather_into_tensor(out, torch.ones(2, 3))
    return out


@group_case('torch.distributed.gather')
def gather_one(torch, dist):
    out = [torch.zeros(3)]
    dist.gather(torch.arange(3.), out, dst=0)
    return out


group_case('torch.distributed.gather', name='no_list')(lambda torch, dist: dist.gather(torch.ones(2), dst=0))


@group_case('torch.distributed.scatter')
def scatter_one(torch, dist):
    t = torch.zeros(2)
    dist.scatter(t, [torch.tensor([3., 4.])], src=0)
    return t


group_case('torch.distributed.scatter', name='no_list')(lambda torch, dist: dist.scatter(torch.ones(2), src=0))


@group_case('torch.distributed.reduce_scatter')
def reduce_scatter_one(torch, dist):
    t = torch.zeros(2)
    dist.reduce_scatter(t, [torch.tensor([3., 4.])])
    return t


group_case('torch.distributed.reduce_scatter', name='bad_list')(
    lambda torch, dist: dist.reduce_scatter(torch.zeros(2), [torch.ones(2), torch.ones(2)]))


@group_case('torch.distributed.all_to_all')
def all_to_all_one(torch, dist):
    out = [torch.zeros(2)]
    dist.all_to_all(out, [torch.tensor([1., 2.])])
    o = torch.zeros(3)
    dist.all_to_all_single(o, torch.arange(3.))
    return out, o


@group_case('torch.distributed.barrier')
def barrier_one(torch, dist):
    return dist.barrier(), type(dist.barrier(async_op=True)).__name__


group_case('torch.distributed.send', name='to_self')(lambda torch, dist: dist.send(torch.ones(2), 0))


@group_case('torch.distributed.all_gather_object')
def objects(torch, dist):
    a = [None]
    dist.all_gather_object(a, {'x': [1, 2], 't': torch.arange(2)})
    b = ['p', 3]
    dist.broadcast_object_list(b, src=0)
    c = [None]
    dist.gather_object(('g', 1), c, dst=0)
    d = [None]
    dist.scatter_object_list(d, ['only'], src=0)
    return a, b, c, d


# ------------------------------------------------------------------ stores
@case('torch.distributed.HashStore')
def hash_store(torch):
    s = _dist(torch).HashStore()
    s.set('a', 'one')
    s.set('b', b'\x00\x01')
    return (s.get('a'), s.get('b'), s.add('n', 2), s.add('n', 3), s.get('n'), s.check(['a', 'n']),
            s.check(['zz']), s.num_keys(), s.delete_key('a'), s.delete_key('a'), s.check(['a']),
            s.compare_set('b', b'\x00\x01', 'new'), s.get('b'))


@case('torch.distributed.TCPStore')
def tcp_store(torch):
    dist = _dist(torch)
    s = dist.TCPStore('127.0.0.1', _port(), 1, True)
    s.set('k', 'v')
    s.wait(['k'])
    return s.get('k'), s.add('c', 5), s.add('c', -1), s.check(['k', 'c']), s.check(['missing'])


@case('torch.distributed.FileStore')
def file_store(torch):
    with tempfile.TemporaryDirectory() as d:
        s = _dist(torch).FileStore(os.path.join(d, 'store'), 1)
        s.set('k', 'v')
        return s.get('k'), s.add('c', 2), s.add('c', 2), s.check(['k']), s.check(['nope'])


# ------------------------------------------------------------------ DDP and DistributedSampler
@group_case('torch.nn.parallel.DistributedDataParallel')
def ddp_world_1(torch, dist):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    m = torch.nn.parallel.DistributedDataParallel(model)
    x = torch.randn(5, 3)
    m(x).pow(2).mean().backward()
    grads = [p.grad.clone() for p in m.parameters()]
    with m.no_sync():
        m(x).sum().backward()
    return (repr(m), list(m.state_dict()), m.module is model, grads, model[0].bias.grad, m.device_ids,
            m.find_unused_parameters, type(m(x)).__name__)


def _only_a(torch):
    """A seeded module of two linear layers whose forward uses only the first (the other gets no gradient)."""
    torch.manual_seed(0)
    net = torch.nn.ModuleDict({'a': torch.nn.Linear(2, 1), 'b': torch.nn.Linear(2, 1)})

    class OnlyA(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = net

        def forward(self, x):
            return self.net['a'](x)
    return OnlyA()


@group_case('torch.nn.parallel.DistributedDataParallel', name='find_unused')
def ddp_unused(torch, dist):
    m = torch.nn.parallel.DistributedDataParallel(_only_a(torch), find_unused_parameters=True)
    m(torch.ones(3, 2)).sum().backward()
    return [p.grad for p in m.parameters()]


group_case('torch.nn.parallel.DistributedDataParallel', name='no_trainable_params')(
    lambda torch, dist: torch.nn.parallel.DistributedDataParallel(torch.nn.ReLU()))
group_case('torch.nn.parallel.DistributedDataParallel', name='cpu_device_ids')(
    lambda torch, dist: torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(2, 2), device_ids=[0]))
check('torch.nn.parallel.DistributedDataParallel',
      lambda torch: torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(2, 2)), name='no_process_group')


@group_case('utils.data.DistributedSampler', name='from_group')
def sampler_from_group(torch, dist):
    s = torch.utils.data.DistributedSampler(range(5), shuffle=False)
    return s.num_replicas, s.rank, list(s)


group_case('torch.distributed.all_gather', name='bad_list_length')(
    lambda torch, dist: dist.all_gather([torch.zeros(2), torch.zeros(2)], torch.ones(2)))
group_case('torch.distributed.all_gather', name='bad_size')(
    lambda torch, dist: dist.all_gather([torch.zeros(3)], torch.ones(2)))


@group_case('torch.distributed.all_reduce', name='avg_int')
def all_reduce_avg_int(torch, dist):
    t = torch.tensor([3, 4])
    try:
        dist.all_reduce(t, op=dist.ReduceOp.AVG)
    except RuntimeError as e:
        return str(e), t       # the sum is already in place when the division fails


@group_case('torch.nn.parallel.DistributedDataParallel', name='unused_without_detection')
def ddp_unused_error(torch, dist):
    m = torch.nn.parallel.DistributedDataParallel(_only_a(torch))
    m(torch.ones(3, 2)).sum().backward()
    return m(torch.ones(3, 2))


check('torch.distributed.init_process_group',
      lambda torch: _dist(torch).init_process_group('gloo', init_method=f'tcp://127.0.0.1:{_port()}', rank=0,
                                                    world_size=1, timeout=30), name='timeout_not_timedelta')


@case('torch.nn.SyncBatchNorm', name='convert')
def sync_bn_convert(torch):
    torch.manual_seed(0)
    m = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 1), torch.nn.BatchNorm2d(2), torch.nn.Sequential(
        torch.nn.BatchNorm1d(3, affine=False)), torch.nn.SyncBatchNorm(4, bias=False))
    bn = m[1]
    s = torch.nn.SyncBatchNorm.convert_sync_batchnorm(m)
    return repr(s), s[1].weight is bn.weight, s[1].running_mean is bn.running_mean, s is m, s.training


group_case('torch.nn.SyncBatchNorm', name='cpu_in_group')(
    lambda torch, dist: torch.nn.SyncBatchNorm(2)(torch.ones(3, 2)))


@group_case('torch.nn.SyncBatchNorm', name='eval_in_group')
def sync_bn_eval(torch, dist):
    m = torch.nn.SyncBatchNorm(2).eval()
    return m(torch.arange(6.).view(3, 2))


check('torch.nn.SyncBatchNorm', lambda torch: torch.nn.SyncBatchNorm(2)(torch.arange(6.).view(3, 2)),
      name='no_group')


@group_case('torch.distributed.P2POp')
def p2p_op(torch, dist):
    return repr(dist.P2POp(dist.isend, torch.ones(2, 3), 0)), repr(dist.P2POp(dist.irecv, torch.ones(1), 0))


group_case('torch.distributed.P2POp', name='bad_op')(lambda torch, dist: dist.P2POp(dist.send, torch.ones(2), 0))
group_case('torch.distributed.batch_isend_irecv', name='not_ops')(lambda torch, dist: dist.batch_isend_irecv([1]))


@group_case('torch.nn.parallel.DistributedDataParallel', name='comm_hooks')
def ddp_comm_hooks(torch, dist):
    hooks = importlib.import_module(f'{torch.__name__}.distributed.algorithms.ddp_comm_hooks.default_hooks')
    torch.manual_seed(0)
    m = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(3, 2))
    seen = []

    def hook(state, bucket):
        seen.append((state, bucket.index(), bucket.is_last(), bucket.buffer().shape,
                     [g.shape for g in bucket.gradients()], [p.shape for p in bucket.parameters()],
                     type(bucket).__name__))
        return hooks.allreduce_hook(None, bucket)
    m.register_comm_hook('state', hook)
    m(torch.ones(4, 3)).sum().backward()
    m2 = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(3, 2))
    m2.register_comm_hook(None, hooks.fp16_compress_hook)
    m2(torch.ones(4, 3) / 3).sum().backward()
    return seen, [p.grad for p in m.parameters()], [p.grad for p in m2.parameters()]


group_case('torch.nn.parallel.DistributedDataParallel', name='comm_hook_not_callable')(
    lambda torch, dist: torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(3, 2)).register_comm_hook(None, 5))


@group_case('torch.nn.parallel.DistributedDataParallel', name='comm_hook_twice')
def ddp_comm_hook_twice(torch, dist):
    m = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(3, 2))
    m.register_comm_hook(None, lambda state, bucket: None)
    m.register_comm_hook(None, lambda state, bucket: None)


group_case('torch.nn.parallel.DistributedDataParallel', name='comm_hook_no_bucket_parameter')(
    lambda torch, dist: torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(3, 2)).register_comm_hook(
        None, lambda s, b: None))


@group_case('torch.nn.parallel.DistributedDataParallel', name='comm_hook_bf16_on_cpu')
def ddp_comm_hook_bf16(torch, dist):
    hooks = importlib.import_module(f'{torch.__name__}.distributed.algorithms.ddp_comm_hooks.default_hooks')
    torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(3, 2)).register_comm_hook(None, hooks.bf16_compress_hook)


@group_case('torch.distributed.nn.all_gather')
def dnn_collectives(torch, dist):
    dnn = importlib.import_module(f'{torch.__name__}.distributed.nn')
    x = torch.tensor([1., -2., 3.], requires_grad=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        # group given: the default, group.WORLD, is read when the module is first imported (torch's too)
        parts = dnn.all_gather(x * 2, group=dist.group.WORLD)
        y = dnn.all_reduce(x * x, group=dist.group.WORLD)
        z = dnn.broadcast(x + 1, 0, group=dist.group.WORLD)
    (parts[0].sum() * 3 + y.sum() + z.sum()).backward()
    return parts, y, z, x.grad, parts[0].grad_fn.name(), [str(m.message) for m in w], [m.category for m in w]


@group_case('torch.nn.parallel.DistributedDataParallel', name='static_graph_steps')
def ddp_static_graph(torch, dist):
    torch.manual_seed(0)
    m = torch.nn.parallel.DistributedDataParallel(torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 1)),
                                                  static_graph=True, gradient_as_bucket_view=True, bucket_cap_mb=1)
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    out = []
    for _ in range(3):
        opt.zero_grad()
        loss = m(torch.randn(5, 3)).pow(2).mean()
        loss.backward()
        opt.step()
        out.append(loss)
    return out, [p.grad for p in m.parameters()], m.static_graph, m.gradient_as_bucket_view, m.bucket_bytes_cap


@case('torch.distributed.TCPStore', name='port_in_use')
def tcp_store_port_in_use(torch):
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        s.listen()
        port = s.getsockname()[1]
        try:
            _dist(torch).init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}', rank=0, world_size=1)
        except Exception as e:
            return type(e).__name__, [c.__name__ for c in type(e).__mro__[1:3]], str(e).replace(str(port), 'PORT')


@group_case('torch.nn.parallel.DistributedDataParallel', name='forward_param_sync_flag')
def ddp_forward_sync_flag(torch, dist):
    torch.manual_seed(0)
    m = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(2, 1))
    flags = [m.require_forward_param_sync]
    with torch.no_grad():
        m(torch.ones(1, 2))
    flags.append(m.require_forward_param_sync)
    with m.no_sync():
        m(torch.ones(1, 2))
    flags.append(m.require_forward_param_sync)
    m(torch.ones(1, 2))
    flags.append(m.require_forward_param_sync)
    return flags, m.require_backward_grad_sync


@group_case('torch.distributed.new_subgroups')
def subgroups(torch, dist):
    mine, groups = dist.new_subgroups(1)
    mine2, groups2 = dist.new_subgroups_by_enumeration([[0]])
    return (dist.get_world_size(mine), len(groups), mine is groups[0], dist.get_rank(mine2), mine.group_name,
            mine2.group_name)


group_case('torch.distributed.new_subgroups', name='too_big')(lambda torch, dist: dist.new_subgroups(2))
group_case('torch.distributed.new_subgroups', name='no_size_without_cuda')(lambda torch, dist: dist.new_subgroups())
check('torch.distributed.get_default_backend_for_device',
      lambda torch: [_dist(torch).get_default_backend_for_device(d) for d in ('cpu', torch.device('cuda', 0))])
check('torch.distributed.get_default_backend_for_device',
      lambda torch: _dist(torch).get_default_backend_for_device('meta'), name='unknown')
check('torch.distributed.supports_complex',
      lambda torch: [_dist(torch).supports_complex(op) for op in (_dist(torch).ReduceOp.SUM, _dist(torch).ReduceOp.MAX,
                                                                  _dist(torch).ReduceOp.AVG)])
check('torch.distributed.default_pg_timeout', lambda torch: str(_dist(torch).default_pg_timeout))


@group_case('torch.distributed.all_gather_coalesced')
def gather_coalesced(torch, dist):
    out = [[torch.zeros(2), torch.zeros(3)]]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        dist.all_gather_coalesced(out, [torch.ones(2), torch.arange(3.)])
    return out


@group_case('torch.nn.parallel.DistributedDataParallel', name='join_world_1')
def ddp_join(torch, dist):
    join = importlib.import_module(f'{torch.__name__}.distributed.algorithms.join')
    torch.manual_seed(0)
    m = torch.nn.parallel.DistributedDataParallel(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3)))
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    with join.Join([m]):
        for _ in range(2):
            opt.zero_grad()
            m(torch.randn(4, 2)).sum().backward()
            opt.step()
    with m.join(divide_by_initial_world_size=False):
        m(torch.randn(4, 2)).pow(2).sum().backward()
    return [p.grad for p in m.parameters()], list(m.buffers()), type(m.join()).__name__


group_case('torch.distributed.algorithms.join.Join', name='empty')(
    lambda torch, dist: importlib.import_module(f'{torch.__name__}.distributed.algorithms.join').Join([]))
