"""A small ResNet on synthetic images: residual blocks with a 1x1 projection shortcut,
BatchNorm2d, AdaptiveAvgPool2d, kaiming init through named_modules, SGD with Nesterov and
weight_decay in two parameter groups (no decay on norms and biases), OneCycleLR stepped per
batch, label smoothing, inference_mode evaluation, per-class accuracy, a state_dict round trip
through BytesIO and a forward hook."""
import io

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, c_in, c_out, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.shortcut = nn.Sequential()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False),
                                          nn.BatchNorm2d(c_out))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet(nn.Module):
    def __init__(self, num_classes=4, width=8):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, width, 3, padding=1, bias=False),
                                  nn.BatchNorm2d(width), nn.ReLU(inplace=True))
        self.layer1 = BasicBlock(width, width)
        self.layer2 = BasicBlock(width, 2 * width, stride=2)
        self.pool = nn.AdaptiveAvgPool2d((1, 1))
        self.drop = nn.Dropout(p=0.2)
        self.fc = nn.Linear(2 * width, num_classes)
        for name, m in self.named_modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.layer2(self.layer1(self.stem(x)))
        x = torch.flatten(self.pool(x), 1)
        return self.fc(self.drop(x))


torch.set_num_threads(1)   # tiny tensors: extra threads only add overhead
torch.manual_seed(0)
n, classes = 128, 4
labels = torch.arange(n) % classes
images = 0.5 * torch.randn(n, 3, 8, 8)
# each class brightens one quadrant of one channel
for c in range(classes):
    sel = labels == c
    r, q = divmod(c, 2)
    images[sel, c % 3, 4 * r:4 * r + 4, 4 * q:4 * q + 4] += 1.0
train_x, train_y, test_x, test_y = images[:96], labels[:96], images[96:], labels[96:]

model = ResNet(classes)
print(model.layer2)
n_params = sum(p.numel() for p in model.parameters())
n_train = sum(p.numel() for p in model.parameters() if p.requires_grad)
print(f'{n_params} parameters ({n_train} trainable), {len(list(model.buffers()))} buffers')
decay, no_decay = [], []
for name, p in model.named_parameters():
    (no_decay if p.ndim == 1 else decay).append(p)
opt = torch.optim.SGD([{'params': decay, 'weight_decay': 5e-4},
                       {'params': no_decay, 'weight_decay': 0.0}],
                      lr=0.1, momentum=0.9, nesterov=True)
epochs, batch = 4, 16
steps = epochs * (len(train_x) // batch)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.2, total_steps=steps)
crit = nn.CrossEntropyLoss(label_smoothing=0.1)
print([len(g['params']) for g in opt.param_groups], opt.defaults['nesterov'])

for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(train_x))
    total, correct = 0.0, 0
    for i in range(0, len(train_x), batch):
        idx = perm[i:i + batch]
        out = model(train_x[idx])
        loss = crit(out, train_y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        total += loss.item() * len(idx)
        correct += (out.argmax(1) == train_y[idx]).sum().item()
    print(f'epoch {epoch} loss {total / len(train_x):.4f} acc {correct / len(train_x):.3f} '
          f'lr {sched.get_last_lr()[0]:.5f}')

print('running_mean', model.layer1.bn1.running_mean[:4].round(decimals=3))
print('num_batches_tracked', model.layer1.bn1.num_batches_tracked)

model.eval()
with torch.inference_mode():
    logits = model(test_x)
    pred = logits.argmax(dim=1)
    print('inference tensor', logits.is_inference(), logits.requires_grad)
correct = pred.eq(test_y)
print(f'test accuracy {correct.float().mean().item():.3f}')
for c in range(classes):
    mask = test_y == c
    print(f'  class {c}: {correct[mask].sum().item()}/{mask.sum().item()}')
conf = torch.zeros(classes, classes, dtype=torch.long)
conf.index_put_((test_y, pred), torch.ones_like(pred), accumulate=True)
print(conf)

feats = {}
handle = model.pool.register_forward_hook(lambda m, inp, out: feats.setdefault('pool', out.detach()))
buf = io.BytesIO()
torch.save(model.state_dict(), buf)
buf.seek(0)
clone = ResNet(classes)
print(clone.load_state_dict(torch.load(buf, weights_only=True)))
clone.eval()
with torch.no_grad():
    model(test_x[:2])
    same = torch.equal(clone(test_x).argmax(1), pred)
handle.remove()
print('pooled features', tuple(feats['pool'].shape), 'clone agrees', same)
print(list(model.state_dict().keys())[:8])
