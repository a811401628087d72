"""A tiny DCGAN on synthetic 16x16 "blob" images: a generator of ConvTranspose2d + BatchNorm2d +
ReLU ending in Tanh, a discriminator of strided Conv2d + LeakyReLU with spectral normalisation
(torch.nn.utils.parametrizations.spectral_norm), weights_init applied with Module.apply
(nn.init.normal_ by class name), Adam with betas=(0.5, 0.999), BCELoss with one-sided label
smoothing, fixed noise for monitoring, an exponential moving average of the generator through
torch.optim.swa_utils.AveragedModel, parameters_to_vector, and a tiled image grid."""
import torch
import torch.nn as nn
from torch.nn.utils import parameters_to_vector
from torch.nn.utils.parametrizations import spectral_norm
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

nz, ngf, ndf, nc = 8, 8, 8, 1


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find('Conv') != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find('BatchNorm') != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0)


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 2, 4, 1, 0, bias=False),      # 1 -> 4
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),     # 4 -> 8
            nn.BatchNorm2d(ngf),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),          # 8 -> 16
            nn.Tanh())

    def forward(self, z):
        return self.main(z)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            spectral_norm(nn.Conv2d(nc, ndf, 4, 2, 1, bias=False)),    # 16 -> 8
            nn.LeakyReLU(0.2, inplace=True),
            spectral_norm(nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False)),  # 8 -> 4
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, 1, 4, 1, 0, bias=False),
            nn.Flatten(0),
            nn.Sigmoid())

    def forward(self, x):
        return self.main(x)


def real_batch(n):
    """Gaussian blobs at random centres, scaled to [-1, 1]."""
    coords = torch.arange(16.0)
    cy, cx = torch.rand(n, 1, 1) * 8 + 4, torch.rand(n, 1, 1) * 8 + 4
    d2 = (coords.view(1, 16, 1) - cy) ** 2 + (coords.view(1, 1, 16) - cx) ** 2
    return (torch.exp(-d2 / 8.0) * 2 - 1).unsqueeze(1)


def grid(images, nrow=4, pad=1):
    n, c, h, w = images.shape
    rows = (n + nrow - 1) // nrow
    out = images.new_full((c, rows * (h + pad) + pad, nrow * (w + pad) + pad), -1.0)
    for i in range(n):
        r, col = divmod(i, nrow)
        out[:, pad + r * (h + pad):pad + r * (h + pad) + h, pad + col * (w + pad):pad + col * (w + pad) + w] = images[i]
    return out


torch.set_num_threads(1)   # tiny tensors: extra threads only add overhead
torch.manual_seed(999)
netG, netD = Generator(), Discriminator()
netG.apply(weights_init)
netD.apply(weights_init)
print(netG)
print(netD)
for name, net in (('G', netG), ('D', netD)):
    print(name, sum(p.numel() for p in net.parameters()), 'parameters,',
          sum(p.numel() for p in net.parameters() if p.requires_grad), 'trainable')
print([n for n, _ in netD.named_parameters()])
print(type(netD.main[0]).__name__, sorted(netD.main[0].parametrizations.keys()),
      tuple(netD.main[0].parametrizations.weight.original.shape))
print('G weight std', round(netG.main[0].weight.std().item(), 3))

criterion = nn.BCELoss()
fixed_noise = torch.randn(8, nz, 1, 1)
real_label, fake_label = 0.9, 0.0
optD = torch.optim.Adam(netD.parameters(), lr=2e-3, betas=(0.5, 0.999))
optG = torch.optim.Adam(netG.parameters(), lr=2e-3, betas=(0.5, 0.999))
ema = AveragedModel(netG, multi_avg_fn=get_ema_multi_avg_fn(0.9))
print('fake shape', tuple(netG(fixed_noise).shape))
batch = 16
for it in range(30):
    real = real_batch(batch)
    netD.zero_grad()
    label = torch.full((batch,), real_label)
    output = netD(real)
    errD_real = criterion(output, label)
    errD_real.backward()
    D_x = output.mean().item()
    noise = torch.randn(batch, nz, 1, 1)
    fake = netG(noise)
    label.fill_(fake_label)
    output = netD(fake.detach())
    errD_fake = criterion(output, label)
    errD_fake.backward()
    D_G_z1 = output.mean().item()
    optD.step()

    netG.zero_grad()
    label.fill_(1.0)
    output = netD(fake)
    errG = criterion(output, label)
    errG.backward()
    optG.step()
    ema.update_parameters(netG)
    if it % 10 == 0 or it == 29:
        print(f'[{it:2d}/30] Loss_D: {(errD_real + errD_fake).item():.3f} Loss_G: {errG.item():.3f} '
              f'D(x): {D_x:.3f} D(G(z)): {D_G_z1:.3f} / {output.mean().item():.3f}')

print('ema updates', ema.n_averaged.item())
with torch.no_grad():
    netG.eval()
    ema.eval()
    samples = netG(fixed_noise)
    ema_samples = ema(fixed_noise)
    print('sample range', round(samples.min().item(), 2), round(samples.max().item(), 2))
    print('ema differs from G:', not torch.allclose(parameters_to_vector(ema.module.parameters()),
                                                     parameters_to_vector(netG.parameters())))
    print('ema close to G:', torch.allclose(ema_samples, samples, atol=0.5))
    g = grid(samples)
    print('grid', tuple(g.shape))
    # a coarse ASCII view of the first sample
    img = samples[0, 0, ::2, ::2]
    for row in img:
        print(''.join(' .:-=+*#%@'[min(9, int((v.item() + 1) * 5))] for v in row))
