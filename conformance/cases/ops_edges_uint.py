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

# --- gather / scatter: refused for a non-empty index, after the dtype and shape checks, before the bounds --
def _i2(torch):
    return torch.tensor([[0, 1], [2, 0]])


_each('torch.gather', lambda torch, dt: torch.gather(_m(torch, dt), 1, _i2(torch)))
_each('torch.gather', lambda torch, dt: (torch.gather(_m(torch, dt), 1, torch.zeros(2, 0, dtype=torch.int64)),
                                         torch.gather(_m(torch, dt), 1, torch.tensor([[5]]))), tag='_bounds')
check('torch.gather', lambda torch: torch.gather(_m(torch, 'uint16'), 1, _i2(torch).float()), name='uint_index_dtype')
check('torch.gather', lambda torch: torch.gather(torch.tensor(3, dtype=torch.uint16), 0, torch.tensor(0)),
      name='uint_0d')
_each('torch.take_along_dim', lambda torch, dt: torch.take_along_dim(_m(torch, dt), torch.tensor([0])))
_each('torch.scatter', lambda torch, dt: _m(torch, dt).scatter(1, _i2(torch), _m(torch, dt)))
_each('torch.scatter', lambda torch, dt: _m(torch, dt).scatter(1, _i2(torch), 5), tag='_value')
_each('torch.scatter', lambda torch, dt: _m(torch, dt).scatter(1, _i2(torch), 2, reduce='multiply'), tag='_reduce')
check('torch.scatter', lambda torch: _m(torch, 'uint32').scatter(1, _i2(torch), _m(torch, 'uint32').float()),
      name='uint_src_dtype_first')
check('torch.scatter', lambda torch: _m(torch, 'uint32').scatter(1, torch.zeros(2, 0, dtype=torch.int64), 1),
      name='uint_empty_index')
_each('torch.scatter_add', lambda torch, dt: _m(torch, dt).scatter_add(1, torch.tensor([[9]]), _m(torch, dt)))
for _r in ('sum', 'prod', 'mean', 'amax', 'amin'):
    _each('torch.scatter_reduce', lambda torch, dt, r=_r: _m(torch, dt).scatter_reduce(1, _i2(torch), _m(torch, dt), r),
          tag=f'_{_r}')
    check('torch.scatter_reduce', lambda torch, r=_r: _m(torch, 'uint16').scatter_reduce(
        1, _i2(torch), _m(torch, 'uint16'), r, include_self=False), name=f'uint_{_r}_exclude_self')
    check('torch.scatter_reduce', lambda torch, r=_r: _m(torch, 'uint16').scatter_reduce(
        1, torch.zeros(2, 0, dtype=torch.int64), _m(torch, 'uint16'), r), name=f'uint_{_r}_empty_index')

# --- index_* ----------------------------------------------------------------------------------------
_each('torch.index_select', lambda torch, dt: torch.index_select(_m(torch, dt), 1, torch.tensor([1, 0])))
_each('torch.index_select', lambda torch, dt: torch.index_select(_u(torch, dt), 0, torch.tensor([1, 0])), tag='_1d')
check('torch.index_select', lambda torch: torch.index_select(_u(torch, 'uint32'), 0, torch.tensor([5])),
      name='uint_bounds')
_each('Tensor.index_add', lambda torch, dt: _m(torch, dt).index_add(0, torch.tensor([1, 0]), _m(torch, dt)))
_each('Tensor.index_add', lambda torch, dt: _u(torch, dt).index_add(0, torch.tensor([], dtype=torch.int64),
                                                                     _u(torch, dt)[:0]), tag='_1d_empty')
check('Tensor.index_add', lambda torch: _m(torch, 'uint16').index_add(0, torch.tensor([1, 0]), _m(torch, 'uint16'),
                                                                       alpha=2), name='uint_alpha')
check('Tensor.index_add', lambda torch: torch.zeros(2, 3, 2, dtype=torch.uint16).index_add(
    1, torch.tensor([0, 9]), torch.zeros(2, 2, 2, dtype=torch.uint16)), name='uint_middle_dim')
check('Tensor.index_add', lambda torch: (
    _m(torch, 'uint64').index_add(0, torch.tensor([], dtype=torch.int64), _m(torch, 'uint64')[:0]),
    _m(torch, 'uint64').index_add(0, torch.tensor([1]), _m(torch, 'uint64'))), name='uint_empty_then_size_error')
_each('Tensor.index_copy', lambda torch, dt: _u(torch, dt)[:0].index_copy(0, torch.tensor([], dtype=torch.int64),
                                                                           _u(torch, dt)[:0]))
