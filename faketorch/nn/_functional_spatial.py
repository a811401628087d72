"""Spatial functional ops: conv, pooling, normalization, interpolation, padding (being written)."""
__all__ = []
