"""Run cases on both libraries and classify the outcome.

Status of a case id:
  pass     both libraries agree
  fail     both ran and the results differ (``diff`` says where, torch first)
  missing  torch ran but faketorch lacks an attribute/module it needs
  broken   the case itself is wrong: torch raised NameError & co, or the
           driver could not build the inputs; fix the case, not faketorch
"""
import gc
import importlib
import multiprocessing
import io
import os
import re
import sys
import time
import types
import warnings
from contextlib import redirect_stdout
from dataclasses import dataclass, field

from .compare import compare, describe, normalize, raised, scrub, text_diff
from .registry import CASES, load_cases, namespace

DEFAULT_IMPL = 'faketorch'
ENV_IMPL = 'CONFORMANCE_IMPL'       # CONFORMANCE_IMPL=torch: self-test the instrument


@dataclass
class Side:
    node: dict                  # normalised result (or the exception raised)
    stdout: str = ''
    seconds: float = 0.0


@dataclass
class Outcome:
    id: str
    api: str
    status: str                 # pass | fail | missing | broken
    diff: str = ''
    source: str = 'case'        # case | opinfo
    ref: str = ''               # one-line summaries, kept for non-passing ids
    impl: str = ''
    seconds: tuple = (0.0, 0.0)
    extra: dict = field(default_factory=dict)

    @property
    def namespace(self):
        return namespace(self.api)


# ------------------------------------------------------------ the libraries

class Unimportable(types.ModuleType):
    """Stands in for an implementation that fails to import: every attribute raises."""

    def __init__(self, name, exc):
        super().__init__(name)
        self.import_error = f'{type(exc).__name__}: {exc}'

    def __getattr__(self, attr):
        if attr.startswith('__'):
            raise AttributeError(attr)
        raise ImportError(f'{self.__name__} failed to import ({self.import_error})')


def load_impl(name=None):
    """The library under test: faketorch, or $CONFORMANCE_IMPL (e.g. torch for a self-test)."""
    name = name or os.environ.get(ENV_IMPL) or DEFAULT_IMPL
    try:
        return importlib.import_module(name)
    except Exception as e:
        return Unimportable(name, e)


def load_ref():
    import torch
    # One thread: reductions sum in a fixed order, and no oversubscription beside other jobs.
    torch.set_num_threads(1)
    return torch


def _try(f, *args):
    try:
        return f(*args)
    except Exception:
        return None


def _save_state(mod):
    return (_try(lambda: mod.get_default_dtype()), _try(lambda: mod.is_grad_enabled()))


DEVICE = [None]     # --device: the default device of both libraries while a case runs


def use_device(mods, dev):
    """Make `dev` (e.g. 'cuda') the default device of every library: the cases, the OpInfo,
    ModuleInfo and OptimizerInfo inputs then run there unchanged."""
    DEVICE[0] = dev
    for mod in mods:
        mod.set_default_device(dev)
        # torch's cuDNN convolutions and RNNs default to TF32 (10-bit mantissa products) on Ampere and
        # later; faketorch computes in float32, so the comparison is with torch's float32 result
        _try(setattr, mod.backends.cudnn, 'allow_tf32', False)
    if str(dev).split(':')[0] == 'cuda':    # both draw torch's CPU stream: cases with random inputs compare
        os.environ['FAKETORCH_CUDA_RNG'] = 'cpu'
        for mod in mods:
            if mod.__name__ == 'torch':
                draw_on_cpu(mod)


# torch's random functions and in-place samplers: draw_on_cpu makes them draw on the CPU for CUDA tensors
_RANDOM_FACTORIES = ('rand', 'randn', 'randint', 'randperm', 'normal', 'bernoulli', 'multinomial', 'poisson',
                     'rand_like', 'randn_like', 'randint_like')
_RANDOM_SAMPLERS = ('uniform_', 'normal_', 'random_', 'bernoulli_', 'exponential_', 'cauchy_', 'log_normal_',
                    'geometric_')


