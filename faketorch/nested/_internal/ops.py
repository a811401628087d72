"""The ops nested tensors take, as torch runs them: on `_values` where the op cannot see the
components' borders (elementwise, the last dim of a jagged tensor), else per component and packed.

Each op is one entry: `impl(nt, *args, **kwargs)`; `install()` makes it the NestedTensor method and
routes the torch / torch.nn.functional function to it when its first argument is nested (torch does
this in its dispatcher; faketorch has none, so the public functions get a thin check).
"""
import functools
import math

import faketorch
from ..._tensor import Tensor
from ..._ops._core import attach
from ...overrides import _adopt
from .nested_tensor import NestedTensor, _named, _unsupported, _wrap_dim, _jagged, _values_of

F = faketorch.nn.functional

# elementwise ops torch's strided (NestedTensorImpl) kernels cover; the jagged layout takes them all
_STRIDED_UNARY = {'abs', 'neg', 'relu', 'gelu', 'silu', 'tanh', 'sqrt', 'sgn', 'logical_not', 'sin', 'cos',
                  'dropout', 'relu_', 'abs_', 'neg_'}
_UNARY = ['abs', 'neg', 'relu', 'tanh', 'sqrt', 'sgn', 'sign', 'exp', 'log', 'sigmoid', 'sin', 'cos', 'rsqrt',
          'square', 'erf', 'floor', 'ceil', 'round', 'reciprocal', 'log1p', 'expm1', 'logical_not', 'tan',
          'atan', 'asin', 'acos', 'sinh', 'cosh', 'trunc', 'frac', 'isnan', 'isinf', 'isfinite']
# F.relu calls torch.relu, routed already
_F_UNARY = ['gelu', 'silu', 'dropout', 'leaky_relu', 'elu', 'mish', 'softplus', 'hardswish', 'hardtanh',
            'relu6', 'sigmoid', 'tanh', 'logsigmoid', 'softsign']


# binary ops whose strided kernels take no nested `other`
_STRIDED_REFUSE_NESTED_OTHER = {'ne', 'lt', 'gt', 'le', 'ge', 'maximum', 'minimum', 'pow'}


def _check_unary(nt, name):
    if not nt._jagged and name not in _STRIDED_UNARY:
        _unsupported(name)


def _unary(name, fn):
    def impl(nt, *args, **kwargs):
        _check_unary(nt, name)
        return nt._like(fn(nt._values, *args, **kwargs))
    return impl


# --- binary: nested with nested (same structure), a Python number, or a dense tensor (jagged) ---
def _binary(name, fn, reverse=False):
    def impl(nt, other, *args, **kwargs):
        def op(x, y):
            return fn(y, x, *args, **kwargs) if reverse else fn(x, y, *args, **kwargs)
        if not nt._jagged:
            if isinstance(other, NestedTensor):
                if name == 'eq':
                    raise RuntimeError("eq does not support nested tensor as other value.")
                if name in _STRIDED_REFUSE_NESTED_OTHER:
                    _unsupported(f'{name}.Tensor' if name not in ('maximum', 'minimum') else name)
                if other._jagged or nt._sizes != other._sizes:
                    raise RuntimeError(f"{name} does not support broadcasting when given a NestedTensor")
                return nt._like(op(nt._values, other._values))
            if isinstance(other, Tensor) and other.dim() > 0:
                first, second = ('non-nested', 'nested') if reverse else ('nested', 'non-nested')
                raise RuntimeError(f"Expected both self and other to be nested, but got a {first} self and "
                                   f"{second} other")
            if reverse and name in ('sub', 'div'):
                _unsupported(f'r{name}.Scalar' if name == 'sub' else 'div.Tensor')
            return nt._like(op(nt._values, other))
        return _jagged_binary(name, op, nt, other, reverse)
    return impl


