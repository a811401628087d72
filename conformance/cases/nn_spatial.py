"""torch.nn part B: convolution, pooling, normalization, padding, upsampling, fold, shuffles,
grid sampling, recurrent layers, packed sequences and transformers."""
import numpy as np

from conformance import case, check


def _det(torch, m):
    """Deterministic parameters, the same in both libraries (no dependence on the RNG)."""
    with torch.no_grad():
        for i, (_, p) in enumerate(m.named_parameters()):
            a = np.sin(np.arange(p.numel()) * 0.37 + i).reshape(tuple(p.shape)) * 0.5
            p.copy_(torch.tensor(a.astype('float32')).to(p.dtype))
    return m


def _x(torch, *shape, seed=0, grad=True):
    return torch.tensor(np.random.RandomState(seed).randn(*shape).astype('float32'), requires_grad=grad)


def _weighted_backward(torch, o):
    w = torch.tensor(np.cos(np.arange(o.numel()) * 0.7).reshape(tuple(o.shape)).astype('float32'))
    (o * w).sum().backward()


def _run_module(torch, src, shapes, train=True, call=None):
    """Build `src` (an expression over nn), give it fixed weights, run forward and a weighted backward;
    return output, input grads, parameter grads and buffers."""
    m = _det(torch, eval(src, {'nn': torch.nn, 'torch': torch}))
    m.train(train)
    xs = [_x(torch, *s, seed=i) for i, s in enumerate(shapes)]
    out = call(m, *xs) if call else m(*xs)
    o = out[0] if isinstance(out, tuple) else out
    if hasattr(o, 'data') and type(o).__name__ == 'PackedSequence':
        o = o.data
    _weighted_backward(torch, o)
    return (out, tuple(x.grad for x in xs), [(n, p.grad) for n, p in m.named_parameters()],
            list(m.named_buffers()))


