"""Tabular binary classification with mixed features: categorical columns through an
nn.ModuleDict of embeddings and a one-hot column, continuous columns standardised and binned
with torch.bucketize, an imbalanced target handled by BCEWithLogitsLoss(pos_weight=...) and a
WeightedRandomSampler, TensorDataset + random_split with a seeded Generator, a warm-up then
cosine schedule (SequentialLR of LinearLR and CosineAnnealingLR), AdamW with amsgrad, early
stopping on validation AUC, a checkpoint dict (model, optimizer, scheduler, RNG state) saved to
BytesIO and resumed bit-for-bit, and precision / recall / ROC-AUC computed with tensor ops."""
import io

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset, WeightedRandomSampler, random_split

torch.set_num_threads(1)   # tiny tensors: extra threads only add overhead
torch.manual_seed(0)
N = 600
cards = {'city': 5, 'device': 3}
cat = torch.stack([torch.randint(0, c, (N,)) for c in cards.values()], dim=1)
plan = torch.randint(0, 4, (N,))                        # one-hot encoded
num = torch.randn(N, 3) * torch.tensor([1.0, 10.0, 0.1]) + torch.tensor([0.0, 50.0, 1.0])
score = 1.2 * num[:, 0] + 0.08 * (num[:, 1] - 50) + (cat[:, 0] == 2).float() * 1.5 \
    + (plan == 3).float() - 2.6
y = (score + 0.5 * torch.randn(N) > 0).float()
print(f'positives {int(y.sum())}/{N} ({y.mean().item():.1%})')
age_bins = torch.tensor([-1.0, 0.0, 1.0])
print('bucketize', torch.bucketize(torch.tensor([-2.0, -1.0, 0.5, 3.0]), age_bins).tolist(),
      torch.bucketize(torch.tensor([-1.0, 0.0]), age_bins, right=True).tolist())

full = TensorDataset(cat, plan, num, y)
train_set, val_set, test_set = random_split(full, [0.7, 0.15, 0.15],
                                            generator=torch.Generator().manual_seed(42))
print('split', len(train_set), len(val_set), len(test_set), train_set.indices[:5])
tr_idx = torch.tensor(train_set.indices)
mu, sigma = num[tr_idx].mean(0), num[tr_idx].std(0)
print('mean', mu.round(decimals=2), 'std', sigma.round(decimals=2))

y_tr = y[tr_idx]
counts = torch.bincount(y_tr.long(), minlength=2)
sample_w = (1.0 / counts.float())[y_tr.long()]
sampler = WeightedRandomSampler(sample_w, num_samples=len(train_set), replacement=True,
                                generator=torch.Generator().manual_seed(1))
train_loader = DataLoader(train_set, batch_size=64, sampler=sampler, drop_last=True)
val_loader = DataLoader(val_set, batch_size=128)
print('class counts', counts.tolist(), 'batches', len(train_loader), len(val_loader))


class TabularNet(nn.Module):
    def __init__(self, cards, n_plan=4, n_num=3, hidden=32):
        super().__init__()
        self.emb = nn.ModuleDict({k: nn.Embedding(c, min(4, (c + 1) // 2)) for k, c in cards.items()})
        self.n_plan = n_plan
        d = sum(e.embedding_dim for e in self.emb.values()) + n_plan + n_num + len(age_bins) + 1
        self.register_buffer('mu', mu)
        self.register_buffer('sigma', sigma)
        self.mlp = nn.Sequential(nn.Linear(d, hidden, bias=False), nn.BatchNorm1d(hidden), nn.SiLU(),
                                 nn.Dropout(0.1), nn.Linear(hidden, 1))

    def forward(self, cat, plan, num):
        embs = [self.emb[k](cat[:, i]) for i, k in enumerate(self.emb.keys())]
        z = (num - self.mu) / self.sigma
        # z[:, 0] is a strided column: torch warns (once) that bucketize copies it
        bins = F.one_hot(torch.bucketize(z[:, 0], age_bins), len(age_bins) + 1).float()
        x = torch.cat(embs + [F.one_hot(plan, self.n_plan).float(), z, bins], dim=1)
        return self.mlp(x).squeeze(1)


def roc_auc(scores, labels):
    order = scores.argsort(descending=True)
    l = labels[order]
    tps, fps = l.cumsum(0), (1 - l).cumsum(0)
    tpr, fpr = tps / tps[-1], fps / fps[-1]
    return torch.trapezoid(torch.cat([tpr.new_zeros(1), tpr]), torch.cat([fpr.new_zeros(1), fpr])).item()


def evaluate(model, loader):
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(c, p, x) for c, p, x, _ in loader])
        labels = torch.cat([t for *_, t in loader])
    pred = (logits.sigmoid() > 0.5).float()
    tp = (pred * labels).sum()
    precision = (tp / pred.sum().clamp(min=1)).item()
    recall = (tp / labels.sum()).item()
    return roc_auc(logits, labels), precision, recall


def make(seed=3):
    torch.manual_seed(seed)
    model = TabularNet(cards)
    opt = torch.optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.01, amsgrad=True)
    warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.2, total_iters=3)
    cos = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=12)
    sched = torch.optim.lr_scheduler.SequentialLR(opt, [warm, cos], milestones=[3])
    return model, opt, sched