_each('Tensor.index_fill', lambda torch, dt: _m(torch, dt).index_fill(0, torch.tensor([5]), 7))
for _r in ('prod', 'mean', 'amax', 'amin'):
    check('Tensor.index_reduce', lambda torch, r=_r: _m(torch, 'uint32').index_reduce(
        0, torch.tensor([1, 0]), _m(torch, 'uint32'), r), name=f'uint_{_r}')
    check('Tensor.index_reduce', lambda torch, r=_r: _m(torch, 'uint32').index_reduce(
        0, torch.tensor([1, 0]), _m(torch, 'uint32'), r, include_self=False), name=f'uint_{_r}_exclude_self')
    check('Tensor.index_reduce', lambda torch, r=_r: _u(torch, 'uint32').index_reduce(
        0, torch.tensor([1, 0, 0]), _u(torch, 'uint32'), r), name=f'uint_{_r}_1d')
check('Tensor.index_reduce', lambda torch: torch.tensor([[2 ** 63 + 1, 3]], dtype=torch.uint64).index_reduce(
    0, torch.tensor([0, 0]), torch.tensor([[3, 2 ** 62 + 5], [5, 7]], dtype=torch.uint64), 'prod'),
    name='uint64_prod_wraps')

# --- take / put / masked_* ----------------------------------------------------------------------------
_each('torch.take', lambda torch, dt: torch.take(_m(torch, dt), torch.tensor([9])))
_each('torch.take', lambda torch, dt: torch.take(_m(torch, dt), torch.tensor([], dtype=torch.int64)), tag='_empty')
_each('Tensor.put', lambda torch, dt: _m(torch, dt).put(torch.tensor([0, 5]), torch.tensor([8, 9], dtype=getattr(
    torch, dt)), accumulate=True))
_each('torch.masked_select', lambda torch, dt: torch.masked_select(_u(torch, dt), torch.tensor([True, False, True])))
_each('torch.masked_select', lambda torch, dt: torch.masked_select(_u(torch, dt)[:0], torch.zeros(0, dtype=torch.bool)),
      tag='_empty')
_each('Tensor.masked_fill', lambda torch, dt: _u(torch, dt)[:0].masked_fill(torch.zeros(0, dtype=torch.bool), 1))
check('Tensor.masked_fill', lambda torch: _m(torch, 'uint16').masked_fill(torch.zeros(2, 3), 1), name='uint_mask_first')
_each('Tensor.masked_scatter', lambda torch, dt: _m(torch, dt).masked_scatter(torch.zeros(2, 3, dtype=torch.bool),
                                                                               _m(torch, dt)))

# --- indexing: reading works; writing through index tensors is index_put (masked_fill for one mask) ------
_each('Tensor.__getitem__', lambda torch, dt: (_m(torch, dt)[torch.tensor([1, 0])], _m(torch, dt)[:, [0, 2]],
                                               _u(torch, dt)[torch.tensor([True, False, True])],
                                               torch.arange(5)[torch.tensor([0, 2], dtype=getattr(torch, dt))]))


def _set(idx, value):
    def f(torch, dt):
        x = _m(torch, dt)
        x[idx(torch)] = value(torch, dt) if callable(value) else value
        return x
    return f


_each('Tensor.__setitem__', _set(lambda torch: torch.tensor([1]), 9), tag='_index')
_each('Tensor.__setitem__', _set(lambda torch: (slice(None), [0, 2]), 9), tag='_slice_list')
_each('Tensor.__setitem__', _set(lambda torch: torch.tensor([True, False]), 9), tag='_mask')
_each('Tensor.__setitem__', _set(lambda torch: torch.tensor([5]), 9), tag='_bounds')
_each('Tensor.__setitem__', _set(lambda torch: 0, 9), tag='_basic')
_each('Tensor.__setitem__', _set(lambda torch: [0, 1], lambda torch, dt: torch.ones(3)), tag='_dtype_first')
check('Tensor.index_put', lambda torch: _m(torch, 'uint16').index_put((torch.tensor([1, 1]),),
                                                                      torch.tensor(9, dtype=torch.uint16),
                                                                      accumulate=True), name='uint_accumulate')

# --- repeat_interleave: repeats in a uint tensor; a vector input goes through index_select ---------------
_each('torch.repeat_interleave', lambda torch, dt: (torch.repeat_interleave(_u(torch, dt), 2),
                                                    torch.repeat_interleave(_m(torch, dt), torch.tensor([1, 2]), 0)))
_each('torch.repeat_interleave', lambda torch, dt: torch.repeat_interleave(_u(torch, dt), torch.tensor([1, 0, 2])),
      tag='_1d')
