"""Bugs found by running public training scripts (pytorch/examples, minGPT, nanoGPT, d2l, ...) under
faketorch with `python -m compat diff`: one case per fix."""
from conformance import case, check

# torch.xpu was missing: pytorch/examples pick their device with torch.xpu.is_available()
check('torch.xpu.is_available', lambda torch: (torch.xpu.is_available(), torch.xpu.device_count(),
                                               torch.xpu.is_initialized(), torch.xpu.is_bf16_supported()),
      name='cpu_only')
check('torch.xpu.manual_seed', lambda torch: (torch.xpu.manual_seed(1), torch.xpu.manual_seed_all(1),
                                              torch.xpu.empty_cache(), torch.xpu.memory_allocated(),
                                              torch.xpu.max_memory_reserved(), torch.xpu.memory_stats()),
      name='cpu_only')
check('torch.xpu.synchronize', lambda torch: torch.xpu.synchronize(), name='not_compiled')
check('torch.xpu.current_device', lambda torch: torch.xpu.current_device(), name='not_compiled')
# torch.mps likewise (torch.mps.manual_seed next to torch.cuda.manual_seed in seeding helpers)
check('torch.mps.is_available', lambda torch: (torch.mps.is_available(), torch.mps.device_count(),
                                               torch.mps.manual_seed(0)), name='not_macos')
check('torch.mps.synchronize', lambda torch: torch.mps.synchronize(), name='not_macos')
check('torch.mps.empty_cache', lambda torch: torch.mps.empty_cache(), name='not_macos')

# torch.empty(size=...) (pytorch/examples' GAT) raised a Python TypeError: the fillers took *size only
check('torch.empty', lambda torch: torch.empty(size=(2, 3)).shape, name='size_keyword')
check('torch.zeros', lambda torch: torch.zeros(size=[2, 1], dtype=torch.int64), name='size_keyword')
check('torch.ones', lambda torch: (torch.ones(size=()), torch.ones(size=torch.Size([2]), requires_grad=True)),
      name='size_keyword')
check('torch.zeros', lambda torch: torch.zeros(size=(2,), out=torch.ones(2)), name='size_keyword_out')
check('torch.zeros', lambda torch: torch.zeros(2, size=(2,)), name='size_keyword_twice')
check('torch.zeros', lambda torch: torch.zeros(size=2), name='size_keyword_int')
check('torch.ones', lambda torch: torch.ones(size=None), name='size_keyword_none')
check('torch.empty', lambda torch: torch.empty(2, foo=1), name='unknown_keyword')
check('torch.empty', lambda torch: torch.empty(foo=1), name='unknown_keyword_no_size')
