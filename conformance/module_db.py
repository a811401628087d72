"""Drive torch's ModuleInfo database (module_db) through both libraries.

Each ModuleInfo gives two ids, ``nn.<Name>::moduleinfo_train`` and ``nn.<Name>::moduleinfo_eval``.
For each of its first ``max_samples`` module inputs (float32, or the first float dtype it
supports) the module is constructed in both libraries from the same constructor input; torch's
state_dict is copied into faketorch's module with ``load_state_dict`` (through NumPy), then the
forward outputs, the input gradients and the parameter gradients are compared. The first sample
that does not pass decides the id. An entry passes when both of its ids pass.
"""
import copy
import warnings

from .compare import describe, normalize, raised
from .opinfo import _flat_tensors, _grad_seed, build, neutral
from .runner import Outcome, Side, classify, counts_text, looks_missing, same_raise, seed

MAX_SAMPLES = 4
MODES = (('train', True), ('eval', False))


def module_db():
    from torch.testing._internal.common_modules import module_db
    return module_db


def _dtype_for(info, torch):
    dts = set(info.dtypes)
    for d in (torch.float32, torch.float64):
        if d in dts:
            return d
    return next(iter(dts), torch.float32)


def resolve(mod, dotted):
    for part in dotted.split('.'):
        mod = getattr(mod, part, None)
        if mod is None:
            return None
    return mod


def _ctor_neutral(x, torch):
    """Constructor arguments may hold modules (TransformerEncoder(layer)): rebuilt from their state."""
    if isinstance(x, torch.nn.Module):
        return ('__module__', x)
    if callable(x) and not isinstance(x, type) and (getattr(x, '__module__', '') or '').startswith('torch'):
        modname = x.__module__
        nn_fn = modname.startswith(('torch.nn.functional', 'torch._C._nn'))    # F.gelu lives in _C._nn
        path = 'nn.functional.' + x.__name__ if nn_fn else x.__name__
        return ('__fn__', path)
    if isinstance(x, (list, tuple)) and type(x) in (list, tuple):
        return type(x)(_ctor_neutral(v, torch) for v in x)
    if isinstance(x, dict):
        return {k: _ctor_neutral(v, torch) for k, v in x.items()}
    return neutral(x, torch)


def _ctor_build(x, mod, ref):
    if isinstance(x, tuple) and len(x) == 2 and x[0] == '__module__':
        # torch's copy goes to the run's default device, as faketorch's mirror does
        return copy.deepcopy(x[1]).to(ref.get_default_device()) if mod is ref else _mirror_module(x[1], mod)
    if isinstance(x, tuple) and len(x) == 2 and x[0] == '__fn__':
        return resolve(mod, x[1])
    if isinstance(x, (list, tuple)) and not (len(x) == 2 and isinstance(x[0], str) and x[0].startswith('__')):
        return type(x)(_ctor_build(v, mod, ref) for v in x)
    if isinstance(x, dict):
        return {k: _ctor_build(v, mod, ref) for k, v in x.items()}
    return build(x, mod, False, [])


def _layer_args(m):
    act = m.activation
    if not hasattr(act, 'forward'):      # a function, e.g. F.relu
        act = ('__fn__', 'nn.functional.' + act.__name__)
    return dict(d_model=m.self_attn.embed_dim, nhead=m.self_attn.num_heads,
                dim_feedforward=m.linear1.out_features, dropout=m.dropout.p, activation=act,
                layer_norm_eps=m.norm1.eps, batch_first=m.self_attn.batch_first, norm_first=m.norm_first,
                bias=m.linear1.bias is not None)


# Modules passed to constructors (TransformerEncoder(layer)) are rebuilt from their attributes.
_MIRRORS = {
    'TransformerEncoderLayer': _layer_args,
    'TransformerDecoderLayer': _layer_args,
    'LayerNorm': lambda m: dict(normalized_shape=m.normalized_shape, eps=m.eps,
                                elementwise_affine=m.elementwise_affine, bias=getattr(m, 'bias', None) is not None),
}


def _mirror_module(m, mod):
    """The same module in `mod`, built from the torch module's attributes (state copied later)."""
    name = type(m).__name__
    if name not in _MIRRORS:
        raise TypeError(f'cannot mirror constructor argument {name}')
    kw = _MIRRORS[name](m)
    if isinstance(kw.get('activation'), tuple):
        kw['activation'] = resolve(mod, kw['activation'][1])
    elif 'activation' in kw and not isinstance(kw['activation'], str):
        kw['activation'] = getattr(mod.nn, type(kw['activation']).__name__)()
    return getattr(mod.nn, name)(**kw)