def _jagged_binary(name, op, nt, other, reverse):
    """torch's jagged_binary_pointwise: which dense shapes broadcast against (B, j, ...)."""
    a, b = (other, nt) if reverse else (nt, other)
    mismatch = "cannot call binary pointwise function {}.Tensor with inputs of shapes {} and {}"
    if isinstance(other, NestedTensor):
        r = nt._ragged_idx
        if other._jagged and other.dim() == nt.dim() and other._ragged_idx == r and \
                list(other.shape[:r + 1]) == list(nt.shape[:r + 1]):
            return nt._like(op(nt._values, other._values))
        raise RuntimeError(mismatch.format(name, _shape_str(a), _shape_str(b)))
    if not isinstance(other, Tensor):
        return nt._like(op(nt._values, other))
    if other.dim() > nt.dim():
        raise NotImplementedError("NYI: broadcasting NT with T with larger dim")
    t = other
    while t.dim() and t.shape[0] == 1:        # torch squeezes leading ones first
        t = t.squeeze(0)
    if nt.dim() >= t.dim() + 2:
        return nt._like(op(nt._values, t))
    if other.dim() == nt.dim() and other.shape[0] == nt._batch():
        # one dense slice per component (torch pads and converts; the values agree)
        return nt._repack([op(c, other[i]) for i, c in enumerate(nt._components())])
    raise RuntimeError(mismatch.format(name, a.shape, b.shape))


def _shape_str(t):
    return '(' + ', '.join(str(s) for s in t.shape) + ')' if isinstance(t, NestedTensor) else str(tuple(t.shape))


# --- ops along a dim ---
def _values_dim(nt, dim, name):
    """The dim of _values that nested dim `dim` is, or None for the ragged dim (jagged only)."""
    dim = _wrap_dim(dim, nt.dim())
    if dim == 0:
        raise RuntimeError(f"{name}(): not supported for NestedTensor on dim=0")
    return None if nt._jagged and dim == nt._ragged_idx else dim - 1


def _torch_grad(name, nt, out, bwd):
    """out (computed without a graph) as the result of node `name` over nt._values."""
    if nt._values.requires_grad and faketorch.is_grad_enabled():
        attach(name, lambda node, g: (bwd(g),), (nt._values,), (out,))
    return out


def _refused(op):
    def bwd(g):
        raise NotImplementedError(op)
    return bwd


def _jagged_softmax(nt, dim, fn, grad_name, log, *args, **kwargs):
    """torch's jagged softmax: per component over the ragged dim, else on the values; its backward
    runs on the values with the dim as the caller gave it (torch's quirk: over the ragged dim, or a
    positive last dim, that is another dim of the values than the forward used)."""
    with faketorch.no_grad():
        d = _values_dim(nt, dim, fn.__name__)
        if d is None:
            out = faketorch.cat([fn(c, nt._ragged_idx - 1, *args, **kwargs) for c in nt._components()],
                                nt._ragged_idx - 1)
        else:
            out = fn(nt._values, d, *args, **kwargs)
    if log:
        bwd = _refused('aten._log_softmax_backward_data.default')
    else:
        y = out.detach()

        def bwd(g):
            return y * (g - (g * y).sum(dim, keepdim=True))
    return _jagged(_torch_grad(grad_name, nt, out, bwd), nt._offsets, nt._lengths, nt._ragged_idx, nt._nint)


def _along(name, fn, grad_name):
    def impl(nt, dim=None, *args, **kwargs):
        if dim is None:
            raise TypeError(f"{name}() missing required argument 'dim'")
        if not nt._jagged and name == 'log_softmax':
            _unsupported('_log_softmax')
        if not nt._jagged:
            d = _wrap_dim(dim, nt.dim())
            if d == 0:
                raise RuntimeError("Cannot apply softmax across nested dimension 0")
            return nt._repack([fn(c, d - 1, *args, **kwargs) for c in nt._components()], grad_name)
        if _wrap_dim(dim, nt.dim()) == 0:
            raise RuntimeError(f"{name}(): not supported when reducing across the batch dimension for NestedTensor")
        return _jagged_softmax(nt, dim, fn, grad_name, name == 'log_softmax', *args, **kwargs)
    return impl


