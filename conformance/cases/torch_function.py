"""The __torch_function__ protocol: Tensor subclasses kept through ops (the default Tensor.__torch_function__),
subclasses with their own __torch_function__ (logging, declining), Tensor-like types that are not Tensors
(torch's docs' ScalarTensor and DiagonalTensor, written here), TorchFunctionMode, DisableTorchFunction(Subclass),
nn.Parameter's plain results, autograd through subclasses, printing, and the errors when nobody answers.
Classes are made inside the cases (from the library under test)."""
import importlib
import re

from conformance import case


def _my(torch):
    class MyT(torch.Tensor):
        pass
    return MyT


def _logged(torch):
    log = []

    class Logged(torch.Tensor):
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            log.append(func.__name__)
            return super().__torch_function__(func, types, args, kwargs)
    return Logged, log


def _kinds(*xs):
    return [type(x).__name__ for x in xs]


def _sub(torch, *shape):
    return torch.arange(float(torch.Size(shape).numel())).reshape(shape).as_subclass(_my(torch))


# --- subclass preservation -------------------------------------------------------------------------------
@case('torch.Tensor.__torch_function__')
def tf_arithmetic_keeps_subclass(torch):
    a = _sub(torch, 2, 3)
    rs = [a + 1, 1 + a, a - 1, 1 - a, a * 2, 2 * a, a / 2, 2 / (a + 1), a // 2, a % 2, a ** 2, 2 ** a, -a, abs(a),
          a @ a.T, a == 1, a < 2, a + torch.ones(3)]
    return _kinds(*rs), rs


@case('torch.Tensor.__torch_function__')
def tf_reductions_keep_subclass(torch):
    a = _sub(torch, 2, 3)
    rs = [a.sum(), a.mean(0), torch.sum(a, 1), a.max(), a.amax(1), a.std(), torch.prod(a), a.norm()]
    m = a.max(1)
    return _kinds(*rs), rs, type(m).__name__, _kinds(m.values, m.indices), m


@case('torch.Tensor.__torch_function__')
def tf_indexing_and_views(torch):
    a = _sub(torch, 2, 3)
    rs = [a[0], a[:, 1], a[a > 2], a.view(3, 2), a.reshape(-1), a.T, a.t(), a.transpose(0, 1), a.unsqueeze(0),
          a.flatten(), a.permute(1, 0), a.expand(2, 2, 3), a.contiguous(), a.clone(), a.detach(), a.data]
    return _kinds(*rs), rs


@case('torch.Tensor.__torch_function__')
def tf_torch_functions(torch):
    a = _sub(torch, 2, 3)
    rs = [torch.relu(a - 2), torch.exp(a), torch.matmul(a, a.T), torch.where(a > 2, a, 0.), torch.clamp(a, 1, 3),
          torch.flatten(a), torch.cat([torch.zeros(1, 3), a]), torch.cat([a, torch.zeros(1, 3)]),
          torch.stack([a, a]), torch.zeros_like(a), torch.ones_like(a)]
    return _kinds(*rs), rs


@case('torch.Tensor.__torch_function__')
def tf_functional(torch):
    F = torch.nn.functional
    a = _sub(torch, 2, 3)
    rs = [F.relu(a - 2), F.softmax(a, 1), F.linear(a, torch.ones(4, 3)), F.linear(torch.ones(1, 3), a),
          F.dropout(a, 0.0), F.gelu(a), F.mse_loss(a, torch.zeros(2, 3)), F.pad(a, (1, 1))]
    return _kinds(*rs), rs


@case('torch.Tensor.__torch_function__')
def tf_tuples_and_lists(torch):
    a = _sub(torch, 4, 2)
    sp, ch, ub = a.split(2), a.chunk(2), a.unbind(1)
    s = torch.sort(a, 0, descending=True)
    return (type(sp).__name__, _kinds(*sp), _kinds(*ch), _kinds(*ub), type(s).__name__, _kinds(*s),
            type(a.tolist()).__name__, a.tolist())


