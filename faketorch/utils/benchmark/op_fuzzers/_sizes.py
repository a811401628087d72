"""The size parameters the unary and binary op fuzzers share: 1 to 3 dimensions, each of any size
(log-uniform over 16 .. 16M) with probability 0.8, else a power of two. Their order is the order of
the random draws, so it is torch's."""
import numpy as np

from ..fuzzer import FuzzedParameter, ParameterAlias

_MIN_DIM_SIZE = 16
_MAX_DIM_SIZE = 16 * 1024 ** 2
_POW_TWO_SIZES = tuple(2 ** i for i in range(int(np.log2(_MIN_DIM_SIZE)), int(np.log2(_MAX_DIM_SIZE)) + 1))
_STEPS = {1: 0.8, 2: 0.06, 4: 0.06, 8: 0.04, 16: 0.04}


def size_parameters():
    return [
        FuzzedParameter('dim', distribution={1: 0.3, 2: 0.4, 3: 0.3}, strict=True),
        [FuzzedParameter(name=f'k_any_{i}', minval=_MIN_DIM_SIZE, maxval=_MAX_DIM_SIZE, distribution='loguniform')
         for i in range(3)],
        [FuzzedParameter(name=f'k_pow2_{i}', distribution={s: 1. / len(_POW_TWO_SIZES) for s in _POW_TWO_SIZES})
         for i in range(3)],
        [FuzzedParameter(name=f'k{i}', distribution={ParameterAlias(f'k_any_{i}'): 0.8,
                                                     ParameterAlias(f'k_pow2_{i}'): 0.2}, strict=True)
         for i in range(3)],
    ]


def step_parameters(names):
    return [FuzzedParameter(name=f'{name}_step_{i}', distribution=_STEPS) for i in range(3) for name in names]


def random_value():
    return FuzzedParameter(name='random_value', minval=0, maxval=2 ** 32 - 1, distribution='uniform')
