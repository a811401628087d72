"""Random ops on torch's CPU generator (faketorch._rng): the same numbers as torch after the same
seed. Each draws into a fresh array in the output's memory order, as torch's kernels fill it."""
import math
import operator
import re

from .. import _xnp as np

from .. import _dtype as D
from .. import _rng
from .. import random as _random     # (imports nothing of faketorch's ops; a function-level import costs ~9k instructions a call)
from ..random import _tp_name
from .._tensor import Tensor, _make
from ..autograd.grad_mode import state as grad_state
from ._core import (_OVERLAP, attach, broadcast_shapes as _broadcast_shapes, check_inplace, commit_inplace, expanded,
                    kernel_error, register, write_out, zero_grad)
from .._device import device as _device_cls
from .. import _meta
from .factory import _cpu, _dev, _dtype_arg, _fill_value, _finish, _is_int, _size
from .reduction import _ARG_TYPES
from .sorting import topk as _topk


def _gen(generator, device=None):
    if generator is None:
        return _random.default_generator
    if device is not None and generator.device.type != device.type:
        raise RuntimeError(f"Expected a '{device.type}' device type for generator but found '{generator.device.type}'")
    return generator


def _draw(device, generator, name, *args):
    """_rng.<name>(generator, *args) on torch's CPU stream; on a CUDA device with the default
    generator, CuPy's generator draws on the GPU instead (faketorch.cuda.random.draw); on meta, nothing
    is drawn."""
    if device.type == 'meta':
        return _meta.draw(name, args)
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


# torch's overloads, as its "invalid combination of arguments" message lists them
_FACTORY_TAIL = ('Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, '
                 'bool pin_memory = False, bool requires_grad = False')
_LIKE_TAIL = ('torch.memory_format memory_format = None, torch.dtype dtype = None, torch.layout layout = None, '
              'torch.device device = None, bool pin_memory = False, bool requires_grad = False')


def _with_gen(head, tail):
    return (f'({head}, *, torch.Generator generator, {tail})', f'({head}, *, {tail})')


_SIGS = {
    'rand': _with_gen('tuple of ints size', _FACTORY_TAIL),
    'randn': _with_gen('tuple of ints size', _FACTORY_TAIL),
    'randperm': _with_gen('int n', _FACTORY_TAIL),
    'randint': _with_gen('int high, tuple of ints size', _FACTORY_TAIL)
    + _with_gen('int low, int high, tuple of ints size', _FACTORY_TAIL),
    'randint_like': _with_gen('Tensor input, int low, int high', _LIKE_TAIL)
    + _with_gen('Tensor input, Tensor high', _LIKE_TAIL) + _with_gen('Tensor input, int high', _LIKE_TAIL),
    'rand_like': _with_gen('Tensor input', _LIKE_TAIL),
    'randn_like': _with_gen('Tensor input', _LIKE_TAIL),
    'normal': ('(Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)',
               '(Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None)',
               '(float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)',
               f'(float mean, float std, tuple of ints size, *, torch.Generator generator = None, {_FACTORY_TAIL})'),
    'bernoulli': ('(Tensor input, *, torch.Generator generator = None, Tensor out = None)',
                  '(Tensor input, float p, *, torch.Generator generator = None)'),
    'Tensor.bernoulli': ('(*, torch.Generator generator = None)', '(float p, *, torch.Generator generator = None)'),
    'bernoulli_': ('(Tensor p, *, torch.Generator generator = None)',
                   '(float p = 0.5, *, torch.Generator generator = None)'),
    'random_': ('(*, torch.Generator generator = None)', '(int from, int to, *, torch.Generator generator = None)',
                '(int to, *, torch.Generator generator = None)'),
}


def _bad_args(fname, args, kwargs, sigs=None):
    from .reduction import _invalid_combination
    msg = _invalid_combination(fname, sigs or _SIGS[fname], args, kwargs)
    # torch names its own types: torch._C.Generator, torch.dtype (not faketorch._dtype.dtype)
    msg = re.sub(r'\bfaketorch(\.\w+)*\.Generator\b', 'torch._C.Generator', msg)
    return TypeError(re.sub(r'\bfaketorch(\.\w+)*\.(\w+)', r'torch.\2', msg))


def _kw_ok(k, v):
    """Whether a factory keyword's value has the type torch's parser takes (None always does)."""
    if v is None:
        return True
    if k == 'dtype':
        return isinstance(v, D.dtype) or v in (float, int, bool, complex)
    if k in ('requires_grad', 'pin_memory'):
        return v.__class__ is bool
    if k == 'out':
        return isinstance(v, Tensor)
    if k == 'device':
        return isinstance(v, (str, int, _device_cls)) and v.__class__ is not bool
    if k == 'generator':
        return _is_gen(v)
    import faketorch
    return k in ('layout', 'memory_format') and isinstance(v, getattr(faketorch, k))


