"""Tensor printing: repr()/str() of faketorch tensors against real torch, character for character.

Every case feeds the same NumPy array to both libraries; `check` is the one-line oracle.
"""
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from faketorch import _dtype as D                      # noqa: E402
from faketorch import _tensor_str as S                 # noqa: E402
from faketorch._device import device as fdevice        # noqa: E402
from faketorch._tensor import Tensor as FTensor, _wrap  # noqa: E402


@pytest.fixture(autouse=True)
def _reset_options():
    yield
    torch.set_printoptions(profile="default")
    S.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)
    D.set_default_dtype(D.float32)


def both_options(**kw):
    torch.set_printoptions(**kw)
    S.set_printoptions(**kw)


def check(arr, **opts):
    """repr and str of the array as a faketorch tensor equal real torch's."""
    if opts:
        both_options(**opts)
    arr = np.asarray(arr)
    want = repr(torch.tensor(arr))
    got = repr(_wrap(arr))
    assert got == want, f"\n--- faketorch\n{got}\n--- torch\n{want}"
    assert str(_wrap(arr)) == str(torch.tensor(arr))


# --- inputs ----------------------------------------------------------------------------------

RNG = np.random.default_rng(1234)

FLOATS = {
    "normal": lambda n: RNG.standard_normal(n),
    "int_valued": lambda n: RNG.integers(-50, 50, n).astype(float),
    "big_ints": lambda n: RNG.integers(-10**12, 10**12, n).astype(float),
    "huge": lambda n: RNG.standard_normal(n) * 10.0 ** RNG.integers(9, 300, n),
    "tiny": lambda n: RNG.standard_normal(n) * 10.0 ** -RNG.integers(5, 300, n),
    "subnormal": lambda n: RNG.standard_normal(n) * 1e-310,
    "mixed": lambda n: RNG.standard_normal(n) * 10.0 ** RNG.integers(-6, 7, n),
    "ratio_edge": lambda n: np.resize([1.0, 1000.0, 0.5], n),
    "near_1e8": lambda n: np.resize([1e8, 99999999.0, 12345678.9], n),
    "near_1e-4": lambda n: np.resize([1e-4, 0.0001001, 0.05], n),
    "rounding": lambda n: np.resize([9.99995, -9.99996, 0.00005, 99999.99999], n),
    "special": lambda n: np.resize([np.nan, np.inf, -np.inf, -0.0, 0.0, 1.5, -2.0], n),
    "int_special": lambda n: np.resize([np.nan, -np.inf, -0.0, 3.0, -12.0], n),
    "all_zero": lambda n: np.zeros(n),
    "neg_zero": lambda n: np.full(n, -0.0),
    "all_nan": lambda n: np.full(n, np.nan),
}
FLOAT_DTYPES = [np.float16, np.float32, np.float64]
INT_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
SHAPES = [(), (1,), (5,), (3, 4), (2, 3, 4), (2, 2, 2, 2), (1, 1, 7), (20,), (4, 25)]


def _floats(kind, shape, dtype):
    n = int(np.prod(shape))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return FLOATS[kind](n).astype(dtype).reshape(shape)


