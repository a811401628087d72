"""torch.linalg and the matrix ops at their edges: dtypes LAPACK has no kernel for, empty and
singular matrices, bad orders and shapes (found by a fuzz of shapes x dtypes x arguments)."""
from conformance import case as _case, outcomes


def case(api):
    """Ids carry this file's name (as lambda cases' do), so `--filter ops_edges_linalg` selects them."""
    return lambda fn: _case(api, name=f'ops_edges_linalg_{fn.__name__}')(fn)


_try = outcomes


def _sq(torch, dtype, n=3, batch=()):
    return (torch.eye(n) * 2 + torch.ones(n, n)).expand(*batch, n, n).to(dtype)


@case('torch.linalg.svd')
def half_kernels(torch):        # no LAPACK kernel for Half/BFloat16; most return first on empty input
    L = torch.linalg
    out = []
    for dt in (torch.float16, torch.bfloat16):
        A, E = _sq(torch, dt), torch.zeros(0, 3, 3, dtype=dt)
        out += _try(lambda: L.det(A), lambda: L.cholesky(A), lambda: L.svd(A), lambda: L.svdvals(A),
                    lambda: L.eigh(A), lambda: L.eig(A), lambda: L.qr(A), lambda: L.lu_factor(A),
                    lambda: L.ldl_factor(A), lambda: L.solve(A, A), lambda: torch.geqrf(A),
                    lambda: L.solve_triangular(A, A, upper=True),
                    lambda: L.det(E), lambda: L.svd(E).S, lambda: L.eigvalsh(E), lambda: L.qr(E), lambda: L.eig(E))
    return out


@case('torch.linalg.inv')
def low_precision(torch):       # ops that reject Half/BFloat16 up front, empty or not
    L = torch.linalg
    A = _sq(torch, torch.float16)
    return _try(lambda: L.inv(A), lambda: L.inv_ex(A[:0]), lambda: L.slogdet(A), lambda: torch.logdet(A),
                lambda: L.matrix_norm(A, 'nuc'), lambda: L.matrix_norm(A, -2), lambda: L.matrix_norm(A, 1),
                lambda: L.matrix_power(A.to(torch.bfloat16), -1))


@case('torch.linalg.svdvals')
def names_in_messages(torch):   # the _ex and vals variants report the op they are built on
    L = torch.linalg
    v, r, i = torch.ones(3), torch.ones(2, 3), torch.ones(3, 3, dtype=torch.long)
    return _try(lambda: L.inv_ex(v), lambda: L.inv_ex(r), lambda: L.cholesky_ex(i), lambda: L.svdvals(v),
                lambda: L.eigvalsh(r), lambda: L.eigvals(v), lambda: L.eigvals(r), lambda: L.svdvals(i),
                lambda: L.lu_factor_ex(v), lambda: L.lu(v), lambda: L.matrix_power(v, 2))


@case('torch.linalg.eigh')
def integer_inputs(torch):      # eigh and lu hand integers to the kernel (empty ones pass); eig asks
    L = torch.linalg            # for a complex type first
    i, e = torch.ones(3, 3, dtype=torch.long), torch.ones(0, 3, 3, dtype=torch.long)
    return _try(lambda: L.eigh(i), lambda: L.eigh(e), lambda: L.eigvalsh(e), lambda: L.eig(i),
                lambda: L.eigvals(torch.ones(3, dtype=torch.bool)), lambda: L.lu(i), lambda: L.lu_factor(e),
                lambda: L.eigh(i, UPLO='X'))


@case('torch.linalg.cond')
def orders_and_edges(torch):
    L = torch.linalg
    sing = torch.tensor([[1., 2.], [2., 4.]])
    return _try(lambda: L.cond(torch.ones(3)), lambda: L.cond(torch.ones(3), 'fro'),
                lambda: L.cond(torch.ones(2, 3), 1), lambda: L.cond(torch.ones(2, 3), float('inf')),
                lambda: L.cond(torch.ones(2, 3), 'nuc'), lambda: L.cond(torch.eye(2), 3),
                lambda: L.cond(torch.eye(2), 'bad'), lambda: L.cond(sing, 'fro'), lambda: L.cond(sing, -1),
                lambda: L.cond(torch.zeros(2, 0, 0)), lambda: L.cond(torch.zeros(0, 3, 3, dtype=torch.long)),
                lambda: L.cond(torch.zeros(2, 0, 0, dtype=torch.cfloat), 'fro'), lambda: L.cond(sing + torch.eye(2), 'nuc'),
                lambda: L.cond(torch.eye(3, dtype=torch.half), 1))


