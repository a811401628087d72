"""Graph nodes (grad_fn objects) and the backward engine."""
import sys
import weakref

import numpy

from .grad_mode import state as _grad_state
from .anomaly_mode import _state as _anomaly

__all__ = ['Node', 'node_class', 'run_backward', 'saved_tensors_hooks', 'save_on_cpu', 'disable_saved_tensors_hooks',
           'increment_version', 'register_multi_grad_hook']

_make = None          # faketorch._tensor._make, bound when _tensor is imported (import cycle)
_saved_hooks = []     # stack of (pack, unpack) from saved_tensors_hooks


class saved_tensors_hooks:
    """Context manager: pack_hook runs when a tensor is saved for backward, unpack_hook when it is
    used again."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if _hooks_disabled:
            raise RuntimeError(_hooks_disabled[-1])
        _saved_hooks.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc):
        _saved_hooks.pop()
        return False


_hooks_disabled = []    # the messages of the disable_saved_tensors_hooks blocks we are in


class disable_saved_tensors_hooks:
    """Context manager: saved_tensors_hooks raise RuntimeError(error_message) inside it."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        _hooks_disabled.append(self.error_message)

    def __exit__(self, *exc):
        _hooks_disabled.pop()
        return False


def increment_version(tensor):
    """Count an in-place change made behind autograd's back (e.g. through .data or NumPy)."""
    for t in (tensor,) if not isinstance(tensor, (list, tuple)) else tensor:
        t._vc[0] += 1


class save_on_cpu(saved_tensors_hooks):
    def __init__(self, pin_memory=False, device_type='cuda'):
        super().__init__(lambda t: (t.device, t.cpu()), lambda p: p[1].to(p[0]))

backward_guard = None      # set by torch.overrides once __torch_function__ dispatch is on

_FREED_MSG = ("Trying to backward through the graph a second time (or directly access saved tensors "
              "after they have already been freed). Saved intermediate values of the graph are freed "
              "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
              "backward through the graph a second time or if you need to access saved tensors after "
              "calling backward.")


def _public_handle(lst, item):
    """The torch.utils.hooks.RemovableHandle a user's hook registration returns (with its id)."""
    from ..utils.hooks import RemovableHandle
    return RemovableHandle._in_list(lst, item)


class _RemovableHandle:
    """The handle of an internal hook (retain_grad's): takes no id from the user-visible counter."""
    __slots__ = ('_list', '_item')

    def __init__(self, lst, item):
        self._list, self._item = lst, item

    def remove(self):
        try:
            self._list.remove(self._item)
        except ValueError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.remove()


class Node:
    """A grad_fn. `_fn(node, *grads)` returns one gradient per input (a Tensor or None).

    Saved tensors go through `_save` so they carry the version they had when saved (torch's
    check for in-place changes) and are freed after backward unless retain_graph."""
    # _saved / _had_saved / _args: set by many nodes, so slots (set in __init__ and _core.attach)
    __slots__ = ('next_functions', '_fn', '_meta', '_nout', '_saved', '_had_saved', '_args', '__dict__',
                 '__weakref__')
    # rarely set: class defaults, stored per node (in __dict__) only when used
    _hooks = None
    _pre_hooks = None
    _tensor_pre_hooks = None
    _saved_names = ()       # torch's argument names of the _saved slots, in order ('self', 'result' ...)

    def __init__(self, fn, next_functions, meta, nout=1):
        self._fn = fn
        self.next_functions = next_functions
        self._meta = meta
        self._nout = nout
        self._saved = None
        self._had_saved = False
        self._args = None

    @property
    def metadata(self):
        d = self.__dict__.get('_metadata')
        if d is None:
            d = self.__dict__['_metadata'] = {}
        return d

    def name(self):
        n = type(self).__name__
        return 'torch::autograd::' + n if n in ('CopySlices', 'CopyBackwards', 'AccumulateGrad', 'NotImplemented') \
            else n

    def __repr__(self):
        return f'<{type(self).__name__} object at {hex(id(self))}>'

    def __call__(self, *grads):
        return self._fn(self, *grads)

    # --- saved tensors ---
    def _save(self, *tensors, outputs=()):
        """Save inputs (by reference) and this node's own outputs (by array, to avoid a cycle)."""
        self._saved = saved_items(self, tensors)
        self._had_saved = True

    @property
    def saved_tensors(self):
        if self._saved is None:
            if self._had_saved:
                raise RuntimeError(_FREED_MSG)
            return ()
        return self._unpack(self._saved)

    def _unpack(self, items):
        out = []
        for item in items:
            if item is None:
                out.append(None)
                continue
            if item[0] == 'hook':
                out.append(_unpacked(self, *item[1:]))
                continue
            t, data, vc, ver, nr, dt, dev = item
            if vc[0] != ver:
                src = t if t is not None else None
                raise RuntimeError(_modified_msg(src, data, dt, vc[0], ver, self, nr))
            if t is None:       # our own output: rebuild it pointing back at us
                t = _make(data, dt, dev)
                t._vc = vc
                if _grad_state.enabled:
                    t._requires_grad = True
                    t._grad_fn = self
                    t._output_nr = nr
            out.append(t)
        return tuple(out)

    def _release(self):
        self._saved = None

    def _saved_slot(self, i):
        """grad_fn._saved_self / _saved_other / _saved_result: torch's view of one saved slot (unpacked by
        the saved-tensors hooks on each access; None where the op did not need to save it)."""
        if self._saved is None and self._had_saved:
            raise RuntimeError(_FREED_MSG)
        items = self._saved or ()
        return self._unpack(items[i:i + 1])[0] if i < len(items) else None

    # --- hooks ---
    def register_hook(self, fn):
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)
        return _public_handle(self._hooks, fn)

    def register_prehook(self, fn):
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._pre_hooks.append(fn)
        return _public_handle(self._pre_hooks, fn)

    def _register_tensor_pre_hook(self, nr, fn):
        if self._tensor_pre_hooks is None:
            self._tensor_pre_hooks = []
        item = (nr, fn)
        self._tensor_pre_hooks.append(item)
        return _RemovableHandle(self._tensor_pre_hooks, item)


