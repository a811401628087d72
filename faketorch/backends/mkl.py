"""torch.backends.mkl: torch's x86 wheels link MKL; faketorch reports what torch reports."""


def is_available():
    return True


VERBOSE_OFF, VERBOSE_ON = 0, 1


class verbose:
    def __init__(self, enable):
        self.enable = enable

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
