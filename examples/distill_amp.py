"""Knowledge distillation with the usual training tricks: a teacher CNN trained briefly and frozen,
a student trained on KL divergence of temperature-scaled log-probabilities plus hard-label cross
entropy, autocast (bfloat16 on the CPU) around the forward pass with a GradScaler that is only
enabled on CUDA, gradient accumulation over micro-batches, activation checkpointing of one block,
forward/backward hooks collecting activation statistics, ReduceLROnPlateau, per-parameter-group
learning rates, clip_grad_value_, an EMA of the weights with _foreach ops and torch.lerp, and
state_dict / named_modules bookkeeping."""
import copy
from collections import OrderedDict, defaultdict

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint
from torch.utils.data import DataLoader, TensorDataset


def conv_bn(c_in, c_out, stride=1):
    return nn.Sequential(OrderedDict([
        ('conv', nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)),
        ('bn', nn.BatchNorm2d(c_out)),
        ('act', nn.ReLU(inplace=True)),
    ]))


class Teacher(nn.Module):
    def __init__(self, num_classes=5):
        super().__init__()
        self.features = nn.Sequential(conv_bn(3, 16), conv_bn(16, 32, stride=2), conv_bn(32, 32),
                                      nn.AdaptiveAvgPool2d(1))
        self.classifier = nn.Linear(32, num_classes)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class Student(nn.Module):
    def __init__(self, num_classes=5, use_checkpoint=True):
        super().__init__()
        self.stem = conv_bn(3, 8)
        self.block = nn.Sequential(conv_bn(8, 16, stride=2), nn.Dropout2d(0.1), conv_bn(16, 16))
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, num_classes))
        self.use_checkpoint = use_checkpoint

    def forward(self, x):
        x = self.stem(x)
        if self.use_checkpoint and self.training:
            x = checkpoint(self.block, x, use_reentrant=False)
        else:
            x = self.block(x)
        return self.head(x)


def distillation_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.7, log_target=False):
    kl = nn.KLDivLoss(reduction='batchmean', log_target=log_target)
    s = F.log_softmax(student_logits / T, dim=1)
    t = F.log_softmax(teacher_logits / T, dim=1) if log_target else F.softmax(teacher_logits / T, dim=1)
    soft = kl(s, t) * (T * T)
    hard = F.cross_entropy(student_logits, labels)
    return alpha * soft + (1.0 - alpha) * hard, soft, hard


def evaluate(model, loader):
    model.eval()
    correct, total, loss = 0, 0, 0.0
    with torch.no_grad():
        for x, y in loader:
            out = model(x)
            loss += F.cross_entropy(out, y, reduction='sum').item()
            correct += (out.argmax(1) == y).sum().item()
            total += y.numel()
    return loss / total, correct / total


torch.manual_seed(7)
num_classes, n = 5, 200
centers = torch.randn(num_classes, 3, 1, 1) * 1.5
labels = torch.randint(0, num_classes, (n,))
images = centers[labels] + torch.randn(n, 3, 12, 12)
images[:, :, 4:8, 4:8] += labels.view(-1, 1, 1, 1).float() * 0.3
train_ds = TensorDataset(images[:160], labels[:160])
val_ds = TensorDataset(images[160:], labels[160:])
train_loader = DataLoader(train_ds, batch_size=32, shuffle=True, drop_last=True)
val_loader = DataLoader(val_ds, batch_size=64)
print('batches per epoch', len(train_loader), 'val size', len(val_ds))

# --- teacher ------------------------------------------------------------------------------------
teacher = Teacher(num_classes)
opt_t = torch.optim.SGD(teacher.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
for epoch in range(3):
    teacher.train()
    for i, (x, y) in enumerate(train_loader):
        opt_t.zero_grad()
        loss = F.cross_entropy(teacher(x), y)
        loss.backward()
        opt_t.step()
        if epoch == 0 and i == 0:
            print('first teacher loss', loss.item(), 'bias grad', teacher.classifier.bias.grad)
    vl, va = evaluate(teacher, val_loader)
    print(f'teacher epoch {epoch}: train loss {loss.item():.4f} val loss {vl:.4f} acc {va:.3f}')
teacher.requires_grad_(False)
teacher.eval()
print('teacher frozen:', all(not p.requires_grad for p in teacher.parameters()), teacher.training)
print('teacher bn running_var', teacher.features[0].bn.running_var[:4])

# --- student ------------------------------------------------------------------------------------
student = Student(num_classes)
for name, module in student.named_modules():
    if isinstance(module, nn.Conv2d):
        nn.init.kaiming_normal_(module.weight, mode='fan_out', nonlinearity='relu')
    print(f'{name or "<root>":16s} {type(module).__name__}')
n_params = sum(p.numel() for p in student.parameters())
print('student params', n_params, 'teacher params', sum(p.numel() for p in teacher.parameters()))
for name, p in student.named_parameters():
    if name.startswith('head'):
        print(name, tuple(p.shape), p.dtype, p.requires_grad)

stats = defaultdict(list)
grad_norms = defaultdict(list)


def save_stats(name):
    def hook(module, inputs, output):
        out = output.detach().float()
        stats[name].append((out.mean().item(), out.std().item(), (out == 0).float().mean().item()))
    return hook


def save_grad(name):
    def hook(module, grad_input, grad_output):
        grad_norms[name].append(grad_output[0].detach().float().norm().item())
    return hook


handles = []
for name, module in student.named_modules():
    if isinstance(module, nn.ReLU):
        handles.append(module.register_forward_hook(save_stats(name)))
handles.append(student.head[2].register_full_backward_hook(save_grad('head.2')))
print('hooks', len(handles))

# biases and BatchNorm parameters: no weight decay and a larger learning rate
decay = [p for n_, p in student.named_parameters() if p.ndim > 1]
no_decay = [p for n_, p in student.named_parameters() if p.ndim <= 1]
optimizer = torch.optim.AdamW([
    {'params': decay, 'lr': 3e-3, 'weight_decay': 1e-2},
    {'params': no_decay, 'lr': 6e-3, 'weight_decay': 0.0},
])
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode='min', factor=0.5, patience=0,
                                                       threshold=1e-3)
