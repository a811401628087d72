"""MLP 784-256-128-10, batch 64, cross-entropy: one training step (SGD momentum / Adam)."""
from benchmarks import Skip


def _setup(torch, opt_name):
    if not hasattr(torch, 'nn') or not hasattr(torch, 'optim'):
        raise Skip('needs torch.nn and torch.optim')
    nn = torch.nn
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                          nn.Linear(128, 10))
    if opt_name == 'sgd':
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(64, 784)
    y = torch.randint(0, 10, (64,))
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return step


def step_sgd_momentum(torch):
    return _setup(torch, 'sgd')


def step_adam(torch):
    return _setup(torch, 'adam')


def inference(torch):
    if not hasattr(torch, 'nn'):
        raise Skip('needs torch.nn')
    nn = torch.nn
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                          nn.Linear(128, 10))
    x = torch.randn(64, 784)

    def f():
        with torch.no_grad():
            model(x)
    return f


BENCHMARKS = {'step_sgd_momentum': step_sgd_momentum, 'step_adam': step_adam, 'inference': inference}
