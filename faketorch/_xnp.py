"""NumPy's namespace, except that the array constructors which do not dispatch on their argument
(asarray, array, ascontiguousarray, as_strided ...) follow it: given a CuPy array they return a CuPy
array. Ops import this as `np`, so one code path serves both libraries (STYLE.md section 3); on
NumPy arrays every function is NumPy's own."""
import itertools as _itertools
import re
import types as _types

import numpy as _np

from ._device import module_of as _module_of
from ._meta import ndarray as _meta_ndarray

globals().update({k: v for k, v in vars(_np).items() if not k.startswith('__')})
_ndarray = _np.ndarray
_list = list


def _flat(lists):
    return [x for xs in lists for x in xs]


def __getattr__(name):          # NumPy's lazily loaded submodules
    return getattr(_np, name)


def _gpu(a):
    """Is `a` an array of another library: CuPy's (it speaks CUDA's array interface) or the meta device's?"""
    return a.__class__ is not _ndarray and (a.__class__ is _meta_ndarray or hasattr(a, "__cuda_array_interface__"))


def asarray(a, dtype=None, order=None, **kw):
    if not _gpu(a):
        return _np.asarray(a, dtype, order, **kw)
    return _module_of(a).asarray(a, dtype, order)


# NumPy 2 hands `like=` on to the other library with its own device=None, which CuPy's eye, ones
# and full do not take: these three call CuPy's directly.
def eye(N, M=None, k=0, dtype=float, order='C', *, device=None, like=None):
    if not _gpu(like):
        return _np.eye(N, M, k, dtype, order, device=device, like=like)
    return _module_of(like).eye(N, M, k, dtype, order)


def ones(shape, dtype=None, order='C', *, device=None, like=None):
    if not _gpu(like):
        return _np.ones(shape, dtype, order, device=device, like=like)
    return _module_of(like).ones(shape, dtype, order)


def full(shape, fill_value, dtype=None, order='C', *, device=None, like=None):
    if not _gpu(like):
        return _np.full(shape, fill_value, dtype, order, device=device, like=like)
    return _module_of(like).full(shape, fill_value, dtype, order)


def cast(v, dtype):
    """v.astype(dtype) for an array; a NumPy scalar for a Python one (not a 0-d array: CuPy takes
    scalars but refuses 0-d NumPy arrays)."""
    if v.__class__ is _ndarray or _gpu(v):
        return v.astype(dtype)
    return _np.asarray(v).astype(dtype)[()]


def array(a, dtype=None, *, copy=True, order='K', ndmin=0, **kw):
    if not _gpu(a):
        return _np.array(a, dtype, copy=copy, order=order, ndmin=ndmin, **kw)
    return _module_of(a).array(a, dtype, copy=copy is not False, order=order, ndmin=ndmin)


def ascontiguousarray(a, dtype=None):
    if not _gpu(a):
        return _np.ascontiguousarray(a, dtype)
    if dtype is None and a.ndim and a.flags.c_contiguous:      # CuPy's answer, without a call to it
        return a
    return _module_of(a).ascontiguousarray(a, dtype)


def asfortranarray(a, dtype=None):
    if not _gpu(a):
        return _np.asfortranarray(a, dtype)
    return _module_of(a).asfortranarray(a, dtype)


def _as_strided(x, shape=None, strides=None, subok=False, writeable=True):
    if not _gpu(x):
        return _np.lib.stride_tricks.as_strided(x, shape, strides, subok, writeable)
    return _module_of(x).lib.stride_tricks.as_strided(x, shape, strides)   # always writeable


lib = _types.SimpleNamespace(**{k: getattr(_np.lib, k) for k in dir(_np.lib) if not k.startswith('__')})
lib.stride_tricks = _types.SimpleNamespace(as_strided=_as_strided,
                                           sliding_window_view=_np.lib.stride_tricks.sliding_window_view)


def host(a):
    """A NumPy array of `a`'s values (a copy from the GPU for a CuPy array): for code that only runs
    on the CPU, such as the torch-exact random generator."""
    if not _gpu(a):
        return a
    return a.get()


def asarray_on(data, like):
    """`data` as an array of `like`'s library (copied to the GPU when `like` is a CuPy array)."""
    if not _gpu(like):
        return _np.asarray(data)
    return _module_of(like).asarray(data)


