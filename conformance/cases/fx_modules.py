"""torch.fx.symbolic_trace of bare library modules (the module itself is the root, so its forward is
traced): the generated code and graph, with the placeholders' types and the return annotation that
come from torch's annotations on forward, and the traced module's result on an input."""
from conformance import case


def _traced(torch, modules, inputs=None):
    out = []
    for i, m in enumerate(modules):
        try:
            gm = torch.fx.symbolic_trace(m)
        except Exception as e:      # torch cannot trace some (control flow on the input): same error here
            out.append((type(e).__name__, str(e)))
            continue
        types = [(n.name, n.type is torch.Tensor) for n in gm.graph.nodes if n.op == 'placeholder']
        row = [gm.code, str(gm.graph), types]
        if inputs is not None and inputs[i] is not None:
            row.append((gm(*inputs[i]), m(*inputs[i])))
        out.append(row)
    return out


def _x(torch, *shape):
    return torch.linspace(-2, 2, int(torch.tensor(shape).prod())).reshape(shape)


@case('torch.fx.symbolic_trace')
def bare_linear_conv(torch):
    nn = torch.nn
    torch.manual_seed(0)
    mods = [nn.Linear(3, 2), nn.Bilinear(2, 2, 2), nn.Identity(), nn.Conv2d(1, 2, 3, padding=1, bias=False),
            nn.Conv1d(1, 1, 3, padding=1, padding_mode='reflect'), nn.Conv3d(1, 1, 1), nn.ConvTranspose2d(1, 1, 3)]
    ins = [(_x(torch, 2, 3),), (_x(torch, 1, 2), _x(torch, 1, 2)), (_x(torch, 2),), (_x(torch, 1, 1, 4, 4),),
           (_x(torch, 1, 1, 5),), (_x(torch, 1, 1, 2, 2, 2),), None]
    return _traced(torch, mods, ins)


@case('torch.fx.symbolic_trace')
def bare_activations(torch):
    nn = torch.nn
    mods = [nn.ReLU(), nn.ReLU(inplace=True), nn.GELU('tanh'), nn.SiLU(), nn.Sigmoid(), nn.Tanh(), nn.LeakyReLU(0.2),
            nn.ELU(), nn.Softmax(1), nn.LogSoftmax(-1), nn.Hardswish(), nn.Mish(), nn.Softplus(2), nn.PReLU(),
            nn.ReLU6(), nn.Hardtanh(-1, 1), nn.GLU(), nn.Threshold(0.1, 0.), nn.Softmin(1), nn.CELU(), nn.SELU(),
            nn.Hardsigmoid(),
            nn.LogSigmoid(), nn.Softsign(), nn.Tanhshrink(), nn.Softshrink(), nn.Hardshrink()]
    return _traced(torch, mods, [(_x(torch, 2, 4),)] * len(mods))


@case('torch.fx.symbolic_trace')
def bare_norms(torch):
    nn = torch.nn
    mods = [nn.LayerNorm(4), nn.LayerNorm(4, elementwise_affine=False), nn.GroupNorm(2, 4), nn.RMSNorm(4),
            nn.LocalResponseNorm(2), nn.BatchNorm2d(4), nn.BatchNorm1d(4).eval(), nn.InstanceNorm2d(4)]
    ins = [(_x(torch, 2, 4),), (_x(torch, 2, 4),), (_x(torch, 2, 4, 3),), (_x(torch, 2, 4),), (_x(torch, 1, 4, 3),),
           None, None, None]
    return _traced(torch, mods, ins)


@case('torch.fx.symbolic_trace')
def bare_pooling(torch):
    nn = torch.nn
    mods = [nn.MaxPool1d(2), nn.MaxPool2d(2, stride=1), nn.MaxPool2d(2, return_indices=True), nn.AvgPool2d(2),
            nn.AvgPool1d(2, ceil_mode=True), nn.AdaptiveAvgPool2d((1, 1)), nn.AdaptiveMaxPool2d(1),
            nn.AdaptiveAvgPool1d(2), nn.LPPool2d(2, 2), nn.MaxPool3d(2)]
    ins = [(_x(torch, 1, 2, 4),), (_x(torch, 1, 1, 3, 3),), (_x(torch, 1, 1, 4, 4),), (_x(torch, 1, 1, 4, 4),),
           (_x(torch, 1, 1, 5),), (_x(torch, 1, 2, 3, 3),), (_x(torch, 1, 2, 3, 3),), (_x(torch, 1, 2, 4),),
           (_x(torch, 1, 1, 4, 4).abs(),), (_x(torch, 1, 1, 2, 2, 2),)]
    return _traced(torch, mods, ins)


