"""torch.optim: the 0-dim state optimizers keep (step, mu_product, eta, mu, L-BFGS's t), its dtype and
device (run with --device cuda, torch keeps it on the default device, the CPU or the parameter's
device, per optimizer and per capturable / fused), fused's parameter checks, and steps stored as
numbers by old checkpoints."""
import importlib

import numpy as np

from conformance import check


def _optim(torch):
    return importlib.import_module(torch.__name__ + '.optim')


def _stepped(torch, name, kwargs, dtype='float32', steps=2):
    rs = np.random.RandomState(0)
    ps = [torch.tensor(rs.standard_normal(s).astype(dtype), requires_grad=True) for s in ((3, 2), (2,))]
    opt = getattr(_optim(torch), name)(ps, **kwargs)
    for _ in range(steps):
        for p in ps:
            p.grad = torch.tensor(rs.standard_normal(tuple(p.shape)).astype(dtype))
        opt.step()
    return ps, opt


def _scalar_state(torch, name, kwargs, dtype='float32'):
    ps, opt = _stepped(torch, name, kwargs, dtype)
    return [{k: v for k, v in opt.state[p].items() if v.dim() == 0} for p in ps]


# capturable=True is left out: torch asserts CUDA-like devices for it, which a CPU run cannot give
SCALAR_STATE = {
    'Adam': [{}, {'fused': True}],
    'AdamW': [{'fused': True}],
    'Adagrad': [{}, {'fused': True}],
    'Adadelta': [{}],
    'Adamax': [{}],
    'ASGD': [{}],
    'NAdam': [{}],
    'RAdam': [{}],
    'RMSprop': [{}],
    'Rprop': [{}],
    'Adafactor': [{}],
}
for _name, _configs in SCALAR_STATE.items():
    for _kw in _configs:
        _tag = '_'.join(_kw) or 'default'
        check(f'torch.optim.{_name}', lambda torch, n=_name, kw=_kw: _scalar_state(torch, n, kw),
              name=f'scalar_state_{_tag}')
        # the scalar dtype follows a float64 default dtype, except a fused group's float32 step
        check(f'torch.optim.{_name}', lambda torch, n=_name, kw=_kw: _with_default_float64(
            torch, lambda: _scalar_state(torch, n, kw, 'float64')), name=f'scalar_state_{_tag}_default_float64')


def _with_default_float64(torch, fn):
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        return fn()
    finally:
        torch.set_default_dtype(old)


def _fused_complex(torch, name):
    p = torch.zeros(3, dtype=torch.complex64, requires_grad=True)
    p.grad = torch.ones(3, dtype=torch.complex64)
    opt = getattr(_optim(torch), name)([p], lr=0.1, fused=True)
    opt.step()
    return opt.state_dict()


for _name in ('Adam', 'AdamW', 'Adagrad', 'SGD'):
    check(f'torch.optim.{_name}', lambda torch, n=_name: _fused_complex(torch, n), name='fused_complex_param')


def _number_step(torch, name, kwargs, keys=('step',)):
    """A state_dict whose scalar state is Python numbers (as old checkpoints hold) loads as tensors."""
    ps, opt = _stepped(torch, name, kwargs)
    sd = opt.state_dict()
    for s in sd['state'].values():
        for k in keys:
            s[k] = s[k].item()
    opt.load_state_dict(sd)
    for p in ps:
        p.grad = torch.ones_like(p)
    opt.step()
    return [dict(opt.state[p]) for p in ps]


for _name, _kw, _keys in (('Adam', {}, ('step',)), ('Adagrad', {}, ('step',)), ('RMSprop', {}, ('step',)),
                          ('NAdam', {}, ('step', 'mu_product')), ('ASGD', {}, ('step', 'eta', 'mu')),
                          ('Adam', {'fused': True}, ('step',))):
    check(f'torch.optim.{_name}', lambda torch, n=_name, kw=_kw, keys=_keys: _number_step(torch, n, kw, keys),
          name='number_step_' + ('_'.join(_kw) or 'default'))


def _lbfgs_t(torch, lr):
    p = torch.tensor([1.5, -0.5, 2.0], dtype=torch.float64, requires_grad=True)
    opt = _optim(torch).LBFGS([p], lr=lr(torch), max_iter=3)

    def closure():
        opt.zero_grad()
        loss = ((p - 1) ** 2 * (p * p + 1)).sum()
        loss.backward()
        return loss
    opt.step(closure)
    opt.step(closure)
    return opt.state[p]['t']


check('torch.optim.LBFGS', lambda torch: _lbfgs_t(torch, lambda t: t.tensor(0.5, dtype=t.float64)),
      name='t_tensor_lr')
check('torch.optim.LBFGS', lambda torch: _lbfgs_t(torch, lambda t: 0.5), name='t_float_lr')
