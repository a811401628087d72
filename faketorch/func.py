"""torch.func: functional transforms (grad, vjp, jvp, jacrev, jacfwd, hessian, vmap, functional_call).

Built on faketorch.autograd, not on functorch's function transforms:
- grad / vjp / jacrev run the function on fresh leaves and call autograd.grad. When an argument
  already requires grad (nested transforms: grad(grad(f)), hessian), the graph is kept
  (create_graph) so the outer transform can differentiate the result. Tensors the function
  captures (not passed as arguments) are treated as constants.
- jacfwd and jvp use the double-backward trick (J v is the derivative of u -> J^T u along v)
  instead of forward-mode AD; the values, signs of zeros included, are forward mode's.
- vmap is a Python loop over the batch that stacks the results, so nested vmap works and any op
  is supported; unlike torch, `.item()` and data-dependent control flow inside vmap do not raise,
  and `randomness=` is accepted but random ops are not checked.
Arguments may be pytrees (list/tuple/dict of tensors), as in torch.
"""

from . import _tensor as _T
from .autograd.grad_mode import enable_grad, is_grad_enabled
from .utils import _pytree

__all__ = ['grad', 'grad_and_value', 'vjp', 'jvp', 'jacrev', 'jacfwd', 'hessian', 'vmap', 'functional_call',
           'stack_module_state']


# --- helpers --------------------------------------------------------------------------------------
def _tensor_leaves(tree):
    return [x for x in _pytree.tree_leaves(tree) if isinstance(x, _T.Tensor)]


def _keep_graph(args):
    """True when an outer transform (or the user) will differentiate through this one."""
    return is_grad_enabled() and any(x.requires_grad for x in _tensor_leaves(args))


def _prepare(x, keep_graph):
    # a fresh node to differentiate against; a view keeps the link to an outer graph
    if not isinstance(x, _T.Tensor):
        return x
    if keep_graph and x.requires_grad:
        return x.view_as(x)
    return x.detach().requires_grad_()


def _post(tree, keep_graph):
    return tree if keep_graph else _pytree.tree_map(lambda t: t.detach() if isinstance(t, _T.Tensor) else t, tree)


def _argnums_tuple(argnums, nargs):
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if isinstance(argnums, tuple) and len(argnums) == 0:
        raise RuntimeError("argnums must be non-empty")
    for a in nums:
        if not isinstance(a, int):
            raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
        if not -nargs <= a < nargs:
            raise RuntimeError(f"Got argnums={a}, but only {nargs} positional inputs")
    return tuple(a % nargs for a in nums)


def _wrap_args(args, argnums, keep_graph):
    """args with the differentiated ones replaced by fresh leaves; the diff pytree and its leaves."""
    nums = _argnums_tuple(argnums, len(args))
    args = list(args)
    for a in nums:
        args[a] = _pytree.tree_map(lambda x: _prepare(x, keep_graph), args[a])
    diff = args[argnums] if isinstance(argnums, int) else tuple(args[a] for a in nums)
    return args, diff


def _call_flat(func, args, kwargs, argnums, has_aux, keep_graph):
    """Under enable_grad: func on args with the argnums ones made fresh leaves. Returns the output's
    leaves and spec, the differentiated inputs' leaves and spec, and the aux output."""
    args, diff = _wrap_args(args, argnums, keep_graph)
    output = func(*args, **kwargs)
    aux = None
    if has_aux:
        output, aux = output
    out_leaves, out_spec = _pytree.tree_flatten(output)
    in_leaves, in_spec = _pytree.tree_flatten(diff)
    return out_leaves, out_spec, in_leaves, in_spec, aux


def _transpose_map(out_leaves, in_leaves):
    """(us, J^T u) with fresh leaves u: J^T u is linear in u, so its derivative along v is J v
    (forward mode through double backward)."""
    from . import zeros_like
    us = [zeros_like(o).requires_grad_() for o in out_leaves]
    return us, _grad_wrt(out_leaves, us, in_leaves, True)


def _grad_wrt(outputs, grad_outputs, inputs, keep_graph):
    from .autograd import grad as _autograd_grad
    from . import zeros_like
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not pairs:
        return [zeros_like(x) for x in inputs]
    gs = _autograd_grad([o for o, _ in pairs], inputs, [g for _, g in pairs], retain_graph=True,
                        create_graph=keep_graph, allow_unused=True)
    return [zeros_like(x) if g is None else g for g, x in zip(gs, inputs)]


