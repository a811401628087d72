"""The fused CUDA kernels (faketorch._xnp.Kernel: log_softmax, nll_loss, relu, the SGD and
Adam steps) against faketorch's NumPy code on the same data. On a GPU the CUDA bodies run; on the
CuPy stand-in (tests/test_cuda_emulated.py runs this file there) their NumPy `host` versions."""
import numpy as np
import pytest

import faketorch as torch
import faketorch.nn.functional as F
from faketorch._xnp import Kernel


pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA (a GPU, or the CuPy stand-in)")
TOL = {torch.float32: 1e-5, torch.float64: 1e-12}


@pytest.fixture
def ran(monkeypatch):
    """The names of the kernels called on CUDA arrays during the test: the fast path must be the one tested."""
    names, call = [], Kernel.__call__

    def record(self, *args, **kw):
        if self.ready(args[0]):         # a CUDA array's call (the CPU side runs the host version)
            names.append(self.name)
        return call(self, *args, **kw)
    monkeypatch.setattr(Kernel, '__call__', record)
    return names


def _close(cuda_t, cpu_t, dtype, scale=1.0):
    tol = TOL[dtype] * scale        # scale: for results through cuBLAS's GEMMs (another summation order)
    np.testing.assert_allclose(cuda_t.cpu().numpy(), cpu_t.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
@pytest.mark.parametrize('reduction', ['mean', 'sum'])
def test_cross_entropy_forward_backward(dtype, reduction, ran):
    torch.manual_seed(0)
    x = torch.randn(37, 11, dtype=dtype) * 4
    x[3, 2] = float('-inf')
    t = torch.randint(0, 11, (37,))
    t[5] = -100
    out = {}
    for dev in ('cpu', 'cuda'):
        xd = x.to(dev).clone().requires_grad_()
        loss = F.cross_entropy(xd, t.to(dev), reduction=reduction)
        loss.backward()
        out[dev] = loss.detach(), xd.grad
        assert loss.grad_fn.name() == 'NllLossBackward0'
    _close(out['cuda'][0], out['cpu'][0], dtype)
    _close(out['cuda'][1], out['cpu'][1], dtype)
    assert ran == ['log_softmax_rows', 'nll_rows', 'nll_reduce', 'nll_bwd_rows', 'log_softmax_bwd_rows']


def test_log_softmax_rows_and_bad_target():
    x = torch.randn(4, 6, 5)
    _close(F.log_softmax(x.cuda(), -1), F.log_softmax(x, -1), torch.float32)
    with pytest.raises(IndexError, match='Target 9 is out of bounds.'):
        F.cross_entropy(torch.randn(3, 5, device='cuda'), torch.tensor([0, 9, 1], device='cuda'))


def test_relu_backward(ran):
    x = torch.randn(50)
    g = torch.randn(50)
    grads = []
    for dev in ('cpu', 'cuda'):
        xd = x.to(dev).clone().requires_grad_()
        F.relu(xd).backward(g.to(dev))
        grads.append(xd.grad)
    _close(grads[1], grads[0], torch.float32)
    assert ran == ['relu_fwd', 'relu_bwd']


@pytest.mark.parametrize('make', [lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1),
                                  lambda p: torch.optim.SGD(p, lr=0.1),
                                  lambda p: torch.optim.Adam(p, lr=0.01),
                                  lambda p: torch.optim.AdamW(p, lr=0.01, betas=(0.3, 0.99))])
def test_optimizer_steps(make, ran):
    torch.manual_seed(0)
    w0, grads = torch.randn(7, 3), [torch.randn(7, 3) for _ in range(4)]
    final = []
    for dev in ('cpu', 'cuda'):
        w = torch.nn.Parameter(w0.to(dev).clone())
        opt = make([w])
        for g in grads:
            w.grad = g.to(dev)
            opt.step()
        final.append(w.detach())
    _close(final[1], final[0], torch.float32)
    assert len(ran) == 4 and len(set(ran[1:])) == 1      # SGD's first step has no buffer yet: a plain step


@pytest.mark.parametrize('make', [lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
                                  lambda p: torch.optim.Adam(p, lr=0.01)])
