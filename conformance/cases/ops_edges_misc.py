"""Assorted rules found by the fuzz rounds outside their own areas: foreach return values, half norms,
linear's argument types, factories writing into an out= of another dtype. One case per rule."""
from conformance import check


def _foreach_returns(torch):
    ts = [torch.ones(2), torch.ones(3)]
    outs = [torch._foreach_add_(ts, 1), torch._foreach_sqrt_(ts), torch._foreach_zero_(ts),
            torch._foreach_addcmul_(ts, ts, ts), torch._foreach_lerp_(ts, ts, 0.5), torch._foreach_copy_(ts, ts)]
    return [r is ts for r in outs], type(torch._foreach_add(ts, 1)).__name__


check('torch._foreach_add_', _foreach_returns, name='inplace_returns_its_list')
check('torch.linalg.vector_norm', lambda torch: [torch.linalg.vector_norm(torch.tensor([60000., 1], dtype=torch.float16), ord=o)
                                                 for o in (2, 1, 3)], name='half_accumulates_in_float')
check('torch.nn.functional.linear', lambda torch: torch.nn.functional.linear([1., 2.], torch.ones(2, 2)),
      name='input_not_tensor')
check('torch.nn.functional.linear', lambda torch: torch.nn.functional.linear(torch.ones(2), None),
      name='weight_none')
check('torch.eye', lambda torch: torch.eye(2, out=torch.zeros(1, dtype=torch.int64)), name='out_dtype_is_the_dtype')
check('torch.eye', lambda torch: torch.eye(2, dtype=torch.float32, out=torch.zeros(1, dtype=torch.int64)),
      name='dtype_must_match_out')
check('torch.linspace', lambda torch: (torch.linspace(0, 3, 4, out=torch.zeros(4, dtype=torch.int64)),
                                       torch.logspace(0, 1, 2, out=torch.zeros(2, dtype=torch.int64))),
      name='out_dtype_is_the_dtype')


# --- memory formats: clone keeps a dense layout, contiguous/clone take memory_format ------------------
def _layouts(torch):
    x = torch.arange(12.).reshape(3, 4)
    return [x.t(), x[:, ::2], x.t()[::2], torch.ones(1, 4).expand(3, 4), torch.ones(2, 3, 4).permute(2, 0, 1)[:, :, ::2],
            torch.ones(1, 3, 1, 4).transpose(0, 2), torch.ones(3, 1).t()]


check('Tensor.clone', lambda torch: [t.clone().stride() for t in _layouts(torch)], name='preserve_format_strides')
check('Tensor.clone', lambda torch: (lambda y: (y.stride(), y.clone().stride(), (y + 1).stride(), y.contiguous().stride(),
                                                y.clone(memory_format=torch.contiguous_format).stride(),
                                                y.contiguous(memory_format=torch.channels_last) is y))(
    torch.arange(120.).reshape(2, 3, 4, 5).contiguous(memory_format=torch.channels_last)), name='channels_last_kept')
check('Tensor.contiguous', lambda torch: torch.arange(720.).reshape(2, 3, 4, 5, 6).contiguous(
    memory_format=torch.channels_last_3d).stride(), name='channels_last_3d')
check('Tensor.contiguous', lambda torch: torch.ones(2, 3).contiguous(memory_format=torch.channels_last), name='rank_error')
check('Tensor.contiguous', lambda torch: torch.ones(2, 3).t().contiguous(memory_format=torch.preserve_format),
      name='preserve_format_refused')
check('Tensor.clone', lambda torch: torch.ones(2, 3).clone(memory_format='x'), name='memory_format_type')
check('Tensor.view', lambda torch: torch.ones(2, 3).t().clone().view(-1), name='after_clone_of_transpose')
check('Tensor.to', lambda torch: [torch.ones(1).to(v).dtype for v in (3.5, True, 2j, float)], name='leading_scalar_is_a_dtype')
check('utils._pytree.tree_flatten', lambda torch: (lambda p: (lambda r: (r[0], repr(r[1]), p.tree_unflatten(*r)))(
    p.tree_flatten((torch.Size([2, 3]), {'a': torch.Size([4])}))))(
    __import__('importlib').import_module(torch.__name__ + '.utils._pytree')), name='size_is_a_node')
