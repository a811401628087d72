"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode (thread-local)."""
import functools
import threading

__all__ = ['no_grad', 'enable_grad', 'set_grad_enabled', 'inference_mode', 'is_grad_enabled',
           'is_inference_mode_enabled']


class _State(threading.local):
    enabled = True      # class attribute: the default for every new thread
    inference = False


state = _State()


def is_grad_enabled():
    return state.enabled


def is_inference_mode_enabled():
    return state.inference


class _Mode:
    """Base for grad-mode context managers that also work as decorators."""

    def __call__(self, fn):
        if isinstance(fn, type):
            raise TypeError("faketorch: grad-mode decorators on classes are not supported")

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self._target()

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False


class no_grad(_Mode):
    def __init__(self, orig_func=None):
        pass

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        if orig_func is not None:          # used as @no_grad without parentheses
            return self(orig_func)
        return self

    def _target(self):
        return False


class enable_grad(_Mode):
    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        if orig_func is not None:
            return self(orig_func)
        return self

    def _target(self):
        return True


class set_grad_enabled(_Mode):
    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'enabled' (position 1) must be bool, not "
                            f"{type(mode).__name__}")
        self._prev = state.enabled
        self.mode = mode
        state.enabled = self.mode   # torch applies it immediately, so it works as a function

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def clone(self):
        return self.__class__(self.mode)

    def __call__(self, fn):
        state.enabled = self._prev
        return super().__call__(fn)


class inference_mode(_Mode):
    def __init__(self, mode=True):
        self.mode = mode

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if not isinstance(mode, bool):     # torch: anything but a bool is the function decorated
            self.__init__(True)
            return self(mode)
        return self

    def clone(self):
        return self.__class__(self.mode)

    def __enter__(self):
        self._prev = state.enabled
        self._prev_inf = state.inference
        # torch's InferenceMode(mode) also sets grad mode to `not mode`
        state.enabled = not self.mode
        state.inference = bool(self.mode)

    def __exit__(self, *exc):
        state.enabled = self._prev
        state.inference = self._prev_inf
        return False
