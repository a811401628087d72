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


check('torch.cdist', lambda torch: [(lambda r: (r, r.grad_fn.name()))(torch.cdist(
    torch.zeros(*s1, requires_grad=True), torch.ones(*s2), 2.0, 'use_mm_for_euclid_dist'))
    for s1, s2 in [((0, 5), (4, 5)), ((3, 5), (0, 5)), ((3, 0), (4, 0)), ((0, 3, 5), (0, 4, 5))]], name='mm_mode_empty')
check('torch.cdist', lambda torch: torch.cdist(torch.ones(2, 3), torch.ones(2, 3), compute_mode='foo'), name='bad_mode')
check('torch.cdist', lambda torch: torch.cdist(torch.ones(2, 3), torch.ones(2, 3), compute_mode=None), name='none_mode')


# cov squeezes its result always (a view, SqueezeBackward0), not only where a dim is 1
check('torch.cov', lambda torch: torch.cov(torch.randn(3, 2, requires_grad=True)).grad_fn.name(), name='squeeze_node')
# logspace into an integer dtype: torch's integer kernel truncates start and end first
check('torch.logspace', lambda torch: (torch.logspace(0, 1.2, 2, dtype=torch.int64),
                                       torch.logspace(0.5, 3.2, 5, dtype=torch.int64),
                                       torch.logspace(-1.5, 2.9, 4, base=3, dtype=torch.int32),
                                       torch.logspace(1, 7, 4, base=2.5, dtype=torch.int64)), name='integer_truncates')
# histogram of no values bins over [0, 1] (NumPy's and torch's convention), not [-0.5, 0.5]
check('torch.histogram', lambda torch: (torch.histogram(torch.ones(5, 0, 5, dtype=torch.float64), 1),
                                        torch.histogram(torch.ones(0), 3),
                                        torch.histogram(torch.ones(0), 2, range=(3., 3.))), name='empty_input')
check('torch.histogramdd', lambda torch: torch.histogramdd(torch.ones(0, 2), [2, 2]), name='empty_input')


# a matrix that requires grad times a batch: torch folds it as (b^T @ a^T)^T made contiguous (CloneBackward0,
# or TransposeBackward0 where the transpose is contiguous already)
@case('torch.matmul')
def matrix_times_batch_node(torch):
    out = []
    for sa, sb in [((5, 10), (5, 10, 5)), ((5, 10), (2, 3, 10, 5)), ((10,), (5, 10, 5)), ((1, 10), (5, 10, 5)),
                   ((5, 10), (5, 10, 1)), ((0, 10), (5, 10, 5))]:
        for ra, rb in [(True, False), (False, True), (True, True)]:
            a, b = torch.randn(*sa, requires_grad=ra), torch.randn(*sb, requires_grad=rb)
            r = a @ b
            out += [r.grad_fn.name(), r.is_contiguous()]
    return out


# quantile's linear weights are differentiable in a tensor q (torch's rank - floor(rank), rank = q * (n - 1))
@case('torch.quantile')
def q_gradient(torch):
    out = []
    nan = float('nan')
    for f in (torch.quantile, torch.nanquantile):
        for x, q, kw in [([-4.8], [0.2318, 0.0788], {}), ([-4.8, 1.0, 3.0, nan], [0.2318, 0.0788], {}),
                         ([[-4.8, 1.0, 3.0, 2], [0, 1, 5, 9]], 0.3, {'dim': 1}),
                         ([[-4.8, 1.0, 3.0, 2], [0, 1, 5, 9]], 0.3, {'dim': 1, 'interpolation': 'lower'})]:
            x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
            q = torch.tensor(q, dtype=torch.float64, requires_grad=True)
            out.append(torch.autograd.grad(f(x, q, **kw).sum(), [x, q], allow_unused=True))
    return out


# linalg.svd(full_matrices=True) differentiates the first k singular vectors, as torch (faketorch raised torch's
# old 'Setting full_matrices=True in backward' error); the loss reads squares, blind to the vectors' signs
@case('torch.linalg.svd')
def full_matrices_backward(torch):
    out = []
    for shape in [(0, 3), (3, 0), (2, 3), (3, 2), (2, 2)]:
        x = (torch.arange(shape[0] * shape[1], dtype=torch.float64).reshape(shape) ** 1.5).requires_grad_()
        U, S, Vh = torch.linalg.svd(x)
        w1, w2 = torch.arange(U.numel(), dtype=x.dtype).view(U.shape), torch.arange(Vh.numel(), dtype=x.dtype).view(Vh.shape)
        out += list(torch.autograd.grad((U * U * w1).sum() + (Vh * Vh * w2).sum() + S.sum(), x))
        y = x.detach().requires_grad_()
        out += list(torch.autograd.grad(torch.svd(y, some=False)[0].pow(2).sum(), y))
    return out


