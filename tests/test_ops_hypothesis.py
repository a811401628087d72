"""Differential property tests against torch: broadcasting x dtype promotion x elementwise ops, and
indexing / setitem patterns. Random shapes, dtypes, scalars and index expressions; both libraries must
agree on the result (dtype, shape, values) or raise the same exception type and message."""
import numpy as np
import pytest

torch = pytest.importorskip('torch')
hypothesis = pytest.importorskip('hypothesis')
from hypothesis import given, settings, strategies as st, HealthCheck  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import faketorch  # noqa: E402

SETTINGS = settings(max_examples=int(__import__("os").environ.get("FT_HYPOTHESIS_EXAMPLES", 120)), deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
DTYPES = ['bool', 'uint8', 'int8', 'int32', 'int64', 'float32', 'float64']
TOL = {'float32': (1.3e-6, 1e-5), 'float64': (1e-7, 1e-7)}

BINARY = ['add', 'sub', 'mul', 'div', 'true_divide', 'floor_divide', 'remainder', 'fmod', 'pow', 'maximum',
          'minimum', 'fmax', 'fmin', 'atan2', 'hypot', 'copysign', 'eq', 'ne', 'lt', 'le', 'gt', 'ge',
          'logical_and', 'logical_or', 'logical_xor', 'bitwise_and', 'bitwise_or', 'bitwise_xor', 'xlogy',
          'logaddexp']
OPERATORS = {'+': lambda a, b: a + b, '-': lambda a, b: a - b, '*': lambda a, b: a * b,
             '/': lambda a, b: a / b, '//': lambda a, b: a // b, '%': lambda a, b: a % b,
             '**': lambda a, b: a ** b, '&': lambda a, b: a & b, '|': lambda a, b: a | b,
             '^': lambda a, b: a ^ b, '<': lambda a, b: a < b, '==': lambda a, b: a == b}
UNARY = ['neg', 'abs', 'exp', 'log', 'sqrt', 'sin', 'tanh', 'sigmoid', 'floor', 'ceil', 'trunc', 'round',
         'sign', 'square', 'reciprocal', 'rsqrt', 'expm1', 'log1p', 'erf', 'lgamma', 'logical_not',
         'bitwise_not', 'isnan', 'isfinite', 'frac', 'relu', 'nan_to_num', 'signbit']
# integer division by zero is an error in torch and garbage in NumPy: keep divisors non-zero
DIVISIVE = {'div', 'true_divide', 'floor_divide', 'remainder', 'fmod', '/', '//', '%'}


def _array(draw, shape, dtype, nonzero=False):
    if dtype == 'bool':
        a = draw(hnp.arrays(np.bool_, shape))
        return np.ones(shape, np.bool_) if nonzero else a
    if dtype.startswith('float'):
        vals = st.sampled_from([0., -0., 0.5, -1.5, 2., 3.25, -7., 1e3, float('inf'), float('nan')]) if not nonzero \
            else st.sampled_from([0.5, -1.5, 2., 3.25, -7.])
        return draw(hnp.arrays(np.dtype(dtype), shape, elements=vals))
    lo = 0 if dtype == 'uint8' else -6
    a = draw(hnp.arrays(np.dtype(dtype), shape, elements=st.integers(lo, 6)))
    if nonzero:
        a = np.where(a == 0, 1, a).astype(dtype)
    return a


@st.composite
def operand_pair(draw, nonzero_second=False):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
    kinds = [draw(st.sampled_from(['tensor', 'tensor', 'zerodim', 'scalar'])) for _ in range(2)]
    if kinds == ['scalar', 'scalar']:
        kinds[0] = 'tensor'
    ops = []
    for i, (kind, shape) in enumerate(zip(kinds, shapes.input_shapes)):
        nz = nonzero_second and i == 1
        if kind == 'scalar':
            choices = [True, 2, -3, 0.5, -2.25] if not nz else [True, 2, -3, 0.5]
            ops.append(('scalar', draw(st.sampled_from(choices))))
        else:
            dt = draw(st.sampled_from(DTYPES))
            ops.append(('tensor', dt, _array(draw, () if kind == 'zerodim' else shape, dt, nz)))
    return ops


def _build(mod, spec):
    if spec[0] == 'scalar':
        return spec[1]
    return mod.tensor(spec[2].copy(), dtype=getattr(mod, spec[1]))


def _run(mod, fn):
    try:
        return 'ok', fn(mod)
    except Exception as e:      # the exception is part of the behaviour being compared
        return 'raise', (type(e).__name__, str(e))


def _to_numpy(x):
    if isinstance(x, (torch.Tensor, faketorch.Tensor)):
        return x.detach().numpy() if isinstance(x, torch.Tensor) else x.numpy()
    return x


def _assert_same(ref, got, ctx):
    assert ref[0] == got[0], f'{ctx}: torch {ref} vs faketorch {got}'
    if ref[0] == 'raise':
        assert ref[1] == got[1], f'{ctx}: torch raised {ref[1]}, faketorch raised {got[1]}'
        return
    r, g = ref[1], got[1]
    if isinstance(r, (tuple, list)):
        assert isinstance(g, (tuple, list)) and len(r) == len(g), ctx
        for a, b in zip(r, g):
            _assert_same(('ok', a), ('ok', b), ctx)
        return
    if not isinstance(r, torch.Tensor):
        assert r == g or (r != r and g != g), f'{ctx}: {r!r} vs {g!r}'
        return
    assert str(r.dtype) == str(g.dtype), f'{ctx}: dtype {r.dtype} vs {g.dtype}'
    assert tuple(r.shape) == tuple(g.shape), f'{ctx}: shape {tuple(r.shape)} vs {tuple(g.shape)}'
    a, b = _to_numpy(r), _to_numpy(g)
    name = str(r.dtype).split('.')[-1]
    if name in TOL:
        rtol, atol = TOL[name]
        ok = np.isclose(b, a, rtol=rtol, atol=atol, equal_nan=True) | (a == b)
        assert ok.all(), f'{ctx}: values differ\n{a}\nvs\n{b}'
    else:
        assert np.array_equal(a, b), f'{ctx}: values differ\n{a}\nvs\n{b}'


@SETTINGS
@given(data=st.data())
def test_binary_broadcast_promotion(data):
    op = data.draw(st.sampled_from(BINARY + list(OPERATORS)))
    pair = data.draw(operand_pair(nonzero_second=op in DIVISIVE))
    if op not in OPERATORS and pair[0][0] == 'scalar':
        pair = pair[::-1]       # torch.op(scalar, tensor) only exists for a few ops (argument-parser errors)
    if op in OPERATORS:
        f = OPERATORS[op]
        fn = lambda mod: f(_build(mod, pair[0]), _build(mod, pair[1]))  # noqa: E731
    else:
        fn = lambda mod: getattr(mod, op)(_build(mod, pair[0]), _build(mod, pair[1]))  # noqa: E731
    _assert_same(_run(torch, fn), _run(faketorch, fn), f'{op}{pair}')


@SETTINGS
@given(data=st.data())
def test_inplace_binary(data):
    op = data.draw(st.sampled_from(['add_', 'sub_', 'mul_', 'div_', 'maximum', 'pow_', 'remainder_']))
    pair = data.draw(operand_pair(nonzero_second=op in ('div_', 'remainder_')))
    if pair[0][0] == 'scalar':
        return

    def fn(mod):
        a = _build(mod, pair[0])
        r = getattr(a, op)(_build(mod, pair[1]))
        return r, a
    _assert_same(_run(torch, fn), _run(faketorch, fn), f'{op}{pair}')


@SETTINGS
@given(data=st.data())
def test_unary(data):
    op = data.draw(st.sampled_from(UNARY))
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=3))
    dt = data.draw(st.sampled_from(DTYPES))
    spec = ('tensor', dt, _array(data.draw, shape, dt))

    def fn(mod):
        return getattr(mod, op)(_build(mod, spec))
    _assert_same(_run(torch, fn), _run(faketorch, fn), f'{op}{spec}')


