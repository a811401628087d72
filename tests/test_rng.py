"""faketorch's random engine against real torch, byte for byte (see /work/shared/RNG.md)."""
import ctypes
import ctypes.util
import math
import os
import pickle
import warnings

import numpy as np
import pytest

torch = pytest.importorskip('torch')

from faketorch import _rng as R            # noqa: E402
from faketorch import random as frandom    # noqa: E402

SEEDS = [0, 1, 42, 2 ** 40 + 7]
SIZES = [0, 1, 2, 15, 16, 17, 31, 32, 33, 100, 1000, 4099]
FLOATS = [(np.float32, torch.float32), (np.float64, torch.float64), (np.float16, torch.float16),
          (R.BF16, torch.bfloat16)]
INTS = [(np.int64, torch.int64), (np.int32, torch.int32), (np.int16, torch.int16), (np.int8, torch.int8),
        (np.uint8, torch.uint8), (np.bool_, torch.bool)]


def pair(seed):
    """A faketorch and a torch generator with the same seed."""
    return frandom.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)


def same(ours, theirs):
    """Byte-identical (bfloat16 compares as float32 values), and the engines in the same state."""
    t = theirs.float() if theirs.dtype == torch.bfloat16 else theirs
    t = t.contiguous().numpy()
    assert ours.shape == t.shape, (ours.shape, t.shape)
    assert ours.dtype == t.dtype, (ours.dtype, t.dtype)
    if ours.tobytes() != t.tobytes():
        bad = np.nonzero(ours.ravel().view(np.uint8) != t.ravel().view(np.uint8))[0]
        pytest.fail(f'{bad.size} bytes differ; first elements: {ours.ravel()[:4]} vs {t.ravel()[:4]}')


def same_state(g, tg):
    assert g._get_state_bytes().tobytes() == tg.get_state().numpy().tobytes()


def other_gen():
    return torch.Generator().manual_seed(12345)


# --------------------------------------------------------------------------- engine and state

@pytest.mark.parametrize('seed', SEEDS + [-1, -2 ** 63, 2 ** 64 - 1, 2 ** 32 + 5])
def test_seed_state_bytes(seed):
    g, tg = pair(seed)
    same_state(g, tg)
    assert g.initial_seed() == tg.initial_seed()
    same(R.uniform(g, (700,)), torch.rand(700, generator=tg))   # crosses a twist
    same_state(g, tg)


def test_default_seed_and_repr():
    g, tg = frandom.Generator(), torch.Generator()
    assert g.initial_seed() == tg.initial_seed() == 67280421310721
    same_state(g, tg)
    assert repr(g).startswith('<torch._C.Generator object at 0x') and repr(g).endswith('>')
    assert str(g.device) == 'cpu' and g.manual_seed(3) is g


def test_state_from_torch_and_back():
    tg = torch.Generator().manual_seed(7)
    torch.rand(1000, generator=tg)
    torch.randn(3, generator=tg)           # leaves a cached normal
    g = frandom.Generator().set_state(tg.get_state().numpy())
    same_state(g, tg)
    same(R.normal(g, (5,), np.float64), torch.randn(5, dtype=torch.float64, generator=tg))
    # our bytes are accepted by torch and continue the same stream
    tg2 = torch.Generator()
    tg2.set_state(torch.from_numpy(g._get_state_bytes()))
    same(R.normal(g, (3,), np.float32), torch.randn(3, generator=tg2))
    same_state(g, tg2)


@pytest.mark.parametrize('draws', [0, 1, 623, 624, 625, 1248, 1249])
def test_state_positions(draws):
    g, tg = pair(11)
    R.random_(g, (draws,), np.int32)
    torch.empty(draws, dtype=torch.int32).random_(generator=tg)
    same_state(g, tg)
    g2 = frandom.Generator().set_state(tg.get_state().numpy())
    same_state(g2, tg)
    same(R.randint(g2, 0, 100, (30,)), torch.randint(0, 100, (30,), generator=tg))


