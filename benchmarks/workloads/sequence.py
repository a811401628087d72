"""Sequence models, as in char-RNN / text-classification scripts: a 2-layer TransformerEncoder classifier
(d_model 128, 4 heads, batch 32 of 64 tokens, AdamW) and a 2-layer LSTM language model (hidden 256,
batch 32 of 35 tokens, SGD with gradient clipping): one training step each, and the encoder's inference."""
from benchmarks import Skip, inference as _inference, training_step


def _need(torch):
    if not hasattr(torch, 'nn') or not hasattr(torch, 'optim'):
        raise Skip('needs torch.nn and torch.optim')


def _encoder(torch):
    nn = torch.nn

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(1000, 128)
            layer = nn.TransformerEncoderLayer(128, 4, 256, dropout=0.1, batch_first=True)
            self.enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
            self.head = nn.Linear(128, 10)

        def forward(self, x):
            return self.head(self.enc(self.emb(x)).mean(1))
    return Classifier()


def transformer_step(torch):
    _need(torch)
    model = _encoder(torch)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    return training_step(torch, model, opt, torch.randint(0, 1000, (32, 64)), torch.randint(0, 10, (32,)))


def transformer_inference(torch):
    _need(torch)
    model = _encoder(torch).eval()
    return _inference(torch, model, torch.randint(0, 1000, (32, 64)))


def lstm_lm_step(torch):
    _need(torch)
    nn = torch.nn

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(1000, 256)
            self.rnn = nn.LSTM(256, 256, 2)
            self.out = nn.Linear(256, 1000)

        def forward(self, x):
            h, _ = self.rnn(self.emb(x))
            return self.out(h)
    model = LM()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randint(0, 1000, (35, 32)), torch.randint(0, 1000, (35 * 32,))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x).view(-1, 1000), y).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        opt.step()
    return step


BENCHMARKS = {'transformer_step': transformer_step, 'transformer_inference': transformer_inference,
              'lstm_lm_step': lstm_lm_step}
