"""torch.fx: symbolic tracing, the generated code and printed graphs, graph editing, GraphModule,
Interpreter-based passes, wrap, custom tracers."""
import importlib
import operator
import re
import types

from conformance import case


def _cnn(torch):
    nn, F = torch.nn, torch.nn.functional

    class SmallCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
            self.bn = nn.BatchNorm2d(4)
            self.conv2 = nn.Conv2d(4, 8, 3)
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(8, 3)

        def forward(self, x):
            x = torch.relu(self.bn(self.conv1(x)))
            x = F.max_pool2d(x, 2)
            x = F.relu(self.conv2(x))
            x = self.pool(x)
            x = torch.flatten(x, 1)
            return F.log_softmax(self.fc(x), dim=1)
    return SmallCNN()


def _mlp(torch):
    nn, F = torch.nn, torch.nn.functional

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.randn(6, 4))
            self.bias = nn.Parameter(torch.zeros(6))
            self.norm = nn.LayerNorm(6)
            self.out = nn.Linear(6, 2)

        def forward(self, x, scale=2.0):
            h = F.linear(x, self.weight, self.bias)
            h = F.gelu(self.norm(h)) * scale
            h = F.dropout(h, p=0.1, training=self.training)
            h = F.layer_norm(h, (6,))
            return F.softmax(self.out(h), dim=-1)
    return MLP()


def _with_block(torch):
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self, d):
            super().__init__()
            self.lin = nn.Linear(d, d)
            self.act = nn.ReLU()

        def forward(self, x):
            return x + self.act(self.lin(x))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.Sequential(Block(4), Block(4))
            self.head = nn.Linear(4, 1)

        def forward(self, x):
            return self.head(self.blocks(x)).squeeze(-1)
    return Net(), Block


@case('torch.fx.symbolic_trace')
def cnn_code_and_graph(torch):
    gm = torch.fx.symbolic_trace(_cnn(torch))
    return gm.code, str(gm.graph), type(gm).__name__


@case('torch.fx.symbolic_trace')
def cnn_runs_like_the_module(torch):
    m = _cnn(torch).eval()
    gm = torch.fx.symbolic_trace(m)
    x = torch.randn(2, 1, 8, 8)
    return gm(x), m(x), gm.training


@case('torch.fx.symbolic_trace')
def mlp_functional_calls(torch):
    m = _mlp(torch)
    gm = torch.fx.symbolic_trace(m)
    x = torch.randn(3, 4)
    torch.manual_seed(1)
    a = gm(x)
    torch.manual_seed(1)
    b = m(x)
    return gm.code, str(gm.graph), a, b


@case('torch.fx.symbolic_trace')
def user_submodules_traced_through(torch):
    net, _ = _with_block(torch)
    gm = torch.fx.symbolic_trace(net)
    x = torch.randn(2, 4)
    return (gm.code, [(n.op, n.name, str(n.target)) for n in gm.graph.nodes], repr(gm), gm(x), net(x),
            sorted(dict(gm.named_parameters())))


@case('torch.fx.Tracer')
def custom_tracer_leaf_modules(torch):
    net, Block = _with_block(torch)

    class LeafTracer(torch.fx.Tracer):
        def is_leaf_module(self, m, qualname):
            return isinstance(m, Block) or super().is_leaf_module(m, qualname)
    graph = LeafTracer().trace(net)
    gm = torch.fx.GraphModule(net, graph)
    x = torch.randn(3, 4)
    return str(graph), gm.code, gm(x), net(x), type(gm).__name__


@case('torch.fx.symbolic_trace')
def control_flow_on_proxy(torch):
    class M(torch.nn.Module):
        def forward(self, x):
            if x.sum() > 0:
                return x
            return -x
    torch.fx.symbolic_trace(M())


@case('torch.fx.symbolic_trace')
def iterating_a_proxy(torch):
    def f(x):
        return [t for t in x]
    torch.fx.symbolic_trace(f)


@case('torch.fx.symbolic_trace')
def len_of_a_proxy(torch):
    torch.fx.symbolic_trace(lambda x: x * len(x))


@case('torch.fx.symbolic_trace')
def unpacking_and_attributes(torch):
    def f(x, y=None):
        a, b = x.unbind(0)
        n, m = x.shape
        z = x.view(m, n).transpose(0, 1).contiguous()
        return a * b + z.sum(dim=0) + x.size(1), x.dtype
    gm = torch.fx.symbolic_trace(f)
    x = torch.arange(6.).reshape(2, 3)
    return gm.code, str(gm.graph), gm(x), type(gm).__name__


@case('torch.fx.symbolic_trace')
def operators_on_proxies(torch):
    def f(x, y):
        r = (-x + 2 * y - 1 / x) ** 2 @ y.t()
        r = r // 3 % 5
        m = (x > 0) & (y <= 1) | ~(x == y)
        return r, m, x[0, 1:], x[..., None], abs(x), y != 2, 1 - x
    gm = torch.fx.symbolic_trace(f)
    x, y = torch.randn(3, 3), torch.randn(3, 3)
    return gm.code, gm(x, y), f(x, y)


