"""Recurrent layers: RNN, LSTM, GRU (multi-layer, bidirectional, packed) and their cells.

Written with faketorch ops, so autograd (double backward included) comes for free. The input
projection of a whole sequence is one matmul; only the hidden-to-hidden step loops over time.
Gate order and parameter names are torch's: LSTM (i, f, g, o), GRU (r, z, n).
"""
import math
import numbers
import warnings

import numpy as np

import faketorch
from .module import Module
from ..parameter import Parameter
from .. import init
from ..._tensor import Tensor

__all__ = ['RNNBase', 'RNN', 'LSTM', 'GRU', 'RNNCellBase', 'RNNCell', 'LSTMCell', 'GRUCell']

_GATES = {'LSTM': 4, 'GRU': 3, 'RNN_TANH': 1, 'RNN_RELU': 1}


def _linear(x, w, b):
    from .. import functional as F      # nn.functional imports nn.modules
    return F.linear(x, w, b)


# torch's CPU LSTM takes oneDNN's kernel for a non-empty float32 input without projections; that
# kernel, not a matmul, is what rejects hidden states of another dtype
_ONEDNN_HX_ERRORS = {
    'float64': "get_mkldnn_dtype: unsupported data type",
    'float16': "could not create a primitive descriptor for the LSTM forward propagation primitive. Run "
               "workload with environment variable ONEDNN_VERBOSE=all to get additional diagnostic "
               "information.",
}
_ONEDNN_HX_ERRORS['bfloat16'] = _ONEDNN_HX_ERRORS['float16']


def _cell(mode, gi, h, c, w_hh, b_hh, w_hr=None):
    """One time step given the input projection gi = x W_ih^T + b_ih; returns (h, c)."""
    gh = _linear(h, w_hh, b_hh)
    if mode == 'LSTM':
        i, f, g, o = (gh + gi).chunk(4, 1)
        c = f.sigmoid() * c + i.sigmoid() * g.tanh()
        h = o.sigmoid() * c.tanh()
        if w_hr is not None:
            h = h.matmul(w_hr.t())
        return h, c
    if mode == 'GRU':
        ir, iz, inn = gi.chunk(3, 1)
        hr, hz, hn = gh.chunk(3, 1)
        r = (ir + hr).sigmoid()
        z = (iz + hz).sigmoid()
        n = (inn + r * hn).tanh()
        return (1 - z) * n + z * h, None
    pre = gi + gh
    return (pre.tanh() if mode == 'RNN_TANH' else pre.relu()), None


def _lstm_layer(gi, h0, c0, w_hh, b_hh, reverse):
    """One direction of one float32 LSTM layer over a time-major sequence as one node, as torch's oneDNN
    kernel records it (MkldnnRnnLayerBackward0); gi = x W_ih^T + b_ih, (T, B, 4H), comes from its own
    linear. The forward runs the kernels _cell's ops run, in their order (the same bits), without a
    node per op; the backward runs the recurrence on arrays, W_hh's gradient as one GEMM over the whole
    sequence (torch's oneDNN kernel does the same), and falls back to _cell's ops under create_graph.
    Returns output (T, B, H), h_n, c_n."""
    from ..._tensor import _make
    from ..._ops._core import attach
    from ..._ops.pointwise import _sigmoid_fwd as sigmoid, _tanh_fwd as tanh
    G, W, h, c = gi._data, w_hh._data, h0._data, c0._data
    bias = b_hh._data if b_hh is not None else None
    T, H = G.shape[0], W.shape[1]
    Wt = W.T
    out = np.empty((T,) + h.shape, G.dtype)
    record = faketorch.is_grad_enabled() and any(
        t is not None and t._requires_grad for t in (gi, h0, c0, w_hh, b_hh))
    order = range(T - 1, -1, -1) if reverse else range(T)
    acts, cs, tcs = [None] * T, [None] * T, [None] * T
    for t in order:
        gh = h @ Wt             # linear's addmm: the product, then the bias added in place
        if bias is not None:
            gh += bias
        pre = gh + G[t]
        i, f, g, o = (sigmoid(pre[:, :H]), sigmoid(pre[:, H:2 * H]), tanh(pre[:, 2 * H:3 * H]),
                      sigmoid(pre[:, 3 * H:]))
        c = f * c + i * g
        tc = tanh(c)
        h = np.multiply(o, tc, out=out[t])
        if record:
            acts[t], cs[t], tcs[t] = (i, f, g, o), c, tc
    dev = gi._device
    # h_n its own copy (h is a row of the output); the output saved as a tensor, so that writing it in
    # place fails the backward as torch's does
    r = _make(out, gi.dtype, dev), _make(h.copy(), gi.dtype, dev), _make(c, gi.dtype, dev)
    if record:
        attach('MkldnnRnnLayerBackward0', _lstm_layer_bwd, (gi, w_hh, b_hh, h0, c0), r,
               save=(gi, w_hh, b_hh, h0, c0, r[0]), args=(reverse, acts, cs, tcs))
    return r


