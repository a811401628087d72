"""The restricted unpickler behind `torch.load(weights_only=True)`.

A small pickle virtual machine that knows only the opcodes `torch.save` emits (protocol 2),
resolves GLOBAL through an allow-list (never by importing), calls only allow-listed callables,
and appends/sets items only on real lists and dicts. Messages are torch's, word for word, since
users search for them. The allow-list maps torch's names to faketorch's objects, so files written
by real torch load without torch installed.
"""
import warnings
from _codecs import encode
from collections import Counter, OrderedDict
from pickle import UnpicklingError, decode_long
from struct import unpack
from sys import maxsize


# never allowed, even when a user allow-lists something from them
_blocklisted_modules = ['sys', 'os', 'posix', 'nt']

_marked_safe_globals_set = set()

# Python 2 names a protocol-2 pickle may carry: torch's own (smaller than _compat_pickle's) table,
# so the names in messages and allow-list keys are the ones torch shows
IMPORT_MAPPING = {'__builtin__': 'builtins', 'copy_reg': 'copyreg', 'Queue': 'queue', 'repr': 'reprlib',
                  '_abcoll': 'collections.abc', 'UserDict': 'collections', 'UserList': 'collections',
                  'UserString': 'collections', 'whichdb': 'dbm', 'StringIO': 'io', 'cStringIO': 'io'}
NAME_MAPPING = {
    ('__builtin__', 'xrange'): ('builtins', 'range'), ('__builtin__', 'reduce'): ('functools', 'reduce'),
    ('__builtin__', 'intern'): ('sys', 'intern'), ('__builtin__', 'unichr'): ('builtins', 'chr'),
    ('__builtin__', 'unicode'): ('builtins', 'str'), ('__builtin__', 'long'): ('builtins', 'int'),
    ('itertools', 'izip'): ('builtins', 'zip'), ('itertools', 'imap'): ('builtins', 'map'),
    ('itertools', 'ifilter'): ('builtins', 'filter'), ('itertools', 'ifilterfalse'): ('itertools', 'filterfalse'),
    ('itertools', 'izip_longest'): ('itertools', 'zip_longest'),
    ('UserDict', 'IterableUserDict'): ('collections', 'UserDict'), ('UserList', 'UserList'): ('collections', 'UserList'),
    ('UserString', 'UserString'): ('collections', 'UserString'), ('__builtin__', 'basestring'): ('builtins', 'str'),
    ('exceptions', 'StandardError'): ('builtins', 'Exception'), ('UserDict', 'UserDict'): ('collections', 'UserDict'),
}


def _add_safe_globals(safe_globals):
    global _marked_safe_globals_set
    _marked_safe_globals_set = _marked_safe_globals_set.union(set(safe_globals))


def _get_safe_globals():
    return list(_marked_safe_globals_set)


def _clear_safe_globals():
    global _marked_safe_globals_set
    _marked_safe_globals_set = set()


def _remove_safe_globals(globals_to_remove):
    global _marked_safe_globals_set
    _marked_safe_globals_set = _marked_safe_globals_set - set(globals_to_remove)


class _safe_globals:
    def __init__(self, safe_globals):
        self.safe_globals = safe_globals

    def __enter__(self):
        _add_safe_globals(self.safe_globals)

    def __exit__(self, type, value, tb):
        _remove_safe_globals(self.safe_globals)


def _get_user_allowed_globals():
    rc = {}
    for f in _marked_safe_globals_set:
        if isinstance(f, tuple):
            if len(f) != 2:
                raise ValueError(f"Expected tuple of length 2 (global, str of callable full path), "
                                 f"but got tuple of length: {len(f)}")
            if type(f[1]) is not str:
                raise TypeError(f"Expected second item in tuple to be str of callable full path, "
                                f"but got: {type(f[1])}")
            f, name = f
            rc[name] = f
        else:
            name = f"{f.__module__}.{f.__qualname__}"
            rc[name] = f
            # a faketorch class allow-listed by a torch script must match the torch name in files
            if name.startswith('faketorch.'):
                rc[name[4:]] = f
    return rc


_allowed = {}


