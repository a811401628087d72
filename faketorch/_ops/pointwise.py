"""Elementwise ops. Each is one entry: forward on arrays, derivative in tensor ops."""
import math
import numbers

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make
from ..autograd.grad_mode import state as grad_state
from ._core import attach, needs, register, write_out, make_inplace

_FLOAT = 2
_scalar_types = (int, float, bool, complex)


def _operand_error(fname, pos, argname, x):
    return TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _as_scalar(x):
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, numbers.Number):
        return x
    return None


# --- unary ---------------------------------------------------------------------------------------

def unary(name, fwd, deriv=None, *, floating=False, grad_name=None, no_bool=False, inplace=True,
          method=True, int_result=None, reject=None, bool_result=False, publish=True):
    """Declare a unary op. deriv(g, x, result) gives the input gradient; saved values are only
    those the derivative names (x and/or result). reject: {dtype category: torch kernel name} for
    the dtypes torch refuses (0 bool, 1 integer); bool_result: a predicate (isnan ...)."""
    gname = grad_name or ''.join(p.capitalize() for p in name.split('_')) + 'Backward0'
    params = deriv.__code__.co_varnames[:deriv.__code__.co_argcount] if deriv else ()
    save_x, save_r = 'x' in params, 'result' in params

    def bwd(node, g):
        saved = node.saved_tensors
        kw = {}
        i = 0
        if save_x:
            kw['x'] = saved[i]
            i += 1
        if save_r:
            kw['result'] = saved[i]
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
        if reject and dt._cat in reject:
            raise NotImplementedError(f'"{reject[dt._cat]}" not implemented for \'{D.type_name(dt)}\'')
        if bool_result:
            dt = D.bool
        r = _make(fwd(a), dt, input._device)
        if input._requires_grad and grad_state.enabled:
            if deriv is None:
                if r.dtype._cat >= _FLOAT:
                    attach('NotImplemented', _not_implemented(name), (input,), (r,))
                return write_out(out, r, name) if out is not None else r
            save = ((input,) if save_x else ()) + ((r,) if save_r else ())
            attach(gname, bwd, (input,), (r,), save=save)
        if out is not None:
            return write_out(out, r, name)
        return r
    op.__name__ = name
    if publish:
        register(op, name=name, inplace=inplace, method=method)
    return op


def _zero_grad(g):
    return g * 0


_NEG_BOOL = ("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
             "invert a mask, use the `~` or `logical_not()` operator instead.")

neg = unary('neg', np.negative, lambda g: -g, no_bool=_NEG_BOOL)
register(neg, name='negative', inplace=True)
abs = unary('abs', np.absolute, lambda g, x: g * x.sgn(), reject={0: 'abs_cpu'})
register(abs, name='absolute', inplace=True)
exp = unary('exp', np.exp, lambda g, result: g * result, floating=True)
exp2 = unary('exp2', np.exp2, lambda g, result: g * result * math.log(2), floating=True)
expm1 = unary('expm1', np.expm1, lambda g, result: g * (result + 1), floating=True)
log = unary('log', np.log, lambda g, x: g / x, floating=True)
log2 = unary('log2', np.log2, lambda g, x: g / (x * math.log(2)), floating=True)
log10 = unary('log10', np.log10, lambda g, x: g / (x * math.log(10)), floating=True)
log1p = unary('log1p', np.log1p, lambda g, x: g / (x + 1), floating=True, grad_name='Log1PBackward0')
sqrt = unary('sqrt', np.sqrt, lambda g, result: g / (2 * result), floating=True)
rsqrt = unary('rsqrt', lambda a: 1 / np.sqrt(a), lambda g, result: -0.5 * g * result ** 3, floating=True)
sin = unary('sin', np.sin, lambda g, x: g * x.cos(), floating=True)
cos = unary('cos', np.cos, lambda g, x: g * -x.sin(), floating=True)
tan = unary('tan', np.tan, lambda g, result: g * (1 + result * result), floating=True)
asin = unary('asin', np.arcsin, lambda g, x: g * (1 - x * x).rsqrt(), floating=True)
acos = unary('acos', np.arccos, lambda g, x: -g * (1 - x * x).rsqrt(), floating=True)
atan = unary('atan', np.arctan, lambda g, x: g / (1 + x * x), floating=True)
sinh = unary('sinh', np.sinh, lambda g, x: g * x.cosh(), floating=True)
cosh = unary('cosh', np.cosh, lambda g, x: g * x.sinh(), floating=True)
tanh = unary('tanh', np.tanh, lambda g, result: g * (1 - result * result), floating=True)
asinh = unary('asinh', np.arcsinh, lambda g, x: g * (x * x + 1).rsqrt(), floating=True)
acosh = unary('acosh', np.arccosh, lambda g, x: g * (x * x - 1).rsqrt(), floating=True)
atanh = unary('atanh', np.arctanh, lambda g, x: g / (1 - x * x), floating=True)
for _n, _f in (('arcsin', asin), ('arccos', acos), ('arctan', atan), ('arcsinh', asinh),
               ('arccosh', acosh), ('arctanh', atanh)):
    register(_f, name=_n, inplace=True)