def _lstm_layer_bwd(node, g_out, g_h, g_c):
    from ..._tensor import _make
    from ..._ops._core import needs, grad_state
    from ..._ops.pointwise import _tanh_grad_factor
    gi, w_hh, b_hh, h0, c0, output = node.saved_tensors
    reverse, acts, cs, tcs = node._args
    out = output._data
    if grad_state.enabled:      # create_graph: the gradients as ops, for a gradient of them
        return _lstm_layer_graph(node, (gi, w_hh, b_hh, h0, c0), reverse, (g_out, g_h, g_c))
    W = w_hh._data
    T, H = out.shape[0], W.shape[1]
    dG = np.empty(gi._data.shape, gi._data.dtype)
    zero = np.zeros_like(out[0])
    dh = g_h._data if g_h is not None else zero
    dc = g_c._data if g_c is not None else zero
    go = g_out._data if g_out is not None else None
    one = dG.dtype.type(1)
    # tanh_backward's factor 1 - y*y for every step's tanh(c) and g gate, each in one call
    dtc = _tanh_grad_factor(np.stack(tcs))
    dg = _tanh_grad_factor(np.stack([a[2] for a in acts]))
    order = range(T) if reverse else range(T - 1, -1, -1)
    for t in order:
        i, f, g, o = acts[t]
        if go is not None:
            dh = dh + go[t]
        dc = (dh * o) * dtc[t] + dc
        c_prev = cs[t + 1 if reverse else t - 1] if t != (T - 1 if reverse else 0) else c0._data
        d = dG[t]
        # each gate's activation backward (torch's sigmoid_backward: (g * (1 - y)) * y), into its chunk
        np.multiply((dc * c_prev) * (one - f), f, out=d[:, H:2 * H])
        np.multiply((dc * g) * (one - i), i, out=d[:, :H])
        np.multiply(dc * i, dg[t], out=d[:, 2 * H:3 * H])
        np.multiply((dh * tcs[t]) * (one - o), o, out=d[:, 3 * H:])
        dc = dc * f
        dh = d @ W
    need = [needs(node, k) for k in range(5)]
    rows = dG.reshape(-1, dG.shape[-1])
    dW = db = None
    if need[1]:     # every step's h_{t-1}, paired with its gates' gradient
        h_prev = np.concatenate((out[1:], h0._data[None])) if reverse else np.concatenate((h0._data[None], out[:-1]))
        dW = rows.T @ h_prev.reshape(-1, H)
    if need[2]:     # each step's sum over the batch, then over the steps in the order the engine adds them
        steps = dG.sum(1)
        db = np.add.reduce(steps if reverse else steps[::-1], axis=0)
    dt, dev = gi.dtype, gi._device
    wrap = lambda a: _make(a, dt, dev) if a is not None else None
    return (wrap(dG) if need[0] else None, wrap(dW), wrap(db), wrap(dh) if need[3] else None,
            wrap(dc) if need[4] else None)


