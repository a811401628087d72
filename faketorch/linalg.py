"""torch.linalg: decompositions, solvers, inverses and norms on NumPy's LAPACK, with torch's
derivatives (written in tensor ops, so double backward works where torch's does)."""
import math

from . import _autocast as _ac
from . import _blas
from . import _xnp as np

from . import _dtype as D
from . import return_types as RT
from ._tensor import Tensor, _dtype_c10, _make, _wrap_dim
from ._ops._core import attach, broadcast_shapes, kernel_error, needs, requires_grad, with_out, zero_grad
from .autograd.grad_mode import no_grad as _no_grad


class _LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError (a RuntimeError; torch's class is named _LinAlgError)."""


_LinAlgError.__module__ = 'torch._C'
_LinAlgError.__qualname__ = '_LinAlgError'
LinAlgError = _LinAlgError


# --- helpers ------------------------------------------------------------------------------------

def _out(data, dtype, like):
    data = np.asarray(data)
    if not data.flags.c_contiguous:
        data = data.copy()
    return _make(data.astype(dtype._np, copy=False), dtype, like._device)


_grad_on = requires_grad      # any tensor requiring grad, with grad mode on


def _check_float(name, A, low=True):
    if A.dtype._cat < 2:
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{D.type_name(A.dtype)}")
    if not low and A.dtype in _LOW:
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got {D.type_name(A.dtype)}")


_LOW = (D.float16, D.bfloat16, *D.float8_types)
# LAPACK kernels torch dispatches for float, double, cfloat and cdouble only; most are reached
# only for a nonempty input, these even for an empty one
_KERNEL_ON_EMPTY = {'geqrf_cpu', 'linalg_eig_out_cpu', 'triangular_solve_cpu', 'orgqr_cpu',
                    'cholesky_inverse_out_cpu', 'cholesky_solve_cpu'}


def _check_kernel(kernel, A):
    if (A.dtype in _LOW or A.dtype._cat < 2) and (A._data.size or kernel in _KERNEL_ON_EMPTY):
        raise kernel_error(kernel, A.dtype, A._device)


def _check_matrix(name, A, square=True, var='A', kernel=None, low=True, floats=True):
    """torch's checks, in its order: rank, squareness, dtype (floating, not low precision when
    low=False), then the CPU kernel's dtype dispatch (which alone sees integers when floats=False)."""
    if A._data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {var} must have at least 2 dimensions.")
    if square and A._data.shape[-1] != A._data.shape[-2]:
        raise RuntimeError(f"{name}: {var} must be batches of square matrices, but they are "
                           f"{A._data.shape[-2]} by {A._data.shape[-1]} matrices")
    if floats:
        _check_float(name, A, low)
    if kernel:
        _check_kernel(kernel, A)


def _lapack_data(A):
    """The array LAPACK sees: float16 (an empty one, all that gets this far) as float32."""
    return A._data.astype(np.float32) if A.dtype is D.float16 else A._data


def _batch_prefix(a, i):
    return f"(Batch element {i}): " if a.ndim > 2 else ''


def _first_zero_pivot(a):
    """(batch index, 1-based diagonal index) of the first exactly-zero pivot of LU with partial
    pivoting, as LAPACK's getrf reports it; None if every pivot is nonzero."""
    flat = np.array(a.reshape((-1,) + a.shape[-2:]), dtype=np.float64 if a.dtype.kind == 'f' else a.dtype)
    n = flat.shape[-1]
    bad = np.zeros(flat.shape[0], np.int64, like=flat)
    rows = np.arange(flat.shape[0], like=flat)
    for k in range(n):
        p = k + np.argmax(np.abs(flat[:, k:, k]), axis=1)
        flat[rows, k], flat[rows, p] = flat[rows, p].copy(), flat[rows, k].copy()
        piv = flat[:, k, k]
        zero = piv == 0
        bad = np.where((bad == 0) & zero, k + 1, bad)
        safe = np.where(zero, 1, piv)
        f = flat[:, k + 1:, k] / safe[:, None]
        f[zero] = 0
        flat[:, k + 1:, k:] -= f[:, :, None] * flat[:, k:k + 1, k:]
    for i, b in enumerate(bad):
        if b:
            return i, int(b)
    return None


def _singular_error(name, a):
    z = _first_zero_pivot(a)
    i, k = z if z is not None else (0, a.shape[-1])
    return _LinAlgError(f"{name}: {_batch_prefix(a, i)}The diagonal element {k} is zero, the inversion "
                        f"could not be completed because the input matrix is singular.")


def _mH(x):
    return x.mT.conj() if x.dtype.is_complex else x.mT


def _eye_like(x, n=None):
    n = x._data.shape[-1] if n is None else n
    return _make(np.eye(n, dtype=x.dtype._np), x.dtype, x._device)


def _tril(x, k=0):
    """tril by masked_fill with a constant mask: differentiable in any order, and the zeros are +0 (a product
    with a 0/1 mask gave -0 under negative entries, NaN under infinite ones; torch's tril writes 0)."""
    m, n = x._data.shape[-2:]
    return x.masked_fill(_make(~np.tri(m, n, k, dtype=bool), D.bool, x._device), 0)


def _triu(x, k=0):
    m, n = x._data.shape[-2:]
    return x.masked_fill(_make(np.tri(m, n, k - 1, dtype=bool), D.bool, x._device), 0)


def _diag_embed(v):
    return v.unsqueeze(-1) * _eye_like(v, v._data.shape[-1])


def _diag(x):
    return x.diagonal(0, -2, -1)


# --- inverse, determinant, solve ----------------------------------------------------------------

def _inv_data(name, a):
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise _singular_error(name, a) from None


def _inv_bwd(node, g, _ginfo=None):
    Ai, = node.saved_tensors
    AiH = _mH(Ai)
    return -AiH.matmul(g).matmul(AiH)


def inv_ex(A, *, check_errors=False, out=None):
    _check_matrix('linalg.inv', A, low=False)
    a = A._data
    try:
        data = np.linalg.inv(a)
        info = np.zeros(a.shape[:-2], np.int32)
    except np.linalg.LinAlgError:
        if check_errors:
            raise _singular_error('linalg.inv_ex', a) from None
        data, info = _inv_per_matrix(a)
    r = _out(data, A.dtype, A)
    i = _make(info, D.int32, A._device)
    if _grad_on(A):
        attach('LinalgInvExBackward0', _inv_bwd, (A,), (r, i), save=(r,))
        i._requires_grad, i._grad_fn = False, None
    res = RT.linalg_inv_ex(r, i)
    return _write(out, res, 'linalg_inv_ex')


def _inv_per_matrix(a):
    flat = a.reshape((-1,) + a.shape[-2:])
    outs, infos = [], []
    for m in flat:
        try:
            outs.append(np.linalg.inv(m))
            infos.append(0)
        except np.linalg.LinAlgError:
            z = _first_zero_pivot(m)
            outs.append(np.full_like(m, np.nan))
            infos.append(z[1] if z else m.shape[-1])
    return np.stack(outs).reshape(a.shape), np.array(infos, np.int32).reshape(a.shape[:-2])


def inv(A, *, out=None):
    _check_matrix('linalg.inv', A, low=False)
    r = _out(_inv_data('linalg.inv', A._data), A.dtype, A)
    if _grad_on(A):
        attach('LinalgInvExBackward0', _inv_bwd, (A,), (r,), save=(r,))
    return _write(out, r, 'linalg_inv')


def _det_bwd(node, g):
    A, d = node.saved_tensors
    if bool(np.all(d._data != 0)):
        return _mH(inv(A)) * (g * d.conj()).unsqueeze(-1).unsqueeze(-1)
    # singular: the cofactor matrix through the SVD, valid when the rank is n - 1
    U, S, Vh = svd(A)
    n = S._data.shape[-1]
    idx = np.arange(n)
    others = [S[..., [j for j in idx if j != i]].prod(-1) for i in idx]
    from . import stack
    P = stack(others, -1) if n > 1 else S * 0 + 1
    sgn = det(U) * det(Vh)
    cof = U.matmul(_diag_embed(P)).matmul(Vh) * sgn.unsqueeze(-1).unsqueeze(-1)
    return cof * g.unsqueeze(-1).unsqueeze(-1)


def _det_array(a):
    """torch's det: the product of LU's diagonal, signed by the row swaps (NumPy's det goes
    through exp(logdet) and is off in the last digit: det([[4,1,0],[1,3,1],[0,1,2]]) != 18)."""
    from ._ops.factorizations import _getrf
    if a.size == 0:
        return np.ones(a.shape[:-2], a.dtype, like=a)
    lu, piv, _ = _getrf(a)
    swaps = (piv != np.arange(1, piv.shape[-1] + 1, dtype=np.int32, like=piv)).sum(-1)
    d = np.diagonal(lu, axis1=-2, axis2=-1).prod(-1)
    return np.where(swaps % 2 == 1, -d, d).astype(a.dtype, copy=False)


def det(A, *, out=None):
    _check_matrix('linalg.det', A, kernel='lu_cpu')
    r = _out(_det_array(A._data), A.dtype, A)
    if _grad_on(A):
        attach('LinalgDetBackward0', _det_bwd, (A, ), (r,), save=(A, r))
    return _write(out, r, 'linalg_det')


def slogdet(A, *, out=None, _name='linalg.slogdet'):
    _check_matrix(_name, A, low=False)
    s, l = np.linalg.slogdet(A._data)
    sign = _out(s, A.dtype, A)
    logabs = _out(l, A.dtype.to_real(), A)
    if _grad_on(A):
        def bwd(node, gs, gl):
            A_, s_ = node.saved_tensors
            if A_.dtype.is_complex and gs is not None:
                # sign moves with the phase of det: d sign = sign * i Im(tr(A^-1 dA))
                c = (gs * s_.conj()).imag * 1j
                c = c + gl if gl is not None else c
            elif gl is None:
                return None
            else:
                c = gl
            return _mH(inv(A_)) * c.unsqueeze(-1).unsqueeze(-1)
        attach('LinalgSlogdetBackward0', bwd, (A,), (sign, logabs), save=(A, sign))
    return _write(out, RT.linalg_slogdet(sign, logabs), 'linalg_slogdet')


def _vector_rhs(A, B):
    return B._data.ndim == 1 or (B._data.ndim == A._data.ndim - 1 and B._data.shape == A._data.shape[:-1])


def solve(A, B, *, left=True, out=None):
    return _write(out, _solve(A, B, left, 'linalg.solve'), 'linalg_solve')


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    X = _solve(A, B, left, 'linalg.solve_ex')
    info = _make(np.zeros(A._data.shape[:-2], np.int32), D.int32, A._device)
    from .return_types import _make_type
    return _make_type('linalg_solve_ex', ('result', 'info'))(X, info)


def _solve(A, B, left, name):
    _check_matrix(name, A, kernel='lu_cpu')
    if A.dtype is not B.dtype:
        raise RuntimeError(f"{name}: Expected A and B to have the same dtype, but found A of type "
                           f"{D.type_name(A.dtype)} and B of type {D.type_name(B.dtype)} instead")
    if not left:   # X A = B  <=>  A^T X^T = B^T
        return _solve(A.mT, B.mT, True, name).mT
    vec = _vector_rhs(A, B)
    a, b = A._data, B._data
    n = a.shape[-1]
    b2 = b[..., None] if vec else b
    if b2.shape[-2] != n:
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation AX = B "
                           f"({a.shape[-2]}x{a.shape[-1]} and {b2.shape[-2]}x{b2.shape[-1]})")
    batch = np.broadcast_shapes(a.shape[:-2], b2.shape[:-2])
    try:
        x = np.linalg.solve(np.broadcast_to(a, batch + a.shape[-2:]),
                            np.broadcast_to(b2, batch + b2.shape[-2:]))
    except np.linalg.LinAlgError:
        raise _LinAlgError(f"torch.{name}: The solver failed because the input matrix is singular.") from None
    X = _out(x[..., 0] if vec else x, A.dtype, A)
    if _grad_on(A, B):
        def bwd(node, g):
            A_, X_ = node.saved_tensors
            gB = solve(_mH(A_), g)
            gA = None
            if needs(node, 0):
                gA = -(gB.unsqueeze(-1) * X_.unsqueeze(-2).conj() if vec else gB.matmul(_mH(X_)))
            return gA, (gB if needs(node, 1) else None)
        attach('LinalgSolveExBackward0', bwd, (A, B), (X,), save=(A, X))
    return X


