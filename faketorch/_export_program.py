"""torch.export.export, ExportedProgram, save/load.

torch traces a model with fake tensors through its dispatcher. faketorch has neither, so export runs
the model once on the example inputs under a TorchFunctionMode that sees each torch function and
Tensor method the model calls at top level (nested calls run with the mode off) and records it as
the aten op torch records for it (_export_ops.py) in a torch.fx Graph, with the parameters, buffers
and tensor constants lifted to placeholders as torch lifts them. Calls it has no aten op for raise.
A dynamic dimension (Dim) is found by running the model a second time with that dimension one
larger (or smaller): ints that follow the dimension become aten.sym_size nodes; anything else that
changes means the model specializes it, which raises as torch does."""
import dataclasses
import enum
import hashlib
import inspect
import operator
import re
import types

import faketorch
from . import _export_ops
from .fx import Graph, GraphModule
from .fx.passes.shape_prop import TensorMetadata
from .nn import Module
from .overrides import TorchFunctionMode
from .utils import _pytree as pytree

_ERROR_TAIL = ('\n\nThe error above occurred when calling torch.export.export. If you would like to view some more '
               'information about this error, and get a list of all other errors that may occur in your export '
               'call, you can replace your `export()` call with `draft_export()`.')


def _user_error(msg):
    from ._dynamo.exc import UserError
    return UserError(msg + _ERROR_TAIL)


# --- graph signature ------------------------------------------------------------------------------
class InputKind(enum.Enum):
    USER_INPUT = 1
    PARAMETER = 2
    BUFFER = 3
    CONSTANT_TENSOR = 4
    CUSTOM_OBJ = 5
    TOKEN = 6


class OutputKind(enum.Enum):
    USER_OUTPUT = 1
    LOSS_OUTPUT = 2
    BUFFER_MUTATION = 3
    PARAMETER_MUTATION = 4
    GRADIENT_TO_PARAMETER = 5
    GRADIENT_TO_USER_INPUT = 6
    USER_INPUT_MUTATION = 7
    TOKEN = 8


@dataclasses.dataclass
class TensorArgument:
    name: str


@dataclasses.dataclass
class ConstantArgument:
    name: str
    value: object


@dataclasses.dataclass
class InputSpec:
    kind: InputKind
    arg: object
    target: object
    persistent: object = None


@dataclasses.dataclass
class OutputSpec:
    kind: OutputKind
    arg: object
    target: object


@dataclasses.dataclass
class ExportGraphSignature:
    input_specs: list
    output_specs: list

    def _names(self, kind, specs=None):
        return tuple(s.target for s in (specs or self.input_specs) if s.kind == kind)

    @property
    def parameters(self):
        return self._names(InputKind.PARAMETER)

    @property
    def buffers(self):
        return self._names(InputKind.BUFFER)

    @property
    def non_persistent_buffers(self):
        return tuple(s.target for s in self.input_specs if s.kind == InputKind.BUFFER and not s.persistent)

    @property
    def lifted_tensor_constants(self):
        return self._names(InputKind.CONSTANT_TENSOR)

    @property
    def user_inputs(self):
        return tuple(s.arg.name for s in self.input_specs if s.kind == InputKind.USER_INPUT)

    @property
    def user_outputs(self):
        return tuple(getattr(s.arg, 'name', None) if isinstance(s.arg, TensorArgument) else s.arg.value
                     for s in self.output_specs if s.kind == OutputKind.USER_OUTPUT)

    def _map(self, kind):
        return types.MappingProxyType({s.arg.name: s.target for s in self.input_specs if s.kind == kind})

    @property
    def inputs_to_parameters(self):
        return self._map(InputKind.PARAMETER)

    @property
    def inputs_to_buffers(self):
        return self._map(InputKind.BUFFER)

    @property
    def inputs_to_lifted_tensor_constants(self):
        return self._map(InputKind.CONSTANT_TENSOR)

    @property
    def buffers_to_mutate(self):
        return {}

    @property
    def user_inputs_to_mutate(self):
        return {}

    def __str__(self):
        def line(s):
            text = f'{s.arg.name}: {s.kind.name}'
            if s.target is not None:
                text += f" target='{s.target}'"
            if getattr(s, 'persistent', None) is not None:
                text += f' persistent={s.persistent}'
            return text
        ins = '\n'.join(line(s) for s in self.input_specs)
        outs = '\n'.join(line(s) for s in self.output_specs)
        return f'\n# inputs\n{ins}\n\n# outputs\n{outs}\n'


