"""python -m benchmarks.gpu_calls [workload]: the CuPy calls one GPU training step makes, by faketorch
call site, counted on the CuPy stand-in (no GPU needed). On a GPU each call costs ~10-25 us of
Python and launch, which is most of a small model's step: fewer calls is faster. A fused kernel
(faketorch._xnp.Kernel) counts as one call. workload: any name in benchmarks/workloads/gpu.py
(default mlp_step_b64)."""
import collections
import os
import sys
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'conformance',
                                'fake_cupy'))
import cupy  # noqa: E402  (the stand-in)

COUNTS = collections.Counter()
_on = [False]


def _site():
    for fr in reversed(traceback.extract_stack()):      # the innermost faketorch frame
        if f"{os.sep}faketorch{os.sep}" in fr.filename and not fr.filename.endswith("_xnp.py"):
            return f"{fr.filename.split(os.sep + 'faketorch' + os.sep)[1]}:{fr.lineno} {fr.name}"
    return '?'


def _counted(kind, f):
    def g(*a, **k):
        if not _on[0]:
            return f(*a, **k)
        _on[0] = False          # calls made inside this one are its own business
        COUNTS[(kind, _site())] += 1
        try:
            return f(*a, **k)
        finally:
            _on[0] = True
    return g


class _Counted:
    """A counted function of the cupy module that keeps its attributes (a ufunc's .at, .reduce)."""
    def __init__(self, kind, f):
        self._f, self._call = f, _counted(kind, f)

    def __call__(self, *a, **k):
        return self._call(*a, **k)

    def __getattr__(self, name):
        return getattr(self._f, name)


def _instrument():
    nd = cupy.ndarray
    for m in ('__array_ufunc__', '__array_function__', '__getitem__', '__setitem__', 'get', '__bool__',
              '__float__', '__int__'):
        setattr(nd, m, _counted(m, getattr(nd, m)))
    getattr_ = nd.__getattr__
    nd.__getattr__ = lambda self, name: (lambda r: _counted('.' + name, r) if callable(r) else r)(
        getattr_(self, name))
    for m in ('asarray', 'array', 'ascontiguousarray'):
        setattr(cupy, m, _counted(m, getattr(cupy, m)))
    module_getattr = cupy.__getattr__
    cupy.__getattr__ = lambda name: (lambda r: _Counted('cupy.' + name, r)
                                     if callable(r) and not isinstance(r, type) else r)(module_getattr(name))
    from faketorch._xnp import Kernel
    call = Kernel.__call__
    Kernel.__call__ = lambda self, *a, **k: _counted('kernel ' + self.name, lambda: call(self, *a, **k))()
    launch = Kernel._launch       # a multi-tensor launch: one call on a GPU (its host version loops)
    Kernel._launch = lambda self, group: _counted(f'kernel {self.name} x{len(group)}', lambda: launch(self, group))()


def main(name='mlp_step_b64'):
    _instrument()
    import faketorch as torch
    from benchmarks.workloads import gpu
    step = gpu.BENCHMARKS[name](torch)
    for _ in range(3):
        step()
    _on[0] = True
    step()
    _on[0] = False
    print(f'{name}: {sum(COUNTS.values())} CuPy calls per step (on the stand-in)')
    for (kind, site), n in sorted(COUNTS.items(), key=lambda kv: -kv[1]):
        print(f'{n:5d}  {kind:24s} {site}')


if __name__ == '__main__':
    main(*sys.argv[1:2])
