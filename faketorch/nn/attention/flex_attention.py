"""torch.nn.attention.flex_attention, eagerly: attention whose scores a Python `score_mod` rewrites and a
`mask_mod` masks, element by element. torch runs its unfused math implementation when not compiled;
so does faketorch, calling the mods once on broadcast index tensors where torch vmaps them over
(batch, head, q_idx, kv_idx) (the same results for elementwise mods and tensor indexing). BlockMask
holds torch's block-sparse description of a mask (128x128 tiles by default), which only the fused
kernels read: here it prints, sizes and densifies as torch's does."""
import functools
import inspect
import itertools
import math
import operator
import warnings
from typing import NamedTuple

import faketorch as torch

__all__ = ['BlockMask', 'flex_attention', 'AuxOutput', 'AuxRequest', 'FlexKernelOptions', 'create_block_mask',
           'create_mask', 'or_masks', 'and_masks', 'noop_mask']

_DEFAULT_SPARSE_BLOCK_SIZE = 128
_FLEX_ATTENTION_DISABLE_COMPILE_DEBUG = False
_WARNINGS_SHOWN = set()
FlexKernelOptions = dict


class AuxRequest(NamedTuple):
    lse: bool = False
    max_scores: bool = False


class AuxOutput(NamedTuple):
    lse: object = None
    max_scores: object = None


def _warn_once(key, message, category=UserWarning):
    if key not in _WARNINGS_SHOWN:
        warnings.warn(message, category, stacklevel=2)
        _WARNINGS_SHOWN.add(key)


def _identity(score, batch, head, token_q, token_kv):
    return score


def noop_mask(batch, head, token_q, token_kv):
    """Returns a noop mask_mod"""
    return batch.new_ones(size=(), dtype=torch.bool, device=batch.device)


def or_masks(*mask_mods):
    """Returns a mask_mod that's the union of provided mask_mods"""
    if not all(callable(m) for m in mask_mods):
        raise RuntimeError(f"All inputs should be callable mask_mods: {mask_mods}")

    def or_mask(b, h, q_idx, kv_idx):
        result = b.new_zeros((), dtype=torch.bool)
        for m in mask_mods:
            result = result | m(b, h, q_idx, kv_idx)
        return result
    return or_mask


def and_masks(*mask_mods):
    """Returns a mask_mod that's the intersection of provided mask_mods"""
    if not all(callable(m) for m in mask_mods):
        raise RuntimeError(f"All inputs should be callable mask_mods: {mask_mods}")

    def and_mask(b, h, q_idx, kv_idx):
        result = b.new_ones((), dtype=torch.bool)
        for m in mask_mods:
            result = result & m(b, h, q_idx, kv_idx)
        return result
    return and_mask


def _positional_count(fn):
    if hasattr(fn, '__code__'):
        return fn.__code__.co_argcount - len(getattr(fn, '__defaults__', None) or ())
    return sum(1 for p in inspect.signature(fn).parameters.values() if p.default is inspect.Parameter.empty)


def _is_score_mod(fn):
    n = _positional_count(fn)
    if n not in (4, 5):
        raise AssertionError(f"Expected 4 or 5 positional args, got {n}")
    return n == 5


def _indices(B, H, Q, KV, device):
    """b, h, q_idx, kv_idx as int64 tensors laid along their own axis of (B, H, Q, KV)."""
    return (torch.arange(B, device=device).view(B, 1, 1, 1), torch.arange(H, device=device).view(1, H, 1, 1),
            torch.arange(Q, device=device).view(1, 1, Q, 1), torch.arange(KV, device=device).view(1, 1, 1, KV))


def create_mask(mod_fn, B, H, Q_LEN, KV_LEN, device=None):
    """The (B, H, Q_LEN, KV_LEN) bool mask a mask_mod (or the -inf of a score_mod) describes."""
    device = device or 'cpu'
    B, H = B or 1, H or 1
    idx = _indices(B, H, Q_LEN, KV_LEN, device)
    if _is_score_mod(mod_fn):
        out = mod_fn(torch.zeros(B, H, Q_LEN, KV_LEN, device=device), *idx)
        return torch.where(torch.isneginf(out), False, True).expand(B, H, Q_LEN, KV_LEN).contiguous()
    return mod_fn(*idx).expand(B, H, Q_LEN, KV_LEN).contiguous()


