"""`python -m conformance`: run every case and the OpInfo driver, write the report.

Exit status 1 when an id listed in expected_pass.txt no longer passes.
"""
import argparse
import datetime
import os
import platform
import sys
import time

from . import compare, module_db, opinfo, optim_db, report, runner

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, 'conformance-report')
QUICK = dict(max_samples=1, dtypes=('float32', 'int64'))


PARTS = ('cases', 'opinfo', 'module_db', 'optim_db')


def run_suite(ref, impl, filter=None, with_opinfo=True, quick=False, progress=None, parts=PARTS, shard=(0, 1)):
    """(outcomes, opinfo plans) for everything selected."""
    outcomes, plans = [], []
    if 'cases' in parts:
        cases, broken = runner.selected_cases(filter)
        cases = cases[shard[0]::shard[1]]
        outcomes += broken + runner.run_cases(cases, ref, impl, progress)
    if not with_opinfo:
        return outcomes, plans
    if 'opinfo' in parts:
        if progress:
            progress('opinfo: loading op_db ...')
        got, plans = opinfo.run_all(ref, impl, filter, progress=progress, **(QUICK if quick else {}))
        outcomes += got
    # torch's ModuleInfo and OptimizerInfo databases, driven the same way
    if 'module_db' in parts:
        got, _ = module_db.run_all(ref, impl, filter, progress=progress,
                                   **({'max_samples': 1} if quick else {}))
        outcomes += got
    if 'optim_db' in parts:
        got, _ = optim_db.run_all(ref, impl, filter, progress=progress)
        outcomes += got
    return outcomes, plans


def coverage():
    if REPO not in sys.path:
        sys.path.insert(0, REPO)
    try:
        from compat.inventory import inventory
        return inventory()
    except Exception as e:
        return f'{type(e).__name__}: {e}'


def meta(ref, impl, started, seconds, args):
    import numpy
    return {'torch': ref.__version__, 'impl': impl.__name__,
            'impl_version': getattr(impl, '__version__', None) if not isinstance(impl, runner.Unimportable) else None,
            'impl_import_error': getattr(impl, 'import_error', None),
            'started': started, 'seconds': round(seconds, 1),
            'python': platform.python_version(), 'numpy': numpy.__version__,
            'options': {k: v for k, v in vars(args).items() if v not in (None, False)}}


def parse(argv):
    p = argparse.ArgumentParser(prog='python -m conformance', description=__doc__.split('\n')[0])
    p.add_argument('--filter', metavar='SUBSTR', help='only ids containing SUBSTR')
    p.add_argument('--no-opinfo', action='store_true',
                   help="skip torch's test databases (OpInfo, ModuleInfo, OptimizerInfo)")
    p.add_argument('--quick', action='store_true',
                   help='OpInfo: 1 sample, float32 and int64 only')
    p.add_argument('--out', metavar='DIR', default=DEFAULT_OUT, help='report folder')
    p.add_argument('--impl', metavar='MODULE',
                   help=f'library under test (default ${runner.ENV_IMPL} or faketorch)')
    p.add_argument('--device', metavar='DEV',
                   help="default device of both libraries while cases run (e.g. cuda: faketorch on "
                        "CuPy against torch on CUDA)")
    p.add_argument('--emulated-cuda', action='store_true',
                   help='faketorch on a CuPy stand-in (conformance/fake_cupy, host memory) with cuda as '
                        "its default device, against torch on the CPU: tests faketorch's CUDA path "
                        'without a GPU')
    p.add_argument('--parts', metavar='LIST', default=','.join(PARTS),
                   help=f"comma-separated subset of {','.join(PARTS)} (default all)")
    p.add_argument('--journal', metavar='FILE',
                   help='hand cases: append each outcome to FILE and reuse those already there; with '
                        '--device cuda a case that kills the CUDA context ends the run with status 3 '
                        '(run again with the same FILE to go on)')
    p.add_argument('--shard', metavar='K/N', default='0/1',
                   help='hand cases: only every Nth, from the Kth (0-based): parallel CUDA runs, each '
                        'paying its own restarts after device-side asserts')
    p.add_argument('--update-expected', action='store_true',
                   help='rewrite expected_pass.txt: ids that ran are listed iff they pass')
    return p.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    log = runner.stderr_progress
    ref, impl = runner.load_ref(), runner.load_impl(args.impl)
    parts = tuple(args.parts.split(','))
    if set(parts) - set(PARTS):
        sys.exit(f'--parts: unknown {sorted(set(parts) - set(PARTS))}')
    shard = tuple(int(x) for x in args.shard.split('/'))
    if args.update_expected and (args.quick or args.device or parts != PARTS or shard != (0, 1)
                                 or impl.__name__ != runner.DEFAULT_IMPL):
        sys.exit('--update-expected needs a full run against faketorch (no --quick, --device, --parts, --impl)')
    expected_file = runner.EXPECTED_EMULATED if args.emulated_cuda else runner.EXPECTED
    if args.device:
        runner.use_device((ref, impl), args.device)
    if args.emulated_cuda:
        runner.emulate_cuda(impl)
    runner.JOURNAL[0] = args.journal
    log(f'conformance: torch {ref.__version__} vs {impl.__name__}'
        + (f' (import failed: {impl.import_error})' if getattr(impl, 'import_error', None) else ''))
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')
    t0 = time.perf_counter()
    try:
        outcomes, plans = run_suite(ref, impl, args.filter, not args.no_opinfo, args.quick, log, parts, shard)
    except runner.Poisoned:
        log('torch hit a CUDA device-side assert: this process cannot go on; run again to resume')
        sys.stdout.flush(), sys.stderr.flush()
        os._exit(3)         # a normal exit can hang tearing down the dead CUDA context
    if compare.WHERE:           # CONFORMANCE_WHERE=1: where faketorch raised, most frequent first
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, 'where.txt'), 'w') as f:
            for (kind, msg, where), n in sorted(compare.WHERE.items(), key=lambda kv: -kv[1]):
                f.write(f'{n:5d}  {where}  {kind}: {msg!r}\n')
    data = report.build(outcomes, meta(ref, impl, started, time.perf_counter() - t0, args),
                        plans, coverage())
    for path in report.write(data, args.out):
        log(f'wrote {os.path.relpath(path)}')
    log('total: ' + runner.counts_text(outcomes) + f' in {time.perf_counter() - t0:.0f} s')
    if args.update_expected:
        listed = runner.update_expected(outcomes, expected_file, prune=not args.filter and not args.no_opinfo)
        log(f'{os.path.basename(expected_file)}: {len(listed)} ids')
        return 0
    expected = runner.read_expected(expected_file)
    regressed = [o for o in outcomes if o.id in expected and o.status != 'pass']
    for o in regressed:
        log(f'REGRESSED {o.id}: {o.status}: {o.diff}')
    return 1 if regressed else 0