@case('torch.fx.symbolic_trace')
def torch_namespace_functions(torch):
    F = torch.nn.functional

    def f(x, w):
        a = torch.cat([x, x], dim=1)
        b = torch.stack((x, x))
        c = torch.matmul(x, x.t()) + torch.sum(x, dim=1, keepdim=True)
        d = torch.transpose(b, 0, 1).reshape(2, -1)
        e = F.conv2d(x.view(1, 1, 2, 3), w, padding=1)
        g = F.avg_pool2d(e, 2, ceil_mode=True)
        h = F.interpolate(g, scale_factor=2.0)
        i = F.cross_entropy(x, torch.tensor([0, 2]))
        j = torch.where(x > 0, x, torch.zeros_like(x))
        k = torch.exp(torch.special.erf(x)).clamp(max=2.0)
        return a, c, d, h, i, j, k, F.silu(x), F.leaky_relu(x, 0.2), torch.tanh(x), F.sigmoid(x)
    gm = torch.fx.symbolic_trace(f)
    x, w = torch.randn(2, 3), torch.randn(1, 1, 3, 3)
    return gm.code, str(gm.graph), gm(x, w), f(x, w)


@case('torch.fx.symbolic_trace')
def concrete_args(torch):
    def f(x, flag, n=2):
        if flag:
            x = x + n
        return x.relu()
    gm = torch.fx.symbolic_trace(f, concrete_args={'flag': True})
    gm2 = torch.fx.symbolic_trace(f, concrete_args={'flag': False, 'n': None})
    x = torch.tensor([-3., 1.])
    return gm.code, str(gm.graph), gm(x, True, 5), gm2.code, gm2(x, False, None)


@case('torch.fx.Graph')
def hand_built_graph(torch):
    g = torch.fx.Graph()
    a = g.placeholder('a')
    b = g.placeholder('b', default_value=1.5)
    w = g.get_attr('w')
    add = g.call_function(operator.add, (a, b))
    mm = g.call_function(torch.matmul, (add, w))
    s = g.call_method('sum', (mm,), {'dim': 0})
    r = g.call_function(torch.relu, (s,))
    g.output((r, mm))
    root = torch.nn.Module()
    root.w = torch.nn.Parameter(torch.ones(2, 2))
    gm = torch.fx.GraphModule(root, g)
    g.lint()
    return (str(g), gm.code, str(gm), gm(torch.tensor([[1., -2.], [3., 4.]])), len(g.nodes),
            [n.name for n in reversed(g.nodes)], type(gm).__name__)


@case('torch.fx.GraphModule')
def graph_module_from_dict_root(torch):
    g = torch.fx.Graph()
    x = g.placeholder('x')
    y = g.call_module('sub.lin', (x,))
    g.output(g.call_function(torch.sigmoid, (y,)))
    lin = torch.nn.Linear(2, 2)
    gm = torch.fx.GraphModule({'sub.lin': lin}, g, class_name='MyModel')
    x = torch.randn(3, 2)
    return repr(gm), gm.code, gm(x), torch.sigmoid(lin(x)), type(gm).__name__


@case('torch.fx.Graph')
def replace_relu_with_gelu(torch):
    F = torch.nn.functional
    gm = torch.fx.symbolic_trace(_cnn(torch).eval())
    for node in gm.graph.nodes:
        if node.op == 'call_function' and node.target in (torch.relu, F.relu):
            with gm.graph.inserting_after(node):
                new = gm.graph.call_function(F.gelu, node.args)
            node.replace_all_uses_with(new)
            gm.graph.erase_node(node)
    gm.graph.lint()
    gm.recompile()
    x = torch.randn(1, 1, 8, 8)
    return gm.code, gm(x)


@case('torch.fx.Graph')
def rewrite_add_to_mul_and_dce(torch):
    def f(x):
        y = x + 1
        unused = x * 3  # noqa: F841
        return torch.neg(y)
    gm = torch.fx.symbolic_trace(f)
    before = [n.name for n in gm.graph.nodes]
    for n in list(gm.graph.nodes):
        if n.target == operator.add:
            n.target = operator.mul
            n.args = (n.args[0], 10)
    changed = gm.graph.eliminate_dead_code()
    gm.recompile()
    return before, changed, gm.code, gm(torch.tensor([1., 2.]))


@case('torch.fx.Graph')
def inserting_before_and_users(torch):
    gm = torch.fx.symbolic_trace(lambda x: torch.relu(x).sum())
    relu = next(n for n in gm.graph.nodes if n.name == 'relu')
    with gm.graph.inserting_before(relu):
        scaled = gm.graph.call_function(operator.mul, (relu.args[0], 2))
    relu.replace_input_with(relu.args[0], scaled)
    gm.recompile()
    info = [(n.name, [u.name for u in n.users], [i.name for i in n.all_input_nodes], n.prev.name, n.meta)
            for n in gm.graph.nodes]
    return gm.code, info, gm(torch.tensor([1., -1., 3.]))


@case('torch.fx.Graph')
def erase_node_with_users(torch):
    gm = torch.fx.symbolic_trace(lambda x: torch.relu(x) + 1)
    relu = next(n for n in gm.graph.nodes if n.name == 'relu')
    gm.graph.erase_node(relu)


