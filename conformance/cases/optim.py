"""torch.optim: trajectories of every optimizer, schedulers' lr sequences, reprs, state_dict
round trips, hooks, errors, and whole training loops."""
import importlib
import warnings

import numpy as np

from conformance import case, check


def _optim(torch):
    return importlib.import_module(torch.__name__ + '.optim')


def _params(torch, dtype='float32', shapes=((3, 4), (4,))):
    rs = np.random.RandomState(0)
    return [torch.tensor(rs.standard_normal(s).astype(dtype), requires_grad=True) for s in shapes]


def _trajectory(torch, name, kwargs, steps=8, dtype='float32', shapes=((3, 4), (4,))):
    """Params and state after each of `steps` steps on a fixed gradient sequence."""
    ps = _params(torch, dtype, shapes)
    opt = getattr(_optim(torch), name)(ps, **kwargs)
    out = []
    for k in range(steps):
        rs = np.random.RandomState(100 + k)
        for p in ps:
            p.grad = torch.tensor(rs.standard_normal(tuple(p.shape)).astype(dtype))
        opt.step()
        out.append(([p.detach().clone() for p in ps], opt.state_dict()['state']))
    return out


TRAJECTORIES = {
    'SGD': [{}, {'momentum': 0.9}, {'momentum': 0.9, 'nesterov': True}, {'momentum': 0.5, 'dampening': 0.3},
            {'lr': 0.1, 'weight_decay': 0.01, 'maximize': True}],
    'Adam': [{}, {'lr': 0.01, 'amsgrad': True}, {'weight_decay': 0.1}, {'betas': (0.8, 0.99), 'maximize': True}],
    'AdamW': [{}, {'amsgrad': True, 'weight_decay': 0.5}],
    'Adamax': [{}, {'weight_decay': 0.1}],
    'NAdam': [{}, {'momentum_decay': 0.01, 'weight_decay': 0.1, 'decoupled_weight_decay': True}],
    'RAdam': [{}, {'weight_decay': 0.1, 'decoupled_weight_decay': True}],
    'RMSprop': [{}, {'centered': True}, {'momentum': 0.9, 'weight_decay': 0.1}],
    'Adagrad': [{}, {'lr_decay': 0.1, 'initial_accumulator_value': 0.5}],
    'Adadelta': [{}, {'rho': 0.5, 'weight_decay': 0.1}],
    'ASGD': [{}, {'t0': 3, 'lambd': 0.01}],
    'Rprop': [{}, {'etas': (0.3, 1.7), 'step_sizes': (1e-3, 1.0)}],
    'Adafactor': [{}, {'weight_decay': 0.1, 'd': 2.0}],
}
for _name, _configs in TRAJECTORIES.items():
    for _i, _kw in enumerate(_configs):
        for _dt in ('float32', 'float64'):
            check(f'torch.optim.{_name}', lambda torch, n=_name, kw=_kw, dt=_dt: _trajectory(torch, n, kw, dtype=dt),
                  name=f'trajectory{_i}_{_dt}')
check('torch.optim.Muon', lambda torch: _trajectory(torch, 'Muon', {'lr': 0.02}, shapes=((3, 4), (5, 2))),
      name='trajectory', atol=1e-4, rtol=1e-4)
check('torch.optim.SGD', lambda torch: _trajectory(torch, 'SGD', {'lr': torch.tensor(0.01), 'momentum': 0.9}),
      name='tensor_lr')


# ------------------------------------------------------------------ repr, groups, state_dict

for _name in ('SGD', 'Adam', 'AdamW', 'Adamax', 'NAdam', 'RAdam', 'RMSprop', 'Adagrad', 'Adadelta', 'ASGD',
              'Rprop', 'Adafactor', 'LBFGS', 'SparseAdam'):
    check(f'torch.optim.{_name}', lambda torch, n=_name: repr(getattr(_optim(torch), n)(_params(torch))),
          name='repr')
check('torch.optim.Muon', lambda torch: repr(_optim(torch).Muon(_params(torch, shapes=((2, 2),)))), name='repr')


@case('torch.optim.SGD', name='repr_groups')
def repr_groups(torch):
    a, b = _params(torch)
    opt = _optim(torch).SGD([{'params': [a]}, {'params': b, 'lr': 0.5, 'momentum': 0.9}], lr=0.1)
    return repr(opt), opt.param_groups[1]['lr'], opt.param_groups[0]['momentum']


