"""Tensor: one array + dtype + device + autograd fields. Ops are attached from faketorch._ops."""
import math
import numbers
import operator

from numpy import asarray as _host_asarray     # for NumPy scalars, which are never GPU arrays

from . import _xnp as np

from . import _dtype as D
from ._device import device as _device_cls, cpu as _cpu, xp_of, to_device_array, device_of_array
from .autograd.grad_mode import state as _grad_state, inference_blocks as _inference_blocks
from .autograd.graph import AccumulateGrad, run_backward
from . import autograd as _autograd     # (its __init__ has run: a function-level import costs ~9k instructions a call)

__all__ = ['Tensor']

_ndarray = np.ndarray
_generic = np.generic
_np_integer = np.integer
_tuple_new = tuple.__new__
_index = operator.index
_bf16, _as_bf16 = D.bfloat16, D.as_bf16


def _make(data, dtype, device=_cpu):
    """A new leaf Tensor around `data` (no copy), with a fresh version counter."""
    if data.__class__ is not _ndarray:
        if isinstance(data, _generic):
            data = _host_asarray(data)
            if device is not _cpu:
                data = to_device_array(data, device)
        elif device is _cpu:                    # a GPU array: its tensor is on its device
            device = _device_of(data)
    elif device is not _cpu:                    # built on the host for a GPU tensor
        data = to_device_array(data, device)
    if dtype._fix is not None:      # every bfloat16 / float8 tensor holds only values of its type
        data = dtype._fix(data)
    t = object.__new__(Tensor)
    t._data = data
    t.dtype = dtype
    t._device = device
    t._requires_grad = False
    t._grad_fn = None
    t._grad = None
    t._output_nr = 0
    t._vc = [0]
    t._base = None
    t._accum = None
    t._retains_grad = False
    t._view_fn = None
    if _inference_blocks and _grad_state.inference:       # made under inference_mode: an inference tensor
        t._inference = True
    return t


def _wrap(data, dtype=None, device=None):
    """Public helper for other modules: a Tensor around an array (dtype inferred)."""
    data = np.asarray(data) if isinstance(data, (_generic, list, tuple)) else data
    return _make(data, dtype or D.from_numpy_dtype(data.dtype), device or _device_of(data))


def _device_of(data):
    return _cpu if isinstance(data, _ndarray) else device_of_array(data)


from .autograd import graph as _graph   # noqa: E402

_SCALAR_WARNED = [False]    # Tensor._warn_scalar_with_grad: once per process, as torch
_graph._make = _make


def _lazy_retry(obj, name, owner):
    """A missing attribute may belong to a lazily imported part (nn adds Tensor.softmax ...)."""
    if name.startswith('__'):
        raise AttributeError(name)
    import faketorch
    if faketorch._load_lazy():
        return getattr(obj, name)
    raise AttributeError(f"{owner} has no attribute '{name}'")


class _TensorMeta(type):
    def __getattr__(cls, name):
        return _lazy_retry(cls, name, f"type object '{cls.__name__}'")


# The Tensor attributes that lazily imported parts define (nn's Tensor.softmax, sparse's to_sparse,
# _quantized's q_scale, storage's untyped_storage ...); tests/test_import.py checks the list. Each
# starts as a _LazyAttr: Tensor has no instance __getattr__, which would cost every attribute read
# (CPython does not specialize attribute access on a class that defines one).
_LAZY_ATTRS = ('_indices', '_nnz', '_values', 'ccol_indices', 'coalesce', 'col_indices', 'crow_indices',
               'dense_dim', 'dequantize', 'eig', 'hardshrink', 'indices', 'int_repr', 'is_coalesced', 'is_shared',
               'log_softmax', 'lstsq', 'prelu', 'q_per_channel_axis', 'q_per_channel_scales',
               'q_per_channel_zero_points', 'q_scale', 'q_zero_point', 'qscheme', 'resize_as_sparse_',
               'row_indices', 'share_memory_', 'smm', 'softmax', 'solve', 'sparse_dim', 'sparse_mask',
               'sparse_resize_', 'sparse_resize_and_clear_', 'sspaddmm', 'storage', 'storage_type', 'symeig',
               'to_dense', 'to_sparse', 'to_sparse_bsc', 'to_sparse_bsr', 'to_sparse_coo', 'to_sparse_csc',
               'to_sparse_csr', 'untyped_storage', 'values')


