"""torch.distributed.fsdp.wrap: which submodules get their own wrapper (FSDP, checkpointing).
A policy is either a function policy(module, recurse, nonwrapped_numel) asked twice per module
(recurse=True: descend into it? recurse=False: wrap it?), walked bottom-up by _recursive_wrap,
or a _Policy object that lists the target modules with their wrapper kwargs."""
import contextlib
import copy

from ... import nn

__all__ = ['always_wrap_policy', 'lambda_auto_wrap_policy', 'transformer_auto_wrap_policy',
           'size_based_auto_wrap_policy', 'enable_wrap', 'wrap', 'CustomPolicy', 'ModuleWrapPolicy']


def _post_order_apply(root_module, fn):
    """Children first: where fn(module) returns a module, it replaces module in its parent."""
    visited = {root_module}

    def visit(module, name, parent):
        for child_name, child in module.named_children():
            if child not in visited:
                visited.add(child)
                visit(child, child_name, module)
        new = fn(module)
        if new is not None:
            if not isinstance(parent, nn.Module):
                raise AssertionError('Non-root modules should have their parent module set but got '
                                     f'{parent} for {module}')
            if not name:
                raise AssertionError('Non-root modules should have their module name set but got an empty '
                                     f'module name for {module}')
            if not isinstance(new, nn.Module):
                raise AssertionError(f'fn should return None or an nn.Module but got {new}')
            setattr(parent, name, new)
    visit(root_module, '', None)


def _construct_wrap_fn(root_module, target_module_to_kwargs, fsdp_fn):
    def fn(module):
        if module in target_module_to_kwargs and module is not root_module:
            return fsdp_fn(module, **target_module_to_kwargs[module])
        return None
    return fn


def always_wrap_policy(*args, **kwargs):
    return True


class _Policy:
    def _run_policy(self, root_module, ignored_modules, root_kwargs):
        """{target module: its wrapper's kwargs}."""
        raise NotImplementedError


def _module_wrap_policy(module, recurse, nonwrapped_numel, module_classes):
    return True if recurse else isinstance(module, tuple(module_classes))


class ModuleWrapPolicy(_Policy):
    """Every module of one of module_classes, with the root's kwargs."""

    def __init__(self, module_classes):
        self._module_classes = set(module_classes)
        self._module_classes_str = str(self._module_classes)

    def _run_policy(self, root_module, ignored_modules, root_kwargs):
        classes = tuple(self._module_classes)
        return {m: copy.copy(root_kwargs) for m in root_module.modules()
                if m not in ignored_modules and isinstance(m, classes)}

    def __call__(self, module, recurse, *args, **kwargs):
        return _module_wrap_policy(module, recurse, -1, self._module_classes)

    def __repr__(self):
        return super().__repr__() + f'({self._module_classes_str})'


class CustomPolicy(_Policy):
    """lambda_fn(module) -> False (skip), True (root's kwargs) or a dict overriding them."""

    def __init__(self, lambda_fn):
        self._lambda_fn = lambda_fn

    def _run_policy(self, root_module, ignored_modules, root_kwargs):
        targets = {}
        for module in root_module.modules():
            if module in ignored_modules:
                continue
            res = self._lambda_fn(module)
            if not isinstance(res, (dict, bool)):
                raise ValueError('The lambda_fn passed to CustomPolicy should return False/True or a kwarg dict, '
                                 f'but it returned {res}')
            if res:
                targets[module] = {**root_kwargs, **res} if isinstance(res, dict) else copy.copy(root_kwargs)
        return targets


def lambda_auto_wrap_policy(module, recurse, nonwrapped_numel, lambda_fn):
    return True if recurse else lambda_fn(module)


def transformer_auto_wrap_policy(module, recurse, nonwrapped_numel, transformer_layer_cls):
    return _module_wrap_policy(module, recurse, nonwrapped_numel, transformer_layer_cls)


def _wrap_module_cls_individually(module, module_classes, recurse, *args, **kwargs):
    return True if recurse else isinstance(module, tuple(module_classes))


