"""Regression with an nn.Module subclass: MSELoss, SGD with Nesterov momentum,
ReduceLROnPlateau, early stopping on a validation split, state_dict save/load through
torch.save/torch.load in a temporary directory, model.eval and torch.no_grad inference."""
import os
import tempfile

import torch
import torch.nn as nn


class MLP(nn.Module):
    def __init__(self, d_in, hidden=16):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Dropout(0.1),
                                 nn.Linear(hidden, 1))

    def forward(self, x):
        return self.net(x).squeeze(-1)


torch.set_num_threads(1)   # tiny tensors: extra threads only add overhead
torch.manual_seed(0)
X = torch.randn(200, 3)
true_w = torch.tensor([1.5, -2.0, 0.5])
y = X @ true_w + 0.3 * torch.sin(3 * X[:, 0]) + 0.1 * torch.randn(200)
Xtr, ytr, Xva, yva = X[:150], y[:150], X[150:], y[150:]
mean, std = Xtr.mean(0), Xtr.std(0)
Xtr, Xva = (Xtr - mean) / std, (Xva - mean) / std
print('feature std', std.round(decimals=3))

model = MLP(3)
print(model)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode='min', factor=0.5, patience=2)
crit = nn.MSELoss()
best, bad, patience = float('inf'), 0, 5
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, 'best.pt')
    for epoch in range(60):
        model.train()
        perm = torch.randperm(150)
        for i in range(0, 150, 30):
            idx = perm[i:i + 30]
            loss = crit(model(Xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            val = crit(model(Xva), yva).item()
        sched.step(val)
        if val < best - 1e-4:
            best, bad = val, 0
            torch.save({'epoch': epoch, 'model': model.state_dict(), 'opt': opt.state_dict()}, path)
        else:
            bad += 1
        if epoch % 5 == 0:
            print(f'epoch {epoch:2d} val {val:.4f} lr {opt.param_groups[0]["lr"]:.4f}')
        if bad >= patience:
            print(f'early stop at epoch {epoch}')
            break
    ckpt = torch.load(path)
    print('best epoch', ckpt['epoch'], sorted(ckpt['model'].keys()))
    print(list(ckpt['opt']['state'].keys()), ckpt['opt']['param_groups'][0]['nesterov'])
    fresh = MLP(3)
    print(fresh.load_state_dict(ckpt['model']))
fresh.eval()
with torch.no_grad():
    pred = fresh(Xva)
    print(f'val mse {nn.functional.mse_loss(pred, yva).item():.4f} (best {best:.4f})')
    print(pred[:4].round(decimals=3), pred.requires_grad)
print(fresh.training, fresh.net[2].training)
