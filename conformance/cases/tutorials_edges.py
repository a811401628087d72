"""Bugs found by running pytorch/tutorials scripts under faketorch (python -m compat diff): one case per fix."""
from conformance import case


def _packed(torch, fn, *args):
    """What the saved-tensors pack hook sees while fn(*args) runs: one (shape, stride, first value) per save."""
    seen = []

    def pack(t):
        seen.append((tuple(t.shape), t.stride(), t.flatten()[0].item()))
        return t
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = fn(*args)
    return out, seen


# autograd_saved_tensors_hooks_tutorial: grad_fn._saved_self / _saved_other / _saved_result were missing
@case('torch.autograd.graph.Node._saved_self')
def saved_inputs_by_reference(torch):
    a = torch.randn(5, requires_grad=True)
    b = torch.ones(5, requires_grad=True)
    y = a * b
    return y.grad_fn._saved_self is a, y.grad_fn._saved_other is b, y.grad_fn._saved_self, y.grad_fn._saved_other


@case('torch.autograd.graph.Node._saved_result')
def saved_output_is_a_new_object(torch):
    a = torch.randn(5, requires_grad=True)
    y = torch.exp(a)
    r = y.grad_fn._saved_result
    return r.equal(y), r is y, r.grad_fn is y.grad_fn, torch.sin(a).grad_fn._saved_self is a


@case('torch.autograd.graph.Node._saved_self')
def unsaved_slot_is_none(torch):
    a = torch.randn(3, requires_grad=True)
    b = torch.randn(3)
    fa, fb = (a * b).grad_fn, (b * a).grad_fn
    return fa._saved_self, fa._saved_other is b, fb._saved_other, fb._saved_self is b, \
        (a / b).grad_fn._saved_self, (b / a).grad_fn._saved_self is b


@case('torch.autograd.graph.Node._saved_self')
def after_backward_raises(torch):
    a = torch.randn(3, requires_grad=True)
    y = a.sin()
    y.sum().backward()
    return y.grad_fn._saved_self


@case('torch.autograd.graph.Node._saved_self')
def unknown_attribute(torch):
    return (torch.randn(3, requires_grad=True) * 2).grad_fn._saved_nothing


@case('torch.autograd.graph.saved_tensors_hooks')
def unpack_per_access(torch):
    calls = []

    def unpack(t):
        calls.append(t.shape)
        return t
    x = torch.ones(5, requires_grad=True)
    with torch.autograd.graph.saved_tensors_hooks(lambda t: t * 1, unpack):
        y = x.pow(2) * x
    first = y.grad_fn._saved_self
    second = y.grad_fn._saved_self
    return first, second is first, len(calls)


# torch saves only what the gradients that are needed read, other before self: the pack hook's prints
@case('torch.autograd.graph.saved_tensors_hooks')
def binary_pack_order(torch):
    a = torch.ones(5, requires_grad=True)
    b = torch.ones(5, requires_grad=True) * 2
    c = torch.full((5,), 3.)
    return [_packed(torch, f, x, y)[1] for f in (torch.mul, torch.div, torch.atan2, torch.add, torch.sub)
            for x, y in ((a, b), (a, c), (c, b))]


@case('torch.autograd.graph.saved_tensors_hooks')
def linear_saves_what_it_needs(torch):
    lin = torch.nn.Linear(4, 3)
    x = torch.randn(2, 4)
    out = [_packed(torch, lin, x)[1], _packed(torch, lin, x.requires_grad_())[1]]
    lin.requires_grad_(False)
    out.append(_packed(torch, lin, x)[1])
    return out


@case('torch.Tensor.add_')
def inplace_on_unsaved_input(torch):
    # y is not saved by y * c when c needs no gradient: changing it in place is no error
    x = torch.randn(3, requires_grad=True)
    y = x * 2
    c = torch.randn(3)
    z = y * c
    y.add_(1)
    z.sum().backward()
    lin = torch.nn.Linear(3, 2)
    h = x * 3
    out = lin(h)
    lin.weight.data.mul_(2)     # .data: no version bump either way
    with torch.no_grad():
        lin.bias.add_(1)
    out.sum().backward()
    return x.grad, lin.weight.grad


# custom_function_double_backward_tutorial: gradgradcheck drew its grad_outputs from NumPy, so the
# global generator (and every later torch.rand) went out of step with torch
@case('torch.autograd.gradgradcheck')
def draws_grad_outputs_from_torch(torch):
    x = torch.rand(3, 3, requires_grad=True, dtype=torch.double)
    y = torch.rand(2, requires_grad=True, dtype=torch.double)
    ok = torch.autograd.gradgradcheck(lambda a, b: (a * 2, b.sum() * a, a.detach()), (x, y))
    return ok, torch.rand(4)


@case('torch.autograd.gradcheck')
def mismatch_message_prints_tensors(torch):
    class Wrong(torch.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            return t * 3

        @staticmethod
        def backward(ctx, g):
            return g * 2
    x = torch.tensor([0.25, 0.5], dtype=torch.double, requires_grad=True)
    return torch.autograd.gradcheck(Wrong.apply, (x,))


# dynamic_quantization recipe: torch marks the eager-mode quantization entry points deprecated
@case('torch.ao.quantization.quantize_dynamic')
def deprecation_warning(torch):
    import warnings
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        torch.ao.quantization.quantize_dynamic(torch.nn.Sequential(torch.nn.Linear(4, 4)), {torch.nn.Linear},
                                               dtype=torch.qint8)
        m = torch.nn.Sequential(torch.ao.quantization.QuantStub(), torch.nn.Linear(4, 4),
                                torch.ao.quantization.DeQuantStub())
        m.qconfig = torch.ao.quantization.default_qconfig
        torch.ao.quantization.prepare(m, inplace=True)
        m(torch.randn(2, 4))
        torch.ao.quantization.convert(m, inplace=True)
    return [(x.category.__name__, str(x.message)[:60]) for x in w if x.category is DeprecationWarning], \
        torch.quantization.quantize_dynamic.__name__


# neural style transfer tutorial (Normalization's torch.tensor(mean)): torch warns when copy-constructing
@case('torch.tensor')
def copy_construct_warning(torch):
    import warnings
    a = torch.tensor([1., 2.], requires_grad=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        out = [torch.tensor(a), torch.tensor(a, dtype=torch.float64), torch.tensor(torch.arange(3)),
               torch.tensor([torch.tensor(1.), torch.tensor(2.)]), torch.as_tensor(a)]
    return out, [(x.category.__name__, str(x.message)) for x in w]
