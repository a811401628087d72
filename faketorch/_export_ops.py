"""The aten op each faketorch function call is recorded as by torch.export (faketorch/export.py).

torch.export traces down to aten operators through its dispatcher. faketorch has no dispatcher, so
capture watches the calls a model makes through a TorchFunctionMode (the top-level torch function
or Tensor method each line of the model calls) and records each one as the aten op torch would
record for it. A handler here has the Python signature of the faketorch function (so arguments bind
the way they bind in the call) and returns (aten name, overload, positional args, kwargs) with the
trailing arguments that equal the aten schema's defaults left out, as torch prints them. Calls with
no entry here raise: a graph without them would compute something else."""
import faketorch

_MAX = 9223372036854775807      # what torch records for an open slice end


def _op(name, overload, args, defaults=(), **kwargs):
    """args with the trailing ones equal to the schema's trailing `defaults` dropped."""
    args, defaults = list(args), list(defaults)
    while args and defaults and _same(args[-1], defaults[-1]):
        args.pop()
        defaults.pop()
    return name, overload, tuple(args), {k: v for k, v in kwargs.items() if v is not None}


def _same(a, b):
    return type(a) is type(b) and a == b if not isinstance(a, faketorch.Tensor) else False


def _ints(v, n):
    """int-list arguments as aten takes them: a single int repeated n times, tuples as lists."""
    if isinstance(v, int):
        return [v] * n
    return list(v)


def _dims(v):
    return [v] if isinstance(v, int) else list(v)


def _size(size):
    """view(2, -1), view((2, -1)) and view([2, -1]) all record [2, -1]."""
    if len(size) == 1 and isinstance(size[0], (tuple, list, faketorch.Size)):
        return list(size[0])
    return list(size)


# --- pointwise -------------------------------------------------------------------------------------
def _binary(name):
    def h(input, other, *, alpha=None, out=None):
        return _op(name, 'Tensor', (input, other), alpha=alpha if alpha not in (None, 1) else None)
    return h


def _reflected(name):       # 2 * x records mul.Tensor(x, 2); 2 - x records rsub.Scalar(x, 2)
    def h(input, other):
        if name == 'rsub':
            return _op('rsub', 'Scalar', (input, other))
        return _op(name, 'Tensor', (input, other))
    return h


def _div(input, other, *, rounding_mode=None, out=None):
    if rounding_mode is not None:
        return _op('div', 'Tensor_mode', (input, other), rounding_mode=rounding_mode)
    return _op('div', 'Tensor', (input, other))


def _pow(input, exponent, *, out=None):
    if isinstance(input, faketorch.Tensor):
        over = 'Tensor_Tensor' if isinstance(exponent, faketorch.Tensor) else 'Tensor_Scalar'
    else:
        over = 'Scalar'
    return _op('pow', over, (input, exponent))


def _unary(name):
    def h(input, *, out=None):
        return _op(name, 'default', (input,))
    return h


def _relu(input, inplace=False):
    return _op('relu_' if inplace else 'relu', 'default', (input,))


def _gelu(input, approximate='none'):
    return _op('gelu', 'default', (input,), approximate=None if approximate == 'none' else approximate)


def _silu(input, inplace=False):
    return _op('silu_' if inplace else 'silu', 'default', (input,))


def _leaky_relu(input, negative_slope=0.01, inplace=False):
    return _op('leaky_relu_' if inplace else 'leaky_relu', 'default', (input, negative_slope), (0.01,))


def _clamp(input, min=None, max=None, *, out=None):
    return _op('clamp', 'default', (input, min, max), (None, None))


def _softmax(name):
    def h(input, dim=None, _stacklevel=3, dtype=None):
        return _op(name, 'int', (input, dim, dtype), (None,))
    return h


# --- shapes ------------------------------------------------------------------------------------------
def _view(name):
    def h(input, *shape):
        return _op(name, 'default', (input, _size(shape)))
    return h


def _reshape(input, *shape):
    return _op('reshape', 'default', (input, _size(shape)))


def _permute(input, *dims):
    return _op('permute', 'default', (input, _size(dims)))


