"""The meta device: tensors with a shape, a dtype and strides and no data. Models built there cost no
memory, run forwards and backwards for their shapes, and are moved to a real device with to_empty or
load_state_dict(assign=True). Random ops and initializers on meta draw nothing: the CPU generator does
not move (each case draws on the CPU after them). Warnings are part of the results."""
from conformance import case, check, warned


def _warned(fn):
    return warned(fn, catch=True)


def _m(torch, *size, **kw):
    return torch.empty(*size, device='meta', **kw)


# --- factories and printing ------------------------------------------------------------------------
@case('torch.empty', name='meta_print')
def meta_factories(torch):
    ts = [torch.empty(2, 3, device='meta'), torch.zeros(4, device='meta', dtype=torch.int32),
          torch.ones((), device='meta'), torch.full((2,), 3., device='meta', dtype=torch.float64),
          torch.empty(0, device='meta'), torch.empty(2, 0, device='meta', dtype=torch.bool),
          torch.arange(5, device='meta'), torch.tensor([[1., 2.]], device='meta'),
          torch.eye(3, device='meta'), torch.linspace(0, 1, 7, device='meta'),
          torch.empty(2, 3, device='meta', dtype=torch.complex64),
          torch.empty(2, 3, device='meta', dtype=torch.bfloat16)]
    return ts, [repr(t) for t in ts], [t.stride() for t in ts]


@case('torch.empty', name='meta_print_suffixes')
def meta_print_suffixes(torch):
    x = _m(torch, 2, 3, requires_grad=True)
    y = x * 2
    p = torch.nn.Parameter(_m(torch, 2, 2))
    torch.set_default_dtype(torch.float64)
    return repr(x), repr(y), repr(p), repr(_m(torch, 3)), repr(_m(torch, 3, dtype=torch.float32)), str(y)


@case('torch.Tensor.is_meta', name='meta_queries')
def meta_queries(torch):
    x = _m(torch, 2, 3)
    c = torch.ones(2)
    return (x.is_meta, c.is_meta, x.device, x.is_cpu, x.is_cuda, x.get_device(), x.numel(), x.nbytes,
            x.element_size(), x.is_contiguous(), x.t().is_contiguous(), x.data_ptr(), x.dim(), x.shape)


@case('torch.empty_like', name='meta')
def meta_likes(torch):
    c = torch.ones(2, 3, dtype=torch.float64)
    x = _m(torch, 2, 3)
    return (torch.empty_like(c, device='meta'), torch.zeros_like(x), torch.rand_like(x), torch.randn_like(x),
            torch.ones_like(x, dtype=torch.int64), x.new_zeros(4), x.new_empty(2, 2), x.new_tensor([1, 2]),
            torch.full_like(x, 7), torch.rand(2))


# --- default device --------------------------------------------------------------------------------
@case('torch.device.__enter__', name='meta_context')
def meta_context(torch):
    with torch.device('meta'):
        inside = [torch.empty(2), torch.zeros(2, 3), torch.randn(3), torch.tensor([1, 2]), torch.arange(3),
                  torch.nn.Linear(3, 4).weight]
    return inside, torch.zeros(2), torch.rand(2)


@case('torch.set_default_device', name='meta')
def meta_set_default_device(torch):
    torch.set_default_device('meta')
    try:
        inside = [torch.empty(2), torch.ones(2, 3), torch.rand(3), torch.tensor([1., 2.]), torch.get_default_device()]
    finally:
        torch.set_default_device(None)
    return inside, torch.zeros(2), torch.rand(2)


# --- strides -----------------------------------------------------------------------------------------
@case('torch.Tensor.stride', name='meta_views')
def meta_strides(torch):
    x = _m(torch, 2, 3, 4)
    t = x.transpose(0, 2)
    return [v.stride() for v in (x, t, x[1:], x[:, ::2], x[0], x[..., 1], x.expand(5, 2, 3, 4)[1], x.unsqueeze(1),
                                 x.reshape(6, 4), x.view(-1), x.permute(2, 0, 1), t.contiguous(), t.reshape(24),
                                 x.flatten(1), x.sum(1), t.exp(), t + 1, x.narrow(2, 1, 2), x.unfold(2, 2, 1),
                                 x.diagonal(0, 1, 2), x.as_strided((2, 2), (1, 2)), x.movedim(0, -1))]


