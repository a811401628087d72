"""Optimizers, gradient clipping and GradScaler on sparse gradients (Embedding(sparse=True), dense.to_sparse()):
Adagrad's own sparse step (10-step trajectories and state_dict), the errors of those without one (and the
state torch's _init_group leaves behind), LBFGS's densified gradient."""
from conformance import case, outcomes


def _emb(torch, n=6, d=3):
    """An Embedding(sparse=True) with fixed, exactly representable weights (the same in both libraries: a
    last-bit difference in the start would grow over a 10-step trajectory)."""
    w = ((torch.arange(n * d) * 5 % 11 - 5) / 4 + 0.125).view(n, d)
    return torch.nn.Embedding.from_pretrained(w, freeze=False, sparse=True)


def _trim(results):
    """Dispatcher errors up to the list of backends the build registered (build-specific paths)."""
    return [r.split(" 'aten::")[0] + " 'aten::" + r.split(" 'aten::")[1].split("'")[0]
            if isinstance(r, str) and 'backend. This' in r else r for r in results]


def _trajectory(torch, make_opt, steps=10, extra=None):
    """`steps` steps on an embedding's sparse gradient (repeated indices: uncoalesced), plus a dense parameter
    in the same group when `extra` is set; the weights and the state_dict after each step."""
    emb = _emb(torch)
    params = list(emb.parameters())
    if extra:
        params.append(torch.nn.Parameter(torch.linspace(-1, 1, 4)))
    opt = make_opt(params)
    out = []
    for k in range(steps):
        opt.zero_grad()
        idx = torch.tensor([[k % 6, 2, 2], [5, (3 * k) % 6, 2]])
        loss = (emb(idx) * (k + 1)).pow(2).sum() / 7
        if extra:
            loss = loss + (params[-1] * (k - 4)).pow(2).sum()
        loss.backward()
        opt.step()
        out.append((emb.weight.detach().clone(), params[-1].detach().clone()))
    return out, opt.state_dict()


_ADAGRAD = ({}, {'lr': 0.3}, {'lr_decay': 0.1}, {'initial_accumulator_value': 0.5}, {'eps': 1e-3},
            {'maximize': True}, {'foreach': True}, {'foreach': False, 'lr': 0.2, 'lr_decay': 0.05},
            {'foreach': True, 'maximize': True, 'initial_accumulator_value': 0.1})


@case('torch.optim.Adagrad')
def sparse_trajectories(torch):
    return [_trajectory(torch, lambda p, kw=kw: torch.optim.Adagrad(p, **kw)) for kw in _ADAGRAD]


@case('torch.optim.Adagrad')
def sparse_and_dense_in_one_group(torch):     # foreach hands the whole device group to the single-tensor loop
    return [_trajectory(torch, lambda p, kw=kw: torch.optim.Adagrad(p, lr=0.1, **kw), extra=True)
            for kw in ({}, {'foreach': True}, {'foreach': True, 'maximize': True, 'lr_decay': 0.01})]


@case('torch.optim.Adagrad')
def sparse_float64_tensor_lr_and_groups(torch):
    a, b = _emb(torch).double(), _emb(torch, 4, 2)
    opt = torch.optim.Adagrad([{'params': a.parameters()}, {'params': b.parameters(), 'lr': 0.3}],
                              lr=torch.tensor(0.05))
    for k in range(4):
        opt.zero_grad()
        (a(torch.tensor([k, 5, k])).sum() + b(torch.tensor([3, 1, 3])).pow(2).sum() * k).backward()
        opt.step()
    return a.weight, b.weight, opt.state_dict()


@case('torch.optim.Adagrad')
def sparse_grad_assigned(torch):      # p.grad = dense.to_sparse() and an uncoalesced sparse_coo_tensor
    p = torch.nn.Parameter(torch.linspace(-1, 2, 12).view(4, 3))
    opt = torch.optim.Adagrad([p], lr=0.2)
    p.grad = torch.tensor([[0., 1., 0.], [0., 0., 0.], [2., 0., -3.], [0., 0., 0.]]).to_sparse()
    opt.step()
    p.grad = torch.sparse_coo_tensor([[3, 0, 3]], torch.tensor([[1., 2., 3.], [4., 5., 6.], [-1., 0., 2.]]), (4, 3))
    opt.step()
    return p, opt.state_dict(), p.grad.is_coalesced()


