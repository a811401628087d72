"""faketorch: the PyTorch API on NumPy (CPU) and CuPy (GPU)."""
import builtins as _builtins
import warnings as _warnings

# torch computes inf/nan silently; NumPy's floating-point RuntimeWarnings raised inside faketorch's
# own code are noise to a torch user (a filter costs nothing until a warning happens, unlike
# np.errstate around every op).
_warnings.filterwarnings('ignore', category=RuntimeWarning, module=r'faketorch\.')
# an ndarray's .sum()/.mean()/.max() ... runs in numpy._core._methods, so their warnings name that module
# (an inf - inf in a bias gradient's sum under GradScaler warned "invalid value encountered in reduce")
_warnings.filterwarnings('ignore', category=RuntimeWarning, module=r'numpy\._core\._methods')

from . import _malloc
_malloc.tune()
from . import _dtype
from ._dtype import (dtype, bool, uint8, int8, int16, int32, int64, uint16, uint32, uint64, float16,
                     bfloat16, float32, float64, complex32, complex64, complex128,
                     float8_e4m3fn, float8_e5m2, float8_e4m3fnuz, float8_e5m2fnuz, float8_e8m0fnu,
                     float4_e2m1fn_x2, bits1x8, bits2x4, bits4x2, bits8, bits16, int1, int2, int3, int4,
                     int5, int6, int7, uint1, uint2, uint3, uint4, uint5, uint6, uint7, quint8, qint8,
                     qint32, quint4x2, quint2x4,
                     get_default_dtype, set_default_dtype, promote_types, can_cast)
from ._device import device
from ._tensor import Tensor, Size
from . import overrides     # noqa: F401  (watches for the first class that defines __torch_function__)
from . import autograd
from .autograd import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                       is_inference_mode_enabled)
from .autograd.anomaly_mode import is_anomaly_enabled, is_anomaly_check_nan_enabled, set_anomaly_enabled
from . import _ops
from ._ops import random_ops as _random_ops  # noqa: F401
from . import return_types
from . import cuda
from . import amp, backends, accelerator
from .amp import autocast, GradScaler
OutOfMemoryError = cuda.OutOfMemoryError
from . import _misc  # noqa: F401  (finfo, iinfo, compile, threads, determinism)
from ._tensor_str import set_printoptions

__version__ = '2.13.0'

import math as _math
inf = _math.inf
nan = _math.nan
pi = _math.pi
e = _math.e
newaxis = None

float = float32
double = float64
half = float16
long = int64
int = int32
short = int16
cfloat = complex64
cdouble = complex128
chalf = complex32
bit = uint1

globals().update(_ops.namespace)
globals().update(_ops.factory.legacy_classes)
del _builtins


class layout:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return 'torch.' + self.name


strided = layout('strided')
sparse_coo = layout('sparse_coo')
sparse_csr = layout('sparse_csr')
sparse_csc = layout('sparse_csc')
sparse_bsr = layout('sparse_bsr')
sparse_bsc = layout('sparse_bsc')
jagged = layout('jagged')
_mkldnn = layout('_mkldnn')


class memory_format:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return 'torch.' + self.name


contiguous_format = memory_format('contiguous_format')
preserve_format = memory_format('preserve_format')
channels_last = memory_format('channels_last')
channels_last_3d = memory_format('channels_last_3d')
legacy_contiguous_format = contiguous_format        # torch's old name: the same object


def _assert(condition, message):
    if not condition:
        raise AssertionError(message)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.dtype.is_floating_point


def is_complex(input):
    return input.dtype.is_complex


def numel(input):
    return input.numel()


def _shape_as_tensor(input):
    return tensor(input.shape, dtype=int64)


def result_type(tensor1, tensor2):
    ts = [t for t in (tensor1, tensor2) if isinstance(t, Tensor)]
    ss = [s for s in (tensor1, tensor2) if not isinstance(s, Tensor)]
    return _dtype.result_type_of(ts, ss)


from .random import (manual_seed, seed, initial_seed, get_rng_state, set_rng_state,  # noqa: E402
                     Generator, default_generator)
from . import random  # noqa: E402

