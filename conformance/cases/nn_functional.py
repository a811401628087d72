"""torch.nn.functional: values, gradients, grad_fn names and errors, one line per case."""
import numpy as np

from conformance import case, check


def _x(torch, *shape, seed=0, scale=1.0, grad=True, dtype='float32'):
    a = np.random.RandomState(seed).randn(*shape).astype(dtype) * scale
    return torch.tensor(a, requires_grad=grad)


def _fb(torch, f, *inputs):
    """f(*inputs), then backward of a weighted sum; returns the output and the input grads."""
    out = f(*inputs)
    w = torch.tensor(np.cos(np.arange(out.numel())).reshape(tuple(out.shape)).astype('float32')).to(out.dtype)
    (out * w).sum().backward()
    return out, tuple(x.grad for x in inputs if hasattr(x, 'grad') and x.requires_grad)


def _t(torch, values, dtype=None):
    return torch.tensor(values, dtype=dtype)


def act(name, fn, shape=(3, 5), scale=2.0):
    check(f'F.{name}', lambda torch: _fb(torch, lambda x: fn(torch.nn.functional, x), _x(torch, *shape, scale=scale)),
          name=f'{name}_fwd_bwd')


act('relu', lambda F, x: F.relu(x))
act('relu6', lambda F, x: F.relu6(x * 4))
act('elu', lambda F, x: F.elu(x))
act('selu', lambda F, x: F.selu(x))
act('celu', lambda F, x: F.celu(x, 1.5))
act('gelu', lambda F, x: F.gelu(x))
act('gelu_tanh', lambda F, x: F.gelu(x, approximate='tanh'))
act('silu', lambda F, x: F.silu(x))
act('mish', lambda F, x: F.mish(x))
act('softplus', lambda F, x: F.softplus(x, beta=2, threshold=3))
act('logsigmoid', lambda F, x: F.logsigmoid(x))
act('leaky_relu', lambda F, x: F.leaky_relu(x, 0.2))
act('hardtanh', lambda F, x: F.hardtanh(x, -0.5, 0.7))
act('hardsigmoid', lambda F, x: F.hardsigmoid(x * 2))
act('hardswish', lambda F, x: F.hardswish(x * 2))
act('softshrink', lambda F, x: F.softshrink(x, 0.3))
act('hardshrink', lambda F, x: F.hardshrink(x, 0.3))
act('tanhshrink', lambda F, x: F.tanhshrink(x))
act('softsign', lambda F, x: F.softsign(x))
act('threshold', lambda F, x: F.threshold(x, 0.1, -3.0))
act('sigmoid', lambda F, x: F.sigmoid(x))
act('tanh', lambda F, x: F.tanh(x))
act('glu', lambda F, x: F.glu(x, 0), shape=(4, 3))
act('softmax', lambda F, x: F.softmax(x, 1))
act('softmax_dim0', lambda F, x: F.softmax(x, 0))
act('log_softmax', lambda F, x: F.log_softmax(x, -1))
act('softmin', lambda F, x: F.softmin(x, 1))
act('softmax_3d', lambda F, x: F.softmax(x, 1), shape=(2, 3, 4))
act('log_softmax_double', lambda F, x: F.log_softmax(x, 1, dtype=x.new_tensor(0.).double().dtype))
act('normalize', lambda F, x: F.normalize(x))
act('normalize_p1', lambda F, x: F.normalize(x, p=1, dim=0))
act('prelu', lambda F, x: F.prelu(x, x.new_tensor([0.25])))
act('rrelu_eval', lambda F, x: F.rrelu(x))

check('F.softmax', lambda torch: torch.nn.functional.softmax(torch.tensor([[1000., 0.], [-1000., 1.]]), 1),
      name='large')