def _is_gen(g):
    if g is None:
        return True
    return isinstance(g, _random.Generator)


def _gen_arg(fname, generator):
    """The type check of a single-overload op's generator= argument."""
    if not _is_gen(generator):
        raise TypeError(f"{fname}(): argument 'generator' must be torch.Generator, not {_tp_name(generator)}")


def _given(**kw):
    """The factory keywords a call passed (those off their defaults), for torch's argument messages."""
    return {k: v for k, v in kw.items() if v is not None and v is not False}      # off the defaults


def _bad_kw(given):
    return not all(_kw_ok(k, v) for k, v in given.items())


def _factory_dtype(dtype, out, fname, default):
    dtype = _dtype_arg(dtype, fname)
    if out is not None and dtype is not None and dtype is not out.dtype:
        raise RuntimeError(f"dtype {D.type_name(dtype)} does not match dtype of out parameter "
                           f"({D.type_name(out.dtype)})")
    return dtype or (out.dtype if out is not None else default)


def _new(data, dt, device, requires_grad, out, fname):
    if out is None:
        return _finish(data, dt, device, requires_grad, fname)
    write_out(out, _finish(data, dt, device, False, fname), fname)
    return out.requires_grad_() if requires_grad else out      # torch's factories flag out= itself


def _in_out(out, shape, requires_grad, fill):
    """torch's *_out kernels fill an out= of the right shape where it lies: in its memory order (and,
    for normal_, by its non-contiguous path). None where out is contiguous or must be resized: the
    fresh draw copied in is the same."""
    if out is None or out._data.flags.c_contiguous or tuple(out.shape) != tuple(shape) or out._requires_grad:
        return None
    fill(out)
    return out.requires_grad_() if requires_grad else out


def _sample(dev, generator, name, shape, dt, *args):
    """_rng.<name> draws of dtype dt; a complex dtype is filled through its real view (real, imag
    interleaved), as torch's uniform_ / normal_, a normal with std / sqrt(2) per part."""
    if not dt.is_complex:
        return _draw(dev, generator, name, shape, _np(dt), *args).reshape(shape)
    if name == 'normal':
        args = (args[0], args[1] / math.sqrt(2)) + args[2:]
    parts = _draw(dev, generator, name, tuple(shape) + (2,), _np(dt.to_real()), *args)
    return parts.view(_np(dt)).reshape(shape)


def _standard(fname, name, kernel):
    """rand / randn: a uniform [0, 1) or standard normal draw of the default float (or dtype=) type."""
    def f(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, **kw):
        if 'size' in kw and not size:
            size = (kw.pop('size'),)
        given = _given(generator=generator, out=out, dtype=dtype, layout=layout, device=device,
                       requires_grad=requires_grad, pin_memory=pin_memory)
        if kw or not size or len(size) > 1 and not _is_int(size[0]) or _bad_kw(given):
            raise _bad_args(fname, size, dict(kw, **given))
        dt = _factory_dtype(dtype, out, fname, D.get_default_dtype())
        if dt._cat < 2 or dt in D.float8_types:
            raise kernel_error(kernel, dt)
        shape = _size(size, fname)
        inplace = uniform_ if name == 'uniform' else normal_
        filled = _in_out(out, shape, requires_grad, lambda o: inplace(o, generator=generator))
        if filled is not None:
            return filled
        return _new(_sample(_dev(device), generator, name, shape, dt, 0.0, 1.0), dt, device, requires_grad, out,
                    fname)
    f.__name__ = f.__qualname__ = fname
    return f


rand = _standard('rand', 'uniform', 'check_uniform_bounds')
randn = _standard('randn', 'normal', 'normal_kernel_cpu')


def _int_arg(v):
    if isinstance(v, Tensor):       # torch's parser takes a 0-d integer tensor as an int
        return v._data.ndim == 0 and v.dtype._cat == 1
    return _is_int(v)


def _index_arg(v):
    """randint's and multinomial's int: a one-element integer tensor of any shape passes too."""
    return _int_arg(v) or isinstance(v, Tensor) and v._data.size == 1 and v.dtype._cat == 1


def _int_sizes(v):
    return isinstance(v, (tuple, list)) and all(_int_arg(d) for d in v)


def _randint_args(args, kwargs):
    """(low, high, size) from torch's overloads (high, size) and (low, high, size), or None."""
    for names in (('high', 'size'), ('low', 'high', 'size')):
        a = dict(zip(names, args))
        if len(args) > len(names) or any(k in a for k in kwargs) or set(kwargs) - set(names):
            continue
        a.update(kwargs)
        if len(a) == len(names) and _index_arg(a['high']) and a.get('low', 0) is not True and \
                _index_arg(a.get('low', 0)) and _int_sizes(a['size']):
            return int(a.get('low', 0)), int(a['high']), a['size']
    return None


