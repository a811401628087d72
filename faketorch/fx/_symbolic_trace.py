"""torch.fx.symbolic_trace and Tracer.

torch records `torch.relu(proxy)` and `tensor + proxy` through __torch_function__; faketorch has
none, so while a Tracer runs it swaps the public functions of the faketorch namespaces, the Tensor
methods and operators, the functions registered with `wrap` and `math`'s for stand-ins that record
a node when an argument is a Proxy (and otherwise call through), and puts the originals back
afterwards, also when the traced code raises."""
import builtins
import collections
import functools
import importlib
import inspect
import math
import types
import weakref

from .graph import Graph
from .node import Node, map_aggregate, _SIDE_EFFECTS
from .proxy import Attribute, Proxy, ParameterProxy, TraceError  # noqa: F401
from ._torch_names import NAMES, FORWARD, METHODS, THROUGH, TENSOR_DUNDERS, BOOLEAN_DISPATCH


# namespaces patched while tracing: torch's name, faketorch's module
_NAMESPACES = (('torch', 'faketorch'), ('torch.nn.functional', 'faketorch.nn.functional'),
               ('torch.special', 'faketorch.special'), ('torch.linalg', 'faketorch.linalg'),
               ('torch.fft', 'faketorch.fft'))
_NOT_RECORDED = {'is_tensor', 'is_storage', 'typename', 'get_default_dtype', 'is_grad_enabled'}

_SIZE_FACTORIES = {f'torch.{n}' for n in ('ones', 'zeros', 'empty', 'rand', 'randn')}
_printed_names = {}     # function -> the name torch prints for it ('torch._C._nn.gelu')
_printed_lookup = {}    # printed name -> (faketorch module, attribute): what generated code calls
_prefixes = set()
_wrappers = {}          # (module name, attribute) -> (original, wrapper)
_wrapped_globals = {}   # (id(globals), name) -> globals: registered by wrap()


def _from_torch(obj):
    """Generated code reaches obj through `torch.<its printed name>`."""
    if not _printed_names:
        _namespace_patches()
    if _hashable(obj) and obj in _printed_names:
        return True
    module = getattr(obj, '__module__', None) or ''
    return module == 'faketorch' or module.startswith('faketorch.')


def _hashable(obj):
    try:
        hash(obj)
        return True
    except TypeError:
        return False


class _TorchNames:
    """The `torch` of generated code: `torch.relu` finds faketorch.relu (the patched one while
    tracing), `torch._C._nn.gelu` finds faketorch.nn.functional.gelu."""

    def __init__(self, path):
        self._path = path

    def __getattr__(self, name):
        full = f'{self._path}.{name}'
        hit = _printed_lookup.get(full)
        if hit is not None:
            return getattr(hit[0], hit[1])
        if full in _prefixes:
            return _TorchNames(full)
        obj = importlib.import_module('faketorch')
        for atom in full.split('.')[1:]:
            obj = getattr(obj, atom)
        return obj

    def __repr__(self):
        return f"<module '{self._path}'>"


_TORCH = _TorchNames('torch')


def _proxies(args, kwargs):
    found = []

    def look(a):
        if isinstance(a, Proxy):
            found.append(a)
        return a
    map_aggregate(args, look)
    map_aggregate(kwargs, look)
    return found


def _has_proxy(args, kwargs):
    found = _proxies(args, kwargs)
    return found[0] if found else None


@functools.lru_cache(maxsize=None)
def _signature(params):
    """An inspect.Signature from a table's parameter list ('input, dim=None')."""
    return inspect.signature(eval(f'lambda {params}: None', {'inf': math.inf}))


def _forward_signature(key):
    sig, pos, kw = FORWARD[key]
    try:
        return _signature(sig), pos.split(), kw.split()
    except SyntaxError:
        return None