def transpose(nt, dim0, dim1):
    n = nt.dim()
    d0, d1 = _wrap_dim(dim0, n), _wrap_dim(dim1, n)
    if nt._jagged:
        if 0 in (d0, d1):
            raise ValueError("Transpose is not supported on the batch dimension for jagged NT")
        r = nt._ragged_idx
        r = d1 if r == d0 else d0 if r == d1 else r
        return _jagged(nt._values.transpose(d0 - 1, d1 - 1), nt._offsets, nt._lengths, r, nt._nint)
    if 0 in (d0, d1):
        raise RuntimeError("Nested tensor dimension 0 cannot be transposed")
    out = nt._repack([c.transpose(d0 - 1, d1 - 1) for c in nt._components()], 'TransposeBackward0')
    out._contiguous = d0 == d1
    return out


def permute(nt, *dims):
    dims = list(dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims)
    n = nt.dim()
    dims = [_wrap_dim(d, n) for d in dims]
    if not nt._jagged:
        _unsupported('permute')
    if dims[0] != 0:
        raise ValueError("Permute is not supported on the batch dimension for jagged NT")
    v = nt._values.permute([d - 1 for d in dims[1:]])
    return _jagged(v, nt._offsets, nt._lengths, dims.index(nt._ragged_idx), nt._nint)


def _reshaped(name):
    """view / reshape of a jagged tensor: the batch and ragged dims stay where they are."""
    def impl(nt, *shape):
        shape = list(shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape)
        if not nt._jagged:
            return _strided_view(nt, shape, name)
        r = nt._ragged_idx
        if len(shape) <= r or shape[0] != nt._batch() or shape[r] not in (-1, nt._nint):
            raise RuntimeError(f"view(): cannot view shape {_shape_str(nt)} as {shape}")
        vshape = shape[1:]
        vshape[r - 1] = nt._values.shape[r - 1]
        v = _named('ViewBackwardAutogradNestedTensor0', getattr(nt._values, name)(vshape))
        return _jagged(v, nt._offsets, nt._lengths, r, nt._nint)
    return impl


def _strided_view(nt, shape, name):
    """Each component viewed as shape[1:], where -1 keeps the component's own size (torch infers nothing)."""
    if shape[0] != nt._batch():
        raise RuntimeError(f"{name}: For now nested {name} cannot change or infer the implicit batch dimension")
    comps = []
    for c in nt._components():
        new = []
        for i, s in enumerate(shape[1:]):
            if s == -1 and i >= c.dim():
                raise RuntimeError("nested tensor does not infer shape")
            new.append(c.shape[i] if s == -1 else s)
        if math.prod(new) != c.numel():
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {c.numel()}")
        comps.append(c.reshape(new))
    return nt._repack(comps, 'ViewBackwardAutogradNestedTensor0')


def unflatten(nt, dim, sizes):
    d = _values_dim(nt, dim, 'unflatten')
    if d is None:
        raise RuntimeError("unflatten(): cannot unflatten the ragged dim of a jagged NT")
    if not nt._jagged:
        return nt._repack([c.unflatten(d, sizes) for c in nt._components()], 'ViewBackwardAutogradNestedTensor0')
    v = _named('ViewBackwardAutogradNestedTensor0', nt._values.unflatten(d, sizes))
    return _jagged(v, nt._offsets, nt._lengths, nt._ragged_idx, nt._nint)


def flatten(nt, start_dim=0, end_dim=-1):
    n = nt.dim()
    s, e = _wrap_dim(start_dim, n), _wrap_dim(end_dim, n)
    if nt._jagged:
        r = nt._ragged_idx
        if s == 0:
            raise RuntimeError("flatten(): not supported for NestedTensor on dim=0")
        if s <= r <= e and s != e:
            raise RuntimeError("flatten(): not supported for NestedTensor on ragged dim")
        v = _named('ViewBackwardAutogradNestedTensor0', nt._values.flatten(s - 1, e - 1))
        return _jagged(v, nt._offsets, nt._lengths, r, nt._nint)
    if s == 0:
        raise RuntimeError("flatten(): cannot flatten the batch dim of a nested tensor")
    return nt._repack([c.flatten(s - 1, e - 1) for c in nt._components()], 'ViewBackwardAutogradNestedTensor0')


