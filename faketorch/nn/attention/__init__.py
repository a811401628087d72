"""torch.nn.attention: SDPBackend and the sdpa_kernel context manager.

faketorch always runs the math kernel; sdpa_kernel only flips the switches that
torch.backends.cuda.*_sdp_enabled() report, as torch does, and restores them on exit.
"""
import contextlib

from ...backends import cuda as _cuda
from ...backends.cuda import SDPBackend

__all__ = ['SDPBackend', 'sdpa_kernel', 'WARN_FOR_UNFUSED_KERNELS']

WARN_FOR_UNFUSED_KERNELS = False

# backends.cuda switch name -> SDPBackend member
_SWITCHES = {'cudnn': SDPBackend.CUDNN_ATTENTION, 'flash': SDPBackend.FLASH_ATTENTION,
             'mem_efficient': SDPBackend.EFFICIENT_ATTENTION, 'math': SDPBackend.MATH}


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority=False):
    """Select the scaled_dot_product_attention backends for the block (faketorch computes with math)."""
    if not isinstance(backends, (list, SDPBackend)):
        raise AssertionError('Backend must be an instance of SDPBackend or a list of SDPBackend instances, '
                             f'got {type(backends).__name__}')
    chosen = {backends} if isinstance(backends, SDPBackend) else set(backends)
    previous = {name: _cuda._sdp[name] for name in _SWITCHES}
    try:
        for name, member in _SWITCHES.items():
            _cuda._sdp[name] = member in chosen
        yield {}
    finally:
        _cuda._sdp.update(previous)
