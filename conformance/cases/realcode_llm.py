"""Bugs found by running public transformer/LLM code (meta-llama/llama, karpathy/llama2.c, Hugging Face
transformers' Llama and logits processors, BERT MLM masking) under faketorch with `python -m compat
diff`: one case per fix."""
from conformance import case


# HF Llama with sdpa and left padding: the 4-d mask fills finfo(dtype).min, so a padded query's row is
# all one huge negative. torch's CPU flash backward takes the weights as exp(score - logsumexp) and
# the logsumexp of such a row rounds to its max: every weight is 1, not 1/S, and q/k/v grads differ
# from the exact softmax derivative faketorch took (the forward is the mean of v in both)
@case('torch.nn.functional.scaled_dot_product_attention')
def huge_negative_row_grads(torch):
    F = torch.nn.functional
    q, k, v = (torch.randn(1, 2, 3, 4, requires_grad=True) for _ in range(3))
    mn = torch.finfo(torch.float32).min
    out = []
    for mask in (torch.tensor([[mn, mn, mn], [0, mn, 0], [0., 0, 0]]),
                 torch.tensor([[-1e30, -1e30, -1e30], [0, mn, 0], [0., 0, 0]]),
                 torch.tensor([[mn, mn, 1e30], [0, mn, 0], [0., 0, 0]]),
                 torch.tensor([[-float('inf')] * 3, [0, mn, 0], [0., 0, 0]]),
                 torch.tensor([[False] * 3, [True, False, True], [True] * 3])):
        o = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        gq, gk, gv = torch.autograd.grad((o * torch.arange(4.)).sum(), (q, k, v))
        out.append((o, gq, gk, gv))
    qd, kd, vd = (t.detach().double().requires_grad_() for t in (q, k, v))
    o = F.scaled_dot_product_attention(qd, kd, vd, attn_mask=torch.full((3, 3), mn, dtype=torch.float64))
    out.append((o, torch.autograd.grad(o.sum(), (qd, kd, vd))))
    return out


# llama2.c's train.py trains under torch.amp.autocast('cpu', dtype=torch.bfloat16): faketorch kept
# everything float32 (logits printed torch.float32). The CPU lists: products, linear, conv, prelu and
# sdpa run in the fast dtype (float64 untouched), losses and prod/cdist/trace/quantile/polar in float32
@case('torch.autocast')
def cpu_fast_dtype_ops(torch):
    F = torch.nn.functional
    a, b, v, m = torch.randn(3, 4), torch.randn(4, 5), torch.randn(4), torch.randn(2, 3, 4)
    out = []
    for dt in (torch.bfloat16, torch.float16):
        with torch.autocast('cpu', dtype=dt):
            out.append([a @ b, b.t().__rmatmul__(a), v @ v, a @ v, torch.matmul(m, a.t()), a.mm(b), m.bmm(m.mT),
                        torch.addmm(torch.zeros(5), a, b), torch.baddbmm(torch.zeros(2, 3, 3), m, m.mT),
                        torch.addbmm(torch.zeros(3, 3), m, m.mT), torch.linalg.matmul(a, b),
                        torch.linalg.vecdot(a, a), torch.tensordot(a, b, 1), torch.einsum('ij,jk->ik', a, b),
                        torch.einsum('ij,ij->ij', a, a), torch.einsum('ij,jk->ik', a.to(dt), b), v.dot(v),
                        a.mv(v), torch.outer(v, v),
                        F.linear(a, b.t(), torch.ones(5)), F.conv1d(m, torch.ones(2, 3, 2)),
                        F.conv_transpose1d(m, torch.ones(3, 2, 2)), F.prelu(a, torch.tensor([0.25])),
                        F.scaled_dot_product_attention(m, m, m), a.double() @ b.double(), a.softmax(-1),
                        F.layer_norm(a, (4,)), a.to(dt).sum(), torch.mm(a, b, out=torch.empty(3, 5))])
    return out


