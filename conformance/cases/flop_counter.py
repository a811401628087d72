"""torch.utils.flop_counter.FlopCounterMode: totals, per-module counts and the printed table for MLPs,
conv nets, matmul/bmm/einsum, attention (SDPA, MultiheadAttention, a transformer layer), forward and
backward, depth, display and custom_mapping; torch.utils.module_tracker.ModuleTracker and
torch.autograd.graph.register_multi_grad_hook, which it is built on."""
import importlib
import warnings

from conformance import case


def _fc(torch):
    return importlib.import_module(torch.__name__ + '.utils.flop_counter')


def _counts(c):
    """get_flop_counts with the op packets as strings, modules sorted (torch fills them in set order)."""
    return sorted((mod, [(str(op), n) for op, n in ops.items()]) for mod, ops in c.get_flop_counts().items())


def _count(torch, f, **kwargs):
    with _fc(torch).FlopCounterMode(**kwargs) as c:
        f()
    return c.get_total_flops(), _counts(c)


def _mlp(torch):
    nn = torch.nn

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.act, self.fc2 = nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4)

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x)))
    return MLP()


def _rg(torch, *shape):
    return torch.randn(*shape, requires_grad=True)


# --- Linear / MLP ---------------------------------------------------------------------------------------

@case('torch.utils.flop_counter.FlopCounterMode')
def mlp_forward(torch):
    m = _mlp(torch)
    return _count(torch, lambda: m(torch.randn(5, 8)))


@case('torch.utils.flop_counter.FlopCounterMode')
def mlp_forward_backward(torch):
    m = _mlp(torch)
    return _count(torch, lambda: m(torch.randn(5, 8)).sum().backward())


@case('torch.utils.flop_counter.FlopCounterMode')
def mlp_input_requires_grad(torch):
    m = _mlp(torch)
    return _count(torch, lambda: m(_rg(torch, 5, 8)).sum().backward())


@case('torch.utils.flop_counter.FlopCounterMode')
def mlp_depth_and_display(torch):
    m = _mlp(torch)
    out = [_count(torch, lambda: m(torch.randn(5, 8)).sum().backward(), depth=d) for d in (0, 1, 3)]
    with _fc(torch).FlopCounterMode(display=False) as c:
        m(torch.randn(5, 8)).sum().backward()
    c.depth = None
    return out, c.get_table(1), c.get_table(0), c.get_table(), _counts(c)


@case('torch.utils.flop_counter.FlopCounterMode')
def linear_input_shapes(torch):
    # torch folds a contiguous batched input into one addmm; a strided one goes through matmul (mm)
    m, nb = _mlp(torch), torch.nn.Linear(8, 4, bias=False)
    x3 = torch.randn(2, 5, 8)
    return [_count(torch, f, display=False) for f in (
        lambda: m(torch.randn(8)).sum().backward(), lambda: m(x3).sum().backward(),
        lambda: m(x3.transpose(0, 1)).sum().backward(), lambda: m(torch.randn(2, 3, 5, 8)).sum().backward(),
        lambda: nb(torch.randn(5, 8)).sum().backward(), lambda: nb(x3).sum().backward(),
        lambda: nb(_rg(torch, 3, 8).t().t()).sum().backward())]


@case('torch.utils.flop_counter.FlopCounterMode')
def linear_no_grad(torch):
    m = _mlp(torch)

    def f():
        with torch.no_grad():
            m(torch.randn(4, 8))
            m(torch.randn(3, 4, 8).transpose(0, 1))
    return _count(torch, f)


@case('torch.utils.flop_counter.FlopCounterMode')
def nested_modules(torch):
    nn = torch.nn

    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Sequential(nn.Linear(4, 4), nn.Sequential(nn.Linear(4, 4), nn.Tanh()))
            self.b = nn.Linear(4, 2)

        def forward(self, x):
            return self.b(self.a(x) @ torch.ones(4, 4))
    m = Two()
    return (_count(torch, lambda: m(_rg(torch, 3, 4)).sum().backward(), depth=3),
            _count(torch, lambda: (m(torch.randn(3, 4)), torch.randn(3, 3) @ torch.randn(3, 3)), depth=2))


@case('torch.utils.flop_counter.FlopCounterMode')
def large_counts(torch):
    # the unit follows the total (K, M, B, T), one digit more before changing
    return [_count(torch, f) for f in (
        lambda: torch.nn.Linear(1000, 1000)(torch.randn(600, 1000)),
        lambda: torch.nn.Linear(2000, 3000)(torch.randn(2000, 2000)),
        lambda: torch.mm(torch.randn(1, 100000), torch.randn(100000, 10000)),
        lambda: torch.randn(3, 4) @ torch.randn(4))]


