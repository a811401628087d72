"""Small torch-namespace utilities: finfo/iinfo, torch.compile (a no-op), thread counts,
deterministic-algorithm flags, set_flush_denormal."""
import os

from . import _xnp as np

from . import _dtype as D
from ._ops._core import register, namespace as _namespace
from ._tensor import Tensor

# bfloat16 has no NumPy type: its limits, as torch reports them
_BF16 = dict(bits=16, eps=0.0078125, max=3.3895313892515355e+38, min=-3.3895313892515355e+38,
             tiny=1.1754943508222875e-38, smallest_normal=1.1754943508222875e-38, resolution=0.01)
# the float8 types' limits as torch reports them (e5m2fnuz's eps is torch's 0.125, not 2**-2)
_F8 = {name: dict(bits=8, eps=eps, max=mx, min=mn, tiny=tiny, smallest_normal=tiny, resolution=1.0)
       for name, eps, mx, mn, tiny in (
           ('float8_e4m3fn', 0.125, 448.0, -448.0, 2.0 ** -6),
           ('float8_e5m2', 0.25, 57344.0, -57344.0, 2.0 ** -14),
           ('float8_e4m3fnuz', 0.125, 240.0, -240.0, 2.0 ** -7),
           ('float8_e5m2fnuz', 0.125, 57344.0, -57344.0, 2.0 ** -15),
           ('float8_e8m0fnu', 1.0, 2.0 ** 127, 2.0 ** -127, 2.0 ** -127))}


class finfo:
    """Machine limits of a floating point dtype (torch.finfo)."""

    def __init__(self, type=None):
        dt = D.get_default_dtype() if type is None else type
        if not isinstance(dt, D.dtype) or dt._cat not in (2, 3):
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to "
                            "handle 'torch.finfo'")
        dt = dt.to_real()
        self.dtype = dt.name
        if dt is D.bfloat16:
            vals = _BF16
        elif dt.name in _F8:
            vals = _F8[dt.name]
        elif dt._np is None:        # float4_e2m1fn_x2: torch has no limits for it
            raise TypeError("bad argument type for built-in operation")
        else:
            f = np.finfo(dt._np)
            vals = dict(bits=f.bits, eps=float(f.eps), max=float(f.max), min=float(f.min),
                        tiny=float(f.tiny), smallest_normal=float(f.smallest_normal),
                        resolution=10.0 ** -int(f.precision))
        for k, v in vals.items():
            setattr(self, k, v)

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")

    __str__ = __repr__

    def __eq__(self, other):
        return isinstance(other, finfo) and other.dtype == self.dtype

    def __hash__(self):
        return hash(('finfo', self.dtype))


class iinfo:
    """Limits of an integer dtype (torch.iinfo)."""

    def __init__(self, type):
        if isinstance(type, D.dtype) and type.name[0] == 'q':      # quantized: torch's dispatch refuses
            raise NotImplementedError(f'"dtype" not implemented for \'{D.type_name(type)}\'')
        if not isinstance(type, D.dtype) or type._cat != 1:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to handle "
                            "'torch.iinfo'")
        i = np.iinfo(type._np)
        self.bits, self.min, self.max, self.dtype = i.bits, int(i.min), int(i.max), type.name

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"

    __str__ = __repr__

    def __eq__(self, other):
        return isinstance(other, iinfo) and other.dtype == self.dtype

    def __hash__(self):
        return hash(('iinfo', self.dtype))


def compile(model=None, *, fullgraph=False, dynamic=None, backend='inductor', mode=None, options=None,
            disable=False):
    """faketorch has no compiler: a function is returned as it is (also as a decorator); a Module comes back
    wrapped in an OptimizedModule, as torch's, whose forward calls the module."""
    if model is None:
        return lambda m: compile(m, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                                 options=options, disable=disable)
    if disable:
        return model
    from .nn.modules.module import Module
    if isinstance(model, Module):
        from ._dynamo.eval_frame import OptimizedModule
        return OptimizedModule(model)
    return model


_threads = {'intra': None, 'inter': None}


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def get_num_threads():
    return _threads['intra'] or _cores()


def set_num_threads(int):
    if int <= 0:
        raise RuntimeError("Number of threads must be positive")
    _threads['intra'] = int


def get_num_interop_threads():
    return _threads['inter'] or _cores()


def set_num_interop_threads(int):
    if int <= 0:
        raise RuntimeError("Number of interop threads must be positive")
    _threads['inter'] = int


