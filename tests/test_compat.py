"""compat: the `torch` -> faketorch import alias, `python -m compat run|diff|inventory`.

Everything that installs the alias runs in a subprocess, so this process stays
free to import real torch (inventory does). The tests hold whatever state
faketorch is in, as long as `import faketorch` works.
"""
import importlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:   # compat and faketorch live at the repo root
    sys.path.insert(0, str(REPO))


def _python(args, cwd):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)


def _script(tmp_path, source, name="script.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


def _compat(tmp_path, *args):
    return _python(["-m", "compat", *map(str, args)], cwd=tmp_path)


# A package appended to faketorch.__path__ stands in for a faketorch submodule,
# so the alias is tested whatever faketorch contains today.
PROBE = """
    import sys, faketorch
    faketorch.__path__.append({dir!r})
"""


@pytest.fixture
def probe_dir(tmp_path):
    d = tmp_path / "probe"
    (d / "zz_probe").mkdir(parents=True)
    (d / "zz_probe" / "__init__.py").write_text("VALUE = 42\n")
    (d / "zz_probe" / "inner.py").write_text("def f():\n    return 'inner'\n")
    (d / "zz_broken.py").write_text("import zz_missing_dependency\n")
    return d


def test_import_torch_is_faketorch(tmp_path):
    s = _script(tmp_path, """
        import sys
        import torch
        import faketorch
        print(torch.__name__)
        print(torch is faketorch, sys.modules['torch'] is sys.modules['faketorch'])
    """)
    r = _compat(tmp_path, "run", s)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["faketorch", "True True"]


def test_submodules_are_the_same_objects(tmp_path, probe_dir):
    s = _script(tmp_path, PROBE.format(dir=str(probe_dir)) + """
    import torch.zz_probe
    import torch.zz_probe.inner as inner
    from torch.zz_probe import inner as inner2
    from torch.zz_probe.inner import f
    import faketorch.zz_probe.inner
    print(torch.zz_probe is faketorch.zz_probe, torch.zz_probe.VALUE)
    print(inner is inner2 is faketorch.zz_probe.inner, inner.__name__, f())
    print(sys.modules['torch.zz_probe.inner'] is sys.modules['faketorch.zz_probe.inner'])
    """)
    r = _compat(tmp_path, "run", s)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["True 42", "True faketorch.zz_probe.inner inner", "True"]


def test_nn_functional_alias(tmp_path):
    try:
        importlib.import_module("faketorch.nn.functional")
    except Exception as e:  # noqa: BLE001  (any state of a half-written faketorch)
        pytest.skip(f"faketorch.nn.functional not importable yet ({e!r})")
    s = _script(tmp_path, """
        import sys
        import torch.nn as nn
        import torch.nn.functional
        from torch.nn import functional as F
        import faketorch.nn.functional
        print(nn is faketorch.nn, F is faketorch.nn.functional, F.__name__)
        print(sys.modules['torch.nn'] is sys.modules['faketorch.nn'])
    """)
    r = _compat(tmp_path, "run", s)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["True True faketorch.nn.functional", "True"]


def test_alias_keeps_module_spec(tmp_path, probe_dir):
    # A relative import run inside faketorch after aliasing (e.g. `from .. import relu` in a
    # function) warned "__package__ != __spec__.parent" when the alias overwrote __spec__.
    (probe_dir / "zz_probe" / "late.py").write_text("def f():\n    from . import inner\n    return inner.f()\n")
    s = _script(tmp_path, PROBE.format(dir=str(probe_dir)) + """
    import warnings
    import torch.zz_probe.late
    warnings.simplefilter('error')
    print(torch.zz_probe.late.f(), torch.zz_probe.late.__spec__.name, torch.__spec__.name)
    """)
    r = _compat(tmp_path, "run", s)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["inner faketorch.zz_probe.late faketorch"]


def test_missing_submodule(tmp_path):
    s = _script(tmp_path, """
        try:
            import torch.no_such_module_xyz
        except ModuleNotFoundError as e:
            print(e.name)
            print(e)
    """)
    r = _compat(tmp_path, "run", s)
    assert r.returncode == 0, r.stderr
    name, message = r.stdout.splitlines()
    assert name == "torch.no_such_module_xyz"
    assert "'torch.no_such_module_xyz'" in message
    assert "faketorch does not provide" in message


def test_error_inside_faketorch_is_not_masked(tmp_path, probe_dir):
    # A missing import *inside* a faketorch module is a faketorch bug, reported as is.
    s = _script(tmp_path, PROBE.format(dir=str(probe_dir)) + """
    try:
        import torch.zz_broken
    except ModuleNotFoundError as e:
        print(e.name)
    """)
    r = _compat(tmp_path, "run", s)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "zz_missing_dependency"


def test_run_is_like_python_script(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "helper.py").write_text("WHO = 'helper'\n")
    s = _script(tmp_path / "sub", """
        import os, sys
        import helper                      # the script's own directory is on sys.path
        print(sys.argv[1:], helper.WHO, __file__ == os.path.abspath(__file__))
        if __name__ == "__main__":
            print("main")
            sys.exit(int(sys.argv[1]))
    """)
    r = _compat(tmp_path, "run", "sub/script.py", 7, "--flag", "x y")
    assert r.stdout.splitlines() == ["['7', '--flag', 'x y'] helper True", "main"], r.stderr
    assert r.returncode == 7


def test_uncaught_exception(tmp_path):
    s = _script(tmp_path, "raise ValueError('boom')\n")
    r = _compat(tmp_path, "run", s)
    assert r.returncode == 1
    assert r.stderr.strip().endswith("ValueError: boom")
    assert "__main__.py" not in r.stderr and "runpy" not in r.stderr  # only the script's frames


def test_install_uninstall(tmp_path):
    s = _script(tmp_path, """
        import sys, compat
        compat.install(); compat.install()    # idempotent
        import torch
        print(torch.__name__, compat.installed())
        compat.uninstall()
        print('torch' in sys.modules, compat.installed())
        import torch                           # real torch now
        print(torch.__name__ == 'torch', 'faketorch' not in torch.__file__)
        try:
            compat.install()
        except RuntimeError as e:
            print('refused')
    """)
    r = _python([str(s)], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["faketorch True", "False False", "True True", "refused"]


def test_diff_identical(tmp_path):
    # object() reprs carry addresses, which diff masks.
    s = _script(tmp_path, """
        import sys
        import torch
        print("hello", sum(range(10)), sys.argv[1:], object())
    """)
    r = _compat(tmp_path, "diff", s, "a", "b")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip() == "identical output"


def test_diff_different(tmp_path):
    s = _script(tmp_path, "import torch\nprint(torch.__name__)\n")
    r = _compat(tmp_path, "diff", s)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[:2] == ["--- torch", "+++ faketorch"]
    assert "-torch" in lines and "+faketorch" in lines


def test_usage(tmp_path):
    r = _compat(tmp_path, "frobnicate")
    assert r.returncode == 2 and "python -m compat run" in r.stderr


# --- inventory ---------------------------------------------------------------

_INVENTORY_PROBE = """
import faketorch
import faketorch.nested  # noqa: F401  (it routes torch.cat when first imported: not while cat is patched)
from compat.inventory import NAMESPACES, inventory
# Whatever faketorch has, a name it is given must count as provided.
faketorch.cat = lambda *a: None
inv = inventory()
assert list(inv) == NAMESPACES
for ns, e in inv.items():
    assert e["torch"] > 0, ns
    assert 0 <= e["faketorch"] <= e["torch"], ns
    for tier in ("tier1", "tier2"):
        have, total = e[tier]
        assert 0 <= have <= total, ns
        assert len(e["missing_" + tier]) == total - have, ns
    assert e["tier1"][1] > 0, ns
assert inv["torch"]["torch"] > 500 and inv["torch.Tensor"]["torch"] > 300
assert inv["torch"]["faketorch"] >= 1
assert "torch.cat" not in inv["torch"]["missing_tier1"]
print("ok")
"""


def test_inventory_counts():
    # in a subprocess: the inventory touches every name of both libraries and patches faketorch.cat
    # (in this process it left torch.export unable to see F.layer_norm in later conformance cases)
    r = subprocess.run([sys.executable, "-c", _INVENTORY_PROBE], capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]


def test_tiers_path_env(tmp_path, monkeypatch):
    from compat.inventory import tiers_path
    shutil.copy(tiers_path(), tmp_path / "api-tiers.json")
    monkeypatch.setenv("FAKETORCH_SHARED", str(tmp_path))
    assert tiers_path() == tmp_path / "api-tiers.json"


def test_inventory_cli(tmp_path):
    r = _compat(tmp_path, "inventory", "--json", tmp_path / "inv.json")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].split() == ["namespace", "torch", "faketorch", "tier1", "tier2"]
    data = json.loads((tmp_path / "inv.json").read_text())
    assert data["torch.nn"]["tier1"][1] > 0
