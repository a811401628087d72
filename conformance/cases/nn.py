"""torch.nn modules: repr, registration, state_dict, hooks, modes, errors, whole training loops."""
from collections import OrderedDict

import numpy as np

from conformance import case, check


def _det(torch, m):
    """Deterministic parameters, the same in both libraries (no dependence on the RNG)."""
    with torch.no_grad():
        for i, (_, p) in enumerate(m.named_parameters()):
            a = np.sin(np.arange(p.numel()) * 0.37 + i).reshape(tuple(p.shape)) * 0.5
            p.copy_(torch.tensor(a.astype('float32')).to(p.dtype))
    return m


def _x(torch, *shape, seed=0, grad=False):
    return torch.tensor(np.random.RandomState(seed).randn(*shape).astype('float32'), requires_grad=grad)


def _run(torch, m, *inputs):
    """Forward, weighted backward; output, input grads and parameter grads by name."""
    out = m(*inputs)
    o = out[0] if isinstance(out, tuple) else out
    w = torch.tensor(np.cos(np.arange(o.numel())).reshape(tuple(o.shape)).astype('float32'))
    (o * w).sum().backward()
    return (out, tuple(x.grad for x in inputs if getattr(x, 'requires_grad', False)),
            [(n, p.grad) for n, p in m.named_parameters()])


def _mlp(torch):
    nn = torch.nn
    return nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, 10))


# --- repr ---
REPRS = [
    'nn.Linear(64, 32)', 'nn.Linear(3, 4, bias=False)', 'nn.Bilinear(2, 3, 4)', 'nn.Identity()',
    'nn.ReLU()', 'nn.ReLU(inplace=True)', 'nn.ReLU6()', 'nn.ELU(alpha=2.0, inplace=True)', 'nn.SELU()', 'nn.CELU()',
    'nn.GELU()', "nn.GELU(approximate='tanh')", 'nn.SiLU()', 'nn.Mish()', 'nn.Softplus(2, 10)', 'nn.Softshrink()',
    'nn.Hardshrink(0.3)', 'nn.Hardtanh(-2, 2)', 'nn.LeakyReLU(0.2, True)', 'nn.LogSigmoid()', 'nn.PReLU(3)',
    'nn.RReLU()', 'nn.Sigmoid()', 'nn.Tanh()', 'nn.Tanhshrink()', 'nn.Threshold(0.1, 20)', 'nn.Softmin()',
    'nn.Softmax(dim=1)', 'nn.Softmax2d()', 'nn.LogSoftmax(1)', 'nn.GLU()', 'nn.Hardsigmoid()', 'nn.Hardswish()',
    'nn.Softsign()', 'nn.MultiheadAttention(4, 2)', 'nn.Dropout()', 'nn.Dropout2d(0.2)', 'nn.AlphaDropout()',
    'nn.Dropout1d(0.3, True)', 'nn.FeatureAlphaDropout()', 'nn.Embedding(3, 4)',
    'nn.Embedding(3, 4, padding_idx=1, max_norm=2.)', 'nn.Embedding(3, 4, scale_grad_by_freq=True, sparse=True)',
    'nn.EmbeddingBag(3, 4)', "nn.EmbeddingBag(3, 4, mode='max', padding_idx=0)", 'nn.Flatten()',
    'nn.Unflatten(1, (2, 2))', 'nn.CosineSimilarity()', 'nn.PairwiseDistance()', 'nn.ChannelShuffle(2)',
    'nn.CrossEntropyLoss()', 'nn.MSELoss()', 'nn.NLLLoss()', 'nn.BCEWithLogitsLoss()', 'nn.TripletMarginLoss()',
    'nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4])', 'nn.ModuleList([nn.ReLU()])', 'nn.ModuleDict({"a": nn.ReLU()})',
    'nn.ParameterList([nn.Parameter(torch.ones(2))])', 'nn.ParameterDict({"a": nn.Parameter(torch.ones(2))})',
    'nn.ParameterList([nn.Parameter(torch.ones(2)), torch.zeros(2, 3, dtype=torch.float64), 3])',
    'nn.Sequential()', 'nn.ParameterList()', 'nn.ModuleList()',
    'nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU(), nn.ReLU(), nn.Linear(2, 3)])',
    'nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Sequential(nn.Linear(32, 8), nn.Tanh()))',
    'nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))',
]
for _i, _src in enumerate(REPRS):
    check('nn.Module.__repr__', (lambda src: lambda torch: repr(eval(src, {'nn': torch.nn, 'torch': torch,
                                                                            'OrderedDict': OrderedDict})))(_src),
          name=f'repr_{_i}')


@case('nn.Module.__repr__', name='custom_module')
def repr_custom(torch):
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(4, 3)
            self.block = nn.Sequential(nn.Linear(3, 3), nn.ReLU())
            self.scale = nn.Parameter(torch.ones(1))
            self.register_buffer('running', torch.zeros(3))

        def extra_repr(self):
            return 'custom=1\nsecond line'
    return repr(Net()), str(Net().block)


check('nn.Parameter.__repr__', lambda torch: repr(torch.nn.Parameter(torch.tensor([1., 2.]))))
check('nn.Parameter', lambda torch: (lambda p: (p, p.requires_grad, p.is_leaf, type(p).__name__))(
    torch.nn.Parameter(torch.tensor([1., 2.]), requires_grad=False)), name='no_grad')
check('nn.Parameter', lambda torch: torch.nn.Parameter(torch.tensor([1, 2])), name='int_error')
check('nn.Parameter', lambda torch: (lambda p: (p * 2).grad_fn.name())(torch.nn.Parameter(torch.ones(2))),
      name='grad_fn')