def _randint_high_size(args, kwargs):
    """With two arguments only randint(high, size) fits: torch names the argument that does not."""
    a = dict(zip(('high', 'size'), args), **kwargs)
    if set(a) != {'high', 'size'}:
        return
    if not _int_arg(a['high']):
        raise TypeError(f"randint(): argument 'high'{' (position 1)' if args else ''} must be int, not "
                        f"{_tp_name(a['high'])}")
    if not isinstance(a['size'], (tuple, list)):
        raise TypeError(f"randint(): argument 'size'{' (position 2)' if len(args) == 2 else ''} must be tuple of "
                        f"ints, not {_tp_name(a['size'])}")
    if len(args) == 2:
        _size((args[1],), 'randint', pos=2)


def randint(*args, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
            pin_memory=False, **kwargs):
    given = _given(generator=generator, out=out, dtype=dtype, layout=layout, device=device,
                   requires_grad=requires_grad, pin_memory=pin_memory)
    parsed = None if _bad_kw(given) else _randint_args(args, kwargs)
    if parsed is None and len(args) + len(kwargs) == 2 and not _bad_kw(given):
        _randint_high_size(args, kwargs)
    if parsed is None:
        raise _bad_args('randint', args, dict(kwargs, **given))
    low, high, size = parsed
    dt = _factory_dtype(dtype, out, 'randint', D.int64)
    if dt in D.float8_types:
        raise kernel_error('random_update_from_to', dt)
    if dt._cat == 3:
        raise RuntimeError("check_random_bounds handles only integral, floating-point and boolean types")
    shape = _size((size,), 'randint')
    filled = _in_out(out, shape, requires_grad, lambda o: random_(o, low, high, generator=generator))
    if filled is not None:
        return filled
    return _new(_draw(_dev(device), generator, 'randint', low, high, shape, _np(dt)).reshape(shape),
                dt, device, requires_grad, out, 'randint')


# the largest n whose permutation a float dtype holds exactly (torch's check, and how it prints it)
_PERM_MAX = {D.float16: (2049, '2049'), D.float32: (2 ** 24 + 1, '2^24+1'), D.float64: (2 ** 53 + 1, '2^53+1')}


def randperm(*args, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False, **kwargs):
    given = _given(generator=generator, out=out, dtype=dtype, layout=layout, device=device,
                   requires_grad=requires_grad, pin_memory=pin_memory)
    if len(args) + len(kwargs) != 1 or kwargs and 'n' not in kwargs:
        raise _bad_args('randperm', args, dict(kwargs, **given))
    n = args[0] if args else kwargs['n']
    if not _is_int(n):
        raise TypeError(f"randperm(): argument 'n'{' (position 1)' if args else ''} must be int, not {_tp_name(n)}")
    if _bad_kw(given):
        raise _bad_args('randperm', args, dict(kwargs, **given))
    n = operator.index(n)
    if not -2 ** 63 < n < 2 ** 63:
        if n == -2 ** 63:
            raise RuntimeError(f"IntArrayRef contains an int that cannot be represented as a SymInt: {n}")
        raise ValueError("Overflow when unpacking long long")
    dt = _factory_dtype(dtype, out, 'randperm', D.int64)
    dev = _dev(device)
    if dt is D.bool or dt.is_complex or dt in (D.uint16, D.uint32, D.uint64) or dt in D.float8_types:
        raise kernel_error('randperm', dt, dev)
    if dt._cat == 1 and n > 0:
        _fill_value(n - 1, dt)      # torch's check that the largest value fits the dtype
    if dt in _PERM_MAX and n > _PERM_MAX[dt][0]:
        raise RuntimeError(f"n cannot be greater than {_PERM_MAX[dt][1]} for {D.type_name(dt)} type.")
    if dt is D.bfloat16 and dev.type == 'cuda':     # torch's CUDA kernel has no BFloat16 loop
        raise kernel_error('randperm', dt, dev)
    return _new(_draw(dev, generator, 'randperm', n, _np(dt)), dt, device, requires_grad, out, 'randperm')


