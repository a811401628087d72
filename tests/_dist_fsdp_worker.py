"""Run by tests/test_distributed_fsdp.py as `python _dist_fsdp_worker.py <torch|faketorch> <world_size>
<port> <outdir> <part>`: spawns the ranks with <lib>.multiprocessing.spawn; each trains the same sharded
models (FSDP1, FSDP2) and pickles what it saw to <outdir>/rank<r>.pkl. Parameters and inputs are kept
dyadic so that each rank's local gradients are exact in both libraries: what is compared bit for bit
is how FSDP shards, gathers and reduces them. Keys starting with '~' are compared with a tolerance."""
import functools
import importlib
import os
import pickle
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _dist_worker import attempt, plain  # noqa: E402

LIB = sys.argv[1]
torch = importlib.import_module(LIB)
dist = importlib.import_module(LIB + '.distributed')
mp = importlib.import_module(LIB + '.multiprocessing')
nn = torch.nn


def mod(name):
    return importlib.import_module(f'{LIB}.{name}')


def net():
    torch.manual_seed(0)
    m = nn.Sequential(nn.Linear(5, 6), nn.ReLU(), nn.Sequential(nn.Linear(6, 7), nn.ReLU(), nn.Linear(7, 4)),
                      nn.Linear(4, 3))
    with torch.no_grad():
        for p in m.parameters():
            p.copy_((p * 8).round() / 8)
    return m


def batch(rank, step):
    g = torch.Generator().manual_seed(100 * step + rank)
    return torch.randint(-3, 4, (4, 5), generator=g).float()


def fsdp1(rank, ws):
    fsdp = mod('distributed.fsdp')
    wrap = mod('distributed.fsdp.wrap')
    FSDP = fsdp.FullyShardedDataParallel
    res = {}
    policy = functools.partial(wrap.lambda_auto_wrap_policy, lambda_fn=lambda m: isinstance(m, nn.Sequential))
    for strategy in ('FULL_SHARD', 'SHARD_GRAD_OP', 'NO_SHARD'):
        m = FSDP(net(), device_id=torch.device('cpu'), auto_wrap_policy=policy,
                 sharding_strategy=getattr(fsdp.ShardingStrategy, strategy))
        opt = torch.optim.SGD(m.parameters(), lr=0.25)
        r = {'repr': repr(m), 'names': [(n, tuple(p.shape)) for n, p in m.named_parameters()],
             'flat': [p.detach().clone() for p in m.parameters()]}
        for step in range(3):
            opt.zero_grad()
            loss = m(batch(rank, step)).pow(2).sum() / 4
            loss.backward()
            key = '' if step == 0 else '~'
            r[f'{key}loss{step}'] = loss.detach().clone()
            r[f'{key}grads{step}'] = [p.grad.clone() for p in m.parameters()]
            opt.step()
        r['~state_dict'] = dict(m.state_dict())
        with FSDP.summon_full_params(m):
            r['summon_names'] = [(n, tuple(p.shape)) for n, p in m.named_parameters()]
            with torch.no_grad():
                m.module[0].weight.fill_(0.5)
        r['~after_writeback'] = [p.detach().clone() for p in m.parameters()]
        res[strategy] = r
    # clip_grad_norm_ and the state dict settings
    m = FSDP(net(), device_id=torch.device('cpu'), auto_wrap_policy=policy)
    m(batch(rank, 7)).pow(2).sum().backward()
    # '~': torch's float32 sqrt (pow 0.5) is not IEEE's in the last bit for about one value in five
    res['~clip'] = (m.clip_grad_norm_(0.5), [p.grad.clone() for p in m.parameters()])
    m.zero_grad()
    m(batch(rank, 8)).pow(2).sum().backward()
    res['clip_inf'] = (m.clip_grad_norm_(0.25, norm_type=float('inf')), [p.grad.clone() for p in m.parameters()])
    with FSDP.state_dict_type(m, fsdp.StateDictType.FULL_STATE_DICT,
                              fsdp.FullStateDictConfig(rank0_only=True)):
        sd = m.state_dict()
        res['rank0_only'] = {k: v for k, v in sd.items()}
        res['settings'] = repr(FSDP.get_state_dict_type(m))
    res['settings_after'] = repr(FSDP.get_state_dict_type(m))
    plain_sd = net().state_dict()
    plain_sd['0.bias'] = torch.full((6,), 0.375)
    # gradient accumulation: two micro-batches under no_sync, then a synced one
    m.zero_grad()
    with m.no_sync():
        for step in (11, 12):
            m(batch(rank, step)).pow(2).sum().backward()
    res['no_sync_grads'] = [None if p.grad is None else p.grad.clone() for p in m.parameters()]
    m(batch(rank, 13)).pow(2).sum().backward()
    res['after_no_sync'] = [p.grad.clone() for p in m.parameters()]
    # the optimizer's state, gathered per original parameter and back
    opt = torch.optim.SGD(m.parameters(), lr=0.25, momentum=0.5)
    opt.step()
    osd = FSDP.optim_state_dict(m, opt)
    res['optim_state_dict'] = osd
    opt2 = torch.optim.SGD(m.parameters(), lr=0.5, momentum=0.25)
    to_load = FSDP.optim_state_dict_to_load(m, opt2, osd)
    res['optim_to_load'] = to_load
    opt2.load_state_dict(to_load)
    res['optim_loaded'] = opt2.state_dict()
    res['load'] = repr(m.load_state_dict(plain_sd))
    res['loaded'] = [p.detach().clone() for p in m.parameters()]
    # mixed precision: float16 gather and reduction, float32 shards
    m = FSDP(net(), device_id=torch.device('cpu'), auto_wrap_policy=policy,
             mixed_precision=fsdp.MixedPrecision(param_dtype=torch.float16))
    out = m(batch(rank, 9))
    out.float().sum().backward()
    res['mp'] = (str(out.dtype), [p.grad.clone() for p in m.parameters()], [str(p.dtype) for p in m.parameters()])
    res['sync_states'] = attempt(lambda: FSDP(net(), device_id=torch.device('cpu'), sync_module_states=True))
    m = FSDP(net(), device_id=torch.device('cpu'),
             mixed_precision=fsdp.MixedPrecision(param_dtype=torch.bfloat16, reduce_dtype=torch.float32))
    m(batch(rank, 10)).float().sum().backward()
    res['mp_bf16'] = [p.grad.clone() for p in m.parameters()]
    return res