def _samples(info, torch, training, max_samples):
    dt = _dtype_for(info, torch)
    seed(torch)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        inputs = info.module_inputs_func(info, device='cpu', dtype=dt, requires_grad=True, training=training)
    out = []
    for mi in inputs[:max_samples]:
        c, f = mi.constructor_input, mi.forward_input
        out.append((_ctor_neutral(tuple(c.args), torch), _ctor_neutral(dict(c.kwargs), torch),
                    neutral(tuple(f.args), torch), neutral(dict(f.kwargs), torch), mi.desc, dt))
    return out


def _state_numpy(m):
    return {k: (v.detach().cpu().numpy().copy(), str(v.dtype).split('.')[-1]) if hasattr(v, 'detach') else v
            for k, v in m.state_dict().items()}


def _run_one(info, sample, mod, ref, training, state):
    """(Side, state) for one sample in one library; torch's side returns the state to copy."""
    cargs, ckw, fargs, fkw, _, dt = sample
    items = []
    leaves = []
    try:
        cls = resolve(mod, info.name)
        if cls is None:
            raise AttributeError(f"module '{mod.__name__}.nn' has no attribute '{info.name[3:]}'")
        seed(mod)
        m = cls(*_ctor_build(cargs, mod, ref), **_ctor_build(ckw, mod, ref))
        dtname = str(dt).split('.')[-1]
        if hasattr(m, 'to'):    # samples are made for the CPU (device='cpu' in some constructors): the run's device
            m = m.to(mod.get_default_device(), getattr(mod, dtname))
        m.train(training)
        if state is None:
            if getattr(info, 'is_lazy', False):     # shapes come from a first forward
                with mod.no_grad():
                    m(*build(fargs, mod, False, []), **build(fkw, mod, False, []))
            state = _state_numpy(m)
        else:
            sd = {k: (mod.tensor(v[0], dtype=getattr(mod, v[1])) if isinstance(v, tuple) else v)
                  for k, v in state.items()}
            m.load_state_dict(sd)
        a = build(fargs, mod, True, leaves)
        k = build(fkw, mod, True, leaves)
        seed(mod)
        out = m(*a, **k)
        items.append(("'out'", normalize(out)))
    except KeyboardInterrupt:
        raise
    except BaseException as e:
        return Side({'kind': 'dict', 'type': 'sample', 'items': [("'out'", raised(e))]}), state
    items.append(("'grads'", _grads(out, leaves, m, mod)))
    return Side({'kind': 'dict', 'type': 'sample', 'items': items}), state


def _grads(out, leaves, m, mod):
    try:
        outs = [t for t in _flat_tensors(out) if t.requires_grad]
        if not outs:
            return normalize(None)
        gs = [mod.tensor(_grad_seed(tuple(o.shape), str(o.dtype).split('.')[-1], i), dtype=o.dtype)
              for i, o in enumerate(outs)]
        mod.autograd.backward(outs, gs)
        return normalize(([t.grad for t in leaves], [(n, p.grad) for n, p in m.named_parameters()]))
    except KeyboardInterrupt:
        raise
    except BaseException as e:
        return raised(e)


def _missing(ref, impl, impl_name):
    theirs = dict(ref['items'])
    for key, node in impl['items']:
        if looks_missing(node, impl_name) and not same_raise(theirs.get(key), node):
            return f"{node['type']}: {node['message']}"
    return None


def case_id(info, mode):
    return f'{info.name}::moduleinfo_{mode}'


def _error_samples(info, torch):
    seed(torch)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        errs = info.module_error_inputs_func(info, device='cpu', dtype=torch.float32, requires_grad=False,
                                             training=True)
    out = []
    for e in errs:
        mi = e.module_error_input
        c, f = mi.constructor_input, mi.forward_input
        out.append((_ctor_neutral(tuple(c.args), torch), _ctor_neutral(dict(c.kwargs), torch),
                    neutral(tuple(f.args), torch) if f is not None else (),
                    neutral(dict(f.kwargs), torch) if f is not None else {}, mi.desc, torch.float32))
    return out


