"""torch.utils.checkpoint: trade compute for memory by re-running a function in backward.

use_reentrant=True (torch's default when the argument is left out, with a warning) is a custom
autograd Function, `CheckpointFunctionBackward`, that runs `function` without grad and re-runs it
with the saved RNG state in backward. use_reentrant=False runs `function` normally and keeps its
graph (the gradients are the same; only the memory saving is missing), and re-runs it in backward
as torch does, for what a script can see of that: forward hooks and code run again and BatchNorm
updates its running statistics twice. Like torch, the re-run starts when backward first reaches a
node of the region that saved tensors, under the forward's RNG state, and stops inside the op that
made the region's last such node (torch's early stop: it has recomputed every saved tensor)."""
import contextlib
import warnings

from .. import _tensor as _T
from ..autograd.function import Function
from ..autograd.grad_mode import enable_grad, no_grad

__all__ = ['checkpoint', 'checkpoint_sequential', 'CheckpointFunction', 'noop_context_fn', 'CheckpointError',
           'check_backward_validity', 'detach_variable', 'get_device_states', 'set_device_states',
           'set_checkpoint_early_stop', 'set_checkpoint_debug_enabled']

_NO_REENTRANT_ARG = ("torch.utils.checkpoint{}: the use_reentrant parameter should be passed explicitly. {} "
                     "use_reentrant=False is recommended, but if you need to preserve the current default "
                     "behavior, you can pass use_reentrant=True. Refer to docs for more details on the "
                     "differences between the two variants.")
_WARN_CHECKPOINT = _NO_REENTRANT_ARG.format(
    '', 'Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception.')
_WARN_SEQUENTIAL = _NO_REENTRANT_ARG.format(
    '.checkpoint_sequential', 'In version 2.9 we will raise an exception if use_reentrant is not passed.')


def noop_context_fn():
    import contextlib
    return contextlib.nullcontext(), contextlib.nullcontext()


def _detach_inputs(inputs):
    out = []
    for x in inputs:
        if isinstance(x, _T.Tensor):
            y = x.detach()
            y.requires_grad = x.requires_grad
            out.append(y)
        else:
            out.append(x)
    return tuple(out)


class CheckpointError(RuntimeError):
    pass


def detach_variable(inputs):
    """The tensors of a tuple detached, keeping requires_grad (what a re-run in backward starts from)."""
    if not isinstance(inputs, tuple):
        raise RuntimeError(f"Only tuple of tensors is supported. Got Unsupported input type: {type(inputs).__name__}")
    return _detach_inputs(inputs)


def check_backward_validity(inputs):
    if not any(isinstance(x, _T.Tensor) and x.requires_grad for x in inputs):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", stacklevel=2)


def get_device_states(*args):
    """The devices (other than the CPU) the tensors sit on and their RNG states."""
    devices = sorted({x.get_device() for x in args if isinstance(x, _T.Tensor) and x.device.type == 'cuda'})
    from .. import cuda
    return devices, [cuda.get_rng_state(d) for d in devices]


def set_device_states(devices, states, *, device_type=None):
    from .. import cuda
    for d, st in zip(devices, states):
        cuda.set_rng_state(st, d)


_early_stop = [True]
_debug = [False]


@contextlib.contextmanager
def _setting(flag, value):
    prev, flag[0] = flag[0], value
    try:
        yield
    finally:
        flag[0] = prev


def set_checkpoint_early_stop(enable):
    """For a with-block: whether a non-reentrant checkpoint's recomputation stops once it has what it needs."""
    return _setting(_early_stop, enable)


def set_checkpoint_debug_enabled(enabled):
    return _setting(_debug, enabled)


class CheckpointFunction(Function):
    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        from .. import get_rng_state
        if not any(a.requires_grad for a in args if isinstance(a, _T.Tensor)):
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", stacklevel=2)
        ctx.run_function = run_function
        ctx.rng_state = get_rng_state() if preserve_rng_state else None
        ctx.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, _T.Tensor)]
        ctx.inputs = [None if isinstance(a, _T.Tensor) else a for a in args]
        ctx.save_for_backward(*(a for a in args if isinstance(a, _T.Tensor)))
        with no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grad_outputs):
        from .. import get_rng_state, set_rng_state
        from ..autograd import backward
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[i] = t
        detached = _detach_inputs(inputs)
        saved_rng = None
        if ctx.rng_state is not None:
            saved_rng = get_rng_state()
            set_rng_state(ctx.rng_state)
        try:
            with enable_grad():
                outputs = ctx.run_function(*detached)
        finally:
            if saved_rng is not None:
                set_rng_state(saved_rng)
        if isinstance(outputs, _T.Tensor):
            outputs = (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grad_outputs)
                 if isinstance(o, _T.Tensor) and o.requires_grad]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not necessary")
        backward([o for o, _ in pairs], [g for _, g in pairs])
        grads = tuple(x.grad if isinstance(x, _T.Tensor) else None for x in detached)
        return (None, None) + grads


