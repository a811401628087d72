"""The 'Autograd' tutorial: requires_grad, grad_fn, backward, vector-Jacobian products, no_grad."""
import torch

x = torch.ones(2, 2, requires_grad=True)
print(x)
y = x + 2
print(y)
print(y.grad_fn.name())
z = y * y * 3
out = z.mean()
print(z, out)
a = torch.randn(2, 2)
a = ((a * 3) / (a - 1))
print(a.requires_grad)
a.requires_grad_(True)
print(a.requires_grad)
b = (a * a).sum()
print(b.grad_fn.name())
out.backward()
print(x.grad)
torch.manual_seed(0)
x = torch.randn(3, requires_grad=True)
y = x * 2
while y.data.norm() < 1000:
    y = y * 2
print(y)
v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
y.backward(v)
print(x.grad)
print(x.requires_grad)
print((x ** 2).requires_grad)
with torch.no_grad():
    print((x ** 2).requires_grad)
print(x.requires_grad)
y = x.detach()
print(y.requires_grad)
print(x.eq(y).all())
w = torch.randn(5, 3, requires_grad=True)
b = torch.randn(3, requires_grad=True)
inp = torch.ones(5)
z = torch.matmul(inp, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.zeros(3))
print('Gradient function for z =', z.grad_fn.name())
print('Gradient function for loss =', loss.grad_fn.name())
loss.backward()
print(w.grad)
print(b.grad)
g, = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)
print(g, torch.autograd.grad(g.sum(), x))
