"""torch.onnx.export on both of torch's paths (dynamo=True, the default, and the TorchScript one with
dynamo=False): what a user sees of the ModelProto (inputs, outputs, opset, the nodes and their
attributes, initializers) and what onnx's ReferenceEvaluator computes with it.

Every case that exports imports `onnx` first: where it is not installed both sides raise
ModuleNotFoundError and the runner calls the case broken, never a pass (the namespace cases, enums,
errors and operators, need no onnx). The missing-package errors themselves are checked in a
subprocess that hides the package (`missing_onnx_legacy`, `missing_onnxscript_dynamo`)."""
import importlib
import io
import os
import subprocess
import sys
import tempfile

from conformance import case

_NAME_PREFIXES = ('onnx::', 'val_', 'scalar_tensor_default')   # names of constants the exporters number


def _onnx():
    onnx = importlib.import_module('onnx')
    importlib.import_module('onnx.reference')
    return onnx


def _dims(v):
    return [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]


def _attr(onnx, a):
    v = onnx.helper.get_attribute_value(a)
    if isinstance(v, onnx.TensorProto):
        return onnx.numpy_helper.to_array(v).tolist()
    return v.decode() if isinstance(v, bytes) else v


def summary(torch, proto, inputs=(), names=True, params=None):
    """What a user reads of a ModelProto. names=False leaves out the node names and the names of the
    values between nodes (the exporters number them) but keeps graph inputs, outputs and the names of
    initializers that are `params` (the model's state_dict names), or else not numbered by name."""
    onnx = _onnx()
    g = proto.graph
    nodes = []
    for n in g.node:
        entry = [n.op_type, sorted((a.name, _attr(onnx, a)) for a in n.attribute)]
        if names:
            entry += [n.name, list(n.input), list(n.output)]
        nodes.append(entry)
    inits = {}
    numbered = []
    for i in g.initializer:
        array = onnx.numpy_helper.to_array(i)
        named = i.name in params if params is not None else not i.name.startswith(_NAME_PREFIXES)
        if names or named:
            inits[i.name] = torch.from_numpy(array.copy())
        else:
            numbered.append(array)
    # constants the exporter numbers: compared by value, in an order of their own (shape, values)
    numbered.sort(key=lambda a: (a.dtype.str, a.shape, a.tobytes()))
    for k, array in enumerate(numbered):
        inits[f'#{k}'] = torch.from_numpy(array.copy())
    result = {
        'ir_version': proto.ir_version, 'opset': [(o.domain, o.version) for o in proto.opset_import],
        'producer': proto.producer_name, 'graph': g.name,
        'inputs': [(v.name, v.type.tensor_type.elem_type, _dims(v)) for v in g.input],
        'outputs': [(v.name, v.type.tensor_type.elem_type, _dims(v)) for v in g.output],
        'nodes': nodes, 'initializers': inits,
    }
    if inputs:
        sess = onnx.reference.ReferenceEvaluator(proto)
        feeds = {v.name: x.numpy() for v, x in zip(g.input, inputs)}
        result['run'] = [torch.from_numpy(o) for o in sess.run(None, feeds)]
    return result


def legacy(torch, model, args, names=True, run=True, **kw):
    onnx = _onnx()
    buf = io.BytesIO()
    print(torch.onnx.export(model, args, buf, dynamo=False, **kw))
    proto = onnx.load_from_string(buf.getvalue())
    # the graph's inputs: the tensors of args, a trailing dict's (keyword inputs) included
    args = (args,) if isinstance(args, torch.Tensor) else args
    tensors = [a for a in args if isinstance(a, torch.Tensor)]
    keywords = args[-1] if args and isinstance(args[-1], dict) else kw.get('kwargs') or {}
    tensors += [a for a in keywords.values() if isinstance(a, torch.Tensor)]
    out = summary(torch, proto, tensors if run else (), names)
    out['version'] = proto.producer_version == torch.__version__.split('+')[0]
    return out


def dynamo(torch, model, args, names=True, **kw):
    _onnx()
    program = torch.onnx.export(model, args, **kw)
    proto = program.model_proto
    out = summary(torch, proto, args, names, set(model.state_dict()) if not names else None)
    out['version'] = proto.producer_version == torch.__version__
    out['type'] = type(program).__name__
    return out


# ------------------------------------------------------------------ models, built in either library

