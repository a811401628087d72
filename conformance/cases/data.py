"""torch.utils.data: datasets, samplers, collate, DataLoader (in-process and with 2 workers).

Cases named stream_* compare exact shuffle orders and seeds: they check that the DataLoader and
the samplers draw from the generator at torch's moments with torch's calls. Cases with workers
use small datasets defined inside the case (fork start method on Linux).
"""
import collections

import numpy as np

from conformance import case, check

Point = collections.namedtuple('Point', ['x', 'y'])


def _D(torch):
    return torch.utils.data


def _tds(torch, n=10):
    return _D(torch).TensorDataset(torch.arange(n * 2.).view(n, 2), torch.arange(n))


def _squares(torch, n=10, fail_at=None, sleep=0):
    """A map-style dataset with a little Python work per item."""
    class Squares(_D(torch).Dataset):
        def __len__(self):
            return n

        def __getitem__(self, i):
            if sleep:
                __import__('time').sleep(sleep)
            if i == fail_at:
                raise ValueError(f'bad index {i}')
            return {'x': torch.tensor([float(i), float(i * i)]), 'i': i, 'name': f's{i}'}
    return Squares()


def _stream(torch, n=10):
    """An IterableDataset that shards itself over workers with get_worker_info()."""
    D = _D(torch)

    class Stream(D.IterableDataset):
        def __iter__(self):
            info = D.get_worker_info()
            lo, step = (0, 1) if info is None else (info.id, info.num_workers)
            return iter(torch.tensor([i, i * 10]) for i in range(lo, n, step))

        def __len__(self):
            return n
    return Stream()


def _first_line(fn):
    try:
        fn()
    except Exception as e:
        return type(e).__name__, str(e).splitlines()[0], str(e).splitlines()[-1]
    return 'no error'


# --- datasets --------------------------------------------------------------------------------
check('utils.data.TensorDataset', lambda torch: (_tds(torch)[3], len(_tds(torch)), _tds(torch)[2:4]))
check('utils.data.TensorDataset', lambda torch: _D(torch).TensorDataset(torch.ones(3), torch.ones(4)),
      name='size_mismatch')
check('utils.data.Dataset', lambda torch: _D(torch).Dataset()[0], name='getitem_abstract')
check('utils.data.IterableDataset', lambda torch: _D(torch).IterableDataset(), name='abstract')
check('utils.data.ConcatDataset', lambda torch: (lambda c: (len(c), c[0], c[12], c[-1], c.cumulative_sizes))(
    _tds(torch) + _tds(torch, 5)))
check('utils.data.ConcatDataset', lambda torch: (_tds(torch) + _tds(torch))[-21], name='negative_out_of_range')
check('utils.data.ConcatDataset', lambda torch: _D(torch).ConcatDataset([]), name='empty')
check('utils.data.ConcatDataset', lambda torch: _D(torch).ConcatDataset([_stream(torch)]), name='iterable')
check('utils.data.Subset', lambda torch: (lambda s: (len(s), s[0], s[2], s.__getitems__([0, 1])))(
    _D(torch).Subset(_tds(torch), [7, 1, 4])))
check('utils.data.StackDataset', lambda torch: (lambda s: (len(s), s[1], s.__getitems__([0, 2])))(
    _D(torch).StackDataset(_tds(torch), torch.arange(10) * 3)))
check('utils.data.StackDataset', lambda torch: (lambda s: (s[1], s.__getitems__([0, 2])))(
    _D(torch).StackDataset(a=_tds(torch), b=list(range(10)))), name='dict')
check('utils.data.StackDataset', lambda torch: _D(torch).StackDataset(_tds(torch), list(range(3))),
      name='size_mismatch')
check('utils.data.StackDataset', lambda torch: _D(torch).StackDataset(), name='none')
check('utils.data.StackDataset', lambda torch: _D(torch).StackDataset(_tds(torch), b=_tds(torch)), name='both')
check('utils.data.ChainDataset', lambda torch: list(_D(torch).ChainDataset([_stream(torch, 3), _stream(torch, 2)])))
check('utils.data.ChainDataset', lambda torch: len(_stream(torch, 3) + _stream(torch, 4)), name='len')
check('utils.data.random_split', lambda torch: [len(s) for s in _D(torch).random_split(range(10), [3, 7])])
check('utils.data.random_split', lambda torch: [len(s) for s in _D(torch).random_split(range(11), [0.3, 0.3, 0.4])],
      name='fractions')
