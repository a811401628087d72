"""FullyShardedDataParallel (FSDP1) on a gloo process group.

Each FSDP instance owns the parameters of its subtree not owned by a nested instance: at
construction they are flattened, in named_parameters order, into one `_flat_param` registered on
the wrapped module. With a sharded strategy the flat vector is padded to world_size equal chunks
and each rank keeps its chunk (torch's `chunk` split); NO_SHARD (forced at world size 1) keeps it
whole. A forward all-gathers the chunks into a leaf tensor whose views become the original
parameters; the leaf's gradient is torch's: divided by the predivide factor, reduce-scattered (or
all-reduced for NO_SHARD) in gloo's order, divided by the postdivide factor, and accumulated into
`_flat_param.grad`. The unsharded leaf lives as long as the autograd graph, where torch frees and
re-gathers it: the values are the same."""
import contextlib
import functools
import math
import warnings

from .. import distributed_c10d as c10d
from ... import nn
from . import wrap as _wrap
from .api import (CPUOffload, FullOptimStateDictConfig, FullStateDictConfig, LocalOptimStateDictConfig,
                  LocalStateDictConfig, ShardedOptimStateDictConfig, ShardedStateDictConfig, ShardingStrategy,
                  StateDictSettings, StateDictType)

__all__ = ['FullyShardedDataParallel']

FSDP_WRAPPED_MODULE = '_fsdp_wrapped_module'
FSDP_PREFIX = FSDP_WRAPPED_MODULE + '.'
FLAT_PARAM = '_flat_param'

_CONFIG_TYPES = {StateDictType.FULL_STATE_DICT: (FullStateDictConfig, FullOptimStateDictConfig),
                 StateDictType.LOCAL_STATE_DICT: (LocalStateDictConfig, LocalOptimStateDictConfig),
                 StateDictType.SHARDED_STATE_DICT: (ShardedStateDictConfig, ShardedOptimStateDictConfig)}


def _torch():
    import faketorch
    return faketorch


def _predivide_factor(world_size):
    """torch's split of the 1/world_size average into a power of two before the reduction and the
    rest after (keeps fp16 sums in range)."""
    factor = 1
    while world_size % factor == 0 and world_size / factor > factor:
        factor *= 2
    return float(factor)


def _clean(name):
    return name.replace(FSDP_PREFIX, '')


def _keep_full_precision(module, mixed_precision):
    """With mixed precision and auto wrapping, torch wraps the modules of
    _module_classes_to_ignore (BatchNorm) on their own without it: their inputs are cast to float32
    and their outputs back."""
    if mixed_precision is None:
        return []
    classes = tuple(set(mixed_precision._module_classes_to_ignore))
    found = [m for m in module.modules() if isinstance(m, classes)]
    for m in found:
        m._wrap_overrides = {'mixed_precision': None}
        m.register_forward_pre_hook(_to_float32)
        m.register_forward_hook(_back_to_input_dtype)
    if found:
        warnings.warn('Both mixed precision and an auto_wrap_policy were specified to FSDP, where the wrapped '
                      f'module has submodules of type:\n{ {type(m) for m in found} }\nThese modules will be '
                      'wrapped as separate FSDP instacnes with mixed precision disabled.', stacklevel=3)
    return found


def _to_float32(module, args):
    torch = _torch()
    from ...utils._pytree import tree_map

    def cast(x):
        if isinstance(x, torch.Tensor) and x.is_floating_point() and x.dtype != torch.float32:
            module.__dict__['_fsdp_input_dtype'] = x.dtype
            return x.to(torch.float32)
        return x
    return tree_map(cast, args)


def _back_to_input_dtype(module, args, output):
    torch = _torch()
    from ...utils._pytree import tree_map
    dtype = module.__dict__.pop('_fsdp_input_dtype', None)
    if dtype is None:
        return output
    return tree_map(lambda x: x.to(dtype) if isinstance(x, torch.Tensor) and x.is_floating_point() else x, output)


