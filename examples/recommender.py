"""Neural collaborative filtering on synthetic implicit feedback: user/item embeddings with
biases (sparse gradients through SparseAdam), an MLP tower with BatchNorm and Dropout,
negative sampling, BCEWithLogitsLoss, leave-one-out hit rate@k, and a state_dict round trip
through an in-memory buffer."""
import io

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(42)
num_users, num_items, dim = 60, 40, 8

# synthetic taste: users and items live in a 3-d latent space; a user likes the items closest to it
user_lat = torch.randn(num_users, 3)
item_lat = torch.randn(num_items, 3)
affinity = user_lat @ item_lat.T + 0.3 * torch.randn(num_users, num_items)
liked = affinity > affinity.quantile(0.75, dim=1, keepdim=True)
print('interactions per user', liked.sum(1)[:10].tolist(), 'total', int(liked.sum()))

# leave one out: each user's highest-affinity liked item is held out for testing
test_items = torch.where(liked, affinity, torch.full_like(affinity, -float('inf'))).argmax(dim=1)
train_mask = liked.clone()
train_mask[torch.arange(num_users), test_items] = False
users, items = train_mask.nonzero(as_tuple=True)
print('train pairs', users.shape[0], 'first', list(zip(users[:4].tolist(), items[:4].tolist())))


class NCF(nn.Module):
    def __init__(self, n_users, n_items, dim, hidden=(16, 8), dropout=0.2):
        super().__init__()
        self.user_emb = nn.Embedding(n_users, dim, sparse=True)
        self.item_emb = nn.Embedding(n_items, dim, sparse=True)
        self.user_bias = nn.Embedding(n_users, 1, sparse=True)
        self.item_bias = nn.Embedding(n_items, 1, sparse=True)
        layers, d = [], 2 * dim
        for h in hidden:
            # no bias before BatchNorm: it would be cancelled (and its gradient is rounding noise)
            layers += [nn.Linear(d, h, bias=False), nn.BatchNorm1d(h), nn.ReLU(), nn.Dropout(dropout)]
            d = h
        self.mlp = nn.Sequential(*layers)
        self.out = nn.Linear(d + dim, 1)
        nn.init.normal_(self.user_emb.weight, std=0.1)
        nn.init.normal_(self.item_emb.weight, std=0.1)
        nn.init.zeros_(self.user_bias.weight)
        nn.init.zeros_(self.item_bias.weight)

    def forward(self, u, i):
        pu, qi = self.user_emb(u), self.item_emb(i)
        gmf = pu * qi                                   # generalized matrix factorisation branch
        mlp = self.mlp(torch.cat([pu, qi], dim=-1))
        logit = self.out(torch.cat([gmf, mlp], dim=-1)).squeeze(-1)
        return logit + self.user_bias(u).squeeze(-1) + self.item_bias(i).squeeze(-1)


model = NCF(num_users, num_items, dim)
print(model)
sparse_params = [p for n, p in model.named_parameters() if 'emb' in n or 'bias.weight' in n and 'user' in n
                 or n.startswith('item_bias')]
dense_params = [p for n, p in model.named_parameters() if all(p is not q for q in sparse_params)]
print(len(sparse_params), 'sparse tensors,', len(dense_params), 'dense tensors')
opt_sparse = torch.optim.SparseAdam(sparse_params, lr=0.02)
opt_dense = torch.optim.Adam(dense_params, lr=0.01, weight_decay=1e-5)
criterion = nn.BCEWithLogitsLoss()

loader = DataLoader(TensorDataset(users, items), batch_size=64, shuffle=True, drop_last=True)
print('batches per epoch', len(loader))
num_neg = 2


def hit_rate(model, k=5):
    model.eval()
    with torch.no_grad():
        all_items = torch.arange(num_items)
        scores = torch.stack([model(torch.full((num_items,), u, dtype=torch.long), all_items)
                              for u in range(num_users)])
        scores = scores.masked_fill(train_mask, -float('inf'))   # rank unseen items only
        topk = scores.topk(k, dim=1).indices
        hits = (topk == test_items.unsqueeze(1)).any(dim=1)
        ranks = scores.argsort(dim=1, descending=True)
        pos = torch.where(ranks == test_items.unsqueeze(1))[1]
        in_top = torch.isin(test_items, topk[:10].flatten())
    model.train()
    return hits.float().mean().item(), pos.float().mean().item(), in_top.sum().item()


hr, mean_rank, _ = hit_rate(model)
print(f'before training: HR@5 {hr:.3f} mean rank {mean_rank:.2f}')
for epoch in range(6):
    total, n = 0.0, 0
    for u, i_pos in loader:
        i_neg = torch.randint(0, num_items, (u.shape[0] * num_neg,))
        u_all = torch.cat([u, u.repeat(num_neg)])
        i_all = torch.cat([i_pos, i_neg])
        labels = torch.cat([torch.ones(u.shape[0]), torch.zeros(u.shape[0] * num_neg)])
        logits = model(u_all, i_all)
        loss = criterion(logits, labels)
        opt_sparse.zero_grad()
        opt_dense.zero_grad()
        loss.backward()
        opt_sparse.step()
        opt_dense.step()
        total += loss.item() * labels.shape[0]
        n += labels.shape[0]
    hr, mean_rank, top10 = hit_rate(model)
    print(f'epoch {epoch}: loss {total / n:.4f} last {loss.item():.6f} HR@5 {hr:.3f} '
          f'mean rank {mean_rank:.2f} top10-hits {top10}')

print(model.user_emb.weight.grad.is_sparse, model.user_emb.weight.grad._nnz(),
      model.out.weight.grad.layout)
print('item bias', model.item_bias.weight[:5].squeeze(1))
print(model.mlp[1].running_mean, model.mlp[1].num_batches_tracked)

# checkpoint round trip
buffer = io.BytesIO()
torch.save({'model': model.state_dict(), 'opt_dense': opt_dense.state_dict(), 'epoch': 6}, buffer)
buffer.seek(0)
ckpt = torch.load(buffer, weights_only=True)
print(sorted(ckpt['model'].keys())[:6], ckpt['epoch'], len(ckpt['opt_dense']['state']))
restored = NCF(num_users, num_items, dim)
result = restored.load_state_dict(ckpt['model'], strict=True)
print(result)
restored.eval()
model.eval()
vec = nn.utils.parameters_to_vector(model.parameters())
print(vec.shape, torch.equal(vec, nn.utils.parameters_to_vector(restored.parameters())))
u = torch.tensor([0, 1, 2, 3])
i = torch.tensor([5, 6, 7, 8])
with torch.no_grad():
    print(torch.sigmoid(model(u, i)), torch.equal(model(u, i), restored(u, i)))
try:
    restored.load_state_dict({k: v for k, v in ckpt['model'].items() if 'bias' not in k})
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])
bad = dict(ckpt['model'], extra=torch.zeros(1))
print(restored.load_state_dict(bad, strict=False))