def _transpose(input, dim0, dim1):
    return _op('transpose', 'int', (input, dim0, dim1))


def _flatten(input, start_dim=0, end_dim=-1):
    return _op('flatten', 'using_ints', (input, start_dim, end_dim), (0, -1))


def _unsqueeze(input, dim):
    return _op('unsqueeze', 'default', (input, dim))


def _squeeze(input, dim=None):
    if dim is None:
        return _op('squeeze', 'default', (input,))
    if isinstance(dim, int):
        return _op('squeeze', 'dim', (input, dim))
    return _op('squeeze', 'dims', (input, list(dim)))


def _cat(name):
    def h(tensors, dim=0, *, out=None):
        return _op(name, 'default', (list(tensors), dim), (0,))
    return h


def _expand(input, *sizes):
    return _op('expand', 'default', (input, _size(sizes)))


def _contiguous(input, memory_format=None):
    return _op('contiguous', 'default', (input,))


def _getitem(input, index):
    """x[i], x[a:b], x[None], x[..., i]: the select / slice / unsqueeze chain torch records."""
    if not isinstance(index, tuple):
        index = (index,)
    if any(isinstance(i, (faketorch.Tensor, list, bool)) for i in index) or index.count(Ellipsis) > 1:
        raise NotImplementedError('faketorch torch.export: indexing with tensors, lists or bools is not captured')
    if Ellipsis in index:
        k = index.index(Ellipsis)
        used = sum(1 for i in index if i is not None and i is not Ellipsis)
        index = index[:k] + (slice(None),) * (input.dim() - used) + index[k + 1:]
    steps, dim = [], 0
    for i in index:
        if i is None:
            steps.append(('unsqueeze', 'default', (dim,)))
            dim += 1
        elif isinstance(i, int):
            steps.append(('select', 'int', (dim, i)))
        elif isinstance(i, slice):
            if i != slice(None):
                start = 0 if i.start is None else i.start
                stop = _MAX if i.stop is None else i.stop
                args = (dim, start, stop) if i.step in (None, 1) else (dim, start, stop, i.step)
                steps.append(('slice', 'Tensor', args))
            dim += 1
        else:
            raise NotImplementedError(f'faketorch torch.export: indexing with {type(i).__name__} is not captured')
    return steps


def _split(input, split_size_or_sections, dim=0):
    if isinstance(split_size_or_sections, int):
        return _op('split', 'Tensor', (input, split_size_or_sections, dim), (0,))
    return _op('split_with_sizes', 'default', (input, list(split_size_or_sections), dim), (0,))


def _chunk(input, chunks, dim=0):
    return _op('chunk', 'default', (input, chunks, dim), (0,))


def _repeat(input, *sizes):
    return _op('repeat', 'default', (input, _size(sizes)))


def _where(condition, input=None, other=None, *, out=None):
    if input is None:
        raise NotImplementedError('faketorch torch.export: torch.where(condition) has a data-dependent shape')
    t = faketorch.Tensor
    over = 'self' if isinstance(input, t) and isinstance(other, t) else \
        'ScalarOther' if isinstance(input, t) else 'ScalarSelf' if isinstance(other, t) else 'Scalar'
    return _op('where', over, (condition, input, other))


def _masked_fill(input, mask, value):
    return _op('masked_fill', 'Tensor' if isinstance(value, faketorch.Tensor) else 'Scalar', (input, mask, value))


def _sdpa(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False):
    return _op('scaled_dot_product_attention', 'default', (query, key, value, attn_mask, dropout_p, is_causal),
               (None, 0.0, False), scale=scale, enable_gqa=enable_gqa or None)


# --- reductions ------------------------------------------------------------------------------------
def _reduce(name):
    def h(input, dim=None, keepdim=False, *, dtype=None, out=None):
        if dim is None:
            return _op(name, 'default', (input,), dtype=dtype)
        return _op(name, 'dim' if name == 'mean' else 'dim_IntList', (input, _dims(dim), keepdim), (False,),
                   dtype=dtype)
    return h


def _argmax(name):
    def h(input, dim=None, keepdim=False):
        return _op(name, 'default', (input, dim, keepdim), (None, False))
    return h


