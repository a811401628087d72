"""The nn ops torch also exposes at top level (torch.conv2d, torch.layer_norm ...), with torch's
top-level signatures where they differ from nn.functional's."""
from .._ops._core import register
from . import functional as F

for _name in ('conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d',
              'avg_pool1d', 'pixel_shuffle', 'pixel_unshuffle', 'adaptive_avg_pool1d'):
    register(getattr(F, _name), name=_name, method=False)


def _pool(f):
    def pool(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
        return f(input, kernel_size, stride if stride != () and stride != [] else None, padding, dilation,
                 ceil_mode=ceil_mode)
    pool.__name__ = f.__name__
    return pool


for _name in ('max_pool1d', 'max_pool2d', 'max_pool3d'):
    register(_pool(getattr(F, _name)), name=_name, method=False)


def adaptive_max_pool1d(input, output_size):
    return F.adaptive_max_pool1d(input, output_size, return_indices=True)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled):
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    return F.group_norm(input, num_groups, weight, bias, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps,
                  cudnn_enabled):
    return F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """aten::convolution: conv{1,2,3}d or conv_transpose{1,2,3}d by the input's rank."""
    nd = input.dim() - 2
    if nd not in (1, 2, 3):
        raise RuntimeError(f'Expected 3D, 4D or 5D input to convolution, but got {input.dim()}D input')
    if transposed:
        return getattr(F, f'conv_transpose{nd}d')(input, weight, bias, stride, padding, output_padding, groups,
                                                  dilation)
    return getattr(F, f'conv{nd}d')(input, weight, bias, stride, padding, dilation, groups)


for _f in (adaptive_max_pool1d, layer_norm, batch_norm, group_norm, instance_norm, convolution):
    register(_f, method=False)


# --- embedding_bag / embedding_renorm_: torch's aten forms -------------------------------------------------------
_BAG_MODES = ('sum', 'mean', 'max')


def embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False, per_sample_weights=None,
                  include_last_offset=False, padding_idx=None):
    """F.embedding_bag's output and the kernel's bookkeeping beside it: each index's bag (empty where torch's
    fast sum kernel skips it), each bag's size and, for max, the row that won each column (the sum mode gives
    zeros, the mean mode its bag sizes again)."""
    from .. import _xnp as np
    from .. import _dtype as D
    from .._tensor import _make
    out = F.embedding_bag(indices, weight, offsets, None, 2, scale_grad_by_freq, _BAG_MODES[mode], sparse,
                          per_sample_weights, include_last_offset, padding_idx)
    idx, offs, w = indices._data, offsets._data.astype(np.int64), weight._data
    n_off = offs.shape[0]
    if include_last_offset:
        offs = offs[:-1]
    nbags = offs.shape[0]
    pad = -1 if padding_idx is None else padding_idx % weight.shape[0]
    itype = D.int32 if indices.dtype is D.int32 and offsets.dtype is D.int32 else D.int64
    bag_of = np.cumsum(np.bincount(offs, minlength=idx.shape[0] + 1)[:idx.shape[0]]) - 1
    fast = weight.dtype in (D.float32, D.float16, D.bfloat16) and pad < 0 and w.strides[1] == w.itemsize

    def t(a):
        return _make(np.ascontiguousarray(a).astype(itype._np), itype, weight._device)
    offset2bag = bag_of[:0] if mode == 0 and fast else bag_of
    if mode == 0:       # torch's forward-only kernel sizes these by the offsets, the other by the bags
        from ..autograd import is_grad_enabled
        grad = is_grad_enabled() and any(x is not None and x.requires_grad for x in (weight, per_sample_weights))
        zeros = np.zeros(nbags if grad else n_off, np.int64, like=offs)
        return out, t(offset2bag), t(zeros), t(zeros)
    keep = (idx != pad) & (bag_of >= 0)
    bag_size = np.bincount(bag_of[keep], minlength=nbags)[:nbags]
    if mode == 1:
        return out, t(offset2bag), t(bag_size), t(bag_size)
    # max: the first kept position holding each bag's maximum, per column, named by its row
    pos = np.arange(idx.shape[0], like=idx)[keep]
    hit = w[idx[keep]] == out._data[bag_of[keep]]
    first = np.full((nbags, w.shape[1]), idx.shape[0], np.int64, like=idx)
    cols = np.broadcast_to(np.arange(w.shape[1], like=idx), hit.shape)
    rows_pos = np.broadcast_to(pos[:, None], hit.shape)
    np.ufunc_at(np.minimum, first, (np.broadcast_to(bag_of[keep][:, None], hit.shape)[hit], cols[hit]),
                rows_pos[hit])
    max_indices = np.where(first < idx.shape[0], np.append(idx, 0)[np.minimum(first, idx.shape[0])], 0)
    return out, t(offset2bag), t(bag_size), t(max_indices)