def _ints(dtype, shape):
    info = np.iinfo(dtype)
    n = int(np.prod(shape))
    vals = RNG.integers(info.min, info.max, n, dtype=dtype, endpoint=True)
    vals[: n // 3] //= 1000 if info.max > 1000 else 1
    return vals.reshape(shape)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("kind", sorted(FLOATS))
def test_floats(kind, dtype):
    for shape in SHAPES:
        check(_floats(kind, shape, dtype))


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_ints(dtype):
    for shape in SHAPES:
        check(_ints(dtype, shape))
    check(np.array([np.iinfo(dtype).min, np.iinfo(dtype).max], dtype=dtype))
    check(np.zeros((2, 3), dtype=dtype))


def test_bool():
    for shape in SHAPES:
        check(RNG.random(shape) > 0.5)
    check(np.ones(4, dtype=bool))
    check(np.zeros((2, 2), dtype=bool))


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("kind", ["normal", "int_valued", "mixed", "huge", "tiny", "special"])
def test_complex(kind, dtype):
    for shape in SHAPES:
        re, im = _floats(kind, shape, np.float64), _floats(kind, shape, np.float64)
        with np.errstate(all="ignore"):
            check((re + 1j * im).astype(dtype))
    check(np.array([complex(1, -0.0), complex(-0.0, 0.0), complex(np.nan, np.nan)], dtype=dtype))
    check(np.array([complex(0, np.inf), complex(2, -np.inf)], dtype=dtype))


@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0, 3), (3, 0), (0, 0, 0, 1)])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.complex64, np.complex128,
                                   np.int64, np.int32, np.uint8, bool])
def test_empty(shape, dtype):
    check(np.zeros(shape, dtype=dtype))


@pytest.mark.parametrize("shape", [(1001,), (1000,), (10000,), (40, 30), (3, 400), (400, 3),
                                   (11, 11, 11), (7, 7, 7, 7), (1, 2000), (2000, 1),
                                   (6, 6, 6, 6), (100, 100, 2)])
def test_summarized(shape):
    check(_floats("normal", shape, np.float32))
    check(_floats("mixed", shape, np.float64))
    check(_ints(np.int64, shape))
    check(RNG.random(shape) > 0.5)
    check(_floats("normal", shape, np.float64) + 1j * _floats("huge", shape, np.float64))


def test_summarize_ignores_hidden_values():
    # the format is chosen from the shown edges only, not from the elided middle
    a = np.ones(2000)
    a[1000] = 1e-9
    check(a)
    check(a.reshape(40, 50))


def test_big_tensor_is_fast():
    import time
    a = RNG.standard_normal((1000, 1000)).astype(np.float32)
    t0 = time.perf_counter()
    got = repr(_wrap(a))
    assert time.perf_counter() - t0 < 0.5
    assert got == repr(torch.tensor(a))


def test_line_wrapping():
    check(RNG.standard_normal(50))
    check(RNG.standard_normal((3, 40)))
    check(RNG.standard_normal((2, 3, 30)) * 1e20)
    check(np.arange(300).reshape(3, 100))
    check(np.arange(30) * 1.0)


# --- print options ---------------------------------------------------------------------------

OPTION_SETS = [
    dict(precision=0), dict(precision=1), dict(precision=2), dict(precision=8), dict(precision=12),
    dict(threshold=0), dict(threshold=5), dict(threshold=12.5), dict(threshold=float("inf")),
    dict(edgeitems=0), dict(edgeitems=1), dict(edgeitems=5),
    dict(edgeitems=0, threshold=5), dict(edgeitems=1, threshold=5), dict(edgeitems=10, threshold=5),
    dict(linewidth=1), dict(linewidth=20), dict(linewidth=40), dict(linewidth=200),
    dict(sci_mode=True), dict(sci_mode=False), dict(sci_mode=True, precision=2),
    dict(profile="default"), dict(profile="short"), dict(profile="full"),
    dict(profile="short", precision=6), dict(profile="full", edgeitems=1, linewidth=50),
    dict(profile="nonexistent"),
]
OPTION_INPUTS = [
    ("normal", (3, 7)), ("normal", ()), ("mixed", (25,)), ("huge", (2, 2, 5)), ("tiny", (6,)),
    ("int_valued", (4, 4)), ("special", (2, 7)), ("rounding", (12,)), ("big_ints", (3, 3)),
    ("normal", (1100,)), ("normal", (15, 80)),
]