def mlp(torch):
    nn = torch.nn

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.act, self.fc2 = nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x)))
    return MLP().eval()


def cnn(torch):
    nn = torch.nn

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv, self.bn, self.pool = nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.MaxPool2d(2)
            self.drop, self.fc = nn.Dropout(0.5), nn.Linear(64, 10)

        def forward(self, x):
            x = self.pool(torch.relu(self.bn(self.conv(x))))
            x = torch.flatten(x, 1)
            return torch.log_softmax(self.fc(self.drop(x)), dim=1)
    m = CNN()
    with torch.no_grad():     # trained-looking statistics, so the folded Conv differs from the raw one
        m.bn.running_mean.uniform_(-0.5, 0.5)
        m.bn.running_var.uniform_(0.5, 2.0)
        m.bn.weight.uniform_(0.5, 1.5)
        m.bn.bias.uniform_(-0.2, 0.2)
    return m.eval()


def lenet(torch):
    """The 60-minute blitz's network."""
    nn, F = torch.nn, torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.conv2 = nn.Conv2d(1, 6, 5), nn.Conv2d(6, 16, 5)
            self.fc1, self.fc2, self.fc3 = nn.Linear(16 * 5 * 5, 120), nn.Linear(120, 84), nn.Linear(84, 10)

        def forward(self, input):
            c1 = F.relu(self.conv1(input))
            s2 = F.max_pool2d(c1, (2, 2))
            c3 = F.relu(self.conv2(s2))
            s4 = torch.flatten(F.max_pool2d(c3, 2), 1)
            return self.fc3(F.relu(self.fc2(F.relu(self.fc1(s4)))))
    return Net().eval()