check('F.softmax', lambda torch: torch.nn.functional.softmax(torch.tensor([1, 2]), 0), name='int_error')
check('F.log_softmax', lambda torch: torch.nn.functional.log_softmax(torch.tensor([1, 2]), 0), name='int_error')
check('F.softmax', lambda torch: torch.nn.functional.softmax(torch.tensor([[float('-inf'), 0.]]), 1), name='neg_inf')
check('torch.softmax', lambda torch: torch.softmax(torch.tensor([1., 2., 3.]), 0))
check('Tensor.softmax', lambda torch: torch.tensor([[1., 2.], [3., 5.]]).softmax(-1))
check('Tensor.log_softmax', lambda torch: torch.tensor([[1., 2.], [3., 5.]]).log_softmax(dim=0))
check('F.gelu', lambda torch: torch.nn.functional.gelu(torch.tensor([1, 2])), name='int_error')
check('F.gelu', lambda torch: torch.nn.functional.gelu(torch.tensor([1.]), approximate='foo'), name='bad_approx')
check('F.glu', lambda torch: torch.nn.functional.glu(torch.ones(3, 3), 0), name='odd')
check('F.prelu', lambda torch: torch.nn.functional.prelu(torch.ones(3, 4), torch.ones(3)), name='mismatch')
check('F.prelu', lambda torch: _fb(torch, torch.nn.functional.prelu, _x(torch, 2, 3, 4), _x(torch, 3, seed=1)),
      name='channels')
check('F.relu', lambda torch: (lambda x: (torch.nn.functional.relu(x, inplace=True), x))(torch.tensor([-1., 2.])),
      name='inplace')
check('F.elu', lambda torch: (lambda x: torch.nn.functional.elu(x, inplace=True) is x)(torch.tensor([-1., 2.])),
      name='inplace_identity')

# --- linear ---
check('F.linear', lambda torch: _fb(torch, torch.nn.functional.linear, _x(torch, 4, 3), _x(torch, 2, 3, seed=1),
                                    _x(torch, 2, seed=2)), name='2d_bias')
check('F.linear', lambda torch: _fb(torch, torch.nn.functional.linear, _x(torch, 4, 3), _x(torch, 2, 3, seed=1)),
      name='2d_nobias')
check('F.linear', lambda torch: _fb(torch, torch.nn.functional.linear, _x(torch, 5, 4, 3), _x(torch, 2, 3, seed=1),
                                    _x(torch, 2, seed=2)), name='3d_bias')
check('F.linear', lambda torch: _fb(torch, torch.nn.functional.linear, _x(torch, 5, 4, 3), _x(torch, 2, 3, seed=1)),
      name='3d_nobias')
check('F.linear', lambda torch: _fb(torch, torch.nn.functional.linear, _x(torch, 3), _x(torch, 2, 3, seed=1),
                                    _x(torch, 2, seed=2)), name='1d_bias')
check('F.linear', lambda torch: torch.nn.functional.linear(torch.ones(2, 5), torch.ones(3, 4)), name='shape_error')
check('F.linear', lambda torch: torch.nn.functional.linear(torch.ones(7, 2, 5), torch.ones(3, 4)),
      name='shape_error_3d')
check('F.linear', lambda torch: torch.nn.functional.linear(torch.ones(2, 4), torch.ones(3, 4).double()),
      name='dtype_error')
check('F.linear', lambda torch: _fb(torch, torch.nn.functional.linear, _x(torch, 4, 3, dtype='float64'),
                                    _x(torch, 2, 3, seed=1, dtype='float64')), name='double')
check('F.bilinear', lambda torch: _fb(torch, torch.nn.functional.bilinear, _x(torch, 4, 3), _x(torch, 4, 2, seed=1),
                                      _x(torch, 5, 3, 2, seed=2), _x(torch, 5, seed=3)))

# --- dropout (p edge cases are deterministic) ---
check('F.dropout', lambda torch: torch.nn.functional.dropout(torch.ones(3), 0.0), name='p0')
check('F.dropout', lambda torch: torch.nn.functional.dropout(torch.ones(3), 1.0), name='p1')
check('F.dropout', lambda torch: torch.nn.functional.dropout(torch.ones(3), 0.5, training=False), name='eval')
check('F.dropout', lambda torch: torch.nn.functional.dropout(torch.ones(3), 1.5), name='bad_p')
check('F.dropout', lambda torch: (lambda y: ((y == 0) | (y == 2)).all())(torch.nn.functional.dropout(torch.ones(1000))),
      name='values')
