"""Metric learning on synthetic clustered data: an embedding net trained with a triplet loss on
batch-hard mined triplets (cdist + masks), a contrastive variant with CosineEmbeddingLoss and
MarginRankingLoss, a class-balanced batch Sampler, random_split with a seeded Generator,
retrieval recall@k via topk, k-means on the embeddings (cdist/argmin/index_add_/scatter_reduce)
and PCA explained variance via torch.pca_lowrank and torch.linalg.svd."""
import math
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset, Sampler, random_split


class ClusterDataset(Dataset):
    def __init__(self, n_per_class=40, num_classes=6, dim=16, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.centers = torch.randn(num_classes, dim, generator=g) * 2.0
        xs, ys = [], []
        for c in range(num_classes):
            scale = 1.6 + 0.2 * c
            xs.append(self.centers[c] + scale * torch.randn(n_per_class, dim, generator=g))
            ys.append(torch.full((n_per_class,), c, dtype=torch.long))
        self.x = torch.cat(xs)
        self.y = torch.cat(ys)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, idx):
        return self.x[idx], self.y[idx]


class BalancedBatchSampler(Sampler):
    """Yields batches of n_classes x n_samples indices (the P x K sampling of batch-hard triplet loss)."""

    def __init__(self, labels, n_classes, n_samples, seed=0):
        self.labels = labels
        self.classes = sorted(set(labels.tolist()))
        self.by_class = {c: torch.nonzero(labels == c).flatten().tolist() for c in self.classes}
        self.n_classes = n_classes
        self.n_samples = n_samples
        self.batch_size = n_classes * n_samples
        self.rng = random.Random(seed)

    def __iter__(self):
        pools = {c: self.rng.sample(idx, len(idx)) for c, idx in self.by_class.items()}
        for _ in range(len(self)):
            batch = []
            for c in self.rng.sample(self.classes, self.n_classes):
                if len(pools[c]) < self.n_samples:
                    pools[c] = self.rng.sample(self.by_class[c], len(self.by_class[c]))
                batch.extend(pools[c][:self.n_samples])
                pools[c] = pools[c][self.n_samples:]
            yield batch

    def __len__(self):
        return len(self.labels) // self.batch_size


class EmbeddingNet(nn.Module):
    def __init__(self, dim_in=16, dim_out=8):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim_in, 64), nn.BatchNorm1d(64), nn.PReLU(),
                                 nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, dim_out))

    def forward(self, x):
        return F.normalize(self.net(x), p=2, dim=1)


def batch_hard_triplets(emb, labels):
    dist = torch.cdist(emb, emb, p=2)
    same = labels.unsqueeze(0) == labels.unsqueeze(1)
    eye = torch.eye(len(labels), dtype=torch.bool)
    pos_mask = same & ~eye
    hardest_pos = dist.masked_fill(~pos_mask, float('-inf')).argmax(dim=1)
    hardest_neg = dist.masked_fill(same, float('inf')).argmin(dim=1)
    return hardest_pos, hardest_neg, dist


def recall_at_k(query, query_y, gallery, gallery_y, ks=(1, 5), exclude_self=False):
    sim = query @ gallery.T
    if exclude_self:
        sim.fill_diagonal_(-float('inf'))
    top = sim.topk(max(ks), dim=1).indices
    hits = gallery_y[top] == query_y.unsqueeze(1)
    return {k: hits[:, :k].any(dim=1).float().mean().item() for k in ks}


def kmeans(x, k, iters=10, seed=0):
    g = torch.Generator().manual_seed(seed)
    centroids = x[torch.randperm(len(x), generator=g)[:k]].clone()
    for it in range(iters):
        assign = torch.cdist(x, centroids).argmin(dim=1)
        sums = torch.zeros_like(centroids).index_add_(0, assign, x)
        counts = torch.bincount(assign, minlength=k).clamp(min=1).unsqueeze(1).float()
        new = sums / counts
        shift = (new - centroids).norm(dim=1).max().item()
        centroids = new
        if shift < 1e-4:
            break
    inertia = ((x - centroids[assign]) ** 2).sum().item()
    return assign, centroids, it + 1, inertia


torch.manual_seed(3)
dataset = ClusterDataset()
split_gen = torch.Generator().manual_seed(42)
train_set, val_set, test_set = random_split(dataset, [0.6, 0.2, 0.2], generator=split_gen)
print('split sizes', len(train_set), len(val_set), len(test_set), train_set.indices[:8])
train_labels = dataset.y[train_set.indices]
print('train class counts', torch.bincount(train_labels).tolist())

sampler = BalancedBatchSampler(train_labels, n_classes=4, n_samples=6, seed=1)
loader = DataLoader(train_set, batch_sampler=sampler)
print('batches per epoch', len(loader), 'batch size', sampler.batch_size)
first_x, first_y = next(iter(loader))
print('first batch labels', first_y.tolist())

model = EmbeddingNet()
print(model)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-5)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.5)
triplet = nn.TripletMarginLoss(margin=0.3, p=2)
cos_loss = nn.CosineEmbeddingLoss(margin=0.2)
rank_loss = nn.MarginRankingLoss(margin=0.1)