def resnet(torch):
    """A residual network's shape: stem, a downsampling basic block, global pooling, classifier."""
    nn = torch.nn

    class BasicBlock(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

        def forward(self, x):
            identity = self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            out += identity
            return self.relu(out)

    class ResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 8, 3, 1, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(8)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            self.layer1 = nn.Sequential(BasicBlock(8, 16, 2))
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(16, 5)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.avgpool(self.layer1(x))
            return self.fc(torch.flatten(x, 1))
    m = ResNet()
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.running_mean.uniform_(-0.3, 0.3)
                mod.running_var.uniform_(0.5, 1.5)
    return m.eval()


class _Fn:
    """A module whose forward is f(self, x), with the given submodules."""

    def __new__(cls, torch, f, **mods):
        class Fn(torch.nn.Module):
            def __init__(self):
                super().__init__()
                for k, v in mods.items():
                    setattr(self, k, v)

            def forward(self, x):
                return f(self, x)
        return Fn().eval()


class _Fn2:
    """As _Fn, with forward(self, x, y)."""

    def __new__(cls, torch, f):
        class Fn2(torch.nn.Module):
            def forward(self, x, y):
                return f(self, x, y)
        return Fn2().eval()


def _models(torch):
    nn, F = torch.nn, torch.nn.functional

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)

        def forward(self, x):
            return torch.relu(self.fc(x)) + x
    bn = nn.BatchNorm1d(4)
    with torch.no_grad():
        bn.running_mean.uniform_(-0.5, 0.5)
        bn.running_var.uniform_(0.5, 2.0)
    return {
        'slice': (_Fn(torch, lambda s, x: x[:, 1:3]), torch.randn(3, 4)),
        'select': (_Fn(torch, lambda s, x: x[0]), torch.randn(3, 4)),
        'slice_steps': (_Fn(torch, lambda s, x: x[1:, ::2]), torch.randn(3, 4)),
        'view_size': (_Fn(torch, lambda s, x: x.view(x.size(0), -1)), torch.randn(2, 3, 4)),
        'batch_norm': (_Fn(torch, lambda s, x: s.b(x), b=bn), torch.randn(3, 4)),
        'block': (_Fn(torch, lambda s, x: s.k(x), k=Block()), torch.randn(3, 4)),
        'dropout_functional': (_Fn(torch, lambda s, x: F.dropout(x, 0.5, s.training) + F.relu(x)), torch.randn(3)),
        'matmul_param': (_Fn(torch, lambda s, x: x @ s.w, w=nn.Parameter(torch.randn(4, 2))), torch.randn(3, 4)),
        'softmax_module': (_Fn(torch, lambda s, x: s.sm(x), sm=nn.Softmax(dim=1)), torch.randn(3, 4)),
        'int_scalar': (_Fn(torch, lambda s, x: x + 1), torch.tensor([1, 2])),
        'int_times_float': (_Fn(torch, lambda s, x: x * 2.5), torch.tensor([1, 2])),
        'unsqueeze': (_Fn(torch, lambda s, x: x.unsqueeze(0).squeeze(0)), torch.randn(3)),
        'silu': (_Fn(torch, lambda s, x: F.silu(x) + s.a(x), a=nn.SiLU()), torch.randn(2, 4)),
        'elu': (_Fn(torch, lambda s, x: F.elu(x, 0.5)), torch.randn(2, 4)),
        'relu6': (_Fn(torch, lambda s, x: s.r(x), r=nn.ReLU6()), torch.randn(2, 4) * 5),
        'hardtanh': (_Fn(torch, lambda s, x: F.hardtanh(x, -0.5, 0.5)), torch.randn(2, 4)),
        'clamp': (_Fn(torch, lambda s, x: x.clamp(-0.5, 0.5) + torch.clamp(x, min=0.1)), torch.randn(2, 4)),
        'stack': (_Fn(torch, lambda s, x: torch.stack([x, x * 2], 1)), torch.randn(2, 4)),
        'argmax': (_Fn(torch, lambda s, x: x.argmax(1)), torch.randn(2, 4)),
        'max_dim': (_Fn(torch, lambda s, x: x.max(1)[0] + x.max()), torch.randn(2, 4)),
        'unary': (_Fn(torch, lambda s, x: torch.exp(x).log().sqrt().abs().neg()), torch.randn(2, 4)),
        'pow': (_Fn(torch, lambda s, x: x ** 2 + x.pow(3)), torch.randn(2, 4)),
        'mean_dims': (_Fn(torch, lambda s, x: x.mean(dim=(0, 1), keepdim=True)), torch.randn(2, 4)),
        'hardswish': (_Fn(torch, lambda s, x: F.hardswish(x)), torch.randn(2, 4)),
        'reversed_scalars': (_Fn(torch, lambda s, x: 1 - x + 1 / (x + 3)), torch.randn(2, 4)),
        'split': (_Fn(torch, lambda s, x: x.split(2, dim=1)[0]), torch.randn(2, 4)),
        'float_scalars': (_Fn(torch, lambda s, x: torch.add(x * 0.5, 2) - x.mul(3) + x.sub(1.5)), torch.randn(3)),
        'activations': (_Fn(torch, lambda s, x: F.leaky_relu(torch.tanh(torch.sigmoid(F.gelu(x))), 0.2).softmax(-1)),
                        torch.randn(2, 4)),
        'gelu_tanh': (_Fn(torch, lambda s, x: s.g(x) + s.s(x), g=nn.GELU('tanh'), s=nn.LogSoftmax(1)),
                      torch.randn(2, 4)),
        'pools': (_Fn(torch, lambda s, x: s.a(F.avg_pool2d(x, 2)), a=nn.AdaptiveAvgPool2d(1)), torch.randn(1, 2, 8, 8)),
        'maxpool_args': (_Fn(torch, lambda s, x: s.p(x), p=nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)),
                         torch.randn(1, 2, 9, 9)),
        'conv1d': (_Fn(torch, lambda s, x: s.c(x), c=nn.Conv1d(2, 3, 3, stride=2)), torch.randn(1, 2, 9)),
        'conv_groups': (_Fn(torch, lambda s, x: s.c(x), c=nn.Conv2d(4, 4, 3, padding=2, dilation=2, groups=2,
                                                                   bias=False)), torch.randn(1, 4, 6, 6)),
        'conv_transpose': (_Fn(torch, lambda s, x: s.c(x), c=nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1,
                                                                                output_padding=1)),
                           torch.randn(1, 2, 4, 4)),
        'conv_transpose_plain': (_Fn(torch, lambda s, x: s.c(x), c=nn.ConvTranspose2d(2, 3, 3)),
                                 torch.randn(1, 2, 4, 4)),
        'shapes': (_Fn(torch, lambda s, x: torch.cat([x.view(2, -1).t(),
                                                      x.reshape(-1, 2).permute(1, 0).transpose(0, 1)], 0)),
                   torch.randn(2, 4)),
        'layer_norm': (_Fn(torch, lambda s, x: s.ln(x), ln=nn.LayerNorm(4)), torch.randn(2, 4)),
        'embedding': (_Fn(torch, lambda s, x: s.e(x), e=nn.Embedding(10, 3)), torch.tensor([[1, 2], [3, 4]])),
        'arith': (_Fn(torch, lambda s, x: (x * 2 + 1 - x / 3).mean(1) + x.sum()), torch.randn(2, 4)),
        'linear_3d': (_Fn(torch, lambda s, x: s.l(x), l=nn.Linear(4, 3)), torch.randn(2, 5, 4)),
        'linear_no_bias': (_Fn(torch, lambda s, x: s.l(x), l=nn.Linear(4, 3, bias=False)), torch.randn(2, 4)),
        'sequential': (nn.Sequential(nn.Linear(4, 4), nn.Sequential(nn.ReLU(), nn.Linear(4, 2)), nn.Sigmoid()).eval(),
                       torch.randn(3, 4)),
    }