# --- modules: forward, input and parameter gradients, buffers -----------------------------------
MODULES = [
    ('nn.Conv1d(3, 4, 3)', [(2, 3, 9)]),
    ('nn.Conv1d(3, 4, 3, stride=2, padding=1, dilation=2, bias=False)', [(2, 3, 9)]),
    ('nn.Conv1d(4, 6, 3, groups=2, padding="same", padding_mode="circular")', [(2, 4, 7)]),
    ('nn.Conv2d(1, 6, 5)', [(2, 1, 12, 12)]),
    ('nn.Conv2d(3, 6, 3, stride=2, padding=1)', [(2, 3, 9, 8)]),
    ('nn.Conv2d(3, 6, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2))', [(2, 3, 9, 8)]),
    ('nn.Conv2d(4, 4, 3, groups=4, padding=1, padding_mode="reflect")', [(2, 4, 6, 6)]),
    ('nn.Conv2d(3, 4, 4, padding="same", padding_mode="replicate")', [(1, 3, 7, 6)]),
    ('nn.Conv2d(3, 4, 3)', [(3, 7, 6)]),
    ('nn.Conv3d(2, 3, 2, stride=(1, 2, 1), padding=1)', [(2, 2, 4, 5, 4)]),
    ('nn.ConvTranspose1d(3, 4, 3, stride=2, output_padding=1)', [(2, 3, 5)]),
    ('nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2)', [(2, 4, 5, 5)]),
    ('nn.ConvTranspose2d(3, 2, (3, 2), dilation=2, bias=False)', [(2, 3, 4, 4)]),
    ('nn.ConvTranspose3d(2, 3, 2, stride=2)', [(1, 2, 3, 3, 2)]),
    ('nn.MaxPool1d(3, stride=2, padding=1)', [(2, 3, 9)]),
    ('nn.MaxPool2d(2)', [(2, 3, 8, 8)]),
    ('nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)', [(2, 3, 9, 8)]),
    ('nn.MaxPool2d((3, 2), stride=1, dilation=(1, 2), return_indices=True)', [(2, 3, 7, 8)]),
    ('nn.MaxPool3d(2, return_indices=True)', [(2, 2, 4, 5, 4)]),
    ('nn.AvgPool1d(3, stride=2, padding=1, count_include_pad=False)', [(2, 3, 9)]),
    ('nn.AvgPool2d(2)', [(2, 3, 8, 8)]),
    ('nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True)', [(2, 3, 9, 8)]),
    ('nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False, divisor_override=None)', [(2, 3, 9, 8)]),
    ('nn.AvgPool2d(2, divisor_override=3)', [(2, 3, 8, 8)]),
    ('nn.AvgPool3d(2, stride=1)', [(2, 2, 4, 5, 4)]),
    ('nn.AdaptiveAvgPool1d(4)', [(2, 3, 9)]),
    ('nn.AdaptiveAvgPool2d((3, 5))', [(2, 3, 8, 7)]),
    ('nn.AdaptiveAvgPool2d(1)', [(2, 3, 8, 7)]),
    ('nn.AdaptiveAvgPool2d((None, 2))', [(2, 3, 8, 7)]),
    ('nn.AdaptiveAvgPool3d(2)', [(2, 2, 5, 5, 3)]),
    ('nn.AdaptiveMaxPool1d(4, return_indices=True)', [(2, 3, 9)]),
    ('nn.AdaptiveMaxPool2d((3, 5))', [(2, 3, 8, 7)]),
    ('nn.AdaptiveMaxPool3d(2)', [(2, 2, 5, 5, 3)]),
    ('nn.LPPool1d(2, 3, stride=2)', [(2, 3, 9)]),
    ('nn.LPPool2d(2, 2)', [(2, 3, 8, 8)]),
    ('nn.BatchNorm1d(3)', [(4, 3)]),
    ('nn.BatchNorm1d(3, momentum=None)', [(4, 3, 5)]),
    ('nn.BatchNorm2d(3)', [(4, 3, 5, 5)]),
    ('nn.BatchNorm2d(3, affine=False, track_running_stats=False)', [(4, 3, 5, 5)]),
    ('nn.BatchNorm3d(2, eps=1e-3, momentum=0.3)', [(2, 2, 3, 3, 3)]),
    ('nn.InstanceNorm1d(3)', [(2, 3, 6)]),
    ('nn.InstanceNorm2d(3, affine=True, track_running_stats=True)', [(2, 3, 5, 5)]),
    ('nn.InstanceNorm3d(2)', [(2, 2, 3, 3, 3)]),
    ('nn.LayerNorm(5)', [(4, 3, 5)]),
    ('nn.LayerNorm((3, 5), elementwise_affine=False)', [(4, 3, 5)]),
    ('nn.LayerNorm([5], bias=False)', [(4, 3, 5)]),
    ('nn.GroupNorm(2, 4)', [(3, 4, 5)]),
    ('nn.GroupNorm(3, 6, affine=False)', [(3, 6, 2, 2)]),
    ('nn.RMSNorm(5)', [(4, 3, 5)]),
    ('nn.RMSNorm([3, 5], eps=1e-3)', [(4, 3, 5)]),
    ('nn.LocalResponseNorm(3)', [(2, 5, 4, 4)]),
    ('nn.LocalResponseNorm(2)', [(2, 5, 4)]),
    ('nn.ZeroPad2d((1, 2, 0, 1))', [(2, 3, 4, 4)]),
    ('nn.ConstantPad1d((2, -1), 3.5)', [(2, 3, 4)]),
    ('nn.ConstantPad3d(1, 0.5)', [(1, 2, 2, 3, 2)]),
    ('nn.ReflectionPad1d(2)', [(2, 3, 4)]),
    ('nn.ReflectionPad2d((1, 2, 2, 1))', [(2, 3, 4, 4)]),
    ('nn.ReflectionPad3d(1)', [(1, 2, 3, 3, 3)]),
    ('nn.ReplicationPad1d((3, 1))', [(2, 3, 4)]),
    ('nn.ReplicationPad2d(2)', [(2, 3, 4, 4)]),
    ('nn.ReplicationPad3d((1, 0, 2, 1, 0, 1))', [(1, 2, 3, 3, 3)]),
    ('nn.CircularPad1d(2)', [(2, 3, 4)]),
    ('nn.CircularPad2d((1, 2, 2, 1))', [(2, 3, 4, 4)]),
    ('nn.Upsample(scale_factor=2)', [(2, 3, 4, 4)]),
    ('nn.Upsample(scale_factor=1.7, mode="nearest-exact")', [(2, 3, 4, 5)]),
    ('nn.Upsample(size=(5, 7), mode="bilinear")', [(2, 3, 4, 4)]),
    ('nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)', [(2, 3, 4, 4)]),
    ('nn.Upsample(size=(7, 5), mode="bicubic")', [(2, 3, 4, 4)]),
    ('nn.Upsample(scale_factor=2.5, mode="linear")', [(2, 3, 4)]),
    ('nn.Upsample(size=(3, 4, 5), mode="trilinear", align_corners=True)', [(1, 2, 2, 3, 2)]),
    ('nn.UpsamplingNearest2d(scale_factor=3)', [(2, 3, 2, 3)]),
    ('nn.UpsamplingBilinear2d(size=5)', [(2, 3, 2, 3)]),
    ('nn.PixelShuffle(2)', [(2, 8, 3, 3)]),
    ('nn.PixelUnshuffle(2)', [(2, 2, 4, 6)]),
    ('nn.Fold((4, 5), 2)', [(2, 12, 12)]),
    ('nn.Fold(output_size=(5, 6), kernel_size=(2, 3), padding=1, stride=2)', [(2, 12, 9)]),
    ('nn.Unfold(2, padding=1)', [(2, 3, 4, 4)]),
    ('nn.Unfold((2, 3), dilation=(1, 2), stride=2)', [(2, 3, 7, 8)]),
    ('nn.RNN(3, 4)', [(5, 2, 3)]),
    ('nn.RNN(3, 4, num_layers=2, nonlinearity="relu", bidirectional=True)', [(5, 2, 3)]),
    ('nn.LSTM(3, 4, batch_first=True)', [(2, 5, 3)]),
    ('nn.LSTM(3, 4, num_layers=2, bidirectional=True, bias=False)', [(5, 2, 3)]),
    ('nn.LSTM(3, 4, proj_size=2)', [(5, 2, 3)]),
    ('nn.GRU(3, 4, num_layers=2)', [(5, 2, 3)]),
    ('nn.GRU(3, 4, bidirectional=True, batch_first=True)', [(2, 5, 3)]),
    ('nn.RNN(3, 4)', [(5, 3)]),
    ('nn.RNNCell(3, 4)', [(2, 3)]),
    ('nn.RNNCell(3, 4, nonlinearity="relu", bias=False)', [(3,)]),
    ('nn.LSTMCell(3, 4)', [(2, 3)]),
    ('nn.GRUCell(3, 4)', [(2, 3)]),
    ('nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0)', [(5, 3, 8)]),
    ('nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=True, activation="gelu")',
     [(3, 5, 8)]),
    ('nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0)', [(4, 3, 8), (5, 3, 8)]),
    ('nn.Transformer(8, 2, 1, 1, 16, dropout=0.0)', [(5, 3, 8), (4, 3, 8)]),
]
_seen = set()
for _src, _shapes in MODULES:
    _api = _src[:_src.index('(')]
    _name = _src[len(_api):] + ('' if _src not in _seen else f' input {_shapes}')
    check(_api, (lambda src, shapes: lambda torch: _run_module(torch, src, shapes))(_src, _shapes), name=_name)
    if 'Norm' in _src and 'Layer' not in _src:
        check(_api, (lambda src, shapes: lambda torch: _run_module(torch, src, shapes, train=False))(
            _src, _shapes), name='eval' + _name)
    if _src in _seen:
        continue
    _seen.add(_src)
    check('nn.Module.__repr__', (lambda src: lambda torch: repr(eval(src, {'nn': torch.nn})))(_src),
          name=_src)
    check('nn.Module.state_dict', (lambda src: lambda torch: [(k, tuple(v.shape), v.dtype) for k, v in
                                                              eval(src, {'nn': torch.nn}).state_dict().items()])(_src),
          name=_src)


