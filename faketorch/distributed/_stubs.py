"""Names of torch.distributed's subpackages that scripts import at top level; using them raises."""


def unavailable(name, message):
    """A class named `name` whose construction raises RuntimeError(message)."""
    def __init__(self, *args, **kwargs):
        raise RuntimeError(message)
    return type(name, (), {'__init__': __init__, '__doc__': f'{name}: not available in faketorch.'})


def raising(name, message, error=RuntimeError):
    def fn(*args, **kwargs):
        raise error(message)
    fn.__name__ = fn.__qualname__ = name
    return fn


NO_GROUP = ('Default process group has not been initialized, please make sure to call '
            'init_process_group.')
