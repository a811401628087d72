"""The op-declaration mechanism: record graph nodes, derive Tensor methods, in-place and out= forms.

An op is a Python function `f(input, ...)` returning a new Tensor and recording its derivative with
`attach`. `register(f)` publishes it as torch.f and Tensor.f; `inplace` derives Tensor.f_ from it
(the out-of-place result is written back into the input, and the input takes over its grad_fn);
out= is handled by `write_out`.
"""
import os
import sys

from .. import _xnp as np

from .. import _dtype as D
from .._tensor import Tensor, _make
from .._blas import saxpy
from ..autograd.grad_mode import state as grad_state, inference_blocks as _inference_blocks
from ..autograd import graph as _graph
from ..autograd.graph import node_class, saved_items as _saved_items

# what becomes the torch namespace / Tensor methods
namespace = {}


def register(fn=None, *, name=None, method=True, function=True, inplace=False, method_name=None):
    """Publish an op as torch.<name> and Tensor.<name>; with inplace=True also Tensor.<name>_."""
    def deco(f):
        n = name or f.__name__
        if function:
            namespace[n] = f
            pkg = sys.modules.get('faketorch')
            if pkg is not None:        # modules imported after faketorch itself publish directly
                setattr(pkg, n, f)
        if method:
            setattr(Tensor, method_name or n, f)
        if inplace:
            setattr(Tensor, n + '_', make_inplace(f, n + '_'))
        return f
    return deco(fn) if fn is not None else deco


_warned_once = set()


def warn_once(message, stacklevel=1, category=UserWarning):
    """ATen's TORCH_WARN_ONCE: the first call in the process warns, later ones say nothing. stacklevel
    counts from the caller (1: the faketorch function itself, as torch names its Python wrapper; None:
    the first frame outside faketorch, as a warning from torch's C++ argument parsing names the caller)."""
    if message not in _warned_once:
        _warned_once.add(message)
        import warnings
        if stacklevel is None:
            pkg = os.path.dirname(os.path.dirname(__file__))
            f, stacklevel = sys._getframe(1), 1
            while f is not None and f.f_code.co_filename.startswith(pkg):
                f, stacklevel = f.f_back, stacklevel + 1
        warnings.warn(message, category, stacklevel=stacklevel + 1)


def requires_grad(*ts):
    if not grad_state.enabled:
        return False
    for t in ts:
        if t.__class__ is not float and t.__class__ is not int and t is not None \
                and getattr(t, '_requires_grad', False):
            return True
    return False


_SCALARS = (int, float, bool, complex)
_NO_EDGE = (None, 0)
_classes = _graph._CLASSES


def _edge(t):
    if t is None or t.__class__ in _SCALARS or not t._requires_grad:
        return _NO_EDGE
    fn = t._grad_fn if t._view_fn is None or t._vc[0] == t._view_ver else view_history(t)
    if fn is not None:
        return (fn, t._output_nr)
    return (t._accum_node(), 0)


_new_node = object.__new__


node_watchers = []    # callables told of every node attach() makes (checkpoint's recomputation)


