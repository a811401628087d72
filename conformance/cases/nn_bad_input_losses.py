"""Bad input to linear, bilinear, normalize, embedding, embedding_bag, one_hot, the losses and ctc_loss:
torch's errors, in torch's order (found by fuzzing dtypes, shapes and arguments against torch), and the
results torch gives for the odd inputs it accepts."""
from conformance import case, check


def _t(torch, shape, dt='float', **kw):
    return torch.ones(shape, dtype=getattr(torch, dt), **kw)


# --- linear: with a bias torch folds the input to (rows, in) and runs addmm (its checks, bias first), when
# the input is 2-D, or contiguous with a vector-like bias; otherwise matmul, then bias added in place
def _linear(torch, x, w, b=None, xdt='float', wdt='float', bdt='float'):
    return torch.nn.functional.linear(_t(torch, x, xdt), _t(torch, w, wdt), None if b is None else _t(torch, b, bdt))


for name, kw in [('bias_dtype', dict(x=(2, 4), w=(3, 4), b=(3,), bdt='double')),
                 ('weight_dtype_with_bias', dict(x=(2, 4), w=(3, 4), b=(3,), wdt='double')),
                 ('input_dtype_with_bias', dict(x=(2, 4), w=(3, 4), b=(3,), xdt='long')),
                 ('input_dtype_with_bias_3d', dict(x=(3, 2, 4), w=(3, 4), b=(3,), xdt='half')),
                 ('input_dtype_with_bias_1d', dict(x=(4,), w=(3, 4), b=(3,), xdt='double')),
                 ('integer_weight_float_bias', dict(x=(2, 4), w=(3, 4), b=(3,), xdt='long', wdt='long')),
                 ('input_dtype_no_bias', dict(x=(2, 4), w=(3, 4), xdt='long')),
                 ('bias_dtype_ignored_without_fold', dict(x=(2, 4), w=(3, 4), bdt='long')),
                 ('bias_size', dict(x=(2, 4), w=(3, 4), b=(4,))),
                 ('bias_size_1d_input', dict(x=(4,), w=(3, 4), b=(4,))),
                 ('bias_size_3d_input', dict(x=(3, 2, 4), w=(3, 4), b=(4,))),
                 ('bias_3d_on_2d_input', dict(x=(2, 4), w=(3, 4), b=(1, 2, 3))),
                 ('bias_column_folds', dict(x=(3, 2, 4), w=(3, 4), b=(3, 1))),
                 ('bias_row_1d_input', dict(x=(4,), w=(3, 4), b=(1, 3))),
                 ('bias_matrix_1d_input_adds_in_place', dict(x=(4,), w=(3, 4), b=(2, 3))),
                 ('bias_matrix_3d_input', dict(x=(3, 2, 4), w=(3, 4), b=(6, 3))),
                 ('shapes_3d_input_with_bias', dict(x=(3, 2, 5), w=(3, 4), b=(3,))),
                 ('weight_vector_with_bias', dict(x=(2, 4), w=(4,), b=(3,))),
                 ('weight_vector_scalar_bias', dict(x=(4,), w=(4,), b=())),
                 ('weight_3d', dict(x=(2, 4), w=(2, 3, 4), b=(3,))),
                 ('bool', dict(x=(2, 4), w=(3, 4), b=(3,), xdt='bool', wdt='bool', bdt='bool')),
                 ('bool_no_bias', dict(x=(2, 4), w=(3, 4), xdt='bool', wdt='bool')),
                 ('bool_vector_weight', dict(x=(2, 4), w=(4,), xdt='bool', wdt='bool')),
                 ('bool_dot', dict(x=(0,), w=(0,), xdt='bool', wdt='bool')),
                 ('bool_empty_inner_with_bias', dict(x=(2, 0), w=(3, 0), b=(3,), xdt='bool', wdt='bool', bdt='bool')),
                 ('bool_empty_rows', dict(x=(0, 4), w=(3, 4), b=(3,), xdt='bool', wdt='bool', bdt='bool'))]:
    check('torch.nn.functional.linear', lambda torch, kw=kw: _linear(torch, **kw), name=name)
check('torch.nn.functional.linear', lambda torch: torch.nn.functional.linear(
    _t(torch, (2, 3, 4)).transpose(0, 1), _t(torch, (3, 4)), _t(torch, (3,), 'double')),
    name='noncontiguous_input_double_bias_adds_in_place')
check('torch.nn.Linear', lambda torch: torch.nn.Linear(4, 3)(_t(torch, (2, 4), 'long')), name='long_input')


@case('torch.nn.functional.linear')
def bias_shapes_grads(torch):
    out = []
    for x, b in [((2, 4), (2, 3)), ((4,), (1, 3)), ((3, 2, 4), (6, 1)), ((3, 2, 4), (2, 3))]:
        xt = torch.randn(x, requires_grad=True)
        w = torch.randn(3, 4, requires_grad=True)
        bt = torch.randn(b, requires_grad=True)
        y = torch.nn.functional.linear(xt, w, bt)
        y.sum().backward()
        out += [y, y.grad_fn.name(), xt.grad, w.grad, bt.grad]
    return out


# --- bilinear: its own checks before the product
def _bilinear(torch, x1, x2, w, b=None, dts=('float',) * 4):
    return torch.nn.functional.bilinear(_t(torch, x1, dts[0]), _t(torch, x2, dts[1]), _t(torch, w, dts[2]),
                                        None if b is None else _t(torch, b, dts[3]))


