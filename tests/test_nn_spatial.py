"""torch.nn part B against real torch: values, gradients, grad_fn names, reprs, running stats."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip('torch')
import faketorch as ft  # noqa: E402
import faketorch.nn  # noqa: E402,F401
import faketorch.nn.utils.rnn  # noqa: E402,F401

torch.set_num_threads(1)


def _arrays(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


def _compare(fn_t, fn_f, shapes, tol=2e-5, seed=0):
    """fn(lib, inputs) on both libraries; compare output, input grads and grad_fn name."""
    arrs = _arrays(shapes, seed)
    T = [torch.tensor(a, requires_grad=True) for a in arrs]
    Fk = [ft.tensor(a, requires_grad=True) for a in arrs]
    yt, yf = fn_t(T), fn_f(Fk)
    if isinstance(yt, tuple):
        assert np.array_equal(yt[1].numpy(), yf[1]._data)      # indices
        yt, yf = yt[0], yf[0]
    assert tuple(yt.shape) == tuple(yf.shape)
    np.testing.assert_allclose(yf._data, yt.detach().numpy(), rtol=tol, atol=tol)
    assert yf.grad_fn.name() == yt.grad_fn.name()
    g = np.cos(np.arange(yt.numel()) * 0.7).reshape(tuple(yt.shape)).astype(np.float32)
    yt.backward(torch.tensor(g))
    yf.backward(ft.tensor(g))
    for a, b in zip(T, Fk):
        np.testing.assert_allclose(b.grad._data, a.grad.numpy(), rtol=tol, atol=tol)


def _fn(name, *args, **kw):
    return (lambda xs: getattr(torch.nn.functional, name)(*xs, *args, **kw),
            lambda xs: getattr(ft.nn.functional, name)(*xs, *args, **kw))


FUNCTIONAL = [
    ('conv2d', (2, 3, 9, 8), (4, 3, 3, 2), (4,), {}),
    ('conv2d', (2, 3, 9, 8), (4, 3, 3, 2), (4,), dict(stride=2, padding=1, dilation=(2, 1))),
    ('conv2d', (2, 4, 9, 8), (6, 2, 3, 3), (6,), dict(groups=2, padding='same')),
    ('conv1d', (2, 3, 9), (4, 3, 3), (4,), dict(padding=1, stride=2)),
    ('conv3d', (1, 2, 4, 4, 3), (3, 2, 2, 2, 2), (3,), dict(padding=1)),
    ('conv_transpose2d', (2, 4, 5, 6), (4, 3, 3, 2), (3,), dict(stride=2, padding=1, output_padding=1)),
    ('conv_transpose1d', (2, 4, 5), (4, 3, 3), (6,), dict(groups=2, dilation=2)),
]


@pytest.mark.parametrize('name,xs,ws,bs,kw', FUNCTIONAL)
def test_convolution(name, xs, ws, bs, kw):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        _compare(*_fn(name, **kw), [xs, ws, bs])


POOLS = [
    ('max_pool2d', (2, 3, 8, 8), (2,), {}),
    ('max_pool2d', (2, 3, 9, 8), (3, 2, 1), dict(ceil_mode=True, return_indices=True)),
    ('max_pool2d', (3, 9, 8), ((3, 2), 1, 0, 2), dict(return_indices=True)),
    ('max_pool1d', (2, 3, 9), (3, 2, 1), dict(return_indices=True)),
    ('max_pool3d', (1, 2, 4, 5, 4), (2,), dict(return_indices=True)),
    ('avg_pool2d', (2, 3, 9, 8), (3, 2, 1), dict(ceil_mode=True, count_include_pad=False)),
    ('avg_pool2d', (2, 3, 8, 8), (2,), dict(divisor_override=3)),
    ('avg_pool1d', (2, 3, 9), (3, 2, 1), {}),
    ('avg_pool3d', (1, 2, 4, 5, 4), (2,), {}),
    ('adaptive_avg_pool2d', (2, 3, 9, 8), ((4, 3),), {}),
    ('adaptive_avg_pool2d', (2, 3, 9, 8), (1,), {}),
    ('adaptive_max_pool2d', (2, 3, 9, 8), ((4, 3),), dict(return_indices=True)),
    ('adaptive_avg_pool1d', (2, 3, 9), (4,), {}),
    ('adaptive_max_pool3d', (1, 2, 5, 6, 7), (3,), {}),
    ('lp_pool2d', (2, 3, 8, 8), (2, 2), {}),
    ('interpolate', (2, 3, 5, 4), (), dict(scale_factor=2)),
    ('interpolate', (2, 3, 5, 4), (), dict(size=(7, 5), mode='nearest-exact')),
    ('interpolate', (2, 3, 5, 4), (), dict(scale_factor=1.7, mode='bilinear')),
    ('interpolate', (2, 3, 5, 4), (), dict(size=(3, 7), mode='bilinear', align_corners=True)),
    ('interpolate', (2, 3, 5, 4), (), dict(scale_factor=2, mode='bicubic')),
    ('interpolate', (2, 3, 5), (), dict(scale_factor=2.5, mode='linear')),
    ('interpolate', (1, 2, 3, 2, 3), (), dict(size=(4, 3, 5), mode='trilinear')),
    ('interpolate', (2, 3, 9, 8), (), dict(size=(4, 3), mode='area')),
    ('pad', (2, 3, 5, 6), ((1, 2, 2, 1),), dict(mode='reflect')),
    ('pad', (2, 3, 5), ((1, 2),), dict(mode='replicate')),
    ('pad', (2, 3, 5, 6), ((1, 2, 2, 1),), dict(mode='circular')),
    ('pad', (2, 3, 5, 6), ((-1, 2, 0, 1),), dict(value=2.5)),
    ('unfold', (2, 3, 7, 8), ((2, 3),), dict(padding=1, stride=2, dilation=(1, 2))),
    ('fold', (2, 12, 9), ((5, 6), (2, 3)), dict(padding=1, stride=2)),
    ('pixel_shuffle', (2, 8, 3, 4), (2,), {}),
    ('pixel_unshuffle', (2, 3, 4, 6), (2,), {}),
    ('channel_shuffle', (2, 6, 4, 6), (2,), {}),
    ('local_response_norm', (2, 5, 3, 3), (3,), {}),
    ('instance_norm', (2, 3, 5, 5), (), {}),
]


@pytest.mark.parametrize('name,shape,args,kw', POOLS)
def test_spatial_ops(name, shape, args, kw):
    _compare(*_fn(name, *args, **kw), [shape])


def test_norms():
    ln = lambda L, xs: L.nn.functional.layer_norm(xs[0], (5, 6), xs[1], xs[2])  # noqa: E731
    _compare(lambda xs: ln(torch, xs), lambda xs: ln(ft, xs), [(4, 3, 5, 6), (5, 6), (5, 6)])
    gn = lambda L, xs: L.nn.functional.group_norm(xs[0], 2, xs[1], xs[2])  # noqa: E731
    _compare(lambda xs: gn(torch, xs), lambda xs: gn(ft, xs), [(4, 6, 5), (6,), (6,)])
    rms = lambda L, xs: L.nn.functional.rms_norm(xs[0], (6,), xs[1])  # noqa: E731
    _compare(lambda xs: rms(torch, xs), lambda xs: rms(ft, xs), [(4, 5, 6), (6,)])


@pytest.mark.parametrize('training', [True, False])
def test_batch_norm_running_stats(training):
    rm = np.abs(_arrays([(3,)], 5)[0])
    stats_t = [torch.tensor(rm), torch.tensor(rm + 1)]
    stats_f = [ft.tensor(rm), ft.tensor(rm + 1)]
    bn = lambda L, st, xs: L.nn.functional.batch_norm(xs[0], *st, xs[1], xs[2], training=training,  # noqa
                                                      momentum=0.3)
    _compare(lambda xs: bn(torch, stats_t, xs), lambda xs: bn(ft, stats_f, xs), [(4, 3, 5), (3,), (3,)])
    for a, b in zip(stats_t, stats_f):
        np.testing.assert_allclose(b._data, a.numpy(), rtol=1e-6)


def test_grid_sample_and_affine_grid():
    for ac in (False, True):
        ag = lambda L, xs: L.nn.functional.affine_grid(xs[0], (2, 3, 4, 5), align_corners=ac)  # noqa: E731
        _compare(lambda xs: ag(torch, xs), lambda xs: ag(ft, xs), [(2, 2, 3)])
        for pm in ('zeros', 'border', 'reflection'):
            gs = lambda L, xs: L.nn.functional.grid_sample(xs[0], xs[1] * 1.3, padding_mode=pm,  # noqa
                                                           align_corners=ac)
            _compare(lambda xs: gs(torch, xs), lambda xs: gs(ft, xs), [(2, 3, 4, 5), (2, 3, 6, 2)], tol=1e-4)


def _copy_state(tm, fm):
    assert list(tm.state_dict()) == list(fm.state_dict())
    for k, v in tm.state_dict().items():
        fm.state_dict()[k]._data[...] = v.numpy()


MODULES = [
    ('Conv2d', (3, 6, 5), dict(padding=2), (2, 3, 8, 8)),
    ('Conv2d', (4, 6, 3), dict(padding=1, padding_mode='reflect', groups=2), (2, 4, 6, 6)),
    ('ConvTranspose2d', (4, 6, 3), dict(stride=2, output_padding=1), (2, 4, 4, 4)),
    ('MaxPool2d', (2,), {}, (2, 3, 8, 8)),
    ('AvgPool1d', (3, 2, 1), {}, (2, 3, 9)),
    ('AdaptiveAvgPool2d', ((3, 5),), {}, (2, 3, 8, 8)),
    ('BatchNorm2d', (3,), {}, (4, 3, 5, 5)),
    ('BatchNorm1d', (3,), dict(momentum=None), (4, 3)),
    ('InstanceNorm2d', (3,), dict(affine=True, track_running_stats=True), (2, 3, 4, 4)),
    ('LayerNorm', ((5,),), {}, (4, 3, 5)),
    ('GroupNorm', (2, 4), {}, (4, 4, 5)),
    ('RMSNorm', (5,), {}, (4, 3, 5)),
    ('ReplicationPad3d', ((1, 1, 2, 2, 0, 1),), {}, (1, 2, 3, 3, 3)),
    ('Upsample', (), dict(size=(5, 7), mode='bilinear'), (2, 3, 4, 4)),
    ('PixelShuffle', (2,), {}, (2, 8, 3, 3)),
    ('Fold', ((4, 5), 2), {}, (2, 12, 12)),
    ('Unfold', (2,), dict(padding=1), (2, 3, 4, 4)),
]


@pytest.mark.parametrize('train', [True, False])
@pytest.mark.parametrize('name,args,kw,shape', MODULES)
def test_modules(name, args, kw, shape, train):
    tm, fm = getattr(torch.nn, name)(*args, **kw), getattr(ft.nn, name)(*args, **kw)
    assert repr(fm) == repr(tm)
    _copy_state(tm, fm)
    tm.train(train)
    fm.train(train)
    x = _arrays([shape])[0]
    xt, xf = torch.tensor(x, requires_grad=True), ft.tensor(x, requires_grad=True)
    yt, yf = tm(xt), fm(xf)
    np.testing.assert_allclose(yf._data, yt.detach().numpy(), rtol=2e-5, atol=2e-5)
    yt.sum().backward()
    yf.sum().backward()
    np.testing.assert_allclose(xf.grad._data, xt.grad.numpy(), rtol=2e-5, atol=2e-5)
    for p, q in zip(tm.parameters(), fm.parameters()):
        np.testing.assert_allclose(q.grad._data, p.grad.numpy(), rtol=1e-4, atol=2e-5)
    for (k, a), (_, b) in zip(tm.state_dict().items(), fm.state_dict().items()):
        np.testing.assert_allclose(b._data, a.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)


RNNS = [
    ('RNN', dict(num_layers=2, nonlinearity='relu'), None),
    ('LSTM', dict(num_layers=2, bidirectional=True, batch_first=True), None),
    ('LSTM', dict(proj_size=2), None),
    ('GRU', dict(bidirectional=True), [3, 5, 2]),
    ('LSTM', dict(bidirectional=True, batch_first=True), [3, 5, 2]),
]


@pytest.mark.parametrize('name,kw,lengths', RNNS)
def test_recurrent(name, kw, lengths):
    tm, fm = getattr(torch.nn, name)(3, 4, **kw), getattr(ft.nn, name)(3, 4, **kw)
    assert repr(fm) == repr(tm)
    assert [n for n, _ in fm.named_parameters()] == [n for n, _ in tm.named_parameters()]
    _copy_state(tm, fm)
    shape = (3, 5, 3) if kw.get('batch_first') else (5, 3, 3)
    x = _arrays([shape])[0]
    xt, xf = torch.tensor(x, requires_grad=True), ft.tensor(x, requires_grad=True)
    it, i_f = xt, xf
    if lengths:
        bf = kw.get('batch_first', False)
        it = torch.nn.utils.rnn.pack_padded_sequence(xt, lengths, batch_first=bf, enforce_sorted=False)
        i_f = ft.nn.utils.rnn.pack_padded_sequence(xf, lengths, batch_first=bf, enforce_sorted=False)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        ot, ht = tm(it)
    of, hf = fm(i_f)
    if lengths:
        ot, of = ot.data, of.data
    ht, hf = (ht[0], hf[0]) if name == 'LSTM' else (ht, hf)
    np.testing.assert_allclose(of._data, ot.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(hf._data, ht.detach().numpy(), rtol=1e-5, atol=1e-6)
    (ot.sum() + ht.sum()).backward()
    (of.sum() + hf.sum()).backward()
    np.testing.assert_allclose(xf.grad._data, xt.grad.numpy(), rtol=1e-4, atol=1e-6)
    for p, q in zip(tm.parameters(), fm.parameters()):
        np.testing.assert_allclose(q.grad._data, p.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_transformer():
    kw = dict(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16, dropout=0.0)
    tm, fm = torch.nn.Transformer(**kw), ft.nn.Transformer(**kw)
    assert repr(fm) == repr(tm)
    _copy_state(tm, fm)
    src, tgt = _arrays([(5, 2, 8), (4, 2, 8)])
    mask_t = torch.nn.Transformer.generate_square_subsequent_mask(4)
    mask_f = ft.nn.Transformer.generate_square_subsequent_mask(4)
    yt = tm(torch.tensor(src), torch.tensor(tgt), tgt_mask=mask_t)
    yf = fm(ft.tensor(src), ft.tensor(tgt), tgt_mask=mask_f)
    np.testing.assert_allclose(yf._data, yt.detach().numpy(), rtol=1e-4, atol=1e-5)


def test_errors():
    cases = [
        lambda L: L.nn.functional.conv2d(L.ones(1, 1, 32, 32), L.ones(6, 3, 5, 5)),
        lambda L: L.nn.functional.max_pool2d(L.ones(1, 1, 3, 3), 4),
        lambda L: L.nn.functional.batch_norm(L.ones(1, 3), None, None, training=True),
        lambda L: L.nn.functional.pad(L.ones(1, 2, 3, 3), (3, 3), mode='reflect'),
        lambda L: L.nn.functional.interpolate(L.ones(1, 1, 2, 2), scale_factor=2, mode='linear'),
    ]
    for c in cases:
        with pytest.raises(Exception) as et:
            c(torch)
        with pytest.raises(type(et.value)) as ef:
            c(ft)
        assert str(ef.value) == str(et.value)


@pytest.mark.parametrize('nd,shape,kw', [(2, (2, 3, 9, 8), dict(kernel_size=2, output_size=(4, 5))),
                                         (3, (2, 7, 6, 8), dict(kernel_size=(2, 1, 3), output_ratio=(.5, .6, .4)))])
def test_fractional_max_pool(nd, shape, kw):
    torch.manual_seed(3)
    ft.manual_seed(3)
    name = f'fractional_max_pool{nd}d'
    _compare(*_fn(name, return_indices=True, **kw), [shape])


def test_lazy_modules():
    for name, args, shape in [('LazyConv2d', (4, 3), (2, 3, 5, 5)), ('LazyBatchNorm1d', (), (4, 3))]:
        tm, fm = getattr(torch.nn, name)(*args), getattr(ft.nn, name)(*args)
        assert repr(fm) == repr(tm)
        x = _arrays([shape])[0]
        tm(torch.tensor(x))
        fm(ft.tensor(x))
        assert repr(fm) == repr(tm) and type(fm).__name__ == type(tm).__name__
        assert [(k, tuple(v.shape)) for k, v in fm.state_dict().items()] == \
            [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
