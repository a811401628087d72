"""torch.distributed.tensor.parallel: the parallel styles exist; applying them is not implemented."""
from ..._stubs import not_implemented

__all__ = ['ColwiseParallel', 'ParallelStyle', 'PrepareModuleInput', 'PrepareModuleInputOutput',
           'PrepareModuleOutput', 'RowwiseParallel', 'SequenceParallel', 'parallelize_module', 'loss_parallel']


class ParallelStyle:
    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs


class ColwiseParallel(ParallelStyle):
    pass


class RowwiseParallel(ParallelStyle):
    pass


class SequenceParallel(ParallelStyle):
    pass


class PrepareModuleInput(ParallelStyle):
    pass


class PrepareModuleOutput(ParallelStyle):
    pass


class PrepareModuleInputOutput(ParallelStyle):
    pass


parallelize_module = not_implemented('parallelize_module')
loss_parallel = not_implemented('loss_parallel')
