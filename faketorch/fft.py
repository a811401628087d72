"""torch.fft on NumPy's pocketfft. Three primitive nodes, as torch: complex-to-complex (FftC2C),
real-to-complex (FftR2C) and complex-to-real (FftC2R); every public transform resizes its input
with tensor ops, then calls one of them with torch's normalisation."""
import math

from . import _xnp as np

from . import _dtype as D
from ._tensor import Tensor, _make, _wrap_dim
from .autograd.grad_mode import state as grad_state
from ._ops._core import attach, write_out

_NORMS = ('backward', 'forward', 'ortho')


def _scale(norm, n, forward):
    """The factor torch applies: none, 1/sqrt(n) or 1/n."""
    if norm is None:
        norm = 'backward'
    if norm not in _NORMS:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    if norm == 'ortho':
        return 1 / math.sqrt(n) if n else 1.0
    scaled = (norm == 'backward') != forward
    return 1.0 / n if scaled and n else 1.0


def _complex_dtype(t):
    if t.dtype.is_complex:
        return t.dtype
    if t.dtype._cat < 2:
        return D.get_default_dtype().to_complex()
    return t.dtype.to_complex()


def _real_dtype(t):
    if t.dtype._cat < 2:
        return D.get_default_dtype()
    return t.dtype.to_real()


def _as_complex(t):
    ct = _complex_dtype(t)
    return t if t.dtype is ct else t.to(ct)


def _as_real(t, name):
    if t.dtype.is_complex:
        raise RuntimeError(f"{name} expects a real input tensor, but got {D.type_name(t.dtype)}")
    rt = _real_dtype(t)
    return t if t.dtype is rt else t.to(rt)


def _grad_on(t):
    return grad_state.enabled and t._requires_grad


def _apply_scale(data, s, dt):
    if s != 1.0:
        data = data * s
    return data.astype(dt._np, copy=False)


# --- the three primitives -----------------------------------------------------------------------

def _c2c(x, dims, s, forward):
    a = x._data
    if a.size == 0:
        data = a.copy()
    elif forward:
        data = np.fft.fftn(a, axes=dims)
    else:
        data = np.fft.ifftn(a, axes=dims, norm='forward')
    r = _make(_apply_scale(data, s, x.dtype), x.dtype, x._device)
    if _grad_on(x):
        attach('FftC2CBackward0', lambda node, g: _c2c(g, dims, s, not forward), (x,), (r,))
    return r


def _r2c(x, dims, s, onesided):
    a = x._data
    ct = x.dtype.to_complex()
    if a.size == 0:
        shape = list(a.shape)
        if onesided and dims:
            shape[dims[-1]] = shape[dims[-1]] // 2 + 1
        data = np.zeros(shape, ct._np)
    else:
        data = np.fft.rfftn(a, axes=dims) if onesided else np.fft.fftn(a, axes=dims)
    r = _make(_apply_scale(data, s, ct), ct, x._device)
    if _grad_on(x):
        n = a.shape[dims[-1]] if dims else 1

        def bwd(node, g):
            if onesided:
                g = _resize(g, dims[-1], n)     # the missing half contributes nothing
            return _c2c(g, dims, s, False).real
        attach('FftR2CBackward0', bwd, (x,), (r,))
    return r


def _c2r(x, dims, s, n):
    """Inverse of a one-sided spectrum; n is the output size along dims[-1]."""
    a = x._data
    rt = x.dtype.to_real()
    out_shape = [a.shape[d] for d in dims]
    out_shape[-1] = n
    if a.size == 0 or n == 0:
        shape = list(a.shape)
        shape[dims[-1]] = n
        data = np.zeros(shape, rt._np)
    else:
        data = np.fft.irfftn(a, s=out_shape, axes=dims, norm='forward')
    r = _make(_apply_scale(data, s, rt), rt, x._device)
    if _grad_on(x):
        m = a.shape[dims[-1]]

        def bwd(node, g):
            gi = _r2c(g, dims, s, True)
            double = n - m
            if double > 0:
                w = np.ones(m, rt._np)
                w[1:1 + double] = 2
                shape = [1] * g._data.ndim
                shape[dims[-1]] = m
                gi = gi * _make(w.reshape(shape), rt, g._device)
            return gi
        attach('FftC2RBackward0', bwd, (x,), (r,))
    return r


# --- argument handling --------------------------------------------------------------------------

def _resize(x, dim, n):
    """Trim or zero-pad x along dim to n (tensor ops: differentiable)."""
    size = x._data.shape[dim]
    if n == size:
        return x
    if n < size:
        return x.narrow(dim, 0, n)
    shape = list(x._data.shape)
    shape[dim] = n - size
    from . import cat
    return cat([x, _make(np.zeros(shape, x.dtype._np), x.dtype, x._device)], dim)


