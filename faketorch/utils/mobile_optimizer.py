"""torch.utils.mobile_optimizer. faketorch has no TorchScript (torch.jit.script returns the module
itself), so optimize_for_mobile takes that module and checks its arguments as torch does; then, as
torch's CPU wheel (built without XNNPACK) does, it fails: there is no mobile rewrite to run."""
import enum

from ..nn import Module

__all__ = ['LintCode', 'optimize_for_mobile', 'MobileOptimizerType']


class _MobileOptimizerType(enum.IntEnum):
    CONV_BN_FUSION = 0
    INSERT_FOLD_PREPACK_OPS = 1
    REMOVE_DROPOUT = 2
    FUSE_ADD_RELU = 3
    HOIST_CONV_PACKED_PARAMS = 4
    VULKAN_AUTOMATIC_GPU_TRANSFER = 6


MobileOptimizerType = _MobileOptimizerType


class LintCode(enum.Enum):
    BUNDLED_INPUT = 1
    REQUIRES_GRAD = 2
    DROPOUT = 3
    BATCHNORM = 4


def _bundled_inputs_attributes(module, preserved_methods):
    """The methods torch.utils.bundled_inputs adds, kept through the optimization when present."""
    names = []
    if hasattr(module, 'get_all_bundled_inputs'):
        names += ['get_all_bundled_inputs', 'get_num_bundled_inputs']
    if hasattr(module, 'get_bundled_inputs_functions_and_info'):
        names.append('get_bundled_inputs_functions_and_info')
        for fn in module.get_bundled_inputs_functions_and_info():
            if fn not in preserved_methods:
                names.append(fn)
            names += ['get_all_bundled_inputs_for_' + fn, '_bundled_inputs_deflated_' + fn]
    return names


def optimize_for_mobile(script_module, optimization_blocklist=None, preserved_methods=None, backend='CPU'):
    if not isinstance(script_module, Module):       # what faketorch's torch.jit.script(module) returns
        raise TypeError(f'Got {type(script_module)}, but ScriptModule is expected.')
    methods = [str(m) for m in preserved_methods or ()]
    bundled = _bundled_inputs_attributes(script_module, methods)
    if all(hasattr(script_module, m) for m in bundled):
        methods = list(set(methods + bundled))      # torch's order: a set's (its error lists them so)
    missing = [m for m in methods if not hasattr(script_module, m)]
    if missing:
        raise AttributeError(f"The following methods to preserve do not exist in script_module: {', '.join(missing)}")
    backend = backend.lower()
    if backend == 'cpu':
        raise RuntimeError('false INTERNAL ASSERT FAILED at '
                           '"/__w/pytorch/pytorch/torch/csrc/jit/passes/xnnpack_rewrite.cpp":506, please report a bug '
                           'to PyTorch. Mobile optimization only available with XNNPACK at '
                           'the moment. XNNPACK is not enabled. Please build with USE_XNNPACK=1')
    if backend in ('vulkan', 'metal'):
        raise RuntimeError(f'faketorch: no {backend} mobile optimization (torch CPU wheels fail here too)')
    raise TypeError("Unknown backend, must be one of 'CPU', 'Vulkan' or 'Metal'")