def _get_allowed_globals():
    """torch's default allow-list, as torch names -> faketorch objects (built once, lazily)."""
    if not _allowed:
        from ._rebuild import torch_globals
        _allowed.update({
            'collections.OrderedDict': OrderedDict,
            'collections.Counter': Counter,
            '_codecs.encode': encode,          # bytes
            'builtins.bytearray': bytearray,
            'builtins.set': set,
            'builtins.complex': complex,
        })
        _allowed.update(torch_globals())
    return _allowed


def _read_global_instruction(readline):
    module = readline()[:-1].decode('utf-8')
    name = readline()[:-1].decode('utf-8')
    # protocol 2 pickles name Python 2 modules (__builtin__ ...)
    if (module, name) in NAME_MAPPING:
        module, name = NAME_MAPPING[(module, name)]
    elif module in IMPORT_MAPPING:
        module = IMPORT_MAPPING[module]
    return module, name


# opcodes that carry a fixed-size argument (or none), for the static scan of globals
_FIXED_ARG = {b'\x81'[0]: 0, b'R'[0]: 0, b'b'[0]: 0, b'a'[0]: 0, b'e'[0]: 0, b's'[0]: 0, b'u'[0]: 0,
              b'('[0]: 0, b't'[0]: 0, b'\x85'[0]: 0, b'\x86'[0]: 0, b'\x87'[0]: 0, b'N'[0]: 0,
              b'\x89'[0]: 0, b'\x88'[0]: 0, b')'[0]: 0, b']'[0]: 0, b'}'[0]: 0, b'\x8f'[0]: 0,
              b'Q'[0]: 0, b'J'[0]: 4, b'K'[0]: 1, b'M'[0]: 2, b'G'[0]: 8, b'h'[0]: 1, b'j'[0]: 4,
              b'q'[0]: 1, b'r'[0]: 4}


def get_globals_in_pkl(file):
    """Every GLOBAL a pickle names, found by scanning its opcodes (nothing is executed)."""
    found = set()
    read, readline = file.read, file.readline
    while True:
        key = read(1)
        if not key:
            raise EOFError
        op = key[0]
        if op == b'c'[0]:
            module, name = _read_global_instruction(readline)
            found.add(f'{module}.{name}')
        elif op in _FIXED_ARG:
            if _FIXED_ARG[op]:
                read(_FIXED_ARG[op])
        elif op == b'X'[0]:
            strlen = unpack('<I', read(4))[0]
            if strlen > maxsize:
                raise UnpicklingError('String is too long')
            read(strlen)
        elif op in (b'U'[0], b'\x8a'[0]):
            read(read(1)[0])
        elif op == b'\x80'[0]:
            read(1)
        elif op == b'.'[0]:
            return found
        else:
            raise UnpicklingError(f'Unsupported operand {op}')


def _unsupported_global_message(full_path):
    # torch shows builtins without their module: `eval`, not `builtins.eval`
    if full_path.startswith('builtins'):
        rest = full_path[len('builtins'):]
        full_path = rest[1:] if rest[:1] == '.' else 'builtins' + rest
    return (f"Unsupported global: GLOBAL {full_path} was not an allowed global by default. "
            f"Please use `torch.serialization.add_safe_globals([{full_path}])` or the "
            f"`torch.serialization.safe_globals([{full_path}])` context manager to allowlist this global "
            "if you trust this class/function.")


_NJT = ('torch.nested._internal.nested_tensor.NestedTensor', 'torch.nested._internal.nested_tensor._rebuild_njt',
        'torch._dynamo.decorators._DimRange')
_DTENSOR = ('torch.distributed.device_mesh.DeviceMesh', 'torch.distributed.tensor._dtensor_spec.DTensorSpec',
            'torch.distributed.tensor._dtensor_spec.TensorMeta', 'torch.distributed.tensor.DTensor',
            'torch.distributed.tensor.placement_types.Partial',
            'torch.distributed.tensor.placement_types.Replicate',
            'torch.distributed.tensor.placement_types.Shard')