def _lstm_layer_graph(node, inputs, reverse, grads):
    """The fused layer's input gradients under create_graph: its forward again in _cell's ops, and
    their gradients as a graph."""
    from ..._ops._core import needs
    gi, w_hh, b_hh, h0, c0 = inputs
    h, c = h0, c0
    T = gi.shape[0]
    steps = []
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        h, c = _cell('LSTM', gi[t], h, c, w_hh, b_hh)
        steps.append(h)
    if reverse:
        steps.reverse()
    outs = (faketorch.stack(steps, 0), h, c)
    pairs = [(o, g) for o, g in zip(outs, grads) if g is not None]
    want = [k for k, t in enumerate(inputs) if t is not None and needs(node, k)]
    got = faketorch.autograd.grad([o for o, _ in pairs], [inputs[k] for k in want], [g for _, g in pairs],
                                  create_graph=True, allow_unused=True)
    res = [None] * 5
    for k, g in zip(want, got):
        res[k] = g
    return tuple(res)


def _check_dropout(dropout, num_layers):
    """torch's check of an RNN's dropout argument, and its warning for one layer (stacklevel: the caller's caller)."""
    if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
        raise ValueError("dropout should be a number in range [0, 1] representing the probability of "
                         "an element being zeroed")
    if dropout > 0 and num_layers == 1:
        warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero "
                      f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                      f"num_layers={num_layers}", stacklevel=3)


def _run(mode, x, batch_sizes, h0, c0, weights, num_layers, dropout, train, bidirectional, fused=False):
    """x: (T, B, F) time-major, or packed data (sum(batch_sizes), F); weights: per layer and direction,
    [w_ih, w_hh, b_ih or None, b_hh or None, w_hr or None]. Returns output, h_n, c_n.
    fused: each LSTM layer's recurrence as one node (_lstm_layer)."""
    nd = 2 if bidirectional else 1
    hs, cs = [], []
    layer_in = x
    if batch_sizes is not None:
        bs = [int(b) for b in batch_sizes]
        offsets = [0]
        for b in bs:
            offsets.append(offsets[-1] + b)
    for layer in range(num_layers):
        outs = []
        for d in range(nd):
            k = layer * nd + d
            w_ih, w_hh, b_ih, b_hh, w_hr = weights[k]
            h = h0[k]
            c = c0[k] if c0 is not None else None
            gi_all = _linear(layer_in, w_ih, b_ih)      # the whole sequence in one matmul
            steps = []
            if fused:
                out_d, h, c = _lstm_layer(gi_all, h, c, w_hh, b_hh, d == 1)
                outs.append(out_d)
            elif batch_sizes is None:
                T = layer_in.shape[0]
                order = range(T - 1, -1, -1) if d == 1 else range(T)
                for t in order:
                    h, c = _cell(mode, gi_all[t], h, c, w_hh, b_hh, w_hr)
                    steps.append(h)
                if d == 1:
                    steps.reverse()
                outs.append(faketorch.stack(steps, 0))
            else:
                T = len(bs)
                # forwards, shorter sequences stop early: their rows keep the last state;
                # backwards in time a sequence starts at its own last step from h0
                order = range(T - 1, -1, -1) if d == 1 else range(T)
                for t in order:
                    n = bs[t]
                    hn, cn = _cell(mode, gi_all[offsets[t]:offsets[t + 1]], h[:n],
                                   c[:n] if c is not None else None, w_hh, b_hh, w_hr)
                    steps.append(hn)
                    if n < h.shape[0]:
                        h = faketorch.cat([hn, h[n:]])
                        c = faketorch.cat([cn, c[n:]]) if c is not None else None
                    else:
                        h, c = hn, cn
                if d == 1:
                    steps.reverse()
                outs.append(faketorch.cat(steps, 0))
            hs.append(h)
            if c is not None:
                cs.append(c)
        layer_out = outs[0] if nd == 1 else faketorch.cat(outs, -1)
        if dropout and train and layer < num_layers - 1:
            from .. import functional as F
            layer_out = F.dropout(layer_out, dropout, True)
        layer_in = layer_out
    return layer_in, faketorch.stack(hs, 0), (faketorch.stack(cs, 0) if cs else None)


