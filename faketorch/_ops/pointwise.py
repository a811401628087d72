"""Elementwise ops. Each is one entry: forward on arrays, derivative in tensor ops."""
import functools
import math
import numbers

from .. import _xnp as np

from .. import _dtype as D
from .. import _vecmath as V
from .._device import cpu as _cpu
from .._misc import get_num_threads
from .._tensor import Tensor, _make
from . import _float8_kernels as _F8K
from ..autograd.grad_mode import state as grad_state
from ..autograd.graph import node_class
from ._core import attach, broadcast_shapes, needs, register, write_out, make_inplace, zero_grad, kernel_error
from ._core import _fused_axpy
from ._float8_kernels import F8 as _F8, refuse as _f8_refuse

_FLOAT = 2
_scalar_types = (int, float, bool, complex)


def _operand_error(fname, pos, argname, x):
    return TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _as_scalar(x):
    if isinstance(x, np.generic):
        return float(x) if x.__class__ is np.bool_ else x.item()     # torch reads a NumPy bool as a float
    if isinstance(x, numbers.Number):
        return x
    return None


# --- unary ---------------------------------------------------------------------------------------

_BARE_UINTS = D.BARE_UINTS      # torch has few kernels for these
_NO_COMPLEX_CLAMP = 'clamp is not supported for complex types'


def _refused(cats):
    """The dtypes of the categories cats (as unary's reject: 0 bool ... 3 complex, 'uint': uint16/32/64)."""
    return frozenset(dt for dt in D.all_dtypes if dt._cat in cats or ('uint' in cats and dt in _BARE_UINTS))


def _name_saved(gname, names):
    """Give a grad_fn class torch's names of its saved slots (grad_fn._saved_self ...)."""
    cls = node_class(gname)
    if not cls._saved_names:
        cls._saved_names = names
        for i, n in enumerate(names):   # properties, not a __getattr__ (which would slow every node read)
            setattr(cls, '_saved_' + n, property(lambda self, i=i: self._saved_slot(i)))


def unary(name, fwd, deriv=None, *, floating=False, grad_name=None, no_bool=False, inplace=True,
          method=True, int_result=None, reject=None, bool_result=False, publish=True, holomorphic=True):
    """Declare a unary op. deriv(g, x, result) gives the input gradient; saved values are only
    those the derivative names (x and/or result). reject: {dtype category: torch kernel name} for
    the dtypes torch refuses (0 bool, 1 integer, 2 floating, 3 complex, 'uint': torch's bare
    uint16/32/64), or torch's whole message where an op-level check refuses them first;
    bool_result: a predicate (isnan ...).
    On complex input and output the gradient is torch's g * conj(f'(x)): deriv is written as the
    real derivative and is handed conj(x) and conj(result), which for these real-coefficient
    functions gives exactly conj(f'(x)) (holomorphic=False: deriv handles complex itself)."""
    gname = grad_name or ''.join(p.capitalize() for p in name.split('_')) + 'Backward0'
    params = deriv.__code__.co_varnames[:deriv.__code__.co_argcount] if deriv else ()
    save_x, save_r = 'x' in params, 'result' in params
    if deriv is not None:
        _name_saved(gname, ('self',) * save_x + ('result',) * save_r)
    reject = {dt: k for c, k in (reject or {}).items() for dt in _refused((c,))}
    reject.update(_F8K.unary_rejects(name))

    def bwd(node, g, conj=False):
        saved = node.saved_tensors
        kw = {}
        i = 0
        if save_x:
            kw['x'] = saved[i]
            i += 1
        if save_r:
            kw['result'] = saved[i]
        if conj:
            kw = {k: v.conj() for k, v in kw.items()}
        return deriv(g, **kw)

    def op(input, *, out=None):
        if not isinstance(input, Tensor):
            raise _operand_error(name, 1, 'input', input)
        dt = input.dtype
        a = input._data
        if floating and dt._cat < _FLOAT:
            dt = D.get_default_dtype()
            a = a.astype(dt._np)
        elif no_bool and dt is D.bool:
            raise RuntimeError(no_bool)
        if reject and dt in reject and not (dt is D.bool and name == 'abs' and input._device.type == 'cuda'):
            msg = reject[dt]        # a kernel's name, or a whole message (torch's CUDA abs has a Bool loop)
            raise kernel_error(msg, dt, input._device) if ' ' not in msg else NotImplementedError(msg)
        if bool_result:
            dt = D.bool
        data = fwd(a)       # NumPy's FP warnings are filtered for faketorch modules (see __init__)
        if data.dtype != dt._np and not bool_result:
            if int_result:      # square(bool) is int64, like pow(x, 2)
                dt = D.from_numpy_dtype(data.dtype)
            else:
                data = data.astype(dt._np)
        r = _make(data, dt, input._device)
        if input._requires_grad and grad_state.enabled:
            if deriv is None:
                if r.dtype._cat >= _FLOAT:
                    attach('NotImplemented', _not_implemented(name), (input,), (r,))
                return write_out(out, r, name) if out is not None else r
            save = ((input,) if save_x else ()) + ((r,) if save_r else ())
            conj = holomorphic and dt._cat == D._COMPLEX and (save_x or save_r)
            attach(gname, functools.partial(bwd, conj=True) if conj else bwd, (input,), (r,), save=save)
        if out is not None:
            return write_out(out, r, name)
        return r
    op.__name__ = name
    if publish:
        register(op, name=name, inplace=inplace, method=method)
    return op


_NEG_BOOL = ("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
             "invert a mask, use the `~` or `logical_not()` operator instead.")

neg = unary('neg', np.negative, lambda g: -g, no_bool=_NEG_BOOL, reject={'uint': 'neg_cpu'})
register(neg, name='negative', inplace=True)
# int_result: the numpy result dtype is kept, so abs(complex) is real as in torch
abs = unary('abs', np.absolute, lambda g, x: g * x.sgn(), reject={0: 'abs_cpu', 'uint': 'abs_cpu'},
            int_result=True)
register(abs, name='absolute', inplace=True)
_abs_real_ = Tensor.abs_


def _abs_(self):
    if self.dtype.is_complex:       # its result is real: torch refuses rather than writing |z| + 0j
        raise RuntimeError("In-place abs is not supported for complex tensors.")
    return _abs_real_(self)


Tensor.abs_ = Tensor.absolute_ = _abs_
exp = unary('exp', V.rounded(np.exp), lambda g, result: g * result, floating=True)
exp2 = unary('exp2', V.rounded(np.exp2), lambda g, result: g * result * math.log(2), floating=True)
expm1 = unary('expm1', V.float32(np.expm1, V.expm1), lambda g, result: g * (result + 1), floating=True)
log = unary('log', V.rounded(np.log), lambda g, x: g / x, floating=True)
log2 = unary('log2', V.rounded(np.log2), lambda g, x: g / (x * math.log(2)), floating=True)
log10 = unary('log10', V.rounded(np.log10), lambda g, x: g / (x * math.log(10)), floating=True)
log1p = unary('log1p', V.float32(np.log1p, V.log1p), lambda g, x: g / (x + 1), floating=True, grad_name='Log1PBackward0')
sqrt = unary('sqrt', np.sqrt, lambda g, result: g / (2 * result), floating=True)
rsqrt = unary('rsqrt', lambda a: 1 / np.sqrt(a), lambda g, result: -0.5 * g * result ** 3, floating=True)
sin = unary('sin', V.rounded(np.sin), lambda g, x: g * x.cos(), floating=True)
cos = unary('cos', V.rounded(np.cos), lambda g, x: g * -x.sin(), floating=True)
tan = unary('tan', V.rounded(np.tan), lambda g, result: g * (1 + result * result), floating=True)
asin = unary('asin', V.rounded(np.arcsin), lambda g, x: g * (1 - x * x).rsqrt(), floating=True)
acos = unary('acos', V.rounded(np.arccos), lambda g, x: -g * (1 - x * x).rsqrt(), floating=True)
atan = unary('atan', V.rounded(np.arctan), lambda g, x: g / (1 + x * x), floating=True)
sinh = unary('sinh', V.rounded(np.sinh), lambda g, x: g * x.cosh(), floating=True)
cosh = unary('cosh', V.rounded(np.cosh), lambda g, x: g * x.sinh(), floating=True)


def _tanh_backward(g, y):
    """torch's tanh_backward kernel, g * (1 - y*y), as one node (TanhBackwardBackward0 under
    create_graph). On the CPU, 1 - y*y is one fused multiply-add, as torch's compiled kernel
    computes it (float16 in float32, rounded once)."""
    r = _make(_tanh_backward_data(g._data, y._data), g.dtype, g._device)
    if grad_state.enabled and (g._requires_grad or y._requires_grad):
        attach('TanhBackwardBackward0', _tanh_backward_bwd, (g, y), (r,), save=(g, y))
    return r


def _tanh_backward_data(a, b):
    """_tanh_backward on arrays."""
    half = b.dtype == np.float16 and a.dtype == b.dtype     # float16: in float32, rounded once
    if half:
        a, b = a.astype(np.float32), b.astype(np.float32)
    data = a * _tanh_grad_factor(b) if a.dtype == b.dtype else a * (1 - b * b)
    return data.astype(np.float16) if half else data


def _tanh_grad_factor(y):
    """1 - y*y as tanh_backward computes it for a gradient of y's dtype (nn's fused LSTM layer takes it
    for a whole sequence at once)."""
    fma = V.fused(y)
    return fma(-y, y, y.dtype.type(1)) if fma is not None else 1 - y * y


def _tanh_backward_bwd(node, gg):
    g, y = node.saved_tensors
    return (_tanh_backward(gg, y) if needs(node, 0) else None,
            gg * (-2 * y * g) if needs(node, 1) else None)


_tanh_fwd = V.rounded(np.tanh)      # the array kernels, also run by nn's fused LSTM layer
tanh = unary('tanh', _tanh_fwd, lambda g, result: _tanh_backward(g, result) if not result.is_complex()
             else g * (1 - result * result), floating=True)
asinh = unary('asinh', np.arcsinh, lambda g, x: g * (x * x + 1).rsqrt(), floating=True)
acosh = unary('acosh', np.arccosh, lambda g, x: g * ((x - 1).sqrt() * (x + 1).sqrt()).reciprocal() if x.is_complex()
              else g * (x * x - 1).rsqrt(), floating=True)      # complex: acosh's branch, not sqrt(x^2 - 1)'s
atanh = unary('atanh', V.rounded(np.arctanh), lambda g, x: g / (1 - x * x), floating=True)
for _n, _f in (('arcsin', asin), ('arccos', acos), ('arctan', atan), ('arcsinh', asinh),
               ('arccosh', acosh), ('arctanh', atanh)):
    register(_f, name=_n, inplace=True)


_CONSTANTS = {0: {}, 1: {}}      # value -> {NumPy dtype: a read-only 0-d array}


def _constant(a, value):
    """value in a's dtype, for arithmetic with the array a: for a NumPy array a 0-d array, which its
    ufuncs take without the scalar conversion that costs as much as the op itself on small arrays; a
    scalar of a's type for a CuPy array (which mixes with no NumPy array)."""
    if a.__class__ is not np.ndarray:
        return a.dtype.type(value)
    c = _CONSTANTS[value].get(a.dtype)
    if c is None:
        c = _CONSTANTS[value][a.dtype] = np.full((), value, a.dtype)
        c.flags.writeable = False
    return c


def _sigmoid(a):
    # torch computes 1 / (1 + exp(-x)) in the input precision, float16 and bfloat16 in float32
    if a.dtype.itemsize == 2:
        f = a.astype(np.float32)
        return (np.float32(1) / (np.float32(1) + np.exp(-f))).astype(a.dtype)
    one = _constant(a, 1)
    return one / (one + np.exp(-a))


# float32 on NumPy: torch's kernel bit for bit, which depends on the thread count (see _vecmath)
def _sigmoid_backward(g, y):
    """torch's sigmoid_backward kernel, (g * (1 - y)) * y in that order, as one node
    (SigmoidBackwardBackward0 under create_graph)."""
    a, b = g._data, y._data
    r = _make(a * (b.dtype.type(1) - b) * b, g.dtype, g._device)
    if grad_state.enabled and (g._requires_grad or y._requires_grad):
        attach('SigmoidBackwardBackward0', _sigmoid_backward_bwd, (g, y), (r,), save=(g, y))
    return r


def _sigmoid_backward_bwd(node, gg):
    g, y = node.saved_tensors
    return (_sigmoid_backward(gg, y) if needs(node, 0) else None,
            gg * g * (-2 * y + 1) if needs(node, 1) else None)


_sigmoid_fwd = V.float32(_sigmoid, lambda a: V.sigmoid(a, get_num_threads()))
sigmoid = unary('sigmoid', _sigmoid_fwd,
                lambda g, result: _sigmoid_backward(g, result) if not result.is_complex()
                else g * result * (1 - result), floating=True)
reciprocal = unary('reciprocal', lambda a: np.reciprocal(a), lambda g, result: -g * (result * result),
                   floating=True)
_UINT = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}


