"""Custom autograd: a torch.autograd.Function with ctx.save_for_backward and
mark_non_differentiable, torch.autograd.grad (with create_graph for a second derivative),
gradcheck/gradgradcheck in float64, torch.autograd.functional (jacobian, hessian), and tensor /
module hooks."""
import torch
import torch.nn as nn
from torch.autograd import Function, gradcheck, gradgradcheck


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * 3 * x ** 2


class SortWithIndex(Function):
    @staticmethod
    def forward(ctx, x):
        values, idx = torch.sort(x)
        ctx.mark_non_differentiable(idx)
        ctx.save_for_backward(idx)
        return values, idx

    @staticmethod
    def backward(ctx, grad_values, grad_idx):
        idx, = ctx.saved_tensors
        out = torch.zeros_like(grad_values)
        out.scatter_(0, idx, grad_values)
        return out


class ScaleGrad(Function):
    @staticmethod
    def forward(ctx, x, scale):
        ctx.scale = scale
        return x.clone()

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.scale, None


torch.manual_seed(0)
x = torch.randn(4, dtype=torch.float64, requires_grad=True)
y = Cube.apply(x)
print(y.grad_fn.__class__.__name__, y.requires_grad)
y.sum().backward()
print(x.grad)
print(torch.allclose(x.grad, 3 * x.detach() ** 2))

v, i = SortWithIndex.apply(x)
print(i, i.requires_grad, v.requires_grad)
(v * torch.arange(4.0, dtype=torch.float64)).sum().backward()
print(x.grad)

print('gradcheck Cube', gradcheck(Cube.apply, (x,), eps=1e-6, atol=1e-4))
print('gradgradcheck Cube', gradgradcheck(Cube.apply, (x,)))
w = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
print('gradcheck linear', gradcheck(lambda a, b: torch.tanh(a @ b), (w, x)))

z = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
f = (z ** 4).sum()
g, = torch.autograd.grad(f, z, create_graph=True)
print(g, g.grad_fn is not None)
h, = torch.autograd.grad(g.sum(), z)
print(h)
a, b = torch.autograd.grad((z * z).sum(), [z, w], allow_unused=True)
print(a, b)

J = torch.autograd.functional.jacobian(lambda v: v.sin() * v, z.detach())
print(J.round(decimals=4))
print(torch.autograd.functional.hessian(lambda v: (v ** 3).sum(), z.detach()))

seen = []
z2 = torch.tensor([1.0, -1.0, 2.0], requires_grad=True)
handle = z2.register_hook(lambda grad: seen.append(grad.clone()) or grad * 2)
out = ScaleGrad.apply(z2 * 3, 0.5).sum()
out.backward()
print(seen, z2.grad)
handle.remove()
z2.grad = None
(z2 * 3).sum().backward()
print(z2.grad, len(seen))

lin = nn.Linear(3, 2)
records = []
fh = lin.register_forward_hook(lambda m, inp, out: records.append(('fwd', tuple(out.shape))))
bh = lin.register_full_backward_hook(lambda m, gin, gout: records.append(('bwd', tuple(gout[0].shape))))
lin(torch.randn(5, 3)).pow(2).mean().backward()
print(records)
fh.remove(); bh.remove()
lin(torch.randn(1, 3))
print(len(records))
try:
    Cube.apply(torch.ones(2, requires_grad=True)).backward()
except RuntimeError as e:
    print('RuntimeError:', e)