def _sigmoid(a):
    # torch computes 1 / (1 + exp(-x)) in the input precision
    one = a.dtype.type(1)
    return one / (one + np.exp(-a))


sigmoid = unary('sigmoid', _sigmoid, lambda g, result: g * result * (1 - result), floating=True)
reciprocal = unary('reciprocal', lambda a: np.reciprocal(a), lambda g, result: -g * result * result,
                   floating=True)
relu = unary('relu', lambda a: np.maximum(a, a.dtype.type(0)),
             lambda g, result: g * (result > 0), grad_name='ReluBackward0',
             no_bool='Boolean inputs not supported for relu')
sign = unary('sign', lambda a: np.sign(a) if a.dtype != np.bool_ else a.copy(), _zero_grad)
sgn = unary('sgn', lambda a: np.sign(a) if a.dtype.kind != 'c' else
            np.where(a == 0, 0, a / np.where(a == 0, 1, np.abs(a))).astype(a.dtype), _zero_grad)
floor = unary('floor', lambda a: np.floor(a) if a.dtype.kind in 'fc' else a.copy(), _zero_grad,
              reject={0: 'floor_vml_cpu'})
ceil = unary('ceil', lambda a: np.ceil(a) if a.dtype.kind in 'fc' else a.copy(), _zero_grad,
             reject={0: 'ceil_vml_cpu'})
trunc = unary('trunc', lambda a: np.trunc(a) if a.dtype.kind in 'fc' else a.copy(), _zero_grad,
              reject={0: 'trunc_vml_cpu'})
register(trunc, name='fix', inplace=True)
frac = unary('frac', lambda a: a - np.trunc(a), lambda g: g, reject={0: 'frac_cpu', 1: 'frac_cpu'})
square = unary('square', lambda a: np.square(a.astype(np.int64) if a.dtype == np.bool_ else a),
               lambda g, x: 2 * g * x, grad_name='PowBackward0')
logical_not = unary('logical_not', np.logical_not, None, bool_result=True)
bitwise_not = unary('bitwise_not', lambda a: np.invert(a), None, reject={2: 'bitwise_not_cpu'})


# --- binary --------------------------------------------------------------------------------------

def _broadcast_error(a, b):
    sa, sb = a.shape, b.shape
    n = max(len(sa), len(sb))
    sa = (1,) * (n - len(sa)) + tuple(sa)
    sb = (1,) * (n - len(sb)) + tuple(sb)
    for i in range(n - 1, -1, -1):
        if sa[i] != sb[i] and sa[i] != 1 and sb[i] != 1:
            return RuntimeError(f"The size of tensor a ({sa[i]}) must match the size of tensor b "
                                f"({sb[i]}) at non-singleton dimension {i}")
    return RuntimeError(f"shapes {list(a.shape)} and {list(b.shape)} cannot be broadcast")


