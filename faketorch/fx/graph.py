"""torch.fx.Graph: a list of Nodes, their names, editing, and Python code generation."""
import builtins
import inspect
import keyword
import math
import re
import types
import typing

from .node import Node, map_arg, _qualified_name, _type_repr

_NAME_RE = re.compile(r'^([a-zA-Z_][0-9a-zA-Z_]*?)(?:_(\d+))?$')
_BAD_CHARS = re.compile('[^0-9a-zA-Z_]+')
# names generated code must not shadow; torch adds its own imports to Python's builtins
_TAKEN = {k: object() for k in keyword.kwlist}
_TAKEN.update(vars(builtins))
_CUSTOM_BUILTINS = ('inf', 'nan', 'NoneType', 'torch', 'device', 'fx_pytree', 'pytree')

# operator.<name> targets print as Python operators
_MAGIC = {'eq': '{} == {}', 'ne': '{} != {}', 'lt': '{} < {}', 'gt': '{} > {}', 'le': '{} <= {}',
          'ge': '{} >= {}', 'pos': '+{}', 'neg': '-{}', 'invert': '~{}'}
_REFLECTABLE = {'add': '{} + {}', 'sub': '{} - {}', 'mul': '{} * {}', 'floordiv': '{} // {}',
                'truediv': '{} / {}', 'div': '{} / {}', 'mod': '{} % {}', 'pow': '{} ** {}',
                'lshift': '{} << {}', 'rshift': '{} >> {}', 'and_': '{} & {}', 'or_': '{} | {}',
                'xor': '{} ^ {}', 'getitem': '{}[{}]', 'matmul': '{} @ {}'}
_MAGIC.update(_REFLECTABLE)
# builtin generics written as typing's in annotations, as torch does
_TYPING_ORIGINS = {list: typing.List, dict: typing.Dict, set: typing.Set, frozenset: typing.FrozenSet,
                   tuple: typing.Tuple}
# dtype abbreviations of print_readable's annotations
_DTYPE_ABBRS = {'bfloat16': 'bf16', 'float64': 'f64', 'float32': 'f32', 'float16': 'f16', 'complex32': 'c32',
                'complex64': 'c64', 'complex128': 'c128', 'int8': 'i8', 'int16': 'i16', 'int32': 'i32',
                'int64': 'i64', 'bool': 'b8', 'uint8': 'u8', 'uint16': 'u16', 'uint32': 'u32', 'uint64': 'u64'}
_INPLACE = {'iadd': '{} += {}', 'iand': '{} &= {}', 'ifloordiv': '{} //= {}', 'ilshift': '{} <<= {}',
            'imod': '{} %= {}', 'imul': '{} *= {}', 'imatmul': '{} @= {}', 'ior': '{} |= {}',
            'ipow': '{} **= {}', 'irshift': '{} >>= {}', 'isub': '{} -= {}', 'itruediv': '{} /= {}',
            'ixor': '{} ^= {}', 'setitem': '{}[{}] = {}'}


def _custom_builtin(name):
    import faketorch
    from . import _symbolic_trace
    return {'inf': math.inf, 'nan': math.nan, 'NoneType': type(None), 'torch': _symbolic_trace._TORCH,
            'device': faketorch.device}.get(name, name)


class _Namespace:
    """Unique Python identifiers: `sum` -> `sum_1` (a builtin), a second `add` -> `add_1`."""

    def __init__(self):
        self._used, self._count, self._obj_names = set(), {}, {}

    def create_name(self, candidate, obj):
        if obj is not None and obj in self._obj_names:
            return self._obj_names[obj]
        m = _NAME_RE.match(candidate)
        if m is None:
            candidate = _BAD_CHARS.sub('_', candidate) or '_unnamed'
            if candidate[0].isdigit():
                candidate = '_' + candidate
            m = _NAME_RE.match(candidate)
        base, num = m.group(1, 2)
        if num is None or candidate in self._used:
            num = self._count.get(base, 0)
            if _TAKEN.get(candidate, obj) is not obj:
                num += 1
                candidate = f'{base}_{num}'
        else:
            num = int(num)
        while candidate in self._used:
            num += 1
            candidate = f'{base}_{num}'
        self._used.add(candidate)
        self._count[base] = num
        if obj is not None:
            self._obj_names[obj] = candidate
        return candidate


for _n in _CUSTOM_BUILTINS:
    _TAKEN[_n] = object()


class _InsertPoint:
    def __init__(self, graph, insert):
        self.graph, self.orig = graph, graph._insert
        graph._insert = insert

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        self.graph._insert = self.orig


