"""Printing and torch.Size edges against torch (found by a fuzz of reprs)."""
import numpy as np

from conformance import check, outcomes


def _outcomes(*fns):
    return outcomes(*fns, show=repr)


check('torch.Size', lambda torch: _outcomes(
    lambda: torch.Size([2, 3]) * 2, lambda: 2 * torch.Size([2]), lambda: torch.Size([2.5]),
    lambda: torch.Size('ab'), lambda: torch.Size((2, None)), lambda: torch.Size([torch.tensor(2)]),
    lambda: torch.Size([torch.tensor(2.)]), lambda: torch.Size([True]), lambda: torch.Size([2 ** 70]),
    lambda: type(torch.Size([np.int32(3)])[0]).__name__), name='elements_and_repeat')
check('torch.device', lambda torch: _outcomes(
    lambda: torch.device(''), lambda: torch.device('cuda:01'), lambda: torch.device('cpu:00'),
    lambda: torch.device('cuda:+1')), name='device_string_checks')
check('Tensor.__format__', lambda torch: _outcomes(
    lambda: format(torch.tensor(1.5, requires_grad=True), '.2f'), lambda: f'{torch.tensor(2.5) ** 2:.3f}',
    lambda: format(torch.nn.Parameter(torch.tensor(1.5)), '.2f'), lambda: format(torch.tensor([1.5]), '')),
    name='zero_dim_requires_grad')
