"""Public names torch has and faketorch lacked: torch.functional, the functional RNN ops, embedding_bag at top
level, the *_copy variants, the quantized accessors' function forms, SyncBatchNorm's CUDA-only kernels (their
CPU errors), the removed linalg functions, jit futures, from_file, Tensor.set_ and the old sparse helpers."""
import os
import re
import tempfile

from conformance import case, check


def _head(e):
    """A dispatcher error up to its backend list (torch's list names build paths)."""
    return type(e).__name__, re.sub(r" '[\w:.]+' is only available for these backends.*", '', str(e), flags=re.S)


def _raises(f, path=None):
    try:
        f()
    except Exception as e:      # noqa: BLE001  (the dispatcher's long message: compared up to its list)
        kind, msg = _head(e)
        return kind, msg.replace(path, '<file>') if path else msg
    return 'no error'


# --- torch.functional: the module scripts import by mistake for F ----------------------------------------
@case('torch.functional')
def leftover_functional_module(torch):
    tf = torch.functional
    a, b = torch.arange(6.).reshape(2, 3), torch.arange(3.)
    return (sorted(tf.__all__), tf.einsum('ij,j->i', a, b), tf.split(torch.arange(5), 2),
            tf.norm(a), tf.unique(torch.tensor([3, 1, 3])), tf.broadcast_shapes((2, 1), (3,)),
            tf.tensordot(a, a.t(), 1), tf.cartesian_prod(b, b).shape, tf.F is torch.nn.functional,
            tf.stft(torch.arange(16.), 8, return_complex=True).shape, tf.Tensor is torch.Tensor)


# --- removed functions: they exist only to raise -------------------------------------------------------------
for _n in ('solve', 'lstsq'):
    check(f'torch.{_n}', lambda torch, _n=_n: getattr(torch, _n)(torch.ones(2, 2), torch.eye(2)),
          name='leftover_removed')
    check(f'Tensor.{_n}', lambda torch, _n=_n: getattr(torch.ones(2, 2), _n)(torch.eye(2)), name='leftover_removed')
for _n in ('eig', 'symeig'):
    check(f'torch.{_n}', lambda torch, _n=_n: getattr(torch, _n)(torch.eye(2), True), name='leftover_removed')
    check(f'Tensor.{_n}', lambda torch, _n=_n: getattr(torch.eye(2), _n)(), name='leftover_removed')
check('torch.matrix_rank', lambda torch: torch.matrix_rank(torch.eye(2)), name='leftover_removed')


# --- quantized accessors as functions ---------------------------------------------------------------------
@case('torch.int_repr')
def leftover_quantized_accessors(torch):
    q = torch.quantize_per_tensor(torch.tensor([1., 2.5]), 0.5, 3, torch.quint8)
    qc = torch.quantize_per_channel(torch.tensor([[1., 2.5], [3, 4]]), torch.tensor([0.5, 0.25]),
                                    torch.tensor([1, 2]), 0, torch.qint8)
    return (torch.int_repr(q), torch.q_scale(q), torch.q_zero_point(q), torch.int_repr(qc),
            torch.q_per_channel_scales(qc), torch.q_per_channel_zero_points(qc), torch.q_per_channel_axis(qc),
            _raises(lambda: torch.q_scale(qc)), _raises(lambda: torch.q_per_channel_axis(q)),
            _raises(lambda: torch.int_repr(torch.ones(2))), _raises(lambda: torch.q_zero_point(torch.ones(2))))


# --- *_copy and slice_inverse -----------------------------------------------------------------------------
@case('torch.slice_copy')
def leftover_slice_copy(torch):
    x = torch.randn(5, 4, requires_grad=True)
    a = torch.slice_copy(x, 0, 1, 4, 2)
    b = torch.slice_copy(x, 1, -3)
    c = torch.slice_copy(x)
    (a.sum() + (b * 2).sum() + c.sum()).backward()
    return a, b, c, a._base is None, x.grad, torch.slice_copy(torch.arange(5), 0, 1, None, 3)


@case('torch.slice_inverse')
def leftover_slice_inverse(torch):
    x = torch.randn(5, 4, requires_grad=True)
    v = x[1:3]
    r = torch.slice_inverse(v, torch.ones(2, 4), 0, 1, 3)
    z = torch.slice_inverse(torch.zeros(5, 4), torch.ones(2, 4), 0, 1, 3)
    w = torch.zeros(5, 4).slice_inverse(torch.ones(5, 2)[:, 1:], 1, 1, 3)
    # torch's own backward for it fails on these shapes: forward only
    return r, z, z._base is not None, w, w.stride(), w.storage_offset()


