"""torch.nn.intrinsic: the legacy name of torch.ao.nn.intrinsic."""
from ...ao._alias import alias

alias(__name__, 'faketorch.ao.nn.intrinsic', ('qat', 'quantized'))