def test_hand_made_state():
    """torch accepts left + next != 625; it hands out left-1 words from `next`, then twists."""
    tg = torch.Generator().manual_seed(5)
    torch.rand(10, generator=tg)
    st = tg.get_state().clone()
    st[8:12] = torch.tensor([100, 0, 0, 0], dtype=torch.uint8)    # left = 100
    st[16:24] = torch.tensor([40, 0, 0, 0, 0, 0, 0, 0], dtype=torch.uint8)   # next = 40
    tg.set_state(st)
    g = frandom.Generator().set_state(st.numpy())
    same_state(g, tg)
    same(R.random_(g, (50,), np.int32), torch.empty(50, dtype=torch.int32).random_(generator=tg))
    same_state(g, tg)
    same(R.random_(g, (700,), np.int32), torch.empty(700, dtype=torch.int32).random_(generator=tg))
    same_state(g, tg)
    st[8:12] = torch.tensor([1, 0, 0, 0], dtype=torch.uint8)      # left = 1, any next
    tg.set_state(st)
    g.set_state(st.numpy())
    same_state(g, tg)
    same(R.uniform(g, (3,)), torch.rand(3, generator=tg))


def test_invalid_states():
    g, tg = pair(0)
    good = tg.get_state().numpy()

    def patched(off, value, fmt):
        bad = good.copy()
        raw = np.array([value], fmt).view(np.uint8)
        bad[off:off + raw.size] = raw
        return bad

    for bad in [patched(8, 0, '<i4'), patched(8, 625, '<i4'), patched(16, 625, '<u8'), patched(12, 0, '<u1')]:
        with pytest.raises(RuntimeError, match='Invalid mt19937 state'):
            tg.set_state(torch.from_numpy(bad))
        with pytest.raises(RuntimeError, match='Invalid mt19937 state'):
            g.set_state(bad)
    with pytest.raises(RuntimeError, match='found the input RNG state size to be 10'):
        g.set_state(np.zeros(10, np.uint8))
    with pytest.raises(TypeError, match='expected a torch.ByteTensor, but got list'):
        g.set_state([0])
    with pytest.raises(TypeError, match='RNG state must be a torch.ByteTensor'):
        g.set_state(np.zeros(5056, np.float32))


def test_seed_errors_match_torch():
    g, tg = pair(0)
    for bad in [2 ** 64, -2 ** 63 - 1, 3.5, True, 'x', np.int64(3)]:
        with pytest.raises(Exception) as theirs:
            tg.manual_seed(bad)
        with pytest.raises(type(theirs.value), match=str(theirs.value).replace('.', r'\.')):
            g.manual_seed(bad)


def test_module_api_and_fork_rng():
    s = frandom.seed()
    assert frandom.initial_seed() == s
    assert frandom.manual_seed(3.9).initial_seed() == 3 and frandom.manual_seed(3) is frandom.default_generator
    torch.manual_seed(3)
    same(R.uniform(frandom.default_generator, (5,)), torch.rand(5))
    before = frandom.get_rng_state()._data.copy()
    with frandom.fork_rng():
        R.normal(frandom.default_generator, (3,))
    assert frandom.get_rng_state()._data.tobytes() == before.tobytes()
    g = frandom.Generator().manual_seed(9)
    R.normal(g, (1,))
    g2 = pickle.loads(pickle.dumps(g))
    assert g2._get_state_bytes().tobytes() == g._get_state_bytes().tobytes()


# --------------------------------------------------------------------------- uniform

@pytest.mark.parametrize('seed', SEEDS[:2])
@pytest.mark.parametrize('npd,td', FLOATS)
def test_rand(seed, npd, td):
    g, tg = pair(seed)
    for n in SIZES:
        same(R.uniform(g, (n,), npd), torch.rand(n, dtype=td, generator=tg))
    same(R.uniform(g, (3, 5, 7), npd), torch.rand(3, 5, 7, dtype=td, generator=tg))
    same_state(g, tg)