# --- grad -----------------------------------------------------------------------------------------
def grad_and_value(func, argnums=0, has_aux=False):
    def wrapper(*args, **kwargs):
        keep = _keep_graph((args, kwargs))
        with enable_grad():
            args, diff = _wrap_args(args, argnums, keep)
            output = func(*args, **kwargs)
            aux = None
            if has_aux:
                if not (isinstance(output, tuple) and len(output) == 2):
                    raise RuntimeError("grad_and_value(f)(*args): output of function f should be a tuple: "
                                       "(output, aux) if has_aux is True")
                output, aux = output
            if not isinstance(output, _T.Tensor):
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, "
                                   f"got {type(output)}")
            if output.dim() != 0:
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, "
                                   f"got tensor with {output.dim()} dims. Maybe you wanted to use the vjp or "
                                   f"jacrev APIs instead?")
            leaves, spec = _pytree.tree_flatten(diff)
            grads = _grad_wrt([output], [None], leaves, keep)
        grads = spec.unflatten(grads)
        value = _post(output, keep)
        return (grads, (value, _post(aux, keep))) if has_aux else (grads, value)

    return wrapper


def grad(func, argnums=0, has_aux=False):
    gv = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


# --- vjp / jvp --------------------------------------------------------------------------------------
def vjp(func, *primals, has_aux=False):
    keep = _keep_graph(primals)
    with enable_grad():
        primals = _pytree.tree_map(lambda x: _prepare(x, keep), primals)
        output = func(*primals)
        aux = None
        if has_aux:
            if not (isinstance(output, tuple) and len(output) == 2):
                raise RuntimeError("vjp(f, *primals): output of function f should be a tuple: (output, aux) "
                                   "if has_aux is True")
            output, aux = output
    out_leaves, out_spec = _pytree.tree_flatten(output)
    in_leaves, in_spec = _pytree.tree_flatten(primals)

    def vjp_fn(cotangents, retain_graph=True, create_graph=None):
        ct_leaves = out_spec.flatten_up_to(cotangents)
        with enable_grad():
            grads = _grad_wrt(out_leaves, ct_leaves, in_leaves, keep or bool(create_graph))
        return in_spec.unflatten(grads)

    result = (_post(output, keep), vjp_fn)
    return result + (_post(aux, keep),) if has_aux else result


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    if not isinstance(primals, (tuple, list)):
        raise RuntimeError(f"jvp(f, primals, tangents): Expected primals to be a tuple. E.g. it should be valid "
                           f"to call f(*primals). Got {type(primals).__name__}")
    keep = _keep_graph(primals)
    with enable_grad():
        primals = _pytree.tree_map(lambda x: _prepare(x, keep), tuple(primals))
        output = func(*primals)
        aux = None
        if has_aux:
            output, aux = output
        out_leaves, out_spec = _pytree.tree_flatten(output)
        us, jtu = _transpose_map(out_leaves, _pytree.tree_leaves(primals))
        jv = _grad_wrt(jtu, _pytree.tree_leaves(tuple(tangents)), us, keep)
    result = (_post(output, keep), out_spec.unflatten(jv))
    return result + (_post(aux, keep),) if has_aux else result


# --- jacobians ------------------------------------------------------------------------------------
def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    def wrapper(*args, **kwargs):
        from . import stack, zeros
        keep = _keep_graph((args, kwargs))
        with enable_grad():
            out_leaves, out_spec, in_leaves, in_spec, aux = _call_flat(func, args, kwargs, argnums, has_aux, keep)
            per_output = []
            for out in out_leaves:
                flat = out.reshape(-1)
                rows = [_grad_wrt([flat[j]], [None], in_leaves, keep) for j in range(flat.numel())]
                jacs = [(stack([r[k] for r in rows]) if rows else zeros((0,) + tuple(x.shape), dtype=x.dtype))
                        .view(tuple(out.shape) + tuple(x.shape)) for k, x in enumerate(in_leaves)]
                per_output.append(in_spec.unflatten(jacs))
        jac = _post(out_spec.unflatten(per_output), keep)
        return (jac, _post(aux, keep)) if has_aux else jac

    return wrapper


def jacfwd(func, argnums=0, has_aux=False, *, randomness='error'):
    # column j of the Jacobian is J e_j, from the double-backward trick (see jvp): the zeros keep
    # forward mode's signs
    def wrapper(*args, **kwargs):
        from . import stack, zeros, zeros_like
        keep = _keep_graph((args, kwargs))
        with enable_grad():
            out_leaves, out_spec, in_leaves, in_spec, aux = _call_flat(func, args, kwargs, argnums, has_aux, keep)
            us, jtu = _transpose_map(out_leaves, in_leaves)
            per_input = []
            for k, x in enumerate(in_leaves):
                cols = []
                for j in range(x.numel()):
                    e = zeros(x.numel(), dtype=x.dtype)
                    e[j] = 1
                    v = [e.view(x.shape) if i == k else zeros_like(t) for i, t in enumerate(in_leaves)]
                    cols.append(_grad_wrt(jtu, v, us, keep))
                per_input.append([(stack([c[o] for c in cols], dim=-1) if cols else
                                   zeros(tuple(out.shape) + (0,), dtype=out.dtype))
                                  .view(tuple(out.shape) + tuple(x.shape)) for o, out in enumerate(out_leaves)])
            per_output = [in_spec.unflatten([per_input[k][o] for k in range(len(in_leaves))])
                          for o in range(len(out_leaves))]
        jac = _post(out_spec.unflatten(per_output), keep)
        return (jac, _post(aux, keep)) if has_aux else jac

    return wrapper


