"""Bad input to the spatial layers and normalizations: torch's errors, in torch's order (found by
fuzzing every combination of dtypes, shapes and arguments against torch)."""
import numpy as np

from conformance import case, check


def _conv(torch, fn, x, w, b=None, **kw):
    f = getattr(torch.nn.functional, fn)
    return f(torch.ones(x[0], dtype=getattr(torch, x[1])), torch.ones(w[0], dtype=getattr(torch, w[1])),
             None if b is None else torch.ones(b[0], dtype=getattr(torch, b[1])), **kw)


# the bias is checked before the weight; float32 errors depend on whether torch would use oneDNN
for name, x, w, b in [
        ('long_input_float_bias', ((1, 3, 8, 8), 'long'), ((4, 3, 3, 3), 'float'), ((4,), 'float')),
        ('double_input_long_weight', ((1, 3, 8, 8), 'double'), ((4, 3, 3, 3), 'long'), None),
        ('float_input_double_weight_small', ((1, 3, 8, 8), 'float'), ((4, 3, 3, 3), 'double'), None),
        ('float_input_double_weight_batch', ((2, 3, 8, 8), 'float'), ((4, 3, 3, 3), 'double'), None),
        ('float_input_double_weight_big_kernel', ((1, 3, 8, 8), 'float'), ((4, 3, 4, 4), 'double'), None),
        ('float_input_double_weight_large', ((1, 3, 100, 100), 'float'), ((4, 3, 3, 3), 'double'), None),
        ('half_input_float_weight_long_bias', ((1, 3, 8, 8), 'half'), ((4, 3, 3, 3), 'float'), ((4,), 'long'))]:
    check('torch.nn.functional.conv2d', lambda torch, x=x, w=w, b=b: _conv(torch, 'conv2d', x, w, b),
          name=f'dtype_{name}')
check('torch.nn.functional.conv1d', lambda torch: _conv(torch, 'conv1d', ((1, 3, 30000), 'float'),
                                                       ((4, 3, 3), 'double')), name='dtype_large_input')
check('torch.nn.functional.conv3d', lambda torch: _conv(torch, 'conv3d', ((2, 3, 4, 4, 4), 'float'),
                                                       ((4, 3, 3, 3, 3), 'double')), name='dtype_batch')
for name, x, b in [('float_bias_cast', ((1, 3, 8, 8), 'float'), ((4,), 'double')),
                   ('long_input_float_bias', ((1, 3, 8, 8), 'long'), ((4,), 'float')),
                   ('mkldnn_bias', ((2, 3, 16, 16), 'float'), ((4,), 'long')),
                   ('double_input_long_bias', ((1, 3, 8, 8), 'double'), ((4,), 'long'))]:
    check('torch.nn.functional.conv_transpose2d',
          lambda torch, x=x, b=b: _conv(torch, 'conv_transpose2d', x, ((3, 4, 3, 3), x[1]), b), name=f'bias_{name}')
check('torch.nn.functional.conv_transpose3d',
      lambda torch: _conv(torch, 'conv_transpose3d', ((1, 3, 4, 4, 4), 'float'), ((3, 4, 3, 3, 3), 'float'),
                          ((4,), 'double')), name='bias_dtype')


@case('torch.nn.functional.conv_transpose2d')
def bias_other_dtype_grad(torch):
    x = torch.ones(1, 3, 4, 4)
    w = torch.ones(3, 2, 3, 3, requires_grad=True)
    b = torch.ones(2, dtype=torch.double, requires_grad=True)
    y = torch.nn.functional.conv_transpose2d(x, w, b)
    y.sum().backward()
    return y, b.grad, w.grad


for fn, shape in [('adaptive_avg_pool2d', (1, 1, 0, 4)), ('adaptive_avg_pool2d', (1, 0, 4, 4)),
                  ('adaptive_avg_pool2d', (2, 0, 4)), ('adaptive_max_pool2d', (1, 0, 4, 4)),
                  ('adaptive_avg_pool1d', (2, 0)), ('adaptive_max_pool1d', (2, 0)),
                  ('adaptive_avg_pool3d', (1, 0, 2, 2, 2)), ('adaptive_max_pool3d', (0, 1, 2, 2, 2))]:
    check(f'torch.nn.functional.{fn}', lambda torch, fn=fn, shape=shape:
          getattr(torch.nn.functional, fn)(torch.ones(shape), 2), name='empty_' + '_'.join(map(str, shape)))


