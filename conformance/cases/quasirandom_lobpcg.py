"""torch.quasirandom.SobolEngine (bit for bit, scrambled too: the scrambling draws from torch's
generator) and torch.lobpcg (eigenpairs within tolerance, eigenvectors compared up to sign)."""
from conformance import case, check


def _sobol(torch, *args, **kwargs):
    return torch.quasirandom.SobolEngine(*args, **kwargs)


# --- SobolEngine -------------------------------------------------------------------------------------
@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_plain(torch):
    e = _sobol(torch, 5)
    return e.draw(3), e.draw(6), e.num_generated, e.quasi, repr(e)


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_float64(torch):
    e = _sobol(torch, 7)
    return e.draw(1, dtype=torch.float64), e.draw(40, dtype=torch.float64), e.draw(5)


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_default_dtype(torch):
    e = _sobol(torch, 3, scramble=True, seed=11)
    torch.set_default_dtype(torch.float64)
    return e.draw(4), e.draw(1)     # the first point was made in float32, at construction


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_scrambled_seed(torch):
    e = _sobol(torch, 6, scramble=True, seed=1234)
    return (e.draw(1), e.draw(64), e.shift, e.sobolstate, e.draw(3, dtype=torch.float64), repr(e),
            e.seed, e.scramble)


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_scrambled_global_generator(torch):
    torch.manual_seed(7)
    e = _sobol(torch, 4, scramble=True)
    return e.draw(10), torch.rand(3), repr(e)   # the scrambling consumed the global stream


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_max_dimension(torch):
    e = _sobol(torch, 21201)
    st = e.sobolstate
    x = e.draw(9, dtype=torch.float64)
    return x[:, ::97], x[:, -300:], st[::53], st[-200:], st.sum(0), e.MAXDIM, e.MAXBIT


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_max_dimension_scrambled(torch):
    e = _sobol(torch, 21201, scramble=True, seed=0)
    x = e.draw(5)
    return x[:, ::61], x[:, -100:], e.sobolstate[::301], e.shift[::37]


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_many_dimensions(torch):
    e = _sobol(torch, 1111, scramble=True, seed=5)
    return e.draw_base2(4)[:, ::7], e.sobolstate.sum(0)


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_fast_forward(torch):
    a, b = _sobol(torch, 4, scramble=True, seed=3), _sobol(torch, 4, scramble=True, seed=3)
    a.draw(13)
    b.fast_forward(13)
    first = (a.draw(5), b.draw(5), b.num_generated)
    c = _sobol(torch, 4)
    c.draw(2)
    c.fast_forward(1000)
    return first, c.draw(3), c.quasi, c.fast_forward(0).num_generated


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_fast_forward_far(torch):
    e = _sobol(torch, 5, scramble=True, seed=4)
    e.fast_forward(10 ** 8 + 3)
    x = e.draw(3)
    e.fast_forward(2 ** 20)
    return x, e.draw(2, dtype=torch.float64), e.num_generated


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_fast_forward_negative(torch):
    e = _sobol(torch, 3)
    e.draw(5)
    e.fast_forward(-2)
    return e.num_generated, e.quasi, e.draw(2)


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_reset(torch):
    e = _sobol(torch, 4, scramble=True, seed=1)
    first = e.draw(7)
    r = e.reset()
    return r is e, e.num_generated, e.quasi, first, e.draw(7)


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_draw_base2(torch):
    e = _sobol(torch, 3, scramble=True, seed=2)
    return e.draw_base2(0), e.draw_base2(0), e.draw_base2(1), e.draw_base2(3), e.num_generated


@case('torch.quasirandom.SobolEngine')
def sobol_draw_base2_not_power(torch):
    e = _sobol(torch, 3)
    e.draw(3)
    return e.draw_base2(2)


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_out(torch):
    o32, o64 = torch.empty(0), torch.empty(7, dtype=torch.float64)
    e = _sobol(torch, 3)
    r = e.draw(4, out=o32)
    r2 = e.draw_base2(2, out=o64)
    return r is o32, o32, r2 is o64, o64


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_long_sequence(torch):
    e = _sobol(torch, 2, scramble=True, seed=9)
    x = e.draw(5000)
    return x[::13], x[-20:], e.quasi


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_draw_zero(torch):
    e = _sobol(torch, 3)
    e.draw(2)
    return e.draw(0), e.num_generated


