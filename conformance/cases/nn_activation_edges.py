"""Activations at edge values, forward and backward: negative, inf and NaN gradients, -0.0, NaN and
inf inputs, values on the kinks. Each result tensor comes with the sign bits of its zeros, as value
comparison takes -0.0 for 0.

torch's CPU kernels answer some of these differently in their SIMD loop (a contiguous run of at
least one vector: 8 to 16 elements) than in their scalar loop (shorter tensors, tails, strided
inputs): hardtanh_backward gives 0 for a NaN input in the first and the gradient in the second. So
each edge value goes through the op as its own 1-element tensor (the scalar loop on every CPU), and
the results are concatenated."""
from conformance import check

nan, inf = float('nan'), float('inf')
XS = [-2., -1., -0.0, 0., 0.5, 1., 3., 7., nan, inf, -inf, 0.25, -3., 6., -0.5, 20., 1e-30, -1e-30]
GS = [-1., -1., -1., -1., -1., inf, nan, -1., 1., -1., -1., -0.0, nan, inf, -0.0, -1., 2., nan]


def _signed(t):
    """t and where it is -0.0."""
    t = t.detach()
    return t, t.signbit() & (t == 0)


def _edges(torch, f, dtype='float32', inplace=False):
    """f on each of XS (a leaf of 1 element; f gets `x * 1` when it works in place), backward with
    GS: the outputs and input gradients, and the grad_fn's name."""
    ys, grads = [], []
    for xv, gv in zip(XS, GS):
        x = torch.tensor([xv], dtype=getattr(torch, dtype), requires_grad=True)
        y = f(x * 1) if inplace else f(x)
        y.backward(torch.tensor([gv], dtype=x.dtype))
        ys.append(y.detach())
        grads.append(x.grad)
    return _signed(torch.cat(ys)), _signed(torch.cat(grads)), y.grad_fn.name()


def edges(api, fn, name, inplace=False, dtypes=('float32', 'float64')):
    """One case per dtype: fn(F, x) at the edge values."""
    for dtype in dtypes:
        check(api, lambda torch, dtype=dtype: _edges(torch, lambda x: fn(torch.nn.functional, x), dtype, inplace),
              name=f'{name}_{dtype}')


# --- threshold_backward and hardtanh_backward: a select, so 0 (not -0.0 or NaN) where dropped --------
edges('F.relu', lambda F, x: F.relu(x), 'edges')
edges('Tensor.relu', lambda F, x: x.relu(), 'edges')
edges('Tensor.relu_', lambda F, x: x.relu_(), 'edges', inplace=True)
edges('F.relu', lambda F, x: F.relu(x, inplace=True), 'edges_inplace', inplace=True)
edges('F.relu_', lambda F, x: F.relu_(x), 'edges', inplace=True)
edges('F.relu6', lambda F, x: F.relu6(x), 'edges')
edges('F.relu6', lambda F, x: F.relu6(x, inplace=True), 'edges_inplace', inplace=True)
edges('F.hardtanh', lambda F, x: F.hardtanh(x), 'edges')
edges('F.hardtanh', lambda F, x: F.hardtanh(x, 0., 3.), 'edges_0_3')
edges('F.hardtanh', lambda F, x: F.hardtanh(x, -0.5, 0.5), 'edges_half')
edges('F.hardtanh_', lambda F, x: F.hardtanh_(x, -0.5, 2.), 'edges', inplace=True)
edges('F.threshold', lambda F, x: F.threshold(x, 0.5, -3.), 'edges')
edges('F.threshold', lambda F, x: F.threshold(x, 0., 2., inplace=True), 'edges_inplace', inplace=True)
edges('F.threshold_', lambda F, x: F.threshold_(x, 0.5, -3.), 'edges', inplace=True)
edges('F.softshrink', lambda F, x: F.softshrink(x), 'edges')
edges('F.softshrink', lambda F, x: F.softshrink(x, 1.), 'edges_1')
edges('F.hardshrink', lambda F, x: F.hardshrink(x), 'edges')
edges('F.hardshrink', lambda F, x: F.hardshrink(x, 1.), 'edges_1')
edges('F.hardsigmoid', lambda F, x: F.hardsigmoid(x), 'edges')
edges('F.hardsigmoid', lambda F, x: F.hardsigmoid(x, inplace=True), 'edges_inplace', inplace=True)
edges('F.hardswish', lambda F, x: F.hardswish(x), 'edges')
edges('F.hardswish', lambda F, x: F.hardswish(x, inplace=True), 'edges_inplace', inplace=True)