@case('torch.fx.map_arg')
def map_arg_and_node_args(torch):
    gm = torch.fx.symbolic_trace(lambda x, y: torch.cat([x, y], dim=0) * 2)
    nodes = list(gm.graph.nodes)
    cat = nodes[2]
    seen = []
    mapped = torch.fx.map_arg(cat.args, lambda n: seen.append(n.name) or n.name.upper())
    return (mapped, seen, str(cat.args), cat.kwargs, cat.format_node(), repr(cat), cat.op,
            cat.target is torch.cat, nodes[-1].format_node(), nodes[-1].args[0].name)


@case('torch.fx.Interpreter')
def interpreter_shape_propagation(torch):
    class ShapeRecorder(torch.fx.Interpreter):
        def __init__(self, gm):
            super().__init__(gm)
            self.shapes = []

        def run_node(self, n):
            result = super().run_node(n)
            if isinstance(result, torch.Tensor):
                self.shapes.append((n.name, n.op, tuple(result.shape), str(result.dtype)))
            return result

        def call_function(self, target, args, kwargs):
            self.shapes.append(('fn', getattr(target, '__name__', str(target))))
            return super().call_function(target, args, kwargs)

    gm = torch.fx.symbolic_trace(_cnn(torch).eval())
    rec = ShapeRecorder(gm)
    out = rec.run(torch.randn(2, 1, 8, 8))
    return rec.shapes, out.shape


@case('torch.fx.Interpreter')
def interpreter_missing_argument(torch):
    gm = torch.fx.symbolic_trace(lambda x, y: x + y)
    torch.fx.Interpreter(gm).run(torch.ones(1))


@case('torch.fx.passes.shape_prop.ShapeProp')
def shape_prop(torch):
    sp = importlib.import_module(torch.__name__ + '.fx.passes.shape_prop')
    net, _ = _with_block(torch)
    gm = torch.fx.symbolic_trace(net)
    sp.ShapeProp(gm).propagate(torch.randn(5, 4))
    return [(n.name, n.meta['tensor_meta'].shape, n.meta['tensor_meta'].dtype, n.meta['tensor_meta'].stride,
             n.meta['tensor_meta'].requires_grad) for n in gm.graph.nodes if 'tensor_meta' in n.meta]


def _module_with_wrap(torch, src):
    mod = types.ModuleType('fx_user_module')
    mod.torch = torch
    exec(compile(src, 'fx_user_module', 'exec'), mod.__dict__)
    return mod


@case('torch.fx.wrap')
def wrap_by_name(torch):
    mod = _module_with_wrap(torch, '''
def scaled_clip(x, k):
    return x.clamp(-k, k) * k
torch.fx.wrap('scaled_clip')
def f(x):
    return scaled_clip(x + 1, 2) + len([x])
''')
    gm = torch.fx.symbolic_trace(mod.f)
    return gm.code, str(gm.graph), gm(torch.tensor([-5., 0.5, 4.]))


@case('torch.fx.wrap')
def wrap_decorator_and_builtin(torch):
    mod = _module_with_wrap(torch, '''
@torch.fx.wrap
def count(x):
    return x.numel()
torch.fx.wrap('len')
def f(x):
    return x * count(x) + len(x)
''')
    gm = torch.fx.symbolic_trace(mod.f)
    return gm.code, gm(torch.ones(2, 3)), len([1, 2]), mod.count(torch.ones(4))


@case('torch.fx.wrap')
def wrap_outside_module_scope(torch):
    torch.fx.wrap('len')


@case('torch.fx.GraphModule')
def printing_graph_module(torch):
    net, _ = _with_block(torch)
    gm = torch.fx.symbolic_trace(net)
    print(gm)
    return str(gm), gm.print_readable(print_output=False)


