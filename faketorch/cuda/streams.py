"""torch.cuda.Stream / Event / stream() on CuPy streams and events.

CPU-only build: Stream() and Event() refuse to be created with torch's messages, current_stream()
fails in CUDA initialisation, and stream(None) is a no-op context. GPU path untested here.
"""
from .._device import cuda_available, _cupy, device as _device_cls


def _cuda_init():
    from . import _lazy_init
    _lazy_init()


class Stream:
    """A CUDA stream (wraps cupy.cuda.Stream). Work is queued on it inside `with torch.cuda.stream(s)`."""
    __module__ = 'torch.cuda.streams'

    def __new__(cls, device=None, priority=0, **kwargs):
        if not cuda_available():
            raise RuntimeError('torch.cuda.Stream requires CUDA support')
        return super().__new__(cls)

    def __init__(self, device=None, priority=0, _cp=None):
        from . import _get_device_index, current_device
        idx = _get_device_index(device, optional=True) if device is not None else current_device()
        cp = _cupy()
        if _cp is None:
            with cp.cuda.Device(idx):
                _cp = cp.cuda.Stream(non_blocking=True)
        self._cp = _cp
        self.device = _device_cls('cuda', idx)
        self.priority = priority

    @property
    def cuda_stream(self):
        return self._cp.ptr

    def query(self):
        return self._cp.done

    def synchronize(self):
        self._cp.synchronize()

    def wait_event(self, event):
        self._cp.wait_event(event._cp)

    def wait_stream(self, stream):
        self.wait_event(stream.record_event())

    def record_event(self, event=None):
        event = Event() if event is None else event
        event.record(self)
        return event

    def __eq__(self, other):
        return isinstance(other, Stream) and self.cuda_stream == other.cuda_stream

    def __hash__(self):
        return hash((self.cuda_stream, self.device))

    def __repr__(self):
        return f'<torch.cuda.Stream device={self.device} cuda_stream={self.cuda_stream:#x}>'


class ExternalStream(Stream):
    def __new__(cls, stream_ptr, device=None, **kwargs):
        if not cuda_available():
            # torch's CPU build compares the missing current index with 0 (matched)
            raise TypeError("'<' not supported between instances of 'NoneType' and 'int'")
        return object.__new__(cls)

    def __init__(self, stream_ptr, device=None, **kwargs):
        super().__init__(device, _cp=_cupy().cuda.ExternalStream(stream_ptr))


class Event:
    """A CUDA event (wraps cupy.cuda.Event); elapsed_time() gives milliseconds."""
    __module__ = 'torch.cuda.streams'

    def __new__(cls, enable_timing=False, blocking=False, interprocess=False, **kwargs):
        if not cuda_available():
            raise RuntimeError('Tried to instantiate dummy base class Event')
        return super().__new__(cls)

    def __init__(self, enable_timing=False, blocking=False, interprocess=False, **kwargs):
        self._cp = _cupy().cuda.Event(block=blocking, disable_timing=not enable_timing,
                                      interprocess=interprocess)
        self._timing = enable_timing

    def record(self, stream=None):
        self._cp.record(current_stream()._cp if stream is None else stream._cp)

    def wait(self, stream=None):
        (current_stream() if stream is None else stream).wait_event(self)

    def query(self):
        return self._cp.done

    def elapsed_time(self, end_event):
        return float(_cupy().cuda.get_elapsed_time(self._cp, end_event._cp))

    def synchronize(self):
        self._cp.synchronize()

    def __repr__(self):
        return f'<torch.cuda.Event {self._cp.ptr:#x}>' if self._cp.ptr else '<torch.cuda.Event uninitialized>'


def current_stream(device=None):
    _cuda_init()
    s = object.__new__(Stream)
    Stream.__init__(s, device, _cp=_cupy().cuda.get_current_stream())
    return s


def default_stream(device=None):
    _cuda_init()
    s = object.__new__(Stream)
    Stream.__init__(s, device, _cp=_cupy().cuda.Stream.null)
    return s


def set_stream(stream):
    if stream is None:
        return
    stream._cp.use()


class StreamContext:
    """Make `stream` current inside the block; a no-op for None (and always without CUDA)."""
    __module__ = 'torch.cuda'

    def __init__(self, stream):
        self.stream = stream
        self._prev = None

    def __enter__(self):
        if self.stream is None or not cuda_available():
            return
        self._prev = _cupy().cuda.get_current_stream()
        self.stream._cp.use()

    def __exit__(self, *exc):
        if self._prev is not None:
            self._prev.use()
            self._prev = None
        return False


def stream(stream):
    return StreamContext(stream)
