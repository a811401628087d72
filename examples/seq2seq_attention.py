"""Sequence-to-sequence with attention, learning to reverse digit strings: a bidirectional
GRU encoder over packed variable-length inputs (pad_sequence / pack_padded_sequence with
enforce_sorted), a GRUCell decoder with Bahdanau-style additive attention computed with
torch.bmm, masked_fill of the padding and softmax, teacher forcing chosen by a seeded
random.random(), NLLLoss with ignore_index, gradient clipping, greedy decoding and a small
beam search with topk; on the GPU when there is one (the lengths stay on the CPU). Losses print
3 decimals: 60 Adam steps leave float32 round-off in the fourth."""
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

PAD, SOS, EOS = 0, 1, 2
VOCAB = 13   # 3 specials + 10 digits


class Encoder(nn.Module):
    def __init__(self, vocab, emb, hidden):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb, padding_idx=PAD)
        self.rnn = nn.GRU(emb, hidden, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * hidden, hidden)

    def forward(self, src, lengths):
        packed = pack_padded_sequence(self.embedding(src), lengths, batch_first=True)
        out, h = self.rnn(packed)
        out, _ = pad_packed_sequence(out, batch_first=True)
        h = torch.tanh(self.fc(torch.cat((h[-2], h[-1]), dim=1)))
        return out, h


class Attention(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.attn = nn.Linear(3 * hidden, hidden)
        self.v = nn.Linear(hidden, 1, bias=False)

    def forward(self, h, enc_out, mask):
        T = enc_out.size(1)
        h = h.unsqueeze(1).repeat(1, T, 1)
        energy = torch.tanh(self.attn(torch.cat((h, enc_out), dim=2)))
        scores = self.v(energy).squeeze(2).masked_fill(mask == 0, float('-inf'))
        return F.softmax(scores, dim=1)


class Decoder(nn.Module):
    def __init__(self, vocab, emb, hidden):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        self.attention = Attention(hidden)
        self.cell = nn.GRUCell(emb + 2 * hidden, hidden)
        self.out = nn.Linear(3 * hidden + emb, vocab)

    def forward(self, tok, h, enc_out, mask):
        e = self.embedding(tok)
        a = self.attention(h, enc_out, mask)
        context = torch.bmm(a.unsqueeze(1), enc_out).squeeze(1)
        h = self.cell(torch.cat((e, context), dim=1), h)
        logits = self.out(torch.cat((h, context, e), dim=1))
        return F.log_softmax(logits, dim=1), h, a


class Seq2Seq(nn.Module):
    def __init__(self, emb=12, hidden=24):
        super().__init__()
        self.encoder = Encoder(VOCAB, emb, hidden)
        self.decoder = Decoder(VOCAB, emb, hidden)

    def forward(self, src, lengths, trg, teacher_forcing_ratio=0.5):
        enc_out, h = self.encoder(src, lengths)
        mask = src[:, :enc_out.size(1)] != PAD
        outputs = []
        tok = trg[:, 0]
        for t in range(1, trg.size(1)):
            logp, h, _ = self.decoder(tok, h, enc_out, mask)
            outputs.append(logp)
            teacher = random.random() < teacher_forcing_ratio
            tok = trg[:, t] if teacher else logp.argmax(1)
        return torch.stack(outputs, dim=1)


def make_batch(n, rng):
    seqs = [[rng.randint(3, VOCAB - 1) for _ in range(rng.randint(2, 6))] for _ in range(n)]
    seqs.sort(key=len, reverse=True)
    src = pad_sequence([torch.tensor(s) for s in seqs], batch_first=True, padding_value=PAD)
    trg = pad_sequence([torch.tensor([SOS] + s[::-1] + [EOS]) for s in seqs], batch_first=True)
    return src.to(device), torch.tensor([len(s) for s in seqs]), trg.to(device)


device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
torch.set_num_threads(1)   # tiny tensors: extra threads only add overhead
torch.manual_seed(0)
random.seed(0)   # teacher forcing draws from Python's random module
data_rng = random.Random(1)
model = Seq2Seq().to(device)
print(model)
print(sum(p.numel() for p in model.parameters() if p.requires_grad), 'trainable parameters')
src, lengths, trg = make_batch(4, data_rng)
print(src)
print(trg)

opt = torch.optim.Adam(model.parameters(), lr=0.01)
crit = nn.NLLLoss(ignore_index=PAD)
for step in range(60):
    model.train()
    src, lengths, trg = make_batch(16, data_rng)
    out = model(src, lengths, trg, teacher_forcing_ratio=0.5)
    loss = crit(out.reshape(-1, VOCAB), trg[:, 1:].reshape(-1))
    opt.zero_grad()
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    if step % 15 == 0 or step == 59:
        print(f'step {step:2d} loss {loss.item():.3f} grad norm {norm.item():.3f}')


def greedy(model, seq, max_len=8):
    src = torch.tensor([seq], device=device)
    with torch.no_grad():
        enc_out, h = model.encoder(src, torch.tensor([len(seq)]))
        mask = torch.ones(1, len(seq), dtype=torch.bool, device=device)
        tok, out, attns = torch.tensor([SOS], device=device), [], []
        for _ in range(max_len):
            logp, h, a = model.decoder(tok, h, enc_out, mask)
            tok = logp.argmax(1)
            attns.append(a)
            if tok.item() == EOS:
                break
            out.append(tok.item() - 3)
    return out, torch.cat(attns)


def beam_search(model, seq, beam=3, max_len=8):
    src = torch.tensor([seq], device=device)
    with torch.no_grad():
        enc_out, h = model.encoder(src, torch.tensor([len(seq)]))
        mask = torch.ones(1, len(seq), dtype=torch.bool, device=device)
        beams = [(0.0, [SOS], h)]
        for _ in range(max_len):
            cand = []
            for score, toks, hb in beams:
                if toks[-1] == EOS:
                    cand.append((score, toks, hb))
                    continue
                logp, hn, _ = model.decoder(torch.tensor([toks[-1]], device=device), hb, enc_out, mask)
                top = logp[0].topk(beam)
                for lp, ix in zip(top.values.tolist(), top.indices.tolist()):
                    cand.append((score + lp, toks + [ix], hn))
            beams = sorted(cand, key=lambda b: b[0], reverse=True)[:beam]
    return [(round(s, 2), [t - 3 for t in toks[1:] if t != EOS]) for s, toks, _ in beams]


model.eval()
for seq in ([3, 4, 5], [9, 8, 7, 6], [10, 3, 12, 5, 7]):
    out, attn = greedy(model, seq)
    print('input', [s - 3 for s in seq], '-> greedy', out)
    print('  attention argmax', attn.argmax(1).tolist(), 'rows sum to 1:',
          torch.allclose(attn.sum(1), torch.ones(attn.size(0), device=device)))
print('beam', beam_search(model, [5, 6, 7]))
