"""torch.fx.Node: one operation of a Graph, kept in the graph's doubly linked list."""
import builtins
import importlib
import re
import types

from .immutable_collections import immutable_list, immutable_dict

_OPS = ('placeholder', 'call_method', 'call_module', 'call_function', 'get_attr', 'output', 'root')
# functions a graph must keep even when their result is unused (dead-code elimination)
_SIDE_EFFECTS = set()


def map_aggregate(a, fn):
    """Apply fn to every leaf of a nested tuple/list/dict/slice, rebuilding the containers."""
    if isinstance(a, tuple):
        t = tuple(map_aggregate(e, fn) for e in a)
        return type(a)(*t) if hasattr(a, '_fields') else t
    if isinstance(a, list):
        return immutable_list(map_aggregate(e, fn) for e in a)
    if isinstance(a, dict):
        return immutable_dict((k, map_aggregate(v, fn)) for k, v in a.items())
    if isinstance(a, slice):
        return slice(map_aggregate(a.start, fn), map_aggregate(a.stop, fn), map_aggregate(a.step, fn))
    return fn(a)


def map_arg(a, fn):
    """Apply fn to every Node inside the nested argument a."""
    if not callable(fn):
        raise AssertionError('torch.fx.map_arg(a, fn): fn must be a callable')
    return map_aggregate(a, lambda x: fn(x) if isinstance(x, Node) else x)


def _torch_path(cls):
    """torch's name for a faketorch class: faketorch._tensor.Tensor is torch.Tensor."""
    import faketorch
    if getattr(faketorch, cls.__qualname__, None) is cls:
        return f'torch.{cls.__qualname__}'
    return f"{cls.__module__.replace('faketorch', 'torch', 1)}.{cls.__qualname__}"


def _resolve_path(match):
    obj = importlib.import_module('faketorch')
    for atom in match.group().split('.')[1:]:
        obj = getattr(obj, atom, None)
    return _torch_path(obj) if isinstance(obj, type) else match.group()


def _type_repr(obj):
    """How torch prints a type annotation: `int`, `torch.Tensor`, `typing.Optional[torch.Tensor]`."""
    if isinstance(obj, type) and not isinstance(obj, types.GenericAlias):
        if obj.__module__ == 'builtins':
            return obj.__qualname__
        if obj.__module__.startswith('faketorch'):
            return _torch_path(obj)
        return f'{obj.__module__}.{obj.__qualname__}'
    if obj is ...:
        return '...'
    if isinstance(obj, types.FunctionType):
        return obj.__name__
    return re.sub(r'\bfaketorch(?:\.\w+)+', _resolve_path, repr(obj))


def _qualified_name(fn):
    from ._symbolic_trace import _printed_names, _namespace_patches
    if not _printed_names:
        _namespace_patches()     # a hand-built graph printed before any trace
    name = getattr(fn, 'fx_printed_name', None) or _printed_names.get(fn)
    if name is not None:
        return name
    if getattr(builtins, getattr(fn, '__name__', ''), None) is fn:
        return fn.__name__
    if isinstance(fn, type) and fn.__module__.startswith('faketorch'):
        return _torch_path(fn)
    module = getattr(fn, '__module__', None) or ''
    if module.startswith('faketorch'):
        module = module.replace('faketorch', 'torch', 1)
    return f'{module}.{fn.__qualname__}'


def _pretty_target(target):
    if isinstance(target, str):
        return target
    module = getattr(target, '__module__', None)
    if module == 'builtins':
        return f'builtins.{target.__name__}'
    if module == '_operator':
        return f'operator.{target.__name__}'
    return _qualified_name(target)


def _format_arg(a):
    if isinstance(a, list):
        return '[' + ', '.join(_format_arg(e) for e in a) + ']'
    if isinstance(a, tuple):
        return '(' + ', '.join(_format_arg(e) for e in a) + (',' if len(a) == 1 else '') + ')'
    if isinstance(a, dict):
        return '{' + ', '.join(f'{k}: {_format_arg(v)}' for k, v in a.items()) + '}'
    if isinstance(a, Node):
        return '%' + str(a)
    return str(a)


