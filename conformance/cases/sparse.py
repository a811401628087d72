"""Sparse COO tensors: construction, printing, coalescing, arithmetic, products, autograd, sparse gradients
of Embedding(sparse=True) and the optimizers that take them. Sparse results are returned as tensors (compared
dense) and as repr (indices, values, order, nnz and flags)."""
from conformance import case, check


def _first(e):
    """torch's dispatcher error up to the list of backends its build registered (build-specific paths)."""
    return type(e).__name__, str(e).split(" 'aten::")[0] if "backend. This" in str(e) else str(e)


def _u(torch):          # uncoalesced: (1, 2) twice
    return torch.sparse_coo_tensor([[1, 0, 1], [2, 0, 2]], [3., 4., 5.], (2, 3))


def _s(torch):          # coalesced
    return torch.tensor([[0., 1., 0.], [2., 0., 3.]]).to_sparse()


def _emb(torch, n, d, **kw):
    """An Embedding(sparse=True) with fixed weights (the same on every device's random stream)."""
    w = torch.linspace(-2, 2, n * d).view(n, d).cos() * 3
    return torch.nn.Embedding.from_pretrained(w, freeze=False, sparse=True, **kw)


def _info(t):
    return repr(t), t, t.is_coalesced(), t._nnz(), t.sparse_dim(), t.dense_dim(), t.layout, t.is_sparse


# --- construction -----------------------------------------------------------------------------------------

@case('torch.sparse_coo_tensor')
def basic(torch):
    i, v = torch.tensor([[1, 0, 1], [2, 0, 2]]), torch.tensor([3., 4., 5.])
    return _info(torch.sparse_coo_tensor(i, v, (2, 3))), _info(torch.sparse_coo_tensor(i, v))


@case('torch.sparse_coo_tensor')
def from_lists_and_dtypes(torch):
    return [repr(t) for t in (torch.sparse_coo_tensor([[0, 1], [1, 0]], [1, 2], (2, 2)),
                              torch.sparse_coo_tensor([[0, 1], [1, 0]], [1., 2], [2, 2], dtype=torch.float64),
                              torch.sparse_coo_tensor([[0., 1.]], [1., 2.], (3,), dtype=torch.int32),
                              torch.sparse_coo_tensor(torch.tensor([[0], [0]], dtype=torch.int32),
                                                      torch.tensor([1.]), (2, 3), device='cpu'))]


@case('torch.sparse_coo_tensor')
def hybrid_and_empty(torch):
    h = torch.sparse_coo_tensor(torch.tensor([[0, 2]]), torch.tensor([[1., 2.], [3., 4.]]))
    e = torch.sparse_coo_tensor(torch.zeros(2, 0, dtype=torch.long), torch.zeros(0), (2, 3))
    n = torch.sparse_coo_tensor(torch.zeros(2, 0, dtype=torch.long), torch.zeros(0))
    return _info(h), _info(e), repr(n), repr(torch.sparse_coo_tensor(size=(2, 3)))


@case('torch.sparse_coo_tensor')
def coalesced_flag(torch):
    one = torch.sparse_coo_tensor([[1]], [1.], (3,))
    told = torch.sparse_coo_tensor([[1, 0]], [1., 2.], (3,), is_coalesced=True)
    return one.is_coalesced(), told.is_coalesced(), _u(torch).is_coalesced(), _s(torch).is_coalesced()


@case('torch.sparse_coo_tensor')
def requires_grad(torch):
    a = torch.sparse_coo_tensor([[0, 1]], [1., 2.], (3,), requires_grad=True)
    return repr(a), a.requires_grad, a.is_leaf, a.grad_fn


@case('torch.sparse_coo_tensor')
def error_nnz_mismatch(torch):
    torch.sparse_coo_tensor(torch.tensor([[1, 0, 1], [2, 0, 2]]), torch.tensor([1., 2.]), (2, 3))


@case('torch.sparse_coo_tensor')
def error_indices_1d(torch):
    torch.sparse_coo_tensor(torch.tensor([0, 1]), torch.tensor([1., 2.]), (2, 3))