@case('torch.optim.Adagrad')
def sparse_errors(torch):
    def weight_decay():        # after the step count went up (and the dense parameter before it moved)
        emb, lin = _emb(torch), torch.nn.Parameter(torch.ones(3))
        opt = torch.optim.Adagrad([lin] + list(emb.parameters()), weight_decay=0.1)
        (emb(torch.tensor([1])).sum() + lin.sum()).backward()
        try:
            opt.step()
        except RuntimeError as e:
            return str(e), lin, emb.weight, opt.state_dict()

    def fused():
        emb = _emb(torch)
        emb(torch.tensor([1, 2])).sum().backward()
        opt = torch.optim.Adagrad(emb.parameters(), fused=True)
        try:
            opt.step()
        except RuntimeError as e:
            return str(e), emb.weight, opt.state_dict()

    def differentiable():
        emb = _emb(torch)
        emb(torch.tensor([1, 2])).sum().backward()
        torch.optim.Adagrad(emb.parameters(), differentiable=True).step()
    return outcomes(weight_decay, fused, differentiable)


# --- optimizers without a sparse path -----------------------------------------------------------------------

_NO_SPARSE = [('RMSprop', {}), ('RMSprop', {'foreach': True}), ('RMSprop', {'centered': True, 'momentum': 0.5}),
              ('RMSprop', {'differentiable': True}), ('Adadelta', {}), ('Adadelta', {'foreach': True}),
              ('Adamax', {}), ('Adamax', {'foreach': True}), ('ASGD', {}), ('ASGD', {'foreach': True}),
              ('NAdam', {}), ('NAdam', {'foreach': True}), ('NAdam', {'decoupled_weight_decay': True}),
              ('RAdam', {}), ('RAdam', {'foreach': True}), ('Rprop', {}), ('Rprop', {'foreach': True}),
              ('Adam', {}), ('Adam', {'foreach': True}), ('Adam', {'fused': True}), ('Adam', {'amsgrad': True}),
              ('Adam', {'differentiable': True}), ('AdamW', {}), ('AdamW', {'foreach': True}),
              ('AdamW', {'fused': True}), ('Adafactor', {}), ('Adafactor', {'foreach': True}), ('Muon', {})]


@case('torch.optim.Optimizer.step')
def sparse_grad_unsupported(torch):
    def run(name, kw):
        emb = _emb(torch)
        emb(torch.tensor([1, 2, 1])).sum().backward()
        getattr(torch.optim, name)(emb.parameters(), **kw).step()
    return outcomes(*[lambda a=a: run(*a) for a in _NO_SPARSE])


@case('torch.optim.Optimizer.step')
def sparse_grad_after_dense(torch):
    """A dense parameter before the sparse one gets its state but no update; an earlier group is stepped."""
    def run(name, kw):
        emb = _emb(torch)
        first = torch.nn.Parameter(torch.linspace(-1, 1, 6).view(2, 3))
        second = torch.nn.Parameter(torch.linspace(1, 2, 6).view(3, 2))
        opt = getattr(torch.optim, name)([{'params': [first]}, {'params': [second] + list(emb.parameters())}], **kw)
        (first.pow(2).sum() + second.pow(2).sum() + emb(torch.tensor([1, 4])).sum()).backward()
        try:
            opt.step()
        except RuntimeError as e:
            return str(e), first, second, emb.weight, opt.state_dict()
    return outcomes(*[lambda a=a: run(*a) for a in _NO_SPARSE if 'differentiable' not in a[1]])


@case('torch.optim.Optimizer.step')
def sparse_grad_complex_first(torch):     # Adafactor and Muon check a complex parameter before a sparse gradient
    def run(name, sparse_first):
        c = torch.nn.Parameter(torch.ones(2, 2, dtype=torch.complex64))
        c.grad = torch.ones(2, 2, dtype=torch.complex64)
        s = torch.nn.Parameter(torch.ones(2, 2))
        s.grad = torch.eye(2).to_sparse()
        getattr(torch.optim, name)([s, c] if sparse_first else [c, s]).step()
    return outcomes(*[lambda a=a: run(*a) for a in [('Adafactor', True), ('Adafactor', False), ('Muon', True),
                                                     ('Muon', False)]])


@case('torch.optim.SGD')
def sparse_grad_fused(torch):
    emb = _emb(torch)
    emb(torch.tensor([1, 2])).sum().backward()
    opt = torch.optim.SGD(emb.parameters(), lr=0.1, fused=True)
    try:
        opt.step()
    except RuntimeError as e:
        return str(e), emb.weight, opt.state_dict()


