"""SyncBatchNorm's CUDA-only kernels (torch.batch_norm_stats, _elemt, _gather_stats(_with_counts),
_backward_reduce, _backward_elemt) on the emulated GPU: put together as SyncBatchNorm does over two "workers",
they give F.batch_norm's output, running statistics and gradients. (torch has no CPU kernels to compare them
with; the CPU errors are conformance cases in conformance/cases/leftover_names.py.)"""
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_SCRIPT = '''
import faketorch as torch
F = torch.nn.functional
torch.manual_seed(0)
kw = dict(device='cuda', dtype=torch.float64)
x, g = torch.randn(4, 3, 5, **kw), torch.randn(4, 3, 5, **kw)
w, b = torch.randn(3, **kw), torch.randn(3, **kw)
stats = [torch.batch_norm_stats(p, 1e-5) for p in (x[:2], x[2:])]
mean, invstd = torch.stack([s[0] for s in stats]), torch.stack([s[1] for s in stats])
rm, rv = torch.zeros(3, **kw), torch.ones(3, **kw)
m, i = torch.batch_norm_gather_stats_with_counts(x, mean, invstd, rm, rv, 0.1, 1e-5, torch.tensor([10., 10.], **kw))
out = torch.batch_norm_elemt(x, w, b, m, i, 1e-5)
xr, wr, br = (t.clone().requires_grad_() for t in (x, w, b))
rm2, rv2 = torch.zeros(3, **kw), torch.ones(3, **kw)
ref = F.batch_norm(xr, rm2, rv2, wr, br, True, 0.1, 1e-5)
ref.backward(g)
sdy, sdx, gw, gb = torch.batch_norm_backward_reduce(g, x, m, i, w, True, True, True)
gi = torch.batch_norm_backward_elemt(g, x, m, i, w, sdy, sdx, torch.tensor([10, 10], device='cuda', dtype=torch.int32))
m2, i2 = torch.batch_norm_gather_stats(x, mean, invstd, None, None, 0.1, 1e-5, 10)
print(max(float((a - c).abs().max()) for a, c in ((out, ref), (rm, rm2), (rv, rv2), (gi, xr.grad), (gw, wr.grad),
                                                  (gb, br.grad), (m2, m), (i2, i))))
'''


def test_sync_batchnorm_kernels_make_batch_norm():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([REPO, os.path.join(REPO, 'conformance', 'fake_cupy')]))
    run = subprocess.run([sys.executable, '-c', _SCRIPT], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert float(run.stdout.split()[-1]) < 1e-12
