"""Nested tensors, both layouts, as one Tensor subclass around a regular `_values` tensor.

- strided (torch's NestedTensorImpl): `_values` is the flat buffer of every component, `_sizes`
  their shapes. Components may be ragged in any dim but share their number of dims.
- jagged (torch.nested._internal.nested_tensor.NestedTensor): `_values` packs the components along
  the ragged dim (at `_ragged_idx - 1` in `_values`), `_offsets` (and `_lengths` after narrow) say
  where each one lies, the ragged size prints as a nested int `j<n>`.

All autograd runs through `_values`: an op is a regular op on `_values` (elementwise, linear on the
last dim ...) or a regular op per component whose results are packed again; in the second case an
identity node on top carries torch's grad_fn name. `_data` raises, so a Tensor path not written
for nested tensors fails loudly instead of computing on the buffer.
"""
import itertools
import weakref

from ...overrides import _disabled_torch_function_impl

from ... import _dtype as D
from ..._tensor import Tensor, Size, _make, _tuple_new
from ..._ops._core import attach, dispatcher_error
from ...autograd.grad_mode import state as _grad_state

_counter = itertools.count(1)


class NestedInt:
    """The symbolic size of a jagged dim, printed j1, j2 ... (one per offsets tensor, in creation order);
    times an int (a jagged tensor's batch stride) it prints as torch's SymInt does, 8*j1."""
    __slots__ = ('_n', '_coeff')

    def __init__(self, n=None, coeff=1):
        self._n = next(_counter) if n is None else n
        self._coeff = coeff

    def __repr__(self):
        return f'j{self._n}' if self._coeff == 1 else f'{self._coeff}*j{self._n}'

    __str__ = __repr__

    def __mul__(self, k):
        if not isinstance(k, int) or isinstance(k, bool):
            return NotImplemented
        return NestedInt(self._n, self._coeff * k)

    __rmul__ = __mul__

    def __eq__(self, other):
        return isinstance(other, NestedInt) and (other._n, other._coeff) == (self._n, self._coeff)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(('j', self._n, self._coeff))


def _named(name, t):
    """t under torch's grad_fn name: an identity node on top of its history (shares t's array)."""
    if not t.requires_grad:
        return t
    out = _make(t._data, t.dtype, t._device)
    attach(name, lambda node, g: (g,), (t,), (out,))
    return out


def _unsupported(op, layout='strided'):
    raise dispatcher_error(op, 'NestedTensorCPU' if layout == 'strided' else 'NestedTensor', mobile_hint=False)


