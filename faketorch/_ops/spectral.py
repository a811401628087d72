"""torch.stft / torch.istft, composed of differentiable tensor ops (unfold, window product, fft,
overlap-add) as torch composes them, so gradients and grad_fn names come out the same."""
import warnings

from .. import _xnp as np

from .. import _dtype as D
from .._tensor import Tensor, _make
from ._core import register
from .linalg_ops import _named


def _bool(v):
    return 'None' if v is None else str(int(bool(v)))


def _desc_window(window):
    return 'None' if window is None else \
        f"{D.type_str(window.dtype, window._device)}{{{list(window._data.shape)}}}"


def _window(window, win_length, n_fft, like):
    """The window zero-padded (centred) to n_fft; None means a rectangular one (ones(win_length))."""
    if window is None:
        if win_length == n_fft:
            return None
        w = np.zeros(n_fft, like.dtype.to_real()._np)
        left = (n_fft - win_length) // 2
        w[left:left + win_length] = 1
        return _make(w, like.dtype.to_real(), like._device)
    if win_length == n_fft:
        return window
    from ..nn.functional import pad
    left = (n_fft - win_length) // 2
    return pad(window, (left, n_fft - win_length - left))


# TORCH_WARN_ONCE state of ATen's stft and istft: each warns about a missing window once per process
_warned_no_window = {}
_NO_WINDOW = ("A window was not provided. A rectangular window will be applied{}To suppress this warning and use "
              "a rectangular window, explicitly set `window=torch.ones(n_fft, device=<device>)`. (Triggered "
              "internally at /__w/pytorch/pytorch/aten/src/ATen/native/SpectralOps.cpp:{}.)")


def _warn_no_window(name, window, detail, line):
    if window is None and name not in _warned_no_window:
        _warned_no_window[name] = True
        # torch.stft is Python (torch/functional.py) around the kernel, so its warning names torch's own
        # frame: here, faketorch's stft; torch.istft is the kernel itself and names its caller
        warnings.warn(_NO_WINDOW.format(detail, line), UserWarning, stacklevel=2 if name == 'stft' else 3)