@case('nn.BatchNorm2d', name='running_stats_three_steps')
def bn_running_stats(torch):
    m = torch.nn.BatchNorm2d(3, momentum=None)
    for i in range(3):
        m(_x(torch, 4, 3, 2, 2, seed=i, grad=False))
    m.eval()
    return m.running_mean, m.running_var, m.num_batches_tracked, m(_x(torch, 2, 3, 2, 2, seed=9))


@case('nn.BatchNorm1d', name='eval_without_running_stats')
def bn_eval_no_stats(torch):
    m = torch.nn.BatchNorm1d(3, track_running_stats=False).eval()
    return m(_x(torch, 4, 3)), list(m.state_dict())


@case('nn.InstanceNorm1d', name='running_stats_update')
def in_running_stats(torch):
    m = torch.nn.InstanceNorm1d(3, track_running_stats=True)
    m(_x(torch, 2, 3, 5, grad=False))
    return m.running_mean, m.running_var


@case('nn.Conv2d', name='lenet_forward_backward', rtol=1e-4, atol=1e-5)   # float32 sums in another order
def lenet(torch):
    nn = torch.nn
    m = _det(torch, nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                                  nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 10)))
    x = _x(torch, 4, 1, 28, 28)
    out = m(x)
    loss = torch.nn.functional.cross_entropy(out, torch.tensor([1, 2, 3, 4]))
    loss.backward()
    return loss, out, x.grad, m[0].weight.grad, m[3].bias.grad


