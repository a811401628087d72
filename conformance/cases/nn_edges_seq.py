"""Sequence layers at their edges: recurrent layers and cells, nn.utils.rnn, attention, transformers
and embeddings. One case per rule that the sequence-layer fuzzing found faketorch getting wrong."""
import warnings

import numpy as np

from conformance import case as _case, outcomes


def case(api):
    """Cases named after this file, so `--filter nn_edges_seq` selects them."""
    return lambda fn: _case(api, name='nn_edges_seq_' + fn.__name__)(fn)


def _x(torch, *shape, seed=0, dtype='float32', device=None):
    return torch.tensor(np.random.RandomState(seed).randn(*shape).astype(dtype), device=device)


def _seqs(torch, *lengths, f=2):
    return [_x(torch, n, f, seed=i) for i, n in enumerate(lengths)]


def _m(torch, cls, *args, **kw):
    """A module with parameters drawn from NumPy: the same on every device's random stream."""
    m = getattr(torch.nn, cls)(*args, **kw)
    with torch.no_grad():
        for i, p in enumerate(m.parameters()):
            p.copy_(_x(torch, *p.shape, seed=10 + i) * 0.4)
    return m


def _pack(torch, seqs, enforce_sorted=True):
    """pack_sequence with CPU lengths (torch's own puts them on the default device)."""
    rnn = torch.nn.utils.rnn
    lengths = torch.tensor([len(s) for s in seqs], device='cpu')
    return rnn.pack_padded_sequence(rnn.pad_sequence(seqs), lengths, enforce_sorted=enforce_sorted)


# --- recurrent layers and cells ---

@case('nn.RNN')
def hidden_dtype_mismatch_is_addmm_error(torch):
    # the hidden-to-hidden projection is torch's linear: addmm with a bias, mm without
    out = []
    for cls in ('RNN', 'GRU', 'RNNCell', 'GRUCell', 'LSTMCell'):
        for bias in (True, False):
            m = _m(torch, cls, 3, 4, bias=bias)
            cell = cls.endswith('Cell')
            x = _x(torch, 2, 3) if cell else _x(torch, 5, 2, 3)
            h = _x(torch, *((2, 4) if cell else (1, 2, 4)), dtype='float64')
            out += outcomes(lambda: m(x, (h, h) if cls == 'LSTMCell' else h), lambda: m(x.long()))
    return out


@case('nn.LSTM')
def hidden_dtype_mismatch_onednn(torch):
    # torch's CPU LSTM hands a float32 input to oneDNN, whose kernel rejects other hidden dtypes
    m, x = _m(torch, 'LSTM', 3, 4, device='cpu'), _x(torch, 5, 2, 3, device='cpu')
    h = _x(torch, 1, 2, 4, device='cpu')
    return outcomes(lambda: m(x, (h.double(), h)), lambda: m(x, (h, h.half())),
                    lambda: m(x[:, 0], (h[:, 0].double(), h[:, 0])),
                    lambda: m.double()(x.double(), (h.double(), h))[1][1].dtype)


@case('nn.LSTM')
def hidden_state_count(torch):
    m, c = _m(torch, 'LSTM', 3, 4), _m(torch, 'LSTMCell', 3, 4)
    x, h = _x(torch, 5, 2, 3), _x(torch, 1, 2, 4)
    return outcomes(lambda: m(x, (h, h, h)), lambda: m(x, [h, h])[0].shape,
                    lambda: c(x[0], (h[0],)), lambda: c(x[0], (h[0],) * 3), lambda: c(x[0], h[0]),
                    lambda: c(x[0, 0], h[0]))


@case('nn.LSTM')
def onednn_output_node(torch):
    # a float32 batched, time-major, one-direction CPU LSTM's output comes from oneDNN's layer node
    out = []
    for kw, shape in (({}, (5, 2, 3)), (dict(num_layers=2), (5, 2, 3)), (dict(bidirectional=True), (5, 2, 3)),
                      (dict(batch_first=True), (2, 5, 3)), ({}, (5, 3)), (dict(proj_size=2), (5, 2, 3))):
        m = _m(torch, 'LSTM', 3, 4, device='cpu', **kw)
        x = _x(torch, *shape, device='cpu').requires_grad_()
        o, (h, c) = m(x)
        out.append(_grads(torch, o, x) + (h.grad_fn.name(), c.grad_fn.name()))
    return out


