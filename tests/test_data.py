"""faketorch.utils.data against real torch: datasets, samplers, collate, DataLoader (with workers).

Tests named *_stream compare exact shuffle orders; they are skipped until faketorch's randperm
is torch-exact (the RNG work), everything else checks order-independent properties now.
"""
import collections
import gc
import multiprocessing
import os
import random
import signal
import time
import warnings

import numpy as np
import pytest

import faketorch
import faketorch.utils.data as D

torch = pytest.importorskip('torch')
import torch.utils.data as TD  # noqa: E402

Point = collections.namedtuple('Point', 'x y')


def _rng_exact():
    ours = faketorch.randperm(20, generator=faketorch.Generator().manual_seed(1)).tolist()
    theirs = torch.randperm(20, generator=torch.Generator().manual_seed(1)).tolist()
    return ours == theirs


stream = pytest.mark.skipif(not _rng_exact(), reason='stream-exact: needs torch-exact randperm (RNG work)')


def same(a, b):
    """Structure, types, dtypes and values of a faketorch result equal torch's."""
    if isinstance(b, torch.Tensor):
        assert isinstance(a, faketorch.Tensor), type(a)
        assert str(a.dtype) == str(b.dtype) and tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    elif isinstance(b, dict):
        assert type(a).__name__ == type(b).__name__ and list(a) == list(b)
        for k in b:
            same(a[k], b[k])
    elif isinstance(b, (list, tuple)):
        assert type(a).__name__ == type(b).__name__ and len(a) == len(b), (a, b)
        for x, y in zip(a, b):
            same(x, y)
    else:
        assert a == b and type(a) is type(b), (a, b)


def both(fn):
    """fn(mod) on faketorch and on torch; compares results or the raised exception."""
    outs = []
    for mod in (faketorch, torch):
        try:
            outs.append(('ok', fn(mod)))
        except Exception as e:
            outs.append(('raise', (type(e).__name__, str(e))))
    (ka, a), (kb, b) = outs
    assert ka == kb, outs
    if ka == 'raise':
        assert a == b
    else:
        same(a, b)
    return outs[0][1]


def tds(mod, n=10):
    return mod.utils.data.TensorDataset(mod.arange(n * 3.).view(n, 3), mod.arange(n))


class Squares:
    """A picklable map-style dataset with Python work; mod picks the library."""

    def __init__(self, mod, n=10, fail_at=None, sleep=0.0, exit_at=None):
        self.mod, self.n, self.fail_at, self.sleep, self.exit_at = mod.__name__, n, fail_at, sleep, exit_at

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        mod = faketorch if self.mod == 'faketorch' else torch
        if self.sleep:
            time.sleep(self.sleep)
        if i == self.fail_at:
            raise ValueError(f'bad index {i}')
        if i == self.exit_at:
            os._exit(3)
        return {'x': mod.tensor([float(i), float(i * i)]), 'i': i, 'name': f's{i}'}


# --- datasets --------------------------------------------------------------------------------

def test_datasets():
    both(lambda m: (tds(m)[3], len(tds(m)), tds(m)[2:4]))
    both(lambda m: m.utils.data.TensorDataset(m.ones(3), m.ones(4)))
    both(lambda m: (lambda c: (len(c), c[0], c[12], c[-1], c.cumulative_sizes))(tds(m) + tds(m, 5)))
    both(lambda m: (tds(m) + tds(m))[-21])
    both(lambda m: m.utils.data.ConcatDataset([]))
    both(lambda m: (lambda s: (len(s), s[1], s.__getitems__([0, 1])))(m.utils.data.Subset(tds(m), [7, 1, 4])))
    both(lambda m: (lambda s: (s[1], s.__getitems__([0, 2])))(m.utils.data.StackDataset(a=tds(m), b=list(range(10)))))
    both(lambda m: m.utils.data.StackDataset(tds(m), list(range(3))))
    both(lambda m: m.utils.data.StackDataset())
    both(lambda m: m.utils.data.Dataset()[0])
    both(lambda m: m.utils.data.IterableDataset())


def test_random_split():
    both(lambda m: [len(s) for s in m.utils.data.random_split(range(11), [0.3, 0.3, 0.4])])
    both(lambda m: m.utils.data.random_split(range(10), [3, 6]))
    both(lambda m: m.utils.data.random_split(range(10), [1.5, -0.5]))
    parts = D.random_split(range(10), [3, 7])
    assert sorted(sum((list(p) for p in parts), [])) == list(range(10))


@stream
def test_random_split_stream():
    both(lambda m: [list(s) for s in m.utils.data.random_split(range(10), [4, 6],
                                                               generator=m.Generator().manual_seed(42))])


