"""nn.init and torch.func on edge input: torch's result, or its error, for each rule faketorch once got
wrong; one case per rule."""

from conformance import case, check, warned


_warned = warned


def _written(torch, init, w, *args):
    """init(w, *args), and how many writes w's version counter saw."""
    return init(w, *args), w._version


# --- nn.init ---------------------------------------------------------------------------------------
check('nn.init.eye_', lambda torch: (torch.nn.init.eye_(torch.empty(2, 3, dtype=torch.int64)),
                                     torch.nn.init.eye_(torch.empty(3, 2, dtype=torch.bool))), name='int_bool')
check('nn.init.eye_', lambda torch: _written(torch, torch.nn.init.eye_, torch.zeros(3).expand(2, 3)),
      name='expanded_one_write')
check('nn.init.dirac_', lambda torch: _written(torch, torch.nn.init.dirac_, torch.zeros(4, 2, 3), 2),
      name='one_write_per_entry')
check('nn.init.sparse_', lambda torch: (lambda r: ((r[0] == 0).sum(0), r[1]))(
    _written(torch, torch.nn.init.sparse_, torch.zeros(4, 3), 0.5)), name='one_write_per_column')
check('nn.init.orthogonal_', lambda torch: torch.nn.init.orthogonal_(torch.empty(3, 4, dtype=torch.float16)),
      name='half_qr_error')
check('nn.init.orthogonal_', lambda torch: torch.nn.init.orthogonal_(torch.zeros(3, 4, 5).transpose(0, 2)),
      name='non_contiguous_view_error')
check('nn.init.orthogonal_', lambda torch: _written(torch, torch.nn.init.orthogonal_, torch.zeros(3, 2), 2.)[1],
      name='copy_then_scale')
check('nn.init.normal', lambda torch: (torch.nn.init.normal.__name__, torch.nn.init.normal.__doc__,
                                       _warned(lambda: torch.nn.init.normal(torch.empty(2)))[1]),
      name='deprecated_alias')
check('nn.init.trunc_normal_', lambda torch: torch.nn.init.trunc_normal_([[1., 2.]]), name='non_tensor')


# --- torch.func: arguments -------------------------------------------------------------------------
def _f2(a, b):
    return (a * b).sum()


check('torch.func.grad', lambda torch: torch.func.grad(_f2, argnums=2)(torch.ones(2), torch.ones(2)),
      name='argnum_out_of_range')
check('torch.func.grad', lambda torch: torch.func.grad(_f2, argnums=[0, 1])(torch.ones(2), torch.ones(2)),
      name='argnums_list')
check('torch.func.grad', lambda torch: torch.func.grad(_f2, argnums=(0, -2))(torch.ones(2), torch.ones(2)),
      name='argnums_not_unique')
check('torch.func.grad', lambda torch: torch.func.grad(_f2, argnums=(0, 1.))(torch.ones(2), torch.ones(2)),
      name='argnum_float')
check('torch.func.grad', lambda torch: torch.func.grad(_f2)(3., torch.ones(2)), name='non_tensor_input')
check('torch.func.grad', lambda torch: torch.func.grad(lambda a: (a.sum(), {'n': 1}), has_aux=True)(torch.ones(2)),
      name='aux_not_tensors')
check('torch.func.grad', lambda torch: [f(torch.sin).__name__ for f in (
    torch.func.grad, torch.func.grad_and_value, torch.func.jacrev, torch.func.jacfwd, torch.func.hessian,
    torch.func.vmap)], name='wrapper_names')


# --- vjp / jvp -------------------------------------------------------------------------------------
check('torch.func.vjp', lambda torch: torch.func.vjp(lambda a: 3., torch.ones(2)), name='non_tensor_output')
check('torch.func.vjp', lambda torch: torch.func.vjp(lambda a: None, torch.ones(2)), name='no_output')
check('torch.func.vjp', lambda torch: torch.func.vjp(lambda a: a.long(), torch.ones(2)), name='int_output')
check('torch.func.vjp', lambda torch: torch.func.vjp(torch.sin, torch.ones(2))[1]((torch.ones(2),)),
      name='cotangent_structure')