def _or_policy(module, recurse, nonwrapped_numel, policies):
    return any(p(module=module, recurse=recurse, nonwrapped_numel=nonwrapped_numel) for p in policies)


def size_based_auto_wrap_policy(module, recurse, nonwrapped_numel, min_num_params=int(1e8), force_leaf_modules=None,
                                exclude_wrap_modules=None):
    """Wrap once min_num_params parameters are not yet wrapped; never descend into force_leaf_modules,
    never wrap exclude_wrap_modules."""
    if force_leaf_modules is None:
        force_leaf_modules = size_based_auto_wrap_policy.FORCE_LEAF_MODULES
    if exclude_wrap_modules is None:
        exclude_wrap_modules = size_based_auto_wrap_policy.EXCLUDE_WRAP_MODULES
    is_large = nonwrapped_numel >= min_num_params
    return is_large and not isinstance(module, tuple(force_leaf_modules if recurse else exclude_wrap_modules))


size_based_auto_wrap_policy.EXCLUDE_WRAP_MODULES = {nn.ModuleList, nn.ModuleDict}
size_based_auto_wrap_policy.FORCE_LEAF_MODULES = {nn.MultiheadAttention}


class _ConfigAutoWrap:
    """What enable_wrap set for wrap(): class-level, so one context at a time."""
    in_autowrap_context = False
    wrapper_cls = None
    kwargs = {}

    def __init__(self, **kwargs):
        self.kwargs = kwargs

    def __enter__(self):
        if _ConfigAutoWrap.in_autowrap_context:
            raise NotImplementedError('You are already within an autowrap context and we currently do not '
                                      'supported nested autowrap.')
        kwargs = dict(self.kwargs)
        _ConfigAutoWrap.in_autowrap_context = True
        _ConfigAutoWrap.wrapper_cls = kwargs.pop('wrapper_cls')
        _ConfigAutoWrap.kwargs = kwargs

    def __exit__(self, *exc):
        _ConfigAutoWrap.in_autowrap_context = False
        _ConfigAutoWrap.wrapper_cls = None
        _ConfigAutoWrap.kwargs = {}


@contextlib.contextmanager
def enable_wrap(*, wrapper_cls, **wrapper_kwargs):
    with _ConfigAutoWrap(wrapper_cls=wrapper_cls, **wrapper_kwargs):
        yield


def wrap(module, **wrap_overrides):
    """module wrapped with enable_wrap's class and kwargs (wrap_overrides win); outside it, module."""
    if _ConfigAutoWrap.in_autowrap_context:
        return _wrap(module, _ConfigAutoWrap.wrapper_cls, **{**_ConfigAutoWrap.kwargs, **wrap_overrides})
    return module


def _wrap(module, wrapper_cls, **kwargs):
    if hasattr(module, '_wrap_overrides'):
        kwargs = {**kwargs, **module._wrap_overrides}
    return wrapper_cls(module, **kwargs)


def _recursive_wrap(module, auto_wrap_policy, wrapper_cls, ignored_modules, ignored_params, only_wrap_children=False,
                    **kwargs):
    """(module, or its wrapper; the number of parameters wrapped below and at it)."""
    for _, child in module.named_modules():
        if child in ignored_modules:
            continue
        if isinstance(wrapper_cls, type) and isinstance(child, wrapper_cls):
            raise AssertionError(f'Child module {child} is already wrapped by {wrapper_cls}')
    nonwrapped_numel = sum(p.numel() for p in module.parameters() if p not in ignored_params)
    if not auto_wrap_policy(module=module, recurse=True, nonwrapped_numel=nonwrapped_numel):
        return module, 0
    wrapped_numel = 0
    for name, child in module.named_children():
        if child in ignored_modules:
            continue
        child, n = _recursive_wrap(child, auto_wrap_policy, wrapper_cls, ignored_modules, ignored_params, **kwargs)
        setattr(module, name, child)
        wrapped_numel += n
    if not only_wrap_children and auto_wrap_policy(module=module, recurse=False,
                                                   nonwrapped_numel=nonwrapped_numel - wrapped_numel):
        return _wrap(module, wrapper_cls, **kwargs), nonwrapped_numel
    return module, wrapped_numel