def attach(name, bwd, inputs, outputs, save=(), args=None):
    """Make `outputs` the results of a node `name` over `inputs`; bwd(node, *grads) -> grads."""
    if _inference_blocks and grad_state.inference:      # inference mode records nothing, even under enable_grad
        return
    cls = _classes.get(name) if name.__class__ is str else name
    if cls is None:
        cls = node_class(name)
    if len(inputs) == 1 and inputs[0]._requires_grad:      # the common unary case, unrolled
        t = inputs[0]
        fn = t._grad_fn if t._view_fn is None or t._vc[0] == t._view_ver else view_history(t)
        if fn is None:
            fn = t._accum
            nexts = ((fn if fn is not None else t._accum_node(), 0),)
        else:
            nexts = ((fn, t._output_nr),)
        meta = [(t._data.shape, t.dtype)]
    else:
        nexts = []
        meta = []
        for t in inputs:
            if t is None or t.__class__ in _SCALARS or not t._requires_grad:
                nexts.append(_NO_EDGE)
                meta.append(None)
            else:       # _edge, inline: this is the hottest path
                fn = t._grad_fn if t._view_fn is None or t._vc[0] == t._view_ver else view_history(t)
                if fn is None:
                    fn = t._accum
                    nexts.append((fn if fn is not None else t._accum_node(), 0))
                else:
                    nexts.append((fn, t._output_nr))
                meta.append((t._data.shape, t.dtype))
        nexts = tuple(nexts)
    node = _new_node(cls)       # Node.__init__'s four fields, set inline on this hot path
    node._fn = bwd
    node.next_functions = nexts
    node._meta = meta
    node._nout = len(outputs)
    node._saved = None
    node._had_saved = False
    node._args = args
    i = 0
    for o in outputs:
        o._requires_grad = True
        o._grad_fn = node
        o._output_nr = i
        i += 1
    if save:
        node._saved = _saved_items(node, save)
        node._had_saved = True
    if node_watchers:
        for w in tuple(node_watchers):
            w(node)
    return node


def linear_grad(name, gi, g, adjoint):
    """gi, a backward computed on arrays (linear in g), made differentiable in g under create_graph: its
    own backward is the adjoint, `adjoint(gg)` in tensor ops (for a view-like op, the op itself)."""
    if g._requires_grad and grad_state.enabled:
        attach(name, lambda node, gg: (adjoint(gg),), (g,), (gi,))
    return gi


def view_history(t):
    """The history of a view whose base (or another view of it) was written in place since it was
    recorded: torch regenerates it from the base's current history, as one as_strided of the base."""
    fn, base = t._grad_fn, t._base
    if fn is not None and base._requires_grad:
        name = fn.name()
        if name in _MULTI_VIEW_NODES:
            raise RuntimeError(f"Output {t._output_nr} of {name[:-9]} is a view and its base or another view of "
                               "its base has been modified inplace. This view is the output of a function that "
                               "returns multiple views. Such functions do not allow the output views to be "
                               "modified inplace. You should replace the inplace operation by an out-of-place one.")
        _adopt_history(t, base)
    t._view_ver = t._vc[0]
    return t._grad_fn


def _adopt_history(view, base):
    """Give a view the history torch regenerates for it after an in-place write to its storage: one
    as_strided of the base's current history (dtype views replay their op)."""
    enabled, grad_state.enabled = grad_state.enabled, True
    try:
        new = view._view_fn(base)
    finally:
        grad_state.enabled = enabled
    if new._grad_fn is not None and new.dtype is base.dtype:
        new._grad_fn.__class__ = node_class('AsStridedBackward0')
    view._grad_fn, view._output_nr = new._grad_fn, new._output_nr
    view._view_ver = view._vc[0]
    if view._retains_grad:
        view._move_retain_grad()


def device_error(a, b):
    if a.type == 'meta' or b.type == 'meta':     # torch's meta kernels check devices with their own words
        return RuntimeError(f"Tensor on device {b} is not on the expected device {a}!")
    return RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                        f"{a} and {b}!")


def same_device(*tensors):
    """torch's error when tensors (None allowed) sit on different devices."""
    dev = None
    for t in tensors:
        if t is not None:
            if dev is None:
                dev = t._device
            elif t._device is not dev:
                raise device_error(dev, t._device)


def guard(bwd, *tensors):
    """bwd, after checking that `tensors` (index tensors its closure reads) were not changed in
    place since the forward: torch saves them for backward and raises its version error."""
    saved = [(t, t._vc[0]) for t in tensors if t is not None]

    def checked(node, *grads):
        for t, ver in saved:
            if t._vc[0] != ver:
                from ..autograd.graph import _modified_msg
                raise RuntimeError(_modified_msg(t, None, None, t._vc[0], ver, None, 0))
        return bwd(node, *grads)
    return checked


def needs(node, i):
    """Whether input i of a node wants a gradient."""
    return node.next_functions[i][0] is not None


# --- in-place and out= -------------------------------------------------------------------------

