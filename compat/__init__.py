"""Tools for running unmodified `import torch` scripts on faketorch.

`install()` / `uninstall()` toggle the `torch` -> `faketorch` import alias;
`python -m compat run|diff|inventory` is the command line (see __main__.py).
Nothing here imports real torch except `compat.inventory.inventory()`.
"""
from .alias import install, installed, uninstall

__all__ = ["install", "installed", "uninstall"]