_each('torch.repeat_interleave', lambda torch, dt: torch.repeat_interleave(
    torch.tensor([1, 2]), torch.tensor([2], dtype=getattr(torch, dt))), tag='_repeats')
check('torch.repeat_interleave', lambda torch: torch.repeat_interleave(
    torch.tensor([1, 2]), torch.tensor([2, 2, 2], dtype=torch.uint16)), name='uint_repeats_size_first')

# --- flip and its users: refused unless torch's row-copy path applies (innermost dim kept) -----------------
def _x3(torch, dt='uint16'):
    return torch.arange(24).reshape(2, 3, 4).to(getattr(torch, dt))


for _d in ([0], [1], [2], [0, 1], [1, 2], [-1]):
    check('torch.flip', lambda torch, d=_d: torch.flip(_x3(torch), d), name=f'uint_3d_{"_".join(map(str, _d))}')
_each('torch.flip', lambda torch, dt: (torch.flip(_m(torch, dt), [0]), torch.flip(_u(torch, dt)[:0], [0]),
                                       torch.flip(torch.ones(1, 3, dtype=getattr(torch, dt)), [0])), tag='_row_copy')
_each('torch.flip', lambda torch, dt: torch.flip(_u(torch, dt), [0]), tag='_1d')
check('torch.flip', lambda torch: torch.flip(_m(torch, 'uint32').t(), [0]), name='uint_transposed')
check('torch.flip', lambda torch: torch.flip(_m(torch, 'uint32')[:, ::2], [0]), name='uint_strided')
check('torch.flip', lambda torch: torch.flip(_m(torch, 'uint32'), [5]), name='uint_bad_dim')
_each('torch.fliplr', lambda torch, dt: torch.fliplr(_m(torch, dt)))
_each('torch.flipud', lambda torch, dt: (torch.flipud(_m(torch, dt)), torch.flipud(_u(torch, dt))))
for _k in range(-1, 5):
    check('torch.rot90', lambda torch, k=_k: torch.rot90(_m(torch, 'uint64'), k), name=f'uint_{_k}')
    check('torch.rot90', lambda torch, k=_k: torch.rot90(_x3(torch, 'uint64'), k, (2, 0)), name=f'uint_3d_{_k}')

# --- tril / triu / trace; factories: arange, range, linspace, logspace, eye ----------------------------
_each('torch.tril', lambda torch, dt: torch.tril(_m(torch, dt)))
_each('torch.triu', lambda torch, dt: (torch.triu(torch.zeros(2, 0, dtype=getattr(torch, dt))), torch.triu(_u(torch, dt))))
_each('Tensor.tril_', lambda torch, dt: _m(torch, dt).tril_())
_each('torch.trace', lambda torch, dt: torch.trace(_u(torch, dt)))
_each('torch.arange', lambda torch, dt: torch.arange(0, 5, 0, dtype=getattr(torch, dt)))
check('torch.arange', lambda torch: torch.arange(0, 5, out=torch.zeros(5, dtype=torch.uint32)), name='uint_out')
_each('torch.range', lambda torch, dt: torch.range(0, 5, -1, dtype=getattr(torch, dt)))
check('torch.range', lambda torch: torch.range(0, 5, out=torch.zeros(6, dtype=torch.uint32)), name='uint_out')
for _n in (0, 1, 3):
    _each('torch.linspace', lambda torch, dt, n=_n: torch.linspace(0, 10, n, dtype=getattr(torch, dt)), tag=f'_{_n}')
    _each('torch.logspace', lambda torch, dt, n=_n: torch.logspace(0, 2, n, dtype=getattr(torch, dt)), tag=f'_{_n}')
_each('torch.eye', lambda torch, dt: torch.eye(0, dtype=getattr(torch, dt)))
check('torch.eye', lambda torch: torch.eye(-1, dtype=torch.uint16), name='uint_negative_first')

# --- fill_: torch's Scalar conversion (negatives wrap; out of range is refused) -------------------------
for _dt in ('uint8', 'int8', 'int32', 'uint16', 'uint32', 'uint64', 'int64'):
    for _v in (-1, 300, -129, 2 ** 70, -2 ** 63 - 1, 1.5, -1.5, 1e10, -2 ** 31, -2 ** 63, 2 ** 64 - 1, 70000, -70000):
        check('Tensor.fill_', lambda torch, dt=_dt, v=_v: torch.zeros(1, dtype=getattr(torch, dt)).fill_(v),
              name=f'{_dt}_{_v}'.replace('-', 'neg').replace('.', '_'))