def draw_on_cpu(torch, dev_type='cuda'):
    """Make torch's random functions and samplers on `dev_type` tensors draw torch's CPU stream and copy
    the numbers over, as faketorch does with FAKETORCH_CUDA_RNG=cpu: torch's CUDA Philox streams are out
    of faketorch's scope, and without this every case with random inputs differs on a GPU. Draws with an
    explicit generator or `out=`, and torch's fused kernels that draw inside (dropout), are left as they are."""
    for name in _RANDOM_FACTORIES:
        setattr(torch, name, _cpu_factory(torch, getattr(torch, name), dev_type))
    for name in _RANDOM_SAMPLERS:
        setattr(torch.Tensor, name, _cpu_sampler(torch, getattr(torch.Tensor, name), dev_type))


def _cpu_factory(torch, orig, dev_type):
    def f(*args, **kw):
        if kw.get('generator') is not None or kw.get('out') is not None:
            return orig(*args, **kw)
        tensors = [a for a in args if isinstance(a, torch.Tensor)]
        dev = torch.device(kw['device']) if kw.get('device') is not None else \
            tensors[0].device if tensors else torch.get_default_device()
        if dev.type != dev_type:
            return orig(*args, **kw)
        rg = kw.pop('requires_grad', False)
        if 'device' in kw or not tensors:
            kw['device'] = 'cpu'
        r = orig(*[a.cpu() if isinstance(a, torch.Tensor) else a for a in args], **kw).to(dev)
        return r.requires_grad_() if rg else r
    f.__name__ = orig.__name__
    return f


def _cpu_sampler(torch, orig, dev_type):
    def f(self, *args, **kw):
        if (self.device.type != dev_type or kw.get('generator') is not None or self.requires_grad
                and torch.is_grad_enabled() or any(st == 0 and n > 1 for st, n in zip(self.stride(), self.shape))):
            return orig(self, *args, **kw)       # torch's own checks and errors
        tmp = torch.empty_strided(self.size(), self.stride(), dtype=self.dtype, device='cpu')
        orig(tmp, *[a.cpu() if isinstance(a, torch.Tensor) else a for a in args], **kw)
        with torch.no_grad():
            self.copy_(tmp)
        return self
    f.__name__ = orig.__name__
    return f


FAKE_CUPY = os.path.join(os.path.dirname(__file__), 'fake_cupy')


def emulate_cuda(impl):
    """faketorch on the CuPy stand-in in fake_cupy/ (host memory), against torch on the CPU: checks
    faketorch's CUDA code path on a machine without a GPU. Call before faketorch first imports cupy."""
    from . import compare as _compare
    sys.path.insert(0, FAKE_CUPY)
    _compare.EMULATED[0] = True
    os.environ['FAKETORCH_CUDA_RNG'] = 'cpu'    # CUDA tensors draw torch's CPU stream: random inputs compare
    DEVICE[0] = None
    IMPL_DEVICE[0] = 'cuda'
    impl.set_default_device('cuda')


IMPL_DEVICE = [None]


class Poisoned(Exception):
    """torch's CUDA kernel hit a device-side assert (an index out of range, say): every later CUDA
    call in this process fails, so the run stops and is resumed in a fresh process."""


ASSERTED = 'torch on CUDA: device-side assert (its CPU error is an exception); the case cannot be compared'


def check_poison(mod, node):
    """Raise Poisoned if torch's CUDA context died during the side that produced `node`."""
    if DEVICE[0] is None or mod.__name__ != 'torch' or not mod.cuda.is_initialized():
        return
    if node.get('kind') == 'raise' and 'device-side assert' in node.get('message', ''):
        raise Poisoned()
    try:
        mod.cuda.synchronize()
    except Exception as e:
        if 'device-side assert' in str(e):
            raise Poisoned() from e


