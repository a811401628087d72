"""torch.lobpcg: the k extreme eigenpairs of a symmetric positive definite (generalized) eigenproblem
A x = lambda B x by Locally Optimal Block Preconditioned Conjugate Gradient iterations, composed of
faketorch ops (sparse A too).

Two variants, as torch offers them: "basic" (Knyazev 2001: Rayleigh-Ritz on [X, P, W] with a
Cholesky-based B-orthonormalisation, the search directions as they come) and "ortho" (Duersch, Shao,
Yang and Gu 2018: W made B-orthonormal and B-orthogonal to [X, P] by repeated SVQB, Stathopoulos
and Wu 2002). Converged pairs are locked, the convergence test is Duersch et al.'s backward-error
criterion. A random start is drawn with randn exactly where torch draws it, so a seed gives torch's
start. Gradients for dense A (B = None) come from the eigen-decomposition's backward: within the
found eigenspace the usual formula, on its complement the solution of a Sylvester equation.
"""
from . import _dtype as D
from ._ops._core import register

__all__ = ['lobpcg']


# --- small linear algebra helpers (None stands for the identity) --------------------------------------
def _mm(A, X):
    import faketorch as torch
    if A is None:
        return X
    if A.layout == torch.sparse_coo:
        return torch.sparse.mm(A, X)
    return torch.matmul(A, X)


def _qform(A, S):
    """S^T A S."""
    return S.mT @ _mm(A, S)


def _eigh(M, largest=False):
    """Eigenpairs of a symmetric M, ascending, or descending when largest."""
    import faketorch as torch
    E, Z = torch.linalg.eigh(M, UPLO='U')
    if largest:
        E, Z = torch.flip(E, dims=(-1,)), torch.flip(Z, dims=(-1,))
    return E, Z


