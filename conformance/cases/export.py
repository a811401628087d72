"""torch.export.export: the ExportedProgram's printed graph and signature, ep.module() (its code and
results on new inputs), dynamic batch dims, run_decompositions, save/load, and the errors of misuse.

Printed text is compared without the `# File: ...` source comments and the blank lines between
them: torch points them at its own module files, faketorch records no source lines."""
import io

from conformance import case


def _text(s):
    keep = [line.rstrip() for line in str(s).splitlines()
            if line.strip() and not line.strip().startswith(('# File:', '# No stacktrace'))]
    return '\n'.join(keep)


def _tutorial(torch):
    class MyModule(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(100, 10)

        def forward(self, x, y):
            return torch.nn.functional.relu(self.lin(x + y), inplace=True)
    return MyModule()


def _tutorial_ep(torch):
    return torch.export.export(_tutorial(torch), (torch.randn(8, 100), torch.randn(8, 100)))


def _cnn(torch):
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Dropout(), nn.Linear(2, 3), nn.LayerNorm(3), nn.Softmax(-1)).eval()


def _stateful(torch):
    nn, F = torch.nn, torch.nn.functional

    class A(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer('scale', torch.ones(3) * 2)
            self.c = torch.tensor([1., 2., 3.])
            self.e = nn.Embedding(5, 3)
            self.register_buffer('np', torch.full((4,), 0.5), persistent=False)

        def forward(self, x, idx, *, bias=None):
            h = self.e(idx) * self.scale + self.c
            y = x.view(2, -1).reshape(3, 2).permute(1, 0)
            z = torch.cat([h, h], dim=0) @ h.T
            w = F.softmax(z, dim=-1) + torch.softmax(z, 1) - x.sum() / 2
            w = w.mean(dim=1) + self.np + bias
            return w, y, {'a': torch.relu(w), 'b': F.gelu(z)}
    return A()


def _stateful_args(torch):
    return (torch.randn(6), torch.tensor([1, 2])), {'bias': torch.ones(4)}


def _ops(torch):
    F = torch.nn.functional

    class B(torch.nn.Module):
        def forward(self, x):
            a = x + 1
            b = 2 * x
            c = x - x
            d = -x
            e = x ** 2
            f = x[0]
            g = x[:, 1:]
            i = x.flatten(0)
            k = torch.sigmoid(x).tanh().exp().abs()
            m = x.transpose(0, 1).contiguous().unsqueeze(0).squeeze(0)
            n = x.t()
            o = F.avg_pool2d(x.unsqueeze(0), 2)
            p = F.adaptive_avg_pool2d(x.unsqueeze(0), 1)
            q = x.clamp(0, 1)
            r = x.max()
            s = x.argmax(dim=1)
            t = torch.matmul(x, x.t()) / 3
            u = torch.stack([x, x], 1).sum(dim=(0, 2), keepdim=True)
            return a, b, c, d, e, f, g, i, k, m, n, o, p, q, r, s, t, u, x.shape[1] * x
    return B()


def _dynamic(torch):
    nn, F = torch.nn, torch.nn.functional

    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 3)

        def forward(self, x):
            return F.relu(self.fc(x)).view(x.size(0), -1).sum(1)
    return M()


def _dynamic_ep(torch):
    batch = torch.export.Dim('batch', min=2, max=64)
    return torch.export.export(_dynamic(torch), (torch.randn(8, 4),), dynamic_shapes={'x': {0: batch}})


@case('torch.export.export')
def tutorial_printed(torch):
    ep = _tutorial_ep(torch)
    print(_text(ep))
    return type(ep).__name__, _text(ep.graph), ep.graph_module.code, str(ep.graph_signature)


@case('torch.export.export')
def tutorial_module_code(torch):
    m = _tutorial_ep(torch).module()
    return repr(m), m.code, _text(m.print_readable(print_output=False)), _text(m.graph)


@case('torch.export.export')
def tutorial_module_runs(torch):
    mod = _tutorial(torch)
    ep = torch.export.export(mod, (torch.randn(8, 100), torch.randn(8, 100)))
    x, y = torch.randn(8, 100), torch.randn(8, 100)
    return ep.module()(x, y), mod(x, y)


@case('torch.export.ExportedProgram')
def signature_specs(torch):
    sig = _tutorial_ep(torch).graph_signature
    return (repr(sig.input_specs), repr(sig.output_specs), sig.user_inputs, sig.user_outputs, sig.parameters,
            sig.buffers, sig.inputs_to_parameters, sig.inputs_to_buffers)


