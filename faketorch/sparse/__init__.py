"""torch.sparse, the sparse COO layout (torch.sparse_coo_tensor, Tensor.to_sparse ...) and the compressed
ones (torch.sparse_csr_tensor, Tensor.to_sparse_csr ...).

Imported lazily with faketorch's other large parts; a sparse tensor can only exist once it is, so the
hooks below (sparse methods, and torch.add & co. taking a sparse argument) are in place by then."""
import sys

from .._tensor import Tensor
from . import _math as M
from ._coo import SparseTensor, sparse_coo_tensor, to_sparse, sparse_mask, _backend_error
from ._legacy import legacy_classes as _legacy_classes
from . import _compressed as C

globals().update(_legacy_classes)     # torch.sparse.FloatTensor ...

__all__ = ['mm', 'sum', 'addmm', 'check_sparse_tensor_invariants']

# methods of a sparse tensor
for _name, _fn in (('add', M.add), ('__add__', M.add), ('__radd__', M.radd), ('add_', M.add_), ('__iadd__', M.add_),
                   ('sub', M.sub), ('__sub__', M.sub), ('__rsub__', M.rsub), ('mul', M.mul), ('__mul__', M.mul),
                   ('__rmul__', M.mul), ('mul_', M.mul_), ('__imul__', M.mul_), ('div', M.div),
                   ('__truediv__', M.div), ('div_', M.div_), ('neg', M.neg), ('__neg__', M.neg),
                   ('negative', M.neg), ('zero_', M.zero_), ('sum', M.sum), ('mm', M.mm), ('matmul', M.matmul),
                   ('__matmul__', M.matmul), ('__rmatmul__', lambda self, other: M.rmm(other, self))):
    setattr(SparseTensor, _name, _fn)


# the same names on a dense tensor
def _need_sparse(what, layout='sparse coordinate tensor'):
    def f(self, *args, **kwargs):
        raise RuntimeError(f"{what} expected {layout} layout but got Strided")
    return f


def _dense_only(name):
    def f(self):
        raise _backend_error(self._device, 'CPU' if self._device.type == 'cpu' else 'CUDA', name)
    return f


def _to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
    if layout is not None and layout.name in C._KINDS:
        return C._convert(self, layout, blocksize, dense_dim, 'ToSparseBackward1')
    return to_sparse(self, sparse_dim, layout=layout, blocksize=blocksize, dense_dim=dense_dim)


def _coo_to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None, _coo=SparseTensor.to_sparse):
    if layout is not None and layout.name in C._KINDS:
        return C._convert(self, layout, blocksize, dense_dim, 'ToSparseBackward1')
    return _coo(self, sparse_dim)


Tensor.to_sparse, SparseTensor.to_sparse = _to_sparse, _coo_to_sparse
Tensor.sparse_mask = SparseTensor.sparse_mask = sparse_mask
Tensor.to_sparse_coo = lambda self: to_sparse(self)
Tensor.to_dense = lambda self, dtype=None, *, masked_grad=None: self if dtype is None else self.to(dtype)
Tensor.sparse_dim = lambda self: 0
Tensor.dense_dim = lambda self: self.dim()
Tensor.indices = _need_sparse('indices')
Tensor.values = _need_sparse('values', 'sparse tensor')
Tensor.coalesce = _need_sparse('coalesce')
Tensor.is_coalesced = _need_sparse('is_coalesced')
Tensor._nnz, Tensor._indices, Tensor._values = _dense_only('_nnz'), _dense_only('_indices'), _dense_only('_values')
SparseTensor._sparse_layout = True

# the compressed layouts: conversions from any layout, their index accessors' errors elsewhere
for _cls in (Tensor, SparseTensor):
    _cls.to_sparse_csr = lambda self, dense_dim=None: C._convert(self, C._layout('sparse_csr'), None, dense_dim)
    _cls.to_sparse_csc = lambda self, dense_dim=None: C._convert(self, C._layout('sparse_csc'), None, dense_dim)
    _cls.to_sparse_bsr = lambda self, blocksize, dense_dim=None: C._convert(self, C._layout('sparse_bsr'),
                                                                             blocksize, dense_dim)
    _cls.to_sparse_bsc = lambda self, blocksize, dense_dim=None: C._convert(self, C._layout('sparse_bsc'),
                                                                             blocksize, dense_dim)
    for _name, _kind in (('crow_indices', 'row'), ('col_indices', 'row'), ('ccol_indices', 'column'),
                         ('row_indices', 'column')):
        setattr(_cls, _name, lambda self, _name=_name, _kind=_kind: C._need(self, _kind, _name))
for _name in ('to_sparse_csr', 'to_sparse_csc', 'to_sparse_bsr', 'to_sparse_bsc'):
    setattr(C.SparseCompressedTensor, _name, getattr(Tensor, _name))