check('torch.Tensor.view', lambda torch: _m(torch, 2, 3).t().view(6), name='meta_not_viewable')


# --- ops ---------------------------------------------------------------------------------------------
@case('torch.add', name='meta_pointwise')
def meta_pointwise(torch):
    x, y = _m(torch, 2, 3), _m(torch, 3, dtype=torch.float64)
    i = _m(torch, 2, 3, dtype=torch.int32)
    return (x + y, x * 2, i / 2, i // 2, x == y, x.exp(), torch.where(x > 0, x, 0.), x.clamp(0, 1), x.abs_(),
            x + torch.tensor(2.), i.float(), x.to(torch.float16), x.sigmoid(), torch.maximum(x, y), x.masked_fill(x > 0, 1.))


@case('torch.sum', name='meta_reductions')
def meta_reductions(torch):
    x = _m(torch, 2, 3, 4)
    return (x.sum(), x.mean(1), x.max(), x.max(1), x.argmax(-1), x.std(0), x.logsumexp(2), x.any(), x.sort(1),
            x.topk(2), x.cumsum(0), x.norm(), x.var_mean(1), x.softmax(-1), torch.cat([x, x], 1), torch.stack([x, x]))


@case('torch.matmul', name='meta')
def meta_matmul(torch):
    a, b = _m(torch, 5, 2, 3), _m(torch, 3, 4)
    return (a @ b, torch.mm(b.t(), b), _m(torch, 3) @ b, b @ _m(torch, 4), torch.bmm(a, _m(torch, 5, 3, 2)),
            torch.einsum('bij,jk->bik', a, b), torch.addmm(_m(torch, 4), _m(torch, 2, 3), b))


check('torch.matmul', lambda torch: _m(torch, 2, 3) @ _m(torch, 4, 5), name='meta_shape_error')


@case('torch.Tensor.__getitem__', name='meta_indexing')
def meta_indexing(torch):
    x = _m(torch, 4, 3)
    idx = torch.empty(2, dtype=torch.int64, device='meta')
    return (x[idx], x[[0, 1]], x.index_select(0, idx), x.gather(1, _m(torch, 4, 2, dtype=torch.int64)),
            torch.nn.functional.embedding(idx, x))


check('torch.nonzero', lambda torch: _m(torch, 2, 3).nonzero(), name='meta_no_kernel')
check('Tensor.__getitem__', lambda torch: _m(torch, 2, 3)[_m(torch, 2, 3) > 0], name='meta_mask')
check('torch.unique', lambda torch: _m(torch, 2, 3).unique(), name='meta_no_kernel')
check('torch.equal', lambda torch: torch.equal(_m(torch, 2), _m(torch, 2)), name='meta_no_kernel')


# --- what reads data is refused -----------------------------------------------------------------------
check('torch.Tensor.item', lambda torch: _m(torch, ()).item(), name='meta')
check('torch.Tensor.item', lambda torch: _m(torch, 2).item(), name='meta_many')
check('torch.Tensor.item', lambda torch: _m(torch, 2, 3).sum().item(), name='meta_after_op')
check('torch.Tensor.tolist', lambda torch: _m(torch, 2).tolist(), name='meta')
check('torch.Tensor.numpy', lambda torch: _m(torch, 2).numpy(), name='meta')
check('torch.Tensor.__bool__', lambda torch: bool(_m(torch, ())), name='meta')
check('torch.Tensor.__float__', lambda torch: float(_m(torch, 1)), name='meta')
check('torch.Tensor.__int__', lambda torch: int(_m(torch, ())), name='meta')
check('torch.Tensor.to', lambda torch: _m(torch, 2).to('cpu'), name='meta_to_cpu')
check('torch.Tensor.cpu', lambda torch: _m(torch, 2).cpu(), name='meta')
check('torch.Tensor.copy_', lambda torch: torch.ones(2).copy_(_m(torch, 2)), name='meta_into_cpu')
check('torch.Tensor.copy_', lambda torch: _m(torch, 2).copy_(torch.ones(2)), name='cpu_into_meta')
check('torch.allclose', lambda torch: torch.allclose(_m(torch, 2), _m(torch, 2)), name='meta')


