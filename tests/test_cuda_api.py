"""torch.cuda / amp / backends / accelerator: CPU-only behaviour against real torch, and CuPy-backed
behaviour on a machine with a GPU (skipped cleanly without CuPy or a device)."""
import warnings

import pytest
import torch

import faketorch
import faketorch.accelerator  # noqa: F401
import faketorch.amp  # noqa: F401
import faketorch.backends  # noqa: F401


def outcome(lib, fn):
    """(value or (exception type name, message), [(warning category, message)])."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try:
            r = fn(lib)
            r = repr(r) if r.__class__.__module__.split('.')[0] in ('torch', 'faketorch') else r
        except Exception as e:      # noqa: BLE001
            r = (type(e).__name__, str(e))
    return r, [(x.category.__name__, str(x.message)) for x in w]


CPU_ONLY = {
    'is_available': lambda t: t.cuda.is_available(),
    'device_count': lambda t: t.cuda.device_count(),
    'current_device': lambda t: t.cuda.current_device(),
    'get_device_name': lambda t: t.cuda.get_device_name(),
    'synchronize': lambda t: t.cuda.synchronize(),
    'set_device': lambda t: t.cuda.set_device(0),
    'set_device_str': lambda t: t.cuda.set_device('cuda'),
    'manual_seed': lambda t: (t.cuda.manual_seed(1), t.cuda.manual_seed_all(2)),
    'memory': lambda t: (t.cuda.memory_allocated(), t.cuda.max_memory_allocated(), t.cuda.memory_reserved()),
    'reset_peak': lambda t: t.cuda.reset_peak_memory_stats(),
    'empty_cache': lambda t: t.cuda.empty_cache(),
    'Event': lambda t: t.cuda.Event(enable_timing=True),
    'Stream': lambda t: t.cuda.Stream(),
    'stream_none': lambda t: t.cuda.stream(None).__enter__(),
    'device_ctx': lambda t: t.cuda.device(0).__enter__(),
    'legacy_ctor': lambda t: t.cuda.FloatTensor(3),
    'zeros_cuda': lambda t: t.zeros(2, device='cuda'),
    'tensor_cuda': lambda t: t.tensor([1.]).cuda(),
    'cuda_index': lambda t: t.ones(1).cuda(0),
    'cuda_cpu': lambda t: t.ones(1).cuda('cpu'),
    'to_cuda': lambda t: t.ones(1).to('cuda'),
    'to_int': lambda t: t.ones(1).to(0),
    'device_int': lambda t: t.device(0),
    'module_cuda': lambda t: t.nn.Linear(2, 2).cuda(),
    'type_cuda': lambda t: t.ones(1).type('torch.cuda.FloatTensor'),
    'pin_memory': lambda t: t.ones(1).pin_memory(),
    'amp_scaler': lambda t: t.cuda.amp.GradScaler().is_enabled(),
    'amp_autocast': lambda t: t.cuda.amp.autocast()._enabled,
    'autocast_cpu': lambda t: t.autocast('cpu', dtype=t.float32)._enabled,
    'accel': lambda t: (t.accelerator.is_available(), t.accelerator.current_accelerator(), t.accelerator.device_count()),
    'accel_index': lambda t: t.accelerator.current_device_index(),
    'cudnn': lambda t: (t.backends.cudnn.is_available(), t.backends.cudnn.version(), t.backends.cudnn.enabled),
    'mps': lambda t: (t.backends.mps.is_available(), t.backends.mps.is_built(), t.backends.cuda.is_built()),
    'matmul_unknown': lambda t: t.backends.cuda.matmul.nope,
}


@pytest.mark.skipif(torch.cuda.is_available(), reason='the oracle has CUDA: CPU-only behaviour not comparable')
@pytest.mark.parametrize('name', sorted(CPU_ONLY))
def test_cpu_only_matches_torch(name):
    fn = CPU_ONLY[name]
    if faketorch.cuda.is_available():
        pytest.skip('faketorch sees a GPU here')
    assert outcome(faketorch, fn) == outcome(torch, fn)


def test_import_does_not_load_cupy():
    import subprocess
    import sys
    code = 'import sys, faketorch; faketorch.zeros(2); print("cupy" in sys.modules)'
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == 'False'


def _train(lib, scaler_args):
    lib.manual_seed(0)
    scaler = lib.amp.GradScaler(*scaler_args, init_scale=8.0, growth_interval=2)
    model = lib.nn.Linear(4, 2)
    opt = lib.optim.SGD(model.parameters(), lr=0.05)
    x, y = lib.randn(8, 4), lib.randn(8, 2)
    scales = []
    for i in range(6):
        opt.zero_grad()
        scaler.scale(lib.nn.functional.mse_loss(model(x), y)).backward()
        if i == 3:
            model.weight.grad[0, 0] = float('nan')
        scaler.step(opt)
        scaler.update()
        scales.append(scaler.get_scale())
    return scales, model.weight.detach().numpy().copy(), scaler.state_dict()


def test_grad_scaler_cpu_matches_torch():
    s1, w1, d1 = _train(torch, ('cpu',))
    s2, w2, d2 = _train(faketorch, ('cpu',))
    assert s1 == s2 and d1 == d2
    assert abs(w1 - w2).max() < 1e-6


def test_autocast_state_restored():
    with faketorch.autocast('cpu', dtype=faketorch.float16):
        assert faketorch.is_autocast_enabled('cpu')
        assert faketorch.get_autocast_dtype('cpu') is faketorch.float16
    assert not faketorch.is_autocast_enabled('cpu')
    assert faketorch.get_autocast_dtype('cpu') is faketorch.bfloat16


# --- on a GPU (CuPy): skipped on CI ------------------------------------------------------------------

def _gpu():
    cp = pytest.importorskip('cupy')
    try:
        if cp.cuda.runtime.getDeviceCount() < 1:
            pytest.skip('no CUDA device')
    except Exception:       # noqa: BLE001 - no driver
        pytest.skip('no CUDA device')
    return cp


def test_gpu_queries():
    _gpu()
    c = faketorch.cuda
    assert c.is_available() and c.device_count() >= 1
    assert isinstance(c.get_device_name(0), str)
    assert c.current_device() == 0
    c.synchronize()
    assert faketorch.accelerator.current_accelerator() == faketorch.device('cuda')


def test_gpu_tensor_roundtrip():
    _gpu()
    x = faketorch.arange(6.).view(2, 3).cuda()
    assert x.is_cuda and x.device == faketorch.device('cuda', 0)
    assert (x * 2).cpu().tolist() == [[0., 2., 4.], [6., 8., 10.]]
    assert faketorch.zeros(2, device='cuda').device.type == 'cuda'


def test_gpu_events_and_memory():
    _gpu()
    start, end = faketorch.cuda.Event(enable_timing=True), faketorch.cuda.Event(enable_timing=True)
    start.record()
    y = faketorch.ones(256, 256, device='cuda') @ faketorch.ones(256, 256, device='cuda')
    end.record()
    end.synchronize()
    assert start.elapsed_time(end) >= 0
    assert faketorch.cuda.memory_allocated() >= y.numel() * 4
    faketorch.cuda.manual_seed(0)
    a = faketorch.rand(3, device='cuda')
    faketorch.cuda.manual_seed(0)
    assert faketorch.rand(3, device='cuda').tolist() == a.tolist()


def test_gpu_pin_memory():
    """pin_memory() gives page-locked host memory (cupyx.empty_pinned), which is_pinned() sees through views."""
    _gpu()
    x = faketorch.arange(6.).reshape(2, 3).requires_grad_()
    p = x.pin_memory()
    assert not x.is_pinned() and p.is_pinned() and p[1].is_pinned() and p.t().is_pinned()
    assert not p.cuda(non_blocking=True).is_pinned() and p.tolist() == x.tolist()
    assert p.grad_fn.name() == 'PinMemoryBackward0'
    loader = faketorch.utils.data.DataLoader(faketorch.utils.data.TensorDataset(faketorch.arange(4.)), batch_size=2,
                                             pin_memory=True)
    assert [b[0].is_pinned() for b in loader] == [True, True]


def test_gpu_runtime_helpers():
    _gpu()
    c = faketorch.cuda
    assert c.ipc_collect() is None and isinstance(c.current_blas_handle(), int) and c.get_sync_debug_mode() == 0
    with pytest.warns(UserWarning, match='not reported'):
        c.set_sync_debug_mode('warn')
    assert c.get_sync_debug_mode() == 1
    c.set_sync_debug_mode(0)
    with pytest.raises(RuntimeError, match='invalid value of debug_mode'):
        c.set_sync_debug_mode('loud')
    x = faketorch.ones(3, device='cuda')
    assert x.record_stream(c.current_stream()) is None and x.record_stream(c.Stream()) is None
    with pytest.raises(RuntimeError, match='unknown parameter type'):
        x.record_stream(None)


def test_dlpack_capsule_says_its_device():
    """A bare capsule (torch.utils.dlpack.to_dlpack) is read for its DLDevice, so a CUDA capsule goes to
    CuPy; checked here on CPU capsules of both layouts (legacy and versioned) and of both libraries."""
    import numpy as np
    from faketorch.utils.dlpack import _capsule_device
    a = np.arange(3.)
    caps = [a.__dlpack__(), a.__dlpack__(max_version=(1, 0)), torch.utils.dlpack.to_dlpack(torch.ones(2)),
            faketorch.utils.dlpack.to_dlpack(faketorch.ones(2))]
    assert [_capsule_device(c) for c in caps] == [(1, 0)] * 4
    t = faketorch.utils.dlpack.from_dlpack(caps[2])
    assert t.tolist() == [1., 1.] and t.device.type == 'cpu'