def _random_like(fname, fill, input, dtype, device, requires_grad, memory_format):
    """As torch: empty_like (which keeps a transposed input's strides), then filled in memory order."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not {_tp_name(input)}")
    from .factory import empty_like
    t = empty_like(input, dtype=dtype or input.dtype, memory_format=memory_format,
                   device=device if device is not None else input._device)
    if requires_grad and t.dtype._cat < 2:
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    fill(t)
    return t.requires_grad_() if requires_grad else t


def _like_args(fname, input, args, kwargs, **kw):
    given = _given(**kw)
    if args or kwargs or _bad_kw(given):
        raise _bad_args(fname, (input,) + args, dict(kwargs, **given))


def _filled_like(fname, sampler):
    """rand_like / randn_like: an input-shaped tensor filled by sampler(t, generator) (named late:
    the in-place samplers are defined below)."""
    def f(input, *args, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None, **kwargs):
        _like_args(fname, input, args, kwargs, generator=generator, dtype=dtype, layout=layout, device=device,
                   requires_grad=requires_grad, pin_memory=pin_memory, memory_format=memory_format)
        return _random_like(fname, lambda t: sampler(t, generator), input, dtype, device, requires_grad,
                            memory_format)
    f.__name__ = fname
    return f


rand_like = _filled_like('rand_like', lambda t, g: uniform_(t, generator=g))
randn_like = _filled_like('randn_like', lambda t, g: normal_(t, generator=g))


def randint_like(input, *args, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
                 pin_memory=False, memory_format=None, **kwargs):
    a = dict(zip(('low', 'high') if len(args) == 2 or 'high' in kwargs else ('high',), args))
    given = _given(generator=generator, dtype=dtype, layout=layout, device=device, requires_grad=requires_grad,
                   pin_memory=pin_memory, memory_format=memory_format)
    ok = isinstance(input, Tensor) and len(args) <= 2 and not set(kwargs) - {'low', 'high'} and \
        not set(a) & set(kwargs) and not _bad_kw(given)
    a.update(kwargs)
    high = a.get('high')
    tensor_high = 'low' not in a and isinstance(high, Tensor) and not _int_arg(high)     # the (input, Tensor high) form
    if not ok or high is None or not tensor_high and not all(_int_arg(v) for v in a.values()):
        raise _bad_args('randint_like', (input,) + args, dict(kwargs, **given))
    if tensor_high:
        if high._data.ndim:
            raise RuntimeError("high must be a scalar tensor and on CPU")
        high = high.item()
        if isinstance(high, complex) and high.imag:
            raise RuntimeError("value cannot be converted to type int64_t without overflow")
        high = int(high.real) if isinstance(high, complex) else int(high)
    low, high = int(a.get('low', 0)), int(high)
    dt = _dtype_arg(dtype, 'randint_like') or input.dtype
    if dt._cat == 3:
        raise RuntimeError("check_random_bounds handles only integral, floating-point and boolean types")
    return _random_like('randint_like', lambda t: random_(t, low, high, generator=generator), input, dt, device,
                        requires_grad, memory_format)


def _normal_overload(a, factory):
    """Which of torch.normal's overloads (numbered as _SIGS['normal']) the arguments fit, or None."""
    mean, std, size = a.get('mean'), a.get('std', 1.0), a.get('size')
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if size is None and not factory and 'mean' in a:
        if mt and st:
            return 0
        if mt and _float_arg(std):
            return 1
        if st and _float_arg(mean):
            return 2
    if 'std' in a and _float_arg(mean) and _float_arg(std) and _int_sizes(size):
        return 3
    return None


def normal(*args, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
           pin_memory=False, **kwargs):
    """torch.normal(Tensor, Tensor), (Tensor, float), (float, Tensor) and (float, float, size)."""
    a = dict(zip(('mean', 'std', 'size'), args))
    factory = _given(dtype=dtype, layout=layout, device=device, requires_grad=requires_grad, pin_memory=pin_memory)
    which = None
    if len(args) <= 3 and not set(kwargs) - {'mean', 'std', 'size'} and not set(a) & set(kwargs) \
            and not _bad_kw(dict(factory, generator=generator, out=out)):
        a.update(kwargs)
        which = _normal_overload(a, factory)
    if which is None:
        if a and 'mean' not in a:
            raise TypeError('normal() missing 1 required positional arguments: "mean"')
        if len(args) == 3 and isinstance(args[2], (tuple, list)) and args[2] and _int_arg(args[2][0]) \
                and _float_arg(args[0]) and _float_arg(args[1]):
            _size((args[2],), 'normal', pos=3)      # a later element of size is named by the parser
        raise _bad_args('normal', args, dict(kwargs, **_given(generator=generator, out=out), **factory))
    mean, std = a['mean'], a.get('std', 1.0)
    if which == 3:
        dt = _factory_dtype(dtype, out, 'normal', D.get_default_dtype())
        if dt._cat < 2 or dt in D.float8_types:
            raise kernel_error('normal_kernel_cpu', dt)
        shape = _size((a['size'],), 'normal')
        filled = _in_out(out, shape, requires_grad, lambda o: normal_(o, float(mean), float(std), generator=generator))
        if filled is not None:
            return filled
        return _new(_sample(_dev(device), generator, 'normal', shape, dt, float(mean), float(std)), dt, device,
                    requires_grad, out, 'normal')
    mt, st = which != 2, which != 1
    if not st and not float(std) >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_rng._g(float(std))}")
    if st:
        if std.dtype.is_complex:
            raise RuntimeError("normal expects standard deviation to be non-complex")
        _not_for(std, 'min_all', std.dtype in (D.uint16, D.uint32, D.uint64) and std._data.size)   # std.min() >= 0
        if not (np.host(std._data) >= 0).all():
            raise RuntimeError("normal expects all elements of std >= 0.0")
    ref = mean if mt else std
    if ref.dtype._cat < 2 or ref.dtype in D.float8_types:
        raise kernel_error('normal_kernel_cpu', ref.dtype)
    shape = _broadcast_shapes(mean.shape, std.shape) if mt and st else ref.shape
    dt = out.dtype if out is not None else ref.dtype        # torch draws into out= itself
    m, sd = mean._data if mt else float(mean), std._data if st else float(std)
    if not any(isinstance(t, Tensor) and t._requires_grad for t in (mean, std)) and _in_out(
            out, shape, False, lambda o: normal_(o, 0.0, 1.0 if st else sd, generator=generator)) is not None:
        return out.mul_(std).add_(mean) if st else out.add_(mean)
    if dt.is_complex:       # normal_(0, std) (or normal_() then *= std), then += mean
        data = _sample(ref._device, generator, 'normal', shape, dt, 0.0, 1.0 if st else sd)
        data = ((data * sd).astype(data.dtype) if st else data) + m
    else:
        data = _draw(ref._device, generator, 'normal_tensor', m, sd, _np(dt))
    r = _make(np.asarray(data, D.np_dtype(dt)), dt, ref._device)
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


