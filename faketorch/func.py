"""torch.func: functional transforms (grad, vjp, jvp, jacrev, jacfwd, hessian, vmap, functional_call).

Built on faketorch.autograd, not on functorch's function transforms:
- grad / vjp / jacrev run the function on fresh leaves and call autograd.grad. When an argument
  already requires grad (nested transforms: grad(grad(f)), hessian), the graph is kept
  (create_graph) so the outer transform can differentiate the result. So is it when the function
  captured a tensor that requires grad (a module's parameters): as torch's, the results then stay
  differentiable by the outer autograd.
- jacfwd and jvp use the double-backward trick (J v is the derivative of u -> J^T u along v)
  instead of forward-mode AD; the values, signs of zeros included, are forward mode's.
- vmap is a Python loop over the batch that stacks the results, so nested vmap works and any op
  is supported; unlike torch, `.item()` and data-dependent control flow inside vmap do not raise.
  randomness='error' refuses draws from the default generator, 'same' replays its state for every
  example, 'different' draws in turn (torch's stream for elementwise draws).
Arguments may be pytrees (list/tuple/dict of tensors), as in torch; the argument checks and their
messages are torch's.
"""
import contextlib
import functools

from . import _tensor as _T
from .autograd.grad_mode import enable_grad, is_grad_enabled
from .utils import _pytree

__all__ = ['grad', 'grad_and_value', 'vjp', 'jvp', 'jacrev', 'jacfwd', 'hessian', 'vmap', 'functional_call',
           'stack_module_state', 'linearize', 'functionalize', 'replace_all_batch_norm_modules_', 'debug_unwrap']

_JVP = 'jvp(f, primals, tangents)'
_VJP = 'vjp(f, *primals)'


# --- helpers --------------------------------------------------------------------------------------
def _tensor_leaves(tree):
    return [x for x in _pytree.tree_leaves(tree) if isinstance(x, _T.Tensor)]


def _keep_graph(args):
    """True when an outer transform (or the user) will differentiate through this one."""
    return is_grad_enabled() and any(x.requires_grad for x in _tensor_leaves(args))


def _captures_grad(outputs, inputs):
    """Whether an output's graph reaches a leaf that requires grad other than the transform's own
    fresh inputs: a tensor the function captured."""
    from .autograd.graph import AccumulateGrad
    own = {id(x) for x in inputs}
    stack, seen = [o.grad_fn for o in outputs if isinstance(o, _T.Tensor) and o.grad_fn is not None], set()
    while stack:
        fn = stack.pop()
        if fn in seen:
            continue
        seen.add(fn)
        if isinstance(fn, AccumulateGrad):
            if id(fn.variable) not in own:
                return True
            continue
        stack.extend(n for n, _ in fn.next_functions if n is not None)
    return False


def _prepare(x, keep_graph):
    # a fresh node to differentiate against; a view keeps the link to an outer graph
    if keep_graph and x.requires_grad:
        return x.view_as(x)
    return x.detach().requires_grad_()


