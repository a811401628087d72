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


def _check_supported(t):
    # torch's CPU FFT has no half-precision kernel (CUDA's has, for float16)
    if t.dtype is D.bfloat16 or (t.dtype is D.float16 and t._device.type != 'cuda'):
        raise RuntimeError(f"Unsupported dtype {D.type_name(t.dtype)}")


def _as_complex(t):
    _check_supported(t)
    ct = _complex_dtype(t)
    return t if t.dtype is ct else t.to(ct)


def _as_real(t, name, valued=''):
    if t.dtype.is_complex:
        raise RuntimeError(f"{name} expects a real{valued} input tensor, but got {D.type_name(t.dtype)}")
    _check_supported(t)
    rt = _real_dtype(t)
    return t if t.dtype is rt else t.to(rt)


def _check_batch(a, x):
    # torch's CPU kernel (MKL) rejects an empty batch; this is its message
    if a.size == 0 and x._device.type == 'cpu':
        raise RuntimeError("MKL FFT error: Intel oneMKL DFTI ERROR: Inconsistent configuration parameters")


def _grad_on(t):
    return grad_state.enabled and t._requires_grad


def _apply_scale(data, s, dt):
    if s != 1.0:
        data = data * s
    return data.astype(dt._np, copy=False)


# --- the three primitives -----------------------------------------------------------------------

def _c2c(x, dims, s, forward):
    a = x._data
    _check_batch(a, x)
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
    _check_batch(a, x)
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
    _check_batch(a, x)
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


def _check_n(n):
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")


def _wrap(dim, x):
    if x._data.ndim == 0:       # torch wraps FFT dims without treating a scalar as 1-d
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return _wrap_dim(dim, x._data.ndim)


def _dims_1d(x, dim, n):
    """(dims, n) after torch's checks, in its order: dim, then the number of points."""
    d = _wrap(dim, x)
    n = x._data.shape[d] if n is None else n
    _check_n(n)
    return (d,), n


def _dims_nd(x, s, dim, name):
    nd = x._data.ndim
    if dim is not None:
        dims = [dim] if isinstance(dim, int) else list(dim)
        dims = [_wrap(d, x) for d in dims]
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
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
    for d, v in zip(dims, s):
        _check_n(x._data.shape[d] if v is None or v == -1 else v)
    return dims, s


def _finish(r, out, name):
    return write_out(out, r, name) if out is not None else r


# --- one-dimensional ----------------------------------------------------------------------------

def fft(input, n=None, dim=-1, norm=None, *, out=None):
    return _finish(_c2c_or_r2c(input, n, dim, norm, True, 'fft'), out, 'fft_fft')


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    return _finish(_c2c_or_r2c(input, n, dim, norm, False, 'ifft'), out, 'fft_ifft')


def _c2c_or_r2c(input, n, dim, norm, forward, name):
    # shared body of fft / ifft: a real input goes through the two-sided real transform
    x = input if input.dtype.is_complex else _as_real(input, name)
    d, N = _dims_1d(x, dim, n)
    if n is not None:
        x = _resize(x, d[0], n)
    sc = _scale(norm, N, forward)
    if x.dtype.is_complex:
        return _c2c(x, d, sc, forward)
    r = _r2c(x, d, sc, False)
    return r if forward else r.conj()


def _r2c_1d(input, n, dim, norm, forward, name):
    # shared body of rfft / ihfft
    x = _as_real(input, name)
    d, N = _dims_1d(x, dim, n)
    if n is not None:
        x = _resize(x, d[0], n)
    r = _r2c(x, d, _scale(norm, N, forward), True)
    return r if forward else r.conj()