def chunk(nt, chunks, dim=0):
    d = _split_dim(nt, dim, 'chunk')
    return tuple(_like_values(nt, _named('ChunkBackwardAutogradNestedTensor0', v)) for v in nt._values.chunk(chunks, d))


def split(nt, split_size_or_sections, dim=0):
    d = _split_dim(nt, dim, 'split')
    return tuple(_like_values(nt, v) for v in nt._values.split(split_size_or_sections, d))


def _split_dim(nt, dim, name):
    if not nt._jagged:
        _unsupported(name)
    d = _values_dim(nt, dim, name)
    if d is None:
        raise RuntimeError(f"{name}(): not supported for NestedTensor on ragged dim")
    return d


def _like_values(nt, v):
    return _jagged(v, nt._offsets, nt._lengths, nt._ragged_idx, nt._nint)


def unsqueeze(nt, dim):
    d = _wrap_dim(dim, nt.dim() + 1)
    if not nt._jagged:
        if d == 0:
            raise RuntimeError("unsqueeze(): For nested tensors, unsqueezing dimension 0 is not supported at the "
                               "moment if you need this feature, please open an issue on github describing your "
                               "use case.")
        return nt._repack([c.unsqueeze(d - 1) for c in nt._components()], 'UnsqueezeBackward0')
    if d == 0:
        raise RuntimeError("unsqueeze(): not supported for NestedTensor on dim=0")
    r = nt._ragged_idx
    return _jagged(nt._values.unsqueeze(d - 1), nt._offsets, nt._lengths, r + 1 if d <= r else r, nt._nint)


def squeeze(nt, dim):
    d = _wrap_dim(dim, nt.dim())
    if d == 0:
        raise RuntimeError("squeeze(): For nested tensors, squeezing dimension 0 is not supported at the moment if "
                           "you need this feature, please open an issue on github describing your use case.")
    if nt._jagged:
        if d == nt._ragged_idx:
            raise RuntimeError("squeeze(): not supported for NestedTensor on ragged dim")
        r = nt._ragged_idx
        v = nt._values.squeeze(d - 1)
        return _jagged(v, nt._offsets, nt._lengths, r - 1 if v.dim() < nt._values.dim() and d < r else r, nt._nint)
    return nt._repack([c.squeeze(d - 1) for c in nt._components()], 'SqueezeBackwardAutogradNestedTensor0')


def masked_fill(nt, mask, value):
    if not isinstance(mask, NestedTensor):
        raise RuntimeError("Expected both self and other to be nested, but got a nested self and non-nested other")
    if mask._values.shape != nt._values.shape:
        raise RuntimeError("masked_fill: the mask must have the structure of the nested tensor")
    return nt._like(nt._values.masked_fill(mask._values, value))


def cat(tensors, dim=0):
    nt = tensors[0]
    if not nt._jagged:
        raise RuntimeError("Internal error: NestedTensorImpl doesn't support sizes. Please file an issue.")
    d = _values_dim(nt, dim, 'cat')
    if d is None:
        raise RuntimeError("cat(): not supported for NestedTensor on ragged dim")
    return nt._like(faketorch.cat([_values_of(t) for t in tensors], d))


def stack(tensors, dim=0):
    nt = tensors[0]
    d = _wrap_dim(dim, nt.dim() + 1)
    if d == 0:
        raise RuntimeError("stack(): not supported for NestedTensor on dim=0")
    if not nt._jagged:
        _unsupported('stack')
    r = nt._ragged_idx
    v = faketorch.stack([_values_of(t) for t in tensors], d - 1)
    return _jagged(v, nt._offsets, nt._lengths, r + 1 if d <= r else r, nt._nint)


def _route_seq(mod, name, impl):
    """_route for functions whose first argument is a sequence of tensors (cat, stack)."""
    orig = getattr(mod, name)

    @functools.wraps(orig)
    def f(tensors, *args, **kwargs):
        if isinstance(tensors, (list, tuple)) and tensors and tensors[0].__class__ is NestedTensor:
            return impl(tensors, *args, **kwargs)
        return orig(tensors, *args, **kwargs)
    f._nested_impl = impl
    setattr(mod, name, f)
    _adopt(f, mod, name)