def _trsm(a, b, upper):
    """A X = B for triangular A (its other triangle already zero) by substitution, as LAPACK trsm:
    a solution's entries that are zero for a triangular B stay exactly zero (a general LU solve
    pivots and leaves rounding noise there), and a zero on the diagonal gives inf/nan, not an error."""
    rt = np.result_type(a.dtype, b.dtype)
    f = _blas.trsm() if a.__class__ is np.ndarray and b.__class__ is np.ndarray and rt.char in 'fdFD' else None
    if f is not None:       # BLAS's own kernel, as torch's CPU solver
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        x = np.array(np.broadcast_to(b, batch + b.shape[-2:]), rt, order='C')
        a = np.ascontiguousarray(np.broadcast_to(a, batch + a.shape[-2:]), rt)
        f(a, x, upper)
        return x
    if upper:       # reversing rows and columns makes an upper triangle a lower one
        return _trsm(a[..., ::-1, ::-1], b[..., ::-1, :], False)[..., ::-1, :]
    n = a.shape[-1]
    if n > 32:      # blocks: X1 = A11^-1 B1, then X2 = A22^-1 (B2 - A21 X1)
        h = n // 2
        x1 = _trsm(a[..., :h, :h], b[..., :h, :], False)
        x2 = _trsm(a[..., h:, h:], b[..., h:, :] - a[..., h:, :h] @ x1, False)
        batch = np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
        return np.concatenate([np.broadcast_to(x, batch + x.shape[-2:]) for x in (x1, x2)], axis=-2)
    x = np.zeros(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + b.shape[-2:],
                 np.result_type(a.dtype, b.dtype), like=a)
    inv_d = 1 / np.diagonal(a, axis1=-2, axis2=-1)[..., None]     # LAPACK scales by the reciprocal
    for i in range(n):
        x[..., i, :] = (b[..., i, :] - (a[..., i:i + 1, :i] @ x[..., :i, :])[..., 0, :]) * inv_d[..., i, :]
    return x


