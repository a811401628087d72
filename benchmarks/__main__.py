"""python -m benchmarks: run every workload on torch and faketorch, interleaved; print ratios."""
import argparse
import importlib
import os
import pkgutil
import subprocess
import sys
import time

from . import Skip


def _time_call(fn, min_time=0.05):
    """Seconds per call: calibrate the loop count, then the best of three timed loops."""
    fn()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt >= min_time or n >= 1 << 20:
            break
        n *= 4 if dt < min_time / 8 else 2
    best = dt / n
    for _ in range(2):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - t0) / n)
    return best


def _import_time(mod, runs=5):
    """Best of `runs` fresh-interpreter imports, with bytecode caching on (as after a pip install:
    an installed package is imported from .pyc files, not compiled each time)."""
    code = f"import time; t=time.perf_counter(); import {mod}; print(time.perf_counter()-t)"
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONDONTWRITEBYTECODE'}
    subprocess.run([sys.executable, '-c', f'import {mod}'], capture_output=True, env=env)  # writes .pyc
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=env)
        if out.returncode:
            return None
        times.append(float(out.stdout))
    return min(times)


def _fmt(s):
    if s is None:
        return '-'
    if s < 1e-3:
        return f'{s * 1e6:.2f} us'
    if s < 1:
        return f'{s * 1e3:.2f} ms'
    return f'{s:.2f} s'


def main(argv=None):
    ap = argparse.ArgumentParser(prog='python -m benchmarks')
    ap.add_argument('--filter', default='')
    ap.add_argument('--repeat', type=int, default=3, help='interleaved rounds per workload')
    args = ap.parse_args(argv)
    import torch
    import faketorch
    impls = [('torch', torch), ('faketorch', faketorch)]
    try:
        from threadpoolctl import threadpool_info
        blas = ', '.join(f"{i.get('internal_api')}:{i.get('architecture')}" for i in threadpool_info())
    except ImportError:
        blas = 'unknown (threadpoolctl not installed)'
    print(f'torch {torch.__version__}, numpy BLAS: {blas}')
    rows = []
    pkg = importlib.import_module('benchmarks.workloads')
    for info in pkgutil.iter_modules(pkg.__path__):
        mod = importlib.import_module(f'benchmarks.workloads.{info.name}')
        for name, setup in mod.BENCHMARKS.items():
            full = f'{info.name}.{name}'
            if args.filter not in full:
                continue
            fns, best, why = {}, {}, None
            for label, m in impls:
                try:
                    m.manual_seed(0)
                    fns[label] = setup(m)
                except Skip as e:
                    why = f'skipped on {label}: {e}'
                except Exception as e:        # a missing feature: report, do not stop the run
                    why = f'failed on {label}: {type(e).__name__}: {e}'
            if why:
                rows.append((full, None, None, why))
                print(f'{full:40s} {why}', flush=True)
                continue
            for _ in range(args.repeat):
                for label, _m in impls:
                    t = _time_call(fns[label])
                    best[label] = min(best.get(label, t), t)
            ratio = best['faketorch'] / best['torch']
            rows.append((full, best['torch'], best['faketorch'], f'{ratio:.2f}x'))
            print(f'{full:40s} torch {_fmt(best["torch"]):>10s}  faketorch {_fmt(best["faketorch"]):>10s}'
                  f'  ratio {ratio:.2f}x', flush=True)
    if 'import' in 'import' + args.filter and (not args.filter or args.filter in 'import'):
        ti, tf = _import_time('torch'), _import_time('faketorch')
        print(f'{"import":40s} torch {_fmt(ti):>10s}  faketorch {_fmt(tf):>10s}'
              f'  ratio {tf / ti:.2f}x' if ti and tf else 'import: failed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
