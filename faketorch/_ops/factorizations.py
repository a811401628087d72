"""LU factorization (getrf with partial pivoting, vectorised over the batch), lu_solve, lu_unpack,
ldl_factor / ldl_solve and householder_product, with torch's derivatives in tensor ops."""
import numpy as np

from .. import _dtype as D
from .. import return_types as RT
from .._tensor import Tensor, _make
from ..autograd.grad_mode import state as grad_state
from ._core import attach, needs, register

_lu_factor_ex_t = RT._make_type('linalg_lu_factor_ex', ('LU', 'pivots', 'info'))
_lu_factor_t = RT._make_type('linalg_lu_factor', ('LU', 'pivots'))
_lu_t = RT._make_type('linalg_lu', ('P', 'L', 'U'))
_lu_unpack_t = RT._make_type('lu_unpack', ('P', 'L', 'U'))
_lu_with_info_t = RT._make_type('_lu_with_info', ('LU', 'pivots', 'info'))
_ldl_factor_ex_t = RT._make_type('linalg_ldl_factor_ex', ('LD', 'pivots', 'info'))
_ldl_factor_t = RT._make_type('linalg_ldl_factor', ('LD', 'pivots'))


def _grad_on(*ts):
    return grad_state.enabled and any(isinstance(t, Tensor) and t._requires_grad for t in ts)


def _mH(x):
    return x.mT.conj() if x.dtype.is_complex else x.mT


def _const(a, like):
    return _make(np.ascontiguousarray(a), like.dtype, like._device)


def _tril(x, k=0):
    """tril as a product with a constant mask, so it is differentiable in any order."""
    m, n = x._data.shape[-2:]
    return x * _const(np.tri(m, n, k, dtype=x.dtype._np), x)


def _triu(x, k=0):
    m, n = x._data.shape[-2:]
    return x * _const(1 - np.tri(m, n, k - 1, dtype=x.dtype._np), x)


# --- the factorization on arrays ----------------------------------------------------------------

def _getrf(a):
    """LU with partial pivoting as LAPACK getrf: the pivot is the first entry of largest |re|+|im|
    (i?amax); a zero pivot is recorded in info and its column is left unscaled.
    Returns (packed LU, 1-based int32 pivots, int32 info)."""
    lu = np.array(a, copy=True)
    m, n = lu.shape[-2:]
    k = min(m, n)
    batch = lu.shape[:-2]
    flat = lu.reshape((-1, m, n))
    rows = np.arange(flat.shape[0])
    piv = np.zeros((flat.shape[0], k), np.int32)
    info = np.zeros(flat.shape[0], np.int32)
    for j in range(k):
        col = flat[:, j:, j]
        mag = np.abs(col.real) + np.abs(col.imag) if np.iscomplexobj(col) else np.abs(col)
        p = j + np.argmax(mag, axis=1) if m > j else np.full(flat.shape[0], j)
        piv[:, j] = p + 1
        rj, rp = flat[rows, j].copy(), flat[rows, p].copy()
        flat[rows, j], flat[rows, p] = rp, rj
        d = flat[:, j, j]
        zero = d == 0
        info = np.where((info == 0) & zero, j + 1, info).astype(np.int32)
        f = flat[:, j + 1:, j] / np.where(zero, 1, d)[:, None]
        f[zero] = flat[zero, j + 1:, j]
        flat[:, j + 1:, j] = f
        f = np.where(zero[:, None], 0, f)
        flat[:, j + 1:, j + 1:] -= f[:, :, None] * flat[:, j:j + 1, j + 1:]
    return flat.reshape(lu.shape), piv.reshape(batch + (k,)), info.reshape(batch)