def _select_zero(drop, v):
    """Arrays: `drop ? 0 : v`, the select torch's backward kernels make. Unlike v * ~drop it gives
    +0 (not -0.0) for a negative v and drops inf and NaN; ANDing v's bits with a mask runs as fast as
    that product, where np.where with a scalar 0 is several times slower."""
    if v.__class__ is np.ndarray and v.size <= 1024 and drop.shape == v.shape:
        out = v.copy('K')       # small: fewer NumPy calls win (a masked store), for any dtype
        np.putmask(out, drop, _constant(v, 0))
        return out
    u = _UINT.get(v.dtype.itemsize)
    if u is None or v.dtype.kind not in 'fiu' or drop.shape != v.shape or not v.ndim:
        return np.where(drop, v.dtype.type(0), v)
    keep = drop.astype(u)
    keep -= 1               # all ones where v is kept, 0 where it is dropped
    return np.bitwise_and(v.view(u), keep, out=keep).view(v.dtype)


def _zero_where(drop, g):
    """Tensors: `drop ? 0 : g` (bool tensor drop), differentiable in g under create_graph."""
    if grad_state.enabled:
        from .misc import where
        return where(drop, 0, g)
    return _make(_select_zero(drop._data, g._data), g.dtype, g._device)


def _clamp_to(f, a, b):
    """f(a, b) for f np.maximum/minimum/fmax/fmin with torch's result on a tie: a itself, so
    clamp(-0.0, min=0) and relu(-0.0) are -0.0 (NumPy may give either zero)."""
    if a.dtype.kind != 'f' or not (np.ndim(b) or b == 0):
        return f(a, b)          # only zeros tie with other bits
    if not np.ndim(b) and not np.signbit(b) and f in (np.maximum, np.minimum):   # a bound of +0: one select
        return _select_zero(a < 0 if f is np.maximum else a > 0, a)
    return np.where(a == b, a, f(a, b))


# torch's threshold_backward: 0 where result <= 0, else g (a NaN result passes g); one kernel on a GPU
_relu_bwd = np.Kernel('relu_bwd', 'T g, T r', 'T y', 'y = r <= 0 ? (T)0 : g',
                     lambda g, r: _select_zero(r <= _constant(r, 0), g))


def _relu_deriv(g, result):
    if not grad_state.enabled and g.dtype is result.dtype:
        return _make(_relu_bwd(g._data, result._data), g.dtype, g._device)
    return _zero_where(result <= 0, g)


# torch's relu is clamp_min(x, 0): `x < 0 ? 0 : x`, so NaN and -0.0 pass; one kernel on a GPU
_relu_fwd = np.Kernel('relu_fwd', 'T x', 'T y', 'y = x < (T)0 ? (T)0 : x',
                     lambda a: _select_zero(a < _constant(a, 0), a))


def _relu(a):
    return _relu_fwd(a) if a.dtype.kind == 'f' else np.maximum(a, a.dtype.type(0))


relu = unary('relu', _relu, _relu_deriv, grad_name='ReluBackward0', no_bool='Boolean inputs not supported for relu',
             reject={3: _NO_COMPLEX_CLAMP, 'uint': 'clamp_min_scalar_cpu'})


def _sign(a):
    if a.dtype == np.bool_:
        return a.copy()
    s = np.sign(a)
    return np.where(np.isnan(s), s.dtype.type(0), s) if a.dtype.kind == 'f' else s   # sign(nan) is 0



def _sgn_deriv(g, x, result):
    """Zero for real input; for complex z/|z|, torch's (g - Re(g conj(sgn)) sgn) / |z| (0 at z = 0)."""
    if not x.is_complex():
        return zero_grad(g)
    a = x.abs()
    return ((g - (g * result.conj()).real * result) / a.masked_fill(a == 0, 1)).masked_fill(a == 0, 0)


sign = unary('sign', _sign, zero_grad, reject={'uint': 'sign_cpu', 3: 'Unlike NumPy, torch.sign is not intended to '
                                              'support complex numbers. Please use torch.sgn instead.'})
sgn = unary('sgn', lambda a: _sign(a) if a.dtype.kind != 'c' else
            np.where(a == 0, 0, a / np.where(a == 0, 1, np.abs(a))).astype(a.dtype), _sgn_deriv, holomorphic=False,
            reject={'uint': 'sign_cpu'})
floor = unary('floor', lambda a: np.floor(a) if a.dtype.kind in 'fc' else a.copy(), zero_grad,
              reject={0: 'floor_vml_cpu', 3: 'floor is not supported for complex inputs'})
ceil = unary('ceil', lambda a: np.ceil(a) if a.dtype.kind in 'fc' else a.copy(), zero_grad,
             reject={0: 'ceil_vml_cpu', 3: 'ceil is not supported for complex inputs'})
trunc = unary('trunc', lambda a: np.trunc(a) if a.dtype.kind in 'fc' else a.copy(), zero_grad,
              reject={0: 'trunc_vml_cpu', 3: 'trunc is not supported for complex inputs'})
register(trunc, name='fix', inplace=True)
frac = unary('frac', lambda a: a - np.trunc(a), lambda g: g, reject={0: 'frac_cpu', 1: 'frac_cpu', 3: 'frac_cpu'})
square = unary('square', lambda a: np.square(a.astype(np.int64) if a.dtype == np.bool_ else a),
               lambda g, x: 2 * g * x, grad_name='PowBackward0', int_result=True, reject={'uint': 'pow'})
logical_not = unary('logical_not', np.logical_not, None, bool_result=True, reject={'uint': 'logical_not_cpu'})
bitwise_not = unary('bitwise_not', lambda a: np.invert(a), None,
                    reject={2: 'bitwise_not_cpu', 'uint': 'bitwise_not_cpu'})


# --- binary --------------------------------------------------------------------------------------

def _broadcast_error(a, b):
    """torch's error for arrays whose shapes do not broadcast (_core.broadcast_shapes words it)."""
    try:
        broadcast_shapes(a.shape, b.shape)
    except RuntimeError as e:
        return e
    return RuntimeError(f"shapes {list(a.shape)} and {list(b.shape)} cannot be broadcast")


from ._core import device_error as _device_error      # noqa: E402


_2_63, _2_64, _2_53 = 2 ** 63, 2 ** 64, 2 ** 53
_F32_64 = frozenset((D.float32, D.float64))


def _int_overflow(s):
    """torch's error for a Python int outside [-2**63, 2**64) (it reads one as int64 or uint64)."""
    return OverflowError("can't convert negative int to unsigned" if s < 0 else "int too big to convert")


def _promote(name, input, other):
    """(array a, array-or-scalar b, result dtype) for a tensor and a tensor-or-scalar."""
    if isinstance(other, Tensor):
        if input._device is not other._device and other._data.ndim and input._data.ndim:
            raise _device_error(input._device, other._device)
        rt = D.result_type_of((input, other))
        a = input._data if input.dtype is rt else input._data.astype(rt._np)
        b = other._data if other.dtype is rt else other._data.astype(rt._np)
        if rt in _F8K.F8 and other.dtype is not rt:     # a 0-dim tensor converted to float8 first
            b = D.round_to(rt, b)
        if other._device is not input._device:   # a 0-dim tensor on another device
            from .._device import to_device_array
            b = to_device_array(b, input._device)
        return a, b, rt
    s = _as_scalar(other)
    if s is None:
        raise _operands_error(name.lstrip('_'), (input, other))
    if s.__class__ is int and not -_2_63 <= s < _2_64:
        raise _int_overflow(s)
    rt = D.result_type_of((input,), (s,))
    a = input._data if input.dtype is rt else input._data.astype(rt._np)
    if rt is D.float16 or rt is D.bfloat16:
        # torch's half/bfloat16 mul and div read the scalar unrounded and compute in float32; its
        # other kernels (add and sub too) round the scalar to the tensor's dtype first
        if name in _OPMATH_SCALAR:
            return a, np.float32(s), rt
        return a, D.round_bf16(s) if rt is D.bfloat16 else np.float16(s), rt
    if rt in _F8K.F8:       # (== and != only: torch has no other float8 kernel with a scalar) rounded first
        return a, D.round_to(rt, s)[()], rt
    try:       # a NumPy scalar, not a 0-d array: CuPy takes scalars only
        b = np.asarray(s, dtype=rt._np)[()]
    except (OverflowError, TypeError):
        b = np.asarray(s).astype(rt._np)[()]
    return a, b, rt


_OPMATH_SCALAR = frozenset(('mul', '_div', 'div', 'floor_divide'))     # div: rounding_mode's


# the ops whose input torch's argument parser takes as a number too (torch.add(2, t)); the others refuse it
_NUMBER_INPUT = frozenset(('_add', '_sub', 'mul', '_div', 'floor_divide', 'remainder', 'bitwise_and', 'bitwise_or',
                           'bitwise_xor', 'bitwise_left_shift', 'bitwise_right_shift', 'xlogy', 'special_xlogy',
                           'special_xlog1py', 'special_zeta'))


# the ops whose input and other torch's argument parser both take as numbers: a number-only call computes
_NUMBERS_AS_TENSORS = frozenset(('_add', '_sub', 'mul', '_div', 'floor_divide'))
_NUMBER_INPUT_NODES = {'xlogy': 'XlogyBackward1', 'remainder': 'NotImplemented'}


# torch's Python signatures of the binary ops its argument parser knows several overloads of: operands none of
# them takes get its "invalid combination of arguments" message listing them (the others name the bad operand)
def _sigs(x='input', y='other', number_x='self', out=True):
    """(Tensor, Tensor), (Number, Tensor) (where number_x names it) and (Tensor, Number) signatures."""
    o = ', *, Tensor out = None'
    return tuple(filter(None, (f'(Tensor {x}, Tensor {y}{o})', number_x and f'(Number {number_x}, Tensor {y}{o})',
                               f'(Tensor {x}, Number {y}{o if out else ""})')))


_OVERLOADS = {
    **dict.fromkeys(('copysign', 'fmod', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'greater', 'greater_equal', 'less',
                     'less_equal', 'not_equal'), _sigs(number_x=None)),
    **dict.fromkeys(('remainder', 'bitwise_and', 'bitwise_or', 'bitwise_xor', 'bitwise_left_shift',
                     'bitwise_right_shift'), _sigs()[:1] + ('(Number self, Tensor other)',) + _sigs()[2:]),
    **dict.fromkeys(('xlogy', 'special_xlogy', 'special_xlog1py', 'special_zeta'), _sigs()),
    **dict.fromkeys(('floor_divide', 'multiply', 'true_divide'), _sigs(number_x=None, out=False)),
    'divide': _sigs(number_x=None)[:1] + ('(Tensor input, Tensor other, *, str rounding_mode, Tensor out = None)',
                                         '(Tensor input, Number other)',
                                         '(Tensor input, Number other, *, str rounding_mode)'),
    'subtract': ('(Tensor input, Tensor other, *, Number alpha = 1, Tensor out = None)',
                 '(Tensor input, Number other, Number alpha = 1)'),
    **dict.fromkeys(('pow', 'float_power'), _sigs(y='exponent')),
    'clamp_min': _sigs(y='min', number_x=None), 'clamp_max': _sigs(y='max', number_x=None),
    **dict.fromkeys(('clamp', 'clip'), ('(Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)',
                                        '(Tensor input, Number min = None, Number max = None, *, Tensor out = None)')),
    'rsub': ('(Tensor input, Tensor other, *, Number alpha = 1)', '(Tensor input, Number other, Number alpha = 1)'),
    **{f'special_{p}_polynomial_{k}': _sigs('x', 'n', 'x') for p, k in (
        ('chebyshev', 't'), ('chebyshev', 'u'), ('chebyshev', 'v'), ('chebyshev', 'w'), ('shifted_chebyshev', 't'),
        ('shifted_chebyshev', 'u'), ('shifted_chebyshev', 'v'), ('shifted_chebyshev', 'w'), ('hermite', 'h'),
        ('hermite', 'he'), ('laguerre', 'l'), ('legendre', 'p'))},
}


def _method_signature(sig):
    """A function signature as the Tensor method's: no self/input, no out; None for a (Number self, ...) one."""
    params = [p.strip() for p in sig[1:-1].split(',')]
    if params[0].startswith('Number self'):
        return None
    params = [p for p in params[1:] if p != 'Tensor out = None']
    return f"({', '.join(params[:-1] if params[-1] == '*' else params)})"


def _arg_desc(x):
    """An argument as torch's parser describes one that matched no signature (containers with their items)."""
    from ..random import _tp_name
    if x.__class__ is list:
        return f"list of [{', '.join(map(_tp_name, x))}]"
    if x.__class__ is tuple:
        return f"tuple of ({', '.join(map(_tp_name, x))}{',' if len(x) == 1 else ''})"
    return _tp_name(x)


def _invalid_combination(name, args, sigs):
    """torch's TypeError when none of the signatures `sigs` takes args. Under a signature taking exactly as
    many arguments it says which did not match: all but a Tensor given for a Tensor (its formatter never
    matches a Number, nor a Tensor subclass such as Parameter)."""
    from ..random import _tp_name
    msg = f"{name}() received an invalid combination of arguments - got ({', '.join(_tp_name(a) for a in args)}), " \
          "but expected one of:\n"
    for sig in sigs:
        msg += f' * {sig}\n'
        types = [p.split()[0] for p in sig[1:-1].split(', ') if p != '*']
        if len(types) == len(args):
            marked = [_tp_name(a) if t == 'Tensor' and a.__class__ is Tensor else f'!{_arg_desc(a)}!'
                      for t, a in zip(types, args)]
            msg += f"      didn't match because some of the arguments have invalid types: ({', '.join(marked)})\n"
    return TypeError(msg)


