"""Per-op overhead on 8x8 float32: what dominates small models."""


def _pair(torch, requires_grad=False):
    a = torch.rand(8, 8, requires_grad=requires_grad)
    b = torch.rand(8, 8, requires_grad=requires_grad)
    return a, b


def add(torch):
    a, b = _pair(torch)
    return lambda: a + b


def add_requires_grad(torch):
    a, b = _pair(torch, True)
    return lambda: a + b


def mul(torch):
    a, b = _pair(torch)
    return lambda: a * b


def mul_scalar(torch):
    a, _ = _pair(torch)
    return lambda: a * 2.0


def matmul(torch):
    a, b = _pair(torch)
    return lambda: a @ b


def matmul_requires_grad(torch):
    a, b = _pair(torch, True)
    return lambda: a @ b


def sum(torch):
    a, _ = _pair(torch)
    return lambda: a.sum()


def sum_dim(torch):
    a, _ = _pair(torch)
    return lambda: a.sum(1)


def mean_keepdim(torch):
    a, _ = _pair(torch)
    return lambda: a.mean(0, keepdim=True)


def index_int(torch):
    a, _ = _pair(torch)
    return lambda: a[0]


def index_slice(torch):
    a, _ = _pair(torch)
    return lambda: a[1:5, ::2]


def index_mask(torch):
    a, _ = _pair(torch)
    m = a > 0.5
    return lambda: a[m]


def setitem_scalar(torch):
    a, _ = _pair(torch)

    def f():
        a[0, 0] = 1.0
    return f


def zeros(torch):
    return lambda: torch.zeros(8)


def tensor_from_list(torch):
    data = [[float(i * 8 + j) for j in range(8)] for i in range(8)]
    return lambda: torch.tensor(data)


def einsum_matmul(torch):
    a, b = _pair(torch)
    return lambda: torch.einsum('ij,jk->ik', a, b)


def einsum_batched(torch):
    a = torch.rand(4, 8, 8)
    b = torch.rand(4, 8, 8)
    return lambda: torch.einsum('bij,bjk->bik', a, b)


def max_dim(torch):
    a, _ = _pair(torch)
    return lambda: a.max(1)


def std(torch):
    a, _ = _pair(torch)
    return lambda: a.std()


def gather(torch):
    a, _ = _pair(torch)
    idx = torch.randint(0, 8, (8, 8))
    return lambda: a.gather(1, idx)


def view(torch):
    a, _ = _pair(torch)
    return lambda: a.view(64)


def backward_mul_sum(torch):
    x, y = _pair(torch, True)

    def f():
        (x * y).sum().backward()
    return f


def cat(torch):
    a, b = _pair(torch)
    return lambda: torch.cat([a, b], 1)


def stack(torch):
    a, b = _pair(torch)
    return lambda: torch.stack([a, b])


def unsqueeze(torch):
    a, _ = _pair(torch)
    return lambda: a.unsqueeze(0)


def _param_and_grad(torch):
    return torch.rand(256, 784), torch.rand(256, 784)


def update_add_alpha(torch):
    """A hand-written SGD update of a 256x784 weight: p.add_(g, alpha=-lr)."""
    p, g = _param_and_grad(torch)
    return lambda: p.add_(g, alpha=-0.01)


def update_sub_scaled(torch):
    """The same update written p -= lr * g."""
    p, g = _param_and_grad(torch)

    def f():
        p.sub_(0.01 * g)
    return f


def relu_sigmoid_chain(torch):
    a, _ = _pair(torch, True)
    return lambda: a.relu().sigmoid().exp()


BENCHMARKS = {k: v for k, v in list(globals().items())
              if callable(v) and not k.startswith('_') and v.__module__ == __name__}
