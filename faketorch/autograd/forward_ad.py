"""torch.autograd.forward_ad: dual tensors and forward-mode AD.

A dual tensor is a view of its primal that carries a tangent (`_fw_tangent`). While a level is open, a
TorchFunctionMode sees every torch function, method and operator; when one gets a dual argument, it
computes the tangents of the results as Jacobian-vector products with reverse mode: it reruns the
function on copies of the arguments (the duals as leaves p), takes g = J^T u for a zero cotangent u with
create_graph, then J t = d<g, t>/du. faketorch's derivatives are tensor ops, so this is the derivative
torch's forward formulas spell out (t * cos(x) for sin, ...). Custom Functions use their own `jvp`."""
import functools
import weakref
from typing import NamedTuple

__all__ = ['UnpackedDualTensor', 'enter_dual_level', 'exit_dual_level', 'make_dual', 'unpack_dual',
           'dual_level']

_current_level = -1
_duals = weakref.WeakValueDictionary()      # id -> every tensor given a tangent at the open level
_state = {'mode': None, 'off': 0}


class UnpackedDualTensor(NamedTuple):
    primal: object
    tangent: object


def enter_dual_level():
    global _current_level
    if _current_level >= 0:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _current_level = 0
    _state['mode'] = _mode_class()()
    _state['mode'].__enter__()
    return _current_level


def exit_dual_level(*, level=None):
    global _current_level
    if level is None:
        level = _current_level
    if level != _current_level:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that was created. "
                           "This is not supported.")
    if level < 0:
        raise RuntimeError("Dual level must be a positive number.")
    mode, _state['mode'] = _state['mode'], None
    mode.__exit__(None, None, None)
    for t in list(_duals.values()):
        t._fw_tangent = None
    _duals.clear()
    _current_level = level - 1


class dual_level:
    """Context manager for forward AD: tangents live while it is open."""

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, *exc):
        exit_dual_level()

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with dual_level():
                return fn(*args, **kwargs)
        return wrapper


def _set_tangent(t, tangent):
    t._fw_tangent = tangent
    _duals[id(t)] = t


def make_dual(tensor, tangent, *, level=None):
    if level is None:
        level = _current_level
    if level < 0:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, make sure to "
                           "enter_dual_level() first.")
    if not (tensor.is_floating_point() or tensor.is_complex()):
        raise ValueError(f"Expected primal to be floating point or complex, but got: {tensor.dtype}")
    if not (tangent.is_floating_point() or tangent.is_complex()):
        raise ValueError(f"Expected tangent to be floating point or complex, but got: {tangent.dtype}")
    if tensor._fw_tangent is not None:
        raise RuntimeError(f"Making a dual Tensor based on a Tensor that already has a forward gradient at the "
                           f"same level {level} is not supported.")
    if tangent.shape != tensor.shape:
        raise RuntimeError("Trying to set a forward gradient that has a different size than that of the original "
                           f"Tensor, this is not supported. Tensor is of size {list(tensor.shape)} while the given "
                           f"forward gradient is of size {list(tangent.shape)}.")
    with _off():
        dual = tensor.view_as(tensor)
        if tangent.stride() != tensor.stride():     # torch copies a tangent of another layout into the primal's
            tangent = tangent.new_empty_strided(tensor.shape, tensor.stride()).copy_(tangent)
    _set_tangent(dual, tangent)
    return dual


def unpack_dual(tensor, *, level=None):
    if level is None:
        level = _current_level
    if level < 0:
        return UnpackedDualTensor(tensor, None)
    tangent = getattr(tensor, '_fw_tangent', None)
    with _off():
        return UnpackedDualTensor(tensor.view_as(tensor), tangent)


class _off:
    """faketorch's own tensor work here is not differentiated forward."""

    def __enter__(self):
        _state['off'] += 1

    def __exit__(self, *exc):
        _state['off'] -= 1


# --- propagation ---

def _tensors_in(x, out):
    from .._tensor import Tensor
    if isinstance(x, Tensor):
        out.append(x)
    elif isinstance(x, (list, tuple)):
        for v in x:
            _tensors_in(v, out)
    elif isinstance(x, dict):
        for v in x.values():
            _tensors_in(v, out)
    return out


def _substitute(x, table):
    """x with each tensor replaced by table[id(tensor)] (containers rebuilt)."""
    from .._tensor import Tensor
    if isinstance(x, Tensor):
        return table.get(id(x), x)
    if isinstance(x, (list, tuple)):
        r = [_substitute(v, table) for v in x]
        return r if isinstance(x, list) else type(x)(*r) if hasattr(x, '_fields') else tuple(r)
    if isinstance(x, dict):
        return {k: _substitute(v, table) for k, v in x.items()}
    return x