def _operands_error(name, args, method=False, second='other'):
    """torch's TypeError for operands (input, other) that no signature of the binary op `name` takes, as the
    function or (method) the Tensor method. It carries them, so that a method or an alias calling the function
    can word it as its own (_reworded)."""
    sigs = _OVERLOADS.get(name.rstrip('_'))
    if method:
        if sigs is not None:
            e = _invalid_combination(name, args[1:], list(filter(None, map(_method_signature, sigs))))
        else:
            e = TypeError(f"{name}(): argument '{second}' (position 1) must be Tensor, not {type(args[1]).__name__}")
    elif sigs is not None:
        e = _invalid_combination(name, args, sigs)
    else:
        e = _operand_error(name, 1, 'input', args[0]) if not isinstance(args[0], Tensor) else \
            _operand_error(name, 2, second, args[1])
    e._operands = args, second
    return e


def reworded(e, name, args, method=True):
    """e as the method (or function) `name` raises it when e is an operands error for args (their first ones)."""
    ops = getattr(e, '_operands', None)
    if ops is None or len(ops[0]) < len(args) or any(a is not b for a, b in zip(ops[0], args)):
        return e
    return _operands_error(name, ops[0], method, ops[1])


def _method_of(f, name):
    """Tensor.<name> running the binary op f: a bad operand is worded for the method (position 1, the method's
    signatures)."""
    def method(self, *args, **kwargs):
        try:
            return f(self, *args, **kwargs)
        except TypeError as e:
            raise reworded(e, name, (self,) + args[:1]) from None
    method.__name__ = method.__qualname__ = name
    return method


def _publish_alias(f, name):
    """torch.<name>, Tensor.<name> and Tensor.<name>_ for an alias of the binary op f: functions of their own,
    whose argument errors name the alias with its own signatures (torch.multiply lists two, torch.mul one)."""
    def alias(input, *args, **kwargs):
        try:
            return f(input, *args, **kwargs)
        except TypeError as e:
            raise reworded(e, name, (input,) + args[:1], method=False) from None
    alias.__name__ = alias.__qualname__ = name
    alias.__doc__ = f.__doc__
    register(alias, name=name, method=False)
    setattr(Tensor, name, _method_of(f, name))
    setattr(Tensor, name + '_', make_inplace(f, name + '_'))


def _check_overloads(name, input, other):
    """torch's 'invalid combination' TypeError unless (input, other) fits (Tensor, Tensor), (Tensor, Number) or,
    where the op has that overload, (Number, Tensor)."""
    if isinstance(input, Tensor):
        if isinstance(other, Tensor) or _as_scalar(other) is not None:
            return
    elif any(s.startswith('(Number ') for s in _OVERLOADS[name]) and isinstance(other, Tensor) \
            and _as_scalar(input) is not None:
        return
    raise _operands_error(name, (input, other))


def binary(name, fwd, da=None, db=None, *, kind='arith', grad_name=None, save=True, inplace=True,
           method=True, check=None, scalar_grad_name=None, scalar_ok=True, other_name='other', uint_kernel=None,
           precheck=None):
    """Declare a binary op with broadcasting and torch promotion.

    kind: 'arith' (result in the promoted dtype), 'float' (ints promote to the default float),
    'cmp' (bool result), 'int' (integer and bool only). da/db(g, a, b) are the derivatives.
    uint_kernel: the kernel that refuses a uint16/32/64 result (after the broadcast, as torch's).
    precheck(input, other): torch's argument check that comes before promotion, run where promotion fails."""
    gname = grad_name or ''.join(p.capitalize() for p in name.split('_')) + 'Backward0'
    sname = scalar_grad_name or gname
    differentiable = da is not None or db is not None
    # with a scalar `other`, the input is saved only if its own derivative reads it
    save_for_scalar = save and da is not None and _reads(da, 'a')
    # torch's mul/div save a Python number `other` as a wrapped 0-d tensor (no saved-tensor hooks run):
    # freed with the graph, so a second backward through it raises
    wraps_scalar = name in _NUMBERS_AS_TENSORS and da is not None and _reads(da, 'b')
    # with a tensor `other`, an input is saved where the derivative of an input that needs a gradient
    # reads it, in torch's order (other, self)
    reads = [[f is not None and save and _reads(f, v) for v in 'ab'] for f in (da, db)]
    if differentiable:
        _name_saved(gname, (other_name, 'self'))
    pname = name.lstrip('_')          # _add is torch.add's tensor-only part, named add in errors
    f8 = _F8K.BINARY.get(name)        # torch's kernels for float8 (tensor other, scalar other)
    ufunc = fwd.__class__ is np.ufunc

    def bwd(node, g):
        saved = node.saved_tensors
        b, a = saved if len(saved) == 2 else (node._args, saved[0] if saved else None)
        ga = da(g, a, b) if needs(node, 0) else None
        gb = db(g, a, b) if needs(node, 1) else None
        return ga, gb

    def op(input, other, *, out=None):
        if not isinstance(input, Tensor):
            if isinstance(other, Tensor) and _as_scalar(input) is not None:
                if name not in _NUMBER_INPUT:
                    raise _operands_error(pname, (input, other), second=other_name)
                r = op(_scalar_tensor(_as_scalar(input), other), other, out=out)
                node = _NUMBER_INPUT_NODES.get(name)
                if node is not None and r._grad_fn is not None:     # torch's Scalar-input overload's node
                    r._grad_fn.__class__ = node_class(node)
                    if node == 'NotImplemented':
                        r._grad_fn._fn = _not_implemented(name)
                return r
            if name in _NUMBERS_AS_TENSORS and _as_scalar(input) is not None:
                if _as_scalar(other) is None:
                    raise _operand_error(pname, 2, other_name, other)
                return op(_scalar_tensor(input), other, out=out)      # torch.add(1, 2): tensor(3)
            raise _operands_error(pname, (input, other), second=other_name)
        if not scalar_ok and not isinstance(other, Tensor):
            raise _operands_error(pname, (input, other), second=other_name)
        if other.__class__ is Tensor and input.dtype is other.dtype \
                and input._device is other._device:
            a, b, rt = input._data, other._data, input.dtype
        elif ufunc and (other.__class__ is float or other.__class__ is int and -_2_53 <= other <= _2_53) \
                and input.dtype in _F32_64 and input._data.__class__ is np.ndarray:
            # a NumPy ufunc reads a Python number as a scalar of the array's dtype (NEP 50), as torch
            # does for a float tensor: _promote's conversion would give the same numbers
            a, b, rt = input._data, other, input.dtype
        else:
            try:
                a, b, rt = _promote(name, input, other)
            except RuntimeError:
                if precheck is not None:
                    precheck(input, other)
                raise
        if check is not None:
            if getattr(check, 'kernel', False) and isinstance(other, Tensor) and a.shape != b.shape:
                broadcast_shapes(a.shape, b.shape)      # torch broadcasts before its kernel refuses a dtype
            check(rt, input, other)
        if f8 is not None and rt in _F8K.F8:
            # torch's kernels take a one-element other as a scalar (mul: "mul_cpu_reduced_float", no loop)
            k = f8[other.__class__ is not Tensor or other._data.size == 1]
            if k:
                raise kernel_error(k, rt, input._device)
        if uint_kernel is not None and rt in _BARE_UINTS:
            if isinstance(other, Tensor) and a.shape != b.shape:
                broadcast_shapes(a.shape, b.shape)
            raise kernel_error(uint_kernel, rt, input._device)
        if kind == 'float' and rt._cat < _FLOAT:     # ints/bools in the default float, each read as it is
            a = input._data.astype(D.get_default_dtype()._np)
            b = other._data.astype(a.dtype) if isinstance(other, Tensor) else \
                np.asarray(_as_scalar(other)).astype(a.dtype)[()]
        try:
            data = fwd(a, b)
        except ValueError:
            raise _broadcast_error(a, b) from None
        if kind == 'cmp':
            dt = D.bool
        elif kind == 'float' and rt._cat < _FLOAT:
            dt = D.get_default_dtype()
            data = data.astype(dt._np, copy=False)
        else:
            dt = rt
            if data.dtype != rt._np:
                data = data.astype(rt._np)
        r = _make(data, dt, input._device)
        # (the thread-local grad mode read last: it costs more than the flags)
        if (input._requires_grad or other.__class__ is not int and other.__class__ is not float
                and getattr(other, '_requires_grad', False)) and grad_state.enabled:
            if kind == 'cmp':
                pass
            elif not differentiable:
                attach('NotImplemented', _not_implemented(name), (input, other if isinstance(other, Tensor) else None), (r,))
            elif isinstance(other, Tensor):
                ga, gb = input._requires_grad, other._requires_grad
                sa, sb = (ga and reads[0][0]) or (gb and reads[1][0]), (ga and reads[0][1]) or (gb and reads[1][1])
                attach(gname, bwd, (input, other), (r,),
                       save=(other if sb else None, input if sa else None) if sa or sb else ())
            else:
                node = attach(sname, bwd, (input, None), (r,), save=(input,) if save_for_scalar else (), args=other)
                if wraps_scalar and node is not None:
                    node._saved, node._had_saved = (), True
        if out is not None:
            return write_out(out, r, name)
        return r
    op.__name__ = name
    register(op, name=name, inplace=inplace, method=False)
    if method:
        def meth(self, other, *, out=None):
            try:
                return op(self, other, out=out)
            except TypeError as e:
                raise reworded(e, pname, (self, other)) from None
        meth.__name__ = name
        setattr(Tensor, name, meth)
    return op


def _reads(fn, name):
    """Whether fn's code loads the local `name` (scanning LOAD_FAST in the raw wordcode; cheap at import)."""
    import opcode
    code = fn.__code__
    if name not in code.co_varnames:
        return False
    idx = code.co_varnames.index(name)
    raw = code.co_code
    ops = {opcode.opmap[n] for n in opcode.opmap if n.startswith('LOAD_FAST')}
    return any(raw[i] in ops and raw[i + 1] == idx for i in range(0, len(raw), 2)) or \
        any(raw[i] in ops and opcode.opname[raw[i]] != 'LOAD_FAST' for i in range(0, len(raw), 2))


def _not_implemented(name):
    def bwd(node, g):
        raise RuntimeError(f"derivative for aten::{name} is not implemented")
    return bwd


def _kernel_check(check):
    """Mark a dtype refusal made by torch's kernel: torch reports a broadcast error before it."""
    check.kernel = True
    return check


def _reject(kernel, cats):
    refused = _refused(cats)

    def check(rt, a, b):
        if rt in refused:
            raise kernel_error(kernel, rt, a._device)
    return _kernel_check(check)


def _device_of(a, b):
    """The device of a binary op's tensor operand (for kernel_error's CUDA kernel names)."""
    return a._device if isinstance(a, Tensor) else b._device if isinstance(b, Tensor) else None


def _no_complex(name, text='not implemented for complex tensors.', uint_kernel=None):
    """torch's op-level refusal of complex inputs (before any broadcasting); uint_kernel: the kernel that
    then refuses torch's bare uint16/32/64."""
    def check(rt, a, b):
        if rt._cat == 3:
            raise RuntimeError(f"{name} {text}")
        if uint_kernel and rt in _BARE_UINTS:
            raise kernel_error(uint_kernel, rt, _device_of(a, b))
    return check


def _int_div_check(kernel):
    """Bool and complex are refused; integer division by zero is an error in torch (NumPy returns 0)."""
    refuse = _reject(kernel, (0, 3, 'uint'))

    def check(rt, a, b):
        refuse(rt, a, b)
        if rt._cat == 1:
            if isinstance(b, Tensor):
                zero = np.any(b._data == 0)
            else:       # a scalar wraps into the dtype first: 2**40 is 0 as an int32
                zero = b == 0 or (b % 256 == 0 and np.asarray(b).astype(rt._np) == 0)
            if zero:
                raise RuntimeError("ZeroDivisionError")
    return _kernel_check(check)


def _no_bool_sub(rt, a, b):
    """torch's sub_check (rt None: before promotion, where a uint16/32/64 operand makes it fail)."""
    if rt is D.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if getattr(a, 'dtype', None) is D.bool or getattr(b, 'dtype', None) is D.bool or b.__class__ is bool:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                           "trying to invert a mask, use the `~` or `logical_not()` operator instead.")


def _int_only(name):
    def check(rt, a, b):
        if rt._cat >= _FLOAT:
            raise kernel_error(f'{name}_cpu', rt, a._device)
    return _kernel_check(check)


def _pow_check(rt, a, b):
    if rt._cat == 1:
        # only a Python-scalar exponent is refused; tensor exponents follow integer arithmetic
        if isinstance(b, int) and not isinstance(b, bool) and b < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if rt in _BARE_UINTS and not (b.__class__ in (int, bool) and b in (0, 1) and isinstance(a, Tensor)):
            raise kernel_error('pow', rt, _device_of(a, b))     # torch's pow(x, 0 | 1) fills / copies first


_C_TYPES = {D.uint8: 'uint8_t', D.int8: 'int8_t', D.int16: 'int16_t', D.int32: 'int', D.int64: 'int64_t',
            D.float16: 'c10::Half', D.bfloat16: 'c10::BFloat16'}


