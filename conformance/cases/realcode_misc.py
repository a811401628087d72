"""Bugs found by running public PyTorch code outside language modelling (yunjey's tutorials, RL-Adventure's
DQN, milesial's Pytorch-UNet, PPO, WGAN-GP, DDPM, pygcn) under faketorch with `python -m compat diff`:
one case per fix."""
import warnings

from conformance import case, warned


# Variable(x, volatile=True) (RL-Adventure's DQN, old seq2seq code) warned nothing; torch warns that
# volatile has no effect, and refuses volatile together with requires_grad
@case('torch.autograd.Variable')
def volatile_warns(torch):
    V = torch.autograd.Variable
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        a = V(torch.ones(2), volatile=True)
        b = V(torch.ones(2), volatile=False)
        c = V(torch.ones(2), False, True)
    return a, a.requires_grad, b, c, [(m.category.__name__, str(m.message)) for m in w]


@case('torch.autograd.Variable')
def volatile_and_requires_grad(torch):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return torch.autograd.Variable(torch.ones(2), requires_grad=True, volatile=True)


@case('torch.autograd.Variable')
def volatile_checked_before_data(torch):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return torch.autograd.Variable(3, volatile=True)


def _cl(torch, t):
    return t.shape, t.stride(), t.is_contiguous(memory_format=torch.channels_last)


# Pytorch-UNet moves model and images to channels_last; torch's 2-d convolutions, pools, upsampling,
# constant/reflect/replicate pads and group norm keep that layout, faketorch wrote C order
@case('torch.nn.functional.conv2d')
def channels_last_output(torch):
    F = torch.nn.functional
    cl = torch.channels_last
    x = torch.rand(2, 3, 6, 5)
    w = torch.rand(4, 3, 3, 3)
    out = []
    for dt in (torch.float32, torch.float64):
        xx, ww = x.to(dt), w.to(dt)
        for a, b in ((xx, ww), (xx.contiguous(memory_format=cl), ww), (xx, ww.contiguous(memory_format=cl))):
            out += [_cl(torch, F.conv2d(a, b, padding=1)), _cl(torch, F.conv2d(a, b, stride=2)),
                    _cl(torch, F.conv_transpose2d(a, b.transpose(0, 1).contiguous(
                        memory_format=cl if b.is_contiguous(memory_format=cl) and not b.is_contiguous() else
                        torch.contiguous_format), stride=2))]
    return out, F.conv2d(x.contiguous(memory_format=cl), w, padding=1)


@case('torch.nn.functional.max_pool2d')
def channels_last_layers(torch):
    F = torch.nn.functional
    y = torch.rand(2, 4, 6, 5).contiguous(memory_format=torch.channels_last)
    outs = [F.max_pool2d(y, 2), *F.max_pool2d(y, 2, return_indices=True), F.avg_pool2d(y, 3, 1, 1),
            F.avg_pool2d(y, 2, ceil_mode=True), F.adaptive_avg_pool2d(y, 3), *F.adaptive_max_pool2d(y, 2, True),
            F.lp_pool2d(y, 2, 2), F.pad(y, (1, 1, 1, 1)), F.pad(y, (1, 1, 1, 1), mode='reflect'),
            F.pad(y, (1, 1, 1, 1), mode='replicate'), F.interpolate(y, scale_factor=2),
            F.interpolate(y, size=(3, 7), mode='bilinear'), F.interpolate(y, scale_factor=2, mode='bicubic'),
            F.group_norm(y, 2), F.batch_norm(y, torch.zeros(4), torch.ones(4)), F.relu(y)]
    return [(_cl(torch, o), o) for o in outs]


# ... and softmax / log_softmax write C order whatever the input's layout (UNet's dice loss takes the
# softmax of a channels-last logits map)
@case('torch.nn.functional.softmax')
def channels_last_input_c_order_output(torch):
    F = torch.nn.functional
    y = torch.rand(2, 4, 6, 5).contiguous(memory_format=torch.channels_last)
    return [(_cl(torch, o), o) for o in (F.softmax(y, 1), F.log_softmax(y, 1), F.softmax(y, -1), y.softmax(2))]


@case('torch.nn.Conv2d')
def channels_last_unet_step(torch):
    nn = torch.nn
    net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(inplace=True),
                        nn.MaxPool2d(2), nn.Upsample(scale_factor=2, mode='bilinear', align_corners=True),
                        nn.ConvTranspose2d(4, 4, 2, 2), nn.GroupNorm(2, 4), nn.Conv2d(4, 3, 1))
    net = net.to(memory_format=torch.channels_last)
    x = torch.rand(2, 3, 8, 6).to(memory_format=torch.channels_last)
    y = net(x)
    loss = torch.nn.functional.cross_entropy(y, torch.randint(0, 3, (2, 16, 12)))
    loss.backward()
    return _cl(torch, y), y, loss, [p.grad for p in net.parameters()]


_warned = warned


# torch.range and F.upsample* (old GAN / segmentation code) warned nothing; torch warns on every call
@case('torch.range')
def deprecation_warning(torch):
    return (_warned(lambda: torch.range(0, 3)), _warned(lambda: torch.range(1, 4, 2, dtype=torch.int64)),
            _warned(lambda: torch.range(0, 2, out=torch.empty(3))))


@case('torch.range')
def deprecation_warning_before_kernel_check(torch):
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        return torch.range(0, 2, dtype=torch.bool)