def _perm(piv, m):
    """Row order of P^T A (= L U) from LAPACK's sequence of interchanges."""
    flat = piv.reshape((-1, piv.shape[-1])).astype(np.int64) - 1
    perm = np.broadcast_to(np.arange(m), (flat.shape[0], m)).copy()
    rows = np.arange(flat.shape[0])
    for j in range(flat.shape[1]):
        p = flat[:, j]
        a, b = perm[rows, j].copy(), perm[rows, p].copy()
        perm[rows, j], perm[rows, p] = b, a
    return perm.reshape(piv.shape[:-1] + (m,))


def _perm_matrix(piv, m, dtype):
    perm = _perm(piv, m)
    P = np.zeros(perm.shape + (m,), dtype)
    np.put_along_axis(P, perm[..., None], 1, axis=-1)   # (P^T)[i, perm[i]] = 1
    return np.swapaxes(P, -1, -2)


def _unpack_data(lu):
    m, n = lu.shape[-2:]
    k = min(m, n)
    L = np.tril(lu[..., :, :k], -1) + np.eye(m, k, dtype=lu.dtype)
    U = np.triu(lu[..., :k, :])
    return L, U


# --- derivatives ----------------------------------------------------------------------------------

def _lu_grad(P, L, U, gL, gU):
    """Gradient of A = P L U (any m x n) from the gradients of L and U (either may be None)."""
    m, n = L._data.shape[-2], U._data.shape[-1]
    k = min(m, n)
    from ..linalg import solve_triangular
    if gL is None:
        gL = L * 0
    if gU is None:
        gU = U * 0
    if m <= n:     # wide or square: A = P L [U1 U2]
        U1, gU1 = U[..., :, :k], gU[..., :, :k]
        phi = _mH(L).matmul(gL)
        if m < n:
            U2, gU2 = U[..., :, k:], gU[..., :, k:]
            phi = phi - gU2.matmul(_mH(U2))
        phi = _tril(phi, -1) + _triu(gU1.matmul(_mH(U1)))
        gX1 = solve_triangular(_mH(U1), phi, upper=False, left=False)
        gX = gX1 if m == n else _cat(gX1, gU2, -1)
        gA = solve_triangular(_mH(L), gX, upper=True, unitriangular=True)
    else:          # tall: A = P [L1; L2] U
        L1, gL1 = L[..., :k, :], gL[..., :k, :]
        L2, gL2 = L[..., k:, :], gL[..., k:, :]
        phi = _tril(_mH(L1).matmul(gL1), -1) + _triu(gU.matmul(_mH(U)) - _mH(L2).matmul(gL2))
        gY1 = solve_triangular(_mH(L1), phi, upper=True, unitriangular=True)
        gY = _cat(gY1, gL2, -2)
        gA = solve_triangular(_mH(U), gY, upper=False, left=False)
    return P.matmul(gA) if P is not None else gA


def _cat(a, b, dim):
    from .. import cat
    return cat([a, b], dim)


# --- torch.linalg.lu_factor_ex / lu_factor / lu -------------------------------------------------

def _check_lu_input(name, A):
    if A._data.ndim < 2:
        raise RuntimeError(f"{name}: Expected tensor with 2 or more dimensions. Got size: "
                           f"{list(A._data.shape)} instead")
    if A.dtype._cat < 2:
        raise NotImplementedError(f"\"lu_cpu\" not implemented for '{D.type_name(A.dtype)}'")


def _factor(A, name, pivot):
    _check_lu_input(name, A)
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    lu, piv, info = _getrf(A._data)
    LU = _make(lu, A.dtype, A._device)
    pivots = _make(piv, D.int32, A._device)
    info_t = _make(np.asarray(info, np.int32), D.int32, A._device)
    if _grad_on(A):
        def bwd(node, g, *_):
            LU_, = node.saved_tensors
            L, U = _unpack_tensors(LU_)
            P = _const(_perm_matrix(piv, lu.shape[-2], lu.dtype), LU_)
            m, n = lu.shape[-2:]
            k = min(m, n)
            gL = _tril(g[..., :, :k], -1)
            gU = _triu(g[..., :k, :])
            return _lu_grad(P, L, U, gL, gU)
        attach('LinalgLuFactorExBackward0', bwd, (A,), (LU, pivots, info_t), save=(LU,))
        pivots._requires_grad = info_t._requires_grad = False
        pivots._grad_fn = info_t._grad_fn = None
    return LU, pivots, info_t, info