_NO_BERNOULLI = (D.uint16, D.uint32, D.uint64, D.complex64, D.complex128, *D.float8_types)     # dtypes its kernels lack


def _p_in_range(name, p):
    """torch checks a scalar p before its kernel meets the dtype (the draw checks it again)."""
    p = float(p)
    if not (0 <= p <= 1 if name == 'bernoulli' else 0 < p < 1):
        raise RuntimeError(f"{name}_ expects p to be in {'[0, 1]' if name == 'bernoulli' else '(0, 1)'}, but got "
                           f"p={_rng._g(p)}")


def bernoulli(input, p=None, *, generator=None, out=None):
    if not isinstance(input, Tensor):
        raise TypeError(f"bernoulli(): argument 'input' (position 1) must be Tensor, not {_tp_name(input)}")
    if p is not None and not _float_arg(p) or not _is_gen(generator):
        raise _bad_args('bernoulli', (input,) if p is None else (input, p), _given(generator=generator, out=out))
    dt = out.dtype if out is not None and p is None else input.dtype     # torch fills out= itself
    if p is None and _in_out(out, input.shape, False, lambda o: bernoulli_(o, input, generator=generator)) is not None:
        return out
    if p is not None:
        _p_in_range('bernoulli', p)
        _not_for(input, 'bernoulli_scalar_cpu_', input.dtype in _NO_BERNOULLI)
        data = _draw(input._device, generator, 'bernoulli', float(p), input._data.shape, _np(dt))
    else:
        if out is not None:     # torch fills out= with bernoulli_(out, input): out's dtype meets the kernel first
            _not_for(out, 'bernoulli_tensor_cpu_self_', out.dtype in _NO_BERNOULLI)
        _not_for(input, 'bernoulli_tensor_cpu_self_', input.dtype in _NO_BERNOULLI)
        _not_for(input, 'bernoulli_tensor_cpu_p_', input.dtype._cat != 2)
        _check_probs(input)
        data = _draw(input._device, generator, 'bernoulli_tensor', input._data, input._data.shape, _np(dt))
    r = _make(np.asarray(data).reshape(input._data.shape), dt, input._device)
    if p is None:
        _zero_grad_node('BernoulliBackward0', (input,), r)
    elif grad_state.enabled and input._requires_grad:
        attach('NotImplemented', _no_derivative('bernoulli'), (input,), (r,))
    return write_out(out, r, 'bernoulli') if out is not None else r


def _bernoulli_method(self, *args, generator=None, **kwargs):
    """Tensor.bernoulli(p=None): its own overloads, (*, generator) and (float p, *, generator)."""
    if len(args) > 1:
        raise TypeError(f"bernoulli() takes 1 positional argument but {len(args)} were given")
    if args and 'p' in kwargs:
        raise TypeError("bernoulli() got multiple values for argument 'p'")
    p = args[0] if args else kwargs.get('p')
    if set(kwargs) - {'p'} or p is not None and not _float_arg(p) or p is None and not _is_gen(generator):
        raise _bad_args('bernoulli', args, dict(kwargs, **_given(generator=generator)), _SIGS['Tensor.bernoulli'])
    _gen_arg('bernoulli', generator)
    return bernoulli(self, p, generator=generator)