# the view functions with several outputs: torch forbids writing into their outputs in place
_MULTI_VIEW_NODES = frozenset(('UnbindBackward0', 'SplitBackward0', 'SplitWithSizesBackward0'))


def check_inplace(t):
    if t._inference and not grad_state.inference:
        raise RuntimeError("Inplace update to inference tensor outside InferenceMode is not allowed.You can make "
                           "a clone to get a normal tensor before doing inplace update.See "
                           "https://github.com/pytorch/rfcs/pull/17 for more details.")
    if t._requires_grad and t._grad_fn is None and grad_state.enabled:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    if t._view_fn is not None and t._grad_fn is not None and grad_state.enabled:
        name = t._grad_fn.name()
        if name in _MULTI_VIEW_NODES:
            raise RuntimeError(f"Output {t._output_nr} of {name[:-9]} is a view and is being modified inplace. This "
                               "view is the output of a function that returns multiple views. Such functions do not "
                               "allow the output views to be modified inplace. You should replace the inplace "
                               "operation by an out-of-place one.")
    if t._base is not None and t._base._requires_grad and t._base._grad_fn is None \
            and grad_state.enabled and t._requires_grad:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                           "operation.")


def commit_inplace(self, result):
    """Write an out-of-place result into self (a tensor or a view) and move the autograd history."""
    # torch checks the shape before the dtype
    if result._data.shape != self._data.shape:
        raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the broadcast "
                           f"shape {list(result._data.shape)}")
    if result.dtype is not self.dtype and not D.can_cast(result.dtype, self.dtype):
        raise RuntimeError(f"result type {D.type_name(result.dtype)} can't be cast to the desired "
                           f"output type {D.type_name(self.dtype)}")
    if self._data is not result._data:
        fn = result._grad_fn
        if fn is not None and fn._saved:
            _keep_original(fn, self)
        write_into(self._data, _cast_for(self, result))
    self._vc[0] += 1
    base = self._base
    if grad_state.enabled and (result._requires_grad or self._requires_grad
                               or (base is not None and base._requires_grad)):
        if base is not None and self._view_fn is not None:
            _rebase_view(self, base, result)
        elif result._requires_grad:
            self._requires_grad = True
            self._grad_fn = result._grad_fn
            self._output_nr = result._output_nr
            if self._retains_grad:
                self._move_retain_grad()
        else:       # overwritten by a constant: no gradient flows to the old history any more
            self._requires_grad = False
            self._grad_fn = None
    return self


def _cast_for(dst, result):
    """result's array as written into dst: NumPy's assignment casts, except to bfloat16, whose
    array is float32 (torch rounds a float result to bfloat16 once, when it stores it)."""
    if dst.dtype._fix is not None and result.dtype is not dst.dtype:
        return D.round_to(dst.dtype, result._data)
    return result._data


def _keep_original(node, t):
    """The op's node saved t (by reference) and t is about to be overwritten: save a copy of its
    value instead, with t's history (torch saves the original self, e.g. for `a.mul_(b)`'s grad of b)."""
    for i, item in enumerate(node._saved):
        if item is not None and item[0] is t:
            c = _make(t._data.copy(), t.dtype, t._device)
            c._requires_grad, c._grad_fn, c._output_nr = t._requires_grad, t._grad_fn, t._output_nr
            node._saved[i] = (c, None, c._vc, c._vc[0], 0, None, None)


def _rebase_view(view, base, result):
    """In-place change through a view: the base's history becomes CopySlices(base, result)."""
    view_fn = view._view_fn

    def bwd(node, g):
        gb = gv = None
        if needs(node, 0):
            gb = g.clone()
            view_fn(gb)._data[...] = 0
        if needs(node, 1):
            gv = view_fn(g)
        return gb, gv
    old = _make(base._data, base.dtype, base._device)
    old._requires_grad, old._grad_fn, old._output_nr = base._requires_grad, base._grad_fn, base._output_nr
    if base._grad_fn is None and base._requires_grad:
        old = base
    attach('CopySlices', bwd, (old, result), (base,))
    if base._retains_grad:
        base._move_retain_grad()
    view._requires_grad = True      # the view now reads its gradient out of the base's new history
    _adopt_history(view, base)


