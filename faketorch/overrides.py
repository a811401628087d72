"""torch.overrides: the __torch_function__ protocol (Tensor subclasses, Tensor-like types, TorchFunctionMode).

Dispatch costs nothing until something can use it: the ops are plain functions until the first Tensor
subclass with a __torch_function__ of its own (not one of faketorch's internal subclasses) is defined, a
class outside faketorch defining __torch_function__ is created, or a TorchFunctionMode is entered.
Then `_install` turns every op into a dispatching one:
- torch.*, torch.nn.functional.*, torch.linalg/fft/special functions keep their identity: the function
  object's code is swapped for a small dispatcher that calls a clone of the original, so a function
  imported by name before (`from torch import add`, a table keyed by `torch.mean`) dispatches too;
- Tensor's methods, dunders and the T/mT/H/mH/data/real/imag properties are replaced on the class by
  dispatching wrappers (a method fetched from the class before, `f = torch.Tensor.add`, does not dispatch).
A call then looks at its arguments (and the tensors inside list/tuple arguments, as torch.cat's); with a
mode entered or an argument whose type overrides __torch_function__, torch's rules apply (handle_torch_function).
While only modes asked for dispatch (torch.export and forward AD enter one), leaving the last mode puts the
plain ops back (`_uninstall`), so that a script exporting a model once does not pay for dispatch afterwards;
a user subclass or class with __torch_function__ keeps it on for good.
"""
import builtins as _builtins
import functools as _functools
import sys as _sys
import types as _types
import warnings as _warnings

from ._tensor import Tensor

__all__ = ['get_ignored_functions', 'get_overridable_functions', 'get_testing_overrides', 'handle_torch_function',
           'has_torch_function', 'has_torch_function_unary', 'has_torch_function_variadic', 'is_tensor_like',
           'is_tensor_method_or_property', 'wrap_torch_function', 'TorchFunctionMode', 'BaseTorchFunctionMode']


def _disabled_torch_function_impl(func, types, args=(), kwargs=None):
    """torch._C._disabled_torch_function_impl: a class whose __torch_function__ is this does not take part
    in dispatch (nn.Parameter: its results are plain Tensors)."""
    with DisableTorchFunctionSubclass():
        return func(*args, **(kwargs or {}))


# --- the state: subclass dispatch on, all dispatch on, the mode stack --------------------------------------
_subclass_on = True
_all_on = True
_modes = []
_installed = False      # the dispatching ops are in place
_sticky = False         # something besides modes asked for them: they stay
_held = 0               # modes popped while their handler runs (the stack is not really empty)


class DisableTorchFunctionSubclass:
    """torch._C.DisableTorchFunctionSubclass: ops ignore __torch_function__ overrides of arguments (modes still run)."""
    def __enter__(self):
        global _subclass_on
        self._old, _subclass_on = _subclass_on, False

    def __exit__(self, *exc):
        global _subclass_on
        _subclass_on = self._old


class DisableTorchFunction:
    """torch._C.DisableTorchFunction: ops ignore both argument overrides and modes."""
    def __enter__(self):
        global _subclass_on, _all_on
        self._old, _subclass_on, _all_on = (_subclass_on, _all_on), False, False

    def __exit__(self, *exc):
        global _subclass_on, _all_on
        _subclass_on, _all_on = self._old


def _is_torch_function_enabled():
    return _subclass_on


def _is_torch_function_mode_enabled():
    return _all_on and bool(_modes)


# --- which types take part -------------------------------------------------------------------------------
_plain = {int, float, bool, complex, str, type(None), slice, type(Ellipsis), Tensor, type}     # known: no override
_over = set()


def _overrides(c):
    """Does type c take part in dispatch (a __torch_function__ that is not the disabled one; exact Tensor
    does not)? Cached per type."""
    if c in _plain:
        return False
    if c in _over:
        return True
    tf = getattr(c, '__torch_function__', None)
    tf = getattr(tf, '__func__', tf)
    if tf is None or tf is _disabled_torch_function_impl:
        if c is not list and c is not tuple:     # (the fast path looks inside those before the cache)
            _plain.add(c)
        return False
    _over.add(c)
    return True