def _as_torch_records(key, args, kwargs):
    """The args/kwargs torch's Python function hands to __torch_function__ (defaults filled in)."""
    spec = key in FORWARD and _forward_signature(key)
    if not spec:
        return args, kwargs
    sig, pos, kw = spec
    try:
        bound = sig.bind(*args, **kwargs)
    except TypeError:
        return args, kwargs
    bound.apply_defaults()
    a = bound.arguments
    if not all(p.lstrip('*') in a for p in pos + kw):
        return args, kwargs     # einsum(*args) names its parameters only inside
    out_args = []
    for p in pos:
        out_args.extend(a[p[1:]] if p.startswith('*') else [a[p]])
    out_kwargs = {}
    for k in kw:
        if k.startswith('**'):
            out_kwargs.update(a[k[2:]])
        else:
            out_kwargs[k] = a[k]
    return tuple(out_args), out_kwargs


class _Alias:
    """The recorded target where faketorch shares one function between two names that torch
    prints differently (F.selu is faketorch.selu): equal to, and calls, the shared function."""
    def __init__(self, fn, printed):
        self.fn, self.fx_printed_name = fn, printed
        self.__name__ = self.__qualname__ = printed.rsplit('.', 1)[1]
        self.__module__, self.__doc__ = fn.__module__, fn.__doc__

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def __eq__(self, other):
        return other is self or other is self.fn

    def __hash__(self):
        return hash(self.fn)

    def __repr__(self):
        return repr(self.fn)


class _Recorder:
    """Stands in for a faketorch function while tracing: records a node when an argument is a
    Proxy, else calls through. Equal to the function it replaces, so `target == torch.neg` holds
    inside a Transformer."""

    def __init__(self, orig, key):
        functools.update_wrapper(self, orig)
        self._orig, self._key, self._printed, self._target = orig, key, NAMES.get(key, key), orig

    def __eq__(self, other):
        return other is self or other is self._orig or \
            (isinstance(other, _Recorder) and other._orig is self._orig)

    def __hash__(self):
        return hash(self._orig)

    def __repr__(self):
        return repr(self._orig)

    def __call__(self, *args, **kwargs):
        proxy = _has_proxy(args, kwargs)
        if proxy is None:
            return self._orig(*args, **kwargs)
        key = self._key
        tracers = list(dict.fromkeys(p.tracer for p in _proxies(args, kwargs)))
        if len(tracers) > 1:
            name = key.rsplit('.', 1)[1]
            what = f'<built-in method {name} of type object at {hex(id(self))}>' if key.count('.') == 1 \
                else f'<function {name} at {hex(id(self))}>'
            raise RuntimeError(f"Found multiple different tracers {tracers} while trying to trace operations {what}")
        if key in THROUGH:
            sig, callee, fixed = THROUGH[key]
            bound = _signature(sig).bind(*args, **kwargs)
            bound.apply_defaults()
            namespace = importlib.import_module('faketorch.nn.functional')
            return getattr(namespace, callee)(**bound.arguments, **fixed)
        if key in BOOLEAN_DISPATCH:
            pos, with_indices = BOOLEAN_DISPATCH[key]
            if kwargs.get('return_indices', args[pos] if len(args) > pos else False):
                return getattr(importlib.import_module('faketorch.nn.functional'), with_indices)(*args, **kwargs)
        if self._target is self._orig and _printed_names.get(self._orig, self._printed) != self._printed:
            self._target = _Alias(self._orig, self._printed)
        if key in _SIZE_FACTORIES and len(args) > 1:
            # torch's argument parser reads `*size` only from ints: with Proxies it tries `size=`
            raise TypeError(f'{key.rsplit(".", 1)[1]}() takes 1 positional argument but {len(args)} were given')
        if key in METHODS:
            return proxy.tracer.create_proxy('call_method', METHODS[key], args, kwargs)
        args, kwargs = _as_torch_records(key, args, kwargs)
        return proxy.tracer.create_proxy('call_function', self._target, args, kwargs)


def _is_function(v):
    return isinstance(v, (types.FunctionType, types.BuiltinFunctionType, functools.partial)) \
        or type(v).__name__ in ('builtin_function_or_method', 'cython_function_or_method')


