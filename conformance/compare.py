"""Turn what a case returned into plain data, and find the first difference.

``normalize`` works on results of either library (it only uses the public
tensor API both share). ``compare(expected, actual)`` returns None when they
agree, else one short line naming the first difference, torch's side first:
``dtype: torch.float32 vs torch.float64 at result[1]``.
"""
import os
import re

import numpy as np

# torch.testing.assert_close's defaults: dtype -> (rtol, atol). Others are exact.
TOLERANCES = {
    'float16': (1e-3, 1e-5), 'bfloat16': (1.6e-2, 1e-5),
    'float32': (1.3e-6, 1e-5), 'float64': (1e-7, 1e-7),
    'complex32': (1e-3, 1e-5), 'complex64': (1.3e-6, 1e-5), 'complex128': (1e-7, 1e-7),
}
# A Python float may come from a float32 tensor (.item()): use float32's tolerance.
PYFLOAT_TOLERANCE = TOLERANCES['float32']

# Objects compared by their printed text.
REPR_TYPES = {'Size', 'dtype', 'device', 'layout', 'memory_format', 'finfo', 'iinfo', 'qscheme'}
# Tensor dtypes NumPy cannot hold: widened before .numpy().
_WIDEN = {'torch.bfloat16': 'float', 'torch.complex32': 'cfloat', 'torch.float8_e4m3fn': 'float',
          'torch.float8_e5m2': 'float', 'torch.float8_e4m3fnuz': 'float', 'torch.float8_e5m2fnuz': 'float',
          'torch.float8_e8m0fnu': 'float'}
_TENSOR_FIELDS = ('type', 'shape', 'dtype', 'device', 'requires_grad', 'grad_fn', 'is_leaf')


def is_tensor(x):
    return any(c.__name__ == 'Tensor' for c in type(x).__mro__)


WHERE = {}     # CONFORMANCE_WHERE=1: (type, message, innermost faketorch frame) -> count


def raised(exc):
    """The result of a case that raised."""
    if os.environ.get('CONFORMANCE_WHERE'):
        _note_where(exc)
    return {'kind': 'raise', 'type': type(exc).__name__, 'message': scrub(str(exc))}


def _note_where(exc):
    where, tb = None, exc.__traceback__
    while tb is not None:
        f = tb.tb_frame.f_code.co_filename
        if '/faketorch/' in f:
            where = f"{f.split('/faketorch/', 1)[1]}:{tb.tb_lineno} {tb.tb_frame.f_code.co_name}"
        tb = tb.tb_next
    if where:
        key = (type(exc).__name__, str(exc)[:100], where)
        WHERE[key] = WHERE.get(key, 0) + 1


EMULATED = [False]      # --emulated-cuda: faketorch's 'cuda:0' stands for torch's 'cpu'


# what torch's CUDA kernels spell differently from its CPU ones (faketorch on the emulated GPU follows
# CUDA): read as the CPU spelling when comparing with torch on the CPU
CUDA_SPELLINGS = (('CudnnBatchNormBackward0', 'NativeBatchNormBackward0'), ('NativeDropoutBackward0', 'MulBackward0'),
                  ('expected mat1 and mat2', 'expected m1 and m2'), ('ctc_loss_gpu', 'ctc_loss_allocate_outputs'))


def scrub(text):
    """Printed text with the emulated GPU's device marks removed (torch's side printed none)."""
    if EMULATED[0] and text:
        text = re.sub(r"(,\n\s*)device='cuda:0', (?=size=\(.*\), nnz=)", r'\1', text)  # a sparse repr's suffixes
        text = re.sub(r",\s*device='cuda:0'", '', text).replace('cuda:0', 'cpu').replace('torch.cuda.', 'torch.')
        text = re.sub(r'\bCUDA(\w+Type)\b', r'CPU\1', text)     # backend type names: CUDABoolType
        for cuda, cpu in CUDA_SPELLINGS:
            text = text.replace(cuda, cpu)
        # torch names its CUDA kernels apart from its CPU ones ("frac_cuda", "host_softmax"): the kernel is
        # not compared, the error and the dtype are
        text = _KERNEL_NAME.sub('"<kernel>" not implemented for \'', text)
    return text


_KERNEL_NAME = re.compile(r'"\w+" not implemented for \'')


