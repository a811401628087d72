"""torch.backends.nnpack."""


def is_available():
    return True