# --- products ---
def matmul(a, b):
    if isinstance(a, NestedTensor) and isinstance(b, NestedTensor):
        if a._jagged or b._jagged:
            if a._jagged and b._jagged and a._ragged_idx == b._ragged_idx and a._nint == b._nint \
                    and a._ragged_idx < a.dim() - 2 and a.dim() == b.dim():
                return a._repack([x @ y for x, y in zip(a._components(), b._components())], 'MatmulBackward0')
            raise RuntimeError(f"matmul(): not supported between inputs of shapes {_shape_str(a)} and "
                               f"{b.shape}")
        if a._batch() != b._batch():
            raise RuntimeError(f"matmul: Expected size for the 1st dimension of 2nd input tensor to be: {a._batch()} "
                               f"but got: {b._batch()}.")
        return a._repack([x @ y for x, y in zip(a._components(), b._components())], 'MatmulBackward0')
    if not isinstance(a, NestedTensor):
        raise RuntimeError("Expected both to be nested, but got a non-nested self and nested other")
    if not a._jagged:
        raise RuntimeError("Expected both to be nested, but got a nested self and non-nested other")
    if a._ragged_idx == a.dim() - 1 or b.dim() > 2:
        raise RuntimeError(f"matmul(): not supported between inputs of shapes {_shape_str(a)} and {b.shape}")
    return a._like(_named('MatmulBackward0', faketorch.matmul(a._values, b)))


def bmm(a, b):
    """A strided nested batch1 times a nested or dense batch2 (one matrix per component)."""
    if not isinstance(a, NestedTensor) or a._jagged or isinstance(b, NestedTensor) and b._jagged:
        return matmul(a, b)
    if a.dim() != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.dim() != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    nb = b._batch() if isinstance(b, NestedTensor) else b.shape[0]
    if nb != a._batch():
        raise RuntimeError(f"Expected size for the 1st dimension of batch2 tensor to be: {a._batch()} but got: {nb}.")
    others = b._components() if isinstance(b, NestedTensor) else b.unbind()
    return a._repack([x @ y for x, y in zip(a._components(), others)], 'BmmBackward0')


def linear(input, weight, bias=None):
    if isinstance(weight, NestedTensor):
        raise RuntimeError("Linear requires a dense weight")
    if input._jagged:
        if not input.is_contiguous():
            raise ValueError("NestedTensor linear_default(input: jt, weight: t, bias: t?): expected input to be a "
                             "contiguous jagged layout NestedTensor")
        return input._like(_named('LinearBackward0', F.linear(input._values, weight, bias)))
    last = {c.shape[-1] for c in input._components()}
    if last != {weight.shape[-1]}:
        raise RuntimeError(f"Shape mismatch for NestedTensor Linear: Expected input's (a nested tensor) 'last_dim' to "
                           f"equal 'weight.size(1), but got: last_dim = {min(last)}, and weight.size(1) = "
                           f"{weight.shape[-1]}")
    return input._repack([F.linear(c, weight, bias) for c in input._components()], 'LinearBackward0')


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    if input._jagged:      # on the values, as torch: a shape mismatch reports the values' shape
        return input._like(F.layer_norm(input._values, normalized_shape, weight, bias, eps))
    return input._repack([F.layer_norm(c, normalized_shape, weight, bias, eps) for c in input._components()],
                         'NativeLayerNormBackward0')


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """Jagged (B, H, j, D) inputs, or strided ones, each batch element attended on its own (torch's
    math path)."""
    if attn_mask is None and not is_causal and all(isinstance(t, NestedTensor) and not t._jagged
                                                   for t in (query, key, value)):
        outs = [F.scaled_dot_product_attention(q, k, v, dropout_p=dropout_p, scale=scale, enable_gqa=enable_gqa)
                for q, k, v in zip(query._components(), key._components(), value._components())]
        return query._repack(outs, 'MatmulBackward0')
    if not all(isinstance(t, NestedTensor) and t._jagged for t in (query, key, value)):
        raise ValueError("Expected query, key, and value to be nested tensors, but got query.is_nested: "
                         f"{query.is_nested}, key.is_nested: {key.is_nested}, and value.is_nested: "
                         f"{value.is_nested} instead.")
    if attn_mask is not None:
        raise ValueError("Masks are not yet supported!")
    # torch's math path wants (B, j, H, D) tensors made contiguous before the transpose
    if is_causal or query.dim() != 4 or any(t._ragged_idx != 2 or not t._values.transpose(0, 1).is_contiguous()
                                            for t in (query, key, value)):
        raise RuntimeError("No viable backend for scaled_dot_product_attention was found.")
    outs = [F.scaled_dot_product_attention(q.unsqueeze(0), k.unsqueeze(0), v.unsqueeze(0), dropout_p=dropout_p,
                                           scale=scale, enable_gqa=enable_gqa)[0].transpose(0, 1)
            for q, k, v in zip(query._components(), key._components(), value._components())]
    packed = faketorch.cat(outs) if outs else query._values.transpose(0, 1)
    return _jagged(packed.transpose(0, 1), query._offsets, None, 2, query._nint)


