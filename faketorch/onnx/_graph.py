"""Recording a model for ONNX export: a faketorch.fx tracer that keeps every value of the example run
(so each has its real shape, dtype and, for constants, its data, and Python control flow follows the
example) records the forward, and a Recorder turns each node into ONNX nodes with _ops.CONVERT; the
clean-ups torch's exporters run (folds, merges) come after. One _Builder serves both exporters;
`legacy` selects the TorchScript exporter's naming (`/fc1/Gemm`, `/fc1/Gemm_output_0`, Constant nodes)
or the torch.export one's (`linear`, `node_linear`, constants as initializers)."""
import builtins
import collections
import operator

import numpy as np

from .. import fx
from .._tensor import Tensor


class _Builder:
    def __init__(self, onnx, legacy, params, opset):
        self.onnx, self.legacy, self.opset = onnx, legacy, opset
        self.nodes = []
        self.params = params                  # state_dict name -> array, in state_dict order
        self.used = {}                        # initializer name -> array (parameters and new constants)
        # names taken: a second '/Add' is '/Add_1'; fx names a first `sum` 'sum_1' (a builtin's name)
        self.counts = collections.Counter({name: 1 for name in dir(builtins)})
        self.consts = {}                      # torch.export exporter: one initializer per constant value
        self.vals = 0                         # the torch.export exporter's val_<n> names
        self.outputs = []                     # the graph's output names
        self.dims = {}                        # input name -> {axis: dynamic dim name}
        self.grown_inputs = self.grown_outputs = None     # see varying_dims
        self.late = []                        # torch.export: constants its optimizer makes (listed last)
        self.ids = 0                          # the TorchScript exporter's value numbers ('7')

    def _unique(self, name):
        n = self.counts[name]
        self.counts[name] += 1
        return name if n == 0 else f'{name}_{n}'

    def add(self, op, inputs, attrs=None, scope='', aten=None, numbered=False, node=None, outputs=1):
        """One ONNX node; returns its (first) output's name. `aten` names the torch.export node (and its
        output): None for a helper node the exporter adds (a MatMul beside an Add), named val_<n>.
        `numbered`: the output is named after the aten op but the node is node_<Op>_<n>; `node`: the
        node's own name; `outputs`: how many outputs the node has (the TorchScript exporter's naming)."""
        if self.legacy:
            name = self._unique(f'{scope}/{op}')
            out = f'{name}_output_0'
        elif aten is None:
            out = f'val_{self.vals}'
            name = f'node_{op}_{self.vals}'
            self.vals += 1
        else:
            out = self._unique(aten)
            name = f'node_{out}'
            if numbered:
                name = f'node_{op}_{self.vals}'
                self.vals += 1
            elif node is not None:
                name = f'node_{node}'
        attrs = {k: v for k, v in (attrs or {}).items() if v is not None}
        outs = [out] + [f'{name}_output_{k}' for k in range(1, outputs)]
        self.nodes.append(self.onnx.helper.make_node(op, list(inputs), outs, name=name, **attrs))
        return out

    def const(self, array, scope='', hint=None):
        """A constant input: a Constant node in the TorchScript exporter, an initializer in the other."""
        array = np.asarray(array)
        if self.legacy:
            tensor = self.onnx.numpy_helper.from_array(array)
            return self.add('Constant', [], {'value': tensor}, scope)
        key = (array.dtype.str, array.shape, array.tobytes())
        if key in self.consts:
            return self.consts[key]
        if hint is None:
            hint = f'val_{self.vals}'
            self.vals += 1
        name = self._unique(hint)
        self.used[name] = array
        self.consts[key] = name
        return name

    def initializer(self, array, op):
        """A new initializer computed at export (a transposed weight): 'onnx::MatMul_<n>' or 'val_<n>'."""
        if self.legacy:
            name = f'onnx::{op}_{self.ids}'
            self.ids += 1
        else:
            name = f'val_{self.vals}'
            self.vals += 1
        self.used[name] = array
        return name

    def param(self, name):
        if name not in self.used:
            self.ids += 1
        self.used[name] = self.params[name]
        return name


