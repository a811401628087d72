"""BinaryOpFuzzer: tensors x and y of the same rank; each of y's sizes is x's (0.8) or 1, so about
half the pairs broadcast."""
import faketorch as torch

from ..fuzzer import Fuzzer, FuzzedParameter, FuzzedTensor, ParameterAlias
from ._sizes import random_value, size_parameters, step_parameters


class BinaryOpFuzzer(Fuzzer):
    def __init__(self, seed, dtype=torch.float32, cuda=False):
        # y's step parameters are drawn but, as in torch, y is cut with x's steps
        steps = ('x_step_0', 'x_step_1', 'x_step_2')
        super().__init__(
            parameters=size_parameters() + [
                [FuzzedParameter(name=f'y_k{i}', distribution={ParameterAlias(f'k{i}'): 0.8, 1: 0.2}, strict=True)
                 for i in range(3)],
                step_parameters(('x', 'y')), random_value()],
            tensors=[
                FuzzedTensor(name='x', size=('k0', 'k1', 'k2'), steps=steps, probability_contiguous=0.75,
                             min_elements=4 * 1024, max_elements=32 * 1024 ** 2, max_allocation_bytes=2 * 1024 ** 3,
                             dim_parameter='dim', dtype=dtype, cuda=cuda),
                FuzzedTensor(name='y', size=('y_k0', 'y_k1', 'y_k2'), steps=steps, probability_contiguous=0.75,
                             max_allocation_bytes=2 * 1024 ** 3, dim_parameter='dim', dtype=dtype, cuda=cuda)],
            seed=seed)