def _with_sparse(dense_fn, name, second=None, _tensor=Tensor, _coo=SparseTensor, _compressed=C.SparseCompressedTensor):
    """dense_fn, or a sparse implementation when its first tensor argument is sparse (its class's method
    `name`) or its second is (second[class]). A plain Tensor argument costs one identity test, as when COO
    was the only sparse class (callgrind: the same instructions per dense call)."""
    def f(*args, **kwargs):
        if args:
            if name is not None and args[0].__class__ is not _tensor and \
                    (args[0].__class__ is _coo or args[0].__class__ is _compressed):
                return getattr(args[0].__class__, name)(*args, **kwargs)
            if second is not None and len(args) > 1 and args[1].__class__ is not _tensor and \
                    args[1].__class__ in second:
                return second[args[1].__class__](*args, **kwargs)
        return dense_fn(*args, **kwargs)
    f.__name__, f.__doc__ = getattr(dense_fn, '__name__', 'f'), getattr(dense_fn, '__doc__', None)
    return f


_pkg = sys.modules['faketorch']
_SECOND = {'add': {SparseTensor: M.dense_add_sparse,
                   C.SparseCompressedTensor: lambda d, s, *, alpha=1: C._dense_add(d, s, alpha, False)},
           'sub': {SparseTensor: lambda d, s, *, alpha=1: M.dense_add_sparse(d, s, alpha=-alpha)},
           'mul': {SparseTensor: lambda d, s: M.mul(s, d), C.SparseCompressedTensor: lambda d, s: s.mul(d)},
           'mm': {SparseTensor: M.rmm, C.SparseCompressedTensor: C.rmm},
           'matmul': {SparseTensor: M.rmm, C.SparseCompressedTensor: C.rmm}}
# (torch.mv and torch.addmm reach a compressed tensor's product through np.matmul: no wrapper, no cost)
for _name in ('add', 'sub', 'mul', 'div', 'neg', 'negative', 'sum', 'mm', 'matmul', 't', 'transpose', 'clone'):
    setattr(_pkg, _name, _with_sparse(getattr(_pkg, _name), _name, _SECOND.get(_name)))
for _name in ('add', 'sub', 'mul', 'mm', 'matmul'):
    setattr(Tensor, _name, _with_sparse(getattr(Tensor, _name), None, _SECOND[_name]))
Tensor.add_ = _with_sparse(Tensor.add_, None, {SparseTensor: M.dense_add_sparse_})
_pkg.sparse_coo_tensor = sparse_coo_tensor
# the old sparse helpers (torch.saddmm is sspaddmm's other name; hsmm hspmm's)
for _name, _fn in (('sspaddmm', M.sspaddmm), ('saddmm', M.sspaddmm), ('smm', M.smm), ('hspmm', M.hspmm),
                   ('hsmm', M.hspmm), ('dsmm', M.dsmm)):
    setattr(_pkg, _name, _fn)
Tensor.sspaddmm, Tensor.smm = M.sspaddmm, M.smm
Tensor.sparse_resize_, Tensor.sparse_resize_and_clear_ = M.sparse_resize_, M.sparse_resize_and_clear_
Tensor.resize_as_sparse_ = _pkg.resize_as_sparse_ = M.resize_as_sparse_
for _name in ('sparse_compressed_tensor', 'sparse_csr_tensor', 'sparse_csc_tensor', 'sparse_bsr_tensor',
              'sparse_bsc_tensor'):
    setattr(_pkg, _name, getattr(C, _name))
def _copy_of(name, prev):
    def copy(input, *, out=None):
        if prev is not None and not isinstance(input, C.SparseCompressedTensor):
            return prev(input)       # (values_copy of COO: torch's missing-kernel error)
        return getattr(input, name)().clone()
    copy.__name__ = name + '_copy'
    return copy


for _name in ('crow_indices', 'col_indices', 'ccol_indices', 'row_indices', 'values'):
    setattr(_pkg, _name + '_copy', _copy_of(_name, getattr(_pkg, _name + '_copy', None)))


def mm(mat1, mat2, reduce='sum'):
    if mat1.__class__ is C.SparseCompressedTensor and mat2.__class__ is Tensor:
        return mat1.mm(mat2, _sparse_grad=True)
    return M.sparse_mm(mat1, mat2)


def addmm(mat, mat1, mat2, *, beta=1.0, alpha=1.0):
    if mat1.__class__ is C.SparseCompressedTensor:
        return C.addmm(mat, mat1, mat2, beta=beta, alpha=alpha)
    return mat * beta + mm(mat1, mat2) * alpha


sum = M.sparse_sum


class check_sparse_tensor_invariants:
    """A context manager/decorator turning sparse_coo_tensor's invariant checks on (torch's default: off).
    _enabled is None until enable/disable/the context manager sets it: torch warns (once) about checks that
    are off only while nobody chose."""
    _enabled = None

    def __init__(self, enable=True):
        self.state = enable

    @staticmethod
    def is_enabled():
        return bool(check_sparse_tensor_invariants._enabled)

    @staticmethod
    def enable():
        check_sparse_tensor_invariants._enabled = True

    @staticmethod
    def disable():
        check_sparse_tensor_invariants._enabled = False

    def __enter__(self):
        self.saved = check_sparse_tensor_invariants.is_enabled()   # restoring it keeps the choice explicit
        check_sparse_tensor_invariants._enabled = self.state

    def __exit__(self, *exc):
        check_sparse_tensor_invariants._enabled = self.saved

    def __call__(self, fn):
        def wrapped(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapped
