"""python -m benchmarks.gpu_profile [workload]: where faketorch's time goes in one GPU training step
(cProfile, by own time), to find the Python and CuPy overhead that the GPU benchmarks' ratios hide.
workload: mlp_step_b64 (default) or any name in benchmarks/workloads/gpu.py."""
import cProfile
import pstats
import sys
import time

import faketorch as torch
from benchmarks.workloads import gpu


def main(name='mlp_step_b64', steps=50):
    step = gpu.BENCHMARKS[name](torch)
    for _ in range(10):
        step()
    t = time.perf_counter()
    for _ in range(steps):
        step()
    print(f'{name}: {(time.perf_counter() - t) / steps * 1e3:.3f} ms per step')
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(steps):
        step()
    prof.disable()
    pstats.Stats(prof).sort_stats('tottime').print_stats(30)


if __name__ == '__main__':
    main(*sys.argv[1:2])