# --- registration and traversal ---
check('nn.Module.state_dict', lambda torch: list(_mlp(torch).state_dict().keys()), name='keys')
check('nn.Module.state_dict', lambda torch: _det(torch, _mlp(torch)).state_dict(), name='values')
check('nn.Module.state_dict', lambda torch: list(_det(torch, _mlp(torch)).state_dict(prefix='m.', keep_vars=True).items())[:2],
      name='prefix_keep_vars')
check('nn.Module.named_parameters', lambda torch: [(n, tuple(p.shape)) for n, p in _mlp(torch).named_parameters()])
check('nn.Module.named_modules', lambda torch: [(n, type(m).__name__) for n, m in _mlp(torch).named_modules()])
check('nn.Module.children', lambda torch: [type(m).__name__ for m in _mlp(torch).children()])
check('nn.Module.parameters', lambda torch: len(list(_mlp(torch).parameters())))
check('nn.Module.get_submodule', lambda torch: repr(_mlp(torch).get_submodule('3')))
check('nn.Module.get_submodule', lambda torch: _mlp(torch).get_submodule('7'), name='missing')
check('nn.Module.get_parameter', lambda torch: _mlp(torch).get_parameter('0.bias').shape)
check('nn.Module.__getattr__', lambda torch: torch.nn.Linear(2, 2).foo, name='missing_attr')
check('nn.Module.__setattr__', lambda torch: setattr(torch.nn.Linear(2, 2), 'weight', torch.ones(2, 2)),
      name='tensor_as_param')
check('nn.Module.register_buffer', lambda torch: torch.nn.Linear(2, 2).register_buffer('weight', torch.ones(1)),
      name='exists')
check('nn.Module.register_buffer', lambda torch: torch.nn.Linear(2, 2).register_buffer('a.b', torch.ones(1)),
      name='dot')
check('nn.Module.register_parameter', lambda torch: torch.nn.Linear(2, 2).register_parameter('p', torch.ones(1)),
      name='not_param')
check('nn.Module.add_module', lambda torch: torch.nn.Linear(2, 2).add_module('x', 3), name='not_module')
check('nn.Module.__call__', lambda torch: torch.nn.Module()(1), name='no_forward')


@case('nn.Module.named_modules', name='dedup')
def named_modules_dedup(torch):
    nn = torch.nn
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    return ([n for n, _ in seq.named_modules()], [n for n, _ in seq.named_modules(remove_duplicate=False)],
            [n for n, _ in seq.named_parameters()], [n for n, _ in seq.named_parameters(remove_duplicate=False)],
            list(seq.state_dict().keys()), len(list(seq.parameters())))


@case('nn.Module.parameters', name='sharing')
def parameter_sharing(torch):
    nn = torch.nn
    a, b = nn.Linear(3, 3), nn.Linear(3, 3)
    b.weight = a.weight
    _det(torch, a)
    _det(torch, b)
    m = nn.Sequential(a, b)
    out = m(_x(torch, 2, 3))
    out.sum().backward()
    return out, a.weight.grad, b.weight is a.weight, [n for n, _ in m.named_parameters()]


@case('nn.Module.register_buffer', name='persistent')
def buffers(torch):
    nn = torch.nn
    m = nn.Module()
    m.register_buffer('a', torch.ones(2))
    m.register_buffer('b', torch.zeros(2), persistent=False)
    m.register_buffer('c', None)
    m.c = torch.arange(3.)
    return list(m.state_dict().keys()), [n for n, _ in m.named_buffers()], m.c


@case('nn.Buffer', name='assign')
def buffer_assign(torch):
    nn = torch.nn
    m = nn.Module()
    m.x = nn.Buffer(torch.ones(2))
    m.y = nn.Buffer(torch.ones(2), persistent=False)
    return list(m.state_dict().keys()), [n for n, _ in m.named_buffers()], type(m.x).__name__


@case('nn.Module.__delattr__')
def delattr_param(torch):
    m = torch.nn.Linear(2, 2)
    del m.bias
    return list(m.state_dict().keys()), hasattr(m, 'bias')


# --- modes ---
@case('nn.Module.train')
def train_eval(torch):
    m = _mlp(torch)
    x = torch.ones(4, 64)
    m.eval()
    flags = [mod.training for mod in m.modules()]
    _det(torch, m)
    y = m(x)
    m.train()
    return flags, [mod.training for mod in m.modules()], y, m.train(False).training


check('nn.Module.train', lambda torch: torch.nn.Linear(2, 2).train('yes'), name='non_bool')


@case('nn.Module.requires_grad_')
def requires_grad_(torch):
    m = _mlp(torch).requires_grad_(False)
    return [p.requires_grad for p in m.parameters()]


@case('nn.Module.zero_grad')
def zero_grad(torch):
    m = _det(torch, torch.nn.Linear(3, 2))
    m(torch.ones(1, 3)).sum().backward()
    g1 = m.weight.grad.clone()
    m.zero_grad(set_to_none=False)
    g2 = m.weight.grad
    m.zero_grad()
    return g1, g2, m.weight.grad


@case('nn.Module.to')
def module_to(torch):
    m = _det(torch, torch.nn.Linear(3, 2))
    w = m.weight
    m.double()
    r = (m.weight.dtype, m.weight is w, type(m.weight).__name__, m(torch.ones(1, 3).double()))
    m.to(torch.float32)
    return r + (m.weight.dtype, m.half().bias.dtype, m.float().to('cpu').weight.device)


