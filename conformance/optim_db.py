"""Drive torch's OptimizerInfo database (optim_db) through both libraries.

For every OptimizerInfo, every configuration its ``optim_inputs_func`` gives on the
CPU, every implementation it supports there (the for-loop one, ``foreach``,
``fused``) and float32/float64: both libraries start from the same parameters,
get the same gradient sequence (or, for optimizers whose step needs a closure,
the same small loss) for ``STEPS`` steps, and after each step the parameters and
``optimizer.state_dict()`` are compared. One id per combination:
``torch.optim.<Name>::optimdb_<config>_<impl>_<dtype>``.

Mirrors conformance/opinfo.py: ``plans(torch, filter)`` is cheap, ``run_plan``
runs one OptimizerInfo, ``run_all(ref, impl, filter, progress)`` runs them all
and returns ``(outcomes, plans)``.
"""
import importlib
import re
import warnings
from dataclasses import dataclass

import numpy as np

from .compare import compare, describe, normalize, raised
from .runner import Outcome, counts_text, looks_missing, same_raise

DTYPES = ('float32', 'float64')
STEPS = 20
IMPLS = ('foreach', 'fused')           # besides the for-loop implementation


def optim_db():
    from torch.testing._internal.common_optimizers import optim_db
    return optim_db


def _slug(text):
    return re.sub(r'[^0-9a-zA-Z]+', '_', text).strip('_').lower()


@dataclass
class Config:
    info: object                 # the OptimizerInfo
    desc: str
    kwargs: dict                 # neutral (tensors as NumPy arrays)
    impl: str                    # single | foreach | fused
    dtype: str

    @property
    def api(self):
        return 'torch.optim.' + self.info.optim_cls.__name__

    @property
    def id(self):
        return f'{self.api}::optimdb_{_slug(self.desc)}_{self.impl}_{self.dtype}'


@dataclass
class Plan:
    info: object
    configs: list

    @property
    def ids(self):
        return [c.id for c in self.configs]


def _neutral(kwargs, torch):
    return {k: (('__tensor__', v.detach().cpu().numpy().copy()) if isinstance(v, torch.Tensor) else v)
            for k, v in kwargs.items()}


def _build(kwargs, mod):
    return {k: (mod.tensor(v[1]) if isinstance(v, tuple) and len(v) == 2 and v[0] == '__tensor__' else v)
            for k, v in kwargs.items()}


def plans(torch, filter=None, dtypes=DTYPES):
    out = []
    for info in optim_db():
        configs = []
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            inputs = info.optim_inputs_func(device='cpu')
        for oi in inputs:
            impls = ['single'] + [i for i in IMPLS if i in info.supported_impls]
            for impl in impls:
                kw = dict(oi.kwargs)
                if impl != 'single':
                    kw[impl] = True
                elif 'foreach' in info.supported_impls:
                    kw['foreach'] = False
                for dt in dtypes:
                    c = Config(info, oi.desc, _neutral(kw, torch), impl, dt)
                    if not filter or filter in c.id:
                        configs.append(c)
        if configs:
            out.append(Plan(info, configs))
    return out


# ---------------------------------------------------------------- one trajectory

def _initial(name, dtype):
    rs = np.random.RandomState(0)
    shapes = [(4, 3), (3, 5)] if name == 'Muon' else [(4, 3), (3,)]
    return [rs.standard_normal(s).astype(dtype) for s in shapes]


def _grads(k, params, dtype):
    rs = np.random.RandomState(1000 + k)
    return [rs.standard_normal(p.shape).astype(dtype) for p in params]


