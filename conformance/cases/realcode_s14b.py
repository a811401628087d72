"""Bugs found by running public-style PyTorch code from further domains (kornia-style image ops,
detection and segmentation utilities, tabular Kaggle loops, speech front ends and CTC, text
classification, tensor utilities, numerical code) under faketorch with `python -m compat diff`:
one case per fix."""
from conformance import case


# kornia's warp_perspective: create_meshgrid(...).permute(...).repeat(B, 1, 1, 1) then .view(B, -1, 2);
# repeat with every count 1 kept the permuted layout (np.tile copies in the input's order), so the view
# raised. torch's repeat always returns a contiguous tensor
@case('torch.Tensor.repeat')
def repeat_ones_contiguous(torch):
    b = torch.arange(12.).view(3, 2, 2).permute(1, 0, 2).unsqueeze(0)
    r = b.repeat(1, 1, 1, 1)
    t = torch.arange(6).view(2, 3).t().tile((1, 1))
    return r.stride(), r.is_contiguous(), r.view(1, -1, 2), t.stride(), t.view(-1)
