"""Conformance cases: registration and discovery.

A case is a function ``fn(torch) -> result``. It receives a torch-like module
(real torch, or faketorch) and returns what it computed; the runner calls it
once per library and compares the two results. Everything a case uses must be
reached through that argument (``torch.nn.functional``, ``torch.utils.data``),
never through an ``import torch`` of its own.
"""
import importlib
import pkgutil
from dataclasses import dataclass, field

CASES = {}                       # id -> Case, in registration order
_counters = {}                   # (area, api) -> lambdas registered so far


@dataclass
class Case:
    api: str                     # 'torch.exp', 'Tensor.view', 'nn.Linear' ...
    name: str
    fn: object
    area: str = ''               # the cases module that registered it
    opts: dict = field(default_factory=dict)   # atol, rtol, exact, values, exact_float32

    @property
    def id(self):
        return f'{self.api}::{self.name}'


_OPTIONS = ('atol', 'rtol', 'exact', 'values', 'exact_float32')


def check(api, fn, name=None, **opts):
    """Register ``fn(torch)`` as a case of ``api``; returns the Case.

    Options: ``atol``/``rtol`` override the per-dtype tolerances,
    ``exact=True`` demands exact equality (random streams), ``values=False``
    compares everything but tensor values (uninitialised memory),
    ``exact_float32=True`` runs faketorch as FAKETORCH_EXACT_FLOAT32=1 does (torch's
    costlier kernel orders, which it follows only when asked).
    """
    unknown = set(opts) - set(_OPTIONS)
    if unknown:
        raise TypeError(f'check() got unknown options {sorted(unknown)}; known: {_OPTIONS}')
    area = _area_of(fn)
    if name is None:
        name = fn.__name__
        if name == '<lambda>':
            n = _counters[area, api] = _counters.get((area, api), 0) + 1
            name = f'{area}_{n}' if area else str(n)
    c = Case(api, name, fn, area, opts)
    if c.id in CASES:
        first = CASES[c.id].area or getattr(CASES[c.id].fn, '__module__', '?')
        raise ValueError(f'duplicate conformance case id {c.id!r} (first in {first}); pass name=')
    CASES[c.id] = c
    return c


def case(api, name=None, **opts):
    """Decorator form of :func:`check` for multi-line cases; returns fn unchanged."""
    def register(fn):
        check(api, fn, name=name, **opts)
        return fn
    return register


def _area_of(fn):
    module = getattr(fn, '__module__', '') or ''
    return module.rsplit('.', 1)[-1] if module.startswith('conformance.cases.') else ''


def load_cases():
    """Import every module of conformance/cases; returns {module: error} for those that failed."""
    from . import cases
    failed = {}
    for info in pkgutil.iter_modules(cases.__path__):
        modname = f'{cases.__name__}.{info.name}'
        try:
            importlib.import_module(modname)
        except Exception as e:                   # one broken file must not hide the others
            failed[info.name] = f'{type(e).__name__}: {e}'
    return failed


# Namespaces, longest first: an api id belongs to the longest one it starts with.
NAMESPACES = sorted([
    'nn', 'nn.functional', 'nn.init', 'nn.utils', 'nn.utils.rnn', 'optim',
    'optim.lr_scheduler', 'utils.data', 'autograd', 'cuda', 'amp', 'backends',
    'linalg', 'fft', 'special', 'distributions', 'random', 'testing', 'jit',
], key=len, reverse=True)


_ALIASES = {'F': 'nn.functional', 'optim.lr': 'optim.lr_scheduler'}


def namespace(api):
    """'torch.exp' -> 'torch', 'Tensor.view' -> 'Tensor', 'torch.nn.functional.relu' -> 'nn.functional'."""
    name = api[len('torch.'):] if api.startswith('torch.') else api
    head, dot, rest = name.partition('.')
    if head in _ALIASES and dot:
        name = f'{_ALIASES[head]}.{rest}'
    for ns in NAMESPACES:
        if name.startswith(ns + '.') or name == ns:
            return ns
    head, dot, _ = name.partition('.')
    return head if dot else 'torch'


def warned(fn, catch=False):
    """(fn(), [(warning category name, message)]) for a case that compares warnings too; catch: an
    exception fn raises becomes its (type name, message) result."""
    import warnings
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try:
            r = fn()
        except Exception as e:      # noqa: BLE001 - the exception is the result
            if not catch:
                raise
            r = (type(e).__name__, str(e))
    return r, [(x.category.__name__, str(x.message)) for x in w]


def outcomes(*thunks, show=lambda r: r):
    """Each thunk's result (through `show`), or its exception as 'Type: message': one case can hold
    several rules of an API, each compared separately."""
    out = []
    for f in thunks:
        try:
            out.append(show(f()))
        except Exception as e:      # noqa: BLE001 - the exception is the value compared
            out.append(f'{type(e).__name__}: {e}')
    return out
