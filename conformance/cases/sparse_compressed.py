"""Sparse compressed tensors (CSR, CSC, BSR, BSC): factories and their validation, conversions between
layouts, accessors, printing, the products and arithmetic scripts use, autograd into the values, and the
errors of what torch refuses. Results are returned as tensors (compared dense) and as repr (the indices,
values, order and nnz)."""
from conformance import case


def _d(torch):
    return torch.tensor([[0., 1., 0.], [2., 0., 3.]])


def _csr(torch):
    return _d(torch).to_sparse_csr()


def _info(t):
    return (repr(t), t, t.layout, t._nnz(), t.sparse_dim(), t.dense_dim(), t.shape, t.is_sparse, t.is_sparse_csr,
            t.dtype)


def _first(e):
    """torch's dispatcher error up to the list of backends its build registered (build-specific paths)."""
    return type(e).__name__, str(e).split(" 'aten::")[0] if "backend. This" in str(e) else str(e)


# --- factories ----------------------------------------------------------------------------------------

@case('torch.sparse_csr_tensor')
def csr_factory(torch):
    return (_info(torch.sparse_csr_tensor([0, 1, 3], [1, 0, 2], [1., 2., 3.])),
            _info(torch.sparse_csr_tensor(torch.tensor([0, 1, 3]), torch.tensor([1, 0, 2]), torch.tensor([1, 2, 3]),
                                          (2, 4))),
            _info(torch.sparse_csr_tensor([0, 1, 3], [1, 0, 2], [1, 2, 3], (2, 3), dtype=torch.float64)),
            _info(torch.sparse_csr_tensor(torch.tensor([0, 1, 3], dtype=torch.int32),
                                          torch.tensor([1, 0, 2], dtype=torch.int32), [1., 2., 3.], device='cpu')))


@case('torch.sparse_csr_tensor')
def csr_factory_requires_grad(torch):
    a = torch.sparse_csr_tensor([0, 1, 3], [1, 0, 2], [1., 2., 3.], (2, 3), requires_grad=True)
    return repr(a), a.requires_grad, a.is_leaf, a.grad_fn


@case('torch.sparse_csr_tensor')
def csr_factory_empty_and_hybrid(torch):
    e = torch.sparse_csr_tensor(torch.tensor([0, 0, 0]), torch.tensor([], dtype=torch.long), torch.tensor([]),
                                (2, 3))
    n = torch.sparse_csr_tensor(torch.tensor([0, 0, 0]), torch.tensor([], dtype=torch.long), torch.tensor([]))
    h = torch.sparse_csr_tensor([0, 1, 2], [1, 0], [[1., 2.], [3., 4.]])
    return _info(e), _info(n), _info(h)


@case('torch.sparse_csr_tensor')
def csr_factory_batched(torch):
    b = torch.sparse_csr_tensor([[0, 1, 2], [0, 2, 2]], [[1, 0], [0, 1]], [[1., 2.], [3., 4.]])
    return _info(b), b.crow_indices(), b.col_indices(), b.values()


@case('torch.sparse_csc_tensor')
def csc_factory(torch):
    return (_info(torch.sparse_csc_tensor([0, 1, 3], [1, 0, 2], [1., 2., 3.])),
            _info(torch.sparse_csc_tensor([0, 1, 3], [1, 0, 2], [1., 2., 3.], (3, 2))))


@case('torch.sparse_bsr_tensor')
def bsr_factory(torch):
    v = torch.arange(12.).reshape(2, 2, 3)
    return (_info(torch.sparse_bsr_tensor([0, 1, 2], [0, 1], v)),
            _info(torch.sparse_bsr_tensor([0, 1, 2], [0, 1], v, (4, 6))))


@case('torch.sparse_bsc_tensor')
def bsc_factory(torch):
    return _info(torch.sparse_bsc_tensor([0, 1, 2], [0, 1], torch.arange(12.).reshape(2, 2, 3)))


