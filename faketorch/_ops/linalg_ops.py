"""Linear-algebra ops of the torch namespace: einsum, tensordot, kron, cross, cdist, norm, trace,
cov ... and the legacy spellings of torch.linalg (torch.det, torch.inverse, torch.svd ...)."""
import itertools
import math
import string
import warnings

from .. import _xnp as np
from .. import _autocast as _ac

from .. import _dtype as D
from .._tensor import Tensor, _make, _wrap_dim
from ._core import attach, broadcast_shapes, kernel_error, needs, register, requires_grad, warn_once, with_out
from .blas import cuda_blas_check, product_out
from .pointwise import _method_of, _operands_error


_grad_on = requires_grad      # any tensor requiring grad, with grad mode on


def _named(name, r):
    """Give a result computed from differentiable tensor ops torch's grad_fn name: an identity node
    on top (its gradient flows through the composite graph, so double backward works)."""
    if not r._requires_grad or r._grad_fn is None:
        return r
    out = _make(r._data, r.dtype, r._device)
    attach(name, lambda node, g: g, (r,), (out,))
    return out


# --- einsum -------------------------------------------------------------------------------------

_LETTERS = string.ascii_letters


def _parse_sublist(args):
    """einsum(op0, [0, 1], op1, [1, 2], [0, 2]) -> an equation string and the operands."""
    ops, subs = list(args[0::2]), list(args[1::2])
    out = None
    if len(ops) > len(subs):
        ops, out = ops[:len(subs)], None
    elif len(subs) > len(ops):
        out = subs.pop()

    def conv(s):
        return ''.join('...' if x is Ellipsis else _LETTERS[x] for x in s)
    eq = ','.join(conv(s) for s in subs)
    if out is not None:
        eq += '->' + conv(out)
    return eq, ops


def _normalise(eq, ops):
    """Expand ellipses into letters; returns (input subscripts, output subscript)."""
    eq = eq.replace(' ', '')
    lhs, arrow, rhs = eq.partition('->')
    ins = lhs.split(',')
    if len(ins) > len(ops):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(ins) < len(ops):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    used = set(c for c in eq if c.isalpha())
    free = [c for c in _LETTERS if c not in used]
    ell_n = 0
    for i, (s, t) in enumerate(zip(ins, ops)):
        nd = t._data.ndim
        if '...' in s:
            k = len(s.replace('...', ''))
            if k > nd:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({k}) is more than "
                                   f"the number of dimensions ({nd}) for operand {i}")
            ell_n = max(ell_n, nd - k)
        elif len(s) != nd:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(s)}) does not "
                               f"match the number of dimensions ({nd}) for operand {i} and no ellipsis "
                               f"was given")
        for c in s.replace('...', ''):
            if not c.isalpha():
                raise RuntimeError(f"einsum(): invalid subscript given at index {eq.index(c)} in the equation "
                                   f"string, subscripts must be in [a-zA-Z]")
    ell = ''.join(free[:ell_n])
    new_ins = []
    for s, t in zip(ins, ops):
        if '...' in s:
            k = t._data.ndim - len(s.replace('...', ''))
            s = s.replace('...', ell[ell_n - k:] if k else '')
        new_ins.append(s)
    if arrow:
        out = rhs.replace('...', ell)
        for c in out:
            if c not in lhs and c not in ell:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for "
                                   f"any input operand")
    else:
        counts = {}
        for c in ''.join(ins).replace('.', ''):
            counts[c] = counts.get(c, 0) + 1
        out = ell + ''.join(sorted((c for c, n in counts.items() if n == 1),
                                   key=lambda c: (c.islower(), c)))
    return new_ins, out


def _sizes(ins, ops):
    """Letter -> size, after checking repeats; operands with broadcast (size-1) letters expanded."""
    size = {}
    for i, (s, t) in enumerate(zip(ins, ops)):
        seen = {}
        for c, n in zip(s, t._data.shape):
            if c in seen and seen[c] != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but the sizes "
                                   f"don't match, {seen[c]} != {n}")
            seen[c] = n
            if size.get(c, 1) == 1:
                size[c] = n
            elif n != 1 and n != size[c]:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} which does not "
                                   f"broadcast with previously seen size {size[c]}")
    new_ops = []
    for s, t in zip(ins, ops):
        want = tuple(size[c] for c in s)
        new_ops.append(t if t._data.shape == want else t.expand(want))
    return size, new_ops