def saved_items(node, tensors):
    """What node._saved holds for `tensors` (Node._save; _core.attach calls it directly)."""
    if _saved_hooks:
        pack, unpack = _saved_hooks[-1]
        return [_packed(node, pack, unpack, t) if t is not None else None for t in tensors]
    items = []
    for t in tensors:
        if t is None:
            items.append(None)
        elif t._inference and not _grad_state.inference:
            raise RuntimeError("Inference tensors cannot be saved for backward. Please do not use Tensors "
                               "created in inference mode in computation tracked by autograd. To work around "
                               "this, you can make a clone to get a normal tensor and use it in autograd, or "
                               "use `torch.no_grad()` instead of `torch.inference_mode()`.")
        elif t._grad_fn is node:
            items.append((None, t._data, t._vc, t._vc[0], t._output_nr, t.dtype, t._device))
        else:
            items.append((t, None, t._vc, t._vc[0], 0, None, None))
    return items


def _packed(node, pack, unpack, t):
    """A saved-tensors hook's item: pack(t), run without grad as torch does, and t's place in the graph
    for the unpacked tensor: its grad_fn (_OWN for this node's own output: no cycle) and output_nr, or
    a leaf's AccumulateGrad."""
    enabled, _grad_state.enabled = _grad_state.enabled, False
    try:
        packed = pack(t)
    finally:
        _grad_state.enabled = enabled
    fn = t._grad_fn
    accum = t._accum_node() if fn is None and t._requires_grad else None
    return ('hook', unpack, packed, _OWN if fn is node else fn, t._output_nr, accum)


_OWN = object()


def _unpacked(node, unpack, packed, fn, nr, accum):
    """unpack(packed) as a new tensor in the saved one's place (torch's SavedVariable gives the
    unpacked value the saved tensor's grad_fn, or the leaf's gradient accumulator)."""
    v = unpack(packed)
    t = _make(v._data, v.dtype, v._device)
    if fn is not None:
        t._requires_grad = True
        t._grad_fn = node if fn is _OWN else fn
        t._output_nr = nr
    elif accum is not None:
        t._requires_grad = True
        t._accum = accum
    return t


def _modified_msg(t, data, dt, now, ver, node, nr):
    from .._dtype import type_str
    if t is not None:
        shape, dt, leaf_fn = list(t.shape), t.dtype, t._grad_fn
    else:
        shape, leaf_fn = list(data.shape), node
    desc = f"[{type_str(dt, t._device if t is not None else None)} [{', '.join(map(str, shape))}]]"
    where = f", which is output {nr if t is None else t._output_nr} of {_op_name(leaf_fn)}," \
        if leaf_fn is not None else ''
    return ("one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: {desc}{where} is at version {now}; expected version {ver} instead. Hint: "
            "enable anomaly detection to find the operation that failed to compute its gradient, "
            "with torch.autograd.set_detect_anomaly(True, check_nan=False).")


