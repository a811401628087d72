"""Differences found by writing the newer scripts in examples/ (resnet_cnn, word_lm, gnn_func ...):
one case per rule, each the same small program on both libraries."""
import os
import subprocess
import sys

from conformance import case

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _fresh_process(torch, body):
    """Run `body` in a new interpreter (for once-per-process behaviour); return what it printed."""
    program = f"import warnings\nimport {torch.__name__} as torch\n{body}"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [_ROOT, os.environ.get('PYTHONPATH')])))
    out = subprocess.run([sys.executable, '-c', program], capture_output=True, text=True, env=env, timeout=120)
    return out.stdout + out.stderr[-2000:]


_SPARSE_WARNINGS = """
i, v = torch.tensor([[0, 1], [1, 0]]), torch.tensor([1., 2.])
def made(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        fn()
    print([str(m.message)[:45] for m in w])
"""


# gnn_func: torch.sparse_coo_tensor warns once per process that invariant checks are off, unless the
# global setting was chosen (enable/disable/the context manager); check_invariants=False is no choice
@case('torch.sparse_coo_tensor')
def implicit_invariants_warning_once(torch):
    return _fresh_process(torch, _SPARSE_WARNINGS + """
made(lambda: torch.sparse_coo_tensor(i, v, (2, 2), check_invariants=False))
made(lambda: torch.sparse_coo_tensor(i, v, (2, 2)))
made(lambda: torch.sparse_coo_tensor(size=(2, 2)))
print(torch.sparse.check_sparse_tensor_invariants.is_enabled())
""")


@case('torch.sparse.check_sparse_tensor_invariants')
def explicit_choice_silences(torch):
    return _fresh_process(torch, _SPARSE_WARNINGS + """
with torch.sparse.check_sparse_tensor_invariants(False):
    made(lambda: torch.sparse_coo_tensor(i, v, (2, 2)))
made(lambda: torch.sparse_coo_tensor(i, v, (2, 2)))
print(torch.sparse.check_sparse_tensor_invariants.is_enabled())
""")