def _namespace_patches():
    """(module, attribute, wrapper) for every public function of the traced namespaces."""
    patches = []
    for tname, fname in _NAMESPACES:
        mod = importlib.import_module(fname)
        for attr, value in list(vars(mod).items()):
            if attr.startswith('_') and attr != '_assert' or attr in _NOT_RECORDED or not _is_function(value):
                continue
            key = f'{tname}.{attr}'
            cached = _wrappers.get((fname, attr))
            if cached is None or cached[0] is not value and cached[1] is not value:
                cached = (value, _Recorder(value, key))
                _wrappers[(fname, attr)] = cached
                printed = NAMES.get(key, key)
                if _hashable(value):
                    _printed_names.setdefault(value, printed)
                _printed_lookup.setdefault(printed, (mod, attr))
                parts = printed.split('.')
                _prefixes.update('.'.join(parts[:i]) for i in range(2, len(parts)))
            patches.append((mod, attr, cached[1]))
    # the library's modules call F through the module that defines it (nn._functional_spatial): a
    # bare Conv2d or LayerNorm traced as the root records its F.conv2d / F.layer_norm call too
    public, spatial = importlib.import_module('faketorch.nn.functional'), importlib.import_module(
        'faketorch.nn._functional_spatial')
    for attr, value in list(vars(spatial).items()):
        cached = _wrappers.get(('faketorch.nn.functional', attr))
        # (torch.nested routes F.layer_norm and _functional_spatial.layer_norm through two wrappers of one function)
        if cached is not None and inspect.unwrap(cached[0]) is inspect.unwrap(value) \
                and vars(public).get(attr) in cached:
            patches.append((spatial, attr, cached[1]))
    return patches


def _method_wrapper(orig, recorded):
    @functools.wraps(orig)
    def wrapper(self, *args, **kwargs):
        proxy = _has_proxy(args, kwargs)
        if proxy is None:
            return orig(self, *args, **kwargs)
        return proxy.tracer.create_proxy('call_method', recorded, (self,) + args, kwargs)
    return wrapper


_tensor_wrappers = []


def _tensor_patches():
    """Tensor methods and operators: `tensor.add(proxy)`, `tensor + proxy` record a call_method."""
    if not _tensor_wrappers:
        from .._tensor import Tensor
        importlib.import_module('faketorch.sparse')   # it installs Tensor methods when first imported
        for name in dir(Tensor):
            if name.startswith('_') and name not in TENSOR_DUNDERS:
                continue
            value = inspect.getattr_static(Tensor, name)
            if isinstance(value, types.FunctionType):
                _tensor_wrappers.append((Tensor, name, _method_wrapper(value, TENSOR_DUNDERS.get(name, name))))
    return _tensor_wrappers


class _Patcher:
    def __init__(self):
        self._undo = []

    def set(self, obj, name, value):
        if isinstance(obj, dict):
            self._undo.append((obj, name, obj.get(name, _MISSING), value))
            obj[name] = value
        else:
            self._undo.append((obj, name, obj.__dict__.get(name, _MISSING), value))
            setattr(obj, name, value)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for obj, name, value, mine in reversed(self._undo):
            now = (obj if isinstance(obj, dict) else obj.__dict__).get(name, _MISSING)
            if now is not mine:
                continue    # replaced meanwhile (torch.nested routes functions when first imported): kept
            if value is _MISSING and isinstance(obj, dict):
                del obj[name]
            elif value is _MISSING:
                delattr(obj, name)
            elif isinstance(obj, dict):
                obj[name] = value
            else:
                setattr(obj, name, value)
        self._undo.clear()


def _wrapped_global(orig, name):
    @functools.wraps(orig)
    def wrapper(*args, **kwargs):
        proxy = _has_proxy(args, kwargs)
        if proxy is None:
            return orig(*args, **kwargs)
        p = proxy.tracer.create_proxy('call_function', orig, args, kwargs)
        p.node.meta['is_wrapped'] = True
        return p
    return wrapper


_recording = {'users': 0, 'patcher': None}


def _recording_on():
    """Swap in the recording stand-ins for faketorch's functions and Tensor methods: for a trace, and
    while Proxies made outside a trace live (`torch.cat([Proxy(a), Proxy(b)])` records, as torch's
    Proxy does through __torch_function__). Counted, so nested users share one swap."""
    if _recording['users'] == 0:
        patcher = _Patcher()
        for mod, attr, wrapper in _namespace_patches() + _tensor_patches():
            patcher.set(mod, attr, wrapper)
        _recording['patcher'] = patcher
    _recording['users'] += 1


