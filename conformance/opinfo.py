"""Drive torch's OpInfo database (op_db) through both libraries.

Each OpInfo gives up to three variants: the function (``torch.add``), the
method (``Tensor.add``) and the in-place method (``Tensor.add_``). Each
variant x dtype is one id, ``<api>::opinfo[_<variant>]_<dtype>``. Its first
``max_samples`` sample inputs are rebuilt in both libraries from the same NumPy
arrays, run, and compared; where the op is differentiable the gradients of the
inputs are compared too. The first sample that does not pass decides the id.

An OpInfo with error inputs (``op.error_inputs(device)``: inputs torch rejects) gets one more id,
``<api>::opinfo[_<variant>]_errors``, on its function variant: each error input is rebuilt the same way
and must raise the same exception type and message in both libraries.
"""
import functools
import inspect
import itertools
import time
import types
import warnings
from dataclasses import dataclass

import numpy as np

from .compare import describe, is_tensor, normalize, raised
from .runner import DEVICE, Outcome, Side, classify, counts_text, looks_missing, same_raise, seed

DTYPES = ('float32', 'float64', 'int64', 'bool',
          'complex64', 'complex128', 'float16', 'bfloat16', 'int32', 'int16', 'int8', 'uint8')
MAX_SAMPLES = 8
# Derivatives beyond the gradient, float64, on the first samples: second derivatives (double backward, which
# create_graph uses) and forward-mode AD (Jacobian-vector products of dual tensors).
GRADGRAD, FWAD, EXTRA_SAMPLES = 'float64_gradgrad', 'float64_fwad', 3
ERRORS = 'errors'           # the id suffix of the error inputs
# Ops returning uninitialised memory: compare everything but the values.
UNINITIALISED = {'empty', 'empty_like', 'new_empty', 'new_empty_strided', 'empty_strided',
                 'empty_permuted', 'resize_', 'resize_as_'}


def op_db():
    from torch.testing._internal.common_methods_invocations import op_db
    return op_db


@dataclass
class Variant:
    op: object                  # the OpInfo
    kind: str                   # function | method | inplace
    api: str                    # what faketorch must have: torch.add, Tensor.add, Tensor.add_
    make: object                # make(mod) -> callable(input, *args, **kwargs)

    def case_id(self, dtype):
        name = 'opinfo'
        if self.op.variant_test_name:
            name += '_' + self.op.variant_test_name
        if self.kind == 'inplace' and not self.api.endswith('_'):
            name += '_inplace'                  # F.relu(inplace=True) and friends
        return f'{self.api}::{name}_{dtype}'


def op_key(op):
    """'max.reduction_with_dim': an OpInfo's name, unique in op_db."""
    return op.name + ('.' + op.variant_test_name if op.variant_test_name else '')


def resolve(mod, dotted):
    for part in dotted.split('.'):
        mod = getattr(mod, part, None)
        if mod is None:
            return None
    return mod


def _method_call(name):
    return lambda mod: lambda x, *a, **k: getattr(x, name)(*a, **k)


def _function_call(name):
    return lambda mod: resolve(mod, name)


def _seeded(mod):
    def wrapper_set_seed(op, *args, **kwargs):   # torch's helper seeds 42 around the call
        seed(mod, 42)
        return op(*args, **kwargs)
    return wrapper_set_seed


@functools.lru_cache(maxsize=None)
def _rebound(fn, mod):
    """fn with its globals `torch` and `wrapper_set_seed` pointing at mod."""
    env = dict(fn.__globals__, torch=mod, wrapper_set_seed=_seeded(mod))
    new = types.FunctionType(fn.__code__, env, fn.__name__, fn.__defaults__, fn.__closure__)
    new.__kwdefaults__ = fn.__kwdefaults__
    return new