class LOBPCG:
    """One LOBPCG run: its parameters, its iteration state and the tensors E, X, S, R; a tracker
    gets this object after each step (istep, converged_count, tvars['rerr'] ...) and can stop the
    run with bvars['force_stop'] = True."""

    def __init__(self, A, B, X, iK, iparams, fparams, bparams, method, tracker):
        import faketorch as torch
        self.A, self.B, self.iK = A, B, iK
        self.iparams, self.fparams, self.bparams = iparams, fparams, bparams
        self.method, self.tracker = method, tracker
        m, n = iparams['m'], iparams['n']
        self.X = X
        self.E = torch.zeros((n,), dtype=X.dtype, device=X.device)
        self.R = torch.zeros((m, n), dtype=X.dtype, device=X.device)
        self.S = torch.zeros((m, 3 * n), dtype=X.dtype, device=X.device)     # basis [X, P, W]
        self.tvars = {}
        self.ivars = {'istep': 0}
        self.fvars = {'_': 0.0}
        self.bvars = {'_': False}

    def __str__(self):
        names = ('iparams', 'fparams', 'bparams', 'ivars', 'fvars', 'bvars', 'tvars', 'A', 'B', 'iK', 'X', 'E')
        return 'LOBPCG:\n' + ''.join(f'  {name}={getattr(self, name)}\n' for name in names)

    def run(self):
        self.update()
        if self.tracker is not None:
            self.call_tracker()
        while not self.stop_iteration():
            self.update()
            if self.tracker is not None:
                self.call_tracker()

    def call_tracker(self):
        self.tracker(self)

    def stop_iteration(self):
        return (self.bvars.get('force_stop', False) or self.ivars['iterations_left'] == 0
                or self.ivars['converged_count'] >= self.iparams['k'])

    def update(self):
        import faketorch as torch
        if self.ivars['istep'] == 0:
            # the norms that scale the convergence test
            x_norm = float(torch.norm(self.X))
            self.fvars['X_norm'] = x_norm
            self.fvars['A_norm'] = float(torch.norm(_mm(self.A, self.X))) / x_norm
            self.fvars['B_norm'] = float(torch.norm(_mm(self.B, self.X))) / x_norm
            self.ivars['iterations_left'] = self.iparams['niter']
            self.ivars['converged_count'] = 0
            self.ivars['converged_end'] = 0
        if self.method == 'ortho':
            self._update_ortho()
        else:
            self._update_basic()
        self.ivars['iterations_left'] -= 1
        self.ivars['istep'] += 1

    def update_residual(self):
        self.R = _mm(self.A, self.X) - _mm(self.B, self.X) * self.E

    def update_converged_count(self):
        """How many leading pairs pass ||r|| / (||x|| (||A|| + |e| ||B||)) < tol (later pairs wait for
        the earlier ones, so that the pairs stay in order)."""
        import faketorch as torch
        fv = self.fvars
        rerr = torch.norm(self.R, 2, (0,)) / (
            torch.norm(self.X, 2, (0,)) * (fv['A_norm'] + torch.abs(self.E[:self.X.shape[-1]]) * fv['B_norm']))
        count = 0
        for ok in (rerr < self.fparams['tol']).tolist():
            if not ok:
                break
            count += 1
        if count < self.ivars['converged_count']:
            raise AssertionError(f"the number of converged eigenpairs (was {self.ivars['converged_count']}, "
                                 f"got {count}) cannot decrease")
        self.ivars['converged_count'] = count
        self.tvars['rerr'] = rerr
        return count

    # --- the two variants ------------------------------------------------------------------------------
    def _first_step(self, ortho):
        """Rayleigh-Ritz on the start X, then the first search directions W."""
        n = self.iparams['n']
        T = self._rayleigh_ritz_transform(self.X)
        E, Z = _eigh(_qform(_qform(self.A, self.X), T), self.bparams['largest'])
        if ortho:           # E stays zero until the next step, so this first residual is A X (as torch's)
            self.X = self.X @ (T @ Z)
        else:               # the basic variant writes into X, the caller's start included (as torch)
            self.X[:] = self.X @ (T @ Z)
            self.E[:] = E
        self.update_residual()
        self.update_converged_count()
        self.S[:, :n] = self.X
        W = self._get_ortho(self.R, self.X) if ortho else _mm(self.iK, self.R)
        self.ivars['converged_end'] = end = n + W.shape[-1]
        self.S[:, n:end] = W

    def _update_basic(self):
        if self.ivars['istep'] == 0:
            return self._first_step(False)
        n, nc, ns = self.iparams['n'], self.ivars['converged_count'], self.ivars['converged_end']
        S = self.S[:, nc:ns]            # the unconverged part of [X, P, W]
        T = self._rayleigh_ritz_transform(S)
        E, Z = _eigh(_qform(_qform(self.A, S), T), self.bparams['largest'])
        self.X[:, nc:] = S @ (T @ Z[:, :n - nc])
        self.E[nc:] = E[:n - nc]
        P = S @ (T @ Z[:, n:2 * n - nc])
        self._next_directions(P, False)

    def _update_ortho(self):
        import faketorch as torch
        if self.ivars['istep'] == 0:
            return self._first_step(True)
        n, nc, ns = self.iparams['n'], self.ivars['converged_count'], self.ivars['converged_end']
        S = self.S[:, nc:ns]            # B-orthonormal already
        E, Z = _eigh(_qform(self.A, S), self.bparams['largest'])
        self.X[:, nc:] = S @ Z[:, :n - nc]
        self.E[nc:] = E[:n - nc]
        # P: the rest of the Ritz vectors' span, kept orthogonal to the new X within S
        P = S @ (Z[:, n - nc:] @ torch.linalg.qr(Z[:n - nc, n - nc:].mT).Q)
        self._next_directions(P, True)

    def _next_directions(self, P, ortho):
        n, np_ = self.iparams['n'], P.shape[-1]
        self.update_residual()
        nc = self.update_converged_count()
        self.S[:, :n] = self.X
        self.S[:, n:n + np_] = P
        W = self._get_ortho(self.R[:, nc:], self.S[:, :n + np_]) if ortho else _mm(self.iK, self.R[:, nc:])
        self.ivars['converged_end'] = end = n + np_ + W.shape[-1]
        self.S[:, n + np_:end] = W

    # --- orthonormalisation ------------------------------------------------------------------------------
    def _rayleigh_ritz_transform(self, S):
        """T with T^T (S^T B S) T = I: S^T B S scaled to a unit diagonal, its Cholesky factor inverted,
        the scaling put back."""
        import faketorch as torch
        SBS = _qform(self.B, S)
        d = SBS.diagonal(0, -2, -1) ** -0.5
        R = torch.linalg.cholesky((SBS * d) * d.reshape(-1, 1), upper=True)
        return torch.linalg.solve_triangular(R, d.diag_embed(), upper=True, left=False)

    def _get_svqb(self, U, drop, tau):
        """U's columns made B-orthonormal through the eigen-decomposition of their scaled Gram matrix;
        with drop, directions whose eigenvalue is below tau * the largest are dropped, else raised to it."""
        import faketorch as torch
        if torch.numel(U) == 0:
            return U
        UBU = _qform(self.B, U)
        d = UBU.diagonal(0, -2, -1)
        nonzero = torch.where(abs(d) != 0.0)[0]
        if len(nonzero) < len(d):          # exactly zero columns would divide by zero below
            U = U[:, nonzero]
            if torch.numel(U) == 0:
                return U
            UBU = _qform(self.B, U)
            d = UBU.diagonal(0, -2, -1)
        scale = (d ** -0.5).reshape(d.shape[0], 1)
        E, Z = _eigh((UBU * scale) * scale.mT)
        floor = tau * abs(E).max()
        if drop:
            keep = torch.where(E > floor)[0]
            E, Z, scale = E[keep], Z[:, keep], scale[keep]
        else:
            E[torch.where(E < floor)[0]] = floor
        return torch.matmul(U * scale.mT, Z * E ** -0.5)

    def _get_ortho(self, U, V):
        """U made B-orthonormal and B-orthogonal to the B-orthonormal V: project V out, SVQB, repeat
        while the relative errors of U^T B U - I and V^T B U stay above ortho_tol."""
        import faketorch as torch
        ip, fp = self.iparams, self.fparams
        tol, tol_drop, tol_replace = fp['ortho_tol'], fp['ortho_tol_drop'], fp['ortho_tol_replace']
        use_drop = self.bparams['ortho_use_drop']
        for key in [key for key in self.fvars if key.startswith('ortho_') and key.endswith('_rerr')]:
            del self.fvars[key]
        self.ivars.pop('ortho_i', 0)
        self.ivars.pop('ortho_j', 0)
        BV_norm = torch.norm(_mm(self.B, V))
        BU = _mm(self.B, U)
        VBU = V.mT @ BU
        i = j = 0
        for i in range(ip['ortho_i_max']):
            U = U - V @ VBU
            drop, tau = False, tol_drop
            for j in range(ip['ortho_j_max']):
                if use_drop:
                    U = self._get_svqb(U, drop, tau)
                    drop, tau = True, tol_replace
                else:
                    U = self._get_svqb(U, False, tol_replace)
                if torch.numel(U) == 0:     # all of U lay in V's span
                    self.ivars['ortho_i'], self.ivars['ortho_j'] = i, j
                    return U
                BU = _mm(self.B, U)
                UBU = U.mT @ BU
                err = float(torch.norm(UBU - torch.eye(UBU.shape[-1], dtype=UBU.dtype, device=UBU.device))) \
                    / float(torch.norm(BU) * torch.norm(U))
                self.fvars[f'ortho_UBUmI_rerr[{i}, {j}]'] = err
                if err < tol:
                    break
            VBU = V.mT @ BU
            err = float(torch.norm(VBU)) / float(BV_norm * torch.norm(U))
            self.fvars[f'ortho_VBU_rerr[{i}]'] = err
            if err < tol:
                break
            if ip['m'] < U.shape[-1] + V.shape[-1]:
                raise ValueError(f"Overdetermined shape of U: #B-cols(={self.B.shape[-1]}) >= "
                                 f"#U-cols(={U.shape[-1]}) + #V-cols(={V.shape[-1]}) must hold")
        self.ivars['ortho_i'], self.ivars['ortho_j'] = i, j
        return U


