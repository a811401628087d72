"""Run an examples/ script on faketorch with `cuda` (the CuPy stand-in, or a GPU) or `cpu` as the default
device; CUDA tensors draw torch's CPU random stream (FAKETORCH_CUDA_RNG=cpu), so both print the same.
Usage: python tests/_example_on_device.py cpu|cuda examples/script.py"""
import os
import sys

os.environ['FAKETORCH_CUDA_RNG'] = 'cpu'
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

import faketorch  # noqa: E402
from compat.__main__ import run  # noqa: E402

if sys.argv[1] == 'cuda':
    faketorch.set_default_device('cuda')
sys.exit(run(sys.argv[2], sys.argv[3:]))