# --- symbols of dynamic dims ----------------------------------------------------------------------
class _Symbol:
    """A size symbol as torch prints it (s77); its number hashes its source, as torch's does."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name

    __str__ = __repr__


class ValueRanges:
    def __init__(self, lower, upper):
        self.lower, self.upper = lower, upper

    def __repr__(self):
        return f'VR[{self.lower}, {self.upper}]'

    def __eq__(self, other):
        return isinstance(other, ValueRanges) and (self.lower, self.upper) == (other.lower, other.upper)


class _SymMeta:
    """meta['val'] of an aten.sym_size node: print_readable shows Sym(s77)."""

    def __init__(self, sym):
        self.fx_annotation = f'Sym({sym})'


# --- capture ----------------------------------------------------------------------------------------
def _aten(name, overload):
    return getattr(getattr(faketorch.ops.aten, name), overload)


def _prop_names():
    from ._tensor import Tensor
    return {v.fget: n for n, v in vars(Tensor).items() if isinstance(v, property) and v.fget is not None}


_CASTS = {'to': None, 'float': faketorch.float32, 'double': faketorch.float64, 'half': faketorch.float16,
          'bfloat16': faketorch.bfloat16, 'long': faketorch.int64, 'int': faketorch.int32, 'bool': faketorch.bool}
# aten ops that hand back their input itself when there is nothing to do; later uses of it are the new node
_SELF_RETURNING = ('contiguous', 'flatten')
_DATA_DEPENDENT = ('item', 'tolist', '__bool__', '__int__', '__float__', 'numpy')


class _Capture(TorchFunctionMode):
    """Records each call (see the module doc) as an aten call_function node of self.graph."""

    def __init__(self, graph, env, lift):
        super().__init__()
        self.graph, self.env, self.lift = graph, env, lift
        self.keep = []          # every recorded tensor stays alive: env is keyed by id

    def __enter__(self):
        r = super().__enter__()
        self.props = _prop_names()      # after entering: the mode may have installed the dispatching getters
        return r

    def node_of(self, a):
        if isinstance(a, faketorch.Tensor):
            n = self.env.get(id(a))
            return n if n is not None else self.lift(a, self)
        if isinstance(a, (list, tuple)):
            return type(a)(self.node_of(x) for x in a)
        if isinstance(a, dict):
            return {k: self.node_of(v) for k, v in a.items()}
        return a

    def record(self, name, overload, args, kwargs, out):
        node = self.graph.call_function(_aten(name, overload), self.node_of(args), self.node_of(kwargs),
                                        name=name.lower())
        node.meta['stack_trace'] = ''        # torch prints the source line here; faketorch has none
        self.bind(node, out)
        return node

    def bind(self, node, out):
        if isinstance(out, faketorch.Tensor):
            node.meta['val'] = out
            self.env[id(out)] = node
            self.keep.append(out)
        elif isinstance(out, tuple):
            for i, o in enumerate(out):
                g = self.graph.call_function(operator.getitem, (node, i))
                g.meta['stack_trace'] = ''
                self.bind(g, o)

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        prop = self.props.get(func)
        h = _export_ops.handler_for(func) if prop is None else None
        name = prop or getattr(func, '__name__', str(func))
        if name in _DATA_DEPENDENT:
            raise _user_error(f'faketorch torch.export: Tensor.{name}() reads tensor data; the exported graph '
                              'cannot depend on data (torch raises for data-dependent control flow too)')
        rec = h(*args, **kwargs) if h is not None else None      # before running: it may raise
        if rec is not None and name != '__getitem__' and rec[0].endswith('_'):
            target = self.env.get(id(rec[2][0]))
            if target is None or target.op == 'placeholder':
                raise NotImplementedError(f'faketorch torch.export: {rec[0]} changes an input, parameter or buffer '
                                          'in place, which faketorch does not capture (a BatchNorm in training mode '
                                          'updates its running statistics: call model.eval() before exporting)')
        out = func(*args, **kwargs)
        if name == 'tensor':        # a constant made in forward: lifted where it is used (see lift)
            return out
        if prop == 'T':
            self.record('numpy_T', 'default', args, {}, out)
        elif name in _CASTS:
            self.record_cast(name, args, kwargs, out)
        elif name == '__getitem__':
            self.record_getitem(args[0], rec, out)
        elif rec is not None:
            op, overload, a, kw = rec
            if out is (args[0] if args else None) and not op.endswith('_') and op not in _SELF_RETURNING:
                out = out.view_as(out)      # faketorch returned its input where torch's op makes a new tensor
            self.record(op, overload, a, kw, out)
        elif any(isinstance(o, faketorch.Tensor) for o in pytree.tree_leaves(out)):
            raise NotImplementedError(f"faketorch torch.export cannot capture torch.{name}: it has no aten op "
                                      'for it (see faketorch/_export_ops.py); rewrite the model with common ops')
        return out

    def record_cast(self, name, args, kwargs, out):
        """x.float(), x.to(dtype): torch records a metadata check of x, then aten.to.dtype."""
        x, rest = args[0], list(args[1:])
        dtype = _CASTS[name] or kwargs.get('dtype') or (rest[0] if rest else None)
        if not isinstance(dtype, faketorch.dtype) or len(rest) > 1 or set(kwargs) - {'dtype'}:
            raise NotImplementedError(f'faketorch torch.export captures Tensor.{name} to a dtype only')
        check = self.graph.call_function(_aten('_assert_tensor_metadata', 'default'), (self.node_of(x),),
                                         {'dtype': x.dtype, 'device': x.device, 'layout': faketorch.strided},
                                         name='_assert_tensor_metadata_default')
        check.meta['stack_trace'] = ''
        self.record('to', 'dtype', (x, dtype), {}, out)

    def record_getitem(self, x, steps, out):
        cur = x
        for i, (op, overload, a) in enumerate(steps):
            val = out if i == len(steps) - 1 else _aten(op, overload)(cur, *a)
            self.record(op, overload, (cur,) + a, {}, val)
            cur = val
        if not steps:       # x[:] is x itself
            self.env[id(out)] = self.node_of(x)


def _forward_names(mod, args, kwargs):
    """The user inputs' placeholder names: the forward's parameter names (xs_0 for inside a tuple)."""
    try:
        bound = inspect.signature(mod.forward).bind(*args, **kwargs)
    except TypeError as e:
        raise _user_error(str(e))
    names = []
    for pname, value in bound.arguments.items():
        kind = inspect.signature(mod.forward).parameters[pname].kind
        values = value if kind == inspect.Parameter.VAR_POSITIONAL else (value,)
        for j, v in enumerate(values):
            base = pname if kind != inspect.Parameter.VAR_POSITIONAL else f'{pname}_{j}'
            for path, leaf in pytree.tree_flatten_with_path(v)[0]:
                names.append(base + ''.join(f'_{getattr(k, "idx", getattr(k, "key", k))}' for k in path))
    return names


def _constants_of(mod):
    """{id: dotted path} of the plain tensor attributes (not parameters or buffers) of mod's modules."""
    out = {}
    for prefix, m in mod.named_modules():
        for k, v in vars(m).items():
            if isinstance(v, faketorch.Tensor) and not k.startswith('_'):
                out.setdefault(id(v), f'{prefix}.{k}' if prefix else k)
    return out