def _scope(node):
    """The TorchScript exporter's scope of a node: '/layer1/layer1.0/conv1'. A module's segment is its
    attribute name; an index (in a Sequential, a ModuleList) keeps its container's name: 'layers.0'."""
    stack = node.meta.get('nn_module_stack') or {}
    parts = []
    for key, (qualname, _) in stack.items():
        names = qualname.split('.')
        part = '.'.join(names[-2:]) if names[-1].isdigit() else names[-1]
        calls = key.partition('@')[2]          # a module called again: relu, relu_1, ...
        parts.append(f'{part}_{calls}' if calls else part)
    return ''.join('/' + p for p in parts)


def _key(node, gm):
    """What a node computes, as one name: a module's class ('Linear'), a method's or function's name."""
    if node.op == 'call_module':
        return type(gm.get_submodule(node.target)).__name__
    if node.op == 'call_method':
        return node.target
    target = node.target
    if getattr(operator, getattr(target, '__name__', ''), None) is target:
        return target.__name__
    from ..fx._symbolic_trace import _printed_names, _hashable
    printed = _printed_names.get(target) if _hashable(target) else None
    return (printed or getattr(target, '__name__', str(target))).rsplit('.', 1)[-1]


def trace(model, args, legacy):
    """model (an nn.Module) run on `args` as a GraphModule, torch's leaf modules kept whole, and the
    value of each node in that run (the model runs once, as in torch's exporters). Like
    torch's tracers (and unlike fx.symbolic_trace) every value has its real value while tracing, so
    Python control flow on shapes or values takes the branch the example inputs take."""
    tracer = _ConcreteTracer(args, legacy)
    graph = tracer.trace(model)
    return fx.GraphModule(tracer.root, graph, type(model).__name__), tracer.values


class _Concrete:
    """Mixin of a Proxy that also answers len(), int(), index() from its value in the example run."""

    def __getattr__(self, k):
        if k.startswith('__') and k.endswith('__'):
            return fx.Proxy.__getattr__(self, k)
        return _ConcreteAttribute(self, k)

    def _value(self):
        return self.tracer.value_of(self.node)

    def __repr__(self):
        # what a print() in forward shows: the value, as under torch.export; TorchScript's tracer
        # makes sizes 0-d tensors
        value = self._value()
        if self.tracer.legacy and isinstance(value, int) and not isinstance(value, bool):
            return f'tensor({value})'
        return repr(value)

    def __len__(self):
        return len(self._value())

    def __index__(self):
        return operator.index(self._value())

    def __int__(self):
        return int(self._value())

    def __float__(self):
        return float(self._value())


class _ConcreteProxy(_Concrete, fx.Proxy):
    pass


class _ConcreteAttribute(_Concrete, fx.Attribute):
    pass


class _ConcreteTracer(fx.Tracer):
    def __init__(self, args, legacy):
        super().__init__()
        self.inputs, self.legacy = iter(args), legacy
        self.values = {}          # fx node -> its value in the example run
        self.computing = False    # running a node for its value: module calls and attributes are plain

    def proxy(self, node):
        return _ConcreteProxy(node, self)

    def create_proxy(self, kind, target, args, kwargs, name=None, type_expr=None, proxy_factory_fn=None):
        proxy = super().create_proxy(kind, target, args, kwargs, name, type_expr, proxy_factory_fn)
        if kind == 'placeholder':      # an argument not given takes its default
            self.values[proxy.node] = next(self.inputs, args[0] if args else None)
        else:
            self.value_of(proxy.node)
        return proxy

    def value_of(self, node):
        if node in self.values:
            return self.values[node]
        was, self.computing = self.computing, True
        try:
            if node.op == 'get_attr':
                value = self.root
                for atom in node.target.split('.'):
                    value = getattr(value, atom)
            else:
                args = fx.node.map_arg(node.args, self.value_of)
                kwargs = fx.node.map_arg(node.kwargs, self.value_of)
                if node.op == 'call_module':
                    value = self.root.get_submodule(node.target)(*args, **kwargs)
                elif node.op == 'call_method':
                    value = getattr(args[0], node.target)(*args[1:], **kwargs)
                else:
                    value = node.target(*args, **kwargs)
        finally:
            self.computing = was
        self.values[node] = value
        return value

    def call_module(self, m, forward, args, kwargs):
        if self.computing:
            return forward(*args, **kwargs)
        return super().call_module(m, forward, args, kwargs)

    def getattr(self, attr, attr_val, parameter_proxy_cache):
        if self.computing:
            return attr_val
        return super().getattr(attr, attr_val, parameter_proxy_cache)

    def to_bool(self, obj):
        return bool(self.value_of(obj.node))

    def iter(self, obj):
        return iter([obj[i] for i in range(len(self.value_of(obj.node)))])


