"""DataLoader: batches from a dataset through a sampler and a collate_fn, in this process or in
worker processes.

Where the iterator draws random numbers, and how workers are scheduled, follows torch: the base
seed is drawn when the iterator is created; workers get tasks round-robin, at most
prefetch_factor * num_workers outstanding, and results are handed out in task order.
"""
import itertools
import math
import multiprocessing as python_multiprocessing
import os
import pickle
import queue
import typing
import warnings

import faketorch as torch

from . import _utils
from ._utils.pin_memory import pin_memory as _pin_batch
from ._utils import ExceptionWrapper
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, _fresh_seed, _T_co

__all__ = ['DataLoader', 'get_worker_info', 'default_collate', 'default_convert']

default_collate = _utils.collate.default_collate
default_convert = _utils.collate.default_convert
get_worker_info = _utils.worker.get_worker_info


class _DatasetKind:
    Map = 0
    Iterable = 1

    @staticmethod
    def create_fetcher(kind, dataset, auto_collation, collate_fn, drop_last):
        if kind == _DatasetKind.Map:
            return _utils.fetch._MapDatasetFetcher(dataset, auto_collation, collate_fn, drop_last)
        return _utils.fetch._IterableDatasetFetcher(dataset, auto_collation, collate_fn, drop_last)


class _InfiniteConstantSampler(Sampler):
    """The 'sampler' of an IterableDataset: None forever (the dataset decides when to stop)."""

    def __iter__(self):
        while True:
            yield None


def _cpu_count():
    if hasattr(os, 'sched_getaffinity'):
        try:
            return len(os.sched_getaffinity(0))
        except OSError:
            pass
    return os.cpu_count()


class DataLoader(typing.Generic[_T_co]):
    """Iterate over ``dataset`` in batches. See torch.utils.data.DataLoader for the arguments."""

    __initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None,
                 persistent_workers=False, pin_memory_device='', in_order=True):
        if num_workers < 0:
            raise ValueError('num_workers option should be non-negative; use num_workers=0 to disable '
                             'multiprocessing.')
        if timeout < 0:
            raise ValueError('timeout option should be non-negative')
        if num_workers == 0 and prefetch_factor is not None:
            # torch's message has no space after "multiprocessing."; kept.
            raise ValueError('prefetch_factor option could only be specified in multiprocessing.let '
                             'num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.')
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError('prefetch_factor option should be non-negative')
        if persistent_workers and num_workers == 0:
            raise ValueError('persistent_workers option needs num_workers > 0')

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _DatasetKind.Iterable
            if shuffle not in {False, None}:
                raise ValueError(f'DataLoader with IterableDataset: expected unspecified shuffle option, but got '
                                 f'shuffle={shuffle}')
            if sampler is not None:
                raise ValueError(f'DataLoader with IterableDataset: expected unspecified sampler option, but got '
                                 f'sampler={sampler}')
            if batch_sampler is not None:
                raise ValueError(f'DataLoader with IterableDataset: expected unspecified batch_sampler option, '
                                 f'but got batch_sampler={batch_sampler}')
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = _DatasetKind.Map

        if sampler is not None and shuffle:
            raise ValueError('sampler option is mutually exclusive with shuffle')
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError('batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, '
                                 'and drop_last')
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError('batch_size=None option disables auto-batching and is mutually exclusive with '
                             'drop_last')

        if sampler is None:
            if self._dataset_kind == _DatasetKind.Iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self.__initialized = True
        self._IterableDataset_len_called = None    # len(loader) on an IterableDataset, to warn on overrun
        self._iterator = None
        self.check_worker_number_rationality()

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        self.check_worker_number_rationality()
        return _MultiProcessingDataLoaderIter(self)

    @property
    def multiprocessing_context(self):
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, ctx):
        if ctx is not None:
            if self.num_workers <= 0:
                raise ValueError(f'multiprocessing_context can only be used with multi-process loading '
                                 f'(num_workers > 0), but got num_workers={self.num_workers}')
            if isinstance(ctx, str):
                methods = python_multiprocessing.get_all_start_methods()
                if ctx not in methods:
                    raise ValueError(f'multiprocessing_context option should specify a valid start method in '
                                     f'{methods!r}, but got multiprocessing_context={ctx!r}')
                ctx = python_multiprocessing.get_context(ctx)
            if not isinstance(ctx, python_multiprocessing.context.BaseContext):
                raise TypeError(f'multiprocessing_context option should be a valid context object or a string '
                                f'specifying the start method, but got multiprocessing_context={ctx}')
        self.__multiprocessing_context = ctx

    def __setattr__(self, attr, val):
        if self.__initialized and attr in ('batch_size', 'batch_sampler', 'sampler', 'drop_last', 'dataset',
                                           'persistent_workers'):
            raise ValueError(f'{attr} attribute should not be set after {self.__class__.__name__} is initialized')
        super().__setattr__(attr, val)

    def __iter__(self):
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self):
        if self._dataset_kind == _DatasetKind.Iterable:
            # the dataset's own length (if it has one), remembered to warn when more samples come
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)

    def check_worker_number_rationality(self):
        if not self.num_workers:
            return
        suggest = _cpu_count()
        if suggest is not None and self.num_workers <= suggest:
            return
        if suggest is not None:
            cpuset = '' if hasattr(os, 'sched_getaffinity') else ' (`cpuset` is not taken into account)'
            advice = (f'Our suggested max number of worker in current system is {suggest}{cpuset}, which is '
                      'smaller than what this DataLoader is going to create.')
        else:
            advice = 'DataLoader is not able to compute a suggested max number of worker in current system.'
        warnings.warn(f'This DataLoader will create {self.num_workers} worker processes in total. {advice} '
                      'Please be aware that excessive worker creation might get DataLoader running slow or even '
                      'freeze, lower the worker number to avoid potential slowness/freeze if necessary.',
                      stacklevel=2)