# --- dtype.to_complex of a non-float dtype --------------------------------------------------------------
check('torch.dtype.to_complex', lambda torch: [getattr(torch, d).to_real() for d in ('uint16', 'int32', 'bool')],
      name='to_real_integers')
for _dt in ('uint16', 'uint32', 'uint64', 'int32', 'bool', 'uint8'):
    check('torch.dtype.to_complex', lambda torch, dt=_dt: getattr(torch, dt).to_complex(), name=_dt)

# --- products: the CPU kernel torch reaches refuses bool and uint16/32/64 (an empty product returns first) --
_SHAPES = (((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 2)), ((2, 2, 3), (3,)), ((3,), (2, 3, 2)),
           ((2, 2, 3), (2, 3, 2)), ((3,), (4,)), ((0,), (0,)), ((2, 0), (0, 3)), ((2, 0), (0,)), ((2, 3), (4, 2)))
for _dt in ('uint32', 'bool'):
    for _sa, _sb in _SHAPES:
        _n = f'{_dt}_{"x".join(map(str, _sa))}_{"x".join(map(str, _sb))}'
        check('torch.matmul', lambda torch, dt=_dt, sa=_sa, sb=_sb: torch.matmul(
            torch.ones(*sa, dtype=getattr(torch, dt)), torch.ones(*sb, dtype=getattr(torch, dt))), name=f'no_loop_{_n}')
        check('torch.matmul', lambda torch, dt=_dt, sa=_sa, sb=_sb: torch.matmul(
            torch.ones(*sa, dtype=getattr(torch, dt)), torch.ones(*sb, dtype=torch.int64)), name=f'mixed_{_n}')
for _dt in ('int32', 'float32'):
    for _sa, _sb in (((3,), (3,)), ((2, 3), (3,)), ((2, 2, 3), (3,)), ((3,), (2, 3, 2)), ((2, 3), (4, 2))):
        check('torch.matmul', lambda torch, dt=_dt, sa=_sa, sb=_sb: torch.matmul(
            torch.ones(*sa, dtype=getattr(torch, dt)), torch.ones(*sb, dtype=torch.int64)),
            name=f'mixed_{_dt}_{"x".join(map(str, _sa))}_{"x".join(map(str, _sb))}')
check('torch.vdot', lambda torch: torch.vdot(torch.ones(3, dtype=torch.int32), torch.ones(3)), name='dtype_message')


def _blas_cases(torch, dt):
    a, m, b = (torch.ones(*s, dtype=getattr(torch, dt)) for s in ((3,), (2, 3), (2, 3, 3)))
    e, me = torch.ones(0, dtype=a.dtype), torch.ones(2, 0, dtype=a.dtype)
    F = torch.nn.functional
    return [lambda: torch.vdot(a, a), lambda: torch.vdot(e, e), lambda: torch.inner(a, a), lambda: torch.inner(m, m),
            lambda: torch.inner(me, me), lambda: torch.tensordot(m, m, 2), lambda: torch.tensordot(a, a, 0),
            lambda: torch.tensordot(e, e, 1), lambda: torch.tensordot(me, me, ([1], [1])),
            lambda: torch.einsum('i,i->', a, a), lambda: torch.einsum('i,i->i', a, a), lambda: torch.einsum('ij->j', m),
            lambda: torch.einsum('i,i->', e, e), lambda: torch.addr(m, a[:2], a), lambda: torch.baddbmm(b, b, b),
            lambda: torch.addbmm(b[0], b, b), lambda: F.linear(m, m), lambda: F.linear(m, m, a[:2]), lambda: F.linear(a, a),
            lambda: F.linear(me, torch.ones(3, 0, dtype=a.dtype)), lambda: F.bilinear(m, m, b[:1], None),
            lambda: torch.mm(m[:0], m.t()), lambda: torch.mv(me, e), lambda: torch.matrix_power(b[0], 0),
            lambda: torch.matrix_power(b[0], 1)]


for _dt in ('uint16', 'uint64', 'bool', 'int32'):
    for _i in range(25):
        check('torch.matmul', lambda torch, dt=_dt, i=_i: _blas_cases(torch, dt)[i](), name=f'products_{_dt}_{_i}')

# --- cross: no promotion (input's dtype picks the kernel, other's must match) ----------------------------
for _x, _y in (('int32', 'int64'), ('float32', 'int64'), ('uint16', 'int64'), ('int64', 'uint16'), ('uint16', 'float32'),
               ('bool', 'int64'), ('int64', 'bool'), ('uint32', 'uint32'), ('bool', 'bool')):
    check('torch.cross', lambda torch, x=_x, y=_y: torch.cross(torch.ones(3, dtype=getattr(torch, x)),
                                                               torch.ones(3, dtype=getattr(torch, y)), 0),
          name=f'{_x}_{_y}')
    check('torch.linalg.cross', lambda torch, x=_x, y=_y: torch.linalg.cross(torch.ones(3, dtype=getattr(torch, x)),
                                                                             torch.ones(3, dtype=getattr(torch, y))),
          name=f'{_x}_{_y}')

