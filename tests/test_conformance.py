"""The conformance suite under pytest: one test per case id and per OpInfo id.

An id listed in conformance/expected_pass.txt must pass (a regression fails the
run). Any other id runs too and is marked xfail(strict=False): XPASS when it
already passes, XFAIL when not. `python -m conformance --update-expected`
rewrites the list. A broken case (NameError on torch, unbuildable inputs)
fails whether listed or not.

Environment: CONFORMANCE_OPINFO=0 leaves out the OpInfo ids;
CONFORMANCE_IMPL=torch runs the instrument against torch itself.
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from conformance import check, module_db, opinfo, optim_db, runner  # noqa: E402
from conformance.compare import compare, normalize, raised          # noqa: E402
from conformance.registry import CASES                              # noqa: E402

REF = runner.load_ref()
IMPL = runner.load_impl()
EXPECTED = runner.read_expected()
_CASES, _BROKEN = runner.selected_cases()
_DBS = os.environ.get('CONFORMANCE_OPINFO', '1') != '0'
PLANS = opinfo.plans(REF) if _DBS else []
_PLAN_OF = {i: p for p in PLANS for i in p.ids}
# ModuleInfo: one id per module and mode; OptimizerInfo: one id per configuration
_MODULE_OF = {module_db.case_id(info, m): info for info in (module_db.module_db() if _DBS else [])
              for m in ('train', 'eval', 'errors')}
_OPTIM_PLANS = optim_db.plans(REF) if _DBS else []
_OPTIM_OF = {i: p for p in _OPTIM_PLANS for i in p.ids}
IDS = [c.id for c in _CASES] + [b.id for b in _BROKEN] + list(_PLAN_OF) + list(_MODULE_OF) + list(_OPTIM_OF)


class Mismatch(AssertionError):
    """faketorch differs from torch, or lacks what the case needs."""


def _param(cid):
    listed = cid in EXPECTED
    marks = () if listed else pytest.mark.xfail(raises=Mismatch, strict=False, reason='not in expected_pass.txt')
    return pytest.param(cid, id=cid, marks=marks)


@pytest.fixture(scope='session')
def outcome_of():
    """Runs each case (each OpInfo, for all its ids) once per session."""
    cache = {b.id: b for b in _BROKEN}

    def get(cid):
        if cid not in cache:
            if cid in CASES:
                cache[cid] = runner.run_case(CASES[cid], REF, IMPL)
            elif cid in _PLAN_OF:
                cache.update((o.id, o) for o in opinfo.run_plan(_PLAN_OF[cid], REF, IMPL))
            elif cid in _MODULE_OF:
                cache.update((o.id, o) for o in module_db.run_info(_MODULE_OF[cid], REF, IMPL))
            else:
                cache.update((o.id, o) for o in optim_db.run_plan(_OPTIM_OF[cid], REF, IMPL))
            if cid not in cache:        # a database entry that produced no outcome for this id
                cache[cid] = runner.Outcome(cid, cid.split('::')[0], 'missing', 'no outcome produced')
        return cache[cid]
    return get


@pytest.mark.parametrize('cid', [_param(i) for i in IDS])
def test_conformance(cid, outcome_of):
    o = outcome_of(cid)
    if o.status == 'broken':
        pytest.fail(f'broken case: {o.diff}')
    if o.status != 'pass':
        raise Mismatch(f'{o.status}: {o.diff}')


def test_expected_ids_exist():
    """Every id in expected_pass.txt still names a case (renames must update the list)."""
    known = set(IDS) | set(CASES)
    if not _DBS:
        known |= {i for i in EXPECTED if '::opinfo' in i or '::moduleinfo_' in i or '::optimdb_' in i}
    assert sorted(EXPECTED - known) == []


# ------------------------------------------------------------ the instrument itself

def test_cases_are_deterministic_on_torch():
    """Torch against torch: every hand-written case must agree with itself (broken ones fail above)."""
    bad = [f'{o.id}: {o.diff}' for o in runner.run_cases(_CASES, REF, REF) if o.status in ('fail', 'missing')]
    assert bad == []


def _same(fn):
    return compare(normalize(fn(REF)), normalize(fn(REF)))


def test_compare_equal_results():
    torch = REF

    def results(torch):
        x = torch.ones(2, 2, requires_grad=True)
        y = (x * 3).sum()
        y.backward()
        return (y, x.grad, torch.Size([2, 3]), torch.float64, torch.device('cpu'), 1.5, 'text', None,
                {'a': [torch.tensor([float('nan'), 1.0])]}, torch.max(torch.arange(4.), 0), True)
    assert _same(results) is None
    assert compare(raised(ValueError('boom')), raised(ValueError('boom'))) is None
    assert torch.__name__ == 'torch'


def test_compare_reports_first_difference():
    t = REF
    a = normalize((t.tensor([1.0, 2.0]), t.tensor([[1.0, 2.0, 3.0]])))
    b = normalize((t.tensor([1.0, 2.0]), t.tensor([[1.0, 2.5, 3.0]])))
    assert compare(a, b) == 'values: 2.0 vs 2.5 at result[1][0, 1] (1 of 3 differ, max abs diff 0.5)'
    assert compare(normalize(t.zeros(2)), normalize(t.zeros(2, dtype=t.float64))) == \
        'dtype: torch.float32 vs torch.float64 at result'
    assert compare(normalize(t.zeros(2)), normalize(t.zeros(3))) == 'shape: (2,) vs (3,) at result'
    assert compare(normalize(t.ones(1)), normalize(t.ones(1) + 1e-7)) is None        # within float32 tolerance
    assert compare(normalize(t.ones(1)), normalize(t.ones(1) + 1e-7), exact=True) is not None
    assert compare(normalize(t.tensor(1)), normalize(t.tensor(True))).startswith('dtype:')
    x = t.ones(1, requires_grad=True)
    assert compare(normalize(x * 2), normalize((x * 2).detach())) == \
        'requires_grad: True vs False at result'
    assert compare(normalize('tensor([1., 2.])'), normalize('tensor([1, 2])')) == \
        "text: 'tensor([1., 2.])' vs 'tensor([1, 2])' at result"
    assert compare(raised(RuntimeError('a')), raised(ValueError('a'))) == \
        'raised RuntimeError: a vs raised ValueError: a at result'
    assert compare(normalize(1), normalize(1.0)) == '1 vs 1.0 at result'


def test_classify_missing_and_broken():
    def side(exc):
        return runner.Side(raised(exc))
    ok = runner.Side(normalize(1))
    assert runner.classify(ok, side(AttributeError("module 'faketorch' has no attribute 'nn'")),
                           'faketorch')[0] == 'missing'
    assert runner.classify(ok, side(AttributeError("'Tensor' object has no attribute 'foo'")),
                           'faketorch')[0] == 'missing'
    assert runner.classify(ok, side(AttributeError("'NoneType' object has no attribute 'zero_'")),
                           'faketorch')[0] == 'fail'
    assert runner.classify(side(NameError("name 'x' is not defined")), ok, 'faketorch')[0] == 'broken'


def test_unimportable_impl_is_all_missing():
    impl = runner.Unimportable('faketorch', SyntaxError('oops'))
    c = check('torch.exp', lambda torch: torch.exp(torch.zeros(1)), name='_instrument_probe')
    try:
        o = runner.run_case(c, REF, impl)
        assert (o.status, o.diff) == ('missing', 'ImportError: faketorch failed to import (SyntaxError: oops)')
    finally:
        del CASES[c.id]
