"""torch.export in faketorch: what it cannot capture raises a clear error rather than exporting a graph
that computes something else (torch, which traces through its dispatcher, exports these)."""
import pytest

import faketorch as torch

nn = torch.nn


def _export(forward, *args, train=False):
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.bn = nn.BatchNorm1d(3)
            self.register_buffer('count', torch.zeros(3))

        def forward(self, *a):
            return forward(self, *a)
    m = M().train(train)
    return torch.export.export(m, args)


@pytest.mark.parametrize('forward, message', [
    (lambda self, x: torch.cumsum(x, 0), 'cannot capture torch.cumsum'),
    (lambda self, x: x * 2 if x.sum().item() > 0 else x, 'reads tensor data'),
    (lambda self, x: self.count.add_(x.sum(0)), 'in place'),
    (lambda self, x: x[torch.tensor([0, 1])], 'indexing with tensors'),
])
def test_uncapturable_calls_raise(forward, message):
    with pytest.raises(Exception, match=message):
        _export(forward, torch.randn(4, 3))


def test_batch_norm_in_training_mode_raises():
    with pytest.raises(NotImplementedError, match=r'call model\.eval\(\) before'):
        _export(lambda self, x: self.bn(x), torch.randn(4, 3), train=True)


def test_non_tensor_input_raises():
    with pytest.raises(NotImplementedError, match='only tensors and Python numbers'):
        _export(lambda self, x, n: x, torch.randn(4, 3), object())


def test_save_load_path_round_trip(tmp_path):
    ep = _export(lambda self, x: self.bn(x).relu() + self.count, torch.randn(4, 3))
    path = tmp_path / 'model.pt2'
    torch.export.save(ep, str(path))
    loaded = torch.export.load(str(path))
    x = torch.randn(5, 3)[:4]
    assert str(loaded.graph_signature) == str(ep.graph_signature)
    assert loaded.graph_module.code == ep.graph_module.code
    assert torch.equal(loaded.module()(x), ep.module()(x))


def test_run_decompositions_unknown_op_raises():
    ep = _export(lambda self, x: torch.nn.functional.adaptive_avg_pool1d(x, 2), torch.randn(4, 3))
    with pytest.raises(NotImplementedError, match='adaptive_avg_pool1d'):
        ep.run_decompositions()


def test_failed_export_leaves_buffers_alone():
    m = nn.BatchNorm1d(3)
    with pytest.raises(NotImplementedError):
        torch.export.export(m, (torch.randn(4, 3),))
    assert int(m.num_batches_tracked) == 0 and torch.equal(m.running_mean, torch.zeros(3))
