"""Quantized tensors (torch.quint8, qint8, qint32), carried as their integer array plus the quantizer.

A quantized tensor is a Tensor (a subclass printing and comparing as torch.Tensor) whose `_data` is a
_QData: the integer representation (uint8 / int8 / int32, what `int_repr()` shows) and the quantizer
(scheme, scale(s), zero point(s), axis). Shape, strides and size read through it; a dense op that
reaches for the array gets torch's "Could not run 'aten::<op>' with arguments from the 'QuantizedCPU'
backend" error, as in torch. The ops torch allows on quantized tensors run on the integer tensor and
re-wrap the result with the same quantizer: views, indexing, cat, max/min, sort, relu, pooling ...,
since on one quantizer they commute with the (monotonic) dequantization.

Numerics found against torch 2.13's CPU kernels: quantize is nearbyint(fma(x, 1/scale, zero_point)) in
float32 (1/scale in float32) clamped to the type's range; dequantize is float(q - zero_point) * scale in
float32."""
import warnings

from .overrides import _disabled_torch_function_impl

import numpy as np

from . import _dtype as D
from ._tensor import Tensor, _make
from ._ops._core import dispatcher_error, outermost_call
from .autograd.grad_mode import state as grad_state

__all__ = ['qscheme', 'per_tensor_affine', 'per_channel_affine', 'per_tensor_symmetric',
           'per_channel_symmetric', 'per_channel_affine_float_qparams', 'quantize_per_tensor',
           'quantize_per_channel', 'quantize_per_tensor_dynamic', 'dequantize',
           'fake_quantize_per_tensor_affine', 'fake_quantize_per_channel_affine', '_empty_affine_quantized',
           '_make_per_tensor_quantized_tensor', '_make_per_channel_quantized_tensor', 'fused_moving_avg_obs_fake_quant']


class qscheme:
    """torch.qscheme: the quantization schemes, compared by identity and printed as torch.<name>."""
    __slots__ = ('name',)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return 'torch.' + self.name

    def __reduce__(self):
        return (_scheme_by_name, (self.name,))


per_tensor_affine = qscheme('per_tensor_affine')
per_channel_affine = qscheme('per_channel_affine')
per_tensor_symmetric = qscheme('per_tensor_symmetric')
per_channel_symmetric = qscheme('per_channel_symmetric')
per_channel_affine_float_qparams = qscheme('per_channel_affine_float_qparams')
_SCHEMES = {s.name: s for s in (per_tensor_affine, per_channel_affine, per_tensor_symmetric,
                                per_channel_symmetric, per_channel_affine_float_qparams)}


def _scheme_by_name(name):
    return _SCHEMES[name]


# quantized dtype -> (the integer dtype of int_repr, qmin, qmax)
_INT = {'quint8': (D.uint8, 0, 255), 'qint8': (D.int8, -128, 127), 'qint32': (D.int32, -2 ** 31, 2 ** 31 - 1)}


def _backend_error(name):
    return dispatcher_error(name, 'QuantizedCPU')


def _caller_op():
    """The faketorch function the user called (the outermost one), as torch's dispatcher names its out=
    kernel: add -> add.out."""
    import sys
    name = (outermost_call(sys._getframe(2)) or 'unknown').strip('_')
    for p in ('i', 'r'):        # __iadd__, __radd__ -> add
        if name[:1] == p and name[1:] in _OUT_NAMES:
            name = name[1:]
    return _OUT_NAMES.get(name, name)


# torch's structured kernels run as their out= overload on quantized tensors
_OUT_NAMES = {n: n + '.out' for n in ('add', 'sub', 'mul', 'div', 'exp', 'log', 'abs', 'neg', 'sqrt', 'sin', 'cos',
                                      'pow', 'argmax', 'argmin', 'cumsum', 'prod', 'floor', 'ceil', 'round')}
_OUT_NAMES.update(sum='sum.IntList_out', matmul='mm', mm='mm', zero='zero_')


class _QData:
    """The integer representation and the quantizer of a quantized tensor."""
    __slots__ = ('int', 'scheme', 'scale', 'zero_point', 'axis')

    def __init__(self, ints, scheme, scale, zero_point, axis=None):
        self.int, self.scheme, self.scale, self.zero_point, self.axis = ints, scheme, scale, zero_point, axis

    shape = property(lambda self: self.int.shape)
    ndim = property(lambda self: self.int.ndim)
    size = property(lambda self: self.int.size)
    strides = property(lambda self: self.int.strides)
    itemsize = property(lambda self: self.int.itemsize)
    dtype = property(lambda self: self.int.dtype)
    base = property(lambda self: None)

    def copy(self):
        return _QData(self.int.copy(), self.scheme, self.scale, self.zero_point, self.axis)

    def like(self, ints, axis=None):
        return _QData(ints, self.scheme, self.scale, self.zero_point, self.axis if axis is None else axis)

    def __array__(self, *args, **kwargs):
        raise _backend_error(_caller_op())

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        raise _backend_error(_caller_op())


def _qtensor(ints, dtype, scheme, scale, zero_point, axis=None, device=None):
    t = _make(ints, _INT[dtype.name][0]) if device is None else _make(ints, _INT[dtype.name][0], device)
    t._data = _QData(t._data, scheme, scale, zero_point, axis)
    t.dtype = dtype
    t.__class__ = QTensor
    return t


def _like(q, ints, axis=None):
    """A quantized tensor of q's dtype and quantizer around the integer array `ints`."""
    t = _make(ints, _INT[q.dtype.name][0], q._device)
    t._data = q._data.like(ints, axis)
    t.dtype = q.dtype
    t.__class__ = QTensor
    return t


# --- the numerics ----------------------------------------------------------------------------------------