def _collect(args, kwargs, with_tensor=False):
    """torch's overloaded arguments: one per type, a subclass before its superclass, else in order.
    Python-level functions (with_tensor) count exact Tensors too, as torch's Python collector does."""
    found = []
    for a in args:
        if a.__class__ is list or a.__class__ is tuple:
            for b in a:
                _add(found, b, with_tensor)
        else:
            _add(found, a, with_tensor)
    if kwargs:
        for a in kwargs.values():
            if a.__class__ is list or a.__class__ is tuple:
                for b in a:
                    _add(found, b, with_tensor)
            else:
                _add(found, a, with_tensor)
    return found


def _add(found, a, with_tensor):
    c = a.__class__
    if not (_overrides(c) or with_tensor and c is Tensor):
        return
    for f in found:
        if f.__class__ is c:
            return
    for i, f in enumerate(found):
        if issubclass(c, f.__class__):
            found.insert(i, a)
            return
    found.append(a)


def _relevant(args, kwargs):
    """Is dispatch needed for this call? The fast path of every dispatching op."""
    if _all_on and _modes:
        return True
    if not _subclass_on:
        return False
    for a in args:
        c = a.__class__
        if c is Tensor:
            continue
        if c is list or c is tuple:
            for b in a:
                if b.__class__ is not Tensor and _overrides(b.__class__):
                    return True
        elif c not in _plain and _overrides(c):
            return True
    if kwargs:
        return _relevant(tuple(kwargs.values()), None)
    return False


def _call(pub, impl, name, args, kwargs):
    """What a dispatching op runs: impl itself, or torch's dispatch with `pub` as the function handed on."""
    if not _relevant(args, kwargs):
        return impl(*args, **kwargs)
    return _dispatch(pub, name, args, kwargs)


def _dispatch(pub, name, args, kwargs, relevant=None):
    py = name is None        # a Python-level function of torch's (F.*): its collector and its error text
    overloaded = _collect(args if relevant is None else (relevant,), kwargs if relevant is None else None,
                          py and _all_on and bool(_modes)) if _subclass_on else []
    r, mode = _ask(pub, overloaded, args, kwargs)
    if r is not NotImplemented:
        return r
    types = tuple(a.__class__ for a in overloaded)
    if py:
        _no_implementation(pub, types, mode)
    lines = ''.join(f"\n  - tensor subclass {t}" for t in types)
    if mode is not None:
        lines = f"\n  - mode object {mode!r}" + lines
    raise TypeError(f"Multiple dispatch failed for '{name}'; all __torch_function__ handlers returned "
                    f"NotImplemented:\n{lines}\n\nFor more information, try re-running with "
                    "TORCH_LOGS=not_implemented")


def _public_name(f):
    mod = getattr(f, '__module__', None) or ''
    if mod.startswith('faketorch'):
        mod = 'torch' + mod[len('faketorch'):]
    return f'{mod}.{f.__name__}'


# --- the default Tensor.__torch_function__ ----------------------------------------------------------------
def _tensor_torch_function(cls, func, types, args=(), kwargs=None):
    """Tensor.__torch_function__: run func with subclass dispatch off; Tensor results (also in tuples and
    lists) become cls, except what get_default_nowrap_functions lists."""
    if kwargs is None:
        kwargs = {}
    for t in types:
        if not issubclass(cls, t):
            return NotImplemented
    global _subclass_on
    old, _subclass_on = _subclass_on, False
    try:
        r = func(*args, **kwargs)
        if func in _NOWRAP:
            return r
        return _convert(r, cls)
    finally:
        _subclass_on = old


def _convert(r, cls):
    if cls is Tensor:
        return r
    if isinstance(r, Tensor) and not isinstance(r, cls):
        return r.as_subclass(cls)
    if isinstance(r, (tuple, list)):
        items = [_convert(x, cls) for x in r]
        return r._make(items) if hasattr(r, '_fields') else type(r)(items)
    return r


_call_backward = None     # autograd.function's, once installed
_NOWRAP = set()       # torch's get_default_nowrap_functions (the .grad getter)