@case('torch.sparse_compressed_tensor')
def compressed_factory(torch):
    return (_info(torch.sparse_compressed_tensor([0, 1, 3], [1, 0, 2], [1., 2., 3.], (2, 3), layout=torch.sparse_csr)),
            _info(torch.sparse_compressed_tensor([0, 1, 3], [1, 0, 2], [1., 2., 3.], layout=torch.sparse_csc)))


@case('torch.sparse_compressed_tensor')
def error_compressed_no_layout(torch):
    torch.sparse_compressed_tensor([0, 1, 3], [1, 0, 2], [1., 2., 3.], (2, 3))


@case('torch.sparse_compressed_tensor')
def error_compressed_coo_layout(torch):
    torch.sparse_compressed_tensor([0, 1, 3], [1, 0, 2], [1., 2., 3.], (2, 3), layout=torch.sparse_coo)


@case('torch.sparse_csr_tensor')
def error_index_dims(torch):
    torch.sparse_csr_tensor([[0, 1, 3]], [1, 0, 2], [1., 2., 3.])


@case('torch.sparse_bsr_tensor')
def error_bsr_values_dims(torch):
    torch.sparse_bsr_tensor([0, 1, 2], [0, 1], torch.ones(2))


@case('torch.sparse_csr_tensor')
def error_int_requires_grad(torch):
    torch.sparse_csr_tensor([0, 1, 3], [1, 0, 2], [1, 2, 3], requires_grad=True)


@case('torch.sparse_csr_tensor')
def invariants(torch):
    out = [repr(torch.sparse_csr_tensor([0, 1, 2], [1, 0, 2], [1., 2., 3.], (2, 3)))]    # unchecked by default
    for crow, col in (([0, 1, 2], [1, 0, 2]), ([0, 1, 3], [1, 0, 5]), ([1, 1, 3], [1, 0, 2]),
                      ([0, 3, 2], [1, 0, 2]), ([0, 1, 3], [1, 2, 0]), ([0, 1, 3], [1, 2, 2])):
        try:
            torch.sparse_csr_tensor(crow, col, [1., 2., 3.], (2, 3), check_invariants=True)
        except RuntimeError as e:
            out.append(str(e))
    with torch.sparse.check_sparse_tensor_invariants():
        try:
            torch.sparse_csc_tensor([0, 1, 3], [1, 0, 5], [1., 2., 3.], (3, 2))
        except RuntimeError as e:
            out.append(str(e))
    return out


# --- conversions ------------------------------------------------------------------------------------------

@case('Tensor.to_sparse_csr')
def dense_to_compressed(torch):
    d = _d(torch)
    return [_info(t) for t in (d.to_sparse_csr(), d.to_sparse_csc(), d.to_sparse_bsr(1), d.to_sparse_bsc((1, 1)),
                               torch.zeros(2, 3).to_sparse_csr(), torch.tensor([[0, 5], [7, 0]]).to_sparse_csr(),
                               torch.arange(16.).reshape(4, 4).to_sparse_bsr((2, 2)),
                               torch.arange(16.).reshape(4, 4).to_sparse_bsc(2),
                               torch.eye(4).to_sparse_bsr((2, 2)))]


@case('Tensor.to_sparse_csr')
def dense_to_batched_and_hybrid(torch):
    x = torch.zeros(2, 3, 4)
    x[0, 1, 2], x[1, 0, 0] = 1, 5
    return [_info(t) for t in (x.to_sparse_csr(), torch.eye(2).expand(3, 2, 2).to_sparse_csc(),
                               torch.ones(2, 3, 2).to_sparse_csr(dense_dim=1))]


@case('Tensor.to_sparse_csr')
def error_batches_differ(torch):
    torch.tensor([[[1., 0], [0, 0]], [[1, 1], [0, 0]]]).to_sparse_csr()


@case('Tensor.to_sparse_csr')
def error_one_dim(torch):
    torch.ones(3).to_sparse_csr()


