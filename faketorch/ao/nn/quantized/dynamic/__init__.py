"""torch.ao.nn.quantized.dynamic: Linear with an int8 weight whose input is quantized on the fly (each call
chooses the input's scale from its own range) and whose output is float."""
import faketorch as torch
from faketorch import nn
from faketorch.nn.modules.rnn import _check_dropout

from .. import _kernels
from ..modules import Linear as _QLinear, _hide_packed_params_repr, LinearPackedParams

__all__ = ['Linear', 'LSTM', 'GRU']


class Linear(_QLinear):
    _version = 4

    def __init__(self, in_features, out_features, bias_=True, dtype=torch.qint8):
        super().__init__(in_features, out_features, bias_, dtype=dtype)
        self.version = 4

    def forward(self, x):
        w, b = self._weight_bias()
        if self._packed_params.dtype is torch.float16:
            # float16 weights, float32 arithmetic; the bias added after, as torch's module does
            y = torch.nn.functional.linear(x, w)
            return y + b if b is not None else y
        return _kernels.linear_dynamic(x, w, b, reduce_range=True)

    def _get_name(self):
        return 'DynamicQuantizedLinear'

    def extra_repr(self):
        s = f"in_features={self.in_features}, out_features={self.out_features}, dtype={self._packed_params.dtype}"
        if self._packed_params.dtype is torch.qint8:
            s += f", qscheme={self.weight().qscheme()}"
        return s

    def __repr__(self):
        return _hide_packed_params_repr(self, LinearPackedParams)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        from faketorch import nn
        from ...intrinsic import LinearReLU
        if type(mod) not in (nn.Linear, nn.modules.linear.NonDynamicallyQuantizableLinear, LinearReLU) and \
                not hasattr(mod, 'weight_fake_quant'):
            raise AssertionError("nn.quantized.dynamic.Linear.from_float only works for one of "
                                 "['Linear', 'NonDynamicallyQuantizableLinear', 'LinearReLU']")
        if not hasattr(mod, 'qconfig'):
            raise AssertionError("Input float module must have qconfig defined")
        if type(mod) is LinearReLU:
            mod = mod[0]
        weight_observer = mod.qconfig.weight() if mod.qconfig is not None else \
            __import__('faketorch.ao.quantization.qconfig', fromlist=['x']).default_dynamic_qconfig.weight()
        dtype = weight_observer.dtype
        if dtype not in (torch.qint8, torch.float16):
            raise RuntimeError("Unsupported dtype specified for dynamic quantized Linear!")
        weight_observer(mod.weight)
        from ..modules import _quantize_weight
        q = cls(mod.in_features, mod.out_features, dtype=dtype)
        w = _quantize_weight(mod.weight.float(), weight_observer) if dtype is torch.qint8 else mod.weight.float()
        q.set_weight_bias(w, mod.bias)
        return q


class PackedParameter(nn.Module):
    def __init__(self, param):
        super().__init__()
        self.param = param

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        super()._save_to_state_dict(destination, prefix, keep_vars)
        destination[prefix + 'param'] = self.param

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        self.param = state_dict.pop(prefix + 'param')
        super()._load_from_state_dict(state_dict, prefix, local_metadata, False, missing_keys, unexpected_keys,
                                      error_msgs)


