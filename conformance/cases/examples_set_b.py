"""Bugs found by the second set of dogfooding scripts (examples/vit_stn.py, distill_amp.py,
metric_learning.py): one case per fix."""
from conformance import case, check

# isclose/allclose of shapes that do not broadcast: torch's RuntimeError, not NumPy's ValueError
check('torch.allclose', lambda torch: torch.ones(1, 4, 17).allclose(torch.ones(1, 4, 17, 17)),
      name='no_broadcast')
check('torch.isclose', lambda torch: torch.isclose(torch.ones(2, 3), torch.ones(3, 1, 3)).shape,
      name='broadcasts')


# affine_grid's bmm: plain sums below 400 multiply-adds per item, MKL's fused ones above, float32
# accumulation for half types; bit for bit on the Intel CPUs seen, where MKL fuses (on a Zen 4 EPYC
# it does not: MKL's kernel depends on the CPU, so the comparison allows float32's last bits)
@case('torch.nn.functional.affine_grid', atol=1e-6, rtol=1e-6)
def bit_exact_sizes(torch):
    F = torch.nn.functional
    out = []
    for dt in (torch.float32, torch.float64, torch.bfloat16, torch.float16):
        for ac in (True, False):
            out.append(F.affine_grid(torch.randn(2, 2, 3).to(dt), (2, 1, 5, 11), align_corners=ac))
            out.append(F.affine_grid(torch.randn(2, 2, 3).to(dt), (2, 1, 16, 16), align_corners=ac))
            out.append(F.affine_grid(torch.randn(2, 3, 4).to(dt), (2, 1, 4, 5, 6), align_corners=ac))
    return out


@case('torch.nn.functional.affine_grid', exact=True)
def nearest_ties(torch):
    # a last-bit difference in the grid moves grid_sample's nearest pixel where it rounds a tie
    theta = torch.tensor([[[0.9, -0.2, 0.1], [0.25, 1.1, -0.05]]], dtype=torch.float64)
    grid = torch.nn.functional.affine_grid(theta, (1, 1, 7, 9), align_corners=True)
    x = torch.arange(100, dtype=torch.float64).reshape(1, 1, 10, 10)
    return grid, torch.nn.functional.grid_sample(x, grid, mode='nearest', align_corners=True)


# grid_sample's 2-d CPU kernel: (coord + 1) * (size / 2) - 0.5 and the four corners' sum as fused
# multiply-adds, the grid gradient fused channel by channel, the input gradient added vector by
# vector and corner by corner; bilinear and nearest, outputs and gradients bit for bit
@case('torch.nn.functional.grid_sample', exact=True)
def fused_2d_kernel(torch):
    F = torch.nn.functional
    out = []
    for dt in (torch.float32, torch.float64):
        x = torch.randn(2, 3, 10, 13, dtype=dt, requires_grad=True)
        grid = (torch.rand(2, 7, 9, 2, dtype=dt) * 2.6 - 1.3).requires_grad_()
        for mode in ('bilinear', 'nearest'):
            for pad in ('zeros', 'border', 'reflection'):
                for ac in (True, False):
                    y = F.grid_sample(x, grid, mode=mode, padding_mode=pad, align_corners=ac)
                    gx, gg = torch.autograd.grad(y, (x, grid), torch.randn_like(y))
                    out += [y, gx, gg]
    return out


# an STN step: affine_grid's backward below 400 multiply-adds is torch's naive ordered loop (bit for
# bit on the Intel CPUs seen; the forward's MKL rounding depends on the CPU, and the gradient's
# cancelling sums amplify it)
@case('torch.nn.functional.affine_grid', atol=1e-5, rtol=1e-4)
def stn_theta_grad(torch):
    F = torch.nn.functional
    out = []
    for n, c, h, w, oh, ow in ((3, 4, 17, 19, 11, 23), (4, 2, 5, 5, 3, 1)):
        x = torch.randn(n, c, h, w)
        theta = (torch.eye(2, 3) + 0.1 * torch.randn(n, 2, 3)).requires_grad_()
        y = F.grid_sample(x, F.affine_grid(theta, (n, c, oh, ow), align_corners=False), align_corners=False)
        (y * torch.randn_like(y)).sum().backward()
        out += [y, theta.grad]
    return out


