"""torch._dynamo.config: the settings scripts touch, with torch 2.13's defaults. Nothing reads them
here (there is no dynamo); any other name may be set too, since a script may set a name this table
lacks."""
import contextlib
import os
import sys
import types

suppress_errors = False
verbose = False
recompile_limit = 8
accumulated_recompile_limit = 256
fail_on_recompile_limit_hit = False
error_on_recompile = False
capture_scalar_outputs = False
capture_dynamic_output_shape_ops = False
capture_autograd_function = True
automatic_dynamic_shapes = True
assume_static_by_default = True
dynamic_shapes = True
specialize_int = False
specialize_float = False
force_parameter_static_shapes = True
force_nn_module_property_static_shapes = True
allow_unspec_int_on_nn_module = False
optimize_ddp = True
inline_inbuilt_nn_modules = True
guard_nn_modules = True
skip_nnmodule_hook_guards = True
compiled_autograd = False
allow_rnn = False
raise_on_ctx_manager_usage = True
rewrite_assert_with_torch_assert = True
replay_record_enabled = False
use_graph_deduplication = False
prefer_deferred_runtime_asserts_over_guards = False
log_compilation_metrics = True
enable_cpp_guard_manager = True
debug_dir_root = os.path.join(os.getcwd(), 'torch_compile_debug')

_ALIASES = {'cache_size_limit': 'recompile_limit', 'accumulated_cache_size_limit': 'accumulated_recompile_limit'}


class _ConfigModule(types.ModuleType):
    def __getattr__(self, name):
        if name in _ALIASES:
            return getattr(self, _ALIASES[name])
        raise AttributeError(f'torch._dynamo.config.{name} does not exist')

    def __setattr__(self, name, value):
        super().__setattr__(_ALIASES.get(name, name), value)

    @contextlib.contextmanager
    def _patch(self, changes):
        old = {k: getattr(self, k, _ConfigModule) for k in changes}
        for k, v in changes.items():
            setattr(self, k, v)
        try:
            yield
        finally:
            for k, v in old.items():
                if v is _ConfigModule:
                    delattr(self, k)
                else:
                    setattr(self, k, v)

    def patch(self, arg1=None, arg2=None, **kwargs):
        """Context manager / decorator: patch('name', value), patch({'name': value}) or patch(name=value)."""
        changes = dict(kwargs)
        if isinstance(arg1, str):
            changes[arg1] = arg2
        elif isinstance(arg1, dict):
            changes.update(arg1)
        return self._patch(changes)

    def get_config_copy(self):
        return {k: v for k, v in vars(self).items() if not k.startswith('_') and not isinstance(
            v, (types.ModuleType, type, types.FunctionType))}


sys.modules[__name__].__class__ = _ConfigModule
