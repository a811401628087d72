"""Helpers shared by the DataLoader and its worker processes."""
import atexit
import multiprocessing.util  # noqa: F401  registers its exit handler first, so ours runs before it
import sys
import traceback

IS_WINDOWS = sys.platform == 'win32'

# How often (seconds) a blocked get() wakes up to check that the other side is still alive.
MP_STATUS_CHECK_INTERVAL = 5.0

# Set at interpreter exit: from then on module globals may be gone, so shutdown code must not run.
python_exit_status = False


def _set_python_exit_flag():
    global python_exit_status
    python_exit_status = True


atexit.register(_set_python_exit_flag)


class KeyErrorMessage(str):
    """A str whose repr is itself: KeyError would otherwise repr() the whole traceback text."""

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception turned into picklable text, to be raised again in another process or thread."""

    def __init__(self, exc_info=None, where='in background'):
        if exc_info is None:
            exc_info = sys.exc_info()
        if exc_info[0].__name__ == 'CUDARuntimeError':     # CuPy touched in a forked worker: torch's error
            e = RuntimeError("Cannot re-initialize CUDA in forked subprocess. To use CUDA with multiprocessing, "
                             "you must use the 'spawn' start method")
            exc_info = (RuntimeError, e, None)
        self.exc_type = exc_info[0]
        self.exc_msg = ''.join(traceback.format_exception(*exc_info))   # not the traceback: no cycles
        self.where = where

    def reraise(self):
        msg = f'Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}'
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, 'message', None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            # an exception class that cannot be built from one string
            raise RuntimeError(msg) from None
        try:
            raise exception
        finally:
            # break frame -> exception -> traceback -> frame, so that the DataLoader iterator in
            # the traceback is freed (and its workers stopped) as soon as the caller drops the error
            del exception


from . import collate, fetch, pin_memory, signal_handling, worker  # noqa: E402