def _capture(mod, args, kwargs):
    """(graph, input specs, output specs, constants, out_spec, user input names) of one run."""
    graph = Graph()
    env, specs, constants = {}, [], {}
    for name, p in mod.named_parameters():
        n = graph.placeholder('p_' + name.replace('.', '_'))
        n.meta['val'] = p
        env[id(p)] = n
        specs.append(InputSpec(InputKind.PARAMETER, TensorArgument(n.name), name))
    for name, b in mod.named_buffers():
        owner, _, leaf = name.rpartition('.')
        persistent = leaf not in mod.get_submodule(owner)._non_persistent_buffers_set
        n = graph.placeholder('b_' + name.replace('.', '_'))
        n.meta['val'] = b
        env[id(b)] = n
        specs.append(InputSpec(InputKind.BUFFER, TensorArgument(n.name), name, persistent))
        if not persistent:
            constants[name] = b
    flat, in_spec = pytree.tree_flatten((tuple(args), dict(kwargs)))
    names = _forward_names(mod, args, kwargs)
    users = []
    for name, x in zip(names, flat):
        n = graph.placeholder(name)
        users.append(n)
        if isinstance(x, faketorch.Tensor):
            n.meta['val'] = x
            env[id(x)] = n
        elif not isinstance(x, (int, float, bool, str)):
            raise NotImplementedError(f'faketorch torch.export: the input {name} is a {type(x).__name__}; '
                                      'only tensors and Python numbers, bools and strings are supported')
    attrs = _constants_of(mod)
    count = [0]

    def lift(t, cap):
        """A tensor the graph did not make: a constant attribute of the model (c_<name>), or one made inside
        forward (torch.tensor(...)), which torch lifts as lifted_tensor_<k> behind a lift_fresh_copy."""
        target = attrs.get(id(t))
        fresh = target is None
        if fresh:
            target = f'lifted_tensor_{count[0]}'
            count[0] += 1
        with graph.inserting_before(users[0] if users else None):
            n = graph.placeholder('c_' + target.replace('.', '_'))
        n.meta['val'] = t
        specs.append(InputSpec(InputKind.CONSTANT_TENSOR, TensorArgument(n.name), target))
        constants[target] = t
        env[id(t)] = n
        cap.keep.append(t)
        if fresh:
            copy = cap.record('lift_fresh_copy', 'default', (t,), {}, t.clone())
            env[id(t)] = copy
            cap.record('detach_', 'default', (copy.meta['val'],), {}, copy.meta['val'])
            env[id(t)] = env[id(copy.meta['val'])]
        return env[id(t)]

    cap = _Capture(graph, env, lift)
    rng = faketorch.get_rng_state()     # torch traces with fake tensors: exporting draws no random numbers
    try:
        with faketorch.no_grad(), cap:
            out = mod(*args, **kwargs)
    finally:
        faketorch.set_rng_state(rng)
    flat_out, out_spec = pytree.tree_flatten(out)
    outs, out_specs = [], []
    for o in flat_out:
        if isinstance(o, faketorch.Tensor):
            n = cap.node_of(o)
            outs.append(n)
            out_specs.append(OutputSpec(OutputKind.USER_OUTPUT, TensorArgument(n.name), None))
        else:
            outs.append(o)
            out_specs.append(OutputSpec(OutputKind.USER_OUTPUT, ConstantArgument('', o), None))
    graph.output(tuple(outs))
    # a number input is baked into the graph as torch does (ep.module() checks it has the same value)
    specs += [InputSpec(InputKind.USER_INPUT, TensorArgument(n.target) if isinstance(x, faketorch.Tensor) else
                        ConstantArgument(n.target, x), None) for n, x in zip(users, flat)]
    return graph, specs, out_specs, constants, in_spec, out_spec, cap


# --- dynamic shapes -----------------------------------------------------------------------------------
def _dim_specs(mod, args, kwargs, dynamic_shapes, names):
    """[(input index, dim, Dim)] from dynamic_shapes (a dict by forward argument name, or a tuple/list)."""
    from .export import Dim, _DimHint
    if dynamic_shapes is None:
        return []
    sig = inspect.signature(mod.forward)
    bound = sig.bind(*args, **kwargs).arguments
    if isinstance(dynamic_shapes, dict):
        if set(dynamic_shapes) - set(bound):
            raise _user_error(f'When `dynamic_shapes` is specified as a dict, its top-level keys must be the arg '
                              f'names {list(bound)} of `inputs`, but here they are {list(dynamic_shapes)}. '
                              'Alternatively, you could also ignore arg names entirely and specify '
                              '`dynamic_shapes` as a list/tuple matching `inputs`. For more information about '
                              'this error, see: https://pytorch.org/docs/main/generated/exportdb/index.html'
                              '#dynamic-shapes-validation')
        per_arg = [dynamic_shapes.get(k) for k in bound]
    else:
        per_arg = list(dynamic_shapes)
    out, i = [], 0
    for value, spec in zip(bound.values(), per_arg):
        if isinstance(value, faketorch.Tensor):
            if spec is not None:
                items = spec.items() if isinstance(spec, dict) else enumerate(spec)
                for d, dim in items:
                    if isinstance(dim, Dim) or (isinstance(dim, _DimHint) and dim.type != 'STATIC'):
                        out.append((i, d, dim))
            i += 1
        elif spec is not None:
            raise NotImplementedError('faketorch torch.export: dynamic_shapes for nested inputs are not supported')
        else:
            i += len(pytree.tree_leaves(value))
    return out


class _Specialized(Exception):
    """The second run of the model (a dynamic dim changed) failed or recorded another graph."""


def _resized(x, d, size):
    """x with dimension d grown or cut to size (values repeated, so index inputs stay valid)."""
    n = x.shape[d]
    if size <= n:
        return x.narrow(d, 0, size).clone()
    return faketorch.cat([x, x.narrow(d, 0, size - n)], d)