class _LazyAttr:
    """A Tensor attribute a lazily imported part defines: the first read imports them all, which
    replace it with the real one."""
    __slots__ = ('name',)

    def __init__(self, name):
        self.name = name

    def __get__(self, obj, cls):
        import faketorch
        faketorch._load_lazy()
        if Tensor.__dict__.get(self.name) is self:      # not defined after all (or while loading)
            owner = f"'{cls.__name__}' object" if obj is not None else f"type object '{cls.__name__}'"
            raise AttributeError(f"{owner} has no attribute '{self.name}'")
        return getattr(cls if obj is None else obj, self.name)


class Tensor(metaclass=_TensorMeta):
    __slots__ = ('_data', 'dtype', '_device', '_requires_grad', '_grad_fn', '_grad', '_output_nr',
                 '_vc', '_base', '_view_fn', '_view_ver', '_accum', '_retains_grad', '__dict__', '__weakref__')
    __array_priority__ = 1000   # so ndarray + Tensor defers to Tensor.__radd__
    _inference = False          # True (in the instance) for tensors made under inference_mode
    _fw_tangent = None          # a dual tensor's tangent (autograd.forward_ad), in the instance

    def __new__(cls, *args, device=None):
        from ._ops.factory import _legacy_new
        return _legacy_new(cls, D.get_default_dtype(), args, device)

    def __init__(self, *args, **kwargs):
        pass

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.__module__.startswith('faketorch'):     # a user's subclass may turn dispatch on
            from .overrides import _subclass_defined
            _subclass_defined(cls)

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        from .overrides import _tensor_torch_function
        return _tensor_torch_function(cls, func, types, args, kwargs)

    @staticmethod
    def _make_subclass(cls, data, require_grad=False):
        """A `cls` instance sharing data's array and version counter (torch's _make_subclass)."""
        if require_grad.__class__ is not bool:
            from .random import _tp_name
            raise TypeError(f"_make_subclass(): argument 'require_grad' (position 3) must be bool, not "
                            f"{_tp_name(require_grad)}")
        t = object.__new__(cls)
        t._data = data._data
        t.dtype = data.dtype
        t._device = data._device
        t._requires_grad = False
        t._grad_fn = None
        t._grad = None
        t._output_nr = 0
        t._vc = data._vc
        t._base = None
        t._accum = None
        t._retains_grad = False
        t._view_fn = None
        if require_grad:
            t.requires_grad_(True)
        return t

    # --- metadata ---
    @property
    def shape(self):
        return _tuple_new(Size, self._data.shape)     # an array's shape: ints already, unchecked

    def size(self, dim=None):
        if dim is None:
            return _tuple_new(Size, self._data.shape)
        if dim.__class__ is bool or dim.__class__ is float:
            raise TypeError(f"size(): argument 'dim' (position 1) must be int, not {type(dim).__name__}")
        if not self._data.ndim:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self):
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return int(self._data.size)

    nelement = numel

    def element_size(self):
        return self.dtype.itemsize

    @property
    def itemsize(self):
        return self.dtype.itemsize

    @property
    def nbytes(self):
        return self.dtype.itemsize * self.numel()

    @property
    def device(self):
        return self._device

    @property
    def is_cuda(self):
        return self._device.type == 'cuda'

    @property
    def is_cpu(self):
        return self._device.type == 'cpu'

    @property
    def is_meta(self):
        return self._device.type == 'meta'

    @property
    def is_sparse(self):
        return False

    @property
    def is_quantized(self):
        return False

    # probed with getattr(t, 'is_nested', False) by library code: real attributes, so the probe
    # does not trigger the lazy import of nn & co.
    is_nested = is_mkldnn = is_sparse_csr = is_xpu = is_mps = is_ipu = is_vulkan = is_mtia = is_maia = False
    _sparse_layout = False      # True on the sparse classes (COO, compressed): autograd's accumulation reads it

    @property
    def layout(self):
        from . import strided
        return strided

    def get_device(self):
        return (self._device.index or 0) if self._device.type == 'cuda' else -1

    def stride(self, dim=None):
        isz = self._data.itemsize
        st = tuple(s // isz for s in self._data.strides)
        if self._data.size == 0 or any(s == 0 for s in self._data.shape):
            st = _contiguous_strides(self._data.shape)
        if dim is None:
            return st
        if dim.__class__ is bool or dim.__class__ is float:
            raise TypeError(f"stride(): argument 'dim' (position 1) must be int, not {type(dim).__name__}")
        if not self._data.ndim:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return st[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self):
        if self._base is None:      # (set_ onto a storage records where it starts)
            return self.__dict__.get('_storage_offset', 0)
        return self._base.storage_offset() + (self.data_ptr() - self._base.data_ptr()) // self._data.itemsize

    def is_contiguous(self, memory_format=None):
        order = memory_format is not None and _CHANNELS_LAST_ORDER.get(getattr(memory_format, 'name', None))
        if not order:
            return bool(self._data.flags.c_contiguous)
        if len(order) != self._data.ndim:
            return False
        expected, strides = 1, self.stride()        # torch skips size-1 dims
        for d in order:
            n = self._data.shape[d]
            if n != 1:
                if strides[d] != expected:
                    return False
                expected *= n
        return True

    def data_ptr(self):
        d = self._data
        if not d.size and self._base is None:      # an empty tensor's storage has no memory
            return 0
        return d.__array_interface__['data'][0] if isinstance(d, _ndarray) else d.data.ptr

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def is_complex(self):
        return self.dtype.is_complex

    def is_signed(self):
        return self.dtype.is_signed

    @property
    def _version(self):
        return self._vc[0]

    # --- autograd fields ---
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        if flag.__class__ is not bool:
            raise RuntimeError("requires_grad must be a bool")
        # torch's setter and requires_grad_() word the dtype error differently
        if flag and not (self.dtype.is_floating_point or self.dtype.is_complex):
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self.requires_grad_(flag)

    def is_inference(self):
        return self._inference

    def requires_grad_(self, requires_grad=True):
        if requires_grad.__class__ is not bool:
            t = type(requires_grad)
            raise TypeError("requires_grad_(): argument 'requires_grad' (position 1) must be bool, not "
                            f"{'Tensor' if isinstance(requires_grad, Tensor) else t.__name__ if t.__module__ == 'builtins' else f'{t.__module__}.{t.__name__}'}")
        if requires_grad and self._inference and not _grad_state.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside InferenceMode is not "
                               "allowed.")
        if self._grad_fn is not None and not requires_grad:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want "
                               "to use a computed variable in a subgraph that doesn't require "
                               "differentiation use var_no_grad = var.detach().")
        if requires_grad and not (self.dtype.is_floating_point or self.dtype.is_complex):
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        if self._grad_fn is None:
            self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad_fn(self):
        if self._view_fn is not None and self._vc[0] != self._view_ver:
            from ._ops._core import view_history       # its base was written in place since
            return view_history(self)
        return self._grad_fn

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def grad(self):
        if self._grad_fn is not None and self._grad is None and not self._retains_grad:
            import warnings
            warnings.warn("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
                          "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
                          "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
                          "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
                          "instead. See github.com/pytorch/pytorch/pull/30531 for more information. (Triggered "
                          "internally at /__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)",
                          stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, g):
        if g is not None:
            if not isinstance(g, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {type(g).__name__}")
            if g is self:
                raise RuntimeError("can't assign Variable as its own grad")
            want = self.grad_dtype
            if want is not None and g.dtype is not want:
                raise RuntimeError(f"attempting to assign a gradient with dtype '{_dtype_c10(g.dtype)}' to a tensor "
                                   f"with grad_dtype '{D.type_name(want)}'. The gradient must match the tensor's "
                                   "grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype "
                                   "attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with "
                                   "caution. Diverging the dtypes of a tensor and its gradient may break downstream "
                                   "systems that assume they match.")
            if g._data.shape != self._data.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(g.shape)}' to a tensor of size "
                                   f"'{list(self.shape)}'. Please ensure that the gradient and the tensor are the "
                                   "same size")
        self._grad = g

    _grad_dtype = 'same'        # the tensor's own dtype, until set (in the instance)

    @property
    def grad_dtype(self):
        """The dtype a leaf's accumulated gradient gets (torch 2.13): its own dtype, another, or None (any)."""
        return self.dtype if self._grad_dtype == 'same' else self._grad_dtype

    @grad_dtype.setter
    def grad_dtype(self, d):
        if d is not None and not isinstance(d, D.dtype):
            raise RuntimeError(f"grad_dtype must be a torch.dtype or None, but got {type(d).__name__}")
        if self._grad_fn is not None:
            raise RuntimeError("grad_dtype can only be set on leaf tensors.")
        self._grad_dtype = d

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def retains_grad(self):
        return bool(self._retains_grad)     # False, or (hook handle, hook) once retain_grad() ran

    def _accum_node(self):
        n = self._accum
        if n is None:
            n = self._accum = AccumulateGrad(self)
        return n

    def retain_grad(self):
        if self._grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._retains_grad:
            return
        import weakref
        ref = weakref.ref(self)

        def hook(g):
            t = ref()
            if t is not None:
                if t._grad is None:
                    t._grad = _make(g._data.copy(), g.dtype, g._device)
                else:
                    t._grad = t._grad + g
        self._retains_grad = (self._grad_fn._register_tensor_pre_hook(self._output_nr, hook), hook)

    def _move_retain_grad(self):
        """The tensor's history moved to a new node (an in-place op): as torch, the gradient it retains
        is the one of its latest version."""
        handle, hook = self._retains_grad
        handle.remove()
        if self._grad_fn is not None:
            self._retains_grad = (self._grad_fn._register_tensor_pre_hook(self._output_nr, hook), hook)

    def register_hook(self, hook):
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        node = self._grad_fn if self._grad_fn is not None else self._accum_node()
        handle = node._register_tensor_pre_hook(self._output_nr if self._grad_fn is not None else 0, hook)
        if self._retains_grad:
            self._move_retain_grad()        # torch retains the gradient after all the tensor's hooks ran
        return _graph._public_handle(handle._list, handle._item)

    def register_post_accumulate_grad_hook(self, hook):
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        node = self._accum_node()
        if node._post_acc_hooks is None:
            node._post_acc_hooks = []
        node._post_acc_hooks.append(hook)
        return _graph._public_handle(node._post_acc_hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        _autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)     # read at the call, as torch

    # --- data / detach ---
    @property
    def data(self):
        t = _make(self._data, self.dtype, self._device)
        t._base = self._base if self._base is not None else self
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        if self._requires_grad and value.dtype._cat < 2:
            raise RuntimeError("data set to a tensor that requires gradients must be floating point or complex dtype")
        self._data = value._data
        self.dtype = value.dtype
        self._device = value._device

    def detach(self):
        t = _make(self._data, self.dtype, self._device)
        if self._inference:
            t._inference = True
        t._vc = self._vc
        t._base = self._base if self._base is not None else self
        return t

    def detach_(self):
        if self._view_fn is not None:      # a view made by a view op (detach() and .data are not views)
            raise RuntimeError("Can't detach views in-place. Use detach() instead. If you are using "
                               "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view "
                               "is set as True, gradients are views of DDP buckets, and hence detach_() "
                               "cannot be called on these gradients. To fix this error, please refer "
                               "to the Optimizer.zero_grad() function in torch/optim/optimizer.py as "
                               "the solution.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    # --- conversion to Python / NumPy ---
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        # (a meta array's item() raises torch's error: it has no data)
        return self._data.reshape(()).item() if self._device.type != 'cuda' else self._data.reshape(()).get().item()

    def tolist(self):
        return _host(self._data).tolist()

    def numpy(self, *args, force=False):
        if args:
            raise TypeError(f"numpy() takes 0 positional arguments but {len(args)} "
                            f"{'was' if len(args) == 1 else 'were'} given")
        if self._device.type != 'cpu':
            if force:
                return _host(self._numpy_data())
            raise TypeError(f"can't convert {self._device} device type tensor to numpy. Use Tensor.cpu() "
                            "to copy the tensor to host memory first.")
        if self._requires_grad and not force and _grad_state.enabled:     # allowed under no_grad
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._numpy_data()

    def _numpy_data(self):
        if self.dtype._np is None or self.dtype._fix is not None:     # NumPy has no such type (the array is float32)
            raise TypeError(f"Got unsupported ScalarType {D.type_name(self.dtype)}")
        return self._data

    # torch's __array__ takes no copy= and its __array_wrap__ no context/return_scalar: NumPy 2 then falls
    # back with its DeprecationWarnings (np.array(t), ufuncs over tensors) and refuses copy=False with its
    # own ValueError. The same signatures here make NumPy do exactly that.
    def __array__(self, dtype=None):
        a = self.numpy()        # as torch: a CUDA tensor raises numpy()'s error
        return a if dtype is None else a.astype(dtype, copy=False)

    def __array_wrap__(self, array):
        # a NumPy ufunc over a tensor (ndarray + tensor) gives a tensor; torch keeps bool as uint8 here
        from . import from_numpy
        return from_numpy(array.astype(np.uint8) if array.dtype == bool else array)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __contains__(self, element):
        if isinstance(element, (Tensor, numbers.Number)):
            return bool((element == self).any().item())
        raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a {type(element)}.")

    def __reversed__(self):
        return self if self._data.ndim == 0 else self.flip(0)

    def __bool__(self):
        n = self._data.size
        if n != 1:
            if n == 0:
                raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def __float__(self):
        self._warn_scalar_with_grad()
        return float(self._real_item('double'))

    def __int__(self):
        return int(self._real_item('int64_t'))

    def _warn_scalar_with_grad(self):
        # float()/complex() (so '%.3f' % loss too) of a tensor that requires grad, with grad mode on: torch
        # warns once per process, before its other checks (int(), item() and format() do not warn)
        if self._requires_grad and _grad_state.enabled and not _SCALAR_WARNED[0]:
            _SCALAR_WARNED[0] = True
            import warnings
            warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
                          "Consider using tensor.detach() first. (Triggered internally at /__w/pytorch/pytorch/"
                          "torch/csrc/autograd/generated/python_variable_methods.cpp:822.)", UserWarning, stacklevel=3)

    def _real_item(self, c10_name):
        """item() for float() / int(): a complex value converts only without an imaginary part."""
        self._scalar_check()
        v = self.item()
        if isinstance(v, complex):
            # int() reads the value as int64_t, which a NaN or infinite real part overflows
            if v.imag or (c10_name == 'int64_t' and not math.isfinite(v.real)):
                raise RuntimeError(f"value cannot be converted to type {c10_name} without overflow")
            v = v.real
        return v

    def __complex__(self):
        self._warn_scalar_with_grad()
        self._scalar_check()
        return complex(self.item())

    def __index__(self):
        if self.dtype._cat != 1 or self._data.size != 1:
            if self.dtype is D.bool and self._data.size == 1:
                return int(self.item())
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def _scalar_check(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")

    def __hash__(self):
        return id(self)

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import _str
        return _str(self, tensor_contents=tensor_contents)

    def __format__(self, spec):
        if self._data.ndim == 0 and type(self) is Tensor:     # as torch: even one that requires grad
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the "
                               "deepcopy protocol at the moment.  If you were attempting to deepcopy a "
                               "module, this may be because of a torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        import copy
        new = object.__new__(type(self))
        st = self.__getstate__()
        st['data'] = _deepcopy_array(self._data, memo)
        st['dict'] = copy.deepcopy(st['dict'], memo)
        new.__setstate__(st)
        new._vc[0] = 1          # torch's copy is set_() onto a new storage: version 1
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new

    def __getstate__(self, copy_data=False):
        d = dict(self.__dict__) if hasattr(self, '__dict__') else {}
        d.pop('_inference', None)       # a copy (deepcopy, pickle) is a normal tensor, as in torch
        data = self._data
        return {'data': np.array(data) if copy_data or data.base is not None else data,
                'dtype': self.dtype.name, 'device': str(self._device),
                'requires_grad': self._requires_grad, 'dict': d}

    def __setstate__(self, st):
        dev = _device_cls(st['device'])
        t = _make(to_device_array(st['data'], dev), D._by_name(st['dtype']), dev)
        for k in Tensor.__slots__:
            if k not in ('__dict__', '__weakref__', '_view_ver'):   # t is fresh: its _view_fn is None
                object.__setattr__(self, k, getattr(t, k))
        self._requires_grad = st['requires_grad']
        self.__dict__.update(st['dict'])

    def __reduce_ex__(self, proto):
        return (_rebuild, (type(self), self.__getstate__()))


def _rebuild(cls, state):
    t = object.__new__(cls)
    t.__setstate__(state)
    return t


def _deepcopy_array(data, memo):
    """A copy of a tensor's array as torch's deepcopy makes it: the memory under it is copied once per
    deepcopy (memo), so views of one storage stay views of one new storage, with their strides."""
    root, cls = data, data.__class__
    while root.base.__class__ is cls:      # NumPy chains views; CuPy's .base is already the owner
        root = root.base
    if root.base is not None or root.dtype != data.dtype \
            or not (root.flags.c_contiguous or root.flags.f_contiguous):
        return np.array(data)
    new_root = memo.get(id(root))
    if new_root is None:
        new_root = memo[id(root)] = root.copy(order='K')
        memo.setdefault(id(memo), []).append(root)      # as copy's _keep_alive: id(root) stays unique
    flat = new_root.reshape(-1, order='C' if new_root.flags.c_contiguous else 'F')
    start = (_address(data) - _address(root)) // data.itemsize
    return np.lib.stride_tricks.as_strided(flat[start:], data.shape, data.strides)


def _address(a):
    return a.__array_interface__['data'][0] if a.__class__ is _ndarray else a.data.ptr


# the dims of a channels-last layout, innermost first
_CHANNELS_LAST_ORDER = {'channels_last': (1, 3, 2, 0), 'channels_last_3d': (1, 4, 3, 2, 0)}


def _host(data):
    return data if isinstance(data, _ndarray) else data.get()


def _contiguous_strides(shape):
    st, acc = [], 1
    for s in reversed(shape):
        st.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(st))


