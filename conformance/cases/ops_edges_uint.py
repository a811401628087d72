"""torch's bare unsigned dtypes (uint16, uint32, uint64): the ops whose kernels lack them refuse with
torch's "X" not implemented for 'UInt32', after the checks torch makes first; what works gives torch's
dtype and values."""
from conformance import check

_UINTS = ('uint16', 'uint32', 'uint64')


def _u(torch, dt, data=(3, 1, 2)):
    return torch.tensor(data, dtype=getattr(torch, dt))


def _m(torch, dt):
    return torch.tensor([[3, 1, 2], [0, 5, 4]], dtype=getattr(torch, dt))


def _each(name, fn, tag=''):
    """One case per dtype: fn(torch, dt)."""
    for dt in _UINTS:
        check(name, lambda torch, dt=dt: fn(torch, dt), name=f'uint_{name.split(".")[-1]}{tag}_{dt}')


# --- promotion: only floats promote with them (complex is refused too) -----------------------------
_each('torch.promote_types', lambda torch, dt: [torch.promote_types(getattr(torch, dt), o) for o in (
    torch.float16, torch.float64)])
_each('torch.result_type', lambda torch, dt: torch.promote_types(getattr(torch, dt), torch.complex64))
_each('torch.mul', lambda torch, dt: (_u(torch, dt) * 1j, _u(torch, dt) * torch.tensor([1j, 2, 3])))

# --- add / sub: "add_stub", after the broadcast and alpha checks --------------------------------------
_each('Tensor.__add__', lambda torch, dt: (_u(torch, dt) + 1.5, torch.add(_u(torch, dt), _u(torch, dt).float(), alpha=2)))
_each('torch.add', lambda torch, dt: _u(torch, dt) + _u(torch, dt))
_each('torch.sub', lambda torch, dt: _u(torch, dt) - 1)
_each('Tensor.add_', lambda torch, dt: _u(torch, dt).add_(1))
_each('Tensor.sub_', lambda torch, dt: _u(torch, dt).sub_(torch.ones(2, 3, dtype=getattr(torch, dt))))
_each('torch.rsub', lambda torch, dt: 1 - _u(torch, dt))
check('torch.add', lambda torch: _u(torch, 'uint32') + torch.ones(2, 3, dtype=torch.uint32),
      name='uint_broadcast_first')
check('torch.add', lambda torch: _u(torch, 'uint32').add(1, alpha=1.5), name='uint_alpha_first')

# --- pow: exponent 0 / 1 (and base 1) are filled or copied before the kernel refuses ----------------
_each('Tensor.__pow__', lambda torch, dt: (_u(torch, dt) ** 0, _u(torch, dt) ** True, _u(torch, dt) ** 1.,
                                           torch.pow(1, _u(torch, dt))))
_each('torch.pow', lambda torch, dt: torch.pow(2, _u(torch, dt)))

# --- reductions: torch's order (dim and empty checks first; a 0-d tensor with a dim is copied) --------
for _f in ('max', 'min', 'amax', 'amin', 'aminmax', 'argmax', 'argmin', 'median', 'nanmedian', 'mode'):
    _each(f'torch.{_f}', lambda torch, dt, f=_f: getattr(torch, f)(_m(torch, dt)))
    _each(f'torch.{_f}', lambda torch, dt, f=_f: getattr(torch, f)(_m(torch, dt), 1), tag='_dim')
    check(f'torch.{_f}', lambda torch, f=_f: getattr(torch, f)(torch.zeros(2, 0, dtype=torch.uint16), 0),
          name='uint_empty_dim')
    check(f'torch.{_f}', lambda torch, f=_f: getattr(torch, f)(torch.tensor(3, dtype=torch.uint32), 0),
          name='uint_0d_dim')
    check(f'torch.{_f}', lambda torch, f=_f: getattr(torch, f)(torch.tensor(3, dtype=torch.uint32)), name='uint_0d')
    check(f'torch.{_f}', lambda torch, f=_f: getattr(torch, f)(torch.zeros(0, dtype=torch.uint64)), name='uint_empty')
    check(f'torch.{_f}', lambda torch, f=_f: getattr(torch, f)(_m(torch, 'uint64'), 5), name='uint_bad_dim')