# --- activations and shuffles: torch's CPU kernel names for the integer dtypes they lack ---------------
_ACTS = ('elu', 'selu', 'celu', 'silu', 'hardswish', 'hardsigmoid', 'hardshrink', 'softshrink', 'leaky_relu', 'rrelu',
         'relu6', 'hardtanh', 'softplus', 'softsign', 'relu', 'elu_', 'rrelu_', 'hardtanh_')
for _dt in ('uint16', 'int32', 'bool', 'uint8'):
    for _f in _ACTS:
        check(f'F.{_f}', lambda torch, dt=_dt, f=_f: getattr(torch.nn.functional, f)(_u(torch, dt)), name=f'dtype_{_dt}')
    check('F.threshold', lambda torch, dt=_dt: torch.nn.functional.threshold(_u(torch, dt), 1, 0), name=_dt)
    check('F.prelu', lambda torch, dt=_dt: torch.nn.functional.prelu(_u(torch, dt), torch.ones(1, dtype=getattr(
        torch, dt))), name=_dt)
    check('F.rrelu', lambda torch, dt=_dt: torch.nn.functional.rrelu(_u(torch, dt), training=True), name=f'{_dt}_training')
    check('F.glu', lambda torch, dt=_dt: torch.nn.functional.glu(torch.arange(4).to(getattr(torch, dt))), name=_dt)
    check('F.hardtanh', lambda torch, dt=_dt: torch.nn.functional.hardtanh(_u(torch, dt), 0., 2.), name=f'{_dt}_limits')
    for _f in ('pixel_shuffle', 'pixel_unshuffle', 'channel_shuffle'):
        check(f'F.{_f}', lambda torch, dt=_dt, f=_f: getattr(torch.nn.functional, f)(
            torch.arange(16).to(getattr(torch, dt)).reshape(1, 4, 2, 2), 2), name=_dt)
check('F.rrelu', lambda torch: torch.nn.functional.rrelu(torch.ones(2, dtype=torch.float16), training=True),
      name='float16_training')
check('F.glu', lambda torch: torch.nn.functional.glu(_u(torch, 'uint16')), name='uint16_halving_first')
check('F.pixel_shuffle', lambda torch: torch.nn.functional.pixel_shuffle(
    torch.arange(16).to(torch.uint16).reshape(1, 4, 2, 2), 3), name='uint16_shape_first')

# --- searching, counting, histograms ------------------------------------------------------------------
_each('torch.searchsorted', lambda torch, dt: torch.searchsorted(_u(torch, dt), 2))
_each('torch.bucketize', lambda torch, dt: torch.bucketize(_u(torch, dt), _u(torch, dt)))
_each('torch.bincount', lambda torch, dt: torch.bincount(_m(torch, dt)))
_each('torch.bincount', lambda torch, dt: torch.bincount(_u(torch, dt)[:0], minlength=-1), tag='_empty')
for _kw in ({}, {'min': 0, 'max': 4}):
    _each('torch.histc', lambda torch, dt, kw=_kw: torch.histc(_u(torch, dt), **kw), tag=f'_{len(_kw)}')
_each('torch.histc', lambda torch, dt: torch.histc(_u(torch, dt)[:0]), tag='_empty')
for _dt in ('int32', 'uint16', 'bool', 'float16', 'bfloat16', 'float64'):
    for _i, _f in enumerate((
            lambda torch, x: torch.histogram(x), lambda torch, x: torch.histogram(x, torch.tensor([0., 1.])),
            lambda torch, x: torch.histogramdd(x.reshape(3, 1), 2), lambda torch, x: torch.histogram(x, 3, weight=torch.ones(3)),
            lambda torch, x: torch.histogram(torch.ones(3), 3, weight=x),
            lambda torch, x: torch.histogram(torch.ones(3), x[:2]),
            lambda torch, x: torch.histogramdd(torch.ones(3, 1), [torch.tensor([0., 1.], dtype=x.dtype)]))):
        check('torch.histogram', lambda torch, dt=_dt, f=_f: f(torch, torch.ones(3, dtype=getattr(torch, dt))),
              name=f'dtypes_{_dt}_{_i}')
