"""Differences found writing the newer scripts in examples/ (gnn_func, tabular ...) and the probe scripts
run beside them (tutorial idioms under `python -m compat diff`): one case per rule, each the same small
program on both libraries. Once-per-process warnings run in a fresh interpreter (_fresh_process)."""
import os
import subprocess
import sys

from conformance import case, check

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _fresh_process(torch, body):
    """Run `body` in a new interpreter (for once-per-process behaviour); return what it printed."""
    program = f"import warnings\nimport {torch.__name__} as torch\n{body}"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [_ROOT, os.environ.get('PYTHONPATH')])))
    out = subprocess.run([sys.executable, '-c', program], capture_output=True, text=True, env=env, timeout=120)
    return out.stdout + out.stderr[-2000:]


_SPARSE_WARNINGS = """
i, v = torch.tensor([[0, 1], [1, 0]]), torch.tensor([1., 2.])
def made(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        fn()
    print([str(m.message)[:45] for m in w])
"""


# gnn_func: torch.sparse_coo_tensor warns once per process that invariant checks are off, unless the
# global setting was chosen (enable/disable/the context manager); check_invariants=False is no choice
@case('torch.sparse_coo_tensor')
def implicit_invariants_warning_once(torch):
    return _fresh_process(torch, _SPARSE_WARNINGS + """
made(lambda: torch.sparse_coo_tensor(i, v, (2, 2), check_invariants=False))
made(lambda: torch.sparse_coo_tensor(i, v, (2, 2)))
made(lambda: torch.sparse_coo_tensor(size=(2, 2)))
print(torch.sparse.check_sparse_tensor_invariants.is_enabled())
""")


@case('torch.sparse.check_sparse_tensor_invariants')
def explicit_choice_silences(torch):
    return _fresh_process(torch, _SPARSE_WARNINGS + """
with torch.sparse.check_sparse_tensor_invariants(False):
    made(lambda: torch.sparse_coo_tensor(i, v, (2, 2)))
made(lambda: torch.sparse_coo_tensor(i, v, (2, 2)))
print(torch.sparse.check_sparse_tensor_invariants.is_enabled())
""")


_RECORD = """
def made(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        r = fn()
    print(r.tolist() if isinstance(r, torch.Tensor) else r, [str(m.message)[:60] + str(m.message)[-8:] for m in w])
"""


# tabular: bucketize / searchsorted copy a non-contiguous input, boundary or sorter tensor and warn,
# each message once per program; an empty input returns before the check, a scalar input is contiguous
@case('torch.searchsorted')
def non_contiguous_warnings_once(torch):
    return _fresh_process(torch, _RECORD + """
b, x = torch.tensor([-1.0, 0.0, 1.0]), torch.arange(12.).sub(6).view(4, 3)
made(lambda: torch.bucketize(x[0], b))
made(lambda: torch.bucketize(torch.ones(0, 2).t(), b))
made(lambda: torch.bucketize(x[:, 0], b))
made(lambda: torch.searchsorted(b, x[:, 1]))
made(lambda: torch.bucketize(0.5, torch.tensor([0., 9, 1])[::2]))
made(lambda: torch.searchsorted(torch.tensor([[1., 2], [3, 4]]).t(), torch.ones(2, 1)))
made(lambda: torch.searchsorted(torch.tensor([3., 1, 2]), x[1], sorter=torch.tensor([1, 9, 2, 9, 0, 9])[::2]))
""")


# probing scripts for examples/ (affine_grid in a spatial transformer, time series on a float grid):
# linspace computes its step in the output type and each value with one rounding (FMA), from start in
# the first half and from end in the second; an integer dtype truncates the bounds first
check('torch.linspace', lambda torch: [torch.linspace(s, e, n, dtype=dt) for dt in (torch.float32, torch.float64)
                                       for s, e, n in ((-1, 1, 4), (-3, 7.5, 37), (0.1, 9.7, 100), (2, -5, 77))],
      exact=True, name='fma_and_step_in_dtype')