class _NodeList:
    def __init__(self, graph, reverse=False):
        self._graph, self._reverse = graph, reverse

    def __len__(self):
        return self._graph._len

    def __iter__(self):
        root = self._graph._root
        step = '_prev' if self._reverse else '_next'
        cur = getattr(root, step)
        while cur is not root:
            nxt = getattr(cur, step)
            if not cur._erased:
                yield cur
            cur = nxt

    def __reversed__(self):
        return iter(_NodeList(self._graph, not self._reverse))


class PythonCode:
    def __init__(self, src, globals):
        self.src, self.globals = src, globals


def _format_target(base, target):
    for e in target.split('.'):
        base = f'{base}.{e}' if e.isidentifier() else f'getattr({base}, "{e}")'
    return base


def _snake_case(s):
    return re.sub('(?<=[a-z])([A-Z])', r'_\1', s).lower()


class Graph:
    def __init__(self, owning_module=None, tracer_cls=None, tracer_extras=None):
        self._root = Node(self, '', 'root', '', (), {})
        self._len = 0
        self._graph_namespace = _Namespace()
        self._owning_module = owning_module
        self._tracer_cls = tracer_cls
        self._tracer_extras = tracer_extras
        self._insert = self._root.prepend

    @property
    def owning_module(self):
        return self._owning_module

    @owning_module.setter
    def owning_module(self, mod):
        self._owning_module = mod

    @property
    def nodes(self):
        return _NodeList(self)

    def find_nodes(self, *, op, target=None, sort=True):
        return [n for n in self.nodes if n.op == op and (target is None or n.target == target)]

    # --- building ---
    def create_node(self, op, target, args=None, kwargs=None, name=None, type_expr=None):
        candidate = name if name is not None else self._target_to_str(target)
        name = self._graph_namespace.create_name(candidate, None)
        n = Node(self, name, op, target, args or (), kwargs or {}, type_expr)
        self._graph_namespace._obj_names[n] = name
        self._insert(n)
        self._len += 1
        return n

    @staticmethod
    def _target_to_str(target):
        from ._symbolic_trace import _printed_names, _hashable
        printed = getattr(target, 'fx_printed_name', None) or \
            (_printed_names.get(target) if callable(target) and _hashable(target) else None)
        if printed is not None:
            op = printed.rsplit('.', 1)[1]   # torch's own function name: special_erf
        else:
            op = target.__name__ if callable(target) else target
        if not callable(target) and op.startswith('__') and op.endswith('__'):
            op = op[2:-2]
        return _snake_case(op)

    def placeholder(self, name, type_expr=None, default_value=inspect.Parameter.empty):
        args = () if default_value is inspect.Parameter.empty else (default_value,)
        return self.create_node('placeholder', name, args=args, type_expr=type_expr)

    def get_attr(self, qualified_name, type_expr=None):
        return self.create_node('get_attr', qualified_name, type_expr=type_expr)

    def call_module(self, module_name, args=None, kwargs=None, type_expr=None):
        return self.create_node('call_module', module_name, args, kwargs, type_expr=type_expr)

    def call_method(self, method_name, args=None, kwargs=None, type_expr=None):
        return self.create_node('call_method', method_name, args, kwargs, type_expr=type_expr)

    def call_function(self, the_function, args=None, kwargs=None, type_expr=None, name=None):
        return self.create_node('call_function', the_function, args, kwargs, name=name, type_expr=type_expr)

    def output(self, result, type_expr=None):
        return self.create_node('output', 'output', (result,), type_expr=type_expr)

    def node_copy(self, node, arg_transform=lambda x: x):
        args = map_arg(node.args, arg_transform)
        kwargs = map_arg(node.kwargs, arg_transform)
        result = self.create_node(node.op, node.target, args, kwargs, node.name, node.type)
        result.meta = dict(node.meta)
        return result

    def graph_copy(self, g, val_map, return_output_node=False):
        for node in g.nodes:
            if node in val_map:
                continue
            if node.op == 'output':
                rv = map_arg(node.args[0], lambda n: val_map[n])
                return rv if not return_output_node else (rv, node)
            val_map[node] = self.node_copy(node, lambda n: val_map[n])
        return None

    def inserting_before(self, n=None):
        if n is None:
            return self.inserting_after(self._root)
        return _InsertPoint(self, n.prepend)

    def inserting_after(self, n=None):
        if n is None:
            return self.inserting_before(self._root)
        return _InsertPoint(self, n.append)

    def erase_node(self, to_erase):
        if len(to_erase.users) > 0:
            raise RuntimeError(f'Tried to erase Node {to_erase} but it still had {len(to_erase.users)} '
                               f'users in the graph: {to_erase.users}!')
        if to_erase.graph is not self:
            raise RuntimeError(f'Attempting to remove {to_erase} from wrong graph!')
        if to_erase._erased:
            return
        to_erase._remove_from_list()
        to_erase._erased = True
        self._len -= 1
        to_erase._update_args_kwargs((), {})

    def eliminate_dead_code(self, is_impure_node=None):
        changed = False
        for node in reversed(self.nodes):
            impure = is_impure_node(node) if is_impure_node is not None else node.is_impure()
            if not node.users and not impure:
                self.erase_node(node)
                changed = True
        return changed

    def lint(self):
        seen = set()
        for node in self.nodes:
            if node.graph is not self:
                raise RuntimeError(f'Node {node} does not belong to this Graph!')
            for arg in node._input_nodes:
                if arg.graph is not self:
                    raise RuntimeError(f'Argument \'{arg}\' of Node \'{node}\' does not belong to this Graph, '
                                       'but was used as an argument! If you are copying nodes from another '
                                       'graph, make sure to use ``arg_transform`` on node_copy() to remap '
                                       'values\n' + str(self))
                if arg not in seen:
                    raise RuntimeError(f'Argument \'{arg}\' of Node \'{node}\' was used before it has been '
                                       'defined! Please check that Nodes in the graph are topologically '
                                       'ordered\n' + str(self))
            seen.add(node)
        mod = self.owning_module
        if mod is not None:
            for node in self.nodes:
                if node.op in ('get_attr', 'call_module'):
                    obj = mod
                    for i, atom in enumerate(node.target.split('.')):
                        if not hasattr(obj, atom):
                            seen_qn = '.'.join(node.target.split('.')[:i])
                            raise RuntimeError(f'Node {node} target {node.target} references nonexistent '
                                               f'attribute {atom} of {seen_qn}')
                        obj = getattr(obj, atom)

    def __deepcopy__(self, memo=None):
        g = Graph(tracer_cls=self._tracer_cls)
        out = g.graph_copy(self, {}, return_output_node=True)
        if out is not None:
            g.output(out[0], type_expr=out[1].type)
        return g

    # --- printing ---
    def __str__(self):
        return '\n'.join(['graph():'] + ['    ' + n.format_node() for n in self.nodes])

    def print_tabular(self):
        try:
            from tabulate import tabulate
        except ImportError:
            print('`print_tabular` relies on the library `tabulate`, which could not be found on this '
                  'machine. Run `pip install tabulate` to install the library.')
            raise
        specs = [[n.op, n.name, n.target, n.args, n.kwargs] for n in self.nodes]
        print(tabulate(specs, headers=['opcode', 'name', 'target', 'args', 'kwargs']))

    def python_code(self, root_module, *, verbose=False, **kwargs):
        return _CodeGen(self, root_module, verbose).python_code()


