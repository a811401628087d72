"""torch.autograd: backward, grad, Function, Variable, grad modes, gradcheck."""
from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled)
from .graph import Node, run_backward
from .function import Function, FunctionCtx, once_differentiable
from .variable import Variable
from .gradcheck import gradcheck, gradgradcheck
from . import graph, grad_mode, function, profiler, forward_ad_stub as forward_ad
from . import functional
from .anomaly_mode import detect_anomaly, set_detect_anomaly

from .. import _xnp as np

# bound by faketorch._tensor once Tensor exists (_tensor imports this package first)
Tensor = Size = _make = None

__all__ = ['backward', 'grad', 'Function', 'Variable', 'no_grad', 'enable_grad', 'set_grad_enabled',
           'inference_mode', 'gradcheck', 'gradgradcheck']


def _tensors(x):
    if x is None:
        return None
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def _make_grads(outputs, grads, fname='backward'):
    out = []
    for i, (t, g) in enumerate(zip(outputs, grads)):
        if g is None:
            if t._requires_grad:
                if t._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if not t.dtype.is_floating_point and not t.dtype.is_complex:
                    raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but "
                                       f"got {t.dtype}")
                g = _make(np.ones_like(t._data), t.dtype, t._device)
        else:
            if not isinstance(g, Tensor):
                g = _make(np.asarray(g, t._data.dtype), t.dtype, t._device)
            if g._data.shape != t._data.shape:
                if g._data.size == t._data.size == 1 or True:
                    raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                       f"{Size(g._data.shape)} and output[{i}] has a shape of "
                                       f"{Size(t._data.shape)}.")
        out.append(g)
    return out


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    tensors = _tensors(tensors)
    if grad_tensors is None:
        grad_tensors = grad_variables
    grads = _tensors(grad_tensors) if grad_tensors is not None else [None] * len(tensors)
    if len(grads) != len(tensors):
        raise RuntimeError(f"got {len(grads)} gradients for {len(tensors)} outputs")
    for t in tensors:
        if not t._requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    grads = _make_grads(tensors, grads)
    if retain_graph is None:
        retain_graph = create_graph
    inputs = _tensors(inputs)
    if inputs is not None and len(inputs) == 0:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    single = isinstance(inputs, Tensor)
    outputs = _tensors(outputs)
    inputs = _tensors(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    gos = _tensors(grad_outputs) if grad_outputs is not None else [None] * len(outputs)
    for t in outputs:
        if not t._requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    gos = _make_grads(outputs, gos)
    if retain_graph is None:
        retain_graph = create_graph
    res = run_backward(outputs, gos, retain_graph, create_graph, inputs=inputs, accumulate=False,
                       allow_unused=allow_unused)
    if materialize_grads:
        res = [r if r is not None else i.new_zeros(i.shape) for r, i in zip(res, inputs)]
    return tuple(res)
