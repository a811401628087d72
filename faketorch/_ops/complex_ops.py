"""Complex numbers: real/imag and view_as_real/view_as_complex (views, as torch), angle, polar,
complex, conj. NumPy has no lazy conjugate bit, so conj() of a complex tensor is a copy and
is_conj() is always False; the values are torch's."""
from .. import _xnp as np
from .. import _autocast as _ac

from .. import _dtype as D
from .._tensor import Tensor, _make
from ._core import attach, broadcast_shapes, kernel_error, needs, register, requires_grad, zero_grad
from ._float8_kernels import F8 as _F8, refuse as _f8_refuse
from .shape import make_view


_grad_on = requires_grad      # any tensor requiring grad, with grad mode on


def real(input):
    if not input.dtype.is_complex:
        return input
    return view_as_real(input).select(-1, 0)        # as torch: its history is SelectBackward0, ViewAsRealBackward0


def imag(input):
    if not input.dtype.is_complex:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return view_as_real(input).select(-1, 1)


def _real_view(input, data):
    r = make_view(input, data, 'ViewAsRealBackward0', lambda node, g: view_as_complex(g.contiguous()),
                  view_as_real)
    r.dtype = input.dtype.to_real()
    return r


def view_as_real(input):
    if not input.dtype.is_complex:
        raise RuntimeError("view_as_real is only supported for complex tensors")
    a = input._data
    data = a[..., None].view(a.real.dtype) if a.ndim else a.reshape(1).view(a.real.dtype)
    return _real_view(input, data)


@_ac.float32_op      # CPU autocast runs it in float32
def view_as_complex(input):
    a = input._data
    if input.dtype not in (D.float32, D.float64, D.float16):
        raise RuntimeError(f"view_as_complex is only supported for half, float and double tensors, but got a "
                           f"tensor of scalar type: {D.type_name(input.dtype)}")
    if a.ndim == 0 or a.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    ct = D.np_dtype(input.dtype.to_complex())       # complex32 (from half): faketorch has none
    if not a.size:      # NumPy gives an empty array zero strides: nothing to reinterpret
        data = np.zeros(a.shape[:-1], ct, like=a)
    else:
        if a.strides[-1] != a.itemsize:
            raise RuntimeError("Tensor must have a last dimension with stride 1")
        if any(s % (2 * a.itemsize) for s in a.strides[:-1]):
            raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
        data = a.view(ct)[..., 0]
    r = make_view(input, data, 'ViewAsComplexBackward0', lambda node, g: view_as_real(g), view_as_complex)
    r.dtype = input.dtype.to_complex()
    return r


def _tensor_args(fname, names, args):
    for pos, (name, v) in enumerate(zip(names, args), 1):
        if not isinstance(v, Tensor):
            from ..random import _tp_name
            raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be Tensor, not {_tp_name(v)}")


_HALF_FLOAT_DOUBLE = (D.float16, D.float32, D.float64)


def _out_dtype_check(out, dt):
    """complex and polar write only into an out= of their complex dtype."""
    if isinstance(out, Tensor) and out.dtype is not dt:
        raise RuntimeError(f"Expected object of scalar type {D.type_name(dt)} but got scalar type "
                           f"{D.type_name(out.dtype)} for argument 'out'")


def complex(real, imag, *, out=None):
    _tensor_args('complex', ('real', 'imag'), (real, imag))
    if real.dtype not in _HALF_FLOAT_DOUBLE or imag.dtype not in _HALF_FLOAT_DOUBLE:
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{D.type_name(real.dtype)} and {D.type_name(imag.dtype)}")
    if real.dtype is not imag.dtype:
        raise RuntimeError(f"Expected object of scalar type {D.type_name(real.dtype)} but got scalar type "
                           f"{D.type_name(imag.dtype)} for second argument")
    dt = real.dtype.to_complex()
    _out_dtype_check(out, dt)
    data = np.empty(broadcast_shapes(real._data.shape, imag._data.shape), D.np_dtype(dt), like=real._data)
    data.real = real._data
    data.imag = imag._data
    r = _make(data, dt, real._device)
    if _grad_on(real, imag):
        attach('ComplexBackward0', lambda node, g: (g.real, g.imag), (real, imag), (r,))
    if out is not None:
        from ._core import write_out
        return write_out(out, r, 'complex')
    return r


