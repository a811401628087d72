"""Bugs found by running public-style PyTorch code from further domains (kornia-style image ops,
detection and segmentation utilities, tabular Kaggle loops, speech front ends and CTC, text
classification, tensor utilities, numerical code) under faketorch with `python -m compat diff`:
one case per fix."""
from conformance import case


# kornia's warp_perspective: create_meshgrid(...).permute(...).repeat(B, 1, 1, 1) then .view(B, -1, 2);
# repeat with every count 1 kept the permuted layout (np.tile copies in the input's order), so the view
# raised. torch's repeat always returns a contiguous tensor
@case('torch.Tensor.repeat')
def repeat_ones_contiguous(torch):
    b = torch.arange(12.).view(3, 2, 2).permute(1, 0, 2).unsqueeze(0)
    r = b.repeat(1, 1, 1, 1)
    t = torch.arange(6).view(2, 3).t().tile((1, 1))
    return r.stride(), r.is_contiguous(), r.view(1, -1, 2), t.stride(), t.view(-1)


# recommender code trains nn.EmbeddingBag(..., sparse=True) with SparseAdam: faketorch's embedding_bag
# ignored sparse and gave a dense gradient (SparseAdam then refused it); torch's is a sparse COO tensor
# with one uncoalesced row per looked-up index, padding rows left out
@case('torch.nn.functional.embedding_bag')
def sparse_gradient(torch):
    F = torch.nn.functional
    out = []
    for mode, kw in [('mean', {}), ('sum', {'padding_idx': 2}), ('sum', {'per_sample_weights': True})]:
        w = torch.randn(6, 3, requires_grad=True)
        if kw.get('per_sample_weights'):
            kw = {'per_sample_weights': torch.tensor([1., 2., 3., 4., 5.])}
        r = F.embedding_bag(torch.tensor([1, 2, 3, 2, 5]), w, torch.tensor([0, 2]), mode=mode, sparse=True, **kw)
        (r * torch.arange(6.).view(2, 3)).sum().backward()
        out.append((w.grad.layout, w.grad._indices(), w.grad._values(), w.grad.to_dense()))
    bag = torch.nn.EmbeddingBag(5, 2, sparse=True)
    opt = torch.optim.SparseAdam(bag.parameters(), lr=0.1)
    bag(torch.tensor([[1, 4], [4, 0]])).sum().backward()
    opt.step()
    return out, bag.weight