class NestedTensor(Tensor):
    is_nested = True
    __torch_function__ = _disabled_torch_function_impl     # faketorch routes its ops itself

    @property
    def _data(self):
        # shadows Tensor's slot: a Tensor path not written for nested tensors stops here
        raise NotImplementedError("faketorch: this operation does not support nested tensors")

    # --- structure ---
    @property
    def layout(self):
        import faketorch
        return faketorch.jagged if self._jagged else faketorch.strided

    @property
    def _jagged(self):
        return self._offsets is not None

    def _batch(self):
        return len(self._offsets) - 1 if self._jagged else len(self._sizes)

    def dim(self):
        if self._jagged:
            return self._values.dim() + 1
        return len(self._sizes[0]) + 1 if self._sizes else 1

    ndimension = dim

    @property
    def ndim(self):
        return self.dim()

    def _jagged_size(self):
        s = list(self._values.shape)
        s.insert(0, self._batch())
        s[self._ragged_idx] = self._nint
        return _tuple_new(Size, s)

    def size(self, dim=None):
        if self._jagged:
            s = self._jagged_size()
            return s if dim is None else s[_wrap_dim(dim, len(s))]
        if dim is None:
            raise RuntimeError("Internal error: NestedTensorImpl doesn't support sizes. Please file an issue.")
        d = _wrap_dim(dim, self.dim())
        if d == 0:
            return self._batch()
        sizes = {s[d - 1] for s in self._sizes}
        if len(sizes) != 1:
            raise RuntimeError(f"Given dimension {dim} is irregular and does not have a size.")
        return sizes.pop()

    @property
    def shape(self):
        return self.size()

    def __len__(self):
        return self.size(0) if self._jagged else self.size()[0]

    def numel(self):
        return self._values.numel()

    nelement = numel

    def stride(self, dim=None):
        if self._jagged:
            st = (self._values.stride(self._ragged_idx - 1) * self._nint, *self._values.stride())
            return st if dim is None else st[_wrap_dim(dim, len(st))]
        raise RuntimeError("Internal error: NestedTensorImpl doesn't support strides. Please file an issue.")

    def is_contiguous(self, memory_format=None):
        if self._jagged:
            return self._lengths is None and self._values.is_contiguous()
        return self._contiguous

    def nested_dim(self):
        return 1

    def _nested_tensor_size(self):
        import faketorch
        return faketorch.tensor([list(s) for s in self._sizes], dtype=D.int64)

    def values(self):
        if self._jagged:
            return _named('NestedGetValuesBackward0', self._values)
        return _named('ValuesBackwardAutogradNestedTensor0', self._values)

    def offsets(self):
        self._need_jagged('offsets')
        return self._offsets

    def lengths(self):
        self._need_jagged('lengths')
        return self._lengths

    def _need_jagged(self, name):
        if not self._jagged:
            raise AttributeError(f"'Tensor' object has no attribute '{name}'")

    # --- autograd lives on _values ---
    @property
    def requires_grad(self):
        return self._values.requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        self._values.requires_grad_(flag)

    def requires_grad_(self, requires_grad=True):
        self._values.requires_grad_(requires_grad)
        return self

    @property
    def grad_fn(self):
        return self._values.grad_fn

    @property
    def is_leaf(self):
        return self._values.is_leaf

    @property
    def grad(self):
        g = self._values.grad
        return None if g is None else self._like(g)

    @grad.setter
    def grad(self, g):
        self._values.grad = None if g is None else g._values

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        if gradient is None:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        self._values.backward(gradient._values, retain_graph, create_graph)

    def retain_grad(self):
        self._values.retain_grad()

    def detach(self):
        return self._like(self._values.detach())

    # --- components ---
    def _components(self):
        """The components as regular tensors (views of _values, in its graph)."""
        v = self._values
        if self._jagged:
            off = self._offsets.tolist()
            lens = self._lengths.tolist() if self._lengths is not None else [b - a for a, b in zip(off, off[1:])]
            return [v.narrow(self._ragged_idx - 1, o, n) for o, n in zip(off, lens)]
        out, o = [], 0
        for s in self._sizes:
            n = Size(s).numel()
            out.append(v[o:o + n].view(s))
            o += n
        return out

    def _like(self, values):
        """A nested tensor of this structure around new values (same shape as _values)."""
        if self._jagged:
            return _jagged(values, self._offsets, self._lengths, self._ragged_idx, self._nint, self._contiguous)
        return _strided(values, self._sizes, self._contiguous)

    def _repack(self, comps, name=None):
        """Components (results of per-component ops) packed into a nested tensor of this layout."""
        import faketorch
        if self._jagged:
            r = self._ragged_idx
            v = faketorch.cat(comps, r - 1) if comps else self._values.narrow(r - 1, 0, 0)
            lens = [c.shape[r - 1] for c in comps]
            same = self._lengths is None and lens == [b - a for a, b in zip(self._offsets.tolist(),
                                                                            self._offsets.tolist()[1:])]
            if name is not None:
                v = _named(name, v)
            if same:
                return _jagged(v, self._offsets, None, r, self._nint, True)
            return _jagged(v, _offsets_of(lens, v._device), None, r, None, True)
        v = faketorch.cat([c.reshape(-1) for c in comps]) if comps else self._values[:0]
        if name is not None:
            v = _named(name, v)
        return _strided(v, [tuple(c.shape) for c in comps], True)

    def unbind(self, dim=0):
        if dim != 0:
            raise RuntimeError(f"NestedTensor can only be unbound along dimension 0 got dimension {dim} instead.")
        return tuple(_named('UnbindBackwardAutogradNestedTensor0', c) for c in self._components())

    def __getitem__(self, i):
        if isinstance(i, int) and not isinstance(i, bool):
            b = self._batch()
            if not -b <= i < b:
                raise IndexError(f"index {i} is out of bounds for dimension 0 with size {b}")
            return _named('SelectBackwardAutogradNestedTensor0', self._components()[i])
        raise NotImplementedError("faketorch nested tensors are indexed by an integer only")

    def narrow(self, dim, start, length):
        if dim != 0:
            raise RuntimeError(f"narrow(): only dim=0 supported for nested tensors, but got: {dim}")
        return self._repack(self._components()[start:start + length])

    def __iter__(self):
        return iter(self.unbind())

    def to_padded_tensor(self, padding, output_size=None):
        return to_padded_tensor(self, padding, output_size)

    # --- conversions (on _values, so their grad_fn is torch's) ---
    def to(self, *args, **kwargs):
        return self._like(self._values.to(*args, **kwargs))

    def clone(self, memory_format=None):
        return self._like(self._values.clone())

    def contiguous(self, memory_format=None):
        return self if self.is_contiguous() else self._repack(self._components(), 'CloneBackward0')

    def float(self):
        return self.to(D.float32)

    def bool(self):
        return self.to(D.bool)

    def long(self):
        return self.to(D.int64)

    def int(self):
        return self.to(D.int32)

    def double(self):
        return self.to(D.float64)

    def half(self):
        return self.to(D.float16)

    def cpu(self):
        return self.to('cpu')

    def cuda(self, device=None):
        return self.to('cuda' if device is None else device)

    # --- printing ---
    def __repr__(self, *, tensor_contents=None):
        if self._jagged:
            extra = f", requires_grad={self.requires_grad}" if self.requires_grad else ""
            if self.grad_fn is not None:
                extra = f", grad_fn={self.grad_fn!r}"
            size = '(' + ', '.join(str(s) for s in self._jagged_size()) + ')'
            return f"NestedTensor(size={size}, offsets={self._offsets!r}{extra}, contiguous={self.is_contiguous()})"
        rg = self.requires_grad
        comps = []
        for c in self._components():
            c = c.detach().requires_grad_(rg) if rg else c.detach()
            comps.append('  ' + repr(c).replace('\n', '\n  '))
        body = ',\n'.join(comps)
        suffix = ''
        if self.grad_fn is not None:
            suffix = f', grad_fn=<{type(self.grad_fn).__name__}>'
        elif rg:
            suffix = ', requires_grad=True'
        return f"nested_tensor([\n{body}\n]{suffix})"

    __str__ = __repr__

    def __format__(self, spec):
        return object.__format__(self, spec)

    def __hash__(self):
        return id(self)

    def __bool__(self):
        raise RuntimeError("Internal error: NestedTensorImpl doesn't support sizes. Please file an issue.")

    def tolist(self):
        if self._jagged:
            raise RuntimeError(".tolist() is not supported for tensor subclasses, got NestedTensor")
        raise RuntimeError("Internal error: NestedTensorImpl doesn't support strides. Please file an issue.")

    def numpy(self, *, force=False):
        if self._jagged:
            raise RuntimeError(".numpy() is not supported for tensor subclasses.")
        raise RuntimeError("Internal error: NestedTensorImpl doesn't support sizes. Please file an issue.")

    def item(self):
        if self.numel() != 1:
            raise RuntimeError(f"a Tensor with {self.numel()} elements cannot be converted to Scalar")
        return self._values.item()

    @property
    def data(self):
        return self.detach()

    # --- in place, on the values (their version counter and leaf checks are torch's) ---
    def _inplace(self, name, *args, **kwargs):
        if self._jagged and name in ('abs_', 'neg_'):
            raise NotImplementedError(f"aten.{name}.default")
        if self._jagged and self.is_leaf and self.requires_grad and _grad_state.enabled:
            # torch's jagged tensor is a view of its values; nested_tensor() makes it under no_grad
            if getattr(self, '_no_grad_view', False):
                raise RuntimeError(
                    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. "
                    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your "
                    "code by moving both the view and the inplace either both inside the no_grad block (if you "
                    "don't want the inplace to be tracked) or both outside (if you want the inplace to be "
                    "tracked).")
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
        getattr(self._values, name)(*args, **kwargs)
        return self

    def relu_(self):
        return self._inplace('relu_')

    def abs_(self):
        return self._inplace('abs_')

    def neg_(self):
        return self._inplace('neg_')

    def zero_(self):
        return self._inplace('zero_')

    def fill_(self, value):
        return self._inplace('fill_', value)

    def add_(self, other, *, alpha=1):
        return self._inplace('add_', _values_of(other), alpha=alpha)

    def sub_(self, other, *, alpha=1):
        return self._inplace('sub_', _values_of(other), alpha=alpha)

    def mul_(self, other):
        return self._inplace('mul_', _values_of(other))

    def div_(self, other):
        return self._inplace('div_', _values_of(other))

    def copy_(self, src, non_blocking=False):
        return self._inplace('copy_', _values_of(src))