# --- devices mixed -------------------------------------------------------------------------------------
check('torch.add', lambda torch: _m(torch, 2, 3) + torch.ones(2, 3), name='meta_and_cpu')
check('torch.add', lambda torch: torch.ones(2, 3) + _m(torch, 2, 3), name='cpu_and_meta')
check('torch.add', lambda torch: _m(torch, 2, 3) + torch.tensor(1.), name='meta_and_cpu_scalar_tensor')
check('torch.nn.functional.linear', lambda torch: torch.nn.Linear(3, 2)(_m(torch, 4, 3)), name='meta_input_cpu_weight')


@case('torch.Tensor.to', name='cpu_to_meta')
def meta_to(torch):
    c = torch.ones(2, 3, requires_grad=True)
    m = c.to('meta')
    m.sum().backward()
    return (m, c.grad, torch.ones(2).to('meta').to('meta'), c.t().to('meta').stride(), m.to(torch.float64),
            m.to('meta', copy=True), torch.tensor(3.).to(torch.device('meta')))


# --- autograd ------------------------------------------------------------------------------------------
@case('torch.autograd.backward', name='meta')
def meta_backward(torch):
    x = _m(torch, 4, 3, requires_grad=True)
    w = _m(torch, 5, 3, requires_grad=True)
    y = torch.nn.functional.linear(x, w).relu().pow(2).mean()
    y.backward()
    names = [y.grad_fn.name(), y.grad_fn.next_functions[0][0].name()]
    return y, x.grad, w.grad, names, x.grad.stride()


@case('torch.autograd.grad', name='meta_create_graph')
def meta_double_backward(torch):
    x = _m(torch, 3, requires_grad=True)
    g, = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)
    gg, = torch.autograd.grad(g.sum(), x)
    return g, gg


# --- randomness: nothing drawn ------------------------------------------------------------------------
@case('torch.nn.init.kaiming_uniform_', name='meta_no_draw')
def meta_init_no_draw(torch):
    w = _m(torch, 30, 20)
    init = torch.nn.init
    outs = [init.kaiming_uniform_(w, a=5 ** 0.5), init.kaiming_normal_(w), init.xavier_uniform_(w),
            init.xavier_normal_(w), init.normal_(w), init.uniform_(w), init.trunc_normal_(w), init.orthogonal_(w),
            init.zeros_(w), init.ones_(w), init.constant_(w, 2.), init.eye_(w), init.dirac_(_m(torch, 4, 4, 3)),
            init.sparse_(w, 0.5)]
    return outs, torch.rand(3)


@case('torch.rand', name='meta_no_draw')
def meta_random_no_draw(torch):
    x = _m(torch, 3, 4)
    outs = [torch.rand(3, device='meta'), torch.randn(3, device='meta', dtype=torch.float64),
            torch.randint(0, 5, (3,), device='meta'), torch.randperm(6, device='meta'),
            torch.normal(0., 1., (3,), device='meta'), torch.normal(x, 1.), x.normal_(), x.uniform_(),
            x.bernoulli_(0.5), x.random_(7), x.exponential_(), x.cauchy_(), x.log_normal_(), x.geometric_(0.3),
            torch.randint_like(x, 5), torch.bernoulli(x, 0.5), torch.randn(2, device='meta', dtype=torch.bfloat16)]
    return outs, torch.rand(3)


