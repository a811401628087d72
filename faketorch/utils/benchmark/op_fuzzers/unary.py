"""UnaryOpFuzzer: one tensor x of 1 to 3 dimensions, maybe strided and non-contiguous."""
import faketorch as torch

from ..fuzzer import Fuzzer, FuzzedTensor
from ._sizes import random_value, size_parameters, step_parameters


class UnaryOpFuzzer(Fuzzer):
    def __init__(self, seed, dtype=torch.float32, cuda=False):
        super().__init__(
            parameters=size_parameters() + [step_parameters(('x',)), random_value()],
            tensors=[FuzzedTensor(name='x', size=('k0', 'k1', 'k2'), steps=('x_step_0', 'x_step_1', 'x_step_2'),
                                  probability_contiguous=0.75, min_elements=4 * 1024, max_elements=32 * 1024 ** 2,
                                  max_allocation_bytes=2 * 1024 ** 3, dim_parameter='dim', dtype=dtype, cuda=cuda)],
            seed=seed)
