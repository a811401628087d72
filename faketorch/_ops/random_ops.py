"""Random ops on torch's CPU generator (faketorch._rng): the same numbers as torch after the same
seed. Each draws into a fresh array in the output's memory order, as torch's kernels fill it."""
import math
import operator

from .. import _xnp as np

from .. import _dtype as D
from .. import _rng
from .._tensor import Tensor, _make
from ..autograd.grad_mode import state as grad_state
from ._core import attach, check_inplace, kernel_error, register, write_out
from .factory import _dev, _dtype_arg, _fill_value, _finish, _is_int, _size


def _gen(generator, device=None):
    if generator is None:
        from ..random import default_generator
        return default_generator
    if device is not None and generator.device.type != device.type:
        raise RuntimeError(f"Expected a '{device.type}' device type for generator but found '{generator.device.type}'")
    return generator


def _draw(device, generator, name, *args):
    """_rng.<name>(generator, *args) on torch's CPU stream; on a CUDA device with the default
    generator, CuPy's generator draws on the GPU instead (faketorch.cuda.random.draw)."""
    if device.type == 'cuda':
        if generator is not None:
            raise RuntimeError(f"Expected a 'cuda' device type for generator but found '{generator.device.type}'")
        from ..cuda.random import draw
        data = draw(device, name, *args)
        if data is not None:
            return data
        args = tuple(np.host(a) for a in args)      # random_ with default bounds: drawn on the host
    return getattr(_rng, name)(_gen(generator), *args)


def _np(dt):
    return _rng.BF16 if dt is D.bfloat16 else D.np_dtype(dt)


def _float_dtype(dtype, fname):
    dt = dtype or D.get_default_dtype()
    return dt


def _new(data, dt, device, requires_grad, out, fname):
    t = _finish(data, dt, device, requires_grad)
    return write_out(out, t, fname) if out is not None else t


def _complex_or_real(dev, generator, name, shape, dt):
    """torch fills a complex tensor through its real view (real, imag interleaved), a normal one
    with std 1/sqrt(2) per part."""
    if not dt.is_complex:
        return _draw(dev, generator, name, shape, _np(dt)).reshape(shape)
    extra = (0.0, 1 / math.sqrt(2)) if name == 'normal' else ()       # std / sqrt(2), as torch computes it
    parts = _draw(dev, generator, name, tuple(shape) + (2,), _np(dt.to_real()), *extra)
    return parts.view(_np(dt)).reshape(shape)


def _standard(fname, name, kernel):
    """rand / randn: a uniform [0, 1) or standard normal draw of the default float (or dtype=) type."""
    def f(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
        dt = _dtype_arg(dtype, fname) or (out.dtype if out is not None else D.get_default_dtype())
        if dt._cat < 2:
            raise kernel_error(kernel, dt)
        shape = _size(size, fname)
        return _new(_complex_or_real(_dev(device), generator, name, shape, dt), dt, device, requires_grad, out,
                    fname)
    f.__name__ = f.__qualname__ = fname
    return f


rand = _standard('rand', 'uniform', 'check_uniform_bounds')
randn = _standard('randn', 'normal', 'normal_kernel_cpu')


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False, pin_memory=False):
    if high is None and size is not None:                      # randint(high, size=...)
        low, high = 0, low
    elif size is None and high is not None:                    # randint(high, size)
        if not isinstance(high, (tuple, list)):
            from ..random import _tp_name
            raise TypeError(f"randint(): argument 'size' (position 2) must be tuple of ints, not {_tp_name(high)}")
        low, high, size = 0, low, high
    if high is None:
        raise TypeError("randint() received an invalid combination of arguments - got missing size")
    dt = _dtype_arg(dtype, 'randint') or D.int64
    if dt._cat == 3:
        raise RuntimeError("check_random_bounds handles only integral, floating-point and boolean types")
    shape = _size((size,), 'randint')
    return _new(_draw(_dev(device), generator, 'randint', int(low), int(high), shape, _np(dt)).reshape(shape),
                dt, device, requires_grad, out, 'randint')


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    if not _is_int(n):
        from ..random import _tp_name
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not {_tp_name(n)}")
    n = operator.index(n)
    dt = _dtype_arg(dtype, 'randperm') or D.int64
    if dt is D.bool or dt.is_complex:
        raise kernel_error('randperm', dt)
    if dt._cat == 1 and n > 0:
        _fill_value(n - 1, dt)      # torch's check that the largest value fits the dtype
    return _new(_draw(_dev(device), generator, 'randperm', n, _np(dt)), dt, device, requires_grad, out,
                'randperm')


