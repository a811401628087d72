"""nn.functional gaps found by the OpInfo driver: integer pools and clamps, negative pads, layer_norm's
one-element rows, chunked linear_cross_entropy, K-dim nll views, ctc float32 rounding, flash attention."""
import numpy as np

from conformance import case, check


def _x(torch, *shape, seed=0, grad=True, dtype='float32'):
    a = np.random.RandomState(seed).randn(*shape).astype(dtype)
    return torch.tensor(a, requires_grad=grad)


def _fb(torch, out, *leaves):
    w = torch.tensor(np.cos(np.arange(out.numel()) * 1.3).reshape(tuple(out.shape)).astype('float32'))
    (out * w.to(out.dtype)).sum().backward()
    return (out, out.grad_fn.name() if out.grad_fn else None) + tuple(t.grad for t in leaves)


_ints = lambda torch: torch.tensor([[[-7, -3, -1, 0, 2, 5, 9, -8]]])      # noqa: E731
check('F.avg_pool1d', lambda torch: torch.nn.functional.avg_pool1d(_ints(torch), 3, 2, 1), name='int64_truncates')
check('F.avg_pool2d', lambda torch: torch.nn.functional.avg_pool2d(_ints(torch), (1, 3), divisor_override=2),
      name='int64_divisor_override')
check('F.avg_pool3d', lambda torch: torch.nn.functional.avg_pool3d(_ints(torch).reshape(1, 1, 2, 2, 2), 2),
      name='int64')
check('F.hardtanh', lambda torch: torch.nn.functional.hardtanh(_ints(torch), -1.5, 2.5), name='int64')
check('F.relu6', lambda torch: torch.nn.functional.relu6(_ints(torch).to(torch.uint8)), name='uint8')
check('F.hardtanh', lambda torch: torch.nn.functional.hardtanh(_ints(torch).bool()), name='bool_error')
check('F.hardtanh', lambda torch: torch.nn.functional.hardtanh(_ints(torch).to(torch.uint8)), name='uint8_negative')
check('F.threshold', lambda torch: torch.nn.functional.threshold(_ints(torch), -1.5, 9.9), name='int64')
check('F.threshold', lambda torch: torch.nn.functional.threshold(_ints(torch).bool(), 0, 1), name='bool_error')


@case('F.threshold')
def int64_inplace(torch):
    x = _ints(torch)
    torch.nn.functional.threshold(x, 0, 4, inplace=True)
    return x


for mode in ('reflect', 'replicate', 'circular'):
    for pads in ((-1, 2, 0, 0), (1, -2, -1, 1), (-1, -1, 2, -1), (-3, 2, 0, 0) if mode == 'replicate' else (2, 1, 1, 0)):
        check('F.pad', lambda torch, mode=mode, pads=pads: _fb(
            torch, torch.nn.functional.pad(x := _x(torch, 2, 3, 4), pads, mode=mode), x),
            name=f'{mode}_negative_{"_".join(map(str, pads)).replace("-", "m")}')


@case('F.layer_norm')
def one_element_rows(torch):
    x = torch.tensor([[3.7], [-1.2], [0.3]], requires_grad=True)
    w = torch.tensor([0.7], requires_grad=True)
    b = torch.tensor([0.1], requires_grad=True)
    # x's gradient is left out: torch's has a compiler-dependent FMA residue there
    return _fb(torch, torch.nn.functional.layer_norm(x, (1,), w, b), w, b)


@case('F.linear_cross_entropy')
def chunked(torch):
    x, w = _x(torch, 8, 3), _x(torch, 4, 3, seed=1)
    t = torch.tensor([0, 3, 1, 2, 2, 0, 1, 3])
    opts = torch.nn.LinearCrossEntropyOptions(batch_chunk_size=2)
    F = torch.nn.functional
    r = F.linear_cross_entropy(x, w, t, options=opts)
    n = F.linear_cross_entropy(x, w, t, reduction='none', options=opts)
    u = F.linear_cross_entropy(x[0], w, t[0], options=opts)
    return _fb(torch, r, x, w) + (n.grad_fn.name(), u.grad_fn.name(), n)


@case('F.cross_entropy')
def kdim_views(torch):
    F = torch.nn.functional
    names = []
    for shape in ((4, 2, 3), (4, 2, 3, 2), (4, 2, 3, 2, 2)):
        x = _x(torch, *shape)
        t = torch.zeros(shape[:1] + shape[2:], dtype=torch.long)
        names += [F.cross_entropy(x, t, reduction=r).grad_fn.name() for r in ('none', 'mean')]
        names.append(F.nll_loss(x, t, reduction='none').shape)
    return names


@case('F.ctc_loss')
def float32_gradient(torch):
    lp = _x(torch, 30, 4, 6).log_softmax(2).detach().requires_grad_()
    tg = torch.tensor(np.random.RandomState(1).randint(1, 6, (4, 10)))
    il, tl = torch.tensor([30, 25, 30, 20]), torch.tensor([10, 7, 9, 5])
    out = torch.nn.functional.ctc_loss(lp, tg, il, tl, reduction='none', zero_infinity=True)
    return _fb(torch, out, lp)


check('F.batch_norm', lambda torch: _fb(torch, torch.nn.functional.batch_norm(
    x := _x(torch, 0, 2), torch.zeros(2), torch.ones(2), training=True), x), name='empty_input')
check('F.batch_norm', lambda torch: torch.nn.functional.batch_norm(
    torch.ones(3), torch.zeros(0), torch.ones(0)), name='one_d_error')
check('F.max_unpool1d', lambda torch: _fb(torch, torch.nn.functional.max_unpool1d(
    x := _x(torch, 1, 2, 3), torch.tensor([[[1, 2, 5], [0, 3, 4]]]), 2), x), name='grad_fn')
check('F.interpolate', lambda torch: torch.nn.functional.interpolate(
    _x(torch, 2, 3, 4, dtype='float64', grad=False), scale_factor=1.7, mode='linear', align_corners=True,
    recompute_scale_factor=False), name='linear_float64_scale', rtol=1e-12, atol=1e-12)


@case('F.scaled_dot_product_attention')
def flash_4d(torch):
    q, k, v = _x(torch, 2, 2, 3, 8), _x(torch, 2, 2, 5, 8, seed=1), _x(torch, 2, 2, 5, 8, seed=2)
    m = torch.tensor([[True] * 5, [False] * 5, [True, False] * 2 + [True]])
    return _fb(torch, torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m), q, k, v)


@case('F.conv_transpose3d')
def weight_grad(torch):
    x, w = _x(torch, 2, 4, 3, 4, 3), _x(torch, 4, 3, 3, 2, 3, seed=1)
    return _fb(torch, torch.nn.functional.conv_transpose3d(x, w, stride=2, padding=1), x, w)


@case('F.max_pool2d')
def relu_ties_grad(torch):
    x = _x(torch, 2, 3, 6, 8).relu().detach().requires_grad_()
    return _fb(torch, torch.nn.functional.max_pool2d(x, 2), x)