@case('Tensor.to_sparse_bsr')
def error_blocksize_divides(torch):
    _d(torch).to_sparse_bsr((2, 2))


@case('Tensor.to_sparse')
def to_sparse_layout(torch):
    d = _d(torch)
    return (_info(d.to_sparse(layout=torch.sparse_csr)), _info(d.to_sparse(layout=torch.sparse_csc)),
            _info(d.to_sparse(layout=torch.sparse_bsr, blocksize=(1, 1))), _info(d.to_sparse(layout=torch.sparse_coo)))


@case('Tensor.to_sparse')
def error_to_sparse_no_blocksize(torch):
    _d(torch).to_sparse(layout=torch.sparse_bsr)


@case('Tensor.to_sparse_csr')
def between_layouts(torch):
    c = _csr(torch)
    coo = torch.sparse_coo_tensor([[1, 0, 1], [2, 0, 2]], [3., 4., 5.], (2, 3))
    return [_info(t) for t in (c.to_sparse(), c.to_sparse_csc(), c.to_sparse_csc().to_sparse_csr(), c.to_sparse_csr(),
                               c.to_sparse_bsr(1), _d(torch).to_sparse().to_sparse_csr(), coo.to_sparse_csr(),
                               coo.to_sparse_csc(), torch.eye(4).to_sparse_csr().to_sparse_bsr((2, 2)),
                               torch.eye(4).to_sparse_bsc(2).to_sparse_bsr(2),
                               torch.eye(4).to_sparse_bsr(2).to_sparse_bsc(2),
                               torch.eye(4).to_sparse().to_sparse_bsr(2),
                               torch.eye(4).to_sparse_csc().to_sparse_bsr(2))]


@case('Tensor.to_sparse')
def compressed_to_coo(torch):
    d = _d(torch)
    return [(_info(t), t.is_coalesced()) for t in (
        d.to_sparse_csr().to_sparse(), d.to_sparse_csc().to_sparse(), d.to_sparse_bsr(1).to_sparse(),
        torch.arange(16.).reshape(4, 4).to_sparse_bsr(2).to_sparse(),
        torch.arange(16.).reshape(4, 4).to_sparse_bsc(2).to_sparse(),
        torch.eye(2).expand(2, 2, 2).to_sparse_csc().to_sparse(), d.to_sparse_csr().to_sparse_coo())]


@case('Tensor.to_sparse_bsr')
def error_blocksize_change(torch):
    torch.eye(4).to_sparse_bsr(2).to_sparse_bsr(1)


@case('Tensor.to_sparse')
def batched_to_coo(torch):
    return _info(torch.eye(2).expand(3, 2, 2).to_sparse_csr().to_sparse())


@case('Tensor.to_sparse_csr')
def error_coo_3d(torch):
    torch.ones(2, 2, 2).to_sparse().to_sparse_csr()


@case('Tensor.to_sparse_csr')
def error_bsr_to_csr(torch):
    torch.eye(4).to_sparse_bsr((2, 2)).to_sparse_csr()


@case('Tensor.to_dense')
def to_dense(torch):
    return (_csr(torch).to_dense(), _d(torch).to_sparse_csc().to_dense(),
            torch.arange(16.).reshape(4, 4).to_sparse_bsr(2).to_dense(),
            torch.arange(24.).reshape(4, 6).to_sparse_bsc((2, 3)).to_dense(),
            torch.sparse_csr_tensor([[0, 1, 2], [0, 2, 2]], [[1, 0], [0, 1]], [[1., 2.], [3., 4.]]).to_dense())


@case('Tensor.to_dense')
def error_to_dense_dtype(torch):
    _csr(torch).to_dense(torch.float64)


# --- accessors --------------------------------------------------------------------------------------------

