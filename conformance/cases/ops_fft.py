"""torch.fft: transforms, normalisation modes, dtypes, gradients."""
from conformance import case, check


def _grad_of(torch, f, x):
    x = x.clone().requires_grad_()
    out = f(x)
    (out.abs() if out.dtype.is_complex else out).sum().backward()
    return out, x.grad, out.grad_fn.name()


_x = lambda torch: torch.tensor([1., 2., 0., -1., 3.])  # noqa: E731
_m = lambda torch: torch.arange(12.).view(3, 4)          # noqa: E731

check('torch.fft.fft', lambda torch: torch.fft.fft(_x(torch)))
check('torch.fft.fft', lambda torch: torch.fft.fft(_x(torch), n=8, norm='ortho'), name='n_ortho')
check('torch.fft.fft', lambda torch: torch.fft.fft(torch.arange(4)), name='int_input')
check('torch.fft.fft', lambda torch: torch.fft.fft(_x(torch), norm='bad'), name='bad_norm')
check('torch.fft.fft', lambda torch: _grad_of(torch, torch.fft.fft, _x(torch)), name='grad')
check('torch.fft.ifft', lambda torch: torch.fft.ifft(torch.fft.fft(_x(torch))))
check('torch.fft.rfft', lambda torch: torch.fft.rfft(_x(torch), norm='forward'))
check('torch.fft.rfft', lambda torch: _grad_of(torch, torch.fft.rfft, _x(torch)), name='grad')
check('torch.fft.irfft', lambda torch: torch.fft.irfft(torch.fft.rfft(_x(torch)), n=5))
check('torch.fft.hfft', lambda torch: torch.fft.hfft(torch.fft.ihfft(_x(torch)), n=5))
check('torch.fft.fft2', lambda torch: torch.fft.fft2(_m(torch)))
check('torch.fft.ifft2', lambda torch: torch.fft.ifft2(_m(torch)))
check('torch.fft.rfft2', lambda torch: torch.fft.rfft2(_m(torch)))
check('torch.fft.irfft2', lambda torch: torch.fft.irfft2(torch.fft.rfft2(_m(torch)), s=(3, 4)))
check('torch.fft.fftn', lambda torch: torch.fft.fftn(_m(torch), dim=0))
check('torch.fft.rfftn', lambda torch: _grad_of(torch, torch.fft.rfftn, _m(torch)))
check('torch.fft.irfftn', lambda torch: torch.fft.irfftn(torch.fft.rfftn(_m(torch))))
check('torch.fft.fftfreq', lambda torch: torch.fft.fftfreq(5))
check('torch.fft.rfftfreq', lambda torch: torch.fft.rfftfreq(6, d=0.5))
check('torch.fft.fftshift', lambda torch: torch.fft.fftshift(torch.arange(6)))
check('torch.fft.ifftshift', lambda torch: torch.fft.ifftshift(_m(torch), dim=1))

check('torch.stft', lambda torch: torch.stft(torch.arange(40.).sin(), 8, window=torch.hann_window(8),
                                             return_complex=True))
check('torch.stft', lambda torch: torch.stft(torch.arange(40.).sin(), 8, return_complex=False, center=False,
                                             normalized=True), name='real_view')
check('torch.stft', lambda torch: torch.stft(torch.arange(40.), 8), name='return_complex_required')
check('torch.stft', lambda torch: torch.stft(torch.arange(10.), 16, center=False, return_complex=True),
      name='n_fft_too_big')
check('torch.istft', lambda torch: torch.istft(torch.stft(torch.arange(40.).sin(), 8, window=torch.hann_window(8),
                                                          return_complex=True), 8, window=torch.hann_window(8)))
check('torch.istft', lambda torch: torch.istft(torch.ones(5, 11, dtype=torch.complex64), 8, length=50),
      name='length')
check('torch.istft', lambda torch: torch.istft(torch.ones(5, 11, dtype=torch.complex64), 8, center=False,
                                               window=torch.hann_window(8)), name='nola_error')


@case('torch.stft')
def stft_grad(torch):
    x = torch.arange(24.).cos().requires_grad_()
    s = torch.stft(x, 8, hop_length=3, return_complex=True)
    s.abs().sum().backward()
    return s, x.grad, s.grad_fn.name()