def _op_name(node):
    # torch names the op, not the node: ExpBackward0 -> Exp
    import re
    return re.sub(r'Backward0?(?=\d*$)', '', node.name())     # FillBackward2 -> Fill2; CopySlices keeps torch::autograd::


_CLASSES = {}


def node_class(name):
    """The grad_fn class of this torch name (AddBackward0 ...), created once."""
    cls = _CLASSES.get(name)
    if cls is None:
        cls = _CLASSES[name] = type(name, (Node,), {'__slots__': ()})
    return cls


class AccumulateGrad(Node):
    __slots__ = ('variable',)
    _post_acc_hooks = None      # Tensor.register_post_accumulate_grad_hook

    def __init__(self, variable):
        Node.__init__(self, None, (), None, 1)
        self.variable = variable


def _refs(g):
    a = g._data
    return sys.getrefcount(g), sys.getrefcount(a), a.base is not None and sys.getrefcount(a.base)


class _Probe:
    __slots__ = ('_data',)


def _free_refs():
    """What _refs sees for a gradient that only the engine's list holds, through the same calls
    (run_node -> _accumulate -> _unshared -> _refs), measured on this Python."""
    grads = [_Probe()]
    grads[0]._data = numpy.empty(2)[:]
    return (lambda var, g, create_graph: (lambda g: _refs(g))(g))(None, grads[0], False)


_FREE_REFS = _free_refs()


def _unshared(g):
    """May g's array become .grad as it is? When nothing else holds it (a fresh backward result),
    as torch steals an unshared gradient; a view only when it spans its whole (unshared) base, and
    only C-contiguous, the layout a copy would give. Saves a copy per parameter: on a GPU, a launch."""
    nt, na, nb = _refs(g)
    ft, fa, fb = _FREE_REFS
    a = g._data
    if not a.flags.c_contiguous:
        return False
    return nt <= ft and na <= fa and (nb is False or (nb <= fb and a.size == a.base.size))


def _accumulate(var, g, create_graph):
    if g._sparse_layout or (var._grad is not None and var._grad._sparse_layout):     # torch's rules for that layout
        from ..sparse._math import accumulate_grad
        return accumulate_grad(var, g, create_graph)
    want = var.grad_dtype       # a leaf may ask for its gradient in another dtype
    if want is not None and g.dtype is not want:
        g = g.to(want)
    if var.grad is None:
        if create_graph:
            var.grad = g
        else:
            # a fresh tensor, detached: the incoming gradient may be shared with other edges
            data = g._data if _unshared(g) else g._data.copy()
            var.grad = _make(data, g.dtype, g._device)
    elif create_graph or var.grad.requires_grad:
        var.grad = var.grad + g
    else:
        var.grad._data += g._data
        var.grad._vc[0] += 1


# --- the engine ---------------------------------------------------------------------------------

def _sum_to_meta(g, meta, fn, i):
    shape, dtype = meta
    if g._data.shape != shape:
        gs = g._data.shape      # torch sums a gradient down only to a shape that expands to it
        if len(shape) > len(gs) or any(s != d and s != 1 for s, d in zip(shape[::-1], gs[::-1])):
            raise RuntimeError(f"Function {type(fn).__name__} returned an invalid gradient at index {i} - got "
                               f"{list(gs)} but expected shape compatible with {list(shape)}")
        g = g.sum_to_size(shape)
        if g._data.shape != shape:      # e.g. a (1,) gradient for a 0-dim input
            g = g.reshape(shape)
    if g.dtype is not dtype:
        g = g.to(dtype)
    return g


backward_runs = [0]     # counts run_backward calls (torch's graph tasks: checkpoint recomputes once per task)
_tasks = []     # the backward runs in progress, innermost last: (id, nodes reached, nodes needed or None, callbacks)


def _current_graph_task_id():
    return _tasks[-1][0] if _tasks else -1


def _will_engine_execute_node(node):
    """Does the backward run in progress run node (a grad_fn or an AccumulateGrad)?"""
    if not _tasks:
        raise RuntimeError("_will_engine_execute_node should only be called during the backward pass")
    _, seen, needed, _ = _tasks[-1]
    return node in seen and (needed is None or node in needed)


def queue_callback(callback):
    """Variable._execution_engine.queue_callback: run callback when the backward run in progress ends."""
    if not _tasks:
        raise RuntimeError("Final callbacks can only be installed during backward pass.")
    _tasks[-1][3].append(callback)


def _grad_fn_or_acc(t):
    return t._grad_fn if t._grad_fn is not None else t._accum_node()