for _dt in ('int32', 'uint16', 'float32', 'uint64'):
    for _s in ((3,), (0,), (2, 3), (), (2, 0)):
        for _kw in ({}, {'dim': 0}, {'dim': ()}, {'dim': (0,), 'keepdim': True}):
            check('torch.hash_tensor', lambda torch, dt=_dt, s=_s, kw=_kw: torch.hash_tensor(
                torch.ones(*s, dtype=getattr(torch, dt)), **kw),
                name=f'{_dt}_{"x".join(map(str, _s))}_{"_".join(f"{k}{v}" for k, v in _kw.items())}')

# --- addcmul / addcdiv: no uint or bool loop; the value converted to the compute type, not promoting ---
for _dt in ('float32', 'float16', 'bool', 'complex64', 'int32', 'uint8', 'uint16', 'float64'):
    for _v in (0.5, 1 + 1j, 1e300, True, -1.5, 2.7):
        check('torch.addcmul', lambda torch, dt=_dt, v=_v: torch.addcmul(*[_u(torch, dt)] * 3, value=v),
              name=f'{_dt}_{_v}'.replace('.', '_').replace('+', 'p').replace('-', 'neg').replace('(', '').replace(')', ''))
check('torch.addcmul', lambda torch: torch.addcmul(torch.ones(2, dtype=torch.uint16), torch.ones(2, dtype=torch.uint16),
                                                   torch.ones(3, dtype=torch.uint16)), name='uint_broadcast_first')
check('torch.addcmul', lambda torch: torch.addcmul(torch.ones(2), torch.ones(2, dtype=torch.uint16),
                                                   torch.ones(2, dtype=torch.uint16), value=2), name='uint_promoted')
check('torch.addcdiv', lambda torch: torch.addcdiv(torch.ones(3, dtype=torch.int32), torch.ones(3), torch.ones(3) + 1,
                                                   value=2.7), name='int_value_truncated')

# --- ldexp, equal, complex/polar, view_as_complex, unravel_index, combinations --------------------------
for _dt in ('uint16', 'uint64', 'bool', 'int32'):
    for _idt in ('float32', 'float64', 'int32', 'float16'):
        check('torch.ldexp', lambda torch, dt=_dt, idt=_idt: torch.ldexp(torch.ones(3, dtype=getattr(torch, idt)),
                                                                         torch.ones(3, dtype=getattr(torch, dt)) * 2),
              name=f'{_idt}_{_dt}')
for _o in ('float32', 'int64', 'uint16', 'bool', 'complex64'):
    check('torch.equal', lambda torch, o=_o: (torch.equal(_u(torch, 'uint16'), torch.ones(3, dtype=getattr(torch, o))),
                                              torch.equal(_u(torch, 'uint16'), torch.ones(2, dtype=getattr(torch, o)))),
          name=f'uint16_{_o}')
for _a, _b in (('float32', 'float64'), ('int32', 'int32'), ('float32', 'int32'), ('int32', 'float32'),
               ('uint16', 'float32'), ('bfloat16', 'bfloat16'), ('complex64', 'complex64')):
    for _f in ('complex', 'polar'):
        check(f'torch.{_f}', lambda torch, a=_a, b=_b, f=_f: getattr(torch, f)(torch.ones(2, dtype=getattr(torch, a)),
                                                                               torch.ones(2, dtype=getattr(torch, b))),
              name=f'dtypes_{_a}_{_b}')
check('torch.polar', lambda torch: torch.polar(torch.ones(2, dtype=torch.float16), torch.ones(2, dtype=torch.float16)),
      name='half')
for _dt in ('int32', 'bfloat16', 'uint16', 'complex64'):
    check('torch.view_as_complex', lambda torch, dt=_dt: torch.view_as_complex(torch.ones(2, dtype=getattr(torch, dt))),
          name=f'dtype_{_dt}')
_each('torch.unravel_index', lambda torch, dt: torch.unravel_index(_u(torch, dt), (2, 2)))
check('torch.unravel_index', lambda torch: torch.unravel_index(_u(torch, 'uint16'), (-1, 2)), name='uint_shape_first')
for _r, _w in ((2, False), (2, True), (1, False), (0, False), (5, False), (5, True)):
    check('torch.combinations', lambda torch, r=_r, w=_w: torch.combinations(_u(torch, 'uint32'), r, w),
          name=f'uint32_{_r}_{_w}')
check('torch.combinations', lambda torch: torch.combinations(_u(torch, 'uint32')[:0]), name='uint32_empty')

