"""torch.utils._pytree: flatten nested list/tuple/dict/OrderedDict/defaultdict/deque/namedtuple
containers into leaves and a TreeSpec, and back.

As in torch (and unlike JAX), None is a leaf. Types are registered in a table
(`register_pytree_node`) of flatten / unflatten functions."""
import collections
from dataclasses import dataclass, field

from .._tensor import Size

__all__ = ['TreeSpec', 'LeafSpec', 'tree_flatten', 'tree_unflatten', 'tree_leaves', 'tree_structure',
           'tree_map', 'tree_map_', 'tree_iter', 'tree_all', 'tree_any', 'register_pytree_node',
           'treespec_pprint', 'tree_map_only', 'tree_flatten_with_path', 'keystr', 'tree_leaves_with_path',
           'tree_map_with_path', 'key_get', 'tree_is_leaf', 'is_namedtuple', 'is_namedtuple_class',
           'is_namedtuple_instance', 'tree_map_only_', 'tree_all_only', 'tree_any_only', 'SequenceKey', 'MappingKey',
           'GetAttrKey']


@dataclass(frozen=True)
class _NodeDef:
    flatten: object     # node -> (children, context)
    unflatten: object   # (children, context) -> node


SUPPORTED_NODES = {}


def register_pytree_node(cls, flatten_fn, unflatten_fn, *, serialized_type_name=None, to_dumpable_context=None,
                         from_dumpable_context=None, flatten_with_keys_fn=None):
    if cls in SUPPORTED_NODES:
        raise ValueError(f"{cls} is already registered as pytree node.")
    SUPPORTED_NODES[cls] = _NodeDef(flatten_fn, unflatten_fn)


def _dict_unflatten(values, context):
    return dict(zip(context, values))


def _namedtuple_unflatten(values, context):
    return context(*values)


def _defaultdict_unflatten(values, context):
    factory, keys = context
    return collections.defaultdict(factory, zip(keys, values))


register_pytree_node(tuple, lambda t: (list(t), None), lambda v, c: tuple(v))
register_pytree_node(list, lambda t: (list(t), None), lambda v, c: list(v))
register_pytree_node(dict, lambda d: (list(d.values()), list(d.keys())), _dict_unflatten)
register_pytree_node(collections.OrderedDict, lambda d: (list(d.values()), list(d.keys())),
                     lambda v, c: collections.OrderedDict(zip(c, v)))
register_pytree_node(collections.defaultdict, lambda d: (list(d.values()), [d.default_factory, list(d.keys())]),
                     _defaultdict_unflatten)
register_pytree_node(collections.deque, lambda d: (list(d), d.maxlen), lambda v, c: collections.deque(v, maxlen=c))
register_pytree_node(Size, lambda t: (list(t), None), lambda v, c: tuple(v))     # torch's: unflattens to a tuple
# torch files every namedtuple under the `collections.namedtuple` function; its context is the class
register_pytree_node(collections.namedtuple, lambda t: (list(t), type(t)), _namedtuple_unflatten)


def _is_namedtuple_instance(tree):
    return isinstance(tree, tuple) and hasattr(type(tree), '_fields') and type(tree) is not tuple


def _node_type(tree):
    if _is_namedtuple_instance(tree):
        return collections.namedtuple
    return type(tree)


def _is_leaf(tree, is_leaf=None):
    return (is_leaf is not None and is_leaf(tree)) or _node_type(tree) not in SUPPORTED_NODES


