"""CIFAR-like convnet (3x32x32 -> Conv 32 3x3 pad 1, ReLU, MaxPool 2, Conv 64 3x3 pad 1, ReLU, MaxPool 2,
Linear 4096-128-10), batch 64: one SGD-momentum training step and inference."""
from benchmarks import Skip


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
    x = torch.randn(64, 3, 32, 32)
    y = torch.randint(0, 10, (64,))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return step


def inference(torch):
    model = _model(torch)
    x = torch.randn(64, 3, 32, 32)

    def f():
        with torch.no_grad():
            model(x)
    return f


BENCHMARKS = {'step_sgd_momentum': step_sgd_momentum, 'inference': inference}