def _recording_off():
    _recording['users'] -= 1
    if _recording['users'] == 0:
        _recording['patcher'].__exit__()
        _recording['patcher'] = None


def _track(proxy):
    """Keep recording on while a Proxy made outside a trace is alive."""
    _recording_on()
    weakref.finalize(proxy, _recording_off)


class Tracer:
    def __init__(self, autowrap_modules=(math,), autowrap_functions=(), param_shapes_constant=False):
        self._autowrap_modules = tuple(autowrap_modules)
        self._autowrap_functions = tuple(autowrap_functions)
        self.param_shapes_constant = param_shapes_constant
        self.proxy_buffer_attributes = False     # buffers become get_attr nodes where used, as torch
        self.submodule_paths = None
        self.root = None
        self.graph = None
        self.module_stack = collections.OrderedDict()
        self.num_calls = {}
        self.tensor_attrs = {}

    # --- overridable hooks ---
    def is_leaf_module(self, m, module_qualified_name):
        from ..nn import Sequential
        module = type(m).__module__
        return module.startswith(('faketorch.nn', 'faketorch.ao.nn')) and not isinstance(m, Sequential)

    def path_of_module(self, mod):
        if self.submodule_paths:
            path = self.submodule_paths.get(mod)
            if path is None:
                raise NameError('module is not installed as a submodule')
            return path
        for name, m in self.root.named_modules():
            if m is mod:
                return name
        raise NameError('module is not installed as a submodule')

    def call_module(self, m, forward, args, kwargs):
        qualname = self.path_of_module(m)
        calls = self.num_calls.get(qualname, 0)
        key = f'{qualname}@{calls}' if calls else qualname
        self.module_stack[key] = (qualname, type(m))
        self.num_calls[qualname] = calls + 1
        try:
            if not self.is_leaf_module(m, qualname):
                return forward(*args, **kwargs)
            return self.create_proxy('call_module', qualname, args, kwargs)
        finally:
            self.module_stack.popitem(last=True)

    def getattr(self, attr, attr_val, parameter_proxy_cache):
        from .._tensor import Tensor
        from ..nn import Parameter
        if isinstance(attr_val, Parameter):
            candidates = self.root.named_parameters()
        elif isinstance(attr_val, Tensor) and self.proxy_buffer_attributes:
            candidates = self.root.named_buffers()
        else:
            return attr_val
        for name, value in candidates:
            if value is attr_val:
                if name not in parameter_proxy_cache:
                    if self.param_shapes_constant and isinstance(attr_val, Parameter):
                        node = self.create_node('get_attr', name, (), {})
                        parameter_proxy_cache[name] = ParameterProxy(self, node, name, attr_val)
                    else:
                        parameter_proxy_cache[name] = self.create_proxy('get_attr', name, (), {})
                return parameter_proxy_cache[name]
        return attr_val

    def to_bool(self, obj):
        raise TraceError('symbolically traced variables cannot be used as inputs to control flow')

    def iter(self, obj):
        raise TraceError('Proxy object cannot be iterated. This can be attempted when the Proxy is used '
                         'in a loop or as a *args or **kwargs function argument. See the torch.fx docs on '
                         'pytorch.org for a more detailed explanation of what types of control flow can be '
                         'traced, and check out the Proxy docstring for help troubleshooting Proxy '
                         'iteration errors')

    def keys(self, obj):
        return Attribute(obj, 'keys')()

    # --- recording ---
    def create_node(self, kind, target, args, kwargs, name=None, type_expr=None):
        node = self.graph.create_node(kind, target, args, kwargs, name, type_expr)
        if self.module_stack:
            node.meta['nn_module_stack'] = collections.OrderedDict(self.module_stack)
        return node

    def proxy(self, node):
        return Proxy(node, self)

    def create_proxy(self, kind, target, args, kwargs, name=None, type_expr=None, proxy_factory_fn=None):
        args_ = self.create_arg(args)
        kwargs_ = self.create_arg(kwargs)
        node = self.create_node(kind, target, args_, kwargs_, name, type_expr)
        return self.proxy(node) if proxy_factory_fn is None else proxy_factory_fn(node)

    def create_arg(self, a):
        from .._tensor import Tensor
        from ..nn import Parameter, Module
        from .. import dtype, device, memory_format, layout
        if isinstance(a, Proxy):
            return a.node
        if isinstance(a, Node):
            return a
        if isinstance(a, Module):
            for name, m in self.root.named_modules():
                if a is m:
                    return self.create_node('get_attr', name, (), {})
        if isinstance(a, tuple) and hasattr(a, '_fields'):
            return self.create_node('call_function', type(a), tuple(self.create_arg(e) for e in a), {})
        if isinstance(a, tuple):
            return tuple(self.create_arg(e) for e in a)
        if isinstance(a, list):
            return [self.create_arg(e) for e in a]
        if isinstance(a, dict):
            out = {}
            for k, v in a.items():
                k = self.create_arg(k)
                if isinstance(k, Node):
                    raise RuntimeError(f'Keys for dictionaries used as an argument cannot contain a Node. '
                                       f'Got key: {k}')
                out[k] = self.create_arg(v)
            return out
        if isinstance(a, slice):
            return slice(self.create_arg(a.start), self.create_arg(a.stop), self.create_arg(a.step))
        if isinstance(a, range):
            return range(self.create_arg(a.start), self.create_arg(a.stop), self.create_arg(a.step))
        if isinstance(a, Parameter):
            for name, p in self.root.named_parameters():
                if a is p:
                    return self.create_node('get_attr', name, (), {})
            raise NameError('parameter is not a member of this module')
        if isinstance(a, Tensor):
            for name, b in self.root.named_buffers():
                if a is b:
                    return self.create_node('get_attr', name, (), {})
            name = self.tensor_attrs.get(id(a))     # tensors held by the modules, by identity
            if name is None:
                i = 0
                while hasattr(self.root, f'_tensor_constant{i}'):
                    i += 1
                name = f'_tensor_constant{i}'
                setattr(self.root, name, a)
                self.tensor_attrs[id(a)] = name
            return self.create_node('get_attr', name, (), {})
        if a is None or a is Ellipsis or isinstance(a, (str, int, float, bool, complex, dtype, device,
                                                       memory_format, layout)):
            return a
        raise NotImplementedError(f'argument of type: {type(a)}')

    # --- the trace ---
    def trace(self, root, concrete_args=None):
        from ..nn import Module
        from .._tensor import Tensor
        if isinstance(root, Module):
            self.root = root
            fn = type(root).forward
        else:
            self.root = Module()
            fn = root
        self.graph = Graph(tracer_cls=type(self))
        self.module_stack, self.num_calls = collections.OrderedDict(), {}
        self.tensor_attrs = {}
        for prefix, m in self.root.named_modules():
            for k, v in vars(m).items():
                if isinstance(v, Tensor):
                    self.tensor_attrs[id(v)] = f'{prefix}.{k}' if prefix else k
        self.submodule_paths = {m: name for name, m in self.root.named_modules()}
        try:
            fn_globals, annotations = fn.__globals__, getattr(fn, '__annotations__', {})
            fn, args = self._create_args_for_root(fn, isinstance(root, Module), concrete_args)
            _recording_on()
            try:
                with _Patcher() as patcher:
                    self._patch(patcher, fn_globals)
                    result = fn(*args)
            finally:
                _recording_off()
            self.create_node('output', 'output', (self.create_arg(result),), {},
                             type_expr=annotations.get('return'))
        finally:
            self.submodule_paths = None
        return self.graph

    def _create_args_for_root(self, fn, is_module, concrete_args):
        sig = inspect.signature(fn)
        annotations = getattr(fn, '__annotations__', {})
        params = list(sig.parameters.values())
        fn, flat = _positional_only(fn)
        if flat:    # *args and **kwargs arrive as one Proxy each, in the code's own order
            kinds = {p.name: p for p in params}
            params = [kinds[name] for name in fn.__code__.co_varnames[:fn.__code__.co_argcount]]
        args = [self.root] if is_module else []
        if is_module:
            params = params[1:]
        concrete_args = concrete_args or {}
        for p in params:
            if p.name in concrete_args:
                args.append(self._concrete(p, concrete_args[p.name]))
                continue
            stars = {p.VAR_POSITIONAL: '*', p.VAR_KEYWORD: '**'}.get(p.kind, '')
            default = () if p.default is p.empty else (p.default,)
            args.append(self.create_proxy('placeholder', stars + p.name, default, {},
                                          type_expr=annotations.get(p.name)))
        return fn, args

    def _concrete(self, p, value):
        default = () if p.default is p.empty else (p.default,)
        out = self.create_proxy('placeholder', f'{p.name}_1', default, {})
        msg = f'{p.name} has been specialized to have value {value} but got another value'
        if value is None:
            self.create_proxy('call_function', _assert_is_none, (out, msg), {})
        elif isinstance(value, (bool, int, float, str, complex)):
            from .. import _assert
            eq = self.create_proxy('call_function', __import__('operator').eq, (out, value), {})
            self.create_proxy('call_function', _assert, (eq, msg), {})
        return value

    def _patch(self, patcher, fn_globals):
        from ..nn import Module
        tracer, cache = self, {}
        call_orig, getattr_orig = Module.__call__, Module.__getattr__

        def module_call(mod, *args, **kwargs):
            return tracer.call_module(mod, lambda *a, **k: call_orig(mod, *a, **k), args, kwargs)

        def module_getattr(mod, name):
            return tracer.getattr(name, getattr_orig(mod, name), cache)
        patcher.set(Module, '__call__', module_call)
        patcher.set(Module, '__getattr__', module_getattr)
        auto = {id(f) for m in self._autowrap_modules for f in vars(m).values() if callable(f)}
        auto.update(id(f) for f in self._autowrap_functions)
        for name, value in list(fn_globals.items()):
            if id(value) in auto and not name.startswith('_'):
                patcher.set(fn_globals, name, _wrapped_global(value, name))
        for m in self._autowrap_modules:
            for name, value in list(vars(m).items()):
                if callable(value) and not name.startswith('_') and not isinstance(value, type):
                    patcher.set(m, name, _wrapped_global(value, name))
        for (_, name), g in _wrapped_globals.items():
            if name not in g and name in vars(builtins):
                patcher.set(g, name, _wrapped_global(getattr(builtins, name), name))
            elif name in g:
                patcher.set(g, name, _wrapped_global(g[name], name))