def _values_of(x):
    return x._values if isinstance(x, NestedTensor) else x


def _wrap_dim(dim, ndim):
    if not -ndim <= dim < ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], but got {dim})")
    return dim % ndim


def _new(values):
    nt = object.__new__(NestedTensor)
    nt.dtype = values.dtype
    nt._device = values._device
    nt._requires_grad = False
    nt._grad_fn = None
    nt._grad = None
    nt._output_nr = 0
    nt._vc = [0]
    nt._base = None
    nt._accum = None
    nt._retains_grad = False
    nt._view_fn = None
    nt._values = values
    return nt


def _strided(values, sizes, contiguous=True):
    nt = _new(values)
    nt._sizes = [tuple(s) for s in sizes]
    nt._offsets = nt._lengths = nt._nint = None
    nt._ragged_idx = None
    nt._contiguous = contiguous
    return nt


_nints = {}    # id(offsets) -> (weakref to offsets, its NestedInt): as torch, one offsets tensor, one j


def _nint_of(offsets):
    hit = _nints.get(id(offsets))
    if hit is not None and hit[0]() is offsets:
        return hit[1]
    n = NestedInt()
    key = id(offsets)
    _nints[key] = (weakref.ref(offsets, lambda _, key=key: _nints.pop(key, None)), n)
    return n