@SETTINGS
@given(data=st.data())
def test_reductions(data):
    op = data.draw(st.sampled_from(['sum', 'prod', 'mean', 'amax', 'amin', 'all', 'any', 'argmax', 'argmin',
                                    'count_nonzero', 'std', 'var', 'logsumexp', 'cumsum', 'nansum']))
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3))
    dt = data.draw(st.sampled_from(DTYPES))
    spec = ('tensor', dt, _array(data.draw, shape, dt))
    nd = max(len(shape), 1)
    dim = data.draw(st.one_of(st.none(), st.integers(-nd, nd - 1)))
    keep = data.draw(st.booleans())

    def fn(mod):
        x = _build(mod, spec)
        f = getattr(mod, op)
        if op == 'cumsum':
            return f(x, dim if dim is not None else 0)
        if op == 'logsumexp':
            return f(x, dim if dim is not None else 0, keepdim=keep)
        if op == 'count_nonzero':
            return f(x, dim)
        if dim is None:
            return f(x)
        return f(x, dim, keepdim=keep)
    _assert_same(_run(torch, fn), _run(faketorch, fn), f'{op}{spec} dim={dim} keepdim={keep}')


@st.composite
def index_expr(draw, shape):
    """An index for a tensor of `shape`: ints, slices, None, Ellipsis, bool masks, int lists/tensors."""
    parts = []
    dims = list(shape)
    used_ellipsis = False
    n = draw(st.integers(1, max(1, len(dims) + 1)))
    d = 0
    for _ in range(n):
        size = dims[d] if d < len(dims) else 1
        kind = draw(st.sampled_from(['int', 'slice', 'slice', 'none', 'ellipsis', 'list', 'tensor', 'mask']))
        if kind == 'int':
            parts.append(draw(st.integers(-size - 1, size)))
            d += 1
        elif kind == 'slice':
            start = draw(st.one_of(st.none(), st.integers(-size - 1, size + 1)))
            stop = draw(st.one_of(st.none(), st.integers(-size - 1, size + 1)))
            step = draw(st.one_of(st.none(), st.integers(1, 3)))
            parts.append(slice(start, stop, step))
            d += 1
        elif kind == 'none':
            parts.append(None)
        elif kind == 'ellipsis' and not used_ellipsis:
            parts.append(Ellipsis)
            used_ellipsis = True
            d = len(dims)
        elif kind == 'list':
            parts.append(draw(st.lists(st.integers(-size, max(size - 1, 0)), min_size=1, max_size=3)))
            d += 1
        elif kind == 'tensor':
            k = draw(st.integers(1, 3))
            parts.append(('idx', draw(hnp.arrays(np.int64, (k,), elements=st.integers(-size, max(size - 1, 0))))))
            d += 1
        elif d < len(dims) and not used_ellipsis:
            # (a mismatched mask is an error whose message names dims in a way not worth pinning)
            parts.append(('mask', draw(hnp.arrays(np.bool_, (size,)))))
            d += 1
    return tuple(parts)


