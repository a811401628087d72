"""Dead-worker detection: a SIGCHLD handler in the main process that raises torch's error when a
DataLoader worker exits with an error code or is killed by a signal (torch does this in C++)."""
import os
import signal
import threading

from . import IS_WINDOWS

_worker_pids = {}           # id(iterator) -> pids of its live workers
_SIGCHLD_handler_set = False


def _set_worker_pids(key, pids):
    if key in _worker_pids:
        raise RuntimeError('_set_worker_pids should be called only once for each _BaseDataLoaderIter.')
    _worker_pids[key] = set(pids)


def _remove_worker_pids(key):
    if _worker_pids.pop(key, None) is None:
        raise RuntimeError('Cannot find worker information for _BaseDataLoaderIter with id ' + str(key))


def _error_if_any_worker_fails():
    """Raise if a registered worker has died badly. WNOWAIT leaves the zombie to multiprocessing."""
    for pids in list(_worker_pids.values()):
        for pid in list(pids):
            try:
                info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                continue
            if info is None or info.si_pid == 0:
                continue
            if info.si_code == os.CLD_EXITED and info.si_status != 0:
                pids.clear()
                raise RuntimeError(
                    f'DataLoader worker (pid {pid}) exited unexpectedly with exit code {info.si_status}. '
                    'Details are lost due to multiprocessing. Rerunning with num_workers=0 may give better '
                    'error trace.')
            if info.si_code in (os.CLD_KILLED, os.CLD_DUMPED):
                msg = f'DataLoader worker (pid {pid}) is killed by signal: {signal.strsignal(info.si_status)}. '
                if info.si_status == signal.SIGBUS:
                    msg += ("It is possible that dataloader's workers are out of shared memory. "
                            'Please try to raise your shared memory limit.')
                pids.clear()
                raise RuntimeError(msg)


def _set_SIGCHLD_handler():
    """Install the handler once, chaining to any previous Python handler; main thread only."""
    global _SIGCHLD_handler_set
    if IS_WINDOWS or _SIGCHLD_handler_set:
        return
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGCHLD)
    if not callable(previous):
        previous = None

    def handler(signum, frame):
        from . import python_exit_status
        if not python_exit_status:      # at exit multiprocessing terminates the workers itself
            _error_if_any_worker_fails()
        if previous is not None:
            previous(signum, frame)

    signal.signal(signal.SIGCHLD, handler)
    _SIGCHLD_handler_set = True
