"""On CUDA (faketorch on CuPy against torch on CUDA): a tiny-op launch, the MLP step at batch 64 and
4096, the LeNet step at batch 64 and 1024, a small transformer classifier's AdamW step at batch 32,
a 4096x4096 float32 matmul. Each call ends with a
synchronize, so the time is the GPU's work plus the Python that launches it. Skipped without a GPU."""
from benchmarks import Skip, training_step
from benchmarks.workloads import lenet, mlp


def _cuda(torch):
    if not torch.cuda.is_available():
        raise Skip('no CUDA device')
    return torch.device('cuda')


def _synced(torch, f):
    def g():
        f()
        torch.cuda.synchronize()
    return g


def tiny_add(torch):
    x = torch.ones(8, device=_cuda(torch))
    return _synced(torch, lambda: x + 1)


def _step(torch, module, batch, shape):
    dev = _cuda(torch)
    model = module._model(torch).to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9) if module is mlp else \
        torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(batch, *shape, device=dev)
    y = torch.randint(0, 10, (batch,), device=dev)
    return _synced(torch, training_step(torch, model, opt, x, y))


def _transformer(torch):
    """Embedding(1000, 128) -> 2 TransformerEncoderLayers (4 heads, feed-forward 256) -> mean over the
    sequence -> Linear(128, 10)."""
    nn = torch.nn

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(1000, 128)
            layer = nn.TransformerEncoderLayer(128, 4, dim_feedforward=256, dropout=0.1, batch_first=True)
            self.encoder = nn.TransformerEncoder(layer, 2)
            self.head = nn.Linear(128, 10)

        def forward(self, tokens):
            return self.head(self.encoder(self.embed(tokens)).mean(1))
    return Classifier()


def transformer_step(torch, batch, seq):
    dev = _cuda(torch)
    model = _transformer(torch).to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x = torch.randint(0, 1000, (batch, seq), device=dev)
    y = torch.randint(0, 10, (batch,), device=dev)
    return _synced(torch, training_step(torch, model, opt, x, y))


def matmul_4096(torch):
    dev = _cuda(torch)
    a, b = torch.randn(4096, 4096, device=dev), torch.randn(4096, 4096, device=dev)
    return _synced(torch, lambda: a @ b)


BENCHMARKS = {
    'tiny_add': tiny_add,
    'mlp_step_b64': lambda torch: _step(torch, mlp, 64, (784,)),
    'mlp_step_b4096': lambda torch: _step(torch, mlp, 4096, (784,)),
    'lenet_step_b64': lambda torch: _step(torch, lenet, 64, (1, 28, 28)),
    'lenet_step_b1024': lambda torch: _step(torch, lenet, 1024, (1, 28, 28)),
    'transformer_step_b32': lambda torch: transformer_step(torch, 32, 64),
    'matmul_4096': matmul_4096,
}