# --- modes ----------------------------------------------------------------------------------------------
class TorchFunctionMode:
    """A context manager whose __torch_function__ sees every op called inside it (innermost mode first)."""
    inner = None

    def __init__(self):
        pass

    def __torch_function__(self, func, types, args=(), kwargs=None):
        raise NotImplementedError

    def __enter__(self):
        _install(True)
        _modes.append(self)
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        _modes.pop()
        if not _modes and not _held and not _sticky:
            _uninstall()

    @classmethod
    def push(cls, *args, **kwargs):
        return cls(*args, **kwargs)


class BaseTorchFunctionMode(TorchFunctionMode):
    """A mode that runs every function unchanged (subclass it and override what you need)."""
    def __torch_function__(self, func, types, args=(), kwargs=None):
        if kwargs is None:
            kwargs = {}
        return func(*args, **kwargs)


def _get_current_function_mode():
    return _modes[-1] if _modes else None


def _get_current_function_mode_stack():
    return list(_modes)


def _len_torch_function_stack():
    return len(_modes)


def _pop_torch_function_stack():
    return _modes.pop()


def _push_on_torch_function_stack(mode):
    _install(True)
    _modes.append(mode)


def _get_function_stack_at(i):
    return _modes[i]


# --- the public checks --------------------------------------------------------------------------------------
def has_torch_function(relevant_args):
    _install_for(relevant_args)
    return _relevant(tuple(relevant_args), None)


def has_torch_function_unary(arg):
    return has_torch_function((arg,))


def has_torch_function_variadic(*args):
    return has_torch_function(args)


def handle_torch_function(public_api, relevant_args, *args, **kwargs):
    """Call the modes' and the relevant arguments' __torch_function__ until one does not answer NotImplemented."""
    overloaded = _collect(tuple(relevant_args), None, True) if _subclass_on else []
    r, mode = _ask(public_api, overloaded, args, kwargs)
    if r is not NotImplemented:
        return r
    _no_implementation(public_api, tuple(a.__class__ for a in overloaded), mode)


def _ask(pub, overloaded, args, kwargs):
    """(answer, mode): the innermost mode's handler (run with itself off the stack), then the overloaded
    arguments' in order, until one does not answer NotImplemented."""
    types = tuple(a.__class__ for a in overloaded)
    mode = None
    if _all_on and _modes:
        global _held
        mode = _modes.pop()
        _held += 1
        try:
            r = mode.__torch_function__(pub, types, args, kwargs)
        finally:
            _held -= 1
            _modes.append(mode)
        if r is not NotImplemented:
            return r, mode
    for a in overloaded:
        r = a.__torch_function__(pub, types, args, kwargs)
        if r is not NotImplemented:
            return r, mode
    return NotImplemented, mode


def _no_implementation(pub, types, mode):
    msg = f"no implementation found for '{_public_name(pub)}' on types that implement __torch_function__: {list(types)}"
    if mode is not None:
        msg += f" nor in mode {mode}"
    raise TypeError(msg)


def is_tensor_like(inp):
    """A Tensor, or an object whose type defines __torch_function__."""
    return type(inp) is Tensor or hasattr(inp, '__torch_function__')


def is_tensor_method_or_property(func):
    return getattr(func, '__qualname__', '').startswith('Tensor.') or func in _METHODS.values()


def wrap_torch_function(dispatcher):
    """A decorator making a Python function dispatch on the arguments `dispatcher` picks out."""
    def inner(func):
        @_functools.wraps(func)
        def wrapped(*args, **kwargs):
            relevant = dispatcher(*args, **kwargs)
            if has_torch_function(relevant):
                return handle_torch_function(wrapped, relevant, *args, **kwargs)
            return func(*args, **kwargs)
        return wrapped
    return inner


def get_ignored_functions():
    import faketorch
    return {faketorch.is_tensor, faketorch.manual_seed, faketorch.set_default_dtype, faketorch.get_default_dtype,
            faketorch.is_grad_enabled, Tensor.as_subclass, Tensor._make_subclass}