@dataclass(init=True, frozen=True, eq=True, repr=False)
class TreeSpec:
    type: object
    _context: object
    _children: list = field(default_factory=list)

    @property
    def context(self):
        return self._context

    @property
    def children_specs(self):
        return self._children

    @property
    def num_children(self):
        return len(self._children)

    @property
    def num_nodes(self):
        return 1 + sum(c.num_nodes for c in self._children)

    @property
    def num_leaves(self):
        return sum(c.num_leaves for c in self._children)

    def is_leaf(self):
        return self.num_nodes == 1 and self.num_leaves == 1

    def child(self, index):
        return self._children[index]

    def __repr__(self, indent=0):
        head = f"TreeSpec({self.type.__name__}, {self._context}, ["
        body = ''
        if self._children:
            indent += 2
            body = self._children[0].__repr__(indent) + (',' if len(self._children) > 1 else '')
            body += ','.join('\n' + ' ' * indent + c.__repr__(indent) for c in self._children[1:])
        return head + body + '])'

    def __eq__(self, other):
        if self is other:
            return True
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (str(self.type) == str(other.type) and self._context == other._context
                and self._children == other._children)

    def __hash__(self):
        return hash((str(self.type), repr(self._context), tuple(self._children)))

    def flatten_up_to(self, tree):
        out = []
        self._flatten_up_to(tree, out)
        return out

    def _flatten_up_to(self, tree, out):
        if self.is_leaf():
            out.append(tree)
            return
        node_type = _node_type(tree)
        if node_type is not self.type:
            raise ValueError(f"Type mismatch; expected {self.type!r}, but got {node_type!r}.")
        children, context = SUPPORTED_NODES[node_type].flatten(tree)
        if len(children) != self.num_children:
            raise ValueError(f"Node arity mismatch; expected {self.num_children}, but got {len(children)}.")
        if context != self._context:
            raise ValueError("Node context mismatch for custom node type.")
        for spec, child in zip(self._children, children):
            spec._flatten_up_to(child, out)

    def unflatten(self, leaves):
        leaves = list(leaves)
        if len(leaves) != self.num_leaves:
            raise ValueError(f"treespec.unflatten(leaves): `leaves` has length {len(leaves)} but the spec refers "
                             f"to a pytree that holds {self.num_leaves} items ({self}).")
        return self._unflatten(iter(leaves))

    def _unflatten(self, it):
        if self.is_leaf():
            return next(it)
        children = [c._unflatten(it) for c in self._children]
        return SUPPORTED_NODES[self.type].unflatten(children, self._context)


class LeafSpec(TreeSpec):
    def __init__(self):
        super().__init__(None, None, [])

    @property
    def num_nodes(self):
        return 1

    @property
    def num_leaves(self):
        return 1

    def __repr__(self, indent=0):
        return '*'

    def __hash__(self):
        return hash('*')


_LEAF_SPEC = LeafSpec()


def tree_flatten(tree, is_leaf=None):
    leaves = []

    def go(node):
        if _is_leaf(node, is_leaf):
            leaves.append(node)
            return _LEAF_SPEC
        node_type = _node_type(node)
        children, context = SUPPORTED_NODES[node_type].flatten(node)
        return TreeSpec(node_type, context, [go(c) for c in children])

    spec = go(tree)
    return leaves, spec


def tree_unflatten(leaves, treespec):
    if not isinstance(treespec, TreeSpec):
        raise TypeError(f"tree_unflatten(leaves, treespec): Expected `treespec` to be instance of TreeSpec but "
                        f"got item of type {type(treespec)}.")
    return treespec.unflatten(leaves)


def tree_leaves(tree, is_leaf=None):
    return tree_flatten(tree, is_leaf)[0]


def tree_iter(tree, is_leaf=None):
    return iter(tree_leaves(tree, is_leaf))


def tree_structure(tree, is_leaf=None):
    return tree_flatten(tree, is_leaf)[1]


def tree_map(func, tree, *rests, is_leaf=None):
    leaves, spec = tree_flatten(tree, is_leaf)
    flat_rests = [spec.flatten_up_to(r) for r in rests]
    return spec.unflatten(map(func, leaves, *flat_rests))


def tree_map_(func, tree, *rests, is_leaf=None):
    leaves, spec = tree_flatten(tree, is_leaf)
    flat_rests = [spec.flatten_up_to(r) for r in rests]
    collections.deque(map(func, leaves, *flat_rests), maxlen=0)
    return tree