# --- two-branch kernels: the other branch's inf or NaN does not leak -----------------------------------
edges('F.elu', lambda F, x: F.elu(x), 'edges')
edges('F.elu', lambda F, x: F.elu(x, 2.), 'edges_alpha2')
edges('F.selu', lambda F, x: F.selu(x), 'edges')
edges('F.celu', lambda F, x: F.celu(x), 'edges')
edges('F.celu', lambda F, x: F.celu(x, 0.5), 'edges_alpha_half')
edges('F.leaky_relu', lambda F, x: F.leaky_relu(x), 'edges')
edges('F.leaky_relu', lambda F, x: F.leaky_relu(x, 0.3), 'edges_0_3')
edges('F.leaky_relu', lambda F, x: F.leaky_relu(x, -2.), 'edges_negative_slope')
edges('F.leaky_relu', lambda F, x: F.leaky_relu(x, 3.), 'edges_slope_3')
edges('F.rrelu', lambda F, x: F.rrelu(x), 'edges_eval')
edges('F.softplus', lambda F, x: F.softplus(x), 'edges')
edges('F.softplus', lambda F, x: F.softplus(x, 2., 5.), 'edges_beta2_threshold5')
edges('F.softplus', lambda F, x: F.softplus(x, 0.5, 1.), 'edges_beta_half')
edges('F.gelu', lambda F, x: F.gelu(x), 'edges')
# float32 tanh: NumPy's tanhf and glibc's differ by an ulp, which the cancellation in 1 + tanh(-2.4) at x = -3
# grows to 1e-5 (precision, not an edge): float64 here, float32 at the non-finite values only
edges('F.gelu', lambda F, x: F.gelu(x, approximate='tanh'), 'edges_tanh', dtypes=('float64',))
check('F.gelu', lambda torch: _signed(torch.nn.functional.gelu(
    torch.tensor([[nan, inf, -inf, -0.0, 0., 1e30, -1e30]]).t(), approximate='tanh')), name='tanh_float32_nonfinite')
edges('F.silu', lambda F, x: F.silu(x), 'edges')
edges('F.mish', lambda F, x: F.mish(x), 'edges')
edges('F.logsigmoid', lambda F, x: F.logsigmoid(x), 'edges')
edges('F.prelu', lambda F, x: F.prelu(x, x.new_tensor([0.25])), 'edges')

# --- in place: elu_, leaky_relu_, rrelu_ and threshold_ have nodes of their own (...Backward1), the first
# three differentiate through the result, and refuse a negative slope when backward runs
edges('F.elu_', lambda F, x: F.elu_(x), 'edges', inplace=True)
edges('F.elu', lambda F, x: F.elu(x, 2., inplace=True), 'edges_inplace', inplace=True)
edges('F.selu_', lambda F, x: F.selu_(x), 'edges', inplace=True)
edges('F.selu', lambda F, x: F.selu(x, inplace=True), 'edges_inplace', inplace=True)
edges('F.celu_', lambda F, x: F.celu_(x, 0.5), 'edges', inplace=True)
edges('F.leaky_relu_', lambda F, x: F.leaky_relu_(x, 0.2), 'edges', inplace=True)
edges('F.leaky_relu', lambda F, x: F.leaky_relu(x, inplace=True), 'edges_inplace', inplace=True)
edges('F.leaky_relu_', lambda F, x: F.leaky_relu_(x, 0.), 'edges_zero_slope', inplace=True)
edges('F.rrelu_', lambda F, x: F.rrelu_(x), 'edges_eval', inplace=True)
edges('F.silu', lambda F, x: F.silu(x, inplace=True), 'edges_inplace', inplace=True)
edges('F.mish', lambda F, x: F.mish(x, inplace=True), 'edges_inplace', inplace=True)
edges('F.leaky_relu_', lambda F, x: F.leaky_relu_(x, -0.5), 'negative_slope_backward', inplace=True)
edges('F.elu_', lambda F, x: F.elu_(x, -1.), 'negative_alpha_backward', inplace=True)
edges('F.celu_', lambda F, x: F.celu_(x, -1.), 'negative_alpha_backward', inplace=True)
check('F.rrelu', lambda torch: torch.nn.functional.rrelu(torch.tensor([-1., 2.], requires_grad=True) * 1,
                                                         training=True, inplace=True).grad_fn.name(),
      name='training_inplace_grad_fn')

# --- clamp: the input itself on a tie (clamp(-0.0, min=0) is -0.0), NaN bounds, gradients to the bounds
edges('Tensor.clamp', lambda F, x: x.clamp(-1., 1.), 'edges')
edges('Tensor.clamp', lambda F, x: x.clamp(min=0.), 'edges_min_0')
edges('Tensor.clamp', lambda F, x: x.clamp(min=-0.0), 'edges_min_neg0')
edges('Tensor.clamp_min', lambda F, x: x.clamp_min(0.), 'edges')
edges('Tensor.clamp_max', lambda F, x: x.clamp_max(0.), 'edges')
edges('Tensor.clamp_max', lambda F, x: x.clamp_max(-0.0), 'edges_neg0')
edges('Tensor.clamp_', lambda F, x: x.clamp_(-1., 1.), 'edges', inplace=True)
edges('Tensor.clamp_min_', lambda F, x: x.clamp_min_(0.), 'edges', inplace=True)