@case('torch.view_as_real_copy')
def leftover_view_as_real_copy(torch):
    c = torch.randn(3, dtype=torch.cfloat, requires_grad=True)
    r = torch.view_as_real_copy(c)
    (r * torch.tensor([1., 2.])).sum().backward()
    return r, c.grad, torch.view_as_complex_copy(torch.arange(6.).reshape(3, 2))


check('torch.view_as_complex_copy', lambda torch: torch.view_as_complex_copy(torch.randn(3, 2, requires_grad=True)),
      name='leftover_autograd_error')
check('torch.view_as_complex_copy', lambda torch: torch.view_as_complex_copy(torch.randn(3, 3)),
      name='leftover_last_dim')
check('torch.values_copy', lambda torch: [
    _raises(lambda: f(torch.sparse_coo_tensor([[0, 1]], [1., 2.], (3,), check_invariants=False)))
    for f in (torch.indices_copy, torch.values_copy)], name='leftover_sparse_backend')
check('torch.values_copy', lambda torch: torch.values_copy(torch.ones(2)), name='leftover_strided')
check('torch.indices_copy', lambda torch: torch.indices_copy(torch.ones(2)), name='leftover_strided')


# --- embedding_bag / embedding_renorm_ at top level -------------------------------------------------------------
@case('torch.embedding_bag')
def leftover_embedding_bag(torch):
    w = torch.randn(10, 3, requires_grad=True)
    idx, off = torch.tensor([1, 2, 4, 5, 4]), torch.tensor([0, 2])
    outs = [torch.embedding_bag(w, idx, off, False, mode, False, None, False, None) for mode in (0, 1, 2)]
    outs.append(torch.embedding_bag(w, idx, off))
    outs.append(torch.embedding_bag(w, idx, torch.tensor([0, 2, 5]), False, 0, False, torch.arange(1., 6.), True))
    sum(o[0].sum() for o in outs).backward()
    return outs, w.grad, [o[0].grad_fn.name() for o in outs]


@case('torch.embedding_renorm_')
def leftover_embedding_renorm(torch):
    w = torch.randn(10, 3)
    r = torch.embedding_renorm_(w, torch.tensor([1, 2, 2]), 1.0, 2.0)
    return r is w, w


# --- functional RNN ops --------------------------------------------------------------------------------------
def _rnn_grads(torch, out, params, x):
    sum(o.sum() for o in out).backward()
    return [o.grad_fn.name() for o in out], out, [p.grad for p in params], x.grad


@case('torch.lstm')
def leftover_lstm(torch):
    m = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    x = torch.randn(5, 2, 3, requires_grad=True)
    h, c = torch.randn(4, 2, 4), torch.randn(4, 2, 4)
    out = torch.lstm(x, (h, c), m._flat_weights, True, 2, 0.0, False, True, False)
    return _rnn_grads(torch, out, m._flat_weights, x)


@case('torch.lstm')
def leftover_lstm_batch_first_no_bias(torch):
    m = torch.nn.LSTM(3, 4, bias=False, batch_first=True)
    x = torch.randn(2, 5, 3, requires_grad=True)
    h, c = torch.zeros(1, 2, 4), torch.zeros(1, 2, 4)
    out = torch.lstm(x, [h, c], m._flat_weights, False, 1, 0.0, True, False, True)
    return _rnn_grads(torch, out, m._flat_weights, x)


@case('torch.lstm')
def leftover_lstm_packed(torch):
    m = torch.nn.LSTM(3, 4)
    x = torch.randn(5, 2, 3, requires_grad=True)
    p = torch.nn.utils.rnn.pack_padded_sequence(x, [5, 3])
    out = torch.lstm(p.data, p.batch_sizes, (torch.zeros(1, 2, 4), torch.zeros(1, 2, 4)), m._flat_weights,
                     True, 1, 0.0, False, False)
    return _rnn_grads(torch, out, m._flat_weights, x)


@case('torch.gru')
def leftover_gru(torch):
    m = torch.nn.GRU(3, 4, num_layers=2)
    x = torch.randn(5, 2, 3, requires_grad=True)
    out = torch.gru(x, torch.randn(2, 2, 4), m._flat_weights, True, 2, 0.0, False, False, False)
    return _rnn_grads(torch, out, m._flat_weights, x)


