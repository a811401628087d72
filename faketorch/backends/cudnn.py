"""torch.backends.cudnn: no cuDNN in a CPU-only build (nor under CuPy here): is_available() False,
version() None; the flags are kept for scripts that set them."""
import sys
import types

from . import _Flag, _flag_module, _restoring


def is_available():
    return False


def version():
    return None


def is_acceptable(tensor):
    return False


class CudnnModule(types.ModuleType):
    enabled = _Flag(True, 'set_enabled_cudnn')
    deterministic = _Flag(False, 'set_deterministic_cudnn')
    benchmark = _Flag(False, 'set_benchmark_cudnn')
    allow_tf32 = _Flag(True, 'set_allow_tf32_cublas')     # torch's message names cuBLAS here too


_flag_module(__name__, CudnnModule)
_m = sys.modules[__name__]
benchmark_limit = None          # only a flag when cuDNN is available
fp32_precision = 'none'
depthwise_kernel = 'auto'


def set_flags(_enabled=None, _benchmark=None, _benchmark_limit=None, _deterministic=None, _allow_tf32=None,
              _fp32_precision='none', _depthwise_kernel=None):
    orig = (_m.enabled, _m.benchmark, _m.benchmark_limit, _m.deterministic, _m.allow_tf32, _m.fp32_precision,
            _m.depthwise_kernel)
    for name, v in (('enabled', _enabled), ('benchmark', _benchmark), ('deterministic', _deterministic),
                    ('allow_tf32', _allow_tf32), ('depthwise_kernel', _depthwise_kernel)):
        if v is not None:
            setattr(_m, name, v)
    return orig


def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False, allow_tf32=True,
          fp32_precision='none', depthwise_kernel='auto'):
    return _restoring(_m, enabled=enabled, benchmark=benchmark, deterministic=deterministic,
                      allow_tf32=allow_tf32)
