"""Whole scripts: each example runs under real torch and, unmodified, under faketorch (through
`python -m compat diff`); their printed output must be identical."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = sorted(f for f in os.listdir(os.path.join(ROOT, 'examples')) if f.endswith('.py'))


@pytest.mark.parametrize('script', EXAMPLES)
def test_example_output_identical(script):
    out = subprocess.run([sys.executable, '-m', 'compat', 'diff', os.path.join('examples', script)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert 'identical output' in out.stdout
