"""torch._higher_order_ops.map: f applied to each slice along the first dimension of xs (a tensor or a
pytree of tensors), the results stacked; run eagerly here, as torch runs it outside torch.compile."""
from .. import stack
from .._tensor import Tensor
from ..utils import _pytree as pytree

__all__ = ['map']


def map(f, xs, *args):
    flat_xs, xs_spec = pytree.tree_flatten(xs)
    if not all(isinstance(t, Tensor) for t in flat_xs):
        raise RuntimeError(f"Mapped xs can only consist of tensors. Got xs {flat_xs}.")
    shapes = [x.shape for x in flat_xs]
    n = shapes[0][0]
    if n == 0:
        raise RuntimeError("Leading dimensions of mapped xs cannot be 0.")
    if any(s[0] != n for s in shapes):
        raise RuntimeError(f"Leading dimensions of mapped xs must be consistent. Got shapes {shapes}.")
    outs = [f(pytree.tree_unflatten([x[i] for x in flat_xs], xs_spec), *args) for i in range(n)]
    flat_outs = [pytree.tree_flatten(o)[0] for o in outs]
    spec = pytree.tree_flatten(outs[0])[1]
    return pytree.tree_unflatten([stack([o[j] for o in flat_outs]) for j in range(len(flat_outs[0]))], spec)