@case('nn.Module.apply')
def module_apply(torch):
    names = []
    _mlp(torch).apply(lambda mod: names.append(type(mod).__name__))
    return names


# --- state dict loading ---
@case('nn.Module.load_state_dict', name='roundtrip')
def load_roundtrip(torch):
    a = _det(torch, _mlp(torch))
    b = _mlp(torch)
    r = b.load_state_dict(a.state_dict())
    return repr(r), b.state_dict()


@case('nn.Module.load_state_dict', name='missing_unexpected')
def load_errors(torch):
    m = torch.nn.Sequential(torch.nn.Linear(2, 3))
    sd = {'0.weight': torch.ones(3, 2), 'extra': torch.ones(1), '1.bias': torch.zeros(1)}
    r = m.load_state_dict(sd, strict=False)
    return repr(r), r.missing_keys, r.unexpected_keys, m.load_state_dict(sd)


check('nn.Module.load_state_dict', lambda torch: torch.nn.Linear(2, 3).load_state_dict(
    {'weight': torch.ones(3, 3), 'bias': torch.ones(3)}), name='size_mismatch')
check('nn.Module.load_state_dict', lambda torch: torch.nn.Linear(2, 3).load_state_dict(
    {'weight': torch.ones(3, 2)}), name='missing')
check('nn.Module.load_state_dict', lambda torch: torch.nn.Linear(2, 3).load_state_dict([1]), name='not_mapping')
check('nn.Module.load_state_dict', lambda torch: torch.nn.Linear(2, 3).load_state_dict(
    {'weight': torch.ones(3, 2), 'bias': 3}), name='not_tensor')


# --- hooks ---
@case('nn.Module.register_forward_hook', name='order')
def hooks_order(torch):
    nn = torch.nn
    log = []
    m = _det(torch, nn.Sequential(nn.Linear(2, 2), nn.ReLU()))
    hs = [m.register_forward_pre_hook(lambda mod, inp: log.append(('pre', type(mod).__name__))),
          m.register_forward_hook(lambda mod, inp, out: log.append(('fwd', type(mod).__name__))),
          m[0].register_forward_hook(lambda mod, inp, out: log.append(('fwd0', tuple(out.shape)))),
          m[0].register_forward_pre_hook(lambda mod, inp: log.append('pre0'), prepend=True),
          m[0].register_forward_hook(lambda mod, inp, out: out * 2),
          m.register_forward_hook(lambda mod, args, kwargs, out: log.append(('kw', len(args))), with_kwargs=True)]
    y = m(torch.ones(1, 2))
    for h in hs:
        h.remove()
    y2 = m(torch.ones(1, 2))
    return log, y, y2


@case('nn.Module.register_forward_pre_hook', name='replace_input')
def pre_hook_replace(torch):
    m = _det(torch, torch.nn.Linear(2, 1))
    m.register_forward_pre_hook(lambda mod, inp: (inp[0] * 0,))
    return m(torch.ones(1, 2))


@case('nn.Module.register_full_backward_hook')
def backward_hooks(torch):
    nn = torch.nn
    log = []
    m = _det(torch, nn.Linear(3, 2))
    m.register_full_backward_pre_hook(lambda mod, go: log.append(('pre', [tuple(g.shape) for g in go])))
    m.register_full_backward_hook(lambda mod, gi, go: log.append(('full', gi, go)))
    x = _x(torch, 4, 3, grad=True)
    y = m(x)
    (y * torch.arange(8.).reshape(4, 2)).sum().backward()
    return log, x.grad, m.weight.grad


@case('nn.Module.register_full_backward_hook', name='modify_grad_input')
def backward_hook_modify(torch):
    m = _det(torch, torch.nn.Linear(3, 2))
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 10,))
    x = _x(torch, 2, 3, grad=True)
    m(x).sum().backward()
    return x.grad, m.weight.grad


# --- containers ---
@case('nn.Sequential', name='indexing')
def sequential_ops(torch):
    nn = torch.nn
    s = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 3))
    r = [repr(s[0]), repr(s[-1]), repr(s[1:]), len(s)]
    s.append(nn.Tanh())
    s.insert(0, nn.Identity())
    s.extend([nn.Sigmoid()])
    del s[1]
    r.append(repr(s))
    r.append(repr(s + nn.Sequential(nn.ReLU())))
    r.append(s.pop(0).__class__.__name__)
    return r


check('nn.Sequential', lambda torch: torch.nn.Sequential(torch.nn.ReLU())[3], name='index_error')
check('nn.ModuleList', lambda torch: (lambda ml: (len(ml), repr(ml[1:]), [type(x).__name__ for x in ml]))(
    torch.nn.ModuleList([torch.nn.ReLU(), torch.nn.Tanh(), torch.nn.ReLU()])), name='ops')
check('nn.ModuleDict', lambda torch: (lambda md: (list(md.keys()), 'a' in md, repr(md.pop('a')), len(md)))(
    torch.nn.ModuleDict({'b': torch.nn.ReLU(), 'a': torch.nn.Tanh()})), name='ops')
check('nn.ParameterList', lambda torch: (lambda pl: (len(pl), pl[0], [n for n, _ in pl.named_parameters()]))(
    torch.nn.ParameterList([torch.ones(2), torch.nn.Parameter(torch.zeros(1))])), name='ops')
check('nn.ParameterDict', lambda torch: (lambda pd: (list(pd.keys()), pd['x'], list(pd.state_dict().keys())))(
    torch.nn.ParameterDict({'x': torch.ones(2), 'a': torch.zeros(1)})), name='ops')