class Recorder(fx.Interpreter):
    """Walks the traced graph with the values of the trace, giving each value its ONNX name (the
    converters add the ONNX nodes)."""

    def __init__(self, gm, values, builder, convert, input_names, varying):
        super().__init__(gm, garbage_collect_values=False)
        self.values = values         # fx node -> value, from the trace
        self.varying = varying       # fx node -> the axes of its value that follow a dynamic input dim
        self.extra_traceback = False     # the exporter's errors, as torch words them
        self.b, self.convert = builder, convert
        self.names = {}              # fx node -> ONNX value name (or a Python constant)
        self.input_names = iter(input_names)
        self.inputs = []             # (name, tensor)
        self.ids = {}                # fx node -> the TorchScript exporter's value number

    def run_node(self, n):
        value = self.values[n] if n in self.values else super().run_node(n)
        if n.op == 'placeholder' and not isinstance(value, Tensor):
            self.names[n] = value          # a Python argument: a constant of the trace, as in torch
        elif n.op == 'placeholder':
            name = next(self.input_names)
            self.inputs.append((name, value))
            self.names[n] = name
            self.ids[n] = self.b.ids
            self.b.ids += 1
        elif n.op == 'get_attr' and n.target in self.b.params:
            self.names[n] = self.b.param(n.target)
        elif n.op == 'get_attr':      # a tensor the forward made from constants alone
            self.names[n] = self.b.const(value.detach().cpu().numpy(), _scope(n))
            self.b.ids += 1
        elif n.op == 'output':
            self.names[n] = fx.node.map_arg(n.args[0], lambda a: self.names[a])
        else:
            args = fx.node.map_aggregate(n.args, self._arg)
            kwargs = fx.node.map_aggregate(n.kwargs, self._arg)
            key = _key(n, self.module)
            fn = self.convert.get(key)
            if not _has_tensor(value):
                self.names[n] = value           # sizes, Python numbers: constants of the trace, as in torch
                return value
            recorded = any(isinstance(self.names.get(a), (str, list)) for a in n._input_nodes)
            if isinstance(value, Tensor) and not recorded and n.op != 'call_module':
                # made from constants alone (torch.ones(3), arange): a constant, as torch folds it
                self.names[n] = self.b.const(value.detach().cpu().numpy(), _scope(n))
                self.ids[n] = self.b.ids
                self.b.ids += 1
                return value
            if fn is None:
                from .errors import UnsupportedOperatorError
                raise UnsupportedOperatorError(f'aten::{key}', self.b.opset, None)
            mod = self.module.get_submodule(n.target) if n.op == 'call_module' else None
            self.names[n] = fn(self.b, _Call(n, mod, args, kwargs, value, self))
            self.ids[n] = self.b.ids
            self.b.ids += 1
        return value

    def _arg(self, a):
        if isinstance(a, fx.Node):
            name = self.names[a]
            return _Ref(name, self.env[a]) if isinstance(name, str) else name
        return a


def _has_tensor(value):
    found = []
    fx.node.map_aggregate(value, lambda v: found.append(v) if isinstance(v, Tensor) else None)
    return bool(found)