def _pow_exponent_fits(rt, e):
    """torch converts a scalar exponent to an integer or reduced float result type, refusing one that
    overflows it (bfloat16 checks against float's range)."""
    c = _C_TYPES.get(rt)
    if c is None or e.__class__ is complex:
        return
    if e.__class__ is int and e >= _2_63 and rt._cat == 1:
        c = 'int64_t'           # read as uint64 first, then as int64
    elif rt._cat == _FLOAT:
        if not np.isinf(np.float16(e) if rt is D.float16 else np.float32(e)) or math.isinf(e):
            return
    elif e.__class__ is float or np.iinfo(rt._np).min <= e <= np.iinfo(rt._np).max:
        return
    raise RuntimeError(f"value cannot be converted to type {c} without overflow")


def _int_power(a, b):
    """Integer power with negative exponents as torch computes them: 1 and -1 stay exact,
    everything else truncates to 0."""
    if a.dtype.kind not in 'iu' or not np.any(np.asarray(b) < 0):
        return np.power(a, b)
    neg = np.asarray(b) < 0
    r = np.power(a, np.where(neg, 0, b))
    odd = np.asarray(b) % 2 != 0
    return np.where(neg, np.where(a == 1, 1, np.where(a == -1, np.where(odd, -1, 1), 0)), r).astype(r.dtype)


_add = binary('_add', np.add, lambda g, a, b: g, lambda g, a, b: g, grad_name='AddBackward0', save=False,
              method=False, inplace=False, uint_kernel='add_stub')
_sub = binary('_sub', np.subtract, lambda g, a, b: g, lambda g, a, b: -g, grad_name='SubBackward0',
              save=False, method=False, inplace=False, check=_no_bool_sub, uint_kernel='add_stub',
              precheck=lambda a, b: _no_bool_sub(None, a, b))
def _conj(x):
    """Complex derivatives take the conjugate of the other operand (a real one is returned as is)."""
    return x.conj() if isinstance(x, Tensor) else x.conjugate()


mul = binary('mul', np.multiply, lambda g, a, b: g * _conj(b), lambda g, a, b: g * _conj(a))
_publish_alias(mul, 'multiply')
_div = binary('_div', np.true_divide, lambda g, a, b: g / _conj(b), lambda g, a, b: -g * _conj((a / b) / b),
              kind='float', grad_name='DivBackward0', method=False, inplace=False)
floor_divide = binary('floor_divide', np.floor_divide, None, None, check=_int_div_check('div_floor_cpu'))
def _remainder_np(a, b):
    """torch's remainder: fmod, moved by b where its sign differs from b's; the zeros keep fmod's sign
    (np.remainder gives +0 where torch gives -0.0)."""
    with np.errstate(all='ignore'):
        mod = np.fmod(a, b)
    if mod.dtype.kind != 'f':
        return np.remainder(a, b)
    return np.where((mod != 0) & ((mod < 0) != (b < 0)), mod + b, mod)     # mod first: b may be a host scalar


remainder = binary('remainder', _remainder_np, lambda g, a, b: g,
                   lambda g, a, b: -g * (a / b).floor(), grad_name='RemainderBackward1',
                   scalar_grad_name='RemainderBackward0', check=_int_div_check('remainder_cpu'))
fmod = binary('fmod', np.fmod, lambda g, a, b: g, lambda g, a, b: -g * (a / b).trunc(),
              grad_name='FmodBackward1', scalar_grad_name='FmodBackward0', check=_int_div_check('fmod_cpu'))
atan2 = binary('atan2', np.arctan2, lambda g, a, b: g * b / (a * a + b * b),
               lambda g, a, b: -g * a / (a * a + b * b), kind='float', scalar_ok=False,
               check=_reject('atan2_cpu', (3,)))
register(atan2, name='arctan2', inplace=True)
# on a tie (+0 against -0.0) torch returns the first input; NumPy may return either
maximum = binary('maximum', lambda a, b: _clamp_to(np.maximum, a, b), lambda g, a, b: g * _gt_half(a, b),
                 lambda g, a, b: g * _gt_half(b, a), inplace=False, scalar_ok=False,
                 check=_no_complex('maximum', uint_kernel='maximum_cpu'))
minimum = binary('minimum', lambda a, b: _clamp_to(np.minimum, a, b), lambda g, a, b: g * _gt_half(b, a),
                 lambda g, a, b: g * _gt_half(a, b), inplace=False, scalar_ok=False,
                 check=_no_complex('minimum', uint_kernel='minimum_cpu'))
_cmp = {_n: binary(_n, _f, kind='cmp', check=None if _n in ('eq', 'ne') else _reject(f'{_n}_cpu', (3, 'uint')))
        for _n, _f in (('eq', np.equal), ('ne', np.not_equal), ('lt', np.less), ('le', np.less_equal),
                       ('gt', np.greater), ('ge', np.greater_equal))}
for _n, _a in (('greater', 'gt'), ('greater_equal', 'ge'), ('less', 'lt'), ('less_equal', 'le'),
               ('not_equal', 'ne')):
    _publish_alias(_cmp[_a], _n)
logical_and = binary('logical_and', np.logical_and, kind='cmp', scalar_ok=False,
                     check=_reject('logical_and_cpu', ('uint',)))
logical_or = binary('logical_or', np.logical_or, kind='cmp', scalar_ok=False,
                    check=_reject('logical_or_cpu', ('uint',)))
logical_xor = binary('logical_xor', np.logical_xor, kind='cmp', scalar_ok=False,
                     check=_reject('logical_xor_cpu', ('uint',)))
bitwise_and = binary('bitwise_and', np.bitwise_and, check=_int_only('bitwise_and'))
bitwise_or = binary('bitwise_or', np.bitwise_or, check=_int_only('bitwise_or'))
bitwise_xor = binary('bitwise_xor', np.bitwise_xor, check=_int_only('bitwise_xor'))
bitwise_left_shift = binary('bitwise_left_shift', np.left_shift, check=_reject('lshift_cpu', (0, 2, 3, 'uint')))
bitwise_right_shift = binary('bitwise_right_shift', np.right_shift, check=_reject('rshift_cpu', (0, 2, 3, 'uint')))


def _gt_half(a, b):
    # a's share of max(a, b): torch splits the gradient evenly where both inputs are equal, and
    # masks only where a < b, so a NaN on either side passes the whole gradient to both
    return (~(a < b)).to(a.dtype) - (a == b).to(a.dtype) * 0.5


def add(input, other, *, alpha=1, out=None):
    if alpha == 1 and alpha.__class__ is not bool:
        return _add(input, other, out=out)
    return _with_alpha(_add, 'AddBackward0', input, other, alpha, out)


def sub(input, other, *, alpha=1, out=None):
    if alpha == 1 and alpha.__class__ is not bool:
        return _sub(input, other, out=out)
    return _with_alpha(_sub, 'SubBackward0', input, other, alpha, out)


def _alpha_check(rt, alpha):
    """torch's alpha_check against the result dtype."""
    if isinstance(alpha, (bool, np.bool_)) and rt is not D.bool:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if rt._cat < _FLOAT and not isinstance(alpha, (bool, numbers.Integral)):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    if rt._cat != D._COMPLEX and isinstance(alpha, complex):
        raise RuntimeError("For non-complex input tensors, argument alpha must not be a complex number.")


def _with_alpha(op, gname, input, other, alpha, out):
    """input + alpha * other (op: _add / _sub) as torch's one node: the gradient of other is
    alpha * g; half and bfloat16 tensors sum in float32 with alpha rounded to their dtype, float32
    ones as a fused multiply-add; each rounds once."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        rt = D.result_type_of((input,), (other,)) if isinstance(input, Tensor) else None
        if rt is not None:
            _alpha_check(rt, alpha)
        return op(input, other * alpha, out=out)
    try:
        rt = D.result_type_of((input, other))
    except RuntimeError:
        if op is _sub:      # torch's sub_check comes before promotion (uint16 - bool)
            _no_bool_sub(None, input, other)
        raise
    if op is _sub:
        _no_bool_sub(rt, input, other)
    _alpha_check(rt, alpha)
    prev = grad_state.enabled
    grad_state.enabled = False          # recorded below as one node
    try:
        if rt is D.float16 or rt is D.bfloat16:
            a = float(D.round_bf16(alpha) if rt is D.bfloat16 else np.float16(alpha))
            r = op(input.to(D.float32), other.to(D.float32) * a).to(rt)
        elif rt is D.float32 and input.dtype is other.dtype and input._device is other._device \
                and input._data.shape == other._data.shape:    # the usual update: three array passes
            r = _make(_fused_axpy(input._data, other._data, alpha if op is _add else -alpha, inplace=False), rt,
                      input._device)
        elif rt is D.float32:       # torch's loop is one fused multiply-add (alpha as float32): exact in float64
            r = op(input.to(D.float64), other.to(D.float64) * float(np.float32(alpha))).to(rt)
        else:
            r = op(input, other * (bool(alpha) if rt is D.bool else alpha))
    finally:
        grad_state.enabled = prev
    if grad_state.enabled and (input._requires_grad or other._requires_grad):
        sign = -alpha if op is _sub else alpha
        attach(gname, lambda node, g: (g if needs(node, 0) else None, _times_conj(g, sign) if needs(node, 1) else None),
               (input, other), (r,))
    return write_out(out, r, gname[:3].lower()) if out is not None else r


# the ufuncs their in-place forms write straight into self with (_core._write_directly)
add._ufunc, sub._ufunc, mul._ufunc = np.add, np.subtract, np.multiply


def div(input, other, *, rounding_mode=None, out=None):
    if rounding_mode is None:
        return _div(input, other, out=out)
    if rounding_mode == 'trunc':
        return _div_rounded(input, other, np.trunc, out)
    if rounding_mode == 'floor':
        return _div_rounded(input, other, np.floor, out)
    raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'")


def _div_rounded(input, other, rnd, out):
    if not isinstance(input, Tensor):
        if _as_scalar(input) is None or not isinstance(other, Tensor) and _as_scalar(other) is None:
            raise _operands_error('div', (input, other))
        input = _scalar_tensor(input, other if isinstance(other, Tensor) else None)   # torch.div(7, t, ...)
    a, b, rt = _promote('div', input, other)
    if rt in _BARE_UINTS:
        raise kernel_error('div_trunc_cpu' if rnd is np.trunc else 'div_floor_cpu', rt, input._device)
    if rt._cat < _FLOAT:
        if np.any(b == 0):
            raise RuntimeError("ZeroDivisionError")
        q = np.floor_divide(a, b)
        if rnd is np.trunc:
            q = q + ((q < 0) & (q * b != a)).astype(q.dtype)
        data = q.astype(rt._np)
    else:
        with np.errstate(all='ignore'):     # floor: Python's (and torch's) float floor division
            data = (np.floor_divide(a, b) if rnd is np.floor else np.trunc(np.true_divide(a, b))).astype(rt._np)
    r = _make(data, rt, input._device)
    if grad_state.enabled and (input._requires_grad or getattr(other, '_requires_grad', False)):
        # torch wraps a Python number as a 0-d tensor (div.Tensor_mode, DivBackward2) and saves other, and
        # self where other needs a gradient: freed with the graph like any saved tensor
        t_other = other if isinstance(other, Tensor) else None
        node = attach('DivBackward2', lambda node, g: (zero_grad(g), None if t_other is None else zero_grad(g)),
                      (input, t_other), (r,),
                      save=() if t_other is None else (t_other, input if t_other._requires_grad else None))
        if t_other is None and node is not None:
            node._saved, node._had_saved = (), True
    return write_out(out, r, 'div') if out is not None else r


_name_saved('DivBackward2', ('other', 'self'))


true_divide = div
div._ufunc = np.true_divide
for _n, _f in (('add', add), ('sub', sub), ('div', div)):
    register(_f, name=_n, inplace=True, method=False)
    setattr(Tensor, _n, _method_of(_f, _n))
_publish_alias(sub, 'subtract')
_publish_alias(div, 'divide')
_publish_alias(div, 'true_divide')


def rsub(input, other, *, alpha=1):
    """other - alpha * input, one node (RsubBackward0 for a tensor other, RsubBackward1 for a scalar)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"rsub() received an invalid combination of arguments - got ({type(input).__name__}, "
                        f"{'Tensor' if isinstance(other, Tensor) else type(other).__name__}), but expected one of:\n"
                        " * (Tensor input, Tensor other, *, Number alpha = 1)\n"
                        " * (Tensor input, Number other, Number alpha = 1)\n")
    try:
        a, b, rt = _promote('rsub', input, other)
    except RuntimeError:
        _no_bool_sub(None, input, other)
        if isinstance(other, Tensor):       # torch promotes other with input: its message names them so
            D.promote_types(other.dtype, input.dtype)
        raise
    _no_bool_sub(rt, input, other)
    _alpha_check(rt, alpha)
    if rt in _BARE_UINTS:
        if isinstance(other, Tensor) and a.shape != b.shape:
            broadcast_shapes(a.shape, b.shape)
        raise kernel_error('add_stub', rt, input._device)
    try:
        data = np.subtract(b, a * np.cast(alpha, rt._np) if alpha != 1 else a)
    except ValueError:
        raise _broadcast_error(a, b) from None
    res = _make(np.asarray(data, rt._np), rt, input._device)
    ot = other if isinstance(other, Tensor) else None
    if grad_state.enabled and (input._requires_grad or (ot is not None and ot._requires_grad)):
        attach('RsubBackward0' if ot is not None else 'RsubBackward1',
               lambda node, g: (-g * alpha if alpha != 1 else -g, g), (input, ot), (res,))
    return res


register(rsub, method=False)