_DEPRECATED = ("torch.quantize_per_tensor, torch.quantize_per_channel and other quantized tensor creation "
               "functions that produce tensors with dtype torch.quint8, torch.qint8, and torch.qint32 are "
               "deprecated and will be removed in a future PyTorch release. Please see "
               "https://github.com/pytorch/pytorch/issues/184982 for more information.")
_warned = []


def _warn_once():
    if not _warned:
        _warned.append(True)
        warnings.warn(_DEPRECATED, UserWarning, stacklevel=3)


def _quantize_array(x, scale, zero_point, qmin, qmax, npint):
    """torch's CPU quantize: nearbyint(fma(x, 1/scale, zero_point)) in float32, clamped. scale and
    zero_point broadcast against x (per channel). The float64 product of two float32s is exact, so one
    float32 rounding of product + zero point is the fused multiply-add."""
    inv = (np.float32(1) / np.asarray(scale, np.float32)).astype(np.float64)
    with np.errstate(all='ignore'):
        v = np.rint((x.astype(np.float64) * inv + zero_point).astype(np.float32))
        # (a zero scale) infinities clamp to the ends; NaN lands on the top, as torch's kernel puts it
        v = np.where(np.isnan(v), qmax, v)
        return np.clip(v, qmin, qmax).astype(npint)


def _dequantize_array(ints, scale, zero_point):
    return (ints.astype(np.int64) - zero_point).astype(np.float32) * np.asarray(scale, np.float32)


def _check_input(input, dtype, name='Quantize'):
    if dtype.name not in _INT:
        if dtype.name in ('quint4x2', 'quint2x4'):
            raise NotImplementedError(f"faketorch does not support {dtype!r} quantized tensors")
        raise RuntimeError(f"ScalarType {D.type_name(dtype)} is not supported in new_qtensor.")
    if input.dtype is not D.float32:
        raise RuntimeError(f"{name} only works on Float Tensor, got {D.type_name(input.dtype)}")


def _as_float(v):
    return float(v.item()) if isinstance(v, Tensor) else float(v)


def _as_int(v):
    return int(v.item()) if isinstance(v, Tensor) else int(v)


def quantize_per_tensor(input, scale, zero_point, dtype):
    if isinstance(input, (list, tuple)):
        return [quantize_per_tensor(t, scale[i], zero_point[i], dtype) for i, t in enumerate(input)]
    _check_input(input, dtype)
    _warn_once()
    npint, qmin, qmax = D.np_dtype(_INT[dtype.name][0]), _INT[dtype.name][1], _INT[dtype.name][2]
    # a tensor scale is read as float32 then widened, as torch's Tensor overload does
    scale = float(np.float32(scale.item())) if isinstance(scale, Tensor) else float(scale)
    zero_point = _as_int(zero_point)
    _check_qparams(scale, zero_point, qmin, qmax)
    ints = _quantize_array(_host(input._data), scale, zero_point, qmin, qmax, npint)
    return _qtensor(ints, dtype, per_tensor_affine, scale, zero_point, device=input._device)


def _check_qparams(scale, zero_point, qmin, qmax):
    # torch takes any scale (0 and negative included); the zero point must be in the type's range
    if zero_point > qmax:
        raise RuntimeError(f"quantize_tensor_per_tensor_affine zero_point {zero_point} is above upper bound.")
    if zero_point < qmin:
        raise RuntimeError(f"quantize_tensor_per_tensor_affine zero_point {zero_point} is below lower bound.")


def _host(a):
    return a if isinstance(a, np.ndarray) else a.get()


def quantize_per_channel(input, scales, zero_points, axis, dtype):
    _check_input(input, dtype)
    _warn_once()
    npint, qmin, qmax = D.np_dtype(_INT[dtype.name][0]), _INT[dtype.name][1], _INT[dtype.name][2]
    x = _host(input._data)
    if not 0 <= axis < x.ndim:
        raise RuntimeError(f"Channel axis out of range in per channel affine quantization. Got: {axis}Expected: "
                           f"[0, {x.ndim})")
    s = _host(scales._data).astype(np.float64).reshape(-1)
    z = _host(zero_points._data).astype(np.int64).reshape(-1)
    if s.size != x.shape[axis]:
        raise RuntimeError(f"length of scales must equal to channel, expected {x.shape[axis]} got, {s.size}")
    if z.size != s.size:
        raise RuntimeError("number of elements in scales and zero_points must match")
    bshape = [1] * x.ndim
    bshape[axis] = -1
    ints = _quantize_array(x, s.reshape(bshape), z.reshape(bshape), qmin, qmax, npint)
    return _qtensor(ints, dtype, per_channel_affine, s, z, axis, device=input._device)


def _choose_qparams(mn, mx, qmin, qmax):
    """fbgemm's ChooseQuantizationParams (what quantize_per_tensor_dynamic and the dynamic modules use):
    the range widened to hold 0, the zero point taken from whichever end loses less."""
    mn, mx = min(float(mn), 0.0), max(float(mx), 0.0)
    scale = (mx - mn) / (qmax - qmin)
    if float(np.float32(scale)) == 0.0 or np.isinf(np.float32(1) / np.float32(scale)):
        scale = 0.1
    zp_min, zp_max = qmin - mn / scale, qmax - mx / scale
    err_min, err_max = abs(qmin) - abs(mn / scale), abs(qmax) - abs(mx / scale)
    zp = zp_min if err_min < err_max else zp_max
    zp = qmin if zp < qmin else qmax if zp > qmax else int(np.rint(zp))
    return scale, zp


def quantize_per_tensor_dynamic(input, dtype, reduce_range):
    if dtype not in (D.quint8, D.qint8):
        raise RuntimeError(f"dtype {_SCALAR_NAME.get(dtype.name, D.type_name(dtype))}not supported")
    _check_input(input, dtype)
    x = _host(input._data)
    mn, mx = (float(x.min()), float(x.max())) if x.size else (0.0, 0.0)
    qmin, qmax = _INT[dtype.name][1:]
    if reduce_range:
        qmin, qmax = qmin // 2, qmax // 2
    scale, zp = _choose_qparams(mn, mx, qmin, qmax)
    return quantize_per_tensor(input, scale, zp, dtype)


