"""torch.masked's functional API on strided tensors.

Every op replaces the masked-out elements of the input by the identity of the
reduction (0 for sum, -inf for amax ...) with ``where`` and then calls the plain
faketorch op, so results, dtypes, grad_fn chains and gradients are torch's.
Only strided tensors exist in faketorch, so torch's sparse branches and
MaskedTensor are left out.
"""
import faketorch as torch

_INT_TO_LONG = (torch.uint8, torch.bool, torch.int8, torch.int16, torch.int32)


def _is_signed(input):
    return input.dtype.is_signed


def _reduction_identity(op_name, input, *args):
    """The identity of a reduction as a 0-dim tensor of input's dtype; None where ambiguous."""
    dtype, device = input.dtype, input.device
    op_name = op_name.rsplit('.', 1)[-1]
    floating = input.dtype.is_floating_point
    # torch asks is_signed() or uint8: every integer dtype but the unsigned wide ones
    integral_ok = _is_signed(input) or dtype == torch.uint8
    if op_name in ('sum', 'cumsum'):
        return torch.tensor(0, dtype=dtype, device=device)
    if op_name in ('prod', 'cumprod'):
        return torch.tensor(1, dtype=dtype, device=device)
    if op_name in ('amax', 'argmax', 'logaddexp'):
        if floating:
            return torch.tensor(-torch.inf, dtype=dtype, device=device)
        if integral_ok:
            return torch.tensor(torch.iinfo(dtype).min, dtype=dtype, device=device)
    elif op_name == 'logsumexp':
        if floating:
            return torch.tensor(-torch.inf, dtype=dtype, device=device)
        if input.dtype.is_complex:
            return torch.tensor(-torch.inf + 0j, dtype=dtype, device=device)
        if integral_ok:
            return torch.tensor(torch.iinfo(dtype).min, dtype=dtype, device=device)
    elif op_name in ('amin', 'argmin'):
        if floating:
            return torch.tensor(torch.inf, dtype=dtype, device=device)
        if integral_ok:
            return torch.tensor(torch.iinfo(dtype).max, dtype=dtype, device=device)
    elif op_name == 'mean':
        return None         # the mean of the input itself: no single value
    elif op_name == 'norm':
        ord = args[0] if args else 2
        if ord == float('-inf'):
            if not floating:
                raise AssertionError(f"input must be floating point, got {input.dtype}")
            return torch.tensor(torch.inf, dtype=dtype, device=device)
        return torch.tensor(0, dtype=dtype, device=device)
    elif op_name == 'median':
        # nan: the implementation uses nanmedian, which skips it
        dtype = input.dtype if floating else torch.float
        return torch.tensor(torch.nan, dtype=dtype, device=device)
    elif op_name in ('var', 'std'):
        return None
    raise NotImplementedError(f"identity of {op_name} on {dtype} input")


def _canonical_dim(dim, ndim):
    """dim as a sorted tuple of non-negative dims; None and () mean all dims (as torch)."""
    if dim == ():
        dim = None
    if dim is None:
        return tuple(range(ndim))
    ndim = max(ndim, 1)
    dims = []
    for d in ((dim,) if isinstance(dim, int) else dim):
        if d in dims:
            raise RuntimeError(f"dim={d} appears multiple times in the list of dims")
        if d >= ndim or d < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-ndim}, {ndim - 1}], but got {d})")
        dims.append(d % ndim)
    return tuple(sorted(dims))


def _any(input, dim, keepdim):
    r = input
    for d in reversed(dim):
        r = r.any(dim=d, keepdim=keepdim)
    return r


def _where(mask, input, fill_value):
    if mask.layout != torch.strided:
        raise ValueError(f"_where expects strided or sparse COO or sparse CSR tensor but got {mask.layout}")
    return torch.where(mask, input, fill_value)


def _input_mask(input, *args, **kwargs):
    """mask broadcast to input's shape, as bool."""
    mask = kwargs.get('mask')
    if mask is None:
        raise ValueError("_input_mask requires explicit mask")
    if mask.shape != input.shape:
        if mask.ndim > input.ndim:
            raise IndexError("_input_mask expected broadcastable mask "
                             "(got mask dimensionality higher than of the input)")
        mask = torch.broadcast_to(mask.clone(), input.shape).to(dtype=torch.bool)
    return mask.to(dtype=torch.bool)


_REDUCTIONS = {'sum', 'prod', 'amax', 'amin', 'argmax', 'argmin', 'mean', 'median', 'norm',
               'var', 'std', 'logsumexp'}
_NORMALIZATIONS = {'softmax', 'log_softmax', 'softmin', 'normalize', 'cumsum', 'cumprod'}


