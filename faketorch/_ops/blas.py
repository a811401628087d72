"""Matrix products: matmul (all rank cases), mm, bmm, mv, dot, outer, addmm, baddbmm ..."""
import math

from .. import _autocast as _ac
from .._autocast import state as _acs
from .. import _xnp as np

from .. import _dtype as D
from .._tensor import Tensor, _make, _dtype_c10 as _c10
from ..autograd.grad_mode import state as grad_state
from ._core import attach, kernel_error, needs, register, same_device, with_out, write_out
from ._float8_kernels import F8 as _F8


def _check_dtypes(name, a, b):
    if a.dtype is not b.dtype:
        m = 'mat' if a._device.type == 'cuda' else 'm'      # torch's CUDA kernel spells it mat1
        raise RuntimeError(f"expected {m}1 and {m}2 to have the same dtype, but got: "
                           f"{_c10(a.dtype)} != {_c10(b.dtype)}" if name in ('mm', 'matmul', 'addmm') else
                           f"expected scalar type {D.type_name(a.dtype)} but found {D.type_name(b.dtype)}")
    same_device(a, b)


def cuda_blas_check(kernel, t, *arrays):
    """torch's CUDA BLAS kernels (cuBLAS) have no integer or bool loops: a non-empty product on a
    CUDA tensor of those dtypes raises, naming the kernel it reached (dot's even when empty)."""
    if t._device.type == 'cuda' and t.dtype._cat < 2 and (kernel == 'dot' or all(a.size for a in arrays)):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{D.type_name(t.dtype)}\'')


def _cuda_kernel(na, nb):
    """The CUDA kernel torch.matmul reaches for operands of these ranks (it folds a batch against a
    matrix or vector into one mm or mv; a vector or matrix against a batch goes to bmm)."""
    if na == 1 and nb == 1:
        return 'dot'
    if nb == 1:
        return 'addmv_impl_cuda'
    return 'baddbmm_cuda' if nb >= 3 else 'addmm_cuda'


def _mm_name(na, nb, sa, sb):
    if na == 1 and nb == 1:
        return 'DotBackward0'
    if na == 2 and nb == 1:
        return 'MvBackward0'
    if na == 1 and nb == 2:
        return 'SqueezeBackward4'
    if na == 2 and nb == 2:
        return 'MmBackward0'
    if nb <= 2:
        return 'UnsafeViewBackward0' if na >= 3 else 'SqueezeBackward4'
    return 'UnsafeViewBackward0' if na > 2 or nb > 2 else 'ViewBackward0'


def _shape_error(a, b):
    na, nb = a.ndim, b.ndim
    if na == 1 and nb == 1:
        return RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                            f"[{b.shape[0]}] to have the same number of elements, but got "
                            f"{a.shape[0]} and {b.shape[0]} elements respectively")
    if na == 2 and nb == 1:
        return RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat ({a.shape[0]}x{a.shape[1]}), "
                            f"vec ({b.shape[0]})")
    sa = a.shape if na >= 2 else (1,) + a.shape
    sb = b.shape if nb >= 2 else b.shape + (1,)
    if na <= 2 and nb <= 2:
        return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa[-2]}x{sa[-1]} and "
                            f"{sb[-2]}x{sb[-1]})")
    if sa[-1] != sb[-2]:
        rows = int(np.prod(sa[:-1]))
        if nb <= 2 and na >= 3:
            return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{sa[-1]} and "
                                f"{sb[-2]}x{sb[-1]})")
        if na == 3 and nb == 3:
            return RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                                f"[{sb[0]}, {sa[-1]}] but got: [{sb[0]}, {sb[-2]}].")
        return RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                            f"[{int(np.prod(np.broadcast_shapes(sa[:-2], sb[:-2])))}, {sa[-1]}] but got: "
                            f"[{int(np.prod(np.broadcast_shapes(sa[:-2], sb[:-2])))}, {sb[-2]}].")
    return RuntimeError(f"The size of tensor a ({sa[-3]}) must match the size of tensor b ({sb[-3]}) at "
                        f"non-singleton dimension {max(na, nb) - 3}")


