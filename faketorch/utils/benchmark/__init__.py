"""torch.utils.benchmark: Timer, Measurement and Compare (Python statements only; no C++, no
Callgrind, no fuzzers)."""
from .common import Measurement, TaskSpec, select_unit
from .timer import Timer, Language
from .compare import Compare

__all__ = ['Timer', 'Measurement', 'TaskSpec', 'Compare', 'Language', 'select_unit']