def embedding_renorm_(input, indices, max_norm, norm_type):
    F._embedding_renorm(input, indices, max_norm, norm_type)
    return input


register(embedding_bag, method=False)
register(embedding_renorm_, method=False)


# --- the fused RNN ops (_VF.lstm & co): the input form and the packed form -------------------------------------
def _fused_rnn(mode):
    lstm = mode == 'LSTM'

    def f(input, *args):
        """(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first), or the packed
        (data, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional)."""
        from .modules.rnn import _groups, _vf, _transpose_
        from .._tensor import Tensor
        packed = isinstance(args[0], Tensor) and (lstm or isinstance(args[1], Tensor))
        if packed:
            batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional = args
            batch_first = False
        else:
            hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first = args
            batch_sizes = None
        if lstm and len(hx) != 2:
            raise RuntimeError("lstm expects two hidden states")
        h0, c0 = hx if lstm else (hx, None)
        weights = _groups(params, has_biases, num_layers, 2 if bidirectional else 1)
        x = input.transpose(0, 1) if batch_first else input
        out, hn, cn = _vf(mode, x, None if batch_sizes is None else batch_sizes._data, h0, c0, weights, num_layers,
                          dropout, train, bidirectional)
        # torch's fused RNN/GRU kernels hand back a transpose_ (TransposeBackward1); LSTM's a transpose
        if batch_first:
            out = out.transpose(0, 1) if lstm else _transpose_(out)
        return (out, hn, cn) if lstm else (out, hn)
    f.__name__ = f.__qualname__ = mode.lower()
    return f


def _cell_checks(input, hx, w_ih, w_hh):
    """torch's checks of the fused cells' arguments (sizes read off the weights)."""
    if input.size(1) != w_ih.size(1):
        raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected {w_ih.size(1)}")
    for i, h in enumerate(hx):
        if input.size(0) != h.size(0):
            raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{i} batch size {h.size(0)}")
        if h.size(1) != w_hh.size(1):
            raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {h.size(1)}, expected {w_hh.size(1)}")


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    from .modules.rnn import _cell
    if len(hx) != 2:
        raise RuntimeError("lstm_cell expects two hidden states")
    _cell_checks(input, hx, w_ih, w_hh)
    return _cell('LSTM', F.linear(input, w_ih, b_ih), hx[0], hx[1], w_hh, b_hh)


def _fused_cell(mode):
    def f(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
        from .modules.rnn import _cell
        _cell_checks(input, (hx,), w_ih, w_hh)
        return _cell(mode, F.linear(input, w_ih, b_ih), hx, None, w_hh, b_hh)[0]
    f.__name__ = f.__qualname__ = mode.lower() + '_cell'
    return f


for _mode in ('LSTM', 'GRU', 'RNN_TANH', 'RNN_RELU'):
    register(_fused_rnn(_mode), method=False)
for _mode in ('GRU', 'RNN_TANH', 'RNN_RELU'):
    register(_fused_cell(_mode), method=False)
register(lstm_cell, method=False)