def _not_implemented_inplace(name):
    def bwd(node, *grads):
        raise RuntimeError(f"derivative for aten::{name} is not implemented")
    return bwd


def _dense_span(a):
    """(first byte, end byte) of an array laid out densely without overlap, else None (torch's TooHard)."""
    lo = hi = a.__array_interface__['data'][0] if a.__class__ is np.ndarray else a.data.ptr
    for n, st in zip(a.shape, a.strides):
        if n > 1:
            if st < 0:
                lo += (n - 1) * st
            else:
                hi += (n - 1) * st
    hi += a.itemsize
    return (lo, hi) if hi - lo == a.nbytes else None


def check_partial_overlap(out, t):
    """torch refuses to write into `out` while reading `t` that shares only part of its memory."""
    a, b = out._data, t._data
    if not a.size or not b.size:
        return
    sa, sb = _dense_span(a), _dense_span(b)
    if sa is None or sb is None:
        return
    if (sa == sb and a.strides != b.strides) or (sa != sb and sa[0] < sb[1] and sb[0] < sa[1]):
        raise RuntimeError(_SOME_ELEMENTS)


_SOME_ELEMENTS = ("unsupported operation: some elements of the input tensor and the written-to tensor refer to a "
                  "single memory location. Please clone() the tensor before performing the operation.")


def assert_no_overlap(out, *inputs, numel=None):
    """torch's checks in kernels that read their inputs while writing `out` (masked_select, take, cat ...): no
    element of out written twice, and no input sharing memory with out, wholly or in part (where both lie
    densely; others are too hard to tell and pass). numel: the result's, where torch first resizes a
    contiguous out of another size in place (its storage holds it): the span it then has."""
    if not isinstance(out, Tensor):
        return
    a = out._data
    resized = numel is not None and numel != a.size
    if not resized and expanded(a):
        raise RuntimeError(_OVERLAP)
    sa = _dense_span(a) if a.size else None
    if resized and a.flags.c_contiguous:
        fits = out.storage_offset() + numel <= out.untyped_storage().nbytes() // a.itemsize
        sa = (sa[0], sa[0] + numel * a.itemsize) if fits and sa is not None else None
    for t in inputs:
        if t is out:        # the same tensor overlaps wholly, even empty
            raise RuntimeError(_SOME_ELEMENTS)
        if not isinstance(t, Tensor) or not t._data.size or sa is None:
            continue
        sb = _dense_span(t._data)
        if sa is not None and sb is not None and sa[0] < sb[1] and sb[0] < sa[1]:
            raise RuntimeError(_SOME_ELEMENTS)


def _write_directly(f, self, other, alpha=None):
    """The common in-place update that records nothing: a float32/float64 tensor and a tensor of its
    dtype, shape and device (or 0-d), or a Python int/float, through f's ufunc (f._ufunc) straight
    into self's array (NumPy's or CuPy's); the general path computes a result, then copies it in.
    With add_/sub_'s alpha (float32 only), OpenBLAS's fused saxpy straight into self (_fused_axpy), else
    pointwise._with_alpha's float64 arithmetic, its result rounded straight into self.
    False where anything is unusual (autograd, views of one storage, broadcasting, an expanded self):
    the general path."""
    uf = getattr(f, '_ufunc', None)
    if uf is None or self._requires_grad or not (self.dtype is D.float32 or self.dtype is D.float64):
        return False
    if alpha is not None and (alpha.__class__ is not float and alpha.__class__ is not int
                              or self.dtype is not D.float32 or other.__class__ is not Tensor
                              or (uf is not np.add and uf is not np.subtract)):
        return False
    a = self._data
    if other.__class__ is Tensor:
        if other.dtype is not self.dtype or other._device is not self._device or other._requires_grad \
                or other._vc is self._vc and other is not self:
            return False
        b = other._data
        if b.shape != a.shape and b.ndim:
            return False
    elif other.__class__ is float or other.__class__ is int and -2 ** 53 <= other <= 2 ** 53:
        b = other
    else:
        return False
    base = self._base
    if base is not None and base._requires_grad or expanded(a) or \
            (not a.flags.writeable if a.__class__ is np.ndarray else not np._gpu(a)):
        return False
    if alpha is None or alpha == 1:
        uf(a, b, out=a)     # (on a GPU one launch, where the general path makes two: the result, then the copy)
    elif b.shape != a.shape:
        return False
    else:
        _fused_axpy(a, b, alpha if uf is np.add else -alpha)
    self._vc[0] += 1
    return True


