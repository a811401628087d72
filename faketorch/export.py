"""torch.export: Dim and the dynamic-shape hints here; export, ExportedProgram, save and load in
_export_program.py (graph capture by running the model once under a TorchFunctionMode)."""

__all__ = ['Dim', 'dims', 'export', 'draft_export', 'save', 'load', 'ExportedProgram', 'ExportGraphSignature',
           'ShapesCollection', 'AdditionalInputs', 'unflatten', 'register_dataclass', 'default_decompositions']

_NO_CAPTURE = ('faketorch does not implement torch.export.{}: only export, save and load are. Call the module '
               'directly, or use torch.export.export.')


class _IntInfinity(float):
    """Dim's unbounded max; torch prints it as int_oo."""

    def __new__(cls):
        return float.__new__(cls, 'inf')

    def __repr__(self):
        return 'int_oo'

    __str__ = __repr__


int_oo = _IntInfinity()


class _DimHint:
    def __init__(self, kind, min=None, max=None):
        self.type, self.min, self.max = kind, min, max

    def __call__(self, min=None, max=None):
        return _DimHint(self.type, min, max)

    def __repr__(self):
        parts = [self.type] + [f'{k}={v}' for k, v in (('min', self.min), ('max', self.max)) if v is not None]
        return f"DimHint({', '.join(parts)})"


class Dim:
    """A named dynamic dimension with a range, as passed in export's dynamic_shapes."""
    AUTO = _DimHint('AUTO')
    STATIC = _DimHint('STATIC')
    DYNAMIC = _DimHint('DYNAMIC')

    def __init__(self, name, *, min=None, max=None):
        lo = 0 if min is None else min
        hi = int_oo if max is None else max
        if not hi > lo:
            raise AssertionError(f'Cannot create Dim with inconsistent min={min}, max={max}')
        if not name.isidentifier():
            raise AssertionError(f'Dim name must be a valid identifier, got {name}')
        self.__name__, self.min, self.max = name, lo, hi

    def __repr__(self):
        # torch leaves out min=2 (the implied lower bound of a dynamic dim) and an unbounded max
        parts = [repr(self.__name__)]
        if self.min != 2:
            parts.append(f'min={self.min}')
        if self.max is not int_oo:
            parts.append(f'max={self.max}')
        return f"Dim({', '.join(parts)})"


def dims(*names, min=None, max=None):
    return tuple(Dim(name, min=min, max=max) for name in names)


from ._export_program import (ExportedProgram, ExportGraphSignature, export, save, load,  # noqa: E402,F401
                              default_decompositions)


class ShapesCollection(dict):
    pass


class AdditionalInputs:
    def __init__(self):
        self._examples = []

    def add(self, args, kwargs=None):
        self._examples.append((args, kwargs))


def _raiser(name):
    def fn(*args, **kwargs):
        raise RuntimeError(_NO_CAPTURE.format(name))
    fn.__name__ = fn.__qualname__ = name
    return fn


draft_export = _raiser('draft_export')
unflatten = _raiser('unflatten')


def register_dataclass(cls, *, serialized_type_name=None):
    """Accepted: nothing here flattens dataclasses into graphs."""
