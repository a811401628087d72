"""torch._foreach_*: the list-of-tensors ops optimizers use. Each applies the per-tensor op to
every element (the second operand is a scalar, a list of scalars, a tensor or a list of tensors)."""
from .._tensor import Tensor
from ._core import register


def _seconds(tensors, other, name):
    if isinstance(other, (list, tuple)):
        if len(other) != len(tensors):
            raise RuntimeError("Tensor list must have same number of elements as scalar list." if
                               other and not isinstance(other[0], Tensor) else
                               f"Tensor lists must have the same number of tensors, got {len(tensors)} "
                               f"and {len(other)}")
        return list(other)
    return [other] * len(tensors)


def _check(tensors):
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"argument 'self' must be tuple of Tensors, not {type(tensors).__name__}")
    return list(tensors)


def _binary(name, method, with_alpha=False):
    def out_of_place(self, other, **kw):
        ts = _check(self)
        return tuple(getattr(t, method)(o, **kw) for t, o in zip(ts, _seconds(ts, other, name)))

    def in_place(self, other, **kw):
        ts = _check(self)
        for t, o in zip(ts, _seconds(ts, other, name)):
            getattr(t, method + '_')(o, **kw)
        return self         # torch hands back the very list it was given
    out_of_place.__name__ = '_foreach_' + name
    in_place.__name__ = '_foreach_' + name + '_'
    register(out_of_place, method=False)
    register(in_place, method=False)


for _n in ('add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'clamp_min', 'clamp_max'):
    _binary(_n, _n)


def _unary(name):
    def out_of_place(self):
        return tuple(getattr(t, name)() for t in _check(self))

    def in_place(self):
        for t in _check(self):
            getattr(t, name + '_')()
        return self
    out_of_place.__name__ = '_foreach_' + name
    in_place.__name__ = '_foreach_' + name + '_'
    register(out_of_place, method=False)
    register(in_place, method=False)


for _n in ('sqrt', 'neg', 'abs', 'exp', 'log', 'reciprocal', 'sign', 'sigmoid', 'tanh', 'sin', 'cos',
           'floor', 'ceil', 'round', 'trunc', 'frac', 'expm1', 'log1p', 'log2', 'log10', 'rsqrt', 'erf',
           'lgamma', 'sinh', 'cosh', 'tan', 'asin', 'acos', 'atan'):
    _unary(_n)


def _addc(name, method):
    def out_of_place(self, tensor1, tensor2, value=1):
        ts = _check(self)
        vals = _seconds(ts, value.tolist() if isinstance(value, Tensor) else value, name)
        return tuple(getattr(t, method)(a, b, value=v) for t, a, b, v in zip(ts, tensor1, tensor2, vals))

    def in_place(self, tensor1, tensor2, value=1):
        ts = _check(self)
        vals = _seconds(ts, value.tolist() if isinstance(value, Tensor) else value, name)
        for t, a, b, v in zip(ts, tensor1, tensor2, vals):
            getattr(t, method + '_')(a, b, value=v)
        return self
    out_of_place.__name__ = '_foreach_' + name
    in_place.__name__ = '_foreach_' + name + '_'
    register(out_of_place, method=False)
    register(in_place, method=False)


_addc('addcmul', 'addcmul')
_addc('addcdiv', 'addcdiv')


def _foreach_lerp(self, tensors1, weight):
    ts = _check(self)
    return tuple(t.lerp(e, w) for t, e, w in zip(ts, tensors1, _seconds(ts, weight, 'lerp')))


def _foreach_lerp_(self, tensors1, weight):
    ts = _check(self)
    for t, e, w in zip(ts, tensors1, _seconds(ts, weight, 'lerp')):
        t.lerp_(e, w)
    return self


def _foreach_norm(self, ord=2, dtype=None):
    from ..linalg import vector_norm
    return tuple(vector_norm(t, ord, dtype=dtype) for t in _check(self))


def _foreach_zero_(self):
    for t in _check(self):
        t.zero_()
    return self


def _foreach_copy_(self, src, non_blocking=False):
    for t, s in zip(_check(self), src):
        t.copy_(s)
    return self


for _f in (_foreach_lerp, _foreach_lerp_, _foreach_norm, _foreach_zero_, _foreach_copy_):
    register(_f, method=False)