def get_overridable_functions():
    """{namespace: [functions]} for what dispatches: torch, torch.Tensor, torch.nn.functional, torch.linalg ..."""
    _install()
    out = {}
    for f, ns in _PUBLIC.items():
        out.setdefault(ns, []).append(f)
    out[Tensor] = list(_METHODS.values())
    return out


def get_testing_overrides():
    """{function: a lambda with its signature returning -1}, as torch's (for testing overrides)."""
    import inspect
    out = {}
    for fs in get_overridable_functions().values():
        for f in fs:
            try:
                sig = inspect.signature(f)
            except (TypeError, ValueError):
                continue
            params = [p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()]
            dummy = lambda *a, **k: -1      # noqa: E731
            dummy.__signature__ = sig.replace(parameters=params, return_annotation=inspect.Signature.empty)
            out[f] = dummy
    return out


# --- installing the dispatching ops ---------------------------------------------------------------------
_TEMPLATES = {}


def _template(n):
    """The code of `def f(*args, _tf_=None, **kwargs): return _tf_(args, kwargs)` with n free variables,
    so that it can replace the code of a closure with n cells (it reads no globals: it runs in the
    replaced function's module)."""
    code = _TEMPLATES.get(n)
    if code is None:
        names = [f'_c{i}' for i in range(n)]
        src = 'def _outer():\n' + ''.join(f'    {v} = None\n' for v in names)
        src += '    def _tf(*args, _tf_=None, **kwargs):\n        return _tf_(args, kwargs)\n'
        if names:
            src += f'        {", ".join(names)}\n'     # unreachable: only makes them free variables
        src += '    return _tf\n'
        ns = {}
        exec(src, ns)
        code = _TEMPLATES[n] = ns['_outer']().__code__
        assert len(code.co_freevars) == n
    return code


_origs = {}        # id(dispatching function) -> the clone running its original code
_PUBLIC = {}       # dispatching module function -> its namespace (for get_overridable_functions)
_METHODS = {}      # Tensor method name -> the dispatching method


def _swap_code(f, name, ns):
    """Make function f dispatch, keeping its identity."""
    if id(f) in _origs:
        return
    code = f.__code__
    if code.co_flags & 0x2a0 or '_tf_' in code.co_varnames:    # generators, coroutines: left alone
        return
    orig = _types.FunctionType(code, f.__globals__, f.__name__, f.__defaults__, f.__closure__)
    orig.__kwdefaults__ = f.__kwdefaults__
    orig.__qualname__, orig.__module__, orig.__doc__ = f.__qualname__, f.__module__, f.__doc__
    orig.__dict__.update(f.__dict__)
    _origs[id(f)] = orig
    plain = (f.__code__, f.__defaults__, f.__kwdefaults__, f.__dict__.get('__wrapped__', _NONE))
    f.__code__ = _template(len(code.co_freevars)).replace(co_name=code.co_name, co_qualname=f.__qualname__,
                                                            co_filename=code.co_filename,
                                                            co_firstlineno=code.co_firstlineno)
    f.__defaults__ = None
    f.__kwdefaults__ = {'_tf_': _functools.partial(_call, f, orig, name)}
    f.__wrapped__ = orig        # inspect.signature(f) reads the original's
    _PUBLIC[f] = ns
    _SWAPPED[f] = (plain, _fn_state(f))


_NONE = object()
_SWAPPED = {}      # swapped function -> (its plain state, its dispatching state), for _uninstall
_CLASS_SWAPPED = {}     # Tensor attribute name -> (plain value, dispatching value)


def _fn_state(f):
    return f.__code__, f.__defaults__, f.__kwdefaults__, f.__dict__.get('__wrapped__', _NONE)


def _set_fn_state(f, state):
    f.__code__, f.__defaults__, f.__kwdefaults__, wrapped = state
    if wrapped is _NONE:
        f.__dict__.pop('__wrapped__', None)
    else:
        f.__wrapped__ = wrapped


