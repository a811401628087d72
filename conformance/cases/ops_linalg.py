"""Linear algebra: torch.linalg, einsum and friends, with gradients and torch's errors."""
from conformance import case, check


def _spd(torch):
    a = torch.tensor([[4., 1., 0.5], [1., 3., 0.2], [0.5, 0.2, 2.]])
    return a


def _grad_of(torch, f, *xs):
    xs = [x.clone().requires_grad_() for x in xs]
    out = f(*xs)
    outs = out if isinstance(out, tuple) else (out,)
    total = sum((o.sum() if o.dtype.is_floating_point else 0) for o in outs if o.requires_grad)
    total.backward()
    return out, [x.grad for x in xs]


check('torch.einsum', lambda torch: torch.einsum('ij,jk->ik', torch.arange(6.).view(2, 3), torch.ones(3, 2)))
check('torch.einsum', lambda torch: torch.einsum('ii->i', torch.arange(9.).view(3, 3)), name='diagonal')
check('torch.einsum', lambda torch: torch.einsum('ii', torch.arange(9.).view(3, 3)), name='trace')
check('torch.einsum', lambda torch: torch.einsum('bij,bjk->bik', torch.ones(2, 2, 3), torch.ones(2, 3, 4)).shape,
      name='batched')
check('torch.einsum', lambda torch: torch.einsum('...ij,jk', torch.ones(2, 2, 3), torch.ones(3, 4)), name='ellipsis')
check('torch.einsum', lambda torch: torch.einsum('i,j', torch.arange(3.), torch.arange(2.)), name='implicit_outer')
check('torch.einsum', lambda torch: torch.einsum(torch.ones(2, 3), [0, 1], torch.ones(3), [1], [0]), name='sublist')
check('torch.einsum', lambda torch: torch.einsum('ij,jk', torch.ones(2, 3), torch.ones(2, 3)), name='size_mismatch')
check('torch.einsum', lambda torch: torch.einsum('ijk', torch.ones(2, 3)), name='too_many_subscripts')
check('torch.einsum', lambda torch: torch.einsum('i,i', torch.ones(2), torch.ones(2, dtype=torch.long)),
      name='dtype_mismatch')
check('torch.einsum', lambda torch: _grad_of(torch, lambda a, b: torch.einsum('ij,jk->ik', a, b),
                                             torch.arange(6.).view(2, 3), torch.arange(3.).view(3, 1)), name='grad')
check('torch.einsum', lambda torch: _grad_of(torch, lambda a: torch.einsum('ii->i', a), torch.arange(4.).view(2, 2)),
      name='grad_diagonal')
check('torch.tensordot', lambda torch: torch.tensordot(torch.arange(24.).view(2, 3, 4), torch.ones(3, 4, 5), dims=2))
check('torch.tensordot', lambda torch: torch.tensordot(torch.arange(6.).view(2, 3), torch.ones(2, 3),
                                                       dims=([0, 1], [0, 1])), name='lists')