check('F.dropout', lambda torch: torch.nn.functional.dropout(_x(torch, 3), 0.5).grad_fn.name(), name='grad_fn')
check('F.dropout2d', lambda torch: (lambda y: tuple(((y == 0) | (y == 2)).all(dim=(2, 3)).all().reshape(1).tolist()))(
    torch.nn.functional.dropout2d(torch.ones(4, 8, 3, 3))), name='channelwise')
check('F.alpha_dropout', lambda torch: torch.nn.functional.alpha_dropout(torch.ones(3), 0.5), name='eval_default')

# --- embedding / one_hot ---
check('F.embedding', lambda torch: _fb(torch, lambda w: torch.nn.functional.embedding(
    torch.tensor([[0, 2], [2, 1]]), w), _x(torch, 4, 3)))
check('F.embedding', lambda torch: _fb(torch, lambda w: torch.nn.functional.embedding(
    torch.tensor([0, 2, 2, 1]), w, padding_idx=2), _x(torch, 4, 3)), name='padding_idx')
check('F.embedding', lambda torch: _fb(torch, lambda w: torch.nn.functional.embedding(
    torch.tensor([0, 2, 2, 1]), w, scale_grad_by_freq=True), _x(torch, 4, 3)), name='scale_grad_by_freq')
check('F.embedding', lambda torch: torch.nn.functional.embedding(torch.tensor([1.]), torch.ones(3, 2)),
      name='float_index')
check('F.embedding', lambda torch: torch.nn.functional.embedding(torch.tensor([5]), torch.ones(3, 2)),
      name='out_of_range')
check('F.embedding', lambda torch: (lambda w: (torch.nn.functional.embedding(torch.tensor([0, 1]), w, max_norm=1.0), w))(
    torch.tensor([[3., 4.], [0.3, 0.4], [5., 12.]])), name='max_norm')
check('F.embedding_bag', lambda torch: _fb(torch, lambda w: torch.nn.functional.embedding_bag(
    torch.tensor([0, 2, 1, 3, 3]), w, torch.tensor([0, 2])), _x(torch, 4, 3)), name='mean')
check('F.embedding_bag', lambda torch: _fb(torch, lambda w: torch.nn.functional.embedding_bag(
    torch.tensor([[0, 2], [1, 3]]), w, mode='sum'), _x(torch, 4, 3)), name='sum_2d')
check('F.embedding_bag', lambda torch: _fb(torch, lambda w: torch.nn.functional.embedding_bag(
    torch.tensor([0, 2, 1, 3, 3]), w, torch.tensor([0, 2, 2]), mode='max'), _x(torch, 4, 3)), name='max_empty_bag')
check('F.one_hot', lambda torch: torch.nn.functional.one_hot(torch.tensor([0, 2, 1])))
check('F.one_hot', lambda torch: torch.nn.functional.one_hot(torch.tensor([[0], [2]]), 4), name='num_classes')

# --- distances ---
check('F.pairwise_distance', lambda torch: _fb(torch, torch.nn.functional.pairwise_distance, _x(torch, 4, 3),
                                               _x(torch, 4, 3, seed=1)))
check('F.pairwise_distance', lambda torch: _fb(torch, lambda a, b: torch.nn.functional.pairwise_distance(a, b, p=1.5),
                                               _x(torch, 4, 3), _x(torch, 4, 3, seed=1)), name='p1_5')
check('F.cosine_similarity', lambda torch: _fb(torch, torch.nn.functional.cosine_similarity, _x(torch, 4, 3),
                                               _x(torch, 4, 3, seed=1)))
check('F.cosine_similarity', lambda torch: torch.nn.functional.cosine_similarity(torch.zeros(2, 3), torch.ones(2, 3)),
      name='zero_vector')
check('torch.pdist', lambda torch: _fb(torch, torch.pdist, _x(torch, 4, 3)))

# --- attention ---
check('F.scaled_dot_product_attention', lambda torch: _fb(torch, torch.nn.functional.scaled_dot_product_attention,
                                                          _x(torch, 2, 3, 4), _x(torch, 2, 5, 4, seed=1),
                                                          _x(torch, 2, 5, 6, seed=2)))
