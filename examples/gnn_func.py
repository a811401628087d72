"""A graph convolutional network and per-sample gradients.
Part 1: a 2-layer GCN on a small two-community graph, with symmetric degree normalisation
built three ways -- index_add_ message passing, scatter_add over an edge list and a
torch.sparse_coo_tensor adjacency with torch.sparse.mm -- checked to agree, then trained with
masked node classification. Part 2: per-sample gradients of a small MLP with torch.func
(functional_call, grad, vmap over the batch), checked against a Python loop of backward calls,
and a per-sample-clipped (DP-SGD style) update."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.func import functional_call, grad, vmap

torch.set_num_threads(1)   # tiny tensors: extra threads only add overhead
torch.manual_seed(0)
n_nodes, n_feat, n_cls = 12, 5, 2
labels = torch.tensor([0] * 6 + [1] * 6)
# two 6-cliques' rings with a couple of chords and one bridge edge between them
edges = [(i, (i + 1) % 6) for i in range(6)] + [(6 + i, 6 + (i + 1) % 6) for i in range(6)]
edges += [(0, 3), (1, 4), (6, 9), (7, 10), (2, 8)]
src = torch.tensor([a for a, b in edges] + [b for a, b in edges])
dst = torch.tensor([b for a, b in edges] + [a for a, b in edges])
loops = torch.arange(n_nodes)
src, dst = torch.cat([src, loops]), torch.cat([dst, loops])
edge_index = torch.stack([src, dst])
print('edge_index', tuple(edge_index.shape), edge_index.dtype)
deg = torch.zeros(n_nodes).index_add_(0, dst, torch.ones(dst.numel()))
print('degrees', deg.long().tolist())
norm = deg[src].rsqrt() * deg[dst].rsqrt()
x = torch.randn(n_nodes, n_feat) + labels.unsqueeze(1).float() * 0.8


def propagate_index_add(h):
    return torch.zeros_like(h).index_add_(0, dst, h[src] * norm.unsqueeze(1))


def propagate_scatter(h):
    index = dst.unsqueeze(1).expand(-1, h.size(1))
    return torch.zeros_like(h).scatter_add_(0, index, h[src] * norm.unsqueeze(1))


adj = torch.sparse_coo_tensor(torch.stack([dst, src]), norm, (n_nodes, n_nodes)).coalesce()
print(adj.layout, adj.is_coalesced(), adj._nnz(), adj.to_dense().sum().round(decimals=4))


def propagate_sparse(h):
    return torch.sparse.mm(adj, h)


a, b, c = propagate_index_add(x), propagate_scatter(x), propagate_sparse(x)
print('agree', torch.allclose(a, b, atol=1e-6), torch.allclose(a, c, atol=1e-6))


class GCN(nn.Module):
    def __init__(self, d_in, d_hidden, d_out, propagate):
        super().__init__()
        self.lin1 = nn.Linear(d_in, d_hidden)
        self.lin2 = nn.Linear(d_hidden, d_out)
        self.propagate = propagate

    def forward(self, x):
        h = F.relu(self.propagate(self.lin1(x)))
        h = F.dropout(h, p=0.3, training=self.training)
        return self.propagate(self.lin2(h))


train_mask = torch.zeros(n_nodes, dtype=torch.bool)
train_mask[[0, 1, 6, 7]] = True
model = GCN(n_feat, 8, n_cls, propagate_sparse)
opt = torch.optim.Adam(model.parameters(), lr=0.05, weight_decay=5e-4)
for epoch in range(40):
    model.train()
    out = model(x)
    loss = F.cross_entropy(out[train_mask], labels[train_mask])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if epoch % 10 == 0 or epoch == 39:
        model.eval()
        with torch.no_grad():
            pred = model(x).argmax(1)
        acc = (pred[~train_mask] == labels[~train_mask]).float().mean().item()
        print(f'epoch {epoch:2d} loss {loss.item():.4f} test acc {acc:.3f}')
print('predictions', pred.tolist())
print('grad of sparse values flows to lin1:', model.lin1.weight.grad.abs().sum().item() > 0)

# --- per-sample gradients with torch.func ---
torch.manual_seed(1)
net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
params = {k: v.detach() for k, v in net.named_parameters()}
buffers = {k: v.detach() for k, v in net.named_buffers()}
X, Y = torch.randn(6, 3), torch.randn(6, 1)


def sample_loss(params, buffers, xi, yi):
    pred = functional_call(net, (params, buffers), (xi.unsqueeze(0),))
    return F.mse_loss(pred, yi.unsqueeze(0))


per_sample = vmap(grad(sample_loss), in_dims=(None, None, 0, 0))(params, buffers, X, Y)
print({k: tuple(v.shape) for k, v in per_sample.items()})
loop = []
for i in range(len(X)):
    net.zero_grad()
    F.mse_loss(net(X[i:i + 1]), Y[i:i + 1]).backward()
    loop.append(net[0].weight.grad.clone())
print('matches loop', torch.allclose(per_sample['0.weight'], torch.stack(loop), atol=1e-6))
print('mean equals batch gradient', torch.allclose(per_sample['2.bias'].mean(0),
                                                   grad(lambda p: F.mse_loss(
                                                       functional_call(net, p, (X,)), Y))(params)['2.bias'],
                                                   atol=1e-6))
# DP-SGD: clip each sample's whole gradient to norm 1, average, add no noise here
flat = torch.cat([g.reshape(len(X), -1) for g in per_sample.values()], dim=1)
norms = flat.norm(dim=1)
print('per-sample norms', norms.round(decimals=4))
scale = (1.0 / (norms + 1e-6)).clamp(max=1.0)
clipped = {k: (g * scale.view(-1, *[1] * (g.dim() - 1))).mean(0) for k, g in per_sample.items()}
with torch.no_grad():
    for name, p in net.named_parameters():
        p -= 0.1 * clipped[name]
print('after step', F.mse_loss(net(X), Y).item().__round__(4))