def _random_like(fill, input, dtype, device, requires_grad, memory_format):
    """As torch: empty_like (which keeps a transposed input's strides), then filled in memory order."""
    from .factory import empty_like
    t = empty_like(input, dtype=dtype or input.dtype, memory_format=memory_format,
                   device=device if device is not None else input._device)
    fill(t)
    return t.requires_grad_() if requires_grad else t


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _random_like(uniform_, input, dtype, device, requires_grad, memory_format)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return _random_like(normal_, input, dtype, device, requires_grad, memory_format)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None):
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype,
                   device=device if device is not None else input._device, requires_grad=requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False, pin_memory=False):
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments")
        dt = dtype or D.get_default_dtype()
        shape = _size((size,), 'normal')
        return _new(_draw(_dev(device), generator, 'normal', shape, _np(dt), float(mean), float(std)
                          ).reshape(shape), dt, device, requires_grad, out, 'normal')
    ref = mean if mt else std
    if not ref.dtype.is_floating_point:
        raise NotImplementedError(f'"normal_kernel_cpu" not implemented for \'{D.type_name(ref.dtype)}\'')
    if st and (std._data < 0).any():
        raise RuntimeError(f"normal expects all elements of std >= 0.0")
    m = mean._data if mt else mean
    s = std._data if st else std
    data = _draw(ref._device, generator, 'normal_tensor', m, s, ref._data.dtype)
    r = _make(np.asarray(data, ref._data.dtype), ref.dtype, ref._device)
    params = tuple(t for t in (mean, std) if isinstance(t, Tensor))
    _zero_grad_node(f'NormalBackward{1 if not st else 2 if not mt else 3}', params, r)
    return write_out(out, r, 'normal') if out is not None else r


def _zero_grad_node(name, inputs, r):
    """torch defines the gradient of a sample with respect to its distribution's parameters as zero."""
    if grad_state.enabled and any(t._requires_grad for t in inputs):
        attach(name, lambda node, g: tuple(_make(np.zeros_like(t._data), t.dtype, t._device) for t in inputs),
               inputs, (r,))


_P_IN_RANGE = ('Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be '
               'improved?  If so, please report an enhancement request to PyTorch.)')


def _check_probs(p):
    # torch's CPU kernel checks every probability (nan fails too)
    a = np.host(p._data)
    if a.size and not ((a >= 0) & (a <= 1)).all():
        raise RuntimeError(_P_IN_RANGE)


def bernoulli(input, p=None, *, generator=None, out=None):
    if p is None:
        _check_probs(input)
    if p is not None:
        data = _draw(input._device, generator, 'bernoulli', float(p), input._data.shape, input._data.dtype)
    else:
        data = _draw(input._device, generator, 'bernoulli_tensor', input._data, input._data.shape,
                     input._data.dtype)
    r = _make(np.asarray(data).reshape(input._data.shape), input.dtype, input._device)
    if p is None:
        _zero_grad_node('BernoulliBackward0', (input,), r)
    return write_out(out, r, 'bernoulli') if out is not None else r


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    data = _rng.multinomial(_gen(generator, input._device), np.host(input._data), int(num_samples), replacement)
    r = _make(np.asarray(data, np.int64), D.int64, input._device)
    return write_out(out, r, 'multinomial') if out is not None else r


def poisson(input, generator=None):
    _not_for(input, 'poisson_cpu', not input.dtype.is_floating_point)
    a = np.host(input._data)
    if a.size and not (a >= 0).all():
        raise RuntimeError('invalid Poisson rate, expected rate to be non-negative')
    data = _rng.poisson(_gen(generator, input._device), np.host(input._data), input._data.dtype)
    return _make(np.asarray(data, input._data.dtype).reshape(input._data.shape), input.dtype, input._device)


# --- in-place fills ----------------------------------------------------------------------------