def _rebindable(fn):
    if not isinstance(fn, types.FunctionType):
        return False
    names = inspect.getclosurevars(fn)
    return set(names.globals) <= {'torch', 'wrapper_set_seed'} and not any(
        callable(v) or isinstance(v, types.ModuleType) for v in names.nonlocals.values())


def variants(op, torch):
    """The variants of op the driver can run, and notes on those it cannot."""
    name, found, notes = op.name, [], []
    if name.startswith('sparse.'):
        return [], ['sparse layouts are not driven']
    fn = resolve(torch, name)
    # where the op a lambda wraps lives: torch.where, Tensor.view, Tensor.cauchy_
    home = next((api for api in ('torch.' + name, 'Tensor.' + name, 'Tensor.' + name + '_')
                 if has(torch, api)), 'torch.' + name)

    if fn is not None and op.op is fn:
        found.append(Variant(op, 'function', 'torch.' + name, _function_call(name)))
    elif _rebindable(op.op):                    # lambda x: x.view(...), torch.where(...) ...
        found.append(Variant(op, 'function', home, lambda mod, f=op.op: _rebound(f, mod)))
    elif getattr(torch.Tensor, getattr(op.op, '__name__', ''), None) is op.op:   # Tensor.__radd__
        api = 'Tensor.' + op.op.__name__      # called unbound, as op.op is: Tensor.__radd__(2, t) raises
        found.append(Variant(op, 'function', api, lambda mod, attr=op.op.__name__: getattr(mod.Tensor, attr)))
    else:
        notes.append(f'function is a {type(op.op).__name__}')

    for kind, f in (('method', op.method_variant), ('inplace', op.inplace_variant)):
        if f is None:
            continue
        attr = getattr(f, '__name__', '')
        if attr and getattr(torch.Tensor, attr, None) is f:                  # Tensor.add, Tensor.add_
            api = 'Tensor.' + attr
            if all(v.api != api for v in found):
                found.append(Variant(op, kind, api, _method_call(attr)))
        elif isinstance(f, functools.partial) and fn is not None and f.func is fn:  # F.mish(inplace=True)
            found.append(Variant(op, kind, home,
                                 lambda mod, f=f: functools.partial(resolve(mod, name), *f.args, **f.keywords)))
        elif _rebindable(f):
            api = 'Tensor.' + name if kind == 'method' else home
            found.append(Variant(op, kind, api, lambda mod, f=f: _rebound(f, mod)))
        else:
            notes.append(f'{kind} is a {type(f).__name__}')
    return found, notes


def dtypes_of(op, torch, dtypes=DTYPES):
    try:
        supported = op.supported_dtypes('cpu')
    except Exception:
        return []
    return [d for d in dtypes if getattr(torch, d) in supported]


@dataclass
class Plan:
    """What the driver will run for one OpInfo (cheap: no samples yet)."""
    op: object
    variants: list
    dtypes: list
    notes: list
    errors: bool = False        # the op has error inputs on the CPU

    @property
    def ids(self):
        ids = [v.case_id(d) for v in self.variants for d in self.dtypes]
        ids += [v.case_id(kind) for kind, v in self.extra_variants()]
        v = self.errors_variant()
        return ids + [v.case_id(ERRORS)] if v else ids

    def errors_variant(self):
        """The function variant, run on the error inputs (as torch's test_errors calls op.op)."""
        return next((v for v in self.variants if v.kind == 'function'), None) if self.errors else None

    def extra_variants(self):
        """(GRADGRAD or FWAD, the variant run for it: the function, else the first) for what the op supports."""
        usable = [v for v in self.variants if v.kind != 'inplace']
        v = next((v for v in usable if v.kind == 'function'), usable[0] if usable else None)
        if v is None or 'float64' not in self.dtypes or not self.op.supports_autograd:
            return []
        return [(kind, v) for kind, ok in ((GRADGRAD, self.op.supports_gradgrad), (FWAD, self.op.supports_forward_ad))
                if ok]