class _CodeGen:
    def __init__(self, graph, root_module, verbose):
        self.graph, self.root_module, self.verbose = graph, root_module, verbose
        self.namespace, self.globals = _Namespace(), {}
        self.return_annotation = ''
        for name in _CUSTOM_BUILTINS[:5]:     # names the generated code may use as they are
            self.globals[name] = obj = _custom_builtin(name)
            self.namespace._used.add(name)
            self.namespace._obj_names[obj] = name

    def add_global(self, hint, obj):
        from ._symbolic_trace import _from_torch
        if _from_torch(obj):
            return _qualified_name(obj)
        name = self.namespace.create_name(hint, obj)
        self.globals[name] = obj
        return name

    def type_repr(self, t):
        if t == ():
            return '()'
        origin = getattr(t, '__origin__', None)
        if isinstance(t, types.UnionType):
            return '|'.join(self.type_repr(a) for a in typing.get_args(t))
        if origin is not None:
            if isinstance(t, typing._GenericAlias):     # typing.List[int] keeps its typing name
                origin = _TYPING_ORIGINS.get(origin, origin)
            name = self.add_global(_type_repr(origin), origin)
            args = typing.get_args(t)
            return f"{name}[{','.join(self.type_repr(a) for a in args)}]" if args else name
        return self.add_global(_type_repr(t), t)

    def repr_arg(self, a):
        if isinstance(a, Node):
            return a.name
        if isinstance(a, tuple) and hasattr(a, '_fields'):
            return self.add_global(_qualified_name(type(a)), type(a)) + repr(tuple(a))
        if isinstance(a, tuple):
            inner = ', '.join(self.repr_arg(e) for e in a)
            return f'({inner},)' if len(a) == 1 else f'({inner})'
        if isinstance(a, list):
            return '[' + ', '.join(self.repr_arg(e) for e in a) + ']'
        if isinstance(a, slice):
            return f'slice({self.repr_arg(a.start)}, {self.repr_arg(a.stop)}, {self.repr_arg(a.step)})'
        return repr(a)

    def format_args(self, args, kwargs):
        return ', '.join([self.repr_arg(a) for a in args] + [f'{k} = {self.repr_arg(v)}' for k, v in kwargs.items()])

    def annotation(self, node):
        from .._tensor import Tensor
        from .passes.shape_prop import TensorMetadata
        if not self.verbose:
            return ''
        meta = node.meta.get('val', node.meta.get('tensor_meta', node.meta.get('example_value')))
        if getattr(meta, 'fx_annotation', None):     # torch.export's sym_size nodes: Sym(s77)
            return f': "{meta.fx_annotation}"'
        if isinstance(meta, (Tensor, TensorMetadata)):
            dtype = _DTYPE_ABBRS[str(meta.dtype).split('.')[-1]]
            return f': "{dtype}[{", ".join(str(d) for d in meta.shape)}]"'
        return ''

    def emit(self, node, free_vars, body, wrapped):
        op, target = node.op, node.target
        annotation = self.annotation(node) or ('' if node.type is None else f' : {self.type_repr(node.type)}')
        name = node.name + annotation
        if op == 'placeholder':
            free_vars.append(target + annotation + (f' = {self.repr_arg(node.args[0])}' if node.args else ''))
            raw = target.replace('*', '')
            if raw != node.name:
                body.append(f'{node.name} = {raw}\n')
            return False
        if op == 'call_method':
            body.append(f'{name} = {_format_target(self.repr_arg(node.args[0]), target)}'
                        f'({self.format_args(node.args[1:], node.kwargs)})')
        elif op == 'call_function':
            fname = getattr(target, '__name__', '')
            if getattr(target, '__module__', '') == '_operator' and fname in _MAGIC:
                body.append(f'{name} = ' + _MAGIC[fname].format(*(self.repr_arg(a) for a in node.args)))
            elif getattr(target, '__module__', '') == '_operator' and fname in _INPLACE:
                body.append(_INPLACE[fname].format(*(self.repr_arg(a) for a in node.args))
                            + f';  {name} = {self.repr_arg(node.args[0])}')  # noqa: E501
            else:
                g = self.add_global(_qualified_name(target), target)
                a = node.args
                if g == 'getattr' and len(a) == 2 and isinstance(a[1], str) and a[1].isidentifier():
                    body.append(f'{name} = {_format_target(self.repr_arg(a[0]), a[1])}')
                else:
                    body.append(f'{name} = {g}({self.format_args(node.args, node.kwargs)})')
                    if node.meta.get('is_wrapped', False):
                        wrapped.setdefault(g)
        elif op == 'call_module':
            body.append(f'{name} = {_format_target(self.root_module, target)}'
                        f'({self.format_args(node.args, node.kwargs)})')
        elif op == 'get_attr':
            body.append(f'{name} = {_format_target(self.root_module, target)}')
        elif op == 'output':
            if node.type is not None:
                self.return_annotation = f' -> {self.type_repr(node.type)}'
            body.append(f'return {self.repr_arg(node.args[0])}')
        else:
            raise NotImplementedError(f'node: {op} {target}')
        return True

    def python_code(self):
        nodes = list(self.graph.nodes)
        for n in nodes:
            self.namespace.create_name(n.name, n)
        last_uses, seen = {}, set()
        for n in reversed(nodes):
            for inp in n._input_nodes:
                if inp not in seen:
                    seen.add(inp)
                    last_uses.setdefault(n, []).append(inp)
        free_vars, body, wrapped = [], [], {}
        commented = False
        for n in nodes:
            if self.verbose and n.op not in ('placeholder', 'output') and not commented \
                    and n.stack_trace is None:
                body.append('\n# No stacktrace found for following nodes\n')
                commented = True
            if not self.emit(n, free_vars, body, wrapped):
                continue
            if n.op == 'output':
                body.append('\n')
                continue
            dead = list(last_uses.get(n, []))
            if not n.users:
                dead.append(n)
            body.append(';  ' + ' = '.join([d.name for d in dead] + ['None']) + '\n' if dead else '\n')
        if not body:
            body.append('pass\n')
        wrap_stmts = ''
        if wrapped:
            from ._symbolic_trace import wrap
            w = self.add_global('wrap', wrap)
            wrap_stmts = '\n'.join(f'{w}("{g}")' for g in wrapped)
        code = ''.join(body).lstrip('\n')
        code = '\n'.join('    ' + line for line in code.split('\n'))
        src = (f"\n{wrap_stmts}\n\ndef forward({', '.join([self.root_module] + free_vars)})"
               f"{self.return_annotation}:\n{code}")
        return PythonCode(src, self.globals)
