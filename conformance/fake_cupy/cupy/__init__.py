"""A stand-in for CuPy on a machine without a GPU, for testing faketorch's CUDA path (CI has no GPU).

Arrays live in host memory (each wraps a NumPy array), but behave as CuPy's do where faketorch can
go wrong: NumPy will not convert them implicitly (np.asarray raises CuPy's TypeError), a ufunc or a
NumPy function given both one of them and a NumPy array (a 0-d one too) raises as CuPy does, a
NumPy array cannot be assigned into them, `.get()` copies to the host, `accumulate` exists only
for add and multiply, and an integer index array wraps an out-of-range index around (NumPy raises).
Its namespace is CuPy 14.2's: names CuPy lacks (NumPy's `spacing`, `insert`, `linalg.multi_dot`,
`ndarray.resize`, ...) are refused, and so are arguments CuPy's functions and ndarray methods do not
take (_cupy14.json, listed from an installed CuPy 14.2.0: `dir()` of its namespaces, the signatures
of its Python functions and the signature lines of its compiled ones). One device, index 0. Put
this folder first on sys.path to use it.
"""
import json
import os
import types
import weakref

import numpy as _np
from numpy.lib.mixins import NDArrayOperatorsMixin

__version__ = '0.0-emulated'
_live = weakref.WeakValueDictionary()      # id -> every array alive, for the memory pool's byte counts
with open(os.path.join(os.path.dirname(__file__), '_cupy14.json')) as _f:
    _CUPY = json.load(_f)
_NAMES = {ns: frozenset(v) for ns, v in _CUPY['names'].items()}
_IMPLICIT = ('Implicit conversion to a NumPy array is not allowed. Please use `.get()` to construct a '
             'NumPy array explicitly.')


def _unwrap(x):
    if isinstance(x, ndarray):
        return x._a
    if x.__class__ is _np.ndarray:
        raise TypeError(f'Unsupported type {type(x)}')
    if isinstance(x, (list, tuple)) and x.__class__ in (list, tuple):
        return type(x)(_unwrap(v) for v in x)
    if isinstance(x, dict):
        return {k: _unwrap(v) for k, v in x.items()}
    return x


def _wrap(x, parent=None):
    """NumPy results as CuPy-like arrays; a view of `parent` gets parent's owner as its .base."""
    if x.__class__ is _np.ndarray:
        w = ndarray(x)
        if parent is not None and x.base is not None and (x.base is parent._a or x.base is parent._a.base):
            w._base = parent if parent._base is None else parent._base
        return w
    if isinstance(x, _np.generic):        # CuPy's reductions and ufuncs give 0-d arrays, not scalars
        return ndarray(_np.asarray(x))
    if isinstance(x, tuple):              # NumPy's named results (SVDResult ...) are CuPy's plain tuples
        return tuple(_wrap(v, parent) for v in x)
    if isinstance(x, list):
        return [_wrap(v, parent) for v in x]
    return x


def _first(args):
    for a in args:
        if isinstance(a, ndarray):
            return a
        if isinstance(a, (list, tuple)):
            f = _first(a)
            if f is not None:
                return f
    return None


def _index(idx):
    """Indices may mix CuPy and NumPy arrays (CuPy copies NumPy index arrays to the device)."""
    if isinstance(idx, ndarray):
        return idx._a
    if isinstance(idx, tuple):
        return tuple(_index(i) for i in idx)
    if isinstance(idx, list):
        return [_index(i) for i in idx]
    return idx


def _wrap_around(shape, idx):
    """CuPy's integer-array indexing wraps an out-of-range index around (x[[1, 3]] of 3 elements is
    x[[1, 0]]) where NumPy raises IndexError; an integer or a slice is checked as in NumPy."""
    tup = idx if isinstance(idx, tuple) else (idx,)
    arrays = [_np.asarray(i) if isinstance(i, (_np.ndarray, list)) else None for i in tup]
    used = sum(0 if i is None or i is Ellipsis else a.ndim if a is not None and a.dtype == bool else 1
               for i, a in zip(tup, arrays))
    out, ax = [], 0
    for i, a in zip(tup, arrays):
        if i is Ellipsis:
            ax += len(shape) - used
        elif a is not None and a.dtype.kind in 'iu':
            if ax < len(shape) and shape[ax] and a.size:
                i = a % shape[ax]
            ax += 1
        elif a is not None:
            ax += a.ndim
        elif i is not None:
            ax += 1
        out.append(i)
    return tuple(out) if isinstance(idx, tuple) else out[0]


