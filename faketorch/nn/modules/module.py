"""nn.Module: registration of parameters, buffers and submodules; hooks; state_dict; repr."""
import functools
import itertools
import warnings
from collections import OrderedDict, namedtuple
from collections.abc import Mapping
from typing import TypeVar

from ... import _dtype as D
from ..._tensor import Tensor
from ...autograd.grad_mode import state as grad_state
from ...utils.hooks import RemovableHandle, BackwardHook
from ..parameter import Parameter, Buffer, is_lazy

__all__ = ['Module', 'register_module_forward_pre_hook', 'register_module_forward_hook', 'register_module_backward_hook',
           'register_module_full_backward_hook', 'register_module_full_backward_pre_hook',
           'register_module_buffer_registration_hook', 'register_module_module_registration_hook',
           'register_module_parameter_registration_hook']

_EXTRA_STATE_KEY_SUFFIX = '_extra_state'


class _IncompatibleKeys(namedtuple('IncompatibleKeys', ['missing_keys', 'unexpected_keys'])):
    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return '<All keys matched successfully>'
        return super().__repr__()

    __str__ = __repr__


def _addindent(s_, n):
    lines = s_.split('\n')
    if len(lines) == 1:
        return s_
    first = lines.pop(0)
    return first + '\n' + '\n'.join((n * ' ') + l if l.strip() else '' for l in lines)


def _typename(obj):
    """torch.typename: Tensor.type() for tensors, the qualified class name otherwise."""
    if isinstance(obj, Tensor):
        return obj.type()      # torch.cuda.FloatTensor on CUDA
    module = getattr(type(obj), '__module__', '') or ''
    qual = type(obj).__qualname__
    return qual if module in ('builtins', '__builtin__', '') else module + '.' + qual


_global_buffer_registration_hooks = OrderedDict()
_global_module_registration_hooks = OrderedDict()
_global_parameter_registration_hooks = OrderedDict()
_global_forward_pre_hooks = OrderedDict()
_global_forward_hooks = OrderedDict()
_global_forward_hooks_always_called = OrderedDict()
_global_forward_hooks_with_kwargs = OrderedDict()
_global_backward_pre_hooks = OrderedDict()
_global_backward_hooks = OrderedDict()


def _add_hook(hooks, hook, *, extra_dict=None, prepend=False):
    """Store hook under a fresh RemovableHandle id (first, if prepend) and return the handle."""
    h = RemovableHandle(hooks, extra_dict=extra_dict)
    hooks[h.id] = hook
    if prepend:
        hooks.move_to_end(h.id, last=False)
    return h


def _run_registration_hooks(hooks, module, name, value):
    """The global registration hooks may each replace the value being registered."""
    for hook in hooks.values():
        out = hook(module, name, value)
        if out is not None:
            value = out
    return value


def register_module_buffer_registration_hook(hook):
    return _add_hook(_global_buffer_registration_hooks, hook)


def register_module_module_registration_hook(hook):
    return _add_hook(_global_module_registration_hooks, hook)


def register_module_parameter_registration_hook(hook):
    return _add_hook(_global_parameter_registration_hooks, hook)


def register_module_forward_pre_hook(hook):
    return _add_hook(_global_forward_pre_hooks, hook)


def register_module_forward_hook(hook, *, with_kwargs=False, always_call=False):
    # torch's handle does not reach the with_kwargs dict here (unlike Module.register_forward_hook)
    h = _add_hook(_global_forward_hooks, hook, extra_dict=_global_forward_hooks_always_called)
    if with_kwargs:
        _global_forward_hooks_with_kwargs[h.id] = True
    if always_call:
        _global_forward_hooks_always_called[h.id] = True
    return h


_global_is_full_backward_hook = None


def _set_global_backward_hook_kind(full):
    global _global_is_full_backward_hook
    if _global_is_full_backward_hook is (not full):
        raise RuntimeError('Cannot use both regular backward hooks and full backward hooks as a global Module '
                           'hook. Please use only one of them.')
    _global_is_full_backward_hook = full


def register_module_backward_hook(hook):
    _set_global_backward_hook_kind(False)
    return _add_hook(_global_backward_hooks, hook)


def register_module_full_backward_pre_hook(hook):
    return _add_hook(_global_backward_pre_hooks, hook)