def plans(torch, filter=None, dtypes=DTYPES):
    out = []
    for op in op_db():
        vs, notes = variants(op, torch)
        dts = dtypes_of(op, torch, dtypes)
        if filter:
            vs = [v for v in vs if any(filter in v.case_id(d) for d in dts + [GRADGRAD, FWAD, ERRORS])]
            if not vs:
                continue
        out.append(Plan(op, vs, dts, notes, has_error_inputs(op)))
    return out


def has_error_inputs(op):
    if op.error_inputs_func is None:
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            return next(iter(op.error_inputs_func(op, 'cpu')), None) is not None
    except Exception:
        return True                 # reported as broken when run


# ---------------------------------------------------------- inputs, in both libraries

class _T:
    """A tensor, library-neutral: NumPy values + dtype name + requires_grad."""
    __slots__ = ('array', 'dtype', 'requires_grad')

    def __init__(self, t):
        self.dtype = str(t.dtype).split('.')[-1]
        self.requires_grad = t.requires_grad        # read before the detach below
        t = t.detach().resolve_conj().resolve_neg().cpu()
        if self.dtype in ('bfloat16', 'complex32'):     # NumPy lacks these: their exact values, widened
            t = t.float() if self.dtype == 'bfloat16' else t.cfloat()
        self.array = t.numpy().copy()


class _Attr:
    """A torch attribute by name: dtypes, layouts, memory formats."""
    __slots__ = ('name',)

    def __init__(self, name):
        self.name = name


class _Module:
    """A stateless nn module (e.g. a distance_function argument), rebuilt in each library from its
    class name and the constructor arguments it keeps as attributes."""
    __slots__ = ('name', 'kwargs')

    def __init__(self, m):
        self.name = type(m).__name__
        params = inspect.signature(type(m).__init__).parameters
        self.kwargs = {k: v for k, v in vars(m).items() if k in params}


class _View:
    """A tensor sharing memory with another one of its sample, or overlapping itself (an expanded `out=`,
    an `out=` that is the input): rebuilt as a view of its storage, so that aliasing checks see it."""
    __slots__ = ('storage', 'size', 'stride', 'offset', 'requires_grad')

    def __init__(self, t, storage):
        self.storage, self.requires_grad = storage, t.requires_grad
        self.size, self.stride, self.offset = tuple(t.shape), t.stride(), t.storage_offset()


def _storage_key(t):
    return t.untyped_storage().data_ptr(), t.dtype


def aliasing(parts, torch):
    """A `tensor` for neutral(): the tensors of parts (one sample) that alias another or are not plain
    (contiguous over their whole storage) become _Views of one shared storage each."""
    def flat(x):
        if isinstance(x, torch.Tensor):
            return [x] if x.layout == torch.strided and x.device.type != 'meta' else []
        if isinstance(x, (list, tuple)):
            return [t for v in x for t in flat(v)]
        return [t for v in x.values() for t in flat(v)] if isinstance(x, dict) else []
    uses = {}
    for t in flat(parts):
        uses[_storage_key(t)] = uses.get(_storage_key(t), 0) + 1
    storages, seen = {}, {}

    def tensor(t):
        key = _storage_key(t) if t.layout == torch.strided and t.device.type != 'meta' else None
        n = t.untyped_storage().nbytes() // t.element_size() if key else 0
        if key is None or uses[key] == 1 and t.is_contiguous() and t.storage_offset() == 0 and t.numel() == n:
            return _T(t)
        if key not in storages:
            storages[key] = _T(t.detach().as_strided((n,), (1,), 0))
            storages[key].requires_grad = False
        if id(t) not in seen:           # the same tensor twice (cat((x, y), out=x)) is one tensor again
            seen[id(t)] = _View(t, storages[key])
        return seen[id(t)]
    return tensor


