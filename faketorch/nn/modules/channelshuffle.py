"""ChannelShuffle."""
from .. import functional as F
from .module import Module
from ..._tensor import Tensor

__all__ = ['ChannelShuffle']


class ChannelShuffle(Module):
    __constants__ = ['groups']

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self):
        return f'groups={self.groups}'