# Nodes that save no tensor for backward in torch: the recomputation neither starts nor stops at them.
_SAVES_NOTHING = frozenset({
    'AddBackward0', 'AddBackward1', 'SubBackward0', 'SubBackward1', 'NegBackward0', 'CloneBackward0',
    'ViewBackward0', 'UnsafeViewBackward0', 'ReshapeAliasBackward0', 'PermuteBackward0',
    'TransposeBackward0', 'TBackward0', 'ExpandBackward0', 'UnsqueezeBackward0', 'SqueezeBackward0',
    'SqueezeBackward1', 'SqueezeBackward2', 'SqueezeBackward3', 'SqueezeBackward4', 'SliceBackward0',
    'SelectBackward0', 'SplitBackward0', 'SplitWithSizesBackward0', 'UnbindBackward0', 'CatBackward0',
    'StackBackward0', 'SumBackward0', 'SumBackward1', 'MeanBackward0', 'MeanBackward1',
    'AsStridedBackward0', 'AliasBackward0', 'ToCopyBackward0', 'RepeatBackward0', 'DivBackward1',
    'MulBackward1'})


class _StopRecomputation(Exception):
    pass


@contextlib.contextmanager
def _watch_nodes(fn):
    from .._ops._core import node_watchers
    node_watchers.append(fn)
    try:
        yield
    finally:
        node_watchers.remove(fn)


# ... and nodes that save only when an operand is a tensor (`x * 2` saves nothing)
_SAVES_TENSOR_OPERAND = frozenset({'MulBackward0', 'DivBackward0'})


def _saves(node):
    name = type(node).__name__
    return name not in _SAVES_NOTHING and (name not in _SAVES_TENSOR_OPERAND or bool(node._saved))


def _checkpoint_without_reentrant(function, preserve, context_fn, args, kwargs):
    from .. import get_rng_state, set_rng_state
    forward_ctx, recompute_ctx = context_fn()
    rng_state = get_rng_state() if preserve else None
    nodes = []
    with _watch_nodes(lambda n: nodes.append(n) if _saves(n) else None), forward_ctx:
        out = function(*args, **kwargs)
    if not nodes:
        return out
    target, done_in, seen = len(nodes), [None], [0]

    def stop_at_last(node):
        if _saves(node):
            seen[0] += 1
            if seen[0] == target:
                raise _StopRecomputation

    def recompute(grads):       # once per backward pass (retain_graph: again in the next one)
        from ..autograd.graph import backward_runs
        if done_in[0] == backward_runs[0]:
            return None
        done_in[0] = backward_runs[0]
        seen[0] = 0
        current = get_rng_state() if rng_state is not None else None
        if rng_state is not None:
            set_rng_state(rng_state)
        try:
            with enable_grad(), _watch_nodes(stop_at_last), recompute_ctx:
                function(*_detach_inputs(args), **kwargs)
        except _StopRecomputation:
            pass
        finally:
            if current is not None:
                set_rng_state(current)
        return None

    for n in nodes:
        if n._pre_hooks is None:
            n._pre_hooks = []
        n._pre_hooks.append(recompute)
    return out


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn, determinism_check='default',
               debug=False, early_stop=True, **kwargs):
    if use_reentrant is None:
        warnings.warn(_WARN_CHECKPOINT, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop('preserve_rng_state', True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if use_reentrant:
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
        return CheckpointFunction.apply(function, preserve, *args)
    return _checkpoint_without_reentrant(function, preserve, context_fn, args, kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    if use_reentrant is None:
        warnings.warn(_WARN_SEQUENTIAL, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop('preserve_rng_state', True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))

    def run_segment(start, end):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    from ..nn.modules.container import Sequential
    if isinstance(functions, Sequential):
        functions = list(functions.children())
    segment_size = len(functions) // segments
    end = -1
    # every segment but the last is checkpointed; the last one must keep its graph
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_segment(start, end), input, use_reentrant=use_reentrant, preserve_rng_state=preserve)
    return run_segment(end + 1, len(functions) - 1)(input)
