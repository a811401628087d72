"""torch._C._profiler: the switch scripts flip before profiling."""
from . import _bind

_set_cuda_sync_enabled_val = _bind('_set_cuda_sync_enabled_val', '(arg0: bool) -> None', lambda flag: None)