def _create_differentiable(tree, keep_graph):
    def one(x):
        if not isinstance(x, _T.Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
        return _prepare(x, keep_graph)
    return _pytree.tree_map(one, tree)


def _post(tree, keep_graph):
    return tree if keep_graph else _pytree.tree_map(lambda t: t.detach() if isinstance(t, _T.Tensor) else t, tree)


def _post_aux(aux, keep_graph):
    """The aux output handed back: torch unwraps it leaf by leaf and takes tensors only."""
    for x in _pytree.tree_leaves(aux):
        if not isinstance(x, _T.Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(x)}")
    return _post(aux, keep_graph)


def _split_aux(output, has_aux, api):
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True")
    return output


def _wrap_argnum(argnum, nargs):
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if -nargs <= argnum < nargs:
        return argnum % nargs
    raise RuntimeError(f"Got argnum={argnum}, but only {nargs} positional inputs")


def _wrap_argnums(argnums, nargs):
    """argnums checked and made non-negative (torch's _slice_argnums)."""
    if isinstance(argnums, int):
        return _wrap_argnum(argnums, nargs)
    if not isinstance(argnums, tuple):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    nums = tuple(_wrap_argnum(a, nargs) for a in argnums)
    if not nums:
        raise RuntimeError("argnums must be non-empty")
    if len(set(nums)) != len(nums):
        raise RuntimeError(f"argnums elements must be unique, got {nums}")
    return nums


def _slice_args(args, nums):
    return args[nums] if isinstance(nums, int) else tuple(args[a] for a in nums)


def _wrap_args(args, argnums, keep_graph):
    """args with the differentiated ones replaced by fresh leaves, and those (the diff pytree)."""
    nums = _wrap_argnums(argnums, len(args))
    args = list(args)
    for a in (nums,) if isinstance(nums, int) else nums:
        args[a] = _create_differentiable(args[a], keep_graph)
    return args, _slice_args(args, nums)


def _check_tensor_outputs(leaves, api):
    if len(leaves) < 1 or len(leaves) == 1 and leaves[0] is None:
        raise RuntimeError(f"{api}: Expected f to be a function that has non-empty output (got output = {leaves})")
    for o in leaves:
        if not isinstance(o, _T.Tensor):
            raise RuntimeError(f"{api}: expected f(*primals) to return only tensors, got unsupported type {type(o)}")


def _check_tensor_list(leaves, argname):
    if not leaves:
        raise RuntimeError(f"{_JVP}: Expected {argname} to contain at least one Tensor.")
    for x in leaves:
        if not isinstance(x, _T.Tensor):
            raise RuntimeError(f"{_JVP}: Expected {argname} to only contain Tensors, got {type(x)}")


def _check_dual(primal, tangent):
    # torch's fwAD.make_dual checks
    if not (primal.is_floating_point() or primal.is_complex()):
        raise ValueError(f"Expected primal to be floating point or complex, but got: {primal.dtype}")
    if not (tangent.is_floating_point() or tangent.is_complex()):
        raise ValueError(f"Expected tangent to be floating point or complex, but got: {tangent.dtype}")
    if tangent.shape != primal.shape:
        raise RuntimeError(f"Trying to set a forward gradient that has a different size than that of the original "
                           f"Tensor, this is not supported. Tensor is of size {list(primal.shape)} while the given "
                           f"forward gradient is of size {list(tangent.shape)}.")


def _error_if_complex(name, tree, is_input):
    for i, x in enumerate(_pytree.tree_leaves(tree)):
        if isinstance(x, _T.Tensor) and x.is_complex():
            raise RuntimeError(f"{name}: Expected all {'inputs' if is_input else 'outputs'} to be real but received "
                               f"complex tensor at flattened input idx: {i}")


def _transpose_map(out_leaves, in_leaves):
    """(us, J^T u) with fresh leaves u: J^T u is linear in u, so its derivative along v is J v
    (forward mode through double backward)."""
    from . import zeros_like
    us = [zeros_like(o).requires_grad_(o.is_floating_point() or o.is_complex()) for o in out_leaves]
    return us, _grad_wrt(out_leaves, us, in_leaves, True)


def _grad_wrt(outputs, grad_outputs, inputs, keep_graph):
    from .autograd import grad as _autograd_grad
    from . import zeros_like
    # outputs off the graph add nothing; inputs off it (integer outputs' u in jvp) get zeros
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    wrt = [x for x in inputs if x.requires_grad]
    if not pairs or not wrt:
        return [zeros_like(x) for x in inputs]
    gs = iter(_autograd_grad([o for o, _ in pairs], wrt, [g for _, g in pairs], retain_graph=True,
                             create_graph=keep_graph, allow_unused=True))
    grads = [next(gs) if x.requires_grad else None for x in inputs]
    return [zeros_like(x) if g is None else g for g, x in zip(grads, inputs)]


# --- grad -----------------------------------------------------------------------------------------
def grad_and_value(func, argnums=0, has_aux=False):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        outer, keep = is_grad_enabled(), _keep_graph((args, kwargs))
        with enable_grad():
            args, diff = _wrap_args(args, argnums, keep)
            output, aux = _split_aux(func(*args, **kwargs), has_aux, 'grad_and_value(f)(*args)')
            keep = keep or outer and _captures_grad([output], _pytree.tree_leaves(diff))
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
        return (grads, (value, _post_aux(aux, keep))) if has_aux else (grads, value)

    return wrapper


def grad(func, argnums=0, has_aux=False):
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


# --- vjp / jvp --------------------------------------------------------------------------------------
def vjp(func, *primals, has_aux=False):
    return _vjp_with_argnums(func, *primals, has_aux=has_aux)


def _vjp_with_argnums(func, *primals, argnums=None, has_aux=False):
    """vjp, differentiating only the primals at argnums (all when None); jacrev's core, with vjp's
    messages, as in torch."""
    outer, keep = is_grad_enabled(), _keep_graph(primals)
    with enable_grad():
        if argnums is None:
            primals = diff = _create_differentiable(primals, keep)
        else:
            primals, diff = _wrap_args(primals, argnums, keep)
        output, aux = _split_aux(func(*primals), has_aux, _VJP)
        keep = keep or outer and _captures_grad(_pytree.tree_leaves(output), _pytree.tree_leaves(diff))
        aux = _post_aux(aux, keep) if has_aux else None
        out_leaves, out_spec = _pytree.tree_flatten(output)
        _check_tensor_outputs(out_leaves, _VJP)
        for o in out_leaves:
            if not (o.is_floating_point() or o.is_complex()):
                raise RuntimeError(f"vjp(f, ...): All outputs of f must be floating-point or complex Tensors, got "
                                   f"Tensor with dtype {o.dtype}")
    in_leaves, in_spec = _pytree.tree_flatten(diff)

    def wrapper(cotangents, retain_graph=True, create_graph=None):
        ct_leaves, ct_spec = _pytree.tree_flatten(cotangents)
        if ct_spec != out_spec:
            raise RuntimeError(f"Expected pytree structure of cotangents to be the same as pytree structure of "
                               f"outputs to the function. cotangents: {_pytree.treespec_pprint(ct_spec)}, "
                               f"primal output: {_pytree.treespec_pprint(out_spec)}")
        # the graph reaches the caller only through primals that required grad (an outer transform)
        graph = keep and (is_grad_enabled() if create_graph is None else create_graph)
        with enable_grad():
            grads = _grad_wrt(out_leaves, ct_leaves, in_leaves, graph)
        return in_spec.unflatten(grads)

    result = (_post(output, keep), wrapper)
    return result + (aux,) if has_aux else result


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{_JVP}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals).")
    flat_p, p_spec = _pytree.tree_flatten(primals)
    flat_t, t_spec = _pytree.tree_flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(f"{_JVP}: Expected primals and tangents to have the same python structure. For example, "
                           f"if primals is a tuple of 3 tensors, tangents also must be. Got primals with structure "
                           f"{p_spec} and tangents with structure {t_spec}")
    _check_tensor_list(flat_p, 'primals')
    _check_tensor_list(flat_t, 'tangents')
    for p, t in zip(flat_p, flat_t):
        _check_dual(p, t)
    outer, keep = is_grad_enabled(), _keep_graph(primals)
    with enable_grad():
        primals = _create_differentiable(primals, keep)
        output, aux = _split_aux(func(*primals), has_aux, _JVP)
        keep = keep or outer and _captures_grad(_pytree.tree_leaves(output), _pytree.tree_leaves(primals))
        aux = _post_aux(aux, keep) if has_aux else None
        out_leaves, out_spec = _pytree.tree_flatten(output)
        _check_tensor_outputs(out_leaves, _JVP)
        if strict and not all(o.requires_grad for o in out_leaves):
            raise RuntimeError("jvp(f, primals, tangents, strict=True): The output of f is independent of the "
                               "inputs. This is not allowed with strict=True.")
        us, jtu = _transpose_map(out_leaves, _pytree.tree_leaves(primals))
        jv = _grad_wrt(jtu, flat_t, us, keep)
    result = (_post(output, keep), out_spec.unflatten(jv))
    return result + (aux,) if has_aux else result


