"""torch.nn.parallel on one process. DataParallel on a machine without CUDA is the wrapped module,
called as is (what torch does there). The functional pieces (scatter, gather, replicate,
parallel_apply, data_parallel) split work across CUDA devices; without CUDA they fail as torch's
CPU-only build does, and with CuPy devices they run the replicas one after another."""
import copy

from ... import cuda as _cuda
from ..._device import device as _device
from ..._tensor import Tensor as _Tensor
from ..modules.module import Module

__all__ = ['replicate', 'scatter', 'parallel_apply', 'gather', 'data_parallel', 'DataParallel',
           'DistributedDataParallel']


def _device_index(d, what):
    """torch's _get_device_index(d, optional=True) for the CUDA device lists these functions take."""
    if isinstance(d, str):
        d = _device(d)
    if isinstance(d, _device):
        if d.type == 'cpu':
            raise ValueError(f'Expected a {what} device, but got: {d}')
        return d.index or 0
    if d is None:
        if not _cuda.is_available():
            raise RuntimeError('Cannot access accelerator device when none is available.')
        return _cuda.current_device()
    return d


def _on_cuda(tensors, kind):
    for t in tensors:
        if t.device.type == 'cpu':
            raise AssertionError(f'{kind} function not implemented for CPU tensors')


def scatter(inputs, target_gpus, dim=0):
    """Slice tensors into len(target_gpus) chunks along dim, one per device; other objects are repeated."""
    def scatter_map(obj):
        if isinstance(obj, _Tensor):
            devices = [_device_index(d, 'non cpu') for d in target_gpus]
            if not _cuda.is_available():
                # torch's CPU build lacks the C++ scatter kernel: the Python side fails looking it up
                raise AttributeError("module 'torch._C' has no attribute '_scatter'")
            return [c.to(f'cuda:{i}') for c, i in zip(obj.chunk(len(devices), dim), devices)]
        if isinstance(obj, tuple) and len(obj) > 0:
            return list(zip(*map(scatter_map, obj)))
        if isinstance(obj, list) and len(obj) > 0:
            return [list(x) for x in zip(*map(scatter_map, obj))]
        if isinstance(obj, dict) and len(obj) > 0:
            return [type(obj)(x) for x in zip(*map(scatter_map, obj.items()))]
        return [obj for _ in target_gpus]
    return scatter_map(inputs)


def _scatter_kwargs(inputs, kwargs, target_gpus, dim=0):
    inputs = scatter(inputs, target_gpus, dim) if inputs else []
    kwargs = scatter(kwargs, target_gpus, dim) if kwargs else []
    inputs.extend(() for _ in range(len(kwargs) - len(inputs)))
    kwargs.extend({} for _ in range(len(inputs) - len(kwargs)))
    return tuple(inputs), tuple(kwargs)


def gather(outputs, target_device, dim=0):
    """Concatenate the per-device outputs along dim on target_device (-1: the CPU)."""
    def gather_map(outs):
        out = outs[0]
        if isinstance(out, _Tensor):
            _on_cuda(outs, 'Gather')
            target = 'cpu' if target_device == -1 else _device(target_device if not isinstance(
                target_device, int) else f'cuda:{target_device}')
            return _cat([o.to(target) for o in outs], dim)
        if out is None:
            return None
        if isinstance(out, dict):
            if not all(len(out) == len(d) for d in outs):
                raise ValueError('All dicts must have the same number of keys')
            return type(out)((k, gather_map([d[k] for d in outs])) for k in out)
        return type(out)(map(gather_map, zip(*outs)))
    return gather_map(outputs)


def _cat(tensors, dim):
    from ... import cat
    return cat(tensors, dim)


def replicate(network, devices, detach=False):
    """One copy of network per device, on that device."""
    devices = [_device_index(d, 'non cpu') for d in devices]
    if not devices:
        return []
    _on_cuda(list(network.parameters()) + list(network.buffers()), 'Broadcast')
    copies = []
    for i in devices:
        m = copy.deepcopy(network).to(f'cuda:{i}')
        if detach:
            for p in m.parameters():
                p.requires_grad_(False)
        copies.append(m)
    return copies


def parallel_apply(modules, inputs, kwargs_tup=None, devices=None):
    """Each module on its input (a tuple of arguments, or one argument), one after another."""
    for what, other in (('inputs', inputs), ('kwargs_tup', kwargs_tup), ('devices', devices)):
        if other is not None and len(modules) != len(other):
            raise AssertionError(f'The number of modules {len(modules)} is not equal to '
                                 f'the number of {what} {len(other)}')
    devices = [_device_index(d, 'cuda') for d in (devices or [None] * len(modules))]
    if devices and not _cuda.is_available():
        raise RuntimeError('Cannot access accelerator device when none is available.')
    kwargs_tup = kwargs_tup or ({},) * len(modules)
    return [m(*(x if isinstance(x, (list, tuple)) else (x,)), **kw)
            for m, x, kw in zip(modules, inputs, kwargs_tup)]


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0, module_kwargs=None):
    """module(inputs) split over device_ids and gathered on output_device."""
    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    if not _cuda.is_available():
        raise RuntimeError('device type could not be determined')
    if device_ids is None:
        device_ids = list(range(_cuda.device_count()))
    device_ids = [_device_index(d, 'non cpu') for d in device_ids]
    output_device = device_ids[0] if output_device is None else output_device
    src = _device(f'cuda:{device_ids[0]}')
    for t in list(module.parameters()) + list(module.buffers()):
        if t.device != src:
            raise RuntimeError(f'module must have its parameters and buffers on device {src} '
                               f'(device_ids[0]) but found one of them on device: {t.device}')
    inputs, module_kwargs = _scatter_kwargs(inputs, module_kwargs, device_ids, dim)
    if not inputs and not module_kwargs:
        inputs, module_kwargs = ((),), ({},)
    if len(device_ids) == 1:
        return module(*inputs[0], **module_kwargs[0])
    used = device_ids[:len(inputs)]
    outputs = parallel_apply(replicate(module, used), inputs, module_kwargs, used)
    return gather(outputs, output_device, dim)


class DataParallel(Module):
    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        # torch without CUDA keeps only the module and an empty device list
        self.device_ids = [] if not _cuda.is_available() or device_ids is None else list(device_ids)
        self.output_device = output_device
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


from .distributed import DistributedDataParallel  # noqa: E402