@case('torch.Tensor.__torch_function__')
def tf_inplace_returns_self(torch):
    a = _sub(torch, 3)
    b = a.add_(1)
    c = a.mul_(torch.full((3,), 2.))
    a += 1
    d = a.clamp_(max=5)
    a[0] = -1.
    return b is a, c is a, d is a, type(a).__name__, a


@case('torch.Tensor.__torch_function__')
def tf_linalg_fft_special(torch):
    m = (torch.eye(3) * 2).as_subclass(_my(torch))
    rs = [torch.linalg.inv(m), torch.linalg.norm(m), torch.fft.fft(m[0]).real, torch.special.expit(m),
          torch.linalg.det(m)]
    return _kinds(*rs), rs


@case('torch.Tensor.__torch_function__')
def tf_two_subclasses_precedence(torch):
    A = _my(torch)

    class B(A):
        pass

    a, b = torch.ones(2).as_subclass(A), torch.ones(2).as_subclass(B)
    return _kinds(a + b, b + a, torch.add(a, b), a + torch.ones(2), torch.ones(2) + a, a.sum() * b)


@case('torch.Tensor.__torch_function__')
def tf_unrelated_subclasses_refuse(torch):
    class C(torch.Tensor):
        pass

    class D(torch.Tensor):
        pass
    c, d = torch.ones(2).as_subclass(C), torch.ones(2).as_subclass(D)
    return torch.add(c, d)


@case('torch.Tensor.__torch_function__')
def tf_subclass_with_attributes(torch):
    class Tagged(torch.Tensor):
        pass
    t = torch.ones(2).as_subclass(Tagged)
    t.tag = 'x'
    u = t * 3
    return type(u).__name__, hasattr(u, 'tag'), t.tag, u


@case('torch.Tensor.as_subclass')
def tf_as_subclass_shares(torch):
    x = torch.zeros(3)
    a = x.as_subclass(_my(torch))
    a[1] = 5.
    return x, a, type(a).__name__, isinstance(a, torch.Tensor), a.data_ptr() == x.data_ptr()


@case('torch.Tensor.as_subclass')
def tf_as_subclass_not_tensor(torch):
    return torch.ones(2).as_subclass(int)


@case('torch.Tensor._make_subclass')
def tf_make_subclass(torch):
    MyT = _my(torch)
    t = torch.Tensor._make_subclass(MyT, torch.ones(2), True)
    return type(t).__name__, t.requires_grad, t.is_leaf, type(t * 2).__name__, t


# --- printing ----------------------------------------------------------------------------------------------
@case('torch.Tensor.__repr__')
def tf_subclass_printing(torch):
    a = _sub(torch, 2, 2)
    print(a)
    print(a.sum())
    b = torch.ones(2, requires_grad=True).as_subclass(_my(torch)) * 2
    return repr(a), str(a[0]), f'{a.sum()}', f'{a.sum():.2f}', repr(b), repr(torch.ones(2, dtype=torch.int32)
                                                                              .as_subclass(_my(torch)))


@case('torch.Tensor.__repr__')
def tf_logged_printing(torch):
    Logged, log = _logged(torch)
    t = torch.tensor([1., 2.]).as_subclass(Logged)
    s = repr(t) + ' ' + str(t * 2)
    return s, list(log)


# --- a logging subclass: what handlers see ---------------------------------------------------------------
@case('torch.Tensor.__torch_function__')
def tf_logged_func_names(torch):
    Logged, log = _logged(torch)
    F = torch.nn.functional
    x = torch.ones(2, 2).as_subclass(Logged)
    x + 1; 2 * x; x - 1; x / 2; x @ x; x.sum(); torch.sum(x); x[0]; torch.relu(x); F.relu(x)  # noqa: E702
    x.add(1); x.add_(1); torch.cat([torch.ones(2, 2), x]); x.view(4); torch.exp(x); F.softmax(x, 0)  # noqa: E702
    x.mean(); x.t(); x.clone(); x.detach()  # noqa: E702
    return list(log)