def _einsum_name(ins, out):
    if len(ins) == 1:
        return 'PermuteBackward0' if set(ins[0]) <= set(out) else 'SumBackward1'
    letters = set(''.join(ins))
    return 'MulBackward0' if letters <= set(out) else 'ViewBackward0'


def _einsum_arrays(eq, arrays):
    if len(arrays) <= 2:
        # optimize=True routes contractions through BLAS, but planning costs ~10 us: only worth it
        # when there is real work (small operands go through einsum's C loop directly)
        big = len(arrays) == 2 and arrays[0].size * arrays[1].size > 1 << 16
        return np.einsum(eq, *arrays, optimize=big)
    return np.einsum(eq, *arrays, optimize='greedy')


def _einsum_core(ins, out, ops):
    arrays = [t._data for t in ops]
    dt = ops[0].dtype
    data = _einsum_arrays(','.join(ins) + '->' + out, arrays)
    r = _make(np.asarray(data).astype(dt._np, copy=False), dt, ops[0]._device)
    if _grad_on(*ops):
        attach(_einsum_name(ins, out), lambda node, g: _einsum_bwd(node, g, ins, out),
               tuple(ops), (r,), save=tuple(ops))
    return r


def _einsum_bwd(node, g, ins, out):
    ops = node.saved_tensors
    if ops[0].dtype.is_complex:     # the gradient of a product takes the other factors conjugated
        ops = tuple(t.conj() for t in ops)
    grads = []
    for i, s in enumerate(ins):
        if not needs(node, i):
            grads.append(None)
            continue
        others = [(ins[j], ops[j]) for j in range(len(ins)) if j != i]
        avail = set(out).union(*(set(o) for o, _ in others)) if others else set(out)
        uniq = ''.join(dict.fromkeys(s))
        target = ''.join(c for c in uniq if c in avail)
        gi = _einsum_core([out] + [o for o, _ in others], target, [g] + [t for _, t in others])
        shape = dict(zip(s, ops[i]._data.shape))
        if target != uniq:     # letters summed away inside operand i alone: broadcast back
            for k, c in enumerate(uniq):
                if c not in target:
                    gi = gi.unsqueeze(k)
            gi = gi.expand(tuple(shape[c] for c in uniq))
        if uniq != s:          # repeated letters (a diagonal): put the gradient back on it
            subs, eyes, fresh = [uniq], [], iter(c for c in _LETTERS if c not in s)
            spelled, first = '', set()
            for c in s:
                if c in first:
                    f = next(fresh)
                    spelled += f
                    subs.append(c + f)
                    eyes.append(_make(np.eye(shape[c], dtype=g.dtype._np), g.dtype, g._device))
                else:
                    first.add(c)
                    spelled += c
            gi = _einsum_core(subs, spelled, [gi] + eyes)
        grads.append(gi)
    return tuple(grads)


def einsum(*args):
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one operand, or at "
                        "least one operand and its subscripts list")
    if isinstance(args[0], str):
        eq, ops = args[0], list(args[1:])
        if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
            ops = list(ops[0])
    else:
        eq, ops = _parse_sublist(args)
    if _ac.state.cpu is not None and len(ops) == 2:
        ins, out = _normalise(eq, ops)
        if set(ins[0]) & set(ins[1]) - set(out):       # torch contracts with bmm, which autocast casts
            ops = [_ac.cast(t, _ac.state.cpu) for t in ops]
    for t in ops[1:]:
        if t.dtype is not ops[0].dtype:
            raise RuntimeError(f"expected scalar type {D.type_name(ops[0].dtype)} but found "
                               f"{D.type_name(t.dtype)}")
    ins, out = _normalise(eq, ops)
    _, ops = _sizes(ins, ops)
    dt = ops[0].dtype
    if len(ops) > 1:
        cuda_blas_check('baddbmm_cuda', ops[0], *(t._data for t in ops))
        if dt in D.float8_types:        # torch contracts through bmm
            raise kernel_error('bmm', dt)
        # torch contracts with bmm (products without a summed letter are multiplies)
        if (dt is D.bool or dt in D.BARE_UINTS) and set(''.join(ins)) - set(out) and all(t._data.size for t in ops):
            raise kernel_error('bmm', dt)
    elif dt._cat < 2 and set(ins[0]) - set(out):
        ops = [ops[0].to(D.int64)]      # torch sums a single operand: integers in int64
    return _einsum_core(ins, out, ops)