def _check_triangular_system(name, A, B, left):
    """torch's checks ahead of its triangular solvers' kernel: B a matrix whose rows (columns for
    XA = B) match A's order, and batch dimensions that broadcast."""
    _check_matrix(name, B, square=False, var='B', floats=False)
    a, b = A._data.shape, B._data.shape
    if a[-1] != (b[-2] if left else b[-1]):
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation {'AX = B' if left else 'XA = B'} "
                           f"({a[-2]}x{a[-1]} and {b[-2]}x{b[-1]})")
    broadcast_shapes(b[:-2], a[:-2])


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    _check_matrix('linalg.solve_triangular', A, floats=False)
    _check_triangular_system('linalg.solve_triangular', A, B, left)
    _check_kernel('triangular_solve_cpu', A)
    if not left:        # X A = B as (A^T X^T = B^T)^T, one node of its own as torch's
        with _no_grad():
            X = solve_triangular(A.mT, B.mT, upper=not upper, left=True, unitriangular=unitriangular).mT
        if _grad_on(A, B):
            def bwd_right(node, g):
                A_, X_ = node.saved_tensors
                gB = solve_triangular(_mH(A_), g, upper=not upper, left=False, unitriangular=unitriangular)
                gA = None
                if needs(node, 0):
                    gA = -_mH(X_).matmul(gB)
                    gA = _triu(gA, 1 if unitriangular else 0) if upper else _tril(gA, -1 if unitriangular else 0)
                return gA, (gB if needs(node, 1) else None)
            X = _make(X._data, A.dtype, A._device)     # (torch's is the transposed solution too)
            attach('LinalgSolveTriangularBackward0', bwd_right, (A, B), (X,), save=(A, X))
        return _write(out, X, 'solve_triangular')
    a = np.triu(A._data) if upper else np.tril(A._data)
    if unitriangular:
        a = a.copy()
        np.einsum('...ii->...i', a)[...] = 1
    X = _out(_trsm(a, B._data, upper), A.dtype, A)
    if _grad_on(A, B):
        def bwd(node, g):
            A_, X_ = node.saved_tensors
            gB = solve_triangular(_mH(A_), g, upper=not upper, unitriangular=unitriangular)
            gA = None
            if needs(node, 0):
                gA = -gB.matmul(_mH(X_))
                gA = _triu(gA, 1 if unitriangular else 0) if upper else _tril(gA, -1 if unitriangular else 0)
            return gA, (gB if needs(node, 1) else None)
        attach('LinalgSolveTriangularBackward0', bwd, (A, B), (X,), save=(A, X))
    return _write(out, X, 'solve_triangular')


# --- decompositions -----------------------------------------------------------------------------

def _cholesky_bwd_math(L, gL, upper):
    if upper:
        L, gL = _mH(L), _mH(gL)
    P = _tril(_mH(L).matmul(gL))
    P = 0.5 * (P + _mH(_tril(P, -1)))
    Li = inv(L)
    return _mH(Li).matmul(P).matmul(Li)


def _cholesky_data(name, A, upper):
    a = _lapack_data(A)
    if upper:       # LAPACK reads only the upper triangle
        a = np.swapaxes(a, -1, -2).conj()
    try:
        L = np.linalg.cholesky(a)
        info = None
        # LAPACK stops at a NaN pivot too (NumPy's wrapper does not report it)
        if np.isnan(np.diagonal(L, axis1=-2, axis2=-1)).any():
            L, info = _cholesky_per_matrix(a)
    except np.linalg.LinAlgError:
        L, info = _cholesky_per_matrix(a)
    if upper:
        L = np.swapaxes(L, -1, -2).conj()
        if np.iscomplexobj(L):
            L = np.triu(L)      # +0 below the diagonal, as torch's triu_ (conj made those -0j)
    return L, info


def _cholesky_per_matrix(a):
    flat = a.reshape((-1,) + a.shape[-2:])
    outs, infos = [], []
    for m in flat:
        k = _cholesky_failure(m)
        if not k:
            outs.append(np.linalg.cholesky(m))
            infos.append(0)
        else:
            outs.append(_cholesky_partial(m, k - 1))
            infos.append(k)
    return np.stack(outs).reshape(a.shape), np.array(infos, np.int32).reshape(a.shape[:-2])


def _cholesky_failure(m):
    """The order of the first leading minor of m whose Cholesky pivot is not positive (or NaN), else 0."""
    for k in range(1, m.shape[-1] + 1):
        try:
            if np.isnan(np.linalg.cholesky(m[:k, :k])[k - 1, k - 1]):
                return k
        except np.linalg.LinAlgError:
            return k
    return 0


def _cholesky_partial(m, j):
    """What LAPACK's unblocked potrf leaves (lower) when column j fails: columns before j factored,
    column j's diagonal the non-positive pivot left over, the rest of the lower triangle untouched."""
    out = np.tril(m)
    if j:
        l11 = np.linalg.cholesky(m[:j, :j])
        out[:j, :j] = l11
        # L21 = A21 L11^-H
        out[j:, :j] = np.swapaxes(_trsm(l11, np.swapaxes(m[j:, :j], -1, -2).conj(), False), -1, -2).conj()
    out[j, j] = m[j, j] - (out[j, :j] * out[j, :j].conj()).sum()
    return out


def _cholesky_error(name, info):
    flat = info.reshape(-1)
    i = int(np.nonzero(flat)[0][0])
    pre = f"(Batch element {i}): " if info.ndim else ''
    return _LinAlgError(f"{name}: {pre}The factorization could not be completed because the input is not "
                        f"positive-definite (the leading minor of order {flat[i]} is not positive-definite).")


def cholesky(A, *, upper=False, out=None, _name='linalg.cholesky'):
    _check_matrix(_name, A, kernel='cholesky_cpu')
    L, info = _cholesky_data(_name, A, upper)
    if info is not None:
        raise _cholesky_error(_name, info)
    r = _out(L, A.dtype, A)
    if _grad_on(A):
        attach('LinalgCholeskyExBackward0', lambda node, g: _cholesky_bwd_math(node.saved_tensors[0], g, upper),
               (A,), (r,), save=(r,))
    return _write(out, r, 'linalg_cholesky')


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    _check_matrix('linalg.cholesky', A, kernel='cholesky_cpu')
    L, info = _cholesky_data('linalg.cholesky_ex', A, upper)
    if info is not None and check_errors:
        raise _cholesky_error('linalg.cholesky_ex', info)
    if info is None:
        info = np.zeros(A._data.shape[:-2], np.int32)
    r = _out(L, A.dtype, A)
    i = _make(info, D.int32, A._device)
    if _grad_on(A):
        attach('LinalgCholeskyExBackward0',
               lambda node, g, gi=None: _cholesky_bwd_math(node.saved_tensors[0], g, upper),
               (A,), (r, i), save=(r,))
        i._requires_grad, i._grad_fn = False, None
    return _write(out, RT.linalg_cholesky_ex(r, i), 'linalg_cholesky_ex')


def _qr_bwd_math(A, Q, R, gQ, gR, mode):
    m, n = A._data.shape[-2:]
    if gQ is None:
        gQ = Q * 0
    if gR is None:
        gR = R * 0
    if m >= n:
        M = R.matmul(_mH(gR)) - _mH(gQ).matmul(Q)
        M = _tril(M)
        M = M + _mH(_tril(M, -1))   # copyltu
        if M.dtype.is_complex:      # torch keeps only the real part of the diagonal (R's is real)
            M = M - _diag_embed(M.diagonal(0, -2, -1).imag * 1j)
        b = gQ + Q.matmul(M)
        return solve_triangular(_mH(R), b, upper=False, left=False)
    # wide: A = Q [U V]; differentiate through the square block
    X, Y = A[..., :, :m], A[..., :, m:]
    U, V = R[..., :, :m], R[..., :, m:]
    gU, gV = gR[..., :, :m], gR[..., :, m:]
    gX = _qr_bwd_math(X, Q, U, gQ + Y.matmul(_mH(gV)), gU, mode)
    gY = Q.matmul(gV)
    from . import cat
    return cat([gX, gY], -1)


