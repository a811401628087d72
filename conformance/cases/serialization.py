"""torch.save / torch.load. Interop: the reference (real torch) runs first and writes the file;
faketorch's run then loads *torch's* bytes, so 'torch saves -> faketorch loads' is compared
directly. 'faketorch saves -> torch loads' is covered by comparing the archives' records byte
for byte (faketorch writes what torch writes)."""
import collections
import io
import pickle
import zipfile

import numpy as np

from conformance import case, check

_WRITTEN = {}


def _written_by_reference(torch, key, build):
    """Bytes saved by the first library to run this case (the reference: real torch)."""
    if torch.__name__ == 'torch' or key not in _WRITTEN:
        buf = io.BytesIO()
        torch.save(build(torch), buf)
        _WRITTEN[key] = buf.getvalue()
    return _WRITTEN[key]


def _nn(torch):
    return __import__(torch.__name__ + '.nn', fromlist=['nn'])


def _dtypes(torch):
    names = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'uint16', 'uint32', 'uint64', 'float16',
             'float32', 'float64', 'complex64', 'complex128']
    rs = np.random.RandomState(0)
    a = rs.standard_normal((2, 3)) * 50
    return {n: torch.tensor((np.abs(a) if n.startswith('uint') else a + 1j * a if n.startswith('complex')
                             else a > 0 if n == 'bool' else a).astype(n)) for n in names}


def _views(torch):
    base = torch.arange(12, dtype=torch.float32)
    return {'base': base, 'slice': base[3:7], 't': base.view(3, 4).t(), 'step': base[::5],
            'expand': torch.arange(3.).expand(2, 3), 'scalar': torch.tensor(2.5), 'empty': torch.zeros(0, 2)}


def _state_dicts(torch):
    nn = _nn(torch)
    optim = __import__(torch.__name__ + '.optim', fromlist=['optim'])
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 2))
    opt = optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    net(torch.ones(2, 1, 4, 4)).sum().backward()
    opt.step()
    return {'model': net.state_dict(), 'optim': opt.state_dict(), 'epoch': 1}


def _containers(torch):
    nn = _nn(torch)
    return collections.OrderedDict(p=nn.Parameter(torch.ones(2)), f=nn.Parameter(torch.ones(1), requires_grad=False),
                                   rg=torch.ones(2, requires_grad=True), nested=[(1, 2.5, 'x'), {'k': None}],
                                   s={1, 2}, b=b'\x00\xff', c=1 + 2j, big=2 ** 70, dt=torch.float16,
                                   dev=torch.device('cpu'), size=torch.Size([2, 3]))


for _name, _build in (('dtypes', _dtypes), ('views', _views), ('state_dicts', _state_dicts),
                      ('containers', _containers)):
    check('torch.load', lambda torch, n=_name, b=_build: torch.load(io.BytesIO(_written_by_reference(torch, n, b))),
          name=f'from_torch_{_name}')

    def _records(torch, b=_build, trained=_name == 'state_dicts'):
        buf = io.BytesIO()
        torch.save(b(torch), buf)
        z = zipfile.ZipFile(buf)
        # trained weights may differ in the last bit between the libraries: compare their layout only
        return [(i.filename, i.header_offset, i.file_size if trained and '/data/' in i.filename else z.read(i))
                for i in z.infolist() if 'serialization_id' not in i.filename]
    check('torch.save', _records, name=f'same_bytes_{_name}')


@case('torch.load', name='views_share_storage')
def views_share_storage(torch):
    d = torch.load(io.BytesIO(_written_by_reference(torch, 'views', _views)))
    d['base'][4] = 100.
    d['base'][5] = 50.
    return d['slice'], d['t'], d['step'], d['expand']


@case('torch.load', name='roundtrip_mmap_file')
def roundtrip_mmap_file(torch):
    import os
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, 'ckpt.pt')
        torch.save(_views(torch), p)
        out = torch.load(p, mmap=True, map_location='cpu')
        return out['slice'] + 1, out['t'].contiguous()


def _error(torch, data, **kw):
    try:
        torch.load(io.BytesIO(data), **kw)
    except Exception as e:
        return type(e).__name__, str(e)


class _Evil:
    def __reduce__(self):
        import os
        return (os.system, ('echo pwned',))


class _Eval:
    def __reduce__(self):
        return (eval, ("1+1",))


check('torch.load', lambda torch: _error(torch, _written_by_reference(torch, 'evil', lambda t: {'w': t.ones(2), 'x': [_Evil()]})),
      name='rejects_os_system')
check('torch.load', lambda torch: _error(torch, _written_by_reference(torch, 'eval', lambda t: {'x': {'y': _Eval()}})),
      name='rejects_eval')
check('torch.load', lambda torch: torch.load(io.BytesIO(_written_by_reference(torch, 'eval', lambda t: {'x': {'y': _Eval()}})),
                                             weights_only=False), name='weights_only_false_runs_pickle')
check('torch.serialization.get_unsafe_globals_in_checkpoint',
      lambda torch: sorted(__import__(torch.__name__ + '.serialization', fromlist=['s']).get_unsafe_globals_in_checkpoint(
          io.BytesIO(_written_by_reference(torch, 'evil', lambda t: {'w': t.ones(2), 'x': [_Evil()]})))))


def _truncated(torch, cut):
    data = _written_by_reference(torch, 'views', _views)
    return _error(torch, data[:cut] if cut >= 0 else data[:len(data) + cut])


for _cut in (0, 2, 100, -30):
    check('torch.load', lambda torch, c=_cut: _truncated(torch, c), name=f'truncated_{_cut}')
check('torch.load', lambda torch: _error(torch, b'not a checkpoint at all' * 4), name='junk')
check('torch.load', lambda torch: _error(torch, _written_by_reference(torch, 'views', _views), map_location='cuda:0')
      if not torch.cuda.is_available() else None, name='cuda_unavailable')
check('torch.load', lambda torch: _error(torch, _written_by_reference(torch, 'views', _views), pickle_module=pickle,
                                         weights_only=True), name='pickle_module_with_weights_only')
check('torch.load', lambda torch: _error(torch, _written_by_reference(torch, 'views', _views), mmap=True),
      name='mmap_needs_path')
