"""torch.ao: architecture optimization; here its eager-mode quantization (torch.ao.quantization, torch.ao.nn)."""
from . import nn, quantization  # noqa: F401
