"""Random ops. PROVISIONAL: will be rewired onto faketorch._rng (torch-exact streams)."""
import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make
from .factory import _size, _finish, write_out

_rs = np.random.RandomState(0)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    dt = dtype or D.get_default_dtype()
    t = _finish(_rs.random_sample(_size(size)).astype(dt._np), dt, device, requires_grad)
    return write_out(out, t, 'rand') if out is not None else t


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    dt = dtype or D.get_default_dtype()
    t = _finish(_rs.standard_normal(_size(size)).astype(dt._np), dt, device, requires_grad)
    return write_out(out, t, 'randn') if out is not None else t


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False):
    if high is None:
        low, high = 0, low
    dt = dtype or D.int64
    return _finish(_rs.randint(low, high, size=tuple(size)).astype(dt._np), dt, device, requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    dt = dtype or D.int64
    return _finish(_rs.permutation(n).astype(dt._np), dt, device, requires_grad)


def rand_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return rand(input.shape, dtype=dtype or input.dtype, device=device or input._device, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return randn(input.shape, dtype=dtype or input.dtype, device=device or input._device, requires_grad=requires_grad)


def manual_seed(seed):
    global _rs
    _rs = np.random.RandomState(seed & 0xFFFFFFFF)


exports = dict(rand=rand, randn=randn, randint=randint, randperm=randperm, rand_like=rand_like,
               randn_like=randn_like)