def normalize(x):
    if is_tensor(x):
        return _tensor(x)
    if isinstance(x, BaseException):
        return {'kind': 'exception', 'type': type(x).__name__, 'message': str(x)}
    if isinstance(x, str):
        return {'kind': 'value', 'type': 'str', 'value': scrub(x)}
    if x is None or isinstance(x, (bool, int, float, complex, bytes)):
        return {'kind': 'value', 'type': type(x).__name__, 'value': x}
    if isinstance(x, np.ndarray):
        return {'kind': 'ndarray', 'type': 'ndarray', 'dtype': str(x.dtype), 'shape': x.shape,
                'values': np.array(x, copy=True)}
    if isinstance(x, np.generic):
        return {'kind': 'value', 'type': type(x).__name__, 'value': x.item()}
    tname = type(x).__name__
    if tname in REPR_TYPES:
        return {'kind': 'repr', 'type': tname, 'text': repr(x)}
    if isinstance(x, dict):
        return {'kind': 'dict', 'type': tname, 'items': [(repr(k), normalize(v)) for k, v in x.items()]}
    if isinstance(x, (list, tuple)):                 # namedtuples/return_types keep their name
        return {'kind': 'seq', 'type': tname, 'items': [normalize(v) for v in x]}
    if isinstance(x, type):
        return {'kind': 'repr', 'type': 'type', 'text': x.__qualname__}
    return {'kind': 'repr', 'type': tname, 'text': _object_text(x)}


def _object_text(x):
    text = scrub(repr(x))
    if re.fullmatch(r'<[\w.]+ object at 0x[0-9a-fA-F]+>', text):   # default repr: class name only
        return f'<{type(x).__qualname__} object>'
    return re.sub(r'0x[0-9a-fA-F]+', '0x?', text)


def _tensor(t):
    grad_fn = t.grad_fn
    return {'kind': 'tensor', 'type': type(t).__name__, 'dtype': str(t.dtype),
            'shape': tuple(t.shape), 'device': scrub(str(t.device)),
            'requires_grad': bool(t.requires_grad),
            'grad_fn': None if grad_fn is None else scrub(type(grad_fn).__name__),
            'is_leaf': bool(t.is_leaf), 'values': _numpy(t)}


def _numpy(t):
    if getattr(t, '_is_zerotensor', lambda: False)():   # torch's lazy zero gradients
        return _numpy(t.new_zeros(tuple(t.shape)))
    t = t.detach()
    if t.device.type == 'meta':
        return None
    if t.device.type != 'cpu':
        t = t.cpu()
    if str(getattr(t, 'layout', 'torch.strided')) != 'torch.strided':      # COO, CSR ...: compared dense
        t = t.to_dense()
    if t.is_quantized:          # the integers; the quantizer is in the printed text cases return
        t = t.int_repr()
    if str(t.dtype) in _WIDEN:
        t = getattr(t, _WIDEN[str(t.dtype)])()
    if hasattr(t, 'resolve_conj'):                 # torch's lazy conj/neg bits block .numpy()
        t = t.resolve_conj().resolve_neg()
    return np.array(t.numpy(), copy=True)


# ---------------------------------------------------------------- comparing

def compare(expected, actual, path='result', *, atol=None, rtol=None, exact=False, values=True):
    """None if the normalised results agree, else the first difference."""
    tol = dict(atol=atol, rtol=rtol, exact=exact, values=values)
    return _cmp(expected, actual, path, tol)


def _cmp(a, b, path, tol):
    if a['kind'] != b['kind'] or a['type'] != b['type']:
        return f'{describe(a)} vs {describe(b)} at {path}'
    kind = a['kind']
    if kind == 'tensor':
        for f in _TENSOR_FIELDS:
            if a[f] != b[f]:
                return f'{f}: {a[f]} vs {b[f]} at {path}'
        return _cmp_values(a, b, path, tol) if tol['values'] else None
    if kind == 'ndarray':
        for f in ('dtype', 'shape'):
            if a[f] != b[f]:
                return f'{f}: {a[f]} vs {b[f]} at {path}'
        return _cmp_values(a, b, path, tol)
    if kind == 'seq':
        if len(a['items']) != len(b['items']):
            return f"length: {len(a['items'])} vs {len(b['items'])} at {path}"
        for i, (x, y) in enumerate(zip(a['items'], b['items'])):
            diff = _cmp(x, y, f'{path}[{i}]', tol)
            if diff:
                return diff
        return None
    if kind == 'dict':                  # walk in order: the first differing key or value
        for i in range(max(len(a['items']), len(b['items']))):
            ka, x = a['items'][i] if i < len(a['items']) else ('<none>', None)
            kb, y = b['items'][i] if i < len(b['items']) else ('<none>', None)
            if ka != kb:
                return f'key {i}: {ka} vs {kb} at {path}'
            diff = _cmp(x, y, f'{path}[{ka}]', tol)
            if diff:
                return diff
        return None
    if kind in ('raise', 'exception'):
        return text_diff(a['message'], b['message'], f'{a["type"]} message', path)
    if kind == 'repr':
        return text_diff(a['text'], b['text'], a['type'], path)
    return _cmp_value(a['value'], b['value'], a['type'], path, tol)