def _output_mask(op, input, *args, **kwargs):
    """Which output elements are masked-in: any masked-in input along the reduced dims."""
    if not callable(op):
        raise ValueError(f"_output_mask expected masked operation (got {type(op).__name__} object)")
    if op.__name__ in _REDUCTIONS:
        if op.__name__ == 'norm' and args:
            args = args[1:]             # drop ord
        dim = args[0] if args else kwargs.get('dim')
        outmask = _input_mask(input, *args, **kwargs)
        keepdim = kwargs.get('keepdim', False)
        return _any(outmask, _canonical_dim(dim, input.ndim), bool(keepdim))
    if op.__name__ in _NORMALIZATIONS:
        return _input_mask(input, *args, **kwargs)
    raise ValueError(f"_output_mask expected masked operation (got callable "
                     f"{op.__module__}.{op.__name__})")


def _combine_input_and_mask(op, input, mask, *args):
    """input with its masked-out elements replaced by op's identity."""
    if mask is None:
        return input
    canonical_mask = _input_mask(input, mask=mask)
    return _where(canonical_mask, input, _reduction_identity(op.__name__, input, *args))


def _long_for_ints(input, dtype):
    # sum and prod accumulate small integers and bool in int64 unless told otherwise
    if dtype is None:
        dtype = torch.int64 if input.dtype in _INT_TO_LONG else input.dtype
    return dtype


