"""torch.testing: assert_close (torch's tolerances and messages), make_tensor, assert_allclose.

assert_close walks sequences and mappings like torch, pairs each leaf with a comparison (None,
bool, number, tensor/ndarray) and reports the first failure with torch's text. Sparse, quantized
and nested tensors are not handled. make_tensor follows torch's algorithm over the RNG (randint /
uniform_), so seeded values match torch's.
"""
import cmath
import collections.abc
import math
import numbers
import warnings

from . import _xnp as np

from . import _tensor as _T

__all__ = ['assert_close', 'make_tensor', 'assert_allclose']

# dtype name -> (rtol, atol); every other dtype compares exactly
_DTYPE_PRECISIONS = {'float16': (0.001, 1e-5), 'bfloat16': (0.016, 1e-5), 'float32': (1.3e-6, 1e-5),
                     'float64': (1e-7, 1e-7), 'complex32': (0.001, 1e-5), 'complex64': (1.3e-6, 1e-5),
                     'complex128': (1e-7, 1e-7)}
_ALLCLOSE_PRECISIONS = {'float16': (1e-3, 1e-3), 'float32': (1e-4, 1e-5), 'float64': (1e-5, 1e-8)}
_NUMBER_DTYPE = {bool: 'bool', int: 'int64', float: 'float64', complex: 'complex128'}


class _Failure(Exception):
    def __init__(self, exc_type, msg, id=()):
        self.exc_type, self.msg, self.id = exc_type, msg, id

    def to_error(self, msg=None):
        if not isinstance(msg, str):
            generated = self.msg
            if self.id:
                generated += f"\n\nThe failure occurred for item {''.join(str([i]) for i in self.id)}"
            msg = msg(generated) if callable(msg) else generated
        return self.exc_type(msg)


def _dtype_name(dtype):
    return str(dtype).rsplit('.', 1)[-1]


def _default_tolerances(*dtypes, precisions=_DTYPE_PRECISIONS):
    rtols, atols = zip(*(precisions.get(_dtype_name(d), (0.0, 0.0)) for d in dtypes))
    return max(rtols), max(atols)


def _tolerances(dtypes, rtol, atol, id):
    if (rtol is None) ^ (atol is None):
        raise _Failure(ValueError, f"Both 'rtol' and 'atol' must be either specified or omitted, but got no "
                                   f"{'rtol' if rtol is None else 'atol'}.", id)
    if rtol is not None:
        return rtol, atol
    return _default_tolerances(*dtypes)


def _mismatch_msg(default_identifier, extra, abs_diff, abs_idx, atol, rel_diff, rel_idx, rtol):
    equality = rtol == 0 and atol == 0

    def diff_msg(kind, diff, idx, tol):
        msg = f"{kind.title()} difference: {diff}" if idx is None else \
            f"Greatest {kind} difference: {diff} at index {idx}"
        return msg + ("" if equality else f" (up to {tol} allowed)") + "\n"

    msg = f"{default_identifier} are not {'equal' if equality else 'close'}!\n\n{extra.strip()}\n"
    msg += diff_msg('absolute', abs_diff, abs_idx, atol) + diff_msg('relative', rel_diff, rel_idx, rtol)
    return msg.strip()


def _scalar_mismatch(actual, expected, rtol, atol):
    abs_diff = abs(actual - expected)
    rel_diff = float('inf') if expected == 0 else abs_diff / abs(expected)
    return _mismatch_msg('Scalars', f"Expected {expected} but got {actual}.", abs_diff, None, atol, rel_diff,
                         None, rtol)


def _is_number(x):
    return isinstance(x, numbers.Number) and not isinstance(x, (bool, np.bool_))


# --- pairs: (actual, expected, id) -> raises _Failure ----------------------------------------------
def _compare_none(a, e, id, **_):
    if not (a is None and e is None):
        raise _Failure(AssertionError, f"None mismatch: {a} is not {e}", id)


def _compare_bool(a, e, id, **_):
    if bool(a) is not bool(e):
        raise _Failure(AssertionError, f"Booleans mismatch: {a} is not {e}", id)


def _compare_number(a, e, id, rtol, atol, equal_nan, check_dtype, **_):
    if check_dtype and type(a) is not type(e):
        raise _Failure(AssertionError, f"The (d)types do not match: {type(a)} != {type(e)}.", id)
    rtol, atol = _tolerances([_NUMBER_DTYPE.get(type(x), 'float64') for x in (a, e)], rtol, atol, id)
    if a == e or (equal_nan and cmath.isnan(a) and cmath.isnan(e)):
        return
    abs_diff = abs(a - e)
    if cmath.isfinite(abs_diff) and abs_diff <= atol + rtol * abs(e):
        return
    raise _Failure(AssertionError, _scalar_mismatch(a, e, rtol, atol), id)


