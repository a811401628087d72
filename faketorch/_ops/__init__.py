"""Every op, declared once; importing this package registers them all."""
from . import _core, pointwise, reduction, shape, blas, indexing, misc, factory, linalg_ops, complex_ops, foreach  # noqa: F401
from . import manipulation, selection, sorting, factorizations, spectral, nn_native, toplevel  # noqa: F401
from ._core import namespace
