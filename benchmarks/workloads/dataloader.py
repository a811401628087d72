"""torch.utils.data.DataLoader: one epoch per call.

- tensor_epoch: TensorDataset of 60000x784 float32 + int64 labels, batch 64, shuffled (MNIST-sized).
- workers_epoch: num_workers=2 over a 2048-item map-style dataset whose __getitem__ builds a
  sample with a little Python work; includes starting and stopping the workers, as a fresh
  (non-persistent) epoch does.
"""
import importlib


def _data(torch):
    return importlib.import_module(torch.__name__ + '.utils.data')   # torch.utils.data / faketorch's


def tensor_epoch(torch):
    D = _data(torch)
    ds = D.TensorDataset(torch.randn(60000, 784), torch.randint(0, 10, (60000,)))
    loader = D.DataLoader(ds, batch_size=64, shuffle=True)

    def epoch():
        for x, y in loader:
            pass
    return epoch


def workers_epoch(torch):
    D = _data(torch)

    class Synthetic(D.Dataset):
        def __len__(self):
            return 2048

        def __getitem__(self, i):
            feats = [float((i * j) % 7) / 7.0 for j in range(64)]
            return torch.tensor(feats), i % 10

    loader = D.DataLoader(Synthetic(), batch_size=32, shuffle=True, num_workers=2)

    def epoch():
        for x, y in loader:
            pass
    return epoch


BENCHMARKS = {'tensor_epoch': tensor_epoch, 'workers_epoch': workers_epoch}