# --- samplers --------------------------------------------------------------------------------

def test_samplers():
    both(lambda m: list(m.utils.data.BatchSampler(range(10), 3, False)))
    both(lambda m: (list(m.utils.data.BatchSampler(range(10), 3, True)),
                    len(m.utils.data.BatchSampler(range(10), 3, True))))
    both(lambda m: m.utils.data.BatchSampler(range(3), 0, False))
    both(lambda m: m.utils.data.RandomSampler(range(3), replacement=1))
    both(lambda m: m.utils.data.RandomSampler(range(3), num_samples=0))
    both(lambda m: m.utils.data.WeightedRandomSampler([1, 2], 0))
    both(lambda m: [list(m.utils.data.DistributedSampler(range(10), num_replicas=3, rank=r, shuffle=False))
                    for r in range(3)])
    both(lambda m: m.utils.data.DistributedSampler(range(4), num_replicas=2, rank=2))
    assert sorted(D.RandomSampler(range(9))) == list(range(9))
    s = list(D.RandomSampler(range(5), num_samples=12))
    assert len(s) == 12 and sorted(s[:5]) == sorted(s[5:10]) == list(range(5))
    r = list(D.RandomSampler(range(7), replacement=True, num_samples=40))
    assert len(r) == 40 and all(0 <= i < 7 for i in r)
    assert sorted(D.SubsetRandomSampler([5, 7, 9])) == [5, 7, 9]


@stream
def test_samplers_stream():
    both(lambda m: list(m.utils.data.RandomSampler(range(9), generator=m.Generator().manual_seed(3))))
    both(lambda m: list(m.utils.data.RandomSampler(range(7), replacement=True, num_samples=40,
                                                   generator=m.Generator().manual_seed(1))))


def test_sampler_draws_lazily():
    """Like torch, nothing is drawn from the global generator until the first next()."""
    faketorch.manual_seed(0)
    state = faketorch.get_rng_state()
    it = iter(D.RandomSampler(range(5)))
    assert faketorch.equal(faketorch.get_rng_state(), state)
    next(it)
    assert not faketorch.equal(faketorch.get_rng_state(), state)


# --- collate ---------------------------------------------------------------------------------

@pytest.mark.parametrize('batch', [
    [1, 2], [1.5, 2.0], [True, False], ['a', 'b'], [b'a', b'b'],
    [np.ones(2, np.float32), np.zeros(2, np.float32)], [np.int32(3), np.int32(4)], [np.float64(1.5), np.float64(2)],
    [{'a': 1, 'b': (2., 'x')}, {'a': 3, 'b': (4., 'y')}], [Point(1, 2.), Point(3, 4.)], [(1, [2, 3]), (4, [5, 6])],
    [[1, 2], [3]], [{1}, {2}], [np.array(['a']), np.array(['b'])],
], ids=lambda b: type(b[0]).__name__)
def test_default_collate(batch):
    both(lambda m: m.utils.data.default_collate(batch))


def test_default_collate_tensors():
    both(lambda m: m.utils.data.default_collate([m.ones(2, 3), m.zeros(2, 3)]))
    both(lambda m: m.utils.data.default_collate([m.ones(2), m.ones(3)]))


def test_default_convert():
    both(lambda m: m.utils.data.default_convert([np.arange(3), {'a': np.float32(2.5), 'b': 'x'}, (np.int64(1), 2),
                                                 Point(np.ones(1), 3)]))


# --- DataLoader in process -------------------------------------------------------------------

def test_loader_batches():
    both(lambda m: list(m.utils.data.DataLoader(tds(m), batch_size=4)))
    both(lambda m: list(m.utils.data.DataLoader(tds(m), batch_size=4, drop_last=True)))
    both(lambda m: list(m.utils.data.DataLoader(tds(m, 3), batch_size=None)))
    both(lambda m: list(m.utils.data.DataLoader(Squares(m, 5), batch_size=2)))
    both(lambda m: list(m.utils.data.DataLoader(tds(m, 6), sampler=[5, 0, 3], batch_size=2)))
    both(lambda m: list(m.utils.data.DataLoader(tds(m, 6), batch_sampler=[[5, -1], [3]])))
    both(lambda m: [len(m.utils.data.DataLoader(tds(m), batch_size=3)),
                    len(m.utils.data.DataLoader(tds(m), batch_size=3, drop_last=True))])