def _groups(params, has_biases, num_layers, nd):
    """A flat parameter list (w_ih, w_hh[, b_ih, b_hh][, w_hr] per layer and direction) as _run's groups."""
    stride = 4 if has_biases else 2
    if len(params) % stride and len(params) % (stride + 1):
        raise RuntimeError(f"MatrixRef: ArrayRef size {len(params)} not divisible by stride {stride}")
    stride = len(params) // (num_layers * nd)
    groups = []
    for k in range(num_layers * nd):
        p = list(params[k * stride:(k + 1) * stride])
        w_hr = p.pop() if stride in (3, 5) else None
        groups.append(p[:2] + (p[2:4] if has_biases else [None, None]) + [w_hr])
    return groups


def _vf(mode, input, batch_sizes, h0, c0, weights, num_layers, dropout, train, bidirectional):
    """What torch's fused RNN kernels (_VF.lstm, gru, rnn_tanh, rnn_relu) compute on a time-major input or
    packed data, and the CPU LSTM's oneDNN quirks."""
    lstm = mode == 'LSTM'
    onednn = False
    if batch_sizes is None:
        if input.size(0) == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        # torch's CPU LSTM runs oneDNN for float32/bfloat16 while torch.backends.mkldnn is enabled;
        # with projections it says (once) that it falls back to its own implementation
        onednn = (lstm and (input.dtype is faketorch.float32 or input.dtype is faketorch.bfloat16)
                  and input.numel() > 0 and input.device.type == 'cpu' and faketorch.backends.mkldnn.enabled)
        if onednn and weights[0][4] is not None:
            onednn = False
            if not _warned_projections[0]:
                _warned_projections[0] = True
                warnings.warn("LSTM with projections is not supported with oneDNN. Using default "
                              "implementation. (Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/"
                              "native/RNN.cpp:1512.)", stacklevel=3)
        if onednn:
            for h in (h0, c0):
                if h.dtype is not input.dtype:
                    # a float32 state under bfloat16 input fails like a 16-bit one under float32
                    key = 'float16' if h.dtype is faketorch.float32 else str(h.dtype)[6:]
                    if key in _ONEDNN_HX_ERRORS:
                        raise RuntimeError(_ONEDNN_HX_ERRORS[key])
    # float32 on NumPy arrays: oneDNN's layer as one node; hidden size 1 stays in ops (linear's product for
    # one feature is an FMA, which the fused layer does not repeat)
    fused = onednn and input.dtype is faketorch.float32 and weights[0][1].shape[1] > 1 and \
        input._data.__class__ is np.ndarray
    out, hn, cn = _run(mode, input, batch_sizes, h0, c0, weights, num_layers, dropout, train, bidirectional,
                       fused)
    if onednn and not bidirectional and not fused:
        out = _renamed(out, 'MkldnnRnnLayerBackward0')      # the last layer's oneDNN node
    return out, hn, cn