for name, args in [('input_dims', ((5, 2, 1), (5, 3), (4, 2, 3))),
                   ('batch_dims', ((5, 2), (4, 3), (4, 2, 3))),
                   ('batch_dims_3d', ((6, 5, 2), (6, 4, 3), (4, 2, 3))),
                   ('batch_dims_not_broadcast', ((1, 2), (5, 3), (4, 2, 3))),
                   ('input1_size', ((5, 3), (5, 3), (4, 2, 3))),
                   ('input2_size', ((5, 2), (5, 2), (4, 2, 3))),
                   ('bias_size', ((5, 2), (5, 3), (4, 2, 3), (3,))),
                   ('bias_matrix', ((5, 2), (5, 3), (4, 2, 3), (4, 2))),
                   ('bias_0d', ((5, 2), (5, 3), (4, 2, 3), ())),
                   ('weight_4d', ((5, 2), (5, 3), (4, 2, 3, 1))),
                   ('weight_2d', ((5, 3), (5, 3), (4, 3))),
                   ('weight_0d', ((5, 2), (5, 3), ())),
                   ('inputs_0d', ((), (), (4, 2, 3)))]:
    check('torch.nn.functional.bilinear', lambda torch, args=args: _bilinear(torch, *args), name=name)
for name, dts in [('input1_dtype', ('double', 'float', 'float', 'float')),
                  ('weight_dtype', ('float', 'float', 'half', 'float')),
                  ('bias_dtype', ('float', 'float', 'float', 'long'))]:
    check('torch.nn.functional.bilinear', lambda torch, dts=dts: _bilinear(torch, (5, 2), (5, 3), (4, 2, 3), (4,), dts),
          name=name)
check('torch.nn.functional.bilinear', lambda torch: torch.nn.functional.bilinear(
    _t(torch, (5, 2), 'int'), _t(torch, (5, 3)), _t(torch, (4, 2, 3))), name='int_input_dtype_name')
check('torch.nn.Bilinear', lambda torch: torch.nn.Bilinear(2, 3, 4)(_t(torch, (5, 2)), _t(torch, (5, 4))),
      name='input2_size')

# --- normalize: input.norm(p, dim)'s checks
check('torch.nn.functional.normalize', lambda torch: torch.nn.functional.normalize(torch.tensor([[1, 2]])),
      name='long')
check('torch.nn.functional.normalize', lambda torch: torch.nn.functional.normalize(torch.tensor([True]), dim=0),
      name='bool')
check('torch.nn.functional.normalize', lambda torch: torch.nn.functional.normalize(torch.ones(3)), name='dim_1d')
check('torch.nn.functional.normalize', lambda torch: torch.nn.functional.normalize(torch.ones(3, 2), dim=-3),
      name='dim_negative')
check('torch.nn.functional.normalize', lambda torch: torch.nn.functional.normalize(torch.tensor(2.)), name='dim_0d')
check('torch.nn.functional.normalize', lambda torch: torch.nn.functional.normalize(torch.randn(3, 2), p='fro'),
      name='p_fro')
check('torch.nn.functional.normalize', lambda torch: torch.nn.functional.normalize(
    torch.tensor([[1 + 2j, 3 - 1j], [0.5j, 2], [1, 1]])), name='complex')

# --- embedding: padding_idx, then max_norm's embedding_renorm_ (rows in ascending index order, select()
# errors), then embedding's own checks
_E = 'torch.nn.functional.embedding'
check(_E, lambda torch: torch.nn.functional.embedding(torch.tensor([True]), torch.ones(5, 2)), name='bool_indices')
check(_E, lambda torch: torch.nn.functional.embedding(torch.tensor([1]), torch.ones(5, 2), padding_idx=2.5),
      name='padding_idx_float')
check(_E, lambda torch: torch.nn.functional.embedding(torch.tensor([1]), torch.ones(5), padding_idx=9),
      name='padding_idx_before_weight_dim')
check(_E, lambda torch: torch.nn.functional.embedding(torch.tensor([1]), torch.ones(()), padding_idx=9),
      name='padding_idx_0d_weight')
check(_E, lambda torch: torch.nn.functional.embedding(torch.tensor([1., 2.]), torch.ones(5, 2), max_norm=1.),
      name='max_norm_float_indices')
check(_E, lambda torch: torch.nn.functional.embedding(torch.tensor([1, 7]), torch.ones(5, 2), max_norm=1.),
      name='max_norm_index_out_of_range')
check(_E, lambda torch: torch.nn.functional.embedding(torch.tensor([9, -7]), torch.ones(5, 2), max_norm=1.),
      name='max_norm_lowest_bad_index_first')
check(_E, lambda torch: torch.nn.functional.embedding(torch.tensor([1, 2]), torch.ones(5), max_norm=1.),
      name='max_norm_1d_weight')
check(_E, lambda torch: torch.nn.functional.embedding(torch.tensor([1, 2]), torch.ones(5, 2, dtype=torch.long),
                                                      max_norm=1.), name='max_norm_long_weight')


@case(_E)
def max_norm_renorm(torch):
    out = []
    for p, idx in [(2, [1, 4]), (1, [-2, 3, 1]), (0, [1, 4]), (float('inf'), [-1, 4]), (-1, [0, 2])]:
        w = torch.randn(5, 3) * 3
        out += [torch.nn.functional.embedding(torch.tensor(idx), w, max_norm=1., norm_type=p), w]
    return out


@case(_E)
def max_norm_renorms_rows_before_a_bad_index(torch):
    w = torch.randn(5, 3) * 3
    try:
        torch.nn.functional.embedding(torch.tensor([1, 7]), w, max_norm=1.)
    except IndexError:
        pass
    return w


