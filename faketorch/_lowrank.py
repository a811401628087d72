"""torch.svd_lowrank and torch.pca_lowrank: randomized range finding (Halko, Martinsson and Tropp
2009, algorithm 5.1) composed of faketorch ops, so gradients follow and, with the same generator
state, the same random projection as torch's (randn is torch's stream)."""
from . import _dtype as D
from ._ops._core import register

__all__ = ['svd_lowrank', 'pca_lowrank']


def _basis(A, q, niter, M):
    """An orthonormal (m, q) Q whose range approximates A's (minus M's), after niter power steps."""
    import faketorch as torch
    dtype = A.dtype if A.dtype in (D.float16, D.float32, D.float64) or A.dtype.is_complex else D.float32
    R = torch.randn(A.shape[-1], q, dtype=dtype, device=A.device)

    def times(X):           # (A - M) X
        return A @ X if M is None else A @ X - M @ X

    def h_times(X):         # (A - M)^H X
        return A.mH @ X if M is None else A.mH @ X - M.mH @ X
    Q = torch.linalg.qr(times(R)).Q
    for _ in range(niter):
        Q = torch.linalg.qr(h_times(Q)).Q
        Q = torch.linalg.qr(times(Q)).Q
    return Q


def _svd_lowrank(A, q, niter, M):
    import faketorch as torch
    q = 6 if q is None else q
    if M is not None:
        M = M.broadcast_to(A.size())
    wide = A.shape[-2] < A.shape[-1]
    if wide:                # work on the tall one
        A = A.mH
        M = None if M is None else M.mH
    Q = _basis(A, q, niter, M)
    B = Q.mH @ A if M is None else Q.mH @ A - Q.mH @ M
    U, S, Vh = torch.linalg.svd(B, full_matrices=False)
    U, V = Q.matmul(U), Vh.mH
    return (V, S, U) if wide else (U, S, V)


@register(method=False)
def svd_lowrank(A, q=6, niter=2, M=None):
    return _svd_lowrank(A, q, niter, M)


@register(method=False)
def pca_lowrank(A, q=None, center=True, niter=2):
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not (q >= 0 and q <= min(m, n)):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than min(m, n)={min(m, n)}")
    if not niter >= 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if not center:
        return _svd_lowrank(A, q, niter, None)
    return _svd_lowrank(A - A.mean(dim=(-2,), keepdim=True), q, niter, None)