def _type_filter(type_or_types, func):
    def wrapped(x):
        return func(x) if isinstance(x, type_or_types) else x
    return wrapped


def tree_map_only(type_or_types, func, tree, is_leaf=None):
    return tree_map(_type_filter(type_or_types, func), tree, is_leaf=is_leaf)


def tree_all(pred, tree, is_leaf=None):
    return all(map(pred, tree_leaves(tree, is_leaf)))


def tree_any(pred, tree, is_leaf=None):
    return any(map(pred, tree_leaves(tree, is_leaf)))


def treespec_pprint(treespec):
    class _Asterisk(str):
        def __repr__(self):
            return '*'
    return repr(tree_unflatten([_Asterisk('*')] * treespec.num_leaves, treespec))


@dataclass(frozen=True)
class SequenceKey:
    idx: int

    def __str__(self):
        return f'[{self.idx!r}]'

    def get(self, sequence):
        return sequence[self.idx]


@dataclass(frozen=True)
class MappingKey:
    key: object

    def __str__(self):
        return f'[{self.key!r}]'

    def get(self, mapping):
        return mapping[self.key]


@dataclass(frozen=True)
class GetAttrKey:
    name: str

    def __str__(self):
        return f'.{self.name}'

    def get(self, obj):
        return getattr(obj, self.name)


def _key_entries(node_type, node, context):
    if node_type in (dict, collections.OrderedDict):
        return [MappingKey(k) for k in context]
    if node_type is collections.defaultdict:
        return [MappingKey(k) for k in context[1]]
    if node_type is collections.namedtuple:
        return [GetAttrKey(f) for f in context._fields]
    return [SequenceKey(i) for i in range(len(node) if node_type is not collections.deque else len(list(node)))]


def tree_flatten_with_path(tree, is_leaf=None):
    """((key path, leaf) for every leaf, the TreeSpec); a key path is a tuple of SequenceKey/MappingKey/
    GetAttrKey entries."""
    out = []

    def go(node, path):
        if _is_leaf(node, is_leaf):
            out.append((path, node))
            return
        node_type = _node_type(node)
        children, context = SUPPORTED_NODES[node_type].flatten(node)
        for key, child in zip(_key_entries(node_type, node, context), children):
            go(child, path + (key,))

    go(tree, ())
    return out, tree_structure(tree, is_leaf)


def tree_leaves_with_path(tree, is_leaf=None):
    return tree_flatten_with_path(tree, is_leaf)[0]


def tree_map_with_path(func, tree, *rests, is_leaf=None):
    pairs, spec = tree_flatten_with_path(tree, is_leaf)
    flat_rests = [spec.flatten_up_to(r) for r in rests]
    return spec.unflatten(func(kp, v, *r) for (kp, v), *r in zip(pairs, *flat_rests))


def keystr(kp):
    return ''.join(map(str, kp))


def key_get(obj, kp):
    for k in kp:
        obj = k.get(obj)
    return obj


def tree_is_leaf(tree, is_leaf=None):
    return _is_leaf(tree, is_leaf)


def is_namedtuple_class(cls):
    return isinstance(cls, type) and issubclass(cls, tuple) and isinstance(getattr(cls, '_fields', None), tuple)


def is_namedtuple_instance(obj):
    return is_namedtuple_class(type(obj))


def is_namedtuple(obj):
    return is_namedtuple_class(obj if isinstance(obj, type) else type(obj))


def tree_map_only_(type_or_types, func, tree, is_leaf=None):
    return tree_map_(_type_filter(type_or_types, func), tree, is_leaf=is_leaf)


def tree_all_only(type_or_types, pred, tree, is_leaf=None):
    return all(pred(x) for x in tree_leaves(tree, is_leaf) if isinstance(x, type_or_types))


def tree_any_only(type_or_types, pred, tree, is_leaf=None):
    return any(pred(x) for x in tree_leaves(tree, is_leaf) if isinstance(x, type_or_types))
