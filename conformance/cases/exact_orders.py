"""torch's CPU kernel orders reproduced bit for bit (faketorch/_vecmath.py), one case per kernel and shape.

The flash-attention cases use inputs whose two products are exact in any order (query and key in
quarters, each value column with one power-of-two entry per block of 512 keys), so they test the
kernel's own order (scale and mask fused, exp_u20 over 16 lanes, the online softmax's rescaling)
and not the BLAS underneath, which is MKL's in torch and differs by CPU."""
from conformance import case


def _attention_inputs(torch, B, H, L, S, E):
    q = torch.randint(-8, 9, (B, H, L, E)).float() / 4
    k = torch.randint(-8, 9, (B, H, S, E)).float() / 4
    v = torch.zeros(B, H, S, E)
    cols = torch.arange(E)
    for n in range(0, S, 512):
        blk = min(512, S - n)
        rows = n + (cols * 37 + 5 + n) % blk
        v[:, :, rows, cols] = 2.0 ** ((cols % 7) - 3).float() * (1 - 2 * (cols % 2)).float()
    return q, k, v


def _attention_case(shape, **kw):
    def run(torch):
        q, k, v = _attention_inputs(torch, *shape)
        args = dict(kw)
        L, S = shape[2], shape[3]
        if args.pop('float_mask', False):
            args['attn_mask'] = torch.randn(L, S)
        if args.pop('bool_mask', False):
            args['attn_mask'] = torch.rand(shape[0], 1, L, S) > 0.3
        if args.pop('column_mask', False):
            args['attn_mask'] = torch.randn(L, 1)
        return torch.nn.functional.scaled_dot_product_attention(q, k, v, **args)
    return run


for _shape in [(1, 1, 5, 7, 4), (2, 3, 10, 100, 16), (1, 2, 33, 40, 8), (1, 2, 4, 600, 8), (1, 1, 3, 1100, 12)]:
    _tag = 'x'.join(map(str, _shape))
    for _name, _kw in [('', {}), ('_causal', dict(is_causal=True)), ('_float_mask', dict(float_mask=True)),
                       ('_bool_mask', dict(bool_mask=True)), ('_column_mask', dict(column_mask=True)),
                       ('_scale', dict(scale=0.3)), ('_negative_scale_causal', dict(scale=-0.3, is_causal=True))]:
        case('torch.nn.functional.scaled_dot_product_attention', exact=True,
             name=f'flash_exact_{_tag}{_name}')(_attention_case(_shape, **_kw))


@case('torch.nn.functional.scaled_dot_product_attention', exact=True)
def flash_exact_grad_runs(torch):
    q, k, v = _attention_inputs(torch, 1, 2, 6, 20, 8)
    q.requires_grad_()
    out = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
    out.backward(torch.ones_like(out))
    return out, out.grad_fn.name(), q.grad is not None


# GELU's tanh approximation: SLEEF's tanhf in the 32-element vector steps, glibc's in the tails and in
# strided loops; the erf form of a contiguous float32 tensor goes to oneDNN (not reproduced, see README)
def _gelu_tanh_case(n, view):
    def run(torch):
        x = torch.linspace(-9, 9, n) + torch.rand(n) * 0.01
        if n > 3:
            x[1:4] = torch.tensor([float('inf'), float('-inf'), float('nan')])
        if view == 'strided':
            x = x.repeat_interleave(2)[::2]
        elif view == 'rows':
            x = x[:n - n % 6].view(-1, 6)[:, 1:]
        elif view == 'transposed':
            x = x[:n - n % 4].view(4, -1).t()
        return torch.nn.functional.gelu(x, approximate='tanh'), torch.nn.GELU('tanh')(x[:5])
    return run


for _n in (1, 7, 32, 45, 300, 4000):
    for _view in ('flat', 'strided', 'rows', 'transposed'):
        case('torch.nn.functional.gelu', exact=True, name=f'tanh_exact_{_n}_{_view}')(_gelu_tanh_case(_n, _view))


# bicubic grid_sample: the vectorised kernel's cubic coefficients and tap sums, FMAs where GCC contracted them
def _bicubic_case(shape, out_hw, padding_mode, align_corners, dtype):
    def run(torch):
        N, C, H, W = shape
        x = torch.randn(shape, dtype=getattr(torch, dtype))
        grid = (torch.rand(N, *out_hw, 2, dtype=x.dtype) * 2.6 - 1.3)
        return torch.nn.functional.grid_sample(x, grid, mode='bicubic', padding_mode=padding_mode,
                                               align_corners=align_corners)
    return run