def _no_derivative(name):
    def bwd(node, g):
        raise RuntimeError(f"derivative for aten::{name} is not implemented")
    return bwd


def _tensor_arg(fname, input):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not {_tp_name(input)}")


def multinomial(input, *args, generator=None, out=None, **kwargs):
    _tensor_arg('multinomial', input)
    return _multinomial(input, args, kwargs, generator, out, 0)


def _multinomial_method(self, *args, generator=None, **kwargs):
    return _multinomial(self, args, kwargs, generator, None, 1)


def _multinomial(input, args, kwargs, generator, out, shift):
    """torch.multinomial(input, num_samples, replacement=False) and the method (positions one less)."""
    names = ('num_samples', 'replacement')
    if len(args) > 2:
        raise TypeError(f"multinomial() takes from {2 - shift} to {3 - shift} positional arguments but "
                        f"{len(args) + 1 - shift} were given")
    for k in kwargs:
        if k not in names:
            raise TypeError(f"multinomial() got an unexpected keyword argument '{k}'")
    a = dict(kwargs, **dict(zip(names, args)))
    if 'num_samples' not in a:
        raise TypeError('multinomial() missing 1 required positional arguments: "num_samples"')
    num_samples, replacement = a['num_samples'], a.get('replacement', False)
    for i, (name, v, typ, ok) in enumerate((('num_samples', num_samples, 'int', _index_arg(num_samples)),
                                            ('replacement', replacement, 'bool', replacement.__class__ is bool))):
        if not ok:
            where = f' (position {i + 2 - shift})' if i < len(args) else ''
            raise TypeError(f"multinomial(): argument '{name}'{where} must be {typ}, not {_tp_name(v)}")
    _gen_arg('multinomial', generator)
    if out is not None and out.dtype is not D.int64:
        raise RuntimeError(f"multinomial expects Long tensor out, got: {D.type_name(out.dtype)}")
    a = input._data
    if a.ndim in (1, 2) and input.dtype._cat != 2:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{D.type_name(input.dtype)}")
    if a.ndim in (1, 2) and input.dtype in D.float8_types:      # torch's first look at the probabilities
        raise kernel_error('aminmax_cpu', input.dtype, input._device)
    # the noise of the draw without replacement is drawn as empty_like(input): a transposed input's memory order
    transposed = a.ndim == 2 and a.strides[0] < a.strides[1] and min(a.shape) > 1
    data = _rng.multinomial(_gen(generator, input._device), np.host(a), int(num_samples), replacement, transposed,
                            lambda keys, k: _topk(_make(keys, input.dtype, _cpu), k).indices._data)
    r = _make(np.asarray(data, np.int64), D.int64, input._device)
    return write_out(out, r, 'multinomial') if out is not None else r


def poisson(*args, **kwargs):
    """torch.poisson(input, generator=None)."""
    if len(args) > 2:
        raise TypeError(f"poisson() takes from 1 to 2 positional arguments but {len(args)} were given")
    for k in kwargs:
        if k not in ('input', 'generator'):
            raise TypeError(f"poisson() got an unexpected keyword argument '{k}'")
    a = dict(kwargs, **dict(zip(('input', 'generator'), args)))
    if 'input' not in a:
        raise TypeError('poisson() missing 1 required positional arguments: "input"')
    input, generator = a['input'], a.get('generator')
    _tensor_arg('poisson', input)
    if not _is_gen(generator):
        raise TypeError(f"poisson(): argument 'generator'{' (position 2)' if len(args) > 1 else ''} must be "
                        f"torch.Generator, not {_tp_name(generator)}")
    _not_for(input, 'poisson_cpu', not input.dtype.is_floating_point)
    a = np.host(input._data)
    if a.size and not (a >= 0).all():
        raise RuntimeError('invalid Poisson rate, expected rate to be non-negative')
    data = _rng.poisson(_gen(generator, input._device), np.host(input._data), input._data.dtype)
    r = _make(np.asarray(data, input._data.dtype).reshape(input._data.shape), input.dtype, input._device)
    _zero_grad_node('PoissonBackward0', (input,), r)
    return r


# --- in-place fills ----------------------------------------------------------------------------

