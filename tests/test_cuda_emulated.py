"""faketorch's CUDA code path without a GPU: the whole conformance suite with faketorch on the CuPy
stand-in (conformance/fake_cupy: host memory, but CuPy's refusals of NumPy arrays and implicit
conversions) against torch on the CPU. Every id in conformance/expected_pass_emulated_cuda.txt must
still pass; `python -m conformance --emulated-cuda --update-expected` rewrites that list.
On a real GPU, `bash .ci/gpu` runs the suite against CUDA torch instead."""
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.skipif(os.environ.get('CONFORMANCE_OPINFO') == '0', reason='CONFORMANCE_OPINFO=0: databases skipped')
def test_emulated_cuda_conformance(tmp_path):
    run = subprocess.run([sys.executable, '-m', 'conformance', '--emulated-cuda', '--out', str(tmp_path)],
                         cwd=REPO, capture_output=True, text=True, timeout=1800)
    regressed = [line for line in run.stderr.splitlines() if line.startswith('REGRESSED')]
    assert regressed == [] and run.returncode == 0, '\n'.join(regressed) or run.stderr[-3000:]


def test_stand_in_refuses_what_cupy_refuses():
    """The stand-in must fail where CuPy fails, or the test above proves nothing."""
    code = '''
import numpy as np, cupy
a = cupy.arange(3.)
def raises(f):
    try:
        f()
    except (TypeError, ValueError, NotImplementedError):
        return True
    return False
print(raises(lambda: np.asarray(a)), raises(lambda: a + np.ones(3)), raises(lambda: a * np.asarray(2.)),
      raises(lambda: a.__setitem__(slice(None), np.ones(3))), a.get().__class__ is np.ndarray,
      isinstance(a, np.ndarray), float((a * np.float32(2) + 1).sum()))
# what the run on a real H100 found: NumPy's ufunc.at with a tuple index, NumPy 2's device= passed
# on through like=, select with a scalar choice, a 0-d reduction over axis 0, CuPy's .at dtypes
m = cupy.zeros((2, 2))
print(raises(lambda: np.add.at(m, (cupy.array([0]), cupy.array([1])), 1.0)),
      raises(lambda: np.ones(2, like=a)), raises(lambda: cupy.select([a > 0], [1.0])),
      raises(lambda: cupy.asarray(1.0).sum(axis=0)) or raises(lambda: np.sum(cupy.asarray(1.0), axis=0)),
      raises(lambda: cupy.multiply.at(a, cupy.array([0]), 2.0)),
      raises(lambda: cupy.add.at(cupy.zeros(2, bool), cupy.array([0]), True)))
'''
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, 'conformance', 'fake_cupy'))
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ['True'] * 5 + ['False', '9.0'] + ['True'] * 6


def test_stand_in_has_cupys_namespace():
    """Names and keyword arguments CuPy 14.2 lacks are refused, as on a GPU (conformance/fake_cupy/_cupy14.json)."""
    code = '''
import numpy as np, cupy
a, m = cupy.arange(3.), cupy.ones((2, 2))
def raises(f, kind):
    try:
        f()
    except kind:
        return True
    return False
print(raises(lambda: np.spacing(a), TypeError), raises(lambda: cupy.insert, AttributeError),
      raises(lambda: a.resize, AttributeError), raises(lambda: np.linalg.multi_dot([m, m]), TypeError),
      raises(lambda: np.unique(a, sorted=True), TypeError), raises(lambda: np.sort(a, 0, 'stable', None), TypeError))
print(float(np.sort(a, kind='stable').sum()), float(np.linalg.inv(m + cupy.eye(2)).sum()),
      len(np.broadcast_arrays(a, a)), float(np.add(a, 1).sum()))
# CuPy's integer-array indexing wraps an out-of-range index around; an integer index raises
print(a[cupy.array([1, 4])].tolist(), np.take(a, cupy.array([5])).tolist(), raises(lambda: a[3], IndexError))
# a kernel whose output overlaps an input other than element for element would race: the stand-in raises
m += 1
np.multiply(m, m, out=m)
print(raises(lambda: m.__iadd__(m[0]), RuntimeError), raises(lambda: np.add(a[1:], a[:-1], out=a[1:]), RuntimeError),
      raises(lambda: a.__setitem__(slice(1, None), a[:-1]), RuntimeError))
'''
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, 'conformance', 'fake_cupy'))
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ['True'] * 6 + ['3.0', '0.6666666666666666', '2', '6.0', '[1.0,', '1.0]', '[2.0]',
                                                 'True'] + ['True'] * 3


