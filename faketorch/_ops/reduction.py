"""Reductions: sum, mean, prod, max/min, argmax/argmin, std/var, all/any, logsumexp, cumsum ..."""
import builtins
import functools
import math

from .. import _xnp as np
from .. import _autocast as _ac

from .. import _dtype as D
from .. import _vecmath
from .. import return_types
from .._device import device as _device_cls
from .._tensor import Tensor, _ArgError, _dtype_c10, _make, _wrap_dim
from ..autograd.grad_mode import state as grad_state
from ._core import attach, kernel_error, make_inplace, needs, no_dims_error, register, write_out
from ._float8_kernels import F8 as _F8, refuse as _f8_refuse

_py_max = max
_py_min = min


NO_DIM = type('NoDim', (), {'__repr__': lambda self: 'None'})()   # no dim given: torch rejects an explicit None




def _int_arg(v):
    """v read as torch's parser reads an int argument: a Python or NumPy int, or a 0-dim integer tensor;
    anything else (bool included) is an _ArgError."""
    if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)):
        return int(v)
    if isinstance(v, Tensor) and v.dtype._cat == 1 and v._data.ndim == 0:
        return int(v._data)
    raise _ArgError(v)


def _no_tensor_dim(dim):
    """Ops that also have an int-dim overload take no one-element tensor for their tuple of dims."""
    if isinstance(dim, Tensor) and dim._data.ndim:
        raise _ArgError(dim)


def _dtype_arg(dtype):
    if dtype is not None and not isinstance(dtype, D.dtype):
        raise _ArgError(dtype)


def _dim1(dim, n):
    """A single dim argument, wrapped."""
    return _wrap_dim(dim if dim.__class__ is int else _int_arg(dim), n)


def _dim_types(dim):
    """Check a dim argument's type only: torch's parser does that before the op looks at dtypes."""
    if isinstance(dim, Tensor) and dim._data.size == 1 and dim.dtype._cat == 1:
        return
    for d in dim if isinstance(dim, (tuple, list)) else () if dim is None else (dim,):
        if d.__class__ is not int:
            _int_arg(d)


_ALL_DIMS = [tuple(range(n)) for n in range(64)]


def _dims(dim, n, empty_is_all=True):
    """Normalised tuple of reduced dims (None, and [] when empty_is_all: every dim).
    A 0-dim tensor accepts dim 0/-1 and reduces nothing."""
    if dim.__class__ is int:       # the common case, first
        w = _wrap_dim(dim, n)
        return (w,) if n else ()
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0 and empty_is_all):
        return _ALL_DIMS[n] if n < 64 else tuple(range(n))
    if isinstance(dim, Tensor) and dim._data.size == 1 and dim.dtype._cat == 1:    # a tuple of ints may be one
        dim = int(dim._data.reshape(()))
    ds = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    out = []
    for d in ds:
        w = _wrap_dim(d if d.__class__ is int else _int_arg(d), n)
        if w in out:
            raise RuntimeError(f"dim {w} appears multiple times in the list of dims")
        out.append(w)
    return tuple(out) if n else ()


def _kept_shape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))




def _expand_back(g, shape, dims, keepdim):
    """Broadcast a reduced gradient back to the input shape."""
    if not grad_state.enabled:      # plain backward: no graph to record, build the array directly
        a = g._data if keepdim or not dims else g._data.reshape(_kept_shape(shape, dims))
        if math.prod(shape) <= 4096:       # small: a filled array is cheaper than broadcast_to
            out = np.empty(shape, a.dtype) if g._device.type == 'cpu' else a.__class__(shape, a.dtype)
            out[...] = a
        else:
            out = np.broadcast_to(a, shape)
        return _make(out, g.dtype, g._device)
    if not keepdim and dims:
        g = g.reshape(_kept_shape(shape, dims))
    return g.expand(shape)


def _count(shape, dims):
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def _grad_on(input):
    return input._requires_grad and grad_state.enabled


def _int_acc(dt):
    """torch accumulates bool/int sums and products in int64."""
    return D.int64 if dt._cat < 2 else dt


def _exact_whole_sum(a, data):
    """Under exact float32 (faketorch._vecmath), a whole-tensor sum in torch's cascade order."""
    s = _vecmath.whole_sum(a)
    return data if s is None else np.full(data.shape, s, a.dtype)


def sum(input, dim=None, keepdim=False, *, dtype=None):
    if input.dtype in _F8 and (dtype is None or dtype in _F8):     # torch sums float8 only into another dtype
        raise _f8_refuse('sum', input)
    if keepdim.__class__ is not bool:
        raise _ArgError(keepdim)
    if isinstance(dim, D.dtype):
        dim, dtype = None, dim
    a = input._data
    dims = _dims(dim, a.ndim)
    if dtype is not None:
        _dtype_arg(dtype)
        if dtype in D.BARE_UINTS and a.size:
            raise kernel_error('sum_cpu', dtype, input._device)
    out_dt = dtype or (input.dtype if input.dtype._cat >= 2 else D.int64)     # (_int_acc, inline)
    # np.add.reduce directly: np.sum's Python wrapper costs as much as the reduction on small tensors.
    # float16 accumulates in float32 and rounds once, as torch's CPU kernel (NumPy's rounds every step)
    if out_dt is D.float16 and dims:
        data = np.add.reduce(a, axis=dims, keepdims=keepdim, dtype=np.float32).astype(np.float16)
    else:
        data = np.add.reduce(a, axis=dims, keepdims=keepdim, dtype=out_dt._np) if dims else \
            a.astype(out_dt._np, copy=True)
    if _vecmath.exact[0] and len(dims) == a.ndim and out_dt is input.dtype:
        data = _exact_whole_sum(a, data)
    r = _make(data, out_dt, input._device)
    if input._requires_grad and grad_state.enabled:
        shape = a.shape
        attach('SumBackward0' if dim is None else 'SumBackward1',
               lambda node, g: _expand_back(g, shape, dims, keepdim), (input,), (r,))
    return r


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    if keepdim.__class__ is not bool:
        raise _ArgError(keepdim)
    _dtype_arg(dtype)
    if input.dtype in _F8 and (dtype is None or dtype in _F8):
        raise _f8_refuse('nansum', input)
    if input.dtype._cat < 2:
        return sum(input, dim, keepdim, dtype=dtype)
    a = input._data
    dims = _dims(dim, a.ndim)
    if input.dtype.is_complex and input._device.type == 'cpu':
        raise RuntimeError("nansum on CPU does not support complex inputs")
    if dtype is not None and dtype.is_complex and a.size and input._device.type == 'cpu':
        raise kernel_error('nansum_cpu', dtype)
    out_dt = dtype or input.dtype
    data = np.nansum(a, axis=dims, keepdims=keepdim, dtype=out_dt._np) if dims else \
        np.where(np.isnan(a), 0, a).astype(out_dt._np)
    r = _make(np.asarray(data, out_dt._np), out_dt, input._device)
    if _grad_on(input):
        shape = a.shape

        def bwd(node, g):
            x, = node.saved_tensors
            return _expand_back(g, shape, dims, keepdim).masked_fill(x.isnan(), 0)
        attach('NansumBackward0', bwd, (input,), (r,), save=(input,))
    return r


def _mean_dtype(input, dtype, dim):
    if dtype is not None:
        _dtype_arg(dtype)
    out_dt = dtype or input.dtype
    if out_dt._cat < 2:
        _dim_types(dim)
        which = 'Optional dtype' if dtype is not None else 'Input dtype'
        raise RuntimeError(f"mean(): could not infer output dtype. {which} must be either a floating "
                           f"point or complex dtype. Got: {D.type_name(out_dt)}")
    return out_dt