def _cmp_value(x, y, tname, path, tol):
    if tname == 'str':
        return text_diff(x, y, 'text', path)
    if tname in ('float', 'complex', 'float64', 'float32', 'float16', 'complex64', 'complex128') \
            and not tol['exact']:
        rtol, atol = PYFLOAT_TOLERANCE
        rtol, atol = _pick(tol['rtol'], rtol), _pick(tol['atol'], atol)
        same = (x != x and y != y) or x == y or abs(y - x) <= atol + rtol * abs(x)
    else:
        same = x == y or (x != x and y != y)
    return None if same else f'value: {x!r} vs {y!r} at {path}'


def _pick(override, default):
    return default if override is None else override


def _cmp_values(a, b, path, tol):
    x, y = a['values'], b['values']
    if x is None or y is None:
        return None if x is None and y is None else f'values: {x} vs {y} at {path}'
    if np.array_equal(x, y):
        return None
    if x.dtype.kind in 'fc' and not tol['exact']:
        rtol, atol = TOLERANCES.get(a['dtype'].replace('torch.', ''), (0.0, 0.0))
        close = np.isclose(y, x, rtol=_pick(tol['rtol'], rtol), atol=_pick(tol['atol'], atol),
                           equal_nan=True)
    elif x.dtype.kind in 'fc':
        close = (x == y) | (np.isnan(x) & np.isnan(y))
    else:
        close = x == y
    if close.all():
        return None
    bad = ~close
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    where = path + (str(list(first)) if x.ndim else '')
    detail = f'{int(bad.sum())} of {bad.size} differ'
    if x.dtype.kind in 'fciu':
        with np.errstate(invalid='ignore', over='ignore'):
            err = np.abs(x.astype(np.complex128 if x.dtype.kind == 'c' else np.float64) - y)
        finite = err[bad & np.isfinite(err)]
        if finite.size:
            detail += f', max abs diff {float(finite.max()):.3g}'
    return f'values: {x[first]} vs {y[first]} at {where} ({detail})'


def text_diff(a, b, what, path):
    """First differing line of two texts, or None."""
    if a == b:
        return None
    la, lb = a.split('\n'), b.split('\n')
    if len(la) == 1 and len(lb) == 1:
        return f'{what}: {_short(a)!r} vs {_short(b)!r} at {path}'
    for i in range(max(len(la), len(lb))):
        x = la[i] if i < len(la) else None
        y = lb[i] if i < len(lb) else None
        if x != y:
            show = lambda s: '<no line>' if s is None else repr(_short(s))
            return f'{what} line {i + 1}: {show(x)} vs {show(y)} at {path}'
    return None


def _short(s, n=120):
    return s if len(s) <= n else s[:n - 3] + '...'


def describe(node):
    """A one-line summary of a normalised result."""
    kind = node['kind']
    if kind == 'tensor':
        shape = 'x'.join(map(str, node['shape'])) or 'scalar'
        return f"{node['type']}({node['dtype'].replace('torch.', '')}, {shape})"
    if kind == 'ndarray':
        return f"ndarray({node['dtype']}, {'x'.join(map(str, node['shape'])) or 'scalar'})"
    if kind == 'raise':
        return f"raised {node['type']}: {_short(node['message'])}"
    if kind == 'exception':
        return f"{node['type']}({_short(node['message'])!r})"
    if kind in ('seq', 'dict'):
        return f"{node['type']} of {len(node['items'])}"
    if kind == 'repr':
        return _short(node['text'])
    return _short(repr(node['value']))