def _check_n(n, name):
    if n is not None and n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")


def _dims_1d(x, dim):
    return (_wrap_dim(dim, x._data.ndim),)


def _dims_nd(x, s, dim, name):
    nd = x._data.ndim
    if dim is not None:
        dims = [dim] if isinstance(dim, int) else list(dim)
        dims = [_wrap_dim(d, nd) for d in dims]
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"{name} dims must be unique")
        if s is not None:
            s = list(s)
            if len(s) != len(dims):
                raise RuntimeError("When given, dim and shape arguments must have the same length")
    elif s is not None:
        s = list(s)
        if len(s) > nd:
            raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has {nd} dimensions.")
        dims = list(range(nd - len(s), nd))
    else:
        dims = list(range(nd))
    if s is None:
        s = [None] * len(dims)
    for v in s:
        if v is not None and v != -1 and v < 1:
            raise RuntimeError(f"Invalid number of data points ({v}) specified")
    return dims, s


def _finish(r, out, name):
    return write_out(out, r, name) if out is not None else r


# --- one-dimensional ----------------------------------------------------------------------------

def fft(input, n=None, dim=-1, norm=None, *, out=None):
    _check_n(n, 'fft')
    d = _dims_1d(input, dim)
    x = input
    if n is not None:
        x = _resize(x, d[0], n)
    N = x._data.shape[d[0]]
    sc = _scale(norm, N, True)
    if not x.dtype.is_complex:
        r = _r2c(_as_real(x, 'fft'), d, sc, False)
    else:
        r = _c2c(x, d, sc, True)
    return _finish(r, out, 'fft_fft')


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    _check_n(n, 'ifft')
    d = _dims_1d(input, dim)
    x = input
    if n is not None:
        x = _resize(x, d[0], n)
    N = x._data.shape[d[0]]
    sc = _scale(norm, N, False)
    if not x.dtype.is_complex:
        r = _r2c(_as_real(x, 'ifft'), d, sc, False).conj()
    else:
        r = _c2c(x, d, sc, False)
    return _finish(r, out, 'fft_ifft')


def _r2c_1d(input, n, dim, norm, forward, name):
    # shared body of rfft / ihfft
    _check_n(n, name)
    x = _as_real(input, name)
    d = _dims_1d(x, dim)
    if n is not None:
        x = _resize(x, d[0], n)
    N = x._data.shape[d[0]]
    r = _r2c(x, d, _scale(norm, N, forward), True)
    return r if forward else r.conj()