def _run_errors(info, cid, samples, ref, impl, impl_name):
    """Each error input must raise the same exception type and message in both libraries."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for n, s in enumerate(samples):
            r, state = _run_one(info, s, ref, ref, True, None)
            if r.node['items'][0][1]['kind'] != 'raise' and state is None:
                continue
            i, _ = _run_one(info, s, impl, ref, True, state)
            r = Side({'kind': 'dict', 'type': 'sample', 'items': r.node['items'][:1]})
            i = Side({'kind': 'dict', 'type': 'sample', 'items': i.node['items'][:1]})
            status, diff = classify(r, i, impl_name, None, f'error{n}')
            if status != 'pass':
                return Outcome(cid, info.name, status, diff, 'module_db', ref=describe(r.node['items'][0][1]),
                               impl=describe(i.node['items'][0][1]), extra={'sample': n, 'desc': s[4]})
    return Outcome(cid, info.name, 'pass', '', 'module_db', extra={'samples': len(samples)})


def run_info(info, ref, impl, max_samples=MAX_SAMPLES):
    """The two outcomes (train, eval) of one ModuleInfo."""
    impl_name = impl.__name__.split('.')[0]
    outcomes = []
    for mode, training in MODES:
        cid = case_id(info, mode)
        if resolve(impl, info.name) is None:
            outcomes.append(Outcome(cid, info.name, 'missing', f'{impl_name} has no {info.name}', 'module_db'))
            continue
        try:
            samples = _samples(info, ref, training, max_samples)
        except Exception as e:
            outcomes.append(Outcome(cid, info.name, 'broken', f'module_inputs_func raised {type(e).__name__}: {e}',
                                    'module_db'))
            continue
        outcomes.append(_run_mode(info, cid, samples, ref, impl, impl_name, training))
    if info.module_error_inputs_func is not None and resolve(impl, info.name) is not None:
        cid = f'{info.name}::moduleinfo_errors'
        try:
            samples = _error_samples(info, ref)
        except Exception as e:
            outcomes.append(Outcome(cid, info.name, 'broken', f'module_error_inputs_func raised '
                                    f'{type(e).__name__}: {e}', 'module_db'))
        else:
            outcomes.append(_run_errors(info, cid, samples, ref, impl, impl_name))
    return outcomes


def _run_mode(info, cid, samples, ref, impl, impl_name, training):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for n, s in enumerate(samples):
            r, state = _run_one(info, s, ref, ref, training, None)
            i, _ = _run_one(info, s, impl, ref, training, state)
            gap = _missing(r.node, i.node, impl_name)
            status, diff = ('missing', gap) if gap else classify(r, i, impl_name, None, f'sample{n}')
            if status != 'pass':
                return Outcome(cid, info.name, status, diff, 'module_db',
                               ref=describe(r.node['items'][0][1]), impl=describe(i.node['items'][0][1]),
                               extra={'sample': n, 'desc': s[4]})
    return Outcome(cid, info.name, 'pass', '', 'module_db', extra={'samples': len(samples)})


def entry_counts(outcomes):
    """Per ModuleInfo: 'pass' when every one of its ids passes; 'pass_fwd_bwd' counting only the
    train/eval ids (not the error inputs)."""
    by, fb = {}, {}
    for o in outcomes:
        by.setdefault(o.api, []).append(o.status)
        if not o.id.endswith('::moduleinfo_errors'):
            fb.setdefault(o.api, []).append(o.status)
    return {'entries': len(by), 'pass': sum(all(s == 'pass' for s in v) for v in by.values()),
            'pass_fwd_bwd': sum(all(s == 'pass' for s in v) for v in fb.values())}


def run_all(ref, impl, filter=None, max_samples=MAX_SAMPLES, progress=None):
    """(outcomes, infos) for the whole module_db (filter: substring of the ids)."""
    infos = [i for i in module_db() if not filter or any(filter in case_id(i, m) for m in ('train', 'eval', 'errors'))]
    outcomes = []
    for n, info in enumerate(infos, 1):
        outcomes += [o for o in run_info(info, ref, impl, max_samples) if not filter or filter in o.id]
        if progress and (n % 20 == 0 or n == len(infos)):
            progress(f'module_db: {n}/{len(infos)} modules, ' + counts_text(outcomes))
    return outcomes, infos


if __name__ == '__main__':       # python -m conformance.module_db [filter]
    import sys
    from .runner import load_impl, load_ref
    impl = load_impl()
    try:
        import importlib
        importlib.import_module(impl.__name__ + '.nn')
    except Exception:
        pass
    outs, _ = run_all(load_ref(), impl, sys.argv[1] if len(sys.argv) > 1 else None,
                      progress=lambda m: print(m, file=sys.stderr))
    for o in outs:
        if o.status != 'pass':
            print(o.status, o.id, '|', o.diff[:200])
    print(counts_text(outs), entry_counts(outs))