@case('torch.optim.Optimizer.state_dict', name='round_trip_adam')
def round_trip_adam(torch):
    optim = _optim(torch)
    ps = _params(torch)
    opt = optim.Adam(ps, lr=0.01, amsgrad=True)
    for k in range(3):
        for p in ps:
            p.grad = torch.ones_like(p) * (k + 1)
        opt.step()
    sd = opt.state_dict()
    ps2 = [p.detach().clone().requires_grad_() for p in ps]
    opt2 = optim.Adam(ps2, lr=0.5)
    opt2.load_state_dict(sd)
    for p, q in zip(ps, ps2):
        p.grad = torch.full_like(p, 0.5)
        q.grad = torch.full_like(q, 0.5)
    opt.step()
    opt2.step()
    return sd, opt2.state_dict(), ps, ps2, opt2.param_groups[0]['lr']


@case('torch.optim.Optimizer.state_dict', name='sgd_groups')
def sd_groups(torch):
    a, b = _params(torch)
    opt = _optim(torch).SGD([{'params': [a]}, {'params': [b], 'lr': 0.5}], lr=0.1, momentum=0.9)
    a.grad, b.grad = torch.ones_like(a), torch.ones_like(b)
    opt.step()
    return opt.state_dict()


@case('torch.optim.Optimizer.load_state_dict', name='mismatched_groups')
def load_mismatch(torch):
    a, b = _params(torch)
    sd = _optim(torch).SGD([a, b], lr=0.1).state_dict()
    return _optim(torch).SGD([{'params': [a]}, {'params': [b]}], lr=0.1).load_state_dict(sd)


@case('torch.optim.Optimizer.load_state_dict', name='mismatched_sizes')
def load_mismatch_size(torch):
    a, b = _params(torch)
    sd = _optim(torch).SGD([a, b], lr=0.1).state_dict()
    return _optim(torch).SGD([a], lr=0.1).load_state_dict(sd)


@case('torch.optim.Optimizer.zero_grad')
def zero_grad(torch):
    a, b = _params(torch)
    opt = _optim(torch).SGD([a, b], lr=0.1)
    a.grad, b.grad = torch.ones_like(a), torch.ones_like(b)
    opt.zero_grad(set_to_none=False)
    first = (a.grad, b.grad)
    opt.zero_grad()
    return first, a.grad, b.grad


@case('torch.optim.Optimizer.add_param_group')
def add_group(torch):
    a, b = _params(torch)
    opt = _optim(torch).Adam([a], lr=0.1)
    opt.add_param_group({'params': b, 'weight_decay': 0.5})
    return repr(opt), len(opt.param_groups)


@case('torch.optim.Optimizer.register_step_pre_hook')
def step_hooks(torch):
    a, = _params(torch, shapes=((2,),))
    opt = _optim(torch).SGD([a], lr=0.1)
    log = []
    h1 = opt.register_step_pre_hook(lambda o, args, kw: log.append(('pre', float(a.sum()))))
    opt.register_step_post_hook(lambda o, args, kw: log.append(('post', float(a.sum()))))
    a.grad = torch.ones_like(a)
    opt.step()
    h1.remove()
    opt.step()
    return log