def _fill(self, data, node=None, p=None):
    """Write values drawn in memory order into self (which may be a non-contiguous view). With grad
    history, self becomes the output of torch's node `node`, whose gradient is zero."""
    a = self._data
    _check_overlap(a)
    if self.dtype is D.bfloat16:        # CuPy's draws are float32; the host's are bfloat16 values already
        data = D.as_bf16(data)
    if a.flags.c_contiguous:
        a[...] = np.asarray_on(data, a).reshape(a.shape)
    else:
        view = a.transpose(_memory_order(a))
        view[...] = np.asarray_on(data, a).reshape(view.shape)
    if node is not None and grad_state.enabled and (self._requires_grad or p is not None and p._requires_grad or
                                                    self._base is not None and self._base._requires_grad
                                                    and self._view_fn is not None):
        r = _make(a, self.dtype, self._device)
        if p is None:
            attach(node, lambda n, g: (zero_grad(g),), (self,), (r,))
        else:
            attach(node, lambda n, g: (zero_grad(g), _make(np.zeros_like(p._data), p.dtype, p._device)), (self, p),
                   (r,))
        return commit_inplace(self, r)
    self._vc[0] += 1
    return self


def _memory_order(a):
    """The axes of a from outermost to innermost in memory: the order torch's kernels fill it in."""
    return sorted(range(a.ndim), key=lambda i: -a.strides[i])


def _check_overlap(a):
    if expanded(a):
        raise RuntimeError(_OVERLAP)


def _float_only(self, fname):
    if self.dtype._cat < 2 or self.dtype in D.float8_types:
        raise NotImplementedError(f'"{fname}" not implemented for \'{D.type_name(self.dtype)}\'')


def _floats(fname, names, args, kwargs):
    """torch's parsing of an in-place sampler's float parameters (given positionally or by name)."""
    vals = args + tuple(kwargs.get(name, default) for name, default in names[len(args):])
    if all(v.__class__ is float or v.__class__ is int for v in vals):     # the usual case
        return [float(v) for v in vals]
    out = []
    for i, (name, default) in enumerate(names):
        v, where = (args[i], f' (position {i + 1})') if i < len(args) else (kwargs.get(name, default), '')
        if v is _REQUIRED:
            raise TypeError(f'{fname}() missing 1 required positional arguments: "{name}"')
        if not _float_arg(v):
            raise TypeError(f"{fname}(): argument '{name}'{where} must be float, not {_tp_name(v)}")
        out.append(float(v))
    return out


_REQUIRED = object()


def _sampler(fname, params, body):
    """An in-place sampler Tensor.<fname>(float params..., *, generator=None)."""
    def f(self, *args, generator=None, **kwargs):
        check_inplace(self)
        if len(args) > len(params):
            raise TypeError(f"{fname}() takes from 0 to {len(params)} positional arguments but {len(args)} were "
                            f"given")
        for k in kwargs:
            if k not in [name for name, _ in params]:
                raise TypeError(f"{fname}() got an unexpected keyword argument '{k}'")
        _gen_arg(fname, generator)
        return body(self, generator, *_floats(fname, params, args, kwargs))
    f.__name__ = f.__qualname__ = fname
    return f


def _uniform(self, generator, from_, to):
    _float_only(self, 'check_uniform_bounds')
    return _fill(self, _sample(self._device, generator, 'uniform', self._data.shape, self.dtype, from_, to),
                 'UniformBackward0')


def _normal(self, generator, mean, std):
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_rng._g(std)}")
    _float_only(self, 'normal_kernel_cpu')
    return _fill(self, _sample(self._device, generator, 'normal', self._data.shape, self.dtype, mean, std,
                               bool(self._data.flags.c_contiguous)), 'NormalBackward0')


uniform_ = _sampler('uniform_', (('from', 0.0), ('to', 1.0)), _uniform)
normal_ = _sampler('normal_', (('mean', 0.0), ('std', 1.0)), _normal)


def random_(self, *args, generator=None, **kwargs):
    """random_(), random_(to), random_(from, to) and random_(from, None): up to the dtype's largest value."""
    check_inplace(self)
    if len(args) > 2:
        raise TypeError(f"random_() takes 2 positional arguments but {len(args)} were given")
    a = dict(zip(('from', 'to') if len(args) == 2 else ('to',), args))
    ok = len(args) <= 2 and not set(kwargs) - {'from', 'to'} and not set(a) & set(kwargs)
    a.update(kwargs)
    ok = ok and ('to' in a or not a) and all(_int_arg(v) or k == 'to' and v is None and 'from' in a
                                             for k, v in a.items())
    if not ok or len(args) < 2 and not _is_gen(generator):
        raise _bad_args('random_', args, dict(kwargs, **_given(generator=generator)))
    _gen_arg('random_', generator)
    _check_overlap(self._data)
    if self.dtype.is_complex:
        if a:
            raise RuntimeError("check_random_bounds handles only integral, floating-point and boolean types")
        raise kernel_error('random_kernel_cpu', self.dtype)
    if self.dtype in D.float8_types:     # after random_'s bounds check
        if a:
            _draw(self._device, generator, 'random_', (0,), np.float32, int(a.get('from', 0)),
                  a['to'] if a['to'] is None else int(a['to']))
        raise kernel_error('random_update_from_to' if a else 'random_kernel_cpu', self.dtype)
    if not a:
        from_, to, node = None, None, 'RandomBackward2'
    elif 'from' in a:
        from_, to, node = int(a['from']), a['to'] if a['to'] is None else int(a['to']), 'RandomBackward0'
    else:
        from_, to, node = 0, int(a['to']), 'RandomBackward1'
    return _fill(self, _draw(self._device, generator, 'random_', self._data.shape, _np(self.dtype), from_, to), node)


