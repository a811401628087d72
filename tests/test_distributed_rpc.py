"""torch.distributed.rpc between spawned processes: tests/_rpc_worker.py makes the same calls (rpc_sync,
rpc_async, remote and RRefs, async_execution, a remote exception) under real torch and under faketorch;
tests/_dist_autograd_worker.py runs distributed autograd, RemoteModule and DistributedOptimizer the
same way; every worker's line must be the same."""
import os
import subprocess
import sys

import pytest

from test_distributed import ROOT, _free_port

WORKER = os.path.join(ROOT, 'tests', '_rpc_worker.py')
AUTOGRAD_WORKER = os.path.join(ROOT, 'tests', '_dist_autograd_worker.py')


def _lines(lib, ws, worker=WORKER):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get('PYTHONPATH')])))
    p = subprocess.run([sys.executable, worker, lib, str(ws), str(_free_port())], env=env, capture_output=True,
                       text=True, timeout=180)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    return sorted(line for line in p.stdout.splitlines() if line[:1].isdigit())


@pytest.mark.parametrize('world_size', [2, 3])
def test_rpc_matches_torch(world_size):
    pytest.importorskip('torch')
    expected = _lines('torch', world_size)
    got = _lines('faketorch', world_size)
    assert len(expected) == world_size
    assert got == expected


@pytest.mark.parametrize('world_size', [2, 3])
def test_dist_autograd_matches_torch(world_size):
    pytest.importorskip('torch')
    expected = _lines('torch', world_size, AUTOGRAD_WORKER)
    got = _lines('faketorch', world_size, AUTOGRAD_WORKER)
    assert len(expected) == world_size
    assert got == expected