@case('nn.GRU')
def zero_length_sequence(torch):
    out = []
    for cls in ('RNN', 'LSTM', 'GRU'):
        m, mb = _m(torch, cls, 3, 4), _m(torch, cls, 3, 4, batch_first=True)
        out += outcomes(lambda: m(_x(torch, 0, 2, 3)), lambda: m(_x(torch, 0, 3)),
                        lambda: mb(_x(torch, 2, 0, 3)), lambda: m(_x(torch, 5, 0, 3))[0].shape)
    return out


@case('nn.LSTM')
def onednn_layer_gradients(torch):
    # a float32 CPU LSTM runs each layer and direction as one node (oneDNN's; faketorch's fused layer):
    # its gradients for every input, with the loss on any of output, h_n and c_n, and under create_graph
    out = []
    for kw, used in ((dict(num_layers=2, bidirectional=True), 'ohc'), (dict(bias=False), 'c'),
                     (dict(num_layers=2), 'h'), (dict(batch_first=True), 'o')):
        m = _m(torch, 'LSTM', 3, 4, **kw)
        nd = 2 if kw.get('bidirectional') else 1
        x = _x(torch, *((2, 5, 3) if kw.get('batch_first') else (5, 2, 3))).requires_grad_()
        hx = tuple(_x(torch, kw.get('num_layers', 1) * nd, 2, 4, seed=s).requires_grad_() for s in (1, 2))
        o, (h, c) = m(x, hx)
        loss = sum((t * _x(torch, *t.shape, seed=3 + i)).sum() for i, t in enumerate((o, h, c)) if 'ohc'[i] in used)
        loss.backward()
        out.append((o, h, c, x.grad, hx[0].grad, hx[1].grad) + tuple(p.grad for p in m.parameters()))
    m = _m(torch, 'LSTM', 3, 4)
    x = _x(torch, 5, 2, 3).requires_grad_()
    g, = torch.autograd.grad(m(x)[0].pow(2).sum(), x, create_graph=True)
    g.pow(2).sum().backward()
    with torch.no_grad():
        y = m(x)
    out.append((g.detach(), x.grad, m.weight_hh_l0.grad, y, y[0].requires_grad))     # (g.grad_fn: torch CatBackward0)
    return out


@case('nn.LSTM')
def onednn_layer_outputs_in_place(torch):
    # h_n is not a view of the output; the layer saves its output (writing it fails the backward), not c_n
    m = _m(torch, 'LSTM', 3, 4)
    x = _x(torch, 5, 2, 3).requires_grad_()
    o, (h, c) = m(x)
    h.add_(1)
    out = [o[-1], h]
    o, (h, c) = m(x)
    o.mul_(2)
    out.append(outcomes(lambda: (o.sum() + h.sum()).backward()))
    o, (h, c) = m(x)
    c.mul_(2)
    (o.sum() + c.sum()).backward()
    return out + [x.grad]


@case('torch.nn.functional.scaled_dot_product_attention')
def no_grad_masks_and_scales(torch):
    # without a graph: causal, a float mask with a dead row, a bool mask, a negative scale
    F = torch.nn.functional
    q, k, v = (_x(torch, 2, 3, 6, 4, seed=s) for s in range(3))
    fm = _x(torch, 6, 6, seed=4)
    fm[2] = -float('inf')
    bm = _x(torch, 6, 6, seed=5) > 0
    bm[:, 0] = True
    with torch.no_grad():
        return (F.scaled_dot_product_attention(q, k, v, is_causal=True), F.scaled_dot_product_attention(q, k, v, fm),
                F.scaled_dot_product_attention(q, k, v, bm), F.scaled_dot_product_attention(q, k, v, scale=-0.5),
                F.scaled_dot_product_attention(q.double(), k.double(), v.double(), fm.double()))


@case('nn.LSTM')
def packed_input_kernel_errors(torch):
    # for a PackedSequence torch's LSTM (not RNN or GRU) skips its Python checks
    m, g = _m(torch, 'LSTM', 2, 3), _m(torch, 'GRU', 2, 3)
    p = _pack(torch, _seqs(torch, 4, 3, 1))
    h = _x(torch, 1, 3, 3)
    return outcomes(lambda: _m(torch, 'LSTM', 3, 3)(p), lambda: m(p.double()), lambda: g(p.double()),
                    lambda: m(p, (h[0], h)), lambda: m(p, (h, h[0])), lambda: m(p, (h[:, :2], h)),
                    lambda: m(p, (h, h[:, :2])), lambda: g(p, h[:, :2]),
                    lambda: m(_pack(torch, _seqs(torch, 3, 4, 1), False), (h, h))[1][1])


