"""torch.utils.flop_counter: the FLOP formulas by operator, register_flop_formula to add one (custom
ops: torch.ops.mylib.foo), and FlopCounterMode, which counts the FLOPs of what runs inside it by module.

torch counts at its dispatcher: each aten op that reaches it (after composite ops such as linear or
matmul were decomposed) and that has a formula here. faketorch has no dispatcher: a TorchFunctionMode
sees each top-level call, and _RULES below says which aten calls with formulas torch's decomposition of
that call makes, forward and backward (the backward ones are counted when the call's grad_fn runs,
under the modules ModuleTracker says are running then, as torch attributes them)."""
import math
import weakref
from collections import defaultdict
from functools import wraps

from .. import ops
from .. import _export_ops
from .. import overrides
from .._ops_namespace import OpOverload, OpOverloadPacket
from .._tensor import Tensor
from ..autograd.graph import _grad_fn_or_acc, _will_engine_execute_node
from ..overrides import TorchFunctionMode
from ._pytree import tree_map, tree_map_
from .module_tracker import ModuleTracker

__all__ = ['FlopCounterMode', 'register_flop_formula']

aten = ops.aten
flop_registry = {}


def get_shape(i):
    return i.shape if isinstance(i, Tensor) else i


def shape_wrapper(f):
    """A formula written on shapes, called with tensors (and out_val, the op's result)."""
    @wraps(f)
    def nf(*args, out_val=None, **kwargs):
        args, kwargs, out_shape = tree_map(get_shape, (args, kwargs, out_val))
        return f(*args, out_shape=out_shape, **kwargs)
    return nf


def register_flop_formula(targets, get_raw=False):
    """Decorator: the formula counts the FLOPs of each op in `targets` (one or a pytree of them)."""
    def register_fun(flop_formula):
        if not get_raw:
            flop_formula = shape_wrapper(flop_formula)

        def register(target):
            from .._higher_order_ops.foreach_map import ForeachMap
            if not isinstance(target, (OpOverloadPacket, ForeachMap)):
                raise ValueError(f"register_flop_formula(targets): expected each target to be OpOverloadPacket (i.e. "
                                 f"torch.ops.mylib.foo), JitFunction, or HigherOrderOperator, got {target} which is "
                                 f"of type {type(target)}")
            if target in flop_registry:
                raise RuntimeError(f"duplicate registrations for {target}")
            flop_registry[target] = flop_formula
        tree_map_(register, targets)
        return flop_formula
    return register_fun


@register_flop_formula(aten.mm)
def mm_flop(a_shape, b_shape, *args, out_shape=None, **kwargs):
    """2 * m * n * k: one multiply and one add per term."""
    (m, k), (k2, n) = a_shape, b_shape
    if k != k2:
        raise AssertionError(f"matmul: inner dimensions must match (k == k2), got {k} and {k2}")
    return m * n * 2 * k


@register_flop_formula(aten.addmm)
def addmm_flop(self_shape, a_shape, b_shape, out_shape=None, **kwargs):
    return mm_flop(a_shape, b_shape)


@register_flop_formula(aten.bmm)
def bmm_flop(a_shape, b_shape, out_shape=None, **kwargs):
    (b, m, k), (b2, k2, n) = a_shape, b_shape
    if b != b2:
        raise AssertionError(f"bmm: batch dimensions must match (b == b2), got {b} and {b2}")
    if k != k2:
        raise AssertionError(f"bmm: inner dimensions must match (k == k2), got {k} and {k2}")
    return b * m * n * 2 * k


@register_flop_formula(aten.baddbmm)
def baddbmm_flop(self_shape, a_shape, b_shape, out_shape=None, **kwargs):
    return bmm_flop(a_shape, b_shape)


def conv_flop_count(x_shape, w_shape, out_shape, transposed=False):
    """Multiplications and adds of a convolution (bias left out): every point of the output (of the
    input, when transposed) meets the whole filter, for each batch item and channel pair."""
    c_out, c_in, *filter_size = w_shape
    spatial = (x_shape if transposed else out_shape)[2:]
    return math.prod(spatial) * math.prod(filter_size) * x_shape[0] * c_out * c_in * 2