def _fill(self, data):
    """Write values drawn in memory order into self (which may be a non-contiguous view)."""
    a = self._data
    if self.dtype is D.bfloat16:        # CuPy's draws are float32; the host's are bfloat16 values already
        data = D.as_bf16(data)
    if a.flags.c_contiguous:
        a[...] = np.asarray_on(data, a).reshape(a.shape)
    else:
        order = sorted(range(a.ndim), key=lambda i: -a.strides[i])
        view = a.transpose(order)
        view[...] = np.asarray_on(data, a).reshape(view.shape)
    self._vc[0] += 1
    return self


def _float_only(self, fname):
    if not self.dtype.is_floating_point:
        raise NotImplementedError(f'"{fname}" not implemented for \'{D.type_name(self.dtype)}\'')


def uniform_(self, from_=0, to=1, *, generator=None):
    check_inplace(self)
    _float_only(self, 'check_uniform_bounds')
    return _fill(self, _draw(self._device, generator, 'uniform', self._data.shape, _np(self.dtype), float(from_),
                             float(to)))


def normal_(self, mean=0, std=1, *, generator=None):
    check_inplace(self)
    _float_only(self, 'normal_kernel_cpu')
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return _fill(self, _draw(self._device, generator, 'normal', self._data.shape, _np(self.dtype), float(mean),
                             float(std), bool(self._data.flags.c_contiguous)))


_ONE_ARG = object()     # random_(to) against random_(from, None), whose range ends at the dtype's maximum


def random_(self, from_=None, to=_ONE_ARG, *, generator=None):
    check_inplace(self)
    if to is _ONE_ARG:
        from_, to = (None, None) if from_ is None else (0, from_)
    elif from_ is None and to is not None:      # random_(to=n)
        from_ = 0
    return _fill(self, _draw(self._device, generator, 'random_', self._data.shape, _np(self.dtype), from_, to))


def bernoulli_(self, p=0.5, *, generator=None):
    check_inplace(self)
    if isinstance(p, Tensor):
        _check_probs(p)
        data = _draw(self._device, generator, 'bernoulli_tensor', p._data, self._data.shape, _np(self.dtype))
    else:
        data = _draw(self._device, generator, 'bernoulli', float(p), self._data.shape, _np(self.dtype))
    return _fill(self, data)


# the C++ scalar type each non-float dtype prints as in torch's cauchy_ error
_C_TYPE = {D.int8: 'signed char', D.int16: 'short int', D.int32: 'int', D.int64: 'long int', D.uint8: 'unsigned char',
           D.uint16: 'short unsigned int', D.uint32: 'unsigned int', D.uint64: 'long unsigned int', D.bool: 'bool',
           D.complex64: 'c10::complex<float>', D.complex128: 'c10::complex<double>'}


def _continuous_only(self, name, type_name):
    if not self.dtype.is_floating_point:
        raise RuntimeError(f'{name} distribution is a continuous probability distribution. dtype must be a '
                           f'floating point but you specified {type_name}')


def _not_for(self, kernel, bad):
    if bad:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{D.type_name(self.dtype)}\'')


def exponential_(self, lambd=1.0, *, generator=None):
    check_inplace(self)
    _continuous_only(self, 'Exponential', D.type_name(self.dtype))
    return _fill(self, _draw(self._device, generator, 'exponential', self._data.shape, _np(self.dtype),
                             float(lambd)))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    check_inplace(self)
    _continuous_only(self, 'Cauchy', _C_TYPE.get(self.dtype))
    return _fill(self, _draw(self._device, generator, 'cauchy', self._data.shape, _np(self.dtype),
                             float(median), float(sigma)))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    check_inplace(self)
    _not_for(self, 'log_normal_cpu', not self.dtype.is_floating_point)
    return _fill(self, _draw(self._device, generator, 'log_normal', self._data.shape, _np(self.dtype),
                             float(mean), float(std)))


def geometric_(self, p, *, generator=None):
    check_inplace(self)
    _not_for(self, 'geometric_cpu', self.dtype in (D.bool, D.uint16, D.uint32, D.uint64) or self.dtype.is_complex)
    return _fill(self, _draw(self._device, generator, 'geometric', self._data.shape, _np(self.dtype),
                             float(p)))


for _f in (rand, randn, randint, randperm, rand_like, randn_like, randint_like, normal, poisson):
    register(_f, method=False)
for _f in (bernoulli, multinomial):
    register(_f)
for _f in (uniform_, normal_, random_, bernoulli_, exponential_, cauchy_, log_normal_, geometric_):
    register(_f, function=False)
