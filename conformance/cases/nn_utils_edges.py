"""torch.nn.utils on edge input: clipping, parametrize, parametrizations, the hook-based weight_norm and
spectral_norm, prune, fusion and functional_call; torch's result, or its error, for each rule faketorch once
got wrong; one case per rule."""
import importlib

from conformance import case, check


def _grad(torch, *values, dtype=None):
    """A leaf whose .grad holds values."""
    p = torch.zeros(len(values), dtype=dtype or torch.float32, requires_grad=True)
    p.grad = torch.tensor(values, dtype=p.dtype)
    return p


def _clip(torch, params, *args, **kwargs):
    return torch.nn.utils.clip_grad_norm_(params, *args, **kwargs), [p.grad for p in params]


# --- clip_grad_norm_ / clip_grad_value_ / get_total_norm ---------------------------------------------------------
check('torch.nn.utils.clip_grad_norm_', lambda torch: _clip(torch, [_grad(torch, 1., 3., dtype=torch.float16),
                                                                    _grad(torch, 2., 2.)], 1.0),
      name='total_norm_promoted_dtype')
check('torch.nn.utils.clip_grad_norm_', lambda torch: _clip(torch, [_grad(torch)], 1.0, norm_type='inf'),
      name='empty_inf_foreach_error')
check('torch.nn.utils.clip_grad_norm_', lambda torch: _clip(torch, [_grad(torch)], 1.0, norm_type=-float('inf')),
      name='empty_neg_inf_error')
check('torch.nn.utils.get_total_norm', lambda torch: torch.nn.utils.get_total_norm([torch.tensor([3, 4])]),
      name='int_error')
check('torch.nn.utils.get_total_norm', lambda torch: torch.nn.utils.get_total_norm([torch.tensor([3 + 4j, 4.])]),
      name='complex_real_norm')
check('torch.nn.utils.get_total_norm', lambda torch: torch.nn.utils.get_total_norm([torch.ones(2), None]),
      name='none_in_list')
check('torch.nn.utils.clip_grad_value_', lambda torch: torch.nn.utils.clip_grad_value_(
    torch.zeros(2, requires_grad=True), 1.0), name='no_grads_error')
check('torch.nn.utils.clip_grad_norm_', lambda torch: _clip(torch, [torch.zeros(2, requires_grad=True)], 1.0),
      name='no_grads_zero')
check('torch.nn.utils.clip_grad_norm_', lambda torch: torch.nn.utils.clip_grad_norm_((p for p in []), 1.0),
      name='empty_generator_warns')


@case('torch.nn.utils.clip_grad_norm_')
def expanded_grad_error(torch):
    p = torch.zeros(2, requires_grad=True)
    p.grad = torch.tensor([3.]).expand(2)
    return torch.nn.utils.clip_grad_norm_(p, 1.0)


# --- parametrize --------------------------------------------------------------------------------------------------
def _P(torch):
    return torch.nn.utils.parametrize


def _inverse_module(torch, right_inverse, forward=lambda *xs: sum(xs)):
    """A parametrization module whose forward and right_inverse are the given functions."""
    cls = type('Inv', (torch.nn.Module,), {'forward': lambda self, *xs: forward(*xs),
                                           'right_inverse': lambda self, w: right_inverse(w)})
    return cls()


@case('torch.nn.utils.parametrize.register_parametrization')
def second_right_inverse_checked(torch):
    P = _P(torch)
    m = torch.nn.Linear(3, 3)
    P.register_parametrization(m, 'weight', torch.nn.Identity())
    return P.register_parametrization(m, 'weight', _inverse_module(torch, lambda w: w[0]))


@case('torch.nn.utils.parametrize.register_parametrization')
def second_right_inverse_not_tensor(torch):
    P = _P(torch)
    m = torch.nn.Linear(3, 3)
    P.register_parametrization(m, 'weight', torch.nn.Identity())
    return P.register_parametrization(m, 'weight', _inverse_module(torch, lambda w: 1))


@case('torch.nn.utils.parametrize.register_parametrization')
def sequence_right_inverse_not_sequence(torch):
    m = torch.nn.Linear(3, 2)
    _P(torch).register_parametrization(m, 'weight', _inverse_module(
        torch, lambda w: (w * 0.5, w * 0.5) if w.shape[0] == 2 else w))
    m.weight = torch.ones(3, 3)