def _norm(torch, kind, x, w=None, b=None, xdt='float', wdt='float', bdt='float', **kw):
    F = torch.nn.functional
    xt = torch.ones(x, dtype=getattr(torch, xdt))
    wt = None if w is None else torch.ones(w, dtype=getattr(torch, wdt))
    bt = None if b is None else torch.ones(b, dtype=getattr(torch, bdt))
    if kind == 'group_norm':
        return F.group_norm(xt, kw.get('groups', 2), wt, bt)
    if kind == 'layer_norm':
        return F.layer_norm(xt, kw['shape'], wt, bt)
    return F.batch_norm(xt, None, None, wt, bt, training=True)


for name, kw in [('weight_size', dict(x=(2, 6, 3), w=(4,))), ('weight_2d', dict(x=(2, 6, 3), w=(2, 3))),
                 ('bias_size', dict(x=(2, 6, 3), w=(6,), b=(4,))), ('bias_size_no_weight', dict(x=(2, 6, 3), b=(4,))),
                 ('long', dict(x=(2, 6, 3), xdt='long')), ('long_float_weight', dict(x=(2, 6, 3), w=(6,), xdt='long')),
                 ('double_weight', dict(x=(2, 6, 3), w=(6,), wdt='double')),
                 ('double_bias', dict(x=(2, 6, 3), w=(6,), b=(6,), bdt='double')),
                 ('one_value_per_channel', dict(x=(1, 2, 1))), ('empty_batch', dict(x=(0, 6, 3), w=(6,), b=(6,))),
                 ('half_float_params', dict(x=(2, 6, 3), w=(6,), b=(6,), xdt='half')),
                 ('half_half_bias', dict(x=(2, 6, 3), w=(6,), b=(6,), xdt='half', bdt='half'))]:
    check('torch.nn.functional.group_norm', lambda torch, kw=kw: _norm(torch, 'group_norm', **kw), name=name)
for name, kw in [('weight_shape', dict(x=(2, 6), w=(5,), shape=(6,))),
                 ('bias_shape_before_input', dict(x=(2, 6), b=(5,), shape=(4,))),
                 ('long', dict(x=(2, 6), shape=(6,), xdt='long')),
                 ('long_float_weight_wrong_shape', dict(x=(2, 6), w=(4,), shape=(4,), xdt='long')),
                 ('double_weight_wrong_input', dict(x=(2, 6), w=(4,), shape=(4,), wdt='double')),
                 ('double_input_float_weight', dict(x=(2, 6), w=(6,), shape=(6,), xdt='double')),
                 ('half_float_params', dict(x=(2, 6), w=(6,), b=(6,), shape=(6,), xdt='half'))]:
    check('torch.nn.functional.layer_norm', lambda torch, kw=kw: _norm(torch, 'layer_norm', **kw), name=name)
for name, kw in [('double_weight', dict(x=(2, 3), w=(3,), wdt='double')), ('long', dict(x=(2, 3), xdt='long')),
                 ('long_float_weight', dict(x=(2, 3), w=(3,), xdt='long')),
                 ('half_float_params', dict(x=(2, 3), w=(3,), b=(3,), xdt='half'))]:
    check('torch.nn.functional.batch_norm', lambda torch, kw=kw: _norm(torch, 'batch_norm', **kw), name=name)
check('torch.nn.functional.batch_norm', lambda torch: torch.nn.functional.batch_norm(
    torch.ones(2, 3), torch.zeros(3, dtype=torch.double), torch.ones(3)), name='double_running_mean')


@case('torch.nn.functional.layer_norm')
def half_input_float_params_grads(torch):
    x = torch.tensor([[1., 2., 4.], [0., -1., 3.]]).half().requires_grad_()
    w = torch.tensor([1., 2., 3.], requires_grad=True)
    y = torch.nn.functional.layer_norm(x, (3,), w)
    y.sum().backward()
    return y, x.grad        # w.grad: torch rounds it through half precision (not reproduced)


def _unfold(torch, shape, k=2, d=1, p=0, s=1, dt='float'):
    return torch.nn.functional.unfold(torch.ones(shape, dtype=getattr(torch, dt)), k, dilation=d, padding=p, stride=s)


def _fold(torch, shape, k=2, d=1, p=0, s=1, dt='float'):
    return torch.nn.functional.fold(torch.ones(shape, dtype=getattr(torch, dt)), (4, 4), k, dilation=d, padding=p,
                                    stride=s)