def _c2r_1d(input, n, dim, norm, forward, name):
    # shared body of irfft / hfft
    x = _as_complex(input)
    d = (_wrap(dim, x),)
    N = 2 * (x._data.shape[d[0]] - 1) if n is None else n
    _check_n(N)
    sc = _scale(norm, N, forward)
    x = _resize(x, d[0], N // 2 + 1)
    return _c2r(x.conj() if forward else x, d, sc, N)


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
    if input.dtype.is_complex:
        raise RuntimeError(f"rfftn expects a real-valued input tensor, but got {D.type_name(input.dtype)}")
    dims, s = _dims_nd(input, s, dim, 'rfftn')
    if not dims:
        raise RuntimeError("rfftn must transform at least one axis")
    x = _resize_all(_as_real(input, 'rfftn'), dims, s)
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
    dims, s = _dims_nd(input, s, dim, 'irfftn')
    if not dims:
        raise RuntimeError("irfftn must transform at least one axis")
    x = _as_complex(input)
    x, last, n = _c2r_sizes(x, dims, s)
    return _finish(_c2r(x, tuple(dims), _scale(norm, n, False), last), out, 'fft_irfftn')


def hfftn(input, s=None, dim=None, norm=None, *, out=None):
    dims, s = _dims_nd(input, s, dim, 'hfftn')
    if not dims:
        raise RuntimeError("hfftn must transform at least one axis")
    x = _as_complex(input)
    x, last, n = _c2r_sizes(x, dims, s)
    sc = _scale(norm, n, True)
    if len(dims) > 1:       # c2c over the leading dims first, then the Hermitian last one
        x = _c2c(x, tuple(dims[:-1]), 1.0, True)
    return _finish(_c2r(x.conj(), (dims[-1],), sc, last), out, 'fft_hfftn')


def ihfftn(input, s=None, dim=None, norm=None, *, out=None):
    dims, s = _dims_nd(input, s, dim, 'ihfftn')
    if not dims:
        raise RuntimeError("ihfftn must transform at least one axis")
    _check_supported(input)
    x = _resize_all(input if input.dtype.is_complex else _as_real(input, 'ihfftn'), dims, s)
    sc = _scale(norm, _numel(x, dims), False)
    if x.dtype.is_complex:      # torch's check is its real-to-complex kernel's
        raise RuntimeError(f"Only supports floating-point dtypes, but found: {D.type_name(x.dtype)}")
    r = _r2c(x, (dims[-1],), sc, True).conj()
    if len(dims) > 1:
        r = _c2c(r, tuple(dims[:-1]), 1.0, False)
    return _finish(r, out, 'fft_ihfftn')


def _two(f, fname):
    def g(input, s=None, dim=(-2, -1), norm=None, *, out=None):
        if dim is None:
            raise TypeError(f"fft_{fname}(): argument 'dim' must be tuple of ints, not NoneType")
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

def _freq(name, n, d, length, dtype, device, requires_grad):
    """torch's fftfreq / rfftfreq: 0, 1, ... (then the negative frequencies) in dtype, times 1/(n*d)
    taken as that dtype's scalar (float32 arithmetic for half types), as torch's mul_ computes it."""
    from ._ops.factory import _dev
    from ._ops._core import kernel_error
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"fft_{name}(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    dt = dtype or D.get_default_dtype()
    if dt._cat < 2:
        raise RuntimeError(f"{name} requires a floating point or complex dtype")
    if length < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {length}: [{length}]")
    if dt.is_complex:
        raise kernel_error('arange_cpu', dt)
    k = np.arange(length, dtype=np.float64)
    if name == 'fftfreq':
        k[(n + 1) // 2:] = np.arange(-(n // 2), 0)
    with np.errstate(invalid='ignore'):
        scale = 1.0 / (n * d) if n * d else math.copysign(math.inf, n * d)     # C++'s 1.0 / 0.0
        work = np.float64 if dt is D.float64 else np.float32
        data = k.astype(work) * work(scale)
    r = _make(D.round_bf16(data) if dt is D.bfloat16 else data.astype(dt._np), dt, _dev(device))
    if requires_grad:
        r.requires_grad_(True)
    return r


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _finish(_freq('fftfreq', n, d, n, dtype, device, requires_grad), out, 'fft_fftfreq')


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    half = int(n / 2) if isinstance(n, int) else 0      # C++'s n / 2 truncates toward zero
    return _finish(_freq('rfftfreq', n, d, half + 1, dtype, device, requires_grad), out, 'fft_rfftfreq')


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
