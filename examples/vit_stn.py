"""A tiny Vision Transformer with a spatial-transformer front end on synthetic 16x16 images:
patch embedding as a strided Conv2d and as unfold + Linear (checked equal), a cls token and a
learned positional embedding (trunc_normal_), nn.TransformerEncoder (batch_first, norm_first,
gelu), a localisation net feeding F.affine_grid + F.grid_sample (identity-initialised),
augmentation by hand (flip, roll, interpolate, reflect pad), mixup with a Beta distribution,
label smoothing, OneCycleLR, inference_mode evaluation and a confusion matrix via bincount."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Beta


class PatchEmbed(nn.Module):
    def __init__(self, img_size=16, patch_size=4, in_chans=1, embed_dim=32):
        super().__init__()
        self.patch_size = patch_size
        self.num_patches = (img_size // patch_size) ** 2
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x):
        x = self.proj(x)                      # B, D, H/p, W/p
        return x.flatten(2).transpose(1, 2)   # B, N, D

    def forward_unfold(self, x):
        # the same projection as a matmul over flattened patches
        p = self.patch_size
        patches = F.unfold(x, kernel_size=p, stride=p).transpose(1, 2)   # B, N, C*p*p
        w = self.proj.weight.reshape(self.proj.out_channels, -1)
        return F.linear(patches, w, self.proj.bias)


class STN(nn.Module):
    """Spatial transformer: predicts an affine transform and resamples the input."""

    def __init__(self, in_chans=1):
        super().__init__()
        self.localization = nn.Sequential(
            nn.Conv2d(in_chans, 8, kernel_size=5, padding=2),
            nn.MaxPool2d(2, stride=2),
            nn.ReLU(True),
            nn.Conv2d(8, 10, kernel_size=3, padding=1),
            nn.MaxPool2d(2, stride=2),
            nn.ReLU(True),
        )
        self.fc_loc = nn.Sequential(nn.Linear(10 * 4 * 4, 32), nn.ReLU(True), nn.Linear(32, 3 * 2))
        self.reset_identity()

    def reset_identity(self):
        # start from the identity transformation
        self.fc_loc[2].weight.data.zero_()
        self.fc_loc[2].bias.data.copy_(torch.tensor([1, 0, 0, 0, 1, 0], dtype=torch.float))

    def forward(self, x):
        xs = self.localization(x)
        xs = xs.view(-1, 10 * 4 * 4)
        theta = self.fc_loc(xs).view(-1, 2, 3)
        grid = F.affine_grid(theta, x.size(), align_corners=False)
        return F.grid_sample(x, grid, align_corners=False), theta


class ViT(nn.Module):
    def __init__(self, img_size=16, patch_size=4, in_chans=1, num_classes=4, embed_dim=32,
                 depth=2, num_heads=4, mlp_ratio=2.0, drop=0.1):
        super().__init__()
        self.stn = STN(in_chans)
        self.patch_embed = PatchEmbed(img_size, patch_size, in_chans, embed_dim)
        num_patches = self.patch_embed.num_patches
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, num_patches + 1, embed_dim))
        self.pos_drop = nn.Dropout(p=drop)
        layer = nn.TransformerEncoderLayer(d_model=embed_dim, nhead=num_heads,
                                           dim_feedforward=int(embed_dim * mlp_ratio),
                                           dropout=drop, activation='gelu',
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, num_layers=depth, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(embed_dim)
        self.head = nn.Linear(embed_dim, num_classes)
        nn.init.trunc_normal_(self.pos_embed, std=.02)
        nn.init.trunc_normal_(self.cls_token, std=.02)
        self.apply(self._init_weights)
        self.stn.reset_identity()    # apply() re-initialised the localisation head too

    def _init_weights(self, m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=.02)
            if m.bias is not None:
                nn.init.constant_(m.bias, 0)
        elif isinstance(m, nn.LayerNorm):
            nn.init.constant_(m.bias, 0)
            nn.init.constant_(m.weight, 1.0)

    def forward_features(self, x):
        x, theta = self.stn(x)
        x = self.patch_embed(x)
        cls_tokens = self.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat((cls_tokens, x), dim=1)
        x = self.pos_drop(x + self.pos_embed)
        x = self.blocks(x)
        return self.norm(x)[:, 0], theta

    def forward(self, x):
        feats, theta = self.forward_features(x)
        return self.head(feats), theta


def make_data(n, num_classes=4, size=16, generator=None):
    """Each class is a bright bar in a different orientation/position, plus noise."""
    y = torch.randint(0, num_classes, (n,), generator=generator)
    x = 0.3 * torch.randn(n, 1, size, size, generator=generator)
    for i in range(n):
        c = y[i].item()
        if c == 0:
            x[i, 0, 4:12, 7:9] += 1.5
        elif c == 1:
            x[i, 0, 7:9, 4:12] += 1.5
        elif c == 2:
            x[i, 0].add_(torch.eye(size) * 1.5)
        else:
            x[i, 0, 3:7, 3:7] += 1.5
    return x, y


def augment(x):
    # random horizontal flip of half the batch, a small roll, and a rescale round trip
    flip = torch.rand(x.shape[0]) < 0.5
    x = torch.where(flip[:, None, None, None], torch.flip(x, dims=[3]), x)
    shift = int(torch.randint(-1, 2, (1,)).item())
    x = torch.roll(x, shifts=(shift, -shift), dims=(2, 3))
    big = F.interpolate(x, scale_factor=1.25, mode='bilinear', align_corners=False)
    x = F.interpolate(big, size=(16, 16), mode='bilinear', align_corners=True)
    return x


def mixup(x, y, alpha=0.4, num_classes=4):
    lam = Beta(torch.tensor([alpha]), torch.tensor([alpha])).sample().item()
    index = torch.randperm(x.size(0))
    mixed_x = lam * x + (1 - lam) * x[index, :]
    y_onehot = F.one_hot(y, num_classes).float()
    mixed_y = lam * y_onehot + (1 - lam) * y_onehot[index]
    return mixed_x, mixed_y, lam


torch.manual_seed(42)
gen = torch.Generator().manual_seed(1234)
train_x, train_y = make_data(96, generator=gen)
test_x, test_y = make_data(32, generator=gen)
print('data', train_x.shape, train_y.bincount(minlength=4).tolist(), test_y[:10].tolist())
print('train mean/std', train_x.mean().item(), train_x.std().item())

# preprocessing checks on a single image
img = train_x[:1]
padded = F.pad(img, (2, 2, 2, 2), mode='reflect')
print('reflect pad', padded.shape, padded[0, 0, :3, :5])
near = F.interpolate(img, scale_factor=0.5, mode='nearest')
up_ac = F.interpolate(near, size=(16, 16), mode='bilinear', align_corners=True)
up_nc = F.interpolate(near, size=(16, 16), mode='bilinear', align_corners=False)
print('nearest down', near.shape, near[0, 0, 0, :4])
print('bilinear up (align_corners=True)', up_ac[0, 0, 0, :4])
print('bilinear up (align_corners=False)', up_nc[0, 0, 0, :4])
print('roundtrip err', (up_nc - img).abs().mean().item())

model = ViT()
print(model.stn)
print(model.blocks.layers[0])
n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
print(f'number of params: {n_params}')
print('pos_embed stats', round(model.pos_embed.mean().item(), 8), model.pos_embed.std().item(),
      model.pos_embed.abs().max().item())
print('cls_token', model.cls_token[0, 0, :6])

# the conv patch embedding equals unfold + linear, and Tensor.unfold extracts the same patches
with torch.no_grad():
    e_conv = model.patch_embed(train_x[:4])
    e_unf = model.patch_embed.forward_unfold(train_x[:4])
    print('patch embed', e_conv.shape, torch.allclose(e_conv, e_unf, atol=1e-6),
          (e_conv - e_unf).abs().max().item())
    p = train_x[:4].unfold(2, 4, 4).unfold(3, 4, 4)              # B, C, 4, 4, p, p
    p = p.permute(0, 2, 3, 1, 4, 5).reshape(4, 16, -1)
    p2 = F.unfold(train_x[:4], kernel_size=4, stride=4).transpose(1, 2)
    print('Tensor.unfold patches', p.shape, torch.equal(p, p2))
    # identity-initialised STN leaves the input unchanged (up to resampling error)
    out, theta = model.stn(train_x[:4])
    print('stn identity', theta[0].tolist(), (out - train_x[:4]).abs().max().item())

# rotate a few images by hand through affine_grid (a common augmentation) with each padding mode
angles = torch.tensor([0.0, 15.0, -30.0, 90.0]) * math.pi / 180
cos, sin = torch.cos(angles), torch.sin(angles)
zeros = torch.zeros_like(angles)
rot = torch.stack([torch.stack([cos, -sin, zeros], 1), torch.stack([sin, cos, zeros], 1)], 1)
grid = F.affine_grid(rot, (4, 1, 16, 16), align_corners=True)
for mode, pad in (('bilinear', 'zeros'), ('nearest', 'border'), ('bicubic', 'reflection')):
    r = F.grid_sample(train_x[:4], grid, mode=mode, padding_mode=pad, align_corners=True)
    print(f'rotate {mode}/{pad}', r.amax(dim=(1, 2, 3)), r[1, 0, 8, 4:8])

# resizing the learned position embedding to a larger grid, as when fine-tuning at higher resolution
with torch.no_grad():
    pos_tok = model.pos_embed[:, 1:].reshape(1, 4, 4, -1).permute(0, 3, 1, 2)
    pos_big = F.interpolate(pos_tok, size=(6, 6), mode='bicubic', align_corners=False)
    new_pos = torch.cat([model.pos_embed[:, :1], pos_big.flatten(2).transpose(1, 2)], dim=1)
print('resized pos_embed', new_pos.shape, new_pos[0, 1:4, 0])

# attention maps of the first block for one image
attn_maps = []
layer0 = model.blocks.layers[0]
with torch.no_grad():
    tokens = torch.cat([model.cls_token, model.patch_embed(train_x[:1])], 1) + model.pos_embed
    h = layer0.norm1(tokens)
    _, attn = layer0.self_attn(h, h, h, need_weights=True, average_attn_weights=False)
print('attention', attn.shape, attn.sum(-1).allclose(torch.ones(1, 4, 17)),
      attn[0, :, 0, 1:].argmax(-1).tolist())

# the localisation net trains with a 10x smaller learning rate, as in most STN setups
decay, no_decay, stn_params = [], [], []
for name, param in model.named_parameters():
    if name.startswith('stn.'):
        stn_params.append(param)
    elif param.ndim <= 1 or name.endswith('.bias') or name in ('pos_embed', 'cls_token'):
        no_decay.append(param)
    else:
        decay.append(param)
optimizer = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.05},
                               {'params': no_decay, 'weight_decay': 0.0},
                               {'params': stn_params, 'weight_decay': 0.0}], lr=1e-3)
epochs, batch_size = 8, 16
steps_per_epoch = math.ceil(len(train_x) / batch_size)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=[3e-3, 3e-3, 3e-4], epochs=epochs,
                                                steps_per_epoch=steps_per_epoch, pct_start=0.25)
criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
print('groups', [len(g['params']) for g in optimizer.param_groups],
      'initial lr', optimizer.param_groups[0]['lr'])

for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(train_x))
    running, seen = 0.0, 0
    for step in range(steps_per_epoch):
        idx = perm[step * batch_size:(step + 1) * batch_size]
        x, y = augment(train_x[idx]), train_y[idx]
        if epoch >= 4:
            x, soft_y, lam = mixup(x, y)
            logits, theta = model(x)
            loss = criterion(logits, soft_y)
        else:
            logits, theta = model(x)
            loss = criterion(logits, y)
        optimizer.zero_grad()
        loss.backward()
        gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        scheduler.step()
        running += loss.item() * x.size(0)
        seen += x.size(0)
        if step == 0:
            print(f'  epoch {epoch} step 0 loss {loss.item():.5f} grad norm {gnorm.item():.4f}')
    print(f'epoch {epoch}: train loss {running / seen:.5f} lr {scheduler.get_last_lr()[0]:.6f}')

print('theta after training', theta[0].detach().round(decimals=3))
print('head bias', model.head.bias.data)

model.eval()
with torch.inference_mode():
    logits, theta = model(test_x)
    probs = logits.softmax(dim=-1)
    pred = probs.argmax(dim=-1)
    loss = F.cross_entropy(logits, test_y)
print('inference', logits.is_inference(), logits.requires_grad)
print(f'test loss {loss.item():.5f}')
print('probs[:3]', probs[:3])
acc = (pred == test_y).float().mean().item()
print(f'test accuracy {acc:.4f}')
num_classes = 4
confusion = torch.bincount(test_y * num_classes + pred, minlength=num_classes ** 2)
confusion = confusion.reshape(num_classes, num_classes)
print(confusion)
per_class = confusion.diag().float() / confusion.sum(1).clamp(min=1).float()
print('per-class recall', per_class)

# warm-restart schedule, as an alternative to one-cycle
opt2 = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
sched2 = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt2, T_0=3, T_mult=2, eta_min=1e-4)
lrs = []
for it in range(10):
    opt2.step()
    sched2.step()
    lrs.append(round(sched2.get_last_lr()[0], 6))
print('warm restarts', lrs)
