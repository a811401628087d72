"""FSDP1, FSDP2 and DTensor across processes: tests/_dist_fsdp_worker.py trains the same sharded models
under real torch (gloo) and under faketorch, with world sizes 2 and 3 spawned by each library's
multiprocessing.spawn; every rank's results must be identical (floats to the bit, except keys
starting with '~', after several optimizer steps)."""
import os
import pickle
import subprocess
import sys

import pytest

from test_distributed import ROOT, _free_port, _same

WORKER = os.path.join(ROOT, 'tests', '_dist_fsdp_worker.py')


def _run(lib, ws, part, tmp_path):
    pytest.importorskip('torch') if lib == 'torch' else None
    outdir = tmp_path / f'{lib}_{part}'
    outdir.mkdir()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get('PYTHONPATH')])))
    p = subprocess.run([sys.executable, WORKER, lib, str(ws), str(_free_port()), str(outdir), part], env=env,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    results = []
    for r in range(ws):
        with open(outdir / f'rank{r}.pkl', 'rb') as f:
            results.append(pickle.load(f))
    return results


@pytest.mark.parametrize('part', ['fsdp1', 'fsdp2'])
@pytest.mark.parametrize('world_size', [2, 3])
def test_fsdp_matches_torch(part, world_size, tmp_path):
    expected = _run('torch', world_size, part, tmp_path)
    got = _run('faketorch', world_size, part, tmp_path)
    for r, (a, b) in enumerate(zip(expected, got)):
        _same(a, b, f'rank{r}')
