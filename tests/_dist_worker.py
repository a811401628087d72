"""Run by tests/test_distributed.py as `python _dist_worker.py <torch|faketorch> <world_size> <port> <outdir>`:
spawns the ranks with <lib>.multiprocessing.spawn; each runs the same collectives and pickles what it
got (as NumPy arrays and plain objects) to <outdir>/rank<r>.pkl."""
import importlib
import os
import pickle
import sys
import warnings

import numpy as np

LIB = sys.argv[1]
torch = importlib.import_module(LIB)
dist = importlib.import_module(LIB + '.distributed')
mp = importlib.import_module(LIB + '.multiprocessing')


def plain(x):
    if isinstance(x, torch.Tensor):
        x = x.detach()
        if x.dtype == torch.bfloat16:
            x = x.float()
        return ('tensor', str(x.dtype), x.numpy().copy())
    if isinstance(x, (list, tuple)):
        return type(x)(plain(v) for v in x)
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    return x


def attempt(fn):
    try:
        return fn()
    except Exception as e:
        return (type(e).__name__, str(e))


def values(rank, n, dtype=None, seed=0):
    g = torch.Generator().manual_seed(1000 * seed + rank)
    # magnitudes spread by powers of two picked by index: exact on both sides (an exp would differ in
    # the last bit where torch's float64 exp and NumPy's disagree, which depends on the CPU)
    scales = torch.tensor([2.0 ** k for k in range(-12, 13)], dtype=torch.float64)
    x = torch.randn(n, generator=g, dtype=torch.float64) * scales[torch.randint(0, 25, (n,), generator=g)]
    return x.to(dtype or torch.float32)