@pytest.mark.parametrize("opts", OPTION_SETS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_printoptions(opts):
    both_options(**opts)
    for kind, shape in OPTION_INPUTS:
        check(_floats(kind, shape, np.float32))
        check(_floats(kind, shape, np.float64))
    check(_ints(np.int64, (4, 30)))
    check(_ints(np.int16, ()))
    check(RNG.random((3, 5)) > 0.5)
    check(np.array([1.5 - 2j, 1e-5 + 3e5j, -0.0 + 1j]))
    check(RNG.standard_normal((4, 4)) + 1j * RNG.standard_normal((4, 4)))
    check(np.zeros((0, 3)))
    assert S.get_printoptions() == torch._tensor_str.get_printoptions()


def test_get_printoptions():
    assert S.get_printoptions() == torch._tensor_str.get_printoptions()
    assert list(S.get_printoptions()) == list(torch._tensor_str.get_printoptions())
    both_options(precision=2, sci_mode=True)
    assert S.get_printoptions() == torch._tensor_str.get_printoptions()
    both_options(threshold=10)   # sci_mode is reset by any call
    assert S.get_printoptions() == torch._tensor_str.get_printoptions()
    both_options(profile="full")
    assert S.get_printoptions() == torch._tensor_str.get_printoptions()
    assert repr(S.PRINT_OPTS) == repr(torch._tensor_str.PRINT_OPTS)
    both_options(**S.get_printoptions())
    assert S.get_printoptions() == torch._tensor_str.get_printoptions()
    # torch 2.13 exports only set_printoptions at top level
    assert not hasattr(torch, "get_printoptions") and not hasattr(torch, "printoptions")


def test_printoptions_context_manager():
    a = RNG.standard_normal(8)
    with S.printoptions(precision=2, threshold=4), torch._tensor_str.printoptions(precision=2, threshold=4):
        assert S.get_printoptions() == torch._tensor_str.get_printoptions()
        assert repr(_wrap(a)) == repr(torch.tensor(a))
    assert S.get_printoptions() == torch._tensor_str.get_printoptions()
    assert repr(_wrap(a)) == repr(torch.tensor(a))


# --- dtype suffixes and default dtype ----------------------------------------------------------

@pytest.mark.parametrize("default", ["float64", "float16"])
def test_default_dtype(default):
    torch.set_default_dtype(getattr(torch, default))
    D.set_default_dtype(getattr(D, default))
    for dtype in FLOAT_DTYPES + [np.complex64, np.complex128, np.int64, bool]:
        check(np.array([1.5, 2.0]).astype(dtype))
        check(np.array(3).astype(dtype))
        check(np.zeros((0,), dtype=dtype))
        check(np.zeros((0, 2), dtype=dtype))


# --- autograd, device and subclass suffixes ----------------------------------------------------

class AddBackward0:
    pass


class MulBackward0:
    pass


def _fake(arr, requires_grad=False, grad_fn=None, device=None):
    t = _wrap(np.asarray(arr))
    if requires_grad:
        t._requires_grad = True
    if grad_fn is not None:
        t._grad_fn = grad_fn
    if device is not None:
        t._device = fdevice(device)
    return t


GRAD_INPUTS = [np.array([1.0, 2.0]), np.array(3.5), np.array([1.5, 2.0], dtype=np.float32),
               RNG.standard_normal((3, 9)), RNG.standard_normal(20), RNG.standard_normal(7) * 1e9,
               np.array([1.5, 2.0], dtype=np.float16), np.array([1 + 2j, 3.5 - 1j]),
               np.zeros((0, 4)), RNG.standard_normal(2000).astype(np.float32)]


@pytest.mark.parametrize("linewidth", [80, 30])
def test_requires_grad_and_grad_fn(linewidth):
    both_options(linewidth=linewidth)
    for a in GRAD_INPUTS:
        real = torch.tensor(a, requires_grad=True)
        assert repr(_fake(a, requires_grad=True)) == repr(real)
        assert repr(_fake(a, requires_grad=True, grad_fn=AddBackward0())) == repr(real + 0)
        assert str(_fake(a, requires_grad=True, grad_fn=MulBackward0())) == str(real * 1)


def test_device_suffix():
    # real torch here is CPU-only, so the expected text is written out
    assert repr(_fake(np.array([1.0, 2.0], dtype=np.float32), device="cuda:0")) == \
        "tensor([1., 2.], device='cuda:0')"
    assert repr(_fake(np.array([1, 2], dtype=np.int32), device="cuda:1", requires_grad=True)) == \
        "tensor([1, 2], device='cuda:1', dtype=torch.int32, requires_grad=True)"
    assert repr(_fake(np.zeros((0, 2)), device="cuda:0", grad_fn=AddBackward0())) == \
        ("tensor([], device='cuda:0', size=(0, 2), dtype=torch.float64,\n"
         "       grad_fn=<AddBackward0>)")
    long = np.arange(16) + 0.5
    assert repr(_fake(long, device="cuda:0")) == (
        "tensor([ 0.5000,  1.5000,  2.5000,  3.5000,  4.5000,  5.5000,  6.5000,  7.5000,\n"
        "         8.5000,  9.5000, 10.5000, 11.5000, 12.5000, 13.5000, 14.5000, 15.5000],\n"
        "       device='cuda:0', dtype=torch.float64)")


def test_tensor_contents():
    a = np.array([1.0, 2.0], dtype=np.float32)
    for contents in ["[X]", "[" + "y" * 90 + "]"]:
        assert FTensor.__repr__(_fake(a, requires_grad=True), tensor_contents=contents) == \
            torch._tensor_str._str(torch.tensor(a, requires_grad=True), tensor_contents=contents)


def test_subclass_prefix():
    class MyT(FTensor):
        pass

    class RealT(torch.Tensor):
        pass

    MyT.__name__ = RealT.__name__ = "MyT"
    for a in [np.array([1.0, 2.5]), RNG.standard_normal((2, 20)), np.zeros(0, dtype=np.int32)]:
        t = _wrap(a)
        t.__class__ = MyT
        assert repr(t) == repr(torch.tensor(a).as_subclass(RealT))


# --- random search ---------------------------------------------------------------------------

def test_random_arrays():
    rng = np.random.default_rng(99)
    dtypes = FLOAT_DTYPES + INT_DTYPES + [np.complex64, np.complex128, bool]
    for _ in range(300):
        ndim = rng.integers(0, 5)
        shape = tuple(int(s) for s in rng.integers(0, 6 if ndim > 2 else 40, ndim))
        dtype = dtypes[rng.integers(len(dtypes))]
        n = int(np.prod(shape))
        vals = rng.standard_normal(n) * 10.0 ** rng.integers(-12, 12) * 10.0 ** rng.integers(0, 4, n)
        if rng.random() < 0.3:
            vals = np.round(vals)
        if rng.random() < 0.2 and n:
            vals[rng.integers(n)] = rng.choice([np.nan, np.inf, -np.inf, -0.0])
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            if np.issubdtype(dtype, np.integer):
                info = np.iinfo(dtype)
                arr = np.clip(np.nan_to_num(vals), info.min, info.max).astype(dtype)
            elif dtype is bool:
                arr = vals > 0
            elif np.issubdtype(dtype, np.complexfloating):
                arr = (vals + 1j * vals[::-1]).astype(dtype)
            else:
                arr = vals.astype(dtype)
        check(arr.reshape(shape))


def test_cuda_tensor():
    cp = pytest.importorskip("cupy")
    if not cp.cuda.runtime.getDeviceCount():
        pytest.skip("no GPU")
    for a in [np.arange(5.0, dtype=np.float32), RNG.standard_normal((50, 60)), np.arange(3000)]:
        body = torch._tensor_str._tensor_str(torch.tensor(a), 7)
        dtype = [] if a.dtype in (np.float32, np.int64) else [f"dtype={torch.tensor(a).dtype}"]
        want = torch._tensor_str._add_suffixes("tensor(" + body, ["device='cuda:0'"] + dtype, 7, False)
        assert repr(_wrap(cp.asarray(a))) == want
