"""torch.amp.GradScaler: dynamic loss scaling.

GradScaler('cpu') really scales (as torch 2.13 does); GradScaler('cuda') without CUDA warns and
turns into the pass-through that scripts written for GPUs rely on. The two kernels torch uses,
torch._amp_foreach_non_finite_check_and_unscale_ and torch._amp_update_scale_, are defined here too.
"""
import warnings
from collections import defaultdict
from enum import Enum

from .. import _xnp as np

from .. import _dtype as D
from .._device import cuda_available
from .._ops._core import register
from ..autograd.grad_mode import no_grad

__all__ = ['OptState', 'GradScaler']


class OptState(Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _fresh_state():
    # a module-level factory (not a lambda) keeps the scaler picklable
    return {'stage': OptState.READY, 'found_inf_per_device': {}}


def _amp_foreach_non_finite_check_and_unscale_(self, found_inf, inv_scale):
    """Multiply every tensor by inv_scale in place; set found_inf to 1 if any held inf/nan."""
    inv = inv_scale._data
    for g in self:
        if not np.isfinite(g._data).all():
            found_inf._data[...] = 1.0
        g._data *= inv.astype(g._data.dtype)
        g._vc[0] += 1


def _amp_update_scale_(self, growth_tracker, found_inf, scale_growth_factor, scale_backoff_factor,
                       growth_interval):
    """torch's scale update: back off on inf/nan, grow after growth_interval clean steps."""
    scale, tracker = self._data, growth_tracker._data
    if found_inf._data.item():
        scale *= np.float32(scale_backoff_factor)
        tracker[...] = 0
    else:
        clean = int(tracker) + 1
        if clean == growth_interval:
            grown = scale * np.float32(scale_growth_factor)
            if np.isfinite(grown):
                scale[...] = grown
            clean = 0
        tracker[...] = clean
    self._vc[0] += 1
    growth_tracker._vc[0] += 1
    return self


register(_amp_foreach_non_finite_check_and_unscale_, method=False)
register(_amp_update_scale_, method=False)


class GradScaler:
    """Scale the loss, unscale the gradients before the step, skip steps whose gradients overflowed."""

    def __init__(self, device='cuda', init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        self._device = device
        self._enabled = enabled
        if device == 'cuda' and enabled and not cuda_available():
            warnings.warn('torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.',
                          stacklevel=2)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError('The growth factor must be > 1.0.')
            if backoff_factor >= 1.0:
                raise AssertionError('The backoff factor must be < 1.0.')
            self._init_scale = init_scale
            self._scale = None                  # created by the first scale() on the loss's device
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker = None
            self._per_optimizer_states = defaultdict(_fresh_state)

    # --- internals ---------------------------------------------------------------------------------

    def _check_scale_growth_tracker(self, funcname):
        fix = 'This may indicate your script did not use scaler.scale(loss or outputs) earlier in the iteration.'
        if self._scale is None:
            raise AssertionError(f'Attempted {funcname} but _scale is None.  ' + fix)
        if self._growth_tracker is None:
            raise AssertionError(f'Attempted {funcname} but _growth_tracker is None.  ' + fix)
        return self._scale, self._growth_tracker

    def _lazy_init_scale_growth_tracker(self, dev):
        from .. import full
        if self._growth_tracker is not None:
            raise AssertionError('_growth_tracker initialized before _scale')
        self._scale = full((), self._init_scale, dtype=D.float32, device=dev)
        self._growth_tracker = full((), self._init_growth_tracker, dtype=D.int32, device=dev)

    def _scale_on(self, dev, cache):
        t = cache.get(dev)
        if t is None:
            t = cache[dev] = self._scale.to(device=dev, copy=True)
        return t

    def _get_scale_async(self):
        return self._scale

    def _get_growth_tracker(self):
        if not self._enabled:
            return 0
        return self._init_growth_tracker if self._growth_tracker is None else self._growth_tracker.item()

    # --- the training-loop API ---------------------------------------------------------------------

    def scale(self, outputs):
        """outputs * scale (a tensor, or tensors nested in lists/tuples/iterables)."""
        from .._tensor import Tensor
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            if self._scale is None:
                self._lazy_init_scale_growth_tracker(outputs.device)
            return outputs * self._scale.to(device=outputs.device, non_blocking=True)
        cache = {}

        def apply(val):
            if isinstance(val, Tensor):
                if self._scale is None:
                    self._lazy_init_scale_growth_tracker(val.device)
                return val * self._scale_on(val.device, cache)
            if isinstance(val, (list, tuple)):
                return type(val)(map(apply, val))
            if hasattr(val, '__iter__'):
                return map(apply, val)
            raise ValueError('outputs must be a Tensor or an iterable of Tensors')
        return apply(outputs)

    def _unscale_grads_(self, optimizer, inv_scale, found_inf, allow_fp16):
        groups = defaultdict(lambda: defaultdict(list))       # device -> dtype -> grads
        with no_grad():
            for group in optimizer.param_groups:
                for param in group['params']:
                    if param.grad is None:
                        continue
                    if not allow_fp16 and param.grad.dtype is D.float16:
                        raise ValueError('Attempting to unscale FP16 gradients.')
                    to_unscale = param.grad
                    if to_unscale.is_sparse:      # torch unscales the values (fp16 ones coalesced first)
                        if to_unscale.dtype is D.float16:
                            param.grad = to_unscale = to_unscale.coalesce()
                        to_unscale = to_unscale._values()
                    groups[param.grad.device][param.grad.dtype].append(to_unscale)
            found, invs = {}, {}
            for dev, by_dtype in groups.items():
                f = self._scale_like(found_inf, dev, found)
                i = self._scale_like(inv_scale, dev, invs)
                for grads in by_dtype.values():
                    _amp_foreach_non_finite_check_and_unscale_(grads, f, i)
        return found

    @staticmethod
    def _scale_like(t, dev, cache):
        if dev not in cache:
            cache[dev] = t.to(device=dev, copy=True)
        return cache[dev]

    def unscale_(self, optimizer):
        """Divide the optimizer's gradients by the scale (once per step), recording inf/nan."""
        from .. import full
        if not self._enabled:
            return
        self._check_scale_growth_tracker('unscale_')
        state = self._per_optimizer_states[id(optimizer)]
        if state['stage'] is OptState.UNSCALED:
            raise RuntimeError('unscale_() has already been called on this optimizer since the last update().')
        if state['stage'] is OptState.STEPPED:
            raise RuntimeError('unscale_() is being called after step().')
        inv_scale = self._scale.double().reciprocal().float()     # reciprocal in float64, as torch
        found_inf = full((), 0.0, dtype=D.float32, device=self._scale.device)
        state['found_inf_per_device'] = self._unscale_grads_(optimizer, inv_scale, found_inf, False)
        state['stage'] = OptState.UNSCALED

    def _check_inf_per_device(self, optimizer):
        from .. import full
        _scale, _ = self._check_scale_growth_tracker('_check_inf_per_device')
        dummy_inv_scale = full((), 1.0, dtype=D.float32, device=_scale.device)
        found_inf = full((), 0.0, dtype=D.float32, device=_scale.device)
        state = self._per_optimizer_states[id(optimizer)]
        state['found_inf_per_device'] = self._unscale_grads_(optimizer, dummy_inv_scale, found_inf, True)
        return state['found_inf_per_device']

    def _found_inf_per_device(self, optimizer):
        return self._per_optimizer_states[id(optimizer)]['found_inf_per_device']

    def step(self, optimizer, *args, **kwargs):
        """Unscale (if not done yet) and call optimizer.step() unless a gradient overflowed."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if 'closure' in kwargs:
            raise RuntimeError('Closure use is not currently supported if GradScaler is enabled.')
        self._check_scale_growth_tracker('step')
        state = self._per_optimizer_states[id(optimizer)]
        if state['stage'] is OptState.STEPPED:
            raise RuntimeError('step() has already been called since the last update().')
        if getattr(optimizer, '_step_supports_amp_scaling', False):
            return self._step_amp_aware(optimizer, state, args, kwargs)
        if state['stage'] is OptState.READY:
            self.unscale_(optimizer)
        if len(state['found_inf_per_device']) == 0:
            raise AssertionError('No inf checks were recorded for this optimizer.')
        retval = None
        if not sum(v.item() for v in state['found_inf_per_device'].values()):
            retval = optimizer.step(*args, **kwargs)
        state['stage'] = OptState.STEPPED
        return retval

    def _step_amp_aware(self, optimizer, state, args, kwargs):
        """Optimizers that unscale themselves get grad_scale and found_inf as attributes."""
        if state['stage'] is OptState.READY:
            self._check_inf_per_device(optimizer)
        scale = self._get_scale_async()
        found_inf = sum(t.to(scale.device) for t in state['found_inf_per_device'].values())
        optimizer.grad_scale = getattr(optimizer, 'grad_scale', None) if state['stage'] is OptState.UNSCALED \
            else scale * getattr(optimizer, 'grad_scale', 1)
        optimizer.found_inf = found_inf
        retval = optimizer.step(*args, **kwargs)
        state['stage'] = OptState.STEPPED
        del optimizer.grad_scale
        del optimizer.found_inf
        return retval

    def update(self, new_scale=None):
        """Back off or grow the scale from this iteration's inf checks (or set it to new_scale)."""
        if not self._enabled:
            return
        _scale, _growth_tracker = self._check_scale_growth_tracker('update')
        if new_scale is not None:
            if isinstance(new_scale, float):
                self._scale.fill_(new_scale)
            else:
                reason = ('new_scale should be a float or a 1-element torch.cuda.FloatTensor or '
                          'torch.FloatTensor with requires_grad=False.')
                if new_scale.device.type != self._device or new_scale.numel() != 1 or new_scale.requires_grad:
                    raise AssertionError(reason)
                self._scale.copy_(new_scale)
        else:
            found = [f.to(device=_scale.device) for s in self._per_optimizer_states.values()
                     for f in s['found_inf_per_device'].values()]
            if not found:
                raise AssertionError('No inf checks were recorded prior to update.')
            combined = found[0]
            for f in found[1:]:
                combined += f
            _amp_update_scale_(_scale, _growth_tracker, combined, self._growth_factor,
                               self._backoff_factor, self._growth_interval)
        self._per_optimizer_states = defaultdict(_fresh_state)

    # --- accessors and state -----------------------------------------------------------------------

    def get_scale(self):
        if not self._enabled:
            return 1.0
        scale = self._get_scale_async()
        return self._init_scale if scale is None else scale.item()

    def get_growth_factor(self):
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        self._growth_interval = new_interval

    def is_enabled(self):
        return self._enabled

    def state_dict(self):
        if not self._enabled:
            return {}
        return {'scale': self.get_scale(), 'growth_factor': self._growth_factor,
                'backoff_factor': self._backoff_factor, 'growth_interval': self._growth_interval,
                '_growth_tracker': self._get_growth_tracker()}

    def load_state_dict(self, state_dict):
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError('The source state dict is empty, possibly because it was saved from a disabled '
                               'instance of GradScaler.')
        self._init_scale = state_dict['scale']
        if self._scale is not None:
            self._scale.fill_(state_dict['scale'])
        self._growth_factor = state_dict['growth_factor']
        self._backoff_factor = state_dict['backoff_factor']
        self._growth_interval = state_dict['growth_interval']
        self._init_growth_tracker = state_dict['_growth_tracker']
        if self._growth_tracker is not None:
            self._growth_tracker.fill_(state_dict['_growth_tracker'])

    def __getstate__(self):
        state = self.__dict__.copy()
        if self._enabled:
            if len(self._per_optimizer_states) != 0:
                raise AssertionError('A GradScaler instance may only be pickled at the beginning of an '
                                     'iteration, or at the end after scaler.update().')
            # the tensors are rebuilt lazily after unpickling
            state['_init_scale'] = self.get_scale()
            state['_init_growth_tracker'] = self._get_growth_tracker()
            state['_scale'] = None
            state['_growth_tracker'] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
