"""torch.distributed.rpc.functions: async_execution marks a function that returns a Future; the
callee answers with the Future's value."""
import functools

__all__ = ['async_execution']


def async_execution(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    wrapper._wrapped_async_rpc_function = fn
    return wrapper
