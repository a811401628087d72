"""nn.Module and its containers on edge use: hooks, registration, conversion, state_dict; torch's
result, or its error, for each rule faketorch once got wrong; one case per rule."""
import contextlib
import warnings

from conformance import case, check


def _two(torch):
    """A module with two tensor inputs and a non-tensor one, and two outputs."""
    class Two(torch.nn.Module):
        def forward(self, x, k, y):
            return x * 2, y * k + x
    return Two()


def _grads(gs):
    return None if gs is None else [None if g is None else g for g in gs]


def _run_two(torch, y_grad=True, hook=None, pre_hook=None):
    """Two's hooks' arguments, x's and y's grads, after a backward through both outputs."""
    m, seen = _two(torch), []
    if hook is not None:
        m.register_full_backward_hook(lambda mod, gi, go: (seen.append((_grads(gi), _grads(go))), hook(torch))[1])
    if pre_hook is not None:
        m.register_full_backward_pre_hook(lambda mod, go: (seen.append(_grads(go)), pre_hook(torch))[1])
    x, y = torch.ones(2, requires_grad=True), torch.ones(2, requires_grad=y_grad)
    a, b = m(x, 3, y)
    (a.sum() + 2 * b.sum()).backward()
    return seen, x.grad, y.grad


def _warns(fn):
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter('always')
        out = fn()
    return out, [(w.category.__name__, str(w.message)) for w in ws]


# --- full backward hooks -------------------------------------------------------------------------------
check('nn.Module.register_full_backward_hook', lambda torch: _run_two(torch, False, hook=lambda torch: None),
      name='non_tensor_args_are_none')
check('nn.Module.register_full_backward_hook',
      lambda torch: _run_two(torch, hook=lambda torch: torch.zeros(2)), name='returned_tensor_is_a_sequence')
check('nn.Module.register_full_backward_hook', lambda torch: _run_two(torch, hook=lambda torch: 3),
      name='returned_int_has_no_len')
check('nn.Module.register_full_backward_hook',
      lambda torch: _run_two(torch, hook=lambda torch: (torch.zeros(2), None, torch.zeros(3))),
      name='returned_wrong_size')
check('nn.Module.register_full_backward_pre_hook',
      lambda torch: _run_two(torch, pre_hook=lambda torch: torch.zeros(2)), name='returned_tensor_is_a_sequence')
check('nn.Module.register_full_backward_pre_hook',
      lambda torch: _run_two(torch, pre_hook=lambda torch: (torch.zeros(2, dtype=torch.float64), None)),
      name='returned_wrong_dtype')


@case('nn.Module.register_full_backward_hook')
def no_input_grad_all_none_tuple(torch):
    m = torch.nn.Linear(2, 1)
    m.register_full_backward_hook(lambda mod, gi, go: (None,))
    m(torch.ones(2)).sum().backward()
    m = torch.nn.Linear(2, 1)
    m.register_full_backward_hook(lambda mod, gi, go: [None])
    m(torch.ones(2)).sum().backward()


@case('nn.Module.register_full_backward_hook')
def dict_output_not_hooked(torch):
    class D(torch.nn.Module):
        def forward(self, x):
            return {'a': x * 2}
    m, seen = D(), []
    m.register_full_backward_hook(lambda mod, gi, go: seen.append(gi))
    x = torch.ones(2, requires_grad=True)
    out, ws = _warns(lambda: m(x))
    out['a'].sum().backward()
    return seen, x.grad, ws


@case('nn.Module.register_backward_hook')
def regular_hook_sees_grad_fn_grads(torch):
    m, seen = torch.nn.Linear(2, 1), []
    m.register_backward_hook(lambda mod, gi, go: seen.append([None if g is None else g.shape for g in gi + go]))
    out, ws = _warns(lambda: m(torch.ones(3, 2, requires_grad=True)))
    out.sum().backward()
    return seen, ws


@case('nn.modules.module.register_module_backward_hook')
def global_regular_and_full_exclude(torch):
    mm = torch.nn.modules.module
    h = mm.register_module_backward_hook(lambda *a: None)
    try:
        return mm.register_module_full_backward_hook(lambda *a: None)
    finally:
        h.remove()
        mm._global_is_full_backward_hook = None


# --- lazy modules ----------------------------------------------------------------------------------------
def _uninit(torch):
    return torch.nn.LazyLinear(3).weight