# --- modules forward/backward with fixed weights ---
MODS = [
    ('nn.Linear', 'nn.Linear(4, 3)', (5, 4)), ('nn.Linear', 'nn.Linear(4, 3, bias=False)', (2, 5, 4)),
    ('nn.Bilinear', None, None), ('nn.PReLU', 'nn.PReLU(3)', (2, 3, 4)), ('nn.GELU', 'nn.GELU()', (3, 4)),
    ('nn.Softmax', 'nn.Softmax(dim=-1)', (3, 4)), ('nn.LogSoftmax', 'nn.LogSoftmax(1)', (3, 4)),
    ('nn.Softmax2d', 'nn.Softmax2d()', (2, 3, 2, 2)), ('nn.Flatten', 'nn.Flatten()', (2, 3, 4)),
    ('nn.Unflatten', 'nn.Unflatten(1, (2, 2))', (3, 4)), ('nn.Embedding', None, None),
    ('nn.ChannelShuffle', 'nn.ChannelShuffle(2)', (2, 4, 3)),
    ('nn.MultiheadAttention', None, None),
]
for _api, _src, _shape in MODS:
    if _src is None:
        continue
    check(_api, (lambda src, shape: lambda torch: _run(torch, _det(torch, eval(src, {'nn': torch.nn})),
                                                       _x(torch, *shape, grad=True)))(_src, _shape),
          name='fwd_bwd_' + _src.split('(', 1)[1].rstrip(')').replace(' ', '').replace(',', '_')[:30])

check('nn.Bilinear', lambda torch: _run(torch, _det(torch, torch.nn.Bilinear(3, 2, 4)), _x(torch, 5, 3, grad=True),
                                        _x(torch, 5, 2, seed=1, grad=True)), name='fwd_bwd')
check('nn.Embedding', lambda torch: _run(torch, _det(torch, torch.nn.Embedding(5, 3, padding_idx=0)),
                                         torch.tensor([[0, 1, 4], [4, 4, 2]])), name='fwd_bwd')
check('nn.Embedding.from_pretrained', lambda torch: (lambda e: (e(torch.tensor([1])), e.weight.requires_grad))(
    torch.nn.Embedding.from_pretrained(torch.tensor([[1., 2.], [3., 4.]]))))
check('nn.Linear', lambda torch: torch.nn.Linear(3, 2)(torch.ones(4, 5)), name='wrong_in_features')


@case('nn.MultiheadAttention', name='fwd_bwd')
def mha(torch):
    m = _det(torch, torch.nn.MultiheadAttention(4, 2))
    q = _x(torch, 3, 2, 4, grad=True)
    kv = _x(torch, 5, 2, 4, seed=1, grad=True)
    out, w = m(q, kv, kv)
    (out.sum() + w.sum()).backward()
    return out, w, q.grad, kv.grad, [(n, p.grad) for n, p in m.named_parameters()]


@case('nn.MultiheadAttention', name='batch_first_mask')
def mha_mask(torch):
    m = _det(torch, torch.nn.MultiheadAttention(4, 2, batch_first=True, kdim=3, vdim=5, bias=False))
    q = _x(torch, 2, 3, 4, grad=True)
    k = _x(torch, 2, 6, 3, seed=1)
    v = _x(torch, 2, 6, 5, seed=2)
    kpm = torch.tensor([[False] * 5 + [True], [False] * 6])
    out, w = m(q, k, v, key_padding_mask=kpm, average_attn_weights=False)
    out.sum().backward()
    return out, w, q.grad


# --- utils ---
@case('nn.utils.clip_grad_norm_')
def clip_norm(torch):
    m = _det(torch, _mlp(torch)).eval()
    m(torch.ones(2, 64)).sum().backward()
    n = torch.nn.utils.clip_grad_norm_(m.parameters(), 0.5)
    n2 = torch.nn.utils.clip_grad_norm_(m.parameters(), 0.5, norm_type=float('inf'))
    return n, n2, [p.grad for p in m.parameters()]


@case('nn.utils.clip_grad_value_')
def clip_value(torch):
    m = _det(torch, torch.nn.Linear(3, 2))
    m(torch.ones(2, 3) * 3).sum().backward()
    torch.nn.utils.clip_grad_value_(m.parameters(), 1.0)
    return m.weight.grad, m.bias.grad


@case('nn.utils.parameters_to_vector')
def params_vec(torch):
    m = _det(torch, torch.nn.Linear(3, 2))
    v = torch.nn.utils.parameters_to_vector(m.parameters())
    torch.nn.utils.vector_to_parameters(v.detach() * 2, m.parameters())
    return v, m.weight, m.bias


@case('nn.utils.weight_norm')
def weight_norm(torch):
    m = torch.nn.utils.weight_norm(_det(torch, torch.nn.Linear(3, 2)))
    y = m(torch.ones(1, 3))
    y.sum().backward()
    return list(m.state_dict().keys()), y, m.weight_g.grad, m.weight_v.grad