def _unpack_tensors(LU):
    """L, U from a packed factor, in tensor ops (differentiable)."""
    m, n = LU._data.shape[-2:]
    k = min(m, n)
    L = _tril(LU[..., :, :k], -1) + _const(np.eye(m, k, dtype=LU.dtype._np), LU)
    U = _triu(LU[..., :k, :])
    return L, U


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    LU, piv, info_t, info = _factor(A, 'torch.linalg.lu_factor_ex', pivot)
    if check_errors and np.any(info):
        _raise_singular('torch.linalg.lu_factor_ex', A, info)
    return _lu_factor_ex_t(LU, piv, info_t)


def _raise_singular(name, A, info):
    flat = info.reshape(-1)
    i = int(np.flatnonzero(flat)[0])
    k = int(flat[i])
    pre = f"(Batch element {i}): " if A._data.ndim > 2 else ''
    raise RuntimeError(f"{name}: {pre}U[{k},{k}] is zero and using it on lu_solve would result in a "
                       f"division by zero. If you still want to perform the factorization, consider "
                       f"calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")


def lu_factor(A, *, pivot=True, out=None):
    LU, piv, _, info = _factor(A, 'torch.lu_factor', pivot)
    if np.any(info):
        _raise_singular('torch.linalg.lu_factor', A, info)
    return _lu_factor_t(LU, piv)


def lu(A, *, pivot=True, out=None):
    _check_lu_input('linalg.lu', A)
    a = A._data
    m, n = a.shape[-2:]
    if pivot:
        lu_, piv, _ = _getrf(a)
        P = _perm_matrix(piv, m, a.dtype)
    else:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    Ld, Ud = _unpack_data(lu_)
    Pt = _make(P, A.dtype, A._device)
    L = _make(np.ascontiguousarray(Ld), A.dtype, A._device)
    U = _make(np.ascontiguousarray(Ud), A.dtype, A._device)
    if _grad_on(A):
        def bwd(node, gP, gL, gU):
            L_, U_ = node.saved_tensors
            return _lu_grad(_const(P, L_), L_, U_, gL, gU)
        attach('LinalgLuBackward0', bwd, (A,), (Pt, L, U), save=(L, U))
        Pt._requires_grad, Pt._grad_fn = False, None
    return _lu_t(Pt, L, U)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    lu_ = LU_data._data
    m, n = lu_.shape[-2:]
    empty = _make(np.zeros((0,), lu_.dtype), LU_data.dtype, LU_data._device)
    P = _make(_perm_matrix(LU_pivots._data, m, lu_.dtype), LU_data.dtype, LU_data._device) \
        if unpack_pivots else empty
    if unpack_data:
        Ld, Ud = _unpack_data(lu_)
        L = _make(np.ascontiguousarray(Ld), LU_data.dtype, LU_data._device)
        U = _make(np.ascontiguousarray(Ud), LU_data.dtype, LU_data._device)
    else:
        L = _make(np.zeros((0,), lu_.dtype), LU_data.dtype, LU_data._device)
        U = _make(np.zeros((0,), lu_.dtype), LU_data.dtype, LU_data._device)
    if _grad_on(LU_data):
        k = min(m, n)

        def bwd(node, gP, gL, gU):
            g = None
            if gL is not None and unpack_data:
                g = _pad(_tril(gL, -1), m, n)
            if gU is not None and unpack_data:
                gu = _pad(_triu(gU), m, n)
                g = gu if g is None else g + gu
            return g if g is not None else LU_data.new_zeros(lu_.shape)
        attach('LuUnpackBackward0', bwd, (LU_data,), (P, L, U))
        P._requires_grad, P._grad_fn = False, None
    return _lu_unpack_t(P, L, U)