# --- nn.utils.rnn ---

@case('nn.utils.rnn.pack_padded_sequence')
def kernel_check_order(torch):
    pp = torch.nn.utils.rnn.pack_padded_sequence
    x = _x(torch, 4, 3, 2)
    return outcomes(lambda: pp(x, [1, 2, 0]), lambda: pp(x, [2, 0, 1], enforce_sorted=False),
                    lambda: pp(x, [4, 3]), lambda: pp(x, [4, 3, 2, 1]), lambda: pp(x, torch.tensor([[4, 3, 2]], device='cpu')),
                    lambda: pp(x[:, :0], []), lambda: pp(x[:, 0, 0], [4]),
                    lambda: pp(x, torch.tensor([4., 3., 1.5], device='cpu')),
                    lambda: pp(x, torch.tensor([3, 4, 1], dtype=torch.int32, device='cpu'), enforce_sorted=False),
                    lambda: pp(x, [4, 3, 1], batch_first=True))


@case('nn.utils.rnn.pad_sequence')
def kernel_errors(torch):
    ps = torch.nn.utils.rnn.pad_sequence
    return outcomes(lambda: ps([]), lambda: ps(_seqs(torch, 3, 2), padding_side='middle'),
                    lambda: ps([torch.tensor(1.), torch.tensor(2.)]),
                    lambda: ps([_x(torch, 3, 2), _x(torch, 2, 3)]),
                    lambda: ps([_x(torch, 3, 2), _x(torch, 2, 2, dtype='float64')], True, -1.0, 'left'))


@case('nn.utils.rnn.pad_sequence')
def padding_value_conversion(torch):
    # the padded tensor starts as torch.full(..., padding_value): its conversion rules and overflow error
    rnn = torch.nn.utils.rnn
    ints = [torch.arange(3), torch.arange(2)]
    return outcomes(lambda: rnn.pad_sequence(ints, padding_value=float('inf')),
                    lambda: rnn.pad_sequence(ints, padding_value=-1.7),
                    lambda: rnn.pad_sequence([t.to(torch.uint8) for t in ints], padding_value=300),
                    lambda: rnn.pad_sequence([torch.tensor([True, False]), torch.tensor([True])], padding_value=2),
                    lambda: rnn.pad_packed_sequence(_pack(torch, ints), padding_value=float('nan')),
                    lambda: rnn.pad_packed_sequence(_pack(torch, ints), padding_value=-2.5))


@case('nn.utils.rnn.pad_packed_sequence')
def total_length_float(torch):
    p = _pack(torch, _seqs(torch, 3, 4, 1), False)
    f = torch.nn.utils.rnn.pad_packed_sequence
    return outcomes(lambda: f(p, total_length=5.0), lambda: f(p, total_length=3.0), lambda: f(p, total_length=6))


@case('nn.utils.rnn.unpad_sequence')
def transposes_in_place_and_masks(torch):
    x = _x(torch, 4, 3, 2).requires_grad_() * 1
    lengths = torch.tensor([4, 2, 3])
    seqs = torch.nn.utils.rnn.unpad_sequence(x, lengths)
    return [(s, s.grad_fn.name()) for s in seqs] + [x.shape] + outcomes(
        lambda: torch.nn.utils.rnn.unpad_sequence(x, [4, 2, 3], batch_first=True),
        lambda: torch.nn.utils.rnn.unpad_sequence(x, torch.tensor([4, 2]), batch_first=True))


# --- attention ---

def _grads(torch, out, *leaves):
    w = torch.tensor(np.cos(np.arange(out.numel()) * 1.3).reshape(tuple(out.shape)).astype('float32'),
                     device=out.device)
    (out * w.to(out.dtype)).sum().backward()
    return (out, out.grad_fn.name()) + tuple(t.grad for t in leaves)


def _warned(fn):
    """fn's result and the messages it warned (kept as text: the runner compares values)."""
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter('always')
        out = fn()
    return out, [str(w.message) for w in ws]


def _mha(torch, **kw):
    return _m(torch, 'MultiheadAttention', 8, 2, **kw)