register(einsum, method=False)


# --- tensordot, kron, inner, vdot, trace, chain_matmul ------------------------------------------

def tensordot(a, b, dims=2, out=None):
    if _ac.state.cpu is not None and out is None:      # mm under CPU autocast
        return _ac.run(tensordot, _ac.state.cpu, (a, b, dims))
    return _tensordot(a, b, dims, out, 'addmm_cuda')


def _tensordot(a, b, dims, out, kernel):
    na, nb = a._data.ndim, b._data.ndim
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(na, nb):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da, db = list(range(na - dims, na)), list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        if len(da) != len(db):
            raise RuntimeError(f"both dimension lists should have same length, but got {len(da)} and {len(db)}")
    da = [_wrap_dim(d, na) for d in da]
    db = [_wrap_dim(d, nb) for d in db]
    for x, y in zip(da, db):
        if a._data.shape[x] != b._data.shape[y] and 1 not in (a._data.shape[x], b._data.shape[y]):
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a._data.shape[x]} "
                               f"in dim {x} and second has size {b._data.shape[y]} in dim {y}")
    if a.dtype is not b.dtype:
        raise RuntimeError(f"expected scalar type {D.type_name(a.dtype)} but found {D.type_name(b.dtype)}")
    cuda_blas_check(kernel, a, a._data, b._data)
    full = len(da) == na and len(db) == nb
    if a.dtype in D.float8_types and a._device.type == 'cpu' and (full or a.dtype is D.float8_e8m0fnu):
        raise kernel_error('dot' if full else 'addmm_impl_cpu_', a.dtype)     # (other float8 matrices multiply)
    if (a.dtype is D.bool or a.dtype in D.BARE_UINTS) and a._device.type == 'cpu':
        # torch multiplies the two reshaped to matrices (vectors when all dims contract: dot, even empty)
        k = math.prod(a._data.shape[d] for d in da)
        if full or (k and a._data.size // max(k, 1) and b._data.size // max(k, 1)):
            raise kernel_error('dot' if full else 'addmm_impl_cpu_', a.dtype)
    la = _LETTERS[:na]
    lb = list(_LETTERS[na:na + nb])
    for x, y in zip(da, db):
        lb[y] = la[x]
    lb = ''.join(lb)
    outs = ''.join(c for i, c in enumerate(la) if i not in da) + ''.join(
        c for i, c in enumerate(lb) if i not in db)
    _, ops = _sizes([la, lb], [a, b])
    r = _einsum_core([la, lb], outs, ops)
    if r._grad_fn is not None and r._grad_fn.name() != 'ViewBackward0':
        r = _named('ViewBackward0', r)
    if out is not None:
        from ._core import write_out
        return write_out(out, r, 'tensordot')
    return r


def kron(input, other):
    na, nb = input._data.ndim, other._data.ndim
    n = max(na, nb)
    a = input.reshape((1,) * (n - na) + input._data.shape)
    b = other.reshape((1,) * (n - nb) + other._data.shape)
    sa, sb = a._data.shape, b._data.shape
    ai = a.reshape(tuple(itertools.chain.from_iterable((s, 1) for s in sa)))
    bi = b.reshape(tuple(itertools.chain.from_iterable((1, s) for s in sb)))
    r = (ai * bi).reshape(tuple(x * y for x, y in zip(sa, sb)))
    return _named('UnsafeViewBackward0', r) if r._grad_fn is not None and \
        r._grad_fn.name() != 'UnsafeViewBackward0' else r


def inner(input, other):
    if input._data.ndim == 0 or other._data.ndim == 0:
        return input * other
    if input._data.shape[-1] != other._data.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input._data.shape)} and {list(other._data.shape)}")
    one_d = input._data.ndim == other._data.ndim == 1
    return _tensordot(input, other, ([-1], [-1]), None, 'dot' if one_d else 'addmm_cuda')