class _Flags:
    def __init__(self, a):
        self.c_contiguous = a.flags.c_contiguous
        self.f_contiguous = a.flags.f_contiguous
        self.owndata = a.flags.owndata


class Device:
    def __init__(self, device=None):
        self.id = 0 if device is None else int(device)
        if self.id != 0:
            raise RuntimeError('cudaErrorInvalidDevice: invalid device ordinal')

    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False

    def synchronize(self):
        pass

    @property
    def compute_capability(self):
        return '90'

    def __repr__(self):
        return f'<CUDA Device {self.id}>'


class ndarray(NDArrayOperatorsMixin):
    __slots__ = ('_a', '_base', '__weakref__')
    __hash__ = None

    def __init__(self, shape, dtype=float, memptr=None, strides=None, order='C'):
        a = shape if shape.__class__ is _np.ndarray else _np.empty(shape, dtype, order=order)
        if not a.flags.writeable:       # CuPy has no read-only arrays (its broadcast views are writable)
            try:
                a = a.view()
                a.flags.writeable = True
            except ValueError:
                pass
        self._a = a
        self._base = None
        _live[id(self)] = self

    def __array__(self, *a, **k):
        raise TypeError(_IMPLICIT)

    def __array_ufunc__(self, ufunc, method, *inputs, **kw):
        if ufunc.__name__ not in _NAMES['cupy']:         # CuPy runs its own ufunc of that name: none here
            return NotImplemented
        if method != '__call__':        # as CuPy: its own ufunc's method, for array and scalar operands only
            if not all(isinstance(x, (ndarray, _np.ndarray)) or type(x) in _SCALARS for x in inputs):
                return NotImplemented
            f = _ufunc_named(ufunc.__name__)
            if f is None:
                return NotImplemented
            return getattr(f, method)(*inputs, **kw)
        args = tuple(_unwrap(x) for x in inputs)
        outs = kw.get('out')
        if outs is not None:
            kw['out'] = tuple(_unwrap(o) for o in outs)
            for o in kw['out']:
                _no_race(o, args)
        if 'where' in kw:
            kw['where'] = _unwrap(kw['where'])
        res = ufunc(*args, **kw)
        if outs is not None:
            return outs[0] if len(outs) == 1 else tuple(outs)
        return _wrap(res)

    def __array_function__(self, func, types, args, kwargs):
        # as CuPy: NumPy's numpy.X / numpy.linalg.X / ... runs cupy's function of that name, if it has one
        ns = 'cupy' + func.__module__[5:] if func.__module__.startswith('numpy') else None
        if func.__name__ not in _NAMES.get(ns, ()):
            return NotImplemented
        _check_params(f'{ns}.{func.__name__}', args, kwargs)
        _no_device(func.__name__, kwargs)        # np.ones(..., like=a) passes NumPy 2's device=None on
        _check_axis(func.__name__, args[0] if args else None, args[1:], kwargs)
        a, kw = _unwrap(args), _unwrap(kwargs)
        if func.__name__ == 'copyto':
            _no_race(a[0] if a else kw['dst'], (a[1] if len(a) > 1 else kw['src'],))
        if func.__name__ == 'take':                 # CuPy's take wraps out-of-range indices around
            kw['mode'] = 'wrap'
        elif func.__name__ == 'take_along_axis' and len(a) == 2 and kw.get('axis') is not None \
                and a[0].shape[kw['axis']]:
            a = (a[0], a[1] % a[0].shape[kw['axis']])
        return _wrap(func(*a, **kw), _first(args))

    # -- attributes ------------------------------------------------------------------------------
    @property
    def shape(self):
        return self._a.shape

    @shape.setter
    def shape(self, value):          # as CuPy: AttributeError when only a copy could reshape
        self._a.shape = value

    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    strides = property(lambda self: self._a.strides)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    flags = property(lambda self: _Flags(self._a))
    device = property(lambda self: Device(0))
    T = property(lambda self: _wrap(self._a.T, self))
    mT = property(lambda self: _wrap(self._a.mT, self))
    real = property(lambda self: _wrap(self._a.real, self), lambda self, v: self._a.real.__setitem__(..., _unwrap(v)))
    imag = property(lambda self: _wrap(self._a.imag, self), lambda self, v: self._a.imag.__setitem__(..., _unwrap(v)))
    base = property(lambda self: self._base)

    @property
    def __cuda_array_interface__(self):
        return {'shape': self.shape, 'typestr': self.dtype.str, 'version': 3,
                'data': (self._a.__array_interface__['data'][0], False), 'strides': self.strides}

    @property
    def data(self):
        return types.SimpleNamespace(ptr=self._a.__array_interface__['data'][0])

    def __getattr__(self, name):            # methods: reshape, astype, sum, transpose, ...
        if name not in _NAMES['ndarray'] or name.startswith('__'):     # not __array_interface__ & co
            raise AttributeError(f"'cupy.ndarray' object has no attribute '{name}'")
        attr = getattr(self._a, name)
        if not callable(attr):
            return _wrap(attr, self)

        def method(*args, **kwargs):
            _check_params(f'cupy.ndarray.{name}', args, kwargs, _CUPY['ndarray_params'].get(name))
            _check_axis(name, self, args, kwargs)
            if 'out' in kwargs:
                kwargs['out'] = _unwrap(kwargs['out'])
            return _wrap(attr(*_unwrap(args), **_unwrap(kwargs)), self)
        return method

    def get(self, stream=None, order='C', out=None):
        return _np.array(self._a, order=order, copy=True)

    def set(self, arr):
        self._a[...] = arr

    def __getitem__(self, idx):
        i = _wrap_around(self._a.shape, _index(idx))
        r = self._a[i]
        if not isinstance(r, _np.ndarray):      # CuPy gives a 0-d view where NumPy gives a scalar
            r = self._a[(i if isinstance(i, tuple) else (i,)) + (Ellipsis,)]
        return _wrap(r, self)

    def __setitem__(self, idx, value):
        if value.__class__ is _np.ndarray and value.ndim:
            raise ValueError('non-scalar numpy.ndarray cannot be used for fill')
        if isinstance(value, ndarray) and _np.may_share_memory(self._a, value._a):
            i = _index(idx)
            basic = all(isinstance(j, (int, slice)) or j is None or j is Ellipsis
                        for j in (i if isinstance(i, tuple) else (i,)))
            _no_race(self._a[i] if basic else self._a, (value._a,))
        self._a[_wrap_around(self._a.shape, _index(idx))] = value._a if isinstance(value, ndarray) else value

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError('iteration over a 0-d array')
        return (self[i] for i in range(len(self)))

    def __bool__(self):
        return bool(self._a)

    def __int__(self):
        return int(self._a)

    def __float__(self):
        return float(self._a)

    def __complex__(self):
        return complex(self._a)

    def __index__(self):
        return self._a.__index__()

    def __repr__(self):
        return repr(self._a)

    def __str__(self):
        return str(self._a)

    def __copy__(self):
        return ndarray(self._a.copy())

    def __deepcopy__(self, memo):
        return ndarray(self._a.copy())

    def __reduce__(self):
        return (ndarray, (self._a,))

    def __dlpack__(self, *a, **k):
        return self._a.__dlpack__(*a, **k)

    def __dlpack_device__(self):
        return (2, 0)


