"""torch.utils.data edges found by fuzzing against torch: what default_collate does inside a worker
(stacks into a tensor made like the first sample), index lists the TensorDataset fast path must
leave to indexing, and the generic aliases (Dataset[int])."""
import importlib

from conformance import case, check, outcomes


def _D(torch):
    return torch.utils.data


def _tds(torch, n=4):
    return _D(torch).TensorDataset(torch.arange(n * 2.).view(n, 2), torch.arange(n))


def _samples(torch, make):
    """A map-style dataset of the samples make(torch) returns."""
    class Samples(_D(torch).Dataset):
        def __len__(self):
            return len(make(torch))

        def __getitem__(self, i):
            return make(torch)[i]
    return Samples()


def _first_batch(torch, make, **kw):
    return next(iter(_D(torch).DataLoader(_samples(torch, make), batch_size=2, **kw)))


def _brief(fn):
    """The result, or the exception's type with the first and last lines of its message."""
    try:
        return fn()
    except Exception as e:     # noqa: BLE001 - the worker's traceback lines differ by path
        lines = str(e).splitlines()
        return type(e).__name__, lines[0], lines[-1]


# --- default_collate in a worker: torch.stack(batch, out=<like batch[0]>) ---------------------
check('utils.data.default_collate', lambda torch: _brief(lambda: _first_batch(
    torch, lambda t: [t.ones(2, requires_grad=True)] * 2, num_workers=1)), name='worker_requires_grad')
check('utils.data.default_collate', lambda torch: _first_batch(
    torch, lambda t: [t.ones(2, dtype=t.float16), t.ones(2, dtype=t.float64)], num_workers=1),
    name='worker_first_sample_dtype')
check('utils.data.default_collate', lambda torch: _first_batch(
    torch, lambda t: [t.ones(2, dtype=t.float16), t.ones(2, dtype=t.float64)]), name='in_process_promotes')
check('utils.data.default_collate', lambda torch: _brief(lambda: _first_batch(
    torch, lambda t: [t.ones(2), [1., 2.]], num_workers=1)), name='worker_non_tensor_sample')

# --- TensorDataset batches: indices that are not plain integers go through t[i] -----------------
check('utils.data.DataLoader', lambda torch: outcomes(
    lambda: list(_D(torch).DataLoader(_tds(torch), batch_size=2, sampler=[3.0])),
    lambda: list(_D(torch).DataLoader(_tds(torch), batch_size=2, sampler=[True])),
    lambda: list(_D(torch).DataLoader(_tds(torch), batch_sampler=[torch.tensor([1, 2])])),
    lambda: list(_D(torch).DataLoader(_tds(torch), batch_sampler=[__import__('numpy').array([3, 0])]))),
    name='tensor_dataset_odd_indices')


@case('utils.data.DataLoader', name='tensor_dataset_custom_collate_map')
def tensor_dataset_custom_collate_map(torch):
    """A handler registered for Tensor in default_collate_fn_map collates TensorDataset rows too."""
    fn_map = importlib.import_module(torch.__name__ + '.utils.data._utils.collate').default_collate_fn_map
    old = fn_map[torch.Tensor]
    fn_map[torch.Tensor] = lambda batch, collate_fn_map=None: [len(batch), batch[0].dtype]
    try:
        return list(_D(torch).DataLoader(_tds(torch), batch_size=3))
    finally:
        fn_map[torch.Tensor] = old

# --- typing ------------------------------------------------------------------------------------
def _generic(torch, cls, *args):
    return lambda: repr(getattr(_D(torch), cls)[args]).replace(torch.__name__ + '.', 'torch.')


check('utils.data.Dataset', lambda torch: [r.replace(torch.__name__ + '.', 'torch.') for r in outcomes(
    _generic(torch, 'Dataset', int), _generic(torch, 'IterableDataset', int), _generic(torch, 'Sampler', int),
    _generic(torch, 'DataLoader', int), _generic(torch, 'DistributedSampler', int), _generic(torch, 'Subset', int),
    _generic(torch, 'TensorDataset', int), _generic(torch, 'RandomSampler', int), _generic(torch, 'Dataset', int, str),
    lambda: repr(_D(torch).ConcatDataset.__parameters__))], name='generic_alias')


# --- worker processes ----------------------------------------------------------------------------
def _in_worker(torch, fn):
    """fn(torch) evaluated in a DataLoader worker."""
    return list(_D(torch).DataLoader(_samples(torch, lambda t: [fn(t)]), batch_size=None, num_workers=1))


check('utils.data.DataLoader', lambda torch: _in_worker(torch, lambda t: t.get_num_threads()),
      name='worker_one_thread')


def _pin(torch, data):
    return importlib.import_module(torch.__name__ + '.utils.data._utils.pin_memory').pin_memory(data)


check('utils.data._utils.pin_memory', lambda torch: outcomes(
    lambda: _pin(torch, [1, 'a', (2.5, {'k': b'x'})]), lambda: _pin(torch, range(3)),
    lambda: _pin(torch, {'t': torch.ones(2)})), name='cpu_only')


@case('utils.data.backward_compatibility.worker_init_fn', name='deprecated')
def backward_compatibility_worker_init_fn(torch):
    import warnings
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        out = importlib.import_module(torch.__name__ + '.utils.data.backward_compatibility').worker_init_fn(0)
    return out, [(x.category.__name__, str(x.message)) for x in w]
