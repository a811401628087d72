"""torch.distributed.tensor.parallel: the parallel styles exist; applying them needs a process group."""
from ..._stubs import NO_GROUP, raising

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


parallelize_module = raising('parallelize_module', NO_GROUP, ValueError)
loss_parallel = raising('loss_parallel', NO_GROUP, ValueError)