for _f, _a in (('kthvalue', (1,)), ('topk', (1,)), ('topk', (0,)), ('cummax', (0,)), ('cummin', (0,))):
    _each(f'torch.{_f}', lambda torch, dt, f=_f, a=_a: getattr(torch, f)(_m(torch, dt), *a), tag=f'_{_a[0]}')
    check(f'torch.{_f}', lambda torch, f=_f, a=_a: getattr(torch, f)(torch.tensor(3, dtype=torch.uint32), *a),
          name=f'uint_0d_{_a[0]}')
    check(f'torch.{_f}', lambda torch, f=_f, a=_a: getattr(torch, f)(torch.zeros(0, dtype=torch.uint16), *a),
          name=f'uint_empty_{_a[0]}')
check('torch.topk', lambda torch: torch.topk(_m(torch, 'uint16'), 5), name='uint_k_first')
check('torch.kthvalue', lambda torch: torch.kthvalue(_m(torch, 'uint16'), 5), name='uint_k_first')

# --- sum / prod / cumsum into a uint dtype ("sum_cpu", "prod_out_cpu", "cumsum_out_cpu") ---------------
_each('torch.sum', lambda torch, dt: (_u(torch, dt).sum(), torch.sum(torch.zeros(0, dtype=torch.int64),
                                                                       dtype=getattr(torch, dt))))
_each('torch.sum', lambda torch, dt: torch.sum(torch.tensor([1, 2]), dtype=getattr(torch, dt)), tag='_dtype')
_each('torch.nansum', lambda torch, dt: torch.nansum(_u(torch, dt)[0], dtype=getattr(torch, dt)))
_each('torch.prod', lambda torch, dt: torch.prod(_u(torch, dt), dtype=getattr(torch, dt)))
_each('torch.cumsum', lambda torch, dt: (torch.cumsum(_u(torch, dt)[0], 0, dtype=getattr(torch, dt)),
                                         torch.cumsum(_u(torch, dt), 0)))
_each('Tensor.cumsum_', lambda torch, dt: _u(torch, dt).cumsum_(0))
_each('Tensor.cumprod_', lambda torch, dt: _u(torch, dt).cumprod_(0))

# --- nonzero and its users ("nonzero_count_cpu"); count_nonzero with a dim sums x != 0 --------------
_each('torch.nonzero', lambda torch, dt: torch.nonzero(torch.zeros(0, dtype=getattr(torch, dt))))
_each('torch.argwhere', lambda torch, dt: torch.argwhere(_m(torch, dt)))
_each('torch.where', lambda torch, dt: torch.where(_m(torch, dt)))
_each('torch.count_nonzero', lambda torch, dt: torch.count_nonzero(_m(torch, dt)))
_each('Tensor.to_sparse', lambda torch, dt: _m(torch, dt).to_sparse())
check('torch.count_nonzero', lambda torch: torch.count_nonzero(_m(torch, 'uint32'), 0), name='uint_dim')
check('torch.nonzero_static', lambda torch: [torch.nonzero_static(torch.tensor(x), size=2) for x in (0., 2, True)],
      name='zero_dim')

# --- isin: the promoted dtype of the two tensors; a scalar test element goes through eq ---------------
_each('torch.isin', lambda torch, dt: torch.isin(_m(torch, dt), _u(torch, dt)))
_each('torch.isin', tag='_works', fn=lambda torch, dt: (torch.isin(_m(torch, dt), 2), torch.isin(_m(torch, dt), torch.tensor([1.])),
                                       torch.isin(torch.zeros(0, dtype=getattr(torch, dt)), _u(torch, dt))))
check('torch.isin', lambda torch: torch.isin(_m(torch, 'uint16'), torch.tensor([1])), name='uint_promotion')
check('torch.isin', lambda torch: torch.isin(2, _m(torch, 'uint16')), name='uint_scalar_elements')
