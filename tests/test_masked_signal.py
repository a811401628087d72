"""torch.masked and window functions against real torch: values, dtypes, gradients, errors."""
import numpy as np
import pytest
import torch

import faketorch as ft
import faketorch.masked  # noqa: F401
import faketorch.signal  # noqa: F401

X = np.array([[1., -2., 3., 0.5], [4., 5., -6., 2.], [0., 1., 1., 7.]], np.float32)
MASK = np.array([[True, False, True, True], [False, False, False, False], [True, True, False, True]])


def _same(r, f, tol=1e-6):
    assert str(f.dtype) == str(r.dtype) and tuple(f.shape) == tuple(r.shape)
    np.testing.assert_allclose(f.detach().numpy(), r.detach().numpy(), rtol=tol, atol=tol)


def _run(mod, name, args, kwargs, mask):
    x = mod.tensor(X, requires_grad=True)
    out = getattr(mod.masked, name)(x, *args, mask=None if mask is None else mod.tensor(mask), **kwargs)
    finite = mod.where(mod.isfinite(out), out, mod.zeros_like(out))
    finite.sum().backward()
    return out, x.grad


@pytest.mark.parametrize('mask', [MASK, MASK[0], None], ids=['full', 'broadcast', 'none'])
@pytest.mark.parametrize('name,args,kwargs', [
    ('sum', (1,), {}), ('prod', ((0, 1),), {'keepdim': True}), ('amax', (1,), {}), ('amin', (0,), {}),
    ('mean', (1,), {}), ('logsumexp', (1,), {}), ('norm', (2.0, 1), {}), ('var', (1,), {}),
    ('std', (0,), {'keepdim': True, 'correction': 0}), ('softmax', (1,), {}), ('log_softmax', (0,), {}),
    ('softmin', (1,), {}), ('cumsum', (1,), {}), ('cumprod', (0,), {}), ('normalize', (1.0, 1), {}),
    ('median', (1,), {}),
])
def test_masked_matches_torch(name, args, kwargs, mask):
    r_out, r_grad = _run(torch, name, args, kwargs, mask)
    f_out, f_grad = _run(ft, name, args, kwargs, mask)
    _same(r_out, f_out, 1e-5)
    assert (f_out.grad_fn is None) == (r_out.grad_fn is None)
    if r_grad is not None:
        _same(r_grad, f_grad, 1e-5)


def test_masked_argmax_dtype_and_int_sum():
    for mod in (torch, ft):
        assert str(mod.masked.argmax(mod.tensor(X), 1, mask=mod.tensor(MASK)).dtype) == 'torch.float32'
    r = torch.masked.sum(torch.tensor([[1, 2]], dtype=torch.int16), mask=torch.tensor([True, False]))
    f = ft.masked.sum(ft.tensor([[1, 2]], dtype=ft.int16), mask=ft.tensor([True, False]))
    _same(r, f)


@pytest.mark.parametrize('call', [
    lambda m: m.masked.mean(m.tensor([1, 2])),
    lambda m: m.masked.sum(m.ones(2), 3, mask=m.tensor([True, False])),
    lambda m: m.masked.sum(m.ones(2), mask=m.ones(2, 2, dtype=m.bool)),
    lambda m: m.masked.median(m.tensor([[1, 2]]), 1, mask=m.tensor([False, False])),
])
def test_masked_errors(call):
    with pytest.raises(Exception) as r:
        call(torch)
    with pytest.raises(type(r.value)) as f:
        call(ft)
    assert str(f.value) == str(r.value)


WINDOWS = ['bartlett', 'blackman', 'cosine', 'exponential', 'gaussian', 'hamming', 'hann', 'kaiser', 'nuttall']


@pytest.mark.parametrize('name', WINDOWS)
def test_signal_windows(name):
    for M in (0, 1, 2, 5, 12):
        for sym in (True, False):
            for dt in ('float32', 'float64'):
                r = getattr(torch.signal.windows, name)(M, sym=sym, dtype=getattr(torch, dt))
                f = getattr(ft.signal.windows, name)(M, sym=sym, dtype=getattr(ft, dt))
                _same(r, f, 1e-6)
    r = getattr(torch.signal.windows, name)(5, requires_grad=True)
    f = getattr(ft.signal.windows, name)(5, requires_grad=True)
    assert f.requires_grad and type(f.grad_fn).__name__ == type(r.grad_fn).__name__


@pytest.mark.parametrize('name', ['hann_window', 'hamming_window', 'blackman_window', 'bartlett_window',
                                  'kaiser_window'])
def test_window_factories(name):
    for L in (0, 1, 2, 5, 16):
        for periodic in (True, False):
            for dt in ('float32', 'float64'):
                r = getattr(torch, name)(L, periodic, dtype=getattr(torch, dt))
                f = getattr(ft, name)(L, periodic, dtype=getattr(ft, dt))
                _same(r, f, 1e-6)
    f = getattr(ft, name)(4, requires_grad=True)
    assert f.requires_grad and f.grad_fn is None and f._base is None
    with pytest.raises(RuntimeError, match='expects floating point dtypes'):
        getattr(ft, name)(4, dtype=ft.int64)
    with pytest.raises(RuntimeError, match='requires non-negative window_length'):
        getattr(ft, name)(-1)
