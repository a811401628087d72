"""Hand-written conformance cases, one module per area.

Every module here is imported by the runner. Register cases with::

    from conformance import case, check
    check('torch.exp', lambda torch: torch.exp(torch.tensor([1., 2.])))

A case reaches everything through its ``torch`` argument (``torch.nn``,
``torch.utils.data``): never ``import torch`` inside a case module.
"""