@pytest.mark.parametrize('npd,td', FLOATS)
@pytest.mark.parametrize('lo,hi', [(-0.3, 0.3), (-1.0, 1.0), (2.0, 7.5), (-1e-3, 1e4), (0.1, 0.1 + 2 ** -20),
                                   (-0.057735026918962574, 0.057735026918962574)])
def test_uniform_range(npd, td, lo, hi):
    g, tg = pair(3)
    same(R.uniform(g, (2000,), npd, lo, hi), torch.empty(2000, dtype=td).uniform_(lo, hi, generator=tg))


def test_uniform_noncontiguous_is_memory_order():
    g, tg = pair(4)
    t = torch.empty(20, 30).t().uniform_(-1, 1, generator=tg)
    same(np.ascontiguousarray(R.uniform(g, (20, 30), np.float32, -1, 1).T), t)


# --------------------------------------------------------------------------- normal

@pytest.mark.parametrize('seed', SEEDS)
@pytest.mark.parametrize('npd,td', FLOATS)
def test_randn_sizes(seed, npd, td):
    g, tg = pair(seed)
    for n in SIZES:
        same(R.normal(g, (n,), npd), torch.randn(n, dtype=td, generator=tg))
        same_state(g, tg)


@pytest.mark.parametrize('npd,td', FLOATS)
@pytest.mark.parametrize('mean,std', [(0.5, 2.3), (-3.0, 0.02), (0.0, 0.1), (1.0, 1.0), (2.0, 0.0)])
def test_normal_mean_std(npd, td, mean, std):
    g, tg = pair(5)
    for n in (5, 16, 17, 1000):
        same(R.normal(g, (n,), npd, mean, std), torch.empty(n, dtype=td).normal_(mean, std, generator=tg))


def test_normal_cache_across_calls_and_dtypes():
    g, tg = pair(6)
    seq = [(3, np.float32, torch.float32), (3, np.float64, torch.float64), (20, np.float32, torch.float32),
           (1, np.float16, torch.float16), (5, np.float64, torch.float64), (2, R.BF16, torch.bfloat16)]
    for n, npd, td in seq:
        same(R.normal(g, (n,), npd), torch.randn(n, dtype=td, generator=tg))
        same_state(g, tg)            # the cached double normal is part of the state bytes
    g._seed_engine(6)                # seeding clears the cache
    tg.manual_seed(6)
    same(R.normal(g, (1,)), torch.randn(1, generator=tg))
    same_state(g, tg)


def test_normal_noncontiguous_takes_scalar_path():
    g, tg = pair(8)
    t = torch.empty(20, 30).t().normal_(generator=tg)
    same(np.ascontiguousarray(R.normal(g, (20, 30), np.float32, contiguous=False).T), t)
    same_state(g, tg)


def test_normal_tensor_overloads():
    src = other_gen()
    mean = torch.rand(4, 9, generator=src)
    std = torch.rand(4, 9, generator=src) + 0.5
    g, tg = pair(10)
    same(R.normal_tensor(g, mean.numpy(), std.numpy()), torch.normal(mean, std, generator=tg))
    same(R.normal_tensor(g, mean.numpy(), 0.3), torch.normal(mean, 0.3, generator=tg))
    same(R.normal_tensor(g, 0.7, std.numpy()), torch.normal(0.7, std, generator=tg))
    same(R.normal(g, (3, 4), np.float32, 1.5, 0.5), torch.normal(1.5, 0.5, (3, 4), generator=tg))
    m16 = mean.half()
    same(R.normal_tensor(g, m16.numpy(), 2.0, np.float16), torch.normal(m16, 2.0, generator=tg))
    same_state(g, tg)


def test_log_normal_shares_cache():
    g, tg = pair(12)
    same(R.normal(g, (3,), np.float32), torch.randn(3, generator=tg))
    for npd, td in FLOATS[:3]:
        same(R.log_normal(g, (21,), npd, 0.5, 0.75), torch.empty(21, dtype=td).log_normal_(0.5, 0.75, generator=tg))
    same_state(g, tg)


# --------------------------------------------------------------------------- integers