def _positional_only(fn):
    """fn with *args/**kwargs/keyword-only parameters turned into plain positional ones."""
    code = getattr(fn, '__code__', None)
    if code is None:
        return fn, False
    flags = code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS)
    if not flags and not code.co_kwonlyargcount:
        return fn, False
    n = code.co_argcount + code.co_kwonlyargcount + bin(flags).count('1')
    code = code.replace(co_argcount=n, co_kwonlyargcount=0, co_flags=code.co_flags & ~flags)
    return types.FunctionType(code, fn.__globals__, fn.__name__, None, fn.__closure__), True


class _Missing:
    pass


_MISSING = _Missing()


def _assert_is_none(value, msg):
    assert value is None, msg


_SIDE_EFFECTS.add(_assert_is_none)
_SIDE_EFFECTS.add(importlib.import_module('faketorch')._assert)


def wrap(fn_or_name):
    if not callable(fn_or_name) and not isinstance(fn_or_name, str):
        raise RuntimeError('Unsupported type for global function! Must be either a callable or string name')
    name = fn_or_name if isinstance(fn_or_name, str) else fn_or_name.__name__
    f = inspect.currentframe().f_back
    if f.f_code.co_name != '<module>':
        raise NotImplementedError('wrap must be called at the top level of a module')
    _wrapped_globals[(id(f.f_globals), name)] = f.f_globals
    return fn_or_name


def symbolic_trace(root, concrete_args=None):
    from ..nn import Module
    from .graph_module import GraphModule
    tracer = Tracer()
    graph = tracer.trace(root, concrete_args)
    name = type(root).__name__ if isinstance(root, Module) else root.__name__
    return GraphModule(tracer.root, graph, name)

