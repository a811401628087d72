"""torch.utils._triton: faketorch compiles no Triton kernels, as a torch without triton installed."""


def has_triton_package():
    return False


def has_triton():
    return False


def has_triton_tma():
    return False


def has_triton_tma_device():
    return False