@case('torch.Tensor.__torch_function__')
def tf_logged_func_identity(torch):
    seen = []

    class L(torch.Tensor):
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            seen.append(func)
            return super().__torch_function__(func, types, args, kwargs)
    x = torch.ones(2).as_subclass(L)
    x + 1; x.add(1); torch.add(x, 1); x.sum(); torch.sum(x); torch.nn.functional.relu(x); x * 2  # noqa: E702
    return (seen[0] is torch.Tensor.add, seen[1] is torch.Tensor.add, seen[2] is torch.add,
            seen[3] is torch.Tensor.sum, seen[4] is torch.sum, seen[5] is torch.nn.functional.relu,
            seen[6] is torch.Tensor.mul)


@case('torch.Tensor.__torch_function__')
def tf_handler_sees_args_and_types(torch):
    got = []

    class L(torch.Tensor):
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            got.append((func.__name__, [t.__name__ for t in types], len(args), sorted(kwargs or {})))
            return super().__torch_function__(func, types, args, kwargs)
    x = torch.ones(2).as_subclass(L)
    torch.add(x, 1, alpha=2)
    torch.cat((torch.ones(2), x), dim=0)
    x.sum(dim=0, keepdim=True)
    return got


@case('torch.Tensor.__torch_function__')
def tf_custom_handler_result(torch):
    class Answer(torch.Tensor):
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            if func is torch.add or func is torch.Tensor.add:
                return 42
            return super().__torch_function__(func, types, args, kwargs)
    x = torch.ones(2).as_subclass(Answer)
    return torch.add(x, 1), x + 1, x.add(3), type(x * 2).__name__


@case('torch.Tensor.__torch_function__')
def tf_unwrapping_subclass(torch):
    class Wrapper(torch.Tensor):
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            args = [a.as_subclass(torch.Tensor) if isinstance(a, cls) else a for a in args]
            with torch._C.DisableTorchFunctionSubclass():
                r = func(*args, **(kwargs or {}))
            return ('wrapped', type(r).__name__)
    x = torch.ones(2).as_subclass(Wrapper)
    return x + 1, torch.mul(x, 2), x.sum(), torch.nn.functional.relu(x)


# --- nobody answers ------------------------------------------------------------------------------------------
def _declining(torch):
    class Dec(torch.Tensor):
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            return NotImplemented
    return torch.ones(2).as_subclass(Dec)


@case('torch.Tensor.__torch_function__')
def tf_declined_function(torch):
    return torch.add(_declining(torch), 1)


@case('torch.Tensor.__torch_function__')
def tf_declined_method(torch):
    return _declining(torch).sum()


@case('torch.Tensor.__torch_function__')
def tf_declined_operator(torch):
    return _declining(torch) + 1


@case('torch.Tensor.__torch_function__')
def tf_declined_functional(torch):
    return torch.nn.functional.relu(_declining(torch))


@case('torch.Tensor.__torch_function__')
def tf_declined_cat_list(torch):
    return torch.cat([torch.ones(2), _declining(torch)])


# --- Tensor-like types (not Tensors) -------------------------------------------------------------------------
def _scalar_tensor(torch):
    handled = {}

    def implements(f):
        def deco(impl):
            handled[f] = impl
            return impl
        return deco

    class ScalarTensor:
        def __init__(self, n, value):
            self._n, self._value = n, value

        def __repr__(self):
            return f'ScalarTensor(N={self._n}, value={self._value})'

        def tensor(self):
            return self._value * torch.eye(self._n)

        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            if kwargs is None:
                kwargs = {}
            if func not in handled or not all(issubclass(t, (torch.Tensor, ScalarTensor)) for t in types):
                return NotImplemented
            return handled[func](*args, **kwargs)

    @implements(torch.mean)
    def mean(input):
        return float(input._value) / input._n

    @implements(torch.add)
    def add(input, other):
        if isinstance(input, ScalarTensor) and isinstance(other, ScalarTensor) and input._n == other._n:
            return ScalarTensor(input._n, input._value + other._value)
        a = input.tensor() if isinstance(input, ScalarTensor) else input
        b = other.tensor() if isinstance(other, ScalarTensor) else other
        return torch.add(a, b)
    return ScalarTensor