check('utils.data.random_split', lambda torch: _D(torch).random_split(range(10), [3, 6]), name='bad_sum')
check('utils.data.random_split', lambda torch: _D(torch).random_split(range(10), [1.5, -0.5]), name='bad_fraction')
check('utils.data.random_split', lambda torch: sorted(sum((list(s) for s in _D(torch).random_split(
    range(10), [0.5, 0.5])), [])), name='partition')
check('utils.data.random_split', lambda torch: [list(s) for s in _D(torch).random_split(  # stream
    range(10), [4, 6], generator=torch.Generator().manual_seed(42))], name='stream_generator', exact=True)
check('utils.data.random_split', lambda torch: [list(s) for s in _D(torch).random_split(range(8), [5, 3])],
      name='stream_default', exact=True)   # stream

# --- samplers --------------------------------------------------------------------------------
check('utils.data.SequentialSampler', lambda torch: (list(_D(torch).SequentialSampler(range(4))),
                                                     len(_D(torch).SequentialSampler(range(4)))))
check('utils.data.RandomSampler', lambda torch: (sorted(_D(torch).RandomSampler(range(9))),
                                                 len(_D(torch).RandomSampler(range(9), num_samples=4))),
      name='permutation')
check('utils.data.RandomSampler', lambda torch: list(_D(torch).RandomSampler(range(9))), name='stream', exact=True)
check('utils.data.RandomSampler', lambda torch: list(_D(torch).RandomSampler(  # stream
    range(5), num_samples=12, generator=torch.Generator().manual_seed(3))), name='stream_num_samples', exact=True)
check('utils.data.RandomSampler', lambda torch: list(_D(torch).RandomSampler(  # stream
    range(7), replacement=True, num_samples=40, generator=torch.Generator().manual_seed(1))),
    name='stream_replacement', exact=True)
check('utils.data.RandomSampler', lambda torch: _D(torch).RandomSampler(range(3), replacement=1),
      name='bad_replacement')
check('utils.data.RandomSampler', lambda torch: _D(torch).RandomSampler(range(3), num_samples=0),
      name='bad_num_samples')
check('utils.data.SubsetRandomSampler', lambda torch: sorted(_D(torch).SubsetRandomSampler([5, 7, 9])))
check('utils.data.SubsetRandomSampler', lambda torch: list(_D(torch).SubsetRandomSampler(  # stream
    [5, 7, 9, 11], generator=torch.Generator().manual_seed(0))), name='stream', exact=True)
check('utils.data.WeightedRandomSampler', lambda torch: (lambda s: (len(s), s.weights))(
    _D(torch).WeightedRandomSampler([1, 2, 3], 5)))
check('utils.data.WeightedRandomSampler', lambda torch: sorted(_D(torch).WeightedRandomSampler(
    [0.1, 0, 0.2, 5], 3, replacement=False)), name='no_replacement')