# --- embedding_bag: Python checks, then torch.embedding_bag's (padding_idx; indices and offsets promoted to one
# type; weight type; offsets[0] and [-1]; per_sample_weights; include_last_offset), then the kernels' index
# errors: the CPU fast path (float/half/bfloat16 sum or mean, no padding_idx) runs one chunk of bags per thread
# and re-scans a failing chunk with mixed-up positions, so its message depends on the thread count (the
# runner gives torch one thread): the cases set it in both libraries
_EB = 'torch.nn.functional.embedding_bag'


def _with_threads(torch, n, f):
    old = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        return f()
    finally:
        torch.set_num_threads(old)


def _bag(torch, inp, off, w=(5, 2), idt=None, odt=None, wdt=None, threads=2, **kw):
    return _with_threads(torch, threads, lambda: torch.nn.functional.embedding_bag(
        torch.tensor(inp, dtype=idt and getattr(torch, idt)), torch.ones(w, dtype=wdt and getattr(torch, wdt)),
        None if off is None else torch.tensor(off, dtype=odt and getattr(torch, odt)), **kw))


for name, args, kw in [
        ('offsets_first_not_zero', ([1, 2], [1]), {}),
        ('offsets_first_not_zero_int', ([1, 2], [1]), dict(idt='int', odt='int')),
        ('offsets_promoted_to_long', ([1, 2], [1]), dict(idt='int')),
        ('offsets_last_past_input', ([1, 2], [0, 3]), {}),
        ('offsets_last_past_input_include_last', ([1, 2], [0, 1, 3]), dict(include_last_offset=True)),
        ('include_last_offset_no_offsets', ([1, 2], []), dict(odt='long', include_last_offset=True)),
        ('include_last_offset_one_offset', ([1, 2], [0]), dict(include_last_offset=True)),
        ('include_last_offset_excludes_tail', ([1, 2], [0, 1]), dict(include_last_offset=True)),
        ('no_offsets', ([1, 2], []), dict(odt='long')),
        ('input_2d_with_offsets', ([[1, 2]], [0]), {}),
        ('input_3d', ([[[1, 2]]], None), {}),
        ('float_offsets', ([1, 2], [0.]), {}),
        ('short_input_long_offsets', ([1, 2], [0]), dict(idt='short')),
        ('short_input_short_offsets', ([1, 2], [0]), dict(idt='short', odt='short')),
        ('long_weight', ([1, 2], [0]), dict(wdt='long')),
        ('bool_weight', ([1, 2], [0]), dict(wdt='bool')),
        ('weight_1d', ([1, 2], [0]), dict(w=(5,))),
        ('padding_idx_out_of_range', ([1, 2], [0]), dict(padding_idx=5)),
        ('padding_idx_before_index_type', ([1., 2.], [0]), dict(padding_idx=-6)),
        ('padding_idx_float', ([1, 2], [0]), dict(padding_idx=1.5)),
        ('index_out_of_range', ([1, 7], [0]), {}),
        ('index_negative', ([-1, 9], [0]), {}),
        ('index_out_of_range_int_half', ([1, 7], [0]), dict(idt='int', odt='int', wdt='half')),
        ('index_out_of_range_mean_later_bag', ([1, 1, 7, 1], [0, 1]), {}),
        ('index_out_of_range_2d', ([[1, 7], [1, 1]], None), {}),
        ('index_out_of_range_double', ([1, 7], [0]), dict(wdt='double')),
        ('index_out_of_range_padding_idx', ([1, 7], [0]), dict(padding_idx=1)),
        ('index_out_of_range_max', ([-1, 7], [0, 1]), dict(mode='max')),
        ('offsets_negative', ([1, 2], [0, -1]), {}),
        ('offsets_past_input_mid_mean', ([1, 2], [0, 3, 2]), {}),
        ('offsets_decreasing_double', ([1, 2, 3], [0, 2, 1]), dict(wdt='double', mode='sum')),
        ('max_scale_grad_by_freq', ([1, 2], [0]), dict(mode='max', scale_grad_by_freq=True)),
        ('max_sparse', ([1, 2], [0]), dict(mode='max', sparse=True)),
        ('max_norm_index_out_of_range', ([1, 7], [0]), dict(max_norm=1.)),
        ('empty_columns_2d', ([[]], None), dict(idt='long'))]:
    check(_EB, lambda torch, args=args, kw=kw: _bag(torch, *args, **kw), name=name)
check(_EB, lambda torch: torch.nn.functional.embedding_bag(torch.tensor([[1, 2]]), torch.ones(5, 2), [0]),
      name='input_2d_with_list_offsets')
check(_EB, lambda torch: torch.nn.functional.embedding_bag(
    torch.tensor([1, 2]), torch.ones(5, 2), torch.tensor([0]), mode='sum', per_sample_weights=torch.ones(3)),
    name='per_sample_weights_shape')
check(_EB, lambda torch: torch.nn.functional.embedding_bag(
    torch.tensor([1, 2]), torch.ones(5, 2), torch.tensor([1]), mode='sum',
    per_sample_weights=torch.ones(2, dtype=torch.double)), name='offsets_before_per_sample_weights_type')
check(_EB, lambda torch: torch.nn.functional.embedding_bag(
    torch.tensor([1, 2]), torch.ones(5, 2), torch.tensor([], dtype=torch.long), mode='sum',
    per_sample_weights=torch.ones(2, dtype=torch.double), include_last_offset=True),
    name='per_sample_weights_type')

