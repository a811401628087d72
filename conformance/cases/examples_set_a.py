"""Bugs found by the scripts examples/mini_gpt.py, pinn_lbfgs.py and recommender.py: one case per fix.
Inputs are chosen where the forward values agree bit for bit (tanh, sigmoid and the normalization
statistics have known last-bit differences), so each case tests only the rule it pins down."""
from conformance import case

# torch's tanh_backward kernel is g * (1 - y*y) with 1 - y*y one fused multiply-add
_TANH_X = [-1.9, -1.8, -1.45, -1.35, -1.15]


@case('torch.tanh', exact=True)
def grad_fused_float32(torch):
    x = torch.tensor(_TANH_X, requires_grad=True)
    torch.tanh(x).backward(torch.ones(5))
    return x.grad


@case('torch.tanh', exact=True)
def grad_fused_float64_create_graph(torch):
    x = torch.tensor(_TANH_X, dtype=torch.float64, requires_grad=True)
    g, = torch.autograd.grad(torch.tanh(x).sum(), x, create_graph=True)
    g2, = torch.autograd.grad(g.sum(), x)
    return g, g.grad_fn.name(), g2


@case('torch.tanh', exact=True)
def grad_float16_in_float32(torch):
    x = torch.linspace(-2, 2, 41, dtype=torch.float16, requires_grad=True)
    torch.tanh(x).backward(torch.linspace(-1, 3, 41, dtype=torch.float16))
    return x.grad


# nn.Linear with one input feature: torch's gemm rounds x*w + b once (one row or one output: plain)
# on the Intel CPUs seen; MKL's kernel, and so the rounding, depends on the CPU: compared within float32's last bits
@case('torch.nn.functional.linear', atol=1e-7, rtol=1e-7)
def one_input_feature_fused(torch):
    x = torch.linspace(-1.3, 2.1, 7).view(-1, 1)
    w = torch.linspace(0.17, -0.9, 5).view(-1, 1)
    b = torch.linspace(0.3, -0.77, 5)
    F = torch.nn.functional
    return (F.linear(x, w, b), F.linear(x.double(), w.double(), b.double()), F.linear(x[:1], w, b),
            F.linear(x, w[:1], b[:1]), F.linear(x.view(7, 1, 1), w, b))


# layer_norm with weight and bias: y = fma(x_hat, weight, bias) (rows whose mean and variance are exact)
@case('torch.nn.functional.layer_norm', exact=True)
def affine_fused(torch):
    x = torch.tensor([[1., 2., 3., 4.], [0.5, -0.5, 1.5, 2.5], [3., 1., 4., 0.]])
    w = torch.tensor([0.913, 1.07, 0.877, 1.131])
    b = torch.tensor([0.013, -0.21, 0.37, 0.051])
    F = torch.nn.functional
    return F.layer_norm(x, [4], w, b), F.layer_norm(x.double(), [4], w.double(), b.double())


# batch_norm: alpha = invstd * weight, beta = fma(-mean, alpha, bias), y = fma(x, alpha, beta)
@case('torch.nn.functional.batch_norm', exact=True)
def eval_affine_fused(torch):
    x = torch.linspace(-2, 3, 24).view(4, 3, 2) * 0.37
    rm, rv = torch.tensor([0.11, -0.23, 0.05]), torch.tensor([0.9, 1.3, 0.45])
    w, b = torch.tensor([1.07, 0.91, 1.21]), torch.tensor([0.013, -0.21, 0.37])
    F = torch.nn.functional
    return (F.batch_norm(x, rm, rv, w, b), F.batch_norm(x.view(4, 6)[:, :3], rm, rv, w, b),
            F.batch_norm(x.double(), rm.double(), rv.double(), w.double(), b.double()))


# BCE with logits: the input and target gradients are divided by numel last, as torch's backward does
@case('torch.nn.functional.binary_cross_entropy_with_logits', exact=True)
def mean_grads_divide_last(torch):
    x = torch.zeros(7, requires_grad=True)         # sigmoid(0) = 0.5 exactly
    y = torch.tensor([1., 0., 1., 0.25, 0., 1., 0.7], requires_grad=True)
    w = torch.tensor([1., 2., 0.5, 1.5, 3., 0.3, 1.1])
    F = torch.nn.functional
    (F.binary_cross_entropy_with_logits(x, y) * 3).backward()
    gx, gy = x.grad.clone(), y.grad.clone()
    x.grad = y.grad = None
    F.binary_cross_entropy_with_logits(x, y, weight=w).backward()
    return gx, gy, x.grad, y.grad


@case('torch.nn.functional.binary_cross_entropy_with_logits', exact=True)
def pos_weight_target_grad(torch):
    x = torch.zeros(3, 2)                             # log_sigmoid(0) = -log(2) in both
    y = torch.tensor([[1., 0.], [0.5, 1.], [0., 0.25]], requires_grad=True)
    pw = torch.tensor([1.7, 0.3])
    torch.nn.functional.binary_cross_entropy_with_logits(x, y, pos_weight=pw, reduction='sum').backward()
    return y.grad