def trajectory(config, mod, steps=STEPS):
    """The normalised params + state_dict after each step (or the exception)."""
    name = config.info.optim_cls.__name__
    dtype = getattr(mod, config.dtype)
    init = _initial(name, config.dtype)
    params = [mod.tensor(a, dtype=dtype, requires_grad=True) for a in init]
    record = []
    try:
        opt = getattr(mod.optim, name)(params, **_build(config.kwargs, mod))
        targets = [mod.tensor(a * 0.5 + 0.1, dtype=dtype) for a in init]

        def closure():                   # a small smooth loss: sum((p - target)^2 * (1 + p^2))
            opt.zero_grad()
            loss = sum(((p - t) ** 2 * (p * p + 1)).sum() for p, t in zip(params, targets))
            loss.backward()
            return loss
        for k in range(steps):
            if config.info.step_requires_closure:
                loss = opt.step(closure)
            else:
                for p, g in zip(params, _grads(k, init, config.dtype)):
                    p.grad = mod.tensor(g, dtype=dtype)
                    if config.info.only_supports_sparse_grads:      # SparseAdam
                        p.grad = p.grad.to_sparse()
                loss = opt.step()
            record.append(normalize({'step': k, 'loss': loss,
                                     'params': [p.detach().clone() for p in params],
                                     'state': opt.state_dict()}))
        return {'kind': 'seq', 'type': 'list', 'items': record}
    except KeyboardInterrupt:
        raise
    except BaseException as e:
        return {'kind': 'seq', 'type': 'list', 'items': record + [raised(e)]}


def _without_state(traj):
    items = [dict(n, items=[kv for kv in n['items'] if kv[0] != "'state'"]) if n['kind'] == 'dict' else n
             for n in traj['items']]
    return dict(traj, items=items)


def run_config(config, ref, impl, impl_name):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        r = trajectory(config, ref)
        i = trajectory(config, impl)
    if r['items'] and r['items'][-1]['kind'] == 'raise' and same_raise(r['items'][-1], i['items'][-1] if i['items'] else None):
        return Outcome(config.id, config.api, 'pass', '', 'optimdb')
    last = i['items'][-1] if i['items'] else None
    if last is not None and looks_missing(last, impl_name) and not same_raise(r['items'][-1], last):
        return Outcome(config.id, config.api, 'missing', f"{last['type']}: {last['message']}", 'optimdb')
    # L-BFGS's history holds 1/(y.s) for nearly converged steps: float32 rounding in the loss and
    # its gradient is amplified there, so float32 L-BFGS is held to the training-loop tolerance on
    # losses and parameters, and its curvature history is not compared.
    loose = config.info.step_requires_closure and config.dtype == 'float32'
    if loose:
        r, i = _without_state(r), _without_state(i)
    diff = compare(r, i, 'steps', rtol=1e-4 if loose else None, atol=1e-5 if loose else None)
    if diff:
        return Outcome(config.id, config.api, 'fail', diff, 'optimdb',
                       ref=describe(r['items'][-1]) if r['items'] else '',
                       impl=describe(i['items'][-1]) if i['items'] else '')
    return Outcome(config.id, config.api, 'pass', '', 'optimdb', extra={'steps': len(r['items'])})


def _has(mod, name):
    try:
        importlib.import_module(mod.__name__ + '.optim')   # until the package imports it itself
        return getattr(mod.optim, name, None) is not None
    except Exception:
        return False


def run_plan(plan, ref, impl):
    impl_name = impl.__name__.split('.')[0]
    name = plan.info.optim_cls.__name__
    if not _has(impl, name):
        why = f'{impl_name} has no torch.optim.{name}'
        return [Outcome(c.id, c.api, 'missing', why, 'optimdb') for c in plan.configs]
    return [run_config(c, ref, impl, impl_name) for c in plan.configs]


def run_all(ref, impl, filter=None, dtypes=DTYPES, progress=None):
    """(outcomes, plans) for the whole optim_db."""
    ps = plans(ref, filter, dtypes)
    outcomes = []
    for p in ps:
        outcomes += run_plan(p, ref, impl)
        if progress:
            progress(f'optimdb: {p.info.optim_cls.__name__}: ' + counts_text(outcomes[-len(p.configs):]))
    return outcomes, ps


if __name__ == '__main__':          # python -m conformance.optim_db [filter]
    import sys
    from .runner import load_impl, load_ref, stderr_progress
    outs, _ = run_all(load_ref(), load_impl(), sys.argv[1] if len(sys.argv) > 1 else None,
                      progress=stderr_progress)
    for o in outs:
        if o.status != 'pass':
            print(o.status, o.id, o.diff[:300])
    print(counts_text(outs))
