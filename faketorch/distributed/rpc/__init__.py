"""torch.distributed.rpc between the processes of one machine: init_rpc joins the workers through a
TCPStore at MASTER_ADDR:MASTER_PORT (rank 0 hosts it); each worker serves calls from a thread on
its own socket. A call is pickled (functions and classes by reference, as torch does), run on the
callee, and its result or exception pickled back; `remote` keeps the result on the callee, which
owns it, and returns an RRef to it."""
import datetime
import importlib
import io
import itertools
import os
import pickle
import socket
import struct
import threading
import traceback
import types
from concurrent.futures import ThreadPoolExecutor

from ..._tensor import Tensor as _Tensor
from ...nn.parameter import Parameter as _Parameter
from .. import autograd as _dist_autograd

__all__ = ['init_rpc', 'shutdown', 'rpc_sync', 'rpc_async', 'remote', 'get_worker_info', 'RRef', 'PyRRef',
           'WorkerInfo', 'TensorPipeRpcBackendOptions', 'RpcBackendOptions', 'BackendType', 'is_available',
           'functions']

_DEFAULT_RPC_TIMEOUT_SEC = 60.0
_UNSET_RPC_TIMEOUT = -1.0


def is_available():
    return True


class BackendType:
    TENSORPIPE = 'TENSORPIPE'


class RpcBackendOptions:
    def __init__(self, rpc_timeout=_DEFAULT_RPC_TIMEOUT_SEC, init_method='env://'):
        self.rpc_timeout = float(rpc_timeout)
        self.init_method = init_method


class TensorPipeRpcBackendOptions(RpcBackendOptions):
    def __init__(self, *, num_worker_threads=16, rpc_timeout=_DEFAULT_RPC_TIMEOUT_SEC, init_method='env://',
                 device_maps=None, devices=None, _transports=None, _channels=None):
        super().__init__(rpc_timeout, init_method)
        self.num_worker_threads = num_worker_threads
        self.device_maps = dict(device_maps or {})
        self.devices = list(devices or [])

    def set_device_map(self, to, device_map):
        self.device_maps[to] = dict(device_map)

    def set_devices(self, devices):
        self.devices = list(devices)


class WorkerInfo:
    def __init__(self, name, id):
        self.name, self.id = name, id

    def __repr__(self):
        return f'WorkerInfo(id={self.id}, name={self.name})'

    def __eq__(self, other):
        return isinstance(other, WorkerInfo) and (self.name, self.id) == (other.name, other.id)

    def __hash__(self):
        return hash((self.name, self.id))

    def __reduce__(self):
        return WorkerInfo, (self.name, self.id)


# ------------------------------------------------------------------ the wire: length-prefixed pickles
def _torch_ns(namespace):
    return _Tensor if namespace == 'faketorch.Tensor' else importlib.import_module(namespace)


def _torch_attr(namespace, name):
    return getattr(_torch_ns(namespace), name)


# where a torch function built inside a factory (qualname with <locals>) is found by name: torch's
# RPC sends builtin ops by name too
_NAMESPACES = ('faketorch', 'faketorch.nn.functional', 'faketorch.Tensor', 'faketorch.special', 'faketorch.linalg',
               'faketorch.fft')


class _Pickler(pickle.Pickler):
    """Inside a distributed autograd context, a tensor that requires grad travels as its values plus
    the send id its gradient will come back to (torch.distributed.autograd)."""

    def __init__(self, file, to):
        super().__init__(file)
        self.to = to

    def reducer_override(self, obj):
        if type(obj) is types.FunctionType and '<locals>' in obj.__qualname__:
            for ns in _NAMESPACES:
                if getattr(_torch_ns(ns), obj.__name__, None) is obj:
                    return _torch_attr, (ns, obj.__name__)
        return NotImplemented

    def persistent_id(self, obj):
        if isinstance(obj, _Tensor):
            sid = _dist_autograd._send_id(obj, self.to)
            if sid is not None:
                return (obj.detach(),) + sid
            if isinstance(obj, _Parameter):     # torch's RPC sends a Parameter's data as a plain tensor
                return (obj.detach(), obj.requires_grad)
        return None


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid):
        if len(pid) == 2:
            return pid[0].requires_grad_(pid[1])
        return _dist_autograd._received(*pid)


def _send(sock, obj, to=None):
    buf = io.BytesIO()
    _Pickler(buf, to).dump(obj)
    data = buf.getvalue()
    sock.sendall(struct.pack('>Q', len(data)) + data)


def _recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError('RPC peer closed the connection')
        buf += chunk
    return bytes(buf)


def _recv(sock):
    n, = struct.unpack('>Q', _recv_exact(sock, 8))
    return _Unpickler(io.BytesIO(_recv_exact(sock, n))).load()


class _Failed:
    """What an RRef owns when the function that was to make its value raised."""

    def __init__(self, error):
        self.error = error