@case('torch.sparse_coo_tensor')
def error_size_length(torch):
    torch.sparse_coo_tensor(torch.tensor([[1, 0, 1], [2, 0, 2]]), torch.tensor([3., 4., 5.]), (2,))


@case('torch.sparse_coo_tensor')
def error_dense_size(torch):
    torch.sparse_coo_tensor(torch.tensor([[0, 2]]), torch.tensor([[1., 2.], [3., 4.]]), (3, 3))


@case('torch.sparse_coo_tensor')
def error_invariants(torch):
    out = [repr(torch.sparse_coo_tensor([[1, 0, 1], [2, 0, 2]], [3., 4., 5.], (1, 3)))]   # unchecked by default
    for idx in ([[1, 0, 1], [2, 0, 2]], [[-1, 0, 0], [0, 0, 0]]):
        try:
            torch.sparse_coo_tensor(idx, [3., 4., 5.], (1, 3), check_invariants=True)
        except RuntimeError as e:
            out.append(str(e))
    with torch.sparse.check_sparse_tensor_invariants():
        try:
            torch.sparse_coo_tensor([[0, 3]], [1., 2.], (2,))
        except RuntimeError as e:
            out.append(str(e))
    return out


@case('torch.sparse_coo_tensor')
def error_int_requires_grad(torch):
    torch.sparse_coo_tensor([[0]], [1], (2,), requires_grad=True)


# --- to_sparse / to_dense / coalesce ------------------------------------------------------------------------

@case('Tensor.to_sparse')
def sparse_kinds(torch):
    d = torch.tensor([[0., 1., 0.], [2., 0., 3.]])
    ts = [d.to_sparse(), d.to_sparse(1), d.to_sparse(sparse_dim=2), d.to_sparse(layout=torch.sparse_coo),
          d.to_sparse_coo(), torch.tensor(3.).to_sparse(), torch.tensor(0.).to_sparse(),
          torch.tensor([0, 1, 0, 2]).to_sparse(), torch.tensor([False, True]).to_sparse(),
          torch.arange(8.).reshape(2, 2, 2).to_sparse(), torch.tensor([float('nan'), 0., -0.]).to_sparse(),
          torch.zeros(2, 2).to_sparse()]
    return [_info(t) for t in ts]


@case('Tensor.to_sparse')
def sparse_error_sparse_dim(torch):
    d = torch.ones(2, 3)
    out = []
    for sd in (0, 3):
        try:
            d.to_sparse(sd)
        except RuntimeError as e:
            out.append(str(e))
    return out


@case('Tensor.to_sparse')
def of_sparse(torch):
    s = _s(torch)
    return s.to_sparse() is s, s.to_sparse_coo() is s


@case('Tensor.to_sparse')
def grad(torch):
    x = torch.tensor([[0., 1., 0.], [2., 0., 3.]], requires_grad=True)
    a, b = x.to_sparse(), x.to_sparse(1)
    (a.to_dense() * 2).sum().backward()
    (b.to_dense() * torch.arange(6.).view(2, 3)).sum().backward()
    return repr(a), b.grad_fn.name(), x.grad


@case('Tensor.to_dense')
def sparse_values(torch):
    d = torch.tensor([[0., 1., 0.], [2., 0., 3.]])
    return d.to_sparse().to_dense(), d.to_sparse(1).to_dense(), _u(torch).to_dense(), d.to_dense() is d


check('Tensor.to_dense', lambda torch: _u(torch).to_dense(torch.float64), name='sparse_dtype_error')


@case('Tensor.to_dense')
def sparse_grad_of_leaf(torch):        # a sparse gradient on the coalesced pattern, flagged uncoalesced
    a = torch.sparse_coo_tensor([[1, 0, 1], [2, 0, 2]], [3., 4., 5.], (2, 3), requires_grad=True)
    y = a.to_dense()
    (y * torch.arange(6.).view(2, 3)).sum().backward()
    return repr(y), repr(a.grad), a.grad.is_coalesced()


