"""Parametrizations: a tensor attribute computed from `original` tensors through a chain of modules.

register_parametrization swaps the module's class for a 'Parametrized<Name>' subclass carrying a
property for the tensor; the originals live in module.parametrizations[name] (a ParametrizationList),
so state_dict keys read 'parametrizations.weight.original', as torch's."""
import copy
import copyreg
from collections.abc import Sequence
from contextlib import contextmanager

from ..._tensor import Tensor, _dtype_c10
from ...autograd.grad_mode import no_grad
from ..modules.container import ModuleDict, ModuleList
from ..parameter import Parameter

__all__ = ['cached', 'ParametrizationList', 'register_parametrization', 'is_parametrized',
           'remove_parametrizations', 'type_before_parametrizations', 'transfer_parametrizations_and_params']

_cache_enabled = 0
_cache = {}


@contextmanager
def cached():
    global _cache, _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache = {}


def _register(module, name, x):
    if isinstance(x, Parameter):
        module.register_parameter(name, x)
    else:
        module.register_buffer(name, x)


def _set(dest, src):
    # torch's Tensor.set_: dest now shares src's data
    if src.dtype != dest.dtype:
        raise RuntimeError(f'Could not set tensor of type {_dtype_c10(src.dtype)} to a tensor of type '
                           f'{_dtype_c10(dest.dtype)}')
    dest._data = src._data
    dest.dtype = src.dtype
    dest._device = src._device
    dest._vc[0] += 1


class ParametrizationList(ModuleList):
    def __init__(self, modules, original, unsafe=False):
        if len(modules) == 0:
            raise ValueError('ParametrizationList requires one or more modules.')
        super().__init__(modules)
        self.unsafe = unsafe
        shape, dtype = original.shape, original.dtype
        with no_grad():
            new = original
            for m in reversed(self):
                if hasattr(m, 'right_inverse'):
                    try:
                        new = m.right_inverse(new)
                    except NotImplementedError:
                        pass
        if not isinstance(new, (Tensor, Sequence)):
            raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). "
                             f'Got {type(new).__name__}')
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if original.dtype != new.dtype:
                raise ValueError('When `right_inverse` outputs one tensor, it may not change the dtype.\n'
                                 f'original.dtype: {original.dtype}\nright_inverse(original).dtype: {new.dtype}')
            with no_grad():
                _set(original, new)
            _register(self, 'original', original)
        else:
            for i, oi in enumerate(new):
                if not isinstance(oi, Tensor):
                    raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors (list, "
                                     f'tuple...). Got element {i} of the sequence with type {type(oi).__name__}.')
                if isinstance(original, Parameter):
                    oi = Parameter(oi, original.requires_grad)
                oi.requires_grad_(original.requires_grad)
                _register(self, f'original{i}', oi)
        if not self.unsafe:
            z = self()
            if not isinstance(z, Tensor):
                raise ValueError(f'A parametrization must return a tensor. Got {type(z).__name__}.')
            if z.dtype != dtype:
                raise ValueError('Registering a parametrization may not change the dtype of the tensor, unless '
                                 f'`unsafe` flag is enabled.\nunparametrized dtype: {dtype}\n'
                                 f'parametrized dtype: {z.dtype}')
            if z.shape != shape:
                raise ValueError('Registering a parametrization may not change the shape of the tensor, unless '
                                 f'`unsafe` flag is enabled.\nunparametrized shape: {shape}\n'
                                 f'parametrized shape: {z.shape}')

    def right_inverse(self, value):
        with no_grad():
            for m in reversed(self):
                if not hasattr(m, 'right_inverse'):
                    raise RuntimeError(f'parametrization {type(m).__name__} does not implement right_inverse.')
                value = m.right_inverse(value)
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(f'`right_inverse` should return a tensor. Got {type(value).__name__}')
                if value.dtype != self.original.dtype:
                    raise ValueError(f'The tensor returned by `right_inverse` has dtype {value.dtype} while '
                                     f'`original` has dtype {self.original.dtype}')
                _set(self.original, value)
            else:
                if not isinstance(value, Sequence):
                    raise ValueError(f"'right_inverse' must return a sequence of tensors. Got {type(value).__name__}.")
                if len(value) != self.ntensors:
                    raise ValueError("'right_inverse' must return a sequence of tensors of length "
                                     f'{self.ntensors}. Got a sequence of length {len(value)}.')
                for i, t in enumerate(value):
                    original_i = getattr(self, f'original{i}')
                    if not isinstance(t, Tensor):
                        raise ValueError("'right_inverse' must return a sequence of tensors or reference-type "
                                         f'opaques. Got element {i} of type {type(t).__name__}.')
                    if t.dtype != original_i.dtype:
                        raise ValueError(f'Tensor {i} returned by `right_inverse` has dtype {t.dtype} while '
                                         f'`original{i}` has dtype {original_i.dtype}')
                    _set(original_i, t)

    def forward(self):
        if self.is_tensor:
            x = self[0](self.original)
        else:
            x = self[0](*(getattr(self, f'original{i}') for i in range(self.ntensors)))
        i = 1
        while hasattr(self, str(i)):
            x = self[i](x)
            i += 1
        return x


def _inject_new_class(module):
    cls = module.__class__

    def default_deepcopy(self, memo):
        obj = memo.get(id(self))
        if obj is not None:
            return obj
        replica = self.__new__(self.__class__)
        memo[id(self)] = replica
        replica.__dict__ = copy.deepcopy(self.__dict__, memo)
        for slot in copyreg._slotnames(self.__class__):
            if hasattr(self, slot):
                setattr(replica, slot, copy.deepcopy(getattr(self, slot), memo))
        return replica

    def getstate(self):
        raise RuntimeError('Serialization of parametrized modules is only supported through state_dict(). See:\n'
                           'https://pytorch.org/tutorials/beginner/saving_loading_models.html'
                           '#saving-loading-a-general-checkpoint-for-inference-and-or-resuming-training')
    dct = {'__getstate__': getstate}
    if not hasattr(cls, '__deepcopy__'):
        dct['__deepcopy__'] = default_deepcopy
    module.__class__ = type(f'Parametrized{cls.__name__}', (cls,), dct)