@case('torch.fx.GraphModule')
def tensor_constants_and_buffers(torch):
    class M(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer('running', torch.ones(3))
            self.table = torch.arange(3.)

        def forward(self, x):
            return x * self.running + self.table + torch.tensor([1., 2., 3.])
    gm = torch.fx.symbolic_trace(M())
    return gm.code, sorted(dict(gm.named_buffers())), gm(torch.ones(3))


@case('torch.fx.Graph')
def print_tabular_needs_tabulate(torch):
    gm = torch.fx.symbolic_trace(lambda x: x + 1)
    try:                        # the runner counts ModuleNotFoundError as a broken case: catch it here
        gm.graph.print_tabular()
    except ImportError as e:
        return type(e).__name__, str(e)


@case('torch.fx.Transformer')
def transformer_swaps_functions(torch):
    class NegToSigmoid(torch.fx.Transformer):
        def call_function(self, target, args, kwargs):
            if target == torch.neg:
                return super().call_function(torch.sigmoid, args, kwargs)
            return super().call_function(target, args, kwargs)
    gm = torch.fx.symbolic_trace(lambda x: torch.neg(x) * 2)
    new = NegToSigmoid(gm).transform()
    return new.code, new(torch.tensor([0., 1.]))


@case('torch.fx.symbolic_trace')
def argument_of_unsupported_type(torch):
    torch.fx.symbolic_trace(lambda x: (x, len))


@case('torch.fx.symbolic_trace')
def sequential_and_retrace(torch):
    nn = torch.nn
    seq = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    gm = torch.fx.symbolic_trace(seq)
    again = torch.fx.symbolic_trace(gm)
    x = torch.randn(2, 3)
    return gm.code, again.code, str(again.graph), again(x), seq(x), type(again).__name__


@case('torch.fx.symbolic_trace')
def attention_block(torch):
    import math
    nn, F = torch.nn, torch.nn.functional

    class Attention(nn.Module):
        def __init__(self, d=8, heads=2):
            super().__init__()
            self.heads = heads
            self.qkv = nn.Linear(d, 3 * d)
            self.proj = nn.Linear(d, d)
            self.register_buffer('mask', torch.ones(3, 3).triu(1).bool())

        def forward(self, x, mask=None):
            b, t, d = x.shape
            q, k, v = self.qkv(x).chunk(3, dim=-1)
            q = q.view(b, t, self.heads, d // self.heads).transpose(1, 2)
            k = k.view(b, t, self.heads, d // self.heads).transpose(1, 2)
            v = v.view(b, t, self.heads, d // self.heads).transpose(1, 2)
            att = q @ k.transpose(-2, -1) / math.sqrt(k.size(-1))
            att = att.masked_fill(self.mask, float('-inf')) + self.mask
            y = F.softmax(att, dim=-1) @ v
            y = y.transpose(1, 2).contiguous().view(b, t, d)
            return self.proj(y)
    m = Attention()
    gm = torch.fx.symbolic_trace(m)
    x = torch.randn(2, 3, 8)
    return gm.code, gm(x), m(x)


@case('torch.fx.symbolic_trace')
def factories_methods_and_shared_modules(torch):
    nn, F = torch.nn, torch.nn.functional

    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(3, 3)
            self.k = 3
            self.emb = nn.Embedding(5, 3)

        def forward(self, x, idx):
            z = torch.zeros((x.shape[0], self.k), dtype=torch.float64)
            y = self.lin(self.lin(x)) + self.lin.weight.sum() + self.lin.weight.mean()
            y = F.relu(y, inplace=True).to(torch.float64) + z
            e = F.embedding(idx, self.emb.weight) + self.emb(idx)
            w = F.pad(x, (1, 1), value=0.5)
            n = F.normalize(x, dim=-1)
            s = torch.einsum('ij,kj->ik', x, x)
            return y.T, e.size(), w.dim(), n, s, torch.arange(x.size(0)), x.new_zeros(2), x.to(device='cpu')
    m = M()
    gm = torch.fx.symbolic_trace(m)
    x, idx = torch.randn(2, 3), torch.tensor([1, 4])
    return gm.code, str(gm.graph), gm(x, idx)


@case('torch.fx.symbolic_trace')
def varargs_and_outputs(torch):
    def f(x, *rest):
        return {'first': x, 'more': [r * 2 for r in rest[:1]]}, None
    gm = torch.fx.symbolic_trace(lambda x, y: ({'s': x + y, 'l': [x, (y, 1)]}, None))
    return gm.code, str(gm.graph), gm(torch.ones(1), torch.ones(1))


@case('torch.fx.GraphModule')
def deepcopy_and_shape_prop_readable(torch):
    import copy
    sp = importlib.import_module(torch.__name__ + '.fx.passes.shape_prop')
    net, _ = _with_block(torch)
    gm = torch.fx.symbolic_trace(net)
    gm2 = copy.deepcopy(gm)
    x = torch.randn(2, 4)
    sp.ShapeProp(gm2).propagate(x)
    meta = [repr(n.meta.get('tensor_meta')) for n in gm2.graph.nodes]
    return gm2.code, gm2(x), gm(x), meta, type(gm2).__name__


@case('torch.fx.GraphModule')
def wrong_number_of_arguments(torch):
    gm = torch.fx.symbolic_trace(lambda x, y: x + y)
    gm(torch.ones(1))


@case('torch.fx.Graph')
def find_nodes_and_node_copy(torch):
    gm = torch.fx.symbolic_trace(lambda x: torch.relu(x) + torch.relu(x * 2))
    relus = [n.name for n in gm.graph.nodes if n.target == torch.relu]
    g = torch.fx.Graph()
    env = {}
    for n in gm.graph.nodes:
        if n.op == 'output':
            g.output(torch.fx.map_arg(n.args[0], lambda a: env[a]))
        else:
            env[n] = g.node_copy(n, lambda a: env[a])
    new = torch.fx.GraphModule(gm, g)
    return relus, new.code, new(torch.tensor([-1., 2.]))


@case('torch.fx.symbolic_trace')
def factory_with_proxy_sizes(torch):
    torch.fx.symbolic_trace(lambda x: torch.zeros(x.shape[0], 3))


_RECORDED = '''F.relu(x) F.relu6(x) F.elu(x) F.selu(x) F.celu(x) F.leaky_relu(x) F.hardtanh(x) F.hardswish(x)
F.mish(x) F.softplus(x) F.glu(x) F.gelu(x,approximate='tanh') F.silu(x) F.softmax(x,1) F.log_softmax(x,dim=1)
F.softmin(x,1) F.normalize(x) F.dropout(x) F.dropout2d(x) F.linear(x,x) F.layer_norm(x,[4]) F.group_norm(x,2)
F.batch_norm(x,x[0],x[0]) F.rms_norm(x,[4]) F.conv1d(x.unsqueeze(0),x.unsqueeze(1)) F.max_pool1d(x.unsqueeze(0),2)
F.max_pool2d(x.unsqueeze(0),2) F.avg_pool2d(x.unsqueeze(0),2) F.adaptive_avg_pool2d(x.unsqueeze(0),2)
F.adaptive_max_pool2d(x.unsqueeze(0),2) F.pad(x,(1,1)) F.interpolate(x.unsqueeze(0),size=8)
F.upsample_nearest(x.unsqueeze(0),size=8) F.embedding(x.long(),x) F.one_hot(x.long()) F.cross_entropy(x,x.argmax(1))
F.nll_loss(x,x.argmax(1)) F.mse_loss(x,x) F.l1_loss(x,x) F.smooth_l1_loss(x,x) F.binary_cross_entropy_with_logits(x,x)
F.kl_div(x,x) F.cosine_similarity(x,x) F.scaled_dot_product_attention(x,x,x) F.unfold(x.view(1,1,4,4),2)
F.threshold(x,0.1,0.) F.hardshrink(x) F.prelu(x,x[0]) F.sigmoid(x) F.tanh(x) torch.split(x,2) torch.chunk(x,2)
torch.max(x,1) torch.norm(x) torch.einsum('ij,jk->ik',x,x) torch.meshgrid(x[0],x[1],indexing='ij')
torch.unique(x) torch.special.erf(x) torch.special.expit(x) torch.linalg.norm(x) torch.linalg.vector_norm(x)
torch.fft.rfft(x) torch.std_mean(x) torch.dropout(x,0.5,True) torch.layer_norm(x,[4]) torch.add(x,x,alpha=2)
torch.where(x>0,x,0.) torch.full_like(x,2) torch.cdist(x,x) torch.masked_fill(x,x>0,0.) torch.numel(x)'''.split()


@case('torch.fx.symbolic_trace')
def names_and_arguments_torch_records(torch):
    F = torch.nn.functional
    out = []
    for expr in _RECORDED:
        gm = torch.fx.symbolic_trace(eval('lambda x: ' + expr, {'torch': torch, 'F': F}))
        out.append(' | '.join(line.strip() for line in gm.code.splitlines()[4:-2]))
    return out


def _nested(torch):
    nn = torch.nn

    class Inner(nn.Module):
        def __init__(self):
            super().__init__()
            self.l = nn.Linear(3, 3)

        def forward(self, x):
            return self.l(x).relu()

    class Outer(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = Inner()
            self.p = nn.Parameter(torch.ones(3))

        def forward(self, x, y=None):
            return self.inner(self.inner(x)) * self.p, x.shape
    return Outer(), Inner


@case('torch.fx.GraphModule')
def print_readable_with_shapes_and_submodules(torch):
    sp = importlib.import_module(torch.__name__ + '.fx.passes.shape_prop')
    outer, Inner = _nested(torch)
    gm = torch.fx.symbolic_trace(outer)
    sp.ShapeProp(gm).propagate(torch.randn(2, 3))
    first = gm.print_readable(print_output=False)
    gm2 = torch.fx.symbolic_trace(outer)
    added = gm2.add_submodule('sub', torch.fx.symbolic_trace(Inner()))
    second = gm2.print_readable(print_output=False)
    deleted = gm2.delete_submodule('sub'), gm2.delete_submodule('nope')
    gm2.add_submodule('a.b', torch.nn.ReLU())
    with_extra = str(gm2)
    gm2.delete_all_unused_submodules()
    stacks = [(n.name, [(k, v[0], v[1].__name__) for k, v in n.meta.get('nn_module_stack', {}).items()])
              for n in gm.graph.nodes]
    return first, added, second, deleted, with_extra, str(gm2), stacks


@case('torch.fx.replace_pattern')
def replace_pattern_twice(torch):
    class M(torch.nn.Module):
        def forward(self, x, w1, w2):
            m1 = torch.cat([w1, w2]).sum()
            m2 = torch.cat([w1, w2]).sum()
            y = torch.relu(x).neg() + m1 + m2
            return torch.relu(y).neg()

    def pattern(w1, w2):
        return torch.cat([w1, w2]).sum()

    def replacement(w1, w2):
        return torch.stack([w1, w2])

    def pattern2(x):
        return torch.relu(x).neg()

    def replacement2(x):
        return torch.sigmoid(x) * 2
    gm = torch.fx.symbolic_trace(M())
    matches = torch.fx.replace_pattern(gm, pattern, replacement)
    first = gm.code
    described = [(str(m.anchor), sorted((str(k), str(v)) for k, v in m.nodes_map.items())) for m in matches]
    n = len(torch.fx.replace_pattern(gm, pattern2, replacement2))
    sr = importlib.import_module(torch.__name__ + '.fx.subgraph_rewriter')
    return (first, described, type(matches[0]).__name__, gm.code, n, gm(torch.ones(2), torch.ones(2), torch.ones(2)),
            sr.replace_pattern is torch.fx.replace_pattern)


@case('torch.fx.replace_pattern')
def replace_pattern_no_match_and_internal_use(torch):
    def f(x):
        a = torch.relu(x)
        b = a.neg()
        return b + a       # relu feeds something outside the pattern: no match

    def pattern(x):
        return torch.relu(x).neg()
    gm = torch.fx.symbolic_trace(f)
    matches = torch.fx.replace_pattern(gm, pattern, lambda x: torch.tanh(x))
    return len(matches), gm.code


@case('torch.fx.symbolic_trace')
def tensor_operators_with_proxy_operands(torch):
    def f(x):
        c = torch.ones(2)
        return (c + x, c * x, c - x, c @ x, c.add(x), c / x, c % x, c ** x, c > x, c == x, c.expand_as(x),
                c.masked_fill(x > 0, 0.), torch.add(c, x), c.type_as(x))
    gm = torch.fx.symbolic_trace(f)
    x = torch.tensor([0.5, 2.])
    return gm.code, gm(x), f(x)


@case('torch.fx.GraphModule')
def pickle_and_save_round_trip(torch):
    import io
    import pickle

    class M(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.l = torch.nn.Linear(2, 2)
            self.register_buffer('b', torch.ones(2))

        def forward(self, x):
            return abs(torch.relu(self.l(x)) + self.b), x.shape
    gm = torch.fx.symbolic_trace(M())
    gm2 = pickle.loads(pickle.dumps(gm))
    buf = io.BytesIO()
    torch.save(gm, buf)
    buf.seek(0)
    gm3 = torch.load(buf, weights_only=False)
    x = torch.tensor([[1., -2.]])
    return gm2.code, str(gm2), gm2(x), gm3(x), gm(x), type(gm3).__name__, str(gm3.graph)


@case('torch.fx.proxy.GraphAppendingTracer')
def proxies_appending_to_a_graph(torch):
    proxy_mod = importlib.import_module(torch.__name__ + '.fx.proxy')
    g = torch.fx.Graph()
    tracer = proxy_mod.GraphAppendingTracer(g)
    x = torch.fx.Proxy(g.placeholder('x'), tracer)
    y = torch.fx.Proxy(g.placeholder('y'))
    out = x.relu() + y * 2 + x.sum()
    g.output(out.node)
    gm = torch.fx.GraphModule(torch.nn.Module(), g)
    return str(g), gm.code, gm(torch.tensor([-1., 2.]), torch.tensor([3., 4.])), repr(x)


@case('torch.fx.experimental.optimization.fuse')
def fuse_conv_bn_and_remove_dropout(torch):
    opt = importlib.import_module(torch.__name__ + '.fx.experimental.optimization')
    nn = torch.nn
    m = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Dropout(0.5), nn.Flatten(),
                      nn.Linear(16, 3), nn.BatchNorm1d(3)).eval()
    with torch.no_grad():
        m[1].running_mean.uniform_()
        m[1].running_var.uniform_(0.5, 2)
    fused = opt.fuse(m)
    x = torch.randn(2, 1, 4, 4)
    removed = opt.remove_dropout(m.train())
    return fused.code, str(fused), fused(x), m.eval()(x), removed.code, type(removed).__name__


@case('torch.fx.Transformer')
def transformer_decomposes_with_torch_functions(torch):
    F = torch.nn.functional

    class Decompose(torch.fx.Transformer):
        def call_function(self, target, args, kwargs):
            if target == F.gelu:
                x = args[0]
                return x * 0.5 * (1.0 + torch.erf(x / 1.4142135623730951))
            return super().call_function(target, args, kwargs)
    gm = torch.fx.symbolic_trace(lambda x: F.gelu(x) + 1)
    new = Decompose(gm).transform()
    x = torch.tensor([-1., 0.5, 2.])
    return new.code, str(new.graph), new(x), gm(x)


@case('torch.fx.symbolic_trace')
def star_args_and_kwargs(torch):
    class KW(torch.nn.Module):
        def forward(self, x, *rest, scale=2, **kw):
            return x * scale + rest[0]

    class VA(torch.nn.Module):
        def forward(self, *xs):
            return xs[0] + xs[1]
    return (torch.fx.symbolic_trace(KW()).code, str(torch.fx.symbolic_trace(KW()).graph),
            torch.fx.symbolic_trace(VA()).code)


@case('torch.fx.symbolic_trace')
def module_created_in_forward(torch):
    class Inline(torch.nn.Module):
        def forward(self, x):
            return torch.nn.ReLU()(x)
    try:                        # the runner counts a NameError from torch as a broken case: catch it
        torch.fx.symbolic_trace(Inline())
    except NameError as e:
        return type(e).__name__, str(e)


@case('torch.fx.symbolic_trace')
def proxy_as_dict_key(torch):
    torch.fx.symbolic_trace(lambda x: {x: 1})


@case('torch.fx.symbolic_trace')
def proxy_to_int(torch):
    torch.fx.symbolic_trace(lambda x: int(x))


@case('torch.fx.symbolic_trace')
def proxy_in_range(torch):
    torch.fx.symbolic_trace(lambda x: range(x.shape[0]))


@case('torch.fx.symbolic_trace')
def proxy_membership(torch):
    torch.fx.symbolic_trace(lambda x: 1 in x)


@case('torch.fx.symbolic_trace')
def proxy_item_assignment(torch):
    def f(x):
        x[0] = 1
        return x
    torch.fx.symbolic_trace(f)


@case('torch.fx.symbolic_trace')
def assorted_recordings(torch):
    def iadd(x):
        x += 1
        return x
    fns = [lambda x: x.tolist(), lambda x: x.sum().item() + 1, lambda x: torch._assert(x.sum() > 0, 'msg'),
           lambda x: x.__setitem__(0, 1), iadd, lambda x: str(x), lambda x: f'{x}',
           lambda x: isinstance(x, torch.Tensor), lambda x: x.to(x.dtype).new_ones(3, dtype=torch.int64),
           lambda x: x.to(torch.device('cpu')), lambda x: x.clamp(max=float('inf'), min=float('nan')),
           lambda x: x[..., None, 1:3:2], lambda xs: xs[0] + xs[1], lambda: 1, lambda x: 3]
    gm = torch.fx.symbolic_trace(lambda x, y=2: x * y)
    return [torch.fx.symbolic_trace(f).code for f in fns], gm(torch.ones(1), y=3)


@case('torch.fx.GraphModule')
def get_attr_of_missing_attribute(torch):
    g = torch.fx.Graph()
    g.get_attr('nope')
    g.output(None)
    torch.fx.GraphModule(torch.nn.Module(), g)


@case('torch.fx.Tracer')
def feature_extractor_tracer(torch):
    """A tracer in the style of torchvision's create_feature_extractor: scopes recorded through
    call_module/create_proxy overrides, the output replaced by a dict of inner nodes."""
    nn = torch.nn

    class ScopeTracer(torch.fx.Tracer):
        def __init__(self):
            super().__init__()
            self.scopes, self.qualname = [], {}

        def call_module(self, m, forward, args, kwargs):
            self.scopes.append(self.path_of_module(m))
            try:
                return super().call_module(m, forward, args, kwargs)
            finally:
                self.scopes.pop()

        def create_proxy(self, kind, target, args, kwargs, name=None, type_expr=None, *rest, **kw):
            proxy = super().create_proxy(kind, target, args, kwargs, name, type_expr, *rest, **kw)
            self.qualname[proxy.node] = '.'.join(self.scopes) or kind
            return proxy

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(2, 2, 1)
            self.bn = nn.BatchNorm2d(2)

        def forward(self, x):
            return torch.relu(self.bn(self.conv(x))) + x

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Conv2d(1, 2, 3)
            self.layer1, self.layer2 = Block(), Block()
            self.fc = nn.Linear(2, 5)

        def forward(self, x):
            x = self.layer2(self.layer1(self.stem(x)))
            return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))
    net = Net()
    tracer = ScopeTracer()
    gm = torch.fx.GraphModule(net, tracer.trace(net))
    scopes = sorted((n.name, q) for n, q in tracer.qualname.items())
    outs = {tracer.qualname[n]: n for n in gm.graph.nodes if tracer.qualname.get(n) in ('layer1', 'fc')}
    gm.graph.erase_node(next(n for n in gm.graph.nodes if n.op == 'output'))
    gm.graph.output(outs)
    gm.graph.eliminate_dead_code()
    gm.delete_all_unused_submodules()
    gm.recompile()
    return scopes, gm.code, str(gm), gm(torch.randn(1, 1, 5, 5))


@case('torch.fx.symbolic_trace')
def annotated_forward(torch):
    import typing

    class M(torch.nn.Module):
        def forward(self, x: torch.Tensor, n: int = 2, m: typing.Optional[torch.Tensor] = None,
                    sizes: typing.List[int] = None) -> typing.Tuple[torch.Tensor, int]:
            return x * n, n

    def f(x: 'torch.Tensor', d: dict[str, int] = None) -> torch.Tensor:
        return x + 1
    gm = torch.fx.symbolic_trace(M())
    gm2 = torch.fx.symbolic_trace(f)
    return gm.code, str(gm.graph), gm(torch.ones(2), 3), gm2.code, str(gm2.graph), gm2(torch.ones(1))


@case('torch.fx.symbolic_trace')
def containers_rnn_and_attention(torch):
    nn = torch.nn

    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
            self.heads = nn.ModuleDict({'a': nn.Linear(4, 2), 'b': nn.Linear(4, 1)})
            self.lstm = nn.LSTM(4, 4, batch_first=True)
            self.attn = nn.MultiheadAttention(4, 2, batch_first=True)
            self.enc = nn.TransformerEncoderLayer(4, 2, 8, batch_first=True)
            self.params = nn.ParameterList([nn.Parameter(torch.ones(4)) for _ in range(2)])

        def forward(self, x):
            for i, layer in enumerate(self.layers):
                x = layer(x) + self.params[i % 2]
            out, (h, c) = self.lstm(x)
            a, w = self.attn(out, out, out, need_weights=False)
            e = self.enc(a)
            return {k: head(e) for k, head in self.heads.items()}, h.squeeze(0)
    m = M().eval()
    gm = torch.fx.symbolic_trace(m)
    x = torch.randn(2, 3, 4)
    return gm.code, str(gm), gm(x), m(x)


@case('torch.fx.Tracer')
def trace_through_library_modules(torch):
    """A tracer that treats no module as a leaf records the functional calls inside nn modules."""
    fx, nn = torch.fx, torch.nn

    class Open(fx.Tracer):
        def is_leaf_module(self, m, qualname):
            return False
    m = nn.Sequential(nn.ReLU(), nn.MaxPool2d(2), nn.AvgPool2d(2, ceil_mode=True), nn.SiLU(),
                      nn.AdaptiveAvgPool2d(1), nn.Hardswish(inplace=True))
    graph = Open().trace(m)
    gm = fx.GraphModule(m, graph)
    x = torch.randn(1, 2, 8, 8)
    return str(graph), gm.code, gm(x), [n.target.__name__ for n in graph.nodes if n.op == 'call_function']


@case('torch.fx.Graph')
def alias_targets_print_their_names(torch):
    fx = torch.fx
    g = fx.Graph()
    x = g.placeholder('x')
    y = g.call_function(torch.arctan, (x,))
    y = g.call_function(torch.clip, (y,), {'min': 0.0})
    y = g.call_function(torch.multiply, (y, y))
    y = g.call_function(torch.negative, (y,))
    g.output(g.call_function(torch.atan, (y,)))
    gm = fx.GraphModule(torch.nn.Module(), g)
    return (gm.code, gm(torch.tensor([0.5, -1.0, 2.0])), torch.arctan.__name__, torch.clip.__name__,
            torch.arctan(torch.tensor([1.0])))


@case('torch.fx.Proxy')
def inline_traced_module_through_proxy(torch):
    """Calling a traced module with a Proxy (outside any trace) records its ops into the Proxy's graph."""
    fx = torch.fx

    class Cat(torch.nn.Module):
        def forward(self, x, y):
            return torch.cat([x, y]) * 2

    traced = fx.symbolic_trace(Cat())
    act = fx.symbolic_trace(torch.nn.LeakyReLU(0.2))
    out = next(n for n in traced.graph.nodes if n.op == 'output')
    last = out.args[0]
    with traced.graph.inserting_after(last):
        new = act(fx.Proxy(last))
    out.args = (new.node,)
    traced.recompile()
    x, y = torch.randn(2, 3), torch.randn(1, 3)
    return str(traced.graph), traced.code, traced(x, y), type(fx.Proxy(last).tracer).__name__


@case('torch.fx.Proxy')
def inline_wrapped_function_with_map_arg(torch):
    fx = torch.fx
    g = fx.Graph()
    a, b = g.placeholder('a'), g.placeholder('b')
    call = g.call_function(torch.add, (a, b))
    g.output(call)
    with g.inserting_before(call):
        args = fx.node.map_arg(call.args, fx.Proxy)
        replaced = (args[0].float().sigmoid() + args[1]).half()
    call.replace_all_uses_with(replaced.node)
    g.erase_node(call)
    gm = fx.GraphModule(torch.nn.Module(), g)
    return gm.code, gm(torch.ones(2, dtype=torch.half), torch.ones(2, dtype=torch.half))


@case('torch.fx.Proxy')
def inline_library_module_call(torch):
    """A call_module node replaced by calling the module itself on Proxies of its arguments."""
    fx = torch.fx

    class M(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.act = torch.nn.Hardtanh(-0.5, 0.5)
            self.pool = torch.nn.MaxPool1d(2)

        def forward(self, x):
            return self.pool(self.act(x)) + 1.0

    m = fx.symbolic_trace(M())
    for node in list(m.graph.nodes):
        if node.op == 'call_module':
            with m.graph.inserting_before(node):
                out = getattr(m, node.target)(*fx.node.map_arg(node.args, fx.Proxy))
            node.replace_all_uses_with(out.node)
            m.graph.erase_node(node)
    m.recompile()
    return m.code, m(torch.linspace(-1, 1, 8).reshape(1, 1, 8))


@case('torch.fx.Proxy')
def graph_from_proxies_without_tracing(torch):
    """Proxies around raw nodes record torch functions; Proxies of one graph made separately carry
    different tracers, which torch refuses to mix in one function."""
    fx = torch.fx
    g = fx.Graph()
    x = fx.Proxy(g.placeholder('x'))
    y = fx.Proxy(g.placeholder('y'), x.tracer)
    out = torch.neg(torch.tanh(torch.cat([x, y]))) * torch.nn.functional.softplus(x).sum()
    g.output(out.node)
    gm = fx.GraphModule(torch.nn.Module(), g)
    del x, y, out
    return gm.code, gm(torch.ones(2), torch.zeros(1)), torch.tanh(torch.tensor([0.5]))


@case('torch.fx.Proxy')
def proxies_with_different_tracers(torch):
    g = torch.fx.Graph()
    a, b = torch.fx.Proxy(g.placeholder('a')), torch.fx.Proxy(g.placeholder('b'))
    try:
        torch.cat([a, b])
    except RuntimeError as e:   # the message names objects by address
        return re.sub('0x[0-9a-f]+', '0x?', str(e))