def qr(A, mode='reduced', *, out=None):
    _check_matrix('linalg.qr', A, square=False, kernel='geqrf_cpu')
    if mode not in ('reduced', 'complete', 'r'):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' "
                           f"(default), 'r', or 'complete'")
    a = A._data
    q, r = np.linalg.qr(a, mode='complete' if mode == 'complete' else 'reduced')
    Q = _out(q if mode != 'r' else np.zeros((0,), a.dtype), A.dtype, A)
    R = _out(r, A.dtype, A)
    if _grad_on(A):
        m, n = a.shape[-2:]
        if mode == 'r' or (mode == 'complete' and m > n):
            def bwd(node, gQ, gR):
                raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when "
                                   "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going "
                                   "to differentiate through linalg.qr." if mode == 'r' else
                                   "The QR decomposition is not differentiable when mode='complete' and "
                                   "nrows > ncols.")
        else:
            def bwd(node, gQ, gR):
                A_, Q_, R_ = node.saved_tensors
                return _qr_bwd_math(A_, Q_, R_, gQ, gR, mode)
        attach('LinalgQrBackward0', bwd, (A,), (Q, R), save=(A, Q, R))
    return _write(out, RT.linalg_qr(Q, R), 'linalg_qr')


def _eigh_bwd_math(L, V, gL, gV):
    """gA = V (diag(gL) + sym-part of (V^H gV) / (L_j - L_i)) V^H."""
    if gV is None:
        inner = _diag_embed(gL.to(V.dtype))
    else:
        E = L.unsqueeze(-2) - L.unsqueeze(-1)
        n = L._data.shape[-1]
        eye = _make(np.eye(n, dtype=bool), D.bool, L._device)
        E = E.masked_fill(eye, float('inf'))
        VhgV = _mH(V).matmul(gV)
        inner = (VhgV - _mH(VhgV)) * 0.5 / E
        if gL is not None:
            inner = inner + _diag_embed(gL.to(V.dtype))
    return V.matmul(inner).matmul(_mH(V))


def eigh(A, UPLO='L', *, out=None):
    _check_eigh(A, UPLO)
    w, v = np.linalg.eigh(_lapack_data(A), UPLO=UPLO)
    L = _out(w, A.dtype.to_real(), A)
    V = _out(v, A.dtype, A)
    if _grad_on(A):
        def bwd(node, gL, gV):
            L_, V_ = node.saved_tensors
            return _eigh_bwd_math(L_, V_, gL, gV)
        attach('LinalgEighBackward0', bwd, (A,), (L, V), save=(L, V))
    return _write(out, RT.linalg_eigh(L, V), 'linalg_eigh')


def eigvalsh(A, UPLO='L', *, out=None):
    _check_eigh(A, UPLO)
    if not _grad_on(A):
        return _write(out, _out(np.linalg.eigvalsh(_lapack_data(A), UPLO=UPLO), A.dtype.to_real(), A), 'linalg_eigvalsh')
    L, V = eigh(A, UPLO)
    V._requires_grad = False     # eigenvalues only: the node gets no eigenvector gradient
    return _write(out, L, 'linalg_eigvalsh')


def _check_eigh(A, UPLO):
    if UPLO not in ('L', 'U'):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    _check_matrix('linalg.eigh', A, kernel='linalg_eigh_cpu', floats=False)


def eig(A, *, out=None, _name='linalg.eig'):
    if A.dtype._cat < 2 or A.dtype in D.float8_types:        # torch looks up the complex result type first
        raise RuntimeError(f"Unknown Complex ScalarType for {D.type_name(A.dtype)}")
    _check_matrix(_name, A, kernel='linalg_eig_out_cpu')
    w, v = np.linalg.eig(A._data)
    ct = A.dtype.to_complex()
    W, V = _out(w, ct, A), _out(v, ct, A)
    if _grad_on(A):
        def bwd(node, gW, gV):
            W_, V_ = node.saved_tensors
            n = W_._data.shape[-1]
            Vh = _mH(V_)
            if gV is None:
                inner = _diag_embed(gW)
            else:
                E = W_.conj().unsqueeze(-2) - W_.conj().unsqueeze(-1)
                eye = _make(np.eye(n, dtype=bool), D.bool, W_._device)
                E = E.masked_fill(eye, 1)
                VhgV = Vh.matmul(gV)
                im = np.abs(np.imag(np.diagonal(VhgV._data, 0, -2, -1)))
                if im.size and float(im.max()) > 1e-2:
                    raise RuntimeError("linalg_eig_backward: The eigenvectors in the complex case are specified up "
                                       "to multiplication by e^{i phi}. The specified loss function depends on this "
                                       "quantity, so it is ill-defined.")
                # the normalisation of eigenvectors (unit norm) removes the real part of diag(V^H gV)
                d = _diag(VhgV).real if hasattr(VhgV, 'real') else _diag(VhgV)
                inner = (VhgV - Vh.matmul(V_ * d.unsqueeze(-2))) / E
                inner = inner.masked_fill(eye, 0)
                if gW is not None:
                    inner = inner + _diag_embed(gW)
            gA = solve(Vh, inner.matmul(Vh))
            return gA.real if not A.dtype.is_complex else gA
        attach('LinalgEigBackward0', bwd, (A,), (W, V), save=(W, V))
    return _write(out, RT.linalg_eig(W, V), 'linalg_eig')


def eigvals(A, *, out=None):
    W, V = eig(A, _name='linalg.eigvals')
    V._requires_grad = False
    return _write(out, W, 'linalg_eigvals')


def _svd_check_gauge(U, V, gU, gV):
    """torch's check that a loss on complex singular vectors ignores their phases."""
    def imdiag(X, gX):
        return 0 if gX is None else np.diagonal(np.conj(X._data).swapaxes(-1, -2) @ gX._data, 0, -2, -1).imag
    if not np.allclose(imdiag(U, gU), -imdiag(V, gV), rtol=1e-2, atol=1e-2):
        raise RuntimeError("svd_backward: The singular vectors in the complex case are specified up to "
                           "multiplication by e^{i phi}. The specified loss function depends on this phase "
                           "term, making it ill-defined.")


def _svd_bwd_math(U, S, Vh, gU, gS, gVh, full):
    m, n = U._data.shape[-2], Vh._data.shape[-1]
    k = S._data.shape[-1]
    if full:
        U, Vh = U[..., :, :k], Vh[..., :k, :]
        gU = gU[..., :, :k] if gU is not None else None
        gVh = gVh[..., :k, :] if gVh is not None else None
    if gU is None and gVh is None:
        return U.matmul(_diag_embed(gS.to(U.dtype))).matmul(Vh)
    V = _mH(Vh)
    gV = _mH(gVh) if gVh is not None else None
    if U.dtype.is_complex:
        _svd_check_gauge(U, V, gU, gV)
    S2 = S * S
    E = S2.unsqueeze(-2) - S2.unsqueeze(-1)
    eye = _make(np.eye(k, dtype=bool), D.bool, S._device)
    E = E.masked_fill(eye, 1)
    Sd = S.to(U.dtype)
    inner = _diag_embed(gS.to(U.dtype)) if gS is not None else U.new_zeros(U._data.shape[:-2] + (k, k))
    if gU is not None:
        UhgU = _mH(U).matmul(gU)
        skew = (UhgU - _mH(UhgU)) / E
        inner = inner + skew.masked_fill(eye, 0) * Sd.unsqueeze(-2)
        if U.dtype.is_complex:      # torch: the phase gauge adds i Im(diag(U^H gU)) / S on the diagonal
            inner = inner + _diag_embed(UhgU.diagonal(0, -2, -1).imag.to(U.dtype) * 1j / Sd)
    if gV is not None:
        VhgV = Vh.matmul(gV)
        skew = (VhgV - _mH(VhgV)) / E
        inner = inner + Sd.unsqueeze(-1) * skew.masked_fill(eye, 0)
    gA = U.matmul(inner).matmul(Vh)
    if gU is not None and m > k:
        gA = gA + (gU - U.matmul(_mH(U).matmul(gU))).matmul((Vh / Sd.unsqueeze(-1)))
    if gV is not None and n > k:
        gA = gA + (U / Sd.unsqueeze(-2)).matmul(_mH(gV - V.matmul(Vh.matmul(gV))))
    return gA