def _model(torch, key):
    if key == 'two_inputs':
        return _Fn2(torch, lambda s, x, y: (x + y, x * y)), (torch.randn(3), torch.randn(3))
    m, x = _models(torch)[key]
    return m, (x,)


# ------------------------------------------------------------------ dynamo=False (TorchScript exporter)

@case('torch.onnx.export')
def legacy_mlp(torch):
    return legacy(torch, mlp(torch), (torch.randn(2, 4),))


@case('torch.onnx.export')
def legacy_cnn(torch):
    # the folded Conv's weights are new initializers the exporter numbers: compared by value
    return legacy(torch, cnn(torch), (torch.randn(2, 1, 8, 8),), names=False, input_names=['x'], output_names=['y'])


@case('torch.onnx.export')
def legacy_cnn_names(torch):
    return legacy(torch, cnn(torch), (torch.randn(2, 1, 8, 8),), input_names=['image'],
                  output_names=['logp'])['nodes'][1:]


def _legacy_layer(key, names=True):
    def fn(torch):
        m, args = _model(torch, key)
        return legacy(torch, m, args, names, input_names=['x', 'x2'][:len(args)], output_names=['y', 'y2'][:len(args)])
    fn.__name__ = f'legacy_{key}'
    case('torch.onnx.export')(fn)


_LAYERS = ('activations', 'gelu_tanh', 'pools', 'maxpool_args', 'conv1d', 'conv_groups', 'conv_transpose',
           'conv_transpose_plain', 'shapes', 'layer_norm', 'embedding', 'arith', 'sequential', 'slice', 'select',
           'slice_steps', 'view_size', 'batch_norm', 'block', 'dropout_functional', 'matmul_param', 'softmax_module',
           'int_scalar', 'int_times_float', 'unsqueeze', 'two_inputs', 'silu', 'elu', 'relu6', 'hardtanh', 'clamp',
           'stack', 'argmax', 'max_dim', 'unary', 'pow', 'mean_dims', 'hardswish', 'reversed_scalars', 'split',
           'float_scalars')
for _key in _LAYERS:
    _legacy_layer(_key)
for _key in ('linear_3d', 'linear_no_bias'):     # the transposed weight is a new, numbered initializer
    _legacy_layer(_key, names=False)


@case('torch.onnx.export')
def legacy_lenet(torch):
    return legacy(torch, lenet(torch), (torch.randn(1, 1, 32, 32),))


@case('torch.onnx.export')
def legacy_resnet(torch):
    return legacy(torch, resnet(torch), (torch.randn(2, 3, 16, 16),), names=False, input_names=['images'],
                  output_names=['logits'], dynamic_axes={'images': {0: 'batch'}, 'logits': {0: 'batch'}})


@case('torch.onnx.export')
def legacy_resnet_names(torch):
    # the node and value names without the folded weights' numbered names
    out = legacy(torch, resnet(torch), (torch.randn(2, 3, 16, 16),), input_names=['images'], output_names=['logits'])
    return [(n[0], n[2], n[3][:1], n[4]) for n in out['nodes']]


@case('torch.onnx.export')
def legacy_too_many_input_names(torch):
    m, args = _model(torch, 'slice')
    return legacy(torch, m, args, input_names=['a', 'b'])


