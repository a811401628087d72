"""add_/sub_ with alpha on float32: OpenBLAS's fused saxpy where its self-test passed, else the float64
path; both give torch's one-rounding result away from ties, the fused one also next to a tie."""
import numpy as np
import pytest

import faketorch as torch
from faketorch import _blas


def test_zero_dim_in_place_with_alpha():
    p = torch.tensor(1.5)
    p.add_(torch.tensor(2.0), alpha=0.25)
    p.sub_(torch.tensor(1.0), alpha=0.5)
    assert p.item() == 1.5


def test_alpha_zero_propagates_nan():      # OpenBLAS returns early on alpha 0: not used there
    p = torch.ones(40)
    p.add_(torch.full((40,), float('nan')), alpha=0.0)
    assert p.isnan().all()


@pytest.mark.skipif(_blas.saxpy() is None, reason='no fused saxpy in this BLAS')
@pytest.mark.parametrize('n', [1, 7, 33, 1000, 20011])
def test_fused_next_to_a_tie(n):
    # 16777218 + (1 - 2**-18)(1 + 2**-18) = 16777219 - 2**-36: one rounding gives 16777218, a
    # rounded product or a float64 sum gives the tie 16777219, which rounds to 16777220
    x = torch.full((n,), 16777218.0)
    y = torch.full((n,), 1 + 2 ** -18)
    for r in (x.add(y, alpha=1 - 2 ** -18), x.sub(y, alpha=-(1 - 2 ** -18)), x.clone().add_(y, alpha=1 - 2 ** -18)):
        assert (r == 16777218).all()
    # (a strided other, here y[::2], still takes the float64 path: its result can land on the tie)
    assert (x[::2].clone().add_(y[::2].contiguous(), alpha=1 - 2 ** -18) == 16777218).all()
    assert np.array_equal(x.numpy(), np.full(n, 16777218, np.float32))      # x itself untouched
