"""torch.autograd: backward, grad, Function, Variable, grad modes, gradcheck."""
from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled)
from .graph import Node, run_backward
from .function import Function, FunctionCtx, once_differentiable
from .variable import Variable
from .gradcheck import gradcheck, gradgradcheck
from . import graph, grad_mode, function, profiler, forward_ad
from . import functional
from .anomaly_mode import detect_anomaly, set_detect_anomaly

import sys
import warnings
from collections.abc import Mapping

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


def _inputs_tuple(inputs, fname):
    """inputs as torch takes them: a Tensor, a sequence, or a plain dict (2.13: names -> tensors)."""
    if isinstance(inputs, Tensor):
        return [inputs]
    if type(inputs) is dict:
        return list(inputs.values())
    if isinstance(inputs, Mapping):
        raise TypeError(f"`inputs` argument to `{fname}()` must be a dict, not {type(inputs).__name__}. "
                        "Other Mapping types are not supported.")
    inputs = list(inputs)
    for t in inputs:
        if not isinstance(t, Tensor):
            raise RuntimeError(f"all inputs have to be Tensors or GradientEdges, but got {type(t).__name__}")
    return inputs


def _make_grads(outputs, grads, is_grads_batched=False):
    out = []
    for t, g in zip(outputs, grads):
        if not isinstance(t, Tensor):
            raise AssertionError("Expected output to be a torch.Tensor")
        if isinstance(g, Tensor):
            first = g[0] if is_grads_batched else g
            if first._data.shape != t._data.shape:
                # torch's index() finds the first equal entry; shapes are those torch prints
                i, j = _index(grads, g), _index(outputs, t)
                gshape = first.shape[1:] if is_grads_batched else first.shape
                if is_grads_batched:
                    raise RuntimeError(
                        "If `is_grads_batched=True`, we interpret the first dimension of each grad_output as "
                        "the batch dimension. The sizes of the remaining dimensions are expected to match the "
                        f"shape of corresponding output, but a mismatch was detected: grad_output[{i}] has a "
                        f"shape of {gshape} and output[{j}] has a shape of {t.shape}. If you only want some "
                        "tensors in `grad_output` to be considered batched, consider using vmap.")
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {gshape} and "
                                   f"output[{j}] has a shape of {t.shape}.")
            if t.dtype.is_complex != g.dtype.is_complex:
                raise RuntimeError("For complex Tensors, both grad_output and output are required to have "
                                   f"the same dtype. Mismatch in dtype: grad_output[{_index(grads, g)}] has a "
                                   f"dtype of {g.dtype} and output[{_index(outputs, t)}] has a dtype of "
                                   f"{t.dtype}.")
        elif g is None:
            if t._requires_grad:
                if t._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if not t.dtype.is_floating_point:
                    raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but "
                                       f"got {t.dtype}")
                g = _make(np.ones_like(t._data), t.dtype, t._device)
        else:
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
        out.append(g)
    return out


def _index(seq, x):
    for i, y in enumerate(seq):
        if y is x:
            return i


def _check_roots(tensors, grads):
    """The engine's checks on what backward starts from."""
    if len(tensors) != len(grads):
        raise RuntimeError(f"got {len(tensors)} tensors and {len(grads)} gradients")
    for i, t in enumerate(tensors):
        if not t._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    if grad_variables is not None:
        warnings.warn("`grad_variables` is deprecated. Use `grad_tensors` instead.", FutureWarning,
                      stacklevel=2)
        if grad_tensors is not None:
            raise RuntimeError("`grad_tensors` and `grad_variables` (deprecated) arguments both passed to "
                               "`backward()`. Please only use `grad_tensors`.")
        grad_tensors = grad_variables
    if inputs is not None:
        inputs = _inputs_tuple(inputs, 'backward')
        if len(inputs) == 0:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    tensors = _tensors(tensors)
    if _dispatch_on():
        from ..overrides import has_torch_function, handle_torch_function, is_tensor_like
        relevant = tuple(t for t in tuple(tensors) + tuple(inputs or ()) if is_tensor_like(t))
        if has_torch_function(relevant):
            return handle_torch_function(backward, relevant, tensors, grad_tensors=grad_tensors,
                                         retain_graph=retain_graph, create_graph=create_graph, inputs=inputs)
    grads = _tensors(grad_tensors) if grad_tensors is not None else [None] * len(tensors)
    grads = _make_grads(tensors, grads)
    _check_roots(tensors, grads)
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph and inputs is None and not _warned[0]:     # torch warns once per process
        _warned[0] = True
        warnings.warn("Using backward() with create_graph=True will create a reference cycle between the parameter "
                      "and its gradient which can cause a memory leak. We recommend using autograd.grad when "
                      "creating the graph to avoid this. If you have to use this function, make sure to reset the "
                      ".grad fields of your parameters to None after use to break the cycle and avoid the leak. "
                      "(Triggered internally at /__w/pytorch/pytorch/torch/csrc/autograd/engine.cpp:1307.)",
                      stacklevel=3)
    run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs, accumulate=True)


_warned = [False]


def _dispatch_on():
    """Is __torch_function__ dispatch on (torch.overrides)? Until then grad and backward skip its check."""
    ov = sys.modules.get('faketorch.overrides')
    return ov is not None and ov._installed


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs = _tensors(outputs)
    names = inputs.keys() if type(inputs) is dict else None
    inputs = _inputs_tuple(inputs, 'grad')
    if len(inputs) == 0:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if _dispatch_on():
        from ..overrides import has_torch_function, handle_torch_function, is_tensor_like
        relevant = tuple(t for t in tuple(outputs) + tuple(inputs) if is_tensor_like(t))
        if has_torch_function(relevant):
            return handle_torch_function(grad, relevant, outputs, inputs, grad_outputs=grad_outputs,
                                         retain_graph=retain_graph, create_graph=create_graph,
                                         only_inputs=only_inputs, allow_unused=allow_unused,
                                         is_grads_batched=is_grads_batched, materialize_grads=materialize_grads)
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). To "
                      "accumulate gradient for other parts of the graph, please use "
                      "torch.autograd.backward.", FutureWarning, stacklevel=2)
    gos = _tensors(grad_outputs) if grad_outputs is not None else [None] * len(outputs)
    gos = _make_grads(outputs, gos, is_grads_batched)
    _check_roots(outputs, gos)
    if retain_graph is None:
        retain_graph = create_graph
    if is_grads_batched:        # one backward per batch entry (torch vmaps it), results stacked
        from .. import stack
        n = next(g for g in gos if g is not None).shape[0]
        rows = [run_backward(outputs, [g if g is None else g[b] for g in gos], retain_graph or b < n - 1,
                             create_graph, inputs=inputs, accumulate=False, allow_unused=allow_unused)
                for b in range(n)]
        res = [None if r[0] is None else stack(r) for r in zip(*rows)]
    else:
        res = run_backward(outputs, gos, retain_graph, create_graph, inputs=inputs, accumulate=False,
                           allow_unused=allow_unused)
    if materialize_grads:
        from .. import zeros_like
        res = [r if r is not None else zeros_like(i, requires_grad=create_graph) for r, i in zip(res, inputs)]
    return dict(zip(names, res)) if names is not None else tuple(res)