check('torch.rand_like', lambda torch: [(r.stride(), r) for t, kw in (
    (torch.arange(12.).reshape(3, 4).t()[::2], {}), (torch.ones(1, 4).expand(3, 4), {}),
    (torch.ones(1, 3, 1, 4).transpose(0, 2), {}), (torch.ones(2, 3, 4, 5), {'memory_format': torch.channels_last}))
    for r in (torch.rand_like(t, **kw), torch.zeros_like(t, **kw))], exact=True, name='layouts_and_draw_order')
check('torch.cat', lambda torch: (lambda a, cl: [t.stride() for t in (
    torch.stack([a, a]), torch.stack([a, a], 1), torch.cat([a, a]), torch.cat([a, a], 1), torch.cat([cl, cl]),
    torch.stack([cl, cl]), torch.cat([cl, torch.ones(2, 3, 4, 5)]))])(
    torch.ones(2, 3).t(), torch.ones(2, 3, 4, 5).contiguous(memory_format=torch.channels_last)), name='output_layout')


class _Thing:
    pass


check('torch.cat', lambda torch: torch.cat([torch.ones(1), _Thing()]), name='python_class_by_bare_name')
check('torch.cat', lambda torch: torch.cat([torch.ones(2), torch.ones(2)], out=torch.zeros(4, dtype=torch.long)),
      name='out_cast_type_error')
check('torch.stack', lambda torch: torch.stack([torch.ones(2), torch.ones(2)], out=torch.zeros(4, dtype=torch.long)),
      name='out_cast_type_error')
# the cat family's out= (concat and concatenate too), stack's dims and dtypes, gather's size check
check('torch.concat', lambda torch: (lambda o: (torch.concat([torch.ones(2, 3), torch.zeros(2, 3)], 1, out=o), o))(
    torch.empty(0)), name='out')
check('torch.concatenate', lambda torch: (lambda o: (torch.concatenate([torch.ones(2, 3), torch.zeros(1, 3)], out=o), o))(
    torch.empty(0)), name='out')
check('torch.stack', lambda torch: [torch.stack([torch.ones(2, 3), torch.arange(6.).view(2, 3)], d) for d in (-3, -1, 0, 1, 2)],
      name='every_dim')
check('torch.stack', lambda torch: torch.stack([torch.ones(2, 3)], 3), name='dim_past_end')
check('torch.stack', lambda torch: torch.stack((torch.ones(2), torch.ones(2, dtype=torch.float64), torch.ones(2, dtype=torch.int32)), 1),
      name='promoted_dtypes')
check('torch.gather', lambda torch: torch.ones(2, 3).gather(1, torch.zeros(3, 2, dtype=torch.long)), name='index_larger_off_dim')
check('torch.gather', lambda torch: torch.arange(6.).view(2, 3).gather(-1, torch.tensor([[2, 0, 1], [1, 1, 0]])), name='negative_dim')
check('torch.from_numpy', lambda torch: torch.from_numpy(__import__('numpy').ones((2, 3))[:, ::-1]),
      name='negative_strides')
check('torch.tensor', lambda torch: torch.tensor(__import__('numpy').ones(3)[::-1]), name='negative_strides')


# --- fftfreq / rfftfreq ------------------------------------------------------------------------------
check('torch.fft.fftfreq', lambda torch: [torch.fft.fftfreq(*a, **k) for a, k in (
    ((7, 0.1), {}), ((4,), {'dtype': torch.float16}), ((4,), {'dtype': torch.bfloat16}), ((6, 0.3), {'dtype': torch.float64}),
    ((0,), {}), ((4, 0), {}), ((4, -0.0), {}))], name='values_in_dtype')
check('torch.fft.rfftfreq', lambda torch: [torch.fft.rfftfreq(*a) for a in ((9, 1 / 3), (0,), (-1,), (-3,))],
      name='cpp_halving')
