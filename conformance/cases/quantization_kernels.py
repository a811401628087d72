"""The quantized linear and convolution kernels to the last integer (their int_repr), on the inputs that
break a fast path: integer sums whose partial sums pass float32's exact range (2**24) though the result
does not (inner dimensions past the chunking), zero points at the ends of their types, per-channel and
per-tensor weights with zero points, every convolution geometry (padding, stride, dilation, groups,
1d/2d/3d, odd shapes), fused ReLU, no bias."""
from conformance import case


def _qx(torch, ints, scale, zero_point):
    return torch._make_per_tensor_quantized_tensor(ints.to(torch.uint8), scale, zero_point)


def _long_sums(torch, rows, k, n=128):
    """(quint8 integers 254 or 255, int8 weight integers near +127 on the first half of k and their negatives
    on the second, k even): the sums reach about k/2 * 255 * 127 and cancel to a few thousand."""
    x = 255 - torch.randint(0, 2, rows + (k,))
    w = 127 - torch.randint(0, 2, (n, k // 2))
    return x, torch.cat([w, -w], 1).to(torch.int8)


@case('torch.ao.nn.quantized.Linear')
def quantized_linear_long_sums(torch):
    nnq = torch.ao.nn.quantized
    out = []
    for k in (1032, 4100):
        x, w = _long_sums(torch, (64,), k)
        ws = torch.rand(128, dtype=torch.double) * 0.004 + 0.005
        for per_channel, div in ((False, 8), (True, 6)):
            lin = nnq.Linear(k, 128)
            wq = (torch._make_per_channel_quantized_tensor(w, ws, torch.zeros(128, dtype=torch.long), 0)
                  if per_channel else torch._make_per_tensor_quantized_tensor(w, 0.007, 0))
            lin.set_weight_bias(wq, torch.randn(128) * 1e-3)
            lin.scale, lin.zero_point = 0.02 * 0.007 * div, 128
            out.append(lin(_qx(torch, x, 0.02, 0)).int_repr())
    return out


@case('torch.ao.nn.quantized.Linear')
def quantized_linear_zero_points(torch):
    """Input, weight and output zero points at their types' ends (the centred values reach 255)."""
    nnq, nniq = torch.ao.nn.quantized, torch.ao.nn.intrinsic.quantized
    out = []
    for x_zp, w_zp, y_zp in ((0, -128, 0), (255, 127, 255), (0, 127, 128), (255, -128, 3)):
        for mod in (nnq.Linear, nniq.LinearReLU):
            lin = mod(700, 5)
            w = torch.randint(-128, 128, (5, 700), dtype=torch.int8)
            lin.set_weight_bias(torch._make_per_tensor_quantized_tensor(w, 0.003, w_zp), torch.randn(5) * 4)
            lin.scale, lin.zero_point = 7.0, y_zp
            x = _qx(torch, torch.randint(0, 256, (3, 700)), 0.05, x_zp)
            out.append(lin(x).int_repr())
        lin = nnq.Linear(9, 4)
        wpc = torch._make_per_channel_quantized_tensor(torch.randint(-128, 128, (4, 9), dtype=torch.int8),
                                                       torch.tensor([0.01, 0.02, 0.03, 0.04], dtype=torch.double),
                                                       torch.tensor([w_zp, 0, 5, -7]), 0)
        lin.set_weight_bias(wpc, None)
        lin.scale, lin.zero_point = 0.3, y_zp
        out.append(lin(_qx(torch, torch.randint(0, 256, (2, 3, 9)), 0.1, x_zp)).int_repr())
    return out


@case('torch.ao.nn.quantized.Conv2d')
def quantized_conv_long_sums(torch):
    """Inner dimensions (channels / groups * kernel taps) past 2**24 / (255 * 128), stride 1 (the flat
    layout) and strided, grouped."""
    nnq = torch.ao.nn.quantized
    out = []
    for cin, groups, kw in ((64, 1, {'padding': 1}), (1024, 2, {'padding': (2, 1), 'dilation': (2, 1)}),
                            (512, 1, {'stride': 2, 'padding': 1}), (2400, 1, {'kernel_size': 1})):
        ks = kw.pop('kernel_size', 3)
        k = cin // groups * ks * ks
        _, w = _long_sums(torch, (), k, 64)
        # each group's weights see the long-sum pattern over its own (channel, tap) axis
        w = w.reshape(64, cin // groups, ks, ks)
        img = 255 - torch.randint(0, 2, (2, cin, 7, 9))
        conv = nnq.Conv2d(cin, 64, ks, groups=groups, **kw)
        ws = torch.rand(64, dtype=torch.double) * 0.004 + 0.005
        conv.set_weight_bias(torch._make_per_channel_quantized_tensor(w, ws, torch.zeros(64, dtype=torch.long), 0),
                             torch.randn(64) * 1e-3)
        conv.scale, conv.zero_point = 0.02 * 0.007 * 6, 128
        out.append(conv(_qx(torch, img, 0.02, 0)).int_repr())
    return out


@case('torch.ao.nn.quantized.Conv2d')
def quantized_conv_geometry(torch):
    nnq, nniq = torch.ao.nn.quantized, torch.ao.nn.intrinsic.quantized
    out = []
    shapes = (  # (module, in, out, kernel, options, input shape)
        (nnq.Conv1d, 3, 5, 4, {'padding': 2, 'stride': 3}, (2, 3, 13)),
        (nniq.ConvReLU1d, 6, 4, 3, {'dilation': 3, 'groups': 2}, (1, 6, 17)),
        (nnq.Conv2d, 3, 7, (2, 5), {'padding': (1, 0), 'stride': (2, 1)}, (3, 3, 9, 11)),
        (nnq.Conv2d, 8, 8, 3, {'groups': 8, 'padding': 1}, (2, 8, 6, 5)),
        (nniq.ConvReLU2d, 4, 6, 3, {'dilation': (1, 2), 'padding': (0, 3), 'groups': 2}, (2, 4, 7, 6)),
        (nnq.Conv2d, 5, 3, 1, {'stride': 2, 'bias': False}, (2, 5, 5, 8)),
        (nnq.Conv2d, 2, 4, 5, {'padding': 4}, (1, 2, 3, 3)),
        (nnq.Conv3d, 2, 4, 3, {'padding': 1, 'stride': (1, 2, 1)}, (2, 2, 4, 5, 3)),
        (nniq.ConvReLU3d, 4, 4, (1, 2, 2), {'groups': 2, 'dilation': (1, 2, 1)}, (1, 4, 3, 6, 4)),
    )
    for i, (mod, cin, cout, ks, kw, shape) in enumerate(shapes):
        conv = mod(cin, cout, ks, **kw)
        wshape = tuple(conv.weight().shape)
        w = torch.randint(-128, 128, wshape, dtype=torch.int8)
        if i % 2:
            wq = torch._make_per_channel_quantized_tensor(w, torch.rand(cout, dtype=torch.double) * 0.01 + 0.001,
                                                          torch.zeros(cout, dtype=torch.long), 0)
        else:
            wq = torch._make_per_tensor_quantized_tensor(w, 0.004, 0)
        conv.set_weight_bias(wq, None if kw.get('bias') is False else torch.randn(cout))
        for x_zp, y_zp in ((0, 0), (255, 255), (128, 64)):
            conv.scale, conv.zero_point = 0.5 + 0.1 * i, y_zp
            out.append(conv(_qx(torch, torch.randint(0, 256, shape), 0.03, x_zp)).int_repr())
    return out


@case('torch.ao.nn.quantized.functional.conv2d')
def quantized_functional_conv2d(torch):
    qF = torch.ao.nn.quantized.functional
    x = torch.quantize_per_tensor(torch.randn(2, 4, 7, 9), 0.05, 100, torch.quint8)
    w = torch.quantize_per_channel(torch.randn(6, 2, 3, 3) * 0.3, torch.rand(6, dtype=torch.double) * 0.01 + 0.002,
                                   torch.zeros(6, dtype=torch.long), 0, torch.qint8)
    return [qF.conv2d(x, w, torch.randn(6), stride=s, padding=p, dilation=d, groups=2, scale=0.2, zero_point=30)
            .int_repr() for s, p, d in ((1, 0, 1), (2, 1, 1), (1, 2, 2), ((2, 1), (0, 1), (1, 3)))]


@case('torch.ao.nn.quantized.dynamic.Linear')
def dynamic_linear_long_sums(torch):
    nnqd = torch.ao.nn.quantized.dynamic
    out = []
    for k in (520, 2100):
        lin = nnqd.Linear(k, 8)
        _, w = _long_sums(torch, (), k, 8)
        lin.set_weight_bias(torch._make_per_tensor_quantized_tensor(w, 0.01, 0), torch.randn(8))
        out.append(lin(torch.rand(5, k) * 0.01 + 2.0))
        lin.set_weight_bias(torch._make_per_channel_quantized_tensor(
            w, torch.rand(8, dtype=torch.double) * 0.01 + 0.001, torch.zeros(8, dtype=torch.long), 0), None)
        out.append(lin(torch.randn(3, k)))
    return out