def _max(name):
    def h(input, dim=None, keepdim=False, *, out=None):
        if dim is None:
            return _op(name, 'default', (input,))
        if isinstance(dim, faketorch.Tensor):
            return _op('maximum' if name == 'max' else 'minimum', 'default', (input, dim))
        return _op(name, 'dim', (input, dim, keepdim), (False,))
    return h


# --- nn --------------------------------------------------------------------------------------------
def _linear(input, weight, bias=None):
    return _op('linear', 'default', (input, weight, bias), (None,))


def _conv(nd):
    def h(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
        if isinstance(padding, str):
            raise NotImplementedError("faketorch torch.export: conv with padding='same'/'valid' is not captured")
        return _op(f'conv{nd}d', 'default', (input, weight, bias, _ints(stride, nd), _ints(padding, nd),
                                             _ints(dilation, nd), groups),
                   (None, [1] * nd, [0] * nd, [1] * nd, 1))
    return h


def _batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
                eps=1e-05):
    if training:
        raise NotImplementedError('faketorch torch.export: batch_norm in training mode updates its buffers, which '
                                  'export does not capture here; call model.eval() before exporting')
    return _op('batch_norm', 'default', (input, weight, bias, running_mean, running_var, training, momentum, eps,
                                         False))


def _layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    return _op('layer_norm', 'default', (input, list(normalized_shape), weight, bias, eps, False))


def _dropout(input, p=0.5, training=True, inplace=False):
    return _op('dropout_' if inplace else 'dropout', 'default', (input, p, training))


def _embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
               sparse=False):
    if max_norm is not None:
        raise NotImplementedError('faketorch torch.export: embedding with max_norm is not captured')
    return _op('embedding', 'default', (weight, input, -1 if padding_idx is None else padding_idx,
                                        scale_grad_by_freq, sparse), (-1, False, False))


def _max_pool(nd):
    def h(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
        if return_indices:
            raise NotImplementedError('faketorch torch.export: max_pool with return_indices is not captured')
        stride = [] if stride is None else _ints(stride, nd)
        return _op(f'max_pool{nd}d', 'default', (input, _ints(kernel_size, nd), stride, _ints(padding, nd),
                                                 _ints(dilation, nd), ceil_mode),
                   ([], [0] * nd, [1] * nd, False))
    return h


def _avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                divisor_override=None):
    stride = [] if stride is None else _ints(stride, 2)      # torch's F.avg_pool2d hands aten [] for None
    return _op('avg_pool2d', 'default', (input, _ints(kernel_size, 2), stride, _ints(padding, 2), ceil_mode,
                                         count_include_pad, divisor_override),
               ([], [0, 0], False, True, None))


def _adaptive(name, nd):
    def h(input, output_size):
        return _op(name, 'default', (input, _ints(output_size, nd)))
    return h


def _matmul(name):
    def h(input, other, *, out=None):
        return _op(name, 'default', (input, other))
    return h


def _factory(name):
    def h(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
        return _op(name, 'default', (_size(size),), dtype=dtype, device=faketorch.device(device or 'cpu'),
                   pin_memory=pin_memory)
    return h


def _arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
            pin_memory=False):
    args = (start,) if end is None else (start, end) if step == 1 else (start, end, step)
    return _op('arange', ('default', 'start', 'start_step')[len(args) - 1], args, dtype=dtype,
               device=faketorch.device(device or 'cpu'), pin_memory=pin_memory)