def _pad(x, m, n):
    """A gradient of shape (m, k) or (k, n) placed into an (m, n) zero matrix."""
    r, c = x._data.shape[-2:]
    from ..nn.functional import pad
    return pad(x, (0, n - c, 0, m - r)) if (r, c) != (m, n) else x


# --- lu_solve -------------------------------------------------------------------------------------

def _lu_solve_data(lu, piv, b, adjoint):
    L, U = _unpack_data(lu)
    n = lu.shape[-1]
    perm = _perm(piv, n)
    batch = np.broadcast_shapes(lu.shape[:-2], b.shape[:-2])
    L = np.broadcast_to(L, batch + L.shape[-2:])
    U = np.broadcast_to(U, batch + U.shape[-2:])
    perm = np.broadcast_to(perm, batch + perm.shape[-1:])
    b = np.broadcast_to(b, batch + b.shape[-2:])
    if not adjoint:     # L U x = P^T b
        pb = np.take_along_axis(b, perm[..., None], -2)
        return np.linalg.solve(U, np.linalg.solve(L, pb))
    # U^H L^H y = b, x = P y
    cj = np.conj if np.iscomplexobj(lu) else (lambda v: v)
    y = np.linalg.solve(cj(np.swapaxes(L, -1, -2)), np.linalg.solve(cj(np.swapaxes(U, -1, -2)), b))
    x = np.empty_like(y)
    np.put_along_axis(x, np.broadcast_to(perm[..., None], y.shape), y, axis=-2)
    return x


def lu_solve_linalg(LU, pivots, B, *, left=True, adjoint=False, out=None):
    if not left:    # X A = B  <=>  A^H X^H = B^H
        X = lu_solve_linalg(LU, pivots, _mH(B), adjoint=not adjoint)
        X = _mH(X)
        if X._requires_grad and X._grad_fn is not None:
            from .linalg_ops import _named
            X = _named('LinalgLuSolveBackward0', X)
        return X
    if LU.dtype is not B.dtype:
        raise RuntimeError(f"linalg.lu_solve: Expected LU and B to have the same dtype, but found LU of type "
                           f"{D.type_name(LU.dtype)} and B of type {D.type_name(B.dtype)} instead")
    n = LU._data.shape[-1]
    if B._data.shape[-2] != n:
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if not adjoint else 'A^H X = B'} ({LU._data.shape[-2]}x{n} and "
                           f"{B._data.shape[-2]}x{B._data.shape[-1]})")
    x = _lu_solve_data(LU._data, pivots._data, B._data, adjoint)
    X = _make(np.ascontiguousarray(x).astype(LU.dtype._np, copy=False), LU.dtype, LU._device)
    if _grad_on(LU, B):
        def bwd(node, g):
            LU_, X_ = node.saved_tensors
            gB = lu_solve_linalg(LU_, pivots, g, adjoint=not adjoint)
            gLU = None
            if needs(node, 0):
                gA = -gB.matmul(_mH(X_)) if not adjoint else -X_.matmul(_mH(gB))
                L, U = _unpack_tensors(LU_)
                PtgA = _const(_perm_matrix(pivots._data, n, LU_.dtype._np), LU_).mT.matmul(gA)
                gLU = _tril(PtgA.matmul(_mH(U)), -1) + _triu(_mH(L).matmul(PtgA))
            return gLU, None, (gB if needs(node, 2) else None)
        attach('LinalgLuSolveBackward0', bwd, (LU, pivots, B), (X,), save=(LU, X))
    return X


# --- legacy spellings: torch.lu, torch.lu_solve, Tensor.lu ----------------------------------------

def _lu_legacy(A, pivot=True, get_infos=False, out=None):
    LU, piv, info_t, info = _factor(A, 'torch.lu_factor' if get_infos else 'torch.lu_factor', pivot)
    if get_infos:
        return _lu_with_info_t(LU, piv, info_t)
    if np.any(info):
        _raise_singular('torch.linalg.lu_factor', A, info)
    return LU, piv