def vdot(input, other):
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and {other._data.ndim}D tensors")
    if input.dtype is not other.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{D.type_name(input.dtype)} and {D.type_name(other.dtype)}")
    if input._data.shape[0] != other._data.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input._data.shape[0]}] and src "
                           f"[{other._data.shape[0]}] to have the same number of elements, but got "
                           f"{input._data.shape[0]} and {other._data.shape[0]} elements respectively")
    cuda_blas_check('dot', input, input._data, other._data)
    if (input.dtype is D.bool or input.dtype in D.BARE_UINTS or input.dtype in D.float8_types) \
            and input._device.type == 'cpu':
        raise kernel_error('dot', input.dtype)
    data = np.vdot(input._data, other._data)
    r = _make(np.asarray(data, input.dtype._np), input.dtype, input._device)
    if _grad_on(input, other):
        def bwd(node, g):
            x, y = node.saved_tensors
            return (y * g.conj() if input.dtype.is_complex else y * g) if needs(node, 0) else None, \
                (x * g) if needs(node, 1) else None
        attach('VdotBackward0', bwd, (input, other), (r,), save=(input, other))
    return r


@_ac.float32_op      # CPU autocast runs it in float32
def trace(input):
    if input.dtype is D.bool:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    if input.dtype in D.BARE_UINTS or input.dtype in D.float8_types:     # refused before the shape is checked
        raise kernel_error('trace', input.dtype, input._device)
    if input._data.ndim != 2:
        raise RuntimeError("trace: expected a matrix, but got tensor with dim " + str(input._data.ndim))
    a = input._data
    dt = D.int64 if input.dtype._cat < 2 else input.dtype
    r = _make(np.asarray(np.trace(a), dt._np), dt, input._device)
    if _grad_on(input):
        shape = a.shape

        def bwd(node, g):
            eye = _make(np.eye(shape[0], shape[1], dtype=g.dtype._np), g.dtype, g._device)
            return eye * g
        attach('TraceBackward0', bwd, (input,), (r,))
    return r


def chain_matmul(*matrices, out=None):
    warn_once("torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
              "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than multiple "
              "parameters. (Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/LinearAlgebra.cpp:1102.)")
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = matrices[0]
    for m in matrices:
        if m.dim() != 2:
            raise RuntimeError(f'Tensor dimension is {m.dim()}, expected 2 instead.')
    if len(matrices) == 1:
        return matrices[0].clone()
    from ..linalg import multi_dot
    return multi_dot(matrices, out=out)


# --- cross, dist, cdist, norm -------------------------------------------------------------------

def _cross(input, other, dim, name):
    if input._data.ndim != other._data.ndim:
        raise RuntimeError(f"{name}: inputs must have the same number of dimensions.")
    d = _wrap_dim(dim, input._data.ndim)
    if input._data.shape[d] != 3 or other._data.shape[d] != 3:
        raise RuntimeError(f"{name}: inputs dimension {dim} must have length 3. Got "
                           f"{input._data.shape[d]} and {other._data.shape[d]}")
    broadcast_shapes(input._data.shape, other._data.shape)
    # torch promotes nothing: its kernel takes input's dtype (no bool or uint16/32/64 loop), then other's must match
    rt = input.dtype
    if rt is D.bool or rt in D.BARE_UINTS:
        raise kernel_error('cross', rt, input._device)
    if other.dtype is not rt:
        raise RuntimeError(f"expected scalar type {D.type_name(rt)} but found {D.type_name(other.dtype)}")
    a, b = input._data, other._data
    data = np.cross(a, b, axis=d)
    r = _make(np.asarray(data).astype(rt._np, copy=False), rt, input._device)
    if _grad_on(input, other):
        def bwd(node, g):
            x, y = node.saved_tensors
            if x.dtype.is_complex or y.dtype.is_complex:    # torch: cross(conj(other), grad), cross(grad, conj(input))
                x, y = x.conj(), y.conj()
            return (linalg_cross(y, g, d) if needs(node, 0) else None,
                    linalg_cross(g, x, d) if needs(node, 1) else None)
        attach('LinalgCrossBackward0', bwd, (input, other), (r,), save=(input, other))
    return r