def mean(input, dim=None, keepdim=False, *, dtype=None):
    if input.dtype in _F8 and (dtype is None or dtype in _F8):     # torch sums float8 only into another dtype
        raise _f8_refuse('mean', input)
    if keepdim.__class__ is not bool:
        raise _ArgError(keepdim)
    if isinstance(dim, D.dtype):
        dim, dtype = None, dim
    out_dt = _mean_dtype(input, dtype, dim)
    if dtype is not None and dtype is not input.dtype:
        input = input.to(dtype)
    a = input._data
    dims = _dims(dim, a.ndim)
    count = _count(a.shape, dims)
    if not dims:
        data = a.copy()
    elif count:
        data = np.add.reduce(a, axis=dims, keepdims=keepdim)      # ndarray.sum, without its wrapper
        if _vecmath.exact[0] and len(dims) == a.ndim:
            data = _exact_whole_sum(a, data)
        data = data / a.dtype.type(count)
    else:       # an empty mean is NaN, silently (np.errstate costs microseconds: only here)
        with np.errstate(invalid='ignore', divide='ignore'):
            data = a.sum(axis=dims, keepdims=keepdim) / a.dtype.type(count)
    r = _make(data if data.__class__ is a.__class__ and data.dtype == out_dt._np
              else np.asarray(data, out_dt._np), out_dt, input._device)
    if _grad_on(input):
        shape = a.shape
        attach('MeanBackward0' if dim is None else 'MeanBackward1',
               lambda node, g: _expand_back(g, shape, dims, keepdim) / count, (input,), (r,))
    return r


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    if keepdim.__class__ is not bool:
        raise _ArgError(keepdim)
    _dim_types(dim)
    _dtype_arg(dtype)
    if input.dtype in _F8 and (dtype is None or dtype in _F8):
        raise _f8_refuse('nanmean', input)
    if input.dtype._cat < 2:
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got "
                           f"{D.type_name(input.dtype)}")
    if dtype is not None and dtype._cat < 2:
        raise RuntimeError(f"nanmean(): could not infer output dtype. Optional dtype must be either a floating "
                           f"point or complex dtype. Got: {D.type_name(dtype)}")
    notnan = input.isnan().logical_not().sum(dim, keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / notnan


@_ac.float32_op      # CPU autocast runs it in float32
def prod(input, dim=NO_DIM, keepdim=False, *, dtype=None):
    if input.dtype in _F8 and (dtype is None or dtype in _F8):     # torch sums float8 only into another dtype
        raise _f8_refuse('prod', input)
    if keepdim.__class__ is not bool or dim is None:
        raise _ArgError(dim if dim is None else keepdim)
    if dim is NO_DIM:
        dim = None
    if isinstance(dim, D.dtype):
        dim, dtype = None, dim
    if isinstance(dim, (tuple, list)):
        raise _ArgError(dim)
    _no_tensor_dim(dim)
    _dtype_arg(dtype)
    out_dt = dtype or _int_acc(input.dtype)
    if dtype in D.BARE_UINTS and input._data.size:
        raise kernel_error('prod_out_cpu', dtype, input._device)
    if dtype is not None and dtype is not input.dtype:
        input = input.to(dtype)
    a = input._data
    dims = _dims(dim, a.ndim)
    data = np.prod(a, axis=dims, keepdims=keepdim, dtype=out_dt._np) if dims else a.astype(out_dt._np)
    r = _make(np.asarray(data, out_dt._np), out_dt, input._device)
    if _grad_on(input):
        shape = a.shape

        def bwd(node, g):
            x, res = node.saved_tensors
            gx = _expand_back(g, shape, dims, keepdim)
            if not dims:
                return g
            if x.dtype.is_complex:      # grad * conj(d prod / dx)
                x, res = x.conj(), res.conj()
            if not (x._data == 0).any():
                return gx * _expand_back(res, shape, dims, keepdim) / x
            # zeros present: the gradient is the product of the other elements
            return gx * _prod_others(x, dims)
        attach('ProdBackward0' if dim is None else 'ProdBackward1', bwd, (input,), (r,), save=(input, r))
    return r


def _prod_others(x, dims):
    """For each element, the product of the other elements of its reduction group."""
    if grad_state.enabled:      # create_graph: the same products with tensor ops, to differentiate again
        n = len(dims)
        moved = x.movedim(dims, tuple(range(-n, 0)))
        flat = moved.reshape(tuple(moved.shape[:moved.ndim - n]) + (-1,))
        one = flat.narrow(-1, 0, 1) * 0 + 1
        k = flat.shape[-1]
        left = Tensor.cumprod(_cat_last(one, flat.narrow(-1, 0, k - 1)), -1)
        right = Tensor.cumprod(_cat_last(one, flat.flip(-1).narrow(-1, 0, k - 1)), -1).flip(-1)
        return (left * right).reshape(moved.shape).movedim(tuple(range(-n, 0)), dims)
    a = x._data
    moved = np.moveaxis(a, dims, tuple(range(-len(dims), 0)))
    flat = moved.reshape(moved.shape[:moved.ndim - len(dims)] + (-1,))
    ones = np.ones_like(flat[..., :1])
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], -1), -1)
    right = np.cumprod(np.concatenate([ones, flat[..., ::-1][..., :-1]], -1), -1)[..., ::-1]
    res = (left * right).reshape(moved.shape)
    res = np.moveaxis(res, tuple(range(-len(dims), 0)), dims)
    return _make(np.asarray(res, order="C"), x.dtype, x._device)


# --- max / min -----------------------------------------------------------------------------------

def _evenly(g, x, res, shape, dims, keepdim, nan_ties=False):
    """Gradient of a max/min-like reduction: split evenly among the tied extremes. A NaN result ties
    with the NaNs for the full max/min; for amax/amin/aminmax it ties with nothing, so its slice gets
    0/0 = NaN, as in torch."""
    rr = _expand_back(res, shape, dims, keepdim)
    mask = (x == rr) | (x.isnan() & rr.isnan()) if nan_ties and x.dtype._cat >= 2 else (x == rr)
    mask = mask.to(g.dtype)
    cnt = mask.sum(dims, keepdim=True) if dims else mask
    return _expand_back(g, shape, dims, keepdim) * mask / cnt


def _arg_extreme(a, argf, d):
    """Indices of the extreme along d, keepdims: NumPy's argmax/argmin return the first occurrence,
    and the first NaN where there is one, as torch does."""
    return getattr(a, argf.__name__)(axis=d, keepdims=True)


_GRIDS = {}     # (shape, d) -> the index arrays of every position off d, for NumPy's arrays (small: reused)


def _at(a, idx, d):
    """a's elements at idx (keepdims) along d: one fancy index."""
    key = (idx.shape, d)
    grid = _GRIDS.get(key)
    if grid is None:
        nd = idx.ndim
        grid = [None if i == d else np.arange(n).reshape((-1,) + (1,) * (nd - 1 - i))
                for i, n in enumerate(idx.shape)]
        for g in grid:
            if g is not None:
                g.flags.writeable = False
        if idx.__class__ is np.ndarray:
            if len(_GRIDS) >= 256:
                _GRIDS.clear()
            _GRIDS[key] = grid
    grid = grid.copy()
    grid[d] = idx
    return a[tuple(grid)]


def _minmax(name, npf, argf):
    Ret = getattr(return_types, name)
    binary_name = 'maximum' if name == 'max' else 'minimum'

    def full(input):
        a = input._data
        if a.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        if input.dtype.is_complex or input.dtype in D.BARE_UINTS:
            raise kernel_error(f'{name}_all', input.dtype)
        if input.dtype in _F8:
            raise _f8_refuse(f'{name}_all', input)
        r = _make(np.asarray(npf(a)), input.dtype, input._device)
        if _grad_on(input):
            shape = a.shape
            dims = tuple(range(a.ndim))
            attach(f'{name.capitalize()}Backward1',
                   lambda node, g: _evenly(g, *node.saved_tensors, shape, dims, False, nan_ties=True),
                   (input,), (r,), save=(input, r))
        return r

    def f(input, dim=NO_DIM, keepdim=False, *, other=None, out=None):
        if other is not None and dim is NO_DIM:       # max(input, other=...)
            dim = other
        if isinstance(dim, Tensor):
            from . import pointwise
            return getattr(pointwise, binary_name)(input, dim, out=out)
        if dim is None or (dim is NO_DIM and keepdim is not False):     # the dim-less overload has no keepdim
            raise _ArgError(dim)
        if dim is NO_DIM:
            r = full(input)
            return write_out(out, r, name) if out is not None else r
        if input.dtype in _F8:
            raise _f8_refuse(name, input)
        if keepdim.__class__ is not bool:
            raise _ArgError(keepdim)
        a = input._data
        n = a.ndim
        d = _dim1(dim, n)
        if n and a.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
        if input.dtype.is_complex:
            raise RuntimeError(f"{name}(): does not support complex input")
        if n and a.size and input.dtype in D.BARE_UINTS:
            raise kernel_error(f'{name}_cpu', input.dtype)
        if n == 0:
            idx = np.zeros((), np.int64)
            vals = a.copy()
        else:
            idx = _arg_extreme(a, argf, d)
            vals = _at(a, idx, d)
            if not keepdim:
                idx = idx.squeeze(d)
                vals = vals.squeeze(d)
        v = _make(vals if vals.flags.c_contiguous else np.ascontiguousarray(vals), input.dtype, input._device)
        i = _make(idx if idx.flags.c_contiguous and idx.dtype == np.int64 else
                  np.asarray(idx, dtype=np.int64, order="C"), D.int64, input._device)
        if _grad_on(input):
            attach(f'{name.capitalize()}Backward0', _index_reduce_bwd(a.shape, d, keepdim), (input,),
                   (v,), save=(i,))
        return _write_pair(name, out, v, i) if out is not None else Ret(v, i)
    f.__name__ = name
    return f


