"""Anomaly detection: accepted; faketorch does not record forward tracebacks."""
import contextlib

_enabled = [False]


class detect_anomaly(contextlib.ContextDecorator):
    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._prev = _enabled[0]
        _enabled[0] = True
        return self

    def __exit__(self, *exc):
        _enabled[0] = self._prev
        return False


class set_detect_anomaly:
    def __init__(self, mode, check_nan=True):
        self._prev = _enabled[0]
        _enabled[0] = bool(mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _enabled[0] = self._prev
        return False


def is_anomaly_enabled():
    return _enabled[0]
