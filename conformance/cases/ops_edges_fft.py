"""torch.fft at its edges: dtypes, check order, empty inputs, and complex gradients through the
products around a transform (found by a fuzz of shapes x dtypes x arguments against torch)."""
from conformance import case as _case, outcomes


def case(api):
    """Ids carry this file's name, so `--filter ops_edges_fft` selects them."""
    return lambda fn: _case(api, name=f'ops_edges_fft_{fn.__name__}')(fn)


_try = outcomes


@case('torch.fft.fft')
def half_unsupported(torch):    # no half-precision FFT on the CPU; a complex input's check comes first
    F = torch.fft
    h, b = torch.ones(4).half().cpu(), torch.ones(2, 4).bfloat16().cpu()
    return _try(lambda: F.fft(h), lambda: F.rfft(b), lambda: F.irfft(h), lambda: F.fftn(b), lambda: F.ihfftn(h),
                lambda: F.rfft(torch.ones(4, dtype=torch.cfloat)), lambda: F.rfft2(torch.ones(2, 2, dtype=torch.cfloat)),
                lambda: F.rfftn(b, dim=(0, 0)), lambda: F.irfftn(h, dim=()))


@case('torch.fft.ifft')
def check_order(torch):         # dim before the number of points, before the norm
    F = torch.fft
    x = torch.ones(3)
    return _try(lambda: F.ifft(x, n=0, dim=1), lambda: F.ifft(x, n=0, norm='bad'), lambda: F.ifft(torch.ones(0)),
                lambda: F.rfft(x, n=-1), lambda: F.ihfft(torch.ones(0, 3), dim=0), lambda: F.fft(torch.tensor(1.)),
                lambda: F.hfft(torch.ones(1), norm='bad'), lambda: F.ifft(x, n=2, norm='bad'))


@case('torch.fft.fftn')
def shape_and_dims(torch):
    F = torch.fft
    x = torch.ones(2, 3)
    return _try(lambda: F.fftn(x, dim=(0, -2)), lambda: F.fft2(x, dim=None), lambda: F.fftn(torch.ones(0, 3)),
                lambda: F.ifftn(x, s=(0, 2)), lambda: F.rfftn(x, s=(2, 3), dim=(0,)), lambda: F.irfftn(torch.ones(3), s=(2, 3)),
                lambda: F.ihfftn(x.cfloat()), lambda: F.ihfft2(torch.ones(3)), lambda: F.hfftn(x, dim=()),
                lambda: F.irfft2(torch.ones(0, 3)), lambda: F.fftn(x, s=(-1, 4)))


@case('torch.fft.rfft')
def empty_batch(torch):         # torch's CPU kernel (MKL) refuses an empty batch
    F = torch.fft
    e = torch.ones(0, 4).cpu()
    return _try(lambda: F.rfft(e), lambda: F.fft(e), lambda: F.irfft(e), lambda: F.fft2(torch.ones(2, 0, 3).cpu(), dim=(0, 2)))


@case('torch.fft.fft')
def complex_grad_through_product(torch):    # d(w z)/dz pairs the gradient with conj(w)
    x = torch.tensor([1., 2., 3., 5.], requires_grad=True)
    w = torch.tensor([1 + 2j, 3 - 1j, 0.5j, 2.])
    (torch.fft.fft(x) * w).sum().abs().backward()
    z = torch.tensor([1 + 2j, 3 - 1j, 0.5j, 2.], requires_grad=True)
    ((z / w).sum() + (1j / z).sum() + (w * z).sum()).abs().backward()
    return x.grad, z.grad