check('torch.linspace', lambda torch: [torch.linspace(-3, 7.5, 37, dtype=torch.int64),
                                       torch.linspace(-3.7, 3.7, 5, dtype=torch.int32)],
      exact=True, name='int_truncates_bounds')
check('torch.nn.functional.affine_grid', lambda torch: torch.nn.functional.affine_grid(
    torch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]]), (1, 1, 4, 6), align_corners=False),
      exact=True, name='base_grid_from_linspace')
# arange: start + step * i in double with one rounding, in TensorIterator's vectorised loop (pairs of
# 32-byte vectors from their own rounded base, the rest element by element), chunked over the threads
# from 32768 elements
check('torch.arange', lambda torch: [torch.arange(s, e, st, dtype=dt) for dt in (torch.float32, torch.float64)
                                     for s, e, st in ((0.1, 9.7, 0.013), (-1, 1, 2 / 300), (0.3, 100.1, 0.3))],
      exact=True, name='fma_vectorised_loop')


@case('torch.arange')
def parallel_chunks(torch):
    threads = torch.get_num_threads()
    try:
        out = []
        for t in (1, 2, 3):
            torch.set_num_threads(t)
            out += [torch.arange(-3.3, -3.3 + 70001 * 0.0137, 0.0137, dtype=dt)[-40:] for dt in
                    (torch.float32, torch.float64)]
            out.append(torch.arange(-3.3, -3.3 + 70001 * 0.0137, 0.0137, dtype=torch.float64)[34990:35020])
        return out
    finally:
        torch.set_num_threads(threads)


# `model = torch.compile(model)`: torch wraps a Module in an OptimizedModule (state_dict keys gain the
# `_orig_mod.` prefix, attributes and train/eval pass through); functions and disable=True come back as is
@case('torch.compile')
def optimized_module(torch):
    nn = torch.nn
    m = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    cm = torch.compile(m)
    cm.eval()
    cm.tag = 'x'
    fn = lambda x: x
    err = None
    try:
        cm.load_state_dict(m.state_dict())
    except RuntimeError as e:
        err = str(e)
    return (type(cm).__name__, repr(cm), list(cm.state_dict()), [n for n, _ in cm.named_modules()],
            cm.training, m.training, m.tag, cm._orig_mod is m, cm.forward.__name__, cm(torch.ones(1, 2)).detach(),   # torch's grad_fn: CompiledFunctionBackward
            str(cm.load_state_dict(cm.state_dict())), err, torch.compile(fn)(3),
            torch.compile(m, disable=True) is m, type(torch.compile(mode='max-autotune')(m)).__name__)


# LSTM on the CPU runs oneDNN (grad_fn MkldnnRnnLayerBackward0) for float32 and bfloat16 input while
# torch.backends.mkldnn is enabled; with projections it warns once that it falls back
@case('torch.nn.LSTM')
def onednn_dispatch(torch):
    m = torch.nn.LSTM(3, 4)
    x = torch.randn(5, 2, 3)
    out = [m(x)[0].grad_fn.name()]
    with torch.backends.mkldnn.flags(enabled=False):
        out.append(m(x)[0].grad_fn.name())
    mb = torch.nn.LSTM(3, 4).bfloat16()
    xb = x.bfloat16()
    out.append(mb(xb)[0].grad_fn.name())
    try:
        mb(xb, (torch.zeros(1, 2, 4), torch.zeros(1, 2, 4)))
    except RuntimeError as e:
        out.append(str(e))
    return out


@case('torch.nn.LSTM')
def projections_warning_once(torch):
    return _fresh_process(torch, _RECORD + """
m = torch.nn.LSTM(3, 4, proj_size=2)
made(lambda: m.double()(torch.randn(5, 2, 3, dtype=torch.float64))[0].shape)
m.float()
made(lambda: m(torch.randn(5, 0, 3))[0].shape)
made(lambda: m(torch.nn.utils.rnn.pack_padded_sequence(torch.randn(5, 2, 3), [5, 3]))[0].data.shape)
made(lambda: m(torch.randn(5, 3))[0].shape)
made(lambda: m(torch.randn(5, 2, 3))[0].shape)
""")