def _dense_to_ordered(dense):
    """(blocks per row, the block columns in each row with the set ones first), int32."""
    dense = dense.to(torch.int32)
    cols = torch.argsort(dense, dim=-1, descending=True, stable=True)
    return dense.sum(dim=-1).to(torch.int32), cols.to(torch.int32)


def _ordered_to_dense(num_blocks, indices, num_cols):
    rows = torch.arange(indices.shape[-1], device=indices.device) < num_blocks.unsqueeze(-1)
    dense = torch.zeros(*indices.shape[:-1], num_cols + 1, dtype=torch.int32, device=indices.device)
    # the slots past a row's count write into a spare last column, which is dropped
    dense.scatter_(-1, torch.where(rows, indices.long(), num_cols), 1)
    return dense[..., :num_cols]


def _transpose_ordered(num_blocks, indices):
    return _dense_to_ordered(_ordered_to_dense(num_blocks, indices, indices.shape[-1]).transpose(-2, -1))


class BlockMask:
    """A mask in torch's block-sparse form: for each (batch, head, row of query blocks), how many key
    blocks are partly (kv_*) or fully (full_kv_*) unmasked and which; q_* is the same by columns."""

    def __init__(self, seq_lengths, kv_num_blocks, kv_indices, full_kv_num_blocks, full_kv_indices, q_num_blocks,
                 q_indices, full_q_num_blocks, full_q_indices, BLOCK_SIZE, mask_mod):
        if kv_indices.dim() < 2:
            raise RuntimeError("BlockMask must have at least 2 dimensions")
        self.seq_lengths = seq_lengths
        self.kv_num_blocks, self.kv_indices = kv_num_blocks, kv_indices
        self.full_kv_num_blocks, self.full_kv_indices = full_kv_num_blocks, full_kv_indices
        self.q_num_blocks, self.q_indices = q_num_blocks, q_indices
        self.full_q_num_blocks, self.full_q_indices = full_q_num_blocks, full_q_indices
        self.BLOCK_SIZE, self.mask_mod = BLOCK_SIZE, mask_mod

    @classmethod
    def from_kv_blocks(cls, kv_num_blocks, kv_indices, full_kv_num_blocks=None, full_kv_indices=None,
                       BLOCK_SIZE=_DEFAULT_SPARSE_BLOCK_SIZE, mask_mod=None, seq_lengths=None, compute_q_blocks=True):
        if kv_indices.dim() < 2:
            raise RuntimeError("BlockMask must have at least 2 dimensions")
        if (full_kv_num_blocks is None) != (full_kv_indices is None):
            raise AssertionError("full_kv_num_blocks and full_kv_indices must be both provided or omitted")
        q = full_q = (None, None)
        if compute_q_blocks:
            q = _transpose_ordered(kv_num_blocks, kv_indices)
            if full_kv_num_blocks is not None:
                full_q = _transpose_ordered(full_kv_num_blocks, full_kv_indices)
        if isinstance(BLOCK_SIZE, int):
            BLOCK_SIZE = (BLOCK_SIZE, BLOCK_SIZE)
        if seq_lengths is None:
            seq_lengths = (kv_indices.shape[-2] * BLOCK_SIZE[0], kv_indices.shape[-1] * BLOCK_SIZE[1])
        return cls(seq_lengths, kv_num_blocks, kv_indices, full_kv_num_blocks, full_kv_indices, *q, *full_q,
                   BLOCK_SIZE, mask_mod if mask_mod is not None else noop_mask)

    def as_tuple(self, flatten=True):
        block_size = self.BLOCK_SIZE if flatten else (self.BLOCK_SIZE,)
        return (*self.seq_lengths, self.kv_num_blocks, self.kv_indices, self.full_kv_num_blocks,
                self.full_kv_indices, self.q_num_blocks, self.q_indices, self.full_q_num_blocks,
                self.full_q_indices, *block_size, self.mask_mod)

    @property
    def shape(self):
        return tuple(self.kv_indices.shape[:-2]) + tuple(self.seq_lengths)

    def numel(self):
        """Returns the number of elements (not accounting for sparsity) in the mask."""
        return functools.reduce(operator.mul, self.shape, 1)

    def sparsity(self):
        """Computes the percentage of blocks that are sparse (i.e. not computed)"""
        computed = self.kv_num_blocks.sum()
        if self.full_kv_num_blocks is not None:
            computed += self.full_kv_num_blocks.sum()
        return 100 * (1 - computed.item() * self.BLOCK_SIZE[0] * self.BLOCK_SIZE[1] / self.numel())

    def to_dense(self):
        """Returns a dense block that is equivalent to the block mask."""
        dense = _ordered_to_dense(self.kv_num_blocks, self.kv_indices, self.kv_indices.shape[-1])
        if self.full_kv_num_blocks is not None:
            return dense | _ordered_to_dense(self.full_kv_num_blocks, self.full_kv_indices,
                                             self.full_kv_indices.shape[-1])
        return dense

    def to_string(self, grid_size=(20, 20), limit=4):
        """The block mask drawn one character pair per block (█ all set, ░ partly, blank none), one grid per
        batch and head up to `limit`."""
        dense = self.to_dense()
        *batch_dims, rows, cols = dense.shape
        if isinstance(grid_size, int):
            max_rows = max_cols = grid_size
        elif grid_size == -1:
            max_rows, max_cols = rows, cols
        else:
            max_rows, max_cols = grid_size
        row_step, col_step = max(1, -(-rows // max_rows)), max(1, -(-cols // max_cols))

        def draw(*idx):
            m = dense[idx]
            out = f'{idx}\n'
            for r in range(0, rows, row_step):
                for c in range(0, cols, col_step):
                    p = m[r:r + row_step, c:c + col_step].float().mean().item()
                    out += ('█' if p == 1 else ' ' if p == 0 else '░') * 2
                out += '\n'
            return out
        parts = []
        for i, idx in enumerate(itertools.product(*[range(n) for n in batch_dims])):
            if i == limit:
                parts += ['...', 'To print out more, set BlockMask.to_string(limit=N)',
                          'You can also index (BlockMask[batch, head]) to choose a specific batch or head']
                break
            parts.append(draw(*idx))
        return '\n'.join(parts)

    def __str__(self):
        return f"BlockMask(shape={self.shape}, sparsity={self.sparsity():.2f}%, \n{self.to_string().strip()}\n)"

    def __repr__(self):
        def shape(x):
            return x.shape if x is not None else None
        mod = self.mask_mod.__name__ if hasattr(self.mask_mod, '__name__') else self.mask_mod
        return (f"BlockMask(\n    kv_num_blocks={self.kv_num_blocks.shape},\n    kv_indices={self.kv_indices.shape},\n"
                f"    full_kv_num_blocks={shape(self.full_kv_num_blocks)},\n"
                f"    full_kv_indices={shape(self.full_kv_indices)},\n    q_num_blocks={shape(self.q_num_blocks)},\n"
                f"    q_indices={shape(self.q_indices)},\n    full_q_num_blocks={shape(self.full_q_num_blocks)},\n"
                f"    full_q_indices={shape(self.full_q_indices)},\n    BLOCK_SIZE={self.BLOCK_SIZE},\n"
                f"    shape={self.shape},\n    sparsity={self.sparsity():.2f}%,\n    mask_mod={mod}\n)")

    def to(self, device):
        moved = [t.to(device) if isinstance(t, torch.Tensor) else t for t in (
            self.kv_num_blocks, self.kv_indices, self.full_kv_num_blocks, self.full_kv_indices, self.q_num_blocks,
            self.q_indices, self.full_q_num_blocks, self.full_q_indices)]
        return BlockMask(self.seq_lengths, *moved, self.BLOCK_SIZE, self.mask_mod)


def create_block_mask(mask_mod, B, H, Q_LEN, KV_LEN, device=None, BLOCK_SIZE=_DEFAULT_SPARSE_BLOCK_SIZE,
                      _compile=False, separate_full_blocks=True):
    """The BlockMask of mask_mod over (B, H, Q_LEN, KV_LEN) (B, H of None: 1, broadcast)."""
    if _is_score_mod(mask_mod):
        raise AssertionError(f"create-block_mask requires a mask_mod function! Got {mask_mod}")
    if _compile:
        warnings.warn("_compile flag on create_block_mask was originally added to work around a torch.compile "
                      "limitation. That limitation has since been addressed. So, to compile create_block_mask, we "
                      "suggest doing torch.compile(create_block_mask). This still works for now, but will be removed "
                      "in the future.", DeprecationWarning, stacklevel=2)
    qb, kb = (BLOCK_SIZE, BLOCK_SIZE) if isinstance(BLOCK_SIZE, int) else BLOCK_SIZE
    mask = create_mask(mask_mod, B, H, Q_LEN, KV_LEN, device)
    mask = torch.nn.functional.pad(mask, (0, -KV_LEN % kb, 0, -Q_LEN % qb))
    b, h, q, kv = mask.shape
    counts = mask.view(b, h, q // qb, qb, kv // kb, kb).sum(dim=(3, 5))
    full = counts == qb * kb if separate_full_blocks else None
    partial = (counts > 0) & (counts < qb * kb) if separate_full_blocks else counts > 0
    full_kv = _dense_to_ordered(full.to(torch.int8)) if full is not None else (None, None)
    return BlockMask.from_kv_blocks(*_dense_to_ordered(partial.to(torch.int8)), *full_kv, BLOCK_SIZE=(qb, kb),
                                    mask_mod=mask_mod, seq_lengths=(Q_LEN, KV_LEN))


def _math_attention(query, key, value, score_mod, mask_mod, scale):
    """torch's unfused flex attention: (output, logsumexp) with fully masked rows giving 0 and -inf."""
    G = query.size(1) // key.size(1)
    key, value = key.repeat_interleave(G, dim=1), value.repeat_interleave(G, dim=1)
    if not (query.size(0) == key.size(0) or (query.size(0) > 1 and key.size(0) == 1)):
        raise RuntimeError(f"Bq and Bkv must broadcast. Got Bq={query.size(0)} and Bkv={key.size(0)}")
    key = key.expand(query.size(0), *key.shape[1:])
    value = value.expand(query.size(0), *value.shape[1:])
    work = torch.float64 if query.dtype == torch.float64 else torch.float32
    scores = (query.to(work) @ key.to(work).transpose(-2, -1) * scale).to(work)
    idx = _indices(*scores.shape, scores.device)
    scores = torch.where(mask_mod(*idx), score_mod(scores, *idx), torch.tensor(-math.inf, dtype=work,
                                                                                  device=scores.device))
    lse = scores.logsumexp(dim=-1)
    lse = torch.where(torch.all(scores == -math.inf, dim=-1), -math.inf, lse) / math.log(2)
    lse = lse * math.log(2)        # torch's kernels keep it in log2 units: the round trip is in its bits
    probs = torch.ops.aten._safe_softmax(scores, -1)
    return probs.to(query.dtype) @ value.to(query.dtype), lse


def flex_attention(query, key, value, score_mod=None, block_mask=None, scale=None, enable_gqa=False,
                   return_lse=False, kernel_options=None, *, return_aux=None):
    """Attention over (B, H, L, E) query and (B, Hkv, S, E) key/value whose scores score_mod(score, b, h,
    q_idx, kv_idx) rewrites and block_mask's mask_mod(b, h, q_idx, kv_idx) masks."""
    for t in (query, key, value):
        if t.is_nested:
            raise ValueError("FlexAttention does not support nested tensors.")
    if query.device != key.device or query.device != value.device:
        raise ValueError(f"Expected query, key, and value to have the same device type, but got query.device: "
                         f"{query.device}, key.device: {key.device}, and value.device: {value.device} instead.")
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise ValueError(f"Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
                         f"{query.dim()}, key.dim: {key.dim()} and value.dim: {value.dim()} instead.")
    if query.size(-1) != key.size(-1):
        raise ValueError(f"Expect query and key/value to have the same embedding dimension but got "
                         f"E={query.size(-1)} and E={key.size(-1)}.")
    if query.device.type == 'cpu' and (query.requires_grad or key.requires_grad or value.requires_grad):
        raise NotImplementedError("FlexAttention does not support backward on CPU. Please set the input "
                                  "requires_grad to False or use another device.")
    if query.dim() != 4 or key.dim() != 4 or value.dim() != 4:
        raise NotImplementedError("NYI: query, key, and value must be 4D tensors")
    if not enable_gqa and query.size(-3) != key.size(-3):
        raise ValueError(f"Expect query and key/value to have the same number of heads but got Hq={query.size(-3)} "
                         f"and Hkv={key.size(-3)}. Try setting enable_gqa=True for GQA.")
    if enable_gqa and query.size(1) % key.size(1):
        raise ValueError(f"Expect number of query heads to be a multiple of kv heads for GQA but got "
                         f"Hq={query.size(1)} and Hkv={key.size(1)}.")
    if query.size(0) != key.size(0) and block_mask is None:
        raise ValueError(f"Expect query and key/value to have the same batch size, or non-none block_mask, but got "
                         f"block_mask=None, Bq={query.size(0)}, and Bkv={key.size(0)}.")
    if block_mask is not None:
        q_len, kv_len = block_mask.shape[-2:]
        if query.size(-2) > q_len or key.size(-2) > kv_len:
            raise ValueError(f"block_mask was created for block_mask.shape={block_mask.shape} but got "
                             f"q_len={query.size(-2)} and kv_len={key.size(-2)}. As the block mask was created for a "
                             "smaller length than you're using it for, you likely need to create a new block mask.")
        if query.size(-2) < q_len or key.size(-2) < kv_len:
            raise ValueError(f"block_mask was created for block_mask.shape={block_mask.shape} but got "
                             f"q_len={query.size(-2)} and kv_len={key.size(-2)}. As the block mask was created for a "
                             "larger length than you're using it for, you can either 1. create a new block mask with "
                             "the correct length, or 2. 'adjust' the existing block mask to the correct length by "
                             "calling block_mask._adjust(q_len, kv_len). This essentially 'crops' the block mask to "
                             "the upper left corner, which does not work for all mask_mods!")
    if return_lse and return_aux is not None:
        raise ValueError("Cannot specify both return_lse and return_aux. return_lse is deprecated, please use "
                         "return_aux=AuxRequest(lse=True) instead.")
    if return_lse:
        _warn_once('deprecated_return_lse', "return_lse is deprecated and will be removed in v2.10. Please use "
                   "return_aux=AuxRequest(lse=True) instead.", FutureWarning)
    if return_aux is not None and return_aux.max_scores and query.device.type == 'cpu':
        raise NotImplementedError("Returning max scores is not supported on CPU/MPS.")
    if not _FLEX_ATTENTION_DISABLE_COMPILE_DEBUG:
        _warn_once('flex_attention_performance', (
            "flex_attention called without torch.compile() - this will use an unfused implementation that "
            "materializes the full scores matrix instead of generating a fused kernel.\n\nSOLUTION: Use "
            "torch.compile(flex_attention)(...)\n\nIf you want to debug your score_mod/mask_mod, you can set:\n"
            "torch.nn.attention.flex_attention._FLEX_ATTENTION_DISABLE_COMPILE_DEBUG = True\n\nThis will allow you "
            "to use print statements or breakpoints. Note: This doesn't work with the backwards pass and may "
            "produce incorrect results."))
    scale = 1.0 / math.sqrt(query.size(-1)) if scale is None else scale
    mask_mod = block_mask.mask_mod if block_mask is not None else noop_mask
    out, lse = _math_attention(query, key, value, score_mod or _identity, mask_mod, scale)
    if return_aux is not None:
        return out, AuxOutput(lse=lse if return_aux.lse else None)
    return (out, lse) if return_lse else out
