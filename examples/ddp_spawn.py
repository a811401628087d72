"""Data-parallel training on two processes of one machine, as a DDP tutorial does it on the CPU:
torch.multiprocessing.spawn starts the ranks, each joins a gloo process group (tcp:// on
127.0.0.1, the port chosen by the parent), wraps a seeded model in DistributedDataParallel
(rank 0's parameters win), reads its shard of the data through DistributedSampler and trains a
few steps with SGD; the gradients are averaged over the ranks in backward(). Rank 0 prints the
losses and the parameters; all_gather_object collects each rank's view of the run; all_reduce,
broadcast and all_gather are shown on small tensors."""
import socket
import sys

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset


def make_data():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(64, 4, generator=g)
    w = torch.tensor([[1.5], [-2.0], [0.5], [0.25]])
    y = x @ w + 0.3 + 0.05 * torch.randn(64, 1, generator=g)
    return TensorDataset(x, y)


def worker(rank, world_size, port):
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank, world_size=world_size)
    torch.manual_seed(rank)                       # each rank starts from its own weights ...
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
    ddp = DDP(model)                              # ... until DDP broadcasts rank 0's
    sampler = DistributedSampler(make_data(), shuffle=True, seed=1)
    loader = DataLoader(make_data(), batch_size=8, sampler=sampler)
    opt = torch.optim.SGD(ddp.parameters(), lr=0.1)
    if rank == 0:
        print(ddp)
        print('world size', dist.get_world_size(), 'backend', dist.get_backend())
        print('state_dict keys', list(ddp.state_dict().keys()))
        print('samples per rank', len(sampler))
    losses = []
    for epoch in range(3):
        sampler.set_epoch(epoch)
        for x, y in loader:
            opt.zero_grad()
            loss = nn.functional.mse_loss(ddp(x), y)
            loss.backward()
            opt.step()
            losses.append(round(loss.item(), 4))
        if rank == 0:
            print(f'epoch {epoch}: last loss {losses[-1]:.4f}')

    # every rank holds the same parameters after each step
    checksum = round(sum(p.sum().item() for p in ddp.parameters()), 4)
    views = [None] * world_size
    dist.all_gather_object(views, {'rank': rank, 'first_indices': list(sampler)[:4], 'losses': losses[-2:],
                                   'checksum': checksum})
    t = torch.arange(3.) + 10 * rank
    dist.all_reduce(t)
    b = torch.zeros(2) if rank else torch.tensor([7., 8.])
    dist.broadcast(b, src=0)
    gathered = [torch.zeros(2) for _ in range(world_size)]
    dist.all_gather(gathered, torch.full((2,), float(rank)))
    if rank == 0:
        for v in views:
            print(v)
        print('all_reduce', t)
        print('broadcast', b)
        print('all_gather', gathered)
        for name, p in ddp.module.named_parameters():
            print(name, p.data)
        with torch.no_grad():
            print('prediction', ddp(torch.ones(2, 4)))
    dist.barrier()
    dist.destroy_process_group()


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


if __name__ == '__main__':
    world_size = 2
    mp.spawn(worker, args=(world_size, free_port()), nprocs=world_size, join=True)
    print('done', file=sys.stderr)