@case('torch.sparse_coo_tensor')
def grad_of_values(torch):      # each entry (duplicates too) gets the dense gradient at its index
    v = torch.tensor([3., 4., 5.], requires_grad=True)
    s = torch.sparse_coo_tensor(torch.tensor([[1, 0, 1], [2, 0, 2]]), v, (2, 3))
    (s.to_dense() * torch.arange(6.).view(2, 3)).sum().backward()
    return repr(s), s.is_leaf, v.grad


@case('Tensor.coalesce')
def sparse_sums_duplicates(torch):
    out = [_info(_u(torch).coalesce())]
    for idx, val, size in (([[0, 0, 1]], [1., 2., 3.], (3,)), ([[1, 0, 1]], [1, 2, 3], (3,)),
                           ([[1, 0, 1]], [[1, 2], [3, 4], [5, 6]], (3, 2))):
        out.append(_info(torch.sparse_coo_tensor(idx, val, size).coalesce()))
    s = _s(torch)
    return out, s.coalesce() is s


@case('Tensor.coalesce')
def sparse_grad(torch):
    a = _u(torch).requires_grad_()
    c = a.coalesce()
    c.values().sum().backward()
    return c.grad_fn.name(), repr(a.grad)


@case('Tensor.indices')
def sparse_uncoalesced_errors(torch):
    out = []
    for f in (lambda t: t.indices(), lambda t: t.values()):
        try:
            f(_u(torch))
        except RuntimeError as e:
            out.append(str(e))
    s = _s(torch)
    return out, s.indices(), s.values(), _u(torch)._indices(), _u(torch)._values()


@case('Tensor.indices')
def sparse_on_dense(torch):
    d = torch.ones(2)
    out = [d.sparse_dim(), d.dense_dim()]
    for f in (d.indices, d.values, d.coalesce, d.is_coalesced, d._nnz, d._indices, d._values):
        try:
            f()
        except (RuntimeError, NotImplementedError) as e:
            out.append(_first(e))
    return out


# --- printing --------------------------------------------------------------------------------------------

@case('Tensor.__repr__')
def sparse(torch):
    s = _s(torch)
    out = [repr(s.double()), repr(s.int()), repr(s.bool()), repr(s.requires_grad_()), repr(s * 2),
           repr(torch.sparse_coo_tensor(torch.arange(30).view(1, 30), torch.arange(30.) / 7, (40,))),
           str(_u(torch))]
    print(_u(torch))
    torch.set_printoptions(linewidth=40)
    out.append(repr(s.double()))
    torch.set_printoptions(threshold=5)
    out.append(repr(torch.sparse_coo_tensor(torch.arange(30).view(1, 30), torch.arange(30.), (40,))))
    return out


@case('Tensor.__repr__')
def sparse_default_dtype(torch):
    torch.set_default_dtype(torch.float64)
    return repr(_s(torch)), repr(_s(torch).float())


# --- metadata / copies / conversions -------------------------------------------------------------------------

@case('Tensor.is_sparse')
def sparse_metadata(torch):
    s = _s(torch)
    d = torch.ones(2)
    return (s.is_sparse, d.is_sparse, s.layout, d.layout, s.shape, s.size(), s.size(1), s.dim(), s.ndim,
            s.numel(), len(s), s.dtype, s.device == s._values().device, torch.is_tensor(s), isinstance(s, torch.Tensor),
            type(s).__name__, s.type(), s.double().type(), s.is_contiguous(), s.requires_grad, s.is_leaf)


@case('Tensor.clone')
def sparse(torch):
    u = _u(torch)
    c = u.clone()
    c.mul_(2)
    return repr(u), repr(c), c.is_coalesced(), _s(torch).clone().is_coalesced(), repr(torch.clone(u))


@case('Tensor.detach')
def sparse(torch):
    a = _u(torch).requires_grad_()
    d = a.detach()
    return repr(d), d.requires_grad, d.is_leaf, repr(a.data)


