"""Sorting and order statistics: sort (stable, descending, NaN), argsort, topk, kthvalue, median,
mode, quantile, unique(_consecutive), searchsorted, bucketize, bincount, histc, histogram."""
from conformance import case, check


def _v(torch, grad=False):
    return torch.tensor([[3., 1., 4., 1.5, 5.], [9., 2., 6., 5.5, 3.5]], requires_grad=grad)


def _back(torch, fn):
    x = _v(torch, True)
    y = fn(x)
    vals = y[0] if isinstance(y, tuple) else y
    (vals * torch.arange(vals.numel(), dtype=vals.dtype).reshape(vals.shape)).sum().backward()
    return y, x.grad, vals.grad_fn.name()


check('torch.sort', lambda torch: _back(torch, lambda x: torch.sort(x)))
check('torch.sort', lambda torch: _back(torch, lambda x: torch.sort(x, dim=0, descending=True)), name='descending')
check('torch.sort', lambda torch: torch.sort(torch.tensor([2, 1, 2, 1, 2, 0]), stable=True), name='stable')
check('torch.sort', lambda torch: torch.sort(torch.tensor([2, 1, 2, 1, 2, 0]), descending=True, stable=True),
      name='stable_descending')
check('torch.sort', lambda torch: torch.sort(torch.tensor([1., float('nan'), -1., float('inf')])), name='nan')
check('torch.sort', lambda torch: torch.sort(torch.tensor([1., float('nan'), -1.]), descending=True),
      name='nan_descending')
check('torch.sort', lambda torch: torch.sort(torch.tensor(3.)), name='scalar')
check('Tensor.sort', lambda torch: _v(torch).sort(1, True).indices)
check('torch.sort', lambda torch: torch.sort(torch.ones(3), dim=1), name='bad_dim')
check('torch.argsort', lambda torch: (torch.argsort(_v(torch)), torch.argsort(_v(torch), dim=0, descending=True)))
check('torch.argsort', lambda torch: torch.argsort(torch.tensor([3, 1, 3, 1]), stable=True), name='stable')
check('torch.msort', lambda torch: torch.msort(_v(torch)))
check('torch.topk', lambda torch: _back(torch, lambda x: torch.topk(x, 2)))
check('torch.topk', lambda torch: _back(torch, lambda x: x.topk(2, dim=0, largest=False)), name='smallest')
check('torch.topk', lambda torch: torch.topk(torch.tensor([1., 5., float('nan'), 3.]), 2), name='nan')
check('torch.topk', lambda torch: torch.topk(_v(torch), 6), name='k_too_big')
check('torch.topk', lambda torch: torch.topk(_v(torch), 3, sorted=True).values, name='sorted')
check('torch.kthvalue', lambda torch: _back(torch, lambda x: torch.kthvalue(x, 2)))
check('torch.kthvalue', lambda torch: torch.kthvalue(_v(torch), 1, 0, keepdim=True), name='keepdim')
check('torch.kthvalue', lambda torch: torch.kthvalue(_v(torch), 6), name='k_out_of_range')
check('torch.median', lambda torch: _back(torch, lambda x: torch.median(x)), name='all')
check('torch.median', lambda torch: _back(torch, lambda x: torch.median(x, 1)), name='dim')
check('torch.median', lambda torch: torch.median(torch.tensor([1., float('nan'), 3.])), name='nan')
check('torch.median', lambda torch: torch.median(torch.tensor([4., 1., 3., 2.]), 0, keepdim=True), name='even')
check('torch.median', lambda torch: torch.median(torch.tensor([])), name='empty')
check('torch.nanmedian', lambda torch: (torch.nanmedian(torch.tensor([1., float('nan'), 3., 2.])),
                                        torch.nanmedian(torch.tensor([[float('nan'), 1.], [2., 3.]]), 1)))
check('torch.mode', lambda torch: _back(torch, lambda x: torch.mode(x.round(), 1)))
check('torch.mode', lambda torch: torch.mode(torch.tensor([[1, 2, 2, 3, 3], [4, 4, 1, 1, 0]])), name='int_ties')
check('torch.mode', lambda torch: torch.mode(torch.tensor([1., 2., 2.]), 0, keepdim=True), name='keepdim')
check('torch.quantile', lambda torch: _back(torch, lambda x: torch.quantile(x, 0.3)))
check('torch.quantile', lambda torch: _back(torch, lambda x: torch.quantile(x, torch.tensor([0.25, 0.5, 1.]), dim=1,
                                                                           keepdim=True)), name='tensor_q')
for _m in ('lower', 'higher', 'midpoint', 'nearest'):
    check('torch.quantile', lambda torch, m=_m: torch.quantile(_v(torch), torch.tensor([0.1, 0.55]), 1,
                                                               interpolation=m), name=_m)
