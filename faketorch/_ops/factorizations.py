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
