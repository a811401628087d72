"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode (thread-local)."""
import functools
import inspect
import sys
import threading
import warnings

__all__ = ['no_grad', 'enable_grad', 'set_grad_enabled', 'inference_mode', 'is_grad_enabled',
           'is_inference_mode_enabled']


class _State(threading.local):
    enabled = True      # class attribute: the default for every new thread
    inference = False


state = _State()
# one entry per inference_mode(True) block entered and not yet left, in any thread: hot paths read
# this list (a plain global) before the thread-local flag, which is much slower to read
inference_blocks = []


def is_grad_enabled():
    return state.enabled


def is_inference_mode_enabled():
    return state.inference


class _Mode:
    """Base for grad-mode context managers that also work as decorators."""

    def __call__(self, fn):
        if inspect.isclass(fn):
            warnings.warn("Decorating classes is deprecated and will be disabled in future versions. You should "
                          "only decorate functions or methods. To preserve the current behavior of class "
                          "decoration, you can directly decorate the `__init__` method and nothing else.",
                          FutureWarning, stacklevel=2)
            cls = fn
            fn = lambda *args, **kwargs: cls(*args, **kwargs)     # noqa: E731 (torch's own wrapper)
        elif inspect.isgeneratorfunction(fn):
            return self._wrap_generator(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return wrapper

    def _wrap_generator(self, fn):
        """The mode holds while the generator's body runs, not between its yields (as torch's)."""
        @functools.wraps(fn)
        def generator_context(*args, **kwargs):
            gen = fn(*args, **kwargs)
            try:
                with self.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self.clone():
                            gen.close()
                        raise
                    except BaseException:
                        with self.clone():
                            response = gen.throw(*sys.exc_info())
                    else:
                        with self.clone():
                            response = gen.send(request)
            except StopIteration as e:
                return e.value
        return generator_context

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
        if self.mode:
            inference_blocks.append(self)

    def __exit__(self, *exc):
        state.enabled = self._prev
        state.inference = self._prev_inf
        if self.mode:
            inference_blocks.remove(self)
        return False