def _matmul_bwd(node, g):
    a, b = node.saved_tensors
    if a.dtype.is_complex:      # torch: grad_a = g @ b^H, grad_b = a^H @ g
        a, b = a.conj(), b.conj()
    na, nb = a.ndim, b.ndim
    ga = gb = None
    if na == 1 and nb == 1:
        return (g * b if needs(node, 0) else None), (g * a if needs(node, 1) else None)
    a2 = a.unsqueeze(0) if na == 1 else a
    b2 = b.unsqueeze(-1) if nb == 1 else b
    g2 = g
    if na == 1:
        g2 = g2.unsqueeze(-2)
    if nb == 1:
        g2 = g2.unsqueeze(-1)
    if needs(node, 0):
        ga = matmul(g2, b2.transpose(-1, -2))
        if na == 1:
            ga = ga.squeeze(-2)
        ga = ga.sum_to_size(a.shape) if ga.shape != a.shape else ga
    if needs(node, 1):
        if nb <= 2 < na or (nb == 2 and na == 2):
            # fold the batch into rows: one GEMM instead of a batched product and a sum
            k = a2.shape[-1]
            rows = int(np.prod(a2.shape[:-1]))     # explicit: reshape(-1, 0) is ambiguous
            gb = matmul(a2.reshape(rows, k).t(), g2.reshape(rows, g2.shape[-1]))
        else:
            gb = matmul(a2.transpose(-1, -2), g2)
        if nb == 1:
            gb = gb.squeeze(-1)
        gb = gb.sum_to_size(b.shape) if gb.shape != b.shape else gb
    return ga, gb


def fold_matmul(a, b):
    """a @ b for arrays; an N-d `a` times a matrix as one 2-d product over a's rows, as torch folds it (NumPy
    would make one BLAS call per matrix of a's batch: with a threaded BLAS on a busy machine, each costs
    a thread hand-off, and a transformer's linears ran 10x slower). CuPy runs a stack as one batched GEMM
    already: there the reshapes would only add calls."""
    if a.ndim > 2 and b.ndim == 2 and a.__class__ is np.ndarray:
        lead = a.shape[:-1]
        return (a.reshape(math.prod(lead), a.shape[-1]) @ b).reshape(*lead, b.shape[1])
    return a @ b


def matmul(input, other, _name=None, _kernel=None):
    a, b = input._data, other._data
    na, nb = a.ndim, b.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{na}D and {nb}D")
    if input.dtype is not other.dtype and input._device.type == 'cpu' and (nb != 2):
        # the product torch's matmul reaches checks the dtypes (mm's check is _check_dtypes'); bmm's kernel
        # refuses a dtype it lacks first
        if nb > 2 and (input.dtype is D.bool or input.dtype in D.BARE_UINTS):
            raise kernel_error('bmm', input.dtype)
        x, y = D.type_name(input.dtype), D.type_name(other.dtype)
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {x} and {y}" if na == 1
                           and nb == 1 else f"addmv input tensors must have the same dtype, but got {y}, {x}, "
                           f"and {y}" if nb == 1 else f"expected scalar type {x} but found {y}")
    if input.dtype is not other.dtype and nb == 2 and a.shape[-1] != b.shape[0]:
        raise _shape_error(a, b)        # mm checks the shapes first
    _check_dtypes('matmul', input, other)
    if input.dtype in _F8:      # the CPU kernel matmul picks: float8 has only an mm (in float, rounded once)
        kernel = ('dot' if na == 1 else 'addmv_impl_cpu') if nb == 1 else 'addmm_impl_cpu_' if nb == 2 else 'bmm'
        if kernel != 'addmm_impl_cpu_' or input.dtype is D.float8_e8m0fnu:
            raise kernel_error(kernel, input.dtype)
    try:
        data = fold_matmul(a, b) if nb == 2 and na > 2 and a.shape[-1] == b.shape[0] else np.matmul(a, b)
    except ValueError:
        raise _shape_error(a, b) from None
    if input._device.type == 'cpu':
        if input.dtype is D.bool or input.dtype in D.BARE_UINTS:
            _no_blas_loop(input.dtype, na, nb, data.size, a.shape[-1])
    else:
        cuda_blas_check(_kernel or _cuda_kernel(na, nb), input, a, b)
    if input.dtype._cat < 2 and a.size and b.size:
        data = data.astype(input.dtype._np, copy=False)
    if not data.shape:      # NumPy's vector dot product is a scalar
        data = np.asarray(data)
    r = _make(data, input.dtype, input._device)
    if (input._requires_grad or other._requires_grad) and grad_state.enabled:
        if _name is None and na == 2 and nb > 2 and input._requires_grad:
            # torch folds a matrix that requires grad times a batch as (b^T @ a^T)^T made contiguous: a clone,
            # unless the transpose is contiguous already
            _name = 'TransposeBackward0' if 1 in data.shape[-2:] or not data.size else 'CloneBackward0'
        attach(_name or _mm_name(na, nb, a.shape, b.shape), _matmul_bwd, (input, other), (r,),
               save=(input, other))
    return r