@case('torch.onnx.export')
def legacy_too_many_output_names(torch):
    return legacy(torch, mlp(torch), (torch.randn(2, 4),), input_names=['a', 'b'], output_names=['c', 'd'])


@case('torch.onnx.export')
def legacy_sequential_default_names(torch):
    m, args = _model(torch, 'sequential')
    return legacy(torch, m, args)


@case('torch.onnx.export')
def legacy_dynamic_axes(torch):
    return legacy(torch, mlp(torch), (torch.randn(2, 4),), input_names=['x'], output_names=['y'],
                  dynamic_axes={'x': {0: 'batch'}, 'y': [0]})


@case('torch.onnx.export')
def legacy_dynamic_axes_list(torch):
    return legacy(torch, mlp(torch), (torch.randn(2, 4),), input_names=['x'], dynamic_axes={'x': [0, 1]})


@case('torch.onnx.export')
def legacy_export_params_false(torch):
    # the weights are inputs without values: nothing to run
    return legacy(torch, mlp(torch), (torch.randn(2, 4),), run=False, input_names=['x'], export_params=False)


@case('torch.onnx.export')
def legacy_initializers_as_inputs(torch):
    return legacy(torch, mlp(torch), (torch.randn(2, 4),), input_names=['x'], keep_initializers_as_inputs=True)


@case('torch.onnx.export')
def legacy_opset_17(torch):
    return legacy(torch, mlp(torch), (torch.randn(2, 4),), opset_version=17)


def _opset_mix(torch):
    """Ops whose ONNX form changes with the opset: reductions' axes, (un)squeeze, split, softmax over a
    middle dim, GELU, LayerNorm, BatchNorm."""
    nn, F = torch.nn, torch.nn.functional

    class Mix(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln, self.bn = nn.LayerNorm(4), nn.BatchNorm1d(3)

        def forward(self, x):
            y = F.gelu(self.ln(x)) + F.softmax(x, dim=1) + F.log_softmax(x, 2)
            z = self.bn(y).mean(2).unsqueeze(0).squeeze(0) + y.max(2)[0]
            return z.split(2, dim=1)[0]
    m = Mix()
    with torch.no_grad():      # no parameter equal to another: no Identity nodes (numbered by torch)
        m.bn.running_var.uniform_(0.5, 2.0)
        m.bn.running_mean.uniform_(-0.5, 0.5)
    return m.eval(), (torch.randn(2, 3, 4),)


def _legacy_opset(version):
    def fn(torch):
        m, args = _opset_mix(torch)
        return legacy(torch, m, args, input_names=['x'], output_names=['y'], opset_version=version)
    fn.__name__ = f'legacy_opsets_{version}'
    case('torch.onnx.export')(fn)


def _dynamo_opset(version):
    def fn(torch):
        m, args = _opset_mix(torch)
        # (torch names a Split output that leaves the graph after its getitem node: given a name here)
        return dynamo(torch, m, args, names=False, verbose=False, output_names=['y'], opset_version=version)
    fn.__name__ = f'dynamo_opsets_{version}'
    case('torch.onnx.export')(fn)


for _version in (11, 13, 17, 18, 20):
    _legacy_opset(_version)
for _version in (13, 18, 20):     # torch writes opset 18 for a lower one
    _dynamo_opset(_version)


@case('torch.onnx.export')
def legacy_training_mode_eval(torch):
    m = cnn(torch).train()
    out = legacy(torch, m, (torch.randn(2, 1, 8, 8),), names=False, input_names=['x'],
                 training=torch.onnx.TrainingMode.EVAL)
    return out, m.training, m.bn.training


def _fresh_norms(torch):
    nn = torch.nn
    return nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.Dropout(0.3), nn.LayerNorm(4))


@case('torch.onnx.export')
def legacy_shared_initializers(torch):
    # a fresh BatchNorm's weight equals its running_var and the LayerNorm's weight: one initializer
    return legacy(torch, _fresh_norms(torch).eval(), (torch.randn(3, 4),), input_names=['x'], output_names=['y'])


@case('torch.onnx.export')
def legacy_no_constant_folding(torch):
    m = _fresh_norms(torch).eval()
    return legacy(torch, m, (torch.randn(3, 4),), input_names=['x'], output_names=['y'], do_constant_folding=False)