def _symbolize(graph, graph2, dims, flat, names):
    """Turns the ints of graph that follow a dynamic dim into sym_size nodes; shapes get their symbols."""
    from .export import int_oo
    syms, used_ids, ranges, candidates = {}, set(), {}, {}
    for i, d, dim in dims:      # torch numbers every dynamic input dim; a Dim shared by several keeps the least
        attempt = int(hashlib.sha256(f"L['{names[i]}'].size()[{d}]".encode()).hexdigest(), 16) % 100
        while attempt in used_ids:
            attempt += 1
        used_ids.add(attempt)
        candidates.setdefault(id(dim), []).append(f's{attempt}')
    for i, d, dim in dims:
        key = id(dim)
        if key not in syms:
            lo = getattr(dim, 'min', None)
            hi = getattr(dim, 'max', None)
            sym = _Symbol(min(candidates[key]))
            syms[key] = (sym, i, d, [])
            ranges[sym] = ValueRanges(max(2 if lo is None else lo, 2), int_oo if hi is None else hi)
    nodes1, nodes2 = list(graph.nodes), list(graph2.nodes)
    by_pair = {}
    for i, d, dim in dims:
        sym, *_ = syms[id(dim)]
        by_pair[(flat[0][i].shape[d], flat[1][i].shape[d])] = (sym, i, d)

    def fail(reason):
        raise _Specialized(reason)
    if len(nodes1) != len(nodes2) or any(a.target != b.target for a, b in zip(nodes1, nodes2)):
        fail('different operators')
    sym_nodes = {}
    last_ph = [n for n in nodes1 if n.op == 'placeholder'][-1]
    users = {n.target: n for n in nodes1 if n.op == 'placeholder'}

    def sym_node(sym, i, d):
        if sym not in sym_nodes:
            with graph.inserting_after(list(sym_nodes.values())[-1] if sym_nodes else last_ph):
                n = graph.call_function(_aten('sym_size', 'int'), (users[names[i]], d),
                                        name=f'sym_size_int_{len(sym_nodes) + 1}')
            n.meta['val'] = _SymMeta(sym)
            sym_nodes[sym] = n
        return sym_nodes[sym]

    def merge(a, b, where):
        if isinstance(a, (list, tuple)) and not hasattr(a, 'op'):
            if len(a) != len(b):
                fail(where)
            return type(a)(merge(x, y, where) for x, y in zip(a, b))
        if isinstance(a, int) and not isinstance(a, bool) and a != b:
            hit = by_pair.get((a, b))
            if hit is None:
                fail(where)
            return sym_node(*hit)
        if hasattr(a, 'op') or a == b or isinstance(a, faketorch.Tensor):
            return a
        fail(where)

    for a, b in zip(nodes1, nodes2):
        if a.op == 'call_function' or a.op == 'output':
            a.args = merge(a.args, b.args, f'the arguments of {a.name}')
        va, vb = a.meta.get('val'), b.meta.get('val')
        if isinstance(va, faketorch.Tensor):
            shape = []
            for x, y in zip(va.shape, vb.shape):
                hit = by_pair.get((x, y)) if x != y else None
                if x != y and hit is None:
                    hit = _scaled(by_pair, x, y)
                shape.append(x if x == y else hit[0] if isinstance(hit, tuple) else hit)
            a.meta['val'] = TensorMetadata(tuple(shape), va.dtype, False, None, None, False, {})
    return ranges


