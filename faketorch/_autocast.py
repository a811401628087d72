"""Autocast's casts on the CPU: the ops torch's CPU autocast lists run in the fast dtype (matmul, linear,
conv ...) or in float32 (losses, prod, cdist ...). Their public functions start with

    if _acs.cpu is not None:        # _acs: this module's `state`
        return _ac.run(f, _acs.cpu, args, kwargs)      # or D.float32 (float32_op)

so outside an autocast region an op pays one attribute read. `run` casts the CPU floating tensors among
the arguments (float64 is left alone, as torch's eligibility rule) and calls the op with the casts off:
torch's autocast kernel casts once, then redispatches below itself. Other device types keep their
dtypes (the CUDA lists are not reproduced)."""


class state:
    cpu = None          # the CPU fast dtype while CPU autocast is on (bfloat16 or float16), else None


def update(enabled, dtype):
    """Called when the CPU autocast flag or dtype changes."""
    from . import _dtype as D
    state.cpu = dtype if enabled and dtype in (D.bfloat16, D.float16) else None


def cast(a, dtype):
    """a in dtype if autocast may cast it: a CPU floating tensor, not float64."""
    from . import _dtype as D
    from ._tensor import Tensor
    if isinstance(a, Tensor) and a.dtype is not dtype and a.dtype._cat == 2 and a.dtype is not D.float64 \
            and a._device.type == 'cpu':
        return a.to(dtype)
    return a


def run(f, dtype, args, kwargs=None):
    """f(*args, **kwargs) with its tensors cast to dtype, autocast off inside."""
    args = [cast(a, dtype) for a in args]
    kwargs = {k: cast(v, dtype) for k, v in kwargs.items()} if kwargs else {}
    prev = state.cpu
    state.cpu = None
    try:
        return f(*args, **kwargs)
    finally:
        state.cpu = prev


def stacklevel(n):
    """warnings.warn's stacklevel `n`, counted from the function calling this, plus the frames of this
    module's wrappers in between (torch's ops have none: a loss's size warning names its caller)."""
    import sys
    f = sys._getframe(n)
    while f is not None and f.f_code.co_filename == __file__:
        f = f.f_back
        n += 1
    return n


def float32_op(f):
    """An op torch's CPU autocast runs in float32 (the losses ...): its lower-precision inputs are cast up."""
    import functools
    from . import _dtype as D

    @functools.wraps(f)
    def op(*args, **kwargs):
        if state.cpu is not None:
            return run(f, D.float32, args, kwargs)
        return f(*args, **kwargs)
    return op