@case('Tensor.crow_indices')
def accessors(torch):
    c, cc, b = _csr(torch), _d(torch).to_sparse_csc(), torch.eye(2).to_sparse_bsr(1)
    return (c.crow_indices(), c.col_indices(), c.values(), cc.ccol_indices(), cc.row_indices(), cc.values(),
            b.crow_indices(), b.col_indices(), torch.eye(2).to_sparse_bsc(1).row_indices(), c.size(), c.numel(),
            c.dim(), len(c), c.is_sparse_csr, cc.is_sparse_csr, b.is_sparse_csr, c.requires_grad)


@case('torch.crow_indices_copy')
def copy_forms(torch):
    c, cc = _csr(torch), _d(torch).to_sparse_csc()
    return (torch.crow_indices_copy(c), torch.col_indices_copy(c), torch.values_copy(c),
            torch.ccol_indices_copy(cc), torch.row_indices_copy(cc))


@case('Tensor.crow_indices')
def accessor_errors(torch):
    out = []
    for f in (lambda: _csr(torch).ccol_indices(), lambda: _csr(torch).row_indices(),
              lambda: _d(torch).to_sparse_csc().crow_indices(), lambda: _d(torch).crow_indices(),
              lambda: _d(torch).col_indices(), lambda: _d(torch).to_sparse().crow_indices(),
              lambda: _csr(torch).indices(), lambda: _csr(torch).coalesce(), lambda: _csr(torch).is_coalesced(),
              lambda: _csr(torch)._values(), lambda: _csr(torch)._indices(), lambda: _csr(torch).stride(),
              lambda: _csr(torch).is_contiguous(), lambda: _csr(torch).numpy(), lambda: _csr(torch).tolist()):
        try:
            f()
        except Exception as e:
            out.append(_first(e))
    return out


# --- printing ---------------------------------------------------------------------------------------------

@case('Tensor.__repr__')
def repr_kinds(torch):
    return [repr(t) for t in (_csr(torch).double(), _csr(torch).int(), _csr(torch).long(), _csr(torch).bool(),
                              torch.arange(60.).reshape(6, 10).to_sparse_csr(),
                              torch.arange(36.).reshape(6, 6).to_sparse_bsc(3),
                              torch.sparse_csr_tensor([0, 1, 3], [1, 0, 2], [1., 2., 3.], (2, 3),
                                                      requires_grad=True) * 2)]


@case('Tensor.__repr__')
def repr_print(torch):
    print(_csr(torch))
    print(_d(torch).to_sparse_bsc(1))


# --- products ---------------------------------------------------------------------------------------------

@case('torch.mm')
def products(torch):
    c, m = _csr(torch), torch.arange(12.).reshape(3, 4)
    return (c.mm(m), c @ m, torch.mm(c, m), torch.matmul(c, m), torch.sparse.mm(c, m),
            torch.addmm(torch.ones(2, 4), c, m), torch.sparse.addmm(torch.ones(2, 4), c, m),
            torch.addmm(torch.ones(2, 4), c, m, beta=0.5, alpha=2), m.t() @ c.t(), torch.ones(4, 2) @ c,
            torch.mm(torch.ones(4, 2), c), c.mv(torch.ones(3)), c @ torch.arange(3.), torch.mv(c, torch.ones(3)))


@case('torch.mm')
def products_other_layouts(torch):
    m = torch.arange(8.).reshape(4, 2)
    return (torch.eye(4).to_sparse_bsr((2, 2)) @ m, torch.arange(16.).reshape(4, 4).to_sparse_bsr(2) @ m,
            torch.arange(16.).reshape(4, 4).to_sparse_csc() @ m, torch.ones(2, 4) @ torch.eye(4).to_sparse_csc(),
            torch.arange(16.).reshape(4, 4).double().to_sparse_csr() @ m.double())


@case('torch.mm')
def error_bsc_mm(torch):
    torch.eye(4).to_sparse_bsc(2) @ torch.ones(4, 1)


@case('torch.mm')
def error_mm_bsr_rhs(torch):
    torch.ones(2, 4) @ torch.eye(4).to_sparse_bsr(2)


