"""foreach_map(op, *operands): op applied across lists of tensors, element by element (torch.compile
fuses it into one kernel; eager torch, like faketorch, loops). A non-list operand is passed as is to
every call; the lists are zipped, so the shortest one decides the length."""
import itertools


class ForeachMap:
    """The operator: _foreach_map(fn, *operands) calls fn(*operands)."""

    def name(self):
        return 'foreach_map'

    def __call__(self, fn, *operands, **kwargs):
        return fn(*operands, **kwargs)


_foreach_map = ForeachMap()


def _foreach_map_fn(op, *operands):
    if not any(isinstance(a, (list, tuple)) for a in operands):
        return op(*operands)
    columns = [a if isinstance(a, (list, tuple)) else itertools.repeat(a) for a in operands]
    return [op(*row) for row in zip(*columns)]


def foreach_map(op, *operands, **kwargs):
    return _foreach_map(_foreach_map_fn, op, *operands, **kwargs)
