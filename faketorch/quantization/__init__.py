"""torch.quantization: the legacy name of torch.ao.quantization."""
from ..ao._alias import alias

alias(__name__, 'faketorch.ao.quantization', ('observer', 'fake_quantize', 'qconfig', 'stubs',
                                              'quantization_mappings'))