def _params(m, n, k, niter, tol, largest, method, ortho_iparams, ortho_fparams, ortho_bparams):
    iparams = {'m': m, 'n': n, 'k': k, 'niter': 1000 if niter is None else niter}
    fparams = {'tol': tol}
    bparams = {'largest': True if largest is None else largest}
    if method == 'ortho':
        iparams.update(ortho_iparams or {})
        fparams.update(ortho_fparams or {})
        bparams.update(ortho_bparams or {})
        for key in ('ortho_i_max', 'ortho_j_max'):
            iparams.setdefault(key, 3)
        for key in ('ortho_tol', 'ortho_tol_drop', 'ortho_tol_replace'):
            fparams.setdefault(key, tol)
        bparams.setdefault('ortho_use_drop', False)
    return iparams, fparams, bparams


def _lobpcg(A, k=None, B=None, X=None, n=None, iK=None, niter=None, tol=None, largest=None, method=None,
            tracker=None, ortho_iparams=None, ortho_fparams=None, ortho_bparams=None):
    import faketorch as torch
    if A.shape[-2] != A.shape[-1]:
        raise AssertionError(f"A must be square, got shape {A.shape}")
    if B is not None and A.shape != B.shape:
        raise AssertionError(f"A and B must have same shape, got {A.shape} vs {B.shape}")
    dtype = A.dtype if A.dtype in (D.float16, D.float32, D.float64) else D.float32
    device = A.device
    if tol is None:
        tol = {D.float32: 1.2e-07, D.float64: 2.23e-16}[dtype] ** 0.5
    m = A.shape[-1]
    k = (1 if X is None else X.shape[-1]) if k is None else k
    n = (k if n is None else n) if X is None else X.shape[-1]
    if m < 3 * n:
        raise ValueError(f"LOBPCG algorithm is not applicable when the number of A rows (={m}) is smaller "
                         f"than 3 x the number of requested eigenpairs (={n})")
    method = 'ortho' if method is None else method
    iparams, fparams, bparams = _params(m, n, k, niter, tol, largest, method,
                                        ortho_iparams, ortho_fparams, ortho_bparams)

    def solve(A_, B_, X_):
        if X_ is None:
            X_ = torch.randn((m, n), dtype=dtype, device=device)
        if not (len(X_.shape) == 2 and X_.shape == (m, n)):
            raise AssertionError(f"X shape mismatch: got {X_.shape}, expected {(m, n)}")
        worker = LOBPCG(A_, B_, X_, iK, iparams, fparams, bparams, method, tracker)
        worker.run()
        return worker.E[:k], worker.X[:, :k]

    if len(A.shape) == 2:
        return solve(A, B, X)
    batch = A.shape[:-2]
    N = 1
    for s in batch:
        N *= s
    bA = A.reshape((N,) + A.shape[-2:])
    bB = None if B is None else B.reshape((N,) + A.shape[-2:])
    bX = None if X is None else X.reshape((N,) + X.shape[-2:])
    bE = torch.empty((N, k), dtype=dtype, device=device)
    bXret = torch.empty((N, m, k), dtype=dtype, device=device)
    for i in range(N):
        iparams['batch_index'] = i
        bE[i], bXret[i] = solve(bA[i], None if bB is None else bB[i], None if bX is None else bX[i])
    return bE.reshape(batch + (k,)), bXret.reshape(batch + (m, k))