def _device_error(a, b):
    return RuntimeError(f"Expected all tensors to be on the same device, but found at least two "
                        f"devices, {a} and {b}!")


def _promote(name, input, other):
    """(array a, array-or-scalar b, result dtype) for a tensor and a tensor-or-scalar."""
    if isinstance(other, Tensor):
        if input._device is not other._device and other._data.ndim and input._data.ndim:
            raise _device_error(input._device, other._device)
        rt = D.result_type_of((input, other))
        a = input._data if input.dtype is rt else input._data.astype(rt._np)
        b = other._data if other.dtype is rt else other._data.astype(rt._np)
        if other._device is not input._device:   # a 0-dim tensor on another device
            from .._device import to_device_array
            b = to_device_array(b, input._device)
        return a, b, rt
    s = _as_scalar(other)
    if s is None:
        raise _operand_error(name, 2, 'other', other)
    rt = D.result_type_of((input,), (s,))
    a = input._data if input.dtype is rt else input._data.astype(rt._np)
    try:
        b = np.asarray(s, dtype=rt._np)
    except (OverflowError, TypeError):
        b = np.asarray(s).astype(rt._np)
    return a, b, rt


def binary(name, fwd, da=None, db=None, *, kind='arith', grad_name=None, save=True, inplace=True,
           method=True, check=None, scalar_grad_name=None, scalar_ok=True):
    """Declare a binary op with broadcasting and torch promotion.

    kind: 'arith' (result in the promoted dtype), 'float' (ints promote to the default float),
    'cmp' (bool result), 'int' (integer and bool only). da/db(g, a, b) are the derivatives."""
    gname = grad_name or ''.join(p.capitalize() for p in name.split('_')) + 'Backward0'
    sname = scalar_grad_name or gname
    differentiable = da is not None or db is not None
    # with a scalar `other`, the input is saved only if its own derivative reads it
    save_for_scalar = save and da is not None and _reads(da, 'a')

    def bwd(node, g):
        saved = node.saved_tensors
        a, b = saved if len(saved) == 2 else (saved[0] if saved else None, node._args)
        ga = da(g, a, b) if needs(node, 0) else None
        gb = db(g, a, b) if needs(node, 1) else None
        return ga, gb

    def op(input, other, *, out=None):
        if not isinstance(input, Tensor):
            if isinstance(other, Tensor) and _as_scalar(input) is not None:
                input = _make(np.asarray(input), D.result_type_of((), (input,)), other._device)
            else:
                raise _operand_error(name, 1, 'input', input)
        if not scalar_ok and not isinstance(other, Tensor):
            raise _operand_error(name, 2, 'other', other)
        if other.__class__ is Tensor and input.dtype is other.dtype \
                and input._device is other._device:
            a, b, rt = input._data, other._data, input.dtype
        else:
            a, b, rt = _promote(name, input, other)
        if check is not None:
            check(rt, input, other)
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
        if grad_state.enabled and (input._requires_grad or (other.__class__ is not int and other.__class__ is not float
                                                           and getattr(other, '_requires_grad', False))):
            if kind == 'cmp':
                pass
            elif not differentiable:
                attach('NotImplemented', _not_implemented(name), (input, other if isinstance(other, Tensor) else None), (r,))
            elif isinstance(other, Tensor):
                attach(gname, bwd, (input, other), (r,), save=(input, other) if save else ())
            else:
                attach(sname, bwd, (input, None), (r,), save=(input,) if save_for_scalar else (), args=other)
        if out is not None:
            return write_out(out, r, name)
        return r
    op.__name__ = name
    register(op, name=name, inplace=inplace, method=method)
    return op


def _reads(fn, name):
    import dis
    return any(i.opname.startswith('LOAD_FAST') and i.argval == name for i in dis.get_instructions(fn))