for name, args, kw in [('index_out_of_range_second_chunk', ([[1, 1], [1, 7]], None), {}),
                       ('offsets_decreasing_sum', ([1, 2, 3], [0, 2, 1, 3]), dict(include_last_offset=True)),
                       ('offsets_decreasing_last_chunk', ([1, 2, 3], [0, 2, 1]), dict(include_last_offset=True)),
                       ('index_out_of_range_1_thread', ([1, 1, 7, 1], [0, 1, 2]), dict(threads=1)),
                       ('offsets_decreasing_1_thread', ([1, 2, 3], [0, 2, 1]), dict(include_last_offset=True,
                                                                                    threads=1))]:
    check(_EB, lambda torch, args=args, kw=kw: _bag(torch, *args, **kw), name=name)
check('torch.nn.EmbeddingBag', lambda torch: torch.nn.EmbeddingBag(5, 2)(torch.tensor([1, 2]), torch.tensor([1])),
      name='offsets_first_not_zero')


@case(_EB)
def include_last_offset_tail(torch):
    """Indices past the last offset: the fast path leaves them out (its mean still divides by them), the
    double and max kernels take them into the last bag."""
    out = []
    for mode, dt in [('sum', torch.float), ('mean', torch.float), ('max', torch.float), ('mean', torch.double)]:
        w = torch.randn(5, 2, dtype=dt, requires_grad=True)
        y = torch.nn.functional.embedding_bag(torch.tensor([1, 2, 3, 4]), w, torch.tensor([0, 1, 2]), mode=mode,
                                              include_last_offset=True)
        y.sum().backward()
        # the fast path's weight gradient leaves the tail rows uninitialized in torch (garbage): not compared
        out += [y] if mode != 'max' and dt is torch.float else [y, w.grad]
    return out

# --- one_hot
check('torch.nn.functional.one_hot', lambda torch: torch.nn.functional.one_hot(torch.tensor([1]), 3.0),
      name='num_classes_float')
check('torch.nn.functional.one_hot', lambda torch: torch.nn.functional.one_hot(
    torch.tensor([], dtype=torch.long), -2), name='empty_negative_num_classes')
check('torch.nn.functional.one_hot', lambda torch: torch.nn.functional.one_hot(
    torch.tensor([], dtype=torch.long), 3), name='empty_num_classes')

# --- nll_loss / cross_entropy: nll_loss_nd's checks by input rank, in torch's order
_NLL, _CE = 'torch.nn.functional.nll_loss', 'torch.nn.functional.cross_entropy'


def _nll(torch, x, t, xdt='float', w=None, wdt='float', fn='nll_loss', **kw):
    xt = torch.randn(x).to(getattr(torch, xdt))
    tt = t(torch) if callable(t) else torch.zeros(t, dtype=torch.long)
    return getattr(torch.nn.functional, fn)(xt, tt, weight=None if w is None else _t(torch, w, wdt), **kw)


for name, kw in [('long_input', dict(x=(3, 5), t=(3,), xdt='long')),
                 ('int_input_1d', dict(x=(5,), t=(), xdt='int')),
                 ('complex_input', dict(x=(3, 5), t=(3,), xdt='cfloat')),
                 ('long_input_3d', dict(x=(3, 5, 2), t=(3, 2), xdt='long')),
                 ('long_input_4d', dict(x=(3, 5, 2, 2), t=(3, 2, 2), xdt='long')),
                 ('long_input_weight_size_first', dict(x=(3, 5), t=(3,), xdt='long', w=(4,))),
                 ('long_input_before_weight_dtype', dict(x=(3, 5), t=(3,), xdt='long', w=(5,), wdt='double')),
                 ('target_2d', dict(x=(3, 5), t=(3, 1))),
                 ('float_target_2d', dict(x=(3, 5), t=lambda torch: torch.rand(3, 5))),
                 ('float_target_1d_input', dict(x=(5,), t=lambda torch: torch.rand(2))),
                 ('target_size_1d_input', dict(x=(5,), t=(2,))),
                 ('target_0d_2d_input', dict(x=(3, 5), t=())),
                 ('weight_2d', dict(x=(3, 5), t=(3,), w=(5, 1))),
                 ('weight_0d', dict(x=(3, 1), t=(3,), w=())),
                 ('weight_dtype', dict(x=(3, 5), t=(3,), w=(5,), wdt='double')),
                 ('weight_dtype_before_target_range', dict(x=(3, 5), t=lambda torch: torch.tensor([1, 9, 0]), w=(5,),
                                                           wdt='double')),
                 ('weight_size_3d', dict(x=(3, 5, 2), t=(3, 2), w=(4,))),
                 ('target_size_3d_before_weight', dict(x=(3, 5, 2), t=(3, 3), w=(4,))),
                 ('float_target_3d', dict(x=(3, 5, 2), t=lambda torch: torch.rand(3, 2))),
                 ('weight_dtype_3d', dict(x=(3, 5, 2), t=(3, 2), w=(5,), wdt='double')),
                 ('float_target_4d_before_size', dict(x=(3, 5, 2, 2), t=lambda torch: torch.rand(3, 3, 2))),
                 ('target_2d_4d_input', dict(x=(3, 5, 2, 2), t=(3, 2))),
                 ('weight_size_4d_before_target_size', dict(x=(3, 5, 2, 2), t=(3, 3, 2), w=(4,))),
                 ('target_rank_5d', dict(x=(3, 5, 2, 2, 2), t=(3, 2, 2))),
                 ('empty_3d_target_size', dict(x=(0, 5, 2), t=(0, 3)))]:
    check(_NLL, lambda torch, kw=kw: _nll(torch, **kw), name=name)