def _no_blas_loop(dt, na, nb, size, k):
    """torch's CPU kernel for a bool or uint16/32/64 product of these ranks refuses it; an empty product
    (no result or nothing to sum) returns before it, except dot's."""
    if na == nb == 1 or (size and k):
        raise kernel_error(('dot' if na == 1 else 'addmv_impl_cpu') if nb == 1 else 'addmm_impl_cpu_' if nb == 2
                           else 'bmm', dt)


def _fixed_rank(name, na, nb, cuda_kernel=None):
    def f(input, mat2):
        if input._data.ndim != na or mat2._data.ndim != nb:
            if name == 'mm':
                raise RuntimeError(f"{'self' if input._data.ndim != 2 else 'mat2'} must be a matrix")
            if name == 'bmm':
                raise RuntimeError(f"batch{1 if input._data.ndim != 3 else 2} must be a 3D tensor")
            if name == 'dot':
                raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and {mat2._data.ndim}D tensors")
            if name == 'mv':
                raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input._data.ndim}, {mat2._data.ndim}")
        if name == 'dot' and input.dtype is not mat2.dtype:
            raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                               f"{D.type_name(input.dtype)} and {D.type_name(mat2.dtype)}")
        if name == 'bmm' and input._data.shape[0] != mat2._data.shape[0]:
            raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                               f"{input._data.shape[0]} and {mat2._data.shape[0]}")
        return matmul(input, mat2, 'BmmBackward0' if name == 'bmm' else None, cuda_kernel)
    f.__name__ = name
    return f


mm = _fixed_rank('mm', 2, 2)
bmm = _fixed_rank('bmm', 3, 3)
dot = _fixed_rank('dot', 1, 1)
mv = _fixed_rank('mv', 2, 1)
inner = None


def outer(input, vec2):
    for name, t in (('self', input), ('vec2', vec2)):
        if t.dim() != 1:
            raise RuntimeError(f'outer: Expected 1-D argument {name}, but got {t.dim()}-D')
    return input.unsqueeze(1) * vec2.unsqueeze(0)


def addmm_checks(self, mat1, mat2, mat1_dim=None):
    """torch's addmm checks before the product: the dtypes against mat2's, then the ranks (linear
    passes mat1_dim=2 for the input it views as a matrix)."""
    for a, word in ((self, 'self'), (mat1, 'mat1')):
        if a.dtype is not mat2.dtype:
            raise RuntimeError(f"{word} and mat2 must have the same dtype, but got {D.type_name(a.dtype)} "
                               f"and {D.type_name(mat2.dtype)}")
    for dim, word in ((mat1.dim() if mat1_dim is None else mat1_dim, 'mat1'), (mat2.dim(), 'mat2')):
        if dim != 2:
            raise RuntimeError(f"{word} must be a matrix, got {dim}-D tensor")


def _conj_scalar(v):
    return v.conjugate() if isinstance(v, complex) else v


def _add_product(gname, fname, product):
    """beta * input + alpha * product(m1, m2) as one node (torch's addmm, addmv, addr, baddbmm)."""
    def f(input, m1, m2, *, beta=1, alpha=1, out=None):
        if _acs.cpu is not None and out is None and fname in _AUTOCAST:
            return _ac.run(f, _acs.cpu, (input, m1, m2), dict(beta=beta, alpha=alpha))
        if fname == 'addmm':
            addmm_checks(input, m1, m2)
        with_grad = grad_state.enabled and (input._requires_grad or m1._requires_grad or m2._requires_grad)
        prev = grad_state.enabled
        grad_state.enabled = False          # the pieces are recorded below as one node
        try:
            try:
                p = product(m1, m2)
            except NotImplementedError:     # the fused kernel's name, on the CPU
                if fname not in _FUSED_KERNEL or m1._device.type != 'cpu':
                    raise
                raise kernel_error(_FUSED_KERNEL[fname], m1.dtype) from None
            if m1.dtype in _F8 or m1.dtype is D.float16 or m1.dtype is D.bfloat16:
                # (its kernel refusals above) torch adds the unrounded product, rounds once
                p = product(m1.float(), m2.float())
            if input._data.shape != p._data.shape:
                _check_expands(fname, input, m1, m2, p._data.shape)
            if fname == 'addr' and m1.dtype in D.BARE_UINTS:
                raise kernel_error('addr_cpu', m1.dtype, m1._device)
            pd = p._data if alpha == 1 else p._data * np.cast(alpha, p._data.dtype)
            if beta == 0:
                data = np.broadcast_to(pd, np.broadcast_shapes(pd.shape, input._data.shape)).copy()
            else:
                ind = input._data.astype(pd.dtype, copy=False)
                ind = ind if beta == 1 else ind * np.cast(beta, pd.dtype)
                data = ind + pd
        finally:
            grad_state.enabled = prev
        if data.shape != pd.shape:
            raise RuntimeError(f"The size of tensor a ({data.shape[-1]}) must match the size of tensor b "
                               f"({pd.shape[-1]}) at non-singleton dimension {data.ndim - 1}")
        r = _make(np.asarray(data, m1.dtype._np), m1.dtype, m1._device)
        if with_grad:
            def bwd(node, g):
                a, b = node.saved_tensors
                gp = g * _conj_scalar(alpha) if alpha != 1 else g
                gi = (g * _conj_scalar(beta) if beta != 1 else g) if needs(node, 0) and beta != 0 else \
                    (g * 0 if needs(node, 0) else None)
                ga, gb = _product_grads(fname, gp, a, b, needs(node, 1), needs(node, 2))
                return gi, ga, gb
            attach(gname, bwd, (input, m1, m2), (r,), save=(m1, m2))
        if out is not None:
            return write_out(out, r, fname)
        return r
    f.__name__ = fname
    return f


