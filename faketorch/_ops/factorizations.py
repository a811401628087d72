"""LU factorization (getrf with partial pivoting, vectorised over the batch), lu_solve, lu_unpack,
ldl_factor / ldl_solve and householder_product, with torch's derivatives in tensor ops."""
from .. import _xnp as np

from .. import _dtype as D
from .. import return_types as RT
from .._tensor import Tensor, _make
from ._core import attach, needs, register, requires_grad, warn_once

_lu_factor_ex_t = RT._make_type('linalg_lu_factor_ex', ('LU', 'pivots', 'info'))
_lu_factor_t = RT._make_type('linalg_lu_factor', ('LU', 'pivots'))
_lu_t = RT._make_type('linalg_lu', ('P', 'L', 'U'))
_lu_unpack_t = RT._make_type('lu_unpack', ('P', 'L', 'U'))
_lu_with_info_t = RT._make_type('_lu_with_info', ('LU', 'pivots', 'info'))
_ldl_factor_ex_t = RT._make_type('linalg_ldl_factor_ex', ('LD', 'pivots', 'info'))
_ldl_factor_t = RT._make_type('linalg_ldl_factor', ('LD', 'pivots'))


_grad_on = requires_grad      # any tensor requiring grad, with grad mode on


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
    if lu.size == 0:
        return lu, np.ones(batch + (k,), np.int32, like=lu) * np.arange(1, k + 1, dtype=np.int32, like=lu), \
            np.zeros(batch, np.int32, like=lu)
    flat = lu.reshape((-1, m, n))
    rows = np.arange(flat.shape[0], like=lu)
    piv = np.zeros((flat.shape[0], k), np.int32, like=lu)
    info = np.zeros(flat.shape[0], np.int32, like=lu)
    for j in range(k):
        col = flat[:, j:, j]
        mag = np.abs(col.real) + np.abs(col.imag) if np.iscomplexobj(col) else np.abs(col)
        p = j + np.argmax(mag, axis=1) if m > j else np.full(flat.shape[0], j, like=lu)
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
    if piv.size == 0:
        return np.broadcast_to(np.arange(m, like=piv), piv.shape[:-1] + (m,)).copy()
    flat = piv.reshape((-1, piv.shape[-1])).astype(np.int64) - 1
    perm = np.broadcast_to(np.arange(m, like=piv), (flat.shape[0], m)).copy()
    rows = np.arange(flat.shape[0], like=piv)
    for j in range(flat.shape[1]):
        p = flat[:, j]
        a, b = perm[rows, j].copy(), perm[rows, p].copy()
        perm[rows, j], perm[rows, p] = b, a
    return perm.reshape(piv.shape[:-1] + (m,))


def _perm_matrix(piv, m, dtype):
    perm = _perm(piv, m)
    P = np.zeros(perm.shape + (m,), dtype, like=perm)
    np.put_along_axis(P, perm[..., None], 1, axis=-1)   # (P^T)[i, perm[i]] = 1
    return np.swapaxes(P, -1, -2)


def _unpack_data(lu):
    m, n = lu.shape[-2:]
    k = min(m, n)
    L = np.tril(lu[..., :, :k], -1) + np.eye(m, k, dtype=lu.dtype, like=lu)
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
    from ..linalg import _check_kernel
    _check_kernel('lu_cpu', A)


def _check_pivot(A, pivot):
    if not pivot and A._data.size:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")


def _factor(A, name, pivot):
    _check_lu_input(name, A)
    _check_pivot(A, pivot)
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
    LU, piv, info_t, info = _factor(A, 'torch.lu_factor', pivot)
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
    _check_pivot(A, pivot)
    a = A._data
    m, n = a.shape[-2:]
    lu_, piv, _ = _getrf(a)
    P = _perm_matrix(piv, m, a.dtype) if pivot else np.zeros((0,), a.dtype, like=a)
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

_LU_DEPRECATED = ("torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and will "
                  "be removed in a future PyTorch release.\nLU, pivots = torch.lu(A, compute_pivots)\nshould be "
                  "replaced with\nLU, pivots = torch.linalg.lu_factor(A, compute_pivots)\nand\nLU, pivots, info = "
                  "torch.lu(A, compute_pivots, get_infos=True)\nshould be replaced with\nLU, pivots, info = "
                  "torch.linalg.lu_factor_ex(A, compute_pivots) (Triggered internally at "
                  "/__w/pytorch/pytorch/aten/src/ATen/native/BatchLinearAlgebra.cpp:2073.)")


