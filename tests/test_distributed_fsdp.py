"""FSDP1, FSDP2 and DTensor across processes: tests/_dist_fsdp_worker.py trains the same sharded models
under real torch (gloo) and under faketorch, with world sizes 2 and 3 spawned by each library's
multiprocessing.spawn; every rank's results must be identical (floats to the bit, except keys
starting with '~', after several optimizer steps)."""
import os

import pytest

from test_distributed import ROOT, _run as _run_worker, _same

WORKER = os.path.join(ROOT, 'tests', '_dist_fsdp_worker.py')


def _run(lib, ws, part, tmp_path):
    return _run_worker(lib, ws, tmp_path, WORKER, part)


@pytest.mark.parametrize('part', ['fsdp1', 'fsdp2'])
@pytest.mark.parametrize('world_size', [2, 3])
def test_fsdp_matches_torch(part, world_size, tmp_path):
    expected = _run('torch', world_size, part, tmp_path)
    got = _run('faketorch', world_size, part, tmp_path)
    for r, (a, b) in enumerate(zip(expected, got)):
        _same(a, b, f'rank{r}')


def _load_plain(lib, path):
    """A checkpoint loaded, in one process without a group, into the unsharded model of the worker."""
    import importlib
    import warnings
    torch = importlib.import_module(lib)
    dcp = importlib.import_module(lib + '.distributed.checkpoint')
    nn = torch.nn
    m = nn.Sequential(nn.Linear(5, 6), nn.ReLU(), nn.Sequential(nn.Linear(6, 7), nn.ReLU(), nn.Linear(7, 4)),
                      nn.Linear(4, 3))
    sd = {'model': m.state_dict(), 'step': 0}
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        dcp.load(sd, checkpoint_id=str(path), planner=dcp.DefaultLoadPlanner(allow_partial_load=True))
    return {k: v.detach().numpy().copy() for k, v in m.state_dict().items()}, sd['step']


@pytest.mark.parametrize('world_size', [2, 3])
def test_dcp_sharded_checkpoints_cross_load(world_size, tmp_path):
    """FSDP2 checkpoints saved by each library's ranks load in the other library (one process, no
    group), and each library's ranks load their own back."""
    pytest.importorskip('torch')
    expected = _run('torch', world_size, 'dcp', tmp_path)
    got = _run('faketorch', world_size, 'dcp', tmp_path)
    for r, (a, b) in enumerate(zip(expected, got)):
        _same(a, b, f'rank{r}')
    for saver in ('torch', 'faketorch'):
        path = tmp_path / f'{saver}_dcp' / 'ckpt'
        (ta, ts), (fa, fs) = _load_plain('torch', path), _load_plain('faketorch', path)
        assert ts == fs == 7
        assert sorted(ta) == sorted(fa)
        for k in ta:
            assert (ta[k] == fa[k]).all(), (saver, k)
            assert (ta[k] == expected[0]['full'][k][2]).all(), (saver, k)


def _sample(lib):
    import importlib
    torch = importlib.import_module(lib)
    g = torch.Generator().manual_seed(3)
    return {'w': torch.randn(4, 3, generator=g), 'i': torch.arange(5), 'h': torch.randn(3, generator=g).half(),
            'nested': {'b': torch.tensor([True, False]), 'list': [torch.ones(2), {'deep': torch.zeros(1)}]},
            'epoch': 4, 'name': 'abc', 'pair': (1, 'x'), 'bf': torch.randn(2, generator=g).bfloat16()}


def _empty_like(lib, sd):
    import importlib
    torch = importlib.import_module(lib)
    if isinstance(sd, dict):
        return {k: _empty_like(lib, v) for k, v in sd.items()}
    if isinstance(sd, list):
        return [_empty_like(lib, v) for v in sd]
    return torch.zeros_like(sd) if isinstance(sd, torch.Tensor) else None


def _numpy(sd):
    if isinstance(sd, dict):
        return {k: _numpy(v) for k, v in sd.items()}
    if isinstance(sd, list):
        return [_numpy(v) for v in sd]
    if hasattr(sd, 'detach'):
        return (str(sd.dtype).replace('faketorch', 'torch'), sd.detach().float().numpy().tolist())
    return sd


@pytest.mark.parametrize('saver,loader', [('faketorch', 'torch'), ('torch', 'faketorch')])
def test_dcp_single_process_cross_load(saver, loader, tmp_path):
    """Without a process group: one library's checkpoint (tensors of several dtypes, nested dicts and
    lists, objects) loads in the other, the files' metadata read back the same."""
    import importlib
    import warnings
    pytest.importorskip('torch')
    warnings.simplefilter('ignore')
    save = importlib.import_module(saver + '.distributed.checkpoint')
    load = importlib.import_module(loader + '.distributed.checkpoint')
    sd = _sample(saver)
    save.save(sd, checkpoint_id=str(tmp_path))
    target = _empty_like(loader, _sample(loader))
    load.load(target, checkpoint_id=str(tmp_path))
    assert _numpy(target) == _numpy(sd)
    a, b = (importlib.import_module(lib + '.distributed.checkpoint').FileSystemReader(str(tmp_path)).read_metadata()
            for lib in (saver, loader))
    assert repr(a.state_dict_metadata).replace('faketorch', 'torch') == \
        repr(b.state_dict_metadata).replace('faketorch', 'torch')
    assert a.planner_data == b.planner_data
