"""Bad arguments to pooling and convolution: torch's error for each rule, in torch's order (the
checks on the Python ints of kernel size, stride, padding, dilation, groups and output size, which
come before, between or after the input's shape and dtype checks depending on the op)."""
from conformance import case, check

F = 'torch.nn.functional.'


def _x(torch, shape, dtype='float'):
    n = 1
    for s in shape:
        n *= s
    return torch.arange(float(n)).reshape(shape).sin().to(getattr(torch, dtype))


def _call(torch, fn, shape, *args, dtype='float', **kw):
    return getattr(torch.nn.functional, fn)(_x(torch, shape, dtype), *args, **kw)


# --- max/avg pools: one rule each (the 2-d and 3-d pools share them, with their own wording) ---
for fn, shape, args, kw, name in [
        ('max_pool2d', (1, 2, 5, 5), (0,), {}, 'kernel_zero_is_stride_zero'),
        ('max_pool2d', (1, 2, 5, 5), (0, 1), {}, 'kernel_zero'),
        ('max_pool2d', (1, 2, 5, 5), (2, -1), {}, 'stride_negative'),
        ('max_pool3d', (1, 2, 5, 5, 5), (2, -1), {}, 'stride_negative'),
        ('max_pool2d', (1, 2, 5, 5), (2, 1, -1), {}, 'padding_negative'),
        ('max_pool2d', (1, 2, 5, 5), (2, 1, 2), {}, 'padding_over_half_effective_kernel'),
        ('max_pool2d', (1, 2, 5, 5), (3, 1, 2, 2), {}, 'padding_over_half_kernel'),
        ('max_pool3d', (1, 2, 5, 5, 5), (3, 1, 2, 2), {}, 'padding_over_half_kernel'),
        ('max_pool2d', (1, 2, 5, 5), (2, 2, 0, 0), {}, 'dilation_zero'),
        ('max_pool3d', (1, 2, 5, 5, 5), (2, 2, 0, 0), {}, 'dilation_zero'),
        ('max_pool2d', (1, 2, 5, 5), ((2, 2, 2),), {}, 'kernel_three_ints'),
        ('max_pool2d', (1, 2, 5, 5), (2, 1, 0, (1, 1, 1)), {}, 'dilation_three_ints'),
        ('avg_pool3d', (1, 2, 5, 5, 5), (2, (2, 2)), {}, 'stride_two_ints'),
        ('max_pool2d', (1, 1, 2, 5, 5), (2,), {}, 'five_dims'),
        ('max_pool2d', (1, 0, 5, 5), (2,), {}, 'empty_channels'),
        ('max_pool3d', (2, 5, 0, 5), (2,), {}, 'empty_dim'),
        ('avg_pool3d', (1, 2, 2, 2, 2), (3, 1, 1), {}, 'input_smaller_than_kernel'),
        ('max_pool2d', (1, 2, 5, 5), (6,), {}, 'output_too_small'),
        ('avg_pool2d', (1, 2, 5, 5), (2,), dict(divisor_override=0), 'divisor_zero'),
        ('avg_pool2d', (5, 5), (2,), {}, 'two_dims'),
        ('max_pool2d', (1, 2, 5, 5), (2,), dict(dtype='bool'), 'bool'),
        ('avg_pool2d', (1, 2, 5, 5), (2,), dict(dtype='int'), 'int'),
        ('avg_pool3d', (1, 2, 5, 5, 5), (2,), dict(dtype='half'), 'half'),
        ('max_pool2d', (1, 2, 7, 7), (3, 2, 1, 2), dict(ceil_mode=True, return_indices=True), 'ceil_dilated'),
        ('avg_pool2d', (1, 2, 7, 7), (3, 2, 1), dict(ceil_mode=True, count_include_pad=False), 'ceil_exclude_pad'),
        ('avg_pool2d', (1, 2, 5, 5), (2, 1, 1), dict(divisor_override=-3), 'divisor_negative'),
        ('avg_pool3d', (1, 2, 5, 5, 5), (2, None, 1), dict(ceil_mode=True, divisor_override=3), 'ceil_divisor')]:
    check(F + fn, lambda torch, fn=fn, shape=shape, args=args, kw=kw: _call(torch, fn, shape, *args, **kw),
          name='arg_' + name)