_det = {'on': False, 'warn_only': False}


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Accepted and remembered: every faketorch op is deterministic already."""
    _det['on'], _det['warn_only'] = bool(mode), bool(warn_only)


def are_deterministic_algorithms_enabled():
    return _det['on']


def is_deterministic_algorithms_warn_only_enabled():
    return _det['warn_only']


def set_deterministic_debug_mode(debug_mode):
    modes = {'default': 0, 'warn': 1, 'error': 2}
    m = modes.get(debug_mode, debug_mode)
    use_deterministic_algorithms(m > 0, warn_only=m == 1)


def get_deterministic_debug_mode():
    return 0 if not _det['on'] else (1 if _det['warn_only'] else 2)


def is_storage(obj):
    return type(obj).__name__ in ('UntypedStorage', 'TypedStorage') or type(obj).__name__.endswith('Storage')


def set_flush_denormal(mode):
    """Accepted without effect (NumPy cannot set the FPU's denormal mode); True on x86 as torch."""
    import platform
    return platform.machine().lower() in ('x86_64', 'amd64', 'i386', 'i686')


def set_default_device(device):
    """Set the device factories use when given none (torch.set_default_device)."""
    from . import _device
    if device is None:
        _device.default[0] = None
        return
    dev = device if isinstance(device, _device.device) else _device.device(device)
    _device.check_device(dev)
    if dev.type == 'cuda' and dev.index is None:
        from . import cuda
        dev = _device.device('cuda', cuda.current_device())
    _device.default[0] = dev


def get_default_device():
    from . import _device
    return _device.default[0] or _device.cpu


_warned_tensor_type = []


def set_default_tensor_type(t, /):
    """Deprecated in torch 2.1: set the default floating dtype from a tensor type (torch.DoubleTensor
    or 'torch.DoubleTensor')."""
    if not _warned_tensor_type:        # torch warns once per process
        _warned_tensor_type.append(True)
        import warnings
        warnings.warn('torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use '
                      'torch.set_default_dtype() and torch.set_default_device() as alternatives. (Triggered '
                      'internally at /__w/pytorch/pytorch/torch/csrc/tensor/python_tensor.cpp:434.)', stacklevel=2)
    import faketorch
    if isinstance(t, str):
        if t.startswith('torch.cuda.'):
            raise TypeError(f'type {t} not available. Torch not compiled with CUDA enabled.')
        head, *rest = t.split('.')
        if head == 'torch':
            obj = faketorch
        else:
            import importlib
            obj = importlib.import_module(head)
        for part in rest:
            obj = getattr(obj, part)
        t = obj
    if getattr(t, '__module__', None) == 'torch.cuda':
        raise TypeError(f'type torch.cuda.{t.__name__} not available. Torch not compiled with CUDA enabled.')
    dt = getattr(t, '_legacy_dtype', None) if isinstance(t, type) else None
    if dt is None:
        raise TypeError('invalid type object: only floating-point types are supported as the default type')
    if not dt.is_floating_point:
        raise TypeError('only floating-point types are supported as the default type')
    D.set_default_dtype(dt)


# torch._check family: cond must be a Python bool; message is a callable returning the text
_CHECK_DEFAULT = ('Expected cond to be True, but got False. (Could this error message be improved? If so, please '
                  'report an enhancement request to PyTorch.)')


def _check_with(error_type, cond, message):
    if not isinstance(cond, bool):
        if isinstance(cond, Tensor):
            raise TypeError('cond must be a bool, but got a Tensor. For tensor conditions, use '
                            'torch._check_tensor_all() to assert that all elements are true.')
        raise TypeError(f'cond must be a bool, but got {type(cond)}')
    if cond:
        return
    if not (isinstance(error_type, type) and issubclass(error_type, Exception)) or issubclass(error_type, Warning):
        raise AssertionError(f'error_type must be a subclass of Exception but not Warning, got {error_type}')
    if message is None:
        raise error_type(_CHECK_DEFAULT)
    if not callable(message):
        raise TypeError('message must be a callable')
    raise error_type(str(message()))


def _check(cond, message=None):
    _check_with(RuntimeError, cond, message)


def _check_index(cond, message=None):
    _check_with(IndexError, cond, message)


def _check_value(cond, message=None):
    _check_with(ValueError, cond, message)


def _check_type(cond, message=None):
    _check_with(TypeError, cond, message)


def _check_not_implemented(cond, message=None):
    _check_with(NotImplementedError, cond, message)


def typename(obj):
    """A tensor's legacy type name (torch.FloatTensor), else the object's module-qualified name."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, '__module__', None) or 'builtins'
    if module.startswith('faketorch'):
        module = 'torch' + module[len('faketorch'):]
    name = getattr(obj, '__qualname__', None) or getattr(obj, '__name__', None) or type(obj).__name__
    return name if module == 'builtins' else f'{module}.{name}'


_warn_always = [False]


def set_warn_always(b, /):
    """Whether torch's warn-once warnings are issued every time (a flag: faketorch's warnings are Python's)."""
    _warn_always[0] = bool(b)


def is_warn_always_enabled():
    return _warn_always[0]


def compiled_with_cxx11_abi():
    return True


def is_vulkan_available():
    return False


def get_device_module(device=None):
    """The torch.<device type> module for a device (default: the accelerator, else cpu)."""
    import importlib
    from ._device import device as _dev
    t = (device if isinstance(device, str) else _dev(device).type if device is not None else None)
    if t is None:
        from . import cuda
        t = 'cuda' if cuda.is_available() else 'cpu'
    t = t.split(':')[0]
    try:
        return importlib.import_module('faketorch.' + t)
    except ModuleNotFoundError:
        raise RuntimeError(f"Device '{t}' does not have a corresponding module registered as 'torch.{t}'.") from None


# a torch built with MKL, LAPACK, OpenMP and the FFT kernels (deprecated flags; torch.backends says the same)
_namespace.update(has_mkl=True, has_lapack=True, has_openmp=True, has_spectral=True)


def sym_max(a, b):
    return float(max(a, b)) if isinstance(a, float) or isinstance(b, float) else max(a, b)


def sym_min(a, b):
    return float(min(a, b)) if isinstance(a, float) or isinstance(b, float) else min(a, b)


def sym_float(a):
    return float(a)


def sym_int(a):
    import math
    return math.trunc(a) if isinstance(a, float) else int(a)


def sym_not(a):
    return not a


def sym_ite(b, t, f):
    return t if b else f


def sym_sqrt(a):
    import math
    return math.sqrt(a)


def sym_sum(args):
    return sum(args)


_INT64 = (-(1 << 63), (1 << 63) - 1)


def sym_constrain_range(size, *, min=None, max=None):  # noqa: A002 - torch's names
    """Eager: a plain int must lie in [min, max] (torch checks it; a tensor or symbol is left alone)."""
    if isinstance(size, int):
        lo = _INT64[0] if min is None else min
        hi = _INT64[1] if max is None else max
        if not lo <= size <= hi:
            raise RuntimeError(f"Invalid value range for {size} between [{lo}, {hi}].")


def sym_constrain_range_for_size(size, *, min=None, max=None):  # noqa: A002
    sym_constrain_range(size, min=0 if min is None else min, max=max)


def sym_fresh_size(expr):
    return expr


def init_num_threads():
    """torch sets up its thread pool's per-thread state; faketorch's NumPy has none to set."""


class SymInt:
    """A symbolic int of torch.compile's shape tracing; faketorch traces nothing, so none exist."""


class SymFloat:
    """A symbolic float of torch.compile's shape tracing; faketorch traces nothing, so none exist."""


class SymBool:
    """A symbolic bool of torch.compile's shape tracing; faketorch traces nothing, so none exist."""


def frobenius_norm(input, dim, keepdim=False):
    import warnings
    warnings.warn("at::frobenius_norm is deprecated and it is just left for JIT compatibility. It will be removed "
                  "in a future PyTorch release. Please use `linalg.vector_norm(A, 2., dim, keepdim)` instead",
                  UserWarning, stacklevel=2)
    from .nn.functional import _norm
    dims = [dim] if isinstance(dim, int) else list(dim)
    return _norm(input, 2, tuple(sorted(d % input.dim() for d in dims)) if input.dim() else None, keepdim)


def nuclear_norm(input, dim=None, keepdim=False):
    import warnings
    warnings.warn("at::nuclear_norm is deprecated and it is just left for JIT compatibility. It will be removed "
                  "in a future PyTorch release. Please use `linalg.matrix_norm(A, 'nuc', dim, keepdim)` instead",
                  UserWarning, stacklevel=2)
    from . import linalg
    return linalg.matrix_norm(input, 'nuc', (-2, -1) if dim is None else dim, keepdim)


def segment_reduce(data, reduce, *, lengths=None, indices=None, offsets=None, axis=0, unsafe=False, initial=None):
    from . import _segment_reduce
    return _segment_reduce(data, reduce, lengths=lengths, indices=indices, offsets=offsets, axis=axis,
                           unsafe=unsafe, initial=initial)


def to_dlpack(tensor):
    from .utils.dlpack import to_dlpack as f
    return f(tensor)


for _f in (frobenius_norm, nuclear_norm, segment_reduce, to_dlpack):
    register(_f, method=False)

for _f in (typename, set_warn_always, is_warn_always_enabled, compiled_with_cxx11_abi, is_vulkan_available,
           get_device_module, sym_max, sym_min, sym_float, sym_int, sym_not, sym_ite, sym_sqrt, sym_sum, SymInt,
           SymFloat, SymBool, sym_constrain_range, sym_constrain_range_for_size, sym_fresh_size, init_num_threads):
    register(_f, method=False)

for _f in (set_default_device, get_default_device, set_default_tensor_type, _check_with, _check, _check_index,
           _check_value, _check_type, _check_not_implemented):
    register(_f, method=False)

for _f in (finfo, iinfo, compile, get_num_threads, set_num_threads, get_num_interop_threads,
           set_num_interop_threads, use_deterministic_algorithms, are_deterministic_algorithms_enabled,
           is_deterministic_algorithms_warn_only_enabled, set_deterministic_debug_mode,
           get_deterministic_debug_mode, is_storage, set_flush_denormal):
    register(_f, method=False)