def _inject_property(module, name):
    if hasattr(module, name):
        raise AssertionError(f"Module already has an attribute named '{name}'")

    def get(self):
        p = self.parametrizations[name]
        if _cache_enabled:
            key = (id(module), name)
            t = _cache.get(key)
            if t is None:
                t = _cache[key] = p()
            return t
        return p()

    def set_original(self, value):
        self.parametrizations[name].right_inverse(value)
    setattr(module.__class__, name, property(get, set_original))


def _check_right_inverse(parametrization, x, y, tensor_name):
    """A parametrization added to a chain must map module.<tensor_name>'s space back into itself."""
    if not hasattr(parametrization, 'right_inverse'):
        return
    try:
        z = parametrization.right_inverse(x)
    except NotImplementedError:
        return
    if not isinstance(z, Tensor):
        raise ValueError(f'parametrization.right_inverse must return a tensor. Got: {type(z).__name__}')
    for what, got, want in (('dtype', z.dtype, y.dtype), ('shape', z.shape, y.shape)):
        if got != want:
            raise ValueError(f'The tensor returned by parametrization.right_inverse must have the same {what} as '
                             f'module.{tensor_name}, unless the `unsafe` flag is enabled.\n'
                             f'module.{tensor_name}.{what}: {want}\nreturned {what}: {got}')


def register_parametrization(module, tensor_name, parametrization, *, unsafe=False):
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        if not unsafe:
            y = getattr(module, tensor_name)
            x = parametrization(y)
            if not isinstance(x, Tensor):
                raise ValueError(f'A parametrization must return a tensor. Got {type(x).__name__}.')
            if x.dtype != y.dtype:
                raise ValueError('Registering a parametrization may not change the dtype of the tensor, unless the '
                                 f'`unsafe` flag is enabled.\nmodule.{tensor_name}.dtype: {y.dtype}\n'
                                 f'parametrization(module.{tensor_name}).dtype: {x.dtype}')
            if x.shape != y.shape:
                raise ValueError('Registering a parametrization may not change the shape of the tensor, unless the '
                                 f'`unsafe` flag is enabled.\nmodule.{tensor_name}.shape: {y.shape}\n'
                                 f'parametrization(module.{tensor_name}).shape: {x.shape}')
            _check_right_inverse(parametrization, x, y, tensor_name)
        module.parametrizations[tensor_name].append(parametrization)
        module.parametrizations[tensor_name].unsafe |= unsafe
    elif tensor_name in module._buffers or tensor_name in module._parameters:
        original = getattr(module, tensor_name)
        plist = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            module.parametrizations = ModuleDict()
        _inject_property(module, tensor_name)
        module.parametrizations[tensor_name] = plist
    else:
        raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a parametrized element with "
                         f"name '{tensor_name}'")
    return module


def is_parametrized(module, tensor_name=None):
    ps = getattr(module, 'parametrizations', None)
    if ps is None or not isinstance(ps, ModuleDict):
        return False
    return len(ps) > 0 if tensor_name is None else tensor_name in ps


def remove_parametrizations(module, tensor_name, leave_parametrized=True):
    if not is_parametrized(module, tensor_name):
        raise ValueError(f'Module {module} does not have a parametrization on {tensor_name}')
    plist = module.parametrizations[tensor_name]
    if plist.is_tensor:
        original = plist.original
        if leave_parametrized:
            with no_grad():
                t = getattr(module, tensor_name)
                try:
                    _set(original, t)
                except RuntimeError as e:
                    if type(original) is Tensor:
                        raise
                    raise RuntimeError(_SET_SUBCLASS_ERROR) from e
    else:
        if not leave_parametrized:
            raise ValueError('Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is '
                             'parametrized in terms of a sequence of tensors.')
        t = getattr(module, tensor_name)
        original = Parameter(t) if t.requires_grad else t
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    _register(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, 'parametrizations')
        module.__class__ = module.__class__.__bases__[0]
    return module


_SET_SUBCLASS_ERROR = (
    'Calling remove_parametrizations() with leave_parametrized=True for a parameter that is an instance of a tensor '
    'subclass requires set_() to be implemented correctly for the tensor subclass.Alternatively, one can opt into the '
    'swap_tensors pathEither set leave_parametrized=False or provide a working implementationfor set_() in the tensor '
    'subclass or set torch.__future__.set_swap_module_params_on_conversion(True).')


def type_before_parametrizations(module):
    return module.__class__.__bases__[0] if is_parametrized(module) else type(module)


def transfer_parametrizations_and_params(from_module, to_module, tensor_name=None):
    if is_parametrized(from_module):
        names = from_module.parametrizations if tensor_name is None else [tensor_name]
        for name in names:
            if not hasattr(to_module, name):
                setattr(to_module, name, Parameter(getattr(from_module, name)))
            for fn in from_module.parametrizations[name]:
                register_parametrization(to_module, name, fn)
            src = from_module.parametrizations[name]
            if hasattr(src, 'original'):
                to_module.parametrizations[name].original = src.original
            else:
                i = 0
                while hasattr(src, f'original{i}'):
                    setattr(to_module.parametrizations[name], f'original{i}', getattr(src, f'original{i}'))
                    i += 1
    return to_module