def _not_implemented(name):
    def bwd(node, g):
        raise RuntimeError(f"derivative for {name} is not implemented")
    return bwd


def _no_bool_sub(rt, a, b):
    if rt is D.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")


def _int_only(name):
    def check(rt, a, b):
        if rt._cat >= _FLOAT:
            raise RuntimeError(f"\"{name}_cpu\" not implemented for '{D.type_name(rt)}'")
    return check


def _pow_check(rt, a, b):
    if rt._cat == 1 and isinstance(b, (int, Tensor)) and not isinstance(b, bool):
        bv = b._data if isinstance(b, Tensor) else b
        if np.any(np.asarray(bv) < 0):
            raise RuntimeError("Integers to negative integer powers are not allowed.")


_add = binary('_add', np.add, lambda g, a, b: g, lambda g, a, b: g, grad_name='AddBackward0', save=False,
              method=False, inplace=False)
_sub = binary('_sub', np.subtract, lambda g, a, b: g, lambda g, a, b: -g, grad_name='SubBackward0',
              save=False, method=False, inplace=False, check=_no_bool_sub)
mul = binary('mul', np.multiply, lambda g, a, b: g * b, lambda g, a, b: g * a)
register(mul, name='multiply', inplace=True)
_div = binary('_div', np.true_divide, lambda g, a, b: g / b, lambda g, a, b: -g * a / (b * b),
              kind='float', grad_name='DivBackward0', method=False, inplace=False)
floor_divide = binary('floor_divide', np.floor_divide, None, None)
remainder = binary('remainder', np.remainder, lambda g, a, b: g,
                   lambda g, a, b: -g * (a / b).floor())
fmod = binary('fmod', np.fmod, lambda g, a, b: g, lambda g, a, b: -g * (a / b).trunc())
atan2 = binary('atan2', np.arctan2, lambda g, a, b: g * b / (a * a + b * b),
               lambda g, a, b: -g * a / (a * a + b * b), kind='float')
register(atan2, name='arctan2', inplace=True)
maximum = binary('maximum', np.maximum, lambda g, a, b: g * _gt_half(a, b),
                 lambda g, a, b: g * _gt_half(b, a), inplace=False)
minimum = binary('minimum', np.minimum, lambda g, a, b: g * _gt_half(b, a),
                 lambda g, a, b: g * _gt_half(a, b), inplace=False)
for _n, _f in (('eq', np.equal), ('ne', np.not_equal), ('lt', np.less), ('le', np.less_equal),
               ('gt', np.greater), ('ge', np.greater_equal)):
    binary(_n, _f, kind='cmp')
for _n, _a in (('greater', 'gt'), ('greater_equal', 'ge'), ('less', 'lt'), ('less_equal', 'le'),
               ('not_equal', 'ne')):
    register(getattr(Tensor, _a), name=_n, inplace=False)
    setattr(Tensor, _n + '_', getattr(Tensor, _a + '_'))
logical_and = binary('logical_and', np.logical_and, kind='cmp')
logical_or = binary('logical_or', np.logical_or, kind='cmp')
logical_xor = binary('logical_xor', np.logical_xor, kind='cmp')
bitwise_and = binary('bitwise_and', np.bitwise_and, check=_int_only('bitwise_and'))
bitwise_or = binary('bitwise_or', np.bitwise_or, check=_int_only('bitwise_or'))
bitwise_xor = binary('bitwise_xor', np.bitwise_xor, check=_int_only('bitwise_xor'))
bitwise_left_shift = binary('bitwise_left_shift', np.left_shift, check=_int_only('lshift'))
bitwise_right_shift = binary('bitwise_right_shift', np.right_shift, check=_int_only('rshift'))


def _gt_half(a, b):
    # torch splits the gradient evenly where both inputs are equal
    return (a > b).to(a.dtype) + (a == b).to(a.dtype) * 0.5


def add(input, other, *, alpha=1, out=None):
    if alpha != 1:
        other = other * alpha
    return _add(input, other, out=out)