_C10_NAMES = {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half', 'bfloat16': 'c10::BFloat16',
               'int64': 'long int', 'int32': 'int', 'int16': 'short int', 'int8': 'signed char',
               'uint8': 'unsigned char', 'uint16': 'short unsigned int', 'uint32': 'unsigned int',
               'uint64': 'long unsigned int', 'bool': 'bool', 'complex32': 'c10::complex<c10::Half>',
               'complex64': 'c10::complex<float>', 'complex128': 'c10::complex<double>',
               **{d.name: 'c10::' + D.type_name(d) for d in D.float8_types}}


def _dtype_c10(d):
    """The C++ type name torch's messages print for a dtype."""
    return _C10_NAMES.get(d.name, d.name)


class _ArgError(TypeError):
    """An argument of a type torch's parser rejects: the public wrapper (reduction._public) words torch's error;
    elsewhere it reaches the user as the TypeError it is named."""


_ArgError.__name__ = _ArgError.__qualname__ = 'TypeError'


def _int_dim(dim):
    """A dim that is no Python int, read as torch's parser reads an int: a NumPy int or a 0-dim integer tensor;
    else torch's "must be int" TypeError."""
    if isinstance(dim, _np_integer):
        return int(dim)
    if isinstance(dim, Tensor) and dim.dtype._cat == 1 and not dim.shape:
        return int(dim._data)
    raise _arg_error(dim, f"must be int, not {_tp_name(dim)}")