def _adopt(f, mod, name):
    """A function published in place of an op after dispatch was installed (nested's routers): it
    dispatches too (after _uninstall: on the next install)."""
    if _SWAPPED and type(f) is _types.FunctionType:
        m = mod.__name__
        _swap_code(f, None if m == 'faketorch.nn.functional' else f"torch{m[len('faketorch'):]}.{name}", mod)
        if not _installed and f in _SWAPPED:
            _set_fn_state(f, _SWAPPED[f][0])


def _impl(f):
    return _origs.get(id(f), f)


def _method(name, impl, pub=None, py=False):
    """A dispatching Tensor method named `name` running impl; `pub` is what handlers receive (torch hands
    them Tensor.add for `a + b`)."""
    if name in _BINARY:
        def method(*args, **kwargs):
            if not _relevant(args, kwargs):
                return impl(*args, **kwargs)
            try:
                return _dispatch(pub or method, qual, args, kwargs)
            except TypeError:       # torch's binary operators: the other operand's reflected one may answer
                return NotImplemented
    else:
        def method(*args, **kwargs):
            return _call(pub or method, impl, qual, args, kwargs)
    qual = None if py else f'torch.Tensor.{name}'
    method.__name__ = name
    method.__qualname__ = f'Tensor.{name}'
    method.__module__ = 'faketorch._tensor'
    method.__doc__ = getattr(impl, '__doc__', None)
    method.__wrapped__ = impl
    return method


# Tensor methods torch defines in Python (torch/_tensor.py): their refusal words the error as
# handle_torch_function does
_PY_METHODS = frozenset((
    '__abs__', '__array__', '__array_wrap__', '__contains__', '__deepcopy__', '__dlpack__', '__dlpack_device__',
    '__floordiv__', '__format__', '__ipow__', '__itruediv__', '__len__', '__neg__', '__pos__', '__pow__',
    '__rdiv__', '__reduce_ex__', '__repr__', '__reversed__', '__rfloordiv__', '__rlshift__', '__rmatmul__',
    '__rmod__', '__rpow__', '__rrshift__', '__rsub__', '__rtruediv__', '__setstate__', 'backward', 'detach',
    'detach_', 'dim_order', 'is_shared', 'istft', 'lu', 'module_load', 'norm', 'register_hook',
    'register_post_accumulate_grad_hook', 'resize', 'resize_as', 'share_memory_', 'split', 'stft', 'storage',
    'storage_type', 'to_sparse_coo', 'unflatten', 'unique', 'unique_consecutive'))

# the dunders torch dispatches as another Tensor method (`a + b` hands handlers Tensor.add)
_DUNDER_AS = {
    '__abs__': 'abs', '__add__': 'add', '__radd__': 'add', '__iadd__': 'add_', '__sub__': 'sub', '__isub__': 'sub_',
    '__mul__': 'mul', '__rmul__': 'mul', '__imul__': 'mul_', '__truediv__': 'div', '__div__': 'div',
    '__itruediv__': 'div_', '__idiv__': 'div_', '__rtruediv__': '__rdiv__', '__ifloordiv__': 'floor_divide_',
    '__mod__': 'remainder', '__imod__': 'remainder_', '__pow__': 'pow', '__ipow__': 'pow_', '__matmul__': 'matmul',
    '__neg__': 'neg', '__pos__': 'positive', '__lt__': 'lt', '__le__': 'le', '__gt__': 'gt', '__ge__': 'ge',
    '__ne__': 'ne', '__str__': '__repr__', '__and__': 'bitwise_and', '__or__': 'bitwise_or',
    '__xor__': 'bitwise_xor', '__invert__': 'bitwise_not', '__lshift__': 'bitwise_left_shift',
    '__rshift__': 'bitwise_right_shift'}

_BINARY = frozenset(n for n in _DUNDER_AS if n not in ('__abs__', '__neg__', '__pos__', '__str__', '__invert__')) | {
    '__eq__', '__rsub__', '__rdiv__', '__floordiv__', '__rfloordiv__', '__rpow__', '__rmatmul__', '__rmod__',
    '__rlshift__', '__rrshift__', '__rand__', '__ror__', '__rxor__'}