check('torch.quantile', lambda torch: torch.quantile(torch.tensor([1., float('nan'), 2.]), 0.5), name='nan')
check('torch.quantile', lambda torch: torch.quantile(torch.tensor([1, 2]), 0.5), name='int_error')
check('torch.quantile', lambda torch: torch.quantile(torch.tensor([1., 2.]), 1.5), name='q_range')
check('torch.nanquantile', lambda torch: torch.nanquantile(torch.tensor([[1., float('nan'), 2., 7.],
                                                                         [float('nan')] * 4]), 0.4, dim=1))
check('torch.unique', lambda torch: torch.unique(torch.tensor([3, 1, 2, 1, 3])))
check('torch.unique', lambda torch: torch.unique(torch.tensor([[3, 1], [2, 1]]), return_inverse=True,
                                                 return_counts=True), name='inverse_counts')
check('torch.unique', lambda torch: torch.unique(torch.tensor([3., 1., 3.]), sorted=False), name='unsorted')
check('torch.unique', lambda torch: torch.unique(torch.tensor([[1, 2], [0, 1], [1, 2]]), dim=0,
                                                 return_inverse=True, return_counts=True), name='dim')
check('Tensor.unique', lambda torch: torch.tensor([True, False, True]).unique(return_counts=True))
check('torch.unique_consecutive', lambda torch: torch.unique_consecutive(torch.tensor([1, 1, 2, 2, 3, 1, 1]),
                                                                         return_inverse=True, return_counts=True))
check('torch.unique_consecutive', lambda torch: torch.unique_consecutive(torch.tensor([[1, 1], [1, 1], [2, 0]]),
                                                                         dim=0), name='dim')
check('torch.searchsorted', lambda torch: (torch.searchsorted(torch.tensor([1, 3, 5, 7]), torch.tensor([3, 6, 9])),
                                           torch.searchsorted(torch.tensor([1, 3, 5, 7]), torch.tensor([3, 6, 9]),
                                                              right=True),
                                           torch.searchsorted(torch.tensor([1., 3.]), 2.5, side='right',
                                                              out_int32=True)))
check('torch.searchsorted', lambda torch: torch.searchsorted(torch.tensor([[1, 3, 5], [2, 4, 6]]),
                                                             torch.tensor([[3, 0], [7, 4]])), name='batched')
check('torch.bucketize', lambda torch: (torch.bucketize(torch.tensor([[1, 6], [3, 9]]), torch.tensor([1, 3, 5, 7])),
                                        torch.bucketize(torch.tensor([1., 5.]), torch.tensor([1., 5.]), right=True)))
check('torch.bincount', lambda torch: (torch.bincount(torch.tensor([0, 1, 1, 4])),
                                       torch.bincount(torch.tensor([0, 1, 1]), torch.tensor([0.5, 1., 2.]),
                                                      minlength=4)))
check('torch.bincount', lambda torch: torch.bincount(torch.tensor([-1, 1])), name='negative')
check('torch.bincount', lambda torch: torch.bincount(torch.tensor([1.])), name='float')
check('torch.histc', lambda torch: (torch.histc(torch.tensor([1., 2., 1., 4.]), bins=4, min=0, max=3),
                                    torch.histc(torch.tensor([1., 2., 1., 4.]), bins=3)))
check('torch.histc', lambda torch: torch.histc(torch.tensor([1, 2])), name='int')


@case('torch.histc')
def histc_ranges(torch):
    """A range around all the data (values on both ends and on bin edges), one cutting some off, NaN in the
    data, float64, the data's own range, a single bin."""
    x = torch.randn(5000)
    edges = torch.tensor([-1., -0.5, 0., 0.25, 0.5, 1., 1.5, 2.])
    d = torch.cat([x, edges]).double()
    nan = torch.cat([x[:50], torch.tensor([float('nan')])])
    return (torch.histc(x, bins=2048, min=float(x.min()), max=float(x.max())),
            torch.histc(edges, bins=12, min=-1, max=2), torch.histc(x, bins=37, min=-1, max=0.5),
            torch.histc(nan, bins=9, min=-3, max=3), torch.histc(d, bins=100), torch.histc(d, bins=64, min=-1, max=2),
            torch.histc(x.relu(), bins=1), torch.histc(x, bins=8, min=-9, max=9))
check('torch.histogram', lambda torch: torch.histogram(torch.tensor([1., 2., 1.]), bins=4, range=(0., 3.)))
check('torch.histogram', lambda torch: torch.histogram(torch.tensor([1., 2., 1., 2.5]), torch.tensor([0., 1.5, 3.]),
                                                       weight=torch.tensor([1., 2., 3., 4.]), density=True),
      name='edges_weight_density')