check('torch.fft.fftfreq', lambda torch: torch.fft.fftfreq(-1), name='negative_n')
check('torch.fft.rfftfreq', lambda torch: torch.fft.rfftfreq(4, dtype=torch.int32), name='integer_dtype')
check('torch.fft.fftfreq', lambda torch: torch.fft.fftfreq(5, dtype=torch.complex64), name='complex_dtype')
check('torch.fft.fftfreq', lambda torch: torch.fft.fftfreq(3.0), name='float_n')
check('torch.device', lambda torch: (torch.device('cpu') == 'cpu', 'cpu' != torch.device('cpu'),
                                     torch.device('cpu') in ['cpu'], torch.device('cpu') == torch.device('cpu')),
      name='never_equals_a_string')


def _inference_enable_grad(torch):
    with torch.inference_mode():
        with torch.enable_grad():
            x = torch.ones(2, requires_grad=True)
            outs = [x * 2, x[0], x.sum(), x.clone(), torch.nn.functional.linear(x, torch.ones(3, 2, requires_grad=True))]
            return [(y.requires_grad, y.grad_fn, y.is_inference()) for y in outs], torch.is_grad_enabled()


check('torch.inference_mode', _inference_enable_grad, name='enable_grad_inside_records_nothing')
check('Tensor.type', lambda torch: torch.ones(1).type('DoubleTensor'), name='string_needs_torch_prefix')
check('Tensor.type', lambda torch: torch.ones(1).type(3), name='not_a_type')
check('Tensor.type', lambda torch: torch.ones(1, dtype=torch.int64).type(torch.Tensor), name='tensor_class_is_default_dtype')
check('torch.eye', lambda torch: torch.eye(_Thing()), name='python_class_by_bare_name')


def _fill_detached(torch):
    x = torch.ones(3, requires_grad=True)
    d, z, w = x.detach(), x.detach(), x.detach()[:2]
    d.fill_(2)
    z.zero_()
    w.fill_(1.)
    t = torch.zeros(3)
    val = torch.tensor(2., requires_grad=True)
    t.fill_(val)
    t.sum().backward()
    return [(u.requires_grad, u.grad_fn) for u in (d, z, w)], t.grad_fn.name(), val.grad


check('Tensor.fill_', _fill_detached, name='detached_records_nothing_tensor_value_does')
check('Tensor.__eq__', lambda torch: (lambda t, np: (t == np.array([1., 3.]), np.array([1., 3.]) == t, t != np.array([1., 3.]),
                                                    t == [1., 3.]))(torch.tensor([1., 2.]), __import__('numpy')),
      name='numpy_array_operand')


def _inplace_updates(torch):
    """In-place arithmetic without autograd (written straight into the array): values, versions and
    layouts, next to the cases that must take the general path."""
    out = []
    for make in (lambda: torch.arange(12.).reshape(3, 4), lambda: torch.arange(12.).reshape(4, 3).t(),
                 lambda: torch.arange(12., dtype=torch.float64).reshape(3, 4)):
        for op, other in (('add_', 0.3), ('sub_', 3), ('mul_', torch.tensor(2.5)), ('div_', None)):
            x = make()
            o = x if other is None else other.to(x.dtype) if isinstance(other, torch.Tensor) else other
            v = x._version
            r = getattr(x, op)(o)
            out.append((r is x, x._version - v, x.stride(), x))
    w = torch.ones(3, requires_grad=True)
    with torch.no_grad():
        w.sub_(0.1 * torch.ones(3))
        w.mul_(2)
    return out, w, w._version


check('Tensor.add_', _inplace_updates, name='direct_writes')
check('torch.randn', lambda torch: torch.randn(2, generator=_Thing()), name='python_class_in_invalid_combination')


# pow's exponents 3, -2, -0.5: torch spells them out (x*x*x, 1/(x*x), 1/sqrt) for float32/float64 only;
# float16 goes through its float opmath (300**-2 is no 1/inf there)
check('torch.pow', lambda torch: [torch.tensor([300., .01, 2.5, -7., 1e-3, 40.], dtype=dt) ** e
                                  for dt in (torch.float16, torch.float32, torch.float64) for e in (3, -2, -0.5)],
      name='spelled_out_exponents_by_dtype')