@case('nn.MultiheadAttention')
def input_dims(torch):
    m = _mha(torch)
    q, k = _x(torch, 3, 2, 8), _x(torch, 4, 2, 8, seed=1)
    b = torch.zeros(2, 4, dtype=torch.bool)
    return outcomes(lambda: m(q[0, 0], k[0, 0], k[0, 0]), lambda: m(q[None], k[None], k[None]),
                    lambda: m(q[:, 0], k, k), lambda: m(q, k, k, key_padding_mask=b[0]),
                    lambda: m(q[:, 0], k[:, 0], k[:, 0], key_padding_mask=b),
                    lambda: m(q, k, k, attn_mask=torch.zeros(1, 4, 3, 4)), lambda: m(q, k, k, attn_mask=torch.zeros(4)),
                    lambda: m(q[:, 0], k[:, 0], k[:, 0], attn_mask=torch.zeros(1, 3, 4)),
                    lambda: m(q[:, 0], k[:, 0], k[:, 0], attn_mask=torch.zeros(2, 3, 4))[1].shape)


@case('nn.MultiheadAttention')
def key_value_shapes(torch):
    m, mkv = _mha(torch), _mha(torch, kdim=4, vdim=6)
    q = _x(torch, 3, 2, 8)
    return outcomes(lambda: m(q, _x(torch, 4, 2, 8), _x(torch, 5, 2, 8)),
                    lambda: mkv(q, _x(torch, 5, 2, 6), _x(torch, 5, 2, 6)),
                    lambda: mkv(q, _x(torch, 5, 2, 4), _x(torch, 4, 2, 6)),
                    lambda: m(q, _x(torch, 4, 2, 8), _x(torch, 4, 2, 8), key_padding_mask=torch.zeros(2, 3)),
                    lambda: m(q, _x(torch, 4, 2, 8), _x(torch, 4, 2, 8), key_padding_mask=torch.zeros(4, 2)))


@case('nn.MultiheadAttention')
def mask_dtypes(torch):
    m = _mha(torch)
    q, k = _x(torch, 3, 2, 8), _x(torch, 4, 2, 8, seed=1)
    return outcomes(lambda: m(q, k, k, key_padding_mask=torch.zeros(2, 4, dtype=torch.long)),
                    lambda: m(q, k, k, attn_mask=torch.zeros(3, 4, dtype=torch.long)),
                    lambda: m(q, k, k, attn_mask=torch.zeros(3, 4, dtype=torch.float64)),
                    lambda: m(q, k, k, attn_mask=torch.zeros(3, 4, dtype=torch.float16)),
                    lambda: _warned(lambda: m(q, k, k, attn_mask=torch.zeros(3, 4, dtype=torch.bool),
                                              key_padding_mask=torch.tensor([[0., 0., -1., 0.]] * 2))),
                    lambda: _warned(lambda: m(q, k, k, need_weights=False, attn_mask=torch.zeros(3, 4),
                                              key_padding_mask=torch.zeros(2, 4, dtype=torch.bool))))


@case('F.softmax')
def row_of_minus_inf_is_silent(torch):
    x = torch.tensor([[-float('inf')] * 3, [0., 1., 2.]])
    return _warned(lambda: (torch.nn.functional.softmax(x, -1), torch.nn.functional.log_softmax(x, -1)))


@case('F.scaled_dot_product_attention')
def input_checks(torch):
    sdpa = torch.nn.functional.scaled_dot_product_attention
    q, k = _x(torch, 2, 2, 3, 4), _x(torch, 2, 2, 5, 4, seed=1)
    return outcomes(lambda: sdpa(q, k.double(), k), lambda: sdpa(q[0, 0, 0], k[0, 0, 0], k[0, 0, 0]),
                    lambda: sdpa(q, k, k, attn_mask=torch.zeros(3, 5, dtype=torch.long)),
                    lambda: sdpa(q, k, k, attn_mask=torch.zeros(3, 5, dtype=torch.float16)),
                    lambda: sdpa(q.double(), k.double(), k.double(), attn_mask=torch.zeros(3, 5)).dtype,
                    lambda: sdpa(q, k, k, dropout_p=-0.5), lambda: sdpa(q, k, k, dropout_p=1.5),
                    lambda: sdpa(q[0], k[0], k[0], dropout_p=1.0))


@case('F.scaled_dot_product_attention')
def fully_masked_rows_are_zero(torch):
    # torch's math path (taken here for 3-d inputs) uses _safe_softmax; its flash path zeroes them too
    sdpa = torch.nn.functional.scaled_dot_product_attention
    out = []
    for shape in ((2, 3, 4), (2, 2, 3, 4)):
        q, k, v = (_x(torch, *shape[:-2], n, 4, seed=i).requires_grad_() for i, n in enumerate((3, 5, 5)))
        mask = torch.tensor([[True] * 5, [False] * 5, [True, False] * 2 + [True]])
        out.append(_grads(torch, sdpa(q, k, v, attn_mask=mask), q, k, v))
    return out