def test_loader_errors():
    for kw in [dict(num_workers=-1), dict(prefetch_factor=2), dict(persistent_workers=True), dict(timeout=-1),
               dict(sampler=[1], shuffle=True), dict(batch_sampler=[[1]], batch_size=2),
               dict(batch_size=None, drop_last=True), dict(multiprocessing_context='fork'),
               dict(num_workers=1, multiprocessing_context='nope')]:
        both(lambda m: m.utils.data.DataLoader(tds(m), **kw))
    both(lambda m: list(m.utils.data.DataLoader(tds(m), timeout=1)))
    both(lambda m: setattr(m.utils.data.DataLoader(tds(m)), 'batch_size', 3))
    both(lambda m: list(m.utils.data.DataLoader(tds(m, 3), sampler=[5], batch_size=2)))   # out of range


def test_fast_path_matches_collate():
    ds = tds(faketorch, 50)
    fast = list(D.DataLoader(ds, batch_size=8, sampler=[49, -50, 3] * 5))
    slow = list(D.DataLoader(ds, batch_size=8, sampler=[49, -50, 3] * 5, collate_fn=lambda b: D.default_collate(b)))
    assert type(fast[0]) is list
    for f, s in zip(fast, slow):
        for a, b in zip(f, s):
            assert a.dtype == b.dtype and a.shape == b.shape and faketorch.equal(a, b)
    x = faketorch.ones(4, 2, requires_grad=True)     # needs grad: collate's StackBackward0 as torch
    b = next(iter(D.DataLoader(D.TensorDataset(x), batch_size=2)))[0]
    assert b.grad_fn.name() == 'StackBackward0'


def test_shuffle_covers_every_index():
    loader = D.DataLoader(tds(faketorch, 37), batch_size=5, shuffle=True)
    for _ in range(2):
        seen = faketorch.cat([y for _, y in loader]).tolist()
        assert sorted(seen) == list(range(37))


@stream
def test_shuffle_stream():
    both(lambda m: (m.manual_seed(0), list(m.utils.data.DataLoader(tds(m, 9), batch_size=2, shuffle=True)))[1])
    both(lambda m: list(m.utils.data.DataLoader(tds(m, 9), batch_size=2, shuffle=True,
                                                generator=m.Generator().manual_seed(7))))


