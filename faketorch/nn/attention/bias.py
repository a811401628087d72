"""torch.nn.attention.bias: causal biases that scaled_dot_product_attention takes as attn_mask.

As in torch, CausalBias is a Tensor subclass whose Tensor part is an accident of torch's legacy
constructor (CausalBias(variant, q, kv) is an uninitialised float tensor of shape (variant, q, kv));
only the variant and the two lengths matter. F.scaled_dot_product_attention hands itself to the
mask's __torch_function__, which picks is_causal=True (upper left) or the materialized mask.
"""
from enum import IntEnum, auto
from warnings import warn

from ... import _tensor
from ..._device import device as _device_cls
from ..._dtype import bool as _bool

__all__ = ['causal_upper_left', 'causal_lower_right', 'CausalVariant', 'CausalBias']


class CausalVariant(IntEnum):
    """UPPER_LEFT: tril(ones(q, kv)); LOWER_RIGHT: tril(ones(q, kv), diagonal=kv - q)."""
    UPPER_LEFT = auto()
    LOWER_RIGHT = auto()


class CausalBias(_tensor.Tensor):
    """A causal (triangular) attention bias; see CausalVariant."""

    def __init__(self, variant, seq_len_q, seq_len_kv):
        if not isinstance(variant, CausalVariant):
            raise AssertionError(f"variant must be a CausalVariant, got {type(variant).__name__}")
        self.variant = variant
        self.seq_len_q = seq_len_q
        self.seq_len_kv = seq_len_kv
        if seq_len_q > seq_len_kv and variant == CausalVariant.LOWER_RIGHT:
            warn("Lower right causal bias will produce NaNs in the output when seq_len_q > seq_len_kv!",
                 stacklevel=2)

    def _upper_left(self, device):
        import faketorch
        return faketorch.tril(faketorch.ones(self.seq_len_q, self.seq_len_kv, device=device, dtype=_bool))

    def _lower_right(self, device):
        import faketorch
        return faketorch.tril(faketorch.ones(self.seq_len_q, self.seq_len_kv, device=device, dtype=_bool),
                              diagonal=self.seq_len_kv - self.seq_len_q)

    def _materialize(self, device=None):
        if device is None:
            device = _device_cls('cpu')
        if self.variant == CausalVariant.UPPER_LEFT:
            return self._upper_left(device)
        if self.variant == CausalVariant.LOWER_RIGHT:
            return self._lower_right(device)

    @staticmethod
    def _dispatch(query, key, value, attn_mask, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False):
        from .. import functional as F
        if is_causal:
            raise ValueError("CausalBias should not be used with causal=True")
        if attn_mask.seq_len_q == attn_mask.seq_len_kv or attn_mask.variant == CausalVariant.UPPER_LEFT:
            return F.scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=dropout_p,
                                                  is_causal=True, scale=scale, enable_gqa=enable_gqa)
        if attn_mask.variant == CausalVariant.LOWER_RIGHT:
            # torch's CPU build has no fused lower-right kernel: it materializes the mask
            return F.scaled_dot_product_attention(query, key, value, attn_mask=attn_mask._materialize(query.device),
                                                  dropout_p=dropout_p, is_causal=False, scale=scale,
                                                  enable_gqa=enable_gqa)
        raise ValueError(f"CausalBias.variant must be a CausalVariant type, but found: {attn_mask.variant}")

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        from .. import functional as F
        if func is F.scaled_dot_product_attention:
            return cls._dispatch(*args, **(kwargs or {}))
        return super().__torch_function__(func, types, args, kwargs)

    def __repr__(self):
        return self._materialize().__repr__()


def causal_upper_left(*size):
    """The UPPER_LEFT causal bias of shape (seq_len_q, seq_len_kv)."""
    if len(size) != 2:
        raise AssertionError("causal_upper_left only supports 2D tensors")
    seq_len_q, seq_len_kv = size
    return CausalBias(CausalVariant.UPPER_LEFT, seq_len_q, seq_len_kv)


def causal_lower_right(*size):
    """The LOWER_RIGHT causal bias of shape (seq_len_q, seq_len_kv)."""
    if len(size) != 2:
        raise AssertionError("causal_lower_right only supports 2D tensors")
    seq_len_q, seq_len_kv = size
    return CausalBias(CausalVariant.LOWER_RIGHT, seq_len_q, seq_len_kv)