def svd(A, full_matrices=True, *, driver=None, out=None):
    _check_matrix('linalg.svd', A, square=False, kernel='linalg_svd_cpu')
    u, s, vh = np.linalg.svd(_lapack_data(A), full_matrices=full_matrices)
    U, S, Vh = _out(u, A.dtype, A), _out(s, A.dtype.to_real(), A), _out(vh, A.dtype, A)
    if _grad_on(A):
        def bwd(node, gU, gS, gVh):
            U_, S_, Vh_ = node.saved_tensors       # (full matrices: torch differentiates their first k vectors)
            return _svd_bwd_math(U_, S_, Vh_, gU, gS, gVh, full_matrices)
        attach('LinalgSvdBackward0', bwd, (A,), (U, S, Vh), save=(U, S, Vh))
    return _write(out, RT.linalg_svd(U, S, Vh), 'linalg_svd')


def svdvals(A, *, driver=None, out=None):
    _check_matrix('linalg.svd', A, square=False, kernel='linalg_svd_cpu')
    if not _grad_on(A):
        return _write(out, _out(np.linalg.svd(_lapack_data(A), compute_uv=False), A.dtype.to_real(), A), 'linalg_svdvals')
    U, S, Vh = svd(A, full_matrices=False)
    U._requires_grad = Vh._requires_grad = False
    return _write(out, S, 'linalg_svdvals')


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    if A._data.ndim < 2 or A.dtype not in (D.float32, D.float64, D.complex64, D.complex128):
        raise RuntimeError(f"linalg.pinv({D.type_name(A.dtype)}{{{list(A._data.shape)}}}): expected a tensor with 2 "
                           f"or more dimensions of float, double, cfloat or cdouble types")
    if hermitian:
        _check_matrix('linalg.eigh', A)
    a = A._data
    m, n = a.shape[-2:]
    eps = np.finfo(a.dtype).eps if a.dtype.kind in 'fc' else 0
    if hermitian:     # through the eigendecomposition of the lower triangle, as torch
        w, v = np.linalg.eigh(a)
        order = np.argsort(-np.abs(w), axis=-1)
        s = np.take_along_axis(np.abs(w), order, -1)
        v = np.take_along_axis(v, order[..., None, :], -1)
        u = v * np.sign(np.take_along_axis(w, order, -1))[..., None, :]
        vh = np.swapaxes(v, -1, -2).conj()
    else:
        u, s, vh = np.linalg.svd(a, full_matrices=False)
    smax = s[..., :1] if s.shape[-1] else np.zeros_like(s, shape=s.shape[:-1] + (1,))
    at = _tol_arr(atol, a)
    rt = _tol_arr(rtol, a)
    if rt is None:
        rt = np.float64(max(m, n) * eps if atol is None or (np.ndim(at) == 0 and at == 0) else 0.0)
    if at is None:
        at = np.float64(0.0)
    tol = np.maximum(at[..., None] if np.ndim(at) else at, rt[..., None] * smax if np.ndim(rt) else rt * smax)
    sinv = np.where(s > tol, 1 / np.where(s > tol, s, 1), 0).astype(s.dtype)
    data = np.matmul(np.swapaxes(vh, -1, -2).conj() * sinv[..., None, :], np.swapaxes(u, -1, -2).conj())
    r = _out(data, A.dtype, A)
    if _grad_on(A):
        def bwd(node, g):
            A_, P = node.saved_tensors
            Ph, gh = _mH(P), _mH(g)
            # d pinv = -P dA P + P P^H dA^H (I - A P) + (I - P A) dA^H P^H P, transposed onto gA
            return -Ph.matmul(g).matmul(Ph) \
                + (_eye_like(A_, m) - A_.matmul(P)).matmul(gh).matmul(P.matmul(Ph)) \
                + Ph.matmul(P).matmul(gh).matmul(_eye_like(A_, n) - P.matmul(A_))
        attach('LinalgPinvBackward0', bwd, (A,), (r,), save=(A, r))
    return _write(out, r, 'linalg_pinv')


def _tol_arr(t, a):
    if t is None:
        return None
    return t._data.astype(np.float64) if isinstance(t, Tensor) else np.float64(t)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, tol=None, out=None):
    if A._data.ndim < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at least 2 dimensions.")
    _check_float_double(A)
    if hermitian:
        _check_matrix('linalg.eigh', A)
    a = A._data
    m, n = a.shape[-2:]
    s = np.abs(np.linalg.eigvalsh(a)) if hermitian else np.linalg.svd(a, compute_uv=False)
    if tol is not None:
        atol, rtol = tol, 0.0
    eps = np.finfo(a.dtype).eps
    smax = s.max(-1, keepdims=True) if s.shape[-1] else np.zeros_like(s, shape=s.shape[:-1] + (1,))
    at = _tol_arr(atol, a)
    rt = _tol_arr(rtol, a)
    if rt is None:
        rt = np.float64(max(m, n) * eps if at is None or (np.ndim(at) == 0 and at == 0) else 0.0)
    if at is None:
        at = np.float64(0.0)
    tol_ = np.maximum(at[..., None] if np.ndim(at) else at, (rt[..., None] if np.ndim(rt) else rt) * smax)
    r = (s > tol_).sum(-1)
    return _write(out, _make(np.asarray(r, np.int64), D.int64, A._device), 'linalg_matrix_rank')


def _check_float_double(A):
    if A.dtype not in (D.float32, D.float64, D.complex64, D.complex128):
        raise RuntimeError("This function doesn't handle types other than float and double")