class _Agent:
    """This worker's server thread, its owned RRef values and the table of workers."""

    def __init__(self, name, rank, world_size, options):
        from .._store import TCPStore
        self.name, self.rank, self.world_size, self.options = name, rank, world_size, options
        host = os.environ.get('MASTER_ADDR', '127.0.0.1')
        if options.init_method.startswith('tcp://'):
            host, port = options.init_method[6:].rsplit(':', 1)
        else:
            if 'MASTER_PORT' not in os.environ:
                raise ValueError("Error initializing torch.distributed using env:// rendezvous: environment "
                                 "variable MASTER_PORT expected, but not set")
            port = os.environ['MASTER_PORT']
        self.store = TCPStore(host, int(port), world_size, rank == 0,
                              timeout=datetime.timedelta(seconds=max(options.rpc_timeout, 60)))
        self.server = socket.socket()
        self.server.bind(('127.0.0.1', 0))
        self.server.listen(64)
        self.pool = ThreadPoolExecutor(max(2, getattr(options, 'num_worker_threads', 16)))
        self.owned, self.ids = {}, itertools.count()
        self.store.set(f'rpc/worker/{rank}', f'{name}:{self.server.getsockname()[1]}')
        self.workers, self.ports = {}, {}
        for r in range(world_size):
            wname, wport = self.store.get(f'rpc/worker/{r}').decode().rsplit(':', 1)
            self.workers[wname] = WorkerInfo(wname, r)
            self.ports[wname] = int(wport)
        self.running = True

    def start(self):
        """Serve calls: only once init_rpc has set this agent up (a call may need it); callers that came
        earlier wait in the socket's backlog."""
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.pool.submit(self._handle, conn)

    def _handle(self, conn):
        with conn:
            try:
                kind, payload, context_id, sender = _recv(conn)
            except Exception:
                return
            with _dist_autograd._scope(context_id):     # the callee runs in the caller's autograd context
                try:
                    reply = ('ok', self._run(kind, payload))
                except Exception as e:
                    me = self.workers[self.name]
                    # torch re-raises the callee's exception type with its repr and traceback in the message
                    reply = ('err', type(e), f'{type(e).__name__}: On {me!r}:\n{e!r}\n{traceback.format_exc()}')
                try:
                    _send(conn, reply, sender)
                except Exception as e:      # an unpicklable result
                    _send(conn, ('err', type(e), f'On {self.workers[self.name]!r}:\n{e!r}'))

    def _run(self, kind, payload):
        if kind == 'call':
            func, args, kwargs = payload
            result = func(*args, **kwargs)
            return result.wait() if getattr(func, '_wrapped_async_rpc_function', None) else result
        if kind == 'remote':
            func, args, kwargs, rref_id = payload
            try:
                self.owned[rref_id] = func(*args, **kwargs)
            except Exception as e:      # torch's remote() does not raise: the RRef's users do
                self.owned[rref_id] = _Failed(e)
            return None
        if kind == 'fetch':
            return self._value(payload)
        if kind == 'method':
            rref_id, name, args, kwargs = payload
            return getattr(self._value(rref_id), name)(*args, **kwargs)
        if kind == 'dist_autograd':
            return _dist_autograd._handle(*payload)
        if kind == 'ping':
            return None
        raise RuntimeError(f'unknown RPC request {kind}')

    def _value(self, rref_id):
        value = self.owned[rref_id]
        if type(value) is _Failed:
            raise value.error
        return value

    def request(self, to, kind, payload, timeout=None):
        name = _name_of(to)
        if name not in self.ports:
            raise RuntimeError(f'Unknown destination worker {name}')
        timeout = self.options.rpc_timeout if timeout in (None, _UNSET_RPC_TIMEOUT) else timeout
        with socket.create_connection(('127.0.0.1', self.ports[name]), timeout=timeout or None) as sock:
            _send(sock, (kind, payload, _dist_autograd._current_id(), self.rank), self.workers[name].id)
            reply = _recv(sock)
        if reply[0] == 'err':
            raise reply[1](reply[2])
        return reply[1]

    def submit(self, to, kind, payload, timeout=None):
        from ...futures import Future
        fut = Future()
        context_id = _dist_autograd._current_id()

        def work():
            try:
                with _dist_autograd._scope(context_id):
                    fut.set_result(self.request(to, kind, payload, timeout))
            except Exception as e:
                fut.set_exception(e)
        self.pool.submit(work)
        return fut

    def close(self):
        self.running = False
        self.server.close()
        self.pool.shutdown(wait=False)


_agent = None


def _current():
    if _agent is None:
        raise RuntimeError('RPC has not been initialized. Call torch.distributed.rpc.init_rpc first.')
    return _agent


def _name_of(to):
    if isinstance(to, WorkerInfo):
        return to.name
    if isinstance(to, int):
        return next(n for n, w in _current().workers.items() if w.id == to)
    return to


