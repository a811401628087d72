"""bfloat16: faketorch keeps bfloat16 values in float32 arrays. Checked here against real torch:
every result holds bfloat16 values only, casts copy, and checkpoints go both ways bit for bit."""
import io

import numpy as np
import pytest

import faketorch
import faketorch.nn
from faketorch import _dtype as D

torch = pytest.importorskip('torch')
pytestmark = pytest.mark.filterwarnings('ignore::RuntimeWarning')     # inf and NaN on purpose

EDGES = [1.1, 1 / 3, -2.5, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 3e38, 3.3895e38, 3.4e38, 1e-38, 1e-40, -0.0,
         float('inf'), -float('inf')]


def _bits_torch(t):
    return t.detach().view(torch.int16).numpy().view(np.uint16)


def _bits_fake(t):
    return t.detach().view(faketorch.int16).numpy().view(np.uint16)


def _representable(a):
    return not (np.asarray(a, np.float32).view(np.uint32) & 0xFFFF).any()


def test_round_bf16_matches_torch_on_every_pattern_class():
    rs = np.random.RandomState(0)
    bits = np.concatenate([rs.randint(0, 2 ** 32, 200000, dtype=np.uint64).astype(np.uint32),
                           np.array([0x3F808000, 0x3F818000, 0x7F7FFFFF, 0x7F7F8000, 0x00008000, 0x80018000,
                                     0x7F800000, 0xFF800000], np.uint32)])
    x = bits.view(np.float32)
    x = x[~np.isnan(x)]          # torch's NaN pattern depends on its kernel: only NaN-ness is checked
    ours = D.round_bf16(x)
    ref = torch.from_numpy(x.copy()).to(torch.bfloat16).float().numpy()
    assert ours.view(np.uint32).tolist() == ref.view(np.uint32).tolist()
    assert np.isnan(D.round_bf16(np.array([np.nan, -np.nan], np.float32))).all()
    assert D.round_bf16(np.float32(1.1)) == np.float32(1.1015625)


def test_every_result_holds_bfloat16_values():
    a = faketorch.tensor(EDGES, dtype=faketorch.bfloat16)
    b = faketorch.linspace(-3, 3, len(EDGES)).bfloat16()
    results = [a + b, a * b, a / b, a.exp(), a.sqrt(), b @ b, b.sum(), b.mean(), b.softmax(0), b * 1.1,
               b + faketorch.tensor(0.1), a.clone().add_(faketorch.ones(len(EDGES))),
               a.clone().fill_(1.1), faketorch.full((3,), 1 / 3, dtype=faketorch.bfloat16),
               faketorch.randn(50, dtype=faketorch.bfloat16), faketorch.empty(7, dtype=faketorch.bfloat16)]
    c = faketorch.zeros(3, dtype=faketorch.bfloat16)
    c[1] = 2.2
    c[2:] = faketorch.tensor([1 / 3])
    results.append(c)
    for r in results:
        assert r.dtype is faketorch.bfloat16
        assert _representable(r._data), r


def test_casts_copy_and_views_share():
    x = faketorch.tensor([1., 2., 0.5])
    y = x.to(faketorch.bfloat16)
    assert not np.shares_memory(x._data, y._data)
    z = y.float()
    assert not np.shares_memory(y._data, z._data)
    v = y[1:]
    assert np.shares_memory(v._data, y._data)
    v.mul_(3)
    assert y.tolist() == [1., 6., 1.5]


def test_values_and_bits_match_torch():
    t = torch.tensor(EDGES, dtype=torch.bfloat16)
    f = faketorch.tensor(EDGES, dtype=faketorch.bfloat16)
    assert _bits_fake(f).tolist() == _bits_torch(t).tolist()
    assert f.tolist() == t.tolist()
    assert repr(f) == repr(t)
    i16 = torch.arange(-30000, 30000, 997, dtype=torch.int16)
    back = faketorch.tensor(i16.numpy()).view(faketorch.bfloat16)
    assert back.float().numpy().tobytes() == i16.view(torch.bfloat16).float().numpy().tobytes()   # NaNs too


def _sample(lib):
    base = lib.tensor(EDGES, dtype=lib.bfloat16)
    lin = lib.nn.Linear(3, 2)
    with lib.no_grad():
        lin.weight.copy_(lib.linspace(-1, 1, 6).reshape(2, 3))
        lin.bias.copy_(lib.tensor([0.1, -0.2]))
    return {'base': base, 'slice': base[2:9], 'step': base[::3], 't': base[:12].view(3, 4).t(),
            'scalar': lib.tensor(1.1, dtype=lib.bfloat16), 'empty': lib.zeros(0, 2, dtype=lib.bfloat16),
            'param': lib.nn.Parameter(lib.ones(2, dtype=lib.bfloat16)),
            'model': lin.to(lib.bfloat16).state_dict(), 'f32': lib.tensor([1.1, 2.2])}


def _same(a, b):
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
        return
    assert str(a.dtype) == str(b.dtype) and tuple(a.shape) == tuple(b.shape)
    assert type(a).__name__ == type(b).__name__ and a.requires_grad == b.requires_grad
    assert a.stride() == b.stride()
    assert a.detach().float().numpy().tobytes() == b.detach().float().numpy().tobytes()


@pytest.mark.parametrize('zip_format', [True, False])
def test_torch_writes_faketorch_reads(zip_format):
    buf = io.BytesIO()
    torch.save(_sample(torch), buf, _use_new_zipfile_serialization=zip_format)
    got = faketorch.load(io.BytesIO(buf.getvalue()), weights_only=zip_format)
    _same(_sample(torch), got)
    if zip_format:      # the views came back on one storage
        got['base'][3] = 9.5
        assert got['slice'][1].item() == 9.5 and got['step'][1].item() == 9.5


@pytest.mark.parametrize('zip_format', [True, False])
def test_faketorch_writes_torch_reads(zip_format):
    buf = io.BytesIO()
    faketorch.save(_sample(faketorch), buf, _use_new_zipfile_serialization=zip_format)
    got = torch.load(io.BytesIO(buf.getvalue()), weights_only=zip_format)
    _same(_sample(torch), got)
    assert got['slice'].storage_offset() == 2
    assert got['base'].untyped_storage().data_ptr() == got['slice'].untyped_storage().data_ptr()
    assert got['base'].untyped_storage().nbytes() == 2 * len(EDGES)


def test_faketorch_roundtrip_and_storage():
    buf = io.BytesIO()
    faketorch.save(_sample(faketorch), buf)
    got = faketorch.load(io.BytesIO(buf.getvalue()))
    _same(_sample(faketorch), got)
    t = faketorch.tensor([1.1, 2.5, -3.], dtype=faketorch.bfloat16)
    assert list(t.untyped_storage()) == list(torch.tensor([1.1, 2.5, -3.], dtype=torch.bfloat16).untyped_storage())


def test_numpy_refused_like_torch():
    for lib in (torch, faketorch):
        t = lib.ones(2, dtype=lib.bfloat16)
        with pytest.raises(TypeError, match='Got unsupported ScalarType BFloat16'):
            t.numpy()
        with pytest.raises(TypeError, match='Got unsupported ScalarType BFloat16'):
            np.asarray(t)
