"""Names of torch.distributed's subpackages that scripts import at top level, for what faketorch
does not implement (tensor parallelism)."""


def raising(name, message, error=RuntimeError):
    def fn(*args, **kwargs):
        raise error(message)
    fn.__name__ = fn.__qualname__ = name
    return fn


def not_implemented(name):
    """Before init_process_group torch's "not initialized" error; after it, NotImplementedError."""
    def fn(*args, **kwargs):
        from .distributed_c10d import is_initialized
        if not is_initialized():
            raise ValueError(NO_GROUP)
        raise NotImplementedError(f'torch.distributed {name}: faketorch implements process groups (gloo, one '
                                  'machine), DDP, FSDP, DTensor and the collectives, not tensor parallelism')
    fn.__name__ = fn.__qualname__ = name
    return fn


NO_GROUP = ('Default process group has not been initialized, please make sure to call '
            'init_process_group.')
