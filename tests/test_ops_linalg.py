"""Linear algebra, fft, special, complex and foreach ops against real torch (values and gradients)."""
import numpy as np
import pytest

import faketorch
import faketorch.linalg  # noqa: F401
import faketorch.fft  # noqa: F401
import faketorch.special  # noqa: F401
import faketorch._misc  # noqa: F401

torch = pytest.importorskip('torch')

A = np.array([[4., 1., 0.5], [1., 3., 0.2], [0.5, 0.2, 2.]], np.float32)
B = np.arange(6, dtype=np.float32).reshape(3, 2)


def _run(mod, f, *arrays):
    xs = [mod.tensor(a, requires_grad=True) for a in arrays]
    out = f(mod, *xs)
    outs = out if isinstance(out, tuple) else (out,)
    loss = sum(o.abs().sum() if o.dtype.is_complex else o.sum() for o in outs if o.requires_grad)
    loss.backward()
    return [o.detach().numpy() for o in outs], [x.grad.numpy() for x in xs], \
        [o.dtype for o in outs], [o.grad_fn.name() if o.grad_fn else None for o in outs]


CASES = {
    'inv': (lambda m, a: m.linalg.inv(a), (A,)),
    'det': (lambda m, a: m.linalg.det(a), (A,)),
    'slogdet': (lambda m, a: m.linalg.slogdet(a)[1], (A,)),
    'solve': (lambda m, a, b: m.linalg.solve(a, b), (A, B)),
    'cholesky': (lambda m, a: m.linalg.cholesky(a), (A,)),
    'qr': (lambda m, a: m.linalg.qr(a)[1], (A,)),
    'eigvalsh': (lambda m, a: m.linalg.eigvalsh(a), (A,)),
    'svdvals': (lambda m, b: m.linalg.svdvals(b), (B,)),
    'pinv': (lambda m, b: m.linalg.pinv(b), (B,)),
    'norm': (lambda m, a: m.linalg.norm(a), (A,)),
    'matrix_exp': (lambda m, a: m.linalg.matrix_exp(a * 0.1), (A,)),
    'einsum': (lambda m, a, b: m.einsum('ij,jk->ik', a, b), (A, B)),
    'einsum_diag': (lambda m, a: m.einsum('ii->i', a), (A,)),
    'tensordot': (lambda m, a, b: m.tensordot(a, b, 1), (A, B)),
    'kron': (lambda m, a, b: m.kron(a, b), (A, B)),
    'cdist': (lambda m, b: m.cdist(b, b[:2] * 0.5), (B,)),
    'fft': (lambda m, b: m.fft.fft(b), (B,)),
    'rfft2': (lambda m, a: m.fft.rfft2(a), (A,)),
    'irfft': (lambda m, a: m.fft.irfft(m.fft.rfft(a), n=3), (A,)),
    'erfcx': (lambda m, a: m.special.erfcx(a), (A,)),
    'i1e': (lambda m, a: m.special.i1e(a), (A,)),
    'log_ndtr': (lambda m, a: m.special.log_ndtr(-a), (A,)),
    'polar': (lambda m, b: m.view_as_real(m.polar(b, b * 0.5)), (B,)),
}


@pytest.mark.parametrize('name', sorted(CASES))
def test_against_torch(name):
    f, arrays = CASES[name]
    ro, rg, rd, rn = _run(torch, f, *arrays)
    fo, fg, fd, fn = _run(faketorch, f, *arrays)
    assert [str(d) for d in rd] == [str(d) for d in fd]
    assert rn == fn
    for x, y in zip(ro + rg, fo + fg):
        np.testing.assert_allclose(y, x, rtol=1e-4, atol=1e-4)


def test_singular_inverse_message():
    with pytest.raises(RuntimeError, match='The diagonal element 3 is zero'):
        faketorch.linalg.inv(faketorch.tensor([[1., 2., 3.], [2., 4., 6.], [1., 1., 1.]]))


def test_finfo_repr():
    assert repr(faketorch.finfo(faketorch.float32)) == repr(torch.finfo(torch.float32))
    assert repr(faketorch.iinfo(faketorch.int64)) == repr(torch.iinfo(torch.int64))


