"""torch.overrides: the checks library code runs before its own __torch_function__ dispatch. faketorch's
ops do not dispatch to __torch_function__ (README, Known differences), so these report that nothing
overrides them and library code takes its plain path, as faketorch's own functions do."""
from ._tensor import Tensor

__all__ = ['has_torch_function', 'has_torch_function_unary', 'has_torch_function_variadic', 'handle_torch_function',
           'is_tensor_like']


def has_torch_function(relevant_args):
    return False


def has_torch_function_unary(arg):
    return False


def has_torch_function_variadic(*args):
    return False


def handle_torch_function(public_api, relevant_args, *args, **kwargs):
    """Call the first __torch_function__ among relevant_args' types that answers (not NotImplemented)."""
    types = tuple({type(a): None for a in relevant_args if hasattr(type(a), '__torch_function__')})
    for a in relevant_args:
        tf = getattr(type(a), '__torch_function__', None)
        if tf is not None:
            r = tf(public_api, types, args, kwargs)
            if r is not NotImplemented:
                return r
    raise TypeError(f"no implementation found for '{public_api.__module__}.{public_api.__name__}' on types that "
                    f"implement __torch_function__: {list(types)}")


def is_tensor_like(inp):
    """A Tensor, or an object whose type defines __torch_function__."""
    return type(inp) is Tensor or hasattr(inp, '__torch_function__')