for name, kw in [('2d', dict(shape=(4, 4))), ('1d', dict(shape=(4,))), ('1d_zero_stride', dict(shape=(4,), s=0)),
                 ('5d', dict(shape=(1, 1, 1, 4, 4))), ('empty_channels', dict(shape=(1, 0, 4, 4))),
                 ('empty_batch', dict(shape=(0, 1, 4, 4))), ('zero_kernel', dict(shape=(1, 1, 4, 4), k=(2, 0))),
                 ('kernel_before_stride', dict(shape=(1, 1, 4, 4), k=0, s=0)),
                 ('dilation_before_padding', dict(shape=(1, 1, 4, 4), d=0, p=-1)),
                 ('padding_before_stride', dict(shape=(1, 1, 4, 4), p=-1, s=0)), ('long', dict(shape=(1, 1, 4, 4), dt='long'))]:
    check('torch.nn.functional.unfold', lambda torch, kw=kw: _unfold(torch, **kw), name=name)
for name, kw in [('4d', dict(shape=(1, 4, 9, 1))), ('1d', dict(shape=(9,))), ('empty_channels', dict(shape=(1, 0, 9))),
                 ('empty_batch', dict(shape=(0, 4, 9))), ('stride_before_dilation', dict(shape=(1, 4, 9), d=0, s=0)),
                 ('dilation_before_padding', dict(shape=(1, 4, 9), d=0, p=-1)), ('long', dict(shape=(1, 4, 9), dt='long'))]:
    check('torch.nn.functional.fold', lambda torch, kw=kw: _fold(torch, **kw), name=name)


def _grid(torch, xs, gs, mode='bilinear', xdt='float', gdt='float'):
    return torch.nn.functional.grid_sample(torch.ones(xs, dtype=getattr(torch, xdt)),
                                           torch.zeros(gs, dtype=getattr(torch, gdt)), mode=mode, align_corners=False)


for name, kw in [('batch_before_last_dim', dict(xs=(2, 1, 4, 4), gs=(1, 2, 2, 3))),
                 ('last_dim', dict(xs=(1, 1, 4, 4), gs=(1, 2, 2, 3))), ('last_dim_3d_input', dict(xs=(1, 4, 4), gs=(1, 2, 2, 2))),
                 ('dims', dict(xs=(1, 1, 4, 4), gs=(1, 2, 2))), ('dims_5d', dict(xs=(1, 1, 4, 4, 4), gs=(1, 2, 2, 3))),
                 ('empty_spatial_before_dims', dict(xs=(1, 1, 0, 4), gs=(1, 2, 2))),
                 ('bicubic_5d', dict(xs=(1, 1, 4, 4, 4), gs=(1, 2, 2, 2, 3), mode='bicubic')),
                 ('grid_dtype', dict(xs=(1, 1, 4, 4), gs=(1, 2, 2, 2), xdt='double')),
                 ('long', dict(xs=(1, 1, 4, 4), gs=(1, 2, 2, 2), xdt='long', gdt='long')),
                 ('long_3d', dict(xs=(1, 1, 4, 4, 4), gs=(1, 2, 2, 2, 3), xdt='long', gdt='long')),
                 ('empty_grid_skips_dtype', dict(xs=(1, 1, 4, 4), gs=(1, 0, 2, 2), xdt='double')),
                 ('empty_channels', dict(xs=(1, 0, 4, 4), gs=(1, 2, 2, 2)))]:
    check('torch.nn.functional.grid_sample', lambda torch, kw=kw: _grid(torch, **kw), name=name)


# negative pads that leave no output: each mode has its own test and wording
for mode, shape, pads in [('constant', (1, 2), (-4, 2)), ('constant', (2, 2), (0, 0, -2, -1)),
                          ('constant', (1, 2), (-2, 0)), ('reflect', (1, 2), (-1, -1)),
                          ('replicate', (2, 3), (-3, 0)), ('reflect', (1, 1, 2, 3), (-3, 0, -2, -1)),
                          ('replicate', (1, 1, 2, 3), (-1, -2, -1, -1)), ('reflect', (1, 1, 2, 3), (-3, 0, 0, 0)),
                          ('reflect', (1, 1, 2, 3), (0, 0, -2, -1)), ('replicate', (1, 2, 3), (-3, -1, 0, 0)),
                          ('reflect', (1, 1, 2, 2, 3), (-3, 0, -2, 0, -2, -1)),
                          ('replicate', (1, 1, 2, 2, 3), (0, 0, 0, 0, -2, -1)),
                          ('circular', (1, 2, 3), (-3, -1, 0, 0)), ('circular', (1, 2), (-4, 2)),
                          ('circular', (2, 3), (-3, 0)), ('circular', (1, 1, 2, 3), (0, 0, -2, -1))]:
    check('torch.nn.functional.pad', lambda torch, mode=mode, shape=shape, pads=pads:
          torch.nn.functional.pad(torch.arange(float(np.prod(shape))).reshape(shape), pads, mode=mode),
          name=f'{mode}_{"x".join(map(str, shape))}_' + '_'.join(map(str, pads)).replace('-', 'm'))