def _lu_legacy(A, pivot=True, get_infos=False, out=None):
    warn_once(_LU_DEPRECATED)       # torch._lu_with_info warns once per process
    # torch._lu_with_info never raises for a singular matrix, whatever check_errors says
    LU, piv, info_t, info = _factor(A, 'torch.lu_factor', pivot)
    if get_infos:
        return _lu_with_info_t(LU, piv, info_t)
    return LU, piv


def lu_solve(b, LU_data, LU_pivots, *, out=None):
    return lu_solve_linalg(LU_data, LU_pivots, b)


def _lu_method(self, pivot=True, get_infos=False):
    # Tensor.lu unpacks torch._lu_with_info into a plain tuple; torch.lu returns the named one
    warn_once(_LU_DEPRECATED)
    LU, piv, info = _lu_legacy(self, pivot, True)
    return (LU, piv, info) if get_infos else (LU, piv)


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
    xnorm = np.sqrt((np.abs(x) ** 2).sum(-1)) if x.shape[-1] else np.zeros(alpha.shape, alpha.real.dtype, like=alpha)
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
    tau = np.zeros((flat.shape[0], k), a.dtype, like=a)
    for i in range(k):
        beta, t, v = _larfg(flat[:, i, i], flat[:, i + 1:, i])
        flat[:, i, i], flat[:, i + 1:, i], tau[:, i] = beta, v, t
        if i + 1 < n:           # apply H_i^H to the trailing columns
            vv = np.concatenate([np.ones((flat.shape[0], 1), a.dtype, like=a), v], -1)
            c = flat[:, i:, i + 1:]
            w = np.einsum('bm,bmn->bn', vv.conj(), c)
            c -= (t.conj()[:, None] * vv)[:, :, None] * w[:, None, :]
    return flat.reshape(a.shape), tau.reshape(a.shape[:-2] + (k,))


def geqrf(input, *, out=None):
    if input._data.ndim < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    from ..linalg import _check_kernel
    _check_kernel('geqrf_cpu', input)
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


def _finish(name, r, inputs, passed=None):
    """A composite's result under torch's grad_fn name; with no reflectors the result does not depend
    on the reflectors, but torch still records the node (undefined gradients; `passed`, the index of an
    input the result is a copy of then, gets the gradient itself: ormqr's other)."""
    if r._grad_fn is not None and r._requires_grad:
        from .linalg_ops import _named
        return _named(name, r)
    r = _make(np.ascontiguousarray(r._data), r.dtype, r._device)
    if _grad_on(*inputs):
        attach(name, lambda node, g: tuple(g if i == passed else None for i in range(len(inputs))), inputs, (r,))
    return r


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
    Q = _finish('LinalgHouseholderProductBackward0', Q, (input, tau))
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
    r = _finish('OrmqrBackward0', r, (input, tau, other), passed=2)
    if out is not None:
        from ._core import write_out
        return write_out(out, r, 'ormqr')
    return r


register(geqrf)
register(orgqr)
register(ormqr)


# --- LDL: ldl_factor (LAPACK ?sytf2 / ?hetf2, lower, Bunch-Kaufman) and ldl_solve (?sytrs) -------

_BK_ALPHA = (1 + 17 ** 0.5) / 8


def _cabs1(x):
    return np.abs(x.real) + np.abs(x.imag) if np.iscomplexobj(x) else np.abs(x)


