"""torch.distributed.autograd over faketorch's RPC. Inside `with context() as cid`, a tensor that
requires grad and travels in an RPC message (arguments or result) is registered on the sender as a
'send' of the context, and arrives as a tensor whose grad_fn is a RecvRpcBackward node. backward()
runs the local graph from the roots; the gradient reaching each RecvRpcBackward goes back to the
sender, which runs its graph on from the matching send, and so on. Leaf gradients accumulate in the
context (get_gradients), never in .grad.

Unlike torch's engine, which schedules the whole distributed graph at once, each worker runs a local
pass per gradient that arrives, so a graph part reached by two sends is run twice (the sums are the
same); the graph is kept until the whole backward ends, then freed (retain_graph=False) on every
worker it reached, so a second backward fails as torch's does."""
import itertools
import threading

from ...autograd.graph import AccumulateGrad, Node, run_backward

__all__ = ['context', 'is_available']

_NOT_INIT = 'Need to initialize distributed autograd using torch.distributed.autograd.init()'
_worker = [None]            # this worker's id, set by _init (init_rpc)
_ids = [None]               # the context-id counter: torch starts worker w's ids at w << 48
_contexts = {}
_lock = threading.Lock()
_local = threading.local()  # the current context id of this thread


def is_available():
    return True


def _init(worker_id):
    _worker[0] = worker_id
    _ids[0] = itertools.count(worker_id << 48)


class RecvRpcBackward(Node):
    """A received tensor's grad_fn: the engine captures the gradient reaching it (it has no inputs)."""
    __slots__ = ()

    def name(self):
        return 'torch::distributed::autograd::RecvRpcBackward'


class DistAutogradContext:
    def __init__(self, context_id):
        self._id = context_id
        self._grads = {}        # id(leaf) -> [leaf, accumulated gradient]
        self._sends = {}        # send id -> the tensor sent (its graph continues from here)
        self._send_ids = itertools.count()
        self._nodes = set()     # graph nodes a backward ran through, freed at its end unless retain_graph
        self._workers = set()   # workers that took part: they free their graph too, and drop the context
        self._lock = threading.RLock()

    def _context_id(self):
        return self._id

    def _add_send(self, tensor, to):
        with self._lock:
            sid = next(self._send_ids)
            self._sends[sid] = tensor
            self._workers.add(to)
        return sid

    def _accumulate(self, leaf, g):
        entry = self._grads.get(id(leaf))
        if entry is None:
            self._grads[id(leaf)] = [leaf, g.detach().clone()]
        else:
            entry[1] = entry[1] + g


def _check_init():
    if _worker[0] is None:
        raise RuntimeError(_NOT_INIT)


def _new_context():
    _check_init()
    if getattr(_local, 'id', None) is not None:
        raise RuntimeError('Already have an autograd context id for this thread.')
    with _lock:
        ctx = DistAutogradContext(next(_ids[0]))
        _contexts[ctx._id] = ctx
    _local.id = ctx._id
    return ctx


def _retrieve_context(context_id):
    _check_init()
    ctx = _contexts.get(context_id)
    if ctx is None:
        raise RuntimeError(f'Could not find autograd context with id: {context_id}')
    return ctx


def _is_valid_context(context_id):
    _retrieve_context(context_id)


def _current_context():
    _check_init()
    cid = getattr(_local, 'id', None)
    if cid is None:
        raise RuntimeError("Current thread doesn't have a valid autograd context. Please wrap your code using: "
                           "`with torch.distributed.autograd.context() as context_id` to generate a valid context")
    return _contexts[cid]


def _release_context(context_id):
    """Drops the context here and on every worker it reached."""
    ctx = _retrieve_context(context_id)
    if getattr(_local, 'id', None) == context_id:
        _local.id = None
    _drop(context_id)
    _tell(ctx._workers, 'release', context_id)


def _drop(context_id):
    with _lock:
        return _contexts.pop(context_id, None)


def _get_max_id():
    _check_init()
    return max(_contexts, default=0)


class context:
    """`with context() as context_id:` wraps a distributed forward and backward pass."""

    def __enter__(self):
        self.autograd_context = _new_context()
        return self.autograd_context._context_id()

    def __exit__(self, exc_type, exc_value, traceback):
        _release_context(self.autograd_context._context_id())


# ------------------------------------------------------------------ what the RPC layer calls
def _current_id():
    return getattr(_local, 'id', None)


class _scope:
    """Runs a callee's function (and pickles its reply) inside the caller's context, made here if new."""

    def __init__(self, context_id):
        self.id = context_id

    def __enter__(self):
        self.prev = getattr(_local, 'id', None)
        if self.id is not None:
            _callee_context(self.id)
        _local.id = self.id

    def __exit__(self, *exc):
        _local.id = self.prev


def _callee_context(context_id):
    with _lock:
        ctx = _contexts.get(context_id)
        if ctx is None:
            ctx = _contexts[context_id] = DistAutogradContext(context_id)
        return ctx