def _like(name):
    def h(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
        return _op(name, 'default', (input,), dtype=dtype, pin_memory=False)
    return h


# faketorch name -> handler; looked up on torch, torch.nn.functional and Tensor (the same call in each)
_BY_NAME = {
    'add': _binary('add'), 'sub': _binary('sub'), 'mul': _binary('mul'), 'div': _div, 'true_divide': _div,
    '__add__': _binary('add'), '__sub__': _binary('sub'), '__mul__': _binary('mul'), '__truediv__': _div,
    '__radd__': _reflected('add'), '__rmul__': _reflected('mul'), '__rsub__': _reflected('rsub'),
    '__matmul__': _matmul('matmul'), '__pow__': _pow, 'pow': _pow, '__neg__': _unary('neg'),
    'add_': _binary('add_'), 'sub_': _binary('sub_'), 'mul_': _binary('mul_'),
    '__iadd__': _binary('add_'), '__isub__': _binary('sub_'), '__imul__': _binary('mul_'),
    'relu': _relu, 'relu_': lambda input: _op('relu_', 'default', (input,)), 'gelu': _gelu, 'silu': _silu,
    'leaky_relu': _leaky_relu, 'clamp': _clamp, 'clip': _clamp,
    'softmax': _softmax('softmax'), 'log_softmax': _softmax('log_softmax'),
    'view': _view('view'), 'reshape': _reshape, 'permute': _permute, 'transpose': _transpose,
    't': lambda input: _op('t', 'default', (input,)), 'flatten': _flatten, 'unsqueeze': _unsqueeze,
    'squeeze': _squeeze, 'cat': _cat('cat'), 'concat': _cat('cat'), 'stack': _cat('stack'), 'expand': _expand,
    'contiguous': _contiguous, '__getitem__': _getitem, 'split': _split, 'chunk': _chunk, 'repeat': _repeat,
    'where': _where, 'masked_fill': _masked_fill, 'scaled_dot_product_attention': _sdpa,
    'sum': _reduce('sum'), 'mean': _reduce('mean'), 'amax': _reduce('amax'), 'argmax': _argmax('argmax'),
    'argmin': _argmax('argmin'), 'max': _max('max'), 'min': _max('min'),
    'linear': _linear, 'conv1d': _conv(1), 'conv2d': _conv(2), 'batch_norm': _batch_norm,
    'layer_norm': _layer_norm, 'dropout': _dropout, 'embedding': _embedding, 'max_pool1d': _max_pool(1),
    'max_pool2d': _max_pool(2), 'avg_pool2d': _avg_pool2d,
    'adaptive_avg_pool1d': _adaptive('adaptive_avg_pool1d', 1),
    'adaptive_avg_pool2d': _adaptive('adaptive_avg_pool2d', 2),
    'matmul': _matmul('matmul'), 'mm': _matmul('mm'), 'bmm': _matmul('bmm'),
    'arange': _arange, 'ones': _factory('ones'), 'zeros': _factory('zeros'), 'ones_like': _like('ones_like'),
    'zeros_like': _like('zeros_like'),
}
for _n in ('sigmoid', 'tanh', 'exp', 'log', 'abs', 'sqrt', 'rsqrt', 'sin', 'cos', 'neg', 'clone', 'detach'):
    _BY_NAME[_n] = _unary(_n)

# names that are a different op as functions: torch.max(a, b), F.softmax ... share the handler
_NAMESPACES = ('', 'nn.functional')
_table = {}


def handler_for(func):
    """The handler recording func (a faketorch function or Tensor method), or None."""
    if not _table:
        _table.update(function_table(_BY_NAME))
        _table[faketorch.nn.functional.relu_] = _BY_NAME['relu_']
    return lookup(_table, func)


def function_table(by_name):
    """{function: value} for each `name: value` of by_name: torch.<name>, torch.nn.functional.<name> and
    Tensor.<name> (the same call reached three ways). The flop counter keys its rules the same way."""
    table = {}
    for name, h in by_name.items():
        for ns in _NAMESPACES:
            mod = faketorch
            for part in filter(None, ns.split('.')):
                mod = getattr(mod, part)
            f = mod.__dict__.get(name) if not ns else getattr(mod, name, None)
            if f is None and not ns:
                f = getattr(faketorch, name, None)
            if callable(f):
                table.setdefault(f, h)
        f = faketorch.Tensor.__dict__.get(name, getattr(faketorch.Tensor, name, None))
        if callable(f):
            table.setdefault(f, h)
    return table


def lookup(table, func):
    """table's value for func, or None."""
    while func is not None:     # a function re-wrapped since the table was made (torch.nested's routers)
        try:
            h = table.get(func)
        except TypeError:
            return None
        if h is not None:
            return h
        func = getattr(func, '__wrapped__', None)
    return None
