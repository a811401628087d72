"""Anomaly detection: NaN checks on backward outputs; faketorch does not record forward tracebacks."""
import warnings

__all__ = ['detect_anomaly', 'set_detect_anomaly']

_state = {'enabled': False, 'check_nan': True}


def set_anomaly_enabled(enabled, check_nan=True):
    _state['enabled'], _state['check_nan'] = bool(enabled), bool(check_nan)


def is_anomaly_enabled():
    return _state['enabled']


def is_anomaly_check_nan_enabled():
    return _state['check_nan']


class detect_anomaly:
    def __init__(self, check_nan=True):
        self.prev, self.prev_check_nan = _state['enabled'], _state['check_nan']
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only "
                      "be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *args):
        set_anomaly_enabled(self.prev, self.prev_check_nan)


class set_detect_anomaly:
    """Applies at once, so it works as a function too."""

    def __init__(self, mode, check_nan=True):
        self.prev, self.prev_check_nan = _state['enabled'], _state['check_nan']
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *args):
        set_anomaly_enabled(self.prev, self.prev_check_nan)