@case('torch.export.ExportedProgram')
def state_and_parameters(torch):
    ep = _tutorial_ep(torch)
    return (list(ep.state_dict), [n for n, _ in ep.named_parameters()], [n for n, _ in ep.named_buffers()],
            ep.constants, ep.range_constraints, ep.state_dict['lin.bias'], len(list(ep.parameters())))


@case('torch.export.export')
def cnn_eval_graph(torch):
    m = _cnn(torch)
    ep = torch.export.export(m, (torch.randn(2, 1, 4, 4),))
    x = torch.randn(5, 1, 4, 4)[:2]
    return ep.graph_module.code, str(ep.graph_signature), ep.module()(x), m(x)


@case('torch.export.export')
def buffers_constants_kwargs(torch):
    m = _stateful(torch)
    args, kwargs = _stateful_args(torch)
    ep = torch.export.export(m, args, kwargs)
    print(_text(ep))
    x, idx, bias = torch.randn(6), torch.tensor([4, 0]), torch.randn(4)
    return (ep.graph_module.code, ep.module().code, ep.module()(x, idx, bias=bias), m(x, idx, bias=bias),
            list(ep.state_dict), sorted(ep.constants), ep.graph_signature.lifted_tensor_constants,
            ep.graph_signature.non_persistent_buffers, [n for n, _ in ep.named_buffers()])


@case('torch.export.export')
def many_ops(torch):
    m = _ops(torch)
    ep = torch.export.export(m, (torch.randn(2, 4),))
    x = torch.randn(2, 4)
    print(_text(ep))
    return ep.module()(x), m(x)


@case('torch.export.export')
def tensor_made_in_forward(torch):
    class M(torch.nn.Module):
        def forward(self, x):
            return x[0] + torch.tensor([1.0, 2, 3, 4])
    ep = torch.export.export(M(), (torch.randn(2, 4),))
    x = torch.randn(2, 4)
    return _text(ep), ep.module()(x), ep.constants


@case('torch.export.Dim')
def dynamic_batch_printed(torch):
    ep = _dynamic_ep(torch)
    return _text(ep), ep.module().code, repr(ep.range_constraints)


@case('torch.export.Dim')
def dynamic_batch_runs(torch):
    m = _dynamic(torch)
    batch = torch.export.Dim('batch', min=2, max=64)
    mm = torch.export.export(m, (torch.randn(8, 4),), dynamic_shapes={'x': {0: batch}}).module()
    x = torch.randn(3, 4)
    y = torch.randn(64, 4)
    return mm(x), m(x), mm(y), m(y)


@case('torch.export.Dim')
def dynamic_batch_guard_max(torch):
    return _dynamic_ep(torch).module()(torch.randn(100, 4))


@case('torch.export.Dim')
def dynamic_batch_guard_static_dim(torch):
    return _dynamic_ep(torch).module()(torch.randn(3, 5))


@case('torch.export.Dim')
def dynamic_shapes_tuple_auto(torch):
    ep = torch.export.export(_dynamic(torch), (torch.randn(8, 4),), dynamic_shapes=({0: torch.export.Dim.AUTO},))
    return repr(ep.range_constraints), ep.module()(torch.randn(5, 4)).shape


@case('torch.export.Dim')
def dynamic_shapes_wrong_key(torch):
    batch = torch.export.Dim('batch')
    torch.export.export(_dynamic(torch), (torch.randn(8, 4),), dynamic_shapes={'y': {0: batch}})


@case('torch.export.export')
def static_shape_guard(torch):
    ep = torch.export.export(_dynamic(torch), (torch.randn(8, 4),))
    return ep.module()(torch.randn(3, 4))


@case('torch.export.export')
def module_wrong_arity(torch):
    ep = torch.export.export(_dynamic(torch), (torch.randn(8, 4),))
    return ep.module()(torch.randn(8, 4), torch.randn(1))


@case('torch.export.ExportedProgram')
def call_program_directly(torch):
    ep = torch.export.export(_dynamic(torch), (torch.randn(8, 4),))
    return ep(torch.randn(8, 4))


@case('torch.export.export')
def args_not_tuple(torch):
    torch.export.export(_dynamic(torch), torch.randn(8, 4))


@case('torch.export.export')
def not_a_module(torch):
    torch.export.export(lambda x: x, (torch.randn(8, 4),))