def bernoulli_(self, *args, generator=None, **kwargs):
    """bernoulli_(p=0.5) with p a float or a tensor broadcast to self."""
    check_inplace(self)
    p = args[0] if args else kwargs.get('p', 0.5)
    if len(args) > 1 or set(kwargs) - {'p'} or args and kwargs or not isinstance(p, Tensor) and not _float_arg(p) \
            or not _is_gen(generator):
        raise _bad_args('bernoulli_', args, dict(kwargs, **_given(generator=generator)))
    if isinstance(p, Tensor):
        _check_overlap(self._data)
        _not_for(self, 'bernoulli_tensor_cpu_self_', self.dtype in _NO_BERNOULLI)
        _not_for(p, 'bernoulli_tensor_cpu_p_', p.dtype._cat != 2)
        _check_probs(p)
        pb = p.expand(self.shape)._data      # torch's expand errors for a p that does not broadcast to self
        if not self._data.flags.c_contiguous:       # each draw meets the p of the element it fills
            pb = pb.transpose(_memory_order(self._data))
        data = _draw(self._device, generator, 'bernoulli_tensor', pb, pb.shape, _np(self.dtype))
        return _fill(self, data, 'BernoulliBackward1', p)
    _p_in_range('bernoulli', p)
    _not_for(self, 'bernoulli_scalar_cpu_', self.dtype in _NO_BERNOULLI)
    data = _draw(self._device, generator, 'bernoulli', float(p), self._data.shape, _np(self.dtype))
    return _fill(self, data, 'BernoulliBackward2')


def _float_arg(v):
    return _ARG_TYPES['float'](v)


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


def _float8_refused(self, generator, kernel, name, *params):
    """torch checks a sampler's parameters, then finds no float8 loop: the checks run on an empty draw."""
    if self.dtype in D.float8_types:
        _draw(self._device, generator, name, (0,), np.float32, *params)
        raise kernel_error(kernel, self.dtype)


def _exponential(self, generator, lambd):
    _continuous_only(self, 'Exponential', D.type_name(self.dtype))
    _float8_refused(self, generator, 'exponential_cpu', 'exponential', lambd)
    return _fill(self, _draw(self._device, generator, 'exponential', self._data.shape, _np(self.dtype), lambd),
                 'ExponentialBackward0')


def _cauchy(self, generator, median, sigma):
    _continuous_only(self, 'Cauchy', _C_TYPE.get(self.dtype))
    _float8_refused(self, generator, 'cauchy_cpu', 'cauchy', median, sigma)
    return _fill(self, _draw(self._device, generator, 'cauchy', self._data.shape, _np(self.dtype), median, sigma),
                 'CauchyBackward0')


def _log_normal(self, generator, mean, std):
    _not_for(self, 'log_normal_cpu', not self.dtype.is_floating_point)
    _float8_refused(self, generator, 'log_normal_cpu', 'log_normal', mean, std)
    return _fill(self, _draw(self._device, generator, 'log_normal', self._data.shape, _np(self.dtype), mean, std),
                 'LogNormalBackward0')


def _geometric(self, generator, p):
    _p_in_range('geometric', p)
    _not_for(self, 'geometric_cpu', self.dtype in (D.bool, D.uint16, D.uint32, D.uint64) or self.dtype.is_complex
             or self.dtype in D.float8_types)
    return _fill(self, _draw(self._device, generator, 'geometric', self._data.shape, _np(self.dtype), p),
                 'GeometricBackward0')


exponential_ = _sampler('exponential_', (('lambd', 1.0),), _exponential)
cauchy_ = _sampler('cauchy_', (('median', 0.0), ('sigma', 1.0)), _cauchy)
log_normal_ = _sampler('log_normal_', (('mean', 1.0), ('std', 2.0)), _log_normal)
geometric_ = _sampler('geometric_', (('p', _REQUIRED),), _geometric)


for _f in (rand, randn, randint, randperm, rand_like, randn_like, randint_like, normal, poisson):
    register(_f, method=False)
register(bernoulli, method=False)
register(_bernoulli_method, name='bernoulli', function=False)
register(multinomial, method=False)
register(_multinomial_method, name='multinomial', function=False)
for _f in (uniform_, normal_, random_, bernoulli_, exponential_, cauchy_, log_normal_, geometric_):
    register(_f, function=False)
