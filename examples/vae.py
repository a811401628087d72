"""A variational autoencoder on synthetic binary data: torch.distributions.Normal,
rsample (reparameterisation), kl_divergence, BCE-with-logits reconstruction, Adam."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Normal, kl_divergence


class VAE(nn.Module):
    def __init__(self, d=12, h=16, z=2):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d, h), nn.ReLU())
        self.mu = nn.Linear(h, z)
        self.logvar = nn.Linear(h, z)
        self.dec = nn.Sequential(nn.Linear(z, h), nn.Tanh(), nn.Linear(h, d))

    def forward(self, x):
        h = self.enc(x)
        q = Normal(self.mu(h), torch.exp(0.5 * self.logvar(h)))
        z = q.rsample()
        return self.dec(z), q


torch.set_num_threads(1)   # tiny tensors: extra threads only add overhead
torch.manual_seed(0)
protos = (torch.rand(3, 12) > 0.5).float()
idx = torch.randint(0, 3, (64,))
flip = (torch.rand(64, 12) < 0.1).float()
data = (protos[idx] - flip).abs()
print(protos)
print('data', data.shape, data.mean().item())
model = VAE()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
prior = Normal(torch.zeros(2), torch.ones(2))
print(prior)
for epoch in range(40):
    logits, q = model(data)
    recon = F.binary_cross_entropy_with_logits(logits, data, reduction='sum') / len(data)
    kl = kl_divergence(q, prior).sum(-1).mean()
    loss = recon + kl
    opt.zero_grad()
    loss.backward()
    opt.step()
    if epoch % 10 == 9:
        print(f'epoch {epoch:2d} recon {recon.item():.3f} kl {kl.item():.3f}')
with torch.no_grad():
    _, q = model(data[:4])
    print('posterior means', q.mean.round(decimals=2))
    print('log_prob', q.log_prob(q.mean).sum(-1).round(decimals=3))
    print('entropy', q.entropy().sum().item() > 0)
    samples = torch.sigmoid(model.dec(prior.sample((3,))))
    print((samples > 0.5).int())
