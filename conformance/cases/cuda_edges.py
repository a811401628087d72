"""Kernel-dtype refusals whose CUDA wording follows faketorch's CPU->CUDA kernel-name rule (and its
exceptions) but that the recorded GPU run did not cover: they run on whichever device the run uses."""
from conformance import check

def _long(torch, *shape):
    return torch.ones(*shape, dtype=torch.long)

check('torch.nn.functional.nll_loss', lambda torch: torch.nn.functional.nll_loss(
    _long(torch, 3, 5), torch.tensor([0, 1, 2]), reduction='none'), name='long_input_no_reduce')
check('torch.nn.functional.leaky_relu', lambda torch: torch.nn.functional.leaky_relu(_long(torch, 3)),
      name='long_kernel')
check('torch.softmax', lambda torch: torch.softmax(_long(torch, 3, 4), 0), name='long_not_last_dim')
check('torch.lerp', lambda torch: torch.lerp(_long(torch, 3), _long(torch, 3), _long(torch, 3)),
      name='long_tensor_weight')
check('torch.matmul', lambda torch: torch.matmul(torch.ones(2, 2, dtype=torch.bool), torch.ones(3, 2, 2, dtype=torch.bool)),
      name='bool_matrix_batch')
check('torch.floor', lambda torch: torch.floor(torch.ones(3, dtype=torch.bool)), name='bool_kernel')
check('torch.softmax', lambda torch: torch.softmax(_long(torch, 3, 0), 0), name='long_empty')
check('torch.softmax', lambda torch: torch.softmax(_long(torch, 3), 5), name='long_dim_first')