def test_optimizer_steps_many_params(make):
    """The multi-tensor launch (Kernel.many): ten float32 parameters of several shapes (launches of 8
    and 2) and a float64 one (a group of its own) against the CPU's step."""
    torch.manual_seed(0)
    w0 = [torch.randn(s) for s in [(7, 3), (5,), (2, 3, 4), (1,), (4, 4), (3,), (2, 2), (6,), (9,), (2, 5)]]
    w0.append(torch.randn(3, dtype=torch.float64))
    grads = [[torch.randn(w.shape, dtype=w.dtype) for w in w0] for _ in range(3)]
    final = {}
    for dev in ('cpu', 'cuda'):
        ws = [torch.nn.Parameter(w.to(dev).clone()) for w in w0]
        opt = make(ws)
        for gs in grads:
            for w, g in zip(ws, gs):
                w.grad = g.to(dev)
            opt.step()
        final[dev] = ws
    for a, b in zip(final['cuda'], final['cpu']):
        _close(a.detach(), b.detach(), a.dtype)


def test_conv_input_grad_and_max_pool_grad(ran):
    torch.manual_seed(0)
    x, w = torch.randn(3, 2, 12, 12), torch.randn(4, 2, 5, 5)
    x[0, 0, :2, :2] = 1.0        # a tied window: the first maximum takes the gradient
    grads = []
    for dev in ('cpu', 'cuda'):
        xd = x.to(dev).clone().requires_grad_()
        y = F.max_pool2d(F.conv2d(xd, w.to(dev), padding=2), 2)
        y.backward(torch.arange(y.numel(), dtype=torch.float32).reshape(y.shape).to(dev))
        tied = xd.clone().detach().requires_grad_()
        F.max_pool2d(tied, 2).sum().backward()
        grads += [xd.grad, tied.grad]
    _close(grads[2], grads[0], torch.float32, scale=1000)
    _close(grads[3], grads[1], torch.float32)
    assert sorted(set(ran)) == ['col2im_runs', 'max2x2', 'max2x2_grad']


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
def test_max_pool_2x2_nan_ties_and_infinities(dtype, ran):
    """The 2x2 max-pool kernels find NaN maxima themselves (no host sync): a NaN wins the forward, the
    last NaN of a window takes the gradient, a tie goes to the first maximum, as on the CPU."""
    torch.manual_seed(0)
    x = torch.randn(2, 3, 6, 8, dtype=dtype)
    nan, inf = float('nan'), float('inf')
    x[0, 0, 0, :2] = nan                    # two NaNs in one window: the second takes the gradient
    x[0, 1, 2:4, 2:4] = torch.tensor([[1., nan], [nan, 0.]], dtype=dtype)
    x[1, 0, 0:2, 4:6] = -inf                # an all -inf window: its first element
    x[1, 2, 4:6, 0:2] = torch.tensor([[2., 2.], [2., 1.]], dtype=dtype)
    x[1, 1, 0:2, 0:2] = torch.tensor([[-0., 0.], [0., -0.]], dtype=dtype)
    out, grads = [], []
    for dev in ('cpu', 'cuda'):
        xd = x.to(dev).detach().requires_grad_()
        y = F.max_pool2d(xd, 2)
        y.backward(torch.arange(1., y.numel() + 1, dtype=dtype).reshape(y.shape).to(dev))
        out.append(y.detach())
        grads.append(xd.grad)
    np.testing.assert_array_equal(out[1].cpu().numpy(), out[0].numpy())
    np.testing.assert_array_equal(grads[1].cpu().numpy(), grads[0].numpy())
    assert ran == ['max2x2', 'max2x2_grad']



def test_inplace_updates_write_straight_into_the_array(monkeypatch):
    """p.add_(g), p.mul_(s), p -= t on CUDA tensors that record nothing: one ufunc into p's array
    (_core._write_directly; one launch, not a result and a copy), the CPU's values."""
    from faketorch._ops import _core
    direct, orig = [], _core._write_directly
    monkeypatch.setattr(_core, '_write_directly', lambda f, s, o: direct.append(orig(f, s, o)) or direct[-1])
    out = []
    for dev in ('cpu', 'cuda'):
        torch.manual_seed(0)
        p, g = torch.randn(5, 3).to(dev), torch.randn(5, 3).to(dev)
        p.add_(g)
        p.mul_(0.9)
        p -= 0.1 * g
        p /= torch.tensor(2.0, device=dev)
        out.append(p)
    np.testing.assert_array_equal(out[1].cpu().numpy(), out[0].numpy())
    assert direct == [True] * 8


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
def test_dropout_kernel(dtype, ran):
    """F.dropout on CUDA: one kernel after the draws; the output is the input times the kept mask
    over 1 - p, the gradient that mask's scale, the mask bool (CuPy's draws: no CPU comparison)."""
    torch.manual_seed(0)
    x = torch.randn(64, 33, dtype=dtype, device='cuda', requires_grad=True)
    out, mask = torch.native_dropout(x, 0.25, True)
    y = torch.nn.functional.dropout(x, 0.25)
    y.backward(torch.ones_like(y))
    assert ran == ['dropout', 'dropout'] and mask.dtype == torch.bool
    m = (y != 0).to(dtype)
    _close(y.detach(), (x.detach() * m * (1 / 0.75)).cpu(), dtype)
    _close(x.grad, (m * (1 / 0.75)).cpu(), dtype)
    _close(out.detach(), (x.detach() * mask.to(dtype) / 0.75).cpu(), dtype)
    assert 0.6 < mask.float().mean().item() < 0.9