class _BaseDataLoaderIter:
    def __init__(self, loader):
        self._dataset = loader.dataset
        self._shared_seed = None
        self._dataset_kind = loader._dataset_kind
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._world_size, self._rank = 1, 0
        if loader.pin_memory and loader.pin_memory_device:
            warnings.warn('pin_memory_device is deprecated, the current accelerator will be used as the '
                          f"device,ignore pin_memory_device='{loader.pin_memory_device}'.", stacklevel=2)
        if loader.pin_memory and not _accelerator_available():
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then device "
                          "pinned memory won't be used.", stacklevel=2)
        # with an accelerator torch pins each batch: a copy here, and torch's error for a CUDA tensor
        self._pin_memory = bool(loader.pin_memory) and _accelerator_available()
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._sampler_iter = iter(self._index_sampler)
        # drawn now, before the sampler's first draw: keeps a seeded run on torch's stream
        self._base_seed = _fresh_seed(loader.generator)
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self):
        return self

    def _reset(self, loader, first_iter=False):
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)

    def _next_data(self):
        raise NotImplementedError

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if (self._dataset_kind == _DatasetKind.Iterable and self._IterableDataset_len_called is not None
                and self._num_yielded > self._IterableDataset_len_called):
            msg = (f'Length of IterableDataset {self._dataset} was reported to be '
                   f'{self._IterableDataset_len_called}(when accessing len(dataloader)), but '
                   f'{self._num_yielded} samples have been fetched. ')
            if self._num_workers > 0:
                msg += ('For multiprocessing data-loading, this could be caused by not properly configuring the '
                        'IterableDataset replica at each worker. Please see '
                        'https://pytorch.org/docs/stable/data.html#torch.utils.data.IterableDataset for examples.')
            warnings.warn(msg, stacklevel=2)
        return data

    def __len__(self):
        return len(self._index_sampler)

    def __getstate__(self):
        # torch passes the name as a second exception argument instead of formatting it; kept.
        raise NotImplementedError('{} cannot be pickled', self.__class__.__name__)


def _queue_finalized(q):
    """Has the garbage collector already closed this queue's feeder thread? Happens when the
    iterator dies in a reference cycle (e.g. held by an exception's traceback): the queues'
    finalizers then run before our __del__, and whatever we put is never sent."""
    close = getattr(q, '_close', None)
    return close is not None and hasattr(close, 'still_active') and not close.still_active()