@case('nn.Conv2d', name='train_steps_with_batchnorm')
def conv_bn_training(torch):
    nn = torch.nn
    m = _det(torch, nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                                  nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3)))
    opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    x = _x(torch, 6, 3, 5, 5, grad=False)
    y = torch.tensor([0, 1, 2, 0, 1, 2])
    losses = []
    for _ in range(3):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(m(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, m.state_dict()


# --- functional ------------------------------------------------------------------------------------
def _f(expr, shapes):
    def fn(torch):
        F = torch.nn.functional
        xs = [_x(torch, *s, seed=i) for i, s in enumerate(shapes)]
        out = eval(expr, {'F': F, 'torch': torch, 'x': xs})
        o = out[0] if isinstance(out, tuple) else out
        if o.requires_grad:
            _weighted_backward(torch, o)
        return out, o.grad_fn.name() if o.grad_fn else None, tuple(x.grad for x in xs)
    return fn


FUNCTIONAL = [
    ('F.conv2d', 'F.conv2d(x[0], x[1], x[2], stride=2, padding=1)', [(2, 3, 7, 7), (4, 3, 3, 3), (4,)]),
    ('F.conv2d', 'F.conv2d(x[0], x[1], padding="valid", groups=3)', [(2, 3, 7, 7), (6, 1, 3, 3)]),
    ('F.conv1d', 'F.conv1d(x[0], x[1], dilation=2)', [(2, 3, 9), (4, 3, 3)]),
    ('F.conv3d', 'F.conv3d(x[0], x[1], x[2])', [(1, 2, 3, 4, 3), (3, 2, 2, 2, 2), (3,)]),
    ('F.conv_transpose2d', 'F.conv_transpose2d(x[0], x[1], x[2], stride=2, output_padding=1)',
     [(2, 4, 3, 3), (4, 2, 3, 3), (2,)]),
    ('F.conv_transpose1d', 'F.conv_transpose1d(x[0], x[1], padding=1, groups=2)', [(2, 4, 5), (4, 3, 3)]),
    ('F.max_pool2d', 'F.max_pool2d(x[0], 2, return_indices=True)', [(2, 3, 6, 6)]),
    ('F.max_pool2d', 'F.max_pool2d(x[0], 3, 2, 1, ceil_mode=True)', [(3, 7, 6)]),
    ('F.max_pool1d', 'F.max_pool1d(x[0], 2)', [(2, 3, 7)]),
    ('F.avg_pool2d', 'F.avg_pool2d(x[0], 3, 2, 1, count_include_pad=False)', [(2, 3, 7, 6)]),
    ('F.adaptive_avg_pool2d', 'F.adaptive_avg_pool2d(x[0], (2, 3))', [(2, 3, 7, 5)]),
    ('F.adaptive_max_pool2d', 'F.adaptive_max_pool2d(x[0], 3, return_indices=True)', [(2, 3, 7, 5)]),
    ('F.max_unpool2d', 'F.max_unpool2d(*F.max_pool2d(x[0], 2, return_indices=True), 2)', [(2, 3, 6, 6)]),
    ('F.lp_pool2d', 'F.lp_pool2d(x[0].abs() + 0.1, 3, 2)', [(2, 3, 6, 6)]),
    ('F.batch_norm', 'F.batch_norm(x[0], None, None, x[1], x[2], training=True)', [(4, 3, 2), (3,), (3,)]),
    ('F.layer_norm', 'F.layer_norm(x[0], (4,), x[1], x[2], eps=1e-3)', [(2, 3, 4), (4,), (4,)]),
    ('F.group_norm', 'F.group_norm(x[0], 2, x[1], x[2])', [(2, 4, 3), (4,), (4,)]),
    ('F.instance_norm', 'F.instance_norm(x[0])', [(2, 3, 5)]),
    ('F.rms_norm', 'F.rms_norm(x[0], (4,), x[1])', [(2, 3, 4), (4,)]),
    ('F.local_response_norm', 'F.local_response_norm(x[0], 2)', [(2, 4, 3, 3)]),
    ('F.pad', 'F.pad(x[0], (1, 2), value=-1.0)', [(2, 3)]),
    ('F.pad', 'F.pad(x[0], (1, 1, 2, 0), mode="reflect")', [(2, 3, 4, 4)]),
    ('F.pad', 'F.pad(x[0], (2, 1), mode="replicate")', [(2, 3, 4)]),
    ('F.pad', 'F.pad(x[0], (1, 1, 1, 1), mode="circular")', [(1, 2, 3, 3)]),
    ('F.pad', 'F.pad(x[0], (-1, 0, 1, -1))', [(2, 3, 4)]),
    ('F.interpolate', 'F.interpolate(x[0], scale_factor=2)', [(1, 2, 3, 3)]),
    ('F.interpolate', 'F.interpolate(x[0], size=(5, 4), mode="bilinear", align_corners=False)', [(1, 2, 3, 3)]),
    ('F.interpolate', 'F.interpolate(x[0], scale_factor=1.5, mode="bicubic", align_corners=True)', [(1, 2, 3, 3)]),
    ('F.interpolate', 'F.interpolate(x[0], size=4, mode="area")', [(1, 2, 7, 6)]),
    ('F.interpolate', 'F.interpolate(x[0], size=(5, 7), mode="bilinear", antialias=True)', [(2, 3, 13, 17)]),
    ('F.interpolate', 'F.interpolate(x[0], size=(4, 20), mode="bilinear", align_corners=True, antialias=True)',
     [(1, 2, 13, 17)]),
    ('F.interpolate', 'F.interpolate(x[0], scale_factor=0.4, mode="bicubic", antialias=True)', [(2, 3, 13, 17)]),
    ('F.interpolate', 'F.interpolate(x[0], size=(6, 9), mode="lanczos", antialias=True)', [(1, 3, 13, 17)]),
    ('F.interpolate', 'F.interpolate(x[0], size=(6, 9), mode="lanczos")', [(1, 3, 13, 17)]),
    ('F.interpolate', 'F.interpolate(x[0], size=6, mode="nearest", antialias=True)', [(1, 3, 13, 17)]),
    ('F.interpolate', 'F.interpolate(x[0], size=6, mode="lanczos")', [(1, 3, 13)]),
    ('F.interpolate', 'F.interpolate(x[0], scale_factor=3, mode="linear", recompute_scale_factor=True)',
     [(1, 2, 3)]),
    ('F.unfold', 'F.unfold(x[0], 2, stride=2)', [(2, 3, 4, 4)]),
    ('F.fold', 'F.fold(x[0], (3, 3), 2)', [(2, 8, 4)]),
    ('F.pixel_shuffle', 'F.pixel_shuffle(x[0], 2)', [(1, 8, 2, 3)]),
    ('F.pixel_unshuffle', 'F.pixel_unshuffle(x[0], 3)', [(1, 2, 3, 6)]),
    ('F.channel_shuffle', 'F.channel_shuffle(x[0], 3)', [(1, 6, 2, 2)]),
    ('F.affine_grid', 'F.affine_grid(x[0], (2, 3, 4, 5), align_corners=False)', [(2, 2, 3)]),
    ('F.grid_sample', 'F.grid_sample(x[0], x[1].tanh() * 1.2, align_corners=False)', [(2, 3, 4, 5), (2, 3, 6, 2)]),
    ('F.grid_sample', 'F.grid_sample(x[0], x[1], mode="nearest", padding_mode="border", align_corners=True)',
     [(2, 3, 4, 5), (2, 3, 6, 2)]),
    ('F.grid_sample', 'F.grid_sample(x[0], x[1] * 1.5, padding_mode="reflection", align_corners=False)',
     [(2, 3, 4, 5), (2, 3, 6, 2)]),
    ('F.grid_sample', 'F.grid_sample(x[0], x[1].tanh() * 1.1, align_corners=True)',
     [(2, 3, 3, 4, 5), (2, 2, 3, 4, 3)]),
    ('F.grid_sample', 'F.grid_sample(x[0], x[1], mode="nearest", padding_mode="reflection", align_corners=False)',
     [(1, 2, 3, 4, 5), (1, 2, 3, 4, 3)]),
    ('F.grid_sample', 'F.grid_sample(x[0], x[1].tanh() * 1.3, mode="bicubic", align_corners=False)',
     [(2, 3, 4, 5), (2, 3, 6, 2)]),
    ('F.grid_sample', 'F.grid_sample(x[0], x[1] * 1.5, mode="bicubic", padding_mode="border", align_corners=True)',
     [(2, 3, 4, 5), (2, 3, 6, 2)]),
    ('F.grid_sample', 'F.grid_sample(x[0], x[1] * 1.5, mode="bicubic", padding_mode="reflection", align_corners=False)',
     [(2, 3, 4, 5), (2, 3, 6, 2)]),
    ('F.grid_sample', 'F.grid_sample(x[0], x[1] * 2, mode="bicubic", padding_mode="reflection", align_corners=True)',
     [(1, 2, 3, 3), (1, 4, 5, 2)]),
]
for _api, _expr, _shapes in FUNCTIONAL:
    check('nn.functional.' + _api[2:], _f(_expr, _shapes), name=_expr)


# --- packed sequences ----------------------------------------------------------------------------
@case('nn.utils.rnn.pack_padded_sequence')
def pack_unsorted(torch):
    R = torch.nn.utils.rnn
    x = _x(torch, 4, 3, 2)
    p = R.pack_padded_sequence(x, torch.tensor([2, 4, 1]), enforce_sorted=False)
    out, lengths = R.pad_packed_sequence(p, total_length=5)
    _weighted_backward(torch, out)
    return repr(p), out, lengths, x.grad


@case('nn.utils.rnn.pad_sequence')
def pad_sequence_cases(torch):
    R = torch.nn.utils.rnn
    seqs = [_x(torch, n, 2, seed=n) for n in (3, 1, 2)]
    return (R.pad_sequence(seqs), R.pad_sequence(seqs, batch_first=True, padding_value=-1.0),
            R.pad_sequence(seqs, padding_side='left'))


@case('nn.utils.rnn.pack_sequence')
def pack_sequence_lstm(torch):
    R = torch.nn.utils.rnn
    m = _det(torch, torch.nn.LSTM(2, 3, bidirectional=True))
    seqs = [_x(torch, n, 2, seed=n) for n in (2, 4, 3)]
    out, (h, c) = m(R.pack_sequence(seqs, enforce_sorted=False))
    padded, lengths = R.pad_packed_sequence(out, batch_first=True)
    _weighted_backward(torch, padded)
    return padded, lengths, h, c, [s.grad for s in seqs], m.weight_hh_l0_reverse.grad


check('nn.utils.rnn.pack_padded_sequence',
      lambda torch: torch.nn.utils.rnn.pack_padded_sequence(torch.ones(3, 2), [1, 3]), name='unsorted_error')
check('nn.RNN', lambda torch: [n for n, _ in torch.nn.GRU(2, 3, num_layers=2, bidirectional=True).named_parameters()],
      name='parameter_names')
check('nn.LSTM', lambda torch: torch.nn.LSTM(3, 4)(torch.ones(5, 2, 2)), name='wrong_input_size')
check('nn.LSTM', lambda torch: torch.nn.LSTM(3, 4)(torch.ones(5, 2, 3), (torch.zeros(1, 3, 4),) * 2),
      name='wrong_hidden_size')
check('nn.GRU', lambda torch: torch.nn.GRU(3, 4)(torch.ones(2, 5, 2, 3)), name='4d_input')
check('nn.RNN', lambda torch: torch.nn.RNN(3, 4, nonlinearity='gelu'), name='bad_nonlinearity')
check('nn.Transformer.generate_square_subsequent_mask',
      lambda torch: torch.nn.Transformer.generate_square_subsequent_mask(4))


# --- errors --------------------------------------------------------------------------------------
ERRORS = [
    ('nn.functional.conv2d', 'F.conv2d(torch.ones(1, 1, 32, 32), torch.ones(6, 3, 5, 5))'),
    ('nn.functional.conv2d', 'F.conv2d(torch.ones(1, 4, 8, 8), torch.ones(6, 2, 3, 3), groups=3)'),
    ('nn.functional.conv2d', 'F.conv2d(torch.ones(1, 1, 3, 3), torch.ones(6, 1, 5, 5))'),
    ('nn.functional.conv2d', 'F.conv2d(torch.ones(2, 1, 1, 32, 32), torch.ones(6, 1, 5, 5))'),
    ('nn.functional.conv2d', 'F.conv2d(torch.ones(1, 1, 8, 8), torch.ones(6, 1, 3, 3), stride=2, padding="same")'),
    ('nn.functional.conv2d', 'F.conv2d(torch.ones(1, 1, 8, 8).double(), torch.ones(6, 1, 3, 3))'),
    ('nn.functional.max_pool2d', 'F.max_pool2d(torch.ones(1, 1, 3, 3), 4)'),
    ('nn.functional.max_pool2d', 'F.max_pool2d(torch.ones(1, 1, 4, 4), 2, padding=2)'),
    ('nn.functional.max_pool2d', 'F.max_pool2d(torch.ones(2, 1, 1, 4, 4), 2)'),
    ('nn.functional.batch_norm', 'F.batch_norm(torch.ones(2, 3), None, None)'),
    ('nn.functional.batch_norm', 'F.batch_norm(torch.ones(1, 3), None, None, training=True)'),
    ('nn.functional.batch_norm', 'F.batch_norm(torch.ones(2, 3), torch.zeros(4), torch.ones(4), training=True)'),
    ('nn.functional.layer_norm', 'F.layer_norm(torch.ones(2, 3), (4,))'),
    ('nn.functional.group_norm', 'F.group_norm(torch.ones(2, 3, 4), 2)'),
    ('nn.functional.pad', 'F.pad(torch.ones(1, 2, 3, 3), (3, 3), mode="reflect")'),
    ('nn.functional.pad', 'F.pad(torch.ones(1, 1, 2, 2), (1, 1, 1))'),
    ('nn.functional.pad', 'F.pad(torch.ones(2, 2), (1, 1), mode="foo")'),
    ('nn.functional.interpolate', 'F.interpolate(torch.ones(1, 1, 2, 2), scale_factor=2, mode="linear")'),
    ('nn.functional.interpolate', 'F.interpolate(torch.ones(1, 1, 2, 2), scale_factor=2, align_corners=True)'),
    ('nn.functional.interpolate', 'F.interpolate(torch.ones(1, 1, 2, 2))'),
    ('nn.functional.pixel_shuffle', 'F.pixel_shuffle(torch.ones(1, 3, 2, 2), 2)'),
    ('nn.functional.fold', 'F.fold(torch.ones(1, 12, 8), (4, 4), 2)'),
    ('nn.BatchNorm2d', 'torch.nn.BatchNorm2d(3)(torch.ones(2, 3))'),
    ('nn.Conv2d', 'torch.nn.Conv2d(3, 6, 3, groups=2)'),
    ('nn.GroupNorm', 'torch.nn.GroupNorm(3, 4)'),
    ('nn.InstanceNorm2d', 'torch.nn.InstanceNorm2d(3, affine=True)(torch.ones(1, 4, 2, 2))'),
]
# (a bad padding_mode is left out: torch prints a set whose order depends on the hash seed)
for _api, _expr in ERRORS:
    check(_api, (lambda e: lambda torch: eval(e, {'F': torch.nn.functional, 'torch': torch}))(_expr),
          name='error ' + _expr)


# --- lazy modules ------------------------------------------------------------------------------
LAZY = [('nn.LazyConv1d(4, 3)', (2, 3, 5)), ('nn.LazyConv2d(4, 3, padding=1)', (2, 3, 5, 5)),
        ('nn.LazyConv3d(2, 2)', (1, 2, 3, 3, 3)), ('nn.LazyConvTranspose2d(4, 3, stride=2)', (2, 3, 4, 4)),
        ('nn.LazyBatchNorm1d()', (4, 3)), ('nn.LazyBatchNorm2d(momentum=None)', (2, 3, 4, 4)),
        ('nn.LazyInstanceNorm1d()', (2, 3, 6))]
for _src, _shape in LAZY:
    @case(_src[:_src.index('(')], name=_src)
    def _lazy(torch, src=_src, shape=_shape):
        m = eval(src, {'nn': torch.nn})
        before = repr(m), list(m.state_dict())
        m(_x(torch, *shape, grad=False))
        return before, repr(m), type(m).__name__, [(k, tuple(v.shape)) for k, v in m.state_dict().items()]


@case('nn.TransformerEncoder', name='eval_padding_mask_nested_fast_path')
def encoder_eval_padding(torch):
    nn = torch.nn
    m = _det(torch, nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True), 2,
                                          norm=nn.LayerNorm(8))).eval()
    pad = torch.tensor([[False, False, False, True, True], [False] * 5])
    x = _x(torch, 2, 5, 8, grad=False)
    with torch.no_grad():
        fast = m(x, src_key_padding_mask=pad)
    slow = m(x, src_key_padding_mask=pad)
    return fast, slow.detach()


