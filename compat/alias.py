"""`import torch` -> faketorch: a sys.meta_path finder that aliases module names.

Any `torch.X.Y` is imported as `faketorch.X.Y` and the *same* module object is
registered under both names, so `torch.nn is faketorch.nn` and
`sys.modules['torch.nn'] is sys.modules['faketorch.nn']`.
"""
import importlib
import importlib.machinery
import sys

ALIAS, TARGET = "torch", "faketorch"


class _AliasFinder:
    """Finder and loader in one: the module is created by importing its target."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != ALIAS and not fullname.startswith(ALIAS + "."):
            return None
        real = TARGET + fullname[len(ALIAS):]
        try:
            module = importlib.import_module(real)
        except ModuleNotFoundError as e:
            # Only the module asked for (or a parent of it) being absent means
            # "not provided"; a missing import *inside* faketorch is a real bug.
            if e.name is None or not (real == e.name or real.startswith(e.name + ".")):
                raise
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: faketorch does not provide "
                f"{real!r} yet", name=fullname) from None
        return importlib.machinery.ModuleSpec(fullname, self, loader_state=(module, module.__spec__))

    def create_module(self, spec):
        # The module already carries its own __name__, __package__ etc., which the
        # import system leaves alone, so torch.__name__ stays 'faketorch' (only
        # __spec__ is overwritten: exec_module puts it back).
        _aliased.add(spec.name)
        return spec.loader_state[0]

    def exec_module(self, module):
        # Already executed when its faketorch name was imported. The import system has just set
        # module.__spec__ to our `torch.*` spec; give back the module's own, or every relative
        # import run later inside faketorch (`from .. import relu` in a function) sees
        # __package__ != __spec__.parent and emits an ImportWarning.
        module.__spec__ = module.__spec__.loader_state[1]


_finder = _AliasFinder()
_aliased = set()   # names this finder put into sys.modules


def install():
    """Make `torch` and every `torch.*` import resolve to faketorch, here and in the processes
    multiprocessing spawns from here (torch.multiprocessing.spawn, DataLoader workers)."""
    existing = sys.modules.get(ALIAS)
    if existing is not None and not existing.__name__.startswith(TARGET):
        raise RuntimeError("real torch is already imported; install the "
                           "faketorch alias before the first `import torch`")
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    _alias_in_children()


class _InstallOnLoad:
    """Unpickling this calls install(): a spawned child unpickles its preparation data before it
    re-imports the parent's __main__ (whose `import torch` must find faketorch)."""

    def __reduce__(self):
        return install, ()


def _alias_in_children():
    import multiprocessing.spawn as spawn
    original = spawn.get_preparation_data
    if getattr(original, "_faketorch_alias", False):
        return

    def get_preparation_data(name):
        data = original(name)
        data["faketorch_alias"] = _InstallOnLoad()   # prepare() ignores keys it does not know
        return data
    get_preparation_data._faketorch_alias = True
    get_preparation_data._original = original
    spawn.get_preparation_data = get_preparation_data


def uninstall():
    """Remove the finder and the `torch*` entries it added to sys.modules."""
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    import multiprocessing.spawn as spawn
    if getattr(spawn.get_preparation_data, "_faketorch_alias", False):
        spawn.get_preparation_data = spawn.get_preparation_data._original
    for name in _aliased:
        sys.modules.pop(name, None)
    _aliased.clear()


def installed():
    return _finder in sys.meta_path
