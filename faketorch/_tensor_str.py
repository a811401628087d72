"""Tensor printing: repr()/str() text identical to torch's, and the print options.

The layout follows torch's rules: one number format per tensor (chosen from the
values that will be shown), right-aligned to a common width, rows wrapped at
`linewidth`, big tensors cut to `edgeitems` on each side of every long axis.
"""
import contextlib
import math
import sys

from . import _xnp as np

from . import _dtype as D
from ._device import xp_of

__all__ = ['set_printoptions', 'get_printoptions', 'printoptions', 'PRINT_OPTS']


class _PrinterOptions:
    """torch._tensor_str.PRINT_OPTS: the live options, read by every print."""
    __slots__ = ('precision', 'threshold', 'edgeitems', 'linewidth', 'sci_mode')

    def __init__(self):
        self.precision, self.threshold, self.edgeitems, self.linewidth = _PROFILES['default']
        self.sci_mode = None

    def __repr__(self):
        return '__PrinterOptions(' + ', '.join(f'{k}={getattr(self, k)!r}' for k in self.__slots__) + ')'


#            precision threshold  edgeitems linewidth
_PROFILES = {'default': (4, 1000, 3, 80),
             'short': (2, 1000, 2, 80),
             'full': (4, math.inf, 3, 80)}

PRINT_OPTS = _PrinterOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """Set options for printing tensors (torch.set_printoptions)."""
    opts = PRINT_OPTS
    if profile in _PROFILES:   # torch silently ignores unknown profile names
        opts.precision, opts.threshold, opts.edgeitems, opts.linewidth = _PROFILES[profile]
    if precision is not None:
        opts.precision = precision
    if threshold is not None:
        opts.threshold = threshold
    if edgeitems is not None:
        opts.edgeitems = edgeitems
    if linewidth is not None:
        opts.linewidth = linewidth
    # torch resets sci_mode on every call, even when it is not passed
    opts.sci_mode = sci_mode


def get_printoptions():
    """The current options, as keyword arguments for set_printoptions()."""
    return {k: getattr(PRINT_OPTS, k) for k in _PrinterOptions.__slots__}


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options (same arguments as set_printoptions)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# --- number format -----------------------------------------------------------------------------

class _Formatter:
    """Chooses one format (int / fixed / scientific) and one width for all shown values.

    `sample` holds the values that will be printed (already summarized)."""

    def __init__(self, sample, floating, zero=0.0):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = sample.reshape(-1)
        if not floating:
            if flat.size:   # str(int) is widest at an extreme; bool has only two values
                self.max_width = max(1, len(str(flat.min().item())), len(str(flat.max().item())))
            return
        flat = flat.astype(np.float64)
        if zero:        # e8m0fnu: torch's isfinite passes its NaN, which then reaches every check below
            vals = flat[flat != zero]
        else:
            vals = flat[np.isfinite(flat) & (flat != zero)]
        if not vals.size:
            return
        absv = np.abs(vals)
        lo, hi = float(absv.min()), float(absv.max())
        self.int_mode = bool(np.all(np.ceil(vals) == vals))
        sci = PRINT_OPTS.sci_mode
        self.sci_mode = (hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4) if sci is None else sci
        p = PRINT_OPTS.precision
        if self.sci_mode:
            spec, extra = f'.{p}e', 0
        elif self.int_mode:
            spec, extra = '.0f', 1   # room for the '.' that marks a float
        else:
            spec, extra = f'.{p}f', 0
        # Correct rounding keeps text length monotonic in |x| (and the exponent's digit count
        # peaks at the smallest or the largest |x|), so the widest text is at an extreme.
        self.max_width = max([len(format(v, spec)) + extra for v in _extremes(vals)]
                             + [3] * bool(zero and np.isnan(vals).any()))

    def width(self):
        return self.max_width

    def format(self, value):
        if not self.floating:
            s = f'{value}'
        elif self.sci_mode:
            s = f'{value:{self.max_width}.{PRINT_OPTS.precision}e}'
        elif self.int_mode:
            s = f'{value:.0f}'
            if not (math.isinf(value) or math.isnan(value)):
                s += '.'
        else:
            s = f'{value:.{PRINT_OPTS.precision}f}'
        return s.rjust(self.max_width)


def _extremes(vals):
    """Smallest and largest positive value, and smallest and largest negative one."""
    out = []
    for part in (vals[vals > 0], vals[vals < 0]):
        if part.size:
            out += [float(part.min()), float(part.max())]
    return out


# --- layout ------------------------------------------------------------------------------------

def _summarize(data, edge, xp):
    """Cut every axis longer than 2*edge to its first and last `edge` entries (still on the
    tensor's device, so only the shown part is ever copied to the host). Returns the cut array
    and, per axis, whether it was cut."""
    cut = tuple(n > 2 * edge for n in data.shape)
    if any(cut):
        for axis, c in enumerate(cut):
            if c:
                head = (slice(None),) * axis + (slice(None, edge),)
                tail = (slice(None),) * axis + (slice(-edge, None),)
                data = xp.concatenate((data[head], data[tail]), axis=axis)
    return data, cut


