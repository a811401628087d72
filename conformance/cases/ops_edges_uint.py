"""torch's bare unsigned dtypes (uint16, uint32, uint64): the ops whose kernels lack them refuse with
torch's "X" not implemented for 'UInt32', after the checks torch makes first; what works gives torch's
dtype and values."""
from conformance import check

_UINTS = ('uint16', 'uint32', 'uint64')


def _u(torch, dt, data=(3, 1, 2)):
    return torch.tensor(data, dtype=getattr(torch, dt))


def _m(torch, dt):
    return torch.tensor([[3, 1, 2], [0, 5, 4]], dtype=getattr(torch, dt))


def _each(name, fn):
    """One case per dtype: fn(torch, dt)."""
    for dt in _UINTS:
        check(name, lambda torch, dt=dt: fn(torch, dt), name=f'uint_{name.split(".")[-1]}_{dt}')


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