@case('Tensor.to')
def sparse(torch):
    u = _u(torch)
    return (repr(u.to(torch.int32)), repr(u.double()), repr(u.long()), u.double().is_coalesced(),
            u.to('cpu') is u, u.cpu() is u, u.to(torch.float32) is u, repr(u.half()))


# --- what torch refuses -------------------------------------------------------------------------------------

@case('Tensor.view')
def sparse(torch):
    out = []
    s = _s(torch)
    for f in (lambda: s.view(6), lambda: s.exp(), lambda: s[0:1], lambda: s[torch.tensor([0])],
              lambda: s.reshape(6), lambda: s.flatten(), lambda: s.expand(2, 2, 3), lambda: s.numpy(),
              lambda: s.contiguous(), lambda: s.data_ptr(), lambda: s.tolist(), lambda: s.untyped_storage(),
              lambda: s.item(), lambda: float(s), lambda: bool(s), lambda: s + 1, lambda: s + torch.ones(2, 3),
              lambda: s.__setitem__(0, 1.), lambda: s.t().view(6)):
        try:
            f()
            out.append('ok')
        except Exception as e:
            out.append(_first(e))
    return out


@case('Tensor.__getitem__')
def sparse(torch):
    s, u = _s(torch), _u(torch)
    out = [repr(s[0]), s[0].is_coalesced(), s[1, 2], repr(s[-1]), repr(u[1]), u[1].is_coalesced(),
           torch.tensor([[0., 1., 0.], [2., 0., 3.]]).to_sparse(1)[1]]
    try:
        s[5]
    except IndexError as e:
        out.append(str(e))
    return out


# --- arithmetic -------------------------------------------------------------------------------------------

@case('Tensor.add')
def sparse_sparse(torch):      # a merge walk over both entry lists, sorted or not
    s, u = _s(torch), _u(torch)
    s2 = torch.tensor([[1., 0., 0.], [0., 0., 7.]]).to_sparse()
    rs = [s + s, s + s2, u + u, u + s, s + u, s - u, torch.add(s, s2, alpha=2), s + s.double(), s + s.long(),
          torch.sub(u, s), s.add(torch.sparse_coo_tensor(torch.zeros(2, 0, dtype=torch.long), torch.zeros(0), (2, 3)))]
    return [(repr(r), r.is_coalesced()) for r in rs]


@case('Tensor.add_')
def sparse_sparse(torch):       # embedding gradients accumulate this way: the walk interleaves
    g = torch.sparse_coo_tensor([[1, 3, 1, 0]], torch.ones(4, 2), (5, 2))
    g.add_(torch.sparse_coo_tensor([[2]], torch.ones(1, 2) * 7, (5, 2)))
    u = _u(torch)
    u.add_(u, alpha=2)
    return repr(g), g.is_coalesced(), repr(u)


@case('Tensor.add')
def sparse_errors(torch):
    s = _s(torch)
    out = []
    for f in (lambda: s + torch.ones(3, 2).to_sparse(), lambda: s + torch.ones(2, 3), lambda: s + 1,
              lambda: torch.ones(3, 2) + s, lambda: torch.ones(2, 1) + s,
              lambda: s + torch.sparse_coo_tensor([[0, 1]], torch.ones(2, 3), (2, 3))):
        try:
            f()
        except RuntimeError as e:
            out.append(str(e))
    return out


@case('Tensor.add')
def dense_sparse(torch):
    d = torch.tensor([[0., 1., 0.], [2., 0., 3.]])
    s, u = _s(torch), _u(torch)
    x = d.clone()
    x.add_(u, alpha=-0.5)
    return (d + s, d + u, torch.add(d, u, alpha=2), d.add(s), torch.ones(2, 3, dtype=torch.long) + s,
            torch.ones(2, 3, dtype=torch.float64) + s, x, d - u, torch.sub(d, u))


