"""torch.cpu: the CPU as a device module (torch.get_device_module('cpu')), with the calls scripts make on
any device (synchronize, current_device, streams), which on the CPU do nothing."""
import contextlib

__all__ = ['is_available', 'is_initialized', 'synchronize', 'current_device', 'current_stream', 'stream',
           'set_device', 'device_count', 'Stream', 'StreamContext', 'Event']


def is_available():
    return True


def is_initialized():
    return True


def synchronize(device=None):
    """The CPU runs in order: nothing to wait for."""


def current_device():
    return 'cpu'


def set_device(device):
    """Only one CPU device: nothing to set."""


def device_count():
    return 1


class Stream:
    """The CPU's one stream: work on it is already done when it is queued."""

    def __init__(self, priority=-1):
        pass

    def wait_stream(self, stream):
        pass

    def synchronize(self):
        pass

    def query(self):
        return True


class Event:
    def query(self):
        return True

    def record(self, stream=None):
        pass

    def synchronize(self):
        pass

    def wait(self, stream=None):
        pass


_default_stream = Stream()


def current_stream(device=None):
    return _default_stream


class StreamContext(contextlib.AbstractContextManager):
    def __init__(self, stream):
        self.stream = stream

    def __exit__(self, *exc):
        return None


def stream(stream):
    return StreamContext(stream)


from . import amp  # noqa: E402,F401