def _host(data):
    return data if hasattr(data, '__array_interface__') else data.get()


def _element_str(value, fmts):
    if len(fmts) == 1:
        return fmts[0].format(value)
    real = fmts[0].format(value.real)
    imag = (fmts[1].format(value.imag) + 'j').lstrip()
    return real + imag if imag[0] in '+-' else real + '+' + imag


def _vector_str(vec, cut, indent, fmts):
    elem_len = fmts[0].width() + 2
    if len(fmts) == 2:
        elem_len += fmts[1].width() + 1   # the imaginary part and its 'j'
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / elem_len))
    items = [_element_str(v, fmts) for v in vec.tolist()]
    if cut:
        e = PRINT_OPTS.edgeitems
        items[e:e] = [' ...']
    lines = [', '.join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return '[' + (',\n' + ' ' * (indent + 1)).join(lines) + ']'


def _nested_str(arr, cut, indent, fmts):
    if arr.ndim == 0:
        return _element_str(arr.item(), fmts)
    if arr.ndim == 1:
        return _vector_str(arr, cut[0], indent, fmts)
    slices = [_nested_str(sub, cut[1:], indent + 1, fmts) for sub in arr]
    if cut[0]:
        e = PRINT_OPTS.edgeitems
        slices[e:e] = ['...']
    return '[' + (',' + '\n' * (arr.ndim - 1) + ' ' * (indent + 1)).join(slices) + ']'


def _tensor_str(data, dtype, dev, indent):
    """The bracketed values of a (non-empty) array, as torch prints them."""
    if data.size == 0:
        return '[]'
    summarize = data.size > PRINT_OPTS.threshold and data.ndim > 0
    if summarize and not PRINT_OPTS.edgeitems:
        return '[...]'
    if summarize:
        data, cut = _summarize(data, PRINT_OPTS.edgeitems, xp_of(dev))
    else:
        cut = (False,) * data.ndim
    data = _host(data)
    if dtype.is_complex:
        fmts = (_Formatter(data.real, True), _Formatter(data.imag, True))
    else:
        # torch asks e8m0fnu for its values != 0, and 0 converts to its smallest value, 2**-127
        fmts = (_Formatter(data, dtype.is_floating_point, 2.0 ** -127 if dtype.name == 'float8_e8m0fnu' else 0.0),)
    return _nested_str(data, cut, indent, fmts)


def _add_suffixes(text, suffixes, indent):
    parts = [text]
    # torch's count runs two past the true length of the last line; kept for identical wrapping
    last_len = len(text) - text.rfind('\n') + 1
    for s in suffixes:
        if last_len + len(s) + 2 > PRINT_OPTS.linewidth:
            parts.append(',\n' + ' ' * indent + s)
            last_len = indent + len(s)
        else:
            parts.append(', ' + s)
            last_len += len(s) + 2
    parts.append(')')
    return ''.join(parts)


def _is_plain(t):
    from ._tensor import Tensor
    cls = type(t)
    return cls is Tensor or (cls.__name__ == 'Parameter' and cls.__module__.startswith('faketorch.'))


def _str(self, tensor_contents=None):
    prefix = 'tensor(' if _is_plain(self) else type(self).__name__ + '('
    indent = len(prefix)
    data, dtype, dev = self._data, self.dtype, self._device
    suffixes = []
    if dev.type != 'cpu':
        suffixes.append(f"device='{dev}'")

    default = D.get_default_dtype()
    if dev.type == 'meta':     # no values to show: torch prints the size, and any dtype but the default
        suffixes.append(f'size={tuple(data.shape)}')
        if dtype is not default:
            suffixes.append(f'dtype={dtype!r}')
        text = '...'
    elif data.size == 0:
        if data.ndim != 1:   # like NumPy, the shape is shown unless it is (0,)
            suffixes.append(f'size={tuple(data.shape)}')
        if dtype is not default:   # nothing to infer the dtype from, so even int64 is named
            suffixes.append(f'dtype={dtype!r}')
        text = '[]'
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f'size={tuple(data.shape)}')
        default_complex = D.complex128 if default is D.float64 else D.complex64
        if dtype not in (default, default_complex, D.int64, D.bool):
            suffixes.append(f'dtype={dtype!r}')
        text = None if tensor_contents is not None else _tensor_str(data, dtype, dev, indent)
    if tensor_contents is not None:
        text = tensor_contents

    grad_fn = self.grad_fn
    if grad_fn is not None:
        suffixes.append(f'grad_fn=<{type(grad_fn).__name__}>')
    elif self.requires_grad:
        suffixes.append('requires_grad=True')
    if self._fw_tangent is not None:
        suffixes.append(f'tangent={self._fw_tangent}')
    text = _add_suffixes(prefix + text, suffixes, indent)
    if prefix != 'tensor(':
        param = sys.modules.get('faketorch.nn.parameter')
        if param is not None and isinstance(self, param.Parameter):
            text = f'Parameter({text})'     # a Parameter of a Tensor subclass names both
    return text
