"""torch.backends.cuda: cuBLAS / SDPA switches, and torch.set_float32_matmul_precision (which is
the same switch as cuda.matmul.allow_tf32). Nothing here changes faketorch's arithmetic."""
import enum
import warnings

from .._device import cuda_available
from .._ops._core import register

_PRECISIONS = ('highest', 'high', 'medium')


class _State:
    precision = 'highest'
    fp32_precision = 'none'     # 'tf32' / 'ieee' once a precision has been chosen explicitly
    fp16_reduction = True
    bf16_reduction = True
    fp16_accumulation = False


def is_built():
    """Whether torch was built with CUDA: True here when CuPy can reach a GPU."""
    return cuda_available()


def get_float32_matmul_precision():
    return _State.precision


def set_float32_matmul_precision(precision):
    if precision not in _PRECISIONS:
        # torch warns from C++ and keeps the old setting; the text is torch's, location included
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      f"setFloat32MatmulPrecision call has no effect. (Triggered internally at "
                      f"/__w/pytorch/pytorch/aten/src/ATen/Context.cpp:458.)", UserWarning, stacklevel=2)
        return
    _State.precision = precision
    _State.fp32_precision = 'ieee' if precision == 'highest' else 'tf32'


register(get_float32_matmul_precision, method=False)
register(set_float32_matmul_precision, method=False)


def _reduction_setting(name, value):
    ok = isinstance(value, bool) or (isinstance(value, (tuple, list)) and all(isinstance(v, bool) for v in value))
    if not ok:
        raise TypeError(f'{name} expects a bool or a tuple/list of bools, but got {type(value)}')
    return value


class cuBLASModule:
    """torch.backends.cuda.matmul: only the known switches can be read or set."""
    __module__ = 'torch.backends.cuda'

    def __getattr__(self, name):
        if name == 'allow_tf32':
            return _State.precision != 'highest'
        if name == 'allow_fp16_reduced_precision_reduction':
            return _State.fp16_reduction
        if name == 'allow_bf16_reduced_precision_reduction':
            return _State.bf16_reduction
        if name == 'allow_fp16_accumulation':
            return _State.fp16_accumulation
        if name == 'fp32_precision':
            return _State.fp32_precision
        raise AttributeError(f'Unknown attribute {name}')

    def __setattr__(self, name, value):
        if name == 'allow_tf32':
            if not isinstance(value, bool):
                raise RuntimeError(f'set_allow_tf32_cublas expects a bool, but got {type(value).__name__}')
            set_float32_matmul_precision('high' if value else 'highest')
        elif name == 'allow_fp16_reduced_precision_reduction':
            _State.fp16_reduction = _reduction_setting(name, value)
        elif name == 'allow_bf16_reduced_precision_reduction':
            _State.bf16_reduction = _reduction_setting(name, value)
        elif name == 'allow_fp16_accumulation':
            if not isinstance(value, bool):
                raise RuntimeError(f'set_allow_fp16_accumulation_cublas expects a bool, but got '
                                   f'{type(value).__name__}')
            _State.fp16_accumulation = value
        elif name == 'fp32_precision':
            _State.fp32_precision = value
            _State.precision = 'highest' if value == 'ieee' else 'high' if value == 'tf32' else _State.precision
        else:
            raise AttributeError(f'Unknown attribute {name}')


matmul = cuBLASModule()


class cuFFTPlanCacheManager:
    """torch.backends.cuda.cufft_plan_cache: CuPy manages its own FFT plans."""
    __module__ = 'torch.backends.cuda'

    def __getattr__(self, name):
        if name in ('size', 'max_size', 'clear') or name.startswith('__getitem__'):
            from ..cuda import _lazy_init
            _lazy_init()
            return 0 if name != 'clear' else (lambda: None)
        raise AttributeError(name)

    def __getitem__(self, device):
        return self


cufft_plan_cache = cuFFTPlanCacheManager()


class _LinalgBackend(enum.IntEnum):
    Default = 0
    Cusolver = 1
    Magma = 2

    def __repr__(self):
        return f'<_LinalgBackend.{self.name}: {self.value}>'


class _BlasBackend(enum.IntEnum):
    Default = 0
    Cublas = 1
    Cublaslt = 2
    Ck = 3

    def __repr__(self):
        return f'<_BlasBackend.{self.name}: {self.value}>'


def preferred_linalg_library(backend=None):
    if backend is not None and backend not in ('default', _LinalgBackend.Default):
        raise RuntimeError('Cannot set preferred backend to cuSOLVER if PyTorch has not been compiled with '
                           'cuSOLVER.')
    return _LinalgBackend.Default


def preferred_blas_library(backend=None):
    return _BlasBackend.Cublas


class SDPBackend(enum.IntEnum):
    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4


# scaled_dot_product_attention kernel switches (faketorch always runs the math kernel)
_sdp = {'flash': True, 'mem_efficient': True, 'math': True, 'cudnn': True, 'fp16_bf16_reduction_math': False}


def flash_sdp_enabled():
    return _sdp['flash']


def enable_flash_sdp(enabled):
    _sdp['flash'] = enabled


def mem_efficient_sdp_enabled():
    return _sdp['mem_efficient']


def enable_mem_efficient_sdp(enabled):
    _sdp['mem_efficient'] = enabled


def math_sdp_enabled():
    return _sdp['math']


def enable_math_sdp(enabled):
    _sdp['math'] = enabled


def cudnn_sdp_enabled():
    return _sdp['cudnn']


def enable_cudnn_sdp(enabled):
    _sdp['cudnn'] = enabled


def fp16_bf16_reduction_math_sdp_allowed():
    return _sdp['fp16_bf16_reduction_math']


def allow_fp16_bf16_reduction_math_sdp(enabled):
    _sdp['fp16_bf16_reduction_math'] = enabled


def is_flash_attention_available():
    return False


def sdp_kernel(enable_flash=True, enable_math=True, enable_mem_efficient=True, enable_cudnn=True):
    """Deprecated context manager: set the SDPA switches for the block."""
    import contextlib

    @contextlib.contextmanager
    def ctx():
        old = dict(_sdp)
        _sdp.update(flash=enable_flash, math=enable_math, mem_efficient=enable_mem_efficient,
                    cudnn=enable_cudnn)
        try:
            yield
        finally:
            _sdp.update(old)
    return ctx()
