"""torch.save / torch.load: faketorch and real torch read each other's files, bit for bit."""
import collections
import copy
import io
import os
import pickle
import zipfile

import numpy as np
import pytest

import faketorch
import faketorch.nn
import faketorch.optim
import faketorch.serialization

torch = pytest.importorskip('torch')

DTYPES = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'uint16', 'uint32', 'uint64', 'float16',
          'float32', 'float64', 'complex64', 'complex128']


def _values(lib, dtype):
    rs = np.random.RandomState(0)
    a = rs.standard_normal((3, 4)) * 100
    if dtype.startswith('complex'):
        a = a + 1j * rs.standard_normal((3, 4))
    if dtype == 'bool':
        a = a > 0
    elif dtype.startswith(('int', 'uint')):
        a = np.abs(a) if dtype.startswith('uint') else a
    return lib.tensor(a.astype(dtype))


def _sample(lib):
    """Tensors of every dtype, 0-dim, empty, views sharing one storage, Parameter, containers."""
    nn = lib.nn
    base = lib.arange(24, dtype=lib.float32)
    d = collections.OrderedDict()
    for dt in DTYPES:
        d[dt] = _values(lib, dt)
    d['scalar'] = lib.tensor(3.5, dtype=lib.float64)
    d['empty'] = lib.zeros(0, 3)
    d['base'] = base
    d['slice'] = base[5:11]
    d['t'] = base.view(4, 6).t()
    d['step'] = base[1::3]
    d['expand'] = lib.arange(3.).expand(4, 3)
    d['param'] = nn.Parameter(lib.ones(2, 2))
    d['frozen'] = nn.Parameter(lib.ones(2), requires_grad=False)
    d['rg'] = lib.ones(3, requires_grad=True)
    d['plain'] = {'a': [1, 2.5, 'x', None, True], 'b': (1, (2, 3)), 's': {1, 2}, 'by': b'\x00\x01', 'c': 1 + 2j,
                  'big': 2 ** 70, 'neg': -5, 'dt': lib.float16, 'dev': lib.device('cpu'), 'size': lib.Size([2, 3])}
    return d


def _np(t):
    return t.detach().cpu().numpy() if hasattr(t, 'detach') else np.asarray(t._data)


def _same(a, b):
    """Equal bit for bit: values, dtype, shape, requires_grad, type name."""
    if hasattr(a, 'dtype') and hasattr(a, 'shape') and not isinstance(a, np.ndarray):
        assert str(a.dtype) == str(b.dtype), (a.dtype, b.dtype)
        assert tuple(a.shape) == tuple(b.shape)
        assert a.requires_grad == b.requires_grad
        assert type(a).__name__ == type(b).__name__
        x, y = _np(a), _np(b)
        assert x.tobytes() == y.tobytes() if x.dtype.kind != 'b' else (x == y).all()
    elif isinstance(a, dict):
        assert list(a) == list(b) and type(a).__name__ == type(b).__name__
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b) and type(a).__name__ == type(b).__name__
        for x, y in zip(a, b):
            _same(x, y)
    elif type(a).__module__.startswith(('torch', 'faketorch')):
        assert repr(a) == repr(b)
    else:
        assert a == b and type(a) is type(b)


def _dump(lib, obj):
    buf = io.BytesIO()
    lib.save(obj, buf)
    return buf.getvalue()


def _load(lib, data, **kw):
    return lib.load(io.BytesIO(data), **kw)


# ------------------------------------------------------------------ both directions
def test_torch_writes_faketorch_reads():
    got = _load(faketorch, _dump(torch, _sample(torch)))
    _same(_sample(torch), got)
    # the views share one storage: writing through one shows in the others
    got['base'][6] = 100.
    got['base'][4] = 50.
    assert got['slice'][1].item() == 100. and got['t'][0, 1].item() == 100.
    assert got['step'][1].item() == 50.


def test_faketorch_writes_torch_reads_weights_only():
    got = _load(torch, _dump(faketorch, _sample(faketorch)), weights_only=True)
    _same(_sample(torch), got)
    got['base'][6] = 100.
    assert got['slice'][1].item() == 100. and got['t'][0, 1].item() == 100.
    assert got['slice'].storage_offset() == 5 and got['t'].stride() == (1, 6)
    assert got['expand'].stride() == (0, 1)
    assert got['base'].untyped_storage().data_ptr() == got['slice'].untyped_storage().data_ptr()