# --- the 1-d pools: max_pool1d checks its own arguments (its kernel has no integer loops); with
# indices, and avg_pool1d, run torch's 2-d pool on an unsqueezed input after checkDimRange/check1d ---
for fn, shape, args, kw, name in [
        ('max_pool1d', (1, 2, 5), (2,), dict(dtype='long'), 'long'),
        ('max_pool1d', (1, 2, 5), (2,), dict(dtype='long', return_indices=True), 'long_indices'),
        ('max_pool1d', (1, 2, 5), (0,), {}, 'kernel_zero'),
        ('max_pool1d', (1, 2, 5), (2, (2, 2)), {}, 'stride_two_ints'),
        ('max_pool1d', (1, 2, 5), (2, (2, 2)), dict(return_indices=True), 'indices_stride_two_ints'),
        ('max_pool1d', (1, 2, 5), (2, 1, 2), {}, 'padding_over_half_kernel'),
        ('max_pool1d', (1, 2, 5), (3, 1, 2, 2), dict(return_indices=True), 'indices_padding_over_half_kernel'),
        ('max_pool1d', (1, 2, 5), (2, 1, 0, 0), {}, 'dilation_zero'),
        ('max_pool1d', (1, 2, 5), (6,), {}, 'output_too_small'),
        ('max_pool1d', (0, 5), (2,), {}, 'empty_channels'),
        ('max_pool1d', (5,), (2,), dict(return_indices=True), 'indices_one_dim'),
        ('avg_pool1d', (5,), (2,), {}, 'one_dim'),
        ('avg_pool1d', (1, 2, 5), (2, -1), {}, 'stride_negative'),
        ('lp_pool1d', (1, 2, 5), (2.0, 0), {}, 'kernel_zero'),
        ('lp_pool2d', (1, 2, 5, 5), (2.0, 2, -1), {}, 'stride_negative')]:
    check(F + fn, lambda torch, fn=fn, shape=shape, args=args, kw=kw: _call(torch, fn, shape, *args, **kw),
          name='arg_' + name)


@case(F + 'max_pool1d')
def arg_requires_grad_dilated_ceil(torch):
    # with a gradient to track torch runs the 2-d kernel, past max_pool1d's own checks
    x = _x(torch, (1, 2, 7)).requires_grad_()
    y = torch.nn.functional.max_pool1d(x, 3, 2, 1, 2, ceil_mode=True)
    y.sum().backward()
    return y, x.grad


# --- adaptive pools ---
for fn, shape, size, name in [
        ('adaptive_avg_pool2d', (1, 2, 4, 4), -1, 'negative'),
        ('adaptive_avg_pool3d', (1, 2, 4, 4, 4), -2, 'negative'),
        ('adaptive_avg_pool2d', (1, 2, 4, 4), 0, 'zero'),
        ('adaptive_max_pool2d', (1, 2, 4, 4), 0, 'zero'),
        ('adaptive_max_pool2d', (1, 2, 4, 4), -1, 'negative'),
        ('adaptive_max_pool2d', (1, 2, 4, 4), (2, 2, 2), 'three_sizes'),
        ('adaptive_avg_pool2d', (2, 4, 4), (2, 2, 2), 'more_sizes_than_dims'),
        ('adaptive_avg_pool2d', (2, 4, 4), None, 'none'),
        ('adaptive_avg_pool2d', (4, 4), 1, 'mean_of_two_dims'),
        ('adaptive_avg_pool2d', (4, 4), 2, 'two_dims'),
        ('adaptive_max_pool3d', (4, 4, 4), 2, 'three_dims'),
        ('adaptive_avg_pool3d', (1, 1, 0, 4, 4, 4), 2, 'six_dims_empty'),
        ('adaptive_avg_pool1d', (1, 2, 4), (2, 2), 'two_sizes'),
        ('adaptive_max_pool1d', (1, 2, 4), 2.5, 'float_size'),
        ('adaptive_avg_pool1d', (1, 2, 4), -1, 'negative'),
        ('adaptive_max_pool2d', (1, 2, 4, 4), (None, 3), 'none_entry')]:
    check(F + fn, lambda torch, fn=fn, shape=shape, size=size: _call(torch, fn, shape, size), name='arg_' + name)
for fn, shape in (('adaptive_avg_pool2d', (1, 2, 4, 4)), ('adaptive_max_pool3d', (1, 2, 4, 4, 4))):
    check(F + fn, lambda torch, fn=fn, shape=shape: _call(torch, fn, shape, 2, dtype='long'), name='arg_long')


@case(F + 'adaptive_avg_pool2d')
def arg_zero_size_backward(torch):
    x = _x(torch, (1, 2, 4, 4)).requires_grad_()
    y = torch.nn.functional.adaptive_avg_pool2d(x, 0)
    y.sum().backward()
    return y