# --- out= of (values, indices) ops: torch checks each tensor's dtype, in its own words ------------
_PAIR_DTYPE_ERRORS = {
    'median': ("Expected tensor for 'values' to have the same type as tensor for argument #2 'self'; but type "
               "{got} does not equal {want} (while checking arguments for median)",
               "Expected tensor for argument #1 'indices' to have scalar type Long; but got {got} instead "
               "(while checking arguments for median)", D.type_str),
    'mode': ("expected scalar type '{want}' but got '{got}' for values output",
             "expected scalar type '{want}' but got '{got}' for indices output", D.type_name),
    'kthvalue': ("output values must be of same type as input", "output indices must be of scalar type Long", None),
    'cummax': ("expected scalar_type {want} but found {got}",) * 2 + (D.type_name,),
}
_PAIR_DTYPE_ERRORS.update(nanmedian=_PAIR_DTYPE_ERRORS['median'], cummin=_PAIR_DTYPE_ERRORS['cummax'])
_PAIR_DEFAULT = ("Expected out tensor to have dtype {want}, but got {got} instead",) * 2 + (_dtype_c10,)


def _write_pair(name, out, first, second):
    """out= of a two-result op: torch.return_types.<name>_out of the out tensors, after torch's checks."""
    if not isinstance(out, (tuple, list)):
        if name in _SIGS:       # the public wrapper words it as torch's parser does
            raise _ArgError(out)
        raise TypeError(f"{name}(): argument 'out' must be tuple of Tensors, not {_type_name(out)}")
    values_msg, indices_msg, spell = _PAIR_DTYPE_ERRORS.get(name, _PAIR_DEFAULT)
    for o, r, msg in zip(out, (first, second), (values_msg, indices_msg)):
        if isinstance(o, Tensor) and o.dtype is not r.dtype:
            raise RuntimeError(msg.format(want=spell and spell(r.dtype), got=spell and spell(o.dtype)))
    return getattr(return_types, name + '_out')(write_out(out[0], first, name), write_out(out[1], second, name))


def _index_reduce_bwd(shape, d, keepdim):
    """Backward of a (values, indices) reduction along d: scatter g back at the indices."""
    def bwd(node, g):
        ind, = node.saved_tensors
        if len(shape) == 0:
            return g
        ig = g if keepdim else g.unsqueeze(d)
        ii = ind if keepdim else ind.unsqueeze(d)
        return g.new_zeros(shape).scatter(d, ii, ig)
    return bwd


max = _minmax('max', np.max, np.argmax)
min = _minmax('min', np.min, np.argmin)


def _amaxmin(name, npf):
    def f(input, dim=(), keepdim=False):
        if keepdim.__class__ is not bool:
            raise _ArgError(keepdim)
        if input.dtype in _F8:
            raise _f8_refuse(name, input)
        a = input._data
        if a.size == 0 and dim not in ((), [], None):
            for d in (dim if isinstance(dim, (tuple, list)) else [dim]):     # torch: each dim in turn
                if a.shape[_dims(d, a.ndim)[0]] == 0:       # named as the caller wrote it
                    raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
        dims = _dims(dim, a.ndim)
        if a.size == 0 and (not dims or len(dims) == a.ndim and dim in ((), [], None)):
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        if a.size and (input.dtype.is_complex or input.dtype in D.BARE_UINTS):
            raise kernel_error(f'{name[1:]}_values_cpu', input.dtype)
        data = npf(a, axis=dims, keepdims=keepdim) if dims else a.copy()
        r = _make(np.asarray(data), input.dtype, input._device)
        if _grad_on(input):
            shape = a.shape
            attach(f'{name.capitalize()}Backward0',
                   lambda node, g: _evenly(g, *node.saved_tensors, shape, dims, keepdim),
                   (input,), (r,), save=(input, r))
        return r
    f.__name__ = name
    return f


amax = _amaxmin('amax', np.max)
amin = _amaxmin('amin', np.min)


def aminmax(input, *, dim=None, keepdim=False, out=None):
    if keepdim.__class__ is not bool:
        raise _ArgError(keepdim)
    if input.dtype in _F8:
        raise _f8_refuse('aminmax', input)
    a = input._data
    d = None if dim is None else _dim1(dim, a.ndim)
    if a.size == 0:
        if dim is None:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                               "operation has no identity.")
        if a.shape[d] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
    if input.dtype.is_complex:
        if a.ndim == 0 and d is not None:
            raise RuntimeError(f"aminmax not implemented for {D.type_name(input.dtype)}")
        raise kernel_error('aminmax_cpu', input.dtype)
    if input.dtype in D.BARE_UINTS and (a.ndim or d is None):     # a 0-d tensor with a dim is copied
        raise kernel_error('aminmax_cpu', input.dtype)
    dims = _dims(dim, a.ndim)
    lo = np.min(a, axis=dims, keepdims=keepdim) if dims else a.copy()
    hi = np.max(a, axis=dims, keepdims=keepdim) if dims else a.copy()
    if dim is None and keepdim:
        lo, hi = lo.reshape((1,) * a.ndim), hi.reshape((1,) * a.ndim)
    rlo = _make(np.asarray(lo), input.dtype, input._device)
    rhi = _make(np.asarray(hi), input.dtype, input._device)
    if _grad_on(input):
        shape = a.shape
        kd = keepdim and dim is not None

        def bwd(node, glo, ghi):
            x, l, h = node.saved_tensors
            out = None
            if glo is not None:
                out = _evenly(glo, x, l, shape, dims, kd or keepdim)
            if ghi is not None:
                gh = _evenly(ghi, x, h, shape, dims, kd or keepdim)
                out = gh if out is None else out + gh
            return out
        attach('AminmaxBackward0', bwd, (input,), (rlo, rhi), save=(input, rlo, rhi))
    return _write_pair('aminmax', out, rlo, rhi) if out is not None else return_types.aminmax(rlo, rhi)


def _arg(name, argf):
    def f(input, dim=None, keepdim=False):
        if keepdim.__class__ is not bool:
            raise _ArgError(keepdim)
        if input.dtype in _F8:
            raise _f8_refuse(name, input)
        a = input._data
        if input.dtype is D.bool or input.dtype.is_complex:
            if dim is not None and dim.__class__ is not int:
                _int_arg(dim)
            raise RuntimeError(f"{name}(): does not support {'bool' if input.dtype is D.bool else 'complex'} input")
        if dim is None:
            if a.size == 0:
                raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
            if input.dtype in D.BARE_UINTS:
                raise kernel_error(f'{name}_cpu', input.dtype, input._device)
            data = _arg_extreme(a.reshape(-1), argf, 0).reshape(())
            if keepdim:
                data = data.reshape((1,) * a.ndim)
        else:
            d = _dim1(dim, a.ndim)
            if a.ndim and a.shape[d] == 0:
                raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
            if a.size and input.dtype in D.BARE_UINTS:
                raise kernel_error(f'{name}_cpu', input.dtype, input._device)
            if a.ndim == 0:
                data = np.zeros((), np.int64)
            else:
                data = _arg_extreme(a, argf, d)
                if not keepdim:
                    data = np.squeeze(data, d)
        return _make(np.asarray(data, np.int64, order="C"), D.int64, input._device)
    f.__name__ = name
    return f


argmax = _arg('argmax', np.argmax)
argmin = _arg('argmin', np.argmin)


def _logical(name, npf):
    def f(input, dim=None, keepdim=False):
        if keepdim.__class__ is not bool:
            raise _ArgError(keepdim)
        a = input._data
        _no_tensor_dim(dim)
        # all(dim=()) reduces nothing (unlike sum)
        dims = _dims(dim, a.ndim, empty_is_all=False)
        data = npf(a, axis=dims, keepdims=keepdim) if dims else (a != 0)
        dt = D.uint8 if input.dtype is D.uint8 else D.bool
        return _make(np.asarray(data).astype(dt._np), dt, input._device)
    f.__name__ = name
    return f


all = _logical('all', np.all)
any = _logical('any', np.any)


def count_nonzero(input, dim=None):
    if input.dtype in _F8:
        raise _f8_refuse('count_nonzero', input)
    a = input._data
    _no_tensor_dim(dim)
    dims = _dims(dim, a.ndim)
    if dim is None and input.dtype in D.BARE_UINTS:     # with a dim torch sums `input != 0` instead
        raise kernel_error('nonzero_count_cpu', input.dtype, input._device)
    data = np.count_nonzero(a, axis=dims) if dims else (a != 0)
    return _make(np.asarray(data, np.int64), D.int64, input._device)


# --- var / std -----------------------------------------------------------------------------------

def _correction(dim, unbiased, correction, keepdim):
    if unbiased is not None and unbiased.__class__ is not bool:
        raise _ArgError(unbiased)
    if isinstance(dim, bool):           # var(input, unbiased): nothing else
        if unbiased is not None or correction is not None or keepdim:
            raise _ArgError(dim)
        return None, (1 if dim else 0)
    if correction is not None:
        if unbiased is not None:        # no overload takes both
            raise _ArgError(unbiased)
        return dim, correction
    if unbiased is not None:
        return dim, 1 if unbiased else 0
    return dim, 1