def _accelerator_available():
    try:
        return bool(torch.cuda.is_available())
    except Exception:
        return False


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader):
        super().__init__(loader)
        if self._timeout != 0:
            raise AssertionError('_SingleProcessDataLoaderIter requires timeout == 0')
        if self._num_workers != 0:
            raise AssertionError('_SingleProcessDataLoaderIter requires num_workers == 0')
        self._dataset_fetcher = _DatasetKind.create_fetcher(self._dataset_kind, self._dataset,
                                                            self._auto_collation, self._collate_fn,
                                                            self._drop_last)

    def _next_data(self):
        data = self._dataset_fetcher.fetch(next(self._sampler_iter))
        if self._pin_memory:
            data = _pin_batch(data)
        return data


_DEAD_WORKER_POLL = 1.0


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """Workers fetch whole batches; each gets tasks through its own index queue and all answer on
    one result queue. Tasks are numbered; out-of-order results wait in _task_info until their
    turn (unless in_order=False)."""

    def __init__(self, loader):
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        if self._num_workers <= 0:
            raise AssertionError('num_workers must be greater than 0 for MultiProcessingDataLoaderIter')
        if self._prefetch_factor <= 0:
            raise AssertionError('prefetch_factor must be greater than 0 for MultiProcessingDataLoaderIter')
        ctx = loader.multiprocessing_context or python_multiprocessing
        self._owner_pid = os.getpid()
        self._worker_init_fn = loader.worker_init_fn
        self._worker_result_queue = ctx.Queue()
        self._worker_pids_set = False
        self._shutdown = False
        self._workers_done_event = ctx.Event()
        self._index_queues = []
        self._workers = []
        self._workers_status = [True] * self._num_workers     # for a shutdown before _reset
        for i in range(self._num_workers):
            index_queue = ctx.Queue()
            index_queue.cancel_join_thread()    # never block exit on indices a dead worker won't read
            w = ctx.Process(target=_utils.worker._worker_loop,
                            args=(self._dataset_kind, self._dataset, index_queue, self._worker_result_queue,
                                  self._workers_done_event, self._auto_collation, self._collate_fn,
                                  self._drop_last, self._base_seed, self._worker_init_fn, i, self._num_workers,
                                  self._persistent_workers, self._shared_seed))
            w.daemon = True
            try:
                w.start()
            except (TypeError, AttributeError, pickle.PicklingError):
                warnings.warn(
                    'Got pickle error when attempting to start a worker Process. This might be because the '
                    'worker Process arguments are not picklable. Python 3.14+ changed the multiprocessing start '
                    "method in non-Mac POSIX platforms to 'forkserver', which requires the worker Process "
                    "arguments to be picklable. You can also try multiprocessing.set_start_method('fork').",
                    stacklevel=2)
                raise
            self._index_queues.append(index_queue)
            self._workers.append(w)
        self._data_queue = self._worker_result_queue
        _utils.signal_handling._set_worker_pids(id(self), tuple(w.pid for w in self._workers))
        _utils.signal_handling._set_SIGCHLD_handler()
        self._worker_pids_set = True
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        self._send_idx = 0              # number of the next task to send
        self._rcvd_idx = 0              # number of the next task to hand out
        self._task_info = {}            # task -> (worker,) while pending, (worker, data) once arrived
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers
        self._workers_num_tasks = [0] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            # persistent workers: start a new epoch and wait until every worker acknowledged it
            for q in self._index_queues:
                q.put(_utils.worker._ResumeIteration(self._shared_seed))
            pending = self._num_workers
            while pending > 0:
                return_idx, return_data = self._get_data()
                if isinstance(return_idx, _utils.worker._ResumeIteration):
                    if return_data is not None:
                        raise AssertionError('Expected return_data to be None when resuming iteration')
                    pending -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_get_data(self, timeout=_utils.MP_STATUS_CHECK_INTERVAL):
        try:
            return True, self._data_queue.get(timeout=timeout)
        except Exception as e:
            cause = e
            if isinstance(e, queue.Empty):
                # SIGCHLD may have gone to another thread, leaving the handler unrun: ask directly
                # (before is_alive() reaps the worker) so the error carries the worker's fate
                try:
                    _utils.signal_handling._error_if_any_worker_fails()
                except RuntimeError as detail:
                    cause = detail
            failed = []
            for worker_id, w in enumerate(self._workers):
                if self._workers_status[worker_id] and not w.is_alive():
                    failed.append(w)
                    self._mark_worker_as_unavailable(worker_id)
            if failed:
                pids = ', '.join(str(w.pid) for w in failed)
                raise RuntimeError(f'DataLoader worker (pid(s) {pids}) exited unexpectedly') from cause
            if isinstance(e, queue.Empty):
                return False, None
            raise

    def _get_data(self):
        if self._timeout > 0:
            ok, data = self._try_get_data(self._timeout)
            if ok:
                return data
            raise RuntimeError(f'DataLoader timed out after {self._timeout} seconds')
        while True:
            # check on the workers every second rather than torch's 5 s: the SIGCHLD handler only
            # interrupts this wait when the signal reaches the main thread
            ok, data = self._try_get_data(_DEAD_WORKER_POLL)
            if ok:
                return data

    def _next_data(self):
        while True:
            # skip tasks whose worker has stopped (an exhausted IterableDataset copy) without data
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info:
                    if len(info) == 2 or self._workers_status[info[0]]:
                        break
                    del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            if len(self._task_info[self._rcvd_idx]) == 2:     # arrived earlier, out of order
                worker_id, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)
            if self._shutdown or self._tasks_outstanding <= 0:
                raise AssertionError('Invalid iterator state: shutdown or no outstanding tasks when fetching '
                                     'next data')
            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if self._dataset_kind == _DatasetKind.Iterable and \
                    isinstance(data, _utils.worker._IterableDatasetStopIteration):
                if self._persistent_workers:
                    self._workers_status[data.worker_id] = False
                else:
                    self._mark_worker_as_unavailable(data.worker_id)
                self._try_put_index()
                continue
            if idx != self._rcvd_idx:
                if not self._in_order:
                    return self._process_data(data, self._task_info.pop(idx)[0])
                self._task_info[idx] += (data,)
            else:
                worker_id = self._task_info.pop(idx)[0]
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

    def _try_put_index(self):
        max_tasks = self._prefetch_factor * self._num_workers
        if self._tasks_outstanding >= max_tasks:
            raise AssertionError('Number of outstanding tasks exceeded maximum allowed tasks')
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):      # the next active worker, round-robin
            worker_queue_idx = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_queue_idx]:
                if self._in_order:
                    break
                if self._workers_num_tasks[worker_queue_idx] < max_tasks // sum(self._workers_status):
                    break
        else:
            return
        self._index_queues[worker_queue_idx].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_queue_idx,)
        self._workers_num_tasks[worker_queue_idx] += 1
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _process_data(self, data, worker_idx):
        self._workers_num_tasks[worker_idx] -= 1
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def _mark_worker_as_unavailable(self, worker_id, shutdown=False):
        # the worker exits when it reads None; its queued tasks are skipped by _next_data
        if not self._workers_status[worker_id] and not self._persistent_workers and not shutdown:
            raise AssertionError('Worker status inconsistent when marking worker as unavailable')
        self._index_queues[worker_id].put(None)
        self._workers_status[worker_id] = False
        if self._workers_done_event.is_set() != shutdown:
            raise AssertionError('_workers_done_event state does not match shutdown flag')

    def _shutdown_workers(self):
        # at interpreter exit module globals may already be None: multiprocessing's own exit
        # handler terminates the (daemonic) workers then
        if _utils is None or _utils.python_exit_status is True or _utils.python_exit_status is None:
            return
        if self._shutdown:
            return
        self._shutdown = True
        try:
            self._workers_done_event.set()
            for worker_id in range(len(self._workers)):
                if self._persistent_workers or self._workers_status[worker_id]:
                    self._mark_worker_as_unavailable(worker_id, shutdown=True)
            for w, q in zip(self._workers, self._index_queues):
                if not _queue_finalized(q):     # else the None never reaches it: terminated below
                    w.join(timeout=_utils.MP_STATUS_CHECK_INTERVAL)
            for q in self._index_queues:
                q.cancel_join_thread()
                q.close()
        finally:
            if self._worker_pids_set:
                _utils.signal_handling._remove_worker_pids(id(self))
                self._worker_pids_set = False
            for w in self._workers:
                if w.is_alive():
                    w.terminate()
                    w.join(timeout=_utils.MP_STATUS_CHECK_INTERVAL)

    def __del__(self):
        # a forked worker may inherit (and collect) an iterator of its parent: not its to stop
        if getattr(self, '_owner_pid', None) == os.getpid():
            self._shutdown_workers()
