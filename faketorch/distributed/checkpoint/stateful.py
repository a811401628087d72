"""torch.distributed.checkpoint.stateful: what save/load call state_dict()/load_state_dict() on."""
from typing import Protocol, runtime_checkable

__all__ = ['Stateful', 'StatefulT']


@runtime_checkable
class Stateful(Protocol):
    def state_dict(self):
        ...

    def load_state_dict(self, state_dict):
        ...


StatefulT = Stateful