# --- matmul family ----------------------------------------------------------------------------------------

@case('torch.utils.flop_counter.FlopCounterMode')
def matmul_shapes(torch):
    r = lambda *s: _rg(torch, *s)   # noqa: E731
    n = torch.randn
    return [_count(torch, f, display=False) for f in (
        lambda: (r(3, 4, 5) @ r(3, 5, 6)).sum().backward(), lambda: (r(3, 4, 5) @ r(5, 6)).sum().backward(),
        lambda: (r(4, 5) @ r(3, 5, 6)).sum().backward(), lambda: (n(4, 5) @ r(3, 5, 6)).sum().backward(),
        lambda: (r(2, 3, 4, 5) @ r(2, 3, 5, 6)).sum().backward(), lambda: (r(2, 3, 4) @ r(4)).sum().backward(),
        lambda: n(2, 3, 4) @ n(4), lambda: n(3, 2, 4).transpose(0, 1) @ n(4),
        lambda: n(3, 2, 4).transpose(0, 1) @ n(4, 5), lambda: (r(4) @ r(2, 4, 5)).sum().backward(),
        lambda: n(4) @ n(2, 4, 5), lambda: (r(2, 1, 3, 4) @ r(1, 5, 4, 6)).sum().backward(),
        lambda: n(4) @ n(4, 3), lambda: n(4) @ n(4), lambda: torch.matmul(n(3, 4), n(4, 2)),
        lambda: r(3, 4).matmul(r(4, 5)).mm(r(5, 2)).sum().backward())]


@case('torch.utils.flop_counter.FlopCounterMode')
def mm_bmm_addmm_baddbmm(torch):
    r = lambda *s: _rg(torch, *s)   # noqa: E731
    return [_count(torch, f, display=False) for f in (
        lambda: torch.mm(r(3, 4), r(4, 2)).sum().backward(),
        lambda: torch.bmm(r(3, 4, 5), torch.randn(3, 5, 6)).sum().backward(),
        lambda: torch.addmm(r(3), r(2, 4), r(4, 3)).sum().backward(),
        lambda: torch.baddbmm(r(2, 3, 3), r(2, 3, 4), r(2, 4, 3)).sum().backward(),
        lambda: torch.randn(2, 3, 4).bmm(torch.randn(2, 4, 1)))]


@case('torch.utils.flop_counter.FlopCounterMode')
def einsum(torch):
    r = lambda *s: _rg(torch, *s)   # noqa: E731
    n = torch.randn
    return [_count(torch, f, display=False) for f in (
        lambda: torch.einsum('bij,bjk->bik', r(2, 3, 4), r(2, 4, 5)).sum().backward(),
        lambda: torch.einsum('ij,jk->ik', n(3, 4), n(4, 5)), lambda: torch.einsum('i,j->ij', n(3), n(4)),
        lambda: torch.einsum('ij,ij->', n(3, 4), n(3, 4)), lambda: torch.einsum('ij,ij->i', n(3, 4), n(3, 4)),
        lambda: torch.einsum('bhqd,bhkd->bhqk', r(2, 3, 4, 5), r(2, 3, 6, 5)).sum().backward(),
        lambda: torch.einsum('ij,jk,kl->il', n(3, 4), n(4, 5), n(5, 6)), lambda: torch.einsum('ii->i', n(3, 3)),
        lambda: torch.einsum('abc,cd->abd', n(2, 3, 4), n(4, 5)), lambda: torch.einsum('ij,kj', n(3, 4), n(5, 4)),
        lambda: torch.einsum('bij,jk->bik', [r(2, 3, 4), r(4, 5)]).sum().backward())]


# --- convolutions ------------------------------------------------------------------------------------------

@case('torch.utils.flop_counter.FlopCounterMode')
def conv_net(torch):
    nn = torch.nn
    net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 4, 3, stride=2), nn.Flatten(),
                        nn.Linear(4 * 7 * 7, 10))
    img = torch.randn(2, 3, 16, 16)
    return _count(torch, lambda: net(img)), _count(torch, lambda: net(img).sum().backward())


@case('torch.utils.flop_counter.FlopCounterMode')
def lenet_training_step(torch):
    nn = torch.nn

    class LeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Conv2d(1, 6, 5), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
                                          nn.Conv2d(6, 16, 5), nn.ReLU(), nn.AdaptiveAvgPool2d(2))
            self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))

        def forward(self, x):
            return self.classifier(self.features(x))
    m = LeNet()
    x, y = torch.randn(4, 1, 20, 20), torch.tensor([1, 2, 3, 4])
    return _count(torch, lambda: torch.nn.functional.cross_entropy(m(x), y).backward(), depth=3)