@case('torch.overrides.handle_torch_function')
def tf_scalar_tensor_docs(torch):
    S = _scalar_tensor(torch)
    d = S(5, 2)
    return torch.mean(d), repr(torch.add(d, d)), torch.add(d, torch.ones(5, 5)), torch.add(torch.ones(5, 5), d)


@case('torch.overrides.handle_torch_function')
def tf_scalar_tensor_unhandled(torch):
    return torch.sum(_scalar_tensor(torch)(5, 2))


@case('torch.overrides.handle_torch_function')
def tf_scalar_tensor_in_list(torch):
    S = _scalar_tensor(torch)
    return torch.stack([torch.ones(2), S(2, 1)])


@case('torch.overrides.handle_torch_function')
def tf_diagonal_tensor(torch):
    class DiagonalTensor:
        def __init__(self, n, value):
            self.n, self.value = n, value

        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            if func is torch.mean:
                return args[0].value / args[0].n
            if func is torch.nn.functional.relu:
                return DiagonalTensor(args[0].n, max(args[0].value, 0))
            if func is torch.mul:
                return DiagonalTensor(args[0].n, args[0].value * args[1])
            return NotImplemented
    d = DiagonalTensor(4, -3)
    r = torch.nn.functional.relu(d)
    m = torch.mul(d, 2)
    return torch.mean(d), r.value, m.value, torch.overrides.is_tensor_like(d), torch.overrides.has_torch_function((d,))


# --- torch.overrides helpers ---------------------------------------------------------------------------------
@case('torch.overrides.has_torch_function')
def tf_has_torch_function_checks(torch):
    o = torch.overrides
    MyT = _my(torch)
    a, p = torch.ones(1).as_subclass(MyT), torch.nn.Parameter(torch.ones(1))
    return (o.has_torch_function((torch.ones(1), 1)), o.has_torch_function((a,)), o.has_torch_function_unary(a),
            o.has_torch_function_variadic(torch.ones(1), a), o.has_torch_function_unary(p),
            o.is_tensor_like(a), o.is_tensor_like(torch.ones(1)), o.is_tensor_like(1), o.is_tensor_like(MyT))


@case('torch.overrides.handle_torch_function')
def tf_handle_torch_function_user_func(torch):
    o = torch.overrides
    Logged, log = _logged(torch)

    def scale(x, k=2):
        if o.has_torch_function_unary(x):
            return o.handle_torch_function(scale, (x,), x, k=k)
        return x * k
    x = torch.ones(2).as_subclass(Logged)
    r = scale(x, k=3)
    return type(r).__name__, r, list(log), scale(torch.ones(2))


@case('torch.overrides.handle_torch_function')
def tf_handle_torch_function_declined(torch):
    o = torch.overrides

    def myfunc(x):
        return o.handle_torch_function(myfunc, (x,), x)
    return myfunc(_declining(torch))


# --- Parameter -------------------------------------------------------------------------------------------
@case('torch.nn.Parameter')
def tf_parameter_results_plain(torch):
    p = torch.nn.Parameter(torch.ones(2))

    class MP(torch.nn.Parameter):
        pass
    q = MP(torch.ones(2))
    return _kinds(p + 1, p.sum(), p * p, torch.relu(p), p[0], p.detach(), q + 1, q.view(2), p.data), repr(q)


@case('torch.nn.Parameter')
def tf_parameter_of_subclass(torch):
    MyT = _my(torch)
    p = torch.nn.Parameter(torch.ones(2).as_subclass(MyT))
    return type(p).__name__, isinstance(p, torch.nn.Parameter), type(p * 2).__name__, p.requires_grad