def run(rank, ws, port, outdir):
    warnings.simplefilter('ignore')
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank, world_size=ws)
    out = {'rank': dist.get_rank(), 'size': dist.get_world_size(), 'backend': dist.get_backend(),
           'init': dist.is_initialized()}
    for n in (1, 5, 24, 1001):
        for dt in (torch.float32, torch.float64, torch.float16, torch.bfloat16):
            for op in ('SUM', 'PRODUCT', 'AVG', 'MAX'):
                t = values(rank, n, dt, seed=n)
                if op == 'PRODUCT':
                    t = 1 + t / 1000
                dist.all_reduce(t, op=getattr(dist.ReduceOp, op))
                out[f'all_reduce_{op}_{n}_{dt}'] = t
    t = torch.arange(6) * (rank + 1)
    dist.all_reduce(t, op=dist.ReduceOp.BXOR)
    out['bxor'] = t
    out['band_float'] = attempt(lambda: dist.all_reduce(torch.ones(2), op=dist.ReduceOp.BAND))
    c = torch.complex(values(rank, 7), values(rank, 7, seed=3))
    dist.all_reduce(c)
    out['complex'] = c
    out['complex_max'] = attempt(lambda: dist.all_reduce(c, op=dist.ReduceOp.MAX))
    w = dist.all_reduce(torch.ones(3), async_op=True)
    out['work'] = (w.wait(), w.is_completed(), [plain(r) for r in w.result()])
    for root in range(ws):
        t = values(rank, 13)
        dist.reduce(t, root)
        out[f'reduce_{root}'] = t
    t = values(rank, 9)
    dist.broadcast(t, ws - 1)
    out['broadcast'] = t
    lst = [torch.zeros(4) for _ in range(ws)]
    dist.all_gather(lst, torch.arange(4.) + rank)
    out['all_gather'] = lst
    o = torch.zeros(ws * 2, 3)
    dist.all_gather_into_tensor(o, torch.full((2, 3), float(rank)))
    out['all_gather_into_tensor'] = o
    gl = [torch.zeros(3) for _ in range(ws)] if rank == 1 else None
    dist.gather(torch.full((3,), rank + 0.5), gl, dst=1)
    out['gather'] = gl
    t = torch.zeros(2)
    dist.scatter(t, [torch.full((2,), 10. + i) for i in range(ws)] if rank == 0 else None, src=0)
    out['scatter'] = t
    t = torch.zeros(5)
    dist.reduce_scatter(t, [values(rank * ws + i, 5) for i in range(ws)])
    # gloo's order for reduce_scatter over 3+ ranks varies along the buffer and is not reproduced:
    # compared within float32's last bits there ('~')
    out['reduce_scatter' if ws < 3 else '~reduce_scatter'] = t
    t = torch.zeros(4)
    dist.reduce_scatter_tensor(t, values(rank, 4 * ws, seed=7))
    out['reduce_scatter_tensor'] = t
    o = [torch.zeros(2) for _ in range(ws)]
    dist.all_to_all(o, [torch.full((2,), 10. * rank + j) for j in range(ws)])
    out['all_to_all'] = o
    o = torch.zeros(2 * ws)
    dist.all_to_all_single(o, torch.arange(2. * ws) + 100 * rank)
    out['all_to_all_single'] = o
    if rank == 0:
        dist.send(torch.arange(3.), 1)
        r = torch.zeros(2)
        w = dist.irecv(r, 1)
        dist.isend(torch.ones(2) * 7, 1).wait()
        w.wait()
        out['p2p'] = r
    elif rank == 1:
        t = torch.zeros(3)
        out['recv_from'] = dist.recv(t)
        r = torch.zeros(2)
        w = dist.irecv(r, 0)
        dist.send(torch.ones(2) * 9, 0)
        w.wait()
        out['p2p'] = (t, r)
    right, left = (rank + 1) % ws, (rank - 1) % ws
    got = torch.zeros(3)
    ops = [dist.P2POp(dist.irecv, got, left), dist.P2POp(dist.isend, torch.full((3,), rank + 0.25), right)]
    out['p2pop_repr'] = [repr(o) for o in ops]
    for w in dist.batch_isend_irecv(ops):
        w.wait()
    out['batch_isend_irecv'] = got
    if rank == 0:
        dist.send_object_list([{'k': 1}, 'two'], dst=1)
    elif rank == 1:
        lst = [None, None]
        out['recv_object_list'] = (dist.recv_object_list(lst, src=0), lst)
    objs = [None] * ws
    dist.all_gather_object(objs, {'rank': rank, 'sq': [rank ** 2]})
    out['all_gather_object'] = objs
    lst = ['a', rank] if rank == 0 else [None, None]
    dist.broadcast_object_list(lst, src=0)
    out['broadcast_object_list'] = lst
    gl = [None] * ws if rank == 0 else None
    dist.gather_object(('r', rank), gl, dst=0)
    out['gather_object'] = gl
    so = [None]
    dist.scatter_object_list(so, [f'to{i}' for i in range(ws)] if rank == 0 else None, src=0)
    out['scatter_object_list'] = so
    dnn = importlib.import_module(LIB + '.distributed.nn')
    x = values(rank, 4, seed=11).requires_grad_()
    parts = dnn.all_gather(x * 2)
    loss = sum((p * (i + 1.5)).sum() for i, p in enumerate(parts)) * (rank + 1)
    y = dnn.all_reduce(x * x)
    z = dnn.broadcast(x * 3, 1)
    (loss + (y * y).sum() + z.sum()).backward()
    out['dnn'] = ([p.detach() for p in parts], y.detach(), z.detach(), x.grad, parts[0].grad_fn.name(),
                  y.grad_fn.name())
    g = dist.new_group([0, ws - 1])
    out['group'] = (dist.get_rank(g), dist.get_world_size(g))
    t = torch.ones(2) * (rank + 1)
    if rank in (0, ws - 1):
        dist.all_reduce(t, group=g)
    out['group_all_reduce'] = t
    dist.barrier()
    out['ddp'] = ddp(rank, ws)
    dist.destroy_process_group()
    out['after'] = dist.is_initialized()
    with open(os.path.join(outdir, f'rank{rank}.pkl'), 'wb') as f:
        pickle.dump(plain(out), f)


