"""LeNet-5 (Conv 1->6 5x5, ReLU, MaxPool 2, Conv 6->16 5x5, ReLU, MaxPool 2, Linear 256-120-84-10),
batch 64 of 28x28 images: one Adam training step, the conv forward+backward alone, and inference."""
from benchmarks import Skip, inference as _inference, training_step


def _model(torch):
    if not hasattr(torch, 'nn') or not hasattr(torch, 'optim'):
        raise Skip('needs torch.nn and torch.optim')
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84),
                         nn.ReLU(), nn.Linear(84, 10))


def step_adam(torch):
    model = _model(torch)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    return training_step(torch, model, opt, torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,)))


def conv2d_fwd_bwd(torch):
    if not hasattr(torch, 'nn'):
        raise Skip('needs torch.nn')
    x = torch.randn(64, 6, 12, 12, requires_grad=True)
    w = torch.randn(16, 6, 5, 5, requires_grad=True)
    b = torch.randn(16, requires_grad=True)
    F = torch.nn.functional

    def f():
        F.conv2d(x, w, b).sum().backward()
    return f


def inference(torch):
    return _inference(torch, _model(torch), torch.randn(64, 1, 28, 28))


BENCHMARKS = {'step_adam': step_adam, 'conv2d_fwd_bwd': conv2d_fwd_bwd, 'inference': inference}