def dequantize(input):
    if isinstance(input, (list, tuple)):
        return tuple(dequantize(t) for t in input)
    return input.dequantize()


def _empty_affine_quantized(size, *, scale=1.0, zero_point=0, dtype=D.quint8, device=None, layout=None,
                            pin_memory=False, memory_format=None):
    # torch leaves the memory uninitialised; here it holds the zero point (the value 0.0)
    size = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)
    npint = D.np_dtype(_INT[dtype.name][0])
    return _qtensor(np.full(size, zero_point, npint), dtype, per_tensor_affine, float(scale), int(zero_point))


def _make_per_tensor_quantized_tensor(input, scale, zero_point):
    q = {'uint8': D.quint8, 'int8': D.qint8, 'int32': D.qint32}[input.dtype.name]
    return _qtensor(_host(input._data).copy(), q, per_tensor_affine, float(scale), int(zero_point))


def _make_per_channel_quantized_tensor(input, scale, zero_point, axis):
    q = {'uint8': D.quint8, 'int8': D.qint8, 'int32': D.qint32}[input.dtype.name]
    return _qtensor(_host(input._data).copy(), q, per_channel_affine, _host(scale._data).astype(np.float64),
                    _host(zero_point._data).astype(np.int64), axis)


# --- fake quantization (QAT) -------------------------------------------------------------------------------

def _fake_quant_arrays(x, scale, zero_point, qmin, qmax):
    """(quantized-then-dequantized x, where x was not clamped): quantize rounds as quantize_per_tensor does."""
    xp = np if isinstance(x, np.ndarray) else __import__('cupy')
    inv = (np.float32(1) / np.asarray(scale, np.float32)).astype(np.float64)
    with np.errstate(all='ignore'):
        q = xp.rint((x.astype(np.float64) * inv + zero_point).astype(np.float32))
    out = ((xp.clip(q, qmin, qmax) - np.asarray(zero_point, np.float32)) *
           np.asarray(scale, np.float32)).astype(np.float32)
    return out, (q >= qmin) & (q <= qmax)


def _fake_quant(input, scale, zero_point, qmin, qmax, name, enabled=True):
    """The straight-through estimator: the gradient passes where the value was not clamped."""
    from ._ops._core import attach
    if enabled:
        out, mask = _fake_quant_arrays(input._data, scale, zero_point, qmin, qmax)
    else:
        out, mask = input._data.copy(), None
    r = _make(out, D.float32, input._device)
    if input._requires_grad and grad_state.enabled:
        m = _make(mask, D.bool, input._device) if mask is not None else None
        attach(name, (lambda node, g: g * m) if m is not None else (lambda node, g: g), (input,), (r,))
    return r


def _channel_shape(t, axis):
    shape = [1] * t.ndim
    shape[axis] = -1
    return shape


def fake_quantize_per_tensor_affine(input, scale, zero_point, quant_min, quant_max):
    _check_fake(input, quant_min, quant_max)
    name = 'FakeQuantizePerTensorAffineCachemask' + ('TensorQparams' if isinstance(scale, Tensor) else '') + 'Backward0'
    return _fake_quant(input, _as_float(scale), _as_int(zero_point), quant_min, quant_max, name)


def fake_quantize_per_channel_affine(input, scale, zero_point, axis, quant_min, quant_max):
    _check_fake(input, quant_min, quant_max)
    s = _host(scale._data).astype(np.float32).reshape(_channel_shape(input, axis))
    z = _host(zero_point._data).astype(np.int64).reshape(_channel_shape(input, axis))
    return _fake_quant(input, s, z, quant_min, quant_max, 'FakeQuantizePerChannelAffineCachemaskBackward0')


def _check_fake(input, quant_min, quant_max):
    if quant_min > quant_max:
        raise RuntimeError("`quant_min` should be less than or         equal to `quant_max`.")
    if input.dtype is not D.float32 and input.dtype is not D.float16 and input.dtype is not D.bfloat16:
        raise RuntimeError(f"Unsupported input type {D.type_name(input.dtype)}")


# --- the tensor ----------------------------------------------------------------------------------------


def _rewrap(q, r, axis=None):
    """Results of an op run on q's integer tensor, as quantized tensors of q's quantizer (int64 indices and
    bool results stay as they are)."""
    if isinstance(r, Tensor):
        if r.dtype is _INT[q.dtype.name][0] and r.__class__ is Tensor:
            return _like(q, r._data, axis)
        return r
    if isinstance(r, tuple) and hasattr(r, '_fields'):
        return type(r)(*(_rewrap(q, v, axis) for v in r))
    if isinstance(r, (tuple, list)):
        return type(r)(_rewrap(q, v, axis) for v in r)
    return r


_STRIDES = "Setting strides is possible only on uniformly quantized tensor"
_PER_TENSOR_ONLY = ("Expected quantizer->qscheme() == kPerTensorAffine to be true, but got false.  (Could this error "
                    "message be improved?  If so, please report an enhancement request to PyTorch.)")