@case('torch.nn.functional.dropout', name='meta_no_draw')
def meta_dropout(torch):
    x = _m(torch, 4, 5, requires_grad=True)
    y = torch.nn.functional.dropout(x, 0.3)
    d = torch.nn.Dropout2d()(_m(torch, 2, 3, 4, 4))
    return y, d, torch.rand(3)


# --- modules ------------------------------------------------------------------------------------------
@case('torch.nn.Linear', name='meta_device_arg')
def meta_linear(torch):
    lin = torch.nn.Linear(3, 4, device='meta')
    return lin.weight, lin.bias, repr(lin), repr(lin.weight), lin.weight.stride(), torch.rand(2)


@case('torch.nn.Linear', name='meta_huge_no_memory')
def meta_linear_huge(torch):
    lin = torch.nn.Linear(100000, 100000, device='meta')
    y = lin(_m(torch, 2, 100000))
    y.sum().backward()
    return lin.weight.shape, y, lin.weight.grad.shape, lin.weight.grad.stride(), torch.rand(2)


@case('torch.nn.Module', name='meta_shape_inference')
def meta_shape_inference(torch):
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3, padding=1)
            self.bn = nn.BatchNorm2d(8)
            self.pool = nn.MaxPool2d(2)
            self.fc = nn.Linear(8 * 16 * 16, 10)

        def forward(self, x):
            return self.fc(self.pool(torch.relu(self.bn(self.conv(x)))).flatten(1))

    with torch.device('meta'):
        net = Net()
    out = net(torch.empty(2, 3, 32, 32, device='meta'))
    loss = torch.nn.functional.cross_entropy(out, torch.empty(2, dtype=torch.int64, device='meta'))
    loss.backward()
    return (out, loss, net.conv.weight.grad, net.bn.running_mean, net.bn.num_batches_tracked,
            [p.is_meta for p in net.parameters()], torch.rand(2))


@case('torch.nn.Module', name='meta_sequence_models')
def meta_sequence_models(torch):
    nn = torch.nn
    with torch.device('meta'):
        lstm = nn.LSTM(4, 5, num_layers=2)
        enc = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16)
        emb = nn.Embedding(10, 8)
    out, (h, c) = lstm(_m(torch, 2, 3, 4))
    idx = torch.empty(3, 2, dtype=torch.int64, device='meta')
    return out, h, c, enc(emb(idx)), torch.rand(2)


@case('torch.nn.Module.to_empty', name='meta')
def meta_to_empty(torch):
    with torch.device('meta'):
        m = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    r = m.to_empty(device='cpu')
    shapes = [(k, v.shape, v.dtype, v.device, type(v).__name__, v.requires_grad) for k, v in m.state_dict().items()]
    return r is m, shapes, torch.rand(2)


@case('torch.nn.Module.to_empty', name='meta_then_load_state_dict')
def meta_to_empty_load(torch):
    src = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    with torch.device('meta'):
        m = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    m.to_empty(device=torch.ones(0).device)      # (the run's device: the emulated CUDA run's is cuda)
    r = m.load_state_dict(src.state_dict())
    return repr(r), m(torch.ones(2, 3)), m[0].weight, torch.rand(2)


@case('torch.nn.Module.load_state_dict', name='meta_copy_is_noop')
def meta_load_state_dict(torch):
    sd = torch.nn.Linear(3, 2).state_dict()
    with torch.device('meta'):
        m = torch.nn.Linear(3, 2)
    r, w = _warned(lambda: m.load_state_dict(sd))
    return repr(r), w, m.weight, m.bias


@case('torch.nn.Module.load_state_dict', name='meta_assign')
def meta_load_state_dict_assign(torch):
    sd = torch.nn.Linear(3, 2).state_dict()
    with torch.device('meta'):
        m = torch.nn.Linear(3, 2)
    r, w = _warned(lambda: m.load_state_dict(sd, assign=True))
    return (repr(r), w, m.weight, m.bias, type(m.weight).__name__, m.weight.requires_grad, m(torch.ones(1, 3)),
            m.weight.data_ptr() == sd['weight'].data_ptr())


