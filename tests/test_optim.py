"""torch.optim against real torch: the optim conformance cases, a slice of optim_db, and the
array-level details (in-place updates, version counters, dtypes) the cases do not see."""
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import faketorch                                         # noqa: E402
import faketorch.nn                                       # noqa: E402,F401  (until faketorch imports it)
import faketorch.optim as foptim                         # noqa: E402
from conformance import optim_db                         # noqa: E402
from conformance.registry import CASES, load_cases       # noqa: E402
from conformance.runner import run_case                  # noqa: E402

load_cases()
OPTIM_CASES = sorted(i for i, c in CASES.items() if c.area == "optim" and not i.endswith("float64"))


@pytest.mark.parametrize('case_id', OPTIM_CASES)
def test_case(case_id):
    out = run_case(CASES[case_id], torch, faketorch)
    assert out.status == 'pass', out.diff


def _db_configs():
    """Each optimizer's first configuration, for-loop and foreach, float32."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        plans = optim_db.plans(torch, dtypes=('float32',))
    picked = []
    for p in plans:
        first = p.configs[0].desc
        picked += [c for c in p.configs if c.desc == first and c.impl in ('single', 'foreach')]
    return picked


@pytest.mark.parametrize('config', _db_configs(), ids=lambda c: c.id)
def test_optim_db(config):
    out = optim_db.run_config(config, torch, faketorch, 'faketorch')
    assert out.status == 'pass', out.diff


def test_update_in_place_keeps_dtype_and_bumps_version():
    p = faketorch.zeros(3, requires_grad=True)
    data = p._data
    opt = foptim.Adam([p], lr=0.1)
    p.grad = faketorch.ones(3)
    v = p._version
    opt.step()
    assert p._data is data and p.dtype is faketorch.float32 and p._version > v
    st = opt.state[p]
    assert st['step'].dtype is faketorch.float32 and st['step'].dim() == 0 and st['exp_avg'].dtype is faketorch.float32


def test_state_dict_from_torch_loads():
    """A state_dict saved by torch (converted tensor by tensor) resumes to torch's numbers."""
    tp = torch.nn.Parameter(torch.tensor([1.0, -2.0, 3.0]))
    fp = faketorch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    topt = torch.optim.SGD([tp], lr=0.1, momentum=0.9)
    tp.grad = torch.tensor([0.5, 0.5, -1.0])
    topt.step()
    sd = topt.state_dict()
    conv = {'state': {k: {n: faketorch.tensor(v.numpy()) for n, v in s.items()} for k, s in sd['state'].items()},
            'param_groups': sd['param_groups']}
    with faketorch.no_grad():
        fp.copy_(faketorch.tensor(tp.detach().numpy()))
    fopt = foptim.SGD([fp], lr=0.1, momentum=0.9)
    fopt.load_state_dict(conv)
    for p, o, mod in ((tp, topt, torch), (fp, fopt, faketorch)):
        p.grad = mod.tensor([1.0, 0.0, 2.0])
        o.step()
    np.testing.assert_allclose(fp.detach().numpy(), tp.detach().numpy(), rtol=1e-6)
