"""Bugs found by running public PyTorch code from further domains (normalizing flows, neural ODEs,
Gaussian processes, Bayesian layers, contrastive learning, recommenders, point clouds, capsules,
meta-learning, hypernetworks, mixture density networks, time series, VQ-VAE) under faketorch with
`python -m compat diff`: one case per fix."""
from conformance import case, check
from conformance.cases.examples_edges import _fresh_process


# GP regression code checks cholesky_ex's info and may read the factor: on a matrix that is not
# positive-definite torch returns what LAPACK's potrf left (columns before the failing one factored,
# the failing pivot, the rest of the lower triangle as given); faketorch returned zeros
@case('torch.linalg.cholesky_ex')
def partial_factor(torch):
    A = torch.tensor([[4., 2, 1, 3], [2, 5, 2, 1], [1, 2, -3, 2], [3, 1, 2, 6]], dtype=torch.float64)
    B = torch.tensor([[4., 2, 1, 3], [2, 1, 2, 1], [1, 2, 3, 2], [3, 1, 2, 6]], dtype=torch.float64)
    Z = torch.tensor([[4, 2j, 0], [-2j, 0.25, 1], [0, 1, 3]], dtype=torch.complex128)
    return (torch.linalg.cholesky_ex(A), torch.linalg.cholesky_ex(A, upper=True),
            torch.linalg.cholesky_ex(torch.stack([A, B, torch.eye(4, dtype=torch.float64)])),
            torch.linalg.cholesky_ex(-torch.eye(3)), torch.linalg.cholesky_ex(A.float()).info,
            torch.linalg.cholesky_ex(Z).info, torch.linalg.cholesky_ex(Z).L.abs())


# LAPACK stops at a NaN pivot as at a negative one; NumPy's cholesky carries the NaN on silently
check('torch.linalg.cholesky_ex', lambda torch: torch.linalg.cholesky_ex(torch.tensor([[1., 0], [0, float('nan')]])),
      name='nan_pivot')
check('torch.linalg.cholesky', lambda torch: torch.linalg.cholesky(torch.tensor([[1., 0], [0, float('nan')]])),
      name='nan_pivot')
check('torch.cholesky', lambda torch: torch.linalg.cholesky(torch.tensor([[float('nan'), 0], [0, 1.]])),
      name='nan_pivot')


# the upper factor of a complex matrix: +0 below the diagonal (faketorch's conjugated transpose made -0j)
check('torch.linalg.cholesky', lambda torch: str(torch.linalg.cholesky(
    torch.tensor([[2, 1j, 0], [-1j, 2.25, 1], [0, 1, 3]], dtype=torch.complex64), upper=True).tril(-1)),
      name='complex_upper_zeros')


# GP code computes L^-1 K with solve_triangular: torch substitutes, so a triangular right-hand side gives
# a triangular solution with exact zeros; faketorch's general LU solve left rounding noise there
@case('torch.linalg.solve_triangular')
def triangular_rhs_exact_zeros(torch):
    torch.manual_seed(0)
    x = torch.randn(3, 5, 2, dtype=torch.float64)
    K = torch.exp(-0.5 * torch.cdist(x, x) ** 2) + 1e-3 * torch.eye(5, dtype=torch.float64)
    L = torch.linalg.cholesky(K)
    I = torch.eye(5, dtype=torch.float64).expand(3, 5, 5)
    st = torch.linalg.solve_triangular
    return [(t == 0).sum() for t in (st(L, I, upper=False).triu(1), st(L.mT, I, upper=True).tril(-1),
                                      st(L, I, upper=False, left=False).triu(1),
                                      st(L, I, upper=False, unitriangular=True).triu(1))]


check('torch.linalg.solve_triangular', lambda torch: torch.linalg.solve_triangular(
    torch.tensor([[1., 0, 0], [5, 0.5, 0], [-3, 7, 0.25]]), torch.eye(3), upper=False), name='inverse_of_lower')
check('torch.linalg.solve_triangular', lambda torch: torch.linalg.solve_triangular(
    torch.randn(40, 40, dtype=torch.float64).tril() + 8 * torch.eye(40, dtype=torch.float64),
    torch.randn(2, 40, 3, dtype=torch.float64), upper=False), name='blocked')