@case('torch.nn.Module.load_state_dict', name='meta_into_meta')
def meta_load_meta(torch):
    with torch.device('meta'):
        a, b = torch.nn.Linear(3, 2), torch.nn.Linear(3, 2)
    r, w = _warned(lambda: a.load_state_dict(b.state_dict()))
    return repr(r), w, a.weight


@case('torch.nn.Module.state_dict', name='meta')
def meta_state_dict(torch):
    m = torch.nn.Linear(3, 2, device='meta')
    return m.state_dict(), repr(m.state_dict())


@case('torch.nn.utils.skip_init', name='meta')
def meta_skip_init(torch):
    a = torch.nn.utils.skip_init(torch.nn.Linear, 3, 4)
    b = torch.nn.utils.skip_init(torch.nn.Linear, 3, 4, device='meta')
    return a.weight.shape, a.weight.device == torch.ones(0).device, b.weight, b.bias, torch.rand(2)


@case('torch.nn.Module.register_parameter', name='meta_init_empty_weights')
def meta_init_empty_weights(torch):
    """accelerate's init_empty_weights: every parameter a module registers is moved to meta."""
    nn = torch.nn
    old = nn.Module.register_parameter

    def register(module, name, param):
        old(module, name, param)
        if param is not None:
            p = module._parameters[name]
            kwargs = dict(p.__dict__)
            kwargs['requires_grad'] = p.requires_grad
            module._parameters[name] = type(p)(p.to('meta'), **kwargs)

    nn.Module.register_parameter = register
    try:
        m = nn.Sequential(nn.Linear(3, 4), nn.LayerNorm(4), nn.Linear(4, 2))
    finally:
        nn.Module.register_parameter = old
    return [(k, v) for k, v in m.named_parameters()], m(_m(torch, 5, 3))


@case('torch.nn.Parameter', name='meta')
def meta_parameter(torch):
    p = torch.nn.Parameter(_m(torch, 2, 3))
    q = torch.nn.Parameter(_m(torch, 2, 3, dtype=torch.float64), requires_grad=False)
    return p, q, p.is_leaf, (p * 2).grad_fn.name(), repr(p), p.data, p.detach()


@case('torch.optim.SGD', name='meta_params')
def meta_optim_sgd(torch):
    m = torch.nn.Linear(3, 4, device='meta')
    opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9, weight_decay=0.01)
    for _ in range(2):
        opt.zero_grad()
        m(_m(torch, 2, 3)).sum().backward()
        opt.step()
    return m.weight, opt.state[m.weight], torch.rand(2)


@case('torch.optim.Adam', name='meta_params')
def meta_optim_adam(torch):
    m = torch.nn.Linear(3, 4, device='meta')
    opt = torch.optim.AdamW(m.parameters(), lr=0.1)
    m(_m(torch, 2, 3)).sum().backward()
    opt.step()
    st = opt.state[m.weight]
    return m.weight, sorted(st), st['step'], st['exp_avg'], st['exp_avg_sq']


@case('copy.deepcopy', name='meta')
def meta_deepcopy(torch):
    import copy
    m = torch.nn.Linear(3, 2, device='meta')
    c = copy.deepcopy(m)
    return c.weight, c.weight is m.weight, copy.deepcopy(_m(torch, 2, 3))


@case('torch.save', name='meta')
def meta_save_load(torch):
    import io
    buf = io.BytesIO()
    torch.save({'x': _m(torch, 2, 3), 'c': torch.ones(2), 'sd': torch.nn.Linear(2, 3, device='meta').state_dict()}, buf)
    buf.seek(0)
    back = torch.load(buf)
    cpu = io.BytesIO()
    torch.save(torch.ones(2, 3), cpu)
    cpu.seek(0)
    return back, repr(back), torch.load(cpu, map_location='meta')