@case('torch.export.ExportedProgram.run_decompositions')
def tutorial_decomposed(torch):
    ep = _tutorial_ep(torch).run_decompositions()
    x, y = torch.randn(8, 100), torch.randn(8, 100)
    return _text(ep), ep.module()(x, y).shape


@case('torch.export.save')
def save_load_round_trip(torch):
    m = _stateful(torch)
    args, kwargs = _stateful_args(torch)
    ep = torch.export.export(m, args, kwargs)
    f = io.BytesIO()
    torch.export.save(ep, f)
    f.seek(0)
    loaded = torch.export.load(f)
    x, idx, bias = torch.randn(6), torch.tensor([3, 1]), torch.randn(4)
    return (_text(loaded.graph_signature), loaded.graph_module.code, loaded.module()(x, idx, bias=bias),
            m(x, idx, bias=bias))


def _more_ops(torch):
    F = torch.nn.functional

    class M(torch.nn.Module):
        def forward(self, x, m):
            a = torch.where(m, x, 0.0)
            b = x.masked_fill(m, -1.0)
            c, d = x.split(2, dim=1)
            e, f = torch.chunk(x, 2, 1)
            g = x.float()
            h = x.to(torch.float64)
            i = m.long()
            q = x.view(2, 2, 2).unsqueeze(0)
            j = F.scaled_dot_product_attention(q, q, q)
            k = x.expand(2, 2, 4)
            n = torch.tanh(x) * torch.rsqrt(x.abs() + 1)
            o = F.silu(x) + F.leaky_relu(x, 0.2) + F.gelu(x, approximate='tanh')
            p = x.max(dim=1)
            return (a, b, c, d, e, f, g, h, i, j, k, x.repeat(1, 2), n, o, p.values, p.indices, x.mean(),
                    F.log_softmax(x, 1), F.dropout(x, 0.1, False))
    return M()


@case('torch.export.export')
def more_ops_graph(torch):
    m = _more_ops(torch)
    ep = torch.export.export(m, (torch.randn(2, 4), torch.randn(2, 4) > 0))
    x = torch.randn(2, 4)
    return ep.graph_module.code, ep.module()(x, x > 0.5), m(x, x > 0.5)


class _Specializes:
    def __init__(self, torch):
        class M(torch.nn.Module):
            def forward(self, x):
                return x.view(8, -1)
        self.m = M()


@case('torch.export.Dim')
def dynamic_dim_specialized(torch):
    batch = torch.export.Dim('batch', min=2, max=64)
    torch.export.export(_Specializes(torch).m, (torch.randn(8, 4),), dynamic_shapes={'x': {0: batch}})


@case('torch.export.Dim')
def dynamic_dim_auto_specialized(torch):
    ep = torch.export.export(_Specializes(torch).m, (torch.randn(8, 4),),
                             dynamic_shapes={'x': {0: torch.export.Dim.AUTO}})
    return repr(ep.range_constraints), ep.graph_module.code


@case('torch.export.Dim')
def dynamic_example_out_of_range(torch):
    batch = torch.export.Dim('batch', min=2, max=64)
    torch.export.export(_dynamic(torch), (torch.randn(100, 4),), dynamic_shapes={'x': {0: batch}})


@case('torch.export.Dim')
def dynamic_flatten_symbols(torch):
    class N(torch.nn.Module):
        def forward(self, x):
            return x.flatten() * 2
    batch = torch.export.Dim('batch', min=2, max=64)
    ep = torch.export.export(N(), (torch.randn(8, 4),), dynamic_shapes={'x': {0: batch}})
    return _text(ep), ep.module()(torch.ones(5, 4))


@case('torch.export.Dim')
def dynamic_dim_shared_by_inputs(torch):
    class P(torch.nn.Module):
        def forward(self, x, y):
            return x + y
    batch = torch.export.Dim('batch', min=2, max=64)
    ep = torch.export.export(P(), (torch.randn(8, 4), torch.randn(8, 4)), dynamic_shapes=({0: batch}, {0: batch}))
    return repr(ep.range_constraints), _text(ep), ep.module()(torch.ones(3, 4), torch.ones(3, 4))


@case('torch.export.export')
def factories_in_forward(torch):
    class K(torch.nn.Module):
        def forward(self, x):
            return torch.arange(x.shape[0]) + x.sum(1), torch.ones(2, dtype=torch.int64), torch.zeros_like(x)
    ep = torch.export.export(K(), (torch.randn(4, 3),))
    return ep.graph_module.code, ep.module()(torch.ones(4, 3))


