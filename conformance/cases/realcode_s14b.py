"""Bugs found by running public-style PyTorch code from further domains (kornia-style image ops,
detection and segmentation utilities, tabular Kaggle loops, speech front ends and CTC, text
classification, tensor utilities, numerical code) under faketorch with `python -m compat diff`:
one case per fix."""
from conformance import case
from conformance.cases.examples_edges import _fresh_process


# kornia's warp_perspective: create_meshgrid(...).permute(...).repeat(B, 1, 1, 1) then .view(B, -1, 2);
# repeat with every count 1 kept the permuted layout (np.tile copies in the input's order), so the view
# raised. torch's repeat always returns a contiguous tensor
@case('torch.Tensor.repeat')
def repeat_ones_contiguous(torch):
    b = torch.arange(12.).view(3, 2, 2).permute(1, 0, 2).unsqueeze(0)
    r = b.repeat(1, 1, 1, 1)
    t = torch.arange(6).view(2, 3).t().tile((1, 1))
    return r.stride(), r.is_contiguous(), r.view(1, -1, 2), t.stride(), t.view(-1)


# recommender code trains nn.EmbeddingBag(..., sparse=True) with SparseAdam: faketorch's embedding_bag
# ignored sparse and gave a dense gradient (SparseAdam then refused it); torch's is a sparse COO tensor
# with one uncoalesced row per looked-up index, padding rows left out
@case('torch.nn.functional.embedding_bag')
def sparse_gradient(torch):
    F = torch.nn.functional
    out = []
    for mode, kw in [('mean', {}), ('sum', {'padding_idx': 2}), ('sum', {'per_sample_weights': True})]:
        w = torch.randn(6, 3, requires_grad=True)
        if kw.get('per_sample_weights'):
            kw = {'per_sample_weights': torch.tensor([1., 2., 3., 4., 5.])}
        r = F.embedding_bag(torch.tensor([1, 2, 3, 2, 5]), w, torch.tensor([0, 2]), mode=mode, sparse=True, **kw)
        (r * torch.arange(6.).view(2, 3)).sum().backward()
        out.append((w.grad.layout, w.grad._indices(), w.grad._values(), w.grad.to_dense()))
    bag = torch.nn.EmbeddingBag(5, 2, sparse=True)
    opt = torch.optim.SparseAdam(bag.parameters(), lr=0.1)
    bag(torch.tensor([[1, 4], [4, 0]])).sum().backward()
    opt.step()
    return out, bag.weight


# a Kaggle regression loop passes (N,) targets to F.mse_loss on (N, 1) outputs: torch's broadcast warning
# names the caller's line; faketorch's named faketorch/_autocast.py (the float32_op wrapper around the
# losses), and so did kl_div's 'mean' warning. The legacy size_average warning names torch's own code,
# the loss module's constructor included (faketorch named the caller there)
@case('torch.nn.functional.mse_loss')
def warning_names_caller(torch):
    import warnings
    F = torch.nn.functional
    a = torch.randn(3, 4)
    calls = [lambda: F.mse_loss(a, torch.ones(4)), lambda: F.l1_loss(a, torch.ones(4)),
             lambda: F.smooth_l1_loss(a, torch.ones(4)), lambda: F.huber_loss(a, torch.ones(4)),
             lambda: F.kl_div(a, a.exp()), lambda: F.kl_div(a, a.exp(), reduce=False),
             lambda: F.mse_loss(a, a, size_average=True), lambda: torch.nn.MSELoss()(a, torch.ones(4)),
             lambda: torch.nn.L1Loss(size_average=False)]
    out = []
    for autocast in (False, True):
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=autocast):
            for f in calls:
                with warnings.catch_warnings(record=True) as w:
                    warnings.simplefilter('always')
                    f()
                out.append([(m.category.__name__, str(m.message)[:40], m.filename == __file__) for m in w])
    return out


# image-pyramid code passes a 2-tuple size to a 3-d input: torch's message shows the size as given (a
# tuple, list or Size; faketorch always printed a list), a scale_factor of the wrong length raised
# nothing in faketorch (zip truncated it), and a float in the size is refused before any kernel
@case('torch.nn.functional.interpolate')
def size_checks(torch):
    x = torch.randn(1, 1, 4, 4)
    out = []
    for kw in [dict(size=(2, 2, 2)), dict(size=[3]), dict(size=torch.Size([2, 2, 2])),
               dict(scale_factor=(2.0, 2.0, 1.0)), dict(scale_factor=[0.5]), dict(size=(2.0, 3))]:
        try:
            out.append(torch.nn.functional.interpolate(x, **kw).shape)
        except (ValueError, TypeError) as e:
            out.append((type(e).__name__, str(e)))
    out.append(torch.nn.functional.interpolate(x, size=(torch.tensor(3), 3)).shape)
    return out