def _var_dtype(input, dim, name='std and var'):
    if input.dtype in _F8:
        if name.endswith('_mean'):
            raise _f8_refuse('std', input)
        raise RuntimeError(f"std_var_all: Unsupported dtype {D.type_name(input.dtype)}")
    if input.dtype._cat < 2:        # before the dims are looked at
        _dim_types(dim)
        raise RuntimeError(f"{name} only support floating point and complex dtypes")


def _var_data(input, dims, c, keepdim):
    a = input._data
    count = _count(a.shape, dims)
    # np.add.reduce: ndarray.sum's own reduction, without its Python wrapper; the counts divide as Python
    # ints, which NumPy converts to the array's type as a.dtype.type(count) would, at less cost
    m = np.add.reduce(a, axis=dims, keepdims=True) / count if count else \
        np.full(_kept_shape(a.shape, dims), np.nan, a.dtype)
    dev = a - m
    sq = (dev * np.conj(dev)).real if a.dtype.kind == 'c' else dev * dev
    dof = _py_max(count - c, 0)
    if dof:
        data = np.add.reduce(sq, axis=dims, keepdims=keepdim) / dof
    else:       # no degrees of freedom: inf/NaN, silently (np.errstate costs microseconds: only here)
        with np.errstate(invalid='ignore', divide='ignore'):
            data = sq.sum(axis=dims, keepdims=keepdim) / sq.dtype.type(dof)
    return np.asarray(data, sq.dtype), m, count


def _welford_mean_inf(a, dims, m):
    """torch's var_mean/std_mean take the mean by Welford's running update: an infinity anywhere but
    last in a group makes the mean NaN (inf - inf), where the plain mean is +-inf."""
    k = len(dims)
    moved = np.moveaxis(a, dims, tuple(range(-k, 0)))
    flat = moved.reshape(moved.shape[:a.ndim - k] + (-1,))
    early = np.isinf(flat[..., :-1]).any(-1)
    return np.where(early.reshape(m.shape), np.nan, m).astype(m.dtype) if early.any() else m


def _var_bwd(shape, dims, keepdim, count, c, sqrt, whole):
    """whole: reduced with no dim given (or a 0-dim input), where torch's formula has its own case for
    no degrees of freedom."""
    def grad_x(g, x, res):
        gx = _expand_back(g, shape, dims, keepdim)
        centered = x - x.mean(dims, keepdim=True) if dims else x * 0
        if sqrt:
            rr = _expand_back(res, shape, dims, keepdim)
            # torch: zero standard deviation gives a zero gradient
            gx = (gx / (rr * 2)).masked_fill(rr == 0, 0)
        if whole and count - c <= 0:       # torch: infinite, NaN where x is the mean
            return gx * centered.abs() * math.inf
        return gx * 2 * centered / (count - c)
    return grad_x


def _var(input, dim, c, keepdim, sqrt):
    if keepdim.__class__ is not bool:
        raise _ArgError(keepdim)
    if input.dtype._cat < 2 or input.dtype in _F8:
        _var_dtype(input, dim)      # raises torch's error
    a = input._data
    dims = _dims(dim, a.ndim)
    data, _, count = _var_data(input, dims, c, keepdim)
    if sqrt:
        data = np.sqrt(data)
    real = D.float32 if input.dtype is D.complex64 else D.float64 if input.dtype is D.complex128 else input.dtype
    r = _make(data, real, input._device)
    if input._requires_grad and grad_state.enabled:
        gx = _var_bwd(a.shape, dims, keepdim, count, c, sqrt, dim is None or not a.ndim)
        attach('StdBackward0' if sqrt else 'VarBackward0',
               lambda node, g: gx(g, *node.saved_tensors), (input,), (r,), save=(input, r))
    return r


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, c = _correction(dim, unbiased, correction, keepdim)
    return _var(input, dim, c, keepdim, sqrt=False)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, c = _correction(dim, unbiased, correction, keepdim)
    return _var(input, dim, c, keepdim, sqrt=True)


def _var_mean(input, dim, unbiased, keepdim, correction, sqrt):
    if keepdim.__class__ is not bool:
        raise _ArgError(keepdim)
    dim, c = _correction(dim, unbiased, correction, keepdim)
    _var_dtype(input, dim, 'std_mean' if sqrt else 'var_mean')
    a = input._data
    dims = _dims(dim, a.ndim)
    data, m, count = _var_data(input, dims, c, keepdim)
    if sqrt:
        data = np.sqrt(data)
    if dims and count > 1 and a.dtype.kind == 'f':
        m = _welford_mean_inf(a, dims, m)
    if not keepdim:
        m = np.squeeze(m, dims) if dims else m
    rv = _make(data, input.dtype.to_real(), input._device)     # a complex input's std/var is real
    rm = _make(np.asarray(m, order="C"), input.dtype, input._device)
    if _grad_on(input):
        shape = a.shape
        gx = _var_bwd(shape, dims, keepdim, count, c, sqrt, dim is None or not a.ndim)

        def bwd(node, gv, gm):
            x, res = node.saved_tensors
            out = None
            if gv is not None:
                out = gx(gv, x, res)
            if gm is not None:
                g2 = _expand_back(gm, shape, dims, keepdim) / count
                out = g2 if out is None else out + g2
            return out
        attach('StdMeanBackward0' if sqrt else 'VarMeanBackward0', bwd, (input,), (rv, rm),
               save=(input, rv))
    return rv, rm


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _var_mean(input, dim, unbiased, keepdim, correction, False)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _var_mean(input, dim, unbiased, keepdim, correction, True)


# --- logsumexp, cumulative -------------------------------------------------------------------------

def logsumexp(input, dim, keepdim=False):
    if input.dtype in _F8:
        raise _f8_refuse('amax', input)
    if keepdim.__class__ is not bool:
        raise _ArgError(keepdim)
    if dim is None:
        raise _ArgError(dim)
    if input.dtype._cat < 2:
        input = input.to(D.get_default_dtype())
    a = input._data
    dims = _dims(dim, a.ndim)
    if isinstance(dim, (tuple, list)) and not dim and a.size and a.ndim and not keepdim:     # torch's shape error
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape {[1] * a.ndim}")
    if not dims and not input.dtype.is_complex:     # complex still takes the principal branch below
        r = _make(a.copy(), input.dtype, input._device)
    else:
        with np.errstate(invalid='ignore', divide='ignore', over='ignore'):
            # complex: shifted by the largest real part, so the imaginary part stays in (-pi, pi] as torch's
            m = np.max(a.real if a.dtype.kind == 'c' else a, axis=dims, keepdims=True) if a.size else \
                np.zeros(_kept_shape(a.shape, dims), a.dtype, like=a)
            m = np.where(np.isinf(m), 0, m).astype(a.dtype)     # torch: an infinite max is not shifted
            data = np.log(np.sum(np.exp(a - m), axis=dims, keepdims=True)) + m
        if not keepdim:
            data = np.squeeze(data, dims)
        r = _make(np.asarray(data, a.dtype), input.dtype, input._device)
    if _grad_on(input):
        shape = a.shape

        def bwd(node, g):
            x, res = node.saved_tensors
            d = (x - _expand_back(res, shape, dims, keepdim)).exp()
            return _expand_back(g, shape, dims, keepdim) * (d.conj() if d.dtype.is_complex else d)
        attach('LogsumexpBackward0', bwd, (input,), (r,), save=(input, r))
    return r


def _acc(dt):
    """torch's CPU scans run their accumulator in double for float32/float16 (acc_type)."""
    return np.float64 if dt._np in (np.float32, np.float16) else dt._np


def _cum_prepare(name, input, dim, dtype):
    _dtype_arg(dtype)
    if input.dtype in _F8 and (dtype is None or dtype in _F8):
        raise kernel_error(f'{name}_out_cpu', input.dtype, input._device)
    out_dt = dtype or _int_acc(input.dtype)
    d = _dim1(dim, input._data.ndim)
    if (out_dt is D.bool or out_dt in D.BARE_UINTS) and input._data.ndim and input._data.size:
        raise kernel_error(f'{name}_out_cpu', out_dt)
    if dtype is not None and dtype is not input.dtype:
        input = input.to(dtype)
    return input, out_dt, d


def cumsum(input, dim, *, dtype=None):
    input, out_dt, d = _cum_prepare('cumsum', input, dim, dtype)
    a = input._data
    data = np.cumsum(a, axis=d, dtype=_acc(out_dt)).astype(out_dt._np, copy=False) if a.ndim \
        else a.astype(out_dt._np)
    r = _make(data, out_dt, input._device)
    if _grad_on(input):
        attach('CumsumBackward0', lambda node, g: g.flip(d).cumsum(d).flip(d) if g.ndim else g,
               (input,), (r,))
    return r


