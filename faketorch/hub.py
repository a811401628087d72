"""torch.hub: downloading checkpoints into the hub cache and loading them.

``load``/``list``/``help`` run a GitHub repository's hubconf.py, which is torch code, so they are not
offered; ``load_state_dict_from_url`` and ``download_url_to_file`` work as in torch.
"""
import os
import re
import sys
from urllib.parse import urlparse     # also torch.hub.urlparse, which scripts import from here

__all__ = ['download_url_to_file', 'get_dir', 'help', 'list', 'load', 'load_state_dict_from_url', 'set_dir']

ENV_TORCH_HOME = 'TORCH_HOME'
ENV_XDG_CACHE_HOME = 'XDG_CACHE_HOME'
DEFAULT_CACHE_DIR = '~/.cache'
HASH_REGEX = re.compile(r'-([a-f0-9]*)\.')   # the sha256 prefix in 'resnet18-f37072fd.pth'
READ_DATA_CHUNK = 128 * 1024

_hub_dir = [None]


class _Faketqdm:
    """The download progress torch prints when the tqdm package is not installed: a percentage on stderr."""
    def __init__(self, total=None, disable=False, unit=None, *args, **kwargs):
        self.total, self.disable, self.n = total, disable, 0

    def update(self, n):
        if not self.disable:
            self.n += n
            sys.stderr.write(f'\r{self.n:.1f} bytes' if self.total is None else f'\r{100 * self.n / float(self.total):.1f}%')
            sys.stderr.flush()

    def set_description(self, *args, **kwargs):
        pass

    def write(self, s):
        sys.stderr.write(f'{s}\n')

    def close(self):
        self.disable = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if not self.disable:
            sys.stderr.write('\n')


try:
    from tqdm import tqdm
except ImportError:
    tqdm = _Faketqdm


def _get_torch_home():
    default = os.path.join(os.getenv(ENV_XDG_CACHE_HOME, DEFAULT_CACHE_DIR), 'torch')
    return os.path.expanduser(os.getenv(ENV_TORCH_HOME, default))


def get_dir():
    """The hub cache: set_dir's path, else $TORCH_HOME/hub, else $XDG_CACHE_HOME/torch/hub (~/.cache)."""
    if _hub_dir[0] is not None:
        return _hub_dir[0]
    return os.path.join(_get_torch_home(), 'hub')


def set_dir(d):
    _hub_dir[0] = os.path.expanduser(d)


def download_url_to_file(url, dst, hash_prefix=None, progress=True):
    """Download `url` to `dst` (through a temporary file next to it); check the sha256 prefix if given."""
    import hashlib
    import shutil
    import tempfile
    from urllib.request import Request, urlopen
    dst = os.path.expanduser(dst)
    u = urlopen(Request(url, headers={'User-Agent': 'torch.hub'}))
    size = u.info().get('Content-Length')
    size = int(size) if size is not None else None
    f = tempfile.NamedTemporaryFile(delete=False, dir=os.path.dirname(os.path.abspath(dst)),
                                    prefix=os.path.basename(dst) + '.', suffix='.partial')
    try:
        sha = hashlib.sha256() if hash_prefix is not None else None
        with tqdm(total=size, disable=not progress, unit='B', unit_scale=True, unit_divisor=1024) as bar:
            while True:
                buf = u.read(READ_DATA_CHUNK)
                if not buf:
                    break
                f.write(buf)
                if sha is not None:
                    sha.update(buf)
                bar.update(len(buf))
        f.close()
        if sha is not None:
            digest = sha.hexdigest()
            if digest[:len(hash_prefix)] != hash_prefix:
                raise RuntimeError(f'invalid hash value (expected "{hash_prefix}", got "{digest}")')
        shutil.move(f.name, dst)
    finally:
        f.close()
        u.close()
        if os.path.exists(f.name):
            os.remove(f.name)


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True, check_hash=False,
                             file_name=None, weights_only=False):
    """Download a checkpoint into <hub dir>/checkpoints (once) and faketorch.load it."""
    from . import serialization
    if model_dir is None:
        model_dir = os.path.join(get_dir(), 'checkpoints')
    os.makedirs(model_dir, exist_ok=True)
    filename = file_name or os.path.basename(urlparse(url).path)
    cached_file = os.path.join(model_dir, filename)
    if not os.path.exists(cached_file):
        sys.stderr.write(f'Downloading: "{url}" to {cached_file}\n')
        hash_prefix = None
        if check_hash:
            r = HASH_REGEX.search(filename)
            hash_prefix = r.group(1) if r else None
        download_url_to_file(url, cached_file, hash_prefix, progress=progress)
    return serialization.load(cached_file, map_location=map_location, weights_only=weights_only)


def _no_repos(*args, **kwargs):
    raise RuntimeError('faketorch.hub cannot load models from GitHub repositories: their hubconf.py runs '
                       'torch code. Build the model in your script and use '
                       'torch.hub.load_state_dict_from_url(...) for its weights.')


def load(repo_or_dir, model, *args, source='github', trust_repo='check', force_reload=False, verbose=True,
         skip_validation=False, **kwargs):
    _no_repos()


def list(github, force_reload=False, skip_validation=False, trust_repo='check', verbose=True):
    _no_repos()


def help(github, model, force_reload=False, skip_validation=False, trust_repo='check'):
    _no_repos()