@pytest.mark.parametrize('seed', SEEDS[:2])
def test_randint_both_widths(seed):
    g, tg = pair(seed)
    for lo, hi in [(0, 10), (-5, 5), (0, 2 ** 28 - 1), (0, 2 ** 28), (-2 ** 40, 2 ** 40), (3, 2 ** 62)]:
        for n in (1, 17, 1000):
            same(R.randint(g, lo, hi, (n,)), torch.randint(lo, hi, (n,), generator=tg))
    same_state(g, tg)


@pytest.mark.parametrize('npd,td', INTS + FLOATS)
def test_random_forms(npd, td):
    g, tg = pair(13)
    same(R.random_(g, (100,), npd), torch.empty(100, dtype=td).random_(generator=tg))
    hi = 2 if td == torch.bool else 100
    same(R.random_(g, (50,), npd, 0, hi), torch.empty(50, dtype=td).random_(hi, generator=tg))
    same(R.random_(g, (50,), npd, 1, hi), torch.empty(50, dtype=td).random_(1, hi, generator=tg))
    same(R.random_(g, (50,), npd, 0, None), torch.empty(50, dtype=td).random_(0, None, generator=tg))
    same(R.randint(g, 0, hi, (3, 4), npd), torch.randint(0, hi, (3, 4), dtype=td, generator=tg))
    same_state(g, tg)


@pytest.mark.parametrize('npd,td', [(np.int64, torch.int64), (np.float64, torch.float64),
                                    (np.float32, torch.float32), (R.BF16, torch.bfloat16)])
def test_random_full_64_bit_range(npd, td):
    g, tg = pair(14)
    same(R.random_(g, (40,), npd, -2 ** 63, None), torch.empty(40, dtype=td).random_(-2 ** 63, None, generator=tg))


def test_random_errors_match_torch():
    g = frandom.Generator()
    cases = [((np.int64,), dict(from_=5, to=5), lambda: torch.randint(5, 5, (3,))),
             ((np.int8,), dict(from_=0, to=200), lambda: torch.empty(3, dtype=torch.int8).random_(0, 200)),
             ((np.uint8,), dict(from_=-1, to=2), lambda: torch.empty(3, dtype=torch.uint8).random_(-1, 2)),
             ((np.int16,), dict(from_=-2 ** 40, to=0), lambda: torch.empty(3, dtype=torch.int16).random_(-2 ** 40, 0)),
             ((np.bool_,), dict(from_=0, to=3), lambda: torch.empty(3, dtype=torch.bool).random_(0, 3)),
             ((np.float16,), dict(from_=0, to=2 ** 17), lambda: torch.empty(3, dtype=torch.half).random_(0, 2 ** 17)),
             ((np.int64,), dict(from_=0, to=2 ** 70), lambda: torch.empty(3).random_(0, 2 ** 70))]
    for (npd,), kw, tfn in cases:
        with pytest.raises(Exception) as theirs:
            tfn()
        with pytest.raises(type(theirs.value), match=str(theirs.value).replace("'", '.')):
            R.random_(g, (3,), npd, **kw)
    with pytest.warns(UserWarning, match=r'to - 1 is out of bounds \[-\(2\^24\), 2\^24\]'):
        R.random_(g, (3,), np.float32, 0, 2 ** 30)


def test_randperm_swap_algorithm():
    g, tg = pair(15)
    for n in [0, 1, 2, 3, 10, 999, 1000, 1001, 5000, 65536, 65537, 200003]:
        same(R.randperm(g, n), torch.randperm(n, generator=tg))
    same(R.randperm(g, 50, np.float32), torch.randperm(50, dtype=torch.float32, generator=tg))
    same(R.randperm(g, 50, np.int32), torch.randperm(50, dtype=torch.int32, generator=tg))
    same_state(g, tg)


def _inside_out_reference(r64, n):
    a = [0] * n
    for i, r in enumerate(r64.tolist()):
        z = r % (i + 1)
        a[i] = a[z]
        a[z] = i
    return np.array(a, np.int64)