_FUSED_KERNEL = {'baddbmm': 'baddbmm', 'addbmm': 'addmm_impl_cpu_'}
_AUTOCAST = frozenset(('matmul', 'mm', 'bmm', 'addmm', 'baddbmm', 'addbmm'))     # CPU autocast's fast-dtype products


def _check_expands(fname, input, m1, m2, shape):
    """torch expands `input` to the product's shape: its errors (addmv has its own)."""
    if fname == 'addmv':
        if input.dim() > 1:
            raise RuntimeError(f'vector + matrix @ vector expected, got {input.dim()}, {m1.dim()}, {m2.dim()}')
        if input.dim() == 1 and input.shape[0] not in (1, shape[0]):
            raise RuntimeError(f'size mismatch, got input ({input.shape[0]}), mat ({m1.shape[0]}x{m1.shape[1]}), '
                               f'vec ({m2.shape[0]})')
    else:
        input.expand(shape)


def _product_grads(fname, g, a, b, need_a, need_b):
    if a.dtype.is_complex:      # conjugate transposes, as for matmul
        a, b = a.conj(), b.conj()
    if fname == 'addr':
        return (g.mv(b) if need_a else None), (g.t().mv(a) if need_b else None)
    if fname == 'addmv':
        return (g.unsqueeze(1) * b.unsqueeze(0) if need_a else None), (a.t().mv(g) if need_b else None)
    return (g.matmul(b.transpose(-1, -2)) if need_a else None), (a.transpose(-1, -2).matmul(g) if need_b else None)


addmm = _add_product('AddmmBackward0', 'addmm', _fixed_rank('mm', 2, 2))
baddbmm = _add_product('BaddbmmBackward0', 'baddbmm', _fixed_rank('bmm', 3, 3))
addmv = _add_product('AddmvBackward0', 'addmv', _fixed_rank('mv', 2, 1))
addr = _add_product('AddrBackward0', 'addr', lambda a, b: outer(a, b))


# addbmm: the products summed over the batch, then added as addmm does
addbmm = _add_product('AddbmmBackward0', 'addbmm',
                      lambda a, b: _fixed_rank('bmm', 3, 3, 'addmm_cuda')(a, b).sum(0))


def product_out(f):
    """out= for a matrix product: torch casts nothing there, and names the kernel the ranks reach."""
    def g(input, other, *, out=None):
        if _acs.cpu is not None and out is None and f.__name__ in _AUTOCAST:
            return _ac.run(g, _acs.cpu, (input, other))
        r = f(input, other)
        if out is not None and out.dtype is not r.dtype:
            na, nb, name = input.dim(), other.dim(), f.__name__
            if name in ('dot', 'vdot') or (name == 'matmul' and na == nb == 1):
                raise RuntimeError(f'result dtype {D.type_name(out.dtype)} does not match input dtype '
                                   f'{D.type_name(r.dtype)}')
            if name == 'mv' or (name == 'matmul' and na == 2 and nb == 1):
                raise RuntimeError(f'addmv input tensors must have the same dtype, but got {D.type_name(out.dtype)}, '
                                   f'{D.type_name(input.dtype)}, and {D.type_name(other.dtype)}')
            raise RuntimeError(f'Expected out tensor to have dtype {_c10(r.dtype)}, but got {_c10(out.dtype)} '
                               'instead')
        return r if out is None else write_out(out, r, f.__name__)
    g.__name__, g.__doc__ = f.__name__, f.__doc__
    return g


