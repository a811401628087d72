"""torch.ops: `torch.ops.aten.<name>` finds faketorch's own function of that name (torch.<name>,
torch.linalg/special/fft for the prefixed aten names, torch.nn.functional for the few aten ops only
published there, else the Tensor method, which also covers the in-place `add_` forms). faketorch has
no operator schemas, so every overload (`.default`, `.Tensor`, `.out` ...) calls the same function."""
import sys
import types

import faketorch

from . import _ops_profiler as _builtin

_SUBMODULE_PREFIXES = ('linalg_', 'special_', 'fft_')


def _safe_softmax(input, dim, dtype=None):
    """softmax, but rows that are all -inf give 0 rather than NaN (what SDPA uses for masked rows)."""
    from ._ops._core import attach
    from .autograd.grad_mode import state as grad_state
    from .nn.functional import _softmax_bwd
    x = input if dtype is None else input.to(dtype)
    with faketorch.no_grad():
        out = faketorch.softmax(x, dim).masked_fill_((x == float('-inf')).all(dim, keepdim=True), 0)
    if x.requires_grad and grad_state.enabled:     # softmax's derivative: 0 on the zeroed rows too
        attach('SafeSoftmaxBackward0', _softmax_bwd, (x,), (out,), save=(out,), args=dim % x.dim() if x.dim() else None)
    return out


def _slice(input, dim=0, start=None, end=None, step=1):
    index = [slice(None)] * input.dim()
    index[dim] = slice(start, end, step)
    return input[tuple(index)]


def _batch_norm_no_training(input, weight, bias, running_mean, running_var, momentum, eps):
    out = faketorch.nn.functional.batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    empty = input.new_empty((0,))
    return out, empty, empty


# aten ops faketorch has no public function for; the ones torch.export records (faketorch/export.py)
_ATEN_ONLY = {'_safe_softmax': _safe_softmax, 'slice': _slice, 'numpy_T': lambda input: input.T,
              'sym_size': lambda input, dim: input.size(dim), 'lift_fresh_copy': lambda input: input.clone(),
              '_softmax': lambda input, dim, half_to_float: faketorch.softmax(input, dim),
              '_log_softmax': lambda input, dim, half_to_float: faketorch.log_softmax(input, dim),
              '_native_batch_norm_legit_no_training': _batch_norm_no_training,
              '_assert_tensor_metadata': lambda a, size=None, stride=None, dtype=None, device=None, layout=None: None}
# aten ops torch publishes only under torch.nn.functional, whose positional arguments there are aten's
_FUNCTIONAL = {'gelu': 'gelu', 'silu': 'silu', 'mish': 'mish', 'hardswish': 'hardswish', 'hardsigmoid': 'hardsigmoid',
               'leaky_relu': 'leaky_relu', 'softplus': 'softplus', 'hardtanh': 'hardtanh', 'log_sigmoid': 'logsigmoid',
               'glu': 'glu', 'softshrink': 'softshrink', 'pad': 'pad', 'one_hot': 'one_hot', 'linear': 'linear',
               'avg_pool2d': 'avg_pool2d', 'max_pool2d_with_indices': 'max_pool2d_with_indices',
               'adaptive_avg_pool1d': 'adaptive_avg_pool1d',
               'adaptive_avg_pool2d': 'adaptive_avg_pool2d',
               'scaled_dot_product_attention': 'scaled_dot_product_attention'}


def _plain_function(obj):
    return obj if callable(obj) and not isinstance(obj, (type, types.ModuleType)) else None


# aten ops the flop counter names (faketorch's backward formulas and attention run without them): no kernel
_NO_KERNEL = ('convolution_backward', '_scaled_dot_product_efficient_attention',
              '_scaled_dot_product_flash_attention', '_scaled_dot_product_cudnn_attention',
              '_scaled_dot_product_efficient_attention_backward', '_scaled_dot_product_flash_attention_backward',
              '_scaled_dot_product_cudnn_attention_backward', '_scaled_dot_product_flash_attention_for_cpu',
              '_scaled_dot_product_flash_attention_for_cpu_backward')


def _no_kernel(name):
    def op(*args, **kwargs):
        raise NotImplementedError(f"faketorch has no kernel for torch.ops.aten.{name} (its FLOP formula is in "
                                  "torch.utils.flop_counter)")
    return op


def _find_aten(name):
    if name in _NO_KERNEL:
        return _no_kernel(name)
    if name in _ATEN_ONLY:
        return _ATEN_ONLY[name]
    if name in _FUNCTIONAL:
        return getattr(faketorch.nn.functional, _FUNCTIONAL[name])
    fn = _plain_function(getattr(faketorch, name, None))
    for prefix in _SUBMODULE_PREFIXES:
        if fn is None and name.startswith(prefix):
            fn = _plain_function(getattr(getattr(faketorch, prefix[:-1]), name[len(prefix):], None))
    return fn or _plain_function(getattr(faketorch.Tensor, name, None))