def register_module_full_backward_hook(hook):
    _set_global_backward_hook_kind(True)
    return _add_hook(_global_backward_hooks, hook)


def _forward_unimplemented(self, *input):
    raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')


class Module:
    """Base class for all neural network modules."""
    dump_patches = False
    T_destination = TypeVar('T_destination', bound=dict)
    _version = 1
    training: bool
    call_super_init = False
    forward = _forward_unimplemented

    def __init__(self, *args, **kwargs):
        if self.call_super_init is False and bool(kwargs):
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                            f"'{next(iter(kwargs))}'")
        if self.call_super_init is False and bool(args):
            raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument but "
                            f"{len(args) + 1} were given")
        d = self.__dict__
        d['training'] = True
        d['_parameters'] = {}
        d['_buffers'] = {}
        d['_non_persistent_buffers_set'] = set()
        d['_backward_pre_hooks'] = OrderedDict()
        d['_backward_hooks'] = OrderedDict()
        d['_is_full_backward_hook'] = None
        d['_forward_hooks'] = OrderedDict()
        d['_forward_hooks_with_kwargs'] = OrderedDict()
        d['_forward_hooks_always_called'] = OrderedDict()
        d['_forward_pre_hooks'] = OrderedDict()
        d['_forward_pre_hooks_with_kwargs'] = OrderedDict()
        d['_state_dict_hooks'] = OrderedDict()
        d['_state_dict_pre_hooks'] = OrderedDict()
        d['_load_state_dict_pre_hooks'] = OrderedDict()
        d['_load_state_dict_post_hooks'] = OrderedDict()
        d['_modules'] = {}
        if self.call_super_init:
            super().__init__(*args, **kwargs)

    # --- registration ---
    def _check_member_name(self, kind, name, store):
        """register_buffer / register_parameter's checks on the name, in torch's order."""
        if store not in self.__dict__:
            raise AttributeError(f'cannot assign {kind} before Module.__init__() call')
        if not isinstance(name, str):
            raise TypeError(f'{kind} name should be a string. Got {_typename(name)}')
        if '.' in name:
            raise KeyError(f'{kind} name can\'t contain "."')
        if name == '':
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if hasattr(self, name) and name not in self.__dict__[store]:
            raise KeyError(f"attribute '{name}' already exists")

    def register_buffer(self, name, tensor, persistent=True):
        self._check_member_name('buffer', name, '_buffers')
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(torch Tensor or None required)")
        self._buffers[name] = _run_registration_hooks(_global_buffer_registration_hooks, self, name, tensor)
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name, param):
        self._check_member_name('parameter', name, '_parameters')
        if param is None:
            self._parameters[name] = None
            return
        if not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(torch.nn.Parameter or None required)")
        if param.grad_fn:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters "
                             f"must be created explicitly. To express '{name}' as a function of another "
                             "Tensor, compute the value in the forward() method.")
        self._parameters[name] = _run_registration_hooks(_global_parameter_registration_hooks, self, name,
                                                         param)

    def add_module(self, name, module):
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f'{_typename(module)} is not a Module subclass')
        if not isinstance(name, str):
            raise TypeError(f'module name should be a string. Got {_typename(name)}')
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if '.' in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == '':
            raise KeyError('module name can\'t be empty string ""')
        self._modules[name] = _run_registration_hooks(_global_module_registration_hooks, self, name, module)

    def register_module(self, name, module):
        self.add_module(name, module)

    def get_submodule(self, target):
        if target == '':
            return self
        mod = self
        for item in target.split('.'):
            if not hasattr(mod, item):
                raise AttributeError(mod._get_name() + ' has no attribute `' + item + '`')
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError('`' + item + '` is not an nn.Module')
        return mod

    def set_submodule(self, target, module, strict=False):
        if target == '':
            raise ValueError('Cannot set the submodule without a target name!')
        atoms = target.split('.')
        if not isinstance(module, Module):
            raise ValueError('`module` is not an nn.Module, found ' + str(type(module)))
        mod = self.get_submodule('.'.join(atoms[:-1])) if len(atoms) > 1 else self
        if strict and not hasattr(mod, atoms[-1]):
            raise AttributeError(mod._get_name() + ' has no attribute `' + atoms[-1] + '`')
        if hasattr(mod, atoms[-1]) and not isinstance(getattr(mod, atoms[-1]), Module):
            raise AttributeError('`' + atoms[-1] + '` is not an nn.Module')
        setattr(mod, atoms[-1], module)

    def _get_member(self, target):
        """(owning module, attribute name, value) for a dotted target, as get_parameter/get_buffer."""
        module_path, _, name = target.rpartition('.')
        mod = self.get_submodule(module_path)
        if not hasattr(mod, name):
            raise AttributeError(mod._get_name() + ' has no attribute `' + name + '`')
        return mod, name, getattr(mod, name)

    def get_parameter(self, target):
        _, name, param = self._get_member(target)
        if not isinstance(param, Parameter):
            raise AttributeError('`' + name + '` is not an nn.Parameter')
        return param

    def get_buffer(self, target):
        mod, name, buf = self._get_member(target)
        if name not in mod._buffers:
            raise AttributeError('`' + name + '` is not a buffer')
        return buf

    def get_extra_state(self):
        raise RuntimeError('Reached a code path in Module.get_extra_state() that should never be called. '
                           'Please file an issue at https://github.com/pytorch/pytorch/issues/new?template'
                           '=bug-report.yml to report this bug.')

    def set_extra_state(self, state):
        raise RuntimeError('Reached a code path in Module.set_extra_state() that should never be called. '
                           'Please file an issue at https://github.com/pytorch/pytorch/issues/new?template'
                           '=bug-report.yml to report this bug.')

    # --- attribute protocol ---
    def __getattr__(self, name):
        d = self.__dict__
        if '_parameters' in d:
            p = d['_parameters']
            if name in p:
                return p[name]
        if '_buffers' in d:
            b = d['_buffers']
            if name in b:
                return b[name]
        if '_modules' in d:
            m = d['_modules']
            if name in m:
                return m[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        d = self.__dict__

        def remove_from(*containers):
            for c in containers:
                if name in c:
                    if isinstance(c, dict):
                        del c[name]
                    else:
                        c.discard(name)
        params = d.get('_parameters')
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError('cannot assign parameters before Module.__init__() call')
            remove_from(d, self._buffers, self._modules, self._non_persistent_buffers_set)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            self.register_parameter(name, value)
        else:
            modules = d.get('_modules')
            if isinstance(value, Module):
                if modules is None:
                    raise AttributeError('cannot assign module before Module.__init__() call')
                remove_from(d, self._parameters, self._buffers, self._non_persistent_buffers_set)
                modules[name] = _run_registration_hooks(_global_module_registration_hooks, self, name, value)
            elif modules is not None and name in modules:
                if value is not None:
                    raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                    "(torch.nn.Module or None expected)")
                modules[name] = value
            else:
                buffers = d.get('_buffers')
                if isinstance(value, Buffer) or (buffers is not None and name in buffers):
                    if value is not None and not isinstance(value, Tensor):
                        raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                        "(torch.nn.Buffer, torch.Tensor or None expected)")
                    persistent = value.persistent if isinstance(value, Buffer) \
                        else name not in self._non_persistent_buffers_set
                    self.register_buffer(name, value, persistent)
                else:
                    object.__setattr__(self, name, value)

    def __delattr__(self, name):
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def __setstate__(self, state):
        self.__dict__.update(state)
        for k in ('_forward_pre_hooks', '_forward_pre_hooks_with_kwargs', '_forward_hooks',
                  '_forward_hooks_with_kwargs', '_forward_hooks_always_called', '_state_dict_hooks',
                  '_state_dict_pre_hooks', '_load_state_dict_pre_hooks', '_load_state_dict_post_hooks',
                  '_backward_pre_hooks'):
            if k not in self.__dict__:
                self.__dict__[k] = OrderedDict()
        if '_non_persistent_buffers_set' not in self.__dict__:
            self._non_persistent_buffers_set = set()
        if '_is_full_backward_hook' not in self.__dict__:
            self._is_full_backward_hook = None

    def __getstate__(self):
        return self.__dict__.copy()

    def __dir__(self):
        keys = dir(self.__class__) + list(self.__dict__) + list(self._parameters) + \
            list(self._modules) + list(self._buffers)
        return sorted(k for k in keys if not k[0].isdigit())

    # --- calling ---
    def _call_impl(self, *args, **kwargs):
        d = self.__dict__
        try:
            hooked = d['_backward_hooks'] or d['_backward_pre_hooks'] or d['_forward_hooks'] \
                or d['_forward_pre_hooks']
        except KeyError as e:       # Module.__init__ was not called
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{e.args[0]}'") from None
        if not (hooked or _global_forward_hooks or _global_forward_pre_hooks or _global_backward_hooks
                or _global_backward_pre_hooks):
            return self.forward(*args, **kwargs)
        return self._call_with_hooks(args, kwargs)

    __call__ = _call_impl

    def _call_with_hooks(self, args, kwargs):
        # st: what the always-called forward hooks see if anything below raises, as torch's inner()
        st = {'args': args, 'kwargs': kwargs, 'result': None, 'called': set()}
        try:
            return self._hooked_forward(st)
        except Exception:
            self._run_always_called_hooks(st)
            raise

    def _hooked_forward(self, st):
        args, kwargs = st['args'], st['kwargs']
        full, non_full = self._get_backward_hooks()
        pre = [*_global_backward_pre_hooks.values(), *self._backward_pre_hooks.values()]
        for hook_id, hook in (*_global_forward_pre_hooks.items(), *self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                res = hook(self, args, kwargs)
                if res is not None:
                    if isinstance(res, tuple) and len(res) == 2:
                        args, kwargs = st['args'], st['kwargs'] = res
                    else:
                        raise RuntimeError('forward pre-hook must return None or a tuple of '
                                           f'(new_args, new_kwargs), but got {res}.')
            else:
                res = hook(self, args)
                if res is not None:
                    args = st['args'] = res if isinstance(res, tuple) else (res,)
        bw = None
        if full or pre:
            bw = BackwardHook(self, full, pre)
            args = st['args'] = bw.setup_input_hook(args)
        result = st['result'] = self.forward(*args, **kwargs)
        for hook_id, hook in (*_global_forward_hooks.items(), *self._forward_hooks.items()):
            if hook_id in self._forward_hooks_always_called or hook_id in _global_forward_hooks_always_called:
                st['called'].add(hook_id)
            if hook_id in self._forward_hooks_with_kwargs or hook_id in _global_forward_hooks_with_kwargs:
                res = hook(self, args, kwargs, result)
            else:
                res = hook(self, args, result)
            if res is not None:
                result = st['result'] = res
        if bw is not None:
            if not isinstance(result, (Tensor, tuple)):
                warnings.warn('For backward hooks to be called, module output should be a Tensor or a tuple of '
                              f'Tensors but received {type(result)}', stacklevel=4)
            result = st['result'] = bw.setup_output_hook(result)
        if non_full:
            var = result
            while not isinstance(var, Tensor):
                var = next(v for v in var.values() if isinstance(v, Tensor)) if isinstance(var, dict) else var[0]
            if var.grad_fn is not None:
                for hook in non_full:
                    var.grad_fn.register_hook(functools.partial(hook, self))
                self._maybe_warn_non_full_backward_hook(args, result, var.grad_fn)
        return result

    def _run_always_called_hooks(self, st):
        """After an error: the always_call forward hooks not yet run, globals first; torch passes kwargs only
        to the module's own with_kwargs hooks here, and silences (with a warning) what they raise."""
        args, kwargs, result = st['args'], st['kwargs'], st['result']
        for where, hooks, always, with_kwargs in (('global module', _global_forward_hooks,
                                                   _global_forward_hooks_always_called, {}),
                                                  ('module', self._forward_hooks, self._forward_hooks_always_called,
                                                   self._forward_hooks_with_kwargs)):
            for hook_id, hook in list(hooks.items()):
                if hook_id not in always or hook_id in st['called']:
                    continue
                try:
                    res = hook(self, args, kwargs, result) if hook_id in with_kwargs else hook(self, args, result)
                    if res is not None:
                        result = res
                except Exception as e:
                    warnings.warn(f'{where} forward hook with ``always_call=True`` raised an exception that was '
                                  f'silenced as another error was raised in forward: {str(e)}', stacklevel=4)

    def _get_backward_hooks(self):
        """(full backward hooks, regular backward hooks): global ones first, as torch."""
        full, non_full = [], []
        for is_full, hooks in ((_global_is_full_backward_hook, _global_backward_hooks),
                               (self._is_full_backward_hook, self._backward_hooks)):
            if is_full is not None:
                (full if is_full else non_full).extend(hooks.values())
        return full, non_full

    def _maybe_warn_non_full_backward_hook(self, inputs, result, grad_fn):
        result = (result,) if isinstance(result, Tensor) else result
        inputs = (inputs,) if isinstance(inputs, Tensor) else inputs
        for seq, what, part in ((result, 'return', 'grad_output'), (inputs, 'take as input', 'grad_input')):
            if not (isinstance(seq, tuple) and all(isinstance(t, Tensor) for t in seq)):
                warnings.warn(f'Using non-full backward hooks on a Module that does not {what} a single Tensor or '
                              'a tuple of Tensors is deprecated and will be removed in future versions. This hook '
                              f'will be missing some of the {part}. Please use register_full_backward_hook to get '
                              'the documented behavior.', FutureWarning, stacklevel=4)
                return
        out_fns = {r.grad_fn for r in result if r.grad_fn is not None}
        if not out_fns or (len(out_fns) == 1 and grad_fn not in out_fns):
            msg = ('Using a non-full backward hook when outputs are nested in python data structure is deprecated '
                   'and will be removed in future versions. This hook will be missing some grad_output.')
        elif len(out_fns) > 1:
            msg = ('Using a non-full backward hook when outputs are generated by different autograd Nodes is '
                   'deprecated and will be removed in future versions. This hook will be missing some grad_output. '
                   'Please use register_full_backward_hook to get the documented behavior.')
        elif {i.grad_fn for i in inputs if i.grad_fn is not None} != {n[0] for n in grad_fn.next_functions}:
            msg = ('Using a non-full backward hook when the forward contains multiple autograd Nodes is deprecated '
                   'and will be removed in future versions. This hook will be missing some grad_input. Please use '
                   'register_full_backward_hook to get the documented behavior.')
        else:
            return
        warnings.warn(msg, FutureWarning, stacklevel=4)

    # --- hooks ---
    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        h = _add_hook(self._forward_pre_hooks, hook, extra_dict=self._forward_pre_hooks_with_kwargs,
                      prepend=prepend)
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[h.id] = True
        return h

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        h = _add_hook(self._forward_hooks, hook, prepend=prepend,
                      extra_dict=[self._forward_hooks_with_kwargs, self._forward_hooks_always_called])
        if with_kwargs:
            self._forward_hooks_with_kwargs[h.id] = True
        if always_call:
            self._forward_hooks_always_called[h.id] = True
        return h

    def register_full_backward_pre_hook(self, hook, prepend=False):
        return _add_hook(self._backward_pre_hooks, hook, prepend=prepend)

    def _set_backward_hook_kind(self, full):
        """Regular and full backward hooks exclude each other on one module."""
        if self._is_full_backward_hook is (not full):
            raise RuntimeError('Cannot use both regular backward hooks and full backward hooks on a '
                               'single Module. Please use only one of them.')
        self._is_full_backward_hook = full

    def register_full_backward_hook(self, hook, prepend=False):
        self._set_backward_hook_kind(True)
        return _add_hook(self._backward_hooks, hook, prepend=prepend)

    def register_backward_hook(self, hook):
        self._set_backward_hook_kind(False)
        return _add_hook(self._backward_hooks, hook)

    def _register_state_dict_hook(self, hook):
        if getattr(hook, '_from_public_api', False):
            raise RuntimeError('Cannot register the same function as the state dict post hook that was previously '
                               'registered via register_state_dict_post_hook')
        return _add_hook(self._state_dict_hooks, hook)

    def register_state_dict_post_hook(self, hook):
        hook._from_public_api = True     # its result must be None (the private hook may return a new dict)
        return _add_hook(self._state_dict_hooks, hook)

    def register_state_dict_pre_hook(self, hook):
        return _add_hook(self._state_dict_pre_hooks, hook)

    def _register_load_state_dict_pre_hook(self, hook, with_module=False):
        return _add_hook(self._load_state_dict_pre_hooks, functools.partial(hook, self) if with_module else hook)

    def register_load_state_dict_pre_hook(self, hook):
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def register_load_state_dict_post_hook(self, hook):
        return _add_hook(self._load_state_dict_post_hooks, hook)

    # --- traversal ---
    def _named_members(self, get_members_fn, prefix='', recurse=True, remove_duplicate=True):
        memo = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        for module_prefix, module in modules:
            for k, v in get_members_fn(module):
                if v is None or v in memo:
                    continue
                if remove_duplicate:
                    memo.add(v)
                yield (module_prefix + ('.' if module_prefix else '') + k, v)

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_parameters(self, prefix='', recurse=True, remove_duplicate=True):
        yield from self._named_members(lambda m: m._parameters.items(), prefix=prefix, recurse=recurse,
                                       remove_duplicate=remove_duplicate)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def named_buffers(self, prefix='', recurse=True, remove_duplicate=True):
        yield from self._named_members(lambda m: m._buffers.items(), prefix=prefix, recurse=recurse,
                                       remove_duplicate=remove_duplicate)

    def children(self):
        for _, m in self.named_children():
            yield m

    def named_children(self):
        memo = set()
        for name, m in self._modules.items():
            if m is not None and m not in memo:
                memo.add(m)
                yield name, m

    def modules(self, remove_duplicate=True):
        for _, m in self.named_modules(remove_duplicate=remove_duplicate):
            yield m

    def named_modules(self, memo=None, prefix='', remove_duplicate=True):
        if memo is None:
            memo = set()
        if self not in memo:
            if remove_duplicate:
                memo.add(self)
            yield prefix, self
            for name, m in self._modules.items():
                if m is None:
                    continue
                sub = prefix + ('.' if prefix else '') + name
                yield from m.named_modules(memo, sub, remove_duplicate)

    def __hash__(self):
        return id(self)

    # --- modes ---
    def train(self, mode=True):
        if not isinstance(mode, bool):
            raise ValueError('training mode is expected to be boolean')
        self.training = mode
        for m in self.children():
            m.train(mode)
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        if getattr(self, '_is_replica', False):
            warnings.warn('Calling .zero_grad() from a module created with nn.DataParallel() has no effect. The '
                          'parameters are copied (in a differentiable manner) from the original module. This means '
                          "they are not leaf nodes in autograd and so don't accumulate gradients. If you need "
                          'gradients in your forward method, consider using autograd.grad instead.', stacklevel=2)
        for p in self.parameters():
            if p.grad is not None:
                if set_to_none:
                    p.grad = None
                else:
                    g = p.grad
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g.requires_grad_(False)
                    g.zero_()

    def share_memory(self):
        return self._apply(lambda t: t.share_memory_())

    def apply(self, fn):
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # --- conversion ---
    def _apply(self, fn, recurse=True):
        if recurse:
            for m in self.children():
                m._apply(fn)
        from ... import __future__ as future
        # torch keeps the Parameter (and grad) objects and swaps their data, unless asked to make new ones
        overwrite = future.get_overwrite_module_params_on_conversion()
        for key, param in self._parameters.items():
            if param is None:
                continue
            with _no_grad():
                applied = fn(param)
            grad = param.grad
            if overwrite:
                param = self._parameters[key] = Parameter(applied, param.requires_grad)
            else:
                param.data = applied
            if grad is not None:
                with _no_grad():
                    g = fn(grad)
                if overwrite:
                    param.grad = g.requires_grad_(grad.requires_grad)
                else:
                    param.grad.data = g
        for key, buf in self._buffers.items():
            if buf is not None:
                self._buffers[key] = fn(buf)
        return self

    def cuda(self, device=None):
        return self._apply(lambda t: t.cuda(device))

    def cpu(self):
        return self._apply(lambda t: t.cpu())

    def ipu(self, device=None):
        return self._apply(lambda t: t.ipu(device))

    def xpu(self, device=None):
        return self._apply(lambda t: t.xpu(device))

    def mtia(self, device=None):
        return self._apply(lambda t: t.mtia(device))

    def type(self, dst_type):
        return self._apply(lambda t: t.type(dst_type))

    def float(self):
        return self._apply(lambda t: t.float() if t.is_floating_point() else t)

    def double(self):
        return self._apply(lambda t: t.double() if t.is_floating_point() else t)

    def half(self):
        return self._apply(lambda t: t.half() if t.is_floating_point() else t)

    def bfloat16(self):
        return self._apply(lambda t: t.bfloat16() if t.is_floating_point() else t)

    def to_empty(self, *, device, recurse=True):
        from ... import empty_like
        return self._apply(lambda t: empty_like(t, device=device), recurse=recurse)

    def to(self, *args, **kwargs):
        device, dtype, non_blocking, memory_format = _parse_to(args, kwargs)
        if dtype is not None and not (dtype.is_floating_point or dtype.is_complex):
            raise TypeError('nn.Module.to only accepts floating point or complex dtypes, but got '
                            f'desired dtype={dtype}')
        if dtype is not None and dtype.is_complex:
            warnings.warn('Complex modules are a new feature under active development whose design may change, and '
                          'some modules might not work as expected when using complex tensors as parameters or '
                          'buffers. Please file an issue at https://github.com/pytorch/pytorch/issues/new?template='
                          'bug-report.yml if a complex module does not work as expected.', stacklevel=2)

        def convert(t):
            dt = dtype if t.is_floating_point() or t.is_complex() else None
            if memory_format is not None and t.dim() in (4, 5):
                return t.to(device, dt, non_blocking, memory_format=memory_format)
            return t.to(device, dt, non_blocking)
        return self._apply(convert)

    # --- state dict ---
    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = b if keep_vars else b.detach()
        if getattr(self.__class__, 'get_extra_state', Module.get_extra_state) is not Module.get_extra_state:
            destination[prefix + _EXTRA_STATE_KEY_SUFFIX] = self.get_extra_state()

    def state_dict(self, *args, destination=None, prefix='', keep_vars=False):
        if args:
            warnings.warn('Positional args are being deprecated, use kwargs instead. Refer to '
                          'https://pytorch.org/docs/main/generated/torch.nn.Module.html#torch.nn.Module.state_dict'
                          ' for details.', FutureWarning, stacklevel=2)
            destination = args[0] if len(args) > 0 and destination is None else destination
            prefix = args[1] if len(args) > 1 and prefix == '' else prefix
            keep_vars = args[2] if len(args) > 2 and keep_vars is False else keep_vars
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        local_metadata = dict(version=self._version)
        if hasattr(destination, '_metadata'):
            destination._metadata[prefix[:-1]] = local_metadata
        for hook in self._state_dict_pre_hooks.values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, m in self._modules.items():
            if m is not None:
                m.state_dict(destination=destination, prefix=prefix + name + '.', keep_vars=keep_vars)
        for hook in self._state_dict_hooks.values():
            res = hook(self, destination, prefix, local_metadata)
            if getattr(hook, '_from_public_api', False):
                if res is not None:
                    raise RuntimeError('state_dict post-hook must return None')
            elif res is not None:
                destination = res
        return destination

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        for hook in self._load_state_dict_pre_hooks.values():
            hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
        local_state = {k: v for k, v in itertools.chain(
            self._parameters.items(),
            ((k, v) for k, v in self._buffers.items() if k not in self._non_persistent_buffers_set))
            if v is not None}
        assign = local_metadata.get('assign_to_params_buffers', False)
        for name, param in local_state.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            inp = state_dict[key]
            if not isinstance(inp, Tensor):
                error_msgs.append(f'While copying the parameter named "{key}", expected torch.Tensor or '
                                  f'Tensor-like object from checkpoint but received {type(inp)}')
                continue
            lazy = is_lazy(param)
            if not lazy and param.ndim == 0 and inp.ndim == 1 and inp.shape[0] == 1:
                inp = inp[0]
            if not lazy and inp.shape != param.shape:
                error_msgs.append(f'size mismatch for {key}: copying a param with shape {inp.shape} from '
                                  f'checkpoint, the shape in current model is {param.shape}.')
                continue
            if param.is_meta and not inp.is_meta and not assign:
                warnings.warn(f"for {key}: copying from a non-meta parameter in the checkpoint to a meta parameter in "
                              "the current model, which is a no-op. (Did you mean to pass `assign=True` to assign "
                              "items in the state dictionary to their corresponding key in the module instead of "
                              "copying them in place?)", stacklevel=2)
            try:
                with _no_grad():
                    if assign:
                        if isinstance(param, Parameter):
                            if not isinstance(inp, Parameter):
                                inp = Parameter(inp, requires_grad=param.requires_grad)
                            else:
                                inp.requires_grad_(param.requires_grad)
                        setattr(self, name, inp)
                    else:
                        param.copy_(inp)
            except Exception as ex:
                error_msgs.append(f'While copying the parameter named "{key}", whose dimensions in the '
                                  f'model are {param.size()} and whose dimensions in the checkpoint are '
                                  f'{inp.size()}, an exception occurred : {ex.args}.')
        extra_key = prefix + _EXTRA_STATE_KEY_SUFFIX
        if getattr(self.__class__, 'set_extra_state', Module.set_extra_state) is not Module.set_extra_state:
            if extra_key in state_dict:
                self.set_extra_state(state_dict[extra_key])
            elif strict:
                missing_keys.append(extra_key)
        elif strict and extra_key in state_dict:
            unexpected_keys.append(extra_key)
        if strict:
            for key in state_dict:
                if key.startswith(prefix) and key != extra_key:
                    parts = key[len(prefix):].split('.', 1)
                    if len(parts) > 1:
                        if parts[0] not in self._modules:
                            unexpected_keys.append(key)
                    elif parts[0] not in local_state:
                        unexpected_keys.append(key)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        if not isinstance(state_dict, Mapping):
            raise TypeError(f'Expected state_dict to be dict-like, got {type(state_dict)}.')
        missing, unexpected, errors = [], [], []
        metadata = getattr(state_dict, '_metadata', None)
        state_dict = OrderedDict(state_dict)
        if metadata is not None:
            state_dict._metadata = metadata

        def load(module, local_sd, prefix=''):
            local_metadata = {} if metadata is None else dict(metadata.get(prefix[:-1], {}))
            if assign:
                local_metadata['assign_to_params_buffers'] = assign
            module._load_from_state_dict(local_sd, prefix, local_metadata, True, missing, unexpected, errors)
            for name, child in module._modules.items():
                if child is not None:
                    cp = prefix + name + '.'
                    load(child, {k: v for k, v in local_sd.items() if k.startswith(cp)}, cp)
            inc = _IncompatibleKeys(missing, unexpected)
            for hook in module._load_state_dict_post_hooks.values():
                if hook(module, inc) is not None:
                    raise AssertionError('Hooks registered with ``register_load_state_dict_post_hook`` are '
                                         'not expected to return new values, if incompatible_keys need to '
                                         'be modified, it should be done inplace.')
        load(self, state_dict)
        if strict:
            if unexpected:
                errors.insert(0, 'Unexpected key(s) in state_dict: {}. '.format(
                    ', '.join(f'"{k}"' for k in unexpected)))
            if missing:
                errors.insert(0, 'Missing key(s) in state_dict: {}. '.format(
                    ', '.join(f'"{k}"' for k in missing)))
        if errors:
            raise RuntimeError('Error(s) in loading state_dict for {}:\n\t{}'.format(
                self.__class__.__name__, '\n\t'.join(errors)))
        return _IncompatibleKeys(missing, unexpected)

    # --- repr ---
    def _get_name(self):
        return self.__class__.__name__

    def extra_repr(self):
        return ''

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split('\n') if extra else []
        child_lines = ['(' + k + '): ' + _addindent(repr(m), 2) for k, m in self._modules.items()]
        lines = extra_lines + child_lines
        s = self._get_name() + '('
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                s += extra_lines[0]
            else:
                s += '\n  ' + '\n  '.join(lines) + '\n'
        return s + ')'

    def compile(self, *args, **kwargs):
        pass

    def _replicate_for_data_parallel(self):
        replica = self.__new__(type(self))
        replica.__dict__ = self.__dict__.copy()
        replica._parameters = {}
        replica._buffers = replica._buffers.copy()
        replica._modules = replica._modules.copy()
        replica._is_replica = True
        return replica


class _no_grad:
    def __enter__(self):
        self.prev = grad_state.enabled
        grad_state.enabled = False

    def __exit__(self, *a):
        grad_state.enabled = self.prev


def _parse_to(args, kwargs):
    """(device, dtype, non_blocking, memory_format) from Module.to's arguments: Tensor.to's overloads, less copy."""
    from ..._ops.misc import _to_args, _to_device
    from ..._ops.factory import _dtype_arg
    i, vals = _to_args(args, kwargs)
    if 'copy' in kwargs or len(args) > (3 if i == 0 else 2):
        raise RuntimeError('.to() does not accept copy argument')
    device, dtype = vals.get('device'), _dtype_arg(vals.get('dtype'), 'to')
    if 'tensor' in vals:
        device, dtype = vals['tensor'].device, vals['tensor'].dtype
    return None if device is None else _to_device(device), dtype, vals['non_blocking'], vals['memory_format']
