"""torch.distributed.checkpoint.state_dict_loader."""
from ._core import load, load_state_dict  # noqa: F401

__all__ = ['load', 'load_state_dict']