def cumprod(input, dim, *, dtype=None):
    input, out_dt, d = _cum_prepare('cumprod', input, dim, dtype)
    a = input._data
    data = np.cumprod(a, axis=d, dtype=_acc(out_dt)).astype(out_dt._np, copy=False) if a.ndim \
        else a.astype(out_dt._np)
    r = _make(data, out_dt, input._device)
    if _grad_on(input):
        def bwd(node, g):
            x, res = node.saved_tensors
            if g.ndim == 0 or x.numel() == 0:
                return g
            if x.dtype.is_complex:      # grad * conj(d cumprod / dx)
                x, res = x.conj(), res.conj()
            if not (x._data == 0).any():
                # sum_{j>=i} g_j * res_j / x_i
                return (g * res).flip(d).cumsum(d).flip(d) / x
            return _cumprod_grad_zeros(x, g, d)
        attach('CumprodBackward0', bwd, (input,), (r,), save=(input, r))
    return r


def _cat_last(a, b):
    from .misc import cat
    return cat([a, b], -1)


def _cumprod_grad_zeros(x, g, d):
    """d/dx_i of sum_j g_j prod_{k<=j} x_k with zeros present: sum_{j>=i} g_j prod_{k<=j, k!=i} x_k."""
    if grad_state.enabled:      # create_graph: with tensor ops, to differentiate again
        xm, gm = x.movedim(d, -1), g.movedim(d, -1)
        n = xm.shape[-1]
        eye = _make(np.eye(n, dtype=x._data.dtype, like=x._data), x.dtype, x._device)
        m = Tensor.cumprod(xm.unsqueeze(-2) * (1 - eye) + eye, -1)        # [.., i, j]: prod_{k<=j, k!=i}
        upper = _make(np.triu(np.ones((n, n), dtype=x._data.dtype, like=x._data)), x.dtype, x._device)
        return (m * upper * gm.unsqueeze(-2)).sum(-1).movedim(-1, d)
    a = np.moveaxis(x._data, d, -1)
    gg = np.moveaxis(g._data, d, -1)
    n = a.shape[-1]
    i = np.arange(n, like=a)
    # excl[..., i, j] = prod_{k<=j, k!=i} x_k for j >= i
    m = np.broadcast_to(a[..., None, :], a.shape[:-1] + (n, n)).copy()
    m[..., i, i] = 1
    m = np.cumprod(m, axis=-1)
    mask = i[None, :] >= i[:, None]
    res = np.sum(np.where(mask, m * gg[..., None, :], 0), axis=-1)
    return _make(np.asarray(np.moveaxis(res, -1, d), order="C").astype(x._data.dtype), x.dtype, x._device)


def logcumsumexp(input, dim):
    a = input._data
    d = _dim1(dim, a.ndim)
    if input.dtype._cat < 2 or input.dtype in _F8:
        raise kernel_error('logcumsumexp_out_cpu', input.dtype)
    if a.ndim == 0 or a.size == 0:
        data = a.copy()
    elif input.dtype.is_complex:
        data = _complex_logcumsumexp(a.astype(np.complex128), d).astype(a.dtype)
    else:
        with np.errstate(invalid='ignore', divide='ignore', over='ignore'):
            data = np.accumulate(np.logaddexp, a.astype(_acc(input.dtype)), d).astype(a.dtype)
    r = _make(np.asarray(data, a.dtype), input.dtype, input._device)
    if _grad_on(input):
        def bwd(node, g):
            x, res = node.saved_tensors
            if g.ndim == 0:
                return g
            return _logcumsumexp_grad(g, x, res, d)
        attach('LogcumsumexpBackward0', bwd, (input,), (r,), save=(input, r))
    return r


def _complex_logcumsumexp(a, d):
    """The running log-sum-exp of complex values, one step at a time (NumPy's logaddexp has no complex
    loop): the larger real part leads, and a term with real part -inf adds nothing."""
    out = np.moveaxis(a, d, 0).copy()
    with np.errstate(invalid='ignore', divide='ignore', over='ignore'):
        for i in range(1, out.shape[0]):
            x, y = out[i - 1], out[i]
            swap = x.real < y.real
            hi, lo = np.where(swap, y, x), np.where(swap, x, y)
            out[i] = np.where(np.isneginf(lo.real), hi, hi + np.log1p(np.exp(lo - hi)))
    return np.moveaxis(out, 0, d)


def _logcumsumexp_grad(g, x, res, d):
    """sum_{j>=i} g_j exp(x_i - res_j), in log space (split by the sign of g) as torch does; for complex
    values sum_{j>=i} g_j conj(exp(x_i - res_j)), in complex log space."""
    if g.dtype.is_complex:
        return ((g.log() - res.conj()).flip(d).logcumsumexp(d).flip(d) + x.conj()).exp()

    from .misc import where
    # the log of each sign's part, with the dtype's lowest value for "none" (not -inf: a double
    # backward through logcumsumexp would meet -inf - -inf)
    log_abs, lowest = g.abs().log(), g.new_full((), float(np.finfo(g.dtype._np).min))

    def part(mask):
        lg = where(mask, log_abs, lowest) - res
        return (lg.flip(d).logcumsumexp(d).flip(d) + x).exp()
    return part(g > 0) - part(g < 0)


def _cumext(name, cmp):
    Ret = getattr(return_types, name)

    def f(input, dim, *, out=None):
        if input.dtype in _F8:
            raise kernel_error(f'{name}_cpu', input.dtype, input._device)
        a = input._data
        if a.ndim == 0 and dim not in (0, -1):
            raise IndexError(f"{name}(): Expected reduction dim -1 or 0 for scalar but got {_int_arg(dim)}")
        d = _dim1(dim, a.ndim)
        if a.ndim and a.size and (input.dtype.is_complex or input.dtype in D.BARE_UINTS):
            raise kernel_error(f'{name}_cpu', input.dtype)
        if a.ndim == 0:
            vals, idx = a.copy(), np.zeros((), np.int64)
        elif a.size == 0:
            vals, idx = a.copy(), np.zeros(a.shape, np.int64)
        else:
            vals, idx = _cum_extreme(a, d, cmp)
        v = _make(vals, input.dtype, input._device)
        i = _make(idx, D.int64, input._device)
        if _grad_on(input):
            shape = a.shape

            def bwd(node, g):
                ind, = node.saved_tensors
                if len(shape) == 0:
                    return g
                return g.new_zeros(shape).scatter_add(d, ind, g)
            attach(f'{name.capitalize()}Backward0', bwd, (input,), (v,), save=(i,))
        return _write_pair(name, out, v, i) if out is not None else Ret(v, i)
    f.__name__ = name
    return f


def _cum_extreme(a, d, acc):
    """Running max/min along d with torch's index rule: an equal later value takes the index, and
    NaN sticks once seen (each later NaN taking the index)."""
    x = np.moveaxis(a, d, -1)
    vals = np.accumulate(acc, x, -1)
    pos = np.arange(x.shape[-1], like=x)
    hit = x == vals
    if x.dtype.kind in 'fc':
        hit |= np.isnan(x)
    idx = np.accumulate(np.maximum, np.where(hit, pos, 0), -1)
    return np.ascontiguousarray(np.moveaxis(vals, -1, d)), np.ascontiguousarray(np.moveaxis(idx, -1, d))


cummax = _cumext('cummax', np.maximum)
cummin = _cumext('cummin', np.minimum)


# torch's signatures of the functions, as its parser prints them in a TypeError (the methods drop input and out)
_DIM_TUPLE = '(Tensor input, tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None, Tensor out = None)'
_VAR = ('(Tensor input, tuple of ints dim, bool unbiased = True, bool keepdim = False, *, Tensor out = None)',
        '(Tensor input, tuple of ints dim = None, *, Number correction = None, bool keepdim = False, '
        'Tensor out = None)',
        '(Tensor input, bool unbiased = True)')
_VAR_MEAN = tuple(s.replace(', *, Tensor out = None', '').replace(', Tensor out = None', '') for s in _VAR)
_MAX = ('(Tensor input, *, Tensor out = None)', '(Tensor input, Tensor other, *, Tensor out = None)',
        '(Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)')
_ANY = ('(Tensor input, *, Tensor out = None)',
        '(Tensor input, tuple of ints dim = None, bool keepdim = False, *, Tensor out = None)',
        '(Tensor input, int dim, bool keepdim = False, *, Tensor out = None)')
_ARGMAX = ('(Tensor input, int dim = None, bool keepdim = False, *, Tensor out = None)',)
_AMAX = ('(Tensor input, tuple of ints dim = (), bool keepdim = False, *, Tensor out = None)',)
_NANSUM = ('(Tensor input, tuple of ints dim = None, bool keepdim = False, *, torch.dtype dtype = None, '
           'Tensor out = None)',)