def register_multi_grad_hook(tensors, fn, *, mode='all'):
    """fn(grads) once the gradients of all of tensors that this backward run reaches are computed
    (mode='all'; None for the others), or fn(grad) on the first of them (mode='any')."""
    if mode not in ('all', 'any'):
        raise ValueError(f"Expects mode to be one of ('all', 'any') but got {mode}")
    counts, buffers = {}, {}
    if mode == 'all':
        nodes = [_grad_fn_or_acc(t) for t in tensors]

        def inner(i):
            def hook(grad):
                task = _current_graph_task_id()
                if task not in counts:
                    counts[task] = [0, sum(map(_will_engine_execute_node, nodes))]
                    buffers[task] = [None] * len(nodes)
                buffers[task][i] = grad
                c = counts[task]
                c[0] += 1
                if c[0] == c[1]:
                    del counts[task]
                    fn(buffers.pop(task))
            return hook
        handles = [t.register_hook(inner(i)) for i, t in enumerate(tensors)]
    else:
        def hook(grad):
            task = _current_graph_task_id()
            if not counts.get(task):
                counts[task] = True
                fn(grad)
        handles = [t.register_hook(hook) for t in tensors]
    return _MultiHandle(handles)


class _MultiHandle:
    """torch.utils.hooks.RemovableHandle over several hooks."""
    def __init__(self, handles):
        self._handles = handles

    def remove(self):
        for h in self._handles:
            h.remove()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.remove()


def run_backward(roots, root_grads, retain_graph, create_graph, inputs=None, accumulate=True,
                 allow_unused=True):
    """Propagate root_grads from roots (tensors) through the graph.

    With accumulate=True leaves (or `inputs`) get .grad; otherwise the gradients of `inputs` are
    returned (autograd.grad)."""
    backward_runs[0] += 1
    # edges into the graph
    root_edges = []
    for t in roots:
        fn = t._grad_fn
        if fn is None:
            if not t._requires_grad:
                raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
            fn = t._accum_node()
        root_edges.append((fn, t._output_nr if t._grad_fn is not None else 0))

    # targets: (node, nr) whose incoming gradient we capture
    targets = None
    if inputs is not None:
        targets = {}
        for i, t in enumerate(inputs):
            if t._grad_fn is not None:
                targets[(t._grad_fn, t._output_nr)] = i
            else:
                if not t._requires_grad:
                    raise RuntimeError("One of the differentiated Tensors does not require grad")
                targets[(t._accum_node(), 0)] = i

    # dependency counts over the reachable graph
    deps = {}
    seen = set()
    stack = [fn for fn, _ in root_edges]
    order_nodes = []
    while stack:
        fn = stack.pop()
        if fn in seen:
            continue
        seen.add(fn)
        order_nodes.append(fn)
        for nxt, _ in fn.next_functions:
            if nxt is not None:
                deps[nxt] = deps.get(nxt, 0) + 1
                if nxt not in seen:
                    stack.append(nxt)

    needed = None
    if targets is not None:
        # only run nodes from which a target is reachable
        tnodes = {n for n, _ in targets}
        needed = set()
        memo = {}

        def reaches(n):
            r = memo.get(n)
            if r is not None:
                return r
            memo[n] = False
            r = n in tnodes
            for nxt, _ in n.next_functions:
                if nxt is not None and reaches(nxt):
                    r = True
            memo[n] = r
            return r
        import sys
        lim = sys.getrecursionlimit()
        sys.setrecursionlimit(max(lim, 10 * len(order_nodes) + 1000))
        try:
            for n in order_nodes:
                if reaches(n):
                    needed.add(n)
        finally:
            sys.setrecursionlimit(lim)

    buffers = {}
    for (fn, nr), g in zip(root_edges, root_grads):
        buf = buffers.get(fn)
        if buf is None:
            buf = buffers[fn] = [None] * fn._nout
        buf[nr] = g if buf[nr] is None else buf[nr] + g

    captured = [None] * len(inputs) if inputs is not None else None
    ready = [fn for fn in buffers if deps.get(fn, 0) == 0]
    prev_mode = _grad_state.enabled
    _grad_state.enabled = bool(create_graph)
    _tasks.append((backward_runs[0], seen, needed, []))
    try:
        while ready:
            fn = ready.pop()
            grads = buffers.pop(fn, None)
            if grads is None:
                grads = [None] * fn._nout
            if needed is not None and fn not in needed:
                grads = None
            if grads is not None:
                _run_node(fn, grads, targets, captured, accumulate, create_graph, buffers)
            if not retain_graph:
                fn._release()
            for nxt, _ in fn.next_functions:
                if nxt is not None:
                    d = deps[nxt] - 1
                    deps[nxt] = d
                    if d == 0:
                        ready.append(nxt)
        callbacks = _tasks[-1][3]
        while callbacks:            # queue_callback's, after the last node (a callback may queue more)
            callbacks.pop(0)()
    finally:
        _tasks.pop()
        _grad_state.enabled = prev_mode
    if accumulate and inputs is not None:       # backward(inputs=...) fills .grad of non-leaf inputs too
        for t, g in zip(inputs, captured):
            if t._grad_fn is not None and g is not None:
                _accumulate(t, g, create_graph)
    if captured is not None and not allow_unused:
        for i, c in enumerate(captured):
            if c is None:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used "
                                   "in the graph. Set allow_unused=True if this is the desired behavior.")
    return captured


