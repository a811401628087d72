"""torch.utils.hooks: the handle that removes a registered hook, used by modules and optimizers."""
import weakref
from collections import OrderedDict

__all__ = ['RemovableHandle', 'unserializable_hook']


class RemovableHandle:
    """Removes a hook from one or more dicts by id (`handle.remove()`, or as a context manager)."""
    next_id = 0

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        self.extra_dict_ref = ()
        if isinstance(extra_dict, dict):
            self.extra_dict_ref = (weakref.ref(extra_dict),)
        elif isinstance(extra_dict, list):
            self.extra_dict_ref = tuple(weakref.ref(d) for d in extra_dict)

    def remove(self):
        for ref in (self.hooks_dict_ref,) + tuple(self.extra_dict_ref):
            d = ref()
            if d is not None and self.id in d:
                del d[self.id]

    def __getstate__(self):     # weak references do not pickle: keep the dicts themselves
        return (self.hooks_dict_ref(), self.id, tuple(ref() for ref in self.extra_dict_ref))

    def __setstate__(self, state):
        hooks = state[0] if state[0] is not None else OrderedDict()     # its dict was gone: a dead handle
        self.hooks_dict_ref = weakref.ref(hooks)
        self.id = state[1]
        RemovableHandle.next_id = max(RemovableHandle.next_id, self.id + 1)
        self.extra_dict_ref = tuple(weakref.ref(d) for d in (state[2] if len(state) > 2 and state[2] else ()))

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.remove()


def unserializable_hook(f):
    """Mark a hook as one that is not saved with its tensor (silences torch's warning)."""
    f.__torch_unserializable__ = True
    return f