def lu_solve(b, LU_data, LU_pivots, *, out=None):
    return lu_solve_linalg(LU_data, LU_pivots, b)


def _lu_method(self, pivot=True, get_infos=False):
    # Tensor.lu unpacks torch._lu_with_info into a plain tuple; torch.lu returns the named one
    LU, piv, info = _lu_legacy(self, pivot, True)
    if get_infos:
        return LU, piv, info
    _lu_legacy(self, pivot) if np.any(info._data) else None
    return LU, piv


register(_lu_legacy, name='lu', method=False)
Tensor.lu = _lu_method
register(lu_solve)
register(lu_unpack, method=False)


# --- Householder: geqrf, householder_product (orgqr), ormqr ---------------------------------------
# LAPACK's convention: H_i = I - tau_i v_i v_i^H, v_i[i] = 1 implicit, v_i below the diagonal of
# column i; Q = H_1 H_2 ... H_k.

_geqrf_t = RT._make_type('geqrf', ('a', 'tau'))


def _larfg(alpha, x):
    """LAPACK ?larfg over a batch: (beta, tau, v) with H^H [alpha; x] = [beta; 0].
    alpha: (B,), x: (B, r). Real tau is 0 when x == 0; complex also needs imag(alpha) == 0."""
    xnorm = np.sqrt((np.abs(x) ** 2).sum(-1)) if x.shape[-1] else np.zeros(alpha.shape, alpha.real.dtype)
    ar = alpha.real
    beta = -np.copysign(np.sqrt(np.abs(alpha) ** 2 + xnorm ** 2), np.where(ar == 0, 1, ar))
    if np.iscomplexobj(alpha):
        trivial = (xnorm == 0) & (alpha.imag == 0)
    else:
        trivial = xnorm == 0
    safe_beta = np.where(trivial, 1, beta)
    tau = (safe_beta - ar) / safe_beta
    if np.iscomplexobj(alpha):
        tau = tau - 1j * alpha.imag / safe_beta
    tau = np.where(trivial, 0, tau).astype(alpha.dtype)
    denom = np.where(trivial, 1, alpha - safe_beta)
    v = np.where(trivial[:, None], x, x * (1 / denom)[:, None]).astype(alpha.dtype)
    return np.where(trivial, alpha, beta).astype(alpha.dtype), tau, v


def _geqrf_data(a):
    m, n = a.shape[-2:]
    k = min(m, n)
    flat = np.array(a.reshape((int(np.prod(a.shape[:-2])), m, n)), copy=True)
    tau = np.zeros((flat.shape[0], k), a.dtype)
    for i in range(k):
        beta, t, v = _larfg(flat[:, i, i], flat[:, i + 1:, i])
        flat[:, i, i], flat[:, i + 1:, i], tau[:, i] = beta, v, t
        if i + 1 < n:           # apply H_i^H to the trailing columns
            vv = np.concatenate([np.ones((flat.shape[0], 1), a.dtype), v], -1)
            c = flat[:, i:, i + 1:]
            w = np.einsum('bm,bmn->bn', vv.conj(), c)
            c -= (t.conj()[:, None] * vv)[:, :, None] * w[:, None, :]
    return flat.reshape(a.shape), tau.reshape(a.shape[:-2] + (k,))


def geqrf(input, *, out=None):
    if input._data.ndim < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    if input.dtype._cat < 2:
        raise NotImplementedError(f"\"geqrf_cpu\" not implemented for '{D.type_name(input.dtype)}'")
    a, tau = _geqrf_data(input._data)
    res = _geqrf_t(_make(a, input.dtype, input._device), _make(tau, input.dtype, input._device))
    if out is not None:
        from ..linalg import _write
        return _write(out, res, 'geqrf')
    return res