# --- init (deterministic parts) ---
check('nn.init.calculate_gain', lambda torch: [torch.nn.init.calculate_gain(n) for n in
                                               ('linear', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu', 'conv2d')])
check('nn.init.calculate_gain', lambda torch: torch.nn.init.calculate_gain('leaky_relu', 0.2), name='param')
check('nn.init.calculate_gain', lambda torch: torch.nn.init.calculate_gain('foo'), name='bad')
check('nn.init._calculate_fan_in_and_fan_out', lambda torch: torch.nn.init._calculate_fan_in_and_fan_out(
    torch.empty(4, 3, 2, 5)))
check('nn.init.kaiming_uniform_', lambda torch: torch.nn.init.kaiming_uniform_(torch.empty(3)), name='1d_error')
check('nn.init.kaiming_uniform_', lambda torch: torch.nn.init.kaiming_uniform_(torch.empty(3, 4), mode='foo'),
      name='bad_mode')
check('nn.init.eye_', lambda torch: torch.nn.init.eye_(torch.empty(3, 4)))
check('nn.init.dirac_', lambda torch: torch.nn.init.dirac_(torch.empty(4, 2, 3), groups=2))
check('nn.init.constant_', lambda torch: torch.nn.init.constant_(torch.empty(2, 2), 0.3))
check('nn.init.zeros_', lambda torch: (torch.nn.init.zeros_(torch.ones(2)), torch.nn.init.ones_(torch.zeros(2))))
check('nn.init.orthogonal_', lambda torch: (lambda w: (w @ w.t()).round(decimals=4))(
    torch.nn.init.orthogonal_(torch.empty(3, 5))))
check('nn.init.kaiming_uniform_', lambda torch: (lambda w: bool(w.abs().max() <= (6 / 20) ** 0.5))(
    torch.nn.init.kaiming_uniform_(torch.empty(30, 20), nonlinearity='relu')), name='bound')


# --- a whole training loop ---
@case('nn.training_loop', name='mlp_sgd')
def training_loop(torch):
    nn, F = torch.nn, torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(8, 16)
            self.fc2 = nn.Linear(16, 3)

        def forward(self, x):
            return self.fc2(F.gelu(self.fc1(x)))
    net = _det(torch, Net())
    x = _x(torch, 32, 8)
    y = torch.tensor(np.random.RandomState(1).randint(0, 3, 32))
    losses = []
    for _ in range(5):
        net.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        with torch.no_grad():
            for p in net.parameters():
                p -= 0.5 * p.grad
        losses.append(loss.item())
    return losses, net.state_dict()


@case('nn.training_loop', name='mlp_eval_dropout')
def training_eval(torch):
    m = _det(torch, _mlp(torch)).eval()
    x = _x(torch, 4, 64)
    t = torch.tensor([1, 2, 3, 4])
    crit = torch.nn.CrossEntropyLoss(label_smoothing=0.05)
    loss = crit(m(x), t)
    loss.backward()
    return loss, [p.grad for p in m.parameters()]


# --- random streams: default init and dropout draw exactly as torch (runner seeds 0 first) ---
SEEDED = {
    'nn.Linear': lambda torch: list(torch.nn.Linear(5, 4).parameters()),
    'nn.Bilinear': lambda torch: list(torch.nn.Bilinear(2, 3, 4).parameters()),
    'nn.Embedding': lambda torch: torch.nn.Embedding(6, 3, padding_idx=2).weight,
    'nn.EmbeddingBag': lambda torch: torch.nn.EmbeddingBag(6, 3).weight,
    'nn.MultiheadAttention': lambda torch: list(torch.nn.MultiheadAttention(4, 2, add_bias_kv=True).parameters()),
    'nn.init.uniform_': lambda torch: torch.nn.init.uniform_(torch.empty(3, 4), -2, 3),
    'nn.init.normal_': lambda torch: torch.nn.init.normal_(torch.empty(3, 4), 1, 2),
    'nn.init.xavier_uniform_': lambda torch: torch.nn.init.xavier_uniform_(torch.empty(3, 5), gain=2),
    'nn.init.xavier_normal_': lambda torch: torch.nn.init.xavier_normal_(torch.empty(3, 5)),
    'nn.init.kaiming_uniform_': lambda torch: torch.nn.init.kaiming_uniform_(torch.empty(3, 5, 2), a=0.1),
    'nn.init.kaiming_normal_': lambda torch: torch.nn.init.kaiming_normal_(torch.empty(3, 5), mode='fan_out'),
    'nn.init.trunc_normal_': lambda torch: torch.nn.init.trunc_normal_(torch.empty(20, 5)),
    'nn.init.sparse_': lambda torch: torch.nn.init.sparse_(torch.empty(5, 3), 0.4),
    'F.dropout': lambda torch: torch.nn.functional.dropout(torch.ones(4, 5), 0.3),
    'F.dropout2d': lambda torch: torch.nn.functional.dropout2d(torch.ones(2, 4, 2, 2), 0.5),
    'F.alpha_dropout': lambda torch: torch.nn.functional.alpha_dropout(torch.ones(4, 5), 0.3, True),
    'F.feature_alpha_dropout': lambda torch: torch.nn.functional.feature_alpha_dropout(torch.ones(2, 4, 3), 0.3,
                                                                                        True),
    'F.rrelu': lambda torch: torch.nn.functional.rrelu(torch.arange(-4., 5.) / 2, training=True),
    'nn.Dropout': lambda torch: torch.nn.Dropout(0.4)(torch.ones(3, 6, requires_grad=True)),
}
for _api, _f in SEEDED.items():
    check(_api, _f, name='seeded', exact=True)


@case('nn.init.trunc_normal_', name='seeded_narrow', exact=True)
def trunc_narrow(torch):
    return torch.nn.init.trunc_normal_(torch.empty(30, 4), mean=1, std=3, a=0.5, b=1.0)


@case('nn.training_loop', name='seeded_init_mlp')
def training_seeded(torch):
    nn, F = torch.nn, torch.nn.functional
    m = nn.Sequential(nn.Linear(6, 12), nn.Tanh(), nn.Dropout(0.2), nn.Linear(12, 3))
    x = _x(torch, 16, 6)
    y = torch.tensor(np.random.RandomState(2).randint(0, 3, 16))
    losses = []
    for _ in range(4):
        m.zero_grad()
        loss = F.cross_entropy(m(x), y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        with torch.no_grad():
            for p in m.parameters():
                p.add_(p.grad, alpha=-0.3)
        losses.append(loss)
    return losses, m.state_dict()


def _train(torch, model, opt, x, y, steps, loss_fn):
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


@case('nn.training_loop', name='mlp_adam')
def training_adam(torch):
    nn = torch.nn
    m = _det(torch, nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 4)))
    opt = torch.optim.Adam(m.parameters(), lr=1e-2)
    y = torch.tensor(np.random.RandomState(3).randint(0, 4, 24))
    return _train(torch, m, opt, _x(torch, 24, 10), y, 6, nn.CrossEntropyLoss()), m.state_dict()


@case('nn.training_loop', name='convnet_sgd')
def training_convnet(torch):
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 4, 3, padding=1)
            self.bn = nn.BatchNorm2d(4)
            self.pool = nn.MaxPool2d(2)
            self.drop = nn.Dropout(0.25)
            self.fc = nn.Linear(4 * 4 * 4, 3)

        def forward(self, x):
            x = self.pool(torch.relu(self.bn(self.conv(x))))
            return self.fc(self.drop(torch.flatten(x, 1)))
    m = _det(torch, Net())
    opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9)
    x = _x(torch, 8, 1, 8, 8)
    y = torch.tensor(np.random.RandomState(4).randint(0, 3, 8))
    losses = _train(torch, m, opt, x, y, 4, nn.CrossEntropyLoss())
    m.eval()
    return losses, m.state_dict(), m(x)