def linearize(func, *primals):
    """(func(*primals), jvp_fn): jvp_fn(*tangents) is the jvp at primals (recomputed per call)."""
    output = func(*primals)
    flat_p, p_spec = _pytree.tree_flatten(primals)
    for p in flat_p:
        _check_dual(p, p.new_empty(()).expand_as(p))

    def jvp_fn(*tangents):
        flat_t, t_spec = _pytree.tree_flatten(tangents)
        if t_spec != p_spec:
            raise RuntimeError(f"Expected the tangents {t_spec} to have the same argspec as the primals {p_spec}")
        for i, (t, p) in enumerate(zip(flat_t, flat_p)):
            for what in ('shape', 'device', 'dtype'):
                if getattr(t, what) != getattr(p, what):
                    raise RuntimeError(f"tangent:{i} with {what} {getattr(t, what)} in flattened pytree doesn't match "
                                       f"the {what} {getattr(p, what)} of the corresponding primal.")
        return jvp(func, primals, tangents)[1]

    return output, jvp_fn


# --- jacobians ------------------------------------------------------------------------------------
def _one_hot(leaves, k, j):
    """The cotangents that pick element j of output k."""
    from . import zeros, zeros_like
    cts = [zeros_like(o) for o in leaves]
    e = zeros(leaves[k].numel(), dtype=leaves[k].dtype)
    e[j] = 1
    cts[k] = e.view(leaves[k].shape)
    return cts


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    @functools.wraps(func)
    def wrapper_fn(*args):
        from . import stack, zeros
        _error_if_complex('jacrev', args, True)
        output, vjp_fn, *aux = _vjp_with_argnums(func, *args, argnums=argnums, has_aux=has_aux)
        out_leaves, out_spec = _pytree.tree_flatten(output)
        _error_if_complex('jacrev', out_leaves, False)
        in_leaves, in_spec = _pytree.tree_flatten(_slice_args(args, _wrap_argnums(argnums, len(args))))
        per_output = []
        for k, out in enumerate(out_leaves):
            rows = [_pytree.tree_leaves(vjp_fn(out_spec.unflatten(_one_hot(out_leaves, k, j))))
                    for j in range(out.numel())]
            jacs = [(stack([r[i] for r in rows]) if rows else zeros((0,) + tuple(x.shape), dtype=x.dtype))
                    .view(tuple(out.shape) + tuple(x.shape)) for i, x in enumerate(in_leaves)]
            per_output.append(in_spec.unflatten(jacs))
        jac = out_spec.unflatten(per_output)
        return (jac, aux[0]) if has_aux else jac

    return wrapper_fn


