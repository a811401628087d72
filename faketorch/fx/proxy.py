"""torch.fx.Proxy: stands for a value during symbolic tracing; every use records a Node."""
import dis
import inspect
import operator

from .graph import _MAGIC, _REFLECTABLE
from ._torch_names import TENSOR_DUNDERS


class TraceError(ValueError):
    pass


class Proxy:
    def __init__(self, node, tracer=None):
        if tracer is None:
            tracer = _graph_appending_tracer()(node.graph)
        self.tracer, self.node = tracer, node
        if type(tracer).__name__ == 'GraphAppendingTracer':     # outside a trace: keep recording on
            from ._symbolic_trace import _track
            _track(self)

    def __repr__(self):
        return f'Proxy({self.node.name})'

    def __getattr__(self, k):
        if k.startswith('__') and k.endswith('__') and k not in TENSOR_DUNDERS:
            raise AttributeError(k)
        return Attribute(self, k)

    def __call__(self, *args, **kwargs):
        return self.tracer.create_proxy('call_method', '__call__', (self,) + args, kwargs)

    def __iter__(self):
        frame = inspect.currentframe().f_back
        for inst in dis.get_instructions(frame.f_code):
            if inst.offset == frame.f_lasti:
                if inst.opname == 'UNPACK_SEQUENCE':
                    return (self[i] for i in range(inst.argval))
                break
        return self.tracer.iter(self)

    def __bool__(self):
        return self.tracer.to_bool(self)

    def keys(self):
        return self.tracer.keys(self)

    def __len__(self):
        raise RuntimeError("'len' is not supported in symbolic tracing by default. If you want this call "
                           "to be recorded, please call torch.fx.wrap('len') at module scope")

    def __abs__(self):
        return self.tracer.create_proxy('call_function', operator.abs, (self,), {})


class Attribute(Proxy):
    """`proxy.attr`: a getattr node, made only if the attribute is used as a value."""

    def __init__(self, root, attr):
        self.root, self.attr, self.tracer = root, attr, root.tracer
        self._node = None

    @property
    def node(self):
        if self._node is None:
            self._node = self.tracer.create_proxy('call_function', getattr, (self.root, self.attr), {}).node
        return self._node

    def __call__(self, *args, **kwargs):
        return self.tracer.create_proxy('call_method', self.attr, (self.root,) + args, kwargs)


class ParameterProxy(Proxy):
    """A get_attr of a Parameter: shape, size(), dim() ... answer from the real parameter."""

    def __init__(self, tracer, node, name, param):
        super().__init__(node, tracer)
        self.param, self.name = param, name

    def __repr__(self):
        return f'ParameterProxy({self.name})'

    @property
    def shape(self):
        return self.param.shape

    def size(self, dim=None):
        return self.param.size() if dim is None else self.param.size(dim)

    def dim(self):
        return self.param.dim()

    @property
    def ndim(self):
        return self.param.ndim

    def numel(self):
        return self.param.numel()

    def nelement(self):
        return self.param.nelement()


def _install_magic(name):
    fn = getattr(operator, name)

    def impl(*args):
        tracer = next(a.tracer for a in args if isinstance(a, Proxy))
        return tracer.create_proxy('call_function', fn, args, {})
    impl.__name__ = impl.__qualname__ = f'__{name.strip("_")}__'
    setattr(Proxy, impl.__name__, impl)


def _install_reflected(name):
    fn = getattr(operator, name)

    def impl(self, rhs):
        return self.tracer.create_proxy('call_function', fn, (rhs, self), {})
    impl.__name__ = impl.__qualname__ = f'__r{name.strip("_")}__'
    setattr(Proxy, impl.__name__, impl)


for _name in _MAGIC:
    if hasattr(operator, _name):
        _install_magic(_name)
for _name in _REFLECTABLE:
    if hasattr(operator, _name) and _name != 'getitem':
        _install_reflected(_name)


def _graph_appending_tracer():
    """The class, made on first use (Tracer's module imports this one)."""
    cls = globals().get('GraphAppendingTracer')
    if cls is None:
        from ._symbolic_trace import Tracer

        class GraphAppendingTracer(Tracer):
            """A tracer that adds the nodes Proxies record to an existing graph."""

            def __init__(self, graph):
                super().__init__()
                self.graph = graph
                self.root = None

            def __repr__(self):     # as torch's errors show it
                return f'<torch.fx.proxy.GraphAppendingTracer object at {hex(id(self))}>'
        GraphAppendingTracer.__module__, GraphAppendingTracer.__qualname__ = __name__, 'GraphAppendingTracer'
        cls = globals()['GraphAppendingTracer'] = GraphAppendingTracer
    return cls


def __getattr__(name):
    if name == 'GraphAppendingTracer':
        return _graph_appending_tracer()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