for name, kw in [('prob_target_shape', dict(x=(3, 5), t=lambda torch: torch.rand(3, 4))),
                 ('prob_target_3d', dict(x=(3, 5), t=lambda torch: torch.rand(3, 5, 1))),
                 ('prob_target_size_3d_input', dict(x=(3, 5, 2), t=lambda torch: torch.rand(3, 5))),
                 ('prob_target_int', dict(x=(3, 5), t=lambda torch: torch.ones(3, 5, dtype=torch.int32))),
                 ('prob_weight_2d', dict(x=(3, 5), t=lambda torch: torch.rand(3, 5), w=(5, 1))),
                 ('prob_weight_size', dict(x=(3, 5), t=lambda torch: torch.rand(3, 5), w=(4,))),
                 ('prob_weight_double', dict(x=(3, 5), t=lambda torch: torch.rand(3, 5), w=(5,), wdt='double')),
                 ('0d_input_long_target', dict(x=(), t=())),
                 ('0d_input_float_target', dict(x=(), t=lambda torch: torch.rand(()))),
                 ('long_input', dict(x=(3, 5), t=(3,), xdt='long')),
                 ('label_smoothing_negative', dict(x=(3, 5), t=lambda torch: torch.tensor([1, 2, 0]),
                                                   label_smoothing=-0.1)),
                 ('label_smoothing_first', dict(x=(3, 5), t=(2,), xdt='long', label_smoothing=1.5))]:
    check(_CE, lambda torch, kw=kw: _nll(torch, fn='cross_entropy', **kw), name=name)
check('torch.nn.CrossEntropyLoss', lambda torch: torch.nn.CrossEntropyLoss(weight=torch.ones(4))(
    torch.randn(3, 5), torch.rand(3, 5)), name='prob_weight_size')

# --- binary_cross_entropy(_with_logits)
_BCE, _BCEL = 'torch.nn.functional.binary_cross_entropy', 'torch.nn.functional.binary_cross_entropy_with_logits'


def _bce(torch, x, y, xdt='float', ydt='float', fn='binary_cross_entropy', **kw):
    xt = (x(torch) if callable(x) else torch.rand(x)).to(getattr(torch, xdt))
    yt = (y(torch) if callable(y) else torch.rand(y)).to(getattr(torch, ydt))
    kw = {k: (v(torch) if callable(v) else v) for k, v in kw.items()}
    return getattr(torch.nn.functional, fn)(xt, yt, **kw)


for name, kw in [('long_input', dict(x=(3,), y=(3,), xdt='long')),
                 ('long_target', dict(x=(3,), y=(3,), ydt='long')),
                 ('double_target', dict(x=(3,), y=(3,), ydt='double')),
                 ('long_both', dict(x=(3,), y=(3,), xdt='long', ydt='long')),
                 ('complex_both', dict(x=(3,), y=(3,), xdt='cfloat', ydt='cfloat')),
                 ('target_out_of_range', dict(x=(3,), y=lambda torch: torch.tensor([0.5, 2., 0.]))),
                 ('first_bad_element_decides', dict(x=lambda torch: torch.tensor([0.5, 2.]),
                                                    y=lambda torch: torch.tensor([3., 0.5]))),
                 ('input_nan', dict(x=lambda torch: torch.tensor([0.5, float('nan')]), y=(2,))),
                 ('weight_broadcasts_bigger', dict(x=(3, 2), y=(3, 2), weight=lambda torch: torch.ones(4, 3, 2))),
                 ('weight_not_broadcastable', dict(x=(3,), y=(3,), weight=lambda torch: torch.ones(4)))]:
    check(_BCE, lambda torch, kw=kw: _bce(torch, **kw), name=name)
for name, kw in [('long_input', dict(x=(3,), y=(3,), xdt='long')),
                 ('complex_input', dict(x=(3,), y=(3,), xdt='cfloat', ydt='cfloat')),
                 ('long_target', dict(x=(3,), y=(3,), ydt='long')),
                 ('bool_target', dict(x=(3,), y=(3,), ydt='bool')),
                 ('double_target', dict(x=(3,), y=(3,), ydt='double')),
                 ('pos_weight_not_broadcastable', dict(x=(3, 2), y=(3, 2), pos_weight=lambda torch: torch.ones(3))),
                 ('pos_weight_bigger', dict(x=(3, 2), y=(3, 2), pos_weight=lambda torch: torch.ones(4, 3, 2))),
                 ('pos_weight_long', dict(x=(3, 2), y=(3, 2), pos_weight=lambda torch: torch.tensor([2, 3]))),
                 ('weight_not_broadcastable', dict(x=(3, 2), y=(3, 2), weight=lambda torch: torch.ones(3))),
                 ('weight_bigger', dict(x=(3, 2), y=(3, 2), weight=lambda torch: torch.ones(4, 3, 2)))]:
    check(_BCEL, lambda torch, kw=kw: _bce(torch, fn='binary_cross_entropy_with_logits', **kw), name=name)


@case(_BCEL)
def double_target_grads(torch):
    x = torch.randn(4, requires_grad=True)
    y = torch.rand(4, dtype=torch.double, requires_grad=True)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(x, y, pos_weight=torch.tensor(2.))
    loss.backward()
    return loss, x.grad, y.grad


# --- mse / l1 / smooth_l1 / huber: a weight takes torch's Python path (mean over the weights' sum for mse and l1,
# the reduction checked only there); huber's result has the input's dtype
for fn in ('mse_loss', 'smooth_l1_loss', 'huber_loss'):
    check(f'torch.nn.functional.{fn}', lambda torch, fn=fn: getattr(torch.nn.functional, fn)(
        _t(torch, (3,), 'cfloat'), _t(torch, (3,), 'cfloat')), name='complex')
