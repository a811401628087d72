"""torch.hann_window, hamming_window, blackman_window, bartlett_window, kaiser_window.

ATen builds these from arange with in-place scalar ops; each op here is one NumPy op computed
in the op-math type (float32 for float16) and rounded to the window's dtype, as ATen's kernels
do, so the values agree to the last bit but for cos's rounding.
"""
import math

from .. import _xnp as np

from .. import _dtype as D
from .._ops._core import kernel_error, register
from .._ops.factory import _dev, _finish

# C++ type names, as torch's TensorOptions print them in the dtype error
_CPP_NAMES = {
    'int8': 'signed char', 'int16': 'short int', 'int32': 'int', 'int64': 'long int',
    'uint8': 'unsigned char', 'uint16': 'short unsigned int', 'uint32': 'unsigned int',
    'uint64': 'long unsigned int', 'bool': 'bool',
}
_UNSET = object()


def _type_desc(v):
    return f'torch.{type(v).__name__}' if isinstance(v, (D.dtype,)) else type(v).__name__


def _bad_overload(name, signatures, args, kwargs):
    """torch's 'invalid combination of arguments' TypeError."""
    got = ', '.join([_type_desc(a) for a in args] + [f'{k}={_type_desc(v)}' for k, v in kwargs.items()])
    opts = ('*, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, '
            'bool pin_memory = False, bool requires_grad = False')
    lines = ''.join(f' * (int window_length{s}, {opts})\n' for s in signatures)
    raise TypeError(f"{name}() received an invalid combination of arguments - got ({got}), "
                    f"but expected one of:\n{lines}")


def _checks(name, window_length, dtype, layout, device):
    if isinstance(window_length, bool) or not isinstance(window_length, int):
        raise TypeError(f"{name}(): argument 'window_length' (position 1) must be int, not "
                        f"{type(window_length).__name__}")
    if dtype._cat < 2:
        lay = 'Strided (default)' if layout is None else 'Strided'
        raise RuntimeError(
            f"{name} expects floating point dtypes, got: TensorOptions(dtype={_CPP_NAMES[dtype.name]}, "
            f"device={_dev(None).type if device is None else device}, layout={lay}, requires_grad=false (default), "
            "pinned_memory=false, "
            f"memory_format=(nullopt))")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={window_length}")


def _window(name, window_length, periodic, dtype, layout, device, requires_grad, body):
    """Shared frame: checks, the 0 and 1 lengths, the periodic trim; body(n, ops) -> array."""
    dtype = dtype or D.get_default_dtype()
    _checks(name, window_length, dtype, layout, device)
    if dtype._cat == 3 and window_length > 1:
        raise kernel_error('arange_cpu', dtype, _dev(device))
    npdt = D.np_dtype(dtype)
    if window_length <= 1:
        data = np.ones(window_length, npdt)
    else:
        n = window_length + 1 if periodic else window_length
        op = np.float32 if npdt == np.float16 else npdt
        data = body(n, np.arange(n, dtype=npdt), lambda x: x.astype(op), lambda x: x.astype(npdt))
        if periodic:
            data = np.ascontiguousarray(data[:-1])
    return _finish(data, dtype, device, requires_grad, name)


def _hamming_body(alpha, beta):
    def body(n, w, up, down):
        w = down(up(w) * up(np.asarray(2 * math.pi / (n - 1))))
        w = down(np.cos(up(w)))
        return down(down(up(w) * up(np.asarray(-beta))) + up(np.asarray(alpha)))
    return body


def hamming_window(window_length, periodic=_UNSET, alpha=_UNSET, beta=_UNSET, *, dtype=None,
                   layout=None, device=None, pin_memory=False, requires_grad=False):
    given = [periodic, alpha, beta]
    first_unset = given.index(_UNSET) if _UNSET in given else len(given)
    if any(v is not _UNSET for v in given[first_unset:]):
        # a later optional given without an earlier one: no overload of torch's matches
        # those before the gap are taken as positional (the usual call), as torch would print them
        kw = {k: v for k, v in zip(('periodic', 'alpha', 'beta')[first_unset:], given[first_unset:])
              if v is not _UNSET}
        _bad_overload('hamming_window', ('', ', bool periodic', ', bool periodic, float alpha',
                                         ', bool periodic, float alpha, float beta'),
                      (window_length, *given[:first_unset]), kw)
    periodic = True if periodic is _UNSET else periodic
    alpha = 0.54 if alpha is _UNSET else alpha
    beta = 0.46 if beta is _UNSET else beta
    return _window('hamming_window', window_length, periodic, dtype, layout, device, requires_grad,
                   _hamming_body(alpha, beta))


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                pin_memory=False, requires_grad=False):
    return _window('hann_window', window_length, periodic, dtype, layout, device, requires_grad,
                   _hamming_body(0.5, 0.5))


def _blackman_body(n, w, up, down):
    w = down(up(w) * up(np.asarray(math.pi / (n - 1))))
    c4 = down(up(down(np.cos(up(down(up(w) * up(np.asarray(4))))))) * up(np.asarray(0.08)))
    c2 = down(up(down(np.cos(up(down(up(w) * up(np.asarray(2))))))) * up(np.asarray(0.5)))
    return down(up(down(up(c4) - up(c2))) + up(np.asarray(0.42)))


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    pin_memory=False, requires_grad=False):
    return _window('blackman_window', window_length, periodic, dtype, layout, device, requires_grad,
                   _blackman_body)


def _bartlett_body(n, w, up, down):
    w = down(up(w) * up(np.asarray(2.0 / (n - 1))))
    first_half = ((n - 1) >> 1) + 1
    w[first_half:] = down(up(np.asarray(2)) - up(w[first_half:]))    # mul_(-1).add_(2): exact negation
    return w


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    pin_memory=False, requires_grad=False):
    return _window('bartlett_window', window_length, periodic, dtype, layout, device, requires_grad,
                   _bartlett_body)


def _i0(x):
    from .. import i0, from_numpy
    return i0(from_numpy(x)).numpy()


def kaiser_window(window_length, periodic=_UNSET, beta=_UNSET, *, dtype=None, layout=None,
                  device=None, pin_memory=False, requires_grad=False):
    if periodic is _UNSET and beta is not _UNSET:
        _bad_overload('kaiser_window', ('', ', bool periodic', ', bool periodic, float beta'),
                      (window_length,), {'beta': beta})
    periodic = True if periodic is _UNSET else periodic
    beta = 12.0 if beta is _UNSET else beta

    def body(n, w, up, down):
        # ATen's kernel: i0(beta * sqrt(|1 - ((k - alpha) / alpha)^2|)) / i0(beta), in op-math;
        # i0 is evaluated in float64 and rounded (torch's float32 Cephes differs by an ulp or so)
        op = up(np.asarray(0)).dtype
        alpha = op.type((n - 1) / 2.0)
        r = np.abs(op.type(1) - ((up(w) - alpha) / alpha) ** 2)
        arg = (op.type(beta) * np.sqrt(r)).astype(np.float64)
        return down(_i0(arg).astype(op) / _i0(np.asarray(float(op.type(beta)))).astype(op))
    return _window('kaiser_window', window_length, periodic, dtype, layout, device, requires_grad, body)


for _f in (hann_window, hamming_window, blackman_window, bartlett_window, kaiser_window):
    register(_f, method=False)
