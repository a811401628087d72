"""torch.ao.nn: the modules of eager-mode quantization (intrinsic = fused, qat, quantized)."""
from . import intrinsic, qat, quantized  # noqa: F401