for _shape, _out in (((2, 3, 7, 9), (5, 6)), ((1, 2, 4, 4), (11, 13)), ((3, 1, 16, 5), (8, 40))):
    for _pad in ('zeros', 'border', 'reflection'):
        for _align in (False, True):
            for _dt in ('float32', 'float64'):
                _tag = f"{'x'.join(map(str, _shape))}_{_pad}_{'align' if _align else 'noalign'}_{_dt}"
                case('torch.nn.functional.grid_sample', exact=True, name=f'bicubic_exact_{_tag}')(
                    _bicubic_case(_shape, _out, _pad, _align, _dt))


def _gelu_tanh_grad_case(n):
    def run(torch):
        x = (torch.linspace(-7, 7, n) + torch.rand(n) * 0.01).requires_grad_()
        y = torch.nn.functional.gelu(x, approximate='tanh')
        y.backward(torch.randn(n))
        return y, x.grad
    return run


for _n in (1, 7, 45, 300, 4000):
    case('torch.nn.functional.gelu', exact=True, name=f'tanh_exact_grad_{_n}')(_gelu_tanh_grad_case(_n))


# the math path (3-d inputs, or what the flash kernel does not take): q and k each scaled by
# sqrt(scale) (exact for a head size of 16), then torch's softmax kernel and the rows masked out whole set to 0
def _math_attention_case(B, L, S, **kw):
    def run(torch):
        q, k, v = _attention_inputs(torch, 1, B, L, S, 16)
        q, k, v = q[0], k[0], v[0]
        args = dict(kw)
        if args.pop('float_mask', False):
            args['attn_mask'] = torch.randn(L, S)
        if args.pop('dead_rows', False):
            mask = torch.rand(L, S) > 0.5
            mask[1] = False
            args['attn_mask'] = mask
        return torch.nn.functional.scaled_dot_product_attention(q, k, v, **args)
    return run


for _B, _L, _S in ((2, 5, 7), (3, 10, 40), (2, 3, 100)):
    for _name, _kw in (('', {}), ('_causal', dict(is_causal=True)), ('_float_mask', dict(float_mask=True)),
                       ('_dead_rows', dict(dead_rows=True))):
        case('torch.nn.functional.scaled_dot_product_attention', exact=True,
             name=f'math_exact_{_B}x{_L}x{_S}{_name}')(_math_attention_case(_B, _L, _S, **_kw))


# log_softmax over the last dim (SLEEF exp and log, the lane sums) and nll_loss's cascade of partial sums:
# the losses a training loop prints
def _ce_case(n, c, **kw):
    def run(torch):
        x = torch.randn(n, c) * 3
        t = torch.randint(0, c, (n,))
        args = dict(kw)
        if args.pop('ignore', False):
            t[::3] = -100
            t[16::16] = -100
        if args.pop('weighted', False):
            args['weight'] = torch.rand(c) + 0.5
        F = torch.nn.functional
        return (F.log_softmax(x, -1), F.cross_entropy(x, t, **args),
                F.cross_entropy(x, t, reduction='sum', **args), F.nll_loss(F.log_softmax(x, 1), t, **args))
    return run


for _n, _c in ((4, 10), (8, 7), (32, 100), (100, 5), (300, 3), (64, 1000)):
    for _name, _kw in (('', {}), ('_ignore', dict(ignore=True)), ('_weighted', dict(weighted=True)),
                       ('_weighted_ignore', dict(weighted=True, ignore=True))):
        case('torch.nn.functional.cross_entropy', exact=True, name=f'exact_{_n}x{_c}{_name}')(_ce_case(_n, _c, **_kw))
case('torch.nn.functional.log_softmax', exact=True, name='exact_special_rows')(lambda torch: torch.log_softmax(
    torch.tensor([[0, -float('inf'), 1], [-float('inf')] * 3, [float('inf'), 0, 1], [float('nan'), 0, 1]]), -1))


def _softmax_grad_case(n, c, fn):
    def run(torch):
        x = (torch.randn(n, c) * 3).requires_grad_()
        if fn == 'cross_entropy':
            t = torch.randint(0, c, (n,))
            t[::5] = -100
            loss = torch.nn.functional.cross_entropy(x, t)
            loss.backward()
            return loss, x.grad
        y = getattr(torch, fn)(x, -1)
        y.backward(torch.randn(n, c))
        return y, x.grad
    return run


for _n, _c in ((4, 10), (8, 7), (32, 100), (100, 5), (64, 1000)):
    for _fn in ('softmax', 'log_softmax', 'cross_entropy'):
        case(f'torch.nn.functional.{_fn}' if _fn == 'cross_entropy' else f'torch.{_fn}', exact=True,
             name=f'exact_grad_{_n}x{_c}')(_softmax_grad_case(_n, _c, _fn))