@case('torch.optim.SGD', name='closure_loss')
def closure_loss(torch):
    a, = _params(torch, shapes=((3,),))
    opt = _optim(torch).SGD([a], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        return loss
    return opt.step(closure), a


@case('torch.optim.LBFGS', name='strong_wolfe', rtol=1e-5)
def lbfgs(torch):
    a = torch.tensor([1.5, -0.5, 2.0], dtype=torch.float64, requires_grad=True)
    opt = _optim(torch).LBFGS([a], lr=1, line_search_fn='strong_wolfe')

    def closure():
        opt.zero_grad()
        loss = ((a - 1) ** 4).sum() + (a * a).sum()     # smooth, minimum away from 0
        loss.backward()
        return loss
    losses = [float(opt.step(closure)) for _ in range(3)]
    return losses, a, opt.state_dict()['state'][0]['n_iter'], opt.state_dict()['state'][0]['func_evals']


# ------------------------------------------------------------------ bad input

def _bad(name, **kwargs):
    return lambda torch: getattr(_optim(torch), name)(_params(torch), **kwargs)


check('torch.optim.SGD', _bad('SGD', lr=-1), name='bad_lr')
check('torch.optim.SGD', _bad('SGD', momentum=-0.5), name='bad_momentum')
check('torch.optim.SGD', _bad('SGD', lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), name='bad_nesterov')
check('torch.optim.Adam', _bad('Adam', betas=(1.0, 0.999)), name='bad_beta0')
check('torch.optim.Adam', _bad('Adam', betas=(0.9, -0.1)), name='bad_beta1')
check('torch.optim.Adam', _bad('Adam', eps=-1e-8), name='bad_eps')
check('torch.optim.AdamW', _bad('AdamW', weight_decay=-0.1), name='bad_weight_decay')
check('torch.optim.Rprop', _bad('Rprop', etas=(1.5, 1.2)), name='bad_etas')
check('torch.optim.SGD', lambda torch: _optim(torch).SGD([], lr=0.1), name='empty')
check('torch.optim.SGD', lambda torch: _optim(torch).SGD(_params(torch)[0], lr=0.1), name='tensor_params')
check('torch.optim.SGD', lambda torch: _optim(torch).SGD([_params(torch)[0], 3.0], lr=0.1), name='non_tensor')
check('torch.optim.SGD', lambda torch: _optim(torch).SGD([_params(torch)[0] * 2], lr=0.1), name='non_leaf')
check('torch.optim.SGD', lambda torch: _optim(torch).SGD({_params(torch)[0]}, lr=0.1), name='set_params')


@case('torch.optim.SGD', name='two_groups')
def two_groups(torch):
    a, b = _params(torch)
    return _optim(torch).SGD([{'params': [a, b]}, {'params': [b]}], lr=0.1)


@case('torch.optim.SparseAdam', name='dense_grad')
def sparse_adam_dense(torch):
    a, = _params(torch, shapes=((3,),))
    opt = _optim(torch).SparseAdam([a])
    a.grad = torch.ones_like(a)
    return opt.step()


# ------------------------------------------------------------------ lr schedulers

SCHEDULERS = {
    'LambdaLR': lambda L, o: L.LambdaLR(o, lambda e: 0.95 ** e),
    'MultiplicativeLR': lambda L, o: L.MultiplicativeLR(o, lambda e: 0.97),
    'StepLR': lambda L, o: L.StepLR(o, step_size=7, gamma=0.5),
    'MultiStepLR': lambda L, o: L.MultiStepLR(o, milestones=[3, 8, 8, 20], gamma=0.3),
    'ConstantLR': lambda L, o: L.ConstantLR(o, factor=0.25, total_iters=6),
    'LinearLR': lambda L, o: L.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=13),
    'ExponentialLR': lambda L, o: L.ExponentialLR(o, gamma=0.93),
    'PolynomialLR': lambda L, o: L.PolynomialLR(o, total_iters=17, power=2.0),
    'CosineAnnealingLR': lambda L, o: L.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
    'SequentialLR': lambda L, o: L.SequentialLR(o, [L.LinearLR(o, 0.1, 1.0, 5), L.CosineAnnealingLR(o, 20)],
                                                milestones=[5]),
    'ChainedScheduler': lambda L, o: L.ChainedScheduler([L.ConstantLR(o, 0.5, 4), L.ExponentialLR(o, 0.9)]),
    'CyclicLR': lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4, mode='triangular2'),
    'OneCycleLR': lambda L, o: L.OneCycleLR(o, max_lr=0.5, total_steps=100),
    'CosineAnnealingWarmRestarts': lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.001),
}


def _lr_sequence(torch, make, steps=100, opt_name='SGD', groups=1):
    optim = _optim(torch)
    ps = _params(torch)
    kw = {'momentum': 0.9} if opt_name == 'SGD' else {}
    params = [{'params': [p], 'lr': 0.1 * (i + 1)} for i, p in enumerate(ps[:groups])]
    opt = getattr(optim, opt_name)(params, lr=0.1, **kw)
    sched = make(optim.lr_scheduler, opt)
    out = [sched.get_last_lr()]
    for _ in range(steps):
        opt.step()
        sched.step()
        g = opt.param_groups[0]
        out.append((sched.get_last_lr(), g.get('momentum'), g.get('betas'), sched.last_epoch))
    return out


for _name, _make in SCHEDULERS.items():
    check(f'torch.optim.lr_scheduler.{_name}', lambda torch, m=_make: _lr_sequence(torch, m), name='sgd_100')
    check(f'torch.optim.lr_scheduler.{_name}', lambda torch, m=_make: _lr_sequence(torch, m, 30, 'Adam', 2),
          name='adam_groups_30')
check('torch.optim.lr_scheduler.CyclicLR',
      lambda torch: _lr_sequence(torch, lambda L, o: L.CyclicLR(o, 0.01, 0.1, 3, 5, mode='exp_range', gamma=0.97)),
      name='exp_range')
