"""Bugs found by driving every op_db sample (the driver compares the first 8): one case per fix."""
from conformance import case, check


# cdist with p=2 takes torch's matrix-product form where its compute_mode says so (by default above 25 rows):
# |a|^2 + |b|^2 - 2ab, clamped at 1e-30, its own EuclideanDistBackward0 node under a view
@case('torch.cdist')
def mm_mode(torch):
    out = []
    for s1, s2, kw in (((5, 5, 2), (5, 6, 2), {'compute_mode': 'use_mm_for_euclid_dist'}), ((2, 1, 30, 3), (4, 6, 3), {}),
                       ((30, 3), (26, 3), {}), ((26, 3), (4, 3), {'compute_mode': 'donot_use_mm_for_euclid_dist'}),
                       ((30, 3), (26, 3), {'p': 1.0})):
        x = torch.randn(*s1, dtype=torch.float64, requires_grad=True)
        y = torch.randn(*s2, dtype=torch.float64, requires_grad=True)
        r = torch.cdist(x, y, **kw)
        (r * torch.arange(r.numel(), dtype=r.dtype).view(r.shape)).sum().backward()
        out += [r, x.grad, y.grad, r.grad_fn.name(), [f[0].name() for f in r.grad_fn.next_functions if f[0]]]
    return out


check('torch.cdist', lambda torch: torch.cdist(torch.ones(2, 3), torch.ones(2, 3), compute_mode='foo'), name='bad_mode')
check('torch.cdist', lambda torch: torch.cdist(torch.ones(2, 3), torch.ones(2, 3), compute_mode=None), name='none_mode')