def lstsq(A, B, rcond=None, *, driver=None):
    name = 'torch.linalg.lstsq'
    if A._data.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    if B._data.ndim < 1:
        raise RuntimeError(f"{name}: other must have at least 1 dimension.")
    if A.dtype is not B.dtype:
        raise RuntimeError(f"{name}: Expected input and other to have the same dtype, but got input's dtype "
                           f"{D.type_name(A.dtype)} and other's dtype {D.type_name(B.dtype)}")
    if A._data.ndim - B._data.ndim not in (0, 1):
        raise RuntimeError(f"{name}: input.dim() must be greater or equal to other.dim() and "
                           f"(input.dim() - other.dim()) <= 1")
    vec = B._data.ndim == A._data.ndim - 1
    if A._data.shape[-2] != B._data.shape[-1 if vec else -2]:
        raise RuntimeError(f"{name}: input.size(-2) should match other.size({-1 if vec else -2})")
    if driver is not None and A._device.type != 'cuda' and driver.lower() not in ('gels', 'gelsy', 'gelsd', 'gelss'):
        raise RuntimeError(f"{name}: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    _check_float_double(A)
    if A._device.type == 'cuda':
        if driver is not None and driver.lower() != 'gels':
            raise RuntimeError('torch.linalg.lstsq: `driver` other than `gels` is not supported on CUDA')
        driver = 'gels'
    vec = B._data.ndim == A._data.ndim - 1
    Bm = B.unsqueeze(-1) if vec else B
    a, b = A._data, Bm._data
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    ab = np.broadcast_to(a, batch + a.shape[-2:])
    bb = np.broadcast_to(b, batch + b.shape[-2:])
    sol = np.linalg.pinv(ab) @ bb if ab.size else np.zeros(batch + (a.shape[-1], b.shape[-1]), a.dtype)
    m, n = a.shape[-2:]
    if _grad_on(A, B):
        X = pinv(A).matmul(Bm)
    else:
        X = _out(sol, A.dtype, A)
    if vec:
        X = X.squeeze(-1)
    rdt = A.dtype.to_real()         # residuals and singular values are real for complex A
    empty = _make(np.zeros((0,), rdt._np), rdt, A._device)
    res = empty
    rank = _make(np.zeros((0,), np.int64), D.int64, A._device)
    sv = _make(np.zeros((0,), rdt._np), rdt, A._device)
    driver = 'gelsy' if driver is None else driver.lower()     # torch's CPU default
    if driver in ('gelsd', 'gelss', 'gelsy'):
        rank = matrix_rank(A)
    if driver in ('gelsd', 'gelss'):
        sv = svdvals(A).detach()
    if m > n and driver != 'gelsy':
        rk = np.linalg.matrix_rank(ab) if ab.size else 0
        if np.all(rk == n):
            Xm = X.unsqueeze(-1) if vec else X
            res = (Bm - A.matmul(Xm)).abs().pow(2).sum(-2)
            if vec:
                res = res.squeeze(-1)
            from ._ops.linalg_ops import _named
            res = _named('LinalgLstsqBackward0', res)
    from ._ops.linalg_ops import _named
    if res is empty and _grad_on(A, B):     # torch's node owns the (empty) residuals too
        attach('LinalgLstsqBackward0', lambda node, g: (None, None), (A, B), (res,))
    return RT.linalg_lstsq(_named('LinalgLstsqBackward0', X), res, rank, sv)


def matrix_power(A, n, *, out=None):
    _check_matrix('linalg.matrix_power', A, floats=False)
    if n == 0:
        if A.dtype in D.BARE_UINTS:
            raise kernel_error('eye', A.dtype, A._device)
        r = _make(np.broadcast_to(np.eye(A._data.shape[-1], dtype=A.dtype._np), A._data.shape).copy(),
                  A.dtype, A._device)
        if _grad_on(A):
            attach('CopyBackwards', lambda node, g: zero_grad(g), (A,), (r,))
        return _write(out, r, 'linalg_matrix_power')
    if n < 0:
        A = inv(A)
        n = -n
    result = None
    z = A
    # binary powering, as torch (the product order matters for rounding)
    while True:
        if n & 1:
            result = z if result is None else result.matmul(z)
        n >>= 1
        if not n:
            break
        z = z.matmul(z)
    if result is A:
        result = result.clone() if A._grad_fn is None else result
    return _write(out, result, 'linalg_matrix_power')


def matrix_exp(A):
    _check_matrix('linalg.matrix_exp', A)
    # float64 inside: torch's float32 kernel is accurate to float32, a float32 series is not
    a = A._data.astype(np.float64) if A._data.dtype == np.float32 else A._data
    a = a.astype(np.complex128) if A._data.dtype == np.complex64 else a
    r = _out(_expm(a), A.dtype, A)
    if _grad_on(A):
        def bwd(node, g):
            A_, = node.saved_tensors
            # the Frechet derivative at A^H applied to g: the exp of a 2n block matrix
            n = A_._data.shape[-1]
            from . import cat
            top = cat([_mH(A_), g], -1)
            bottom = cat([A_.new_zeros(A_._data.shape), _mH(A_)], -1)
            big = matrix_exp(cat([top, bottom], -2))
            return big[..., :n, n:]
        attach('LinalgMatrixExpBackward0', bwd, (A,), (r,), save=(A,))
    return r


def _expm(a):
    """Scaling and squaring with a degree-18 Taylor series (accurate to the dtype's precision)."""
    if a.size == 0:
        return a.copy()
    norm = np.abs(a).sum(-2).max(-1) if a.ndim > 1 else np.abs(a)
    s = int(max(0, math.ceil(math.log2(max(float(np.max(norm)), 1e-300))) + 1)) if np.max(norm) > 0.5 else 0
    x = a / (2.0 ** s)
    eye = np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype, like=a), a.shape)
    term = eye.copy()
    res = eye.copy()
    for k in range(1, 19):
        term = term @ x / k
        res = res + term
    for _ in range(s):
        res = res @ res
    return res.astype(a.dtype, copy=False)


def multi_dot(tensors, *, out=None):
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    ts = list(tensors)
    first_vec, last_vec = ts[0]._data.ndim == 1, ts[-1]._data.ndim == 1
    if first_vec:
        ts[0] = ts[0].unsqueeze(0)
    if last_vec:
        ts[-1] = ts[-1].unsqueeze(-1)
    for i, t in enumerate(ts):
        if t._data.ndim != 2:
            raise RuntimeError(f"multi_dot(): the first and last tensors must be 1D or 2D but got "
                               f"{tensors[i]._data.ndim}D" if i in (0, len(ts) - 1) else
                               f"multi_dot(): tensor {i} must be 2D but got {t._data.ndim}D")
    from ._ops.linalg_ops import _named
    r = _named('ViewBackward0', _chain(ts, _chain_order([t._data.shape for t in ts]), 0, len(ts) - 1))
    if first_vec and last_vec:
        r = r.view(())
    elif first_vec:
        r = r.view(-1)
    elif last_vec:
        r = r.view(-1)
    return _write(out, r, 'linalg_multi_dot')


