"""Run by tests/test_distributed_rpc.py as `python _dist_autograd_worker.py <torch|faketorch> <world_size>
<port>`: each worker runs a distributed autograd pass through the others (nested calls included), a
RemoteModule on the next worker trained by a DistributedOptimizer, and the errors of each; one line
of what it got per worker."""
import importlib
import logging
import os
import sys
import warnings

LIB = sys.argv[1]
torch = importlib.import_module(LIB)
rpc = importlib.import_module(LIB + '.distributed.rpc')
dist_autograd = importlib.import_module(LIB + '.distributed.autograd')
DistributedOptimizer = importlib.import_module(LIB + '.distributed.optim').DistributedOptimizer
RemoteModule = importlib.import_module(LIB + '.distributed.nn').RemoteModule
mp = importlib.import_module(LIB + '.multiprocessing')
nn = torch.nn


def err(f):
    try:
        f()
    except Exception as e:      # torch's C++ errors carry a C++ traceback after the first line
        return type(e).__name__, str(e).split('\nException raised from')[0].rstrip('\n')
    return None


class Lin(nn.Linear):
    """A Linear with fixed weights, so both libraries start from the same values."""

    def __init__(self, i, o, scale):
        super().__init__(i, o)
        with torch.no_grad():
            self.weight.copy_(torch.arange(i * o, dtype=torch.float32).reshape(o, i) * scale)
            self.bias.fill_(0.5)


def chain(x, via):
    # runs on the next worker; passes on to a third one when there is one (nested RPC in the context)
    y = x * x
    return rpc.rpc_sync(via, torch.add, args=(y, x)) if via else y + x


def mul_sum(a, b):
    return (a * b).sum()


def run(rank, ws, port):
    warnings.simplefilter('ignore')
    logging.disable(logging.WARNING)
    os.environ['MASTER_ADDR'] = '127.0.0.1'
    os.environ['MASTER_PORT'] = str(port)
    out = [err(lambda: dist_autograd.context().__enter__()), err(lambda: dist_autograd.get_gradients(0)),
           err(lambda: RemoteModule('worker0/cpu', nn.Linear, (2, 2)))]
    rpc.init_rpc(f'worker{rank}', rank=rank, world_size=ws,
                 rpc_backend_options=rpc.TensorPipeRpcBackendOptions(num_worker_threads=8))
    nxt, via = f'worker{(rank + 1) % ws}', (f'worker{(rank + 2) % ws}' if ws > 2 else None)
    with dist_autograd.context() as cid:
        out.append(cid)
        x = torch.tensor([1., 2., 3.], requires_grad=True) * (rank + 1)
        w = torch.tensor([0.5, -1., 2.], requires_grad=True)
        a = rpc.rpc_sync(nxt, chain, args=(x * w, via))
        out.append((repr(a), a.grad_fn.name(), a.is_leaf, a.requires_grad))
        b = rpc.rpc_async(nxt, torch.mul, args=(w, 3.0)).wait()
        rr = rpc.remote(nxt, mul_sum, args=(a, b))
        c = rr.to_here()
        out.append((repr(b), repr(c)))
        loss = c + (a * w).sum() + rpc.rpc_sync(nxt, torch.sum, args=(torch.ones(2),))
        out.append(repr(loss))
        dist_autograd.backward(cid, [loss], retain_graph=True)
        out.append(sorted(repr(v) for v in dist_autograd.get_gradients(cid).values()))
        dist_autograd.backward(cid, [loss])
        out.append(sorted(repr(v) for v in dist_autograd.get_gradients(cid).values()))
        out.append((repr(w.grad), err(lambda: dist_autograd.backward(cid, [loss]))))
        out.append(err(lambda: dist_autograd.backward(cid, [x])))
        out.append(err(lambda: dist_autograd.backward(cid, [torch.ones(())])))
        out.append(err(lambda: dist_autograd.backward(cid, [])))
        out.append(err(lambda: dist_autograd.backward(cid + 7, [x.sum()])))
        out.append(err(lambda: dist_autograd.context().__enter__()))
    out.append(err(lambda: dist_autograd.get_gradients(cid)))

    # a RemoteModule on the next worker, trained from here with a DistributedOptimizer
    lin = RemoteModule(f'{nxt}/cpu', Lin, args=(3, 2), kwargs={'scale': 0.1 * (rank + 1)})
    other = RemoteModule(f'rank:{(rank + 1) % ws}', nn.Tanh)
    params = lin.remote_parameters()
    out.append((type(lin.get_module_rref()).__name__, lin.get_module_rref().owner_name(), lin.on, lin.device,
                len(params), [repr(p.to_here()) for p in params]))
    for opt_cls, kw in ((torch.optim.SGD, {'lr': 0.1, 'momentum': 0.9}), (torch.optim.Adam, {'lr': 0.01}),
                        (torch.optim.Adamax, {'lr': 0.05})):
        opt = DistributedOptimizer(opt_cls, params, **kw)
        for step in range(2):
            with dist_autograd.context() as cid:
                inp = torch.tensor([[1., -2., 0.5], [0.25, 1., -1.]]) * (step + 1)
                y = other(lin(inp))
                fut = lin.forward_async(inp)
                loss = (y * y).sum() + fut.wait().sum()
                dist_autograd.backward(cid, [loss])
                out.append((type(fut).__name__, repr(loss), sorted(repr(g) for g in
                                                                   dist_autograd.get_gradients(cid).values())))
                opt.step(cid)
        out.append([repr(p.to_here()) for p in params])
        out.append(err(lambda: opt.step(cid)))
    out.append([err(f) for f in (lin.parameters, lin.state_dict, lin.cuda, lin.named_modules, lin.to,
                                 lambda: lin.register_forward_hook(print), lambda: repr(lin))])
    out.append([err(lambda: RemoteModule(d, nn.Tanh)) for d in ('a/b/c', 'rank:x/cpu', '/cpu', 'a:b:c/cpu', 3)])
    out.append(err(lambda: RemoteModule(f'{nxt}/cpu', len, args=([1],))))
    sys.stdout.write(f'{rank} {out}\n')
    sys.stdout.flush()
    rpc.shutdown()


if __name__ == '__main__':
    ws, port = int(sys.argv[2]), int(sys.argv[3])
    mp.spawn(run, args=(ws, port), nprocs=ws)