model, opt, sched = make()
print(model.emb)
crit = nn.BCEWithLogitsLoss(pos_weight=counts[0] / counts[1])
print('pos_weight', crit.pos_weight)


def train_epoch(model, opt, sched):
    model.train()
    total = 0.0
    for c, p, x, t in train_loader:
        loss = crit(model(c, p, x), t)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item()
    sched.step()
    return total / len(train_loader)


best_auc, best_state, wait, patience = 0.0, None, 0, 4
for epoch in range(15):
    loss = train_epoch(model, opt, sched)
    auc, prec, rec = evaluate(model, val_loader)
    print(f'epoch {epoch:2d} loss {loss:.4f} val auc {auc:.4f} precision {prec:.3f} '
          f'recall {rec:.3f} lr {sched.get_last_lr()[0]:.5f}')
    if auc > best_auc + 1e-4:
        best_auc, wait = auc, 0
        buf = io.BytesIO()
        torch.save({'epoch': epoch, 'model': model.state_dict(), 'optimizer': opt.state_dict(),
                    'scheduler': sched.state_dict(), 'rng': torch.get_rng_state(),
                    'sampler_rng': sampler.generator.get_state()}, buf)
        best_state = buf.getvalue()
    else:
        wait += 1
        if wait >= patience:
            print(f'early stopping at epoch {epoch}, best val auc {best_auc:.4f}')
            break

ckpt = torch.load(io.BytesIO(best_state), weights_only=False)
print('checkpoint', sorted(ckpt), 'epoch', ckpt['epoch'])
print('optimizer state keys', sorted(ckpt['optimizer']['state'][0]), ckpt['optimizer']['param_groups'][0]['amsgrad'])
print('scheduler', sorted(ckpt['scheduler'])[:4], ckpt['scheduler']['last_epoch'])
# resume twice from the checkpoint: both runs continue identically. Each resume loads the bytes
# again: Optimizer.load_state_dict keeps the loaded state tensors (no copy), so a second resume from
# the same dict would start from the first resume's updated moments.
results = []
for _ in range(2):
    ckpt = torch.load(io.BytesIO(best_state), weights_only=False)
    m2, o2, s2 = make(seed=99)
    m2.load_state_dict(ckpt['model'])
    o2.load_state_dict(ckpt['optimizer'])
    s2.load_state_dict(ckpt['scheduler'])
    torch.set_rng_state(ckpt['rng'])
    sampler.generator.set_state(ckpt['sampler_rng'])
    shared = o2.state[m2.mlp[0].weight]['exp_avg'] is ckpt['optimizer']['state'][2]['exp_avg']
    results.append((train_epoch(m2, o2, s2), m2.mlp[0].weight.detach().clone()))
print('resumed runs agree', results[0][0] == results[1][0], torch.equal(results[0][1], results[1][1]),
      'state shared with the checkpoint', shared)
model.load_state_dict(ckpt['model'])
auc, prec, rec = evaluate(model, DataLoader(test_set, batch_size=256))
print(f'test auc {auc:.3f} precision {prec:.3f} recall {rec:.3f}')