def linalg_cross(a, b, d):
    return _cross(a, b, d, 'linalg.cross')


def cross(input, other, dim=None, *, out=None):
    if dim is None:         # torch's deprecated default: the input's first dimension of size 3
        dim = next((i for i, s in enumerate(input._data.shape) if s == 3), None)
        if dim is None:
            raise RuntimeError('no dimension of size 3 in input')
    r = _cross(input, other, dim, 'linalg.cross')
    if out is not None:
        from ._core import write_out
        return write_out(out, r, 'cross')
    return r


def dist(input, other, p=2):
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise _operands_error('dist', (input, other))
    diff = input - other
    if diff.dtype._cat < 2:
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got "
                           f"{D.type_name(diff.dtype)} instead.")
    from ..linalg import vector_norm
    r = vector_norm(diff, p)
    return _named('DistBackward0', r)


@_ac.float32_op      # CPU autocast runs it in float32
def cdist(x1, x2, p=2.0, compute_mode='use_mm_for_euclid_dist_if_necessary'):
    if x1._data.ndim < 2 or x2._data.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X{1 if x1._data.ndim < 2 else 2} got: "
                           f"{x1._data.ndim if x1._data.ndim < 2 else x2._data.ndim}D")
    if x1._data.shape[-1] != x2._data.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1._data.shape[-1]} "
                           f"X2: {x2._data.shape[-1]}")
    if x1.dtype._cat < 2:
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: {D.type_name(x1.dtype)}")
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values")
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    r1, r2 = x1._data.shape[-2], x2._data.shape[-2]
    batch = broadcast_shapes(x1._data.shape[:-2], x2._data.shape[:-2])
    c, nb = x1._data.shape[-1], math.prod(batch)
    if p == 2 and (compute_mode == 'use_mm_for_euclid_dist' or compute_mode == _CDIST_MODES[0] and max(r1, r2) > 25) \
            and r1 and r2 and c and nb:     # (an empty result or no columns: torch's direct kernel)
        r = _euclidean_dist(x1.expand(*batch, r1, c).reshape(nb, r1, c), x2.expand(*batch, r2, c).reshape(nb, r2, c))
        return r.view(*batch, r1, r2)
    from ..linalg import vector_norm
    from ..nn.functional import _fused

    def dist(x1, x2):
        diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
        if p == 0:      # a count: its gradient is zero, not undefined
            return vector_norm(diff.detach(), 0, -1) + (diff * 0).sum(-1)
        return vector_norm(diff, p, -1)
    return _fused('CdistBackward0', (x1, x2), dist)      # one node over (x1, x2), as torch's


_CDIST_MODES = ('use_mm_for_euclid_dist_if_necessary', 'use_mm_for_euclid_dist', 'donot_use_mm_for_euclid_dist')


def _euclidean_dist(x1, x2):
    """torch's matrix-product form of p=2 distances (cdist's mm mode, rows > 25 by default): |a|^2 + |b|^2 - 2ab
    as one product of padded operands, clamped at 0 before the root; its own node and derivative."""
    a, b = x1._data, x2._data
    an, bn = (a * a).sum(-1, keepdims=True), (b * b).sum(-1, keepdims=True)
    m1 = np.concatenate([a * a.dtype.type(-2), an, np.ones_like(an)], -1)
    m2 = np.concatenate([b, np.ones_like(bn), bn], -1)
    res = np.sqrt(np.maximum(m1 @ m2.swapaxes(-1, -2), 0))
    r = _make(res, x1.dtype, x1._device)
    if requires_grad(x1, x2):
        def bwd(node, g):
            x1, x2, res = node.saved_tensors
            ratio = (g / res).masked_fill(res == 0, 0)
            g1 = x1 * ratio.sum(-1, keepdim=True) - ratio @ x2 if needs(node, 0) else None
            g2 = x2 * ratio.sum(-2).unsqueeze(-1) - ratio.mT @ x1 if needs(node, 1) else None
            return g1, g2
        attach('EuclideanDistBackward0', bwd, (x1, x2), (r,), save=(x1, x2, r))
    return r