# what torch says when a per-channel tensor reaches an op that only takes per-tensor ones
_PER_CHANNEL_REFUSALS = {
    'max': "Max operator for quantized tensors only works for per tensor quantized tensors. Please open an issue on "
           "https://github.com/pytorch/pytorch/issues if you need per channel quantized tensor support.",
    'min': "Min operator for quantized tensors only works for per tensor quantized tensors. Please open an issue on "
           "https://github.com/pytorch/pytorch/issues if you need per channel quantized tensor support.",
    'topk': "Top-K is only supported on per-tensor quantization", 'sort': _PER_TENSOR_ONLY,
    'cat': "Only per-tensor quantization is supported in 'cat'!",
    'index': 'self.qscheme() == c10::kPerTensorAffine || self.qscheme() == c10::kPerTensorSymmetric INTERNAL ASSERT '
             'FAILED at "/__w/pytorch/pytorch/aten/src/ATen/native/TensorAdvancedIndexing.cpp":732, please report a '
             'bug to PyTorch. Indexing is only supported for per-Tensor quantized Tensors.'}
# per-channel: views keep the axis (even when the shape no longer has it, as torch); strided layouts are refused
_KEEPS_AXIS = ('view', 'reshape', 'flatten', 'view_as', 'reshape_as', 'unflatten', 'is_contiguous', 'storage_offset',
               'resize_')


def _lift(name):
    """QTensor.<name>: Tensor.<name> on the integer tensor, its results re-wrapped."""
    def f(self, *args, **kwargs):
        if self._data.axis is not None and name not in _KEEPS_AXIS:
            if name in _PER_CHANNEL_REFUSALS:
                raise RuntimeError(_PER_CHANNEL_REFUSALS[name])
            raise RuntimeError(_STRIDES)
        return _rewrap(self, getattr(Tensor, name)(self._ints(), *args, **kwargs))
    f.__name__ = name
    return f


def _channel_view(q, r, axis, channels=slice(None)):
    """r (a view of q's integers) as a per-channel tensor on `axis` with q's channels[...] (a single
    channel left: per tensor with its scale, as torch makes it)."""
    d = q._data
    s, z = d.scale[channels], d.zero_point[channels]
    if np.ndim(s) == 0 or (s.size == 1 and axis is not None and r._data.shape[axis] == 1 and
                           channels != slice(None)):
        t = _make(r._data, _INT[q.dtype.name][0], q._device)
        t._data = _QData(r._data, per_tensor_affine, float(np.ravel(s)[0]), int(np.ravel(z)[0]))
    else:
        t = _make(r._data, _INT[q.dtype.name][0], q._device)
        t._data = _QData(r._data, d.scheme, s, z, axis)
    t.dtype, t.__class__ = q.dtype, QTensor
    return t


def _pc_getitem(q, key):
    """Basic indexing of a per-channel tensor: an integer on the channel dim leaves one channel (per
    tensor); an integer elsewhere moves the axis down by one (torch does so whichever side it is on); a
    slice of the channel dim slices the scales."""
    keys = key if isinstance(key, tuple) else (key,)
    if any(not (k is None or k is Ellipsis or isinstance(k, (int, slice))) or isinstance(k, bool) for k in keys):
        raise RuntimeError(_PER_CHANNEL_REFUSALS['index'])
    r = Tensor.__getitem__(q._ints(), key)
    n_real = sum(1 for k in keys if k is not None and k is not Ellipsis)
    expanded, dim = [], 0
    for k in keys:
        if k is Ellipsis:
            expanded += [slice(None)] * (q.ndim - n_real)
        else:
            expanded.append(k)
    axis, out_dim, channels = q._data.axis, 0, slice(None)
    new_axis = axis
    for k in expanded:
        if k is None:
            new_axis += 1 if out_dim <= new_axis else 0
            out_dim += 1
            continue
        if isinstance(k, int):
            if dim == axis:
                return _channel_view(q, r, None, k)
            new_axis -= 1
        else:
            if dim == axis:
                channels = k
            out_dim += 1
        dim += 1
    return _channel_view(q, r, new_axis, channels)


