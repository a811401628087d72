"""torch.nn.utils.memory_format: re-lay out convolution weights (values are unchanged)."""

__all__ = ['convert_conv2d_weight_memory_format', 'convert_conv3d_weight_memory_format']


def _convert(module, memory_format, kinds):
    from .. import modules
    if isinstance(module, tuple(getattr(modules, k) for k in kinds)):
        # torch clones with memory_format; faketorch's clone keeps the layout, .to() applies it
        module.weight.data = module.weight.detach().to(memory_format=memory_format)
    for child in module.children():
        _convert(child, memory_format, kinds)
    return module


def convert_conv2d_weight_memory_format(module, memory_format):
    """Give every Conv2d/ConvTranspose2d weight in `module` the memory format; returns `module`."""
    return _convert(module, memory_format, ('Conv2d', 'ConvTranspose2d'))


def convert_conv3d_weight_memory_format(module, memory_format):
    """Give every Conv3d/ConvTranspose3d weight in `module` the memory format; returns `module`."""
    return _convert(module, memory_format, ('Conv3d', 'ConvTranspose3d'))