check('torch.linalg.solve_triangular', lambda torch: torch.linalg.solve_triangular(
    torch.randn(70, 70, dtype=torch.float64).triu() + 8 * torch.eye(70, dtype=torch.float64),
    torch.randn(3, 70, dtype=torch.float64), upper=True, left=False), name='blocked_right')


# a zero on the diagonal: torch's substitution gives inf/nan; faketorch raised NumPy's LinAlgError
@case('torch.linalg.solve_triangular')
def singular_gives_inf_nan(torch):
    A = torch.tensor([[0., 0], [1, 1]])
    st = torch.linalg.solve_triangular
    return (st(A, torch.ones(2, 1), upper=False), st(A, torch.ones(2, 1), upper=True),
            st(A, torch.ones(2, 2), upper=False, left=False))


# shape errors: torch's messages, not NumPy's IndexError/ValueError
check('torch.linalg.solve_triangular', lambda torch: torch.linalg.solve_triangular(
    torch.ones(3, 3), torch.ones(2, 2), upper=False), name='incompatible_left')
check('torch.linalg.solve_triangular', lambda torch: torch.linalg.solve_triangular(
    torch.ones(3, 3), torch.ones(2, 2), upper=False, left=False), name='incompatible_right')
check('torch.linalg.solve_triangular', lambda torch: torch.linalg.solve_triangular(
    torch.ones(3, 3), torch.ones(3), upper=False), name='vector_B')
check('torch.linalg.solve_triangular', lambda torch: torch.linalg.solve_triangular(
    torch.ones(3, 3, dtype=torch.int64), torch.ones(2), upper=True), name='vector_B_before_dtype')
check('torch.linalg.solve_triangular', lambda torch: torch.linalg.solve_triangular(
    torch.ones(2, 3, 3), torch.ones(4, 3, 3), upper=False), name='batch_mismatch')
check('torch.linalg.solve_triangular', lambda torch: torch.linalg.solve_triangular(
    torch.eye(3).expand(4, 3, 3), torch.ones(1, 3, 2), upper=True).shape, name='batch_broadcast')


# torch.triangular_solve (GPyTorch-era code): torch's own checks and messages, and its deprecation
# warning once per process after them
@case('torch.triangular_solve')
def checks_and_deprecation(torch):
    return _fresh_process(torch, """
ts = torch.triangular_solve
for f in (lambda: ts(torch.ones(2), torch.ones(2)), lambda: ts(torch.ones(2, 3), torch.ones(2)),
          lambda: ts(torch.ones(2, 3), torch.ones(2, 2, dtype=torch.float64)),
          lambda: ts(torch.ones(2, 2), torch.ones(2, 3)), lambda: ts(torch.ones(2, 3), torch.ones(3, 3)),
          lambda: ts(torch.ones(4, 2, 3), torch.ones(3, 2, 2)),
          lambda: ts(torch.ones(2, 2, dtype=torch.int64), torch.ones(2, 2, dtype=torch.int64)),
          lambda: ts(torch.ones(2, 3), torch.eye(2) * 2, transpose=True),
          lambda: torch.ones(2, 1).triangular_solve(torch.eye(2), upper=False)):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('default')
        try:
            r = f()
            print(r.solution)
        except Exception as e:
            print(type(e).__name__, e)
    print([(m.category.__name__, str(m.message)[:60], m.filename == '<string>') for m in w])
""")


# PointNet++'s kNN grouping: a point's cdist to itself (mm mode, > 25 rows) is 0 in torch, which clamps
# the product form at 0 before the root; faketorch clamped at 1e-30 and printed 1e-15
@case('torch.cdist')
def mm_mode_coincident_points(torch):
    y = torch.randn(2, 64, 3, requires_grad=True)
    d = torch.cdist(y[:, :8], y)
    d.sum().backward()
    return d[:, :, :8], (d == 0).sum(), y.grad, torch.cdist(torch.ones(30, 3), torch.ones(30, 3))[0, :3]