# --- fractional max pooling (seeded: the window offsets come from torch.rand) -----------------------
@case('nn.FractionalMaxPool2d')
def fractional2d(torch):
    m = torch.nn.FractionalMaxPool2d(3, output_ratio=0.5, return_indices=True)
    x = _x(torch, 2, 3, 10, 9)
    out, idx = m(x)
    _weighted_backward(torch, out)
    return repr(m), out, idx, x.grad


@case('nn.FractionalMaxPool3d')
def fractional3d(torch):
    m = torch.nn.FractionalMaxPool3d((2, 1, 3), output_size=3)
    x = _x(torch, 2, 6, 5, 7)
    out = m(x)
    _weighted_backward(torch, out)
    return out, x.grad, out.grad_fn.name()


check('nn.functional.fractional_max_pool2d',
      lambda torch: torch.nn.functional.fractional_max_pool2d(
          _x(torch, 1, 2, 6, 6, grad=False), 2, output_size=(3, 4),
          _random_samples=torch.tensor([[[0.25, 0.75], [0.5, 0.1]]])), name='given_samples')


@case('torch.autograd.grad', name='gradient_penalty_through_conv')
def conv_double_backward(torch):
    nn = torch.nn
    m = _det(torch, nn.Sequential(nn.Conv2d(2, 3, 3, stride=2, padding=1), nn.Tanh(),
                                  nn.ConvTranspose2d(3, 2, 2, stride=2), nn.Flatten(), nn.Linear(32, 1)))
    x = _x(torch, 2, 2, 4, 4)
    (gx,) = torch.autograd.grad(m(x).sum(), x, create_graph=True)
    penalty = ((gx.flatten(1).norm(dim=1) - 1) ** 2).mean()
    penalty.backward()
    return penalty, gx, [(n, p.grad) for n, p in m.named_parameters()]