def _index(mod, expr):
    out = []
    for p in expr:
        if isinstance(p, tuple) and p and p[0] == 'idx':
            out.append(mod.tensor(p[1]))
        elif isinstance(p, tuple) and p and p[0] == 'mask':
            out.append(mod.tensor(p[1]))
        else:
            out.append(p)
    return tuple(out)


@SETTINGS
@given(data=st.data())
def test_getitem(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    dt = data.draw(st.sampled_from(['int64', 'float32', 'bool']))
    arr = _array(data.draw, shape, dt)
    expr = data.draw(index_expr(shape))

    def fn(mod):
        return mod.tensor(arr.copy(), dtype=getattr(mod, dt))[_index(mod, expr)]
    _assert_same(_run(torch, fn), _run(faketorch, fn), f'{shape}[{expr}]')


@SETTINGS
@given(data=st.data())
def test_setitem(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    arr = _array(data.draw, shape, 'float32')
    expr = data.draw(index_expr(shape))
    value = data.draw(st.sampled_from(['scalar', 'zerodim', 'row', 'int']))

    def fn(mod):
        x = mod.tensor(arr.copy())
        idx = _index(mod, expr)
        v = {'scalar': 2.5, 'int': 7, 'zerodim': mod.tensor(-1.),
             'row': mod.arange(float(shape[-1]))}[value]
        x[idx] = v
        return x
    _assert_same(_run(torch, fn), _run(faketorch, fn), f'{shape}[{expr}] = {value}')


@SETTINGS
@given(data=st.data())
def test_index_grad(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    arr = _array(data.draw, shape, 'float64', nonzero=True)
    expr = data.draw(index_expr(shape))

    def fn(mod):
        x = mod.tensor(arr.copy(), requires_grad=True)
        y = x[_index(mod, expr)]
        (y * y).sum().backward()
        return y.detach(), x.grad
    _assert_same(_run(torch, fn), _run(faketorch, fn), f'grad {shape}[{expr}]')
