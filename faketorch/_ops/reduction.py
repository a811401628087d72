"""Reductions: sum, mean, prod, max/min, argmax/argmin, std/var, all/any, logsumexp, cumsum ..."""
import numpy as np

from .. import _dtype as D
from .. import return_types
from .._tensor import Tensor, _make, _wrap_dim
from ..autograd.grad_mode import state as grad_state
from ._core import attach, register, with_out


def _dims(dim, n):
    """Normalised tuple of reduced dims (None: all)."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(n))
    if isinstance(dim, (tuple, list)):
        ds = tuple(_wrap_dim(d, n) for d in dim)
        if len(set(ds)) != len(ds):
            raise RuntimeError(f"dim {ds[0]} appears multiple times in the list of dims")
        return ds
    return (_wrap_dim(dim, n),)


def _kept_shape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _expand_back(g, shape, dims, keepdim):
    """Broadcast a reduced gradient back to the input shape."""
    if not keepdim and dims:
        g = g.reshape(_kept_shape(shape, dims))
    return g.expand(shape)


def sum(input, dim=None, keepdim=False, *, dtype=None):
    if isinstance(dim, D.dtype):
        dim, dtype = None, dim
    n = input._data.ndim
    dims = _dims(dim, n)
    out_dt = dtype or (D.int64 if input.dtype._cat < 2 else input.dtype)
    a = input._data
    data = np.sum(a, axis=dims, keepdims=keepdim, dtype=out_dt._np)
    r = _make(data, out_dt, input._device)
    if input._requires_grad and grad_state.enabled:
        shape = a.shape
        attach('SumBackward0' if dim is None else 'SumBackward1',
               lambda node, g: _expand_back(g, shape, dims, keepdim), (input,), (r,))
    return r


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    return sum(input.nan_to_num(0.0) if input.dtype._cat >= 2 else input, dim, keepdim, dtype=dtype)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    if isinstance(dim, D.dtype):
        dim, dtype = None, dim
    out_dt = dtype or input.dtype
    if out_dt._cat < 2:
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating "
                           f"point or complex dtype. Got: {D.type_name(out_dt)}")
    n = input._data.ndim
    dims = _dims(dim, n)
    a = input._data
    count = 1
    for d in dims:
        count *= a.shape[d]
    data = np.mean(a, axis=dims, keepdims=keepdim, dtype=out_dt._np) if count else \
        np.full(tuple(s for i, s in enumerate(a.shape) if i not in dims or keepdim and False) if not keepdim
                else _kept_shape(a.shape, dims), np.nan, out_dt._np)
    r = _make(np.asarray(data, out_dt._np), out_dt, input._device)
    if input._requires_grad and grad_state.enabled:
        shape = a.shape
        attach('MeanBackward0' if dim is None else 'MeanBackward1',
               lambda node, g: _expand_back(g, shape, dims, keepdim) / count, (input,), (r,))
    return r


def prod(input, dim=None, keepdim=False, *, dtype=None):
    if isinstance(dim, D.dtype):
        dim, dtype = None, dim
    out_dt = dtype or (D.int64 if input.dtype._cat < 2 else input.dtype)
    n = input._data.ndim
    dims = _dims(dim, n)
    data = np.prod(input._data, axis=dims, keepdims=keepdim, dtype=out_dt._np)
    r = _make(np.asarray(data), out_dt, input._device)
    if input._requires_grad and grad_state.enabled:
        shape = input._data.shape

        def bwd(node, g):
            x, res = node.saved_tensors
            gx = _expand_back(g, shape, dims, keepdim)
            rx = _expand_back(res, shape, dims, keepdim)
            safe = (x == 0)
            if not safe.any():
                return gx * rx / x
            # zeros: the gradient is the product of the other elements
            return gx * _prod_others(x, dims)
        attach('ProdBackward0' if dim is None else 'ProdBackward1', bwd, (input,), (r,), save=(input, r))
    return r


def _prod_others(x, dims):
    a = x._data
    moved = np.moveaxis(a, dims, tuple(range(-len(dims), 0)))
    flat = moved.reshape(moved.shape[:moved.ndim - len(dims)] + (-1,))
    ones = np.ones_like(flat[..., :1])
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], -1), -1)
    right = np.cumprod(np.concatenate([ones, flat[..., ::-1][..., :-1]], -1), -1)[..., ::-1]
    res = (left * right).reshape(moved.shape)
    res = np.moveaxis(res, tuple(range(-len(dims), 0)), dims)
    return _make(np.ascontiguousarray(res), x.dtype, x._device)


def _minmax(name, npf, argf, cmp_name):
    Ret = getattr(return_types, name)

    def full(input):
        a = input._data
        if a.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        r = _make(np.asarray(npf(a)), input.dtype, input._device)
        if input._requires_grad and grad_state.enabled:
            def bwd(node, g):
                x, res = node.saved_tensors
                mask = (x == res)
                return mask.to(g.dtype) * (g / mask.sum())
            attach(f'{name.capitalize()}Backward1', bwd, (input,), (r,), save=(input, r))
        return r

    def f(input, dim=None, keepdim=False, *, out=None):
        if dim is None:
            return full(input)
        if isinstance(dim, Tensor):
            from . import pointwise
            return getattr(pointwise, 'maximum' if name == 'max' else 'minimum')(input, dim)
        a = input._data
        n = a.ndim
        d = _wrap_dim(dim, n)
        if a.ndim and a.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
        if n == 0:
            idx = np.zeros((), np.int64)
            vals = a.copy()
        else:
            idx = argf(a, axis=d, keepdims=True)
            vals = np.take_along_axis(a, idx, d)
            if a.dtype.kind == 'f':
                # torch propagates NaN: the first NaN wins
                nanpos = np.isnan(a).any(axis=d, keepdims=True)
                if nanpos.any():
                    nidx = np.argmax(np.isnan(a), axis=d, keepdims=True)
                    idx = np.where(nanpos, nidx, idx)
                    vals = np.take_along_axis(a, idx, d)
            if not keepdim:
                idx = np.squeeze(idx, d)
                vals = np.squeeze(vals, d)
        v = _make(np.ascontiguousarray(vals), input.dtype, input._device)
        i = _make(np.ascontiguousarray(idx.astype(np.int64)), D.int64, input._device)
        if input._requires_grad and grad_state.enabled:
            shape = a.shape

            def bwd(node, g, _gi=None):
                ind, = node.saved_tensors
                gi = g.new_zeros(shape)
                ig = g if keepdim or n == 0 else g.unsqueeze(d)
                ii = ind if keepdim or n == 0 else ind.unsqueeze(d)
                if n == 0:
                    return g
                return gi.scatter(d, ii, ig)
            attach(f'{name.capitalize()}Backward0', bwd, (input,), (v, i), save=(i,))
        if out is not None:
            from ._core import write_out
            write_out(out[0], v, name)
            write_out(out[1], i, name)
            return Ret(*out)
        return Ret(v, i)
    f.__name__ = name
    return f


max = _minmax('max', np.max, np.argmax, 'gt')
min = _minmax('min', np.min, np.argmin, 'lt')


def _amaxmin(name, npf):
    def f(input, dim=(), keepdim=False):
        a = input._data
        dims = _dims(dim, a.ndim)
        r = _make(np.asarray(npf(a, axis=dims, keepdims=keepdim)), input.dtype, input._device)
        if input._requires_grad and grad_state.enabled:
            def bwd(node, g):
                x, res = node.saved_tensors
                rr = _expand_back(res, a.shape, dims, keepdim)
                mask = (x == rr).to(g.dtype)
                cnt = _expand_back(mask.sum(dims, keepdim=True), a.shape, dims, True)
                return _expand_back(g, a.shape, dims, keepdim) * mask / cnt
            attach(f'{name.capitalize()}Backward0', bwd, (input,), (r,), save=(input, r))
        return r
    f.__name__ = name
    return f


amax = _amaxmin('amax', np.max)
amin = _amaxmin('amin', np.min)


def _arg(name, npf):
    def f(input, dim=None, keepdim=False):
        a = input._data
        if dim is None:
            if a.size == 0:
                raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
            data = np.asarray(npf(a.reshape(-1)))
            if keepdim:
                data = data.reshape((1,) * a.ndim)
        else:
            d = _wrap_dim(dim, a.ndim)
            data = npf(a, axis=d, keepdims=keepdim) if a.ndim else np.zeros((), np.int64)
        return _make(np.asarray(data, np.int64), D.int64, input._device)
    f.__name__ = name
    return f


argmax = _arg('argmax', np.argmax)
argmin = _arg('argmin', np.argmin)


def _logical(name, npf):
    def f(input, dim=None, keepdim=False):
        a = input._data
        dims = _dims(dim, a.ndim)
        data = npf(a, axis=dims, keepdims=keepdim)
        dt = D.uint8 if input.dtype is D.uint8 else D.bool
        return _make(np.asarray(data).astype(dt._np), dt, input._device)
    f.__name__ = name
    return f


all = _logical('all', np.all)
any = _logical('any', np.any)


def _correction(dim, unbiased, correction):
    if isinstance(dim, bool):
        return None, (1 if dim else 0)
    if correction is not None:
        return dim, correction
    if unbiased is not None:
        return dim, 1 if unbiased else 0
    return dim, 1


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, c = _correction(dim, unbiased, correction)
    return _var(input, dim, c, keepdim, sqrt=False)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, c = _correction(dim, unbiased, correction)
    return _var(input, dim, c, keepdim, sqrt=True)


def _var(input, dim, c, keepdim, sqrt):
    if input.dtype._cat < 2:
        raise RuntimeError(f"std and var only support floating point and complex dtypes")
    a = input._data
    dims = _dims(dim, a.ndim)
    count = 1
    for d in dims:
        count *= a.shape[d]
    data = np.var(a, axis=dims, keepdims=keepdim, ddof=c) if count - c > 0 else \
        np.full(np.sum(a, axis=dims, keepdims=keepdim).shape, np.nan, a.dtype)
    if sqrt:
        data = np.sqrt(data)
    r = _make(np.asarray(data, a.dtype), input.dtype, input._device)
    if input._requires_grad and grad_state.enabled:
        def bwd(node, g):
            x, res = node.saved_tensors
            centered = x - x.mean(dims, keepdim=True)
            gx = _expand_back(g, a.shape, dims, keepdim)
            if sqrt:
                return gx * centered / (_expand_back(res, a.shape, dims, keepdim) * (count - c))
            return gx * 2 * centered / (count - c)
        attach('StdBackward0' if sqrt else 'VarBackward0', bwd, (input,), (r,), save=(input, r))
    return r


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return var(input, dim, unbiased, keepdim, correction=correction), mean(input, _dim_or_none(dim), keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return std(input, dim, unbiased, keepdim, correction=correction), mean(input, _dim_or_none(dim), keepdim)


def _dim_or_none(dim):
    return None if isinstance(dim, bool) else dim


def logsumexp(input, dim, keepdim=False):
    a = input._data
    if input.dtype._cat < 2:
        input = input.to(D.get_default_dtype())
        a = input._data
    dims = _dims(dim, a.ndim)
    m = np.max(a, axis=dims, keepdims=True) if a.size else np.zeros(_kept_shape(a.shape, dims), a.dtype)
    m = np.where(np.isfinite(m), m, 0)
    data = np.log(np.sum(np.exp(a - m), axis=dims, keepdims=True)) + m
    if not keepdim:
        data = np.squeeze(data, dims)
    r = _make(np.asarray(data, a.dtype), input.dtype, input._device)
    if input._requires_grad and grad_state.enabled:
        def bwd(node, g):
            x, res = node.saved_tensors
            return _expand_back(g, a.shape, dims, keepdim) * (x - _expand_back(res, a.shape, dims, keepdim)).exp()
        attach('LogsumexpBackward0', bwd, (input,), (r,), save=(input, r))
    return r


def cumsum(input, dim, *, dtype=None):
    out_dt = dtype or (D.int64 if input.dtype._cat < 2 else input.dtype)
    d = _wrap_dim(dim, input._data.ndim)
    data = np.cumsum(input._data, axis=d, dtype=out_dt._np) if input._data.ndim else input._data.astype(out_dt._np)
    r = _make(data, out_dt, input._device)
    if input._requires_grad and grad_state.enabled:
        attach('CumsumBackward0', lambda node, g: g.flip(d).cumsum(d).flip(d) if g.ndim else g,
               (input,), (r,))
    return r


def cumprod(input, dim, *, dtype=None):
    out_dt = dtype or (D.int64 if input.dtype._cat < 2 else input.dtype)
    d = _wrap_dim(dim, input._data.ndim)
    data = np.cumprod(input._data, axis=d, dtype=out_dt._np) if input._data.ndim else input._data.astype(out_dt._np)
    r = _make(data, out_dt, input._device)
    if input._requires_grad and grad_state.enabled:
        def bwd(node, g):
            x, res = node.saved_tensors
            if g.ndim == 0:
                return g
            # valid where x != 0: sum_{j>=i} g_j * res_j / x_i
            return (g * res).flip(d).cumsum(d).flip(d) / x
        attach('CumprodBackward0', bwd, (input,), (r,), save=(input, r))
    return r


for _f in (sum, nansum, mean, prod, amax, amin, argmax, argmin, all, any, var, std, logsumexp,
           cumsum, cumprod):
    register(with_out(_f))
for _f in (max, min):
    register(_f)
register(var_mean, method=False)
register(std_mean, method=False)
Tensor.cumsum_ = lambda self, dim, *, dtype=None: self.copy_(cumsum(self, dim, dtype=dtype))