class QTensor(Tensor):
    """A quantized tensor; type(t).__name__ is 'Tensor' as in torch."""
    __slots__ = ()
    __torch_function__ = _disabled_torch_function_impl     # faketorch routes its ops itself

    @property
    def is_quantized(self):
        return True

    def _ints(self):
        """The integer representation as a plain Tensor sharing the array."""
        t = _make(self._data.int, _INT[self.dtype.name][0], self._device)
        t._vc = self._vc
        return t

    def int_repr(self):
        return _make(self._data.int.copy(), _INT[self.dtype.name][0], self._device)

    def dequantize(self):
        d = self._data
        ints = d.int
        if d.axis is None:
            return _make(_dequantize_array(ints, d.scale, d.zero_point), D.float32, self._device)
        bshape = [1] * ints.ndim
        bshape[d.axis] = -1
        return _make(_dequantize_array(ints, d.scale.reshape(bshape), d.zero_point.reshape(bshape)),
                     D.float32, self._device)

    def qscheme(self):
        return self._data.scheme

    def q_scale(self):
        self._need_per_tensor()
        return self._data.scale

    def q_zero_point(self):
        self._need_per_tensor()
        return self._data.zero_point

    def _need_per_tensor(self):
        if self._data.axis is not None:
            raise RuntimeError(_PER_TENSOR_ONLY)

    def _need_per_channel(self):
        if self._data.axis is None:
            raise RuntimeError("Expected quantizer->qscheme() == kPerChannelAffine || quantizer->qscheme() == "
                               "kPerChannelAffineFloatQParams to be true, but got false.  (Could this error "
                               "message be improved?  If so, please report an enhancement request to PyTorch.)")

    def q_per_channel_scales(self):
        self._need_per_channel()
        return _make(self._data.scale.copy(), D.float64, self._device)

    def q_per_channel_zero_points(self):
        self._need_per_channel()
        return _make(self._data.zero_point.copy(), D.int64, self._device)

    def q_per_channel_axis(self):
        self._need_per_channel()
        return self._data.axis

    # --- what torch refuses ---
    def numpy(self, *, force=False):
        raise TypeError(f"Got unsupported ScalarType {_SCALAR_NAME[self.dtype.name]}")

    def tolist(self):
        raise RuntimeError("load_scalar: invalid type")

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return float(self.dequantize()._data.reshape(-1)[0])

    def requires_grad_(self, requires_grad=True):
        if requires_grad:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        return self

    def _to_dtype(self, *args, **kwargs):
        raise RuntimeError("Creation of quantized tensor requires quantized dtype like torch.quint8")

    float = double = half = bfloat16 = long = int = short = char = byte = bool = _to_dtype

    def to(self, *args, **kwargs):
        from ._ops.misc import _parse_to
        dtype, device, _, _ = _parse_to(args, kwargs)
        if dtype is not None and dtype is not self.dtype:
            self._to_dtype()
        if device is not None and device.type != self._device.type:
            raise NotImplementedError("faketorch keeps quantized tensors on the CPU")
        return self

    def cpu(self, memory_format=None):
        return self

    def type(self, dtype=None, non_blocking=False, **kwargs):
        if dtype is None:
            return 'torch.quantized.' + _SCALAR_NAME[self.dtype.name] + 'Tensor'
        return self._to_dtype()

    def clone(self, *, memory_format=None):
        return _like(self, self._data.int.copy())

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
        # torch leaves the memory uninitialised; here it holds the zero point (the value 0.0)
        size = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)
        return _like(self, np.full(size, self._zp_int(), self._data.int.dtype))

    def data_ptr(self):
        return Tensor.data_ptr(self._ints())

    def _empty_like(self, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
                    pin_memory=False):
        return self.new_empty(self.shape)

    def __format__(self, spec):
        if self._data.ndim == 0:        # a 0-dim tensor formats as its value, as torch's does
            return format(self.item(), spec)
        return object.__format__(self, spec)

    def detach(self):
        return _like(self, self._data.int)

    def contiguous(self, memory_format=None):
        return self

    def copy_(self, src, non_blocking=False):
        if not src.is_quantized:
            # torch quantizes a float source with the destination's quantizer
            src = quantize_per_tensor(src.float(), self._data.scale, self._data.zero_point, self.dtype)
        self._data.int[...] = src._data.int
        return self

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import _tensor_str, _add_suffixes
        d, indent = self._data, len('tensor(')
        deq = self.dequantize()._data
        text = 'tensor(' + (_tensor_str(deq, D.float32, self._device, indent) if deq.size else '[]')
        suffixes = [f'size={tuple(deq.shape)}', f'dtype={self.dtype!r}', f'quantization_scheme={d.scheme!r}']
        if d.axis is None:
            suffixes += [f'scale={d.scale!r}', f'zero_point={d.zero_point!r}']
        else:
            suffixes += [f'scale={self.q_per_channel_scales()!r}',
                         f'zero_point={self.q_per_channel_zero_points()!r}', f'axis={d.axis}']
        return _add_suffixes(text, suffixes, indent)

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        d = self._data
        return (_rebuild_pickled, (_host(d.int).copy(), self.dtype.name, d.scheme.name, d.scale, d.zero_point, d.axis))

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = self.clone()
        return memo[id(self)]

    # comparisons are made on the dequantized values
    def __eq__(self, other):
        return self.dequantize() == _deq(other)

    def __ne__(self, other):
        return self.dequantize() != _deq(other)

    def __lt__(self, other):
        return self.dequantize() < _deq(other)

    def __le__(self, other):
        return self.dequantize() <= _deq(other)

    def __gt__(self, other):
        return self.dequantize() > _deq(other)

    def __ge__(self, other):
        return self.dequantize() >= _deq(other)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__
    __hash__ = Tensor.__hash__

    def sigmoid(self):
        # fixed output qparams: [0, 1) on the whole integer range
        return self._fixed_range(Tensor.sigmoid, 1.0 / 256, 0 if self.dtype is D.quint8 else -128)

    def tanh(self):
        return self._fixed_range(Tensor.tanh, 2.0 / 256, 128 if self.dtype is D.quint8 else 0)

    def _fixed_range(self, fn, scale, zero_point):
        return quantize_per_tensor(fn(self.dequantize()), scale, zero_point, self.dtype)

    def equal(self, other):
        d, o = self._data, other._data
        return (isinstance(other, QTensor) and self.dtype is other.dtype and d.scheme is o.scheme and
                np.array_equal(np.asarray(d.scale), np.asarray(o.scale)) and
                np.array_equal(np.asarray(d.zero_point), np.asarray(o.zero_point)) and
                d.int.shape == o.int.shape and bool((d.int == o.int).all()))

    def fill_(self, value):
        v = _quantize_array(np.asarray(_as_float(value), np.float32), self._data.scale, self._data.zero_point,
                            *_INT[self.dtype.name][1:], self._data.int.dtype)
        self._data.int[...] = v
        return self

    def masked_fill(self, mask, value):
        return self.clone().masked_fill_(mask, value)

    def masked_fill_(self, mask, value):
        v = _quantize_array(np.asarray(_as_float(value), np.float32), self._data.scale, self._data.zero_point,
                            *_INT[self.dtype.name][1:], self._data.int.dtype)
        self._data.int[...] = np.where(mask._data, v, self._data.int)
        return self

    def relu(self):
        return _like(self, np.maximum(self._data.int, self._zp_int()))

    def relu_(self):
        np.maximum(self._data.int, self._zp_int(), out=self._data.int)
        return self

    def _zp_int(self):
        self._need_per_tensor()
        return np.asarray(self._data.zero_point).astype(self._data.int.dtype)

    def clamp(self, min=None, max=None):
        self._need_per_tensor()
        lo, hi = _INT[self.dtype.name][1:]
        q = lambda v: _quantize_array(np.asarray(_as_float(v), np.float32), self._data.scale,      # noqa: E731
                                      self._data.zero_point, lo, hi, self._data.int.dtype)
        ints = self._data.int
        if min is not None:
            ints = np.maximum(ints, q(min))
        if max is not None:
            ints = np.minimum(ints, q(max))
        return _like(self, ints if ints is not self._data.int else ints.copy())

    clip = clamp

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        # torch dequantizes, takes the mean in float and requantizes with the input's quantizer
        self._need_per_tensor()
        d = self.dequantize()
        m = d.mean() if dim is None else d.mean(dim, keepdim)
        return quantize_per_tensor(m, self._data.scale, self._data.zero_point, self.dtype)

    def transpose(self, dim0, dim1):
        if self._data.axis is not None:
            raise RuntimeError(_STRIDES)
        return _rewrap(self, Tensor.transpose(self._ints(), dim0, dim1))

    def permute(self, *dims):
        if self._data.axis is not None:
            raise RuntimeError(_STRIDES)
        return _rewrap(self, Tensor.permute(self._ints(), *dims))