check('nn.parameter.UninitializedParameter', lambda torch: _uninit(torch).shape, name='shape_refused')
check('nn.parameter.UninitializedParameter', lambda torch: _uninit(torch).numel(), name='method_refused')
check('nn.parameter.UninitializedParameter', lambda torch: _uninit(torch) + 1, name='operator_refused')
check('nn.parameter.UninitializedParameter',
      lambda torch: (_uninit(torch).size(), _uninit(torch).dtype, repr(_uninit(torch).double())),
      name='allowed_methods')
check('nn.parameter.UninitializedParameter', lambda torch: torch.nn.parameter.UninitializedParameter(dtype=torch.int64),
      name='int_dtype_requires_grad')
check('nn.parameter.UninitializedBuffer',
      lambda torch: (lambda b: (repr(b), b.persistent, b.materialize(2), type(b).__name__, b.shape))(
          torch.nn.parameter.UninitializedBuffer(persistent=False)), name='repr_and_int_shape')
check('nn.LazyLinear', lambda torch: torch.nn.LazyLinear(3).requires_grad_(False), name='requires_grad_refused')
check('nn.LazyLinear', lambda torch: torch.nn.LazyLinear(3).share_memory(), name='share_memory_refused')
check('nn.LazyLinear', lambda torch: type(__import__('copy').deepcopy(torch.nn.LazyLinear(3)).weight).__name__,
      name='deepcopy')
check('nn.LazyLinear', lambda torch: type(__import__('pickle').loads(__import__('pickle').dumps(
    torch.nn.LazyLinear(3))).weight).__name__, name='pickle')
check('nn.LazyLinear', lambda torch: (lambda m: (repr(m.load_state_dict(torch.nn.LazyLinear(3).state_dict())),
                                                type(m.weight).__name__))(torch.nn.LazyLinear(3)),
      name='load_uninitialized_into_uninitialized')
check('nn.Linear', lambda torch: torch.nn.Linear(1, 3).load_state_dict(torch.nn.LazyLinear(3).state_dict()),
      name='load_uninitialized_into_initialized')


@case('nn.Module.load_state_dict')
def assign_keeps_requires_grad(torch):
    m = torch.nn.Linear(1, 1).requires_grad_(False)
    m.load_state_dict({'weight': torch.nn.Parameter(torch.ones(1, 1)), 'bias': torch.ones(1)}, assign=True)
    return m.weight.requires_grad, m.bias.requires_grad


# --- Parameter ----------------------------------------------------------------------------------------------
@case('nn.Parameter.__deepcopy__')
def deepcopy_leaves_grad(torch):
    m = torch.nn.Linear(2, 1)
    m(torch.ones(2)).sum().backward()
    c = __import__('copy').deepcopy(m)
    return c.weight.grad, type(c.weight).__name__, c.weight.requires_grad


check('nn.Parameter', lambda torch: torch.nn.Parameter([1., 2.]), name='list_data')


# --- Module.to ----------------------------------------------------------------------------------------------
def _to(torch, *args, **kwargs):
    m = torch.nn.Sequential(torch.nn.Conv2d(2, 2, 1), torch.nn.BatchNorm2d(2))
    out, ws = _warns(lambda: m.to(*args, **kwargs))
    return out is m, [(k, v.dtype) for k, v in m.state_dict().items()], m[0].weight.is_contiguous(), ws


check('nn.Module.to', lambda torch: _to(torch, 'cpu', 'cpu'), name='two_devices')
check('nn.Module.to', lambda torch: _to(torch, torch.float64, torch.float64), name='two_dtypes')
check('nn.Module.to', lambda torch: _to(torch, foo=1), name='unknown_keyword')
check('nn.Module.to', lambda torch: _to(torch, torch.ones(1), dtype=torch.float64), name='tensor_and_dtype')
check('nn.Module.to', lambda torch: _to(torch, torch.float64, False, False), name='copy_refused')
check('nn.Module.to', lambda torch: _to(torch, 'cpu', torch.float64, False, False, 5), name='five_positional')
check('nn.Module.to', lambda torch: _to(torch, 2.5), name='float_value_is_float64')
check('nn.Module.to', lambda torch: _to(torch, torch.complex64), name='complex_warns')
check('nn.Module.to', lambda torch: _to(torch, memory_format=torch.channels_last), name='memory_format')


# --- state_dict hooks -------------------------------------------------------------------------------------
def _post_hook(torch, public, ret):
    m = torch.nn.Linear(1, 1)
    register = m.register_state_dict_post_hook if public else m._register_state_dict_hook
    register(lambda mod, sd, prefix, meta: ret)
    return list(m.state_dict())


