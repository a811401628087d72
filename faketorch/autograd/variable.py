"""torch.autograd.Variable: the legacy wrapper; calling it returns a Tensor, as in torch."""
import warnings


class _VariableMeta(type):
    def __instancecheck__(cls, other):
        from .._tensor import Tensor
        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    def __new__(cls, data=None, requires_grad=False, volatile=False):
        from .._tensor import Tensor
        if volatile:    # old RL scripts still pass volatile=True for their target networks
            warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                          UserWarning, stacklevel=2)
            if requires_grad:
                raise ValueError("Variable can't be volatile and require_grad at the same time!")
        if data is None:
            from .. import tensor
            data = tensor([])
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        t = data.detach()
        t._vc = [data._vc[0]]
        if requires_grad:
            t.requires_grad_(True)
        return t


class _ImperativeEngine:
    """Variable._execution_engine: of torch's engine object, what scripts reach (queue_callback)."""
    @staticmethod
    def queue_callback(callback):
        from .graph import queue_callback
        queue_callback(callback)

    @staticmethod
    def is_checkpoint_valid():
        return True


Variable._execution_engine = _ImperativeEngine()