@case('Tensor.mul')
def sparse(torch):
    s, u = _s(torch), _u(torch)
    d = torch.tensor([[0., 1., 0.], [2., 0., 3.]])
    s2 = torch.sparse_coo_tensor([[1, 1, 0], [2, 0, 0]], [1., 2., 5.], (2, 3)).coalesce()
    u2 = torch.sparse_coo_tensor([[1, 1], [2, 2]], [1., 2.], (2, 3))
    rs = [s * 2, 2 * s, s.long() * 2.5, s * torch.tensor(2.), s * s, s * u, u * s, u * u, u * u2, s * s2, s * d,
          u * d, d * u, s * torch.ones(3), s.mul(d), torch.mul(u, d), torch.mul(d, u), -u, s / 2, u / torch.tensor(2.),
          s.long() / 2, torch.neg(u)]
    return [(repr(r), r.is_coalesced()) for r in rs]


@case('Tensor.mul')
def sparse_errors(torch):
    s = _s(torch)
    out = []
    for f in (lambda: s * torch.ones(3, 2).to_sparse(), lambda: s * torch.ones(2, 2)):
        try:
            f()
        except RuntimeError as e:
            out.append(str(e))
    return out


@case('Tensor.mul_')
def sparse(torch):
    u = _u(torch)
    u.mul_(2)
    v = _u(torch)
    v.div_(4)
    w = _u(torch)
    w.zero_()
    return repr(u), repr(v), repr(w), w.is_coalesced()


# --- sums ------------------------------------------------------------------------------------------------

@case('Tensor.sum')
def sparse(torch):
    s, u = _s(torch), _u(torch)
    return (s.sum(), s.long().sum(), s.sum(dtype=torch.float64), repr(u.sum(0)), repr(s.sum(0, keepdim=True)),
            repr(u.sum(1)), u.sum((0, 1)), torch.sum(u),
            torch.sparse_coo_tensor(torch.zeros(2, 0, dtype=torch.long), torch.zeros(0), (2, 3)).sum())


@case('Tensor.sum')
def sparse_grad(torch):         # the full sum's gradient is dense
    a = _u(torch).requires_grad_()
    y = a.sum()
    y.backward()
    return y.grad_fn.name(), a.grad


@case('torch.sparse.sum')
def values(torch):
    s, u = _s(torch), _u(torch)
    h = torch.tensor([[0., 1., 0.], [2., 0., 3.]]).to_sparse(1)
    rs = [torch.sparse.sum(s), torch.sparse.sum(u, 0), torch.sparse.sum(s, 1), torch.sparse.sum(s, (0, 1)),
          torch.sparse.sum(h, 1), torch.sparse.sum(h, 0), torch.sparse.sum(s, dtype=torch.float64),
          torch.sparse.sum(u, -1)]
    return [repr(r) for r in rs]


@case('torch.sparse.sum')
def grad(torch):
    a = _u(torch).requires_grad_()
    torch.sparse.sum(a).backward()
    b = _u(torch).requires_grad_()
    r = torch.sparse.sum(b, 0)
    r.to_dense().pow(2).sum().backward()
    c = _u(torch).requires_grad_()
    torch.sparse.sum(c, 0, dtype=torch.float64).to_dense().sum().backward()
    return repr(a.grad), r.grad_fn.name(), repr(b.grad), b.grad.is_coalesced(), repr(c.grad)


@case('torch.sparse.sum')
def dense_input(torch):
    torch.sparse.sum(torch.ones(2))


# --- shape --------------------------------------------------------------------------------------------------

@case('Tensor.t')
def sparse(torch):
    s, u = _s(torch), _u(torch)
    out = [(repr(r), r.is_coalesced()) for r in (s.t(), u.t(), s.T, u.transpose(0, 1), torch.t(u),
                                                  u.permute(1, 0), torch.ones(2).to_sparse().t())]
    for f in (lambda: torch.ones(2, 2, 2).to_sparse().t(), lambda: torch.ones(2, 3).to_sparse(1).t()):
        try:
            f()
        except RuntimeError as e:
            out.append(str(e))
    return out