def _reduce(name, grad_name):
    """sum / mean of a jagged tensor over one dim; over the ragged dim the result is dense."""
    def impl(nt, dim=None, keepdim=False, *, dtype=None):
        if not nt._jagged:
            if name != 'sum' or dim is None:
                _unsupported(f'{name}.dim' if dim is not None else name)
            d = _wrap_dim(dim, nt.dim())
            if d != nt.dim() - 1:
                raise RuntimeError(f"NestedTensor can only be reduced across the last dimension for now got "
                                   f"dimension {d} instead.")
            if not keepdim:
                raise RuntimeError("NestedTensor always requires keepdim=True for now.")
            return nt._repack([c.sum(-1, True, dtype=dtype) for c in nt._components()], f'{grad_name}1')
        fn = getattr(Tensor, name)
        if dim is None:
            return _named(f'{grad_name}0', fn(nt._values, dtype=dtype))
        if _wrap_dim(dim, nt.dim()) == 0:
            raise RuntimeError(f"{name}(): reducing along the batch dimension but not the ragged dimension is not "
                               "supported for nested tensors")
        r, d = nt._ragged_idx, _values_dim(nt, dim, name)
        with faketorch.no_grad():
            if d is None:
                v = faketorch.stack([fn(c, r - 1, keepdim, dtype=dtype) for c in nt._components()])
            else:
                v = fn(nt._values, d, keepdim, dtype=dtype)
        if name == 'sum':       # torch has no backward for a jagged sum over a dim
            v = _torch_grad(f'{grad_name}1', nt, v, _refused('aten._nested_sum_backward.default'))
        else:
            v = _torch_grad('MeanBackward1', nt, v, lambda g: g.unsqueeze(d).expand(nt._values.shape)
                            / nt._values.shape[d]) if d is not None else v
        if d is None:
            return v
        return _jagged(v, nt._offsets, nt._lengths, r - 1 if not keepdim and d + 1 < r else r, nt._nint)
    return impl


# --- installing: methods on NestedTensor, checks on the public functions ---
def _route(mod, name, impl):
    orig = getattr(mod, name)
    if getattr(orig, '_nested_impl', None) is not None:
        return

    @functools.wraps(orig)
    def f(*args, **kwargs):
        if args and (args[0].__class__ is NestedTensor or len(args) > 1 and args[1].__class__ is NestedTensor) \
                or kwargs.get('input').__class__ is NestedTensor:
            return impl(*args, **kwargs)
        return orig(*args, **kwargs)
    f._nested_impl = impl
    setattr(mod, name, f)
    _adopt(f, mod, name)