@case('torch.onnx.export')
def legacy_training_mode_training(torch):
    m = _fresh_norms(torch)
    x = torch.randn(3, 4)
    onnx = _onnx()
    buf = io.BytesIO()
    torch.onnx.export(m, (x,), buf, dynamo=False, input_names=['x'], output_names=['y'],
                      training=torch.onnx.TrainingMode.TRAINING)
    # running it would draw dropout masks: the graph and the parameters are compared
    return summary(torch, onnx.load_from_string(buf.getvalue())), m.training


@case('torch.onnx.export')
def dynamo_shared_initializers(torch):
    # the optimizer also folds the BatchNorm into the Linear's Gemm (a numbered node)
    return dynamo(torch, _fresh_norms(torch).eval(), (torch.randn(3, 4),), names=False, verbose=False,
                  input_names=['x'], output_names=['y'])


@case('torch.onnx.export')
def legacy_tensor_args(torch):
    return legacy(torch, mlp(torch), torch.randn(3, 4))


@case('torch.onnx.export')
def legacy_to_path_checker(torch):
    onnx = _onnx()
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'model.onnx')
        torch.onnx.export(cnn(torch), (torch.randn(1, 1, 8, 8),), path, dynamo=False, input_names=['x'])
        onnx.checker.check_model(path, full_check=True)
        proto = onnx.load(path)
        return sorted(os.listdir(d)), summary(torch, proto, (torch.randn(1, 1, 8, 8),), names=False)


@case('torch.onnx.export')
def legacy_dynamic_shapes_error(torch):
    _onnx()
    torch.onnx.export(mlp(torch), (torch.randn(2, 4),), io.BytesIO(), dynamo=False, dynamic_shapes={'x': {0: 'b'}})