check('torch.quasirandom.SobolEngine', lambda torch: _sobol(torch, 0), name='dimension_zero')
check('torch.quasirandom.SobolEngine', lambda torch: _sobol(torch, 21202), name='dimension_too_big')
check('torch.quasirandom.SobolEngine', lambda torch: _sobol(torch, 3).draw(0), name='first_draw_zero')
check('torch.quasirandom.SobolEngine', lambda torch: _sobol(torch, 3).draw(3, dtype=torch.float16),
      name='half_dtype')
check('torch.quasirandom.SobolEngine', lambda torch: _sobol(torch, 3).draw(3, dtype=torch.int64),
      name='long_dtype')
check('torch.quasirandom.SobolEngine', lambda torch: _sobol(torch, 3).draw(3.0), name='float_n')
check('torch.quasirandom.SobolEngine', lambda torch: _sobol(torch, 3).draw_base2(-1), name='base2_negative')
check('torch.quasirandom.SobolEngine', lambda torch: _sobol(torch, 3).draw(True), name='bool_n')


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_integer_like_n(torch):
    import numpy as np
    e = _sobol(torch, 2)
    e.draw(1)
    return e.draw(np.int64(3)), e.draw(torch.tensor(2)), e.num_generated
check('torch.quasirandom.SobolEngine', lambda torch: (torch.quasirandom.SobolEngine.MAXDIM,
                                                      torch.quasirandom.SobolEngine.MAXBIT), name='class_constants')


# --- lobpcg --------------------------------------------------------------------------------------------
def _spd(torch, m, dtype=None, spread=1.0, seed=0):
    """A symmetric positive definite (m, m) matrix with well separated extreme eigenvalues."""
    G = torch.sin(torch.arange(m * m, dtype=torch.float64).reshape(m, m) * 0.7 + seed) + torch.eye(m)
    Q = torch.linalg.qr(G).Q        # no random draws: the same matrix on any device
    vals = torch.linspace(1.0, 10.0, m, dtype=torch.float64) ** 2 * spread
    A = (Q * vals) @ Q.mT
    A = (A + A.mT) / 2
    return A if dtype is None else A.to(dtype)


def _signed(U):
    """Eigenvectors fixed up to sign: each column's largest entry made positive."""
    idx = U.abs().argmax(-2, keepdim=True)
    return U * U.gather(-2, idx).sign()


@case('torch.lobpcg', rtol=1e-6, atol=1e-8)
def lobpcg_random_start(torch):
    E, U = torch.lobpcg(_spd(torch, 30), k=3)
    return E, _signed(U), torch.rand(2)      # the random start came from the global stream


@case('torch.lobpcg', rtol=1e-6, atol=1e-8)
def lobpcg_smallest(torch):
    E, U = torch.lobpcg(_spd(torch, 30), k=2, largest=False)
    return E, _signed(U)


@case('torch.lobpcg', rtol=1e-6, atol=1e-8)
def lobpcg_basic(torch):
    E, U = torch.lobpcg(_spd(torch, 24), k=2, method='basic')
    return E, _signed(U)


@case('torch.lobpcg', rtol=1e-6, atol=1e-8)
def lobpcg_basic_smallest_n(torch):
    E, U = torch.lobpcg(_spd(torch, 30), k=2, n=4, method='basic', largest=False)
    return E, _signed(U)


@case('torch.lobpcg', rtol=1e-6, atol=1e-8)
def lobpcg_generalized(torch):
    A, B = _spd(torch, 30), _spd(torch, 30, spread=0.01, seed=1)
    E, U = torch.lobpcg(A, k=3, B=B)
    return E, _signed(U)


@case('torch.lobpcg', rtol=1e-6, atol=1e-8)
def lobpcg_generalized_basic(torch):
    A, B = _spd(torch, 30), _spd(torch, 30, spread=0.01, seed=1)
    E, U = torch.lobpcg(A, k=2, B=B, method='basic', largest=False)
    return E, _signed(U)


@case('torch.lobpcg', rtol=1e-6, atol=1e-8)
def lobpcg_preconditioner(torch):
    A = _spd(torch, 40)
    iK = torch.diag(1 / A.diagonal())
    E, U = torch.lobpcg(A, k=2, iK=iK, largest=False)
    E2, U2 = torch.lobpcg(A, k=2, iK=iK, largest=False, method='basic')
    return E, _signed(U), E2, _signed(U2)


@case('torch.lobpcg', rtol=1e-4, atol=1e-5)
def lobpcg_float32_given_start(torch):
    A = _spd(torch, 30, dtype=torch.float32)
    X = torch.randn(30, 3)
    E, U = torch.lobpcg(A, X=X)
    return E, _signed(U), E.dtype, U.shape


