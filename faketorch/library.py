"""torch.library's custom ops in eager mode: `custom_op` wraps a Python function as `ns::name`, callable
directly and as torch.ops.ns.name, with a schema inferred from its annotations, an autograd formula
from `register_autograd`, per-device kernels from `register_kernel`. faketorch never traces, so
`register_fake` only records the fake implementation."""
import collections.abc
import inspect
import sys
import typing

from ._tensor import Tensor
from ._dtype import dtype as _dtype
from ._device import device as _device
from .autograd.function import Function
from .autograd.grad_mode import no_grad, state as grad_state

__all__ = ['custom_op', 'CustomOpDef', 'register_fake', 'register_autograd', 'register_kernel', 'get_ctx']

# name -> CustomOpDef, what torch.ops.<ns>.<name> finds
_registry = {}


def _schema_types():
    """Annotation -> schema type for parameters (in torch's order, which its error message lists)."""
    opt, seq = typing.Optional, (typing.Sequence, typing.List, collections.abc.Sequence, list)
    out = {Tensor: 'Tensor', opt[Tensor]: 'Tensor?'}
    out.update({s[Tensor]: 'Tensor[]' for s in seq})
    out.update({s[opt[Tensor]]: 'Tensor?[]' for s in seq})
    for py, name in ((int, 'SymInt'), (float, 'float'), (bool, 'bool')):
        out.update({py: name, opt[py]: name + '?'})
        out.update({s[py]: name + '[]' for s in seq})
        out.update({opt[s[py]]: name + '[]?' for s in seq})
    scalar = int | float | bool
    out.update({str: 'str', opt[str]: 'str?', scalar: 'Scalar', typing.Union[int, float, bool, None]: 'Scalar?'})
    out.update({s[scalar]: 'Scalar[]' for s in seq})
    out.update({_dtype: 'ScalarType', opt[_dtype]: 'ScalarType?', _device: 'Device', opt[_device]: 'Device?'})
    return out


_PARAM_TYPES = _schema_types()
_RETURN_TYPES = {Tensor: 'Tensor', typing.List[Tensor]: 'Tensor[]', list[Tensor]: 'Tensor[]', int: 'SymInt',
                 float: 'float', bool: 'bool', int | float | bool: 'Scalar'}


def _default_text(v):
    """A default as a schema shows it (C++'s spelling: 1. for 1.0, True, None)."""
    return repr(v).removesuffix('0') if isinstance(v, float) and repr(v).endswith('.0') else repr(v)


def _infer_schema(fn, mutates_args):
    sig = inspect.signature(fn)

    def error(what):
        return ValueError(f"infer_schema(func): {what} Got func with signature {sig})")
    params, names = [], set()
    kw_only = False
    for i, p in enumerate(sig.parameters.values()):
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise error("We do not support positional-only args, varargs, or varkwargs.")
        if p.annotation is p.empty:
            raise error(f"Parameter {p.name} must have a type annotation.")
        t = _PARAM_TYPES.get(p.annotation)
        if t is None:
            raise error(f"Parameter {p.name} has unsupported type {p.annotation}. The valid types are: "
                        f"{_PARAM_TYPES.keys()}.")
        mutated = mutates_args == 'unknown' and t.startswith('Tensor') or p.name in mutates_args
        if mutated:
            t = f'Tensor(a{i}!)' + t[len('Tensor'):]
        text = f'{t} {p.name}' + ('' if p.default is p.empty else f'={_default_text(p.default)}')
        if p.kind == p.KEYWORD_ONLY and not kw_only:
            kw_only = True
            params.append('*')
        params.append(text)
        names.add(p.name)
    if mutates_args != 'unknown':
        unknown = set(mutates_args) - names
        if unknown:
            raise error(f"{unknown} in mutates_args were not found in the custom op's signature. mutates_args "
                        "should contain the names of all args that the custom op mutates, or just the string "
                        "'unknown' if you don't know.")
    ret = sig.return_annotation
    if ret is sig.empty:
        raise error("No return type annotation was provided. Please add one.")

    def one(r):
        t = _RETURN_TYPES.get(r)
        if t is None:
            raise error(f"Return has unsupported type {r}. The valid types are: {_RETURN_TYPES}.")
        return t
    if ret is None or ret is type(None):
        rets = '()'
    elif typing.get_origin(ret) is tuple:
        rets = '(' + ', '.join(one(r) for r in typing.get_args(ret)) + ')'
    else:
        rets = one(ret)
    return f"({', '.join(params)}) -> {rets}"