check('torch.UntypedStorage', lambda torch: (repr(_m(torch, 2, 3).untyped_storage()),
                                             _m(torch, 2, 3).untyped_storage().nbytes()), name='meta')


@case('torch.nn.init.dirac_', name='meta_versions')
def meta_init_versions(torch):
    """torch's initializers that return early on meta leave the version counter alone; the others write."""
    init = torch.nn.init
    out = []
    for f in (lambda w: init.dirac_(w), lambda w: init.orthogonal_(w), lambda w: init.sparse_(w.view(4, 12), 0.5),
              lambda w: init.trunc_normal_(w, mean=10.), lambda w: init.uniform_(w), lambda w: init.zeros_(w),
              lambda w: init.kaiming_uniform_(w), lambda w: w.add_(1), lambda w: w.copy_(torch.ones(4, 4, 3))):
        w = _m(torch, 4, 4, 3)
        r, warned = _warned(lambda: f(w))
        out.append((w._version, warned))
    return out


@case('torch.empty_strided', name='meta_layouts')
def meta_layouts(torch):
    c = torch.ones(2, 3)
    return [t.stride() for t in (torch.empty_strided((2, 3), (1, 2), device='meta'), c.t().to('meta'),
                                 c.expand(4, 2, 3).to('meta'), torch.ones(4, 3)[::2].to('meta'),
                                 torch.empty_permuted((2, 3, 4), (2, 0, 1), device='meta'),
                                 _m(torch, 2, 3, 4, 5).contiguous(memory_format=torch.channels_last),
                                 _m(torch, 2, 3, 4, 5).to(memory_format=torch.channels_last))]


@case('torch.linalg.inv', name='meta_ops_more')
def meta_ops_more(torch):
    x = _m(torch, 2, 3)
    sq = _m(torch, 4, 3, 3)
    idx = torch.empty(2, dtype=torch.int64, device='meta')
    F = torch.nn.functional
    return (torch.linalg.inv(sq), torch.linalg.svd(_m(torch, 4, 3)), torch.linalg.qr(sq),
            torch.fft.rfft(_m(torch, 2, 8)), x.index_add(0, idx, x), x.scatter(1, idx.expand(2, 2), 1.),
            F.pad(x, (1, 2)), F.interpolate(_m(torch, 1, 3, 8, 8), scale_factor=2),
            F.conv_transpose2d(_m(torch, 1, 3, 8, 8), _m(torch, 3, 4, 3, 3)), F.group_norm(_m(torch, 2, 4, 8), 2),
            F.scaled_dot_product_attention(*[_m(torch, 2, 4, 8, 16)] * 3), x.repeat(2, 2), x.flip(0), x.roll(1, 0),
            x.chunk(3, 1), torch.where(torch.empty(3, dtype=torch.bool, device='meta'), 1., 0.))


check('torch.testing.assert_close', lambda torch: torch.testing.assert_close(_m(torch, 2, 3), _m(torch, 2, 3)),
      name='meta')
check('torch.testing.assert_close', lambda torch: torch.testing.assert_close(_m(torch, 2, 3), _m(torch, 2, 4)),
      name='meta_shapes_differ')


# faketorch's LU kernel selects rows with boolean masks, which meta arrays refuse (torch's nonzero error)
check('torch.linalg.det', lambda torch: torch.linalg.det(_m(torch, 4, 3, 3)), name='meta')


@case('torch.Tensor.storage_offset', name='meta_views')
def meta_storage_offsets(torch):
    x = _m(torch, 2, 3, 4)
    views = (x[1:], x[1, 2], x[:, 1:, ::2], x.as_strided((2, 2), (1, 2), 5), x.transpose(0, 2)[1], x.view(-1)[5:],
             x.narrow(2, 1, 2), x.diagonal(1, 1, 2), x.unbind(0)[1], x.split(1, 2)[2], x[1:].contiguous())
    return [(v.storage_offset(), v.data_ptr()) for v in views], x.data_ptr(), _m(torch, 0).data_ptr()
