"""Assorted numerics: einsum, torch.linalg (solve, inv, svd), torch.fft.rfft,
topk/sort/unique, scatter_add/gather, where/masked_fill, cumsum, and printing under
torch.set_printoptions. Values from SVD/solve are rounded to 4 decimals: LAPACK
builds may differ in the last float32 digit."""
import torch

torch.manual_seed(0)
A = torch.randn(3, 4)
B = torch.randn(4, 5)
print(torch.einsum('ij,jk->ik', A, B).round(decimals=4))
print(torch.einsum('ii->', torch.eye(3) * 2), torch.einsum('i,j->ij', torch.arange(3.), torch.arange(2.)))
print(torch.einsum('bij,bjk->bik', torch.ones(2, 2, 3), torch.ones(2, 3, 1)).shape)

M = torch.tensor([[4., 1., 0.], [1., 3., 1.], [0., 1., 2.]], dtype=torch.float64)
b = torch.tensor([1., 2., 3.], dtype=torch.float64)
x = torch.linalg.solve(M, b)
print(x, torch.allclose(M @ x, b))
print(torch.linalg.inv(M).round(decimals=4))
U, S, Vh = torch.linalg.svd(A, full_matrices=False)
print(U.shape, S.shape, Vh.shape, S.round(decimals=4))
print(torch.dist(U @ torch.diag(S) @ Vh, A).item() < 1e-5)
print(torch.linalg.norm(A).round(decimals=4), torch.linalg.det(M).item())

sig = torch.cos(2 * torch.pi * 3 * torch.arange(16) / 16)
spec = torch.fft.rfft(sig)
print(spec.shape, spec.dtype)
print(spec.abs().round(decimals=3))
print(torch.fft.irfft(spec, n=16).sub(sig).abs().max().item() < 1e-5)

v = torch.tensor([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5])
print(torch.topk(v, 2))  # no ties: torch breaks ties in topk by its selection algorithm
print(torch.sort(v, descending=True, stable=True))
print(torch.unique(v, return_counts=True))
print(torch.unique(v, sorted=True, return_inverse=True)[1])
print(v.argsort(stable=True), v.kthvalue(4))

idx = torch.tensor([0, 1, 0, 2, 1])
src = torch.tensor([1., 2., 3., 4., 5.])
print(torch.zeros(3).scatter_add(0, idx, src))
print(torch.zeros(3).index_add(0, idx, src), torch.bincount(idx, weights=src))
g = torch.arange(12.).view(3, 4)
print(torch.gather(g, 1, torch.tensor([[0, 3], [1, 1], [2, 0]])))
print(torch.where(g > 5, g, -g))
print(g.masked_fill(g % 3 == 0, float('nan')))
print(torch.cumsum(torch.arange(1, 6), 0), torch.cumprod(torch.tensor([1., 2., 3.]), 0))
print(torch.logcumsumexp(torch.tensor([0., 1., 2.]), 0))

torch.set_printoptions(precision=2)
print(torch.randn(2, 3) * 1000)
torch.set_printoptions(precision=6, sci_mode=True)
print(torch.tensor([1e-8, 1.0, 12345.678]))
torch.set_printoptions(profile='short')
print(torch.arange(2000.).view(40, 50))
torch.set_printoptions(profile='default')
print(torch.linspace(0, 1, 5), torch.tensor([1e10, 1e-10]))
print(torch.arange(1200))
