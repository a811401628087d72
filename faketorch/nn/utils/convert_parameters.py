"""parameters_to_vector / vector_to_parameters."""
from ..._tensor import Tensor
from ..modules.module import _typename

__all__ = ['parameters_to_vector', 'vector_to_parameters']


def _check_device(param, old):
    """The device index of the first parameter (-1 for CPU); a later one on another device is an error."""
    on_gpu = param.device.type in ('cuda', 'privateuseone')
    if old is None:
        return param.get_device() if on_gpu else -1
    if (param.get_device() != old) if on_gpu else (old != -1):
        raise TypeError('Found two parameters on different devices, this is currently not supported.')
    return old


def parameters_to_vector(parameters):
    from ... import cat
    device = None
    vec = []
    for p in parameters:
        device = _check_device(p, device)
        vec.append(p.view(-1))
    return cat(vec)


def vector_to_parameters(vec, parameters):
    if not isinstance(vec, Tensor):
        raise TypeError(f'expected torch.Tensor, but got: {_typename(vec)}')
    device = None
    pointer = 0
    for p in parameters:
        device = _check_device(p, device)
        n = p.numel()
        p.data = vec[pointer:pointer + n].view_as(p).data
        pointer += n