check('utils.data.WeightedRandomSampler', lambda torch: list(_D(torch).WeightedRandomSampler(  # stream
    [0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 8, generator=torch.Generator().manual_seed(5))), name='stream', exact=True)
check('utils.data.WeightedRandomSampler', lambda torch: _D(torch).WeightedRandomSampler([1, 2], 0), name='bad_num')
check('utils.data.WeightedRandomSampler', lambda torch: _D(torch).WeightedRandomSampler([1, 2], 2, replacement=None),
      name='bad_replacement')
check('utils.data.WeightedRandomSampler', lambda torch: _D(torch).WeightedRandomSampler([[1, 2]], 2),
      name='bad_shape')
check('utils.data.BatchSampler', lambda torch: (list(_D(torch).BatchSampler(range(10), 3, False)),
                                                list(_D(torch).BatchSampler(range(10), 3, True)),
                                                len(_D(torch).BatchSampler(range(10), 3, False)),
                                                len(_D(torch).BatchSampler(range(10), 3, True))))
check('utils.data.BatchSampler', lambda torch: _D(torch).BatchSampler(range(3), 0, False), name='bad_batch_size')
check('utils.data.BatchSampler', lambda torch: _D(torch).BatchSampler(range(3), 2, 0), name='bad_drop_last')
check('utils.data.DistributedSampler', lambda torch: [list(_D(torch).DistributedSampler(
    range(10), num_replicas=3, rank=r, shuffle=False)) for r in range(3)], name='padded')
check('utils.data.DistributedSampler', lambda torch: [list(_D(torch).DistributedSampler(
    range(10), num_replicas=3, rank=r, shuffle=False, drop_last=True)) for r in range(3)], name='drop_last')
check('utils.data.DistributedSampler', lambda torch: _D(torch).DistributedSampler(range(4), num_replicas=2, rank=2),
      name='bad_rank')
check('utils.data.DistributedSampler', lambda torch: _D(torch).DistributedSampler(range(4)), name='no_process_group')


@case('utils.data.DistributedSampler', name='stream_epochs', exact=True)   # stream
def distributed_epochs(torch):
    s = _D(torch).DistributedSampler(range(7), num_replicas=2, rank=1, seed=3)
    first = list(s)
    s.set_epoch(1)
    return first, list(s), len(s)


# --- collate ---------------------------------------------------------------------------------
def _collate(torch, batch):
    return _D(torch).default_collate(batch)


check('utils.data.default_collate', lambda torch: _collate(torch, [torch.ones(2), torch.zeros(2)]), name='tensors')
check('utils.data.default_collate', lambda torch: (_collate(torch, [1, 2]), _collate(torch, [1.5, 2.0]),
                                                   _collate(torch, [True, False])), name='numbers')
check('utils.data.default_collate', lambda torch: (_collate(torch, [np.ones(2, np.float32), np.zeros(2, np.float32)]),
                                                   _collate(torch, [np.int32(3), np.int32(4)]),
                                                   _collate(torch, [np.float64(1.5), np.float64(2)]),
                                                   _collate(torch, [np.bool_(True), np.bool_(False)])),
      name='numpy')
check('utils.data.default_collate', lambda torch: _collate(torch, ['a', 'b']), name='strings')
check('utils.data.default_collate', lambda torch: _collate(torch, [{'a': 1, 'b': (2., 'x')}, {'a': 3, 'b': (4., 'y')}]),
      name='dicts')
check('utils.data.default_collate', lambda torch: _collate(torch, [Point(1, 2.), Point(3, 4.)]), name='namedtuple')
check('utils.data.default_collate', lambda torch: _collate(torch, [(1, [2, 3]), (4, [5, 6])]), name='nested')
check('utils.data.default_collate', lambda torch: _collate(torch, [[1, 2], [3]]), name='unequal_size')
check('utils.data.default_collate', lambda torch: _collate(torch, [{1}, {2}]), name='unsupported')
check('utils.data.default_collate', lambda torch: _collate(torch, [np.array(['a']), np.array(['b'])]),
      name='numpy_strings')
check('utils.data.default_collate', lambda torch: _collate(torch, [torch.ones(2), torch.ones(3)]),
      name='tensor_size_mismatch')
check('utils.data.default_convert', lambda torch: _D(torch).default_convert(
    [np.arange(3), {'a': np.float32(2.5), 'b': 'x'}, (np.int64(1), 2), Point(np.ones(1), 3)]))
check('utils.data.default_convert', lambda torch: _D(torch).default_convert(np.array(['a', 'b'])), name='strings')

# --- DataLoader, in process ------------------------------------------------------------------
def _batches(torch, dataset, **kw):
    return list(_D(torch).DataLoader(dataset, **kw))


check('utils.data.DataLoader', lambda torch: _batches(torch, _tds(torch), batch_size=4), name='tensor_dataset')
check('utils.data.DataLoader', lambda torch: _batches(torch, _tds(torch), batch_size=4, drop_last=True),
      name='drop_last')
check('utils.data.DataLoader', lambda torch: _batches(torch, _tds(torch, 3), batch_size=None), name='no_batching')
check('utils.data.DataLoader', lambda torch: _batches(torch, _squares(torch, 5), batch_size=2), name='dict_samples')
check('utils.data.DataLoader', lambda torch: _batches(torch, list(range(7)), batch_size=3), name='list_dataset')
check('utils.data.DataLoader', lambda torch: _batches(torch, [np.ones(2) * i for i in range(4)], batch_size=2),
      name='numpy_samples')
check('utils.data.DataLoader', lambda torch: _batches(torch, _tds(torch, 6), batch_size=2,
                                                      collate_fn=lambda b: len(b)), name='collate_fn')
check('utils.data.DataLoader', lambda torch: _batches(torch, _tds(torch, 6), sampler=[5, 0, 3], batch_size=2),
      name='sampler')
check('utils.data.DataLoader', lambda torch: _batches(torch, _tds(torch, 6), batch_sampler=[[5, 0], [3]]),
      name='batch_sampler')
check('utils.data.DataLoader', lambda torch: _batches(torch, _tds(torch, 6), batch_size=2, shuffle=True,
                                                      generator=torch.Generator().manual_seed(7)),
      name='stream_shuffle_generator', exact=True)    # stream
check('utils.data.DataLoader', lambda torch: _batches(torch, _tds(torch, 6), batch_size=2, shuffle=True),
      name='stream_shuffle_global', exact=True)       # stream
check('utils.data.DataLoader', lambda torch: sorted(torch.cat([b[1] for b in _batches(
    torch, _tds(torch, 9), batch_size=2, shuffle=True)]).tolist()), name='shuffle_covers_all')
check('utils.data.DataLoader', lambda torch: _batches(torch, _stream(torch, 7), batch_size=3), name='iterable')
check('utils.data.DataLoader', lambda torch: _batches(torch, _stream(torch, 7), batch_size=3, drop_last=True),
      name='iterable_drop_last')
check('utils.data.DataLoader', lambda torch: _batches(torch, _stream(torch, 3), batch_size=None),
      name='iterable_no_batching')
check('utils.data.DataLoader', lambda torch: [len(_D(torch).DataLoader(_tds(torch), batch_size=3)),
                                              len(_D(torch).DataLoader(_tds(torch), batch_size=3, drop_last=True)),
                                              len(_D(torch).DataLoader(_stream(torch, 7), batch_size=3)),
                                              len(_D(torch).DataLoader(_stream(torch, 7), batch_size=3,
                                                                       drop_last=True)),
                                              len(_D(torch).DataLoader(_tds(torch), batch_size=None))], name='len')
check('utils.data.DataLoader', lambda torch: _D(torch).DataLoader(_stream(torch), shuffle=True),
      name='iterable_shuffle_error')
check('utils.data.DataLoader', lambda torch: _D(torch).DataLoader(_tds(torch), sampler=[1], shuffle=True),
      name='sampler_shuffle_error')
check('utils.data.DataLoader', lambda torch: _D(torch).DataLoader(_tds(torch), batch_sampler=[[1]], batch_size=2),
      name='batch_sampler_error')
check('utils.data.DataLoader', lambda torch: _D(torch).DataLoader(_tds(torch), batch_size=None, drop_last=True),
      name='no_batching_drop_last_error')
check('utils.data.DataLoader', lambda torch: _D(torch).DataLoader(_tds(torch), num_workers=-1),
      name='negative_workers')
check('utils.data.DataLoader', lambda torch: _D(torch).DataLoader(_tds(torch), prefetch_factor=2),
      name='prefetch_without_workers')
check('utils.data.DataLoader', lambda torch: _D(torch).DataLoader(_tds(torch), persistent_workers=True),
      name='persistent_without_workers')
check('utils.data.DataLoader', lambda torch: _D(torch).DataLoader(_tds(torch), multiprocessing_context='fork'),
      name='context_without_workers')
check('utils.data.DataLoader', lambda torch: _D(torch).DataLoader(_tds(torch), num_workers=1,
                                                                  multiprocessing_context='nope'), name='bad_context')
check('utils.data.DataLoader', lambda torch: setattr(_D(torch).DataLoader(_tds(torch)), 'batch_size', 3),
      name='frozen_attribute')
check('utils.data.DataLoader', lambda torch: _batches(torch, _squares(torch, 4, fail_at=2), batch_size=2),
      name='error_in_process')
check('utils.data.get_worker_info', lambda torch: _D(torch).get_worker_info(), name='main_process')


@case('utils.data.DataLoader', name='iterable_len_warning')
def iterable_len_warning(torch):
    import warnings
    D = _D(torch)

    class Liar(D.IterableDataset):
        def __repr__(self):
            return 'Liar'

        def __iter__(self):
            return iter(range(5))

        def __len__(self):
            return 3
    loader = D.DataLoader(Liar(), batch_size=None)
    len(loader)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        out = list(loader)
    return out, [str(x.message) for x in w if 'IterableDataset' in str(x.message)]


# --- DataLoader with worker processes --------------------------------------------------------
W = dict(num_workers=2)

check('utils.data.DataLoader', lambda torch: _batches(torch, _tds(torch), batch_size=3, **W), name='workers_tensor')
check('utils.data.DataLoader', lambda torch: _batches(torch, _squares(torch, 7), batch_size=2, **W),
      name='workers_dicts')
check('utils.data.DataLoader', lambda torch: _batches(torch, _squares(torch, 3), batch_size=None, **W),
      name='workers_no_batching')
check('utils.data.DataLoader', lambda torch: _batches(torch, _stream(torch, 9), batch_size=2, **W),
      name='workers_iterable_sharded')
check('utils.data.DataLoader', lambda torch: _batches(torch, _tds(torch), batch_size=4, prefetch_factor=1, **W),
      name='workers_prefetch')
check('utils.data.DataLoader', lambda torch: sorted(torch.cat([b['x'] for b in _batches(
    torch, _squares(torch, 8), batch_size=2, in_order=False, **W)]).tolist()), name='workers_out_of_order')
check('utils.data.DataLoader', lambda torch: _batches(torch, _tds(torch, 6), batch_size=2, shuffle=True,
                                                      generator=torch.Generator().manual_seed(7), **W),
      name='stream_workers_shuffle', exact=True)      # stream
check('utils.data.DataLoader', lambda torch: _first_line(lambda: _batches(
    torch, _squares(torch, 6, fail_at=3), batch_size=2, **W)), name='workers_error')
check('utils.data.DataLoader', lambda torch: _first_line(lambda: _batches(
    torch, _squares(torch, 1, sleep=1), batch_size=1, timeout=0.3, **W)), name='workers_timeout')


@case('utils.data.get_worker_info', name='in_workers')
def worker_info(torch):
    D = _D(torch)

    class Info(D.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            info = D.get_worker_info()
            return torch.tensor([i, info.id, info.num_workers, int(info.dataset is self or True)])
    return _batches(torch, Info(), batch_size=1, num_workers=2)


@case('utils.data.DataLoader', name='stream_worker_seeds', exact=True)    # stream
def worker_seeds(torch):
    D = _D(torch)

    class Seeds(D.Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            import random
            info = D.get_worker_info()
            return [info.seed, random.random(), float(np.random.rand()), torch.rand(2)]
    return _batches(torch, Seeds(), batch_size=1, num_workers=2)


@case('utils.data.DataLoader', name='workers_init_fn')
def worker_init(torch):
    D = _D(torch)

    class Marked(D.Dataset):
        mark = -1

        def __len__(self):
            return 4

        def __getitem__(self, i):
            return i * 100 + type(self).mark

    def init(worker_id):
        info = D.get_worker_info()
        type(info.dataset).mark = worker_id + 10
    return _batches(torch, Marked(), batch_size=2, num_workers=2, worker_init_fn=init)


@case('utils.data.DataLoader', name='workers_persistent')
def persistent(torch):
    loader = _D(torch).DataLoader(_stream(torch, 5), batch_size=2, num_workers=2, persistent_workers=True)
    first = list(loader)
    it = loader._iterator
    return first, list(loader), loader._iterator is it


@case('utils.data.DataLoader', name='workers_break_no_leak')
def break_early(torch):
    import multiprocessing
    import gc
    before = len(multiprocessing.active_children())
    for i, b in enumerate(_D(torch).DataLoader(_squares(torch, 50), batch_size=2, num_workers=2)):
        if i == 1:
            break
    del b
    gc.collect()
    return i, len(multiprocessing.active_children()) - before


# --- more loaders: combinators through the DataLoader, epochs and seeds ------------------------
check('utils.data.DataLoader', lambda torch: _batches(torch, _D(torch).StackDataset(_tds(torch, 5), list(range(5))),
                                                      batch_size=2), name='stack_dataset')
check('utils.data.DataLoader', lambda torch: _batches(torch, _D(torch).Subset(_tds(torch), [9, 0, 4]), batch_size=2),
      name='subset')
check('utils.data.DataLoader', lambda torch: _batches(torch, _tds(torch, 3) + _tds(torch, 2), batch_size=2,
                                                      shuffle=True), name='stream_concat_shuffle', exact=True)
check('utils.data.DataLoader', lambda torch: _batches(torch, [Point(i, float(i)) for i in range(4)], batch_size=3),
      name='namedtuple_samples')
check('utils.data.DataLoader', lambda torch: _batches(torch, _tds(torch, 4), batch_size=2, pin_memory=True),
      name='pin_memory')
check('utils.data.DataLoader', lambda torch: _batches(torch, _tds(torch, 5), batch_size=2, sampler=_D(
    torch).RandomSampler(range(5), replacement=True, num_samples=7)), name='stream_sampler_replacement', exact=True)
check('utils.data.DataLoader', lambda torch: _batches(torch, _tds(torch, 6), batch_size=2, sampler=_D(
    torch).WeightedRandomSampler([1, 2, 3, 4, 5, 6], 5)), name='stream_weighted', exact=True)


@case('utils.data.DataLoader', name='stream_two_epochs', exact=True)
def two_epochs(torch):
    loader = _D(torch).DataLoader(range(6), batch_size=4, shuffle=True)
    return list(loader), list(loader), torch.rand(2)     # the global stream moved as torch's


@case('utils.data.DataLoader', name='stream_persistent_epochs', exact=True)
def persistent_epochs(torch):
    loader = _D(torch).DataLoader(range(6), batch_size=4, shuffle=True, num_workers=2, persistent_workers=True)
    return list(loader), list(loader), torch.rand(2)


@case('utils.data.DataLoader', name='stream_iterator_seed', exact=True)
def iterator_seed(torch):
    """Creating the iterator draws the base seed; the sampler draws at the first batch."""
    loader = _D(torch).DataLoader(range(4), batch_size=2, shuffle=True)
    it = iter(loader)
    mid = torch.rand(1)
    return mid, list(it), torch.rand(1)


@case('utils.data.get_worker_info', name='fields')
def worker_info_fields(torch):
    D = _D(torch)

    class Fields(D.Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            info = D.get_worker_info()
            try:
                info.id = 5
                frozen = 'no'
            except Exception as e:
                frozen = type(e).__name__ + ': ' + str(e)
            return [type(info).__name__, info.num_workers, info.rng is None, info.worker_method, frozen,
                    type(info.dataset).__name__]
    return _batches(torch, Fields(), batch_size=None, num_workers=1)


def _bad_init(worker_id):
    raise ValueError(f'init failed in {worker_id}')


check('utils.data.DataLoader', lambda torch: _first_line(lambda: _batches(
    torch, _tds(torch, 4), batch_size=2, worker_init_fn=_bad_init, **W)), name='workers_init_fn_error')
check('utils.data.DataLoader', lambda torch: _first_line(lambda: _batches(
    torch, {0: 'a'}, batch_size=1, sampler=[1], **W)), name='workers_key_error')