check('F.scaled_dot_product_attention', lambda torch: _fb(
    torch, lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True),
    _x(torch, 2, 4, 4), _x(torch, 2, 4, 4, seed=1), _x(torch, 2, 4, 6, seed=2)), name='causal')
check('F.scaled_dot_product_attention', lambda torch: _fb(
    torch, lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(
        q, k, v, attn_mask=torch.tensor([[True, False, True], [True, True, False]])),
    _x(torch, 2, 2, 4), _x(torch, 2, 3, 4, seed=1), _x(torch, 2, 3, 6, seed=2)), name='bool_mask')

# --- losses ---
_N, _C = 5, 4


def _tgt(torch, n=_N, c=_C, seed=3):
    return torch.tensor(np.random.RandomState(seed).randint(0, c, n))


def loss_case(fname, f, **kw):
    check(f'F.{fname}', lambda torch: _fb(torch, lambda x: f(torch, torch.nn.functional, x), _x(torch, _N, _C)), **kw)


loss_case('cross_entropy', lambda torch, F, x: F.cross_entropy(x, _tgt(torch)), name='mean')
loss_case('cross_entropy', lambda torch, F, x: F.cross_entropy(x, _tgt(torch), reduction='sum'), name='sum')
loss_case('cross_entropy', lambda torch, F, x: F.cross_entropy(x, _tgt(torch), reduction='none'), name='none')
loss_case('cross_entropy', lambda torch, F, x: F.cross_entropy(x, _tgt(torch), weight=torch.tensor([1., 2., .5, 3.])),
          name='weight')
loss_case('cross_entropy', lambda torch, F, x: F.cross_entropy(x, torch.tensor([0, -100, 2, 1, -100])),
          name='ignore_index')
loss_case('cross_entropy', lambda torch, F, x: F.cross_entropy(x, torch.tensor([0, 3, 2, 1, 3]), ignore_index=3),
          name='ignore_index_3')
loss_case('cross_entropy', lambda torch, F, x: F.cross_entropy(x, _tgt(torch), label_smoothing=0.1),
          name='label_smoothing')
loss_case('cross_entropy', lambda torch, F, x: F.cross_entropy(x, torch.tensor([0, -100, 2, 1, 1]),
                                                               weight=torch.tensor([1., 2., .5, 3.]),
                                                               label_smoothing=0.2), name='smoothing_weight_ignore')
loss_case('cross_entropy', lambda torch, F, x: F.cross_entropy(x, _x(torch, _N, _C, seed=5, grad=False).softmax(1)),
          name='prob_target')
loss_case('cross_entropy', lambda torch, F, x: F.cross_entropy(x, _x(torch, _N, _C, seed=5, grad=False).softmax(1),
                                                               label_smoothing=0.3, reduction='none'),
          name='prob_target_smoothing')
check('F.cross_entropy', lambda torch: _fb(torch, lambda x: torch.nn.functional.cross_entropy(
    x, torch.tensor([[0, 1, 2], [2, 2, 0]])), _x(torch, 2, 3, 3)), name='spatial')
check('F.cross_entropy', lambda torch: _fb(torch, lambda x: torch.nn.functional.cross_entropy(
    x, torch.tensor(2)), _x(torch, 4)), name='unbatched')
check('F.cross_entropy', lambda torch: torch.nn.functional.cross_entropy(torch.ones(3, 4), torch.tensor([0., 1., 2.])),
      name='float_target_error')
check('F.cross_entropy', lambda torch: torch.nn.functional.cross_entropy(torch.ones(3, 4), torch.tensor([0, 1])),
      name='batch_mismatch')
check('F.cross_entropy', lambda torch: torch.nn.functional.cross_entropy(torch.ones(3, 4), torch.tensor([0, 1, 5])),
      name='target_out_of_bounds')
check('F.cross_entropy', lambda torch: torch.nn.functional.cross_entropy(torch.ones(3, 4), torch.tensor([0, 1, 2]),
                                                                         reduction='foo'), name='bad_reduction')
check('F.cross_entropy', lambda torch: torch.nn.functional.cross_entropy(torch.ones(3, 4), torch.tensor([0, 1, 2]),
                                                                         weight=torch.ones(3)), name='bad_weight')
