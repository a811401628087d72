"""Every CUDA kernel body (faketorch._xnp.Kernel) and the multi-tensor sources Kernel.many generates,
compiled for syntax by the host's C++ compiler against a minimal stand-in for CuPy's CArray: a typo
would only show on a GPU, where the kernel would warn and fall back to its NumPy version. Skipped
without g++."""
import shutil
import subprocess
import sys

import numpy as np
import pytest

import faketorch.nn.functional  # noqa: F401  (the modules that declare kernels)
import faketorch.nn._functional_spatial  # noqa: F401
import faketorch.optim.adam  # noqa: F401
import faketorch.optim.sgd  # noqa: F401
from faketorch._xnp import Kernel

_PRELUDE = r'''
#include <cmath>
#include <cstddef>
using std::isfinite; using std::max; using std::min; using std::exp; using std::log; using std::sqrt; using std::fma;
template <typename T> struct CArray {
    T* d; ptrdiff_t n;
    T& operator[](ptrdiff_t i) const { return d[i]; }
    ptrdiff_t size() const { return n; }
};
'''
_C_TYPES = {'int64': 'long long', 'int32': 'int', 'float64': 'double', 'float32': 'float', 'bool': 'bool', 'T': 'T'}


def _params(decl, out):
    for p in decl.split(','):
        *raw, t, name = p.split()
        ct = _C_TYPES[t]
        yield f'CArray<{ct}> {name}' if raw else f'{ct}& {name}' if out else f'const {ct} {name}'


def _function(name, ins, outs, body):
    return [f'namespace {name}_{t} {{ typedef {t} T; void f({", ".join([*_params(ins, False), *_params(outs, True)])}) '
            f'{{ ptrdiff_t i = 0; {body}; }} }}' for t in ('float', 'double')]


class _Capture:
    """An ElementwiseKernel that records its source instead of compiling it."""
    sources = []

    def __init__(self, ins, outs, body, name, options=()):
        self.sources.extend(_function(name, ins, outs, body))

    def __call__(self, *args, **kw):
        return None


class _Array(np.ndarray):
    """A host array that Kernel.many takes for a GPU's (it only reads flags, size and dtype)."""
    __cuda_array_interface__ = {}


@pytest.mark.skipif(shutil.which('g++') is None, reason='needs g++')
def test_kernel_bodies_compile(tmp_path, monkeypatch):
    kernels = list({id(v): v for name, m in list(sys.modules.items()) if name.startswith('faketorch')
                    for v in vars(m).values() if type(v) is Kernel}.values())
    sources = [s for k in kernels for s in _function(k.name, *k.params, k.body)]
    _Capture.sources = sources
    import faketorch._xnp as xnp
    monkeypatch.setattr(xnp, '_module_of', lambda a: type('cupy', (), {'ElementwiseKernel': _Capture}))
    for k in kernels:
        if k.name in ('sgd', 'sgd_momentum', 'adam'):     # their multi-tensor sources, for 3 parameters
            decl = [p.split() for p in ','.join(k.params).split(',')]
            arrays = {'g', 'buf', 'p', 'v'} | ({'m'} if k.name == 'adam' else set())
            calls = [tuple(np.ones(n, np.float32).view(_Array) if name in arrays else
                           (1 if t.startswith('int') else np.float32(0.5)) for t, name in decl) for n in (3, 4, 5)]
            monkeypatch.setattr(k, '_batched', {})
            k._launch(calls)
    assert len(kernels) >= 18 and len(sources) >= 2 * len(kernels) + 6
    src = tmp_path / 'kernels.cpp'
    src.write_text(_PRELUDE + '\n'.join(sources) + '\n')
    r = subprocess.run(['g++', '-std=c++17', '-fsyntax-only', str(src)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[:4000]
