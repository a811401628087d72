"""faketorch's differential conformance suite: the same cases on torch and faketorch.

    from conformance import case, check
    check('torch.exp', lambda torch: torch.exp(torch.tensor([1., 2.])))

``python -m conformance`` runs every case and torch's OpInfo database and
writes conformance-report/ (Markdown, HTML, JSON).
"""
from .registry import case, check, outcomes, warned

__all__ = ['case', 'check', 'outcomes', 'warned']