def accumulate(ufunc, a, axis):
    """ufunc.accumulate(a, axis); CuPy has it for add and multiply only: the others run on the host."""
    if not _gpu(a):
        return ufunc.accumulate(a, axis=axis)
    return _module_of(a).asarray(ufunc.accumulate(a.get(), axis=axis))


def on_host(f, a, *rest):
    """f(a, *rest) computed with NumPy (GPU arrays copied to the host), the result back on a's
    device: for kernels written against NumPy constant tables or Python loops, rarely hot."""
    if not _gpu(a):
        return f(a, *rest)
    r = f(a.get(), *(host(x) for x in rest))
    return _module_of(a).asarray(r) if isinstance(r, (_ndarray, _np.generic)) else r


# The target dtypes CuPy's ufunc.at takes for an integer-array index (CuPy 14, read on an H100);
# every other ufunc's .at raises NotImplementedError there.
_AT_DTYPES = {
    'add': frozenset('int32 int64 uint32 uint64 float16 float32 float64'.split()),
    'subtract': frozenset(('int32', 'uint32')),
    'maximum': frozenset('int32 int64 uint32 uint64 float32 float64'.split()),
    'minimum': frozenset('int32 int64 uint32 uint64 float32 float64'.split()),
    'bitwise_and': frozenset(('int32', 'int64', 'uint32', 'uint64')),
    'bitwise_or': frozenset(('int32', 'int64', 'uint32', 'uint64')),
    'bitwise_xor': frozenset(('int32', 'int64', 'uint32', 'uint64')),
}


def _host_index(ix):
    if isinstance(ix, tuple):
        return tuple(host(i) for i in ix)
    return host(ix)


def ufunc_at(ufunc, a, indices, b=None):
    """ufunc.at(a, indices, b) (NumPy's ufunc), on a CuPy array through CuPy's own ufunc: CuPy's
    ndarray does not take np.<ufunc>.at when `indices` is a tuple, a slice or a list. CuPy's .at
    covers the dtypes in _AT_DTYPES; other targets go through a wider copy (bool and small ints as
    int64, float16 as float32; a complex sum as its real and imaginary parts), and what CuPy has no
    .at for (multiply, complex maximum) runs on the host."""
    args = () if b is None else (b,)
    if not _gpu(a):
        return ufunc.at(a, indices, *args)
    xp, name = _module_of(a), ufunc.__name__
    if name == 'subtract' and a.dtype.name not in _AT_DTYPES[name]:
        name, args = 'add', (-asarray_on(b, a),)
    ok = _AT_DTYPES.get(name)
    if ok is None or (a.dtype.kind == 'c' and name != 'add'):    # no CuPy kernel: the host's NumPy
        h = a.get()
        ufunc.at(h, _host_index(indices), *(host(x) for x in args))
        a[...] = xp.asarray(h)
        return None
    at = getattr(xp, name).at
    if a.dtype.name in ok:
        return at(a, indices, *args)
    if a.dtype.kind == 'c':
        bb = asarray_on(b, a)
        re, im = a.real.copy(), a.imag.copy()
        at(re, indices, bb.real)
        at(im, indices, bb.imag)
        a.real[...], a.imag[...] = re, im
        return None
    wide_t = _np.float32 if a.dtype.kind == 'f' else _np.int64
    wide = a.astype(wide_t)
    at(wide, indices, *(asarray_on(x, a).astype(wide_t) for x in args))
    a[...] = (wide != 0) if a.dtype == _np.bool_ else wide.astype(a.dtype)
    return None