class _Ref:
    """An argument that is a recorded value: its ONNX name and its value in the example run."""
    __slots__ = ('name', 'value')

    def __init__(self, name, value):
        self.name, self.value = name, value


class _Call:
    """What a converter gets: the fx node, the module (call_module), arguments as _Ref or constants,
    the output value of the example run."""

    def __init__(self, node, module, args, kwargs, value, recorder):
        self.node, self.module, self.args, self.kwargs, self.value = node, module, args, kwargs, value
        self.scope = _scope(node)
        self.path = node.target if node.op == 'call_module' else None    # 'fc1': its parameters are 'fc1.weight'
        self.varying = recorder.varying.get(node, set())

    def arg(self, i, name, default=None):
        if len(self.args) > i:
            return self.args[i]
        return self.kwargs.get(name, default)


def varying_dims(gm, values, args, dynamic):
    """{fx node: axes of its value whose size changes with the dynamic input dims}, the grown tensor
    inputs and the grown outputs: the graph run again with each dynamic input dim one larger (the
    last row repeated), sizes compared. ({}, None, None) where the model takes no other size."""
    from .. import cat
    tensors = iter(dynamic)
    grown = []
    for a in args:
        if isinstance(a, Tensor):
            for axis in next(tensors):
                a = cat([a, a.narrow(axis, a.shape[axis] - 1, 1)], axis)
        grown.append(a)
    run = fx.Interpreter(gm, garbage_collect_values=False)
    try:
        out = run.run(*grown)
    except Exception:       # the model takes no other size there: its shapes are what they are
        return {}, None, None
    varying = {}
    for node, value in run.env.items():
        before = values.get(node)
        if isinstance(value, Tensor) and isinstance(before, Tensor) and value.dim() == before.dim():
            varying[node] = {k for k, (p, q) in enumerate(zip(before.shape, value.shape)) if p != q}
    flat = []
    fx.node.map_aggregate(out, flat.append)
    return varying, [a for a in grown if isinstance(a, Tensor)], flat


# ------------------------------------------------------------------ after the run: torch's clean-ups

def fold_transposes(b):
    """Transpose of a Transpose used nowhere else is one Transpose; the identity permutation none
    (both exporters' optimisers do this)."""
    producers = {n.output[0]: n for n in b.nodes}
    uses = collections.Counter(i for n in b.nodes for i in n.input)
    for n in list(b.nodes):
        if n.op_type != 'Transpose':
            continue
        first = producers.get(n.input[0])
        if first is not None and first.op_type == 'Transpose' and uses[first.output[0]] == 1:
            outer, inner = _perm(n), _perm(first)
            _set_perm(b, n, [inner[p] for p in outer])
            n.input[0] = first.input[0]
            b.nodes.remove(first)
        if _perm(n) == list(range(len(_perm(n)))):
            _rename(b, n.output[0], n.input[0])
            b.nodes.remove(n)


def _perm(node):
    return list(next(a for a in node.attribute if a.name == 'perm').ints)


def _set_perm(b, node, perm):
    attr = next(a for a in node.attribute if a.name == 'perm')
    del attr.ints[:]
    attr.ints.extend(perm)


def _rename(b, old, new):
    for n in b.nodes:
        for i, name in enumerate(n.input):
            if name == old:
                n.input[i] = new
    b.outputs = [new if o == old else o for o in b.outputs]


def share_initializers(b, names):
    """Parameters with equal values become one initializer, as torch's exporters do (a fresh
    BatchNorm's weight and running_var are both ones). The TorchScript exporter keeps the others'
    names as Identity nodes of the first, written last-parameter-first; torch.export's uses the first."""
    read = {i for n in b.nodes for i in n.input}
    for name in [n for n in b.used if n not in read]:     # what a fold replaced
        b.used.pop(name)
    first, same = {}, {}
    for name in names:
        if name not in b.used:
            continue
        a = b.used[name]
        key = (a.dtype.str, a.shape, a.tobytes())
        if key in first:
            same[name] = first[key]
        else:
            first[key] = name
    identities = []
    for name in reversed([n for n in names if n in same]):
        b.used.pop(name)
        if b.legacy:
            identities.append(b.onnx.helper.make_node('Identity', [same[name]], [name],
                                                      name=f'Identity_{len(identities)}'))
        else:
            _rename(b, name, same[name])
    b.nodes[:0] = identities