class Unpickler:
    """Interprets one pickle with the restricted opcode set; `persistent_load` is set by the caller."""

    def __init__(self, file, *, encoding='bytes'):
        self.encoding = encoding
        self.readline = file.readline
        self.read = file.read
        self.memo = {}
        self.proto = -1

    def load(self):
        self.metastack = []
        self.stack = []
        read = self.read
        dispatch = _DISPATCH
        while True:
            key = read(1)
            if not key:
                raise EOFError
            f = dispatch.get(key[0])
            if f is None:
                raise UnpicklingError(f'Unsupported operand {key[0]}')
            if f is _stop:
                return self.stack.pop()
            f(self)

    def pop_mark(self):
        items = self.stack
        self.stack = self.metastack.pop()
        return items

    def persistent_load(self, pid):
        raise UnpicklingError('unsupported persistent id encountered')

    # --- the risky opcodes: globals, calls, object state ---
    def _global(self):
        module, name = _read_global_instruction(self.readline)
        full_path = f'{module}.{name}'
        if module in _blocklisted_modules:
            raise UnpicklingError(f'Trying to load unsupported GLOBAL {full_path} whose module {module} is blocked.')
        allowed = _get_allowed_globals()
        if full_path in allowed:
            self.stack.append(allowed[full_path])
            return
        user = _get_user_allowed_globals()
        if full_path in user:
            self.stack.append(user[full_path])
        elif full_path in _NJT:
            raise UnpicklingError('``torch.nested`` and ``torch._dynamo`` must be imported to load nested '
                                  'jagged tensors (NJTs)')
        elif full_path in _DTENSOR:
            raise UnpicklingError('``torch.distributed.tensor`` must be imported to load DTensors')
        else:
            raise UnpicklingError(_unsupported_global_message(full_path))

    def _is_allowed(self, obj):
        return obj in _get_allowed_globals().values() or obj in _get_user_allowed_globals().values()

    def _newobj(self):
        args = self.stack.pop()
        cls = self.stack.pop()
        from .nn.parameter import Parameter
        if cls is Parameter:
            self.stack.append(Parameter(*args))
        elif self._is_allowed(cls):
            self.stack.append(cls.__new__(cls, *args))
        else:
            raise UnpicklingError('Can only create new object for nn.Parameter or classes allowlisted '
                                  f'via `add_safe_globals` but got {cls}')

    def _reduce(self):
        args = self.stack.pop()
        func = self.stack[-1]
        if not self._is_allowed(func):
            msg = f'Trying to call reduce for unrecognized function {func}'
            if hasattr(func, '__self__'):
                msg += f' which belongs to {func.__self__}'
            raise UnpicklingError(msg)
        self.stack[-1] = func(*args)

    def _build(self):
        from ._tensor import Tensor
        from .nn.parameter import Parameter
        state = self.stack.pop()
        inst = self.stack[-1]
        t = type(inst)
        if t is Tensor:
            inst.set_(*state)
        elif t is Parameter:
            inst.__setstate__(state)
        elif t is OrderedDict:
            inst.__dict__.update(state)
        elif t in _get_user_allowed_globals().values() or t in _get_allowed_globals().values():
            if hasattr(inst, '__setstate__'):
                inst.__setstate__(state)
            else:
                slotstate = None
                if isinstance(state, tuple) and len(state) == 2:
                    state, slotstate = state
                if state:
                    inst.__dict__.update(state)
                if slotstate:
                    for k, v in slotstate.items():
                        setattr(inst, k, v)
        else:
            raise UnpicklingError('Can only build Tensor, Parameter, OrderedDict or types allowlisted '
                                  f'via `add_safe_globals`, but got {t}')

    def _binpersid(self):
        pid = self.stack.pop()
        if type(pid) is not tuple and type(pid) is not int:
            raise UnpicklingError(f'persistent_load id must be tuple or int, but got {type(pid)}')
        if type(pid) is tuple and len(pid) > 0 and _decode_ascii(pid[0]) != 'storage':
            raise UnpicklingError(f'Only persistent_load of storage is allowed, but got {type(pid[0])}')
        self.stack.append(self.persistent_load(pid))

    # --- containers ---
    def _append(self):
        item = self.stack.pop()
        lst = self.stack[-1]
        if type(lst) is not list:
            raise UnpicklingError(f'Can only append to lists, but got {type(lst)}')
        lst.append(item)

    def _appends(self):
        items = self.pop_mark()
        lst = self.stack[-1]
        if type(lst) is not list:
            raise UnpicklingError(f'Can only extend lists, but got {type(lst)}')
        lst.extend(items)

    def _check_set_item_target(self, opcode):
        if type(self.stack[-1]) not in (dict, OrderedDict, Counter):
            raise UnpicklingError(f'Can only {opcode} for dict, collections.OrderedDict, '
                                  f'collections.Counter, but got {type(self.stack[-1])}')

    def _setitem(self):
        v, k = self.stack.pop(), self.stack.pop()
        self._check_set_item_target('SETITEM')
        self.stack[-1][k] = v

    def _setitems(self):
        items = self.pop_mark()
        self._check_set_item_target('SETITEMS')
        d = self.stack[-1]
        for i in range(0, len(items), 2):
            d[items[i]] = items[i + 1]

    def _mark(self):
        self.metastack.append(self.stack)
        self.stack = []

    def _tuple(self):
        items = self.pop_mark()     # pop first: it switches self.stack
        self.stack.append(tuple(items))

    def _tuple1(self):
        self.stack[-1] = (self.stack[-1],)

    def _tuple2(self):
        self.stack[-2:] = [(self.stack[-2], self.stack[-1])]

    def _tuple3(self):
        self.stack[-3:] = [(self.stack[-3], self.stack[-2], self.stack[-1])]

    # --- scalars ---
    def _binint(self):
        self.stack.append(unpack('<i', self.read(4))[0])

    def _binint1(self):
        self.stack.append(self.read(1)[0])

    def _binint2(self):
        self.stack.append(unpack('<H', self.read(2))[0])

    def _binfloat(self):
        self.stack.append(unpack('>d', self.read(8))[0])

    def _binunicode(self):
        strlen = unpack('<I', self.read(4))[0]
        if strlen > maxsize:
            raise UnpicklingError('String is too long')
        self.stack.append(str(self.read(strlen), 'utf-8', 'surrogatepass'))

    def _short_binstring(self):
        data = self.read(self.read(1)[0])
        if self.encoding != 'bytes':
            data = data.decode(self.encoding, 'strict')
        self.stack.append(data)

    def _long1(self):
        n = self.read(1)[0]
        self.stack.append(decode_long(self.read(n)))

    # --- memo ---
    def _binget(self):
        self.stack.append(self.memo[self.read(1)[0]])

    def _long_binget(self):
        self.stack.append(self.memo[unpack('<I', self.read(4))[0]])

    def _binput(self):
        self.memo[self.read(1)[0]] = self.stack[-1]

    def _long_binput(self):
        self.memo[unpack('<I', self.read(4))[0]] = self.stack[-1]

    def _proto(self):
        self.proto = self.read(1)[0]
        if self.proto != 2:
            warnings.warn(f"Detected pickle protocol {self.proto} in the checkpoint, which was not the default "
                          "pickle protocol used by `torch.load` (2). The weights_only Unpickler might not "
                          "support all instructions implemented by this protocol, please file an issue for "
                          "adding support if you encounter this.", stacklevel=2)