@case('torch.fx.symbolic_trace')
def bare_shape_and_embedding(torch):
    nn = torch.nn
    torch.manual_seed(0)
    mods = [nn.Dropout(0.2).eval(), nn.Dropout2d(), nn.AlphaDropout(), nn.Embedding(5, 2, padding_idx=0),
            nn.EmbeddingBag(5, 2), nn.Flatten(), nn.Unflatten(1, (2, 2)), nn.Upsample(scale_factor=2), nn.ZeroPad2d(1),
            nn.ConstantPad1d(1, 3.), nn.ReflectionPad2d(1), nn.PixelShuffle(2), nn.ChannelShuffle(2),
            nn.CosineSimilarity(), nn.PairwiseDistance(), nn.Fold((2, 2), 1), nn.Unfold(1)]
    idx = torch.tensor([[1, 2], [4, 0]])
    ins = [(_x(torch, 2, 4),), None, None, (idx,), (idx,), (_x(torch, 2, 2, 2),), (_x(torch, 2, 4),),
           (_x(torch, 1, 1, 2, 2),), (_x(torch, 1, 1, 2, 2),), (_x(torch, 1, 3),), (_x(torch, 1, 1, 2, 2),),
           (_x(torch, 1, 4, 1, 1),),
           (_x(torch, 1, 4, 1, 1),), (_x(torch, 2, 3), _x(torch, 2, 3).flip(0)), (_x(torch, 2, 3), _x(torch, 2, 3) * 2),
           (_x(torch, 1, 4, 4),), (_x(torch, 1, 1, 2, 2),)]
    return _traced(torch, mods, ins)


@case('torch.fx.symbolic_trace')
def bare_containers_and_losses(torch):
    nn = torch.nn
    torch.manual_seed(0)
    mods = [nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)), nn.Sequential(),
            nn.CrossEntropyLoss(label_smoothing=0.1), nn.MSELoss(), nn.L1Loss(reduction='sum'), nn.NLLLoss(),
            nn.BCEWithLogitsLoss(), nn.BCELoss(), nn.KLDivLoss(),
            nn.SmoothL1Loss(beta=0.5), nn.HuberLoss(), nn.TripletMarginLoss(), nn.CosineEmbeddingLoss(),
            nn.MarginRankingLoss(), nn.GaussianNLLLoss(), nn.PoissonNLLLoss()]
    p, t = torch.tensor([[0.2, 0.8], [0.6, 0.4]]), torch.tensor([[0., 1.], [1., 0.]])
    cls = torch.tensor([1, 0])
    ins = [(_x(torch, 2, 2),), (_x(torch, 2),), (_x(torch, 2, 3), cls), (p, t), (p, t), (p.log(), cls), (p, t), (p, t),
           (p.log(), t), (p, t), (p, t), (p, t, p.flip(0)), (p, t, torch.tensor([1., -1.])),
           (p[:, 0], p[:, 1], torch.tensor([1., -1.])),
           (p, t, p * 0 + 1), (p, t)]
    return _traced(torch, mods, ins)


@case('torch.fx.symbolic_trace')
def bare_recurrent_and_attention(torch):
    nn = torch.nn
    torch.manual_seed(0)
    mods = [nn.RNNCell(2, 3), nn.GRUCell(2, 3), nn.LSTMCell(2, 3), nn.TransformerEncoderLayer(4, 1, 8)]
    return _traced(torch, mods)


@case('torch.fx.symbolic_trace')
def return_indices_dispatch(torch):
    # F.max_pool2d & co. with return_indices=True record the _with_indices function, as torch's
    # boolean_dispatch makes them
    F = torch.nn.functional

    class M(torch.nn.Module):
        def forward(self, x):
            return (F.adaptive_max_pool2d(x, 1, True), F.max_pool1d(x[0], 2, 2, 0, 1, False, True),
                    F.max_pool2d(x, 2, return_indices=True), F.max_pool2d(x, 2), F.adaptive_max_pool1d(x[0], 1))
    gm = torch.fx.symbolic_trace(M())
    x = _x(torch, 1, 2, 4, 4)
    return gm.code, str(gm.graph), gm(x), M()(x)