class RNNBase(Module):
    __constants__ = ['mode', 'input_size', 'hidden_size', 'num_layers', 'bias', 'batch_first', 'dropout',
                     'bidirectional', 'proj_size']

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        _check_dropout(dropout, num_layers)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: {type(batch_first).__name__}")
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        fk = {'device': device, 'dtype': dtype}
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                real_hidden = proj_size if proj_size > 0 else hidden_size
                layer_input = input_size if layer == 0 else real_hidden * num_directions
                params = [Parameter(faketorch.empty((gate_size, layer_input), **fk)),
                          Parameter(faketorch.empty((gate_size, real_hidden), **fk))]
                names = ['weight_ih_l{}{}', 'weight_hh_l{}{}']
                if bias:
                    params += [Parameter(faketorch.empty(gate_size, **fk)),
                               Parameter(faketorch.empty(gate_size, **fk))]
                    names += ['bias_ih_l{}{}', 'bias_hh_l{}{}']
                if proj_size > 0:
                    params.append(Parameter(faketorch.empty((proj_size, hidden_size), **fk)))
                    names.append('weight_hr_l{}{}')
                suffix = '_reverse' if direction == 1 else ''
                names = [n.format(layer, suffix) for n in names]
                for n, p in zip(names, params):
                    setattr(self, n, p)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, n, None) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self):
        pass

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = '{input_size}, {hidden_size}'
        if self.proj_size != 0:
            s += ', proj_size={proj_size}'
        if self.num_layers != 1:
            s += ', num_layers={num_layers}'
        if self.bias is not True:
            s += ', bias={bias}'
        if self.batch_first is not False:
            s += ', batch_first={batch_first}'
        if self.dropout != 0:
            s += ', dropout={dropout}'
        if self.bidirectional is not False:
            s += ', bidirectional={bidirectional}'
        return s.format(**self.__dict__)

    # --- checks, as torch words them ---
    def _expected_hidden(self, input, batch_sizes, size):
        # input is time-major here (batch_first was transposed away)
        mini_batch = int(batch_sizes[0]) if batch_sizes is not None else input.size(1)
        return (self.num_layers * (2 if self.bidirectional else 1), mini_batch, size)

    def _check_input(self, input, batch_sizes):
        wdt = getattr(self, self._flat_weights_names[0]).dtype
        if input.dtype != wdt:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({wdt}). Convert "
                             f"input: input.to({wdt}), or convert model: model.to({input.dtype})")
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.size(-1)}")

    @staticmethod
    def _check_hidden(hx, expected, msg="Expected hidden size {}, got {}"):
        if tuple(hx.size()) != expected:
            raise RuntimeError(msg.format(expected, list(hx.size())))

    def forward(self, input, hx=None):
        # imported here: nn.utils imports nn.modules while nn is still initialising
        from ..utils.rnn import PackedSequence, _index_select
        lstm = self.mode == 'LSTM'
        name = {'LSTM': 'LSTM', 'GRU': 'GRU'}.get(self.mode, 'RNN')
        nd = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        packed = isinstance(input, PackedSequence)
        sorted_indices = unsorted_indices = None
        if packed:
            input, batch_sizes, sorted_indices, unsorted_indices = input
            batch_sizes = batch_sizes._data
            max_batch = int(batch_sizes[0])
            is_batched = True
        else:
            batch_sizes = None
            if input.dim() not in (2, 3):
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D "
                                 f"{'tensor ' if name == 'RNN' else ''}instead")
            is_batched = input.dim() == 3
            batch_dim = 0 if self.batch_first else 1
            if not is_batched:
                input = input.unsqueeze(batch_dim)
            if self.batch_first:
                input = input.transpose(0, 1)
            max_batch = input.size(1)
        if hx is None:
            z = faketorch.zeros(self.num_layers * nd, max_batch, real_hidden, dtype=input.dtype,
                                device=input.device)
            hx = (z, faketorch.zeros(self.num_layers * nd, max_batch, self.hidden_size,
                                     dtype=input.dtype, device=input.device)) if lstm else z
        elif not packed:
            if lstm:
                want = 3 if is_batched else 2
                if hx[0].dim() != want or hx[1].dim() != want:
                    kind = 'batched 3-D' if is_batched else 'unbatched 2-D'
                    raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but got "
                                       f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
                if not is_batched:
                    hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
            else:
                if is_batched and hx.dim() != 3:
                    raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got "
                                       f"{hx.dim()}-D tensor")
                if not is_batched:
                    if hx.dim() != 2:
                        raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got "
                                           f"{hx.dim()}-D tensor")
                    hx = hx.unsqueeze(1)
        else:
            if sorted_indices is not None:
                hx = (_index_select(hx[0], 1, sorted_indices), _index_select(hx[1], 1, sorted_indices)) \
                    if lstm else _index_select(hx, 1, sorted_indices)
        if lstm and packed:
            # torch's LSTM checks no packed argument in Python: what surfaces is its kernel's errors
            for h in hx[:2]:
                if h.dim() < 3:
                    raise IndexError(f"Dimension out of range (expected to be in range of [-{h.dim()}, "
                                     f"{h.dim() - 1}], but got 2)")
            # a batch that is not the packed one fails the gates' sum (h) or the cell update (c)
            for a, b in ((hx[0].size(1), max_batch), (max_batch, hx[1].size(1))):
                if a != b:
                    raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b ({b}) at "
                                       "non-singleton dimension 0")
        else:
            self._check_input(input, batch_sizes)
        if lstm:
            self._check_hidden(hx[0], self._expected_hidden(input, batch_sizes, real_hidden),
                               "Expected hidden[0] size {}, got {}")
            self._check_hidden(hx[1], self._expected_hidden(input, batch_sizes, self.hidden_size),
                               "Expected hidden[1] size {}, got {}")
            if len(hx) != 2:
                raise RuntimeError("lstm expects two hidden states")
            h0, c0 = hx
        else:
            self._check_hidden(hx, self._expected_hidden(input, batch_sizes, self.hidden_size))
            h0, c0 = hx, None
        weights = _groups(self._flat_weights, self.bias, self.num_layers, nd)
        out, hn, cn = _vf(self.mode, input, batch_sizes, h0, c0, weights, self.num_layers, self.dropout,
                          self.training, self.bidirectional)
        if packed:
            if unsorted_indices is not None:
                hn = _index_select(hn, 1, unsorted_indices)
                cn = _index_select(cn, 1, unsorted_indices) if cn is not None else None
            output = PackedSequence(out, _batch_sizes_tensor(batch_sizes), sorted_indices, unsorted_indices)
            return output, ((hn, cn) if lstm else hn)
        if self.batch_first:
            # torch's fused RNN/GRU kernels hand back a transpose_ (TransposeBackward1); LSTM's a transpose
            out = out.transpose(0, 1) if lstm else _transpose_(out)
        if not is_batched:
            out = out.squeeze(0 if self.batch_first else 1)
            hn = hn.squeeze(1)
            cn = cn.squeeze(1) if cn is not None else None
        return out, ((hn, cn) if lstm else hn)


