"""torch._utils: the flatten/unflatten helpers that gradient-bucketing code calls, and the tensor
rebuild functions that pickles name (torch._utils._rebuild_tensor_v2 ...)."""
from ._rebuild import _rebuild_parameter, _rebuild_tensor, _rebuild_tensor_v2, _rebuild_tensor_v3  # noqa: F401


def _flatten_dense_tensors(tensors):
    """One 1-d tensor holding every tensor's elements, in order (torch.cat of their flattenings)."""
    from . import cat
    return cat([t.contiguous().view(-1) for t in tensors], 0)


def _unflatten_dense_tensors(flat, tensors):
    """Views of `flat` shaped like each of `tensors`, in order (the inverse of the above)."""
    out, offset = [], 0
    for t in tensors:
        n = t.numel()
        out.append(flat.narrow(0, offset, n).view_as(t))
        offset += n
    return tuple(out)