@case('torch.nn.utils.parametrize.register_parametrization')
def sequence_right_inverse_element_checked(torch):
    m = torch.nn.Linear(3, 2)
    _P(torch).register_parametrization(m, 'weight', _inverse_module(
        torch, lambda w: (w * 0.5, w * 0.5) if w.shape[0] == 2 else [w, w.double()]))
    m.weight = torch.ones(3, 3)


# --- parametrizations ---------------------------------------------------------------------------------------------
def _orth(torch, module, *args, **kwargs):
    m = torch.nn.utils.parametrizations.orthogonal(module, *args, **kwargs)
    return m, m.weight, m.weight.grad_fn.name(), list(m.state_dict())


check('torch.nn.utils.parametrizations.orthogonal', lambda torch: _orth(torch, torch.nn.Linear(3, 3)),
      name='square_matrix_exp')
check('torch.nn.utils.parametrizations.orthogonal', lambda torch: _orth(torch, torch.nn.Linear(5, 3)),
      name='wide_householder')
check('torch.nn.utils.parametrizations.orthogonal', lambda torch: _orth(torch, torch.nn.Linear(3, 5), 'cayley'),
      name='tall_cayley')
check('torch.nn.utils.parametrizations.orthogonal', lambda torch: _orth(
    torch, torch.nn.Linear(3, 4), 'householder', use_trivialization=False), name='no_trivialization')
check('torch.nn.utils.parametrizations.orthogonal', lambda torch: _orth(
    torch, torch.nn.Linear(3, 3), use_trivialization=False)[0].__setattr__('weight', torch.eye(3)),
      name='assign_matrix_exp_without_base')
check('torch.nn.utils.parametrizations.orthogonal', lambda torch: _orth(torch, torch.nn.Linear(3, 3))[0].__setattr__(
    'weight', torch.eye(2)), name='assign_wrong_shape')
check('torch.nn.utils.parametrizations.orthogonal', lambda torch: _orth(torch, torch.nn.Linear(3, 3), 'qr'),
      name='unknown_map')
check('torch.nn.utils.parametrizations.orthogonal', lambda torch: _orth(torch, torch.nn.Linear(3, 3), 'bias'),
      name='vector')
check('torch.nn.utils.parametrizations.orthogonal', lambda torch: _orth(
    torch, torch.nn.Linear(3, 3).to(torch.complex64), 'householder'), name='complex_householder')


@case('torch.nn.utils.parametrizations.orthogonal')
def cayley_grad(torch):
    m = torch.nn.utils.parametrizations.orthogonal(torch.nn.Linear(3, 3).double(), orthogonal_map='cayley')
    m(torch.ones(2, 3, dtype=torch.float64)).sum().backward()
    m.weight = torch.eye(3, dtype=torch.float64).flip(0)
    return m.parametrizations.weight.original.grad, m.weight, m.parametrizations.weight[0].base


def _wn(torch, module, **kwargs):
    m = torch.nn.utils.parametrizations.weight_norm(module, **kwargs)
    return m.weight, m.weight.grad_fn.name(), m.parametrizations.weight.original0


check('torch.nn.utils.parametrizations.weight_norm', lambda torch: [
    _wn(torch, torch.nn.Linear(3, 2), dim=d) for d in (None, -1, -2)] + [_wn(torch, torch.nn.Conv1d(2, 3, 2), dim=1)],
      name='fused_only_first_or_last_dim')
check('torch.nn.utils.parametrizations.weight_norm', lambda torch: _wn(torch, torch.nn.Linear(3, 2), dim=2),
      name='dim_out_of_range')
check('torch.nn.utils.weight_norm', lambda torch: torch.nn.utils.weight_norm(torch.nn.Linear(3, 2).bfloat16()).weight,
      name='reduced_float_kernel_in_float32')
check('torch.nn.utils.weight_norm', lambda torch: torch.nn.utils.weight_norm(torch.nn.LazyLinear(2)),
      name='uninitialized')


