"""torch.multiprocessing: Python's multiprocessing, plus spawn() and the sharing-strategy switches.

The standard library's machinery does the work; its names are forwarded lazily (module __getattr__).
Tensors pickle by value, except those in shared memory (share_memory_), which other processes reach
through their shared file (the reductions at the end).
"""
import sys

__all__ = ['set_sharing_strategy', 'get_sharing_strategy', 'get_all_sharing_strategies', 'spawn',
           'start_processes', 'ProcessContext', 'SpawnContext', 'ProcessException', 'ProcessRaisedException',
           'ProcessExitedException', 'Array', 'AuthenticationError', 'Barrier', 'BoundedSemaphore',
           'BufferTooShort', 'Condition', 'Event', 'JoinableQueue', 'Lock', 'Manager', 'Pipe', 'Pool', 'Process',
           'ProcessError', 'Queue', 'RLock', 'RawArray', 'RawValue', 'Semaphore', 'SimpleQueue', 'TimeoutError',
           'Value', 'active_children', 'allow_connection_pickling', 'cpu_count', 'current_process',
           'freeze_support', 'get_all_start_methods', 'get_context', 'get_logger', 'get_start_method',
           'log_to_stderr', 'parent_process', 'reducer', 'set_executable', 'set_forkserver_preload',
           'set_start_method']

_STRATEGIES = {'file_system'} if sys.platform == 'darwin' else {'file_descriptor', 'file_system'}
_strategy = ['file_system' if sys.platform == 'darwin' else 'file_descriptor']


def __getattr__(name):
    import multiprocessing
    if name in __all__ and hasattr(multiprocessing, name):
        return getattr(multiprocessing, name)
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")


def get_all_sharing_strategies():
    return set(_STRATEGIES)


def get_sharing_strategy():
    return _strategy[0]


def set_sharing_strategy(new_strategy):
    """Remembered only: shared tensors always travel as file descriptors (torch's file_descriptor)."""
    if new_strategy not in _STRATEGIES:
        raise AssertionError(f'invalid sharing strategy {new_strategy!r}, expected one of {_STRATEGIES}')
    _strategy[0] = new_strategy


class ProcessException(Exception):
    def __init__(self, msg, error_index, error_pid):
        super().__init__(msg)
        self.msg, self.error_index, self.error_pid = msg, error_index, error_pid

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.error_pid)


class ProcessRaisedException(ProcessException):
    """A spawned process raised; the message carries its traceback."""


class ProcessExitedException(ProcessException):
    """A spawned process died from a signal or exited with a non-zero code."""

    def __init__(self, msg, error_index, error_pid, exit_code, signal_name=None):
        super().__init__(msg, error_index, error_pid)
        self.exit_code, self.signal_name = exit_code, signal_name

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.error_pid, self.exit_code, self.signal_name)


def _wrap(fn, i, args, error_file):
    try:
        fn(i, *args)
    except KeyboardInterrupt:
        pass
    except Exception:
        import traceback
        with open(error_file, 'w') as f:
            f.write(traceback.format_exc())
        sys.exit(1)


class ProcessContext:
    def __init__(self, processes, error_files):
        self.processes, self.error_files = processes, error_files

    def pids(self):
        return [p.pid for p in self.processes]

    def join(self, timeout=None, grace_period=None):
        """Wait for the processes; True once all have exited cleanly. On the first failure the
        others are terminated and the failure is raised, as torch does."""
        import multiprocessing.connection
        import os
        import signal
        alive = {p.sentinel: i for i, p in enumerate(self.processes) if p.exitcode is None}
        while alive:
            ready = multiprocessing.connection.wait(list(alive), timeout=timeout)
            if not ready:
                return False
            for s in ready:
                i = alive.pop(s)
                p = self.processes[i]
                p.join()
                if p.exitcode == 0:
                    continue
                for other in self.processes:
                    if other.is_alive():
                        other.terminate()
                    other.join()
                if os.path.exists(self.error_files[i]):
                    with open(self.error_files[i]) as f:
                        trace = f.read()
                    raise ProcessRaisedException(
                        f'\n\n-- Process {i:d} terminated with the following error:\n{trace}', i, p.pid)
                if p.exitcode < 0:
                    try:
                        name = signal.Signals(-p.exitcode).name
                    except ValueError:
                        name = f'<Unknown signal {-p.exitcode}>'
                    raise ProcessExitedException(f'process {i:d} terminated with signal {name}', i, p.pid,
                                                 p.exitcode, name)
                raise ProcessExitedException(f'process {i:d} terminated with exit code {p.exitcode:d}', i, p.pid,
                                             p.exitcode)
        return True


SpawnContext = ProcessContext


def start_processes(fn, args=(), nprocs=1, join=True, daemon=False, start_method='spawn'):
    """Run fn(i, *args) for i in range(nprocs), each in its own process."""
    import multiprocessing
    import os
    import tempfile
    ctx = multiprocessing.get_context(start_method)
    processes, error_files = [], []
    for i in range(nprocs):
        fd, error_file = tempfile.mkstemp(prefix='faketorch_spawn_')
        os.close(fd)
        os.unlink(error_file)      # its existence tells that the child raised
        p = ctx.Process(target=_wrap, args=(fn, i, args, error_file), daemon=daemon)
        p.start()
        processes.append(p)
        error_files.append(error_file)
    context = ProcessContext(processes, error_files)
    if not join:
        return context
    try:
        while not context.join():
            pass
    finally:
        for f in error_files:
            if os.path.exists(f):
                os.unlink(f)


def spawn(fn, args=(), nprocs=1, join=True, daemon=False, start_method='spawn'):
    """Spawn nprocs processes running fn(i, *args); fn must be picklable (defined at module top level)."""
    if start_method != 'spawn':
        import warnings
        warnings.warn(f'This method only supports start_method=spawn (got: {start_method}).\n'
                      'To use a different start_method use:\n\t\t torch.multiprocessing.start_processes(...)',
                      FutureWarning, stacklevel=2)
    return start_processes(fn, args, nprocs, join, daemon, start_method='spawn')


# Tensors in shared memory (share_memory_, Module.share_memory) travel to other processes as their
# shared file's descriptor, as torch's reductions send them; every other tensor pickles by value.
def _reduce_tensor(t):
    from .storage import _shared_file
    f = _shared_file(t)
    if f is None:
        return t.__reduce_ex__(4)
    import numpy
    from multiprocessing.reduction import DupFd
    a = t._data
    offset = a.__array_interface__['data'][0] - numpy.frombuffer(f.map, numpy.uint8).__array_interface__['data'][0]
    return _rebuild_shared, (type(t), DupFd(f.fd), f.nbytes, t.dtype.name, a.dtype.str, a.shape, a.strides, offset,
                             t.requires_grad)


def _rebuild_shared(cls, dup_fd, nbytes, dtype, np_dtype, shape, strides, offset, requires_grad):
    import numpy
    from . import _dtype as D
    from ._tensor import _make
    from .storage import _SharedFile
    f = _SharedFile(dup_fd.detach(), nbytes)
    t = _make(f.array(numpy.dtype(np_dtype), shape, strides, offset), D._by_name(dtype))
    t._vc.append(f)
    if cls is not type(t):
        return cls(t, requires_grad)        # a Parameter
    t._requires_grad = requires_grad
    return t


def _init_reductions():
    from multiprocessing.reduction import ForkingPickler
    from ._tensor import Tensor
    from .nn.parameter import Parameter
    for cls in (Tensor, Parameter):
        ForkingPickler.register(cls, _reduce_tensor)


_init_reductions()