class _Branchy:
    """forward with Python control flow on shapes and values, a size() in view, a Python int argument."""

    def __new__(cls, torch):
        nn = torch.nn

        class Branchy(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv, self.fc = nn.Conv2d(1, 2, 3), nn.Linear(4, 2)

            def forward(self, x, n=2):
                batch, channels, h, w = x.shape
                x = x * 2 if x.shape[0] > 1 else x - 1
                for i in range(n):
                    x = x + i
                y = self.conv(x)
                y = y.view(y.size(0), -1)[:, :4]
                print('in forward', batch, channels, len(y))
                return torch.relu(self.fc(y))
        return Branchy().eval()


class _Stacked:
    """A ModuleList run in a loop, in-place ops, a tensor made from constants inside forward."""

    def __new__(cls, torch):
        nn = torch.nn

        class Stacked(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = nn.ModuleList([nn.Linear(3, 3) for _ in range(2)])

            def forward(self, x):
                for layer in self.layers:
                    x = layer(x)
                x += 1
                x = x.relu_()
                return x + torch.ones(3) * torch.arange(3)
        return Stacked().eval()


@case('torch.onnx.export')
def legacy_module_list(torch):
    return legacy(torch, _Stacked(torch), (torch.randn(2, 3),), input_names=['x'], output_names=['y'])


@case('torch.onnx.export')
def dynamo_module_list(torch):
    return dynamo(torch, _Stacked(torch), (torch.randn(2, 3),), names=False, input_names=['x'], output_names=['y'])


@case('torch.onnx.export')
def legacy_control_flow(torch):
    return legacy(torch, _Branchy(torch), (torch.randn(2, 1, 4, 4),), input_names=['x'], output_names=['y'])


@case('torch.onnx.export')
def dynamo_control_flow(torch):
    return dynamo(torch, _Branchy(torch), (torch.randn(2, 1, 4, 4),), names=False, input_names=['x'],
                  output_names=['y'])


@case('torch.onnx.is_in_onnx_export')
def in_export_flag(torch):
    _onnx()
    seen = []

    class M(torch.nn.Module):
        def forward(self, x):
            seen.append(torch.onnx.is_in_onnx_export())
            return x * 2
    before = torch.onnx.is_in_onnx_export()
    torch.onnx.export(M(), (torch.randn(2),), io.BytesIO(), dynamo=False)
    torch.onnx.export(M(), (torch.randn(2),), verbose=False)
    return before, seen, torch.onnx.is_in_onnx_export()


# ------------------------------------------------------------------ dynamo=True (the default)

@case('torch.onnx.export')
def dynamo_mlp(torch):
    return dynamo(torch, mlp(torch), (torch.randn(2, 4),))


@case('torch.onnx.export')
def dynamo_cnn(torch):
    # the Reshape's shape is a numbered constant; the fused Conv node is numbered too
    return dynamo(torch, cnn(torch), (torch.randn(2, 1, 8, 8),), names=False)


def _dynamo_layer(key, names=True):
    def fn(torch):
        m, args = _model(torch, key)
        return dynamo(torch, m, args, names, verbose=False, input_names=['x', 'x2'], output_names=['y', 'y2'])
    fn.__name__ = f'dynamo_{key}'
    case('torch.onnx.export')(fn)


_NUMBERED = ('pools', 'shapes', 'arith', 'linear_3d', 'conv_groups', 'slice', 'select', 'slice_steps', 'view_size',
             'int_scalar', 'int_times_float', 'unsqueeze', 'elu', 'relu6', 'hardtanh', 'clamp', 'stack', 'max_dim',
             'pow', 'mean_dims', 'hardswish', 'split', 'float_scalars')     # constants and some nodes numbered <n>
for _key in _LAYERS + ('linear_no_bias',):
    if _key not in _NUMBERED:
        _dynamo_layer(_key)
for _key in _NUMBERED:
    _dynamo_layer(_key, names=False)


@case('torch.onnx.export')
def dynamo_lenet(torch):
    return dynamo(torch, lenet(torch), (torch.randn(1, 1, 32, 32),), names=False)


@case('torch.onnx.export')
def dynamo_resnet(torch):
    batch = torch.export.Dim('batch')
    return dynamo(torch, resnet(torch), (torch.randn(2, 3, 16, 16),), names=False, verbose=False,
                  dynamic_shapes={'x': {0: batch}})


@case('torch.onnx.export')
def dynamo_dynamic_shapes(torch):
    batch = torch.export.Dim('batch')
    return dynamo(torch, mlp(torch), (torch.randn(2, 4),), verbose=False, dynamic_shapes={'x': {0: batch}})


@case('torch.onnx.export')
def dynamo_dynamic_shapes_str(torch):
    return dynamo(torch, mlp(torch), (torch.randn(2, 4),), verbose=False, input_names=['inp'],
                  dynamic_shapes=({0: 'n'},))


@case('torch.onnx.export')
def dynamo_dynamic_axes(torch):
    # the TorchScript exporter's option, converted by torch to dynamic_shapes
    return dynamo(torch, mlp(torch), (torch.randn(2, 4),), verbose=False, input_names=['x'], output_names=['y'],
                  dynamic_axes={'x': {0: 'batch'}, 'y': {0: 'batch'}})


class _Masked:
    def __new__(cls, torch):
        class Masked(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = torch.nn.Linear(4, 2)

            def forward(self, x, mask=None):
                return self.fc(x * mask)
        return Masked().eval()


@case('torch.onnx.export')
def dynamo_kwargs(torch):
    m = _Masked(torch)
    _onnx()
    proto = torch.onnx.export(m, (torch.randn(3, 4),), kwargs={'mask': torch.ones(3, 4)}, verbose=False).model_proto
    return summary(torch, proto, (torch.randn(3, 4), torch.ones(3, 4)))


@case('torch.onnx.export')
def legacy_kwargs(torch):
    m = _Masked(torch)
    return (legacy(torch, m, (torch.randn(3, 4), {'mask': torch.ones(3, 4)}), input_names=['x', 'mask']),
            legacy(torch, m, (torch.randn(3, 4),), kwargs={'mask': torch.ones(3, 4)}))


@case('torch.onnx.export')
def dynamo_bytesio(torch):
    onnx = _onnx()
    buf = io.BytesIO()
    program = torch.onnx.export(mlp(torch), (torch.randn(2, 4),), buf, verbose=False)
    saved = onnx.load_from_string(buf.getvalue())
    return summary(torch, saved, (torch.randn(2, 4),)), saved == program.model_proto


@case('torch.onnx.ONNXProgram.save')
def dynamo_save_checker(torch):
    onnx = _onnx()
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'cnn.onnx')
        program = torch.onnx.export(cnn(torch), (torch.randn(1, 1, 8, 8),), verbose=False)
        program.save(path)
        onnx.checker.check_model(path, full_check=True)
        out = summary(torch, onnx.load(path), (torch.randn(1, 1, 8, 8),), names=False)
        return sorted(os.listdir(d)), out


@case('torch.onnx.export')
def dynamo_path_external_data(torch):
    onnx = _onnx()
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'mlp.onnx')
        torch.onnx.export(mlp(torch), (torch.randn(2, 4),), path, verbose=False)
        files = sorted(os.listdir(d))
        onnx.checker.check_model(path)
        return files, summary(torch, onnx.load(path), (torch.randn(2, 4),))


@case('torch.onnx.export')
def dynamo_path_embedded(torch):
    onnx = _onnx()
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'mlp.onnx')
        torch.onnx.export(mlp(torch), (torch.randn(2, 4),), path, verbose=False, external_data=False)
        return sorted(os.listdir(d)), summary(torch, onnx.load(path), (torch.randn(2, 4),))