# --- hook-based spectral_norm ---------------------------------------------------------------------------------------
@case('torch.nn.utils.spectral_norm')
def load_version_0_checkpoint(torch):
    old = torch.nn.utils.spectral_norm(torch.nn.Linear(3, 2))
    sd = old.state_dict()
    sd['weight'] = old.weight.detach().clone()      # version 0 stored weight and no weight_v
    del sd['weight_v']
    sd._metadata['']['spectral_norm']['weight.version'] = 0
    m = torch.nn.utils.spectral_norm(torch.nn.Linear(3, 2))
    m.load_state_dict(sd)
    return m.weight_v, m(torch.ones(1, 3)), sorted(sd)


@case('torch.nn.utils.remove_spectral_norm')
def load_hook_stays(torch):
    m = torch.nn.utils.spectral_norm(torch.nn.Linear(3, 2))
    torch.nn.utils.remove_spectral_norm(m)
    return m.load_state_dict(torch.nn.Linear(3, 2).state_dict())


# --- prune ----------------------------------------------------------------------------------------------------------
def _prune(torch):
    return importlib.import_module(torch.__name__ + '.nn.utils.prune')


def _pruned(torch, weight, method, *args, **kwargs):
    m = torch.nn.Linear(weight.shape[1], weight.shape[0])
    m.weight.data = weight
    getattr(_prune(torch), method)(m, 'weight', *args, **kwargs)
    return m.weight_mask


check('torch.nn.utils.prune.l1_unstructured', lambda torch: _pruned(torch, torch.tensor([[1., 1., 1., 2.]]),
                                                                    'l1_unstructured', 2), name='ties_as_topk')
check('torch.nn.utils.prune.ln_structured', lambda torch: _pruned(torch, torch.ones(4, 3), 'ln_structured', 2, 2, 0),
      name='ties_as_topk')
check('torch.nn.utils.prune.ln_structured', lambda torch: [_pruned(torch, torch.arange(12.).reshape(4, 3) - 5,
                                                                   'ln_structured', 1, n, 0) for n in ('fro', 0, -1)],
      name='norm_orders_of_torch_norm')
check('torch.nn.utils.prune.ln_structured', lambda torch: _pruned(torch, torch.ones(4, 3), 'ln_structured', 1, 'nuc',
                                                                  0), name='nuclear_norm_error')
check('torch.nn.utils.prune.ln_structured', lambda torch: _pruned(torch, torch.ones(4, 3), 'ln_structured', 0, 2, -3),
      name='dim_too_negative')
check('torch.nn.utils.prune.PruningContainer', lambda torch: _prune(torch).PruningContainer(
    _prune(torch).L1Unstructured(0.5)), name='method_not_applied')
check('torch.nn.utils.prune.BasePruningMethod.prune', lambda torch: _prune(torch).L1Unstructured(1).prune(
    torch.ones(2, 2), importance_scores=torch.ones(3)), name='importance_scores_shape')


@case('torch.nn.utils.prune.global_unstructured')
def iterator_read_again(torch):
    m = torch.nn.Linear(3, 2)
    prune = _prune(torch)
    prune.global_unstructured(iter([(m, 'weight')]), pruning_method=prune.L1Unstructured, amount=1)


# --- functional_call ------------------------------------------------------------------------------------------------
def _tied(torch):
    m = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(2, 2))
    m[1].weight = m[0].weight
    return m


check('torch.func.functional_call', lambda torch: torch.func.functional_call(
    _tied(torch), {'0.weight': torch.eye(2), '1.weight': torch.eye(2) * 2}, (torch.ones(1, 2),)),
      name='tied_two_values')
check('torch.func.functional_call', lambda torch: torch.func.functional_call(
    torch.nn.Linear(2, 2), [{'weight': torch.eye(2)}, {'weight': torch.eye(2)}], (torch.ones(1, 2),)),
      name='repeated_keys_listed')
check('torch.func.functional_call', lambda torch: torch.func.functional_call(
    torch.nn.Linear(2, 2), ({'weight': torch.eye(2)}, 5), (torch.ones(1, 2),)), name='sequence_of_non_dicts')
check('torch.func.functional_call', lambda torch: torch.func.functional_call(
    torch.nn.Linear(2, 2), {'bias': 5}, (torch.ones(1, 2),)), name='value_not_tensor')