def _fused_axpy(a, b, alpha, inplace=True):
    """a + alpha * b for float32 arrays of one shape as torch's CPU loop computes it, one fused multiply-add
    per element (alpha as float32): OpenBLAS's saxpy where it is fused (_blas; NumPy arrays, both
    C-contiguous), else in float64, rounded once (which differs only next to a tie). Written into a
    (inplace) or a new array; returned."""
    alpha = np.float32(alpha)
    f = None
    if a.__class__ is np.ndarray and b.__class__ is np.ndarray and alpha and a is not b \
            and a.flags.c_contiguous and b.flags.c_contiguous and a.dtype == b.dtype == np.float32:
        f = saxpy()         # (alpha 0: OpenBLAS returns at once, torch still propagates a NaN or inf in b)
    if f is not None:
        if not inplace:
            a = a.copy()
        f(a, b, alpha)
        return a
    t = np.multiply(b, np.float64(alpha), dtype=np.float64)[...]     # (0-d: an array)
    t += a
    if not inplace:
        return t.astype(np.float32)
    np.copyto(a, t, casting='same_kind')
    return a


def make_inplace(f, name):
    def inplace(self, *args, **kwargs):
        check_inplace(self)
        if len(args) == 1 and (not kwargs or len(kwargs) == 1 and 'alpha' in kwargs) \
                and _write_directly(f, self, args[0], **kwargs):
            return self
        if args and args[0].__class__ is Tensor and args[0]._vc is self._vc:     # views of one storage
            check_partial_overlap(self, args[0])
        try:
            r = f(self, *args, **kwargs)
        except TypeError as e:      # a binary op's operands error, worded for this method
            from .pointwise import reworded
            raise reworded(e, name, (self,) + args[:1]) from None
        except (NotImplementedError, RuntimeError) as e:
            # the kernel's refusal (a dtype it lacks, integer division by zero) comes after torch has
            # checked the output's shape and whether the result type can be cast to it
            if e.__class__ is RuntimeError and e.args != ('ZeroDivisionError',):
                raise
            other = args[0] if args else None
            if other.__class__ is Tensor and other._data.shape != self._data.shape:
                try:
                    shape = np.broadcast_shapes(self._data.shape, other._data.shape)
                except ValueError:
                    shape = None
                if shape is not None and shape != self._data.shape:
                    raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the "
                                       f"broadcast shape {list(shape)}") from None
            if len(args) == 1 and (other.__class__ is Tensor or other.__class__ in _SCALARS):     # a binary op
                rt = D.result_type_of((self, other)) if other.__class__ is Tensor else \
                    D.result_type_of((self,), (other,))
                if rt is not self.dtype and not D.can_cast(rt, self.dtype):
                    raise RuntimeError(f"result type {D.type_name(rt)} can't be cast to the desired "
                                       f"output type {D.type_name(self.dtype)}") from None
            raise
        fn = r._grad_fn
        if fn is not None and fn.__class__ is _classes.get('NotImplemented'):
            fn._fn = _not_implemented_inplace(name)        # torch's message names the in-place op
        return commit_inplace(self, r)
    inplace.__name__ = name
    return inplace


