"""A small Transformer encoder classifier on synthetic token sequences: a positional
encoding buffer, padding masks, nn.TransformerEncoder, label smoothing, AdamW and
CosineAnnealingLR."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, max_len=64):
        super().__init__()
        pos = torch.arange(max_len).unsqueeze(1)
        div = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, d_model)
        pe[:, 0::2] = torch.sin(pos * div)
        pe[:, 1::2] = torch.cos(pos * div)
        self.register_buffer('pe', pe.unsqueeze(0))

    def forward(self, x):
        return x + self.pe[:, :x.size(1)]


class Classifier(nn.Module):
    def __init__(self, vocab, d_model=16, nhead=2, layers=2, classes=3):
        super().__init__()
        self.emb = nn.Embedding(vocab, d_model, padding_idx=0)
        self.pos = PositionalEncoding(d_model)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=32, dropout=0.1,
                                           batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, classes)

    def forward(self, x, pad_mask):
        h = self.pos(self.emb(x) * math.sqrt(self.emb.embedding_dim))
        h = self.encoder(h, src_key_padding_mask=pad_mask)
        keep = (~pad_mask).unsqueeze(-1).float()
        return self.head((h * keep).sum(1) / keep.sum(1))


torch.set_num_threads(1)   # tiny tensors: extra threads only add overhead
torch.manual_seed(0)
N, T, V = 48, 10, 12
tokens = torch.randint(1, V, (N, T))
lengths = torch.randint(4, T + 1, (N,))
pad_mask = torch.arange(T).unsqueeze(0) >= lengths.unsqueeze(1)
tokens = tokens.masked_fill(pad_mask, 0)
labels = (tokens == 3).sum(1).clamp(max=2)
print('labels', torch.bincount(labels, minlength=3).tolist())
print(tokens[:2])
model = Classifier(V)
print(model.pos.pe.shape, [n for n, _ in model.named_buffers()])
print(sum(p.numel() for p in model.parameters()), 'parameters')
causal = nn.Transformer.generate_square_subsequent_mask(4)
print(causal)

opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=12)
crit = nn.CrossEntropyLoss(label_smoothing=0.1)
for epoch in range(12):
    model.train()
    for i in range(0, N, 16):
        logits = model(tokens[i:i + 16], pad_mask[i:i + 16])
        loss = crit(logits, labels[i:i + 16])
        opt.zero_grad()
        loss.backward()
        opt.step()
    sched.step()
    if epoch % 3 == 2:
        print(f'epoch {epoch:2d} loss {loss.item():.3f} lr {sched.get_last_lr()[0]:.5f}')
model.eval()
with torch.no_grad():
    logits = model(tokens, pad_mask)
    acc = (logits.argmax(1) == labels).float().mean()
    print(f'train accuracy {acc.item():.3f}')
    print(F.softmax(logits[:3], dim=-1).round(decimals=2))
