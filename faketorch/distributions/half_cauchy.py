import math

import faketorch as ft
from .cauchy import Cauchy
from .half_normal import _Half
from .transforms import AbsTransform

__all__ = ['HalfCauchy']


class HalfCauchy(_Half):
    """|X| for X ~ Cauchy(0, scale)."""
    _value_as_param_dtype = True

    def __init__(self, scale, validate_args=None):
        super().__init__(Cauchy(0, scale, validate_args=False), AbsTransform(), validate_args=validate_args)

    @property
    def mean(self):
        return ft.full(self._extended_shape(), math.inf, dtype=self.scale.dtype, device=self.scale.device)

    @property
    def variance(self):
        return self.base_dist.variance
