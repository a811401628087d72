"""Run an examples/ script on faketorch. `cpu`: as it is; `cuda`: with `cuda` (the CuPy stand-in, or a GPU)
as the default device; `gpu`: as it is, for scripts that pick the GPU themselves when torch.cuda.is_available()
(this checks that they did). CUDA tensors draw torch's CPU random stream (FAKETORCH_CUDA_RNG=cpu), so every
mode prints the same numbers. Usage: python tests/_example_on_device.py cpu|cuda|gpu examples/script.py"""
import os
import sys

os.environ['FAKETORCH_CUDA_RNG'] = 'cpu'
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

import faketorch  # noqa: E402
from compat.__main__ import run  # noqa: E402

mode = sys.argv[1]
if mode == 'cuda':
    faketorch.set_default_device('cuda')
status = run(sys.argv[2], sys.argv[3:])
if mode == 'gpu' and 'cupy' not in sys.modules:
    sys.exit('the script did not put anything on the GPU')
sys.exit(status)
