"""torch.utils.benchmark: Timer, Measurement and Compare (Python statements only; no C++, no
Callgrind), and the Fuzzer (op_fuzzers: unary and binary)."""
from .common import Measurement, TaskSpec, select_unit
from .timer import Timer, Language
from .compare import Compare
from .fuzzer import Fuzzer, FuzzedParameter, ParameterAlias, FuzzedTensor

__all__ = ['Timer', 'Measurement', 'TaskSpec', 'Compare', 'Language', 'select_unit', 'Fuzzer', 'FuzzedParameter',
           'ParameterAlias', 'FuzzedTensor']