# --- backward ------------------------------------------------------------------------------------------
def _eigh_backward_full(D_grad, U_grad, D, U):
    """U (diag(D_grad) + (U^T U_grad) / (d_j - d_i)) U^T, the off-diagonal quotients only."""
    import faketorch as torch
    F = D.unsqueeze(-2) - D.unsqueeze(-1)
    F.diagonal(dim1=-2, dim2=-1).fill_(float('inf'))
    Ut = U.mT
    return U @ ((torch.diag_embed(D_grad) + (Ut @ U_grad) / F) @ Ut)


def _eigh_backward_partial(D_grad, U_grad, A, D, U):
    """For k < m found pairs: the full formula within span(U), and on the complement (basis Q) the
    Sylvester solution -Q (Q^T A Q - d_j)^{-1} Q^T g_j of each column j, through Q^T A Q's own
    eigen-decomposition."""
    import faketorch as torch
    # the complement's orthonormal basis: the last m - k columns of U's complete QR (torch projects a
    # fixed-seed random block instead; the result does not depend on the basis)
    Q = torch.linalg.qr(U, mode='complete').Q[..., U.size(-1):]
    lam, W = torch.linalg.eigh(Q.mT @ A @ Q)
    QW = Q @ W
    Y = (QW.mT @ U_grad) / (lam.unsqueeze(-1) - D.unsqueeze(-2))
    return _eigh_backward_full(D_grad, U_grad, D, U) - QW @ Y @ U.mT