class Stream(D.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = D.get_worker_info()
        lo, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(faketorch.tensor([i, i * 10]) for i in range(lo, self.n, step))

    def __len__(self):
        return self.n


def test_iterable():
    ds = Stream(7)
    got = list(D.DataLoader(ds, batch_size=3))
    assert [b[:, 0].tolist() for b in got] == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(D.DataLoader(ds, batch_size=3)) == 3 and len(D.DataLoader(ds, batch_size=3, drop_last=True)) == 2
    with pytest.raises(ValueError, match='expected unspecified shuffle option'):
        D.DataLoader(ds, shuffle=True)


# --- workers ---------------------------------------------------------------------------------

def test_workers_same_batches():
    for ds, kw in [(tds, dict(batch_size=3)), (Squares, dict(batch_size=2)), (Squares, dict(batch_size=None)),
                   (tds, dict(batch_size=4, prefetch_factor=1))]:
        ref = list(TD.DataLoader(ds(torch, 7), **{k: v for k, v in kw.items() if k != 'prefetch_factor'}))
        got = list(D.DataLoader(ds(faketorch, 7), num_workers=2, **kw))
        same(got, ref)


def test_workers_iterable_sharded():
    got = list(D.DataLoader(Stream(9), batch_size=2, num_workers=2))
    # worker 0 serves 0,2,4,6,8 and worker 1 serves 1,3,5,7, batches alternate as in torch
    assert [b[:, 0].tolist() for b in got] == [[0, 2], [1, 3], [4, 6], [5, 7], [8]]


def test_workers_out_of_order():
    got = list(D.DataLoader(Squares(faketorch, 8), batch_size=2, num_workers=2, in_order=False))
    assert sorted(faketorch.cat([b['i'] for b in got]).tolist()) == list(range(8))


def test_worker_error_reraised():
    with pytest.raises(ValueError) as ei:
        list(D.DataLoader(Squares(faketorch, 6, fail_at=3), batch_size=2, num_workers=2))
    lines = str(ei.value).splitlines()
    assert lines[0] == 'Caught ValueError in DataLoader worker process 1.'
    assert lines[1] == 'Original Traceback (most recent call last):'
    assert lines[-1] == 'ValueError: bad index 3'
    with pytest.raises(KeyError) as ei:     # KeyError keeps its text readable, as torch
        list(D.DataLoader({0: 1}, batch_size=1, sampler=[1], num_workers=1))
    assert str(ei.value).startswith('Caught KeyError in DataLoader worker process 0.')


def test_worker_timeout():
    t = time.time()
    with pytest.raises(RuntimeError, match=r'^DataLoader timed out after 0.3 seconds$'):
        list(D.DataLoader(Squares(faketorch, 1, sleep=1), batch_size=1, num_workers=1, timeout=0.3))
    assert time.time() - t < 3


def test_dead_worker_detected():
    with pytest.raises(RuntimeError, match=r'DataLoader worker \(pid'):
        list(D.DataLoader(Squares(faketorch, 8, exit_at=3), batch_size=1, num_workers=2))


class Killer(D.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return i


def test_killed_worker_detected():
    t = time.time()
    with pytest.raises(RuntimeError, match=r'^DataLoader worker \(pid\(s\) \d+\) exited unexpectedly$') as ei:
        list(D.DataLoader(Killer(), batch_size=1, num_workers=2))
    assert time.time() - t < 4     # seen by the SIGCHLD handler, not after a 5 s poll
    assert 'is killed by signal: Killed' in str(ei.value.__cause__)


def test_break_early_no_leak():
    gc.collect()
    before = set(multiprocessing.active_children())
    it = iter(D.DataLoader(Squares(faketorch, 50), batch_size=2, num_workers=2))
    workers = list(it._workers)
    for i, _ in enumerate(it):
        if i == 1:
            break
    del it, _      # dropping the iterator mid-epoch stops its workers at once
    assert not any(w.is_alive() for w in workers)
    assert set(multiprocessing.active_children()) <= before


def test_persistent_workers():
    loader = D.DataLoader(Stream(5), batch_size=2, num_workers=2, persistent_workers=True)
    first = list(loader)
    it = loader._iterator
    pids = [w.pid for w in it._workers]
    second = list(loader)
    assert loader._iterator is it and [w.pid for w in it._workers] == pids
    assert [b.tolist() for b in first] == [b.tolist() for b in second]
    del loader, it
    gc.collect()


def test_spawn_context():
    got = list(D.DataLoader(tds(faketorch, 6), batch_size=4, num_workers=1, multiprocessing_context='spawn'))
    same(got, list(TD.DataLoader(tds(torch, 6), batch_size=4)))


class Seeds(D.Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        info = D.get_worker_info()
        return [info.id, info.seed, random.random(), float(np.random.rand())]


def test_worker_seeding():
    """seed = base_seed + id; Python's random and NumPy seeded as torch seeds them."""
    faketorch.manual_seed(5)
    got = list(D.DataLoader(Seeds(), batch_size=None, num_workers=2))
    faketorch.manual_seed(5)
    base = D.sampler._fresh_seed()
    from torch.utils.data._utils.worker import _generate_state
    for wid, seed, r, n in got:
        assert seed == base + wid
        assert r == random.Random(seed).random()
        assert n == np.random.RandomState(_generate_state(base, wid)).rand()


def test_worker_init_fn_and_info():
    class Marked(D.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            info = D.get_worker_info()
            return [i, info.id, info.num_workers, os.environ.get('FT_MARK')]

    def init(worker_id):
        os.environ['FT_MARK'] = f'w{worker_id}'
    got = list(D.DataLoader(Marked(), batch_size=None, num_workers=2, worker_init_fn=init))
    assert got == [[0, 0, 2, 'w0'], [1, 1, 2, 'w1'], [2, 0, 2, 'w0'], [3, 1, 2, 'w1']]
    assert D.get_worker_info() is None


def test_iterable_len_warning():
    class Liar(D.IterableDataset):
        def __iter__(self):
            return iter(range(5))

        def __len__(self):
            return 3
    loader = D.DataLoader(Liar(), batch_size=None)
    len(loader)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        assert list(loader) == [0, 1, 2, 3, 4]
    assert sum('was reported to be 3(when accessing len(dataloader)), but 4 samples' in str(x.message) for x in w)


def test_uncaught_worker_error_exits():
    """A worker error left uncaught ends the program promptly, with torch's message and no noise."""
    import subprocess
    import sys
    script = (
        'import faketorch.utils.data as D\n'
        'class DS(D.Dataset):\n'
        '    def __len__(self): return 8\n'
        '    def __getitem__(self, i):\n'
        '        if i == 5: raise ValueError("boom")\n'
        '        return i\n'
        'if __name__ == "__main__":\n'
        '    for b in D.DataLoader(DS(), batch_size=2, num_workers=2): pass\n')
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    t = time.time()
    p = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True, timeout=60, cwd=root)
    assert p.returncode == 1 and time.time() - t < 20
    assert 'ValueError: Caught ValueError in DataLoader worker process 0.' in p.stderr
    assert 'Exception ignored' not in p.stderr, p.stderr