def write_out(out, result, fname=None):
    """The out= form: torch resizes `out` and copies; out= never records autograd."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{fname or 'op'}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if result._requires_grad and grad_state.enabled:
        raise RuntimeError(f"{fname or 'op'}(): functions with out=... arguments don't support "
                           "automatic differentiation, but one of the arguments requires grad.")
    if out._requires_grad and grad_state.enabled:
        raise RuntimeError(f"{fname or 'op'}(): functions with out=... arguments don't support "
                           "automatic differentiation, but one of the arguments requires grad.")
    if result.dtype is not out.dtype and not D.can_cast(result.dtype, out.dtype):
        raise RuntimeError(f"result type {D.type_name(result.dtype)} can't be cast to the desired "
                           f"output type {D.type_name(out.dtype)}")
    if out._data.shape != result._data.shape:
        out._data = np.empty(result._data.shape, out._data.dtype) if out._device.type == 'cpu' \
            else out._data.__class__(result._data.shape, out._data.dtype)
    out._data[...] = _cast_for(out, result)
    out._vc[0] += 1
    return out


def with_out(f, fname=None, overlap=False, same_dtype=False):
    """Give a function an out= keyword (for ops that do not handle it themselves). overlap: torch's kernel
    refuses an `out` that repeats elements or shares memory with a tensor argument (checked once the
    arguments are, before the write; 'resized': after resizing out, as a structured kernel);
    same_dtype: its out must have the result's dtype (a structured kernel)."""
    def g(*args, out=None, **kwargs):
        r = f(*args, **kwargs) if kwargs else f(*args)      # (a call without **kwargs costs less)
        if out is None:
            return r
        if same_dtype and isinstance(out, Tensor) and out.dtype is not r.dtype:
            from .._tensor import _dtype_c10
            raise RuntimeError(f"Expected out tensor to have dtype {_dtype_c10(r.dtype)}, but got "
                               f"{_dtype_c10(out.dtype)} instead")
        if overlap:
            assert_no_overlap(out, *args, *kwargs.values(), numel=r._data.size if overlap == 'resized' else None)
        if isinstance(r, tuple):
            return type(r)(write_out(o, x, fname) for o, x in zip(out, r)) if hasattr(r, '_fields') \
                else tuple(write_out(o, x, fname) for o, x in zip(out, r))
        return write_out(out, r, fname or f.__name__)
    g.__name__ = f.__name__
    g.__doc__ = f.__doc__
    return g


def broadcast_shapes(*shapes):
    """The shapes' broadcast shape, or torch's error (its TensorIterator compares the shape so far
    with each next operand's), instead of NumPy's ValueError."""
    out = ()
    for s in shapes:
        n = max(len(out), len(s))
        a, b = (1,) * (n - len(out)) + tuple(out), (1,) * (n - len(s)) + tuple(s)
        for i in range(n - 1, -1, -1):
            if a[i] != b[i] and a[i] != 1 and b[i] != 1:
                raise RuntimeError(f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at "
                                   f"non-singleton dimension {i}")
        out = tuple(y if x == 1 else x for x, y in zip(a, b))
    return out


def no_dims_error(dim):
    """torch's error for asking a 0-dim tensor for its size along dim."""
    return IndexError(f"Dimension specified as {dim} but tensor has no dimensions")


_OVERLAP = ("unsupported operation: more than one element of the written-to tensor refers to a single memory "
            "location. Please clone() the tensor before performing the operation.")


def expanded(a):
    """Does array a repeat elements (a broadcast view, whose writes torch refuses)?"""
    return bool(0 in a.strides and a.size and any(st == 0 and n > 1 for st, n in zip(a.strides, a.shape)))


def write_into(dst, value, fill=False):
    """dst[...] = value for a tensor's array. torch refuses to write into an expanded tensor whose
    elements share memory, except for a fill. NumPy's broadcast views are read-only: those writes go
    through a writable alias."""
    if not fill and expanded(dst):
        raise RuntimeError(_OVERLAP)
    try:
        dst[...] = value
    except ValueError:
        if dst.flags.writeable:
            raise
        alias = dst.view()
        alias.flags.writeable = True        # allowed: the memory under the broadcast view is writable
        alias[...] = value