check('F.cross_entropy', lambda torch: torch.nn.functional.cross_entropy(
    torch.ones(3, 4), torch.tensor([-100, -100, -100])), name='all_ignored')
check('F.cross_entropy', lambda torch: torch.nn.functional.cross_entropy(torch.ones(3, 4), torch.tensor([0, 1, 2]),
                                                                         label_smoothing=1.5), name='bad_smoothing')
check('F.cross_entropy', lambda torch: torch.nn.functional.cross_entropy(_x(torch, 3, 4), torch.tensor([0, 1, 2])).grad_fn.name(),
      name='grad_fn')
check('F.nll_loss', lambda torch: _fb(torch, lambda x: torch.nn.functional.nll_loss(x, _tgt(torch)), _x(torch, _N, _C)))
check('F.nll_loss', lambda torch: torch.nn.functional.nll_loss(torch.ones(3, 4), torch.tensor([0, 1, 2]).int()),
      name='int_target')
check('F.nll_loss', lambda torch: torch.nn.functional.nll_loss(torch.ones(3, 4), torch.tensor([[0, 1, 2]])),
      name='batch_mismatch_2d')
loss_case('mse_loss', lambda torch, F, x: F.mse_loss(x, _x(torch, _N, _C, seed=7, grad=False)))
loss_case('mse_loss', lambda torch, F, x: F.mse_loss(x, _x(torch, _N, _C, seed=7, grad=False), reduction='none'),
          name='none')
check('F.mse_loss', lambda torch: _fb(torch, torch.nn.functional.mse_loss, _x(torch, 3, 2), _x(torch, 3, 2, seed=1)),
      name='target_grad')
check('F.mse_loss', lambda torch: torch.nn.functional.mse_loss(torch.ones(3, 4), torch.ones(5)), name='broadcast_error')
loss_case('l1_loss', lambda torch, F, x: F.l1_loss(x, _x(torch, _N, _C, seed=7, grad=False)))
loss_case('smooth_l1_loss', lambda torch, F, x: F.smooth_l1_loss(x, _x(torch, _N, _C, seed=7, grad=False), beta=0.5))
loss_case('huber_loss', lambda torch, F, x: F.huber_loss(x, _x(torch, _N, _C, seed=7, grad=False), delta=0.7))
loss_case('binary_cross_entropy', lambda torch, F, x: F.binary_cross_entropy(
    x.sigmoid(), torch.tensor(np.random.RandomState(1).rand(_N, _C).astype('float32'))))
loss_case('binary_cross_entropy', lambda torch, F, x: F.binary_cross_entropy(
    x.sigmoid(), torch.tensor(np.random.RandomState(1).rand(_N, _C).astype('float32')), weight=torch.arange(4.),
    reduction='sum'), name='weight_sum')
check('F.binary_cross_entropy', lambda torch: torch.nn.functional.binary_cross_entropy(torch.ones(2, 2) * 2,
                                                                                       torch.ones(2, 2)),
      name='out_of_range')
check('F.binary_cross_entropy', lambda torch: torch.nn.functional.binary_cross_entropy(torch.ones(2, 2) / 2,
                                                                                       torch.ones(2)),
      name='size_mismatch')
check('F.binary_cross_entropy', lambda torch: torch.nn.functional.binary_cross_entropy(
    torch.tensor([0., 1.]), torch.tensor([1., 0.])), name='clamped_log')
loss_case('binary_cross_entropy_with_logits', lambda torch, F, x: F.binary_cross_entropy_with_logits(
    x * 10, torch.tensor(np.random.RandomState(1).rand(_N, _C).astype('float32'))))
loss_case('binary_cross_entropy_with_logits', lambda torch, F, x: F.binary_cross_entropy_with_logits(
    x, torch.tensor(np.random.RandomState(1).rand(_N, _C).astype('float32')), pos_weight=torch.tensor([1., 2., 3., .5]),
    weight=torch.tensor([.5, 1., 1., 2.]), reduction='none'), name='pos_weight')