@case('torch.mm')
def error_mm_shapes(torch):
    _csr(torch).mm(torch.ones(4, 2))


@case('torch.mm')
def error_mm_dtype(torch):
    _csr(torch) @ torch.ones(3, 1, dtype=torch.float64)


@case('torch.mm')
def error_mm_long(torch):
    torch.eye(2, dtype=torch.long).to_sparse_csr() @ torch.ones(2, 1, dtype=torch.long)


@case('torch.mm')
def error_mm_vector(torch):
    _csr(torch).mm(torch.ones(3))


@case('torch.matmul')
def error_matmul_3d(torch):
    _csr(torch) @ torch.ones(2, 3, 4)


# --- arithmetic -------------------------------------------------------------------------------------------

@case('torch.mul')
def scalar_arithmetic(torch):
    c = _csr(torch)
    return [_info(t) for t in (c * 2, 2 * c, c * torch.tensor(2.), torch.mul(c, 3), c.mul(0.5), -c, c * 2.5,
                               _d(torch).to_sparse_csc() * 2, torch.eye(2).to_sparse_bsr(1) * 2)]


@case('torch.add')
def add(torch):
    c = _csr(torch)
    e = torch.eye(2, 3).to_sparse_csr()
    # (torch's BSR + BSR drops the values' block dims, leaving a tensor it cannot convert: not compared)
    return [_info(t) for t in (c + c, c.add(c, alpha=2), torch.add(c, c), c + e)] + \
        [c + _d(torch), _d(torch) + c, torch.add(_d(torch), c)]


@case('torch.add')
def error_add_csc(torch):
    _d(torch).to_sparse_csc() + _d(torch).to_sparse_csc()


@case('torch.add')
def error_add_shapes(torch):
    torch.eye(2).to_sparse_csr() + torch.eye(3).to_sparse_csr()


@case('torch.sum')
def sums(torch):
    c = _csr(torch)
    return c.sum(), torch.sum(c), _d(torch).to_sparse_csc().sum(), torch.eye(4).to_sparse_bsr(2).sum()


@case('torch.sum')
def error_sum_dim(torch):
    _csr(torch).sum(0)


@case('torch.sum')
def sum_keepdim(torch):
    c = _csr(torch)
    return [_info(t) for t in (c.sum(0, keepdim=True), c.sum(1, keepdim=True), c.sum((0, 1), keepdim=True),
                               torch.sum(c, -1, keepdim=True),
                               torch.tensor([[0, 1], [2, 3]]).to_sparse_csr().sum(0, True))]


@case('torch.sum')
def error_sum_keepdim_backward(torch):
    c = _leaf(torch)
    s = c.sum(1, keepdim=True)
    repr(s)
    s.to_dense().sum().backward()


@case('torch.mul')
def mul_tensors(torch):
    c, d = _csr(torch), _d(torch)
    return [_info(t) for t in (c * d, d * c, c * c, c * torch.eye(2, 3).to_sparse_csr(), torch.mul(c, d))]


@case('torch.mul')
def error_mul_broadcast(torch):
    _csr(torch) * torch.ones(3)


@case('torch.matmul')
def error_batched_matmul(torch):
    torch.eye(2).expand(3, 2, 2).to_sparse_csr() @ torch.ones(2, 1)


@case('torch.matmul')
def error_batched_matmul_3d(torch):
    torch.eye(2).expand(3, 2, 2).to_sparse_csr() @ torch.ones(3, 2, 1)


@case('Tensor.t')
def error_batched_t(torch):
    torch.eye(2).expand(3, 2, 2).to_sparse_csr().t()


@case('Tensor.t')
def transposes(torch):
    c = _csr(torch)
    return [_info(t) for t in (c.t(), c.transpose(0, 1), torch.t(c), _d(torch).to_sparse_csc().t(),
                               torch.arange(16.).reshape(4, 4).to_sparse_bsr(2).t())]


