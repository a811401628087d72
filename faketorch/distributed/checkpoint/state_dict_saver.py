"""torch.distributed.checkpoint.state_dict_saver."""
from ._core import save, save_state_dict  # noqa: F401

__all__ = ['save', 'save_state_dict']
