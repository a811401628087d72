"""torch.types: the type aliases library code annotates with."""
from typing import IO, Any, Sequence, Union  # noqa: F401

from ._device import device as _device
from ._dtype import dtype as _dtype
from ._misc import SymBool, SymFloat, SymInt  # noqa: F401
from ._tensor import Tensor  # noqa: F401
from .storage import UntypedStorage as Storage  # noqa: F401

_int, _float, _bool, _complex, _str, _bytes = int, float, bool, complex, str, bytes
Number = Union[int, float, bool]
_Number = (int, float, bool)
Device = Union[_device, str, int, None]
_size = Sequence[int]
IntLikeType = Union[int, SymInt]
FloatLikeType = Union[float, SymFloat]
BoolLikeType = Union[bool, SymBool]
py_sym_types = (SymInt, SymFloat, SymBool)
PySymType = Union[SymInt, SymFloat, SymBool]
FileLike = Union[str, 'os.PathLike[str]', IO[bytes]]
_TensorOrTensors = Union[Tensor, Sequence[Tensor]]