# --- sampling: p is checked before the dtype; binomial's prob dtype ---------------------------------------
for _dt in ('uint16', 'complex64', 'bool', 'float32'):
    for _p in (2, -0.5, float('nan'), 0.5):
        check('Tensor.bernoulli_', lambda torch, dt=_dt, p=_p: torch.ones(2, dtype=getattr(torch, dt)).bernoulli_(p).dtype,
              name=f'p_first_{_dt}_{_p}')
        check('Tensor.geometric_', lambda torch, dt=_dt, p=_p: torch.ones(2, dtype=getattr(torch, dt)).geometric_(p).dtype,
              name=f'p_first_{_dt}_{_p}')
for _c, _p in (('float32', 'int32'), ('int32', 'float32'), ('float32', 'uint16'), ('float32', 'float64')):
    check('torch.binomial', lambda torch, c=_c, p=_p: torch.binomial(torch.ones(3, dtype=getattr(torch, c)),
                                                                     torch.ones(3, dtype=getattr(torch, p))),
          name=f'dtypes_{_c}_{_p}')

# --- gradient, pdist, binary_cross_entropy_with_logits --------------------------------------------------
for _dt in ('uint16', 'int32', 'bool', 'float32'):
    check('torch.gradient', lambda torch, dt=_dt: torch.gradient(_m(torch, dt), dim=1), name=f'dtype_{_dt}')
    check('torch.gradient', lambda torch, dt=_dt: torch.gradient(_u(torch, dt), edge_order=3),
          name=f'edge_order_first_{_dt}')
    check('F.binary_cross_entropy_with_logits', lambda torch, dt=_dt: torch.nn.functional.binary_cross_entropy_with_logits(
        torch.ones(3), _u(torch, dt)), name=f'target_{_dt}')
for _i, _s in enumerate(((3,), (2, 3, 4), (2, 3), (0, 3), (1, 3), (2, 0))):
    for _dt in ('float32', 'int32', 'uint16', 'float16', 'bfloat16', 'complex64'):
        for _p in (2, -1):
            check('F.pdist', lambda torch, s=_s, dt=_dt, p=_p: torch.nn.functional.pdist(
                torch.ones(*s, dtype=getattr(torch, dt)), p), name=f'{_i}_{_dt}_{_p}')

# --- padding, interpolation, pooling, convolution: torch's CPU kernels for the dtypes they lack ----------
for _dt in ('uint16', 'bool', 'int32', 'uint8'):
    for _mode in ('reflect', 'replicate', 'circular'):
        for _i, (_shape, _pad) in enumerate((((1, 2, 3), (1, 1)), ((1, 1, 2, 3), (1, 1, 1, 1)),
                                             ((1, 1, 2, 2, 3), (1,) * 6), ((1, 2, 3), (5, 5)), ((1, 2, 0), (1, 1)),
                                             ((1, 2, 3), (0, 0)))):
            check('F.pad', lambda torch, dt=_dt, mode=_mode, shape=_shape, pad=_pad: torch.nn.functional.pad(
                torch.ones(*shape, dtype=getattr(torch, dt)), pad, mode=mode), name=f'{_mode}_{_dt}_{_i}')
for _dt in ('uint8', 'int32', 'bool', 'uint16', 'float16', 'bfloat16', 'complex64', 'float32'):
    for _mode, _nd, _aa in (('nearest', 1, False), ('nearest', 2, False), ('nearest', 3, False),
                            ('nearest-exact', 2, False), ('linear', 1, False), ('bilinear', 2, False),
                            ('bicubic', 2, False), ('trilinear', 3, False), ('bilinear', 2, True),
                            ('bicubic', 2, True), ('bicubic', 1, False), ('bicubic', 3, False)):
        if _dt == 'uint8' and _mode in ('bilinear', 'bicubic') and _nd == 2:
            continue        # works in torch, with its fixed-point uint8 kernel (faketorch's values can differ by 1)
        check('F.interpolate', lambda torch, dt=_dt, mode=_mode, nd=_nd, aa=_aa: torch.nn.functional.interpolate(
            torch.ones((1, 1) + (4,) * nd, dtype=getattr(torch, dt)), scale_factor=2, mode=mode, antialias=aa),
            name=f'dtype_{_dt}_{_mode}_{_nd}{"_aa" if _aa else ""}')
for _dt in ('uint16', 'uint64', 'int32', 'bool'):
    for _f, _shape, _kw in (('max_pool1d', (1, 2, 4), {}), ('max_pool2d', (1, 2, 4, 4), {}),
                            ('max_pool3d', (1, 2, 4, 4, 4), {}), ('max_pool1d', (1, 2, 4), {'return_indices': True})):
        check(f'F.{_f}', lambda torch, dt=_dt, f=_f, shape=_shape, kw=_kw: getattr(torch.nn.functional, f)(
            torch.ones(*shape, dtype=getattr(torch, dt)), 2, **kw), name=f'dtype_{_dt}_{len(_kw)}')


