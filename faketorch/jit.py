"""torch.jit: the decorators scripts use, as no-ops.

faketorch has no TorchScript compiler. `script` and `trace` return what they are given (a
function or an nn.Module), so decorated code runs eagerly; `ignore`, `unused`, `export` and
friends return their argument; `is_scripting()` / `is_tracing()` are False, as in eager torch.

Not supported: compiling or serialising TorchScript. `save` raises RuntimeError, and `load`
raises torch's ValueError for a missing file and RuntimeError otherwise; `freeze`, `optimize_for_inference`
return the module unchanged. `ScriptModule` / `ScriptFunction` exist for isinstance checks only:
nothing faketorch returns is an instance of them.
"""
import os
import typing
import warnings

from .nn.modules.module import Module

__all__ = ['script', 'trace', 'trace_module', 'ignore', 'unused', 'export', 'is_scripting', 'is_tracing',
           'annotate', 'Final', 'ScriptModule', 'ScriptFunction', 'RecursiveScriptModule', 'save', 'load',
           'freeze', 'optimize_for_inference', 'script_method', 'interface', 'TracerWarning', 'Attribute',
           'fork', 'wait', 'isinstance', 'strict_fusion', 'enable_onednn_fusion', 'onednn_fusion_enabled',
           'set_fusion_strategy', 'script_if_tracing', 'Error']

Final = typing.Final
_builtin_isinstance = isinstance


class ScriptModule(Module):
    """Never produced by faketorch: `script(module)` returns the module itself."""


class RecursiveScriptModule(ScriptModule):
    pass


class ScriptFunction:
    """Never produced by faketorch: `script(fn)` returns fn itself."""


class TracerWarning(Warning):
    @staticmethod
    def ignore_lib_warnings():
        warnings.filterwarnings('ignore', category=TracerWarning, module='torch.(?!jit)')


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    return obj


def trace(func, example_inputs=None, optimize=None, check_trace=True, check_inputs=None, check_tolerance=1e-5,
          strict=True, _force_outplace=False, _module_class=None, _compilation_unit=None,
          example_kwarg_inputs=None, _store_inputs=True):
    return func


def trace_module(mod, inputs, *args, **kwargs):
    return mod


def _identity_decorator(fn=None, **kwargs):
    # usable as @ignore, @ignore(drop=False) and ignore(fn)
    if fn is None or not callable(fn):
        return lambda f: f
    return fn


ignore = unused = _identity_decorator


def export(fn):
    return fn


script_method = interface = _script_if_tracing = export


def _overload(fn):
    return fn


_overload_method = _overload


def is_scripting():
    return False


def is_tracing():
    return False


def annotate(the_type, the_value):
    return the_value


def Attribute(value, type):  # noqa: A002 - torch's parameter name
    return value


def isinstance(obj, target_type):  # noqa: A001 - torch.jit.isinstance
    origin = typing.get_origin(target_type)
    return _builtin_isinstance(obj, origin or target_type)


def fork(func, *args, **kwargs):
    from .futures import _fork
    return _fork(func, *args, **kwargs)


def wait(future):
    return future.wait()


def freeze(mod, preserved_attrs=None, optimize_numerics=True):
    return mod


def optimize_for_inference(mod, other_methods=None):
    return mod


_fusion_strategy = [[('STATIC', 2), ('DYNAMIC', 10)]]


def set_fusion_strategy(strategy):
    """Record TorchScript's specialisation strategy (nothing is fused here); returns the previous one."""
    old, _fusion_strategy[0] = _fusion_strategy[0], list(strategy)
    return old


def script_if_tracing(fn):
    """Compile fn only when traced: faketorch never traces, so fn runs as it is."""
    return fn


class Error(RuntimeError):
    """TorchScript's runtime error (never raised by faketorch, which runs nothing as TorchScript)."""


def enable_onednn_fusion(enabled):
    pass


def onednn_fusion_enabled():
    return False


class strict_fusion:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _flatten(obj):
    from .utils._pytree import tree_flatten
    return tree_flatten(obj)


_NO_TORCHSCRIPT = ('faketorch has no TorchScript: torch.jit.{} cannot {}. Save the weights with '
                   'torch.save(model.state_dict(), path) and rebuild the model in Python instead.')


def save(m, f, _extra_files=None):
    raise RuntimeError(_NO_TORCHSCRIPT.format('save', 'write a TorchScript archive'))


def load(f, map_location=None, _extra_files=None, _restore_shapes=False):
    if _builtin_isinstance(f, (str, os.PathLike)):
        if not os.path.exists(f):
            raise ValueError(f"The provided filename {f} does not exist")
        if os.path.isdir(f):
            raise ValueError(f"The provided filename {f} is a directory")
    raise RuntimeError(_NO_TORCHSCRIPT.format('load', 'read a TorchScript archive'))
