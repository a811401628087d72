"""gradcheck / gradgradcheck: compare analytical gradients with central finite differences."""
from .. import _xnp as np

__all__ = ['gradcheck', 'gradgradcheck', 'GradcheckError']


class GradcheckError(RuntimeError):
    pass


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _numerical_jacobian(fn, inputs, i, eps):
    x = inputs[i]
    cols = []
    flat = x._data.reshape(-1)
    if True:    # grad mode stays on: gradgradcheck's function itself calls autograd.grad
        for k in range(flat.size):
            orig = flat[k].item()
            flat[k] = orig + eps
            plus = [o._data.astype(np.float64).reshape(-1).copy() for o in _as_tuple(fn(*inputs))]
            flat[k] = orig - eps
            minus = [o._data.astype(np.float64).reshape(-1).copy() for o in _as_tuple(fn(*inputs))]
            flat[k] = orig
            cols.append(np.concatenate([(p - m) / (2 * eps) for p, m in zip(plus, minus)]))
    return np.stack(cols, 0) if cols else np.zeros((0, 0))


def _analytical_jacobian(fn, inputs, i):
    from . import grad
    from .._tensor import _make
    outs = _as_tuple(fn(*inputs))
    sizes = [o._data.size for o in outs]
    rows = []
    x = inputs[i]
    for oi, o in enumerate(outs):
        for k in range(o._data.size):
            if not o._requires_grad:
                rows.append(np.zeros(x._data.size))
                continue
            g = np.zeros(o._data.shape, o._data.dtype)
            g.reshape(-1)[k] = 1
            r = grad(o, x, _make(g, o.dtype, o._device), retain_graph=True, allow_unused=True)[0]
            rows.append(np.zeros(x._data.size) if r is None else r._data.astype(np.float64).reshape(-1))
    return np.stack(rows, 1) if rows else np.zeros((x._data.size, 0))


def _forward_jacobian(fn, inputs, i):
    """The Jacobian of fn's outputs with respect to input i, one column per tangent e_k (forward AD)."""
    from . import forward_ad as fw
    from .. import zeros_like
    x = inputs[i]
    cols = []
    for k in range(x._data.size):
        t = zeros_like(x).detach()
        t.view(-1)[k] = 1
        with fw.dual_level():
            ins = tuple(fw.make_dual(a.detach(), t) if j == i else a for j, a in enumerate(inputs))
            outs = _as_tuple(fn(*ins))
            tans = [fw.unpack_dual(o).tangent for o in outs]
        cols.append(np.concatenate([np.zeros(o._data.size) if tg is None else
                                    tg._data.astype(np.float64).reshape(-1) for o, tg in zip(outs, tans)]))
    return np.stack(cols, 0) if cols else np.zeros((0, 0))


def _is_tensor(x):
    from .._tensor import Tensor
    return isinstance(x, Tensor)


def _check_inputs(inputs):
    import warnings
    found = False
    for i, x in enumerate(inputs):
        if _is_tensor(x) and x.requires_grad:
            if x.dtype.name not in ('float64', 'complex128'):
                warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point or "
                              "complex. This check will likely fail if all the inputs are not of double precision "
                              "floating point or complex. ", stacklevel=3)
            if not all(st > 0 or sz <= 1 for st, sz in zip(x.stride(), x.size())):
                raise RuntimeError(f"The {i}th input has a dimension with stride 0. gradcheck only supports inputs "
                                   "that are non-overlapping to be able to compute the numerical gradients "
                                   "correctly. You should call .contiguous on the input before passing it to "
                                   "gradcheck.")
            found = True
    if not found:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of them have "
                         "requires_grad=True.")


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    inputs = _as_tuple(inputs)
    _check_inputs(inputs)
    for i, x in enumerate(inputs):
        if not _is_tensor(x) or not x.requires_grad:
            continue
        num = _numerical_jacobian(func, inputs, i, eps)
        for check, jacobian in ((check_backward_ad, _analytical_jacobian), (check_forward_ad, _forward_jacobian)):
            if check and not _agrees(func, inputs, i, x, num, jacobian(func, inputs, i), rtol, atol, raise_exception):
                return False
    return True


def _agrees(func, inputs, i, x, num, ana, rtol, atol, raise_exception):
    if num.shape == ana.shape and np.allclose(ana, num, rtol=rtol, atol=atol):
        return True
    if raise_exception:     # torch prints them as tensors: numerical in the output's dtype, analytical the input's
        from .._tensor import _make
        out_dt = _as_tuple(func(*inputs))[0].dtype
        num, ana = _make(num.astype(out_dt._np), out_dt, x._device), _make(ana.astype(x.dtype._np), x.dtype, x._device)
        raise GradcheckError(f"Jacobian mismatch for output 0 with respect to input {i},\n"
                             f"numerical:{num}\nanalytical:{ana}\n")
    return False


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False, masked=False):
    from . import grad
    from .._tensor import Tensor
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        # torch draws them from the global generator: one uniform [-1, 1) tensor per differentiable output
        from ..testing import make_tensor
        from .. import _dtype as D
        grad_outputs = tuple(make_tensor(o.shape, dtype=o.dtype if o.dtype._cat >= 2 else D.float64,
                                         device=o.device, low=-1, high=1, requires_grad=True,
                                         noncontiguous=gen_non_contig_grad_outputs)
                             for o in _as_tuple(func(*inputs)) if o.requires_grad)
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)

    def first_order(*args):
        ins, gos = args[:n], args[n:]
        o = tuple(t for t in _as_tuple(func(*ins)) if t.requires_grad)      # the differentiable outputs
        gi = grad(o, [x for x in ins if isinstance(x, Tensor) and x.requires_grad], gos,
                  create_graph=True, allow_unused=True)
        return tuple(g for g in gi if g is not None)
    return gradcheck(first_order, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