# --- fractional max pools (explicit samples: no random stream involved) ---
def _frac(torch, nd, shape, k, out=None, ratio=None, samples=(1, 2), dtype='float', sdtype=None):
    s = torch.rand(samples[0], samples[1], nd).to(getattr(torch, sdtype or dtype))
    return getattr(torch.nn.functional, f'fractional_max_pool{nd}d')(
        _x(torch, shape, dtype), k, out, ratio, return_indices=True, _random_samples=s)


for nd, shape, k, out, ratio, kw, name in [
        (2, (1, 2, 4, 4), 3, 3, None, {}, 'pool_too_large'),
        (3, (1, 2, 4, 4, 4), 2, 3, None, {}, 'window_ends_at_input_end'),
        (3, (1, 2, 4, 4, 4), 5, -1, None, {}, 'kernel_larger_than_input'),
        (2, (1, 2, 4, 4), 2, -1, None, {}, 'negative_output'),
        (2, (1, 2, 4, 4), 2, 0, None, {}, 'zero_output'),
        (2, (1, 2, 4, 4), 0, 2, None, {}, 'kernel_zero'),
        (2, (1, 2, 4, 4), 2, None, 0.5, {}, 'float_ratio'),
        (2, (1, 2, 4, 4), 2, None, (0.5, 0.5, 0.5), {}, 'three_ratios'),
        (3, (1, 2, 4, 4, 4), (2, 2), 2, None, {}, 'kernel_two_ints'),
        (2, (1, 0, 4, 4), 2, 2, None, {}, 'empty_channels'),
        (2, (4, 4), 2, 2, None, {}, 'two_dims'),
        (2, (1, 2, 4, 4), 2, 2, None, dict(samples=(1, 3)), 'samples_channels'),
        (2, (2, 2, 4, 4), 2, 2, None, dict(samples=(1, 2)), 'samples_batch'),
        (2, (1, 2, 4, 4), 2, 2, None, dict(sdtype='double'), 'samples_dtype'),
        (3, (1, 2, 4, 4, 4), 2, 2, None, dict(dtype='long'), 'long')]:
    check(F + f'fractional_max_pool{nd}d', lambda torch, a=(nd, shape, k, out, ratio), kw=kw: _frac(torch, *a, **kw),
          name='arg_' + name)
check('torch.nn.FractionalMaxPool3d', lambda torch: torch.nn.FractionalMaxPool3d(0, 2), name='arg_kernel_zero')
check('torch.nn.FractionalMaxPool2d', lambda torch: torch.nn.FractionalMaxPool2d(2, output_ratio=(0.5, 0.5, 2.0)),
      name='arg_third_ratio_unchecked')


# --- max_unpool: torch.nn.functional's output size rule, then the kernel's checks ---
def _unpool(torch, nd, k=2, s=None, p=0, out=None, idx='ok', dtype='float'):
    x = _x(torch, (1, 2) + (6,) * nd)
    y, i = getattr(torch.nn.functional, f'max_pool{nd}d')(x, 2, return_indices=True)
    if idx == 'int':
        i = i.int()
    elif idx == 'short':
        i = i[..., :1]
    elif idx == 'bad':
        i = i.clone()
        i.view(-1)[3] = 1000
    return getattr(torch.nn.functional, f'max_unpool{nd}d')(y.to(getattr(torch, dtype)), i, k, s, p, out)


for nd, kw, name in [(2, dict(out=(9, 9)), 'output_size_out_of_range'),
                     (2, dict(out=(6,)), 'output_size_length'),
                     (2, dict(out=(1, 2, 6, 6)), 'output_size_with_batch'),
                     (2, dict(idx='int'), 'int_indices'),
                     (3, dict(idx='int'), 'int_indices'),
                     (2, dict(idx='short'), 'indices_shape'),
                     (2, dict(idx='bad'), 'invalid_index'),
                     (3, dict(s=0), 'stride_zero'),
                     (1, dict(k=0, s=0), 'kernel_and_stride_zero'),
                     (2, dict(dtype='long'), 'long')]:
    check(F + f'max_unpool{nd}d', lambda torch, nd=nd, kw=kw: _unpool(torch, nd, **kw), name='arg_' + name)
check(F + 'max_unpool3d', lambda torch: torch.nn.functional.max_unpool3d(
    torch.ones(1, 2, 3, 3), torch.zeros(1, 2, 3, 3, dtype=torch.long), 2), name='arg_unbatched')