def _chain_order(shapes):
    """The cheapest parenthesisation (dynamic programming over the chain, as torch)."""
    n = len(shapes)
    p = [shapes[0][0]] + [s[1] for s in shapes]
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for ln in range(1, n):
        for i in range(n - ln):
            j = i + ln
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + p[i] * p[k + 1] * p[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def _chain(ts, split, i, j):
    if i == j:
        return ts[i]
    k = split[i][j]
    return _chain(ts, split, i, k).mm(_chain(ts, split, k + 1, j))


def cross(input, other, *, dim=-1, out=None):
    from ._ops.linalg_ops import _cross
    return _write(out, _cross(input, other, dim, 'linalg.cross'), 'linalg_cross')


def vecdot(x, y, *, dim=-1, out=None):
    if _ac.state.cpu is not None and out is None:      # a fast-dtype op under CPU autocast
        return _ac.run(vecdot, _ac.state.cpu, (x, y), dict(dim=dim))
    if x.dtype._cat < 2:
        raise RuntimeError(f'linalg.vecdot: Expected a floating point or complex tensor as input. Got '
                           f'{D.type_name(x.dtype)}')
    if x._data.ndim == 1 and y._data.ndim == 1:
        from ._ops.linalg_ops import vdot
        return _write(out, vdot(x, y), 'linalg_vecdot')
    return _write(out, (x.conj() * y if x.dtype.is_complex else x * y).sum(dim), 'linalg_vecdot')


def matmul(input, other, *, out=None):
    from . import matmul as _matmul
    return _matmul(input, other, out=out)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return A.diagonal(offset, dim1, dim2)


# --- norms --------------------------------------------------------------------------------------

def _norm_dims(dim, n):
    if dim is None:
        return None
    if isinstance(dim, int):
        dim = (dim,)
    dims = tuple(_wrap_dim(d, n) for d in dim)
    for i, d in enumerate(dims):
        if d in dims[:i]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return dims


def _check_norm_dtype(name, x, dtype):
    if dtype._cat < 2:
        raise RuntimeError(f"{name}: dtype should be floating point or complex, but got {D.type_name(dtype)}")
    kind = 'complex' if x.dtype.is_complex else 'real'
    if x.dtype.is_complex != dtype.is_complex:
        raise RuntimeError(f"{name}: dtype should be {kind} for {kind} inputs, but got {D.type_name(dtype)}")
    if D.promote_types(x.dtype, dtype) is not dtype:
        raise RuntimeError(f"{name}: the dtype of the input ({D.type_name(x.dtype)}) should be convertible "
                           f"without narrowing to the specified dtype ({D.type_name(dtype)})")


def _keepdim_arg(keepdim, where=''):
    if keepdim.__class__ is not bool:
        from .random import _tp_name
        raise TypeError(f"linalg_vector_norm(): argument 'keepdim'{where} must be bool, not {_tp_name(keepdim)}")


def _check_out_dtype(out, x, dtype, name=None):
    """torch's check that a norm's out= has the norm's dtype: vector_norm's message, or that of name
    (linalg.matrix_norm, linalg.norm)."""
    want = (dtype or x.dtype).to_real()
    if not isinstance(out, Tensor) or out.dtype is want:
        return
    if name is None:
        raise RuntimeError(f"Expected out tensor to have dtype {_dtype_c10(want)}, but got {_dtype_c10(out.dtype)} "
                           f"instead")
    raise RuntimeError(f"{name} expected out tensor dtype {D.type_name(want)} but got: {D.type_name(out.dtype)}")


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    if not isinstance(x, Tensor):
        raise TypeError(f"linalg_vector_norm(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")
    if not isinstance(ord, (int, float)) or isinstance(ord, bool):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not "
                        f"{type(ord).__name__}")
    _keepdim_arg(keepdim)
    _check_float('linalg.vector_norm', x)
    if x.dtype in D.float8_types and dtype is None:
        raise kernel_error('norm_cpu', x.dtype, x._device)
    if dtype is not None:
        _check_norm_dtype('linalg.vector_norm', x, dtype)
    if out is not None:
        _check_out_dtype(out, x, dtype)
    if dtype is not None:
        x = x.to(dtype)
    n = x._data.ndim
    dims = _norm_dims(dim, n)
    a = np.abs(x._data) if x.dtype.is_complex or ord != 2 else x._data
    if a.dtype == np.float16:       # torch accumulates half in float32 (|60000| squared overflows half)
        a = a.astype(np.float32)
    ax = dims if dims else None
    if dims == () and n or n == 0:     # a 0-dim tensor's dim 0/-1 is the tensor itself
        ax = None
    if x._data.size == 0 and ord in (float('inf'),) or (ord < 0 and x._data.size == 0):
        if ax is None:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor "
                               f"because the operation does not have an identity")
        for d in (ax if isinstance(ax, tuple) else range(n)):
            if x._data.shape[d] == 0:       # torch's message lacks the space before "because"
                raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on the dimension {d}"
                                   f"because this dimension is empty and the operation does not have an identity")
    if ord == 2:
        data = np.sqrt(np.sum(a * a if not x.dtype.is_complex else a * a, axis=ax, keepdims=keepdim))
    elif ord == float('inf'):
        data = np.max(np.abs(a), axis=ax, keepdims=keepdim)
    elif ord == -float('inf'):
        data = np.min(np.abs(a), axis=ax, keepdims=keepdim)
    elif ord == 0:
        data = np.sum(a != 0, axis=ax, keepdims=keepdim).astype(a.dtype)
    elif ord == 1:
        data = np.sum(np.abs(a), axis=ax, keepdims=keepdim)
    else:
        data = np.sum(np.abs(a) ** ord, axis=ax, keepdims=keepdim) ** (1.0 / ord)
    rdt = x.dtype.to_real()
    r = _out(np.asarray(data), rdt, x)
    if _grad_on(x):
        def bwd(node, g):
            x_, nrm = node.saved_tensors
            if not keepdim and dims is not None and dims != () and n:
                for d in sorted(dims):
                    g = g.unsqueeze(d)
                    nrm = nrm.unsqueeze(d)
            elif not keepdim:
                g = g.reshape((1,) * n)
                nrm = nrm.reshape((1,) * n)
            return _norm_grad(x_, nrm, g, ord)
        attach('LinalgVectorNormBackward0', bwd, (x,), (r,), save=(x, r))
    return _write(out, r, 'linalg_vector_norm')


def _norm_grad(x, nrm, g, p):
    """torch's norm_backward: zero where the norm is zero."""
    from . import where
    zero = nrm == 0
    if p == 0:
        return None
    if p == 1:
        return x.sgn() * g
    if p == 2:
        return x * where(zero, nrm * 0, g / nrm)
    if p in (float('inf'), -float('inf')):
        ax = x.abs()
        # the gradient is split between the entries attaining the extremum, a NaN being one (as torch's)
        mask = ((ax == nrm) | ax.isnan()).to(x.dtype.to_real())
        dims_ = tuple(i for i in range(x.ndim) if nrm.shape[i] == 1 and x.shape[i] != 1)
        cnt = mask.sum(dims_, keepdim=True) if dims_ else mask
        return x.sgn() * ((g / cnt) * mask)
    ax = x.abs()
    scale = where(zero, nrm * 0, g / nrm.pow(p - 1))
    if p < 1:
        return where(x == 0, x * 0, x.sgn() * ax.pow(p - 1) * scale)
    return x * ax.pow(p - 2) * scale


# torch's overloads, for its message on a keepdim that is no bool
_NORM_SIGS = {
    'linalg_matrix_norm': (
        '(Tensor input, Number ord, tuple of ints dim = {-2,-1}, bool keepdim = False, *, torch.dtype dtype = None, '
        'Tensor out = None)',
        '(Tensor input, str ord = "fro", tuple of ints dim = {-2,-1}, bool keepdim = False, *, '
        'torch.dtype dtype = None, Tensor out = None)'),
    'linalg_norm': (
        '(Tensor input, Number ord = None, tuple of ints dim = None, bool keepdim = False, *, '
        'torch.dtype dtype = None, Tensor out = None)',
        '(Tensor input, str ord, tuple of ints dim = None, bool keepdim = False, *, torch.dtype dtype = None, '
        'Tensor out = None)')}


def _keepdim_overloads(fname, A, keepdim):
    if keepdim.__class__ is not bool:
        from ._ops.reduction import _invalid_combination
        raise TypeError(_invalid_combination(fname, _NORM_SIGS[fname], (A,), {'keepdim': keepdim}))