# tensor, node and post-accumulate hooks return torch.utils.hooks.RemovableHandle and take ids from the
# counter module hooks use; a full backward hook's forward registers one node hook per side (ids move)
@case('Tensor.register_hook')
def handles_share_module_ids(torch):
    nn = torch.nn
    lin = nn.Linear(4, 2)
    t = torch.ones(2, requires_grad=True)
    y = t * 2
    y.retain_grad()                       # an internal hook: no id
    hs = [t.register_hook(lambda g: g), y.grad_fn.register_hook(lambda gi, go: None),
          y.grad_fn.register_prehook(lambda go: None), t.register_post_accumulate_grad_hook(lambda p: None),
          lin.register_full_backward_hook(lambda *a: None)]
    lin(torch.ones(1, 4, requires_grad=True)).sum().backward()
    lin(torch.ones(1, 4)).sum().backward()
    hs.append(lin.register_forward_pre_hook(lambda *a: None))
    with hs[0]:
        pass
    return [type(h).__name__ for h in hs], [b.id - hs[0].id for b in hs], list(lin._forward_pre_hooks) == [hs[-1].id]


def _refusals(torch, *fns):
    out = []
    for f in fns:
        try:
            out.append(f())
        except (NotImplementedError, RuntimeError) as e:
            out.append(f'{type(e).__name__}: {e}')
    return out


# rounding a complex tensor (found printing an FFT with .round(decimals=4)): torch refuses round, floor,
# ceil, trunc, frac and sign (pointing at sgn), and clamp in its own words or by the missing kernel
check('torch.round', lambda torch: _refusals(
    torch, *[(lambda f=f: f(torch.tensor([1.5 + 2.5j]))) for f in (
        torch.round, lambda z: z.round(decimals=2), lambda z: z.to(torch.complex128).round_(), torch.floor,
        torch.ceil, torch.trunc, torch.fix, torch.frac, torch.sign, lambda z: z.clone().floor_(),
        lambda z: torch.zeros(0, dtype=torch.complex64).sign())]), name='complex_refused')
check('torch.clamp', lambda torch: _refusals(
    torch, *[(lambda f=f: f(torch.tensor([1.5 + 2.5j]), torch.ones(1))) for f in (
        lambda z, o: torch.clamp(z, 0, 1), lambda z, o: torch.clamp(z, z), lambda z, o: torch.clamp(z, o, z),
        lambda z, o: torch.clamp(o, z, z), lambda z, o: torch.clamp(o, z), lambda z, o: torch.clamp(o, max=z),
        lambda z, o: torch.clamp(o, 1j), lambda z, o: torch.clamp_min(z, o), lambda z, o: torch.clamp_max(z, 0),
        lambda z, o: z.clone().clamp_min_(0), lambda z, o: z.clip(0, 1), lambda z, o: torch.clamp_max(z, z))]),
      name='complex_refused')


# np.array(tensor) in a script: torch's __array__ takes no copy= (nor __array_wrap__ context=), so
# NumPy 2 warns that it fell back; np.asarray and the stacking functions do not ask for a copy
@case('Tensor.__array__')
def numpy2_fallback_warnings(torch):
    import warnings
    import numpy as np
    t = torch.ones(2)
    out = []
    for f in (lambda: np.array(t), lambda: np.asarray(t), lambda: np.array(t, dtype=np.float64),
              lambda: np.asarray(t, copy=True), lambda: np.stack([t, t]), lambda: np.sin(t)):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            r = f()
        out.append((type(r).__name__, [(m.category.__name__, str(m.message)) for m in w]))
    return out


# the tutorial's polynomial fit (a + b x + c x**2 + d x**3): torch's floating pow kernel computes
# x**3 as x*x*x, x**-2 as 1/(x*x) and x**-0.5 as 1/sqrt(x), not with powf's rounding
check('torch.pow', lambda torch: [torch.linspace(0.1, 3.3, 997, dtype=dt) ** e for dt in (torch.float32, torch.float64)
                                  for e in (3, 3.0, -2, -0.5)], exact=True, name='multiply_exponents')