def _reflectors(A, k):
    """The unit lower-trapezoidal V (m x k) of the packed reflectors, as tensor ops."""
    m = A._data.shape[-2]
    return _tril(A[..., :, :k], -1) + _const(np.eye(m, k, dtype=A.dtype._np), A)


def _apply_reflectors(V, tau, C, left, adjoint):
    """op(Q) C (left) or C op(Q) (right), Q = H_1 ... H_k, op = conjugate transpose when adjoint;
    one reflector at a time in tensor ops, so autograd differentiates it (any order)."""
    k = tau._data.shape[-1]
    order = range(k) if left == adjoint else range(k - 1, -1, -1)
    cplx = tau.dtype.is_complex
    for i in order:
        v = V[..., :, i:i + 1]
        t = tau[..., i:i + 1].unsqueeze(-1)
        if adjoint and cplx:
            t = t.conj()
        if left:     # H C = C - tau v (v^H C)
            C = C - (t * v).matmul(_mH(v).matmul(C))
        else:        # C H = C - tau (C v) v^H
            C = C - (C.matmul(v) * t).matmul(_mH(v))
    return C


def householder_product(input, tau, *, out=None):
    name = 'torch.linalg.householder_product'
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    m, n = input._data.shape[-2:]
    if m < n:
        raise RuntimeError(f"{name}: input.shape[-2] must be greater than or equal to input.shape[-1]")
    k = tau._data.shape[-1] if tau._data.ndim else 1
    if n < k:
        raise RuntimeError(f"{name}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    if tau._data.ndim != input._data.ndim - 1 or tau._data.shape[:-1] != input._data.shape[:-2]:
        raise RuntimeError(f"{name}: Expected batch dimensions of tau to be equal to input.shape[:-2], "
                           f"but got {list(tau._data.shape[:-1])}")
    if tau.dtype is not input.dtype:
        raise RuntimeError(f"{name}: tau dtype {D.type_name(tau.dtype)} does not match input dtype "
                           f"{D.type_name(input.dtype)}")
    I = _const(np.broadcast_to(np.eye(m, n, dtype=input.dtype._np), input._data.shape), input)
    Q = _apply_reflectors(_reflectors(input, k), tau, I, True, False)
    if not Q._requires_grad:
        Q = _make(np.ascontiguousarray(Q._data), input.dtype, input._device)
    from .linalg_ops import _named
    Q = _named('LinalgHouseholderProductBackward0', Q)
    if out is not None:
        from ..linalg import _write
        return _write(out, Q, 'linalg_householder_product')
    return Q


def orgqr(input, tau):
    return householder_product(input, tau)


def ormqr(input, tau, other, left=True, transpose=False, *, out=None):
    name = 'torch.ormqr'
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    if other._data.ndim < 2:
        raise RuntimeError(f"{name}: other must have at least 2 dimensions.")
    mn = other._data.shape[-2] if left else other._data.shape[-1]
    if mn != input._data.shape[-2]:
        raise RuntimeError(f"{name}: other.shape[{-2 if left else -1}] must be equal to input.shape[-2]")
    k = tau._data.shape[-1]
    if k > min(mn, input._data.shape[-1]):
        raise RuntimeError(f"{name}: tau.shape[-1] must be equal to min(other.shape[{-2 if left else -1}], "
                           f"input.shape[-1])")
    for t, what in ((tau, 'tau'), (other, 'other')):
        if t.dtype is not input.dtype:
            raise RuntimeError(f"{name}: Expected input and {what} to have the same dtype, but input has "
                               f"dtype {input.dtype} and {what} has dtype {t.dtype}")
    r = _apply_reflectors(_reflectors(input, k), tau, other, left, transpose)
    if not r._requires_grad:
        r = _make(np.ascontiguousarray(r._data), input.dtype, input._device)
    from .linalg_ops import _named
    r = _named('OrmqrBackward0', r)
    if out is not None:
        from ._core import write_out
        return write_out(out, r, 'ormqr')
    return r


register(geqrf)
register(orgqr)
register(ormqr)
