"""torch.version: the PyTorch release faketorch reproduces, on a CPU-only build."""
__all__ = ['__version__', 'debug', 'cuda', 'git_version', 'hip', 'xpu', 'rocm']

__version__ = '2.13.0'
debug = False
cuda = None
hip = None
rocm = None
xpu = None
git_version = 'faketorch'