@case('torch.export.ExportedProgram.module')
def module_trains_and_no_mode_switch(torch):
    m = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU())
    mm = torch.export.export(m, (torch.randn(4, 3),)).module()
    out = mm(torch.randn(4, 3))
    out.sum().backward()
    return out.requires_grad, mm.get_submodule('0').weight.grad, [n for n, _ in mm.named_parameters()], str(mm)


@case('torch.export.ExportedProgram.module')
def module_eval_unsupported(torch):
    m = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU())
    torch.export.export(m, (torch.randn(4, 3),)).module().eval()


@case('torch.export.export')
def export_draws_no_random_numbers(torch):
    m = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Dropout(0.5))
    torch.export.export(m, (torch.randn(4, 3),))
    return torch.rand(3)


@case('torch.export.ExportedProgram')
def graph_module_printed(torch):
    ep = _tutorial_ep(torch)
    return str(ep.graph_module), _text(ep.graph_module.print_readable(print_output=False))


@case('torch.export.ExportedProgram.run_decompositions')
def cnn_decomposed(torch):
    m = _cnn(torch)
    ep = torch.export.export(m, (torch.randn(2, 1, 4, 4),)).run_decompositions()
    x = torch.randn(2, 1, 4, 4)
    return ep.graph_module.code, str(ep.graph_signature), ep.module()(x), m(x)


@case('torch.export.ExportedProgram.run_decompositions')
def ops_decomposed(torch):
    F = torch.nn.functional

    class B(torch.nn.Module):
        def forward(self, x):
            return (F.linear(x, torch.ones(5, 4)), x.mean(1), F.gelu(x), x.reshape(8), x.view(8).unsqueeze(0),
                    torch.cat([x, x]), x.transpose(0, 1), x[:, 1:], x[0], x.sum(), torch.log_softmax(x, 1), x * 2,
                    x / 2, x - 1, x.t(), x.squeeze(0), x.expand(3, 2, 4), x @ x.t())
    ep = torch.export.export(B(), (torch.randn(2, 4),)).run_decompositions()
    x = torch.randn(2, 4)
    return ep.graph_module.code, ep.module()(x), B()(x)


@case('torch.export.export')
def nested_inputs_param_outputs(torch):
    nn = torch.nn

    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.ones(2))
            self.lin = nn.Linear(2, 2)

        def forward(self, xs, d, y=None):
            a, b = xs
            return a, self.w, a + b * d['k'], self.lin.weight
    ep = torch.export.export(M(), ((torch.randn(2), torch.randn(2)), {'k': torch.randn(2)}))
    out = ep.module()((torch.ones(2), torch.ones(2) * 3), {'k': torch.ones(2) * 2})
    return _text(ep), ep.module().code, out[:3], out[3].shape


@case('torch.export.export')
def sequential_input_name(torch):
    m = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU())
    ep = torch.export.export(m, (torch.randn(4, 3),))
    mm = ep.module()
    return ep.graph_module.code, mm.code, _text(mm.print_readable(print_output=False)), str(ep.graph_signature)


class _NumberInput:
    def __init__(self, torch):
        class M(torch.nn.Module):
            def forward(self, x, n, flag=True):
                return x * n if flag else x
        self.ep = torch.export.export(M(), (torch.randn(2), 3), {'flag': True})


@case('torch.export.export')
def number_inputs_baked(torch):
    ep = _NumberInput(torch).ep
    return _text(ep), ep.module().code, repr(ep.graph_signature.input_specs), ep.module()(torch.ones(2), 3, flag=True)


@case('torch.export.export')
def number_input_guard(torch):
    return _NumberInput(torch).ep.module()(torch.ones(2), 4, flag=True)


def _saved_and_loaded_dynamic(torch):
    """A program with a dynamic batch dim (4..32), through torch.export.save and load."""
    class M(torch.nn.Module):
        def forward(self, x):
            return x.sum(1) * x.shape[0]
    b = torch.export.Dim('b', min=4, max=32)
    ep = torch.export.export(M(), (torch.randn(8, 3),), dynamic_shapes={'x': {0: b}})
    f = io.BytesIO()
    torch.export.save(ep, f)
    f.seek(0)
    return torch.export.load(f)


@case('torch.export.save')
def save_load_dynamic(torch):
    loaded = _saved_and_loaded_dynamic(torch)
    return repr(loaded.range_constraints), loaded.graph_module.code, loaded.module()(torch.ones(5, 3))


@case('torch.export.save')
def loaded_guard_min(torch):
    return _saved_and_loaded_dynamic(torch).module()(torch.ones(3, 3))