def neutral(x, torch, tensor=_T):
    if isinstance(x, torch.Tensor):
        return tensor(x)
    if isinstance(x, torch.nn.Module) and not any(True for _ in x.parameters()) \
            and not any(True for _ in x.buffers()):
        return _Module(x)
    if isinstance(x, (torch.dtype, torch.layout, torch.memory_format)):
        return _Attr(str(x).split('.')[-1])
    if isinstance(x, torch.device):
        return ('__device__', str(x))
    if isinstance(x, torch.Size):
        return ('__size__', tuple(x))
    if isinstance(x, (list, tuple)) and type(x) in (list, tuple):
        return type(x)(neutral(v, torch, tensor) for v in x)
    if isinstance(x, dict):
        return {k: neutral(v, torch, tensor) for k, v in x.items()}
    return x


def build(x, mod, grad, leaves, memo=None):
    """The neutral structure x as mod's objects; tensors needing grad go to leaves."""
    if isinstance(x, _T):
        rg = grad and x.requires_grad
        t = mod.tensor(x.array, dtype=getattr(mod, x.dtype), requires_grad=rg)
        if rg:
            leaves.append(t)
        return t
    if isinstance(x, _View):        # one base per storage and one view per _View, in memo
        if id(x) not in memo:
            if id(x.storage) not in memo:
                memo[id(x.storage)] = build(x.storage, mod, False, leaves)
            t = memo[id(x.storage)].as_strided(x.size, x.stride, x.offset)
            memo[id(x)] = t.requires_grad_() if grad and x.requires_grad else t
        return memo[id(x)]
    if isinstance(x, _Attr):
        return getattr(mod, x.name)
    if isinstance(x, _Module):
        return getattr(mod.nn, x.name)(**x.kwargs)
    if isinstance(x, tuple) and len(x) == 2 and x[0] == '__device__':
        return mod.device(x[1])
    if isinstance(x, tuple) and len(x) == 2 and x[0] == '__size__':
        return mod.Size(x[1])
    if isinstance(x, (list, tuple)):
        return type(x)(build(v, mod, grad, leaves, memo) for v in x)
    if isinstance(x, dict):
        return {k: build(v, mod, grad, leaves, memo) for k, v in x.items()}
    return x


def _flat_tensors(x):
    if is_tensor(x):
        return [x]
    if isinstance(x, (list, tuple)):
        return [t for v in x for t in _flat_tensors(v)]
    return []


def _grad_seed(shape, dtype, k):
    """The same deterministic, irregular grad_output in both libraries."""
    n = int(np.prod(shape))
    dtype = {'bfloat16': 'float32', 'complex32': 'complex64'}.get(dtype, dtype)   # NumPy lacks these
    a = np.arange(1, n + 1) * 1.3 + k
    g = np.cos(a) + 1j * np.sin(a) if np.dtype(dtype).kind == 'c' else np.cos(a)
    return g.reshape(shape).astype(dtype)


# ---------------------------------------------------------- running

def run_sample(variant, sample, mod, grad):
    """One sample through one library: Side with node {'out': ..., 'grads': ...}."""
    inp, args, kwargs = sample
    leaves = []
    items = []
    try:
        x = build(inp, mod, grad, leaves)
        a = build(args, mod, grad, leaves)
        k = build(kwargs, mod, grad, leaves)
        call = variant.make(mod)
        seed(mod)
        out = call(x, *a, **k)
        items.append(("'out'", normalize((out, x) if variant.kind == 'inplace' else out)))
    except KeyboardInterrupt:
        raise
    except BaseException as e:
        return Side({'kind': 'dict', 'type': 'sample', 'items': [("'out'", raised(e))]})
    if leaves:
        items.append(("'grads'", _grads(out, leaves, mod)))
    return Side({'kind': 'dict', 'type': 'sample', 'items': items})


