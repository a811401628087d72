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


# --- torch's native norm, pad and grid-sampler entry points (faketorch/_ops/nn_native.py) ---------

@case('torch.native_group_norm')
def grads_through_mean_and_rstd(torch):
    x, w, b = _x(torch, 2, 6, 3), _x(torch, 6, seed=1), _x(torch, 6, seed=2)
    out, mean, rstd = torch.native_group_norm(x, w, b, 2, 6, 3, 3, 1e-5)
    (out.sum() + (mean * torch.tensor([1.5, -2.0, 0.5])).sum() + (rstd * 0.3).sum()).backward()
    return out, mean, rstd, mean.grad_fn.name(), x.grad, w.grad, b.grad


check('torch.native_group_norm', lambda torch: torch.native_group_norm(_x(torch, 2, 6, 3), None, None, 2, 6, 4, 3,
                                                                        1e-5), name='numel_error')


@case('torch.native_batch_norm')
def running_stats_and_eval(torch):
    x, w, b = _x(torch, 4, 3, 2), _x(torch, 3, seed=1), _x(torch, 3, seed=2)
    rm, rv = torch.zeros(3), torch.ones(3)
    train = torch.native_batch_norm(x, w, b, rm, rv, True, 0.3, 1e-5)
    ev = torch.native_batch_norm(x, w, b, rm, rv, False, 0.3, 1e-5)
    return train, ev, rm, rv, [t.requires_grad for t in train], _fb(torch, train[0], x, w, b)


@case('torch._native_batch_norm_legit')
def overloads(torch):
    x, w, b = _x(torch, 4, 3, 2), _x(torch, 3, seed=1), _x(torch, 3, seed=2)
    no_stats = torch._native_batch_norm_legit(x, w, b, True, 0.1, 1e-5)
    rm, rv = torch.zeros(3), torch.ones(3)
    stats = torch._native_batch_norm_legit(x, w, b, rm, rv, False, 0.1, 1e-5)
    return no_stats, stats, no_stats[0].grad_fn.name(), stats[0].grad_fn.name(), _fb(torch, no_stats[0], x, w, b)


@case('torch.native_layer_norm')
def stats_shapes(torch):
    x, w = _x(torch, 2, 3, 4), _x(torch, 3, 4, seed=1)
    out, mean, rstd = torch.native_layer_norm(x, [3, 4], w, None, 1e-5)
    return out, mean, rstd, mean.requires_grad, _fb(torch, out, x, w)


check('torch.constant_pad_nd', lambda torch: torch.constant_pad_nd(torch.arange(6).reshape(2, 3), [1, -1, 2, 0], 1.5),
      name='int64_crop')
check('torch.grid_sampler_2d', lambda torch: _fb(torch, torch.grid_sampler_2d(
    _x(torch, 1, 2, 3, 4), torch.tensor(np.random.RandomState(1).uniform(-1.2, 1.2, (1, 2, 3, 2)).astype('float32'),
                                        requires_grad=True), 0, 2, True)), name='reflection')


# opinfo passes an nn.PairwiseDistance *instance* of real torch as distance_function, which the driver
# cannot rebuild for faketorch; the same samples with each library's own module:
@case('F.triplet_margin_with_distance_loss')
def pairwise_distance_module(torch):
    F = torch.nn.functional
    a, p, n = _x(torch, 5, 10), _x(torch, 5, 10, seed=1), _x(torch, 5, 10, seed=2)
    outs = [F.triplet_margin_with_distance_loss(a, p, n, distance_function=torch.nn.PairwiseDistance(), **kw)
            for kw in ({'margin': 1e-6}, {'swap': True}, {'reduction': 'sum'}, {'reduction': 'none'})]
    ints = [t.detach().round().long() for t in (a, p, n)]
    return outs, _fb(torch, outs[1], a, p, n), F.triplet_margin_with_distance_loss(
        *ints, distance_function=torch.nn.PairwiseDistance())
