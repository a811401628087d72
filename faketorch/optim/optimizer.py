"""torch.optim.Optimizer: param groups, per-parameter state, hooks, state_dict, zero_grad.

Subclasses do their arithmetic on the arrays of parameters, gradients and state (in place,
under no-grad semantics, as torch's optimizers do) with the helpers at the bottom of this file;
state entries stay faketorch Tensors so that `state_dict()` looks like torch's.
"""
import functools
import sys
import warnings
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain

from .. import _xnp as np

from .. import _device
from .. import _dtype as D
from .._ops._core import _fused_axpy
from .._tensor import Tensor, _make
from ..utils.hooks import RemovableHandle
from collections.abc import Iterable as _Iterable
from typing import Any as _Any

# what an optimizer's params may be (the type scripts annotate with)
ParamsT = _Iterable[Tensor] | _Iterable[dict[str, _Any]] | _Iterable[tuple[str, Tensor]]

__all__ = ['Optimizer', 'register_optimizer_step_pre_hook', 'register_optimizer_step_post_hook']


class _RequiredParameter:
    """Marks a hyper-parameter without a default (torch.optim.optimizer.required)."""

    def __repr__(self):
        return '<required parameter>'


required = _RequiredParameter()


_global_optimizer_pre_hooks = OrderedDict()
_global_optimizer_post_hooks = OrderedDict()


