"""torch.nn: Module, Parameter, layers, functional, init, utils."""
from .parameter import Parameter, Buffer, UninitializedParameter, UninitializedBuffer
from .modules import *  # noqa: F401,F403
from .modules.module import (register_module_forward_pre_hook, register_module_forward_hook,  # noqa: F401
                             register_module_full_backward_hook, register_module_full_backward_pre_hook,
                             register_module_buffer_registration_hook,
                             register_module_module_registration_hook,
                             register_module_parameter_registration_hook)
from . import functional, init, parameter, utils, modules, parallel  # noqa: F401
from .parallel import DataParallel  # noqa: F401


def factory_kwargs(kwargs):
    if kwargs is None:
        return {}
    simple = {'device', 'dtype', 'memory_format'}
    expected = simple | {'factory_kwargs'}
    if not kwargs.keys() <= expected:
        raise TypeError(f'unexpected kwargs {kwargs.keys() - expected}')
    r = dict(kwargs.get('factory_kwargs', {}))
    for k in simple:
        if k in kwargs:
            if k in r:
                raise TypeError(f'{k} specified twice, in **kwargs and in factory_kwargs')
            r[k] = kwargs[k]
    return r
from . import _torch_aliases  # noqa: E402,F401  (torch.conv2d, torch.layer_norm ...)

_LAZY_SUBMODULES = ('attention', 'grad', 'quantized', 'intrinsic', 'qat')     # loaded on first use


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        import importlib
        return importlib.import_module('.' + name, __name__)
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
