"""autograd Functions behind deprecated Tensor methods (torch.autograd._functions.tensor)."""
import math
import warnings

from ..function import Function


class Resize(Function):
    """Tensor.resize: a reshaped view that keeps the element count (grad_fn ResizeBackward)."""

    @staticmethod
    def forward(ctx, tensor, sizes):
        ctx.numel = math.prod(sizes)
        if tensor.numel() != ctx.numel:
            raise RuntimeError(f"requested resize to {'x'.join(map(str, sizes))} ({ctx.numel} elements in total), "
                               f"but the given tensor has a size of {'x'.join(map(str, tensor.size()))} "
                               f"({tensor.numel()} elements). autograd's resize can only change the shape of a "
                               "given tensor, while preserving the number of elements. ")
        ctx.input_sizes = tensor.size()
        return tensor.contiguous().view(*sizes)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.contiguous().view(ctx.input_sizes), None


def resize(self, *sizes):
    warnings.warn("non-inplace resize is deprecated", stacklevel=2)
    return Resize.apply(self, sizes)


def resize_as(self, tensor):
    warnings.warn("non-inplace resize_as is deprecated", stacklevel=2)
    return Resize.apply(self, tuple(tensor.size()))