check('torch.kron', lambda torch: torch.kron(torch.tensor([[1., 2.], [3., 4.]]), torch.eye(2)))
check('torch.cross', lambda torch: torch.cross(torch.tensor([[1., 0., 0.]]), torch.tensor([[0., 1., 0.]]), dim=1))
check('torch.linalg.cross', lambda torch: torch.linalg.cross(torch.ones(2), torch.ones(2)), name='bad_size')
check('torch.cdist', lambda torch: torch.cdist(torch.arange(6.).view(3, 2), torch.ones(2, 2)))
check('torch.cdist', lambda torch: torch.cdist(torch.arange(6.).view(3, 2), torch.ones(2, 2), p=1), name='p1')
check('torch.dist', lambda torch: torch.dist(torch.arange(3.), torch.ones(3)))
check('torch.norm', lambda torch: torch.norm(torch.arange(6.).view(2, 3)))
check('torch.norm', lambda torch: torch.norm(torch.arange(6.).view(2, 3), dim=1, keepdim=True), name='dim_keepdim')
check('torch.norm', lambda torch: torch.norm(torch.arange(6.).view(2, 3), p=1, dim=0), name='p1')
check('torch.norm', lambda torch: _grad_of(torch, lambda x: torch.norm(x), torch.zeros(3)), name='grad_at_zero')
check('torch.trace', lambda torch: torch.trace(torch.arange(9.).view(3, 3)))
check('torch.trace', lambda torch: torch.trace(torch.arange(9).view(3, 3)), name='int')
check('torch.vdot', lambda torch: torch.vdot(torch.arange(3.), torch.ones(3)))
check('torch.inner', lambda torch: torch.inner(torch.arange(6.).view(2, 3), torch.ones(3)))
check('torch.block_diag', lambda torch: torch.block_diag(torch.ones(2, 2), torch.tensor([5., 6.])))
check('torch.tril_indices', lambda torch: torch.tril_indices(3, 3))
check('torch.triu_indices', lambda torch: torch.triu_indices(3, 4, 1))
check('torch.cov', lambda torch: torch.cov(torch.tensor([[0., 1., 2.], [2., 1., 0.]])))
check('torch.corrcoef', lambda torch: torch.corrcoef(torch.tensor([[0., 1., 2.], [2., 1., 0.5]])))
check('torch.linalg.inv', lambda torch: torch.linalg.inv(_spd(torch)))
check('torch.linalg.inv', lambda torch: _grad_of(torch, torch.linalg.inv, _spd(torch)), name='grad')
check('torch.linalg.inv', lambda torch: torch.linalg.inv(torch.tensor([[1., 2., 3.], [2., 4., 6.], [1., 1., 1.]])),
      name='singular')
check('torch.linalg.inv', lambda torch: torch.linalg.inv(torch.ones(2, 3)), name='not_square')
check('torch.linalg.inv', lambda torch: torch.linalg.inv(torch.ones(2, 2, dtype=torch.long)), name='int')
check('torch.linalg.det', lambda torch: _grad_of(torch, torch.linalg.det, _spd(torch)))
check('torch.linalg.slogdet', lambda torch: torch.linalg.slogdet(_spd(torch)))
check('torch.linalg.solve', lambda torch: _grad_of(torch, torch.linalg.solve, _spd(torch), torch.ones(3, 2)))
check('torch.linalg.solve', lambda torch: torch.linalg.solve(torch.eye(2), torch.ones(3)), name='shape_mismatch')
check('torch.linalg.cholesky', lambda torch: _grad_of(torch, torch.linalg.cholesky, _spd(torch)))
check('torch.linalg.cholesky', lambda torch: torch.linalg.cholesky(-torch.eye(2)), name='not_pd')
check('torch.linalg.qr', lambda torch: torch.linalg.qr(_spd(torch)))
check('torch.linalg.eigh', lambda torch: torch.linalg.eigh(_spd(torch)).eigenvalues)
check('torch.linalg.eigvalsh', lambda torch: _grad_of(torch, torch.linalg.eigvalsh, _spd(torch)))
check('torch.linalg.svd', lambda torch: torch.linalg.svd(_spd(torch), full_matrices=False).S)
check('torch.linalg.svdvals', lambda torch: _grad_of(torch, torch.linalg.svdvals, torch.arange(6.).view(2, 3)))
check('torch.linalg.pinv', lambda torch: torch.linalg.pinv(torch.arange(6.).view(2, 3)))
check('torch.linalg.matrix_rank', lambda torch: torch.linalg.matrix_rank(torch.ones(3, 3)))
check('torch.linalg.lstsq', lambda torch: torch.linalg.lstsq(_spd(torch), torch.ones(3, 1)).solution)
check('torch.linalg.norm', lambda torch: torch.linalg.norm(_spd(torch)))
check('torch.linalg.norm', lambda torch: torch.linalg.norm(_spd(torch), 'nuc'), name='nuc')
check('torch.linalg.vector_norm', lambda torch: torch.linalg.vector_norm(torch.arange(6.), float('inf')))
check('torch.linalg.vector_norm', lambda torch: torch.linalg.vector_norm(torch.arange(6)), name='int')
check('torch.linalg.matrix_norm', lambda torch: torch.linalg.matrix_norm(_spd(torch), 1))
check('torch.linalg.matrix_power', lambda torch: torch.linalg.matrix_power(_spd(torch), 3))
check('torch.linalg.matrix_exp', lambda torch: torch.linalg.matrix_exp(torch.tensor([[0., 1.], [-1., 0.]])))
check('torch.linalg.multi_dot', lambda torch: torch.linalg.multi_dot([torch.ones(2, 3), torch.ones(3, 4),
                                                                     torch.ones(4)]))


