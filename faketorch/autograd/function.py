"""torch.autograd.Function: user-defined ops with forward/backward (and setup_context)."""
import functools

from .grad_mode import state as _grad_state
from .graph import Node, node_class

__all__ = ['Function', 'FunctionCtx', 'once_differentiable']


class FunctionCtx:
    def save_for_backward(self, *tensors):
        self.to_save = tensors

    def save_for_forward(self, *tensors):
        self.saved_for_forward = tensors

    def mark_dirty(self, *tensors):
        self.dirty_tensors = tensors

    def mark_non_differentiable(self, *tensors):
        self.non_differentiable = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = value


class BackwardCFunction(Node, FunctionCtx):
    """The grad_fn of a custom Function: it is also the ctx (as in torch)."""
    __slots__ = ()

    @property
    def saved_tensors(self):
        if getattr(self, '_in_jvp', False):      # jvp sees what forward saved for it
            return getattr(self, 'saved_for_forward', ())
        return Node.saved_tensors.fget(self)

    @property
    def saved_variables(self):
        return self.saved_tensors

    def __repr__(self):     # a Python class in torch: its module shows
        return f'<torch.autograd.function.{type(self).__name__} object at {hex(id(self))}>'

    def apply(self, *grads):
        return self._fn(self, *grads)


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(name + 'Backward', (BackwardCFunction,), {'_forward_cls': cls})


class Function(metaclass=_FunctionMeta):
    generate_vmap_rule = False

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. "
                           "Please use new-style autograd function with static forward method. (Example: "
                           "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("You must implement the jvp function for custom autograd.Function to use it with "
                                  "forward mode AD.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @classmethod
    def apply(cls, *args, **kwargs):
        from . import forward_ad
        if forward_ad._current_level >= 0 and any(getattr(a, '_fw_tangent', None) is not None for a in args):
            return forward_ad._function_apply(cls, args, kwargs)
        return cls._apply(cls._backward_cls(None, (), None), args, kwargs)

    @classmethod
    def _apply(cls, ctx, args, kwargs):
        from .._tensor import Tensor
        from .._ops._core import _edge
        ctx.to_save = ()
        ctx.non_differentiable = ()
        ctx.dirty_tensors = ()
        ctx.materialize_grads = True
        tensor_args = [a for a in args if isinstance(a, Tensor)]
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        uses_setup = cls.setup_context is not Function.setup_context
        prev = _grad_state.enabled
        _grad_state.enabled = False
        try:
            if uses_setup:
                out = cls.forward(*args, **kwargs)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        finally:
            _grad_state.enabled = prev
        if uses_setup:
            cls.setup_context(ctx, args, out)
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        requires = prev and any(t._requires_grad for t in tensor_args)
        for t in ctx.dirty_tensors:
            if requires and t._grad_fn is None and t._requires_grad:
                raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
            t._vc[0] += 1       # torch bumps a dirty tensor's version once more
        if requires:
            for i, t in enumerate(ctx.to_save):
                if t is not None and not isinstance(t, Tensor):
                    raise TypeError(f"save_for_backward can only save variables, but argument {i} is of type "
                                    f"{type(t).__name__}")
            ctx._is_tensor_input = tuple(isinstance(a, Tensor) for a in args)
            # what an undefined output gradient is materialized as (zeros like the output)
            ctx._out_like = tuple((o.shape, o.dtype, o.device) if isinstance(o, Tensor) else None for o in outs)
            ctx.next_functions = tuple(_edge(a) if isinstance(a, Tensor) else (None, 0) for a in args)
            ctx._meta = tuple((a._data.shape, a.dtype) if isinstance(a, Tensor) and a._requires_grad else None
                              for a in args)
            ctx._nout = len(outs)
            ctx._fn = _call_backward
            new_outs = []
            for i, o in enumerate(outs):
                if isinstance(o, Tensor):
                    if any(o is a for a in tensor_args) and not any(o is d for d in ctx.dirty_tensors):
                        o = o.view_as(o) if True else o   # an input returned as is: a fresh view
                        o._grad_fn = None
                    if any(o is n for n in ctx.non_differentiable):
                        new_outs.append(o)
                        continue
                    if o.dtype.is_floating_point or o.dtype.is_complex:
                        o._requires_grad = True
                        o._grad_fn = ctx
                        o._output_nr = i
                new_outs.append(o)
            outs = tuple(new_outs)
            ctx._save(*ctx.to_save)
        else:
            ctx._saved = [(t, None, t._vc, t._vc[0], 0, None, None) if t is not None else None
                          for t in ctx.to_save]
        return outs[0] if single else outs


def _call_backward(ctx, *grads):
    from .._tensor import Tensor
    if ctx.materialize_grads:
        from .. import zeros
        grads = tuple(zeros(o[0], dtype=o[1], device=o[2]) if g is None and o is not None else g
                      for g, o in zip(grads, ctx._out_like))
    cls = ctx._forward_cls
    if cls.backward is not Function.backward and cls.vjp is not Function.vjp:
        raise RuntimeError("Implementing both 'backward' and 'vjp' for a custom Function is not allowed. You should "
                           "only implement one of them.")
    r = (cls.vjp if cls.vjp is not Function.vjp else cls.backward)(ctx, *grads)
    if not isinstance(r, tuple):
        r = (r,)
    n = len(ctx.next_functions)
    if len(r) != n:
        if len(r) > n and all(x is None for x in r[n:]):
            r = r[:n]
        else:
            raise RuntimeError(f"function {type(ctx).__name__} returned an incorrect number of gradients "
                               f"(expected {n}, got {len(r)})")
    for i, (g, is_tensor) in enumerate(zip(r, ctx._is_tensor_input)):
        if g is None:
            continue
        if not is_tensor:
            raise RuntimeError(f"function {type(ctx).__name__} returned a gradient different than None at "
                               f"position {i + 1}, but the corresponding forward input was not a Variable")
        if not isinstance(g, Tensor):
            raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
    return r


def once_differentiable(fn):
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        from .grad_mode import no_grad
        with no_grad():
            return fn(ctx, *args)
    return wrapper