# exponents torch's floating pow kernel computes with multiplies (x**3 is x*x*x, not powf's rounding)
_POW_SPECIAL = {3: lambda a: a * a * a, -2: lambda a: 1 / (a * a), -0.5: lambda a: 1 / np.sqrt(a)}


_power = V.rounded(np.power)     # tensor ** scalar


def pow(input, exponent, *, out=None):
    f8 = next((t for t in (input, exponent) if t.__class__ is Tensor and t.dtype in _F8K.F8), None)
    if f8 is not None:
        raise kernel_error('pow', f8.dtype, f8._device)
    if not isinstance(input, Tensor):       # torch.pow(scalar, tensor)
        _check_overloads('pow', input, exponent)
        s = _as_scalar(input)
        rt = D.result_type_of((exponent,), (s,))
        if s.__class__ is int and not -_2_63 <= s < _2_64:
            raise _int_overflow(s)
        base = _make(np.asarray(s).astype(rt._np), rt, exponent._device)    # wrapped into an integer type
        if s.__class__ is int and s == 1 and rt in _BARE_UINTS:     # torch fills ones before its kernel
            return write_out(out, base.expand(exponent.shape).clone(), 'pow') if out is not None else \
                base.expand(exponent.shape).clone()
        r = _pow_tt(base, exponent, 'PowBackward2')
        return write_out(out, r, 'pow') if out is not None else r
    if isinstance(exponent, Tensor):
        r = _pow_tt(input, exponent)
        return write_out(out, r, 'pow') if out is not None else r
    a, b, rt = _promote('pow', input, exponent)
    _pow_check(rt, input, exponent)
    e = _as_scalar(exponent)
    _pow_exponent_fits(rt, e)
    if e == 2:
        data = np.square(a)
    elif (rt is D.float32 or rt is D.float64) and e in _POW_SPECIAL:     # torch's pow kernel spells these out
        with np.errstate(divide='ignore', invalid='ignore'):
            data = _POW_SPECIAL[e](a.astype(rt._np, copy=False))
    elif e == 0.5 and rt._cat >= _FLOAT:
        data = np.sqrt(a)
    else:
        data = _power(a, b)
    r = _make(data.astype(rt._np, copy=False), rt, input._device)
    if input._requires_grad and grad_state.enabled:
        def bwd(node, g):
            x, = node.saved_tensors
            if e == 0:
                return zero_grad(g)
            return _times_conj(g, e * x.pow(e - 1))
        attach('PowBackward0', bwd, (input,), (r,), save=(input,))
    return write_out(out, r, 'pow') if out is not None else r


def _pow_tt(input, exponent, gname='PowBackward1'):
    a, b, rt = _promote('pow', input, exponent)
    if rt is D.bool:
        if a.shape != b.shape:
            broadcast_shapes(a.shape, b.shape)      # the broadcast error first, as torch
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    _pow_check(rt, input, exponent)
    try:
        data = _int_power(a, b)
    except ValueError:
        raise _broadcast_error(a, b) from None
    r = _make(data.astype(rt._np, copy=False), rt, input._device)
    if grad_state.enabled and (input._requires_grad or exponent._requires_grad):
        def bwd(node, g):
            x, y, res = node.saved_tensors
            gx = gy = None
            if needs(node, 0):      # torch: 0 where y == 0 (x**0 is constant, even at x = 0)
                from .. import where
                gx = _times_conj(g, where(y == 0, 0, y * x.pow(y - 1)))
            if needs(node, 1):
                gy = _times_conj(g, _pow_exponent_grad(x, y, res))
            return gx, gy
        attach(gname, bwd, (input, exponent), (r,), save=(input, exponent, r))
    return r


def _times_conj(g, d):
    """g * conj(d): torch's chain rule through a holomorphic derivative d (a tensor or a scalar)."""
    if isinstance(d, Tensor):
        return g * (d.conj() if d.dtype.is_complex else d)
    return g * (d.conjugate() if isinstance(d, complex) else d)


def _pow_exponent_grad(x, y, res):
    """d/dy x**y = x**y * log(x); torch takes 0 where x == 0 and y >= 0 (0**y is constant there), so
    0**y for a negative y keeps inf * log(0) = -inf."""
    from .. import where
    nonneg = (y.imag == 0) & (y.real >= 0) if y.dtype.is_complex else y >= 0
    return where((x == 0) & nonneg, 0, res * x.log())


register(pow, inplace=True, method=False)
Tensor.pow = _method_of(pow, 'pow')
register(lambda input, exponent: pow(input, exponent), name='float_power', method=False)


# Python operators. torch answers NotImplemented where an operand does not fit (a TypeError), so
# Python tries the other operand's method and words its own TypeError ('unsupported operand type(s)').

def _operator(f):
    def op(self, other):
        try:
            return f(self, other)
        except TypeError:
            return NotImplemented
    return op


def _reflected(f):
    return _operator(lambda self, other: f(other, self))


def _descriptor(name, f):
    """A reflected operator torch defines in C (TensorBase.__radd__): called unbound on something that is no
    tensor, it is Python's descriptor TypeError (the Python-level ones, __rsub__ ..., differ)."""
    op = _operator(f)

    def checked(self, other):
        if self.__class__ is not Tensor and not isinstance(self, Tensor):
            raise TypeError(f"descriptor '{name}' for 'torch._C.TensorBase' objects doesn't apply to a "
                            f"'{type(self).__name__}' object")
        return op(self, other)
    checked.__name__ = name
    return checked


def _pow_operator(self, other, modulo=None):
    if modulo is not None:      # pow(t, e, m): Python words the TypeError
        return NotImplemented
    try:
        return pow(self, other)
    except TypeError:
        return NotImplemented


def _and(self, other):
    if self.dtype is D.bool and isinstance(other, Tensor) and other.dtype is D.bool:
        return logical_and(self, other)
    return bitwise_and(self, other)


Tensor.__add__ = _operator(_add)
Tensor.__radd__ = _descriptor('__radd__', _add)
Tensor.__sub__ = _operator(_sub)
Tensor.__rsub__ = _operator(rsub)
Tensor.__mul__ = _operator(mul)
Tensor.__rmul__ = _descriptor('__rmul__', mul)
Tensor.__truediv__ = _operator(_div)
Tensor.__rtruediv__ = _operator(lambda self, other: self.reciprocal() * other)   # torch's (Python) words
Tensor.__floordiv__ = _operator(floor_divide)
Tensor.__rfloordiv__ = _reflected(floor_divide)
Tensor.__mod__ = _operator(remainder)
Tensor.__rmod__ = _reflected(remainder)
Tensor.__pow__ = _pow_operator
Tensor.__rpow__ = _reflected(pow)
Tensor.__neg__ = neg
Tensor.__abs__ = abs


def _invert(self):
    if self.dtype._cat > 1:     # the operator checks before bitwise_not's kernel would
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return logical_not(self) if self.dtype is D.bool else bitwise_not(self)


Tensor.__invert__ = _invert
Tensor.__and__ = _operator(_and)
Tensor.__rand__ = _descriptor('__rand__', _and)
Tensor.__or__ = _operator(bitwise_or)
Tensor.__ror__ = _descriptor('__ror__', bitwise_or)
Tensor.__xor__ = _operator(bitwise_xor)
Tensor.__rxor__ = _descriptor('__rxor__', bitwise_xor)
Tensor.__lshift__ = _operator(bitwise_left_shift)
Tensor.__rshift__ = _operator(bitwise_right_shift)
Tensor.__rlshift__ = _reflected(bitwise_left_shift)
Tensor.__rrshift__ = _reflected(bitwise_right_shift)
# torch's == (only ==) reads a NumPy array as a tensor; other foreign objects compare unequal
Tensor.__eq__ = lambda self, other: Tensor.eq(self, other) if _comparable(other) else \
    Tensor.eq(self, _from_numpy(other)) if other.__class__ is np.ndarray else False
Tensor.__ne__ = lambda self, other: Tensor.ne(self, other) if _comparable(other) else True
Tensor.__lt__ = _operator(lambda self, other: Tensor.lt(self, other))
Tensor.__le__ = _operator(lambda self, other: Tensor.le(self, other))
Tensor.__gt__ = _operator(lambda self, other: Tensor.gt(self, other))
Tensor.__ge__ = _operator(lambda self, other: Tensor.ge(self, other))
for _n, _m in (('add', 'add_'), ('sub', 'sub_'), ('mul', 'mul_'), ('truediv', 'div_'), ('floordiv', 'floor_divide_'),
               ('mod', 'remainder_'), ('pow', 'pow_'), ('and', 'bitwise_and_'), ('or', 'bitwise_or_'),
               ('xor', 'bitwise_xor_'), ('lshift', 'bitwise_left_shift_'), ('rshift', 'bitwise_right_shift_')):
    setattr(Tensor, f'__i{_n}__', _operator(lambda self, other, m=_m: getattr(Tensor, m)(self, other)))
Tensor.__hash__ = lambda self: id(self)


def _from_numpy(a):
    from .factory import as_tensor
    return as_tensor(a)


def _comparable(other):
    return isinstance(other, Tensor) or _as_scalar(other) is not None


def _scalar_tensor(s, like=None):
    s = _as_scalar(s)
    dt = D.result_type_of((), (s,))
    return _make(np.asarray(s, dtype=dt._np), dt, _cpu if like is None else like._device)


# --- special functions ---------------------------------------------------------------------------
# NumPy has no erf/lgamma/digamma. These kernels are vectorised series / continued fractions /
# Lanczos, evaluated in float64 and rounded to the input dtype: correctly rounded float32 results
# are what torch's float32 kernels give too, and the float64 detour costs little for these
# rarely-hot ops.

_SQRT_PI = math.sqrt(math.pi)


def _in64(kernel):
    """kernel in float64, rounded to a's dtype; on the host for a GPU array (the kernels use NumPy
    constant tables; these ops are rarely hot)."""
    def f(a):
        with np.errstate(all='ignore'):
            r = np.asarray(kernel(np.host(a).astype(np.float64, copy=False)))
        r = np.asarray_on(r, a).astype(a.dtype, copy=False)
        if not a.flags.c_contiguous and r.flags.c_contiguous:     # the kernels' np.where writes C order:
            out = np.empty_like(a)                                  # keep a's layout (channels-last), as torch
            out[...] = r
            r = out
        return r
    return f


def _erfc_cf(x):
    """erfc for x >= 2.5 by Laplace's continued fraction, evaluated backwards at a fixed depth."""
    k = x
    for n in range(80, 0, -1):
        k = x + (n / 2) / k
    return np.exp(-x * x) / (_SQRT_PI * k)


def _erf_small(x):
    """erf(x) for 0 <= x < 2.5: exp(-x^2) * sum 2^n x^(2n+1) / (2n+1)!!, all terms positive."""
    x2 = x * x
    term = x.copy()
    s = x.copy()
    for n in range(1, 45):
        term = term * (2 * x2) / (2 * n + 1)
        s = s + term
    return (2 / _SQRT_PI) * np.exp(-x2) * s


def _erf64(x):
    ax = np.abs(x)
    small = ax < 2.5
    r = np.where(small, _erf_small(np.where(small, ax, 0.)), 1 - _erfc_cf(np.where(small, 3., ax)))
    return np.where(np.isnan(x), x, np.copysign(r, x))


def _erfc64(x):
    ax = np.abs(x)
    small = ax < 2.5
    pos = np.where(small, 1 - _erf_small(np.where(small, ax, 0.)), _erfc_cf(np.where(small, 3., ax)))
    return np.where(np.isnan(x), x, np.where(x < 0, 2 - pos, pos))


def _erfinv64(y):
    ay = np.abs(y)
    # Winitzki's closed form as a start (~2e-3), then Newton steps on erf (erfc near |y| = 1)
    a = 0.147
    ln = np.log1p(-np.minimum(ay, 1.) ** 2)
    t = 2 / (math.pi * a) + ln / 2
    x = np.sqrt(np.sqrt(t * t - ln / a) - t)
    tail = ay > 0.5
    for _ in range(4):
        d = (2 / _SQRT_PI) * np.exp(-x * x)
        # the same Newton step, written on erfc where erf is too close to 1 to resolve
        f = np.where(tail, (1 - ay) - _erfc64(x), _erf64(x) - ay)
        x = x - f / d
    x = np.where(ay == 1, np.inf, np.where(ay > 1, np.nan, x))
    return np.where(np.isnan(y), y, np.copysign(x, y))


_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7)


def _lgamma_pos(x):
    """log Gamma(x) for x >= 0.5 (Lanczos, g = 7, in log form so large x does not overflow)."""
    z = x - 1
    s = np.full_like(z, _LANCZOS[0])
    for i in range(1, 9):
        s = s + _LANCZOS[i] / (z + i)
    t = z + 7.5
    return 0.5 * math.log(2 * math.pi) + (z + 0.5) * np.log(t) - t + np.log(s)


def _lgamma64(x):
    refl = x < 0.5
    r = _lgamma_pos(np.where(refl, 1 - x, x))
    r = np.where(refl, np.log(math.pi / np.abs(np.sin(math.pi * x))) - r, r)
    pole = (x <= 0) & (x == np.floor(x))
    return np.where(pole | np.isinf(x), np.inf, r)