# native_group_norm of a batch of none
check('torch.native_group_norm', lambda torch: torch.native_group_norm(
    torch.zeros(0, 2, dtype=torch.float64, requires_grad=True), torch.ones(2, dtype=torch.float64),
    torch.ones(2, dtype=torch.float64), 0, 2, 1, 1, 1e-5), name='empty_batch')


# linalg.solve_triangular(left=False) is one LinalgSolveTriangularBackward0 node (faketorch's was a transpose
# of the left solve), and triangular gradients have +0 zeros (a product with a mask gave -0)
@case('torch.linalg.solve_triangular')
def right_side_node(torch):
    out = []
    for upper in (True, False):
        for uni in (True, False):
            A = torch.tensor([[2., 0.5, 0.3], [0.1, 3., 0.7], [0.2, 0.4, 1.5]], dtype=torch.float64, requires_grad=True)
            B = torch.tensor([[1., 2, 3], [4, 5, 6]], dtype=torch.float64, requires_grad=True)
            X = torch.linalg.solve_triangular(A, B, upper=upper, left=False, unitriangular=uni)
            (X * torch.arange(6.).view(2, 3)).sum().backward()
            out += [X.grad_fn.name(), X, A.grad, B.grad, X.is_contiguous(), str(A.grad)]
    return out


@case('torch.linalg.cholesky')
def gradient_zeros_positive(torch):
    A = torch.tensor([[4., 1, 0.5], [1, 3, 0.2], [0.5, 0.2, 2]], dtype=torch.float64, requires_grad=True)
    L = torch.linalg.cholesky(A)
    (L * torch.arange(9.).view(3, 3)).sum().backward()
    return str(A.grad), str(torch.autograd.grad(torch.linalg.cholesky(A).sum(), A)[0])


# matrix norms of empty matrices: where the max would run over no values torch returns fresh zeros (no history),
# elsewhere its usual nodes (AmaxBackward0 for the 1 and inf norms)
@case('torch.linalg.matrix_norm')
def empty_history(torch):
    out = []
    for s in [(5, 0), (0, 5), (0, 0), (2, 5, 0)]:
        for o in (1, float('inf'), 2, 'nuc'):
            for kd in (False, True):
                r = torch.linalg.matrix_norm(torch.zeros(*s, requires_grad=True), o, keepdim=kd)
                out.append((r, r.grad_fn and r.grad_fn.name()))
        r = torch.linalg.norm(torch.zeros(*s[-2:], requires_grad=True), float('inf'))
        out.append((r, r.grad_fn and r.grad_fn.name()))
    return out


# unique / unique_consecutive along a dim when the tensor is empty elsewhere (torch's error), or when only that
# dim has size 1 (NumPy's reshape had no size to infer)
@case('torch.unique_consecutive')
def empty_other_dims(torch):
    out = []
    for f in (torch.unique, torch.unique_consecutive):
        for shape, dim in [((5, 1, 5), -2), ((5, 0, 5), 1), ((5, 0, 5), 0), ((0, 3), 0), ((1, 0), 0), ((0, 0), 1), ((0, 0), 0), ((0, 2, 0), 1), ((0, 2, 0), 0)]:
            try:
                out.append(f(torch.zeros(*shape), dim=dim, return_inverse=True, return_counts=True))
            except RuntimeError as e:
                out.append(str(e))
    return out


# _segment_reduce with batched lengths along a middle axis: lengths' rows follow data's dims before the axis
@case('torch._segment_reduce')
def batched_lengths_middle_axis(torch):
    x = (torch.arange(125, dtype=torch.float64).reshape(5, 5, 5) % 7 - 3).requires_grad_()
    L = torch.tensor([[2, 0, 3, 0], [0, 1, 2, 2], [3, 0, 2, 0], [1, 1, 1, 2], [0, 1, 2, 2]])
    out = []
    for red in ('max', 'sum', 'mean'):
        r = torch._segment_reduce(x, red, axis=1, unsafe=False, initial=1, lengths=L)
        out += [r, torch.autograd.grad(r.sum(), x)[0]]
        off = torch.cat([torch.zeros(5, 1, dtype=torch.long), L.cumsum(1)], 1)
        out.append(torch._segment_reduce(x, red, axis=1, offsets=off, initial=1))
    return out


# ormqr with no reflectors (k = 0): the result is `other`, whose gradient passes through (faketorch gave None)
@case('torch.ormqr')
def no_reflectors_gradient(torch):
    a = torch.zeros(5, 0, dtype=torch.float64, requires_grad=True)
    t = torch.zeros(0, dtype=torch.float64, requires_grad=True)
    out = []
    for c in (torch.randn(5, 2, dtype=torch.float64, requires_grad=True),
              torch.zeros(5, 0, dtype=torch.float64, requires_grad=True)):
        for left, tr in ((True, True), (True, False)):
            r = torch.ormqr(a, t, c, left=left, transpose=tr)
            out += [r.grad_fn.name(), torch.autograd.grad((r * 2).sum(), [a, t, c], allow_unused=True)]
    return out
