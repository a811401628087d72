import subprocess
import sys


def test_import_does_not_load_torch():
    code = "import sys, faketorch; assert 'torch' not in sys.modules, 'torch imported'; print('ok')"
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == 'ok'


def test_no_module_defines_a_name_twice():
    """A second top-level def of the same name silently replaces the first for every caller (a
    grid_sample helper once shadowed interpolate's _cubic_weights this way)."""
    import ast
    import collections
    import pathlib
    root = pathlib.Path(__file__).resolve().parent.parent / 'faketorch'
    twice = {}
    for path in root.rglob('*.py'):
        names = collections.Counter(node.name for node in ast.parse(path.read_text()).body
                                    if isinstance(node, (ast.FunctionDef, ast.ClassDef)))
        dup = sorted(name for name, n in names.items() if n > 1)
        if dup:
            twice[str(path.relative_to(root))] = dup
    assert not twice, twice