def _transpose_(t):
    from ..._tensor import _make
    from ..._ops._core import attach
    r = _make(t._data.swapaxes(0, 1), t.dtype, t._device)
    if t._requires_grad and faketorch.is_grad_enabled():
        attach('TransposeBackward1', lambda node, g: (g.transpose(0, 1),), (t,), (r,))
    return r


def _renamed(t, name):
    """t under a pass-through node named as torch's kernel that made it."""
    from ..._tensor import _make
    from ..._ops._core import attach
    if not (t._requires_grad and faketorch.is_grad_enabled()):
        return t
    r = _make(t._data, t.dtype, t._device)
    attach(name, lambda node, g: (g,), (t,), (r,))
    return r


def _batch_sizes_tensor(bs):
    from ..._tensor import _make
    from ... import _dtype as D
    return _make(bs, D.int64)


class RNN(RNNBase):
    def __init__(self, *args, **kwargs):
        if 'proj_size' in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop('nonlinearity', 'tanh')
        if self.nonlinearity == 'tanh':
            mode = 'RNN_TANH'
        elif self.nonlinearity == 'relu':
            mode = 'RNN_RELU'
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)


_warned_projections = [False]


class LSTM(RNNBase):
    def __init__(self, *args, **kwargs):
        super().__init__('LSTM', *args, **kwargs)