_SCALAR_NAME = {'quint8': 'QUInt8', 'qint8': 'QInt8', 'qint32': 'QInt32'}


def _deq(x):
    return x.dequantize() if isinstance(x, QTensor) else x


# what torch's dispatcher refuses on a quantized tensor: the method -> the kernel its error names
_REFUSED = {'add': 'add.out', 'add_': 'add.out', '__add__': 'add.out', '__iadd__': 'add.out', 'sub': 'sub.out',
            'sub_': 'sub.out', '__sub__': 'sub.out', '__isub__': 'sub.out', 'mul': 'mul.out', 'mul_': 'mul.out',
            '__imul__': 'mul.out', 'div': 'div.out', 'div_': 'div.out', '__itruediv__': 'div.out',
            'sum': 'sum.IntList_out', 'prod': 'prod', 'abs': 'abs.out', '__abs__': 'abs.out', 'neg': 'neg.out',
            '__neg__': 'neg.out', 'argmax': 'argmax.out', 'argmin': 'argmin.out', 'cumsum': 'cumsum.out',
            'var': 'var.correction', 'pow': 'pow.Tensor_Scalar_out', '__pow__': 'pow.Tensor_Scalar_out',
            'matmul': 'dot', '__matmul__': 'dot', 'zero_': 'zero_', 'softmax': '_softmax.out',
            'log_softmax': '_log_softmax.out', 'any': 'any.all_out', 'all': 'all.all_out', 'nonzero': 'nonzero',
            'clamp_': 'clamp.out', '__rtruediv__': 'reciprocal.out', 'new_zeros': 'zero_'}
_REFUSED.update({n: n.rstrip('_') + '.out' for n in ('exp', 'exp_', 'log', 'log_', 'sqrt', 'sqrt_', 'sin', 'cos',
                                                     'round', 'floor', 'ceil')})
_EMPTY_STRIDED = ("empty_strided not supported on quantized tensors yet see "
                  "https://github.com/pytorch/pytorch/issues/74540")


def _refuse(kernel):
    def f(self, *args, **kwargs):
        raise _backend_error(kernel)
    return f


def _scalar_refuse(kernel):
    """q * 2: torch first tries to allocate a quantized result like q, which it cannot; q * q: the kernel."""
    def f(self, other, *args, **kwargs):
        if isinstance(other, Tensor):
            raise _backend_error(kernel)
        raise RuntimeError(_EMPTY_STRIDED)
    return f


for _n, _k in _REFUSED.items():
    setattr(QTensor, _n, _refuse(_k))
for _n, _k in (('__mul__', 'mul.out'), ('__truediv__', 'div.out'), ('__radd__', 'add.out'), ('__rsub__', 'sub.out'),
               ('__rmul__', 'mul.out')):
    setattr(QTensor, _n, _scalar_refuse(_k))

for _n in ('view', 'reshape', 'flatten', 'expand', 'expand_as', 'repeat', 'max', 'min', 'sort', 'topk', 't',
           'view_as', 'reshape_as', 'unflatten', 'movedim', 'swapaxes', 'index_select', 'resize_', 'split_with_sizes',
           'tensor_split', 'flip', 'roll', 'is_contiguous', 'storage_offset'):
    setattr(QTensor, _n, _lift(_n))


def _getitem(self, key):
    if self._data.axis is not None:
        return _pc_getitem(self, key)
    return _rewrap(self, Tensor.__getitem__(self._ints(), key))


def _dims_key(self, dim, index):
    """The indexing key that picks `index` (an int or a slice) on `dim`."""
    return (slice(None),) * (dim % self.ndim) + (index,)


def _select(self, dim, index):
    return self[_dims_key(self, dim, index)]


def _narrow(self, dim, start, length):
    if isinstance(start, Tensor):
        start = int(start)
    n = self.shape[dim]
    start = start + n if start < 0 else start
    return self[_dims_key(self, dim, slice(start, start + length))]


def _unsqueeze(self, dim):
    r = Tensor.unsqueeze(self._ints(), dim)
    axis = self._data.axis
    if axis is not None and dim % r.ndim <= axis:
        axis += 1
    return _rewrap(self, r, axis)


def _squeeze(self, dim=None):
    r = Tensor.squeeze(self._ints()) if dim is None else Tensor.squeeze(self._ints(), dim)
    axis = self._data.axis
    if axis is not None:
        dims = range(self.ndim) if dim is None else [d % max(self.ndim, 1) for d in
                                                     (dim if isinstance(dim, (tuple, list)) else (dim,))]
        axis -= sum(1 for d in dims if d < axis and self.shape[d] == 1)
    return _rewrap(self, r, axis)