class Kernel:
    """A CUDA C elementwise body (cupy.ElementwiseKernel, compiled on first use) for a hot path
    where one launch replaces several: on a GPU the launches, not the arithmetic, are the cost.
    Compiled with --fmad=false, so that a*b+c rounds twice, as NumPy's two ufuncs do. `host` is
    the same computation in NumPy calls: it runs for every array the kernel does not take (NumPy's,
    half precision) and where CuPy has no compiler (the CuPy stand-in, so CI checks the callers)."""

    def __init__(self, name, in_params, out_params, body, host):
        self.name, self.params, self.body, self.host, self._k = name, (in_params, out_params), body, host, None
        self._batched = {}      # (calls, which arguments are arrays) -> the multi-tensor kernel (False: none)

    def __call__(self, *args, size=None):      # args[0]: an array of the kernel's float type T
        if args[0].__class__ is _ndarray:
            return self.host(*args)
        ek = getattr(_module_of(args[0]), 'ElementwiseKernel', None) if self.ready(args[0]) else None
        if ek is None or self._k is False:
            return self.host(*args)
        first = self._k is None
        if first:
            self._k = ek(*self.params, self.body, 'faketorch_' + self.name, options=('--fmad=false',))
        try:
            return self._k(*args) if size is None else self._k(*args, size=size)    # compiles the first time
        except Exception as e:                  # no working compiler: the NumPy version from now on
            if not first or type(e).__name__ != 'CompileException':
                raise
            import warnings
            warnings.warn(f'faketorch: CUDA kernel {self.name} did not compile ({e}); using its NumPy version',
                          RuntimeWarning)
            self._k = False
            return self.host(*args)

    def many(self, calls):
        """self(*args) for each args in `calls` (independent updates, e.g. an optimizer's parameters): on a
        GPU, calls with equal scalars run as one launch over all their arrays (C-contiguous ones, up to
        8 calls a launch): a multi-tensor kernel, as torch's foreach optimizers use."""
        groups = {}
        for args in calls:
            if self._batchable(args):
                key = tuple(type(a) is not _ndarray and not _gpu(a) and (type(a), a) or None for a in args)
                groups.setdefault(key, []).append(args)
            else:
                self(*args)
        for group in groups.values():
            for s in range(0, len(group), 8):     # 8 calls of 4-d arrays keep the launch's arguments under 4 KB
                self._launch(group[s:s + 8])

    def _batchable(self, args):
        return self._k is not False and self.ready(args[0]) and all(a.flags.c_contiguous for a in args if _gpu(a))

    def _launch(self, group):
        """One launch of the body over every call in `group` (same scalars): each array parameter x becomes
        x0 ... x{k-1}, indexed through the offsets of the calls' elements in one flat range."""
        k, first = len(group), group[0]
        if k == 1:
            return self(*first)
        arrays = tuple(_gpu(a) for a in first)
        kern = self._batched.get((k, arrays))
        ek = getattr(_module_of(first[0]), 'ElementwiseKernel', None)
        if kern is False or ek is None:
            return [self(*args) for args in group]
        if kern is None:
            kern = self._batched_kernel(ek, k, arrays)
        n_in = self.params[0].count(',') + 1
        offsets = _list(_itertools.accumulate(args[0].size for args in group))
        flat = [[args[p] for args in group] if is_a else [first[p]] for p, is_a in enumerate(arrays)]
        try:
            kern(*_flat(flat[:n_in]), *offsets[:-1], *_flat(flat[n_in:]), size=offsets[-1])
        except Exception as e:          # no working compiler: one call each
            if type(e).__name__ != 'CompileException':
                raise
            kern = False
            for args in group:
                self(*args)
        self._batched[(k, arrays)] = kern

    def _batched_kernel(self, ek, k, arrays):
        """The ElementwiseKernel of k calls: each array parameter x (arrays: which are) as raw x0 ... x{k-1},
        the body once per call, selected by the element's place among the offsets ofs1 ... ofs{k-1}."""
        names = [p.split() for part in self.params for p in part.split(',')]
        n_in = self.params[0].count(',') + 1
        arr = [n for (t, n), is_a in zip(names, arrays) if is_a]
        decl = [[f'raw {t} {n}{j}' for j in range(k)] if is_a else [f'{t} {n}'] for (t, n), is_a in zip(names, arrays)]
        ins = _flat(decl[:n_in]) + [f'int64 ofs{j}' for j in range(1, k)]
        blocks = []
        for j in range(k):
            body = re.sub(r'\b(%s)\b' % '|'.join(arr), lambda m: f'{m.group(1)}{j}[el]', self.body)
            cond = f'if (i < ofs{j + 1}) ' if j < k - 1 else ''
            blocks.append(f'{cond}{{ const ptrdiff_t el = i - {f"ofs{j}" if j else 0}; {body}; }}')
        return ek(', '.join(ins), ', '.join(_flat(decl[n_in:])), ' else '.join(blocks), f'faketorch_{self.name}_x{k}',
                  options=('--fmad=false',))

    def ready(self, a):
        """Will a call on `a` run the kernel: a GPU array of 32- or 64-bit floats? (The bodies
        compute in T, which for half would not be torch's float math.)"""
        return _gpu(a) and a.dtype.kind == 'f' and a.itemsize >= 4