for _f in (matmul, mm, bmm, dot, mv):
    register(product_out(_f))
register(with_out(outer))
_public_matmul = product_out(matmul)


def spmm(input, mat2):
    """torch's old name for mm, for a sparse (or dense) input times a dense matrix."""
    return input.mm(mat2)


register(spmm, method=False)
def _product_inplace(f):
    from ._core import check_inplace, commit_inplace

    def f_(self, m1, m2, *, beta=1, alpha=1):
        check_inplace(self)
        if f.__name__ == 'addr' and self._data.ndim != 2:
            raise RuntimeError(f"2D tensor expected, got {self._data.ndim}D tensor for input")
        r = f(self, m1, m2, beta=beta, alpha=alpha)
        if r._data.shape != self._data.shape and f.__name__ == 'addbmm':
            self.resize_(r._data.shape)     # torch's addbmm_ writes through addbmm's out=, resizing self
        if r._data.shape != self._data.shape:
            raise RuntimeError(f"Bad in-place call: input tensor size {list(self._data.shape)} and output "
                               f"tensor size {list(r._data.shape)} should match")
        return commit_inplace(self, r)
    f_.__name__ = f.__name__ + '_'
    return f_


for _f in (addmm, baddbmm, addmv, addr, addbmm):
    register(_f)
    setattr(Tensor, _f.__name__ + '_', _product_inplace(_f))
register(with_out(outer), name='ger')
Tensor.__matmul__ = lambda self, other: (matmul(self, other) if _acs.cpu is None else _public_matmul(self, other)) \
    if isinstance(other, Tensor) else NotImplemented
Tensor.__rmatmul__ = lambda self, other: (matmul(other, self) if _acs.cpu is None else _public_matmul(other, self)) \
    if isinstance(other, Tensor) else NotImplemented


def _scaled_mm(self, mat2, scale_a, scale_b, bias=None, scale_result=None, out_dtype=None, use_fast_accum=False):
    """torch's CPU _scaled_mm: float8 matrices times float32 scales (one each, or one per row of self and
    per column of mat2), accumulated in float with bias and rounded once to out_dtype (self's dtype by
    default). torch's CPU kernel ignores scale_result, and so does this."""
    for t in (self, mat2):
        if t._data.ndim != 2:
            raise RuntimeError(f"{'mat1' if t is self else 'mat2'} must be a matrix")
    m, n = self._data.shape[0], mat2._data.shape[1]
    f32 = D.float32
    tensorwise = scale_a.dtype is f32 and scale_b.dtype is f32 and scale_a.numel() == 1 and scale_b.numel() == 1
    rowwise = scale_a.dtype is f32 and scale_b.dtype is f32 and tuple(scale_a.shape) == (m, 1) \
        and tuple(scale_b.shape) == (1, n) and scale_a.is_contiguous() and scale_b.is_contiguous()
    if self.dtype not in _F8 or mat2.dtype not in _F8 or not (tensorwise or rowwise):
        raise ValueError(
            "Invalid scaling configuration.\n- For TensorWise scaling, a and b should be float8, scales should be "
            "float and singletons.\n- For RowWise scaling, a and b should be float8, scales should be float, "
            f"scale_a should be ({m}, 1) and scale_b should be (1, {n}), and both should be contiguous.\n"
            f"Got mat_a.dtype()={D.type_name(self.dtype)}, scale_a.dtype()={D.type_name(scale_a.dtype)}, "
            f"scale_a.size()={list(scale_a.shape)}, scale_a.stride()={list(scale_a.stride())}, "
            f"mat_b.dtype()={D.type_name(mat2.dtype)}, scale_b.dtype()={D.type_name(scale_b.dtype)}, "
            f"scale_b.size()={list(scale_b.shape)} and scale_b.stride()={list(scale_b.stride())}")
    try:
        acc = np.matmul(self._data, mat2._data)
    except ValueError:
        raise _shape_error(self._data, mat2._data) from None
    acc = acc * scale_a._data.astype(np.float32) * scale_b._data.astype(np.float32)
    if bias is not None:
        acc = acc + bias._data.astype(np.float32)
    out_dtype = out_dtype or self.dtype
    return _make(acc.astype(D.np_dtype(out_dtype)), out_dtype, self._device)


register(_scaled_mm, method=False)