def test_randperm_inside_out_algorithm():
    """torch uses it only for n >= 214748364; the vectorised form is checked against a plain
    loop on small n here, and against torch itself by the opt-in slow test below."""
    rng = np.random.default_rng(0)
    for n in [1, 2, 3, 17, 1000, 70000]:
        r64 = rng.integers(0, 2 ** 64, n, dtype=np.uint64)
        assert np.array_equal(R._inside_out(r64, n), _inside_out_reference(r64, n))


@pytest.mark.skipif(not os.environ.get('FAKETORCH_SLOW'), reason='set FAKETORCH_SLOW=1 (several minutes, 10 GB)')
def test_randperm_inside_out_against_torch():
    n = R._PERM_SWAP_LIMIT
    g, tg = pair(16)
    same(R.randperm(g, n), torch.randperm(n, generator=tg))


# --------------------------------------------------------------------------- Bernoulli, multinomial, others

@pytest.mark.parametrize('npd,td', FLOATS + INTS)
def test_bernoulli_scalar(npd, td):
    g, tg = pair(17)
    for p in (0.0, 0.3, 0.5, 1.0, 1e-17):
        same(R.bernoulli(g, p, (257,), npd), torch.empty(257, dtype=td).bernoulli_(p, generator=tg))
    same_state(g, tg)


@pytest.mark.parametrize('pdt', [torch.float32, torch.float64, torch.float16])
def test_bernoulli_tensor(pdt):
    p = torch.rand(6, 7, generator=other_gen()).to(pdt)
    g, tg = pair(18)
    same(R.bernoulli_tensor(g, p.numpy()), torch.bernoulli(p, generator=tg))
    out = torch.empty(3, 6, 7, dtype=torch.int64).bernoulli_(p, generator=tg)
    same(R.bernoulli_tensor(g, p.numpy(), (3, 6, 7), np.int64), out)
    same_state(g, tg)


@pytest.mark.parametrize('npd,td', FLOATS[:3])
def test_multinomial(npd, td):
    probs = torch.rand(5, 40, generator=other_gen()).to(td)
    probs[:, 3] = 0
    g, tg = pair(19)
    for k, repl in [(1, False), (1, True), (7, False), (40 - 1, False), (100, True)]:
        same(R.multinomial(g, probs.numpy(), k, repl), torch.multinomial(probs, k, repl, generator=tg))
        same(R.multinomial(g, probs[0].numpy(), k, repl), torch.multinomial(probs[0], k, repl, generator=tg))
    same_state(g, tg)


@pytest.mark.parametrize('npd,td', FLOATS)
def test_continuous_distributions(npd, td):
    g, tg = pair(20)
    e = torch.empty
    for n in (1, 33):
        same(R.exponential(g, (n,), npd, 1.0), e(n, dtype=td).exponential_(generator=tg))
        same(R.exponential(g, (n,), npd, 2.5), e(n, dtype=td).exponential_(2.5, generator=tg))
        same(R.cauchy(g, (n,), npd), e(n, dtype=td).cauchy_(generator=tg))
        same(R.cauchy(g, (n,), npd, -1.5, 0.3), e(n, dtype=td).cauchy_(-1.5, 0.3, generator=tg))
        same(R.geometric(g, (n,), npd, 0.3), e(n, dtype=td).geometric_(0.3, generator=tg))
    same_state(g, tg)


def test_geometric_integer_dtypes():
    g, tg = pair(21)
    for npd, td in INTS[:5]:
        same(R.geometric(g, (40,), npd, 0.6), torch.empty(40, dtype=td).geometric_(0.6, generator=tg))


def test_poisson():
    rates = torch.tensor([0.0, 0.3, 3.0, 9.99, 10.0, 55.5, 1e4]).repeat(6)
    g, tg = pair(22)
    same(R.poisson(g, rates.numpy()), torch.poisson(rates, generator=tg))
    r64 = rates.double()
    same(R.poisson(g, r64.numpy()), torch.poisson(r64, generator=tg))
    same_state(g, tg)