class Node:
    def __init__(self, graph, name, op, target, args, kwargs, return_type=None):
        if op not in _OPS:
            raise AssertionError(f'Unknown op {op}')
        self.graph, self.name, self.op, self.target = graph, name, op, target
        self._input_nodes = {}
        self.users = {}
        self._args, self._kwargs = (), {}
        self._update_args_kwargs(args, kwargs)
        self.type = return_type
        self.meta = {}
        self._prev = self._next = self
        self._erased = False

    # --- list links ---
    @property
    def next(self):
        return self._next

    @property
    def prev(self):
        return self._prev

    def prepend(self, x):
        """Insert x before this node."""
        if x is self:
            raise AssertionError('Cannot prepend self')
        x._remove_from_list()
        p = self._prev
        p._next, x._prev, x._next, self._prev = x, p, self, x

    def append(self, x):
        """Insert x after this node."""
        self._next.prepend(x)

    def _remove_from_list(self):
        p, n = self._prev, self._next
        p._next, n._prev = n, p
        self._prev = self._next = self

    # --- arguments and uses ---
    @property
    def args(self):
        return self._args

    @args.setter
    def args(self, a):
        self._update_args_kwargs(a, self._kwargs)

    @property
    def kwargs(self):
        return self._kwargs

    @kwargs.setter
    def kwargs(self, k):
        self._update_args_kwargs(self._args, k)

    @property
    def all_input_nodes(self):
        return list(self._input_nodes)

    def _update_args_kwargs(self, args, kwargs):
        for old in self._input_nodes:
            old.users.pop(self, None)
        self._input_nodes = {}
        self._args = map_arg(tuple(args), self._note_input)
        self._kwargs = map_arg(dict(kwargs), self._note_input)
        for new in self._input_nodes:
            new.users.setdefault(self)

    def _note_input(self, n):
        self._input_nodes.setdefault(n)
        return n

    def update_arg(self, idx, arg):
        args = list(self.args)
        args[idx] = arg
        self.args = tuple(args)

    def update_kwarg(self, key, arg):
        self.kwargs = {**self.kwargs, key: arg}

    def replace_all_uses_with(self, replace_with, delete_user_cb=lambda user: True, *,
                              propagate_meta=False):
        if propagate_meta:
            for k, v in self.meta.items():
                replace_with.meta.setdefault(k, v)
        changed = [u for u in list(self.users) if delete_user_cb(u)]
        for user in changed:
            user.replace_input_with(self, replace_with)
        return changed

    def replace_input_with(self, old_input, new_input):
        swap = lambda n: new_input if n is old_input else n  # noqa: E731
        self._update_args_kwargs(map_arg(self._args, swap), map_arg(self._kwargs, swap))

    def is_impure(self, impure_random=True):
        if self.op in ('placeholder', 'output'):
            return True
        if self.op == 'call_function':
            return self.target in _SIDE_EFFECTS
        if self.op == 'call_module' and self.graph.owning_module is not None:
            return getattr(self.graph.owning_module.get_submodule(self.target), '_is_impure', False)
        return False

    @property
    def stack_trace(self):
        return self.meta.get('stack_trace')

    @stack_trace.setter
    def stack_trace(self, trace):
        self.meta['stack_trace'] = trace

    # --- printing ---
    def __repr__(self):
        return self.name

    def format_node(self, placeholder_names=None, maybe_return_typename=None, **kwargs):
        if self.op == 'output':
            return f'return {self.args[0]}'
        typename = f'{_type_repr(self.type)} ' if self.type is not None else ''
        head = (f'%{self.name} : {typename}[num_users={len(self.users)}] = '
                f'{self.op}[target={_pretty_target(self.target)}]')
        if self.op == 'placeholder':
            return head + (f'(default={self.args[0]})' if self.args else '')
        if self.op == 'get_attr':
            return head
        return head + f'(args = {_format_arg(self.args)}, kwargs = {_format_arg(self.kwargs)})'