# -- module functions: NumPy's, on the wrapped arrays ------------------------------------------------

def asarray(a, dtype=None, order=None, *, blocking=False):
    if isinstance(a, ndarray):
        return a if dtype is None or a.dtype == dtype else a.astype(dtype)
    return ndarray(_np.array(a, dtype=dtype, order=order or 'K', copy=True))


def array(obj, dtype=None, copy=True, order='K', subok=False, ndmin=0, *, blocking=False):
    if isinstance(obj, ndarray):
        obj = obj._a
    return ndarray(_np.array(obj, dtype=dtype, copy=True if copy else None, order=order, ndmin=ndmin))


def ascontiguousarray(a, dtype=None):
    return ndarray(_np.ascontiguousarray(_unwrap(a) if isinstance(a, ndarray) else _np.asarray(a), dtype))


def asfortranarray(a, dtype=None):
    return ndarray(_np.asfortranarray(_unwrap(a) if isinstance(a, ndarray) else _np.asarray(a), dtype))


def asnumpy(a, stream=None, order='C', out=None):
    return a.get() if isinstance(a, ndarray) else _np.asarray(a)


def get_array_module(*args):
    return __import__(__name__) if any(isinstance(a, ndarray) for a in args) else _np


def __getattr__(name):
    if name not in _NAMES['cupy']:
        raise AttributeError(f"module 'cupy' has no attribute '{name}'")
    f = _ufunc_named(name) or getattr(_np, name)
    if isinstance(f, ufunc) or not callable(f) or isinstance(f, type):
        return f

    def g(*args, **kwargs):
        _no_device(name, kwargs)
        _check_axis(name, args[0] if args else None, args[1:], kwargs)
        return _wrap(f(*_unwrap(args), **_unwrap(kwargs)))
    g.__name__ = name
    return g


