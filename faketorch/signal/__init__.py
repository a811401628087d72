"""torch.signal: window functions (torch.signal.windows) and torch.*_window factories."""
from . import windows  # noqa: F401
from . import _window_factories  # noqa: F401  (publishes torch.hann_window ...)