@case('F.scaled_dot_product_attention')
def kernel_choice(torch):
    # the fused CPU kernel takes no mask that requires grad, no empty sequence, GQA only with equal k/v heads
    sdpa = torch.nn.functional.scaled_dot_product_attention
    q, k, v = (_x(torch, 2, 4, n, 4, seed=i).requires_grad_() for i, n in enumerate((3, 5, 5)))
    mask = _x(torch, 3, 5, seed=7).requires_grad_()
    k2, v2 = k[:, :2].detach().requires_grad_(), v[:, :1].detach().requires_grad_()
    return (_grads(torch, sdpa(q, k, v, attn_mask=mask), q, k, v, mask),
            _grads(torch, sdpa(q, k2, k2, enable_gqa=True, scale=-0.3), q, k2),
            _grads(torch, sdpa(q, k2, v2, enable_gqa=True), q, k2, v2),
            sdpa(q, k[:, :, :0], v[:, :, :0]).detach(),
            outcomes(lambda: sdpa(q[:, :3], k2, k2, enable_gqa=True)))


# --- transformers ---

@case('nn.TransformerEncoderLayer')
def masks_canonical_first(torch):
    # the encoder and its layers make their masks float first, under their own names: one warning
    layer = _m(torch, 'TransformerEncoderLayer', 8, 2, 16, 0.0)
    enc = torch.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
    x = _x(torch, 3, 2, 8)
    bool_kpm, float_kpm = torch.tensor([[False, False, True], [False, True, False]]), torch.zeros(2, 3)
    return outcomes(lambda: layer(x, src_key_padding_mask=bool_kpm.long()),
                    lambda: layer(x, src_mask=torch.zeros(3, 3, dtype=torch.long)),
                    lambda: enc(x, mask=torch.zeros(3, 3, dtype=torch.int32)),
                    lambda: _warned(lambda: layer(x, src_mask=torch.zeros(3, 3, dtype=torch.bool),
                                                  src_key_padding_mask=float_kpm)),
                    lambda: _warned(lambda: enc(x, mask=torch.zeros(3, 3), src_key_padding_mask=bool_kpm)))


@case('F.scaled_dot_product_attention')
def kernel_quirks(torch):
    # the fused CPU kernel fills the causal -inf before it scales (a negative scale turns it to +inf),
    # and reads a mask's size(-2); the math path reads size(-3) for GQA
    sdpa = torch.nn.functional.scaled_dot_product_attention
    q, k = _x(torch, 2, 4, 3, 4, dtype='float64'), _x(torch, 2, 4, 5, 4, seed=1, dtype='float64')
    return outcomes(lambda: sdpa(q, k, k, is_causal=True, scale=-0.5), lambda: sdpa(q, k, k, is_causal=True, scale=0.5),
                    lambda: sdpa(q, k, k, attn_mask=_x(torch, 5, dtype='float64')),
                    lambda: sdpa(q[0], k[0], k[0], attn_mask=_x(torch, 5, dtype='float64')),
                    lambda: sdpa(q[0, 0], k[0, 0], k[0, 0], enable_gqa=True))


@case('nn.Transformer.generate_square_subsequent_mask')
def built_with_full(torch):
    g = torch.nn.Transformer.generate_square_subsequent_mask
    return outcomes(lambda: g(-1), lambda: g(2.0), lambda: g(0), lambda: g(3, dtype=torch.float64),
                    lambda: g(2, dtype=torch.long))


# --- embeddings ---

@case('nn.EmbeddingBag')
def scale_grad_by_freq_cpu_counts(torch):
    # torch's CPU backward scales the k-th distinct index by the count of the k-th sorted index
    out = []
    for mode, x, offsets in (('sum', [1, 2, 0, 4, 2, 5, 2], [0, 3, 5]), ('mean', [1, 2, 0, 4, 2, 5, 2], [0, 3, 5]),
                             ('sum', [[1, 2, 0], [4, 2, 5]], None)):
        m = _m(torch, 'EmbeddingBag', 6, 3, mode=mode, scale_grad_by_freq=True, padding_idx=0, device='cpu')
        x = torch.tensor(x, device='cpu')
        r = m(x, None if offsets is None else torch.tensor(offsets, device='cpu'))
        out.append(_grads(torch, r) + (m.weight.grad,))
    return out
