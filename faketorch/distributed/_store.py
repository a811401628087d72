"""Key-value stores of torch.distributed: HashStore (one process), FileStore (a file several
processes lock), TCPStore (a server thread in the master process, clients over sockets) and
PrefixStore. The process groups use a TCPStore's server as their rendezvous and as the hub their
collectives exchange tensors through."""
import atexit
import datetime
import fcntl
import os
import pickle
import socket
import socketserver
import struct
import threading
import time

_DEFAULT_TIMEOUT = datetime.timedelta(seconds=300)


class DistError(RuntimeError):
    pass


class DistBackendError(DistError):
    pass


class DistNetworkError(DistError):
    pass


class DistStoreError(DistError):
    pass


def _seconds(timeout):
    return timeout.total_seconds() if isinstance(timeout, datetime.timedelta) else float(timeout)


def _as_bytes(value):
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, (list, tuple)):    # torch also takes a list of byte values
        return bytes(value)
    raise TypeError(f'store values are str or bytes, got {type(value).__name__}')


class _KV:
    """The table every store keeps: a dict of bytes, and a condition to wait on keys."""

    def __init__(self):
        self.data = {}
        self.reads = {}            # key -> reads left before the key is dropped (hub traffic)
        self.cond = threading.Condition()

    def set(self, key, value):
        with self.cond:
            self.data[key] = value
            self.cond.notify_all()

    def put(self, key, value, readers):
        """A value for `readers` take()s, dropped after the last."""
        with self.cond:
            self.data[key] = value
            self.reads[key] = readers
            self.cond.notify_all()

    def _wait_for(self, keys, timeout):
        deadline = time.monotonic() + timeout
        while not all(k in self.data for k in keys):
            left = deadline - time.monotonic()
            if left <= 0:
                missing = [k for k in keys if k not in self.data]
                raise DistStoreError(f'wait timeout after {int(timeout * 1000)}ms, keys: '
                                             + ', '.join(missing))
            self.cond.wait(left)

    def get(self, key, timeout):
        with self.cond:
            self._wait_for([key], timeout)
            return self.data[key]

    def take(self, key, timeout):
        with self.cond:
            self._wait_for([key], timeout)
            value = self.data[key]
            self.reads[key] -= 1
            if self.reads[key] <= 0:
                del self.data[key], self.reads[key]
                self.cond.notify_all()
            return value

    def add(self, key, amount):
        with self.cond:
            value = int(self.data.get(key, b'0')) + int(amount)
            self.data[key] = str(value).encode()
            self.cond.notify_all()
            return value

    def wait(self, keys, timeout):
        with self.cond:
            self._wait_for(keys, timeout)

    def check(self, keys):
        with self.cond:
            return all(k in self.data for k in keys)

    def delete_key(self, key):
        with self.cond:
            self.reads.pop(key, None)
            return self.data.pop(key, None) is not None

    def num_keys(self):
        with self.cond:
            return len(self.data)

    def compare_set(self, key, expected, desired):
        with self.cond:
            current = self.data.get(key)
            if current is None and expected == b'' or current == expected:
                self.data[key] = desired
                self.cond.notify_all()
                return desired
            return expected if current is None else current


class Store:
    """Base class of the stores (torch.distributed.Store)."""

    def __init__(self):
        self._timeout = _DEFAULT_TIMEOUT

    @property
    def timeout(self):
        return self._timeout

    def set_timeout(self, timeout):
        self._timeout = timeout

    def _call(self, op, *args):
        raise NotImplementedError

    def set(self, key, value):
        self._call('set', key, _as_bytes(value))

    def get(self, key):
        return self._call('get', key, _seconds(self._timeout))

    def add(self, key, value):
        return self._call('add', key, value)

    def wait(self, keys, timeout=None):
        self._call('wait', list(keys), _seconds(self._timeout if timeout is None else timeout))

    def check(self, keys):
        return self._call('check', list(keys))

    def delete_key(self, key):
        return self._call('delete_key', key)

    def num_keys(self):
        return self._call('num_keys')

    def compare_set(self, key, expected_value, desired_value):
        return self._call('compare_set', key, _as_bytes(expected_value), _as_bytes(desired_value))

    def _put(self, key, value, readers):
        self._call('put', key, value, readers)

    def _take(self, key):
        return self._call('take', key, _seconds(self._timeout))


class HashStore(Store):
    """A store in this process's memory (threads share it)."""

    def __init__(self):
        super().__init__()
        self._kv = _KV()

    def _call(self, op, *args):
        return getattr(self._kv, op)(*args)


