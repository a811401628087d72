"""torch.distributed.checkpoint.state_dict: model and optimizer state dicts keyed by the parameters'
plain names (wrapper levels such as DDP's `module.`, `_fsdp_wrapped_module.`,
`_checkpoint_wrapped_module.` and `_orig_mod.` left out), optimizer states keyed by those names
instead of indexes; full_state_dict gathers DTensors whole."""
import dataclasses

__all__ = ['StateDictOptions', 'get_model_state_dict', 'get_optimizer_state_dict', 'get_state_dict',
           'set_model_state_dict', 'set_optimizer_state_dict', 'set_state_dict']

_WRAPPER_LEVELS = ('_fsdp_wrapped_module', '_checkpoint_wrapped_module', '_orig_mod')


@dataclasses.dataclass
class StateDictOptions:
    full_state_dict: bool = False
    cpu_offload: bool = False
    ignore_frozen_params: bool = False
    keep_submodule_prefixes: bool = True
    strict: bool = True
    broadcast_from_rank0: bool = False
    flatten_optimizer_state_dict: bool = False
    dsd_fqn_modifiers: str = '_fqn_modifiers'


def _torch():
    import faketorch
    return faketorch


def _clean(model, key):
    """key without the wrapper levels (DDP's `module`, FSDP's and checkpointing's own)."""
    from ...nn.parallel import DistributedDataParallel
    out, mod = [], model
    for part in key.split('.'):
        child = mod._modules.get(part) if mod is not None and hasattr(mod, '_modules') else None
        if part in _WRAPPER_LEVELS or (part == 'module' and isinstance(mod, DistributedDataParallel)):
            mod = child
            continue
        out.append(part)
        mod = child
    return '.'.join(out)


def _rank():
    from .. import distributed_c10d as c10d
    return c10d.get_rank() if c10d.is_initialized() else 0


def _full(value):
    from ..tensor import DTensor
    return value.full_tensor() if isinstance(value, DTensor) else value


def get_model_state_dict(model, *, submodules=None, options=None):
    opts = options or StateDictOptions()
    frozen = {id(p) for p in model.parameters() if not p.requires_grad} if opts.ignore_frozen_params else set()
    sd = model.state_dict(keep_vars=True)
    out = type(sd)()
    for key, value in sd.items():
        if id(value) in frozen:
            continue
        value = value.detach() if isinstance(value, _torch().Tensor) else value
        out[_clean(model, key)] = _full(value) if opts.full_state_dict else value
    if opts.full_state_dict and opts.cpu_offload and _rank() != 0:
        return {}
    return out


def _param_names(model):
    return {id(p): _clean(model, n) for n, p in model.named_parameters()}


def _init_optim_state(optim):
    """torch fills an unstepped optimizer's state by a step with zero gradients at lr 0."""
    torch = _torch()
    if optim.state:
        return
    groups = optim.param_groups
    if any(p.grad is not None for g in groups for p in g['params']):
        return
    for g in groups:
        for p in g['params']:
            if p.requires_grad:
                p.grad = torch.zeros_like(p)
    lrs = []
    for g in groups:
        if 'lr' in g:
            lrs.append(g['lr'])
            g['lr'] = torch.tensor(0.0) if isinstance(g['lr'], torch.Tensor) else 0.0
    optim.step(closure=None)
    for g in groups:
        if 'lr' in g:
            g['lr'] = lrs.pop(0)
    optim.zero_grad(set_to_none=True)


def _as_list(optimizers):
    return list(optimizers) if isinstance(optimizers, (list, tuple)) else [optimizers]


def _fsdp1(model):
    from ..fsdp import FullyShardedDataParallel
    return FullyShardedDataParallel if any(isinstance(m, FullyShardedDataParallel) for m in model.modules()) else None