@case('torch.linalg.inv')
def batched_singular(torch):
    return torch.linalg.inv(torch.stack([torch.eye(3), torch.zeros(3, 3)]))


# --- LU factorization family --------------------------------------------------------------------

def _lu_A(torch, shape=(3, 3)):
    return torch.linspace(-2, 3, shape[-1] * shape[-2], dtype=torch.float64).reshape(shape).exp().sin().requires_grad_()


@case('torch.linalg.lu_factor')
def lu_factor_grad(torch):
    A = _lu_A(torch, (2, 4, 4))
    LU, piv = torch.linalg.lu_factor(A)
    LU.pow(2).sum().backward()
    return LU, piv, A.grad, LU.grad_fn.name()


@case('torch.linalg.lu')
def lu_wide_tall_grads(torch):
    out = []
    for shape in ((3, 5), (5, 3)):
        A = _lu_A(torch, shape)
        P, L, U = torch.linalg.lu(A)
        (L.sum() + U.pow(2).sum()).backward()
        out += [P, L, U, A.grad, L.grad_fn.name()]
    return tuple(out)


@case('torch.linalg.lu_solve')
def lu_solve_left_adjoint(torch):
    A = _lu_A(torch, (3, 3))
    B = torch.linspace(0, 1, 6, dtype=torch.float64).reshape(3, 2).requires_grad_()
    LU, piv = torch.linalg.lu_factor(A)
    X1 = torch.linalg.lu_solve(LU, piv, B, adjoint=True)
    X2 = torch.linalg.lu_solve(LU, piv, B.mT, left=False)
    (X1.sum() + X2.pow(2).sum()).backward()
    return X1, X2, A.grad, B.grad, X1.grad_fn.name()


check('torch.linalg.lu_factor_ex', lambda torch: torch.linalg.lu_factor_ex(torch.tensor([[1., 2], [2, 4]])),
      name='singular_info')
check('torch.linalg.lu_factor', lambda torch: torch.linalg.lu_factor(torch.zeros(2, 3, 3)), name='singular_error')
check('torch.linalg.lu_factor', lambda torch: torch.linalg.lu_factor(torch.ones(3, 3, dtype=torch.long)),
      name='int_error')
check('torch.linalg.lu_solve', lambda torch: torch.linalg.lu_solve(
    *torch.linalg.lu_factor(torch.eye(2, dtype=torch.float64)), torch.ones(2, 1)), name='dtype_error')
check('torch.lu_unpack', lambda torch: torch.lu_unpack(*torch.linalg.lu_factor(
    torch.tensor([[1., 2, 3, 0], [4, 5, 6, 1], [7, 8, 10, 2], [3, -1, 0, 5]]))))
check('torch.addbmm', lambda torch: torch.addbmm(torch.ones(2, 4), torch.arange(12.).reshape(3, 2, 2),
                                                 torch.arange(24.).reshape(3, 2, 4), beta=0.5, alpha=2))


def _addbmm_resizes(torch, shape):
    s = torch.ones(shape)
    r = s.addbmm_(torch.arange(12.).reshape(3, 2, 2), torch.arange(24.).reshape(3, 2, 4))
    return r, s.shape, r is s


# torch's addbmm_ resizes a self that broadcasts to the product's shape; another shape raises
check('Tensor.addbmm_', lambda torch: _addbmm_resizes(torch, (1,)), name='resizes_broadcastable')
check('Tensor.addbmm_', lambda torch: _addbmm_resizes(torch, (2, 1)), name='resizes_column')
check('Tensor.addbmm_', lambda torch: _addbmm_resizes(torch, (3,)), name='not_broadcastable')
for _shape in [(1,), (2, 1), (3,), (2, 2), ()]:
    check('torch.addmv', lambda torch, s=_shape: torch.addmv(torch.ones(s), torch.ones(2, 2), torch.ones(2)),
          name=f'input_shape_{len(_shape)}d_{"x".join(map(str, _shape))}')
    check('torch.baddbmm', lambda torch, s=_shape: torch.baddbmm(torch.ones(s), torch.ones(2, 2, 3),
                                                                 torch.ones(2, 3, 4)),
          name=f'input_shape_{len(_shape)}d_{"x".join(map(str, _shape))}')