# batch_norm's training statistics summed in torch's order: (N, C) rows in per-thread blocks, the
# variance by fused multiply-adds; NCHW per channel in double; running stats updated as torch does
def _threads(n, f, torch):
    """f(torch) with n intra-op threads (the reference runs with one; these sums depend on it)."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        return f(torch)
    finally:
        torch.set_num_threads(before)


def _bn_rows(torch):
    bn = torch.nn.BatchNorm1d(8)
    x = torch.randn(64, 8) * 0.3 + 0.05
    y = bn(x)
    return y, bn(x * 1.5), bn.running_mean, bn.running_var


@case('torch.nn.BatchNorm1d', exact=True)
def train_stats_rows(torch):
    return _threads(1, _bn_rows, torch)


@case('torch.nn.BatchNorm1d', exact=True)
def train_stats_rows_two_threads(torch):
    return _threads(2, _bn_rows, torch)


def _bn_planes(torch):
    bn = torch.nn.BatchNorm2d(3).double()
    x = torch.randn(4, 3, 5, 5, dtype=torch.float64) * 0.3 + 0.05
    return bn(x), bn(x.contiguous(memory_format=torch.channels_last)), bn.running_mean, bn.running_var


@case('torch.nn.BatchNorm2d', exact=True)
def train_stats_planes(torch):
    return _threads(1, _bn_planes, torch)


# layer_norm's mean and variance as torch's RowwiseMoments: Welford per 32-byte vector lane, chunks
# of 16 vectors merged in a cascade, the tail element by element, the lanes merged last
@case('torch.nn.functional.layer_norm', exact=True)
def welford_statistics(torch):
    F = torch.nn.functional
    x = torch.randn(6, 37) * 0.5 + 0.2
    y = torch.randn(3, 300, dtype=torch.float64) + 1.5
    z = torch.randn(2, 5, 3, 4)
    return (F.layer_norm(x, [37]), F.layer_norm(y, [300]), F.layer_norm(z, [3, 4]),
            torch.native_layer_norm(x, [37], None, None, 1e-5)[1:])


# float32 softmax over the last dim as torch's kernel: SLEEF expf_u10, the row sum in 16-lane vectors
# (a shuffle tree; rows shorter than a vector in order), times 1/sum
@case('torch.softmax', exact=True)
def lastdim_kernel_float32(torch):
    F = torch.nn.functional
    att = torch.randn(2, 2, 6, 6)
    att = att.masked_fill(torch.tril(torch.ones(6, 6)) == 0, float('-inf'))
    return (torch.softmax(torch.randn(4, 5), -1), F.softmax(torch.randn(3, 16), dim=-1),
            F.softmax(torch.randn(2, 37) * 3, dim=1), F.softmax(att, dim=-1))


# torch's sigmoid_backward kernel is (g * (1 - y)) * y, in that order (one node under create_graph)
@case('torch.sigmoid', exact=True)
def grad_order(torch):
    x = torch.tensor([0.0, 0.5, -1.25, 2.0, -3.0], dtype=torch.float64, requires_grad=True)
    g, = torch.autograd.grad(torch.sigmoid(x), x, torch.tensor([0.3, -1.7, 2.9, 0.11, -0.7], dtype=torch.float64),
                             create_graph=True)
    g2, = torch.autograd.grad(g.sum(), x)
    return g, g.grad_fn.name(), g2


# the divisor's gradient is -g * ((a / b) / b), reciprocal's -g * (r * r), as torch's formulas
@case('torch.div', exact=True)
def divisor_grad_order(torch):
    a = torch.linspace(-3, 5, 9, dtype=torch.float64)
    b = torch.linspace(0.7, 4.1, 9, dtype=torch.float64, requires_grad=True)
    g = torch.linspace(1.3, -2.2, 9, dtype=torch.float64)
    (a / b).backward(g)
    gb = b.grad.clone()
    b.grad = None
    (2.5 / b).backward(g)
    x = torch.linspace(-2, 3, 9, requires_grad=True)
    torch.nn.functional.softsign(x).backward(torch.linspace(0.5, 1.5, 9))
    return gb, b.grad, x.grad


# elu/selu/celu's gradient below zero: g * input_scale * (alpha * scale) * exp(x * input_scale), in that order
@case('torch.nn.functional.selu', exact=True)
def grad_coefficient_order(torch):
    x = torch.tensor([-0.5, -1.25, -2.0, -0.1, 0.3], dtype=torch.float64, requires_grad=True)
    torch.nn.functional.selu(x).backward(torch.tensor([0.3, -1.7, 2.9, 0.11, -0.7], dtype=torch.float64))
    return x.grad


# addcmul is fma(value * t1, t2, self), addcdiv self + (value * t1) / t2, lerp one fma on either side
@case('torch.addcmul', exact=True)
def fused_ternaries(torch):
    a = torch.linspace(-2, 3, 11, dtype=torch.float64)
    b = torch.linspace(0.7, -4.1, 11, dtype=torch.float64)
    c = torch.linspace(1.3, 2.2, 11, dtype=torch.float64)
    return (torch.addcmul(a, b, c, value=0.7), torch.addcdiv(a, b, c, value=0.7), torch.lerp(a, b, 0.3),
            torch.lerp(a, b, 0.8), torch.lerp(a.float(), b.float(), c.float() - 1.2))
