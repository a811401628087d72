"""A word-level language model in the style of the PyTorch word_language_model example:
a corpus tokenised into a flat id tensor, batchify / get_batch, a 2-layer LSTM with dropout
and tied input/output embeddings, truncated BPTT (hidden states detached between batches),
clip_grad_norm_, plain SGD with a manual lr anneal, perplexity via math.exp, and generation
with temperature sampling; on the GPU when there is one (sampling with a CPU generator)."""
import math

import torch
import torch.nn as nn

corpus = ("the cat sat on the mat . the dog sat on the log . a cat saw a dog . "
          "the dog saw the cat on the mat . a dog sat on a log . the cat ran . "
          "the dog ran to the cat . a cat sat . the mat is on the log .").split()
vocab = sorted(set(corpus))
word2idx = {w: i for i, w in enumerate(vocab)}
print(len(corpus), 'tokens,', len(vocab), 'words:', ' '.join(vocab))


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.2, tie_weights=True):
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:
            self.decoder.weight = self.encoder.weight
        self.nlayers, self.nhid = nlayers, nhid
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)

    def forward(self, inp, hidden):
        emb = self.drop(self.encoder(inp))
        output, hidden = self.rnn(emb, hidden)
        return self.decoder(self.drop(output)), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        return (weight.new_zeros(self.nlayers, bsz, self.nhid),
                weight.new_zeros(self.nlayers, bsz, self.nhid))


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    return data.narrow(0, 0, nbatch * bsz).view(bsz, -1).t().contiguous()


def get_batch(source, i, bptt):
    seq_len = min(bptt, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].reshape(-1)


def repackage_hidden(h):
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


def evaluate(model, source, bptt):
    model.eval()
    total = 0.0
    hidden = model.init_hidden(source.size(1))
    with torch.no_grad():
        for i in range(0, source.size(0) - 1, bptt):
            data, targets = get_batch(source, i, bptt)
            output, hidden = model(data, hidden)
            total += len(data) * crit(output.view(-1, ntokens), targets).item()
    return total / (len(source) - 1)


torch.set_num_threads(1)   # tiny tensors: extra threads only add overhead
device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
torch.manual_seed(0)
ids = torch.tensor([word2idx[w] for w in corpus], dtype=torch.long, device=device)
split = int(0.8 * len(ids))
train_data, val_data = batchify(ids[:split], 4), batchify(ids[split:], 2)
print('train', tuple(train_data.shape), 'val', tuple(val_data.shape))
data, targets = get_batch(train_data, 0, 5)
print('first batch', data.shape, targets.shape, data.is_contiguous(), targets[:6].tolist())

ntokens = len(vocab)
model = RNNModel(ntokens, 16, 16, 2, dropout=0.2).to(device)
print(model)
print('tied', model.decoder.weight is model.encoder.weight,
      sum(p.numel() for p in model.parameters()), 'parameters')
print([name for name, _ in model.named_parameters()])
crit = nn.CrossEntropyLoss()
lr, bptt, clip = 2.0, 5, 0.25
best_val = None
for epoch in range(1, 7):
    model.train()
    hidden = model.init_hidden(train_data.size(1))
    total = 0.0
    for batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
        data, targets = get_batch(train_data, i, bptt)
        hidden = repackage_hidden(hidden)
        model.zero_grad()
        output, hidden = model(data, hidden)
        loss = crit(output.view(-1, ntokens), targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        total += loss.item()
    val_loss = evaluate(model, val_data, bptt)
    print(f'| epoch {epoch} | lr {lr:.2f} | train loss {total / (batch + 1):.3f} '
          f'| valid loss {val_loss:.3f} | valid ppl {math.exp(val_loss):8.2f}')
    if best_val is None or val_loss < best_val:
        best_val = val_loss
    else:
        lr /= 4.0
print('hidden grad_fn after detach:', hidden[0].grad_fn is not None, repackage_hidden(hidden)[0].grad_fn)

model.eval()
hidden = model.init_hidden(1)
inp = torch.tensor([[word2idx['the']]], device=device)
words = ['the']
gen = torch.Generator().manual_seed(3)
with torch.no_grad():
    for _ in range(10):
        output, hidden = model(inp, hidden)
        weights = output.squeeze().div(0.7).exp()
        idx = torch.multinomial(weights.cpu(), 1, generator=gen)[0]
        inp.fill_(idx)
        words.append(vocab[idx])
print(' '.join(words))