# --- parametrize / prune / DataParallel ---
def _prune(torch):
    import importlib       # torch loads nn.utils.prune only on request
    return importlib.import_module(torch.__name__ + '.nn.utils.prune')


def _sym_class(torch):
    class Symmetric(torch.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)
    return Symmetric


@case('nn.utils.parametrize.register_parametrization')
def parametrize_sym(torch):
    P = torch.nn.utils.parametrize
    m = _det(torch, torch.nn.Linear(3, 3))
    P.register_parametrization(m, 'weight', _sym_class(torch)())
    y = m(torch.ones(2, 3))
    y.sum().backward()
    r = (repr(m), type(m).__name__, list(m.state_dict().keys()), m.weight, y,
         m.parametrizations.weight.original.grad, P.is_parametrized(m), P.is_parametrized(m, 'bias'),
         P.type_before_parametrizations(m).__name__)
    P.remove_parametrizations(m, 'weight')
    return r + (type(m).__name__, list(m.state_dict().keys()), m.weight, type(m.weight).__name__)


@case('nn.utils.parametrize.cached')
def parametrize_cached(torch):
    P = torch.nn.utils.parametrize
    m = _det(torch, torch.nn.Linear(3, 3))
    P.register_parametrization(m, 'weight', _sym_class(torch)())
    with P.cached():
        same = m.weight is m.weight
    return same, m.weight is m.weight


@case('nn.utils.prune.l1_unstructured')
def prune_l1(torch):
    prune = _prune(torch)
    m = _det(torch, torch.nn.Linear(4, 3))
    prune.l1_unstructured(m, 'weight', amount=0.5)
    r = (list(m.state_dict().keys()), m.weight_mask, m.weight, prune.is_pruned(m),
         [n for n, _ in m.named_parameters()], [n for n, _ in m.named_buffers()])
    y = m(torch.ones(1, 4))
    y.sum().backward()
    prune.l1_unstructured(m, 'weight', amount=2)
    r = r + (m.weight_orig.grad, m.weight_mask)
    prune.remove(m, 'weight')
    return r + (list(m.state_dict().keys()), m.weight, type(m.weight).__name__)


@case('nn.utils.prune.ln_structured')
def prune_ln(torch):
    prune = _prune(torch)
    m = _det(torch, torch.nn.Linear(4, 3))
    prune.ln_structured(m, 'weight', amount=1, n=2, dim=0)
    return m.weight_mask, m.weight


@case('nn.utils.prune.global_unstructured')
def prune_global(torch):
    prune = _prune(torch)
    a, b = _det(torch, torch.nn.Linear(4, 3)), _det(torch, torch.nn.Linear(3, 2))
    with torch.no_grad():
        b.weight.mul_(3)
    prune.global_unstructured([(a, 'weight'), (b, 'weight')], pruning_method=prune.L1Unstructured, amount=0.4)
    return a.weight_mask, b.weight_mask


check('nn.utils.prune.l1_unstructured', lambda torch: _prune(torch).l1_unstructured(
    torch.nn.Linear(2, 2), 'weight', amount=1.5), name='bad_amount')
check('nn.utils.prune.l1_unstructured', lambda torch: _prune(torch).l1_unstructured(
    torch.nn.Linear(2, 2), 'weight', amount=5), name='too_many')
check('nn.DataParallel', lambda torch: (lambda dp: (repr(dp), list(dp.state_dict().keys()), dp(torch.ones(1, 2))))(
    torch.nn.DataParallel(_det(torch, torch.nn.Linear(2, 3)))))
check('F.relu_', lambda torch: (lambda x: (torch.nn.functional.relu_(x), x))(torch.tensor([-1., 2.])))


