"""torch.autograd.forward_ad: faketorch has reverse-mode autograd only. The names exist so that
scripts import them; using forward-mode AD raises one NotImplementedError that says so
(torch.func.jvp / torch.autograd.functional.jvp compute the same products in reverse mode)."""
import sys
from typing import NamedTuple

__all__ = ['UnpackedDualTensor', 'enter_dual_level', 'exit_dual_level', 'make_dual', 'unpack_dual',
           'dual_level']

# `import torch.autograd.forward_ad` finds this module under torch's name
sys.modules[__name__.rpartition('.')[0] + '.forward_ad'] = sys.modules[__name__]

_MESSAGE = ('faketorch does not implement forward-mode AD (torch.autograd.forward_ad.{}); '
            'use torch.autograd.functional.jvp or torch.func.jvp, which faketorch computes in reverse mode')


def _unsupported(name):
    raise NotImplementedError(_MESSAGE.format(name))


class UnpackedDualTensor(NamedTuple):
    primal: object
    tangent: object


def enter_dual_level():
    _unsupported('enter_dual_level')


def exit_dual_level(*, level=None):
    _unsupported('exit_dual_level')


def make_dual(tensor, tangent, *, level=None):
    _unsupported('make_dual')


def unpack_dual(tensor, *, level=None):
    _unsupported('unpack_dual')


class dual_level:
    """Context manager for forward AD: entering it raises (no forward mode here)."""

    def __enter__(self):
        _unsupported('dual_level')

    def __exit__(self, *exc):
        return False
