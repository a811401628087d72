"""torch.nn.quantized: the legacy name of torch.ao.nn.quantized."""
from ...ao._alias import alias

alias(__name__, 'faketorch.ao.nn.quantized', ('dynamic', 'functional', 'modules'))