@case('torch.optim.LBFGS')
def sparse_grad(torch):          # the flat gradient densifies a sparse one
    emb = _emb(torch)
    opt = torch.optim.LBFGS(emb.parameters(), lr=0.5, max_iter=5, history_size=3)

    def closure():
        opt.zero_grad()
        loss = (emb(torch.tensor([[0, 2, 2], [5, 1, 2]])) - 1).pow(2).sum()
        loss.backward()
        return loss
    losses = [opt.step(closure) for _ in range(3)]
    return losses, emb.weight, opt.state[emb.weight]['func_evals'], opt.state[emb.weight]['n_iter']


# --- gradient utilities -------------------------------------------------------------------------------------

def _emb_grad(torch):
    emb = _emb(torch)
    emb(torch.tensor([0, 2, 2, 4])).pow(2).sum().backward()
    return emb


@case('torch.nn.utils.clip_grad_norm_')
def sparse_grad(torch):
    def norm(**kw):
        return torch.nn.utils.clip_grad_norm_(_emb_grad(torch).parameters(), 0.5, **kw)

    def value(**kw):
        torch.nn.utils.clip_grad_value_(_emb_grad(torch).parameters(), 0.5, **kw)
    return _trim(outcomes(norm, lambda: norm(foreach=True), lambda: norm(foreach=False), lambda: norm(norm_type='inf'),
                          lambda: norm(error_if_nonfinite=True),
                          lambda: torch.nn.utils.get_total_norm([_emb_grad(torch).weight.grad], 3.0),
                          value, lambda: value(foreach=True)))


@case('torch.optim.Optimizer.zero_grad')
def sparse_grad_set_to_none_false(torch):
    emb = _emb_grad(torch)
    g = emb.weight.grad
    opt = torch.optim.Adagrad(emb.parameters())
    opt.zero_grad(set_to_none=False)
    return emb.weight.grad is g, g.is_sparse, g._nnz(), g.is_coalesced(), g, repr(g)


@case('torch.amp.GradScaler.unscale_')
def sparse_grad(torch):
    def run(inf=False, optim='SGD'):
        emb = _emb(torch)
        opt = getattr(torch.optim, optim)(emb.parameters(), lr=0.1)
        scaler = torch.amp.GradScaler('cpu', init_scale=4.0)
        scaler.scale(emb(torch.tensor([1, 3, 1])).pow(2).sum()).backward()
        if inf:
            emb.weight.grad = emb.weight.grad + torch.sparse_coo_tensor([[2]], [[float('inf'), 0., 0.]], (6, 3))
        scaler.unscale_(opt)
        g = emb.weight.grad
        grad = (g.is_coalesced(), g._nnz(), g.to_dense())
        scaler.step(opt)
        scaler.update()
        return grad, emb.weight, scaler.get_scale(), opt.state_dict()
    return outcomes(run, lambda: run(inf=True), lambda: run(optim='Adagrad'))


# --- the arithmetic the sparse steps rest on, bit for bit ---------------------------------------------------

@case('Tensor.add_', exact=True)
def dense_add_sparse_rounding(torch):
    """dense.add_(sparse, alpha): a fused multiply-add through index_add_ (hybrid or uncoalesced), two roundings
    in the loop for a coalesced one without dense dims; coalesce sums duplicates in torch's sort order."""
    d, v = _exact(torch, 40, 4), _exact(torch, 90, 4) * 3.1        # CPU kernels: CUDA's round otherwise
    n = torch.arange(90, device='cpu')
    i, flat = (n * 17 % 40)[None], torch.stack([n * 13 % 40, n * 7 % 4])
    sparse = [torch.sparse_coo_tensor(i, v, (40, 4)), torch.sparse_coo_tensor(i, v, (40, 4)).coalesce(),
              torch.sparse_coo_tensor(flat, v[:, 0], (40, 4)), torch.sparse_coo_tensor(flat, v[:, 0], (40, 4)).coalesce(),
              v[:40].to_sparse(), v[:40].to_sparse(1), v[:40].double().to_sparse(1)]
    return ([s.coalesce()._values() for s in sparse],
            [d.to(s.dtype, copy=True).add_(s, alpha=a) for s in sparse for a in (1, -0.3, 0.7)])


def _exact(torch, n, k):
    """n x k float32 values that both libraries compute exactly (one correctly rounded division)."""
    return ((torch.arange(n * k, device='cpu') * 7919 % 1000 - 500) / 37).view(n, k)