check('torch.func.vjp', lambda torch: torch.func.vjp(torch.sin, torch.ones(2))[1], name='vjp_fn')
check('torch.func.vjp', lambda torch: [torch.func.vjp(torch.sin, x)[1](torch.ones(2), create_graph=cg)[0].requires_grad
                                       for x in (torch.ones(2), torch.ones(2, requires_grad=True))
                                       for cg in (None, False, True)], name='create_graph')
check('torch.func.jvp', lambda torch: torch.func.jvp(torch.sin, [torch.ones(2)], [torch.ones(2)]),
      name='primals_not_tuple')
check('torch.func.jvp', lambda torch: torch.func.jvp(torch.mul, (torch.ones(2), torch.ones(2)), (torch.ones(2),)),
      name='structure_mismatch')
check('torch.func.jvp', lambda torch: torch.func.jvp(torch.sin, (), ()), name='no_primals')
check('torch.func.jvp', lambda torch: torch.func.jvp(torch.sin, (3.,), (1.,)), name='non_tensor_primal')
check('torch.func.jvp', lambda torch: torch.func.jvp(torch.sin, (torch.ones(2),), (torch.ones(2).long(),)),
      name='int_tangent')
check('torch.func.jvp', lambda torch: torch.func.jvp(torch.sin, (torch.ones(3),), (torch.ones(2),)),
      name='tangent_size')
check('torch.func.jvp', lambda torch: torch.func.jvp(torch.sin, (torch.ones(2),), (torch.ones(2),), has_aux=True),
      name='aux_not_tuple')
check('torch.func.jvp', lambda torch: torch.func.jvp(lambda a: 3., (torch.ones(2),), (torch.ones(2),)),
      name='non_tensor_output')
check('torch.func.jvp', lambda torch: torch.func.jvp(lambda a: torch.ones(2), (torch.ones(2),), (torch.ones(2),),
                                                     strict=True), name='strict_independent')


# --- jacrev / jacfwd -------------------------------------------------------------------------------
check('torch.func.jacrev', lambda torch: torch.func.jacrev(lambda a: a * 1j)(torch.ones(2)), name='complex_output')
check('torch.func.jacrev', lambda torch: torch.func.jacrev(lambda a, b: a, argnums=0)(
    torch.ones(2), torch.ones(2, dtype=torch.complex64)), name='complex_input')
check('torch.func.jacrev', lambda torch: torch.func.jacrev(torch.sin, has_aux=True)(torch.ones(2)),
      name='aux_not_tuple')
check('torch.func.jacrev', lambda torch: torch.func.jacrev(lambda a: 3.)(torch.ones(2)), name='non_tensor_output')
check('torch.func.jacrev', lambda torch: torch.func.jacrev(torch.sin, chunk_size=0), name='chunk_size')
check('torch.func.jacfwd', lambda torch: torch.func.jacfwd(lambda a: a * torch.rand(2))(torch.ones(2)),
      name='randomness_error')
check('torch.func.jacfwd', lambda torch: torch.func.jacfwd(torch.sin, randomness='x')(torch.ones(2)),
      name='randomness_arg')
check('torch.func.jacfwd', lambda torch: torch.func.jacfwd(lambda a: a * 2)(torch.ones(2).long()), name='int_input')
check('torch.func.jacfwd', lambda torch: torch.func.jacfwd(lambda a: 3.)(torch.ones(2)), name='non_tensor_output')


# --- vmap ------------------------------------------------------------------------------------------
def _x(torch):
    return torch.arange(6.).reshape(2, 3)


check('torch.func.vmap', lambda torch: torch.func.vmap(torch.sin, in_dims=2)(_x(torch)), name='in_dim_out_of_range')
check('torch.func.vmap', lambda torch: torch.func.vmap(torch.sin)(torch.tensor(1.)), name='in_dim_0d')
check('torch.func.vmap', lambda torch: torch.func.vmap(torch.sin, in_dims=None)(_x(torch)), name='in_dims_none')
check('torch.func.vmap', lambda torch: torch.func.vmap(torch.mul, in_dims=(None, None))(_x(torch), _x(torch)),
      name='nothing_mapped')
