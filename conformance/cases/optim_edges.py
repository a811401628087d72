"""Optimizer edges found by a fuzz against torch: flags checked at step time, step hooks."""
from conformance import case


def _param(torch):
    return torch.nn.Parameter(torch.ones(2, device='cpu'))     # capturable's check is about the device


def _step(opt, p):
    p.grad = p.detach().clone().fill_(0.5)
    opt.step()


@case('torch.optim.SGD')
def differentiable_leaf_param(torch):     # torch steps with grad on: the in-place update of a leaf fails
    p = _param(torch)
    _step(torch.optim.SGD([p], lr=0.1, momentum=0.9, differentiable=True), p)


@case('torch.optim.Adam')
def capturable_on_cpu(torch):
    out = []
    for name, kw in [('Adam', {}), ('Adadelta', {}), ('ASGD', {}), ('NAdam', {}), ('NAdam', {'foreach': True}),
                     ('RMSprop', {'foreach': True}), ('Rprop', {}), ('RAdam', {'foreach': True})]:
        p = _param(torch)
        try:
            _step(getattr(torch.optim, name)([p], capturable=True, **kw), p)
        except AssertionError as e:
            out.append(str(e))
    return out


@case('torch.optim.Optimizer.register_step_pre_hook')
def hook_args_hold_optimizer(torch):
    p = _param(torch)
    opt = torch.optim.SGD([p], lr=0.1)
    seen = []
    opt.register_step_pre_hook(lambda o, args, kwargs: seen.append((len(args), args[0] is o, kwargs)))
    opt.register_step_post_hook(lambda o, args, kwargs: seen.append((len(args), args[0] is o, kwargs)))
    _step(opt, p)
    return seen, p