check('F.binary_cross_entropy_with_logits', lambda torch: torch.nn.functional.binary_cross_entropy_with_logits(
    torch.ones(2, 2), torch.ones(2)), name='size_mismatch')
loss_case('kl_div', lambda torch, F, x: F.kl_div(x.log_softmax(1), _x(torch, _N, _C, seed=2, grad=False).softmax(1),
                                                 reduction='batchmean'))
loss_case('kl_div', lambda torch, F, x: F.kl_div(x, _x(torch, _N, _C, seed=2, grad=False), reduction='sum',
                                                 log_target=True), name='log_target')
loss_case('soft_margin_loss', lambda torch, F, x: F.soft_margin_loss(x, torch.ones(_N, _C) - 2 * (x.detach() > 0)))
loss_case('multilabel_soft_margin_loss', lambda torch, F, x: F.multilabel_soft_margin_loss(
    x, (x.detach() > 0).float()))
loss_case('hinge_embedding_loss', lambda torch, F, x: F.hinge_embedding_loss(x, torch.ones(_N, _C) - 2 * (x.detach() > 0)))
loss_case('multi_margin_loss', lambda torch, F, x: F.multi_margin_loss(x, _tgt(torch)))
loss_case('multi_margin_loss', lambda torch, F, x: F.multi_margin_loss(x, _tgt(torch), p=2, margin=0.5,
                                                                       weight=torch.tensor([1., 2., 3., 4.])),
          name='p2_weight')
loss_case('multilabel_margin_loss', lambda torch, F, x: F.multilabel_margin_loss(
    x, torch.tensor([[3, 0, -1, 1], [0, 1, 2, 3], [1, -1, 0, 0], [-1, 1, 1, 1], [2, 2, -1, 0]])))
loss_case('poisson_nll_loss', lambda torch, F, x: F.poisson_nll_loss(x, _x(torch, _N, _C, seed=4, grad=False).abs()))
loss_case('poisson_nll_loss', lambda torch, F, x: F.poisson_nll_loss(x.abs(), _x(torch, _N, _C, seed=4, grad=False).abs() * 3,
                                                                     log_input=False, full=True), name='full')
loss_case('gaussian_nll_loss', lambda torch, F, x: F.gaussian_nll_loss(x, torch.zeros(_N, _C), torch.ones(_N, _C) * 0.5))
check('F.margin_ranking_loss', lambda torch: _fb(torch, lambda a, b: torch.nn.functional.margin_ranking_loss(
    a, b, torch.tensor([1., -1., 1., -1.]), margin=0.2), _x(torch, 4), _x(torch, 4, seed=1)))
check('F.cosine_embedding_loss', lambda torch: _fb(torch, lambda a, b: torch.nn.functional.cosine_embedding_loss(
    a, b, torch.tensor([1., -1., 1., -1.]), margin=0.1), _x(torch, 4, 3), _x(torch, 4, 3, seed=1)))
check('F.triplet_margin_loss', lambda torch: _fb(torch, torch.nn.functional.triplet_margin_loss, _x(torch, 4, 3),
                                                 _x(torch, 4, 3, seed=1), _x(torch, 4, 3, seed=2)))
check('F.triplet_margin_loss', lambda torch: _fb(torch, lambda a, p, n: torch.nn.functional.triplet_margin_loss(
    a, p, n, swap=True, p=1), _x(torch, 4, 3), _x(torch, 4, 3, seed=1), _x(torch, 4, 3, seed=2)), name='swap_p1')
check('F.mse_loss', lambda torch: torch.nn.functional.mse_loss(torch.ones(2), torch.zeros(2), size_average=False),
      name='legacy_size_average')


@case('F.cross_entropy', name='double_backward')
def ce_double_backward(torch):
    x = _x(torch, 3, 4)
    loss = torch.nn.functional.cross_entropy(x, torch.tensor([0, 3, 1]))
    g, = torch.autograd.grad(loss, x, create_graph=True)
    (g * g).sum().backward()
    return loss, g, x.grad