@case('torch.nn.Module')
def tf_module_with_subclass_input(torch):
    torch.manual_seed(0)
    lin = torch.nn.Linear(3, 2)
    x = torch.ones(4, 3).as_subclass(_my(torch))
    y = lin(x)
    y.sum().backward()
    return type(y).__name__, y, type(lin.weight.grad).__name__, lin.weight.grad


# --- autograd ----------------------------------------------------------------------------------------------
@case('torch.Tensor.backward')
def tf_autograd_through_subclass(torch):
    MyT = _my(torch)
    x = torch.tensor([1., 2., 3.], requires_grad=True)
    a = x.as_subclass(MyT)
    y = (a * a).sum()
    y.backward()
    return type(y).__name__, y.grad_fn.name(), type(x.grad).__name__, x.grad, a.grad, a.is_leaf


@case('torch.Tensor.backward')
def tf_autograd_subclass_leaf(torch):
    MyT = _my(torch)
    a = torch.Tensor._make_subclass(MyT, torch.tensor([1., 2.]), True)
    b = torch.Tensor._make_subclass(MyT, torch.tensor([3., 4.]))
    (a * b).sum().backward()
    return type(a.grad).__name__, a.grad, b.grad, a.is_leaf


@case('torch.autograd.grad')
def tf_autograd_grad_subclass(torch):
    Logged, log = _logged(torch)
    x = torch.tensor([1., 2.], requires_grad=True)
    a = x.as_subclass(Logged)
    y = (a.exp() * 2).sum()
    g, = torch.autograd.grad(y, x)
    return type(g).__name__, g, list(log)