@register_flop_formula(aten.convolution)
def conv_flop(x_shape, w_shape, _bias, _stride, _padding, _dilation, transposed, *args, out_shape=None, **kwargs):
    return conv_flop_count(x_shape, w_shape, out_shape, transposed=transposed)


@register_flop_formula(aten.convolution_backward)
def conv_backward_flop(grad_out_shape, x_shape, w_shape, _bias, _stride, _padding, _dilation, transposed,
                       _output_padding, _groups, output_mask, out_shape, **kwargs):
    """The gradient of the input is a transposed convolution of grad_out with the weight (a plain one for a
    transposed convolution); the gradient of the weight, a convolution of the input with grad_out, batch and
    channel dimensions swapped."""
    def t(shape):
        return [shape[1], shape[0]] + list(shape[2:])
    flops = 0
    if output_mask[0]:
        flops += conv_flop_count(grad_out_shape, w_shape, get_shape(out_shape[0]), not transposed)
    if output_mask[1]:
        w_grad = get_shape(out_shape[1])
        if transposed:
            flops += conv_flop_count(t(grad_out_shape), t(x_shape), t(w_grad), transposed=False)
        else:
            flops += conv_flop_count(t(x_shape), t(grad_out_shape), t(w_grad), transposed=False)
    return flops


def sdpa_flop_count(query_shape, key_shape, value_shape):
    """Two batched matmuls, q @ k^T and scores @ v (key and value may have fewer heads: grouped queries)."""
    b, h_q, s_q, d_q = query_shape
    b2, h_kv, s_k, d2 = key_shape
    b3, h3, s3, d_v = value_shape
    if not (b == b2 == b3 and h_kv == h3 and d_q == d2 and s_k == s3):
        raise AssertionError(f"sdpa_flop_count: query/key/value shapes are incompatible: q={query_shape}, "
                             f"k={key_shape}, v={value_shape}")
    if h_q < h_kv or h_q % h_kv != 0:
        raise AssertionError(f"sdpa_flop_count: query heads ({h_q}) must be a multiple of key/value heads ({h_kv})")
    return bmm_flop((b * h_q, s_q, d_q), (b * h_q, d_q, s_k)) + bmm_flop((b * h_q, s_q, s_k), (b * h_q, s_k, d_v))


@register_flop_formula([aten._scaled_dot_product_efficient_attention, aten._scaled_dot_product_flash_attention,
                        aten._scaled_dot_product_cudnn_attention])
def sdpa_flop(query_shape, key_shape, value_shape, *args, out_shape=None, **kwargs):
    return sdpa_flop_count(query_shape, key_shape, value_shape)


def sdpa_backward_flop_count(grad_out_shape, query_shape, key_shape, value_shape):
    """Five batched matmuls: the scores again, the gradients of the scores and of v, then of q and of k."""
    b, h_q, s_q, d_q = query_shape
    b2, h_kv, s_k, d2 = key_shape
    b3, h3, s3, d_v = value_shape
    b4, h4, s4, d4 = grad_out_shape
    if not (b == b2 == b3 == b4 and h_kv == h3 and h_q == h4):
        raise AssertionError("sdpa_backward_flop_count: batch/heads mismatch among tensors")
    if h_q < h_kv or h_q % h_kv != 0:
        raise AssertionError(f"sdpa_backward_flop_count: query heads ({h_q}) must be a multiple of key/value "
                             f"heads ({h_kv})")
    if not (d_q == d2 and d_v == d4 and s_k == s3 and s_q == s4):
        raise AssertionError("sdpa_backward_flop_count: grad_out/value/key/query shapes are incompatible")
    bh = b * h_q
    return (bmm_flop((bh, s_q, d_q), (bh, d_q, s_k)) + bmm_flop((bh, s_q, d_v), (bh, d_v, s_k))
            + bmm_flop((bh, s_k, s_q), (bh, s_q, d_v)) + bmm_flop((bh, s_q, s_k), (bh, s_k, d_q))
            + bmm_flop((bh, d_q, s_q), (bh, s_q, s_k)))


@register_flop_formula([aten._scaled_dot_product_efficient_attention_backward,
                        aten._scaled_dot_product_flash_attention_backward,
                        aten._scaled_dot_product_cudnn_attention_backward])
