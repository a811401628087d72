"""torch.distributed.optim._apply_optimizer_in_backward: each parameter gets its own optimizer, stepped
by a hook on its AccumulateGrad node as soon as its gradient is accumulated (the gradient is then
dropped), so a step never holds every gradient at once."""
import weakref

__all__ = []



class _WeakTensorKeyDict:
    """A dict keyed by tensors by identity (a Tensor's == is elementwise), an entry dropped with its tensor."""
    def __init__(self):
        self._d = {}

    def __contains__(self, t):
        e = self._d.get(id(t))
        return e is not None and e[0]() is t

    def __getitem__(self, t):
        if t not in self:
            raise KeyError(t)
        return self._d[id(t)][1]

    def __setitem__(self, t, value):
        k = id(t)

        def drop(r):
            if self._d.get(k, (None,))[0] is r:
                del self._d[k]
        self._d[k] = (weakref.ref(t, drop), value)

    def setdefault(self, t, value):
        if t not in self:
            self[t] = value
        return self[t]


param_to_optim_hook_handle_map = _WeakTensorKeyDict()
param_to_acc_grad_map = _WeakTensorKeyDict()


def _apply_optimizer_in_backward(optimizer_class, params, optimizer_kwargs, register_hook=True):
    for param in params:
        _apply_to_param(param, optimizer_class, optimizer_kwargs, register_hook)


def _apply_to_param(param, optimizer_class, optimizer_kwargs, register_hook):
    if param not in param_to_acc_grad_map:
        param_to_acc_grad_map[param] = param.view_as(param).grad_fn.next_functions[0][0]
    optimizer = optimizer_class([param], **optimizer_kwargs)
    if not hasattr(param, '_in_backward_optimizers'):
        param._in_backward_optimizers = []
        param._optimizer_classes = []
        param._optimizer_kwargs = []
    param._in_backward_optimizers.append(optimizer)
    param._optimizer_classes.append(optimizer_class)
    param._optimizer_kwargs.append(optimizer_kwargs)
    if not register_hook:
        return

    def optimizer_hook(*_unused):
        for opt in param._in_backward_optimizers:
            opt.step()
        param.grad = None
    handle = param_to_acc_grad_map[param].register_hook(optimizer_hook)
    param_to_optim_hook_handle_map.setdefault(param, []).append(handle)


def _get_in_backward_optimizers(module):
    """The in-backward optimizers of module's parameters (for checkpointing, not to be stepped by hand)."""
    optims = []
    for param in module.parameters():
        optims.extend(getattr(param, '_in_backward_optimizers', []))
    return optims