def _no_race(out, inputs):
    """A CUDA kernel writing `out` while it reads an input that overlaps it in another way than element for
    element (a shifted view, a broadcast row of it) races: its threads read and write in no order, where
    NumPy buffers the input. CuPy gives whatever the race gives; the stand-in raises, to find such calls."""
    for x in inputs:
        if x.__class__ is not _np.ndarray or not _np.may_share_memory(out, x):
            continue
        try:
            xb = _np.broadcast_to(x, out.shape)
        except ValueError:
            continue        # the operation itself refuses these shapes
        if xb.__array_interface__['data'][0] == out.__array_interface__['data'][0] and all(
                a == b or n == 1 for a, b, n in zip(xb.strides, out.strides, out.shape)):
            continue        # in place: each thread reads the element it writes
        if _np.shares_memory(out, x):
            raise RuntimeError('fake_cupy: an output overlaps an input other than element for element; a CUDA '
                               'kernel would race there')


def _check_params(qualname, args, kwargs, params=None):
    """CuPy's function (or ndarray method: params given) takes fewer arguments than NumPy's: refuse the
    others as Python would."""
    params = params or _CUPY['params'].get(qualname)
    if params is None:          # a ufunc, or a compiled function whose signature was not read
        return
    name = qualname.rsplit('.', 1)[1]
    if '*' not in params and len(args) > len(params):
        raise TypeError(f'{name}() takes {len(params)} positional arguments but {len(args)} were given')
    for k in kwargs:
        if k not in params:
            raise TypeError(f"{name}() got an unexpected keyword argument '{k}'")


def _no_device(name, kwargs):
    """CuPy's functions have no `device` argument (NumPy 2's array creation functions do)."""
    if 'device' in kwargs:
        raise TypeError(f"{name}() got an unexpected keyword argument 'device'")


# NumPy reduces a 0-d array over axis 0 or -1; CuPy raises AxisError.
_AXIS_FUNCS = frozenset('sum prod max min amax amin mean var std any all argmax argmin cumsum cumprod '
                        'nansum nanprod nanmax nanmin nanmean nanvar nanstd nanargmax nanargmin ptp '
                        'count_nonzero median nanmedian average'.split())


def _check_axis(name, a, rest, kwargs):
    if name not in _AXIS_FUNCS or not isinstance(a, ndarray) or a.ndim != 0:
        return
    axis = kwargs['axis'] if 'axis' in kwargs else rest[0] if rest else None
    for ax in (axis if isinstance(axis, tuple) else () if axis is None else (axis,)):
        raise _np.exceptions.AxisError(f'axis {ax} is out of bounds for array of dimension 0')


def select(condlist, choicelist, default=0):
    if len(condlist) != len(choicelist):
        raise ValueError('list of cases must be same length as list of conditions')
    if len(condlist) == 0:
        raise ValueError('select with an empty condition list is not possible')
    if not all(isinstance(c, ndarray) for c in choicelist):
        raise TypeError('choicelist only accepts lists of cupy ndarrays')
    if not all(isinstance(c, ndarray) for c in condlist):
        raise TypeError('condlist only accepts lists of cupy ndarrays')
    if not _np.isscalar(default):
        raise TypeError('default only accepts scalar values')
    return _wrap(_np.select(_unwrap(list(condlist)), _unwrap(list(choicelist)), default))