@case('nn.Module.register_full_backward_hook', name='no_grad_input')
def backward_hook_no_input_grad(torch):
    log = []
    m = _det(torch, torch.nn.Bilinear(2, 3, 1))
    m.register_full_backward_hook(lambda mod, gi, go: log.append((gi, go)))
    m.register_full_backward_pre_hook(lambda mod, go: log.append(('pre', go)))
    x1 = _x(torch, 4, 2, grad=True)
    x2 = _x(torch, 4, 3, seed=1)
    m(x1, x2).sum().backward()
    m(x2[:, :2], x2).sum().backward()
    return log, x1.grad


# --- more Module contract ---
@case('nn.Module.named_parameters', name='prefix_recurse')
def named_params_prefix(torch):
    m = _mlp(torch)
    return ([n for n, _ in m.named_parameters(prefix='net')], [n for n, _ in m.named_parameters(recurse=False)],
            [n for n, _ in m[0].named_parameters(prefix='a.b')], [n for n, _ in m.named_children()])


@case('nn.Module.load_state_dict', name='assign')
def load_assign(torch):
    m = torch.nn.Linear(2, 2)
    sd = {'weight': torch.ones(2, 2), 'bias': torch.zeros(2)}
    m.load_state_dict(sd, assign=True)
    return type(m.weight).__name__, m.weight.requires_grad, m.weight, m.bias


@case('nn.Module.to', name='int_buffer_kept')
def to_int_buffer(torch):
    m = torch.nn.Module()
    m.register_buffer('steps', torch.tensor(3))
    m.register_buffer('f', torch.ones(2))
    m.p = torch.nn.Parameter(torch.ones(1))
    m.to(torch.float64)
    return m.steps.dtype, m.f.dtype, m.p.dtype, type(m.p).__name__


check('nn.Module.to', lambda torch: torch.nn.Linear(2, 2).to(torch.int64), name='int_dtype_error')


@case('nn.Module.__setattr__', name='buffer_reassign')
def buffer_reassign(torch):
    m = torch.nn.Module()
    m.register_buffer('b', torch.ones(2))
    m.b = torch.zeros(3)
    r1 = [n for n, _ in m.named_buffers()]
    m.b = None
    r2 = list(m.state_dict().keys())
    return r1, m.b, r2


check('nn.Module.__setattr__', lambda torch: setattr(
    (lambda m: (m.register_buffer('b', torch.ones(1)), m)[1])(torch.nn.Module()), 'b', 3), name='buffer_bad_type')
check('nn.Module.__setattr__', lambda torch: setattr(torch.nn.Sequential(torch.nn.ReLU()), '0', 3),
      name='module_bad_type')
check('nn.Module.__repr__', lambda torch: (repr(torch.nn.Module()), str(torch.nn.Sequential())), name='empty')
check('nn.Module.__dir__', lambda torch: [k for k in dir(torch.nn.Linear(2, 2)) if k in (
    'weight', 'bias', 'in_features', 'forward', 'training')])
check('nn.Module.extra_repr', lambda torch: (torch.nn.Linear(2, 3).extra_repr(), torch.nn.ReLU().extra_repr()))


@case('nn.Module.__deepcopy__')
def module_deepcopy(torch):
    import copy
    m = _det(torch, _mlp(torch))
    c = copy.deepcopy(m)
    return repr(c), c.state_dict(), c[0].weight is m[0].weight, type(c[0].weight).__name__


@case('nn.Module.register_forward_hook', name='with_kwargs_and_handle')
def fwd_hook_kwargs(torch):
    class M(torch.nn.Module):
        def forward(self, x, scale=1.0):
            return x * scale
    m = M()
    seen = []
    h = m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {'scale': 3.0}), with_kwargs=True)
    m.register_forward_hook(lambda mod, args, kwargs, out: seen.append(sorted(kwargs.items())), with_kwargs=True)
    y1 = m(torch.ones(2), scale=2.0)
    h.remove()
    y2 = m(torch.ones(2), scale=2.0)
    return y1, y2, seen


check('nn.Module.get_parameter', lambda torch: _mlp(torch).get_parameter('1.weight'), name='not_param')
check('nn.Module.get_buffer', lambda torch: torch.nn.Linear(2, 2).get_buffer('weight'), name='not_buffer')
check('nn.Module.state_dict', lambda torch: list(torch.nn.ParameterList([torch.ones(1), torch.ones(2)]).state_dict()),
      name='parameter_list')
check('nn.Module.half', lambda torch: (lambda m: (m.weight.dtype, m(torch.ones(1, 2).half()).dtype))(
    torch.nn.Linear(2, 2).half()))
check('nn.Identity', lambda torch: torch.nn.Identity(3, foo=4)(torch.ones(2)))
check('nn.Flatten', lambda torch: torch.nn.Flatten(0, 1)(torch.ones(2, 3, 4)).shape, name='dims')
check('nn.Unflatten', lambda torch: torch.nn.Unflatten(1, [2, 'a']), name='bad_size')
check('nn.Softmax', lambda torch: torch.nn.Softmax()(torch.ones(2, 3)), name='implicit_dim')
check('nn.MultiheadAttention', lambda torch: torch.nn.MultiheadAttention(5, 2), name='indivisible')
check('nn.CrossEntropyLoss', lambda torch: (lambda c: (c.reduction, c.weight, c.ignore_index))(
    torch.nn.CrossEntropyLoss(size_average=False)), name='legacy_args')