# --- convolution: conv{n}d's own checks, aten::_convolution's, then the chosen kernel's ---
def _conv(torch, fn, x, w, *args, b=None, dtype='float', wdtype=None, **kw):
    f = getattr(torch.nn.functional, fn)
    bias = None if b is None else _x(torch, b[0], b[1])
    return f(_x(torch, x, dtype), _x(torch, w, wdtype or dtype), bias, *args, **kw)


X2, W2 = (1, 4, 6, 6), (4, 4, 3, 3)
for fn, x, w, args, kw, name in [
        ('conv2d', X2, W2, (0,), {}, 'stride_zero'),
        ('conv2d', X2, W2, (1, -1), {}, 'padding_negative'),
        ('conv2d', X2, W2, (1, 0, -1), {}, 'dilation_negative'),
        ('conv2d', X2, W2, (1, 0, 0), {}, 'dilation_zero'),
        ('conv1d', (1, 4, 6), (4, 4, 3), (1, 0, 0), {}, 'dilation_zero'),
        ('conv3d', (1, 4, 6, 6, 6), (4, 4, 3, 3, 3), (1, 0, 0), {}, 'dilation_zero'),
        ('conv2d', X2, (4, 2, 3, 3), (1, 0, 0, 2), {}, 'dilation_zero_onednn'),
        ('conv2d', (0, 4, 6, 6), W2, (1, 0, 0), {}, 'dilation_zero_empty_batch'),
        ('conv2d', X2, W2, (1, 0, 1, 0), {}, 'groups_zero'),
        ('conv2d', X2, W2, (1, 0, 1, 3), {}, 'groups_not_dividing'),
        ('conv2d', X2, W2, (1, 0, 1, 8), {}, 'groups_over_out_channels'),
        ('conv2d', X2, W2, (2, 'same'), {}, 'same_strided'),
        ('conv2d', X2, W2, (1, 'same', 1, 0), {}, 'same_groups_zero'),
        ('conv2d', X2, W2, (1, 'foo'), {}, 'bad_padding_string'),
        ('conv2d', X2, (4, 4, 4, 4), (1, 'same', 2), {}, 'same_even_kernel'),
        ('conv2d', (1, 3, 6, 6), (4, 4, 4, 4), (1, 'same'), {}, 'same_even_kernel_channels'),
        ('conv2d', X2, W2, (1, 'valid'), dict(b=((4,), 'double')), 'valid_casts_bias'),
        ('conv2d', (6, 6), W2, (1, -1), dict(b=((4,), 'double')), 'bias_dtype_first'),
        ('conv2d', X2, W2, ((1, 1, 1),), {}, 'stride_three_ints'),
        ('conv2d', X2, (4, 4, 3, 3, 3), (), {}, 'five_dim_weight'),
        ('conv1d', (1, 4, 6), W2, (), {}, 'four_dim_weight'),
        ('conv2d', X2, (4, 4), (), {}, 'two_dim_weight'),
        ('conv2d', X2, W2, (), dict(b=((3,), 'float')), 'bias_size'),
        ('conv2d', X2, (4, 4, 0, 3), (), dict(dtype='double'), 'kernel_zero'),
        ('conv2d', X2, (4, 4, 0, 3), (1, 0, 2), dict(dtype='double'), 'kernel_zero_dilated'),
        ('conv3d', (1, 4, 6, 6, 6), (4, 4, 0, 3, 3), (), {}, 'kernel_zero'),
        ('conv2d', (1, 0, 6, 6), (4, 0, 3, 3), (), {}, 'no_channels'),
        ('conv2d', (1, 4, 0, 6), (4, 4, 1, 1), (1, 1), {}, 'empty_spatial_dim'),
        ('conv2d', X2, W2, (), dict(wdtype='double'), 'weight_dtype_slow'),
        ('conv2d', X2, (4, 2, 3, 3), (1, 0, 0, 2), dict(wdtype='double'), 'weight_dtype_before_onednn_dilation'),
        ('conv2d', X2, W2, (), dict(dtype='long'), 'long'),
        ('conv_transpose2d', X2, (4, 2, 3, 3), (1, 0, -1), {}, 'output_padding_negative'),
        ('conv_transpose2d', X2, (4, 2, 3, 3), (1, 0, 1), {}, 'output_padding_not_below_stride'),
        ('conv_transpose3d', (1, 4, 6, 6, 6), (4, 2, 3, 3, 3), (1, 0, 1), {}, 'output_padding_not_below_stride'),
        ('conv_transpose2d', X2, (4, 2, 3, 3), (1, 0, 0, 1, 0), {}, 'dilation_zero'),
        ('conv_transpose1d', (1, 4, 6), (4, 2, 3), (1, 0, 0, 1, 0), {}, 'dilation_zero'),
        ('conv_transpose3d', (1, 4, 6, 6, 6), (4, 2, 3, 3, 3), (1, 0, 0, 1, 0), {}, 'dilation_zero'),
        ('conv_transpose2d', X2, (4, 2, 3, 3), (1, 'same'), {}, 'padding_string'),
        ('conv_transpose2d', X2, (4, 2, 3, 3), (1, 5), {}, 'output_too_small'),
        ('conv_transpose2d', X2, (4, 2, 3, 3), (1, 5, 0, 2), {}, 'output_too_small_onednn'),
        ('conv_transpose2d', (2, 4, 6, 6), (4, 2, 3, 3), (1, 5, 0, 1, 2), {}, 'output_empty_onednn'),
        ('conv_transpose3d', (1, 4, 6, 6, 6), (4, 2, 0, 3, 3), (), {}, 'kernel_zero'),
        ('conv_transpose2d', (0, 4, 6, 6), (4, 2, 3, 3), (2, 1, 1, 2), {}, 'empty_batch'),
        ('conv_transpose2d', (0, 4, 6, 6), (4, 2, 3, 3), (1, 5), {}, 'empty_batch_negative_size')]:
    check(F + fn, lambda torch, a=(fn, x, w) + args, kw=kw: _conv(torch, *a, **kw), name='arg_' + name)