def matrix_norm(A, ord='fro', dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    inf = float('inf')
    _keepdim_overloads('linalg_matrix_norm', A, keepdim)
    # the order is checked first, as torch: it decides whether half precision is allowed
    if isinstance(ord, str):
        if ord not in ('fro', 'nuc'):
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
        low = ord != 'nuc'
    else:
        if abs(ord) not in (1, 2, inf):
            raise RuntimeError(f"linalg.matrix_norm: Order {_fmt_ord(ord)} not supported.")
        low = abs(ord) != 2
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    _check_float('linalg.matrix_norm', A, low)
    dim = [dim] if isinstance(dim, int) else list(dim)
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
    n = A._data.ndim
    d0, d1 = (_wrap_dim(d, n) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({d0}, {d1})")
    if dtype is not None:
        _check_norm_dtype('linalg.matrix_norm', A, dtype)
    if out is not None:
        _check_out_dtype(out, A, dtype, 'linalg.matrix_norm')
    if dtype is not None:
        A = A.to(dtype)
    if ord == 'fro':
        r = vector_norm(A, 2, (d0, d1), keepdim)
    elif A._data.size == 0 and ord != 'nuc' and ord > 0 and (ord == 2 or A._data.shape[d0 if ord == inf else d1] == 0):
        # a max over no values: torch returns fresh zeros, with no history (max() has no identity)
        r = vector_norm(A.detach(), 2, (d0, d1), keepdim)
    elif ord in ('nuc', 2, -2):
        S = svdvals(A.movedim((d0, d1), (-2, -1)))
        r = S.sum(-1) if ord == 'nuc' else S.amax(-1) if ord == 2 else S.amin(-1)
        if keepdim:
            r = r.unsqueeze(-1).unsqueeze(-1).movedim((-2, -1), (d0, d1))
    else:       # the inf norm is the 1 norm of the transpose
        if abs(ord) == inf:
            d0, d1 = d1, d0
        if not keepdim and d0 < d1:
            d1 -= 1
        s = vector_norm(A, 1, (d0,), keepdim)
        r = s.amax(d1, keepdim) if ord > 0 else s.amin(d1, keepdim)
    return _write(out, r, 'linalg_matrix_norm')


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    _keepdim_overloads('linalg_norm', A, keepdim)
    if dim is not None:
        dim = [dim] if isinstance(dim, int) else list(dim)
        if len(dim) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {dim}")
    elif ord is not None and A._data.ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                           f"Got {A._data.ndim}D.")
    if out is not None:
        _check_out_dtype(out, A, dtype, 'linalg.norm')
    if isinstance(ord, str) or (ord is not None and (len(dim) == 2 if dim is not None else A._data.ndim == 2)):
        r = matrix_norm(A, ord, (0, 1) if dim is None else dim, keepdim, dtype=dtype)
    else:
        r = vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    return _write(out, r, 'linalg_norm')


def cond(A, p=None, *, out=None):
    inf = float('inf')
    if isinstance(p, str):
        _check_matrix(f'linalg.cond(ord={p})', A, floats=False)
        if p not in ('fro', 'nuc'):
            raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    else:
        p = 2 if p is None else p
        if A._data.ndim < 2:
            raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
        if abs(p) not in (1, 2, inf):
            raise RuntimeError(f"linalg.cond got an invalid norm type: {_fmt_ord(p)}")
    from ._ops.linalg_ops import _named
    if A._data.size == 0:       # NumPy leaves a 0x0 condition number undefined: torch gives 0
        return _write(out, _make(np.zeros(A._data.shape[:-2], A.dtype.to_real()._np), A.dtype.to_real(),
                                 A._device), 'linalg_cond')
    if p in (2, -2):
        S = svdvals(A)
        r = S[..., 0] / S[..., -1] if p == 2 else S[..., -1] / S[..., 0]
        return _write(out, _named('SqueezeBackward1', r), 'linalg_cond')
    if p == 'nuc':
        S = svdvals(A)
        return _write(out, S.sum(-1) * S.reciprocal().sum(-1), 'linalg_cond')
    if not isinstance(p, str):
        _check_matrix(f'linalg.cond(ord={_fmt_ord(p)})', A, floats=False)
    Ai, info = inv_ex(A)      # a singular matrix has an infinite condition number
    Ai = Ai.masked_fill((info > 0).unsqueeze(-1).unsqueeze(-1), inf)
    r = (matrix_norm(A, p) * matrix_norm(Ai, p)).nan_to_num(inf, inf, -inf)
    return _write(out, r, 'linalg_cond')


def _fmt_ord(p):
    """An order as torch prints a double: 3, 2.5, inf, -inf."""
    return ('-inf' if p < 0 else 'inf') if abs(p) == float('inf') else f'{p:g}'


def tensorinv(A, ind=2, *, out=None):
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    shp = A._data.shape
    rows, cols = math.prod(shp[:ind]), math.prod(shp[ind:])
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    Ai, info = inv_ex(A.reshape(rows, cols))
    if info._data:
        raise _LinAlgError(f"inv: The diagonal element {int(info._data)} is zero, the inversion could not be "
                           f"completed because the input matrix is singular.")
    from ._ops.linalg_ops import _named
    return _write(out, _named('ReshapeAliasBackward0', Ai.reshape(shp[ind:] + shp[:ind])), 'linalg_tensorinv')


def tensorsolve(A, B, dims=None, *, out=None):
    if dims is not None:
        nd = A._data.ndim
        A = A.movedim(dims, tuple(range(nd - len(dims), nd)))
    shp = A._data.shape[B._data.ndim:]
    return solve(A.reshape(B._data.size, -1), B.reshape(-1)).reshape(shp)


def vander(x, *, N=None):
    if not (x.dtype in (D.float32, D.float64, D.complex64, D.complex128) or x.dtype._cat == 1):
        raise RuntimeError(f"linalg.vander supports floating point, complex, and integer tensors, but got "
                           f"{D.type_name(x.dtype)}")
    if x._data.ndim == 0:
        x = x.reshape(1)
    n = x._data.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    from . import cat
    powers = x.unsqueeze(-1).expand(x._data.shape + (n - 1,)).cumprod(-1)
    return cat([powers.new_ones(x._data.shape + (1,)), powers], -1)


# --- LU, LDL and Householder factorizations (in _ops/factorizations.py) ------------------------

def _factorizations():
    from ._ops import factorizations
    return factorizations


def lu_factor(A, *, pivot=True, out=None):
    return _write(out, _factorizations().lu_factor(A, pivot=pivot), 'linalg_lu_factor')


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    return _write(out, _factorizations().lu_factor_ex(A, pivot=pivot, check_errors=check_errors),
                  'linalg_lu_factor_ex')


def lu(A, *, pivot=True, out=None):
    return _write(out, _factorizations().lu(A, pivot=pivot), 'linalg_lu')


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    return _write(out, _factorizations().lu_solve_linalg(LU, pivots, B, left=left, adjoint=adjoint),
                  'linalg_lu_solve')


def householder_product(A, tau, *, out=None):
    return _factorizations().householder_product(A, tau, out=out)


def ldl_factor_ex(A, *, hermitian=False, check_errors=False, out=None):
    return _write(out, _factorizations().ldl_factor_ex(A, hermitian=hermitian, check_errors=check_errors),
                  'linalg_ldl_factor_ex')


def ldl_factor(A, *, hermitian=False, out=None):
    return _write(out, _factorizations().ldl_factor(A, hermitian=hermitian), 'linalg_ldl_factor')


def ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    return _write(out, _factorizations().ldl_solve(LD, pivots, B, hermitian=hermitian), 'linalg_ldl_solve')


# --- out= for results that are tuples -----------------------------------------------------------

def _write(out, res, name):
    if out is None:
        return res
    from ._ops._core import write_out
    if isinstance(res, tuple):
        for o, r in zip(out, res):
            write_out(o, r, name)
        return out if not hasattr(res, '_fields') else type(res)(*out)
    return write_out(out, res, name)