@case('torch.utils.flop_counter.FlopCounterMode')
def conv_variants(torch):
    F = torch.nn.functional
    r = lambda *s: _rg(torch, *s)   # noqa: E731
    return [_count(torch, f, display=False) for f in (
        lambda: F.conv_transpose2d(r(1, 2, 5, 5), r(2, 3, 3, 3), r(3), stride=2).sum().backward(),
        lambda: F.conv1d(r(2, 9), r(3, 2, 3)).sum().backward(),
        lambda: F.conv2d(torch.randn(1, 2, 5, 5), torch.randn(3, 2, 3, 3), r(3)).sum().backward(),
        lambda: F.conv2d(r(1, 4, 6, 6), r(4, 2, 3, 3), groups=2, padding=1).sum().backward(),
        lambda: F.conv3d(r(1, 2, 4, 4, 4), r(3, 2, 2, 2, 2)).sum().backward(),
        lambda: F.conv2d(r(1, 2, 5, 5), r(3, 2, 3, 3), padding='same').sum().backward(),
        lambda: torch.nn.ConvTranspose1d(2, 3, 3)(torch.randn(1, 2, 7)).sum().backward(),
        lambda: F.conv2d(r(1, 2, 5, 5), torch.randn(3, 2, 3, 3)).sum().backward())]


# --- attention -------------------------------------------------------------------------------------------------

@case('torch.utils.flop_counter.FlopCounterMode')
def sdpa(torch):
    # on the CPU torch's fused kernel has no formula (nothing counted); its math path (dropout, 3-d
    # inputs, head sizes that differ) is two matmuls
    F = torch.nn.functional
    r = lambda *s: _rg(torch, *s)   # noqa: E731
    q = r(2, 3, 4, 8)
    return [_count(torch, f, display=False) for f in (
        lambda: F.scaled_dot_product_attention(q, q, q).sum().backward(),
        lambda: F.scaled_dot_product_attention(q, q, q, attn_mask=torch.randn(4, 4), is_causal=False),
        lambda: F.scaled_dot_product_attention(q, q, q, is_causal=True),
        lambda: F.scaled_dot_product_attention(r(3, 4, 8), r(3, 6, 8), r(3, 6, 8)).sum().backward(),
        lambda: F.scaled_dot_product_attention(q, q, q, dropout_p=0.5).sum().backward(),
        lambda: F.scaled_dot_product_attention(q, q, r(2, 3, 4, 6)).sum().backward(),
        lambda: F.scaled_dot_product_attention(q.detach(), q.detach(), q.detach(), dropout_p=0.3))]


@case('torch.utils.flop_counter.FlopCounterMode')
def multihead_attention(torch):
    nn = torch.nn
    mha = nn.MultiheadAttention(16, 4, batch_first=True)
    s = torch.randn(2, 5, 16)
    return (_count(torch, lambda: mha(s, s, s)[0].sum().backward()),
            _count(torch, lambda: mha(s, s, s, need_weights=False)[0].sum().backward(), display=False),
            _count(torch, lambda: mha(s, s, s, attn_mask=torch.zeros(5, 5))[0].sum().backward(), display=False),
            _count(torch, lambda: mha(s, torch.randn(2, 7, 16), torch.randn(2, 7, 16))[0].sum(), display=False))


@case('torch.utils.flop_counter.FlopCounterMode')
def transformer_encoder_layer(torch):
    # gradients reach dropout modules with p=0 between the layers: torch lists their backward there
    enc = torch.nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True)
    s = torch.randn(2, 5, 16)
    train = _count(torch, lambda: enc(s).sum().backward())
    enc.eval()
    return train, _count(torch, lambda: enc(s).sum().backward(), display=False)


# --- backward subsets, custom code ---------------------------------------------------------------------------

@case('torch.utils.flop_counter.FlopCounterMode')
def partial_backward(torch):
    lin = torch.nn.Linear(8, 4)
    conv = torch.nn.Conv2d(2, 3, 3)

    def twice():
        y = lin(_rg(torch, 3, 8)).sum()
        y.backward(retain_graph=True)
        y.backward()
    return [_count(torch, f, display=False) for f in (
        twice, lambda: lin(_rg(torch, 3, 8)).sum().backward(inputs=[lin.weight]),
        lambda: torch.autograd.grad(lin(_rg(torch, 3, 8)).sum(), [lin.bias]),
        lambda: torch.autograd.grad(conv(_rg(torch, 1, 2, 5, 5)).sum(), [conv.weight]),
        lambda: conv(_rg(torch, 1, 2, 5, 5)).sum().backward(inputs=[conv.bias]))]


