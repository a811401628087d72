"""Interop: DLPack (torch.from_dlpack, torch.utils.dlpack, Tensor.__dlpack__ / __dlpack_device__: zero
copy with NumPy; CuPy arrays go the same way on a GPU), torch._utils' flatten helpers, layouts."""
import importlib

import numpy as np

from conformance import case, check


@case('torch.from_dlpack')
def numpy_shares_memory(torch):
    a = np.arange(6.).reshape(2, 3)
    t = torch.from_dlpack(a)
    a[0, 0] = 10.
    return t, t.dtype, t.is_contiguous()


@case('torch.from_dlpack')
def numpy_dtypes(torch):
    return [torch.from_dlpack(np.ones(2, dt)) for dt in (np.float32, np.int64, np.uint8, np.int16, np.bool_,
                                                         np.complex64)]


@case('torch.from_dlpack')
def numpy_view_strides(torch):
    a = np.arange(12.).reshape(3, 4)[:, ::2]
    t = torch.from_dlpack(a)
    return t, t.stride()


@case('Tensor.__dlpack__')
def to_numpy(torch):
    t = torch.arange(6).reshape(2, 3)
    a = np.from_dlpack(t)
    t[0, 0] = 7
    return a.tolist(), a.dtype.name


@case('Tensor.__dlpack__')
def requires_grad(torch):
    return torch.ones(2, requires_grad=True).__dlpack__()


@case('Tensor.__dlpack_device__')
def cpu_device(torch):
    kind, index = torch.ones(2).__dlpack_device__()
    return int(kind), index, kind.name


@case('torch.utils.dlpack.to_dlpack')
def capsule_roundtrip(torch):
    dl = importlib.import_module(torch.__name__ + '.utils.dlpack')
    t = torch.arange(4.)
    u = dl.from_dlpack(dl.to_dlpack(t))
    u[1] = 9.
    return t, u


check('torch.from_dlpack', lambda torch: torch.from_dlpack(5), name='not_a_producer')
check('torch.utils.dlpack.DLDeviceType', lambda torch: (
    int(importlib.import_module(torch.__name__ + '.utils.dlpack').DLDeviceType.kDLCUDA),
    importlib.import_module(torch.__name__ + '.utils.dlpack').DLDeviceType.kDLCPU.name), name='values')


@case('torch._utils._flatten_dense_tensors')
def flatten_unflatten(torch):
    ts = [torch.arange(3.), torch.ones(2, 2), torch.zeros(0)]
    flat = torch._utils._flatten_dense_tensors(ts)
    back = torch._utils._unflatten_dense_tensors(flat * 2, ts)
    return flat, back, [b.shape for b in back]


check('torch.jagged', lambda torch: (torch.jagged, torch.sparse_csr, torch.sparse_bsc, torch.strided), name='layouts')


@case('torch.convolution')
def convolution_forms(torch):
    x = torch.randn(2, 2, 6, 6, requires_grad=True)
    w = torch.randn(3, 2, 3, 3, requires_grad=True)
    y = torch.convolution(x, w, None, [2, 1], [1, 0], [1, 1], False, [0, 0], 1)
    wt = torch.randn(2, 3, 3, 3)
    z = torch.convolution(x, wt, torch.ones(3), [2, 2], [1, 1], [1, 1], True, [1, 1], 1)
    y.sum().backward()
    u = torch.convolution(torch.randn(1, 2, 7), torch.randn(4, 1, 3), None, [1], [0], [2], False, [0], 2)
    return y, z, x.grad, w.grad, u, y.grad_fn.name()


@case('torch.sin_')
def toplevel_inplace_aliases(torch):
    x = torch.tensor([0.5, 2., -1.5])
    outs = [torch.sin_(x.clone()), torch.exp_(x.clone()), torch.clamp_(x.clone(), max=1.), torch.clamp_min_(x.clone(), 0.),
            torch.round_(x.clone()), torch.sigmoid_(x.clone()), torch.fill_(x.clone(), 3), torch.nan_to_num_(x.clone() / 0),
            torch.xlogy_(x.clone().abs(), 2.), torch.gcd_(torch.tensor([4, 6]), torch.tensor([6, 9])),
            torch.logit_(torch.tensor([0.25, 0.5])), torch.square_(x.clone()), torch.get_device(x)]
    y = x.clone()
    r = torch.neg_(y)
    return outs, r is y, torch.detach(x.requires_grad_()).requires_grad


check('torch.sin_', lambda torch: torch.sin_(5), name='not_tensor')
check('torch.detach', lambda torch: torch.detach(3), name='not_tensor')
check('torch.sin_', lambda torch: torch.sin_(torch.ones(2, requires_grad=True)), name='leaf_requires_grad')


@case('torch.frombuffer')
def frombuffer_shares(torch):
    b = bytearray(b'\x01\x00\x00\x00\x02\x00\x00\x00')
    t = torch.frombuffer(b, dtype=torch.int32)
    b[0] = 9
    return t, torch.frombuffer(b, dtype=torch.int16, count=2, offset=2), torch.frombuffer(b'abcd', dtype=torch.uint8)


check('torch.frombuffer', lambda torch: torch.frombuffer(bytearray(8), dtype=torch.int32, count=3), name='count_too_big')
check('torch.frombuffer', lambda torch: torch.frombuffer(bytearray(8), dtype=torch.int32, offset=9), name='offset')
check('torch.frombuffer', lambda torch: torch.frombuffer(bytearray(), dtype=torch.int32), name='empty')
check('torch.frombuffer', lambda torch: torch.frombuffer(bytearray(8), dtype=torch.float64, offset=1), name='multiple')