def _pieces(name):
    def f(self, *args, **kwargs):
        if self._data.axis is None:
            return _rewrap(self, getattr(Tensor, name)(self._ints(), *args, **kwargs))
        # per channel: each piece is a narrow (or a select, for unbind) of the whole
        dim = kwargs.get('dim', args[1] if name != 'unbind' and len(args) > 1 else args[0] if name == 'unbind' and
                         args else 0)
        ints = getattr(Tensor, name)(self._ints().detach(), *args, **kwargs)
        out, start = [], 0
        for piece in ints:
            if name == 'unbind':
                out.append(_select(self, dim, start))
                start += 1
            else:
                out.append(_narrow(self, dim, start, piece.shape[dim]))
                start += piece.shape[dim]
        return tuple(out)
    f.__name__ = name
    return f


QTensor.__getitem__, QTensor.select, QTensor.narrow = _getitem, _select, _narrow
QTensor.unsqueeze, QTensor.squeeze = _unsqueeze, _squeeze
QTensor.chunk, QTensor.split, QTensor.unbind = _pieces('chunk'), _pieces('split'), _pieces('unbind')
QTensor.T = property(lambda self: self.permute(*range(self.ndim)[::-1]))
QTensor.mT = property(lambda self: self.transpose(-2, -1))
QTensor.data = property(lambda self: self.detach(), Tensor.data.fset if hasattr(Tensor.data, 'fset') else None)
QTensor.__setitem__ = lambda self, key, value: _qsetitem(self, key, value)


def _qsetitem(q, key, value):
    if isinstance(value, QTensor):
        q._data.int[key] = value._data.int
    else:
        v = value.float()._data if isinstance(value, Tensor) else np.asarray(value, np.float32)
        q._data.int[key] = _quantize_array(np.asarray(v, np.float32), q._data.scale, q._data.zero_point,
                                           *_INT[q.dtype.name][1:], q._data.int.dtype)


# --- functions that accept quantized input (called from the ops' own entry points) -------------------------

def cat(tensors, dim=0):
    """torch.cat of quantized tensors: the result takes the first tensor's quantizer, the others are
    requantized to it."""
    first = tensors[0]
    if any(t._data.axis is not None for t in tensors if isinstance(t, QTensor)):
        raise RuntimeError(_PER_CHANNEL_REFUSALS['cat'])
    ints = []
    for t in tensors:
        if not isinstance(t, QTensor):
            raise NotImplementedError("torch.cat mixes quantized and non-quantized tensors")
        if t.equal_qparams(first):
            ints.append(t._ints())
        else:
            ints.append(quantize_per_tensor(t.dequantize(), first._data.scale, first._data.zero_point,
                                            first.dtype)._ints())
    from ._ops.misc import cat as _cat
    return _like(first, _cat(ints, dim)._data)


def stack(tensors, dim=0):
    return cat([t.unsqueeze(dim) for t in tensors], dim)


def _rebuild_pickled(ints, dtype, scheme, scale, zero_point, axis):
    return _qtensor(ints, getattr(D, dtype), _SCHEMES[scheme], scale, zero_point, axis)


def _equal_qparams(self, other):
    d, o = self._data, other._data
    return (self.dtype is other.dtype and d.scheme is o.scheme and d.axis == o.axis and
            np.array_equal(np.asarray(d.scale), np.asarray(o.scale)) and
            np.array_equal(np.asarray(d.zero_point), np.asarray(o.zero_point)))


QTensor.equal_qparams = _equal_qparams


def via_float(fn, q, *args, **kwargs):
    """fn (average pooling, mean) on q dequantized, requantized with q's quantizer: what torch's quantized
    kernels give (checked to the last integer)."""
    q._need_per_tensor()
    d = q._data
    return quantize_per_tensor(fn(q.dequantize(), *args, **kwargs), d.scale, d.zero_point, q.dtype)


def on_ints(fn, q, *args, **kwargs):
    """fn (max pooling, flatten ...) on q's integer tensor, re-wrapped with q's quantizer."""
    q._need_per_tensor()
    return _rewrap(q, fn(q._ints(), *args, **kwargs))


# --- the dense side: Tensor.dequantize is the identity, the quantizer accessors torch's CPU dispatch error ---

def _dense_dequantize(self):
    return self


def _not_on_cpu(name):
    def f(self, *args, **kwargs):
        raise NotImplementedError(_backend_error(name).args[0].replace("'QuantizedCPU'", "'CPU'"))
    f.__name__ = name
    return f


Tensor.dequantize = _dense_dequantize
for _n in ('int_repr', 'q_scale', 'q_zero_point', 'qscheme', 'q_per_channel_scales', 'q_per_channel_zero_points',
           'q_per_channel_axis'):
    setattr(Tensor, _n, _not_on_cpu(_n))


def _function_form(name):
    """torch.int_repr(q) & co: the accessor methods as functions (a dense input gets the method's error)."""
    def f(input):
        return getattr(input, name)()
    f.__name__ = f.__qualname__ = name
    return f


_FUNCTIONS = {_n: _function_form(_n) for _n in ('int_repr', 'q_scale', 'q_zero_point', 'q_per_channel_scales',
                                                'q_per_channel_zero_points', 'q_per_channel_axis')}


def _lead(v, first):
    return [first] + (list(v) if isinstance(v, (list, tuple)) else [v])


