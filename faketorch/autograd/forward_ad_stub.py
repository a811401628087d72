"""torch.autograd.forward_ad is not implemented in faketorch."""


def __getattr__(name):
    raise NotImplementedError(f"faketorch: torch.autograd.forward_ad.{name} is not implemented")