@case('torch.utils.flop_counter.FlopCounterMode')
def custom_function_backward(torch):
    class MyMM(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a @ b

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            return g @ b.t(), a.t() @ g
    return _count(torch, lambda: MyMM.apply(_rg(torch, 3, 4), _rg(torch, 4, 5)).sum().backward())


@case('torch.utils.flop_counter.FlopCounterMode')
def custom_mapping(torch):
    aten = torch.ops.aten
    lin = torch.nn.Linear(8, 4)

    def addmm_flop(self_shape, a_shape, b_shape, out_shape=None, **kwargs):
        return a_shape[0] * 1000 + out_shape[1]

    def raw(*args, out_val=None, **kwargs):
        return 7
    raw._get_raw = True
    return (_count(torch, lambda: lin(_rg(torch, 3, 8)).sum().backward(), custom_mapping={aten.addmm: addmm_flop}),
            _count(torch, lambda: lin(_rg(torch, 3, 8)).sum().backward(), custom_mapping={aten.mm: raw}))


@case('torch.utils.flop_counter.FlopCounterMode')
def mods_argument_warns(torch):
    m = _mlp(torch)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        fc = _fc(torch).FlopCounterMode(m, display=False)
    with fc:
        m(torch.randn(2, 8))
    return [(x.category.__name__, str(x.message)) for x in w], fc.get_total_flops(), fc.depth, fc.display


@case('torch.utils.flop_counter.FlopCounterMode')
def custom_op_formula(torch):
    fc = _fc(torch)

    @torch.library.custom_op('flopcase::scale', mutates_args=())
    def scale(x: torch.Tensor) -> torch.Tensor:
        return x * 3

    @fc.register_flop_formula(torch.ops.flopcase.scale)
    def scale_flop(x_shape, out_shape=None, **kwargs):
        return x_shape[0] * 100
    return _count(torch, lambda: torch.ops.flopcase.scale(torch.ones(5)))


@case('torch.utils.flop_counter.FlopCounterMode')
def empty_and_reentry(torch):
    fc = _fc(torch).FlopCounterMode()
    with fc:
        torch.ones(3) + 1
    first = (fc.get_total_flops(), _counts(fc), fc.get_table())
    with fc:        # entering again starts from zero
        torch.ones(2, 2) @ torch.ones(2, 2)
    return first, fc.get_total_flops(), _counts(fc)


# --- ModuleTracker, register_multi_grad_hook ---------------------------------------------------------------

@case('torch.utils.module_tracker.ModuleTracker')
def module_tracker_parents(torch):
    mt = importlib.import_module(torch.__name__ + '.utils.module_tracker')
    seen = []
    m = _mlp(torch)
    with mt.ModuleTracker() as tracker:
        m.fc1.register_forward_hook(lambda mod, i, o: seen.append(('fw', sorted(tracker.parents), tracker.is_bw)))
        out = m(torch.randn(2, 8))     # (an input that requires grad: torch runs its AccumulateGrad first)
        out.register_hook(lambda g: seen.append(('bw', sorted(tracker.parents), tracker.is_bw)))
        m.fc1.weight.register_hook(lambda g: seen.append(('w', sorted(tracker.parents), tracker.is_bw)))
        out.sum().backward()
        seen.append(('after', sorted(tracker.parents), tracker.is_bw))
    return seen


@case('torch.autograd.graph.register_multi_grad_hook')
def multi_grad_hook(torch):
    a, b = _rg(torch, 2, 3), _rg(torch, 2, 3)
    c, d = a * b, a * b
    calls = []
    h = torch.autograd.graph.register_multi_grad_hook((a, b, c, d), lambda gs: calls.append(
        [g is not None for g in gs]))
    c.sum().backward(retain_graph=True)
    c.sum().backward(inputs=(a,), retain_graph=True)
    h.remove()
    c.sum().backward(retain_graph=True)
    h2 = torch.autograd.graph.register_multi_grad_hook((a, b), lambda g: calls.append(g.shape), mode='any')
    (c + d).sum().backward()
    h2.remove()
    try:
        torch.autograd.graph.register_multi_grad_hook((a,), print, mode='some')
    except ValueError as e:
        calls.append(str(e))
    return calls