def _check_hook_result(g, r, hook):
    """torch's check_variable_result on what a tensor hook returned in place of g."""
    from .._tensor import Tensor
    if not isinstance(r, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(r).__name__}'")
    name = getattr(hook, '__name__', '<unknown>')
    if r.dtype is not g.dtype or r._device.type != g._device.type:
        raise RuntimeError(f"hook '{name}' has changed the type of value (was {g.type()} got {r.type()})")
    if r._data.shape != g._data.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")
    return r


def _check_hook_tuple(prev, r, hook):
    """torch's check_result on what a node hook returned in place of the tuple prev."""
    if not isinstance(r, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(r).__name__}'")
    if len(r) != len(prev):
        raise RuntimeError(f"hook '{getattr(hook, '__name__', '<unknown>')}' has returned an incorrect number of "
                           f"values (got {len(r)}, but expected {len(prev)})")
    for p, x in zip(prev, r):
        if x is not None:
            if p is None:
                raise RuntimeError("can't replace a None gradient with a non-None value")
            _check_hook_result(p, x, hook)
    return r


def _run_node(fn, grads, targets, captured, accumulate, create_graph, buffers):
    if fn._tensor_pre_hooks:
        for nr, hook in list(fn._tensor_pre_hooks):
            if grads[nr] is not None:
                r = hook(grads[nr])
                if r is not None:
                    grads[nr] = _check_hook_result(grads[nr], r, hook)
    if fn._pre_hooks:
        for hook in list(fn._pre_hooks):
            r = hook(tuple(grads))
            if r is not None:
                grads = list(_check_hook_tuple(tuple(grads), r, hook))
    if targets is not None:
        for nr in range(fn._nout):
            i = targets.get((fn, nr))
            if i is not None:
                captured[i] = grads[nr]
        if not accumulate:
            if type(fn) is AccumulateGrad:
                return
    if type(fn) is AccumulateGrad:
        if grads[0] is not None and (targets is None or (fn, 0) in targets):
            _accumulate(fn.variable, grads[0], create_graph)
            for hook in list(fn._post_acc_hooks or ()):
                if hook(fn.variable) is not None:
                    raise RuntimeError("Tensor post accumulate grad hooks should return None.")
        if fn._hooks:
            for hook in list(fn._hooks):
                hook((), tuple(grads))
        return
    if fn._fn is None:
        return
    for g in grads:
        if g is not None:
            break
    else:               # no gradient reached this node: nothing flows on (torch skips it too)
        return
    if fn._saved is None and fn._had_saved:
        raise RuntimeError(_FREED_MSG)
    out = fn._fn(fn, *grads) if backward_guard is None else backward_guard(fn, grads)
    if type(out) is not tuple:
        out = (out,)
    if fn._hooks:
        n = len(fn.next_functions)      # hooks see one gradient per input
        out = out[:n] + (None,) * (n - len(out))
        for hook in list(fn._hooks):
            r = hook(out, tuple(grads))
            if r is not None:
                out = _check_hook_tuple(out, r, hook)
    if _anomaly['enabled'] and _anomaly['check_nan']:
        for i, g in enumerate(out):
            if g is not None and bool(g.isnan().any()):
                raise RuntimeError(f"Function '{type(fn).__name__}' returned nan values in its {i}th output.")
    meta = fn._meta
    for i, (nxt, nr) in enumerate(fn.next_functions):
        if nxt is None:
            continue
        g = out[i] if i < len(out) else None
        if g is None:
            continue
        m = meta[i]
        if m is not None and (g._data.shape != m[0] or g.dtype is not m[1]):
            g = _sum_to_meta(g, m, fn, i)
        buf = buffers.get(nxt)
        if buf is None:
            buf = buffers[nxt] = [None] * nxt._nout
        cur = buf[nr]
        buf[nr] = g if cur is None else (g + cur if cur.is_sparse and not g.is_sparse else cur + g)