def test_double_backward_inv():
    outs = []
    for m in (torch, faketorch):
        x = m.tensor(A.astype(np.float64), requires_grad=True)
        g, = m.autograd.grad(m.linalg.inv(x).sum(), x, create_graph=True)
        g.sum().backward()
        outs.append(x.grad.numpy())
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-8)


# --- LU family against torch (the oracle) ---------------------------------------------------------

def test_lu_family_matches_torch():
    import numpy as np
    import torch
    import faketorch

    def run(T):
        g = np.random.default_rng(0)
        out = []
        for shape in [(3, 3), (2, 4, 4), (3, 5), (5, 3)]:
            A = T.tensor(g.standard_normal(shape), requires_grad=True)
            LU, piv = T.linalg.lu_factor(A)
            P, L, U = T.linalg.lu(A)
            gA, = T.autograd.grad(LU.pow(2).sum() + L.sum() + U.pow(2).sum(), A, retain_graph=True)
            out += [LU, piv, P, L, U, gA]
            if shape[-1] == shape[-2]:
                B = T.tensor(g.standard_normal(shape[:-1] + (2,)), requires_grad=True)
                X = T.linalg.lu_solve(LU, piv, B, adjoint=True)
                out += [X, *T.autograd.grad(X.pow(2).sum(), (A, B))]
        return out
    for x, y in zip(run(torch), run(faketorch)):
        assert str(x.dtype).split('.')[-1] == str(y.dtype).split('.')[-1]
        np.testing.assert_allclose(y.detach().numpy(), x.detach().numpy(), rtol=1e-9, atol=1e-9)


def test_bessel_matches_torch():
    import numpy as np
    import torch
    import faketorch
    xs = np.concatenate([np.linspace(-30, 30, 601), [0., 1e-5, np.inf, np.nan, 700.]])
    for n in ['airy_ai', 'bessel_y0', 'modified_bessel_k0', 'modified_bessel_k1',
              'scaled_modified_bessel_k0', 'scaled_modified_bessel_k1']:
        a = getattr(torch.special, n)(torch.tensor(xs, dtype=torch.float32)).numpy()
        b = getattr(faketorch.special, n)(faketorch.tensor(xs, dtype=faketorch.float32)).numpy()
        np.testing.assert_allclose(b, a, rtol=1.3e-6, atol=1e-5, equal_nan=True)


def test_ldl_bunch_kaufman_pivots_match_torch():
    torch = pytest.importorskip('torch')
    import numpy as np
    import faketorch
    rng = np.random.default_rng(1)
    for dt in ('float32', 'float64', 'complex128'):
        for herm in (False, True):
            for n in (1, 2, 3, 5, 8):
                a = rng.standard_normal((3, n, n)) + (1j * rng.standard_normal((3, n, n)) if 'complex' in dt else 0)
                a = (a + (np.conj(np.swapaxes(a, -1, -2)) if herm else np.swapaxes(a, -1, -2))).astype(dt)
                r1 = torch.linalg.ldl_factor(torch.from_numpy(a), hermitian=herm)
                r2 = faketorch.linalg.ldl_factor(faketorch.from_numpy(a), hermitian=herm)
                assert np.array_equal(r1.pivots.numpy(), r2.pivots.numpy())
                np.testing.assert_allclose(r2.LD.numpy(), r1.LD.numpy(), rtol=1e-3, atol=1e-3)
                b = rng.standard_normal((n, 2)).astype(dt)
                x1 = torch.linalg.ldl_solve(r1.LD, r1.pivots, torch.from_numpy(b), hermitian=herm)
                x2 = faketorch.linalg.ldl_solve(r2.LD, r2.pivots, faketorch.from_numpy(b), hermitian=herm)
                np.testing.assert_allclose(x2.numpy(), x1.numpy(), rtol=1e-3, atol=1e-3)


def test_geqrf_householder_roundtrip():
    import numpy as np
    import faketorch
    a = faketorch.tensor(np.random.default_rng(2).standard_normal((2, 5, 3)))
    qr, tau = faketorch.geqrf(a)
    Q = faketorch.linalg.householder_product(qr, tau)
    R = faketorch.triu(qr[..., :3, :])
    np.testing.assert_allclose((Q @ R).numpy(), a.numpy(), atol=1e-12)