def _clamp_tensors(torch):
    x = torch.tensor([-0.0, 0.0, nan, -1., 1., 0., 2., -0.0], requires_grad=True)
    lo = torch.tensor([0.0, -0.0, 0., nan, -2., 0., 3., -1.], requires_grad=True)
    hi = torch.tensor([0.0, -0.0, 1., 1., nan, -0.0, 1., 1.], requires_grad=True)
    y = torch.clamp(x, lo, hi)
    y.backward(torch.tensor([-1., inf, nan, 1., -1., -0.0, 2., -1.]))
    return _signed(y), _signed(x.grad), _signed(lo.grad), _signed(hi.grad)


check('torch.clamp', _clamp_tensors, name='edges_tensor_bounds')
check('torch.clamp', lambda torch: _signed(torch.clamp(torch.tensor([-0.0, 0.0, 2.]), torch.tensor([[0.0], [-0.0]]))),
      name='zero_ties_broadcast')
check('torch.relu', lambda torch: _signed(torch.relu(torch.tensor(-0.0))), name='neg_zero_0d')
check('torch.relu', lambda torch: _signed(torch.relu(torch.tensor([[-0.0, -1.], [nan, 2.]]).t())),
      name='neg_zero_strided')
check('torch.relu', lambda torch: _signed(torch.relu(torch.tensor([-0.0, -1., nan, 2.], dtype=torch.float16))),
      name='neg_zero_half')
check('torch.relu', lambda torch: torch.relu(torch.tensor([1 + 1j])), name='complex_error')


def _relu_contiguous(torch):
    """relu and its backward agree in both of torch's loops: one contiguous tensor of the edges."""
    x = torch.tensor(XS * 3, requires_grad=True)
    y = torch.relu(x)
    y.backward(torch.tensor(GS * 3))
    return _signed(y), _signed(x.grad)


check('torch.relu', _relu_contiguous, name='edges_contiguous')

# --- gelu in float32: a contiguous tensor of 2 or more elements takes torch's SIMD path, where
# gelu(+inf) is NaN and x above FLT_MAX / 2 overflows; a lone or strided element does not
check('F.gelu', lambda torch: _signed(torch.nn.functional.gelu(torch.tensor([inf, 1.71e38, -inf, 1e30, -1e30]))),
      name='float32_simd_inf')
check('F.gelu', lambda torch: _signed(torch.nn.functional.gelu(torch.tensor([[inf, 1.71e38], [-inf, 1.]]).t())),
      name='float32_strided_inf')
check('F.gelu', lambda torch: _signed(torch.nn.functional.gelu(torch.tensor([inf, 1.71e38], dtype=torch.float64))),
      name='float64_inf')


# --- under create_graph the first derivative has the same values (built from differentiable ops) -----
def _first_derivative(torch, f):
    out = []
    for xv, gv in zip(XS, GS):
        x = torch.tensor([xv], requires_grad=True)
        g = torch.tensor([gv], requires_grad=True)
        gx, = torch.autograd.grad(f(torch.nn.functional, x), x, g, create_graph=True)
        out.append(gx)
    return _signed(torch.cat(out)), out[0].requires_grad


for _name, _f in (('relu', lambda F, x: F.relu(x)), ('hardtanh', lambda F, x: F.hardtanh(x)),
                  ('elu', lambda F, x: F.elu(x)), ('leaky_relu', lambda F, x: F.leaky_relu(x, 0.2)),
                  ('hardswish', lambda F, x: F.hardswish(x)), ('softshrink', lambda F, x: F.softshrink(x)),
                  ('threshold', lambda F, x: F.threshold(x, 0.5, -3.)),
                  ('prelu', lambda F, x: F.prelu(x, x.new_tensor([0.25])))):
    check(f'F.{_name}', lambda torch, f=_f: _first_derivative(torch, f), name='edges_create_graph')


def _prelu_weight(torch, dtype):
    """A weight per channel, one edge value per channel: each weight's gradient is one `x > 0 ? 0 : x * g`."""
    x = torch.tensor([XS], dtype=getattr(torch, dtype), requires_grad=True)
    w = torch.full((len(XS),), 0.25, dtype=x.dtype, requires_grad=True)
    y = torch.nn.functional.prelu(x, w)
    y.backward(torch.tensor([GS], dtype=x.dtype))
    return _signed(y), _signed(x.grad), _signed(w.grad)


for _dtype in ('float32', 'float64'):
    check('F.prelu', lambda torch, dtype=_dtype: _prelu_weight(torch, dtype), name=f'weight_grad_edges_{_dtype}')
