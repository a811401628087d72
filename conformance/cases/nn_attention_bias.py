"""torch.nn.attention.bias: CausalVariant, CausalBias and its factories, their printing and
_materialize, and F.scaled_dot_product_attention with a causal bias as attn_mask (values and
gradients, square and seq_len_q != seq_len_kv), plus torch's errors and warning."""
import importlib
import warnings

from conformance import case


def _bias(torch):
    return importlib.import_module(torch.__name__ + '.nn.attention.bias')


def _qkv(torch, lq, lkv, shape=(2, 3), e=4):
    q = torch.randn(*shape, lq, e, requires_grad=True)
    k = torch.randn(*shape, lkv, e, requires_grad=True)
    v = torch.randn(*shape, lkv, e + 1, requires_grad=True)
    return q, k, v


@case('torch.nn.attention.bias.CausalVariant')
def variant_enum(torch):
    cv = _bias(torch).CausalVariant
    return (repr(cv.UPPER_LEFT), str(cv.LOWER_RIGHT), int(cv.LOWER_RIGHT), cv(1).name, list(cv.__members__),
            cv.UPPER_LEFT == 1)


@case('torch.nn.attention.bias.causal_lower_right')
def repr_and_materialize(torch):
    b = _bias(torch)
    out = []
    for f in (b.causal_upper_left, b.causal_lower_right):
        for size in ((3, 5), (4, 4), (1, 3)):
            bias = f(*size)
            out += [repr(bias), str(bias), repr(bias._materialize()), bias._materialize(torch.device('cpu')),
                    bias.variant, bias.seq_len_q, bias.seq_len_kv, type(bias).__name__]
    print(b.causal_lower_right(2, 3))
    return out


@case('torch.nn.attention.bias.CausalBias')
def constructor(torch):
    b = _bias(torch)
    bias = b.CausalBias(b.CausalVariant.LOWER_RIGHT, 3, 6)
    # its Tensor part is torch's legacy constructor read as sizes: (variant, seq_len_q, seq_len_kv)
    return repr(bias), isinstance(bias, torch.Tensor), bias.variant is b.CausalVariant.LOWER_RIGHT, bias.shape, \
        bias.dtype, b.causal_upper_left(2, 4).shape


@case('torch.nn.attention.bias.CausalBias')
def bad_variant(torch):
    b = _bias(torch)
    return b.CausalBias(1, 3, 4)


@case('torch.nn.attention.bias.causal_upper_left')
def bad_size(torch):
    return _bias(torch).causal_upper_left(3)


@case('torch.nn.attention.bias.causal_lower_right')
def bad_size_tuple(torch):
    return _bias(torch).causal_lower_right((3, 4))


@case('torch.nn.attention.bias.causal_lower_right')
def warns_q_longer(torch):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        _bias(torch).causal_lower_right(5, 3)
    return [(x.category.__name__, str(x.message)) for x in w]


def _sdpa_grads(torch, factory, lq, lkv, **kw):
    q, k, v = _qkv(torch, lq, lkv)
    out = torch.nn.functional.scaled_dot_product_attention(q, k, v, factory(lq, lkv), **kw)
    (out * torch.linspace(-1, 1, out.numel()).view(out.shape)).sum().backward()
    return out, q.grad, k.grad, v.grad


@case('torch.nn.functional.scaled_dot_product_attention')
def causal_upper_left_bias(torch):
    f = _bias(torch).causal_upper_left
    return _sdpa_grads(torch, f, 3, 5), _sdpa_grads(torch, f, 4, 4), _sdpa_grads(torch, f, 5, 2)


@case('torch.nn.functional.scaled_dot_product_attention')
def causal_lower_right_bias(torch):
    f = _bias(torch).causal_lower_right
    return _sdpa_grads(torch, f, 3, 5), _sdpa_grads(torch, f, 4, 4), _sdpa_grads(torch, f, 1, 6)


@case('torch.nn.functional.scaled_dot_product_attention')
def causal_bias_scale_kwarg(torch):
    b = _bias(torch)
    q, k, v = _qkv(torch, 3, 7)
    F = torch.nn.functional
    return (F.scaled_dot_product_attention(q, k, v, attn_mask=b.causal_lower_right(3, 7), scale=0.3),
            F.scaled_dot_product_attention(q[0], k[0], v[0], b.causal_lower_right(3, 7)),
            F.scaled_dot_product_attention(q[0, 0], k[0, 0], v[0, 0], b.causal_upper_left(3, 7), scale=-0.5))


@case('torch.nn.functional.scaled_dot_product_attention')
def causal_bias_matches_mask(torch):
    b = _bias(torch)
    q, k, v = _qkv(torch, 3, 6)
    F = torch.nn.functional
    bias = b.causal_lower_right(3, 6)
    a = F.scaled_dot_product_attention(q, k, v, bias)
    m = F.scaled_dot_product_attention(q, k, v, bias._materialize())
    return torch.equal(a, m), a


@case('torch.nn.functional.scaled_dot_product_attention')
def causal_bias_gqa(torch):
    b = _bias(torch)
    q = torch.randn(1, 4, 3, 4)
    k, v = torch.randn(1, 2, 5, 4), torch.randn(1, 2, 5, 4)
    F = torch.nn.functional
    return (F.scaled_dot_product_attention(q, k, v, b.causal_lower_right(3, 5), enable_gqa=True),
            F.scaled_dot_product_attention(q, k, v, b.causal_upper_left(3, 5), enable_gqa=True))


@case('torch.nn.functional.scaled_dot_product_attention')
def causal_bias_with_is_causal(torch):
    q, k, v = _qkv(torch, 3, 5)
    return torch.nn.functional.scaled_dot_product_attention(q, k, v, _bias(torch).causal_lower_right(3, 5),
                                                            is_causal=True)


@case('torch.nn.functional.scaled_dot_product_attention')
def causal_bias_in_module(torch):
    """A causal transformer block's attention written with the bias, trained a step."""
    b = _bias(torch)
    lin = torch.nn.Linear(8, 24)
    x = torch.randn(2, 5, 8)
    q, k, v = lin(x).view(2, 5, 3, 2, 4).permute(2, 0, 3, 1, 4)
    out = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=b.causal_upper_left(5, 5))
    out.pow(2).mean().backward()
    return out, lin.weight.grad, lin.bias.grad


@case('torch.nn.functional.scaled_dot_product_attention')
def causal_lower_right_q_longer(torch):
    """seq_len_q > seq_len_kv: the first rows see no key at all (torch warns of NaNs)."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        bias = _bias(torch).causal_lower_right(5, 3)
    q, k, v = _qkv(torch, 5, 3)
    out = torch.nn.functional.scaled_dot_product_attention(q, k, v, bias)
    out.sum().backward()
    return out, q.grad, k.grad, v.grad, repr(bias)


@case('torch.nn.functional.scaled_dot_product_attention')
def causal_bias_float64_dropout_zero(torch):
    b = _bias(torch)
    q, k, v = (t.double() for t in _qkv(torch, 4, 6))
    return torch.nn.functional.scaled_dot_product_attention(q, k, v, b.causal_lower_right(4, 6), dropout_p=0.0)