@case('torch.gru')
def leftover_gru_packed_bidirectional(torch):
    m = torch.nn.GRU(3, 4, bidirectional=True)
    x = torch.randn(5, 2, 3, requires_grad=True)
    p = torch.nn.utils.rnn.pack_padded_sequence(x, [5, 3])
    out = torch.gru(p.data, p.batch_sizes, torch.zeros(2, 2, 4), m._flat_weights, True, 1, 0.0, False, True)
    return _rnn_grads(torch, out, m._flat_weights, x)


@case('torch.rnn_tanh')
def leftover_rnn_tanh(torch):
    m = torch.nn.RNN(3, 4)
    x = torch.randn(5, 2, 3, requires_grad=True)
    out = torch.rnn_tanh(x, torch.zeros(1, 2, 4), m._flat_weights, True, 1, 0.0, False, False, False)
    return _rnn_grads(torch, out, m._flat_weights, x)


@case('torch.rnn_relu')
def leftover_rnn_relu(torch):
    m = torch.nn.RNN(3, 4, nonlinearity='relu', bias=False)
    x = torch.randn(5, 2, 3, requires_grad=True)
    out = torch.rnn_relu(x, torch.zeros(1, 2, 4), m._flat_weights, False, 1, 0.0, False, False, False)
    return _rnn_grads(torch, out, m._flat_weights, x)


@case('torch.rnn_relu')
def leftover_rnn_relu_packed(torch):
    m = torch.nn.RNN(3, 4, nonlinearity='relu')
    x = torch.randn(5, 2, 3, requires_grad=True)
    p = torch.nn.utils.rnn.pack_padded_sequence(x, [5, 3])
    out = torch.rnn_relu(p.data, p.batch_sizes, torch.zeros(1, 2, 4), m._flat_weights, True, 1, 0.0, False, False)
    return _rnn_grads(torch, out, m._flat_weights, x)


check('torch.lstm', lambda torch: torch.lstm(torch.randn(5, 2, 3), (torch.zeros(1, 2, 4),),
                                             torch.nn.LSTM(3, 4)._flat_weights, True, 1, 0.0, False, False, False),
      name='leftover_one_state')


@case('torch.lstm_cell')
def leftover_cells(torch):
    x = torch.randn(2, 3, requires_grad=True)
    lc, gc, rc = torch.nn.LSTMCell(3, 4), torch.nn.GRUCell(3, 4), torch.nn.RNNCell(3, 4)
    h = torch.randn(2, 4)
    outs = list(torch.lstm_cell(x, (h, h * 2), lc.weight_ih, lc.weight_hh, lc.bias_ih, lc.bias_hh))
    outs.append(torch.lstm_cell(x, [h, h], lc.weight_ih, lc.weight_hh)[1])
    outs.append(torch.gru_cell(x, h, gc.weight_ih, gc.weight_hh, gc.bias_ih, gc.bias_hh))
    outs.append(torch.gru_cell(x, h, gc.weight_ih, gc.weight_hh))
    outs.append(torch.rnn_tanh_cell(x, h, rc.weight_ih, rc.weight_hh, rc.bias_ih, rc.bias_hh))
    outs.append(torch.rnn_relu_cell(x, h, rc.weight_ih, rc.weight_hh))
    sum(o.sum() for o in outs).backward()
    return outs, [o.grad_fn.name() for o in outs], x.grad, lc.weight_hh.grad, gc.bias_hh.grad, rc.weight_ih.grad


check('torch.lstm_cell', lambda torch: torch.lstm_cell(torch.randn(2, 3), (torch.zeros(2, 4),),
                                                       torch.randn(16, 3), torch.randn(16, 4)),
      name='leftover_one_state')
check('torch.gru_cell', lambda torch: torch.gru_cell(torch.randn(2, 3), torch.zeros(2, 5), torch.randn(12, 3),
                                                     torch.randn(12, 4)), name='leftover_hidden_size')
check('torch.rnn_tanh_cell', lambda torch: torch.rnn_tanh_cell(torch.randn(2, 5), torch.zeros(2, 4),
                                                               torch.randn(4, 3), torch.randn(4, 4)),
      name='leftover_input_size')