def ddp(rank, ws):
    """Values kept dyadic so that each rank's local gradients are exact in both libraries: what
    differs is only how DDP averages them (1/world_size, gloo's ring order). Keys starting with
    '~' are compared with a tolerance (steps after the first are no longer exact)."""
    from importlib import import_module
    nn = import_module(LIB + '.nn')
    DDP = import_module(LIB + '.nn.parallel').DistributedDataParallel
    torch.manual_seed(rank)          # different on each rank: DDP broadcasts rank 0's
    model = nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 2))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_((p * 8).round() / 8)
    model.register_buffer('counter', torch.full((2,), float(rank)))
    m = DDP(model)
    opt = torch.optim.SGD(m.parameters(), lr=0.125)
    res = {'repr': repr(m), 'keys': list(m.state_dict().keys()), 'init': [p.clone() for p in m.parameters()]}
    g = torch.Generator().manual_seed(50 + rank)
    losses = []
    for step in range(3):
        x = torch.randint(-3, 4, (4, 5), generator=g).float()
        opt.zero_grad()
        loss = m(x).pow(2).sum() / 4
        loss.backward()
        res[f'grads{step}' if step == 0 else f'~grads{step}'] = [p.grad.clone() for p in m.parameters()]
        opt.step()
        losses.append(loss.item())
    with torch.no_grad():
        for p in model.parameters():
            p.copy_((p * 8).round() / 8)
    model.counter.fill_(rank + 5.)
    opt.zero_grad()
    x = torch.randint(-3, 4, (4, 5), generator=g).float()
    with m.no_sync():
        m(x).sum().backward()
    res['no_sync_grad'] = m.module[0].bias.grad.clone()
    res['buffer_after_forward'] = model.counter.clone()
    m(x).sum().backward()
    res['after_no_sync_grad'] = m.module[0].bias.grad.clone()
    res['~losses'] = losses
    # over 1 MiB of parameters: torch's bucket layouts (one bucket first, then rebuilt in the
    # order the gradients became ready; with find_unused_parameters 1 MiB + 25 MiB buckets).
    # lr=0 keeps every step's local gradients exact, so each step compares bit for bit.
    for find_unused in (False, True):
        torch.manual_seed(0)
        big = nn.Sequential(nn.Linear(300, 900), nn.ReLU(), nn.Linear(900, 1))
        with torch.no_grad():
            for p in big.parameters():
                p.copy_((p * 64).round() / 64)
        b = DDP(big, find_unused_parameters=find_unused)
        for step in range(3):
            x = torch.randint(-1, 2, (4, 300), generator=g).float()
            b.zero_grad()
            (b(x).pow(2).sum() / 4).backward()
            res[f'big{find_unused}_grads{step}'] = [p.grad.clone() for p in b.parameters()]
    # BatchNorm buffers: rank 0's are broadcast before a forward unless the previous one skipped sync
    torch.manual_seed(0)
    bn = DDP(nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)))
    stats = []
    for mode in ('sync', 'no_sync', 'sync', 'no_grad', 'sync', 'sync'):
        x = torch.randn(6, 3, generator=g) + rank
        if mode == 'no_sync':
            with bn.no_sync():
                bn(x).sum().backward()
        elif mode == 'no_grad':
            with torch.no_grad():
                bn(x)
        else:
            bn(x).sum().backward()
        stats.append(bn.module[1].running_mean.clone())
    res['~bn_running_means'] = stats
    # uneven inputs: rank r trains 2 + r steps inside join()
    for divide in (True, False):
        torch.manual_seed(0)
        jm = DDP(nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1)))
        jopt = torch.optim.SGD(jm.parameters(), lr=0.125)
        with jm.join(divide_by_initial_world_size=divide):
            for _ in range(2 + rank):
                x = torch.randint(-2, 3, (4, 3), generator=g).float()
                jopt.zero_grad()
                jm(x).pow(2).sum().backward()
                jopt.step()
        res[f'~join{divide}'] = [t.clone() for t in list(jm.parameters()) + list(jm.buffers())]
    # communication hooks: allreduce_hook divides (not multiplies by 1/world_size); fp16 compression
    hooks = import_module(LIB + '.distributed.algorithms.ddp_comm_hooks.default_hooks')
    for name in ('allreduce_hook', 'fp16_compress_hook'):
        torch.manual_seed(0)
        small = nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 2))
        with torch.no_grad():
            for p in small.parameters():
                p.copy_((p * 8).round() / 8)
        h = DDP(small)
        h.register_comm_hook(None, getattr(hooks, name))
        x = torch.randint(-3, 4, (4, 5), generator=g).float()
        (h(x).pow(2).sum() / 4).backward()
        res[f'hook_{name}'] = [p.grad.clone() for p in h.parameters()]
    # find_unused_parameters: a branch used on rank 0 only
    torch.manual_seed(0)
    net = nn.ModuleDict({'a': nn.Linear(3, 1), 'b': nn.Linear(3, 1), 'c': nn.Linear(3, 1)})

    class Branchy(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = net

        def forward(self, x):
            y = self.net['a'](x)
            return y + self.net['b'](x) if rank == 0 else y
    u = DDP(Branchy(), find_unused_parameters=True)
    u(torch.ones(2, 3) * (rank + 1)).sum().backward()
    res['unused'] = [None if p.grad is None else p.grad.clone() for p in u.parameters()]
    return res


if __name__ == '__main__':
    ws, port, outdir = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    mp.spawn(run, args=(ws, port, outdir), nprocs=ws)