def zero_grad(g, *_):
    """torch's zeros_like(grad), the gradient of piecewise-constant ops: +0 even for a negative, inf or
    NaN g (g * 0 would give -0.0 and NaN)."""
    return _make(np.zeros_like(g._data), g.dtype, g._device)


def dispatcher_error(name, backend, mobile_hint=True):
    """torch's dispatcher error for an op with no kernel for a backend (QuantizedCPU, SparseCPU ...);
    torch adds the mobile hint for some backends and lists build paths (not reproduced) for others."""
    hint = (" If you are a Facebook employee using PyTorch on mobile, please visit https://fburl.com/ptmfixes "
            "for possible resolutions.") if mobile_hint else ''
    return NotImplementedError(
        f"Could not run 'aten::{name}' with arguments from the '{backend}' backend. This could be because the "
        "operator doesn't exist for this backend, or was omitted during the selective/custom build process (if "
        f"using custom build).{hint}")


def outermost_call(frame):
    """The name of the outermost faketorch function on the stack from `frame` up: the op the user called,
    which torch's dispatcher errors name."""
    name = None
    while frame is not None:
        if frame.f_globals.get('__name__', '').startswith('faketorch'):
            name = frame.f_code.co_name
        elif name is not None:
            break
        frame = frame.f_back
    return name


def kernel_error(kernel, dtype, device=None):
    """torch's error for a dtype its kernel has no loop for. `kernel` is the CPU kernel's name; given
    a CUDA `device`, the error names torch's CUDA kernel (cuda_kernel)."""
    if device is not None and device.type == 'cuda':
        kernel = cuda_kernel(kernel)
    return NotImplementedError(f'"{kernel}" not implemented for \'{D.type_name(dtype)}\'')


# torch's CUDA kernels dispatch under other names than its CPU ones: "frac_cpu" is "frac_cuda" there and
# "trunc_vml_cpu" is "trunc_cuda" (the rule), and these are the exceptions (recorded from torch 2.11's CUDA build)
_CUDA_KERNELS = {
    'GeluKernelImpl': 'GeluCUDAKernelImpl',
    'softmax_lastdim_kernel_impl': 'host_softmax', 'log_softmax_lastdim_kernel_impl': 'host_softmax',
    'softmax_kernel_impl': 'host_softmax', 'log_softmax_kernel_impl': 'host_softmax',
    '_segment_reduce_cpu': 'segment_reduce_cuda',
    'lt_cpu': 'compare_cuda', 'le_cpu': 'compare_cuda', 'gt_cpu': 'compare_cuda', 'ge_cpu': 'compare_cuda',
    'lerp_kernel_scalar': 'lerp_cuda', 'lerp_kernel_tensor': 'lerp_cuda',
    'lu_cpu': 'lu_factor_cusolver', 'median_out': 'median_out_impl',
    'adaptive_avg_pool2d': 'adaptive_avg_pool2d_cuda', 'batch_norm': 'batch_norm_stats_cuda',
    'binary_cross_entropy': 'binary_cross_entropy_out_cuda', 'log_sigmoid_cpu': 'log_sigmoid_forward_cuda',
    'grid_sampler_2d_cpu_kernel_impl': 'grid_sampler_2d_cuda', 'grid_sampler3d_cpu': 'grid_sampler_3d_cuda',
    'multi_margin_loss_cpu_kernel': 'multi_margin_loss_cuda',
    'multilabel_margin_loss_forward_out_frame': 'multilabel_margin_loss_forward_kernel',
    'nll_loss2d_forward_out_frame': 'nll_loss2d_forward_kernel',
    'addmm_impl_cpu_': 'addmm_cuda', 'addmv_impl_cpu': 'addmv_impl_cuda', 'bmm': 'baddbmm_cuda',
    'randperm': 'randperm_out_cuda',
}


def cuda_kernel(kernel):
    """The name torch's CUDA build gives the kernel its CPU build calls `kernel`."""
    cuda = _CUDA_KERNELS.get(kernel)
    if cuda is None:
        cuda = kernel.removesuffix('_cpu').removesuffix('_vml') + '_cuda' if kernel.endswith('_cpu') else kernel
    return cuda
