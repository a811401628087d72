"""Int-like arguments of the wrong type: a dim given as a bool, float, str, None, a non-integer or many-element
tensor is torch's parser's "must be int" TypeError (faketorch had read a bool as 0/1, truncated floats, or
raised NumPy's errors), while NumPy ints and 0-dim integer tensors count as ints; the items of a list of
ints (view, reshape, repeat, permute ...) likewise, where one-element integer tensors also count."""
import numpy as np

from conformance import case
from conformance.registry import outcomes


def _bad(torch):
    """The wrong-typed values torch's parser refuses for an int."""
    return [True, False, 1.0, 1.5, '1', None, torch.tensor(1.), torch.tensor([1]), torch.tensor(True),
            np.float64(1.), np.bool_(True), [1], (1,), 1 + 0j]


def _ok(torch):
    """Those it takes as the int 1."""
    return [np.int64(1), np.int32(1), torch.tensor(1)]


@case('torch.unsqueeze', name='int_arg_dim_types')
def _dim_types(torch):
    X = torch.arange(24.).reshape(2, 3, 4)
    calls = []
    for v in _bad(torch) + _ok(torch):
        calls += [lambda v=v: torch.unsqueeze(X, v).shape, lambda v=v: torch.stack([X, X], v).shape,
                  lambda v=v: torch.transpose(X, 0, v).shape, lambda v=v: torch.flatten(X, v).shape,
                  lambda v=v: torch.select(X, v, 0), lambda v=v: torch.unbind(X, v),
                  lambda v=v: torch.softmax(X, v), lambda v=v: torch.cumsum(X, v),
                  lambda v=v: torch.argmax(X, v)]
    return outcomes(*calls)


@case('Tensor.view', name='int_arg_size_items')
def _size_items(torch):
    X = torch.arange(24.).reshape(2, 3, 4)
    calls = []
    for v in [True, 2.0, 2.5, '2', None, torch.tensor(2.), np.float64(2.), np.bool_(True), np.int64(2),
              torch.tensor(2), torch.tensor([2])]:
        calls += [lambda v=v: torch.reshape(X, (v, 12)).shape,
                  lambda v=v: X.repeat((v, 1, 1)).shape, lambda v=v: X.expand((v, 2, 3, 4)).shape,
                  lambda v=v: torch.broadcast_to(X, (v, 2, 3, 4)).shape,
                  lambda v=v: torch.permute(X, (v, 0, 2)).shape]
    return outcomes(*calls)


@case('Tensor.repeat', name='int_arg_size_bool_tensor')
def _size_bool_tensor(torch):
    """A one-element bool tensor in a list of ints is torch's internal isIntegral check (a RuntimeError)."""
    X = torch.arange(24.).reshape(2, 3, 4)
    return outcomes(lambda: X.repeat((torch.tensor(True), 1, 1)).shape,
                    lambda: torch.reshape(X, (torch.tensor([True]), 24)).shape,
                    lambda: X.expand((torch.tensor(False), 2, 3, 4)).shape)
