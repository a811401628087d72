"""torch.sparse.FloatTensor & co.: the legacy constructors of sparse COO tensors (deprecated: each
form warns, naming its torch.sparse_coo_tensor equivalent) and isinstance by a sparse tensor's dtype."""
import warnings

from .. import _dtype as D
from .._tensor import Tensor
from ._coo import SparseTensor, sparse_coo_tensor

_NAMES = {'float32': 'FloatTensor', 'float64': 'DoubleTensor', 'float16': 'HalfTensor', 'bfloat16': 'BFloat16Tensor',
          'uint8': 'ByteTensor', 'int8': 'CharTensor', 'int16': 'ShortTensor', 'int32': 'IntTensor',
          'int64': 'LongTensor'}

_SIGNATURES = (" * (*, torch.device device = None)\n",
               " * (Tensor indices, Tensor values, *, torch.device device = None)\n",
               " * (Tensor indices, Tensor values, tuple of ints size, *, torch.device device = None)\n",
               " * (tuple of ints size, *, torch.device device = None)\n")
# after which signature torch's parser prints its "didn't match" line, by number of arguments
_DETAIL_AFTER = {2: 0, 3: 3}


_warned = set()


def _deprecated(form, instead, line):
    if line in _warned:     # torch warns once per form and process
        return
    _warned.add(line)
    warnings.warn(f"torch.sparse.SparseTensor({form}) is deprecated.  Please use torch.sparse_coo_tensor({instead}). "
                  f"(Triggered internally at /__w/pytorch/pytorch/torch/csrc/utils/tensor_new.cpp:{line}.)",
                  UserWarning, stacklevel=3)


def _sizes(args):
    """The sizes of SparseTensor(*sizes) / SparseTensor(torch.Size), else None."""
    from .. import Size
    if len(args) == 1 and isinstance(args[0], Size):
        return tuple(args[0])
    return args if all(type(a) is int for a in args) else None


def _describe(a):
    from ..random import _tp_name
    if isinstance(a, list):
        return f"list of [{', '.join(_tp_name(x) for x in a)}]"
    if isinstance(a, tuple):
        return f"tuple of ({', '.join(_tp_name(x) for x in a)})"
    return _tp_name(a)


def _new(dtype, args, device):
    from ..random import _tp_name
    if len(args) > 3:
        raise TypeError(f'new() takes 3 positional arguments but {len(args)} were given')
    if not args:
        _deprecated('', '(0,), dtype=', 623)
        return sparse_coo_tensor(size=(0,), dtype=dtype, device=device)
    if isinstance(args[0], Tensor) and len(args) > 1 and isinstance(args[1], Tensor) and \
            (len(args) == 2 or all(type(n) is int for n in args[2])):
        if args[0].dtype is not D.int64:
            raise RuntimeError('indices must be an int64 tensor')
        if len(args) == 2:
            _deprecated('indices, values, *, device=', 'indices, values, dtype=, device=', 641)
        else:
            _deprecated('indices, values, shape, *, device=', 'indices, values, shape, dtype=, device=', 653)
        # the values keep their own dtype (torch.sparse.FloatTensor(i, int64 values) is a LongTensor)
        return sparse_coo_tensor(*args, device=device)
    sizes = _sizes(args)
    if sizes is not None:
        _deprecated('shape, *, device=', 'shape, dtype=, device=', 684)
        return sparse_coo_tensor(size=sizes, dtype=dtype, device=device)
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        raise TypeError('torch.sparse.SparseTensor(sequence) only accepts sizes.  Please use torch.sparse_coo_tensor() '
                        'or construct a strided tensor and convert it to sparse via to_sparse.')
    lines = list(_SIGNATURES)
    if len(args) in _DETAIL_AFTER:
        lines[_DETAIL_AFTER[len(args)]] += ("      didn't match because some of the arguments have invalid types: "
                                            f"({', '.join(f'!{_describe(a)}!' for a in args)})\n")
    raise TypeError(f"new() received an invalid combination of arguments - got "
                    f"({', '.join(_tp_name(a) for a in args)}), but expected one of:\n{''.join(lines)}")


class _SparseLegacyMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, SparseTensor) and obj.dtype is cls.dtype and obj.device.type == 'cpu'


def _legacy_class(dtype_name, name):
    dtype = getattr(D, dtype_name)

    def __new__(cls, *args, device=None):
        return _new(dtype, args, device)
    return _SparseLegacyMeta(name, (), {'__new__': __new__, 'dtype': dtype, 'is_sparse': True, 'is_cuda': False,
                                         '__module__': 'torch.sparse'})


legacy_classes = {name: _legacy_class(dt, name) for dt, name in _NAMES.items()}