def fsdp2(rank, ws):
    fsdp = mod('distributed.fsdp')
    dt = mod('distributed.tensor')
    res = {}
    mesh = dt.init_device_mesh('cpu', (ws,))
    res['mesh'] = (repr(mesh), mesh.size(), mesh.get_local_rank(), mesh.mesh)
    x = torch.arange(15.).view(5, 3) + rank           # rank 0's values are distributed
    d = dt.distribute_tensor(x, mesh, [dt.Shard(0)])
    r = dt.distribute_tensor(x, mesh, [dt.Replicate()])
    res['dtensor'] = (repr(d), tuple(d.shape), d.to_local().clone(), d.full_tensor(), repr(r), repr(d * 2 + 1),
                      repr(d.sum()), d.sum().full_tensor(), repr(d.redistribute(mesh, [dt.Replicate()])))
    f = dt.DTensor.from_local(torch.ones(2, 3) * rank, mesh, [dt.Shard(1)])
    res['from_local'] = (tuple(f.shape), f.full_tensor(), repr(f.redistribute(mesh, [dt.Shard(0)])))
    for name, policy in (('fp32', fsdp.MixedPrecisionPolicy()),
                         ('bf16', fsdp.MixedPrecisionPolicy(param_dtype=torch.bfloat16, reduce_dtype=torch.float32)),
                         ('fp16', fsdp.MixedPrecisionPolicy(param_dtype=torch.float16))):
        m = net()
        for sub in (m[0], m[2]):
            fsdp.fully_shard(sub, mp_policy=policy)
        fsdp.fully_shard(m, mp_policy=policy)
        r = {'repr': repr(m), 'cls': type(m).__name__,
             'params': [(n, tuple(p.shape), p.to_local().clone(), repr(p.placements)) for n, p in m.named_parameters()]}
        opt = torch.optim.Adam(m.parameters(), lr=0.125) if name == 'fp32' else torch.optim.SGD(m.parameters(), lr=0.25)
        # low precision: one exact step (faketorch's half-precision matmuls round differently from torch's)
        for step in range(3 if name == 'fp32' else 1):
            opt.zero_grad()
            out = m(batch(rank, step))
            loss = out.float().sum() if name != 'fp32' else out.pow(2).sum() / 4
            loss.backward()
            key = '' if step == 0 else '~'
            r[f'{key}out{step}'] = (str(out.dtype), loss.detach())
            r[f'{key}grads{step}'] = [(p.grad.to_local().clone(), repr(p.grad.placements)) for p in m.parameters()]
            opt.step()
        if name == 'fp32':
            r['optim_state_types'] = [{k: (type(v).__name__, tuple(v.shape)) for k, v in st.items()}
                                      for st in opt.state_dict()['state'].values()]
            m.zero_grad()
            m.set_requires_gradient_sync(False)
            for step in (11, 12):
                m(batch(rank, step)).pow(2).sum().backward()
            r['no_sync'] = [None if p.grad is None else p.grad.to_local().clone() for p in m.parameters()]
            m.set_requires_gradient_sync(True)
            m(batch(rank, 13)).pow(2).sum().backward()
            r['~after_no_sync'] = [p.grad.to_local().clone() for p in m.parameters()]
            m.zero_grad()
            m(batch(rank, 5)).pow(2).sum().backward()
            norm = torch.nn.utils.clip_grad_norm_(m.parameters(), 0.5)
            r['~clip'] = (type(norm).__name__, repr(norm.placements), norm.to_local(),
                          [p.grad.to_local().clone() for p in m.parameters()])
        sd = m.state_dict()
        r['~state_dict'] = {k: (type(v).__name__, v.to_local(), v.full_tensor()) for k, v in sd.items()}
        res[name] = r
    return res