def _arg_error(value, what, name='dim'):
    """torch's parser's TypeError "<op>(): argument '<name>' (position <i>) <what>": the op is the outermost
    faketorch function of the call with a parameter holding value (else holding it as its only vararg: a
    list of ints given as one tuple), so a forwarding wrapper's parameters do not count."""
    import sys
    f, frames = sys._getframe(2), []
    while f is not None and f.f_globals.get('__name__', '').startswith('faketorch'):
        frames.append(f)
        f = f.f_back
    for alone in (True, False):
        for entry in reversed(frames):
            code = entry.f_code
            names = code.co_varnames[:code.co_argcount + bool(code.co_flags & 4)]     # (4: CO_VARARGS)
            for i, n in enumerate(names):
                v = entry.f_locals.get(n)
                if v is value if alone else v.__class__ is tuple and len(v) == 1 and v[0] is value:
                    op = code.co_name.removeprefix('_t_')       # (torch.softmax is _t_softmax, beside F.softmax)
                    return _ArgError(f"{op}(): argument '{n}' (position {i if names[0] == 'self' else i + 1}) "
                                     f"{what}")
    return _ArgError(f"argument '{name}' {what}")


def _tp_name(x):
    from .random import _tp_name
    return _tp_name(x)


def _wrap_dim(dim, ndim):
    if dim.__class__ is not int:    # (bool included: torch takes no bool for a dim)
        dim = _int_dim(dim)
    n = ndim or 1       # max(ndim, 1) without the builtin call, which costs more than the rest here
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