@case('F.ctc_loss')
def ctc(torch):
    lp = _x(torch, 6, 2, 4).detach().log_softmax(2).requires_grad_()
    tg = torch.tensor([[1, 2, 2], [3, 1, 0]])
    loss = torch.nn.functional.ctc_loss(lp, tg, [6, 5], [3, 2])
    loss.backward()
    none = torch.nn.functional.ctc_loss(lp.detach(), torch.tensor([1, 2, 2, 3, 1]), [6, 5], [3, 2], reduction='none')
    return loss, lp.grad, none, loss.grad_fn.name()


check('F.ctc_loss', lambda torch: torch.nn.functional.ctc_loss(
    _x(torch, 2, 1, 3, grad=False).log_softmax(2), torch.tensor([[1, 1, 1]]), [2], [3], zero_infinity=True),
    name='zero_infinity')
check('F.linear_cross_entropy', lambda torch: _fb(torch, lambda x, w: torch.nn.functional.linear_cross_entropy(
    x, w, torch.tensor([0, 2, 1])), _x(torch, 3, 4), _x(torch, 3, 4, seed=1)))


def _double(torch, f, *inputs):
    """Gradient with create_graph, then the gradient of its squared norm (double backward)."""
    out = f(*inputs)
    gs = torch.autograd.grad(out.sum(), inputs, create_graph=True)
    sum((g * g).sum() for g in gs).backward()
    return out, gs, tuple(x.grad for x in inputs)


for _name, _fn in (('gelu', lambda F, x: F.gelu(x)), ('gelu_tanh', lambda F, x: F.gelu(x, approximate='tanh')),
                   ('silu', lambda F, x: F.silu(x)), ('elu', lambda F, x: F.elu(x)),
                   ('softplus', lambda F, x: F.softplus(x)), ('mish', lambda F, x: F.mish(x)),
                   ('logsigmoid', lambda F, x: F.logsigmoid(x)), ('softmax', lambda F, x: F.softmax(x, 1) ** 2),
                   ('log_softmax', lambda F, x: F.log_softmax(x, 1) ** 2), ('leaky_relu', lambda F, x: F.leaky_relu(x) ** 2)):
    check(f'F.{_name}', (lambda fn: lambda torch: _double(torch, lambda x: fn(torch.nn.functional, x),
                                                          _x(torch, 3, 4)))(_fn), name='double_backward')
check('F.linear', lambda torch: _double(torch, lambda x, w, b: torch.nn.functional.linear(x, w, b).tanh(),
                                        _x(torch, 3, 4), _x(torch, 2, 4, seed=1), _x(torch, 2, seed=2)),
      name='double_backward')
check('F.mse_loss', lambda torch: _double(torch, lambda x: torch.nn.functional.mse_loss(x, torch.ones(3, 4)),
                                          _x(torch, 3, 4)), name='double_backward')
check('F.binary_cross_entropy_with_logits', lambda torch: _double(
    torch, lambda x: torch.nn.functional.binary_cross_entropy_with_logits(x, torch.ones(3, 4) * 0.3), _x(torch, 3, 4)),
    name='double_backward')


check('torch.kl_div', lambda torch: torch.kl_div(_x(torch, 3, 4).log_softmax(1), _x(torch, 3, 4, seed=1).softmax(1)))
check('torch.margin_ranking_loss', lambda torch: torch.margin_ranking_loss(_x(torch, 4), _x(torch, 4, seed=1),
                                                                           torch.tensor([1., -1., 1., 1.]), 0.1, 2))
check('torch.triplet_margin_loss', lambda torch: torch.triplet_margin_loss(_x(torch, 4, 3), _x(torch, 4, 3, seed=1),
                                                                           _x(torch, 4, 3, seed=2), reduction=0))
check('torch.hinge_embedding_loss', lambda torch: torch.hinge_embedding_loss(_x(torch, 4), torch.tensor([1., -1., 1., -1.])))
check('torch.native_dropout', lambda torch: torch.native_dropout(_x(torch, 4, 5), 0.4, True), exact=True)
check('torch.native_dropout', lambda torch: torch.native_dropout(_x(torch, 4, 5), 0.4, False), name='eval')
check('F.gumbel_softmax', lambda torch: torch.nn.functional.gumbel_softmax(_x(torch, 3, 5), tau=0.5))
check('F.gumbel_softmax', lambda torch: _fb(torch, lambda x: torch.nn.functional.gumbel_softmax(x, hard=True),
                                            _x(torch, 3, 5)), name='hard')