def _sytf2(a, herm):
    """One matrix, in place (lower triangle): LAPACK's unblocked Bunch-Kaufman, the path torch takes
    for matrices smaller than the block size. Returns (1-based pivots, info)."""
    n = a.shape[0]
    cj = np.conj if herm else (lambda v: v)
    dg = (lambda v: abs(v.real)) if herm else _cabs1
    ipiv = np.zeros(n, np.int32)
    info = 0
    k = 0
    while k < n:
        kstep = 1
        absakk = dg(a[k, k])
        if k + 1 < n:
            imax = k + 1 + int(np.argmax(_cabs1(a[k + 1:, k])))
            colmax = _cabs1(a[imax, k])
        else:
            imax, colmax = k, 0.0
        if max(absakk, colmax) == 0 or np.isnan(absakk):
            info = info or k + 1
            kp = k
            if herm:
                a[k, k] = a[k, k].real
        else:
            if absakk >= _BK_ALPHA * colmax:
                kp = k
            else:
                rowmax = np.max(_cabs1(a[imax, k:imax]))
                if imax + 1 < n:
                    rowmax = max(rowmax, np.max(_cabs1(a[imax + 1:, imax])))
                if absakk >= _BK_ALPHA * colmax * (colmax / rowmax):
                    kp = k
                elif dg(a[imax, imax]) >= _BK_ALPHA * rowmax:
                    kp = imax
                else:
                    kp, kstep = imax, 2
            kk = k + kstep - 1
            if kp != kk:     # symmetric interchange of rows/columns kk and kp in A[k:, k:]
                a[kp + 1:, kk], a[kp + 1:, kp] = a[kp + 1:, kp].copy(), a[kp + 1:, kk].copy()
                seg = a[kk + 1:kp, kk].copy()
                a[kk + 1:kp, kk] = cj(a[kp, kk + 1:kp])
                a[kp, kk + 1:kp] = cj(seg)
                if herm:
                    a[kp, kk] = np.conj(a[kp, kk])
                a[kk, kk], a[kp, kp] = a[kp, kp], a[kk, kk]
                if kstep == 2:
                    a[k + 1, k], a[kp, k] = a[kp, k], a[k + 1, k]
            elif herm:
                a[k, k] = a[k, k].real
                if kstep == 2:
                    a[k + 1, k + 1] = a[k + 1, k + 1].real
            if kstep == 1:
                if k + 1 < n:
                    d11 = 1 / (a[k, k].real if herm else a[k, k])
                    x = a[k + 1:, k].copy()
                    a[k + 1:, k + 1:] -= np.tril(d11 * np.outer(x, cj(x)))
                    a[k + 1:, k] = x * d11
            else:
                if k + 2 < n:
                    d21 = a[k + 1, k]
                    if herm:
                        d = abs(d21)
                        d11 = a[k + 1, k + 1].real / d
                        d22 = a[k, k].real / d
                        tt = 1 / (d11 * d22 - 1)
                        d21 = d21 / d
                        dd = tt / d
                        wk = dd * (d11 * a[k + 2:, k] - d21 * a[k + 2:, k + 1])
                        wkp1 = dd * (d22 * a[k + 2:, k + 1] - np.conj(d21) * a[k + 2:, k])
                    else:
                        d11 = a[k + 1, k + 1] / d21
                        d22 = a[k, k] / d21
                        tt = 1 / (d11 * d22 - 1)
                        d21 = tt / d21
                        wk = d21 * (d11 * a[k + 2:, k] - a[k + 2:, k + 1])
                        wkp1 = d21 * (d22 * a[k + 2:, k + 1] - a[k + 2:, k])
                    a[k + 2:, k + 2:] -= np.tril(np.outer(a[k + 2:, k], cj(wk)) + np.outer(a[k + 2:, k + 1], cj(wkp1)))
                    a[k + 2:, k], a[k + 2:, k + 1] = wk, wkp1
        if kstep == 1:
            ipiv[k] = kp + 1
        else:
            ipiv[k] = ipiv[k + 1] = -(kp + 1)
        k += kstep
    return ipiv, info


def _ldl(A, name, hermitian):
    if A._data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    m, n = A._data.shape[-2:]
    if m != n:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {m} by {n} matrices")
    from ..linalg import _check_float, _check_kernel
    _check_float(name, A)
    _check_kernel('ldl_factor_kernel_cpu', A)
    herm = hermitian and A.dtype.is_complex
    flat = np.array(A._data.reshape((int(np.prod(A._data.shape[:-2])), n, n)), copy=True)
    piv = np.zeros((flat.shape[0], n), np.int32)
    info = np.zeros(flat.shape[0], np.int32)
    for b in range(flat.shape[0]):
        piv[b], info[b] = _sytf2(flat[b], herm)
    ld = np.tril(flat).reshape(A._data.shape)
    LD = _make(np.ascontiguousarray(ld), A.dtype, A._device)
    pivots = _make(piv.reshape(A._data.shape[:-1]), D.int32, A._device)
    info_t = _make(info.reshape(A._data.shape[:-2]), D.int32, A._device)
    if _grad_on(A):
        def bwd(node, *g):
            raise RuntimeError("derivative for aten::linalg_ldl_factor_ex is not implemented")
        attach('NotImplemented', bwd, (A,), (LD, pivots, info_t))
        pivots._requires_grad = info_t._requires_grad = False
        pivots._grad_fn = info_t._grad_fn = None
    return LD, pivots, info_t, info


def _ldl_error(name, info):
    # torch's LAPACK error check does not know sytrf's singular-D code (a torch bug, matched here)
    code = int(info.reshape(-1)[np.flatnonzero(info.reshape(-1))[0]])
    raise RuntimeError(f'false INTERNAL ASSERT FAILED at "/__w/pytorch/pytorch/aten/src/ATen/native/'
                       f'BatchLinearAlgebra.cpp":1642, please report a bug to PyTorch. {name}: Unknown '
                       f'error code: {code}.')