def _conv_cases(torch, dt):
    F, t = torch.nn.functional, getattr(torch, dt)
    x1, x2, x3 = (torch.ones(*s, dtype=t) for s in ((1, 2, 4), (1, 2, 4, 4), (1, 2, 3, 3, 3)))
    return [lambda: F.conv1d(x1, torch.ones(1, 2, 2, dtype=t)), lambda: F.conv2d(x2, torch.ones(1, 2, 2, 2, dtype=t)),
            lambda: F.conv3d(x3, torch.ones(1, 2, 2, 2, 2, dtype=t)),
            lambda: F.conv_transpose1d(x1, torch.ones(2, 1, 2, dtype=t)),
            lambda: F.conv_transpose3d(x3, torch.ones(2, 1, 2, 2, 2, dtype=t)),
            lambda: F.conv2d(x2, torch.ones(1, 2, 2, 2, dtype=t), dilation=2),
            lambda: F.conv2d(x2, torch.ones(2, 1, 2, 2, dtype=t), groups=2),
            lambda: F.conv2d(x2[:0], torch.ones(1, 2, 2, 2, dtype=t)),
            lambda: F.conv2d(x2, torch.ones(1, 2, 2, 2)), lambda: F.conv_transpose2d(x2, torch.ones(2, 1, 2, 2)),
            lambda: F.conv2d(x2, torch.ones(1, 2, 2, 2, dtype=t), bias=torch.ones(1))]


for _dt in ('int32', 'uint16', 'bool', 'int64', 'uint8', 'uint64', 'int8'):
    for _i in range(11):
        check('F.conv2d', lambda torch, dt=_dt, i=_i: _conv_cases(torch, dt)[i](), name=f'dtype_{_dt}_{_i}')

# --- histogram with bin edge tensors; prelu's weight dtype; promotion messages in torch's operand order -----
for _dt in ('int32', 'uint16', 'float16', 'bool'):
    check('torch.histogram', lambda torch, dt=_dt: torch.histogram(torch.ones(3, dtype=getattr(torch, dt)),
                                                                   torch.tensor([0., 1.]).to(getattr(torch, dt))),
          name=f'edges_{_dt}')
    check('torch.histogram', lambda torch, dt=_dt: torch.histogram(
        torch.ones(3, dtype=getattr(torch, dt)), torch.tensor([0., 1.]).to(getattr(torch, dt)), weight=torch.ones(3)),
        name=f'edges_weight_{_dt}')
for _x in ('float32', 'int32', 'uint16'):
    for _w in ('int64', 'float64'):
        check('F.prelu', lambda torch, x=_x, w=_w: torch.nn.functional.prelu(torch.ones(3, dtype=getattr(torch, x)),
                                                                             torch.ones(1, dtype=getattr(torch, w))),
              name=f'weight_dtype_{_x}_{_w}')
check('torch.rsub', lambda torch: torch.rsub(_u(torch, 'uint32'), torch.ones(3, dtype=torch.int64)),
      name='uint_promotion_order')
check('F.embedding_bag', lambda torch: torch.nn.functional.embedding_bag(
    _u(torch, 'uint32'), torch.arange(20.).reshape(5, 4), torch.tensor([0], dtype=torch.int32)),
    name='uint_promotion_order')

# --- torch's argument checks that come before promotion: sub with a bool operand, heaviside's dtypes ------
_PRE_PROMOTION = ('x - b', 'b - x', 'torch.sub(x, b)', 'torch.sub(x, b, alpha=2)', 'torch.rsub(x, b)',
                  'torch.rsub(b, x)', 'x - torch.tensor(True)', 'x.clone().sub_(b)', 'torch.heaviside(x, x)',
                  'torch.heaviside(x, b)', 'torch.heaviside(b, x)', 'torch.heaviside(x, x.to(torch.uint8))',
                  'torch.heaviside(x, x.long())', 'torch.heaviside(x.float(), x)', 'torch.heaviside(x, x.cfloat())')
for _dt in ('uint16', 'uint32', 'uint64'):
    for _i, _e in enumerate(_PRE_PROMOTION):
        check('torch.sub' if 'heaviside' not in _e else 'torch.heaviside',
              lambda torch, dt=_dt, e=_e: eval(e, {'torch': torch, 'x': _u(torch, dt),
                                                   'b': torch.tensor([True, False, True])}),
              name=f'before_promotion_{_dt}_{_i}')
