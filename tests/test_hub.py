"""faketorch.hub downloads, served by a local http.server (no external network)."""
import functools
import hashlib
import http.server
import os
import threading

import pytest

import faketorch as torch
import faketorch.hub as hub


@pytest.fixture
def server(tmp_path):
    """Serve tmp_path/'www' on localhost; yields (base_url, www_dir, request paths)."""
    www = tmp_path / 'www'
    www.mkdir()
    seen = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Handler, directory=str(www)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f'http://127.0.0.1:{httpd.server_address[1]}', www, seen
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def hub_dir(tmp_path):
    old = hub._hub_dir[0]
    hub.set_dir(str(tmp_path / 'hub'))
    yield tmp_path / 'hub'
    hub._hub_dir[0] = old


def _checkpoint(www, stem):
    """Save a small state dict as <stem>-<sha256 prefix>.pth; returns (file name, state dict)."""
    sd = {'weight': torch.arange(6.).reshape(2, 3), 'bias': torch.tensor([1., -1.])}
    tmp = www / 'tmp.pth'
    torch.save(sd, str(tmp))
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
    name = f'{stem}-{digest[:8]}.pth'
    tmp.rename(www / name)
    return name, sd


def _same(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_load_state_dict_from_url_downloads_once(server, hub_dir):
    base, www, seen = server
    name, sd = _checkpoint(www, 'tiny')
    got = hub.load_state_dict_from_url(f'{base}/{name}', progress=False, check_hash=True)
    assert _same(got, sd)
    assert (hub_dir / 'checkpoints' / name).exists()
    again = hub.load_state_dict_from_url(f'{base}/{name}', progress=False)
    assert _same(again, sd)
    assert seen == [f'/{name}']                     # the second call used the cache
    assert not [p for p in os.listdir(hub_dir / 'checkpoints') if p.endswith('.partial')]


def test_bad_hash_raises_and_leaves_nothing(server, hub_dir):
    base, www, _ = server
    name, _ = _checkpoint(www, 'tiny')
    bad = name.replace('-', '-0', 1)                 # hash prefix that cannot match
    (www / bad).write_bytes((www / name).read_bytes())
    with pytest.raises(RuntimeError, match='invalid hash value'):
        hub.load_state_dict_from_url(f'{base}/{bad}', progress=False, check_hash=True)
    assert os.listdir(hub_dir / 'checkpoints') == []


def test_model_dir_file_name_and_model_zoo(server, tmp_path):
    import faketorch.utils.model_zoo as model_zoo
    base, www, _ = server
    name, sd = _checkpoint(www, 'net')
    got = model_zoo.load_url(f'{base}/{name}', model_dir=str(tmp_path / 'models'), file_name='mine.pth',
                             progress=False, map_location='cpu', weights_only=True)
    assert _same(got, sd)
    assert os.listdir(tmp_path / 'models') == ['mine.pth']


def test_download_url_to_file(server, tmp_path):
    base, www, _ = server
    (www / 'data.bin').write_bytes(b'x' * 300000)
    dst = tmp_path / 'out.bin'
    hub.download_url_to_file(f'{base}/data.bin', str(dst), hash_prefix=hashlib.sha256(b'x' * 300000).hexdigest()[:6],
                             progress=True)
    assert dst.read_bytes() == b'x' * 300000


def test_get_dir_follows_torch_home(monkeypatch, tmp_path):
    monkeypatch.setattr(hub, '_hub_dir', [None])
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'th'))
    assert hub.get_dir() == os.path.join(str(tmp_path / 'th'), 'hub')
    monkeypatch.delenv('TORCH_HOME')
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'xdg'))
    assert hub.get_dir() == os.path.join(str(tmp_path / 'xdg'), 'torch', 'hub')


@pytest.mark.parametrize('call', [lambda: hub.load('pytorch/vision', 'resnet18'), lambda: hub.list('pytorch/vision'),
                                  lambda: hub.help('pytorch/vision', 'resnet18')])
def test_github_entry_points_raise(call):
    with pytest.raises(RuntimeError, match='GitHub'):
        call()


def test_lazy_attribute():
    assert torch.hub is hub