def _autograd_function():
    from .autograd import Function

    class LOBPCGAutogradFunction(Function):
        @staticmethod
        def forward(ctx, A, k=None, B=None, X=None, n=None, iK=None, niter=None, tol=None, largest=None,
                    method=None, tracker=None, ortho_iparams=None, ortho_fparams=None, ortho_bparams=None):
            A = A if A.is_sparse else A.contiguous()
            if B is not None and not B.is_sparse:
                B = B.contiguous()
            E, U = _lobpcg(A, k, B, X, n, iK, niter, tol, largest, method, tracker,
                           ortho_iparams, ortho_fparams, ortho_bparams)
            ctx.save_for_backward(A, B, E, U)
            return E, U

        @staticmethod
        def backward(ctx, D_grad, U_grad):
            A, B, D, U = ctx.saved_tensors
            if A.is_sparse or (B is not None and B.is_sparse and ctx.needs_input_grad[2]):
                raise ValueError("lobpcg.backward does not support sparse input yet. "
                                 "Note that lobpcg.forward does though.")
            if A.dtype.is_complex or (B is not None and B.dtype.is_complex):
                raise ValueError("lobpcg.backward does not support complex input yet. "
                                 "Note that lobpcg.forward does though.")
            if B is not None:
                raise ValueError("lobpcg.backward does not support backward with B != I yet.")
            if U.size(-1) == U.size(-2):
                A_grad = _eigh_backward_full(D_grad, U_grad, D, U)
            else:
                A_grad = _eigh_backward_partial(D_grad, U_grad, A, D, U)
            return (A_grad,) + (None,) * 13

    return LOBPCGAutogradFunction


_FUNCTION = []


@register(method=False)
def lobpcg(A, k=None, B=None, X=None, n=None, iK=None, niter=None, tol=None, largest=None, method=None,
           tracker=None, ortho_iparams=None, ortho_fparams=None, ortho_bparams=None):
    """The k largest (or, largest=False, smallest) eigenpairs of A x = lambda B x, A and B symmetric
    positive definite (B None: the identity), by LOBPCG ("ortho", the default, or "basic")."""
    from .overrides import has_torch_function, handle_torch_function
    import faketorch as torch
    tensors = (A, B, X, iK)
    if not {type(t) for t in tensors} <= {torch.Tensor, type(None)} and has_torch_function(tensors):
        return handle_torch_function(lobpcg, tensors, A, k=k, B=B, X=X, n=n, iK=iK, niter=niter, tol=tol,
                                     largest=largest, method=method, tracker=tracker, ortho_iparams=ortho_iparams,
                                     ortho_fparams=ortho_fparams, ortho_bparams=ortho_bparams)
    args = (k, None, X, n, iK, niter, tol, largest, method, tracker, ortho_iparams, ortho_fparams, ortho_bparams)
    if A.requires_grad or (B is not None and B.requires_grad):
        # symmetrised first, so that A's gradient comes out symmetric
        if not _FUNCTION:
            _FUNCTION.append(_autograd_function())
        B_sym = None if B is None else (B + B.mT) / 2
        return _FUNCTION[0].apply((A + A.mT) / 2, k, B_sym, *args[2:])
    return _lobpcg(A, k, B, *args[2:])