def run_gradgrad(variant, sample, mod):
    """Second derivatives of one sample: the gradient of <dL/dinputs, w> (L = <out, g>) with respect to
    the inputs and the grad_outputs g, computed with create_graph; None (unused) taken as zeros."""
    inp, args, kwargs = sample
    leaves = []
    try:
        x = build(inp, mod, True, leaves)
        a = build(args, mod, True, leaves)
        k = build(kwargs, mod, True, leaves)
        seed(mod)
        out = variant.make(mod)(x, *a, **k)
        outs = [t for t in _flat_tensors(out) if t.requires_grad]
        if not outs or not leaves:
            return Side({'kind': 'dict', 'type': 'sample', 'items': [("'gradgrad'", normalize(None))]})
        gs = [mod.tensor(_grad_seed(tuple(o.shape), 'float64', i), dtype=o.dtype, requires_grad=True)
              for i, o in enumerate(outs)]
        first = mod.autograd.grad(outs, leaves, gs, create_graph=True, allow_unused=True)
        terms = [(f * mod.tensor(_grad_seed(tuple(f.shape), 'float64', 7 + j), dtype=f.dtype)).sum()
                 for j, f in enumerate(first) if f is not None and f.requires_grad]
        wrt = leaves + gs
        second = mod.autograd.grad(sum(terms[1:], terms[0]), wrt, allow_unused=True) if terms else [None] * len(wrt)
        result = normalize([s if s is not None else mod.zeros_like(w) for s, w in zip(second, wrt)])
    except KeyboardInterrupt:
        raise
    except BaseException as e:
        result = raised(e)
    return Side({'kind': 'dict', 'type': 'sample', 'items': [("'gradgrad'", result)]})


def run_fwad(variant, sample, mod):
    """Forward-mode AD of one sample: the tangents of the outputs, the differentiable inputs made dual
    tensors with fixed tangents."""
    import importlib
    fw = importlib.import_module(mod.__name__ + '.autograd.forward_ad')
    inp, args, kwargs = sample
    leaves = []
    try:
        with fw.dual_level():
            x = build(inp, mod, True, leaves)
            a = build(args, mod, True, leaves)
            k = build(kwargs, mod, True, leaves)
            duals = {id(t): fw.make_dual(t.detach(), mod.tensor(_grad_seed(tuple(t.shape), 'float64', 11 + i),
                                                                dtype=t.dtype))
                     for i, t in enumerate(leaves)}
            x, a, k = (_swap(v, duals, mod) for v in (x, a, k))
            seed(mod)
            out = variant.make(mod)(x, *a, **k)
            result = normalize([fw.unpack_dual(o).tangent for o in _flat_tensors(out)])
    except KeyboardInterrupt:
        raise
    except BaseException as e:
        result = raised(e)
    return Side({'kind': 'dict', 'type': 'sample', 'items': [("'fwad'", result)]})


def _swap(x, table, mod):
    if isinstance(x, mod.Tensor):
        return table.get(id(x), x)
    if isinstance(x, (list, tuple)):
        return type(x)(_swap(v, table, mod) for v in x)
    if isinstance(x, dict):
        return {k: _swap(v, table, mod) for k, v in x.items()}
    return x


def _grads(out, leaves, mod):
    try:
        outs = [t for t in _flat_tensors(out) if t.requires_grad]
        if not outs:
            return normalize(None)
        gs = [mod.tensor(_grad_seed(tuple(o.shape), str(o.dtype).split('.')[-1], i), dtype=o.dtype)
              for i, o in enumerate(outs)]
        if len(outs) == 1:
            outs[0].backward(gs[0])
        else:
            mod.autograd.backward(outs, gs)
        return normalize([t.grad for t in leaves])
    except KeyboardInterrupt:
        raise
    except BaseException as e:
        return raised(e)