for fn in ('mse_loss', 'l1_loss', 'huber_loss'):
    check(f'torch.nn.functional.{fn}', lambda torch, fn=fn: getattr(torch.nn.functional, fn)(
        torch.randn(3), torch.randn(3), weight=torch.ones(3, 1)), name='weight_size')
    check(f'torch.nn.functional.{fn}', lambda torch, fn=fn: getattr(torch.nn.functional, fn)(
        torch.randn(3), torch.randn(3), weight=torch.ones(3), reduction='x'), name='weight_reduction')
    check(f'torch.nn.functional.{fn}', lambda torch, fn=fn: getattr(torch.nn.functional, fn)(
        torch.randn(3, requires_grad=True), torch.randn(3), weight=torch.rand(3)), name='weight_mean')
check('torch.nn.functional.mse_loss', lambda torch: torch.nn.functional.mse_loss(
    torch.randn(3), torch.randn(4), weight=torch.ones(2)), name='broadcast_before_weight')
check('torch.nn.functional.huber_loss', lambda torch: torch.nn.functional.huber_loss(
    torch.randn(3), torch.randn(3), delta=0.), name='delta_zero')
check('torch.nn.functional.huber_loss', lambda torch: torch.nn.functional.huber_loss(
    torch.randn(3), torch.randn(3, dtype=torch.double)), name='double_target_keeps_input_dtype')
for name, a, b in [('long_input', 'long', 'float'), ('long_target', 'float', 'long'), ('bool', 'bool', 'bool'),
                   ('complex', 'cfloat', 'float')]:
    check('torch.nn.functional.kl_div', lambda torch, a=a, b=b: torch.nn.functional.kl_div(
        _t(torch, (3,), a), _t(torch, (3,), b), reduction='sum'), name=name)

# --- margin losses
_MM, _MLM = 'torch.nn.functional.multi_margin_loss', 'torch.nn.functional.multilabel_margin_loss'


def _margin(torch, fn, x, t, xdt='float', **kw):
    kw = {k: (v(torch) if callable(v) else v) for k, v in kw.items()}
    return getattr(torch.nn.functional, fn)(torch.randn(x).to(getattr(torch, xdt)), t(torch), **kw)


for name, kw in [('weight_2d', dict(x=(3, 5), t=lambda torch: torch.tensor([1, 2, 0]),
                                    weight=lambda torch: torch.ones(5, 1))),
                 ('input_3d', dict(x=(3, 5, 2), t=lambda torch: torch.tensor([1, 2]))),
                 ('no_classes', dict(x=(3, 0), t=lambda torch: torch.tensor([1, 2]))),
                 ('weight_size', dict(x=(3, 5), t=lambda torch: torch.tensor([1, 2, 0]),
                                      weight=lambda torch: torch.ones(4))),
                 ('long_input', dict(x=(3, 5), xdt='long', t=lambda torch: torch.tensor([1., 2, 0]))),
                 ('half_input', dict(x=(3, 5), xdt='half', t=lambda torch: torch.tensor([1, 2, 0]))),
                 ('float_target', dict(x=(3, 5), t=lambda torch: torch.tensor([1., 9, 0]))),
                 ('int_target', dict(x=(3, 5), t=lambda torch: torch.tensor([1, 2, 0], dtype=torch.int32))),
                 ('weight_dtype', dict(x=(3, 5), t=lambda torch: torch.tensor([1, 9, 0]),
                                       weight=lambda torch: torch.ones(5, dtype=torch.double))),
                 ('input_0d', dict(x=(), t=lambda torch: torch.tensor(0)))]:
    check(_MM, lambda torch, kw=kw: _margin(torch, 'multi_margin_loss', **kw), name=name)
for name, kw in [('target_shape', dict(x=(3, 5), t=lambda torch: torch.zeros(3, 4, dtype=torch.long))),
                 ('target_1d_for_2d_input', dict(x=(3, 5), t=lambda torch: torch.zeros(5, dtype=torch.long))),
                 ('target_2d_for_1d_input', dict(x=(5,), t=lambda torch: torch.zeros(1, 5, dtype=torch.long))),
                 ('target_out_of_range_after_end', dict(x=(1, 5), t=lambda torch: torch.tensor([[1, -1, 9, 9, 9]]))),
                 ('target_below_minus_one', dict(x=(3, 5), t=lambda torch: torch.full((3, 5), -2))),
                 ('float_target_out_of_range_first', dict(x=(3, 5), t=lambda torch: torch.full((3, 5), 9.))),
                 ('float_target', dict(x=(3, 5), t=lambda torch: torch.full((3, 5), -1.5))),
                 ('long_input', dict(x=(3, 5), xdt='long', t=lambda torch: torch.zeros(3, 5))),
                 ('half_input', dict(x=(3, 5), xdt='half', t=lambda torch: torch.zeros(3, 5, dtype=torch.long))),
                 ('input_3d', dict(x=(3, 5, 2), t=lambda torch: torch.zeros(3, 5, 2, dtype=torch.long))),
                 ('no_classes', dict(x=(3, 0), t=lambda torch: torch.zeros(3, 0, dtype=torch.long))),
                 ('input_0d', dict(x=(), t=lambda torch: torch.tensor(-1)))]:
    check(_MLM, lambda torch, kw=kw: _margin(torch, 'multilabel_margin_loss', **kw), name=name)
check('torch.nn.functional.multilabel_soft_margin_loss', lambda torch: torch.nn.functional.multilabel_soft_margin_loss(
    torch.randn(3, 5), torch.zeros(3, 5), reduction='x'), name='reduction')