_CUMSUM = ('(Tensor input, int dim, *, torch.dtype dtype = None, Tensor out = None)',)
_SIGS = {
    'sum': ('(Tensor input, *, torch.dtype dtype = None)', _DIM_TUPLE),
    'mean': ('(Tensor input, *, torch.dtype dtype = None, Tensor out = None)', _DIM_TUPLE),
    'prod': ('(Tensor input, *, torch.dtype dtype = None)',
             '(Tensor input, int dim, bool keepdim = False, *, torch.dtype dtype = None, Tensor out = None)'),
    'nansum': _NANSUM, 'nanmean': _NANSUM, 'amax': _AMAX, 'amin': _AMAX, 'argmax': _ARGMAX, 'argmin': _ARGMAX,
    'all': _ANY, 'any': _ANY, 'var': _VAR, 'std': _VAR, 'var_mean': _VAR_MEAN, 'std_mean': _VAR_MEAN,
    'max': _MAX, 'min': _MAX,
    'logsumexp': ('(Tensor input, tuple of ints dim, bool keepdim = False, *, Tensor out = None)',),
    'cumsum': _CUMSUM, 'cumprod': _CUMSUM,
    'logcumsumexp': ('(Tensor input, int dim, *, Tensor out = None)',),
    'cummax': ('(Tensor input, int dim, *, tuple of Tensors out = None)',),
    'cummin': ('(Tensor input, int dim, *, tuple of Tensors out = None)',),
    'count_nonzero': ('(Tensor input, int dim = None)', '(Tensor input, tuple of ints dim)'),
    'aminmax': ('(Tensor input, *, int dim = None, bool keepdim = False, tuple of Tensors out = None)',),
}


def _method_sig(sig):
    parts = [p for p in sig[1:-1].split(', ') if p != 'Tensor input' and not p.endswith(' out = None')]
    return f"({', '.join(parts[:-1] if parts[-1:] == ['*'] else parts)})"


_ALIASES = {'axis': 'dim', 'keepdims': 'keepdim'}       # NumPy's names, which torch's parser also takes


def _reword(e, name, sigs, args, kwargs):
    """Raise torch's TypeError for arguments its parser rejects: those an op flagged (_ArgError), those
    that did not bind to the Python function at all (the error raised in the caller's frame), and an
    input that is no tensor."""
    if isinstance(e, _ArgError) or e.__traceback__.tb_next is None or (args and not isinstance(args[0], Tensor)):
        _parse_args(name, sigs, args, kwargs)
    raise e


def _unaliased(e, f, kwargs):
    """kwargs with NumPy's names as torch's (where f has that parameter), when those are what failed to
    bind; else None."""
    if e.__traceback__.tb_next is None and not isinstance(e, _ArgError) and _ALIASES.keys() & kwargs.keys():
        code = f.__code__
        params = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
        renamed = {(_ALIASES[k] if k in _ALIASES and _ALIASES[k] in params else k): v for k, v in kwargs.items()}
        return renamed if renamed.keys() != kwargs.keys() else None
    return None


def _public(f, method=False, out=True):
    """torch.<name> (or Tensor.<name>) from f: an out= keyword unless f takes its own, and torch's
    parser errors."""
    name = f.__name__
    sigs = tuple(_method_sig(s) for s in _SIGS[name]) if method else _SIGS[name]
    if method:          # torch's methods take no out=
        def g(self, *args, **kwargs):
            try:
                if not kwargs:      # (a call without **kwargs costs less)
                    return f(self, *args)
                if 'out' in kwargs:
                    raise _ArgError(kwargs['out'])
                return f(self, *args, **kwargs)
            except TypeError as e:
                renamed = _unaliased(e, f, kwargs)
                if renamed is not None:
                    return g(self, *args, **renamed)
                _reword(e, name, sigs, args, kwargs)
    else:
        def g(*args, **kwargs):
            if out and 'out' in kwargs:         # (an f that takes its own out= gets it in kwargs)
                o = kwargs.pop('out')
                if o is not None:
                    return _with_out(f, name, sigs, args, kwargs, o)
            try:
                return f(*args, **kwargs) if kwargs else f(*args)
            except (TypeError, AttributeError) as e:
                renamed = _unaliased(e, f, kwargs)
                if renamed is not None:
                    return g(*args, **renamed)
                _reword(e, name, sigs, args, kwargs)
    g.__name__ = name
    g.__doc__ = f.__doc__
    return g


# out= of the one-result ops: torch computes sums and products in out's dtype, and checks the others'
_OUT_AS_DTYPE = {'sum', 'prod', 'cumsum', 'cumprod', 'nansum'}
_ARG_OUT = lambda x, o: o.dtype is not D.int64 and \
    f"Expected out tensor to have dtype long int, but got {_dtype_c10(o.dtype)} instead"      # noqa: E731
_AMAX_OUT = lambda x, o: o.dtype is not x.dtype and \
    f"Expected the dtype for input and out to match, but got {D.type_name(x.dtype)} for input's dtype and " \
    f"{D.type_name(o.dtype)} for out's dtype."                                                 # noqa: E731
_OUT_CHECKS = {
    'argmax': _ARG_OUT, 'argmin': _ARG_OUT, 'amax': _AMAX_OUT, 'amin': _AMAX_OUT,
    'logsumexp': lambda x, o: o.dtype._cat < 2 and
    f"logsumexp(): Expected floating point type for result tensor, but got: {D.type_name(o.dtype)}",
    'any': lambda x, o: o.dtype not in (D.bool, D.uint8) and
    f"any only supports bool tensor for result, got: {D.type_name(o.dtype)}",
    'all': lambda x, o: o.dtype not in (D.bool, D.uint8) and
    f"all only supports bool tensor for result, got: {D.type_name(o.dtype)}",
    'logcumsumexp': lambda x, o: o.dtype is not x.dtype and
    f"expected scalar_type {D.type_name(x.dtype)} but found {D.type_name(o.dtype)}",
}


def _with_out(f, name, sigs, args, kwargs, out):
    input = args[0] if args else kwargs.get('input')
    if name in ('sum', 'prod') and len(args) < 2 and 'dim' not in kwargs:      # their dim-less overloads take no out=
        _parse_args(name, sigs, args, {**kwargs, 'out': out})
    if isinstance(out, Tensor) and isinstance(input, Tensor):
        if name in _OUT_AS_DTYPE:
            dt = kwargs.get('dtype')
            if dt is None:
                kwargs = {**kwargs, 'dtype': out.dtype}
            elif dt is not out.dtype:
                raise RuntimeError(f"Expected out tensor to have dtype {_dtype_c10(dt)}, but got "
                                   f"{_dtype_c10(out.dtype)} instead")
        elif name in _OUT_CHECKS:
            msg = _OUT_CHECKS[name](input, out)
            if msg:
                raise RuntimeError(msg)
    try:
        r = f(*args, **kwargs)
    except TypeError as e:
        _reword(e, name, sigs, args, {**kwargs, 'out': out})
    return write_out(out, r, name)


def _register_public(f, out=True, method=True):
    register(_public(f, out=out), method=False)
    if method:
        register(_public(f, method=True, out=out), function=False)


for _f in (sum, nansum, mean, nanmean, prod, amax, amin, argmax, argmin, all, any, var, std, logsumexp,
           cumsum, cumprod, logcumsumexp, count_nonzero):
    _register_public(_f, out=_f is not count_nonzero)
for _f in (max, min, cummax, cummin, aminmax):      # these take their own out=
    _register_public(_f, out=False)
_register_public(var_mean, out=False, method=False)
_register_public(std_mean, out=False, method=False)
def _cum_inplace(f):
    """Tensor.cumsum_/cumprod_: computed in self's dtype, the only dtype= allowed."""
    inplace = make_inplace(f, f.__name__ + '_')

    def g(self, dim, *, dtype=None):
        if dtype is not None and dtype is not self.dtype:
            raise RuntimeError(f"Bad in-place call: input tensor dtype {_dtype_c10(self.dtype)} and output tensor "
                               f"dtype {_dtype_c10(dtype)} should match")
        return inplace(self, dim=dim, dtype=self.dtype)
    g.__name__ = f.__name__ + '_'
    return g


Tensor.cumsum_ = _cum_inplace(cumsum)
Tensor.cumprod_ = _cum_inplace(cumprod)
for _n in ('max', 'min', 'sort', 'topk', 'kthvalue', 'median', 'nanmedian', 'mode', 'cummax', 'cummin', 'aminmax'):
    if not hasattr(return_types, _n + '_out'):      # what out= returns: torch.return_types.max_out ...
        setattr(return_types, _n + '_out', return_types._make_type(_n + '_out', getattr(return_types, _n)._fields))


# --- torch's overload resolution, for the ops here and in sorting.py that torch overloads --------
# A signature is written as torch prints it: '(Tensor y, *, Number dx = 1, int dim = -1)'.

def _is_scalar_tensor(v):
    return isinstance(v, Tensor) and v._data.ndim == 0 and not v._requires_grad