def dcp(rank, ws):
    """An FSDP2 model and its Adam state saved with DCP into <outdir>/ckpt (each rank its shards), then
    loaded back into a fresh sharded model."""
    fsdp = mod('distributed.fsdp')
    ckpt = mod('distributed.checkpoint')
    sdm = mod('distributed.checkpoint.state_dict')
    m = net()
    fsdp.fully_shard(m[2])
    fsdp.fully_shard(m)
    opt = torch.optim.SGD(m.parameters(), lr=0.125, momentum=0.5)     # exact: the values stay dyadic
    m(batch(rank, 0)).pow(2).sum().backward()
    opt.step()
    msd, osd = sdm.get_state_dict(m, opt)
    ckpt.save({'model': msd, 'optim': osd, 'step': 7}, checkpoint_id=os.path.join(OUTDIR, 'ckpt'))
    fresh = net()
    fsdp.fully_shard(fresh[2])
    fsdp.fully_shard(fresh)
    fopt = torch.optim.SGD(fresh.parameters(), lr=0.125, momentum=0.5)
    fmsd, fosd = sdm.get_state_dict(fresh, fopt)
    target = {'model': fmsd, 'optim': fosd, 'step': 0}
    ckpt.load(target, checkpoint_id=os.path.join(OUTDIR, 'ckpt'))
    sdm.set_state_dict(fresh, fopt, model_state_dict=target['model'], optim_state_dict=target['optim'])
    full = sdm.get_model_state_dict(fresh, options=sdm.StateDictOptions(full_state_dict=True))
    # rank 0's full state dicts loaded into another sharded model, the other ranks passing none
    opts = sdm.StateDictOptions(full_state_dict=True, broadcast_from_rank0=True)
    full_osd = sdm.get_optimizer_state_dict(fresh, fopt, options=sdm.StateDictOptions(full_state_dict=True))
    third = net()
    fsdp.fully_shard(third)
    topt = torch.optim.SGD(third.parameters(), lr=0.125, momentum=0.5)
    sdm.set_model_state_dict(third, dict(full) if rank == 0 else {}, options=opts)
    sdm.set_optimizer_state_dict(third, topt, full_osd if rank == 0 else {}, options=opts)
    third_state = ([p.to_local().clone() for p in third.parameters()],
                   [getattr(b, 'to_local', lambda: b)().clone()
                    for b in (topt.state[p]['momentum_buffer'] for p in third.parameters())])
    return {'full': dict(full), 'local': [p.to_local().clone() for p in fresh.parameters()], 'step': target['step'],
            'broadcast_from_rank0': third_state,
            # a DTensor in torch, the local tensor in faketorch
            'momentum': [getattr(b, 'to_local', lambda: b)().clone()
                         for b in (fopt.state[p]['momentum_buffer'] for p in fresh.parameters())],
            'files': sorted(os.listdir(os.path.join(OUTDIR, 'ckpt')))}


PARTS = {'fsdp1': fsdp1, 'fsdp2': fsdp2, 'dcp': dcp}
OUTDIR = None


def run(rank, ws, port, outdir, part):
    global OUTDIR
    OUTDIR = outdir
    warnings.simplefilter('ignore')
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank, world_size=ws)
    out = PARTS[part](rank, ws)
    dist.destroy_process_group()
    with open(os.path.join(outdir, f'rank{rank}.pkl'), 'wb') as f:
        pickle.dump(plain(out), f)


if __name__ == '__main__':
    ws, port, outdir, part = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    mp.spawn(run, args=(ws, port, outdir, part), nprocs=ws)