@_ac.float32_op      # CPU autocast runs it in float32
def polar(abs, angle, *, out=None):
    _tensor_args('polar', ('abs', 'angle'), (abs, angle))
    if abs.dtype not in _HALF_FLOAT_DOUBLE or angle.dtype not in _HALF_FLOAT_DOUBLE:
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{D.type_name(abs.dtype)} and {D.type_name(angle.dtype)}")
    if abs.dtype is not angle.dtype:
        raise RuntimeError(f"Expected object of scalar type {D.type_name(abs.dtype)} but got scalar type "
                           f"{D.type_name(angle.dtype)} for second argument")
    _out_dtype_check(out, abs.dtype.to_complex())
    if abs.dtype is D.float16:
        raise kernel_error('polar_cpu', abs.dtype, abs._device)
    a, t = abs._data, angle._data
    dt = abs.dtype.to_complex()
    data = np.empty(broadcast_shapes(a.shape, t.shape), dt._np, like=a)
    data.real = a * np.cos(t)
    data.imag = a * np.sin(t)
    r = _make(data, dt, abs._device)
    if _grad_on(abs, angle):
        def bwd(node, g):
            m, th = node.saved_tensors
            c, s_ = th.cos(), th.sin()
            # torch: the abs gradient goes through sgn(result), which is 0 where abs is 0
            ga = (g.real * c + g.imag * s_).masked_fill(m == 0, 0) if needs(node, 0) else None
            gt = m * (g.imag * c - g.real * s_) if needs(node, 1) else None
            return ga, gt
        attach('PolarBackward0', bwd, (abs, angle), (r,), save=(abs, angle))
    if out is not None:
        from ._core import write_out
        return write_out(out, r, 'polar')
    return r


def angle(input, *, out=None):
    if input.dtype in _F8:
        raise _f8_refuse('angle', input)
    a = input._data
    if input.dtype.is_complex:
        dt = input.dtype.to_real()
        data = np.angle(a).astype(dt._np)
    else:
        dt = input.dtype if input.dtype._cat >= 2 else D.get_default_dtype()
        # torch: pi for negative numbers, 0 otherwise, NaN propagates
        data = np.where(a < 0, np.pi, 0).astype(dt._np)
        data = np.where(np.isnan(a), a, data).astype(dt._np) if a.dtype.kind == 'f' else data
    r = _make(data, dt, input._device)
    if _grad_on(input):
        def bwd(node, g):
            x, = node.saved_tensors
            if not x.dtype.is_complex:
                return zero_grad(g)
            # d angle = (re dim - im dre) / |z|^2, returned as a complex gradient
            den = x.abs().pow(2)
            return complex(-g * x.imag / den, g * x.real / den)
        attach('AngleBackward0', bwd, (input,), (r,), save=(input,))
    if out is not None:
        from ._core import write_out
        return write_out(out, r, 'angle')
    return r


def conj(input):
    if not input.dtype.is_complex:
        return input
    r = _make(np.conj(input._data), input.dtype, input._device)
    if _grad_on(input):
        attach('ConjBackward0', lambda node, g: g.conj(), (input,), (r,))
    return r


def conj_physical(input, *, out=None):
    if not input.dtype.is_complex:
        r = input
    else:
        r = _make(np.conj(input._data), input.dtype, input._device)
        if _grad_on(input):
            attach('ConjPhysicalBackward0', lambda node, g: g.conj(), (input,), (r,))
    if out is not None:
        from ._core import write_out
        return write_out(out, r, 'conj_physical')
    return r


def resolve_conj(input):
    return input


def resolve_neg(input):
    return input


def is_conj(input):
    return False


def is_neg(input):
    return False


for _f in (real, imag, view_as_real, view_as_complex, angle, conj, resolve_conj, resolve_neg, is_conj,
           is_neg):
    register(_f, method=_f not in (view_as_real, view_as_complex))
register(conj_physical, inplace=True)
register(complex, method=False)
register(polar, method=False)
Tensor.real = property(real, lambda self, v: _set_part(self, real, v))
Tensor.imag = property(imag, lambda self, v: _set_part(self, imag, v))


def _set_part(self, part, value):
    view = part(self)
    if isinstance(value, Tensor):
        view.copy_(value)
    else:
        view.fill_(value)