check('torch.addmm', lambda torch: torch.addmm(torch.ones(2, 4, 1), torch.ones(2, 2), torch.ones(2, 4)),
      name='input_more_dims')

_SYM = [[4., 1, -2, 0.5], [1, 0.1, 3, 1], [-2, 3, -1, 2], [0.5, 1, 2, 0.2]]
check('torch.linalg.ldl_factor', lambda torch: torch.linalg.ldl_factor(torch.tensor(_SYM)))
check('torch.linalg.ldl_factor_ex', lambda torch: torch.linalg.ldl_factor_ex(torch.zeros(2, 3, 3)), name='singular')
check('torch.linalg.ldl_solve', lambda torch: torch.linalg.ldl_solve(
    *torch.linalg.ldl_factor(torch.tensor(_SYM, dtype=torch.float64)), torch.arange(8.).double().view(4, 2)))
check('torch.linalg.ldl_factor', lambda torch: torch.linalg.ldl_factor(torch.ones(3, 2)), name='not_square')
check('torch.geqrf', lambda torch: torch.geqrf(torch.tensor([[1., 2, 3], [4, 5, 6], [7, 8, 10], [0, 1, 1]])))
check('torch.linalg.householder_product', lambda torch: torch.linalg.householder_product(
    *torch.geqrf(torch.tensor([[1., 2, 3], [4, 5, 6], [7, 8, 10], [0, 1, 1]]))))
check('torch.ormqr', lambda torch: torch.ormqr(*torch.geqrf(torch.tensor([[1., 2], [4, 5], [7, 9.]])),
                                                 torch.eye(3), left=False, transpose=True))
check('torch.linalg.householder_product', lambda torch: torch.linalg.householder_product(
    torch.ones(3, 4), torch.ones(2)), name='wide_error')


@case('torch.linalg.householder_product')
def householder_grad(torch):
    A = torch.tensor([[1., 2], [3, 4], [5, 7]], dtype=torch.float64, requires_grad=True)
    tau = torch.tensor([1.2, 0.5], dtype=torch.float64, requires_grad=True)
    Q = torch.linalg.householder_product(A, tau)
    Q.pow(2).mul(torch.arange(6.).double().view(3, 2)).sum().backward()
    return Q, A.grad, tau.grad


@case('torch.linalg.lstsq')
def lstsq_outputs_grad(torch):
    A = torch.tensor([[1., 2], [3, 4], [5, 7]], requires_grad=True)
    r = torch.linalg.lstsq(A, torch.ones(3, 1))
    return [(t.requires_grad, t.grad_fn.name() if t.grad_fn else None, tuple(t.shape)) for t in r]


def _lowrank(torch, fn, **kw):
    """Sign-free parts of a randomized low-rank SVD: the singular values and U S V^H (the singular
    vectors' signs follow LAPACK's, which differs between torch's build and NumPy's)."""
    torch.manual_seed(0)
    A = torch.randn(7, 5, dtype=torch.float64)
    A.requires_grad_()
    U, S, V = getattr(torch, fn)(A, **kw)
    approx = U @ torch.diag_embed(S) @ V.mH
    approx.sum().backward()
    return S, approx, A.grad, U.shape, V.shape


check('torch.svd_lowrank', lambda torch: _lowrank(torch, 'svd_lowrank', q=4))
check('torch.svd_lowrank', lambda torch: _lowrank(torch, 'svd_lowrank', q=3, niter=0), name='q3_niter0')
check('torch.pca_lowrank', lambda torch: _lowrank(torch, 'pca_lowrank'))
check('torch.pca_lowrank', lambda torch: _lowrank(torch, 'pca_lowrank', q=2, center=False), name='uncentered')
check('torch.pca_lowrank', lambda torch: torch.pca_lowrank(torch.ones(3, 4), q=5), name='q_error')
check('torch.pca_lowrank', lambda torch: torch.pca_lowrank(torch.ones(3, 4), niter=-1), name='niter_error')