check('torch.func.functional_call', lambda torch: torch.func.functional_call(
    torch.nn.Linear(2, 2), {'nope.weight': torch.eye(2)}, (torch.ones(1, 2),)), name='no_submodule')
check('torch.func.functional_call', lambda torch: torch.func.functional_call(
    torch.nn.Linear(2, 2), {'weight.foo': torch.eye(2)}, (torch.ones(1, 2),)), name='tensor_as_submodule')
check('torch.func.functional_call', lambda torch: torch.func.functional_call(
    torch.nn.Linear(2, 2), {}, (torch.ones(1, 2),), strict=True), name='strict_missing_sorted')


@case('torch.func.functional_call')
def parametrized_through_right_inverse(torch):
    m = torch.nn.Linear(3, 2)
    torch.nn.utils.parametrize.register_parametrization(m, 'weight', torch.nn.Identity())
    return torch.func.functional_call(m, {'weight': torch.ones(2, 3)}, (torch.ones(1, 3),))


@case('torch.func.functional_call')
def reassigned_tensor_returned(torch):
    class M(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(2, 2)

        def forward(self, x):
            self.lin.weight = torch.nn.Parameter(torch.zeros(2, 2))
            return self.lin(x)
    m = M()
    d = {'lin.weight': torch.eye(2)}
    return torch.func.functional_call(m, d, (torch.ones(1, 2),)), m.lin.weight, d


# --- parameters_to_vector / namespace ---------------------------------------------------------------------------------
check('torch.nn.utils.parameters_to_vector', lambda torch: torch.nn.utils.parameters_to_vector([torch.ones(2), 5]),
      name='non_tensor_device_read')
check('torch.nn.utils', lambda torch: (sorted(torch.nn.utils.__all__), torch.nn.utils.clip_grad.__all__),
      name='all_names')


@case('torch._weight_norm')
def weight_norm_functions(torch):
    v = torch.arange(6.).reshape(2, 3).requires_grad_()
    g = torch.norm_except_dim(v, 2, 1).detach().requires_grad_()
    w = torch._weight_norm(v, g, 1)
    w.sum().backward()
    return w, w.grad_fn.name(), v.grad, g.grad, torch.norm_except_dim(v.detach(), 2, -1)
check('torch.nn.utils.convert_conv2d_weight_memory_format', lambda torch: [
    m.weight.stride() for m in torch.nn.utils.convert_conv2d_weight_memory_format(
        torch.nn.Sequential(torch.nn.Conv2d(2, 3, 2), torch.nn.ConvTranspose2d(3, 2, 2)), torch.channels_last)],
      name='weights_channels_last')


def _double(torch):
    return type('Dbl', (torch.nn.Module,), {'forward': lambda self, x: x.double()})()


@case('torch.nn.utils.parametrize.remove_parametrizations')
def leave_parametrized_other_dtype(torch):
    P = torch.nn.utils.parametrize
    m = torch.nn.Linear(3, 2)
    m.register_buffer('b2', torch.ones(2))
    P.register_parametrization(m, 'b2', _double(torch), unsafe=True)
    P.register_parametrization(m, 'weight', _double(torch), unsafe=True)
    P.remove_parametrizations(m, 'b2')


@case('torch.nn.utils.parametrize.remove_parametrizations')
def leave_parametrized_other_dtype_parameter(torch):
    m = torch.nn.Linear(3, 2)
    torch.nn.utils.parametrize.register_parametrization(m, 'weight', _double(torch), unsafe=True)
    torch.nn.utils.parametrize.remove_parametrizations(m, 'weight')
check('torch._weight_norm', lambda torch: torch._weight_norm(torch.ones(2, 3), torch.ones(2, 1, dtype=torch.float64), 0),
      name='fused_dtypes_must_match')
check('torch._weight_norm', lambda torch: torch.nn.utils.parametrizations.weight_norm(
    torch.nn.Linear(2, 3).to(torch.complex64)), name='fused_kernel_real_only')
check('torch.norm_except_dim', lambda torch: torch.norm_except_dim(torch.ones(2, 3, dtype=torch.int64), 2, 0),
      name='int_error')