# ------------------------------------------------------------------ the API
def init_rpc(name, backend=None, rank=-1, world_size=None, rpc_backend_options=None):
    global _agent
    if _agent is not None:
        raise RuntimeError('RPC is already initialized')
    if rank < 0 and 'RANK' in os.environ:
        rank = int(os.environ['RANK'])
    if world_size is None:
        world_size = int(os.environ['WORLD_SIZE'])
    _agent = _Agent(name, rank, world_size, rpc_backend_options or TensorPipeRpcBackendOptions())
    _dist_autograd._init(rank)
    _agent.start()


def shutdown(graceful=True, timeout=0):
    """With graceful, waits until every worker has called shutdown, so no call to this one is left."""
    global _agent
    agent = _current()
    if graceful:
        agent.store.add('rpc/shutdown', 1)
        _wait_count(agent.store, 'rpc/shutdown', agent.world_size)
        agent.store.add('rpc/done', 1)
        if agent.rank == 0:          # it hosts the store: the others must be past their last use of it
            _wait_count(agent.store, 'rpc/done', agent.world_size)
    agent.close()
    _agent = None


def _wait_count(store, key, n):
    import time
    while store.add(key, 0) < n:
        time.sleep(0.005)


def get_worker_info(worker_name=None):
    agent = _current()
    return agent.workers[agent.name if worker_name is None else worker_name]


def rpc_sync(to, func, args=None, kwargs=None, timeout=_UNSET_RPC_TIMEOUT):
    return _current().request(to, 'call', (func, tuple(args or ()), dict(kwargs or {})), timeout)


def rpc_async(to, func, args=None, kwargs=None, timeout=_UNSET_RPC_TIMEOUT):
    return _current().submit(to, 'call', (func, tuple(args or ()), dict(kwargs or {})), timeout)


def remote(to, func, args=None, kwargs=None, timeout=_UNSET_RPC_TIMEOUT):
    agent = _current()
    owner = agent.workers[_name_of(to)]
    rref = PyRRef._remote(owner, (agent.rank, next(agent.ids)))
    if owner.name == agent.name:
        agent.owned[rref._id] = func(*(args or ()), **(kwargs or {}))
    else:
        agent.request(owner, 'remote', (func, tuple(args or ()), dict(kwargs or {}), rref._id), timeout)
    return rref


class _Proxy:
    """rref.rpc_sync() / rpc_async() / remote(): attribute calls run on the owner's object."""

    def __init__(self, rref, how, timeout):
        self._rref, self._how, self._timeout = rref, how, timeout

    def __getattr__(self, name):
        def call(*args, **kwargs):
            agent = _current()
            payload = (self._rref._id, name, args, kwargs)
            if self._how == 'sync':
                return agent.request(self._rref.owner(), 'method', payload, self._timeout)
            return agent.submit(self._rref.owner(), 'method', payload, self._timeout)
        return call


class PyRRef:
    """A reference to a value owned by one worker (here, or a remote one)."""

    def __init__(self, value, type_hint=None):
        agent = _current()
        self._owner = agent.workers[agent.name]
        self._id = (agent.rank, next(agent.ids))
        self._fork = None
        agent.owned[self._id] = value

    @classmethod
    def _remote(cls, owner, rref_id):
        r = cls.__new__(cls)
        r._owner, r._id = owner, rref_id
        r._fork = (rref_id[0], next(_current().ids))
        return r

    def __reduce__(self):
        return PyRRef._remote, (self._owner, self._id)

    def is_owner(self):
        return self._owner.name == _current().name

    def owner(self):
        return self._owner

    def owner_name(self):
        return self._owner.name

    def confirmed_by_owner(self):
        return True

    def local_value(self):
        if not self.is_owner():
            raise RuntimeError(f"Call it on {self._owner.name}, as it is the owner of this RRef "
                               f"(RRefId = GloballyUniqueId(created_on={self._id[0]}, local_id={self._id[1]})).")
        return _current().owned[self._id]

    def to_here(self, timeout=_UNSET_RPC_TIMEOUT):
        if self.is_owner():
            return _current().owned[self._id]
        return _current().request(self._owner, 'fetch', self._id, timeout)

    def rpc_sync(self, timeout=_UNSET_RPC_TIMEOUT):
        return _Proxy(self, 'sync', timeout)

    def rpc_async(self, timeout=_UNSET_RPC_TIMEOUT):
        return _Proxy(self, 'async', timeout)

    def __repr__(self):
        rid = f'GloballyUniqueId(created_on={self._id[0]}, local_id={self._id[1]})'
        if self.is_owner():
            return f'OwnerRRef({rid})'
        fork = f'GloballyUniqueId(created_on={self._fork[0]}, local_id={self._fork[1]})'
        return f'UserRRef(RRefId = {rid}, ForkId = {fork})'


RRef = PyRRef


from . import functions  # noqa: E402,F401
from . import api  # noqa: E402,F401  (torch.distributed.rpc.api)
