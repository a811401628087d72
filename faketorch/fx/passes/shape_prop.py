"""torch.fx.passes.shape_prop: run the graph on real inputs and record each tensor's metadata."""
from typing import Any, NamedTuple

from ..interpreter import Interpreter
from ..node import map_aggregate


class TensorMetadata(NamedTuple):
    shape: Any
    dtype: Any
    requires_grad: bool
    stride: tuple
    memory_format: Any
    is_quantized: bool
    qparams: dict


def _extract_tensor_metadata(result, include_contiguity=True):
    import faketorch
    memory_format = None
    if include_contiguity:
        for fmt in (faketorch.contiguous_format, faketorch.channels_last, faketorch.channels_last_3d):
            if result.is_contiguous(memory_format=fmt):
                memory_format = fmt
                break
    return TensorMetadata(result.shape, result.dtype, result.requires_grad, result.stride(),
                          memory_format, False, {})


class ShapeProp(Interpreter):
    def __init__(self, gm, fake_mode=None):
        super().__init__(gm)

    def run_node(self, n):
        from ..._tensor import Tensor
        result = super().run_node(n)
        found = []

        def meta(obj):
            if isinstance(obj, Tensor):
                found.append(True)
                return _extract_tensor_metadata(obj)
            return obj
        meta_out = map_aggregate(result, meta)
        if found:
            n.meta['tensor_meta'] = meta_out
        n.meta['type'] = type(result)
        return result

    def propagate(self, *args):
        return super().run(*args)