def _as_tensor(x):
    from . import as_tensor
    return x if isinstance(x, _T.Tensor) else as_tensor(x)


def _compare_tensor(a, e, id, rtol, atol, equal_nan, check_device, check_dtype, check_layout, check_stride, **_):
    from . import promote_types, isclose, int64
    a, e = _as_tensor(a), _as_tensor(e)
    rtol, atol = _tolerances([a.dtype, e.dtype], rtol, atol, id)
    attrs = [('shape', a.shape, e.shape)]
    if check_device:
        attrs.append(('device', a.device, e.device))
    if check_dtype:
        attrs.append(('dtype', a.dtype, e.dtype))
    if check_layout:
        attrs.append(('layout', a.layout, e.layout))
    if check_stride:
        attrs.append(('stride()', a.stride(), e.stride()))
    for name, av, ev in attrs:
        if av != ev:
            raise _Failure(AssertionError, f"The values for attribute '{name}' do not match: {av} != {ev}.", id)
    if a.is_meta or e.is_meta:      # as torch: a meta tensor has only its attributes to compare
        return
    a, e = a.detach(), e.detach()
    if a.device != e.device:
        a, e = a.cpu(), e.cpu()
    if a.dtype != e.dtype:
        common = promote_types(a.dtype, e.dtype)
        a, e = a.to(common), e.to(common)
    if a.numel() == 0:
        return
    matches = isclose(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if bool(matches.all()):
        return
    if a.dim() == 0:
        raise _Failure(AssertionError, _scalar_mismatch(a.item(), e.item(), rtol, atol), id)
    total, n = int(matches.logical_not().sum()), matches.numel()
    af, ef, mf = a.flatten(), e.flatten(), matches.flatten()
    if not (af.dtype.is_floating_point or af.dtype.is_complex):
        af, ef = af.to(int64), ef.to(int64)
    abs_diff = (af - ef).abs()
    abs_diff[mf] = 0
    max_abs, abs_i = abs_diff.max(0)
    rel_diff = abs_diff / ef.abs()
    rel_diff[mf] = 0
    max_rel, rel_i = rel_diff.max(0)

    def unravel(i):
        return tuple(int(v) for v in np.unravel_index(int(i), tuple(a.shape)))

    raise _Failure(AssertionError, _mismatch_msg(
        'Tensor-likes', f"Mismatched elements: {total} / {n} ({total / n:.1%})", max_abs.item(), unravel(abs_i),
        atol, max_rel.item(), unravel(rel_i), rtol), id)


def _pick(a, e):
    if a is None or e is None:
        return _compare_none
    if isinstance(a, (bool, np.bool_)) and isinstance(e, (bool, np.bool_)):
        return _compare_bool
    if _is_number(a) and _is_number(e):
        return _compare_number
    tensorlike = (_T.Tensor, np.ndarray)
    if isinstance(a, tensorlike) and isinstance(e, tensorlike) and (isinstance(a, type(e)) or isinstance(e, type(a))):
        return _compare_tensor
    raise TypeError(f"No comparison pair was able to handle inputs of type {_type_repr(a)} and {_type_repr(e)}.")


def _type_repr(x):
    # faketorch.Tensor lives in faketorch._tensor; torch prints its Tensor as torch.Tensor
    return "<class 'torch.Tensor'>" if type(x) is _T.Tensor else str(type(x))


def _originate_pairs(a, e, id=()):
    seq = collections.abc.Sequence
    if isinstance(a, seq) and not isinstance(a, str) and isinstance(e, seq) and not isinstance(e, str):
        if len(a) != len(e):
            raise _Failure(AssertionError, f"The length of the sequences mismatch: {len(a)} != {len(e)}", id)
        return [p for i, (x, y) in enumerate(zip(a, e)) for p in _originate_pairs(x, y, id + (i,))]
    mapping = collections.abc.Mapping
    if isinstance(a, mapping) and isinstance(e, mapping):
        ak, ek = set(a.keys()), set(e.keys())
        if ak != ek:
            raise _Failure(AssertionError, f"The keys of the mappings do not match:\nMissing keys in the actual "
                                           f"mapping: {sorted(ek - ak)}\nAdditional keys in the actual mapping: "
                                           f"{sorted(ak - ek)}", id)
        keys = list(a.keys())
        try:
            keys = sorted(keys)
        except Exception:
            pass
        return [p for k in keys for p in _originate_pairs(a[k], e[k], id + (k,))]
    return [(_pick(a, e), a, e, id)]


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False, msg=None):
    __tracebackhide__ = True
    options = dict(rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=check_device, check_dtype=check_dtype,
                   check_layout=check_layout, check_stride=check_stride)
    try:
        pairs = _originate_pairs(actual, expected)
        for compare, a, e, id in pairs:
            compare(a, e, id, **options)
    except _Failure as f:
        raise f.to_error(msg) from None


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=''):
    warnings.warn("`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a future "
                  "release. Please use `torch.testing.assert_close()` instead. You can find detailed upgrade "
                  "instructions in https://github.com/pytorch/pytorch/issues/61844.", FutureWarning, stacklevel=2)
    from . import tensor
    if not isinstance(actual, _T.Tensor):
        actual = tensor(actual)
    if not isinstance(expected, _T.Tensor):
        expected = tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        rtol, atol = _default_tolerances(actual.dtype, expected.dtype, precisions=_ALLCLOSE_PRECISIONS)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=True, check_dtype=False,
                 check_stride=False, msg=msg or None)