@case('torch.autograd.grad', name='double_backward_through_norms')
def norm_double_backward(torch):
    nn = torch.nn
    m = _det(torch, nn.Sequential(nn.Linear(4, 6), nn.LayerNorm(6), nn.Tanh(), nn.Unflatten(1, (2, 3)),
                                  nn.BatchNorm1d(2), nn.GroupNorm(1, 2), nn.Flatten(), nn.Linear(6, 1)))
    x = _x(torch, 5, 4)
    (gx,) = torch.autograd.grad(m(x).sum(), x, create_graph=True)
    (gx ** 2).sum().backward()
    return gx, [(n, p.grad) for n, p in m.named_parameters()]


# Double backward through the ops whose gradient is a linear map of the incoming gradient: the first
# gradient (create_graph) is itself differentiated, by a weighted sum that reads every element.
_DOUBLE = [
    ('F.max_pool2d(x, 2)', (2, 3, 6, 6)),
    ('F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)', (2, 3, 7, 6)),
    ('F.max_pool1d(x, 3, stride=2)', (2, 3, 9)),
    ('F.max_pool3d(x, 2)', (1, 2, 4, 4, 4)),
    ('F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)', (2, 3, 7, 6)),
    ('F.avg_pool1d(x, 2)', (2, 3, 8)),
    ('F.adaptive_avg_pool2d(x, (3, 2))', (2, 3, 7, 5)),
    ('F.adaptive_max_pool2d(x, (3, 2))', (2, 3, 7, 5)),
    ('F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2)', (2, 3, 6, 6)),
    ('F.pad(x, (1, 2, 0, 1), value=0.5)', (2, 3, 4, 4)),
    ('F.pad(x, (2, 1, 1, 2), mode="reflect")', (2, 3, 4, 4)),
    ('F.pad(x, (2, 1), mode="replicate")', (2, 3, 4)),
    ('F.pad(x, (1, 1, 1, 1), mode="circular")', (2, 3, 4, 4)),
    ('F.interpolate(x, scale_factor=2, mode="nearest")', (2, 3, 3, 4)),
    ('F.interpolate(x, size=(5, 7), mode="bilinear", align_corners=False)', (2, 3, 3, 4)),
    ('F.interpolate(x, size=(5, 7), mode="bicubic", align_corners=True)', (2, 3, 3, 4)),
    ('F.interpolate(x, scale_factor=1.5, mode="linear")', (2, 3, 4)),
    ('F.unfold(x, 2, padding=1, stride=2)', (2, 3, 5, 4)),
    ('F.fold(x, (4, 5), 2)', (2, 12, 12)),
    ('F.pixel_shuffle(x, 2)', (2, 8, 3, 3)),
    ('F.pixel_unshuffle(x, 2)', (2, 2, 4, 6)),
    ('F.affine_grid(x, (2, 1, 4, 5), align_corners=False)', (2, 2, 3)),
    ('F.channel_shuffle(x, 2)', (2, 4, 3, 3)),
    ('F.fractional_max_pool2d(x, 2, output_size=(3, 3), _random_samples=torch.full((2, 3, 2), 0.4))', (2, 3, 6, 6)),
]

for _src, _shape in _DOUBLE:
    @case('torch.autograd.grad', name='double_backward_' + _src)
    def _double(torch, src=_src, shape=_shape):
        F = torch.nn.functional
        x = _x(torch, *shape)
        out = eval(src, {'F': F, 'x': x, 'torch': torch})
        w = torch.tensor(np.cos(np.arange(out.numel()) * 0.7).reshape(tuple(out.shape)).astype('float32'))
        (gx,) = torch.autograd.grad((out.tanh() * w).sum(), x, create_graph=True)
        v = torch.tensor(np.sin(np.arange(gx.numel()) * 0.3).reshape(tuple(gx.shape)).astype('float32'))
        (gx * v).sum().backward()
        return gx, x.grad, gx.grad_fn is not None