def test_distribution_errors_match_torch():
    g = frandom.Generator()
    t = torch.empty(3)
    for ours, theirs in [(lambda: R.uniform(g, (3,), np.float32, 2, 1), lambda: t.uniform_(2, 1)),
                         (lambda: R.uniform(g, (3,), np.float16, 0, 1e5), lambda: t.half().uniform_(0, 1e5)),
                         (lambda: R.uniform(g, (3,), np.float32, -3e38, 3e38), lambda: t.uniform_(-3e38, 3e38)),
                         (lambda: R.normal(g, (3,), np.float32, 0, -1), lambda: t.normal_(0, -1)),
                         (lambda: R.bernoulli(g, 1.5, (3,)), lambda: t.bernoulli_(1.5)),
                         (lambda: R.exponential(g, (3,), np.float32, -1), lambda: t.exponential_(-1)),
                         (lambda: R.geometric(g, (3,), np.float32, 0), lambda: t.geometric_(0)),
                         (lambda: R.cauchy(g, (3,), np.float32, 0, -1), lambda: t.cauchy_(0, -1)),
                         (lambda: R.log_normal(g, (3,), np.float32, 0, -1), lambda: t.log_normal_(0, -1)),
                         (lambda: R.randperm(g, -1), lambda: torch.randperm(-1))] + [
            (lambda p=p, k=k, r=r, dt=dt: R.multinomial(g, np.array(p, dt), k, r),
             lambda p=p, k=k, r=r, td=td: torch.multinomial(torch.tensor(p, dtype=td), k, r))
            for p, k, r, dt, td in [([0., 0.], 1, False, np.float32, torch.float32),
                                    ([0., 0.], 2, True, np.float32, torch.float32),
                                    ([1., math.nan], 1, False, np.float32, torch.float32),
                                    ([1., math.inf], 2, True, np.float64, torch.float64),
                                    ([1., -1.], 2, True, np.float32, torch.float32),
                                    ([1., 1.], 3, False, np.float32, torch.float32),
                                    ([1., 1.], 0, False, np.float32, torch.float32),
                                    ([[[1.]]], 1, False, np.float32, torch.float32),
                                    ([1, 1], 1, False, np.int64, torch.int64)]]:
        with pytest.raises(Exception) as te:
            theirs()
        with pytest.raises(type(te.value)) as oe:
            ours()
        assert str(oe.value) == str(te.value)


# --------------------------------------------------------------------------- exact arithmetic

def _libm():
    lib = ctypes.CDLL(ctypes.util.find_library('m'))
    lib.fma.restype, lib.fma.argtypes = ctypes.c_double, [ctypes.c_double] * 3
    lib.fmaf.restype, lib.fmaf.argtypes = ctypes.c_float, [ctypes.c_float] * 3
    return lib