def _push(value):
    return lambda self: self.stack.append(value() if callable(value) else value)


def _stop(self):
    pass


U = Unpickler
_DISPATCH = {
    b'c'[0]: U._global, b'\x81'[0]: U._newobj, b'R'[0]: U._reduce, b'b'[0]: U._build,
    b'a'[0]: U._append, b'e'[0]: U._appends, b's'[0]: U._setitem, b'u'[0]: U._setitems,
    b'('[0]: U._mark, b't'[0]: U._tuple, b'\x85'[0]: U._tuple1, b'\x86'[0]: U._tuple2, b'\x87'[0]: U._tuple3,
    b'N'[0]: _push(None), b'\x89'[0]: _push(False), b'\x88'[0]: _push(True), b')'[0]: _push(()),
    b']'[0]: _push(list), b'}'[0]: _push(dict), b'\x8f'[0]: _push(set),
    b'J'[0]: U._binint, b'K'[0]: U._binint1, b'M'[0]: U._binint2, b'G'[0]: U._binfloat,
    b'X'[0]: U._binunicode, b'U'[0]: U._short_binstring, b'Q'[0]: U._binpersid,
    b'h'[0]: U._binget, b'j'[0]: U._long_binget, b'q'[0]: U._binput, b'r'[0]: U._long_binput,
    b'\x8a'[0]: U._long1, b'\x80'[0]: U._proto, b'.'[0]: _stop,
}
del U


def _decode_ascii(s):
    return s.decode('ascii') if isinstance(s, bytes) else s


def load(file, *, encoding='ASCII'):
    return Unpickler(file, encoding=encoding).load()

