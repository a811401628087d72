"""torch.backends.quantized: the quantized engine, as torch's x86 CPU wheels report it. faketorch has
no quantized kernels, so the choice is only remembered."""
import types

from . import _flag_module

# torch's engine names; 'none' (NoQEngine) is a valid name but never a supported engine.
_ENGINES = {'none': 'NoQEngine', 'fbgemm': 'FBGEMM', 'qnnpack': 'QNNPACK', 'onednn': 'ONEDNN', 'x86': 'X86'}
_SUPPORTED = ['qnnpack', 'onednn', 'x86', 'fbgemm']


class _QEngine:
    def __get__(self, obj, objtype=None):
        return obj.__dict__.get('_engine', 'x86') if obj is not None else self

    def __set__(self, obj, value):
        if value is None:
            value = 'none'
        if value not in _ENGINES:
            raise RuntimeError(f'{value} is not a valid value for quantized engine')
        if value not in _SUPPORTED:
            raise RuntimeError(f'quantized engine {_ENGINES[value]} is not supported')
        obj.__dict__['_engine'] = value


class _SupportedQEngines:
    def __get__(self, obj, objtype=None):
        return list(_SUPPORTED)

    def __set__(self, obj, value):
        raise RuntimeError('Assignment not supported')


class QuantizedEngine(types.ModuleType):
    engine = _QEngine()
    supported_engines = _SupportedQEngines()


_flag_module(__name__, QuantizedEngine)