def test_faketorch_roundtrip():
    got = _load(faketorch, _dump(faketorch, _sample(faketorch)))
    _same(_sample(faketorch), got)
    got['base'][6] = 100.
    assert got['slice'][1].item() == 100.


def _records(data):
    z = zipfile.ZipFile(io.BytesIO(data))
    return [(i.filename, i.header_offset, z.read(i)) for i in z.infolist() if 'serialization_id' not in i.filename]


def test_files_identical_to_torch():
    a, b = _dump(torch, _sample(torch)), _dump(faketorch, _sample(faketorch))
    assert len(a) == len(b)
    assert _records(a) == _records(b)
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    sid = zipfile.ZipFile(io.BytesIO(a)).getinfo('archive/.data/serialization_id').header_offset
    assert all(i > sid for i in diff)       # only the random id and its checksums differ


def test_archive_name_from_path(tmp_path):
    for name in ('model.pt', 'a.b.pth', 'noext'):
        faketorch.save(faketorch.ones(2), tmp_path / name)
        torch.save(torch.ones(2), tmp_path / ('t_' + name))
        fk = zipfile.ZipFile(tmp_path / name).namelist()
        tc = zipfile.ZipFile(tmp_path / ('t_' + name)).namelist()
        assert [n.split('/', 1)[1] for n in fk] == [n.split('/', 1)[1] for n in tc]
        assert fk[0].split('/')[0] == tc[0].split('/')[0][2:]


def _net(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 4 * 4, 3))


def _copy_weights(src, dst):
    for (k, v), (k2, v2) in zip(src.state_dict().items(), dst.state_dict().items()):
        assert k == k2
        v2.copy_(faketorch.tensor(v.numpy()) if isinstance(v2, faketorch.Tensor) else torch.tensor(v.numpy()))


def test_module_and_optimizer_state_dict_torch_to_faketorch():
    torch.manual_seed(0)
    net = _net(torch)
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    rs = np.random.RandomState(0)
    x = torch.tensor(rs.standard_normal((8, 1, 6, 6)).astype('float32'))
    y = torch.tensor(rs.randint(0, 3, 8))
    for _ in range(3):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(x), y).backward()
        opt.step()
    ckpt = _dump(torch, {'model': net.state_dict(), 'optim': opt.state_dict(), 'epoch': 3})
    state = _load(faketorch, ckpt)
    _same(net.state_dict(), state['model'])
    _same(opt.state_dict(), state['optim'])
    # resume in faketorch: the next losses match torch's
    fnet = _net(faketorch)
    fnet.load_state_dict(state['model'])
    fopt = faketorch.optim.Adam(fnet.parameters(), lr=0.01)
    fopt.load_state_dict(state['optim'])
    fx, fy = faketorch.tensor(x.numpy()), faketorch.tensor(y.numpy())
    for _ in range(3):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        fopt.zero_grad()
        floss = faketorch.nn.functional.cross_entropy(fnet(fx), fy)
        floss.backward()
        fopt.step()
        assert abs(loss.item() - floss.item()) < 1e-5


def test_module_and_optimizer_state_dict_faketorch_to_torch():
    net = _net(faketorch)
    opt = faketorch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    x = faketorch.tensor(np.random.RandomState(1).standard_normal((4, 1, 6, 6)).astype('float32'))
    net(x).sum().backward()
    opt.step()
    ckpt = _dump(faketorch, {'model': net.state_dict(), 'optim': opt.state_dict()})
    state = _load(torch, ckpt, weights_only=True)
    _same(state['model'], net.state_dict())
    _same(state['optim'], opt.state_dict())
    tnet = _net(torch)
    tnet.load_state_dict(state['model'])


def test_whole_module_weights_only_false():
    net = _net(faketorch)
    got = _load(faketorch, _dump(faketorch, net), weights_only=False)
    assert type(got) is type(net) and repr(got) == repr(net)
    _same(net.state_dict(), got.state_dict())
    with pytest.raises(pickle.UnpicklingError, match='Unsupported global: GLOBAL faketorch.nn.modules'):
        _load(faketorch, _dump(faketorch, net))


def test_torch_module_pickle_fails_clearly():
    data = _dump(torch, torch.nn.Linear(2, 2))
    with pytest.raises(pickle.UnpicklingError) as e:
        _load(faketorch, data)
    assert 'torch.nn.modules.linear.Linear' in str(e.value)