class CustomOpDef:
    """A custom op `ns::name` (what @custom_op returns)."""

    def __init__(self, namespace, name, schema, fn, mutates_args=()):
        self._namespace, self._name, self._schema_str = namespace, name, schema
        self._mutated = mutates_args
        self._init_fn, self._kernels, self._abstract_fn = fn, {}, None
        self._backward_fn = self._setup_context_fn = None
        self._signature = inspect.signature(fn)
        self._kw_only = any(p.kind == p.KEYWORD_ONLY for p in self._signature.parameters.values())
        self._function = type(f'GeneratedBackwardFor_{namespace}_{name}_default', (Function,), {
            'forward': staticmethod(self._forward), 'setup_context': staticmethod(self._setup_context),
            'backward': staticmethod(self._backward)})

    def __repr__(self):
        return f'<CustomOpDef({self._namespace}::{self._name})>'

    def register_fake(self, fn):
        self._abstract_fn = fn
        return fn

    def register_kernel(self, device_types, fn=None):
        def inner(f):
            for d in [device_types] if isinstance(device_types, str) or device_types is None else device_types:
                self._kernels[d] = f
            return f
        return inner(fn) if fn is not None else inner

    def register_autograd(self, backward, /, *, setup_context=None):
        self._backward_fn, self._setup_context_fn = backward, setup_context

    def _bind(self, args, kwargs):
        """(positional arguments, keyword-only arguments), defaults filled in, as torch's dispatcher hands
        them over: the positional ones even where given by keyword."""
        n = len(self._signature.parameters)
        if len(args) + len(kwargs) > n:
            raise RuntimeError(f"{self._namespace}::{self._name}() expected at most {n} argument(s) but received "
                               f"{len(args) + len(kwargs)} argument(s). Declaration: "
                               f"{self._namespace}::{self._name}{self._schema_str}")
        bound = self._signature.bind(*args, **kwargs)
        bound.apply_defaults()
        params = self._signature.parameters
        pos = tuple(v for k, v in bound.arguments.items() if params[k].kind != inspect.Parameter.KEYWORD_ONLY)
        return pos, {k: v for k, v in bound.arguments.items() if params[k].kind == inspect.Parameter.KEYWORD_ONLY}

    def _run_kernel(self, args, kwargs):
        inputs = args + tuple(kwargs.values())
        dev = next((a.device.type for a in inputs if isinstance(a, Tensor)), None)
        kernel = self._kernels.get(dev, self._kernels.get(None, self._init_fn))
        if kernel is None:
            raise NotImplementedError(f"Could not run '{self._namespace}::{self._name}' with arguments from the "
                                      f"'{dev.upper() if dev else 'CPU'}' backend.")
        out = kernel(*args, **kwargs)
        tensors = [a for a in inputs if isinstance(a, Tensor)]
        for o in out if isinstance(out, (tuple, list)) else (out,):
            if isinstance(o, Tensor) and any(o is a or o._vc is a._vc for a in tensors):
                raise RuntimeError(
                    f"{self._name} (with implementation in {sys.modules[__name__]}): The output of this "
                    "custom operator (1) must not also be an input to this custom operator and (2) may not alias "
                    "any inputs to this custom operator or other returns. The most common way to trigger this error "
                    "is if we have y = custom_op(x) and y and x are the same Tensor. Please instead return a clone "
                    "of the offending output tensor(s) (e.g. return x.clone()) or refactor the custom operator to "
                    "not return y.")
        for name, v in zip(self._signature.parameters, inputs):   # torch counts the op's write to a mutated argument
            if isinstance(v, Tensor) and (self._mutated == 'unknown' or name in self._mutated):
                v._vc[0] += 1
        return out

    # the autograd.Function: its last input is the keyword-only arguments (a dict), as in torch
    def _forward(self, *args):
        return self._run_kernel(args[:-1], args[-1])

    def _setup_context(self, ctx, inputs, output):
        if self._setup_context_fn is not None:
            kw = {'keyword_only_inputs': inputs[-1]} if self._kw_only else {}
            self._setup_context_fn(ctx=ctx, inputs=inputs[:-1], output=output, **kw)

    def _backward(self, ctx, *grads):
        if self._backward_fn is None:
            raise RuntimeError(f"Trying to backward through {self._namespace}.{self._name}.default but no autograd "
                               "formula was registered. Please use register_autograd to add one.")
        needs, ctx.needs_input_grad = ctx.needs_input_grad, ctx.needs_input_grad[:-1]
        try:
            r = self._backward_fn(ctx, *grads)
        finally:
            ctx.needs_input_grad = needs
        return (*r, None) if isinstance(r, tuple) else (r, None)

    def __call__(self, *args, **kwargs):
        args, kwargs = self._bind(args, kwargs)
        if grad_state.enabled and any(isinstance(a, Tensor) and a.requires_grad for a in args):
            return self._function.apply(*args, kwargs)
        with no_grad():
            return self._run_kernel(args, kwargs)


def custom_op(name, fn=None, /, *, mutates_args, device_types=None, schema=None):
    """Wrap fn as the custom op `name` ('namespace::op'); a decorator when fn is not given."""
    def inner(f):
        namespace, opname = name.split('::')
        op = CustomOpDef(namespace, opname, schema or _infer_schema(f, mutates_args), f, mutates_args)
        if device_types is not None:        # the function is then only the kernel for these devices
            op._init_fn = None
            op.register_kernel(device_types, f)
        _registry[(namespace, opname)] = op
        return op
    return inner(fn) if fn is not None else inner


def _op_def(op):
    if isinstance(op, CustomOpDef):
        return op
    namespace, opname = str(op).split('::') if '::' in str(op) else str(op).split('.')[:2]
    return _registry[(namespace, opname)]


def register_fake(op, fn=None, /, *, lib=None, _stacklevel=1):
    d = _op_def(op)
    return d.register_fake(fn) if fn is not None else d.register_fake


def register_autograd(op, backward, /, *, setup_context=None, lib=None):
    _op_def(op).register_autograd(backward, setup_context=setup_context)


def register_kernel(op, device_types, func=None, /, *, lib=None):
    return _op_def(op).register_kernel(device_types, func)


def get_ctx():
    """The context of the fake implementation running now, None outside one: faketorch never runs fake
    implementations (it does not trace), so always None."""
    return None