def _fma_cases(rng, n, dt):
    a = rng.standard_normal(n).astype(dt)
    b = rng.standard_normal(n).astype(dt) * dt(2.0) ** rng.integers(-30, 30, n).astype(dt)
    c = rng.standard_normal(n).astype(dt) * dt(2.0) ** rng.integers(-60, 10, n).astype(dt)
    # double-rounding traps: c = -(a*b rounded) + a tiny nudge, and products near half-way points
    c[: n // 4] = -(a[: n // 4] * b[: n // 4]) + (c[: n // 4] * dt(2.0 ** -40)).astype(dt)
    if dt == np.float32:
        c[n // 4: n // 2] = dt(1) + dt(2 ** -24)
        a[n // 4: n // 2] = dt(2 ** -24)
        b[n // 4: n // 2] = (dt(1) + dt(2.0 ** -23) * rng.integers(-3, 4, n // 4)).astype(dt)
    return a, b, c


def test_fma_emulation_against_libm():
    lib = _libm()
    rng = np.random.default_rng(1)
    a, b, c = _fma_cases(rng, 4000, np.float32)
    want = np.array([lib.fmaf(x, y, z) for x, y, z in zip(a.tolist(), b.tolist(), c.tolist())], np.float32)
    assert R._fma32(a, b, c).tobytes() == want.tobytes()
    tiny = np.float32(1e-38) * rng.standard_normal(500).astype(np.float32)   # subnormal results
    want = np.array([lib.fmaf(x, 0.75, 1e-45) for x in tiny.tolist()], np.float32)
    assert R._fma32(tiny, np.float32(0.75), np.float32(1e-45)).tobytes() == want.tobytes()
    a, b, c = _fma_cases(rng, 4000, np.float64)
    want = np.array([lib.fma(x, y, z) for x, y, z in zip(a.tolist(), b.tolist(), c.tolist())])
    assert R._fma64(a, b, c).tobytes() == want.tobytes()


def test_numpy_sin_cos_match_libm():
    x = np.random.default_rng(2).random(20000) * 2 * math.pi
    s, c = R._sin_cos(x)
    assert s.tobytes() == R._libm(math.sin, x).tobytes() and c.tobytes() == R._libm(math.cos, x).tobytes()


def _ref_radius32(u1):
    """RNG.md §4.1's radius, literally, on the exact _fma32."""
    f32, fma = np.float32, R._fma32
    m, e = np.frexp(f32(1) - u1)
    small = m < f32('0.70710677')
    e = (e - small).astype(f32)
    x = np.where(small, 2 * m - f32(1), m - f32(1))
    z = x * x
    y = fma(R._P[0], x, R._P[1])
    for p in R._P[2:]:
        y = fma(y, x, p)
    y = y * x
    y = fma(y, z, e * R._Q1)
    y = y - f32(0.5) * z
    x = x + y
    return np.sqrt(f32(-2) * fma(e, R._Q2, x))


def _ref_sincos32(theta):
    """RNG.md §4.1's sin/cos, literally, on the exact _fma32."""
    f32, fma = np.float32, R._fma32
    k = (theta * f32('1.2732395')).astype(np.int32)
    k = (k + 1) & ~1
    kf = k.astype(f32)
    x = fma(kf, R._DP[0], theta)
    x = fma(kf, R._DP[1], x)
    x = fma(kf, R._DP[2], x)
    z = x * x
    h = f32(0.5) * z
    c = fma(R._CP[0], z, R._CP[1])
    c = fma(c, z, R._CP[2])
    c = z * c
    c = fma(z, c, -h)
    c = c + f32(1)
    s = fma(R._SP[0], z, R._SP[1])
    s = fma(s, z, R._SP[2])
    s = z * s
    s = fma(x, s, x)
    swap = (k & 2) != 0
    S = np.where(swap, f32(0), s)
    C = np.where(swap, c, f32(0))
    sin, cos = C + S, (s - S) + (c - C)
    sin = np.where((k & 4) != 0, -sin, sin)
    cos = np.where(((k - 2) & 4) == 0, -cos, cos)
    return sin, cos


def _check_kernel(u):
    assert R._radius32(u).tobytes() == _ref_radius32(u).tobytes()
    theta = R._TWO_PI_F * u
    for fast, ref in zip(R._sincos32(theta), _ref_sincos32(theta)):
        assert fast.tobytes() == ref.tobytes()


def test_float_kernel_matches_literal_spec():
    k = np.random.default_rng(3).integers(0, 1 << 24, 200000)
    k[:4] = [0, 1, (1 << 24) - 1, 1 << 23]
    _check_kernel(k.astype(np.float32) * np.float32(2.0 ** -24))


@pytest.mark.skipif(not os.environ.get('FAKETORCH_SLOW'), reason='set FAKETORCH_SLOW=1 (about a minute)')
def test_float_kernel_exhaustive():
    """Every one of the 2^24 float uniforms, for the radius and for the angle."""
    u = np.arange(1 << 24).astype(np.float32) * np.float32(2.0 ** -24)
    for lo in range(0, 1 << 24, 1 << 21):
        _check_kernel(u[lo:lo + (1 << 21)])