def hessian(func, argnums=0):
    return jacfwd(jacrev(func, argnums), argnums)


# --- vmap -----------------------------------------------------------------------------------------
def _fn_name(func):
    return getattr(func, '__name__', type(func).__name__)


def vmap(func, in_dims=0, out_dims=0, randomness='error', *, chunk_size=None):
    def wrapper(*args, **kwargs):
        name = _fn_name(func)
        if isinstance(in_dims, tuple) and len(in_dims) != len(args):
            raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with the "
                             f"structure of `inputs`. in_dims has structure {_pytree.tree_structure(in_dims)} but "
                             f"inputs has structure {_pytree.tree_structure(args)}.")
        if not isinstance(in_dims, (int, tuple)) and in_dims is not None:
            raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int or a "
                             f"(potentially nested) tuple matching the structure of inputs, got: {type(in_dims)}.")
        leaves, spec = _pytree.tree_flatten(args)
        dims_tree = in_dims if isinstance(in_dims, tuple) else (in_dims,) * len(args)
        dims = []
        for arg, d in zip(args, dims_tree):
            arg_spec = _pytree.tree_structure(arg)
            dims += [d] * arg_spec.num_leaves if not isinstance(d, (tuple, list, dict)) else arg_spec.flatten_up_to(d)
        sizes = [x.shape[d] for x, d in zip(leaves, dims) if d is not None and isinstance(x, _T.Tensor)]
        if not sizes:
            raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): at least one input must be a "
                             f"Tensor with a non-None in_dim (got in_dims={in_dims})")
        if len(set(sizes)) != 1:
            raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                             f"{sizes} for the mapped dimension")
        results = []
        for b in range(sizes[0]):
            sliced = [x.select(d, b) if d is not None and isinstance(x, _T.Tensor) else x for x, d in zip(leaves, dims)]
            results.append(func(*spec.unflatten(sliced), **kwargs))
        return _stack_results(results, out_dims, name)

    return wrapper


def _stack_results(results, out_dims, name):
    from . import stack
    out_leaves, out_spec = _pytree.tree_flatten(results[0])
    per_leaf = list(zip(*(out_spec.flatten_up_to(r) for r in results)))
    if isinstance(out_dims, (tuple, list)) and not isinstance(results[0], (tuple, list)) and len(out_dims) == 1:
        out_dims = out_dims[0]
    dims = [out_dims] * len(out_leaves) if not isinstance(out_dims, (tuple, list, dict)) \
        else out_spec.flatten_up_to(type(results[0])(out_dims) if isinstance(results[0], tuple) else out_dims)
    stacked = []
    for values, d in zip(per_leaf, dims):
        if d is None:
            # torch raises when the output depends on the batch; a loop sees that as values that differ
            if isinstance(values[0], _T.Tensor) and not all(v.shape == values[0].shape and bool((v == values[0]).all())
                                                             for v in values[1:]):
                raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor when out_dim is None")
            stacked.append(values[0])
            continue
        if not isinstance(values[0], _T.Tensor):
            raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(values[0])}. "
                             f"Did you mean to set out_dims= to None for output?")
        stacked.append(stack(values, dim=d))
    return out_spec.unflatten(stacked)


# --- modules as functions -------------------------------------------------------------------------
def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True,
                    strict=False):
    from collections.abc import Sequence
    from .nn.utils.stateless import _functional_call
    if isinstance(parameter_and_buffer_dicts, dict):
        merged = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, Sequence):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be dictionaries")
        counts = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated = [k for k, n in counts.items() if n > 1]
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of functional call is ambiguous")
        merged = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError(f"Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
                         f"{type(parameter_and_buffer_dicts)}")
    return _functional_call(module, merged, args, kwargs, tie_weights=tie_weights, strict=strict)


def stack_module_state(models):
    from . import stack
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same training/eval mode.")
    first = type(models[0])
    if not all(type(m) is first for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")

    def stacked(named):
        out = {}
        for k in named[0]:
            ts = [n[k] for n in named]
            r = stack(ts)
            if all(t.requires_grad for t in ts):
                r = r.detach().requires_grad_()
            out[k] = r
        return out

    params = stacked([dict(m.named_parameters()) for m in models])
    buffers = stacked([dict(m.named_buffers()) for m in models])
    return params, buffers