class _FlatParamHandle:
    """One FSDP instance's parameters: where each lives (module, attribute name, shape) and its
    flat shard."""

    def __init__(self, entries, rank, world_size, sharded):
        torch = _torch()
        self.entries = entries          # [(fqn, owner module, attribute name, shape, numel)]
        self.numels = [e[4] for e in entries]
        self.total = sum(self.numels)
        self.rank, self.world_size, self.sharded = rank, world_size, sharded
        flat = torch.cat([p.detach().reshape(-1) for p in self._params()]) if entries else torch.zeros(0)
        self.chunk = -(-self.total // world_size) if sharded else self.total
        if sharded:
            padded = torch.zeros(self.chunk * world_size, dtype=flat.dtype)
            padded[:self.total] = flat
            flat = padded[rank * self.chunk:(rank + 1) * self.chunk].clone()
        requires_grad = any(p.requires_grad for p in self._params())
        self.flat_param = nn.Parameter(flat, requires_grad=requires_grad)
        for _, owner, name, _, _ in entries:
            del owner._parameters[name]

    def _params(self):
        return [owner._parameters[name] for _, owner, name, _, _ in self.entries]

    def unsharded(self, group, dtype=None):
        """The whole flat vector (padded when sharded), a new tensor."""
        torch = _torch()
        local = self.flat_param.detach()
        local = local.to(dtype) if dtype is not None and dtype != local.dtype else local.clone()
        if not self.sharded:
            return local
        full = torch.empty(self.chunk * self.world_size, dtype=local.dtype)
        c10d.all_gather_into_tensor(full, local, group=group)
        return full

    def views(self, full):
        shapes = [e[3] for e in self.entries]
        return [v.view(s) for v, s in zip(full[:self.total].split(self.numels), shapes)]

    def set_attributes(self, tensors):
        for (_, owner, name, _, _), t in zip(self.entries, tensors):
            owner.__dict__.pop(name, None)
            if isinstance(t, nn.Parameter):
                owner._parameters[name] = t
            else:
                owner._parameters.pop(name, None)
                object.__setattr__(owner, name, t)

    def write_back(self, full):
        with _torch().no_grad():
            local = full[self.rank * self.chunk:(self.rank + 1) * self.chunk] if self.sharded else full
            self.flat_param.copy_(local)


class FullyShardedDataParallel(nn.Module):
    def __init__(self, module, process_group=None, sharding_strategy=None, cpu_offload=None, auto_wrap_policy=None,
                 backward_prefetch=None, mixed_precision=None, ignored_modules=None, param_init_fn=None,
                 device_id=None, sync_module_states=False, forward_prefetch=False, limit_all_gathers=True,
                 use_orig_params=False, ignored_states=None, device_mesh=None):
        torch = _torch()
        if device_id is None or torch.device(device_id if not isinstance(device_id, int) else 'cuda').type != 'cpu':
            # torch's message on a machine without an accelerator (faketorch runs FSDP on the CPU only)
            raise RuntimeError('FSDP needs a non-CPU accelerator device, but no accelerator device is detected.')
        if use_orig_params:
            raise NotImplementedError('faketorch: FullyShardedDataParallel(use_orig_params=True) is not implemented')
        super().__init__()
        if device_mesh is not None:
            process_group = device_mesh.get_group(0)
        self.process_group = c10d._default_group() if process_group is None else process_group
        self.rank, self.world_size = self.process_group.rank(), self.process_group.size()
        strategy = sharding_strategy or ShardingStrategy.FULL_SHARD
        if strategy in (ShardingStrategy.HYBRID_SHARD, ShardingStrategy._HYBRID_SHARD_ZERO2):
            raise NotImplementedError('faketorch: FSDP hybrid sharding is not implemented')
        if self.world_size == 1 and strategy != ShardingStrategy.NO_SHARD:
            warnings.warn(f'FSDP is switching to use `NO_SHARD` instead of {strategy} since the world size is 1.')
            strategy = ShardingStrategy.NO_SHARD
        self.sharding_strategy = strategy
        self.cpu_offload = cpu_offload or CPUOffload()
        self.mixed_precision = mixed_precision
        self.compute_device = torch.device('cpu')
        self._gradient_predivide_factor = _predivide_factor(self.world_size)
        self._gradient_postdivide_factor = self.world_size / self._gradient_predivide_factor
        self._state_dict_type = StateDictType.FULL_STATE_DICT
        self._state_dict_config = FullStateDictConfig()
        self._optim_state_dict_config = FullOptimStateDictConfig()
        self._is_root = None
        self._in_summon = False
        self._sync_gradients = True
        self._unsharded_grad = None         # what backward passes under no_sync() accumulated
        self._saved_grad_shard = None       # the reduced gradient from before them
        ignored = set(ignored_modules or ())
        if auto_wrap_policy is not None:
            kwargs = dict(process_group=process_group, sharding_strategy=sharding_strategy, cpu_offload=cpu_offload,
                          mixed_precision=mixed_precision, device_id=device_id,
                          sync_module_states=sync_module_states, use_orig_params=use_orig_params)
            keep_full = _keep_full_precision(module, mixed_precision)
            if isinstance(auto_wrap_policy, _wrap._Policy):
                targets = auto_wrap_policy._run_policy(module, ignored, kwargs)
                for m in keep_full:
                    targets[m] = {**targets.get(m, kwargs), 'mixed_precision': None}
                _wrap._post_order_apply(module, _wrap._construct_wrap_fn(module, targets, FullyShardedDataParallel))
            else:
                if keep_full:
                    alone = functools.partial(_wrap._wrap_module_cls_individually,
                                              module_classes=mixed_precision._module_classes_to_ignore)
                    auto_wrap_policy = functools.partial(_wrap._or_policy, policies=[auto_wrap_policy, alone])
                _wrap._recursive_wrap(module, auto_wrap_policy, FullyShardedDataParallel, ignored,
                                      {p for m in ignored for p in m.parameters()}, only_wrap_children=True,
                                      **kwargs)
        if sync_module_states:
            # torch's check: it broadcasts through the accelerator only
            raise ValueError('The module has CPU parameters or buffers when `sync_module_states=True`, which '
                             'requires them to be on GPU. Please specify the `device_id` argument or move the '
                             'module to GPU before passing it to FSDP.')
        self._fsdp_wrapped_module = module
        self._handle = _FlatParamHandle(self._owned_params(module, ignored), self.rank, self.world_size,
                                        strategy != ShardingStrategy.NO_SHARD)
        if self._handle.entries:        # an instance whose parameters all lie in nested ones has none
            module.register_parameter(FLAT_PARAM, self._handle.flat_param)
            self._handle.set_attributes(self._handle.views(self._handle.unsharded(self.process_group)))

    @staticmethod
    def _owned_params(module, ignored):
        """[(fqn, owner, name, shape, numel)] of module's parameters outside nested FSDP instances and
        ignored modules, each parameter once, in named_modules order."""
        seen, entries, skip = set(), [], set()
        for prefix, m in module.named_modules():
            if m is not module and (isinstance(m, FullyShardedDataParallel) or m in ignored):
                skip.update(id(s) for s in m.modules())
            if id(m) in skip:
                continue
            for name, p in list(m._parameters.items()):
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                entries.append((prefix + ('.' if prefix else '') + name, m, name, p.shape, p.numel()))
        return entries

    # --- attribute protocol: the wrapped module's attributes and items show through ---
    @property
    def module(self):
        return self._fsdp_wrapped_module

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self._fsdp_wrapped_module, name)

    def __getitem__(self, key):
        return self._fsdp_wrapped_module.__getitem__(key)

    def check_is_root(self):
        if self._is_root is None:
            self._lazy_init()
        return self._is_root

    def _lazy_init(self):
        self._buffer_dtypes = {}          # id(buffer in its computation dtype) -> its own dtype
        for m in self.modules():
            if isinstance(m, FullyShardedDataParallel) and m._is_root is None:
                m._is_root = m is self
                dtype = m._mp('buffer_dtype')
                if dtype is None:
                    continue
                for owner in m._managed_modules():
                    for name, b in list(owner._buffers.items()):
                        if b is not None and b.is_floating_point() and b.dtype != dtype:
                            owner._buffers[name] = b.to(dtype)
                            self._buffer_dtypes[id(owner._buffers[name])] = b.dtype

    def _managed_modules(self):
        """The modules of this instance's subtree outside nested instances."""
        skip, out = set(), []
        for m in self._fsdp_wrapped_module.modules():
            if m is not self._fsdp_wrapped_module and isinstance(m, FullyShardedDataParallel):
                skip.update(id(s) for s in m.modules())
            if id(m) not in skip:
                out.append(m)
        return out

    @staticmethod
    def fsdp_modules(module, root_only=False):
        mods = [m for m in module.modules() if isinstance(m, FullyShardedDataParallel)]
        return [m for m in mods if m.check_is_root()] if root_only else mods

    # --- forward and the gradient reduction ---
    def _mp(self, field):
        return getattr(self.mixed_precision, field) if self.mixed_precision is not None else None

    def forward(self, *args, **kwargs):
        torch = _torch()
        if self.cpu_offload.offload_params:
            # torch pins the offloaded memory for an accelerator, which a CPU-only machine lacks
            raise RuntimeError('Cannot access accelerator device when none is available.')
        if self._is_root is None:
            self._lazy_init()
        param_dtype = self._mp('param_dtype')
        if param_dtype is not None and (self._mp('cast_root_forward_inputs') if self._is_root
                                        else self._mp('cast_forward_inputs')):
            from ...utils._pytree import tree_map

            def cast(x):
                return x.to(param_dtype) if isinstance(x, torch.Tensor) and x.is_floating_point() else x
            args, kwargs = tree_map(cast, args), tree_map(cast, kwargs)
        handle = self._handle
        if not handle.entries:
            return self._fsdp_wrapped_module(*args, **kwargs)
        full = handle.unsharded(self.process_group, param_dtype)
        if torch.is_grad_enabled() and handle.flat_param.requires_grad:
            full.requires_grad_()
            full.register_hook(self._reduce_grad)
        handle.set_attributes(handle.views(full))
        return self._fsdp_wrapped_module(*args, **kwargs)

    def _reduce_grad(self, grad):
        torch = _torch()
        flat_param = self._handle.flat_param
        reduce_dtype = self._mp('reduce_dtype') or self._mp('param_dtype') or grad.dtype
        with torch.no_grad():
            if not self._sync_gradients:
                # torch shows the unsharded sum as the flat parameter's .grad meanwhile (shape unchecked)
                if self._unsharded_grad is None:
                    self._saved_grad_shard, total = flat_param.grad, grad
                else:
                    total = self._unsharded_grad + grad
                self._unsharded_grad = total.detach().clone()
                flat_param._grad = self._unsharded_grad[:self._handle.total]     # unpadded, as torch's
                return None
            if self._unsharded_grad is not None:
                grad = self._unsharded_grad + grad
                self._unsharded_grad = None
                flat_param._grad, self._saved_grad_shard = self._saved_grad_shard, None
            g = grad.to(reduce_dtype) if grad.dtype != reduce_dtype else grad.clone()
            if self._gradient_predivide_factor > 1:
                g.div_(self._gradient_predivide_factor)
            if self._handle.sharded:
                out = torch.empty(self._handle.chunk, dtype=g.dtype)
                c10d.reduce_scatter_single(out, g, group=self.process_group)
                g = out
            else:
                c10d.all_reduce(g, group=self.process_group)
            if self._gradient_postdivide_factor > 1:
                g.div_(self._gradient_postdivide_factor)
            if not self._mp('keep_low_precision_grads') and g.dtype != flat_param.dtype:
                g = g.to(flat_param.dtype)
            if flat_param.grad is None:
                flat_param.grad = g
            else:
                flat_param.grad += g
        return None

    # --- full parameters ---
    @staticmethod
    @contextlib.contextmanager
    def summon_full_params(module, recurse=True, writeback=True, rank0_only=False, offload_to_cpu=False,
                           with_grads=False):
        """Every FSDP instance under module (only module itself when recurse=False) shows its original
        parameters, whole, as Parameters; with writeback their changes go back to the shards."""
        torch = _torch()
        instances = [m for m in (module.modules() if recurse else [module])
                     if isinstance(m, FullyShardedDataParallel) and m._handle.entries]
        fulls = []
        for inst in instances:
            h = inst._handle
            full = h.unsharded(inst.process_group)
            fulls.append(full)
            del inst._fsdp_wrapped_module._parameters[FLAT_PARAM]
            h.set_attributes([nn.Parameter(v, requires_grad=h.flat_param.requires_grad) for v in h.views(full)])
            if with_grads and h.flat_param.grad is not None:
                grad = torch.zeros_like(full)
                if h.sharded:
                    c10d.all_gather_into_tensor(grad, h.flat_param.grad.detach().clone(), group=inst.process_group)
                else:
                    grad.copy_(h.flat_param.grad)
                for p, g in zip(h._params(), h.views(grad)):
                    p.grad = g
            inst._in_summon = True
        try:
            yield
        finally:
            for inst, full in zip(instances, fulls):
                h = inst._handle
                if writeback:
                    h.write_back(full)
                h.set_attributes(h.views(full.detach()))
                inst._fsdp_wrapped_module._parameters[FLAT_PARAM] = h.flat_param
                inst._in_summon = False

    def named_parameters(self, *args, **kwargs):
        for name, p in super().named_parameters(*args, **kwargs):
            yield (_clean(name) if self._in_summon else name), p

    def named_buffers(self, *args, **kwargs):
        for name, b in super().named_buffers(*args, **kwargs):
            yield (_clean(name) if self._in_summon else name), b

    # --- state dicts ---
    @staticmethod
    def set_state_dict_type(module, state_dict_type, state_dict_config=None, optim_state_dict_config=None):
        config_type, optim_config_type = _CONFIG_TYPES[state_dict_type]
        state_dict_config = config_type() if state_dict_config is None else state_dict_config
        optim_state_dict_config = optim_config_type() if optim_state_dict_config is None else optim_state_dict_config
        if type(state_dict_config) is not config_type:
            raise RuntimeError(f'Expected state_dict_config of type {config_type} but got {type(state_dict_config)}')
        if type(optim_state_dict_config) is not optim_config_type:
            raise RuntimeError(f'Expected optim_state_dict_config of type {optim_config_type} '
                               f'but got {type(optim_state_dict_config)}')
        prev = None
        for m in FullyShardedDataParallel.fsdp_modules(module):
            if prev is None:
                prev = StateDictSettings(m._state_dict_type, m._state_dict_config, m._optim_state_dict_config)
            m._state_dict_type, m._state_dict_config = state_dict_type, state_dict_config
            m._optim_state_dict_config = optim_state_dict_config
        return prev or StateDictSettings(None, None, None)

    @staticmethod
    def get_state_dict_type(module):
        for m in FullyShardedDataParallel.fsdp_modules(module):
            return StateDictSettings(m._state_dict_type, m._state_dict_config, m._optim_state_dict_config)
        raise RuntimeError('No FSDP instance is found.')

    @staticmethod
    @contextlib.contextmanager
    def state_dict_type(module, state_dict_type, state_dict_config=None, optim_state_dict_config=None):
        prev = FullyShardedDataParallel.set_state_dict_type(module, state_dict_type, state_dict_config,
                                                            optim_state_dict_config)
        try:
            yield
        finally:
            FullyShardedDataParallel.set_state_dict_type(module, prev.state_dict_type, prev.state_dict_config,
                                                         prev.optim_state_dict_config)

    def _check_full_state_dict(self):
        if self._state_dict_type != StateDictType.FULL_STATE_DICT:
            raise NotImplementedError(f'faketorch: FSDP {self._state_dict_type} is not implemented (only '
                                      'FULL_STATE_DICT)')

    def state_dict(self, *args, destination=None, prefix='', keep_vars=False):
        if self._in_summon:           # a nested instance inside the root's summon
            return super().state_dict(*args, destination=destination, prefix=prefix, keep_vars=keep_vars)
        self._check_full_state_dict()
        cfg = self._state_dict_config
        with FullyShardedDataParallel.summon_full_params(self, writeback=False):
            sd = super().state_dict(*args, prefix=prefix, keep_vars=True)
        if cfg.rank0_only and self.rank != 0:
            sd = type(sd)()
        dtypes = getattr(self, '_buffer_dtypes', {})      # buffers go back to their own dtype
        out = type(sd)((_clean(k), v.detach().to(dtypes.get(id(v), v.dtype)).clone()) for k, v in sd.items())
        if destination is None:
            return out
        destination.update(out)
        return destination

    def load_state_dict(self, state_dict, strict=True, assign=False):
        self._check_full_state_dict()
        with FullyShardedDataParallel.summon_full_params(self, writeback=True):
            names = {_clean(k): k for k in nn.Module.state_dict(self)}
            return super().load_state_dict({names.get(k, k): v for k, v in state_dict.items()}, strict)

    # --- optimizer state dicts (full: each original parameter's state whole, keyed by its name) ---
    @staticmethod
    def _flat_owners(model):
        """{id(flat_param): (instance, [the original parameters' names in model])}."""
        out = {}
        for name, m in model.named_modules():
            if isinstance(m, FullyShardedDataParallel) and m._handle.entries:
                prefix = _clean(name + '.') if name else ''
                out[id(m._handle.flat_param)] = (m, [prefix + e[0] for e in m._handle.entries])
        return out

    @staticmethod
    def optim_state_dict(model, optim, optim_state_dict=None, group=None):
        """optim's state with every flat parameter's state gathered and split into the original
        parameters' (tensors first, then the 0-dim states such as step, as torch orders them)."""
        torch = _torch()
        osd = optim.state_dict() if optim_state_dict is None else optim_state_dict
        owners = FullyShardedDataParallel._flat_owners(model)
        plain = {id(p): _clean(n) for n, p in model.named_parameters()}
        params = [p for g in optim.param_groups for p in g['params']]
        names, state = [], {}
        for i, p in enumerate(params):
            inst, fqns = owners.get(id(p), (None, [plain.get(id(p))]))
            names.append(fqns)
            s = osd['state'].get(i)
            if s is None:
                continue
            if inst is None:
                state[fqns[0]] = s
                continue
            h = inst._handle
            split = {}
            for k, v in s.items():
                if isinstance(v, torch.Tensor) and v.ndim:
                    full = v.detach()
                    if h.sharded:
                        full = torch.empty(h.chunk * h.world_size, dtype=v.dtype)
                        c10d.all_gather_into_tensor(full, v.detach().contiguous(), group=inst.process_group)
                    split[k] = [t.clone() for t in h.views(full)]
            scalars = {k: v for k, v in s.items() if k not in split}
            for j, fqn in enumerate(fqns):
                state[fqn] = {**{k: views[j] for k, views in split.items()}, **scalars}
        groups, start = [], 0
        for g_sd, g in zip(osd['param_groups'], optim.param_groups):
            n = len(g['params'])
            groups.append({**{k: v for k, v in g_sd.items() if k != 'params'},
                           'params': [f for fqns in names[start:start + n] for f in fqns]})
            start += n
        return {'state': state, 'param_groups': groups}

    @staticmethod
    def optim_state_dict_to_load(model, optim, optim_state_dict, is_named_optimizer=False, load_directly=False,
                                 group=None):
        """The reverse of optim_state_dict: the state optim.load_state_dict takes on this rank."""
        torch = _torch()
        owners = FullyShardedDataParallel._flat_owners(model)
        plain = {id(p): _clean(n) for n, p in model.named_parameters()}
        params = [p for g in optim.param_groups for p in g['params']]
        full_state = optim_state_dict['state']
        state = {}
        for i, p in enumerate(params):
            inst, fqns = owners.get(id(p), (None, [plain.get(id(p))]))
            present = [f for f in fqns if f in full_state]
            if not present:
                continue
            if inst is None:
                state[i] = full_state[fqns[0]]
                continue
            h, first = inst._handle, full_state[present[0]]
            s = {}
            for k, v in first.items():
                if isinstance(v, torch.Tensor) and v.ndim:
                    flat = torch.cat([full_state[f][k].reshape(-1) if f in full_state else
                                      torch.zeros(e[4], dtype=v.dtype) for f, e in zip(fqns, h.entries)])
                    if h.sharded:
                        padded = torch.zeros(h.chunk * h.world_size, dtype=flat.dtype)
                        padded[:flat.numel()] = flat
                        flat = padded[h.rank * h.chunk:(h.rank + 1) * h.chunk]
                    s[k] = flat.clone()
                else:
                    s[k] = v
            state[i] = s
        groups, start = [], 0
        for g_sd, g in zip(optim_state_dict['param_groups'], optim.param_groups):
            n = len(g['params'])
            groups.append({**{k: v for k, v in g_sd.items() if k != 'params'}, 'params': list(range(start, start + n))})
            start += n
        out = {'state': state, 'param_groups': groups}
        if load_directly:
            optim.load_state_dict(out)
        return out

    # --- gradient clipping ---
    def clip_grad_norm_(self, max_norm, norm_type=2.0):
        """The norm of all ranks' shards together (each rank's shard norm, combined across ranks as
        torch does: p-th powers summed, or max); every gradient scaled by max_norm/(norm+1e-6) when
        that is below 1."""
        torch = _torch()
        if not self.check_is_root():
            raise RuntimeError('`clip_grad_norm_()` should only be called on the root FSDP instance')
        max_norm, norm_type = float(max_norm), float(norm_type)
        sharded, nonsharded = [], []
        for m in FullyShardedDataParallel.fsdp_modules(self):
            if m._handle.entries:
                (sharded if m._handle.sharded else nonsharded).append(m._handle.flat_param)
        managed = {id(p) for p in sharded + nonsharded}
        nonsharded += [p for p in self.parameters() if id(p) not in managed]
        grads = [p.grad for p in sharded + nonsharded if p.grad is not None]

        def norm(params):
            gs = [p.grad for p in params if p.grad is not None]
            if not gs:
                return torch.tensor(0.0)
            return torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g.detach(), norm_type,
                                                                                   dtype=torch.float32)
                                                         for g in gs]), norm_type, dtype=torch.float32)
        local_sharded = norm(sharded)
        local_nonsharded = norm(nonsharded) if nonsharded else None
        if norm_type == math.inf:
            total = local_sharded if local_nonsharded is None else torch.maximum(local_sharded, local_nonsharded)
            c10d.all_reduce(total, op=c10d.ReduceOp.MAX, group=self.process_group)
        else:
            total = local_sharded ** norm_type
            c10d.all_reduce(total, group=self.process_group)
            if local_nonsharded is not None:
                total += local_nonsharded ** norm_type
            total = total ** (1.0 / norm_type)
        clip_coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
        for g in grads:
            g.mul_(clip_coef.to(g.device, g.dtype))
        if not grads:
            warnings.warn(f'Called FSDP.clip_grad_norm_() on rank {self.rank} with no gradients -- returning the '
                          f'total norm in the default dtype {total.dtype}')
            return total
        return total.to(functools.reduce(torch.promote_types, [g.dtype for g in grads]))

    @contextlib.contextmanager
    def no_sync(self):
        """Backward passes inside keep their gradients unsharded and unreduced; the first backward
        after it reduces their sum with its own."""
        instances = FullyShardedDataParallel.fsdp_modules(self)
        previous = [m._sync_gradients for m in instances]
        for m in instances:
            m._sync_gradients = False
        try:
            yield
        finally:
            for m, flag in zip(instances, previous):
                m._sync_gradients = flag