# --- make_tensor ----------------------------------------------------------------------------------
_INTEGRAL = ('uint8', 'int8', 'int16', 'int32', 'int64', 'uint16', 'uint32', 'uint64')
_FLOATING_OR_COMPLEX = ('float16', 'bfloat16', 'float32', 'float64', 'complex32', 'complex64', 'complex128')


def make_tensor(*shape, dtype, device, low=None, high=None, requires_grad=False, noncontiguous=False,
                exclude_zero=False, memory_format=None):
    import faketorch as torch
    name = _dtype_name(dtype)

    def low_high(lowest, highest, default_low, default_high):
        lo = default_low if low is None else low
        hi = default_high if high is None else high
        if any(isinstance(v, float) and math.isnan(v) for v in (lo, hi)):
            raise ValueError(f"`low` and `high` cannot be NaN, but got low={lo} and high={hi}")
        if lo == hi and name in _FLOATING_OR_COMPLEX:
            warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or complex types is "
                          "deprecated since 2.1 and will be removed in 2.3. Use `torch.full(...)` instead.",
                          FutureWarning, stacklevel=3)
        elif lo >= hi:
            raise ValueError(f"`low` must be less than `high`, but got {lo} >= {hi}")
        elif hi < lowest or lo >= highest:
            raise ValueError(f"The value interval specified by `low` and `high` is [{lo}, {hi}), but {dtype} only "
                             f"supports [{lowest}, {highest})")
        lo, hi = min(max(lo, lowest), highest), min(max(hi, lowest), highest)
        return (math.ceil(lo), math.ceil(hi)) if name == 'bool' or name in _INTEGRAL else (lo, hi)

    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = shape[0]
    shape = tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError(f"The parameters `noncontiguous` and `memory_format` are mutually exclusive, but got "
                         f"noncontiguous={noncontiguous} and memory_format={memory_format}")
    if requires_grad and (name == 'bool' or name in _INTEGRAL):
        raise ValueError(f"`requires_grad=True` is not supported for boolean and integral dtypes, but got "
                         f"dtype={dtype}")
    noncontiguous = noncontiguous and math.prod(shape) > 1
    if noncontiguous:
        shape = (*shape[:-1], 2 * shape[-1])
    if name == 'bool':
        lo, hi = low_high(0, 2, 0, 2)
        result = torch.randint(lo, hi, shape, device=device, dtype=dtype)
    elif name in _INTEGRAL:
        info = torch.iinfo(dtype)
        lo, hi = low_high(info.min, info.max + (1 if name != 'int64' else 0), -9, 10)
        result = torch.randint(lo, hi, shape, device=device, dtype=dtype)
    elif name in _FLOATING_OR_COMPLEX:
        info = torch.finfo(dtype)
        lo, hi = low_high(info.min, info.max, -9, 9)
        result = torch.empty(shape, device=device, dtype=dtype)
        target = torch.view_as_real(result) if dtype.is_complex else result
        # uniform_ needs high - low to be finite in the dtype: halve the range, then double
        if hi - lo >= info.max:
            target.uniform_(lo / 2, hi / 2).mul_(2)
        else:
            target.uniform_(lo, hi)
    else:
        raise TypeError(f"The requested dtype '{dtype}' is not supported by torch.testing.make_tensor(). To request "
                        f"support, file an issue at: https://github.com/pytorch/pytorch/issues")
    if noncontiguous:
        result = result[..., 1::2]
    elif memory_format is not None:
        result = result.clone(memory_format=memory_format)
    if exclude_zero:
        result[result == 0] = 1 if (name == 'bool' or name in _INTEGRAL) else torch.finfo(dtype).tiny
    if name in _FLOATING_OR_COMPLEX:
        result.requires_grad = requires_grad
    return result
