"""Activation checkpointing as a module wrapper: CheckpointWrapper runs its module through
torch.utils.checkpoint. Its state_dict and named_parameters hide the `_checkpoint_wrapped_module.`
level, and load_state_dict puts it back, so a wrapped model and a plain one exchange state dicts."""
import enum
import functools

from .... import nn
from ....autograd.graph import save_on_cpu
from ....utils.checkpoint import checkpoint as _checkpoint
from ...utils import _replace_by_prefix

__all__ = ['CheckpointImpl', 'ActivationWrapper', 'CheckpointWrapper', 'OffloadWrapper', 'checkpoint_wrapper',
           'offload_wrapper', 'apply_activation_checkpointing']

_CHECKPOINT_WRAPPED_MODULE = '_checkpoint_wrapped_module'
_CHECKPOINT_PREFIX = _CHECKPOINT_WRAPPED_MODULE + '.'

CheckpointImpl = enum.Enum('CheckpointImpl', 'REENTRANT NO_REENTRANT', module=__name__)


class ActivationWrapper(nn.Module):
    def __init__(self, mod):
        super().__init__()
        self._checkpoint_wrapped_module = mod
        self._register_state_dict_hook(self._post_state_dict_hook)
        self.register_load_state_dict_pre_hook(self._pre_load_state_dict_hook)

    def forward(self, *args, **kwargs):
        raise ValueError('Subclasses should implement forward().')

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self._checkpoint_wrapped_module, name)

    def __getitem__(self, key):
        return self._checkpoint_wrapped_module.__getitem__(key)

    def named_parameters(self, *args, **kwargs):
        for name, param in super().named_parameters(*args, **kwargs):
            yield name.replace(_CHECKPOINT_PREFIX, ''), param

    @staticmethod
    def _post_state_dict_hook(module, state_dict, prefix, *args):
        _replace_by_prefix(state_dict, f'{prefix}{_CHECKPOINT_PREFIX}', prefix)
        return state_dict

    @staticmethod
    def _pre_load_state_dict_hook(module, state_dict, prefix, *args):
        _replace_by_prefix(state_dict, prefix, prefix + _CHECKPOINT_PREFIX)


class OffloadWrapper(ActivationWrapper):
    def forward(self, *args, **kwargs):
        with save_on_cpu(pin_memory=True):
            return self._checkpoint_wrapped_module(*args, **kwargs)


class CheckpointWrapper(ActivationWrapper):
    def __init__(self, mod, checkpoint_impl=CheckpointImpl.NO_REENTRANT, checkpoint_fn=None, **checkpoint_fn_kwargs):
        super().__init__(mod)
        self.checkpoint_impl = checkpoint_impl
        if checkpoint_fn is None:
            checkpoint_fn = functools.partial(_checkpoint, use_reentrant=checkpoint_impl == CheckpointImpl.REENTRANT)
        self.checkpoint_fn = functools.partial(checkpoint_fn, **checkpoint_fn_kwargs)

    def forward(self, *args, **kwargs):
        if self.checkpoint_impl == CheckpointImpl.REENTRANT and kwargs:
            # reentrant checkpoint takes positional tensors only: the keyword values ride after them
            keys, n = tuple(kwargs), len(args)

            def run(*flat):
                return self._checkpoint_wrapped_module(*flat[:n], **dict(zip(keys, flat[n:])))
            return self.checkpoint_fn(run, *args, *kwargs.values())
        return self.checkpoint_fn(self._checkpoint_wrapped_module, *args, **kwargs)


def offload_wrapper(module):
    return OffloadWrapper(module)


def checkpoint_wrapper(module, checkpoint_impl=CheckpointImpl.NO_REENTRANT, checkpoint_fn=None,
                       **checkpoint_fn_kwargs):
    return CheckpointWrapper(module, checkpoint_impl, checkpoint_fn, **checkpoint_fn_kwargs)


def apply_activation_checkpointing(model, checkpoint_wrapper_fn=checkpoint_wrapper, check_fn=lambda _: True,
                                   auto_wrap_policy=None):
    """Wraps, in place, the submodules (never model itself) that auto_wrap_policy, or else check_fn,
    selects."""
    from ...fsdp import wrap as _wrap
    policy = auto_wrap_policy if auto_wrap_policy is not None else functools.partial(
        _wrap.lambda_auto_wrap_policy, lambda_fn=check_fn)
    if not callable(policy):
        if not isinstance(policy, _wrap._Policy):
            raise ValueError(f'Expected {policy} to be callable or be a pre-defined wrap policy')
        targets = policy._run_policy(model, ignored_modules=set(), root_kwargs={})
        _wrap._post_order_apply(model, _wrap._construct_wrap_fn(model, targets, checkpoint_wrapper_fn))
        return
    _wrap._recursive_wrap(model, policy, checkpoint_wrapper_fn, ignored_modules=set(), ignored_params=set(),
                          only_wrap_children=True)