class _RNNBase(nn.Module):
    """Dynamic quantized LSTM / GRU: per layer and direction, the input-to-hidden product of the whole
    sequence and the hidden-to-hidden one of each step are dynamic int8 linears (each quantizing its input on
    its own range); the gates are computed in float as torch's CPU cells do."""
    _GATES = 4

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, dtype=torch.qint8):
        super().__init__()
        self.mode = self._MODE
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.dtype, self.version = bidirectional, dtype, 2
        self.training = False
        _check_dropout(dropout, num_layers)
        if dtype is not torch.qint8:
            raise NotImplementedError("faketorch's dynamic quantized LSTM supports torch.qint8 weights only")
        dirs = 2 if bidirectional else 1
        gate = self._GATES * hidden_size
        params = []
        for layer in range(num_layers):
            for _ in range(dirs):
                n_in = input_size if layer == 0 else hidden_size * dirs
                # random placeholders, drawn as torch draws them (the stream a later call sees stays the same)
                w_ih, w_hh = torch.randn(gate, n_in), torch.randn(gate, hidden_size)
                b_ih, b_hh = torch.randn(gate), torch.randn(gate)
                params.append(PackedParameter((torch.quantize_per_tensor(w_ih, 0.1, 0, torch.qint8), b_ih,
                                               torch.quantize_per_tensor(w_hh, 0.1, 0, torch.qint8), b_hh)))
        self._all_weight_values = nn.ModuleList(params)

    def _get_name(self):
        return 'DynamicQuantized' + self._MODE

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    def __repr__(self):
        from faketorch.nn.modules.module import _addindent
        extra = self.extra_repr()
        extra_lines = extra.split('\n') if extra else []
        child_lines = ['(' + k + '): ' + _addindent(repr(m), 2) for k, m in self._modules.items()
                       if not isinstance(m, (PackedParameter, nn.ModuleList))]
        lines = extra_lines + child_lines
        s = self._get_name() + '('
        if lines:
            s += extra_lines[0] if len(extra_lines) == 1 and not child_lines else '\n  ' + '\n  '.join(lines) + '\n'
        return s + ')'

    def _run_direction(self, inputs, state, params, reverse):
        w_ih, b_ih, w_hh, b_hh = params
        pre = _kernels.linear_dynamic(inputs, w_ih, b_ih)       # the whole sequence at once, as torch's CPU path
        steps = range(inputs.shape[0] - 1, -1, -1) if reverse else range(inputs.shape[0])
        outs = [None] * inputs.shape[0]
        for t in steps:
            state = self._cell(pre[t], _kernels.linear_dynamic(state[0], w_hh, b_hh), state)
            outs[t] = state[0]
        return torch.stack(outs), state

    def _check_forward_args(self, input, hx):
        if input.dim() != 3:
            raise RuntimeError(f"input must have 3 dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                               f"{input.size(-1)}")
        expected = (self.num_layers * (2 if self.bidirectional else 1),
                    input.size(0) if self.batch_first else input.size(1), self.hidden_size)
        for i, h in enumerate(hx):
            if h.size() != expected:
                what = f'hidden[{i}]' if len(hx) == 2 else 'hidden'
                raise RuntimeError(f"Expected {what} size {expected}, got {list(h.size())}")

    def forward(self, input, hx=None):
        if isinstance(input, nn.utils.rnn.PackedSequence):
            raise NotImplementedError("faketorch's dynamic quantized RNNs do not take PackedSequence input")
        n_state = 2 if self._MODE == 'LSTM' else 1
        dirs = 2 if self.bidirectional else 1
        if hx is None:
            batch = input.size(0) if self.batch_first else input.size(1) if input.dim() > 1 else 1
            zeros = torch.zeros(self.num_layers * dirs, batch, self.hidden_size, dtype=input.dtype)
            hx = (zeros,) * n_state
        elif n_state == 1:
            hx = (hx,)
        self._check_forward_args(input, hx)
        x = input.transpose(0, 1) if self.batch_first else input
        finals = [[] for _ in range(n_state)]
        layer_in = x
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                k = layer * dirs + d
                out, state = self._run_direction(layer_in, tuple(h[k] for h in hx), self._all_weight_values[k].param,
                                                 d == 1)
                outs.append(out)
                for acc, v in zip(finals, state):
                    acc.append(v)
            layer_in = outs[0] if dirs == 1 else torch.cat(outs, 2)
        out = layer_in.transpose(0, 1) if self.batch_first else layer_in
        finals = [torch.stack(v) for v in finals]
        return out, (tuple(finals) if n_state == 2 else finals[0])

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant=False):
        from faketorch.ao.quantization.qconfig import default_dynamic_qconfig
        from ..modules import _quantize_weight
        if type(mod) not in (nn.LSTM, nn.GRU):
            raise AssertionError("nn.quantized.dynamic.RNNBase.from_float only works for nn.LSTM and nn.GRU")
        if not hasattr(mod, 'qconfig'):
            raise AssertionError("Input float module must have qconfig defined")
        weight_observer = (mod.qconfig or default_dynamic_qconfig).weight
        dtype = weight_observer().dtype
        if dtype is not torch.qint8:
            raise RuntimeError(f"Unsupported dtype for dynamic RNN quantization: {dtype}")
        q = cls(mod.input_size, mod.hidden_size, mod.num_layers, mod.bias, mod.batch_first, mod.dropout,
                mod.bidirectional, dtype)
        if not mod.bias:
            raise AssertionError("mod.bias must be True")
        params = []
        for layer in range(q.num_layers):
            for d in range(2 if mod.bidirectional else 1):
                sfx = '_reverse' if d == 1 else ''
                packed = []
                for kind in ('ih', 'hh'):
                    w, b = getattr(mod, f'weight_{kind}_l{layer}{sfx}'), getattr(mod, f'bias_{kind}_l{layer}{sfx}')
                    obs = weight_observer()
                    obs(w)
                    packed += [_quantize_weight(w.float(), obs), b]
                params.append(PackedParameter(tuple(packed)))
        q._all_weight_values = nn.ModuleList(params)
        return q


class LSTM(_RNNBase):
    _FLOAT_MODULE, _MODE, _GATES = nn.LSTM, 'LSTM', 4

    @staticmethod
    def _cell(ih, hh, state):
        h, c = state
        i, f, g, o = (hh + ih).chunk(4, 1)
        c = f.sigmoid() * c + i.sigmoid() * g.tanh()
        return o.sigmoid() * c.tanh(), c


class GRU(_RNNBase):
    _FLOAT_MODULE, _MODE, _GATES = nn.GRU, 'GRU', 3

    @staticmethod
    def _cell(ih, hh, state):
        h, = state
        i_r, i_i, i_n = ih.chunk(3, 1)
        h_r, h_i, h_n = hh.chunk(3, 1)
        reset = (h_r + i_r).sigmoid()
        update = (h_i + i_i).sigmoid()
        new = (i_n + h_n * reset).tanh()
        return ((h - new) * update + new,)
