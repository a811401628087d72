"""finfo/iinfo, torch.compile, threads, deterministic flags, complex views, _foreach ops."""
from conformance import case, check

check('torch.finfo', lambda torch: repr(torch.finfo(torch.float32)))
check('torch.finfo', lambda torch: repr(torch.finfo()), name='default')
check('torch.finfo', lambda torch: (torch.finfo(torch.float16).eps, torch.finfo(torch.float64).max,
                                    torch.finfo(torch.float64).tiny, torch.finfo(torch.bfloat16).bits), name='fields')
check('torch.finfo', lambda torch: torch.finfo(torch.int32), name='int_dtype')
check('torch.iinfo', lambda torch: repr(torch.iinfo(torch.int64)))
check('torch.iinfo', lambda torch: (torch.iinfo(torch.uint8).max, torch.iinfo(torch.int8).min,
                                    torch.iinfo(torch.int32).bits), name='fields')
check('torch.iinfo', lambda torch: torch.iinfo(torch.float32), name='float_dtype')
# calling a compiled function would run torch's compiler on the torch side: check the wrapping only
check('torch.compile', lambda torch: callable(torch.compile(lambda x: x * 2)))
check('torch.compile', lambda torch: callable(torch.compile(mode='reduce-overhead')(lambda x: x + 1)),
      name='decorator_args')
check('torch.use_deterministic_algorithms', lambda torch: (torch.use_deterministic_algorithms(True),
                                                           torch.are_deterministic_algorithms_enabled(),
                                                           torch.use_deterministic_algorithms(False),
                                                           torch.are_deterministic_algorithms_enabled()))
check('torch.set_num_threads', lambda torch: (torch.set_num_threads(1), torch.get_num_threads()))
check('torch.view_as_real', lambda torch: torch.view_as_real(torch.tensor([1 + 2j, 3 - 1j])))
check('torch.view_as_complex', lambda torch: torch.view_as_complex(torch.tensor([[1., 2.], [3., 4.]])))
check('torch.view_as_complex', lambda torch: torch.view_as_complex(torch.ones(3, 3)), name='bad_last_dim')
check('torch.real', lambda torch: torch.real(torch.tensor([1 + 2j, 3 - 1j])))
check('torch.imag', lambda torch: torch.imag(torch.tensor([1 + 2j, 3 - 1j])))
check('torch.imag', lambda torch: torch.imag(torch.ones(2)), name='real_input')
check('torch.angle', lambda torch: torch.angle(torch.tensor([1 + 1j, -1 + 0j])))
check('torch.angle', lambda torch: torch.angle(torch.tensor([1., -2., 0.])), name='real')
check('torch.polar', lambda torch: torch.polar(torch.tensor([1., 2.]), torch.tensor([0., 1.5708])))
check('torch.complex', lambda torch: torch.complex(torch.tensor([1., 2.]), torch.tensor([3., 4.])))
check('torch.conj', lambda torch: torch.conj(torch.tensor([1 + 2j])))
check('torch._foreach_add', lambda torch: torch._foreach_add([torch.ones(2), torch.zeros(3)], 2.))


@case('Tensor.real')
def real_view_writes_back(torch):
    z = torch.tensor([1 + 2j, 3 - 1j])
    z.real.mul_(10)
    return z


@case('torch.complex')
def complex_grad(torch):
    a = torch.tensor([1., 2.], requires_grad=True)
    b = torch.tensor([3., 4.], requires_grad=True)
    z = torch.complex(a, b)
    torch.view_as_real(z).sum().backward()
    return a.grad, b.grad


@case('torch._foreach_add_')
def optimizer_style_step(torch):
    ps = [torch.ones(2), torch.ones(3)]
    gs = [torch.full((2,), 0.5), torch.full((3,), 2.)]
    torch._foreach_mul_(ps, 0.9)
    torch._foreach_add_(ps, gs, alpha=-0.1)
    torch._foreach_addcmul_(ps, gs, gs, value=0.01)
    torch._foreach_lerp_(ps, gs, 0.5)
    return ps, torch._foreach_norm(ps), torch._foreach_sqrt(ps)


# operands that do not broadcast, and wrong mask/dtype kinds: torch's errors, not NumPy's
_BAD = {
    'where': lambda t: t.where(t.ones(3) > 0, t.ones(3), t.ones(3, 2)),
    'where_scalar': lambda t: t.where(t.ones(4) > 0, 1.0, t.ones(3)),
    'where_broadcasts': lambda t: t.where(t.ones(2, 1) > 0, t.ones(3), 1.0),
    'masked_select_float_mask': lambda t: t.masked_select(t.ones(3), t.ones(3)),
    'masked_select_uint8_mask': lambda t: t.masked_select(t.ones(3), t.ones(3, dtype=t.uint8)),
    'masked_select_shapes': lambda t: t.masked_select(t.ones(3), t.ones(3, 2) > 0),
    'complex_shapes': lambda t: t.complex(t.ones(3), t.ones(3, 2)),
    'polar_shapes': lambda t: t.polar(t.ones(3), t.ones(3, 2)),
    'polar_long': lambda t: t.polar(t.ones(3, dtype=t.long), t.ones(3, dtype=t.long)),
}
for _name, _f in _BAD.items():
    check('torch.' + _name.split('_')[0].replace('masked', 'masked_select'), _f, name=f'bad_{_name}')
