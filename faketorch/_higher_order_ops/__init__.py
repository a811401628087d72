"""torch._higher_order_ops: the higher-order operators faketorch has (run eagerly)."""
from .foreach_map import _foreach_map, foreach_map
from .map import map  # noqa: A004  (torch's name)

__all__ = ['foreach_map', '_foreach_map', 'map']
