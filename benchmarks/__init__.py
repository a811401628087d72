"""Benchmarks: the same workload files run on torch and faketorch, reported as ratios."""


class Skip(Exception):
    """Raised by a workload's setup when an implementation cannot run it yet."""


def training_step(torch, model, opt, x, y):
    """One cross-entropy training step of `model` on (x, y), as a zero-argument callable."""
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return step


def inference(torch, model, x):
    """A forward pass under no_grad, as a zero-argument callable."""
    def f():
        with torch.no_grad():
            model(x)
    return f
