"""torch._dynamo.eval_frame.OptimizedModule: what torch.compile returns for an nn.Module.

faketorch compiles nothing, but scripts see the wrapper: its repr, its `_orig_mod.`-prefixed
state_dict keys, and attribute reads and writes passing through to the wrapped module."""
from ..nn.modules.module import Module

# the wrapper's own attributes; everything else is read from and written to the wrapped module
_OWN = frozenset({'_orig_mod', 'dynamo_ctx', '_torchdynamo_orig_callable', '_torchdynamo_wrapper_id',
                  'get_compiler_config', 'forward', '_forward', '__dict__', '_super_module_initialized'})


class OptimizedModule(Module):
    def __init__(self, mod, dynamo_ctx=None):
        super().__init__()
        del self.__dict__['training']               # read through to the wrapped module, as torch's
        self._orig_mod = mod
        self.dynamo_ctx = dynamo_ctx
        self.__dict__['_torchdynamo_orig_callable'] = mod      # an attribute, not a second child

        def inner(*args, **kwargs):                  # torch's compiled forward has this name too
            return self._orig_mod(*args, **kwargs)
        self.forward = inner
        self.__dict__['_super_module_initialized'] = True

    def __getattr__(self, name):
        if name == '_orig_mod':
            return self.__dict__['_modules']['_orig_mod']
        return getattr(self._orig_mod, name)

    def __setattr__(self, name, value):
        if hasattr(type(self), name) or name in _OWN or '_super_module_initialized' not in self.__dict__:
            return super().__setattr__(name, value)
        return setattr(self._orig_mod, name, value)

    def get_compiler_config(self):
        return None