def _tangents(func, args, kwargs, inputs):
    """Run func on copies of its arguments (the duals as non-leaf copies of leaves p) and return its
    result, the tensors it produced (or wrote: in place, through __setitem__ or out=) and the tangent
    of each, or None. Reverse over reverse: with g = J^T u, J t = d<g, t>/du. Any u gives the same
    derivative; u = 1 for real outputs (0 would put some backward formulas, such as logcumsumexp's logs of
    the gradient, at a singular point), 0 for complex ones (eig's backward refuses a cotangent whose
    phase matters)."""
    from .. import autograd, enable_grad, ones_like, zeros_like
    with _off(), enable_grad():
        table, leaves, tans = {}, [], []
        for t in inputs:
            if id(t) not in table:
                c = t.detach().clone()
                if t._fw_tangent is not None:
                    leaves.append(c.requires_grad_(True))
                    tans.append(t._fw_tangent)
                    c = c.clone()       # a non-leaf, so that in-place functions can write into it
                table[id(t)] = c
        a, k = _substitute(args, table), _substitute(kwargs, table)
        out = func(*a, **k)
        first = a[0] if a else None
        writes = 'out' in kwargs or (first is not None and (out is first or out is None and
                                                            getattr(func, '__name__', '') == '__setitem__'))
        outs = _tensors_in(k['out'], []) if 'out' in kwargs else [first] if writes else _tensors_in(out, [])
        result = [None] * len(outs)
        diff = [o for o in outs if o.requires_grad]
        if diff:
            us = [(zeros_like(o) if o.is_complex() else ones_like(o)).requires_grad_(True) for o in diff]
            gs = autograd.grad(diff, leaves, us, create_graph=True, allow_unused=True)
            terms = [(g * t).sum() for g, t in zip(gs, tans) if g is not None and g.requires_grad]
            total = sum(terms[1:], terms[0]) if terms else None
            jv = autograd.grad(total, us, allow_unused=True) if terms else [None] * len(us)
            jv = iter(jv)
            result = [(next(jv) if o.requires_grad else None) for o in outs]
            result = [zeros_like(o) if r is None and o.requires_grad else r for r, o in zip(result, outs)]
        return writes, result


def _propagate(func, args, kwargs):
    from .. import random as R
    inputs = _tensors_in(args, _tensors_in(kwargs, []))
    if not any(getattr(t, '_fw_tangent', None) is not None for t in inputs):
        return func(*args, **kwargs)
    before = R.get_rng_state()          # the call draws what the rerun drew
    writes, tangents = _tangents(func, args, kwargs, inputs)
    R.set_rng_state(before)
    out = func(*args, **kwargs)
    targets = (_tensors_in(kwargs['out'], []) if 'out' in kwargs else [args[0]]) if writes else _tensors_in(out, [])
    for t, tangent in zip(targets, tangents):
        if tangent is not None:
            _set_tangent(t, tangent.detach())
        elif writes and getattr(t, '_fw_tangent', None) is not None:
            t._fw_tangent = None
    return out


def _function_apply(cls, args, kwargs):
    """A custom Function on dual arguments: forward on the primals, tangents from its jvp (zeros for
    the tensor arguments without one)."""
    from .._tensor import Tensor
    from .. import zeros_like
    with _off():
        primals = tuple(unpack_dual(a).primal if isinstance(a, Tensor) else a for a in args)
        tangents = tuple((a._fw_tangent if a._fw_tangent is not None else zeros_like(a)) if isinstance(a, Tensor)
                         else None for a in args)
        ctx = cls._backward_cls(None, (), None)
        out = cls._apply(ctx, primals, kwargs)
        ctx._in_jvp = True
        try:
            jv = cls.jvp(ctx, *tangents)
        finally:
            ctx._in_jvp = False
    outs = out if isinstance(out, tuple) else (out,)
    jv = jv if isinstance(jv, tuple) else (jv,)
    for o, t in zip(outs, jv):
        if isinstance(o, Tensor) and isinstance(t, Tensor):
            _set_tangent(o, t)
    return out


@functools.cache
def _mode_class():
    """The TorchFunctionMode dual_level enters (made on first use: overrides imports the whole namespace)."""
    from ..overrides import TorchFunctionMode

    class _DualMode(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            if _state['off']:
                return func(*args, **kwargs)
            return _propagate(func, args, kwargs)
    return _DualMode