def jacfwd(func, argnums=0, has_aux=False, *, randomness='error'):
    # column j of the Jacobian is J e_j, from the double-backward trick (see jvp): the zeros keep
    # forward mode's signs
    @functools.wraps(func)
    def wrapper_fn(*args, **kwargs):
        from . import stack, zeros, zeros_like
        _error_if_complex('jacfwd', args, True)
        primals = _slice_args(args, _wrap_argnums(argnums, len(args)))
        numels = [p.numel() for p in _pytree.tree_leaves(primals)]
        _check_randomness_arg(randomness)
        for p in _pytree.tree_leaves(primals):
            _check_dual(p, p)
        outer, keep = is_grad_enabled(), _keep_graph((args, kwargs))
        with enable_grad(), _random_mode(randomness):
            args, diff = _wrap_args(args, argnums, keep)
            output, aux = _split_aux(func(*args, **kwargs), has_aux, _JVP)
            keep = keep or outer and _captures_grad(_pytree.tree_leaves(output), _pytree.tree_leaves(diff))
        aux = _post_aux(aux, keep) if has_aux else None
        out_leaves, out_spec = _pytree.tree_flatten(output)
        _check_tensor_outputs(out_leaves, _JVP)
        _error_if_complex('jacfwd', out_leaves, False)
        in_leaves, in_spec = _pytree.tree_flatten(diff)
        with enable_grad():
            us, jtu = _transpose_map(out_leaves, in_leaves)
            per_input = []
            for k, (x, n) in enumerate(zip(in_leaves, numels)):
                cols = []
                for j in range(n):
                    e = zeros(n, dtype=x.dtype)
                    e[j] = 1
                    v = [e.view(x.shape) if i == k else zeros_like(t) for i, t in enumerate(in_leaves)]
                    cols.append(_grad_wrt(jtu, v, us, keep))
                per_input.append([(stack([c[o] for c in cols], dim=-1) if cols else
                                   zeros(tuple(out.shape) + (0,), dtype=out.dtype))
                                  .view(tuple(out.shape) + tuple(x.shape)) for o, out in enumerate(out_leaves)])
            per_output = [in_spec.unflatten([per_input[k][o] for k in range(len(in_leaves))])
                          for o in range(len(out_leaves))]
        jac = _post(out_spec.unflatten(per_output), keep)
        return (jac, aux) if has_aux else jac

    return wrapper_fn


