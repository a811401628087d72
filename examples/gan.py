"""A tiny GAN fitting a 1-D Gaussian mixture: two networks, two Adam optimizers,
detach() for the discriminator step, BCEWithLogitsLoss, LeakyReLU, BatchNorm1d.
The Linear before BatchNorm has no bias: its gradient is zero up to float32 round-off, and
Adam would turn that noise into full-size steps that differ between any two implementations."""
import torch
import torch.nn as nn

torch.set_num_threads(1)   # tiny tensors: extra threads only add overhead
torch.manual_seed(0)
G = nn.Sequential(nn.Linear(4, 16, bias=False), nn.BatchNorm1d(16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
D = nn.Sequential(nn.Linear(1, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
print(G)
print(D)
opt_g = torch.optim.Adam(G.parameters(), lr=2e-3, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D.parameters(), lr=2e-3, betas=(0.5, 0.999))
crit = nn.BCEWithLogitsLoss()


def real_batch(n):
    centers = torch.tensor([-2.0, 2.0])[torch.randint(0, 2, (n,))]
    return (centers + 0.3 * torch.randn(n)).unsqueeze(1)


ones, zeros = torch.ones(32, 1), torch.zeros(32, 1)
for step in range(60):
    real = real_batch(32)
    fake = G(torch.randn(32, 4))
    loss_d = crit(D(real), ones) + crit(D(fake.detach()), zeros)
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    loss_g = crit(D(fake), ones)
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    if step % 15 == 14:
        print(f'step {step:2d} D {loss_d.item():.3f} G {loss_g.item():.3f}')
print('D grads present:', all(p.grad is not None for p in D.parameters()))
bn = G[1]
print('bn batches', bn.num_batches_tracked.item(), bn.running_mean[:4].round(decimals=3))
G.eval()
with torch.no_grad():
    s = G(torch.randn(200, 4)).squeeze(1)
print(f'samples mean {s.mean().item():.2f} std {s.std().item():.2f}')
print('fraction > 0:', round((s > 0).float().mean().item(), 2))
