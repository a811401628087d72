from .tensor import Resize  # noqa: F401