def ldl_factor_ex(A, *, hermitian=False, check_errors=False, out=None):
    LD, piv, info_t, info = _ldl(A, 'torch.linalg.ldl_factor_ex', hermitian)
    if check_errors and np.any(info):
        _ldl_error('torch.linalg.ldl_factor_ex', info)
    return _ldl_factor_ex_t(LD, piv, info_t)


def ldl_factor(A, *, hermitian=False, out=None):
    LD, piv, _, info = _ldl(A, 'torch.linalg.ldl_factor_ex', hermitian)
    if np.any(info):
        _ldl_error('torch.linalg.ldl_factor', info)
    return _ldl_factor_t(LD, piv)


def _sytrs(a, ipiv, b, herm):
    """One matrix, b (n, nrhs) in place: LAPACK ?sytrs / ?hetrs, lower."""
    n = a.shape[0]
    cj = np.conj if herm else (lambda v: v)
    k = 0
    while k < n:      # L D y = P b
        if ipiv[k] > 0:
            kp = ipiv[k] - 1
            if kp != k:
                b[[k, kp]] = b[[kp, k]]
            b[k + 1:] -= np.outer(a[k + 1:, k], b[k])
            b[k] = b[k] / (a[k, k].real if herm else a[k, k])
            k += 1
        else:
            kp = -ipiv[k + 1] - 1
            if kp != k + 1:
                b[[k + 1, kp]] = b[[kp, k + 1]]
            b[k + 2:] -= np.outer(a[k + 2:, k], b[k]) + np.outer(a[k + 2:, k + 1], b[k + 1])
            akm1k = a[k + 1, k]
            akm1 = a[k, k] / cj(akm1k)
            ak = a[k + 1, k + 1] / akm1k
            denom = akm1 * ak - 1
            bkm1 = b[k] / cj(akm1k)
            bk = b[k + 1] / akm1k
            b[k] = (ak * bkm1 - bk) / denom
            b[k + 1] = (akm1 * bk - bkm1) / denom
            k += 2
    k = n - 1
    while k >= 0:     # L^T x = y (L^H when Hermitian), undoing the interchanges
        if ipiv[k] > 0:
            b[k] -= cj(a[k + 1:, k]) @ b[k + 1:]
            kp = ipiv[k] - 1
            if kp != k:
                b[[k, kp]] = b[[kp, k]]
            k -= 1
        else:
            b[k] -= cj(a[k + 1:, k]) @ b[k + 1:]
            b[k - 1] -= cj(a[k + 1:, k - 1]) @ b[k + 1:]
            kp = -ipiv[k] - 1
            if kp != k:
                b[[k, kp]] = b[[kp, k]]
            k -= 2
    return b


def ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    name = 'torch.linalg.ldl_solve'
    if LD._data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor LD must have at least 2 dimensions.")
    n = LD._data.shape[-1]
    if LD._data.shape[-2] != n:
        raise RuntimeError(f"{name}: LD must be batches of square matrices, but they are "
                           f"{LD._data.shape[-2]} by {n} matrices")
    if B._data.ndim < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [-{max(B._data.ndim, 1)}, "
                         f"{max(B._data.ndim, 1) - 1}], but got -2)")
    if B._data.shape[-2] != n:
        raise RuntimeError(f"Incompatible matrix sizes for {name}: each A matrix is {n} by {n} but each b "
                           f"matrix is {B._data.shape[-2]} by {B._data.shape[-1]}")
    if B.dtype is not LD.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{D.type_name(B.dtype)} and A of type {D.type_name(LD.dtype)} instead.")
    p = pivots._data
    if pivots.dtype is not D.int32 or (p.size and np.min(np.abs(p)) < 1):
        raise RuntimeError("Pivots given to ldl_solve must all satisfy |pivot| >= 1. Did you properly "
                           "pass the result of ldl_factor?")
    herm = hermitian and LD.dtype.is_complex
    batch = np.broadcast_shapes(LD._data.shape[:-2], B._data.shape[:-2], p.shape[:-1])
    nb = int(np.prod(batch))
    a = np.broadcast_to(LD._data, batch + (n, n)).reshape((nb, n, n))
    pv = np.broadcast_to(p, batch + (n,)).reshape((nb, n))
    x = np.array(np.broadcast_to(B._data, batch + B._data.shape[-2:]).reshape((nb,) + B._data.shape[-2:]))
    for i in range(x.shape[0]):
        _sytrs(a[i], pv[i], x[i], herm)
    X = _make(np.ascontiguousarray(x.reshape(batch + B._data.shape[-2:])), LD.dtype, LD._device)
    if _grad_on(LD, B):
        def bwd(node, g):
            raise RuntimeError("derivative for aten::linalg_ldl_solve is not implemented")
        attach('NotImplemented', bwd, (LD, B), (X,))
    return X