def norm(input, p='fro', dim=None, keepdim=False, out=None, dtype=None):
    from .. import linalg
    if input.dtype in D.float8_types and dtype is None:
        raise kernel_error('norm_cpu', input.dtype, input._device)
    if isinstance(dim, int):
        dim = (dim,)
    # 'nuc', or an order matrix_norm rejects
    if isinstance(p, str) and not (p == 'fro' and (dim is None or len(dim) <= 2)):
        return linalg.matrix_norm(input, p, list(range(input._data.ndim)) if dim is None else dim, keepdim,
                                  dtype=dtype, out=out)
    linalg._keepdim_arg(keepdim, ' (position 4)')       # torch hands it on to linalg_vector_norm by position
    return linalg.vector_norm(input, 2 if p is None or isinstance(p, str) else p, dim, keepdim, dtype=dtype, out=out)


def vander(x, N=None, increasing=False):
    if x._data.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x._data.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    x = x.to(D.promote_types(x.dtype, D.int64))      # cumprod's promotion: integers give long
    from .. import cat
    r = x.new_ones((x._data.shape[0], min(n, 1)))
    if n > 1:
        r = cat([r, x.unsqueeze(1).expand(x._data.shape[0], n - 1).cumprod(1)], 1)
    return r if increasing else r.flip(1)


# --- cartesian_prod, tril/triu_indices, cov, corrcoef -------------------------------

def cartesian_prod(*tensors):
    for t in tensors:
        if t._data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    from .. import meshgrid, stack
    grids = meshgrid(*tensors, indexing='ij')
    return stack([g.flatten() for g in grids], 1)


def _tri_indices(row, col, offset, lower, dtype, device):
    from .factory import _dev, _is_int
    fname = 'tril_indices' if lower else 'triu_indices'
    for name, pos, v in (('row', 1, row), ('col', 2, col), ('offset', 3, offset)):
        if not _is_int(v):
            from ..random import _tp_name
            raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be int, not {_tp_name(v)}")
    if dtype is not None and dtype not in (D.int32, D.int64):
        raise kernel_error(fname, dtype)
    for name, v in (('row', row), ('col', col)):
        if v < 0:
            raise RuntimeError(f"{name} must be non-negative, got{v}")     # sic: torch's missing space
    r = np.arange(row)[:, None]
    c = np.arange(col)[None, :]
    mask = (c - r <= offset) if lower else (c - r >= offset)
    idx = np.stack(np.nonzero(mask)).astype((dtype or D.int64)._np)
    return _make(idx, dtype or D.int64, _dev(device))


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    return _tri_indices(row, col, offset, True, dtype, device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    return _tri_indices(row, col, offset, False, dtype, device)


def cov(input, *, correction=1, fweights=None, aweights=None):
    if input._data.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input._data.ndim} dimensions")
    if input.dtype is D.bool:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    x = input if input._data.ndim == 2 else input.reshape(1, -1)
    if x.dtype._cat < 2:
        x = x.to(D.get_default_dtype())
    n = x._data.shape[1]
    w = None
    for name, t, kind, ok in (('fweights', fweights, 'integral', lambda dt: dt._cat == 1),
                              ('aweights', aweights, 'floating point', lambda dt: dt._cat == 2)):
        if t is None:
            continue
        if t._data.ndim > 1:
            raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got {name} with "
                               f"{t._data.ndim} dimensions")
        if not ok(t.dtype):
            raise RuntimeError(f"cov(): expected {name} to have {kind} dtype but got {name} with "
                               f"{D.type_name(t.dtype)} dtype")
        if t._data.size != n:
            raise RuntimeError(f"cov(): expected {name} to have the same numel as there are observations in the "
                               f"input but got {t._data.size} != {n}")
        if n and (t._data < 0).any():
            raise RuntimeError(f"cov(): {name} cannot be negative")
        w = t if w is None else w * t
    if w is None:
        avg = x.mean(1)
        wsum = n
        norm_ = n - correction
    else:
        wsum = w.sum()
        avg = (x * w).sum(1) / wsum
        if correction == 0:
            norm_ = wsum
        elif aweights is None:
            norm_ = wsum - correction
        else:
            norm_ = wsum - correction * (w * aweights).sum() / wsum
    if isinstance(norm_, Tensor):
        norm_ = norm_.clamp(min=0)
    else:
        norm_ = max(norm_, 0)
    xm = x - avg.unsqueeze(1)
    xw = xm * w if w is not None else xm
    c = xw.matmul(xm.t().conj() if xm.dtype.is_complex else xm.t()) / norm_
    return c.squeeze()     # torch squeezes always (a view with its SqueezeBackward0 node)