# mixed precision only where it pays off: on a CPU-only machine autocast and the scaler are disabled
use_amp = torch.cuda.is_available()
scaler = torch.amp.GradScaler('cuda', enabled=use_amp)
print('scaler enabled', scaler.is_enabled(), 'scale', scaler.get_scale())
ema = copy.deepcopy(student)
ema.requires_grad_(False)
ema_decay = 0.9
accum_steps = 2
micro = 16

for epoch in range(4):
    student.train()
    running = defaultdict(float)
    for step, (x, y) in enumerate(train_loader):
        optimizer.zero_grad(set_to_none=True)
        for xm, ym in zip(x.split(micro), y.split(micro)):
            with torch.autocast('cpu', dtype=torch.bfloat16, enabled=use_amp):
                s_logits = student(xm)
                with torch.no_grad():
                    t_logits = teacher(xm)
            loss, soft, hard = distillation_loss(s_logits.float(), t_logits.float(), ym,
                                                 log_target=epoch % 2 == 1)
            scaler.scale(loss / accum_steps).backward()
            running['loss'] += loss.item() / accum_steps
            running['soft'] += soft.item() / accum_steps
            running['hard'] += hard.item() / accum_steps
        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_value_(student.parameters(), clip_value=0.5)
        scaler.step(optimizer)
        scaler.update()
        with torch.no_grad():
            ema_params = [p for p in ema.parameters()]
            new_params = [p.detach() for p in student.parameters()]
            torch._foreach_mul_(ema_params, ema_decay)
            torch._foreach_add_(ema_params, new_params, alpha=1 - ema_decay)
            for b_ema, b in zip(ema.buffers(), student.buffers()):
                if b.dtype.is_floating_point:
                    b_ema.copy_(torch.lerp(b_ema, b, 1 - ema_decay))
                else:
                    b_ema.copy_(b)
    steps = len(train_loader)
    vl, va = evaluate(student, val_loader)
    el, ea = evaluate(ema, val_loader)
    scheduler.step(vl)
    print(f'epoch {epoch}: loss {running["loss"] / steps:.4f} (soft {running["soft"] / steps:.4f} '
          f'hard {running["hard"] / steps:.4f}) val {vl:.4f}/{va:.3f} ema {el:.4f}/{ea:.3f} '
          f'lrs {[round(g["lr"], 6) for g in optimizer.param_groups]}')

for h in handles:
    h.remove()
print('hook calls', {k: len(v) for k, v in stats.items()}, len(grad_norms['head.2']))
for k, v in stats.items():
    mean, std, zeros = v[-1]
    print(f'  {k:12s} mean {mean:.4f} std {std:.4f} zero fraction {zeros:.3f}')
print('last head grad norms', [round(g, 5) for g in grad_norms['head.2'][-3:]])

# the autocast state inside and outside a region (results are compared coarsely: under CPU
# autocast torch runs the linear layer in bfloat16)
x, y = next(iter(val_loader))
student.eval()
with torch.no_grad():
    feats = student.head[:2](student.block(student.stem(x)))
    ref = torch.softmax(student.head[2](feats), dim=1)
with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
    inside = torch.is_autocast_enabled('cpu'), torch.get_autocast_dtype('cpu')
    amp = torch.softmax(student.head[2](feats), dim=1)
print('autocast state', inside, torch.is_autocast_enabled('cpu'),
      'close to float32', torch.allclose(amp.float(), ref, atol=2e-2))

# the checkpointed block gives the same gradients as the plain one
probe = Student(num_classes)
probe.load_state_dict(student.state_dict())
plain = copy.deepcopy(probe)
plain.use_checkpoint = False
probe.train()
plain.train()
torch.manual_seed(0)
F.cross_entropy(probe(x[:8]), y[:8]).backward()
torch.manual_seed(0)
F.cross_entropy(plain(x[:8]), y[:8]).backward()
same = all(torch.allclose(a.grad, b.grad, atol=1e-6) for a, b in zip(probe.parameters(), plain.parameters()))
print('checkpoint grads match', same)

sd = student.state_dict()
print('state_dict', len(sd), list(sd.keys())[:6])
print('num_batches_tracked', sd['stem.bn.num_batches_tracked'].item(), ema.state_dict()['stem.bn.num_batches_tracked'].item())
print('ema vs student weight distance', (ema.head[2].weight - student.head[2].weight).norm().item() > 0)
print('ema head bias', ema.head[2].bias)
print('student head bias', student.head[2].bias.data)
print('optimizer state', len(optimizer.state_dict()['state']), sorted(optimizer.state_dict()['param_groups'][0].keys()))
