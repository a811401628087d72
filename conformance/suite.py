"""`python -m conformance`: run every case and the OpInfo driver, write the report.

Exit status 1 when an id listed in expected_pass.txt no longer passes.
"""
import argparse
import datetime
import os
import platform
import sys
import time

from . import module_db, opinfo, optim_db, report, runner

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, 'conformance-report')
QUICK = dict(max_samples=1, dtypes=('float32', 'int64'))


def run_suite(ref, impl, filter=None, with_opinfo=True, quick=False, progress=None):
    """(outcomes, opinfo plans) for everything selected."""
    cases, broken = runner.selected_cases(filter)
    outcomes = broken + runner.run_cases(cases, ref, impl, progress)
    plans = []
    if with_opinfo:
        if progress:
            progress('opinfo: loading op_db ...')
        opts = QUICK if quick else {}
        got, plans = opinfo.run_all(ref, impl, filter, progress=progress, **opts)
        outcomes += got
        # torch's ModuleInfo and OptimizerInfo databases, driven the same way
        got, _ = module_db.run_all(ref, impl, filter, progress=progress,
                                   **({'max_samples': 1} if quick else {}))
        outcomes += got
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
    p.add_argument('--update-expected', action='store_true',
                   help='rewrite expected_pass.txt: ids that ran are listed iff they pass')
    return p.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    log = runner.stderr_progress
    ref, impl = runner.load_ref(), runner.load_impl(args.impl)
    if args.update_expected and (args.quick or impl.__name__ != runner.DEFAULT_IMPL):
        sys.exit('--update-expected needs a full run against faketorch (no --quick, no other --impl)')
    log(f'conformance: torch {ref.__version__} vs {impl.__name__}'
        + (f' (import failed: {impl.import_error})' if getattr(impl, 'import_error', None) else ''))
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')
    t0 = time.perf_counter()
    outcomes, plans = run_suite(ref, impl, args.filter, not args.no_opinfo, args.quick, log)
    data = report.build(outcomes, meta(ref, impl, started, time.perf_counter() - t0, args),
                        plans, coverage())
    for path in report.write(data, args.out):
        log(f'wrote {os.path.relpath(path)}')
    log('total: ' + runner.counts_text(outcomes) + f' in {time.perf_counter() - t0:.0f} s')
    if args.update_expected:
        listed = runner.update_expected(outcomes, prune=not args.filter and not args.no_opinfo)
        log(f'expected_pass.txt: {len(listed)} ids')
        return 0
    expected = runner.read_expected()
    regressed = [o for o in outcomes if o.id in expected and o.status != 'pass']
    for o in regressed:
        log(f'REGRESSED {o.id}: {o.status}: {o.diff}')
    return 1 if regressed else 0