# ------------------------------------------------------------------ security
class _Evil:
    def __init__(self, fn, arg):
        self.fn, self.arg = fn, arg

    def __reduce__(self):
        return (self.fn, (self.arg,))


@pytest.mark.parametrize('kind', ['os.system', 'eval', 'exec', 'subprocess.Popen'])
def test_malicious_pickles_do_not_execute(tmp_path, kind):
    import subprocess
    sentinel = tmp_path / 'pwned'
    cmd = f'touch {sentinel}'
    fn, arg = {'os.system': (os.system, cmd), 'eval': (eval, f"__import__('os').system({cmd!r})"),
               'exec': (exec, f"__import__('os').system({cmd!r})"),
               'subprocess.Popen': (subprocess.Popen, ['touch', str(sentinel)])}[kind]
    data = _dump(torch, {'w': torch.ones(2), 'nested': [{'x': _Evil(fn, arg)}]})
    with pytest.raises(pickle.UnpicklingError) as fk:
        _load(faketorch, data)
    with pytest.raises(pickle.UnpicklingError) as tc:
        _load(torch, data)
    assert str(fk.value) == str(tc.value)
    assert not sentinel.exists()
    assert sorted(faketorch.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(data))) == \
        sorted(torch.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(data)))


class Point:
    def __init__(self, x):
        self.x = x


def test_safe_globals():
    data = _dump(torch, {'p': Point(3)})
    with pytest.raises(pickle.UnpicklingError) as fk:
        _load(faketorch, data)
    with pytest.raises(pickle.UnpicklingError) as tc:
        _load(torch, data)
    assert str(fk.value) == str(tc.value)
    with faketorch.serialization.safe_globals([Point]):
        assert _load(faketorch, data)['p'].x == 3
    assert faketorch.serialization.get_safe_globals() == []
    faketorch.serialization.add_safe_globals([Point])
    try:
        assert _load(faketorch, data)['p'].x == 3
        assert faketorch.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(data)) == []
    finally:
        faketorch.serialization.clear_safe_globals()
    assert _load(faketorch, data, weights_only=False)['p'].x == 3


def test_path_traversal_member(tmp_path):
    good = zipfile.ZipFile(io.BytesIO(_dump(torch, torch.ones(2))))
    p = tmp_path / 'trav.pt'
    with zipfile.ZipFile(p, 'w') as z:
        for n in good.namelist():
            z.writestr(n, good.read(n))
        z.writestr('../../escape', b'evil')
    for lib in (torch, faketorch):
        with pytest.raises(RuntimeError, match='file in archive is not in a subdirectory archive/: ../../escape'):
            lib.load(p)
    assert not (tmp_path.parent.parent / 'escape').exists()


# ------------------------------------------------------------------ robustness
def _error(lib, data, **kw):
    try:
        _load(lib, data, **kw)
    except Exception as e:
        return type(e).__name__, str(e)
    return None


