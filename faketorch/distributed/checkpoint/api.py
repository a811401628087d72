"""torch.distributed.checkpoint.api."""
import traceback

__all__ = ['CheckpointException']


class CheckpointException(BaseException):
    """What failed on which rank: {rank: (exception, its traceback frames)} (a BaseException, as torch's)."""

    def __init__(self, msg, failures):
        super().__init__(msg, failures)
        self._failures = failures

    @property
    def failures(self):
        return self._failures

    def __str__(self):
        s = f'CheckpointException ranks:{self._failures.keys()}\n'
        for rank, (exc, frames) in self._failures.items():
            s += f'Traceback (most recent call last): (RANK {rank})\n'
            s += ''.join(traceback.format_list(frames))
            s += ''.join(traceback.format_exception_only(type(exc), value=exc))
        return s
