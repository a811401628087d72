"""torch.fx.GraphModule: an nn.Module whose forward is Python generated from a Graph."""
import linecache

from ..nn import Module
from .graph import Graph

_BUILTIN_NAMES = ('inf', 'nan', 'NoneType', 'torch', 'device')
_READABLE_HINT = '\n# To see more debug info, please use `graph_module.print_readable()`'
_count = [0]


def _copy_attr(src, dst, target):
    *prefix, field = target.split('.')
    for item in prefix:
        f = getattr(src, item)
        t = getattr(dst, item, None)
        if f is t:
            return
        if t is None:
            t = Module()
            setattr(dst, item, t)
        src, dst = f, t
    _assign(getattr(src, field), dst, field)


def _assign(value, dst, field):
    from .._tensor import Tensor
    from ..nn import Parameter
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        dst.register_buffer(field, value)
    else:
        setattr(dst, field, value)


def _assign_path(value, dst, target):
    *prefix, field = target.split('.')
    for item in prefix:
        t = getattr(dst, item, None)
        if t is None:
            t = Module()
            setattr(dst, item, t)
        dst = t
    _assign(value, dst, field)


class GraphModule(Module):
    def __new__(cls, *args, **kwargs):
        # each instance gets its own class: forward is set on the class, as torch does
        for base in cls.__mro__:
            if base.__name__ == 'GraphModuleImpl':
                cls = base.__bases__[0]
                break

        class GraphModuleImpl(cls):
            pass
        return super().__new__(GraphModuleImpl)

    def __init__(self, root, graph, class_name='GraphModule'):
        super().__init__()
        self.__class__.__name__ = class_name
        if isinstance(root, Module):
            if hasattr(root, 'training'):
                self.training = root.training
            for node in graph.nodes:
                if node.op in ('get_attr', 'call_module'):
                    _copy_attr(root, self, node.target)
        elif isinstance(root, dict):
            for node in graph.nodes:
                if node.op in ('get_attr', 'call_module'):
                    if node.target not in root:
                        raise RuntimeError(f"Node {node} referenced target {node.target} but that target "
                                           "was not provided in ``root``!")
                    _assign_path(root[node.target], self, node.target)
        else:
            raise RuntimeError('Unsupported type ' + str(root) + ' passed for root!')
        self.graph = graph

    @property
    def graph(self):
        return self._graph

    @graph.setter
    def graph(self, g):
        if not isinstance(g, Graph):
            raise AssertionError(f'Expected a Graph instance, but got {type(g)}')
        self.__dict__['_graph'] = g
        g.owning_module = self
        self.recompile()

    @property
    def code(self):
        if not hasattr(self, '_code'):
            raise RuntimeError('Code has not been generated! Please report a bug to PyTorch')
        return self._code

    def recompile(self):
        python_code = self._graph.python_code(root_module='self')
        self.__dict__['_code'] = python_code.src
        _count[0] += 1
        filename = f'<eval_with_key>.{_count[0]}'
        linecache.cache[filename] = (len(python_code.src), None, python_code.src.splitlines(True), filename)
        env = dict(python_code.globals)
        exec(compile(python_code.src, filename, 'exec'), env)
        type(self).forward = env['forward']
        self.__dict__['_code_globals'] = {k: v for k, v in python_code.globals.items() if k not in _BUILTIN_NAMES}
        return python_code

    def __reduce__(self):
        # as torch: pickle the attributes and the code; loading re-traces the code
        body = {k: v for k, v in self.__dict__.items() if k not in ('_graph', '_code', '_code_globals')}
        return _rebuild, (body, self._code, self._code_globals)

    def __str__(self):
        return super().__str__() + '\n' + self._code + _READABLE_HINT

    def print_readable(self, print_output=True, include_stride=False, include_device=False,
                       colored=False, **kwargs):
        src = self._graph.python_code(root_module='self', verbose=True).src
        src = src.lstrip('\n').rstrip(' ')
        if src.startswith('torch.fx._symbolic_trace.wrap'):
            src = src.split('\n\n', 1)[1]
        body = ''.join('    ' + line if line.strip() else line for line in src.splitlines(True))
        out = f'class {self._get_name()}(torch.nn.Module):\n{body}'
        for name, m in self.named_children():
            if isinstance(m, GraphModule):
                inner = m.print_readable(print_output=False)
                out += '\n' + ''.join('    ' + l if l.strip() else l for l in inner.splitlines(True)) \
                    .replace(f'class {m._get_name()}(', f'class {name}(', 1)
        if print_output:
            print(out)
        return out

    # --- submodules ---
    def add_submodule(self, target, m):
        *prefix, field = target.split('.')
        mod = self
        for item in prefix:
            sub = getattr(mod, item, None)
            if sub is None:
                sub = Module()
                setattr(mod, item, sub)
            if not isinstance(sub, Module):
                return False
            mod = sub
        mod.add_module(field, m)
        return True

    def delete_submodule(self, target):
        *path, field = target.split('.')
        mod = self
        for item in path:
            if not hasattr(mod, item):
                return False
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                return False
        if not isinstance(getattr(mod, field, None), Module):
            return False
        delattr(mod, field)
        return True

    def delete_all_unused_submodules(self):
        used = set()
        for node in self.graph.nodes:
            if node.op in ('call_module', 'get_attr') and isinstance(node.target, str):
                atoms = node.target.split('.')
                used.update('.'.join(atoms[:i]) for i in range(1, len(atoms) + 1))
                if node.op == 'call_module':
                    try:
                        sub = self.get_submodule(node.target)
                    except AttributeError:
                        continue
                    used.update(f'{node.target}.{name}' for name, _ in sub.named_modules() if name)
        for name in [name for name, _ in self.named_modules() if name not in used]:
            self.delete_submodule(name)

    def __copy__(self):
        res = GraphModule(self, self.graph)
        res.__dict__.update({k: v for k, v in self.__dict__.items() if k not in res.__dict__})
        return res

    def __deepcopy__(self, memo):
        import copy
        res = type(self).__new__(type(self))
        memo[id(self)] = res
        fake = Module()
        fake.__dict__.update(copy.deepcopy(self.__dict__, memo))
        GraphModule.__init__(res, fake, fake.__dict__['_graph'])   # torch's copy is named GraphModule
        for k, v in fake.__dict__.items():
            res.__dict__.setdefault(k, v)
        return res


def _rebuild(body, code, code_globals):
    from .graph import _custom_builtin
    from ._symbolic_trace import Tracer
    env = {name: _custom_builtin(name) for name in _BUILTIN_NAMES}
    env.update(code_globals)
    exec(compile(code, '<fx_reload>', 'exec'), env)

    class CodeOnlyModule(Module):
        forward = env['forward']

        def __init__(self, body):
            super().__init__()
            self.__dict__ = body

    class KeepModules(Tracer):
        def is_leaf_module(self, m, qualname):
            return True
    root = CodeOnlyModule(body)
    gm = GraphModule(root, KeepModules().trace(root))
    for k, v in body.items():
        gm.__dict__.setdefault(k, v)
    return gm