def _digamma64(x, rdt=np.float64):
    refl = x < 0
    # torch forms 1 - x in the input precision before recursing: float32 results near the poles
    # carry that rounding, and matching them needs the same step
    y = np.where(refl, (1 - x.astype(rdt)).astype(np.float64), x)
    acc = np.zeros_like(y)
    for _ in range(6):                 # recurrence psi(y) = psi(y + 1) - 1/y up to y >= 6
        low = y < 6
        acc = acc - np.where(low, 1 / np.where(low, y, 1), 0)
        y = np.where(low, y + 1, y)
    r = 1 / (y * y)
    series = r * (1 / 12 - r * (1 / 120 - r * (1 / 252 - r * (1 / 240 - r * (1 / 132 - r * (691 / 32760 - r / 12))))))
    res = acc + np.log(y) - 0.5 / y - series
    res = np.where(refl, res - math.pi / np.tan(math.pi * np.fmod(x, 1.)), res)
    res = np.where(x == 0, np.copysign(np.inf, -x), res)
    return np.where(refl & (x == np.floor(x)), np.nan, res)


# (2k)! / B_2k, the Euler-Maclaurin coefficients of the Hurwitz zeta tail (as in Cephes)
_ZETA_A = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
           -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15,
           1.8152105401943546773e17, -7.1661652561756670113e18)


def _zeta64(s, q):
    """Hurwitz zeta(s, q) = sum_k (q + k)^-s, s > 1: direct terms until q + k > 9, then the
    Euler-Maclaurin tail."""
    s, q = np.broadcast_arrays(np.asarray(s, np.float64), np.asarray(q, np.float64))
    total = np.power(q, -s)
    a = q.copy()
    need = np.maximum(9, np.ceil(9 - q)) if q.size else np.zeros_like(q)
    kmax = int(np.nanmax(need)) if q.size and np.isfinite(need).any() else 9
    kmax = kmax if kmax < 10 ** 6 else 10 ** 6
    for k in range(1, kmax + 1):
        on = k <= need
        a = np.where(on, a + 1, a)
        total = total + np.where(on, np.power(a, -s), 0)
    w = a
    b = np.power(w, -s)
    total = total + b * w / (s - 1) - 0.5 * b
    fac = np.ones_like(s)
    k = 0.
    done = np.zeros(s.shape, bool)
    for coef in _ZETA_A:
        fac = fac * (s + k)
        b = b / w
        t = fac * b / coef
        done = done | (np.abs(t) < 1e-17 * np.abs(total))
        total = total + np.where(done, 0, t)
        k += 1
        fac = fac * (s + k)
        b = b / w
        k += 1
    total = np.where(q == np.inf, 0., total)
    bad = (q <= 0) & (q == np.floor(q))
    return np.where(s == 1, np.inf, np.where(bad, np.inf, total))


def _trigamma(x):
    """torch's trigamma, in the input precision (its float32 error near the poles included)."""
    t = x.dtype.type
    pi = t(math.pi)
    refl = x < t(0.5)
    sp = np.sin(pi * x)
    result = np.where(refl, -(pi * pi) / (sp * sp), t(0))
    y = np.where(refl, t(1) - x, x)
    for _ in range(6):
        result = result + t(1) / (y * y)
        y = y + t(1)
    ixx = t(1) / (y * y)
    result = result + (t(1) + t(1) / (t(2) * y) + ixx * (t(1 / 6) - ixx * (t(1 / 30) - ixx * t(1 / 42)))) / y
    return np.where(refl, -result, result)


def _polygamma64(n, x):
    if n == 0:
        return _digamma64(x)
    sign = 1. if n % 2 else -1.
    return sign * math.factorial(n) * _zeta64(n + 1., x)


def _bessel_series(x, order):
    """I0 (order 0) or I1 (order 1) by the power series sum (x/2)^(2k+order) / (k! (k+order)!)."""
    h = x / 2
    q = h * h
    term = np.ones_like(x) if order == 0 else h.copy()
    s = term.copy()
    kmax = int(min(max(float(np.nanmax(np.abs(x))) if x.size and np.isfinite(x).any() else 0, 0) * 1.5 + 30, 2000))
    for k in range(1, kmax):
        term = term * q / (k * (k + order))
        s = s + term
    return np.where(np.isinf(x), np.nan, s)     # torch's i0(inf) is nan


def _sinc64(x):
    px = math.pi * x
    return np.where(x == 0, 1., np.sin(px) / np.where(x == 0, 1., px))


def _sinc(a):
    """Real input in float64 (rounded once); complex in its own precision, as torch's kernel (whose
    complex64 sin(pi z) loses digits at large |z|)."""
    if a.dtype.kind != 'c':
        return _in64(_sinc64)(a)
    one = a.dtype.type(1)
    with np.errstate(all='ignore'):
        pa = a.dtype.type(math.pi) * a
        return np.where(a == 0, one, np.sin(pa) / np.where(a == 0, one, pa))


_i1 = unary('_i1', _in64(lambda x: _bessel_series(x, 1)), None, floating=True, publish=False)
erf = unary('erf', _in64(_erf64), lambda g, x: g * (2 / _SQRT_PI) * (-x * x).exp(), floating=True)
erfc = unary('erfc', _in64(_erfc64), lambda g, x: g * (-2 / _SQRT_PI) * (-x * x).exp(), floating=True)
erfinv = unary('erfinv', _in64(_erfinv64), lambda g, result: g * (_SQRT_PI / 2) * (result * result).exp(),
               floating=True)
lgamma = unary('lgamma', _in64(_lgamma64), lambda g, x: g * digamma(x), floating=True)
digamma = unary('digamma', lambda a: _in64(lambda x: _digamma64(x, a.dtype))(a), lambda g, x: g * polygamma(1, x),
                floating=True)
i0 = unary('i0', _in64(lambda x: _bessel_series(x, 0)), lambda g, x: g * _i1(x), floating=True)
sinc = unary('sinc', _sinc, lambda g, x: g * _sinc_grad(x), floating=True)
deg2rad = unary('deg2rad', lambda a: a * a.dtype.type(math.pi / 180), lambda g: g * (math.pi / 180),
                floating=True, grad_name='Deg2RadBackward0')
rad2deg = unary('rad2deg', lambda a: a * a.dtype.type(180 / math.pi), lambda g: g * (180 / math.pi),
                floating=True, grad_name='Rad2DegBackward0')


def _sinc_grad(x):
    px = x * math.pi
    safe = x.masked_fill(x == 0, 1.)
    d = ((px.cos() * px - px.sin()) / (math.pi * safe * safe))
    return d.masked_fill(x == 0, 0.)


def _pred(f):
    """A predicate that is constant False for dtypes without NaN/inf."""
    return lambda a: f(a) if a.dtype.kind in 'fc' else np.zeros(a.shape, bool)


isnan = unary('isnan', _pred(np.isnan), None, bool_result=True, inplace=False)
isinf = unary('isinf', _pred(np.isinf), None, bool_result=True, inplace=False)
isposinf = unary('isposinf', _pred(np.isposinf), None, bool_result=True, inplace=False)
isneginf = unary('isneginf', _pred(np.isneginf), None, bool_result=True, inplace=False)
_isfinite = unary('isfinite', lambda a: np.isfinite(a) if a.dtype.kind in 'fc' else np.ones(a.shape, bool),
                  None, bool_result=True, inplace=False, publish=False)


def isfinite(input):
    if isinstance(input, Tensor) and input.dtype is D.float8_e8m0fnu:     # torch says True, for its NaN 0xFF too
        return _isfinite(input.to(D.uint8))
    return _isfinite(input)


register(isfinite, inplace=False)
signbit = unary('signbit', lambda a: np.signbit(a) if a.dtype != np.bool_ else np.zeros(a.shape, bool),
                None, bool_result=True, inplace=False, reject={3: 'signbit is not implemented for complex tensors.'})
isreal = unary('isreal', lambda a: np.isreal(a), None, bool_result=True, inplace=False)


def polygamma(n, input, *, out=None):
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    if input.dtype in _F8:
        raise _f8_refuse('polygamma' + (str(n) if n < 2 else ''), input)
    dt = input.dtype if input.dtype._cat >= _FLOAT else D.get_default_dtype()
    a = input._data.astype(dt._np, copy=False)
    with np.errstate(all='ignore'):
        data = _trigamma(a) if n == 1 else _in64(lambda x: _digamma64(x, a.dtype) if n == 0 else
                                                 _polygamma64(n, x))(a)
    r = _make(np.asarray(data, dt._np), dt, input._device)
    if input._requires_grad and grad_state.enabled:
        attach('PolygammaBackward0', lambda node, g: g * polygamma(n + 1, node.saved_tensors[0]),
               (input,), (r,), save=(input,))
    return write_out(out, r, 'polygamma') if out is not None else r


def mvlgamma(input, p, *, out=None):
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    if input.dtype in _F8:      # torch's first step is an arange in the input's dtype
        raise _f8_refuse('mvlgamma', input)
    dt = input.dtype if input.dtype._cat >= _FLOAT else D.get_default_dtype()
    a = input._data.astype(dt._np, copy=False)
    js = np.arange(p, dtype=np.float64) / 2      # _in64 runs k on the host

    def k(x):
        return p * (p - 1) / 4 * math.log(math.pi) + np.sum(_lgamma64(x[..., None] - js), axis=-1)
    r = _make(_in64(k)(a), dt, input._device)
    if input._requires_grad and grad_state.enabled:
        def bwd(node, g):
            x, = node.saved_tensors
            return g * _mvdigamma(x, js)
        attach('MvlgammaBackward0', bwd, (input,), (r,), save=(input,))
    return write_out(out, r, 'mvlgamma') if out is not None else r


def _mvdigamma(x, js):
    from .. import stack as _stack
    return _stack([digamma(x - float(j)) for j in js], -1).sum(-1)


register(polygamma, method=False)
Tensor.polygamma = lambda self, n: polygamma(n, self)
Tensor.polygamma_ = make_inplace(lambda self, n: polygamma(n, self), 'polygamma_')
register(mvlgamma, inplace=True)


def _mvlgamma_(self, p):
    if self.dtype._cat < _FLOAT:
        raise RuntimeError(f"mvlgamma: result type {D.type_name(self.dtype)} can't be cast to the desired "
                           "output type Float")
    from ._core import check_inplace, commit_inplace
    check_inplace(self)
    return commit_inplace(self, mvlgamma(self, p))


Tensor.mvlgamma_ = _mvlgamma_


def logit(input, eps=None, *, out=None):
    if input.dtype in _F8:
        raise _f8_refuse('logit', input)
    dt = input.dtype if input.dtype._cat >= _FLOAT else D.get_default_dtype()
    a = input._data.astype(dt._np, copy=False)
    if eps is not None:
        a = np.clip(a, eps, 1 - eps)
    with np.errstate(all='ignore'):
        data = np.log(a / (1 - a))
    r = _make(np.asarray(data, dt._np), dt, input._device)
    if input._requires_grad and grad_state.enabled:
        def bwd(node, g):
            x, = node.saved_tensors
            x0 = x.masked_fill(x == 0, 0.)      # torch's -0.0 gives +inf, as +0 does
            d = g / (x0 * (1 - x0))
            if eps is None:         # outside [0, 1] the derivative is NaN, as torch has it
                return d.masked_fill((x < 0) | (x > 1), float('nan'))
            return d.masked_fill((x < eps) | (x > 1 - eps), 0.)
        attach('LogitBackward0', bwd, (input,), (r,), save=(input,))
    return write_out(out, r, 'logit') if out is not None else r


register(logit, inplace=True)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    if input.dtype in _F8:
        raise _f8_refuse('nan_to_num', input)
    a = input._data
    if a.dtype.kind not in 'fc':
        r = _make(a.copy(), input.dtype, input._device)
    else:
        fi = np.finfo(a.dtype)
        data = np.where(np.isnan(a), a.dtype.type(nan), a)
        data = np.where(np.isposinf(a), a.dtype.type(fi.max if posinf is None else posinf), data)
        data = np.where(np.isneginf(a), a.dtype.type(fi.min if neginf is None else neginf), data)
        r = _make(np.asarray(data, a.dtype), input.dtype, input._device)
    if input._requires_grad and grad_state.enabled:
        attach('NanToNumBackward0', lambda node, g: g * node.saved_tensors[0].isfinite(), (input,), (r,),
               save=(input,))
    return write_out(out, r, 'nan_to_num') if out is not None else r


register(nan_to_num, inplace=True)


def round(input, *, decimals=None, out=None):
    if input.dtype in _F8:
        raise _f8_refuse('round_decimals' if decimals else 'round', input)
    given = decimals is not None
    decimals = decimals or 0
    dt = input.dtype
    if dt is D.bool or (dt._cat == D._COMPLEX and not decimals):
        raise kernel_error('round_vml_cpu', dt, input._device)
    a = input._data
    if decimals and dt._cat != _FLOAT:
        raise kernel_error('round_cpu', dt, input._device)
    if dt._cat < _FLOAT:
        data = a.copy()
    elif decimals == 0:
        data = np.round(a)
    else:
        # torch scales by 10**|decimals|, rounds half to even, and scales back
        ten = a.dtype.type(10.0 ** builtins_abs(decimals))
        with np.errstate(all='ignore'):
            data = np.round(a * ten) / ten if decimals > 0 else np.round(a / ten) * ten
    r = _make(np.asarray(data, a.dtype), dt, input._device)
    if input._requires_grad and grad_state.enabled:
        attach('RoundBackward1' if given else 'RoundBackward0', lambda node, g: zero_grad(g), (input,), (r,))
    return write_out(out, r, 'round') if out is not None else r