check('torch.relu_', lambda torch: (lambda x: (torch.relu_(x), x))(torch.tensor([-1., 2.])))
check('F.selu_', lambda torch: (lambda x: (torch.nn.functional.selu_(x), x))(torch.tensor([-1., 2.])))


@case('torch.conv2d')
def torch_level_nn_aliases(torch):
    x = torch.arange(2 * 3 * 6 * 6, dtype=torch.float32).view(2, 3, 6, 6).sin()
    w = torch.ones(4, 3, 3, 3) / 10
    return (torch.conv2d(x, w, None, 1, 1), torch.max_pool2d(x, 2), torch.max_pool1d(x[0], 2, 2),
            torch.layer_norm(x, [6]), torch.group_norm(x, 3), torch.pixel_shuffle(torch.ones(1, 4, 2, 2), 2),
            torch.batch_norm(x, None, None, None, None, True, 0.1, 1e-5, False),
            torch.adaptive_max_pool1d(x[0], 3), torch.avg_pool1d(x[0], 2))


# dtypes and ranks the losses, linear, embedding and outer refuse (torch's errors, not NumPy's)
_REFUSED = {
    'mse_loss_long_float': lambda t: t.nn.functional.mse_loss(t.ones(3, dtype=t.long), t.ones(3)),
    'mse_loss_long': lambda t: t.nn.functional.mse_loss(t.ones(3, dtype=t.long), t.ones(3, dtype=t.long)),
    'mse_loss_bool': lambda t: t.nn.functional.mse_loss(t.ones(3, dtype=t.bool), t.ones(3, dtype=t.bool)),
    'smooth_l1_loss_long_float': lambda t: t.nn.functional.smooth_l1_loss(t.arange(3), t.ones(3) * 0.2),
    'huber_loss_long_float': lambda t: t.nn.functional.huber_loss(t.arange(3), t.ones(3) * 0.2),
    'huber_loss_long': lambda t: t.nn.functional.huber_loss(t.arange(3), t.arange(3)),
    'linear_0d': lambda t: t.nn.functional.linear(t.ones(()), t.ones(2, 3)),
    'linear_0d_0d': lambda t: t.nn.functional.linear(t.ones(()), t.ones(())),
    'embedding_1d_weight': lambda t: t.nn.functional.embedding(t.ones(3, dtype=t.long), t.ones(3)),
    'outer_0d': lambda t: t.outer(t.ones(()), t.ones(3)),
    'outer_0d_vec2': lambda t: t.outer(t.ones(3), t.ones(())),
}
for _name, _f in _REFUSED.items():
    _api = next(a for a in ('outer', 'mse_loss', 'smooth_l1_loss', 'huber_loss', 'linear', 'embedding')
                if _name.startswith(a))
    check('torch.outer' if _api == 'outer' else 'F.' + _api, _f, name=f'refused_{_name}')

_COS = {
    '0d_dim1': lambda t: t.nn.functional.cosine_similarity(t.ones(()), t.ones(3)),
    'long': lambda t: t.nn.functional.cosine_similarity(t.ones(2, 3, dtype=t.long), t.ones(2, 3, dtype=t.long)),
    'long_0d': lambda t: t.nn.functional.cosine_similarity(t.ones((), dtype=t.long), t.ones((), dtype=t.long)),
    'shapes': lambda t: t.nn.functional.cosine_similarity(t.ones(3), t.ones(3, 2)),
    'broadcasts': lambda t: t.nn.functional.cosine_similarity(t.ones(3), t.ones(2, 3)),
}
for _name, _f in _COS.items():
    check('F.cosine_similarity', _f, name=f'refused_{_name}')
check('torch.index_select', lambda t: t.index_select(t.ones(()), 0, t.zeros(3, dtype=t.long)), name='refused_0d_three')
check('torch.index_select', lambda t: t.index_select(t.ones(()), 0, t.zeros(0, dtype=t.long)), name='refused_0d_none')