# -- ufuncs: NumPy's, with CuPy's methods -------------------------------------------------------------

_SCALARS = frozenset((int, float, bool, complex) + tuple(
    t for t in _np.sctypeDict.values() if issubclass(t, _np.generic)))

# CuPy 14's ufunc.at, for an integer-array index: the target dtypes each ufunc takes.
_AT = {
    'add': ('int32, int64, float16, float32, float64, uint32, uint64', 'ilIqLefd'),
    'subtract': ('int32, uint32,', 'iI'),
    'maximum': ('int32, int64, float32, float64, uint32, uint64', 'ilIqLfd'),
    'minimum': ('int32, int64, float32, float64, uint32, uint64', 'ilIqLfd'),
    'bitwise_and': ('int32, int64, uint32, uint64', 'ilIqLQ'),
    'bitwise_or': ('int32, int64, uint32, uint64', 'ilIqLQ'),
    'bitwise_xor': ('int32, int64, uint32, uint64', 'ilIqLQ'),
}


class ufunc:
    """A CuPy ufunc: NumPy's for calls; reduce and accumulate for add and multiply only, reduceat
    for add, at for the ufuncs and dtypes of _AT."""

    def __init__(self, np_ufunc):
        self._u = np_ufunc
        self.__name__ = 'cupy_' + np_ufunc.__name__

    def __call__(self, *args, **kwargs):
        return self._u(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._u, name)

    def __repr__(self):
        return f'<ufunc {self.__name__!r}>'

    def _refuse(self, method, names=('add', 'multiply')):
        if self._u.__name__ not in names:
            raise NotImplementedError(f'`{self.__name__}.{method}` is not supported yet')

    def _run(self, method, *args, **kwargs):
        out = kwargs.get('out')
        if out is not None:
            kwargs['out'] = _unwrap(out)
        res = getattr(self._u, method)(*_unwrap(args), **kwargs)
        return out if out is not None else _wrap(res)

    def reduce(self, array, axis=0, dtype=None, out=None, keepdims=False):
        self._refuse('reduce')
        return self._run('reduce', array, axis=axis, dtype=dtype, out=out, keepdims=keepdims)

    def accumulate(self, array, axis=0, dtype=None, out=None):
        self._refuse('accumulate')
        return self._run('accumulate', array, axis=axis, dtype=dtype, out=out)

    def reduceat(self, array, indices, axis=0, dtype=None, out=None):
        self._refuse('reduceat', ('add',))
        return self._run('reduceat', array, _index(indices), axis=axis, dtype=dtype, out=out)

    def outer(self, A, B, **kwargs):
        return self._run('outer', A, B, **kwargs)

    def at(self, a, indices, b=None):
        name = self._u.__name__
        if name not in _AT:
            raise NotImplementedError(f'`{self.__name__}.at` is not supported yet')
        text, codes = _AT[name]
        idx = indices if isinstance(indices, tuple) else (indices,)
        mask = len(idx) == 1 and getattr(idx[0], 'dtype', None) == _np.bool_
        if not mask and a.dtype.char not in codes:       # a boolean mask has no dtype check there
            raise TypeError(f'cupy.{name}.at only supports {text} as data type')
        v = _unwrap(b) if isinstance(b, ndarray) else b
        if v is not None:
            v = _np.asarray(v).astype(a.dtype)        # CuPy casts the values to the target's dtype
        self._u.at(a._a, _index(indices), *(() if v is None else (v,)))


_ufuncs = {}


def _ufunc_named(name):
    if name not in _ufuncs:
        f = getattr(_np, name, None)
        _ufuncs[name] = ufunc(f) if isinstance(f, _np.ufunc) else None
    return _ufuncs[name]


def _as_strided(x, shape=None, strides=None):
    return _wrap(_np.lib.stride_tricks.as_strided(x._a, shape, strides), x)


