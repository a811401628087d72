"""torch.return_types: named tuples with torch's repr (values=..., indices=...)."""
from collections import namedtuple


def _make_type(name, fields):
    base = namedtuple(name, fields)

    def __repr__(self):
        inner = ',\n'.join(f'{f}={getattr(self, f)!r}' for f in fields)
        return f'torch.return_types.{name}(\n{inner})'
    cls = type(name, (base,), {'__slots__': (), '__repr__': __repr__, '__str__': __repr__})
    cls.__module__ = 'torch.return_types'
    return cls


_VI = ('values', 'indices')
max = _make_type('max', _VI)
min = _make_type('min', _VI)
sort = _make_type('sort', _VI)
topk = _make_type('topk', _VI)
kthvalue = _make_type('kthvalue', _VI)
median = _make_type('median', _VI)
nanmedian = _make_type('nanmedian', _VI)
mode = _make_type('mode', _VI)
cummax = _make_type('cummax', _VI)
cummin = _make_type('cummin', _VI)
aminmax = _make_type('aminmax', ('min', 'max'))
var_mean = None
slogdet = _make_type('slogdet', ('sign', 'logabsdet'))
qr = _make_type('qr', ('Q', 'R'))
svd = _make_type('svd', ('U', 'S', 'V'))
linalg_svd = _make_type('linalg_svd', ('U', 'S', 'Vh'))
linalg_eigh = _make_type('linalg_eigh', ('eigenvalues', 'eigenvectors'))
linalg_eig = _make_type('linalg_eig', ('eigenvalues', 'eigenvectors'))
linalg_slogdet = _make_type('linalg_slogdet', ('sign', 'logabsdet'))
linalg_qr = _make_type('linalg_qr', ('Q', 'R'))
linalg_lstsq = _make_type('linalg_lstsq', ('solution', 'residuals', 'rank', 'singular_values'))
linalg_inv_ex = _make_type('linalg_inv_ex', ('inverse', 'info'))
linalg_cholesky_ex = _make_type('linalg_cholesky_ex', ('L', 'info'))
histogram = _make_type('histogram', ('hist', 'bin_edges'))
frexp = _make_type('frexp', ('mantissa', 'exponent'))
