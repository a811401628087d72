"""Bugs found by running public PyTorch code from further domains (audio/speech front ends, CTC,
WaveNet, Fourier neural operators, CRF taggers, seq2seq, flows, Bayesian layers, metric learning)
under faketorch with `python -m compat diff`: one case per fix. Once-per-process warnings run in a
fresh interpreter."""
from conformance import case
from conformance.cases.examples_edges import _fresh_process


# tacotron2/deepspeech-style front ends call torch.stft/istft without a window: ATen warns once per
# process and per function that a rectangular window is used (stft after its Python-side centre
# padding, before any of its own checks); faketorch said nothing
@case('torch.stft')
def no_window_warns_once(torch):
    return _fresh_process(torch, """
x = torch.randn(2, 100)
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter('always')
    for f in (lambda: torch.stft(torch.randn(10), 100, return_complex=True),
              lambda: torch.stft(x, 16, window=torch.ones(16)),
              lambda: torch.istft(torch.randn(9, 7), 16),
              lambda: torch.stft(x, 16),
              lambda: torch.stft(x, 16, return_complex=True),
              lambda: torch.istft(torch.stft(x, 16, return_complex=True, window=torch.ones(16)), 16)):
        try:
            f()
        except RuntimeError as e:
            print(str(e)[:60])
print([(m.category.__name__, str(m.message)) for m in w])
""")


# Conv-TasNet's overlap_and_add calls signal.new_tensor(frame) on a tensor: torch's warning names
# tensor.new_tensor and points at the caller; faketorch's named torch.tensor and pointed inside faketorch
@case('torch.Tensor.new_tensor')
def new_tensor_copy_warning(torch):
    import warnings
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        a = torch.zeros(2).new_tensor(torch.tensor([1, 2]))
        b = torch.zeros(2, dtype=torch.float64).new_tensor(torch.ones(2, requires_grad=True), requires_grad=True)
        c = torch.zeros(2).new_tensor(torch.ones(2), dtype=torch.int32)
        d = torch.tensor(torch.ones(2, requires_grad=True))
    return a, b, c, d, [(m.category.__name__, str(m.message), m.filename == __file__) for m in w]


# locuslab's TCN applies torch.nn.utils.weight_norm at two lines: torch's deprecation warning comes from
# WeightNorm.apply, attributed to its call inside weight_norm(), so Python's default filter shows it once
# per process; faketorch attributed it to each caller's line and printed it once per call site
@case('torch.nn.utils.weight_norm')
def deprecation_shown_once(torch):
    return _fresh_process(torch, """
warnings.simplefilter('default')
warnings.showwarning = lambda msg, cat, *rest: print('shown:', cat.__name__, msg)
a = torch.nn.utils.weight_norm(torch.nn.Linear(2, 3))
b = torch.nn.utils.weight_norm(torch.nn.Conv1d(2, 3, 2), dim=None)
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter('always')
    torch.nn.utils.weight_norm(torch.nn.Linear(2, 2))
    fn = torch.nn.utils.weight_norm.__globals__['WeightNorm'].apply(torch.nn.Linear(2, 2), 'weight', 0)
print(a.weight_g.shape, b.weight_g.shape, [(m.category.__name__, str(m.message), m.filename.endswith('weight_norm.py'), m.filename == '<string>') for m in w])
""")


# GP regression learns 0-d log-hyperparameters with Adam: faketorch's fused Adam/AdamW step and Rprop's
# sign step made NumPy scalars of 0-d arrays and failed ("return arrays must be of ArrayType")
@case('torch.optim.Adam')
def zero_dim_parameters(torch):
    out = []
    for name, kw in [('Adam', {}), ('AdamW', {}), ('Adam', {'amsgrad': True}), ('Rprop', {})]:
        for dt in (torch.float32, torch.float64):
            p = torch.tensor(0.5, dtype=dt, requires_grad=True)
            opt = getattr(torch.optim, name)([p], **kw)
            for _ in range(3):
                opt.zero_grad()
                ((p * 2 + 1) ** 2).backward()
                opt.step()
            out.append((name, p.detach().clone(), {k: v for k, v in opt.state[p].items()}))
    return out


# torch's SGD steps are add_(..., alpha=...) calls (the weight decay, dampened momentum, Nesterov's
# look-ahead, the parameter step), one fused multiply-add per float32 element on the CPU; faketorch rounded alpha * b first, so ~10-20% of a 1000-element parameter's entries
# drifted by an ulp within 3 steps (bit patterns compared)
@case('torch.optim.SGD')
def fused_add_steps_float32(torch):
    g = torch.Generator().manual_seed(0)
    w0, tgt = torch.randn(1000, generator=g), torch.randn(1000, generator=g)
    out = []
    for name, kw in [('SGD', dict(lr=0.013)), ('SGD', dict(lr=0.013, momentum=0.9)),
                     ('SGD', dict(lr=0.013, momentum=0.9, dampening=0.1, weight_decay=0.01)),
                     ('SGD', dict(lr=0.013, momentum=0.9, nesterov=True, weight_decay=0.01)),
                     ('SGD', dict(lr=0.013, momentum=0.9, nesterov=True))]:
        for foreach in (False, True):
            p = w0.clone().requires_grad_()
            opt = getattr(torch.optim, name)([p], foreach=foreach, **kw)
            for _ in range(3):
                opt.zero_grad()
                ((p - tgt) ** 2).sum().backward()
                opt.step()
            out.append(p.detach().view(torch.int32)[::7])
    return out