@case('torch.onnx.ONNXProgram.call_reference')
def dynamo_call_reference(torch):
    _onnx()
    m = mlp(torch)
    x = torch.randn(2, 4)
    program = torch.onnx.export(m, (x,), verbose=False)
    return program.call_reference(x), m(x)


@case('torch.onnx.ExportableModule')
def exportable_module(torch):
    _onnx()

    class Exportable(torch.onnx.ExportableModule):
        def __init__(self):
            super().__init__()
            self.model = mlp(torch)

        def forward(self, x):
            return self.model(x)

        def example_arguments(self):
            return (torch.randn(3, 4),), None

        def input_names(self):
            return ('features',)

        def output_names(self):
            return ('scores',)

        def dynamic_shapes(self):
            return ({0: 'batch'},)
    m = Exportable().eval()
    out = summary(torch, m.to_onnx(verbose=False).model_proto, (torch.randn(3, 4),))
    # legacy exporter flag ignored: an ExportableModule always takes the torch.export path
    return out, type(torch.onnx.export(m, dynamo=False, verbose=False)).__name__


@case('torch.onnx.ExportableModule')
def exportable_module_abstract(torch):
    class Incomplete(torch.onnx.ExportableModule):
        def forward(self, x):
            return x
    Incomplete()


# ------------------------------------------------------------------ the namespace

@case('torch.onnx.TrainingMode')
def enums(torch):
    o = torch.onnx
    return [(repr(e), str(e), int(e)) for e in (o.TrainingMode.EVAL, o.TrainingMode.PRESERVE, o.TrainingMode.TRAINING,
                                                o.OperatorExportTypes.ONNX, o.OperatorExportTypes.ONNX_FALLTHROUGH,
                                                o.TensorProtoDataType.FLOAT, o.TensorProtoDataType.INT64)]


@case('torch.onnx.operators.shape_as_tensor')
def shape_as_tensor(torch):
    ops = importlib.import_module(torch.__name__ + '.onnx.operators')
    x = torch.ones(2, 3, 4)
    return ops.shape_as_tensor(x), ops.reshape_from_tensor_shape(x, torch.tensor([4, 6])).shape


@case('torch.onnx.errors.UnsupportedOperatorError')
def unsupported_operator_messages(torch):
    E = torch.onnx.errors.UnsupportedOperatorError
    return ([str(E('aten::foo', 17, None)), str(E('aten::foo', 9, 11)), str(E('mine::foo', 17, None))],
            [c.__name__ for c in E.__mro__], torch.onnx.OnnxExporterError.__module__)


_HIDE = """
import sys, io, warnings
warnings.simplefilter('ignore')
for name in {hide!r}:
    sys.modules[name] = None      # `import name` now raises ModuleNotFoundError
import {lib} as torch
m = torch.nn.Linear(3, 2)
try:
    torch.onnx.export(m, (torch.randn(1, 3),), io.BytesIO(), dynamo={dynamo})
except Exception as e:
    print(type(e).__name__, e)
"""


def _hidden(torch, hide, dynamo):
    code = _HIDE.format(hide=hide, lib=torch.__name__, dynamo=dynamo)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=env).stdout


@case('torch.onnx.export')
def missing_onnx_legacy(torch):
    return _hidden(torch, ['onnx'], False)


@case('torch.onnx.export')
def missing_onnxscript_dynamo(torch):
    return _hidden(torch, ['onnxscript'], True)