def _add_hook(hooks, hook, prepend=False):
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def register_optimizer_step_pre_hook(hook):
    return _add_hook(_global_optimizer_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    return _add_hook(_global_optimizer_post_hooks, hook)


def _typename(obj):
    """torch.typename: Tensor.type() for tensors, the qualified class name otherwise."""
    if isinstance(obj, Tensor):
        return obj.type()      # torch.cuda.FloatTensor on CUDA
    module = type(obj).__module__
    name = type(obj).__qualname__
    return name if module in ('builtins', None) else module + '.' + name


def _with_hooks(step):
    """Wrap a subclass's step with the global and per-instance pre/post hooks (as torch does)."""
    @functools.wraps(step)
    def wrapper(*args, **kwargs):
        self = args[0]          # hooks see args with self in them, as torch's
        for pre_hook in chain(_global_optimizer_pre_hooks.values(), self._optimizer_step_pre_hooks.values()):
            result = pre_hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(f"{step} must return None or a tuple of (new_args, new_kwargs), "
                                       f"but got {result}.")
        out = step(*args, **kwargs)
        _round_bf16(self)
        _dtensor_states(self)
        for post_hook in chain(self._optimizer_step_post_hooks.values(), _global_optimizer_post_hooks.values()):
            post_hook(self, args, kwargs)
        return out
    wrapper.hooked = True
    return wrapper


def _dtensor_states(opt):
    """A DTensor parameter's (FSDP2) state tensors get its layout, as torch's state is DTensors (the
    update itself runs on the local arrays)."""
    api = sys.modules.get('faketorch.distributed.tensor._api')
    if api is None:
        return
    for p, state in opt.state.items():
        if isinstance(p, api.DTensor):
            for k, v in state.items():
                if type(v) is Tensor and v.ndim and v._data.shape == p._data.shape:
                    state[k] = api.DTensor._wrap(v, p.device_mesh, p.placements, p.shape)


def _round_bf16(opt):
    """The steps update bfloat16 parameters and state in their float32 arrays: store bfloat16
    values again (torch rounds after each op of the update, so the last bit can differ)."""
    for group in opt.param_groups:
        for p in group['params']:
            if p.dtype is D.bfloat16:
                p._data[...] = D.as_bf16(p._data)
                for v in opt.state.get(p, {}).values():
                    if isinstance(v, Tensor) and v.dtype is D.bfloat16:
                        v._data[...] = D.as_bf16(v._data)


_HOOK_DICTS = ('_optimizer_step_pre_hooks', '_optimizer_step_post_hooks',
               '_optimizer_state_dict_pre_hooks', '_optimizer_state_dict_post_hooks',
               '_optimizer_load_state_dict_pre_hooks', '_optimizer_load_state_dict_post_hooks')


class Optimizer:
    # (key, value) pairs a subclass's __setstate__ fills into param groups saved without them
    _setstate_defaults = ()
    # Where 0-dim state (step, mu_product, eta ...) lives in a group that is neither capturable nor
    # fused (those put it on the parameter's device), as torch creates it: 'default' is
    # torch.tensor(0.0) without a device, so the default device; 'cpu' where torch names the CPU
    # (Adam); 'param' where torch always uses the parameter's device (ASGD).
    _scalar_state_device = 'default'
    # 0-dim state besides `step` that __setstate__ turns from numbers into tensors (old pickles)
    _scalar_state_keys = ()
    # torch's assert in a capturable step names these tensors and lists 'xla' among the devices,
    # in its (single-tensor, foreach) implementations
    _capturable_names = ('params and state_steps',) * 2
    _capturable_xla = (True, False)
    # what step says to a sparse gradient where it has no sparse path (None: "<name> does not support
    # sparse gradients")
    _sparse_error = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if 'step' in cls.__dict__ and not getattr(cls.__dict__['step'], 'hooked', False):
            cls.step = _with_hooks(cls.__dict__['step'])

    def __init__(self, params, defaults):
        self.defaults = defaults
        for name in _HOOK_DICTS:
            setattr(self, name, OrderedDict())
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors "
                            "or dicts, but got " + _typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{'params': param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)
        self._warned_capturable_if_run_uncaptured = True

    def __getstate__(self):
        return {'defaults': self.defaults, 'state': self.state, 'param_groups': self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in _HOOK_DICTS:
            self.__dict__.setdefault(name, OrderedDict())
        self.defaults.setdefault('differentiable', False)
        for group in self.param_groups:
            for key, value in self._setstate_defaults:
                group.setdefault(key, value)
            for p in group['params']:
                state = self.state.get(p, {})
                for key in ('step',) + self._scalar_state_keys:
                    if key in state and not isinstance(state[key], Tensor):
                        # torch's __setstate__ names no CPU, so Adam's goes to the default device here
                        where = 'param' if self._scalar_state_device == 'param' else 'default'
                        state[key] = self._scalar_state(p, group, float(state[key]), key == 'step', where)

    def __repr__(self):
        text = self.__class__.__name__ + ' ('
        for i, group in enumerate(self.param_groups):     # groups after the first start with a blank line
            text += f'\nParameter Group {i}\n'
            text += ''.join(f'    {key}: {group[key]}\n' for key in sorted(group) if key != 'params')
        return text + ')'

    # --- hooks ---
    def register_step_pre_hook(self, hook):
        return _add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        return _add_hook(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        return _add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        return _add_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        return _add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        return _add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # --- state_dict ---
    def state_dict(self):
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)
        index = {}                       # id(param) -> integer id, in group order
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != 'params'}
            for p in group['params']:
                index.setdefault(id(p), len(index))
            packed['params'] = [index[id(p)] for p in group['params']]
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        state_dict = {'state': state, 'param_groups': groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _process_value_according_to_param_policy(param, value, param_id, param_groups, key=None):
        fused = capturable = False
        for pg in param_groups:
            if param_id in pg['params']:
                fused = pg.get('fused', False)
                capturable = pg.get('capturable', False)
                break
        if key == 'step':
            if capturable or fused:
                return value.to(dtype=D.float32, device=param.device)
            return value
        if param.is_floating_point():
            return value.to(dtype=param.dtype, device=param.device)
        return value.to(device=param.device)

    def load_state_dict(self, state_dict):
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict['param_groups'])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g['params']) != len(s['params']) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size "
                             "of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g['params'] for g in saved_groups),
                          chain.from_iterable(g['params'] for g in groups)))

        def cast(param, value, param_id, key=None):
            if isinstance(value, Tensor):
                return Optimizer._process_value_according_to_param_policy(
                    param, value, param_id, state_dict['param_groups'], key)
            if isinstance(value, dict):
                return {k: cast(param, v, param_id, k) for k, v in value.items()}
            if isinstance(value, (list, tuple, set)):
                return type(value)(cast(param, v, param_id) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict['state'].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v, k)
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group['params'] = group['params']
            if 'param_names' in group and 'param_names' not in new_group:
                new_group['param_names'] = group['param_names']
            return new_group
        self.__setstate__({'state': state,
                           'param_groups': [update_group(g, ng) for g, ng in zip(groups, saved_groups)]})
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    # --- gradients and groups ---
    def zero_grad(self, set_to_none=True):
        for group in self.param_groups:
            for p in group['params']:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    if g._grad_fn is not None:
                        g.detach_()
                    else:
                        g.requires_grad_(False)
                    g._data[...] = 0
                    g._vc[0] += 1

    def step(self, closure=None):
        raise NotImplementedError

    def _lazy_state(self, p, buffers=(), group=None, **scalars):
        """self.state[p], filled on first use as torch's optimizers do: a 0-dim `step`, then the
        0-dim `scalars`, then zero `buffers` shaped like p, in that order. A fused group checks
        p first, as torch's Adam does."""
        state = self.state[p]
        if len(state) == 0:
            if group is None:
                group = next(g for g in self.param_groups if any(q is p for q in g['params']))
            if group.get('fused'):
                _device_dtype_check_for_fused(p)
            state['step'] = self._scalar_state(p, group, 0.0, step=True)
            self._check_capturable(p, group)
            for name, value in scalars.items():
                state[name] = self._scalar_state(p, group, value)
            for name in buffers:
                state[name] = _zeros_like(p)
        return state

    def _dense_params(self, group, buffers=(), init=None, **scalars):
        """The group's parameters with a gradient, for an optimizer without a sparse path. torch's
        _init_group raises on the first sparse gradient, having filled (`init`, by default
        `_lazy_state(p, buffers, group, **scalars)`) the state of the parameters before it."""
        params = [p for p in group['params'] if p._grad is not None]
        for i, p in enumerate(params):
            if p._grad.is_sparse:
                for q in params[:i]:
                    init(q) if init else self._lazy_state(q, buffers, group, **scalars)
                raise RuntimeError(self._sparse_error or f"{self._torch_name()} does not support sparse gradients")
        return _params_with_grad(group)

    def _torch_name(self):
        """The name torch's message gives: that of the faketorch optimizer a user's subclass extends."""
        return next(c.__name__ for c in type(self).__mro__ if c.__module__.startswith(__package__))

    def _check_capturable(self, p, group):
        if group.get('capturable') and p.device.type not in _CAPTURABLE_DEVICES:
            foreach = bool(group.get('foreach'))
            devices = _CAPTURABLE_DEVICES + ['xla'] * self._capturable_xla[foreach]
            raise AssertionError(f"If capturable=True, {self._capturable_names[foreach]} must be on supported "
                                 f"devices: {devices}.")

    def _scalar_state(self, p, group, value, step=False, where=None):
        """A 0-dim state tensor for p, as torch creates it: of the scalar dtype (float32 for a fused
        group's `step`), on p's device in a capturable or fused group, else per
        `_scalar_state_device` (or `where`)."""
        fused = group.get('fused')
        where = 'param' if group.get('capturable') or fused else where or self._scalar_state_device
        device = p._device if where == 'param' else _device.cpu if where == 'cpu' else None
        return _scalar_tensor(value, _get_scalar_dtype(is_fused=step and fused), device)

    def add_param_group(self, param_group):
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group['params']
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the "
                            "ordering of tensors in sets will change between runs. Please use a list instead.")
        else:
            params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group['params'] = params
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group['param_names'] = names

        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(param))
            if not self.defaults.get('differentiable', None) and not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization "
                                 f"parameter {name}")
            param_group.setdefault(name, default)

        if len(params) != len(set(params)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this "
                          "will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                          "information", stacklevel=3)
        param_set = set()
        for group in self.param_groups:
            param_set.update(group['params'])
            if ('param_names' in param_group) != ('param_names' in group):
                which = 'with names' if 'param_names' in param_group else 'without names'
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not param_set.isdisjoint(params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)


# --------------------------------------------------------------------- helpers for subclasses

def _get_scalar_dtype(is_fused=None):
    """The dtype of `step` and other scalar state: float64 only under a float64 default."""
    if is_fused:
        return D.float32
    return D.float64 if D.get_default_dtype() is D.float64 else D.float32


def _to_scalar(x):
    """A hyper-parameter as a number. A tensor lr becomes a NumPy scalar of its dtype, so that
    arithmetic on it rounds as torch's 0-dim tensor arithmetic does (float32 stays float32)."""
    return np.host(x._data).reshape(())[()] if isinstance(x, Tensor) else x


_LR_TESTS = {'nonnegative': lambda lr: not 0.0 <= lr, 'positive': lambda lr: not 0.0 < lr,
             'below_zero': lambda lr: lr < 0.0}     # SGD's: a NaN passes, a bad type names lr's type first


def _check_lr(lr, message="Invalid learning rate: {}", test='nonnegative'):
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if _LR_TESTS[test](lr):
        raise ValueError(message.format(lr))


_VALUE_NAMES = {'eps': 'epsilon'}     # torch says "Invalid epsilon value", and the argument's name otherwise


def _check_nonnegative(**values):
    """torch's `if not 0.0 <= x: raise ValueError(f"Invalid x value: {x}")`, in argument order."""
    for name, value in values.items():
        if not 0.0 <= value:
            raise ValueError(f"Invalid {_VALUE_NAMES.get(name, name)} value: {value}")


def _check_betas(betas):
    for i in (0, 1):
        if not 0.0 <= betas[i] < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")


def _check_adam_args(lr, eps, betas, weight_decay):
    """The checks Adam, Adamax, NAdam and RAdam open with, in torch's order."""
    _check_lr(lr)
    _check_nonnegative(eps=eps)
    _check_betas(betas)
    _check_nonnegative(weight_decay=weight_decay)


_CAPTURABLE_DEVICES = ['cuda', 'xpu', 'hpu', 'privateuseone']
_FUSED_DEVICES = ['mps', 'cuda', 'xpu', 'hpu', 'cpu', 'mtia', 'privateuseone']


def _device_dtype_check_for_fused(p):
    if not (p.device.type in _FUSED_DEVICES and p.is_floating_point()):
        raise RuntimeError("`fused=True` requires all the params to be floating point Tensors of "
                           f"supported devices: {_FUSED_DEVICES} but {p.dtype} and {p.device.type}")


def _check_fused(fused, differentiable, foreach):
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def _closure_loss(closure):
    """Call the closure with grad enabled (torch's step runs under no_grad otherwise)."""
    if closure is None:
        return None
    from ..autograd.grad_mode import enable_grad
    with enable_grad():
        return closure()


def _scalar_tensor(value, dtype=None, device=None):
    """A 0-dim state tensor (step, mu, eta ...) of the scalar dtype, on `device` or, as
    torch.tensor(value) given none, on the default device."""
    dtype = dtype or _get_scalar_dtype()
    return _make(np.asarray(value, dtype=dtype._np), dtype, device or _device.default[0] or _device.cpu)


def _zeros_like(p):
    return _make(np.zeros_like(p._data), p.dtype, p._device)


def _full_like(p, value):
    return _make(np.full_like(p._data, value), p.dtype, p._device)


def _bump(*tensors):
    """An in-place change: bump the version counter as torch's in-place ops would."""
    for t in tensors:
        t._vc[0] += 1


def _real(a):
    """Complex arrays are updated as (..., 2) real arrays, as torch's view_as_real."""
    if a.dtype.kind == 'c':
        return a.view(a.real.dtype).reshape(a.shape + (2,))
    return a


def _incr(step_t):
    """step_t += 1 on a 0-dim state tensor; returns the new value as a Python float."""
    a = step_t._data
    a += 1
    step_t._vc[0] += 1
    return float(a)


def _grad_of(p, maximize, weight_decay=0):
    """The gradient as torch's step uses it: negated under maximize, plus weight decay (new arrays)."""
    g = _real(p._grad._data)
    if maximize:
        g = -g
    if weight_decay != 0:
        g = _axpy_(g.copy(), _real(p._data), weight_decay)      # grad.add(param, alpha=weight_decay)
    return g


def _axpy_(a, b, alpha):
    """a += alpha * b as torch's a.add_(b, alpha=alpha) computes it on the CPU: one fused multiply-add
    per float32 element (_core._fused_axpy, as Tensor.add_); other dtypes (and CuPy arrays) round
    alpha * b first. Returns a."""
    if alpha == 1:
        a += b          # (exact either way)
    elif a.dtype == np.float32 and a.__class__ is np.ndarray:
        _fused_axpy(a, b, alpha)
    else:
        a += b * a.dtype.type(alpha)
    return a


def _lerp_(a, b, w):
    """a.lerp_(b, w) for a scalar weight, with torch's two-sided formula."""
    w = a.dtype.type(w)
    if abs(w) < 0.5:
        a += w * (b - a)
    else:
        np.subtract(b, (b - a) * (1 - w), out=a)


def _ema_sq_(a, g, beta):
    """a.mul_(beta).addcmul_(g, g, value=1 - beta): the running mean of squared gradients."""
    f = a.dtype.type
    a *= f(beta)
    a += (f(1 - beta) * g) * g


def _decay_and_grad(p, lr, weight_decay, decoupled, maximize):
    """The parameter's array and the gradient after weight decay as torch's Adam family applies it:
    decoupled (AdamW) shrinks the parameter in place, otherwise the decay joins the gradient."""
    pa = _real(p._data)
    if weight_decay != 0 and decoupled:
        pa *= pa.dtype.type(1 - lr * weight_decay)
    return pa, _grad_of(p, maximize, 0 if decoupled else weight_decay)


def _params_with_grad(group):
    params = [p for p in group['params'] if p._grad is not None]
    if group.get('differentiable'):
        # torch steps with grad enabled then: an in-place update of a leaf that requires grad fails
        for p in params:
            if p._requires_grad and p._grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    return params