@case('Tensor.to')
def copies_and_dtypes(torch):
    c = _csr(torch)
    return [_info(t) for t in (c.to(torch.float64), c.double(), c.float(), c.int(), c.to(torch.int64), c.clone(),
                               c.detach(), c.to('cpu'))]


# --- autograd ---------------------------------------------------------------------------------------------

def _leaf(torch):
    return _csr(torch).requires_grad_()


@case('Tensor.to_dense')
def grad_through_to_dense(torch):
    c = _leaf(torch)
    y = c.to_dense()
    (y * torch.arange(6.).reshape(2, 3)).sum().backward()
    return repr(c.grad), c.grad, y.grad_fn.name(), repr(c)


@case('torch.mm')
def grad_through_mm(torch):
    c, m = _leaf(torch), torch.arange(6.).reshape(3, 2).requires_grad_()
    z = c.mm(m)
    z.sum().backward()
    return c.grad, c.grad.layout, m.grad, z.grad_fn.name()


@case('torch.sparse.mm')
def grad_through_sparse_mm(torch):
    c = _leaf(torch)
    z = torch.sparse.mm(c, torch.ones(3, 2))
    z.sum().backward()
    return repr(c.grad), z.grad_fn.name()


@case('torch.sparse_csr_tensor')
def grad_into_values(torch):
    v = torch.tensor([1., 2., 3.], requires_grad=True)
    m = torch.ones(3, 2, requires_grad=True)
    s = torch.sparse_csr_tensor(torch.tensor([0, 1, 3]), torch.tensor([1, 0, 2]), v, (2, 3))
    z = s @ m
    z.sum().backward()
    return repr(s), s.is_leaf, z.grad_fn.name(), v.grad, m.grad


@case('torch.sparse_csr_tensor')
def grad_into_values_to_dense(torch):
    v = torch.tensor([1., 2., 3.], requires_grad=True)
    s = torch.sparse_csr_tensor(torch.tensor([0, 1, 3]), torch.tensor([1, 0, 2]), v, (2, 3))
    (s.to_dense() * torch.arange(6.).reshape(2, 3)).sum().backward()
    return v.grad


@case('torch.sparse_csr_tensor')
def grad_into_values_scaled(torch):
    v = torch.tensor([1., 2., 3.], requires_grad=True)
    s = torch.sparse_csr_tensor(torch.tensor([0, 1, 3]), torch.tensor([1, 0, 2]), v, (2, 3))
    w = s * 2
    w.to_dense().sum().backward()
    return repr(w), v.grad


@case('Tensor.to_sparse_csr')
def grad_of_dense_source(torch):
    x = torch.ones(2, 3, requires_grad=True)
    y = x.to_sparse_csr()
    (y @ torch.arange(3.).reshape(3, 1)).sum().backward()
    return x.grad, y.grad_fn.name(), x.to_sparse_csc().grad_fn.name(), x.to_sparse_bsr(1).grad_fn.name(), \
        x.to_sparse(layout=torch.sparse_csr).grad_fn.name()


@case('Tensor.to_sparse_csr')
def grad_fn_names(torch):
    c = _leaf(torch)
    return [t.grad_fn.name() for t in (c.to_dense(), c.sum(), c.t(), c.clone(), c + c, c.to(torch.float64), c * 2,
                                       c.mv(torch.ones(3)), c @ torch.ones(3, 2), torch.ones(2, 2) @ c, c.values(),
                                       c * _d(torch), c.sum(0, keepdim=True),
                                       torch.addmm(torch.ones(2, 2), c, torch.ones(3, 2)))]


@case('torch.mm')
def grad_dense_at_csr(torch):
    c = _leaf(torch)
    m = torch.ones(2, 2, requires_grad=True)
    z = m @ c
    (z * torch.arange(6.).reshape(2, 3)).sum().backward()
    return c.grad, m.grad