val_x = dataset.x[val_set.indices]
val_y = dataset.y[val_set.indices]
for epoch in range(8):
    model.train()
    totals = [0.0, 0.0, 0.0]
    active = 0
    for xb, yb in loader:
        emb = model(xb)
        pos, neg, dist = batch_hard_triplets(emb.detach(), yb)
        l_tri = triplet(emb, emb[pos], emb[neg])
        # pairs: (anchor, hardest positive) with target 1, (anchor, hardest negative) with -1
        a = torch.cat([emb, emb])
        b = torch.cat([emb[pos], emb[neg]])
        target = torch.cat([torch.ones(len(yb)), -torch.ones(len(yb))])
        l_cos = cos_loss(a, b, target)
        d_pos = F.pairwise_distance(emb, emb[pos])
        d_neg = F.pairwise_distance(emb, emb[neg])
        l_rank = rank_loss(d_neg, d_pos, torch.ones_like(d_pos))
        loss = l_tri + 0.5 * l_cos + 0.5 * l_rank
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        totals[0] += l_tri.item()
        totals[1] += l_cos.item()
        totals[2] += l_rank.item()
        active += (d_neg < d_pos + 0.3).sum().item()
    scheduler.step()
    model.eval()
    with torch.no_grad():
        ve = model(val_x)
    r = recall_at_k(ve, val_y, ve, val_y, exclude_self=True)
    n = len(loader)
    print(f'epoch {epoch}: triplet {totals[0] / n:.4f} cosine {totals[1] / n:.4f} ranking {totals[2] / n:.4f} '
          f'active {active} R@1 {r[1]:.3f} R@5 {r[5]:.3f} lr {scheduler.get_last_lr()[0]:.5f}')

print('PReLU weight', round(model.net[2].weight.item(), 6))
model.eval()
with torch.no_grad():
    train_emb = model(dataset.x[train_set.indices])
    test_x = dataset.x[test_set.indices]
    test_y = dataset.y[test_set.indices]
    test_emb = model(test_x)
print('embedding norms', test_emb.norm(dim=1)[:4])
recall = recall_at_k(test_emb, test_y, train_emb, train_labels, ks=(1, 3, 5))
print('test recall@k', {k: round(v, 4) for k, v in recall.items()})

# similarity structure
cos = F.cosine_similarity(test_emb.unsqueeze(1), test_emb.unsqueeze(0), dim=2)
same = test_y.unsqueeze(0) == test_y.unsqueeze(1)
off = ~torch.eye(len(test_y), dtype=torch.bool)
print(f'mean cosine: same class {cos[same & off].mean().item():.4f}, '
      f'different {cos[~same].mean().item():.4f}')
pd = F.pairwise_distance(test_emb[:5], test_emb[5:10])
print('pairwise distance', pd)
d = torch.cdist(test_emb, train_emb)
nn_idx = d.argmin(dim=1)
print('1-NN accuracy', (train_labels[nn_idx] == test_y).float().mean().item())
print('cdist p=1 vs p=2 shapes', torch.cdist(test_emb[:3], train_emb[:4], p=1).shape,
      torch.allclose(d[:3, :4], torch.cdist(test_emb[:3], train_emb[:4], p=2)))

# k-means on the train embeddings; purity via scatter_reduce
k = 6
assign, centroids, iters, inertia = kmeans(train_emb, k)
print(f'kmeans: {iters} iterations, inertia {inertia:.4f}, sizes {torch.bincount(assign, minlength=k).tolist()}')
majority = torch.zeros(k, 6, dtype=torch.long)
majority.index_put_((assign, train_labels), torch.ones_like(assign), accumulate=True)
purity = majority.max(dim=1).values.sum().item() / len(assign)
print('cluster/label table\n', majority)
print(f'purity {purity:.4f}')
max_dist = torch.zeros(k).scatter_reduce(0, assign, (train_emb - centroids[assign]).norm(dim=1),
                                         reduce='amax', include_self=False)
print('max distance to centroid', max_dist)
mean_dist = torch.zeros(k).scatter_reduce(0, assign, (train_emb - centroids[assign]).norm(dim=1),
                                          reduce='mean', include_self=False)
print('mean distance to centroid', mean_dist)

# PCA: only sign-independent quantities (explained variance, reconstruction error)
centered = train_emb - train_emb.mean(dim=0)
U, S, Vh = torch.linalg.svd(centered, full_matrices=False)
explained = S ** 2 / (S ** 2).sum()
print('explained variance ratio', explained.round(decimals=4))
print('cumulative', explained.cumsum(0)[:4].round(decimals=4))
proj2 = centered @ Vh[:2].T
recon = proj2 @ Vh[:2]
print(f'rank-2 reconstruction error {(centered - recon).pow(2).sum().item() / centered.pow(2).sum().item():.4f}')
torch.manual_seed(0)
U2, S2, V2 = torch.pca_lowrank(train_emb, q=4, center=True, niter=4)
print('pca_lowrank singular values', S2.round(decimals=4), torch.allclose(S2, S[:4], atol=1e-4))
print('variance of projections', (centered @ V2).var(dim=0).round(decimals=4))
