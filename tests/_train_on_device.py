"""A typical training script (conv, BatchNorm, DataLoader, AdamW, StepLR, GradScaler, clip_grad_norm_,
save/load with map_location); the device comes from argv. tests/test_cuda_emulated.py runs it on the
CPU and on the CuPy stand-in and wants the same output."""
import io
import sys

import faketorch as torch
import faketorch.nn as nn
import faketorch.nn.functional as F
from faketorch.utils.data import DataLoader, TensorDataset

device = torch.device(sys.argv[1])
torch.manual_seed(0)
X = torch.randn(256, 1, 12, 12)
y = (X.mean((1, 2, 3)) > 0).long() + (X[:, 0, 0, 0] > 1).long()
loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(1))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(4 * 6 * 6, 16), nn.ReLU(), nn.Linear(16, 3))

    def forward(self, x):
        return self.fc(F.max_pool2d(F.relu(self.bn(self.conv(x))), 2))


model = Net().to(device)
opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1e-2)
sched = torch.optim.lr_scheduler.StepLR(opt, 2, 0.5)
scaler = torch.amp.GradScaler(device.type, enabled=device.type == 'cuda')
for epoch in range(3):
    model.train()
    total = 0.0
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device, non_blocking=True)
        opt.zero_grad(set_to_none=True)
        with torch.autocast(device.type, enabled=False):
            loss = F.cross_entropy(model(xb), yb, label_smoothing=0.1)
        scaler.scale(loss).backward()
        scaler.unscale_(opt)
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(opt)
        scaler.update()
        total += loss.item() * xb.size(0)
    sched.step()
    model.eval()
    with torch.no_grad():
        logits = model(X.to(device))
        acc = (logits.argmax(1) == y.to(device)).float().mean().item()
    print(f'epoch {epoch} loss {total / len(X):.5f} acc {acc:.4f} lr {sched.get_last_lr()[0]:.4g}')
buf = io.BytesIO()
torch.save(model.state_dict(), buf)
buf.seek(0)
sd = torch.load(buf, map_location='cpu')
print('checksum', sum(float(v.double().sum()) for v in sd.values()), sd['conv.weight'].device)
print(model(X[:2].to(device)).detach().cpu().numpy().round(4).tolist())
