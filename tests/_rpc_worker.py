"""Run by tests/test_distributed_rpc.py as `python _rpc_worker.py <torch|faketorch> <world_size> <port>`:
spawns the workers, each makes RPC calls to the others and prints one line of what it got."""
import importlib
import os
import sys
import warnings

LIB = sys.argv[1]
torch = importlib.import_module(LIB)
rpc = importlib.import_module(LIB + '.distributed.rpc')
mp = importlib.import_module(LIB + '.multiprocessing')


def add(a, b):
    return a + b


def whoami():
    return rpc.get_worker_info().name


class Counter:
    def __init__(self, start):
        self.n = start

    def bump(self, k):
        self.n += k
        return self.n


@rpc.functions.async_execution
def later(x):
    fut = torch.futures.Future()
    fut.set_result(x * 2)
    return fut


def run(rank, ws, port):
    warnings.simplefilter('ignore')
    os.environ['MASTER_ADDR'] = '127.0.0.1'
    os.environ['MASTER_PORT'] = str(port)
    opts = rpc.TensorPipeRpcBackendOptions(num_worker_threads=4, rpc_timeout=30)
    rpc.init_rpc(f'worker{rank}', rank=rank, world_size=ws, rpc_backend_options=opts)
    nxt = f'worker{(rank + 1) % ws}'
    info = rpc.get_worker_info()
    out = [repr(info), info.name, info.id, repr(rpc.get_worker_info(nxt)), opts.rpc_timeout, opts.num_worker_threads]
    out.append(repr(rpc.rpc_sync(nxt, torch.add, args=(torch.ones(2), rank))))
    out.append(rpc.rpc_sync(nxt, whoami))
    out.append(rpc.rpc_sync(nxt, add, kwargs={'a': rank, 'b': 10}))
    fut = rpc.rpc_async(nxt, add, args=(torch.arange(3), torch.arange(3) * rank))
    out.append((type(fut).__name__, repr(fut.wait())))
    out.append(repr(rpc.rpc_sync(nxt, later, args=(torch.ones(1) * rank,))))
    rref = rpc.remote(nxt, Counter, args=(10 * rank,))
    out.append((type(rref).__name__, rref.owner().name, rref.owner_name(), rref.is_owner(), repr(rref)[:8]))
    out.append(rref.rpc_sync().bump(5))
    out.append(rref.rpc_async().bump(1).wait())
    out.append(rref.to_here().n)
    r2 = rpc.remote(nxt, add, args=(torch.ones(2), torch.ones(2) * rank))
    out.append(repr(r2.to_here()))
    try:
        rpc.rpc_sync(nxt, add, args=(1, 'x'))
    except Exception as e:
        out.append((type(e).__name__, str(e).splitlines()[:2]))
    lr = rpc.RRef(torch.ones(2) * rank)
    out.append((lr.is_owner(), repr(lr.local_value()), lr.owner().name, repr(lr.to_here()), repr(lr)[:9]))
    try:
        r2.local_value()
    except Exception as e:
        out.append(type(e).__name__)
    sys.stdout.write(f'{rank} {out}\n')
    sys.stdout.flush()
    rpc.shutdown()


if __name__ == '__main__':
    ws, port = int(sys.argv[2]), int(sys.argv[3])
    mp.spawn(run, args=(ws, port), nprocs=ws)