def install():
    T = NestedTensor
    for name in _UNARY:
        impl = _unary(name, getattr(faketorch, name))
        setattr(T, name, impl)
        _route(faketorch, name, impl)
    for name in _F_UNARY:
        _route(F, name, _unary(name if name != 'sigmoid' else 'sigmoid', getattr(F, name)))
    T.gelu = _unary('gelu', F.gelu)
    T.silu = _unary('silu', F.silu)
    for name, fn in (('add', faketorch.add), ('sub', faketorch.sub), ('mul', faketorch.mul),
                     ('div', faketorch.div), ('pow', faketorch.pow), ('maximum', faketorch.maximum),
                     ('minimum', faketorch.minimum), ('eq', faketorch.eq), ('ne', faketorch.ne),
                     ('lt', faketorch.lt), ('gt', faketorch.gt), ('le', faketorch.le), ('ge', faketorch.ge)):
        impl = _binary(name, fn)
        if name == 'pow':
            impl = _strided_refuses('pow.Tensor_Scalar', impl)
        setattr(T, name, impl)
        _route(faketorch, name, impl)
    for dunder, name, rev in (('__add__', 'add', False), ('__radd__', 'add', True), ('__sub__', 'sub', False),
                              ('__rsub__', 'sub', True), ('__mul__', 'mul', False), ('__rmul__', 'mul', True),
                              ('__truediv__', 'div', False), ('__rtruediv__', 'div', True),
                              ('__pow__', 'pow', False), ('__eq__', 'eq', False), ('__ne__', 'ne', False),
                              ('__lt__', 'lt', False), ('__gt__', 'gt', False), ('__le__', 'le', False),
                              ('__ge__', 'ge', False)):
        impl = _binary(name, getattr(faketorch, name), rev)
        setattr(T, dunder, _strided_refuses('pow.Tensor_Scalar', impl) if name == 'pow' else impl)
    T.__neg__ = T.neg
    T.__abs__ = T.abs
    T.__hash__ = lambda self: id(self)
    for name, fn, grad_name in (('softmax', F.softmax, 'SoftmaxBackward0'),
                                ('log_softmax', F.log_softmax, 'LogSoftmaxBackward0')):
        impl = _along(name, fn, grad_name)
        setattr(T, name, impl)
        _route(faketorch, name, impl)
        _route(F, name, impl)
    T.transpose = transpose
    T.permute = permute
    T.mT = property(lambda self: transpose(self, -2, -1))
    T.T = property(lambda self: permute(self, list(range(self.dim() - 1, -1, -1))))
    _route(faketorch, 'permute', permute)
    _route(faketorch, 'transpose', transpose)
    T.view, T.reshape = _reshaped('view'), _reshaped('reshape')
    T.unflatten, T.flatten = unflatten, flatten
    T.matmul = T.__matmul__ = matmul
    T.bmm = bmm
    _route(faketorch, 'matmul', matmul)
    _route(faketorch, 'bmm', bmm)
    _route(F, 'linear', linear)
    _route(F, 'layer_norm', layer_norm)
    from ...nn import _functional_spatial      # nn.LayerNorm calls it there: the same router, so that
    _functional_spatial.layer_norm = F.layer_norm     # dispatch, which swaps F's functions, covers both
    _route(F, 'scaled_dot_product_attention', scaled_dot_product_attention)
    if getattr(faketorch.cat, '_nested_impl', None) is None:
        _route_seq(faketorch, 'cat', cat)
        _route_seq(faketorch, 'stack', stack)
    T.chunk, T.split, T.unsqueeze, T.squeeze, T.masked_fill = chunk, split, unsqueeze, squeeze, masked_fill
    for name in ('chunk', 'split', 'unsqueeze', 'squeeze', 'masked_fill'):
        _route(faketorch, name, getattr(T, name))
    T.sum = _reduce('sum', 'SumBackwardAutogradNestedTensor')
    T.mean = _reduce('mean', 'MeanBackwardAutogradNestedTensor')
    _route(faketorch, 'unbind', NestedTensor.unbind)


def _strided_refuses(op, impl):
    def f(nt, *args, **kwargs):
        if not nt._jagged:
            _unsupported(op)
        return impl(nt, *args, **kwargs)
    return f


install()