@case('torch.lobpcg', rtol=1e-6, atol=1e-8)
def lobpcg_basic_overwrites_start(torch):
    X = torch.randn(24, 2, dtype=torch.float64)
    E, U = torch.lobpcg(_spd(torch, 24), X=X, method='basic', niter=2)
    return E, _signed(U), _signed(X)        # torch's basic method writes its first Ritz vectors into X


@case('torch.lobpcg', rtol=1e-6, atol=1e-8)
def lobpcg_few_iterations(torch):
    A = _spd(torch, 40)
    X = torch.randn(40, 2, dtype=torch.float64)
    E, U = torch.lobpcg(A, X=X, niter=3)
    E2, U2 = torch.lobpcg(A, X=X, niter=3, method='basic')
    return E, _signed(U), E2, _signed(U2)


@case('torch.lobpcg', rtol=1e-6, atol=1e-8)
def lobpcg_batched(torch):
    A = torch.stack([_spd(torch, 15, seed=s) for s in range(4)]).reshape(2, 2, 15, 15)
    E, U = torch.lobpcg(A, k=2)
    return E, _signed(U), E.shape, U.shape


@case('torch.lobpcg', rtol=1e-6, atol=1e-8)
def lobpcg_sparse(torch):
    A = _spd(torch, 24)
    A = torch.where(A.abs() > 5, A, torch.zeros(())) + 50 * torch.eye(24, dtype=torch.float64)
    E, U = torch.lobpcg(A.to_sparse(), k=2)
    return E, _signed(U)


@case('torch.lobpcg', rtol=1e-6, atol=1e-8)
def lobpcg_tracker(torch):
    seen = []

    def tracker(w):
        seen.append((w.ivars['istep'], w.ivars['converged_count'], w.ivars['converged_end'], w.method,
                     sorted(w.iparams.items()), sorted(w.bparams.items())))
        if w.ivars['istep'] == 4:
            w.bvars['force_stop'] = True
    E, U = torch.lobpcg(_spd(torch, 30), k=2, tracker=tracker)
    return seen, E, _signed(U)


@case('torch.lobpcg', rtol=1e-6, atol=1e-8)
def lobpcg_ortho_params(torch):
    E, U = torch.lobpcg(_spd(torch, 30), k=2, ortho_iparams={'ortho_i_max': 2},
                        ortho_fparams={'ortho_tol': 1e-7}, ortho_bparams={'ortho_use_drop': True})
    return E, _signed(U)


@case('torch.lobpcg', rtol=1e-5, atol=1e-7)
def lobpcg_backward(torch):
    A = _spd(torch, 20).requires_grad_()
    E, U = torch.lobpcg(A, k=2)
    W = torch.linspace(0, 1, 20, dtype=torch.float64).reshape(20, 1)
    ((E ** 2).sum() + (U ** 2 * W).sum()).backward()      # U enters squared: its sign cannot matter
    return E, A.grad, E.grad_fn is not None


@case('torch.lobpcg', rtol=1e-5, atol=1e-7)
def lobpcg_backward_values_only(torch):
    A = _spd(torch, 20).requires_grad_()
    E, _ = torch.lobpcg(A, k=3, largest=False)
    E.sum().backward()
    return A.grad


@case('torch.lobpcg', rtol=1e-5, atol=1e-7)
def lobpcg_backward_batched(torch):
    A = torch.stack([_spd(torch, 15, seed=s) for s in range(2)]).requires_grad_()
    E, U = torch.lobpcg(A, k=2, largest=False)
    (E.sum() + (U ** 2).sum(-1)[..., :4].sum()).backward()
    return E, A.grad


check('torch.lobpcg', lambda torch: torch.lobpcg(torch.ones(4, 5)), name='not_square')
check('torch.lobpcg', lambda torch: torch.lobpcg(torch.eye(6), B=torch.eye(5)), name='B_shape')
check('torch.lobpcg', lambda torch: torch.lobpcg(torch.eye(6), k=3), name='too_many_pairs')
check('torch.lobpcg', lambda torch: torch.lobpcg(torch.eye(9), k=2, X=torch.ones(8, 2)), name='X_shape')
check('torch.lobpcg', lambda torch: torch.lobpcg(torch.eye(9, dtype=torch.float16)), name='half')
check('torch.lobpcg',
      lambda torch: torch.lobpcg(_spd(torch, 12).requires_grad_(), k=1, B=torch.eye(12, dtype=torch.float64))[0]
      .sum().backward(), name='backward_with_B')
