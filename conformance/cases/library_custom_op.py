"""torch.library.custom_op in eager mode: schema inference, torch.ops registration, register_autograd,
register_kernel, mutation and aliasing rules."""
import re
import typing

import numpy as np

from conformance import case, check


def _numpy_sin(torch, name):
    def f(x: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(np.sin(x.numpy(force=True)))
    f.__annotations__ = {'x': torch.Tensor, 'return': torch.Tensor}
    return torch.library.custom_op(name, mutates_args=())(f)


@case('torch.library.custom_op')
def numpy_kernel_with_autograd(torch):
    op = _numpy_sin(torch, 'ftconf::numpy_sin')
    x = torch.tensor([0.5, -1., 2.], requires_grad=True)
    before = op(x)

    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(inputs[0])

    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * x.cos()
    op.register_fake(lambda x: torch.empty_like(x))
    op.register_autograd(backward, setup_context=setup_context)
    y = torch.ops.ftconf.numpy_sin(x)
    y.sum().backward()
    with torch.no_grad():
        plain = op(x)
    return (repr(op), before, before.grad_fn.name(), y, x.grad, str(torch.ops.ftconf.numpy_sin),
            torch.ops.ftconf.numpy_sin.default(x.detach()), plain.requires_grad)


@case('torch.library.custom_op')
def backward_without_formula(torch):
    y = _numpy_sin(torch, 'ftconf::no_formula')(torch.ones(2, requires_grad=True))
    y.sum().backward()


@case('torch.library.custom_op')
def schema_defaults_and_keywords(torch):
    T = torch.Tensor

    def f(x: T, s: typing.Optional[T] = None, a: float = 1.0, *, n: int = 2, flag: bool = False) -> tuple[T, T]:
        return x * a * n, (x if s is None else s).clone()
    op = torch.library.custom_op('ftconf::kw', mutates_args=())(f)
    seen = []

    def setup_context(ctx, inputs, keyword_only_inputs, output):
        seen.append(([type(i).__name__ for i in inputs], keyword_only_inputs, ctx.needs_input_grad))
    op.register_autograd(lambda ctx, g1, g2: (g1 * 3, None, None), setup_context=setup_context)
    x = torch.ones(2, requires_grad=True)
    a, b = op(x, a=2., n=3)
    (a + b).sum().backward()
    return a, b, x.grad, seen, a.grad_fn is b.grad_fn


def _too_many(torch):
    T = torch.Tensor

    def f(x: T, a: float = 1.0) -> T:
        return x * a
    torch.library.custom_op('ftconf::many', mutates_args=())(f)(torch.ones(1), 1., 2.)


check('torch.library.custom_op', _too_many, name='too_many_arguments')
check('torch.library.custom_op', lambda torch: torch.library.custom_op('ftconf::bad', mutates_args=())(lambda x: x),
      name='missing_annotation')
check('torch.library.custom_op', lambda torch: torch.library.custom_op('ftconf::bad2')(lambda x: x),
      name='mutates_args_required')
check('torch.library.custom_op', lambda torch: torch.ops.ftconf.not_registered, name='unknown_op')


@case('torch.library.custom_op')
def output_aliasing_input(torch):
    def ident(x: torch.Tensor) -> torch.Tensor:
        return x[:1]
    ident.__annotations__ = {'x': torch.Tensor, 'return': torch.Tensor}
    try:
        torch.library.custom_op('ftconf::alias', mutates_args=())(ident)(torch.ones(2))
    except RuntimeError as e:      # the message names the library's own module
        return re.sub(r"<module [^>]*>", '<module>', str(e))


@case('torch.library.custom_op')
def mutation_and_kernels(torch):
    T = torch.Tensor

    def add_(x: T, y: float) -> None:
        x.add_(y)
    op = torch.library.custom_op('ftconf::add_', mutates_args={'x'})(add_)
    t = torch.zeros(2)
    r = op(t, 2.)

    def twice(x: T) -> T:
        return x * 2
    tw = torch.library.custom_op('ftconf::twice', mutates_args=())(twice)
    tw.register_kernel('cpu')(lambda x: x * 3)
    return r, t, t._version, tw(torch.ones(2))
