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