@case('nn.utils.spectral_norm', exact=False)
def spectral(torch):
    m = torch.nn.utils.spectral_norm(torch.nn.Linear(4, 3))     # u, v drawn from the seeded generator
    _det(torch, m)
    x = _x(torch, 2, 4)
    y1 = m(x)
    y1.sum().backward()
    m.eval()
    y2 = m(x)
    sd = m.state_dict()
    torch.nn.utils.remove_spectral_norm(m)
    return (y1, y2, list(sd.keys()), sd['weight_u'], sd['weight_v'], m.weight_orig.grad if hasattr(m, 'weight_orig')
            else None, list(m.state_dict().keys()), m.weight)


@case('nn.LazyLinear', name='seeded')
def lazy_linear(torch):
    m = torch.nn.LazyLinear(3)
    before = (repr(m), type(m.weight).__name__, list(m.state_dict().keys()))
    y = m(torch.ones(2, 4))
    return before, repr(m), type(m).__name__, type(m.weight).__name__, y, m.weight


@case('nn.LazyLinear', name='load_state_dict')
def lazy_linear_load(torch):
    src = _det(torch, torch.nn.Linear(2, 3))
    m = torch.nn.LazyLinear(3)
    m.load_state_dict(src.state_dict())
    return m.weight, type(m.weight).__name__, m(torch.ones(1, 2))


@case('nn.AdaptiveLogSoftmaxWithLoss')
def adaptive_lsm(torch):
    m = _det(torch, torch.nn.AdaptiveLogSoftmaxWithLoss(6, 10, [3, 6], div_value=2.0))
    x = _x(torch, 5, 6, grad=True)
    out = m(x, torch.tensor([0, 4, 9, 2, 7]))
    out.loss.backward()
    return out.output, out.loss, x.grad, m.log_prob(x.detach()), m.predict(x.detach()), type(out).__name__


@case('nn.MultiheadAttention', name='no_weights_causal')
def mha_sdpa_path(torch):
    m = _det(torch, torch.nn.MultiheadAttention(4, 2, batch_first=True))
    x = _x(torch, 2, 3, 4, grad=True)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(3)
    out, w = m(x, x, x, attn_mask=mask, need_weights=False, is_causal=True)
    out.sum().backward()
    out2, w2 = m(x, x, x, attn_mask=mask)
    return out, w, x.grad, out2, w2


@case('nn.EmbeddingBag', name='fwd_bwd')
def embedding_bag_mod(torch):
    m = _det(torch, torch.nn.EmbeddingBag(6, 3, mode='sum'))
    y = m(torch.tensor([0, 2, 5, 5, 1]), torch.tensor([0, 3]), per_sample_weights=torch.tensor([1., 2., .5, 1., 3.]))
    y.sum().backward()
    return y, m.weight.grad


@case('nn.Module.register_forward_hook', name='always_call')
def always_call_hook(torch):
    log = []
    m = torch.nn.Linear(2, 2)
    m.register_forward_hook(lambda mod, args, out: log.append(('always', out)), always_call=True)
    m.register_forward_hook(lambda mod, args, out: log.append('normal'))
    try:
        m(torch.ones(3))
    except RuntimeError as e:
        log.append(str(e))
    return log


@case('nn.utils.parametrizations.weight_norm')
def p_weight_norm(torch):
    m = torch.nn.utils.parametrizations.weight_norm(_det(torch, torch.nn.Linear(3, 2)))
    y = m(torch.ones(2, 3))
    y.sum().backward()
    po = m.parametrizations.weight
    return (repr(m), list(m.state_dict().keys()), y, po.original0.grad, po.original1.grad, m.weight)


@case('nn.utils.parametrizations.spectral_norm')
def p_spectral_norm(torch):
    m = torch.nn.utils.parametrizations.spectral_norm(_det(torch, torch.nn.Linear(4, 3)))
    y = m(torch.ones(2, 4))
    y.sum().backward()
    m.eval()
    return (list(m.state_dict().keys()), y, m.parametrizations.weight.original.grad, m.weight,
            m.parametrizations.weight[0]._u)


@case('nn.utils.clip_grad_norm_', name='nonfinite_and_empty')
def clip_nonfinite(torch):
    p = torch.nn.Parameter(torch.ones(3))
    p.grad = torch.tensor([1., float('inf'), 2.])
    n = torch.nn.utils.clip_grad_norm_([p], 1.0)
    r = (n, p.grad.clone(), torch.nn.utils.clip_grad_norm_([], 1.0),
         torch.nn.utils.clip_grad_norm_(torch.nn.Parameter(torch.ones(2)), 1.0))
    try:
        torch.nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    except RuntimeError as e:
        r = r + (str(e),)
    return r


@case('nn.utils.clip_grad_norm_', name='p1_double')
def clip_p1(torch):
    ps = [torch.nn.Parameter(torch.ones(2, dtype=torch.float64)), torch.nn.Parameter(torch.ones(3, dtype=torch.float64))]
    ps[0].grad = torch.tensor([3., -4.], dtype=torch.float64)
    ps[1].grad = torch.tensor([1., 2., 2.], dtype=torch.float64)
    n = torch.nn.utils.clip_grad_norm_(ps, 2.0, norm_type=1, foreach=False)
    return n, ps[0].grad, ps[1].grad


@case('torch.utils.hooks.RemovableHandle')
def module_handle_class(torch):     # scripts import it from torch.utils.hooks
    import importlib
    hooks = importlib.import_module(torch.__name__ + '.utils.hooks')
    m = torch.nn.Linear(2, 2)
    h = m.register_forward_hook(lambda *a: None)
    with hooks.RemovableHandle(m._forward_pre_hooks) as h2:
        pass
    h.remove()
    return isinstance(h, hooks.RemovableHandle), type(h).__qualname__, len(m._forward_hooks), h2.id > h.id
