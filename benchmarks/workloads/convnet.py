"""CIFAR-like convnet (3x32x32 -> Conv 32 3x3 pad 1, ReLU, MaxPool 2, Conv 64 3x3 pad 1, ReLU, MaxPool 2,
Linear 4096-128-10), batch 64: one SGD-momentum training step and inference."""
from benchmarks import Skip, inference as _inference, training_step


def _model(torch):
    if not hasattr(torch, 'nn') or not hasattr(torch, 'optim'):
        raise Skip('needs torch.nn and torch.optim')
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(64 * 8 * 8, 128), nn.ReLU(), nn.Linear(128, 10))


def step_sgd_momentum(torch):
    model = _model(torch)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return training_step(torch, model, opt, torch.randn(64, 3, 32, 32), torch.randint(0, 10, (64,)))


def inference(torch):
    return _inference(torch, _model(torch), torch.randn(64, 3, 32, 32))


BENCHMARKS = {'step_sgd_momentum': step_sgd_momentum, 'inference': inference}