def fold_batch_norm(b):
    """An eval BatchNormalization right after a Conv (the torch.export exporter: also a Gemm) with
    constant weights becomes part of it: the TorchScript exporter's constant folding, onnxscript's
    optimizer."""
    producers = {n.output[0]: n for n in b.nodes}
    uses = collections.Counter(i for n in b.nodes for i in n.input)
    foldable = ('Conv',) if b.legacy else ('Conv', 'Gemm')
    for bn in list(b.nodes):
        if bn.op_type != 'BatchNormalization' or len(bn.output) > 1:
            continue
        prev = producers.get(bn.input[0])
        if prev is None or prev.op_type not in foldable or uses[prev.output[0]] != 1 or \
                any(i not in b.used for i in list(prev.input[1:]) + list(bn.input[1:])):
            continue
        scale, shift, mean, var = (b.used[i] for i in bn.input[1:])
        eps = next(a.f for a in bn.attribute if a.name == 'epsilon')
        w = b.used[prev.input[1]]
        bias = b.used[prev.input[2]] if len(prev.input) > 2 else np.zeros_like(mean)
        k = (scale / np.sqrt(var + np.float32(eps))).astype(w.dtype)
        new_w = w * k.reshape((-1,) + (1,) * (w.ndim - 1))
        new_b = ((bias - mean) * k + shift).astype(w.dtype)
        if b.legacy:
            names = [b.initializer(new_w, 'Conv'), b.initializer(new_b, 'Conv')]
            _rename(b, bn.output[0], prev.output[0])
        else:
            # onnxscript writes a new node, node_<Op>_<n>, with the BatchNorm's output and the
            # weights' names (a Gemm without the beta it does not need)
            names = [prev.input[1], prev.input[2] if len(prev.input) > 2 else f'{prev.input[1]}_bias']
            b.used[names[0]], b.used[names[1]] = new_w, new_b
            prev.name = f'node_{prev.op_type}_{b.vals}'
            b.vals += 1
            prev.output[0] = bn.output[0]
            keep = [a for a in prev.attribute if a.name != 'beta']
            del prev.attribute[:]
            prev.attribute.extend(keep)
        del prev.input[1:]
        prev.input.extend(names)
        b.nodes.remove(bn)


def merge_duplicates(b):
    """A node computing what an earlier one computes (same op, inputs and attributes) is dropped and
    its output read from the earlier one: both exporters' common-subexpression elimination."""
    seen = {}
    for n in list(b.nodes):
        if n.op_type == 'Constant' or len(n.output) > 1:
            continue
        key = (n.op_type, tuple(n.input), tuple(a.SerializeToString() for a in n.attribute))
        if key in seen:
            _rename_value(b, n.output[0], seen[key])
            b.nodes.remove(n)
        else:
            seen[key] = n.output[0]


def drop_dead(b):
    """Nodes none of whose outputs is read (the indices of a max(dim) whose values alone are used),
    and the constants only they read."""
    while True:
        read = {i for n in b.nodes for i in n.input} | set(b.outputs)
        dead = [n for n in b.nodes if not any(o in read for o in n.output)]
        if not dead:
            return
        for n in dead:
            b.nodes.remove(n)


def _rename_value(b, old, new):
    """Give value `old` the name `new` everywhere: node inputs and outputs, the graph outputs."""
    for n in b.nodes:
        for field in (n.input, n.output):
            for i, name in enumerate(field):
                if name == old:
                    field[i] = new
    b.outputs = [new if o == old else o for o in b.outputs]