@case('Tensor.t')
def sparse_grad(torch):
    a = _u(torch).requires_grad_()
    y = a.t()
    (y.to_dense() * torch.arange(6.).view(3, 2)).sum().backward()
    return y.grad_fn.name(), repr(a.grad)


# --- products --------------------------------------------------------------------------------------------

@case('torch.mm')
def sparse_dense(torch):
    s, u = _s(torch), _u(torch)
    d = torch.arange(6.).view(3, 2)
    dup = torch.sparse_coo_tensor([[0, 0], [1, 1]], [1., 2.], (2, 2))
    return (torch.mm(s, d), torch.mm(u, d), s.mm(d), u @ d, torch.matmul(u, d), torch.matmul(s, torch.ones(3)),
            torch.mm(dup, torch.ones(2, 1)), torch.mm(s.long(), d.long()), torch.mm(d.t(), s.t().coalesce()),
            torch.ones(2, 2) @ s, torch.ones(2, 2).mm(u), torch.matmul(torch.ones(2, 2), u))


@case('torch.mm')
def sparse_sparse(torch):
    s = _s(torch)
    r = torch.mm(s, s.t())
    return repr(r), r.is_coalesced(), repr(torch.sparse.mm(s, s.t()))


@case('torch.mm')
def sparse_errors(torch):
    s = _s(torch)
    out = []
    for f in (lambda: torch.mm(s, torch.ones(2, 2)), lambda: torch.mm(s, torch.ones(3, 2, dtype=torch.float64)),
              lambda: torch.mm(torch.ones(2, 2, 2).to_sparse(), torch.ones(2, 2)),
              lambda: torch.mm(s.to_dense().to_sparse(1), torch.ones(3, 2)), lambda: torch.mm(s, torch.ones(3)),
              lambda: torch.mm(torch.ones(3).to_sparse(), torch.ones(3, 2)),
              lambda: torch.matmul(s, torch.ones(2, 3, 2))):
        try:
            f()
        except (RuntimeError, IndexError) as e:
            out.append((type(e).__name__, str(e)))
    return out


@case('torch.mm')
def sparse_grad(torch):         # torch.mm gives the sparse argument a dense gradient
    a = _u(torch).requires_grad_()
    b = torch.arange(6.).view(3, 2).requires_grad_()
    y = torch.mm(a, b)
    y.pow(2).sum().backward()
    return y.grad_fn.name(), a.grad, b.grad, torch.matmul(a, b).grad_fn.name(), (a @ b).grad_fn.name()


@case('torch.sparse.mm')
def grad(torch):                # torch.sparse.mm gives it a sparse one, on its coalesced pattern
    out = []
    for a in (_s(torch).requires_grad_(), _u(torch).requires_grad_()):
        b = torch.arange(6.).view(3, 2).requires_grad_()
        y = torch.sparse.mm(a, b)
        y.pow(2).sum().backward()
        out.append((y, y.grad_fn.name(), repr(a.grad), a.grad.is_coalesced(), b.grad))
    return out


@case('torch.sparse.mm')
def dense(torch):
    d = torch.tensor([[0., 1., 0.], [2., 0., 3.]])
    return torch.sparse.mm(d, d.t()), torch.sparse.mm(d.t(), d.to_sparse())


@case('torch.sparse.addmm')
def sparse_values(torch):
    s = _s(torch)
    return torch.sparse.addmm(torch.ones(2, 2), s, torch.arange(6.).view(3, 2))


# --- autograd through sparse arithmetic ----------------------------------------------------------------------

@case('torch.autograd.backward')
def sparse_arithmetic(torch):
    out = []
    for f in (lambda a: a * 2, lambda a: a + a, lambda a: -a, lambda a: a / 4, lambda a: a.clone(),
              lambda a: a.double(), lambda a: a.coalesce()):
        a = _u(torch).requires_grad_()
        y = f(a)
        (y.to_dense() * torch.arange(6.).view(2, 3)).sum().backward()
        out.append((y.grad_fn.name(), repr(a.grad)))
    return out


