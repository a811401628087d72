"""torch.utils: only the data-loading package so far."""
from . import data

__all__ = ['data']