_ARG_TYPES = {
    'Tensor': lambda v: isinstance(v, Tensor),
    'Number': lambda v: _is_scalar_tensor(v) or isinstance(v, (int, float, complex, np.number, np.bool_)),
    'float': lambda v: _is_scalar_tensor(v) or isinstance(v, (int, float, np.integer, np.floating, np.bool_)),
    'int': lambda v: (isinstance(v, Tensor) and v._data.ndim == 0 and v.dtype._cat == 1)
    or (isinstance(v, (int, np.integer)) and v.__class__ is not bool),
    'bool': lambda v: v.__class__ is bool,
    'str': lambda v: isinstance(v, str),
    'tuple of ints': lambda v: _ARG_TYPES['int'](v) or (isinstance(v, (tuple, list)) and
                                                       builtins.all(_ARG_TYPES['int'](d) for d in v)),
    'torch.dtype': lambda v: isinstance(v, D.dtype) or builtins.any(v is c for c in (float, int, bool, complex)),
    'torch.device': lambda v: isinstance(v, (str, _device_cls)) or (isinstance(v, int) and v.__class__ is not bool),
    'torch.memory_format': lambda v: type(v).__name__ == 'memory_format',
    'tuple of Tensors': lambda v: isinstance(v, (tuple, list)) and builtins.all(isinstance(t, Tensor) for t in v),
}
_DEFAULTS = {'None': None, 'False': False, 'True': True, '-1': -1, '0': 0, '1': 1, '()': (), '"linear"': 'linear'}


@functools.lru_cache(maxsize=None)
def _signature(sig):
    """(number of positional parameters, [(type, name, default text or None)])."""
    parts = sig[1:-1].split(', ') if sig != '()' else []
    params = []
    for p in parts:
        if p != '*':
            decl, eq, default = p.partition(' = ')
            params.append((*decl.rsplit(' ', 1), default if eq else None))
    return parts.index('*') if '*' in parts else len(parts), params


def _fits(param, v):
    typ, _, default = param
    return (v is None and default == 'None') or _ARG_TYPES[typ](v)


def _bind_args(star, params, args, kwargs):
    names = [p[1] for p in params]
    if len(args) > star or [k for k in kwargs if k not in names]:
        return None
    vals = {}
    for i, p in enumerate(params):
        if i < len(args):
            if p[1] in kwargs:
                return None
            v = args[i]
        elif p[1] in kwargs:
            v = kwargs[p[1]]
        elif p[2] is not None:
            vals[p[1]] = _DEFAULTS[p[2]]
            continue
        else:
            return None
        if not _fits(p, v):
            return None
        vals[p[1]] = v
    return vals


def _type_name(v):
    if isinstance(v, Tensor):
        return 'Tensor'
    if isinstance(v, D.dtype):
        return 'torch.dtype'
    from ..random import _tp_name
    return _tp_name(v)


def _content_name(v):
    """A rejected argument as torch's parser describes it: a sequence with its items' types."""
    if isinstance(v, tuple):
        return f"tuple of ({', '.join(_type_name(x) for x in v)})"
    if isinstance(v, list):
        return f"list of [{', '.join(_type_name(x) for x in v)}]"
    return _type_name(v)


def _one_overload_error(fname, star, params, args, kwargs):
    """What torch says when only one overload takes this many arguments."""
    if len(args) > star:
        least = len([p for p in params[:star] if p[2] is None])
        took = f'from {least} to {star}' if least < star else star
        return f"{fname}() takes {took} positional argument{'s' if star != 1 else ''} but {len(args)} " \
               f"{'was' if len(args) == 1 else 'were'} given"
    for i, p in enumerate(params):
        if i < len(args):
            if p[1] in kwargs:
                return f"{fname}() got multiple values for argument '{p[1]}'"
            v, where = args[i], f' (position {i + 1})'
        elif p[1] in kwargs:
            v, where = kwargs[p[1]], ''
        elif p[2] is not None:
            continue
        else:
            return f'{fname}() missing 1 required positional arguments: "{p[1]}"'
        if not _fits(p, v):
            return f"{fname}(): argument '{p[1]}'{where} must be {p[0]}, not {_type_name(v)}"
    names = [p[1] for p in params]
    return f"{fname}() got an unexpected keyword argument '{[k for k in kwargs if k not in names][0]}'"


def _invalid_combination(fname, sigs, args, kwargs):
    keys = list(kwargs)[::-1]               # torch lists keywords last given first
    got = ', '.join([_type_name(a) for a in args] + [f'{k}={_type_name(kwargs[k])}' for k in keys])
    msg = f"{fname}() received an invalid combination of arguments - got ({got}" \
          f"{', ' if keys and not args else ''}), but expected one of:\n"
    for sig in sigs:
        msg += f" * {sig}\n"
        star, params = _signature(sig)
        # torch counts the '*' as a parameter here (and an empty '()' as one), and matches a keyword only to
        # a positional one
        if len(args) + len(kwargs) != (len(params) + (star < len(params)) or 1):
            continue
        named = {p[1]: p for p in params[len(args):star]}
        wrong = [k for k in keys if k not in named or not _fits(named[k], kwargs[k])]
        if wrong:       # torch then names every keyword given
            msg += f"      didn't match because some of the keywords were incorrect: {', '.join(keys)}\n"
        else:
            marked, failed = [], False       # torch marks every argument from the first that fails on
            for i, a in enumerate(args):
                # here an int is no tuple of ints
                failed = failed or not (i < star and _fits(params[i], a)) or \
                    (params[i][0] == 'tuple of ints' and not isinstance(a, (tuple, list)))
                marked.append(f'!{_content_name(a)}!' if failed else _type_name(a))
            msg += f"      didn't match because some of the arguments have invalid types: ({', '.join(marked)})\n"
    return msg


def _parse_args(fname, sigs, args, kwargs):
    """(index of the first signature the arguments fit, {name: value}), or torch's TypeError."""
    parsed = [_signature(s) for s in sigs]
    for i, (star, params) in enumerate(parsed):
        vals = _bind_args(star, params, args, kwargs)
        if vals is not None:
            return i, vals
    n = len(args) + len(kwargs)
    plausible = parsed if len(parsed) == 1 else \
        [sp for sp in parsed if len([p for p in sp[1] if p[2] is None]) <= n <= len(sp[1])]
    if len(plausible) == 1:
        raise TypeError(_one_overload_error(fname, *plausible[0], args, kwargs))
    raise TypeError(_invalid_combination(fname, sigs, args, kwargs))


# --- trapezoid rule --------------------------------------------------------------------------------

def _renamed(t, name):
    from ..autograd.graph import node_class
    if t._grad_fn is not None:
        t._grad_fn.__class__ = node_class(name)
    return t


# torch's two overloads of each, in the order its "invalid combination" message lists them
_TRAPZ_X = '(Tensor y, Tensor x, *, int dim = -1)'
_TRAPZ_SIGS = {'trapezoid': (_TRAPZ_X, '(Tensor y, *, Number dx = 1, int dim = -1)'),
               'cumulative_trapezoid': (_TRAPZ_X, '(Tensor y, *, Number dx = 1, int dim = -1)'),
               'trapz': ('(Tensor y, *, float dx = 1, int dim = -1)', _TRAPZ_X)}


def _trapz_args(name, args, kwargs):
    """(y, x, dx, dim) from torch's overloads (y, x, *, dim) and (y, *, dx, dim)."""
    _, a = _parse_args(name, _TRAPZ_SIGS[name], args, kwargs)
    dx = a.get('dx')
    dx = dx.item() if isinstance(dx, Tensor) else dx      # a Number, as torch takes it
    if name == 'trapz' and dx is not None:      # torch converts dx to a double: True is 1.0, 2+0j is 2.0
        if isinstance(dx, complex) and dx.imag:
            raise RuntimeError("value cannot be converted to type double without overflow")
        dx = float(dx.real)
    return a['y'], a.get('x'), dx, int(a['dim'])


def _real_dx(name, dx):
    if isinstance(dx, (bool, complex, np.bool_, np.complexfloating)):
        raise RuntimeError(f"{name}: Currently, we only support dx as a real number.")


def _no_bool(name, *ts):
    if D.bool in [t.dtype for t in ts]:
        which = '`x` or `y`' if len(ts) == 2 else '`y`'
        raise RuntimeError(f"{name}: received a bool input for {which}, but bool is not supported")


def _halves(t, d):
    """t[1:] and t[:-1] along d, clamped as Python slicing clamps."""
    n = t._data.shape[d]
    return t.narrow(d, _py_min(n, 1), _py_max(n - 1, 0)), t.narrow(d, 0, _py_max(n - 1, 0))


def _spacing(name, y, x, d):
    """The differences of the sample points, shaped to broadcast against y's intervals along d."""
    nd = y._data.ndim
    if x._data.ndim == 1:
        if x._data.shape[0] != y._data.shape[d]:
            raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
        hi, lo = _halves(x, 0)
        return (hi - lo).reshape((-1,) + (1,) * (nd - 1 - d))
    if x._data.ndim < nd:                   # torch lines x up with y's trailing dims
        x = x.reshape((1,) * (nd - x._data.ndim) + tuple(x._data.shape))
    hi, lo = _halves(x, d)
    return hi - lo


