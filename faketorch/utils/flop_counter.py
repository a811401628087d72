"""torch.utils.flop_counter: the FLOP formulas by operator, and register_flop_formula to add one
(custom ops: torch.ops.mylib.foo). FlopCounterMode, which needs torch's dispatcher to see every op
call, is not here."""
import math
from functools import wraps

from .. import ops
from .._ops_namespace import OpOverloadPacket
from .._tensor import Tensor
from ._pytree import tree_map, tree_map_

__all__ = ['register_flop_formula']

aten = ops.aten
flop_registry = {}


def get_shape(i):
    return i.shape if isinstance(i, Tensor) else i


def shape_wrapper(f):
    """A formula written on shapes, called with tensors (and out_val, the op's result)."""
    @wraps(f)
    def nf(*args, out_val=None, **kwargs):
        args, kwargs, out_shape = tree_map(get_shape, (args, kwargs, out_val))
        return f(*args, out_shape=out_shape, **kwargs)
    return nf


def register_flop_formula(targets, get_raw=False):
    """Decorator: the formula counts the FLOPs of each op in `targets` (one or a pytree of them)."""
    def register_fun(flop_formula):
        if not get_raw:
            flop_formula = shape_wrapper(flop_formula)

        def register(target):
            from .._higher_order_ops.foreach_map import ForeachMap
            if not isinstance(target, (OpOverloadPacket, ForeachMap)):
                raise ValueError(f"register_flop_formula(targets): expected each target to be OpOverloadPacket (i.e. "
                                 f"torch.ops.mylib.foo), JitFunction, or HigherOrderOperator, got {target} which is "
                                 f"of type {type(target)}")
            if target in flop_registry:
                raise RuntimeError(f"duplicate registrations for {target}")
            flop_registry[target] = flop_formula
        tree_map_(register, targets)
        return flop_formula
    return register_fun


@register_flop_formula(aten.mm)
def mm_flop(a_shape, b_shape, *args, out_shape=None, **kwargs):
    """2 * m * n * k: one multiply and one add per term."""
    (m, k), (k2, n) = a_shape, b_shape
    if k != k2:
        raise AssertionError(f"matmul: inner dimensions must match (k == k2), got {k} and {k2}")
    return m * n * 2 * k


@register_flop_formula(aten.addmm)
def addmm_flop(self_shape, a_shape, b_shape, out_shape=None, **kwargs):
    return mm_flop(a_shape, b_shape)


@register_flop_formula(aten.bmm)
def bmm_flop(a_shape, b_shape, out_shape=None, **kwargs):
    (b, m, k), (b2, k2, n) = a_shape, b_shape
    if b != b2:
        raise AssertionError(f"bmm: batch dimensions must match (b == b2), got {b} and {b2}")
    if k != k2:
        raise AssertionError(f"bmm: inner dimensions must match (k == k2), got {k} and {k2}")
    return b * m * n * 2 * k


@register_flop_formula(aten.baddbmm)
def baddbmm_flop(self_shape, a_shape, b_shape, out_shape=None, **kwargs):
    return bmm_flop(a_shape, b_shape)


def conv_flop_count(x_shape, w_shape, out_shape, transposed=False):
    """Multiplications and adds of a convolution (bias left out): every point of the output (of the
    input, when transposed) meets the whole filter, for each batch item and channel pair."""
    c_out, c_in, *filter_size = w_shape
    spatial = (x_shape if transposed else out_shape)[2:]
    return math.prod(spatial) * math.prod(filter_size) * x_shape[0] * c_out * c_in * 2


@register_flop_formula(aten.convolution)
def conv_flop(x_shape, w_shape, _bias, _stride, _padding, _dilation, transposed, *args, out_shape=None, **kwargs):
    return conv_flop_count(x_shape, w_shape, out_shape, transposed=transposed)