@case('torch.linalg.matrix_norm')
def checks_and_empty(torch):    # the order is checked before the rank; 1/2/inf of an empty matrix are 0
    L = torch.linalg
    A, e = torch.ones(3, 3), torch.zeros(3, 0)
    return _try(lambda: L.matrix_norm(torch.ones(3), 3), lambda: L.matrix_norm(torch.ones(3), 'foo'),
                lambda: L.matrix_norm(A, 1, dim=(0, 0)), lambda: L.matrix_norm(A, 1, dim=(0,)),
                lambda: L.matrix_norm(A, dtype=torch.long), lambda: L.matrix_norm(A.double(), dtype=torch.float),
                lambda: L.matrix_norm(A.cfloat(), dtype=torch.float), lambda: L.matrix_norm(e, 1),
                lambda: L.matrix_norm(e, 2), lambda: L.matrix_norm(e, float('inf')), lambda: L.matrix_norm(e, -1),
                lambda: L.matrix_norm(torch.zeros(0, 3), -float('inf')), lambda: L.matrix_norm(A, -1, keepdim=True))


@case('torch.linalg.vector_norm')
def ord_and_dtype(torch):
    L = torch.linalg
    x = torch.ones(3, 3)
    return _try(lambda: L.vector_norm(x, 'fro'), lambda: L.vector_norm(x, None),
                lambda: L.vector_norm(x, dtype=torch.cdouble), lambda: L.vector_norm(x.cfloat(), dtype=torch.double),
                lambda: L.vector_norm(x.double(), dtype=torch.float), lambda: L.vector_norm(x, dtype=torch.int32),
                lambda: L.vector_norm(x.long(), dtype=torch.float), lambda: L.vector_norm(x, dim=(0, -2)))


@case('torch.linalg.norm')
def string_orders(torch):
    L = torch.linalg
    return _try(lambda: L.norm(torch.ones(3), 'fro'), lambda: L.norm(torch.ones(3), 'bad'),
                lambda: L.norm(torch.ones(3, 3, 3), 2, dim=(0, 1, 2)), lambda: L.norm(torch.ones(3, 3), 'fro', dim=0),
                lambda: L.norm(torch.ones(3, 3, 3), 'nuc'))


@case('torch.norm')
def string_orders(torch):       # a string other than 'fro' goes to matrix_norm over every dim
    return _try(lambda: torch.norm(torch.ones(3, 3, 3), 'nuc'), lambda: torch.norm(torch.ones(3), 'bad'),
                lambda: torch.norm(torch.ones(3, 3), 'bad'), lambda: torch.norm(torch.ones(3), 'nuc'))


@case('torch.linalg.pinv')
def checks(torch):
    L = torch.linalg
    return _try(lambda: L.pinv(torch.ones(3)), lambda: L.pinv(torch.ones(0, 3, 3, dtype=torch.long)),
                lambda: L.pinv(torch.ones(2, 3, dtype=torch.half)), lambda: L.pinv(torch.ones(2, 3), hermitian=True),
                lambda: torch.pinverse(torch.ones(3)))


@case('torch.linalg.matrix_rank')
def checks(torch):
    L = torch.linalg
    return _try(lambda: L.matrix_rank(torch.ones(3)), lambda: L.matrix_rank(torch.ones(3, 3, dtype=torch.long)),
                lambda: L.matrix_rank(torch.ones(0, 3, 3, dtype=torch.half)),
                lambda: L.matrix_rank(torch.ones(2, 3), hermitian=True), lambda: L.matrix_rank(torch.ones(2, 3).cfloat()))


@case('torch.linalg.lstsq')
def checks(torch):
    L = torch.linalg
    A = torch.ones(3, 3)
    return _try(lambda: L.lstsq(torch.ones(3), torch.ones(3)), lambda: L.lstsq(A, torch.ones(())),
                lambda: L.lstsq(A, A.double()), lambda: L.lstsq(A, torch.ones(1, 1, 3, 3)),
                lambda: L.lstsq(A, torch.ones(2, 3)), lambda: L.lstsq(A, torch.ones(2)),
                lambda: L.lstsq(A.long(), A.long()), lambda: L.lstsq(A.half(), A.half()),
                lambda: L.lstsq(A.cpu(), A.cpu(), driver='foo'),   # CUDA has its own driver rule
                lambda: L.lstsq(A.cpu(), A.cpu(), driver='GELSD').rank)


@case('torch.linalg.cholesky')
def upper_reads_upper_triangle(torch):      # LAPACK reads one triangle: the other is ignored
    A = torch.tensor([[4., 100., 1.], [2., 3., 1.], [1., 1., 2.]])
    return _try(lambda: torch.linalg.cholesky(A, upper=True), lambda: torch.linalg.cholesky(A),
                lambda: torch.linalg.cholesky_ex(A, upper=True).info)