check('torch.func.vmap', lambda torch: torch.func.vmap(lambda: torch.ones(2))(), name='no_inputs')
check('torch.func.vmap', lambda torch: torch.func.vmap(torch.mul)(_x(torch), 3), name='non_tensor_mapped')
check('torch.func.vmap', lambda torch: torch.func.vmap(torch.sin, in_dims=(1.,))(_x(torch)), name='in_dim_float')
check('torch.func.vmap', lambda torch: torch.func.vmap(lambda d: d['a'], in_dims=({'a': 0, 'c': None},))(
    {'a': _x(torch), 'b': _x(torch)}), name='in_dims_structure')
check('torch.func.vmap', lambda torch: torch.func.vmap(lambda a: (a, a), out_dims=(0, 0, 0))(_x(torch)),
      name='out_dims_structure')
check('torch.func.vmap', lambda torch: torch.func.vmap(torch.sin, out_dims=1.5)(_x(torch)), name='out_dims_float')
check('torch.func.vmap', lambda torch: (torch.func.vmap(lambda a: a * 2)(torch.ones(0, 3)),
                                        torch.func.vmap(lambda a: (a.sum(), 3), out_dims=(0, None))(torch.ones(0, 3))),
      name='empty_batch')
check('torch.func.vmap', lambda torch: torch.func.vmap(lambda a: a + torch.rand(()))(torch.ones(3)),
      name='randomness_error')
check('torch.func.vmap', lambda torch: (torch.func.vmap(lambda a: a + torch.rand(3), randomness='same')(_x(torch)),
                                        torch.rand(1)), name='randomness_same', exact=True)
check('torch.func.vmap', lambda torch: torch.func.vmap(lambda a: a + torch.rand((), generator=torch.Generator()))(
    torch.ones(3)), name='randomness_error_generator')
check('torch.func.vmap', lambda torch: torch.func.vmap(torch.sin, randomness='foo'), name='randomness_arg')
check('torch.func.vmap', lambda torch: (lambda y: (y, y.stride()))(torch.func.vmap(torch.sin, out_dims=1)(_x(torch))),
      name='out_dim_is_a_view')
check('torch.func.vmap', lambda torch: torch.func.vmap(torch.sin, chunk_size=0), name='chunk_size')


# --- linearize / functionalize / replace_all_batch_norm_modules_ -----------------------------------
check('torch.func.linearize', lambda torch: (lambda r: (r[0], r[1](torch.ones(2), torch.zeros(2))))(
    torch.func.linearize(lambda a, b: (a * b, a.sum()), torch.tensor([1., -2.]), torch.tensor([3., 4.]))))
check('torch.func.linearize', lambda torch: torch.func.linearize(torch.sin, torch.ones(3))[1](
    torch.ones(3, dtype=torch.float64)), name='tangent_dtype')
check('torch.func.linearize', lambda torch: torch.func.linearize(torch.sin, torch.ones(3))[1](
    torch.ones(3), torch.ones(3)), name='tangent_structure')
check('torch.func.functionalize', lambda torch: (lambda x: (torch.func.functionalize(lambda a: a.add_(1) * 2)(x), x))(
    torch.ones(2)))
check('torch.func.functionalize', lambda torch: torch.func.functionalize(torch.sin, remove='views'), name='bad_remove')
check('torch.func.replace_all_batch_norm_modules_', lambda torch: (lambda m: (
    torch.func.replace_all_batch_norm_modules_(m) is m, m[0].running_mean, m[1].track_running_stats,
    list(m.state_dict())))(torch.nn.Sequential(torch.nn.BatchNorm1d(3), torch.nn.BatchNorm2d(3))))
check('torch.func.jvp', lambda torch: torch.func.jvp(lambda a: (a.long(), a * 2), (torch.ones(2),), (torch.ones(2),)),
      name='integer_output_zero_tangent')
check('torch.func.vmap', lambda torch: (torch.func.vmap(lambda a: torch.full((2,), float('nan')), out_dims=None)(_x(torch)),
                                        torch.func.vmap(lambda a: a[:1], out_dims=None)(torch.ones(2, 3))),
      name='out_dim_none_batched_view')
