"""faketorch calls -> ONNX nodes, as torch's two exporters write them for the common layers.

Each converter gets the _Builder `b` and the _Call `c` and returns the ONNX name of the result. Where
the exporters differ, `b.legacy` (the TorchScript exporter) picks: it adds `training_mode`, names
scalars as Constant nodes and writes no default attributes; the torch.export exporter (through
onnxscript's torchlib) writes `auto_pad`, `transA`, `stash_type`... and names each value after the
aten op it came from ('linear', 'conv2d', 'view')."""
import numpy as np

from .._tensor import Tensor
from .errors import OnnxExporterError

CONVERT = {}


def _register(*keys):
    def deco(fn):
        for k in keys:
            CONVERT[k] = fn
        return fn
    return deco


def _np(t):
    return t.detach().cpu().numpy() if isinstance(t, Tensor) else np.asarray(t)


def _in(b, c, x, scalar_tensor=False):
    """An input's ONNX name: a recorded value (Cast to the result's dtype where torch's promotion
    changes it: int tensor * 2.5), or a Python number as a constant of the result's dtype."""
    dtype = _np(c.value).dtype
    if hasattr(x, 'name'):
        if _np(x.value).dtype == dtype:
            return x.name
        to = b.onnx.helper.np_dtype_to_tensor_dtype(dtype)
        return b.add('Cast', [x.name], {'to': to}, c.scope, 'convert_element_type_default')
    b.ids += 1
    # torch.export turns an int beside a float tensor into a scalar_tensor constant
    named = scalar_tensor and not b.legacy and dtype.kind == 'f' and isinstance(x, int) and not isinstance(x, bool)
    return b.const(np.array(x, dtype=dtype), c.scope, hint='scalar_tensor_default' if named else None)


def _module_param(b, c, attr):
    """A module's parameter (or buffer) as an input: None where the module has none (bias=False)."""
    from ._graph import _Ref
    t = getattr(c.module, attr)
    if t is None:
        return None
    return _Ref(b.param(f'{c.path}.{attr}'), t)


def _pair(v, n):
    return list(v) if isinstance(v, (tuple, list)) else [v] * n


# the opset from which an op takes its axes (split sizes) as an input rather than an attribute
_AXES_INPUT_FROM = {'ReduceSum': 13, 'Squeeze': 13, 'Unsqueeze': 13, 'Split': 13, 'ReduceMean': 18,
                    'ReduceMax': 18}


def _with_axes(b, c, op, x, axes, attrs, aten=None, **kw):
    """op on x over `axes`: an input where the opset has it so, else the `axes` (`split`) attribute."""
    axes = [int(a) for a in axes]
    if b.opset >= _AXES_INPUT_FROM[op]:
        return b.add(op, [x, b.const(np.array(axes, np.int64), c.scope)], attrs, c.scope, aten, **kw)
    return b.add(op, [x], {**(attrs or {}), ('split' if op == 'Split' else 'axes'): axes}, c.scope, aten, **kw)


# ------------------------------------------------------------------ linear, conv, normalization

@_register('Linear', 'linear')
def _linear(b, c):
    if c.module is not None:
        x, w, bias = c.args[0], _module_param(b, c, 'weight'), _module_param(b, c, 'bias')
    else:
        x, w, bias = c.args[0], c.arg(1, 'weight'), c.arg(2, 'bias')
    if x.value.dim() == 2 and (bias is not None or not b.legacy):
        ins = [x.name, w.name] + ([bias.name] if bias is not None else [])
        attrs = {'alpha': 1.0, 'beta': 1.0, 'transB': 1, 'transA': None if b.legacy else 0}
        return b.add('Gemm', ins, attrs, c.scope, 'linear')
    # other ranks (and the TorchScript exporter without bias): MatMul with the weight transposed
    # ahead of time, then Add (the TorchScript exporter puts the bias first)
    wt_name = b.initializer(_np(w.value).T.copy(), 'MatMul')    # (the weight itself, if read nowhere else, is left out)
    if bias is None:
        return b.add('MatMul', [x.name, wt_name], None, c.scope, 'linear')
    mm = b.add('MatMul', [x.name, wt_name], None, c.scope)
    ins = [bias.name, mm] if b.legacy else [mm, bias.name]
    return b.add('Add', ins, None, c.scope, 'linear')