# --- lazily imported parts ------------------------------------------------------------------------
# nn, optim, utils.data, save/load ... are most of faketorch's code; importing them on first use
# keeps `import faketorch` fast. Names they publish (torch.softmax, torch.save, Tensor.softmax ...)
# appear once any of them is touched: module __getattr__ here, Tensor's class __getattr__ and its
# placeholders for the Tensor attributes they define (faketorch._tensor._LAZY_ATTRS) load them all.
_LAZY_MODULES = ('nn', '_quantized', 'ao', 'quantization', 'optim', 'utils', 'linalg', 'fft', 'special', 'serialization', 'storage',
                 'distributions', 'masked', 'signal', 'jit', 'testing', 'profiler', 'func', 'distributed',
                 'multiprocessing', 'hub', 'export', 'version', 'compiler', '_dynamo', '_logging', 'futures',
                 '__future__', '_utils', '_lowrank', 'quasirandom', '_lobpcg', 'sparse', '_C', 'library', 'cpu', 'types',
                 'overrides', 'fx', 'onnx', 'xpu', 'mps', 'functional', '_linalg_utils')
_lazy_loaded = []


def _load_lazy():
    """Import every lazy part once; True if this call did the loading."""
    if _lazy_loaded:
        return False
    _lazy_loaded.append(True)
    import importlib
    for name in _LAZY_MODULES:
        try:
            importlib.import_module('.' + name, __name__)
        except ModuleNotFoundError as e:
            if e.name != f'{__name__}.{name}':
                raise
    importlib.import_module('.utils.data', __name__)
    g = globals()
    if 'storage' in g:
        g.update(g['storage']._legacy_classes)     # torch.FloatStorage, torch.ByteStorage, ...
        g['UntypedStorage'], g['TypedStorage'] = g['storage'].UntypedStorage, g['storage'].TypedStorage
        g['Storage'] = g['FloatStorage']        # torch's old name for the default storage class
    _distinct_aliases()
    return True


def _distinct_aliases():
    """torch's functions carry their public names: an alias (arctan, clip, multiply ...) is a function of
    its own named as the alias (fx prints a graph's call targets by function, so an alias sharing atan's
    object printed as atan), and a function defined under a private name (`_t_softmax`, the `f` of the
    *_copy variants) is renamed (__torch_function__ handlers and modes read func.__name__)."""
    import types
    g = globals()
    public = [(name, f) for name, f in g.items() if not name.startswith('_') and isinstance(f, types.FunctionType)]
    count = {}
    for _, f in public:
        count[id(f)] = count.get(id(f), 0) + 1
    for name, f in public:
        if f.__name__ == name:
            continue
        if g.get(f.__name__) is f or count[id(f)] > 1:
            alias = types.FunctionType(f.__code__, f.__globals__, name, f.__defaults__, f.__closure__)
            alias.__kwdefaults__, alias.__dict__ = f.__kwdefaults__, dict(f.__dict__)
            alias.__qualname__, alias.__doc__, alias.__module__ = name, f.__doc__, f.__module__
            g[name] = alias
        elif f.__module__.startswith(__name__):
            f.__name__ = f.__qualname__ = name


_distinct_aliases()


def __getattr__(name):
    if name in _LAZY_MODULES:
        import importlib
        return importlib.import_module('.' + name, __name__)
    if name == 'nested':        # not among _LAZY_MODULES: it routes a few functions, so only on demand
        import importlib
        return importlib.import_module('.nested', __name__)
    if name == 'vmap':
        from .func import vmap
        return vmap
    if name == 'ops':
        from ._ops_namespace import ops
        return ops
    if name == 'classes':
        from ._ops_namespace import classes
        return classes
    if name == 'cond':
        from .compiler import cond
        return cond
    if name == 'while_loop':
        from ._higher_order_ops.while_loop import while_loop
        return while_loop
    if name in ('DisableTorchFunctionSubclass', 'DisableTorchFunction'):
        from . import overrides
        return getattr(overrides, name)
    if name == 'torch':         # torch.torch is torch itself (torch's OpInfo names ops that way)
        import sys
        return sys.modules[__name__]
    if not name.startswith('__') and _load_lazy() and name in globals():
        return globals()[name]
    raise AttributeError(f"module 'faketorch' has no attribute '{name}'")


def __dir__():
    _load_lazy()
    return sorted(globals())