# --- modes ----------------------------------------------------------------------------------------------------
@case('torch.overrides.TorchFunctionMode')
def tf_mode_logging(torch):
    o = torch.overrides
    F = torch.nn.functional
    seen = []

    class M(o.TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            seen.append((func.__name__, [t.__name__ for t in types]))
            return func(*args, **(kwargs or {}))
    with M():
        x = torch.ones(2, 2)
        y = x + 1
        F.relu(y)
        y.sum()
        torch.cat([x, y])
        torch.mm(x, y)
    return seen, y


@case('torch.overrides.TorchFunctionMode')
def tf_mode_sees_public_names(torch):       # aliases and functions faketorch defines under other names
    o = torch.overrides
    seen = []

    class M(o.TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            seen.append(func.__name__)
            return func(*args, **(kwargs or {}))
    x = torch.arange(6.).view(2, 3)
    with M():
        torch.softmax(x, 0), torch.log_softmax(x, 1), torch.greater(x, 1), torch.less_equal(x, 2)
        torch.concat([x, x]), torch.concatenate([x, x]), torch.cat([x, x]), torch.ger(x[0], x[1])
        torch.ravel(x), torch.as_strided(x, (2,), (1,)), torch.view_copy(x, (3, 2)), torch.zero_(x.clone())
        torch.clip(x, 0, 1), torch.multiply(x, 2), torch.arctan(x), torch.lu(torch.eye(2))
    return seen


@case('torch.overrides.TorchFunctionMode')
def tf_mode_changes_results(torch):
    o = torch.overrides

    class Double(o.TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            r = func(*args, **(kwargs or {}))
            if func is torch.add or func is torch.Tensor.add:
                return r * 2
            return r
    with Double() as m:
        a = torch.add(torch.ones(2), 1)
        b = torch.ones(2) + 1
        c = torch.mul(torch.ones(2), 3)
    return a, b, c, type(m).__name__, torch.add(torch.ones(1), 1)


@case('torch.overrides.TorchFunctionMode')
def tf_modes_nest(torch):
    o = torch.overrides
    log = []

    def mode(tag):
        class M(o.TorchFunctionMode):
            def __torch_function__(self, func, types, args=(), kwargs=None):
                log.append((tag, func.__name__))
                return func(*args, **(kwargs or {}))
        return M()
    with mode('outer'), mode('inner'):
        torch.neg(torch.tensor([1.]))
    return list(log)


@case('torch.overrides.TorchFunctionMode')
def tf_mode_and_subclass(torch):
    o = torch.overrides
    Logged, log = _logged(torch)

    class M(o.TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            log.append('mode:' + func.__name__)
            return func(*args, **(kwargs or {}))
    x = torch.ones(2).as_subclass(Logged)
    with M():
        y = x * 2
    return list(log), type(y).__name__


@case('torch.overrides.TorchFunctionMode')
def tf_mode_declines(torch):
    o = torch.overrides

    class No(o.TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            return NotImplemented
    x = torch.ones(2)
    try:
        with No():
            torch.neg(x)
    except TypeError as e:
        return re.sub(' at 0x[0-9a-f]+', '', str(e))     # the mode's repr holds its address


@case('torch.overrides.BaseTorchFunctionMode')
def tf_base_mode(torch):
    o = torch.overrides
    names = []

    class M(o.BaseTorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            names.append(func.__name__)
            return super().__torch_function__(func, types, args, kwargs)
    with M():
        r = torch.ones(3).sum()
    return r, names


@case('torch.overrides.TorchFunctionMode')
def tf_mode_current(torch):
    o = torch.overrides

    class M(o.BaseTorchFunctionMode):
        pass
    before = o._get_current_function_mode()
    with M() as m:
        inside = o._get_current_function_mode() is m
    return before, inside, o._get_current_function_mode()


# --- disabling -----------------------------------------------------------------------------------------------
@case('torch._C.DisableTorchFunctionSubclass')
def tf_disable_subclass(torch):
    Logged, log = _logged(torch)
    x = torch.ones(2).as_subclass(Logged)
    with torch._C.DisableTorchFunctionSubclass():
        y = x + 1
        z = torch.relu(x)
        on = torch._C._is_torch_function_enabled()
    w = x + 1
    return type(y).__name__, type(z).__name__, type(w).__name__, list(log), on, torch._C._is_torch_function_enabled()


@case('torch._C.DisableTorchFunction')
def tf_disable_all(torch):
    o = torch.overrides
    seen = []

    class M(o.TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            seen.append(func.__name__)
            return func(*args, **(kwargs or {}))
    x = torch.ones(2).as_subclass(_my(torch))
    with M():
        with torch._C.DisableTorchFunction():
            y = x * 2
        torch.neg(x)
    return type(y).__name__, seen


@case('torch._C.DisableTorchFunctionSubclass')
def tf_disable_subclass_keeps_modes(torch):
    o = torch.overrides
    seen = []

    class M(o.TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            seen.append(func.__name__)
            return func(*args, **(kwargs or {}))
    x = torch.ones(2).as_subclass(_my(torch))
    with M(), torch._C.DisableTorchFunctionSubclass():
        y = x.exp()
    return type(y).__name__, seen


# --- other machinery -----------------------------------------------------------------------------------------
@case('torch.Tensor.__torch_function__')
def tf_subclass_in_optimizer_step(torch):
    torch.manual_seed(0)
    lin = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(lin.parameters(), lr=0.1)
    x = torch.ones(3, 2).as_subclass(_my(torch))
    loss = lin(x).pow(2).mean()
    loss.backward()
    opt.step()
    return type(loss).__name__, loss, lin.weight, type(lin.weight).__name__


@case('torch.Tensor.__torch_function__')
def tf_subclass_save_load(torch):
    import io
    buf = io.BytesIO()
    torch.save({'w': torch.ones(2)}, buf)
    buf.seek(0)
    _my(torch)
    return torch.load(buf)['w'] + 1


@case('torch.Tensor.__torch_function__')
def tf_plain_tensors_unchanged_after(torch):
    _my(torch)
    F = torch.nn.functional
    x = torch.arange(6.).reshape(2, 3)
    return _kinds(x + 1, x.sum(), F.relu(x), x[0], torch.cat([x, x])), x.add_(1), repr(x)


@case('torch.Tensor.__torch_function__')
def tf_subclass_nested_call(torch):
    """A handler that calls other ops on unwrapped tensors."""
    class Meter(torch.Tensor):
        calls = 0

        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            cls.calls += 1
            return super().__torch_function__(func, types, args, kwargs)
    x = torch.ones(3).as_subclass(Meter)
    torch.nn.functional.layer_norm(x, (3,))
    torch.nn.functional.cross_entropy(x.view(1, 3), torch.tensor([0]))
    return Meter.calls


@case('torch.overrides.get_overridable_functions')
def tf_overridable_functions(torch):
    o = torch.overrides
    fs = o.get_overridable_functions()
    flat = {f for v in fs.values() for f in v}
    return (torch.add in flat, torch.nn.functional.relu in flat, torch.Tensor.add in flat, torch in fs,
            torch.Tensor in fs, torch.nn.functional in fs, torch.is_tensor in o.get_ignored_functions())


@case('torch.overrides.TorchFunctionMode')
def tf_fx_trace_after_subclass(torch):
    fx = importlib.import_module(torch.__name__ + '.fx')
    _my(torch)

    class Net(torch.nn.Module):
        def forward(self, x):
            return torch.relu(x + 1).sum()
    g = fx.symbolic_trace(Net())
    return [n.op for n in g.graph.nodes], g(torch.ones(2))


@case('torch.DisableTorchFunctionSubclass')
def tf_disable_at_top_level(torch):
    class Sub(torch.Tensor):
        pass
    x = torch.ones(2).as_subclass(Sub)
    with torch.DisableTorchFunctionSubclass():
        a = type(x + 1).__name__
    with torch.DisableTorchFunction():
        b = type(x * 2).__name__
    return a, b, type(x + 1).__name__, torch.DisableTorchFunctionSubclass is torch._C.DisableTorchFunctionSubclass


# --- after the last mode exits (faketorch puts the plain ops back while only modes asked for dispatch) -----
def _log_mode(torch, log):
    class Log(torch.overrides.TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            log.append(func.__name__)
            return func(*args, **(kwargs or {}))
    return Log


def _some_ops(torch, add):
    F = torch.nn.functional
    a = torch.arange(4.).reshape(2, 2)
    return [a + a, add(a, 1), F.linear(a, torch.ones(3, 2), torch.zeros(3)), a.sum(), F.relu(a - 1), a.T,
            torch.cat([a, a]), a.mean(dim=0)]


@case('torch.overrides.TorchFunctionMode')
def tf_mode_exit_and_reenter(torch):
    log = []
    Log = _log_mode(torch, log)
    add = torch.add        # fetched before: keeps dispatching in the next mode
    out = []
    for _ in range(2):
        with Log():
            out.append(_some_ops(torch, add))
        out.append(list(log))
        log.clear()
        out.append(_some_ops(torch, add))
        out.append(list(log))
    return out


@case('torch.overrides.TorchFunctionMode')
def tf_mode_entered_in_handler(torch):
    log, inner = [], []
    Inner = _log_mode(torch, inner)

    class Outer(torch.overrides.TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            log.append(func.__name__)
            with Inner():
                r = func(*args, **(kwargs or {}))
            return r
    x = torch.ones(2)
    with Outer():
        a = x + 1
        b = torch.relu(a).sum()
    c = x * 3
    return a, b, c, log, inner


@case('torch.Tensor.__torch_function__')
def tf_subclass_after_mode_exit(torch):
    log = []
    with _log_mode(torch, log)():
        torch.ones(2).neg()
    Logged, slog = _logged(torch)
    x = torch.ones(2).as_subclass(Logged)
    y = torch.relu(x + 1)
    with _log_mode(torch, log)():
        z = x.sum()
    return type(y).__name__, type(z).__name__, y, z, list(slog), log


_AFTER_MODES = """
o, F = torch.overrides, torch.nn.functional
log = []
class Log(o.TorchFunctionMode):
    def __torch_function__(self, func, types, args=(), kwargs=None):
        log.append(func.__name__)
        return func(*args, **(kwargs or {}))
add, relu, lin = torch.add, F.relu, F.linear
a, w = torch.arange(4.).reshape(2, 2), torch.ones(3, 2)
def ops():
    return [a + a, add(a, 1), lin(a, w), a.sum(), relu(a - 1), a.T, a.data, torch.cat([a, a]), a @ a]
print(ops())
for i in range(2):
    with Log():
        with Log():
            print(i, ops())
    print(log, ops(), torch.add is add, F.relu is relu, o.has_torch_function((a,)))
    log.clear()
"""


@case('torch.overrides.TorchFunctionMode')
def tf_fresh_process_modes_only(torch):
    """A fresh interpreter where only modes ever asked for dispatch (faketorch uninstalls on the last exit)."""
    from conformance.cases.examples_edges import _fresh_process
    return _fresh_process(torch, _AFTER_MODES)


@case('torch.overrides.TorchFunctionMode')
def tf_fresh_process_export_forward_ad_then_train(torch):
    """torch.export and forward AD enter modes internally; ops after them, a mode and a subclass defined later."""
    from conformance.cases.examples_edges import _fresh_process
    return _fresh_process(torch, _AFTER_MODES + """
torch.manual_seed(0)
m = torch.nn.Linear(2, 3)
ep = torch.export.export(m, (a,))
print([n.op for n in ep.graph.nodes])
import importlib
fwAD = importlib.import_module(torch.__name__ + '.autograd.forward_ad')
with fwAD.dual_level():
    d = fwAD.make_dual(a, torch.ones(2, 2))
    print(fwAD.unpack_dual((d * d).sin()).tangent)
print(ops())
opt = torch.optim.SGD(m.parameters(), lr=0.1)
for _ in range(3):
    loss = m(a).pow(2).sum()
    opt.zero_grad(); loss.backward(); opt.step()
print(loss, m.weight)
with Log():
    ops()
print(log); log.clear()
class Sub(torch.Tensor):
    pass
s = a.as_subclass(Sub)
print(type(s + 1).__name__, type(relu(s)).__name__, type(lin(s, w)).__name__)
with Log():
    s.sum()
print(log)
""")


@case('torch.overrides.TorchFunctionMode')
def tf_fresh_process_tensor_like_seen_in_mode(torch):
    """Tensor-like types made while a mode was on (a class statement, and type(...) used in an op) still
    dispatch after it exits."""
    from conformance.cases.examples_edges import _fresh_process
    return _fresh_process(torch, """
class M(torch.overrides.TorchFunctionMode):
    def __torch_function__(self, func, types, args=(), kwargs=None):
        return func(*args, **(kwargs or {}))
def tf(cls, func, types, args=(), kwargs=None):
    return 'dyn ' + func.__name__
with M():
    class Like:
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            return 'like ' + func.__name__
    Dyn = type('Dyn', (), {'__torch_function__': classmethod(tf)})
    print(torch.add(Dyn(), 1))
print(torch.add(Like(), 1), torch.relu(Like()), torch.add(Dyn(), 1), torch.nn.functional.relu(Dyn()))
print(torch.add(torch.ones(1), 1))
""")


@case('torch.overrides.TorchFunctionMode')
def tf_fresh_process_nested_imported_first(torch):
    """torch.nested imported before the first mode: modules calling the routed functions (nn.LayerNorm) are
    seen once, as the function they call, not as the helpers inside it; torch.export records them."""
    from conformance.cases.examples_edges import _fresh_process
    return _fresh_process(torch, """
import importlib
importlib.import_module(torch.__name__ + '.nested')
F = torch.nn.functional
log = []
class Log(torch.overrides.TorchFunctionMode):
    def __torch_function__(self, func, types, args=(), kwargs=None):
        log.append(func.__name__)
        return func(*args, **(kwargs or {}))
torch.manual_seed(0)
m = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.LayerNorm(4), torch.nn.GELU())
x = torch.randn(2, 4)
with Log():
    y = m(x)
    F.layer_norm(x, (4,))
    F.relu(x)
print(log, y)
ep = torch.export.export(m, (x,))
print(ep.graph_module.code)
print(ep.module()(x) - y)
""")