@case('torch.autograd.backward')
def sparse_non_scalar(torch):
    _u(torch).requires_grad_().backward()


@case('Tensor.values')
def sparse_grad(torch):
    a = _s(torch).requires_grad_()
    v = a.values()
    (v * torch.tensor([1., 2., 3.])).sum().backward()
    return repr(v), repr(a.grad), repr(a._values())


# --- Embedding(sparse=True) ----------------------------------------------------------------------------------

@case('torch.nn.Embedding')
def sparse_grad(torch):
    emb = _emb(torch, 5, 2)
    x = torch.tensor([[1, 3], [1, 0]])
    emb(x).sum().backward()
    first = repr(emb.weight.grad), emb.weight.grad.is_coalesced()
    emb(torch.tensor([4])).pow(2).sum().backward()     # accumulated: the entries appended
    second = repr(emb.weight.grad), emb.weight.grad.is_coalesced()
    # interleaved by the merge walk, as both gradients' values are contiguous (a plain .sum()'s would be an
    # expanded view in torch, which appends instead)
    (emb(torch.tensor([2])) * torch.tensor([1., 2.])).sum().backward()
    return first, second, repr(emb.weight.grad), repr(emb), emb.weight.grad.coalesce()


@case('torch.nn.Embedding')
def sparse_grad_padding(torch):
    e = torch.nn.Embedding(5, 2, sparse=True, padding_idx=1)
    e(torch.tensor([[1, 3], [1, 0]])).sum().backward()
    f = torch.nn.Embedding(5, 2, sparse=True, padding_idx=1)
    f(torch.tensor([1, 1])).sum().backward()
    g = torch.nn.Embedding(4, 3, sparse=True)
    g(torch.tensor([2])).sum().backward()
    return repr(e.weight.grad), repr(f.weight.grad), repr(g.weight.grad), g.weight.grad.is_coalesced()


@case('torch.nn.Embedding')
def sparse_grad_freq(torch):
    e = torch.nn.Embedding(5, 2, sparse=True, scale_grad_by_freq=True)
    e(torch.tensor([1, 1])).sum().backward()


@case('torch.nn.functional.embedding')
def sparse_grad(torch):
    w = torch.randn(4, 3, requires_grad=True)
    y = torch.nn.functional.embedding(torch.tensor([2, 0, 2]), w, sparse=True)
    (y * torch.arange(9.).view(3, 3)).sum().backward()
    w2 = torch.randn(4, 3, requires_grad=True)
    torch.embedding(w2, torch.tensor([[1, 1]]), -1, False, True).sum().backward()
    return y.grad_fn.name(), repr(w.grad), repr(w2.grad)


@case('torch.nn.functional.embedding')
def sparse_dense_accumulation(torch):
    F = torch.nn.functional
    w2 = torch.randn(4, 3, requires_grad=True)
    (w2 * 2).sum().backward()
    F.embedding(torch.tensor([2]), w2, sparse=True).sum().backward()
    w3 = torch.randn(4, 3, requires_grad=True)
    F.embedding(torch.tensor([2]), w3, sparse=True).sum().backward()
    (w3 * 2).sum().backward()
    w4 = torch.randn(4, 3, requires_grad=True)      # both in one graph
    (F.embedding(torch.tensor([2, 1]), w4, sparse=True).sum() + (w4 * 3).sum()).backward()
    return repr(w2.grad), repr(w3.grad), repr(w4.grad)


# --- optimizers on sparse gradients --------------------------------------------------------------------------

def _emb_steps(torch, make_opt, steps=3, idx=((1, 3), (1, 0))):
    emb = _emb(torch, 5, 2)
    opt = make_opt(emb.parameters())
    for k in range(steps):
        opt.zero_grad()
        (emb(torch.tensor(idx)) * (k + 1)).pow(2).sum().backward()
        opt.step()
    return emb.weight, opt.state_dict()