def samples_for(op, dtype, torch, max_samples):
    """Up to max_samples neutral (input, args, kwargs) triples; seeded, so stable."""
    dt = getattr(torch, dtype)
    # float32/float64 as before; the other dtypes where the OpInfo lists backward for them on CPU
    grad = op.supports_autograd and (dtype in ('float32', 'float64') or dt in op.supported_backward_dtypes('cpu'))
    seed(torch)
    # op.sample_inputs() wraps this in a tracker that calls inspect.stack() per sample: slow.
    gen = op.sample_inputs_func(op, 'cpu', dt, grad)
    return [(neutral(s.input, torch), neutral(tuple(s.args), torch), neutral(dict(s.kwargs), torch))
            for s in itertools.islice(gen, max_samples)]


def error_samples(op, torch):
    """Neutral (input, args, kwargs) of every error input of op on the CPU (error_inputs_sparse is not
    driven); a string (why) for one NumPy cannot hold (meta tensors, more than 64 dimensions)."""
    seed(torch)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        errs = list(op.error_inputs_func(op, 'cpu'))
    out = []
    for e in errs:
        s = e.sample_input
        parts = (s.input, tuple(s.args), dict(s.kwargs))
        try:
            tensor = aliasing(parts, torch)
            out.append(tuple(neutral(p, torch, tensor) for p in parts))
        except Exception as exc:
            out.append(f'{type(exc).__name__}: {exc}')
    return out


def run_error(variant, sample, mod):
    """One error input through one library: the exception it raised (or what it returned)."""
    memo = {}
    try:
        x, a, k = (build(p, mod, True, [], memo) for p in sample)   # requires_grad as torch's sample has it
        call = variant.make(mod)
        seed(mod)
        node = normalize(call(x, *a, **k))
    except KeyboardInterrupt:
        raise
    except BaseException as e:
        node = raised(e)
    return Side({'kind': 'dict', 'type': 'sample', 'items': [("'error'", node)]})


def _run_errors(v, ref, impl, impl_name):
    """The errors id: every error input torch rejects must raise the same in faketorch. Inputs that cannot
    be rebuilt, and those torch runs without an error (some hold only on other devices), are left out;
    torch's op returning NotImplemented counts as an error, as in its test_errors."""
    cid, tag = v.case_id(ERRORS), {'op': op_key(v.op)}
    try:
        samples = error_samples(v.op, ref)
    except Exception as e:
        return Outcome(cid, v.api, 'broken', f'error_inputs raised {type(e).__name__}: {e}', 'opinfo', extra=tag)
    spent, skipped = [0.0, 0.0], []
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for n, s in enumerate(samples):
            if isinstance(s, str):
                skipped.append(n)
                continue
            r = _timed(run_error, spent, 0, v, s, ref)
            node = r.node['items'][0][1]
            if node['kind'] != 'raise' and node.get('text') != 'NotImplemented':
                skipped.append(n)
                continue
            i = _timed(run_error, spent, 1, v, s, impl)
            status, diff = classify(r, i, impl_name, None, f'error{n}')
            if status != 'pass':
                return Outcome(cid, v.api, status, diff, 'opinfo', seconds=tuple(spent),
                               ref=describe(node), impl=describe(i.node['items'][0][1]), extra={**tag, 'sample': n})
    return Outcome(cid, v.api, 'pass', '', 'opinfo', seconds=tuple(spent),
                   extra={**tag, 'samples': len(samples) - len(skipped), 'skipped': skipped})


def has(mod, target):
    try:
        if target.startswith('Tensor.'):
            return hasattr(mod.Tensor, target[len('Tensor.'):])
        return resolve(mod, target[len('torch.'):]) is not None
    except Exception:
        return False