for name, x, y in [('shape', ((3,), 'float'), ((4,), 'float')),
                   ('broadcast_bigger', ((3, 1), 'float'), ((4,), 'float')),
                   ('long_input', ((3,), 'long'), ((3,), 'float')), ('long_both', ((3,), 'long'), ((3,), 'long')),
                   ('bool_input', ((3,), 'bool'), ((3,), 'float'))]:
    check('torch.nn.functional.soft_margin_loss', lambda torch, x=x, y=y: torch.nn.functional.soft_margin_loss(
        _t(torch, *x), _t(torch, *y)), name=name)
check('torch.nn.functional.hinge_embedding_loss', lambda torch: torch.nn.functional.hinge_embedding_loss(
    _t(torch, (3,), 'long'), _t(torch, (3,))), name='long_input_mean')
check('torch.nn.functional.hinge_embedding_loss', lambda torch: torch.nn.functional.hinge_embedding_loss(
    torch.tensor([0, 1, 2]), torch.tensor([-1, 1, -1]), margin=1.7, reduction='none'), name='long_input_margin')
check('torch.nn.functional.hinge_embedding_loss', lambda torch: torch.nn.functional.hinge_embedding_loss(
    _t(torch, (3,), 'bool'), _t(torch, (3,), 'bool')), name='bool')
check('torch.nn.functional.hinge_embedding_loss', lambda torch: torch.nn.functional.hinge_embedding_loss(
    torch.randn(3, requires_grad=True), torch.tensor([1., -1., 1.]), reduction='none'), name='grad_fn')
check('torch.nn.functional.margin_ranking_loss', lambda torch: torch.nn.functional.margin_ranking_loss(
    torch.tensor([1, 2]), torch.tensor([2, 1]), torch.tensor([1, 1]), reduction='none'), name='long_gives_float')
check('torch.nn.functional.margin_ranking_loss', lambda torch: torch.nn.functional.margin_ranking_loss(
    _t(torch, (3,), 'bool'), _t(torch, (3,), 'bool'), _t(torch, (3,), 'bool')), name='bool')
for name, a, b, t in [('target_2d', (3, 4), (3, 4), (3, 1)), ('inputs_3d', (3, 4, 2), (3, 4, 2), (3,)),
                      ('inputs_1d_target_1d', (4,), (4,), (1,)), ('inputs_0d', (), (), ()),
                      ('input_dims_differ', (3, 4), (4,), (3,))]:
    check('torch.nn.functional.cosine_embedding_loss', lambda torch, a=a, b=b, t=t:
          torch.nn.functional.cosine_embedding_loss(torch.randn(a), torch.randn(b), torch.ones(t)), name=name)
check('torch.nn.functional.triplet_margin_loss', lambda torch: torch.nn.functional.triplet_margin_loss(
    torch.randn(3, 4), torch.randn(3, 4), torch.randn(4), margin=-1.), name='margin_before_dims')
check('torch.nn.functional.triplet_margin_loss', lambda torch: torch.nn.functional.triplet_margin_loss(
    torch.randn(3, 4), torch.randn(3, 4), torch.randn(3, 4), margin=-1., reduction='x'), name='reduction_first')
check('torch.triplet_margin_loss', lambda torch: torch.triplet_margin_loss(
    torch.randn(3, 4), torch.randn(3, 4), torch.randn(3, 4), -1.), name='negative_margin_accepted')
for name, neg, kw in [('reduction', (3, 4), dict(reduction='x', margin=-1.)), ('margin', (3, 4), dict(margin=0.)),
                      ('dims', (4,), {})]:
    check('torch.nn.functional.triplet_margin_with_distance_loss', lambda torch, neg=neg, kw=kw:
          torch.nn.functional.triplet_margin_with_distance_loss(
              torch.randn(3, 4), torch.randn(3, 4), torch.randn(neg), **kw), name=name)
for name, v in [('var_broadcast_row', (1, 2)), ('var_two_singleton_dims', (1, 1)), ('var_column', (3, 1)),
                ('var_short', (3,)), ('var_bigger', (4, 3, 2))]:
    check('torch.nn.functional.gaussian_nll_loss', lambda torch, v=v: torch.nn.functional.gaussian_nll_loss(
        torch.randn(3, 2), torch.randn(3, 2), torch.rand(v), reduction='none'), name=name)
check('torch.nn.functional.gaussian_nll_loss', lambda torch: torch.nn.functional.gaussian_nll_loss(
    torch.randn(3, 2), torch.randn(3, 2), -torch.rand(4)), name='negative_var_before_size')
check('torch.nn.functional.gaussian_nll_loss', lambda torch: torch.nn.functional.gaussian_nll_loss(
    torch.randn(3, 2), torch.randn(3, 2), -0.5), name='negative_float_var')

# --- ctc_loss: the lengths' type, the kernel's dtypes, an empty input, then ctc_loss_allocate_outputs' checks;
# a class index out of range reads the neighbouring entry of log_probs (torch does no bounds check)
_CTC = 'torch.nn.functional.ctc_loss'


def _ctc(torch, tg=((1, 2), (1, 1)), il=(5, 5), tl=(2, 2), shape=(5, 2, 4), dt='float', lens=True, **kw):
    lp = torch.randn(shape).log_softmax(-1).to(getattr(torch, dt)) if shape[-1] else torch.randn(shape)
    tt = torch.tensor(tg)
    il, tl = (torch.tensor(il), torch.tensor(tl)) if lens else (list(il), list(tl))
    return torch.nn.functional.ctc_loss(lp, tt, il, tl, **kw)