def sub(input, other, *, alpha=1, out=None):
    if alpha != 1:
        other = other * alpha
    return _sub(input, other, out=out)


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
        raise _operand_error('div', 1, 'input', input)
    a, b, rt = _promote('div', input, other)
    if rt._cat < _FLOAT:
        if np.any(b == 0):
            raise RuntimeError("ZeroDivisionError")
        q = np.floor_divide(a, b)
        if rnd is np.trunc:
            q = q + ((q < 0) & (q * b != a))
        data = q.astype(rt._np)
    else:
        data = rnd(np.true_divide(a, b)).astype(rt._np)
    r = _make(data, rt, input._device)
    if grad_state.enabled and (input._requires_grad or getattr(other, '_requires_grad', False)):
        attach('DivBackward1' if not isinstance(other, Tensor) else 'DivBackward0',
               lambda node, g: (g * 0, None if not isinstance(other, Tensor) else g * 0),
               (input, other if isinstance(other, Tensor) else None), (r,))
    return write_out(out, r, 'div') if out is not None else r


true_divide = div
for _n, _f in (('add', add), ('sub', sub), ('div', div)):
    register(_f, name=_n, inplace=True)
register(sub, name='subtract', inplace=True)
register(div, name='divide', inplace=True)
register(div, name='true_divide', inplace=True)


def rsub(input, other, *, alpha=1):
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    r = _sub(input * (-alpha) if alpha != 1 else -input, -other) if False else None
    a, b, rt = _promote('rsub', input, other)
    data = np.subtract(b, a * alpha if alpha != 1 else a).astype(rt._np, copy=False)
    res = _make(data, rt, input._device)
    if input._requires_grad and grad_state.enabled:
        attach('RsubBackward1', lambda node, g: (-g * alpha,), (input,), (res,))
    return res


register(rsub, method=False)


def _pow_fwd(a, b):
    return np.power(a, b)


def pow(input, exponent, *, out=None):
    if not isinstance(input, Tensor):       # torch.pow(scalar, tensor)
        s = _as_scalar(input)
        rt = D.result_type_of((exponent,), (s,))
        base = _make(np.asarray(s, dtype=rt._np), rt, exponent._device)
        r = _pow_tt(base, exponent, 'PowBackward2')
        return write_out(out, r, 'pow') if out is not None else r
    if isinstance(exponent, Tensor):
        r = _pow_tt(input, exponent)
        return write_out(out, r, 'pow') if out is not None else r
    a, b, rt = _promote('pow', input, exponent)
    _pow_check(rt, input, exponent)
    e = _as_scalar(exponent)
    if e == 2:
        data = np.square(a)
    elif e == 0.5 and rt._cat >= _FLOAT:
        data = np.sqrt(a)
    else:
        data = np.power(a, b)
    r = _make(data.astype(rt._np, copy=False), rt, input._device)
    if input._requires_grad and grad_state.enabled:
        def bwd(node, g):
            x, = node.saved_tensors
            if e == 0:
                return g * 0
            return g * e * x.pow(e - 1)
        attach('PowBackward0', bwd, (input,), (r,), save=(input,))
    return write_out(out, r, 'pow') if out is not None else r


def _pow_tt(input, exponent, gname='PowBackward1'):
    a, b, rt = _promote('pow', input, exponent)
    _pow_check(rt, input, exponent)
    try:
        data = np.power(a, b)
    except ValueError:
        raise _broadcast_error(a, b) from None
    r = _make(data.astype(rt._np, copy=False), rt, input._device)
    if grad_state.enabled and (input._requires_grad or exponent._requires_grad):
        def bwd(node, g):
            x, y, res = node.saved_tensors
            gx = gy = None
            if needs(node, 0):
                gx = g * y * x.pow(y - 1)
            if needs(node, 1):
                gy = g * res * where_pos_log(x)
            return gx, gy
        attach(gname, bwd, (input, exponent), (r,), save=(input, exponent, r))
    return r