def test_factories_build_on_the_device(monkeypatch):
    """zeros / ones / empty / full / new_zeros on CUDA are made by CuPy on the GPU: no host array
    copied over (a copy from pageable memory also waits for the GPU's queue)."""
    from faketorch._ops import factory
    copies = []
    monkeypatch.setattr(factory, 'to_device_array', lambda a, d: copies.append(a) or a)
    t = torch.zeros(2, 3, device='cuda')
    ts = [t, torch.ones(4, device='cuda', dtype=torch.int64), torch.empty(2, device='cuda'),
          torch.full((2,), 1.5, device='cuda'), t.new_zeros(()), t.new_ones(3), t.new_full((2,), 7.0)]
    assert copies == [] and all(x.is_cuda for x in ts)
    assert [x.tolist() for x in ts[3:]] == [[1.5, 1.5], 0.0, [1.0, 1.0, 1.0], [7.0, 7.0]]


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
@pytest.mark.parametrize('shape,ns,affine', [((6, 17), (17,), True), ((3, 4, 5, 6), (5, 6), True),
                                             ((4, 9), (9,), False), ((5, 1), (1,), True)])
def test_layer_norm_rows(dtype, shape, ns, affine, ran):
    """layer_norm's forward and gradients (input, weight, bias) on CUDA: one kernel a direction for
    the rows (the weight and bias gradients sum the rows after it), the CPU's values."""
    torch.manual_seed(0)
    x, g = torch.randn(shape, dtype=dtype) * 3 + 1, torch.randn(shape, dtype=dtype)
    w, b = torch.randn(ns, dtype=dtype), torch.randn(ns, dtype=dtype)
    res = []
    for dev in ('cpu', 'cuda'):
        leaves = [t.to(dev).detach().requires_grad_() for t in ((x, w, b) if affine else (x,))]
        y = torch.nn.functional.layer_norm(leaves[0], ns, *leaves[1:])
        y.backward(g.to(dev))
        res.append([y.detach()] + [t.grad for t in leaves])
    for c, h in zip(res[1], res[0]):
        _close(c, h, dtype, scale=10)
    assert ran == ['layer_norm_rows', 'layer_norm_bwd_rows']


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
def test_softmax_rows(dtype, ran):
    """Last-dim softmax and its backward on CUDA, one kernel each (a row of -inf gives NaN)."""
    torch.manual_seed(0)
    x, g = torch.randn(3, 7, 9, dtype=dtype) * 4, torch.randn(3, 7, 9, dtype=dtype)
    x[1, 2] = float('-inf')
    res = []
    for dev in ('cpu', 'cuda'):
        xd = x.to(dev).detach().requires_grad_()
        y = torch.softmax(xd, -1)
        y.backward(g.to(dev))
        res.append((y.detach(), xd.grad))
    _close(res[1][0], res[0][0], dtype)
    _close(res[1][1], res[0][1], dtype)
    assert ran == ['softmax_rows', 'softmax_bwd_rows']


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
def test_safe_softmax_rows(dtype, ran):
    """The math attention's softmax on CUDA, one kernel (a row of -inf gives zeros), and softmax's backward."""
    torch.manual_seed(0)
    q, k, v, g = (torch.randn(6, 5, 4, dtype=dtype) for _ in range(4))
    mask = torch.ones(5, 5, dtype=torch.bool)
    mask[2] = False     # query 2 sees no key: its row of scores is all -inf
    res = []
    for dev in ('cpu', 'cuda'):
        qd = q.to(dev).detach().requires_grad_()
        out = F.scaled_dot_product_attention(qd, k.to(dev), v.to(dev), attn_mask=mask.to(dev))
        out.backward(g.to(dev))
        res.append((out.detach(), qd.grad))
    _close(res[1][0], res[0][0], dtype, scale=10)
    _close(res[1][1], res[0][1], dtype, scale=10)
    assert res[1][0][:, 2].abs().sum().item() == 0
    assert ran == ['safe_softmax_rows', 'softmax_bwd_rows']