builtins_abs = __builtins__['abs'] if isinstance(__builtins__, dict) else __builtins__.abs
register(round, inplace=True)


def positive(input):
    if input.dtype is D.bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


register(positive)
Tensor.__pos__ = positive


# --- more binary ---------------------------------------------------------------------------------

hypot = binary('hypot', np.hypot, lambda g, a, b: g * a / hypot(a, b), lambda g, a, b: g * b / hypot(a, b),
               check=_reject('hypot_cpu', (0, 1, 3)), scalar_ok=False)
def _logaddexp(a, b):
    if a.dtype.kind != 'c':
        return np.logaddexp(a, b)
    swap = a.real < b.real      # complex: the larger real part leads, as torch's kernel does
    hi, lo = np.where(swap, b, a), np.where(swap, a, b)
    return hi + np.log1p(np.exp(lo - hi))


logaddexp = binary('logaddexp', _logaddexp, lambda g, a, b: g / _conj(1 + (b - a).exp()),
                   lambda g, a, b: g / _conj(1 + (a - b).exp()), check=_reject('logaddexp_cpu', (0, 1)),
                   scalar_ok=False, inplace=False)
logaddexp2 = binary('logaddexp2', np.logaddexp2, lambda g, a, b: g / (1 + (b - a).exp2()),
                    lambda g, a, b: g / (1 + (a - b).exp2()), check=_reject('logaddexp2_cpu', (0, 1, 3)),
                    scalar_ok=False, inplace=False)
nextafter = binary('nextafter', np.nextafter, lambda g, a, b: g, zero_grad,
                   check=_reject('nextafter_cpu', (0, 1, 3)), scalar_ok=False)
copysign = binary('copysign', np.copysign, lambda g, a, b: g * _copysign_ratio(a, b), zero_grad, kind='float',
                  scalar_grad_name='CopysignBackward1', check=_reject('copysign_cpu', (3,)))
xlogy = binary('xlogy', lambda a, b: _xlogy_np(a, b), lambda g, a, b: _xlogy_da(g, a, b),
               lambda g, a, b: g * a / b, kind='float', scalar_grad_name='XlogyBackward2',
               check=_reject('xlogy_cpu', (3,)))
fmax = binary('fmax', lambda a, b: _clamp_to(np.fmax, a, b), lambda g, a, b: g * ((a >= b) | b.isnan()),
              lambda g, a, b: g * ((a >= b) | b.isnan()).logical_not(), inplace=False, scalar_ok=False,
              check=_no_complex('fmax', uint_kernel='maximum_cpu'))
fmin = binary('fmin', lambda a, b: _clamp_to(np.fmin, a, b), lambda g, a, b: g * ((a <= b) | b.isnan()),
              lambda g, a, b: g * ((a <= b) | b.isnan()).logical_not(), inplace=False, scalar_ok=False,
              check=_no_complex('fmin', uint_kernel='minimum_cpu'))
gcd = binary('gcd', np.gcd, check=_reject('gcd_cpu', (0, 2, 3, 'uint')), scalar_ok=False)
lcm = binary('lcm', np.lcm, check=_reject('lcm_cpu', (0, 2, 3, 'uint')), scalar_ok=False)


# --- regularized incomplete gamma: P(a, x) = igamma, Q(a, x) = igammac = 1 - P --------------------------
# A power series where x < a + 1, Legendre's continued fraction (modified Lentz) elsewhere, each for
# the smaller of P and Q; evaluated in float64 and rounded, as the other special functions here.

def _igamma_series(a, x):
    """P(a, x) = x^a e^-x / Gamma(a + 1) * sum_n x^n / ((a + 1) ... (a + n))."""
    term = np.ones_like(x)
    total = np.ones_like(x)
    n = 0
    while n < 100000:
        n += 1
        term = term * x / (a + n)
        total = total + term
        if not np.any(term > total * 1e-17):
            break
    return np.exp(a * np.log(x) - x - _lgamma64(a + 1)) * total


def _igammac_cf(a, x):
    """Q(a, x) = x^a e^-x / Gamma(a) / (x + 1 - a - 1 (1 - a) / (x + 3 - a - ...))."""
    tiny = 1e-300
    b = x + 1 - a
    c = np.full_like(x, 1 / tiny)
    d = 1 / b
    h = d
    i = 0
    while i < 100000:
        i += 1
        an = -i * (i - a)
        b = b + 2
        d = an * d + b
        d = np.where(np.abs(d) < tiny, tiny, d)
        c = b + an / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        d = 1 / d
        delta = d * c
        h = h * delta
        if not np.any(np.abs(delta - 1) > 1e-15):      # a few ulp: it can hover at 1 +- 1 ulp
            break
    return np.exp(a * np.log(x) - x - _lgamma64(a)) * h


def _igamma64(a, x, upper):
    a, x = np.broadcast_arrays(a, x)
    with np.errstate(all='ignore'):
        ok = (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
        aa, xx = np.where(ok, a, 1.), np.where(ok, x, 1.)
        series = xx < aa + 1
        p = _igamma_series(np.where(series, aa, 1.), np.where(series, xx, 0.5))
        q = _igammac_cf(np.where(series, 1., aa), np.where(series, 3., xx))
        val = np.where(series, 1 - p, q) if upper else np.where(series, p, 1 - q)
        # torch's (Cephes') special cases, tested in this order; NaN falls through to NaN
        one, zero = (0., 1.) if upper else (1., 0.)    # P's limits at x -> inf and at x == 0, for Q swapped
        cases = [((x < 0) | (a < 0), np.nan), (a == 0, np.where(x > 0, one, np.nan)), (x == 0, zero),
                 (np.isinf(a), np.where(np.isinf(x), np.nan, zero)), (np.isinf(x), one), (ok, val)]
        r = np.full_like(val, np.nan)
        for cond, v in reversed(cases):                # np.select, which CuPy has for array choices only
            r = np.where(cond, v, r)
        return r


def _igamma_da(g, a, b):
    raise NotImplementedError("the derivative for 'igamma: input' is not implemented.")


def _igammac_da(g, a, b):
    raise NotImplementedError("the derivative for 'igammac: input' is not implemented.")


def _igamma_dx(g, a, x):
    return g * ((a - 1) * x.log() - x - a.lgamma()).exp()


igamma = binary('igamma', lambda a, x: _igamma64(a.astype(np.float64), x.astype(np.float64), False),
                _igamma_da, _igamma_dx, check=_reject('igamma_cpu', (0, 1, 3)), scalar_ok=False)
igammac = binary('igammac', lambda a, x: _igamma64(a.astype(np.float64), x.astype(np.float64), True),
                 _igammac_da, lambda g, a, x: -_igamma_dx(g, a, x), check=_reject('igammac_cpu', (0, 1, 3)),
                 scalar_ok=False)


def _heaviside_check(rt, a, b):
    if rt is None and D._COMPLEX in (a.dtype._cat, b.dtype._cat) or rt is not None and rt._cat == 3:
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    if not isinstance(b, Tensor) or a.dtype is not b.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    if rt in _BARE_UINTS:
        raise kernel_error('heaviside_cpu', rt, a._device)


heaviside = binary('heaviside', lambda a, b: np.heaviside(a, b).astype(np.result_type(a, b)), None, None,
                   check=_heaviside_check, scalar_ok=False, other_name='values',
                   precheck=lambda a, b: _heaviside_check(None, a, b))


def _copysign_ratio(a, b):
    r = copysign(a, b) / a
    return r.masked_fill(a == 0, 0.)


def _xlogy_np(a, b):
    with np.errstate(all='ignore'):
        out = a * np.log(b)
    return np.where((a == 0) & ~np.isnan(b), 0, out).astype(out.dtype)


def _xlogy_da(g, a, b):
    if not isinstance(b, Tensor):
        b = _scalar_tensor(b, g).to(g.dtype)
    return xlogy(g, b).masked_fill((a == 0) & (b <= 0), 0.)


def ldexp(input, other, *, out=None):
    """input * 2**other, in the default float for integer inputs."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise _operands_error('ldexp', (input, other))
    if input.dtype._cat == _FLOAT and (other.dtype is D.bool or other.dtype in _BARE_UINTS):
        raise kernel_error('ldexp_cpu_exp', other.dtype, input._device)     # its float kernel's exponent loops
    p2 = pow(2.0, other.detach())
    if input.dtype._cat == _FLOAT and other.dtype._cat < _FLOAT and input.dtype is not p2.dtype:
        p2 = p2.to(input.dtype)     # integer exponents scale in the input's own float type (exact: powers of 2)
    r = mul(input.detach(), p2)
    if grad_state.enabled and (input._requires_grad or other._requires_grad):
        def bwd(node, g):
            x, e, res = node.saved_tensors
            # conj: for complex inputs torch's gradient is g * conj(d out / d x)
            return (g * pow(2.0, e).conj() if needs(node, 0) else None,
                    g * (res * math.log(2)).conj() if needs(node, 1) else None)
        attach('LdexpBackward0', bwd, (input, other), (r,), save=(input, other, r))
    return write_out(out, r, 'ldexp') if out is not None else r


register(ldexp, method=False)
Tensor.ldexp = _method_of(ldexp, 'ldexp')


def _ldexp_(self, other):
    if not isinstance(other, Tensor):
        raise _operands_error('ldexp_', (self, other), method=True)
    if self.dtype._cat < _FLOAT:
        raise RuntimeError(f"ldexp can't be cast to the desired output type {D.type_name(self.dtype)}")
    from ._core import check_inplace, commit_inplace
    check_inplace(self)
    return commit_inplace(self, ldexp(self, other))


Tensor.ldexp_ = _ldexp_


def float_power(input, exponent, *, out=None):
    _check_overloads('float_power', input, exponent)
    def up(x):
        if isinstance(x, Tensor):
            return x.to(D.complex128 if x.dtype._cat == 3 else D.float64)
        return x
    r = pow(up(input), up(exponent))
    return write_out(out, r, 'float_power') if out is not None else r


register(float_power, method=False)
Tensor.float_power = _method_of(float_power, 'float_power')


def _float_power_(self, exponent):
    if not isinstance(exponent, Tensor) and _as_scalar(exponent) is None:
        raise _operands_error('float_power_', (self, exponent), method=True)
    cplx = self.dtype.is_complex or (exponent.dtype.is_complex if isinstance(exponent, Tensor) else
                                     isinstance(exponent, numbers.Complex) and not isinstance(exponent, numbers.Real))
    need = D.complex128 if cplx else D.float64
    if self.dtype is not need:
        raise RuntimeError(f"the base given to float_power_ has dtype {D.type_name(self.dtype)} but the "
                           f"operation's result requires dtype {D.type_name(need)}")
    from ._core import check_inplace, commit_inplace
    check_inplace(self)
    return commit_inplace(self, float_power(self, exponent))


Tensor.float_power_ = _float_power_


# --- ternary -------------------------------------------------------------------------------------

def lerp(input, end, weight, *, out=None):
    if input.dtype in _F8:
        raise _f8_refuse('lerp_tensor' if isinstance(weight, Tensor) else 'lerp', input)
    wt = weight if isinstance(weight, Tensor) else None
    if input.dtype is not end.dtype:
        raise RuntimeError(f"expected dtype {input.dtype.__repr__()[6:]} for `end` but got dtype "
                           f"{end.dtype.__repr__()[6:]}")
    if input.dtype._cat < _FLOAT:
        raise kernel_error(f"lerp_kernel_{'tensor' if wt is not None else 'scalar'}", input.dtype, input._device)
    a, b = _opmath((input._data, end._data), input.dtype)
    w = wt._data if wt is not None else a.dtype.type(weight)
    w = w.astype(a.dtype) if wt is not None and input.dtype is D.float16 else w
    fma = V.fused(a) if a.dtype == b.dtype and np.asarray(w).dtype == a.dtype else None
    try:
        # torch's two-sided formula keeps lerp exact at both ends (on the CPU each side one fma)
        d = b - a
        if fma is not None:
            data = np.where(np.abs(w) < 0.5, fma(w, d, a), fma(w - 1, d, b))
        else:
            data = np.where(np.abs(w) < 0.5, a + w * d, b - d * (1 - w))
    except ValueError:
        raise _broadcast_error(a, b) from None
    r = _make(np.asarray(data, input._data.dtype), input.dtype, input._device)
    ins = (input, end, wt)
    if grad_state.enabled and any(t is not None and t._requires_grad for t in ins):
        def bwd(node, g):
            x, y = node.saved_tensors[:2]
            wv = node.saved_tensors[2] if wt is not None else weight
            gi = _times_conj(g, 1 - wv) if needs(node, 0) else None
            ge = _times_conj(g, wv) if needs(node, 1) else None
            gw = _times_conj(g, y - x) if wt is not None and needs(node, 2) else None
            return gi, ge, gw
        attach('LerpBackward1' if wt is not None else 'LerpBackward0', bwd, ins, (r,),
               save=(input, end) + ((wt,) if wt is not None else ()))
    return write_out(out, r, 'lerp') if out is not None else r


register(lerp, inplace=True)


def _ternary_operands(input, t1, t2):
    rt = D.result_type_of((input, t1, t2))
    arrs = [t._data.astype(rt._np, copy=False) for t in (input, t1, t2)]
    return arrs, rt


def _opmath(arrays, rt):
    """The arrays in the type torch's CPU kernels compute rt in: float for half (its result is then
    rounded once, where NumPy's half arithmetic rounds after every step)."""
    return [x.astype(np.float32) for x in arrays] if rt is D.float16 else arrays


def _addc_value(value, rt):
    """torch converts addcmul/addcdiv's value to the op's compute type, checked (it takes no part in the
    promotion: an integer result truncates a float value)."""
    if isinstance(value, Tensor):
        return value
    from .factory import _fill_value
    return _fill_value(value, D.float32 if rt is D.float16 or rt is D.bfloat16 else rt)


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    if input.dtype in _F8:
        raise _f8_refuse('addcmul', input)
    (a, b, c), rt = _ternary_operands(input, tensor1, tensor2)
    if rt is D.bool or rt in _BARE_UINTS:
        broadcast_shapes(a.shape, b.shape, c.shape)
        raise kernel_error('addcmul_cpu_out', rt, input._device)
    value = _addc_value(value, rt)
    a, b, c = _opmath((a, b, c), rt)
    fma = V.fused(a)
    try:
        v = np.cast(value, a.dtype)
        # torch: self + value * t1 * t2, on the CPU fma(value * t1, t2, self)
        data = fma(v * b, c, a) if fma is not None else a + v * b * c if value != 1 else a + b * c
    except ValueError:
        raise _broadcast_error(a, np.broadcast(b, c)) from None
    r = _make(np.asarray(data, rt._np), rt, input._device)
    ins = (input, tensor1, tensor2)
    if grad_state.enabled and any(t._requires_grad for t in ins):
        def bwd(node, g):
            x, y = node.saved_tensors
            return (g if needs(node, 0) else None, _times_conj(g, y * value) if needs(node, 1) else None,
                    _times_conj(g, x * value) if needs(node, 2) else None)
        attach('AddcmulBackward0', bwd, ins, (r,), save=(tensor1, tensor2))
    return write_out(out, r, 'addcmul') if out is not None else r


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    if tensor1.dtype._cat < _FLOAT and tensor2.dtype._cat < _FLOAT:
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future  release "
                           "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
                           "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
                           ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
                           "float inputs. The future addcdiv behavior is just the latter implementation: "
                           "(input + value * tensor1 / tensor2), for all dtypes.")
    if input.dtype in _F8:
        raise _f8_refuse('addcdiv', input)
    (a, b, c), rt = _ternary_operands(input, tensor1, tensor2)
    value = _addc_value(value, rt)
    a, b, c = _opmath((a, b, c), rt)
    try:
        with np.errstate(all='ignore'):
            data = a + np.cast(value, a.dtype) * b / c if value != 1 else a + b / c     # (value * t1) / t2
    except ValueError:
        raise _broadcast_error(a, np.broadcast(b, c)) from None
    r = _make(np.asarray(data, rt._np), rt, input._device)
    ins = (input, tensor1, tensor2)
    if grad_state.enabled and any(t._requires_grad for t in ins):
        def bwd(node, g):
            x, y = node.saved_tensors
            return (g if needs(node, 0) else None, _times_conj(g, value / y) if needs(node, 1) else None,
                    _times_conj(-g, value * x / (y * y)) if needs(node, 2) else None)
        attach('AddcdivBackward0', bwd, ins, (r,), save=(tensor1, tensor2))
    return write_out(out, r, 'addcdiv') if out is not None else r