# --- SyncBatchNorm's kernels: CUDA only, except update_stats ----------------------------------------------------
@case('torch.batch_norm_stats')
def leftover_batch_norm_cuda_kernels(torch):
    x, m, i = torch.randn(4, 3, 5), torch.zeros(3), torch.ones(3)
    g = torch.randn(4, 3, 5)
    calls = [lambda: torch.batch_norm_stats(x, 1e-5),
             lambda: torch.batch_norm_elemt(x, None, None, m, i, 1e-5),
             lambda: torch.batch_norm_gather_stats(x, m[None], i[None], None, None, 0.1, 1e-5, 20),
             lambda: torch.batch_norm_gather_stats_with_counts(x, m[None], i[None], None, None, 0.1, 1e-5,
                                                               torch.tensor([20.])),
             lambda: torch.batch_norm_backward_reduce(g, x, m, i, None, True, True, True),
             lambda: torch.batch_norm_backward_elemt(g, x, m, i, None, m, m, torch.tensor([20], dtype=torch.int32)),
             lambda: torch.native_norm(torch.tensor([3., 4.])),
             lambda: torch.native_norm(torch.tensor([[3., 4.]]), 2, [1], True, None)]
    return [_raises(c) for c in calls]


@case('torch.batch_norm_update_stats')
def leftover_batch_norm_update_stats(torch):
    x = torch.randn(4, 3, 5, dtype=torch.float64)
    rm, rv = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    a = torch.batch_norm_update_stats(x, rm, rv, 0.1)
    b = torch.batch_norm_update_stats(x.float(), None, None, 0.1)
    c = torch.batch_norm_update_stats(torch.randn(6, 2), None, None, 0.5)
    return a, b, c, rm, rv


# --- affine_grid_generator, grid_sampler, conv_tbc ------------------------------------------------------------------
@case('torch.affine_grid_generator')
def leftover_affine_grid_sampler(torch):
    th = torch.tensor([[[1., 0.2, 0.], [0.1, 1., 0.]]], requires_grad=True)
    inp = torch.arange(12.).reshape(1, 1, 3, 4).requires_grad_()
    grid = torch.affine_grid_generator(th, [1, 1, 2, 3], False)
    a = torch.grid_sampler(inp, grid, 0, 0, False)
    b = torch.grid_sampler(inp, torch.affine_grid_generator(th, [1, 1, 2, 3], True), 1, 1, True)
    (a.sum() + b.sum()).backward()
    return grid, a, b, [t.grad_fn.name() for t in (grid, a, b)], th.grad, inp.grad


@case('torch.conv_tbc')
def leftover_conv_tbc(torch):
    x = torch.randn(6, 2, 3, requires_grad=True)
    w, b = torch.randn(3, 3, 4, requires_grad=True), torch.randn(4, requires_grad=True)
    out = [torch.conv_tbc(x, w, b, 1), torch.conv_tbc(x, w, b), torch.nn.functional.conv_tbc(x, w, b, 2)]
    sum((o * o).sum() for o in out).backward()
    return out, [o.grad_fn.name() for o in out], x.grad, w.grad, b.grad


check('torch.conv_tbc', lambda torch: torch.conv_tbc(torch.randn(6, 2, 3), torch.randn(3, 3, 4), torch.randn(3), 1),
      name='leftover_bias_size')


# --- jit futures, while_loop, from_file, threads, symbolic sizes ------------------------------------------------
@case('torch.fork')
def leftover_fork_wait(torch):
    fut = torch.fork(lambda x, k=1: x + k, torch.ones(2), k=3)
    return type(fut).__name__, torch.wait(fut), fut.done()


@case('torch.while_loop')
def leftover_while_loop(torch):
    return torch.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, x * 2), (torch.tensor(0), torch.ones(2)))


@case('torch.from_file')
def leftover_from_file(torch):
    fd, fn = tempfile.mkstemp()
    os.close(fd)
    try:
        torch.arange(6, dtype=torch.float32).numpy().tofile(fn)
        out = [torch.from_file(fn, size=6), torch.from_file(fn, size=3, dtype=torch.float64),
               torch.from_file(fn), torch.from_file(fn, size=6, dtype=torch.int32),
               _raises(lambda: torch.from_file(fn, shared=False, size=10), fn)]
        t = torch.from_file(fn, shared=True, size=6)
        t[0] = 42
        u = torch.from_file(fn, shared=False, size=6)
        u[1] = 7
        out += [torch.from_file(fn, size=6), torch.from_file(fn, shared=True, size=8), os.path.getsize(fn)]
        return out
    finally:
        os.remove(fn)