def _c2r_1d(input, n, dim, norm, forward, name):
    # shared body of irfft / hfft
    _check_n(n, name)
    x = _as_complex(input)
    d = _dims_1d(x, dim)
    N = 2 * (x._data.shape[d[0]] - 1) if n is None else n
    if N < 1:
        raise RuntimeError(f"Invalid number of data points ({N}) specified")
    x = _resize(x, d[0], N // 2 + 1)
    return _c2r(x.conj() if forward else x, d, _scale(norm, N, forward), N)


def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    return _finish(_r2c_1d(input, n, dim, norm, True, 'rfft'), out, 'fft_rfft')


def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    return _finish(_c2r_1d(input, n, dim, norm, False, 'irfft'), out, 'fft_irfft')


def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    return _finish(_c2r_1d(input, n, dim, norm, True, 'hfft'), out, 'fft_hfft')


def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    return _finish(_r2c_1d(input, n, dim, norm, False, 'ihfft'), out, 'fft_ihfft')


# --- n-dimensional ------------------------------------------------------------------------------

def _resize_all(x, dims, s):
    for d, n in zip(dims, s):
        if n is not None and n != -1:
            x = _resize(x, d, n)
    return x


def _numel(x, dims):
    return int(np.prod([x._data.shape[d] for d in dims])) if dims else 1


def fftn(input, s=None, dim=None, norm=None, *, out=None):
    dims, s = _dims_nd(input, s, dim, 'fftn')
    x = _resize_all(_as_complex(input), dims, s)
    return _finish(_c2c(x, tuple(dims), _scale(norm, _numel(x, dims), True), True) if dims else x,
                   out, 'fft_fftn')


def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    dims, s = _dims_nd(input, s, dim, 'ifftn')
    x = _resize_all(_as_complex(input), dims, s)
    return _finish(_c2c(x, tuple(dims), _scale(norm, _numel(x, dims), False), False) if dims else x,
                   out, 'fft_ifftn')


def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    x = _as_real(input, 'rfftn')
    dims, s = _dims_nd(x, s, dim, 'rfftn')
    if not dims:
        raise RuntimeError("rfftn must transform at least one axis")
    x = _resize_all(x, dims, s)
    return _finish(_r2c(x, tuple(dims), _scale(norm, _numel(x, dims), True), True), out, 'fft_rfftn')


def _c2r_sizes(x, dims, s):
    last = s[-1] if s[-1] is not None and s[-1] != -1 else 2 * (x._data.shape[dims[-1]] - 1)
    if last < 1:
        raise RuntimeError(f"Invalid number of data points ({last}) specified")
    x = _resize_all(x, dims[:-1], s[:-1])
    x = _resize(x, dims[-1], last // 2 + 1)
    n = _numel(x, dims[:-1]) * last
    return x, last, n


def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    x = _as_complex(input)
    dims, s = _dims_nd(x, s, dim, 'irfftn')
    if not dims:
        raise RuntimeError("irfftn must transform at least one axis")
    x, last, n = _c2r_sizes(x, dims, s)
    return _finish(_c2r(x, tuple(dims), _scale(norm, n, False), last), out, 'fft_irfftn')


def hfftn(input, s=None, dim=None, norm=None, *, out=None):
    x = _as_complex(input)
    dims, s = _dims_nd(x, s, dim, 'hfftn')
    if not dims:
        raise RuntimeError("hfftn must transform at least one axis")
    x, last, n = _c2r_sizes(x, dims, s)
    sc = _scale(norm, n, True)
    if len(dims) > 1:       # c2c over the leading dims first, then the Hermitian last one
        x = _c2c(x, tuple(dims[:-1]), 1.0, True)
    return _finish(_c2r(x.conj(), (dims[-1],), sc, last), out, 'fft_hfftn')


def ihfftn(input, s=None, dim=None, norm=None, *, out=None):
    x = _as_real(input, 'ihfftn')
    dims, s = _dims_nd(x, s, dim, 'ihfftn')
    if not dims:
        raise RuntimeError("ihfftn must transform at least one axis")
    x = _resize_all(x, dims, s)
    sc = _scale(norm, _numel(x, dims), False)
    r = _r2c(x, (dims[-1],), sc, True).conj()
    if len(dims) > 1:
        r = _c2c(r, tuple(dims[:-1]), 1.0, False)
    return _finish(r, out, 'fft_ihfftn')


def _two(f, fname):
    def g(input, s=None, dim=(-2, -1), norm=None, *, out=None):
        return f(input, s, dim, norm, out=out)
    g.__name__ = fname
    return g


fft2 = _two(fftn, 'fft2')
ifft2 = _two(ifftn, 'ifft2')
rfft2 = _two(rfftn, 'rfft2')
irfft2 = _two(irfftn, 'irfft2')
hfft2 = _two(hfftn, 'hfft2')
ihfft2 = _two(ihfftn, 'ihfft2')


# --- helpers ------------------------------------------------------------------------------------

def _freq_tensor(data, dtype, device, requires_grad):
    from ._ops.factory import _dev
    dt = dtype or D.get_default_dtype()
    r = _make(data.astype(dt._np), dt, _dev(device))
    if requires_grad:
        r.requires_grad_(True)
    return r


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    k = np.concatenate([np.arange(0, (n - 1) // 2 + 1), np.arange(-(n // 2), 0)])
    return _finish(_freq_tensor(k / (n * d), dtype, device, requires_grad), out, 'fft_fftfreq')


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    k = np.arange(0, n // 2 + 1)
    return _finish(_freq_tensor(k / (n * d), dtype, device, requires_grad), out, 'fft_rfftfreq')


def _shift(input, dim, sign):
    nd = input._data.ndim
    dims = list(range(nd)) if dim is None else ([dim] if isinstance(dim, int) else list(dim))
    shifts = [(input._data.shape[_wrap_dim(d, nd)] // 2) * sign if sign > 0 else
              -(input._data.shape[_wrap_dim(d, nd)] // 2) for d in dims]
    import faketorch
    roll = getattr(faketorch, 'roll', None)
    if roll is not None:
        return roll(input, shifts, dims)
    from ._ops.linalg_ops import _named
    from . import cat
    x = input
    for sh, d in zip(shifts, dims):
        n = x._data.shape[d]
        k = sh % n if n else 0
        if k:
            x = cat([x.narrow(d, n - k, k), x.narrow(d, 0, n - k)], d)
    return _named('RollBackward0', x if x is not input else input.clone())


def fftshift(input, dim=None):
    return _shift(input, dim, 1)


def ifftshift(input, dim=None):
    return _shift(input, dim, -1)