def _conv_attrs(b, w, stride, padding, dilation, groups):
    k = list(w.shape[2:])
    n = len(k)
    dil = _pair(dilation, n)
    if padding == 'same':      # the extra padding of an even kernel goes at the end, as torch pads
        total = [d * (s - 1) for d, s in zip(dil, k)]
        pads = [t // 2 for t in total] + [t - t // 2 for t in total]
    else:
        pads = [0] * n if padding == 'valid' else _pair(padding, n)
        pads = pads + pads
    return {'dilations': dil, 'group': groups, 'kernel_shape': k, 'pads': pads, 'strides': _pair(stride, n),
            'auto_pad': None if b.legacy else 'NOTSET'}


@_register('Conv1d', 'Conv2d', 'Conv3d', 'conv1d', 'conv2d', 'conv3d')
def _conv(b, c):
    m = c.module
    if m is not None:
        if m.padding_mode != 'zeros':
            raise OnnxExporterError(f'faketorch cannot export {type(m).__name__} with '
                                    f"padding_mode='{m.padding_mode}' to ONNX yet")
        x, w, bias = c.args[0], _module_param(b, c, 'weight'), _module_param(b, c, 'bias')
        stride, padding, dilation, groups = m.stride, m.padding, m.dilation, m.groups
    else:
        x, w, bias = c.args[0], c.arg(1, 'weight'), c.arg(2, 'bias')
        stride, padding, dilation, groups = (c.arg(3, 'stride', 1), c.arg(4, 'padding', 0),
                                             c.arg(5, 'dilation', 1), c.arg(6, 'groups', 1))
    attrs = _conv_attrs(b, w.value, stride, padding, dilation, groups)
    if bias is None:     # torchlib builds a bias-less Conv inside a function: its node is numbered
        return b.add('Conv', [x.name, w.name], attrs, c.scope, None if b.legacy else f'conv{w.value.dim() - 2}d',
                     numbered=True)
    return b.add('Conv', [x.name, w.name, bias.name], attrs, c.scope, f'conv{w.value.dim() - 2}d')


@_register('ConvTranspose1d', 'ConvTranspose2d', 'ConvTranspose3d')
def _conv_transpose(b, c):
    m = c.module
    x, w, bias = c.args[0], _module_param(b, c, 'weight'), _module_param(b, c, 'bias')
    attrs = _conv_attrs(b, w.value, m.stride, m.padding, m.dilation, m.groups)
    out_pad = list(m.output_padding)
    # the TorchScript exporter leaves a zero output_padding out
    attrs['output_padding'] = out_pad if any(out_pad) or not b.legacy else None
    ins = [x.name, w.name] + ([bias.name] if bias is not None else [])
    return b.add('ConvTranspose', ins, attrs, c.scope, 'convolution')


@_register('BatchNorm1d', 'BatchNorm2d', 'BatchNorm3d')
def _batch_norm(b, c):
    m = c.module
    training = m.training or m.running_mean is None
    if m.running_mean is None or training and not b.legacy:
        raise OnnxExporterError('faketorch exports BatchNorm with running statistics only, and in training mode '
                                'through the TorchScript exporter (dynamo=False) only')
    x = c.args[0]
    n = m.num_features
    w = _module_param(b, c, 'weight')
    bias = _module_param(b, c, 'bias')
    w = w.name if w is not None else b.const(np.ones(n, np.float32))
    bias = bias.name if bias is not None else b.const(np.zeros(n, np.float32))
    ins = [x.name, w, bias, b.param(f'{c.path}.running_mean'), b.param(f'{c.path}.running_var')]
    momentum = 1.0 - (m.momentum if m.momentum is not None else 0.0)
    mode = int(training) if b.legacy and b.opset >= 14 else None      # an attribute from opset 14
    attrs = {'epsilon': float(m.eps), 'momentum': momentum, 'training_mode': mode}
    # the aten op returns a tuple: torchlib names the node after its first output
    node = None if b.legacy else b._unique('_native_batch_norm_legit_no_training') + '__0'
    out = b.add('BatchNormalization', ins, attrs, c.scope, 'getitem', node=node, outputs=3 if training else 1)
    if not b.legacy:     # the aten op's other two outputs take the next getitem names
        b._unique('getitem'), b._unique('getitem')
    return out


@_register('LayerNorm', 'layer_norm')
def _layer_norm(b, c):
    if c.module is not None:
        m = c.module
        x, shape, eps = c.args[0], m.normalized_shape, m.eps
        w, bias = _module_param(b, c, 'weight'), _module_param(b, c, 'bias')
    else:
        x, shape, eps = c.args[0], c.arg(1, 'normalized_shape'), c.arg(4, 'eps', 1e-5)
        w, bias = c.arg(2, 'weight'), c.arg(3, 'bias')
    shape = _pair(shape, 1)
    dtype = _np(x.value).dtype
    if b.opset < 17:
        return _layer_norm_parts(b, c, x, len(shape), eps, w, bias)
    w = w.name if w is not None else b.const(np.ones(shape, dtype))
    ins = [x.name, w] + ([bias.name] if bias is not None else [])
    attrs = {'axis': -len(shape), 'epsilon': float(eps), 'stash_type': None if b.legacy else 1}
    return b.add('LayerNormalization', ins, attrs, c.scope, 'layer_norm')


def _layer_norm_parts(b, c, x, n, eps, w, bias):
    """LayerNormalization written out, before opset 17 has the op."""
    dtype = _np(x.value).dtype
    axes = list(range(-n, 0))
    mean = _with_axes(b, c, 'ReduceMean', x.name, axes, None)
    centred = b.add('Sub', [x.name, mean], None, c.scope)
    square = b.add('Pow', [centred, b.const(np.array(2.0, dtype), c.scope)], None, c.scope)
    var = _with_axes(b, c, 'ReduceMean', square, axes, None)
    std = b.add('Sqrt', [b.add('Add', [var, b.const(np.array(eps, dtype), c.scope)], None, c.scope)], None, c.scope)
    out = b.add('Div', [centred, std], None, c.scope)
    if w is not None:
        out = b.add('Mul', [out, w.name], None, c.scope)
    if bias is not None:
        out = b.add('Add', [out, bias.name], None, c.scope, 'layer_norm')
    return out


@_register('Embedding', 'embedding')
def _embedding(b, c):
    if c.module is not None:
        idx, w = c.args[0], _module_param(b, c, 'weight')
    else:
        idx, w = c.args[0], c.arg(1, 'weight')
    return b.add('Gather', [w.name, idx.name], {'axis': None if b.legacy else 0}, c.scope, 'embedding')


@_register('Dropout', 'Dropout1d', 'Dropout2d', 'Dropout3d', 'AlphaDropout', 'dropout')
def _dropout(b, c):
    x = c.args[0]
    training = c.module.training if c.module is not None else c.arg(2, 'training', True)
    if not training:
        return x.name
    if not b.legacy:
        raise OnnxExporterError('faketorch exports dropout in training mode through the TorchScript exporter '
                                '(dynamo=False) only')
    p = c.module.p if c.module is not None else c.arg(1, 'p', 0.5)
    ratio = b.const(np.array(p, _np(x.value).dtype), c.scope)
    mode = b.const(np.array(True), c.scope)
    return b.add('Dropout', [x.name, ratio, mode], None, c.scope, outputs=2)


@_register('Identity', 'contiguous', 'detach', 'clone')
def _identity(b, c):
    return c.args[0].name


# ------------------------------------------------------------------ activations

def _unary(op, aten):
    def convert(b, c):
        return b.add(op, [c.args[0].name], None, c.scope, aten)
    return convert


for _keys, _op, _aten in ((('ReLU', 'relu', 'relu_'), 'Relu', 'relu'), (('Sigmoid', 'sigmoid'), 'Sigmoid', 'sigmoid'),
                          (('Tanh', 'tanh'), 'Tanh', 'tanh'), (('exp',), 'Exp', 'exp'), (('log',), 'Log', 'log'),
                          (('sqrt',), 'Sqrt', 'sqrt'), (('neg',), 'Neg', 'neg'), (('abs',), 'Abs', 'abs'),
                          (('Hardswish', 'hardswish'), 'HardSwish', 'hardswish')):
    _register(*_keys)(_unary(_op, _aten))


@_register('SiLU', 'silu')
def _silu(b, c):
    x = c.args[0].name
    return b.add('Mul', [x, b.add('Sigmoid', [x], None, c.scope)], None, c.scope, 'silu')


@_register('ELU', 'elu')
def _elu(b, c):
    alpha = c.module.alpha if c.module is not None else c.arg(1, 'alpha', 1.0)
    return b.add('Elu', [c.args[0].name], {'alpha': float(alpha)}, c.scope, 'elu', numbered=True)


def _clip(b, c, lo, hi, aten):
    x = c.args[0]
    dtype = _np(x.value).dtype
    # torchlib's hardtanh names its bounds; relu6 and clamp take numbered constants
    hints = ('min_val_cast', 'max_val_cast') if aten == 'hardtanh' and not b.legacy else (None, None)
    ins = [x.name] + [b.const(np.array(v, dtype), c.scope, hint) if v is not None else ''
                      for v, hint in zip((lo, hi), hints)]
    if not b.legacy:      # torchlib leaves a missing bound out; the TorchScript exporter writes ''
        while ins[-1] == '':
            ins.pop()
    return b.add('Clip', ins, None, c.scope, aten)


@_register('ReLU6', 'relu6')
def _relu6(b, c):
    # nn.ReLU6 is a Hardtanh(0, 6) in torch; F.relu6 an op of its own
    return _clip(b, c, 0.0, 6.0, 'hardtanh' if c.module is not None else 'relu6')


@_register('Hardtanh', 'hardtanh')
def _hardtanh(b, c):
    if c.module is not None:
        lo, hi = c.module.min_val, c.module.max_val
    else:
        lo, hi = c.arg(1, 'min_val', -1.0), c.arg(2, 'max_val', 1.0)
    return _clip(b, c, lo, hi, 'hardtanh')


@_register('clamp', 'clip')
def _clamp(b, c):
    lo, hi = c.arg(1, 'min'), c.arg(2, 'max')
    if hasattr(lo, 'name') or hasattr(hi, 'name'):
        raise OnnxExporterError('faketorch cannot export clamp with tensor bounds to ONNX yet')
    return _clip(b, c, lo, hi, 'clamp')


@_register('GELU', 'gelu')
def _gelu(b, c):
    approximate = c.module.approximate if c.module is not None else c.kwargs.get('approximate', 'none')
    if b.opset >= 20:
        return b.add('Gelu', [c.args[0].name], {'approximate': approximate}, c.scope, 'gelu')
    if approximate != 'none':
        raise OnnxExporterError("faketorch exports GELU(approximate='tanh') to opset 20 and later only")
    # before opset 20: x * (erf(x / sqrt(2)) + 1) * 0.5; torchlib multiplies by 0.5 first
    x = c.args[0]
    dtype = _np(x.value).dtype
    erf = b.add('Erf', [b.add('Div', [x.name, b.const(np.array(np.sqrt(2.0), dtype), c.scope)], None, c.scope)],
                None, c.scope)
    one = b.add('Add', [erf, b.const(np.array(1.0, dtype), c.scope)], None, c.scope)
    if not b.legacy:
        half = b.add('Mul', [b.const(np.array(0.5, dtype)), one], None, c.scope)
        return b.add('Mul', [x.name, half], None, c.scope, 'gelu')
    half = b.add('Mul', [x.name, one], None, c.scope)
    return b.add('Mul', [half, b.const(np.array(0.5, dtype), c.scope)], None, c.scope, 'gelu')


@_register('LeakyReLU', 'leaky_relu')
def _leaky_relu(b, c):
    slope = c.module.negative_slope if c.module is not None else c.arg(1, 'negative_slope', 0.01)
    return b.add('LeakyRelu', [c.args[0].name], {'alpha': float(slope)}, c.scope, 'leaky_relu')


def _softmax(op, aten):
    def convert(b, c):
        dim = c.module.dim if c.module is not None else c.arg(1, 'dim')
        if dim is None:
            raise OnnxExporterError(f'faketorch exports {aten} with an explicit dim only')
        x = c.args[0]
        ndim = x.value.dim()
        if b.opset >= 13 or dim % ndim == ndim - 1:
            return b.add(op, [x.name], {'axis': dim}, c.scope, aten)
        # before opset 13 the op normalises over all the dims from `axis` on: move dim last and back
        perm = list(range(ndim))
        perm[dim % ndim], perm[-1] = perm[-1], perm[dim % ndim]
        moved = b.add('Transpose', [x.name], {'perm': perm}, c.scope)
        out = b.add(op, [moved], {'axis': ndim - 1}, c.scope)
        return b.add('Transpose', [out], {'perm': perm}, c.scope, aten)
    return convert


_register('Softmax', 'softmax')(_softmax('Softmax', 'softmax'))
_register('LogSoftmax', 'log_softmax')(_softmax('LogSoftmax', 'log_softmax'))


# ------------------------------------------------------------------ pooling

def _pool_args(c, names, defaults):
    if c.module is not None:
        return [getattr(c.module, n) for n in names]
    return [c.arg(i + 1, n, d) for i, (n, d) in enumerate(zip(names, defaults))]


@_register('MaxPool1d', 'MaxPool2d', 'MaxPool3d', 'max_pool1d', 'max_pool2d', 'max_pool3d')
def _max_pool(b, c):
    x = c.args[0]
    k, s, p, d, ceil, ret = _pool_args(c, ('kernel_size', 'stride', 'padding', 'dilation', 'ceil_mode',
                                            'return_indices'), (None, None, 0, 1, False, False))
    if ret:
        raise OnnxExporterError('faketorch cannot export max pooling with return_indices=True to ONNX yet')
    n = x.value.dim() - 2
    k = _pair(k, n)
    s = _pair(s, n) if s not in (None, ()) else k
    p = _pair(p, n)
    attrs = {'ceil_mode': int(ceil), 'dilations': _pair(d, n), 'kernel_shape': k, 'pads': p + p, 'strides': s}
    if not b.legacy:
        attrs.update(auto_pad='NOTSET', storage_order=0)
    return b.add('MaxPool', [x.name], attrs, c.scope, f'max_pool{n}d')


@_register('AvgPool1d', 'AvgPool2d', 'AvgPool3d', 'avg_pool1d', 'avg_pool2d', 'avg_pool3d')
def _avg_pool(b, c):
    x = c.args[0]
    k, s, p, ceil, incl, div = _pool_args(c, ('kernel_size', 'stride', 'padding', 'ceil_mode', 'count_include_pad',
                                              'divisor_override'), (None, None, 0, False, True, None))
    if div is not None:
        raise OnnxExporterError('faketorch cannot export avg pooling with divisor_override to ONNX yet')
    n = x.value.dim() - 2
    k = _pair(k, n)
    s = _pair(s, n) if s not in (None, ()) else k
    p = _pair(p, n)
    attrs = {'ceil_mode': int(ceil), 'count_include_pad': int(incl), 'kernel_shape': k, 'pads': p + p, 'strides': s,
             'auto_pad': None if b.legacy else 'NOTSET'}
    return b.add('AveragePool', [x.name], attrs, c.scope, f'avg_pool{n}d')


@_register('AdaptiveAvgPool1d', 'AdaptiveAvgPool2d', 'AdaptiveAvgPool3d', 'adaptive_avg_pool1d',
           'adaptive_avg_pool2d', 'adaptive_avg_pool3d')
def _adaptive_avg_pool(b, c):
    x = c.args[0]
    n = x.value.dim() - 2
    size = c.module.output_size if c.module is not None else c.arg(1, 'output_size')
    if any(v != 1 for v in _pair(size, n)):
        raise OnnxExporterError('faketorch exports adaptive average pooling to output size 1 only')
    if b.legacy:
        return b.add('GlobalAveragePool', [x.name], None, c.scope)
    axes = b.const(np.arange(-1, -n - 1, -1, dtype=np.int64))
    return b.add('ReduceMean', [x.name, axes], {'keepdims': 1, 'noop_with_empty_axes': 0}, c.scope, 'mean')


# ------------------------------------------------------------------ shapes

def _reshape(b, c, shape):
    if c.varying:
        # a dim that follows a dynamic input dim is the one inferred (-1); the others are known
        if len(c.varying) > 1:
            raise OnnxExporterError('faketorch cannot export a reshape to more than one dynamic dimension yet')
        shape = [-1 if k in c.varying else d for k, d in enumerate(c.value.shape)]
    shape_name = b.const(np.array(shape, dtype=np.int64), c.scope)
    if c.varying and not b.legacy:
        # torch.export computes this shape with Shape/Concat nodes that the optimizer folds into a new
        # Reshape and a constant at the end
        b.late.append(shape_name)
    return b.add('Reshape', [c.args[0].name, shape_name], {'allowzero': 0 if b.legacy else 1}, c.scope, 'view',
                 numbered=bool(c.varying))


def _sizes(c):
    dims = c.args[1:] or c.kwargs.get('shape', c.kwargs.get('size', ()))
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    return [int(d) for d in dims]


@_register('view', 'reshape')
def _view(b, c):
    return _reshape(b, c, _sizes(c))


@_register('Flatten', 'flatten')
def _flatten(b, c):
    x = c.args[0]
    if c.module is not None:
        start, end = c.module.start_dim, c.module.end_dim
    else:
        start, end = c.arg(1, 'start_dim', 0), c.arg(2, 'end_dim', -1)
    ndim = x.value.dim()
    start, end = start % max(ndim, 1), end % max(ndim, 1)
    if b.legacy and end == ndim - 1 and start == 1:      # ONNX's Flatten makes 2-d
        return b.add('Flatten', [x.name], {'axis': start}, c.scope)
    if start == end:
        return x.name
    return _reshape(b, c, list(c.value.shape))


def _transpose_node(b, c, perm, aten):
    return b.add('Transpose', [c.args[0].name], {'perm': perm}, c.scope, aten)


@_register('t')
def _t(b, c):
    if c.args[0].value.dim() < 2:
        return c.args[0].name
    return _transpose_node(b, c, [1, 0], 't')


@_register('transpose')
def _transpose(b, c):
    ndim = c.args[0].value.dim()
    d0, d1 = c.arg(1, 'dim0') % ndim, c.arg(2, 'dim1') % ndim
    perm = list(range(ndim))
    perm[d0], perm[d1] = perm[d1], perm[d0]
    return _transpose_node(b, c, perm, 'transpose')


@_register('permute')
def _permute(b, c):
    ndim = c.args[0].value.dim()
    return _transpose_node(b, c, [d % ndim for d in _sizes(c)], 'permute')


@_register('stack')
def _stack(b, c):
    tensors, dim = c.arg(0, 'tensors'), c.arg(1, 'dim', 0)
    dim = dim % (tensors[0].value.dim() + 1)
    parts = [_with_axes(b, c, 'Unsqueeze', t.name, [dim], None) for t in tensors]
    return b.add('Concat', parts, {'axis': dim}, c.scope, 'stack')


@_register('split', 'chunk')
def _split(b, c):
    x = c.args[0]
    parts = c.value
    dim = c.arg(2, 'dim', 0) % x.value.dim()
    sizes = [p.shape[dim] for p in parts]
    if b.legacy:     # (torch computes a chunk's bounds with Shape/Gather/Div/Slice; a Split here)
        _with_axes(b, c, 'Split', x.name, sizes, {'axis': dim}, outputs=len(parts))
        return list(b.nodes[-1].output)
    out = b.add('Split', [x.name], {'axis': dim}, c.scope, 'split', numbered=True)
    node = b.nodes[-1]
    if len(set(sizes)) == 1:      # equal parts: num_outputs; else the sizes, named after the node
        node.attribute.append(b.onnx.helper.make_attribute('num_outputs', len(parts)))
    else:
        node.input.append(b.const(np.array(sizes, np.int64), hint=f'{out}_split_sizes'))
    del node.output[:]
    node.output.extend(f'{out}_split_{k}' for k in range(len(parts)))
    return list(node.output)


@_register('expand')
def _expand(b, c):
    # the TorchScript exporter computes the shape with ConstantOfShape/Equal/Where; one constant here
    shape = b.const(np.array(c.value.shape, np.int64), c.scope)
    return b.add('Expand', [c.args[0].name, shape], None, c.scope, 'expand')


@_register('cat', 'concat', 'concatenate')
def _cat(b, c):
    tensors = c.arg(0, 'tensors')
    return b.add('Concat', [t.name for t in tensors], {'axis': c.arg(1, 'dim', 0)}, c.scope, 'cat')


_INT64_MAX = 2 ** 63 - 1


@_register('getitem')
def _getitem(b, c):
    x, index = c.args
    if isinstance(x, list):           # one output of a node with several (split, max(dim))
        return x[index]
    if not isinstance(getattr(x, 'value', None), Tensor):
        raise OnnxExporterError('faketorch cannot export indexing into a non-tensor to ONNX yet')
    index = index if isinstance(index, tuple) else (index,)
    out, axis = x.name, 0
    for item in index:
        if isinstance(item, int):      # an int index removes the axis: Gather with a 0-d index
            out = b.add('Gather', [out, b.const(np.array(item, np.int64), c.scope)], {'axis': axis}, c.scope, 'select')
        elif item == slice(None):
            axis += 1
        elif isinstance(item, slice):
            # the slice's own numbers, not clamped to the size: an open end is INT64_MAX
            start = 0 if item.start is None else item.start
            stop = _INT64_MAX if item.stop is None else item.stop
            step = 1 if item.step is None else item.step
            vals = {k: np.array([v], np.int64) for k, v in (('axes', axis), ('starts', start), ('ends', stop),
                                                            ('steps', step))}
            order = ('axes', 'starts', 'ends', 'steps') if b.legacy else ('starts', 'ends', 'axes', 'steps')
            made = {k: b.const(vals[k], c.scope) for k in order}
            ins = [out, made['starts'], made['ends'], made['axes'], made['steps']]
            out = b.add('Slice', ins, None, c.scope, 'slice')
            axis += 1
        else:
            raise OnnxExporterError(f'faketorch cannot export indexing with {type(item).__name__} to ONNX yet')
    return out


@_register('unsqueeze', 'squeeze')
def _unsqueeze(b, c):
    x, dim = c.args[0], c.arg(1, 'dim')
    op = c.node.target if c.node.op == 'call_method' else c.node.target.__name__
    if dim is None:
        return b.add('Squeeze', [x.name], None, c.scope, 'squeeze')
    return _with_axes(b, c, op.capitalize(), x.name, _pair(dim, 1), None, op)


# ------------------------------------------------------------------ arithmetic, reductions

_NEUTRAL = {'Add': 0, 'Sub': 0, 'Mul': 1, 'Div': 1}     # x + 0, x * 1 ...: both exporters drop them


def _binary(op, aten):
    def convert(b, c):
        x, y = c.args[0], c.arg(1, 'other')
        if c.kwargs.get('alpha', 1) != 1:
            raise OnnxExporterError(f'faketorch cannot export {aten} with alpha to ONNX yet')
        if hasattr(x, 'name') and not isinstance(y, (bool, Tensor)) and not hasattr(y, 'name') and \
                y == _NEUTRAL.get(op) and _np(x.value).dtype == _np(c.value).dtype:
            return x.name
        if op == 'Div' and not hasattr(x, 'name') and x == 1:      # 1 / x
            return b.add('Reciprocal', [_in(b, c, y)], None, c.scope, 'reciprocal')
        arith = op in _NEUTRAL      # add/sub/mul/div
        return b.add(op, [_in(b, c, x, arith), _in(b, c, y, arith)], None, c.scope, aten)
    return convert


for _keys, _op, _aten in ((('add', 'iadd'), 'Add', 'add'), (('sub', 'isub'), 'Sub', 'sub'),
                          (('mul', 'imul'), 'Mul', 'mul'), (('truediv', 'div', 'itruediv'), 'Div', 'div'),
                          (('matmul', 'mm', 'bmm'), 'MatMul', 'matmul'), (('pow',), 'Pow', 'pow')):
    _register(*_keys)(_binary(_op, _aten))


def _reduce(op, aten):
    def convert(b, c):
        x = c.args[0]
        dim, keepdim = c.arg(1, 'dim'), c.arg(2, 'keepdim', False)
        if c.kwargs.get('dtype') is not None:
            raise OnnxExporterError(f'faketorch cannot export {aten} with dtype to ONNX yet')
        if dim is None:
            if b.legacy or aten == 'sum':
                return b.add(op, [x.name], {'keepdims': 0, 'noop_with_empty_axes': None if b.legacy else 0},
                             c.scope, aten)
            # torchlib reduces to shape (1, ..., 1), then squeezes
            r = b.add(op, [x.name], {'keepdims': 1, 'noop_with_empty_axes': 0}, c.scope)
            return b.add('Squeeze', [r], None, c.scope, aten)
        attrs = {'keepdims': int(keepdim), 'noop_with_empty_axes': None if b.legacy else 0}
        return _with_axes(b, c, op, x.name, _pair(dim, 1), attrs, aten)
    return convert


_register('mean')(_reduce('ReduceMean', 'mean'))
_register('sum')(_reduce('ReduceSum', 'sum'))


@_register('max')
def _max(b, c):
    x, dim, keepdim = c.args[0], c.arg(1, 'dim'), c.arg(2, 'keepdim', False)
    if hasattr(dim, 'name'):
        raise OnnxExporterError('faketorch cannot export the elementwise max of two tensors to ONNX yet')
    extra = {'noop_with_empty_axes': None if b.legacy else 0}
    if dim is None:
        return b.add('ReduceMax', [x.name], {'keepdims': 0, **extra}, c.scope, 'max')
    # (values, indices): ReduceMax and ArgMax; an unused one is dropped at the end
    # torch.export: one max node, its outputs getitem_<n>
    node = None if b.legacy else b._unique('max') + '__0'
    values = _with_axes(b, c, 'ReduceMax', x.name, [dim], {'keepdims': int(keepdim), **extra}, 'getitem', node=node)
    indices = b.add('ArgMax', [x.name], {'axis': dim, 'keepdims': int(keepdim), 'select_last_index': 0}, c.scope,
                    'getitem')
    return [values, indices]


@_register('argmax')
def _argmax(b, c):
    dim, keepdim = c.arg(1, 'dim'), c.arg(2, 'keepdim', False)
    if dim is None:
        raise OnnxExporterError('faketorch exports argmax with a dim only')
    attrs = {'axis': dim, 'keepdims': int(keepdim), 'select_last_index': 0}
    return b.add('ArgMax', [c.args[0].name], attrs, c.scope, 'argmax')
