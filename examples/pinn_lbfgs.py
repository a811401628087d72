"""A physics-informed neural network for the damped oscillator u'' + 2*zeta*w*u' + w^2*u = 0,
u(0) = 1, u'(0) = 0, on t in [0, 1]: derivatives by torch.autograd.grad with create_graph,
an Adam warm start, then L-BFGS (strong Wolfe and the default line search), the error
against the analytic solution, and a torch.func cross-check. Then a 2-D Poisson problem on
a meshgrid with the Laplacian from second derivatives."""
import math

import torch
import torch.nn as nn
from torch.func import grad, vmap

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)   # L-BFGS wants double precision
zeta, w0 = 0.2, 6.0


def exact_solution(t):
    wd = w0 * math.sqrt(1 - zeta ** 2)
    return torch.exp(-zeta * w0 * t) * (torch.cos(wd * t) + zeta * w0 / wd * torch.sin(wd * t))


class FCN(nn.Module):
    def __init__(self, n_in, n_out, n_hidden, n_layers):
        super().__init__()
        self.fcs = nn.Sequential(nn.Linear(n_in, n_hidden), nn.Tanh())
        self.fch = nn.Sequential(*[nn.Sequential(nn.Linear(n_hidden, n_hidden), nn.Tanh())
                                   for _ in range(n_layers - 1)])
        self.fce = nn.Linear(n_hidden, n_out)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_normal_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.fce(self.fch(self.fcs(x)))


def derivative(u, x, order=1):
    for _ in range(order):
        u = torch.autograd.grad(u, x, grad_outputs=torch.ones_like(u), create_graph=True)[0]
    return u


pinn = FCN(1, 1, 16, 3)
print(pinn)
t_boundary = torch.tensor(0.).view(-1, 1).requires_grad_(True)
t_physics = torch.linspace(0, 1, 30).view(-1, 1).requires_grad_(True)
t_test = torch.linspace(0, 1, 101).view(-1, 1)
u_exact = exact_solution(t_test)
lambda1, lambda2 = 1e-1, 1e-4


def losses():
    u_b = pinn(t_boundary)
    loss1 = (torch.squeeze(u_b) - 1) ** 2
    dudt_b = derivative(u_b, t_boundary)
    loss2 = (torch.squeeze(dudt_b) - 0) ** 2
    u = pinn(t_physics)
    dudt = derivative(u, t_physics)
    d2udt2 = derivative(dudt, t_physics)
    loss3 = torch.mean((d2udt2 + 2 * zeta * w0 * dudt + w0 ** 2 * u) ** 2)
    return loss1, loss2, loss3


optimiser = torch.optim.Adam(pinn.parameters(), lr=1e-2)
for i in range(301):
    optimiser.zero_grad()
    loss1, loss2, loss3 = losses()
    loss = loss1 + lambda1 * loss2 + lambda2 * loss3
    loss.backward()
    optimiser.step()
    if i % 100 == 0:
        print(f"adam {i:4d}  loss {loss.item():.6e}  bc {loss1.item():.3e} {loss2.item():.3e}"
              f"  pde {loss3.item():.3e}")
print('first layer grad', pinn.fcs[0].weight.grad.view(-1)[:4])

for line_search in (None, 'strong_wolfe'):
    lbfgs = torch.optim.LBFGS(pinn.parameters(), lr=1, max_iter=30 if line_search else 10, history_size=20,
                              line_search_fn=line_search, tolerance_grad=1e-9, tolerance_change=1e-12)
    n_calls = [0]

    def closure():
        lbfgs.zero_grad()
        l1, l2, l3 = losses()
        loss = l1 + lambda1 * l2 + lambda2 * l3
        loss.backward()
        n_calls[0] += 1
        return loss

    for step in range(2):
        loss = lbfgs.step(closure)
        print(f"lbfgs[{line_search}] step {step}  loss {loss.item():.3e}  evals {n_calls[0]}"
              f"  n_iter {lbfgs.state[lbfgs._params[0]]['n_iter']}")

with torch.no_grad():
    u_pred = pinn(t_test)
err = (u_pred - u_exact).abs()
print(f"max abs error {err.max().item():.1e}, "
      f"relative L2 {(torch.linalg.norm(u_pred - u_exact) / torch.linalg.norm(u_exact)).item():.1e}")
print(u_pred[::25].squeeze().round(decimals=2))

# torch.func cross-check: the same derivatives of the network as a function of a scalar t
params = {k: v.detach() for k, v in pinn.named_parameters()}


def u_scalar(t):
    return torch.func.functional_call(pinn, params, (t.reshape(1, 1),)).squeeze()


du = vmap(grad(u_scalar))(t_physics.detach().squeeze())
d2u = vmap(grad(grad(u_scalar)))(t_physics.detach().squeeze())
u = pinn(t_physics)
dudt = derivative(u, t_physics)
d2udt2 = derivative(dudt, t_physics)
print('func.grad agrees:', torch.allclose(du, dudt.squeeze()), torch.allclose(d2u, d2udt2.squeeze()),
      (du - dudt.squeeze()).abs().max().item() < 1e-12)
print(d2u[:5].round(decimals=1))

# 2-D Poisson: -lap(u) = 2 pi^2 sin(pi x) sin(pi y) on the unit square, u = 0 on the edges
torch.manual_seed(1)
net = nn.Sequential(nn.Linear(2, 20), nn.Tanh(), nn.Linear(20, 20), nn.Tanh(), nn.Linear(20, 1))
n = 12
xs = torch.linspace(0, 1, n)
X, Y = torch.meshgrid(xs, xs, indexing='ij')
interior = (X > 0) & (X < 1) & (Y > 0) & (Y < 1)
pts = torch.stack([X[interior], Y[interior]], dim=1).requires_grad_(True)
edge = torch.stack([X[~interior], Y[~interior]], dim=1)
print(X.shape, pts.shape, edge.shape)
xy = pts.detach()
f = 2 * math.pi ** 2 * torch.sin(math.pi * xy[:, 0:1]) * torch.sin(math.pi * xy[:, 1:2])


def poisson_loss():
    u = net(pts)
    g = torch.autograd.grad(u.sum(), pts, create_graph=True)[0]
    u_xx = torch.autograd.grad(g[:, 0].sum(), pts, create_graph=True)[0][:, 0:1]
    u_yy = torch.autograd.grad(g[:, 1].sum(), pts, create_graph=True)[0][:, 1:2]
    return ((-(u_xx + u_yy) - f) ** 2).mean() + 10 * (net(edge) ** 2).mean()


opt = torch.optim.LBFGS(net.parameters(), line_search_fn='strong_wolfe', max_iter=25)


def closure():
    opt.zero_grad()
    loss = poisson_loss()
    loss.backward()
    return loss


for epoch in range(2):
    loss = opt.step(closure)
    print(f"poisson epoch {epoch} loss {loss.item():.6f} func_evals {opt.state[opt._params[0]]['func_evals']}")
with torch.no_grad():
    grid = torch.stack([X.flatten(), Y.flatten()], 1)
    u_true = torch.sin(math.pi * grid[:, 0]) * torch.sin(math.pi * grid[:, 1])
    u_hat = net(grid).squeeze()
    print(f"poisson max error {(u_hat - u_true).abs().max().item():.4f}")
    print(u_hat.view(n, n)[n // 2, ::3])