def hessian(func, argnums=0):
    return jacfwd(jacrev(func, argnums), argnums)


# --- vmap -----------------------------------------------------------------------------------------
def _fn_name(func):
    if hasattr(func, '__name__'):
        return func.__name__
    if isinstance(func, functools.partial):
        return f"functools.partial({_fn_name(func.func)}, ...)"
    return repr(func)


def _check_randomness_arg(randomness):
    if randomness not in ('error', 'different', 'same'):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. Got {randomness}")


def _refuse_draws(*_):
    raise RuntimeError("vmap: called random operation while in randomness error mode. Please either use the "
                       "'same' or 'different' randomness flags on vmap or perform the randomness operation out "
                       "of vmap")


@contextlib.contextmanager
def _random_mode(randomness):
    """randomness='error': every generator's engine (and CuPy's draws) refuses to draw while the
    function runs."""
    if randomness != 'error':
        yield
        return
    from . import _rng
    from .cuda import random as cuda_random
    saved = _rng._State._raw32, cuda_random.draw
    _rng._State._raw32 = cuda_random.draw = _refuse_draws
    try:
        yield
    finally:
        _rng._State._raw32, cuda_random.draw = saved


def _broadcast_to_and_flatten(prefix, spec):
    """The leaves of `prefix`, each repeated over the leaves of the subtree of `spec` it stands for;
    None when prefix is not a prefix of spec's structure."""
    try:
        subtrees = _pytree.tree_structure(prefix).flatten_up_to(spec.unflatten([0] * spec.num_leaves))
    except ValueError:
        return None
    out = []
    for x, sub in zip(_pytree.tree_leaves(prefix), subtrees):
        out += [x] * _pytree.tree_structure(sub).num_leaves
    return out


def _batched_inputs(in_dims, args, name):
    """(batch size, in_dim per leaf (non-negative or None), leaves, spec), with torch's checks."""
    if not isinstance(in_dims, (int, tuple)):
        raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int or a "
                         f"(potentially nested) tuple matching the structure of inputs, got: {type(in_dims)}.")
    if not args:
        raise ValueError(f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you are trying "
                         f"to vmap over a function with no inputs. The latter is unsupported.")
    leaves, spec = _pytree.tree_flatten(args)
    dims = _broadcast_to_and_flatten(in_dims, spec)
    if dims is None:
        raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with the "
                         f"structure of `inputs`. in_dims has structure {_pytree.tree_structure(in_dims)} but inputs "
                         f"has structure {spec}.")
    where = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
    for i, (x, d) in enumerate(zip(leaves, dims)):
        if d is None:
            continue
        if not isinstance(d, int):
            raise ValueError(f"{where}: Got in_dim={d} for an input but in_dim must be either an integer dimension "
                             f"or None.")
        if not isinstance(x, _T.Tensor):
            raise ValueError(f"{where}: Got in_dim={d} for an input but the input is of type {type(x)}. We cannot "
                             f"vmap over non-Tensor arguments, please use None as the respective in_dim")
        if not -x.dim() <= d < x.dim():
            raise ValueError(f"{where}: Got in_dim={d} for some input, but that input is a Tensor of dimensionality "
                             f"{x.dim()} so expected in_dim to satisfy -{x.dim()} <= in_dim < {x.dim()}.")
        if d < 0:
            dims[i] = d % x.dim()
    sizes = [x.size(d) for x, d in zip(leaves, dims) if d is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                         f"{sizes} for the mapped dimension")
    return sizes[0], dims, leaves, spec


def _examples(size, dims, leaves, spec):
    """The arguments of each example; with an empty batch, one example of zeros, as torch still
    runs the function once."""
    if size == 0:
        yield spec.unflatten([x if d is None else x.new_zeros(x.shape[:d] + x.shape[d + 1:])
                              for x, d in zip(leaves, dims)])
    for b in range(size):
        yield spec.unflatten([x if d is None else x.select(d, b) for x, d in zip(leaves, dims)])


