"""A sequence model training script (Embedding with padding, TransformerEncoder with a key padding mask,
packed bidirectional LSTM, GRU, LayerNorm, Adam, cosine schedule); the device comes from argv.
tests/test_cuda_emulated.py runs it on the CPU and on the CuPy stand-in and wants the same output."""
import sys
import faketorch as torch
import faketorch.nn as nn
import faketorch.nn.functional as F

device = torch.device(sys.argv[1])
torch.manual_seed(0)
V, T, B = 20, 7, 8
tokens = torch.randint(0, V, (64, T))
labels = (tokens[:, 0] % 3)
lengths = torch.randint(1, T + 1, (64,))


class Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, 16, padding_idx=0)
        self.enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True), 1)
        self.lstm = nn.LSTM(16, 12, batch_first=True, bidirectional=True)
        self.gru = nn.GRU(24, 8, batch_first=True)
        self.norm = nn.LayerNorm(8)
        self.head = nn.Linear(8, 3)

    def forward(self, x, lens):
        h = self.enc(self.emb(x), src_key_padding_mask=x == 0)
        packed = nn.utils.rnn.pack_padded_sequence(h, lens, batch_first=True, enforce_sorted=False)
        out, _ = self.lstm(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=T)
        out, hn = self.gru(out)
        return self.head(self.norm(hn[-1]))


model = Seq().to(device)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, 6)
for step in range(6):
    i = torch.arange(step * B, step * B + B) % 64
    x, y, lens = tokens[i].to(device), labels[i].to(device), lengths[i]
    opt.zero_grad()
    loss = F.cross_entropy(model(x, lens), y)
    loss.backward()
    opt.step()
    sched.step()
    print(f'step {step} loss {loss.item():.5f}')
with torch.no_grad():
    print(model(tokens[:4].to(device), lengths[:4]).cpu().numpy().round(4).tolist())
