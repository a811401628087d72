"""torch.distributed across processes: tests/_dist_worker.py runs the same collectives, DDP
steps and object collectives under real torch (gloo) and under faketorch, each with world size 2
and 3 spawned by its own multiprocessing.spawn; every rank's results must be identical (floats to
the bit: faketorch reduces in gloo's ring order)."""
import os
import pickle
import socket
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKER = os.path.join(ROOT, 'tests', '_dist_worker.py')


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _run(lib, ws, tmp_path, worker=WORKER, *extra):
    """Each rank's pickled results from `worker lib ws port outdir *extra`."""
    pytest.importorskip('torch') if lib == 'torch' else None
    outdir = tmp_path / '_'.join((lib,) + extra)
    outdir.mkdir()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get('PYTHONPATH')])))
    p = subprocess.run([sys.executable, worker, lib, str(ws), str(_free_port()), str(outdir), *extra], env=env,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    results = []
    for r in range(ws):
        with open(outdir / f'rank{r}.pkl', 'rb') as f:
            results.append(pickle.load(f))
    return results


def _same(a, b, where, approx=False):
    if approx and isinstance(a, float):
        assert b == pytest.approx(a, rel=1e-5), where
        return
    if isinstance(a, tuple) and len(a) == 3 and a[0] == 'tensor':
        assert isinstance(b, tuple) and b[0] == 'tensor', where
        assert a[1] == b[1], f'{where}: dtype {a[1]} != {b[1]}'
        assert a[2].shape == b[2].shape, f'{where}: shape {a[2].shape} != {b[2].shape}'
        if approx:
            np.testing.assert_allclose(b[2], a[2], rtol=1e-5, atol=1e-6, err_msg=where)
        else:
            assert np.array_equal(a[2], b[2], equal_nan=True), f'{where}:\n{a[2]}\n{b[2]}'
        return
    if isinstance(a, dict):
        assert isinstance(b, dict) and sorted(a) == sorted(b), f'{where}: keys {sorted(a)} != {sorted(b) if isinstance(b, dict) else b}'
        for k in a:
            _same(a[k], b[k], f'{where}.{k}', approx or str(k).startswith('~'))
        return
    if isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), f'{where}: {a!r} != {b!r}'
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f'{where}[{i}]', approx)
        return
    if isinstance(a, str) and isinstance(b, str):
        a, b = a.replace('faketorch.', 'torch.'), b.replace('faketorch.', 'torch.')
    assert a == b, f'{where}: {a!r} != {b!r}'


@pytest.mark.parametrize('world_size', [2, 3])
def test_collectives_match_torch(world_size, tmp_path):
    expected = _run('torch', world_size, tmp_path)
    got = _run('faketorch', world_size, tmp_path)
    for r, (a, b) in enumerate(zip(expected, got)):
        _same(a, b, f'rank{r}')


_LAUNCHED = r'''
import importlib, os, sys
torch = importlib.import_module(sys.argv[1])
dist = importlib.import_module(sys.argv[1] + '.distributed')
dist.init_process_group('gloo')
t = torch.arange(3.) * (dist.get_rank() + 1)
dist.all_reduce(t)
line = [os.environ['LOCAL_RANK'], os.environ['LOCAL_WORLD_SIZE'], dist.get_rank(), dist.get_world_size(),
        t.tolist(), dist.is_torchelastic_launched()]
sys.stdout.write(' '.join(map(str, line)) + '\n')     # one write: the ranks share the pipe
sys.stdout.flush()
dist.destroy_process_group()
'''


def test_run_launcher_matches_torchrun(tmp_path):
    """python -m faketorch.distributed.run sets what torchrun sets: env:// init joins the ranks."""
    pytest.importorskip('torch')
    script = tmp_path / 'launched.py'
    script.write_text(_LAUNCHED)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get('PYTHONPATH')])))
    outs = []
    for lib in ('torch', 'faketorch'):
        p = subprocess.run([sys.executable, '-m', f'{lib}.distributed.run', '--standalone', '--nproc_per_node=2',
                            str(script), lib], env=env, capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stdout + p.stderr
        outs.append(sorted(p.stdout.splitlines()))
    assert outs[0] == outs[1]
    assert len(outs[0]) == 2