register(addcmul, inplace=True)
register(addcdiv, inplace=True)


# --- closeness -----------------------------------------------------------------------------------

def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise _operands_error('isclose', (input, other))
    if input.dtype in _F8:
        raise _f8_refuse('isclose', input)
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{D.type_name(input.dtype)} did not match {D.type_name(other.dtype)}")
    for name, tol in (('rtol', rtol), ('atol', atol)):
        if tol < 0:
            raise RuntimeError(f"{name} must be greater than or equal to zero, but got {tol:g}")
    a, b = input._data, other._data
    if a.shape != b.shape:
        broadcast_shapes(a.shape, b.shape)     # torch's error, not NumPy's ValueError
    if a.dtype == np.bool_:
        data = a == b
    else:
        with np.errstate(all='ignore'):
            af, bf = (a, b) if a.dtype.kind in 'fc' else (a.astype(np.float64), b.astype(np.float64))
            data = (af == bf) | (np.abs(af - bf) <= atol + rtol * np.abs(bf))
            if a.dtype.kind in 'fc':
                data = data & np.isfinite(af - bf) | (af == bf)
                if equal_nan:
                    data = data | (np.isnan(af) & np.isnan(bf))
    return _make(np.asarray(data, bool), D.bool, input._device)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return isclose(input, other, rtol, atol, equal_nan).all().item()     # (item: a meta tensor refuses, as torch's)


def _data_ptr(a):
    return a.__array_interface__['data'][0] if hasattr(a, '__array_interface__') else a.data.ptr


def equal(input, other):
    if input.is_quantized:
        return input.equal(other)
    if input._data.shape != other._data.shape:
        return False
    if input.dtype in _F8 and input.dtype is other.dtype:     # torch compares the bytes, except of an alias
        a, b = input._data, other._data
        if a.strides == b.strides and a.size and _data_ptr(a) == _data_ptr(b):
            raise _f8_refuse('equal', input)
        return bool(np.array_equal(D.carried_bits(input.dtype, a), D.carried_bits(input.dtype, b)))
    if input.dtype is not other.dtype:
        D.promote_types(input.dtype, other.dtype)       # torch compares in the promoted dtype (uint16/32/64 refuse)
    return bool(np.array_equal(input._data, other._data))


register(isclose, method=False)
Tensor.isclose = _method_of(isclose, 'isclose')
register(allclose)
register(equal)


# --- clamp ---------------------------------------------------------------------------------------

def _bound(v, like):
    return v if isinstance(v, Tensor) or v is None else _as_scalar(v)


def _clamp_refusal(op, input, lo, hi, rt, scalar):
    """torch's error for a clamp of a dtype it has no kernel for (bool, complex, uint16/32/64), or None."""
    if rt._cat == D._COMPLEX and scalar and input.dtype._cat == _FLOAT:     # torch reads the bound as a double
        return RuntimeError("value cannot be converted to type double without overflow")
    if rt._cat == D._COMPLEX and (scalar or op == 'clamp' and input.dtype._cat == D._COMPLEX):
        return NotImplementedError(_NO_COMPLEX_CLAMP)
    both = lo is not None and hi is not None
    if scalar:
        kernel = 'clamp' if both else 'clamp_min' if lo is not None else 'clamp_max'
        return kernel_error(kernel + '_scalar_cpu', rt, input._device)
    if rt is not D.bool:        # tensor bounds run clamp's kernel, or maximum / minimum for one
        return kernel_error('clamp_cpu' if both else 'maximum_cpu' if lo is not None else 'minimum_cpu', rt,
                            input._device)
    return None


def _clamp(op, input, lo, hi, scalar_name, tensor_name):
    ts = [input] + [v for v in (lo, hi) if isinstance(v, Tensor)]
    ss = [v for v in (lo, hi) if v is not None and not isinstance(v, Tensor)]
    rt = D.result_type_of(ts, ss)
    if rt is D.bool or rt._cat == D._COMPLEX or rt in _BARE_UINTS or rt in _F8K.F8:
        e = _clamp_refusal(op, input, lo, hi, rt, len(ts) == 1)
        if e is not None:
            raise e
    data = input._data.astype(rt._np, copy=False)
    lo_a = lo._data if isinstance(lo, Tensor) else lo
    hi_a = hi._data if isinstance(hi, Tensor) else hi
    try:
        if lo is not None:
            data = _clamp_to(np.maximum, data, np.cast(lo_a, rt._np))
        if hi is not None:
            data = _clamp_to(np.minimum, data, np.cast(hi_a, rt._np))
    except ValueError:
        raise _broadcast_error(input._data, np.asarray(lo_a if lo is not None else hi_a)) from None
    if data is input._data:
        data = data.copy()
    r = _make(np.asarray(data, rt._np), rt, input._device)
    tensors = isinstance(lo, Tensor) or isinstance(hi, Tensor)
    if grad_state.enabled and any(t._requires_grad for t in ts):
        lt = lo if isinstance(lo, Tensor) else None
        ht = hi if isinstance(hi, Tensor) else None

        def bwd(node, g):
            x = node.saved_tensors[0]
            z = g.new_zeros(())
            from .misc import where
            lb = lt if lt is not None else lo
            hb = ht if ht is not None else hi
            keep = None
            if lo is not None:
                keep = x >= lb
            if hi is not None:
                keep = (x <= hb) if keep is None else keep & (x <= hb)
            gx = where(keep, g, z) if needs(node, 0) else None
            glo = ghi = None
            if lt is not None and needs(node, 1):
                m = x < lt
                if hi is not None:
                    m = m & (lt < hb)
                glo = where(m, g, z)
            if ht is not None and needs(node, 2):
                m = x > ht
                if lo is not None:
                    m = m | (ht < lb)
                ghi = where(m, g, z)
            return gx, glo, ghi
        attach(tensor_name if tensors else scalar_name, bwd, (input, lt, ht), (r,), save=(input,))
    return r


def clamp(input, min=None, max=None, *, out=None):
    if not (min is None or isinstance(min, numbers.Number) if min.__class__ is not Tensor else
            max is None or max.__class__ is Tensor) or \
            not (max is None or isinstance(max, numbers.Number) if max.__class__ is not Tensor else
                 min is None or min.__class__ is Tensor) or not isinstance(input, Tensor):
        _clamp_overloads(input, min, max)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    r = _clamp('clamp', input, _bound(min, input), _bound(max, input), 'ClampBackward1', 'ClampBackward0')
    return write_out(out, r, 'clamp') if out is not None else r


def clamp_min(input, min, *, out=None):
    if not isinstance(min, Tensor) or not isinstance(input, Tensor):
        _check_overloads('clamp_min', input, min)
    r = _clamp('clamp_min', input, _bound(min, input), None, 'ClampMinBackward0', 'ClampMinBackward1')
    return write_out(out, r, 'clamp_min') if out is not None else r


def clamp_max(input, max, *, out=None):
    if not isinstance(max, Tensor) or not isinstance(input, Tensor):
        _check_overloads('clamp_max', input, max)
    r = _clamp('clamp_max', input, None, _bound(max, input), 'ClampMaxBackward0', 'ClampMaxBackward1')
    return write_out(out, r, 'clamp_max') if out is not None else r


def _clamp_overloads(input, min, max):
    """torch's error for bounds neither both tensors nor both numbers (None fits either): the arguments as
    passed, supposing them positional."""
    kinds = {isinstance(v, Tensor) for v in (min, max) if v is not None}
    if not isinstance(input, Tensor) or any(v is not None and not isinstance(v, Tensor) and _as_scalar(v) is None
                                            for v in (min, max)) or len(kinds) > 1:
        raise _operands_error('clamp', (input, min) if max is None else (input, min, max))


register(clamp, inplace=True, method=False)
Tensor.clamp = _method_of(clamp, 'clamp')
_publish_alias(clamp, 'clip')
for _f in (clamp_min, clamp_max):
    register(_f, inplace=True, method=False)
    setattr(Tensor, _f.__name__, _method_of(_f, _f.__name__))


# --- frexp, fill ---------------------------------------------------------------------------------

def _frexp_type():
    from .. import return_types
    if getattr(return_types, 'frexp', None) is None:
        return_types.frexp = return_types._make_type('frexp', ('mantissa', 'exponent'))
    return return_types.frexp


def frexp(input, *, out=None):
    if input.dtype._cat != _FLOAT:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    if input.dtype in _F8:
        raise _f8_refuse('frexp', input)
    m, e = np.frexp(input._data)
    mt = _make(np.asarray(m, input.dtype._np), input.dtype, input._device)
    et = _make(np.asarray(e, np.int32), D.int32, input._device)
    if input._requires_grad and grad_state.enabled:
        attach('FrexpBackward0', lambda node, g: g / node.saved_tensors[0].to(g.dtype).exp2(), (input,), (mt,),
               save=(et,))
    if out is not None:
        write_out(out[0], mt, 'frexp')
        write_out(out[1], et, 'frexp')
        return _frexp_type()(out[0], out[1])
    return _frexp_type()(mt, et)


register(frexp)


def fill(input, value):
    vt = value if isinstance(value, Tensor) else None
    if vt is not None and vt._data.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{vt._data.ndim} dimensions.")
    r = _make(np.full(input._data.shape, vt._data if vt is not None else value, input.dtype._np), input.dtype,
              input._device)
    if grad_state.enabled and (input._requires_grad or (vt is not None and vt._requires_grad)):
        attach('FillBackward0' if vt is None else 'FillBackward1',
               lambda node, g: (zero_grad(g) if needs(node, 0) else None, g.sum() if needs(node, 1) else None),
               (input, vt), (r,))
    return r


def _zero_fn(input):
    if not (input._requires_grad and grad_state.enabled):
        return input.zero_()
    from ._core import check_inplace, commit_inplace
    from ..autograd.graph import node_class
    check_inplace(input)
    r = fill(input, 0)
    r._grad_fn.__class__ = node_class('ZeroBackward0')     # zeroing keeps the tensor in the graph
    return commit_inplace(input, r)


register(fill, method=False)
register(_zero_fn, name='zero_', method=False)
Tensor.__rdiv__ = Tensor.__rtruediv__