@case('torch.nn.functional.upsample')
def deprecation_warning(torch):
    F = torch.nn.functional
    x = torch.rand(1, 2, 3, 3)
    return (_warned(lambda: F.upsample(x, scale_factor=2)), _warned(lambda: F.upsample(x, size=4, mode='bilinear')),
            _warned(lambda: F.upsample_nearest(x, scale_factor=2)),
            _warned(lambda: F.upsample_bilinear(x, size=(4, 5))),
            _warned(lambda: torch.nn.Upsample(scale_factor=2)(x)))


# '%.3f' % loss (RealNVP notebook) and float(loss): torch warns, once per process, that a tensor requiring
# grad is converted to a scalar; int(), item() and format() do not warn, nor anything under no_grad
@case('Tensor.__float__')
def requires_grad_warning(torch):
    t = torch.tensor(1.5, requires_grad=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        with torch.no_grad():
            a = float(t)
        b = (int(t), t.item(), '{:.2f}'.format(t), float(t.detach()))
        c = ('%.3f' % (t * 2), float(t), complex(t))
    return a, b, c, [(m.category.__name__, str(m.message)) for m in w][:1]


# ... which faketorch's LBFGS raised itself on the closure's loss (torch's step runs under no_grad)
@case('torch.optim.LBFGS')
def closure_loss_no_scalar_warning(torch):
    w0 = torch.tensor([1.0, -2.0], requires_grad=True)
    opt = torch.optim.LBFGS([w0], max_iter=4, line_search_fn='strong_wolfe')

    def closure():
        opt.zero_grad()
        loss = ((w0 - 3) ** 2).sum()
        loss.backward()
        return loss
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        out = opt.step(closure)
    return out, w0, [str(m.message) for m in w]


# ConvNeXt-style blocks put GELU after a channels-last conv: erf/erfc/erfinv (so exact GELU) wrote C
# order, and fractional max pooling kept channels-last where torch writes C order
@case('torch.erf')
def keeps_channels_last(torch):
    F = torch.nn.functional
    y = torch.rand(2, 4, 6, 5).contiguous(memory_format=torch.channels_last) - 0.5
    outs = [torch.erf(y), torch.erfc(y), torch.erfinv(y), F.gelu(y), F.gelu(y, approximate='tanh'),
            torch.erf(y.transpose(1, 3))]
    return [(o.stride(), o) for o in outs]


@case('torch.nn.functional.fractional_max_pool2d')
def channels_last_input_c_order_output(torch):
    y = torch.rand(2, 4, 6, 5).contiguous(memory_format=torch.channels_last)
    r, i = torch.nn.functional.fractional_max_pool2d(y, 2, output_size=(3, 2), return_indices=True,
                                                       _random_samples=torch.rand(2, 4, 2))
    return r.stride(), i.stride(), r, i


# torchvision's reference train.py subclasses AveragedModel as ExponentialMovingAverage(model, decay):
# faketorch's AveragedModel was a placeholder whose metaclass built the base class, so a subclass's own
# __init__ never ran (TypeError on `decay`)
@case('torch.optim.swa_utils.AveragedModel')
def subclass(torch):
    nn = torch.nn
    swa_utils = torch.optim.swa_utils

    class ExponentialMovingAverage(swa_utils.AveragedModel):
        def __init__(self, model, decay, device="cpu"):
            def ema_avg(avg_model_param, model_param, num_averaged):
                return decay * avg_model_param + (1 - decay) * model_param
            super().__init__(model, device, ema_avg, use_buffers=True)
            self.decay = decay

    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    ema = ExponentialMovingAverage(model, decay=0.9)
    x = torch.randn(5, 3)
    for _ in range(3):
        with torch.no_grad():
            model[0].weight.add_(0.1)
        model(x)
        ema.update_parameters(model)
    return (type(ema).__name__, isinstance(ema, swa_utils.AveragedModel), isinstance(ema, nn.Module), ema.decay,
            ema.n_averaged, dict(ema.state_dict()), repr(ema), type(swa_utils.AveragedModel(model)).__name__,
            isinstance(model, swa_utils.AveragedModel), issubclass(swa_utils.AveragedModel, nn.Module))


# A second backward through a freed graph (torch.autograd.grad, then loss.backward() without retain_graph)
# raised nothing after conv / batch, layer and group norm: their nodes keep their inputs in a closure, not
# as saved tensors, so faketorch did not know they were freed
@case('torch.autograd.backward')
def freed_graph_through_norm_and_conv(torch):
    F = torch.nn.functional
    out = []
    for f in (lambda x, w: F.conv2d(x, w), lambda x, w: F.conv_transpose2d(x, w.transpose(0, 1)),
              lambda x, w: F.batch_norm(x, None, None, training=True), lambda x, w: F.layer_norm(x, (5,)),
              lambda x, w: F.group_norm(x, 1)):
        x = torch.rand(2, 3, 6, 5, requires_grad=True)
        w = torch.rand(4, 3, 3, 3, requires_grad=True)
        y = f(x, w)
        g, = torch.autograd.grad(y.sum(), (x,), retain_graph=True)
        y.sum().backward()      # retained: runs
        try:
            y.sum().backward()
            out.append('no error')
        except RuntimeError as e:
            out.append(str(e))
        out.append(g)
    return out
