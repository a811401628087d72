"""A data pipeline: a custom map-style Dataset, random_split with a seeded generator,
WeightedRandomSampler for class balance, a custom collate_fn padding variable-length
items, and DataLoader with num_workers=2."""
import torch
from torch.utils.data import DataLoader, Dataset, WeightedRandomSampler, random_split


class Sequences(Dataset):
    """Variable-length integer sequences with an imbalanced binary label."""

    def __init__(self, n):
        g = torch.Generator().manual_seed(42)
        self.lengths = torch.randint(2, 7, (n,), generator=g)
        self.items = [torch.randint(0, 50, (int(k),), generator=g) for k in self.lengths]
        self.labels = (torch.rand(n, generator=g) < 0.2).long()

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i], self.labels[i]


def pad_collate(batch):
    seqs, labels = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs])
    out = torch.zeros(len(seqs), int(lengths.max()), dtype=torch.long)
    for row, s in enumerate(seqs):
        out[row, :len(s)] = s
    return out, lengths, torch.stack(labels)


if __name__ == '__main__':
    torch.manual_seed(0)
    ds = Sequences(40)
    print(len(ds), ds[0])
    train, val = random_split(ds, [0.75, 0.25], generator=torch.Generator().manual_seed(1))
    print(len(train), len(val), sorted(val.indices)[:5])
    counts = torch.bincount(ds.labels)
    print('class counts', counts.tolist())
    train_labels = ds.labels[train.indices]
    weights = (1.0 / counts.double())[train_labels]
    sampler = WeightedRandomSampler(weights, num_samples=60, replacement=True,
                                    generator=torch.Generator().manual_seed(2))
    drawn = list(iter(sampler))
    print('sampler drew', drawn[:10], 'positives', int(train_labels[drawn].sum()))
    loader = DataLoader(train, batch_size=8, sampler=sampler, collate_fn=pad_collate,
                        num_workers=2)
    print(len(loader), 'batches')
    seen = 0
    for xb, lb, yb in loader:
        seen += len(yb)
    print('seen', seen)
    ordered = DataLoader(val, batch_size=4, collate_fn=pad_collate, num_workers=2)
    xb, lb, yb = next(iter(ordered))
    print(xb)
    print(lb, yb)
    plain = DataLoader(train, batch_size=5, shuffle=True, collate_fn=pad_collate,
                       generator=torch.Generator().manual_seed(3), drop_last=True)
    print([tuple(x.shape) for x, _, _ in plain])
    total = sum(int(y.sum()) for _, _, y in DataLoader(val, batch_size=3, collate_fn=pad_collate))
    print('val positives', total)