def _scaled(by_pair, x, y):
    """k*s for a dim that is a multiple of a dynamic one (flatten of a dynamic batch)."""
    for (a, b), (sym, _, _) in by_pair.items():
        if b - a and (y - x) % (b - a) == 0 and x == a * ((y - x) // (b - a)):
            return f'{(y - x) // (b - a)}*{sym}'
    return '?'


# --- export -------------------------------------------------------------------------------------------
def export(mod, args, kwargs=None, *, dynamic_shapes=None, strict=False, preserve_module_call_signature=(),
           prefer_deferred_runtime_asserts_over_guards=False):
    if not isinstance(mod, Module):
        raise ValueError(f'Expected `mod` to be an instance of `torch.nn.Module`, got {type(mod)}.')
    if not isinstance(args, tuple):
        raise _user_error(f'Expecting `args` to be a tuple of example positional inputs, got {_type_str(args)}')
    kwargs = {} if kwargs is None else kwargs
    if not isinstance(kwargs, dict):
        raise _user_error(f'Expecting `kwargs` to be a dict of example keyword inputs, got {type(kwargs)}')
    from .export import int_oo
    names = _forward_names(mod, args, kwargs)
    dims = _dim_specs(mod, args, kwargs, dynamic_shapes, names)
    graph, specs, out_specs, constants, in_spec, out_spec, cap = _capture(mod, args, kwargs)
    ranges = {}
    if dims:
        flat = pytree.tree_leaves((tuple(args), kwargs))
        flat2 = list(flat)
        sizes = {}
        for i, d, dim in dims:
            n = flat[i].shape[d]
            lo, hi = getattr(dim, 'min', None) or 2, getattr(dim, 'max', None)
            if hasattr(dim, '__name__') and not (max(lo, 2) <= n <= (int_oo if hi is None else hi)):
                from .fx.experimental.symbolic_shapes import ConstraintViolationError
                raise ConstraintViolationError(f'{n} not in range [{max(lo, 2)}, {int_oo if hi is None else hi}]'
                                               + _ERROR_TAIL)
            if id(dim) not in sizes:    # a second size no other dim has, so each int traces back to one dim
                taken = set(sizes.values())
                up = [v for v in range(n + 1, n + 64) if (hi is None or v <= hi) and v not in taken]
                sizes[id(dim)] = up[0] if up else max(v for v in range(2, n) if v not in taken)
            flat2[i] = _resized(flat2[i], d, sizes[id(dim)])
        a2, k2 = pytree.tree_unflatten(flat2, in_spec)
        try:
            try:
                graph2 = _capture(mod, a2, k2)[0]
            except Exception as e:
                raise _Specialized(str(e)) from e
            ranges = _symbolize(graph, graph2, dims, (flat, flat2), names)
        except _Specialized:
            named = [dim for _, _, dim in dims if hasattr(dim, '__name__')]
            if named:       # torch's message for a Dim the model makes a constant
                dim = named[0]
                i, d = next((i, d) for i, d, x in dims if x is dim)
                v = flat[i].shape[d]
                raise _user_error(
                    f'Constraints violated ({dim.__name__})! For more information, run with TORCH_LOGS="+dynamic".\n'
                    f'  - You marked {dim.__name__} as dynamic but your code specialized it to be a constant ({v}). '
                    "If you're using mark_dynamic, either remove it or use maybe_mark_dynamic. If you're using "
                    f'Dim.DYNAMIC, replace it with either Dim.STATIC or Dim.AUTO.\nSuggested fixes:\n'
                    f'  {dim.__name__} = {v}')
            dims = []       # Dim.AUTO: the model specializes the dims, which then stay static
            graph, specs, out_specs, constants, in_spec, out_spec, cap = _capture(mod, args, kwargs)
    gm = GraphModule(Module(), graph)
    sig = ExportGraphSignature(specs, out_specs)
    state = {s.target: _lookup(mod, s.target) for s in specs
             if s.kind == InputKind.PARAMETER or (s.kind == InputKind.BUFFER and s.persistent)}
    guards = _guards(names, pytree.tree_leaves((tuple(args), kwargs)), dims)
    ep = ExportedProgram(gm, sig, state, ranges, constants, in_spec, out_spec, guards,
                         (tuple(args), dict(kwargs)))
    ep._top_names = (_positional_names(mod, len(args)), tuple(kwargs))
    return ep


def _positional_names(mod, n):
    """The forward's names of its first n positional arguments (args_<i> past a *args)."""
    names = []
    for p in inspect.signature(mod.forward).parameters.values():
        if p.kind == inspect.Parameter.VAR_POSITIONAL:
            names += [f'{p.name}_{i}' for i in range(n - len(names))]
        elif p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
            names.append(p.name)
    return tuple(names[:n])


def _type_str(x):
    return "<class 'torch.Tensor'>" if isinstance(x, faketorch.Tensor) else str(type(x))


def _lookup(mod, target):
    *path, leaf = target.split('.')
    for p in path:
        mod = getattr(mod, p)
    return getattr(mod, leaf)


def _guards(names, flat, dims):
    """[(input name, dim, op, value)]: the checks ep.module() makes on its inputs' sizes."""
    dynamic = {(i, d): dim for i, d, dim in dims}
    out = []
    for i, (name, x) in enumerate(zip(names, flat)):
        if not isinstance(x, faketorch.Tensor):
            out.append((name, None, '==', x))
            continue
        for d, n in enumerate(x.shape):
            dim = dynamic.get((i, d))
            if dim is None:
                out.append((name, d, '==', n))
            else:
                if getattr(dim, 'min', None) is not None and dim.min > 2:
                    out.append((name, d, '>=', dim.min))
                hi = getattr(dim, 'max', None)
                if hi is not None and hi != float('inf'):
                    out.append((name, d, '<=', hi))
    return out


class GuardsFn(Module):
    """Checks the sizes of ep.module()'s inputs, as torch's guards do."""

    def __init__(self, names, guards):
        super().__init__()
        self.names, self.guards = names, guards

    def forward(self, *args):
        by_name = dict(zip(self.names, args))
        for name, d, op, value in self.guards:
            x = by_name[name]
            if d is None:
                if x != value:
                    raise AssertionError(f'Guard failed: {name} == {value}')
                continue
            n = x.shape[d] if d < x.dim() else None
            ok = n is not None and (n == value if op == '==' else n <= value if op == '<=' else n >= value)
            if not ok:
                raise AssertionError(f'Guard failed: {name}.size()[{d}] {op} {value}')


class _FxPytree:
    """What the unlifted module's code calls as fx_pytree: flatten its inputs, checking their structure."""

    @staticmethod
    def tree_flatten_spec(inputs, spec):
        return _check_inputs(spec, tuple(inputs[0]), inputs[1])


def _check_inputs(spec, args, kwargs):
    flat, got = pytree.tree_flatten((tuple(args), dict(kwargs)))
    if got != spec:
        raise ValueError(f'Trying to flatten user inputs with exported input tree spec: \n{spec}\nbut actually '
                         f'got inputs with tree spec of: \n{got}.\nPlease check that the inputs have the same '
                         'number and type of args and kwargs as the ones you used when tracing.')
    return flat


class _UnliftedGraph(Graph):
    """The graph of ep.module(): its code takes the forward's own arguments and flattens/unflattens them as
    torch's pytree code generator writes it."""
    arg_names = kwarg_names = ()

    def python_code(self, root_module, *, verbose=False, **kwargs):
        code = super().python_code(root_module, verbose=verbose, **kwargs)
        src = code.src
        m = re.search(r'def forward\((.*)\):\n', src)
        params = re.findall(r'(\w+)(?:: ("[^"]*"))?', m.group(1))[1:]      # (name, annotation) after self
        names = [name for name, _ in params]
        head = f'def forward({", ".join([root_module, *self.arg_names, *self.kwarg_names])}):\n'
        if verbose and params:
            head += '    ' + ''.join(f'{name}: {ann}; ' for name, ann in params) + '\n\n'
        args = ', '.join(self.arg_names)
        kw = ', '.join(f"'{n}':{n}" for n in self.kwarg_names)
        lhs = ''.join(f'{n}, ' for n in names).rstrip(' ')
        head += f'    {lhs} = fx_pytree.tree_flatten_spec(([{args}], {{{kw}}}), self._in_spec)\n'
        src = src[:m.start()] + head + src[m.end():]
        src = re.sub(r'\n    return (.*)\n', r'\n    return pytree.tree_unflatten(\1, self._out_spec)\n', src)
        code.src = src
        code.globals.update(fx_pytree=_FxPytree, pytree=pytree)
        return code


# --- ExportedProgram ----------------------------------------------------------------------------------
class ExportedProgram:
    def __init__(self, graph_module, graph_signature, state_dict, range_constraints, constants, in_spec,
                 out_spec, guards, example_inputs):
        self._graph_module, self._graph_signature = graph_module, graph_signature
        self._state_dict, self._range_constraints, self._constants = state_dict, range_constraints, constants
        self._in_spec, self._out_spec, self._guards, self._example_inputs = in_spec, out_spec, guards, example_inputs

    graph_module = property(lambda self: self._graph_module)
    graph = property(lambda self: self._graph_module.graph)
    graph_signature = property(lambda self: self._graph_signature)
    state_dict = property(lambda self: self._state_dict)
    range_constraints = property(lambda self: self._range_constraints)
    constants = property(lambda self: self._constants)
    tensor_constants = constants
    example_inputs = property(lambda self: self._example_inputs)
    dialect = 'TRAINING'

    @property
    def call_spec(self):
        return (self._in_spec, self._out_spec)

    def parameters(self):
        for _, p in self.named_parameters():
            yield p

    def named_parameters(self):
        for name in self._graph_signature.parameters:
            yield name, self._state_dict[name]

    def buffers(self):
        for _, b in self.named_buffers():
            yield b

    def named_buffers(self):
        for name in self._graph_signature.buffers:
            yield name, self._state_dict[name] if name in self._state_dict else self._constants[name]

    def __call__(self, *args, **kwargs):
        raise RuntimeError('Unable to call ExportedProgram directly. You should use `exported_program.module()` '
                           'instead.')

    def __str__(self):
        gm = self._graph_module.print_readable(print_output=False).replace('\n', '\n    ')
        sig = str(self._graph_signature).replace('\n', '\n    ')
        return (f'ExportedProgram:\n    {gm}\nGraph signature: {sig}\nRange constraints: '
                f'{self._range_constraints}\n')

    def __repr__(self):
        return str(self)

    def module(self):
        """A GraphModule that takes the forward's own arguments: parameters, buffers and constants are its
        attributes again (get_attr nodes), and a _guards_fn submodule checks the input sizes first."""
        sig = self._graph_signature
        g = _UnliftedGraph()
        user_specs = [s for s in sig.input_specs if s.kind == InputKind.USER_INPUT]
        g.arg_names, g.kwarg_names = self._top_names
        env, root = {}, {}
        old = {n.name: n for n in self.graph.nodes}
        for s in sig.input_specs:       # torch's order: the attributes, then the inputs
            if s.kind == InputKind.USER_INPUT:
                continue
            n = g.get_attr(s.target)
            n.meta['val'] = old[s.arg.name].meta.get('val')
            env[s.arg.name] = n
            root[s.target] = self._state_dict.get(s.target, self._constants.get(s.target))
        for s in user_specs:
            n = g.placeholder(s.arg.name)
            n.meta['val'] = next(o for o in self.graph.nodes if o.op == 'placeholder' and o.target == s.arg.name) \
                .meta.get('val')
            env[s.arg.name] = n
        root['_guards_fn'] = GuardsFn([s.arg.name for s in user_specs], self._guards)
        g.call_module('_guards_fn', tuple(env[s.arg.name] for s in user_specs))
        placeholder_of = {n: n.target for n in self.graph.nodes if n.op == 'placeholder'}
        val_map = {}
        for n in self.graph.nodes:
            if n.op == 'placeholder':
                val_map[n] = env[placeholder_of[n] if placeholder_of[n] in env else n.name]
                continue
            if n.op == 'output':
                g.output(_map_nodes(n.args[0], val_map))
                continue
            val_map[n] = g.node_copy(n, lambda x: val_map[x])
        gm = GraphModule(root, g)
        gm._in_spec, gm._out_spec = self._in_spec, self._out_spec
        type(gm).train, type(gm).eval = _no_train, _no_eval     # gm's class is its own (see GraphModule.__new__)
        # torch checks the call's structure before forward runs (a wrong arity is its ValueError, not Python's)
        gm.register_forward_pre_hook(lambda m, a, kw: _check_inputs(m._in_spec, a, kw) and None, with_kwargs=True)
        return gm

    def run_decompositions(self, decomp_table=None, decompose_custom_triton_ops=False):
        """A new ExportedProgram on core aten ops: the few decompositions faketorch knows (linear, in-place
        ops); any other non-core op raises rather than giving another graph than torch's."""
        graph = Graph()
        val_map = {}
        for n in self.graph.nodes:
            if n.op == 'output':
                graph.output(_map_nodes(n.args[0], val_map))
                continue
            if n.op != 'call_function' or n.target in _CORE_OPS():
                val_map[n] = graph.node_copy(n, lambda x: val_map[x])
                continue
            fn = _DECOMPOSITIONS.get(str(n.target).replace('aten.', '', 1))
            if fn is None:
                raise NotImplementedError(f'faketorch run_decompositions has no decomposition for {n.target}')
            val_map[n] = fn(graph, n, _map_nodes(n.args, val_map), _map_nodes(n.kwargs, val_map))
        for n in reversed(list(graph.nodes)):      # the outputs of multi-output ops nobody reads
            if n.target is operator.getitem and not n.users:
                graph.erase_node(n)
        outs = list(graph.nodes)[-1].args[0]
        specs = [OutputSpec(s.kind, TensorArgument(o.name) if hasattr(o, 'op') else s.arg, s.target)
                 for s, o in zip(self._graph_signature.output_specs, outs)]
        sig = ExportGraphSignature(self._graph_signature.input_specs, specs)
        ep = ExportedProgram(GraphModule(Module(), graph), sig, self._state_dict, self._range_constraints,
                             self._constants, self._in_spec, self._out_spec, self._guards, self._example_inputs)
        ep._top_names = self._top_names
        return ep


def _no_train(self, mode=True):
    raise NotImplementedError('Calling train() is not supported yet.')


def _no_eval(self):
    raise NotImplementedError('Calling eval() is not supported yet.')


def _map_nodes(a, val_map):
    if hasattr(a, 'op'):
        return val_map[a]
    if isinstance(a, (list, tuple)):
        return type(a)(_map_nodes(x, val_map) for x in a)
    if isinstance(a, dict):
        return {k: _map_nodes(v, val_map) for k, v in a.items()}
    return a


# --- run_decompositions -----------------------------------------------------------------------------
_CORE = ('add.Tensor', 'sub.Tensor', 'mul.Tensor', 'div.Tensor', 'relu.default', 'sigmoid.default', 'tanh.default',
         'exp.default', 'log.default', 'neg.default', 'abs.default', 'sqrt.default', 'rsqrt.default', 'sin.default',
         'cos.default', 'permute.default', 'addmm.default', 'mm.default', 'bmm.default', 'view.default',
         'cat.default', 'select.int', 'slice.Tensor', 'unsqueeze.default', 'squeeze.dims', 'embedding.default',
         'sum.dim_IntList', 'mean.dim', 'amax.default', 'clone.default', 'expand.default', 'sym_size.int',
         'pow.Tensor_Scalar', 'convolution.default', 'gelu.default')
_core = []


def _CORE_OPS():
    if not _core:
        _core.extend(_aten(*name.split('.')) for name in _CORE)
        _core.append(operator.getitem)
    return _core


def _call(graph, name, overload, args, val, kwargs=None):
    n = graph.call_function(_aten(name, overload), args, kwargs, name=name)
    n.meta['val'] = val
    n.meta['stack_trace'] = ''
    return n


def _first(graph, node, n_out, val):
    """out[0] of a multi-output op; torch makes (and then drops) a getitem for each output."""
    items = [graph.call_function(operator.getitem, (node, i)) for i in range(n_out)]
    items[0].meta['val'] = val
    for g in items:
        g.meta['stack_trace'] = ''
    return items[0]


def _static_shape(node):
    shape = tuple(node.meta['val'].shape)
    if not all(isinstance(d, int) for d in shape):
        raise NotImplementedError('faketorch run_decompositions: this decomposition needs static shapes')
    return list(shape)


def _decomp_linear(graph, old, args, kwargs):
    x, w, *rest = args
    b = rest[0] if rest else None
    if len(_static_shape(x)) != 2:
        raise NotImplementedError('faketorch run_decompositions decomposes linear of 2-d inputs only')
    pv = w.meta['val'].permute(1, 0) if isinstance(w.meta.get('val'), faketorch.Tensor) else None
    p = _call(graph, 'permute', 'default', (w, [1, 0]), pv)
    if b is None:
        return _call(graph, 'mm', 'default', (x, p), old.meta['val'])
    return _call(graph, 'addmm', 'default', (b, x, p), old.meta['val'])


def _decomp_conv(graph, old, args, kwargs):
    nd = int(old.target.__name__[4])
    full = list(args) + [None, [1] * nd, [0] * nd, [1] * nd, 1][len(args) - 2:]
    x, w, b, stride, padding, dilation, groups = full
    return _call(graph, 'convolution', 'default', (x, w, b, stride, padding, dilation, False, [0] * nd, groups),
                 old.meta['val'])


def _decomp_batch_norm(graph, old, args, kwargs):
    x, w, b, mean, var, training, momentum, eps, _ = args
    n = _call(graph, '_native_batch_norm_legit_no_training', 'default', (x, w, b, mean, var, momentum, eps), None)
    return _first(graph, n, 3, old.meta['val'])


def _decomp_layer_norm(graph, old, args, kwargs):
    x, shape, w, b, eps = (list(args) + [None, None, 1e-05])[:5]
    return _first(graph, _call(graph, 'native_layer_norm', 'default', (x, shape, w, b, eps), None), 3,
                  old.meta['val'])


def _decomp_max_pool2d(graph, old, args, kwargs):
    n = _call(graph, 'max_pool2d_with_indices', 'default', args, None)
    return _first(graph, n, 2, old.meta['val'])


def _decomp_softmax(name):
    def fn(graph, old, args, kwargs):
        if len(args) > 2:
            raise NotImplementedError(f'faketorch run_decompositions: {old.target} with a dtype')
        return _call(graph, name, 'default', (args[0], args[1], False), old.meta['val'])
    return fn


def _decomp_dropout(graph, old, args, kwargs):
    if args[2]:
        raise NotImplementedError('faketorch run_decompositions: dropout in training mode')
    return _call(graph, 'clone', 'default', (args[0],), old.meta['val'])


def _decomp_view(graph, old, args, kwargs):      # reshape, flatten: a view to the output's shape
    return _call(graph, 'view', 'default', (args[0], _static_shape(old)), old.meta['val'])


def _decomp_transpose(graph, old, args, kwargs):
    n = len(_static_shape(args[0]))
    perm = list(range(n))
    if old.target.__name__.startswith('t.'):
        a, b = (0, 1) if n == 2 else (0, 0)
    else:
        a, b = args[1] % n, args[2] % n
    perm[a], perm[b] = perm[b], perm[a]
    return _call(graph, 'permute', 'default', (args[0], perm), old.meta['val'])


def _decomp_matmul(graph, old, args, kwargs):
    if len(_static_shape(args[0])) != 2 or len(_static_shape(args[1])) != 2:
        raise NotImplementedError('faketorch run_decompositions decomposes matmul of 2-d tensors only')
    return _call(graph, 'mm', 'default', args, old.meta['val'])


def _decomp_full(value):
    def fn(graph, old, args, kwargs):
        dtype = kwargs.get('dtype') or faketorch.get_default_dtype()
        kw = {'dtype': dtype, 'layout': faketorch.strided, 'device': kwargs.get('device', faketorch.device('cpu')),
              'pin_memory': False}
        return _call(graph, 'full', 'default', (args[0], value), old.meta['val'], kw)
    return fn


def _functional(name):
    def fn(graph, old, args, kwargs):
        return _call(graph, name, old.target.__name__.split('.')[1], args, old.meta['val'], kwargs)
    return fn


def _renamed(name, overload, extra=()):
    def fn(graph, old, args, kwargs):
        return _call(graph, name, overload, tuple(args) + tuple(extra), old.meta['val'], kwargs)
    return fn


_DECOMPOSITIONS = {'linear.default': _decomp_linear, 'conv1d.default': _decomp_conv, 'conv2d.default': _decomp_conv,
                   'batch_norm.default': _decomp_batch_norm, 'layer_norm.default': _decomp_layer_norm,
                   'max_pool2d.default': _decomp_max_pool2d, 'softmax.int': _decomp_softmax('_softmax'),
                   'log_softmax.int': _decomp_softmax('_log_softmax'), 'dropout.default': _decomp_dropout,
                   'reshape.default': _decomp_view, 'flatten.using_ints': _decomp_view,
                   'transpose.int': _decomp_transpose, 't.default': _decomp_transpose, 'matmul.default': _decomp_matmul,
                   'ones.default': _decomp_full(1), 'zeros.default': _decomp_full(0),
                   'sum.default': _renamed('sum', 'dim_IntList', ([],)),
                   'squeeze.dim': lambda g, old, a, kw: _call(g, 'squeeze', 'dims', (a[0], [a[1]]), old.meta['val']),
                   'relu_.default': _functional('relu'), 'add_.Tensor': _functional('add'),
                   'mul_.Tensor': _functional('mul'), 'sub_.Tensor': _functional('sub')}


def default_decompositions():
    return dict(_DECOMPOSITIONS)


# --- save / load -------------------------------------------------------------------------------------
class _NodeRef:
    def __init__(self, name):
        self.name = name


def _to_record(a):
    if hasattr(a, 'op'):
        return _NodeRef(a.name)
    if isinstance(a, (list, tuple)):
        return type(a)(_to_record(x) for x in a)
    if isinstance(a, dict):
        return {k: _to_record(v) for k, v in a.items()}
    return a


def save(ep, f, *, extra_files=None, opset_version=None, pickle_protocol=2):
    """faketorch's own format (a torch.save'd dict of the graph's nodes, the signature and the tensors):
    it loads back in faketorch, not in torch (whose .pt2 archive holds a serialized graph)."""
    if not isinstance(ep, ExportedProgram):
        raise TypeError(f'The \'ep\' parameter must be an instance of \'ExportedProgram\', got \'{type(ep).__name__}\' '
                        'instead.')
    nodes = []
    for n in ep.graph.nodes:
        target = n.target if n.op != 'call_function' else \
            ('getitem' if n.target is operator.getitem else n.target.__name__)
        val = n.meta.get('val')
        if isinstance(val, faketorch.Tensor):
            val = TensorMetadata(tuple(val.shape), val.dtype, False, None, None, False, {})
        elif isinstance(val, _SymMeta):
            val = ('sym', val.fx_annotation)
        nodes.append((n.op, n.name, target, _to_record(n.args), _to_record(n.kwargs), val))
    payload = {'faketorch_exported_program': 1, 'nodes': nodes, 'sig': ep._graph_signature,
               'state_dict': dict(ep._state_dict), 'constants': dict(ep._constants),
               'ranges': [(str(k), v.lower, v.upper) for k, v in ep._range_constraints.items()],
               'in_spec': ep._in_spec, 'out_spec': ep._out_spec, 'guards': ep._guards,
               'example_inputs': ep._example_inputs, 'extra_files': extra_files, 'top_names': ep._top_names}
    faketorch.save(payload, f)


def load(f, *, extra_files=None, expected_opset_version=None):
    payload = faketorch.load(f, weights_only=False)
    if not isinstance(payload, dict) or 'faketorch_exported_program' not in payload:
        raise RuntimeError('faketorch torch.export.load reads only files written by faketorch torch.export.save')
    graph, env = Graph(), {}

    def back(a):
        if isinstance(a, _NodeRef):
            return env[a.name]
        if isinstance(a, (list, tuple)):
            return type(a)(back(x) for x in a)
        if isinstance(a, dict):
            return {k: back(v) for k, v in a.items()}
        return a
    for op, name, target, args, kwargs, val in payload['nodes']:
        if op == 'placeholder':
            n = graph.placeholder(target)
        elif op == 'output':
            n = graph.output(back(args)[0])
        else:
            fn = operator.getitem if target == 'getitem' else _aten(*target.split('.'))
            n = graph.call_function(fn, back(args), back(kwargs), name=name)
            n.meta['stack_trace'] = ''
        if isinstance(val, tuple) and len(val) == 2 and val[0] == 'sym':
            val = _SymMeta(val[1][4:-1])
        if val is not None:
            n.meta['val'] = val
        env[name] = n
    ranges = {_Symbol(k): ValueRanges(lo, hi) for k, lo, hi in payload['ranges']}
    ep = ExportedProgram(GraphModule(Module(), graph), payload['sig'], payload['state_dict'], ranges,
                         payload['constants'], payload['in_spec'], payload['out_spec'], payload['guards'],
                         payload['example_inputs'])
    ep._top_names = payload['top_names']
    return ep
