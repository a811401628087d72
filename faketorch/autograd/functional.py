"""torch.autograd.functional: jacobian, hessian, vjp, jvp, vhp, hvp built on autograd.grad.

Reverse mode only (torch's default strategy); `vectorize` is accepted and ignored (the results
are the same, row by row). jvp and hvp use the double-backward trick, as torch does."""
from .. import _tensor as _T

__all__ = ['vjp', 'jvp', 'jacobian', 'hessian', 'hvp', 'vhp']


def _as_tuple(x, arg_name, fn_name):
    is_tuple = isinstance(x, tuple)
    xs = x if is_tuple else (x,)
    for i, el in enumerate(xs):
        if not isinstance(el, _T.Tensor):
            if is_tuple:
                raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                                f"Tensors but the value at index {i} has type {type(el)}.")
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                            f"Tensors but the given {arg_name} has type {type(el)}.")
    return is_tuple, xs


def _grad_preprocess(inputs, create_graph):
    """Fresh inputs that require grad: a view (create_graph, keeps the user's graph) or a detached copy."""
    if create_graph:
        return tuple(x.view_as(x) if x.requires_grad else x.detach().requires_grad_() for x in inputs)
    return tuple(x.detach().requires_grad_() for x in inputs)


def _grad(outputs, inputs, grad_outputs, create_graph, retain_graph=None):
    from . import grad
    outs = [o for o in outputs if o is not None and o.requires_grad]
    gos = [g for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not outs:
        return (None,) * len(inputs)
    return grad(outs, inputs, gos, retain_graph=retain_graph if retain_graph is not None else True,
                create_graph=create_graph, allow_unused=True)


def _fill_none(grads, refs):
    from .. import zeros_like
    return tuple(zeros_like(r) if g is None else g for g, r in zip(grads, refs))


def _post(xs, create_graph, is_tuple):
    xs = tuple(x if create_graph else x.detach() for x in xs)
    return xs if is_tuple else xs[0]


def _check_outputs(outputs, fn_name):
    return _as_tuple(outputs, 'outputs of the user-provided function', fn_name)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    from ..autograd.grad_mode import enable_grad
    with enable_grad():
        is_in_tuple, inputs = _as_tuple(inputs, 'inputs', 'vjp')
        inputs = _grad_preprocess(inputs, create_graph)
        is_out_tuple, outputs = _check_outputs(func(*inputs), 'vjp')
        if v is None:
            if len(outputs) != 1 or outputs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the user-provided function returns "
                                   "a single Tensor with a single element.")
            v = (None,)
        else:
            _, v = _as_tuple(v, 'v', 'vjp')
        grads = _fill_none(_grad(outputs, inputs, v, create_graph), inputs)
    return _post(outputs, create_graph, is_out_tuple), _post(grads, create_graph, is_in_tuple)


def _prep_inputs_and_v(inputs, v, create_graph, fn_name):
    # shared input handling of jvp / vhp, where v lives in the input space
    is_in_tuple, inputs = _as_tuple(inputs, 'inputs', fn_name)
    inputs = _grad_preprocess(inputs, create_graph)
    if v is None:
        if len(inputs) != 1 or inputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the user-provided "
                               "function is a single Tensor with a single element.")
        v = (None,)
    else:
        _, v = _as_tuple(v, 'v', fn_name)
    return is_in_tuple, inputs, v


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    from ..autograd.grad_mode import enable_grad
    from .. import zeros_like
    with enable_grad():
        is_in_tuple, inputs, v = _prep_inputs_and_v(inputs, v, create_graph, 'jvp')
        is_out_tuple, outputs = _check_outputs(func(*inputs), 'jvp')
        # double-backward trick: u -> J^T u is linear in u; its gradient wrt u along v is J v
        us = tuple(zeros_like(o).requires_grad_() for o in outputs)
        g_u = _grad(outputs, inputs, us, create_graph=True)
        pairs = [(g, vi) for g, vi in zip(g_u, v) if g is not None]
        jv = _grad(tuple(g for g, _ in pairs), us, tuple(vi for _, vi in pairs), create_graph)
        jv = _fill_none(jv, outputs)
    return _post(outputs, create_graph, is_out_tuple), _post(jv, create_graph, is_out_tuple)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy='reverse-mode'):
    from ..autograd.grad_mode import enable_grad
    from .. import stack, zeros
    if strategy not in ('forward-mode', 'reverse-mode'):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                         'function has more outputs than inputs, "forward-mode" tends to be more '
                         'performant. Otherwise, prefer to use "reverse-mode".')
    with enable_grad():
        is_in_tuple, inputs = _as_tuple(inputs, 'inputs', 'jacobian')
        inputs = _grad_preprocess(inputs, create_graph)
        is_out_tuple, outputs = _check_outputs(func(*inputs), 'jacobian')
        jac = []
        for out in outputs:
            flat = out.reshape(-1)
            rows = [[] for _ in inputs]
            for j in range(flat.numel()):
                g = _grad((flat[j],), inputs, (None,), create_graph) if out.requires_grad else \
                    (None,) * len(inputs)
                for k, (gk, x) in enumerate(zip(g, inputs)):
                    rows[k].append(zeros(x.shape, dtype=x.dtype) if gk is None else gk)
            per_in = tuple((stack(r) if r else zeros((0,) + tuple(x.shape), dtype=x.dtype))
                           .view(tuple(out.shape) + tuple(x.shape)) for r, x in zip(rows, inputs))
            jac.append(_post(per_in, create_graph, True))
    if not is_out_tuple:
        return jac[0] if is_in_tuple else jac[0][0]
    return tuple(j if is_in_tuple else j[0] for j in jac)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy='reverse-mode'):
    is_in_tuple, inputs = _as_tuple(inputs, 'inputs', 'hessian')

    def ensure_single_output(*inp):
        out = func(*inp)
        is_out_tuple, t_out = _as_tuple(out, 'outputs of the user-provided function', 'hessian')
        if is_out_tuple or not isinstance(out, _T.Tensor):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.nelement() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should contain a single element")
        return out.squeeze()

    def jac_func(*inp):
        return jacobian(ensure_single_output, inp, create_graph=True)

    res = jacobian(jac_func, inputs, create_graph=create_graph, strategy=outer_jacobian_strategy)
    if is_in_tuple:
        return res
    return res[0][0]


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    from ..autograd.grad_mode import enable_grad
    with enable_grad():
        is_in_tuple, inputs, v = _prep_inputs_and_v(inputs, v, create_graph, 'vhp')
        _, outputs = _check_outputs(func(*inputs), 'vhp')
        if len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should contain a single element")
        jac = _grad(outputs, inputs, (None,), create_graph=True)
        pairs = [(j, vi, x) for j, vi, x in zip(jac, v, inputs)]
        res = _grad(tuple(j for j, _, _ in pairs), inputs, tuple(vi for _, vi, _ in pairs), create_graph)
        res = _fill_none(res, inputs)
    return _post(outputs, create_graph, False), _post(res, create_graph, is_in_tuple)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    # the Hessian of a scalar function is symmetric: v^T H == (H v)^T
    return vhp(func, inputs, v, create_graph, strict)
