"""torch.save / torch.load of a 100 MB state_dict to a file (and mmap=True loading)."""
import os
import tempfile

_DIR = tempfile.mkdtemp(prefix='ft_bench_')


def _state(torch):
    torch.manual_seed(0)
    # 25 float32 tensors of 1M elements: 100 MB
    return {f'layer{i}.weight': torch.randn(1000, 1000) for i in range(25)}


def _path(torch):
    return os.path.join(_DIR, f'{torch.__name__}.pt')


def save_100mb(torch):
    sd, path = _state(torch), _path(torch)
    return lambda: torch.save(sd, path)


def load_100mb(torch):
    path = _path(torch)
    torch.save(_state(torch), path)
    return lambda: torch.load(path)


def load_100mb_mmap(torch):
    path = _path(torch)
    torch.save(_state(torch), path)
    return lambda: torch.load(path, mmap=True)


BENCHMARKS = {'save_100mb': save_100mb, 'load_100mb': load_100mb, 'load_100mb_mmap': load_100mb_mmap}