# notebooks that call loss.backward() twice: torch saves a Python number operand of mul/div as a wrapped
# 0-d tensor, so `(x * 2).sum()` backward twice raises torch's "backward through the graph a second time"
# error; faketorch saved nothing there and ran the second backward (add/sub save nothing in both)
@case('torch.autograd.backward')
def second_backward_scalar_mul(torch):
    out = []
    for f in (lambda x: x * 2, lambda x: 3 * x, lambda x: x / 2, lambda x: torch.mul(x, 2.5),
              lambda x: x.clone().mul_(2), lambda x: x.clone().div_(4), lambda x: x + 2, lambda x: 1 - x,
              lambda x: x.div(2, rounding_mode='floor')):
        x = torch.ones(2, requires_grad=True)
        y = f(x).sum()
        y.backward()
        try:
            y.backward()
            out.append(x.grad)
        except RuntimeError as e:
            out.append(str(e)[:50])
    return out


# ... div with rounding_mode: torch records DivBackward2 (a number is wrapped as a tensor) and saves other
# (self too where other needs a gradient); faketorch named a number's node DivBackward3 and saved nothing
@case('torch.div')
def rounding_mode_saved(torch):
    x = torch.tensor([3., -5.], requires_grad=True)
    t = torch.tensor([2., 2.], requires_grad=True)
    a, b, c = x.div(2, rounding_mode='floor'), x.div(t.detach(), rounding_mode='trunc'), x.div(t, rounding_mode='floor')
    names = [y.grad_fn.name() for y in (a, b, c)]
    saved = [b.grad_fn._saved_other, b.grad_fn._saved_self, c.grad_fn._saved_self]
    c.sum().backward()
    return names, saved, x.grad, t.grad


# anchor generators call torch.meshgrid(ys, xs) without indexing=, point-cloud code takes x.T of a 3-d
# tensor, old code calls torch.chain_matmul / torch.lu / Tensor.lu: ATen warns once per process for each
# (x.T: the 0-d message apart; torch.lu and Tensor.lu share one); faketorch said nothing
@case('torch.meshgrid')
def deprecation_warnings_once(torch):
    return _fresh_process(torch, """
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter('always')
    for f in (lambda: torch.meshgrid(torch.arange(2), torch.arange(3)), lambda: torch.meshgrid(torch.arange(2)),
              lambda: torch.meshgrid(torch.arange(2), indexing='xy'), lambda: torch.ones(2, 3).T,
              lambda: torch.ones(2, 3, 4).T, lambda: torch.ones(3).T, lambda: torch.ones(()).T,
              lambda: torch.ones(()).T, lambda: torch.chain_matmul(torch.eye(2), torch.eye(2)),
              lambda: torch.chain_matmul(torch.eye(2)), lambda: torch.eye(2).lu(), lambda: torch.lu(torch.eye(2))):
        print(tuple(r.shape for r in f()) if isinstance(f(), tuple) else f().shape)
print([(m.category.__name__, str(m.message)[:60], m.filename == '<string>') for m in w])
""")


# old linear-algebra code calls torch.symeig / torch.solve / torch.eig / torch.lstsq / torch.matrix_rank:
# torch keeps them (and the Tensor methods) as functions that raise, saying what replaces them; faketorch
# had no such names (AttributeError)
@case('torch.solve')
def removed_linalg_functions(torch):
    A = torch.eye(2)
    out = []
    for f in (lambda: torch.symeig(A), lambda: torch.solve(A, A), lambda: torch.eig(A, True), lambda: torch.lstsq(A, A),
              lambda: torch.matrix_rank(A), lambda: A.symeig(), lambda: A.solve(A), lambda: A.eig(), lambda: A.lstsq(A)):
        try:
            f()
        except RuntimeError as e:
            out.append(str(e))
    return out, hasattr(A, 'matrix_rank')


# Kaggle loaders build torch.tensor([np.array(...), ...]) and wrap read-only arrays (np.broadcast_to,
# np.frombuffer, PIL images) with from_numpy/as_tensor: torch warns once per process for each (torch.tensor
# copies a read-only array silently); faketorch said nothing
@case('torch.tensor')
def numpy_warnings_once(torch):
    return _fresh_process(torch, """
import numpy as np
ro = np.arange(3.0)
ro.setflags(write=False)
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter('always')
    for f in (lambda: torch.tensor([np.ones(0)]), lambda: torch.tensor([2.0, np.ones(())]),
              lambda: torch.tensor([np.float64(1), 2.0]), lambda: torch.tensor(ro),
              lambda: torch.tensor([[1.0, 2.0], np.ones(2)]), lambda: torch.as_tensor([np.ones(2)]),
              lambda: torch.as_tensor(np.broadcast_to(np.ones(3), (2, 3))), lambda: torch.from_numpy(ro)):
        print(f().shape)
        print([(m.category.__name__, str(m.message)[:50], m.filename == '<string>') for m in w])
        w.clear()
""")


# ... and torch.stft's no-window warning names torch's own Python wrapper (functional.py), not the caller
# (so Python's default filter shows it once whatever the call site); torch.istft's names the caller
@case('torch.stft')
def no_window_warning_location(torch):
    return _fresh_process(torch, """
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter('always')
    torch.stft(torch.randn(100), 16, return_complex=True)
    torch.istft(torch.randn(9, 7, dtype=torch.complex64), 16)
print([(str(m.message)[:30], m.filename == '<string>') for m in w])
""")
