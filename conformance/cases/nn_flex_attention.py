"""torch.nn.attention.flex_attention run eagerly: score_mods and mask_mods (causal, sliding window,
documents, captured tensors), BlockMask's block structure, printing and sparsity, GQA, logsumexp,
torch's argument errors."""
import importlib

from conformance import case, check


def _fa(torch):
    return importlib.import_module(torch.__name__ + '.nn.attention.flex_attention')


def _qkv(torch, heads_kv=4, dtype=None):
    torch.manual_seed(0)
    return (torch.randn(2, 4, 16, 8, dtype=dtype), torch.randn(2, heads_kv, 16, 8, dtype=dtype),
            torch.randn(2, heads_kv, 16, 8, dtype=dtype))


def _causal(b, h, q_idx, kv_idx):
    return q_idx >= kv_idx


def _sliding(b, h, q_idx, kv_idx):
    return (q_idx - kv_idx).abs() <= 3


def _relative(score, b, h, q_idx, kv_idx):
    return score + (q_idx - kv_idx)


@case('torch.nn.attention.flex_attention.flex_attention')
def score_mods(torch):
    fa, (q, k, v) = _fa(torch), _qkv(torch)
    bias = torch.randn(4)
    return (fa.flex_attention(q, k, v), fa.flex_attention(q, k, v, score_mod=_relative),
            fa.flex_attention(q, k, v, score_mod=lambda s, b, h, qi, ki: s + bias[h], scale=0.25))


@case('torch.nn.attention.flex_attention.flex_attention')
def block_masks(torch):
    fa, (q, k, v) = _fa(torch), _qkv(torch)
    docs = torch.tensor([0] * 6 + [1] * 10)

    def doc_mask(b, h, q_idx, kv_idx):
        return docs[q_idx] == docs[kv_idx]
    outs = []
    for m in (_causal, _sliding, doc_mask, fa.and_masks(_causal, _sliding), fa.or_masks(_causal, doc_mask)):
        bm = fa.create_block_mask(m, B=None, H=None, Q_LEN=16, KV_LEN=16, device='cpu', BLOCK_SIZE=4)
        outs.append((str(bm), repr(bm), bm.kv_num_blocks, bm.kv_indices, bm.full_kv_num_blocks, bm.q_indices,
                     fa.flex_attention(q, k, v, block_mask=bm, score_mod=_relative)))
    return outs


@case('torch.nn.attention.flex_attention.create_block_mask')
def default_blocks_and_padding(torch):
    fa = _fa(torch)
    bm = fa.create_block_mask(_causal, 2, 4, 300, 260)
    return (str(bm), bm.sparsity(), bm.to_dense(), bm.shape, bm.numel(), bm.kv_num_blocks, bm.full_q_indices,
            fa.create_mask(_causal, 1, 1, 4, 5), fa.create_mask(_relative, 1, 2, 2, 3))


@case('torch.nn.attention.flex_attention.flex_attention')
def lse_gqa_and_masked_rows(torch):
    fa, (q, k, v) = _fa(torch), _qkv(torch)
    _, aux = fa.flex_attention(q, k, v, return_aux=fa.AuxRequest(lse=True))
    none = fa.create_block_mask(lambda b, h, q_idx, kv_idx: q_idx > 100, None, None, 16, 16)
    kg = torch.randn(2, 2, 16, 8)
    return (aux, fa.flex_attention(q, k, v, block_mask=none), fa.flex_attention(q, kg, kg, enable_gqa=True),
            fa.flex_attention(q.double(), k.double(), v.double(), scale=0.3))


check('torch.nn.attention.flex_attention.flex_attention',
      lambda torch: _fa(torch).flex_attention(*_qkv(torch, heads_kv=2)), name='heads_differ')
check('torch.nn.attention.flex_attention.flex_attention',
      lambda torch: (lambda q, k, v: _fa(torch).flex_attention(q.requires_grad_(), k, v))(*_qkv(torch)),
      name='no_backward_on_cpu')
check('torch.nn.attention.flex_attention.flex_attention',
      lambda torch: (lambda q, k, v: _fa(torch).flex_attention(q[0], k[0], v[0]))(*_qkv(torch)), name='not_4d')
check('torch.nn.attention.flex_attention.flex_attention',
      lambda torch: _fa(torch).flex_attention(*_qkv(torch), block_mask=_fa(torch).create_block_mask(
          _causal, None, None, 8, 16)), name='block_mask_too_short')
check('torch.nn.attention.flex_attention.flex_attention',
      lambda torch: _fa(torch).flex_attention(*_qkv(torch), return_aux=_fa(torch).AuxRequest(max_scores=True)),
      name='max_scores_on_cpu')
check('torch.nn.attention.flex_attention.create_block_mask',
      lambda torch: _fa(torch).create_block_mask(_relative, None, None, 4, 4), name='score_mod_given')
