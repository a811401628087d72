"""Whole scripts: each example runs under real torch and, unmodified, under faketorch (through
`python -m compat diff`); their printed output must be identical."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = sorted(f for f in os.listdir(os.path.join(ROOT, 'examples')) if f.endswith('.py'))


def _intel():
    try:
        with open('/proc/cpuinfo') as f:
            return 'GenuineIntel' in f.read(4096)
    except OSError:
        return False


# Examples whose printout follows MKL kernels that take another path on other CPUs (affine_grid's
# batched product, float32 transcendentals), which faketorch reproduces as on Intel's: identical
# there; elsewhere the numbers drift apart in the last printed digits after some steps.
_MKL_INTEL_ONLY = {'vit_stn.py', 'pinn_lbfgs.py'}


@pytest.mark.parametrize('script', [pytest.param(
    s, marks=pytest.mark.xfail(not _intel(), reason="MKL's kernel order differs on this CPU", strict=False))
    if s in _MKL_INTEL_ONLY else s for s in EXAMPLES])
def test_example_output_identical(script):
    out = subprocess.run([sys.executable, '-m', 'compat', 'diff', os.path.join('examples', script)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert 'identical output' in out.stdout