# never dispatched (torch's ignored functions, and what the machinery itself needs)
_SKIP = frozenset((
    '__new__', '__init__', '__init_subclass__', '__getattr__', '__getattribute__', '__setattr__', '__delattr__',
    '__torch_function__', '__class__', '__dict__', '__weakref__', '__slots__', '__module__', '__doc__',
    '__hash__', '__iter__', '__dir__', '__getstate__', '__setstate__', '__reduce__', '__sizeof__',
    '__subclasshook__', '__delitem__', '__array_priority__', '__array__', '__array_wrap__', '__bool__',
    '__float__', '__int__', '__index__', '__complex__', '__long__', '__nonzero__', '__deepcopy__',
    '__reduce_ex__', 'as_subclass', '_make_subclass', '_make_wrapper_subclass', 'stride', 'new', 'new_empty',
    'new_empty_strided', 'new_full', 'new_ones', 'new_tensor', 'new_zeros', 'unflatten', 'to_sparse_coo'))
_PROPERTIES = ('T', 'mT', 'H', 'mH', 'data', 'real', 'imag', 'grad', 'shape', 'device', 'ndim', 'is_leaf', 'grad_fn',
               'requires_grad', 'layout', 'is_cuda', 'names', 'itemsize', 'nbytes', 'output_nr', '_version')


def _install(by_mode=False):
    """Turn every op into a dispatching one. For good unless only modes asked (by_mode): then the class
    hook stays to see a user class with __torch_function__, and leaving the last mode uninstalls."""
    global _installed, _sticky
    if not by_mode:
        _sticky = True
        if _builtins.__build_class__ is _build_class:
            _builtins.__build_class__ = _original_build_class
    if _installed:
        return
    _installed = True
    if _SWAPPED:        # again after _uninstall: what was swapped before (the first time loaded everything)
        for f, (_, on) in _SWAPPED.items():
            _set_fn_state(f, on)
        for name, (plain, on) in _CLASS_SWAPPED.items():
            if vars(Tensor).get(name) is plain:
                setattr(Tensor, name, on)
        _hooks()
        return
    import faketorch
    faketorch._load_lazy()
    from ._ops import namespace
    from .nn import functional as F
    from . import linalg, fft, special
    for name, f in list(namespace.items()):
        pub = vars(faketorch).get(name, f)     # torch.sum may be a wrapper of the registered op
        for g in (pub, f):
            if type(g) is _types.FunctionType:
                _swap_code(g, f'torch.{name}', faketorch)
    for mod, prefix in ((linalg, 'torch.linalg'), (fft, 'torch.fft'), (special, 'torch.special'),
                        (F, None)):
        for name, f in list(vars(mod).items()):
            # F's own functions (not the _ops helpers it imports: torch's modes never see those)
            if type(f) is _types.FunctionType and not name.startswith('_') \
                    and f.__module__.startswith('faketorch.nn' if mod is F else 'faketorch') \
                    and name in getattr(mod, '__all__', (name,)):
                _swap_code(f, prefix and f'{prefix}.{name}', mod)
    # Tensor's methods: plain names first (the dunders hand handlers some of them)
    items = [(n, v) for n, v in vars(Tensor).items() if n not in _SKIP and type(v) is _types.FunctionType]
    items.sort(key=lambda nv: nv[0].startswith('__'))
    for name, v in items:
        if name.startswith('_') and not (name.startswith('__') and name.endswith('__')):
            continue
        impl = _impl(v)
        pub = _METHODS.get(_DUNDER_AS.get(name))
        m = _method(name, impl, pub, name in _PY_METHODS and pub is None)
        _METHODS[name] = m
        _CLASS_SWAPPED[name] = (v, m)
        setattr(Tensor, name, m)
    for name in _PROPERTIES:
        p = vars(Tensor).get(name)
        if isinstance(p, property) and p.fget is not None:
            getter = _method('__get__', p.fget)
            _CLASS_SWAPPED[name] = (p, property(getter, p.fset, p.fdel, p.__doc__))
            setattr(Tensor, name, _CLASS_SWAPPED[name][1])
            if name == 'grad':
                _NOWRAP.add(getter)
    _hooks()


