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


def test_lazy_tensor_attributes_listed():
    """Tensor has no instance __getattr__ (it would slow every attribute read): the attributes that the
    lazily imported parts define stand as placeholders, listed in _tensor._LAZY_ATTRS. Each is
    defined by loading them, and no other is."""
    code = ("import faketorch, faketorch._tensor as T\n"
            "before = {k for k, v in vars(T.Tensor).items() if not isinstance(v, T._LazyAttr)}\n"
            "t = faketorch.ones(2)\n"
            "assert callable(t.softmax)\n"        # a placeholder's first read loads the lazy parts
            "added = set(vars(T.Tensor)) - before\n"
            "left = [k for k, v in vars(T.Tensor).items() if isinstance(v, T._LazyAttr)]\n"
            "print(sorted(added - set(T._LAZY_ATTRS)), sorted(set(T._LAZY_ATTRS) - added), left)")
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == '[] [] []', 'unlisted, listed but not defined, still placeholders: ' + out.stdout


def test_missing_tensor_attribute():
    code = ("import faketorch\n"
            "t = faketorch.ones(2)\n"
            "for get in (lambda: t.no_such_thing, lambda: faketorch.Tensor.no_such_thing):\n"
            "    try:\n"
            "        get()\n"
            "    except AttributeError as e:\n"
            "        print(e)\n")
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["'Tensor' object has no attribute 'no_such_thing'",
                                       "type object 'Tensor' has no attribute 'no_such_thing'"]
