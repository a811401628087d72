"""Direct torch-vs-faketorch checks for the nn.functional gaps closed from the OpInfo report."""
import numpy as np
import pytest

import faketorch
import faketorch.nn.functional  # noqa: F401

torch = pytest.importorskip('torch')


def _both(fn):
    return [fn(m) for m in (torch, faketorch)]


def _np(t):
    return t.detach().numpy()


@pytest.mark.parametrize('nd', [1, 2, 3])
def test_avg_pool_int_truncates_toward_zero(nd):
    a = np.array([-7, -3, -1, 0, 2, 5, 9, -8])
    pool = f'avg_pool{nd}d'
    shape = {1: (1, 1, 8), 2: (1, 1, 2, 4), 3: (1, 1, 2, 2, 2)}[nd]
    r, f = _both(lambda m: getattr(m.nn.functional, pool)(m.tensor(a.reshape(shape)), 2))
    assert f.dtype == faketorch.int64 and (_np(r) == _np(f)).all()


def test_hardtanh_threshold_ints():
    a = np.array([-3, -1, 0, 1, 2, 7])
    for fn in (lambda m, x: m.nn.functional.hardtanh(x, -1.5, 2.5),
               lambda m, x: m.nn.functional.relu6(x),
               lambda m, x: m.nn.functional.threshold(x, -0.5, 9.9)):
        r, f = _both(lambda m: fn(m, m.tensor(a)))
        assert (_np(r) == _np(f)).all()


@pytest.mark.parametrize('mode', ['reflect', 'replicate', 'circular'])
@pytest.mark.parametrize('pads', [(-1, 2, 0, 0), (1, -2, -1, 1), (-1, -1, 2, -1), (-3, 2, 0, 0)])
def test_pad_negative(mode, pads):
    if mode == 'circular' and pads[0] == -3:
        pytest.skip('torch reads uninitialised memory there')
    a = np.arange(12.).reshape(1, 1, 3, 4).astype(np.float32)

    def run(m):
        x = m.tensor(a, requires_grad=True)
        y = m.nn.functional.pad(x, pads, mode=mode)
        (y * m.arange(y.numel()).reshape(y.shape)).sum().backward()
        return _np(y), _np(x.grad)
    (ry, rg), (fy, fg) = _both(run)
    assert (ry == fy).all() and (rg == fg).all()


def test_max_pool_2x2_grad_ties():
    a = np.maximum(np.random.RandomState(0).randn(4, 3, 8, 10), 0).astype(np.float32)
    a[0, 0, :2, :2] = 1.0       # a window of equal maxima: the first takes the gradient

    def run(m):
        x = m.tensor(a, requires_grad=True)
        m.nn.functional.max_pool2d(x, 2).backward(m.ones(4, 3, 4, 5))
        return _np(x.grad)
    r, f = _both(run)
    assert (r == f).all()


def test_conv_transpose3d_weight_grad_close():
    rs = np.random.RandomState(0)
    xa, wa = rs.randn(2, 4, 3, 4, 3).astype(np.float32), rs.randn(4, 3, 3, 2, 3).astype(np.float32)

    def run(m):
        x, w = m.tensor(xa, requires_grad=True), m.tensor(wa, requires_grad=True)
        y = m.nn.functional.conv_transpose3d(x, w, stride=2, padding=1)
        y.backward(m.tensor(np.cos(np.arange(y.numel()) * 1.3).reshape(tuple(y.shape)).astype(np.float32)))
        return _np(x.grad), _np(w.grad)
    (rx, rw), (fx, fw) = _both(run)
    assert fw.dtype == np.float32
    np.testing.assert_allclose(fw, rw, rtol=1.3e-6, atol=1e-5)
    np.testing.assert_allclose(fx, rx, rtol=1.3e-6, atol=1e-5)
