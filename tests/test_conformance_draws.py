"""conformance.runner.draw_on_cpu (the GPU run's torch draws its CPU stream for CUDA tensors), checked on the
CPU: wrapped for `cpu` tensors, torch's random functions and samplers must give what they give unwrapped
(same numbers, dtypes, layouts, requires_grad, errors). Run in a subprocess: the wrapping patches torch."""
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CODE = '''
import torch
from conformance.runner import draw_on_cpu

def calls(t):
    x = torch.zeros(3, 4)
    g = torch.Generator().manual_seed(3)
    return [
        lambda: t.rand(2, 3), lambda: t.randn(3, dtype=t.float64), lambda: t.randint(0, 5, (4,)),
        lambda: t.randint(7, (2, 2), dtype=t.int32), lambda: t.randperm(6), lambda: t.normal(0., 1., (3,)),
        lambda: t.normal(t.zeros(3), 1.), lambda: t.normal(t.zeros(3), t.ones(3)),
        lambda: t.bernoulli(t.full((4,), 0.5)), lambda: t.multinomial(t.ones(4), 2),
        lambda: t.poisson(t.ones(3)), lambda: t.rand_like(x.t()).stride(), lambda: t.rand_like(x.t()),
        lambda: t.randn_like(x, dtype=t.float64), lambda: t.randint_like(x, 5), lambda: t.randn(2, requires_grad=True),
        lambda: t.rand(2, generator=g), lambda: t.rand(2, out=torch.empty(2)),
        lambda: x.t().clone().uniform_(), lambda: x.t().contiguous().t().normal_(2, 3),
        lambda: torch.zeros(5, dtype=t.int64).random_(0, 10), lambda: x.clone().bernoulli_(0.3),
        lambda: x.clone().bernoulli_(t.full((3, 4), 0.7)), lambda: x.clone().exponential_(),
        lambda: x.clone().cauchy_(), lambda: x.clone().log_normal_(), lambda: x.clone().geometric_(0.4),
        lambda: x.clone().requires_grad_().uniform_(), lambda: x.expand(2, 3, 4).uniform_(),
    ]

def run(t):
    out = []
    for f in calls(t):
        torch.manual_seed(0)
        try:
            r = f()
            out.append((r.tolist(), str(r.dtype), r.stride(), r.requires_grad) if isinstance(r, torch.Tensor) else r)
        except Exception as e:
            out.append((type(e).__name__, str(e)))
    return out

before = run(torch)
draw_on_cpu(torch, 'cpu')
after = run(torch)
print(before == after, len(before), torch.rand.__name__)
'''


def test_draw_on_cpu_changes_nothing_on_the_cpu():
    out = subprocess.run([sys.executable, '-c', CODE], cwd=REPO, capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, PYTHONPATH=REPO))
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split() == ['True', '29', 'rand']