def _quantized_max_pool(nd):
    """torch.quantized_max_pool{1,2,3}d: max_pool on a quantized tensor (a dense one has no kernel)."""
    name = f'quantized_max_pool{nd}d'

    def f(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
        if input.__class__ is not QTensor:
            raise NotImplementedError(_backend_error(name).args[0].replace("'QuantizedCPU'", "'CPU'"))
        import faketorch
        if nd == 3 and input.dim() != 5:
            raise RuntimeError("Expecting the input tensor of rank 5.")
        if nd == 1:     # as a 2-d pool over a height of 1 (torch's own kernel is 2-d too)
            return f2(input.unsqueeze(-2), _lead(kernel_size, 1), _lead(stride, 1) if stride not in ((), []) else (),
                      _lead(padding, 0), _lead(dilation, 1), ceil_mode).squeeze(-2)
        return getattr(faketorch, f'max_pool{nd}d')(input, kernel_size, stride, padding, dilation, ceil_mode)
    f2 = _quantized_max_pool(2) if nd == 1 else None
    f.__name__ = f.__qualname__ = name
    return f


_FUNCTIONS.update((f'quantized_max_pool{_nd}d', _quantized_max_pool(_nd)) for _nd in (1, 2, 3))


def empty_quantized(size, qtensor, *, dtype=None, layout=None, device=None, pin_memory=False, memory_format=None):
    """A quantized tensor of the given size with qtensor's quantizer (torch leaves its memory uninitialised;
    here it holds the zero points, the value 0.0)."""
    if qtensor.__class__ is not QTensor:
        raise NotImplementedError(_backend_error('empty_quantized').args[0].replace("'QuantizedCPU'", "'CPU'"))
    dtype = dtype or qtensor.dtype
    q, size = qtensor._data, tuple(size)
    zp = q.zero_point
    if q.axis is not None:      # the zero points along the channel axis
        zp = np.asarray(zp).reshape([-1 if d == q.axis else 1 for d in range(len(size))])
    ints = np.broadcast_to(zp, size).astype(D.np_dtype(_INT[dtype.name][0]))
    return _qtensor(ints, dtype, q.scheme, q.scale, q.zero_point, q.axis, device=qtensor._device)


_FUNCTIONS['empty_quantized'] = empty_quantized


def _quantized_aware(fn, method):
    """torch.relu & co: a quantized input goes to QTensor's own method (these functions are made from the
    dense op's declaration and would reach for the array)."""
    def f(input, *args, **kwargs):
        if input.__class__ is QTensor:
            return getattr(input, method)(*args, **kwargs)
        return fn(input, *args, **kwargs)
    f.__name__, f.__doc__ = fn.__name__, fn.__doc__
    return f


def _publish():
    import sys
    pkg = sys.modules['faketorch']
    for n in __all__:
        setattr(pkg, n, globals()[n])
    for n, f in _FUNCTIONS.items():
        setattr(pkg, n, f)
    for n in ('relu', 'relu_', 'clamp', 'clip', 'sigmoid', 'tanh'):
        setattr(pkg, n, _quantized_aware(getattr(pkg, n), n if n != 'clip' else 'clamp'))
    pkg.empty_like = _quantized_aware(pkg.empty_like, '_empty_like')

QTensor.__name__ = QTensor.__qualname__ = 'Tensor'
QTensor.__module__ = 'faketorch'


def _choose_qparams_f32(mn, mx, qmin, qmax, symmetric):
    """The fused fake-quant kernel's qparams: fbgemm's rule with a float32 scale; a symmetric range
    straddling 0 is first made symmetric on the integer grid [-(qmax-qmin)//2 - 1, (qmax-qmin)//2]."""
    mn, mx = min(float(mn), 0.0), max(float(mx), 0.0)
    if symmetric and mn < 0 < mx:
        half = (qmax - qmin) // 2
        s = max(abs(mn / -(half + 1)), abs(mx / half))
        mn, mx = s * -(half + 1), s * half
    scale = float(np.float32((mx - mn) / (qmax - qmin)))
    if scale == 0.0 or np.isinf(np.float32(1) / np.float32(scale)):
        scale = 0.1
    zp_min, zp_max = qmin - mn / scale, qmax - mx / scale
    err_min, err_max = abs(qmin) - abs(mn / scale), abs(qmax) - abs(mx / scale)
    zp = zp_min if err_min < err_max else zp_max
    return scale, (qmin if zp < qmin else qmax if zp > qmax else int(np.rint(zp)))


def fused_moving_avg_obs_fake_quant(self, observer_on, fake_quant_on, running_min, running_max, scale, zero_point,
                                    averaging_const, quant_min, quant_max, ch_axis, per_row_fake_quant=False,
                                    symmetric_quant=False):
    """torch's fused QAT step: update the moving-average min/max and the scale and zero point (all in place),
    fake-quantize. With fake quantization off the result is still a new tensor on the same node."""
    x = self.detach()
    if int(observer_on[0]):
        if per_row_fake_quant:
            axes = list(range(x.dim()))
            axes[ch_axis], axes[0] = 0, ch_axis
            lo, hi = x.permute(axes).flatten(1).aminmax(dim=1)
        else:
            lo, hi = x.aminmax()
        c = averaging_const
        if running_min.numel() == 0 or bool((running_min == float('inf')).all()):
            new_min, new_max = lo, hi
        else:
            new_min, new_max = running_min + c * (lo - running_min), running_max + c * (hi - running_max)
        running_min.resize_(new_min.shape).copy_(new_min)
        running_max.resize_(new_max.shape).copy_(new_max)
        pairs = [_choose_qparams_f32(a, b, quant_min, quant_max, symmetric_quant) for a, b in
                 zip(_host(running_min._data).reshape(-1).tolist(), _host(running_max._data).reshape(-1).tolist())]
        scale.resize_((len(pairs),))
        zero_point.resize_((len(pairs),))
        scale._data[...] = np.array([p[0] for p in pairs], np.float32)
        zero_point._data[...] = np.array([p[1] for p in pairs])
    s = _host(scale._data).astype(np.float32)
    z = _host(zero_point._data).astype(np.int64)
    if per_row_fake_quant:
        s, z = s.reshape(_channel_shape(x, ch_axis)), z.reshape(_channel_shape(x, ch_axis))
    else:
        s, z = s[0], z[0]
    return _fake_quant(self, s, z, quant_min, quant_max, 'FusedMovingAvgObsFqHelperBackward0',
                       enabled=bool(int(fake_quant_on[0])))


_publish()