class GRU(RNNBase):
    def __init__(self, *args, **kwargs):
        if 'proj_size' in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__('GRU', *args, **kwargs)


class RNNCellBase(Module):
    __constants__ = ['input_size', 'hidden_size', 'bias']

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        fk = {'device': device, 'dtype': dtype}
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(faketorch.empty((num_chunks * hidden_size, input_size), **fk))
        self.weight_hh = Parameter(faketorch.empty((num_chunks * hidden_size, hidden_size), **fk))
        if bias:
            self.bias_ih = Parameter(faketorch.empty(num_chunks * hidden_size, **fk))
            self.bias_hh = Parameter(faketorch.empty(num_chunks * hidden_size, **fk))
        else:
            self.register_parameter('bias_ih', None)
            self.register_parameter('bias_hh', None)
        self.reset_parameters()

    def extra_repr(self):
        s = '{input_size}, {hidden_size}'
        if 'bias' in self.__dict__ and self.bias is not True:
            s += ', bias={bias}'
        if 'nonlinearity' in self.__dict__ and self.nonlinearity != 'tanh':
            s += ', nonlinearity={nonlinearity}'
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _check_cell(self, input, hx, n_hidden=1):
        """torch's rnn_cell input checks (messages of the fused cell kernels)."""
        if input.size(1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected "
                               f"{self.input_size}")
        for i, h in enumerate(hx[:n_hidden]):
            if input.size(0) != h.size(0):
                raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{i} batch size "
                                   f"{h.size(0)}")
            if h.size(1) != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {h.size(1)}, expected "
                                   f"{self.hidden_size}")

    def _prepare(self, input, hx, name):
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        return input, batched


class RNNCell(RNNCellBase):
    __constants__ = ['input_size', 'hidden_size', 'bias', 'nonlinearity']

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity='tanh', device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(f"RNNCell: Expected hidden to be 1D or 2D, got {hx.dim()}D instead")
        input, batched = self._prepare(input, hx, 'RNNCell')
        if hx is None:
            hx = faketorch.zeros(input.size(0), self.hidden_size, dtype=input.dtype, device=input.device)
        elif not batched:
            hx = hx.unsqueeze(0)
        self._check_cell(input, (hx,))
        if self.nonlinearity not in ('tanh', 'relu'):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        mode = 'RNN_TANH' if self.nonlinearity == 'tanh' else 'RNN_RELU'
        h, _ = _cell(mode, _linear(input, self.weight_ih, self.bias_ih), hx, None, self.weight_hh,
                     self.bias_hh)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        if input.dim() not in (1, 2):
            raise ValueError(f"LSTMCell: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None:
            for idx, value in enumerate(hx):
                if value.dim() not in (1, 2):
                    raise ValueError(f"LSTMCell: Expected hx[{idx}] to be 1D or 2D, got {value.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            z = faketorch.zeros(input.size(0), self.hidden_size, dtype=input.dtype, device=input.device)
            hx = (z, z)
        elif not batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        if not isinstance(hx, (tuple, list)):
            raise TypeError(f"lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, not "
                            f"{type(hx).__name__}")
        if len(hx) != 2:
            raise RuntimeError("lstm_cell expects two hidden states")
        self._check_cell(input, hx, 2)
        h, c = _cell('LSTM', _linear(input, self.weight_ih, self.bias_ih), hx[0], hx[1], self.weight_hh,
                     self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(f"GRUCell: Expected hidden to be 1D or 2D, got {hx.dim()}D instead")
        input, batched = self._prepare(input, hx, 'GRUCell')
        if hx is None:
            hx = faketorch.zeros(input.size(0), self.hidden_size, dtype=input.dtype, device=input.device)
        elif not batched:
            hx = hx.unsqueeze(0)
        self._check_cell(input, (hx,))
        h, _ = _cell('GRU', _linear(input, self.weight_ih, self.bias_ih), hx, None, self.weight_hh,
                     self.bias_hh)
        return h if batched else h.squeeze(0)