@pytest.mark.parametrize('script', ['_train_on_device.py', '_train_seq_on_device.py'])
def test_training_script_same_on_emulated_gpu(script):
    """A whole training run gives the same printout with its tensors on the (emulated) GPU."""
    script = os.path.join(REPO, 'tests', script)
    outs = []
    for device, path in (('cpu', REPO), ('cuda', os.pathsep.join([os.path.join(REPO, 'conformance', 'fake_cupy'),
                                                                    REPO]))):
        # both runs in plain NumPy arithmetic: the CPU's reproduced torch kernel orders (FMAs, small-input
        # statistics) are not the GPU path's, and training amplifies a last-bit difference
        env = dict(os.environ, PYTHONPATH=path, FAKETORCH_EXACT_FLOAT32='0')
        run = subprocess.run([sys.executable, script, device], env=env, capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stderr[-3000:]
        outs.append(run.stdout)
    assert outs[0] == outs[1]
    assert outs[0].count('epoch') == 3 or outs[0].count('step') == 6


# the examples that run unchanged with `cuda` as the default device (the others pass CPU generators or
# lengths, or call .numpy(), which torch refuses for CUDA tensors too), and those that move their model and
# batches to the GPU themselves when torch.cuda.is_available()
_DEVICE_EXAMPLES = ([(s, 'cuda') for s in ('autograd.py', 'custom_autograd.py', 'dcgan.py', 'gan.py', 'gnn_func.py',
                                           'numerics.py', 'regression.py', 'resnet_cnn.py', 'transformer_classifier.py',
                                           'vae.py')]
                    + [(s, 'gpu') for s in ('char_rnn.py', 'seq2seq_attention.py', 'train_classifier.py',
                                            'word_lm.py')])


@pytest.mark.parametrize('script,mode', _DEVICE_EXAMPLES)
def test_example_same_on_emulated_gpu(script, mode):
    """An example prints the same numbers with its tensors on the (emulated) GPU as on the CPU; the text
    differs only by the device in reprs (and where that makes a repr wrap)."""
    outs = []
    for m, path in (('cpu', ''), (mode, os.path.join(REPO, 'conformance', 'fake_cupy'))):
        run = subprocess.run([sys.executable, os.path.join(REPO, 'tests', '_example_on_device.py'), m,
                              os.path.join('examples', script)],
                             env=dict(os.environ, PYTHONPATH=path, FAKETORCH_EXACT_FLOAT32='0'), cwd=REPO,
                             capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
        outs.append(' '.join(run.stdout.replace(", device='cuda:0'", '').split()))
    assert outs[0] == outs[1]


def test_mixed_devices_raise_torch_error():
    """A CUDA tensor meeting a CPU one raises torch's device error (whose first sentence every op shares;
    torch appends which argument it checked), not a CuPy TypeError. 0-dim CPU tensors and CPU index
    tensors are accepted, as torch does."""
    code = '''
import faketorch as torch
F = torch.nn.functional
g, c = torch.ones(2, 2, device='cuda'), torch.ones(2, 2)
ops = [lambda: g + c, lambda: g @ c, lambda: F.linear(g, c), lambda: torch.cat([g, c]),
       lambda: F.conv2d(torch.ones(1, 1, 3, 3, device='cuda'), torch.ones(1, 1, 2, 2)),
       lambda: torch.where(g > 0, g, c), lambda: F.mse_loss(g, c), lambda: torch.stack([g, c]),
       lambda: F.cross_entropy(g, torch.tensor([0, 1])), lambda: c.mul_(g)]
for f in ops:
    try:
        f()
        print('no error')
    except RuntimeError as e:
        print(str(e).startswith('Expected all tensors to be on the same device, but found at least two devices'))
print((g + torch.tensor(1.)).device, g[torch.tensor([0])].device)
'''
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(REPO, 'conformance', 'fake_cupy'), REPO]))
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ['True'] * 10 + ['cuda:0', 'cuda:0']


def test_gpu_tests_pass_on_stand_in():
    """tests/test_cuda_api.py's GPU tests and tests/test_cuda_kernels.py (skipped on CI for want of a
    GPU) run on the stand-in (the kernels as their NumPy `host` versions)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(REPO, 'conformance', 'fake_cupy'), REPO]))
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-k', 'gpu or kernels',
                          os.path.join(REPO, 'tests', 'test_cuda_api.py'),
                          os.path.join(REPO, 'tests', 'test_cuda_kernels.py')], env=env, cwd=REPO,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:]
    assert ' passed' in run.stdout and ' failed' not in run.stdout


def test_gpu_step_call_counts():
    """The CuPy calls of a GPU training step (each ~10-25 us on a real GPU), counted on the stand-in:
    the fused kernels keep the MLP step near 32 (it was 97 before them), LeNet's near 87 (291) and the
    small transformer's near 300 (400)."""
    env = dict(os.environ, PYTHONPATH=REPO)
    counts = {}
    for name in ('mlp_step_b64', 'lenet_step_b64', 'transformer_step_b32'):
        out = subprocess.run([sys.executable, '-m', 'benchmarks.gpu_calls', name], env=env, cwd=REPO,
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
        counts[name] = int(out.stdout.split(':')[1].split()[0])
    assert counts['mlp_step_b64'] <= 34 and counts['lenet_step_b64'] <= 90, counts
    assert counts['transformer_step_b32'] <= 310, counts
