"""torch.nn.utils.init: skip_init."""
import inspect

__all__ = ['skip_init']


def skip_init(module_cls, *args, **kwargs):
    """Build `module_cls(*args, **kwargs)` without running its parameter initialisation: the values are
    uninitialised memory and no random numbers are drawn (torch builds on 'meta' then calls to_empty;
    faketorch has no meta device, so the nn.init fillers are switched off during construction)."""
    from ..modules.module import Module
    from .. import init
    if not issubclass(module_cls, Module):
        raise RuntimeError(f'Expected a Module; got {module_cls}')
    if 'device' not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    fillers = {n: f for n, f in vars(init).items() if n.endswith('_') and not n.startswith('_') and callable(f)}
    try:
        for n in fillers:
            setattr(init, n, _keep)
        return module_cls(*args, **kwargs)
    finally:
        for n, f in fillers.items():
            setattr(init, n, f)


def _keep(tensor, *args, **kwargs):
    return tensor
