"""torch.nn part A against real torch: the nn / nn_functional conformance cases and a module_db slice."""
import importlib

import pytest

torch = pytest.importorskip('torch')
import faketorch  # noqa: E402
import faketorch.nn  # noqa: E402,F401
from conformance.registry import CASES  # noqa: E402
from conformance.runner import run_case  # noqa: E402

AREAS = ('nn', 'nn_functional')
for _a in AREAS:
    importlib.import_module('conformance.cases.' + _a)
_CASES = [c for c in CASES.values() if c.area in AREAS]


@pytest.mark.parametrize('c', _CASES, ids=[c.id for c in _CASES])
def test_case(c):
    o = run_case(c, torch, faketorch)
    assert o.status == 'pass', f'{o.status}: {o.diff}\n torch: {o.ref}\n faketorch: {o.impl}'


# module_db entries owned by part A (modules in linear/activation/loss/sparse/... files)
_MODULES = ('nn.Linear', 'nn.Bilinear', 'nn.ReLU', 'nn.GELU', 'nn.Softmax', 'nn.LogSoftmax', 'nn.PReLU',
            'nn.Embedding', 'nn.MultiheadAttention', 'nn.CrossEntropyLoss', 'nn.NLLLoss', 'nn.BCEWithLogitsLoss',
            'nn.MSELoss', 'nn.CTCLoss', 'nn.Mish', 'nn.Hardswish', 'nn.Threshold', 'nn.MultiMarginLoss',
            'nn.HuberLoss', 'nn.LinearCrossEntropyLoss', 'nn.TransformerEncoderLayer')


@pytest.mark.parametrize('name', _MODULES)
def test_module_db(name):
    from conformance import module_db
    info = next(i for i in module_db.module_db() if i.name == name)
    outs = module_db.run_info(info, torch, faketorch, max_samples=2)
    bad = [f'{o.id}: {o.status} {o.diff}' for o in outs if o.status != 'pass']
    assert not bad, '\n'.join(bad)


def test_linear_single_node_and_float32():
    lin = faketorch.nn.Linear(3, 2)
    y = lin(faketorch.ones(4, 3))
    assert y.dtype is faketorch.float32 and y.grad_fn.name() == 'AddmmBackward0'
    assert [type(n).__name__ for n, _ in y.grad_fn.next_functions] == ["AccumulateGrad", "NoneType", "TBackward0"]


def test_module_pickle_and_deepcopy():
    import copy
    import pickle
    m = faketorch.nn.Sequential(faketorch.nn.Linear(2, 3), faketorch.nn.ReLU())
    for m2 in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert repr(m2) == repr(m)
        assert type(m2[0].weight).__name__ == 'Parameter'
        assert (m2[0].weight.detach().numpy() == m[0].weight.detach().numpy()).all()
        assert m2[0].weight is not m[0].weight