def _restore_state(mod, state):
    dtype, grad = state
    # a case may set its own default device or a CUDA default tensor type (on a machine with a GPU)
    want = DEVICE[0] if mod.__name__ == 'torch' else IMPL_DEVICE[0] or DEVICE[0]
    _try(lambda: mod.set_default_device(want))
    if want is None and _try(lambda: mod.empty(()).device.type) not in ('cpu', None):
        _try(lambda: mod.set_default_tensor_type(mod.FloatTensor))
    if dtype is not None:
        _try(mod.set_default_dtype, dtype)
    if grad is not None:
        _try(mod.set_grad_enabled, grad)
    _try(lambda: mod.set_printoptions(profile='default'))


def seed(mod, value=0):
    try:       # torch.manual_seed also seeds every accelerator, recording a stack trace: slow
        (mod.default_generator.manual_seed if mod.__name__ == 'torch' else mod.manual_seed)(value)
    except Exception:
        pass


def run_side(fn, mod):
    """fn(mod) with a fresh seed and global state restored after; never raises."""
    state = _save_state(mod)
    seed(mod)
    out = io.StringIO()
    start = time.perf_counter()
    try:
        with redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter('ignore')
            node = normalize(fn(mod))
    except KeyboardInterrupt:
        raise
    except BaseException as e:      # SystemExit, RecursionError ... are results too
        node = raised(e)
    finally:
        _restore_state(mod, state)
        if multiprocessing.active_children():   # DataLoader workers: reap them here, not
            gc.collect()                         # in the next case's forked children
    check_poison(mod, node)
    return Side(node, scrub(out.getvalue()), time.perf_counter() - start)


# ------------------------------------------------------------ classification

_CASE_BUGS = {'NameError', 'UnboundLocalError', 'SyntaxError', 'ImportError', 'ModuleNotFoundError'}
_NO_ATTR = re.compile(r"^(?:module '([\w.]+)'|'(\w+)' object|type object '(\w+)') has no attribute '(\w+)'")
_PLAIN_TYPES = {'NoneType', 'int', 'float', 'bool', 'str', 'list', 'tuple', 'dict', 'set',
                'function', 'method', 'ndarray', 'generator'}


def looks_missing(node, impl_name):
    """Does this exception say the implementation lacks something torch has?"""
    if node['kind'] != 'raise':
        return False
    kind, msg = node['type'], node['message']
    if kind == 'NotImplementedError':
        return True
    if kind in ('ImportError', 'ModuleNotFoundError'):
        return impl_name in msg
    if kind == 'AttributeError':
        m = _NO_ATTR.match(msg)
        if not m:
            return False
        module, obj, cls, _ = m.groups()
        if module is not None:
            return module.split('.')[0] == impl_name
        return (obj or cls) not in _PLAIN_TYPES
    return False


def case_bug(node):
    """A torch-side exception that means the case is wrong, not the library."""
    if node['kind'] != 'raise':
        return False
    return node['type'] in _CASE_BUGS or bool(
        node['type'] == 'AttributeError' and re.match(r"module 'torch[\w.]*' has no attribute", node['message']))


def same_raise(a, b):
    return bool(a and b and a['kind'] == b['kind'] == 'raise'
                and (a['type'], a['message']) == (b['type'], b['message']))


def classify(ref, impl, impl_name, opts=None, path='result'):
    """(status, diff) for two Sides."""
    if case_bug(ref.node):
        return 'broken', f'case error on torch: {describe(ref.node)}'
    if looks_missing(impl.node, impl_name) and not same_raise(ref.node, impl.node):
        return 'missing', f"{impl.node['type']}: {impl.node['message']}"
    diff = compare(ref.node, impl.node, path, **(opts or {})) \
        or text_diff(ref.stdout, impl.stdout, 'stdout', 'stdout')
    return ('fail', diff) if diff else ('pass', '')


def run_case(case, ref, impl):
    opts = dict(case.opts)
    r = run_side(case.fn, ref)
    vecmath = getattr(impl, '_vecmath', None) if opts.pop('exact_float32', False) else None
    saved = vecmath and vecmath.exact[0]
    if vecmath:
        vecmath.exact[0] = True         # FAKETORCH_EXACT_FLOAT32=1 for this case
    try:
        i = run_side(case.fn, impl)
    finally:
        if vecmath:
            vecmath.exact[0] = saved
    status, diff = classify(r, i, impl.__name__.split('.')[0], opts)
    out = Outcome(case.id, case.api, status, diff, 'case', seconds=(r.seconds, i.seconds))
    if status != 'pass':
        out.ref, out.impl = describe(r.node), describe(i.node)
    return out