def sum(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    dtype = _long_for_ints(input, dtype)
    dim_ = _canonical_dim(dim, input.ndim)
    mask_input = _combine_input_and_mask(sum, input, mask)
    return torch.sum(mask_input, dim_, bool(keepdim), dtype=dtype)


def prod(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    dtype = _long_for_ints(input, dtype)
    dim_ = _canonical_dim(dim, input.ndim)
    result = _combine_input_and_mask(prod, input, mask).to(dtype=dtype)
    for d in reversed(dim_):        # prod takes one dim at a time
        result = result.prod(dim=d, keepdim=bool(keepdim))
    return result


def cumsum(input, dim, *, dtype=None, mask=None):
    dtype = input.dtype if dtype is None else dtype
    dim_ = _canonical_dim(dim, input.ndim)[0]
    mask_input = _combine_input_and_mask(sum, input, mask)
    return torch.cumsum(mask_input, dim_, dtype=dtype).to(dtype=dtype)


def cumprod(input, dim, *, dtype=None, mask=None):
    dtype = input.dtype if dtype is None else dtype
    dim_ = _canonical_dim(dim, input.ndim)[0]
    mask_input = _combine_input_and_mask(prod, input, mask)
    return torch.cumprod(mask_input, dim_, dtype=dtype).to(dtype=dtype)


def amax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    dtype = input.dtype if dtype is None else dtype
    mask_input = _combine_input_and_mask(amax, input, mask)
    dim_ = _canonical_dim(dim, mask_input.ndim)
    return torch.amax(mask_input, dim_, bool(keepdim)).to(dtype=dtype)


def amin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    dtype = input.dtype if dtype is None else dtype
    mask_input = _combine_input_and_mask(amin, input, mask)
    dim_ = _canonical_dim(dim, mask_input.ndim)
    return torch.amin(mask_input, dim_, bool(keepdim)).to(dtype=dtype)


def argmax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    # torch casts the indices to the input's dtype (float indices for float input)
    dtype = input.dtype if dtype is None else dtype
    mask_input = _combine_input_and_mask(argmax, input, mask)
    return torch.argmax(mask_input, dim, bool(keepdim)).to(dtype=dtype)


def argmin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    dtype = input.dtype if dtype is None else dtype
    mask_input = _combine_input_and_mask(argmin, input, mask)
    return torch.argmin(mask_input, dim, bool(keepdim)).to(dtype=dtype)


def mean(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    dtype_source = 'Optional'
    if dtype is None:
        dtype, dtype_source = input.dtype, 'Input'
    if not (dtype.is_floating_point or dtype.is_complex):
        raise ValueError(f"mean(): Could not infer output dtype. {dtype_source} dtype must be either "
                         f"a floating point or complex dtype. Got: {dtype}")
    if mask is None:
        count = sum(torch.ones(input.shape, dtype=torch.int64, device=input.device), dim,
                    keepdim=keepdim)
        total = sum(input, dim, keepdim=keepdim, dtype=dtype)
    else:
        inmask = _input_mask(input, mask=mask)
        count = inmask.sum(dim=dim, keepdim=bool(keepdim))
        total = sum(input, dim, keepdim=keepdim, dtype=dtype, mask=inmask)
    return total / count     # fully masked-out rows: 0 / 0 = nan


def median(input, dim=-1, *, keepdim=False, dtype=None, mask=None):
    dtype = input.dtype if dtype is None else dtype
    dim_ = _canonical_dim(dim, input.ndim)[0]
    is_float = input.dtype.is_floating_point
    if not is_float:
        input = input.to(dtype=torch.float)
    mask_input = _combine_input_and_mask(median, input, mask)
    output = torch.nanmedian(mask_input, dim_, keepdim).values
    if is_float:
        return output
    if not torch.isnan(output).any():
        return output.to(dtype=dtype)
    raise ValueError("masked median expects no fully masked out rows if dtype is not floating point")


def logsumexp(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    dtype = input.dtype if dtype is None else dtype
    dim_ = _canonical_dim(dim, input.ndim)
    mask_input = _combine_input_and_mask(logsumexp, input, mask)
    return torch.logsumexp(mask_input, dim_, keepdim=keepdim).to(dtype=dtype)


def logaddexp(input, other, *, dtype=None, input_mask=None, other_mask=None):
    dtype = input.dtype if dtype is None else dtype
    mask_input = _combine_input_and_mask(logaddexp, input, input_mask)
    mask_other = _combine_input_and_mask(logaddexp, other, other_mask)
    return torch.logaddexp(mask_input, mask_other).to(dtype=dtype)


def norm(input, ord=2.0, dim=None, *, keepdim=False, dtype=None, mask=None):
    dtype = input.dtype if dtype is None else dtype
    mask_input = _combine_input_and_mask(norm, input, mask, ord)
    dim_ = _canonical_dim(dim, input.ndim)
    return torch.linalg.vector_norm(mask_input, ord, dim_, bool(keepdim), dtype=dtype)


def _std_var(input, dim, unbiased, *, correction_opt, keepdim, dtype, mask, take_sqrt):
    if unbiased is not None and correction_opt is not None:
        raise AssertionError("Only one of unbiased and correction may be given")
    correction = 1.0
    if unbiased is not None:
        correction = 1.0 if unbiased else 0.0
    if correction_opt is not None:
        correction = float(correction_opt)
    if dtype is None:
        dtype = input.dtype
        if not (dtype.is_floating_point or dtype.is_complex):
            dtype = torch.float32
    compute_dtype = dtype
    if not (compute_dtype.is_floating_point or compute_dtype.is_complex):
        compute_dtype = torch.float32
    if mask is None:
        inmask = None
        count = sum(torch.ones(input.shape, dtype=torch.int64, device=input.device), dim, keepdim=True)
        sample_total = sum(input, dim, keepdim=True, dtype=dtype)
    else:
        inmask = _input_mask(input, mask=mask)
        count = inmask.sum(dim=dim, keepdim=True)
        sample_total = sum(input, dim, keepdim=True, dtype=dtype, mask=inmask)
    x = torch.subtract(input, torch.divide(sample_total, count))
    total = sum(x * x.conj(), dim, keepdim=keepdim, dtype=compute_dtype, mask=inmask)
    if not keepdim:
        count = count.reshape(total.shape)
    if correction != 0:
        real_dtype = compute_dtype.to_real() if compute_dtype.is_complex else compute_dtype
        count = torch.subtract(count.to(real_dtype), correction)
        count = torch.maximum(count, count.new_zeros([]))
    output = torch.divide(total, count).to(dtype=dtype)
    return torch.sqrt(output) if take_sqrt else output


def var(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None, mask=None):
    return _std_var(input, dim, unbiased, correction_opt=correction, keepdim=keepdim,
                    dtype=dtype, mask=mask, take_sqrt=False)


def std(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None, mask=None):
    return _std_var(input, dim, unbiased, correction_opt=correction, keepdim=keepdim,
                    dtype=dtype, mask=mask, take_sqrt=True)


def _normalization(name, identity_op):
    def op(input, dim, *, dtype=None, mask=None):
        dtype = input.dtype if dtype is None else dtype
        dim_ = _canonical_dim(dim, input.ndim)[0]
        mask_input = _combine_input_and_mask(identity_op, input, mask)
        return getattr(torch.nn.functional, name)(mask_input, dim_, dtype=dtype)
    op.__name__ = op.__qualname__ = name
    return op


# softmax-like ops fill masked-out elements so they get zero weight
softmax = _normalization('softmax', amax)
log_softmax = _normalization('log_softmax', amax)
softmin = _normalization('softmin', amin)


def normalize(input, ord, dim, *, eps=1e-12, dtype=None, mask=None):
    dtype = input.dtype if dtype is None else dtype
    mask_input = _combine_input_and_mask(sum, input, mask)
    nrm_ = norm(input, ord, dim, keepdim=True, dtype=dtype, mask=mask)
    denom = torch.maximum(nrm_, nrm_.new_full([], eps))
    return torch.divide(mask_input, denom)