def _jagged(values, offsets, lengths=None, ragged_idx=1, nint=None, contiguous=True):
    nt = _new(values)
    nt._offsets, nt._lengths, nt._ragged_idx = offsets, lengths, ragged_idx
    nt._nint = nint if nint is not None else _nint_of(offsets)
    nt._sizes = None
    nt._contiguous = contiguous
    return nt


def _offsets_of(lengths, device):
    import faketorch
    return faketorch.tensor([0, *itertools.accumulate(lengths)], dtype=D.int64, device=device)


def to_padded_tensor(input, padding, output_size=None):
    import faketorch
    if not isinstance(input, NestedTensor):
        raise NotImplementedError("Could not run 'aten::to_padded_tensor' with arguments from the "
                                  f"'{input.device.type.upper()}' backend.")
    if not input._jagged and not input.is_contiguous():
        raise RuntimeError("for now to_padded_tensor only supports contiguous nested tensor")
    if input._lengths is not None:
        raise RuntimeError("to_padded_tensor(): not supported for nested tensors with holes")
    comps = input._components()
    if not comps:
        return faketorch.tensor([], dtype=input.dtype, device=input.device)
    nd = comps[0].dim()
    top = [max(c.shape[d] for c in comps) for d in range(nd)]
    if output_size is not None:
        output_size = list(output_size)
        if len(output_size) != nd + 1:
            raise RuntimeError("Length of output_size does not match NestedTensor dims. Broadcasting is not supported.")
        if output_size[0] != len(comps) or any(o < t for o, t in zip(output_size[1:], top)):
            raise RuntimeError("Value in output_size is less than NestedTensor padded size. Truncation is not "
                               "supported.")
        top = output_size[1:]
    F = faketorch.nn.functional
    padded = []
    for c in comps:
        widths = []
        for d in reversed(range(nd)):
            widths += [0, top[d] - c.shape[d]]
        padded.append(F.pad(c, widths, value=padding) if any(widths) else c)
    out = faketorch.stack(padded)
    return _named('ToPaddedTensorBackward0', out)