def run_plan(plan, ref, impl, max_samples=MAX_SAMPLES, filter=None):
    """Outcomes for every id of one OpInfo (only those containing `filter`, when given)."""
    impl_name = impl.__name__.split('.')[0]
    outcomes, present, tag = [], [], {'op': op_key(plan.op)}
    for v in plan.variants:
        if has(impl, v.api):
            present.append(v)
        else:
            why = f'{impl_name} has no {v.api}'
            if getattr(impl, 'import_error', None):
                why += f' (import failed: {impl.import_error})'
            outcomes += [Outcome(v.case_id(d), v.api, 'missing', why, 'opinfo', extra=tag)
                         for d in plan.dtypes + ([ERRORS] if v is plan.errors_variant() else [])]
    opts = {'values': plan.op.name not in UNINITIALISED}
    wanted = lambda cid: not filter or filter in cid    # noqa: E731
    for dtype in plan.dtypes if present else ():
        extra = [(kind, v) for kind, v in plan.extra_variants() if dtype == 'float64' and v in present
                 and wanted(v.case_id(kind))]
        run = [v for v in present if wanted(v.case_id(dtype))]
        if not run and not extra:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                samples = samples_for(plan.op, dtype, ref, max_samples)
        except Exception as e:
            outcomes += [Outcome(v.case_id(dtype), v.api, 'broken',
                                 f'sample_inputs raised {type(e).__name__}: {e}', 'opinfo', extra=tag)
                         for v in run]
            continue
        for v in run:
            outcomes.append(_run_variant(v, dtype, samples, ref, impl, impl_name, opts))
        for kind, v in extra:
            outcomes.append(_run_variant(v, kind, samples[:EXTRA_SAMPLES], ref, impl, impl_name, opts,
                                         run=run_gradgrad if kind == GRADGRAD else run_fwad))
    v = plan.errors_variant()
    # (on a GPU, torch's index errors are device-side asserts that end the process's CUDA context)
    if v in present and wanted(v.case_id(ERRORS)) and DEVICE[0] in (None, 'cpu'):
        outcomes.append(_run_errors(v, ref, impl, impl_name))
    order = {i: n for n, i in enumerate(plan.ids)}
    return sorted(outcomes, key=lambda o: order.get(o.id, 0))


def _run_variant(v, dtype, samples, ref, impl, impl_name, opts, run=None):
    grad, spent = v.kind != 'inplace', [0.0, 0.0]
    args = () if run else (grad,)
    run = run or run_sample
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for n, s in enumerate(samples):
            r = _timed(run, spent, 0, v, s, ref, *args)
            i = _timed(run, spent, 1, v, s, impl, *args)
            gap = _missing(r.node, i.node, impl_name)
            status, diff = ('missing', gap) if gap else classify(r, i, impl_name, opts, f'sample{n}')
            if status != 'pass':
                return Outcome(v.case_id(dtype), v.api, status, diff, 'opinfo', seconds=tuple(spent),
                               ref=describe(r.node['items'][0][1]), impl=describe(i.node['items'][0][1]),
                               extra={'op': op_key(v.op), 'sample': n})
    return Outcome(v.case_id(dtype), v.api, 'pass', '', 'opinfo', seconds=tuple(spent),
                   extra={'op': op_key(v.op), 'samples': len(samples)})


def _timed(f, spent, k, *args):
    start = time.perf_counter()
    try:
        return f(*args)
    finally:
        spent[k] += time.perf_counter() - start


def _missing(ref, impl, impl_name):
    """The message of an impl exception (output or gradients) that says it lacks something."""
    theirs = dict(ref['items'])
    for key, node in impl['items']:
        if looks_missing(node, impl_name) and not same_raise(theirs.get(key), node):
            return f"{node['type']}: {node['message']}"
    return None


def run_all(ref, impl, filter=None, max_samples=MAX_SAMPLES, dtypes=DTYPES, progress=None):
    """(outcomes, plans) for the whole op_db."""
    ps = plans(ref, filter, dtypes)
    outcomes = []
    for n, p in enumerate(ps, 1):
        outcomes += [o for o in run_plan(p, ref, impl, max_samples, filter) if not filter or filter in o.id]
        if progress and (n % 100 == 0 or n == len(ps)):
            progress(f'opinfo: {n}/{len(ps)} ops, ' + counts_text(outcomes))
    return outcomes, ps
