"""torch.utils.hooks: the handle that removes a registered hook, used by modules and optimizers."""
import os
import sys
import warnings
import weakref
from collections import OrderedDict

__all__ = ['RemovableHandle', 'unserializable_hook', 'warn_if_has_hooks', 'BackwardHook']


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

    @classmethod
    def _in_list(cls, lst, item):
        """A handle for a hook an autograd node keeps in a list: it still takes the next id, as torch's
        tensor and node hooks share the counter with module hooks."""
        h = cls(OrderedDict())
        h._list, h._item = lst, item
        return h

    def remove(self):
        lst = self.__dict__.get('_list')
        if lst is not None:
            try:
                lst.remove(self._item)
            except ValueError:
                pass
            return
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


def warn_if_has_hooks(tensor):
    for hook in (getattr(tensor, '_backward_hooks', None) or {}).values():
        if not hasattr(hook, '__torch_unserializable__'):
            warnings.warn(f'backward hook {repr(hook)} on tensor will not be serialized.  If this is expected, you '
                          'can decorate the function with @torch.utils.hooks.unserializable_hook to suppress this '
                          'warning')


def _warn_outside_faketorch(msg):
    """Warn at the first caller frame outside faketorch: torch's engine calls the hook from C++, so
    its warning points at the user's backward() line."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    f, level = sys._getframe(1), 2
    while f is not None and f.f_code.co_filename.startswith(root + os.sep):
        f, level = f.f_back, level + 1
    warnings.warn(msg, stacklevel=level)


class BackwardHook:
    """Full backward (pre-)hooks: identity nodes around a module's inputs and outputs, as torch's
    BackwardHookFunction. A hook on the output node sees grad_output (runs the pre-hooks, which may
    replace it); a hook on the input node sees grad_input and runs the full hooks with both. Non-tensor
    arguments show as None in both tuples."""

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs = None
        self.n_outputs = -1
        self.output_tensors_index = None
        self.n_inputs = -1
        self.input_tensors_index = None

    @staticmethod
    def _pack_with_none(indices, values, size):
        res = [None] * size
        for i, v in zip(indices, values):
            res[i] = v
        return tuple(res)

    @staticmethod
    def _apply_on_tensors(set_hook, args):
        """Pass args' tensors through one identity node (a fresh tensor for each; those not requiring grad
        are non-differentiable outputs) and give the node to set_hook; (new args, tensor positions), or
        (args, None) when no tensor requires grad or grad mode is off."""
        from ..autograd.grad_mode import state
        from .._ops._core import attach
        from .. import _xnp as np
        from .._tensor import Tensor, _make
        idx = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in idx]
        if not state.enabled or not any(t._requires_grad for t in tensors):
            return args, None
        outs = []
        for t in tensors:
            o = _make(t._data, t.dtype, t._device)
            o._vc = t._vc
            outs.append(o)

        def bwd(node, *grads):      # grads undefined here are zeros (torch materializes them)
            return tuple(g if g is not None else
                         _make(np.zeros_like(t._data), t.dtype, t._device)
                         for g, t in zip(grads, tensors))
        node = attach('BackwardHookFunctionBackward', bwd, tuple(tensors), tuple(outs))
        for t, o in zip(tensors, outs):
            if not t._requires_grad:
                o._requires_grad, o._grad_fn = False, None
        set_hook(node)
        new = list(args)
        for i, o in zip(idx, outs):
            new[i] = o
        return tuple(new), idx

    def setup_input_hook(self, args):
        def set_hook(node):
            def hook(grad_input, _):
                if self.grad_outputs is None:   # the gradient reached the inputs without the outputs
                    return None
                res = self._pack_with_none(self.input_tensors_index, grad_input, self.n_inputs)
                for user_hook in self.user_hooks:
                    out = user_hook(self.module, res, self.grad_outputs)
                    if out is None:
                        continue
                    if len(out) != len(res):
                        raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got "
                                           f"{len(out)}, but expected {len(res)}")
                    res = out
                self.grad_outputs = None
                return tuple(res[i] for i in self.input_tensors_index)
            node.register_hook(hook)
        res, self.input_tensors_index = self._apply_on_tensors(set_hook, args)
        self.n_inputs = len(args)
        return res

    def setup_output_hook(self, result):
        def set_hook(node):
            def hook(_, grad_output):
                self.grad_outputs = self._pack_with_none(self.output_tensors_index, grad_output,
                                                         self.n_outputs)
                for pre_hook in self.user_pre_hooks:
                    out = pre_hook(self.module, self.grad_outputs)
                    if out is None:
                        continue
                    if len(out) != len(self.grad_outputs):
                        raise RuntimeError(f"Backward pre hook returned an invalid number of grad_output, "
                                           f"got {len(out)}, but expected {len(self.grad_outputs)}")
                    self.grad_outputs = out
                local = self.grad_outputs
                if self.input_tensors_index is None:    # no input needs grad: the full hooks run now
                    _warn_outside_faketorch(
                        "Full backward hook is firing when gradients are computed with respect to module "
                        "outputs since no inputs require gradients. See "
                        "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                        "#torch.nn.Module.register_full_backward_hook for more details.")
                    grad_inputs = (None,) * self.n_inputs
                    for user_hook in self.user_hooks:
                        res = user_hook(self.module, grad_inputs, self.grad_outputs)
                        if res is not None and not (isinstance(res, tuple) and all(r is None for r in res)):
                            raise RuntimeError("Backward hook for Modules where no input requires gradient "
                                               "should always return None or None for all gradients.")
                    self.grad_outputs = None
                return tuple(local[i] for i in self.output_tensors_index)
            node.register_hook(hook)
        single = not isinstance(result, tuple)
        res, self.output_tensors_index = self._apply_on_tensors(set_hook, (result,) if single else result)
        self.n_outputs = 1 if single else len(result)
        return res[0] if single else res