@case('torch.autocast')
def cpu_float32_ops(torch):
    F = torch.nn.functional
    a = torch.randn(3, 4).bfloat16()
    p = a.float().sigmoid().bfloat16()
    t = torch.tensor([0, 1, 2])
    with torch.autocast('cpu'):
        return [F.cross_entropy(a, t, label_smoothing=0.1), F.nll_loss(a, t), F.mse_loss(a, a * 2), F.l1_loss(a, 0 * a),
                F.smooth_l1_loss(a, 0 * a), F.huber_loss(a, 0 * a), F.binary_cross_entropy(p, p),
                F.binary_cross_entropy_with_logits(a, p), F.kl_div(a, p, reduction='batchmean'),
                F.soft_margin_loss(a, p), F.cosine_embedding_loss(a, a, torch.ones(3)),
                F.margin_ranking_loss(a, a, torch.ones(4)), F.poisson_nll_loss(a, p),
                a.prod(), a.prod(1), torch.cdist(a, a), a.trace(), a.quantile(0.5), a.nanquantile(0.25, dim=1),
                torch.polar(a[0], a[1]), torch.view_as_complex(a.view(3, 2, 2)), a.double().prod()]


@case('torch.autocast')
def cpu_training_step(torch):
    # a linear + cross-entropy step under CPU bfloat16 autocast: bfloat16 logits, a float32 loss, float32
    # grads reaching the float32 weights through the casts (ToCopyBackward0)
    lin = torch.nn.Linear(4, 3)
    x = torch.randn(5, 4, requires_grad=True)
    with torch.autocast(device_type='cpu', dtype=torch.bfloat16):
        y = lin(x)
        loss = torch.nn.functional.cross_entropy(y, torch.tensor([0, 2, 1, 1, 0]))
        inner_off = torch.autocast('cpu', enabled=False)
        with inner_off:
            z = lin(x)
    loss.backward()
    return (y, loss, z, x.grad, lin.weight.grad, lin.bias.grad, y.grad_fn.name(),
            [f.name() if f else None for f, _ in y.grad_fn.next_functions])


# float16 linear and bfloat16/float16 addmm (the products autocast runs): torch adds the bias to the
# float product and rounds once; faketorch rounded the product, then the sum
@case('torch.addmm')
def half_rounds_once(torch):
    x, w, b = torch.randn(64, 16), torch.randn(8, 16), torch.randn(8)
    m = torch.randn(4, 16, 8)
    out = []
    for dt in (torch.float16, torch.bfloat16):
        xd, wd, bd, md = x.to(dt), w.to(dt), b.to(dt), m.to(dt)
        out += [torch.nn.functional.linear(xd, wd, bd), torch.addmm(bd, xd, wd.t()),
                torch.addmm(bd, xd, wd.t(), beta=1, alpha=2), torch.baddbmm(bd, md[:, :8], md),
                torch.addbmm(bd, md[:, :8], md), torch.addmv(bd, wd, xd[0]), torch.addr(wd, bd, xd[0])]
    return out


# HF Llama's sdpa under bfloat16 autocast: torch's CPU flash kernel for bfloat16/float16 keeps the
# scores, exponentials and row sums in float and rounds only the exponentials (for their product with
# v) and the output; faketorch rounded every step to the input type, 1-2 ulps off
@case('torch.nn.functional.scaled_dot_product_attention')
def half_kernel_rounding(torch):
    F = torch.nn.functional
    out = []
    for dt in (torch.bfloat16, torch.float16):
        q, k, v = (torch.randn(1, 2, 3, 4).to(dt).requires_grad_() for _ in range(3))
        mask = torch.tensor([[0., -1, 0], [0, 0, 0], [0., 0, 0]]).to(dt)
        for kw in (dict(), dict(attn_mask=mask), dict(is_causal=True), dict(attn_mask=mask > -1, scale=0.3)):
            o = F.scaled_dot_product_attention(q, k, v, **kw)
            out.append((o, torch.autograd.grad(o.float().sum(), v)))
    return out


# an fp16 GradScaler step whose grads overflow (the AMP examples recipe): the bias gradient sums inf and
# -inf, and NumPy's "invalid value encountered in reduce" RuntimeWarning reached the user (an ndarray
# method's warning names numpy._core._methods, not faketorch)
@case('torch.nn.functional.linear')
def inf_grads_no_numpy_warning(torch):
    import warnings
    lin = torch.nn.Linear(1, 1)
    x = torch.ones(2, 1)
    with warnings.catch_warnings(record=True) as w:
        lin(x).backward(torch.tensor([[float('inf')], [-float('inf')]]))
        m = torch.tensor([float('inf'), -float('inf')]).mean()
    return lin.bias.grad, lin.weight.grad, m, [str(i.message) for i in w]