lib = types.SimpleNamespace(stride_tricks=types.SimpleNamespace(as_strided=_as_strided))
_rs = [_np.random.RandomState(0)]


def _seed(seed=None):
    _rs[0] = _np.random.RandomState(None if seed is None else int(seed) % (1 << 32))


def _randint(low, high=None, size=None, dtype=int):
    return ndarray(_np.asarray(_rs[0].randint(low, high, size=size)).astype(dtype))


random = types.SimpleNamespace(
    seed=_seed, random=lambda size=None, dtype=float: ndarray(_np.asarray(_rs[0].random_sample(size)).astype(dtype)),
    standard_normal=lambda size=None, dtype=float: ndarray(_np.asarray(_rs[0].standard_normal(size)).astype(dtype)),
    randint=_randint, permutation=lambda n: ndarray(_rs[0].permutation(n)),
    exponential=lambda scale=1.0, size=None, dtype=float: ndarray(_np.asarray(_rs[0].exponential(scale, size)).astype(dtype)),
    standard_cauchy=lambda size=None, dtype=float: ndarray(_np.asarray(_rs[0].standard_cauchy(size)).astype(dtype)),
    lognormal=lambda mean=0.0, sigma=1.0, size=None, dtype=float: ndarray(
        _np.asarray(_rs[0].lognormal(mean, sigma, size)).astype(dtype)),
    geometric=lambda p, size=None: ndarray(_np.asarray(_rs[0].geometric(p, size))))


# -- cupy.cuda --------------------------------------------------------------------------------------

class _Event:
    def __init__(self, block=False, disable_timing=False, interprocess=False):
        import time
        self._time, self._clock = None, time.perf_counter
        self.ptr = id(self)

    def record(self, stream=None):
        self._time = self._clock()

    def synchronize(self):
        pass

    @property
    def done(self):
        return True


def _elapsed(start, end):
    return (end._time - start._time) * 1e3


class _Stream:
    null = None

    def __init__(self, null=False, non_blocking=False, priority=None, ptr=0):
        self.ptr = ptr or id(self)
        self.done = True

    def synchronize(self):
        pass

    def wait_event(self, event):
        pass

    def record(self, event=None):
        event = event or _Event()
        event.record()
        return event

    def use(self):
        _current[0] = self
        return self

    def __enter__(self):
        self._prev = _current[0]
        _current[0] = self
        return self

    def __exit__(self, *a):
        _current[0] = self._prev
        return False


_Stream.null = _Stream(null=True, ptr=0)
_current = [_Stream.null]


class _Pool:
    """The default memory pool: bytes of the distinct host buffers behind the live arrays."""
    def used_bytes(self):
        roots = {}
        for w in list(_live.values()):
            a = w._a
            while isinstance(a.base, _np.ndarray):
                a = a.base
            roots[id(a)] = a.nbytes
        return sum(roots.values())

    def total_bytes(self):
        return self.used_bytes()

    def free_all_blocks(self):
        pass


_pool = _Pool()


def get_default_memory_pool():
    return _pool


def _props(i):
    return {'name': b'Emulated GPU (host memory)', 'totalGlobalMem': 8 << 30, 'major': 9, 'minor': 0,
            'multiProcessorCount': 1, 'uuid': b'\0' * 16, 'l2CacheSize': 0, 'pciBusID': 0,
            'pciDeviceID': 0, 'pciDomainID': 0, 'isMultiGpuBoard': 0, 'integrated': 0}


_device_now = [0]


def _set_device(i):
    Device(i)
    _device_now[0] = int(i)


runtime = types.SimpleNamespace(
    getDeviceCount=lambda: 1, getDevice=lambda: _device_now[0], setDevice=_set_device,
    deviceSynchronize=lambda: None, getDeviceProperties=_props, memGetInfo=lambda: (8 << 30, 8 << 30))
cuda = types.SimpleNamespace(
    Device=Device, Event=_Event, Stream=_Stream, ExternalStream=_Stream, runtime=runtime,
    device=types.SimpleNamespace(get_cublas_handle=lambda: 1, get_cusolver_handle=lambda: 2),
    get_current_stream=lambda: _current[0], get_elapsed_time=_elapsed,
    is_available=lambda: True)