@case(F + 'conv2d')
def arg_empty_batch_grad(torch):
    x = _x(torch, (0, 4, 6, 6)).requires_grad_()
    w = _x(torch, (4, 4, 3, 3)).requires_grad_()
    y = torch.nn.functional.conv2d(x, w, None, 2, 1)
    y.sum().backward()
    return y, x.grad, w.grad, y.grad_fn.name()


# --- the modules: constructor errors, and padding modes through F.pad ---
for cls, args, kw, shape, name in [
        ('Conv2d', (4, 4, 3), dict(groups=3), None, 'in_channels_not_divisible'),
        ('Conv2d', (4, 6, 3), dict(groups=4), None, 'out_channels_not_divisible'),
        ('Conv2d', (4, 4, 3), dict(groups=0), None, 'groups_zero'),
        ('Conv2d', (4, 4, 3), dict(stride=2, padding='same'), None, 'same_strided'),
        ('ConvTranspose2d', (4, 4, 3), dict(padding_mode='reflect'), None, 'transpose_reflect'),
        ('Conv2d', (4, 4, 3), dict(padding=6, padding_mode='reflect'), (1, 4, 6, 6), 'reflect_too_wide'),
        ('Conv2d', (4, 4, 3), dict(padding=(6, 1), padding_mode='reflect'), (1, 4, 6, 6), 'reflect_too_tall'),
        ('Conv2d', (4, 4, 3), dict(padding=7, padding_mode='circular'), (1, 4, 6, 6), 'circular_wraps_twice'),
        ('Conv2d', (4, 4, 3), dict(padding=2, padding_mode='replicate'), (4, 6, 6), 'replicate_unbatched'),
        ('Conv1d', (4, 4, 3), dict(padding=(1, 1), padding_mode='reflect'), (6,), 'reflect_pad_too_long'),
        ('Conv3d', (4, 4, 4), dict(padding='same', dilation=2, padding_mode='reflect'), (1, 4, 6, 6, 6),
         'same_reflect'),
        ('ConvTranspose2d', (4, 4, 3), dict(padding='same'), (1, 4, 6, 6), 'transpose_padding_string')]:
    check(f'torch.nn.{cls}', lambda torch, cls=cls, args=args, kw=kw, shape=shape: (
        getattr(torch.nn, cls)(*args, **kw)(_x(torch, shape)) if shape else getattr(torch.nn, cls)(*args, **kw)),
        values=False, name='arg_' + name)

for shape, pad, mode, name in [((3, 3, 3), [1, 1, 5, 5], 'reflect', 'reflect_height_argument'),
                               ((2, 0, 3), [1, 1], 'replicate', 'replicate_empty_dim'),
                               ((3, 3), [1, 1, 1], 'foo', 'unknown_mode_first'),
                               ((3,), [1] * 4, 'reflect', 'too_long_for_input')]:
    check(F + 'pad', lambda torch, shape=shape, pad=pad, mode=mode: torch.nn.functional.pad(
        _x(torch, shape), pad, mode), name='arg_' + name)