def _send_id(tensor, to):
    """The pickler's hook: (context id, sender, send id) when this tensor carries autograd to `to`."""
    cid = getattr(_local, 'id', None)
    if cid is None or not tensor.requires_grad:
        return None
    ctx = _contexts.get(cid)
    return None if ctx is None else (cid, _worker[0], ctx._add_send(tensor, to))


def _received(data, context_id, sender, send_id):
    """The unpickler's hook: the received values as a tensor whose grad_fn leads back to the sender."""
    ctx = _callee_context(context_id)
    node = RecvRpcBackward(None, (), None, 1)
    node._peer = (sender, send_id)
    t = data.detach()
    t._requires_grad, t._grad_fn, t._output_nr = True, node, 0
    with ctx._lock:
        ctx._workers.add(sender)
    return t


def _handle(op, context_id, send_id, grad):
    """A request from another worker: run the graph on from one of our sends, or, passed on to the
    workers this context reached, free the graph (end of a backward) or drop the context (its end)."""
    if op == 'release':
        ctx = _drop(context_id)
        if ctx is not None:
            _tell(ctx._workers, 'release', context_id)
        return None
    ctx = _contexts.get(context_id)
    if ctx is None:
        raise RuntimeError(f'Could not find autograd context with id: {context_id}')
    if op == 'free':
        if _free(ctx):
            _tell(ctx._workers, 'free', context_id)
    else:
        _run(ctx, [ctx._sends[send_id]], [grad])


def _tell(workers, op, context_id):
    from .. import rpc
    agent = rpc._current()
    for w in workers:
        agent.request(w, 'dist_autograd', (op, context_id, None, None))


# ------------------------------------------------------------------ the backward pass
def _sinks(tensors):
    """The leaves and the RecvRpcBackward outputs the graph from `tensors` reaches, and its nodes."""
    from ..._tensor import Tensor
    leaves, recvs, nodes = [], [], set()
    stack = []
    for t in tensors:
        if t.grad_fn is None:
            leaves.append(t)
        else:
            stack.append(t.grad_fn)
    while stack:
        fn = stack.pop()
        if fn in nodes:
            continue
        nodes.add(fn)
        if type(fn) is AccumulateGrad:
            leaves.append(fn.variable)
        elif type(fn) is RecvRpcBackward:
            t = object.__new__(Tensor)      # stands for the received tensor: the engine's target is (node, 0)
            t._grad_fn, t._output_nr = fn, 0
            recvs.append(t)
        stack.extend(n for n, _ in fn.next_functions if n is not None)
    return leaves, recvs, nodes


def _run(ctx, tensors, grads):
    """One local pass (graph kept until the whole backward ends), then the gradients for the
    senders of what we received go back to them."""
    with ctx._lock:
        leaves, recvs, nodes = _sinks(tensors)
        ctx._nodes |= nodes
        got = run_backward(tensors, grads, True, False, inputs=leaves + recvs, accumulate=False)
        for leaf, g in zip(leaves, got):
            if g is not None:
                ctx._accumulate(leaf, g)
    from .. import rpc
    agent = rpc._current()
    for t, g in zip(recvs, got[len(leaves):]):
        if g is not None:
            peer, sid = t._grad_fn._peer
            agent.request(peer, 'dist_autograd', ('run', ctx._id, sid, g))


def _free(ctx):
    """Frees the graph the backward ran through; False when there was none (already freed)."""
    with ctx._lock:
        nodes, ctx._nodes = ctx._nodes, set()
    for fn in nodes:
        fn._release()
    return bool(nodes)


def backward(context_id, roots, retain_graph=False):
    from ..._tensor import Tensor
    if not isinstance(roots, (list, tuple)) or not all(isinstance(r, Tensor) for r in roots):
        raise TypeError("backward(): incompatible function arguments. The following argument types are supported:\n"
                        "    1. (contextId: typing.SupportsInt | typing.SupportsIndex, roots: "
                        "collections.abc.Sequence[torch.Tensor], retain_graph: bool = False) -> None\n\n"
                        f"Invoked with: {context_id!r}, {roots!r}")
    ctx = _retrieve_context(context_id)
    if not roots:
        raise RuntimeError('No tensors provided for gradient computation.')
    for r in roots:
        if not r.requires_grad:
            raise RuntimeError('requires_grad not set on root')
        if r.numel() != 1:
            raise RuntimeError(' is not a scalar, all roots need to be scalar')
    from ... import ones_like
    try:
        _run(ctx, list(roots), [ones_like(r) for r in roots])
    except RuntimeError as e:
        if str(e).startswith('Trying to backward through the graph a second time'):
            raise RuntimeError(f'Error on Node {_worker[0]}: {e}') from None
        raise
    if not retain_graph:
        _free(ctx)
        _tell(ctx._workers, 'free', context_id)


def get_gradients(context_id):
    ctx = _retrieve_context(context_id)
    with ctx._lock:
        return {leaf: g for leaf, g in ctx._grads.values()}
