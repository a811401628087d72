"""nn.Parameter, nn.Buffer and the lazy UninitializedParameter."""
from .._tensor import Tensor
from .. import _dtype as D
from ..overrides import _disabled_torch_function_impl

__all__ = ['Parameter', 'Buffer', 'UninitializedTensorMixin', 'UninitializedParameter', 'UninitializedBuffer',
           'is_lazy']


def _empty(dtype=None, device=None):
    """The 0-element tensor that Parameter(), Buffer() and the uninitialized tensors start from
    (on the default device, as torch's)."""
    from .._ops.factory import empty
    return empty(0, dtype=dtype or D.get_default_dtype(), device=device)


class _ParameterMeta(type(Tensor)):
    # a Tensor subclass made a Parameter keeps its class and is flagged: isinstance(t, Parameter) holds
    def __instancecheck__(cls, instance):
        if type.__instancecheck__(cls, instance):
            return True
        # the flag is read from __dict__: a missing attribute would raise an AttributeError (slower)
        return cls is Parameter and isinstance(instance, Tensor) and instance.__dict__.get('_is_param', False)


class Parameter(Tensor, metaclass=_ParameterMeta):
    """A Tensor that a Module registers as a parameter when assigned as an attribute."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = _empty()
        if type(data) is Tensor or type(data) is Parameter:
            if requires_grad is True and data.dtype._cat < 2:      # (a non-bool: _make_subclass's TypeError)
                raise RuntimeError('Only Tensors of floating point and complex dtype can require gradients')
            return Tensor._make_subclass(cls, data, requires_grad)
        # a Tensor subclass: keep its class (torch does the same via detach + flag)
        t = Tensor._make_subclass(type(data), data.detach()).requires_grad_(requires_grad)
        t.__dict__.update(data.__dict__)     # the subclass's own fields (a DTensor's layout)
        t._is_param = True
        return t

    def __init__(self, data=None, requires_grad=True):
        pass

    __torch_function__ = _disabled_torch_function_impl      # results of ops on a Parameter are Tensors

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)     # torch leaves the grad behind
        memo[id(self)] = result
        return result

    def __repr__(self):
        return 'Parameter containing:\n' + super().__repr__()

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self.detach().__reduce_ex__(proto), self.requires_grad))


def _rebuild_parameter(tensor_reduce, requires_grad):
    fn, args = tensor_reduce
    return Parameter(fn(*args), requires_grad)


class _BufferMeta(type(Tensor)):
    # isinstance(t, Buffer) holds for tensors made by Buffer(...), which are plain Tensors
    def __instancecheck__(cls, instance):
        if cls is Buffer:
            return isinstance(instance, Tensor) and instance.__dict__.get('_is_buffer', False)
        return super().__instancecheck__(instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    """Marks a tensor as a buffer when assigned to a Module attribute."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = _empty()
        t = data.detach().requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t


# what torch lets an uninitialized tensor do (its _allowed_methods); other methods raise
_LAZY_ALLOWED = frozenset(('size', 'copy_', 'is_complex', 'is_floating_point', 'half', 'float', 'double',
                           'char', 'short', 'int', 'long', 'cuda', 'cpu', 'to', 'get_device'))
# operators, by the function torch names in the error
_LAZY_OPERATORS = {'__add__': 'add', '__radd__': 'add', '__sub__': 'sub', '__mul__': 'mul', '__rmul__': 'mul',
                   '__truediv__': 'div', '__matmul__': 'matmul', '__neg__': 'neg', '__pow__': 'pow',
                   '__eq__': '__eq__', '__ne__': '__ne__', '__lt__': '__lt__', '__gt__': '__gt__',
                   '__bool__': '__bool__'}


def _uninitialized_use(cls, name):
    return ValueError(f"Attempted to use an uninitialized parameter in <method '{name}' of 'torch._C.TensorBase' "
                      "objects>. This error happens when you are using a `LazyModule` or explicitly manipulating "
                      f"`torch.nn.parameter.{cls.__name__}` objects. When using LazyModules Call `forward` with a "
                      "dummy batch to initialize the parameters before calling torch functions")


def _refuse(name):
    def method(self, *args, **kwargs):
        raise _uninitialized_use(type(self), name)
    return method


class UninitializedTensorMixin:
    """torch's UninitializedTensorMixin: an empty tensor until materialize() gives it a shape and
    turns it into cls_to_become; until then only dtype/device changes and copy_ work."""
    __torch_function__ = _disabled_torch_function_impl

    def __getattribute__(self, name):
        attr = object.__getattribute__(self, name)
        if name[0] != '_' and name not in _LAZY_ALLOWED and callable(attr) \
                and callable(getattr(Tensor, name, None)) and name not in UninitializedTensorMixin.__dict__:
            return _refuse(name).__get__(self)
        return attr

    def materialize(self, shape, device=None, dtype=None):
        from .._ops.factory import zeros
        dt = dtype or self.dtype
        t = zeros(shape, dtype=dt, device=device if device is not None else self._device)
        self._data, self._device = t._data, t._device
        self.dtype = dt
        self._vc[0] += 1
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError("Can't access the shape of an uninitialized parameter or buffer. This error usually "
                           "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
                           "initialized one. Call `forward` to initialize the parameters before accessing their "
                           "attributes.")

    def share_memory_(self):
        raise RuntimeError("Can't share memory on an uninitialized parameter or buffer. Call `forward` to "
                           "initialize the parameters before calling `module.share_memory()`.")

    def __repr__(self):
        return f'<{type(self).__name__}>'

    def __reduce_ex__(self, proto):
        return (type(self), (self.requires_grad,))

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, self._device, self.dtype)
        return memo[id(self)]


def _uninitialized(cls, requires_grad, device, dtype):
    t = Tensor._make_subclass(cls, _empty(dtype, device))
    if requires_grad and t.dtype._cat < 2:
        raise RuntimeError('Only Tensors of floating point and complex dtype can require gradients')
    return Tensor.requires_grad_(t, requires_grad)     # through the class: the instance refuses methods


for _op, _name in _LAZY_OPERATORS.items():
    setattr(UninitializedTensorMixin, _op, _refuse(_name))


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A parameter whose shape is not known yet (lazy modules)."""
    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        return _uninitialized(cls, requires_grad, device, dtype)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        t = _uninitialized(cls, requires_grad, device, dtype)
        t.persistent = persistent
        t._is_buffer = True
        return t

    def __init__(self, requires_grad=False, device=None, dtype=None, persistent=True):
        pass


def is_lazy(param):
    return isinstance(param, (UninitializedParameter, UninitializedBuffer))