def _modes_on():
    from . import overrides
    return overrides._all_on and bool(overrides._modes)


def _dispatch(op, args, kwargs):
    """A custom op's call reaches the torch function modes as one call (an aten op's reaches them as the
    faketorch function it runs)."""
    from .overrides import handle_torch_function
    return handle_torch_function(op, (), *args, **kwargs)


class OpOverload:
    def __init__(self, packet, overload):
        self.overloadpacket, self._overloadname, self._op = packet, overload, packet._op
        self.namespace = packet.namespace
        self.__name__ = f'{packet.__name__}.{overload}'

    def __call__(self, *args, **kwargs):
        if self.namespace != 'aten' and _modes_on():
            return _dispatch(self, args, kwargs)
        return self._op(*args, **kwargs)

    @property
    def fx_printed_name(self):      # how fx prints and generates code for it: torch.ops.aten.add.Tensor
        return f'torch.ops.{self.namespace}.{self.__name__}'

    def name(self):
        base = self.overloadpacket._qualified_op_name
        return base if self._overloadname == 'default' else f'{base}.{self._overloadname}'

    def __repr__(self):
        return f"<OpOverload(op='{self.namespace}.{self.overloadpacket.__name__}', overload='{self._overloadname}')>"

    def __str__(self):
        return f'{self.namespace}.{self.__name__}'


class OpOverloadPacket:
    def __init__(self, namespace, name, op, overloads=()):
        self.namespace, self.__name__, self._op = namespace, name, op
        self._qualified_op_name = f'{namespace}::{name}'
        self._extra = overloads
        for overload in overloads:      # named like private attributes (_RecordFunction): made here
            setattr(self, overload, OpOverload(self, overload))

    def __getattr__(self, overload):
        if overload.startswith('_'):
            raise AttributeError(f"'{self}' has no attribute '{overload}'")
        packet = OpOverload(self, overload)
        setattr(self, overload, packet)
        return packet

    def __call__(self, *args, **kwargs):
        if self.namespace != 'aten' and _modes_on():
            return _dispatch(self, args, kwargs)
        return self._op(*args, **kwargs)

    def overloads(self):
        return ['default'] + list(self._extra)    # no schemas here: every other overload name is accepted too

    def __repr__(self):
        return f"<OpOverloadPacket(op='{self.namespace}.{self.__name__}')>"

    def __str__(self):
        return f'{self.namespace}.{self.__name__}'


class _OpNamespace(types.ModuleType):
    def __init__(self, name):
        super().__init__('torch.ops.' + name)
        self.name, self.__file__ = name, 'torch.ops'

    def __getattr__(self, op_name):
        overloads = ()
        if self.name == 'aten':
            op = _find_aten(op_name) if not op_name.startswith('__') else None
        elif (self.name, op_name) in _builtin.OPS:      # torch's own ops outside aten
            op, overloads = _builtin.OPS[self.name, op_name]
        else:       # a custom op (torch.library.custom_op)
            op = sys.modules.get('faketorch.library') and faketorch.library._registry.get((self.name, op_name))
        if op is None:
            raise AttributeError(f"'_OpNamespace' '{self.name}' object has no attribute '{op_name}'")
        packet = OpOverloadPacket(self.name, op_name, op, overloads)
        setattr(self, op_name, packet)
        return packet


class _Ops(types.ModuleType):
    def __init__(self):
        super().__init__('torch.ops')
        self.__file__ = '_ops.py'
        self.loaded_libraries = set()

    def load_library(self, path):
        """Loads a shared library with ctypes, as torch does; a torch extension's operators in it do not
        register with faketorch."""
        import ctypes
        import os
        path = os.path.realpath(path)
        try:
            ctypes.CDLL(path)
        except Exception as e:
            raise OSError(f"Could not load this library: {path}") from e
        self.loaded_libraries.add(path)

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(f"module 'torch.ops' has no attribute '{name}'")
        ns = _OpNamespace(name)
        setattr(self, name, ns)
        return ns


ops = _Ops()


class _ClassNamespace(types.ModuleType):
    def __init__(self, name):
        super().__init__('torch.classes' + name)
        self.name = name

    def __getattr__(self, attr):
        cls = _builtin.CLASSES.get((self.name, attr))
        if cls is None:
            raise RuntimeError(f"Tried to instantiate class '{self.name}.{attr}', but it does not exist! Ensure that "
                               "it is registered via torch::class_")
        return cls


class _Classes(types.ModuleType):
    """torch.classes: the TorchScript custom classes by namespace."""
    __file__ = '_classes.py'

    def __init__(self):
        super().__init__('torch.classes')

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(f"module 'torch.classes' has no attribute '{name}'")
        ns = _ClassNamespace(name)
        setattr(self, name, ns)
        return ns

    @property
    def loaded_libraries(self):
        return ops.loaded_libraries

    def load_library(self, path):
        ops.load_library(path)


classes = _Classes()