@case('torch.cholesky')
def legacy_checks(torch):       # returns before any check on an empty input; its own name in messages
    return _try(lambda: torch.cholesky(torch.ones(0)), lambda: torch.cholesky(torch.ones(3, 0)),
                lambda: torch.cholesky(torch.ones(3)), lambda: torch.cholesky(torch.ones(2, 3)),
                lambda: torch.cholesky(torch.ones(3, 3, dtype=torch.long)), lambda: torch.cholesky(torch.ones(2, 2)),
                lambda: torch.cholesky(torch.ones(2, 2, 2)))


@case('torch.logdet')
def checks_and_complex(torch):
    A = torch.tensor([[2., 1.], [1., 3.]])
    return _try(lambda: torch.logdet(torch.ones(3)), lambda: torch.logdet(torch.ones(2, 3)),
                lambda: torch.logdet(A.long()), lambda: torch.logdet(A.cfloat() * 1j),
                lambda: torch.logdet(-A), lambda: torch.logdet(torch.tensor([[0., 1.], [1., 0.]])))


@case('torch.svd')
def no_uv_shapes(torch):        # compute_uv=False: zero U (m x m) and V (n x n), whatever `some` says
    A = torch.arange(6.).view(2, 3)
    U, S, V = torch.svd(A, compute_uv=False)
    return [U, S, V] + _try(lambda: torch.svd(torch.ones(3)))


@case('torch.cholesky_inverse')
def checks(torch):
    L = torch.tensor([[2., 0.], [1., 0.]])
    return _try(lambda: torch.cholesky_inverse(torch.ones(3)), lambda: torch.cholesky_inverse(torch.ones(2, 3)),
                lambda: torch.cholesky_inverse(torch.ones(2, 2, dtype=torch.long)),
                lambda: torch.cholesky_inverse(torch.ones(0, 2, 2, dtype=torch.half)),
                lambda: torch.cholesky_inverse(L), lambda: torch.cholesky_inverse(torch.stack([L.T, L]), upper=True),
                lambda: torch.cholesky_inverse(torch.zeros(2, 0, 0)))


@case('torch.linalg.lu')
def empty_matrices(torch):
    L = torch.linalg
    return _try(lambda: L.lu(torch.zeros(3, 0)), lambda: L.lu(torch.zeros(2, 0, 0)), lambda: L.lu_factor(torch.zeros(0, 3)),
                lambda: L.lu_factor_ex(torch.zeros(3, 0)), lambda: L.lu(torch.zeros(0, 3), pivot=False),
                lambda: L.lu_factor(torch.zeros(0, 2, 2, dtype=torch.long)), lambda: L.lu(torch.ones(2, 2), pivot=False))


@case('torch.lu')
def singular_does_not_raise(torch):     # torch._lu_with_info ignores check_errors
    A = torch.zeros(2, 2)
    return torch.lu(A), A.lu(), torch.lu(A, get_infos=True)


@case('torch.linalg.tensorinv')
def checks(torch):      # a singular matrix is reported as inv's, without the linalg. prefix
    L = torch.linalg
    return _try(lambda: L.tensorinv(torch.ones(2, 3), ind=1), lambda: L.tensorinv(torch.zeros(0, 0), ind=1),
                lambda: L.tensorinv(torch.ones(4, 2, 2), ind=1), lambda: L.tensorinv(torch.eye(4).view(4, 2, 2), ind=0),
                lambda: L.tensorinv(torch.ones(3, 3, dtype=torch.long), ind=1), lambda: L.tensorinv(torch.eye(4).view(4, 2, 2)))


@case('torch.linalg.vander')
def checks(torch):
    V = torch.linalg.vander
    return _try(lambda: V(torch.tensor([True, False])), lambda: V(torch.ones(2, dtype=torch.half)),
                lambda: V(torch.tensor(2.)), lambda: V(torch.ones(3), N=1), lambda: V(torch.ones(2, 0)),
                lambda: V(torch.arange(3), N=4), lambda: V(torch.arange(3.).view(1, 3)))


@case('torch.vander')
def basic(torch):
    x = torch.tensor([1., 2., 3.])
    return _try(lambda: torch.vander(x), lambda: torch.vander(x, N=2, increasing=True), lambda: torch.vander(x, 0),
                lambda: torch.vander(torch.tensor([True, False])), lambda: torch.vander(torch.arange(3, dtype=torch.int8)),
                lambda: torch.vander(x, -1), lambda: torch.vander(torch.ones(2, 2)), lambda: torch.vander(x, 1))


@case('torch.trace')
def bool_input(torch):
    return _try(lambda: torch.trace(torch.ones(2, 2, dtype=torch.bool)), lambda: torch.trace(torch.ones(3, dtype=torch.bool)))