def _hooks():
    from .autograd import graph, function
    global _call_backward
    _call_backward = function._call_backward
    graph.backward_guard = _builtin_backward
    _warnings.warn = _warn


def _uninstall():
    """Put the plain ops back (the last mode left and nothing else asked for dispatch). A user type with
    __torch_function__ seen meanwhile (one made with type(...), which the class hook misses) keeps them."""
    global _installed, _sticky
    if not _installed:
        return
    if any(not str(getattr(c, '__module__', '')).startswith(_NOT_USERS) for c in _over):
        _sticky = True
        return
    _installed = False
    for f, (plain, _) in _SWAPPED.items():
        _set_fn_state(f, plain)
    for name, (plain, on) in _CLASS_SWAPPED.items():
        if vars(Tensor).get(name) is on:
            setattr(Tensor, name, plain)
    from .autograd import graph
    graph.backward_guard = None
    if _warnings.warn is _warn:
        _warnings.warn = _original_warn


def _warn(message, category=None, stacklevel=1, source=None, **kwargs):
    """warnings.warn once dispatch is on: a warning an op raises for its caller (stacklevel) names the
    caller's line, not the dispatching frames in between (overrides.py's and the swapped functions')."""
    level = max(int(stacklevel), 1)
    try:
        f = _sys._getframe(level)
    except ValueError:      # beyond the stack: warnings' own answer
        return _original_warn(message, category, level + 1, source, **kwargs)
    while f is not None and (f.f_code.co_filename == __file__ or '_tf_' in f.f_code.co_varnames):
        level += 1
        f = f.f_back
    return _original_warn(message, category, level + 1, source, **kwargs)


_backward_observers = []    # called with each grad_fn about to run while dispatch is on (the flop counter)
_backward_modes = []    # modes that see a custom Function's backward even when backward began in their handler


def _builtin_backward(fn, grads):
    """faketorch's own backward formulas run as torch's C++ ones do: without dispatch (a custom Function's
    backward is the user's Python, which dispatches)."""
    for observe in _backward_observers:
        observe(fn)
    if fn._fn is _call_backward:
        missing = [m for m in _backward_modes if m not in _modes]
        _modes.extend(missing)
        try:
            return fn._fn(fn, *grads)
        finally:
            del _modes[len(_modes) - len(missing):]
    global _subclass_on, _all_on
    old, _subclass_on, _all_on = (_subclass_on, _all_on), False, False
    try:
        return fn._fn(fn, *grads)
    finally:
        _subclass_on, _all_on = old


def _hand_dispatch(x):
    """Before dispatch is on, may x's type (a faketorch subclass such as CausalBias) decide for an op
    that calls its __torch_function__ by hand?"""
    return not _installed and _subclass_on and _overrides(x.__class__)


def _subclass_defined(cls):
    """Tensor.__init_subclass__: a subclass that overrides dispatch turns it on."""
    if not cls.__module__.startswith('faketorch') and _overrides(cls):
        _install()


def _install_for(args):
    if not _installed:
        for a in args:
            if _overrides(a.__class__):
                _install()
                return


_original_build_class = _builtins.__build_class__
_original_warn = _warnings.warn


def _build_class(func, name, *bases, **kwargs):
    """builtins.__build_class__ until dispatch is on for good: a class defining __torch_function__ outside
    faketorch (a Tensor-like type, torch's docs' ScalarTensor; not a mode) turns it on; then the original is
    put back."""
    cls = _original_build_class(func, name, *bases, **kwargs)
    if '__torch_function__' in getattr(cls, '__dict__', ()) and \
            not str(getattr(cls, '__module__', '')).startswith(_NOT_USERS) and \
            not (isinstance(cls, type) and issubclass(cls, TorchFunctionMode)):     # a mode: entering it installs
        _install()
    return cls


# faketorch's own classes, and real torch's when it is imported beside faketorch (the conformance runner
# and the benchmarks do): their __torch_function__ never sees a faketorch op
_NOT_USERS = ('faketorch', 'torch')


_builtins.__build_class__ = _build_class