def _linalg_matmul(torch):
    x = torch.arange(6.).reshape(2, 3).requires_grad_()
    y = torch.linalg.matmul(x, x.T)
    y.sum().backward()
    out = torch.empty(2, 2)
    torch.linalg.matmul(x.detach(), x.detach().T, out=out)
    return y, y.grad_fn.name(), x.grad, out, torch.linalg.matmul(torch.ones(3), torch.ones(3, 2))


check('torch.linalg.matmul', _linalg_matmul)
check('torch.linalg.matmul', lambda torch: torch.linalg.matmul(torch.ones(2, 3), torch.ones(2, 3)), name='shape_error')
check('torch.linalg.matmul', lambda torch: torch.linalg.matmul(torch.ones(2, 3), torch.ones(3, 2),
                                                               out=torch.empty(2, 2, dtype=torch.long)),
      name='out_dtype_error')

# out= of another dtype: torch's matrix products cast nothing, and each kernel words it its own way
_OUT_DTYPE = {
    'mm': lambda t: t.mm(t.ones(2, 3), t.ones(3, 2), out=t.empty(2, 2, dtype=t.long)),
    'matmul_1d': lambda t: t.matmul(t.ones(3), t.ones(3), out=t.empty((), dtype=t.long)),
    'matmul_1d_2d': lambda t: t.matmul(t.ones(3), t.ones(3, 2), out=t.empty(2, dtype=t.long)),
    'matmul_2d_1d': lambda t: t.matmul(t.ones(2, 3), t.ones(3), out=t.empty(2, dtype=t.long)),
    'matmul_3d': lambda t: t.matmul(t.ones(2, 2, 3), t.ones(2, 3, 2), out=t.empty(2, 2, 2, dtype=t.float64)),
    'bmm': lambda t: t.bmm(t.ones(1, 2, 3), t.ones(1, 3, 2), out=t.empty(1, 2, 2, dtype=t.float64)),
    'mv': lambda t: t.mv(t.ones(2, 3), t.ones(3), out=t.empty(2, dtype=t.float64)),
    'dot': lambda t: t.dot(t.ones(3), t.ones(3), out=t.empty((), dtype=t.float64)),
    'vdot': lambda t: t.vdot(t.ones(3), t.ones(3), out=t.empty((), dtype=t.long)),
    'half': lambda t: t.mm(t.ones(2, 3), t.ones(3, 2), out=t.empty(2, 2, dtype=t.float16)),
    'outer': lambda t: t.outer(t.ones(2), t.ones(3), out=t.empty(2, 3, dtype=t.long)),
    'same_dtype_ok': lambda t: t.matmul(t.ones(2, 3), t.ones(3, 2), out=t.empty(5)),
}
for _name, _f in _OUT_DTYPE.items():
    check('torch.matmul', _f, name=f'out_dtype_{_name}')

_REFUSED = {
    'cross_0d': ('torch.cross', lambda t: t.cross(t.ones(()), t.ones(()))),
    'cross_ndim': ('torch.cross', lambda t: t.cross(t.ones(3), t.ones(3, 2))),
    'cross_no_dim3': ('torch.cross', lambda t: t.cross(t.ones(2, 2), t.ones(2, 2))),
    'cross_broadcasts': ('torch.cross', lambda t: t.cross(t.ones(2, 3), t.ones(1, 3))),
    'linalg_cross_length': ('torch.linalg.cross', lambda t: t.linalg.cross(t.ones(3), t.ones(4))),
    'linalg_cross_shapes': ('torch.linalg.cross', lambda t: t.linalg.cross(t.ones(2, 3), t.ones(4, 3))),
    'vecdot_long': ('torch.linalg.vecdot', lambda t: t.linalg.vecdot(t.ones(3, dtype=t.long), t.ones(3, dtype=t.long))),
    'cartesian_prod_0d': ('torch.cartesian_prod', lambda t: t.cartesian_prod(t.ones(()), t.ones(()))),
    'cartesian_prod_2d': ('torch.cartesian_prod', lambda t: t.cartesian_prod(t.ones(2, 2), t.ones(3))),
    'chain_matmul_1d': ('torch.chain_matmul', lambda t: t.chain_matmul(t.ones(3), t.ones(3))),
}
for _name, (_api, _f) in _REFUSED.items():
    check(_api, _f, name=f'refused_{_name}')