class Size(tuple):
    """torch.Size: a tuple of ints with torch's repr."""
    __slots__ = ()

    def __new__(cls, sizes=(), /, *args, **kwargs):
        if kwargs:
            raise TypeError("tuple() takes no keyword arguments")
        if args:
            raise TypeError(f"tuple expected at most 1 argument, got {len(args) + 1}")
        items = []
        for i, s in enumerate(sizes):
            if not isinstance(s, (int, _np_integer)) or isinstance(s, bool):     # NumPy ints are kept as they are
                try:
                    s = _index(s)       # a one-element integer tensor, a bool
                except TypeError:
                    raise TypeError(f"torch.Size() takes an iterable of 'int' (item {i} is "
                                    f"'{type(s).__name__}')") from None
            if not -2 ** 63 <= s < 2 ** 63:
                raise ValueError("Overflow when unpacking long long")
            items.append(s)
        return _tuple_new(cls, items)

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__

    def __repr__(self):
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    __str__ = __repr__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return (n + 2 ** 63) % 2 ** 64 - 2 ** 63 if not -2 ** 63 <= n < 2 ** 63 else n    # int64, as torch

    def __getitem__(self, i):
        r = tuple.__getitem__(self, i)
        return _tuple_new(Size, r) if isinstance(i, slice) else r     # items already checked (or nested ints)

    def __add__(self, other):
        if not isinstance(other, tuple):
            raise TypeError(f"can only concatenate tuple (not {type(other).__name__}) to torch.Size")
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):      # a list's own concatenation then words the TypeError
        return Size(other + tuple(self)) if isinstance(other, tuple) else NotImplemented

    def __reduce__(self):
        return (Size, (tuple(self),))


def _not_writable(name):
    def fset(self, value):
        raise AttributeError(f"attribute '{name}' of 'torch._C.TensorBase' objects is not writable")
    return fset


for _name in _LAZY_ATTRS:
    setattr(Tensor, _name, _LazyAttr(_name))


# torch's read-only attributes refuse an assignment with their own message
for _name in ('shape', 'ndim', 'device', 'is_cuda', 'is_cpu', 'layout', 'grad_fn', 'is_leaf', '_version', 'itemsize',
              'nbytes', 'retains_grad', 'is_sparse', 'is_quantized', 'is_meta'):
    setattr(Tensor, _name, property(getattr(Tensor, _name).fget, _not_writable(_name)))


def _bind_autograd():
    from . import autograd
    autograd.Tensor, autograd.Size, autograd._make = Tensor, Size, _make


_bind_autograd()
