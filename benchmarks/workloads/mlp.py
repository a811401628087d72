"""MLP 784-256-128-10, batch 64, cross-entropy: one training step (SGD momentum / Adam), inference."""
from benchmarks import Skip, inference as _inference, training_step


def _model(torch):
    if not hasattr(torch, 'nn') or not hasattr(torch, 'optim'):
        raise Skip('needs torch.nn and torch.optim')
    nn = torch.nn
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def step_sgd_momentum(torch):
    model = _model(torch)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return training_step(torch, model, opt, torch.randn(64, 784), torch.randint(0, 10, (64,)))


def step_adam(torch):
    model = _model(torch)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return training_step(torch, model, opt, torch.randn(64, 784), torch.randint(0, 10, (64,)))


def inference(torch):
    return _inference(torch, _model(torch), torch.randn(64, 784))


BENCHMARKS = {'step_sgd_momentum': step_sgd_momentum, 'step_adam': step_adam, 'inference': inference}