def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, pad_mode='reflect',
         normalized=False, onesided=None, return_complex=None, align_to_window=None):
    if center:     # torch pads in Python before its kernel checks anything
        from ..nn.functional import pad
        nd = input._data.ndim
        x = pad(input.view([1] * (3 - nd) + list(input._data.shape)), [n_fft // 2, n_fft // 2], pad_mode)
        input = x.view(x._data.shape[x._data.ndim - nd:])
    _warn_no_window('stft', window, ",which is known to cause spectral leakage. Other windows such as "
                    "torch.hann_window or torch.hamming_window are recommended to reduce spectral leakage.", 835)
    cplx = input.dtype.is_complex or (window is not None and window.dtype.is_complex)
    if return_complex is None:
        if not cplx:
            raise RuntimeError("stft requires the return_complex parameter be given for real inputs, and will "
                               "further require that return_complex=True in a future PyTorch release.")
        return_complex = True
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length

    def fail(msg):
        raise RuntimeError(
            f"stft({D.type_str(input.dtype, input._device)}{list(input._data.shape)}, n_fft={n_fft}, "
            f"hop_length={hop}, win_length={win}, window={_desc_window(window)}, normalized={_bool(normalized)}, "
            f"onesided={_bool(onesided)}, return_complex={_bool(return_complex)}, "
            f"align_to_window={_bool(align_to_window)}) : {msg}")
    nd = input._data.ndim
    if nd not in (1, 2):
        fail("expected a 1D or 2D tensor")
    if input.dtype._cat < 2:
        fail("expected a tensor of floating point or complex values")
    length = input._data.shape[-1]
    if n_fft <= 0 or n_fft > length:
        fail(f"expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop <= 0:
        fail(f"expected hop_length > 0, but got hop_length={hop}")
    if win <= 0 or win > n_fft:
        fail(f"expected 0 < win_length <= n_fft, but got win_length={win}")
    if window is not None and (window._data.ndim != 1 or window._data.shape[0] != win):
        fail(f"expected a 1D window tensor of size equal to win_length={win}, but got window with size "
             f"{list(window._data.shape)}")
    if onesided is None:
        onesided = not cplx
    elif onesided and cplx:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    x = input.unsqueeze(0) if nd == 1 else input
    if align_to_window and not center:      # frames start where the (shorter) window starts
        left = (n_fft - win) // 2
        x = x[..., left:]
        n_frames = 1 + (length - win) // hop
        x = x[..., :(n_frames - 1) * hop + n_fft] if (n_frames - 1) * hop + n_fft <= x._data.shape[-1] else x
    frames = x.unfold(-1, n_fft, hop)               # (batch, n_frames, n_fft)
    w = _window(window, win, n_fft, input)
    if w is not None:
        frames = frames * w
    from .. import fft
    norm = 'ortho' if normalized else 'backward'
    spec = (fft.rfft if onesided else fft.fft)(frames, dim=-1, norm=norm).transpose(1, 2)
    # torch transposes in place and squeezes by a dim list: only the node names differ
    spec = _named('SqueezeBackward4', spec.squeeze(0)) if nd == 1 else _named('TransposeBackward1', spec)
    if not return_complex:
        from .. import view_as_real
        return view_as_real(spec)
    return spec


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, normalized=False,
          onesided=None, length=None, return_complex=False):
    _warn_no_window('istft', window, ".Please provide the same window used by stft to make the inversion "
                    "lossless.", 1035)
    if not input.dtype.is_complex:
        raise RuntimeError("istft requires a complex-valued input tensor matching the output from stft with "
                           "return_complex=True.")
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    shape = input._data.shape
    given_onesided = onesided

    def fail(msg, sep=' : '):
        raise RuntimeError(
            f"istft({D.type_str(input.dtype, input._device)}{list(shape)}, n_fft={n_fft}, hop_length={hop}, "
            f"win_length={win}, window={_desc_window(window)}, center={_bool(center)}, "
            f"normalized={_bool(normalized)}, onesided={_bool(given_onesided)}, length={length}, "
            f"return_complex={_bool(return_complex)}){sep}{msg}")
    nd = len(shape)
    if nd < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [-{nd + 1}, {nd}], but got -3)")
    if nd > 3:
        fail(f"expected a tensor with 3 or 4 dimensions, but got {nd + 1}")
    if onesided is None:       # inferred from the frequency size, as torch
        onesided = shape[-2] != n_fft
    if return_complex and onesided:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    n_frames, fft_size = shape[-1], shape[-2]
    expected_len = n_fft + hop * (n_frames - 1)
    if onesided and fft_size != n_fft // 2 + 1:
        fail(f"expected the frequency dimension (3rd to the last) of the input tensor to match n_fft / 2 + 1 "
             f"when onesided=True, but got {fft_size}")
    if not onesided and fft_size != n_fft:
        fail(f"expected the frequency dimension (3rd to the last) of the input tensor to match n_fft when "
             f"onesided=False, but got {fft_size}")
    if not 0 < hop <= win:
        fail("expected 0 < hop_length <= win_length")
    if not 0 < win <= n_fft:
        fail("expected 0 < win_length <= n_fft")
    if window is not None and (window._data.ndim != 1 or window._data.shape[0] != win):
        fail("Invalid window shape. window has to be 1D and length of `win_length`")
    from .. import fft, ones, arange
    w = window if window is not None else ones(win, dtype=input.dtype.to_real(), device=input._device)
    if win != n_fft:
        from ..nn.functional import pad
        left = (n_fft - win) // 2
        w = pad(w, (left, n_fft - win - left))
    x = input.unsqueeze(0) if nd == 2 else input
    x = x.transpose(1, 2)                           # (batch, n_frames, fft_size)
    norm = 'ortho' if normalized else 'backward'
    if return_complex:
        x = fft.ifft(x, dim=-1, norm=norm)
    else:
        if not onesided:
            x = x.narrow(-1, 0, n_fft // 2 + 1)
        x = fft.irfft(x, n=n_fft, dim=-1, norm=norm)
    y_tmp = x * w.view(1, 1, n_fft)
    # overlap-add: frame f lands on samples [f * hop, f * hop + n_fft)
    idx = (arange(n_frames, device=input._device).unsqueeze(-1) * hop + arange(n_fft, device=input._device)).reshape(-1)
    batch = y_tmp._data.shape[0]
    y = y_tmp.new_zeros((batch, expected_len)).index_add(1, idx, y_tmp.reshape(batch, -1))
    env = w.pow(2).expand(n_frames, n_fft).reshape(-1)
    env = env.new_zeros((expected_len,)).index_add(0, idx, env)
    start = n_fft // 2 if center else 0
    if length is not None:
        end = start + length
    else:
        end = expected_len - n_fft // 2 if center else expected_len
    y = y[:, start:min(end, expected_len)]
    env = env[start:min(end, expected_len)]
    if env.abs().min()._data < 1e-11:
        fail("1\n[ CPUBoolType{} ]", sep=' window overlap add min: ')
    y = y / env
    if nd == 2:
        y = y.squeeze(0)
    if end > expected_len:
        from ..nn.functional import pad
        y = pad(y, (0, end - expected_len))
    return y


register(stft)
register(istft)