class FileStore(Store):
    """A store kept in a file that the processes lock while they read or change it."""

    def __init__(self, file_name, world_size=-1):
        super().__init__()
        self.path, self.world_size = file_name, world_size
        open(file_name, 'ab').close()

    def _locked(self, change):
        with open(self.path, 'r+b') as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                raw = f.read()
                table = pickle.loads(raw) if raw else {}
                result, changed = change(table)
                if changed:
                    f.seek(0)
                    f.truncate()
                    f.write(pickle.dumps(table))
                return result
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def _call(self, op, *args):
        if op in ('get', 'take', 'wait'):
            keys = args[0] if op == 'wait' else [args[0]]
            deadline = time.monotonic() + args[-1]
            while not self._locked(lambda t: (all(k in t for k in keys), False)):
                if time.monotonic() > deadline:
                    raise DistStoreError(f'Wait timeout for keys: {keys}')
                time.sleep(0.005)
            if op == 'wait':
                return None
            op = 'get' if op == 'get' else 'take'
        kv = _KV()

        def change(table):
            kv.data = table
            kv.reads = table.setdefault('\0reads', {})
            before = pickle.dumps(table)
            result = getattr(kv, op)(*args)
            return result, pickle.dumps(table) != before
        return self._locked(change)

    def num_keys(self):
        return self._locked(lambda t: (len([k for k in t if k != '\0reads']), False))


def _send(sock, obj):
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(struct.pack('!Q', len(data)) + data)


def _recv_exact(sock, n):
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        k = sock.recv_into(view[got:])
        if not k:
            raise ConnectionError('the store server closed the connection')
        got += k
    return bytes(buf)


def _recv(sock):
    (n,) = struct.unpack('!Q', _recv_exact(sock, 8))
    return pickle.loads(_recv_exact(sock, n))


class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock, kv = self.request, self.server.kv
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with kv.cond:
            self.server.clients += 1
        try:
            self._serve(sock, kv)
        finally:
            with kv.cond:
                self.server.clients -= 1
                kv.cond.notify_all()

    def _serve(self, sock, kv):
        while True:
            try:
                op, args = _recv(sock)
            except (ConnectionError, OSError, EOFError, struct.error):
                return
            try:
                reply = (True, getattr(kv, op)(*args))
            except Exception as e:     # sent back and raised in the client
                reply = (False, e)
            try:
                _send(sock, reply)
            except OSError:
                return


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class TCPStore(Store):
    """The master (is_master=True) serves the table from a thread; every instance, the master's
    included, talks to it over a socket."""

    def __init__(self, host_name, port, world_size=None, is_master=False, timeout=_DEFAULT_TIMEOUT,
                 wait_for_workers=True, multi_tenant=False, master_listen_fd=None, use_libuv=True):
        super().__init__()
        self._timeout = timeout
        self.host, self.port, self.world_size = host_name, port, world_size
        self.libuvBackend = use_libuv
        self._server = None
        if is_master:
            self._server = _Server(('' if host_name in ('', '0.0.0.0') else host_name, port), _Handler,
                                   bind_and_activate=False)
            self._server.kv = _KV()
            self._server.clients = 0
            try:
                self._server.server_bind()
                self._server.server_activate()
            except OSError as e:
                self._server.server_close()
                raise DistNetworkError(
                    f'The server socket has failed to listen on any local network address. port: {port}, '
                    f'useIpv6: false, code: -{e.errno}, name: {errno_name(e.errno)}, '
                    f'message: {os.strerror(e.errno)[:1].lower() + os.strerror(e.errno)[1:]}') from None  # libuv's wording
            self.port = self._server.server_address[1]
            threading.Thread(target=self._server.serve_forever, kwargs={'poll_interval': 0.1},
                             daemon=True).start()
            atexit.register(self._shutdown)
        self._lock = threading.Lock()
        self._sock = self._connect(_seconds(timeout))

    def _connect(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection((self.host or '127.0.0.1', self.port), timeout=5)
                sock.settimeout(None)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                return sock
            except OSError:
                if time.monotonic() > deadline:
                    raise DistNetworkError(
                        f'The client socket has timed out after {int(timeout * 1000)}ms while trying to connect '
                        f'to ({self.host}, {self.port}).') from None
                time.sleep(0.02)

    def _call(self, op, *args):
        with self._lock:
            _send(self._sock, (op, args))
            ok, value = _recv(self._sock)
        if not ok:
            raise value
        return value

    def _shutdown(self, wait=30.0):
        """Close this client; the master first waits (a bounded time) for the other clients to
        leave, as they may still read what it sent or exchange among themselves through it."""
        try:
            self._sock.close()
        except OSError:
            pass
        if self._server is not None:
            kv, deadline = self._server.kv, time.monotonic() + wait
            with kv.cond:
                while self._server.clients > 0 and time.monotonic() < deadline:
                    kv.cond.wait(0.05)
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def errno_name(code):
    import errno
    return errno.errorcode.get(code, 'UNKNOWN')


class PrefixStore(Store):
    """Every key of `store` seen through `prefix/`."""

    def __init__(self, prefix, store):
        super().__init__()
        self.prefix, self.underlying_store = prefix, store
        self._timeout = store.timeout

    def _key(self, key):
        return f'{self.prefix}/{key}'

    def _call(self, op, *args):
        if op in ('wait', 'check'):
            args = ([self._key(k) for k in args[0]],) + args[1:]
        elif op != 'num_keys':
            args = (self._key(args[0]),) + args[1:]
        return self.underlying_store._call(op, *args)