def test_truncated_and_corrupted_files():
    data = _dump(torch, {'a': torch.arange(100.)})
    for cut in (0, 3, 100, len(data) // 2, len(data) - 10):
        assert _error(faketorch, data[:cut]) == _error(torch, data[:cut]), cut
    z = zipfile.ZipFile(io.BytesIO(data))
    off = z.getinfo('archive/data.pkl').header_offset + 64
    bad = bytearray(data)
    bad[off + 3] ^= 0x55
    assert _error(faketorch, bytes(bad)) == _error(torch, bytes(bad))
    junk = b'hello world junk' * 10
    assert _error(faketorch, junk) == _error(torch, junk)
    # random corruption anywhere: a clean Python exception, never a hang or crash
    rs = np.random.RandomState(0)
    for _ in range(200):
        bad = bytearray(data)
        for i in rs.randint(0, len(data), 3):
            bad[i] = rs.randint(256)
        try:
            _load(faketorch, bytes(bad))
        except Exception as e:
            assert not type(e).__module__.startswith('numpy'), e


def test_storage_bounds_checked():
    # a crafted file whose tensor claims more elements than its storage holds
    data = bytearray(_dump(torch, torch.arange(4.)))
    z = zipfile.ZipFile(io.BytesIO(bytes(data)))
    pkl = z.read('archive/data.pkl')
    i = pkl.index(b'K\x04\x85')           # size (4,) -> (40,)
    evil = pkl[:i] + b'K\x28\x85' + pkl[i + 3:]
    out = io.BytesIO()
    with zipfile.ZipFile(out, 'w') as w:
        for n in z.namelist():
            w.writestr(n, evil if n.endswith('data.pkl') else z.read(n))
    fk, tc = _error(faketorch, out.getvalue()), _error(torch, out.getvalue())
    assert fk[0] == tc[0] == 'RuntimeError' and 'out of bounds' in fk[1]


def test_atomic_save(tmp_path):
    p = tmp_path / 'ckpt.pt'
    faketorch.save({'a': faketorch.ones(3)}, p)
    before = p.read_bytes()

    class Unpicklable:
        def __reduce__(self):
            raise RuntimeError('nope')
    with pytest.raises(RuntimeError, match='nope'):
        faketorch.save({'a': faketorch.zeros(3), 'b': Unpicklable()}, p)
    assert p.read_bytes() == before and os.listdir(tmp_path) == ['ckpt.pt']


# ------------------------------------------------------------------ options
def test_map_location_and_mmap(tmp_path):
    p = tmp_path / 'm.pt'
    torch.save({'a': torch.arange(6.).view(2, 3), 'b': torch.arange(3, dtype=torch.int32)}, p)
    for ml in (None, 'cpu', faketorch.device('cpu'), {'cpu': 'cpu'}, lambda s, loc: s, lambda s, loc: None):
        got = faketorch.load(p, map_location=ml)
        assert got['a'].tolist() == [[0., 1., 2.], [3., 4., 5.]]
    seen = []
    faketorch.load(p, map_location=lambda s, loc: seen.append((type(s).__name__, loc, s.nbytes())))
    assert seen == [('UntypedStorage', 'cpu', 24), ('UntypedStorage', 'cpu', 12)]
    if not faketorch.cuda.is_available():
        for lib in (torch, faketorch):
            with pytest.raises(RuntimeError, match='torch.cuda.is_available\\(\\) is False'):
                lib.load(p, map_location='cuda:0')
    got = faketorch.load(p, mmap=True)
    assert got['a'].tolist() == [[0., 1., 2.], [3., 4., 5.]]
    assert isinstance(got['a']._data.base, (np.ndarray, memoryview)) or got['a']._data.base is not None
    got['a'][0, 0] = 7.                      # copy-on-write: the file is untouched
    assert faketorch.load(p)['a'][0, 0].item() == 0.
    with pytest.raises(ValueError, match='f must be a file path'):
        faketorch.load(io.BytesIO(p.read_bytes()), mmap=True)


def test_legacy_format(tmp_path):
    p = tmp_path / 'legacy.pt'
    torch.save({'a': torch.arange(5.), 'v': torch.arange(10)[2:6]}, p, _use_new_zipfile_serialization=False)
    got = faketorch.load(p)
    assert got['a'].tolist() == [0., 1., 2., 3., 4.] and got['v'].tolist() == [2, 3, 4, 5]
    q = tmp_path / 'legacy_fk.pt'
    faketorch.save({'a': faketorch.arange(5.)}, q, _use_new_zipfile_serialization=False)
    assert torch.load(q)['a'].tolist() == [0., 1., 2., 3., 4.]
    with pytest.raises(RuntimeError, match='mmap can only be used'):
        faketorch.load(p, mmap=True)


def test_pickle_and_deepcopy():
    t = faketorch.arange(6.).view(2, 3)
    assert faketorch.equal(pickle.loads(pickle.dumps(t)), t)
    c = copy.deepcopy(t)
    assert faketorch.equal(c, t) and c.data_ptr() != t.data_ptr()
    net = _net(faketorch)
    net2 = copy.deepcopy(net)
    _same(net.state_dict(), net2.state_dict())
    net3 = pickle.loads(pickle.dumps(net))
    _same(net.state_dict(), net3.state_dict())


def test_untyped_storage_save():
    t = faketorch.arange(4, dtype=faketorch.int32)
    s = t.untyped_storage()
    assert s.nbytes() == 16 and s.data_ptr() == t.data_ptr()
    got = _load(torch, _dump(faketorch, {'s': s}))
    assert got['s'].nbytes() == 16 and list(got['s'])[4] == 1
    for lib, x in ((torch, torch.arange(4, dtype=torch.int32)), (faketorch, t)):
        with pytest.raises(RuntimeError, match='view the same data as different types'):
            _dump(lib, {'t': x, 's': x.untyped_storage()})
