"""RemoteModule: a module built on another worker; forward / forward_async run it there through RPC
(and so take part in distributed autograd). The other Module methods are refused, as in torch."""
from ... import rpc
from .... import device as _device
from ....nn import Module

__all__ = ['RemoteModule']


def _parse_remote_device(remote_device):
    """(worker name or rank, device string) of 'worker/device', 'rank:N/device' or 'worker'."""
    error = (f"Could not parse remote_device: {remote_device}. The valid format is "
             "'<workername>/<device>' or 'rank:<rank>/<device>' or '<device>'")
    if isinstance(remote_device, _device):
        return None, str(remote_device)
    if not isinstance(remote_device, str):
        raise TypeError(f'Invalid type for remote_device: {type(remote_device)}')
    fields = remote_device.split('/')
    if len(fields) > 2:
        raise ValueError(error)
    worker, dev = fields if len(fields) == 2 else (fields[0], 'cpu')
    if len(fields) == 1:
        try:
            return None, str(_device(worker))
        except Exception:
            pass
    if not worker:
        raise ValueError(error)
    dev = str(_device(dev))
    parts = worker.split(':')
    if len(parts) == 2:
        if parts[0] == 'rank' and parts[1].isdigit():
            return int(parts[1]), dev
        raise ValueError(error)
    if len(parts) > 2:
        raise ValueError(error)
    return worker, dev


def _create_module(module_cls, args, kwargs, device):
    module = module_cls(*args, **kwargs)
    if not isinstance(module, Module):
        raise ValueError("Expect `module_cls(*args, **kwargs)` returns an instance of <class nn.Module>, "
                         f"but it returns an instance of {type(module)}.")
    module.to(device)
    return module


def _param_rrefs(module_rref, recurse):
    return [rpc.RRef(param) for param in module_rref.local_value().parameters(recurse)]


def _remote_forward(module_rref, device, is_device_map_set, *args, **kwargs):
    # torch calls module.forward, not the module: the remote module's hooks do not run
    module = module_rref.local_value()
    if _device(device).type != 'cuda':
        return module.forward(*args, **kwargs)
    move = lambda v: v.to(device) if hasattr(v, 'to') and hasattr(v, 'dtype') else v      # noqa: E731
    out = module.forward(*[move(a) for a in args], **{k: move(v) for k, v in kwargs.items()})
    if is_device_map_set:
        return out
    return tuple(o.cpu() if hasattr(o, 'dtype') and hasattr(o, 'cpu') else o for o in out)


def _raise_not_supported(name):
    raise ValueError(f'Method ``{name}`` not supported for RemoteModule')


def _unsupported(name):
    def method(self, *args, **kwargs):
        _raise_not_supported(name)
    method.__name__ = name
    return method


class RemoteModule(Module):
    """RemoteModule(remote_device, module_cls, args=None, kwargs=None): module_cls(*args, **kwargs) is
    made on the worker `remote_device` names ('<worker>/<device>' or 'rank:<r>/<device>')."""

    def __init__(self, remote_device, module_cls, args=None, kwargs=None, _module_interface_cls=None):
        super().__init__()
        self._prepare_init(remote_device)
        self.is_scriptable = False      # faketorch has no TorchScript: an interface class is not used
        self.module_rref = rpc.remote(self.on, _create_module,
                                      (module_cls, args if args is not None else (),
                                       kwargs if kwargs is not None else {}, self.device))

    def forward(self, *args, **kwargs):
        return self.forward_async(*args, **kwargs).wait()

    def forward_async(self, *args, **kwargs):
        return rpc.rpc_async(self.module_rref.owner(), _remote_forward,
                             (self.module_rref, self.device, self.is_device_map_set) + args, kwargs)

    def remote_parameters(self, recurse=True):
        return rpc.rpc_sync(self.on, _param_rrefs, args=(self.module_rref, recurse))

    def get_module_rref(self):
        return self.module_rref

    def __getstate__(self):
        raise RuntimeError("Cannot pickle RemoteModule in python pickler. RemoteModule can only be pickled when "
                           "using RPC")

    def __setstate__(self, state):
        raise RuntimeError("Cannot unpickle RemoteModule in python pickler. RemoteModule can only be unpickled "
                           "when using RPC")

    for _name in ('register_buffer', 'register_parameter', 'add_module', 'apply', 'cuda', 'ipu', 'xpu', 'cpu', 'type',
                  'float', 'double', 'half', 'bfloat16', 'to', 'register_backward_hook', 'register_forward_pre_hook',
                  'register_forward_hook', 'state_dict', 'load_state_dict', 'named_parameters', 'buffers',
                  'named_buffers', 'children', 'named_children', 'modules', 'named_modules', 'requires_grad_',
                  'zero_grad', 'share_memory', 'extra_repr'):
        locals()[_name] = _unsupported(_name)
    del _name

    def parameters(self, recurse=True):
        raise ValueError("Method ``parameters`` not supported for RemoteModule. Please use ``remote_parameters`` "
                         "instead.")

    def train(self, mode=True):
        return self.module_rref.rpc_sync().train()

    def eval(self):
        return self.module_rref.rpc_sync().eval()

    def _prepare_init(self, remote_device):
        if rpc._agent is None:
            raise AssertionError('RemoteModule only works in RPC.')
        self.on, self.device = _parse_remote_device(remote_device)
        options = rpc._agent.options
        name = rpc._name_of(self.on)
        self.is_device_map_set = bool(getattr(options, 'device_maps', {}).get(name))

    @staticmethod
    def init_from_module_rref(remote_device, module_rref, _module_interface_cls=None):
        """Another RemoteModule over the module an existing one's module_rref points to."""
        remote_module = object.__new__(RemoteModule)
        Module.__init__(remote_module)
        remote_module._prepare_init(remote_device)
        remote_module.is_scriptable = False
        remote_module.module_rref = module_rref
        return remote_module