check('torch.optim.lr_scheduler.OneCycleLR',
      lambda torch: _lr_sequence(torch, lambda L, o: L.OneCycleLR(o, 0.5, total_steps=100, three_phase=True,
                                                                 anneal_strategy='linear')),
      name='three_phase_linear')


@case('torch.optim.lr_scheduler.ReduceLROnPlateau')
def plateau(torch):
    optim = _optim(torch)
    opt = optim.SGD(_params(torch), lr=0.1)
    s = optim.lr_scheduler.ReduceLROnPlateau(opt, patience=2, cooldown=1, factor=0.5, min_lr=0.01)
    out = []
    for k in range(30):
        s.step(1.0 / (k + 1) if k < 5 else 1.0)
        out.append((s.get_last_lr(), s.num_bad_epochs, s.cooldown_counter))
    return out


@case('torch.optim.lr_scheduler.StepLR', name='epoch_closed_form')
def closed_form(torch):
    optim = _optim(torch)
    opt = optim.SGD(_params(torch), lr=0.1)
    s = optim.lr_scheduler.StepLR(opt, 3, 0.5)
    out = []
    for e in (5, 2, 9, 10):
        opt.step()
        s.step(e)
        out.append(s.get_last_lr())
    return out


@case('torch.optim.lr_scheduler.LRScheduler.state_dict')
def sched_state_dict(torch):
    optim = _optim(torch)
    opt = optim.SGD(_params(torch), lr=0.1)
    s = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
    for _ in range(4):
        opt.step()
        s.step()
    sd = s.state_dict()
    s2 = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=3)
    s2.load_state_dict(sd)
    opt.step()
    s2.step()
    return sorted(sd.items()), s2.get_last_lr()


@case('torch.optim.lr_scheduler.LRScheduler.step', name='order_warning')
def order_warning(torch):
    optim = _optim(torch)
    opt = optim.SGD(_params(torch), lr=0.1)
    s = optim.lr_scheduler.StepLR(opt, 2)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        s.step()
    return [(type(x.message).__name__, str(x.message)) for x in w], s.get_last_lr()


# ------------------------------------------------------------------ training loops

def _mlp_losses(torch, dtype, make_opt, steps=50, schedule=None):
    rs = np.random.RandomState(0)
    x = torch.tensor(rs.standard_normal((16, 5)).astype(dtype))
    y = torch.tensor(rs.standard_normal((16, 2)).astype(dtype))
    shapes = [(8, 5), (8,), (2, 8), (2,)]
    ws = [torch.tensor((rs.standard_normal(s) * 0.4).astype(dtype), requires_grad=True) for s in shapes]
    opt = make_opt(_optim(torch), ws)
    sched = schedule(_optim(torch).lr_scheduler, opt) if schedule else None
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        h = (x @ ws[0].T + ws[1]).relu()
        loss = ((h @ ws[2].T + ws[3] - y) ** 2).mean()
        loss.backward()
        opt.step()
        if sched:
            sched.step()
        losses.append(loss.item())
    return losses, ws


for _dt, _tol in (('float64', 1e-5), ('float32', 1e-4)):
    check('torch.optim.SGD', lambda torch, dt=_dt: _mlp_losses(torch, dt, lambda o, w: o.SGD(w, lr=0.05, momentum=0.9)),
          name=f'mlp_{_dt}', rtol=_tol, atol=1e-6)
    check('torch.optim.AdamW',
          lambda torch, dt=_dt: _mlp_losses(torch, dt, lambda o, w: o.AdamW(w, lr=0.01),
                                            schedule=lambda L, o: L.CosineAnnealingLR(o, T_max=50)),
          name=f'mlp_cosine_{_dt}', rtol=_tol, atol=1e-6)


@case('torch.optim.swa_utils.AveragedModel')
def swa(torch):
    optim = _optim(torch)
    w = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
    m = torch.nn.Linear(3, 2)
    with torch.no_grad():
        m.weight.copy_(w)
        m.bias.zero_()
    avg = optim.swa_utils.AveragedModel(m)
    ema = optim.swa_utils.AveragedModel(m, multi_avg_fn=optim.swa_utils.get_ema_multi_avg_fn(0.9))
    for _ in range(3):
        with torch.no_grad():
            m.weight.mul_(0.5)
        avg.update_parameters(m)
        ema.update_parameters(m)
    opt = optim.SGD(m.parameters(), lr=0.5)
    s = optim.swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=4)
    lrs = []
    for _ in range(6):
        opt.step()
        s.step()
        lrs.append(s.get_last_lr())
    return avg.module.weight, ema.module.weight, avg.n_averaged, lrs