def vmap(func, in_dims=0, out_dims=0, randomness='error', *, chunk_size=None):
    _check_randomness_arg(randomness)
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        from .random import default_generator
        name = _fn_name(func)
        _check_out_dims(out_dims, name)
        size, dims, leaves, spec = _batched_inputs(in_dims, args, name)
        state = default_generator.get_state() if randomness == 'same' else None
        results = []
        with _random_mode(randomness):
            for example in _examples(size, dims, leaves, spec):
                if state is not None:
                    default_generator.set_state(state)
                results.append(func(*example, **kwargs))
        roots = {id(_root(x)) for x, d in zip(leaves, dims) if d is not None}
        return _stack_results(results, size, out_dims, name, roots)

    return wrapped


def _check_out_dims(out_dims, name):
    if isinstance(out_dims, int):
        return
    for d in _pytree.tree_leaves(out_dims):
        if d is not None and not isinstance(d, int):
            raise ValueError(f"vmap({name}, ..., out_dims={out_dims}): `out_dims` must be an int, None or a python "
                             f"collection of ints representing where in the outputs the vmapped dimension should "
                             f"appear.")


def _root(x):
    return x if x._base is None else x._base


def _depends_on_batch(values, roots):
    """torch refuses a batched output where out_dims is None; a loop sees one as a view of a mapped
    input (ids of their bases in roots) or as values that differ between examples."""
    first = values[0]
    if not isinstance(first, _T.Tensor):
        return False
    if any(v._base is not None and id(v._base) in roots for v in values):
        return True
    return not all(v is first or v.shape == first.shape and bool(((v == first) | v.isnan() & first.isnan()).all())
                   for v in values[1:])


def _stack_results(results, size, out_dims, name, roots):
    from . import stack
    first = results[0]
    out_leaves, out_spec = _pytree.tree_flatten(first)
    if isinstance(first, _T.Tensor):
        dims = [out_dims] if out_dims is None or isinstance(out_dims, int) else \
            list(out_dims) if isinstance(out_dims, tuple) and len(out_dims) == 1 else None
    else:
        dims = _broadcast_to_and_flatten(out_dims, out_spec)
    if dims is None:
        raise ValueError(f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible with the "
                         f"structure of `outputs`. out_dims has structure {_pytree.tree_structure(out_dims)} but "
                         f"outputs has structure {out_spec}.")
    per_leaf = list(zip(*(out_spec.flatten_up_to(r) for r in results)))
    stacked = []
    for values, d in zip(per_leaf, dims):
        if d is None:
            if _depends_on_batch(values, roots):
                raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor when out_dim is None")
            stacked.append(values[0])
            continue
        if not isinstance(values[0], _T.Tensor):
            raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(values[0])}. "
                             f"Did you mean to set out_dims= to None for output?")
        # torch moves the batch dimension of the batched result to out_dim: a view
        out = stack(values).movedim(0, d)
        stacked.append(out.narrow(d, 0, 0) if size == 0 else out)
    return out_spec.unflatten(stacked)


# --- functionalize and helpers --------------------------------------------------------------------
def functionalize(func, *, remove='mutations'):
    """Eager faketorch has no functionalization pass: the function runs as written, which gives the
    same values and the same mutations of its inputs."""
    if remove not in ('mutations', 'mutations_and_views'):
        raise RuntimeError(
            f"functionalize(f, remove='mutations'): received invalid argument for remove={remove}. Valid options "
            f"are:\n     remove='mutations': all inplace and out= operators will be removed from the program, and "
            f"replaced with their out-of-place equivalents.\n     remove='mutations_and_views': In addition to the "
            f"above, all aliasing operators {{view}} will be replaced with their non-aliasing counterparts, "
            f"{{view}}_copy.\n")

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        return func(*args, **kwargs)

    return wrapped


def replace_all_batch_norm_modules_(root):
    """Batch norms in root stop tracking running statistics (in place); returns root."""
    from .nn.modules.batchnorm import _BatchNorm
    for m in root.modules():
        if isinstance(m, _BatchNorm) and m.track_running_stats:
            m.running_mean = None
            m.running_var = None
            m.num_batches_tracked = None
            m.track_running_stats = False
    return root


def debug_unwrap(tensor, *, recurse=True):
    # faketorch's transforms never wrap tensors
    return tensor


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