# ------------------------------------------------------------ whole runs

def selected_cases(filter=None):
    """All registered cases (importing conformance/cases), plus broken modules as outcomes."""
    failed = load_cases()
    broken = [Outcome(f'cases.{mod}::import', f'cases.{mod}', 'broken', err)
              for mod, err in failed.items()]
    cases = [c for c in CASES.values() if not filter or filter in c.id]
    return cases, [b for b in broken if not filter or filter in b.id]


JOURNAL = [None]    # --journal FILE: outcomes so far, one pickle per case, to resume a run from


def _journal():
    import pickle
    done = {}
    if JOURNAL[0] and os.path.exists(JOURNAL[0]):
        with open(JOURNAL[0], 'rb') as f:
            while True:
                try:
                    o = pickle.load(f)
                except EOFError:
                    break
                done[o.id] = o
    return done


def _record(o):
    if JOURNAL[0]:
        import pickle
        with open(JOURNAL[0], 'ab') as f:
            pickle.dump(o, f)
    return o


# cases whose torch side is known to hit a device-side assert on CUDA: each would cost a fresh process
CUDA_ASSERTS = os.path.join(os.path.dirname(__file__), 'cuda_asserts.txt')


def run_cases(cases, ref, impl, progress=None):
    outcomes, by_area, done = [], {}, _journal()
    if DEVICE[0] == 'cuda':
        done.update((i, Outcome(i, i.split('::')[0], 'fail', ASSERTED, 'case')) for i in read_expected(CUDA_ASSERTS))
    for c in cases:
        by_area.setdefault(c.area or '-', []).append(c)
    for area, group in by_area.items():
        for c in group:
            if c.id in done:
                outcomes.append(done[c.id])
                continue
            try:
                o = run_case(c, ref, impl)
            except Poisoned:
                _record(Outcome(c.id, c.api, 'fail', ASSERTED, 'case'))
                with open(CUDA_ASSERTS, 'a') as f:
                    f.write(c.id + '\n')
                print(f'device-side assert in {c.id}', file=sys.stderr, flush=True)
                raise
            outcomes.append(_record(o))
        if progress:
            progress(f'cases/{area}: {len(group)} cases, ' + counts_text(outcomes[-len(group):]))
    return outcomes


def counts(outcomes):
    c = {'pass': 0, 'fail': 0, 'missing': 0, 'broken': 0}
    for o in outcomes:
        c[o.status] += 1
    return c


def counts_text(outcomes):
    return ' '.join(f'{k} {v}' for k, v in counts(outcomes).items() if v)


# ------------------------------------------------------------ expected passes

EXPECTED = os.path.join(os.path.dirname(__file__), 'expected_pass.txt')
# what passes with --emulated-cuda (faketorch on the CuPy stand-in); tests/test_cuda_emulated.py
EXPECTED_EMULATED = os.path.join(os.path.dirname(__file__), 'expected_pass_emulated_cuda.txt')


def read_expected(path=EXPECTED):
    try:
        with open(path) as f:
            return {line.strip() for line in f if line.strip() and not line.startswith('#')}
    except FileNotFoundError:
        return set()


def update_expected(outcomes, path=EXPECTED, prune=False):
    """Ids that ran are listed iff they pass now; ids that did not run keep their entry, unless
    `prune` (a full run: an id that did not run no longer exists)."""
    ran = {o.id for o in outcomes}
    keep = set() if prune else {i for i in read_expected(path) if i not in ran}
    new = keep | {o.id for o in outcomes if o.status == 'pass'}
    with open(path, 'w') as f:
        f.writelines(i + '\n' for i in sorted(new))
    return new


def stderr_progress(msg):
    print(msg, file=sys.stderr, flush=True)