def corrcoef(input):
    c = cov(input)
    if c._data.ndim == 0:
        return c / c
    d = c.diagonal(0, 0, 1)
    s = d.sqrt()
    c = c / s.unsqueeze(1)
    c = c / s.unsqueeze(0)
    if c.dtype.is_complex:      # torch clips the real and imaginary parts each
        from .complex_ops import complex
        return complex(c.real.clamp(-1, 1), c.imag.clamp(-1, 1))
    return c.clamp(-1, 1)


# --- legacy spellings of torch.linalg -----------------------------------------------------------

def _L():
    from .. import linalg
    return linalg


def det(input):
    return _L().det(input)


def logdet(input):
    s, l = _L().slogdet(input, _name='logdet')
    if input.dtype.is_complex:
        return s.log() + l
    from .misc import where
    return where(s == -1, _nan_like(l), l)


def _nan_like(t):
    return _make(np.full(t._data.shape, np.nan, t.dtype._np), t.dtype, t._device)


def slogdet(input):
    from .. import return_types as RT
    s, l = _L().slogdet(input)
    return RT.slogdet(s, l)


def inverse(input, *, out=None):
    return _L().inv(input, out=out)


def pinverse(input, rcond=1e-15):
    return _L().pinv(input, rtol=rcond)


def matrix_power(input, n):
    return _L().matrix_power(input, n)


def matrix_exp(input):
    return _L().matrix_exp(input)


def svd(input, some=True, compute_uv=True, *, out=None):
    from .. import return_types as RT
    if input._data.ndim < 2:
        raise RuntimeError(f"linalg.svd: input should have at least 2 dimensions, but has {input._data.ndim} "
                           f"dimensions instead")
    if compute_uv:
        U, S, Vh = _L().svd(input, full_matrices=not some)
    else:       # zeros of the full sizes, as torch
        S = _L().svdvals(input)
        m, n = input._data.shape[-2:]
        U = input.new_zeros(input._data.shape[:-1] + (m,))
        Vh = input.new_zeros(input._data.shape[:-2] + (n, n))
    return RT.svd(U, S, Vh.mH if Vh.dtype.is_complex else Vh.mT)


def qr(input, some=True, *, out=None):
    from .. import return_types as RT
    Q, R = _L().qr(input, 'reduced' if some else 'complete')
    return RT.qr(Q, R)


def cholesky(input, upper=False, *, out=None):
    if input._data.size == 0:       # torch returns before any check (a graph node all the same)
        return _named('CholeskyBackward0', input.clone())
    _L()._check_matrix('cholesky', input, kernel='cholesky_cpu', floats=False)
    L = _L().cholesky(input, upper=upper, _name='cholesky')
    return _named('CholeskyBackward0', L)


def _chol_inv_data(l, upper):
    """(L L^H)^-1 (or (U^H U)^-1) using only the factor's triangle, as LAPACK potri."""
    t = np.triu(l) if upper else np.tril(l)
    a = np.swapaxes(t, -1, -2).conj() @ t if upper else t @ np.swapaxes(t, -1, -2).conj()
    return np.linalg.inv(a)


def _check_triangular_pivots(name, a):
    """LAPACK trtri's error: the first exactly-zero diagonal entry of the factor."""
    d = np.diagonal(a, axis1=-2, axis2=-1)
    zero = np.nonzero(d.reshape((-1, a.shape[-1])) == 0) if d.size else ((),)
    if len(zero[0]):
        i, k = int(zero[0][0]), int(zero[1][0])
        pre = f"(Batch element {i}): " if a.ndim > 2 else ''
        raise _L()._LinAlgError(f"{name}: {pre}The diagonal element {k + 1} is zero, the inversion could not be "
                                f"completed because the input matrix is singular.")


def _hsym(x):
    return x + (x.mT.conj() if x.dtype.is_complex else x.mT)