check('torch.init_num_threads', lambda torch: torch.init_num_threads(), name='leftover_none')


@case('torch.sym_constrain_range')
def leftover_sym_constrain(torch):
    return (torch.sym_constrain_range(3, min=0, max=5), torch.sym_constrain_range_for_size(3, min=0, max=5),
            torch.sym_fresh_size(3), _raises(lambda: torch.sym_constrain_range(3, min=4, max=5)))


# --- Tensor.set_, is_set_to, resize_as ------------------------------------------------------------------------------
@case('Tensor.set_')
def leftover_set(torch):
    a = torch.arange(6.)
    b = torch.empty(0)
    r = b.set_(a)
    b[0] = 9
    st = a.untyped_storage()
    return (r is b, a, b.is_set_to(a), a.is_set_to(b), a.is_set_to(a.view(2, 3)), a.is_set_to(a[:]),
            torch.ones(3).set_(), torch.ones(3).set_(st, 2, (2, 2), (1, 2)), torch.ones(3).set_(st, 2, (2, 2)),
            torch.ones(3).set_(st), torch.ones(3).set_(a.storage()), torch.ones(3).set_(source=a),
            torch.ones(3).set_(st, storage_offset=1, size=(3,), stride=(2,)))


check('Tensor.set_', lambda torch: torch.ones(3, dtype=torch.int64).set_(torch.arange(6.)), name='leftover_dtype')
check('Tensor.set_', lambda torch: torch.ones(3, requires_grad=True).set_(torch.arange(6.)), name='leftover_leaf')


@case('Tensor.set_')
def leftover_set_shares(torch):
    a = torch.arange(6.)
    b = torch.zeros(2).set_(a.untyped_storage(), 1, (2, 2), (2, 1))
    b.mul_(10)
    return a, b, b.stride()


check('Tensor.set_', lambda torch: torch.zeros(2).set_(torch.arange(6.).untyped_storage(), 1, (2, 2), (2, 1))
      .storage_offset(), name='leftover_set_storage_offset')


@case('Tensor.resize_as')
def leftover_resize_as(torch):
    return (torch.ones(2, 3).resize_as_(torch.ones(3)), torch.resize_as_(torch.ones(2, 3), torch.ones(4, 2)).shape,
            _raises(lambda: torch.ones(2, 3).resize_as(torch.ones(3))),
            torch.ones(2, 3).resize_as(torch.zeros(3, 2)))


# --- the old sparse helpers on COO --------------------------------------------------------------------------------
def _coo(torch, **kw):
    return torch.sparse_coo_tensor([[0, 1, 1], [1, 0, 2]], [1., 2., 3.], (2, 3), check_invariants=False, **kw)


@case('torch.smm')
def leftover_sparse_helpers(torch):
    s, d = _coo(torch), torch.arange(12.).reshape(3, 4)
    z = torch.zeros(2, 4).to_sparse()
    return (torch.smm(s, d), s.smm(d), torch.hsmm(s, d), torch.dsmm(s, d), torch.hspmm(s, d),
            torch.saddmm(z, s, d), torch.sspaddmm(z, s, d),
            torch.sspaddmm(torch.ones(2, 4).to_sparse(), s, d, beta=2, alpha=0.5).to_dense(),
            torch.ones(2, 4).to_sparse().sspaddmm(s, d))


@case('torch.smm')
def leftover_sparse_helpers_errors(torch):
    s, d = _coo(torch), torch.arange(12.).reshape(3, 4)
    return (_raises(lambda: torch.saddmm(s, s, d)), _raises(lambda: torch.hspmm(d, d)),
            _raises(lambda: torch.sspaddmm(torch.ones(2, 4), s, d)), _raises(lambda: s.hspmm(d)))


@case('torch.nn.functional.conv1d')
def leftover_conv_permuted_grad(torch):
    # found through conv_tbc: a non-contiguous output gradient (a permute after the convolution)
    x = torch.randn(2, 3, 6, requires_grad=True)
    w = torch.randn(4, 3, 3, requires_grad=True)
    outs = [torch.nn.functional.conv1d(x, w, padding=p).permute(2, 0, 1) for p in (0, 1)]
    outs.append(torch.nn.functional.conv2d(x[:, :, None], w[:, :, None]).permute(3, 2, 0, 1))
    sum((o * o).sum() for o in outs).backward()
    return x.grad, w.grad
