"""torch.nn.qat: the legacy name of torch.ao.nn.qat."""
from ...ao._alias import alias

alias(__name__, 'faketorch.ao.nn.qat')
