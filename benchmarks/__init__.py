"""Benchmarks: the same workload files run on torch and faketorch, reported as ratios."""


class Skip(Exception):
    """Raised by a workload's setup when an implementation cannot run it yet."""
