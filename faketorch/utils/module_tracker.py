"""torch.utils.module_tracker.ModuleTracker: which modules' forward (or backward) is running, by their
fully qualified names, from global module hooks and multi-grad hooks on each module's inputs and outputs."""
import logging
import weakref

from ..autograd.graph import register_multi_grad_hook, queue_callback, _current_graph_task_id
from ..nn.modules.module import register_module_forward_hook, register_module_forward_pre_hook
from .._tensor import Tensor
from ._pytree import tree_flatten

logger = logging.getLogger(__name__)

__all__ = ['ModuleTracker']


class ModuleTracker:
    """A context manager whose `parents` is the set of names of the modules running now ('Global'
    always among them). In backward a module is entered when gradients reach its outputs and left when
    they reach all of its inputs that require grad; the set is reset to {'Global'} when backward ends."""

    def __init__(self):
        self.parents = {'Global'}
        self._known_modules = weakref.WeakKeyDictionary()
        self._seen_modules = weakref.WeakSet()
        self._has_callback = False
        self._hooks = []

    def _maybe_set_engine_callback(self):
        if self._has_callback:
            return

        def callback():
            self.parents = {'Global'}
            self._has_callback = False
        queue_callback(callback)
        self._has_callback = True

    @property
    def is_bw(self):
        """True while a backward pass runs."""
        return _current_graph_task_id() != -1

    def _get_mod_name(self, mod):
        # a module's name is its class name the first time it is seen; its children get prefix.child
        if mod not in self._known_modules:
            self._known_modules[mod] = type(mod).__name__
        mod_name = self._known_modules[mod]
        if mod not in self._seen_modules:
            for name, submod in mod.named_children():
                self._known_modules[submod] = f'{mod_name}.{name}'
                self._get_mod_name(submod)
            self._seen_modules.add(mod)
        return mod_name

    def _get_append_fn(self, name, is_bw):
        def fn(*args):
            if is_bw:
                self._maybe_set_engine_callback()
            if name in self.parents:
                logger.info("The module hierarchy tracking seems to be broken as this Module was already entered. "
                            "%s during %s", name, 'backward' if is_bw else 'forward')
            self.parents.add(name)
        return fn

    def _get_pop_fn(self, name, is_bw):
        def fn(*args):
            if name in self.parents:
                self.parents.remove(name)
            else:
                logger.info("The Module hierarchy tracking is confused as we're exiting a Module that was never "
                            "entered. %s during %s", name, 'backward' if is_bw else 'forward')
        return fn

    def _fw_pre_hook(self, mod, input):
        name = self._get_mod_name(mod)
        self._get_append_fn(name, False)()
        tensors = [a for a in tree_flatten(input)[0] if isinstance(a, Tensor) and a.requires_grad]
        if tensors:
            self._hooks.append(register_multi_grad_hook(tensors, self._get_pop_fn(name, True)))

    def _fw_post_hook(self, mod, input, output):
        name = self._get_mod_name(mod)
        self._get_pop_fn(name, False)()
        tensors = [a for a in tree_flatten(output)[0] if isinstance(a, Tensor) and a.requires_grad]
        if tensors:
            self._hooks.append(register_multi_grad_hook(tensors, self._get_append_fn(name, True)))

    def __enter__(self):
        self._fw_pre_handle = register_module_forward_pre_hook(self._fw_pre_hook)
        self._fw_post_handle = register_module_forward_hook(self._fw_post_hook)
        return self

    def __exit__(self, *args):
        self._fw_pre_handle.remove()
        self._fw_post_handle.remove()
        for hook in self._hooks:
            hook.remove()
        self._hooks.clear()