def trapezoid(*args, **kwargs):
    return _trapezoid(*_trapz_args('trapezoid', args, kwargs))


def trapz(*args, **kwargs):
    return _trapezoid(*_trapz_args('trapz', args, kwargs))


def _trapezoid(y, x, dx, dim):
    name = 'trapezoid'          # trapz's errors say trapezoid too
    if y._data.ndim == 0:       # torch asks a 0-d y for its size along dim (wrapped first when x is given)
        raise no_dims_error(dim if x is None else _wrap_dim(dim, 0))
    d = _wrap_dim(dim, y._data.ndim)
    n = y._data.shape[d]
    if n == 0:
        shape = tuple(s for i, s in enumerate(y._data.shape) if i != d)
        return _make(np.zeros(shape, y.dtype._np, like=y._data), y.dtype, y._device)
    if x is not None:
        _no_bool(name, x, y)
        hi, lo = _halves(y, d)
        # torch sums (y_i + y_{i-1}) * dx_i and halves once at the end
        return _renamed(((hi + lo) * _spacing(name, y, x, d)).sum(d) / 2, 'DivBackward1')
    _no_bool(name, y)
    _real_dx(name, dx)
    r = (y.sum(d) - (y.select(d, 0) + y.select(d, -1)) * 0.5) * dx
    return _renamed(r, 'MulBackward1')


def cumulative_trapezoid(*args, **kwargs):
    name = 'cumulative_trapezoid'
    y, x, dx, dim = _trapz_args(name, args, kwargs)
    if x is not None:
        dim = _wrap_dim(dim, y._data.ndim)
        _no_bool(name, x, y)
        if y._data.ndim == 0 and x._data.ndim == 1:     # torch asks the 0-d y for its size along dim
            raise no_dims_error(dim)
    else:
        _no_bool(name, y)
        _real_dx(name, dx)
    if y._data.ndim == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, y._data.ndim)
    hi, lo = _halves(y, d)
    if x is not None:
        return _renamed(((hi + lo) * _spacing(name, y, x, d)).cumsum(d) / 2, 'DivBackward1')
    return ((hi + lo) * (dx / 2)).cumsum(d)


for _f in (trapezoid, trapz, cumulative_trapezoid):
    register(_f, method=False)


def renorm(input, p, dim, maxnorm):
    """Rescale each slice along dim whose p-norm exceeds maxnorm down to maxnorm (torch's 1e-7 guard)."""
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm:g}")
    n = input._data.ndim
    if n < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {n} dimensions")
    if input.dtype._cat < 2:
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{D.type_name(input.dtype)}")
    d = _wrap_dim(dim, n)
    others = tuple(i for i in range(n) if i != d)
    a = input.abs()
    norm = a.amax(others, keepdim=True) if p == float('inf') else a.pow(p).sum(others, keepdim=True).pow(1. / p)
    from .misc import where
    factor = where(norm > maxnorm, maxnorm / (norm + 1e-7), norm.new_ones(()))
    return _renamed(input * factor, 'RenormBackward0')


register(renorm, inplace=True)


def hash_tensor(input, dim=(), *, keepdim=False, mode=0):
    """XOR of the elements' bits, each widened to 64 bits first (float64 / int64), as uint64."""
    if mode != 0:
        raise RuntimeError(f'hash_tensor only supports mode=0 (xor_reduction), got {mode}')
    a = input._data
    dims = _dims(dim, a.ndim)
    if a.size == 0:     # as amax: no identity to start from
        if dim in ((), [], None):
            raise RuntimeError("hash_tensor: Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        for d in (dim if isinstance(dim, (tuple, list)) else [dim]):
            if a.shape[_dims(d, a.ndim)[0]] == 0:
                raise IndexError(f"hash_tensor: Expected reduction dim {d} to have non-zero size.")
    if a.size and input.dtype in D.BARE_UINTS:
        raise kernel_error('xor_sum_cpu', input.dtype, input._device)
    wide = a.astype(np.float64 if a.dtype.kind == 'f' else np.int64).view(np.uint64)
    xor = lambda w: np.bitwise_xor.reduce(w, axis=dims, keepdims=keepdim)   # noqa: E731
    data = np.on_host(xor, wide) if dims else wide.copy()     # CuPy has no bitwise_xor.reduce
    return _make(np.asarray(data), D.uint64, input._device)


register(hash_tensor)


_SEGMENT_EMPTY = {'sum': 0.0, 'mean': math.nan, 'max': -math.inf, 'min': math.inf, 'prod': 1.0}


def _fold(ufunc):
    """torch's segment kernel: one element after another from `initial`, in the data's dtype."""
    def f(seg, initial):
        if initial is not None:
            seg = np.concatenate([np.asarray([initial], seg.dtype), seg])
        return ufunc.accumulate(seg)[-1]
    return f


_SEGMENT_FOLD = {'sum': _fold(np.add), 'prod': _fold(np.multiply), 'max': _fold(np.maximum),
                 'min': _fold(np.minimum)}


def _segment_reduce(data, reduce, *, lengths=None, indices=None, offsets=None, axis=0, unsafe=False,
                    initial=None):
    """Reduce `data` along `axis` over consecutive segments (`lengths`, or `offsets` as cumulative
    starts; batched over the leading dims of either). Empty segments give `initial`, else the
    reduction's identity (mean: NaN). One node, SegmentReduceBackward0 (max/min ties share)."""
    reduce = {'amax': 'max', 'amin': 'min'}.get(reduce, reduce)
    if reduce not in _SEGMENT_EMPTY:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    if lengths is None and offsets is None:
        raise RuntimeError('segment_reduce(): Either lengths or offsets must be defined.')
    if data.dtype._cat != 2:
        raise kernel_error('_segment_reduce_cpu', data.dtype, data._device)
    ax = _wrap_dim(axis, data.dim())
    given = lengths if lengths is not None else offsets
    if given.dim() > data.dim():
        raise RuntimeError('Expected data.dim() >= lengths_value.dim() to be true, but got false.  (Could this '
                           'error message be improved?  If so, please report an enhancement request to PyTorch.)')
    if given.dim() - 1 != ax:
        raise RuntimeError(f"segment_reduce(): Expected axis to be the last dimension of "
                           f"{'lengths' if lengths is not None else 'offsets'} but got {axis}.")
    lens = np.host(lengths._data) if lengths is not None else np.diff(np.host(offsets._data), axis=-1)
    x = np.moveaxis(np.host(data._data), ax, -1)
    # lengths' leading dims are data's before the axis; the dims after it (moved before the axis) share them
    lens = lens.reshape(lens.shape[:-1] + (1,) * (data.dim() - ax - 1) + lens.shape[-1:])
    lens = np.broadcast_to(lens, x.shape[:-1] + lens.shape[-1:]).astype(np.int64)
    if not unsafe and (lens.sum(-1) != x.shape[-1]).any():
        raise RuntimeError('segment_reduce(): Expected all rows of lengths along axis to sum to '
                           'data.size(lengths.dim()-1) when !unsafe.')
    starts = np.cumsum(lens, -1) - lens
    out = np.empty(lens.shape, x.dtype)
    for pos in np.ndindex(*lens.shape):
        seg = x[pos[:-1]][starts[pos]:starts[pos] + lens[pos]]
        if seg.size == 0:
            v = _SEGMENT_EMPTY[reduce] if initial is None else initial
        elif reduce == 'mean':
            v = (_SEGMENT_FOLD['sum'](seg, initial or 0)) / seg.size
        else:
            v = _SEGMENT_FOLD[reduce](seg, initial)
        out[pos] = v
    r = _make(np.asarray_on(np.moveaxis(out, -1, ax), data._data), data.dtype, data._device)
    if _grad_on(data):
        def bwd(node, g):
            go = np.moveaxis(np.host(g._data), ax, -1)
            gx = np.zeros(x.shape, x.dtype)
            for pos in np.ndindex(*lens.shape):
                s, n = starts[pos], lens[pos]
                if n == 0:
                    continue
                seg, row = x[pos[:-1]][s:s + n], gx[pos[:-1]]
                if reduce == 'sum':
                    row[s:s + n] = go[pos]
                elif reduce == 'mean':
                    row[s:s + n] = go[pos] / n
                elif reduce in ('max', 'min'):
                    hit = seg == out[pos]
                    row[s:s + n] = np.where(hit, go[pos] / (hit.sum() or 1), 0)
                else:       # prod: the product of the others (exact with zeros)
                    others = [np.prod(np.delete(seg, i)) for i in range(n)]
                    init = x.dtype.type(1 if initial is None else initial)
                    row[s:s + n] = go[pos] * np.asarray(others, x.dtype) * init
            return _make(np.asarray_on(np.moveaxis(gx, -1, ax), data._data), data.dtype, data._device)
        attach('SegmentReduceBackward0', bwd, (data,), (r,))
    return r


register(_segment_reduce, method=False)
