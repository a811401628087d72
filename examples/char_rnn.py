"""A character-level LSTM language model: nn.Embedding, nn.LSTM(batch_first=True),
pack_padded_sequence over variable-length lines, clip_grad_norm_, Adam, and greedy /
multinomial sampling; on the GPU when there is one (the lengths stay on the CPU, as torch asks)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

text = ["hello world", "hold the line", "hello there", "the world is wide", "low and slow"]
chars = sorted(set("".join(text)))
stoi = {c: i + 1 for i, c in enumerate(chars)}   # 0 is padding
itos = {i: c for c, i in stoi.items()}
vocab = len(chars) + 1
print('vocab', vocab, repr("".join(chars)))


class CharLM(nn.Module):
    def __init__(self, vocab, emb=8, hidden=16):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb, padding_idx=0)
        self.lstm = nn.LSTM(emb, hidden, num_layers=1, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x, lengths=None, state=None):
        e = self.emb(x)
        if lengths is not None:
            packed = pack_padded_sequence(e, lengths, batch_first=True, enforce_sorted=False)
            out, state = self.lstm(packed, state)
            out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
        else:
            out, state = self.lstm(e, state)
        return self.head(out), state


torch.set_num_threads(1)   # tiny tensors: extra threads only add overhead
device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
torch.manual_seed(0)
model = CharLM(vocab).to(device)
print(model)
seqs = [torch.tensor([stoi[c] for c in line]) for line in text]
lengths = torch.tensor([len(s) - 1 for s in seqs])
padded = nn.utils.rnn.pad_sequence(seqs, batch_first=True)
inputs, targets = padded[:, :-1].to(device), padded[:, 1:].to(device)
print('batch', tuple(inputs.shape), 'lengths', lengths.tolist())
packed = pack_padded_sequence(model.emb(inputs), lengths, batch_first=True, enforce_sorted=False)
print('batch_sizes', packed.batch_sizes.tolist(), 'sorted', packed.sorted_indices.tolist())

opt = torch.optim.Adam(model.parameters(), lr=0.02)
for step in range(30):
    logits, _ = model(inputs, lengths)
    loss = F.cross_entropy(logits.reshape(-1, vocab), targets.reshape(-1), ignore_index=0)
    opt.zero_grad()
    loss.backward()
    norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    opt.step()
    if step % 10 == 0 or step == 29:
        print(f'step {step:2d} loss {loss.item():.3f} grad-norm {norm.item():.3f}')

model.eval()
with torch.no_grad():
    x = torch.tensor([[stoi['h']]], device=device)
    state, out = None, 'h'
    for _ in range(12):
        logits, state = model(x, state=state)
        nxt = logits[0, -1].argmax().item()
        out += itos.get(nxt, '_')
        x = torch.tensor([[nxt]], device=device)
    print('greedy:', repr(out))
    torch.manual_seed(1)
    x = torch.tensor([[stoi['t']]], device=device)
    state, out = None, 't'
    for _ in range(12):
        logits, state = model(x, state=state)
        probs = F.softmax(logits[0, -1] / 0.8, dim=-1)
        nxt = torch.multinomial(probs, 1).item()
        out += itos.get(nxt, '_')
        x = torch.tensor([[nxt]], device=device)
    print('sampled:', repr(out))
    h, c = state
    print('state', tuple(h.shape), tuple(c.shape))