def get_optimizer_state_dict(model, optimizers, *, submodules=None, options=None):
    from ..tensor import DTensor
    opts = options or StateDictOptions()
    fsdp = _fsdp1(model)
    if fsdp is not None:       # FSDP1: the full per-parameter state (torch returns it sharded unless full_state_dict)
        out = {'state': {}, 'param_groups': []}
        for optim in _as_list(optimizers):
            _init_optim_state(optim)
            sd = fsdp.optim_state_dict(model, optim)
            out['state'].update(sd['state'])
            out['param_groups'] += sd['param_groups']
        return {} if opts.full_state_dict and opts.cpu_offload and _rank() != 0 else out
    names = _param_names(model)
    out = {'state': {}, 'param_groups': []}
    for optim in _as_list(optimizers):
        _init_optim_state(optim)
        sd = optim.state_dict()
        params = [p for g in optim.param_groups for p in g['params']]
        for i, state in sd['state'].items():
            p = params[i]
            fixed = {}
            for k, v in state.items():
                # faketorch's optimizer keeps a DTensor parameter's state as local tensors: torch's are DTensors
                if isinstance(p, DTensor) and isinstance(v, _torch().Tensor) and v.ndim and \
                        not isinstance(v, DTensor) and v.shape == p.to_local().shape:
                    v = DTensor._wrap(v, p.device_mesh, p.placements, p.shape)
                fixed[k] = _full(v) if opts.full_state_dict else v
            out['state'][names[id(p)]] = fixed
        for g_sd, g in zip(sd['param_groups'], optim.param_groups):
            out['param_groups'].append({**g_sd, 'params': [names[id(p)] for p in g['params']]})
    if opts.full_state_dict and opts.cpu_offload and _rank() != 0:
        return {}
    return out


def get_state_dict(model, optimizers, *, submodules=None, options=None):
    return (get_model_state_dict(model, options=options),
            get_optimizer_state_dict(model, optimizers, options=options))


def set_model_state_dict(model, model_state_dict, *, options=None):
    from ..tensor import DTensor
    from ..tensor._api import _local_piece
    opts = options or StateDictOptions()
    if opts.broadcast_from_rank0 and opts.full_state_dict:
        model_state_dict = _from_rank0(model_state_dict)
    current = model.state_dict(keep_vars=True)
    keys = {_clean(model, k): k for k in current}
    sd = {}
    for k, v in model_state_dict.items():
        real = keys.get(k, k)
        target = current.get(real)
        if isinstance(target, DTensor) and not isinstance(v, DTensor):
            v = DTensor._wrap(_local_piece(v, target.device_mesh, target.placements), target.device_mesh,
                              target.placements, target.shape)
        sd[real] = v
    return model.load_state_dict(sd, strict=opts.strict)


def _from_rank0(state_dict):
    """Rank 0's full state dict on every rank (the others may pass an empty one)."""
    from .. import distributed_c10d as c10d
    if not c10d.is_initialized():
        return state_dict
    box = [state_dict if c10d.get_rank() == 0 else None]
    c10d.broadcast_object_list(box, src=0)
    return box[0]


def set_optimizer_state_dict(model, optimizers, optim_state_dict, *, options=None):
    opts = options or StateDictOptions()
    if opts.broadcast_from_rank0 and opts.full_state_dict:
        optim_state_dict = _from_rank0(optim_state_dict)
    names = _param_names(model)
    fsdp = _fsdp1(model)
    for optim in _as_list(optimizers):
        _init_optim_state(optim)
        if fsdp is not None:
            fsdp.optim_state_dict_to_load(model, optim, optim_state_dict, load_directly=True)
            continue
        params = [p for g in optim.param_groups for p in g['params']]
        index = {names[id(p)]: i for i, p in enumerate(params)}
        mine = set(index)
        state = {index[k]: {n: _local_state(params[index[k]], v) for n, v in s.items()}
                 for k, s in optim_state_dict['state'].items() if k in mine}
        groups = [{**g, 'params': [index[n] for n in g['params']]} for g in optim_state_dict['param_groups']
                  if g['params'] and g['params'][0] in mine]
        optim.load_state_dict({'state': state, 'param_groups': groups})


def _local_state(param, value):
    """What faketorch's optimizer keeps for a DTensor parameter: the local piece of a DTensor or of a
    whole tensor of the parameter's shape."""
    from ..tensor import DTensor
    from ..tensor._api import _local_piece
    if isinstance(value, DTensor):
        return value.to_local()
    if isinstance(param, DTensor) and isinstance(value, _torch().Tensor) and value.ndim and \
            tuple(value.shape) == tuple(param.shape):
        return _local_piece(value, param.device_mesh, param.placements).clone()
    return value


def set_state_dict(model, optimizers, *, model_state_dict, optim_state_dict, options=None):
    result = set_model_state_dict(model, model_state_dict, options=options)
    if optim_state_dict:
        set_optimizer_state_dict(model, optimizers, optim_state_dict, options=options)
    return result