@case('torch.optim.SGD')
def sparse_grad(torch):
    return [_emb_steps(torch, lambda p, kw=kw: torch.optim.SGD(p, lr=0.1, **kw))
            for kw in ({}, {'momentum': 0.9}, {'momentum': 0.9, 'nesterov': True}, {'momentum': 0.5, 'dampening': 0.3},
                       {'maximize': True})]


@case('torch.optim.SGD')
def sparse_grad_state_repr(torch):
    emb = _emb(torch, 5, 2)
    opt = torch.optim.SGD(emb.parameters(), lr=0.1, momentum=0.9)
    for _ in range(2):
        opt.zero_grad()
        emb(torch.tensor([[1, 3], [1, 0]])).sum().backward()
        opt.step()
    return repr(opt.state[emb.weight]['momentum_buffer'])


@case('torch.optim.SGD')
def sparse_grad_weight_decay(torch):
    _emb_steps(torch, lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=0.1))


@case('torch.optim.Adam')
def sparse_grad(torch):
    _emb_steps(torch, lambda p: torch.optim.Adam(p))


@case('torch.optim.AdamW')
def sparse_grad(torch):
    _emb_steps(torch, lambda p: torch.optim.AdamW(p))


@case('torch.optim.SparseAdam')
def sparse_embedding(torch):
    return [_emb_steps(torch, lambda p, kw=kw: torch.optim.SparseAdam(p, **kw), steps=4, idx=(1, 2, 1))
            for kw in ({'lr': 0.1}, {}, {'lr': 0.01, 'betas': (0.5, 0.6), 'eps': 1e-3}, {'maximize': True},
                       {'lr': torch.tensor(0.05)})]


@case('torch.optim.SparseAdam')
def sparse_float64_and_groups(torch):
    a = _emb(torch, 6, 3).double()
    b = _emb(torch, 4, 2)
    opt = torch.optim.SparseAdam([{'params': a.parameters()}, {'params': b.parameters(), 'lr': 0.3}], lr=0.1)
    for k in range(3):
        opt.zero_grad()
        (a(torch.tensor([k, 5, k])).sum() + b(torch.tensor([3])).sum() * k).backward()
        opt.step()
    return a.weight, b.weight, opt.state_dict()


@case('torch.optim.SparseAdam')
def sparse_empty_grad(torch):          # an all-padding gradient has no entries: no update, but the step counts
    e = _emb(torch, 4, 2, padding_idx=0)
    opt = torch.optim.SparseAdam(e.parameters())
    e(torch.tensor([0, 0])).sum().backward()
    opt.step()
    return e.weight, opt.state_dict()


@case('torch.optim.SparseAdam')
def sparse_param(torch):
    torch.optim.SparseAdam([torch.ones(2, 2).to_sparse().requires_grad_()])


@case('torch.optim.SparseAdam')
def sparse_then_dense_grad(torch):
    lin = torch.nn.Linear(2, 2)
    emb = _emb(torch, 3, 2)
    opt = torch.optim.SparseAdam(list(emb.parameters()) + list(lin.parameters()))
    (emb(torch.tensor([1])).sum() + lin(torch.ones(2)).sum()).backward()
    try:
        opt.step()
    except RuntimeError as e:
        return str(e), emb.weight, opt.state_dict()      # torch checks every parameter before updating any


check('torch.optim.SparseAdam', lambda torch: repr(torch.optim.SparseAdam(torch.nn.Embedding(2, 2).parameters(),
                                                                           maximize=True)), name='sparse_repr_maximize')


@case('torch.optim.Optimizer.zero_grad')
def sparse_grad(torch):
    emb = _emb(torch, 5, 2)
    opt = torch.optim.SGD(emb.parameters(), lr=0.1)
    emb(torch.tensor([1, 3])).sum().backward()
    opt.zero_grad(set_to_none=False)
    g1 = repr(emb.weight.grad), emb.weight.grad.is_coalesced()
    emb(torch.tensor([2])).sum().backward()
    emb.zero_grad(set_to_none=False)
    return g1, repr(emb.weight.grad)