# DLRM's EmbeddingBag(sparse=True) tables: torch's weight gradient is a sparse COO tensor with one row
# per looked-up index (scaled for mean, weighted by per_sample_weights, padding left out), uncoalesced;
# faketorch's was dense
@case('torch.nn.EmbeddingBag')
def sparse_gradient(torch):
    res = []
    for kw in (dict(mode='sum'), dict(mode='mean'), dict(mode='mean', padding_idx=0), dict(mode='sum', psw=True)):
        psw = kw.pop('psw', None)
        eb = torch.nn.EmbeddingBag(6, 2, sparse=True, **kw)
        p = torch.rand(6) if psw else None
        out = eb(torch.tensor([1, 0, 3, 1, 5, 2]), torch.tensor([0, 2, 5]), per_sample_weights=p)
        (out * torch.arange(out.numel()).view(out.shape)).sum().backward()
        g = eb.weight.grad
        res.append((g.layout, g.is_coalesced(), g._indices(), g._values(), g.shape, g.to_dense()))
    return res


@case('torch.nn.functional.embedding_bag')
def sparse_gradient_2d_and_errors(torch):
    w = torch.randn(5, 3, requires_grad=True)
    torch.nn.functional.embedding_bag(torch.tensor([[1, 2], [4, 4]]), w, sparse=True).sum().backward()
    w2 = torch.randn(5, 3, requires_grad=True)
    out = torch.nn.functional.embedding_bag(torch.tensor([1, 1]), w2, torch.tensor([0]), sparse=True,
                                            scale_grad_by_freq=True)
    out.sum().backward()
    return w.grad.coalesce(), w2.grad


# VQ-VAE code counts code usage with bincount(weights=...): torch adds float32 weights in float32, one
# index after another; faketorch summed in float64 and rounded once (different last bits)
@case('torch.bincount')
def float32_weights_sequential(torch):
    x = torch.randn(1000) * 100
    i = torch.zeros(1000, dtype=torch.long)
    i[::3] = 2
    return ([torch.bincount(i, weights=w).tolist() for w in (x, x.double(), x.half(), (x > 0).int())],
            torch.bincount(i, weights=x, minlength=5).dtype, torch.bincount(i[:0], weights=x[:0], minlength=2))


check('torch.bincount', lambda torch: [torch.bincount(torch.zeros(0, dtype=torch.long), weights=torch.ones(0, dtype=dt),
                                                      minlength=3) for dt in (torch.float32, torch.float64, torch.int32)],
      name='empty_with_weights')
check('torch.bincount', lambda torch: torch.bincount(torch.tensor([-1]), minlength=-1), name='minlength_first')
check('torch.bincount', lambda torch: torch.bincount(torch.zeros(0, dtype=torch.long), weights=torch.ones(3)),
      name='empty_before_weight_check')
check('torch.bincount', lambda torch: torch.bincount(torch.zeros(0, 2, dtype=torch.long)), name='empty_2d')


# FFJORD-style code takes jacrev of a closure over a module: torch's result stays differentiable by the
# outer autograd through the captured parameters; faketorch treated captured tensors as constants and
# returned a detached result (backward then failed)
@case('torch.func.jacrev')
def captured_parameters_keep_graph(torch):
    from importlib import import_module
    func = import_module(torch.__name__ + '.func')
    w = torch.tensor([1.5, -2.0], requires_grad=True)
    f = lambda v: v * w + v.sin()
    j = func.jacrev(f)(torch.ones(2))
    j.sum().backward()
    g = func.grad(lambda v: (v * w).sum())(torch.ones(2))
    jf = func.jacfwd(f)(torch.ones(2))
    out, vjp_fn = func.vjp(f, torch.ones(2))
    ct = vjp_fn(torch.ones(2))
    h = func.hessian(lambda v: (v ** 3 * w).sum())(torch.ones(2))
    _, jv = func.jvp(f, (torch.ones(2),), (torch.ones(2),))
    with torch.no_grad():
        nog = func.jacrev(f)(torch.ones(2))
    pure = func.jacrev(lambda v: v.sin())(torch.ones(2))
    return (j, w.grad, g, jf, out, ct, h, jv, nog, pure, [t.requires_grad for t in (j, g, jf, out, ct[0], h, jv, nog, pure)])


@case('torch.func.jacrev')
def module_closure_trace(torch):
    lin = torch.nn.Linear(2, 2)
    J = torch.func.jacrev(lambda v: torch.tanh(lin(v)))(torch.ones(2))
    J.trace().backward()
    return J, J.trace(), lin.weight.grad, lin.bias.grad
