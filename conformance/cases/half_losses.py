"""float16/bfloat16 pointwise losses element by element: torch's CPU kernels round differently per loss and
dtype (huber computes half in float and rounds once, bfloat16 in float from the rounded |a - b|; bfloat16 mse
rounds the difference and the square), which op_db's few samples only sometimes hit."""
from conformance import case


def _pair(torch, dtype):
    g = torch.Generator().manual_seed(0)
    a = (torch.randn(4000, generator=g) * 10).to(dtype)
    b = (torch.randn(4000, generator=g) * 10).to(dtype)
    return a, b


@case('torch.nn.functional.huber_loss')
def half_losses_elementwise(torch):
    F = torch.nn.functional
    out = []
    for dtype in (torch.float16, torch.bfloat16):
        a, b = _pair(torch, dtype)
        for f in (F.huber_loss, F.mse_loss, F.smooth_l1_loss, F.l1_loss):
            out.append((f(a, b, reduction='none'), f(a, b, reduction='sum')))
        out.append(F.huber_loss(a, b, reduction='none', delta=2.5))
    return out
