"""torch.futures: a Future completed by set_result / set_exception. faketorch runs everything
synchronously, so callbacks run at once on completion, in the thread that completes it."""
import threading
import traceback

__all__ = ['Future', 'collect_all', 'wait_all']


class Future:
    def __init__(self, *, devices=None):
        for d in devices or ():
            if getattr(d, 'index', d) is None or isinstance(d, str):
                raise ValueError(f'Expected devices to have indices, got {d}')
        self._done = threading.Event()
        self._result = self._exception = None
        self._callbacks = []

    def done(self):
        return self._done.is_set()

    def wait(self):
        self._done.wait()
        if self._exception is not None:
            raise self._exception
        return self._result

    def value(self):
        if not self.done():
            raise RuntimeError('completed() INTERNAL ASSERT FAILED: value() called on an incomplete Future')
        return self.wait()

    def _complete(self, result, exception):
        if self.done():
            raise RuntimeError('Attempting to mark a completed Future as complete again. '
                               'Note that a Future can only be marked completed once.')
        self._result, self._exception = result, exception
        self._done.set()
        callbacks, self._callbacks = self._callbacks, []
        for cb in callbacks:
            cb(self)

    def set_result(self, result):
        self._complete(result, None)

    def set_exception(self, result):
        if not isinstance(result, Exception):
            raise AssertionError(f'{result} is of type {type(result)}, not an Exception.')
        self._complete(None, result)

    def add_done_callback(self, callback):
        if self.done():
            callback(self)
        else:
            self._callbacks.append(callback)

    def then(self, callback):
        out = Future()

        def run(fut):
            try:
                out.set_result(callback(fut))
            except Exception as e:     # torch wraps what the callback raised in a RuntimeError
                out.set_exception(RuntimeError(
                    f'Got the following error when running the callback: {type(e).__name__}: {e}\n\n'
                    'At:\n' + ''.join(f'  {f.filename}({f.lineno}): {f.name}\n'
                                       for f in reversed(traceback.extract_tb(e.__traceback__)[1:]))))
        self.add_done_callback(run)
        return out

    def __class_getitem__(cls, item):
        return cls


def collect_all(futures):
    """A Future completed with the list of `futures` once all of them are."""
    out, left = Future(), [len(futures)]

    def one_done(_):
        left[0] -= 1
        if left[0] == 0:
            out.set_result(list(futures))
    if not futures:
        out.set_result([])
    for f in futures:
        f.add_done_callback(one_done)
    return out


def wait_all(futures):
    """The futures' values; the first error raised by one of them is raised."""
    return [f.wait() for f in collect_all(futures).wait()]


def _fork(func, *args, **kwargs):
    """torch.fork / torch.jit.fork in eager mode: func runs now; the Future holds its result."""
    fut = Future()
    fut._complete(func(*args, **kwargs), None)
    return fut


def _wait(future):
    return future.wait()


def _publish():
    import sys
    pkg = sys.modules['faketorch']
    pkg.fork, pkg.wait, pkg.Future = _fork, _wait, Future     # torch.Future: the class fork returns
    _fork.__name__, _wait.__name__ = 'fork', 'wait'


_publish()
