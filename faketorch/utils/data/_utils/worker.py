"""The loop a DataLoader worker process runs, and what it tells the dataset about itself."""
import gc
import os
import queue
import random
import signal
from dataclasses import dataclass

from .... import _xnp as np

from . import MP_STATUS_CHECK_INTERVAL, ExceptionWrapper


class ManagerWatchdog:
    """Tells a worker whether the process that started it is still there (POSIX: reparenting)."""

    def __init__(self):
        self.manager_pid = os.getppid()
        self.manager_dead = False

    def is_alive(self):
        if not self.manager_dead:
            self.manager_dead = os.getppid() != self.manager_pid
        return not self.manager_dead


_worker_info = None


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker: its id, the worker count, its seed and its
    own copy of the dataset (to shard an IterableDataset)."""
    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None
    worker_method: str = 'multiprocessing'


def get_worker_info():
    """The WorkerInfo of this DataLoader worker process, or None in the main process."""
    return _worker_info


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """Sent by a worker whose copy of an IterableDataset is exhausted."""
    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Sent to persistent workers at the start of a new epoch (echoed back as an acknowledgement)."""
    seed: object = None


def _generate_state(base_seed, worker_id):
    """The NumPy global seed torch gives worker ``worker_id``: four words of NumPy's SeedSequence
    over [worker_id, low 32 bits, high 32 bits, 0], which is exactly torch's hand-written mix."""
    entropy = [worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32, 0]
    return [int(w) for w in np.random.SeedSequence(entropy).generate_state(4)]


def _seed_worker(base_seed, worker_id):
    import faketorch
    seed = base_seed + worker_id
    random.seed(seed)
    faketorch.manual_seed(seed)
    np.random.seed(_generate_state(base_seed, worker_id))
    return seed


def _worker_loop(dataset_kind, dataset, index_queue, data_queue, done_event, auto_collation, collate_fn,
                 drop_last, base_seed, init_fn, worker_id, num_workers, persistent_workers, shared_seed):
    """Fetch batches for (task index, indices) pairs from ``index_queue`` until told to stop (None)."""
    from ..dataloader import _DatasetKind
    global _worker_info
    try:
        # Objects inherited through fork stay put: no copy-on-write from the collector, and no
        # __del__ of the parent's garbage (another DataLoader iterator, say) running in here.
        gc.freeze()
        if hasattr(signal, 'SIGCHLD'):  # a forked worker must not run the parent's SIGCHLD handler
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        import faketorch
        faketorch.set_num_threads(1)    # as torch: one thread per worker
        seed = _seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)

        init_exception = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            # reported with the first task, so that it surfaces in the main process's next()
            init_exception = ExceptionWrapper(where=f'in DataLoader worker process {worker_id}')

        iteration_end = False
        watchdog = ManagerWatchdog()
        while watchdog.is_alive():
            try:
                r = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                if done_event.is_set():
                    break   # the final None may never come if the main process lost its queues
                continue
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation, collate_fn, drop_last)
                continue
            if r is None:
                if not done_event.is_set() and not iteration_end:
                    raise AssertionError('Received final signal but neither done_event nor iteration_end is set')
                break
            if done_event.is_set() or iteration_end:
                continue    # shutting down, or a stream that ended: drain the queue until None
            idx, index = r
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as e:
                    if isinstance(e, StopIteration) and dataset_kind == _DatasetKind.Iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True    # nothing more will come from this worker's copy
                    else:
                        data = ExceptionWrapper(where=f'in DataLoader worker process {worker_id}')
            data_queue.put((idx, data))
            del data, idx, index, r     # drop the batch before blocking on the next task
    except KeyboardInterrupt:
        pass    # the main process gets the Ctrl-C too and handles it
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