def cholesky_solve(input, input2, upper=False, *, out=None):
    c = _chol_inv_data(input2._data, upper)
    batch = np.broadcast_shapes(c.shape[:-2], input._data.shape[:-2])
    x = np.matmul(np.broadcast_to(c, batch + c.shape[-2:]), input._data)
    r = _make(np.ascontiguousarray(x).astype(input.dtype._np, copy=False), input.dtype, input._device)
    if _grad_on(input, input2):
        def bwd(node, g):
            B, Lf, X = node.saved_tensors
            gB = cholesky_solve(g, Lf, upper)
            gL = None
            if needs(node, 1):
                common = -_hsym(gB.matmul(X.mT.conj() if X.dtype.is_complex else X.mT))
                gL = Lf.matmul(common) if upper else common.matmul(Lf)
            return gB, gL
        attach('CholeskySolveBackward0', bwd, (input, input2), (r,), save=(input, input2, r))
    return r


def cholesky_inverse(input, upper=False, *, out=None):
    L = _L()
    L._check_matrix('cholesky_inverse', input, kernel='cholesky_inverse_out_cpu', floats=False)
    _check_triangular_pivots('cholesky_inverse', input._data)
    r = _make(_chol_inv_data(input._data, upper).astype(input.dtype._np, copy=False), input.dtype,
              input._device)
    if _grad_on(input):
        def bwd(node, g):
            Lf, C = node.saved_tensors
            common = C.matmul(_hsym(g)).matmul(C)
            return -Lf.matmul(common) if upper else -common.matmul(Lf)
        attach('CholeskyInverseBackward0', bwd, (input,), (r,), save=(input, r))
    return r


_warned_triangular_solve = []


def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    from ..return_types import _make_type
    L = _L()
    for t, v in ((b, 'b'), (A, 'A')):
        if t._data.ndim < 2:
            raise RuntimeError(f"torch.triangular_solve: Expected {v} to have at least 2 dimensions, but it has "
                               f"{t._data.ndim} dimensions instead")
    if b.dtype is not A.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type {D.type_name(b.dtype)} and "
                           f"A of type {D.type_name(A.dtype)} instead.")
    n = A._data.shape[-1]
    if A._data.shape[-2] != n:
        raise RuntimeError(f"A must be batches of square matrices, but they are {A._data.shape[-2]} by {n} matrices")
    if b._data.shape[-2] != n:
        raise RuntimeError(f"Incompatible matrix sizes for triangular_solve: each A matrix is {n} by {n} but each b "
                           f"matrix is {b._data.shape[-2]} by {b._data.shape[-1]}")
    broadcast_shapes(b._data.shape[:-2], A._data.shape[:-2])
    if not _warned_triangular_solve:       # once per process, as torch
        _warned_triangular_solve.append(True)
        warnings.warn("torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand will be "
                      "removed in a future PyTorch release.\ntorch.linalg.solve_triangular has its arguments "
                      "reversed and does not return a copy of one of the inputs.\nX = torch.triangular_solve(B, "
                      "A).solution\nshould be replaced with\nX = torch.linalg.solve_triangular(A, B). (Triggered "
                      "internally at /__w/pytorch/pytorch/aten/src/ATen/native/BatchLinearAlgebra.cpp:2273.)",
                      stacklevel=2)
    Am = A.mT if transpose else A
    X = L.solve_triangular(Am, b, upper=upper != transpose, unitriangular=unitriangular)
    return _make_type('triangular_solve', ('solution', 'cloned_coefficient'))(
        _named('TriangularSolveBackward0', X), _named('TriangularSolveBackward0', A.clone()))


for _f in (kron, inner, vdot, trace, cross, dist, cdist, norm, det, logdet, slogdet, inverse, pinverse,
           matrix_power, matrix_exp, svd, qr, cholesky, cholesky_solve, cholesky_inverse, triangular_solve):
    register(_f, method=_f not in (cdist,))
for _f in (cartesian_prod, tril_indices, triu_indices, chain_matmul, vander):
    register(_f, method=False)
register(tensordot, method=False)
register(cov, function=True)
register(corrcoef, function=True)
register(with_out(kron), name='kron')
register(with_out(inner), name='inner')
register(product_out(vdot), name='vdot')
register(with_out(dist, 'dist'), name='dist', method=False)
Tensor.dist = _method_of(dist, 'dist')