@case('torch.addmm')
def grad_addmm(torch):
    c = _leaf(torch)
    i, m = torch.ones(2, 2, requires_grad=True), torch.arange(6.).reshape(3, 2).requires_grad_()
    torch.addmm(i, c, m, beta=0.5, alpha=2).sum().backward()
    return c.grad, i.grad, m.grad


@case('torch.mv')
def grad_mv(torch):
    c, v = _leaf(torch), torch.arange(3.).requires_grad_()
    c.mv(v).sum().backward()
    return c.grad, v.grad


@case('Tensor.sin')
def zero_preserving_unary(torch):
    c = torch.tensor([[0., 1., 0.], [-2., 0., 3.]]).to_sparse_csr()
    out = []
    for n in ('abs', 'sin', 'tanh', 'relu', 'sqrt', 'sign', 'floor', 'expm1', 'log1p', 'asin', 'erf', 'isnan',
              'signbit', 'trunc', 'sgn', 'neg'):
        r = getattr(c, n)()
        out.append((_info(r), getattr(c.clone().requires_grad_(), n)().grad_fn.name()
                    if r.dtype.is_floating_point else None))
    d = c.clone()
    out.append(repr(d.sin_()))
    out.append(repr(abs(c)))
    return out


@case('Tensor.abs')
def grad_abs(torch):
    c = _leaf(torch)
    (-c).abs().to_dense().sum().backward()
    return repr(c.grad)


@case('Tensor.__getitem__')
def select(torch):
    c = torch.tensor([[0., 1., 0.], [-2., 0., 3.]]).to_sparse_csr()
    b = torch.eye(2).expand(2, 2, 2).to_sparse_csr()
    return [repr(t) for t in (c[1], c[-1], c[0, 1], c.to_sparse_csc()[0], b[0], b[-1], list(c))], c[1].is_coalesced()


@case('Tensor.__getitem__')
def error_select_bounds(torch):
    _csr(torch)[2]


@case('Tensor.__repr__')
def repr_summarized(torch):
    x = torch.zeros(40, 40)
    x[::2, ::3] = torch.arange(280.).reshape(20, 14)
    return repr(x.to_sparse_csr()), repr(x.to_sparse_csc())


# --- what torch refuses -------------------------------------------------------------------------------------

@case('Tensor.exp')
def refused_ops(torch):
    out = []
    for f in (lambda c: c.exp(), lambda c: torch.exp(c), lambda c: c / 2, lambda c: c - c, lambda c: c == c,
              lambda c: c.mean(), lambda c: c.max(), lambda c: torch.softmax(c, 1), lambda c: c.view(3, 2),
              lambda c: c.reshape(3, 2), lambda c: c.T, lambda c: c.coalesce(),
              lambda c: torch.sparse.sum(c)):
        try:
            f(_csr(torch))
            out.append('no error')
        except Exception as e:
            out.append(_first(e))
    return out


@case('Tensor.to_sparse_csr')
def empty_shapes(torch):
    return [_info(t) for t in (torch.zeros(0, 3).to_sparse_csr(), torch.zeros(3, 0).to_sparse_csc(),
                               torch.zeros(2, 2, 0).to_sparse_csr(dense_dim=1),
                               torch.zeros(4, 4).to_sparse_bsr(2))] + \
        [torch.zeros(0, 3).to_sparse_csr() @ torch.ones(3, 2), torch.zeros(2, 3).to_sparse_csr() @ torch.ones(3, 2)]


@case('Tensor.to_sparse_csr')
def error_empty_batch(torch):
    torch.zeros(0, 2, 2).to_sparse_csr()


@case('Tensor.to_sparse_csr')
def complex_and_half(torch):
    d = torch.tensor([[0, 1 + 2j], [3j, 0]])
    return [_info(t) for t in (d.to_sparse_csr(), d.to_sparse_csr() * 2, torch.eye(2).half().to_sparse_csc(),
                               torch.eye(2).bfloat16().to_sparse_csr().to(torch.float32))] + \
        [d.to_sparse_csr() @ torch.ones(2, 1, dtype=torch.complex64)]