for name, kw in [('target_lengths_past_targets', dict(tl=(3, 2))),
                 ('target_lengths_past_targets_list', dict(tl=(3, 2), lens=False)),
                 ('input_lengths_past_input', dict(il=(6, 5))),
                 ('input_lengths_past_input_list', dict(il=(6, 5), lens=False)),
                 ('input_lengths_size', dict(il=(5,))),
                 ('target_lengths_size', dict(tl=(2,))),
                 ('input_lengths_negative', dict(il=(-1, 5))),
                 ('target_lengths_negative_first', dict(tg=((1, 2), (1, 1), (1, 1)), tl=(-1, 2))),
                 ('concatenated_targets_size', dict(tg=(1, 2, 1))),
                 ('concatenated_targets_too_long', dict(tg=(1, 2, 1, 1, 3))),
                 ('targets_batch', dict(tg=((1, 2),))),
                 ('targets_3d', dict(tg=(((1,), (2,)), ((1,), (1,))))),
                 ('targets_0d', dict(tg=1)),
                 ('float_input_lengths', dict(il=(5., 5.))),
                 ('float_target_lengths', dict(tl=(2., 2.))),
                 ('bool_input_lengths', dict(il=(True, True))),
                 ('long_log_probs', dict(dt='long')),
                 ('half_log_probs', dict(dt='half')),
                 ('log_probs_4d', dict(shape=(5, 2, 4, 1))),
                 ('log_probs_1d', dict(shape=(5,))),
                 ('blank_out_of_range', dict(blank=4)),
                 ('blank_negative', dict(blank=-1)),
                 ('blank_before_lengths_size', dict(blank=9, il=(5,))),
                 ('empty_batch', dict(shape=(5, 0, 4))),
                 ('reduction', dict(reduction='x')),
                 ('class_equal_to_classes', dict(tg=((1, 4), (1, 1)), reduction='none')),
                 ('class_negative', dict(tg=((1, 2), (-3, 1)), reduction='none')),
                 ('float_targets_truncate', dict(tg=((1.7, 2.), (1., 1.)), reduction='none')),
                 ('lengths_2d', dict(il=((5, 5),), reduction='none')),
                 ('unbatched', dict(shape=(5, 4), tg=(1, 2), il=5, tl=2, reduction='none')),
                 ('unbatched_target_lengths_past_targets', dict(shape=(5, 4), tg=(1, 2), il=5, tl=3)),
                 ('unbatched_input_lengths_size', dict(shape=(5, 4), tg=(1, 2), il=(5, 5), tl=(2, 2))),
                 ('unbatched_targets_2d', dict(shape=(5, 4), tg=((1, 2),), il=5, tl=2))]:
    check(_CTC, lambda torch, kw=kw: _ctc(torch, **kw), name=name)

# (its gradient there lands in the neighbour's entries too, racing with the neighbour's own: not compared)


# module_db's CrossEntropyLoss with ignore_index (all samples): an ignored row's gradient stays +0 (faketorch
# wrote -0, printed -0.0000e+00), and with every row ignored the mean's gradient is 0, not NaN
@case('torch.nn.functional.nll_loss')
def ignored_rows_gradient(torch):
    F = torch.nn.functional
    out = []
    x0 = torch.tensor([[-2.7477, -2.9966, -5.9295], [-4.6508, -1.5394, 8.7682]])
    w = torch.tensor([0.5, 2.0, 0.0])
    for target in ([1, 2], [1, 1], [2, 1]):
        t = torch.tensor(target)
        for kw in ({}, {'weight': w}, {'reduction': 'sum'}, {'reduction': 'none'}):
            x = x0.clone().requires_grad_()
            loss = F.cross_entropy(x, t, ignore_index=1, **kw)
            loss.backward(torch.ones_like(loss) * -1.5)
            out += [loss, x.grad, str(x.grad)]
            x = x0.clone().requires_grad_()
            g, = torch.autograd.grad(F.nll_loss(x, t, ignore_index=1, **kw).sum(), x, create_graph=True)
            out += [g, str(g)]
    x = x0.reshape(2, 3, 1, 1).clone().requires_grad_()       # the N-d path
    F.nll_loss(x, torch.tensor([[[1]], [[1]]]), ignore_index=1).backward()
    out += [x.grad, str(x.grad)]
    x = x0[0].clone().requires_grad_()      # 1-d input
    F.nll_loss(x, torch.tensor(1), ignore_index=1, weight=w).backward()
    return out + [x.grad, str(x.grad)]


# create_graph through nll_loss: torch's gradient is one NllLossBackwardBackward0 node over (grad, self), so it
# requires grad (its derivative in self is zero); faketorch's had no node at all
@case('torch.nn.functional.nll_loss')
def create_graph_node(torch):
    F = torch.nn.functional
    out = []
    x = torch.randn(2, 3, 2, 2, requires_grad=True)
    g, = torch.autograd.grad(F.nll_loss(x, torch.zeros(2, 2, 2, dtype=torch.long)), x, create_graph=True)
    out += [g.grad_fn.name(), [type(f[0]).__name__ for f in g.grad_fn.next_functions]]
    x = torch.randn(2, 3, requires_grad=True)
    g, = torch.autograd.grad(F.cross_entropy(x, torch.tensor([1, 2])), x, create_graph=True)
    out += [g.grad_fn.name(), [type(f[0]).__name__ for f in g.grad_fn.next_functions[0][0].next_functions]]
    for kw in ({}, {'weight': torch.tensor([1., 2., 3.])}, {'reduction': 'none'}):
        x = torch.randn(2, 3, requires_grad=True)
        g, = torch.autograd.grad(F.nll_loss(x, torch.tensor([1, 2]), **kw).sum(), x, create_graph=True)
        g.pow(2).sum().backward()
        out += [g, g.grad_fn.name(), x.grad]
    return out