def sdpa_backward_flop(grad_out_shape, query_shape, key_shape, value_shape, *args, out_shape=None, **kwargs):
    return sdpa_backward_flop_count(grad_out_shape, query_shape, key_shape, value_shape)


# --- the table ------------------------------------------------------------------------------------------
suffixes = ['', 'K', 'M', 'B', 'T']


def get_suffix_str(number):
    """The unit a total is shown in: 1001M rather than 1.001B (one more digit before changing)."""
    return suffixes[max(0, min(len(suffixes) - 1, (len(str(number)) - 2) // 3))]


def convert_num_with_suffix(number, suffix):
    index = suffixes.index(suffix)
    return f"{number / 1000 ** index:.3f}" + suffixes[index]


def convert_to_percent_str(num, denom):
    return "0%" if denom == 0 else f"{num / denom:.2%}"


def normalize_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _number(text):
    try:
        return float(text)
    except ValueError:
        return None


def _tabulate(rows, headers):
    """tabulate's 'simple' table with columns aligned left, right, right (what torch prints through the
    tabulate package): cells lose their surrounding spaces (the depth indentation torch adds does not
    survive tabulate), a column whose cells all read as numbers shows them as numbers ('1920.000' as
    '1920'), and a header gets two spaces of room."""
    cols = [[x.strip() for x in c] for c in zip(*rows)]
    for c in cols:
        nums = [_number(x) for x in c]
        if all(n is not None for n in nums):
            c[:] = [str(int(x)) if '.' not in x and 'e' not in x.lower() else f'{n:g}' for x, n in zip(c, nums)]
    widths = [max([len(h) + 2] + [len(x) for x in c]) for h, c in zip(headers, cols)]

    def line(cells):
        return '  '.join(x.ljust(w) if i == 0 else x.rjust(w) for i, (x, w) in enumerate(zip(cells, widths)))
    out = [line(headers), '  '.join('-' * w for w in widths)]
    out += [line(r) for r in zip(*cols)]
    return '\n'.join(out)


class FlopCounterMode:
    """Counts the FLOPs of the matmuls, convolutions and attention run inside it (forward and backward),
    by module (nn.Module calls are tracked with global hooks); prints a table on exit when display."""

    def __init__(self, mods=None, depth=2, display=True, custom_mapping=None):
        import warnings
        self.flop_counts = defaultdict(lambda: defaultdict(int))
        self.depth = depth
        self.display = display
        self.mode = None
        if custom_mapping is None:
            custom_mapping = {}
        if mods is not None:
            warnings.warn("mods argument is not needed anymore, you can stop passing it", stacklevel=2)
        self.flop_registry = {**flop_registry, **{k: v if getattr(v, '_get_raw', False) else shape_wrapper(v)
                                                  for k, v in custom_mapping.items()}}
        self.mod_tracker = ModuleTracker()

    def get_total_flops(self):
        return sum(self.flop_counts['Global'].values())

    def get_flop_counts(self):
        """{module name: {op packet: flops}}."""
        return {k: dict(v) for k, v in self.flop_counts.items()}

    def get_table(self, depth=None):
        if depth is None:
            depth = self.depth
        if depth is None:
            depth = 999999
        global_flops = self.get_total_flops()
        global_suffix = get_suffix_str(global_flops)
        subsumed = False        # one module holds every FLOP: no separate Global row

        def process_mod(mod_name, depth):
            nonlocal subsumed
            total = sum(self.flop_counts[mod_name].values())
            subsumed |= total >= global_flops
            pad = ' ' * depth
            rows = [[pad + mod_name, convert_num_with_suffix(total, global_suffix),
                     convert_to_percent_str(total, global_flops)]]
            for k, v in self.flop_counts[mod_name].items():
                rows.append([pad + ' - ' + str(k), convert_num_with_suffix(v, global_suffix),
                             convert_to_percent_str(v, global_flops)])
            return rows

        values = []
        for mod in sorted(self.flop_counts.keys()):
            if mod == 'Global':
                continue
            mod_depth = mod.count('.') + 1
            if mod_depth > depth:
                continue
            values.extend(process_mod(mod, mod_depth - 1))
        if 'Global' in self.flop_counts and not subsumed:
            for v in values:
                v[0] = ' ' + v[0]
            values = process_mod('Global', 0) + values
        if not values:
            values = [['Global', '0', '0%']]
        return _tabulate(values, ['Module', 'FLOP', '% Total'])

    def __enter__(self):
        self.flop_counts.clear()
        self.mod_tracker.__enter__()
        self.mode = _FlopCounterMode(self)
        self.mode.__enter__()
        return self

    def __exit__(self, *args):
        if self.mode is None:
            raise AssertionError("Internal error: FlopCounter.__exit__ called but mode is None")
        b = self.mode.__exit__(*args)
        self.mode = None
        self.mod_tracker.__exit__()
        if self.display:
            print(self.get_table(self.depth))
        return b

    def _count_flops(self, func_packet, out, args, kwargs):
        if func_packet in self.flop_registry:
            flop_count = self.flop_registry[func_packet](*args, **kwargs, out_val=out)
            for par in set(self.mod_tracker.parents):
                self.flop_counts[par][func_packet] += flop_count
        return out


class _FlopCounterMode(TorchFunctionMode):
    """Counts each call _RULES knows (its forward aten calls now, its backward ones when its grad_fn runs);
    runs any other faketorch function's own Python under the mode, so the calls it makes are seen too."""

    def __init__(self, counter):
        self.counter = counter
        self._backward = weakref.WeakKeyDictionary()    # grad_fn -> the aten calls its backward makes

    def __enter__(self):
        super().__enter__()
        overrides._backward_observers.append(self._observe)
        overrides._backward_modes.append(self)     # torch's dispatch mode sees a custom Function's backward
        return self

    def __exit__(self, *exc):
        overrides._backward_observers.remove(self._observe)
        overrides._backward_modes.remove(self)
        return super().__exit__(*exc)

    def _observe(self, node):
        for owners, packet, out, args, kwargs in self._backward.get(node, ()):
            # torch computes only the gradients this backward needs (backward(inputs=), autograd.grad)
            needed = [n is not None and _will_engine_execute_node(n) for n in owners]
            if not any(needed):
                continue
            if packet is aten.convolution_backward:     # its output_mask says which
                args = args[:-1] + (needed,)
                out = tuple(s if k else None for s, k in zip(out, needed))
            self.counter._count_flops(packet, out, args, kwargs)

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if isinstance(func, (OpOverload, OpOverloadPacket)):      # torch.ops.<ns>.<op> (custom ops)
            packet = func.overloadpacket if isinstance(func, OpOverload) else func
            out = func(*args, **kwargs)
            return self.counter._count_flops(packet, out, args, kwargs)
        rule = _export_ops.lookup(_rule_table(), func)
        if rule is None:
            impl = _plain(func)
            if impl is func:
                return func(*args, **kwargs)
            overrides._push_on_torch_function_stack(self)      # its own calls come back here
            try:
                return impl(*args, **kwargs)
            finally:
                overrides._pop_torch_function_stack()
        out = func(*args, **kwargs)
        forward, backward = rule(out, *args, **kwargs)
        for call in forward:
            self.counter._count_flops(*call)
        node = out.grad_fn if isinstance(out, Tensor) else None
        if backward and node is not None:
            self._backward.setdefault(node, []).extend(
                (tuple(None if t is None else _grad_fn_or_acc(t) for t in owners), *call) for owners, *call in backward)
        return out


def _plain(func):
    """func's own Python, which does not dispatch (a swapped function's original, a Tensor method's)."""
    impl = overrides._impl(func)
    if impl is func:
        swapped = overrides._CLASS_SWAPPED.get(getattr(func, '__name__', None))
        if swapped is not None and swapped[1] is func and callable(swapped[0]):
            impl = overrides._impl(swapped[0])
    return impl


# --- what torch's decompositions run, by call ---------------------------------------------------------------
# A rule takes (out, *the call's arguments) and returns (forward, backward): lists of
# (aten packet, output, args, kwargs), the aten calls with a formula that torch makes (shapes stand for
# tensors: the formulas read shapes). A backward call comes with its owners: the inputs whose gradients
# it computes (it runs when the backward needs one of them).

def _rg(t):
    return isinstance(t, Tensor) and t.requires_grad


def _own(*ts):
    """The owners among ts: those that require grad."""
    return tuple(t for t in ts if _rg(t))


def _mm_calls(packet, grad_packet, a, b, a_own, b_own, bias=None):
    """A (batched) matrix product a @ b of shapes (..., m, k) @ (..., k, n): one forward call; backward, one
    product per input that requires grad (grad @ b^T for a, a^T @ grad for b)."""
    *batch, m, k = a
    n = b[-1]
    out = (*batch, m, n)
    fwd = [(packet, out, (a, b) if bias is None else (bias, a, b), {})]
    bwd = []
    if a_own:
        bwd.append((a_own, grad_packet, a, (out, (*batch, n, k)), {}))
    if b_own:
        bwd.append((b_own, grad_packet, tuple(b), ((*batch, k, m), out), {}))
    return fwd, bwd


def _should_fold(a, b, a_rg, b_rg):
    """at::matmul's choice for a >=3-d tensor times a matrix or vector: fold its batch dimensions into rows
    (one mm) when the other side requires grad or the fold needs no copy; else broadcast to a bmm."""
    big, small = (a, b) if a.dim() >= b.dim() else (b, a)
    if not (big.dim() >= 3 and small.dim() <= 2):
        return False
    if (b_rg if a.dim() >= b.dim() else a_rg):
        return True
    if a.dim() < b.dim():       # a fold of b would leave the product transposed (a copy)
        return False
    if big.numel() == 0:
        return True
    shape, stride = big.shape, big.stride()
    return all(stride[i] == stride[i + 1] * shape[i + 1] for i in range(big.dim() - 2))


def _matmul_calls(a, b, a_own, b_own):
    da, db = a.dim(), b.dim()
    if db == 1 and da <= 2:             # dot, mv: no formula
        return [], []
    if da <= 2 and db == 2:
        return _mm_calls(aten.mm, aten.mm, tuple(a.shape) if da == 2 else (1, a.shape[0]), tuple(b.shape),
                         a_own, b_own)
    if _should_fold(a, b, bool(a_own), bool(b_own)):
        if min(da, db) == 1:            # folded into an mv
            return [], []
        if da >= db:
            rows = a.numel() // a.shape[-1] if a.shape[-1] else math.prod(a.shape[:-1])
            return _mm_calls(aten.mm, aten.mm, (rows, a.shape[-1]), tuple(b.shape), a_own, b_own)
        # b^T's rows times a^T: the product computed transposed
        rows = math.prod(b.shape[:-2]) * b.shape[-1]
        return _mm_calls(aten.mm, aten.mm, (rows, b.shape[-2]), (a.shape[1], a.shape[0]), b_own, a_own)
    n = a.shape[-2] if da >= 2 else 1
    p = b.shape[-1] if db >= 2 else 1
    k = a.shape[-1]
    batch = math.prod(_broadcast(a.shape[:-2], b.shape[:-2] if db >= 2 else ()))
    return _mm_calls(aten.bmm, aten.bmm, (batch, n, k), (batch, k, p), a_own, b_own)


def _broadcast(s, t):
    n = max(len(s), len(t))
    s, t = (1,) * (n - len(s)) + tuple(s), (1,) * (n - len(t)) + tuple(t)
    return tuple(max(x, y) if min(x, y) != 0 else 0 for x, y in zip(s, t))


def _linear(out, input, weight, bias=None):
    if bias is not None and (input.dim() <= 2 or input.is_contiguous()):     # at::linear: one addmm
        rows = math.prod(input.shape[:-1])
        return _mm_calls(aten.addmm, aten.mm, (rows, input.shape[-1]), (weight.shape[1], weight.shape[0]),
                         _own(input), _own(weight), bias=tuple(bias.shape))
    return _matmul_calls(input, weight.t(), _own(input), _own(weight))


def _matmul(out, input, other, **kwargs):
    return _matmul_calls(input, other, _own(input), _own(other))


def _mm(packet):
    def rule(out, input, mat2, **kwargs):
        return _mm_calls(packet, packet, tuple(input.shape), tuple(mat2.shape), _own(input), _own(mat2))
    return rule


def _addmm(packet, grad_packet):
    def rule(out, input, mat1, mat2, **kwargs):
        return _mm_calls(packet, grad_packet, tuple(mat1.shape), tuple(mat2.shape), _own(mat1), _own(mat2),
                         bias=tuple(input.shape))
    return rule


def _conv(transposed):
    def rule(out, input, weight, bias=None, stride=1, padding=0, *rest, **kwargs):
        x, w, y = tuple(input.shape), tuple(weight.shape), tuple(out.shape)
        if len(x) == len(w) - 1:        # unbatched: torch adds the batch dimension first
            x, y = (1, *x), (1, *y)
        b = None if bias is None else list(bias.shape)
        fwd = [(aten.convolution, y, (x, w, b, stride, padding, 1, transposed, 0, 1), {})]
        owners = tuple(t if _rg(t) else None for t in (input, weight, bias))
        if all(t is None for t in owners):
            return fwd, []
        grads = (x, w, b and tuple(b))
        return fwd, [(owners, aten.convolution_backward, grads,
                      (y, x, w, b, stride, padding, 1, transposed, 0, 1, None), {})]
    return rule


def _sdpa(out, query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False):
    """On the CPU torch runs its fused kernel (no formula: nothing counted) unless it must take the math
    path: dropout, inputs other than 4-d, or head sizes that differ. The math path is two matmuls."""
    dims = {query.dim(), key.dim(), value.dim()}
    if not (dropout_p > 0 or dims != {4} or len({query.shape[-1], key.shape[-1], value.shape[-1]}) > 1):
        return [], []
    scores = query @ key.transpose(-2, -1)
    f1, b1 = _matmul_calls(query, key.transpose(-2, -1), _own(query), _own(key))
    f2, b2 = _matmul_calls(scores, value, _own(query, key), _own(value))
    return f1 + f2, b2 + b1


def _einsum(out, equation, *operands):
    """torch contracts the operands left to right, each pair that sums over a shared letter as one bmm
    (batch: letters both keep; rows and columns: letters one keeps; inner: letters summed); a pair with no
    letter to sum is a broadcast mul (no formula). Equations with '...' are not counted here."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = operands[0]
    eq = equation.replace(' ', '')
    lhs, arrow, rhs = eq.partition('->')
    if '...' in eq:
        return [], []
    terms = lhs.split(',')
    if not arrow:
        rhs = ''.join(sorted(c for c in set(lhs) - {','} if lhs.count(c) == 1))
    size = {c: n for t, x in zip(terms, operands) for c, n in zip(t, x.shape)}
    fwd, bwd = [], []
    cur, cur_own = set(terms[0]), _own(operands[0])
    for i in range(1, len(terms)):
        nxt, later = set(terms[i]), set(rhs).union(*terms[i + 1:])
        summed = (cur & nxt) - later
        if summed:
            b, m, n, k = (math.prod(size[c] for c in s) for s in
                          (cur & nxt & later, (cur - nxt) & later, (nxt - cur) & later, summed))
            f, g = _mm_calls(aten.bmm, aten.bmm, (b, m, k), (b, k, n), cur_own, _own(operands[i]))
            fwd += f
            bwd = g + bwd       # the later contraction's backward runs first
        cur, cur_own = (cur | nxt) & later, cur_own + _own(operands[i])
    return fwd, bwd


_RULES = {
    'linear': _linear, 'matmul': _matmul, '__matmul__': _matmul, 'mm': _mm(aten.mm), 'bmm': _mm(aten.bmm),
    'addmm': _addmm(aten.addmm, aten.mm), 'baddbmm': _addmm(aten.baddbmm, aten.bmm),
    'conv1d': _conv(False), 'conv2d': _conv(False), 'conv3d': _conv(False), 'conv_transpose1d': _conv(True),
    'conv_transpose2d': _conv(True), 'conv_transpose3d': _conv(True), 'scaled_dot_product_attention': _sdpa,
    'einsum': _einsum,
}
_rules = {}


def _rule_table():
    if not _rules:
        _rules.update(_export_ops.function_table(_RULES))
    return _rules