def where_pos_log(x):
    # d/dy x**y = x**y * log(x); torch masks x == 0 to 0 so 0**y has a zero gradient
    from .. import where
    return where(x == 0, x * 0, x.log())


register(pow, inplace=True)
register(lambda input, exponent: pow(input, exponent), name='float_power', method=False)


def _reflect(f):
    return lambda self, other: f(other, self)


# Python operators
Tensor.__add__ = Tensor.__radd__ = lambda self, other: _add(self, other)
Tensor.__sub__ = lambda self, other: _sub(self, other)
Tensor.__rsub__ = lambda self, other: rsub(self, other)
Tensor.__mul__ = Tensor.__rmul__ = lambda self, other: mul(self, other)
Tensor.__truediv__ = lambda self, other: _div(self, other)
Tensor.__rtruediv__ = lambda self, other: reciprocal(self) * other
Tensor.__floordiv__ = lambda self, other: floor_divide(self, other)
Tensor.__rfloordiv__ = lambda self, other: floor_divide(_scalar_tensor(other, self), self)
Tensor.__mod__ = lambda self, other: remainder(self, other)
Tensor.__rmod__ = lambda self, other: remainder(_scalar_tensor(other, self), self)
Tensor.__pow__ = lambda self, other: pow(self, other)
Tensor.__rpow__ = lambda self, other: pow(other, self)
Tensor.__neg__ = neg
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = abs
Tensor.__invert__ = lambda self: logical_not(self) if self.dtype is D.bool else bitwise_not(self)
Tensor.__and__ = Tensor.__rand__ = lambda self, other: bitwise_and(self, other) if self.dtype is not D.bool or \
    (isinstance(other, Tensor) and other.dtype is not D.bool) else logical_and(self, other) if isinstance(other, Tensor) \
    else bitwise_and(self, other)
Tensor.__or__ = Tensor.__ror__ = lambda self, other: bitwise_or(self, other)
Tensor.__xor__ = Tensor.__rxor__ = lambda self, other: bitwise_xor(self, other)
Tensor.__lshift__ = lambda self, other: bitwise_left_shift(self, other)
Tensor.__rshift__ = lambda self, other: bitwise_right_shift(self, other)
Tensor.__eq__ = lambda self, other: Tensor.eq(self, other) if _comparable(other) else False
Tensor.__ne__ = lambda self, other: Tensor.ne(self, other) if _comparable(other) else True
Tensor.__lt__ = lambda self, other: Tensor.lt(self, other)
Tensor.__le__ = lambda self, other: Tensor.le(self, other)
Tensor.__gt__ = lambda self, other: Tensor.gt(self, other)
Tensor.__ge__ = lambda self, other: Tensor.ge(self, other)
Tensor.__iadd__ = lambda self, other: Tensor.add_(self, other)
Tensor.__isub__ = lambda self, other: Tensor.sub_(self, other)
Tensor.__imul__ = lambda self, other: Tensor.mul_(self, other)
Tensor.__itruediv__ = lambda self, other: Tensor.div_(self, other)
Tensor.__ifloordiv__ = lambda self, other: Tensor.floor_divide_(self, other)
Tensor.__imod__ = lambda self, other: Tensor.remainder_(self, other)
Tensor.__ipow__ = lambda self, other: Tensor.pow_(self, other)
Tensor.__iand__ = lambda self, other: Tensor.bitwise_and_(self, other)
Tensor.__ior__ = lambda self, other: Tensor.bitwise_or_(self, other)
Tensor.__ixor__ = lambda self, other: Tensor.bitwise_xor_(self, other)
Tensor.__hash__ = lambda self: id(self)


def _comparable(other):
    return isinstance(other, Tensor) or _as_scalar(other) is not None


def _scalar_tensor(s, like):
    return _make(np.asarray(s, dtype=D.result_type_of((), (s,))._np), D.result_type_of((), (s,)), like._device)