check('nn.Module.register_state_dict_post_hook', lambda torch: _post_hook(torch, True, {'x': 1}),
      name='must_return_none')
check('nn.Module._register_state_dict_hook', lambda torch: _post_hook(torch, False, {'x': 1}),
      name='returns_new_dict')


@case('nn.Module._register_state_dict_hook')
def public_hook_not_private(torch):
    def hook(mod, sd, prefix, meta):
        return None
    m = torch.nn.Linear(1, 1)
    m.register_state_dict_post_hook(hook)
    m._register_state_dict_hook(hook)


check('nn.Module.state_dict', lambda torch: _warns(lambda: list(torch.nn.Linear(1, 1).state_dict(None, 'p.'))),
      name='positional_args_warn')


# --- forward hooks with always_call ----------------------------------------------------------------------
def _always(torch, where):
    """What always-called forward hooks see when a pre-hook or a later forward hook raises."""
    out, m = [], torch.nn.Linear(1, 1)

    def boom(*args):
        raise ValueError('boom')
    if where == 'pre':
        m.register_forward_pre_hook(boom)
    m.register_forward_hook(lambda mod, args, res: out.append(('always', type(res).__name__)), always_call=True)
    m.register_forward_hook(lambda mod, args, kw, res: out.append(('always_kw', sorted(kw), type(res).__name__)),
                            always_call=True, with_kwargs=True)
    if where == 'post':
        m.register_forward_hook(boom)
    m.register_forward_hook(lambda *args: 1 / 0, always_call=True)
    with warnings.catch_warnings(record=True) as ws, contextlib.suppress(ValueError):   # the record is the result
        warnings.simplefilter('always')
        m(torch.ones(1))
    return out, [str(w.message) for w in ws]


check('nn.Module.register_forward_hook', lambda torch: _always(torch, 'pre'), name='always_call_after_pre_hook_error')
check('nn.Module.register_forward_hook', lambda torch: _always(torch, 'post'), name='always_call_not_rerun')


@case('nn.modules.module.register_module_forward_hook')
def always_call_global_gets_no_kwargs(torch):
    out, mm = [], torch.nn.modules.module

    class Bad(torch.nn.Module):
        def forward(self, x):
            raise ValueError('x')
    h = mm.register_module_forward_hook(lambda *args: out.append(len(args)), with_kwargs=True, always_call=True)
    try:
        torch.nn.Identity()(torch.ones(1))
        with contextlib.suppress(ValueError):
            Bad()(torch.ones(1))
    finally:
        h.remove()
    return out


# --- repr -----------------------------------------------------------------------------------------------
def _extra(torch, text):
    return type('E', (torch.nn.Module,), {'extra_repr': lambda self: text})()


check('nn.ModuleList.__repr__', lambda torch: (repr(torch.nn.ModuleList([_extra(torch, 'a\n\nb')] * 2)),
                                               repr(torch.nn.Sequential(_extra(torch, 'a\n\nb')))),
      name='blank_lines_indented_in_list_only')


@case('nn.Parameter')
def tensor_subclass_keeps_class(torch):
    class S(torch.Tensor):
        pass
    p = torch.nn.Parameter(torch.Tensor._make_subclass(S, torch.ones(2)))
    m = torch.nn.Module()
    m.w = p
    return type(p).__name__, isinstance(p, torch.nn.Parameter), p.requires_grad, list(m.state_dict())


@case('torch.__future__.set_overwrite_module_params_on_conversion')
def overwrite_makes_new_parameters(torch):
    torch.__future__.set_overwrite_module_params_on_conversion(True)
    try:
        m = torch.nn.Linear(2, 1)
        w = m.weight
        m(torch.ones(2)).sum().backward()
        m.double()
        return m.weight is w, w.dtype, m.weight.dtype, m.weight.grad.dtype, m.weight.is_leaf, m.weight.requires_grad
    finally:
        torch.__future__.set_overwrite_module_params_on_conversion(False)


check('nn.Container', lambda torch: _warns(lambda: repr(torch.nn.Container(a=torch.nn.ReLU()))), name='deprecated')
check('nn.Module.zero_grad', lambda torch: _warns(lambda: torch.nn.Linear(1, 1)._replicate_for_data_parallel().zero_grad()),
      name='replica_warns')


@case('nn.Module.__call__')
def without_module_init(torch):
    class M(torch.nn.Module):
        def __init__(self):
            pass

        def forward(self, x):
            return x
    return M()(1)