# checkpoint(use_reentrant=False) re-runs the function in backward, as torch: forward hooks fire
# again, BatchNorm updates its running statistics twice, the RNG stream is left as it was, and the
# re-run stops inside the op that saved the region's last tensor
@case('torch.utils.checkpoint.checkpoint')
def non_reentrant_recomputes(torch):
    nn = torch.nn
    calls = []
    blk = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Dropout(0.5),
                        nn.Conv2d(4, 4, 1), nn.BatchNorm2d(4), nn.ReLU())
    for n, m in blk.named_children():
        m.register_forward_hook(lambda m, i, o, n=n: calls.append(('fwd', n)))
        m.register_forward_pre_hook(lambda m, i, n=n: calls.append(('pre', n)))
    x = torch.randn(2, 3, 6, 6, requires_grad=True)
    y = torch.utils.checkpoint.checkpoint(blk, x, use_reentrant=False)
    calls.append('backward')
    y.sum().backward()
    return calls, blk[1].num_batches_tracked, blk[5].running_mean, x.grad, torch.rand(2)


@case('torch.utils.checkpoint.checkpoint')
def non_reentrant_early_stop(torch):
    calls = []

    def f(t):
        calls.append('start')
        a = t.exp()
        calls.append('exp')
        b = a * 2                   # saves no tensor: the re-run stops inside exp
        calls.append('mul')
        return b.view(-1) + 1

    def g(t):
        a = t.sin()
        calls.append('sin')
        b = a.cos()                 # saves a: the last saved tensor
        calls.append('cos')
        return b
    x = torch.randn(3, requires_grad=True)
    for fn in (f, g):
        out = torch.utils.checkpoint.checkpoint(fn, x, use_reentrant=False)
        calls.append('backward')
        out.sum().backward()
    return calls, x.grad


# Tensor.fill_diagonal_ was missing: fill_ on an as_strided view of the diagonal (CopySlices under
# autograd), wrap for tall matrices, torch's errors
@case('Tensor.fill_diagonal_')
def wrap_views_and_grad(torch):
    tall = torch.zeros(8, 3).fill_diagonal_(5, wrap=True)
    cube = torch.zeros(3, 3, 3).fill_diagonal_(2)
    sub = torch.zeros(4, 5)
    sub[1:, 1:].fill_diagonal_(3)
    x = torch.randn(3, 3, requires_grad=True)
    y = (x * 1).fill_diagonal_(-float('inf'))
    y.exp().sum().backward()
    return (tall, cube, sub, torch.zeros(3, 4).t().fill_diagonal_(1),
            torch.zeros(2, 2, dtype=torch.long).fill_diagonal_(2.7),
            torch.zeros(3, 3).fill_diagonal_(torch.tensor(4.)), y.grad_fn.name(), x.grad)


check('Tensor.fill_diagonal_', lambda torch: torch.zeros(2, 3, 3).fill_diagonal_(1), name='unequal_dims')
check('Tensor.fill_diagonal_', lambda torch: torch.zeros(3).fill_diagonal_(1), name='one_dim')
check('Tensor.fill_diagonal_', lambda torch: torch.zeros(2, 2, requires_grad=True).fill_diagonal_(1),
      name='leaf_requires_grad')
check('Tensor.fill_diagonal_', lambda torch: torch.zeros(2, 2).fill_diagonal_(torch.tensor([1.])),
      name='tensor_value')


@case('torch.utils.checkpoint.checkpoint')
def non_reentrant_once_per_backward(torch):
    calls = []
    lin = torch.nn.Linear(3, 3)
    lin.register_forward_hook(lambda m, i, o: calls.append('fwd'))
    x = torch.randn(2, 3, requires_grad=True)
    y = torch.utils.checkpoint.checkpoint(lambda t: torch.relu(lin(t)) * 2, x, use_reentrant=False)
    y.sum().backward(retain_graph=True)
    calls.append('first')
    y.sum().backward()
    calls.append('second')
    z = torch.utils.checkpoint.checkpoint(lin, x, use_reentrant=False)
    g, = torch.autograd.grad(z.sum(), x)       # re-run stops inside addmm, before the hook
    return calls, x.grad, g