check('torch.smm', lambda torch: torch.smm(torch.ones(2, 3), torch.ones(3, 4)), name='leftover_dense_input')


# --- small Tensor leftovers ----------------------------------------------------------------------------------
check('Tensor.reinforce', lambda torch: torch.ones(2).reinforce(1.0), name='leftover_removed')


@case('Tensor.module_load')
def leftover_module_load(torch):
    p = torch.nn.Parameter(torch.zeros(2))
    a = p.module_load(torch.tensor([1., 2.]))
    b = p.module_load(torch.tensor([3., 4.], requires_grad=True), assign=True)
    legacy = torch.legacy_contiguous_format
    return a, b, p, a is p, repr(legacy), legacy == torch.contiguous_format


@case('torch.quantized_max_pool2d')
def leftover_quantized_max_pool(torch):
    q = torch.quantize_per_tensor(torch.arange(16.).reshape(1, 1, 4, 4), 0.5, 3, torch.quint8)
    return (torch.quantized_max_pool2d(q, [2, 2]), torch.quantized_max_pool1d(q[0], [2]),
            torch.quantized_max_pool2d(q, [3, 3], [1, 1], [1, 1]),
            _raises(lambda: torch.quantized_max_pool3d(q, [1, 2, 2])),
            _raises(lambda: torch.quantized_max_pool2d(torch.ones(1, 1, 4, 4), [2, 2])))


@case('Tensor.sparse_resize_')
def leftover_sparse_resize(torch):
    s = _coo(torch)
    h = torch.sparse_coo_tensor([[0, 1]], [[1., 2.], [3, 4]], (2, 2), check_invariants=False)
    return (s.clone().sparse_resize_((3, 4), 2, 0), s.clone().sparse_resize_and_clear_((3, 4, 2), 2, 1),
            s.clone().resize_as_sparse_(torch.zeros(5, 5).to_sparse()),
            torch.resize_as_sparse_(s.clone(), torch.zeros(4, 6).to_sparse()),
            h.clone().sparse_resize_((3, 2), 1, 1),
            [_raises(lambda a=a: s.clone().sparse_resize_(*a)) for a in (((1, 1), 2, 0), ((3, 3), 1, 1),
                                                                        ((3, 3, 2), 2, 1))],
            _raises(lambda: h.clone().sparse_resize_((3, 1), 1, 1)),
            _raises(lambda: torch.ones(2).sparse_resize_((3,), 1, 0)),
            _raises(lambda: torch.ones(2).resize_as_sparse_(s)))


@case('torch.empty_quantized')
def leftover_empty_quantized(torch):
    q = torch.quantize_per_tensor(torch.tensor([1., 2.5]), 0.5, 3, torch.quint8)
    qc = torch.quantize_per_channel(torch.tensor([[1., 2.5], [3, 4]]), torch.tensor([0.5, 0.25]),
                                    torch.tensor([1, 2]), 0, torch.qint8)
    e, ec = torch.empty_quantized([2, 3], q), torch.empty_quantized([2, 5], qc)
    e8 = torch.empty_quantized([2], q, dtype=torch.qint8)
    return ([(t.shape, t.dtype, t.qscheme()) for t in (e, ec, e8)], e.q_scale(), e.q_zero_point(),
            ec.q_per_channel_scales(), ec.q_per_channel_zero_points(), ec.q_per_channel_axis(),
            _raises(lambda: torch.empty_quantized([2], torch.ones(2))))


@case('torch.Future')
def leftover_class_aliases(torch):
    return (type(torch.fork(lambda: 1)) is torch.Future, torch.GradScaler is torch.amp.GradScaler,
            torch.Storage is torch.FloatStorage)


@case('Tensor.set_')
def leftover_set_offsets_of_views(torch):
    a = torch.arange(6.)
    b = torch.zeros(2).set_(a.untyped_storage(), 1, (2, 2), (2, 1))
    c = torch.zeros(3).set_(b)
    return b.storage_offset(), b[1].storage_offset(), b[:, 1].storage_offset(), c.storage_offset(), c[1:], \
        torch.zeros(1).set_().storage_offset(), a[2:].storage_offset()
